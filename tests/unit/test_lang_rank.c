//  SPDX-License-Identifier: MIT
//  test_lang_rank - language detection gives what it gave before it was
//  made faster: every step of lang_detect (n-gram ranking with its scores,
//  script census, function-word counts) and its verdict against the
//  detector as it was, kept in lang_oracle.h, on every Reuters-21578 body,
//  every shared sample's text (as parsed and as normalized) and thousands
//  of synthetic texts built to reach every path of the ranking. One
//  detector sees them all, in that order, so that its caches (which learn
//  from the texts) are compared in every state they reach.
//
//  Reads $COPYDESK_SHARED in place. COPYDESK_TEST_SEED=N changes the
//  synthetic texts (the seed is printed).

#include "ingest_collect.h"
#include "normalize/normalize.h"
#include "lang_oracle.h"
#include <setjmp.h>
#include <cmocka.h>

static lang_t *s_lang;
static oracle_t *s_oracle;

//  What the comparisons went through, so that a test that compared
//  nothing fails
typedef struct {
    long texts;                 //  Texts compared
    long ranked;                //  ... with at least one candidate
    long several;               //  ... with several candidates
    long decided;               //  ... with a verdict
    int codes [64];             //  Verdicts per language (index in s_seen_codes)
    const char *seen_codes [64];
    int languages;              //  Different verdicts
} tally_t;

static tally_t s_tally;

static int
s_setup (void **state)
{
    s_lang = lang_new (NULL);
    s_oracle = oracle_new (NULL);
    return 0;
}

static int
s_teardown (void **state)
{
    lang_destroy (&s_lang);
    oracle_destroy (&s_oracle);
    return 0;
}

//  Print text escaped, for a failure
static void
s_print_text (const char *text, size_t len)
{
    buf_t out;
    buf_init (&out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) text [i];
        if (c >= 0x20 && c < 0x7F && c != '\\')
            buf_putc (&out, (char) c);
        else {
            char esc [8];
            snprintf (esc, sizeof esc, "\\x%02X", c);
            buf_puts (&out, esc);
        }
    }
    print_error ("text (%zu bytes): \"%s\"\n", len, out.data ? out.data : "");
    buf_free (&out);
}

//  Compare the detector with the oracle on len bytes of text; fails the
//  test on the first difference
static void
s_compare (const char *label, const char *text, size_t len)
{
    char why [256];
    if (!oracle_same (s_lang, s_oracle, text, len, why, sizeof why)) {
        s_print_text (text, len);
        fail_msg ("%s: %s", label, why);
    }
    s_tally.texts++;
    const char *codes [LANG_TEST_CANDIDATES];
    int32_t scores [LANG_TEST_MODELS];
    size_t ngram = len < 512 ? len : 512;
    int count = lang_test_rank (s_lang, text, ngram, codes, scores);
    s_tally.ranked += count > 0;
    s_tally.several += count > 1;
    char *copy = xstrndup (text, len);
    const char *code = lang_detect (s_lang, copy);
    free (copy);
    if (code) {
        s_tally.decided++;
        int i;
        for (i = 0; i < s_tally.languages; i++)
            if (strcmp (s_tally.seen_codes [i], code) == 0)
                break;
        if (i == s_tally.languages && i < 64)
            s_tally.seen_codes [s_tally.languages++] = code;
        if (i < 64)
            s_tally.codes [i]++;
    }
}

static void
s_compare_str (const char *label, const char *text)
{
    if (text)
        s_compare (label, text, strlen (text));
}

//  Every text of a story as lang_detect may see it: headline, body,
//  descriptions, the sample normalize builds, and the body from further on
static void
s_compare_story (const char *label, const story_t *story)
{
    const char *headline = story_headline (story);
    const char *body = story_body (story);
    s_compare_str (label, headline);
    s_compare_str (label, body);
    for (size_t i = 0; i < story->descriptions.len; i++)
        s_compare_str (label, story->descriptions.items [i].value);
    if (headline && body) {
        char *sample = xasprintf ("%s.\n\n%s", headline, body);
        s_compare_str (label, sample);
        free (sample);
    }
    if (body) {
        size_t len = strlen (body);
        size_t offsets [] = { 100, 333, 700, 1500 };
        for (size_t k = 0; k < sizeof offsets / sizeof offsets [0]; k++)
            if (len > offsets [k] + 40)
                s_compare (label, body + offsets [k], len - offsets [k]);
    }
}

