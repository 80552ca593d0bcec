//  SPDX-License-Identifier: MIT
//  bodytext - story bodies from the body markup of the XML formats
//  (see bodytext.h for the rules)

#include "common.h"
#include "ingest/bodytext.h"
#include <libxml/HTMLparser.h>
#ifdef __SSE2__
#   include <emmintrin.h>
#endif

//  Deeper than this, a subtree's text is taken flat (no recursion)
#define BODYTEXT_MAX_DEPTH 200
//  Share of the text in tables/pre above which the body is preformatted
#define BODYTEXT_PRE_SHARE 40
//  A table with this many rows of this many cells is data: preformatted
#define BODYTEXT_DATA_ROWS 3
#define BODYTEXT_DATA_COLUMNS 3

typedef enum {
    BLOCK_PARA,                 //  A paragraph
    BLOCK_HEADING,              //  A sub-heading paragraph
    BLOCK_ITEM,                 //  A list item
    BLOCK_ROW,                  //  A table row
    BLOCK_PRE                   //  Preformatted lines
} block_kind_t;

typedef struct {
    block_kind_t kind;
    char *text;                 //  Plain text (pre: lines as given)
    char *html;                 //  Inline HTML (para, heading, item)
    strv_t cells;               //  Rows: the cell texts
    bool header;                //  Rows: every cell is a <th>
    int group;                  //  Rows: table number; items: list number
    bool ordered;               //  Items: inside an <ol>
} block_t;

//  Element categories
typedef enum {
    EL_UNKNOWN,                 //  Decided by content
    EL_SKIP,                    //  Dropped with its content
    EL_INLINE,                  //  Text-level markup
    EL_BLOCK,                   //  Paragraph-level block or container
    EL_HEADING,                 //  Sub-heading
    EL_ITEM,                    //  List item
    EL_LIST,                    //  ul, ol, dl
    EL_TABLE,                   //  table
    EL_PRE,                     //  pre
    EL_BR,                      //  Line break
    EL_BYLINE,                  //  Byline inside the body
    EL_DATELINE                 //  Dateline inside the body
} el_kind_t;

typedef struct {
    const char *name;
    el_kind_t kind;
} el_entry_t;

//  Sorted by name (strcmp) for bsearch; names are lower case
static const el_entry_t s_elements [] = {
    { "a", EL_INLINE }, { "abbr", EL_INLINE }, { "acronym", EL_INLINE },
    { "address", EL_BLOCK }, { "alt-code", EL_INLINE }, { "applet", EL_SKIP },
    { "article", EL_BLOCK }, { "aside", EL_BLOCK }, { "audio", EL_SKIP },
    { "b", EL_INLINE }, { "bdi", EL_INLINE }, { "bdo", EL_INLINE },
    { "big", EL_INLINE }, { "bild", EL_SKIP }, { "block", EL_BLOCK },
    { "blockquote", EL_BLOCK }, { "body", EL_BLOCK }, { "body.content", EL_BLOCK },
    { "bq", EL_BLOCK }, { "br", EL_BR }, { "brodtext", EL_BLOCK },
    { "button", EL_SKIP }, { "byline", EL_BYLINE }, { "byttl", EL_INLINE },
    { "canvas", EL_SKIP }, { "caption", EL_BLOCK }, { "center", EL_BLOCK },
    { "chron", EL_INLINE }, { "citat", EL_BLOCK }, { "cite", EL_INLINE },
    { "city", EL_INLINE }, { "classifier", EL_INLINE }, { "code", EL_INLINE },
    { "copyrite", EL_INLINE }, { "copyrite.holder", EL_INLINE },
    { "copyrite.year", EL_INLINE }, { "country", EL_INLINE }, { "credit", EL_INLINE },
    { "dat", EL_DATELINE }, { "data", EL_INLINE }, { "dateline", EL_DATELINE },
    { "dd", EL_ITEM }, { "del", EL_INLINE }, { "dfn", EL_INLINE },
    { "dir", EL_LIST }, { "div", EL_BLOCK }, { "dl", EL_LIST }, { "dt", EL_ITEM },
    { "em", EL_INLINE }, { "embed", EL_SKIP }, { "event", EL_INLINE },
    { "fieldset", EL_BLOCK }, { "figure", EL_SKIP }, { "fn", EL_BLOCK },
    { "font", EL_INLINE }, { "footer", EL_SKIP }, { "form", EL_SKIP },
    { "frac", EL_INLINE }, { "frac-den", EL_INLINE }, { "frac-num", EL_INLINE },
    { "function", EL_INLINE }, { "h1", EL_HEADING }, { "h2", EL_HEADING },
    { "h3", EL_HEADING }, { "h4", EL_HEADING }, { "h5", EL_HEADING },
    { "h6", EL_HEADING }, { "head", EL_SKIP }, { "header", EL_SKIP },
    { "hl1", EL_HEADING }, { "hl2", EL_HEADING }, { "hr", EL_BLOCK },
    { "html", EL_BLOCK }, { "i", EL_INLINE }, { "iframe", EL_SKIP },
    { "img", EL_SKIP }, { "ingress", EL_BLOCK }, { "input", EL_SKIP },
    { "ins", EL_INLINE }, { "kbd", EL_INLINE }, { "label", EL_INLINE },
    { "lang", EL_INLINE }, { "li", EL_ITEM }, { "link", EL_SKIP },
    { "listing", EL_PRE }, { "location", EL_INLINE }, { "main", EL_BLOCK },
    { "map", EL_SKIP }, { "mark", EL_INLINE }, { "math", EL_SKIP },
    { "media", EL_SKIP }, { "mellis", EL_HEADING }, { "menu", EL_LIST },
    { "meta", EL_SKIP }, { "money", EL_INLINE }, { "name.family", EL_INLINE },
    { "name.given", EL_INLINE }, { "nav", EL_SKIP }, { "nitf-table-metadata", EL_SKIP },
    { "nobr", EL_INLINE }, { "noscript", EL_SKIP }, { "note", EL_BLOCK },
    { "num", EL_INLINE }, { "object", EL_SKIP }, { "object.title", EL_INLINE },
    { "ol", EL_LIST }, { "org", EL_INLINE }, { "p", EL_BLOCK },
    { "person", EL_INLINE }, { "plaintext", EL_PRE }, { "postaddr", EL_INLINE },
    { "postcode", EL_INLINE }, { "pre", EL_PRE }, { "pronounce", EL_INLINE },
    { "q", EL_INLINE }, { "region", EL_INLINE }, { "rp", EL_INLINE },
    { "rt", EL_INLINE }, { "rubrik", EL_HEADING }, { "ruby", EL_INLINE },
    { "s", EL_INLINE }, { "samp", EL_INLINE }, { "script", EL_SKIP },
    { "section", EL_BLOCK }, { "select", EL_SKIP }, { "small", EL_INLINE },
    { "span", EL_INLINE }, { "state", EL_INLINE }, { "strike", EL_INLINE },
    { "strong", EL_INLINE }, { "style", EL_SKIP }, { "sub", EL_INLINE },
    { "sublocation", EL_INLINE }, { "sup", EL_INLINE }, { "svg", EL_SKIP },
    { "table", EL_TABLE }, { "tagline", EL_BLOCK }, { "template", EL_SKIP },
    { "textarea", EL_SKIP }, { "time", EL_INLINE }, { "title", EL_SKIP },
    { "tt", EL_INLINE }, { "u", EL_INLINE }, { "ul", EL_LIST },
    { "var", EL_INLINE }, { "video", EL_SKIP }, { "virtloc", EL_INLINE },
    { "wbr", EL_INLINE }, { "xmp", EL_PRE },
};

