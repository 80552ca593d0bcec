//  SPDX-License-Identifier: MIT
//  feeditem - what the RSS, RDF and Atom parsers share (see feeditem.h)

#include "common.h"
#include "ingest/feeditem.h"
#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/uri.h>
#ifdef __SSE2__
#   include <emmintrin.h>
#endif

//  Collapse whitespace (and U+00A0) into single spaces, trimmed: a copy,
//  or NULL when nothing is left. Text that needs no change is copied in one go.
static char *
s_collapse_n (const char *s, size_t len)
{
    if (!s)
        return NULL;
    const unsigned char *p = (const unsigned char *) s;
    const unsigned char *end = p + len;
    //  Fast path: no leading/trailing space, no space other than single ' '
    bool clean = len > 0 && !isspace (p [0]) && !isspace (end [-1]);
    const unsigned char *q = p;
#ifdef __SSE2__
    //  16 bytes at a time while they hold no byte below '!' but single
    //  spaces, and no 0xC2 (the lead byte of U+00A0): the rest, and any
    //  block with one of those, byte by byte
    const __m128i spaces = _mm_set1_epi8 (' ');
    const __m128i c2 = _mm_set1_epi8 ((char) 0xC2);
    bool after_space = false;
    while (clean && end - q >= 16) {
        __m128i v = _mm_loadu_si128 ((const __m128i *) q);
        unsigned low = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (_mm_min_epu8 (v, spaces), v));
        unsigned space = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, spaces));
        if (low != space || _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, c2))
        || (space & (space >> 1)) || (after_space && (space & 1)))
            break;
        after_space = (space >> 15) & 1;
        q += 16;
    }
    if (after_space && q < end && *q == ' ')
        clean = false;
#endif
    for (; clean && q < end; q++) {
        if (*q == ' ' ? (q + 1 < end && q [1] == ' ') : (isspace (*q) || (*q == 0xC2 && q + 1 < end && q [1] == 0xA0)))
            clean = false;
    }
    if (clean)
        return xstrndup (s, len);
    char *out = (char *) xmalloc (len + 1);
    size_t size = 0;
    bool space = false;
    for (const unsigned char *q = p; q < end; q++) {
        if (isspace (*q) || (*q == 0xC2 && q + 1 < end && q [1] == 0xA0)) {
            if (*q == 0xC2)
                q++;
            space = size > 0;
            continue;
        }
        if (space)
            out [size++] = ' ';
        space = false;
        out [size++] = (char) *q;
    }
    out [size] = 0;
    if (size == 0) {
        free (out);
        return NULL;
    }
    return out;
}

static char *
s_collapse (const char *s)
{
    return s ? s_collapse_n (s, strlen (s)) : NULL;
}

//  --------------------------------------------------------------------------
//  Namespaces

static const struct {
    const char *uri;            //  Without scheme and trailing '/' or '#'
    feed_ns_t ns;
} s_namespaces [] = {
    { "purl.org/rss/1.0",                               FEED_NS_RSS },
    { "my.netscape.com/rdf/simple/0.9",                 FEED_NS_RSS },
    { "backend.userland.com/rss2",                      FEED_NS_RSS },
    { "backend.userland.com/rss",                       FEED_NS_RSS },
    { "blogs.law.harvard.edu/tech/rss",                 FEED_NS_RSS },
    { "www.w3.org/1999/02/22-rdf-syntax-ns",            FEED_NS_RDF },
    { "purl.org/dc/elements/1.1",                       FEED_NS_DC },
    { "purl.org/dc/elements/1.0",                       FEED_NS_DC },
    { "purl.org/dc/terms",                              FEED_NS_DCTERMS },
    { "purl.org/rss/1.0/modules/content",               FEED_NS_CONTENT },
    { "search.yahoo.com/mrss",                          FEED_NS_MEDIA },
    { "video.search.yahoo.com/mrss",                    FEED_NS_MEDIA },
    { "tools.search.yahoo.com/mrss",                    FEED_NS_MEDIA },
    { "www.w3.org/2005/atom",                           FEED_NS_ATOM },
    { "purl.org/atom/ns",                               FEED_NS_ATOM03 },
    { "www.itunes.com/dtds/podcast-1.0.dtd",            FEED_NS_ITUNES },
    { "purl.org/rss/1.0/modules/prism",                 FEED_NS_PRISM },
    { "purl.org/rss/1.0/modules/taxonomy",              FEED_NS_TAXO },
    { "www.w3.org/1999/xhtml",                          FEED_NS_XHTML },
    { "feed.wenn.com/xmlns/2010/03/wenn_cm",            FEED_NS_WENN_CM },
    { "feed.wenn.com/xmlns/2010/03/wenn_nm",            FEED_NS_WENN_NM },
    { "www.georss.org/georss",                          FEED_NS_GEORSS },
    { "purl.org/rss/1.0/modules/slash",                 FEED_NS_SLASH },
    { "purl.org/syndication/thread/1.0",                FEED_NS_THREAD },
    { "rssnamespace.org/feedburner/ext/1.0",            FEED_NS_FEEDBURNER },
};

//  Usual prefixes, for elements whose prefix was never declared
static const struct {
    const char *prefix;
    feed_ns_t ns;
} s_prefixes [] = {
    { "rss", FEED_NS_RSS }, { "rdf", FEED_NS_RDF }, { "dc", FEED_NS_DC },
    { "dcterms", FEED_NS_DCTERMS }, { "content", FEED_NS_CONTENT },
    { "media", FEED_NS_MEDIA }, { "atom", FEED_NS_ATOM }, { "wp", FEED_NS_WP },
    { "excerpt", FEED_NS_EXCERPT }, { "itunes", FEED_NS_ITUNES },
    { "prism", FEED_NS_PRISM }, { "taxo", FEED_NS_TAXO }, { "xhtml", FEED_NS_XHTML },
    { "georss", FEED_NS_GEORSS }, { "slash", FEED_NS_SLASH }, { "thr", FEED_NS_THREAD },
    { "feedburner", FEED_NS_FEEDBURNER },
};

