//  SPDX-License-Identifier: MIT
//  rss - RSS 0.90 / 0.91 / 0.92 / 1.0 (RDF) / 2.0 feeds, one story per item
//
//  docs/formats.md §3.7 and §3.8. Feeds are often broken, so the document
//  is parsed in recover mode with HTML entities repaired (the stories then
//  carry "xml-recovered" / "xml-html-entities"). Elements are matched by
//  namespace URI: RSS 1.0 and 0.90 items are siblings of the channel in
//  their own namespace, RSS 2.0 elements have none, and modules (dc,
//  content, media, WordPress WXR...) are recognised whatever their prefix.
//
//  Mapping: title -> headlines[main] (escaped markup decoded once and
//  stripped); content:encoded -> bodies (text/html) with description ->
//  descriptions[summary], or description -> bodies when there is no
//  content; dates stay raw in the date fields and ingest.rawdates for
//  normalize to parse; guid/link/rdf:about -> uri by the rules of §2.2;
//  categories with a domain -> subjects, without -> keywords; enclosures
//  and media:* -> renditions; channel data -> every story.

#include "common.h"
#include "ingest/parsers.h"
#include "ingest/feeditem.h"

//  WordPress author login -> display name
typedef struct {
    char *login;
    char *name;
} wp_author_t;

typedef struct {
    ingest_t *ctx;
    feedinfo_t feed;            //  Channel data
    VEC (wp_author_t) authors;  //  WXR authors
    bool rdf;                   //  RSS 1.0 / 0.90 (RDF)
} rss_t;

//  --------------------------------------------------------------------------
//  Channel

static void
s_wxr_authors (rss_t *self, xmlNodePtr channel)
{
    for (xmlNodePtr node = channel->children; node; node = node->next) {
        if (!feed_is (node, FEED_NS_WP, "author"))
            continue;
        char *login = feed_child_text (node, FEED_NS_WP, "author_login");
        char *name = feed_child_text (node, FEED_NS_WP, "author_display_name");
        if (!name) {
            char *first = feed_child_text (node, FEED_NS_WP, "author_first_name");
            char *last = feed_child_text (node, FEED_NS_WP, "author_last_name");
            if (first || last)
                name = xasprintf ("%s%s%s", first ? first : "", first && last ? " " : "",
                                  last ? last : "");
            free (first);
            free (last);
        }
        if (login && name) {
            wp_author_t *author = vec_push (&self->authors);
            author->login = login;
            author->name = name;
        }
        else {
            free (login);
            free (name);
        }
    }
}

static void
s_channel (rss_t *self, xmlNodePtr channel)
{
    feedinfo_t *feed = &self->feed;
    if (!channel)
        return;
    char *title = feed_text (feed_rss_child (channel, "title"));
    if (!title)
        title = feed_child_text (channel, FEED_NS_DC, "title");
    feed->title = feeditem_plain (title);
    free (title);
    feed->link = feed_text (feed_rss_child (channel, "link"));
    if (!feed->link)
        feed->link = feed_attr (channel, "about");
    for (xmlNodePtr node = channel->children; node; node = node->next) {
        if (feed_is (node, FEED_NS_ATOM, "link")) {
            char *rel = feed_attr (node, "rel");
            if (rel && strcmp (rel, "self") == 0 && !feed->self)
                feed->self = feed_attr (node, "href");
            free (rel);
        }
        if (feed_ns (node) == FEED_NS_WP)
            feed->wxr = true;
    }
    feed->language = feed_text (feed_rss_child (channel, "language"));
    if (!feed->language)
        feed->language = feed_child_text (channel, FEED_NS_DC, "language");
    char *rights = feed_text (feed_rss_child (channel, "copyright"));
    if (!rights)
        rights = feed_child_text (channel, FEED_NS_DC, "rights");
    feed->copyright = feeditem_plain (rights);
    free (rights);
    feed->updated = feed_text (feed_rss_child (channel, "lastBuildDate"));
    if (!feed->updated)
        feed->updated = feed_text (feed_rss_child (channel, "pubDate"));
    if (!feed->updated)
        feed->updated = feed_child_text (channel, FEED_NS_DC, "date");
    if (!feed->updated)
        feed->updated = feed_child_text (channel, FEED_NS_ATOM, "updated");
    if (!feed->updated)
        feed->updated = feed_child_text (channel, FEED_NS_DCTERMS, "modified");
    if (feed->wxr)
        s_wxr_authors (self, channel);
}

