//  SPDX-License-Identifier: MIT
//  test_ninjs_parse - the ninjs parser on every sample (1.x, 2.x, 3.x,
//  Superdesk, BBC), envelopes, JSON Lines and hostile JSON

#include "ingest_collect.h"
#include "normalize/normalize.h"
#include "ninjs.h"
#include <setjmp.h>
#include <cmocka.h>

//  Parse a sample; stories expected (0 when the item is not a story)
static story_t *
s_sample (collect_t *c, const char *name, size_t stories, int skipped)
{
    char *path = xasprintf ("samples/ninjs/%s", name);
    assert_int_equal (collect_shared (c, path, NULL), 0);
    free (path);
    assert_string_equal (c->result.format, "ninjs");
    assert_int_equal (c->stories.len, stories);
    assert_int_equal (c->result.skipped, skipped);
    assert_int_equal (c->dead.len, 0);
    for (size_t i = 0; i < c->stories.len; i++)
        assert_true (collect_story_clean (c->stories.items [i]));
    return stories ? c->stories.items [0] : NULL;
}

static const char *
s_body_type (const story_t *s, const char *contenttype)
{
    for (size_t i = 0; i < s->bodies.len; i++)
        if (strcmp (s->bodies.items [i].contenttype, contenttype) == 0)
            return s->bodies.items [i].value;
    return NULL;
}

static const story_concept_t *
s_concept (const story_conceptv_t *list, const char *name)
{
    for (size_t i = 0; i < list->len; i++)
        if (list->items [i].name && strcmp (list->items [i].name, name) == 0)
            return &list->items [i];
    return NULL;
}

static const char *
s_link (const story_t *s, const char *rel)
{
    for (size_t i = 0; i < s->links.len; i++)
        if (strcmp (s->links.items [i].rel, rel) == 0)
            return s->links.items [i].uri;
    return NULL;
}

