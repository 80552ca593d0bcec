//  SPDX-License-Identifier: MIT
//  search - `copydesk search` (full-text search of the store) and
//  `copydesk show` (one stored story as ninjs JSON)
//
//  Both read the store's database directly (read-only, WAL lets them run
//  beside a writing copydesk-store); neither needs the broker.

#include "common.h"
#include "cli/commands.h"
#include "cli/cli.h"
#include "store/store.h"
#include "ninjs.h"
#include <sys/ioctl.h>
#include <utf8proc.h>

//  --------------------------------------------------------------------------
//  Options (cli_opt parses "--name VALUE" and "--name=VALUE")

//  A whole number in [min, max], or -1 after a message
static int
s_number (const char *cmd, const char *name, const char *text, long min, long max, int *out)
{
    char *end = NULL;
    errno = 0;
    long value = strtol (text, &end, 10);
    if (errno || end == text || *end || value < min || value > max) {
        fprintf (stderr, "copydesk %s: %s takes a number from %ld to %ld, not '%s'\n",
                 cmd, name, min, max, text);
        return -1;
    }
    *out = (int) value;
    return 0;
}

//  Open the store for reading, or say why not (nothing stored yet...)
static store_t *
s_open (const char *cmd, config_t *config)
{
    char *path = store_path (config);
    if (access (path, F_OK) != 0) {
        fprintf (stderr, "copydesk %s: nothing stored yet in %s; push stories first\n",
                 cmd, config_home (config));
        free (path);
        return NULL;
    }
    store_options_t options;
    store_options_init (&options, config);
    options.readonly = true;
    char err [1024] = "";
    store_t *store = store_new (path, &options, err, sizeof err);
    if (!store)
        fprintf (stderr, "copydesk %s: cannot read the store: %s\n", cmd, err);
    free (path);
    return store;
}

//  --since: an RFC 3339 time or date (or a prefix of one, "2024-05"), or
//  a span back from now: 30m, 12h, 7d, 2w. Returns a new string or NULL.
static char *
s_since (const char *text)
{
    char *end = NULL;
    double amount = strtod (text, &end);
    if (end != text && amount >= 0 && end [0] && !end [1] && strchr ("smhdw", end [0])) {
        double unit = end [0] == 's' ? 1 : end [0] == 'm' ? 60 : end [0] == 'h' ? 3600
                    : end [0] == 'd' ? 86400 : 7 * 86400;
        char buf [40];
        time_format_rfc3339 ((int64_t) time (NULL) - (int64_t) (amount * unit), buf, sizeof buf);
        return xstrdup (buf);
    }
    //  yyyy[-mm[-dd[Thh[:mm[:ss...]]]]]
    static const char *shape = "0000-00-00T00:00:00";
    size_t len = strlen (text);
    if (len < 4)
        return NULL;
    for (size_t i = 0; i < len && i < strlen (shape); i++) {
        char expect = shape [i];
        bool ok = expect == '0' ? isdigit ((unsigned char) text [i])
                : expect == 'T' ? text [i] == 'T' || text [i] == ' ' || text [i] == 't'
                : text [i] == expect;
        if (!ok)
            return NULL;
    }
    char *since = xstrdup (text);
    if (len > 10)
        since [10] = 'T';
    return since;
}

//  --------------------------------------------------------------------------
//  Table output

//  Display width of a UTF-8 string
static int
s_width (const char *s)
{
    int width = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *) s;
    utf8proc_ssize_t left = (utf8proc_ssize_t) strlen (s);
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate (p, left, &cp);
        if (n <= 0) {
            n = 1;
            cp = '?';
        }
        int w = utf8proc_charwidth (cp);
        width += w > 0 ? w : 0;
        p += n;
        left -= n;
    }
    return width;
}

