//  SPDX-License-Identifier: MIT
//  status - what the running pipeline is doing; wait - until it is idle
//
//  Both ask the broker for its statistics map (STATUS -> STATS,
//  docs/protocol.md §6). status prints it as tables or as JSON; wait polls
//  it until the broker reports idle (nothing queued, held or in flight) on
//  two polls in a row.

#include "common.h"
#include "cli/commands.h"
#include "cli/cli.h"

static const char *s_stages [] = { STAGE_INGEST, STAGE_NORMALIZE, STAGE_CLASSIFY, STAGE_STORE };

//  Usage of copydesk status
static void
s_status_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk status [--json] [--pretty] [--timeout S] [--watch S]\n"
        "\n"
        "Shows the running pipeline: top-level counters (documents pushed, stories\n"
        "accepted, stored, dead), each queue's depth, in-flight, held and rates,\n"
        "every registered worker, and the broker's journal. Exits 1 with a message\n"
        "when the broker is not running.\n"
        "\n"
        "  --json        the statistics map as one JSON object (keys as in\n"
        "                docs/protocol.md §6), for jq and scripts\n"
        "  --pretty      indent the JSON\n"
        "  --timeout S   how long to wait for the broker's answer (default 3)\n"
        "  --watch S     show it again every S seconds until Ctrl-C\n"
        "\n"
        "Examples:\n"
        "  copydesk status --json | jq '.queues.store.depth'\n"
        "  copydesk status --watch 1\n");
}

//  An integer field of a JSON object as text ("-" when absent)
static const char *
s_int (json_t *object, const char *key, char *buf, size_t size)
{
    json_t *value = json_is_object (object) ? json_object_get (object, key) : NULL;
    if (!json_is_number (value))
        return "-";
    snprintf (buf, size, "%.0f", json_number_value (value));
    return buf;
}

//  A rate field of a JSON object as text with one decimal
static const char *
s_rate (json_t *object, const char *key, char *buf, size_t size)
{
    json_t *value = json_is_object (object) ? json_object_get (object, key) : NULL;
    if (!json_is_number (value))
        return "-";
    snprintf (buf, size, "%.1f", json_number_value (value));
    return buf;
}

//  One row of the queue table
static void
s_print_queue (const char *name, json_t *queue)
{
    char a [24], b [24], c [24], d [24], e [24], f [24], g [24], h [24], i [24], j [24], k [24];
    char bytes [24] = "-";
    json_t *value = json_object_get (queue, "bytes");
    if (json_is_number (value))
        cli_format_bytes (json_number_value (value), bytes, sizeof bytes);
    printf ("%-10s %7s %8s %6s %9s %7s %10s %10s %10s %6s %5s %8s %8s\n", name,
            s_int (queue, "depth", a, sizeof a), s_int (queue, "inflight", b, sizeof b),
            s_int (queue, "held", c, sizeof c), bytes, s_int (queue, "workers", d, sizeof d),
            s_int (queue, "published", e, sizeof e), s_int (queue, "delivered", f, sizeof f),
            s_int (queue, "acked", g, sizeof g), s_int (queue, "redelivered", h, sizeof h),
            s_int (queue, "dead", i, sizeof i), s_rate (queue, "rate_in", j, sizeof j),
            s_rate (queue, "rate_out", k, sizeof k));
}