//  --------------------------------------------------------------------------
//  Every body of the 22 Reuters-21578 files

static void
test_reuters (void **state)
{
    memset (&s_tally, 0, sizeof s_tally);
    int stories = 0;
    for (int f = 0; f < 22; f++) {
        char name [64];
        snprintf (name, sizeof name, "data/reuters21578/reut2-%03d.sgm", f);
        collect_t c = { 0 };
        assert_int_equal (collect_shared (&c, name, NULL), 0);
        for (size_t i = 0; i < c.stories.len; i++) {
            s_compare_story (name, c.stories.items [i]);
            stories++;
        }
        collect_reset (&c);
    }
    print_message ("reuters: %d stories, %ld texts, %ld ranked (%ld with several candidates),"
                   " %ld decided\n", stories, s_tally.texts, s_tally.ranked, s_tally.several,
                   s_tally.decided);
    assert_int_equal (stories, 21578);
    assert_true (s_tally.ranked > 20000);
    assert_true (s_tally.decided > 15000);
}

//  --------------------------------------------------------------------------
//  Every shared sample: each story's texts as parsed and as normalized, and
//  the raw bytes of the file (markup and all)

typedef struct {
    normalize_t *normalizer;
    int stories;
} sample_run_t;

//  One sample: its raw bytes, then every story as parsed and as normalized
static void
s_sample (const char *path, const char *name, const uint8_t *data, size_t size, void *arg)
{
    sample_run_t *run = (sample_run_t *) arg;
    s_compare (name, (const char *) data, size);
    collect_t c = { 0 };
    collect_bytes (&c, path, NULL, data, size);
    for (size_t i = 0; i < c.stories.len; i++) {
        story_t *story = c.stories.items [i];
        s_compare_story (name, story);
        if (normalize_story (run->normalizer, story) == 0)
            s_compare_story (name, story);
        run->stories++;
    }
    collect_reset (&c);
}

static void
test_samples (void **state)
{
    memset (&s_tally, 0, sizeof s_tally);
    normalize_t *normalizer = normalize_new (NULL);
    normalize_set_now (normalizer, 1590969600);
    sample_run_t run = { .normalizer = normalizer };
    int files = collect_each_sample (s_sample, &run);
    int stories = run.stories;
    normalize_destroy (&normalizer);
    print_message ("samples: %d files, %d stories, %ld texts, %ld ranked, %ld decided in"
                   " %d languages\n", files, stories, s_tally.texts, s_tally.ranked,
                   s_tally.decided, s_tally.languages);
    assert_true (files >= 100);
    assert_true (stories >= 100);
    assert_true (s_tally.languages >= 5);
}

//  --------------------------------------------------------------------------
//  Synthetic texts

static uint64_t s_state;