//  Print s in a column of width cells: cut with "…" when longer, padded
//  with spaces when pad. width < 0: as is. The highlight marks take no
//  room (a cut text ends with a style reset); control characters of the
//  text print as '?'.
static void
s_cell (FILE *out, const char *s, int width, bool pad)
{
    if (!s)
        s = "";
    if (width < 0) {
        fputs (s, out);
        return;
    }
    int used = 0;
    bool styled = false;
    bool cut = s_width (s) > width;
    int room = cut ? width - 1 : width;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *) s;
    utf8proc_ssize_t left = (utf8proc_ssize_t) strlen (s);
    while (left > 0) {
        if (left >= 4 && (memcmp (p, "\x1b[1m", 4) == 0 || memcmp (p, "\x1b[0m", 4) == 0)) {
            //  Our highlight marks: no width. Any other escape from the
            //  text is shown as '?' below, never sent to the terminal.
            fwrite (p, 1, 4, out);
            styled = true;
            p += 4;
            left -= 4;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate (p, left, &cp);
        bool invalid = n <= 0;
        if (invalid) {
            n = 1;
            cp = '?';
        }
        int w = utf8proc_charwidth (cp);
        if (w < 0)
            w = 0;
        if (used + w > room)
            break;
        if (cp == '\n' || cp == '\t' || cp == '\r')
            fputc (' ', out);
        else
        if (invalid || cp < 0x20 || cp == 0x7f)
            fputc ('?', out);
        else
            fwrite (p, 1, (size_t) n, out);
        used += w;
        p += n;
        left -= n;
    }
    if (cut) {
        if (styled)
            fputs ("\x1b[0m", out);
        fputs ("…", out);
        used++;
    }
    while (pad && used < width) {
        fputc (' ', out);
        used++;
    }
}

//  "2024-05-01 10:00" from an RFC 3339 time (or what there is)
static void
s_short_time (const char *rfc3339, char *buf, size_t size)
{
    if (!rfc3339) {
        snprintf (buf, size, "-");
        return;
    }
    snprintf (buf, size, "%.16s", rfc3339);
    if (strlen (buf) > 10 && buf [10] == 'T')
        buf [10] = ' ';
}

static int
s_terminal_width (void)
{
    struct winsize ws;
    if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col;
    return 120;
}

static void
s_print_table (const store_hitv_t *hits, int offset, bool terminal, bool snippets)
{
    //  rank  time              source    headline                      uri
    int source_width = 6;
    int uri_width = 3;
    for (size_t i = 0; i < hits->len; i++) {
        int w = s_width (hits->items [i].source ? hits->items [i].source : "-");
        if (w > source_width)
            source_width = w;
        w = s_width (hits->items [i].uri);
        if (w > uri_width)
            uri_width = w;
    }
    if (source_width > 16)
        source_width = 16;
    int headline_width = -1;
    if (terminal) {
        int columns = s_terminal_width ();
        //  4 rank + 16 time + source + separators (2 each)
        int fixed = 4 + 2 + 16 + 2 + source_width + 2;
        if (uri_width > 48)
            uri_width = 48;
        headline_width = columns - fixed - 2 - uri_width;
        if (headline_width < 20) {
            headline_width = 20;
            uri_width = columns - fixed - 2 - headline_width;
            if (uri_width < 12)
                uri_width = 12;
        }
    }
    FILE *out = stdout;
    if (terminal) {
        fprintf (out, "%4s  %-16s  ", "#", "versioncreated");
        s_cell (out, "source", source_width, true);
        fputs ("  ", out);
        s_cell (out, "headline", headline_width, true);
        fputs ("  uri\n", out);
    }
    for (size_t i = 0; i < hits->len; i++) {
        const store_hit_t *hit = &hits->items [i];
        char when [24];
        s_short_time (hit->versioncreated, when, sizeof when);
        char *headline = xasprintf ("%s%s",
                                    hit->pubstatus && streq (hit->pubstatus, "canceled")
                                    ? "[canceled] " : "",
                                    hit->headline ? hit->headline : "(no headline)");
        if (terminal) {
            fprintf (out, "%4d  %-16s  ", offset + (int) i + 1, when);
            s_cell (out, hit->source ? hit->source : "-", source_width, true);
            fputs ("  ", out);
            s_cell (out, headline, headline_width, true);
            fputs ("  ", out);
            s_cell (out, hit->uri, uri_width, false);
        }
        else {
            //  Tab-separated for scripts: rank, time, source, headline, uri
            fprintf (out, "%d\t%s\t", offset + (int) i + 1, when);
            s_cell (out, hit->source ? hit->source : "-", INT_MAX, false);
            fputc ('\t', out);
            s_cell (out, headline, INT_MAX, false);
            fputc ('\t', out);
            s_cell (out, hit->uri, INT_MAX, false);
        }
        fputc ('\n', out);
        if (snippets && !str_empty (hit->snippet)) {
            fputs (terminal ? "      " : "\t", out);
            s_cell (out, hit->snippet, terminal ? s_terminal_width () - 7 : INT_MAX, false);
            fputc ('\n', out);
        }
        free (headline);
    }
}

