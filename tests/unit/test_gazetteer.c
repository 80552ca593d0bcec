//  SPDX-License-Identifier: MIT
//  test_gazetteer - place names to country codes, and disambiguation, on
//  the shipped config/gazetteer.tsv and on sentences written here

#include "common.h"
#include "classify/gazetteer.h"
#include <setjmp.h>
#include <cmocka.h>

static gazetteer_t *s_gazetteer;

static int
s_setup (void **state)
{
    const char *source = getenv ("COPYDESK_SOURCE");
    char *path = xasprintf ("%s/config/gazetteer.tsv", source ? source : COPYDESK_SOURCE_DIR);
    char err [256];
    s_gazetteer = gazetteer_load (path, err, sizeof err);
    if (!s_gazetteer)
        fprintf (stderr, "%s\n", err);
    free (path);
    return s_gazetteer ? 0 : -1;
}

static int
s_teardown (void **state)
{
    gazetteer_destroy (&s_gazetteer);
    return 0;
}

//  The codes found in a story made of dateline, headline and body, as
//  "FR,US" (best first), kept at threshold
static char *
s_places (const char *dateline, const char *headline, const char *body, float threshold)
{
    story_t *story = story_new ();
    if (dateline)
        str_set (&story->dateline.place, dateline);
    if (headline)
        story_add_text (&story->headlines, "main", NULL, headline);
    if (body)
        story_add_text (&story->bodies, "main", NULL, body);
    placev_t places = { 0 };
    gazetteer_places (s_gazetteer, story, threshold, &places);
    buf_t out;
    buf_init (&out);
    for (size_t i = 0; i < places.len; i++)
        buf_printf (&out, "%s%s", i ? "," : "", places.items [i].code);
    free (places.items);
    story_destroy (&story);
    return buf_detach (&out);
}

static void
s_check (const char *dateline, const char *headline, const char *body, const char *expected)
{
    char *got = s_places (dateline, headline, body, 0);
    if (strcmp (got, expected))
        fprintf (stderr, "places of \"%s\": got \"%s\", want \"%s\"\n",
                 body ? body : headline ? headline : "", got, expected);
    assert_string_equal (got, expected);
    free (got);
}

static void
test_lookup (void **state)
{
    assert_true (gazetteer_size (s_gazetteer) > 1500);
    assert_string_equal (gazetteer_lookup (s_gazetteer, "France"), "FR");
    assert_string_equal (gazetteer_lookup (s_gazetteer, "Paris"), "FR");
    assert_string_equal (gazetteer_lookup (s_gazetteer, "Côte d'Ivoire"), "CI");
    assert_string_equal (gazetteer_lookup (s_gazetteer, "U.S."), "US");
    assert_string_equal (gazetteer_lookup (s_gazetteer, "Ukrainian"), "UA");
    assert_string_equal (gazetteer_lookup (s_gazetteer, "Georgia"), "GE");   //  Default sense
    assert_null (gazetteer_lookup (s_gazetteer, "Latin America"));            //  A block
    assert_null (gazetteer_lookup (s_gazetteer, "Atlantis"));
    assert_string_equal (gazetteer_name (s_gazetteer, "DE"), "Germany");
    assert_string_equal (gazetteer_name (s_gazetteer, "GB"), "United Kingdom");
    assert_null (gazetteer_name (s_gazetteer, "QQ"));
    //  Reuters codes, historical ones and their successors
    assert_string_equal (gazetteer_reuters (s_gazetteer, "usa"), "US");
    assert_string_equal (gazetteer_reuters (s_gazetteer, "uk"), "GB");
    assert_string_equal (gazetteer_reuters (s_gazetteer, "west-germany"), "DE");
    assert_string_equal (gazetteer_reuters (s_gazetteer, "east-germany"), "DD");
    assert_string_equal (gazetteer_reuters (s_gazetteer, "ussr"), "SU");
    assert_string_equal (gazetteer_reuters (s_gazetteer, "zaire"), "CD");
    assert_string_equal (gazetteer_reuters (s_gazetteer, "burma"), "MM");
    assert_null (gazetteer_reuters (s_gazetteer, "atlantis"));
    assert_string_equal (gazetteer_successor (s_gazetteer, "SU"), "RU");
    assert_string_equal (gazetteer_successor (s_gazetteer, "DD"), "DE");
    assert_string_equal (gazetteer_successor (s_gazetteer, "YU"), "RS");
    assert_string_equal (gazetteer_successor (s_gazetteer, "FR"), "FR");
    assert_null (gazetteer_successor (s_gazetteer, "QQ"));
}

