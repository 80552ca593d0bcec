//  SPDX-License-Identifier: MIT
//  Atom 1.0 / 0.3 parser: every shared sample, real values, text constructs,
//  xml:base and xml:lang, Atom 0.3, base64, WENN, broken feeds
#include "common.h"
#include "ingest/ingest.h"
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

static void
s_parse_text (parsed_t *parsed, const char *format, const char *text)
{
    memset (parsed, 0, sizeof *parsed);
    document_t *doc = document_new ("test", "memory.xml", text, strlen (text));
    str_set (&doc->format, format);
    str_set (&doc->received, "2024-05-01T10:00:00Z");
    str_set (&doc->channel, "https://feeds.example.net/all.atom");
    parsed->rc = ingest_document (doc, s_collect, NULL, parsed, &parsed->result);
    document_destroy (&doc);
}

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

static const char *
s_altid (const story_t *story, const char *role)
{
    for (size_t i = 0; i < story->altids.len; i++)
        if (strcmp (story->altids.items [i].role, role) == 0)
            return story->altids.items [i].value;
    return NULL;
}

static const story_link_t *
s_link (const story_t *story, const char *rel, size_t nth)
{
    for (size_t i = 0; i < story->links.len; i++)
        if (strcmp (story->links.items [i].rel, rel) == 0 && nth-- == 0)
            return &story->links.items [i];
    return NULL;
}

static bool
s_has_warning (const story_t *story, const char *prefix)
{
    for (size_t i = 0; i < story->ingest.warnings.len; i++)
        if (str_starts (story->ingest.warnings.items [i], prefix))
            return true;
    return false;
}

static void
test_every_sample (void **state)
{
    static const struct {
        const char *file;
        int stories;
        int skipped;
    } samples [] = {
        { "atom/feedparser__atom10.xml", 1, 0 },
        { "atom/feedparser__wellformed_atom10_entry_author_name.xml", 0, 1 },
        { "atom/feedparser__wellformed_atom10_entry_category_term.xml", 0, 1 },
        { "atom/feedparser__wellformed_atom10_entry_content_escaped_markup.xml", 1, 0 },
        { "atom/feedparser__wellformed_atom10_entry_content_inline_markup.xml", 1, 0 },
        { "atom/feedparser__wellformed_atom10_entry_content_text_plain.xml", 1, 0 },
        { "atom/feedparser__wellformed_atom10_entry_id.xml", 0, 1 },
        { "atom/feedparser__wellformed_atom10_entry_link_rel_enclosure.xml", 0, 1 },
        { "atom/feedparser__wellformed_atom10_entry_rights.xml", 0, 1 },
        { "atom/feedparser__wellformed_atom10_entry_summary.xml", 1, 0 },
        { "atom/feedparser__wellformed_atom10_entry_title_escaped_markup.xml", 1, 0 },
        { "atom/rsparser__4fsodonline.atom", 25, 0 },
        { "atom/rsparser__OneFootTsunami.atom", 25, 0 },
        { "atom/rsparser__expertopinionent.atom", 43, 0 },
        { "atom/rssparser__gulp-atom.atom", 10, 0 },
        { "atom/rssparser__heise.atom", 15, 0 },
        { "atom/sdcore__wenn.xml", 2, 0 },
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples [0]; i++) {
        parsed_t parsed;
        s_parse_sample (&parsed, samples [i].file);
        if (parsed.rc != 0 || parsed.result.stories != samples [i].stories
        ||  parsed.result.skipped != samples [i].skipped)
            fail_msg ("%s: rc=%d stories=%d skipped=%d (want %d/%d) %s", samples [i].file,
                      parsed.rc, parsed.result.stories, parsed.result.skipped,
                      samples [i].stories, samples [i].skipped, parsed.result.error);
        assert_string_equal (parsed.result.format, "atom");
        for (size_t j = 0; j < parsed.stories.len; j++) {
            story_t *story = parsed.stories.items [j];
            assert_non_null (story->uri);
            assert_true (strchr (story->uri, ' ') == NULL);
            assert_string_equal (story->ingest.format, "atom");
            assert_int_equal (story->ingest.index, (int) j);
            assert_int_equal (strlen (story->ingest.sha256), 64);
            buf_t buf;
            buf_init (&buf);
            story_encode (story, &buf);
            char err [256];
            story_t *copy = story_decode ((const uint8_t *) buf.data, buf.size, err, sizeof err);
            assert_non_null (copy);
            story_destroy (&copy);
            buf_free (&buf);
            for (size_t k = j + 1; k < parsed.stories.len; k++)
                assert_string_not_equal (story->uri, parsed.stories.items [k]->uri);
        }
        s_parsed_free (&parsed);
    }
}

