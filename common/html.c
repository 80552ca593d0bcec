//  SPDX-License-Identifier: MIT
//  html - HTML bodies to clean text and to a sanitized HTML subset
//
//  Markup already in the sanitized form is read in one pass of our own.
//  Everyday feed markup (known elements, quoted attributes, entities) is
//  read by a quick reader of our own that gives the walks the SAX events
//  libxml2 would give (s_quick_convert). Anything else goes through
//  libxml2's HTML parser (recovering, no network, no errors printed,
//  document encoding hints ignored: our input is UTF-8 already), whose SAX
//  events drive both conversions at once, in one pass and without building
//  a tree. Whichever the road, the output is the one of walking the tree
//  libxml2 would have built (tests/unit/test_html_sax.c, test_html_fast.c). Deeply nested hostile markup is cut
//  off at HTML_MAX_DEPTH levels, with a stack of that many frames at most.

#include "common.h"
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <pthread.h>
#include <utf8proc.h>
#ifdef __SSE2__
#   include <emmintrin.h>
#endif

#define HTML_MAX_DEPTH 200      //  Elements nested deeper are not walked
#define HTML_MAX_INPUT (32 * 1024 * 1024)

//  --------------------------------------------------------------------------
//  Elements

//  The elements of the sanitized form (the kept ones)
typedef enum {
    FAST_ROOT, FAST_P, FAST_H2, FAST_PRE, FAST_UL, FAST_OL, FAST_LI, FAST_TABLE,
    FAST_TR, FAST_TD, FAST_TH, FAST_A, FAST_EM, FAST_STRONG, FAST_BR, FAST_NONE
} fast_kind_t;

static const char *s_fast_names [] = {
    "", "p", "h2", "pre", "ul", "ol", "li", "table", "tr", "td", "th", "a", "em",
    "strong", "br"
};

//  What an element is to the walks
#define EL_DROPPED  0x01        //  Dropped with everything inside it
#define EL_BLOCK    0x02        //  A block: a paragraph break before and after
#define EL_PRE      0x04        //  Preformatted: pre, listing, xmp, plaintext
#define EL_LI       0x08        //  A list item
#define EL_OL       0x10        //  An ordered list: its items are numbered
#define EL_BR       0x20        //  A line break
#define EL_ROW      0x40        //  A table row
#define EL_CELL     0x80        //  A table cell (td, th)

typedef struct {
    const char *name;           //  Lower case
    uint8_t flags;              //  EL_ flags
    uint8_t kept;               //  What the sanitized form writes (h1-h6 as h2,
                                //  b as strong, i as em), or FAST_NONE
} element_t;

//  Every element the walks know, sorted by name; any other is unwrapped
static const element_t s_elements [] = {
    { "a",          0,                             FAST_A },
    { "address",    EL_BLOCK,                      FAST_NONE },
    { "applet",     EL_DROPPED,                    FAST_NONE },
    { "area",       EL_DROPPED,                    FAST_NONE },
    { "article",    EL_BLOCK,                      FAST_NONE },
    { "aside",      EL_BLOCK,                      FAST_NONE },
    { "audio",      EL_DROPPED,                    FAST_NONE },
    { "b",          0,                             FAST_STRONG },
    { "base",       EL_DROPPED,                    FAST_NONE },
    { "basefont",   EL_DROPPED,                    FAST_NONE },
    { "bgsound",    EL_DROPPED,                    FAST_NONE },
    { "blink",      EL_DROPPED,                    FAST_NONE },
    { "blockquote", EL_BLOCK,                      FAST_NONE },
    { "body",       EL_BLOCK,                      FAST_NONE },
    { "br",         EL_BR,                         FAST_BR },
    { "button",     EL_DROPPED,                    FAST_NONE },
    { "canvas",     EL_DROPPED,                    FAST_NONE },
    { "caption",    EL_BLOCK,                      FAST_NONE },
    { "center",     EL_BLOCK,                      FAST_NONE },
    { "datalist",   EL_DROPPED,                    FAST_NONE },
    { "dd",         EL_BLOCK,                      FAST_NONE },
    { "details",    EL_BLOCK,                      FAST_NONE },
    { "dialog",     EL_DROPPED,                    FAST_NONE },
    { "div",        EL_BLOCK,                      FAST_NONE },
    { "dl",         EL_BLOCK,                      FAST_NONE },
    { "dt",         EL_BLOCK,                      FAST_NONE },
    { "em",         0,                             FAST_EM },
    { "embed",      EL_DROPPED,                    FAST_NONE },
    { "fieldset",   EL_BLOCK,                      FAST_NONE },
    { "figcaption", EL_BLOCK,                      FAST_NONE },
    { "figure",     EL_BLOCK,                      FAST_NONE },
    { "footer",     EL_BLOCK,                      FAST_NONE },
    { "form",       EL_DROPPED,                    FAST_NONE },
    { "frame",      EL_DROPPED,                    FAST_NONE },
    { "frameset",   EL_DROPPED,                    FAST_NONE },
    { "h1",         EL_BLOCK,                      FAST_H2 },
    { "h2",         EL_BLOCK,                      FAST_H2 },
    { "h3",         EL_BLOCK,                      FAST_H2 },
    { "h4",         EL_BLOCK,                      FAST_H2 },
    { "h5",         EL_BLOCK,                      FAST_H2 },
    { "h6",         EL_BLOCK,                      FAST_H2 },
    { "head",       EL_DROPPED,                    FAST_NONE },
    { "header",     EL_BLOCK,                      FAST_NONE },
    { "hgroup",     EL_BLOCK,                      FAST_NONE },
    { "hr",         EL_BLOCK,                      FAST_NONE },
    { "html",       EL_BLOCK,                      FAST_NONE },
    { "i",          0,                             FAST_EM },
    { "iframe",     EL_DROPPED,                    FAST_NONE },
    { "img",        EL_DROPPED,                    FAST_NONE },
    { "input",      EL_DROPPED,                    FAST_NONE },
    { "legend",     EL_BLOCK,                      FAST_NONE },
    { "li",         EL_BLOCK | EL_LI,              FAST_LI },
    { "link",       EL_DROPPED,                    FAST_NONE },
    { "listing",    EL_BLOCK | EL_PRE,             FAST_NONE },
    { "main",       EL_BLOCK,                      FAST_NONE },
    { "map",        EL_DROPPED,                    FAST_NONE },
    { "marquee",    EL_DROPPED,                    FAST_NONE },
    { "math",       EL_DROPPED,                    FAST_NONE },
    { "meta",       EL_DROPPED,                    FAST_NONE },
    { "nav",        EL_BLOCK,                      FAST_NONE },
    { "noembed",    EL_DROPPED,                    FAST_NONE },
    { "noframes",   EL_DROPPED,                    FAST_NONE },
    { "noscript",   EL_DROPPED,                    FAST_NONE },
    { "object",     EL_DROPPED,                    FAST_NONE },
    { "ol",         EL_BLOCK | EL_OL,              FAST_OL },
    { "optgroup",   EL_DROPPED,                    FAST_NONE },
    { "option",     EL_DROPPED,                    FAST_NONE },
    { "p",          EL_BLOCK,                      FAST_P },
    { "param",      EL_DROPPED,                    FAST_NONE },
    { "picture",    EL_DROPPED,                    FAST_NONE },
    { "plaintext",  EL_BLOCK | EL_PRE,             FAST_NONE },
    { "portal",     EL_DROPPED,                    FAST_NONE },
    { "pre",        EL_BLOCK | EL_PRE,             FAST_PRE },
    { "script",     EL_DROPPED,                    FAST_NONE },
    { "section",    EL_BLOCK,                      FAST_NONE },
    { "select",     EL_DROPPED,                    FAST_NONE },
    { "source",     EL_DROPPED,                    FAST_NONE },
    { "strong",     0,                             FAST_STRONG },
    { "style",      EL_DROPPED,                    FAST_NONE },
    { "summary",    EL_BLOCK,                      FAST_NONE },
    { "svg",        EL_DROPPED,                    FAST_NONE },
    { "table",      EL_BLOCK,                      FAST_TABLE },
    { "td",         EL_CELL,                       FAST_TD },
    { "template",   EL_DROPPED,                    FAST_NONE },
    { "textarea",   EL_DROPPED,                    FAST_NONE },
    { "th",         EL_CELL,                       FAST_TH },
    { "title",      EL_DROPPED,                    FAST_NONE },
    { "tr",         EL_ROW,                        FAST_TR },
    { "track",      EL_DROPPED,                    FAST_NONE },
    { "ul",         EL_BLOCK,                      FAST_UL },
    { "video",      EL_DROPPED,                    FAST_NONE },
    { "xml",        EL_DROPPED,                    FAST_NONE },
    { "xmp",        EL_BLOCK | EL_PRE,             FAST_NONE },
};

static const element_t s_unknown = { "", 0, FAST_NONE };

//  The element named name, case aside (ASCII; the parser lowers names
//  anyway), or s_unknown
static const element_t *
s_element (const xmlChar *name)
{
    char lower [12];
    size_t len = 0;
    for (; name [len]; len++) {
        if (len == sizeof lower - 1)
            return &s_unknown;  //  Longer than any we know
        unsigned char c = name [len];
        lower [len] = (char) (c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c);
    }
    lower [len] = 0;
    size_t low = 0, high = sizeof s_elements / sizeof s_elements [0];
    while (low < high) {
        size_t mid = (low + high) / 2;
        const unsigned char *a = (const unsigned char *) lower;
        const unsigned char *b = (const unsigned char *) s_elements [mid].name;
        while (*a && *a == *b) {
            a++;
            b++;
        }
        int cmp = (int) *a - (int) *b;
        if (cmp == 0)
            return &s_elements [mid];
        if (cmp < 0)
            high = mid;
        else
            low = mid + 1;
    }
    return &s_unknown;
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
} text_walk_t;