static void
test_reuters_codes (void **state)
{
    //  Every place code of the corpus maps to a code of the gazetteer
    const char *shared = getenv ("COPYDESK_SHARED");
    assert_non_null (shared);
    char *path = xasprintf ("%s/data/reuters21578/all-places-strings.lc.txt", shared);
    uint8_t *data;
    size_t size;
    assert_int_equal (file_read (path, 1 << 20, &data, &size), 0);
    char *text = xstrndup ((const char *) data, size);
    int codes = 0;
    char *save = NULL;
    for (char *code = strtok_r (text, " \n\t", &save); code; code = strtok_r (NULL, " \n\t", &save)) {
        if (!gazetteer_reuters (s_gazetteer, code))
            fprintf (stderr, "reuters place %s has no code\n", code);
        assert_non_null (gazetteer_reuters (s_gazetteer, code));
        codes++;
    }
    assert_int_equal (codes, 175);
    free (text);
    free (data);
    free (path);
}

static void
test_places (void **state)
{
    s_check (NULL, NULL, "The minister flew from Paris to Berlin.", "DE,FR");
    //  Qualifiers decide: Paris, Texas; SAN JOSE, Calif.; London, Ontario
    s_check (NULL, NULL, "The storm hit Paris, Texas, overnight.", "US");
    s_check ("SAN JOSE, Calif.", NULL, NULL, "US");
    s_check ("MIDLAND, Mich.", NULL, NULL, "US");
    s_check (NULL, NULL, "The plant in London, Ontario, will close.", "CA");
    //  Georgia: the country or the state, by the rest of the story
    s_check (NULL, NULL, "Georgia's parliament in Tbilisi voted on the bill.", "GE");
    s_check (NULL, NULL, "Voters in Georgia lined up in Atlanta and across the South.", "US");
    //  Jordan: a country, or a man
    s_check (NULL, NULL, "Michael Jordan scored 40 points.", "");
    s_check (NULL, NULL, "The striker Jordan Henderson scored.", "");
    s_check (NULL, NULL, "Jordan and Egypt signed a gas deal in Amman.", "JO,EG");
    //  Turkey the bird, Turkey the country; China the porcelain
    s_check (NULL, NULL, "They roasted a turkey and set out the best china.", "");
    s_check (NULL, NULL, "Turkey said it would raise rates.", "TR");
    //  Longest match: regions spanning countries are no country
    s_check (NULL, NULL, "Latin American debt and South Korea's exports.", "KR");
    s_check (NULL, NULL, "Papua New Guinea and Guinea-Bissau.", "GW,PG");
    s_check (NULL, NULL, "New Mexico and Mexico.", "MX,US");
    s_check (NULL, NULL, "Northern Ireland talks with Ireland.", "GB,IE");
    //  Demonyms and all-capital headlines
    s_check (NULL, "JAPAN CUTS RATES", "The Japanese central bank acted.", "JP");
    //  A "~word" name in capitals needs support from the story
    s_check (NULL, "NICE WEATHER FOR MARKETS", "Stocks rose.", "");
    //  Thresholds: a dateline (3) beats one body mention (1)
    char *got = s_places ("TOKYO", NULL, "Talks with Brazil went on.", 2.5f);
    assert_string_equal (got, "JP");
    free (got);
    //  Hostile text: nothing breaks
    s_check (NULL, "\xff\xfe\x01", "\xc3(\x80 Paris \xe2\x82", "FR");
    s_check (NULL, NULL, "", "");
}


