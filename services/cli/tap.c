//  SPDX-License-Identifier: MIT
//  tap - watch the stream live
//
//  A SUB socket on the broker's tap (docs/protocol.md §7): every accepted
//  publish is mirrored there as [topic][payload] for each of its topics,
//  plus the store's stored.<source> events, dead letters and $stats once a
//  second. Subscriptions match by prefix. One line per event, or JSON lines
//  {"topic", "time", "payload"} for jq.

#include "common.h"
#include "cli/commands.h"
#include "cli/cli.h"

//  Usage of the command
static void
s_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk tap [PREFIX...] [--json] [--count N] [--timeout S]\n"
        "\n"
        "Prints the events of the running pipeline as they happen, one per line.\n"
        "Topics: pushed.<source>, ingested.<source>, normalized.<source>,\n"
        "classified.<subject>, stored.<source>, dead.<stage> and $stats (broker\n"
        "statistics, once a second). A PREFIX selects topics that start with it;\n"
        "without one, every topic but $stats is shown.\n"
        "\n"
        "  --json        JSON lines {\"topic\", \"time\", \"payload\"}; stories as ninjs\n"
        "  --count N     stop after N events (exit 1 if --timeout comes first)\n"
        "  --timeout S   stop after S seconds\n"
        "  --verbose     say on stderr when the tap is connected (first $stats seen)\n"
        "\n"
        "Examples:\n"
        "  copydesk tap classified.earn normalized\n"
        "  copydesk tap stored --json --count 10 | jq -r .payload.headline\n");
}

//  Copy a field of a JSON object, shortened to max characters, into out
static const char *
s_field (json_t *object, const char *key, char *out, size_t size, size_t max)
{
    const char *value = cli_json_string (object, key, NULL);
    if (!value)
        return "";
    size_t len = strlen (value);
    if (len > max) {
        //  Cut on a UTF-8 boundary
        while (max > 0 && ((unsigned char) value [max] & 0xC0) == 0x80)
            max--;
        snprintf (out, size, "%.*s...", (int) max, value);
    }
    else
        snprintf (out, size, "%s", value);
    return out;
}

//  One human-readable line for an event
static void
s_print_line (const char *topic, json_t *payload, size_t size)
{
    char now [40], a [512], b [512], c [256];
    time_now_rfc3339 (now, sizeof now);
    printf ("%s %-28s ", now + 11, topic);
    if (str_starts (topic, "ingested.") || str_starts (topic, "normalized.")
    ||  str_starts (topic, "classified.")) {
        const char *headline = "";
        json_t *headlines = json_object_get (payload, "headlines");
        if (json_array_size (headlines))
            headline = s_field (json_array_get (headlines, 0), "value", a, sizeof a, 90);
        printf ("%s | %s\n", s_field (payload, "uri", b, sizeof b, 80), headline);
    }
    else
    if (str_starts (topic, "stored.")) {
        bool inserted = cli_json_bool (payload, "inserted", true);
        printf ("%s v%s rowid=%.0f%s | %s\n", s_field (payload, "uri", a, sizeof a, 80),
                s_field (payload, "version", c, sizeof c, 20),
                cli_json_number (payload, "rowid", 0), inserted ? "" : " (replaced)",
                s_field (payload, "headline", b, sizeof b, 90));
    }
    else
    if (str_starts (topic, "dead.")) {
        printf ("%s: %s (%s, %.0f bytes)\n", s_field (payload, "stage", c, sizeof c, 40),
                s_field (payload, "reason", a, sizeof a, 200),
                s_field (payload, "origin", b, sizeof b, 120),
                cli_json_number (payload, "size", 0));
    }
    else
    if (str_starts (topic, "pushed.")) {
        json_t *data = json_object_get (payload, "data");
        printf ("%s (%.0f bytes%s%s)\n", s_field (payload, "origin", a, sizeof a, 160),
                cli_json_number (data, "size", 0),
                cli_json_string (payload, "format", NULL) ? ", " : "",
                cli_json_string (payload, "format", ""));
    }
    else
    if (streq (topic, "$stats")) {
        printf ("documents=%.0f accepted=%.0f stored=%.0f dead=%.0f %s\n",
                cli_json_number (payload, "documents", 0), cli_json_number (payload, "accepted", 0),
                cli_json_number (payload, "stored", 0), cli_json_number (payload, "dead", 0),
                cli_json_bool (payload, "idle", false) ? "idle" : "busy");
    }
    else
        printf ("%zu bytes\n", size);
}

