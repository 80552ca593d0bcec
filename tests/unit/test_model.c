//  SPDX-License-Identifier: MIT
//  test_model - the model file (round trip, byte-identical re-save, hostile
//  bytes) and training on a small ninjs corpus written here (deterministic:
//  the same corpus gives the same bytes)

#include "common.h"
#include "classify/train.h"
#include "classify/classify.h"
#include <setjmp.h>
#include <cmocka.h>
#include <zlib.h>

static int
s_int_compare (const void *a, const void *b)
{
    int32_t x = *(const int32_t *) a, y = *(const int32_t *) b;
    return x < y ? -1 : x > y;
}

//  --------------------------------------------------------------------------
//  A small model by hand

static model_t *
s_hand_model (void)
{
    model_t *model = model_new ("test", "en");
    model->ndocs = 10;
    model->headline_weight = 2;
    vocab_add (model->vocab, "crude", 5, 2.0f);
    vocab_add (model->vocab, "crude oil", 9, 3.0f);
    vocab_add (model->vocab, "oil", 3, 1.5f);
    vocab_add (model->vocab, "wheat", 5, 2.5f);
    model_cat_t *oil = model_add_category (model, "test:oil", "Oil");
    oil->threshold = 0.1f;
    oil->bias = -0.5f;
    model_cat_t *grain = model_add_category (model, "test:grain", NULL);
    grain->threshold = -0.2f;
    grain->bias = -0.4f;
    float oil_w [4] = { 1.0f, 2.0f, 0.8f, -0.5f };
    float grain_w [4] = { -0.3f, 0.0f, -0.2f, 1.7f };
    float *dense [2] = { oil_w, grain_w };
    model_set_weights (model, dense, 0.0f);
    return model;
}

static void
test_vocab (void **state)
{
    vocab_t *vocab = vocab_new ();
    assert_int_equal (vocab_add (vocab, "oil", 3, 1.0f), 0);
    assert_int_equal (vocab_add (vocab, "crude oil", 9, 2.0f), 1);
    assert_int_equal (vocab_add (vocab, "oil", 3, 1.0f), -1);          //  Present
    assert_int_equal (vocab_add (vocab, " oil", 4, 1.0f), -1);         //  Malformed
    assert_int_equal (vocab_add (vocab, "a b c", 5, 1.0f), -1);
    assert_int_equal (vocab_add (vocab, "", 0, 1.0f), -1);
    assert_int_equal (vocab_find (vocab, "crude oil", 9), 1);
    int32_t crude = vocab_stem (vocab, "crude", 5), oil = vocab_stem (vocab, "oil", 3);
    assert_true (crude >= 0 && oil >= 0);
    assert_int_equal (vocab_unigram (vocab, crude), -1);              //  Only in a bigram
    assert_int_equal (vocab_unigram (vocab, oil), 0);
    assert_int_equal (vocab_bigram (vocab, crude, oil), 1);
    assert_int_equal (vocab_bigram (vocab, oil, crude), -1);
    vocab_destroy (&vocab);
}


//  --------------------------------------------------------------------------
//  Scoring: the dense rows and packed lists give the sums of the file's
//  sparse weights, bit for bit

static uint64_t
s_next (uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return *seed >> 33;
}