//  The statistics as tables: counters, queues, workers, journal
static void
s_print_status (config_t *config, json_t *stats)
{
    char uptime [32], buf1 [32], buf2 [32], buf3 [32], buf4 [32], buf5 [32];
    printf ("copydesk %s: broker pid %s, up %s, home %s\n",
            cli_json_string (stats, "version", "?"),
            s_int (stats, "pid", buf1, sizeof buf1),
            cli_format_duration (cli_json_number (stats, "uptime", 0), uptime, sizeof uptime),
            config_home (config));
    printf ("documents %s  accepted %s  stored %s  dead %s (log %s)  %s\n",
            s_int (stats, "documents", buf1, sizeof buf1),
            s_int (stats, "accepted", buf2, sizeof buf2),
            s_int (stats, "stored", buf3, sizeof buf3),
            s_int (stats, "dead", buf4, sizeof buf4),
            s_int (stats, "dead_total", buf5, sizeof buf5),
            cli_json_bool (stats, "idle", false) ? "idle" : "busy");

    printf ("\n%-10s %7s %8s %6s %9s %7s %10s %10s %10s %6s %5s %8s %8s\n",
            "queue", "depth", "inflight", "held", "bytes", "workers", "published",
            "delivered", "acked", "redeliv", "dead", "in/s", "out/s");
    json_t *queues = json_object_get (stats, "queues");
    for (size_t i = 0; i < sizeof s_stages / sizeof s_stages [0]; i++)
        s_print_queue (s_stages [i], json_object_get (queues, s_stages [i]));
    //  Any other queue the broker reports (dead, newer ones)
    const char *name;
    json_t *queue;
    json_object_foreach (queues, name, queue) {
        bool known = false;
        for (size_t i = 0; i < sizeof s_stages / sizeof s_stages [0]; i++)
            known |= streq (name, s_stages [i]);
        if (!known)
            s_print_queue (name, queue);
    }

    json_t *workers = json_object_get (stats, "workers");
    printf ("\nworkers (%zu)\n", json_array_size (workers));
    if (json_array_size (workers)) {
        printf ("  %-10s %-12s %-20s %8s %7s %8s %10s %9s\n",
                "queue", "name", "host", "pid", "credit", "inflight", "acked", "idle");
        //  Grouped by stage, in pipeline order, then the rest
        for (size_t pass = 0; pass <= sizeof s_stages / sizeof s_stages [0]; pass++) {
            size_t index;
            json_t *worker;
            json_array_foreach (workers, index, worker) {
                const char *wq = cli_json_string (worker, "queue", "?");
                bool staged = false;
                for (size_t i = 0; i < sizeof s_stages / sizeof s_stages [0]; i++)
                    staged |= streq (wq, s_stages [i]);
                if (pass < sizeof s_stages / sizeof s_stages [0]
                    ? !streq (wq, s_stages [pass]) : staged)
                    continue;
                char idle [32];
                printf ("  %-10s %-12s %-20s %8s %7s %8s %10s %9s\n", wq,
                        cli_json_string (worker, "name", "?"),
                        cli_json_string (worker, "host", "?"),
                        s_int (worker, "pid", buf1, sizeof buf1),
                        s_int (worker, "credit", buf2, sizeof buf2),
                        s_int (worker, "inflight", buf3, sizeof buf3),
                        s_int (worker, "acked", buf4, sizeof buf4),
                        cli_format_duration (cli_json_number (worker, "idle_ms", 0) / 1000.0,
                                             idle, sizeof idle));
            }
        }
    }
    //  Stages without a worker are worth a warning: their queue will grow
    for (size_t i = 0; i < sizeof s_stages / sizeof s_stages [0]; i++) {
        json_t *q = json_object_get (queues, s_stages [i]);
        if (q && cli_json_number (q, "workers", 1) == 0 && cli_json_number (q, "depth", 0) > 0)
            printf ("  warning: no %s worker, %.0f messages waiting\n", s_stages [i],
                    cli_json_number (q, "depth", 0));
    }

    json_t *journal = json_object_get (stats, "journal");
    if (journal) {
        char bytes [32], p50 [32], max [32];
        cli_format_bytes (cli_json_number (journal, "bytes", 0), bytes, sizeof bytes);
        cli_format_duration (cli_json_number (journal, "sync_us_p50", 0) / 1e6, p50, sizeof p50);
        cli_format_duration (cli_json_number (journal, "sync_us_max", 0) / 1e6, max, sizeof max);
        printf ("\njournal: %s segments, %s, %s syncs (p50 %s, max %s), %s replayed at start\n",
                s_int (journal, "segments", buf1, sizeof buf1), bytes,
                s_int (journal, "syncs", buf2, sizeof buf2), p50, max,
                s_int (journal, "replayed", buf3, sizeof buf3));
    }
}

//  --------------------------------------------------------------------------
//  copydesk status: the broker's statistics as tables or JSON
int
cmd_status (int argc, char **argv, config_t *config)
{
    bool json = false, pretty = false;
    double timeout = 3, watch = 0;
    for (int i = 1; i < argc; i++) {
        const char *value;
        int rc;
        if (cli_is_help (argv [i])) {
            s_status_usage (stdout);
            return 0;
        }
        else
        if (streq (argv [i], "--json"))
            json = true;
        else
        if (streq (argv [i], "--pretty"))
            json = pretty = true;
        else
        if ((rc = cli_opt ("status", argc, argv, &i, "--timeout", &value)) != 0) {
            if (rc < 0 || cli_number ("status", "--timeout", value, 0.1, 3600, &timeout))
                return 2;
        }
        else
        if ((rc = cli_opt ("status", argc, argv, &i, "--watch", &value)) != 0) {
            if (rc < 0 || cli_number ("status", "--watch", value, 0.1, 86400, &watch))
                return 2;
        }
        else {
            fprintf (stderr, "copydesk status: unknown argument '%s' (see --help)\n", argv [i]);
            return 2;
        }
    }
    char err [512];
    do {
        json_t *stats = cli_stats (config, (int) (timeout * 1000), err, sizeof err);
        if (!stats) {
            if (zsys_interrupted)
                return 0;
            fprintf (stderr, "copydesk status: %s\n", err);
            return 1;
        }
        if (watch > 0 && !json && isatty (STDOUT_FILENO))
            printf ("\033[H\033[J");          //  Clear the screen
        if (json)
            cli_print_json (stdout, stats, pretty);
        else
            s_print_status (config, stats);
        fflush (stdout);
        json_decref (stats);
        if (watch > 0)
            for (int64_t until = zclock_mono () + (int64_t) (watch * 1000);
                 zclock_mono () < until && !zsys_interrupted; )
                zclock_sleep (50);
    } while (watch > 0 && !zsys_interrupted);
    return 0;
}