static void
s_want (text_walk_t *self, int level)
{
    if (level > self->pending)
        self->pending = level;
}

//  Write text, paying any owed break first
static void
s_write (text_walk_t *self, const char *s, size_t len)
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
s_separator (text_walk_t *self, const char *separator)
{
    if (self->pending == 1)
        self->pending = 0;
    s_write (self, separator, strlen (separator));
}

//  isspace (), without a call for ASCII (classed alike in every locale)
static inline bool
s_space (unsigned char c)
{
    return c < 0x80 ? c == ' ' || (c >= '\t' && c <= '\r') : isspace (c) != 0;
}

//  Text (len bytes): collapse white space unless inside <pre>
static void
s_text (text_walk_t *self, const char *s, size_t len)
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
            s_write (self, p, n);
            if (!nl)
                break;
            if (!self->at_start)
                s_want (self, 2);
            p = nl + 1;
        }
        return;
    }
    //  The first word pays any break owed; after it, white space owes
    //  exactly one space, which the next word pays: words go out one
    //  space apart
    const char *p = s;
    while (p < end && s_space ((unsigned char) *p))
        p++;
    if (p > s)
        s_want (self, 1);
    if (p == end)
        return;
    const char *start = p;
    while (p < end && !s_space ((unsigned char) *p))
        p++;
    s_write (self, start, (size_t) (p - start));
    //  White space at the end is owed, not written
    const char *last = end;
    while (last > p && s_space ((unsigned char) last [-1]))
        last--;
    //  From p (white space) to last (a word's end): each run of white
    //  space as one space
    buf_reserve (&self->out, (size_t) (last - p));
    char *out = self->out.data + self->out.size;
    char *const out_start = out;
    bool spaced = false;        //  The byte before p was white space
#ifdef __SSE2__
    //  16 bytes at a time while their only white space is single spaces
    //  that do not follow white space (prose, mostly)
    const __m128i spaces = _mm_set1_epi8 (' ');
    while (last - p >= 16) {
        __m128i v = _mm_loadu_si128 ((const __m128i *) p);
        unsigned low = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (_mm_min_epu8 (v, spaces), v));
        unsigned space = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, spaces));
        if (low != space || (space & (space >> 1)) || (spaced && (space & 1))) {
            //  Something else in these 16: byte by byte
            for (const char *stop = p + 16; p < stop; p++) {
                if (!s_space ((unsigned char) *p))
                    *out++ = *p;
                else
                if (!spaced)
                    *out++ = ' ';
                spaced = s_space ((unsigned char) *p);
            }
            continue;
        }
        _mm_storeu_si128 ((__m128i *) out, v);
        out += 16;
        p += 16;
        spaced = space >> 15;
    }
#endif
    for (; p < last; p++) {
        bool white = s_space ((unsigned char) *p);
        if (!white)
            *out++ = *p;
        else
        if (!spaced)
            *out++ = ' ';
        spaced = white;
    }
    self->out.size += (size_t) (out - out_start);
    self->out.data [self->out.size] = 0;
    if (last < end)
        s_want (self, 1);
}

//  What an element did on the way in, to undo on the way out
typedef struct {
    bool row;                   //  A table row
    bool cell;                  //  A table cell
    bool block;                 //  A block element
    bool pre;                   //  Preformatted
    bool outer_row;             //  Row state of an enclosing table
} text_frame_t;

//  A line break (<br>)
static void
s_text_br (text_walk_t *self)
{
    if (self->cell)
        s_want (self, 1);
    else
    if (!self->at_start) {
        //  Two <br> in a row are a paragraph break
        if (self->pending >= 2)
            self->pending = 3;
        else
            self->pending = 2;
    }
}

//  Into an element (not br, not dropped) of those EL_ flags: the breaks
//  and markers before its content. number: a list item's position in an
//  <ol>, else 0.
static void
s_text_open (text_walk_t *self, unsigned flags, int number, text_frame_t *frame)
{
    memset (frame, 0, sizeof *frame);
    if (flags & EL_ROW) {
        frame->row = true;
        if (self->cell) {
            s_separator (self, " /");       //  Row of a nested table
            s_want (self, 1);
        }
        else
            s_want (self, 3);
        frame->outer_row = self->row_started;
        self->row_started = false;
        return;
    }
    if (flags & EL_CELL) {
        frame->cell = true;
        if (self->row_started)
            s_separator (self, " |");
        else
        if (!self->cell)
            self->row_break = true;
        s_want (self, 1);
        self->row_started = true;
        self->cell++;
        return;
    }
    frame->block = (flags & EL_BLOCK) != 0;
    frame->pre = (flags & EL_PRE) != 0;
    if (frame->block)
        s_want (self, self->cell ? 1 : 3);
    if ((flags & EL_LI) && !self->cell) {
        if (number > 0) {
            char marker [16];
            snprintf (marker, sizeof marker, "%d.", number);
            s_write (self, marker, strlen (marker));
        }
        else
            s_write (self, "-", 1);
        s_want (self, 1);
    }
    if (frame->pre)
        self->pre++;
}

//  Out of an element opened with s_text_open
static void
s_text_close (text_walk_t *self, const text_frame_t *frame)
{
    if (frame->row) {
        self->row_started = frame->outer_row;
        if (!self->cell)
            s_want (self, 3);
        return;
    }
    if (frame->cell) {
        self->cell--;
        return;
    }
    if (frame->pre)
        self->pre--;
    if (frame->block)
        s_want (self, self->cell ? 1 : 3);
}

//  ==========================================================================
//  Markup already in the sanitized form
//
//  What html_sanitize writes, and what the XML parsers build from their
//  body markup, is a strict subset of HTML: the blocks p, h2, pre, ul/ol
//  of li and table of tr of td/th at the top; inside them text escaped
//  with &amp; &lt; &gt; and the inline a[href], em, strong and br. Such
//  markup is read here in one pass without libxml2: the text comes out as
//  s_text_walk gives it from libxml2's tree, and the markup is its own
//  sanitized form (once a &quot; in text is written as the '"' it is). Anything beyond the strictest reading of the subset
//  (another attribute or element, an unsafe link, white-space-only text
//  between tags, a newline right after <pre>, another entity, controls or
//  non-characters, invalid UTF-8, nesting deeper than HTML_FAST_DEPTH)
//  goes to libxml2 as before.

#define HTML_FAST_DEPTH 32      //  Deeper markup takes the libxml2 path

//  The element named by len lower-case bytes at name, or FAST_NONE
static fast_kind_t
s_fast_kind (const char *name, size_t len)
{
    for (int kind = FAST_P; kind < FAST_NONE; kind++)
        if (strlen (s_fast_names [kind]) == len && memcmp (s_fast_names [kind], name, len) == 0)
            return (fast_kind_t) kind;
    return FAST_NONE;
}

//  True if child may stand directly in parent (in_link: inside an <a>)
static bool
s_fast_fits (fast_kind_t parent, fast_kind_t child, bool in_link)
{
    switch (parent) {
        case FAST_ROOT:
            return child == FAST_P || child == FAST_H2 || child == FAST_PRE
                || child == FAST_UL || child == FAST_OL || child == FAST_TABLE;
        case FAST_UL:
        case FAST_OL:
            return child == FAST_LI;
        case FAST_TABLE:
            return child == FAST_TR;
        case FAST_TR:
            return child == FAST_TD || child == FAST_TH;
        default:
            //  Inline content: in p, h2, pre, li, td, th, a, em, strong
            return child == FAST_EM || child == FAST_STRONG || child == FAST_BR
                || (child == FAST_A && !in_link);
    }
}

//  True if text may stand directly in parent
static bool
s_fast_takes_text (fast_kind_t parent)
{
    return parent != FAST_ROOT && parent != FAST_UL && parent != FAST_OL
        && parent != FAST_TABLE && parent != FAST_TR;
}

//  Length of the entity at p that the sanitized form writes (&amp; &lt;
//  &gt;, and &quot; in attributes; we also read &quot; in text), 0 for
//  anything else; its character into *c
static size_t
s_fast_entity (const char *p, size_t left, char *c)
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
s_fast_char (const uint8_t *p, size_t left)
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
s_fast_href (const char *href, size_t len)
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
            size_t n = s_fast_entity (href + i, len - i, &decoded);
            if (n == 0)
                return false;
            i += n - 1;
        }
    }
    return true;
}

#ifdef __SSE2__
//  Of 16 bytes of text, the ones a run of plain text stops at: controls,
//  DEL and every byte >= 0x80, '<' and '&' (bit i for byte i)
static inline unsigned
s_plain_stops (__m128i v)
{
    __m128i stops = _mm_or_si128 (
        _mm_cmpeq_epi8 (_mm_min_epu8 (v, _mm_set1_epi8 (0x1F)), v),
        _mm_cmpeq_epi8 (_mm_max_epu8 (v, _mm_set1_epi8 (0x7F)), v));
    stops = _mm_or_si128 (stops, _mm_or_si128 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('<')),
                                               _mm_cmpeq_epi8 (v, _mm_set1_epi8 ('&'))));
    return (unsigned) _mm_movemask_epi8 (stops);
}
#endif

//  One open element of the fast walk
typedef struct {
    fast_kind_t kind;
    int items;                  //  List items so far (in an <ol>)
    text_frame_t frame;         //  What the text walk owes on the way out
} fast_level_t;

