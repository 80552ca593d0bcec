//  SPDX-License-Identifier: MIT
//  feeditem - what the RSS, RDF and Atom parsers share
//
//  Namespace-aware element matching (by namespace URI, never by prefix,
//  tolerant of the usual misspellings and of undeclared prefixes that a
//  recovering parser leaves in the element name), the feed-level context
//  copied into every story, the identity rules of docs/formats.md §2.2 for
//  feed items (guid/link/tag: URIs/stable hashes), and small text helpers:
//  HTML in titles decoded once and stripped, bylines out of e-mail forms,
//  URLs resolved against xml:base.

#ifndef COPYDESK_FEEDITEM_H
#define COPYDESK_FEEDITEM_H

#include "ingest/ingest.h"
#include "ingest/xml.h"

//  Namespaces we know, by role. Matching compares URIs, ignoring a trailing
//  '/' or '#' and http vs https.
typedef enum {
    FEED_NS_NONE,               //  No namespace (RSS 0.9x / 2.0 core)
    FEED_NS_RSS,                //  RSS 1.0, RSS 0.90, userland/harvard RSS 2.0
    FEED_NS_RDF,                //  RDF syntax
    FEED_NS_DC,                 //  Dublin Core elements 1.1 (and 1.0)
    FEED_NS_DCTERMS,            //  Dublin Core terms
    FEED_NS_CONTENT,            //  content:encoded
    FEED_NS_MEDIA,              //  Media RSS
    FEED_NS_ATOM,               //  Atom 1.0
    FEED_NS_ATOM03,             //  Atom 0.3
    FEED_NS_WP,                 //  WordPress WXR (any version)
    FEED_NS_EXCERPT,            //  WordPress WXR excerpt
    FEED_NS_ITUNES,             //  iTunes podcasts
    FEED_NS_PRISM,              //  PRISM
    FEED_NS_TAXO,               //  RSS 1.0 taxonomy module
    FEED_NS_XHTML,              //  XHTML
    FEED_NS_WENN_CM,            //  WENN content metadata
    FEED_NS_WENN_NM,            //  WENN news management
    FEED_NS_GEORSS,             //  GeoRSS
    FEED_NS_SLASH,              //  Slashdot module (comment counts)
    FEED_NS_THREAD,             //  Atom threading (reply counts)
    FEED_NS_FEEDBURNER,         //  FeedBurner (origLink: the real article)
    FEED_NS_OTHER               //  Anything else
} feed_ns_t;

//  Namespace role of an element (or of an undeclared "prefix:name")
feed_ns_t
    feed_ns (xmlNodePtr node);
//  Local name of an element, without any prefix left in the name
const char *
    feed_local (xmlNodePtr node);
//  True if node is an element in that namespace with that local name.
//  FEED_NS_NONE matches elements without a namespace only.
bool
    feed_is (xmlNodePtr node, feed_ns_t ns, const char *local);
//  True if node is an element with that local name, whatever its namespace
//  (inline: the feed parsers ask it of every child for every field). The
//  first bytes differ in most misses, so strcmp runs on few.
static inline bool
feed_local_is (xmlNodePtr node, const char *local)
{
    if (!node || node->type != XML_ELEMENT_NODE || !node->name)
        return false;
    const char *name = (const char *) node->name;
    if (name [0] == local [0] && strcmp (name, local) == 0)
        return true;            //  (local holds no ':')
    if (node->ns)
        return false;
    //  An undeclared prefix a recovering parser left in the name: what
    //  follows its last ':' (feed_local)
    const char *colon = NULL;
    for (const char *p = name; *p; p++)
        if (*p == ':')
            colon = p;
    return colon && colon [1] == local [0] && strcmp (colon + 1, local) == 0;
}
//  True for an RSS core element: no namespace or FEED_NS_RSS
bool
    feed_is_rss (xmlNodePtr node, const char *local);
//  First child element matching (ns, local), or NULL
xmlNodePtr
    feed_child (xmlNodePtr parent, feed_ns_t ns, const char *local);
//  First RSS core child element (no namespace or FEED_NS_RSS), or NULL
xmlNodePtr
    feed_rss_child (xmlNodePtr parent, const char *local);
//  All text inside node, whitespace collapsed and trimmed. Caller frees;
//  NULL if empty.
char *
    feed_text (xmlNodePtr node);
//  Text of the first matching child, whitespace collapsed. Caller frees;
//  NULL if absent or empty.
char *
    feed_child_text (xmlNodePtr parent, feed_ns_t ns, const char *local);
//  Text of node with its line breaks kept, only trimmed at both ends (for
//  bodies). Caller frees; NULL if empty.
char *
    feed_raw_text (xmlNodePtr node);
//  Attribute by local name, whatever its namespace, trimmed. Caller frees.
char *
    feed_attr (xmlNodePtr node, const char *local);

//  Parse a feed document. Undeclared HTML entities (&eacute; from an RSS
//  0.91 DTD that is never loaded, &nbsp;) become character references and
//  bare '&' become &amp; first, outside CDATA sections and comments, so
//  CDATA text stays exactly as written ("xml-html-entities"); then strictly,
//  then in libxml2's recover mode ("xml-recovered..."). The transport charset of
//  the document is the hint; the charset used becomes the stories'. Returns
//  the document (caller frees with xmlFreeDoc), or NULL with the reason in
//  err.
xmlDocPtr
    feeditem_parse (ingest_t *ctx, const uint8_t *data, size_t size, char *err, size_t errsize);