//  --------------------------------------------------------------------------
//  wait

//  Usage of copydesk wait
static void
s_wait_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk wait [--idle] [--stored N] [--timeout S] [--quiet]\n"
        "\n"
        "Waits until the pipeline is idle: the broker reports nothing queued, held\n"
        "or in flight on two polls in a row, so every accepted story is stored or\n"
        "dead. Exits 0 then, 1 on timeout or when the broker is not running.\n"
        "\n"
        "  --idle        wait for idle (the default)\n"
        "  --stored N    also wait until the broker has counted N stored stories\n"
        "  --timeout S   give up after S seconds (default 60)\n"
        "  --quiet       no progress line on stderr\n"
        "\n"
        "Example: copydesk push wires/ && copydesk wait --idle --timeout 600 && copydesk status\n");
}

//  --------------------------------------------------------------------------
//  copydesk wait: poll the statistics until idle twice in a row, or time out
int
cmd_wait (int argc, char **argv, config_t *config)
{
    double timeout = 60, stored_goal = -1;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *value;
        int rc;
        if (cli_is_help (argv [i])) {
            s_wait_usage (stdout);
            return 0;
        }
        else
        if (streq (argv [i], "--idle"))
            ;
        else
        if (streq (argv [i], "--quiet") || streq (argv [i], "-q"))
            quiet = true;
        else
        if ((rc = cli_opt ("wait", argc, argv, &i, "--timeout", &value)) != 0) {
            if (rc < 0 || cli_number ("wait", "--timeout", value, 0, 86400 * 7, &timeout))
                return 2;
        }
        else
        if ((rc = cli_opt ("wait", argc, argv, &i, "--stored", &value)) != 0) {
            if (rc < 0 || cli_number ("wait", "--stored", value, 0, 1e15, &stored_goal))
                return 2;
        }
        else {
            fprintf (stderr, "copydesk wait: unknown argument '%s' (see --help)\n", argv [i]);
            return 2;
        }
    }
    if (!cli_broker_running (config)) {
        fprintf (stderr, "copydesk wait: the broker is not running (home %s); start it with `copydesk up`\n",
                 config_home (config));
        return 1;
    }
    bool show = !quiet && isatty (STDERR_FILENO);
    int64_t started = zclock_mono ();
    int64_t deadline = started + (int64_t) (timeout * 1000);
    int idle_polls = 0;
    char err [512] = "";
    double stored = 0;
    bool answered = false;
    while (true) {
        int64_t now = zclock_mono ();
        int64_t left = deadline - now;
        json_t *stats = cli_stats (config, left > 2000 ? 2000 : (left > 200 ? (int) left : 200),
                                   err, sizeof err);
        if (stats) {
            answered = true;
            stored = cli_json_number (stats, "stored", 0);
            bool idle = cli_json_bool (stats, "idle", false)
                     && (stored_goal < 0 || stored >= stored_goal);
            idle_polls = idle ? idle_polls + 1 : 0;
            if (show) {
                double depth = 0, inflight = 0, held = 0;
                json_t *queues = json_object_get (stats, "queues");
                const char *name;
                json_t *queue;
                json_object_foreach (queues, name, queue) {
                    depth += cli_json_number (queue, "depth", 0);
                    inflight += cli_json_number (queue, "inflight", 0);
                    held += cli_json_number (queue, "held", 0);
                }
                fprintf (stderr, "\rwaiting: stored %.0f, dead %.0f, queued %.0f, in flight %.0f, held %.0f\033[K",
                         stored, cli_json_number (stats, "dead", 0), depth, inflight, held);
                fflush (stderr);
            }
            json_decref (stats);
            if (idle_polls >= 2) {
                if (show)
                    fputs ("\r\033[K", stderr);
                return 0;
            }
        }
        else
        if (zsys_interrupted)
            break;
        if (zclock_mono () >= deadline)
            break;
        //  Poll again in 200 ms, or at once after a failed request
        int64_t pause = stats ? 200 : 100;
        if (zclock_mono () + pause > deadline)
            pause = deadline - zclock_mono ();
        if (pause > 0)
            zclock_sleep ((int) pause);
        if (zsys_interrupted)
            break;
    }
    if (show)
        fputs ("\r\033[K", stderr);
    if (zsys_interrupted)
        fprintf (stderr, "copydesk wait: interrupted\n");
    else
    if (!answered)
        fprintf (stderr, "copydesk wait: %s\n", err);
    else
    if (stored_goal >= 0 && stored < stored_goal)
        fprintf (stderr, "copydesk wait: timed out after %.0f s with %.0f of %.0f stories stored\n",
                 timeout, stored, stored_goal);
    else
        fprintf (stderr, "copydesk wait: timed out after %.0f s; the pipeline is still busy "
                 "(see copydesk status)\n", timeout);
    return 1;
}
