//  SPDX-License-Identifier: MIT
//  JSON Feed 1.0 / 1.1 parser: detection, field mapping, identity, bad
//  items and documents that are not JSON Feeds
#include "common.h"
#include "ingest_collect.h"
#include <setjmp.h>
#include <cmocka.h>

//  Parse text as a document (format NULL: detected)
static void
s_parse_text (collect_t *parsed, const char *format, const char *text)
{
    collect_bytes (parsed, "memory.json", format, text, strlen (text));
}

static const char *
s_altid (const story_t *story, const char *role)
{
    for (size_t i = 0; i < story->altids.len; i++)
        if (strcmp (story->altids.items [i].role, role) == 0)
            return story->altids.items [i].value;
    return NULL;
}

static const story_text_t *
s_body (const story_t *story, const char *contenttype)
{
    for (size_t i = 0; i < story->bodies.len; i++)
        if (strcmp (story->bodies.items [i].contenttype, contenttype) == 0)
            return &story->bodies.items [i];
    return NULL;
}

static const char *s_feed_11 =
    "{\n"
    "  \"version\": \"https://jsonfeed.org/version/1.1\",\n"
    "  \"title\": \"Harbour &amp; Shipping Desk\",\n"
    "  \"home_page_url\": \"https://news.example.org/\",\n"
    "  \"feed_url\": \"https://news.example.org/feed.json\",\n"
    "  \"language\": \"en-GB\",\n"
    "  \"authors\": [{ \"name\": \"Desk Staff\" }],\n"
    "  \"items\": [\n"
    "    {\n"
    "      \"id\": \"https://news.example.org/2024/05/port-strike\",\n"
    "      \"url\": \"/2024/05/port-strike\",\n"
    "      \"external_url\": \"https://union.example.com/statement\",\n"
    "      \"title\": \"Dock workers walk out at three ports\",\n"
    "      \"content_html\": \"<p>Dock workers walked out, <a href=\\\"/unions\\\">unions</a> said.</p>\",\n"
    "      \"content_text\": \"Dock workers walked out, unions said.\",\n"
    "      \"summary\": \"Three ports hit by a strike.\",\n"
    "      \"date_published\": \"2024-05-07T09:30:00+01:00\",\n"
    "      \"date_modified\": \"2024-05-07T11:00:00+01:00\",\n"
    "      \"authors\": [{ \"name\": \"Ana Sousa\" }, { \"name\": \"Tom Reed\" }, { \"url\": \"x\" }],\n"
    "      \"tags\": [\"shipping\", \"labour\", 7],\n"
    "      \"language\": \"pt-PT\",\n"
    "      \"image\": \"/img/port.jpg\",\n"
    "      \"banner_image\": \"https://cdn.example.org/banner.jpg\",\n"
    "      \"attachments\": [{ \"url\": \"https://cdn.example.org/a.mp3\", \"mime_type\": \"audio/mpeg\",\n"
    "                        \"size_in_bytes\": 123456, \"title\": \"Interview\" },\n"
    "                      { \"mime_type\": \"audio/mpeg\" }],\n"
    "      \"_extension\": { \"about\": \"ignored\" }\n"
    "    },\n"
    "    { \"id\": 42, \"content_text\": \"Markets were calm.\", \"date_published\": \"2024-05-08T08:00:00Z\" },\n"
    "    \"not an item\",\n"
    "    { \"id\": \"nothing-to-read\" },\n"
    "    { \"title\": \"No id, no url\", \"date_published\": \"2024-05-09T08:00:00Z\" }\n"
    "  ]\n"
    "}\n";

//  --------------------------------------------------------------------------