//  Read markup in the sanitized form, feeding the text walk (may be NULL:
//  check only). Returns false as soon as the markup leaves the form; the
//  walk then holds a partial result to throw away. *quotes: text holds
//  &quot;, which the sanitized form writes as '"'.
static bool
s_fast_walk (const char *html, size_t len, text_walk_t *walk, bool *quotes)
{
    *quotes = false;
    if (len > HTML_MAX_INPUT)
        return false;
    fast_level_t stack [HTML_FAST_DEPTH];
    int depth = 0;
    stack [0].kind = FAST_ROOT;
    stack [0].items = 0;
    int links = 0;
    size_t i = 0;
    while (i < len) {
        fast_kind_t parent = stack [depth].kind;
        if (html [i] == '<') {
            bool closing = i + 1 < len && html [i + 1] == '/';
            size_t at = i + 1 + (closing ? 1 : 0);
            size_t n = 0;
            while (at + n < len && ((html [at + n] >= 'a' && html [at + n] <= 'z')
                                    || html [at + n] == '2'))
                n++;
            fast_kind_t kind = s_fast_kind (html + at, n);
            if (kind == FAST_NONE)
                return false;
            at += n;
            if (closing) {
                if (depth == 0 || stack [depth].kind != kind || at >= len || html [at] != '>')
                    return false;
                if (walk)
                    s_text_close (walk, &stack [depth].frame);
                if (kind == FAST_A)
                    links--;
                depth--;
                i = at + 1;
                continue;
            }
            if (!s_fast_fits (parent, kind, links > 0))
                return false;
            if (kind == FAST_A) {
                if (len - at < 7 || memcmp (html + at, " href=\"", 7) != 0)
                    return false;
                at += 7;
                const char *quote = (const char *) memchr (html + at, '"', len - at);
                if (!quote || !s_fast_href (html + at, (size_t) (quote - html) - at))
                    return false;
                at = (size_t) (quote - html) + 1;
            }
            if (at >= len || html [at] != '>')
                return false;
            i = at + 1;
            if (kind == FAST_BR) {
                if (walk)
                    s_text_br (walk);
                continue;
            }
            if (depth + 1 >= HTML_FAST_DEPTH)
                return false;
            if (kind == FAST_PRE && i < len && (html [i] == '\n' || html [i] == '\r'))
                return false;   //  The parser would drop that newline
            depth++;
            stack [depth].kind = kind;
            stack [depth].items = 0;
            int number = 0;
            if (kind == FAST_LI && parent == FAST_OL)
                number = ++stack [depth - 1].items;
            if (kind == FAST_A)
                links++;
            if (walk)
                s_text_open (walk, s_element ((const xmlChar *) s_fast_names [kind])->flags,
                             number, &stack [depth].frame);
            continue;
        }
        //  Text up to the next tag, with something besides white space
        if (!s_fast_takes_text (parent))
            return false;
        size_t start = i;
        bool visible = false;
        while (i < len && html [i] != '<') {
#ifdef __SSE2__
            //  16 bytes at a time of printable ASCII but < & >
            if (i + 16 <= len) {
                __m128i v = _mm_loadu_si128 ((const __m128i *) (html + i));
                if ((s_plain_stops (v)
                   | (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('>')))) == 0) {
                    if (_mm_movemask_epi8 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 (' '))) != 0xFFFF)
                        visible = true;
                    i += 16;
                    continue;
                }
            }
#endif
            unsigned char c = (unsigned char) html [i];
            if (c >= 0x80) {
                size_t n = s_fast_char ((const uint8_t *) html + i, len - i);
                if (n == 0)
                    return false;
                visible = true;
                i += n;
                continue;
            }
            if (c == '&') {
                char decoded;
                size_t n = s_fast_entity (html + i, len - i, &decoded);
                if (n == 0)
                    return false;
                if (decoded == '"')
                    *quotes = true;
                if (walk) {
                    s_text (walk, html + start, i - start);
                    s_text (walk, &decoded, 1);
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
            s_text (walk, html + start, i - start);
    }
    return depth == 0;
}

//  The sanitized form of markup s_fast_walk accepted: a copy, with
//  &quot; in text written as '"' when quotes. Caller frees.
static char *
s_fast_safe (const char *html, size_t len, bool quotes)
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

//  True if html is already in the sanitized form: html_sanitize returns
//  it as it is
bool
html_is_sanitized (const char *html, size_t len)
{
    bool quotes;
    return html && len && s_fast_walk (html, len, NULL, &quotes) && !quotes;
}

//  ==========================================================================
//  Sanitizing

typedef struct {
    buf_t out;                  //  HTML so far
    bool auto_p;                //  A <p> we opened for loose inline content is open
    int inline_ok;              //  Depth of elements that take inline content
    int table;                  //  Inside table (depth)
    int row;                    //  Inside tr (depth)
    int list;                   //  Inside ul/ol directly (not in li)
    int inline_depth;           //  Kept inline elements open (a, em, strong)
    int in_link;                //  Inside a kept <a>
} clean_walk_t;

//  An opening or closing tag of a kept element
static void
s_tag (buf_t *out, const char *open, int kept)
{
    buf_puts (out, open);
    buf_puts (out, s_fast_names [kept]);
    buf_putc (out, '>');
}

//  Text or an attribute value (len bytes, NUL after them) into out,
//  escaped, without control characters
static void
s_escape (buf_t *out, const char *s, size_t len, bool attribute)
{
    const char *end = s + len;
    const char *run = s;        //  Bytes from here on are copied as they are
    while (s < end) {
#ifdef __SSE2__
        //  16 bytes at a time of text copied as it is: no control but
        //  \n and \t, no & < > " DEL, no 0xC2 (the lead byte of C1)
        while (end - s >= 16) {
            __m128i v = _mm_loadu_si128 ((const __m128i *) s);
            __m128i control = _mm_andnot_si128 (
                _mm_or_si128 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('\n')),
                              _mm_cmpeq_epi8 (v, _mm_set1_epi8 ('\t'))),
                _mm_cmpeq_epi8 (_mm_min_epu8 (v, _mm_set1_epi8 (0x1F)), v));
            __m128i special = _mm_or_si128 (
                _mm_or_si128 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('&')),
                              _mm_cmpeq_epi8 (v, _mm_set1_epi8 ('<'))),
                _mm_or_si128 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('>')),
                              _mm_cmpeq_epi8 (v, _mm_set1_epi8 ('"'))));
            special = _mm_or_si128 (special, _mm_or_si128 (
                _mm_cmpeq_epi8 (v, _mm_set1_epi8 (0x7F)),
                _mm_cmpeq_epi8 (v, _mm_set1_epi8 ((char) 0xC2))));
            int mask = _mm_movemask_epi8 (_mm_or_si128 (control, special));
            if (mask) {
                s += __builtin_ctz ((unsigned) mask);
                break;
            }
            s += 16;
        }
        if (s >= end)
            break;
#endif
        unsigned char c = (unsigned char) *s;
        if (c >= 0x20 ? c != '&' && c != '<' && c != '>' && c != 0x7F && c != 0xC2
                        && (c != '"' || !attribute)
                      : c == '\n' || c == '\t') {
            s++;                //  Plain: part of the run
            continue;
        }
        if (c == 0xC2 && !((unsigned char) s [1] >= 0x80 && (unsigned char) s [1] < 0xA0)) {
            s++;                //  Not a C1 control
            continue;
        }
        if (s > run)
            buf_append (out, run, (size_t) (s - run));
        //  No control characters in what we write: CR LF and CR become LF,
        //  other C0, DEL and C1 go
        if (c == '\r') {
            if (s [1] != '\n')
                buf_putc (out, '\n');
        }
        else
        if (c == 0xC2)
            s++;                //  A C1 control: both bytes go
        else
        if (c == '&')
            buf_puts (out, "&amp;");
        else
        if (c == '<')
            buf_puts (out, "&lt;");
        else
        if (c == '>')
            buf_puts (out, "&gt;");
        else
        if (c == '"')
            buf_puts (out, "&quot;");
        //  Else another control or DEL: dropped
        s++;
        run = s;
    }
    if (end > run)
        buf_append (out, run, (size_t) (end - run));
}

//  A link we allow: http, https or mailto, after removing the white space
//  and controls browsers ignore inside a scheme. Caller frees; NULL if not.
static char *
s_safe_href (const char *href)
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
s_close_auto_p (clean_walk_t *self)
{
    //  Never inside an open inline element: that would mis-nest
    if (self->auto_p && self->inline_depth == 0) {
        buf_puts (&self->out, "</p>");
        self->auto_p = false;
    }
}

//  Make sure inline content has a home: open a <p> at block level
static bool
s_inline_home (clean_walk_t *self)
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
s_has_text (const char *s)
{
    for (; *s; s++)
        if (!s_space ((unsigned char) *s))
            return true;
    return false;
}

//  The context a wrapper or a kept block changes, saved to restore after
typedef struct {
    int inline_ok;              //  Depth of elements that take inline content
    int table;                  //  Inside table
    int row;                    //  Inside tr
    int list;                   //  Inside ul/ol directly
} clean_state_t;

static void
s_clean_save (const clean_walk_t *self, clean_state_t *saved)
{
    saved->inline_ok = self->inline_ok;
    saved->table = self->table;
    saved->row = self->row;
    saved->list = self->list;
}

static void
s_clean_restore (clean_walk_t *self, const clean_state_t *saved)
{
    self->inline_ok = saved->inline_ok;
    self->table = saved->table;
    self->row = saved->row;
    self->list = saved->list;
}

