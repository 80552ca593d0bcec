//  SPDX-License-Identifier: MIT
//  RSS 0.9x / 1.0 (RDF) / 2.0 parser: every shared sample, real values,
//  identity rules, encodings, broken feeds and pages that are not feeds
#include "common.h"
#include "ingest/ingest.h"
#include "ingest/feeditem.h"
#include <setjmp.h>
#include <cmocka.h>

typedef VEC (story_t *) storyv_t;

typedef struct {
    storyv_t stories;
    ingest_result_t result;
    int rc;
} parsed_t;

static void
s_collect (void *arg, story_t **story_p)
{
    parsed_t *parsed = (parsed_t *) arg;
    *vec_push (&parsed->stories) = *story_p;
    *story_p = NULL;
}

static void
s_parsed_free (parsed_t *parsed)
{
    for (size_t i = 0; i < parsed->stories.len; i++)
        story_destroy (&parsed->stories.items [i]);
    free (parsed->stories.items);
    memset (parsed, 0, sizeof *parsed);
}

//  Parse bytes as a document (format NULL: detected), into parsed
static void
s_parse_bytes (parsed_t *parsed, const char *format, const char *charset,
               const void *data, size_t size)
{
    memset (parsed, 0, sizeof *parsed);
    document_t *doc = document_new ("test", "memory.xml", data, size);
    str_set (&doc->format, format);
    str_set (&doc->charset, charset);
    str_set (&doc->received, "2024-05-01T10:00:00Z");
    parsed->rc = ingest_document (doc, s_collect, NULL, parsed, &parsed->result);
    document_destroy (&doc);
}

static void
s_parse_text (parsed_t *parsed, const char *format, const char *text)
{
    s_parse_bytes (parsed, format, NULL, text, strlen (text));
}

//  Parse a shared sample (format detected by content)
static void
s_parse_sample (parsed_t *parsed, const char *relative)
{
    const char *shared = getenv ("COPYDESK_SHARED");
    assert_non_null (shared);
    char *path = xasprintf ("%s/samples/%s", shared, relative);
    uint8_t *data;
    size_t size;
    if (file_read (path, 64 * 1024 * 1024, &data, &size) != 0)
        fail_msg ("cannot read %s: %s", path, strerror (errno));
    memset (parsed, 0, sizeof *parsed);
    document_t *doc = document_new ("test", path, data, size);
    parsed->rc = ingest_document (doc, s_collect, NULL, parsed, &parsed->result);
    document_destroy (&doc);
    free (data);
    free (path);
}

static bool
s_has_warning (const story_t *story, const char *prefix)
{
    for (size_t i = 0; i < story->ingest.warnings.len; i++)
        if (str_starts (story->ingest.warnings.items [i], prefix))
            return true;
    return false;
}

static const char *
s_altid (const story_t *story, const char *role)
{
    for (size_t i = 0; i < story->altids.len; i++)
        if (strcmp (story->altids.items [i].role, role) == 0)
            return story->altids.items [i].value;
    return NULL;
}

static const story_concept_t *
s_infosource (const story_t *story, const char *role)
{
    for (size_t i = 0; i < story->infosources.len; i++)
        if (story->infosources.items [i].role && strcmp (story->infosources.items [i].role, role) == 0)
            return &story->infosources.items [i];
    return NULL;
}

//  --------------------------------------------------------------------------
//  Every sample: no crash, exact counts, valid records

static void
test_every_sample (void **state)
{
    static const struct {
        const char *file;
        int stories;
        int skipped;
    } samples [] = {
        { "rss2/feedparser__encoding_big5.xml", 0, 1 },                 //  <rss/>: empty feed
        { "rss2/feedparser__rss20.xml", 1, 0 },
        { "rss2/feedparser__rss20dc.xml", 1, 0 },
        { "rss2/feedparser__wellformed_rss_item_category_multiple.xml", 0, 1 },
        { "rss2/feedparser__wellformed_rss_item_content_encoded.xml", 1, 0 },
        { "rss2/feedparser__wellformed_rss_item_description_escaped_markup.xml", 1, 0 },
        { "rss2/feedparser__wellformed_rss_item_guid_not_permalink.xml", 0, 1 },
        { "rss2/feedparser__wellformed_rss_item_pubDate.xml", 0, 1 },
        { "rss2/rsparser__EMarley.rss", 10, 0 },
        { "rss2/rsparser__aktuality.rss", 30, 0 },
        { "rss2/rsparser__livemint.xml", 25, 0 },
        { "rss2/rsparser__scriptingNews.rss", 50, 0 },
        { "rss2/rssparser__content-encoded.rss", 7, 0 },
        { "rss2/rssparser__guardian.rss", 55, 0 },
        { "rss2/rssparser__heraldsun.rss", 2, 0 },
        { "rss2/rssparser__instant-article.rss", 1, 0 },
        { "rss2/rssparser__narro.rss", 1, 0 },
        { "rss2/sdcore__wordpress_wxr.xml", 5, 0 },
        { "rss1-rdf/feedparser__prism.rdf", 1, 0 },
        { "rss1-rdf/feedparser__rss10.rdf", 1, 0 },
        { "rss1-rdf/feedparser__wellformed_rdf_rdf_channel_description.xml", 0, 1 },
        { "rss1-rdf/feedparser__wellformed_rdf_rdf_channel_link.xml", 0, 1 },
        { "rss1-rdf/feedparser__wellformed_rdf_rdf_channel_title.xml", 0, 1 },
        { "rss1-rdf/feedparser__wellformed_rdf_rdf_item_description.xml", 1, 0 },
        { "rss1-rdf/feedparser__wellformed_rdf_rdf_item_link.xml", 0, 1 },
        { "rss1-rdf/feedparser__wellformed_rdf_rdf_item_rdf_about.xml", 0, 1 },
        { "rss1-rdf/feedparser__wellformed_rdf_rdf_item_title.xml", 1, 0 },
        { "rss1-rdf/feedparser__wellformed_rdf_rss_version_10.xml", 0, 1 },
        { "rss1-rdf/rsparser__bio.rdf", 30, 0 },
        { "rss1-rdf/rssparser__craigslist.rss", 25, 0 },
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples [0]; i++) {
        parsed_t parsed;
        s_parse_sample (&parsed, samples [i].file);
        if (parsed.rc != 0 || parsed.result.stories != samples [i].stories
        ||  parsed.result.skipped != samples [i].skipped)
            fail_msg ("%s: rc=%d stories=%d skipped=%d (want %d/%d) %s", samples [i].file,
                      parsed.rc, parsed.result.stories, parsed.result.skipped,
                      samples [i].stories, samples [i].skipped, parsed.result.error);
        assert_string_equal (parsed.result.format, "rss");
        assert_int_equal (parsed.stories.len, samples [i].stories);
        for (size_t j = 0; j < parsed.stories.len; j++) {
            story_t *story = parsed.stories.items [j];
            //  Every story: a URI, provenance, valid UTF-8, round trip
            assert_non_null (story->uri);
            assert_true (strchr (story->uri, ' ') == NULL);
            assert_string_equal (story->ingest.format, "rss");
            assert_int_equal (story->ingest.index, (int) j);
            assert_non_null (story->ingest.sha256);
            assert_int_equal (strlen (story->ingest.sha256), 64);
            assert_true (story->headlines.len + story->bodies.len > 0);
            for (size_t k = 0; k < story->headlines.len; k++)
                assert_true (charset_utf8_valid ((const uint8_t *) story->headlines.items [k].value,
                                                 strlen (story->headlines.items [k].value)));
            for (size_t k = 0; k < story->bodies.len; k++)
                assert_true (charset_utf8_valid ((const uint8_t *) story->bodies.items [k].value,
                                                 strlen (story->bodies.items [k].value)));
            buf_t buf;
            buf_init (&buf);
            story_encode (story, &buf);
            char err [256];
            story_t *copy = story_decode ((const uint8_t *) buf.data, buf.size, err, sizeof err);
            assert_non_null (copy);
            assert_string_equal (copy->uri, story->uri);
            story_destroy (&copy);
            buf_free (&buf);
        }
        //  Items of one feed have distinct uris (Scripting News really lists
        //  one post twice; the WordPress sample reuses links)
        for (size_t a = 0; a < parsed.stories.len; a++)
            for (size_t b = a + 1; b < parsed.stories.len; b++)
                if (strcmp (parsed.stories.items [a]->uri, parsed.stories.items [b]->uri) == 0
                &&  !strstr (samples [i].file, "wordpress") && !strstr (samples [i].file, "scripting"))
                    fail_msg ("%s: items %zu and %zu share uri %s", samples [i].file, a, b,
                              parsed.stories.items [a]->uri);
        s_parsed_free (&parsed);
    }
}