struct _bodytext_t {
    VEC (block_t) blocks;       //  Blocks in document order
    buf_t raw;                  //  Current paragraph's text as met
    buf_t html;                 //  Current paragraph's inline HTML
    block_kind_t kind;          //  Kind of the current paragraph
    int list;                   //  Current list number, 0 outside lists
    bool ordered;               //  Current list is an <ol>
    int lists;                  //  Lists seen (numbers them)
    int tables;                 //  Tables seen (numbers them)
    int textblock;              //  Depth of paragraph-level elements
    int pre;                    //  Depth of <pre>
    int depth;                  //  Element depth of the walk
    bool markup;                //  Some content came as markup
    char *headline;             //  Drop a first block equal to this
    char *byline;               //  Byline met in the body
    char *dateline;             //  Dateline met in the body
    bodytext_entity_fn *entity_fn;
    void *entity_arg;
};

static void s_walk (bodytext_t *self, xmlNodePtr node);

//  --------------------------------------------------------------------------
//  Create an empty body. Caller owns it.

bodytext_t *
bodytext_new (void)
{
    bodytext_t *self = xcalloc (1, sizeof (bodytext_t));
    buf_init (&self->raw);
    buf_init (&self->html);
    self->kind = BLOCK_PARA;
    return self;
}

//  --------------------------------------------------------------------------
//  Destroy the body and nullify the reference.

void
bodytext_destroy (bodytext_t **self_p)
{
    assert (self_p);
    bodytext_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->blocks.len; i++) {
        free (self->blocks.items [i].text);
        free (self->blocks.items [i].html);
        strv_free (&self->blocks.items [i].cells);
    }
    free (self->blocks.items);
    buf_free (&self->raw);
    buf_free (&self->html);
    free (self->headline);
    free (self->byline);
    free (self->dateline);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Drop a first paragraph equal to this headline.
void
bodytext_set_headline (bodytext_t *self, const char *headline)
{
    str_set (&self->headline, headline);
}

//  --------------------------------------------------------------------------
//  Report named entities met in markup to fn.
void
bodytext_set_entity_fn (bodytext_t *self, bodytext_entity_fn *fn, void *arg)
{
    self->entity_fn = fn;
    self->entity_arg = arg;
}

//  --------------------------------------------------------------------------
//  The byline met inside the body, or NULL; the body keeps it.
const char *
bodytext_byline (bodytext_t *self)
{
    return self->byline;
}

//  --------------------------------------------------------------------------
//  The dateline met inside the body, or NULL; the body keeps it.
const char *
bodytext_dateline (bodytext_t *self)
{
    return self->dateline;
}

//  --------------------------------------------------------------------------
//  Text helpers

static inline bool
s_space (char c)
{
    return c == ' ' || ((unsigned char) c >= '\t' && (unsigned char) c <= '\r');
}

//  Copy of text with ASCII whitespace runs collapsed and trimmed; NULL if
//  nothing is left. Caller frees.
static char *
s_collapse (const char *text, size_t size)
{
    char *out = xmalloc (size + 1);
    size_t len = 0;
    const unsigned char *p = (const unsigned char *) text;
    size_t i = 0;
#ifdef __SSE2__
    //  16 bytes at a time while their only white space is single spaces
    //  that do not follow a space or start the text (prose, mostly)
    const __m128i spaces = _mm_set1_epi8 (' ');
    while (i + 16 <= size) {
        __m128i v = _mm_loadu_si128 ((const __m128i *) (p + i));
        unsigned low = (unsigned) _mm_movemask_epi8 (
            _mm_cmpeq_epi8 (_mm_min_epu8 (v, spaces), v));     //  Bytes <= ' '
        unsigned space = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, spaces));
        bool first_space = space & 1;
        if (low != space || (space & (space >> 1))
        || (first_space && (len == 0 || out [len - 1] == ' '))) {
            //  Something else in these 16: byte by byte
            for (size_t end = i + 16; i < end; i++) {
                unsigned char c = p [i];
                if (c > ' ' || !s_space ((char) c))
                    out [len++] = (char) c;
                else
                if (len > 0 && out [len - 1] != ' ')
                    out [len++] = ' ';
            }
            continue;
        }
        _mm_storeu_si128 ((__m128i *) (out + len), v);
        len += 16;
        i += 16;
    }
