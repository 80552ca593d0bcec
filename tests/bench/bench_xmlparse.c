//  SPDX-License-Identifier: MIT
//  bench_xmlparse - parse throughput of the XML agency formats on one core
//
//  bench_xmlparse SAMPLES [SECONDS] [--normalize]
//  Loads every file of SAMPLES/nitf, SAMPLES/newsml-g2 and
//  SAMPLES/newsml-1.2 into memory, then runs ingest_document over each
//  folder in a loop for SECONDS (default 3) of this thread's CPU time, and
//  prints MB/s and stories/s per format and overall. Parse only, or parse
//  and normalize_story with --normalize (default configuration); no
//  transport. Stories are freed as they come.

#include "common.h"
#include "ingest/ingest.h"
#include "normalize/normalize.h"
#include <dirent.h>

typedef struct {
    char *name;
    uint8_t *data;
    size_t size;
} sample_t;

typedef VEC (sample_t) samplev_t;

static int64_t
s_cpu_usec (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct {
    size_t stories;             //  Stories seen
    normalize_t *normalize;     //  Normalizer, or NULL for parse only
} run_t;

static void
s_emit (void *arg, story_t **story_p)
{
    run_t *run = (run_t *) arg;
    run->stories++;
    if (run->normalize)
        normalize_story (run->normalize, *story_p);
    story_destroy (story_p);
}

//  Load every regular file of a folder
static size_t
s_load (const char *folder, samplev_t *samples)
{
    DIR *dir = opendir (folder);
    if (!dir) {
        fprintf (stderr, "bench_xmlparse: cannot open %s: %s\n", folder, strerror (errno));
        exit (1);
    }
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir (dir)) != NULL) {
        if (entry->d_name [0] == '.')
            continue;
        char *path = xasprintf ("%s/%s", folder, entry->d_name);
        sample_t sample = { .name = path };
        if (file_read (path, DOCUMENT_MAX_SIZE, &sample.data, &sample.size) == 0) {
            sample_t *slot = vec_push (samples);
            *slot = sample;
            count++;
        }
        else
            free (path);
    }
    closedir (dir);
    return count;
}

int
main (int argc, char **argv)
{
    if (argc < 2) {
        fprintf (stderr, "usage: bench_xmlparse SAMPLES [SECONDS]\n");
        return 2;
    }
    double seconds = argc > 2 && argv [2][0] != '-' ? atof (argv [2]) : 3.0;
    run_t run = { 0 };
    for (int i = 2; i < argc; i++)
        if (strcmp (argv [i], "--normalize") == 0)
            run.normalize = normalize_new (NULL);
    const struct { const char *folder; const char *format; } formats [] = {
        { "nitf", "nitf" }, { "newsml-g2", "newsml-g2" }, { "newsml-1.2", "newsml-1" }
    };
    double total_bytes = 0, total_time = 0, total_stories = 0;
    for (size_t f = 0; f < 3; f++) {
        samplev_t samples = { 0 };
        char *folder = xasprintf ("%s/%s", argv [1], formats [f].folder);
        s_load (folder, &samples);
        free (folder);
        size_t bytes = 0;
        for (size_t i = 0; i < samples.len; i++)
            bytes += samples.items [i].size;
        size_t rounds = 0;
        run.stories = 0;
        int64_t elapsed = 0;
        while (elapsed < (int64_t) (seconds * 1e6)) {
            int64_t start = s_cpu_usec ();
            for (size_t i = 0; i < samples.len; i++) {
                document_t doc = {
                    .source = "bench", .origin = samples.items [i].name,
                    .format = (char *) formats [f].format,
                    .received = "2024-01-01T00:00:00Z",
                    .data = samples.items [i].data, .size = samples.items [i].size
                };
                ingest_result_t result;
                ingest_document (&doc, s_emit, NULL, &run, &result);
            }
            elapsed += s_cpu_usec () - start;
            rounds++;
        }
        double secs = elapsed / 1e6;
        double mb = (double) bytes * (double) rounds / 1e6;
        printf ("%-10s %3zu files %7.1f KB  %6.1f MB/s  %8.0f stories/s  (%zu rounds)\n",
                formats [f].format, samples.len, bytes / 1e3, mb / secs, run.stories / secs, rounds);
        total_bytes += mb;
        total_time += secs;
        total_stories += (double) run.stories;
        for (size_t i = 0; i < samples.len; i++) {
            free (samples.items [i].name);
            free (samples.items [i].data);
        }
        free (samples.items);
    }
    printf ("%-10s                    %6.1f MB/s  %8.0f stories/s%s\n", "all",
            total_bytes / total_time, total_stories / total_time,
            run.normalize ? "  (parse + normalize)" : "  (parse)");
    normalize_destroy (&run.normalize);
    return 0;
}
