//  SPDX-License-Identifier: MIT
//  test_entities - people and organisations in sentences written here
//  about today's news (no list of people is used)

#include "common.h"
#include "classify/entities.h"
#include <setjmp.h>
#include <cmocka.h>

static gazetteer_t *s_gazetteer;
static entities_t *s_entities;

static int
s_setup (void **state)
{
    const char *source = getenv ("COPYDESK_SOURCE");
    if (!source)
        source = COPYDESK_SOURCE_DIR;
    char *gaz = xasprintf ("%s/config/gazetteer.tsv", source);
    char *orgs = xasprintf ("%s/config/orgs.tsv", source);
    char err [256];
    s_gazetteer = gazetteer_load (gaz, err, sizeof err);
    s_entities = s_gazetteer ? entities_new (orgs, s_gazetteer, err, sizeof err) : NULL;
    if (!s_entities)
        fprintf (stderr, "%s\n", err);
    free (gaz);
    free (orgs);
    return s_entities ? 0 : -1;
}

static int
s_teardown (void **state)
{
    entities_destroy (&s_entities);
    gazetteer_destroy (&s_gazetteer);
    return 0;
}

//  Find entities; return the list for checks
static void
s_find (const char *text, entityv_t *out)
{
    memset (out, 0, sizeof *out);
    entities_find (s_entities, text, out);
}

static entity_t *
s_get (entityv_t *list, const char *name, bool organisation)
{
    for (size_t i = 0; i < list->len; i++)
        if (list->items [i].organisation == organisation && strcmp (list->items [i].name, name) == 0)
            return &list->items [i];
    return NULL;
}

static void
s_dump (entityv_t *list)
{
    for (size_t i = 0; i < list->len; i++)
        fprintf (stderr, "  %s %s (%s) x%d\n", list->items [i].organisation ? "org" : "per",
                 list->items [i].name, list->items [i].acronym ? list->items [i].acronym : "-",
                 list->items [i].mentions);
}

static void
test_people (void **state)
{
    entityv_t found;
    s_find ("German Chancellor Olaf Scholz met Foreign Minister Wang Yi in Berlin on "
            "Tuesday. Scholz said the talks had been open. Company spokeswoman Jane Doe "
            "declined to comment, and Mr. Okafor did not reply. Priya Raman, a senior "
            "analyst at the bank, said demand was weak. \"We are ready,\" said Lars Nilsson.",
            &found);
    s_dump (&found);
    entity_t *scholz = s_get (&found, "Olaf Scholz", false);
    assert_non_null (scholz);
    assert_int_equal (scholz->mentions, 2);         //  The later "Scholz" too
    assert_non_null (s_get (&found, "Wang Yi", false));
    assert_non_null (s_get (&found, "Jane Doe", false));
    assert_non_null (s_get (&found, "Okafor", false));
    assert_non_null (s_get (&found, "Priya Raman", false));
    assert_non_null (s_get (&found, "Lars Nilsson", false));
    //  Titles and places are not part of names, nor names themselves
    assert_null (s_get (&found, "Berlin", false));
    assert_null (s_get (&found, "Chancellor Olaf Scholz", false));
    assert_null (s_get (&found, "Tuesday", false));
    assert_null (s_get (&found, "Scholz", false));
    entities_free (&found);

    //  No cue, no person: capitalised words alone prove nothing
    s_find ("Shares of Blue Harbor rose after Green Valley Farms reported results.", &found);
    s_dump (&found);
    assert_null (s_get (&found, "Blue Harbor", false));
    entities_free (&found);
}

static void
test_organisations (void **state)
{
    entityv_t found;
    s_find ("The Organization of Petroleum Exporting Countries (OPEC) meets in Vienna. "
            "OPEC ministers expect cuts. The Ministry of Finance and the Justice Department "
            "declined. Acme Widgets Inc. and Brightline Logistics AG signed a deal, said "
            "Northwind & Partners. NATO and the Fed were cited, as was the Bank of Japan. "
            "Kestrel Regional Development Agency approved the plan.", &found);
    s_dump (&found);
    entity_t *opec = s_get (&found, "Organization of the Petroleum Exporting Countries", true);
    if (!opec)
        opec = s_get (&found, "Organization of Petroleum Exporting Countries", true);
    assert_non_null (opec);
    assert_string_equal (opec->acronym, "OPEC");
    assert_true (opec->mentions >= 2);
    assert_non_null (s_get (&found, "Ministry of Finance", true));
    assert_non_null (s_get (&found, "Justice Department", true));
    assert_non_null (s_get (&found, "Acme Widgets Inc", true));
    assert_non_null (s_get (&found, "Brightline Logistics AG", true));
    assert_non_null (s_get (&found, "North Atlantic Treaty Organization", true));
    assert_non_null (s_get (&found, "Federal Reserve", true));
    assert_non_null (s_get (&found, "Bank of Japan", true));
    assert_non_null (s_get (&found, "Kestrel Regional Development Agency", true));
    assert_null (s_get (&found, "Vienna", true));
    entities_free (&found);

    //  An acronym defined in the text and not in the list
    s_find ("The Coastal Fisheries Council (CFC) met. The CFC voted to cut quotas.", &found);
    s_dump (&found);
    entity_t *cfc = s_get (&found, "Coastal Fisheries Council", true);
    assert_non_null (cfc);
    assert_string_equal (cfc->acronym, "CFC");
    assert_int_equal (cfc->mentions, 2);
    entities_free (&found);
}