#endif
    for (; i < size; i++) {
        unsigned char c = p [i];
        if (c > ' ')
            out [len++] = (char) c;         //  Most bytes
        else
        if (!s_space ((char) c))
            out [len++] = (char) c;
        else
        if (len > 0 && out [len - 1] != ' ')
            out [len++] = ' ';              //  The first of a run; the only ' ' written
    }
    if (len > 0 && out [len - 1] == ' ')
        len--;
    out [len] = 0;
    if (len == 0) {
        free (out);
        return NULL;
    }
    return out;
}

//  Collapse and compare, ASCII case-insensitively
static bool
s_same_text (const char *a, const char *b)
{
    if (!a || !b)
        return false;
    while (*a && *b) {
        while (s_space (*a))
            a++;
        while (s_space (*b))
            b++;
        if (!*a || !*b)
            break;
        if (tolower ((unsigned char) *a) != tolower ((unsigned char) *b))
            return false;
        a++;
        b++;
    }
    while (s_space (*a))
        a++;
    while (s_space (*b))
        b++;
    return !*a && !*b;
}

//  Append text with &, <, > (and in an attribute ") escaped for HTML, as
//  html_sanitize writes it: normalize then reads the markup in one pass.
static void
s_html_escape (buf_t *out, const char *text, size_t size, bool attribute)
{
    //  Runs of plain characters in one append
    size_t run = 0;
    for (size_t i = 0; i < size; i++) {
#ifdef __SSE2__
        //  Skip 16 bytes at a time that need no escape
        const __m128i amp = _mm_set1_epi8 ('&'), lt = _mm_set1_epi8 ('<');
        const __m128i gt = _mm_set1_epi8 ('>'), quote = _mm_set1_epi8 ('"');
        while (i + 16 <= size) {
            __m128i v = _mm_loadu_si128 ((const __m128i *) (text + i));
            __m128i hit = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (v, amp),
                                                      _mm_cmpeq_epi8 (v, lt)),
                                        _mm_cmpeq_epi8 (v, gt));
            if (attribute)
                hit = _mm_or_si128 (hit, _mm_cmpeq_epi8 (v, quote));
            unsigned mask = (unsigned) _mm_movemask_epi8 (hit);
            if (mask) {
                i += (size_t) __builtin_ctz (mask);
                break;
            }
            i += 16;
        }
        if (i >= size)
            break;
#endif
        const char *entity = NULL;
        switch (text [i]) {
            case '&': entity = "&amp;"; break;
            case '<': entity = "&lt;"; break;
            case '>': entity = "&gt;"; break;
            case '"': entity = attribute ? "&quot;" : NULL; break;
            default: continue;
        }
        if (!entity)
            continue;
        if (i > run)
            buf_append (out, text + run, i - run);
        buf_puts (out, entity);
        run = i + 1;
    }
    if (size > run)
        buf_append (out, text + run, size - run);
}

//  Code points in UTF-8 text
static size_t
s_width (const char *text)
{
    size_t width = 0;
    for (const unsigned char *p = (const unsigned char *) text; *p; p++)
        if ((*p & 0xC0) != 0x80)
            width++;
    return width;
}

//  Lower-case local name of an element into name; false if too long
static bool
s_local_name (xmlNodePtr node, char *name, size_t size)
{
    const char *source = (const char *) node->name;
    size_t i = 0;
    for (; source [i] && i + 1 < size; i++)
        name [i] = (char) tolower ((unsigned char) source [i]);
    name [i] = 0;
    return source [i] == 0;
}

//  bsearch comparison of a name with a table entry
static int
s_compare_entry (const void *key, const void *entry)
{
    return strcmp ((const char *) key, ((const el_entry_t *) entry)->name);
}

//  The category of an element by its lower-case local name
static el_kind_t
s_element_kind (const char *name)
{
    const el_entry_t *entry = bsearch (name, s_elements,
                                       sizeof s_elements / sizeof s_elements [0],
                                       sizeof s_elements [0], s_compare_entry);
    return entry ? entry->kind : EL_UNKNOWN;
}

//  Does the element hold elements other than inline ones?
static bool
s_has_structure (xmlNodePtr node)
{
    char name [64];
    for (xmlNodePtr child = node->children; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (!s_local_name (child, name, sizeof name))
            return true;
        el_kind_t kind = s_element_kind (name);
        if (kind != EL_INLINE && kind != EL_BR)
            return true;
    }
    return false;
}

//  --------------------------------------------------------------------------
//  Blocks

//  Text that is only markup sent as text (an embed code "<div ...></div>
//  <script ...></script>"), no story text
static bool
s_markup_only (const char *text)
{
    size_t len = text ? strlen (text) : 0;
    return len > 2 && text [0] == '<' && text [len - 1] == '>'
        && (strstr (text, "</") || strstr (text, "/>"));
}

//  Append a block taking text and html (or drop them: embed code, or a
//  first paragraph repeating the headline). Returns the block or NULL.
static block_t *
s_block_new (bodytext_t *self, block_kind_t kind, char *text, char *html)
{
    if ((kind == BLOCK_PARA || kind == BLOCK_HEADING) && s_markup_only (text)) {
        free (text);
        free (html);
        return NULL;
    }
    //  A first paragraph that repeats the headline is dropped
    if (self->blocks.len == 0 && self->headline && text
    &&  (kind == BLOCK_PARA || kind == BLOCK_HEADING)
    &&  s_same_text (text, self->headline)) {
        free (text);
        free (html);
        return NULL;
    }
    block_t *block = vec_push (&self->blocks);
    block->kind = kind;
    block->text = text;
    block->html = html;
    return block;
}

