//  SPDX-License-Identifier: MIT
//  watch - `copydesk watch DIR`: a spool folder as a source
//
//  Runs one folder through the feeder's spool (services/feeder/spool.h):
//  files are taken once they stop growing, published as documents to the
//  broker's ingest queue and moved to DIR/done/ once accepted; files that
//  cannot be documents go to DIR/error/ with a .reason file. With --once
//  it handles what is in the folder now and exits.

#include "common.h"
#include "cli/commands.h"
#include "cli/cli.h"
#include "feeder/feeder.h"
#include "ingest/ingest.h"

static void
s_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk watch DIR [--source NAME] [--format F] [--once] [--stable-ms N] [--verbose]\n"
        "Watch a spool folder: push each file once it has stopped growing.\n\n"
        "  --source NAME   provider name stored with each story (default: the folder's name)\n"
        "  --format F      parse as F (nitf, anpa1312...) instead of detecting it\n"
        "  --once          handle the files in DIR now, then exit\n"
        "  --stable-ms N   a file is taken once its size and mtime have not changed\n"
        "                  for N ms (default spools/stable_ms, 2000)\n"
        "  --verbose       log every file\n\n"
        "Accepted files move to DIR/done/, rejected ones (unreadable, too large, not a\n"
        "news document) to DIR/error/ with NAME.reason beside them. Hidden and partial\n"
        "files (.name, name.part, name~, name.tmp) are left alone: write to name.part\n"
        "and rename when complete. A file moves only after the broker accepted it, so\n"
        "after a crash the files still in DIR are simply sent again.\n\n"
        "Examples:\n"
        "  copydesk watch /var/spool/wires/reuters --source reuters\n"
        "  copydesk watch ./incoming --once --stable-ms 500\n");
}

int
cmd_watch (int argc, char **argv, config_t *config)
{
    const char *dir = NULL, *source = NULL, *format = NULL;
    int64_t stable = -1;
    bool once = false, verbose = false;
    for (int i = 1; i < argc; i++) {
        const char *value;
        int rc = 0;
        if (cli_is_help (argv [i])) {
            s_usage (stdout);
            return 0;
        }
        if (argv [i][0] != '-') {
            if (dir) {
                fprintf (stderr, "copydesk watch: one folder at a time ('%s' and '%s'); declare"
                                 " several spools in copydesk.cfg for the feeder\n", dir, argv [i]);
                return 2;
            }
            dir = argv [i];
        }
        else
        if (streq (argv [i], "--once"))
            once = true;
        else
        if (streq (argv [i], "--verbose") || streq (argv [i], "-v"))
            verbose = true;
        else
        if ((rc = cli_opt ("watch", argc, argv, &i, "--source", &value)) != 0)
            source = value;
        else
        if ((rc = cli_opt ("watch", argc, argv, &i, "--format", &value)) != 0)
            format = value;
        else
        if ((rc = cli_opt ("watch", argc, argv, &i, "--stable-ms", &value)) != 0) {
            double number;
            if (rc > 0 && cli_number ("watch", "--stable-ms", value, 0, 86400000, &number) == 0)
                stable = (int64_t) number;
            else
                rc = -1;
        }
        else {
            fprintf (stderr, "copydesk watch: unknown option '%s' (see --help)\n", argv [i]);
            rc = -1;
        }
        if (rc < 0)
            return 2;
    }
    if (!dir) {
        fprintf (stderr, "copydesk watch: which folder? (see --help)\n");
        return 2;
    }
    struct stat st;
    if (stat (dir, &st) != 0) {
        fprintf (stderr, "copydesk watch: %s: %s\n", dir, strerror (errno));
        return 1;
    }
    if (!S_ISDIR (st.st_mode)) {
        fprintf (stderr, "copydesk watch: %s is not a folder\n", dir);
        return 1;
    }
    if (format && !ingest_parser (format)) {
        fprintf (stderr, "copydesk watch: unknown format '%s' (see copydesk parse --help)\n", format);
        return 2;
    }
    if (source && str_empty (source)) {
        fprintf (stderr, "copydesk watch: --source must not be empty\n");
        return 2;
    }
    char *absolute = realpath (dir, NULL);
    if (!absolute) {
        fprintf (stderr, "copydesk watch: %s: %s\n", dir, strerror (errno));
        return 1;
    }
    char *name = NULL;
    if (!source) {
        const char *slash = strrchr (absolute, '/');
        name = xstrdup (slash && slash [1] ? slash + 1 : "local");
        source = name;
    }
    feeder_t *feeder = feeder_new (config, verbose);
    if (!feeder) {
        free (absolute);
        free (name);
        return 1;
    }
    int rc = feeder_add_spool (feeder, absolute, absolute, source, format, stable);
    if (rc == 0) {
        if (!once)
            fprintf (stderr, "copydesk watch: watching %s (source %s); Ctrl-C to stop\n", absolute, source);
        //  --once: wait for slow writers, but not forever
        int64_t limit = stable > 0 ? stable * 10 : 20000;
        rc = feeder_run (feeder, once, once ? (limit > 30000 ? limit : 30000) : 0);
        if (!once && zsys_interrupted)
            rc = 0;             //  Ctrl-C is how a watch ends
    }
    spool_t *spool = feeder_spool (feeder, 0);
    if (spool) {
        const spool_stats_t *stats = spool_stats (spool);
        if (once || verbose)
            printf ("%s: %" PRIu64 " file%s published, %" PRIu64 " accepted (done/), %" PRIu64
                    " rejected (error/)\n", absolute, stats->published, stats->published == 1 ? "" : "s",
                    stats->done, stats->errors);
        if (once && rc != 0 && !publisher_alive (feeder_publisher (feeder))) {
            char message [512];
            cli_unreachable (config, message, sizeof message);
            fprintf (stderr, "%s\n", message);
        }
    }
    feeder_destroy (&feeder);
    free (absolute);
    free (name);
    return rc == 0 ? 0 : 1;
}
