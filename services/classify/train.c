//  SPDX-License-Identifier: MIT
//  train - vocabulary, liblinear one-vs-rest, CV thresholds (see train.h)

#include "common.h"
#include "classify/strmap.h"
#include "classify/train.h"
#include <linear.h>

void
train_options_init (train_options_t *options)
{
    memset (options, 0, sizeof *options);
    options->c = 1.0;
    options->solver = TRAIN_SVM;
    options->folds = 5;
    options->min_df = 2;
    options->min_df_bigram = 3;
    options->headline_weight = 2;
    options->min_positives = 1;
    options->positive_weight = 1.0;
    options->fbr = 0.1;
    options->prune = 0.005;
}

static void
s_quiet (const char *text)
{
}

//  A small deterministic generator (splitmix64) for fold assignment
static uint64_t
s_random (uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int
s_u64_compare (const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static int
s_str_compare (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

//  --------------------------------------------------------------------------
//  Vocabulary: document frequencies of unigram and bigram stems over the
//  training stories, with the same phrase breaks as the vectorizer.

typedef struct {
    strmap_t *stems;            //  Stem text -> df (value)
    u64map_t *bigrams;          //  (gid_a << 32 | gid_b) -> df
    VEC (uint64_t) seen;        //  Keys of one story (deduplicated per story)
} s_df_t;

static void
s_df_text (s_df_t *df, tokenizer_t *tokenizer, const char *text, stemv_t *stems)
{
    if (!text)
        return;
    stems->len = 0;
    tokenizer_stems (tokenizer, text, strlen (text), stems);
    int32_t prev = -1;
    for (size_t i = 0; i < stems->len; i++) {
        int32_t stem = stems->items [i];
        if (stem < 0) {
            prev = -1;
            continue;
        }
        size_t len;
        const char *s = tokenizer_stem_text (tokenizer, stem, &len);
        int32_t gid = strmap_intern (df->stems, s, len, NULL);
        *vec_push (&df->seen) = (uint64_t) gid << 32 | 0xFFFFFFFFu;
        if (prev >= 0)
            *vec_push (&df->seen) = (uint64_t) prev << 32 | (uint32_t) gid;
        prev = gid;
    }
}

static vocab_t *
s_build_vocab (corpus_t *corpus, const char *language, const train_options_t *options,
               size_t ndocs)
{
    s_df_t df = { strmap_new (), u64map_new (), { 0 } };
    tokenizer_t *tokenizers [8] = { NULL };
    char languages [8][16] = { "" };
    stemv_t stems = { 0 };
    for (size_t i = 0; i < corpus->items.len; i++) {
        corpus_item_t *item = &corpus->items.items [i];
        if (item->split != CORPUS_TRAIN || (options->labelled_only && item->labels.len == 0))
            continue;
        //  The tokenizer of the story's language (as the vectorizer picks it)
        char primary [16];
        tokenizer_language_primary (str_empty (item->story->language) ? language
                                    : item->story->language, primary, sizeof primary);
        int slot = 0;
        for (; slot < 8 && tokenizers [slot]; slot++)
            if (strcmp (languages [slot], primary) == 0)
                break;
        if (slot == 8)
            slot = 0;
        if (!tokenizers [slot]) {
            tokenizers [slot] = tokenizer_new (primary);
            snprintf (languages [slot], sizeof languages [slot], "%s", primary);
        }
        df.seen.len = 0;
        s_df_text (&df, tokenizers [slot], story_headline (item->story), &stems);
        char *body = vectorizer_story_body (item->story);
        s_df_text (&df, tokenizers [slot], body, &stems);
        free (body);
        qsort (df.seen.items, df.seen.len, sizeof (uint64_t), s_u64_compare);
        for (size_t k = 0; k < df.seen.len; k++) {
            uint64_t key = df.seen.items [k];
            if (k > 0 && key == df.seen.items [k - 1])
                continue;
            if ((uint32_t) key == 0xFFFFFFFFu) {
                int32_t *count = strmap_value (df.stems, (int32_t) (key >> 32));
                *count = *count < 0 ? 1 : *count + 1;
            }
            else
                (*u64map_ref (df.bigrams, key, 0))++;
        }
    }
    //  Terms that pass min_df, sorted bytewise
    strv_t terms = { 0 };
    VEC (int32_t) counts = { 0 };
    for (size_t g = 0; g < strmap_size (df.stems); g++) {
        if (*strmap_value (df.stems, (int32_t) g) >= options->min_df)
            strv_push (&terms, strmap_key (df.stems, (int32_t) g, NULL));
    }
    size_t cursor = 0;
    uint64_t key;
    int32_t count;
    while (u64map_next (df.bigrams, &cursor, &key, &count)) {
        if (count < options->min_df_bigram)
            continue;
        char *term = xasprintf ("%s %s", strmap_key (df.stems, (int32_t) (key >> 32), NULL),
                                strmap_key (df.stems, (int32_t) (uint32_t) key, NULL));
        strv_push (&terms, term);
        free (term);
    }
    qsort (terms.items, terms.len, sizeof (char *), s_str_compare);
    vocab_t *vocab = vocab_new ();
    for (size_t t = 0; t < terms.len; t++) {
        const char *term = terms.items [t];
        const char *space = strchr (term, ' ');
        int32_t n;
        if (space) {
            int32_t a = strmap_find (df.stems, term, (size_t) (space - term));
            int32_t b = strmap_find (df.stems, space + 1, strlen (space + 1));
            n = u64map_get (df.bigrams, (uint64_t) a << 32 | (uint32_t) b);
        }
        else
            n = *strmap_value (df.stems, strmap_find (df.stems, term, strlen (term)));
        float idf = (float) (log ((ndocs + 1.0) / (n + 1.0)) + 1.0);
        vocab_add (vocab, term, strlen (term), idf);
    }
    free (counts.items);
    strv_free (&terms);
    free (stems.items);
    free (df.seen.items);
    strmap_destroy (&df.stems);
    u64map_destroy (&df.bigrams);
    for (int i = 0; i < 8; i++)
        tokenizer_destroy (&tokenizers [i]);
    return vocab;
}

//  --------------------------------------------------------------------------
//  Thresholds and Platt scaling from out-of-fold scores

typedef struct {
    float score;
    int8_t label;               //  +1 / -1
} s_scored_t;

static int
s_scored_compare (const void *a, const void *b)
{
    const s_scored_t *x = (const s_scored_t *) a, *y = (const s_scored_t *) b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->label > y->label ? -1 : x->label < y->label;
}

//  The F1-maximising cut of scored (sorted on return). Returns best F1.
static double
s_threshold (s_scored_t *scored, size_t n, double fbr, float *threshold)
{
    qsort (scored, n, sizeof *scored, s_scored_compare);
    size_t positives = 0;
    for (size_t i = 0; i < n; i++)
        positives += scored [i].label > 0;
    if (positives == 0) {
        *threshold = n ? scored [0].score + 1.0f : 1.0f;
        return 0;
    }
    double best = -1;
    size_t best_k = 0, tp = 0;
    for (size_t k = 1; k <= n; k++) {
        tp += scored [k - 1].label > 0;
        //  Cut only between different scores
        if (k < n && scored [k].score == scored [k - 1].score)
            continue;
        double f1 = 2.0 * tp / (double) (k + positives);
        if (f1 > best) {
            best = f1;
            best_k = k;
        }
    }
    if (best < fbr) {
        //  SCutFBR: the category cannot be learnt well; only a score above
        //  every out-of-fold score assigns it
        *threshold = scored [0].score + 1e-4f;
        return best;
    }
    float above = scored [best_k - 1].score;
    float below = best_k < n ? scored [best_k].score : above - 1.0f;
    *threshold = (above + below) / 2;
    return best;
}

//  Platt scaling (Lin, Lin and Weng's Newton method) on scores and labels
static void
s_platt (const s_scored_t *scored, size_t n, float *a_out, float *b_out)
{
    double prior1 = 0, prior0 = 0;
    for (size_t i = 0; i < n; i++)
        if (scored [i].label > 0)
            prior1++;
        else
            prior0++;
    double hi = (prior1 + 1.0) / (prior1 + 2.0), lo = 1.0 / (prior0 + 2.0);
    double a = 0, b = log ((prior0 + 1.0) / (prior1 + 1.0));
    double fval = 0;
    for (size_t i = 0; i < n; i++) {
        double t = scored [i].label > 0 ? hi : lo;
        double f = scored [i].score * a + b;
        fval += f >= 0 ? t * f + log (1 + exp (-f)) : (t - 1) * f + log (1 + exp (f));
    }
    for (int iter = 0; iter < 100; iter++) {
        double h11 = 1e-12, h22 = 1e-12, h21 = 0, g1 = 0, g2 = 0;
        for (size_t i = 0; i < n; i++) {
            double t = scored [i].label > 0 ? hi : lo;
            double f = scored [i].score * a + b;
            double p, q;
            if (f >= 0) {
                p = exp (-f) / (1.0 + exp (-f));
                q = 1.0 / (1.0 + exp (-f));
            }
            else {
                p = 1.0 / (1.0 + exp (f));
                q = exp (f) / (1.0 + exp (f));
            }
            double d2 = p * q, d1 = t - p;
            h11 += scored [i].score * scored [i].score * d2;
            h22 += d2;
            h21 += scored [i].score * d2;
            g1 += scored [i].score * d1;
            g2 += d1;
        }
        if (fabs (g1) < 1e-5 && fabs (g2) < 1e-5)
            break;
        double det = h11 * h22 - h21 * h21;
        double da = -(h22 * g1 - h21 * g2) / det;
        double db = -(-h21 * g1 + h11 * g2) / det;
        double gd = g1 * da + g2 * db, step = 1;
        while (step >= 1e-10) {
            double na = a + step * da, nb = b + step * db, nf = 0;
            for (size_t i = 0; i < n; i++) {
                double t = scored [i].label > 0 ? hi : lo;
                double f = scored [i].score * na + nb;
                nf += f >= 0 ? t * f + log (1 + exp (-f)) : (t - 1) * f + log (1 + exp (f));
            }
            if (nf < fval + 1e-4 * step * gd) {
                a = na;
                b = nb;
                fval = nf;
                break;
            }
            step /= 2;
        }
        if (step < 1e-10)
            break;
    }
    *a_out = (float) a;
    *b_out = (float) b;
}

//  --------------------------------------------------------------------------
//  liblinear on a subset of the stories

typedef struct {
    struct feature_node **x;    //  Every training story's nodes
    size_t n;                   //  Training stories
    int nfeatures;              //  Terms + 1 (bias)
    struct parameter param;     //  Solver parameters
} s_problem_t;

//  Train on the stories in rows (count of them) with labels y (+1/-1,
//  indexed like x). Fills w (nfeatures floats, last = bias). Returns the
//  number of positives seen.
static size_t
s_train (s_problem_t *p, const size_t *rows, size_t count, const int8_t *y, double *w)
{
    struct problem prob;
    prob.l = (int) count;
    prob.n = p->nfeatures;
    prob.bias = 1;
    prob.x = (struct feature_node **) xmalloc ((count + 1) * sizeof (struct feature_node *));
    prob.y = (double *) xmalloc ((count + 1) * sizeof (double));
    size_t positives = 0;
    for (size_t i = 0; i < count; i++) {
        prob.x [i] = p->x [rows [i]];
        prob.y [i] = y [rows [i]];
        positives += y [rows [i]] > 0;
    }
    if (positives == 0 || positives == count) {
        memset (w, 0, p->nfeatures * sizeof (double));
        w [p->nfeatures - 1] = positives ? 1 : -1;
    }
    else {
        srand (1);
        struct model *m = train (&prob, &p->param);
        double sign = m->label [0] == 1 ? 1 : -1;
        for (int j = 0; j < p->nfeatures; j++)
            w [j] = sign * m->w [j];
        free_and_destroy_model (&m);
    }
    free (prob.x);
    free (prob.y);
    return positives;
}

static float
s_dot (const double *w, const struct feature_node *x)
{
    double sum = 0;
    for (; x->index != -1; x++)
        sum += w [x->index - 1] * x->value;
    return (float) sum;
}

//  --------------------------------------------------------------------------
//  Train a model.

model_t *
train_model (corpus_t *corpus, const train_options_t *options, char *err, size_t errsize)
{
    set_print_string_function (s_quiet);
    int64_t started = time_mono_usec ();
    //  Training stories and the language most of them are in
    VEC (size_t) docs = { 0 };
    strv_t languages = { 0 };
    VEC (int) language_counts = { 0 };
    for (size_t i = 0; i < corpus->items.len; i++) {
        corpus_item_t *item = &corpus->items.items [i];
        if (item->split != CORPUS_TRAIN || (options->labelled_only && item->labels.len == 0))
            continue;
        *vec_push (&docs) = i;
        char primary [16];
        tokenizer_language_primary (str_empty (item->story->language) ? "en"
                                    : item->story->language, primary, sizeof primary);
        size_t l = 0;
        while (l < languages.len && strcmp (languages.items [l], primary))
            l++;
        if (l == languages.len) {
            strv_push (&languages, primary);
            *vec_push (&language_counts) = 0;
        }
        language_counts.items [l]++;
    }
    size_t best_language = 0;
    for (size_t l = 1; l < languages.len; l++)
        if (language_counts.items [l] > language_counts.items [best_language])
            best_language = l;
    const char *language = languages.len ? languages.items [best_language] : "en";

    //  Categories: labels of training stories, sorted
    strv_t literals = { 0 };
    for (size_t d = 0; d < docs.len; d++) {
        corpus_item_t *item = &corpus->items.items [docs.items [d]];
        for (size_t k = 0; k < item->labels.len; k++)
            strv_add_unique (&literals, item->labels.items [k]);
    }
    qsort (literals.items, literals.len, sizeof (char *), s_str_compare);

    model_t *model = NULL;
    if (docs.len < 2 || literals.len == 0) {
        snprintf (err, errsize, "the training split has %zu stories and %zu categories: "
                  "nothing to learn", docs.len, literals.len);
        goto done;
    }
    const char *colon = strchr (literals.items [0], ':');
    char *scheme = colon ? xstrndup (literals.items [0], (size_t) (colon - literals.items [0]))
                         : xstrdup ("subject");
    model = model_new (scheme, language);
    free (scheme);
    model->ndocs = (uint32_t) docs.len;
    model->headline_weight = (uint32_t) options->headline_weight;
    vocab_destroy (&model->vocab);
    model->vocab = s_build_vocab (corpus, language, options, docs.len);
    size_t nterms = vocab_size (model->vocab);
    if (options->verbose)
        fprintf (stderr, "train: %zu stories, %zu terms, %zu labels (%.1fs)\n",
                 docs.len, nterms, literals.len, (time_mono_usec () - started) / 1e6);

    //  Feature vectors through the one vectorizer, as liblinear nodes
    s_problem_t p = { 0 };
    p.n = docs.len;
    p.nfeatures = (int) nterms + 1;
    p.x = (struct feature_node **) xcalloc (docs.len, sizeof (struct feature_node *));
    vectorizer_t *vectorizer = vectorizer_new (model->vocab, language, options->headline_weight);
    featv_t vec = { 0 };
    for (size_t d = 0; d < docs.len; d++) {
        vectorizer_story (vectorizer, corpus->items.items [docs.items [d]].story, &vec);
        struct feature_node *nodes = (struct feature_node *)
            xmalloc ((vec.len + 2) * sizeof (struct feature_node));
        for (size_t k = 0; k < vec.len; k++) {
            nodes [k].index = vec.items [k].index + 1;
            nodes [k].value = vec.items [k].value;
        }
        nodes [vec.len].index = (int) nterms + 1;
        nodes [vec.len].value = 1.0;
        nodes [vec.len + 1].index = -1;
        p.x [d] = nodes;
    }
    free (vec.items);
    vectorizer_destroy (&vectorizer);
    p.param.solver_type = options->solver == TRAIN_LR ? L2R_LR_DUAL : L2R_L2LOSS_SVC_DUAL;
    p.param.eps = 0.1;
    p.param.C = options->c;
    static int weight_label [2] = { 1, -1 };
    double weights [2] = { options->positive_weight, 1.0 };
    p.param.nr_weight = 2;
    p.param.weight_label = weight_label;
    p.param.weight = weights;

    //  Folds: a fixed-seed shuffle of the training stories
    int folds = options->folds >= 2 ? options->folds : 2;
    size_t *order = (size_t *) xmalloc (docs.len * sizeof (size_t));
    for (size_t d = 0; d < docs.len; d++)
        order [d] = d;
    uint64_t seed = 20240501;
    for (size_t d = docs.len - 1; d > 0; d--) {
        size_t j = (size_t) (s_random (&seed) % (d + 1));
        size_t t = order [d];
        order [d] = order [j];
        order [j] = t;
    }
    int *fold_of = (int *) xmalloc (docs.len * sizeof (int));
    for (size_t d = 0; d < docs.len; d++)
        fold_of [order [d]] = (int) (d % (size_t) folds);
    size_t *rows = (size_t *) xmalloc (docs.len * sizeof (size_t));
    int8_t *y = (int8_t *) xmalloc (docs.len);
    double *w = (double *) xmalloc ((nterms + 1) * sizeof (double));
    s_scored_t *scored = (s_scored_t *) xmalloc (docs.len * sizeof (s_scored_t));
    float **dense = (float **) xcalloc (literals.len, sizeof (float *));
    size_t ncats = 0;

    for (size_t c = 0; c < literals.len; c++) {
        const char *literal = literals.items [c];
        size_t positives = 0;
        const char *name = NULL;
        for (size_t d = 0; d < docs.len; d++) {
            corpus_item_t *item = &corpus->items.items [docs.items [d]];
            y [d] = strv_contains (&item->labels, literal) ? 1 : -1;
            positives += y [d] > 0;
            if (y [d] > 0 && !name)
                for (size_t k = 0; k < item->story->subjects.len; k++) {
                    story_concept_t *s = &item->story->subjects.items [k];
                    if ((s->literal && strcmp (s->literal, literal) == 0)
                    ||  (!s->literal && s->uri && strcmp (s->uri, literal) == 0))
                        name = s->name;
                }
        }
        if (positives < (size_t) options->min_positives)
            continue;
        //  Out-of-fold scores
        for (int k = 0; k < folds; k++) {
            size_t count = 0;
            for (size_t d = 0; d < docs.len; d++)
                if (fold_of [d] != k)
                    rows [count++] = d;
            s_train (&p, rows, count, y, w);
            for (size_t d = 0; d < docs.len; d++)
                if (fold_of [d] == k) {
                    scored [d].score = s_dot (w, p.x [d]);
                    scored [d].label = y [d];
                }
        }
        model_cat_t *cat = model_add_category (model, literal, name);
        cat->positives = (uint32_t) positives;
        double f1 = s_threshold (scored, docs.len, options->fbr, &cat->threshold);
        s_platt (scored, docs.len, &cat->platt_a, &cat->platt_b);
        //  The model itself, on every training story
        for (size_t d = 0; d < docs.len; d++)
            rows [d] = d;
        s_train (&p, rows, docs.len, y, w);
        dense [ncats] = (float *) xmalloc ((nterms + 1) * sizeof (float));
        for (size_t t = 0; t < nterms; t++)
            dense [ncats][t] = (float) w [t];
        cat->bias = (float) w [nterms];
        ncats++;
        if (options->verbose)
            fprintf (stderr, "train: %-24s %5zu positives  cv-F1 %.3f  threshold %+.3f (%.1fs)\n",
                     literal, positives, f1, cat->threshold,
                     (time_mono_usec () - started) / 1e6);
    }
    model_set_weights (model, dense, (float) options->prune);
    char description [512];
    snprintf (description, sizeof description,
              "copydesk train: %zu stories (split %s), %s C=%g w+=%g, %d-fold CV thresholds "
              "(fbr %g), min_df %d/%d, headline x%d, prune %g",
              docs.len, corpus->split, options->solver == TRAIN_LR ? "logistic" : "svm",
              options->c, options->positive_weight, folds, options->fbr, options->min_df,
              options->min_df_bigram, options->headline_weight, options->prune);
    free (model->description);
    model->description = xstrdup (description);
    if (options->verbose)
        fprintf (stderr, "train: %zu categories, %zu weights, done in %.1fs\n",
                 ncats, model->nweights, (time_mono_usec () - started) / 1e6);

    for (size_t c = 0; c < ncats; c++)
        free (dense [c]);
    free (dense);
    free (scored);
    free (w);
    free (y);
    free (rows);
    free (fold_of);
    free (order);
    for (size_t d = 0; d < docs.len; d++)
        free (p.x [d]);
    free (p.x);
done:
    strv_free (&literals);
    strv_free (&languages);
    free (language_counts.items);
    free (docs.items);
    return model;
}