//  Teletype text in one paragraph: lines at column 0 mixed with indented
//  lines (Reuters: "    Para one...\nwrapped line\n    Para two"). Splits
//  into paragraphs at indented and blank lines; returns false (nothing
//  done) when the text is not like that.
static bool
s_split_teletype (bodytext_t *self, const char *raw, size_t size)
{
    size_t lines = 0, indented = 0, flush = 0;
    bool first = true;
    const char *p = raw, *end = raw + size;
    while (p < end) {
        const char *eol = memchr (p, '\n', (size_t) (end - p));
        if (!eol)
            eol = end;
        const char *q = p;
        while (q < eol && s_space (*q))
            q++;
        if (q < eol) {
            if (!first) {
                if (q - p >= 2 || (q > p && *p == '\t'))
                    indented++;
                else
                    flush++;
            }
            first = false;
            lines++;
        }
        p = eol + 1;
    }
    if (lines < 3 || indented == 0 || flush == 0)
        return false;
    buf_t para;
    buf_init (&para);
    p = raw;
    while (p <= end) {
        const char *eol = p < end ? memchr (p, '\n', (size_t) (end - p)) : NULL;
        if (!eol)
            eol = end;
        const char *q = p;
        while (q < eol && s_space (*q))
            q++;
        bool blank = q == eol;
        bool indent = q - p >= 2 || (q > p && *p == '\t');
        if ((blank || indent) && para.size) {
            char *text = s_collapse (para.data, para.size);
            if (text) {
                buf_t html;
                buf_init (&html);
                s_html_escape (&html, text, strlen (text), false);
                s_block_new (self, BLOCK_PARA, text, buf_detach (&html));
            }
            buf_clear (&para);
        }
        if (!blank) {
            buf_append (&para, p, (size_t) (eol - p));
            buf_putc (&para, ' ');
        }
        if (eol == end)
            break;
        p = eol + 1;
    }
    if (para.size) {
        char *text = s_collapse (para.data, para.size);
        if (text) {
            buf_t html;
            buf_init (&html);
            s_html_escape (&html, text, strlen (text), false);
            s_block_new (self, BLOCK_PARA, text, buf_detach (&html));
        }
    }
    buf_free (&para);
    return true;
}

//  Is this paragraph text a table set in spaces (results, standings: runs
//  of spaces between columns on many of its lines)?
static bool
s_tabular_text (const char *raw, size_t size)
{
    size_t lines = 0, aligned = 0;
    const char *p = raw, *end = raw + size;
    while (p < end) {
        const char *eol = memchr (p, '\n', (size_t) (end - p));
        if (!eol)
            eol = end;
        const char *q = p;
        while (q < eol && s_space (*q))
            q++;
        if (q < eol) {
            lines++;
            //  A run of 2+ spaces inside the line, not after punctuation
            for (const char *r = q + 1; r + 2 < eol; r++)
                if (r [0] == ' ' && r [1] == ' ' && !s_space (r [-1])
                &&  !strchr (".?!:;,", r [-1])) {
                    const char *after = r;
                    while (after < eol && *after == ' ')
                        after++;
                    if (after < eol) {
                        aligned++;
                        break;
                    }
                }
        }
        p = eol + 1;
    }
    return aligned >= 3 && aligned * 10 >= lines * 3;
}

//  A paragraph that is a table in spaces becomes a preformatted block: its
//  lines kept, the indentation common to them removed
static void
s_tabular_block (bodytext_t *self, const char *raw, size_t size)
{
    const char *p = raw, *end = raw + size;
    size_t indent = SIZE_MAX;
    bool first = true;
    while (p < end) {
        const char *eol = memchr (p, '\n', (size_t) (end - p));
        if (!eol)
            eol = end;
        const char *q = p;
        while (q < eol && (*q == ' ' || *q == '\t'))
            q++;
        if (q < eol && !first && (size_t) (q - p) < indent)
            indent = (size_t) (q - p);
        if (q < eol)
            first = false;
        p = eol + 1;
    }
    if (indent == SIZE_MAX)
        indent = 0;
    buf_t out;
    buf_init (&out);
    first = true;
    for (p = raw; p < end; ) {
        const char *eol = memchr (p, '\n', (size_t) (end - p));
        if (!eol)
            eol = end;
        const char *start = p, *stop = eol;
        while (stop > start && s_space (stop [-1]))
            stop--;
        if (first) {
            while (start < stop && s_space (*start))
                start++;
        }
        else
            start = (size_t) (stop - start) > indent ? start + indent : stop;
        if (stop > start || out.size) {
            if (!first || out.size)
                buf_putc (&out, '\n');
            buf_append (&out, start, (size_t) (stop - start));
            first = false;
        }
        p = eol + 1;
    }
    //  No trailing blank lines
    while (out.size && out.data [out.size - 1] == '\n')
        out.data [--out.size] = 0;
    if (out.size) {
        buf_t html;
        buf_init (&html);
        s_html_escape (&html, out.data, out.size, false);
        s_block_new (self, BLOCK_PRE, buf_detach (&out), buf_detach (&html));
    }
    buf_free (&out);
}

//  End the current paragraph: its text becomes a block (or several, for
//  teletype text), and the buffers are cleared.
static void
s_flush (bodytext_t *self)
{
    if (self->raw.size == 0) {
        buf_clear (&self->html);
        return;
    }
    if (self->kind == BLOCK_PARA && memchr (self->raw.data, '\n', self->raw.size)) {
        bool done = false;
        if (s_tabular_text (self->raw.data, self->raw.size)) {
            s_tabular_block (self, self->raw.data, self->raw.size);
            done = true;
        }
        else
            done = s_split_teletype (self, self->raw.data, self->raw.size);
        if (done) {
            buf_clear (&self->raw);
            buf_clear (&self->html);
            return;
        }
    }
    char *text = s_collapse (self->raw.data, self->raw.size);
    if (text) {
        char *html = s_collapse (self->html.data ? self->html.data : "", self->html.size);
        block_t *block = s_block_new (self, self->kind, text, html);
        if (block && self->kind == BLOCK_ITEM) {
            block->group = self->list;
            block->ordered = self->ordered;
        }
    }
    buf_clear (&self->raw);
    buf_clear (&self->html);
}