//  Namespace role of a URI, by the table
static feed_ns_t
s_ns_lookup (const char *uri)
{
    const char *p = uri;
    if (strncasecmp (p, "http://", 7) == 0)
        p += 7;
    else
    if (strncasecmp (p, "https://", 8) == 0)
        p += 8;
    size_t len = strlen (p);
    while (len && (p [len - 1] == '/' || p [len - 1] == '#' || isspace ((unsigned char) p [len - 1])))
        len--;
    if (len >= 20 && strncasecmp (p, "wordpress.org/export", 20) == 0)
        return memmem (p, len, "excerpt", 7) ? FEED_NS_EXCERPT : FEED_NS_WP;
    if (len > 23 && strncasecmp (p, "prismstandard.org/namespaces", 28) == 0)
        return FEED_NS_PRISM;
    for (size_t i = 0; i < sizeof s_namespaces / sizeof s_namespaces [0]; i++) {
        const char *known = s_namespaces [i].uri;
        if (strlen (known) == len && strncasecmp (p, known, len) == 0)
            return s_namespaces [i].ns;
    }
    return FEED_NS_OTHER;
}

//  Namespace role of a URI. A feed names a handful of namespaces on
//  every element: the last few URIs looked up are remembered by their
//  text (per thread), which costs one comparison instead of the table.
#define FEED_NS_MEMO        8       //  URIs remembered
#define FEED_NS_MEMO_CHARS  96      //  Longer URIs are always looked up

typedef struct {
    char uri [FEED_NS_MEMO_CHARS];
    feed_ns_t ns;
} ns_memo_t;

static __thread ns_memo_t s_ns_memo [FEED_NS_MEMO];
static __thread int s_ns_memo_used;
static __thread int s_ns_memo_next;

static __thread int s_ns_memo_hit;     //  The entry that answered last

static feed_ns_t
s_ns_of_uri (const char *uri)
{
    //  Elements come in runs of one namespace: the last answer first
    if (s_ns_memo_used && strcmp (s_ns_memo [s_ns_memo_hit].uri, uri) == 0)
        return s_ns_memo [s_ns_memo_hit].ns;
    for (int i = 0; i < s_ns_memo_used; i++)
        if (strcmp (s_ns_memo [i].uri, uri) == 0) {
            s_ns_memo_hit = i;
            return s_ns_memo [i].ns;
        }
    feed_ns_t ns = s_ns_lookup (uri);
    size_t len = strlen (uri);
    if (len < FEED_NS_MEMO_CHARS) {
        ns_memo_t *memo = &s_ns_memo [s_ns_memo_next];
        memcpy (memo->uri, uri, len + 1);
        memo->ns = ns;
        s_ns_memo_next = (s_ns_memo_next + 1) % FEED_NS_MEMO;
        if (s_ns_memo_used < FEED_NS_MEMO)
            s_ns_memo_used++;
    }
    return ns;
}

feed_ns_t
feed_ns (xmlNodePtr node)
{
    if (!node || node->type != XML_ELEMENT_NODE)
        return FEED_NS_OTHER;
    if (node->ns && node->ns->href)
        return s_ns_of_uri ((const char *) node->ns->href);
    const char *name = (const char *) node->name;
    const char *colon = name ? strchr (name, ':') : NULL;
    if (colon) {
        size_t len = (size_t) (colon - name);
        for (size_t i = 0; i < sizeof s_prefixes / sizeof s_prefixes [0]; i++)
            if (strlen (s_prefixes [i].prefix) == len
            &&  strncasecmp (name, s_prefixes [i].prefix, len) == 0)
                return s_prefixes [i].ns;
        return FEED_NS_OTHER;
    }
    return FEED_NS_NONE;
}

const char *
feed_local (xmlNodePtr node)
{
    if (!node || !node->name)
        return "";
    const char *name = (const char *) node->name;
    if (!node->ns) {
        const char *colon = strrchr (name, ':');
        if (colon)
            return colon + 1;
    }
    return name;
}

bool
feed_is (xmlNodePtr node, feed_ns_t ns, const char *local)
{
    return node && node->type == XML_ELEMENT_NODE
        && feed_local_is (node, local)
        && feed_ns (node) == ns;
}

bool
feed_is_rss (xmlNodePtr node, const char *local)
{
    if (!node || node->type != XML_ELEMENT_NODE || !feed_local_is (node, local))
        return false;
    feed_ns_t ns = feed_ns (node);
    return ns == FEED_NS_NONE || ns == FEED_NS_RSS;
}

xmlNodePtr
feed_child (xmlNodePtr parent, feed_ns_t ns, const char *local)
{
    if (!parent)
        return NULL;
    for (xmlNodePtr child = parent->children; child; child = child->next)
        if (feed_is (child, ns, local))
            return child;
    return NULL;
}

xmlNodePtr
feed_rss_child (xmlNodePtr parent, const char *local)
{
    if (!parent)
        return NULL;
    for (xmlNodePtr child = parent->children; child; child = child->next)
        if (feed_is_rss (child, local))
            return child;
    return NULL;
}

char *
feed_text (xmlNodePtr node)
{
    if (!node)
        return NULL;
    //  The common case, one text node: no copy of the content first
    if (node->children && !node->children->next
    &&  (node->children->type == XML_TEXT_NODE || node->children->type == XML_CDATA_SECTION_NODE))
        return s_collapse ((const char *) node->children->content);
    xmlChar *content = xmlNodeGetContent (node);
    char *result = s_collapse ((const char *) content);
    xmlFree (content);
    return result;
}

char *
feed_child_text (xmlNodePtr parent, feed_ns_t ns, const char *local)
{
    return feed_text (feed_child (parent, ns, local));
}

char *
feed_raw_text (xmlNodePtr node)
{
    if (!node)
        return NULL;
    //  The common case, one text node: trimmed from it, without a copy of
    //  the whole content first
    xmlChar *content = NULL;
    const char *start;
    xmlNodePtr only = node->children;
    if (node->type == XML_ELEMENT_NODE && only && !only->next
    &&  (only->type == XML_TEXT_NODE || only->type == XML_CDATA_SECTION_NODE)) {
        if (!only->content)
            return NULL;
        start = (const char *) only->content;
    }
    else {
        content = xmlNodeGetContent (node);
        if (!content)
            return NULL;
        start = (const char *) content;
    }
    while (*start && isspace ((unsigned char) *start))
        start++;
    size_t len = strlen (start);
    while (len && isspace ((unsigned char) start [len - 1]))
        len--;
    char *result = len ? xstrndup (start, len) : NULL;
    xmlFree (content);
    return result;
}

