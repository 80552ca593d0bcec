//  SPDX-License-Identifier: MIT
//  html_oracle - the tree-walk HTML conversion of common/html.c as it was
//  before the one-pass SAX rewrite (commit 274a48e), kept for the tests
//  only: libxml2 builds a tree (htmlReadMemory), then two recursive walks
//  write the text and the sanitized HTML. test_html_sax and fuzz_html_diff
//  check that the SAX conversion gives byte for byte the same output.
//  Names: html_old_to_text, html_old_sanitize, html_old_convert,
//  html_old_convert_parsed; everything else static with an old_ prefix.
//
//  Header-only: include it once per test executable.

#ifndef COPYDESK_HTML_ORACLE_H
#define COPYDESK_HTML_ORACLE_H

#include "common.h"
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#ifdef __SSE2__
#   include <emmintrin.h>
#endif

static void
    html_old_convert_parsed (const char *html, size_t len, char **text, char **safe);

#define OLD_HTML_MAX_DEPTH 200      //  Elements nested deeper are not walked
#define OLD_HTML_MAX_INPUT (32 * 1024 * 1024)

//  --------------------------------------------------------------------------
//  Element classes

//  Dropped with everything inside them
static const char *old_dropped [] = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed",
    "applet", "noscript", "noembed", "noframes", "template", "svg", "math",
    "canvas", "audio", "video", "source", "track", "param", "head", "title",
    "meta", "link", "base", "input", "button", "select", "textarea", "option",
    "optgroup", "datalist", "img", "picture", "map", "area", "xml", "form",
    "dialog", "portal", "basefont", "bgsound", "marquee", "blink",
    NULL
};

//  Block elements: a paragraph break before and after
static const char *old_blocks [] = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
    "article", "aside", "header", "footer", "nav", "main", "figure",
    "figcaption", "address", "center", "dl", "dt", "dd", "hr", "fieldset",
    "legend", "details", "summary", "body", "html", "caption", "hgroup",
    "ul", "ol", "li", "table", "pre", "listing", "xmp", "plaintext",
    NULL
};

//  Is name the lower-case ASCII lower, case aside? (xmlStrcasecmp's
//  answer, which folds ASCII only, without a call and a table per byte)
static inline bool
old_ieq (const xmlChar *name, const char *lower)
{
    for (;; name++, lower++) {
        unsigned char c = *name;
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (c != (unsigned char) *lower)
            return false;
        if (!c)
            return true;
    }
}

//  Is name in the list (lower case names)?
static bool
old_is (const char **list, const xmlChar *name)
{
    for (; *list; list++)
        if (old_ieq (name, *list))
            return true;
    return false;
}

static bool
old_named (xmlNode *node, const char *name)
{
    return node->name && old_ieq (node->name, name);
}

//  --------------------------------------------------------------------------
//  Parse a fragment or document; NULL when libxml2 gives up.

static htmlDocPtr
old_parse (const char *html, size_t len)
{
    if (len > OLD_HTML_MAX_INPUT)
        len = OLD_HTML_MAX_INPUT;
    //  The parser is told the input is UTF-8: make sure it is, or it would
    //  pass invalid bytes through to our output
    char *repaired = NULL;
    if (!charset_utf8_valid ((const uint8_t *) html, len) || memchr (html, 0, len)) {
        repaired = text_utf8_repair (html, len, NULL);
        html = repaired;
        len = strlen (repaired);
    }
    //  Read as UTF-8 without libxml2's converter, as html.c reads it: the
    //  converter hands the parser its input in pieces, and a name that
    //  spans two of them (an entity name of 100 non-ASCII letters) loses
    //  its beginning (htmlParseNameComplex restarts where the input moved)
    htmlDocPtr doc = htmlReadMemory (html, (int) len, NULL, NULL,
                                     HTML_PARSE_NONET | HTML_PARSE_NOERROR
                                     | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER
                                     | HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT);
    free (repaired);
    return doc;
}

//  ==========================================================================
//  HTML to text

typedef struct {
    buf_t out;                  //  Text so far
    int pending;                //  Breaks owed: 0 none, 1 space, 2 line, 3 paragraph
    int pre;                    //  Inside <pre> (depth)
    int cell;                   //  Inside a table cell (depth)
    bool row_started;           //  A cell was written in the current row
    bool row_break;             //  A top-level row starts: paragraph break owed
    bool at_start;              //  Nothing written yet
} old_text_walk_t;

static void
old_want (old_text_walk_t *self, int level)
{
    if (level > self->pending)
        self->pending = level;
}