//  --------------------------------------------------------------------------
//  RSS 2.0 values

static void
test_rss20 (void **state)
{
    parsed_t parsed;
    s_parse_sample (&parsed, "rss2/feedparser__rss20.xml");
    assert_int_equal (parsed.stories.len, 1);
    story_t *story = parsed.stories.items [0];
    //  guid is a permalink by default: the link wins
    assert_string_equal (story->uri, "http://example.org/item/1");
    assert_string_equal (s_altid (story, "rss-guid"), "http://example.org/guid/1");
    assert_string_equal (s_altid (story, "rss-link"), "http://example.org/item/1");
    assert_string_equal (story_headline (story), "First item title");
    assert_int_equal (story->bodies.len, 1);
    assert_string_equal (story->bodies.items [0].contenttype, "text/html");
    assert_true (str_starts (story->bodies.items [0].value, "Watch out for <span style="));
    assert_string_equal (story->versioncreated, "Thu, 05 Sep 2002 00:00:01 GMT");
    assert_string_equal (story_rawdate (story, "versioncreated"), "Thu, 05 Sep 2002 00:00:01 GMT");
    assert_string_equal (story_rawdate (story, "feed-updated"), "Sat, 07 Sep 2002 00:00:01 GMT");
    assert_string_equal (story->by, "mark@example.org");
    assert_string_equal (story->language, "en");
    assert_string_equal (story->copyrightnotice, "Copyright 2004, Mark Pilgrim");
    assert_int_equal (story->keywords.len, 1);
    assert_string_equal (story->keywords.items [0], "Miscellaneous");
    const story_concept_t *feed = s_infosource (story, "feed");
    assert_non_null (feed);
    assert_string_equal (feed->name, "Sample Feed");
    assert_string_equal (feed->uri, "http://example.org/");
    assert_int_equal (story->renditions.len, 1);
    assert_string_equal (story->renditions.items [0].href, "http://example.org/audio/demo.mp3");
    assert_string_equal (story->renditions.items [0].contenttype, "audio/mpeg");
    assert_int_equal (story->renditions.items [0].sizeinbytes, 1069871);
    assert_string_equal (story->ingest.charset, "utf-8");
    s_parsed_free (&parsed);
}

static void
test_rss20_dublin_core (void **state)
{
    parsed_t parsed;
    s_parse_sample (&parsed, "rss2/feedparser__rss20dc.xml");
    story_t *story = parsed.stories.items [0];
    //  isPermaLink="false" and no URI: tag:{feed host},{year of the item}:{guid}
    assert_string_equal (story->uri, "tag:example.org,2002:1983@example.org");
    assert_string_equal (story->versioncreated, "2002-09-04T13:54:20-05:00");
    assert_string_equal (story->language, "en-us");
    assert_string_equal (story->copyrightnotice, "Copyright 2004 Mark Pilgrim");
    assert_string_equal (story->keywords.items [0], "Quotes");
    //  content:encoded is the body, the description its summary
    assert_string_equal (story->bodies.items [0].contenttype, "text/html");
    assert_true (str_starts (story->bodies.items [0].value, "<cite>Ian Hickson</cite>:"));
    assert_int_equal (story->descriptions.len, 1);
    assert_string_equal (story->descriptions.items [0].role, "summary");
    assert_string_equal (story->descriptions.items [0].value,
                         "Americans are fat. Smokers are stupid. People who don't speak Perl are irrelevant.");
    s_parsed_free (&parsed);
}

