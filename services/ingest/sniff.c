//  SPDX-License-Identifier: MIT
//  sniff - detect a document's format by its content, never its name
//
//  docs/formats.md §4.1: skip padding, then BOM, SYN SYN SOH (ANPA), SOH
//  (IPTC 7901), ZCZC, JSON, the root element of XML/SGML (local name and
//  namespace), teletype headers without control characters, and finally
//  plain text. Binary junk, empty input and HTML pages are refused.

#include "common.h"
#include "ingest/ingest.h"

#define SNIFF_WINDOW 65536          //  Bytes looked at

//  Skip whitespace, DEL and NUL padding
static size_t
s_skip_padding (const uint8_t *data, size_t size, size_t i)
{
    while (i < size && (isspace (data [i]) || data [i] == 0x7F || data [i] == 0))
        i++;
    return i;
}

//  Lower-case ASCII compare of n bytes
static bool
s_starts_ci (const uint8_t *data, size_t size, size_t i, const char *word)
{
    size_t len = strlen (word);
    if (size - i < len)
        return false;
    for (size_t j = 0; j < len; j++)
        if (tolower (data [i + j]) != tolower ((unsigned char) word [j]))
            return false;
    return true;
}

//  "<letters 2-4><digits 3-5> <digit> " at the start of a line: a 7901 header
static bool
s_7901_header (const uint8_t *p, size_t left)
{
    size_t i = 0, letters = 0, digits = 0;
    while (i < left && islower (p [i]) && letters < 5) {
        i++;
        letters++;
    }
    while (i < left && isdigit (p [i]) && digits < 6) {
        i++;
        digits++;
    }
    return letters >= 2 && letters <= 4 && digits >= 3 && digits <= 5
        && i + 2 < left && p [i] == ' ' && isdigit (p [i + 1]) && p [i + 2] == ' ';
}

//  ANPA first line after SYN SYN SOH: a service letter and 4 digits
static bool
s_anpa_header (const uint8_t *p, size_t left)
{
    return left >= 6 && isalpha (p [0]) && isdigit (p [1]) && isdigit (p [2])
        && isdigit (p [3]) && isdigit (p [4]) && p [5] == ' ';
}

//  Find the root element of an XML/SGML document: skips the declaration,
//  comments, processing instructions and the DOCTYPE (noting its name).
//  Fills name (with any prefix), and returns a pointer to the start tag's
//  attributes so namespace declarations can be checked.
static const uint8_t *
s_root_element (const uint8_t *data, size_t size, size_t i, char *name, size_t name_size,
                char *doctype, size_t doctype_size)
{
    name [0] = 0;
    doctype [0] = 0;
    while (i < size) {
        i = s_skip_padding (data, size, i);
        if (i >= size || data [i] != '<')
            return NULL;
        if (s_starts_ci (data, size, i, "<?")) {
            const uint8_t *end = memmem (data + i, size - i, "?>", 2);
            if (!end)
                return NULL;
            i = (size_t) (end - data) + 2;
        }
        else
        if (s_starts_ci (data, size, i, "<!--")) {
            const uint8_t *end = memmem (data + i, size - i, "-->", 3);
            if (!end)
                return NULL;
            i = (size_t) (end - data) + 3;
        }
        else
        if (s_starts_ci (data, size, i, "<!DOCTYPE")) {
            size_t j = i + 9;
            while (j < size && isspace (data [j]))
                j++;
            size_t k = 0;
            while (j < size && k + 1 < doctype_size && !isspace (data [j])
                && data [j] != '>' && data [j] != '[')
                doctype [k++] = (char) data [j++];
            doctype [k] = 0;
            //  Skip to the end, including an internal subset [ ... ]
            int bracket = 0;
            while (j < size && !(data [j] == '>' && bracket == 0)) {
                if (data [j] == '[')
                    bracket++;
                else
                if (data [j] == ']' && bracket)
                    bracket--;
                j++;
            }
            i = j + 1;
        }
        else {
            size_t j = i + 1, k = 0;
            while (j < size && k + 1 < name_size
                && (isalnum (data [j]) || data [j] == ':' || data [j] == '_'
                    || data [j] == '-' || data [j] == '.'))
                name [k++] = (char) data [j++];
            name [k] = 0;
            return k ? data + j : NULL;
        }
    }
    return NULL;
}

static const char *
s_local (const char *name)
{
    const char *colon = strrchr (name, ':');
    return colon ? colon + 1 : name;
}

//  Does the start tag (from attrs to '>') mention this namespace URI?
static bool
s_tag_mentions (const uint8_t *attrs, const uint8_t *end, const char *uri)
{
    const uint8_t *close = memchr (attrs, '>', (size_t) (end - attrs));
    if (!close)
        close = end;
    return memmem (attrs, (size_t) (close - attrs), uri, strlen (uri)) != NULL;
}

static const char *
s_fail (char *why, size_t why_size, const char *reason)
{
    if (why && why_size)
        snprintf (why, why_size, "%s", reason);
    return NULL;
}