//  ninjs 2.x examples of the IPTC
static void
test_ninjs2 (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_sample (&c, "ninjs__001_simple_example.json", 1, 0);
    assert_string_equal (s->uri, "http://ninjs.example.com/newsitems/20130709simp123");
    assert_string_equal (story_headline (s), "Captain of wrecked cruise ship on trial in Italy");
    assert_string_equal (s->by, "Paulo Santalucia and Frances d'Emilio");
    assert_string_equal (s->versioncreated, "2013-07-09T10:37:00Z");
    assert_string_equal (story_rawdate (s, "versioncreated"), "2013-07-09T10:37:00Z");
    assert_true (str_starts (collect_body (s, "main"), "GROSSETO, Italy (AP) -- The trial"));
    collect_reset (&c);

    s = s_sample (&c, "ninjs__004_simple_text_article.json", 1, 0);
    assert_non_null (s_body_type (s, "text/plain"));
    collect_reset (&c);

    s = s_sample (&c, "ninjs__005_complex_text_article.json", 1, 0);
    assert_string_equal (s->located, "Grossetto, Italy");
    assert_string_equal (s->language, "en");
    assert_string_equal (s_concept (&s->places, "Italy")->uri, "http://cvx.iptc.org/iso3166-1a2/it");
    assert_string_equal (s_concept (&s->people, "Francesco Schettino")->rel, "about");
    assert_non_null (s_concept (&s->organisations, "Costa Crociere SpA"));
    assert_string_equal (story_extra (s, "profile"), "text-only");
    collect_reset (&c);

    //  A composite with text is a story; its pictures are references
    s = s_sample (&c, "ninjs__007_multimedia.json", 1, 0);
    assert_string_equal (s->type, "text");
    assert_string_equal (story_extra (s, "ninjs-type"), "composite");
    assert_string_equal (s_link (s, "association:mainpic"), "http://ninjs.example.com/newsitems/20130709simpPh123");
    assert_non_null (s_link (s, "association:portrait"));
    assert_non_null (collect_body (s, "main"));
    collect_reset (&c);

    s = s_sample (&c, "ninjs__ninjsExSimpleText_2.json", 1, 0);
    assert_string_equal (story_headline (s), "Captain of wrecked cruise ship on trial in Italy");
    collect_reset (&c);

    s = s_sample (&c, "ninjs__businesswire-newsml-20130731006140.json", 1, 0);
    assert_int_equal (s->subjects.len, 10);
    assert_non_null (s_concept (&s->subjects, "Missouri"));
    assert_string_equal (s->version, "1");
    assert_non_null (s_body_type (s, "text/html"));
    assert_non_null (s_link (s, "association:logo"));
    collect_reset (&c);

    s = s_sample (&c, "ninjs__dpa_text.json", 1, 0);
    assert_string_equal (s->uri, "urn:newsml:dpa.com:20090101:190510-99-167362");
    assert_string_equal (s->language, "de");
    assert_string_equal (s->by, "Von Christian Hollmann, dpa");
    assert_string_equal (s->copyrightholder, "dpa");
    assert_int_equal (s->urgency, 4);
    assert_true (str_starts (s_body_type (s, "text/html"), "<section class=\"main\"><p>F\xc3\xbcr Lucien Favre"));
    collect_reset (&c);

    s = s_sample (&c, "ninjs__ntb_text.json", 1, 0);
    assert_string_equal (story_headline (s), "Google har kj\xc3\xb8pt giganttomt i Skien");
    assert_string_equal (s->language, "nb-NO");
    assert_string_equal (s->slugline, "skien-google");
    assert_string_equal (s->ednote, "Noe utvidet.");
    assert_string_equal (s->version, "6");
    assert_int_equal (s->subjects.len, 4);
    assert_string_equal (s_concept (&s->subjects, "Teknologi")->literal, "13010000");
    assert_string_equal (s->firstcreated, "2019-08-09T09:30:04Z");
    //  Empty strings are absent
    assert_null (s->copyrightnotice);
    assert_null (s->usageterms);
    collect_reset (&c);

    s = s_sample (&c, "ninjs__tt_text_image_2.json", 1, 0);
    assert_string_equal (collect_altid (s, "originaltransmissionreference"), "a0f2d045-1058-46d1-9f9a-ad80ed1bc86f");
    const story_concept_t *subject = &s->subjects.items [0];
    assert_string_equal (subject->creator, "system");
    assert_int_equal (subject->relevance, 98);
    assert_int_equal (subject->confidence, 58);
    assert_string_equal (s->expires, "2023-05-31T00:00:00+02:00");
    assert_string_equal (s->slugline, "milit\xc3\xa4r\xc3\xb6vning");
    assert_string_equal (s_link (s, "association:a001"), "http://tt.se/media/image/sdlk2sirkPaauM");
    assert_string_equal (story_extra (s, "ninjs-standard"), "TTNINJS 2.1");
    collect_reset (&c);

    //  Picture items are not stories
    s_sample (&c, "ninjs__ap_image.json", 0, 1);
    collect_reset (&c);
    s_sample (&c, "ninjs__imageLinkedRights.json", 0, 1);
    collect_reset (&c);
}