//  --------------------------------------------------------------------------
//  The walk

//  STT sends "<endash>-</endash>" escaped inside text: an en dash
static char *
s_pseudo_markup (const char *text)
{
    buf_t out;
    buf_init (&out);
    const char *p = text;
    while (*p) {
        if (str_starts (p, "<endash>-</endash>")) {
            buf_puts (&out, "\xE2\x80\x93");
            p += 18;
        }
        else
        if (str_starts (p, "<endash>") || str_starts (p, "</endash>"))
            p += p [1] == '/' ? 9 : 8;
        else
            buf_putc (&out, *p++);
    }
    return buf_detach (&out);
}

//  Append a text node to the current paragraph (raw and escaped).
static void
s_text (bodytext_t *self, const char *text)
{
    if (!text || !*text)
        return;
    char *fixed = strstr (text, "endash>") ? s_pseudo_markup (text) : NULL;
    if (fixed)
        text = fixed;
    size_t size = strlen (text);
    buf_append (&self->raw, text, size);
    s_html_escape (&self->html, text, size, false);
    free (fixed);
}

//  The rows of a table section (a table, thead, tbody or tfoot)
static void
s_table_rows (bodytext_t *self, xmlNodePtr section, int group, bool nested)
{
    char name [64];
    for (xmlNodePtr current = section->children; current; current = current->next) {
        if (current->type != XML_ELEMENT_NODE || !s_local_name (current, name, sizeof name))
            continue;
        if (strcmp (name, "caption") == 0 && !nested) {
            char *text = xml_text_spaced (current);
            if (text) {
                buf_t html;
                buf_init (&html);
                s_html_escape (&html, text, strlen (text), false);
                s_block_new (self, BLOCK_PARA, text, buf_detach (&html));
            }
        }
        else
        if (!nested && (strcmp (name, "thead") == 0 || strcmp (name, "tbody") == 0
                    ||  strcmp (name, "tfoot") == 0))
            s_table_rows (self, current, group, true);
        else
        if (strcmp (name, "tr") == 0) {
            block_t row = { .kind = BLOCK_ROW, .group = group, .header = true };
            bool any = false;
            for (xmlNodePtr cell = current->children; cell; cell = cell->next) {
                if (cell->type != XML_ELEMENT_NODE || !s_local_name (cell, name, sizeof name))
                    continue;
                if (strcmp (name, "td") != 0 && strcmp (name, "th") != 0)
                    continue;
                if (strcmp (name, "td") == 0)
                    row.header = false;
                char *text = xml_text_spaced (cell);
                strv_push (&row.cells, text ? text : "");
                any = any || text;
                free (text);
            }
            if (any) {
                block_t *block = vec_push (&self->blocks);
                *block = row;
            }
            else
                strv_free (&row.cells);
        }
    }
}

//  A table: its caption as a paragraph, then its rows
static void
s_table (bodytext_t *self, xmlNodePtr table)
{
    s_flush (self);
    self->markup = true;
    s_table_rows (self, table, ++self->tables, false);
}

//  Walk the children of node
static void
s_children (bodytext_t *self, xmlNodePtr node)
{
    for (xmlNodePtr child = node->children; child; child = child->next)
        s_walk (self, child);
}

//  A paragraph-level element: what it holds is a paragraph of that kind
static void
s_block (bodytext_t *self, xmlNodePtr node, block_kind_t kind, bool textblock)
{
    s_flush (self);
    block_kind_t saved = self->kind;
    self->kind = kind;
    if (textblock)
        self->textblock++;
    s_children (self, node);
    s_flush (self);
    if (textblock)
        self->textblock--;
    self->kind = saved;
}