//  Write text, paying any owed break first
static void
old_write (old_text_walk_t *self, const char *s, size_t len)
{
    if (len == 0)
        return;
    if (self->row_break) {
        if (!self->at_start)
            self->pending = 3;
        self->row_break = false;
        if (self->pending && !self->at_start)
            buf_puts (&self->out, "\n\n");
        self->pending = 0;
    }
    if (self->pending && !self->at_start) {
        if (self->cell && self->pending > 1)
            buf_puts (&self->out, " ");
        else
        if (self->pending == 3)
            buf_puts (&self->out, "\n\n");
        else
        if (self->pending == 2)
            buf_putc (&self->out, '\n');
        else
            buf_putc (&self->out, ' ');
    }
    self->pending = 0;
    self->at_start = false;
    buf_append (&self->out, s, len);
}

//  Cell or row separator inside a line: no space owed before it
static void
old_separator (old_text_walk_t *self, const char *separator)
{
    if (self->pending == 1)
        self->pending = 0;
    old_write (self, separator, strlen (separator));
}

//  Text (len bytes): collapse white space unless inside <pre>
static void
old_text (old_text_walk_t *self, const char *s, size_t len)
{
    const char *end = s + len;
    if (self->pre) {
        //  Keep lines; a break owed before them is paid by the first line
        const char *p = s;
        while (p < end) {
            const char *nl = (const char *) memchr (p, '\n', (size_t) (end - p));
            size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);
            if (n && p [n - 1] == '\r')
                n--;
            old_write (self, p, n);
            if (!nl)
                break;
            if (!self->at_start)
                old_want (self, 2);
            p = nl + 1;
        }
        return;
    }
    const char *p = s;
    while (p < end) {
        if (isspace ((unsigned char) *p)) {
            old_want (self, 1);
            while (p < end && isspace ((unsigned char) *p))
                p++;
            continue;
        }
        const char *start = p;
        while (p < end && !isspace ((unsigned char) *p))
            p++;
        old_write (self, start, (size_t) (p - start));
    }
}

//  What an element did on the way in, to undo on the way out
typedef struct {
    bool row;                   //  A table row
    bool cell;                  //  A table cell
    bool block;                 //  A block element
    bool pre;                   //  Preformatted
    bool outer_row;             //  Row state of an enclosing table
} old_text_frame_t;

//  A line break (<br>)
static void
old_text_br (old_text_walk_t *self)
{
    if (self->cell)
        old_want (self, 1);
    else
    if (!self->at_start) {
        //  Two <br> in a row are a paragraph break
        if (self->pending >= 2)
            self->pending = 3;
        else
            self->pending = 2;
    }
}

//  Into an element (not br, not dropped): the breaks and markers before
//  its content. number: a list item's position in an <ol>, else 0.
static void
old_text_open (old_text_walk_t *self, const xmlChar *name, int number, old_text_frame_t *frame)
{
    memset (frame, 0, sizeof *frame);
    if (old_ieq (name, "tr")) {
        frame->row = true;
        if (self->cell) {
            old_separator (self, " /");       //  Row of a nested table
            old_want (self, 1);
        }
        else
            old_want (self, 3);
        frame->outer_row = self->row_started;
        self->row_started = false;
        return;
    }
    if (old_ieq (name, "td")
    ||  old_ieq (name, "th")) {
        frame->cell = true;
        if (self->row_started)
            old_separator (self, " |");
        else
        if (!self->cell)
            self->row_break = true;
        old_want (self, 1);
        self->row_started = true;
        self->cell++;
        return;
    }
    frame->block = old_is (old_blocks, name);
    frame->pre = old_ieq (name, "pre")
              || old_ieq (name, "listing")
              || old_ieq (name, "xmp")
              || old_ieq (name, "plaintext");
    if (frame->block)
        old_want (self, self->cell ? 1 : 3);
    if (old_ieq (name, "li") && !self->cell) {
        if (number > 0) {
            char marker [16];
            snprintf (marker, sizeof marker, "%d.", number);
            old_write (self, marker, strlen (marker));
        }
        else
            old_write (self, "-", 1);
        old_want (self, 1);
    }
    if (frame->pre)
        self->pre++;
}

//  Out of an element opened with old_text_open
static void
old_text_close (old_text_walk_t *self, const old_text_frame_t *frame)
{
    if (frame->row) {
        self->row_started = frame->outer_row;
        if (!self->cell)
            old_want (self, 3);
        return;
    }
    if (frame->cell) {
        self->cell--;
        return;
    }
    if (frame->pre)
        self->pre--;
    if (frame->block)
        old_want (self, self->cell ? 1 : 3);
}

