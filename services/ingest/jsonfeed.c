//  SPDX-License-Identifier: MIT
//  jsonfeed - JSON Feed 1.0 and 1.1 (jsonfeed.org) into stories
//
//  A feed is an object {version, title, home_page_url, feed_url, language,
//  authors (1.1) or author (1.0), items}; each item {id, url, external_url,
//  title, content_html, content_text, summary, image, banner_image,
//  date_published, date_modified, authors or author, tags, language,
//  attachments}. Fields map as the RSS and Atom parsers map theirs: the id
//  is the item's identity (a tag: URI when it is not a URI), url its link,
//  content_html a text/html body and content_text a text/plain one, summary
//  the description; relative URLs resolve against the item's url, then the
//  feed's home page. Extensions (members starting with '_') are not read.
//  The item's canonical JSON (sorted keys) gives its sha256 and the bytes
//  of its dead letter.

#include "common.h"
#include "ingest/parsers.h"
#include "ingest/feeditem.h"
#include <jansson.h>

//  A member's string value, or NULL (absent, empty or another type)
static const char *
s_string (json_t *object, const char *key)
{
    json_t *value = json_object_get (object, key);
    const char *text = json_is_string (value) ? json_string_value (value) : NULL;
    return str_empty (text) ? NULL : text;
}

//  The item's id: a string, or the number some feeds write. Caller frees.
static char *
s_id (json_t *item)
{
    json_t *value = json_object_get (item, "id");
    if (json_is_integer (value))
        return xasprintf ("%" JSON_INTEGER_FORMAT, json_integer_value (value));
    const char *id = s_string (item, "id");
    return id ? xstrdup (id) : NULL;
}

//  Is this the version of a JSON Feed ("https://jsonfeed.org/version/1.1")?
static bool
s_is_version (const char *version)
{
    return version && (str_starts (version, "https://jsonfeed.org/version/")
                   ||  str_starts (version, "http://jsonfeed.org/version/"));
}

//  The names of authors (1.1: an array) or author (1.0: an object) as one
//  byline, "A, B". Caller frees; NULL if none has a name.
static char *
s_byline (json_t *object)
{
    //  1.1's array when it holds any, else 1.0's one object
    json_t *authors = json_object_get (object, "authors");
    bool listed = json_is_array (authors) && json_array_size (authors) > 0;
    size_t count = listed ? json_array_size (authors) : 1;
    buf_t by;
    buf_init (&by);
    for (size_t i = 0; i < count; i++) {
        json_t *author = listed ? json_array_get (authors, i) : json_object_get (object, "author");
        char *person = feeditem_person (s_string (author, "name"));
        if (person) {
            if (by.size)
                buf_puts (&by, ", ");
            buf_puts (&by, person);
        }
        free (person);
    }
    if (!by.size) {
        buf_free (&by);
        return NULL;
    }
    return buf_detach (&by);
}

//  A URL of the item, absolute when it can be made so. Caller frees.
static char *
s_url (json_t *object, const char *key, const char *base, const char *fallback)
{
    const char *url = s_string (object, key);
    if (!url)
        return NULL;
    if (feeditem_is_uri (url))
        return feeditem_uri_escape (url);
    return feeditem_resolve (NULL, url, feeditem_is_uri (base) ? base : fallback);
}

//  A rendition for a URL member (image, banner_image)
static void
s_image (story_t *story, json_t *item, const char *key, const char *name,
         const char *base, const char *fallback)
{
    char *href = s_url (item, key, base, fallback);
    if (href)
        feeditem_add_rendition (story, name, href, NULL, NULL);
    free (href);
}

