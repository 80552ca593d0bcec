//  SPDX-License-Identifier: MIT
//  atom - Atom 1.0 (RFC 4287) and Atom 0.3 feeds, one story per entry
//
//  docs/formats.md §3.9. Parsed in recover mode with HTML entities repaired,
//  like RSS. Text constructs (title, summary, rights) honour type text /
//  html / xhtml; content also takes @src (out of line: a rendition, no
//  body), XML media types, text/* types and base64 for the rest (Atom 0.3:
//  mode="escaped" / "xml" / "base64"). xml:base is resolved for links and
//  xml:lang inherited for the language. Authors fall back to the entry's
//  source, then the feed. The WENN wire dialect (wenn_cm / wenn_nm
//  extensions) adds abstract, slug, tags, regions and the article id.
//
//  Mapping: id -> uri (kept byte for byte; tag: only when it is no URI),
//  updated -> versioncreated, published -> firstcreated (raw, for
//  normalize), title -> headlines[main], content -> bodies with summary ->
//  descriptions[summary] (or summary -> bodies when there is no content),
//  author/name -> by, category with a scheme -> subjects, without ->
//  keywords, link rel=alternate -> altids[atom-link] and links[see-also],
//  related/via -> links, enclosure -> renditions.

#include "common.h"
#include "ingest/parsers.h"
#include "ingest/feeditem.h"

typedef struct {
    ingest_t *ctx;
    feedinfo_t feed;            //  Feed data
    feed_ns_t ns;               //  FEED_NS_ATOM, FEED_NS_ATOM03 or NONE
    bool atom03;                //  Atom 0.3
} atom_t;

//  --------------------------------------------------------------------------
//  Helpers

//  True if node is an Atom element of this document's dialect
static bool
s_is (atom_t *self, xmlNodePtr node, const char *local)
{
    if (!feed_local_is (node, local))
        return false;
    feed_ns_t ns = feed_ns (node);
    return ns == self->ns || ns == FEED_NS_ATOM || ns == FEED_NS_ATOM03
        || (ns == FEED_NS_NONE && self->ns == FEED_NS_NONE);
}

static xmlNodePtr
s_child (atom_t *self, xmlNodePtr parent, const char *local)
{
    if (!parent)
        return NULL;
    for (xmlNodePtr child = parent->children; child; child = child->next)
        if (s_is (self, child, local))
            return child;
    return NULL;
}

//  Decode base64 (whitespace ignored). Returns a new NUL-terminated buffer
//  and its size, or NULL if the text is not base64.
static char *
s_base64 (const char *text, size_t *size)
{
    static const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len = strlen (text);
    char *out = (char *) xmalloc (len / 4 * 3 + 4);
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (const char *p = text; *p; p++) {
        if (isspace ((unsigned char) *p))
            continue;
        if (*p == '=')
            break;
        const char *pos = strchr (alphabet, *p);
        if (!pos || !*p) {
            free (out);
            return NULL;
        }
        acc = (acc << 6) | (uint32_t) (pos - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out [n++] = (char) ((acc >> bits) & 0xFF);
        }
    }
    out [n] = 0;
    *size = n;
    return out;
}

//  The markup inside an xhtml construct: the children of its div, or of
//  the element itself when there is no div. Caller frees.
static char *
s_xhtml (xmlNodePtr node)
{
    xmlNodePtr div = xml_first_element (node);
    if (div && strcmp (feed_local (div), "div") == 0) {
        //  Only when the div is the one wrapper (no text around it)
        bool alone = true;
        for (xmlNodePtr child = node->children; child; child = child->next)
            if (child != div && child->type == XML_TEXT_NODE && child->content) {
                for (const xmlChar *c = child->content; *c; c++)
                    if (!isspace (*c))
                        alone = false;
            }
            else
            if (child != div && child->type == XML_ELEMENT_NODE)
                alone = false;
        if (alone)
            return xml_inner_markup (div);
    }
    return xml_inner_markup (node);
}