static uint32_t
s_random (void)
{
    //  xorshift64*
    s_state ^= s_state >> 12;
    s_state ^= s_state << 25;
    s_state ^= s_state >> 27;
    return (uint32_t) ((s_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t
s_below (uint32_t n)
{
    return n ? s_random () % n : 0;
}

//  Word pools: the pieces of the profiles' n-grams and the function words
typedef VEC (char *) words_t;

static words_t s_grams;         //  Of every profile
static words_t s_grams_of [ORACLE_MODELS_MAX];
static words_t s_function;      //  Of every list
static words_t s_function_of [ORACLE_STOP_MAX];

static void
s_pool_add (words_t *pool, const char *word, size_t len)
{
    if (len == 0)
        return;
    char **slot = vec_push (pool);
    *slot = xstrndup (word, len);
}

static void
s_pools_load (void)
{
    for (int m = 0; oracle_models [m].model; m++) {
        char *path = xasprintf ("%s/%s.lm", ORACLE_DEFAULT_DATA, oracle_models [m].model);
        uint8_t *data = NULL;
        size_t size = 0;
        if (file_read (path, 1024 * 1024, &data, &size) != 0)
            fail_msg ("cannot read the profile %s", path);
        char *line = (char *) data;
        while (line && *line) {
            char *next = strchr (line, '\n');
            if (next)
                *next++ = 0;
            size_t len = strcspn (line, " \t\r");
            //  The n-gram without its underscores: word pieces
            char *piece = line;
            while (piece < line + len) {
                size_t n = strcspn (piece, "_");
                if (n > len - (size_t) (piece - line))
                    n = len - (size_t) (piece - line);
                s_pool_add (&s_grams, piece, n);
                if (m < ORACLE_MODELS_MAX)
                    s_pool_add (&s_grams_of [m], piece, n);
                piece += n + 1;
            }
            line = next;
        }
        free (data);
        free (path);
    }
    for (int l = 0; oracle_stopwords [l].code; l++) {
        const char *p = oracle_stopwords [l].words;
        while (*p) {
            while (*p == ' ')
                p++;
            size_t n = strcspn (p, " ");
            s_pool_add (&s_function, p, n);
            s_pool_add (&s_function_of [l], p, n);
            p += n;
        }
    }
}

static void
s_pool_free (words_t *pool)
{
    for (size_t i = 0; i < pool->len; i++)
        free (pool->items [i]);
    free (pool->items);
    memset (pool, 0, sizeof *pool);
}

static void
s_pools_free (void)
{
    s_pool_free (&s_grams);
    s_pool_free (&s_function);
    for (int m = 0; m < ORACLE_MODELS_MAX; m++)
        s_pool_free (&s_grams_of [m]);
    for (int l = 0; l < ORACLE_STOP_MAX; l++)
        s_pool_free (&s_function_of [l]);
}

static const char *
s_pick (const words_t *pool)
{
    return pool->len ? pool->items [s_below ((uint32_t) pool->len)] : "x";
}

//  One code point as UTF-8
static void
s_put_cp (buf_t *out, uint32_t cp)
{
    uint8_t bytes [4];
    utf8proc_ssize_t n = utf8proc_encode_char ((utf8proc_int32_t) cp, bytes);
    buf_append (out, bytes, (size_t) n);
}

//  A random character, of many scripts and widths
static void
s_put_char (buf_t *out)
{
    static const uint32_t ranges [][2] = {
        { 'a', 'z' }, { 'A', 'Z' }, { 0xC0, 0xFF }, { 0x100, 0x17F }, { 0x180, 0x24F },
        { 0x300, 0x36F }, { 0x370, 0x3FF }, { 0x400, 0x4FF }, { 0x590, 0x5FF },
        { 0x600, 0x6FF }, { 0x900, 0x97F }, { 0xE00, 0xE7F }, { 0x1E00, 0x1EFF },
        { 0x2010, 0x2027 }, { 0x3040, 0x30FF }, { 0x4E00, 0x9FFF }, { 0xAC00, 0xD7AF },
        { 0xFB50, 0xFDFF }, { 0x1F300, 0x1F64F }, { 0x20000, 0x2A6DF }, { 0x10A0, 0x10FF },
        { 0x530, 0x58F }, { 0x980, 0x9FF }, { 0xB80, 0xBFF }
    };
    size_t k = s_below (sizeof ranges / sizeof ranges [0]);
    s_put_cp (out, ranges [k][0] + s_below (ranges [k][1] - ranges [k][0] + 1));
}

//  A separator between words: mostly a space, sometimes punctuation, digits
//  or other white space
static void
s_put_separator (buf_t *out)
{
    static const char *separators [] = {
        " ", " ", " ", " ", " ", " ", ", ", ". ", "\n", "\t", "  ", " - ", " 1987 ", "3",
        "; ", ": ", "\r\n", "\v", "\f", " (", ") ", "'", "\"", "/", "\xE2\x80\x9C",
        "\xE2\x80\x9D ", "\xE2\x80\x99", " \xC2\xA0", "\xE2\x80\x94", "...", "_", " _ "
    };
    buf_puts (out, separators [s_below (sizeof separators / sizeof separators [0])]);
}

//  A word of kind: 0 function word of list, 1 n-gram piece of profile,
//  2 any n-gram piece, 3 random characters (up to 30), 4 long multibyte
//  word around the 20-byte n-gram limit, 5 random bytes (any, but NUL)
static void
s_put_word (buf_t *out, int kind, int list, int profile)
{
    switch (kind) {
        case 0:
            buf_puts (out, s_pick (list >= 0 ? &s_function_of [list] : &s_function));
            break;
        case 1:
            buf_puts (out, s_pick (profile >= 0 ? &s_grams_of [profile] : &s_grams));
            break;
        case 2: {
            //  Pieces glued into longer words
            int pieces = 1 + (int) s_below (3);
            for (int i = 0; i < pieces; i++)
                buf_puts (out, s_pick (&s_grams));
            break;
        }
        case 3: {
            int chars = 1 + (int) s_below (30);
            for (int i = 0; i < chars; i++)
                s_put_char (out);
            break;
        }
        case 4: {
            //  Characters of 1-4 bytes to n-gram byte lengths of 16-24
            static const uint32_t widths [] = { 'q', 0xE9, 0x20AC, 0x1F600 };
            int chars = 3 + (int) s_below (12);
            for (int i = 0; i < chars; i++)
                s_put_cp (out, widths [s_below (4)] + s_below (3));
            break;
        }
        default: {
            int bytes = 1 + (int) s_below (12);
            for (int i = 0; i < bytes; i++)
                buf_putc (out, (char) (1 + s_below (255)));
            break;
        }
    }
}

//  A synthetic text of about target bytes in one of several styles
static void
s_synthetic (buf_t *out, size_t target)
{
    int style = (int) s_below (8);
    int list = (int) s_below (18);              //  The language of prose styles
    int profile = (int) s_below ((uint32_t) s_oracle->models);
    bool upper = s_below (8) == 0;
    while (out->size < target) {
        int kind;
        uint32_t r = s_below (100);
        switch (style) {
            case 0:     //  Prose of one language: function words and its n-grams
                kind = r < 45 ? 0 : 1;
                break;
            case 1:     //  Prose of every language at once
                kind = r < 30 ? 0 : r < 80 ? 2 : 1;
                list = (int) s_below (18);
                profile = (int) s_below ((uint32_t) s_oracle->models);
                break;
            case 2:     //  Prose with a sprinkling of any script
                kind = r < 40 ? 0 : r < 85 ? 1 : 3;
                break;
            case 3:     //  Any script
                kind = r < 10 ? 0 : r < 20 ? 2 : 3;
                break;
            case 4:     //  Long words across the byte limit of an n-gram
                kind = r < 30 ? 0 : r < 50 ? 2 : 4;
                break;
            case 5:     //  Bytes, valid or not
                kind = r < 30 ? 0 : r < 50 ? 1 : 5;
                break;
            case 6:     //  One word over and over, then another
                kind = r < 90 ? 0 : 1;
                list = r < 90 ? list : (int) s_below (18);
                break;
            default:    //  Few distinct words
                kind = r < 60 ? 1 : 0;
                break;
        }
        size_t start = out->size;
        if (style == 6 && r < 80 && start > 0)
            buf_puts (out, s_function_of [list].len ? s_function_of [list].items [0] : "x");
        else
            s_put_word (out, kind, list, profile);
        if (upper || s_below (20) == 0)
            for (size_t i = start; i < out->size; i++)
                if (out->data [i] >= 'a' && out->data [i] <= 'z')
                    out->data [i] = (char) (out->data [i] - 32);
        s_put_separator (out);
    }
}

static void
test_synthetic (void **state)
{
    memset (&s_tally, 0, sizeof s_tally);
    s_state = 0x9E3779B97F4A7C15ULL;
    const char *seed = getenv ("COPYDESK_TEST_SEED");
    if (seed && *seed)
        s_state = strtoull (seed, NULL, 0) | 1;
    print_message ("synthetic: seed %llu\n", (unsigned long long) s_state);
    assert_true (s_oracle->models >= 20);
    s_pools_load ();
    int texts = 6000;
    for (int t = 0; t < texts; t++) {
        buf_t text;
        buf_init (&text);
        uint32_t r = s_below (10);
        size_t target = r < 3 ? 20 + s_below (300)
                      : r < 6 ? 480 + s_below (80)
                      : r < 8 ? 990 + s_below (80) : 1100 + s_below (900);
        s_synthetic (&text, target);
        s_compare ("synthetic", text.data, text.size);
        //  Cut at and around the n-gram and census limits: a character
        //  across the cut, or ending on it
        if (t % 3 == 0) {
            size_t cuts [] = { 511, 512, 513, 514, 1023, 1024, 1025, 1026 };
            for (size_t k = 0; k < sizeof cuts / sizeof cuts [0]; k++)
                if (cuts [k] < text.size)
                    s_compare ("synthetic cut", text.data, cuts [k]);
        }
        //  The same text with a multibyte character put across byte 512
        if (t % 5 == 0 && text.size > 520) {
            static const char *wide [] = { "\xC3\xA9", "\xE2\x80\x9D", "\xF0\x9F\x98\x80" };
            const char *w = wide [s_below (3)];
            size_t n = strlen (w);
            size_t at = 512 - s_below ((uint32_t) n + 1);
            buf_t moved;
            buf_init (&moved);
            buf_append (&moved, text.data, at);
            buf_puts (&moved, w);
            buf_append (&moved, text.data + at, text.size - at);
            s_compare ("synthetic wide cut", moved.data, moved.size);
            buf_free (&moved);
        }
        buf_free (&text);
    }
    //  Words at every length from 1 to 40 bytes, ASCII and multibyte,
    //  alone and repeated
    for (int len = 1; len <= 40; len++)
        for (int variant = 0; variant < 4; variant++) {
            buf_t text;
            buf_init (&text);
            for (int w = 0; w < 30; w++) {
                for (int i = 0; i < len; ) {
                    if (variant == 1 && i + 2 <= len) {
                        buf_puts (&text, "\xC3\xA4");
                        i += 2;
                    }
                    else
                    if (variant == 2 && i + 3 <= len && i % 2) {
                        buf_puts (&text, "\xE2\x82\xAC");
                        i += 3;
                    }
                    else {
                        buf_putc (&text, (char) ('a' + (variant == 3 ? s_below (26) : (uint32_t) (i + w) % 26)));
                        i++;
                    }
                }
                buf_putc (&text, ' ');
            }
            s_compare ("word lengths", text.data, text.size);
            buf_free (&text);
        }
    print_message ("synthetic: %ld texts, %ld ranked (%ld with several candidates),"
                   " %ld decided in %d languages\n", s_tally.texts, s_tally.ranked,
                   s_tally.several, s_tally.decided, s_tally.languages);
    //  The texts reached every outcome: candidates, several, verdicts of
    //  many languages
    assert_true (s_tally.texts > 10000);
    assert_true (s_tally.ranked > 3000);
    assert_true (s_tally.several > 100);
    assert_true (s_tally.languages >= 10);
    s_pools_free ();
}

//  --------------------------------------------------------------------------
//  Edge cases written out

static void
test_edges (void **state)
{
    memset (&s_tally, 0, sizeof s_tally);
    const char *texts [] = {
        "", " ", "a", "_", "__", "1234 5678", "\xE2\x80\x9C", "\xC3", "\xF0\x9F",
        "a b c d e f g h i j k l m n o p q r s t u v w x y z",
        "the the the the the the the the the the the the the the the the",
        "\xE2\x80\x9CThe quick brown fox,\xE2\x80\x9D said the man who was at the door of the "
        "house, \xE2\x80\x9Cjumps over the lazy dog and runs away with the cheese.\xE2\x80\x9D",
        "Die Bundesregierung hat sich nach langen Verhandlungen auf einen Kompromiss "
        "geeinigt, der auch von der Opposition mitgetragen wird und noch vor dem Sommer "
        "in Kraft treten soll.",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts [0]; i++)
        s_compare ("edge", texts [i], strlen (texts [i]));
    //  Bytes with a NUL inside (the ranking and the verdict read to it)
    const char nul [] = "the and of\0 to in is that for it with was on said by at";
    s_compare ("nul", nul, sizeof nul - 1);
    //  Every single byte, and every byte between two words
    for (int c = 1; c < 256; c++) {
        char one [2] = { (char) c, 0 };
        s_compare ("byte", one, 1);
        char *two = xasprintf ("the house%cand the garden of the old man", c);
        s_compare ("byte", two, strlen (two));
        free (two);
    }
    //  Long runs without a break: one 2,000-byte word, ASCII and not
    buf_t run;
    buf_init (&run);
    for (int i = 0; i < 2000; i++)
        buf_putc (&run, (char) ('a' + i % 7));
    s_compare ("run", run.data, run.size);
    buf_free (&run);
    buf_init (&run);
    for (int i = 0; i < 700; i++)
        buf_puts (&run, i % 3 ? "\xC3\xB6" : "k");
    s_compare ("run", run.data, run.size);
    buf_free (&run);
    //  As many distinct n-grams as a sample can hold: distinct 5-letter
    //  words of distinct letters
    buf_t many;
    buf_init (&many);
    for (int w = 0; many.size < 1100; w++) {
        for (int i = 0; i < 5; i++)
            buf_putc (&many, (char) ('a' + (w * 7 + i * (w % 5 + 1)) % 26));
        buf_putc (&many, ' ');
    }
    s_compare ("many", many.data, many.size);
    buf_free (&many);
}

//  --------------------------------------------------------------------------
//  The detector compared above learnt from every text before: the paths of
//  its caches were all taken (the dictionary of n-grams cleared, lexicon
//  generations replaced, words taken from the one before and read anew),
//  each compared with the oracle on the texts that followed

static void
test_caches (void **state)
{
    uint64_t counts [4];
    lang_test_caches (s_lang, counts);
    print_message ("caches: dictionary cleared %llu times, %llu lexicon generations, "
                   "%llu words taken from the one before, %llu read\n",
                   (unsigned long long) counts [0], (unsigned long long) counts [1],
                   (unsigned long long) counts [2], (unsigned long long) counts [3]);
    assert_true (counts [0] >= 2);
    assert_true (counts [1] >= 2);
    assert_true (counts [2] > 1000);
    assert_true (counts [3] > 10000);
    //  A fresh detector and this one agree on the same texts
    lang_t *fresh = lang_new (NULL);
    char *root = collect_shared_path ("data/reuters21578/reut2-003.sgm");
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (file_read (root, DOCUMENT_MAX_SIZE, &data, &size), 0);
    for (size_t at = 0; at + 600 < size; at += 4099) {
        char *text = xstrndup ((const char *) data + at, 600);
        const char *codes [LANG_TEST_CANDIDATES], *fresh_codes [LANG_TEST_CANDIDATES];
        int32_t scores [LANG_TEST_MODELS], fresh_scores [LANG_TEST_MODELS];
        size_t len = strlen (text);
        int count = lang_test_rank (s_lang, text, len, codes, scores);
        assert_int_equal (lang_test_rank (fresh, text, len, fresh_codes, fresh_scores), count);
        assert_memory_equal (scores, fresh_scores, sizeof scores);
        for (int i = 0; i < count; i++)
            assert_string_equal (codes [i], fresh_codes [i]);
        free (text);
    }
    free (data);
    free (root);
    lang_destroy (&fresh);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_edges),
        cmocka_unit_test (test_synthetic),
        cmocka_unit_test (test_samples),
        cmocka_unit_test (test_reuters),
        cmocka_unit_test (test_caches),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