//  The container we are directly in takes only rows, cells or items: open
//  what makes other content valid there (li; td; tr and td). Returns the
//  wrapper opened (0 none) and saves the context to restore.
static int
s_wrap_open (clean_walk_t *self, clean_state_t *saved)
{
    if (self->inline_ok || self->inline_depth || self->auto_p)
        return 0;
    int kind = self->list ? 1 : self->row ? 2 : self->table ? 3 : 0;
    if (!kind)
        return 0;
    s_clean_save (self, saved);
    buf_puts (&self->out, kind == 1 ? "<li>" : kind == 2 ? "<td>" : "<tr><td>");
    self->inline_ok = 1;
    self->list = 0;
    self->table = 0;
    self->row = 0;
    return kind;
}

static void
s_wrap_close (clean_walk_t *self, int kind, const clean_state_t *saved)
{
    if (!kind)
        return;
    s_close_auto_p (self);
    buf_puts (&self->out, kind == 1 ? "</li>" : kind == 2 ? "</td>" : "</td></tr>");
    s_clean_restore (self, saved);
}

//  One text node, whole (len bytes, NUL after them)
static void
s_clean_text (clean_walk_t *self, const char *text, size_t len)
{
    if (!self->inline_ok && !self->auto_p && !self->inline_depth && !s_has_text (text))
        return;                 //  White space between blocks
    clean_state_t saved;
    int wrap = s_wrap_open (self, &saved);
    if (s_inline_home (self))
        s_escape (&self->out, text, len, false);
    s_wrap_close (self, wrap, &saved);
}

//  ==========================================================================
//  One pass through libxml2
//
//  libxml2's HTML parser reports what it reads as SAX events; its tree
//  builder (SAX2.c) would make a document of them for two tree walks.
//  Here the events drive both walks at once instead, each open element a
//  frame on an explicit stack. The events are the tree, but for the rules
//  the tree builder adds, which are followed here to give the same output:
//  - consecutive characters are one text node, read whole by the walks;
//    comments and PIs end a text node, a DOCTYPE does not; characters
//    with no element open are dropped;
//  - an element's name is what follows the first colon of a prefixed
//    name ("o:p" is a p, xmlSplitQName);
//  - an element that starts after the root element closed is the root's
//    last child: the root is kept open for it. When the document's first
//    node is not the root (a DOCTYPE, comment or PI came first), such an
//    element is the root's next sibling instead;
//  - an attribute is read as the tree's xmlGetProp reads it: the first of
//    that name, "" when it has no value;
//  - the tree builder stops the parse at more than xmlParserMaxDepth
//    nested elements, and at a text node longer than XML_MAX_TEXT_LENGTH;
//  - at the end of the input an unclosed start tag is closed without an
//    event: every element still open is closed at the end, in order.
//  Elements inside a dropped one, or nested HTML_MAX_DEPTH deep, are only
//  counted, so the stack never holds more than HTML_MAX_DEPTH frames.

//  How the text walk treats an element
typedef enum {
    TEXT_OFF,                   //  Not walked (the text is not wanted, or an ancestor is a leaf)
    TEXT_OPEN,                  //  Opened with s_text_open: children walked
    TEXT_LEAF                   //  A <br>: children not walked
} text_mode_t;

//  How the clean walk treats an element
typedef enum {
    CLEAN_OFF,                  //  Not walked
    CLEAN_LEAF,                 //  Written (<br>) or dropped, children not walked
    CLEAN_PASS,                 //  A link that is not kept: children walked in place
    CLEAN_UNWRAP,               //  Not kept: children walked, block boundaries kept
    CLEAN_LINK,                 //  <a href> written
    CLEAN_INLINE,               //  <em> or <strong> written
    CLEAN_MISPLACED,            //  A block out of place: children walked in place
    CLEAN_BLOCK                 //  A block written
} clean_mode_t;

//  One open element
typedef struct {
    text_frame_t text;          //  What the text walk owes on the way out
    clean_state_t wrap_saved;   //  Context to restore when closing the wrapper
    clean_state_t block_saved;  //  Context to restore when closing a kept block
    int items;                  //  <li> children so far
    uint8_t text_mode;          //  text_mode_t
    uint8_t clean_mode;         //  clean_mode_t
    uint8_t wrap;               //  Wrapper opened before the element, 0 none
    bool ol;                    //  An <ol>: its items are numbered
    bool block;                 //  Unwrapped block element
    uint8_t kept;               //  Kept element as written (fast_kind_t)
} sax_frame_t;

//  The document's first node
typedef enum {
    FIRST_NONE,                 //  Nothing yet
    FIRST_ROOT,                 //  The root element
    FIRST_OTHER                 //  A DOCTYPE, comment or PI
} first_node_t;

typedef struct {
    text_walk_t *text;          //  Text walk, NULL when not wanted
    clean_walk_t *clean;        //  Clean walk, NULL when not wanted
    xmlParserCtxtPtr ctxt;      //  The parser
    sax_frame_t *frames;        //  Open elements the walks look into
    int depth;                  //  Frames in use, HTML_MAX_DEPTH at most
    int skipped;                //  Open elements in a dropped or too deep one, it included
    first_node_t first;         //  The document's first node
    bool root_kept;             //  The root closed but is kept open for later elements
    bool doctype;               //  A DOCTYPE was read
    bool halted;                //  The tree builder would have stopped: events ignored
    bool chars_open;            //  A text node is being read
    bool chars_cdata;           //  It is CDATA (script, style)
    bool chars_kept;            //  A walk reads it (else it is only measured)
    size_t chars_len;           //  Its length so far
    buf_t chars;                //  Its bytes when kept
} sax_walk_t;

//  Elements open for the parser (its tree builder's node stack)
static int
s_sax_nodes (const sax_walk_t *self)
{
    return self->depth + self->skipped - (self->root_kept ? 1 : 0);
}

//  True if the clean walk goes into the children of an element so treated
static bool
s_clean_kids (int mode)
{
    return mode >= CLEAN_PASS;
}

//  The name libxml2's tree gives an element: what follows the first colon
//  of a prefixed name, else the name (xmlSplitQName)
static const xmlChar *
s_local_name (const xmlChar *name)
{
    if (name [0] == ':')
        return name;
    const xmlChar *colon = (const xmlChar *) strchr ((const char *) name, ':');
    if (!colon || colon [1] == 0)
        return name;
    return colon + 1;
}

//  The value of the attribute name in atts (pairs, NULL-terminated), NULL
//  if none or without a value
static const char *
s_attribute (const xmlChar **atts, const char *name)
{
    for (int i = 0; atts && atts [i]; i += 2)
        if (strcmp ((const char *) atts [i], name) == 0)
            return (const char *) atts [i + 1];
    return NULL;
}

//  Into a kept inline element (a, em, strong, br)
static void
s_clean_open_inline (clean_walk_t *self, sax_frame_t *frame, const xmlChar **atts)
{
    if (frame->kept == FAST_A) {
        char *safe = self->in_link ? NULL : s_safe_href (s_attribute (atts, "href"));
        if (!safe) {
            //  No safe link, or a link inside a link (HTML forbids it)
            frame->clean_mode = CLEAN_PASS;
            return;
        }
        if (!s_inline_home (self)) {
            free (safe);
            frame->clean_mode = CLEAN_LEAF;
            return;
        }
        buf_puts (&self->out, "<a href=\"");
        s_escape (&self->out, safe, strlen (safe), true);
        buf_puts (&self->out, "\">");
        free (safe);
        self->inline_depth++;
        self->in_link++;
        frame->clean_mode = CLEAN_LINK;
        return;
    }
    frame->clean_mode = CLEAN_LEAF;
    if (!s_inline_home (self))
        return;
    if (frame->kept == FAST_BR) {
        buf_puts (&self->out, "<br>");
        return;
    }
    s_tag (&self->out, "<", frame->kept);
    self->inline_depth++;
    frame->clean_mode = CLEAN_INLINE;
}

//  Into a kept block element (p, h2, ul, ol, li, table, tr, td, th, pre)
static void
s_clean_open_block (clean_walk_t *self, sax_frame_t *frame)
{
    fast_kind_t kept = (fast_kind_t) frame->kept;
    bool is_table = kept == FAST_TABLE;
    bool is_row = kept == FAST_TR;
    bool is_cell = kept == FAST_TD || kept == FAST_TH;
    bool is_list = kept == FAST_UL || kept == FAST_OL;
    bool is_item = kept == FAST_LI;
    //  Rows only directly in tables, cells only in rows, items only in
    //  lists, blocks never inside inline content: elsewhere, unwrapped
    bool misplaced = (is_row && (!self->table || self->row || self->inline_ok))
                  || (is_cell && (!self->row || self->inline_ok))
                  || (is_item && (!self->list || self->inline_ok))
                  || self->inline_depth
                  || (self->inline_ok && !is_row && !is_cell && !is_item);
    if (misplaced) {
        if (!self->inline_ok)
            s_close_auto_p (self);
        frame->clean_mode = CLEAN_MISPLACED;
        return;
    }
    s_close_auto_p (self);
    s_tag (&self->out, "<", kept);
    s_clean_save (self, &frame->block_saved);
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
    frame->clean_mode = CLEAN_BLOCK;
}

