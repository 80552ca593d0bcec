//  SPDX-License-Identifier: MIT
//  push - send files, folders or stdin into the pipeline
//
//  Each file is one raw document (common/document.h) published to the
//  broker's ingest queue with tap topic "pushed.<source>". Folders are
//  walked recursively (names starting with '.' skipped, symlinked folders
//  not followed), in name order. push returns only when the broker has
//  accepted every document (journaled and synced). A file that is too large
//  or unreadable gets a clear error and a dead-letter record (reason, first
//  bytes, size, sha256) published to the "dead" queue; push goes on with
//  the rest and exits 1 at the end.

#include "common.h"
#include "publisher.h"
#include "ingest/ingest.h"
#include "cli/commands.h"
#include "cli/cli.h"
#include <dirent.h>
#include <openssl/evp.h>

#define PUSH_PREVIEW    4096    //  Bytes of a refused file kept in its dead letter

typedef struct _item_t item_t;

typedef struct {
    item_t *item;               //  File the publish is for
    bool dead;                  //  The publish is the file's dead letter
} push_tag_t;

struct _item_t {
    char *path;                 //  As found ("-" for stdin)
    uint64_t size;              //  From stat, 0 for stdin
    push_tag_t doc_tag;         //  Tag of the document publish
    push_tag_t dead_tag;        //  Tag of the dead-letter publish
    bool failed;                //  Error reported for this file
};

typedef VEC (item_t) itemv_t;

typedef struct {
    const char *source;         //  --source
    const char *format;         //  --format hint
    const char *topics;         //  "pushed.<source>"
    size_t max_size;            //  Largest file we send
    publisher_t *publisher;
    cli_progress_t *progress;
    uint64_t accepted;          //  Documents accepted
    uint64_t accepted_bytes;
    uint64_t dead;              //  Dead letters accepted
    uint64_t failed;            //  Files that did not make it
    bool quiet;
} push_t;

//  Usage of the command
static void
s_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk push [--source NAME] [--format F] [--window N] [--timeout S]\n"
        "                     [--max-size SIZE] [--quiet] PATH...|-\n"
        "\n"
        "Sends files into the pipeline, one document per file: folders are read\n"
        "recursively (hidden names skipped), '-' reads stdin. Returns once the\n"
        "broker has accepted (journaled) every document. Files that are too large\n"
        "or unreadable are reported, recorded as dead letters (see copydesk dead)\n"
        "and skipped; push then exits 1. The format is detected from the content.\n"
        "\n"
        "  --source NAME   provider name stored with each story (default: local)\n"
        "  --format F      skip detection: nitf, newsml-g2, newsml-1, ninjs, rss, atom,\n"
        "                  iptc7901, anpa1312, zczc, reuters-sgml, plain-text\n"
        "  --window N      documents sent ahead of the broker's accepts (default 256)\n"
        "  --timeout S     give up when the broker is silent for S seconds (default 10)\n"
        "  --max-size SIZE largest file to send, e.g. 64M (default push/max_size = 64M)\n"
        "  --quiet         no progress bar and no summary\n"
        "\n"
        "Examples:\n"
        "  copydesk push --source reuters ~/wires/reuters21578/\n"
        "  curl -s https://example.com/feed.xml | copydesk push --source example -\n");
}

//  --------------------------------------------------------------------------
//  Collecting files

//  qsort comparator for file names
static int
s_name_cmp (const void *a, const void *b)
{
    return strcmp (*(const char * const *) a, *(const char * const *) b);
}

//  Add a file to push
static void
s_item_add (itemv_t *items, const char *path, uint64_t size)
{
    item_t *item = vec_push (items);
    item->path = xstrdup (path);
    item->size = size;
}

//  Add the files under dir, in name order. Returns the errors met.
static int
s_walk (itemv_t *items, const char *dir, int depth)
{
    if (depth > 64) {
        fprintf (stderr, "copydesk push: %s: folders nested too deep, skipped\n", dir);
        return 1;
    }
    DIR *handle = opendir (dir);
    if (!handle) {
        fprintf (stderr, "copydesk push: cannot read folder %s: %s\n", dir, strerror (errno));
        return 1;
    }
    strv_t names = { NULL, 0, 0 };
    struct dirent *entry;
    while ((entry = readdir (handle)))
        if (entry->d_name [0] != '.')
            strv_push (&names, entry->d_name);
    closedir (handle);
    if (names.len)
        qsort (names.items, names.len, sizeof (char *), s_name_cmp);
    int errors = 0;
    for (size_t i = 0; i < names.len; i++) {
        char *path = str_ends (dir, "/") ? xasprintf ("%s%s", dir, names.items [i])
                                         : xasprintf ("%s/%s", dir, names.items [i]);
        struct stat lst, st;
        if (lstat (path, &lst) != 0) {
            fprintf (stderr, "copydesk push: %s: %s\n", path, strerror (errno));
            errors++;
        }
        else
        if (S_ISDIR (lst.st_mode))
            errors += s_walk (items, path, depth + 1);
        else
        if (S_ISLNK (lst.st_mode)) {
            //  Follow links to files, not to folders (no loops)
            if (stat (path, &st) == 0 && S_ISREG (st.st_mode))
                s_item_add (items, path, (uint64_t) st.st_size);
        }
        else
        if (S_ISREG (lst.st_mode))
            s_item_add (items, path, (uint64_t) lst.st_size);
        free (path);
    }
    strv_free (&names);
    return errors;
}

