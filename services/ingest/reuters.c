//  SPDX-License-Identifier: MIT
//  reuters - the Reuters-21578 SGML files (format "reuters-sgml")
//
//  A file holds up to 1,000 <REUTERS> elements after a DOCTYPE, with no
//  root element; the files are SGML, not XML (a raw '>' in text, <D> lists,
//  numeric references to control characters), so a small tag scanner reads
//  them, case-insensitively and without relying on element order. Mapping:
//
//    NEWID                 uri urn:reuters21578:newid:<NEWID>; altids
//                          reuters-newid and reuters-oldid (OLDID)
//    DATE                  versioncreated = "DD-MON-YYYY HH:MM:SS.cc" (the
//                          trailing wire noise cut off); the whole text in
//                          ingest.rawdates
//    TITLE                 headlines[main]
//    AUTHOR                by
//    DATELINE              dateline.text, dateline.place/date, located
//    BODY                  bodies[main] text/plain, kept as printed,
//                          including the closing "Reuter" sign-off: training,
//                          evaluation and production all see the same text
//    TEXT TYPE=UNPROC      the raw text is the body, role "preformatted"
//                          (mostly tables); its first line is the headline
//    TEXT TYPE=BRIEF       headline only, no body
//    TOPICS/PLACES/...     the corpus's hand-assigned labels, each with
//                          creator "reuters-21578" so the classify stage
//                          keeps them apart from its own predictions:
//                          subjects reuters:<topic>, places
//                          reuters-place:<code>, people reuters-person:,
//                          organisations reuters-org:, reuters-exchange:,
//                          reuters-company:
//    REUTERS attributes    extra reuters-lewissplit, reuters-cgisplit,
//                          reuters-topics-attr (ModApte selection),
//                          reuters-csecs; TEXT TYPE as reuters-text-type
//    MKNOTE                ednote
//    UNKNOWN               wire control junk, dropped
//
//  Text: &lt; &gt; &amp; &quot; &apos; and &#N; are decoded; references
//  to control characters (&#2; &#3; &#5; &#127; ...) and ANSI sequences
//  (&#27;[B) are dropped, a run of them between two words becoming one
//  space. The corpus is 7-bit: a few bytes >= 0x80 standing alone, with
//  no letter beside them, in an otherwise ASCII element are line noise
//  (the 0xFC of NEWID 17980) and are dropped with a warning; valid UTF-8
//  is kept; anything else is read as CP1252 with a warning.

#include "common.h"
#include "ingest/parsers.h"

//  An element found by the scanner
typedef struct {
    const char *attrs;          //  Start of the attributes (after the name)
    size_t attrs_len;
    const char *content;        //  Between '>' and the end tag
    size_t content_len;
    const char *end;            //  First byte after the end tag (or content)
    bool closed;                //  The end tag was found
} element_t;

//  ---------------------------------------------------------------------
//  Case-insensitive ASCII compare of n bytes
static bool
s_ieq (const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (tolower ((unsigned char) a [i]) != tolower ((unsigned char) b [i]))
            return false;
    return true;
}

//  ---------------------------------------------------------------------
//  Find the next tag "<name" (followed by '>' or whitespace) in [p, end).
//  close: look for "</name" instead. Returns the '<' or NULL.
static const char *
s_find_tag (const char *p, const char *end, const char *name, bool close)
{
    size_t len = strlen (name);
    while (p < end) {
        p = memchr (p, '<', (size_t) (end - p));
        if (!p)
            return NULL;
        const char *q = p + 1;
        if (close) {
            if (q < end && *q == '/')
                q++;
            else {
                p++;
                continue;
            }
        }
        if ((size_t) (end - q) > len && s_ieq (q, name, len)
        &&  (q [len] == '>' || isspace ((unsigned char) q [len])))
            return p;
        p++;
    }
    return NULL;
}