static void
test_escaped_markup (void **state)
{
    parsed_t parsed;
    s_parse_sample (&parsed, "rss2/feedparser__wellformed_rss_item_description_escaped_markup.xml");
    story_t *story = parsed.stories.items [0];
    assert_string_equal (story->bodies.items [0].contenttype, "text/html");
    assert_string_equal (story->bodies.items [0].value, "<p>Example description</p>");
    s_parsed_free (&parsed);

    s_parse_sample (&parsed, "rss2/feedparser__wellformed_rss_item_content_encoded.xml");
    story = parsed.stories.items [0];
    assert_string_equal (story->bodies.items [0].value, "<p>Example content</p>");
    s_parsed_free (&parsed);

    //  A skipped item takes one index, the next story the one after
    s_parse_text (&parsed, NULL,
        "<rss version=\"2.0\"><channel><title>T</title>"
        "<item><guid>http://x.example.com/empty</guid></item>"
        "<item><title>Second</title><link>http://x.example.com/2</link></item></channel></rss>");
    assert_int_equal (parsed.result.skipped, 1);
    assert_int_equal (parsed.stories.len, 1);
    assert_int_equal (parsed.stories.items [0]->ingest.index, 1);
    assert_string_equal (parsed.stories.items [0]->ingest.format, "rss");
    assert_string_equal (parsed.stories.items [0]->ingest.provider, "test");
    assert_string_equal (parsed.stories.items [0]->ingest.origin, "memory.xml");
    assert_string_equal (parsed.stories.items [0]->type, "text");
    s_parsed_free (&parsed);

    //  Titles: escaped markup decoded once and stripped
    s_parse_text (&parsed, NULL,
        "<rss version=\"2.0\"><channel><title>T</title><link>http://news.example.com/</link>"
        "<item><title>&lt;b&gt;Bold&lt;/b&gt; move &amp;amp; more &amp;lt;3</title>"
        "<link>http://news.example.com/1</link></item>"
        "<item><title>AT&amp;T buys a &lt;i&gt;rival&lt;/i&gt;</title>"
        "<link>http://news.example.com/2</link></item></channel></rss>");
    assert_int_equal (parsed.stories.len, 2);
    assert_string_equal (story_headline (parsed.stories.items [0]), "Bold move & more <3");
    assert_string_equal (story_headline (parsed.stories.items [1]), "AT&T buys a rival");
    s_parsed_free (&parsed);
}

static void
test_guardian (void **state)
{
    parsed_t parsed;
    s_parse_sample (&parsed, "rss2/rssparser__guardian.rss");
    assert_int_equal (parsed.stories.len, 55);
    story_t *story = parsed.stories.items [0];
    assert_string_equal (story->uri,
        "https://www.theguardian.com/us-news/2018/jan/31/donald-trump-state-of-the-union-address-unity-discord");
    assert_string_equal (story_headline (story),
        "Trump State of the Union address promised unity but emphasized discord");
    assert_string_equal (story->by, "David Smith in Washington");
    assert_string_equal (story->language, "en-gb");
    assert_string_equal (story->versioncreated, "Wed, 31 Jan 2018 07:26:05 GMT");
    assert_true (str_starts (story->bodies.items [0].value,
                             "<p>The president\xE2\x80\x99s \xE2\x80\x98new American moment\xE2\x80\x99"));
    assert_int_equal (story->subjects.len, 7);
    assert_string_equal (story->subjects.items [0].name, "Donald Trump");
    assert_string_equal (story->subjects.items [0].uri, "https://www.theguardian.com/us-news/donaldtrump");
    assert_string_equal (story->subjects.items [0].literal, "rsscat:Donald Trump");
    //  media:content -> renditions
    assert_true (story->renditions.len >= 1);
    assert_int_equal (story->renditions.items [0].width, 140);
    assert_true (str_starts (story->renditions.items [0].href, "https://i.guim.co.uk/img/media/"));
    story = parsed.stories.items [54];
    assert_string_equal (story_headline (story), "Earth's ultimate yogis \xE2\x80\x93 in pictures");
    s_parsed_free (&parsed);
}

static void
test_rss092_latin1 (void **state)
{
    parsed_t parsed;
    s_parse_sample (&parsed, "rss2/rssparser__heraldsun.rss");
    assert_int_equal (parsed.stories.len, 2);
    story_t *story = parsed.stories.items [1];
    assert_string_equal (story->uri, "http://www.oreilly.com/example/002.html");
    assert_string_equal (story_headline (story), "The Second Item");
    assert_string_equal (story->bodies.items [0].value, "This is the second item.");
    assert_string_equal (story->bodies.items [0].contenttype, "text/plain");
    assert_string_equal (story->ingest.charset, "iso-8859-1");
    //  No item date: normalize falls back to the channel's
    assert_null (story->versioncreated);
    assert_string_equal (story_rawdate (story, "feed-updated"), "03 Apr 02 1500 GMT");
    const story_concept_t *source = s_infosource (story, "source");
    assert_non_null (source);
    assert_string_equal (source->name, "Another Site");
    assert_string_equal (source->uri, "http://www.anothersite.com/index.xml");
    s_parsed_free (&parsed);
}

static void
test_livemint_cdata (void **state)
{
    parsed_t parsed;
    s_parse_sample (&parsed, "rss2/rsparser__livemint.xml");
    assert_int_equal (parsed.stories.len, 25);
    story_t *story = parsed.stories.items [0];
    //  guid "1559104147038" is no URI and a permalink by default: the link wins
    assert_true (str_starts (story->uri, "https://www.livemint.com/news/india/pm-modi-xi-jinping"));
    assert_string_equal (s_altid (story, "rss-guid"), "1559104147038");
    assert_string_equal (story->by, "Elizabeth Roche");
    assert_string_equal (story->versioncreated, "Wed, 29 May 2019 10:16:00 GMT");
    assert_string_equal (story_headline (story),
                         "PM Modi-Xi Jinping informal summit in Varanasi this October: Report");
    s_parsed_free (&parsed);
}

