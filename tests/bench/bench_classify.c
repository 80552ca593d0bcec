//  SPDX-License-Identifier: MIT
//  bench_classify - stories classified per second on one core
//
//  bench_classify [--only WHAT] [--limit N] CORPUS [MODEL] [ROUNDS]
//  Reads the corpus (Reuters SGML or ninjs lines) through the real parser,
//  then classifies every story ROUNDS times (default 3) with the default
//  data files (or MODEL, "-" for the default): the model alone, subjects
//  (+ rules), + keywords and places, everything (subjects, rules, keywords,
//  places, people, organisations), then each of keywords, places and
//  entities on its own. Prints stories/s of each, by this thread's CPU time.
//  A round over the corpus warms the caches before anything is timed, as a
//  long-running worker would have them.
//
//  --only WHAT   one configuration: scores, subjects, places, all,
//                keywords-only, places-only, entities-only
//  --limit N     the first N stories of the corpus only
//
//  For instruction counts (they do not depend on the machine's load):
//      valgrind --tool=callgrind --collect-atstart=no
//          --toggle-collect=s_timed_round bench_classify --only all CORPUS - 1
//  counts the timed rounds only; callgrind_annotate --inclusive=yes splits
//  them by component (divide by the stories classified).

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

//  One configuration of the benchmark
typedef struct {
    const char *name;           //  For --only
    const char *label;          //  Printed (scripts/bench reads these lines)
    int flags;                  //  CLASSIFY_* flags, 0 for the model alone
} s_config_t;

static const s_config_t s_configs [] = {
    { "scores",        "model scores only:    ", 0 },
    { "subjects",      "subjects (+ rules):   ", CLASSIFY_SUBJECTS },
    { "places",        "+ keywords, places:   ", CLASSIFY_SUBJECTS | CLASSIFY_KEYWORDS | CLASSIFY_PLACES },
    { "all",           "everything:           ", CLASSIFY_ALL },
    { "keywords-only", "keywords alone:       ", CLASSIFY_KEYWORDS },
    { "places-only",   "places alone:         ", CLASSIFY_PLACES },
    { "entities-only", "entities alone:       ", CLASSIFY_ENTITIES },
    { NULL, NULL, 0 }
};

//  One timed round over the stories (a function of its own, so that
//  callgrind can count it alone with --toggle-collect)
static void __attribute__ ((noinline))
s_timed_round (classify_t *classify, story_t **stories, size_t n, int flags, float *scores)
{
    for (size_t i = 0; i < n; i++)
        if (flags)
            classify_story (classify, stories [i]);
        else
            classify_scores (classify, stories [i], scores);
}

//  Run one configuration for rounds over the first n stories; returns the
//  CPU seconds of the timed part
static double
s_run (classify_t *classify, corpus_t *corpus, size_t n, int flags, int rounds)
{
    classify_set_flags (classify, flags ? flags : CLASSIFY_ALL);
    float *scores = (float *) xcalloc (classify_model (classify)->cats.len + 1, sizeof (float));
    story_t **copies = (story_t **) xmalloc ((n + 1) * sizeof (story_t *));
    int64_t elapsed = 0;
    for (int r = 0; r <= rounds; r++) {
        //  Copies made outside the timed part: the classifier works in place
        for (size_t i = 0; i < n; i++)
            copies [i] = story_dup (corpus->items.items [i].story);
        if (r == 0) {
            //  Warm-up round, not timed
            for (size_t i = 0; i < n; i++)
                classify_story (classify, copies [i]);
        }
        else {
            int64_t start = s_cpu_usec ();
            s_timed_round (classify, copies, n, flags, scores);
            elapsed += s_cpu_usec () - start;
        }
        for (size_t i = 0; i < n; i++)
            story_destroy (&copies [i]);
    }
    free (copies);
    free (scores);
    return elapsed / 1e6;
}

int
main (int argc, char **argv)
{
    const char *only = NULL;
    size_t limit = 0;
    const char *positional [3] = { NULL, NULL, NULL };
    int npositional = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv [i], "--only") == 0 && i + 1 < argc)
            only = argv [++i];
        else
        if (strcmp (argv [i], "--limit") == 0 && i + 1 < argc)
            limit = (size_t) strtoull (argv [++i], NULL, 10);
        else
        if (npositional < 3)
            positional [npositional++] = argv [i];
    }
    if (npositional < 1) {
        fprintf (stderr, "usage: bench_classify [--only WHAT] [--limit N] CORPUS [MODEL] [ROUNDS]\n");
        return 2;
    }
    if (only) {
        bool known = false;
        for (int c = 0; s_configs [c].name; c++)
            known = known || strcmp (s_configs [c].name, only) == 0;
        if (!known) {
            fprintf (stderr, "bench_classify: --only takes scores, subjects, places, all, "
                             "keywords-only, places-only or entities-only\n");
            return 2;
        }
    }
    char err [512];
    corpus_t *corpus = corpus_load (positional [0], "all", err, sizeof err);
    if (!corpus) {
        fprintf (stderr, "bench_classify: %s\n", err);
        return 1;
    }
    config_t *config = config_load (NULL);
    if (npositional > 1 && strcmp (positional [1], "-"))
        config_set (config, "classify/model", positional [1]);
    int rounds = npositional > 2 ? atoi (positional [2]) : 3;
    if (rounds < 1)
        rounds = 1;
    classify_t *classify = classify_new (config, err, sizeof err);
    if (!classify) {
        fprintf (stderr, "bench_classify: %s\n", err);
        return 1;
    }
    size_t n = corpus->items.len;
    if (limit && limit < n)
        n = limit;
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        const char *body = story_body (corpus->items.items [i].story);
        bytes += body ? strlen (body) : 0;
    }
    printf ("corpus: %zu stories, mean body %zu bytes\n", n, n ? bytes / n : 0);
    for (int c = 0; s_configs [c].name; c++) {
        if (only && strcmp (s_configs [c].name, only))
            continue;
        double seconds = s_run (classify, corpus, n, s_configs [c].flags, rounds);
        size_t count = n * (size_t) rounds;
        printf ("%s%8.0f stories/s (%zu in %.2fs)\n", s_configs [c].label,
                seconds > 0 ? count / seconds : 0, count, seconds);
    }
    classify_destroy (&classify);
    config_destroy (&config);
    corpus_destroy (&corpus);
    return 0;
}
