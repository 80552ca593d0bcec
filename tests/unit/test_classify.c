//  SPDX-License-Identifier: MIT
//  test_classify - the classifier with the shipped data files: subjects,
//  rules, places, people, organisations, keywords, topics, reload; the
//  rules parser; and the shipped model on the ModApte test split
//  ($COPYDESK_SHARED/data/reuters21578, read in place)

#include "common.h"
#include "classify/classify.h"
#include "classify/rules.h"
#include "classify/eval.h"
#include <setjmp.h>
#include <cmocka.h>

static char s_home [] = "/tmp/test_classify.XXXXXX";

static story_t *
s_story (const char *uri, const char *headline, const char *body)
{
    story_t *story = story_new ();
    str_set (&story->uri, uri);
    str_set (&story->language, "en");
    if (headline)
        story_add_text (&story->headlines, "main", NULL, headline);
    if (body)
        story_add_text (&story->bodies, "main", NULL, body);
    return story;
}

static story_concept_t *
s_find (story_conceptv_t *list, const char *literal, const char *creator)
{
    for (size_t i = 0; i < list->len; i++) {
        story_concept_t *c = &list->items [i];
        if (c->literal && strcmp (c->literal, literal) == 0
        &&  (!creator || (c->creator && strcmp (c->creator, creator) == 0)))
            return c;
    }
    return NULL;
}

static bool
s_has_name (story_conceptv_t *list, const char *name)
{
    for (size_t i = 0; i < list->len; i++)
        if (list->items [i].name && strcmp (list->items [i].name, name) == 0)
            return true;
    return false;
}

static void
s_write (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fputs (text, file);
    fclose (file);
}

static void
test_subjects (void **state)
{
    config_t *config = config_load (s_home);
    char err [512];
    classify_t *classify = classify_new (config, err, sizeof err);
    if (!classify)
        fprintf (stderr, "%s\n", err);
    assert_non_null (classify);
    assert_true (classify_model (classify)->cats.len >= 90);

    story_t *earn = s_story ("urn:test:earn", "Acme Tools Corp first quarter net profit rises",
        "Acme Tools Corp said first quarter net profit rose to 12.5 mln dlrs, or 45 cts "
        "a share, from 10.1 mln dlrs, or 38 cts a share, a year earlier. Revenues rose "
        "to 120.4 mln dlrs from 101.2 mln dlrs. The company said it expects higher "
        "earnings for the full year.");
    //  A subject the provider sent is kept, and not repeated by classify
    story_concept_t *given = story_add_concept (&earn->subjects, "Acquisitions");
    str_set (&given->literal, "reuters:acq");
    str_set (&given->creator, "newsroom");
    int assigned = classify_story (classify, earn);
    assert_true (assigned >= 1);
    story_concept_t *c = s_find (&earn->subjects, "reuters:earn", "classify");
    assert_non_null (c);
    assert_true (c->confidence > 50 && c->confidence <= 100);
    assert_int_equal (c->relevance, 100);
    assert_non_null (s_find (&earn->subjects, "reuters:acq", "newsroom"));
    assert_null (s_find (&earn->subjects, "reuters:acq", "classify"));
    //  Classifying again replaces classify's own output, nothing doubles
    size_t subjects = earn->subjects.len;
    classify_story (classify, earn);
    assert_int_equal (earn->subjects.len, subjects);
    buf_t topics;
    buf_init (&topics);
    classify_topics (earn, &topics);
    assert_non_null (strstr (topics.data, "classified.earn"));
    assert_null (strstr (topics.data, "classified.acq"));
    assert_true (earn->keywords.len > 0);

    story_t *grain = s_story ("urn:test:grain", "Wheat export sales rise",
        "Exporters sold 500,000 tonnes of wheat and corn for shipment this season, the "
        "Agriculture Department said. Grain traders said soviet demand for wheat was "
        "strong and the wheat harvest outlook improved.");
    classify_story (classify, grain);
    assert_non_null (s_find (&grain->subjects, "reuters:grain", "classify"));
    assert_non_null (s_find (&grain->subjects, "reuters:wheat", "classify"));
    assert_null (s_find (&grain->subjects, "reuters:earn", "classify"));

    //  Nothing to say: no subject, topic classified.none
    story_t *empty = s_story ("urn:test:empty", NULL, NULL);
    assert_int_equal (classify_story (classify, empty), 0);
    classify_topics (empty, &topics);
    assert_string_equal (topics.data, "classified.none");
    assert_int_equal (classify_count (classify), 4);
    assert_true (classify_unassigned (classify) >= 1);

    buf_free (&topics);
    story_destroy (&earn);
    story_destroy (&grain);
    story_destroy (&empty);
    classify_destroy (&classify);
    config_destroy (&config);
}

