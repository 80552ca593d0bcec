//  SPDX-License-Identifier: MIT
//  bench_textparse - throughput of the text-family parsers on one core
//
//  bench_textparse SHARED [SECONDS] [--normalize]
//  Loads the 22 Reuters-21578 files (SHARED/data/reuters21578) and every
//  file of SHARED/samples/{iptc7901,anpa1312,zczc,ninjs,plaintext} into
//  memory, then runs ingest_document over each set in a loop for SECONDS
//  (default 3) of this thread's CPU time, and prints MB/s and stories/s
//  per format. Parse only, unless --normalize: then every story also goes
//  through normalize_story, as `copydesk parse` and the pipeline do.

#include "common.h"
#include "ingest/ingest.h"
#include "normalize/normalize.h"
#include <dirent.h>

typedef struct {
    char *name;
    uint8_t *data;
    size_t size;
} input_t;

typedef VEC (input_t) inputv_t;

typedef struct {
    normalize_t *normalize;     //  NULL: parse only
    uint64_t stories;
    uint64_t failed;
} run_t;

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

//  Load every regular file of a folder
static void
s_load_folder (const char *folder, inputv_t *inputs)
{
    DIR *dir = opendir (folder);
    if (!dir) {
        fprintf (stderr, "bench_textparse: cannot open %s\n", folder);
        exit (1);
    }
    struct dirent *entry;
    while ((entry = readdir (dir)) != NULL) {
        if (entry->d_name [0] == '.')
            continue;
        input_t *input = vec_push (inputs);
        input->name = xasprintf ("%s/%s", folder, entry->d_name);
        if (file_read (input->name, DOCUMENT_MAX_SIZE, &input->data, &input->size) != 0) {
            fprintf (stderr, "bench_textparse: cannot read %s\n", input->name);
            exit (1);
        }
    }
    closedir (dir);
}

//  Run one set for seconds of CPU time; prints a line
static void
s_bench (const char *label, inputv_t *inputs, double seconds, normalize_t *normalize)
{
    run_t run = { normalize, 0, 0 };
    uint64_t bytes = 0, documents = 0;
    int64_t start = s_cpu_usec ();
    int64_t limit = start + (int64_t) (seconds * 1e6);
    do {
        for (size_t i = 0; i < inputs->len; i++) {
            document_t *doc = document_new ("bench", inputs->items [i].name,
                                            inputs->items [i].data, inputs->items [i].size);
            ingest_result_t result;
            ingest_document (doc, s_emit, NULL, &run, &result);
            document_destroy (&doc);
            bytes += inputs->items [i].size;
            documents++;
        }
    } while (s_cpu_usec () < limit);
    double elapsed = (double) (s_cpu_usec () - start) / 1e6;
    printf ("%-14s %8.0f stories/s %8.1f MB/s  (%" PRIu64 " stories, %" PRIu64 " documents, %.2f s%s)\n",
            label, (double) run.stories / elapsed, (double) bytes / elapsed / 1e6,
            run.stories, documents, elapsed, run.failed ? ", normalize failures" : "");
}

int
main (int argc, char **argv)
{
    if (argc < 2) {
        fprintf (stderr, "usage: bench_textparse SHARED [SECONDS] [--normalize]\n");
        return 2;
    }
    const char *shared = argv [1];
    double seconds = 3;
    bool normalize = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp (argv [i], "--normalize") == 0)
            normalize = true;
        else
            seconds = atof (argv [i]);
    }
    normalize_t *normalizer = normalize ? normalize_new (NULL) : NULL;
    printf ("%s, one core, %.0f s each\n", normalize ? "parse + normalize" : "parse only", seconds);

    inputv_t reuters = { 0 };
    for (int f = 0; f < 22; f++) {
        input_t *input = vec_push (&reuters);
        input->name = xasprintf ("%s/data/reuters21578/reut2-%03d.sgm", shared, f);
        if (file_read (input->name, DOCUMENT_MAX_SIZE, &input->data, &input->size) != 0) {
            fprintf (stderr, "bench_textparse: cannot read %s\n", input->name);
            return 1;
        }
    }
    s_bench ("reuters-sgml", &reuters, seconds, normalizer);

    const char *folders [] = { "iptc7901", "anpa1312", "zczc", "ninjs", "plaintext" };
    inputv_t all [5] = { { 0 } };
    for (int f = 0; f < 5; f++) {
        char *folder = xasprintf ("%s/samples/%s", shared, folders [f]);
        s_load_folder (folder, &all [f]);
        free (folder);
        s_bench (folders [f], &all [f], seconds, normalizer);
    }
    for (int f = -1; f < 5; f++) {
        inputv_t *set = f < 0 ? &reuters : &all [f];
        for (size_t i = 0; i < set->len; i++) {
            free (set->items [i].name);
            free (set->items [i].data);
        }
        free (set->items);
    }
    normalize_destroy (&normalizer);
    return 0;
}