//  Into an element (not dropped, not too deep): what the sanitized HTML
//  gets before its content
static void
s_clean_open (clean_walk_t *self, sax_frame_t *frame, const element_t *element,
              const xmlChar **atts)
{
    frame->wrap = 0;
    if (element->kept == FAST_NONE) {
        //  Unwrapped: keep the content; a block boundary ends loose text
        frame->block = (element->flags & EL_BLOCK) != 0;
        if (frame->block && !self->inline_ok)
            s_close_auto_p (self);
        frame->clean_mode = CLEAN_UNWRAP;
        return;
    }
    fast_kind_t kept = (fast_kind_t) element->kept;
    frame->kept = (uint8_t) kept;
    bool is_inline = kept == FAST_A || kept == FAST_EM || kept == FAST_STRONG || kept == FAST_BR;
    bool is_structure = kept == FAST_TR || kept == FAST_TD || kept == FAST_TH || kept == FAST_LI;
    //  Content a list, table or row cannot hold directly gets a wrapper
    bool fits = (self->list && kept == FAST_LI)
             || (self->row && (kept == FAST_TD || kept == FAST_TH))
             || (self->table && !self->row && kept == FAST_TR);
    if (!fits && !is_structure)
        frame->wrap = (uint8_t) s_wrap_open (self, &frame->wrap_saved);
    if (is_inline)
        s_clean_open_inline (self, frame, atts);
    else
        s_clean_open_block (self, frame);
}

//  Out of an element opened with s_clean_open
static void
s_clean_close (clean_walk_t *self, const sax_frame_t *frame)
{
    switch (frame->clean_mode) {
        case CLEAN_OFF:
            return;
        case CLEAN_UNWRAP:
            if (frame->block && !self->inline_ok)
                s_close_auto_p (self);
            return;
        case CLEAN_LINK:
            self->in_link--;
            self->inline_depth--;
            buf_puts (&self->out, "</a>");
            break;
        case CLEAN_INLINE:
            self->inline_depth--;
            s_tag (&self->out, "</", frame->kept);
            break;
        case CLEAN_MISPLACED:
            if (!self->inline_ok)
                s_close_auto_p (self);
            break;
        case CLEAN_BLOCK:
            s_close_auto_p (self);
            s_clean_restore (self, &frame->block_saved);
            s_tag (&self->out, "</", frame->kept);
            break;
        default:
            break;
    }
    s_wrap_close (self, frame->wrap, &frame->wrap_saved);
}

//  The text node being read is complete: both walks read it
static void
s_sax_chars_end (sax_walk_t *self)
{
    if (!self->chars_open)
        return;
    self->chars_open = false;
    if (!self->chars_kept)
        return;
    //  Up to a NUL, as the tree's text node is read
    const char *text = self->chars.data ? self->chars.data : "";
    size_t len = strlen (text);
    const sax_frame_t *top = &self->frames [self->depth - 1];
    if (top->text_mode == TEXT_OPEN)
        s_text (self->text, text, len);
    if (s_clean_kids (top->clean_mode))
        s_clean_text (self->clean, text, len);
}

//  Out of the innermost open element
static void
s_sax_pop (sax_walk_t *self)
{
    if (self->skipped) {
        self->skipped--;
        return;
    }
    assert (self->depth > 0);
    const sax_frame_t *frame = &self->frames [--self->depth];
    if (frame->text_mode == TEXT_OPEN)
        s_text_close (self->text, &frame->text);
    s_clean_close (self->clean, frame);
}

//  A start tag (the parser's startElement, or the quick reader's)
static void
s_walk_start (sax_walk_t *self, const xmlChar *fullname, const xmlChar **atts)
{
    if (self->halted)
        return;
    s_sax_chars_end (self);
    int nodes = s_sax_nodes (self);
    if ((unsigned int) nodes > xmlParserMaxDepth) {
        //  Where the tree builder gives up and stops the parser
        self->halted = true;
        if (self->ctxt)
            xmlStopParser (self->ctxt);
        return;
    }
    if (nodes == 0) {
        if (self->root_kept && self->first == FIRST_OTHER) {
            //  A DOCTYPE came before the root: this one is its sibling
            self->root_kept = false;
            s_sax_pop (self);
        }
        if (self->first == FIRST_NONE)
            self->first = FIRST_ROOT;
    }
    if (self->skipped) {
        self->skipped++;
        return;
    }
    sax_frame_t *parent = self->depth ? &self->frames [self->depth - 1] : NULL;
    const element_t *element = s_element (s_local_name (fullname));
    bool item = (element->flags & EL_LI) != 0;
    if (parent && item)
        parent->items++;
    if (self->depth >= HTML_MAX_DEPTH || (element->flags & EL_DROPPED)) {
        self->skipped++;
        return;
    }
    sax_frame_t *frame = &self->frames [self->depth++];
    frame->items = 0;
    frame->ol = (element->flags & EL_OL) != 0;
    if (parent ? parent->text_mode == TEXT_OPEN : self->text != NULL) {
        if (element->flags & EL_BR) {
            s_text_br (self->text);
            frame->text_mode = TEXT_LEAF;
        }
        else {
            //  A list item's number in an <ol>: its place among the items
            int number = item && parent && parent->ol ? parent->items : 0;
            s_text_open (self->text, element->flags, number, &frame->text);
            frame->text_mode = TEXT_OPEN;
        }
    }
    else
        frame->text_mode = TEXT_OFF;
    if (parent ? s_clean_kids (parent->clean_mode) : self->clean != NULL)
        s_clean_open (self->clean, frame, element, atts);
    else {
        frame->clean_mode = CLEAN_OFF;
        frame->wrap = 0;
    }
}

static void
s_sax_start (void *ctx, const xmlChar *fullname, const xmlChar **atts)
{
    s_walk_start ((sax_walk_t *) ((xmlParserCtxtPtr) ctx)->_private, fullname, atts);
}

//  An end tag (the parser's endElement, or the quick reader's)
static void
s_walk_end (sax_walk_t *self)
{
    if (self->halted)
        return;
    s_sax_chars_end (self);
    if (s_sax_nodes (self) == 0)
        return;
    if (self->first == FIRST_ROOT && self->depth + self->skipped == 1) {
        //  Elements after the root go into it: close it at the end
        self->root_kept = true;
        return;
    }
    s_sax_pop (self);
}

static void
s_sax_end (void *ctx, const xmlChar *name)
{
    s_walk_end ((sax_walk_t *) ((xmlParserCtxtPtr) ctx)->_private);
}

static void
s_sax_text (sax_walk_t *self, const xmlChar *ch, int len, bool cdata)
{
    if (self->halted || s_sax_nodes (self) == 0)
        return;
    if (self->chars_open && self->chars_cdata != cdata)
        s_sax_chars_end (self);
    if (self->chars_open) {
        if (self->chars_len + (size_t) len > XML_MAX_TEXT_LENGTH) {
            //  The tree builder's limit: it fails and stops the parser
            //  (as xmlSAX2Text does)
            self->halted = true;
            if (self->ctxt) {
                self->ctxt->instate = XML_PARSER_EOF;
                self->ctxt->disableSAX = 1;
            }
            return;
        }
    }
    else {
        const sax_frame_t *top = self->skipped ? NULL : &self->frames [self->depth - 1];
        self->chars_open = true;
        self->chars_cdata = cdata;
        self->chars_len = 0;
        self->chars_kept = top && (top->text_mode == TEXT_OPEN || s_clean_kids (top->clean_mode));
        buf_clear (&self->chars);
    }
    self->chars_len += (size_t) len;
    if (self->chars_kept)
        buf_append (&self->chars, ch, (size_t) len);
}

static void
s_sax_characters (void *ctx, const xmlChar *ch, int len)
{
    s_sax_text ((sax_walk_t *) ((xmlParserCtxtPtr) ctx)->_private, ch, len, false);
}

static void
s_sax_cdata (void *ctx, const xmlChar *ch, int len)
{
    s_sax_text ((sax_walk_t *) ((xmlParserCtxtPtr) ctx)->_private, ch, len, true);
}

//  A comment or a processing instruction: a node of its own
static void
s_sax_node (sax_walk_t *self)
{
    if (self->halted)
        return;
    s_sax_chars_end (self);
    if (s_sax_nodes (self) == 0 && self->first == FIRST_NONE)
        self->first = FIRST_OTHER;
}

static void
s_sax_comment (void *ctx, const xmlChar *value)
{
    s_sax_node ((sax_walk_t *) ((xmlParserCtxtPtr) ctx)->_private);
}

static void
s_sax_pi (void *ctx, const xmlChar *target, const xmlChar *data)
{
    s_sax_node ((sax_walk_t *) ((xmlParserCtxtPtr) ctx)->_private);
}

//  A DOCTYPE: the first one becomes the document's first node
static void
s_sax_doctype (void *ctx, const xmlChar *name, const xmlChar *external, const xmlChar *system)
{
    sax_walk_t *self = (sax_walk_t *) ((xmlParserCtxtPtr) ctx)->_private;
    if (self->halted || self->doctype)
        return;
    self->doctype = true;
    self->first = FIRST_OTHER;
}

static void
s_sax_blanks (void *ctx, const xmlChar *ch, int len)
{
    //  As the tree builder: nothing (the parser keeps blanks as characters)
}

//  The parser context s_sax_convert uses, one per thread, kept from one
//  call to the next (setting one up costs as much as parsing a short
//  fragment); made anew when its dictionary of names has grown large
#define HTML_CONTEXT_NAMES  4096    //  Names in the context's dictionary at most

static pthread_key_t s_context_key;
static pthread_once_t s_context_once = PTHREAD_ONCE_INIT;

static void
s_sax_context_free (void *ctxt)
{
    xmlFreeParserCtxt ((xmlParserCtxtPtr) ctxt);
}

static void
s_sax_context_key (void)
{
    //  A thread's context is freed when the thread ends
    if (pthread_key_create (&s_context_key, s_sax_context_free))
        abort ();
}