static void
test_medium_cdata_untouched (void **state)
{
    //  A well-formed feed is read as written: '&' inside CDATA stays '&'
    parsed_t parsed;
    s_parse_sample (&parsed, "rss2/rsparser__aktuality.rss");
    story_t *story = parsed.stories.items [0];
    assert_string_equal (story_headline (story),
                         "Analytici Goldman Sachs zv\xC3\xBD\xC5\xA1ili odhad rastu ekonomiky USA");
    assert_non_null (strstr (story->bodies.items [0].value, "LzE1OHgxMDYvc21hcnQ&h=OcgUSVfIJOH9QPOW"));
    assert_false (s_has_warning (story, "xml-"));
    assert_string_equal (story->language, "sk");
    s_parsed_free (&parsed);

    s_parse_sample (&parsed, "rss2/rssparser__content-encoded.rss");
    story = parsed.stories.items [0];
    assert_string_equal (story->uri, "https://medium.com/p/125af37d838f");
    assert_string_equal (story->by, "Jeremy Puma");
    //  atom:updated is the version date, pubDate the first one
    assert_string_equal (story->versioncreated, "2018-04-09T19:39:12.675Z");
    assert_string_equal (story->firstcreated, "Mon, 09 Apr 2018 18:55:38 GMT");
    assert_int_equal (story->keywords.len, 5);
    assert_string_equal (story->keywords.items [3], "foraging");
    assert_true (str_starts (story->bodies.items [0].value, "<h4>Using Wild Ingredients in the"));
    s_parsed_free (&parsed);
}

static void
test_wordpress_wxr (void **state)
{
    parsed_t parsed;
    s_parse_sample (&parsed, "rss2/sdcore__wordpress_wxr.xml");
    assert_int_equal (parsed.stories.len, 5);
    story_t *story = parsed.stories.items [0];
    assert_string_equal (story->uri, "http://sdnewtester.org/?p=216");
    assert_string_equal (story_headline (story), "Starafrica to dispose assets for $6 million to clear debt");
    assert_string_equal (story->pubstatus, "usable");
    assert_string_equal (story->by, "admin");
    assert_string_equal (s_altid (story, "wp-post-id"), "216");
    assert_string_equal (story->subjects.items [0].name, "Business");
    assert_string_equal (story->subjects.items [0].literal, "wpcat:business");
    assert_int_equal (story->subjects.len, 3);
    assert_int_equal (story->keywords.len, 1);
    assert_string_equal (story->keywords.items [0], "companies");
    //  WordPress line breaks become HTML breaks
    assert_true (str_starts (story->bodies.items [0].value, "<p>By Tester<br />"));
    assert_string_equal (story->versioncreated, "Mon, 29 Jul 2013 16:03:54 +0000");
    story = parsed.stories.items [1];
    assert_int_equal (story->renditions.len, 1);
    assert_string_equal (story->renditions.items [0].href, "http://example.net/image.png");
    //  An empty post is still a story with its headline
    story = parsed.stories.items [3];
    assert_string_equal (story_headline (story), "test4");
    assert_int_equal (story->bodies.len, 0);
    s_parsed_free (&parsed);

    //  Attachments and drafts
    s_parse_text (&parsed, NULL,
        "<rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\""
        " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>"
        "<title>Blog</title><link>http://blog.example.com</link><wp:wxr_version>1.2</wp:wxr_version>"
        "<item><title>photo.jpg</title><guid isPermaLink=\"false\">http://blog.example.com/?p=1</guid>"
        "<wp:post_type>attachment</wp:post_type></item>"
        "<item><title>Draft post</title><guid isPermaLink=\"false\">http://blog.example.com/?p=2</guid>"
        "<content:encoded>One\n\nTwo</content:encoded>"
        "<wp:post_date_gmt>2020-03-04 05:06:07</wp:post_date_gmt>"
        "<wp:status>draft</wp:status><wp:post_type>post</wp:post_type></item></channel></rss>");
    assert_int_equal (parsed.rc, 0);
    assert_int_equal (parsed.result.skipped, 1);
    assert_int_equal (parsed.stories.len, 1);
    story = parsed.stories.items [0];
    assert_string_equal (story->pubstatus, "withheld");
    assert_string_equal (story->bodies.items [0].value, "<p>One</p>\n<p>Two</p>\n");
    assert_string_equal (story->versioncreated, "2020-03-04T05:06:07Z");
    assert_string_equal (story_rawdate (story, "versioncreated"), "2020-03-04 05:06:07");
    assert_int_equal (story->ingest.index, 1);
    s_parsed_free (&parsed);
}

//  --------------------------------------------------------------------------
//  RSS 1.0 / RDF

static void
test_rdf (void **state)
{
    parsed_t parsed;
    s_parse_sample (&parsed, "rss1-rdf/feedparser__rss10.rdf");
    story_t *story = parsed.stories.items [0];
    assert_string_equal (story->uri, "http://www.example.org/1");          //  rdf:about
    assert_string_equal (s_altid (story, "rss-link"),
                         "http://example.org/archives/2002/09/04.html#first_of_all");
    assert_string_equal (story_headline (story), "First of all");
    assert_string_equal (story->by, "Aaron Swartz");
    assert_string_equal (story->keywords.items [0], "Politics");
    assert_string_equal (story->versioncreated, "2004-05-30T14:23:54-06:00");
    assert_string_equal (story->language, "en");
    assert_string_equal (story_rawdate (story, "feed-updated"), "2004-06-04T17:40:33-05:00");
    assert_true (str_starts (story->bodies.items [0].value, "<cite>Ian Hickson</cite>"));
    s_parsed_free (&parsed);

    s_parse_sample (&parsed, "rss1-rdf/rssparser__craigslist.rss");
    assert_int_equal (parsed.stories.len, 25);
    story = parsed.stories.items [0];
    assert_string_equal (story->uri, "http://sfbay.craigslist.org/eby/apa/6186664607.html");
    assert_string_equal (story->versioncreated, "2017-06-21T10:33:10-07:00");
    assert_string_equal (story->copyrightnotice, "copyright 2017 craiglist");
    assert_true (str_starts (story_headline (story), "Bright, Spacious Beautiful Victorian"));
    s_parsed_free (&parsed);

    //  No encoding declaration, real feed
    s_parse_sample (&parsed, "rss1-rdf/rsparser__bio.rdf");
    assert_int_equal (parsed.stories.len, 30);
    story = parsed.stories.items [0];
    assert_string_equal (story->uri, "http://biorxiv.org/cgi/content/short/743294v1?rss=1");
    assert_string_equal (story->versioncreated, "2019-08-27");
    assert_true (str_starts (story_headline (story), "Wheat inositol pyrophosphate kinase (TaVIH2-3B)"));
    assert_true (str_starts (story->by, "Kaur, M., Shukla, A."));
    s_parsed_free (&parsed);
}