static void
test_edges (void **state)
{
    entityv_t found;
    //  All-capital text says nothing about names
    s_find ("PRESIDENT JOHN SMITH SAID ACME CORP WILL MERGE", &found);
    assert_int_equal (found.len, 0);
    entities_free (&found);
    s_find ("", &found);
    assert_int_equal (found.len, 0);
    entities_free (&found);
    assert_int_equal (entities_find (s_entities, NULL, &found), 0);
    //  Hostile bytes and a long run of capitals
    buf_t text;
    buf_init (&text);
    for (int i = 0; i < 2000; i++)
        buf_puts (&text, "Alpha Beta \xff\xfe (( Gamma Inc. ");
    s_find (text.data, &found);
    assert_true (found.len <= 64);
    entities_free (&found);
    buf_free (&text);
    //  A bad organisation list
    char err [256];
    assert_null (entities_new_text ("NATO North Atlantic\n", NULL, err, sizeof err));
    assert_non_null (strstr (err, "line 1"));
    entities_t *bare = entities_new (NULL, NULL, err, sizeof err);
    assert_non_null (bare);
    s_find ("x", &found);
    entities_free (&found);
    entities_destroy (&bare);
}

//  People without a cue: a run starting with a common given name
static void
test_given_names (void **state)
{
    char err [256];
    entities_t *finder = entities_new (NULL, s_gazetteer, err, sizeof err);
    assert_non_null (finder);
    static const char *story =
        "Olaf Scholz met Emmanuel Macron in Berlin on Tuesday. The two leaders discussed "
        "trade. Macron left early. Carl C. Icahn bought shares of Dean Witter Reynolds Inc, "
        "and Dean Witter shares rose. Fumio Kishida was in Tokyo. Thomas Cook cut prices "
        "and Marine Midland Banks fell, John L. burns wrote. Christian Democrats met.";
    //  Without the list: no cue, no person
    entityv_t found = { 0 };
    entities_find (finder, story, &found);
    assert_null (s_get (&found, "Emmanuel Macron", false));
    assert_null (s_get (&found, "Fumio Kishida", false));
    entities_free (&found);
    assert_int_equal (entities_given_count (finder), 0);

    //  With it
    entities_set_given_text (finder,
        "# test list\nOlaf Emmanuel  Carl\tFumio Dean\nThomas Marine John Christian\n"
        "!Thomas Cook\n\n");
    assert_int_equal (entities_given_count (finder), 9);
    entities_find (finder, story, &found);
    s_dump (&found);
    entity_t *macron = s_get (&found, "Emmanuel Macron", false);
    assert_non_null (macron);
    assert_int_equal (macron->mentions, 2);         //  The later "Macron" too
    assert_non_null (s_get (&found, "Olaf Scholz", false));
    assert_non_null (s_get (&found, "Carl C. Icahn", false));
    assert_non_null (s_get (&found, "Fumio Kishida", false));
    assert_null (s_get (&found, "Macron", false));
    assert_null (s_get (&found, "Berlin", false));
    assert_null (s_get (&found, "Tokyo", false));
    //  Organisations that look like people
    assert_non_null (s_get (&found, "Dean Witter Reynolds Inc", true));
    assert_null (s_get (&found, "Dean Witter", false));            //  Start of an org found
    assert_null (s_get (&found, "Thomas Cook", false));            //  Listed as no person
    assert_null (s_get (&found, "Marine Midland Banks", false));   //  Plural corporate word
    assert_null (s_get (&found, "John L", false));                 //  No initial at the end
    assert_null (s_get (&found, "Christian Democrats", false));
    entities_free (&found);

    //  Title case and capitals say nothing; a place is no person
    entities_find (finder, "Oil Prices Fall As Olaf Scholz Speaks In Berlin", &found);
    assert_int_equal (found.len, 0);
    entities_find (finder, "OLAF SCHOLZ MEETS EMMANUEL MACRON", &found);
    assert_int_equal (found.len, 0);
    entities_set_given_text (finder, "Hong\n");
    entities_find (finder, "Markets in Hong Kong were closed on Monday for a holiday.", &found);
    s_dump (&found);
    assert_null (s_get (&found, "Hong Kong", false));
    entities_free (&found);

    //  Cleared: no cue-free people again (the memo is worked out anew)
    entities_set_given_text (finder, NULL);
    assert_int_equal (entities_given_count (finder), 0);
    entities_find (finder, story, &found);
    assert_null (s_get (&found, "Emmanuel Macron", false));
    entities_free (&found);

    //  The shipped list loads and knows names across languages, not words
    const char *source = getenv ("COPYDESK_SOURCE");
    if (!source)
        source = COPYDESK_SOURCE_DIR;
    char *path = xasprintf ("%s/config/givennames.txt", source);
    assert_int_equal (entities_load_given (finder, path, err, sizeof err), 0);
    free (path);
    assert_true (entities_given_count (finder) > 1000);
    entities_find (finder, "Olaf Scholz met Emmanuel Macron, Shigeru Ishiba, Narendra Modi, "
                   "Cyril Ramaphosa and Giorgia Meloni. Morgan Stanley and Dow Jones were "
                   "quoted. Santa Fe and Jordan were calm on Monday in May. Ford Motor Co "
                   "agreed. Will Congress act? Philip Morris shares rose. Ursula von der "
                   "Leyen, Mohammed bin Salman and Lee Jae-myung spoke.", &found);
    s_dump (&found);
    assert_non_null (s_get (&found, "Olaf Scholz", false));
    assert_non_null (s_get (&found, "Emmanuel Macron", false));
    assert_non_null (s_get (&found, "Shigeru Ishiba", false));
    assert_non_null (s_get (&found, "Narendra Modi", false));
    assert_non_null (s_get (&found, "Cyril Ramaphosa", false));
    assert_non_null (s_get (&found, "Giorgia Meloni", false));
    assert_non_null (s_get (&found, "Ursula von der Leyen", false));   //  Particles
    assert_non_null (s_get (&found, "Mohammed bin Salman", false));
    assert_non_null (s_get (&found, "Lee Jae-myung", false));          //  Hyphenated part
    for (size_t i = 0; i < found.len; i++) {
        const char *name = found.items [i].name;
        if (found.items [i].organisation)
            continue;
        assert_null (strstr (name, "Morgan"));
        assert_null (strstr (name, "Dow"));
        assert_null (strstr (name, "Santa"));
        assert_null (strstr (name, "Jordan"));
        assert_null (strstr (name, "Monday"));
        assert_null (strstr (name, "Ford"));
        assert_null (strstr (name, "Congress"));
        assert_null (strstr (name, "Philip"));
    }
    entities_free (&found);

    //  A missing list is an error and keeps the old one
    assert_int_equal (entities_load_given (finder, "/nonexistent/givennames.txt", err,
                                           sizeof err), -1);
    assert_non_null (strstr (err, "givennames.txt"));
    assert_true (entities_given_count (finder) > 1000);
    entities_destroy (&finder);
}


