//  SPDX-License-Identifier: MIT
//  dead - list the dead letters: what the pipeline gave up on, and why
//
//  Reads <home>/dead/dead.log with the broker's reader
//  (services/broker/deadlog.h). The log is append-only and never trimmed,
//  so the most recent records are the interesting ones: by default the
//  last 50 are shown, oldest first.

#include "common.h"
#include "broker/deadlog.h"
#include "cli/commands.h"
#include "cli/cli.h"
#include <openssl/evp.h>

//  Usage of the command
static void
s_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk dead [--json] [--limit N] [--stage S] [--raw]\n"
        "\n"
        "Lists dead letters, the messages the pipeline gave up on: documents that\n"
        "did not parse, stories that crashed their worker max_attempts times,\n"
        "files push could not send. Each shows when, the stage, the reason, where\n"
        "it came from, its size and sha256, and its first bytes.\n"
        "\n"
        "  --json        one JSON object per line (raw bytes as base64 up to 4 kB)\n"
        "  --limit N     the last N records (default 50, 0 = all)\n"
        "  --stage S     only those of stage S (ingest, normalize, classify, store, push)\n"
        "  --raw         with --json, the whole raw bytes as base64\n"
        "\n"
        "Example: copydesk dead --stage ingest --limit 5\n");
}

//  A short, printable preview of raw bytes: text as text, binary as hex
static void
s_preview (const uint8_t *raw, size_t size, char *out, size_t out_size)
{
    size_t look = size < 160 ? size : 160;
    size_t controls = 0;
    for (size_t i = 0; i < look; i++)
        if ((raw [i] < 0x20 && raw [i] != '\n' && raw [i] != '\r' && raw [i] != '\t') || raw [i] == 0x7F)
            controls++;
    //  Allow a UTF-8 sequence cut at the end of the window
    size_t check = look;
    while (check > 0 && look - check < 4 && (raw [check - 1] & 0x80))
        check--;
    if (controls * 20 > look || !charset_utf8_valid (raw, check)) {
        size_t pos = (size_t) snprintf (out, out_size, "(binary)");
        for (size_t i = 0; i < size && i < 32 && pos + 4 < out_size; i++)
            pos += (size_t) snprintf (out + pos, out_size - pos, " %02x", raw [i]);
        if (size > 32 && pos + 4 < out_size)
            snprintf (out + pos, out_size - pos, " ...");
        return;
    }
    size_t pos = 0;
    for (size_t i = 0; i < size && pos + 5 < out_size && i < 160; i++) {
        uint8_t c = raw [i];
        if (c == '\n' || c == '\r' || c == '\t')
            out [pos++] = ' ';
        else
        if (c >= 0x20 && c < 0x7F)
            out [pos++] = (char) c;
        else
        if (c >= 0x80)
            out [pos++] = (char) c;     //  UTF-8 text stays readable
        else
            out [pos++] = '.';
    }
    out [pos] = 0;
    //  Do not cut a UTF-8 sequence in the middle
    char *fixed = text_utf8_repair (out, pos, NULL);
    snprintf (out, out_size, "%s%s", fixed, size > 160 ? "..." : "");
    free (fixed);
}

//  A dead letter as a JSON object
static json_t *
s_to_json (const deadletter_t *dl, bool raw_all)
{
    json_t *json = json_object ();
    json_object_set_new (json, "time", json_string (dl->time ? dl->time : ""));
    json_object_set_new (json, "stage", json_string (dl->stage ? dl->stage : ""));
    char *reason = text_utf8_repair (dl->reason ? dl->reason : "", strlen (dl->reason ? dl->reason : ""), NULL);
    json_object_set_new (json, "reason", json_string (reason));
    free (reason);
    if (dl->origin) {
        char *origin = text_utf8_repair (dl->origin, strlen (dl->origin), NULL);
        json_object_set_new (json, "origin", json_string (origin));
        free (origin);
    }
    json_object_set_new (json, "seq", json_integer ((json_int_t) dl->seq));
    json_object_set_new (json, "attempts", json_integer ((json_int_t) dl->attempts));
    json_object_set_new (json, "size", json_integer ((json_int_t) dl->size));
    if (dl->sha256)
        json_object_set_new (json, "sha256", json_string (dl->sha256));
    json_object_set_new (json, "truncated", json_boolean (dl->raw_size < dl->size));
    json_t *raw = json_object ();
    json_object_set_new (raw, "size", json_integer ((json_int_t) dl->raw_size));
    size_t encode = raw_all ? dl->raw_size : (dl->raw_size < 4096 ? dl->raw_size : 4096);
    if (encode) {
        unsigned char *b64 = (unsigned char *) xmalloc (4 * ((encode + 2) / 3) + 1);
        int len = EVP_EncodeBlock (b64, dl->raw, (int) encode);
        json_object_set_new (raw, "base64", json_stringn ((char *) b64, len > 0 ? (size_t) len : 0));
        if (encode < dl->raw_size)
            json_object_set_new (raw, "base64_bytes", json_integer ((json_int_t) encode));
        free (b64);
    }
    json_object_set_new (json, "raw", raw);
    return json;
}