static void
s_print_json_hits (const store_hitv_t *hits, int offset)
{
    for (size_t i = 0; i < hits->len; i++) {
        const store_hit_t *hit = &hits->items [i];
        json_t *line = json_object ();
        json_object_set_new (line, "rank", json_integer (offset + (int) i + 1));
        json_object_set_new (line, "score", json_real (hit->score));
        json_object_set_new (line, "rowid", json_integer (hit->rowid));
        json_object_set_new (line, "uri", json_string (hit->uri));
        if (hit->version)
            json_object_set_new (line, "version", json_string (hit->version));
        if (hit->versioncreated)
            json_object_set_new (line, "versioncreated", json_string (hit->versioncreated));
        if (hit->source)
            json_object_set_new (line, "source", json_string (hit->source));
        if (hit->headline)
            json_object_set_new (line, "headline", json_string (hit->headline));
        if (hit->pubstatus)
            json_object_set_new (line, "pubstatus", json_string (hit->pubstatus));
        if (hit->snippet)
            json_object_set_new (line, "snippet", json_string (hit->snippet));
        //  json_string refuses invalid UTF-8 (stored text is normalized;
        //  a NULL value above simply leaves the key out)
        char *text = json_dumps (line, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (text) {
            puts (text);
            free (text);
        }
        json_decref (line);
    }
}

//  --------------------------------------------------------------------------
//  copydesk search

static void
s_search_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk search QUERY [options]\n"
        "\n"
        "Full-text search of the stored stories (headline and body), best first.\n"
        "QUERY is FTS5 syntax: words (all must match), \"a phrase\", OR, NOT,\n"
        "prefix*, headline:word, NEAR(a b). Text that is not valid syntax is\n"
        "searched word by word. An empty QUERY (\"\") lists the newest stories.\n"
        "Words are stemmed: 'earnings' also finds 'earning'.\n"
        "\n"
        "Options:\n"
        "  --limit N        at most N results (default 20)\n"
        "  --offset N       skip the first N results\n"
        "  --source S       only stories from source S (push --source)\n"
        "  --subject CODE   only stories with this subject (earn, reuters:earn...)\n"
        "  --place CODE     only stories with this place (FR, iso3166:FR...)\n"
        "  --language TAG   only stories in this language (en also finds en-GB)\n"
        "  --since WHEN     only versions created since WHEN: 2024-05-01, an RFC 3339\n"
        "                   time, or a span back from now: 30m, 12h, 7d, 2w\n"
        "  --all-versions   every stored version, not only the latest of each story\n"
        "  --snippets       show the matching part of each body under its row\n"
        "  --count          print only how many stories match\n"
        "  --json           one JSON object per line: rank, score, rowid, uri, version,\n"
        "                   versioncreated, source, headline, pubstatus, snippet\n"
        "  -h, --help       this help\n"
        "\n"
        "Examples:\n"
        "  copydesk search 'coffee prices' --since 7d\n"
        "  copydesk search 'headline:opec' --source reuters --json | jq .uri\n");
}

