//  SPDX-License-Identifier: MIT
//  test_tokenize - word splitting, case folding, stop words, Snowball stems;
//  the fast splitter against a plain one-character-at-a-time reference on
//  random and hostile text; the lexicon (interning, epochs, memos, reading)

#include "common.h"
#include "classify/tokenize.h"
#include "classify/lexicon.h"
#include <utf8proc.h>
#include <setjmp.h>
#include <cmocka.h>

typedef struct {
    strv_t words;
    VEC (token_t) tokens;
} words_t;

static int
s_collect (void *arg, const token_t *token)
{
    words_t *w = (words_t *) arg;
    strv_push (&w->words, token->word);
    token_t *copy = vec_push (&w->tokens);
    *copy = *token;
    copy->word = NULL;
    return 0;
}

static void
s_words (const char *text, words_t *out)
{
    memset (out, 0, sizeof *out);
    tokenize (text, strlen (text), s_collect, out);
}

static void
s_free (words_t *w)
{
    strv_free (&w->words);
    free (w->tokens.items);
}

static void
s_expect (const char *text, const char **expected)
{
    words_t w;
    s_words (text, &w);
    size_t n = 0;
    while (expected [n])
        n++;
    for (size_t i = 0; i < w.words.len && i < n; i++)
        assert_string_equal (w.words.items [i], expected [i]);
    assert_int_equal (w.words.len, n);
    s_free (&w);
}

static void
test_words (void **state)
{
    const char *a [] = { "the", "u.s", "oil", "rich", "company", "shares", "rose", "3.5",
                         "pct", "to", "1000", "dlrs", NULL };
    s_expect ("The U.S. oil-rich company's shares rose 3.5 pct to 1,000 dlrs.", a);
    const char *b [] = { "at&t", "and", "o'brien", "said", "u.k", "gdp", NULL };
    s_expect ("AT&T and O'Brien said: U.K. GDP...", b);
    const char *c [] = { NULL };
    s_expect ("", c);
    s_expect (" -- ... !!! ", c);
}

static void
test_unicode (void **state)
{
    const char *a [] = { "zürich", "école", "naïve", "strasse", "straße", NULL };
    //  Case folding: "STRASSE" folds to "strasse"; "Straße" full-folds to
    //  "strasse" too
    words_t w;
    s_words ("Zürich ÉCOLE naïve STRASSE", &w);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal (w.words.items [i], a [i]);
    assert_true (w.tokens.items [1].upper);
    assert_true (w.tokens.items [0].capital);
    assert_false (w.tokens.items [0].ascii);
    s_free (&w);
    s_words ("Straße", &w);
    assert_int_equal (w.words.len, 1);
    assert_string_equal (w.words.items [0], "strasse");
    s_free (&w);
    //  Curly apostrophe, CJK and Cyrillic words
    s_words ("Reuters’s Москва 東京", &w);
    assert_int_equal (w.words.len, 3);
    assert_string_equal (w.words.items [0], "reuters");
    assert_string_equal (w.words.items [1], "москва");
    s_free (&w);
}

static void
test_shape (void **state)
{
    words_t w;
    s_words ("Mr. Smith met Gen. Lee. Then he left.\n\nNew paragraph", &w);
    //  mr smith met gen lee then he left new paragraph
    assert_int_equal (w.words.len, 10);
    assert_true (w.tokens.items [0].sentence);      //  Mr
    assert_false (w.tokens.items [1].sentence);     //  Smith: "Mr." ends no sentence
    assert_false (w.tokens.items [4].sentence);     //  Lee: nor does "Gen."
    assert_true (w.tokens.items [5].sentence);      //  Then
    assert_true (w.tokens.items [8].sentence);      //  New (after a blank line)
    assert_true (w.tokens.items [1].capital);
    assert_false (w.tokens.items [2].capital);
    s_free (&w);
    s_words ("Q1 1987 3.5", &w);
    assert_false (w.tokens.items [0].number);
    assert_true (w.tokens.items [1].number);
    assert_true (w.tokens.items [2].number);
    s_free (&w);
}

