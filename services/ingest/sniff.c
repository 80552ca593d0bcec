//  SPDX-License-Identifier: MIT
//  sniff - detect a document's format by its content, never its name
//
//  docs/formats.md §4.1: skip padding, then BOM, SYN SYN SOH (ANPA), SOH
//  (IPTC 7901, or ANPA when an ANPA header follows), ZCZC, JSON, the root
//  element of XML/SGML (local name and namespace; G2 fragments such as a
//  bare <contentMeta> count as NewsML-G2), teletype headers without
//  control characters (a 7901 header line; an ANPA line 1 + line 2), and
//  finally plain text. Refused, with a reason: empty input, HTML pages,
//  XML of other vocabularies, well-known binary formats (PDF, images,
//  archives, executables, Office files) and anything else that is mostly
//  NUL or control bytes.

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

//  A 7901 header line: "<letters 0-5><digits 2-6> <priority digit>
//  <category 1-3 letters> <word count>[ ...]" ("eca062 4 i 211 ccccb").
//  strict: at least two letters, as for a stream without control bytes.
static bool
s_7901_header (const uint8_t *p, size_t left, bool strict)
{
    size_t i = 0, letters = 0, digits = 0;
    while (i < left && isalpha (p [i]) && letters < 6) {
        i++;
        letters++;
    }
    while (i < left && isdigit (p [i]) && digits < 7) {
        i++;
        digits++;
    }
    if (letters > 5 || digits < 2 || digits > 6 || (letters == 0 && digits < 3)
    ||  (strict && letters < 2))
        return false;
    if (i >= left || p [i] != ' ')
        return false;
    while (i < left && p [i] == ' ')
        i++;
    if (i + 1 >= left || !isdigit (p [i]) || p [i + 1] != ' ')
        return false;
    i++;
    while (i < left && p [i] == ' ')
        i++;
    size_t category = 0;
    while (i < left && isalpha (p [i]) && category < 4) {
        i++;
        category++;
    }
    if (category == 0 || category > 3 || i >= left || p [i] != ' ')
        return false;
    while (i < left && p [i] == ' ')
        i++;
    size_t words = 0;
    while (i < left && isdigit (p [i]) && words < 7) {
        i++;
        words++;
    }
    return words > 0 && words < 7 && (i == left || p [i] == ' ' || p [i] == '\r' || p [i] == '\n');
}

//  ANPA line 1 after SOH: a service letter, 4 digits, then US, a space or
//  the end of the line
static bool
s_anpa_header (const uint8_t *p, size_t left)
{
    return left >= 5 && isalpha (p [0]) && isdigit (p [1]) && isdigit (p [2])
        && isdigit (p [3]) && isdigit (p [4])
        && (left == 5 || p [5] == ' ' || p [5] == 0x1F || p [5] == '\r' || p [5] == '\n');
}

//  ANPA line 2: "<priority letter> <category letter>" then the format
//  identifier (DC1-DC4, or stripped) and the keyword
static bool
s_anpa_line2 (const uint8_t *p, size_t left)
{
    return left >= 6 && isalpha (p [0]) && p [1] == ' ' && isalpha (p [2])
        && (p [3] == ' ' || (p [3] >= 0x11 && p [3] <= 0x14));
}

//  Length of the line at data[i]
static size_t
s_line_end (const uint8_t *data, size_t size, size_t i)
{
    while (i < size && data [i] != '\n' && data [i] != '\r')
        i++;
    return i;
}