//  ninjs 1.x and the Superdesk and BBC dialects
static void
test_ninjs1 (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_sample (&c, "ninjs__ninjsExSimpleText1.json", 1, 0);
    assert_string_equal (story_headline (s), "Captain of wrecked cruise ship on trial in Italy");
    assert_string_equal (s->by, "Paulo Santalucia and Frances d'Emilio");
    assert_non_null (s_body_type (s, "text/plain"));
    assert_true (str_starts (s_body_type (s, "text/html"), "<p>GROSSETO, Italy (AP)"));
    collect_reset (&c);

    s = s_sample (&c, "ninjs__ninjsExComplex1.json", 1, 0);
    assert_string_equal (s_concept (&s->people, "Francesco Schettino")->uri, "http://www.freebase.com/m/0hzcydt");
    assert_string_equal (s_concept (&s->places, "Italy")->uri, "http://cvx.iptc.org/iso3166-1a2/it");
    assert_string_equal (s_link (s, "association:mainpic"), "http://ninjs.example.com/newsitems/20130709simpPh123");
    collect_reset (&c);

    s = s_sample (&c, "sdcore__ninjs1.json", 1, 0);
    assert_string_equal (s->uri, "urn:newsml:localhost:2017-08-24T14:37:19.783611:c044162e-7f40-4d04-b700-49b6a66e652c");
    assert_string_equal (story_headline (s), "headline");
    assert_int_equal (s->priority, 6);
    assert_int_equal (s->urgency, 3);
    assert_string_equal (s->version, "2");
    assert_string_equal (s->language, "fr");
    assert_string_equal (s->by, "Peter and Jane");
    assert_string_equal (s->ednote, "ed note");
    assert_string_equal (s->located, "Milton Keynes");
    assert_non_null (story_find_concept (&s->subjects, "subj:01000000"));
    assert_string_equal (s->places.items [0].name, "NSW");
    assert_string_equal (s->infosources.items [0].name, "AAP");
    assert_string_equal (s->infosources.items [0].role, "source");
    assert_string_equal (story_extra (s, "service"), "m");
    assert_string_equal (s_body_type (s, "text/html"), "<p>The story so far.</p>");
    assert_string_equal (s->descriptions.items [0].value, "abstract");
    assert_string_equal (s->versioncreated, "2017-08-24T04:38:34+0000");
    collect_reset (&c);

    s = s_sample (&c, "sdcore__ninjs2.json", 1, 0);
    assert_string_equal (s->slugline, "GLOBAL-OIL");
    assert_string_equal (s_link (s, "association:featuremedia"), "20170809001313906811");
    collect_reset (&c);

    s = s_sample (&c, "sdcore__ninjs_embargoed.json", 1, 0);
    assert_string_equal (s->uri, "urn:uuid:fd8e441b-a698-4411-9246-7d5de21cced9");
    assert_string_equal (collect_altid (s, "guid"), "fd8e441b-a698-4411-9246-7d5de21cced9");
    assert_string_equal (s->embargoed, "2022-06-29T02:30:00+00:00");
    assert_string_equal (story_rawdate (s, "embargoed"), "2022-06-29T02:30:00+00:00");
    assert_string_equal (story_extra (s, "extra-doi"), "10.54377/1533-31ec");
    assert_string_equal (s->version, "11");
    collect_reset (&c);

    //  BBC envelope {item, total, offset, limit}
    s = s_sample (&c, "sdcore__bbc-ninjs-text-test.json", 1, 0);
    assert_string_equal (s->uri, "https://www.example.com//12345");
    assert_string_equal (collect_altid (s, "id"), "1234");
    assert_string_equal (story_headline (s), "advisory");
    assert_true (strv_contains (&s->signals, "advisory"));
    assert_non_null (story_find_concept (&s->subjects, "category:planning-permission"));
    assert_string_equal (s_body_type (s, "text/plain"), "body");
    assert_int_equal (s->ingest.index, 0);
    collect_reset (&c);
}