static void
test_rdf_namespaces (void **state)
{
    //  The RSS 1.0 namespace bound to an odd prefix; an <item> in another
    //  namespace is not an item; RSS 0.90
    parsed_t parsed;
    s_parse_text (&parsed, NULL,
        "<?xml version=\"1.0\"?>\n"
        "<r:RDF xmlns:r=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
        " xmlns:x=\"http://purl.org/rss/1.0/\" xmlns:o=\"http://other.example/ns\">"
        "<x:channel r:about=\"http://site.example.com/\"><x:title>Site</x:title>"
        "<x:link>http://site.example.com/</x:link></x:channel>"
        "<x:item r:about=\"http://site.example.com/a\"><x:title>Alpha</x:title></x:item>"
        "<o:item r:about=\"http://site.example.com/z\"><o:title>Not an item</o:title></o:item>"
        "<x:item r:about=\"http://site.example.com/b\"><x:title>Beta</x:title>"
        "<x:description>Second</x:description></x:item></r:RDF>");
    assert_int_equal (parsed.rc, 0);
    assert_int_equal (parsed.stories.len, 2);
    assert_string_equal (parsed.stories.items [0]->uri, "http://site.example.com/a");
    assert_string_equal (story_headline (parsed.stories.items [1]), "Beta");
    assert_string_equal (s_infosource (parsed.stories.items [1], "feed")->name, "Site");
    s_parsed_free (&parsed);

    s_parse_text (&parsed, NULL,
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
        " xmlns=\"http://my.netscape.com/rdf/simple/0.9/\">"
        "<channel><title>Old</title><link>http://old.example.com</link></channel>"
        "<item><title>Ninety</title><link>http://old.example.com/90</link></item></rdf:RDF>");
    assert_int_equal (parsed.stories.len, 1);
    assert_string_equal (parsed.stories.items [0]->uri, "http://old.example.com/90");
    s_parsed_free (&parsed);
}

//  --------------------------------------------------------------------------
//  Identity

static void
test_identity (void **state)
{
    const char *feed =
        "<rss version=\"2.0\"><channel><title>Wire</title><link>https://Wire.Example.com/news</link>"
        "<item><title>No id at all</title><pubDate>Tue, 10 Mar 2020 10:00:00 GMT</pubDate></item>"
        "<item><title>Opaque guid</title><guid isPermaLink=\"false\">item 42/\xC3\xA9</guid>"
        "<pubDate>Sun, 03 Jan 2021 10:00:00 +0100</pubDate><link>/n/42</link></item>"
        "<item><title>Relative link</title><link>/n/43</link></item>"
        "<item><title>Guid only</title><guid>abc-44</guid></item>"
        "<item><title>Permalink guid</title><guid isPermaLink=\"true\">https://wire.example.com/45</guid></item>"
        "</channel></rss>";
    parsed_t first, second;
    s_parse_text (&first, NULL, feed);
    s_parse_text (&second, NULL, feed);
    assert_int_equal (first.stories.len, 5);
    //  Never random: the same feed gives the same uris
    for (size_t i = 0; i < first.stories.len; i++) {
        assert_string_equal (first.stories.items [i]->uri, second.stories.items [i]->uri);
        assert_string_equal (first.stories.items [i]->ingest.sha256, second.stories.items [i]->ingest.sha256);
    }
    assert_true (str_starts (first.stories.items [0]->uri, "tag:wire.example.com,2020:item-"));
    assert_string_equal (first.stories.items [1]->uri, "tag:wire.example.com,2021:item%2042/%C3%A9");
    assert_string_equal (first.stories.items [2]->uri, "https://Wire.Example.com/n/43");
    assert_string_equal (first.stories.items [3]->uri, "tag:wire.example.com,2024:abc-44");
    assert_string_equal (first.stories.items [4]->uri, "https://wire.example.com/45");
    s_parsed_free (&second);

    //  A changed title without id changes the hash; a changed body changes the sha256
    s_parse_text (&second, NULL,
        "<rss version=\"2.0\"><channel><title>Wire</title><link>https://Wire.Example.com/news</link>"
        "<item><title>No id at all!</title><pubDate>Tue, 10 Mar 2020 10:00:00 GMT</pubDate></item>"
        "</channel></rss>");
    assert_string_not_equal (first.stories.items [0]->uri, second.stories.items [0]->uri);
    assert_string_not_equal (first.stories.items [0]->ingest.sha256, second.stories.items [0]->ingest.sha256);
    s_parsed_free (&first);
    s_parsed_free (&second);

    //  A new comment count is not a new version; a new word is
    const char *template =
        "<rss version=\"2.0\" xmlns:slash=\"http://purl.org/rss/1.0/modules/slash/\"><channel><title>B</title>"
        "<item><title>Post</title><link>http://blog.example.com/1</link><description>%s</description>"
        "<slash:comments>%d</slash:comments></item></channel></rss>";
    char *one = xasprintf (template, "Text", 3);
    char *two = xasprintf (template, "Text", 4);
    char *three = xasprintf (template, "Text!", 4);
    parsed_t third;
    s_parse_text (&first, NULL, one);
    s_parse_text (&second, NULL, two);
    s_parse_text (&third, NULL, three);
    assert_string_equal (first.stories.items [0]->ingest.sha256, second.stories.items [0]->ingest.sha256);
    assert_string_not_equal (first.stories.items [0]->ingest.sha256, third.stories.items [0]->ingest.sha256);
    s_parsed_free (&first);
    s_parsed_free (&second);
    s_parsed_free (&third);
    free (one);
    free (two);
    free (three);
}

//  --------------------------------------------------------------------------
//  Encodings

