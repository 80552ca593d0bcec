//  SPDX-License-Identifier: MIT
//  text - clean UTF-8 text: repair, mojibake, NFC, controls, paragraphs,
//  entities and counts. Every string in a story goes through here once.

#include "common.h"
#include <utf8proc.h>
#include <libxml/HTMLparser.h>
#include <pthread.h>
#ifdef __SSE2__
#   include <emmintrin.h>
#endif

//  CP1252 bytes 0x80-0x9F as code points; the five bytes CP1252 leaves
//  undefined map to the C1 code point of the same value.
static const uint16_t s_cp1252 [32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
};

//  --------------------------------------------------------------------------
//  Append the UTF-8 encoding of a code point.

static void
s_put_cp (buf_t *out, int32_t cp)
{
    uint8_t bytes [4];
    ssize_t n = utf8proc_encode_char (cp, bytes);
    if (n > 0)
        buf_append (out, bytes, (size_t) n);
}

//  --------------------------------------------------------------------------
//  Length of the valid UTF-8 sequence at p (strict: no overlongs, no
//  surrogates, nothing above U+10FFFF), or 0 if the bytes are not one.

static size_t
s_utf8_len (const uint8_t *p, size_t left)
{
    uint8_t c = p [0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        if (left >= 2 && (p [1] & 0xC0) == 0x80)
            return 2;
        return 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || (p [1] & 0xC0) != 0x80 || (p [2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && p [1] < 0xA0)
            return 0;           //  Overlong
        if (c == 0xED && p [1] >= 0xA0)
            return 0;           //  Surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || (p [1] & 0xC0) != 0x80 || (p [2] & 0xC0) != 0x80
        ||  (p [3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && p [1] < 0x90)
            return 0;           //  Overlong
        if (c == 0xF4 && p [1] >= 0x90)
            return 0;           //  Above U+10FFFF
        return 4;
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  Decode the code point at p (valid UTF-8 of length n).

static int32_t
s_decode (const uint8_t *p, size_t n)
{
    if (n == 1)
        return p [0];
    if (n == 2)
        return ((p [0] & 0x1F) << 6) | (p [1] & 0x3F);
    if (n == 3)
        return ((p [0] & 0x0F) << 12) | ((p [1] & 0x3F) << 6) | (p [2] & 0x3F);
    return ((p [0] & 0x07) << 18) | ((p [1] & 0x3F) << 12)
         | ((p [2] & 0x3F) << 6) | (p [3] & 0x3F);
}

//  --------------------------------------------------------------------------
//  Valid UTF-8 from any bytes; NUL bytes are dropped (they cannot travel in
//  a C string). Caller frees.

char *
text_utf8_repair (const char *s, size_t len, bool *changed)
{
    buf_t out;
    buf_init (&out);
    buf_reserve (&out, len + 1);
    bool repaired = false;
    const uint8_t *p = (const uint8_t *) (s ? s : "");
    size_t i = 0;
    size_t run = 0;             //  Start of the run of good bytes not yet copied
    while (i < len) {
        if (p [i] >= 0x01 && p [i] < 0x80) {
            i++;                //  ASCII: the common case
            continue;
        }
        size_t n = s_utf8_len (p + i, len - i);
        if (n > 1) {
            i += n;
            continue;
        }
        buf_append (&out, p + run, i - run);
        uint8_t c = p [i++];
        if (c)                  //  NUL bytes are dropped
            s_put_cp (&out, c >= 0x80 && c < 0xA0 ? s_cp1252 [c - 0x80] : c);
        repaired = true;
        run = i;
    }
    buf_append (&out, p + run, len - run);
    if (changed)
        *changed = repaired;
    if (out.size == 0) {
        buf_free (&out);
        return xstrdup ("");
    }
    return buf_detach (&out);
}

//  --------------------------------------------------------------------------
//  The single byte a code point has in CP1252 (or Latin-1 for C1), -1 if
//  it has none.

static int
s_cp1252_byte (int32_t cp)
{
    if (cp < 0x80)
        return cp;
    if (cp >= 0xA0 && cp <= 0xFF)
        return cp;
    if (cp >= 0x80 && cp < 0xA0)
        return cp;              //  A C1 code point: Latin-1 decoding of that byte
    for (int i = 0; i < 32; i++)
        if (s_cp1252 [i] == cp)
            return 0x80 + i;
    return -1;
}

//  --------------------------------------------------------------------------
//  Undo one round of UTF-8 read as CP1252/Latin-1, when the whole string
//  maps back to bytes that are valid UTF-8 with a multi-byte sequence.

char *
text_fix_mojibake (const char *s)
{
    if (!s)
        return NULL;
    const uint8_t *p = (const uint8_t *) s;
    size_t len = strlen (s);
    //  Fast path: mojibake always has a lead byte as Ã..ï or Â (U+00C2..U+00F4)
    bool candidate = false;
    for (size_t i = 0; i + 1 < len; i++)
        if (p [i] == 0xC3 || p [i] == 0xC2) {
            candidate = true;
            break;
        }
    if (!candidate)
        return NULL;
    buf_t bytes;
    buf_init (&bytes);
    size_t i = 0;
    bool multibyte = false;
    int need = 0;               //  Continuation bytes the byte string owes
    while (i < len) {
        size_t n = s_utf8_len (p + i, len - i);
        if (n == 0) {
            buf_free (&bytes);
            return NULL;        //  Not valid UTF-8 to start with
        }
        int32_t cp = s_decode (p + i, n);
        int b = s_cp1252_byte (cp);
        //  The bytes must be able to form UTF-8 as they come: most text
        //  with accents fails at its first accented letter
        bool continuation = b >= 0x80 && b < 0xC0;
        if (b < 0 || (need > 0) != continuation || b == 0xC0 || b == 0xC1 || b > 0xF4) {
            buf_free (&bytes);
            return NULL;
        }
        if (continuation)
            need--;
        else
        if (b >= 0xC2)
            need = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
        if (b >= 0x80)
            multibyte = true;
        buf_putc (&bytes, (char) b);
        i += n;
    }
    char *result = NULL;
    if (multibyte && bytes.size < len
    &&  charset_utf8_multibyte ((const uint8_t *) bytes.data, bytes.size)
    &&  charset_utf8_valid ((const uint8_t *) bytes.data, bytes.size))
        result = buf_detach (&bytes);
    buf_free (&bytes);
    return result;
}

//  Kinds of code point for cleaning
typedef enum {
    CP_TEXT,                    //  Keep as is
    CP_SPACE,                   //  Horizontal white space
    CP_TAB,                     //  Tab
    CP_NEWLINE,                 //  Line break
    CP_PARAGRAPH,               //  Paragraph break (U+2029)
    CP_DROP                     //  Control or invisible junk
} cp_kind_t;

static cp_kind_t
s_kind (int32_t cp)
{
    if (cp == '\t')
        return CP_TAB;
    if (cp == '\n' || cp == '\v' || cp == '\f' || cp == 0x85 || cp == 0x2028)
        return CP_NEWLINE;
    if (cp == 0x2029)
        return CP_PARAGRAPH;
    if (cp == ' ')
        return CP_SPACE;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return CP_DROP;
    if (cp < 0x80)
        return CP_TEXT;
    if (cp == 0xFEFF || cp == 0x200B || cp == 0xFFFE || cp == 0xFFFF)
        return CP_DROP;         //  BOM, zero-width space, non-characters
    utf8proc_category_t cat = utf8proc_category (cp);
    if (cat == UTF8PROC_CATEGORY_ZS)
        return CP_SPACE;
    if (cat == UTF8PROC_CATEGORY_CS)
        return CP_DROP;         //  Surrogates (cannot occur in valid UTF-8)
    return CP_TEXT;
}

//  --------------------------------------------------------------------------
//  Code points that every cleaning step leaves as they are: text (not a
//  space, control or invisible character), combining class 0, NFC by
//  itself, and never the second half of a canonical composition. A string
//  of such code points is NFC (the Unicode quick check says Yes for each),
//  so cleaning it is a copy. One bit per code point below
//  TEXT_CLEAN_LIMIT, built on first use from utf8proc's tables; code
//  points above the limit take the slow path.

#define TEXT_CLEAN_LIMIT 0x20000

static uint8_t s_clean_map [TEXT_CLEAN_LIMIT / 8];
static pthread_once_t s_clean_once = PTHREAD_ONCE_INIT;

static void
s_clean_map_build (void)
{
    //  Second halves of compositions: the last code point of every
    //  canonical decomposition, and the Hangul vowel and trailing jamo
    static uint8_t second [TEXT_CLEAN_LIMIT / 8];
    for (int32_t cp = 0x1161; cp <= 0x1175; cp++)
        second [cp >> 3] |= (uint8_t) (1 << (cp & 7));
    for (int32_t cp = 0x11A8; cp <= 0x11C2; cp++)
        second [cp >> 3] |= (uint8_t) (1 << (cp & 7));
    for (int32_t cp = 0x80; cp < TEXT_CLEAN_LIMIT; cp++) {
        if (utf8proc_get_property (cp)->decomp_seqindex == UINT16_MAX)
            continue;           //  No decomposition
        utf8proc_int32_t parts [8];
        int boundclass = 0;
        utf8proc_ssize_t n = utf8proc_decompose_char (cp, parts, 8, UTF8PROC_DECOMPOSE,
                                                      &boundclass);
        if (n >= 2 && n <= 8 && parts [n - 1] < TEXT_CLEAN_LIMIT)
            second [parts [n - 1] >> 3] |= (uint8_t) (1 << (parts [n - 1] & 7));
    }
    for (int32_t cp = 0xA0; cp < TEXT_CLEAN_LIMIT; cp++) {
        if ((cp >= 0xD800 && cp <= 0xDFFF) || (second [cp >> 3] & (1 << (cp & 7))))
            continue;
        if (s_kind (cp) != CP_TEXT)
            continue;           //  Spaces, line breaks, invisible characters
        const utf8proc_property_t *property = utf8proc_get_property (cp);
        if (property->combining_class != 0)
            continue;
        if (property->decomp_seqindex != UINT16_MAX) {
            //  Decomposes: clean only if NFC composes it back
            utf8proc_uint8_t bytes [4];
            utf8proc_ssize_t n = utf8proc_encode_char (cp, bytes);
            utf8proc_uint8_t *nfc = NULL;
            utf8proc_ssize_t rc = utf8proc_map (bytes, n, &nfc,
                                                UTF8PROC_STABLE | UTF8PROC_COMPOSE);
            bool same = rc == n && nfc && memcmp (nfc, bytes, (size_t) n) == 0;
            free (nfc);
            if (!same)
                continue;
        }
        s_clean_map [cp >> 3] |= (uint8_t) (1 << (cp & 7));
    }
}

//  True if a code point of U+00A0 or above is clean in the sense above
static inline bool
s_cp_clean (int32_t cp)
{
    return cp < TEXT_CLEAN_LIMIT && (s_clean_map [cp >> 3] & (1 << (cp & 7)));
}

//  One character of U+0080 or above in a clean-text scan, at p with avail
//  bytes left: its size, or 0 when it is invalid UTF-8 or not clean. Keeps
//  the double-encoding evidence: *lead when a C2/C3 lead was seen,
//  *mappable cleared by a code point that CP1252 cannot hold.
static size_t
s_scan_char (const uint8_t *p, size_t avail, bool *lead, bool *mappable)
{
    size_t n = s_utf8_len (p, avail);
    if (n == 0)
        return 0;
    int32_t cp = s_decode (p, n);
    pthread_once (&s_clean_once, s_clean_map_build);
    if (!s_cp_clean (cp))
        return 0;
    if (p [0] == 0xC2 || p [0] == 0xC3)
        *lead = true;
    else
    if (*mappable && cp >= 0x100 && s_cp1252_byte (cp) < 0)
        *mappable = false;
    return n;
}

//  True if all 8 bytes of x are printable ASCII (0x20-0x7E)
static inline bool
s_printable8 (uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t control = (x - 0x20 * ones) & ~x & highs;
    uint64_t del = x ^ (0x7F * ones);
    del = (del - ones) & ~del & highs;
    return ((x & highs) | control | del) == 0;
}

//  What one scan of a string found
typedef struct {
    bool fast;                  //  Valid UTF-8 of printable ASCII, line
                                //  structure (\t \n \r \f \v) and clean code
                                //  points: repair, invisible-stripping and
                                //  NFC change nothing
    bool simple;                //  Fast, and no structure but '\n': the code
                                //  point walk of a body changes nothing
    bool mojibake;              //  May be double-encoded UTF-8 (a C2/C3 lead,
                                //  every code point in CP1252): only
                                //  text_fix_mojibake can tell
} scan_t;

static void
s_scan (const char *s, size_t len, scan_t *scan)
{
    const uint8_t *p = (const uint8_t *) s;
    bool simple = true, lead = false, mappable = true;
    scan->fast = scan->simple = scan->mojibake = false;
    size_t i = 0;
    while (i < len) {
        uint64_t word;
        if (i + 8 <= len) {
            memcpy (&word, p + i, 8);
            if (s_printable8 (word)) {
                i += 8;
                continue;
            }
        }
        uint8_t c = p [i];
        if (c >= 0x20 && c < 0x7F) {
            i++;
            continue;
        }
        if (c < 0x80) {
            if (c == '\t' || c == '\r' || c == '\f' || c == '\v')
                simple = false;
            else
            if (c != '\n')
                return;         //  Other controls, DEL, NUL
            i++;
            continue;
        }
        size_t n = s_scan_char (p + i, len - i, &lead, &mappable);
        if (n == 0)
            return;
        i += n;
    }
    scan->fast = true;
    scan->simple = simple;
    scan->mojibake = lead && mappable;
}

//  --------------------------------------------------------------------------
//  NFC of valid UTF-8 (invalid input is repaired first). Caller frees.

char *
text_nfc (const char *s)
{
    if (!s)
        return xstrdup ("");
    const uint8_t *p = (const uint8_t *) s;
    size_t len = strlen (s);
    scan_t scan;
    s_scan (s, len, &scan);
    bool ascii = true;
    for (size_t i = 0; ascii && !scan.fast && i < len; i++)
        ascii = p [i] < 0x80;
    if (scan.fast || ascii)
        return xstrndup (s, len);       //  NFC by the quick check
    char *repaired = NULL;
    if (!charset_utf8_valid (p, len)) {
        repaired = text_utf8_repair (s, len, NULL);
        p = (const uint8_t *) repaired;
        len = strlen (repaired);
    }
    utf8proc_uint8_t *nfc = NULL;
    utf8proc_ssize_t rc = utf8proc_map (p, (utf8proc_ssize_t) len, &nfc,
                                        UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    char *result;
    if (rc < 0 || !nfc)
        result = xstrndup ((const char *) p, len);
    else
        result = xstrndup ((const char *) nfc, (size_t) rc);
    free (nfc);
    free (repaired);
    return result;
}

//  --------------------------------------------------------------------------
//  Remove what is never text before looking for mojibake: ANSI escape
//  sequences, DEL, C1 controls, BOM and zero-width space; other C0
//  controls become spaces in one-line mode and go in body mode (line
//  structure characters \t \n \r \f \v stay); Unicode spaces become
//  plain spaces. Caller frees.

static char *
s_strip_invisible (const char *s, bool line_mode)
{
    const uint8_t *p = (const uint8_t *) s;
    size_t len = strlen (s);
    buf_t out;
    buf_init (&out);
    buf_reserve (&out, len + 1);
    size_t i = 0;
    size_t run = 0;             //  Start of the run of kept bytes not yet copied
    while (i < len) {
        if (p [i] >= 0x20 && p [i] < 0x7F) {
            i++;
            continue;
        }
        size_t n = s_utf8_len (p + i, len - i);
        if (n == 0)
            n = 1;
        int32_t cp = s_decode (p + i, n);
        bool structure = cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v';
        bool plain = structure
                  || (cp >= 0xA0 && cp != 0xFEFF && cp != 0x200B && cp != 0xFFFE
                      && cp != 0xFFFF && utf8proc_category (cp) != UTF8PROC_CATEGORY_ZS);
        if (plain) {
            i += n;
            continue;
        }
        buf_append (&out, p + run, i - run);
        if (cp == 0x1B || cp == 0x9B) {
            i += n;
            bool csi = cp == 0x9B;
            if (!csi && i < len && p [i] == '[') {
                csi = true;
                i++;
            }
            if (csi) {
                while (i < len && p [i] >= 0x20 && p [i] <= 0x3F)
                    i++;
                if (i < len && p [i] >= 0x40 && p [i] <= 0x7E)
                    i++;
            }
            else {
                while (i < len && p [i] >= 0x20 && p [i] <= 0x2F)
                    i++;
                if (i < len && p [i] >= 0x30 && p [i] <= 0x7E)
                    i++;
            }
        }
        else {
            if (cp == 0x85)
                buf_putc (&out, line_mode ? ' ' : '\n');  //  NEL
            else
            if (cp >= 0xA0 && cp != 0xFEFF && cp != 0x200B && cp != 0xFFFE && cp != 0xFFFF)
                buf_putc (&out, ' ');   //  NBSP and friends: plain spaces
            else
            if (cp < 0x20 && line_mode)
                buf_putc (&out, ' ');   //  Other C0 controls separate words
            //  DEL, C1, BOM, zero-width space, non-characters: dropped
            i += n;
        }
        run = i;
    }
    buf_append (&out, p + run, len - run);
    if (out.size == 0) {
        buf_free (&out);
        return xstrdup ("");
    }
    return buf_detach (&out);
}

//  --------------------------------------------------------------------------
//  Repair, drop invisible junk, NFC, and undo mojibake for as long as the
//  whole string round-trips (each round shortens it, so this ends). The
//  junk goes first so that it cannot hide mojibake from one pass and show
//  it to the next. Returns NULL when the text needs none of it (one scan
//  tells, for most text), else the new text (caller frees). *simple (may
//  be NULL) tells whether the text, as returned or as given, holds only
//  text, spaces and '\n'.

static char *
s_repair_and_fix (const char *s, size_t len, bool line_mode, bool *simple)
{
    scan_t scan;
    s_scan (s, len, &scan);
    char *fixed = NULL;
    if (scan.fast && scan.mojibake)
        fixed = text_fix_mojibake (s);
    if (scan.fast && !fixed) {
        if (simple)
            *simple = scan.simple;
        return NULL;
    }
    char *text = fixed ? fixed : text_utf8_repair (s, len, NULL);
    while (true) {
        char *visible = s_strip_invisible (text, line_mode);
        free (text);
        text = text_nfc (visible);
        free (visible);
        char *again = text_fix_mojibake (text);
        if (!again)
            break;
        free (text);
        text = again;
    }
    if (simple) {
        s_scan (text, strlen (text), &scan);
        *simple = scan.fast && scan.simple;
    }
    return text;
}

//  --------------------------------------------------------------------------
//  Walk valid UTF-8, calling back per code point with its kind, and skipping
//  ANSI escape sequences (ESC [ ... final, ESC x) and C1 CSI sequences.

typedef void (s_cp_fn) (void *ctx, int32_t cp, cp_kind_t kind, const uint8_t *bytes, size_t n);

static void
s_walk (const char *s, s_cp_fn *fn, void *ctx, bool spaces_are_text)
{
    unsigned char first = spaces_are_text ? 0x20 : 0x21;
    const uint8_t *p = (const uint8_t *) s;
    size_t len = strlen (s);
    size_t i = 0;
    while (i < len) {
        //  A run of printable ASCII other than space is text as it is
        size_t run = i;
        while (run < len && p [run] >= first && p [run] < 0x7F)
            run++;
        if (run > i) {
            fn (ctx, p [i], CP_TEXT, p + i, run - i);
            i = run;
            continue;
        }
        size_t n = s_utf8_len (p + i, len - i);
        if (n == 0)
            n = 1;              //  Cannot happen after repair; be safe
        int32_t cp = s_decode (p + i, n);
        if (cp == 0x1B || cp == 0x9B) {
            //  Escape sequence: CSI parameters and intermediates, then a final byte
            i += n;
            bool csi = cp == 0x9B;
            if (!csi && i < len && p [i] == '[') {
                csi = true;
                i++;
            }
            if (csi) {
                while (i < len && p [i] >= 0x20 && p [i] <= 0x3F)
                    i++;
                if (i < len && p [i] >= 0x40 && p [i] <= 0x7E)
                    i++;
            }
            else {
                while (i < len && p [i] >= 0x20 && p [i] <= 0x2F)
                    i++;        //  Intermediate bytes
                if (i < len && p [i] >= 0x30 && p [i] <= 0x7E)
                    i++;        //  Final byte
            }
            continue;
        }
        if (cp == '\r') {
            //  CR LF and lone CR are one line break
            i += n;
            if (i < len && p [i] == '\n')
                i++;
            fn (ctx, '\n', CP_NEWLINE, (const uint8_t *) "\n", 1);
            continue;
        }
        fn (ctx, cp, s_kind (cp), p + i, n);
        i += n;
    }
}

//  State for text_clean_line
typedef struct {
    buf_t out;                  //  Result so far
    bool pending_space;         //  A space is owed before the next text
} line_state_t;

static void
s_line_cp (void *ctx, int32_t cp, cp_kind_t kind, const uint8_t *bytes, size_t n)
{
    line_state_t *self = (line_state_t *) ctx;
    //  Controls separate words (column separators, teletype codes); DEL
    //  padding and invisible characters are dropped
    if (kind == CP_DROP && (cp >= 0x80 || cp == 0x7F))
        return;
    if (kind != CP_TEXT) {
        self->pending_space = self->out.size > 0;
        return;
    }
    if (self->pending_space) {
        buf_putc (&self->out, ' ');
        self->pending_space = false;
    }
    buf_append (&self->out, bytes, n);
}

//  --------------------------------------------------------------------------
//  Mojibake the scans saw possible: true when text_fix_mojibake would
//  change the text.

static bool
s_has_mojibake (const char *s)
{
    char *fixed = text_fix_mojibake (s);
    free (fixed);
    return fixed != NULL;
}

//  --------------------------------------------------------------------------
//  True when text_clean_line would return the text as it is: valid UTF-8
//  of clean code points (NFC, no control, no invisible or Unicode space),
//  single ASCII spaces between words, not double-encoded.

bool
text_line_clean (const char *s)
{
    if (!s || !*s || *s == ' ')
        return false;
    const uint8_t *p = (const uint8_t *) s;
    bool lead = false, mappable = true;
    size_t i = 0;
#ifdef __SSE2__
    size_t len = strlen (s);
#endif
    while (true) {
#ifdef __SSE2__
        //  16 bytes at a time of printable ASCII and single spaces, the
        //  last not a space (what follows it decides)
        while (i + 16 <= len) {
            __m128i v = _mm_loadu_si128 ((const __m128i *) (p + i));
            unsigned printable = (unsigned) _mm_movemask_epi8 (_mm_and_si128 (
                _mm_cmpgt_epi8 (v, _mm_set1_epi8 (0x1F)), _mm_cmplt_epi8 (v, _mm_set1_epi8 (0x7F))));
            unsigned space = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 (' ')));
            if (printable != 0xFFFF || (space & (space >> 1)) || (space & 0x8000))
                break;
            i += 16;
        }
#endif
        //  Byte by byte for a block's worth, then 16 at a time again
        for (size_t stop = i + 16; i < stop; ) {
            uint8_t c = p [i];
            if (c > 0x20 && c < 0x7F) {
                i++;
                continue;
            }
            if (c == ' ') {
                if (p [i + 1] == ' ' || p [i + 1] == 0)
                    return false;
                i++;
                continue;
            }
            if (c == 0)
                return !(lead && mappable && s_has_mojibake (s));
            if (c < 0x80)
                return false;       //  Controls, DEL
            size_t n = s_scan_char (p + i, 4, &lead, &mappable);
            if (n == 0)
                return false;
            i += n;
        }
    }
}

//  --------------------------------------------------------------------------
//  One-line field. Returns NULL for an empty result. Caller frees.

char *
text_clean_line (const char *s)
{
    if (!s || !*s)
        return NULL;
    if (text_line_clean (s))
        return xstrdup (s);     //  Most fields
    char *fixed = s_repair_and_fix (s, strlen (s), true, NULL);
    const char *text = fixed ? fixed : s;
    line_state_t state = { .pending_space = false };
    buf_init (&state.out);
    buf_reserve (&state.out, strlen (text) + 1);
    s_walk (text, s_line_cp, &state, false);
    free (fixed);
    if (state.out.size == 0) {
        buf_free (&state.out);
        return NULL;
    }
    //  Already NFC: what the walk changed after the NFC in
    //  s_repair_and_fix is ASCII only, which composes with nothing
    return buf_detach (&state.out);
}

//  --------------------------------------------------------------------------
//  Body cleaning: first split into lines with controls dropped, then group
//  the lines into paragraphs.

typedef struct {
    buf_t out;                  //  Lines, '\n' separated
    bool preformatted;          //  Keep tabs and space runs
} body_state_t;

static void
s_body_cp (void *ctx, int32_t cp, cp_kind_t kind, const uint8_t *bytes, size_t n)
{
    body_state_t *self = (body_state_t *) ctx;
    switch (kind) {
        case CP_DROP:
            return;
        case CP_NEWLINE:
            buf_putc (&self->out, '\n');
            return;
        case CP_PARAGRAPH:
            buf_puts (&self->out, "\n\n");
            return;
        case CP_TAB:
            buf_putc (&self->out, self->preformatted ? '\t' : ' ');
            return;
        case CP_SPACE:
            buf_putc (&self->out, ' ');
            return;
        case CP_TEXT:
            buf_append (&self->out, bytes, n);
            return;
    }
}

//  True if a line (trimmed) ends a sentence
static bool
s_ends_sentence (const char *line, size_t len)
{
    while (len > 0) {
        unsigned char c = (unsigned char) line [len - 1];
        //  Skip closing quotes and brackets (ASCII, or the tail of ” ’ »)
        if (c == '"' || c == '\'' || c == ')' || c == ']') {
            len--;
            continue;
        }
        if (len >= 3 && (unsigned char) line [len - 3] == 0xE2
        &&  (unsigned char) line [len - 2] == 0x80
        && (c == 0x9D || c == 0x99)) {
            len -= 3;
            continue;
        }
        if (len >= 2 && (unsigned char) line [len - 2] == 0xC2 && c == 0xBB) {
            len -= 2;
            continue;
        }
        return c == '.' || c == '!' || c == '?' || c == ':';
    }
    return false;
}

//  Code points in len bytes of UTF-8: the bytes that are not continuation
//  bytes (10xxxxxx), counted 8 at a time
static size_t
s_code_points (const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t continuations = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy (&x, p + i, 8);
        uint64_t marks = (x & ~(x << 1) & 0x8080808080808080ULL) >> 7;
        continuations += (size_t) ((marks * 0x0101010101010101ULL) >> 56);
    }
    for (; i < len; i++)
        continuations += (p [i] & 0xC0) == 0x80;
    return len - continuations;
}

//  Width of a line in code points
static size_t
s_width (const char *line, size_t len)
{
    return s_code_points (line, len);
}

//  One line of a block
typedef struct {
    const char *start;          //  First non-blank character
    size_t len;                 //  Bytes, trailing blanks trimmed
    bool indented;              //  Line started with white space
    size_t width;               //  Code points (non-preformatted lines)
} line_t;

//  Append text collapsing runs of spaces (non-preformatted paragraphs)
static void
s_put_collapsed (buf_t *out, const char *s, size_t len, bool *space)
{
    //  Lines are trimmed: without a double space, the line goes as it is
    bool doubled = memmem (s, len, "  ", 2) != NULL;
    if (len && s [0] != ' ' && s [len - 1] != ' ' && !doubled) {
        if (*space)
            buf_putc (out, ' ');
        *space = false;
        buf_append (out, s, len);
        return;
    }
    size_t i = 0;
    while (i < len) {
        if (s [i] == ' ') {
            *space = true;
            i++;
            continue;
        }
        size_t end = i;
        while (end < len && s [end] != ' ')
            end++;
        if (*space) {
            buf_putc (out, ' ');
            *space = false;
        }
        buf_append (out, s + i, end - i);
        i = end;
    }
}

//  Emit one block (lines between blank lines) as one or more paragraphs
static void
s_emit_block (buf_t *out, line_t *lines, size_t count, bool preformatted)
{
    if (count == 0)
        return;
    if (out->size > 0)
        buf_puts (out, "\n\n");
    if (preformatted) {
        for (size_t i = 0; i < count; i++) {
            if (i)
                buf_putc (out, '\n');
            buf_append (out, lines [i].start, lines [i].len);
        }
        return;
    }
    //  Block width, to spot short last lines of hard-wrapped paragraphs
    size_t width = 0;
    for (size_t i = 0; i < count; i++)
        if (lines [i].width > width)
            width = lines [i].width;
    bool wrapped = count >= 3 && width >= 40;
    bool space = false;
    for (size_t i = 0; i < count; i++) {
        line_t *line = &lines [i];
        if (i > 0) {
            line_t *prev = &lines [i - 1];
            bool ends = s_ends_sentence (prev->start, prev->len);
            bool new_paragraph = false;
            if (ends && line->indented)
                new_paragraph = true;
            else
            if (ends && wrapped
            &&  prev->width * 4 < width * 3
            &&  !islower ((unsigned char) line->start [0]))
                new_paragraph = true;
            if (new_paragraph) {
                buf_puts (out, "\n\n");
                space = false;
            }
            else
            if (prev->len >= 2 && prev->start [prev->len - 1] == '-'
            &&  isalpha ((unsigned char) prev->start [prev->len - 2])
            &&  islower ((unsigned char) line->start [0]))
                space = false;  //  "well-" + "known": join the compound
            else
                space = true;
        }
        s_put_collapsed (out, line->start, line->len, &space);
        space = false;
    }
}

//  --------------------------------------------------------------------------
//  True when text_clean_body would return the text as it is: clean code
//  points as in text_line_clean; paragraphs separated by exactly "\n\n",
//  no other newline, single spaces, nothing leading or trailing. For
//  preformatted text: lines separated by '\n' (blocks by one empty line),
//  tabs and space runs kept, no trailing blanks on a line.

bool
text_body_clean (const char *s, bool preformatted)
{
    if (!s || !*s || *s == '\n' || (!preformatted && *s == ' '))
        return false;
    const uint8_t *p = (const uint8_t *) s;
    bool lead = false, mappable = true;
    size_t i = 0;
#ifdef __SSE2__
    //  Prose: 16 bytes at a time of printable ASCII with single spaces, not
    //  ending in a space (what follows a space is checked here). Only where
    //  the 16 bytes are known to lie before the end (no read past it).
    size_t len = preformatted ? 0 : strlen (s);
    const __m128i spaces = _mm_set1_epi8 (' '), del = _mm_set1_epi8 (0x7E);
#endif
    while (true) {
#ifdef __SSE2__
        while (i + 16 < len) {
            __m128i v = _mm_loadu_si128 ((const __m128i *) (p + i));
            unsigned outside = (unsigned) _mm_movemask_epi8 (_mm_or_si128 (
                _mm_cmpeq_epi8 (_mm_min_epu8 (v, _mm_set1_epi8 (0x1F)), v),    //  < 0x20
                _mm_cmpeq_epi8 (_mm_max_epu8 (v, del), v)));                    //  > 0x7D
            unsigned space = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, spaces));
            //  '~' (0x7E) is printable: let it through
            unsigned tilde = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, del));
            if ((outside & ~tilde) || (space & (space >> 1)) || (space & 0x8000))
                break;
            i += 16;
        }