//  --------------------------------------------------------------------------
//  Item parts

//  First non-empty text of the candidates (ns, name) pairs in order
static char *
s_first_text (xmlNodePtr item, bool raw, int count, const feed_ns_t *ns, const char **names)
{
    for (int i = 0; i < count; i++) {
        xmlNodePtr node = ns [i] == FEED_NS_NONE ? feed_rss_child (item, names [i])
                                                 : feed_child (item, ns [i], names [i]);
        char *text = raw ? feed_raw_text (node) : feed_text (node);
        if (text)
            return text;
    }
    return NULL;
}

static void
s_category (rss_t *self, story_t *story, xmlNodePtr node)
{
    char *raw = feed_raw_text (node);
    char *name = feeditem_plain (raw);
    free (raw);
    if (!name)
        return;
    char *domain = feed_attr (node, "domain");
    if (self->feed.wxr && domain && strcmp (domain, "category") == 0) {
        char *nicename = feed_attr (node, "nicename");
        char *literal = xasprintf ("wpcat:%s", nicename ? nicename : name);
        if (!story_find_concept (&story->subjects, literal)) {
            story_concept_t *subject = story_add_concept (&story->subjects, name);
            subject->literal = literal;
            literal = NULL;
        }
        free (literal);
        free (nicename);
    }
    else
    if (str_empty (domain) || self->feed.wxr)
        story_add_keyword (story, name);
    else {
        char *literal = feeditem_is_uri (domain) ? xasprintf ("rsscat:%s", name)
                                                 : xasprintf ("%s:%s", domain, name);
        if (!story_find_concept (&story->subjects, literal)) {
            story_concept_t *subject = story_add_concept (&story->subjects, name);
            subject->literal = literal;
            literal = NULL;
            if (feeditem_is_uri (domain))
                feeditem_set_uri (&subject->uri, domain);
        }
        free (literal);
    }
    free (domain);
    free (name);
}

//  Keywords from a comma-separated list (media:keywords, itunes:keywords)
static void
s_keyword_list (story_t *story, const char *list)
{
    if (!list)
        return;
    const char *p = list;
    while (*p) {
        size_t len = strcspn (p, ",");
        char *word = xstrndup (p, len);
        char *clean = feeditem_plain (word);
        if (clean)
            story_add_keyword (story, clean);
        free (clean);
        free (word);
        p += len;
        if (*p == ',')
            p++;
    }
}

//  Media RSS: media:content, media:thumbnail, media:group, recursively once
static void
s_media (rss_t *self, story_t *story, xmlNodePtr parent, int depth)
{
    for (xmlNodePtr node = parent->children; node; node = node->next) {
        if (feed_ns (node) != FEED_NS_MEDIA)
            continue;
        const char *local = feed_local (node);
        if (strcmp (local, "group") == 0 && depth < 2)
            s_media (self, story, node, depth + 1);
        else
        if (strcmp (local, "content") == 0 || strcmp (local, "thumbnail") == 0) {
            char *url = feed_attr (node, "url");
            if (url) {
                char *href = feeditem_resolve (node, url, self->feed.link);
                char *type = feed_attr (node, "type");
                char *size = feed_attr (node, "fileSize");
                story_rendition_t *rendition = feeditem_add_rendition (
                    story, strcmp (local, "thumbnail") == 0 ? "thumbnail" : "media",
                    href, type, size);
                char *width = feed_attr (node, "width");
                char *height = feed_attr (node, "height");
                if (width && atoi (width) > 0)
                    rendition->width = atoi (width);
                if (height && atoi (height) > 0)
                    rendition->height = atoi (height);
                char *title = feed_child_text (node, FEED_NS_MEDIA, "title");
                if (title && !rendition->title)
                    str_set (&rendition->title, title);
                free (title);
                free (width);
                free (height);
                free (type);
                free (size);
                free (href);
                free (url);
            }
            if (strcmp (local, "content") == 0 && depth < 2)
                s_media (self, story, node, depth + 1);
        }
        else
        if (strcmp (local, "keywords") == 0) {
            char *list = feed_text (node);
            s_keyword_list (story, list);
            free (list);
        }
        else
        if (strcmp (local, "category") == 0) {
            char *name = feed_text (node);
            char *scheme = feed_attr (node, "scheme");
            if (name) {
                char *literal = xasprintf ("mediacat:%s", name);
                if (!story_find_concept (&story->subjects, literal)) {
                    story_concept_t *subject = story_add_concept (&story->subjects, name);
                    subject->literal = literal;
                    literal = NULL;
                    if (feeditem_is_uri (scheme))
                        feeditem_set_uri (&subject->uri, scheme);
                }
                free (literal);
            }
            free (scheme);
            free (name);
        }
    }
}