static void
test_encodings (void **state)
{
    parsed_t parsed;
    //  Big5, declared
    const char big5 [] = "<?xml version=\"1.0\" encoding=\"big5\"?><rss version=\"2.0\"><channel>"
                         "<title>T</title><item><title>\xA4\xA4\xA4\xE5\xB7\x73\xBB\x44</title>"
                         "<link>http://tw.example.com/1</link></item></channel></rss>";
    s_parse_bytes (&parsed, NULL, NULL, big5, sizeof big5 - 1);
    assert_int_equal (parsed.stories.len, 1);
    assert_string_equal (story_headline (parsed.stories.items [0]),
                         "\xE4\xB8\xAD\xE6\x96\x87\xE6\x96\xB0\xE8\x81\x9E");
    assert_string_equal (parsed.stories.items [0]->ingest.charset, "big5");
    s_parsed_free (&parsed);

    //  Latin-1 bytes without any declaration
    const char latin1 [] = "<rss version=\"2.0\"><channel><title>Caf\xE9</title><item>"
                           "<title>Cr\xE8me br\xFBl\xE9\x65</title><link>http://fr.example.com/1</link>"
                           "</item></channel></rss>";
    s_parse_bytes (&parsed, NULL, NULL, latin1, sizeof latin1 - 1);
    assert_int_equal (parsed.stories.len, 1);
    assert_string_equal (story_headline (parsed.stories.items [0]), "Cr\xC3\xA8me br\xC3\xBBl\xC3\xA9\x65");
    assert_string_equal (s_infosource (parsed.stories.items [0], "feed")->name, "Caf\xC3\xA9");
    s_parsed_free (&parsed);

    //  UTF-16 little-endian with a BOM
    const char *ascii = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel>"
                        "<item><title>Sixteen \xC3\xA9</title><link>http://u16.example.com/1</link>"
                        "</item></channel></rss>";
    size_t out_size;
    buf_t utf16;
    buf_init (&utf16);
    buf_append (&utf16, "\xFF\xFE", 2);
    for (const unsigned char *p = (const unsigned char *) ascii; *p; p++) {
        if (*p == 0xC3) {           //  U+00E9
            buf_append (&utf16, "\xE9\x00", 2);
            p++;
        }
        else {
            buf_putc (&utf16, (char) *p);
            buf_putc (&utf16, 0);
        }
    }
    out_size = utf16.size;
    s_parse_bytes (&parsed, NULL, NULL, utf16.data, out_size);
    assert_int_equal (parsed.rc, 0);
    assert_int_equal (parsed.stories.len, 1);
    assert_string_equal (story_headline (parsed.stories.items [0]), "Sixteen \xC3\xA9");
    s_parsed_free (&parsed);
    buf_free (&utf16);

    //  The HTTP charset when the document declares none
    const char koi8 [] = "<rss version=\"2.0\"><channel><item><title>\xF0\xD2\xC1\xD7\xC4\xC1</title>"
                         "<link>http://ru.example.com/1</link></item></channel></rss>";
    s_parse_bytes (&parsed, NULL, "koi8-r", koi8, sizeof koi8 - 1);
    assert_int_equal (parsed.stories.len, 1);
    assert_string_equal (story_headline (parsed.stories.items [0]),
                         "\xD0\x9F\xD1\x80\xD0\xB0\xD0\xB2\xD0\xB4\xD0\xB0");
    s_parsed_free (&parsed);

    //  Double-encoded UTF-8 passes as valid UTF-8 that normalize can repair
    s_parse_text (&parsed, NULL,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><item>"
        "<title>Fran\xC3\x83\xC2\xA7ois</title><link>http://m.example.com/1</link></item></channel></rss>");
    const char *headline = story_headline (parsed.stories.items [0]);
    assert_string_equal (headline, "Fran\xC3\x83\xC2\xA7ois");
    char *fixed = text_fix_mojibake (headline);
    assert_non_null (fixed);
    assert_string_equal (fixed, "Fran\xC3\xA7ois");
    free (fixed);
    s_parsed_free (&parsed);
}

//  --------------------------------------------------------------------------
//  Broken feeds and things that are not feeds

static void
test_recovered (void **state)
{
    parsed_t parsed;
    //  Undeclared HTML entities, a bare '&', a tag never closed
    s_parse_text (&parsed, NULL,
        "<rss version=\"2.0\"><channel><title>Broken&nbsp;feed</title>"
        "<link>http://broken.example.com/</link>"
        "<item><title>Caf&eacute; &amp; AT&T</title><link>http://broken.example.com/1</link>"
        "<description>First &mdash; item</description></item>"
        "<item><title>Second</title><link>http://broken.example.com/2</link>"
        "<description>Unclosed <b>bold</description></item>"
        "</channel></rss>");
    assert_int_equal (parsed.rc, 0);
    assert_int_equal (parsed.stories.len, 2);
    story_t *story = parsed.stories.items [0];
    assert_string_equal (story_headline (story), "Caf\xC3\xA9 & AT&T");
    assert_true (s_has_warning (story, "xml-html-entities") || s_has_warning (story, "xml-recovered"));
    assert_string_equal (story->bodies.items [0].value, "First \xE2\x80\x94 item");
    assert_string_equal (story_headline (parsed.stories.items [1]), "Second");
    s_parsed_free (&parsed);

    //  RSS 0.91 names a DTD that is never loaded: its entities are HTML's.
    //  CDATA elsewhere in the same feed keeps its '&' as written.
    const char rss091 [] =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
        "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\"\n"
        " \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n"
        "<rss version=\"0.91\"><channel><title>Caf&eacute; News</title><link>http://n.example.com/</link>"
        "<item><title>L&apos;&eacute;t&eacute; &amp; l&rsquo;hiver</title><link>http://n.example.com/1</link>"
        "<description>Texte&nbsp;ici</description></item>"
        "<item><title><![CDATA[R&B &amp; soul]]></title><link>http://n.example.com/2?a=1&b=2</link></item>"
        "</channel></rss>";
    s_parse_bytes (&parsed, NULL, NULL, rss091, sizeof rss091 - 1);
    assert_int_equal (parsed.stories.len, 2);
    story = parsed.stories.items [0];
    assert_string_equal (story_headline (story),
                         "L'\xC3\xA9t\xC3\xA9 & l\xE2\x80\x99hiver");
    assert_string_equal (story->bodies.items [0].value, "Texte\xC2\xA0ici");
    assert_string_equal (s_infosource (story, "feed")->name, "Caf\xC3\xA9 News");
    assert_true (s_has_warning (story, "xml-html-entities"));
    //  CDATA is text: "&amp;" in it is literally that, decoded once as a title
    assert_string_equal (story_headline (parsed.stories.items [1]), "R&B & soul");
    assert_string_equal (parsed.stories.items [1]->uri, "http://n.example.com/2?a=1&b=2");
    s_parsed_free (&parsed);

    //  Truncated in the middle of an item: what was there is kept
    s_parse_text (&parsed, NULL,
        "<rss version=\"2.0\"><channel><title>Cut</title>"
        "<item><title>Whole</title><link>http://cut.example.com/1</link></item>"
        "<item><title>Half</title><link>http://cut.example.com/2</li");
    assert_int_equal (parsed.rc, 0);
    assert_true (parsed.stories.len >= 1);
    assert_string_equal (story_headline (parsed.stories.items [0]), "Whole");
    assert_true (s_has_warning (parsed.stories.items [0], "xml-recovered"));
    s_parsed_free (&parsed);

    //  Unterminated CDATA never hangs
    s_parse_text (&parsed, "rss",
        "<rss version=\"2.0\"><channel><item><title>Ok</title><link>http://c.example.com/1</link>"
        "<description><![CDATA[never ends ...");
    assert_true (parsed.rc == 0 || parsed.rc == -1);
    s_parsed_free (&parsed);
}