//  ---------------------------------------------------------------------
//  Find element name in [p, end). Fills el and returns true if the start
//  tag is there; an element without its end tag runs to end.
static void
    s_element_at (const char *start, const char *end, const char *name, element_t *el);

static bool
s_find_element (const char *p, const char *end, const char *name, element_t *el)
{
    const char *start = s_find_tag (p, end, name, false);
    if (!start)
        return false;
    s_element_at (start, end, name, el);
    return true;
}

//  ---------------------------------------------------------------------
//  Fill el for the element whose start tag "<name" is at start.
static void
s_element_at (const char *start, const char *end, const char *name, element_t *el)
{
    const char *attrs = start + 1 + strlen (name);
    const char *gt = memchr (attrs, '>', (size_t) (end - attrs));
    if (!gt) {
        el->attrs = attrs;
        el->attrs_len = (size_t) (end - attrs);
        el->content = end;
        el->content_len = 0;
        el->end = end;
        el->closed = false;
        return;
    }
    el->attrs = attrs;
    el->attrs_len = (size_t) (gt - attrs);
    el->content = gt + 1;
    const char *close = s_find_tag (el->content, end, name, true);
    if (close) {
        el->content_len = (size_t) (close - el->content);
        const char *cgt = memchr (close, '>', (size_t) (end - close));
        el->end = cgt ? cgt + 1 : end;
        el->closed = true;
    }
    else {
        el->content_len = (size_t) (end - el->content);
        el->end = end;
        el->closed = false;
    }
}

//  The elements of a story, by index into s_fields
typedef enum {
    F_DATE, F_TOPICS, F_PLACES, F_PEOPLE, F_ORGS, F_EXCHANGES, F_COMPANIES, F_MKNOTE,
    F_TEXT, F_TITLE, F_AUTHOR, F_DATELINE, F_BODY, F_COUNT
} field_t;

static const char *s_fields [F_COUNT] = {
    "DATE", "TOPICS", "PLACES", "PEOPLE", "ORGS", "EXCHANGES", "COMPANIES", "MKNOTE",
    "TEXT", "TITLE", "AUTHOR", "DATELINE", "BODY"
};

//  ---------------------------------------------------------------------
//  The first start tag of every field in [p, end), in one pass over the
//  tags (s_find_tag once per field would scan the element 13 times).
static void
s_index_fields (const char *p, const char *end, const char **first)
{
    for (int f = 0; f < F_COUNT; f++)
        first [f] = NULL;
    while (p < end && (p = memchr (p, '<', (size_t) (end - p)))) {
        const char *q = p + 1;
        size_t n = 0;
        while (q + n < end && isalpha ((unsigned char) q [n]))
            n++;
        if (n >= 4 && n <= 9 && q + n < end && (q [n] == '>' || isspace ((unsigned char) q [n])))
            for (int f = 0; f < F_COUNT; f++)
                if (!first [f] && strlen (s_fields [f]) == n && s_ieq (q, s_fields [f], n))
                    first [f] = p;
        p++;
    }
}

//  ---------------------------------------------------------------------
//  s_find_element for a field in [p, end), using the index of first tags
static bool
s_field (const char **first, field_t f, const char *p, const char *end, element_t *el)
{
    const char *start = first [f];
    if (!start || start >= end)
        return false;           //  Not in the story, or only after end
    if (start < p)
        return s_find_element (p, end, s_fields [f], el);
    s_element_at (start, end, s_fields [f], el);
    return true;
}

