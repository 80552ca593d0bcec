//  SPDX-License-Identifier: MIT
//  bench_store - solo insert rate of the store class
//
//  Loads stories (the Reuters-21578 corpus through the real ingest parser,
//  normalized and classified as the pipeline's stages do, or generated ones
//  of a given size), encodes them as the store stage receives them, then times what the stage does per story: decode, upsert
//  with FTS5 indexing, one transaction per batch. Each FTS layout and batch
//  size gets a fresh database; the median of --repeat runs is printed. A
//  second pass re-puts every story (redelivery: all unchanged).
//
//  bench_store [--corpus DIR | --synthetic BYTES] [--count N] [--repeat R]
//              [--batches 100,500,1000] [--fts external/full,...] [--dir TMP] [--raw]

#include "common.h"
#include "store/store.h"
#include "ingest/ingest.h"
#include "normalize/normalize.h"
#include "classify/classify.h"
#include <dirent.h>
#include <sqlite3.h>

typedef VEC (story_t *) storyv_t;

//  --------------------------------------------------------------------------
//  Stories from the Reuters corpus, through the ingest parser

static void
s_collect (void *arg, story_t **story_p)
{
    storyv_t *stories = (storyv_t *) arg;
    *vec_push (stories) = *story_p;
    *story_p = NULL;
}

static int
s_name_compare (const void *a, const void *b)
{
    return strcmp (*(char * const *) a, *(char * const *) b);
}

static int
s_load_corpus (const char *dir, size_t count, storyv_t *stories)
{
    DIR *d = opendir (dir);
    if (!d) {
        fprintf (stderr, "bench_store: cannot read %s: %s\n", dir, strerror (errno));
        return -1;
    }
    strv_t files = { 0 };
    struct dirent *entry;
    while ((entry = readdir (d)))
        if (str_starts (entry->d_name, "reut2-") && str_ends (entry->d_name, ".sgm"))
            strv_addf (&files, "%s/%s", dir, entry->d_name);
    closedir (d);
    qsort (files.items, files.len, sizeof (char *), s_name_compare);
    for (size_t i = 0; i < files.len && stories->len < count; i++) {
        uint8_t *data;
        size_t size;
        if (file_read (files.items [i], 64 * 1024 * 1024, &data, &size)) {
            fprintf (stderr, "bench_store: cannot read %s\n", files.items [i]);
            continue;
        }
        document_t *doc = document_new ("reuters", files.items [i], data, size);
        free (data);
        ingest_result_t result;
        if (ingest_document (doc, s_collect, NULL, stories, &result))
            fprintf (stderr, "bench_store: %s\n", result.error);
        document_destroy (&doc);
    }
    strv_free (&files);
    while (stories->len > count)
        story_destroy (&stories->items [--stories->len]);
    if (stories->len == 0) {
        fprintf (stderr, "bench_store: no stories in %s\n", dir);
        return -1;
    }
    return 0;
}

//  What the normalize and classify stages do to each story before the store
//  gets it (the default model and data files), so that the records are the
//  pipeline's. A story the normalizer refuses is left out, as the pipeline
//  sends it to the dead-letter log.
static int
s_prepare (storyv_t *stories)
{
    normalize_t *normalize = normalize_new (NULL);
    config_t *config = config_load (NULL);
    char err [512];
    classify_t *classify = classify_new (config, err, sizeof err);
    if (!classify) {
        fprintf (stderr, "bench_store: %s\n", err);
        normalize_destroy (&normalize);
        config_destroy (&config);
        return -1;
    }
    size_t kept = 0;
    for (size_t i = 0; i < stories->len; i++) {
        story_t *story = stories->items [i];
        if (normalize_story (normalize, story) != 0) {
            story_destroy (&story);
            continue;
        }
        classify_story (classify, story);
        stories->items [kept++] = story;
    }
    stories->len = kept;
    classify_destroy (&classify);
    normalize_destroy (&normalize);
    config_destroy (&config);
    return 0;
}

//  --------------------------------------------------------------------------
//  Generated stories: Zipf-distributed pseudo-words from a 20k vocabulary

static uint64_t s_seed = 0x9E3779B97F4A7C15ull;

static uint64_t
s_random (void)
{
    s_seed ^= s_seed << 13;
    s_seed ^= s_seed >> 7;
    s_seed ^= s_seed << 17;
    return s_seed;
}

#define VOCABULARY 20000

static char **s_words;          //  The vocabulary
static double *s_zipf;          //  Cumulative Zipf probabilities