//  A text construct (title, subtitle, summary, rights) as one line of
//  plain text. Caller frees; NULL if empty.
static char *
s_text (atom_t *self, xmlNodePtr node)
{
    if (!node)
        return NULL;
    char *type = feed_attr (node, "type");
    char *mode = feed_attr (node, "mode");
    char *result = NULL;
    if (mode && strcmp (mode, "base64") == 0) {
        char *raw = feed_raw_text (node);
        size_t size;
        char *decoded = raw ? s_base64 (raw, &size) : NULL;
        if (decoded && charset_utf8_valid ((const uint8_t *) decoded, size))
            result = feeditem_plain (decoded);
        free (decoded);
        free (raw);
    }
    else
    if ((type && (strcmp (type, "xhtml") == 0 || strcmp (type, "application/xhtml+xml") == 0))
    ||  (mode && strcmp (mode, "xml") == 0 && xml_first_element (node))) {
        char *markup = s_xhtml (node);
        result = feeditem_plain (markup);
        free (markup);
    }
    else
    if (type && (strcmp (type, "html") == 0 || strcmp (type, "text/html") == 0)) {
        char *raw = feed_raw_text (node);
        result = feeditem_plain (raw);
        free (raw);
    }
    else
        result = feed_text (node);           //  text: literal, whitespace collapsed
    free (type);
    free (mode);
    return result;
}

//  Names of the authors (or contributors) under parent, joined. Caller
//  frees; NULL if none.
static char *
s_authors (atom_t *self, xmlNodePtr parent)
{
    story_t scratch = { 0 };
    for (xmlNodePtr node = parent ? parent->children : NULL; node; node = node->next) {
        if (!s_is (self, node, "author"))
            continue;
        char *name = feed_text (s_child (self, node, "name"));
        if (!name)
            name = feed_text (s_child (self, node, "email"));
        char *person = feeditem_person (name);
        feeditem_add_by (&scratch, person);
        free (person);
        free (name);
    }
    return scratch.by;
}

//  The link of rel "alternate" (or no rel), preferring text/html. Caller
//  frees; NULL if none.
static char *
s_alternate (atom_t *self, xmlNodePtr parent, const char *fallback_base)
{
    char *best = NULL;
    bool best_html = false;
    for (xmlNodePtr node = parent ? parent->children : NULL; node; node = node->next) {
        if (!s_is (self, node, "link"))
            continue;
        char *rel = feed_attr (node, "rel");
        char *href = feed_attr (node, "href");
        char *type = feed_attr (node, "type");
        bool html = !type || strstr (type, "html");
        if (href && (!rel || strcmp (rel, "alternate") == 0) && (!best || (html && !best_html))) {
            free (best);
            best = feeditem_resolve (node, href, fallback_base);
            best_html = html;
        }
        free (rel);
        free (href);
        free (type);
    }
    return best;
}

//  The absolute base URI in scope at node (xml:base, resolved against
//  fallback when relative), or a copy of fallback. Caller frees.
static char *
s_base (xmlNodePtr node, const char *fallback)
{
    xmlChar *base = xmlNodeGetBase (node->doc, node);
    char *result = NULL;
    if (base && feeditem_is_uri ((const char *) base))
        result = xstrdup ((const char *) base);
    else
    if (base && *base && feeditem_is_uri (fallback))
        result = feeditem_resolve (NULL, (const char *) base, fallback);
    else
        result = xstrdup (fallback);
    xmlFree (base);
    return result;
}

//  The feed's own URL (rel=self), the base for relative references
static char *
s_self_link (atom_t *self, xmlNodePtr parent)
{
    for (xmlNodePtr node = parent->children; node; node = node->next) {
        if (!s_is (self, node, "link"))
            continue;
        char *rel = feed_attr (node, "rel");
        bool is_self = rel && strcmp (rel, "self") == 0;
        free (rel);
        if (is_self)
            return feed_attr (node, "href");
    }
    return NULL;
}

//  --------------------------------------------------------------------------
//  Content