//  The same places on words read into a lexicon the caller shares (as the
//  classifier does), with descriptions before the body, across a trim of
//  the lexicon (new epoch, memos dropped); and look-ups by words
static void
test_shared_lexicon (void **state)
{
    static const char *texts [][3] = {
        { NULL, NULL, "The minister flew from Paris to Berlin." },
        { NULL, NULL, "The storm hit Paris, Texas, overnight." },
        { "SAN JOSE, Calif.", NULL, NULL },
        { NULL, NULL, "Michael Jordan scored 40 points." },
        { NULL, NULL, "Jordan and Egypt signed a gas deal in Amman." },
        { NULL, "JAPAN CUTS RATES", "The Japanese central bank acted." },
        { NULL, NULL, ", New Mexico and Mexico." },
        { "TOKYO", NULL, "Talks with Brazil went on." },
        { NULL, "\xff\xfe\x01", "\xc3(\x80 Paris \xe2\x82" },
    };
    lexicon_t *lexicon = lexicon_new ();
    lextext_t dateline = { 0 }, headline = { 0 }, body = { 0 };
    placev_t shared = { 0 }, alone = { 0 };
    buf_t with;
    buf_init (&with);
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof texts / sizeof texts [0]; i++) {
            story_t *story = story_new ();
            if (texts [i][0])
                str_set (&story->dateline.place, texts [i][0]);
            if (texts [i][1])
                story_add_text (&story->headlines, "main", NULL, texts [i][1]);
            if (texts [i][2])
                story_add_text (&story->bodies, "main", NULL, texts [i][2]);
            gazetteer_places (s_gazetteer, story, 0, &alone);
            //  The body read after a description that names other places
            buf_clear (&with);
            buf_puts (&with, "A description: Oslo, Norway and Lima.\n\n");
            size_t from = with.size;
            buf_puts (&with, texts [i][2] ? texts [i][2] : "");
            lexicon_read (lexicon, texts [i][0], texts [i][0] ? strlen (texts [i][0]) : 0, &dateline);
            lexicon_read (lexicon, texts [i][1], texts [i][1] ? strlen (texts [i][1]) : 0, &headline);
            lexicon_read (lexicon, with.data, with.size, &body);
            gazetteer_places_words (s_gazetteer, lexicon, &dateline, &headline, &body, from, 0,
                                    &shared);
            assert_int_equal (shared.len, alone.len);
            for (size_t k = 0; k < shared.len; k++) {
                assert_string_equal (shared.items [k].code, alone.items [k].code);
                assert_true (shared.items [k].score == alone.items [k].score);
            }
            story_destroy (&story);
        }
        if (round == 1)
            assert_true (lexicon_trim (lexicon, 0));
    }
    //  Names by their words
    const char *names [] = { "New York", "Paris", "Papua New Guinea", "Latin America", "Nowhere", NULL };
    for (int i = 0; names [i]; i++) {
        lexicon_read (lexicon, names [i], strlen (names [i]), &body);
        const char *by_words = gazetteer_lookup_words (s_gazetteer, lexicon, body.words.items,
                                                       body.words.len);
        const char *by_name = gazetteer_lookup (s_gazetteer, names [i]);
        assert_true (by_words == by_name || (by_words && by_name && strcmp (by_words, by_name) == 0));
    }
    assert_string_equal (gazetteer_lookup_words (s_gazetteer, lexicon, body.words.items, 0) ? "x" : "", "");
    buf_free (&with);
    free (shared.items);
    free (alone.items);
    lextext_free (&dateline);
    lextext_free (&headline);
    lextext_free (&body);
    lexicon_destroy (&lexicon);
}

static void
test_parse_errors (void **state)
{
    char err [256];
    gazetteer_t *g = gazetteer_parse ("FR\tcountry\tFrance\nXX\tplanet\tMars\n", 33, "t.tsv",
                                      err, sizeof err);
    assert_null (g);
    assert_string_equal (err, "t.tsv:2: unknown kind");
    const char *bad [] = {
        "FRA\tcountry\tFrance\n",           //  Three letters
        "FR\tcountry\n",                     //  No names
        "-\tcountry\tNowhere\n",             //  Block code with a kind
        "FR\tcountry\tFrance~maybe\n",       //  Unknown marker
        "FR\tcity\tParis\n",                 //  No country line
        "SU\tcountry\tSoviet Union\nSU\tsuccessor\tRU\n",   //  Unknown successor
        "# only a comment\n",
        NULL
    };
    for (int i = 0; bad [i]; i++) {
        g = gazetteer_parse (bad [i], strlen (bad [i]), "t.tsv", err, sizeof err);
        if (g)
            fprintf (stderr, "accepted: %s", bad [i]);
        assert_null (g);
    }
    const char *good = "# comment\r\nFR\tcountry\tFrance|French Republic\r\n"
                       "FR\tcapital\tParis\nFR\treuters\tfrance\n-\tblock\tEurope\n";
    g = gazetteer_parse (good, strlen (good), "t.tsv", err, sizeof err);
    assert_non_null (g);
    assert_string_equal (gazetteer_lookup (g, "french republic"), "FR");
    assert_string_equal (gazetteer_reuters (g, "france"), "FR");
    gazetteer_destroy (&g);
    assert_null (gazetteer_load ("/nonexistent.tsv", err, sizeof err));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_lookup),
        cmocka_unit_test (test_reuters_codes),
        cmocka_unit_test (test_places),
        cmocka_unit_test (test_shared_lexicon),
        cmocka_unit_test (test_parse_errors),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