static void
test_scores (void **state)
{
    uint64_t seed = 99;
    for (int shape = 0; shape < 3; shape++) {
        size_t ncats = shape == 0 ? 3 : shape == 1 ? 40 : 115;
        size_t nterms = 300;
        model_t *model = model_new ("test", "en");
        char term [32];
        for (size_t t = 0; t < nterms; t++) {
            snprintf (term, sizeof term, "t%zu", t);
            vocab_add (model->vocab, term, strlen (term), 1.0f);
        }
        float **dense = (float **) xcalloc (ncats, sizeof (float *));
        for (size_t c = 0; c < ncats; c++) {
            snprintf (term, sizeof term, "test:c%zu", c);
            model_cat_t *cat = model_add_category (model, term, NULL);
            cat->bias = (float) ((int) (s_next (&seed) % 2001) - 1000) / 997.0f;
            dense [c] = (float *) xcalloc (nterms, sizeof (float));
        }
        //  Terms weigh on every category, on many, on a few, or on none
        for (size_t t = 0; t < nterms; t++) {
            size_t every = t % 4 == 0 ? 1 : t % 4 == 1 ? 2 : t % 4 == 2 ? 9 : 0;
            for (size_t c = 0; every && c < ncats; c++)
                if (c % every == 0)
                    dense [c][t] = (float) ((int) (s_next (&seed) % 20001) - 10000) / 3001.0f;
        }
        model_set_weights (model, dense, 0.0f);
        float *scores = (float *) xcalloc (ncats, sizeof (float));
        float *expected = (float *) xcalloc (ncats, sizeof (float));
        for (int round = 0; round < 200; round++) {
            featv_t x = { 0 };
            size_t n = 1 + s_next (&seed) % 60;
            for (size_t i = 0; i < n; i++) {
                feat_t *f = vec_push (&x);
                uint64_t r = s_next (&seed);
                f->index = r % 50 == 0 ? -1 : r % 51 == 0 ? (int32_t) nterms + 3
                         : (int32_t) (r % nterms);
                f->value = (float) (s_next (&seed) % 10007) / 10007.0f;
            }
            model_scores (model, &x, scores);
            //  The sums as the file stores the weights: in x's order, each
            //  term's weights by category
            for (size_t c = 0; c < ncats; c++)
                expected [c] = model->cats.items [c].bias;
            for (size_t i = 0; i < x.len; i++) {
                int32_t t = x.items [i].index;
                if (t < 0 || (size_t) t >= nterms)
                    continue;
                for (uint32_t j = model->offsets [t]; j < model->offsets [t + 1]; j++)
                    expected [model->wcat [j]] += x.items [i].value * model->wf [j];
            }
            assert_memory_equal (scores, expected, ncats * sizeof (float));
            free (x.items);
        }
        //  And the same after a round trip through the file
        buf_t buf;
        buf_init (&buf);
        model_encode (model, &buf);
        char err [256];
        model_t *copy = model_decode ((const uint8_t *) buf.data, buf.size, err, sizeof err);
        assert_non_null (copy);
        featv_t x = { 0 };
        for (size_t t = 0; t < nterms; t += 3) {
            feat_t *f = vec_push (&x);
            f->index = (int32_t) t;
            f->value = 0.25f;
        }
        model_scores (model, &x, expected);
        model_scores (copy, &x, scores);
        assert_memory_equal (scores, expected, ncats * sizeof (float));
        free (x.items);
        buf_free (&buf);
        model_destroy (&copy);
        for (size_t c = 0; c < ncats; c++)
            free (dense [c]);
        free (dense);
        free (scores);
        free (expected);
        model_destroy (&model);
    }
}

//  --------------------------------------------------------------------------
//  The vectorizer against a plain reading: tokenizer_stems, the vocabulary's
//  own look-ups, sublinear tf-idf in order of first count, L2 norm

typedef VEC (int32_t) s_intv_t;

static void
s_reference_text (vocab_t *vocab, tokenizer_t *tokenizer, const char *text, float weight,
                  float *counts, s_intv_t *order)
{
    stemv_t stems = { 0 };
    tokenizer_stems (tokenizer, text, strlen (text), &stems);
    int32_t prev = -1;
    for (size_t i = 0; i < stems.len; i++) {
        if (stems.items [i] < 0) {
            prev = -1;
            continue;
        }
        size_t len;
        const char *stem = tokenizer_stem_text (tokenizer, stems.items [i], &len);
        int32_t uid = vocab_stem (vocab, stem, len);
        if (uid >= 0) {
            int32_t terms [2] = { vocab_unigram (vocab, uid),
                                  prev >= 0 ? vocab_bigram (vocab, prev, uid) : -1 };
            for (int k = 0; k < 2; k++) {
                if (terms [k] < 0)
                    continue;
                if (counts [terms [k]] == 0)
                    *vec_push (order) = terms [k];
                counts [terms [k]] += weight;
            }
        }
        prev = uid;
    }
    free (stems.items);
}