//  --------------------------------------------------------------------------
//  copydesk tap: subscribe to the tap and print each event (line or JSON)
int
cmd_tap (int argc, char **argv, config_t *config)
{
    bool json = false, verbose = false;
    double count = 0, timeout = 0;
    strv_t prefixes = { NULL, 0, 0 };
    for (int i = 1; i < argc; i++) {
        const char *value;
        int rc = 0;
        if (cli_is_help (argv [i])) {
            s_usage (stdout);
            strv_free (&prefixes);
            return 0;
        }
        else
        if (streq (argv [i], "--json"))
            json = true;
        else
        if (streq (argv [i], "--verbose") || streq (argv [i], "-v"))
            verbose = true;
        else
        if ((rc = cli_opt ("tap", argc, argv, &i, "--count", &value)) != 0) {
            if (rc > 0 && cli_number ("tap", "--count", value, 1, 1e15, &count))
                rc = -1;
        }
        else
        if ((rc = cli_opt ("tap", argc, argv, &i, "--timeout", &value)) != 0) {
            if (rc > 0 && cli_number ("tap", "--timeout", value, 0.01, 86400 * 365, &timeout))
                rc = -1;
        }
        else
        if (argv [i][0] == '-' && argv [i][1] == '-') {
            fprintf (stderr, "copydesk tap: unknown option '%s' (see --help)\n", argv [i]);
            rc = -1;
        }
        else
            strv_push (&prefixes, argv [i]);
        if (rc < 0) {
            strv_free (&prefixes);
            return 2;
        }
    }
    if (!cli_broker_running (config))
        fprintf (stderr, "copydesk tap: the broker is not running (home %s); waiting for it\n",
                 config_home (config));

    zsock_t *tap = zsock_new (ZMQ_SUB);
    assert (tap);
    zsock_set_rcvhwm (tap, 100000);
    zsock_set_linger (tap, 0);
    if (prefixes.len == 0)
        zsock_set_subscribe (tap, "");
    for (size_t i = 0; i < prefixes.len; i++)
        zsock_set_subscribe (tap, prefixes.items [i]);
    //  $stats (once a second) tells us the tap is live, shown or not
    zsock_set_subscribe (tap, "$stats");
    bool connected = false;
    if (zsock_connect (tap, "%s", config_tap (config)) != 0) {
        fprintf (stderr, "copydesk tap: invalid tap endpoint %s\n", config_tap (config));
        zsock_destroy (&tap);
        strv_free (&prefixes);
        return 1;
    }
    void *socket = zsock_resolve (tap);
    int64_t deadline = timeout > 0 ? zclock_mono () + (int64_t) (timeout * 1000) : 0;
    uint64_t events = 0;
    int rc = 0;
    while (!zsys_interrupted) {
        long wait = 500;
        if (deadline) {
            int64_t left = deadline - zclock_mono ();
            if (left <= 0)
                break;
            if (left < wait)
                wait = (long) left;
        }
        zmq_pollitem_t item = { socket, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, wait) <= 0 || !(item.revents & ZMQ_POLLIN))
            continue;
        zmsg_t *msg = zmsg_recv (tap);
        if (!msg)
            continue;
        zframe_t *topic_frame = zmsg_first (msg);
        zframe_t *payload = zmsg_next (msg);
        if (!topic_frame || !payload) {
            zmsg_destroy (&msg);
            continue;
        }
        char *topic = xstrndup ((const char *) zframe_data (topic_frame), zframe_size (topic_frame));
        for (char *p = topic; *p; p++)
            if ((unsigned char) *p < 0x20)
                *p = '?';
        if (streq (topic, "$stats") && !connected) {
            connected = true;
            if (verbose || isatty (STDERR_FILENO))
                fprintf (stderr, "copydesk tap: connected to %s\n", config_tap (config));
        }
        //  Show what the user asked for: their prefixes, or all but $...
        bool wanted = false;
        if (prefixes.len == 0)
            wanted = topic [0] != '$';
        for (size_t i = 0; i < prefixes.len && !wanted; i++)
            wanted = str_starts (topic, prefixes.items [i]);
        if (!wanted) {
            free (topic);
            zmsg_destroy (&msg);
            continue;
        }
        json_t *body = cli_json_payload (topic, zframe_data (payload), zframe_size (payload));
        if (json) {
            char now [40];
            json_t *line = json_object ();
            json_t *name = json_string (topic);
            json_object_set_new (line, "topic", name ? name : json_string ("?"));
            json_object_set_new (line, "time", json_string (time_now_rfc3339 (now, sizeof now)));
            json_object_set (line, "payload", body);
            cli_print_json (stdout, line, false);
            json_decref (line);
        }
        else
            s_print_line (topic, body, zframe_size (payload));
        fflush (stdout);
        json_decref (body);
        free (topic);
        zmsg_destroy (&msg);
        events++;
        if (count > 0 && events >= (uint64_t) count)
            break;
    }
    if (count > 0 && events < (uint64_t) count && !zsys_interrupted) {
        fprintf (stderr, "copydesk tap: timed out after %.1f s with %" PRIu64 " of %.0f events\n",
                 timeout, events, count);
        rc = 1;
    }
    zsock_destroy (&tap);
    strv_free (&prefixes);
    return rc;
}