static xmlParserCtxtPtr
s_sax_context (void)
{
    pthread_once (&s_context_once, s_sax_context_key);
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr) pthread_getspecific (s_context_key);
    if (ctxt && ctxt->dict && xmlDictSize (ctxt->dict) > HTML_CONTEXT_NAMES) {
        xmlFreeParserCtxt (ctxt);
        ctxt = NULL;
        pthread_setspecific (s_context_key, NULL);
    }
    if (ctxt)
        return ctxt;
    xmlInitParser ();
    ctxt = xmlNewParserCtxt ();
    if (!ctxt)
        return NULL;
    if (!ctxt->sax) {
        xmlFreeParserCtxt (ctxt);
        return NULL;
    }
    //  htmlReadMemory's set-up, with our handler instead of the tree builder
    memset (ctxt->sax, 0, sizeof *ctxt->sax);
    xmlSAX2InitHtmlDefaultSAXHandler (ctxt->sax);
    ctxt->sax->setDocumentLocator = NULL;
    ctxt->sax->startDocument = NULL;
    ctxt->sax->endDocument = NULL;
    ctxt->sax->internalSubset = s_sax_doctype;
    ctxt->sax->startElement = s_sax_start;
    ctxt->sax->endElement = s_sax_end;
    ctxt->sax->characters = s_sax_characters;
    ctxt->sax->cdataBlock = s_sax_cdata;
    ctxt->sax->ignorableWhitespace = s_sax_blanks;
    ctxt->sax->comment = s_sax_comment;
    ctxt->sax->processingInstruction = s_sax_pi;
    if (pthread_setspecific (s_context_key, ctxt)) {
        xmlFreeParserCtxt (ctxt);
        return NULL;
    }
    return ctxt;
}

//  Parse a fragment or document (at most HTML_MAX_INPUT bytes), feeding
//  the text walk and the clean walk (either may be NULL) in one pass
static void
s_sax_convert (const char *html, size_t len, text_walk_t *text, clean_walk_t *clean)
{
    if (len > HTML_MAX_INPUT)
        len = HTML_MAX_INPUT;
    //  The parser is told the input is UTF-8: make sure it is, or it would
    //  pass invalid bytes through to our output
    char *repaired = NULL;
    if (!charset_utf8_valid ((const uint8_t *) html, len) || memchr (html, 0, len)) {
        repaired = text_utf8_repair (html, len, NULL);
        html = repaired;
        len = strlen (repaired);
    }
    xmlParserCtxtPtr ctxt = s_sax_context ();
    xmlParserInputBufferPtr buffer = ctxt
        ? xmlParserInputBufferCreateMem (html, (int) len, XML_CHAR_ENCODING_NONE) : NULL;
    xmlParserInputPtr input = buffer ? xmlNewIOInputStream (ctxt, buffer, XML_CHAR_ENCODING_NONE) : NULL;
    if (!input)
        xmlFreeParserInputBuffer (buffer);
    if (input && inputPush (ctxt, input) >= 0) {
        htmlCtxtUseOptions (ctxt, HTML_PARSE_NONET | HTML_PARSE_NOERROR
                                  | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER
                                  | HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT);
        ctxt->html = 1;
        //  No UTF-8 converter (a validating copy of the input): the input
        //  is valid UTF-8 without NULs (above), which the parser reads as
        //  UTF-8 when told (as a new context is, and htmlCtxtReset undoes),
        //  falling back to Latin-1 only on invalid UTF-8
        ctxt->charset = XML_CHAR_ENCODING_UTF8;
        sax_frame_t frames [HTML_MAX_DEPTH];
        sax_walk_t walk = { .text = text, .clean = clean, .ctxt = ctxt, .frames = frames };
        buf_init (&walk.chars);
        ctxt->_private = &walk;
        htmlParseDocument (ctxt);
        //  The text being read when the parse stopped, and every element
        //  still open, end here
        s_sax_chars_end (&walk);
        while (walk.depth + walk.skipped > 0)
            s_sax_pop (&walk);
        buf_free (&walk.chars);
        ctxt->_private = NULL;
    }
    else
    if (input)
        xmlFreeInputStream (input);
    if (ctxt)
        htmlCtxtReset (ctxt);   //  Frees the input; the context waits for the next call
    free (repaired);
}

//  ==========================================================================
//  Everyday feed markup without libxml2
//
//  Feed HTML is mostly a small, tidy part of HTML: known elements with
//  quoted attributes, entities, text. For that part s_quick_convert reads
//  the markup itself and gives the walks the very SAX events libxml2's
//  parser would (same handlers, so the same output): the implied html and
//  body before the first tag or text, the implied <p> when the first thing
//  is text, names in lower case, attributes decoded, img/br/hr ended at
//  once, "/>" ending any element, the open elements a start tag closes
//  first ended (htmlAutoClose: a <div> ends an open <p>), every element
//  still open ended at the end of the input. It gives up (the caller then
//  starts over through libxml2) on anything whose reading by libxml2 2.9 it
//  does not reproduce: an element not in s_quick, an end tag that is not
//  the innermost open element's, comments, DOCTYPE, PIs, '<' not starting a
//  tag, unquoted values, duplicate attributes, a character reference
//  without ';' or to a control or non-character, controls, '\r', non-
//  characters, invalid UTF-8, long inputs or deep nesting.

#define HTML_QUICK_DEPTH 64             //  Deeper markup takes the libxml2 path
#define HTML_QUICK_INPUT (1024 * 1024)  //  So does longer
#define HTML_QUICK_ATTS  32             //  And a tag with more attributes

typedef struct {
    const char *name;
    bool empty;                 //  Ends at once (html40ElementTable)
    uint64_t closes;            //  Bit i: starting this element closes an
                                //  open s_quick [i] (libxml2's htmlStartClose)
} quick_element_t;

//  The elements read here. The closes sets were taken from libxml2 2.9.14
//  itself: for every pair, whether <old><new> gives </old> before <new>.
static const quick_element_t s_quick [] = {
    { "p", 0, 0x3300000600c007full },
    { "h1", 0, 0x1ull },
    { "h2", 0, 0x1ull },
    { "h3", 0, 0x1ull },
    { "h4", 0, 0x1ull },
    { "h5", 0, 0x1ull },
    { "h6", 0, 0x1ull },
    { "pre", 0, 0x101ull },
    { "ul", 0, 0x2000000000281ull },
    { "ol", 0, 0x101ull },
    { "li", 0, 0x20010000004ffull },
    { "table", 0, 0x80ffull },
    { "tr", 0, 0x800007001ull },
    { "td", 0, 0x80000204ce001ull },
    { "th", 0, 0x80000204ce001ull },
    { "a", 0, 0x8000ull },
    { "em", 0, 0x0ull },
    { "strong", 0, 0x0ull },
    { "b", 0, 0x0ull },
    { "i", 0, 0x0ull },
    { "br", 1, 0x0ull },
    { "img", 1, 0x0ull },
    { "span", 0, 0x0ull },
    { "div", 0, 0x1ull },
    { "blockquote", 0, 0x1ull },
    { "iframe", 0, 0x0ull },
    { "sup", 0, 0x0ull },
    { "sub", 0, 0x0ull },
    { "hr", 1, 0x1ull },
    { "u", 0, 0x0ull },
    { "small", 0, 0x0ull },
    { "code", 0, 0x0ull },
    { "cite", 0, 0x0ull },
    { "figure", 0, 0x0ull },
    { "figcaption", 0, 0x0ull },
    { "caption", 0, 0x1ull },
    { "dl", 0, 0x2002000000081ull },
    { "dt", 0, 0x2004000000081ull },
    { "dd", 0, 0x2002000000081ull },
    { "thead", 0, 0x800000000ull },
    { "tbody", 0, 0x38800007001ull },
    { "tfoot", 0, 0x18800007001ull },
    { "section", 0, 0x0ull },
    { "article", 0, 0x0ull },
    { "header", 0, 0x0ull },
    { "footer", 0, 0x0ull },
    { "aside", 0, 0x0ull },
    { "nav", 0, 0x0ull },
    { "main", 0, 0x0ull },
    { "address", 0, 0x101ull },
    { "center", 0, 0x80000000c0001ull },
    { "font", 0, 0x0ull },
    { "s", 0, 0x0ull },
    { "strike", 0, 0x0ull },
    { "q", 0, 0x0ull },
    { "abbr", 0, 0x0ull },
    { "tt", 0, 0x0ull },
    { "big", 0, 0x0ull },
    { "del", 0, 0x0ull },
    { "ins", 0, 0x0ull },
    { "mark", 0, 0x0ull },
    { "time", 0, 0x0ull },
};

#define QUICK_P 0               //  s_quick's <p>
#define QUICK_COUNT ((int) (sizeof s_quick / sizeof s_quick [0]))
_Static_assert (sizeof s_quick / sizeof s_quick [0] <= 64, "closes is 64 bits");