static void
test_vectorizer (void **state)
{
    tokenizer_t *en = tokenizer_new ("en");
    vocab_t *vocab = vocab_new ();
    //  One stem that starts 30 bigrams (the list is searched, not walked)
    const char *seconds [30];
    char words [30][8];
    char *alpha = tokenizer_stem (en, "alpha", 5);
    buf_t body;
    buf_init (&body);
    for (int i = 0; i < 30; i++) {
        snprintf (words [i], sizeof words [i], "k%cg", 'a' + i % 26);
        if (i >= 26)
            snprintf (words [i], sizeof words [i], "kz%cg", 'a' + i - 26);
        seconds [i] = words [i];
        char *second = tokenizer_stem (en, seconds [i], strlen (seconds [i]));
        char *term = xasprintf ("%s %s", alpha, second);
        assert_true (vocab_add (vocab, term, strlen (term), 1.0f + i / 10.0f) >= 0);
        if (i % 3 == 0)
            vocab_add (vocab, second, strlen (second), 2.0f);
        free (term);
        free (second);
    }
    for (int i = 0; i < 30; i++)
        buf_printf (&body, "alpha %s, ", seconds [29 - i]);
    vocab_add (vocab, alpha, strlen (alpha), 1.5f);
    vocab_add (vocab, "oil", 3, 2.5f);
    buf_puts (&body, "The oil price. Oil and alpha kag! Alpha the kbg");
    const char *headline = "Alpha kag oil";
    vectorizer_t *vectorizer = vectorizer_new (vocab, "en", 2);
    featv_t x = { 0 };
    for (int round = 0; round < 2; round++) {       //  The second from the memos
        vectorizer_text (vectorizer, headline, body.data, "en", &x);
        float *counts = (float *) xcalloc (vocab_size (vocab) + 1, sizeof (float));
        s_intv_t order = { 0 };
        s_reference_text (vocab, en, headline, 2, counts, &order);
        s_reference_text (vocab, en, body.data, 1, counts, &order);
        qsort (order.items, order.len, sizeof (int32_t), s_int_compare);
        assert_int_equal (x.len, order.len);
        double norm = 0;
        float *values = (float *) xcalloc (order.len + 1, sizeof (float));
        for (size_t i = 0; i < order.len; i++) {
            values [i] = (1.0f + logf (counts [order.items [i]])) * vocab_idf (vocab, order.items [i]);
            norm += (double) values [i] * values [i];
        }
        for (size_t i = 0; i < order.len; i++) {
            assert_int_equal (x.items [i].index, order.items [i]);
            assert_true (fabsf (x.items [i].value - (float) (values [i] / sqrt (norm))) < 1e-6f);
        }
        //  Every one of the 30 bigrams was found
        size_t bigrams = 0;
        for (size_t i = 0; i < x.len; i++) {
            const char *term = vocab_term (vocab, x.items [i].index, NULL);
            bigrams += strchr (term, ' ') != NULL;
        }
        assert_int_equal (bigrams, 30);
        free (values);
        free (order.items);
        free (counts);
    }
    free (x.items);
    free (alpha);
    buf_free (&body);
    vectorizer_destroy (&vectorizer);
    vocab_destroy (&vocab);
    tokenizer_destroy (&en);
}


//  Hostile input cannot grow the vectorizer without bound: past 400,000
//  words its lexicon and stems are forgotten, and what it gives after is
//  what a new vectorizer gives
static void
test_vectorizer_forgets (void **state)
{
    model_t *model = s_hand_model ();
    vectorizer_t *vectorizer = vectorizer_new (model->vocab, "en", 2);
    featv_t x = { 0 }, y = { 0 };
    const char *headline = "Crude oil and wheat";
    const char *body = "Crude oil prices rose. Wheat fell; crude oil rose again.";
    vectorizer_text (vectorizer, headline, body, "en", &x);
    //  410,000 distinct words, six letters each
    buf_t words;
    buf_init (&words);
    for (uint32_t i = 0; i < 410000; i++) {
        char word [8];
        uint32_t n = i;
        for (int k = 0; k < 6; k++, n /= 26)
            word [k] = (char) ('a' + n % 26);
        word [6] = ' ';
        buf_append (&words, word, 7);
    }
    vectorizer_text (vectorizer, NULL, words.data, "en", &y);
    size_t before = lexicon_size (vectorizer_lexicon (vectorizer));
    assert_true (before == 0);                      //  Forgotten on the way in
    assert_int_equal (tokenizer_stem_count (vectorizer_tokenizer (vectorizer, "en")), 0);
    vectorizer_text (vectorizer, headline, body, "en", &y);
    assert_int_equal (x.len, y.len);
    assert_memory_equal (x.items, y.items, x.len * sizeof (feat_t));
    buf_free (&words);
    free (x.items);
    free (y.items);
    vectorizer_destroy (&vectorizer);
    model_destroy (&model);
}

