//  SPDX-License-Identifier: MIT
//  bench_parse - parse + normalize throughput per format, one core
//
//  Loads every file of each format folder of SHARED/samples (one set per
//  folder: nitf, newsml-g2, rss2, ...) and the 22 files of the Reuters-21578
//  corpus (SHARED/data/reuters21578/reut2-*.sgm) into memory. Then, per set,
//  it runs what the ingest and normalize stages do to a document, in-process
//  and without transport: ingest_document (format detected by content, as
//  the pipeline does) and normalize_story on every story it emits, over the
//  whole set again and again until SECONDS of this thread's CPU time have
//  passed. A second, shorter loop runs the parser alone, so the share of
//  normalize is visible. Times are thread CPU time: on a shared machine wall
//  time would count other processes' turns.
//
//  Prints a table for people, then one key=value line per set for scripts:
//
//    set=nitf format=nitf files=15 bytes=96000 stories=15 bad=0 failed=0
//      secs=3.00 mb_per_s=... stories_per_s=... parse_mb_per_s=...
//      parse_stories_per_s=... normalize_share=0.41
//
//  Usage: bench_parse [--shared DIR] [--seconds S] [--only SET,SET]
//         [--no-split]
//  SHARED defaults to $COPYDESK_SHARED.

#include "common.h"
#include "ingest/ingest.h"
#include "normalize/normalize.h"
#include <dirent.h>

typedef struct {
    char *name;                 //  Path, for the document's origin
    uint8_t *data;
    size_t size;
} input_t;

typedef struct {
    char *label;                //  Folder name, or "reuters"
    VEC (input_t) inputs;
    size_t bytes;               //  Bytes of one pass
    char formats [128];         //  Formats detected in one pass (comma list)
} set_t;

//  What one loop counts, through the emit callback
typedef struct {
    normalize_t *normalize;     //  NULL: parse only
    uint64_t stories;
    uint64_t failed;            //  Stories normalize refused
} run_t;

typedef struct {
    double seconds;             //  Thread CPU seconds
    uint64_t stories;
    uint64_t bytes;
    uint64_t documents;
    uint64_t failed;
    uint64_t bad;               //  Documents ingest refused
} result_t;

