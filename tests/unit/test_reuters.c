//  SPDX-License-Identifier: MIT
//  test_reuters - the Reuters-21578 SGML parser on the whole corpus
//
//  Reads the 22 files of $COPYDESK_SHARED/data/reuters21578 in place.

#include "ingest_collect.h"
#include "normalize/normalize.h"
#include <setjmp.h>
#include <cmocka.h>

#define CORPUS "data/reuters21578"
#define STORIES 21578

//  One pass over the corpus, with the facts the tests check
typedef struct {
    int stories;
    int files_failed;
    int bad_items;
    int modapte_train;
    int modapte_test;
    int brief;
    int unproc;
    int authors;
    int with_topics;
    int dirty;                  //  Stories with controls or invalid UTF-8
    int line_noise;             //  Stories with the line-noise warning
    unsigned char *seen;        //  seen[newid]
    int duplicates;
    int bad_uri;
} corpus_t;

static corpus_t s_corpus;

static void
s_scan_corpus (void)
{
    if (s_corpus.seen)
        return;
    s_corpus.seen = xcalloc (STORIES + 1, 1);
    for (int f = 0; f < 22; f++) {
        char name [64];
        snprintf (name, sizeof name, CORPUS "/reut2-%03d.sgm", f);
        collect_t c = { 0 };
        if (collect_shared (&c, name, NULL) != 0)
            s_corpus.files_failed++;
        assert_string_equal (c.result.format, "reuters-sgml");
        s_corpus.bad_items += c.result.bad_items;
        for (size_t i = 0; i < c.stories.len; i++) {
            story_t *s = c.stories.items [i];
            s_corpus.stories++;
            int newid = 0;
            if (!s->uri || sscanf (s->uri, "urn:reuters21578:newid:%d", &newid) != 1
            ||  newid < 1 || newid > STORIES)
                s_corpus.bad_uri++;
            else {
                if (s_corpus.seen [newid])
                    s_corpus.duplicates++;
                s_corpus.seen [newid] = 1;
            }
            const char *split = story_extra (s, "reuters-lewissplit");
            const char *topics = story_extra (s, "reuters-topics-attr");
            if (split && topics && strcmp (topics, "YES") == 0) {
                if (strcmp (split, "TRAIN") == 0)
                    s_corpus.modapte_train++;
                else
                if (strcmp (split, "TEST") == 0)
                    s_corpus.modapte_test++;
            }
            const char *type = story_extra (s, "reuters-text-type");
            if (type && strcmp (type, "BRIEF") == 0)
                s_corpus.brief++;
            if (type && strcmp (type, "UNPROC") == 0)
                s_corpus.unproc++;
            if (s->by)
                s_corpus.authors++;
            if (s->subjects.len > 0)
                s_corpus.with_topics++;
            if (!collect_story_clean (s))
                s_corpus.dirty++;
            for (size_t w = 0; w < s->ingest.warnings.len; w++)
                if (str_starts (s->ingest.warnings.items [w], "line-noise-dropped"))
                    s_corpus.line_noise++;
        }
        collect_reset (&c);
    }
}

//  Every story of the 22 files, each once, with a stable unique uri
static void
test_whole_corpus (void **state)
{
    s_scan_corpus ();
    assert_int_equal (s_corpus.files_failed, 0);
    assert_int_equal (s_corpus.stories, STORIES);
    assert_int_equal (s_corpus.bad_items, 0);
    assert_int_equal (s_corpus.bad_uri, 0);
    assert_int_equal (s_corpus.duplicates, 0);
    int missing = 0;
    for (int i = 1; i <= STORIES; i++)
        if (!s_corpus.seen [i])
            missing++;
    assert_int_equal (missing, 0);
}

//  The ModApte split, selected from the parsed stories' extra fields
static void
test_modapte (void **state)
{
    s_scan_corpus ();
    assert_int_equal (s_corpus.modapte_train, 9603);
    assert_int_equal (s_corpus.modapte_test, 3299);
}

//  TEXT TYPE and AUTHOR counts as the corpus README measures them
static void
test_text_types (void **state)
{
    s_scan_corpus ();
    assert_int_equal (s_corpus.brief, 1798);
    assert_int_equal (s_corpus.unproc, 737);
    assert_int_equal (s_corpus.authors, 875);
}