int
cmd_search (int argc, char **argv, config_t *config)
{
    const char *text = NULL;
    const char *value;
    store_query_t query = { .limit = 20 };
    bool json = false, snippets = false, count = false;
    char *since = NULL;
    int rc;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        if (cli_is_help (arg)) {
            s_search_usage (stdout);
            free (since);
            return 0;
        }
        if (streq (arg, "--json"))
            json = true;
        else
        if (streq (arg, "--all-versions"))
            query.all_versions = true;
        else
        if (streq (arg, "--snippets"))
            snippets = true;
        else
        if (streq (arg, "--count"))
            count = true;
        else
        if ((rc = cli_opt ("search", argc, argv, &i, "--limit", &value)) != 0) {
            if (rc < 0 || s_number ("search", "--limit", value, 1, 100000, &query.limit))
                goto usage;
        }
        else
        if ((rc = cli_opt ("search", argc, argv, &i, "--offset", &value)) != 0) {
            if (rc < 0 || s_number ("search", "--offset", value, 0, INT_MAX, &query.offset))
                goto usage;
        }
        else
        if ((rc = cli_opt ("search", argc, argv, &i, "--source", &value)) != 0) {
            if (rc < 0)
                goto usage;
            query.source = value;
        }
        else
        if ((rc = cli_opt ("search", argc, argv, &i, "--subject", &value)) != 0) {
            if (rc < 0)
                goto usage;
            query.subject = value;
        }
        else
        if ((rc = cli_opt ("search", argc, argv, &i, "--place", &value)) != 0) {
            if (rc < 0)
                goto usage;
            query.place = value;
        }
        else
        if ((rc = cli_opt ("search", argc, argv, &i, "--language", &value)) != 0) {
            if (rc < 0)
                goto usage;
            query.language = value;
        }
        else
        if ((rc = cli_opt ("search", argc, argv, &i, "--since", &value)) != 0) {
            if (rc < 0)
                goto usage;
            free (since);
            since = s_since (value);
            if (!since) {
                fprintf (stderr, "copydesk search: --since takes a date (2024-05-01), an RFC 3339"
                                 " time or a span (30m, 12h, 7d, 2w), not '%s'\n", value);
                goto usage;
            }
        }
        else
        if (arg [0] == '-' && arg [1] != 0 && !text) {
            fprintf (stderr, "copydesk search: unknown option %s\n", arg);
            goto usage;
        }
        else
        if (!text)
            text = arg;
        else {
            fprintf (stderr, "copydesk search: one QUERY only (quote it: 'coffee prices')\n");
            goto usage;
        }
    }
    if (!text) {
        fprintf (stderr, "copydesk search: what to search for? (QUERY, or \"\" for the newest)\n");
        goto usage;
    }
    query.query = text;
    query.since = since;

    store_t *store = s_open ("search", config);
    if (!store) {
        free (since);
        return 1;
    }
    if (count) {
        char err [1024] = "";
        int64_t matches = store_search_count (store, &query, err, sizeof err);
        if (matches < 0)
            fprintf (stderr, "copydesk search: %s\n", err);
        else
        if (json)
            printf ("{\"count\":%" PRId64 "}\n", matches);
        else
            printf ("%" PRId64 "\n", matches);
        store_destroy (&store);
        free (since);
        return matches < 0 ? 1 : 0;
    }
    bool terminal = isatty (STDOUT_FILENO);
    query.mark_open = terminal && !json ? "\x1b[1m" : "";
    query.mark_close = terminal && !json ? "\x1b[0m" : "";
    store_hitv_t hits = { 0 };
    char err [1024] = "";
    int found = store_search (store, &query, &hits, err, sizeof err);
    if (found < 0) {
        fprintf (stderr, "copydesk search: %s\n", err);
        store_destroy (&store);
        free (since);
        return 1;
    }
    if (json)
        s_print_json_hits (&hits, query.offset);
    else
    if (hits.len)
        s_print_table (&hits, query.offset, terminal, snippets);
    if (!hits.len && terminal)
        fprintf (stderr, "no stored story matches '%s'%s\n", text,
                 query.source || query.subject || query.place || query.language || query.since
                 ? " with these filters" : "");
    store_hits_free (&hits);
    store_destroy (&store);
    free (since);
    return 0;

usage:
    free (since);
    fprintf (stderr, "Try 'copydesk search --help'.\n");
    return 2;
}

//  --------------------------------------------------------------------------
//  copydesk show

static void
s_show_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk show URI [options]\n"
        "\n"
        "Print a stored story as ninjs 2.2 JSON with copydesk's extensions\n"
        "(keywords, priority, dateline, signals, links, extra, ingest;\n"
        "docs/ninjs-extensions.schema.json). Without --version, the latest\n"
        "version: latest versioncreated, then highest numeric version, then\n"
        "the last to arrive. pubstatus says \"canceled\" once a kill arrived.\n"
        "\n"
        "Options:\n"
        "  --version V      that version instead of the latest\n"
        "  --all-versions   every stored version, latest first\n"
        "  --strict         only ninjs 2.2 properties (validates against IPTC's schema)\n"
        "  --json           one line per story (default: indented on a terminal)\n"
        "  -h, --help       this help\n"
        "\n"
        "Examples:\n"
        "  copydesk show 'tag:reuters.com,1987:newid-42'\n"
        "  copydesk search cocoa --json | jq -r .uri | head -1 | xargs copydesk show --json\n");
}