static int64_t
s_cpu_usec (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
s_emit (void *arg, story_t **story_p)
{
    run_t *run = (run_t *) arg;
    if (run->normalize && normalize_story (run->normalize, *story_p) != 0)
        run->failed++;
    run->stories++;
    story_destroy (story_p);
}

static int
s_name_compare (const void *a, const void *b)
{
    return strcmp (((const input_t *) a)->name, ((const input_t *) b)->name);
}

static int
s_string_compare (const void *a, const void *b)
{
    return strcmp (*(char * const *) a, *(char * const *) b);
}

//  Load the regular files of folder whose names start with prefix and end
//  with suffix (NULL: every file but dot files and notes). Returns how many
//  the set holds.
static size_t
s_load (set_t *set, const char *folder, const char *prefix, const char *suffix)
{
    DIR *dir = opendir (folder);
    if (!dir) {
        fprintf (stderr, "bench_parse: cannot open %s: %s\n", folder, strerror (errno));
        return 0;
    }
    struct dirent *entry;
    while ((entry = readdir (dir)) != NULL) {
        const char *name = entry->d_name;
        if (name [0] == '.')
            continue;
        if (prefix && !str_starts (name, prefix))
            continue;
        if (suffix && !str_ends (name, suffix))
            continue;
        if (!prefix && (str_ends (name, ".md") || streq (name, "SHA256SUMS")))
            continue;
        char *path = xasprintf ("%s/%s", folder, name);
        struct stat st;
        input_t input = { .name = path };
        if (stat (path, &st) == 0 && S_ISREG (st.st_mode)
        &&  file_read (path, DOCUMENT_MAX_SIZE, &input.data, &input.size) == 0) {
            *vec_push (&set->inputs) = input;
            set->bytes += input.size;
        }
        else
            free (path);
    }
    closedir (dir);
    qsort (set->inputs.items, set->inputs.len, sizeof (input_t), s_name_compare);
    return set->inputs.len;
}

//  One pass over the set: every document through ingest (and normalize)
static void
s_pass (set_t *set, run_t *run, result_t *result, bool note_formats)
{
    for (size_t i = 0; i < set->inputs.len; i++) {
        input_t *input = &set->inputs.items [i];
        document_t doc = {
            .source = "bench", .origin = input->name,
            .received = "2024-05-01T12:00:00Z",
            .data = input->data, .size = input->size
        };
        ingest_result_t outcome;
        if (ingest_document (&doc, s_emit, NULL, run, &outcome) != 0)
            result->bad++;
        else
        if (note_formats && outcome.format) {
            //  Remember which parsers the set really exercises
            char needle [64];
            snprintf (needle, sizeof needle, ",%s,", outcome.format);
            char haystack [160];
            snprintf (haystack, sizeof haystack, ",%s,", set->formats);
            if (!strstr (haystack, needle)
            &&  strlen (set->formats) + strlen (outcome.format) + 2 < sizeof set->formats) {
                if (set->formats [0])
                    strcat (set->formats, ",");
                strcat (set->formats, outcome.format);
            }
        }
        result->bytes += input->size;
        result->documents++;
    }
}

//  Loop over the set for at least seconds of CPU time (and one pass)
static void
s_loop (set_t *set, normalize_t *normalize, double seconds, result_t *result)
{
    memset (result, 0, sizeof *result);
    run_t run = { normalize, 0, 0 };
    int64_t elapsed = 0;
    int64_t limit = (int64_t) (seconds * 1e6);
    do {
        int64_t start = s_cpu_usec ();
        s_pass (set, &run, result, false);
        elapsed += s_cpu_usec () - start;
    } while (elapsed < limit);
    result->seconds = (double) elapsed / 1e6;
    result->stories = run.stories;
    result->failed = run.failed;
}

static void
s_usage (void)
{
    fprintf (stderr,
        "Usage: bench_parse [--shared DIR] [--seconds S] [--only SET,SET] [--no-split]\n"
        "Parse + normalize throughput per format on one core (thread CPU time).\n"
        "  --shared DIR   the shared data folder (default $COPYDESK_SHARED)\n"
        "  --seconds S    CPU seconds per set (default 3; the parse-only loop takes S/2)\n"
        "  --only LIST    sets to run: reuters and/or sample folder names\n"
        "  --no-split     skip the parse-only loop\n");
}

int
main (int argc, char **argv)
{
    const char *shared = getenv ("COPYDESK_SHARED");
    const char *only = NULL;
    double seconds = 3;
    bool split = true;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        const char *value = i + 1 < argc ? argv [i + 1] : NULL;
        if (streq (arg, "--no-split"))
            split = false;
        else
        if (streq (arg, "--shared") && value) {
            shared = value;
            i++;
        }
        else
        if (streq (arg, "--seconds") && value) {
            seconds = atof (value);
            i++;
        }
        else
        if (streq (arg, "--only") && value) {
            only = value;
            i++;
        }
        else {
            s_usage ();
            return streq (arg, "-h") || streq (arg, "--help") ? 0 : 2;
        }
    }
    if (str_empty (shared)) {
        fprintf (stderr, "bench_parse: give --shared DIR or set COPYDESK_SHARED\n");
        return 2;
    }
    if (!(seconds > 0 && seconds <= 3600)) {
        fprintf (stderr, "bench_parse: --seconds takes a number of seconds (0-3600]\n");
        return 2;
    }
    zsys_init ();
    zsys_set_logstream (NULL);
    zsys_set_logsystem (false);

    //  The sets: the Reuters corpus, then every sample folder by name
    VEC (set_t) sets = { 0 };
    char *only_list = only ? xasprintf (",%s,", only) : NULL;
    set_t reuters = { .label = xstrdup ("reuters") };
    char *corpus = xasprintf ("%s/data/reuters21578", shared);
    if (!only_list || strstr (only_list, ",reuters,")) {
        if (s_load (&reuters, corpus, "reut2-", ".sgm") == 0) {
            fprintf (stderr, "bench_parse: no reut2-*.sgm in %s\n", corpus);
            return 1;
        }
        *vec_push (&sets) = reuters;
    }
    else
        free (reuters.label);
    free (corpus);
    char *samples = xasprintf ("%s/samples", shared);
    DIR *dir = opendir (samples);
    if (!dir) {
        fprintf (stderr, "bench_parse: cannot open %s: %s\n", samples, strerror (errno));
        return 1;
    }
    strv_t folders = { 0 };
    struct dirent *entry;
    while ((entry = readdir (dir)) != NULL) {
        if (entry->d_name [0] == '.' || entry->d_name [0] == '_')
            continue;
        char *path = xasprintf ("%s/%s", samples, entry->d_name);
        struct stat st;
        if (stat (path, &st) == 0 && S_ISDIR (st.st_mode))
            strv_push (&folders, entry->d_name);
        free (path);
    }
    closedir (dir);
    qsort (folders.items, folders.len, sizeof (char *), s_string_compare);
    for (size_t f = 0; f < folders.len; f++) {
        char needle [300];
        snprintf (needle, sizeof needle, ",%s,", folders.items [f]);
        if (only_list && !strstr (only_list, needle))
            continue;
        set_t set = { .label = xstrdup (folders.items [f]) };
        char *path = xasprintf ("%s/%s", samples, folders.items [f]);
        if (s_load (&set, path, NULL, NULL) > 0)
            *vec_push (&sets) = set;
        else
            free (set.label);
        free (path);
    }
    free (samples);
    strv_free (&folders);
    if (sets.len == 0) {
        fprintf (stderr, "bench_parse: nothing to run%s%s\n", only ? " for --only " : "",
                 only ? only : "");
        return 1;
    }

    normalize_t *normalize = normalize_new (NULL);
    printf ("# bench_parse: ingest_document + normalize_story, one thread, %.1f s CPU per set%s\n",
            seconds, split ? " (+ parse only, half as long)" : "");
    printf ("# %-12s %5s %9s %9s %10s %9s %10s %9s %6s  %s\n", "set", "files", "KB", "stories",
            "stories/s", "MB/s", "parse st/s", "parse MB/s", "norm%", "formats");
    int status = 0;
    for (size_t s = 0; s < sets.len; s++) {
        set_t *set = &sets.items [s];
        //  One untimed pass: warms the caches and notes the formats seen
        result_t warm = { 0 };
        run_t run = { normalize, 0, 0 };
        s_pass (set, &run, &warm, true);
        uint64_t per_pass = run.stories;
        result_t full, parse = { 0 };
        s_loop (set, normalize, seconds, &full);
        if (split)
            s_loop (set, NULL, seconds / 2, &parse);
        double rate = full.seconds > 0 ? (double) full.stories / full.seconds : 0;
        double mbps = full.seconds > 0 ? (double) full.bytes / full.seconds / 1e6 : 0;
        double prate = parse.seconds > 0 ? (double) parse.stories / parse.seconds : 0;
        double pmbps = parse.seconds > 0 ? (double) parse.bytes / parse.seconds / 1e6 : 0;
        //  Share of the CPU time spent in normalize: 1 - (time per byte
        //  parsing alone) / (time per byte parsing and normalizing)
        double share = split && pmbps > 0 && mbps > 0 ? 1.0 - mbps / pmbps : -1;
        if (share < 0 && split && pmbps > 0)
            share = 0;
        char share_text [16] = "-";
        if (share >= 0)
            snprintf (share_text, sizeof share_text, "%.0f%%", share * 100);
        printf ("# %-12s %5zu %9.1f %9" PRIu64 " %10.0f %9.2f %10.0f %9.2f %6s  %s\n",
                set->label, set->inputs.len, (double) set->bytes / 1e3, per_pass, rate, mbps,
                prate, pmbps, share_text, set->formats [0] ? set->formats : "-");
        printf ("set=%s format=%s files=%zu bytes=%zu stories=%" PRIu64 " bad=%" PRIu64
                " failed=%" PRIu64 " secs=%.2f mb_per_s=%.2f stories_per_s=%.0f"
                " parse_mb_per_s=%.2f parse_stories_per_s=%.0f normalize_share=%.2f\n",
                set->label, set->formats [0] ? set->formats : "-", set->inputs.len, set->bytes,
                per_pass, warm.bad, run.failed,
                full.seconds, mbps, rate, pmbps, prate, share);
        fflush (stdout);
        if (per_pass == 0)
            status = 1;
    }
    normalize_destroy (&normalize);
    for (size_t s = 0; s < sets.len; s++) {
        for (size_t i = 0; i < sets.items [s].inputs.len; i++) {
            free (sets.items [s].inputs.items [i].name);
            free (sets.items [s].inputs.items [i].data);
        }
        free (sets.items [s].inputs.items);
        free (sets.items [s].label);
    }
    free (sets.items);
    free (only_list);
    return status;
}