char *
feed_attr (xmlNodePtr node, const char *local)
{
    if (!node || node->type != XML_ELEMENT_NODE)
        return NULL;
    for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
        if (!attr->name || attr->name [0] != (xmlChar) local [0]
        ||  strcmp ((const char *) attr->name, local) != 0)
            continue;
        xmlNodePtr value = attr->children;
        if (value && !value->next && value->type == XML_TEXT_NODE)
            return s_collapse ((const char *) value->content);
        xmlChar *text = xmlNodeListGetString (node->doc, value, 1);
        char *result = s_collapse ((const char *) text);
        xmlFree (text);
        return result;
    }
    return NULL;
}

//  Is name declared as an entity in the document's internal subset?
static bool
s_entity_declared (const uint8_t *data, size_t size, const char *name, size_t len)
{
    const uint8_t *p = data;
    const uint8_t *end = data + size;
    while ((p = memmem (p, (size_t) (end - p), "<!ENTITY", 8)) != NULL) {
        p += 8;
        while (p < end && isspace (*p))
            p++;
        if ((size_t) (end - p) > len && memcmp (p, name, len) == 0 && isspace (p [len]))
            return true;
    }
    return false;
}

//  The first occurrence of needle (at least 2 bytes) in len bytes at p, or
//  NULL: its first two bytes found 16 positions at a time (glibc's memmem
//  goes a byte at a time for needles this short)
static const uint8_t *
s_find (const uint8_t *p, size_t len, const char *needle, size_t needle_len)
{
    assert (needle_len >= 2);
    if (len < needle_len)
        return NULL;
    const uint8_t a = (uint8_t) needle [0], b = (uint8_t) needle [1];
    size_t last = len - needle_len;     //  Last possible start
    size_t i = 0;
#ifdef __SSE2__
    const __m128i first = _mm_set1_epi8 ((char) a), second = _mm_set1_epi8 ((char) b);
    while (i + 17 <= len) {
        __m128i v0 = _mm_loadu_si128 ((const __m128i *) (p + i));
        __m128i v1 = _mm_loadu_si128 ((const __m128i *) (p + i + 1));
        unsigned mask = (unsigned) _mm_movemask_epi8 (
            _mm_and_si128 (_mm_cmpeq_epi8 (v0, first), _mm_cmpeq_epi8 (v1, second)));
        while (mask) {
            size_t at = i + (size_t) __builtin_ctz (mask);
            if (at > last)
                return NULL;
            if (memcmp (p + at + 2, needle + 2, needle_len - 2) == 0)
                return p + at;
            mask &= mask - 1;
        }
        i += 16;
    }
#endif
    for (; i <= last; i++)
        if (p [i] == a && p [i + 1] == b && memcmp (p + i + 2, needle + 2, needle_len - 2) == 0)
            return p + i;
    return NULL;
}

//  Undeclared HTML entities (&eacute;, &nbsp;) as numeric references and
//  bare ampersands as &amp;, outside CDATA sections, comments and
//  processing instructions, so that a feed written for HTML eyes parses as
//  XML and CDATA text stays exactly as written. Returns the repaired copy
//  (caller frees) or NULL when nothing needed repair.
static uint8_t *
s_repair_entities (const uint8_t *data, size_t size, size_t *out_size)
{
    bool subset = s_find (data, size < 65536 ? size : 65536, "<!ENTITY", 8) != NULL;
    buf_t out;
    buf_init (&out);
    bool changed = false;
    size_t copied = 0;          //  data [0..copied) is in out
    size_t i = 0;
    //  Only '&' and the openings of what entities cannot be in ("<!" for
    //  CDATA and comments, "<?") matter: the next of each, found with
    //  memchr and s_find and kept until passed
    size_t amp = 0, bang = 0, query = 0;
    bool look_amp = true, look_bang = true, look_query = true;
    bool first = true;          //  Nothing searched yet
    while (i < size) {
        if (look_amp && (amp < i || first)) {
            const uint8_t *p = (const uint8_t *) memchr (data + i, '&', size - i);
            amp = p ? (size_t) (p - data) : size;
            look_amp = p != NULL;
        }
        if (look_bang && (bang < i || first)) {
            const uint8_t *p = (const uint8_t *) s_find (data + i, size - i, "<!", 2);
            bang = p ? (size_t) (p - data) : size;
            look_bang = p != NULL;
        }
        if (look_query && (query < i || first)) {
            const uint8_t *p = (const uint8_t *) s_find (data + i, size - i, "<?", 2);
            query = p ? (size_t) (p - data) : size;
            look_query = p != NULL;
        }
        first = false;
        size_t next = amp < bang ? amp : bang;
        if (query < next)
            next = query;
        if (next >= size)
            break;
        i = next;
        if (data [i] == '<') {
            //  Skip what entities cannot be in
            const char *close = NULL;
            size_t skip = 0;
            if (size - i >= 9 && memcmp (data + i, "<![CDATA[", 9) == 0) {
                close = "]]>";
                skip = 9;
            }
            else
            if (size - i >= 4 && memcmp (data + i, "<!--", 4) == 0) {
                close = "-->";
                skip = 4;
            }
            else
            if (size - i >= 2 && data [i + 1] == '?') {
                close = "?>";
                skip = 2;
            }
            if (close) {
                const uint8_t *end = s_find (data + i + skip, size - i - skip, close, strlen (close));
                i = end ? (size_t) (end - data) + strlen (close) : size;
                continue;
            }
            i++;
            continue;
        }
        //  &name; &#123; &#x1F; or a bare '&'
        size_t j = i + 1;
        if (j < size && data [j] == '#') {
            j++;
            if (j < size && (data [j] == 'x' || data [j] == 'X'))
                j++;
            size_t digits = j;
            while (j < size && isxdigit (data [j]) && j - digits < 8)
                j++;
            if (j > digits && j < size && data [j] == ';') {
                i = j + 1;
                continue;       //  A character reference: fine
            }
        }
        else {
            while (j < size && isalnum (data [j]) && j - i <= 32)
                j++;
            size_t len = j - i - 1;
            if (len > 0 && j < size && data [j] == ';' && isalpha (data [i + 1])) {
                const uint8_t *word = data + i + 1;
                if ((len == 2 && (memcmp (word, "lt", 2) == 0 || memcmp (word, "gt", 2) == 0))
                ||  (len == 3 && memcmp (word, "amp", 3) == 0)
                ||  (len == 4 && (memcmp (word, "quot", 4) == 0 || memcmp (word, "apos", 4) == 0))) {
                    i = j + 1;
                    continue;   //  XML's own
                }
                char name [40];
                memcpy (name, word, len);
                name [len] = 0;
                if (subset && s_entity_declared (data, size, name, len)) {
                    i = j + 1;
                    continue;   //  XML knows this one
                }
                buf_append (&out, data + copied, i - copied);
                const htmlEntityDesc *entity = htmlEntityLookup ((const xmlChar *) name);
                if (entity)
                    buf_printf (&out, "&#%u;", entity->value);
                else
                    buf_printf (&out, "&amp;%s;", name);        //  Unknown: keep it visible
                changed = true;
                i = j + 1;
                copied = i;
                continue;
            }
        }
        //  A bare '&' (AT&T, a=1&b=2)
        buf_append (&out, data + copied, i - copied);
        buf_puts (&out, "&amp;");
        changed = true;
        i++;
        copied = i;
    }
    if (!changed) {
        buf_free (&out);
        return NULL;
    }
    buf_append (&out, data + copied, size - copied);
    *out_size = out.size;
    return (uint8_t *) buf_detach (&out);
}