//  Walk one node: text goes to the current paragraph, elements by category.
static void
s_walk (bodytext_t *self, xmlNodePtr node)
{
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
        s_text (self, (const char *) node->content);
        return;
    }
    if (node->type != XML_ELEMENT_NODE || !node->name)
        return;
    char name [64];
    if (!s_local_name (node, name, sizeof name))
        return;
    el_kind_t kind = s_element_kind (name);
    if (self->depth >= BODYTEXT_MAX_DEPTH) {
        //  Hostile depth: take the text flat
        if (kind != EL_SKIP) {
            xmlChar *content = xmlNodeGetContent (node);
            s_text (self, (const char *) content);
            xmlFree (content);
        }
        return;
    }
    self->depth++;
    switch (kind) {
        case EL_SKIP:
            break;
        case EL_BR:
            if (self->pre)
                buf_putc (&self->raw, '\n');
            else
                buf_putc (&self->raw, ' ');
            buf_puts (&self->html, "<br>");
            break;
        case EL_BYLINE:
        case EL_DATELINE: {
            char *text = xml_text_spaced (node);
            char **slot = kind == EL_BYLINE ? &self->byline : &self->dateline;
            if (text && !*slot)
                *slot = text;
            else
                free (text);
            break;
        }
        case EL_INLINE: {
            if (self->entity_fn
            &&  (strcmp (name, "person") == 0 || strcmp (name, "org") == 0
            ||   strcmp (name, "location") == 0 || strcmp (name, "event") == 0))
                self->entity_fn (self->entity_arg, name, node);
            const char *tag = NULL;
            if (strcmp (name, "em") == 0 || strcmp (name, "i") == 0)
                tag = "em";
            else
            if (strcmp (name, "strong") == 0 || strcmp (name, "b") == 0)
                tag = "strong";
            if (tag)
                { buf_putc (&self->html, '<'); buf_puts (&self->html, tag); buf_putc (&self->html, '>'); }
            else
            if (strcmp (name, "a") == 0) {
                char *href = xml_attr (node, "href");
                if (href && (str_starts (href, "http://") || str_starts (href, "https://")
                         ||  str_starts (href, "mailto:"))) {
                    buf_puts (&self->html, "<a href=\"");
                    s_html_escape (&self->html, href, strlen (href), true);
                    buf_puts (&self->html, "\">");
                    tag = "a";
                }
                free (href);
            }
            s_children (self, node);
            if (tag)
                { buf_puts (&self->html, "</"); buf_puts (&self->html, tag); buf_putc (&self->html, '>'); }
            break;
        }
        case EL_HEADING:
            self->markup = true;
            s_block (self, node, BLOCK_HEADING, true);
            break;
        case EL_ITEM:
            s_block (self, node, self->list ? BLOCK_ITEM : BLOCK_PARA, true);
            break;
        case EL_LIST: {
            s_flush (self);
            int saved_list = self->list;
            bool saved_ordered = self->ordered;
            self->list = ++self->lists;
            self->ordered = strcmp (name, "ol") == 0;
            s_children (self, node);
            s_flush (self);
            self->list = saved_list;
            self->ordered = saved_ordered;
            break;
        }
        case EL_TABLE:
            s_table (self, node);
            break;
        case EL_PRE: {
            s_flush (self);
            self->pre++;
            s_children (self, node);
            self->pre--;
            if (self->pre == 0 && self->raw.size) {
                //  Lines as given, without leading blank lines and trailing space
                const char *start = self->raw.data;
                const char *end = self->raw.data + self->raw.size;
                while (start < end && (*start == '\n' || *start == '\r'))
                    start++;
                while (end > start && s_space (end [-1]))
                    end--;
                if (end > start) {
                    buf_t html;
                    buf_init (&html);
                    s_html_escape (&html, start, (size_t) (end - start), false);
                    s_block_new (self, BLOCK_PRE, xstrndup (start, (size_t) (end - start)),
                                 buf_detach (&html));
                }
                buf_clear (&self->raw);
                buf_clear (&self->html);
            }
            break;
        }
        case EL_BLOCK:
            s_block (self, node, self->kind == BLOCK_HEADING ? BLOCK_HEADING : BLOCK_PARA,
                     strcmp (name, "p") == 0 || strcmp (name, "citat") == 0);
            break;
        case EL_UNKNOWN:
            if (self->textblock || self->pre)
                s_children (self, node);
            else
            if (s_has_structure (node))
                s_block (self, node, BLOCK_PARA, false);
            else
                s_block (self, node, BLOCK_PARA, true);
            break;
    }
    self->depth--;
}

//  --------------------------------------------------------------------------
//  Adding content

void
bodytext_add_xml (bodytext_t *self, xmlNodePtr node)
{
    if (!node)
        return;
    self->markup = true;
    s_flush (self);
    s_children (self, node);
    s_flush (self);
}

//  --------------------------------------------------------------------------
//  Add an HTML string: parsed by libxml2's HTML parser, its body walked.
void
bodytext_add_html (bodytext_t *self, const char *html, size_t size)
{
    if (!html || size == 0 || size > INT_MAX)
        return;
    xml_init ();
    htmlDocPtr doc = htmlReadMemory (html, (int) size, NULL, "UTF-8",
                                     HTML_PARSE_NONET | HTML_PARSE_NOERROR
                                   | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER
                                   | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC);
    if (!doc) {
        bodytext_add_plain (self, html, size);
        return;
    }
    xmlNodePtr root = xmlDocGetRootElement (doc);
    xmlNodePtr body = root ? (xml_is (root, "body") ? root : xml_find (root, "body")) : NULL;
    if (body)
        bodytext_add_xml (self, body);
    else
    if (root) {
        self->markup = true;
        s_flush (self);
        s_walk (self, root);
        s_flush (self);
    }
    xmlFreeDoc (doc);
}

//  Does a line start like a list entry (bullet, dash, "1.", "Q ")?
static bool
s_bullet_line (const char *p, const char *eol)
{
    unsigned char c = (unsigned char) *p;
    if (c == '-' || c == '*' || c == '+' || c == 0xE2 || c == 0xC2)
        return true;                //  -, *, +, and UTF-8 bullets/dashes
    if (c == 'Q' && p + 1 < eol && p [1] == ' ')
        return true;                //  "Q" quote marker of broadcast run-downs
    const char *q = p;
    while (q < eol && isdigit ((unsigned char) *q))
        q++;
    return q > p && q < eol && q - p < 4 && (*q == '.' || *q == ')');
}

//  One block of plain text (no blank line inside) into paragraphs
static void
s_plain_block (bodytext_t *self, const char *text, size_t size)
{
    size_t lines = 0, bullets = 0, shorts = 0;
    bool last_short = false;
    const char *p = text, *end = text + size;
    while (p < end) {
        const char *eol = memchr (p, '\n', (size_t) (end - p));
        if (!eol)
            eol = end;
        const char *q = p;
        while (q < eol && s_space (*q))
            q++;
        const char *e = eol;
        while (e > q && s_space (e [-1]))
            e--;
        if (e > q) {
            lines++;
            if (s_bullet_line (q, e))
                bullets++;
            if (e - q < 45)
                shorts++;
            last_short = e - q < 45;
        }
        p = eol + 1;
    }
    //  Bullets, or short lines (the last line of wrapped prose is short too)
    size_t others = lines - 1;
    if (last_short && shorts)
        shorts--;
    bool listlike = (lines >= 2 && bullets * 2 >= lines)
                 || (others >= 2 && shorts * 4 >= others * 3);
    if (!listlike) {
        buf_append (&self->raw, text, size);
        s_flush (self);
        return;
    }
    p = text;
    while (p < end) {
        const char *eol = memchr (p, '\n', (size_t) (end - p));
        if (!eol)
            eol = end;
        buf_append (&self->raw, p, (size_t) (eol - p));
        s_flush (self);
        p = eol + 1;
    }
}