//  ---------------------------------------------------------------------
//  Values of the attributes names [0..count) in a start tag's attribute
//  text, each copied into outs [i] (outs_size bytes, truncated) and found
//  [i] set, in one pass; the first of a repeated attribute wins.
static void
s_attrs (const char *attrs, size_t len, const char **names, int count, char **outs,
         size_t out_size, bool *found)
{
    for (int i = 0; i < count; i++)
        found [i] = false;
    const char *p = attrs, *end = attrs + len;
    while (p < end) {
        while (p < end && isspace ((unsigned char) *p))
            p++;
        const char *key = p;
        while (p < end && !isspace ((unsigned char) *p) && *p != '=')
            p++;
        size_t key_len = (size_t) (p - key);
        while (p < end && isspace ((unsigned char) *p))
            p++;
        const char *value = p;
        size_t value_len = 0;
        if (p < end && *p == '=') {
            p++;
            while (p < end && isspace ((unsigned char) *p))
                p++;
            if (p < end && (*p == '"' || *p == '\'')) {
                char quote = *p++;
                value = p;
                while (p < end && *p != quote)
                    p++;
                value_len = (size_t) (p - value);
                if (p < end)
                    p++;
            }
            else {
                value = p;
                while (p < end && !isspace ((unsigned char) *p))
                    p++;
                value_len = (size_t) (p - value);
            }
        }
        if (key_len == 0) {
            if (p < end)
                p++;
            continue;
        }
        for (int i = 0; i < count; i++) {
            if (found [i] || strlen (names [i]) != key_len || !s_ieq (key, names [i], key_len))
                continue;
            //  Attribute values are identifiers: printable ASCII only
            size_t n = 0;
            for (size_t k = 0; k < value_len && n + 1 < out_size; k++) {
                unsigned char c = (unsigned char) value [k];
                if (c > 0x20 && c < 0x7F)
                    outs [i][n++] = (char) c;
            }
            outs [i][n] = 0;
            found [i] = true;
        }
    }
}

//  ---------------------------------------------------------------------
//  Value of attribute name, copied into out (truncated). Returns true if
//  present.
static bool
s_attr (const char *attrs, size_t len, const char *name, char *out, size_t out_size)
{
    bool found;
    s_attrs (attrs, len, &name, 1, &out, out_size, &found);
    return found;
}

//  ---------------------------------------------------------------------
//  Append a code point as UTF-8
static void
s_put_cp (buf_t *out, uint32_t cp)
{
    char b [4];
    if (cp < 0x80)
        buf_putc (out, (char) cp);
    else
    if (cp < 0x800) {
        b [0] = (char) (0xC0 | (cp >> 6));
        b [1] = (char) (0x80 | (cp & 0x3F));
        buf_append (out, b, 2);
    }
    else
    if (cp < 0x10000) {
        b [0] = (char) (0xE0 | (cp >> 12));
        b [1] = (char) (0x80 | ((cp >> 6) & 0x3F));
        b [2] = (char) (0x80 | (cp & 0x3F));
        buf_append (out, b, 3);
    }
    else {
        b [0] = (char) (0xF0 | (cp >> 18));
        b [1] = (char) (0x80 | ((cp >> 12) & 0x3F));
        b [2] = (char) (0x80 | ((cp >> 6) & 0x3F));
        b [3] = (char) (0x80 | (cp & 0x3F));
        buf_append (out, b, 4);
    }
}

//  ---------------------------------------------------------------------
//  Parse a numeric reference "&#N;" / "&#xN;" at p. Returns its length
//  (0 if not one) and the code point.
static size_t
s_numeric_ref (const char *p, const char *end, uint32_t *cp)
{
    if (end - p < 4 || p [0] != '&' || p [1] != '#')
        return 0;
    const char *q = p + 2;
    uint32_t value = 0;
    int digits = 0;
    if (*q == 'x' || *q == 'X') {
        q++;
        while (q < end && isxdigit ((unsigned char) *q) && digits < 8) {
            value = value * 16 + (uint32_t) (isdigit ((unsigned char) *q)
                  ? *q - '0' : (tolower ((unsigned char) *q) - 'a' + 10));
            q++;
            digits++;
        }
    }
    else
        while (q < end && isdigit ((unsigned char) *q) && digits < 8) {
            value = value * 10 + (uint32_t) (*q - '0');
            q++;
            digits++;
        }
    if (digits == 0 || q >= end || *q != ';')
        return 0;
    *cp = value;
    return (size_t) (q + 1 - p);
}