#endif
        uint8_t c = p [i];
        if (c > 0x20 && c < 0x7F) {
            i++;
            continue;
        }
        if (c == ' ' || c == '\t') {
            uint8_t next = p [i + 1];
            if (next == '\n' || next == 0)
                return false;   //  Trailing blank
            if (!preformatted && (c == '\t' || next == ' '))
                return false;
            i++;
            continue;
        }
        if (c == '\n') {
            if (preformatted) {
                //  A line, or one empty line between blocks
                if (p [i + 1] == '\n')
                    i++;
                if (p [i + 1] == '\n' || p [i + 1] == 0)
                    return false;
            }
            else
            if (p [i + 1] != '\n' || p [i + 2] == '\n' || p [i + 2] == ' ' || p [i + 2] == 0)
                return false;
            else
                i++;
            i++;
            continue;
        }
        if (c == 0)
            break;
        if (c < 0x80)
            return false;       //  Controls, DEL
        size_t n = s_scan_char (p + i, 4, &lead, &mappable);
        if (n == 0)
            return false;
        i += n;
    }
    return !(lead && mappable && s_has_mojibake (s));
}

//  --------------------------------------------------------------------------
//  Body text. Returns "" for empty input. Caller frees.

char *
text_clean_body (const char *s, bool preformatted)
{
    if (!s || !*s)
        return xstrdup ("");
    if (text_body_clean (s, preformatted))
        return xstrdup (s);
    size_t len = strlen (s);
    bool simple = false;
    char *fixed = s_repair_and_fix (s, len, false, &simple);
    const char *text = fixed ? fixed : s;
    if (fixed)
        len = strlen (fixed);
    //  Lines with controls dropped: text that holds nothing but text,
    //  spaces and '\n' is that already
    body_state_t state = { .preformatted = preformatted };
    buf_init (&state.out);
    const char *data = text;
    size_t size = len;
    if (!simple) {
        buf_reserve (&state.out, len + 2);
        s_walk (text, s_body_cp, &state, true);
        data = state.out.data ? state.out.data : "";
        size = state.out.size;
    }

    //  Split into lines and blocks
    VEC (line_t) lines = { NULL, 0, 0 };
    lines.cap = 64;
    lines.items = (line_t *) xmalloc (lines.cap * sizeof (line_t));
    buf_t result;
    buf_init (&result);
    buf_reserve (&result, len + 2);
    size_t start = 0;
    while (start < size) {
        const char *nl = (const char *) memchr (data + start, '\n', size - start);
        size_t i = nl ? (size_t) (nl - data) : size;
        const char *line = data + start;
        size_t len = i - start;
        start = i + 1;
        while (len > 0 && (line [len - 1] == ' ' || line [len - 1] == '\t'))
            len--;
        size_t lead = 0;
        while (lead < len && (line [lead] == ' ' || line [lead] == '\t'))
            lead++;
        if (lead == len) {
            //  Blank line: ends the block
            s_emit_block (&result, lines.items, lines.len, preformatted);
            lines.len = 0;
            continue;
        }
        line_t *entry = lines.len < lines.cap ? &lines.items [lines.len++] : vec_push (&lines);
        if (preformatted) {
            entry->start = line;
            entry->len = len;
        }
        else {
            entry->start = line + lead;
            entry->len = len - lead;
        }
        entry->indented = lead > 0;
        entry->width = preformatted ? 0 : s_width (entry->start, entry->len);
    }
    s_emit_block (&result, lines.items, lines.len, preformatted);
    free (lines.items);
    buf_free (&state.out);
    free (fixed);
    if (result.size == 0) {
        buf_free (&result);
        return xstrdup ("");
    }
    return buf_detach (&result);        //  NFC already, as in text_clean_line
}

