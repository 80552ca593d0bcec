//  SPDX-License-Identifier: MIT
//  parse - `copydesk parse`: ingest + normalize (+ classify) offline
//
//  Runs the pipeline's own stages in-process on files, folders or stdin and
//  prints every story as ninjs 2.x JSON, one per line, for jq. Nothing is
//  sent to the broker. Errors go to stderr naming the file, the item index
//  and the problem; the exit code is 1 when any document failed, any item
//  was bad or any story could not be normalized, 0 otherwise.

#include "common.h"
#include "cli/commands.h"
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "normalize/normalize.h"
#include "classify/classify.h"
#include "ninjs.h"
#include <dirent.h>

//  The command's state
typedef struct {
    const char *format;         //  --format, or NULL to detect
    const char *source;         //  --source
    const char *charset;        //  --charset (transport charset)
    int flags;                  //  NINJS_* for output
    bool raw;                   //  --raw: parser output, no normalize
    bool verbose;               //  --verbose: warnings and a summary
    normalize_t *normalize;     //  Normalizer (NULL with --raw)
    classify_t *classify;       //  Classifier (--classify), or NULL
    const char *origin;         //  Document being parsed
    //  Counters
    int files;
    int failed;                 //  Documents that failed whole
    int stories;
    int skipped;
    int bad_items;
    int unnormalized;           //  Stories normalize refused
} self_t;

//  ---------------------------------------------------------------------
//  Help
static void
s_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk parse [options] FILE|DIR|- ... (options anywhere; -- ends them)\n"
        "\n"
        "Parse wire documents in-process (ingest, then normalize, then classify with\n"
        "--classify) and print each story as ninjs 2.x JSON, one per line. Folders are\n"
        "read recursively (hidden files skipped); - reads stdin. Nothing is sent to\n"
        "the pipeline. Errors go to stderr as FILE[#ITEM]: problem.\n"
        "\n"
        "Options:\n"
        "  --format F      parse as format F instead of detecting it (see below)\n"
        "  --source NAME   provider name, as `copydesk push --source` gives it\n"
        "  --charset CS    transport charset of the input (as an HTTP header says)\n"
        "  --classify      also run the classifier (subjects, places, entities)\n"
        "  --full          add copydesk's extensions (keywords, priority, dateline,\n"
        "                  signals, links, extra, ingest provenance) to strict ninjs 2.2\n"
        "  --json          compact JSON, one story a line (the default)\n"
        "  --pretty        indented JSON\n"
        "  --raw           print what the parser made, without normalize\n"
        "  -v, --verbose   per-story warnings and a summary on stderr\n"
        "  -h, --help      this help\n"
        "\n"
        "Formats:\n");
    for (const parser_t *p = ingest_parsers (); p->name; p++)
        fprintf (out, "  %-14s %s\n", p->name, p->description);
    fprintf (out,
        "\n"
        "Exit status: 0 when every document parsed cleanly; 1 when a document failed,\n"
        "an item inside one was bad, or a story could not be normalized; 2 on usage\n"
        "errors.\n"
        "\n"
        "Examples:\n"
        "  copydesk parse story.xml | jq .headlines\n"
        "  copydesk parse --full --format anpa1312 wire.tst\n"
        "  cat feed.rss | copydesk parse --classify - | jq -r '.subjects[]?.name'\n");
}

//  ---------------------------------------------------------------------
//  A story from the parser: normalize, classify, print
static void
s_emit (void *arg, story_t **story_p)
{
    self_t *self = (self_t *) arg;
    story_t *story = *story_p;
    int index = story->ingest.index;
    if (self->normalize && normalize_story (self->normalize, story) != 0) {
        fprintf (stderr, "%s#%d: cannot normalize: %s\n", self->origin, index,
                 normalize_reason (self->normalize));
        self->unnormalized++;
        story_destroy (story_p);
        return;
    }
    if (self->classify)
        classify_story (self->classify, story);
    if (self->verbose && story->ingest.warnings.len) {
        fprintf (stderr, "%s#%d: warnings:", self->origin, index);
        for (size_t i = 0; i < story->ingest.warnings.len; i++)
            fprintf (stderr, "%s %s", i ? "," : "", story->ingest.warnings.items [i]);
        fprintf (stderr, "\n");
    }
    char *json = ninjs_dumps (story, self->flags);
    if (json) {
        fputs (json, stdout);
        fputc ('\n', stdout);
        free (json);
    }
    else
        fprintf (stderr, "%s#%d: cannot write the story as JSON\n", self->origin, index);
    self->stories++;
    story_destroy (story_p);
}