static void
test_detected (void **state)
{
    (void) state;
    char why [256];
    assert_string_equal (ingest_detect ((const uint8_t *) s_feed_11, strlen (s_feed_11),
                                        why, sizeof why), "jsonfeed");
    const char *v1 = "  {\"items\":[],\"version\" :\t\"http://jsonfeed.org/version/1\"}";
    assert_string_equal (ingest_detect ((const uint8_t *) v1, strlen (v1), why, sizeof why),
                         "jsonfeed");
    //  ninjs that talks about JSON Feed in its text stays ninjs
    const char *ninjs = "{\"uri\":\"urn:x:1\",\"body_text\":\"set \\\"version\\\": "
                        "\\\"https://jsonfeed.org/version/1.1\\\" in your feed\"}";
    assert_string_equal (ingest_detect ((const uint8_t *) ninjs, strlen (ninjs), why, sizeof why),
                         "ninjs");
    const char *other = "{\"version\":\"2.1\",\"uri\":\"urn:x:2\",\"headline\":\"Hi\"}";
    assert_string_equal (ingest_detect ((const uint8_t *) other, strlen (other), why, sizeof why),
                         "ninjs");
}

static void
test_fields (void **state)
{
    (void) state;
    collect_t parsed = { 0 };
    s_parse_text (&parsed, NULL, s_feed_11);
    assert_int_equal (parsed.rc, 0);
    assert_string_equal (parsed.result.format, "jsonfeed");
    assert_int_equal (parsed.stories.len, 3);
    assert_int_equal (parsed.result.bad_items, 1);      //  "not an item"
    assert_int_equal (parsed.dead.len, 1);
    assert_non_null (strstr (parsed.dead.items [0]->reason, "item 2 is not an object"));
    assert_int_equal (parsed.result.skipped, 1);        //  nothing to read

    story_t *story = parsed.stories.items [0];
    assert_string_equal (story->uri, "https://news.example.org/2024/05/port-strike");
    assert_string_equal (story->headlines.items [0].value, "Dock workers walk out at three ports");
    const story_text_t *html = s_body (story, "text/html");
    assert_non_null (html);
    //  Relative links made absolute against the item's url
    assert_non_null (strstr (html->value, "href=\"https://news.example.org/unions\""));
    const story_text_t *text = s_body (story, "text/plain");
    assert_non_null (text);
    assert_string_equal (text->value, "Dock workers walked out, unions said.");
    assert_string_equal (story->descriptions.items [0].value, "Three ports hit by a strike.");
    assert_string_equal (story->firstcreated, "2024-05-07T09:30:00+01:00");
    assert_string_equal (story->versioncreated, "2024-05-07T11:00:00+01:00");
    assert_string_equal (story->by, "Ana Sousa, Tom Reed");
    assert_string_equal (story->language, "pt-PT");     //  The item's over the feed's
    assert_int_equal (story->keywords.len, 2);
    assert_string_equal (story->keywords.items [0], "shipping");
    assert_string_equal (story->keywords.items [1], "labour");
    assert_string_equal (s_altid (story, "jsonfeed-id"), "https://news.example.org/2024/05/port-strike");
    assert_string_equal (s_altid (story, "jsonfeed-url"), "https://news.example.org/2024/05/port-strike");
    bool related = false;
    for (size_t i = 0; i < story->links.len; i++)
        if (strcmp (story->links.items [i].rel, "related") == 0)
            related = strcmp (story->links.items [i].uri, "https://union.example.com/statement") == 0;
    assert_true (related);
    assert_int_equal (story->renditions.len, 3);
    assert_string_equal (story->renditions.items [0].name, "image");
    assert_string_equal (story->renditions.items [0].href, "https://news.example.org/img/port.jpg");
    assert_string_equal (story->renditions.items [1].name, "banner");
    assert_string_equal (story->renditions.items [2].name, "attachment");
    assert_string_equal (story->renditions.items [2].contenttype, "audio/mpeg");
    assert_string_equal (story->renditions.items [2].title, "Interview");
    assert_int_equal (story->renditions.items [2].sizeinbytes, 123456);
    assert_string_equal (story->infosources.items [0].name, "Harbour & Shipping Desk");
    assert_string_equal (story->infosources.items [0].uri, "https://news.example.org/");
    assert_string_equal (story->ingest.format, "jsonfeed");
    assert_non_null (story->ingest.sha256);
    assert_int_equal (strlen (story->ingest.sha256), 64);

    //  A numeric id: a tag: URI on the feed's host and the item's year;
    //  feed language and author inherited
    story = parsed.stories.items [1];
    assert_string_equal (story->uri, "tag:news.example.org,2024:42");
    assert_string_equal (story->by, "Desk Staff");
    assert_string_equal (story->language, "en-GB");
    assert_string_equal (s_body (story, "text/plain")->value, "Markets were calm.");
    //  Neither id nor url: a stable hash URI
    story = parsed.stories.items [2];
    assert_true (str_starts (story->uri, "tag:news.example.org,2024:item-"));
    char *first_uri = xstrdup (story->uri);
    char *first_hash = xstrdup (parsed.stories.items [0]->ingest.sha256);
    collect_reset (&parsed);

    //  The same feed again: the same identities and hashes
    s_parse_text (&parsed, NULL, s_feed_11);
    assert_string_equal (parsed.stories.items [2]->uri, first_uri);
    assert_string_equal (parsed.stories.items [0]->ingest.sha256, first_hash);
    free (first_uri);
    free (first_hash);
    collect_reset (&parsed);
}