//  A dead letter as a few readable lines
static void
s_print (const deadletter_t *dl)
{
    char size [32], preview [768];
    printf ("%s  %-9s seq=%" PRIu64 " attempts=%u size=%s%s\n",
            dl->time ? dl->time : "?", dl->stage ? dl->stage : "?", dl->seq, dl->attempts,
            cli_format_bytes ((double) dl->size, size, sizeof size),
            dl->raw_size < dl->size ? " (truncated)" : "");
    printf ("    reason: %s\n", dl->reason ? dl->reason : "?");
    if (dl->origin)
        printf ("    origin: %s\n", dl->origin);
    if (dl->sha256)
        printf ("    sha256: %s\n", dl->sha256);
    if (dl->raw_size) {
        s_preview (dl->raw, dl->raw_size, preview, sizeof preview);
        printf ("    raw:    %s\n", preview);
    }
}

//  --------------------------------------------------------------------------
//  copydesk dead: print the last dead letters of the log, oldest first
int
cmd_dead (int argc, char **argv, config_t *config)
{
    bool json = false, raw_all = false;
    double limit = 50;
    const char *stage = NULL;
    for (int i = 1; i < argc; i++) {
        const char *value;
        int rc = 0;
        if (cli_is_help (argv [i])) {
            s_usage (stdout);
            return 0;
        }
        else
        if (streq (argv [i], "--json"))
            json = true;
        else
        if (streq (argv [i], "--raw"))
            raw_all = true;
        else
        if ((rc = cli_opt ("dead", argc, argv, &i, "--limit", &value)) != 0) {
            if (rc > 0 && cli_number ("dead", "--limit", value, 0, 1e12, &limit))
                rc = -1;
        }
        else
        if ((rc = cli_opt ("dead", argc, argv, &i, "--stage", &value)) != 0)
            stage = value;
        else {
            fprintf (stderr, "copydesk dead: unknown argument '%s' (see --help)\n", argv [i]);
            rc = -1;
        }
        if (rc < 0)
            return 2;
    }
    char *path = config_path (config, "dead/dead.log");
    deadlog_reader_t *reader = deadlog_open (path);
    if (!reader) {
        int err = errno;
        if (err == ENOENT) {
            if (!json)
                printf ("no dead letters in %s\n", config_home (config));
            free (path);
            return 0;
        }
        fprintf (stderr, "copydesk dead: cannot read %s: %s\n", path, strerror (err));
        free (path);
        return 1;
    }
    //  Keep the last `limit` matching records in a ring
    size_t keep = (size_t) limit;
    VEC (deadletter_t *) ring = { NULL, 0, 0 };
    size_t next = 0;
    uint64_t matched = 0;
    deadletter_t *dl;
    while ((dl = deadlog_next (reader))) {
        if (stage && !streq (dl->stage ? dl->stage : "", stage)) {
            deadletter_destroy (&dl);
            continue;
        }
        matched++;
        if (keep == 0 || ring.len < keep) {
            deadletter_t **slot = vec_push (&ring);
            *slot = dl;
        }
        else {
            deadletter_destroy (&ring.items [next]);
            ring.items [next] = dl;
            next = (next + 1) % keep;
        }
    }
    const char *problem = deadlog_error (reader);
    size_t skipped = deadlog_skipped (reader);
    deadlog_close (&reader);

    for (size_t i = 0; i < ring.len; i++) {
        size_t index = ring.len < keep || keep == 0 ? i : (next + i) % keep;
        deadletter_t *item = ring.items [index];
        if (json) {
            json_t *object = s_to_json (item, raw_all);
            cli_print_json (stdout, object, false);
            json_decref (object);
        }
        else {
            if (i)
                printf ("\n");
            s_print (item);
        }
    }
    for (size_t i = 0; i < ring.len; i++)
        deadletter_destroy (&ring.items [i]);
    free (ring.items);
    if (!json) {
        if (matched == 0)
            printf ("no dead letters%s%s in %s\n", stage ? " of stage " : "", stage ? stage : "", path);
        else
        if (matched > ring.len)
            printf ("\n(the last %zu of %" PRIu64 " dead letters; --limit 0 shows all)\n",
                    ring.len, matched);
    }
    if (skipped)
        fprintf (stderr, "copydesk dead: %zu records in %s did not decode and were skipped\n",
                 skipped, path);
    if (problem)
        fprintf (stderr, "copydesk dead: %s: reading stopped early: %s\n", path, problem);
    free (path);
    return problem ? 1 : 0;
}