//  --------------------------------------------------------------------------
//  Add plain text, cut into paragraphs at blank lines.
void
bodytext_add_plain (bodytext_t *self, const char *text, size_t size)
{
    if (!text || size == 0)
        return;
    s_flush (self);
    block_kind_t saved = self->kind;
    self->kind = BLOCK_PARA;
    //  Normalise CR LF and CR, then cut at blank lines
    char *copy = xmalloc (size + 1);
    size_t len = 0;
    for (size_t i = 0; i < size; i++) {
        if (text [i] == '\r') {
            copy [len++] = '\n';
            if (i + 1 < size && text [i + 1] == '\n')
                i++;
        }
        else
            copy [len++] = text [i];
    }
    copy [len] = 0;
    const char *p = copy, *end = copy + len;
    const char *block = p;
    while (p <= end) {
        const char *eol = p < end ? memchr (p, '\n', (size_t) (end - p)) : NULL;
        if (!eol)
            eol = end;
        const char *q = p;
        while (q < eol && s_space (*q))
            q++;
        if (q == eol || eol == end) {
            const char *block_end = q == eol ? p : eol;
            if (block_end > block)
                s_plain_block (self, block, (size_t) (block_end - block));
            block = eol + 1;
        }
        if (eol == end)
            break;
        p = eol + 1;
    }
    free (copy);
    self->kind = saved;
}

//  --------------------------------------------------------------------------
//  Add one paragraph of text.
void
bodytext_add_paragraph (bodytext_t *self, const char *text)
{
    if (str_empty (text))
        return;
    s_flush (self);
    char *collapsed = s_collapse (text, strlen (text));
    if (collapsed) {
        buf_t html;
        buf_init (&html);
        s_html_escape (&html, collapsed, strlen (collapsed), false);
        s_block_new (self, BLOCK_PARA, collapsed, buf_detach (&html));
    }
}

//  --------------------------------------------------------------------------
//  True when no block has been made.
bool
bodytext_empty (bodytext_t *self)
{
    s_flush (self);
    return self->blocks.len == 0;
}

//  --------------------------------------------------------------------------
//  Rendering

static bool
s_numeric (const char *text)
{
    if (!*text)
        return false;
    for (const char *p = text; *p; p++)
        if (!isdigit ((unsigned char) *p) && !strchr ("+-.,:%/()", *p))
            return false;
    return true;
}

//  Rows [from, to) of one table, columns aligned with spaces
static void
s_render_rows (bodytext_t *self, size_t from, size_t to, buf_t *out)
{
    size_t columns = 0;
    for (size_t i = from; i < to; i++)
        if (self->blocks.items [i].cells.len > columns)
            columns = self->blocks.items [i].cells.len;
    size_t *widths = xcalloc (columns + 1, sizeof (size_t));
    for (size_t i = from; i < to; i++) {
        strv_t *cells = &self->blocks.items [i].cells;
        if (cells->len < 2)
            continue;                   //  Section titles do not set widths
        for (size_t c = 0; c < cells->len; c++) {
            size_t width = s_width (cells->items [c]);
            if (width > widths [c])
                widths [c] = width;
        }
    }
    for (size_t i = from; i < to; i++) {
        strv_t *cells = &self->blocks.items [i].cells;
        size_t line_start = out->size;
        for (size_t c = 0; c < cells->len; c++) {
            const char *cell = cells->items [c];
            size_t width = s_width (cell);
            size_t pad = cells->len > 1 && widths [c] > width ? widths [c] - width : 0;
            if (c > 0)
                buf_puts (out, "  ");
            bool right = c > 0 && s_numeric (cell);
            if (right)
                for (size_t k = 0; k < pad; k++)
                    buf_putc (out, ' ');
            buf_puts (out, cell);
            if (!right && c + 1 < cells->len)
                for (size_t k = 0; k < pad; k++)
                    buf_putc (out, ' ');
        }
        //  No trailing spaces; skip rows left empty
        while (out->size > line_start && out->data [out->size - 1] == ' ')
            out->data [--out->size] = 0;
        if (out->size > line_start && i + 1 < to)
            buf_putc (out, '\n');
    }
    free (widths);
}

//  Plain text of one row in a main body: cells joined with " | "
static void
s_row_line (block_t *block, buf_t *out)
{
    bool first = true;
    for (size_t c = 0; c < block->cells.len; c++) {
        char *cell = s_collapse (block->cells.items [c], strlen (block->cells.items [c]));
        if (!cell)
            continue;
        if (!first)
            buf_puts (out, " | ");
        buf_puts (out, cell);
        first = false;
        free (cell);
    }
}

//  A blank line between blocks, unless out is empty
static void
s_separate (buf_t *out)
{
    if (out->size)
        buf_puts (out, "\n\n");
}