static void
s_content (atom_t *self, story_t *story, xmlNodePtr node, const char *base)
{
    char *src = feed_attr (node, "src");
    char *type = feed_attr (node, "type");
    char *mode = feed_attr (node, "mode");
    if (src) {
        //  Out-of-line content: a reference, no body
        char *href = feeditem_resolve (node, src, base);
        feeditem_add_rendition (story, "content", href, type, NULL);
        free (href);
    }
    else
    if (self->atom03 || mode) {
        //  Atom 0.3: type is a MIME type (default text/plain), mode says how
        bool html = type && (strstr (type, "html") != NULL);
        if (mode && strcmp (mode, "base64") == 0) {
            char *raw = feed_raw_text (node);
            size_t size;
            char *decoded = raw ? s_base64 (raw, &size) : NULL;
            if (decoded && charset_utf8_valid ((const uint8_t *) decoded, size)
            &&  (!type || str_starts (type, "text/") || html))
                feeditem_set_body (story, decoded, html);
            else
                story_add_warning (story, "atom-content-not-text:%s", type ? type : "base64");
            free (decoded);
            free (raw);
        }
        else
        if (mode && strcmp (mode, "escaped") == 0) {
            char *raw = feed_raw_text (node);
            feeditem_set_body (story, raw, html);
            free (raw);
        }
        else
        if (xml_first_element (node)) {
            char *markup = s_xhtml (node);
            feeditem_set_body (story, markup, true);
            free (markup);
        }
        else {
            char *raw = feed_raw_text (node);
            feeditem_set_body (story, raw, html);
            free (raw);
        }
    }
    else
    if (!type || !*type || strcmp (type, "text") == 0 || strcmp (type, "text/plain") == 0) {
        char *raw = feed_raw_text (node);
        if (raw)
            story_add_text (&story->bodies, "main", "text/plain", raw);
        free (raw);
    }
    else
    if (strcmp (type, "html") == 0 || strcmp (type, "text/html") == 0) {
        char *raw = feed_raw_text (node);
        feeditem_set_body (story, raw, true);
        free (raw);
    }
    else
    if (strcmp (type, "xhtml") == 0 || strcmp (type, "application/xhtml+xml") == 0) {
        char *markup = s_xhtml (node);
        feeditem_set_body (story, markup, true);
        free (markup);
    }
    else
    if (str_starts (type, "text/")) {
        char *raw = feed_raw_text (node);
        if (raw)
            story_add_text (&story->bodies, "main", "text/plain", raw);
        free (raw);
    }
    else
    if (str_ends (type, "+xml") || str_ends (type, "/xml"))
        story_add_warning (story, "atom-content-not-text:%s", type);
    else {
        //  Any other MIME type is base64; keep it only if it is text
        char *raw = feed_raw_text (node);
        size_t size;
        char *decoded = raw ? s_base64 (raw, &size) : NULL;
        if (decoded && size && charset_utf8_valid ((const uint8_t *) decoded, size)
        &&  memchr (decoded, 0, size) == NULL && (str_starts (type, "application/json") || !*type))
            feeditem_set_body (story, decoded, false);
        else
            story_add_warning (story, "atom-content-not-text:%s", type);
        free (decoded);
        free (raw);
    }
    free (src);
    free (type);
    free (mode);
}

//  --------------------------------------------------------------------------
//  WENN wire dialect