static void
test_atom10 (void **state)
{
    parsed_t parsed;
    s_parse_sample (&parsed, "atom/feedparser__atom10.xml");
    story_t *story = parsed.stories.items [0];
    //  The id is the uri, byte for byte
    assert_string_equal (story->uri, "tag:feedparser.org,2005-11-09:/docs/examples/atom10.xml:3");
    assert_string_equal (s_altid (story, "atom-id"), story->uri);
    assert_string_equal (story_headline (story), "First entry title");
    //  xml:base resolves the relative alternate link
    assert_string_equal (s_altid (story, "atom-link"), "http://example.org/entry/3");
    assert_string_equal (s_link (story, "see-also", 0)->uri, "http://example.org/entry/3");
    assert_string_equal (s_link (story, "see-also", 1)->uri, "http://search.example.com/");
    assert_string_equal (s_link (story, "derived-from", 0)->uri, "http://toby.example.com/examples/atom10");
    assert_string_equal (story->versioncreated, "2005-11-09T11:56:34Z");
    assert_string_equal (story->firstcreated, "2005-11-09T00:23:47Z");
    assert_string_equal (story_rawdate (story, "feed-updated"), "2005-11-09T11:56:34Z");
    assert_string_equal (story->by, "Mark Pilgrim");
    assert_string_equal (story->language, "en");
    //  xhtml content: the div's children, as HTML
    assert_string_equal (story->bodies.items [0].contenttype, "text/html");
    assert_true (str_starts (story->bodies.items [0].value, "Watch out for <span style="));
    assert_string_equal (story->descriptions.items [0].value, "Watch out for nasty tricks");
    assert_int_equal (story->renditions.len, 1);
    assert_string_equal (story->renditions.items [0].href, "http://www.example.com/movie.mp4");
    assert_string_equal (story->renditions.items [0].contenttype, "video/mpeg4");
    assert_int_equal (story->renditions.items [0].sizeinbytes, 42301);
    //  html rights, decoded and stripped
    assert_true (str_starts (story->copyrightnotice, "Copyright 2005, Mark Pilgrim"));
    assert_string_equal (story->infosources.items [0].role, "feed");
    assert_string_equal (story->infosources.items [0].name, "Sample Feed");
    assert_string_equal (story->infosources.items [0].uri, "http://example.org/");
    s_parsed_free (&parsed);
}

static void
test_text_constructs (void **state)
{
    parsed_t parsed;
    s_parse_sample (&parsed, "atom/feedparser__wellformed_atom10_entry_content_escaped_markup.xml");
    assert_string_equal (parsed.stories.items [0]->bodies.items [0].contenttype, "text/html");
    assert_string_equal (parsed.stories.items [0]->bodies.items [0].value, "Example <b>Atom</b>");
    s_parsed_free (&parsed);

    s_parse_sample (&parsed, "atom/feedparser__wellformed_atom10_entry_content_inline_markup.xml");
    assert_string_equal (parsed.stories.items [0]->bodies.items [0].contenttype, "text/html");
    assert_string_equal (parsed.stories.items [0]->bodies.items [0].value, "Example <b>Atom</b>");
    s_parsed_free (&parsed);

    s_parse_sample (&parsed, "atom/feedparser__wellformed_atom10_entry_content_text_plain.xml");
    assert_string_equal (parsed.stories.items [0]->bodies.items [0].contenttype, "text/plain");
    assert_string_equal (parsed.stories.items [0]->bodies.items [0].value, "Example Atom");
    s_parsed_free (&parsed);

    s_parse_sample (&parsed, "atom/feedparser__wellformed_atom10_entry_title_escaped_markup.xml");
    assert_string_equal (story_headline (parsed.stories.items [0]), "Example Atom");
    s_parsed_free (&parsed);

    //  Summary without content: it is the body
    s_parse_sample (&parsed, "atom/feedparser__wellformed_atom10_entry_summary.xml");
    assert_string_equal (parsed.stories.items [0]->bodies.items [0].value, "Example Atom");
    assert_int_equal (parsed.stories.items [0]->descriptions.len, 0);
    s_parsed_free (&parsed);

    //  type="text" is literal; xhtml titles; empty type
    s_parse_text (&parsed, NULL,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>F</title>"
        "<entry><id>urn:t:1</id><title type=\"text\">x &lt; y &amp; &lt;b&gt;</title>"
        "<content type=\"\">Line one\n\nLine two</content></entry>"
        "<entry><id>urn:t:2</id><title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "A <em>styled</em> title</div></title><summary type=\"html\">&lt;p&gt;Sum&lt;/p&gt;</summary>"
        "<content type=\"text/plain\">Body</content></entry></feed>");
    assert_int_equal (parsed.stories.len, 2);
    assert_string_equal (story_headline (parsed.stories.items [0]), "x < y & <b>");
    assert_string_equal (parsed.stories.items [0]->bodies.items [0].value, "Line one\n\nLine two");
    assert_string_equal (parsed.stories.items [0]->bodies.items [0].contenttype, "text/plain");
    assert_string_equal (story_headline (parsed.stories.items [1]), "A styled title");
    assert_string_equal (parsed.stories.items [1]->descriptions.items [0].value, "Sum");
    s_parsed_free (&parsed);
}

