//  SPDX-License-Identifier: MIT
//  split - the word splitter behind tokenize (tokenize.h), private
//
//  split_text is the one implementation of tokenize's rules. It is an
//  inline function so that each caller (tokenize in tokenize.c, and
//  lexicon_read in lexicon.c, which reads every story) gets its own copy
//  with the per-word callback inlined: at a few hundred words a story, a
//  call and a token_t in memory per word cost as much as the splitting.
//  Only tokenize.c and lexicon.c include this file.

#ifndef COPYDESK_SPLIT_H
#define COPYDESK_SPLIT_H

#include "classify/tokenize.h"
#include <utf8proc.h>
#if defined (__SSE2__)
#   include <emmintrin.h>
#endif

typedef struct {
    int32_t cp;                 //  Code point, -1 if invalid
    int size;                   //  Bytes
    int kind;                   //  0 other, 1 letter, 2 mark, 3 digit
    bool upper;                 //  Upper- or title-case letter
} split_char_t;

//  Bytes: 0 other (or not ASCII), 1 lower-case letter, 2 upper-case letter,
//  3 digit
static const uint8_t split_ascii [256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0,
    0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
};

//  Abbreviations whose final '.' does not end a sentence: "adm", "approx",
//  "apr", "aug", "bros", "capt", "cie", "cmdr", "co", "col", "corp", "dec",
//  "dept", "dr", "est", "feb", "fig", "ft", "gen", "gov", "inc", "jan",
//  "jr", "jul", "jun", "lt", "ltd", "mar", "messrs", "mr", "mrs", "ms",
//  "mt", "no", "nov", "oct", "plc", "prof", "rep", "rev", "sen", "sep",
//  "sept", "sgt", "sr", "st", "vs". Asked of a folded word as its first 8
//  bytes in an integer (zero padded, little-endian byte order) and its
//  length: a few integer comparisons, no string compares.
#define SPLIT_P2(a,b)           ((uint64_t) (uint8_t) (a) | (uint64_t) (uint8_t) (b) << 8)
#define SPLIT_P3(a,b,c)         (SPLIT_P2 (a, b) | (uint64_t) (uint8_t) (c) << 16)
#define SPLIT_P4(a,b,c,d)       (SPLIT_P3 (a, b, c) | (uint64_t) (uint8_t) (d) << 24)
#define SPLIT_P6(a,b,c,d,e,f)   (SPLIT_P4 (a, b, c, d) | (uint64_t) (uint8_t) (e) << 32 \
                                                       | (uint64_t) (uint8_t) (f) << 40)

static inline bool
split_is_abbreviation (uint64_t head, size_t len)
{
    //  The head as the bytes are in memory (the constants are little-endian)
#if defined (__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    head = __builtin_bswap64 (head);
#endif
    switch (len) {
        case 2:
            switch (head) {
                case SPLIT_P2 ('c','o'): case SPLIT_P2 ('d','r'): case SPLIT_P2 ('f','t'):
                case SPLIT_P2 ('j','r'): case SPLIT_P2 ('l','t'): case SPLIT_P2 ('m','r'):
                case SPLIT_P2 ('m','s'): case SPLIT_P2 ('m','t'): case SPLIT_P2 ('n','o'):
                case SPLIT_P2 ('s','r'): case SPLIT_P2 ('s','t'): case SPLIT_P2 ('v','s'):
                    return true;
            }
            return false;
        case 3:
            switch (head) {
                case SPLIT_P3 ('a','d','m'): case SPLIT_P3 ('a','p','r'): case SPLIT_P3 ('a','u','g'):
                case SPLIT_P3 ('c','i','e'): case SPLIT_P3 ('c','o','l'): case SPLIT_P3 ('d','e','c'):
                case SPLIT_P3 ('e','s','t'): case SPLIT_P3 ('f','e','b'): case SPLIT_P3 ('f','i','g'):
                case SPLIT_P3 ('g','e','n'): case SPLIT_P3 ('g','o','v'): case SPLIT_P3 ('i','n','c'):
                case SPLIT_P3 ('j','a','n'): case SPLIT_P3 ('j','u','l'): case SPLIT_P3 ('j','u','n'):
                case SPLIT_P3 ('l','t','d'): case SPLIT_P3 ('m','a','r'): case SPLIT_P3 ('m','r','s'):
                case SPLIT_P3 ('n','o','v'): case SPLIT_P3 ('o','c','t'): case SPLIT_P3 ('p','l','c'):
                case SPLIT_P3 ('r','e','p'): case SPLIT_P3 ('r','e','v'): case SPLIT_P3 ('s','e','n'):
                case SPLIT_P3 ('s','e','p'): case SPLIT_P3 ('s','g','t'):
                    return true;
            }
            return false;
        case 4:
            switch (head) {
                case SPLIT_P4 ('b','r','o','s'): case SPLIT_P4 ('c','a','p','t'):
                case SPLIT_P4 ('c','m','d','r'): case SPLIT_P4 ('c','o','r','p'):
                case SPLIT_P4 ('d','e','p','t'): case SPLIT_P4 ('p','r','o','f'):
                case SPLIT_P4 ('s','e','p','t'):
                    return true;
            }
            return false;
        case 6:
            return head == SPLIT_P6 ('a','p','p','r','o','x')
                || head == SPLIT_P6 ('m','e','s','s','r','s');
        default:
            return false;
    }
}