static void
test_today (void **state)
{
    config_t *config = config_load (s_home);
    char err [512];
    classify_t *classify = classify_new (config, err, sizeof err);
    assert_non_null (classify);
    story_t *story = s_story ("urn:test:today", "Ukraine and Poland agree grain transit deal",
        "KYIV - Ukrainian Prime Minister Denys Shmyhal and Polish Agriculture Minister "
        "Anna Kowalska agreed on Monday to speed up grain transit to the Baltic ports, "
        "the European Commission said. Shmyhal said the deal would help farmers. The "
        "Food and Agriculture Organization (FAO) welcomed it, and a ransomware attack on "
        "a Gdansk terminal last week was not mentioned.");
    str_set (&story->dateline.place, "KYIV");
    //  The provider's place is kept, and not repeated
    story_concept_t *given = story_add_concept (&story->places, "Poland");
    str_set (&given->literal, "iso3166:PL");
    classify_story (classify, story);
    assert_non_null (s_find (&story->places, "iso3166:UA", "classify"));
    assert_null (s_find (&story->places, "iso3166:PL", "classify"));
    assert_true (s_has_name (&story->people, "Denys Shmyhal"));
    assert_true (s_has_name (&story->people, "Anna Kowalska"));
    assert_true (s_has_name (&story->organisations, "European Commission"));
    assert_true (s_has_name (&story->organisations, "Food and Agriculture Organization"));
    //  The shipped rules: a ransomware story is about cyber security
    story_concept_t *cyber = s_find (&story->subjects, "copydesk:cyber", "classify");
    assert_non_null (cyber);
    assert_int_equal (cyber->confidence, 100);
    story_destroy (&story);
    classify_destroy (&classify);
    config_destroy (&config);
}