xmlDocPtr
feeditem_parse (ingest_t *ctx, const uint8_t *data, size_t size, char *err, size_t errsize)
{
    const document_t *doc = ingest_doc (ctx);
    char charset [64] = "";
    //  UTF-16/32 (a BOM or NUL bytes up front) go to xml_parse as they are
    size_t bom = 0;
    const char *bom_name = charset_bom (data, size, &bom);
    bool ascii_based = !(bom_name && strcmp (bom_name, "UTF-8") != 0)
                    && !(size >= 2 && (data [0] == 0 || data [1] == 0));
    size_t fixed_size = 0;
    uint8_t *fixed = ascii_based ? s_repair_entities (data, size, &fixed_size) : NULL;
    if (fixed) {
        strv_add_unique (ingest_warnings (ctx), "xml-html-entities");
        data = fixed;
        size = fixed_size;
    }
    xml_options_t strict = { .charset = doc->charset };
    xmlDocPtr xml = xml_parse (data, size, &strict, ingest_warnings (ctx),
                               charset, sizeof charset, err, errsize);
    if (!xml) {
        //  Broken beyond entities: libxml2's recovery (and, for documents we
        //  could not repair ourselves, its own entity repair)
        xml_options_t recover = { .recover = true, .html_entities = !ascii_based,
                                  .charset = doc->charset };
        xml = xml_parse (data, size, &recover, ingest_warnings (ctx),
                         charset, sizeof charset, err, errsize);
    }
    free (fixed);
    if (xml && charset [0])
        ingest_set_charset (ctx, charset);
    return xml;
}

//  --------------------------------------------------------------------------
//  Feed context

void
feedinfo_finish (feedinfo_t *self, ingest_t *ctx)
{
    const document_t *doc = ingest_doc (ctx);
    free (self->host);
    self->host = feeditem_host (self->link);
    if (!self->host)
        self->host = feeditem_host (self->self);
    if (!self->host && doc->channel)
        self->host = feeditem_host (doc->channel);
    if (!self->host && doc->origin)
        self->host = feeditem_host (doc->origin);
    if (!self->host && !str_empty (doc->source)) {
        self->host = xstrdup (doc->source);
        for (char *c = self->host; *c; c++)
            *c = (char) tolower ((unsigned char) *c);
        proto_topic_clean (self->host);
    }
    if (!self->host)
        self->host = xstrdup ("feed.invalid");
    self->year = feeditem_year (self->updated);
}

void
feedinfo_free (feedinfo_t *self)
{
    free (self->title);
    free (self->link);
    free (self->self);
    free (self->id);
    free (self->host);
    free (self->language);
    free (self->copyright);
    free (self->updated);
    free (self->author);
    memset (self, 0, sizeof *self);
}

void
feeditem_apply_feed (story_t *story, const feedinfo_t *feed)
{
    if (feed->title || feed->link) {
        story_concept_t *source = story_add_concept (&story->infosources, feed->title);
        str_set (&source->role, "feed");
        feeditem_set_uri (&source->uri, feed->link);
    }
    if (!story->language && feed->language)
        str_set (&story->language, feed->language);
    if (!story->copyrightnotice && feed->copyright)
        str_set (&story->copyrightnotice, feed->copyright);
    if (!story->by && feed->author)
        str_set (&story->by, feed->author);
    if (feed->updated)
        story_set_rawdate (story, "feed-updated", feed->updated);
}

//  --------------------------------------------------------------------------
//  Identity