//  --------------------------------------------------------------------------
//  Feed-level data, copied into each story

typedef struct {
    char *title;                //  Channel / feed title (plain text)
    char *link;                 //  Channel home page
    char *self;                 //  Feed's own URL (atom:link rel=self)
    char *id;                   //  Atom feed id / RDF channel about
    char *host;                 //  Host for tag: URIs
    char *language;             //  Channel language
    char *copyright;            //  Channel copyright (plain text)
    char *updated;              //  Raw feed date (lastBuildDate, updated...)
    char *author;               //  Feed author (Atom: inherited by entries)
    int year;                   //  Year of the feed date, 0 if unknown
    bool wxr;                   //  WordPress export
} feedinfo_t;

//  Fill the host and year once title/link/updated are known: host from the
//  link, else the self link, else the document's channel or origin URL,
//  else the source name.
void
    feedinfo_finish (feedinfo_t *self, ingest_t *ctx);
//  Free the strings
void
    feedinfo_free (feedinfo_t *self);

//  Copy feed data into a story: infosources[feed], language, copyright
//  notice and by (when the story has none), rawdates["feed-updated"].
void
    feeditem_apply_feed (story_t *story, const feedinfo_t *feed);

//  --------------------------------------------------------------------------
//  Identity

//  True if s is an absolute URI (scheme://..., or urn:/tag:/info:/...).
bool
    feeditem_is_uri (const char *s);
//  The uri for an item identifier: the value itself when it is a URI
//  (characters a URI cannot hold percent-encoded), else
//  tag:{feed host},{yyyy}:{value} with yyyy the year of date_raw (the
//  item's date), else the feed's year, else the year received. Caller frees.
char *
    feeditem_uri (ingest_t *ctx, const feedinfo_t *feed, const char *value,
                  const char *date_raw);
//  A stable uri when an item has no identifier: tag:{host},{yyyy}:item-<hash of
//  title, date and (when both are empty) text>. Caller frees.
char *
    feeditem_hash_uri (ingest_t *ctx, const feedinfo_t *feed, const char *title,
                       const char *date_raw, const char *text);
//  A copy of s with what a URI cannot hold percent-encoded (spaces, non-
//  ASCII bytes, quotes, angle brackets...). Caller frees.
char *
    feeditem_uri_escape (const char *s);
//  Set *field to value as a URI (escaped) when value is one; else leave it
void
    feeditem_set_uri (char **field, const char *value);
//  Year of a raw feed date (RFC 822 or ISO 8601), 0 if none found
int
    feeditem_year (const char *raw);
//  Host of a URL (lower case), or NULL. Caller frees.
char *
    feeditem_host (const char *url);

//  --------------------------------------------------------------------------
//  Text

//  True if s holds HTML markup or character references
bool
    feeditem_has_markup (const char *s);
//  One line of plain text from a title-like field: character references
//  decoded once, tags stripped, whitespace collapsed. Caller frees; NULL if
//  nothing is left.
char *
    feeditem_plain (const char *s);
//  A byline from an author field: "mark@example.org (Mark Pilgrim)" ->
//  "Mark Pilgrim", "Mark <mark@example.org>" -> "Mark"; a bare address is
//  kept. Caller frees; NULL if empty.
char *
    feeditem_person (const char *s);
//  Resolve href against the xml:base in scope at node (and the document's
//  feed link when the result is still relative), escaped as a URI. Caller
//  frees.
char *
    feeditem_resolve (xmlNodePtr node, const char *href, const char *fallback_base);
//  Append by to story->by as "A, B" (no duplicates)
void
    feeditem_add_by (story_t *story, const char *by);
//  A rendition with a unique name (name, name-2, ...). Returns it.
story_rendition_t *
    feeditem_add_rendition (story_t *story, const char *name, const char *href,
                            const char *type, const char *length);
//  The body: text/html if value holds markup (or html is set), else
//  text/plain. Empty values are ignored.
void
    feeditem_set_body (story_t *story, const char *value, bool html);
//  HTML with relative href= and src= values made absolute against base
//  (xml:base in Atom, the item's link in RSS): the sanitizer keeps only
//  absolute links, and a story read away from its feed needs them.
//  Returns a new string (caller frees) or NULL when nothing changed.
char *
    feeditem_html_absolute (const char *html, const char *base);
//  The same, applied to every text/html body and description of story
void
    feeditem_absolute_bodies (story_t *story, const char *base);
//  sha256 of the item element (its elements, attributes and text, in
//  document order) into story->ingest.sha256: the same item bytes give the
//  same hash, any change to what the item says gives another. Comment and
//  reply counters (slash:comments, thr:total, thr:count) are left out: a
//  new comment is not a new version of the story.
void
    feeditem_hash_item (story_t *story, xmlNodePtr item);
//  Give a story built with story_new the provenance ingest_story_new
//  would have (format, parser, provider, channel, received, origin, type
//  and the next item index). Parsers build an item first and call this
//  only once they know it is a story, so a skipped item takes one index.
void
    feeditem_provenance (ingest_t *ctx, story_t *story);
//  True when the story has a headline, a description or a body
bool
    feeditem_has_content (const story_t *story);
//  "wpautop": WordPress post content (paragraphs separated by blank lines,
//  line breaks as newlines) to HTML paragraphs. Caller frees.
char *
    feeditem_autop (const char *content);

#endif