static void
old_text_walk (old_text_walk_t *self, xmlNode *node, int depth)
{
    for (; node; node = node->next) {
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            if (node->content)
                old_text (self, (const char *) node->content, strlen ((const char *) node->content));
            continue;
        }
        if (node->type != XML_ELEMENT_NODE || !node->name)
            continue;
        if (old_is (old_dropped, node->name))
            continue;
        if (depth >= OLD_HTML_MAX_DEPTH)
            continue;
        if (old_named (node, "br")) {
            old_text_br (self);
            continue;
        }
        int number = 0;
        if (old_named (node, "li") && node->parent && old_named (node->parent, "ol")) {
            number = 1;
            for (xmlNode *sib = node->parent->children; sib && sib != node; sib = sib->next)
                if (sib->type == XML_ELEMENT_NODE && old_named (sib, "li"))
                    number++;
        }
        old_text_frame_t frame;
        old_text_open (self, node->name, number, &frame);
        old_text_walk (self, node->children, depth + 1);
        old_text_close (self, &frame);
    }
}

//  ==========================================================================
//  Markup already in the sanitized form
//
//  What html_old_sanitize writes, and what the XML parsers build from their
//  body markup, is a strict subset of HTML: the blocks p, h2, pre, ul/ol
//  of li and table of tr of td/th at the top; inside them text escaped
//  with &amp; &lt; &gt; and the inline a[href], em, strong and br. Such
//  markup is read here in one pass without libxml2: the text comes out as
//  old_text_walk gives it from libxml2's tree, and the markup is its own
//  sanitized form (once a &quot; in text is written as the '"' it is). Anything beyond the strictest reading of the subset
//  (another attribute or element, an unsafe link, white-space-only text
//  between tags, a newline right after <pre>, another entity, controls or
//  non-characters, invalid UTF-8, nesting deeper than OLD_HTML_FAST_DEPTH)
//  goes to libxml2 as before.

#define OLD_HTML_FAST_DEPTH 32      //  Deeper markup takes the libxml2 path

//  Elements of the sanitized form
typedef enum {
    OLD_FAST_ROOT, OLD_FAST_P, OLD_FAST_H2, OLD_FAST_PRE, OLD_FAST_UL, OLD_FAST_OL, OLD_FAST_LI, OLD_FAST_TABLE,
    OLD_FAST_TR, OLD_FAST_TD, OLD_FAST_TH, OLD_FAST_A, OLD_FAST_EM, OLD_FAST_STRONG, OLD_FAST_BR, OLD_FAST_NONE
} old_fast_kind_t;

static const char *old_fast_names [] = {
    "", "p", "h2", "pre", "ul", "ol", "li", "table", "tr", "td", "th", "a", "em",
    "strong", "br"
};

//  The element named by len lower-case bytes at name, or OLD_FAST_NONE
static old_fast_kind_t
old_fast_kind (const char *name, size_t len)
{
    for (int kind = OLD_FAST_P; kind < OLD_FAST_NONE; kind++)
        if (strlen (old_fast_names [kind]) == len && memcmp (old_fast_names [kind], name, len) == 0)
            return (old_fast_kind_t) kind;
    return OLD_FAST_NONE;
}

//  True if child may stand directly in parent (in_link: inside an <a>)
static bool
old_fast_fits (old_fast_kind_t parent, old_fast_kind_t child, bool in_link)
{
    switch (parent) {
        case OLD_FAST_ROOT:
            return child == OLD_FAST_P || child == OLD_FAST_H2 || child == OLD_FAST_PRE
                || child == OLD_FAST_UL || child == OLD_FAST_OL || child == OLD_FAST_TABLE;
        case OLD_FAST_UL:
        case OLD_FAST_OL:
            return child == OLD_FAST_LI;
        case OLD_FAST_TABLE:
            return child == OLD_FAST_TR;
        case OLD_FAST_TR:
            return child == OLD_FAST_TD || child == OLD_FAST_TH;
        default:
            //  Inline content: in p, h2, pre, li, td, th, a, em, strong
            return child == OLD_FAST_EM || child == OLD_FAST_STRONG || child == OLD_FAST_BR
                || (child == OLD_FAST_A && !in_link);
    }
}

//  True if text may stand directly in parent
static bool
old_fast_takes_text (old_fast_kind_t parent)
{
    return parent != OLD_FAST_ROOT && parent != OLD_FAST_UL && parent != OLD_FAST_OL
        && parent != OLD_FAST_TABLE && parent != OLD_FAST_TR;
}