//  uri with %XX escapes decoded. Caller frees.
static char *
s_percent_decode (const char *uri)
{
    char *out = xstrdup (uri);
    char *q = out;
    for (const char *p = uri; *p; p++) {
        if (p [0] == '%' && isxdigit ((unsigned char) p [1]) && isxdigit ((unsigned char) p [2])) {
            char hex [3] = { p [1], p [2], 0 };
            *q++ = (char) strtol (hex, NULL, 16);
            p += 2;
        }
        else
            *q++ = *p;
    }
    *q = 0;
    return out;
}

static void
s_print_story (const story_t *story, int flags)
{
    char *text = ninjs_dumps (story, flags);
    puts (text);
    free (text);
}

int
cmd_show (int argc, char **argv, config_t *config)
{
    const char *uri = NULL, *version = NULL, *value;
    bool json = false, all = false, strict = false;
    int rc;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        if (cli_is_help (arg)) {
            s_show_usage (stdout);
            return 0;
        }
        if (streq (arg, "--json"))
            json = true;
        else
        if (streq (arg, "--all-versions"))
            all = true;
        else
        if (streq (arg, "--strict"))
            strict = true;
        else
        if ((rc = cli_opt ("show", argc, argv, &i, "--version", &value)) != 0) {
            if (rc < 0)
                goto usage;
            version = value;
        }
        else
        if (arg [0] == '-' && arg [1] != 0 && !uri) {
            fprintf (stderr, "copydesk show: unknown option %s\n", arg);
            goto usage;
        }
        else
        if (!uri)
            uri = arg;
        else {
            fprintf (stderr, "copydesk show: one URI only\n");
            goto usage;
        }
    }
    if (!uri) {
        fprintf (stderr, "copydesk show: which story? (its URI, from `copydesk search`)\n");
        goto usage;
    }
    if (all && version) {
        fprintf (stderr, "copydesk show: --version and --all-versions do not go together\n");
        goto usage;
    }
    store_t *store = s_open ("show", config);
    if (!store)
        return 1;
    int flags = (strict ? NINJS_STRICT : NINJS_FULL)
              | (!json && isatty (STDOUT_FILENO) ? NINJS_PRETTY : 0);
    int status = 0;
    if (all) {
        store_storyv_t stories = { 0 };
        int found = store_get_all (store, uri, &stories);
        if (found < 0) {
            fprintf (stderr, "copydesk show: %s\n", store_error (store));
            status = 1;
        }
        else
        if (found == 0) {
            fprintf (stderr, "copydesk show: no story with uri '%s' is stored\n", uri);
            status = 1;
        }
        for (size_t i = 0; i < stories.len; i++)
            s_print_story (stories.items [i], flags);
        store_stories_free (&stories);
    }
    else {
        story_t *story = store_get (store, uri, version, NULL);
        if (!story && strchr (uri, '%')) {
            //  A uri copied from ninjs output, where characters a URI cannot
            //  hold are percent-encoded
            char *decoded = s_percent_decode (uri);
            story = store_get (store, decoded, version, NULL);
            free (decoded);
        }
        if (story)
            s_print_story (story, flags);
        else {
            status = 1;
            const char *error = store_error (store);
            if (!streq (error, "no error"))
                fprintf (stderr, "copydesk show: %s\n", error);
            else
            if (version) {
                //  Say which versions there are
                store_storyv_t stories = { 0 };
                store_get_all (store, uri, &stories);
                if (stories.len == 0)
                    fprintf (stderr, "copydesk show: no story with uri '%s' is stored\n", uri);
                else {
                    fprintf (stderr, "copydesk show: '%s' has no version '%s'; stored:", uri, version);
                    for (size_t i = 0; i < stories.len; i++)
                        fprintf (stderr, " %s", stories.items [i]->version
                                               ? stories.items [i]->version : "(none)");
                    fputc ('\n', stderr);
                }
                store_stories_free (&stories);
            }
            else
                fprintf (stderr, "copydesk show: no story with uri '%s' is stored\n", uri);
        }
        story_destroy (&story);
    }
    store_destroy (&store);
    return status;

usage:
    fprintf (stderr, "Try 'copydesk show --help'.\n");
    return 2;
}