//  The same people and organisations on words read into a lexicon the
//  caller shares, one list for two texts, across a trim of the lexicon
static void
test_shared_lexicon (void **state)
{
    static const char *texts [] = {
        "German Chancellor Olaf Scholz met Foreign Minister Wang Yi in Berlin. Scholz said "
        "the talks were useful, company spokeswoman Jane Doe told Reuters.",
        "The Organization of Petroleum Exporting Countries (OPEC) met. OPEC said output "
        "would rise. Acme Inc and Brightline AG agreed a deal.",
        "The United States and Soviet Union talked. Renault President Raymond Levy said no.",
        "Shares of Kodak's Giles unit rose, J. Smith said. The Ministry of Finance agreed.",
        "ALL CAPITALS SAY NOTHING ABOUT NAMES",
        "\xff\xfe Jane \xc3 Doe said \xe2\x82",
        "",
    };
    lexicon_t *lexicon = lexicon_new ();
    lextext_t one = { 0 }, two = { 0 };
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i + 1 < sizeof texts / sizeof texts [0]; i++) {
            entityv_t alone = { 0 }, shared = { 0 };
            entities_find (s_entities, texts [i], &alone);
            entities_find (s_entities, texts [i + 1], &alone);
            lexicon_read (lexicon, texts [i], strlen (texts [i]), &one);
            lexicon_read (lexicon, texts [i + 1], strlen (texts [i + 1]), &two);
            entities_find_words (s_entities, lexicon, &one, &shared);
            entities_find_words (s_entities, lexicon, &two, &shared);
            assert_int_equal (shared.len, alone.len);
            for (size_t k = 0; k < shared.len; k++) {
                assert_string_equal (shared.items [k].name, alone.items [k].name);
                assert_int_equal (shared.items [k].organisation, alone.items [k].organisation);
                assert_int_equal (shared.items [k].mentions, alone.items [k].mentions);
                assert_true ((shared.items [k].acronym == NULL) == (alone.items [k].acronym == NULL));
            }
            entities_free (&alone);
            entities_free (&shared);
        }
        if (round == 1)
            assert_true (lexicon_trim (lexicon, 0));
    }
    lextext_free (&one);
    lextext_free (&two);
    lexicon_destroy (&lexicon);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_people),
        cmocka_unit_test (test_organisations),
        cmocka_unit_test (test_edges),
        cmocka_unit_test (test_shared_lexicon),
        cmocka_unit_test (test_given_names),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