//  A bad item inside a good document
static void
s_dead (void *arg, deadletter_t **dead_p)
{
    self_t *self = (self_t *) arg;
    deadletter_t *dead = *dead_p;
    fprintf (stderr, "%s: bad item: %s\n", dead->origin ? dead->origin : self->origin, dead->reason);
    self->bad_items++;
}

//  ---------------------------------------------------------------------
//  Parse one document held in memory
static void
s_parse_bytes (self_t *self, const char *origin, const uint8_t *data, size_t size)
{
    self->files++;
    self->origin = origin;
    document_t *doc = document_new (self->source, origin, data, size);
    if (self->format)
        doc->format = xstrdup (self->format);
    if (self->charset)
        doc->charset = xstrdup (self->charset);
    char now [40];
    str_set (&doc->received, time_now_rfc3339 (now, sizeof now));
    ingest_result_t result;
    if (ingest_document (doc, s_emit, s_dead, self, &result) != 0) {
        fprintf (stderr, "%s\n", result.error);
        self->failed++;
    }
    else {
        self->skipped += result.skipped;
        if (self->verbose)
            fprintf (stderr, "%s: %s, %d stor%s%s%s\n", origin, result.format, result.stories,
                     result.stories == 1 ? "y" : "ies",
                     result.skipped ? ", non-story items skipped" : "",
                     result.bad_items ? ", bad items" : "");
    }
    document_destroy (&doc);
}

//  Read all of stdin, up to the document size limit. 0 or -1.
static int
s_read_stdin (uint8_t **data, size_t *size)
{
    buf_t buf;
    buf_init (&buf);
    char chunk [65536];
    size_t n;
    while ((n = fread (chunk, 1, sizeof chunk, stdin)) > 0) {
        if (buf.size + n > DOCUMENT_MAX_SIZE) {
            buf_free (&buf);
            errno = EFBIG;
            return -1;
        }
        buf_append (&buf, chunk, n);
    }
    if (ferror (stdin)) {
        buf_free (&buf);
        return -1;
    }
    *size = buf.size;
    *data = (uint8_t *) (buf.size ? buf_detach (&buf) : xstrdup (""));
    buf_free (&buf);
    return 0;
}

//  Parse a file, a folder (recursively) or stdin ("-")
static void
s_parse_path (self_t *self, const char *path, int depth)
{
    if (strcmp (path, "-") == 0) {
        uint8_t *data;
        size_t size;
        if (s_read_stdin (&data, &size) != 0) {
            fprintf (stderr, "(stdin): cannot read: %s\n", strerror (errno));
            self->files++;
            self->failed++;
            return;
        }
        s_parse_bytes (self, "(stdin)", data, size);
        free (data);
        return;
    }
    struct stat st;
    if (stat (path, &st) != 0) {
        fprintf (stderr, "%s: cannot read: %s\n", path, strerror (errno));
        self->files++;
        self->failed++;
        return;
    }
    if (S_ISDIR (st.st_mode)) {
        if (depth > 32) {
            fprintf (stderr, "%s: folders nested too deep, skipped\n", path);
            return;
        }
        struct dirent **entries;
        int count = scandir (path, &entries, NULL, alphasort);
        if (count < 0) {
            fprintf (stderr, "%s: cannot list: %s\n", path, strerror (errno));
            self->failed++;
            return;
        }
        for (int i = 0; i < count; i++) {
            if (entries [i]->d_name [0] != '.') {
                bool slash = *path && path [strlen (path) - 1] == '/';
                char *child = xasprintf ("%s%s%s", path, slash ? "" : "/", entries [i]->d_name);
                s_parse_path (self, child, depth + 1);
                free (child);
            }
            free (entries [i]);
        }
        free (entries);
        return;
    }
    uint8_t *data;
    size_t size;
    if (file_read (path, DOCUMENT_MAX_SIZE, &data, &size) != 0) {
        if (errno == EFBIG)
            fprintf (stderr, "%s: too large: documents are limited to %d MB\n", path,
                     DOCUMENT_MAX_SIZE / (1024 * 1024));
        else
            fprintf (stderr, "%s: cannot read: %s\n", path, strerror (errno));
        self->files++;
        self->failed++;
        return;
    }
    s_parse_bytes (self, path, data, size);
    free (data);
}