static void
test_not_a_feed (void **state)
{
    parsed_t parsed;
    //  An HTML "Document Moved" page saved as .rss
    s_parse_text (&parsed, NULL,
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>"
        "<title>301 Moved Permanently</title></head><body><h1>Moved Permanently</h1>"
        "<p>The document has moved <a href=\"http://x.example.com/rss\">here</a>.</p></body></html>");
    assert_int_equal (parsed.rc, -1);
    assert_non_null (strstr (parsed.result.error, "not-a-feed"));
    assert_int_equal (parsed.stories.len, 0);
    s_parsed_free (&parsed);

    //  The same with an explicit --format rss
    s_parse_text (&parsed, "rss",
        "<html><head><title>Moved</title></head><body><p>Moved<br></p></body></html>");
    assert_int_equal (parsed.rc, -1);
    assert_non_null (strstr (parsed.result.error, "not-a-feed"));
    assert_non_null (strstr (parsed.result.error, "HTML"));
    s_parsed_free (&parsed);

    //  A comment-only document
    s_parse_text (&parsed, "rss", "<?xml version=\"1.0\"?>\n<!-- nothing here -->\n");
    assert_int_equal (parsed.rc, -1);
    assert_non_null (strstr (parsed.result.error, "not-a-feed"));
    s_parsed_free (&parsed);

    //  Another XML vocabulary
    s_parse_text (&parsed, "rss", "<catalog><book>Not news</book></catalog>");
    assert_int_equal (parsed.rc, -1);
    assert_non_null (strstr (parsed.result.error, "not-a-feed"));
    assert_non_null (strstr (parsed.result.error, "catalog"));
    s_parsed_free (&parsed);

    //  Binary junk and empty input under the hint
    s_parse_bytes (&parsed, "rss", NULL, "\x00\x01\x02\xFF\xFE", 5);
    assert_int_equal (parsed.rc, -1);
    s_parsed_free (&parsed);
    s_parse_bytes (&parsed, "rss", NULL, "", 0);
    assert_int_equal (parsed.rc, -1);
    s_parsed_free (&parsed);

    //  An Atom feed under an RSS hint is read as Atom
    s_parse_text (&parsed, "rss",
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>urn:x:1</id><title>A</title></entry></feed>");
    assert_int_equal (parsed.rc, 0);
    assert_int_equal (parsed.stories.len, 1);
    assert_string_equal (parsed.stories.items [0]->uri, "urn:x:1");
    s_parsed_free (&parsed);
}

//  Hostile structure: deep nesting, huge attribute counts, entity bombs
static void
test_hostile (void **state)
{
    parsed_t parsed;
    buf_t deep;
    buf_init (&deep);
    buf_puts (&deep, "<rss><channel><item><title>Deep</title><link>http://d.example.com/1</link><description>");
    for (int i = 0; i < 100000; i++)
        buf_puts (&deep, "<b>");
    buf_puts (&deep, "x</description></item></channel></rss>");
    s_parse_bytes (&parsed, "rss", NULL, deep.data, deep.size);
    assert_true (parsed.rc == 0 || parsed.rc == -1);
    s_parsed_free (&parsed);
    buf_free (&deep);

    s_parse_text (&parsed, "rss",
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
        "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
        "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\"><!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
        "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\"><!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">]>"
        "<rss><channel><item><title>&i;</title><link>http://bomb.example.com/</link></item></channel></rss>");
    //  Either refused or bounded: never gigabytes of title
    for (size_t i = 0; i < parsed.stories.len; i++) {
        const char *headline = story_headline (parsed.stories.items [i]);
        assert_true (!headline || strlen (headline) < 20 * 1024 * 1024);
    }
    s_parsed_free (&parsed);

    //  XXE: an external entity is never read
    s_parse_text (&parsed, "rss",
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
        "<rss><channel><item><title>Leak &xxe;</title><link>http://x.example.com/</link></item></channel></rss>");
    for (size_t i = 0; i < parsed.stories.len; i++) {
        const char *headline = story_headline (parsed.stories.items [i]);
        assert_true (!headline || !strstr (headline, "root:"));
    }
    s_parsed_free (&parsed);
}


//  --------------------------------------------------------------------------
//  The shared feed-item helpers

