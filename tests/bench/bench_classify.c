//  SPDX-License-Identifier: MIT
//  bench_classify - stories classified per second on one core
//
//  bench_classify CORPUS [MODEL] [ROUNDS]
//  Reads the corpus (Reuters SGML or ninjs lines) through the real parser,
//  then classifies every story ROUNDS times (default 3) with the default
//  data files (or MODEL): subjects only, then everything (subjects, rules,
//  keywords, places, people, organisations). Prints stories/s of each, by
//  this thread's CPU time.

#include "common.h"
#include "classify/classify.h"
#include "classify/corpus.h"

//  CPU time of this thread in microseconds (the machine may be shared:
//  wall time would count other processes' turns)
static int64_t
s_cpu_usec (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double
s_run (classify_t *classify, corpus_t *corpus, int flags, int rounds, size_t *count)
{
    classify_set_flags (classify, flags);
    *count = 0;
    int64_t elapsed = 0;
    size_t n = corpus->items.len;
    story_t **copies = (story_t **) xmalloc ((n + 1) * sizeof (story_t *));
    for (int r = 0; r < rounds; r++) {
        //  Copies made outside the timed part: the classifier works in place
        for (size_t i = 0; i < n; i++)
            copies [i] = story_dup (corpus->items.items [i].story);
        int64_t start = s_cpu_usec ();
        for (size_t i = 0; i < n; i++)
            classify_story (classify, copies [i]);
        elapsed += s_cpu_usec () - start;
        for (size_t i = 0; i < n; i++)
            story_destroy (&copies [i]);
        *count += n;
    }
    free (copies);
    return elapsed / 1e6;
}

int
main (int argc, char **argv)
{
    if (argc < 2) {
        fprintf (stderr, "usage: bench_classify CORPUS [MODEL] [ROUNDS]\n");
        return 2;
    }
    char err [512];
    corpus_t *corpus = corpus_load (argv [1], "all", err, sizeof err);
    if (!corpus) {
        fprintf (stderr, "bench_classify: %s\n", err);
        return 1;
    }
    config_t *config = config_load (NULL);
    if (argc > 2 && strcmp (argv [2], "-"))
        config_set (config, "classify/model", argv [2]);
    int rounds = argc > 3 ? atoi (argv [3]) : 3;
    classify_t *classify = classify_new (config, err, sizeof err);
    if (!classify) {
        fprintf (stderr, "bench_classify: %s\n", err);
        return 1;
    }
    size_t bytes = 0;
    for (size_t i = 0; i < corpus->items.len; i++) {
        const char *body = story_body (corpus->items.items [i].story);
        bytes += body ? strlen (body) : 0;
    }
    printf ("corpus: %zu stories, mean body %zu bytes\n", corpus->items.len,
            corpus->items.len ? bytes / corpus->items.len : 0);
    size_t count = 0;
    //  The model alone: tokenize, stem, tf-idf, linear scores of every category
    float *scores = (float *) xcalloc (classify_model (classify)->cats.len + 1, sizeof (float));
    int64_t start = s_cpu_usec ();
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < corpus->items.len; i++, count++)
            classify_scores (classify, corpus->items.items [i].story, scores);
    double seconds = (s_cpu_usec () - start) / 1e6;
    free (scores);
    printf ("model scores only:    %8.0f stories/s (%zu in %.2fs)\n", count / seconds, count, seconds);
    seconds = s_run (classify, corpus, CLASSIFY_SUBJECTS, rounds, &count);
    printf ("subjects (+ rules):   %8.0f stories/s (%zu in %.2fs)\n", count / seconds, count, seconds);
    seconds = s_run (classify, corpus, CLASSIFY_SUBJECTS | CLASSIFY_KEYWORDS | CLASSIFY_PLACES, rounds, &count);
    printf ("+ keywords, places:   %8.0f stories/s (%zu in %.2fs)\n", count / seconds, count, seconds);
    seconds = s_run (classify, corpus, CLASSIFY_ALL, rounds, &count);
    printf ("everything:           %8.0f stories/s (%zu in %.2fs)\n", count / seconds, count, seconds);
    classify_destroy (&classify);
    config_destroy (&config);
    corpus_destroy (&corpus);
    return 0;
}