//  No control character (&#3;, &#5;, &#127;, ESC [B ...) and no invalid
//  UTF-8 (the raw 0xFC) reaches any field; the 0xFC is reported
static void
test_clean_text (void **state)
{
    s_scan_corpus ();
    assert_int_equal (s_corpus.dirty, 0);
    assert_int_equal (s_corpus.line_noise, 1);
}

//  Field mapping of the first story, checked value by value
static void
test_first_story (void **state)
{
    collect_t c = { 0 };
    assert_int_equal (collect_shared (&c, CORPUS "/reut2-000.sgm", NULL), 0);
    assert_int_equal (c.stories.len, 1000);
    story_t *s = c.stories.items [0];
    assert_string_equal (s->uri, "urn:reuters21578:newid:1");
    assert_null (s->version);
    assert_string_equal (story_headline (s), "BAHIA COCOA REVIEW");
    assert_string_equal (s->versioncreated, "26-FEB-1987 15:01:01.79");
    assert_string_equal (story_rawdate (s, "versioncreated"), "26-FEB-1987 15:01:01.79");
    assert_string_equal (s->located, "SALVADOR");
    assert_string_equal (s->dateline.place, "SALVADOR");
    assert_string_equal (s->dateline.date, "Feb 26");
    assert_string_equal (collect_altid (s, "reuters-newid"), "1");
    assert_string_equal (collect_altid (s, "reuters-oldid"), "5544");
    assert_string_equal (story_extra (s, "reuters-lewissplit"), "TRAIN");
    assert_string_equal (story_extra (s, "reuters-cgisplit"), "TRAINING-SET");
    assert_string_equal (story_extra (s, "reuters-topics-attr"), "YES");
    assert_int_equal (s->subjects.len, 1);
    assert_string_equal (s->subjects.items [0].literal, "reuters:cocoa");
    assert_string_equal (s->subjects.items [0].creator, "reuters-21578");
    assert_int_equal (s->places.len, 3);
    assert_string_equal (s->places.items [0].literal, "reuters-place:el-salvador");
    const char *body = collect_body (s, "main");
    assert_non_null (body);
    assert_true (str_starts (body, "Showers continued throughout the week"));
    //  The sign-off is kept, the &#3; after it is not
    assert_true (str_ends (body, "Reuter"));
    assert_int_equal (s->ingest.index, 0);
    assert_string_equal (s->ingest.format, "reuters-sgml");
    assert_non_null (s->ingest.sha256);
    //  Ticker symbols: &lt;SRD> becomes <SRD>
    assert_string_equal (story_headline (c.stories.items [1]),
                         "STANDARD OIL <SRD> TO FORM FINANCIAL UNIT");
    //  An author line
    assert_string_equal (c.stories.items [3]->by, "by Janie Gabbett, Reuters");
    //  Different stories, different item hashes
    assert_string_not_equal (c.stories.items [0]->ingest.sha256,
                             c.stories.items [1]->ingest.sha256);
    collect_reset (&c);
}