//  --------------------------------------------------------------------------
//  Decode character references once. Caller frees.

char *
text_decode_entities (const char *s)
{
    if (!s)
        return xstrdup ("");
    buf_t out;
    buf_init (&out);
    size_t len = strlen (s);
    buf_reserve (&out, len + 1);
    size_t i = 0;
    while (i < len) {
        const char *amp = (const char *) memchr (s + i, '&', len - i);
        if (!amp) {
            buf_append (&out, s + i, len - i);
            break;
        }
        size_t at = (size_t) (amp - s);
        buf_append (&out, s + i, at - i);
        i = at;
        //  Find the ';' within a sane distance
        size_t end = at + 1;
        while (end < len && end - at <= 32 && s [end] != ';' && s [end] != '&'
               && !isspace ((unsigned char) s [end]))
            end++;
        if (end >= len || s [end] != ';' || end == at + 1) {
            buf_putc (&out, '&');
            i = at + 1;
            continue;
        }
        const char *name = s + at + 1;
        size_t name_len = end - at - 1;
        int64_t cp = -1;
        if (name [0] == '#') {
            bool hex = name_len > 1 && (name [1] == 'x' || name [1] == 'X');
            size_t d = hex ? 2 : 1;
            if (d < name_len) {
                cp = 0;
                for (; d < name_len; d++) {
                    int c = (unsigned char) name [d];
                    int v = hex ? (isdigit (c) ? c - '0'
                                   : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                   : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1)
                                : (isdigit (c) ? c - '0' : -1);
                    if (v < 0) {
                        cp = -1;
                        break;
                    }
                    cp = cp * (hex ? 16 : 10) + v;
                    if (cp > 0x10FFFF)
                        cp = 0x110000;  //  Saturate: invalid
                }
                if (cp >= 0) {
                    if (cp >= 0x80 && cp < 0xA0)
                        cp = s_cp1252 [cp - 0x80];      //  As browsers do
                    else
                    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                        cp = 0xFFFD;
                }
            }
        }
        else {
            char key [40];
            memcpy (key, name, name_len);
            key [name_len] = 0;
            if (strcmp (key, "apos") == 0)
                cp = '\'';
            else {
                const htmlEntityDesc *entity = htmlEntityLookup ((const xmlChar *) key);
                if (entity)
                    cp = entity->value;
            }
        }
        if (cp < 0) {
            buf_putc (&out, '&');
            i = at + 1;
            continue;
        }
        s_put_cp (&out, (int32_t) cp);
        i = end + 1;
    }
    if (out.size == 0) {
        buf_free (&out);
        return xstrdup ("");
    }
    return buf_detach (&out);
}