static void
s_vocabulary (void)
{
    static const char *syllables [] = {
        "ba", "ko", "ri", "tan", "mel", "sor", "vi", "dun", "pra", "ge", "lo", "chi",
        "mar", "ket", "ra", "te", "ex", "port", "oil", "bank", "cor", "in", "st", "al"
    };
    s_words = (char **) xcalloc (VOCABULARY, sizeof (char *));
    s_zipf = (double *) xcalloc (VOCABULARY, sizeof (double));
    double total = 0;
    for (int i = 0; i < VOCABULARY; i++) {
        buf_t word;
        buf_init (&word);
        int n = 1 + (int) (s_random () % 4);
        for (int s = 0; s < n; s++)
            buf_puts (&word, syllables [s_random () % 24]);
        buf_printf (&word, "%d", i % 7 ? 0 : i % 10);
        s_words [i] = buf_detach (&word);
        total += 1.0 / (i + 1);
        s_zipf [i] = total;
    }
    for (int i = 0; i < VOCABULARY; i++)
        s_zipf [i] /= total;
}

static const char *
s_word (void)
{
    double r = (double) (s_random () % 1000000000) / 1e9;
    int lo = 0, hi = VOCABULARY - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (s_zipf [mid] < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return s_words [lo];
}

static void
s_generate (size_t count, size_t bytes, storyv_t *stories)
{
    s_vocabulary ();
    static const char *codes [] = { "earn", "acq", "money-fx", "crude", "grain", "trade", "interest" };
    for (size_t i = 0; i < count; i++) {
        story_t *s = story_new ();
        char *uri = xasprintf ("tag:bench.copydesk,2024:%zu", i);
        str_set (&s->uri, uri);
        free (uri);
        str_set (&s->version, "1");
        char when [40];
        time_format_rfc3339 (1714557600 + (int64_t) i * 7, when, sizeof when);
        str_set (&s->versioncreated, when);
        str_set (&s->firstcreated, when);
        str_set (&s->pubstatus, "usable");
        str_set (&s->language, "en");
        s->urgency = 1 + (int) (s_random () % 8);
        buf_t text;
        buf_init (&text);
        for (int w = 0; w < 9; w++)
            buf_printf (&text, "%s%s", w ? " " : "", s_word ());
        story_add_text (&s->headlines, "main", NULL, text.data);
        buf_clear (&text);
        while (text.size + 10 < bytes - 300) {
            buf_puts (&text, s_word ());
            buf_putc (&text, text.size % 400 < 8 ? '\n' : ' ');
        }
        story_text_t *body = story_add_text (&s->bodies, "main", "text/plain", text.data);
        body->charcount = (int) text.size;
        buf_free (&text);
        story_concept_t *c = story_add_concept (&s->subjects, NULL);
        c->literal = xasprintf ("reuters:%s", codes [s_random () % 7]);
        str_set (&c->creator, "classify");
        c->confidence = 80;
        c = story_add_concept (&s->places, "United States");
        str_set (&c->literal, "iso3166:US");
        str_set (&s->ingest.provider, "bench");
        str_set (&s->ingest.format, "synthetic");
        str_set (&s->ingest.received, when);
        *vec_push (stories) = s;
    }
    for (int i = 0; i < VOCABULARY; i++)
        free (s_words [i]);
    free (s_words);
    free (s_zipf);
}

//  --------------------------------------------------------------------------
//  One timed run

typedef struct {
    double rows_per_s;          //  First pass: all inserted
    double rows_per_cpu_s;      //  The same per second of CPU (less noisy on a busy box)
    double unchanged_per_s;     //  Second pass: all unchanged
    double db_mb;               //  Database + WAL at the end
    double search_ms;           //  Median time of a one-word search (20 hits)
} run_t;

static off_t
s_file_size (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 ? st.st_size : 0;
}

static void
s_remove_db (const char *path)
{
    const char *suffixes [] = { "", "-wal", "-shm", NULL };
    for (int i = 0; suffixes [i]; i++) {
        char *file = xasprintf ("%s%s", path, suffixes [i]);
        unlink (file);
        free (file);
    }
}

//  CPU time of this process, in seconds
static double
s_cpu_seconds (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

//  Decode, put, commit every batch. Returns stories/s or -1; *per_cpu
//  (may be NULL) gets stories per CPU second.
static double
s_pass (store_t *store, buf_t *records, size_t count, int batch, uint64_t *outcomes,
        double *per_cpu)
{
    int64_t start = time_mono_usec ();
    double cpu = s_cpu_seconds ();
    char reason [256];
    for (size_t i = 0; i < count; i += (size_t) batch) {
        if (store_begin (store))
            return -1;
        for (size_t j = i; j < i + (size_t) batch && j < count; j++) {
            story_t *story = story_decode ((uint8_t *) records [j].data, records [j].size,
                                           reason, sizeof reason);
            if (!story) {
                fprintf (stderr, "bench_store: %s\n", reason);
                return -1;
            }
            store_put_t put;
            if (store_put (store, story, records [j].data, records [j].size, &put)) {
                fprintf (stderr, "bench_store: %s\n", store_error (store));
                story_destroy (&story);
                return -1;
            }
            outcomes [put.outcome]++;
            story_destroy (&story);
        }
        if (store_commit (store)) {
            fprintf (stderr, "bench_store: %s\n", store_error (store));
            return -1;
        }
    }
    double seconds = (double) (time_mono_usec () - start) / 1e6;
    if (per_cpu)
        *per_cpu = (double) count / (s_cpu_seconds () - cpu);
    return (double) count / seconds;
}

static double s_median (double *values, int n);

static strv_t s_queries;        //  One-word queries, from the headlines

//  Median milliseconds of the queries (20 hits each, snippets on)
static double
s_search_ms (store_t *store)
{
    double times [64];
    int n = 0;
    for (size_t i = 0; i < s_queries.len && n < 64; i++) {
        store_query_t query = { .query = s_queries.items [i], .limit = 20 };
        store_hitv_t hits = { 0 };
        int64_t start = time_mono_usec ();
        if (store_search (store, &query, &hits, NULL, 0) >= 0)
            times [n++] = (double) (time_mono_usec () - start) / 1000.0;
        store_hits_free (&hits);
    }
    return n ? s_median (times, n) : 0;
}

static int
s_run (const char *path, const char *fts, int batch, buf_t *records, size_t count, run_t *run)
{
    char content [32], detail [32];
    if (sscanf (fts, "%31[^/]/%31s", content, detail) != 2) {
        fprintf (stderr, "bench_store: --fts takes content/detail, e.g. external/full\n");
        return -1;
    }
    s_remove_db (path);
    store_options_t options;
    store_options_init (&options, NULL);
    options.fts_content = content;
    options.fts_detail = detail;
    char err [512];
    store_t *store = store_new (path, &options, err, sizeof err);
    if (!store) {
        fprintf (stderr, "bench_store: %s\n", err);
        return -1;
    }
    uint64_t outcomes [3] = { 0 };
    run->rows_per_s = s_pass (store, records, count, batch, outcomes, &run->rows_per_cpu_s);
    if (run->rows_per_s > 0 && outcomes [STORE_INSERTED] != count)
        fprintf (stderr, "bench_store: only %" PRIu64 " of %zu inserted (duplicate uri+version"
                         " in the input)\n", outcomes [STORE_INSERTED], count);
    run->unchanged_per_s = s_pass (store, records, count, batch, outcomes, NULL);
    run->search_ms = s_search_ms (store);
    store_destroy (&store);
    char *wal = xasprintf ("%s-wal", path);
    run->db_mb = (double) (s_file_size (path) + s_file_size (wal)) / (1024.0 * 1024.0);
    free (wal);
    s_remove_db (path);
    return run->rows_per_s > 0 && run->unchanged_per_s > 0 ? 0 : -1;
}

static int
s_double_compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double
s_median (double *values, int n)
{
    qsort (values, (size_t) n, sizeof (double), s_double_compare);
    return n % 2 ? values [n / 2] : (values [n / 2 - 1] + values [n / 2]) / 2;
}

//  --------------------------------------------------------------------------

static void
s_usage (void)
{
    fprintf (stderr,
        "Usage: bench_store [--corpus DIR | --synthetic BYTES] [--count N] [--repeat R]\n"
        "                   [--batches 100,500,1000] [--fts external/full,external/column,...]\n"
        "                   [--dir TMP] [--raw]\n"
        "Solo insert rate of the store: decode + upsert + FTS5, one transaction per batch.\n"
        "Default: the Reuters-21578 corpus in $COPYDESK_SHARED/data/reuters21578, each\n"
        "story normalized and classified as the pipeline does (--raw: as parsed).\n");
}

int
main (int argc, char **argv)
{
    const char *corpus = NULL;
    size_t synthetic = 0, count = SIZE_MAX;
    bool raw = false;
    int repeat = 3;
    char *batches = xstrdup ("100,500,1000");
    char *fts = xstrdup ("external/full,external/column,contentless/full");
    const char *dir = getenv ("TMPDIR");
    if (str_empty (dir))
        dir = "/tmp";
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        const char *value = i + 1 < argc ? argv [i + 1] : NULL;
        if (streq (arg, "-h") || streq (arg, "--help")) {
            s_usage ();
            return 0;
        }
        if (streq (arg, "--raw")) {
            raw = true;
            continue;
        }
        if (!value) {
            s_usage ();
            return 2;
        }
        if (streq (arg, "--corpus"))
            corpus = value;
        else
        if (streq (arg, "--synthetic"))
            synthetic = (size_t) atol (value);
        else
        if (streq (arg, "--count"))
            count = (size_t) atol (value);
        else
        if (streq (arg, "--repeat"))
            repeat = atoi (value) > 0 ? atoi (value) : 1;
        else
        if (streq (arg, "--batches"))
            str_set (&batches, value);
        else
        if (streq (arg, "--fts"))
            str_set (&fts, value);
        else
        if (streq (arg, "--dir"))
            dir = value;
        else {
            s_usage ();
            return 2;
        }
        i++;
    }

    storyv_t stories = { 0 };
    char *source;
    if (synthetic) {
        if (count == SIZE_MAX)
            count = 20000;
        if (synthetic < 512)
            synthetic = 512;
        s_generate (count, synthetic, &stories);
        source = xasprintf ("generated, ~%zu B each", synthetic);
    }
    else {
        char *path = corpus ? xstrdup (corpus) : NULL;
        if (!path) {
            const char *shared = getenv ("COPYDESK_SHARED");
            if (str_empty (shared)) {
                fprintf (stderr, "bench_store: set COPYDESK_SHARED or give --corpus DIR\n");
                return 1;
            }
            path = xasprintf ("%s/data/reuters21578", shared);
        }
        if (s_load_corpus (path, count, &stories)) {
            free (path);
            return 1;
        }
        free (path);
        if (!raw && s_prepare (&stories))
            return 1;
        source = xstrdup (raw ? "Reuters-21578 via the ingest parser"
                              : "Reuters-21578 via the ingest parser, normalized and classified");
    }
    //  Records as the stage receives them
    buf_t *records = (buf_t *) xcalloc (stories.len, sizeof (buf_t));
    double bytes = 0, body = 0;
    for (size_t i = 0; i < stories.len; i++) {
        buf_init (&records [i]);
        story_encode (stories.items [i], &records [i]);
        bytes += (double) records [i].size;
        const char *text = story_body (stories.items [i]);
        body += text ? (double) strlen (text) : 0;
    }
    count = stories.len;
    //  Queries: the first word of 4+ letters of 64 headlines spread over the set
    for (size_t i = 0; i < 64; i++) {
        const char *headline = story_headline (stories.items [i * count / 64]);
        for (const char *p = headline ? headline : ""; *p; ) {
            while (*p && !isalpha ((unsigned char) *p))
                p++;
            const char *start = p;
            while (isalpha ((unsigned char) *p))
                p++;
            if (p - start >= 4) {
                char *word = xstrndup (start, (size_t) (p - start));
                strv_push (&s_queries, word);
                free (word);
                break;
            }
        }
    }
    printf ("bench_store: %zu stories (%s); record %.0f B, body %.0f B on average; SQLite %s\n",
            count, source, bytes / (double) count, body / (double) count, sqlite3_libversion ());
    printf ("%-18s %6s %10s %8s %12s %14s %8s %10s\n",
            "fts", "batch", "rows/s", "MB/s", "rows/cpu-s", "unchanged/s", "db MB", "search ms");

    char *path = xasprintf ("%s/bench_store.%d.db", dir, (int) getpid ());
    int status = 0;
    char *fts_save = NULL;
    for (char *layout = strtok_r (fts, ",", &fts_save); layout && !status;
         layout = strtok_r (NULL, ",", &fts_save)) {
        char *copy = xstrdup (batches), *batch_save = NULL;
        for (char *b = strtok_r (copy, ",", &batch_save); b && !status;
             b = strtok_r (NULL, ",", &batch_save)) {
            int batch = atoi (b) > 0 ? atoi (b) : 1;
            double rates [32], unchanged [32], cpu [32], search [32];
            run_t run = { 0 };
            int runs = repeat < 32 ? repeat : 32;
            for (int r = 0; r < runs && !status; r++) {
                if (s_run (path, layout, batch, records, count, &run))
                    status = 1;
                rates [r] = run.rows_per_s;
                cpu [r] = run.rows_per_cpu_s;
                search [r] = run.search_ms;
                unchanged [r] = run.unchanged_per_s;
            }
            if (status)
                break;
            double rate = s_median (rates, runs);
            printf ("%-18s %6d %10.0f %8.1f %12.0f %14.0f %8.1f %10.2f\n", layout, batch, rate,
                    rate * bytes / (double) count / (1024.0 * 1024.0), s_median (cpu, runs),
                    s_median (unchanged, runs), run.db_mb, s_median (search, runs));
            fflush (stdout);
        }
        free (copy);
    }
    free (path);
    for (size_t i = 0; i < count; i++) {
        buf_free (&records [i]);
        story_destroy (&stories.items [i]);
    }
    free (records);
    free (stories.items);
    free (source);
    strv_free (&s_queries);
    free (batches);
    free (fts);
    return status;
}