static void
test_round_trip (void **state)
{
    model_t *model = s_hand_model ();
    assert_int_equal (model->nweights, 7);          //  One zero weight dropped
    buf_t first, second;
    buf_init (&first);
    buf_init (&second);
    model_encode (model, &first);
    char err [256];
    model_t *copy = model_decode ((const uint8_t *) first.data, first.size, err, sizeof err);
    assert_non_null (copy);
    model_encode (copy, &second);
    assert_int_equal (first.size, second.size);
    assert_memory_equal (first.data, second.data, first.size);
    assert_string_equal (copy->cats.items [0].literal, "test:oil");
    assert_string_equal (copy->cats.items [0].name, "Oil");
    assert_null (copy->cats.items [1].name);
    assert_int_equal (vocab_size (copy->vocab), 4);
    assert_int_equal (model_category (copy, "test:grain"), 1);
    assert_int_equal (model_category (copy, "test:none"), -1);

    //  Scores agree (and equal the weights within quantization)
    featv_t x = { 0 };
    feat_t *f = vec_push (&x);
    f->index = 1;                                   //  "crude oil"
    f->value = 0.6f;
    f = vec_push (&x);
    f->index = 3;                                   //  "wheat"
    f->value = 0.8f;
    float a [2], b [2];
    model_scores (model, &x, a);
    model_scores (copy, &x, b);
    assert_true (a [0] == b [0] && a [1] == b [1]);
    assert_true (fabsf (a [0] - (-0.5f + 0.6f * 2.0f + 0.8f * -0.5f)) < 1e-3f);
    assert_true (fabsf (a [1] - (-0.4f + 0.8f * 1.7f)) < 1e-3f);
    //  Out-of-range feature indices are ignored
    x.items [0].index = 99;
    model_scores (copy, &x, b);
    free (x.items);

    //  Save, load, save: byte-identical files
    char dir [] = "/tmp/test_model.XXXXXX";
    assert_non_null (mkdtemp (dir));
    char *path = xasprintf ("%s/m.cdm", dir);
    assert_int_equal (model_save (copy, path, err, sizeof err), 0);
    model_t *loaded = model_load (path, err, sizeof err);
    assert_non_null (loaded);
    buf_t third;
    buf_init (&third);
    model_encode (loaded, &third);
    assert_memory_equal (first.data, third.data, first.size);
    assert_null (model_load ("/nonexistent/model.cdm", err, sizeof err));
    assert_non_null (strstr (err, "cannot read"));
    unlink (path);
    rmdir (dir);
    free (path);
    buf_free (&third);
    model_destroy (&loaded);
    model_destroy (&copy);
    model_destroy (&model);
    buf_free (&first);
    buf_free (&second);
}

//  Re-seal a file image with a new payload (valid header and checksum)
static void
s_seal (buf_t *out, const void *payload, size_t size)
{
    uLongf zsize = compressBound (size);
    uint8_t *z = xmalloc (zsize);
    assert_int_equal (compress2 (z, &zsize, payload, size, 9), Z_OK);
    buf_clear (out);
    buf_append (out, MODEL_MAGIC, 8);
    uint32_t header [3] = { MODEL_VERSION, (uint32_t) size, (uint32_t) zsize };
    buf_append (out, header, sizeof header);       //  Little-endian host
    buf_append (out, z, zsize);
    char hex [65];
    sha256_hex (out->data, out->size, hex);
    for (int i = 0; i < 32; i++) {
        unsigned int byte;
        sscanf (hex + 2 * i, "%2x", &byte);
        buf_putc (out, (char) byte);
    }
    free (z);
}