static void
test_feeditem_helpers (void **state)
{
    //  Years of the dates feeds write
    assert_int_equal (feeditem_year ("Thu, 05 Sep 2002 00:00:01 GMT"), 2002);
    assert_int_equal (feeditem_year ("03 Apr 02 1500 GMT"), 2002);
    assert_int_equal (feeditem_year ("2004-05-30T14:23:54-06:00"), 2004);
    assert_int_equal (feeditem_year ("20131020T192751+1100"), 2013);
    assert_int_equal (feeditem_year ("2020/1/10 14:33:00"), 2020);
    assert_int_equal (feeditem_year ("Mon, June 26, 2017 3:41 PM EDT"), 2017);
    assert_int_equal (feeditem_year ("Seg, 03 Set 2018 10:00:00 -0300"), 2018);
    assert_int_equal (feeditem_year ("soon"), 0);
    assert_int_equal (feeditem_year (NULL), 0);
    //  URIs
    assert_true (feeditem_is_uri ("http://example.com/a"));
    assert_true (feeditem_is_uri ("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"));
    assert_true (feeditem_is_uri ("tag:example.com,2004:1"));
    assert_false (feeditem_is_uri ("1983@example.org"));
    assert_false (feeditem_is_uri ("Note: not a uri"));
    assert_false (feeditem_is_uri ("12:30"));
    assert_false (feeditem_is_uri (""));
    char *escaped = feeditem_uri_escape ("http://x.example.com/a b/\xC3\xA9?q=\"1\"&r=%41");
    assert_string_equal (escaped, "http://x.example.com/a%20b/%C3%A9?q=%221%22&r=%41");
    free (escaped);
    char *host = feeditem_host ("https://user:pw@News.Example.COM:8443/path?x");
    assert_string_equal (host, "news.example.com");
    free (host);
    assert_null (feeditem_host ("/relative/path"));
    //  Bylines
    char *person = feeditem_person ("mark@example.org (Mark Pilgrim)");
    assert_string_equal (person, "Mark Pilgrim");
    free (person);
    person = feeditem_person ("Mark Pilgrim (mark@example.org)");
    assert_string_equal (person, "Mark Pilgrim");
    free (person);
    person = feeditem_person ("Jane Doe <jane@example.org>");
    assert_string_equal (person, "Jane Doe");
    free (person);
    person = feeditem_person ("  Staff   Writer ");
    assert_string_equal (person, "Staff Writer");
    free (person);
    //  Titles: entities decoded once, tags stripped, script dropped
    char *plain = feeditem_plain ("A &amp;amp; B <script>alert(1)</script><b>bold</b>&nbsp;end");
    assert_string_equal (plain, "A &amp; B bold end");
    free (plain);
    plain = feeditem_plain ("<p>One</p><p>Two</p>");
    assert_string_equal (plain, "One Two");
    free (plain);
    assert_null (feeditem_plain ("   "));
    //  WordPress paragraphs
    char *html = feeditem_autop ("First line\nsecond line\n\n<p>Already</p>\n\nLast");
    assert_string_equal (html, "<p>First line<br />\nsecond line</p>\n<p>Already</p>\n<p>Last</p>\n");
    free (html);
}

static void
test_feedburner (void **state)
{
    parsed_t parsed;
    s_parse_text (&parsed, NULL,
        "<rss version=\"2.0\" xmlns:feedburner=\"http://rssnamespace.org/feedburner/ext/1.0\"><channel>"
        "<title>T</title><link>http://news.example.com/</link><item><title>Burned</title>"
        "<link>http://feeds.feedburner.com/~r/example/~3/abc/</link>"
        "<guid isPermaLink=\"true\">http://feeds.feedburner.com/~r/example/~3/abc/</guid>"
        "<feedburner:origLink>http://news.example.com/2024/story.html</feedburner:origLink>"
        "</item></channel></rss>");
    assert_int_equal (parsed.stories.len, 1);
    assert_string_equal (parsed.stories.items [0]->uri, "http://news.example.com/2024/story.html");
    assert_string_equal (s_altid (parsed.stories.items [0], "rss-guid"),
                         "http://feeds.feedburner.com/~r/example/~3/abc/");
    s_parsed_free (&parsed);
}

static void
test_hrefs_escaped (void **state)
{
    parsed_t parsed;
    s_parse_text (&parsed, NULL,
        "<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><title>T</title>"
        "<link>http://audio.example.com/</link><item><title>Podcast</title>"
        "<link>http://audio.example.com/ep 1</link>"
        "<enclosure url=\"/files/ep 1.mp3\" length=\"12\" type=\"audio/mpeg\"/>"
        "<media:thumbnail url=\"http://audio.example.com/th\xC3\xA9.jpg\" width=\"10\" height=\"20\"/>"
        "<category domain=\"http://audio.example.com/cat egory\">Talk</category></item></channel></rss>");
    assert_int_equal (parsed.stories.len, 1);
    story_t *story = parsed.stories.items [0];
    assert_string_equal (story->uri, "http://audio.example.com/ep%201");
    assert_string_equal (story->renditions.items [0].href, "http://audio.example.com/files/ep%201.mp3");
    assert_int_equal (story->renditions.items [0].sizeinbytes, 12);
    assert_string_equal (story->renditions.items [1].name, "thumbnail");
    assert_string_equal (story->renditions.items [1].href, "http://audio.example.com/th%C3%A9.jpg");
    assert_int_equal (story->renditions.items [1].height, 20);
    assert_string_equal (story->subjects.items [0].uri, "http://audio.example.com/cat%20egory");
    s_parsed_free (&parsed);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_every_sample),
        cmocka_unit_test (test_rss20),
        cmocka_unit_test (test_rss20_dublin_core),
        cmocka_unit_test (test_escaped_markup),
        cmocka_unit_test (test_guardian),
        cmocka_unit_test (test_rss092_latin1),
        cmocka_unit_test (test_livemint_cdata),
        cmocka_unit_test (test_medium_cdata_untouched),
        cmocka_unit_test (test_wordpress_wxr),
        cmocka_unit_test (test_rdf),
        cmocka_unit_test (test_rdf_namespaces),
        cmocka_unit_test (test_identity),
        cmocka_unit_test (test_encodings),
        cmocka_unit_test (test_recovered),
        cmocka_unit_test (test_not_a_feed),
        cmocka_unit_test (test_hostile),
        cmocka_unit_test (test_feeditem_helpers),
        cmocka_unit_test (test_hrefs_escaped),
        cmocka_unit_test (test_feedburner),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