static void
test_version_1 (void **state)
{
    (void) state;
    collect_t parsed = { 0 };
    s_parse_text (&parsed, NULL,
        "{\"version\":\"https://jsonfeed.org/version/1\",\"title\":\"Old\","
        "\"home_page_url\":\"http://example.com/blog/\",\"author\":{\"name\":\"Jo Bloggs\"},"
        "\"items\":[{\"id\":\"1\",\"title\":\"Hello\",\"url\":\"post/1\","
        "\"content_html\":\"<p>Hello <b>world</b></p>\",\"date_published\":\"2019-03-01T10:00:00Z\","
        "\"author\":{\"name\":\"mail@example.com (Sam Smith)\"}}]}");
    assert_int_equal (parsed.rc, 0);
    assert_int_equal (parsed.stories.len, 1);
    story_t *story = parsed.stories.items [0];
    assert_string_equal (story->uri, "tag:example.com,2019:1");
    assert_string_equal (story->by, "Sam Smith");
    assert_string_equal (s_altid (story, "jsonfeed-url"), "http://example.com/blog/post/1");
    assert_non_null (s_body (story, "text/html"));
    collect_reset (&parsed);
}

static void
test_charset (void **state)
{
    (void) state;
    //  JSON is UTF-8; Latin-1 bytes are decoded, not passed on
    const char *latin1 = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":"
                         "[{\"id\":\"a\",\"title\":\"Caf\xe9 au lait\"}]}";
    collect_t parsed = { 0 };
    document_t *doc = document_new ("test", "memory.json", latin1, strlen (latin1));
    doc->charset = xstrdup ("iso-8859-1");
    collect_document (&parsed, &doc);
    assert_int_equal (parsed.rc, 0);
    assert_int_equal (parsed.stories.len, 1);
    assert_string_equal (parsed.stories.items [0]->headlines.items [0].value, "Caf\xc3\xa9 au lait");
    collect_reset (&parsed);
}

static void
test_not_a_feed (void **state)
{
    (void) state;
    static const struct {
        const char *text;
        const char *reason;
    } cases [] = {
        { "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[}", "not well-formed" },
        { "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"x\"}", "no \"items\" array" },
        { "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":{}}", "no \"items\" array" },
        { "{\"version\":\"https://example.org/version/9\",\"items\":[]}", "not a JSON Feed version" },
        { "[1,2,3]", "is an object whose \"version\"" },
        { "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        collect_t parsed = { 0 };
        s_parse_text (&parsed, "jsonfeed", cases [i].text);
        assert_int_equal (parsed.rc, -1);
        assert_int_equal (parsed.stories.len, 0);
        if (!strstr (parsed.result.error, cases [i].reason))
            fail_msg ("case %zu: '%s' has no '%s'", i, parsed.result.error, cases [i].reason);
        collect_reset (&parsed);
    }
    //  An empty feed is not an error
    collect_t parsed = { 0 };
    s_parse_text (&parsed, NULL, "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[]}");
    assert_int_equal (parsed.rc, 0);
    assert_int_equal (parsed.stories.len, 0);
    assert_int_equal (parsed.result.skipped, 1);
    collect_reset (&parsed);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_detected),
        cmocka_unit_test (test_fields),
        cmocka_unit_test (test_version_1),
        cmocka_unit_test (test_charset),
        cmocka_unit_test (test_not_a_feed),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