//  ninjs 3.x: camelCase, NITF body
static void
test_ninjs3 (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_sample (&c, "ninjs__20231008-anti-doping-measures-at-the-tour-down-under-will-be-the-"
                               "toughest-ever-addb-ninjs-nitf.json", 1, 0);
    assert_string_equal (s->versioncreated, "2023-10-08T02:34:03+02:00");
    assert_string_equal (s->pubstatus, "usable");
    assert_int_equal (s->urgency, 4);
    assert_string_equal (s->version, "2");
    assert_string_equal (story_extra (s, "ninjs-standard"), "ninjs 3.0");
    assert_string_equal (s->descriptions.items [0].role, "lead");
    const char *html = s_body_type (s, "text/html");
    assert_non_null (html);
    assert_non_null (strstr (html, "<p class=\"lead\""));
    assert_null (strstr (html, "<head>"));
    assert_non_null (s_concept (&s->subjects, "Cycling"));
    assert_string_equal (s_concept (&s->subjects, "Cycling")->uri, "http://cv.iptc.org/newscodes/mediatopic/20000892");
    assert_string_equal (s->by, "Trond Hus\xc3\xb8, The Anti-Doping Database");
    collect_reset (&c);

    //  A minimal 3.x item with altIds, embargoedUntil, edNote, contentType
    const char *v3 = "{\"uri\":\"urn:x:1\",\"versionCreated\":\"2024-01-02T03:04:05Z\","
                     "\"embargoedUntil\":\"2024-01-03T00:00:00Z\",\"edNote\":\"hold\","
                     "\"altIds\":[{\"role\":\"legacy\",\"value\":\"L1\"}],\"copyrightHolder\":\"X\","
                     "\"headlines\":[{\"role\":\"main\",\"contentType\":\"text/plain\",\"value\":\"T\"}],"
                     "\"bodies\":[{\"role\":\"main\",\"contentType\":\"text/html\",\"value\":\"<p>B</p>\"}]}";
    assert_int_equal (collect_bytes (&c, "v3.json", NULL, v3, strlen (v3)), 0);
    s = c.stories.items [0];
    assert_string_equal (s->embargoed, "2024-01-03T00:00:00Z");
    assert_string_equal (s->ednote, "hold");
    assert_string_equal (collect_altid (s, "legacy"), "L1");
    assert_string_equal (s->copyrightholder, "X");
    assert_string_equal (s_body_type (s, "text/html"), "<p>B</p>");
    collect_reset (&c);
}

//  Envelopes, arrays, JSON Lines, our own output read back
static void
test_envelopes (void **state)
{
    collect_t c = { 0 };
    const char *array = "[{\"uri\":\"a:1\",\"headline\":\"One\"},42,{\"uri\":\"a:2\",\"headline\":\"Two\"},"
                        "{\"uri\":\"a:3\",\"type\":\"picture\"}]";
    assert_int_equal (collect_bytes (&c, "array.json", NULL, array, strlen (array)), 0);
    assert_int_equal (c.stories.len, 2);
    assert_int_equal (c.dead.len, 1);
    assert_int_equal (c.result.skipped, 1);
    assert_int_equal (c.stories.items [1]->ingest.index, 2);
    assert_non_null (strstr (c.dead.items [0]->reason, "item 1"));
    assert_string_not_equal (c.stories.items [0]->ingest.sha256, c.stories.items [1]->ingest.sha256);
    collect_reset (&c);

    const char *ap = "{\"api_version\":\"2\",\"data\":{\"items\":[{\"item\":{\"uri\":\"ap:1\",\"headline\":\"AP one\"}},"
                     "{\"item\":{\"uri\":\"ap:2\",\"headline\":\"AP two\"}}]}}";
    assert_int_equal (collect_bytes (&c, "ap.json", NULL, ap, strlen (ap)), 0);
    assert_int_equal (c.stories.len, 2);
    assert_string_equal (story_headline (c.stories.items [1]), "AP two");
    collect_reset (&c);

    const char *sd = "{\"_items\":[{\"guid\":\"tag:x,2020:1\",\"headline\":\"SD\"}],\"_meta\":{\"total\":1}}";
    assert_int_equal (collect_bytes (&c, "sd.json", NULL, sd, strlen (sd)), 0);
    assert_string_equal (c.stories.items [0]->uri, "tag:x,2020:1");
    collect_reset (&c);

    //  What `copydesk parse --full` prints reads back as JSON Lines
    story_t *story = story_new ();
    str_set (&story->uri, "urn:test:roundtrip");
    str_set (&story->versioncreated, "2024-05-01T10:00:00Z");
    story_add_text (&story->headlines, "main", "text/plain", "Round trip");
    story_add_text (&story->bodies, "main", "text/plain", "Body.");
    story_add_altid (story, "x", "1");
    char *line = ninjs_dumps (story, NINJS_FULL);
    char *lines = xasprintf ("%s\n%s\n", line, line);
    assert_int_equal (collect_bytes (&c, "lines.jsonl", NULL, lines, strlen (lines)), 0);
    assert_int_equal (c.stories.len, 2);
    assert_string_equal (c.stories.items [1]->uri, "urn:test:roundtrip");
    assert_string_equal (story_headline (c.stories.items [1]), "Round trip");
    collect_reset (&c);
    free (lines);
    free (line);
    story_destroy (&story);
}