//  Length of the entity at p that the sanitized form writes (&amp; &lt;
//  &gt;, and &quot; in attributes; we also read &quot; in text), 0 for
//  anything else; its character into *c
static size_t
old_fast_entity (const char *p, size_t left, char *c)
{
    if (left >= 5 && memcmp (p, "&amp;", 5) == 0) {
        *c = '&';
        return 5;
    }
    if (left >= 4 && memcmp (p, "&lt;", 4) == 0) {
        *c = '<';
        return 4;
    }
    if (left >= 4 && memcmp (p, "&gt;", 4) == 0) {
        *c = '>';
        return 4;
    }
    if (left >= 6 && memcmp (p, "&quot;", 6) == 0) {
        *c = '"';
        return 6;
    }
    return 0;
}

//  Length of the UTF-8 character at p when it is one the sanitized form
//  keeps as it is (valid, not C1, not a non-character U+FFFE/U+FFFF), else
//  0. p [0] >= 0x80.
static size_t
old_fast_char (const uint8_t *p, size_t left)
{
    uint8_t c = p [0];
    if (c >= 0xC2 && c <= 0xDF)
        return left >= 2 && (p [1] & 0xC0) == 0x80 && !(c == 0xC2 && p [1] < 0xA0) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || (p [1] & 0xC0) != 0x80 || (p [2] & 0xC0) != 0x80
        || (c == 0xE0 && p [1] < 0xA0) || (c == 0xED && p [1] >= 0xA0)
        || (c == 0xEF && p [1] == 0xBF && p [2] >= 0xBE))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || (p [1] & 0xC0) != 0x80 || (p [2] & 0xC0) != 0x80
        || (p [3] & 0xC0) != 0x80 || (c == 0xF0 && p [1] < 0x90) || (c == 0xF4 && p [1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

//  True if the href value (raw, len bytes) is a link the sanitizer keeps
//  as it is
static bool
old_fast_href (const char *href, size_t len)
{
    if (len > 4096)
        return false;
    if (!((len >= 7 && strncasecmp (href, "http://", 7) == 0)
       || (len >= 8 && strncasecmp (href, "https://", 8) == 0)
       || (len >= 7 && strncasecmp (href, "mailto:", 7) == 0)))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) href [i];
        char decoded;
        if (c <= 0x20 || c >= 0x7F || c == '<' || c == '>' || c == '"')
            return false;
        if (c == '&') {
            size_t n = old_fast_entity (href + i, len - i, &decoded);
            if (n == 0)
                return false;
            i += n - 1;
        }
    }
    return true;
}

//  One open element of the fast walk
typedef struct {
    old_fast_kind_t kind;
    int items;                  //  List items so far (in an <ol>)
    old_text_frame_t frame;         //  What the text walk owes on the way out
} old_fast_level_t;

//  Read markup in the sanitized form, feeding the text walk (may be NULL:
//  check only). Returns false as soon as the markup leaves the form; the
//  walk then holds a partial result to throw away. *quotes: text holds
//  &quot;, which the sanitized form writes as '"'.
static bool
old_fast_walk (const char *html, size_t len, old_text_walk_t *walk, bool *quotes)
{
    *quotes = false;
    if (len > OLD_HTML_MAX_INPUT)
        return false;
    old_fast_level_t stack [OLD_HTML_FAST_DEPTH];
    int depth = 0;
    stack [0].kind = OLD_FAST_ROOT;
    stack [0].items = 0;
    int links = 0;
    size_t i = 0;
    while (i < len) {
        old_fast_kind_t parent = stack [depth].kind;
        if (html [i] == '<') {
            bool closing = i + 1 < len && html [i + 1] == '/';
            size_t at = i + 1 + (closing ? 1 : 0);
            size_t n = 0;
            while (at + n < len && ((html [at + n] >= 'a' && html [at + n] <= 'z')
                                    || html [at + n] == '2'))
                n++;
            old_fast_kind_t kind = old_fast_kind (html + at, n);
            if (kind == OLD_FAST_NONE)
                return false;
            at += n;
            if (closing) {
                if (depth == 0 || stack [depth].kind != kind || at >= len || html [at] != '>')
                    return false;
                if (walk)
                    old_text_close (walk, &stack [depth].frame);
                if (kind == OLD_FAST_A)
                    links--;
                depth--;
                i = at + 1;
                continue;
            }
            if (!old_fast_fits (parent, kind, links > 0))
                return false;
            if (kind == OLD_FAST_A) {
                if (len - at < 7 || memcmp (html + at, " href=\"", 7) != 0)
                    return false;
                at += 7;
                const char *quote = (const char *) memchr (html + at, '"', len - at);
                if (!quote || !old_fast_href (html + at, (size_t) (quote - html) - at))
                    return false;
                at = (size_t) (quote - html) + 1;
            }
            if (at >= len || html [at] != '>')
                return false;
            i = at + 1;
            if (kind == OLD_FAST_BR) {
                if (walk)
                    old_text_br (walk);
                continue;
            }
            if (depth + 1 >= OLD_HTML_FAST_DEPTH)
                return false;
            if (kind == OLD_FAST_PRE && i < len && (html [i] == '\n' || html [i] == '\r'))
                return false;   //  The parser would drop that newline
            depth++;
            stack [depth].kind = kind;
            stack [depth].items = 0;
            int number = 0;
            if (kind == OLD_FAST_LI && parent == OLD_FAST_OL)
                number = ++stack [depth - 1].items;
            if (kind == OLD_FAST_A)
                links++;
            if (walk)
                old_text_open (walk, (const xmlChar *) old_fast_names [kind], number,
                             &stack [depth].frame);
            continue;
        }
        //  Text up to the next tag, with something besides white space
        if (!old_fast_takes_text (parent))
            return false;
        size_t start = i;
        bool visible = false;
        while (i < len && html [i] != '<') {
#ifdef __SSE2__
            //  16 bytes at a time of printable ASCII but < & >
            if (i + 16 <= len) {
                __m128i v = _mm_loadu_si128 ((const __m128i *) (html + i));
                __m128i bad = _mm_or_si128 (
                    _mm_cmpeq_epi8 (_mm_min_epu8 (v, _mm_set1_epi8 (0x1F)), v),
                    _mm_cmpeq_epi8 (_mm_max_epu8 (v, _mm_set1_epi8 (0x7F)), v));
                bad = _mm_or_si128 (bad, _mm_or_si128 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('<')),
                                                       _mm_cmpeq_epi8 (v, _mm_set1_epi8 ('&'))));
                bad = _mm_or_si128 (bad, _mm_cmpeq_epi8 (v, _mm_set1_epi8 ('>')));
                if (_mm_movemask_epi8 (bad) == 0) {
                    if (_mm_movemask_epi8 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 (' '))) != 0xFFFF)
                        visible = true;
                    i += 16;
                    continue;
                }
            }
