//  SPDX-License-Identifier: MIT
//  test_plaintext - the plain-text parser on every sample, and hostile text

#include "ingest_collect.h"
#include "normalize/normalize.h"
#include <setjmp.h>
#include <cmocka.h>

//  Parse one sample; exactly one story expected. Caller resets c.
static story_t *
s_sample (collect_t *c, const char *name)
{
    char *path = xasprintf ("samples/plaintext/%s", name);
    assert_int_equal (collect_shared (c, path, NULL), 0);
    free (path);
    assert_string_equal (c->result.format, "plain-text");
    assert_int_equal (c->stories.len, 1);
    assert_int_equal (c->dead.len, 0);
    story_t *s = c->stories.items [0];
    assert_true (collect_story_clean (s));
    assert_string_equal (s->ingest.format, "plain-text");
    assert_non_null (s->ingest.sha256);
    return s;
}

static bool
s_has_source (const story_t *s, const char *name)
{
    for (size_t i = 0; i < s->infosources.len; i++)
        if (s->infosources.items [i].name && strcmp (s->infosources.items [i].name, name) == 0)
            return true;
    return false;
}

//  Scraped article bodies: no headline line, the body as it is
static void
test_scraped (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_sample (&c, "newspaper__bloomberg.com1.txt");
    assert_int_equal (s->headlines.len, 0);
    assert_true (str_starts (collect_body (s, "main"), "Nevada, Arizona and Florida are among"));
    assert_string_equal (s->ingest.charset, "utf-8");
    collect_reset (&c);

    s = s_sample (&c, "newspaper__cnn.txt");
    assert_int_equal (s->headlines.len, 0);
    assert_true (str_starts (collect_body (s, "main"), "Are you in the grips of the wintry storm"));
    assert_string_equal (s->dateline.source, "CNN");
    assert_string_equal (s->dateline.text, "(CNN) --");
    collect_reset (&c);

    s = s_sample (&c, "newspaper__foxbusiness.com1.txt");
    assert_int_equal (s->headlines.len, 0);
    assert_true (str_starts (collect_body (s, "main"), "No matter how much traffic your site gets"));
    collect_reset (&c);

    //  CJK: a paragraph ending in the ideographic full stop is no headline
    s = s_sample (&c, "newspaper__chinese.txt");
    assert_int_equal (s->headlines.len, 0);
    assert_true (str_starts (collect_body (s, "main"), "\xe9\xa6\x99\xe6\xb8\xaf"));
    assert_non_null (strstr (collect_body (s, "main"), "\n\n"));
    collect_reset (&c);
}

//  A Bureau of Meteorology bulletin: id, issuer, region, title, issue time
static void
test_bulletin (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_sample (&c, "sdaap__IDN38100.tst");
    assert_string_equal (story_headline (s), "Cancellation of Road Weather Alert for Sydney");
    assert_string_equal (collect_altid (s, "bom-product"), "IDN38100");
    assert_true (s_has_source (s, "Australian Government Bureau of Meteorology"));
    assert_int_equal (s->places.len, 1);
    assert_string_equal (s->places.items [0].name, "New South Wales");
    //  EST in an Australian bulletin is UTC+10
    assert_string_equal (s->versioncreated, "Thursday 5 July 2018 9:27 am +1000");
    assert_string_equal (story_rawdate (s, "versioncreated"),
                         "Issued at 9:27 am EST on Thursday 5 July 2018.");
    assert_true (str_starts (collect_body (s, "main"), "The road weather alert for the Western suburbs"));
    collect_reset (&c);
}