static void
s_wenn (atom_t *self, story_t *story, xmlNodePtr entry)
{
    xmlNodePtr meta = feed_child (entry, FEED_NS_WENN_CM, "ContentMetadata");
    if (meta) {
        if (!story->headlines.len) {
            char *title = feed_child_text (meta, FEED_NS_WENN_CM, "title");
            if (title)
                story_add_text (&story->headlines, "main", "text/plain", title);
            free (title);
        }
        char *first_line = feed_child_text (meta, FEED_NS_WENN_CM, "first_line");
        if (first_line && !story->descriptions.len)
            story_add_text (&story->descriptions, "summary", "text/plain", first_line);
        free (first_line);
        if (!story->bodies.len) {
            char *body = feed_raw_text (feed_child (meta, FEED_NS_WENN_CM, "body"));
            feeditem_set_body (story, body, false);
            free (body);
        }
        char *slug = feed_child_text (meta, FEED_NS_WENN_CM, "slug");
        if (slug)
            str_set (&story->slugline, slug);
        free (slug);
        char *lang = feed_attr (meta, "lang");
        if (lang && !story->language)
            str_set (&story->language, lang);
        free (lang);
        xmlNodePtr tags = feed_child (meta, FEED_NS_WENN_CM, "tags");
        for (xmlNodePtr tag = tags ? tags->children : NULL; tag; tag = tag->next) {
            if (!feed_is (tag, FEED_NS_WENN_CM, "tag"))
                continue;
            char *value = feed_attr (tag, "value");
            char *kind = feed_attr (tag, "type_value");
            if (value) {
                if (kind && strcasestr (kind, "place")) {
                    if (!story_find_concept (&story->places, value))
                        story_add_concept (&story->places, value);
                }
                else
                if (kind && strcasestr (kind, "celebrity"))
                    story_add_concept (&story->people, value);
                else
                    story_add_keyword (story, value);
            }
            free (value);
            free (kind);
        }
        xmlNodePtr regions = feed_child (meta, FEED_NS_WENN_CM, "regions");
        for (xmlNodePtr region = regions ? regions->children : NULL; region; region = region->next) {
            if (!feed_is (region, FEED_NS_WENN_CM, "region"))
                continue;
            char *code = feed_attr (region, "iso3166_alpha2");
            char *name = feed_text (region);
            //  "XX" is WENN's "Worldwide", not a country
            if (code && strlen (code) == 2 && strcmp (code, "XX") != 0) {
                char literal [16];
                snprintf (literal, sizeof literal, "iso3166:%s", code);
                if (!story_find_concept (&story->places, literal)) {
                    story_concept_t *place = story_add_concept (&story->places, name);
                    str_set (&place->literal, literal);
                }
            }
            free (code);
            free (name);
        }
        xmlNodePtr categories = feed_child (meta, FEED_NS_WENN_CM, "categories");
        for (xmlNodePtr cat = categories ? categories->children : NULL; cat; cat = cat->next) {
            if (strcmp (feed_local (cat), "catagory") != 0 && strcmp (feed_local (cat), "category") != 0)
                continue;
            char *id = feed_attr (cat, "id");
            char *value = feed_attr (cat, "value");
            if (value) {
                char *literal = xasprintf ("wenn:%s", id ? id : value);
                if (!story_find_concept (&story->subjects, literal)) {
                    story_concept_t *subject = story_add_concept (&story->subjects, value);
                    subject->literal = literal;
                    literal = NULL;
                }
                free (literal);
            }
            free (id);
            free (value);
        }
    }
    xmlNodePtr news = feed_child (entry, FEED_NS_WENN_NM, "NewsManagement");
    if (news) {
        char *article = feed_child_text (news, FEED_NS_WENN_NM, "original_article_id");
        if (article)
            story_add_altid (story, "wenn-article-id", article);
        free (article);
        char *priority = feed_child_text (news, FEED_NS_WENN_NM, "feedarticle_priority");
        if (priority)
            story_set_extra (story, "wenn-priority", priority);
        free (priority);
        char *published = feed_child_text (news, FEED_NS_WENN_NM, "published");
        if (published && !story->firstcreated) {
            str_set (&story->firstcreated, published);
            story_set_rawdate (story, "firstcreated", published);
        }
        free (published);
        char *status = feed_child_text (news, FEED_NS_WENN_NM, "publishing_status");
        if (status && str_ieq (status, "published"))
            str_set (&story->pubstatus, "usable");
        free (status);
    }
}

//  --------------------------------------------------------------------------
//  One entry