//  Decode the character at p (avail bytes left)
static inline void
split_decode (const uint8_t *p, size_t avail, split_char_t *c)
{
    if (p [0] < 0x80) {
        int k = split_ascii [p [0]];
        c->cp = p [0];
        c->size = 1;
        c->upper = k == 2;
        c->kind = k == 3 ? 3 : k ? 1 : 0;
        return;
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate (p, (utf8proc_ssize_t) (avail > 4 ? 4 : avail), &cp);
    if (n <= 0) {
        c->cp = -1;
        c->size = 1;
        c->kind = 0;
        c->upper = false;
        return;
    }
    c->cp = cp;
    c->size = (int) n;
    utf8proc_category_t cat = utf8proc_category (cp);
    c->upper = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
    if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO)
        c->kind = 1;
    else
    if (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME)
        c->kind = 2;
    else
    if (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO)
        c->kind = 3;
    else
        c->kind = 0;
}

//  The character at pos, or kind 0 and size 0 at the end
static inline void
split_peek (const uint8_t *text, size_t len, size_t pos, split_char_t *c)
{
    if (pos >= len) {
        c->cp = 0;
        c->size = 0;
        c->kind = 0;
        c->upper = false;
    }
    else
        split_decode (text + pos, len - pos, c);
}

//  Eight bytes at once (SWAR): the high bit of each byte of x (bytes below
//  0x80) that is at least c; and how many high bits a mask has
#define SPLIT_HIGH      0x8080808080808080ULL
#define SPLIT_ONES      0x0101010101010101ULL
#define SPLIT_GE(x,c)   (((x) + (0x80 - (c)) * SPLIT_ONES) & SPLIT_HIGH)
#define SPLIT_COUNT(m)  ((size_t) ((((m) >> 7) * SPLIT_ONES) >> 56))

//  One 64-bit step of the word hash
static inline uint64_t
split_hash_step (uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 31);
}

static inline uint64_t
split_hash_final (uint64_t h)
{
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 29);
}

//  tokenize_hash of a word followed by at least 8 readable zero bytes
static inline uint64_t
split_hash_padded (const char *word, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v;
        memcpy (&v, word + i, 8);
        h = split_hash_step (h, v);
    }
    return split_hash_final (h);
}

//  tokenize_hash of a word of 1 to 16 bytes, given as its two first 8-byte
//  chunks, zero padded
static inline uint64_t
split_hash_head (uint64_t h0, uint64_t h1, size_t len)
{
    uint64_t h = split_hash_step (0x9e3779b97f4a7c15ULL ^ len, h0);
    if (len > 8)
        h = split_hash_step (h, h1);
    return split_hash_final (h);
}

//  --------------------------------------------------------------------------
//  A run of ASCII letters and digits at q (avail bytes): its length. Copies
//  it lower-cased to `to` while it fits in room bytes (8 bytes past room
//  may be written: slack), and sets *overflow when it does not. Counts its
//  lower-case letters, capitals and digits into *counts.