//  --------------------------------------------------------------------------
//  True for code points that count as one word each (CJK ideographs, kana)

static bool
s_cjk (int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF)       //  Hiragana, katakana
        || (cp >= 0x3400 && cp <= 0x4DBF)       //  CJK extension A
        || (cp >= 0x4E00 && cp <= 0x9FFF)       //  CJK unified ideographs
        || (cp >= 0xF900 && cp <= 0xFAFF)       //  Compatibility ideographs
        || (cp >= 0x20000 && cp <= 0x3FFFF);    //  Extensions B+
}

static bool
s_word_cp (int32_t cp)
{
    if (cp < 0x80)
        return isalnum (cp);
    utf8proc_category_t cat = utf8proc_category (cp);
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME)
        || (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

//  --------------------------------------------------------------------------
//  Byte masks for 8 ASCII bytes at once: 0x80 in each byte that is in
//  [lo, hi], or equal to c (exact per byte: no carry crosses bytes)

static inline uint64_t
s_in_range8 (uint64_t x, unsigned lo, unsigned hi)
{
    const uint64_t ones = 0x0101010101010101ULL;
    return (x + (0x80 - lo) * ones) & ~(x + (0x7F - hi) * ones) & (0x80 * ones);
}

static inline uint64_t
s_equal8 (uint64_t x, unsigned c)
{
    const uint64_t ones = 0x0101010101010101ULL;
    uint64_t t = x ^ (c * ones);
    return ~(((t & (0x7F * ones)) + 0x7F * ones) | t) & (0x80 * ones);
}

//  Words of pure ASCII text by the rules of text_word_count, 8 bytes at a
//  time: a word starts at a letter or digit that follows neither a letter
//  or digit, nor an apostrophe or hyphen after one, nor a '.' or ',' between
//  two digits. False (and nothing counted) when the text is not all ASCII.
static bool
s_word_count_ascii (const char *s, int *words)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t len = strlen (s);
    uint64_t carry_alnum = 0, carry_alnum2 = 0, carry_join = 0, carry_digit2 = 0;
    uint64_t carry_point = 0;
    size_t count = 0;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t x = 0;
        memcpy (&x, p + i, len - i < 8 ? len - i : 8);
        if (x & 0x8080808080808080ULL)
            return false;
        //  Past the end the bytes are 0: no class
        uint64_t digit = s_in_range8 (x, '0', '9');
        uint64_t alnum = digit | s_in_range8 (x | 0x2020202020202020ULL, 'a', 'z');
        uint64_t join = s_equal8 (x, '\'') | s_equal8 (x, '-');
        uint64_t point = s_equal8 (x, '.') | s_equal8 (x, ',');
        //  The same masks one and two bytes back (lower bytes come first)
        uint64_t alnum1 = alnum << 8 | carry_alnum;
        uint64_t alnum2 = alnum << 16 | carry_alnum2;
        uint64_t join1 = join << 8 | carry_join;
        uint64_t point1 = point << 8 | carry_point;
        uint64_t digit2 = digit << 16 | carry_digit2;
        uint64_t starts = alnum & ~alnum1 & ~(join1 & alnum2) & ~(point1 & digit2 & digit);
        count += (size_t) ((((starts >> 7) * 0x0101010101010101ULL)) >> 56);
        carry_alnum = alnum >> 56;
        carry_alnum2 = alnum >> 48;
        carry_join = join >> 56;
        carry_point = point >> 56;
        carry_digit2 = digit >> 48;
    }
    *words = count > INT_MAX ? INT_MAX : (int) count;
    return true;
}