bool
feeditem_is_uri (const char *s)
{
    if (str_empty (s) || !isalpha ((unsigned char) s [0]))
        return false;
    const char *p = s;
    while (isalnum ((unsigned char) *p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (*p != ':' || p - s > 32)
        return false;
    size_t scheme = (size_t) (p - s);
    if (p [1] == '/' && p [2] == '/' && p [3] && !isspace ((unsigned char) p [3]))
        return true;
    static const char *opaque [] = {
        "urn", "tag", "info", "mailto", "news", "doi", "uuid", "isbn", "did", "data", NULL
    };
    for (int i = 0; opaque [i]; i++)
        if (strlen (opaque [i]) == scheme && strncasecmp (s, opaque [i], scheme) == 0)
            return p [1] != 0 && !isspace ((unsigned char) p [1]);
    return false;
}

//  Letters, digits and -._~:/?#[]@!$&'()*+,;= : the bytes a URI holds as
//  they are (a bit per ASCII byte)
static inline bool
s_uri_plain (unsigned char c)
{
    static const uint64_t plain [2] = { 0xafffffda00000000ULL, 0x47fffffeafffffffULL };
    return c < 128 && (plain [c >> 6] >> (c & 63) & 1);
}

//  True for a byte a URI can hold as it is
static bool
s_uri_char (const unsigned char *p)
{
    return s_uri_plain (*p) || (*p == '%' && isxdigit (p [1]) && isxdigit (p [2]));
}

//  Copy s with every byte a URI cannot hold percent-encoded
static void
s_uri_escape (buf_t *out, const char *s)
{
    const unsigned char *p = (const unsigned char *) s;
    while (*p && s_uri_char (p))
        p++;
    buf_append (out, s, (size_t) ((const char *) p - s));
    for (; *p; p++) {
        if (s_uri_plain (*p))
            buf_putc (out, (char) *p);
        else
        if (*p == '%' && isxdigit (p [1]) && isxdigit (p [2]))
            buf_putc (out, '%');
        else
            buf_printf (out, "%%%02X", *p);
    }
}

char *
feeditem_uri_escape (const char *s)
{
    const unsigned char *p = (const unsigned char *) (s ? s : "");
    while (*p && s_uri_char (p))
        p++;
    if (!*p)
        return xstrdup (s ? s : "");
    buf_t out;
    buf_init (&out);
    s_uri_escape (&out, s ? s : "");
    return buf_detach (&out);
}

void
feeditem_set_uri (char **field, const char *value)
{
    if (!feeditem_is_uri (value))
        return;
    free (*field);
    *field = feeditem_uri_escape (value);
}

//  The year for a tag: URI
static int
s_tag_year (ingest_t *ctx, const feedinfo_t *feed, const char *date_raw)
{
    int year = feeditem_year (date_raw);
    if (!year)
        year = feed->year;
    if (!year)
        year = feeditem_year (ingest_doc (ctx)->received);
    if (!year) {
        char now [40];
        year = feeditem_year (time_now_rfc3339 (now, sizeof now));
    }
    return year;
}

char *
feeditem_uri (ingest_t *ctx, const feedinfo_t *feed, const char *value, const char *date_raw)
{
    assert (value);
    buf_t out;
    buf_init (&out);
    if (feeditem_is_uri (value))
        s_uri_escape (&out, value);
    else {
        buf_printf (&out, "tag:%s,%d:", feed->host ? feed->host : "feed.invalid",
                    s_tag_year (ctx, feed, date_raw));
        s_uri_escape (&out, value);
    }
    return buf_detach (&out);
}

char *
feeditem_hash_uri (ingest_t *ctx, const feedinfo_t *feed, const char *title,
                   const char *date_raw, const char *text)
{
    buf_t key;
    buf_init (&key);
    buf_printf (&key, "%s\n%s\n", title ? title : "", date_raw ? date_raw : "");
    if (str_empty (title) && str_empty (date_raw) && text)
        buf_puts (&key, text);
    char hex [65];
    sha256_hex (key.data ? key.data : "", key.size, hex);
    buf_free (&key);
    hex [32] = 0;
    return xasprintf ("tag:%s,%d:item-%s", feed->host ? feed->host : "feed.invalid",
                      s_tag_year (ctx, feed, date_raw), hex);
}

static int
s_month (const char *word, size_t len)
{
    static const char *months [] = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
    };
    if (len < 3)
        return 0;
    for (int i = 0; i < 12; i++)
        if (strncasecmp (word, months [i], 3) == 0)
            return i + 1;
    return 0;
}

int
feeditem_year (const char *raw)
{
    if (str_empty (raw))
        return 0;
    const char *p = raw;
    while (isspace ((unsigned char) *p))
        p++;
    //  ISO 8601 (extended or basic), "2020/1/10"
    if (isdigit ((unsigned char) p [0]) && isdigit ((unsigned char) p [1])
    &&  isdigit ((unsigned char) p [2]) && isdigit ((unsigned char) p [3])
    &&  (p [4] == '-' || p [4] == '/' || p [4] == '.' || isdigit ((unsigned char) p [4]))) {
        int year = (p [0] - '0') * 1000 + (p [1] - '0') * 100 + (p [2] - '0') * 10 + (p [3] - '0');
        return year >= 1900 && year <= 2999 ? year : 0;
    }
    //  Tokens: look for "DD Mon YYYY", "DD Mon YY" or "Mon DD, YYYY"
    char tokens [16][24];
    int count = 0;
    while (*p && count < 16) {
        while (*p && (isspace ((unsigned char) *p) || *p == ',' || *p == '-' || *p == '/'))
            p++;
        size_t len = 0;
        while (p [len] && !isspace ((unsigned char) p [len]) && p [len] != ','
            && p [len] != '-' && p [len] != '/')
            len++;
        if (!len)
            break;
        snprintf (tokens [count], sizeof tokens [count], "%.*s", (int) (len < 23 ? len : 23), p);
        count++;
        p += len;
    }
    for (int i = 0; i < count; i++) {
        if (!s_month (tokens [i], strlen (tokens [i])) || isdigit ((unsigned char) tokens [i][0]))
            continue;
        bool day_before = i > 0 && isdigit ((unsigned char) tokens [i - 1][0])
                       && strlen (tokens [i - 1]) <= 2;
        if (day_before && i + 1 < count) {
            const char *y = tokens [i + 1];
            size_t len = strspn (y, "0123456789");
            if (len == strlen (y) && len == 4)
                return atoi (y);
            if (len == strlen (y) && len == 2) {
                int two = atoi (y);
                return two < 70 ? 2000 + two : 1900 + two;
            }
        }
        for (int j = i + 1; j < count && j <= i + 3; j++) {
            const char *y = tokens [j];
            if (strlen (y) == 4 && strspn (y, "0123456789") == 4)
                return atoi (y);
        }
    }
    //  Any standalone 4-digit number that looks like a year
    for (int i = 0; i < count; i++) {
        const char *y = tokens [i];
        if (strlen (y) == 4 && strspn (y, "0123456789") == 4) {
            int year = atoi (y);
            if (year >= 1970 && year <= 2999)
                return year;
        }
    }
    //  Whatever else the date parser reads (localised names, 2-digit years)
    date_t date;
    if (date_parse (raw, NULL, 0, &date) == 0) {
        time_t epoch = (time_t) date.epoch;
        struct tm tm;
        if (gmtime_r (&epoch, &tm) && tm.tm_year + 1900 >= 1900 && tm.tm_year + 1900 <= 2999)
            return tm.tm_year + 1900;
    }
    return 0;
}

char *
feeditem_host (const char *url)
{
    if (str_empty (url))
        return NULL;
    const char *start = strstr (url, "://");
    if (!start)
        return NULL;
    start += 3;
    size_t len = strcspn (start, "/?#");
    const char *at = memchr (start, '@', len);
    if (at) {
        len -= (size_t) (at + 1 - start);
        start = at + 1;
    }
    if (start [0] == '[') {
        //  IPv6 literal: keep the brackets
        const char *close = memchr (start, ']', len);
        if (close)
            len = (size_t) (close + 1 - start);
    }
    else {
        const char *colon = memchr (start, ':', len);
        if (colon)
            len = (size_t) (colon - start);
    }
    if (len == 0 || len > 253)
        return NULL;
    char *host = xstrndup (start, len);
    for (char *p = host; *p; p++) {
        *p = (char) tolower ((unsigned char) *p);
        if (!isalnum ((unsigned char) *p) && !strchr ("-.[]:", *p))
            *p = '-';
    }
    return host;
}

//  --------------------------------------------------------------------------
//  Text

bool
feeditem_has_markup (const char *s)
{
    if (!s)
        return false;
    for (const char *p = s; *p; p++) {
        if (*p == '<' && (isalpha ((unsigned char) p [1]) || p [1] == '/' || p [1] == '!'))
            return true;
        if (*p == '&') {
            const char *q = p + 1;
            if (*q == '#') {
                q++;
                if (*q == 'x' || *q == 'X')
                    q++;
                const char *digits = q;
                while (isxdigit ((unsigned char) *q))
                    q++;
                if (q > digits && *q == ';')
                    return true;
            }
            else {
                const char *name = q;
                while (isalnum ((unsigned char) *q) && q - name < 32)
                    q++;
                if (q > name && *q == ';')
                    return true;
            }
        }
    }
    return false;
}

//  Elements after which text reads as a new block
static bool
s_html_block (const char *name)
{
    static const char *blocks [] = {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
        "th", "table", "blockquote", "pre", "section", "article", "header", "footer",
        "figure", "figcaption", "hr", "dd", "dt", "dl", "address", NULL
    };
    for (int i = 0; blocks [i]; i++)
        if (strcasecmp (name, blocks [i]) == 0)
            return true;
    return false;
}

//  Text of an HTML fragment: entities decoded once, tags gone, script and
//  style dropped, a space between blocks
static char *
s_html_text (const char *html)
{
    size_t len = strlen (html);
    if (len > INT_MAX)
        return NULL;
    htmlDocPtr doc = htmlReadMemory (html, (int) len, NULL, "UTF-8",
                                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR
                                     | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (!doc)
        return NULL;
    buf_t out;
    buf_init (&out);
    xmlNodePtr node = doc->children;
    while (node) {
        bool descend = true;
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            if (node->content)
                buf_puts (&out, (const char *) node->content);
        }
        else
        if (node->type == XML_ELEMENT_NODE) {
            const char *name = (const char *) node->name;
            if (strcasecmp (name, "script") == 0 || strcasecmp (name, "style") == 0
            ||  strcasecmp (name, "iframe") == 0 || strcasecmp (name, "object") == 0)
                descend = false;
            else
            if (s_html_block (name))
                buf_putc (&out, ' ');
        }
        else
            descend = node->type == XML_DTD_NODE ? false : descend;
        if (descend && node->children && node->type != XML_ENTITY_REF_NODE)
            node = node->children;
        else {
            while (node && !node->next) {
                node = node->parent;
                if (node && node->type == XML_ELEMENT_NODE && s_html_block ((const char *) node->name))
                    buf_putc (&out, ' ');
                if (node && (xmlNodePtr) doc == node)
                    node = NULL;
            }
            if (node)
                node = node->next;
        }
    }
    xmlFreeDoc (doc);
    char *text = s_collapse (out.data ? out.data : "");
    buf_free (&out);
    return text;
}

char *
feeditem_plain (const char *s)
{
    if (str_empty (s))
        return NULL;
    if (!feeditem_has_markup (s))
        return s_collapse (s);
    char *text = s_html_text (s);
    return text ? text : s_collapse (s);
}

char *
feeditem_person (const char *s)
{
    char *text = s_collapse (s);
    if (!text)
        return NULL;
    char *result = NULL;
    char *open = strchr (text, '(');
    char *close = open ? strrchr (open, ')') : NULL;
    char *angle = strchr (text, '<');
    char *angle_close = angle ? strchr (angle, '>') : NULL;
    if (open && close) {
        //  "mark@example.org (Mark Pilgrim)" or "Mark Pilgrim (mark@example.org)"
        char *inside = xstrndup (open + 1, (size_t) (close - open - 1));
        char *outside = xstrndup (text, (size_t) (open - text));
        char *in = s_collapse (inside);
        char *out = s_collapse (outside);
        if (out && strchr (out, '@') && in && !strchr (in, '@'))
            result = xstrdup (in);
        else
        if (in && strchr (in, '@') && out && !strchr (out, '@'))
            result = xstrdup (out);
        free (inside);
        free (outside);
        free (in);
        free (out);
    }
    else
    if (angle && angle_close && angle > text) {
        //  "Mark Pilgrim <mark@example.org>"
        char *outside = xstrndup (text, (size_t) (angle - text));
        result = s_collapse (outside);
        free (outside);
    }
    if (!result) {
        const char *start = text;
        if (strncasecmp (start, "mailto:", 7) == 0)
            start += 7;
        result = str_empty (start) ? NULL : xstrdup (start);
    }
    free (text);
    return result;
}

char *
feeditem_resolve (xmlNodePtr node, const char *href, const char *fallback_base)
{
    if (str_empty (href))
        return NULL;
    if (feeditem_is_uri (href))
        return feeditem_uri_escape (href);
    //  A reference libxml2 can resolve: no spaces or raw bytes in it
    char *reference = feeditem_uri_escape (href);
    href = reference;
    char *result = NULL;
    xmlChar *base = node ? xmlNodeGetBase (node->doc, node) : NULL;
    if (base && feeditem_is_uri ((const char *) base)) {
        xmlChar *built = xmlBuildURI ((const xmlChar *) href, base);
        if (built && feeditem_is_uri ((const char *) built))
            result = xstrdup ((const char *) built);
        xmlFree (built);
    }
    xmlFree (base);
    if (!result && feeditem_is_uri (fallback_base)) {
        xmlChar *built = xmlBuildURI ((const xmlChar *) href, (const xmlChar *) fallback_base);
        if (built && feeditem_is_uri ((const char *) built))
            result = xstrdup ((const char *) built);
        xmlFree (built);
    }
    if (!result)
        result = xstrdup (href);
    char *escaped = feeditem_uri_escape (result);
    free (result);
    free (reference);
    return escaped;
}

void
feeditem_add_by (story_t *story, const char *by)
{
    if (str_empty (by))
        return;
    if (!story->by) {
        str_set (&story->by, by);
        return;
    }
    //  Already there as one of the comma-separated names?
    size_t len = strlen (by);
    const char *p = story->by;
    while ((p = strstr (p, by)) != NULL) {
        bool start = p == story->by || (p >= story->by + 2 && p [-1] == ' ' && p [-2] == ',');
        bool end = p [len] == 0 || p [len] == ',';
        if (start && end)
            return;
        p += len;
    }
    char *joined = xasprintf ("%s, %s", story->by, by);
    free (story->by);
    story->by = joined;
}

story_rendition_t *
feeditem_add_rendition (story_t *story, const char *name, const char *href,
                        const char *type, const char *length)
{
    for (size_t i = 0; i < story->renditions.len; i++)
        if (story->renditions.items [i].href && strcmp (story->renditions.items [i].href, href) == 0)
            return &story->renditions.items [i];
    char unique [64];
    snprintf (unique, sizeof unique, "%s", name);
    for (int n = 2; n < 10000; n++) {
        bool taken = false;
        for (size_t i = 0; i < story->renditions.len; i++)
            if (story->renditions.items [i].name && strcmp (story->renditions.items [i].name, unique) == 0)
                taken = true;
        if (!taken)
            break;
        snprintf (unique, sizeof unique, "%s-%d", name, n);
    }
    char *escaped = feeditem_uri_escape (href);
    story_rendition_t *rendition = story_add_rendition (story, unique, escaped);
    free (escaped);
    if (!str_empty (type))
        str_set (&rendition->contenttype, type);
    if (!str_empty (length)) {
        char *end;
        errno = 0;
        long long bytes = strtoll (length, &end, 10);
        if (!errno && end != length && *end == 0 && bytes > 0)
            rendition->sizeinbytes = bytes;
    }
    return rendition;
}

void
feeditem_set_body (story_t *story, const char *value, bool html)
{
    if (str_empty (value))
        return;
    bool markup = html || feeditem_has_markup (value);
    story_add_text (&story->bodies, "main", markup ? "text/html" : "text/plain", value);
}

//  Counters that change without the story changing
static bool
s_volatile_ns (const char *uri)
{
    feed_ns_t ns = s_ns_of_uri (uri);
    return ns == FEED_NS_SLASH || ns == FEED_NS_THREAD;
}

//  One node's identity in the bytes to digest: "<ns name", attributes,
//  "\0"-separated so that no two trees give the same stream
static void
s_hash_element (sha256_stream_t *out, xmlNodePtr node)
{
    sha256_stream_put (out, "<", 1);
    if (node->ns && node->ns->href)
        sha256_stream_put (out, node->ns->href, strlen ((const char *) node->ns->href));
    sha256_stream_put (out, " ", 1);
    sha256_stream_put (out, node->name, strlen ((const char *) node->name) + 1);
    for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
        if (attr->ns && attr->ns->href && s_volatile_ns ((const char *) attr->ns->href))
            continue;           //  thr:count and the like
        sha256_stream_put (out, "@", 1);
        sha256_stream_put (out, attr->name, strlen ((const char *) attr->name) + 1);
        for (xmlNodePtr value = attr->children; value; value = value->next)
            if (value->content)
                sha256_stream_put (out, value->content, strlen ((const char *) value->content));
        sha256_stream_put (out, "", 1);
    }
}