static void
test_base_and_lang (void **state)
{
    parsed_t parsed;
    s_parse_text (&parsed, NULL,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"de\" xml:base=\"http://base.example.de/news/\">"
        "<title>Nachrichten</title><link href=\"index.html\"/>"
        "<author><name>Redaktion</name></author><rights>(c) Verlag</rights>"
        "<updated>2024-02-01T10:00:00+01:00</updated>"
        "<entry><id>http://base.example.de/1</id><title>Eins</title>"
        "<link rel=\"alternate\" href=\"eins.html\"/><updated>2024-02-01T09:00:00+01:00</updated></entry>"
        "<entry xml:lang=\"fr\" xml:base=\"/fr/\"><id>http://base.example.de/2</id><title>Deux</title>"
        "<link href=\"deux.html\"/><author><name>Marie</name></author><author><name>Paul</name></author>"
        "<rights>Libre</rights></entry>"
        "<entry xml:lang=\"\"><id>http://base.example.de/3</id><title>Drei</title></entry></feed>");
    assert_int_equal (parsed.stories.len, 3);
    story_t *one = parsed.stories.items [0], *two = parsed.stories.items [1], *three = parsed.stories.items [2];
    assert_string_equal (s_altid (one, "atom-link"), "http://base.example.de/news/eins.html");
    assert_string_equal (one->language, "de");
    assert_string_equal (one->by, "Redaktion");                //  inherited from the feed
    assert_string_equal (one->copyrightnotice, "(c) Verlag");
    assert_string_equal (one->infosources.items [0].uri, "http://base.example.de/news/index.html");
    assert_string_equal (s_altid (two, "atom-link"), "http://base.example.de/fr/deux.html");
    assert_string_equal (two->language, "fr");
    assert_string_equal (two->by, "Marie, Paul");
    assert_string_equal (two->copyrightnotice, "Libre");
    assert_string_equal (story_rawdate (one, "feed-updated"), "2024-02-01T10:00:00+01:00");
    //  Relative links inside HTML content are resolved against xml:base
    s_parsed_free (&parsed);
    s_parse_text (&parsed, NULL,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"http://base.example.de/news/\">"
        "<title>N</title><entry><id>urn:x:1</id><title>Links</title>"
        "<content type=\"html\" xml:base=\"/2024/story/\">&lt;p&gt;See &lt;a href=\"more.html\"&gt;more&lt;/a&gt;,"
        " &lt;a href='/top'&gt;top&lt;/a&gt;, &lt;a href=\"#n\"&gt;note&lt;/a&gt;, &lt;a href=\"mailto:a@b.c\"&gt;mail&lt;/a&gt;"
        " &lt;img src=pic.jpg alt=x&gt; &lt;a href=\"https://other.example.com/x\"&gt;x&lt;/a&gt;&lt;/p&gt;</content>"
        "</entry></feed>");
    assert_int_equal (parsed.stories.len, 1);
    assert_string_equal (parsed.stories.items [0]->bodies.items [0].value,
        "<p>See <a href=\"http://base.example.de/2024/story/more.html\">more</a>,"
        " <a href='http://base.example.de/top'>top</a>, <a href=\"#n\">note</a>, <a href=\"mailto:a@b.c\">mail</a>"
        " <img src=http://base.example.de/2024/story/pic.jpg alt=x> <a href=\"https://other.example.com/x\">x</a></p>");
    s_parsed_free (&parsed);
    s_parse_text (&parsed, NULL,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"de\" xml:base=\"http://base.example.de/news/\">"
        "<title>N</title><entry><id>http://base.example.de/1</id><title>Eins</title></entry>"
        "<entry><id>http://base.example.de/2</id><title>Zwei</title></entry>"
        "<entry xml:lang=\"\"><id>http://base.example.de/3</id><title>Drei</title></entry></feed>");
    three = parsed.stories.items [2];
    //  xml:lang="" means the language is unknown
    assert_null (three->language);
    //  An entry without a date takes no date
    assert_null (three->versioncreated);
    s_parsed_free (&parsed);
}