static void
test_hostile (void **state)
{
    model_t *model = s_hand_model ();
    buf_t image;
    buf_init (&image);
    model_encode (model, &image);
    char err [256];
    //  Every truncation fails cleanly
    for (size_t n = 0; n < image.size; n++)
        assert_null (model_decode ((const uint8_t *) image.data, n, err, sizeof err));
    //  Every flipped bit fails (checksum, magic, version or sizes)
    for (size_t i = 0; i < image.size; i++) {
        image.data [i] ^= 0x10;
        model_t *bad = model_decode ((const uint8_t *) image.data, image.size, err, sizeof err);
        assert_null (bad);
        image.data [i] ^= 0x10;
    }
    image.data [8] = 9;                             //  Version 9
    assert_null (model_decode ((const uint8_t *) image.data, image.size, err, sizeof err));
    assert_non_null (strstr (err, "version"));
    //  A sealed payload that lies: garbage, huge counts, bad category deltas
    uint8_t garbage [512];
    uint64_t seed = 42;
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t) (seed % sizeof garbage);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            garbage [i] = (uint8_t) (seed >> 56);
        }
        s_seal (&image, garbage, n);
        model_t *bad = model_decode ((const uint8_t *) image.data, image.size, err, sizeof err);
        model_destroy (&bad);                       //  NULL, or a tiny valid model
    }
    //  A payload claiming 2^60 terms
    uint8_t lie [] = { 0, 2, 'e', 'n', 0, 1, 0, 0, 0, 1, 0, 0, 0,
                       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f };
    s_seal (&image, lie, sizeof lie);
    assert_null (model_decode ((const uint8_t *) image.data, image.size, err, sizeof err));
    assert_non_null (strstr (err, "malformed"));
    buf_free (&image);
    model_destroy (&model);
}

//  --------------------------------------------------------------------------
//  Training on a small corpus of ninjs lines

static const char *s_oil [] = {
    "crude", "oil", "barrel", "refinery", "opec", "pipeline", "petroleum", "drilling",
    "output", "brent", "gasoline", "tanker", NULL };
static const char *s_grain [] = {
    "wheat", "grain", "harvest", "corn", "crop", "bushel", "farmers", "acreage",
    "soybean", "silo", "planting", "yield", NULL };
static const char *s_sport [] = {
    "football", "match", "goal", "league", "striker", "coach", "season", "stadium",
    "referee", "tournament", "champions", "penalty", NULL };
static const char *s_common [] = {
    "said", "on", "tuesday", "market", "week", "report", "analysts", "year", "prices",
    "government", "the", "new", NULL };

static size_t
s_count (const char **list)
{
    size_t n = 0;
    while (list [n])
        n++;
    return n;
}

//  A deterministic sentence from two topics' words
static void
s_sentence (buf_t *out, const char **a, const char **b, uint64_t *seed, int words)
{
    for (int i = 0; i < words; i++) {
        *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t r = *seed >> 33;
        const char **list = (r % 3 == 0) ? s_common : (r % 3 == 1 || !b) ? a : b;
        buf_printf (out, "%s%s", i ? " " : "", list [(r / 3) % s_count (list)]);
    }
}