//  Invalid and hostile JSON: clear errors, no crash, no partial ingest
static void
test_hostile (void **state)
{
    collect_t c = { 0 };
    const char *bad = "{\n  \"uri\": \"x:1\",\n  \"headline\": \"missing comma\"\n  \"body_text\": \"b\"\n}";
    assert_int_equal (collect_bytes (&c, "bad.json", NULL, bad, strlen (bad)), -1);
    assert_non_null (strstr (c.result.error, "bad.json: JSON not well-formed at line 4"));
    collect_reset (&c);

    //  A raw newline inside a string
    const char *nl = "{\"uri\":\"x:1\",\"headline\":\"two\nlines\"}";
    assert_int_equal (collect_bytes (&c, "nl.json", NULL, nl, strlen (nl)), -1);
    assert_int_equal (c.stories.len, 0);
    collect_reset (&c);

    //  JSON Lines with an error on line 3: nothing is ingested
    const char *lines = "{\"uri\":\"x:1\",\"headline\":\"a\"}\n{\"uri\":\"x:2\",\"headline\":\"b\"}\n{\"uri\":]\n";
    assert_int_equal (collect_bytes (&c, "l.jsonl", NULL, lines, strlen (lines)), -1);
    assert_int_equal (c.stories.len, 0);
    assert_non_null (strstr (c.result.error, "line 3"));
    collect_reset (&c);

    assert_int_equal (collect_bytes (&c, "s.json", "ninjs", "\"just a string\"", 15), -1);
    assert_non_null (strstr (c.result.error, "string"));
    collect_reset (&c);

    //  Deep nesting: refused by the parser's depth limit, not a stack overflow
    buf_t deep;
    buf_init (&deep);
    buf_puts (&deep, "{\"uri\":\"x:1\",\"headline\":\"h\",\"associations\":");
    for (int i = 0; i < 100000; i++)
        buf_putc (&deep, '[');
    assert_int_equal (collect_bytes (&c, "deep.json", NULL, deep.data, deep.size), -1);
    buf_free (&deep);
    collect_reset (&c);

    //  Deep but valid associations: only references are kept
    buf_init (&deep);
    buf_puts (&deep, "{\"uri\":\"x:1\",\"headline\":\"h\",\"associations\":{\"a\":");
    for (int i = 0; i < 500; i++)
        buf_printf (&deep, "{\"uri\":\"x:%d\",\"associations\":{\"a\":", i + 2);
    buf_puts (&deep, "{}");
    for (int i = 0; i < 500; i++)
        buf_puts (&deep, "}}");
    buf_puts (&deep, "}}");
    assert_int_equal (collect_bytes (&c, "nested.json", NULL, deep.data, deep.size), 0);
    assert_int_equal (c.stories.len, 1);
    assert_int_equal (c.stories.items [0]->links.len, 1);
    buf_free (&deep);
    collect_reset (&c);

    //  Duplicate keys: accepted, the last wins
    const char *dup = "{\"uri\":\"x:1\",\"headline\":\"first\",\"headline\":\"second\"}";
    assert_int_equal (collect_bytes (&c, "dup.json", NULL, dup, strlen (dup)), 0);
    assert_string_equal (story_headline (c.stories.items [0]), "second");
    collect_reset (&c);

    //  Latin-1 bytes inside strings: decoded with a warning
    const char *latin = "{\"uri\":\"x:1\",\"headline\":\"Caf\xe9 cr\xe8me br\xfbl\xe9" "e\"}";
    assert_int_equal (collect_bytes (&c, "latin.json", NULL, latin, strlen (latin)), 0);
    assert_string_equal (story_headline (c.stories.items [0]), "Caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e");
    assert_true (collect_story_clean (c.stories.items [0]));
    collect_reset (&c);

    //  UTF-16LE with a BOM
    const char utf16 [] = "\xff\xfe{\0\"\0u\0r\0i\0\"\0:\0\"\0x\0:\0\x31\0\"\0,\0\"\0h\0e\0a\0d\0l\0i\0n\0e\0\"\0:\0\"\0\xe9\0\"\0}\0";
    assert_int_equal (collect_bytes (&c, "utf16.json", NULL, utf16, sizeof utf16 - 1), 0);
    assert_string_equal (story_headline (c.stories.items [0]), "\xc3\xa9");
    collect_reset (&c);

    //  Controls and C1 code points in strings, wrong types everywhere
    const char *odd = "{\"uri\":\"x:1\",\"headline\":\"a\\u0001b\\u0093q\\u0094\",\"urgency\":\"12\","
                      "\"priority\":[1],\"subjects\":[null,7,{\"name\":{}},{\"code\":\"01000000\"}],"
                      "\"bodies\":{\"no\":\"array\"},\"renditions\":[{\"href\":5,\"width\":\"x\"}],"
                      "\"associations\":[null,{\"name\":\"n\"}],\"versioncreated\":{}}";
    assert_int_equal (collect_bytes (&c, "odd.json", NULL, odd, strlen (odd)), 0);
    story_t *s = c.stories.items [0];
    assert_true (collect_story_clean (s));
    assert_string_equal (story_headline (s), "ab\xe2\x80\x9cq\xe2\x80\x9d");
    assert_int_equal (s->urgency, 0);
    assert_null (s->versioncreated);
    assert_non_null (story_find_concept (&s->subjects, "subj:01000000"));
    collect_reset (&c);

    //  An object that is no item
    assert_int_equal (collect_bytes (&c, "empty.json", NULL, "{}", 2), -1);
    assert_non_null (strstr (c.result.error, "not ninjs"));
    collect_reset (&c);
    //  A JSON Schema is JSON, not ninjs
    assert_int_equal (collect_shared (&c, "samples/_schemas/ninjs-schema_2.2.json", NULL), -1);
    assert_non_null (strstr (c.result.error, "$schema"));
    assert_int_equal (c.stories.len, 0);
    collect_reset (&c);
}