//  The story with the raw 0xFC and &#5;&#30; (NEWID 17980), the ANSI
//  escape in a title (NEWID 18806), the empty UNPROC story (NEWID 12793)
//  and DATE noise
static void
test_special_stories (void **state)
{
    collect_t c = { 0 };
    assert_int_equal (collect_shared (&c, CORPUS "/reut2-017.sgm", NULL), 0);
    story_t *noisy = NULL;
    for (size_t i = 0; i < c.stories.len; i++)
        if (strcmp (c.stories.items [i]->uri, "urn:reuters21578:newid:17980") == 0)
            noisy = c.stories.items [i];
    assert_non_null (noisy);
    const char *body = collect_body (noisy, "main");
    assert_non_null (strstr (body, "growth. side measures"));
    assert_true (strv_contains (&noisy->ingest.warnings, "line-noise-dropped:1"));
    collect_reset (&c);

    assert_int_equal (collect_shared (&c, CORPUS "/reut2-018.sgm", NULL), 0);
    story_t *ansi = c.stories.items [805];
    assert_string_equal (ansi->uri, "urn:reuters21578:newid:18806");
    assert_null (strstr (story_headline (ansi), "[B"));
    assert_true (str_starts (story_headline (ansi), "FIRST WISCONSIN ADDS LOAN LOSSES"));
    collect_reset (&c);

    assert_int_equal (collect_shared (&c, CORPUS "/reut2-012.sgm", NULL), 0);
    assert_int_equal (c.stories.len, 1000);
    story_t *empty = c.stories.items [792];
    assert_string_equal (empty->uri, "urn:reuters21578:newid:12793");
    assert_true (strv_contains (&empty->ingest.warnings, "empty-text"));
    assert_string_equal (empty->versioncreated, "3-APR-1987 07:09:06.48");
    //  An UNPROC story: preformatted body, first line as headline
    int unproc = 0;
    for (size_t i = 0; i < c.stories.len; i++) {
        story_t *s = c.stories.items [i];
        const char *type = story_extra (s, "reuters-text-type");
        if (type && strcmp (type, "UNPROC") == 0 && s->bodies.len) {
            assert_non_null (collect_body (s, "preformatted"));
            assert_non_null (story_headline (s));
            unproc++;
        }
    }
    assert_true (unproc > 0);
    collect_reset (&c);

    //  DATE with trailing wire noise: the timestamp alone, the raw kept
    const char *sgml =
        "<REUTERS TOPICS=\"NO\" NEWID=\"7\"><DATE>27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM</DATE>"
        "<TEXT>&#2;<TITLE>A &amp; B</TITLE><BODY>Text &lt;X> here.\n Reuter\n&#3;</BODY></TEXT>"
        "</REUTERS>";
    assert_int_equal (collect_bytes (&c, "inline.sgm", "reuters-sgml", sgml, strlen (sgml)), 0);
    assert_int_equal (c.stories.len, 1);
    story_t *s = c.stories.items [0];
    assert_string_equal (s->versioncreated, "27-MAR-1987 00:02:59.13");
    assert_string_equal (story_rawdate (s, "versioncreated"), "27-MAR-1987 00:02:59.13 RM");
    assert_string_equal (story_headline (s), "A & B");
    assert_string_equal (collect_body (s, "main"), "Text <X> here.\n Reuter");
    collect_reset (&c);
}