static void
test_rules (void **state)
{
    char err [256];
    rules_t *rules = rules_parse (
        "# comment\n"
        "x:oil | Oil = crude OR \"oil price\"   # trailing comment\n"
        "\n"
        "x:cyber = (hack* OR ransomware) AND NOT hackathon\n"
        "x:both = alpha beta\n"
        "x:prec = alpha OR beta AND gamma\n"
        "x:nots = NOT NOT alpha\n"
        "x:hash = \"c# code\"\n", "r.txt", err, sizeof err);
    if (!rules)
        fprintf (stderr, "%s\n", err);
    assert_non_null (rules);
    assert_int_equal (rules_size (rules), 6);
    assert_string_equal (rules_literal (rules, 0), "x:oil");
    assert_string_equal (rules_name (rules, 0), "Oil");
    assert_null (rules_name (rules, 1));
    assert_null (rules_literal (rules, 99));
    struct { const char *text; const char *expect; } cases [] = {
        { "Crude rose.", "0" },
        { "The OIL PRICE fell.", "0" },
        { "oil fell on price news", "" },                   //  Not the phrase
        { "Hackers struck.", "1" },
        { "A hackathon for hackers.", "" },
        { "beta then alpha", "2,3,4" },
        { "alpha", "3,4" },
        { "beta gamma", "3" },
        { "He writes C# code.", "5" },
        { "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        rulehitv_t hits = { 0 };
        rules_match (rules, NULL, cases [i].text, &hits);
        buf_t got;
        buf_init (&got);
        for (size_t k = 0; k < hits.len; k++)
            buf_printf (&got, "%s%zu", k ? "," : "", hits.items [k]);
        if (strcmp (got.data ? got.data : "", cases [i].expect))
            fprintf (stderr, "rules on \"%s\": got \"%s\" want \"%s\"\n", cases [i].text,
                     got.data ? got.data : "", cases [i].expect);
        assert_string_equal (got.data ? got.data : "", cases [i].expect);
        buf_free (&got);
        free (hits.items);
    }
    rules_destroy (&rules);

    const char *bad [] = {
        "x:a crude\n",                  //  No '='
        "= crude\n",                    //  No literal
        "two words = crude\n",
        "x:a = (crude\n",
        "x:a = crude)\n",
        "x:a = crude AND\n",
        "x:a = OR crude\n",
        "x:a = \"open phrase\n",
        "x:a = \"two words\"*\n",
        "x:a = ...\n",
        "x:a =\n",
        NULL
    };
    for (int i = 0; bad [i]; i++) {
        rules = rules_parse (bad [i], "r.txt", err, sizeof err);
        if (rules)
            fprintf (stderr, "accepted: %s", bad [i]);
        assert_null (rules);
        assert_non_null (strstr (err, "r.txt:1:"));
    }
    //  Deep nesting is refused, not a stack overflow
    buf_t deep;
    buf_init (&deep);
    buf_puts (&deep, "x:a = ");
    for (int i = 0; i < 10000; i++)
        buf_puts (&deep, "(");
    buf_puts (&deep, "a");
    rules = rules_parse (deep.data, "r.txt", err, sizeof err);
    assert_null (rules);
    buf_free (&deep);
}

static void
test_reload (void **state)
{
    char *path = xasprintf ("%s/rules.txt", s_home);
    s_write (path, "test:zebra | Zebras = zebra*\n");
    config_t *config = config_load (s_home);
    config_set (config, "classify/rules", path);
    char err [512];
    classify_t *classify = classify_new (config, err, sizeof err);
    assert_non_null (classify);
    story_t *story = s_story ("urn:test:zebra", "Zebras escape", "Two zebras left the zoo.");
    classify_story (classify, story);
    assert_non_null (s_find (&story->subjects, "test:zebra", "classify"));
    //  A broken file: reload fails, the old rules stay
    s_write (path, "test:zebra = (zebra\n");
    assert_int_equal (classify_reload (classify, err, sizeof err), -1);
    assert_non_null (strstr (err, "missing )"));
    classify_story (classify, story);
    assert_non_null (s_find (&story->subjects, "test:zebra", "classify"));
    //  A good new file: reload takes it
    s_write (path, "test:giraffe = giraffe\n");
    assert_int_equal (classify_reload (classify, err, sizeof err), 0);
    classify_story (classify, story);
    assert_null (s_find (&story->subjects, "test:zebra", "classify"));
    //  A rules path that does not exist is an error, not silence
    config_set (config, "classify/rules", "/nonexistent/rules.txt");
    assert_int_equal (classify_reload (classify, err, sizeof err), -1);
    //  A bad model: start fails with the reason
    config_set (config, "classify/rules", path);
    s_write (path, "test:giraffe = giraffe\n");
    char *model = xasprintf ("%s/model.cdm", s_home);
    s_write (model, "CDMODEL but not really");
    config_set (config, "classify/model", model);
    assert_int_equal (classify_reload (classify, err, sizeof err), -1);
    classify_t *other = classify_new (config, err, sizeof err);
    assert_null (other);
    assert_non_null (strstr (err, "model"));
    unlink (model);
    unlink (path);
    free (model);
    free (path);
    story_destroy (&story);
    classify_destroy (&classify);
    config_destroy (&config);
}

//  The classifier reads each story's words once and shares them; its
//  scores must be the vectorizer's and the model's on their own, bit for
//  bit, and a story classified among others as when classified alone
static void
test_shared_words (void **state)
{
    config_t *config = config_load (s_home);
    char err [512];
    classify_t *classify = classify_new (config, err, sizeof err);
    assert_non_null (classify);
    const model_t *model = classify_model (classify);
    vectorizer_t *vectorizer = vectorizer_new (model->vocab, model->language,
                                               (int) model->headline_weight);
    vectorizer_set_sorted (vectorizer, false);
    static const char *texts [][2] = {
        { "Crude oil prices rise", "Crude oil prices rose 3.5 pct on Tuesday as OPEC cut output. "
          "Traders in London said the Organization of Petroleum Exporting Countries would meet." },
        { "Wheat exports", "The U.S. Agriculture Department said wheat exports to the Soviet "
          "Union rose, Agriculture Secretary Richard Lyng told reporters in Washington." },
        { "ACME TO BUY BRIGHTLINE", "Acme Inc said it agreed to acquire Brightline AG for "
          "1,000 mln dlrs in cash and shares. The deal needs approval." },
        { NULL, "\xff\xfe\x01 zebra \xc3" },
    };
    size_t ncats = model->cats.len;
    float *a = (float *) xcalloc (ncats, sizeof (float));
    float *b = (float *) xcalloc (ncats, sizeof (float));
    featv_t x = { 0 };
    story_t *alone [4];
    for (int i = 0; i < 4; i++) {
        alone [i] = s_story ("urn:test:shared", texts [i][0], texts [i][1]);
        classify_story (classify, alone [i]);
    }
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 4; i++) {
            story_t *story = s_story ("urn:test:shared", texts [i][0], texts [i][1]);
            classify_scores (classify, story, a);
            vectorizer_text (vectorizer, texts [i][0], texts [i][1], "en", &x);
            model_scores (model, &x, b);
            assert_memory_equal (a, b, ncats * sizeof (float));
            classify_story (classify, story);
            story_conceptv_t *lists [4][2] = {
                { &story->subjects, &alone [i]->subjects }, { &story->places, &alone [i]->places },
                { &story->people, &alone [i]->people },
                { &story->organisations, &alone [i]->organisations }
            };
            for (int l = 0; l < 4; l++) {
                assert_int_equal (lists [l][0]->len, lists [l][1]->len);
                for (size_t k = 0; k < lists [l][0]->len; k++)
                    assert_string_equal (lists [l][0]->items [k].name, lists [l][1]->items [k].name);
            }
            assert_int_equal (story->keywords.len, alone [i]->keywords.len);
            for (size_t k = 0; k < story->keywords.len; k++)
                assert_string_equal (story->keywords.items [k], alone [i]->keywords.items [k]);
            story_destroy (&story);
        }
    for (int i = 0; i < 4; i++)
        story_destroy (&alone [i]);
    free (x.items);
    free (a);
    free (b);
    vectorizer_destroy (&vectorizer);
    classify_destroy (&classify);
    config_destroy (&config);
}