//  Is this code point a control character (dropped from text)?
static bool
s_is_control (uint32_t cp)
{
    return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp < 0xA0)
        || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF;
}

//  ---------------------------------------------------------------------
//  Decode SGML text [p, end) into out (cleared first): entities, control
//  references and raw control bytes, ANSI escape sequences. A run of
//  dropped controls between two non-space characters becomes one space.
//  Bytes >= 0x80 are copied (the element was made valid UTF-8 before).
static void
s_decode_text (const char *p, const char *end, buf_t *out)
{
    buf_clear (out);
    bool dropped = false;           //  Controls dropped since the last output
    while (p < end) {
        uint32_t cp = 0;
        size_t len = 0;
        unsigned char c = (unsigned char) *p;
        if (c == '&') {
            if ((len = s_numeric_ref (p, end, &cp)) > 0) {
                if (s_is_control (cp)) {
                    p += len;
                    //  ESC [ params letter: an ANSI sequence, all of it goes
                    if (cp == 0x1B && p < end && *p == '[') {
                        const char *q = p + 1;
                        while (q < end && q - p < 12 && (isdigit ((unsigned char) *q) || *q == ';'))
                            q++;
                        if (q < end && isalpha ((unsigned char) *q))
                            p = q + 1;
                    }
                    dropped = true;
                    continue;
                }
            }
            else
            if (end - p >= 4 && memcmp (p, "&lt;", 4) == 0) {
                cp = '<';
                len = 4;
            }
            else
            if (end - p >= 4 && memcmp (p, "&gt;", 4) == 0) {
                cp = '>';
                len = 4;
            }
            else
            if (end - p >= 5 && memcmp (p, "&amp;", 5) == 0) {
                cp = '&';
                len = 5;
            }
            else
            if (end - p >= 6 && memcmp (p, "&quot;", 6) == 0) {
                cp = '"';
                len = 6;
            }
            else
            if (end - p >= 6 && memcmp (p, "&apos;", 6) == 0) {
                cp = '\'';
                len = 6;
            }
            else {
                cp = '&';
                len = 1;
            }
        }
        else
        if (c == 0x1B || (c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7F) {
            p++;
            if (c == 0x1B && p < end && *p == '[') {
                const char *q = p + 1;
                while (q < end && q - p < 12 && (isdigit ((unsigned char) *q) || *q == ';'))
                    q++;
                if (q < end && isalpha ((unsigned char) *q))
                    p = q + 1;
            }
            dropped = true;
            continue;
        }
        else
        if (c == '\r') {
            //  CR LF and lone CR become LF
            p++;
            if (p < end && *p == '\n')
                p++;
            cp = '\n';
            len = 0;
        }
        else {
            //  Copy a run of ordinary bytes at once
            //  Bytes that end a run: controls but \n and \t, '&', DEL
            static const bool special [256] = {
                [0] = true, [1] = true, [2] = true, [3] = true, [4] = true, [5] = true,
                [6] = true, [7] = true, [8] = true, [11] = true, [12] = true, [13] = true,
                [14] = true, [15] = true, [16] = true, [17] = true, [18] = true,
                [19] = true, [20] = true, [21] = true, [22] = true, [23] = true,
                [24] = true, [25] = true, [26] = true, [27] = true, [28] = true,
                [29] = true, [30] = true, [31] = true, ['&'] = true, [0x7F] = true
            };
            const char *q = p;
            while (q < end && !special [(unsigned char) *q])
                q++;
            if (dropped && out->size > 0 && !isspace ((unsigned char) out->data [out->size - 1])
            &&  !isspace ((unsigned char) *p))
                buf_putc (out, ' ');
            dropped = false;
            buf_append (out, p, (size_t) (q - p));
            p = q;
            continue;
        }
        if (dropped && out->size > 0 && !isspace ((unsigned char) out->data [out->size - 1])
        &&  cp != ' ' && cp != '\n' && cp != '\t')
            buf_putc (out, ' ');
        dropped = false;
        s_put_cp (out, cp);
        p += len;
    }
}

//  ---------------------------------------------------------------------
//  Decode and trim [p, end) into a new string; NULL if empty. Caller frees.
static char *
s_text (const char *p, size_t len, buf_t *scratch)
{
    s_decode_text (p, p + len, scratch);
    const char *s = scratch->data ? scratch->data : "";
    size_t n = scratch->size;
    while (n > 0 && isspace ((unsigned char) *s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace ((unsigned char) s [n - 1]))
        n--;
    return n ? xstrndup (s, n) : NULL;
}

//  Same, keeping leading indentation of lines but dropping blank leading
//  lines and trailing whitespace (for bodies). Caller frees; NULL if empty.
static char *
s_body_text (const char *p, size_t len, buf_t *scratch)
{
    s_decode_text (p, p + len, scratch);
    const char *s = scratch->data ? scratch->data : "";
    size_t n = scratch->size;
    //  Skip leading blank lines only
    size_t start = 0, line = 0;
    while (start < n && isspace ((unsigned char) s [start])) {
        if (s [start] == '\n')
            line = start + 1;
        start++;
    }
    if (start == n)
        return NULL;
    while (n > line && isspace ((unsigned char) s [n - 1]))
        n--;
    return xstrndup (s + line, n - line);
}

//  ---------------------------------------------------------------------
//  Add each <D>name</D> of a category field as a concept
static void
s_add_labels (story_conceptv_t *list, const char *p, size_t len, const char *scheme,
              buf_t *scratch)
{
    const char *end = p + len;
    element_t d;
    while (p < end && s_find_element (p, end, "D", &d)) {
        char *name = s_text (d.content, d.content_len, scratch);
        if (name) {
            size_t scheme_len = strlen (scheme), name_len = strlen (name);
            char *literal = xmalloc (scheme_len + name_len + 2);
            memcpy (literal, scheme, scheme_len);
            literal [scheme_len] = ':';
            memcpy (literal + scheme_len + 1, name, name_len + 1);
            if (!story_find_concept (list, literal)) {
                story_concept_t *concept = story_add_concept (list, name);
                concept->literal = literal;
                concept->creator = xstrdup ("reuters-21578");
            }
            else
                free (literal);
            free (name);
        }
        if (d.end <= p)
            break;
        p = d.end;
    }
}

//  ---------------------------------------------------------------------
//  The timestamp at the start of a DATE ("26-FEB-1987 15:01:01.79"),
//  without the wire noise that follows it on 328 stories. Caller frees.
static char *
s_date_prefix (const char *raw)
{
    const char *p = raw;
    //  DD-MON-YYYY
    size_t i = 0;
    while (isdigit ((unsigned char) p [i]) && i < 2)
        i++;
    if (i == 0 || p [i] != '-')
        return xstrdup (raw);
    i++;
    size_t letters = 0;
    while (isalpha ((unsigned char) p [i]) && letters < 9) {
        i++;
        letters++;
    }
    if (letters < 3 || p [i] != '-')
        return xstrdup (raw);
    i++;
    size_t digits = 0;
    while (isdigit ((unsigned char) p [i]) && digits < 4) {
        i++;
        digits++;
    }
    if (digits < 2)
        return xstrdup (raw);
    //  Optional time: HH:MM[:SS[.cc]]
    size_t date_end = i;
    if (p [i] == ' ' && isdigit ((unsigned char) p [i + 1])) {
        size_t j = i + 1;
        while (isdigit ((unsigned char) p [j]) || p [j] == ':' || p [j] == '.')
            j++;
        if (j - i >= 5)
            date_end = j;
    }
    return xstrndup (raw, date_end);
}

//  ---------------------------------------------------------------------
//  Split a dateline ("SAN JOSE, Calif., March 2 -") into place and date:
//  the date starts at the last ", " followed by a month name.
static bool
s_is_month (const char *p)
{
    static const char *months [] = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
    };
    for (size_t i = 0; i < 12; i++)
        if (strncasecmp (p, months [i], 3) == 0
        &&  (p [3] == ' ' || p [3] == '.' || isalpha ((unsigned char) p [3])))
            return true;
    return false;
}

//  Fill dateline.text/place/date and located from the DATELINE text
static void
s_set_dateline (story_t *story, const char *text)
{
    str_set (&story->dateline.text, text);
    //  Trim the closing dash
    size_t len = strlen (text);
    while (len > 0 && (text [len - 1] == '-' || text [len - 1] == ' '))
        len--;
    const char *split = NULL;
    for (const char *p = text; p + 2 < text + len; p++)
        if (p [0] == ',' && p [1] == ' ' && s_is_month (p + 2))
            split = p;
    if (split) {
        char *place = xstrndup (text, (size_t) (split - text));
        char *date = xstrndup (split + 2, (size_t) (text + len - split - 2));
        str_set (&story->dateline.place, place);
        str_set (&story->dateline.date, date);
        str_set (&story->located, place);
        free (place);
        free (date);
    }
    else
    if (len > 0 && len < 80) {
        char *place = xstrndup (text, len);
        str_set (&story->dateline.place, place);
        str_set (&story->located, place);
        free (place);
    }
}

//  ---------------------------------------------------------------------
//  Make one REUTERS element valid UTF-8 per the module rules. Returns the
//  bytes to scan (data itself, or a new buffer in *copy the caller frees).

static const char *
s_element_utf8 (ingest_t *ctx, story_t *story, const char *data, size_t size,
                size_t *out_size, char **copy)
{
    *copy = NULL;
    *out_size = size;
    size_t high = 0;
    bool isolated = true;
    //  Noise: a high byte with no letter and no other high byte next to
    //  it ("growth.\xFC&#5;"); an accented letter sits inside a word
    for (size_t i = 0; i < size; i++)
        if ((unsigned char) data [i] >= 0x80) {
            high++;
            unsigned char before = i > 0 ? (unsigned char) data [i - 1] : ' ';
            unsigned char after = i + 1 < size ? (unsigned char) data [i + 1] : ' ';
            if (before >= 0x80 || after >= 0x80 || isalpha (before) || isalpha (after))
                isolated = false;
        }
    if (high == 0) {
        str_set (&story->ingest.charset, "us-ascii");
        return data;
    }
    if (charset_utf8_valid ((const uint8_t *) data, size)) {
        str_set (&story->ingest.charset, "utf-8");
        return data;
    }
    if (high <= 4 && isolated) {
        //  Line noise in 7-bit wire copy: drop the bytes
        char *clean = xmalloc (size + 1);
        size_t n = 0;
        for (size_t i = 0; i < size; i++)
            if ((unsigned char) data [i] < 0x80)
                clean [n++] = data [i];
        clean [n] = 0;
        story_add_warning (story, "line-noise-dropped:%zu", high);
        str_set (&story->ingest.charset, "us-ascii");
        *copy = clean;
        *out_size = n;
        return clean;
    }
    charset_result_t result;
    strv_t warnings = { 0 };
    char *text = charset_decode ((const uint8_t *) data, size, "windows-1252", NULL,
                                 out_size, &result, &warnings);
    for (size_t i = 0; i < warnings.len; i++)
        story_add_warning (story, "%s", warnings.items [i]);
    strv_free (&warnings);
    story_add_warning (story, "charset-fallback:cp1252");
    str_set (&story->ingest.charset, result.used);
    *copy = text;
    return text;
}

//  ---------------------------------------------------------------------
//  Map one <REUTERS ...> element. Emits the story, or dead-letters the
//  element when it holds no story text at all.
static void
s_parse_story (ingest_t *ctx, const char *start, const char *tag_end, const char *end,
               const char *item_end, bool closed, buf_t *scratch)
{
    story_t *story = ingest_story_new (ctx);
    //  Attributes of the start tag
    const char *attrs = start + 8;
    size_t attrs_len = (size_t) (tag_end - attrs);
    static const char *names [] = {
        "NEWID", "OLDID", "LEWISSPLIT", "CGISPLIT", "TOPICS", "CSECS"
    };
    char values [6][64];
    char *outs [6] = { values [0], values [1], values [2], values [3], values [4], values [5] };
    bool found [6];
    s_attrs (attrs, attrs_len, names, 6, outs, sizeof values [0], found);
    values [0][31] = values [1][31] = 0;        //  Identifiers: 31 characters at most
    const char *newid = found [0] ? values [0] : "";
    const char *oldid = found [1] ? values [1] : "";
    if (newid [0]) {
        char *uri = xasprintf ("urn:reuters21578:newid:%s", newid);
        str_set (&story->uri, uri);
        free (uri);
        story_add_altid (story, "reuters-newid", newid);
    }
    else
        story_add_warning (story, "reuters-no-newid");
    if (oldid [0])
        story_add_altid (story, "reuters-oldid", oldid);
    if (found [2])
        story_set_extra (story, "reuters-lewissplit", values [2]);
    if (found [3])
        story_set_extra (story, "reuters-cgisplit", values [3]);
    if (found [4])
        story_set_extra (story, "reuters-topics-attr", values [4]);
    if (found [5])
        story_set_extra (story, "reuters-csecs", values [5]);
    if (!closed)
        story_add_warning (story, "reuters-truncated");

    //  The element's content, made valid UTF-8
    char *copy;
    size_t size;
    const char *body_start = tag_end + 1;
    const char *text = s_element_utf8 (ctx, story, body_start,
                                       (size_t) (end - body_start), &size, &copy);
    const char *text_end = text + size;

    const char *first [F_COUNT];
    s_index_fields (text, text_end, first);
    element_t el;
    if (s_field (first, F_DATE, text, text_end, &el)) {
        char *raw = s_text (el.content, el.content_len, scratch);
        if (raw) {
            char *date = s_date_prefix (raw);
            str_set (&story->versioncreated, date);
            story_set_rawdate (story, "versioncreated", raw);
            free (date);
            free (raw);
        }
    }
    if (s_field (first, F_TOPICS, text, text_end, &el))
        s_add_labels (&story->subjects, el.content, el.content_len, "reuters", scratch);
    if (s_field (first, F_PLACES, text, text_end, &el))
        s_add_labels (&story->places, el.content, el.content_len, "reuters-place", scratch);
    if (s_field (first, F_PEOPLE, text, text_end, &el))
        s_add_labels (&story->people, el.content, el.content_len, "reuters-person", scratch);
    if (s_field (first, F_ORGS, text, text_end, &el))
        s_add_labels (&story->organisations, el.content, el.content_len, "reuters-org", scratch);
    if (s_field (first, F_EXCHANGES, text, text_end, &el))
        s_add_labels (&story->organisations, el.content, el.content_len, "reuters-exchange", scratch);
    if (s_field (first, F_COMPANIES, text, text_end, &el))
        s_add_labels (&story->organisations, el.content, el.content_len, "reuters-company", scratch);
    if (s_field (first, F_MKNOTE, text, text_end, &el)) {
        char *note = s_text (el.content, el.content_len, scratch);
        str_set (&story->ednote, note);
        free (note);
    }

    element_t text_el;
    bool have_text = s_field (first, F_TEXT, text, text_end, &text_el);
    if (have_text) {
        char type [32] = "NORM";
        s_attr (text_el.attrs, text_el.attrs_len, "TYPE", type, sizeof type);
        if (!str_ieq (type, "NORM"))
            story_set_extra (story, "reuters-text-type", type);
        const char *t = text_el.content, *t_end = text_el.content + text_el.content_len;
        if (s_field (first, F_TITLE, t, t_end, &el)) {
            char *title = s_text (el.content, el.content_len, scratch);
            if (title)
                story_add_text (&story->headlines, "main", "text/plain", title);
            free (title);
        }
        if (s_field (first, F_AUTHOR, t, t_end, &el)) {
            char *author = s_text (el.content, el.content_len, scratch);
            str_set (&story->by, author);
            free (author);
        }
        if (s_field (first, F_DATELINE, t, t_end, &el)) {
            char *dateline = s_text (el.content, el.content_len, scratch);
            if (dateline)
                s_set_dateline (story, dateline);
            free (dateline);
        }
        if (s_field (first, F_BODY, t, t_end, &el)) {
            char *body = s_body_text (el.content, el.content_len, scratch);
            if (body)
                story_add_text (&story->bodies, "main", "text/plain", body);
            free (body);
        }
        else
        if (str_ieq (type, "UNPROC")) {
            //  Unprocessed text: everything in TEXT; its first line heads it
            char *raw = s_body_text (t, text_el.content_len, scratch);
            if (raw) {
                const char *rest = raw;
                if (story->headlines.len == 0) {
                    const char *nl = strchr (raw, '\n');
                    size_t line_len = nl ? (size_t) (nl - raw) : strlen (raw);
                    char *line = xstrndup (raw, line_len);
                    char *trimmed = s_text (line, line_len, scratch);
                    if (trimmed && strlen (trimmed) <= 200) {
                        story_add_text (&story->headlines, "main", "text/plain", trimmed);
                        rest = nl ? nl + 1 : raw + line_len;
                    }
                    free (trimmed);
                    free (line);
                }
                while (*rest == '\n')
                    rest++;
                if (*rest)
                    story_add_text (&story->bodies, "preformatted", "text/plain", rest);
            }
            free (raw);
        }
    }
    free (copy);

    if (story->headlines.len == 0 && story->bodies.len == 0) {
        //  NEWID 12793 is such a story: an identity and a date, no text.
        //  It is still a story of the corpus; without an id it is junk.
        if (!story->uri) {
            ingest_bad_story (ctx, &story, start, (size_t) (item_end - start),
                              "reuters: <REUTERS> element with no NEWID and no text");
            return;
        }
        story_add_warning (story, "empty-text");
    }
    str_set (&story->language, "en");
    story_concept_t *source = story_add_concept (&story->infosources, "Reuters");
    str_set (&source->role, "source");
    ingest_set_item (ctx, start, (size_t) (item_end - start));
    ingest_emit (ctx, &story);
}

//  ---------------------------------------------------------------------
//  Parse a Reuters-21578 SGML file: one story per <REUTERS> element.
int
reuters_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    const char *p = (const char *) data;
    const char *end = p + size;
    buf_t scratch;
    buf_init (&scratch);
    int elements = 0;
    const char *start = s_find_tag (p, end, "REUTERS", false);
    while (start) {
        elements++;
        const char *tag_end = memchr (start, '>', (size_t) (end - start));
        const char *next = s_find_tag (start + 8, end, "REUTERS", false);
        if (!tag_end || (next && tag_end > next)) {
            const char *stop = next ? next : end;
            ingest_bad_item (ctx, start, (size_t) (stop - start),
                             "reuters: unterminated <REUTERS> start tag");
            start = next;
            continue;
        }
        //  The element ends at </REUTERS>, or at the next <REUTERS> / EOF
        const char *limit = next ? next : end;
        const char *close = s_find_tag (tag_end, limit, "REUTERS", true);
        const char *el_end = limit;
        bool closed = false;
        if (close) {
            const char *gt = memchr (close, '>', (size_t) (limit - close));
            el_end = gt ? gt + 1 : limit;
            closed = true;
        }
        s_parse_story (ctx, start, tag_end, closed ? close : el_end, el_end, closed, &scratch);
        start = next;
    }
    buf_free (&scratch);
    if (elements == 0) {
        ingest_fail (ctx, "not Reuters-21578 SGML: no <REUTERS> element found");
        return -1;
    }
    return 0;
}