#endif
            unsigned char c = (unsigned char) html [i];
            if (c >= 0x80) {
                size_t n = old_fast_char ((const uint8_t *) html + i, len - i);
                if (n == 0)
                    return false;
                visible = true;
                i += n;
                continue;
            }
            if (c == '&') {
                char decoded;
                size_t n = old_fast_entity (html + i, len - i, &decoded);
                if (n == 0)
                    return false;
                if (decoded == '"')
                    *quotes = true;
                if (walk) {
                    old_text (walk, html + start, i - start);
                    old_text (walk, &decoded, 1);
                }
                visible = true;
                i += n;
                start = i;
                continue;
            }
            if (c == '>' || c == 0x7F || (c < 0x20 && c != '\n' && c != '\t'))
                return false;
            if (c != ' ' && c != '\n' && c != '\t')
                visible = true;
            i++;
        }
        if (!visible)
            return false;
        if (walk)
            old_text (walk, html + start, i - start);
    }
    return depth == 0;
}

//  The sanitized form of markup old_fast_walk accepted: a copy, with
//  &quot; in text written as '"' when quotes. Caller frees.
static char *
old_fast_safe (const char *html, size_t len, bool quotes)
{
    if (!quotes)
        return xstrndup (html, len);
    buf_t out;
    buf_init (&out);
    buf_reserve (&out, len + 1);
    size_t i = 0;
    while (i < len) {
        if (html [i] == '<') {
            //  A tag, as it is (its attribute has no raw '>')
            const char *end = (const char *) memchr (html + i, '>', len - i);
            size_t n = end ? (size_t) (end - html) + 1 - i : len - i;
            buf_append (&out, html + i, n);
            i += n;
            continue;
        }
        if (len - i >= 6 && memcmp (html + i, "&quot;", 6) == 0) {
            buf_putc (&out, '"');
            i += 6;
            continue;
        }
        buf_putc (&out, html [i++]);
    }
    return buf_detach (&out);
}

//  --------------------------------------------------------------------------
//  HTML fragment or document to plain text paragraphs. Caller frees.

static char *
html_old_to_text (const char *html, size_t len)
{
    if (!html || len == 0)
        return xstrdup ("");
    old_text_walk_t fast = { .at_start = true };
    buf_init (&fast.out);
    bool quotes;
    if (old_fast_walk (html, len, &fast, &quotes))
        return fast.out.data ? buf_detach (&fast.out) : xstrdup ("");
    buf_free (&fast.out);
    htmlDocPtr doc = old_parse (html, len);
    if (!doc)
        return xstrdup ("");
    old_text_walk_t walk = { .at_start = true };
    buf_init (&walk.out);
    old_text_walk (&walk, doc->children, 0);
    xmlFreeDoc (doc);
    if (!walk.out.data)
        return xstrdup ("");
    return buf_detach (&walk.out);
}