void
feeditem_hash_item (story_t *story, xmlNodePtr item)
{
    //  A walk over the item's elements, attributes and text: what the item
    //  says, without serialising it as XML
    sha256_stream_t stream;
    sha256_stream_init (&stream);
    s_hash_element (&stream, item);
    xmlNodePtr node = item->children;
    while (node) {
        bool skip = false;
        if (node->type == XML_ELEMENT_NODE) {
            feed_ns_t ns = feed_ns (node);
            skip = ns == FEED_NS_SLASH || ns == FEED_NS_THREAD;
        }
        if (skip) {
            //  Not hashed, nor anything inside it
            while (node && node != item && !node->next) {
                node = node->parent;
                sha256_stream_put (&stream, ">", 1);
            }
            node = node && node != item ? node->next : NULL;
            continue;
        }
        if (node->type == XML_ELEMENT_NODE)
            s_hash_element (&stream, node);
        else
        if ((node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) && node->content) {
            sha256_stream_put (&stream, "\"", 1);
            sha256_stream_put (&stream, node->content, strlen ((const char *) node->content) + 1);
        }
        if (node->type == XML_ELEMENT_NODE && node->children)
            node = node->children;
        else {
            while (node && node != item && !node->next) {
                node = node->parent;
                sha256_stream_put (&stream, ">", 1);
            }
            node = node && node != item ? node->next : NULL;
        }
    }
    char hex [65];
    if (sha256_stream_hex (&stream, hex))
        str_set (&story->ingest.sha256, hex);
}