//  PR Newswire / AsiaNet releases via AAP
static void
test_releases (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_sample (&c, "sdaap__asianet_1.tst");
    assert_string_equal (story_headline (s),
        "Digital Turbine Partners with Axiata Digital On Carrier Billing Platform Integration");
    assert_string_equal (collect_altid (s, "media-release"), "PR67276");
    assert_true (s_has_source (s, "Digital Turbine, Inc."));
    assert_string_equal (s->dateline.place, "AUSTIN, Texas");
    assert_string_equal (s->dateline.date, "Feb. 1, 2017");
    assert_string_equal (s->dateline.source, "PRNewswire-AsiaNet");
    assert_string_equal (s->located, "AUSTIN, Texas");
    assert_int_equal (s->genres.len, 1);
    assert_string_equal (s->genres.items [0].name, "Press Release");
    //  The body starts with the dateline, CR LF gone
    const char *body = collect_body (s, "main");
    assert_true (str_starts (body, "AUSTIN, Texas, Feb. 1, 2017 /PRNewswire-AsiaNet/ --"));
    assert_null (strchr (body, '\r'));
    collect_reset (&c);

    s = s_sample (&c, "sdaap__asianet_3.tst");
    assert_string_equal (story_headline (s), "Animal rights come to Brazil's Carnival for a show with no feathers");
    assert_string_equal (s->dateline.place, "SAO PAULO");
    assert_true (s->renditions.len >= 4);
    assert_true (str_starts (s->renditions.items [0].href, "http://mma.prnewswire.com/media/"));
    collect_reset (&c);

    //  A headline wrapped over two lines is joined
    s = s_sample (&c, "sdaap__asianet_4.tst");
    assert_string_equal (story_headline (s), "Digital Agency Essence Builds on Enormous Growth in APAC; "
                                             "Promotes Jovy Gill to Managing Director of Australia");
    assert_string_equal (s->dateline.place, "SINGAPORE");
    collect_reset (&c);

    s = s_sample (&c, "sdaap__asianet_5.tst");
    assert_string_equal (story_headline (s), "OMRON Launches Promotional Website for AI-equipped Mobile Robot LD Series");
    assert_string_equal (s->dateline.source, "Kyodo JBN-AsiaNet");
    assert_string_equal (s->dateline.place, "KYOTO, Japan");
    collect_reset (&c);

    s = s_sample (&c, "sdaap__asianet_7.tst");
    assert_string_equal (story_headline (s), "Shinetech Software, Inc. Reports 16% Growth in 2016");
    assert_string_equal (s->dateline.place, "NEW YORK, LONDON and BEIJING");
    assert_string_equal (collect_altid (s, "media-release"), "PR67271");
    collect_reset (&c);

    s = s_sample (&c, "sdaap__asianet_8.tst");
    assert_string_equal (story_headline (s), "Huntsman Family Investments to Acquire GTA TeleGuam");
    assert_int_equal (s->renditions.len, 2);
    assert_string_equal (s->dateline.place, "TAMUNING, Guam");
    collect_reset (&c);
}

//  Conventions of other plain-text feeds: field labels, Markdown, bylines
static void
test_conventions (void **state)
{
    collect_t c = { 0 };
    const char *labels = "Slug: budget-vote\r\nHeadline: Parliament passes the budget\r\n"
                         "Date: 2024-03-01 10:00\r\nKeywords: budget, parliament; vote\r\n\r\n"
                         "Lawmakers approved the budget on Friday.\r\n";
    assert_int_equal (collect_bytes (&c, "labels.txt", NULL, labels, strlen (labels)), 0);
    story_t *s = c.stories.items [0];
    assert_string_equal (story_headline (s), "Parliament passes the budget");
    assert_string_equal (s->slugline, "budget-vote");
    assert_string_equal (s->versioncreated, "2024-03-01 10:00");
    assert_string_equal (story_rawdate (s, "versioncreated"), "2024-03-01 10:00");
    assert_int_equal (s->keywords.len, 3);
    assert_string_equal (s->keywords.items [2], "vote");
    assert_string_equal (collect_body (s, "main"), "Lawmakers approved the budget on Friday.");
    collect_reset (&c);

    const char *markdown = "# Storm hits the coast\n\nBy Jane Doe\n\nThe storm arrived at noon.\n";
    assert_int_equal (collect_bytes (&c, "md.txt", NULL, markdown, strlen (markdown)), 0);
    s = c.stories.items [0];
    assert_string_equal (story_headline (s), "Storm hits the coast");
    assert_string_equal (s->by, "By Jane Doe");
    assert_string_equal (collect_body (s, "main"), "The storm arrived at noon.");
    collect_reset (&c);

    const char *release = "FOR IMMEDIATE RELEASE\nEMBARGOED UNTIL 00:01 GMT 2 March 2024\n\n"
                          "Acme launches a rocket\n\nLONDON, March 1, 2024 /PRNewswire/ -- Acme said.\n";
    assert_int_equal (collect_bytes (&c, "r.txt", NULL, release, strlen (release)), 0);
    s = c.stories.items [0];
    assert_string_equal (story_headline (s), "Acme launches a rocket");
    assert_string_equal (s->embargoed, "00:01 GMT 2 March 2024");
    assert_string_equal (s->genres.items [0].name, "Press Release");
    assert_string_equal (s->dateline.source, "PRNewswire");
    collect_reset (&c);

    const char *underlined = "Storm hits the coast\n====================\n\nThe storm arrived.\n";
    assert_int_equal (collect_bytes (&c, "u.txt", NULL, underlined, strlen (underlined)), 0);
    assert_string_equal (story_headline (c.stories.items [0]), "Storm hits the coast");
    collect_reset (&c);
}