//  --------------------------------------------------------------------------
//  Publishing

//  The broker settled a publish: count it, report refusals
static void
s_on_settled (void *arg, uint64_t pubseq, void *tag, const char *refused)
{
    push_t *self = (push_t *) arg;
    push_tag_t *push_tag = (push_tag_t *) tag;
    item_t *item = push_tag->item;
    if (push_tag->dead) {
        if (refused)
            fprintf (stderr, "copydesk push: %s: the broker refused its dead letter too: %s\n",
                     item->path, refused);
        else
            self->dead++;
        return;
    }
    if (refused) {
        fprintf (stderr, "copydesk push: %s: refused by the broker: %s\n", item->path, refused);
        if (!item->failed)
            self->failed++;
        item->failed = true;
        return;
    }
    self->accepted++;
    self->accepted_bytes += item->size;
    cli_progress_update (self->progress, self->accepted + self->failed, self->accepted_bytes);
}

//  SHA-256 of a whole file, read in chunks. 0 or -1.
static int
s_sha256_file (const char *path, char hex [65])
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
    EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL);
    uint8_t *chunk = (uint8_t *) xmalloc (1 << 20);
    int rc = 0;
    while (true) {
        ssize_t got = read (fd, chunk, 1 << 20);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = -1;
            break;
        }
        if (got == 0)
            break;
        EVP_DigestUpdate (ctx, chunk, (size_t) got);
    }
    unsigned char digest [EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex (ctx, digest, &len);
    EVP_MD_CTX_free (ctx);
    free (chunk);
    close (fd);
    for (unsigned int i = 0; i < 32 && i < len; i++)
        snprintf (hex + i * 2, 3, "%02x", digest [i]);
    hex [64] = 0;
    return rc;
}

//  Report a file that cannot be sent and publish its dead letter: reason,
//  up to PUSH_PREVIEW first bytes, full size and sha256 when readable.
static void
s_fail (push_t *self, item_t *item, const char *reason, const uint8_t *head, size_t head_size,
        uint64_t size, bool hash_file)
{
    fprintf (stderr, "copydesk push: %s: %s\n", item->path, reason);
    if (!item->failed)
        self->failed++;
    item->failed = true;
    deadletter_t *deadletter = deadletter_new ("push", reason, head,
                                               head_size < PUSH_PREVIEW ? head_size : PUSH_PREVIEW);
    str_set (&deadletter->origin, item->path);
    deadletter->size = size;
    free (deadletter->sha256);
    deadletter->sha256 = NULL;
    char hex [65];
    if (hash_file && s_sha256_file (item->path, hex) == 0)
        deadletter->sha256 = xstrdup (hex);
    else
    if (head && head_size == size) {
        sha256_hex (head, head_size, hex);
        deadletter->sha256 = xstrdup (hex);
    }
    buf_t buf;
    buf_init (&buf);
    deadletter_encode (deadletter, &buf);
    deadletter_destroy (&deadletter);
    item->dead_tag.item = item;
    item->dead_tag.dead = true;
    publisher_send_buf (self->publisher, STAGE_DEAD, NULL, &buf, &item->dead_tag);
}

//  The first bytes of a file, for a dead letter
static size_t
s_read_head (const char *path, uint8_t *head, size_t size)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t got = read (fd, head, size);
    close (fd);
    return got > 0 ? (size_t) got : 0;
}