//  Well-known binary formats by their magic bytes: a name, or NULL
static const char *
s_binary_magic (const uint8_t *p, size_t left)
{
    static const struct { const char *magic; size_t len; const char *name; } table [] = {
        { "%PDF-", 5, "a PDF document" },
        { "PK\x03\x04", 4, "a ZIP archive (or an Office document)" },
        { "\x1f\x8b", 2, "gzip-compressed data" },
        { "BZh", 3, "bzip2-compressed data" },
        { "\xfd" "7zXZ", 6, "xz-compressed data" },
        { "7z\xbc\xaf\x27\x1c", 6, "a 7-Zip archive" },
        { "\xff\xd8\xff", 3, "a JPEG image" },
        { "\x89PNG\r\n\x1a\n", 8, "a PNG image" },
        { "GIF87a", 6, "a GIF image" },
        { "GIF89a", 6, "a GIF image" },
        { "\x7f" "ELF", 4, "an executable" },
        { "\xd0\xcf\x11\xe0", 4, "an old Office document" },
        { "RIFF", 4, "a RIFF media file" },
        { "\x00\x00\x00", 3, "binary data" },
    };
    for (size_t i = 0; i < sizeof table / sizeof table [0]; i++)
        if (left >= table [i].len && memcmp (p, table [i].magic, table [i].len) == 0)
            return table [i].name;
    return NULL;
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

//  A JSON Feed: a "version" member whose value is a jsonfeed.org version
//  URL. (Inside a JSON string a quote is escaped, so the pattern cannot
//  come from text; the parser checks that it is the top object's.)
static bool
s_json_feed (const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    while ((p = memmem (p, (size_t) (end - p), "\"version\"", 9)) != NULL) {
        p += 9;
        const uint8_t *q = p;
        while (q < end && isspace (*q))
            q++;
        if (q == end || *q++ != ':')
            continue;
        while (q < end && isspace (*q))
            q++;
        static const char *prefixes [] = {
            "\"https://jsonfeed.org/version/", "\"http://jsonfeed.org/version/", NULL
        };
        for (int k = 0; prefixes [k]; k++) {
            size_t n = strlen (prefixes [k]);
            if ((size_t) (end - q) >= n && memcmp (q, prefixes [k], n) == 0)
                return true;
        }
    }
    return false;
}

static const char *
s_detect_utf8ish (const uint8_t *data, size_t size, char *why, size_t why_size)
{
    const char *magic = s_binary_magic (data, size);
    if (magic) {
        char reason [128];
        snprintf (reason, sizeof reason, "binary: the document is %s, not text", magic);
        return s_fail (why, why_size, reason);
    }
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
        size_t end = s_line_end (data, size, j);
        if (s_anpa_header (data + j, end - j) && !s_7901_header (data + j, end - j, false))
            return "anpa1312";
        return "iptc7901";
    }
    if (s_starts_ci (data, size, i, "ZCZC"))
        return "zczc";

    //  JSON
    if (data [i] == '{' && s_json_feed (data, size))
        return "jsonfeed";
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
        //  A fragment of a G2 item (the IPTC guidelines print them bare):
        //  the parser reports it as what it is
        static const char *g2_parts [] = {
            "itemMeta", "contentMeta", "contentSet", "rightsInfo", "itemSet"
        };
        for (size_t k = 0; k < sizeof g2_parts / sizeof g2_parts [0]; k++)
            if (strcmp (local, g2_parts [k]) == 0)
                return "newsml-g2";
        //  Any other root in the NewsML-G2 (NAR) namespace
        if (s_tag_mentions (attrs, end, "http://iptc.org/std/nar/2006-10-01/"))
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

    //  A ZCZC line within the first few lines (a routing line or noise
    //  before it)
    size_t at = i;
    for (int line = 0; line < 4 && at < size; line++) {
        at = s_line_end (data, size, at);
        while (at < size && (data [at] == '\r' || data [at] == '\n'))
            at++;
        size_t start = at;
        while (start < size && (data [start] == ' ' || data [start] == 0x7F))
            start++;
        if (s_starts_ci (data, size, start, "ZCZC")
        &&  (start + 4 == size || !islower (data [start + 4])))
            return "zczc";
    }

    //  Teletype stripped of its control characters: a 7901 header line, or
    //  an ANPA line 1 followed by an ANPA line 2
    size_t line_end = s_line_end (data, size, i);
    if (s_7901_header (data + i, line_end - i, true))
        return "iptc7901";
    if (line_end - i >= 5 && isalpha (data [i]) && isdigit (data [i + 1]) && isdigit (data [i + 2])
    &&  isdigit (data [i + 3]) && isdigit (data [i + 4])) {
        size_t next = line_end;
        while (next < size && (data [next] == '\r' || data [next] == '\n'))
            next++;
        if (s_anpa_line2 (data + next, s_line_end (data, size, next) - next))
            return "anpa1312";
    }

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
