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
        cmocka_unit_test (test_hostile),
        cmocka_unit_test (test_train),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