//  After normalize, every sample story is a clean record
static void
test_normalized (void **state)
{
    normalize_t *normalize = normalize_new (NULL);
    const char *names [] = {
        "ninjs__001_simple_example.json", "ninjs__004_simple_text_article.json",
        "ninjs__005_complex_text_article.json", "ninjs__007_multimedia.json",
        "ninjs__20231008-anti-doping-measures-at-the-tour-down-under-will-be-the-toughest-ever-addb-ninjs-nitf.json",
        "ninjs__businesswire-newsml-20130731006140.json", "ninjs__dpa_text.json",
        "ninjs__ninjsExComplex1.json", "ninjs__ninjsExSimpleText1.json", "ninjs__ninjsExSimpleText_2.json",
        "ninjs__ntb_text.json", "ninjs__tt_text_image_2.json", "sdcore__bbc-ninjs-text-test.json",
        "sdcore__ninjs1.json", "sdcore__ninjs2.json", "sdcore__ninjs_embargoed.json"
    };
    for (size_t i = 0; i < sizeof names / sizeof names [0]; i++) {
        collect_t c = { 0 };
        story_t *s = s_sample (&c, names [i], 1, 0);
        assert_int_equal (normalize_story (normalize, s), 0);
        assert_true (collect_story_clean (s));
        assert_non_null (s->uri);
        assert_non_null (story_headline (s));
        if (!story_body (s))
            fail_msg ("%s: no plain-text body after normalize", names [i]);
        collect_reset (&c);
    }
    normalize_destroy (&normalize);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_ninjs2),
        cmocka_unit_test (test_ninjs1),
        cmocka_unit_test (test_ninjs3),
        cmocka_unit_test (test_envelopes),
        cmocka_unit_test (test_hostile),
        cmocka_unit_test (test_normalized),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