//  ==========================================================================
//  Sanitizing

//  Kept as they are
static const char *old_kept [] = {
    "p", "h2", "ul", "ol", "li", "table", "tr", "td", "th", "a", "em", "strong",
    "br", "pre",
    NULL
};

//  Inline elements we keep (everything else kept is a block)
static const char *old_inline_kept [] = { "a", "em", "strong", "br", NULL };

typedef struct {
    buf_t out;                  //  HTML so far
    bool auto_p;                //  A <p> we opened for loose inline content is open
    int inline_ok;              //  Depth of elements that take inline content
    int table;                  //  Inside table (depth)
    int row;                    //  Inside tr (depth)
    int list;                   //  Inside ul/ol directly (not in li)
    int inline_depth;           //  Kept inline elements open (a, em, strong)
    int in_link;                //  Inside a kept <a>
} old_clean_walk_t;

static void
old_escape (buf_t *out, const char *s, bool attribute)
{
    const char *run = s;        //  Bytes from here on are copied as they are
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (c >= 0x20 && c != '&' && c != '<' && c != '>' && c != '"' && c != 0x7F && c != 0xC2)
            continue;           //  Plain: part of the run
        if (s > run)
            buf_append (out, run, (size_t) (s - run));
        //  No control characters in what we write: CR LF and CR become LF,
        //  other C0, DEL and C1 go
        if (c == '\r') {
            if (s [1] != '\n')
                buf_putc (out, '\n');
        }
        else
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
            //  Dropped
        }
        else
        if (c == 0xC2 && (unsigned char) s [1] >= 0x80 && (unsigned char) s [1] < 0xA0)
            s++;
        else
        switch (*s) {
            case '&': buf_puts (out, "&amp;"); break;
            case '<': buf_puts (out, "&lt;"); break;
            case '>': buf_puts (out, "&gt;"); break;
            case '"':
                if (attribute)
                    buf_puts (out, "&quot;");
                else
                    buf_putc (out, '"');
                break;
            default: buf_putc (out, *s);
        }
        run = s + 1;
    }
    if (s > run)
        buf_append (out, run, (size_t) (s - run));
}

//  A link we allow: http, https or mailto, after removing the white space
//  and controls browsers ignore inside a scheme. Caller frees; NULL if not.
static char *
old_safe_href (const char *href)
{
    if (!href)
        return NULL;
    buf_t clean;
    buf_init (&clean);
    for (const unsigned char *p = (const unsigned char *) href; *p; p++)
        if (*p > 0x20 && *p != 0x7F)
            buf_putc (&clean, (char) *p);
    char *url = buf_detach (&clean);
    if (!url)
        return NULL;
    char *lower = text_lower_ascii (url);
    bool ok = str_starts (lower, "http://") || str_starts (lower, "https://")
           || str_starts (lower, "mailto:");
    free (lower);
    if (!ok || strlen (url) > 4096) {
        free (url);
        return NULL;
    }
    return url;
}

static void
old_close_auto_p (old_clean_walk_t *self)
{
    //  Never inside an open inline element: that would mis-nest
    if (self->auto_p && self->inline_depth == 0) {
        buf_puts (&self->out, "</p>");
        self->auto_p = false;
    }
}

//  Make sure inline content has a home: open a <p> at block level
static bool
old_inline_home (old_clean_walk_t *self)
{
    if (self->inline_ok || self->auto_p || self->inline_depth)
        return true;
    if (self->table || self->list)
        return false;           //  Loose text between rows or items: dropped
    buf_puts (&self->out, "<p>");
    self->auto_p = true;
    return true;
}

static bool
old_has_text (const char *s)
{
    for (; *s; s++)
        if (!isspace ((unsigned char) *s))
            return true;
    return false;
}

static void
    old_clean_walk (old_clean_walk_t *self, xmlNode *node, int depth);

//  The container we are directly in takes only rows, cells or items: open
//  what makes other content valid there (li; td; tr and td). Returns the
//  wrapper opened (0 none) and saves the context to restore.
static int
old_wrap_open (old_clean_walk_t *self, old_clean_walk_t *saved)
{
    if (self->inline_ok || self->inline_depth || self->auto_p)
        return 0;
    int kind = self->list ? 1 : self->row ? 2 : self->table ? 3 : 0;
    if (!kind)
        return 0;
    *saved = *self;
    buf_puts (&self->out, kind == 1 ? "<li>" : kind == 2 ? "<td>" : "<tr><td>");
    self->inline_ok = 1;
    self->list = 0;
    self->table = 0;
    self->row = 0;
    return kind;
}