static void
s_entry (atom_t *self, xmlNodePtr entry)
{
    ingest_t *ctx = self->ctx;
    feedinfo_t *feed = &self->feed;
    const char *base = feed->self ? feed->self : feed->link;
    story_t *story = story_new ();

    char *title = s_text (self, s_child (self, entry, "title"));
    if (title)
        story_add_text (&story->headlines, "main", "text/plain", title);

    xmlNodePtr content = s_child (self, entry, "content");
    if (content)
        s_content (self, story, content, base);
    char *summary = s_text (self, s_child (self, entry, "summary"));
    if (summary) {
        if (story->bodies.len)
            story_add_text (&story->descriptions, "summary", "text/plain", summary);
        else {
            //  No content: the summary is all the text there is
            xmlNodePtr node = s_child (self, entry, "summary");
            char *type = feed_attr (node, "type");
            if (type && (strcmp (type, "html") == 0 || strcmp (type, "xhtml") == 0)) {
                char *markup = strcmp (type, "html") == 0 ? feed_raw_text (node) : s_xhtml (node);
                feeditem_set_body (story, markup, true);
                free (markup);
            }
            else {
                char *raw = feed_raw_text (node);
                if (raw)
                    story_add_text (&story->bodies, "main", "text/plain", raw);
                free (raw);
            }
            free (type);
        }
    }
    bool wenn = feed_child (entry, FEED_NS_WENN_CM, "ContentMetadata")
             || feed_child (entry, FEED_NS_WENN_NM, "NewsManagement");
    if (!wenn && !feeditem_has_content (story)) {
        ingest_skip (ctx, "entry without title, summary or content");
        story_destroy (&story);
        free (title);
        free (summary);
        return;
    }

    //  Dates, raw
    char *updated = feed_text (s_child (self, entry, self->atom03 ? "modified" : "updated"));
    if (!updated)
        updated = feed_text (s_child (self, entry, self->atom03 ? "updated" : "modified"));
    char *published = feed_text (s_child (self, entry, self->atom03 ? "issued" : "published"));
    if (!published)
        published = feed_text (s_child (self, entry, self->atom03 ? "published" : "issued"));
    char *created = feed_text (s_child (self, entry, "created"));
    if (!published)
        published = feed_child_text (entry, FEED_NS_DC, "date");
    if (updated) {
        str_set (&story->versioncreated, updated);
        story_set_rawdate (story, "versioncreated", updated);
    }
    else
    if (published) {
        str_set (&story->versioncreated, published);
        story_set_rawdate (story, "versioncreated", published);
    }
    if (published) {
        str_set (&story->firstcreated, published);
        story_set_rawdate (story, "firstcreated", published);
    }
    if (created) {
        str_set (&story->contentcreated, created);
        story_set_rawdate (story, "contentcreated", created);
    }

    //  Identity: id, else the alternate link, else a stable hash
    char *id = feed_text (s_child (self, entry, "id"));
    char *link = s_alternate (self, entry, base);
    const char *date_for_uri = published ? published : updated;
    if (id) {
        story_add_altid (story, "atom-id", id);
        story->uri = feeditem_uri (ctx, feed, id, date_for_uri);
    }
    else
    if (link)
        story->uri = feeditem_uri (ctx, feed, link, date_for_uri);
    else {
        const char *text = story->bodies.len ? story->bodies.items [0].value : NULL;
        story->uri = feeditem_hash_uri (ctx, feed, title, date_for_uri, text);
    }
    if (link) {
        story_add_altid (story, "atom-link", link);
        story_add_link (story, "see-also", link, NULL);
    }

    //  Other links
    for (xmlNodePtr node = entry->children; node; node = node->next) {
        if (!s_is (self, node, "link"))
            continue;
        char *rel = feed_attr (node, "rel");
        char *href_raw = feed_attr (node, "href");
        char *href = href_raw ? feeditem_resolve (node, href_raw, base) : NULL;
        if (href && rel) {
            if (strcmp (rel, "enclosure") == 0) {
                char *type = feed_attr (node, "type");
                char *length = feed_attr (node, "length");
                story_rendition_t *rendition = feeditem_add_rendition (story, "enclosure", href, type, length);
                char *link_title = feed_attr (node, "title");
                if (link_title && !rendition->title)
                    str_set (&rendition->title, link_title);
                free (link_title);
                free (type);
                free (length);
            }
            else
            if (strcmp (rel, "related") == 0)
                story_add_link (story, "see-also", href, NULL);
            else
            if (strcmp (rel, "via") == 0)
                story_add_link (story, "derived-from", href, NULL);
        }
        free (rel);
        free (href_raw);
        free (href);
    }
    //  Media RSS thumbnails and content inside Atom entries
    for (xmlNodePtr node = entry->children; node; node = node->next) {
        if (feed_is (node, FEED_NS_MEDIA, "thumbnail") || feed_is (node, FEED_NS_MEDIA, "content")) {
            char *url = feed_attr (node, "url");
            if (url) {
                char *href = feeditem_resolve (node, url, base);
                char *type = feed_attr (node, "type");
                story_rendition_t *rendition = feeditem_add_rendition (
                    story, feed_is (node, FEED_NS_MEDIA, "thumbnail") ? "thumbnail" : "media",
                    href, type, NULL);
                char *width = feed_attr (node, "width");
                char *height = feed_attr (node, "height");
                if (width && atoi (width) > 0)
                    rendition->width = atoi (width);
                if (height && atoi (height) > 0)
                    rendition->height = atoi (height);
                free (width);
                free (height);
                free (type);
                free (href);
            }
            free (url);
        }
    }

    //  Byline: entry authors, else the source's, else dc:creator, else the feed's
    char *authors = s_authors (self, entry);
    xmlNodePtr source = s_child (self, entry, "source");
    if (!authors && source)
        authors = s_authors (self, source);
    if (!authors) {
        char *creator = feed_child_text (entry, FEED_NS_DC, "creator");
        authors = feeditem_person (creator);
        free (creator);
    }
    if (authors)
        str_set (&story->by, authors);
    free (authors);

    //  Categories
    for (xmlNodePtr node = entry->children; node; node = node->next) {
        if (s_is (self, node, "category")) {
            char *term = feed_attr (node, "term");
            char *scheme = feed_attr (node, "scheme");
            char *label = feed_attr (node, "label");
            if (!term && self->atom03)
                term = feed_text (node);
            const char *name = label ? label : term;
            if (term && scheme) {
                char *literal = xasprintf ("atomcat:%s", term);
                if (!story_find_concept (&story->subjects, literal)) {
                    story_concept_t *subject = story_add_concept (&story->subjects, name);
                    subject->literal = literal;
                    literal = NULL;
                    if (feeditem_is_uri (scheme))
                        feeditem_set_uri (&subject->uri, scheme);
                }
                free (literal);
            }
            else
            if (name)
                story_add_keyword (story, name);
            free (term);
            free (scheme);
            free (label);
        }
        else
        if (feed_is (node, FEED_NS_DC, "subject")) {
            char *subject = feed_text (node);
            if (subject)
                story_add_keyword (story, subject);
            free (subject);
        }
    }

    //  Rights, source, language
    char *rights = s_text (self, s_child (self, entry, self->atom03 ? "copyright" : "rights"));
    if (!rights)
        rights = s_text (self, s_child (self, entry, self->atom03 ? "rights" : "copyright"));
    if (rights)
        str_set (&story->copyrightnotice, rights);
    free (rights);
    if (source) {
        char *source_title = s_text (self, s_child (self, source, "title"));
        char *source_link = s_alternate (self, source, base);
        char *source_id = feed_text (s_child (self, source, "id"));
        if (source_title || source_link || source_id) {
            story_concept_t *concept = story_add_concept (&story->infosources, source_title);
            str_set (&concept->role, "source");
            const char *uri = feeditem_is_uri (source_link) ? source_link
                            : feeditem_is_uri (source_id) ? source_id : NULL;
            if (uri)
                feeditem_set_uri (&concept->uri, uri);
        }
        free (source_title);
        free (source_link);
        free (source_id);
    }
    xmlChar *lang = xmlNodeGetLang (entry);
    bool lang_unknown = lang && !*lang;         //  xml:lang="": explicitly unknown
    if (lang && *lang && !story->language)
        str_set (&story->language, (const char *) lang);
    xmlFree (lang);

    if (wenn)
        s_wenn (self, story, entry);
    if (!feeditem_has_content (story)) {
        ingest_skip (ctx, "entry without title, summary or content");
        story_destroy (&story);
    }
    else {
        //  Relative links in the HTML: against the xml:base in scope
        char *html_base = s_base (content ? content : entry, base);
        feeditem_absolute_bodies (story, html_base);
        free (html_base);
        feeditem_apply_feed (story, feed);
        if (lang_unknown)
            str_set (&story->language, NULL);
        feeditem_hash_item (story, entry);
        feeditem_provenance (ctx, story);
        ingest_emit (ctx, &story);
    }
    free (id);
    free (link);
    free (updated);
    free (published);
    free (created);
    free (title);
    free (summary);
}