static inline __attribute__ ((always_inline)) size_t
split_run (const uint8_t *q, size_t avail, char *to, size_t room, size_t counts [3],
           bool *overflow)
{
    size_t i = 0;
    //  Eight bytes at a time while they are in the text and fit
    while (i + 8 <= avail && i + 8 <= room) {
        uint64_t v;
        memcpy (&v, q + i, 8);
        uint64_t x = v & ~SPLIT_HIGH;
        uint64_t up = SPLIT_GE (x, 'A') & ~SPLIT_GE (x, 'Z' + 1);
        uint64_t lo = SPLIT_GE (x, 'a') & ~SPLIT_GE (x, 'z' + 1);
        uint64_t dg = SPLIT_GE (x, '0') & ~SPLIT_GE (x, '9' + 1);
        uint64_t stop = ~((up | lo | dg) & ~v) & SPLIT_HIGH;
        uint64_t lowered = v | (up >> 2);
        memcpy (to + i, &lowered, 8);       //  Bytes past the run: slack
        if (stop) {
            unsigned bytes = (unsigned) __builtin_ctzll (stop) >> 3;
            uint64_t valid = bytes ? ~0ULL >> (64 - 8 * bytes) : 0;
            counts [0] += SPLIT_COUNT (lo & valid);
            counts [1] += SPLIT_COUNT (up & valid);
            counts [2] += SPLIT_COUNT (dg & valid);
            return i + bytes;
        }
        counts [0] += SPLIT_COUNT (lo);
        counts [1] += SPLIT_COUNT (up);
        counts [2] += SPLIT_COUNT (dg);
        i += 8;
    }
    //  Then a byte at a time (the end of the text, or a word too long to
    //  keep: read to its end)
    for (; i < avail; i++) {
        uint8_t ch = q [i];
        int kind = split_ascii [ch];
        if (!kind)
            break;
        counts [kind - 1]++;
        if (i < room)
            to [i] = (char) (ch | ((kind & 2) << 4));   //  'A'..'Z' + 32
        else
            *overflow = true;
    }
    return i;
}

//  Could a connector join the run ending before byte e (last_digit: its
//  last character is a digit; single: it is one character) to more? Says
//  yes when unsure: the full rules then decide.
static inline bool
split_may_join (const uint8_t *p, size_t len, size_t e, bool last_digit, bool single)
{
    if (e >= len)
        return false;
    uint8_t c = p [e];
    if (c >= 0x80)
        return true;                //  A letter, a mark, or a curly apostrophe
    if (c != '.' && c != ',' && c != '\'' && c != '&')
        return false;
    if (e + 1 >= len)
        return false;
    uint8_t d = p [e + 1];
    if (d >= 0x80)
        return true;
    int next = split_ascii [d];
    if (c == '.')
        return last_digit ? next == 3 : single && next && next != 3;
    if (c == ',')
        return last_digit && next == 3;
    return !last_digit && next && next != 3;
}

//  --------------------------------------------------------------------------
//  The ASCII capitals and lower-case letters of a whole text (the counts
//  split_text gives in its stats: every ASCII letter, in words or not)

static inline void
split_letters (const uint8_t *p, size_t len, size_t *upper, size_t *lower)
{
    size_t i = 0, up = 0, lo = 0;
#if defined (__SSE2__)
    const __m128i a = _mm_set1_epi8 ('A' - 1), z = _mm_set1_epi8 ('Z' + 1);
    const __m128i la = _mm_set1_epi8 ('a' - 1), lz = _mm_set1_epi8 ('z' + 1);
    while (i + 16 <= len) {
        //  Per-byte counts in 8 bits: at most 255 blocks before they are summed
        __m128i cu = _mm_setzero_si128 (), cl = _mm_setzero_si128 ();
        for (size_t blocks = 0; blocks < 255 && i + 16 <= len; blocks++, i += 16) {
            __m128i v = _mm_loadu_si128 ((const __m128i *) (p + i));
            cu = _mm_sub_epi8 (cu, _mm_and_si128 (_mm_cmpgt_epi8 (v, a), _mm_cmplt_epi8 (v, z)));
            cl = _mm_sub_epi8 (cl, _mm_and_si128 (_mm_cmpgt_epi8 (v, la), _mm_cmplt_epi8 (v, lz)));
        }
        __m128i su = _mm_sad_epu8 (cu, _mm_setzero_si128 ());
        __m128i sl = _mm_sad_epu8 (cl, _mm_setzero_si128 ());
        up += (size_t) _mm_cvtsi128_si32 (su) + (size_t) _mm_extract_epi16 (su, 4);
        lo += (size_t) _mm_cvtsi128_si32 (sl) + (size_t) _mm_extract_epi16 (sl, 4);
    }
#endif
    for (; i < len; i++) {
        int k = split_ascii [p [i]];
        up += k == 2;
        lo += k == 1;
    }
    *upper = up;
    *lower = lo;
}

