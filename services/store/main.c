//  SPDX-License-Identifier: MIT
//  copydesk-store - the store stage worker, in the foreground
//
//  copydesk-store [--home DIR] [--broker EP] [--credit N]
//                 [--set KEY=VALUE] [--verbose] [-h]
//
//  Consumes the store queue. Each delivery is decoded and held; a flush
//  (when idle, when store/hold_max jobs are held, every store/flush_ms)
//  upserts them in one SQLite transaction, then publishes a tap event
//  stored.<source> {uri, version, rowid, headline, source, inserted} per
//  story and completes the jobs, so the broker hears the ACK only after the
//  commit. A batch that cannot be committed (locked, disk full) stays held
//  and is retried; a record that does not decode is rejected (dead letter).

#include "common.h"
#include "store/stage.h"

//  The store's credit window unless the configuration or --credit sets
//  one: a batch is at most a credit window, and FTS5 indexes batches of
//  500 about a third cheaper per story than batches of 128
//  (tests/bench/bench_store: rows per CPU second).
#define STORE_CREDIT    "512"

//  --------------------------------------------------------------------------
//  True if the command line or the configuration sets the credit window

static bool
s_credit_set (int argc, char **argv)
{
    const char *home = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        if (streq (arg, "-h") || streq (arg, "--help") || streq (arg, "--credit"))
            return true;
        if (streq (arg, "--set") && i + 1 < argc
        &&  (str_starts (argv [i + 1], "store/credit=") || str_starts (argv [i + 1], "workers/credit=")))
            return true;
        if (streq (arg, "--home") && i + 1 < argc)
            home = argv [i + 1];
    }
    config_t *config = config_load (home);
    if (!config)
        return true;            //  worker_main reports the problem
    bool set = config_get (config, "store/credit", NULL) || config_get (config, "workers/credit", NULL);
    config_destroy (&config);
    return set;
}

int
main (int argc, char **argv)
{
    if (s_credit_set (argc, argv))
        return worker_main (store_stage (), NULL, argc, argv);
    char **args = (char **) xcalloc ((size_t) argc + 3, sizeof (char *));
    int count = 0;
    args [count++] = argv [0];
    args [count++] = (char *) "--set";
    args [count++] = (char *) "store/credit=" STORE_CREDIT;
    for (int i = 1; i < argc; i++)
        args [count++] = argv [i];
    int rc = worker_main (store_stage (), NULL, count, args);
    free (args);
    return rc;
}