static char *
s_write_corpus (char *dir)
{
    assert_non_null (mkdtemp (dir));
    char *path = xasprintf ("%s/archive.jsonl", dir);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    uint64_t seed = 7;
    const char **topics [3] = { s_oil, s_grain, s_sport };
    const char *labels [3] = { "test:oil", "test:grain", "test:sport" };
    for (int i = 0; i < 150; i++) {
        int t = i % 3, u = (i % 7 == 0) ? (t + 1) % 3 : -1;
        buf_t head, body;
        buf_init (&head);
        buf_init (&body);
        s_sentence (&head, topics [t], NULL, &seed, 5);
        s_sentence (&body, topics [t], u >= 0 ? topics [u] : NULL, &seed, 40);
        fprintf (file, "{\"uri\":\"urn:test:%d\",\"language\":\"en\","
                       "\"headlines\":[{\"role\":\"main\",\"value\":\"%s\"}],"
                       "\"bodies\":[{\"role\":\"main\",\"contenttype\":\"text/plain\",\"value\":\"%s.\"}],"
                       "\"subjects\":[{\"name\":\"%s\",\"literal\":\"%s\"}",
                 i, head.data, body.data, labels [t] + 5, labels [t]);
        if (u >= 0)
            fprintf (file, ",{\"literal\":\"%s\",\"creator\":\"editor\"}", labels [u]);
        //  A prediction of an earlier run is no label
        fprintf (file, ",{\"literal\":\"test:bogus\",\"creator\":\"classify\"}]}\n");
        buf_free (&head);
        buf_free (&body);
    }
    fprintf (file, "not json at all\n");
    fprintf (file, "{\"no\":\"uri\"}\n");
    fclose (file);
    return path;
}

static void
test_train (void **state)
{
    char dir [] = "/tmp/test_train.XXXXXX";
    char *path = s_write_corpus (dir);
    char err [512];
    corpus_t *corpus = corpus_load (dir, NULL, err, sizeof err);
    assert_non_null (corpus);
    assert_string_equal (corpus->split, "all");     //  No Reuters split fields
    assert_int_equal (corpus->items.len, 150);
    assert_int_equal (corpus->bad, 2);
    assert_int_equal (corpus->train, 150);
    assert_null (corpus_load (dir, "sideways", err, sizeof err));
    corpus_t *none = corpus_load (dir, "modapte", err, sizeof err);
    assert_null (none);                             //  ModApte selects nothing here

    train_options_t options;
    train_options_init (&options);
    options.folds = 3;
    options.min_df = 1;
    options.min_df_bigram = 2;
    model_t *model = train_model (corpus, &options, err, sizeof err);
    assert_non_null (model);
    assert_int_equal (model->cats.len, 3);          //  test:bogus is no label
    assert_string_equal (model->scheme, "test");
    assert_int_equal (model_category (model, "test:bogus"), -1);
    model_t *again = train_model (corpus, &options, err, sizeof err);
    buf_t a, b;
    buf_init (&a);
    buf_init (&b);
    model_encode (model, &a);
    model_encode (again, &b);
    assert_int_equal (a.size, b.size);
    assert_memory_equal (a.data, b.data, a.size);   //  Reproducible

    //  The model classifies new text of each topic
    vectorizer_t *v = vectorizer_new (model->vocab, "en", (int) model->headline_weight);
    featv_t x = { 0 };
    float scores [3];
    vectorizer_text (v, "Refinery output falls", "OPEC said crude oil output and "
                     "refinery runs fell, and the pipeline was shut.", NULL, &x);
    model_scores (model, &x, scores);
    int oil = model_category (model, "test:oil");
    assert_true (scores [oil] >= model->cats.items [oil].threshold);
    for (int c = 0; c < 3; c++)
        if (c != oil)
            assert_true (scores [c] < model->cats.items [c].threshold);
    vectorizer_text (v, NULL, "The striker scored a penalty goal in the league match.", NULL, &x);
    model_scores (model, &x, scores);
    int sport = model_category (model, "test:sport");
    assert_true (scores [sport] >= model->cats.items [sport].threshold);
    //  Vectors are sorted and unit length
    float norm = 0;
    for (size_t i = 0; i < x.len; i++) {
        norm += x.items [i].value * x.items [i].value;
        if (i)
            assert_true (x.items [i].index > x.items [i - 1].index);
    }
    assert_true (fabsf (norm - 1.0f) < 1e-4f);
    free (x.items);
    vectorizer_destroy (&v);

    buf_free (&a);
    buf_free (&b);
    model_destroy (&model);
    model_destroy (&again);
    corpus_destroy (&corpus);
    unlink (path);
    rmdir (dir);
    free (path);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_vocab),
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_scores),
        cmocka_unit_test (test_vectorizer),
        cmocka_unit_test (test_vectorizer_forgets),
        cmocka_unit_test (test_hostile),
        cmocka_unit_test (test_train),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