static const char *
s_detect_utf8ish (const uint8_t *data, size_t size, char *why, size_t why_size)
{
    size_t i = s_skip_padding (data, size, 0);
    if (i >= size)
        return s_fail (why, why_size, "empty-input: the document holds no text");

    //  Teletype framing
    if (size - i >= 3 && data [i] == 0x16 && data [i + 1] == 0x16 && data [i + 2] == 0x01)
        return "anpa1312";
    if (data [i] == 0x16) {
        size_t j = i;
        while (j < size && data [j] == 0x16)
            j++;
        if (j < size && data [j] == 0x01)
            return "anpa1312";
    }
    if (data [i] == 0x01) {
        size_t j = i + 1;
        if (s_anpa_header (data + j, size - j) && !s_7901_header (data + j, size - j))
            return "anpa1312";
        return "iptc7901";
    }
    if (s_starts_ci (data, size, i, "ZCZC"))
        return "zczc";

    //  JSON
    if (data [i] == '{' || data [i] == '[')
        return "ninjs";

    //  XML / SGML
    if (data [i] == '<') {
        char name [128], doctype [64];
        const uint8_t *attrs = s_root_element (data, size, i, name, sizeof name,
                                               doctype, sizeof doctype);
        if (str_ieq (doctype, "lewis") || str_ieq (name, "REUTERS"))
            return "reuters-sgml";
        if (str_ieq (doctype, "html") || str_ieq (s_local (name), "html")
        ||  str_ieq (s_local (name), "head") || str_ieq (s_local (name), "body"))
            return s_fail (why, why_size, "not-a-feed: the document is an HTML page");
        if (!attrs)
            return s_fail (why, why_size, "not-a-document: XML without a root element");
        const char *local = s_local (name);
        const uint8_t *end = data + size;
        if (strcmp (local, "nitf") == 0)
            return "nitf";
        if (strcmp (local, "NewsML") == 0)
            return "newsml-1";
        if (strcmp (local, "newsMessage") == 0 || strcmp (local, "newsItem") == 0
        ||  strcmp (local, "packageItem") == 0 || strcmp (local, "conceptItem") == 0
        ||  strcmp (local, "knowledgeItem") == 0 || strcmp (local, "planningItem") == 0
        ||  strcmp (local, "catalogItem") == 0)
            return "newsml-g2";
        if (str_ieq (local, "rss") || strcmp (local, "RDF") == 0
        ||  strcmp (local, "rdf") == 0 || strcmp (local, "channel") == 0)
            return "rss";
        if (strcmp (local, "feed") == 0 || strcmp (local, "entry") == 0) {
            if (s_tag_mentions (attrs, end, "http://www.w3.org/2005/Atom")
            ||  s_tag_mentions (attrs, end, "http://purl.org/atom/ns#")
            ||  strcmp (local, "feed") == 0)
                return "atom";
        }
        if (strcmp (local, "XMLNewsQueuedResponse") == 0 || strcmp (local, "RBNews") == 0)
            return s_fail (why, why_size, "unsupported: Ritzau RBNews XML is not a format copydesk reads");
        char reason [256];
        snprintf (reason, sizeof reason, "unknown-xml: root element <%s> is not a news format", name);
        return s_fail (why, why_size, reason);
    }

    //  Teletype stripped of its control characters
    size_t line_end = i;
    while (line_end < size && data [line_end] != '\n' && data [line_end] != '\r')
        line_end++;
    if (s_7901_header (data + i, line_end - i))
        return "iptc7901";

    //  Binary junk: NUL bytes or many C0 controls in the first window
    size_t controls = 0, window = size < SNIFF_WINDOW ? size : SNIFF_WINDOW;
    for (size_t j = 0; j < window; j++) {
        uint8_t c = data [j];
        if (c == 0)
            return s_fail (why, why_size, "binary: the document holds NUL bytes, not text");
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != 0x0C)
            controls++;
    }
    if (controls * 20 > window)
        return s_fail (why, why_size, "binary: the document is mostly control bytes, not text");
    return "plain-text";
}

const char *
ingest_detect (const uint8_t *data, size_t size, char *why, size_t why_size)
{
    if (!data || size == 0)
        return s_fail (why, why_size, "empty-input: the document is empty");
    //  UTF-16/32: look at a UTF-8 rendering of the start
    size_t bom;
    const char *bom_name = charset_bom (data, size, &bom);
    if (bom_name && strcmp (bom_name, "UTF-8") != 0) {
        size_t sample = size < SNIFF_WINDOW ? size : SNIFF_WINDOW;
        size_t text_size;
        char *text = charset_decode (data, sample, NULL, NULL, &text_size, NULL, NULL);
        const char *format = s_detect_utf8ish ((const uint8_t *) text, text_size, why, why_size);
        free (text);
        return format;
    }
    return s_detect_utf8ish (data + bom, size - bom, why, why_size);
}