//  Read and publish one item. Returns -1 when the broker cannot be reached
//  (nothing more can be sent), else 0.
static int
s_push_item (push_t *self, item_t *item)
{
    uint8_t *data = NULL;
    size_t size = 0;
    int rc;
    if (streq (item->path, "-")) {
        rc = file_read ("/dev/stdin", self->max_size, &data, &size);
        if (rc == 0)
            item->size = size;
    }
    else
        rc = file_read (item->path, self->max_size, &data, &size);
    if (rc != 0) {
        char reason [512];
        uint8_t head [PUSH_PREVIEW];
        if (errno == EFBIG) {
            if (streq (item->path, "-"))
                snprintf (reason, sizeof reason, "stdin too large: more than %zu bytes "
                          "(push/max_size or --max-size)", self->max_size);
            else
                snprintf (reason, sizeof reason, "file too large: %" PRIu64 " bytes, the limit is %zu "
                          "(push/max_size or --max-size)", item->size, self->max_size);
            size_t head_size = streq (item->path, "-") ? 0 : s_read_head (item->path, head, sizeof head);
            s_fail (self, item, reason, head, head_size, item->size, !streq (item->path, "-"));
        }
        else {
            snprintf (reason, sizeof reason, "cannot read: %s", strerror (errno));
            s_fail (self, item, reason, NULL, 0, item->size, false);
        }
        return 0;
    }
    //  The document takes the bytes without another copy
    document_t *document = (document_t *) xcalloc (1, sizeof (document_t));
    document->source = xstrdup (self->source);
    document->format = xstrdup (self->format);
    if (streq (item->path, "-"))
        document->origin = xstrdup ("stdin");
    else {
        char *absolute = realpath (item->path, NULL);
        document->origin = absolute ? absolute : xstrdup (item->path);
    }
    char now [40];
    document->received = xstrdup (time_now_rfc3339 (now, sizeof now));
    document->data = data;
    document->size = size;
    buf_t buf;
    buf_init (&buf);
    document_encode (document, &buf);
    document_destroy (&document);
    item->doc_tag.item = item;
    uint64_t pubseq = publisher_send_buf (self->publisher, STAGE_INGEST, self->topics, &buf,
                                          &item->doc_tag);
    if (pubseq == 0) {
        if (errno == EMSGSIZE) {
            char reason [256];
            snprintf (reason, sizeof reason, "file too large for the broker once encoded "
                      "(%zu bytes, broker/max_frame)", size);
            uint8_t head [PUSH_PREVIEW];
            size_t head_size = streq (item->path, "-") ? 0 : s_read_head (item->path, head, sizeof head);
            s_fail (self, item, reason, head, head_size, size, !streq (item->path, "-"));
            return 0;
        }
        return -1;
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  copydesk push: collect the files, publish one document each, wait for
//  every ACCEPT; dead letters for what cannot be sent
int
cmd_push (int argc, char **argv, config_t *config)
{
    push_t self = { NULL };
    self.source = "local";
    double window = 256, timeout = 10;
    double max_size = (double) config_int (config, "push/max_size", DOCUMENT_MAX_SIZE);
    strv_t paths = { NULL, 0, 0 };
    bool literal = false;
    for (int i = 1; i < argc; i++) {
        const char *value;
        int rc = 0;
        if (literal || streq (argv [i], "-") || argv [i][0] != '-') {
            strv_push (&paths, argv [i]);
            continue;
        }
        if (streq (argv [i], "--")) {
            literal = true;
            continue;
        }
        if (cli_is_help (argv [i])) {
            s_usage (stdout);
            strv_free (&paths);
            return 0;
        }
        if (streq (argv [i], "--quiet") || streq (argv [i], "-q"))
            self.quiet = true;
        else
        if ((rc = cli_opt ("push", argc, argv, &i, "--source", &value)) != 0)
            self.source = value;
        else
        if ((rc = cli_opt ("push", argc, argv, &i, "--format", &value)) != 0)
            self.format = value;
        else
        if ((rc = cli_opt ("push", argc, argv, &i, "--window", &value)) != 0) {
            if (rc > 0 && cli_number ("push", "--window", value, 1, 65536, &window))
                rc = -1;
        }
        else
        if ((rc = cli_opt ("push", argc, argv, &i, "--timeout", &value)) != 0) {
            if (rc > 0 && cli_number ("push", "--timeout", value, 0.1, 86400, &timeout))
                rc = -1;
        }
        else
        if ((rc = cli_opt ("push", argc, argv, &i, "--max-size", &value)) != 0) {
            if (rc > 0) {
                //  Reuse the config parser for k/M/G suffixes
                config_set (config, "push/max_size", value);
                max_size = (double) config_int (config, "push/max_size", -1);
                if (max_size <= 0) {
                    fprintf (stderr, "copydesk push: --max-size wants a size like 64M, not '%s'\n", value);
                    rc = -1;
                }
            }
        }
        else {
            fprintf (stderr, "copydesk push: unknown option '%s' (see --help)\n", argv [i]);
            rc = -1;
        }
        if (rc < 0) {
            strv_free (&paths);
            return 2;
        }
    }
    if (paths.len == 0) {
        fprintf (stderr, "copydesk push: nothing to push; give files, folders or - (see --help)\n");
        return 2;
    }
    if (self.format && !ingest_parser (self.format)) {
        fprintf (stderr, "copydesk push: unknown format '%s'; one of:", self.format);
        for (const parser_t *parser = ingest_parsers (); parser->name; parser++)
            fprintf (stderr, " %s", parser->name);
        fprintf (stderr, "\n");
        strv_free (&paths);
        return 2;
    }
    if (str_empty (self.source)) {
        fprintf (stderr, "copydesk push: --source must not be empty\n");
        strv_free (&paths);
        return 2;
    }
    self.max_size = (size_t) max_size;

    //  Everything to send, so the progress bar knows the total
    itemv_t items = { NULL, 0, 0 };
    int errors = 0;
    int stdin_count = 0;
    for (size_t i = 0; i < paths.len; i++) {
        const char *path = paths.items [i];
        struct stat st;
        if (streq (path, "-")) {
            if (stdin_count++ == 0)
                s_item_add (&items, "-", 0);
        }
        else
        if (stat (path, &st) != 0) {
            fprintf (stderr, "copydesk push: %s: %s\n", path, strerror (errno));
            errors++;
        }
        else
        if (S_ISDIR (st.st_mode))
            errors += s_walk (&items, path, 0);
        else
            s_item_add (&items, path, (uint64_t) st.st_size);
    }
    strv_free (&paths);

    char *topic = xasprintf ("pushed.%s", self.source);
    proto_topic_clean (topic);
    self.topics = topic;
    self.publisher = publisher_new_config (config, (int) window);
    if (!self.publisher) {
        fprintf (stderr, "copydesk push: invalid broker endpoint %s\n", config_endpoint (config));
        free (topic);
        free (items.items);
        return 1;
    }
    publisher_set_timeout (self.publisher, (int) (timeout * 1000));
    publisher_set_handler (self.publisher, s_on_settled, &self);
    uint64_t total_bytes = 0;
    for (size_t i = 0; i < items.len; i++)
        total_bytes += items.items [i].size;
    if (!self.quiet)
        self.progress = cli_progress_new ("push", items.len, total_bytes);

    int64_t started = zclock_mono ();
    bool unreachable = false;
    for (size_t i = 0; i < items.len && !unreachable && !zsys_interrupted; i++) {
        if (s_push_item (&self, &items.items [i]) != 0)
            unreachable = true;
        cli_progress_update (self.progress, self.accepted + self.failed, self.accepted_bytes);
    }
    if (!unreachable && !zsys_interrupted
    &&  publisher_flush (self.publisher, (int) (timeout * 1000)) != 0)
        unreachable = !zsys_interrupted;
    cli_progress_destroy (&self.progress);
    double elapsed = (zclock_mono () - started) / 1000.0;

    int rc = 0;
    if (unreachable || zsys_interrupted) {
        uint64_t unsent = items.len - self.accepted - self.failed;
        char message [512];
        cli_unreachable (config, message, sizeof message);
        if (zsys_interrupted)
            fprintf (stderr, "copydesk push: interrupted; %" PRIu64 " of %zu documents accepted, "
                     "the rest not delivered\n", self.accepted, items.len);
        else
            fprintf (stderr, "copydesk push: %s (no answer for %.0f s); %" PRIu64 " of %zu "
                     "documents accepted, %" PRIu64 " not delivered\n",
                     message, timeout, self.accepted, items.len, unsent);
        rc = 1;
    }
    else {
        if (!self.quiet) {
            char bytes [32], rate [32], took [32];
            fprintf (stderr, "pushed %" PRIu64 " document%s (%s) in %s, %s/s",
                     self.accepted, self.accepted == 1 ? "" : "s",
                     cli_format_bytes ((double) self.accepted_bytes, bytes, sizeof bytes),
                     cli_format_duration (elapsed, took, sizeof took),
                     cli_format_count (elapsed > 0 ? self.accepted / elapsed : 0, rate, sizeof rate));
            if (self.failed)
                fprintf (stderr, "; %" PRIu64 " failed (%" PRIu64 " recorded as dead letters)",
                         self.failed, self.dead);
            fprintf (stderr, "\n");
        }
        if (self.failed || errors)
            rc = 1;
    }
    publisher_destroy (&self.publisher);
    for (size_t i = 0; i < items.len; i++)
        free (items.items [i].path);
    free (items.items);
    free (topic);
    return rc;
}
