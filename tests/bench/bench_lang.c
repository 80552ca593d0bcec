//  SPDX-License-Identifier: MIT
//  bench_lang - language detection, microseconds per call
//
//  Builds the samples normalize hands lang_detect (headline, ".\n\n", body,
//  LANG_SAMPLE_BYTES + 1 bytes at most) from the normalized stories of the
//  Reuters-21578 corpus and of the shared atom and rss2 samples, then times,
//  in alternating rounds on this thread's CPU clock, lang_detect and each
//  of its steps alone (the n-gram ranking, the function words, the script
//  census) against the detector as it was before they were made faster
//  (tests/unit/lang_oracle.h), on the same texts. The Reuters set is a
//  stream of 21,578 different stories; the atom and rss2 sets are a few
//  hundred stories over and over, whose words the detector soon knows.
//
//  Prints one key=value line per set (microseconds per call):
//
//    set=reuters texts=21578 detect_us=... old_detect_us=... rank_us=...
//      old_rank_us=... words_us=... old_words_us=... census_us=...
//      old_census_us=... detect_speedup=... rank_speedup=...
//      words_speedup=... census_speedup=...
//
//  Usage: bench_lang [--shared DIR] [--seconds S] [--only SET,SET]

#include "common.h"
#include "ingest/ingest.h"
#include "normalize/normalize.h"
#include "../unit/lang_oracle.h"
#include <dirent.h>

typedef VEC (char *) texts_t;