//  Degenerate and hostile text
static void
test_hostile (void **state)
{
    collect_t c = { 0 };
    //  Empty and blank input
    assert_int_equal (collect_bytes (&c, "empty.txt", "plain-text", "", 0), -1);
    assert_non_null (strstr (c.result.error, "empty"));
    collect_reset (&c);
    assert_int_equal (collect_bytes (&c, "blank.txt", "plain-text", " \r\n\t\f\n ", 7), -1);
    assert_non_null (strstr (c.result.error, "empty-input"));
    collect_reset (&c);
    //  Labels and nothing else
    const char *labels = "Source: Nobody\r\nMEDIA RELEASE PR1\r\n";
    assert_int_equal (collect_bytes (&c, "labels.txt", NULL, labels, strlen (labels)), -1);
    collect_reset (&c);

    //  A one-line ticker with ** separators and no newline
    const char *ticker = "MARKETS ** Stocks fall 2% ** Dollar firms ** Gold flat";
    assert_int_equal (collect_bytes (&c, "ticker.txt", NULL, ticker, strlen (ticker)), 0);
    assert_int_equal (c.stories.len, 1);
    assert_string_equal (story_headline (c.stories.items [0]), "MARKETS");
    assert_string_equal (collect_body (c.stories.items [0], "main"),
                         "Stocks fall 2%\n\nDollar firms\n\nGold flat");
    collect_reset (&c);

    //  CP1252 bytes (0x92 quote, 0x95 bullet), CR-only lines, controls
    const char *latin = "Caf\xe9 owners \x92" "furious\x92\r\rThe \x95 owners of the caf\xe9\x07 said\x1b[1m no.\r";
    assert_int_equal (collect_bytes (&c, "latin.txt", NULL, latin, strlen (latin)), 0);
    story_t *s = c.stories.items [0];
    assert_true (collect_story_clean (s));
    assert_string_equal (story_headline (s), "Caf\xc3\xa9 owners \xe2\x80\x99" "furious\xe2\x80\x99");
    assert_true (str_starts (collect_body (s, "main"), "The \xe2\x80\xa2 owners of the caf\xc3\xa9"));
    assert_non_null (s->ingest.charset);
    assert_string_not_equal (s->ingest.charset, "utf-8");
    collect_reset (&c);

    //  Longer Latin-1 text: the CP1252 fallback, recorded
    const char *french = "Les \xe9l\xe8ves du lyc\xe9" "e ont d\xe9" "cid\xe9 \xe0 la majorit\xe9\n\n"
        "Le ministre a r\xe9" "agi tr\xe8s vite \xe0 cette d\xe9" "cision, en d\xe9" "clarant que la "
        "gr\xe8ve \xe9tait ill\xe9gitime et que les \xe9l\xe8ves devaient retourner en classe.\n";
    assert_int_equal (collect_bytes (&c, "fr.txt", NULL, french, strlen (french)), 0);
    s = c.stories.items [0];
    assert_string_equal (story_headline (s), "Les \xc3\xa9l\xc3\xa8ves du lyc\xc3\xa9" "e ont "
                         "d\xc3\xa9" "cid\xc3\xa9 \xc3\xa0 la majorit\xc3\xa9");
    assert_true (strv_contains (&s->ingest.warnings, "charset-fallback:windows-1252"));
    collect_reset (&c);

    //  Right-to-left text with a headline
    const char *rtl = "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d\n\n"
                      "\xd7\x98\xd7\xa7\xd7\xa1\xd7\x98 \xd7\x90\xd7\xa8\xd7\x95\xd7\x9a.\n";
    assert_int_equal (collect_bytes (&c, "rtl.txt", NULL, rtl, strlen (rtl)), 0);
    assert_string_equal (story_headline (c.stories.items [0]), "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d");
    collect_reset (&c);

    //  A table keeps its lines: preformatted
    const char *table = "RESULTS\n\nTeam      W   L   Pts\nAlpha     3   0   9\nBeta      2   1   6\n"
                        "Gamma     0   3   0\n";
    assert_int_equal (collect_bytes (&c, "table.txt", NULL, table, strlen (table)), 0);
    assert_non_null (collect_body (c.stories.items [0], "preformatted"));
    collect_reset (&c);

    //  A prose paragraph with "(NYSE: X) -" is not a dateline
    const char *prose = "The company (NYSE: XYZ) - a leader in widgets - said profits rose.\n";
    assert_int_equal (collect_bytes (&c, "prose.txt", "plain-text", prose, strlen (prose)), 0);
    assert_null (c.stories.items [0]->dateline.text);
    collect_reset (&c);

    //  Fuzz regression: DEL inside a headline never reaches the story
    const char *del = "Head\x7fline \x7f\n\nBody\x7f text.\n";
    assert_int_equal (collect_bytes (&c, "del.txt", "plain-text", del, strlen (del)), 0);
    assert_true (collect_story_clean (c.stories.items [0]));
    assert_string_equal (story_headline (c.stories.items [0]), "Headline");
    collect_reset (&c);

    //  NUL bytes and a huge single line, forced as text: no crash
    buf_t big;
    buf_init (&big);
    for (int i = 0; i < 200000; i++)
        buf_append (&big, i % 997 == 0 ? "\0" : "a ", i % 997 == 0 ? 1 : 2);
    assert_int_equal (collect_bytes (&c, "big.txt", "plain-text", big.data, big.size), 0);
    assert_true (collect_story_clean (c.stories.items [0]));
    buf_free (&big);
    collect_reset (&c);
}