//  ---------------------------------------------------------------------
//  copydesk parse
int
cmd_parse (int argc, char **argv, config_t *config)
{
    self_t self = { 0 };
    self.flags = NINJS_STRICT;
    bool classify = false;
    VEC (char *) paths = { 0 };     //  Files, folders, "-": options may come anywhere
    for (int i = 1; i < argc; i++) {
        const char *value;
        int rc;
        if (cli_is_help (argv [i])) {
            s_usage (stdout);
            free (paths.items);
            return 0;
        }
        if ((rc = cli_opt ("parse", argc, argv, &i, "--format", &value)) != 0) {
            if (rc < 0) {
                free (paths.items);
                return 2;
            }
            if (!ingest_parser (value)) {
                fprintf (stderr, "copydesk parse: unknown format '%s'; formats are:", value);
                for (const parser_t *p = ingest_parsers (); p->name; p++)
                    fprintf (stderr, " %s", p->name);
                fprintf (stderr, "\n");
                free (paths.items);
                return 2;
            }
            self.format = value;
        }
        else
        if ((rc = cli_opt ("parse", argc, argv, &i, "--source", &value)) != 0) {
            if (rc < 0) {
                free (paths.items);
                return 2;
            }
            self.source = value;
        }
        else
        if ((rc = cli_opt ("parse", argc, argv, &i, "--charset", &value)) != 0) {
            if (rc < 0) {
                free (paths.items);
                return 2;
            }
            self.charset = value;
        }
        else
        if (strcmp (argv [i], "--classify") == 0)
            classify = true;
        else
        if (strcmp (argv [i], "--full") == 0)
            self.flags |= NINJS_FULL;
        else
        if (strcmp (argv [i], "--json") == 0)
            self.flags &= ~NINJS_PRETTY;
        else
        if (strcmp (argv [i], "--pretty") == 0)
            self.flags |= NINJS_PRETTY;
        else
        if (strcmp (argv [i], "--raw") == 0)
            self.raw = true;
        else
        if (strcmp (argv [i], "-v") == 0 || strcmp (argv [i], "--verbose") == 0)
            self.verbose = true;
        else
        if (strcmp (argv [i], "--") == 0) {
            //  Everything after -- is a path
            for (i++; i < argc; i++)
                *vec_push (&paths) = argv [i];
            break;
        }
        else
        if (argv [i][0] == '-' && argv [i][1] != 0) {
            fprintf (stderr, "copydesk parse: unknown option '%s' (see copydesk parse --help)\n", argv [i]);
            free (paths.items);
            return 2;
        }
        else
            *vec_push (&paths) = argv [i];
    }
    if (paths.len == 0) {
        fprintf (stderr, "copydesk parse: name the files to parse, or - for stdin "
                         "(see copydesk parse --help)\n");
        return 2;
    }

    if (!self.raw)
        self.normalize = normalize_new (config);
    if (classify) {
        char err [256] = "";
        self.classify = classify_new (config, err, sizeof err);
        if (!self.classify) {
            fprintf (stderr, "copydesk parse: cannot classify: %s\n", err);
            normalize_destroy (&self.normalize);
            free (paths.items);
            return 1;
        }
    }
    for (size_t i = 0; i < paths.len; i++)
        s_parse_path (&self, paths.items [i], 0);
    free (paths.items);
    fflush (stdout);
    if (self.verbose)
        fprintf (stderr, "parse: %d document%s, %d stor%s, %d skipped, %d bad item%s, "
                         "%d failed, %d not normalized\n",
                 self.files, self.files == 1 ? "" : "s", self.stories,
                 self.stories == 1 ? "y" : "ies", self.skipped, self.bad_items,
                 self.bad_items == 1 ? "" : "s", self.failed, self.unnormalized);
    classify_destroy (&self.classify);
    normalize_destroy (&self.normalize);
    return self.failed || self.bad_items || self.unnormalized ? 1 : 0;
}