static void
test_hostile (void **state)
{
    //  Invalid UTF-8, control bytes, NUL inside the length, a huge word
    const char bad [] = "ok\xff\xfe" "abc\x01" "def\xc3" "\x00" "ghi";
    words_t w;
    memset (&w, 0, sizeof w);
    tokenize (bad, sizeof bad - 1, s_collect, &w);
    assert_int_equal (w.words.len, 4);
    assert_string_equal (w.words.items [0], "ok");
    assert_string_equal (w.words.items [3], "ghi");
    s_free (&w);
    char *huge = xmalloc (100001);
    memset (huge, 'a', 100000);
    huge [100000] = 0;
    huge [50] = ' ';
    s_words (huge, &w);
    assert_int_equal (w.words.len, 1);              //  The 50-letter word only
    assert_int_equal (strlen (w.words.items [0]), 50);
    s_free (&w);
    free (huge);
}


//  --------------------------------------------------------------------------
//  The reference: tokenize's rules as first written, one character at a
//  time (the splitter has an ASCII fast path, reads eight bytes at a time
//  and lower-cases as it copies; it must give the same words)

typedef struct {
    int32_t cp;
    int size;
    int kind;                   //  0 other, 1 letter, 2 mark, 3 digit
    bool upper;
} r_char_t;