//  True if value starts with a scheme ("http:", "mailto:", "javascript:")
static bool
s_has_scheme (const char *value, size_t len)
{
    if (len == 0 || !isalpha ((unsigned char) value [0]))
        return false;
    for (size_t i = 1; i < len; i++) {
        char c = value [i];
        if (c == ':')
            return true;
        if (!isalnum ((unsigned char) c) && c != '+' && c != '-' && c != '.')
            return false;
    }
    return false;
}

char *
feeditem_html_absolute (const char *html, const char *base)
{
    if (!html || !feeditem_is_uri (base))
        return NULL;
    if (!strchr (html, '='))
        return NULL;            //  No attribute value anywhere (a cheap scan)
    buf_t out;
    buf_init (&out);
    const char *copied = html;
    const char *p = html;
    while ((p = strchr (p, '<')) != NULL) {
        const char *q = p + 1;
        if (!isalpha ((unsigned char) *q)) {
            p = q;
            continue;
        }
        while (isalnum ((unsigned char) *q))
            q++;
        //  Attributes up to the end of the tag
        while (*q && *q != '>') {
            while (isspace ((unsigned char) *q) || *q == '/')
                q++;
            const char *name = q;
            while (*q && !isspace ((unsigned char) *q) && *q != '=' && *q != '>' && *q != '/')
                q++;
            size_t name_len = (size_t) (q - name);
            if (name_len == 0) {
                if (*q && *q != '>')
                    q++;
                continue;
            }
            while (isspace ((unsigned char) *q))
                q++;
            if (*q != '=')
                continue;
            q++;
            while (isspace ((unsigned char) *q))
                q++;
            const char *value = q;
            const char *value_end;
            if (*q == '"' || *q == '\'') {
                char quote = *q;
                value = ++q;
                while (*q && *q != quote)
                    q++;
                value_end = q;
                if (*q)
                    q++;
            }
            else {
                while (*q && !isspace ((unsigned char) *q) && *q != '>')
                    q++;
                value_end = q;
            }
            size_t len = (size_t) (value_end - value);
            bool link = (name_len == 4 && strncasecmp (name, "href", 4) == 0)
                     || (name_len == 3 && strncasecmp (name, "src", 3) == 0);
            if (!link || len == 0 || len > 4096 || value [0] == '#' || s_has_scheme (value, len))
                continue;
            char *relative = xstrndup (value, len);
            xmlChar *built = xmlBuildURI ((const xmlChar *) relative, (const xmlChar *) base);
            if (built && feeditem_is_uri ((const char *) built) && !strpbrk ((const char *) built, "\"'<> ")) {
                buf_append (&out, copied, (size_t) (value - copied));
                buf_puts (&out, (const char *) built);
                copied = value_end;
            }
            xmlFree (built);
            free (relative);
        }
        p = q;
    }
    if (copied == html) {
        buf_free (&out);
        return NULL;
    }
    buf_puts (&out, copied);
    return buf_detach (&out);
}