//  After normalize, every sample story is a clean record with a uri
static void
test_normalized (void **state)
{
    normalize_t *normalize = normalize_new (NULL);
    const char *names [] = {
        "newspaper__bloomberg.com1.txt", "newspaper__chinese.txt", "newspaper__cnn.txt",
        "newspaper__foxbusiness.com1.txt", "sdaap__IDN38100.tst", "sdaap__asianet_1.tst",
        "sdaap__asianet_3.tst", "sdaap__asianet_4.tst", "sdaap__asianet_5.tst",
        "sdaap__asianet_7.tst", "sdaap__asianet_8.tst"
    };
    for (size_t i = 0; i < sizeof names / sizeof names [0]; i++) {
        collect_t c = { 0 };
        story_t *s = s_sample (&c, names [i]);
        assert_int_equal (normalize_story (normalize, s), 0);
        assert_true (collect_story_clean (s));
        assert_non_null (s->uri);
        assert_non_null (story_headline (s));
        if (strcmp (names [i], "sdaap__IDN38100.tst") == 0)
            assert_string_equal (s->versioncreated, "2018-07-04T23:27:00Z");
        collect_reset (&c);
    }
    normalize_destroy (&normalize);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_scraped),
        cmocka_unit_test (test_bulletin),
        cmocka_unit_test (test_releases),
        cmocka_unit_test (test_conventions),
        cmocka_unit_test (test_hostile),
        cmocka_unit_test (test_normalized),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