#if defined (__SSE2__)
//  A word of 1 to 15 ASCII letters and digits at q (16 bytes readable)
//  that ends there: its length, or 0 if the run goes on for 16 bytes. Its
//  bytes lower-cased and zero padded to 16 go to head; the masks of its
//  lower-case letters, capitals and digits (bit i: byte i) to *lo, *up, *dg.
static inline __attribute__ ((always_inline)) size_t
split_run16 (const uint8_t *q, uint64_t head [2], unsigned *lo, unsigned *up, unsigned *dg)
{
    //  0xff for bytes 0..15 of the first half, then zeros: a window of it
    //  keeps the first n bytes
    static const uint8_t keep [32] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
    };
    __m128i v = _mm_loadu_si128 ((const __m128i *) q);
    __m128i vu = _mm_and_si128 (_mm_cmpgt_epi8 (v, _mm_set1_epi8 ('A' - 1)),
                                _mm_cmplt_epi8 (v, _mm_set1_epi8 ('Z' + 1)));
    __m128i vl = _mm_and_si128 (_mm_cmpgt_epi8 (v, _mm_set1_epi8 ('a' - 1)),
                                _mm_cmplt_epi8 (v, _mm_set1_epi8 ('z' + 1)));
    __m128i vd = _mm_and_si128 (_mm_cmpgt_epi8 (v, _mm_set1_epi8 ('0' - 1)),
                                _mm_cmplt_epi8 (v, _mm_set1_epi8 ('9' + 1)));
    unsigned mu = (unsigned) _mm_movemask_epi8 (vu);
    unsigned ml = (unsigned) _mm_movemask_epi8 (vl);
    unsigned md = (unsigned) _mm_movemask_epi8 (vd);
    unsigned run = (unsigned) __builtin_ctz (~(mu | ml | md));    //  16 if all are
    if (run >= 16)
        return 0;
    unsigned valid = (1u << run) - 1;
    *lo = ml & valid;
    *up = mu & valid;
    *dg = md & valid;
    __m128i lowered = _mm_or_si128 (v, _mm_and_si128 (vu, _mm_set1_epi8 (0x20)));
    lowered = _mm_and_si128 (lowered, _mm_loadu_si128 ((const __m128i *) (keep + 16 - run)));
    _mm_storeu_si128 ((__m128i *) head, lowered);
    return run;
}
#endif

//  --------------------------------------------------------------------------
//  Split len bytes of text into words by tokenize's rules, calling fn for
//  each. A word of ASCII letters and digits that nothing joins to more
//  takes a fast path (eight bytes at a time, folded as it is copied);
//  everything else the full rules, with utf8proc for other characters, and
//  a word with any is case folded (CASEFOLD + NFC) as a whole.