//  --------------------------------------------------------------------------
//  The plain text of the blocks (preformatted when tables dominate).
//  Caller frees.
char *
bodytext_plain (bodytext_t *self, bool *preformatted)
{
    s_flush (self);
    size_t total = 0, tabular = 0;
    for (size_t i = 0; i < self->blocks.len; i++) {
        block_t *block = &self->blocks.items [i];
        if (block->kind == BLOCK_ROW) {
            for (size_t c = 0; c < block->cells.len; c++)
                tabular += strlen (block->cells.items [c]);
        }
        else
        if (block->kind == BLOCK_PRE)
            tabular += strlen (block->text);
        else
            total += strlen (block->text);
    }
    total += tabular;
    //  Agate: tables/pre carry much of the text, or a real data table
    //  (several rows of several columns) is there
    bool pre = tabular > 0 && tabular * 100 >= total * BODYTEXT_PRE_SHARE;
    for (size_t i = 0, rows = 0; i < self->blocks.len && !pre; i++) {
        block_t *block = &self->blocks.items [i];
        if (block->kind != BLOCK_ROW)
            rows = 0;
        else
        if (block->cells.len >= BODYTEXT_DATA_COLUMNS
        &&  ++rows >= BODYTEXT_DATA_ROWS)
            pre = true;
    }
    if (preformatted)
        *preformatted = pre;
    buf_t out;
    buf_init (&out);
    for (size_t i = 0; i < self->blocks.len; i++) {
        block_t *block = &self->blocks.items [i];
        if (block->kind == BLOCK_ROW) {
            if (pre) {
                size_t to = i + 1;
                while (to < self->blocks.len && self->blocks.items [to].kind == BLOCK_ROW
                    && self->blocks.items [to].group == block->group)
                    to++;
                s_separate (&out);
                s_render_rows (self, i, to, &out);
                i = to - 1;
            }
            else {
                buf_t line;
                buf_init (&line);
                s_row_line (block, &line);
                if (line.size) {
                    s_separate (&out);
                    buf_append (&out, line.data, line.size);
                }
                buf_free (&line);
            }
        }
        else
        if (block->kind == BLOCK_PRE) {
            if (pre) {
                s_separate (&out);
                //  Lines kept, trailing spaces trimmed
                const char *p = block->text;
                while (*p) {
                    const char *eol = strchr (p, '\n');
                    size_t len = eol ? (size_t) (eol - p) : strlen (p);
                    size_t keep = len;
                    while (keep && (s_space (p [keep - 1])))
                        keep--;
                    buf_append (&out, p, keep);
                    if (!eol)
                        break;
                    buf_putc (&out, '\n');
                    p = eol + 1;
                }
            }
            else {
                //  Each line of a short pre is a paragraph of a main body
                const char *p = block->text;
                while (*p) {
                    const char *eol = strchr (p, '\n');
                    size_t len = eol ? (size_t) (eol - p) : strlen (p);
                    char *line = s_collapse (p, len);
                    if (line) {
                        s_separate (&out);
                        buf_puts (&out, line);
                        free (line);
                    }
                    if (!eol)
                        break;
                    p = eol + 1;
                }
            }
        }
        else {
            s_separate (&out);
            buf_puts (&out, block->text);
        }
    }
    if (!out.data)
        return xstrdup ("");
    return buf_detach (&out);
}

//  <tag>html</tag>
static void
s_wrap (buf_t *out, const char *tag, const char *html)
{
    buf_putc (out, '<');
    buf_puts (out, tag);
    buf_putc (out, '>');
    if (html)
        buf_puts (out, html);
    buf_puts (out, "</");
    buf_puts (out, tag);
    buf_putc (out, '>');
}

//  The HTML rendering of the blocks
static char *
s_render_html (bodytext_t *self)
{
    buf_t out;
    buf_init (&out);
    int open_list = 0;              //  Number of the open list, 0 if none
    bool open_ordered = false;
    int open_table = 0;
    for (size_t i = 0; i < self->blocks.len; i++) {
        block_t *block = &self->blocks.items [i];
        if (open_list && !(block->kind == BLOCK_ITEM && block->group == open_list)) {
            buf_puts (&out, open_ordered ? "</ol>" : "</ul>");
            open_list = 0;
        }
        if (open_table && !(block->kind == BLOCK_ROW && block->group == open_table)) {
            buf_puts (&out, "</table>");
            open_table = 0;
        }
        switch (block->kind) {
            case BLOCK_PARA:
                s_wrap (&out, "p", block->html);
                break;
            case BLOCK_HEADING:
                s_wrap (&out, "h2", block->html);
                break;
            case BLOCK_ITEM:
                if (!open_list) {
                    open_list = block->group;
                    open_ordered = block->ordered;
                    buf_puts (&out, open_ordered ? "<ol>" : "<ul>");
                }
                s_wrap (&out, "li", block->html);
                break;
            case BLOCK_ROW: {
                if (!open_table) {
                    open_table = block->group;
                    buf_puts (&out, "<table>");
                }
                const char *tag = block->header ? "th" : "td";
                buf_puts (&out, "<tr>");
                for (size_t c = 0; c < block->cells.len; c++) {
                    { buf_putc (&out, '<'); buf_puts (&out, tag); buf_putc (&out, '>'); }
                    s_html_escape (&out, block->cells.items [c], strlen (block->cells.items [c]), false);
                    { buf_puts (&out, "</"); buf_puts (&out, tag); buf_putc (&out, '>'); }
                }
                buf_puts (&out, "</tr>");
                break;
            }
            case BLOCK_PRE:
                s_wrap (&out, "pre", block->html);
                break;
        }
    }
    if (open_list)
        buf_puts (&out, open_ordered ? "</ol>" : "</ul>");
    if (open_table)
        buf_puts (&out, "</table>");
    return buf_detach (&out);
}

//  --------------------------------------------------------------------------
//  Append the plain (and HTML) bodies to the story.
void
bodytext_to_story (bodytext_t *self, story_t *story)
{
    s_flush (self);
    if (self->blocks.len == 0)
        return;
    bool preformatted = false;
    char *plain = bodytext_plain (self, &preformatted);
    story_add_text (&story->bodies, preformatted ? "preformatted" : "main", "text/plain", plain);
    free (plain);
    if (self->markup) {
        char *html = s_render_html (self);
        //  Same role as the plain body: normalize derives no second plain one
        if (html && *html)
            story_add_text (&story->bodies, preformatted ? "preformatted" : "main",
                            "text/html", html);
        free (html);
    }
}