static void
old_wrap_close (old_clean_walk_t *self, int kind, const old_clean_walk_t *saved)
{
    if (!kind)
        return;
    old_close_auto_p (self);
    buf_puts (&self->out, kind == 1 ? "</li>" : kind == 2 ? "</td>" : "</td></tr>");
    self->inline_ok = saved->inline_ok;
    self->list = saved->list;
    self->table = saved->table;
    self->row = saved->row;
}

//  One kept inline element (a, em, strong, br)
static void
old_clean_inline (old_clean_walk_t *self, xmlNode *node, const char *mapped, int depth)
{
    if (strcmp (mapped, "a") == 0) {
        xmlChar *href = xmlGetProp (node, (const xmlChar *) "href");
        char *safe = self->in_link ? NULL : old_safe_href ((const char *) href);
        xmlFree (href);
        if (!safe) {
            //  No safe link, or a link inside a link (HTML forbids it)
            old_clean_walk (self, node->children, depth + 1);
            return;
        }
        if (!old_inline_home (self)) {
            free (safe);
            return;
        }
        buf_puts (&self->out, "<a href=\"");
        old_escape (&self->out, safe, true);
        buf_puts (&self->out, "\">");
        free (safe);
        self->inline_depth++;
        self->in_link++;
        old_clean_walk (self, node->children, depth + 1);
        self->in_link--;
        self->inline_depth--;
        buf_puts (&self->out, "</a>");
        return;
    }
    if (!old_inline_home (self))
        return;
    if (strcmp (mapped, "br") == 0) {
        buf_puts (&self->out, "<br>");
        return;
    }
    buf_printf (&self->out, "<%s>", mapped);
    self->inline_depth++;
    old_clean_walk (self, node->children, depth + 1);
    self->inline_depth--;
    buf_printf (&self->out, "</%s>", mapped);
}

//  One kept block element (p, h2, ul, ol, li, table, tr, td, th, pre)
static void
old_clean_block (old_clean_walk_t *self, xmlNode *node, const char *mapped, int depth)
{
    bool is_table = strcmp (mapped, "table") == 0;
    bool is_row = strcmp (mapped, "tr") == 0;
    bool is_cell = strcmp (mapped, "td") == 0 || strcmp (mapped, "th") == 0;
    bool is_list = strcmp (mapped, "ul") == 0 || strcmp (mapped, "ol") == 0;
    bool is_item = strcmp (mapped, "li") == 0;
    //  Rows only directly in tables, cells only in rows, items only in
    //  lists, blocks never inside inline content: elsewhere, unwrapped
    bool misplaced = (is_row && (!self->table || self->row || self->inline_ok))
                  || (is_cell && (!self->row || self->inline_ok))
                  || (is_item && (!self->list || self->inline_ok))
                  || self->inline_depth
                  || (self->inline_ok && !is_row && !is_cell && !is_item);
    if (misplaced) {
        if (!self->inline_ok)
            old_close_auto_p (self);
        old_clean_walk (self, node->children, depth + 1);
        if (!self->inline_ok)
            old_close_auto_p (self);
        return;
    }
    old_close_auto_p (self);
    buf_printf (&self->out, "<%s>", mapped);
    old_clean_walk_t saved = *self;
    if (is_table) {
        self->table = 1;
        self->row = 0;
        self->list = 0;
        self->inline_ok = 0;
    }
    else
    if (is_row)
        self->row = 1;
    else
    if (is_list) {
        self->list = 1;
        self->inline_ok = 0;
        self->table = 0;
        self->row = 0;
    }
    else {
        //  p, h2, pre, li, td, th take inline content
        self->inline_ok = 1;
        self->list = 0;
        self->table = 0;
        self->row = 0;
    }
    old_clean_walk (self, node->children, depth + 1);
    old_close_auto_p (self);
    self->table = saved.table;
    self->row = saved.row;
    self->list = saved.list;
    self->inline_ok = saved.inline_ok;
    buf_printf (&self->out, "</%s>", mapped);
}