static void
test_categories_and_ids (void **state)
{
    parsed_t parsed;
    s_parse_text (&parsed, NULL,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>F</title><link href=\"https://site.example.org/\"/>"
        "<entry><title>With scheme</title><id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>"
        "<category term=\"politics\" scheme=\"http://site.example.org/cats/\" label=\"Politics\"/>"
        "<category term=\"elections\"/><category term=\"elections\"/>"
        "<published>2023-06-01T12:00:00Z</published></entry>"
        "<entry><title>No id</title><link href=\"https://site.example.org/no-id\"/></entry>"
        "<entry><title>Not a URI id</title><id>12345</id><published>2022-01-01T00:00:00Z</published></entry>"
        "<entry><title>Nothing at all</title></entry></feed>");
    assert_int_equal (parsed.stories.len, 4);
    story_t *story = parsed.stories.items [0];
    assert_string_equal (story->uri, "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a");
    assert_int_equal (story->subjects.len, 1);
    assert_string_equal (story->subjects.items [0].name, "Politics");
    assert_string_equal (story->subjects.items [0].literal, "atomcat:politics");
    assert_string_equal (story->subjects.items [0].uri, "http://site.example.org/cats/");
    assert_int_equal (story->keywords.len, 1);
    assert_string_equal (story->keywords.items [0], "elections");
    assert_string_equal (story->versioncreated, "2023-06-01T12:00:00Z");   //  published only
    assert_string_equal (story->firstcreated, "2023-06-01T12:00:00Z");
    assert_string_equal (parsed.stories.items [1]->uri, "https://site.example.org/no-id");
    assert_string_equal (parsed.stories.items [2]->uri, "tag:site.example.org,2022:12345");
    assert_true (str_starts (parsed.stories.items [3]->uri, "tag:site.example.org,2024:item-"));
    s_parsed_free (&parsed);
}