//  One item; the story goes out through ingest_emit
static void
s_item (ingest_t *ctx, const feedinfo_t *feed, json_t *item, const char *canonical)
{
    story_t *story = story_new ();

    //  Headline, bodies, summary
    char *title = feeditem_plain (s_string (item, "title"));
    if (title)
        story_add_text (&story->headlines, "main", "text/plain", title);
    free (title);
    const char *html = s_string (item, "content_html");
    const char *text = s_string (item, "content_text");
    if (html)
        feeditem_set_body (story, html, true);
    if (text)
        story_add_text (&story->bodies, "main", "text/plain", text);
    char *summary = feeditem_plain (s_string (item, "summary"));
    if (summary)
        story_add_text (&story->descriptions, "summary", "text/plain", summary);
    free (summary);
    if (!feeditem_has_content (story)) {
        ingest_skip (ctx, "item without title, summary or content");
        story_destroy (&story);
        return;
    }

    //  Links, dates, identity (docs/formats.md §2.2)
    char *link = s_url (item, "url", feed->link, NULL);
    char *external = s_url (item, "external_url", link, feed->link);
    char *id = s_id (item);
    if (id)
        story_add_altid (story, "jsonfeed-id", id);
    if (link) {
        story_add_altid (story, "jsonfeed-url", link);
        story_add_link (story, "see-also", link, NULL);
    }
    if (external)
        story_add_link (story, "related", external, NULL);
    const char *published = s_string (item, "date_published");
    const char *modified = s_string (item, "date_modified");
    if (published) {
        str_set (&story->firstcreated, published);
        story_set_rawdate (story, "firstcreated", published);
    }
    const char *version = modified ? modified : published;
    if (version) {
        str_set (&story->versioncreated, version);
        story_set_rawdate (story, "versioncreated", version);
    }
    if (id)
        story->uri = feeditem_uri (ctx, feed, id, published ? published : version);
    else
    if (link)
        story->uri = feeditem_uri (ctx, feed, link, published ? published : version);
    else {
        const char *first = story->headlines.len ? story->headlines.items [0].value : NULL;
        const char *body = story->bodies.len ? story->bodies.items [0].value : NULL;
        story->uri = feeditem_hash_uri (ctx, feed, first, published ? published : version, body);
    }

    //  Byline, keywords, language
    char *by = s_byline (item);
    feeditem_add_by (story, by);
    free (by);
    json_t *tags = json_object_get (item, "tags");
    for (size_t i = 0; json_is_array (tags) && i < json_array_size (tags); i++) {
        json_t *tag = json_array_get (tags, i);
        char *keyword = json_is_string (tag) ? feeditem_plain (json_string_value (tag)) : NULL;
        if (keyword)
            story_add_keyword (story, keyword);
        free (keyword);
    }
    const char *language = s_string (item, "language");
    if (language)
        str_set (&story->language, language);

    //  Renditions: image, banner, attachments
    s_image (story, item, "image", "image", link, feed->link);
    s_image (story, item, "banner_image", "banner", link, feed->link);
    json_t *attachments = json_object_get (item, "attachments");
    for (size_t i = 0; json_is_array (attachments) && i < json_array_size (attachments); i++) {
        json_t *attachment = json_array_get (attachments, i);
        char *href = s_url (attachment, "url", link, feed->link);
        if (!href)
            continue;
        json_t *bytes = json_object_get (attachment, "size_in_bytes");
        char *length = json_is_integer (bytes) && json_integer_value (bytes) >= 0
                     ? xasprintf ("%" JSON_INTEGER_FORMAT, json_integer_value (bytes))
                     : json_is_real (bytes) && json_real_value (bytes) >= 0
                        && json_real_value (bytes) < 1e18
                     ? xasprintf ("%.0f", json_real_value (bytes)) : NULL;
        story_rendition_t *rendition = feeditem_add_rendition (
            story, "attachment", href, s_string (attachment, "mime_type"), length);
        const char *name = s_string (attachment, "title");
        if (name && rendition && !rendition->title)
            str_set (&rendition->title, name);
        free (length);
        free (href);
    }

    //  Relative links in the HTML: against the item's page, else the feed's
    feeditem_absolute_bodies (story, link ? link : feed->link);
    feeditem_apply_feed (story, feed);
    feeditem_provenance (ctx, story);
    if (canonical)
        ingest_set_item (ctx, canonical, strlen (canonical));
    ingest_emit (ctx, &story);
    free (id);
    free (external);
    free (link);
}

//  --------------------------------------------------------------------------
//  Document

int
jsonfeed_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    const char *text;
    size_t text_size;
    char *decoded = ingest_utf8_text (ctx, data, size, &text, &text_size);
    json_error_t error;
    json_t *root = json_loadb (text, text_size, 0, &error);
    free (decoded);
    if (!root) {
        ingest_fail (ctx, "not-a-feed: JSON not well-formed at line %d, column %d: %s",
                     error.line, error.column, error.text);
        return -1;
    }
    const char *version = s_string (root, "version");
    if (!s_is_version (version)) {
        if (version)
            ingest_fail (ctx, "not-a-feed: version \"%.80s\" is not a JSON Feed version "
                              "(https://jsonfeed.org/version/1.1)", version);
        else
            ingest_fail (ctx, "not-a-feed: a JSON Feed is an object whose \"version\" is "
                              "https://jsonfeed.org/version/1 or /1.1");
        json_decref (root);
        return -1;
    }
    json_t *items = json_object_get (root, "items");
    if (!json_is_array (items)) {
        ingest_fail (ctx, "not-a-feed: the JSON Feed has no \"items\" array");
        json_decref (root);
        return -1;
    }

    //  Feed-level data, copied into each story
    feedinfo_t feed = { 0 };
    feed.title = feeditem_plain (s_string (root, "title"));
    feed.link = s_url (root, "home_page_url", NULL, NULL);
    feed.self = s_url (root, "feed_url", NULL, NULL);
    const char *language = s_string (root, "language");
    feed.language = language ? xstrdup (language) : NULL;
    feed.author = s_byline (root);
    feedinfo_finish (&feed, ctx);

    size_t count = json_array_size (items);
    for (size_t i = 0; i < count; i++) {
        json_t *item = json_array_get (items, i);
        char *canonical = json_dumps (item, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        if (json_is_object (item))
            s_item (ctx, &feed, item, canonical);
        else
        if (canonical)
            ingest_bad_item (ctx, canonical, strlen (canonical),
                             "jsonfeed: item %zu is not an object", i);
        else
            ingest_bad_item (ctx, NULL, 0, "jsonfeed: item %zu is not an object", i);
        free (canonical);
    }
    if (count == 0)
        ingest_skip (ctx, "empty-feed: the feed holds no items");
    feedinfo_free (&feed);
    json_decref (root);
    return 0;
}