//  Hostile and broken input: errors, dead letters, never a crash
static void
test_hostile (void **state)
{
    collect_t c = { 0 };
    //  Not Reuters at all, forced
    const char *junk = "hello world, no tags here";
    assert_int_equal (collect_bytes (&c, "junk", "reuters-sgml", junk, strlen (junk)), -1);
    assert_non_null (strstr (c.result.error, "no <REUTERS> element"));
    collect_reset (&c);

    //  Truncated in the middle of a story: the story is kept, flagged
    const char *cut = "<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n"
        "<REUTERS NEWID=\"1\"><TEXT><TITLE>ONE</TITLE><BODY>first</BODY></TEXT></REUTERS>\n"
        "<REUTERS NEWID=\"2\"><TEXT><TITLE>TWO</TITLE><BODY>second is cu";
    assert_int_equal (collect_bytes (&c, "cut", NULL, cut, strlen (cut)), 0);
    assert_string_equal (c.result.format, "reuters-sgml");
    assert_int_equal (c.stories.len, 2);
    assert_true (strv_contains (&c.stories.items [1]->ingest.warnings, "reuters-truncated"));
    assert_string_equal (collect_body (c.stories.items [1], "main"), "second is cu");
    collect_reset (&c);

    //  A start tag that never ends, then a good story: one dead letter
    const char *bad = "<REUTERS NEWID=\"1\" <REUTERS NEWID=\"2\"><TEXT><TITLE>OK</TITLE></TEXT></REUTERS>";
    assert_int_equal (collect_bytes (&c, "bad", "reuters-sgml", bad, strlen (bad)), 0);
    assert_int_equal (c.stories.len, 1);
    assert_int_equal (c.dead.len, 1);
    assert_string_equal (c.stories.items [0]->uri, "urn:reuters21578:newid:2");
    collect_reset (&c);

    //  No NEWID and no text: dead letter; Latin-1 text: decoded, flagged
    const char *latin = "<REUTERS></REUTERS><REUTERS NEWID=\"3\"><TEXT><TITLE>Caf\xe9 cr\xe8me \xe0 la "
                        "cr\xe8me</TITLE></TEXT></REUTERS>";
    assert_int_equal (collect_bytes (&c, "latin", "reuters-sgml", latin, strlen (latin)), 0);
    assert_int_equal (c.dead.len, 1);
    assert_int_equal (c.stories.len, 1);
    assert_string_equal (story_headline (c.stories.items [0]),
                         "Caf\xc3\xa9 cr\xc3\xa8me \xc3\xa0 la cr\xc3\xa8me");
    assert_true (collect_story_clean (c.stories.items [0]));
    collect_reset (&c);

    //  Fuzz regression: bytes >= 0x80 and controls inside attribute values
    const char *attrs = "<REUTERS NEWID=\"1\xff\xfe\x01\" LEWISSPLIT=\"TR\xe9IN\"><TEXT><TITLE>T</TITLE></TEXT></REUTERS>";
    assert_int_equal (collect_bytes (&c, "attrs", "reuters-sgml", attrs, strlen (attrs)), 0);
    assert_true (collect_story_clean (c.stories.items [0]));
    assert_string_equal (c.stories.items [0]->uri, "urn:reuters21578:newid:1");
    collect_reset (&c);

    //  Entity edge cases at the very end of the input
    const char *edges [] = { "<REUTERS NEWID=\"4\"><TEXT><TITLE>&#", "<REUTERS NEWID=\"4\"><TEXT><TITLE>&#27;[",
                             "<REUTERS NEWID=\"4\"><TEXT><TITLE>&#99999999999;x", "<REUTERS NEWID=\"4\"><D>",
                             "<REUTERS", "<REUTERS NEWID=", "<REUTERS NEWID=\"", "<reuters newid=5><text>x" };
    for (size_t i = 0; i < sizeof edges / sizeof edges [0]; i++) {
        collect_bytes (&c, "edge", "reuters-sgml", edges [i], strlen (edges [i]));
        for (size_t j = 0; j < c.stories.len; j++)
            assert_true (collect_story_clean (c.stories.items [j]));
        collect_reset (&c);
    }
}

//  After normalize (the path every story takes), no story of the corpus
//  holds a control character or invalid UTF-8, each has a headline and a
//  parsed date, and the uri is the parser's
static void
test_normalized (void **state)
{
    normalize_t *normalize = normalize_new (NULL);
    int stories = 0, dirty = 0, failed = 0, no_headline = 0, no_date = 0, uri_changed = 0;
    for (int f = 0; f < 22; f++) {
        char name [64];
        snprintf (name, sizeof name, CORPUS "/reut2-%03d.sgm", f);
        collect_t c = { 0 };
        assert_int_equal (collect_shared (&c, name, NULL), 0);
        for (size_t i = 0; i < c.stories.len; i++) {
            story_t *s = c.stories.items [i];
            char *uri = xstrdup (s->uri);
            if (normalize_story (normalize, s) != 0)
                failed++;
            else {
                if (!collect_story_clean (s))
                    dirty++;
                if (!story_headline (s))
                    no_headline++;
                if (!s->versioncreated || !str_ends (s->versioncreated, "Z"))
                    no_date++;
                if (strcmp (uri, s->uri) != 0)
                    uri_changed++;
            }
            free (uri);
            stories++;
        }
        collect_reset (&c);
    }
    normalize_destroy (&normalize);
    assert_int_equal (stories, STORIES);
    assert_int_equal (failed, 0);
    assert_int_equal (dirty, 0);
    //  NEWID 12793 has no text at all: nothing to make a headline from
    assert_int_equal (no_headline, 1);
    assert_int_equal (no_date, 0);
    assert_int_equal (uri_changed, 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_whole_corpus),
        cmocka_unit_test (test_modapte),
        cmocka_unit_test (test_text_types),
        cmocka_unit_test (test_clean_text),
        cmocka_unit_test (test_first_story),
        cmocka_unit_test (test_special_stories),
        cmocka_unit_test (test_hostile),
        cmocka_unit_test (test_normalized),
    };
    int rc = cmocka_run_group_tests (tests, NULL, NULL);
    free (s_corpus.seen);
    return rc;
}
