//  SPDX-License-Identifier: MIT
//  test_tokenize - word splitting, case folding, stop words, Snowball stems

#include "common.h"
#include "classify/tokenize.h"
#include <setjmp.h>
#include <cmocka.h>

typedef struct {
    strv_t words;
    VEC (token_t) tokens;
} words_t;

static int
s_collect (void *arg, const token_t *token)
{
    words_t *w = (words_t *) arg;
    strv_push (&w->words, token->word);
    token_t *copy = vec_push (&w->tokens);
    *copy = *token;
    copy->word = NULL;
    return 0;
}

static void
s_words (const char *text, words_t *out)
{
    memset (out, 0, sizeof *out);
    tokenize (text, strlen (text), s_collect, out);
}

static void
s_free (words_t *w)
{
    strv_free (&w->words);
    free (w->tokens.items);
}

static void
s_expect (const char *text, const char **expected)
{
    words_t w;
    s_words (text, &w);
    size_t n = 0;
    while (expected [n])
        n++;
    for (size_t i = 0; i < w.words.len && i < n; i++)
        assert_string_equal (w.words.items [i], expected [i]);
    assert_int_equal (w.words.len, n);
    s_free (&w);
}

static void
test_words (void **state)
{
    const char *a [] = { "the", "u.s", "oil", "rich", "company", "shares", "rose", "3.5",
                         "pct", "to", "1000", "dlrs", NULL };
    s_expect ("The U.S. oil-rich company's shares rose 3.5 pct to 1,000 dlrs.", a);
    const char *b [] = { "at&t", "and", "o'brien", "said", "u.k", "gdp", NULL };
    s_expect ("AT&T and O'Brien said: U.K. GDP...", b);
    const char *c [] = { NULL };
    s_expect ("", c);
    s_expect (" -- ... !!! ", c);
}

static void
test_unicode (void **state)
{
    const char *a [] = { "zürich", "école", "naïve", "strasse", "straße", NULL };
    //  Case folding: "STRASSE" folds to "strasse"; "Straße" full-folds to
    //  "strasse" too
    words_t w;
    s_words ("Zürich ÉCOLE naïve STRASSE", &w);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal (w.words.items [i], a [i]);
    assert_true (w.tokens.items [1].upper);
    assert_true (w.tokens.items [0].capital);
    assert_false (w.tokens.items [0].ascii);
    s_free (&w);
    s_words ("Straße", &w);
    assert_int_equal (w.words.len, 1);
    assert_string_equal (w.words.items [0], "strasse");
    s_free (&w);
    //  Curly apostrophe, CJK and Cyrillic words
    s_words ("Reuters’s Москва 東京", &w);
    assert_int_equal (w.words.len, 3);
    assert_string_equal (w.words.items [0], "reuters");
    assert_string_equal (w.words.items [1], "москва");
    s_free (&w);
}

static void
test_shape (void **state)
{
    words_t w;
    s_words ("Mr. Smith met Gen. Lee. Then he left.\n\nNew paragraph", &w);
    //  mr smith met gen lee then he left new paragraph
    assert_int_equal (w.words.len, 10);
    assert_true (w.tokens.items [0].sentence);      //  Mr
    assert_false (w.tokens.items [1].sentence);     //  Smith: "Mr." ends no sentence
    assert_false (w.tokens.items [4].sentence);     //  Lee: nor does "Gen."
    assert_true (w.tokens.items [5].sentence);      //  Then
    assert_true (w.tokens.items [8].sentence);      //  New (after a blank line)
    assert_true (w.tokens.items [1].capital);
    assert_false (w.tokens.items [2].capital);
    s_free (&w);
    s_words ("Q1 1987 3.5", &w);
    assert_false (w.tokens.items [0].number);
    assert_true (w.tokens.items [1].number);
    assert_true (w.tokens.items [2].number);
    s_free (&w);
}

static void
test_hostile (void **state)
{
    //  Invalid UTF-8, control bytes, NUL inside the length, a huge word
    const char bad [] = "ok\xff\xfe" "abc\x01" "def\xc3" "\x00" "ghi";
    words_t w;
    memset (&w, 0, sizeof w);
    tokenize (bad, sizeof bad - 1, s_collect, &w);
    assert_int_equal (w.words.len, 4);
    assert_string_equal (w.words.items [0], "ok");
    assert_string_equal (w.words.items [3], "ghi");
    s_free (&w);
    char *huge = xmalloc (100001);
    memset (huge, 'a', 100000);
    huge [100000] = 0;
    huge [50] = ' ';
    s_words (huge, &w);
    assert_int_equal (w.words.len, 1);              //  The 50-letter word only
    assert_int_equal (strlen (w.words.items [0]), 50);
    s_free (&w);
    free (huge);
}

static void
test_stems (void **state)
{
    tokenizer_t *en = tokenizer_new ("en-GB");
    assert_string_equal (tokenizer_algorithm (en), "english");
    char *stem = tokenizer_stem (en, "running", 7);
    assert_string_equal (stem, "run");
    free (stem);
    stem = tokenizer_stem (en, "companies", 9);
    assert_string_equal (stem, "compani");
    free (stem);
    stem = tokenizer_stem (en, "u.s", 3);             //  Initialisms kept
    assert_string_equal (stem, "u.s");
    free (stem);
    assert_true (tokenizer_is_stopword (en, "the", 3));
    assert_false (tokenizer_is_stopword (en, "oil", 3));

    //  Stem ids: equal stems share an id; stop words and numbers are -1,
    //  and break phrases
    stemv_t ids = { 0 };
    const char *text = "Oil prices rose; the price of oil 3.5 pct. Pricing!";
    tokenizer_stems (en, text, strlen (text), &ids);
    //  oil price rose | price | oil | pct | price
    size_t len;
    assert_true (ids.len >= 8);
    assert_string_equal (tokenizer_stem_text (en, ids.items [0], &len), "oil");
    assert_int_equal (ids.items [1], ids.items [4]);        //  prices = price
    assert_int_equal (ids.items [3], -1);                   //  "the"
    int32_t *tag = tokenizer_stem_tag (en, ids.items [0]);
    assert_int_equal (*tag, INT32_MIN);
    *tag = 7;
    assert_int_equal (*tokenizer_stem_tag (en, ids.items [0]), 7);
    size_t stems = tokenizer_stem_count (en);
    assert_true (stems >= 4);
    assert_false (tokenizer_trim (en, 1000));
    assert_true (tokenizer_trim (en, 1));
    assert_int_equal (tokenizer_stem_count (en), 0);
    free (ids.items);
    tokenizer_destroy (&en);
    assert_null (en);

    //  German: its own stop words and stemmer
    tokenizer_t *de = tokenizer_new ("de");
    assert_string_equal (tokenizer_algorithm (de), "german");
    assert_true (tokenizer_is_stopword (de, "und", 3));
    stem = tokenizer_stem (de, "häuser", strlen ("häuser"));
    assert_string_equal (stem, "haus");
    free (stem);
    tokenizer_destroy (&de);

    //  Unknown language: English
    tokenizer_t *xx = tokenizer_new ("tlh");
    assert_string_equal (tokenizer_algorithm (xx), "english");
    tokenizer_destroy (&xx);
    char primary [8];
    assert_string_equal (tokenizer_language_primary ("PT-br", primary, sizeof primary), "pt");
    assert_string_equal (tokenizer_language_primary (NULL, primary, sizeof primary), "");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_words),
        cmocka_unit_test (test_unicode),
        cmocka_unit_test (test_shape),
        cmocka_unit_test (test_hostile),
        cmocka_unit_test (test_stems),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