static void
old_clean_walk (old_clean_walk_t *self, xmlNode *node, int depth)
{
    for (; node; node = node->next) {
        old_clean_walk_t saved = { 0 };    //  Set by old_wrap_open when it wraps
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            const char *text = (const char *) node->content;
            if (!text)
                continue;
            if (!self->inline_ok && !self->auto_p && !self->inline_depth && !old_has_text (text))
                continue;       //  White space between blocks
            int wrap = old_wrap_open (self, &saved);
            if (old_inline_home (self))
                old_escape (&self->out, text, false);
            old_wrap_close (self, wrap, &saved);
            continue;
        }
        if (node->type != XML_ELEMENT_NODE || !node->name)
            continue;
        if (old_is (old_dropped, node->name) || depth >= OLD_HTML_MAX_DEPTH)
            continue;
        const char *name = (const char *) node->name;
        char mapped [8];
        //  Headings become h2, b/i become strong/em
        if (strlen (name) == 2 && tolower ((unsigned char) name [0]) == 'h'
        &&  name [1] >= '1' && name [1] <= '6')
            name = "h2";
        else
        if (old_named (node, "b"))
            name = "strong";
        else
        if (old_named (node, "i"))
            name = "em";
        size_t name_len = strlen (name);
        size_t copied = name_len < sizeof mapped - 1 ? name_len : sizeof mapped - 1;
        memcpy (mapped, name, copied);
        mapped [copied] = 0;
        for (char *p = mapped; *p; p++)
            *p = (char) tolower ((unsigned char) *p);
        bool kept = name_len < sizeof mapped && old_is (old_kept, (const xmlChar *) mapped);
        if (!kept) {
            //  Unwrapped: keep the content; a block boundary ends loose text
            bool block = old_is (old_blocks, node->name);
            if (block && !self->inline_ok)
                old_close_auto_p (self);
            old_clean_walk (self, node->children, depth + 1);
            if (block && !self->inline_ok)
                old_close_auto_p (self);
            continue;
        }
        bool is_inline = old_is (old_inline_kept, (const xmlChar *) mapped);
        bool is_structure = strcmp (mapped, "tr") == 0 || strcmp (mapped, "td") == 0
                         || strcmp (mapped, "th") == 0 || strcmp (mapped, "li") == 0;
        //  Content a list, table or row cannot hold directly gets a wrapper
        bool fits = (self->list && strcmp (mapped, "li") == 0)
                 || (self->row && (strcmp (mapped, "td") == 0 || strcmp (mapped, "th") == 0))
                 || (self->table && !self->row && strcmp (mapped, "tr") == 0);
        int wrap = (!fits && !is_structure) ? old_wrap_open (self, &saved) : 0;
        if (is_inline)
            old_clean_inline (self, node, mapped, depth);
        else
            old_clean_block (self, node, mapped, depth);
        old_wrap_close (self, wrap, &saved);
    }
}

//  --------------------------------------------------------------------------
//  HTML to the sanitized subset. Caller frees.

static char *
html_old_sanitize (const char *html, size_t len)
{
    if (!html || len == 0)
        return xstrdup ("");
    bool quotes;
    if (old_fast_walk (html, len, NULL, &quotes))
        return old_fast_safe (html, len, quotes);
    htmlDocPtr doc = old_parse (html, len);
    if (!doc)
        return xstrdup ("");
    old_clean_walk_t walk = { .auto_p = false };
    buf_init (&walk.out);
    old_clean_walk (&walk, doc->children, 0);
    old_close_auto_p (&walk);
    xmlFreeDoc (doc);
    if (!walk.out.data)
        return xstrdup ("");
    return buf_detach (&walk.out);
}

//  --------------------------------------------------------------------------
//  Text and sanitized HTML from one parse. Caller frees what it asked for.

static void
html_old_convert (const char *html, size_t len, char **text, char **safe)
{
    if (html && len) {
        //  Already sanitized (bodies the XML parsers built, a second
        //  normalize): one pass, no parse
        old_text_walk_t fast = { .at_start = true };
        buf_init (&fast.out);
        bool quotes;
        if (old_fast_walk (html, len, text ? &fast : NULL, &quotes)) {
            if (text)
                *text = fast.out.data ? buf_detach (&fast.out) : xstrdup ("");
            if (safe)
                *safe = old_fast_safe (html, len, quotes);
            return;
        }
        buf_free (&fast.out);
    }
    html_old_convert_parsed (html, len, text, safe);
}

//  --------------------------------------------------------------------------
//  The same through libxml2 whatever the markup. Caller frees.

static void
html_old_convert_parsed (const char *html, size_t len, char **text, char **safe)
{
    htmlDocPtr doc = html && len ? old_parse (html, len) : NULL;
    if (text) {
        old_text_walk_t walk = { .at_start = true };
        buf_init (&walk.out);
        if (doc)
            old_text_walk (&walk, doc->children, 0);
        *text = walk.out.data ? buf_detach (&walk.out) : xstrdup ("");
    }
    if (safe) {
        old_clean_walk_t walk = { .auto_p = false };
        buf_init (&walk.out);
        if (doc) {
            old_clean_walk (&walk, doc->children, 0);
            old_close_auto_p (&walk);
        }
        *safe = walk.out.data ? buf_detach (&walk.out) : xstrdup ("");
    }
    if (doc)
        xmlFreeDoc (doc);
}

#endif
