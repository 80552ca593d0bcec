//  SPDX-License-Identifier: MIT
//  copydesk-supervisor - runs the broker, the workers and the feeder and
//  keeps them running (see supervisor.h). Started by `copydesk up`.

#include "common.h"
#include "supervisor/supervisor.h"

//  Usage of the command
static void
s_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk-supervisor [--home DIR] [--workers STAGE=N,...] [--no-feeder]\n"
        "\n"
        "Starts the copydesk broker, N workers per stage and (when copydesk.cfg\n"
        "declares feeds or spools) the feeder, restarts any that exits, and stops\n"
        "them in order on SIGTERM. Each writes <home>/logs/<name>.log. Runs in the\n"
        "foreground: `copydesk up` starts it in the background for you.\n"
        "\n"
        "Example: copydesk-supervisor --home /srv/copydesk --workers normalize=2,store=1\n");
}

//  Find the home, load the config, run the command
int
main (int argc, char **argv)
{
    const char *home = NULL;
    const char *workers = NULL;
    bool feeder = true;
    for (int i = 1; i < argc; i++) {
        if (streq (argv [i], "-h") || streq (argv [i], "--help")) {
            s_usage (stdout);
            return 0;
        }
        else
        if (streq (argv [i], "--no-feeder"))
            feeder = false;
        else
        if (streq (argv [i], "--home") && i + 1 < argc)
            home = argv [++i];
        else
        if (streq (argv [i], "--workers") && i + 1 < argc)
            workers = argv [++i];
        else {
            fprintf (stderr, "copydesk-supervisor: unknown argument '%s' (see --help)\n", argv [i]);
            return 2;
        }
    }
    config_t *config = config_load (home);
    if (!config)
        return 1;
    zsys_set_logident ("copydesk-supervisor");
    int counts [SUPERVISOR_STAGES];
    supervisor_default_workers (config, counts);
    char err [256];
    if (workers && supervisor_parse_workers (workers, counts, err, sizeof err) != 0) {
        fprintf (stderr, "copydesk-supervisor: --workers: %s\n", err);
        config_destroy (&config);
        return 2;
    }
    char *bindir = config_exe_dir ();
    if (!bindir) {
        fprintf (stderr, "copydesk-supervisor: cannot find the folder of the executables\n");
        config_destroy (&config);
        return 1;
    }
    supervisor_t *supervisor = supervisor_new (config, bindir);
    char feeder_exe [PATH_MAX];
    snprintf (feeder_exe, sizeof feeder_exe, "%s/copydesk-feeder", bindir);
    feeder = feeder && access (feeder_exe, X_OK) == 0 && supervisor_has_feeds (config);
    supervisor_add_pipeline (supervisor, counts, feeder);
    int rc = 0;
    if (supervisor_check (supervisor, err, sizeof err) != 0) {
        fprintf (stderr, "copydesk-supervisor: cannot start: %s\n", err);
        rc = 1;
    }
    else
    if (supervisor_run (supervisor) != 0)
        rc = 1;
    supervisor_destroy (&supervisor);
    free (bindir);
    config_destroy (&config);
    return rc;
}