static inline __attribute__ ((always_inline)) size_t
split_text (const char *text, size_t len, token_fn *fn, void *arg, tokenize_stats_t *stats)
{
    //  The word as read: ASCII letters lower-cased, other characters as
    //  they are (case folding them is utf8proc's job); slack after room
    char word [TOKEN_MAX * 2 + 24];
    const size_t room = TOKEN_MAX * 2 + 8;
    char folded [TOKEN_MAX * 4 + 24];
    const uint8_t *p = (const uint8_t *) text;
    size_t pos = 0, count = 0, uppers = 0, lowers = 0;
    bool sentence = true;
    int newlines = 0;
    split_char_t c, n, nn;
    while (pos < len) {
        token_t token;
        uint8_t b = p [pos];
        if (b == ' ') {
            pos++;                      //  Changes neither sentence nor newlines
            continue;
        }
        bool capital;
        int k = split_ascii [b];
#if defined (__SSE2__)
        //  The fastest path: an ASCII word of up to 15 bytes that nothing
        //  joins to more, read in one 16-byte step
        if (k && pos + 16 <= len) {
            uint64_t head [2];
            unsigned lo, up, dg;
            size_t run = split_run16 (p + pos, head, &lo, &up, &dg);
            if (run && !split_may_join (p, len, pos + run, (dg >> (run - 1)) & 1, run == 1)) {
                token.offset = pos;
                token.length = run;
                token.capital = k == 2;
                token.upper = (lo | up) && !lo;
                token.number = dg && !(lo | up);
                token.sentence = sentence;
                token.ascii = true;
                token.head [0] = head [0];
                token.head [1] = head [1];
                token.hash = split_hash_head (head [0], head [1], run);
                memcpy (word, head, 16);
                memset (word + 16, 0, 8);
                token.word = word;
                token.len = run;
                newlines = 0;
                pos += run;
                goto token_ready;
            }
        }
#endif
        if (k)
            capital = k == 2;
        else
        if (b < 0x80) {
            if (b == '.' || b == '!' || b == '?')
                sentence = true;
            if (b == '\n' && ++newlines >= 2)
                sentence = true;
            else
            if (b != '\n' && b != ' ' && b != '\r')
                newlines = 0;
            pos++;
            continue;
        }
        else {
            split_decode (p + pos, len - pos, &c);
            if (c.kind == 0 || c.kind == 2) {
                newlines = 0;           //  Never '\n', ' ' or '\r'
                pos += c.size;
                continue;
            }
            capital = c.upper;
        }
        newlines = 0;
        //  A word starts here
        size_t start = pos, wordlen = 0;
        bool letters, digits, upper;
        bool ascii = true, overflow = false, initialism = false;
        if (k) {
            //  The fast path: a run nothing joins to more
            size_t counts [3] = { 0, 0, 0 };
            size_t run = split_run (p + pos, len - pos, word, room, counts, &overflow);
            bool last_digit = split_ascii [p [pos + run - 1]] == 3;
            if (!split_may_join (p, len, pos + run, last_digit, run == 1)) {
                lowers += counts [0];
                uppers += counts [1];
                letters = counts [0] + counts [1] > 0;
                upper = counts [0] == 0;
                digits = counts [2] > 0;
                wordlen = run;
                pos += run;
                goto word_read;
            }
            overflow = false;
        }
        letters = false;
        digits = false;
        upper = true;
        bool last_digit = false;        //  The last character kept is a digit
        size_t segment = 0;             //  Characters since start or last '.'
        while (pos < len) {
            size_t counts [3] = { 0, 0, 0 };
            size_t run = split_run (p + pos, len - pos, word + wordlen,
                                    wordlen < room ? room - wordlen : 0, counts, &overflow);
            if (run) {
                lowers += counts [0];
                uppers += counts [1];
                if (counts [0] + counts [1])
                    letters = true;
                if (counts [0])
                    upper = false;
                if (counts [2])
                    digits = true;
                last_digit = split_ascii [p [pos + run - 1]] == 3;
                wordlen += run;
                segment += run;
                pos += run;
                if (pos >= len)
                    break;
            }
            uint8_t b = p [pos];
            if (b >= 0x80) {
                split_decode (p + pos, len - pos, &c);
                if (c.kind != 0) {
                    if (c.kind == 1) {
                        letters = true;
                        if (!c.upper)
                            upper = false;
                    }
                    else
                    if (c.kind == 3)
                        digits = true;
                    ascii = false;
                    last_digit = false;
                    if (wordlen + c.size < room)
                        memcpy (word + wordlen, p + pos, c.size);
                    else
                        overflow = true;
                    wordlen += c.size;
                    pos += c.size;
                    segment++;
                    continue;
                }
            }
            else
            if (b != '.' && b != ',' && b != '\'' && b != '&')
                break;                  //  No connector: the word ends
            else {
                c.cp = b;
                c.size = 1;
                c.kind = 0;
                c.upper = false;
            }
            //  A connector inside a word?
            split_peek (p, len, pos + c.size, &n);
            bool prev_digit = wordlen > 0 && last_digit;
            bool prev_letter = wordlen > 0 && !last_digit;
            if (c.cp == '.' && prev_digit && n.kind == 3) {
                if (wordlen < room)
                    word [wordlen] = '.';
                wordlen++;
                last_digit = false;
                pos += 1;
                segment = 0;
                continue;
            }
            if (c.cp == ',' && prev_digit && n.kind == 3) {
                pos += 1;           //  Thousands separator: dropped
                continue;
            }
            if (c.cp == '.' && prev_letter && segment == 1 && n.kind == 1) {
                split_peek (p, len, pos + 1 + n.size, &nn);
                if (nn.cp == '.' || nn.kind == 0) {
                    if (wordlen < room)
                        word [wordlen] = '.';
                    wordlen++;
                    last_digit = false;
                    pos += 1;
                    segment = 0;
                    initialism = true;
                    continue;
                }
            }
            if ((c.cp == '\'' || c.cp == 0x2019) && prev_letter && n.kind == 1) {
                split_peek (p, len, pos + c.size + n.size, &nn);
                if ((n.cp == 's' || n.cp == 'S') && nn.kind == 0) {
                    if (n.cp == 's')
                        lowers++;
                    else
                        uppers++;
                    pos += c.size + n.size;     //  Possessive 's: dropped
                    break;
                }
                if (wordlen < room)
                    word [wordlen] = '\'';
                wordlen++;
                last_digit = false;
                pos += c.size;
                continue;
            }
            if (c.cp == '&' && prev_letter && n.kind == 1 && segment <= 3) {
                if (wordlen < room)
                    word [wordlen] = '&';
                wordlen++;
                last_digit = false;
                pos += 1;
                continue;
            }
            break;
        }
        if (initialism && pos < len && p [pos] == '.')
            pos++;              //  "U.S." keeps its final period out of sentence ends
      word_read:
        if (overflow || wordlen > TOKEN_MAX)
            continue;
        token.offset = start;
        token.length = pos - start;
        token.capital = capital;
        token.upper = letters && upper;
        token.number = digits && !letters;
        token.sentence = sentence;
        token.ascii = ascii;
        if (ascii) {
            //  The head and the hash from registers, before the padding is
            //  stored (a load across two stores would stall)
            uint64_t h0, h1;
            memcpy (&h0, word, 8);
            memcpy (&h1, word + 8, 8);
            if (wordlen < 8) {
                h0 = wordlen ? h0 & ~0ULL >> (64 - 8 * wordlen) : 0;
                h1 = 0;
            }
            else
            if (wordlen < 16)
                h1 = wordlen == 8 ? 0 : h1 & ~0ULL >> (64 - 8 * (wordlen - 8));
            token.head [0] = h0;
            token.head [1] = h1;
            token.hash = wordlen <= 16 ? split_hash_head (h0, h1, wordlen) : 0;
            memset (word + wordlen, 0, 8);
            token.word = word;
            token.len = wordlen;
            if (wordlen > 16)
                token.hash = split_hash_padded (word, wordlen);
        }
        else {
            utf8proc_uint8_t *mapped = NULL;
            utf8proc_ssize_t mlen = utf8proc_map ((const utf8proc_uint8_t *) word,
                (utf8proc_ssize_t) wordlen, &mapped,
                UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE);
            if (mlen <= 0 || (size_t) mlen >= TOKEN_MAX * 4 + 8) {
                free (mapped);
                continue;
            }
            memcpy (folded, mapped, (size_t) mlen);
            free (mapped);
            memset (folded + mlen, 0, 16);
            token.word = folded;
            token.len = (size_t) mlen;
            memcpy (token.head, folded, 16);
            token.hash = split_hash_padded (token.word, token.len);
        }
      token_ready:
        sentence = false;
        count++;
        if (fn (arg, &token))
            break;
        //  "Mr." and "Inc." do not end a sentence
        if (pos < len && p [pos] == '.' && split_is_abbreviation (token.head [0], token.len))
            pos++;
    }
    (void) uppers;
    (void) lowers;
    if (stats)
        split_letters (p, len, &stats->upper, &stats->lower);
    return count;
}

#endif