//  Random bytes, huge and odd texts: classify never breaks
static void
test_hostile (void **state)
{
    config_t *config = config_load (s_home);
    char err [512];
    classify_t *classify = classify_new (config, err, sizeof err);
    assert_non_null (classify);
    uint64_t seed = 99;
    for (int round = 0; round < 300; round++) {
        size_t len = (size_t) (seed % 3000);
        char *text = xmalloc (len + 1);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned char c = (unsigned char) (seed >> 56);
            //  Mostly letters and spaces, some punctuation and high bytes
            text [i] = (char) (c < 160 ? "aAbBcC Paris, Texas. Mr. (OPEC) & U.S. Inc 3.5 "[c % 48]
                               : c == 0 ? ' ' : c);
        }
        text [len] = 0;
        story_t *story = s_story ("urn:test:hostile", round % 2 ? text : NULL, text);
        str_set (&story->language, round % 3 == 0 ? "de" : round % 3 == 1 ? "zz-Qaaa" : NULL);
        str_set (&story->dateline.place, text + (len > 10 ? len - 10 : 0));
        classify_story (classify, story);
        story_destroy (&story);
        free (text);
    }
    //  One very long story of one repeated name
    buf_t big;
    buf_init (&big);
    for (int i = 0; i < 50000; i++)
        buf_puts (&big, "President Alpha Beta said Gamma Corp and Delta AG met in Paris. ");
    story_t *story = s_story ("urn:test:big", "Big", big.data);
    classify_story (classify, story);
    assert_true (story->people.len <= 32 && story->organisations.len <= 32);
    story_destroy (&story);
    buf_free (&big);
    classify_destroy (&classify);
    config_destroy (&config);
}

//  The shipped model on the ModApte test split: the fixed check (the full
//  one, which retrains, is tests/e2e/classify_eval.sh)
static void
test_shipped_model (void **state)
{
    const char *shared = getenv ("COPYDESK_SHARED");
    assert_non_null (shared);
    char *path = xasprintf ("%s/data/reuters21578", shared);
    char err [512];
    corpus_t *corpus = corpus_load (path, "modapte", err, sizeof err);
    if (!corpus)
        fprintf (stderr, "%s\n", err);
    assert_non_null (corpus);
    assert_int_equal (corpus->train, 9603);
    assert_int_equal (corpus->test, 3299);
    config_t *config = config_load (s_home);
    classify_t *classify = classify_new (config, err, sizeof err);
    assert_non_null (classify);
    eval_report_t report;
    assert_int_equal (eval_run (classify, corpus, &report, err, sizeof err), 0);
    printf ("shipped model: 90-cat micro-F1 %.4f macro-F1 %.4f, top-10 micro-F1 %.4f, "
            "places micro-F1 %.4f\n", report.all.micro_f1, report.all.macro_f1,
            report.top10.micro_f1, report.places.micro_f1);
    assert_int_equal (report.cats.len, 90);
    assert_int_equal (report.all.stories, 3019);
    assert_int_equal (report.places.stories, 3299);
    assert_true (report.all.micro_f1 >= 0.88);
    assert_true (report.all.macro_f1 >= 0.55);
    assert_true (report.top10.micro_f1 >= 0.93);
    assert_true (report.places.micro_f1 >= 0.85);
    json_t *json = eval_json (&report);
    assert_non_null (json_object_get (json, "subjects"));
    json_decref (json);
    eval_report_free (&report);
    classify_destroy (&classify);
    config_destroy (&config);
    corpus_destroy (&corpus);
    free (path);
}

static int
s_setup (void **state)
{
    return mkdtemp (s_home) ? 0 : -1;
}

static int
s_teardown (void **state)
{
    char *cfg = xasprintf ("%s/copydesk.cfg", s_home);
    unlink (cfg);
    free (cfg);
    rmdir (s_home);
    return 0;
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_subjects),
        cmocka_unit_test (test_today),
        cmocka_unit_test (test_rules),
        cmocka_unit_test (test_reload),
        cmocka_unit_test (test_shared_words),
        cmocka_unit_test (test_hostile),
        cmocka_unit_test (test_shipped_model),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