//  The WordPress status of an item as a pubstatus
static const char *
s_wp_pubstatus (const char *status)
{
    if (!status)
        return NULL;
    if (strcmp (status, "publish") == 0 || strcmp (status, "inherit") == 0)
        return "usable";
    if (strcmp (status, "trash") == 0)
        return "canceled";
    return "withheld";          //  draft, pending, private, future
}

//  Display name of a WordPress login, or NULL
static const char *
s_wp_author (rss_t *self, const char *login)
{
    for (size_t i = 0; i < self->authors.len; i++)
        if (strcmp (self->authors.items [i].login, login) == 0)
            return self->authors.items [i].name;
    return NULL;
}

//  "2013-07-29 16:03:54" (WordPress GMT) as RFC 3339; NULL if unusable
static char *
s_wp_gmt (const char *raw)
{
    if (!raw || strlen (raw) != 19 || strncmp (raw, "0000", 4) == 0 || raw [10] != ' ')
        return NULL;
    char *iso = xasprintf ("%.10sT%sZ", raw, raw + 11);
    return iso;
}

//  --------------------------------------------------------------------------
//  One item

static void
s_item (rss_t *self, xmlNodePtr item)
{
    ingest_t *ctx = self->ctx;
    feedinfo_t *feed = &self->feed;

    //  WordPress items that are not posts
    char *post_type = self->feed.wxr ? feed_child_text (item, FEED_NS_WP, "post_type") : NULL;
    if (post_type && (strcmp (post_type, "attachment") == 0 || strcmp (post_type, "nav_menu_item") == 0
                  ||  strcmp (post_type, "revision") == 0 || strcmp (post_type, "custom_css") == 0
                  ||  strcmp (post_type, "wp_block") == 0 || strcmp (post_type, "customize_changeset") == 0)) {
        char what [96];
        snprintf (what, sizeof what, "wp-%s: a WordPress %s, not a story", post_type, post_type);
        ingest_skip (ctx, what);
        free (post_type);
        return;
    }
    free (post_type);

    story_t *story = story_new ();

    //  Headline
    static const feed_ns_t title_ns [] = { FEED_NS_NONE, FEED_NS_DC, FEED_NS_MEDIA, FEED_NS_ITUNES };
    static const char *title_names [] = { "title", "title", "title", "title" };
    char *title_raw = s_first_text (item, true, 4, title_ns, title_names);
    char *title = feeditem_plain (title_raw);
    if (title)
        story_add_text (&story->headlines, "main", "text/plain", title);

    //  Body and summary
    char *description = feed_raw_text (feed_rss_child (item, "description"));
    if (!description)
        description = feed_raw_text (feed_child (item, FEED_NS_DC, "description"));
    char *content = feed_raw_text (feed_child (item, FEED_NS_CONTENT, "encoded"));
    bool content_html = true;
    if (!content) {
        xmlNodePtr body = feed_child (item, FEED_NS_XHTML, "body");
        if (body)
            content = xml_inner_markup (body);
    }
    if (!description)
        description = feed_raw_text (feed_child (item, FEED_NS_EXCERPT, "encoded"));
    if (!description)
        description = feed_raw_text (feed_child (item, FEED_NS_ITUNES, "summary"));
    if (!description) {
        xmlNodePtr group = feed_child (item, FEED_NS_MEDIA, "group");
        description = feed_raw_text (feed_child (item, FEED_NS_MEDIA, "description"));
        if (!description && group)
            description = feed_raw_text (feed_child (group, FEED_NS_MEDIA, "description"));
    }
    if (content && self->feed.wxr) {
        char *html = feeditem_autop (content);
        free (content);
        content = html;
    }
    if (content) {
        feeditem_set_body (story, content, content_html);
        char *summary = feeditem_plain (description);
        char *excerpt_raw = summary ? NULL : feed_raw_text (feed_child (item, FEED_NS_EXCERPT, "encoded"));
        if (!summary)
            summary = feeditem_plain (excerpt_raw);
        if (summary)
            story_add_text (&story->descriptions, "summary", "text/plain", summary);
        free (excerpt_raw);
        free (summary);
    }
    else
    if (description) {
        if (self->feed.wxr) {
            char *html = feeditem_autop (description);
            feeditem_set_body (story, html, true);
            free (html);
        }
        else
            feeditem_set_body (story, description, false);
    }

    if (!feeditem_has_content (story)) {
        ingest_skip (ctx, "item without title, description or content");
        story_destroy (&story);
        free (title_raw);
        free (title);
        free (description);
        free (content);
        return;
    }

    //  Link (FeedBurner's origLink is the article behind its redirect), guid
    char *link_text = feed_child_text (item, FEED_NS_FEEDBURNER, "origLink");
    if (!link_text)
        link_text = feed_text (feed_rss_child (item, "link"));
    if (!link_text) {
        for (xmlNodePtr node = item->children; node && !link_text; node = node->next)
            if (feed_is (node, FEED_NS_ATOM, "link")) {
                char *rel = feed_attr (node, "rel");
                if (!rel || strcmp (rel, "alternate") == 0)
                    link_text = feed_attr (node, "href");
                free (rel);
            }
    }
    char *link = link_text ? feeditem_resolve (item, link_text, feed->link) : NULL;
    xmlNodePtr guid_node = feed_rss_child (item, "guid");
    char *guid = feed_text (guid_node);
    char *permalink = feed_attr (guid_node, "isPermaLink");
    bool guid_permalink = !(permalink && str_ieq (permalink, "false"));
    free (permalink);
    if (guid)
        story_add_altid (story, "rss-guid", guid);
    if (link) {
        story_add_altid (story, "rss-link", link);
        story_add_link (story, "see-also", link, NULL);
    }

    //  Dates, raw
    char *pubdate = feed_text (feed_rss_child (item, "pubDate"));
    char *dcdate = feed_child_text (item, FEED_NS_DC, "date");
    char *issued = feed_child_text (item, FEED_NS_DCTERMS, "issued");
    if (!issued)
        issued = feed_child_text (item, FEED_NS_DCTERMS, "created");
    char *modified = feed_child_text (item, FEED_NS_DCTERMS, "modified");
    char *atom_updated = feed_child_text (item, FEED_NS_ATOM, "updated");
    char *atom_published = feed_child_text (item, FEED_NS_ATOM, "published");
    char *wp_gmt_raw = feed->wxr ? feed_child_text (item, FEED_NS_WP, "post_date_gmt") : NULL;
    char *wp_gmt = s_wp_gmt (wp_gmt_raw);
    const char *first = pubdate ? pubdate : dcdate ? dcdate : issued ? issued
                      : atom_published ? atom_published : wp_gmt;
    const char *first_raw = first == wp_gmt ? wp_gmt_raw : first;
    const char *version = atom_updated ? atom_updated : modified ? modified : first;
    const char *version_raw = version == wp_gmt ? wp_gmt_raw : version;
    if (first) {
        str_set (&story->firstcreated, first);
        story_set_rawdate (story, "firstcreated", first_raw);
    }
    if (version) {
        str_set (&story->versioncreated, version);
        story_set_rawdate (story, "versioncreated", version_raw);
    }

    //  Identity (docs/formats.md §2.2)
    const char *date_for_uri = first ? first : version;
    char *about = self->rdf ? feed_attr (item, "about") : NULL;
    if (about)
        story->uri = feeditem_uri (ctx, feed, about, date_for_uri);
    else
    if (guid && !guid_permalink)
        story->uri = feeditem_uri (ctx, feed, guid, date_for_uri);
    else
    if (link)
        story->uri = feeditem_uri (ctx, feed, link, date_for_uri);
    else
    if (guid)
        story->uri = feeditem_uri (ctx, feed, guid, date_for_uri);
    else {
        const char *text = story->bodies.len ? story->bodies.items [0].value : NULL;
        story->uri = feeditem_hash_uri (ctx, feed, title, date_for_uri, text);
    }
    free (about);

    //  Byline: dc:creator(s), author, itunes:author
    for (xmlNodePtr node = item->children; node; node = node->next) {
        if (feed_is (node, FEED_NS_DC, "creator")) {
            char *creator = feed_text (node);
            const char *display = creator && feed->wxr ? s_wp_author (self, creator) : NULL;
            char *person = feeditem_person (display ? display : creator);
            feeditem_add_by (story, person);
            free (person);
            free (creator);
        }
    }
    if (!story->by) {
        char *author = feed_text (feed_rss_child (item, "author"));
        if (!author)
            author = feed_child_text (item, FEED_NS_ITUNES, "author");
        char *person = feeditem_person (author);
        feeditem_add_by (story, person);
        free (person);
        free (author);
    }

    //  Subjects and keywords
    for (xmlNodePtr node = item->children; node; node = node->next) {
        if (feed_is_rss (node, "category"))
            s_category (self, story, node);
        else
        if (feed_is (node, FEED_NS_DC, "subject")) {
            char *raw = feed_raw_text (node);
            char *subject = feeditem_plain (raw);
            if (subject)
                story_add_keyword (story, subject);
            free (subject);
            free (raw);
        }
        else
        if (feed_is (node, FEED_NS_ITUNES, "keywords")) {
            char *list = feed_text (node);
            s_keyword_list (story, list);
            free (list);
        }
        else
        if (feed_is (node, FEED_NS_TAXO, "topics")) {
            //  <taxo:topics><rdf:Bag><rdf:li rdf:resource="URI"/>...
            xmlNodePtr bag = xml_first_element (node);
            for (xmlNodePtr li = bag ? bag->children : NULL; li; li = li->next) {
                char *resource = feed_attr (li, "resource");
                if (feeditem_is_uri (resource) && !story_find_concept (&story->subjects, resource)) {
                    story_concept_t *subject = story_add_concept (&story->subjects, NULL);
                    feeditem_set_uri (&subject->uri, resource);
                }
                free (resource);
            }
        }
    }

    //  Renditions: enclosures, Media RSS, WordPress attachments
    for (xmlNodePtr node = item->children; node; node = node->next) {
        if (feed_is_rss (node, "enclosure") || feed_is (node, FEED_NS_ATOM, "link")) {
            char *url = feed_attr (node, feed_is_rss (node, "enclosure") ? "url" : "href");
            char *rel = feed_is_rss (node, "enclosure") ? xstrdup ("enclosure") : feed_attr (node, "rel");
            if (url && rel && strcmp (rel, "enclosure") == 0) {
                char *href = feeditem_resolve (node, url, feed->link);
                char *type = feed_attr (node, "type");
                char *length = feed_attr (node, "length");
                feeditem_add_rendition (story, "enclosure", href, type, length);
                free (href);
                free (type);
                free (length);
            }
            free (rel);
            free (url);
        }
        else
        if (feed_is (node, FEED_NS_WP, "attachment_url")) {
            char *url = feed_text (node);
            if (url)
                feeditem_add_rendition (story, "attachment", url, NULL, NULL);
            free (url);
        }
    }
    s_media (self, story, item, 0);

    //  Source
    xmlNodePtr source_node = feed_rss_child (item, "source");
    if (source_node) {
        char *name = feed_text (source_node);
        char *url = feed_attr (source_node, "url");
        if (name || url) {
            story_concept_t *source = story_add_concept (&story->infosources, name);
            str_set (&source->role, "source");
            if (feeditem_is_uri (url))
                feeditem_set_uri (&source->uri, url);
        }
        free (name);
        free (url);
    }
    else {
        char *name = feed_child_text (item, FEED_NS_DC, "source");
        //  dc:source naming the item itself says nothing
        if (name && ((link && strcmp (name, link) == 0) || (link_text && strcmp (name, link_text) == 0))) {
            free (name);
            name = NULL;
        }
        if (name) {
            story_concept_t *source = story_add_concept (&story->infosources, feeditem_is_uri (name) ? NULL : name);
            str_set (&source->role, "source");
            if (feeditem_is_uri (name))
                feeditem_set_uri (&source->uri, name);
        }
        free (name);
    }

    //  Item-level language and rights
    char *language = feed_child_text (item, FEED_NS_DC, "language");
    if (!language) {
        xmlChar *lang = xmlNodeGetLang (item);
        if (lang && *lang)
            language = xstrdup ((const char *) lang);
        xmlFree (lang);
    }
    if (language)
        str_set (&story->language, language);
    free (language);
    char *rights_raw = feed_child_text (item, FEED_NS_DC, "rights");
    char *rights = feeditem_plain (rights_raw);
    if (rights)
        str_set (&story->copyrightnotice, rights);
    free (rights);
    free (rights_raw);

    //  WordPress
    if (feed->wxr) {
        char *post_id = feed_child_text (item, FEED_NS_WP, "post_id");
        if (post_id)
            story_add_altid (story, "wp-post-id", post_id);
        char *status = feed_child_text (item, FEED_NS_WP, "status");
        const char *pubstatus = s_wp_pubstatus (status);
        if (pubstatus)
            str_set (&story->pubstatus, pubstatus);
        char *post_name = feed_child_text (item, FEED_NS_WP, "post_name");
        if (post_name)
            story_set_extra (story, "wp-post-name", post_name);
        free (post_id);
        free (status);
        free (post_name);
    }

    //  GeoRSS point, kept as provider metadata
    char *point = feed_child_text (item, FEED_NS_GEORSS, "point");
    if (point)
        story_set_extra (story, "georss-point", point);
    free (point);

    //  Relative links in the HTML: against the item's page, else the channel's
    feeditem_absolute_bodies (story, feeditem_is_uri (link) ? link : feed->link);
    feeditem_apply_feed (story, feed);
    feeditem_hash_item (story, item);
    feeditem_provenance (ctx, story);
    ingest_emit (ctx, &story);

    free (link_text);
    free (link);
    free (guid);
    free (pubdate);
    free (dcdate);
    free (issued);
    free (modified);
    free (atom_updated);
    free (atom_published);
    free (wp_gmt_raw);
    free (wp_gmt);
    free (title_raw);
    free (title);
    free (description);
    free (content);
}