static void
r_decode (const uint8_t *p, size_t avail, r_char_t *c)
{
    if (p [0] < 0x80) {
        int b = p [0];
        c->cp = b;
        c->size = 1;
        c->upper = b >= 'A' && b <= 'Z';
        c->kind = (c->upper || (b >= 'a' && b <= 'z')) ? 1 : (b >= '0' && b <= '9') ? 3 : 0;
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
    c->kind = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO ? 1
            : cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME ? 2
            : cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO ? 3 : 0;
}

static void
r_peek (const uint8_t *text, size_t len, size_t pos, r_char_t *c)
{
    if (pos >= len) {
        c->cp = 0;
        c->size = 0;
        c->kind = 0;
        c->upper = false;
    }
    else
        r_decode (text + pos, len - pos, c);
}

static bool
r_abbreviation (const char *word)
{
    static const char *list [] = {
        "adm", "approx", "apr", "aug", "bros", "capt", "cie", "cmdr", "co", "col", "corp",
        "dec", "dept", "dr", "est", "feb", "fig", "ft", "gen", "gov", "inc", "jan", "jr",
        "jul", "jun", "lt", "ltd", "mar", "messrs", "mr", "mrs", "ms", "mt", "no", "nov",
        "oct", "plc", "prof", "rep", "rev", "sen", "sep", "sept", "sgt", "sr", "st", "vs", NULL
    };
    for (int i = 0; list [i]; i++)
        if (strcmp (list [i], word) == 0)
            return true;
    return false;
}

static size_t
r_tokenize (const char *text, size_t len, token_fn *fn, void *arg)
{
    const uint8_t *p = (const uint8_t *) text;
    char raw [TOKEN_MAX * 2 + 8];
    size_t pos = 0, count = 0;
    bool sentence = true;
    int newlines = 0;
    r_char_t c, n, nn;
    while (pos < len) {
        r_decode (p + pos, len - pos, &c);
        if (c.kind == 0 || c.kind == 2) {
            if (c.cp == '.' || c.cp == '!' || c.cp == '?')
                sentence = true;
            if (c.cp == '\n' && ++newlines >= 2)
                sentence = true;
            else
            if (c.cp != '\n' && c.cp != ' ' && c.cp != '\r')
                newlines = 0;
            pos += c.size;
            continue;
        }
        newlines = 0;
        size_t start = pos, rawlen = 0, segment = 0;
        bool letters = false, digits = false, upper = true, capital = c.upper;
        bool ascii = true, overflow = false, initialism = false, last_digit = false;
        while (pos < len) {
            r_decode (p + pos, len - pos, &c);
            if (c.kind != 0) {
                if (c.kind == 1) {
                    letters = true;
                    if (!c.upper)
                        upper = false;
                }
                else
                if (c.kind == 3)
                    digits = true;
                if (c.cp >= 0x80)
                    ascii = false;
                last_digit = c.kind == 3 && c.cp < 0x80;
                if (rawlen + c.size < sizeof raw - 1)
                    memcpy (raw + rawlen, p + pos, c.size);
                else
                    overflow = true;
                rawlen += c.size;
                pos += c.size;
                segment++;
                continue;
            }
            r_peek (p, len, pos + c.size, &n);
            bool prev_digit = rawlen > 0 && last_digit;
            bool prev_letter = rawlen > 0 && !prev_digit;
            if (c.cp == '.' && prev_digit && n.kind == 3) {
                if (rawlen < sizeof raw - 1)
                    raw [rawlen] = '.';
                rawlen++;
                last_digit = false;
                pos += 1;
                segment = 0;
                continue;
            }
            if (c.cp == ',' && prev_digit && n.kind == 3) {
                pos += 1;
                continue;
            }
            if (c.cp == '.' && prev_letter && segment == 1 && n.kind == 1) {
                r_peek (p, len, pos + 1 + n.size, &nn);
                if (nn.cp == '.' || nn.kind == 0) {
                    if (rawlen < sizeof raw - 1)
                        raw [rawlen] = '.';
                    rawlen++;
                    last_digit = false;
                    pos += 1;
                    segment = 0;
                    initialism = true;
                    continue;
                }
            }
            if ((c.cp == '\'' || c.cp == 0x2019) && prev_letter && n.kind == 1) {
                r_peek (p, len, pos + c.size + n.size, &nn);
                if ((n.cp == 's' || n.cp == 'S') && nn.kind == 0) {
                    pos += c.size + n.size;
                    break;
                }
                if (rawlen < sizeof raw - 1)
                    raw [rawlen] = '\'';
                rawlen++;
                last_digit = false;
                pos += c.size;
                continue;
            }
            if (c.cp == '&' && prev_letter && n.kind == 1 && segment <= 3) {
                if (rawlen < sizeof raw - 1)
                    raw [rawlen] = '&';
                rawlen++;
                last_digit = false;
                pos += 1;
                continue;
            }
            break;
        }
        if (initialism && pos < len && p [pos] == '.')
            pos++;
        if (overflow || rawlen > TOKEN_MAX)
            continue;
        token_t token = {
            .offset = start, .length = pos - start, .capital = capital,
            .upper = letters && upper, .number = digits && !letters,
            .sentence = sentence, .ascii = ascii
        };
        char folded [TOKEN_MAX * 4 + 8];
        if (ascii) {
            for (size_t i = 0; i < rawlen; i++)
                folded [i] = (char) tolower ((unsigned char) raw [i]);
            token.len = rawlen;
        }
        else {
            utf8proc_uint8_t *mapped = NULL;
            utf8proc_ssize_t mlen = utf8proc_map ((const utf8proc_uint8_t *) raw,
                (utf8proc_ssize_t) rawlen, &mapped,
                UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE);
            if (mlen <= 0 || (size_t) mlen >= sizeof folded) {
                free (mapped);
                continue;
            }
            memcpy (folded, mapped, (size_t) mlen);
            free (mapped);
            token.len = (size_t) mlen;
        }
        folded [token.len] = 0;
        token.word = folded;
        sentence = false;
        count++;
        if (fn (arg, &token))
            break;
        if (pos < len && p [pos] == '.' && token.len <= 6 && r_abbreviation (folded))
            pos++;
    }
    return count;
}

//  Random text from pieces that exercise every rule
static size_t
s_random_text (uint64_t *seed, char *out, size_t max)
{
    static const char *pieces [] = {
        "a", "B", "z", "Q", "7", "0", "ab", "CD", "x9", "Oil", "U", "S", "u", "s", "t",
        " ", " ", " ", "  ", "\n", "\n\n", "\r\n", ".", ".", ",", "'", "&", "!", "?", "-",
        "\xe2\x80\x99", "\xc3\xa9", "\xc3\x89", "\xcc\x81", "\xe6\x9d\xb1", "\xd0\x9c",
        "\xef\xbc\xa1", "\xe2\x84\xaa", "\xc3\x9f", "\xff", "\xc3", "\x01", "(", ")",
        "Mr", "Inc", "co", "ST", "no", "1,000", "3.5", "U.S.", "at&t", "O'Brien", "it's",
        "Reuters\xe2\x80\x99s", "abcdefgh", "ABCDEFGHIJKLMNOPQ", "Ab1Cd2Ef3Gh4Ij5K",
        "\xd9\xa3", "\xe0\xa5\xa6", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc0\xaf"
    };
    size_t npieces = sizeof pieces / sizeof pieces [0];
    size_t len = 0, want = 1 + (size_t) (*seed % 200);
    while (len < want) {
        *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t r = *seed >> 33;
        const char *piece = pieces [r % npieces];
        if (r % 97 == 0) {
            //  A long word: around the 64-byte limit and the 16-byte head
            size_t n = 10 + (size_t) (r >> 8) % 140;
            for (size_t i = 0; i < n && len < max - 1; i++)
                out [len++] = (char) ((r >> 20) & 1 ? 'A' + i % 26 : 'a' + i % 26);
            continue;
        }
        size_t n = strlen (piece);
        if (len + n >= max)
            break;
        memcpy (out + len, piece, n);
        len += n;
    }
    out [len] = 0;
    return len;
}

static void
s_assert_same_tokens (const char *text, size_t len)
{
    words_t fast, ref;
    memset (&fast, 0, sizeof fast);
    memset (&ref, 0, sizeof ref);
    tokenize_stats_t stats;
    size_t nfast = tokenize_counted (text, len, s_collect, &fast, &stats);
    size_t nref = r_tokenize (text, len, s_collect, &ref);
    assert_int_equal (nfast, nref);
    assert_int_equal (fast.words.len, ref.words.len);
    for (size_t i = 0; i < fast.words.len; i++) {
        assert_string_equal (fast.words.items [i], ref.words.items [i]);
        token_t *a = &fast.tokens.items [i], *b = &ref.tokens.items [i];
        assert_int_equal (a->len, b->len);
        assert_int_equal (a->offset, b->offset);
        assert_int_equal (a->length, b->length);
        assert_int_equal (a->capital, b->capital);
        assert_int_equal (a->upper, b->upper);
        assert_int_equal (a->number, b->number);
        assert_int_equal (a->sentence, b->sentence);
        assert_int_equal (a->ascii, b->ascii);
        const char *word = fast.words.items [i];
        assert_true (a->hash == tokenize_hash (word, strlen (word)));
    }
    //  The letter counts: every ASCII letter of the text
    size_t upper = 0, lower = 0;
    for (size_t i = 0; i < len; i++) {
        upper += text [i] >= 'A' && text [i] <= 'Z';
        lower += text [i] >= 'a' && text [i] <= 'z';
    }
    assert_int_equal (stats.upper, upper);
    assert_int_equal (stats.lower, lower);
    s_free (&fast);
    s_free (&ref);
}

static void
test_reference (void **state)
{
    //  Fixed cases first
    const char *cases [] = {
        "The U.S. oil-rich company's shares rose 3.5 pct to 1,000 dlrs.",
        "AT&T and O'Brien said: U.K. GDP...", "Mr. Smith met Gen. Lee. Then he left.\n\nNew",
        "Zürich ÉCOLE naïve STRASSE Straße", "Reuters’s Москва 東京", "a.b.c. A.B. 1.2.3 1,2,3",
        "abcdefgh abcdefghijklmnop abcdefghijklmnopq ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ab",
        "x'", "x's", "X'S.", "a&b&c", "abcd&e", "7.", "7,", "7,a", "a,7", "’s", "E\xcc\x81t\xc3\xa9",
        "", " ", ".", NULL
    };
    for (int i = 0; cases [i]; i++)
        s_assert_same_tokens (cases [i], strlen (cases [i]));
    //  Then random text, a fixed seed
    uint64_t seed = 20250101;
    char text [2048];
    for (int round = 0; round < 20000; round++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t len = s_random_text (&seed, text, sizeof text);
        s_assert_same_tokens (text, len);
        //  Every prefix length cuts words and sequences short somewhere
        if (round % 50 == 0)
            for (size_t cut = 0; cut < len; cut += 7)
                s_assert_same_tokens (text, cut);
    }
}

//  --------------------------------------------------------------------------
//  The lexicon

static int
s_count (void *arg, const token_t *token)
{
    (*(size_t *) arg)++;
    return 0;
}

static void
test_lexicon (void **state)
{
    lexicon_t *lexicon = lexicon_new ();
    assert_int_equal (lexicon_size (lexicon), 0);
    const char *long1 = "internationalisation-a", *long2 = "internationalisation-b";
    int32_t oil = lexicon_intern (lexicon, "oil", 3, tokenize_hash ("oil", 3));
    int32_t a = lexicon_intern (lexicon, long1, strlen (long1), tokenize_hash (long1, strlen (long1)));
    int32_t b = lexicon_intern (lexicon, long2, strlen (long2), tokenize_hash (long2, strlen (long2)));
    assert_int_equal (oil, 0);
    assert_int_equal (a, 1);
    assert_int_equal (b, 2);                        //  Same first 16 bytes, other word
    assert_int_equal (lexicon_intern (lexicon, "oil", 3, tokenize_hash ("oil", 3)), 0);
    assert_int_equal (lexicon_find (lexicon, long2, strlen (long2)), 2);
    assert_int_equal (lexicon_find (lexicon, "gas", 3), -1);
    size_t len;
    assert_string_equal (lexicon_word (lexicon, 1, &len), long1);
    assert_int_equal (len, strlen (long1));

    //  Many words: the table grows, every id stays
    char word [32];
    for (int i = 0; i < 20000; i++) {
        int n = snprintf (word, sizeof word, "w%d", i);
        assert_int_equal (lexicon_intern (lexicon, word, (size_t) n, tokenize_hash (word, (size_t) n)),
                          i + 3);
    }
    for (int i = 0; i < 20000; i += 997) {
        int n = snprintf (word, sizeof word, "w%d", i);
        assert_int_equal (lexicon_find (lexicon, word, (size_t) n), i + 3);
    }
    assert_int_equal (lexicon_find (lexicon, "oil", 3), 0);

    //  A memo follows the lexicon's words, and is void in a new epoch
    int32_t *memo = NULL;
    size_t size = 0;
    uint64_t epoch = 0;
    lexicon_memo (lexicon, (void **) &memo, &size, sizeof (int32_t), &epoch);
    assert_true (size >= lexicon_size (lexicon));
    assert_int_equal (epoch, lexicon_epoch (lexicon));
    memo [0] = 42;
    lexicon_memo (lexicon, (void **) &memo, &size, sizeof (int32_t), &epoch);
    assert_int_equal (memo [0], 42);
    uint64_t before = lexicon_epoch (lexicon);
    assert_false (lexicon_trim (lexicon, 100000));
    assert_true (lexicon_trim (lexicon, 10));
    assert_int_equal (lexicon_size (lexicon), 0);
    assert_true (lexicon_epoch (lexicon) != before);
    lexicon_memo (lexicon, (void **) &memo, &size, sizeof (int32_t), &epoch);
    assert_int_equal (memo [0], 0);
    assert_int_equal (lexicon_find (lexicon, "oil", 3), -1);
    //  Epochs are unique across lexicons
    lexicon_t *other = lexicon_new ();
    assert_true (lexicon_epoch (other) != lexicon_epoch (lexicon));
    lexicon_destroy (&other);
    free (memo);

    //  Reading: the words tokenize gives, with their shapes, ids and commas
    const char *text = "Oil, oil and OIL. Gas rose 3.5 pct, internationalisation-a";
    lextext_t read = { 0 };
    lexicon_read (lexicon, text, strlen (text), &read);
    words_t w;
    s_words (text, &w);
    assert_int_equal (read.words.len, w.words.len);
    for (size_t i = 0; i < read.words.len; i++) {
        lexword_t *lw = &read.words.items [i];
        assert_string_equal (lexicon_word (lexicon, lw->id, NULL), w.words.items [i]);
        assert_int_equal (lw->offset, w.tokens.items [i].offset);
        assert_int_equal (lw->length, w.tokens.items [i].length);
        assert_int_equal ((lw->flags & LEX_CAPITAL) != 0, w.tokens.items [i].capital);
        assert_int_equal ((lw->flags & LEX_UPPER) != 0, w.tokens.items [i].upper);
        assert_int_equal ((lw->flags & LEX_NUMBER) != 0, w.tokens.items [i].number);
        assert_int_equal ((lw->flags & LEX_SENTENCE) != 0, w.tokens.items [i].sentence);
    }
    //  oil, oil, and, oil, gas, rose, 3.5, pct, internationalisation
    assert_int_equal (read.words.items [0].id, read.words.items [1].id);
    assert_int_equal (read.words.items [0].id, read.words.items [3].id);
    assert_false (read.words.items [0].flags & LEX_COMMA);
    assert_true (read.words.items [1].flags & LEX_COMMA);
    assert_true (read.words.items [8].flags & LEX_COMMA);
    assert_true (read.words.items [4].flags & LEX_SENTENCE);
    assert_true (read.words.items [0].flags & LEX_ALPHA);
    assert_false (read.words.items [6].flags & LEX_ALPHA);
    assert_int_equal (read.upper, 5);
    s_free (&w);
    //  Random text reads as tokenize splits it
    uint64_t seed = 7;
    char random [2048];
    for (int round = 0; round < 2000; round++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t len = s_random_text (&seed, random, sizeof random);
        lexicon_read (lexicon, random, len, &read);
        size_t count = 0;
        tokenize (random, len, s_count, &count);
        assert_int_equal (read.words.len, count);
    }
    lexicon_read (lexicon, NULL, 0, &read);
    assert_int_equal (read.words.len, 0);
    lextext_free (&read);
    lexicon_destroy (&lexicon);
    assert_null (lexicon);
}

static void
test_stems (void **state)
{
    tokenizer_t *en = tokenizer_new ("en-GB");
    assert_string_equal (tokenizer_algorithm (en), "english");
    char *stem = tokenizer_stem (en, "running", 7);
    assert_string_equal (stem, "run");
    free (stem);
    stem = tokenizer_stem (en, "companies", 9);
    assert_string_equal (stem, "compani");
    free (stem);
    stem = tokenizer_stem (en, "u.s", 3);             //  Initialisms kept
    assert_string_equal (stem, "u.s");
    free (stem);
    assert_true (tokenizer_is_stopword (en, "the", 3));
    assert_false (tokenizer_is_stopword (en, "oil", 3));

    //  Stem ids: equal stems share an id; stop words and numbers are -1,
    //  and break phrases
    stemv_t ids = { 0 };
    const char *text = "Oil prices rose; the price of oil 3.5 pct. Pricing!";
    tokenizer_stems (en, text, strlen (text), &ids);
    //  oil price rose | price | oil | pct | price
    size_t len;
    assert_true (ids.len >= 8);
    assert_string_equal (tokenizer_stem_text (en, ids.items [0], &len), "oil");
    assert_int_equal (ids.items [1], ids.items [4]);        //  prices = price
    assert_int_equal (ids.items [3], -1);                   //  "the"
    int32_t *tag = tokenizer_stem_tag (en, ids.items [0]);
    assert_int_equal (*tag, INT32_MIN);
    *tag = 7;
    assert_int_equal (*tokenizer_stem_tag (en, ids.items [0]), 7);
    size_t stems = tokenizer_stem_count (en);
    assert_true (stems >= 4);
    assert_false (tokenizer_trim (en, 1000));
    assert_true (tokenizer_trim (en, 1));
    assert_int_equal (tokenizer_stem_count (en), 0);
    free (ids.items);
    tokenizer_destroy (&en);
    assert_null (en);

    //  German: its own stop words and stemmer
    tokenizer_t *de = tokenizer_new ("de");
    assert_string_equal (tokenizer_algorithm (de), "german");
    assert_true (tokenizer_is_stopword (de, "und", 3));
    stem = tokenizer_stem (de, "häuser", strlen ("häuser"));
    assert_string_equal (stem, "haus");
    free (stem);
    tokenizer_destroy (&de);

    //  Unknown language: English
    tokenizer_t *xx = tokenizer_new ("tlh");
    assert_string_equal (tokenizer_algorithm (xx), "english");
    tokenizer_destroy (&xx);
    char primary [8];
    assert_string_equal (tokenizer_language_primary ("PT-br", primary, sizeof primary), "pt");
    assert_string_equal (tokenizer_language_primary (NULL, primary, sizeof primary), "");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_words),
        cmocka_unit_test (test_unicode),
        cmocka_unit_test (test_shape),
        cmocka_unit_test (test_hostile),
        cmocka_unit_test (test_stems),
        cmocka_unit_test (test_reference),
        cmocka_unit_test (test_lexicon),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