void
feeditem_absolute_bodies (story_t *story, const char *base)
{
    story_textv_t *lists [2] = { &story->bodies, &story->descriptions };
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < lists [l]->len; i++) {
            story_text_t *text = &lists [l]->items [i];
            if (!text->contenttype || strcmp (text->contenttype, "text/html") != 0)
                continue;
            char *absolute = feeditem_html_absolute (text->value, base);
            if (absolute) {
                free (text->value);
                text->value = absolute;
            }
        }
}

void
feeditem_provenance (ingest_t *ctx, story_t *story)
{
    story_t *shell = ingest_story_new (ctx);
    if (!story->type) {
        story->type = shell->type;
        shell->type = NULL;
    }
    char **from [] = { &shell->ingest.format, &shell->ingest.parser, &shell->ingest.provider,
                       &shell->ingest.channel, &shell->ingest.received, &shell->ingest.origin };
    char **to [] = { &story->ingest.format, &story->ingest.parser, &story->ingest.provider,
                     &story->ingest.channel, &story->ingest.received, &story->ingest.origin };
    for (size_t i = 0; i < sizeof from / sizeof from [0]; i++) {
        free (*to [i]);
        *to [i] = *from [i];
        *from [i] = NULL;
    }
    story->ingest.index = shell->ingest.index;
    story_destroy (&shell);
}

bool
feeditem_has_content (const story_t *story)
{
    return story->headlines.len > 0 || story->descriptions.len > 0 || story->bodies.len > 0;
}

//  True if the text starts with a block-level tag
static bool
s_starts_block (const char *s)
{
    static const char *tags [] = {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "blockquote",
        "pre", "hr", "figure", "iframe", "dl", "section", "article", "address", "form", NULL
    };
    if (*s != '<')
        return false;
    s++;
    for (int i = 0; tags [i]; i++) {
        size_t len = strlen (tags [i]);
        if (strncasecmp (s, tags [i], len) == 0
        &&  (s [len] == '>' || s [len] == '/' || isspace ((unsigned char) s [len])))
            return true;
    }
    return false;
}

char *
feeditem_autop (const char *content)
{
    if (!content)
        return NULL;
    if (!strchr (content, '\n') && !strchr (content, '\r'))
        return xstrdup (content);
    //  CR LF and CR to LF
    buf_t text;
    buf_init (&text);
    for (const char *p = content; *p; p++) {
        if (*p == '\r') {
            buf_putc (&text, '\n');
            if (p [1] == '\n')
                p++;
        }
        else
            buf_putc (&text, *p);
    }
    buf_t out;
    buf_init (&out);
    const char *p = text.data;
    while (*p) {
        //  One block: up to a blank line
        while (*p && isspace ((unsigned char) *p))
            p++;
        if (!*p)
            break;
        const char *end = p;
        while (*end) {
            if (*end == '\n') {
                const char *q = end + 1;
                while (*q == ' ' || *q == '\t')
                    q++;
                if (*q == '\n')
                    break;
            }
            end++;
        }
        size_t len = (size_t) (end - p);
        while (len && isspace ((unsigned char) p [len - 1]))
            len--;
        bool block = s_starts_block (p);
        bool pre = strncasecmp (p, "<pre", 4) == 0;
        if (!block)
            buf_puts (&out, "<p>");
        for (size_t i = 0; i < len; i++) {
            if (p [i] == '\n' && !pre) {
                //  A line break between text, not next to a tag
                size_t before = i, after = i + 1;
                while (before > 0 && (p [before - 1] == ' ' || p [before - 1] == '\t'))
                    before--;
                while (after < len && (p [after] == ' ' || p [after] == '\t'))
                    after++;
                if (before > 0 && p [before - 1] != '>' && after < len && p [after] != '<')
                    buf_puts (&out, "<br />");
            }
            buf_putc (&out, p [i]);
        }
        if (!block)
            buf_puts (&out, "</p>");
        buf_putc (&out, '\n');
        p = end;
    }
    buf_free (&text);
    if (out.size == 0) {
        buf_free (&out);
        return xstrdup ("");
    }
    return buf_detach (&out);
}