static int64_t
s_cpu_usec (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct {
    normalize_t *normalize;
    texts_t *texts;
} collect_t;

//  The sample normalize builds for lang_detect
static void
s_emit (void *arg, story_t **story_p)
{
    collect_t *collect = (collect_t *) arg;
    story_t *story = *story_p;
    if (normalize_story (collect->normalize, story) == 0) {
        const char *headline = story_headline (story);
        const char *body = story_body (story);
        if (!body && story->descriptions.len)
            body = story->descriptions.items [0].value;
        if (headline || body) {
            buf_t sample;
            buf_init (&sample);
            if (headline) {
                buf_puts (&sample, headline);
                buf_puts (&sample, ".\n\n");
            }
            if (body)
                buf_puts (&sample, body);
            if (sample.size > LANG_SAMPLE_BYTES + 1)
                sample.size = LANG_SAMPLE_BYTES + 1;
            *vec_push (collect->texts) = xstrndup (sample.data, sample.size);
            buf_free (&sample);
        }
    }
    story_destroy (story_p);
}

static void
s_load_file (collect_t *collect, const char *path)
{
    uint8_t *data = NULL;
    size_t size = 0;
    if (file_read (path, DOCUMENT_MAX_SIZE, &data, &size) != 0) {
        fprintf (stderr, "bench_lang: cannot read %s\n", path);
        return;
    }
    document_t doc = {
        .source = "bench", .origin = (char *) path, .received = "2024-05-01T12:00:00Z",
        .data = data, .size = size
    };
    ingest_result_t outcome;
    ingest_document (&doc, s_emit, NULL, collect, &outcome);
    free (data);
}

static void
s_load_folder (collect_t *collect, const char *folder, const char *prefix)
{
    DIR *dir = opendir (folder);
    if (!dir) {
        fprintf (stderr, "bench_lang: cannot open %s\n", folder);
        return;
    }
    struct dirent *entry;
    while ((entry = readdir (dir)) != NULL) {
        if (entry->d_name [0] == '.' || str_ends (entry->d_name, ".md")
        || (prefix && !str_starts (entry->d_name, prefix)))
            continue;
        char *path = xasprintf ("%s/%s", folder, entry->d_name);
        s_load_file (collect, path);
        free (path);
    }
    closedir (dir);
}

//  The n-gram part of a sample, as lang_detect cuts it
static size_t
s_ngram_len (const char *text)
{
    size_t len = strlen (text);
    if (len > 512) {
        len = 512;
        while (len > 0 && ((unsigned char) text [len] & 0xC0) == 0x80)
            len--;
    }
    return len;
}

//  The bytes lang_detect reads for its census and function words
static size_t
s_sample_len (const char *text)
{
    size_t len = strlen (text);
    if (len > LANG_SAMPLE_BYTES) {
        len = LANG_SAMPLE_BYTES;
        while (len > 0 && ((unsigned char) text [len] & 0xC0) == 0x80)
            len--;
    }
    return len;
}

#define KINDS 8

static void
s_run (const char *label, texts_t *texts, lang_t *lang, oracle_t *oracle, double seconds)
{
    if (texts->len == 0)
        return;
    int64_t spent [KINDS] = { 0 };
    uint64_t calls [KINDS] = { 0 };
    uintptr_t sink = 0;
    int64_t budget = (int64_t) (seconds * 1e6 / KINDS);
    //  Rounds of each kind in turn, so that the machine's moods fall on all
    bool more = true;
    while (more) {
        for (int kind = 0; kind < KINDS; kind++) {
            int64_t start = s_cpu_usec ();
            for (size_t i = 0; i < texts->len; i++) {
                const char *text = texts->items [i];
                const char *codes [LANG_TEST_CANDIDATES];
                int32_t scores [LANG_TEST_MODELS];
                int hits [LANG_TEST_LISTS], words [LANG_TEST_LISTS], counts [64];
                switch (kind) {
                    case 0: sink += (uintptr_t) lang_detect (lang, text); break;
                    case 1: sink += (uintptr_t) oracle_detect (oracle, text); break;
                    case 2: sink += (uintptr_t) lang_test_rank (lang, text, s_ngram_len (text),
                                                                codes, scores); break;
                    case 3: sink += (uintptr_t) oracle_rank (oracle, text, s_ngram_len (text),
                                                             codes, scores); break;
                    case 4: lang_test_words (lang, text, s_sample_len (text), hits, words);
                            sink += (uintptr_t) hits [0]; break;
                    case 5: oracle_words (oracle, text, s_sample_len (text), hits, words);
                            sink += (uintptr_t) hits [0]; break;
                    case 6: sink += (uintptr_t) lang_test_census (text, s_sample_len (text),
                                                                  counts, 64); break;
                    default: sink += (uintptr_t) oracle_census_counts (text, s_sample_len (text),
                                                                       counts, 64); break;
                }
            }
            spent [kind] += s_cpu_usec () - start;
            calls [kind] += texts->len;
        }
        more = false;
        for (int kind = 0; kind < KINDS; kind++)
            more |= spent [kind] < budget;
    }
    double us [KINDS];
    for (int kind = 0; kind < KINDS; kind++)
        us [kind] = (double) spent [kind] / (double) calls [kind];
    printf ("set=%s texts=%zu detect_us=%.2f old_detect_us=%.2f rank_us=%.2f old_rank_us=%.2f"
            " words_us=%.2f old_words_us=%.2f census_us=%.2f old_census_us=%.2f"
            " detect_speedup=%.2f rank_speedup=%.2f words_speedup=%.2f census_speedup=%.2f"
            " (%s)\n", label, texts->len, us [0], us [1], us [2], us [3], us [4], us [5], us [6],
            us [7], us [1] / us [0], us [3] / us [2], us [5] / us [4], us [7] / us [6],
            sink ? "ok" : "-");
}

int
main (int argc, char *argv [])
{
    const char *shared = getenv ("COPYDESK_SHARED");
    double seconds = 4;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (streq (argv [i], "--shared") && i + 1 < argc)
            shared = argv [++i];
        else
        if (streq (argv [i], "--seconds") && i + 1 < argc)
            seconds = atof (argv [++i]);
        else
        if (streq (argv [i], "--only") && i + 1 < argc)
            only = argv [++i];
        else {
            fprintf (stderr, "usage: bench_lang [--shared DIR] [--seconds S] [--only SET,SET]\n");
            return 2;
        }
    }
    if (!shared) {
        fprintf (stderr, "bench_lang: no shared folder (--shared or COPYDESK_SHARED)\n");
        return 2;
    }
    lang_t *lang = lang_new (NULL);
    oracle_t *oracle = oracle_new (NULL);
    normalize_t *normalize = normalize_new (NULL);
    const char *sets [] = { "reuters", "atom", "rss2" };
    for (size_t s = 0; s < sizeof sets / sizeof sets [0]; s++) {
        if (only && !strstr (only, sets [s]))
            continue;
        texts_t texts = { 0 };
        collect_t collect = { normalize, &texts };
        char *folder = s == 0 ? xasprintf ("%s/data/reuters21578", shared)
                              : xasprintf ("%s/samples/%s", shared, sets [s]);
        s_load_folder (&collect, folder, s == 0 ? "reut2-" : NULL);
        free (folder);
        s_run (sets [s], &texts, lang, oracle, seconds);
        for (size_t i = 0; i < texts.len; i++)
            free (texts.items [i]);
        free (texts.items);
    }
    normalize_destroy (&normalize);
    oracle_destroy (&oracle);
    lang_destroy (&lang);
    return 0;
}