//  --------------------------------------------------------------------------
//  Words: runs of letters and digits; an apostrophe between letters, and
//  '.' or ',' between digits, stay inside a word. CJK characters count one
//  each.

int
text_word_count (const char *s)
{
    if (!s)
        return 0;
    //  Pure ASCII (the common case): 8 bytes at a time
    int words_ascii = 0;
    if (s_word_count_ascii (s, &words_ascii))
        return words_ascii;
    const uint8_t *p = (const uint8_t *) s;
    size_t len = strlen (s);
    int words = 0;
    bool in_word = false;
    int32_t prev = 0;
    size_t i = 0;
    while (i < len) {
        int32_t cp;
        if (i + 8 <= len) {
            //  8 ASCII bytes without joiners: word starts by masks
            uint64_t x;
            memcpy (&x, p + i, 8);
            if (!(x & 0x8080808080808080ULL)
            &&  !(s_equal8 (x, '\'') | s_equal8 (x, '.') | s_equal8 (x, ',') | s_equal8 (x, '-'))) {
                uint64_t alnum = s_in_range8 (x, '0', '9')
                               | s_in_range8 (x | 0x2020202020202020ULL, 'a', 'z');
                uint64_t before = alnum << 8 | (in_word ? 0x80 : 0);
                uint64_t starts = alnum & ~before;
                words += (int) ((((starts >> 7) * 0x0101010101010101ULL)) >> 56);
                in_word = (alnum >> 63) != 0;
                prev = (int32_t) (x >> 56);
                i += 8;
                continue;
            }
        }
        uint8_t c = p [i];
        if (c < 0x80 && c != '\'' && c != '.' && c != ',' && c != '-') {
            //  ASCII other than the joiners: a letter or digit, or a break
            if ((unsigned) ((c | 0x20) - 'a') < 26 || (unsigned) (c - '0') < 10) {
                words += !in_word;
                in_word = true;
            }
            else
                in_word = false;
            prev = c;
            i++;
            continue;
        }
        if (c < 0x80)
            cp = p [i++];
        else {
            size_t n = s_utf8_len (p + i, len - i);
            if (n == 0)
                n = 1;
            cp = s_decode (p + i, n);
            i += n;
        }
        if (s_cjk (cp)) {
            words++;
            in_word = false;
        }
        else
        if (s_word_cp (cp)) {
            if (!in_word)
                words++;
            in_word = true;
        }
        else
        if (in_word && (cp == '\'' || cp == 0x2019 || cp == '.' || cp == ',' || cp == '-')) {
            //  Inside a word only if a word character follows
            bool joins = false;
            if (i < len) {
                size_t m = s_utf8_len (p + i, len - i);
                int32_t next = m ? s_decode (p + i, m) : 0;
                if (cp == '.' || cp == ',')
                    joins = prev < 0x80 && isdigit (prev) && next < 0x80 && isdigit (next);
                else
                    joins = s_word_cp (next) && !s_cjk (next);
            }
            in_word = joins;
        }
        else
            in_word = false;
        prev = cp;
    }
    return words;
}

//  --------------------------------------------------------------------------
//  Code points in UTF-8 text

int
text_char_count (const char *s)
{
    if (!s)
        return 0;
    size_t count = s_code_points (s, strlen (s));
    return count > INT_MAX ? INT_MAX : (int) count;
}

//  --------------------------------------------------------------------------
//  ASCII-lowercase copy. Caller frees.

char *
text_lower_ascii (const char *s)
{
    if (!s)
        return NULL;
    char *copy = xstrdup (s);
    for (char *p = copy; *p; p++)
        *p = (char) tolower ((unsigned char) *p);
    return copy;
}