static inline bool
s_quick_letter (unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

//  A byte htmlParseHTMLName takes after the first
static inline bool
s_quick_name_char (unsigned char c)
{
    return s_quick_letter (c) || (c >= '0' && c <= '9') || c == ':' || c == '-'
        || c == '_' || c == '.';
}

static inline bool
s_quick_blank (unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

//  The name at html [*at] (starting with a letter), lowered into lower
//  (size bytes with the NUL); its length, 0 if too long
static size_t
s_quick_name (const char *html, size_t len, size_t *at, char *lower, size_t size)
{
    size_t i = *at, n = 0;
    while (i < len && s_quick_name_char ((unsigned char) html [i])) {
        if (n + 1 >= size)
            return 0;
        unsigned char c = (unsigned char) html [i++];
        lower [n++] = (char) (c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c);
    }
    lower [n] = 0;
    *at = i;
    return n;
}

//  The element of s_quick named name (len bytes), -1 if none
static int
s_quick_find (const char *name, size_t len)
{
    (void) len;
    for (int i = 0; i < QUICK_COUNT; i++)
        if (s_quick [i].name [0] == name [0] && strcmp (s_quick [i].name, name) == 0)
            return i;
    return -1;
}

//  A character libxml2 passes as it is and our walks agree on: no
//  controls but tab and newline, no DEL or C1, no surrogates or
//  non-characters
static bool
s_quick_code_point (uint32_t c)
{
    if (c < 0x20)
        return c == '\t' || c == '\n';
    if (c >= 0x7F && c < 0xA0)
        return false;
    if ((c >= 0xD800 && c < 0xE000) || (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE)
        return false;
    return c <= 0x10FFFF;
}

//  The character c (s_quick_code_point) as UTF-8 into out; its length
static int
s_quick_utf8 (uint32_t c, char *out)
{
    return (int) utf8proc_encode_char ((utf8proc_int32_t) c, (utf8proc_uint8_t *) out);
}

//  The reference at html [*at] ('&') as libxml2 reads it in text and in
//  attribute values: a character reference with ';' to a plain character,
//  a known entity with ';' (libxml2's own table), else '&' and the name
//  as they are (';' left to follow). Its bytes into out (40 at most),
//  their count returned, *at past what it took; -1 to leave it to
//  libxml2.
static int
s_quick_reference (const char *html, size_t len, size_t *at, char *out)
{
    size_t i = *at + 1;
    if (i < len && html [i] == '#') {
        i++;
        bool hex = i < len && (html [i] == 'x' || html [i] == 'X');
        if (hex)
            i++;
        uint32_t value = 0;
        size_t digits = 0;
        while (i < len && digits < 8) {
            unsigned char c = (unsigned char) html [i];
            unsigned char l = (unsigned char) (c | 0x20);
            int d = c >= '0' && c <= '9' ? c - '0'
                  : hex && l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
            if (d < 0)
                break;
            value = value * (hex ? 16 : 10) + (uint32_t) d;
            digits++;
            i++;
        }
        if (digits == 0 || digits > 7 || i >= len || html [i] != ';'
        ||  !s_quick_code_point (value))
            return -1;
        *at = i + 1;
        return s_quick_utf8 (value, out);
    }
    size_t start = i;
    if (i < len && (s_quick_letter ((unsigned char) html [i]) || html [i] == '_' || html [i] == ':')) {
        i++;
        while (i < len && s_quick_name_char ((unsigned char) html [i]))
            i++;
    }
    if (i < len && (unsigned char) html [i] >= 0x80)
        return -1;              //  Where libxml2 reads names beyond ASCII
    size_t n = i - start;
    if (n > 32)
        return -1;
    if (n && i < len && html [i] == ';') {
        char name [33];
        memcpy (name, html + start, n);
        name [n] = 0;
        const htmlEntityDesc *entity = htmlEntityLookup ((const xmlChar *) name);
        if (entity && entity->value > 0) {
            if (!s_quick_code_point (entity->value))
                return -1;
            *at = i + 1;
            return s_quick_utf8 (entity->value, out);
        }
    }
    out [0] = '&';
    memcpy (out + 1, html + start, n);
    *at = i;
    return (int) n + 1;
}

//  Length of the UTF-8 character at p (p [0] >= 0x80) when the quick
//  reader takes it (s_fast_char, and not U+FDD0-U+FDEF nor the last two
//  of a plane above the first: non-characters), else 0
static size_t
s_quick_char (const uint8_t *p, size_t left)
{
    size_t n = s_fast_char (p, left);
    if (n == 3 && p [0] == 0xEF && p [1] == 0xB7 && p [2] >= 0x90 && p [2] <= 0xAF)
        return 0;
    if (n == 4 && (p [1] & 0x0F) == 0x0F && p [2] == 0xBF && p [3] >= 0xBE)
        return 0;
    return n;
}

//  Text from html [i] up to '<', '&' or the end: where it ends, or
//  (size_t) -1 if a byte in it is one to leave to libxml2
static size_t
s_quick_text (const char *html, size_t len, size_t i)
{
    while (i < len) {
#ifdef __SSE2__
        //  16 bytes at a time of printable ASCII but < &
        while (i + 16 <= len) {
            unsigned mask = s_plain_stops (_mm_loadu_si128 ((const __m128i *) (html + i)));
            if (mask) {
                i += (size_t) __builtin_ctz (mask);
                break;
            }
            i += 16;
        }
        if (i >= len)
            break;
#endif
        unsigned char c = (unsigned char) html [i];
        if (c == '<' || c == '&')
            break;
        if (c >= 0x80) {
            size_t n = s_quick_char ((const uint8_t *) html + i, len - i);
            if (n == 0)
                return (size_t) -1;
            i += n;
            continue;
        }
        if (c == 0x7F || (c < 0x20 && c != '\n' && c != '\t'))
            return (size_t) -1;
        i++;
    }
    return i;
}

//  The quick reader's state
typedef struct {
    sax_walk_t *walk;           //  Where the events go
    int stack [HTML_QUICK_DEPTH];   //  Open elements (s_quick) inside body
    int depth;                  //  How many
    bool started;               //  html and body are open
} quick_t;

//  The html and body libxml2 implies before the first element or text
//  (htmlCheckImplied), and the p before text (htmlCheckParagraph)
static void
s_quick_start (quick_t *self, bool paragraph)
{
    if (self->started)
        return;
    self->started = true;
    s_walk_start (self->walk, (const xmlChar *) "html", NULL);
    s_walk_start (self->walk, (const xmlChar *) "body", NULL);
    if (paragraph) {
        s_walk_start (self->walk, (const xmlChar *) "p", NULL);
        self->stack [self->depth++] = QUICK_P;
    }
}

//  A start tag at html [*at] ('<' and a letter): events, *at past it;
//  false to leave the markup to libxml2
static bool
s_quick_tag (quick_t *self, const char *html, size_t len, size_t *at, buf_t *values)
{
    size_t i = *at + 1;
    char name [16];
    size_t n = s_quick_name (html, len, &i, name, sizeof name);
    int element = n ? s_quick_find (name, n) : -1;
    if (element < 0)
        return false;
    //  Attributes: names lowered, values decoded, into values, NUL after
    //  each; a value-less attribute's value is NULL
    size_t names [HTML_QUICK_ATTS], starts [HTML_QUICK_ATTS];
    bool valued [HTML_QUICK_ATTS];
    int count = 0;
    bool closed = false;        //  Ended with "/>"
    buf_clear (values);
    while (true) {
        bool blank = false;
        while (i < len && s_quick_blank ((unsigned char) html [i])) {
            blank = true;
            i++;
        }
        if (i >= len)
            return false;
        if (html [i] == '>') {
            i++;
            break;
        }
        if (html [i] == '/' && i + 1 < len && html [i + 1] == '>') {
            i += 2;
            closed = true;
            break;
        }
        if (!blank || !s_quick_letter ((unsigned char) html [i]) || count == HTML_QUICK_ATTS)
            return false;
        char attribute [65];
        size_t length = s_quick_name (html, len, &i, attribute, sizeof attribute);
        if (length == 0)
            return false;
        for (int a = 0; a < count; a++)
            if (strcmp (values->data + names [a], attribute) == 0)
                return false;   //  Twice: libxml2 drops the second
        names [count] = values->size;
        buf_append (values, attribute, length + 1);
        size_t after = i;
        while (i < len && s_quick_blank ((unsigned char) html [i]))
            i++;
        if (i < len && html [i] == '=') {
            i++;
            while (i < len && s_quick_blank ((unsigned char) html [i]))
                i++;
            if (i >= len || (html [i] != '"' && html [i] != '\''))
                return false;
            char quote = html [i++];
            starts [count] = values->size;
            valued [count] = true;
            while (true) {
                size_t run = i;
                while (i < len && html [i] != quote && html [i] != '&'
                       && (unsigned char) html [i] >= 0x20 && (unsigned char) html [i] < 0x7F
                       && html [i] != '<' && html [i] != '>')
                    i++;
                buf_append (values, html + run, i - run);
                if (i >= len)
                    return false;
                if (html [i] == quote) {
                    i++;
                    break;
                }
                if (html [i] == '&') {
                    char decoded [40];
                    int bytes = s_quick_reference (html, len, &i, decoded);
                    if (bytes < 0)
                        return false;
                    buf_append (values, decoded, (size_t) bytes);
                    continue;
                }
                if ((unsigned char) html [i] >= 0x80) {
                    size_t c = s_quick_char ((const uint8_t *) html + i, len - i);
                    if (c == 0)
                        return false;
                    buf_append (values, html + i, c);
                    i += c;
                    continue;
                }
                if (html [i] != '\t' && html [i] != '\n')
                    return false;   //  < > controls DEL
                buf_append (values, html + i, 1);
                i++;
            }
            buf_append (values, "", 1);
            //  What follows a value: blank, > or />
            if (i < len && !s_quick_blank ((unsigned char) html [i]) && html [i] != '>'
            && !(html [i] == '/' && i + 1 < len && html [i + 1] == '>'))
                return false;
        }
        else {
            valued [count] = false;
            i = after;
        }
        count++;
    }
    const xmlChar *atts [2 * HTML_QUICK_ATTS + 1];
    for (int a = 0; a < count; a++) {
        atts [2 * a] = (const xmlChar *) values->data + names [a];
        atts [2 * a + 1] = valued [a] ? (const xmlChar *) values->data + starts [a] : NULL;
    }
    atts [2 * count] = NULL;
    if (!s_quick [element].empty && !closed && self->depth == HTML_QUICK_DEPTH)
        return false;
    //  The open elements it closes first (htmlAutoClose), innermost out;
    //  body is closed by none of s_quick
    while (self->depth && (s_quick [element].closes >> self->stack [self->depth - 1]) & 1) {
        s_walk_end (self->walk);
        self->depth--;
    }
    s_quick_start (self, false);
    s_walk_start (self->walk, (const xmlChar *) s_quick [element].name, count ? atts : NULL);
    if (s_quick [element].empty || closed)
        s_walk_end (self->walk);
    else
        self->stack [self->depth++] = element;
    *at = i;
    return true;
}

//  Read html as libxml2 would, feeding the walks (either may be NULL);
//  false, with the walks holding a part to throw away, to leave it to
//  libxml2
static bool
s_quick_convert (const char *html, size_t len, text_walk_t *text, clean_walk_t *clean)
{
    if (len > HTML_QUICK_INPUT || (len >= 3 && memcmp (html, "\xef\xbb\xbf", 3) == 0))
        return false;           //  Long, or a byte order mark (which libxml2 drops)
    sax_frame_t frames [HTML_MAX_DEPTH];
    sax_walk_t walk = { .text = text, .clean = clean, .ctxt = NULL, .frames = frames };
    buf_init (&walk.chars);
    buf_t values;
    buf_init (&values);
    quick_t self = { .walk = &walk };
    bool ok = true;
    size_t i = 0;
    //  htmlParseDocument skips leading blanks
    while (i < len && s_quick_blank ((unsigned char) html [i]))
        i++;
    while (ok && i < len) {
        unsigned char c = (unsigned char) html [i];
        if (c == '<') {
            unsigned char next = i + 1 < len ? (unsigned char) html [i + 1] : 0;
            if (s_quick_letter (next))
                ok = s_quick_tag (&self, html, len, &i, &values);
            else
            if (next == '/' && self.depth && i + 2 < len && s_quick_letter ((unsigned char) html [i + 2])) {
                size_t at = i + 2;
                char name [16];
                size_t n = s_quick_name (html, len, &at, name, sizeof name);
                int top = self.stack [self.depth - 1];
                ok = n && at < len && html [at] == '>'
                  && strcmp (name, s_quick [top].name) == 0;
                if (ok) {
                    s_walk_end (&walk);
                    self.depth--;
                    i = at + 1;
                }
            }
            else
                ok = false;
            continue;
        }
        s_quick_start (&self, true);
        if (c == '&') {
            char decoded [40];
            int bytes = s_quick_reference (html, len, &i, decoded);
            if (bytes < 0)
                ok = false;
            else
                s_sax_text (&walk, (const xmlChar *) decoded, bytes, false);
            continue;
        }
        size_t end = s_quick_text (html, len, i);
        if (end == (size_t) -1)
            ok = false;
        else {
            s_sax_text (&walk, (const xmlChar *) html + i, (int) (end - i), false);
            i = end;
        }
    }
    if (ok) {
        //  htmlAutoCloseOnEnd, then what s_sax_convert does at the end
        for (int open = self.depth + (self.started ? 2 : 0); open > 0; open--)
            s_walk_end (&walk);
        s_sax_chars_end (&walk);
        while (walk.depth + walk.skipped > 0)
            s_sax_pop (&walk);
    }
    buf_free (&walk.chars);
    buf_free (&values);
    return ok;
}

//  True if the quick reader takes html (len bytes) without libxml2
bool
html_quick_reads (const char *html, size_t len)
{
    return html && len && s_quick_convert (html, len, NULL, NULL);
}

//  Both walks over html (either may be NULL): quick when it can, else
//  through libxml2 (quick false: always)
static void
s_convert (const char *html, size_t len, text_walk_t *text, clean_walk_t *clean, bool quick)
{
    if (quick && s_quick_convert (html, len, text, clean))
        return;
    if (quick && text) {
        buf_free (&text->out);
        *text = (text_walk_t) { .at_start = true };
        buf_init (&text->out);
    }
    if (quick && clean) {
        buf_free (&clean->out);
        *clean = (clean_walk_t) { .auto_p = false };
        buf_init (&clean->out);
    }
    s_sax_convert (html, len, text, clean);
}

//  --------------------------------------------------------------------------
//  HTML fragment or document to plain text paragraphs. Caller frees.

char *
html_to_text (const char *html, size_t len)
{
    if (!html || len == 0)
        return xstrdup ("");
    text_walk_t walk = { .at_start = true };
    buf_init (&walk.out);
    bool quotes;
    if (!s_fast_walk (html, len, &walk, &quotes)) {
        buf_free (&walk.out);
        walk = (text_walk_t) { .at_start = true };
        buf_init (&walk.out);
        s_convert (html, len, &walk, NULL, true);
    }
    return buf_detach (&walk.out);
}

//  --------------------------------------------------------------------------
//  HTML to the sanitized subset. Caller frees.

char *
html_sanitize (const char *html, size_t len)
{
    if (!html || len == 0)
        return xstrdup ("");
    bool quotes;
    if (s_fast_walk (html, len, NULL, &quotes))
        return s_fast_safe (html, len, quotes);
    clean_walk_t walk = { .auto_p = false };
    buf_init (&walk.out);
    s_convert (html, len, NULL, &walk, true);
    s_close_auto_p (&walk);
    return buf_detach (&walk.out);
}

//  --------------------------------------------------------------------------
//  Text and sanitized HTML from one parse. Caller frees what it asked for.

static void
    s_convert_both (const char *html, size_t len, char **text, char **safe, bool quick);

void
html_convert (const char *html, size_t len, char **text, char **safe)
{
    if (html && len) {
        //  Already sanitized (bodies the XML parsers built, a second
        //  normalize): one pass, no parse
        text_walk_t fast = { .at_start = true };
        buf_init (&fast.out);
        bool quotes;
        if (s_fast_walk (html, len, text ? &fast : NULL, &quotes)) {
            if (text)
                *text = fast.out.data ? buf_detach (&fast.out) : xstrdup ("");
            if (safe)
                *safe = s_fast_safe (html, len, quotes);
            return;
        }
        buf_free (&fast.out);
    }
    s_convert_both (html, len, text, safe, true);
}

//  --------------------------------------------------------------------------
//  The same through libxml2 whatever the markup. Caller frees.

void
html_convert_parsed (const char *html, size_t len, char **text, char **safe)
{
    s_convert_both (html, len, text, safe, false);
}

static void
s_convert_both (const char *html, size_t len, char **text, char **safe, bool quick)
{
    text_walk_t text_walk = { .at_start = true };
    clean_walk_t clean_walk = { .auto_p = false };
    buf_init (&text_walk.out);
    buf_init (&clean_walk.out);
    if (html && len && (text || safe))
        s_convert (html, len, text ? &text_walk : NULL, safe ? &clean_walk : NULL, quick);
    if (text)
        *text = buf_detach (&text_walk.out);
    else
        buf_free (&text_walk.out);
    if (safe) {
        s_close_auto_p (&clean_walk);
        *safe = buf_detach (&clean_walk.out);
    }
    else
        buf_free (&clean_walk.out);
}

//  --------------------------------------------------------------------------
//  True if s looks like it contains HTML markup: a known tag, or a
//  character reference.

static const char *s_known_tags [] = {
    "p", "br", "div", "span", "a", "b", "i", "u", "s", "em", "strong", "ul",
    "ol", "li", "table", "tr", "td", "th", "thead", "tbody", "tfoot", "h1",
    "h2", "h3", "h4", "h5", "h6", "img", "font", "blockquote", "pre", "hr",
    "sup", "sub", "small", "big", "center", "html", "body", "head", "script",
    "style", "iframe", "section", "article", "figure", "figcaption", "header",
    "footer", "nav", "code", "tt", "strike", "del", "ins", "q", "cite", "abbr",
    "dl", "dt", "dd", "caption", "meta", "link", "title", "object", "embed",
    "form", "input", "button", "select", "option", "textarea", "label",
    "video", "audio", "source", "svg", "noscript", "main", "aside", "time",
    "mark", "wbr", "col", "colgroup", "frame", "frameset", "map", "area",
    "address", "picture",
    NULL
};

bool
html_detect (const char *s)
{
    if (!s)
        return false;
    for (const char *p = s; *p; p++) {
        if (*p == '<') {
            if (strncmp (p, "<!--", 4) == 0 && strstr (p + 4, "-->"))
                return true;
            if (strncasecmp (p, "<!doctype html", 14) == 0)
                return true;
            const char *q = p + 1;
            if (*q == '/')
                q++;
            char name [16];
            size_t n = 0;
            while (n < sizeof name - 1 && isalnum ((unsigned char) q [n])) {
                name [n] = (char) tolower ((unsigned char) q [n]);
                n++;
            }
            name [n] = 0;
            char after = q [n];
            if (n == 0 || (after != '>' && after != '/' && !isspace ((unsigned char) after)))
                continue;
            for (const char **tag = s_known_tags; *tag; tag++)
                if (strcmp (*tag, name) == 0 && strchr (q, '>'))
                    return true;
        }
        else
        if (*p == '&') {
            const char *q = p + 1;
            size_t n = 0;
            if (*q == '#') {
                q++;
                if (*q == 'x' || *q == 'X')
                    q++;
                while (n < 8 && isxdigit ((unsigned char) q [n]))
                    n++;
            }
            else
                while (n < 10 && isalnum ((unsigned char) q [n]))
                    n++;
            if (n > 0 && q [n] == ';')
                return true;
        }
    }
    return false;
}