//  --------------------------------------------------------------------------
//  Document

int
rss_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    char err [512] = "";
    xmlDocPtr xml = feeditem_parse (ctx, data, size, err, sizeof err);
    if (!xml) {
        ingest_fail (ctx, "not-a-feed: %s", err);
        return -1;
    }
    xmlNodePtr root = xmlDocGetRootElement (xml);
    const char *local = feed_local (root);

    rss_t self = { .ctx = ctx };
    xmlNodePtr channel = NULL;
    xmlNodePtr items_parent = NULL;
    if (str_ieq (local, "html") || str_ieq (local, "head") || str_ieq (local, "body")) {
        ingest_fail (ctx, "not-a-feed: the document is an HTML page, not RSS");
        xmlFreeDoc (xml);
        return -1;
    }
    if (strcmp (local, "feed") == 0 || strcmp (local, "entry") == 0) {
        //  Atom under an RSS hint: read it as what it is
        xmlFreeDoc (xml);
        return atom_parse (ctx, data, size);
    }
    if (str_ieq (local, "rss")) {
        channel = feed_rss_child (root, "channel");
        items_parent = channel;
    }
    else
    if (strcmp (local, "RDF") == 0 || strcmp (local, "rdf") == 0) {
        self.rdf = true;
        channel = feed_rss_child (root, "channel");
        items_parent = root;
    }
    else
    if (strcmp (local, "channel") == 0) {
        channel = root;
        items_parent = root;
    }
    else {
        ingest_fail (ctx, "not-a-feed: root element <%s> is not RSS (rss, rdf:RDF or channel)",
                     (const char *) root->name);
        xmlFreeDoc (xml);
        return -1;
    }
    s_channel (&self, channel);
    feedinfo_finish (&self.feed, ctx);

    //  Items: children of the channel (RSS 0.9x/2.0) or of the root (RDF);
    //  broken feeds put them in the other place, so look at both
    int items = 0;
    xmlNodePtr parents [2] = { items_parent, items_parent == root ? channel : root };
    for (int i = 0; i < 2; i++) {
        if (!parents [i] || (i == 1 && parents [1] == parents [0]))
            continue;
        for (xmlNodePtr node = parents [i]->children; node; node = node->next)
            if (feed_is_rss (node, "item")) {
                s_item (&self, node);
                items++;
            }
    }
    if (items == 0)
        ingest_skip (ctx, "empty-feed: the feed holds no items");

    for (size_t i = 0; i < self.authors.len; i++) {
        free (self.authors.items [i].login);
        free (self.authors.items [i].name);
    }
    free (self.authors.items);
    feedinfo_free (&self.feed);
    xmlFreeDoc (xml);
    return 0;
}
