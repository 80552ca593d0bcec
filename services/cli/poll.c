//  SPDX-License-Identifier: MIT
//  poll - `copydesk poll URL`: an HTTP(S) feed as a source
//
//  Runs one feed through the feeder's poller (services/feeder/poller.h):
//  conditional GET, timeouts, size cap, back-off, state kept across runs in
//  <home>/feeds.db, items already pushed skipped. New items go to the
//  broker as stories (normalize queue, tap topic "ingested.<source>") and
//  are recorded only once accepted. With --once it polls now, waits until
//  every new item is accepted and exits 0 (1 if the poll failed).

#include "common.h"
#include "cli/commands.h"
#include "cli/cli.h"
#include "feeder/feeder.h"
#include "ingest/ingest.h"
#include "ingest/feeditem.h"

static void
s_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk poll URL [--every S] [--source NAME] [--format F] [--once] [--verbose]\n"
        "Poll an RSS/RDF/Atom feed over HTTP(S) and push the items not pushed before.\n\n"
        "  --every S       seconds between polls (default feeds/every, 300); units\n"
        "                  ms, s, m, h are accepted (--every 5m)\n"
        "  --source NAME   provider name stored with each story (default: the host)\n"
        "  --format F      parse as F (rss, atom...) instead of detecting it\n"
        "  --once          poll once now, wait until the new items are accepted, exit\n"
        "  --forget        forget what is known of this feed first (validators and the\n"
        "                  items it pushed), so everything in it is pushed again\n"
        "  --verbose       log every item\n\n"
        "State (ETag, Last-Modified, errors, next due time, items pushed) is kept in\n"
        "<home>/feeds.db, so a restart neither re-pushes items nor hammers the feed.\n\n"
        "Examples:\n"
        "  copydesk poll https://www.theguardian.com/world/rss --once\n"
        "  copydesk poll https://feeds.example.com/wire.atom --every 60 --source example\n");
}

int
cmd_poll (int argc, char **argv, config_t *config)
{
    const char *url = NULL, *source = NULL, *format = NULL;
    int64_t every = 0;
    bool once = false, verbose = false, forget = false;
    for (int i = 1; i < argc; i++) {
        const char *value;
        int rc = 0;
        if (cli_is_help (argv [i])) {
            s_usage (stdout);
            return 0;
        }
        if (argv [i][0] != '-') {
            if (url) {
                fprintf (stderr, "copydesk poll: one URL at a time ('%s' and '%s'); declare several"
                                 " feeds in copydesk.cfg for the feeder\n", url, argv [i]);
                return 2;
            }
            url = argv [i];
        }
        else
        if (streq (argv [i], "--once"))
            once = true;
        else
        if (streq (argv [i], "--forget"))
            forget = true;
        else
        if (streq (argv [i], "--verbose") || streq (argv [i], "-v"))
            verbose = true;
        else
        if ((rc = cli_opt ("poll", argc, argv, &i, "--source", &value)) != 0)
            source = value;
        else
        if ((rc = cli_opt ("poll", argc, argv, &i, "--format", &value)) != 0)
            format = value;
        else
        if ((rc = cli_opt ("poll", argc, argv, &i, "--every", &value)) != 0) {
            if (rc > 0 && (feeder_parse_ms (value, 1000, &every) != 0 || every < 1000)) {
                fprintf (stderr, "copydesk poll: --every wants seconds (at least 1), not '%s'\n", value);
                rc = -1;
            }
        }
        else {
            fprintf (stderr, "copydesk poll: unknown option '%s' (see --help)\n", argv [i]);
            rc = -1;
        }
        if (rc < 0)
            return 2;
    }
    if (!url) {
        fprintf (stderr, "copydesk poll: which feed? give its URL (see --help)\n");
        return 2;
    }
    if (!(strncasecmp (url, "http://", 7) == 0 || strncasecmp (url, "https://", 8) == 0)) {
        fprintf (stderr, "copydesk poll: '%s' is not an http:// or https:// URL\n", url);
        return 2;
    }
    if (format && !ingest_parser (format)) {
        fprintf (stderr, "copydesk poll: unknown format '%s' (see copydesk parse --help)\n", format);
        return 2;
    }
    if (source && str_empty (source)) {
        fprintf (stderr, "copydesk poll: --source must not be empty\n");
        return 2;
    }
    //  Default source: the feed's host
    char *host = NULL;
    if (!source) {
        host = feeditem_host (url);
        source = host ? host : "feed";
    }
    feeder_t *feeder = feeder_new (config, verbose);
    if (!feeder) {
        free (host);
        return 1;
    }
    if (forget) {
        int forgotten = feedstate_forget (feeder_state (feeder), url);
        if (forgotten < 0) {
            fprintf (stderr, "copydesk poll: cannot forget %s in feeds.db\n", url);
            feeder_destroy (&feeder);
            free (host);
            return 1;
        }
        fprintf (stderr, "copydesk poll: forgot %s and the %d item%s it pushed\n", url, forgotten,
                 forgotten == 1 ? "" : "s");
    }
    int rc = feeder_add_feed (feeder, url, url, source, format, every);
    if (rc == 0) {
        rc = feeder_run (feeder, once, 0);
        if (!once && zsys_interrupted)
            rc = 0;             //  Ctrl-C is how a watch ends
    }
    poller_t *poller = feeder_feed (feeder, 0);
    if (once && poller) {
        const poller_stats_t *stats = poller_stats (poller);
        if (poller_ok (poller))
            printf ("%s: %s, %" PRIu64 " item%s, %" PRIu64 " new pushed, %" PRIu64 " already pushed\n",
                    url, stats->not_modified ? "not modified" : "fetched", stats->items,
                    stats->items == 1 ? "" : "s", stats->pushed, stats->duplicates);
        else {
            fprintf (stderr, "copydesk poll: %s: %s\n", url, poller_error (poller));
            if (!publisher_alive (feeder_publisher (feeder)) && stats->items > stats->duplicates) {
                char message [512];
                cli_unreachable (config, message, sizeof message);
                fprintf (stderr, "%s\n", message);
            }
        }
    }
    feeder_destroy (&feeder);
    free (host);
    return rc == 0 ? 0 : 1;
}