static void
test_atom03_and_base64 (void **state)
{
    parsed_t parsed;
    //  "Hello <b>base64</b>" in base64
    s_parse_text (&parsed, NULL,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
        "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\" xml:lang=\"en\">"
        "<title mode=\"escaped\" type=\"text/html\">Old &lt;i&gt;feed&lt;/i&gt;</title>"
        "<tagline>Tag line</tagline><link rel=\"alternate\" type=\"text/html\" href=\"http://old.example.com/\"/>"
        "<modified>2004-01-02T03:04:05Z</modified><copyright>Old copyright</copyright>"
        "<entry><title>Escaped</title><link rel=\"alternate\" type=\"text/html\" href=\"http://old.example.com/1\"/>"
        "<id>tag:old.example.com,2004:1</id><issued>2004-01-01T00:00:00-05:00</issued>"
        "<modified>2004-01-02T00:00:00Z</modified><created>2003-12-31T23:00:00Z</created>"
        "<content type=\"text/html\" mode=\"escaped\">&lt;p&gt;Escaped body&lt;/p&gt;</content></entry>"
        "<entry><title>Base64</title><id>tag:old.example.com,2004:2</id>"
        "<content type=\"text/html\" mode=\"base64\">SGVsbG8gPGI+YmFzZTY0PC9iPg==</content></entry>"
        "<entry><title>Inline</title><id>tag:old.example.com,2004:3</id>"
        "<content type=\"application/xhtml+xml\" mode=\"xml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "<p>Inline <b>xml</b></p></div></content></entry></feed>");
    assert_int_equal (parsed.rc, 0);
    assert_int_equal (parsed.stories.len, 3);
    story_t *story = parsed.stories.items [0];
    assert_string_equal (story->uri, "tag:old.example.com,2004:1");
    assert_string_equal (story->versioncreated, "2004-01-02T00:00:00Z");
    assert_string_equal (story->firstcreated, "2004-01-01T00:00:00-05:00");
    assert_string_equal (story->contentcreated, "2003-12-31T23:00:00Z");
    assert_string_equal (story->bodies.items [0].value, "<p>Escaped body</p>");
    assert_string_equal (story->bodies.items [0].contenttype, "text/html");
    assert_string_equal (story->copyrightnotice, "Old copyright");
    assert_string_equal (story->infosources.items [0].name, "Old feed");
    assert_string_equal (story->language, "en");
    assert_string_equal (story_rawdate (story, "feed-updated"), "2004-01-02T03:04:05Z");
    assert_string_equal (parsed.stories.items [1]->bodies.items [0].value, "Hello <b>base64</b>");
    assert_string_equal (parsed.stories.items [2]->bodies.items [0].value, "<p>Inline <b>xml</b></p>");
    s_parsed_free (&parsed);

    //  Atom 1.0: binary base64 content is not a body; out-of-line content is a reference
    s_parse_text (&parsed, NULL,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>F</title>"
        "<entry><id>urn:b:1</id><title>Picture</title><content type=\"image/png\">iVBORw0KGgo=</content></entry>"
        "<entry><id>urn:b:2</id><title>Elsewhere</title>"
        "<content type=\"text/html\" src=\"https://cdn.example.com/story.html\"/></entry></feed>");
    assert_int_equal (parsed.stories.len, 2);
    assert_int_equal (parsed.stories.items [0]->bodies.len, 0);
    assert_true (s_has_warning (parsed.stories.items [0], "atom-content-not-text:image/png"));
    assert_int_equal (parsed.stories.items [1]->bodies.len, 0);
    assert_string_equal (parsed.stories.items [1]->renditions.items [0].href, "https://cdn.example.com/story.html");
    s_parsed_free (&parsed);
}

static void
test_real_feeds (void **state)
{
    parsed_t parsed;
    s_parse_sample (&parsed, "atom/rssparser__heise.atom");
    assert_int_equal (parsed.stories.len, 15);
    story_t *story = parsed.stories.items [0];
    assert_string_equal (story->uri, "http://heise.de/-3088438");
    assert_string_equal (story_headline (story), "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei");
    assert_string_equal (story->by, "heise online");
    assert_string_equal (story->copyrightnotice, "Copyright (c) 2016 Heise Medien");
    assert_true (str_starts (story->descriptions.items [0].value, "Die nun verf\xC3\xBCgbare Version 10"));
    assert_true (strstr (story->bodies.items [0].value, "<p>Die nun verf\xC3\xBCgbare Version 10") != NULL);
    assert_string_equal (story->versioncreated, "2016-02-01T17:54:50+01:00");
    assert_string_equal (story->firstcreated, "2016-02-01T17:22:00+01:00");
    s_parsed_free (&parsed);

    s_parse_sample (&parsed, "atom/rssparser__gulp-atom.atom");
    story = parsed.stories.items [0];
    assert_string_equal (story->uri, "tag:github.com,2008:Repository/11167738/v3.9.0");
    //  Relative link, resolved against the feed's own URL
    assert_string_equal (s_altid (story, "atom-link"), "https://github.com/gulpjs/gulp/releases/tag/v3.9.0");
    assert_string_equal (story->by, "contra");
    assert_string_equal (story->language, "en-US");
    assert_string_equal (story->bodies.items [0].value, "<p>3.9.0</p>");
    assert_string_equal (story->renditions.items [0].name, "thumbnail");
    assert_int_equal (story->renditions.items [0].width, 30);
    s_parsed_free (&parsed);

    s_parse_sample (&parsed, "atom/rsparser__OneFootTsunami.atom");
    story = parsed.stories.items [0];
    assert_string_equal (story_headline (story), "Link: Pillow Fight Leaves 24 Concussed");
    assert_string_equal (story->uri, "http://onefoottsunami.com/?p=14863");
    assert_null (story->language);                              //  xml:lang=""
    s_parsed_free (&parsed);

    s_parse_sample (&parsed, "atom/rsparser__4fsodonline.atom");
    story = parsed.stories.items [0];
    assert_string_equal (story_headline (story), "4FSOD Documentary: Bloopers and Stuff");
    assert_string_equal (story->versioncreated, "2007-12-15T11:35:51.128-08:00");
    assert_string_equal (story->by, "Anthony");
    s_parsed_free (&parsed);
}

static void
test_wenn (void **state)
{
    parsed_t parsed;
    s_parse_sample (&parsed, "atom/sdcore__wenn.xml");
    assert_int_equal (parsed.stories.len, 2);
    story_t *story = parsed.stories.items [0];
    assert_string_equal (story->uri, "urn:feed-wenn-com:newsfeedarticle:2:2222:1");
    assert_string_equal (story_headline (story), "Suge Knight involved in fatal hit and run incident");
    assert_string_equal (story->bodies.items [0].value, "This is body content1.");
    assert_true (str_starts (story->descriptions.items [0].value, "Police officials in Los Angeles"));
    assert_string_equal (story->slugline, "(KL&TD/WNWCZM/RL)");
    assert_string_equal (s_altid (story, "wenn-article-id"), "1369426");
    assert_string_equal (story->language, "en");
    assert_string_equal (story->by, "WENN Newsdesk");
    assert_string_equal (story->keywords.items [0], "Music");
    assert_string_equal (story->places.items [0].name, "Compton");
    assert_string_equal (story->people.items [0].name, "Suge Knight");
    assert_string_equal (story->subjects.items [0].literal, "wenn:1");
    assert_false (s_has_warning (story, "xml-"));
    s_parsed_free (&parsed);
}

static void
test_broken_and_not_atom (void **state)
{
    parsed_t parsed;
    s_parse_text (&parsed, NULL,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Broken&hellip;</title>"
        "<entry><id>urn:x:1</id><title>Caf&eacute;</title><content type=\"html\">&lt;p&gt;ok&lt;/p&gt;</content></entry>"
        "<entry><id>urn:x:2</id><title>Cut off</title><content type=\"html\">trunc");
    assert_int_equal (parsed.rc, 0);
    assert_true (parsed.stories.len >= 1);
    assert_string_equal (story_headline (parsed.stories.items [0]), "Caf\xC3\xA9");
    assert_true (s_has_warning (parsed.stories.items [0], "xml-recovered")
              || s_has_warning (parsed.stories.items [0], "xml-html-entities"));
    s_parsed_free (&parsed);

    s_parse_text (&parsed, "atom", "<html><body><p>Not found</p></body></html>");
    assert_int_equal (parsed.rc, -1);
    assert_non_null (strstr (parsed.result.error, "not-a-feed"));
    s_parsed_free (&parsed);

    s_parse_text (&parsed, "atom", "<feed xmlns=\"http://example.com/not-atom\"><entry/></feed>");
    assert_int_equal (parsed.rc, -1);
    assert_non_null (strstr (parsed.result.error, "not-a-feed"));
    s_parsed_free (&parsed);

    //  RSS under an Atom hint is read as RSS
    s_parse_text (&parsed, "atom",
        "<rss version=\"2.0\"><channel><item><title>R</title><link>http://r.example.com/1</link></item></channel></rss>");
    assert_int_equal (parsed.rc, 0);
    assert_int_equal (parsed.stories.len, 1);
    s_parsed_free (&parsed);

    //  A lone entry document
    s_parse_text (&parsed, NULL,
        "<entry xmlns=\"http://www.w3.org/2005/Atom\"><id>urn:lone:1</id><title>Alone</title>"
        "<updated>2020-01-01T00:00:00Z</updated></entry>");
    assert_int_equal (parsed.rc, 0);
    assert_int_equal (parsed.stories.len, 1);
    assert_string_equal (parsed.stories.items [0]->uri, "urn:lone:1");
    s_parsed_free (&parsed);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_every_sample),
        cmocka_unit_test (test_atom10),
        cmocka_unit_test (test_text_constructs),
        cmocka_unit_test (test_base_and_lang),
        cmocka_unit_test (test_categories_and_ids),
        cmocka_unit_test (test_atom03_and_base64),
        cmocka_unit_test (test_real_feeds),
        cmocka_unit_test (test_wenn),
        cmocka_unit_test (test_broken_and_not_atom),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