//  --------------------------------------------------------------------------
//  Feed

static void
s_feed (atom_t *self, xmlNodePtr root)
{
    feedinfo_t *feed = &self->feed;
    feed->title = s_text (self, s_child (self, root, "title"));
    feed->self = s_self_link (self, root);
    feed->link = s_alternate (self, root, feed->self);
    feed->id = feed_text (s_child (self, root, "id"));
    xmlChar *lang = xmlNodeGetLang (root);
    if (lang && *lang)
        feed->language = xstrdup ((const char *) lang);
    xmlFree (lang);
    feed->copyright = s_text (self, s_child (self, root, "rights"));
    if (!feed->copyright)
        feed->copyright = s_text (self, s_child (self, root, "copyright"));
    feed->updated = feed_text (s_child (self, root, "updated"));
    if (!feed->updated)
        feed->updated = feed_text (s_child (self, root, "modified"));
    feed->author = s_authors (self, root);
}

int
atom_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    char err [512] = "";
    xmlDocPtr xml = feeditem_parse (ctx, data, size, err, sizeof err);
    if (!xml) {
        ingest_fail (ctx, "not-a-feed: %s", err);
        return -1;
    }
    xmlNodePtr root = xmlDocGetRootElement (xml);
    const char *local = feed_local (root);
    if (str_ieq (local, "html") || str_ieq (local, "head") || str_ieq (local, "body")) {
        ingest_fail (ctx, "not-a-feed: the document is an HTML page, not Atom");
        xmlFreeDoc (xml);
        return -1;
    }
    if (str_ieq (local, "rss") || strcmp (local, "RDF") == 0 || strcmp (local, "channel") == 0) {
        //  RSS under an Atom hint: read it as what it is
        xmlFreeDoc (xml);
        return rss_parse (ctx, data, size);
    }
    if (strcmp (local, "feed") != 0 && strcmp (local, "entry") != 0) {
        ingest_fail (ctx, "not-a-feed: root element <%s> is not Atom (feed or entry)",
                     (const char *) root->name);
        xmlFreeDoc (xml);
        return -1;
    }
    atom_t self = { .ctx = ctx, .ns = feed_ns (root) };
    if (self.ns != FEED_NS_ATOM && self.ns != FEED_NS_ATOM03 && self.ns != FEED_NS_NONE) {
        ingest_fail (ctx, "not-a-feed: <%s> is in namespace %s, not Atom",
                     (const char *) root->name, xml_ns (root));
        xmlFreeDoc (xml);
        return -1;
    }
    self.atom03 = self.ns == FEED_NS_ATOM03;
    if (strcmp (local, "feed") == 0) {
        s_feed (&self, root);
        feedinfo_finish (&self.feed, ctx);
        int entries = 0;
        for (xmlNodePtr node = root->children; node; node = node->next)
            if (s_is (&self, node, "entry")) {
                s_entry (&self, node);
                entries++;
            }
        if (entries == 0)
            ingest_skip (ctx, "empty-feed: the feed holds no entries");
    }
    else {
        //  A lone entry document: no feed data
        feedinfo_finish (&self.feed, ctx);
        s_entry (&self, root);
    }
    feedinfo_free (&self.feed);
    xmlFreeDoc (xml);
    return 0;
}
