//  SPDX-License-Identifier: MIT
//  lang - language detection (script, n-gram profiles, function words)
//  and language tag cleaning
//
//  The n-gram step is Cavnar and Trenkle's out-of-place measure over the
//  language profiles libexttextcat ships (<lang>.lm: the 400 commonest
//  n-grams of 1-5 characters of a language, commonest first), scored here
//  in one pass: every n-gram of every profile is numbered in a dictionary
//  with its rank in each profile, so the sample's 400 commonest n-grams
//  are each read once instead of being merged against 31 sorted lists.
//
//  What a detector learns from the texts it ranks makes the next ones
//  cheaper, without changing any result: the dictionary numbers their
//  n-grams too, and a lexicon keeps the words it saw with the numbers of
//  their n-grams, so that a known word is counted without reading its
//  n-grams again (both bounded: a few MB per detector).

#include "common.h"
#include "lang.h"
#include <utf8proc.h>
#ifdef __SSE2__
#   include <emmintrin.h>
#endif

#define LANG_DEFAULT_DATA   "/usr/share/libexttextcat"
#define LANG_MAX_SAMPLE     LANG_SAMPLE_BYTES   //  Bytes of text looked at
#define LANG_NGRAM_SAMPLE   512     //  Bytes of it profiled by n-grams
#define LANG_MIN_LETTERS    25      //  Fewer letters: unsure
#define LANG_SHORT_LETTERS  120     //  Fewer letters: both methods must agree
#define LANG_SURE_HITS      12      //  Function words that decide alone (4x any other)
#define LANG_SURE_WORDS     6       //  ... of at least this many different words

//  Function words in a small open-addressing hash: word -> languages
#define LANG_WORDS_SLOTS 1024   //  Power of two, twice the word count or more
#define LANG_WORD_MAX    16     //  Longest function word, bytes + NUL
#define LANG_WORD_BUFFER 48     //  Longest word kept, bytes + 3

typedef struct {
    uint64_t key [2];           //  Lower case, packed (first byte lowest) and
                                //  padded with zeros; 0 = empty slot
    uint32_t languages;         //  Bit l: s_stopwords [l] has the word
    uint32_t epoch;             //  Call of s_stopword_hits that last saw it
} lang_word_t;

//  N-gram profiles
#define LANG_NGRAMS         400     //  N-grams in a profile
#define LANG_NGRAM_CHARS    5       //  Longest n-gram, characters
#define LANG_NGRAM_BYTES    20      //  Longest n-gram, bytes
#define LANG_OUT_OF_PLACE   400     //  Cost of an n-gram a profile lacks
#define LANG_THRESHOLD      1.03    //  Candidates score within 3% of the best
#define LANG_CANDIDATES     5       //  More candidates than this: unsure
#define LANG_MODELS_MAX     32      //  Profiles loaded at most
#define LANG_ABSENT         10000   //  Rank of an n-gram a profile lacks: any
                                    //  distance from it is out of place

//  The dictionary of n-grams (see s_dict_gram). N-grams are keyed by their
//  first 8 bytes packed in an integer (first byte lowest) and their length:
//  for the n-grams of up to 8 bytes (nearly all) the key is the n-gram.
#define LANG_DICT_GRAMS     (1 << 16)   //  N-grams held at most
#define LANG_DICT_BITS      17          //  Hash slots: 2^17, twice as many
#define LANG_DICT_TAILS     (1 << 14)   //  N-grams of more than 8 bytes held
#define LANG_LEX_WORDS      (1 << 13)   //  Words the lexicon holds at most
#define LANG_LEX_BITS       14          //  Its hash slots: 2^14, twice as many
#define LANG_LEX_POOL       (1 << 18)   //  Its words' bytes and n-grams, 16-bit units

//  The sample (scratch of one call to s_profile_rank): "_word_word_",
//  LANG_NGRAM_SAMPLE + 3 bytes at most, holds at most 5 n-grams per byte
//  (2,575) and at most one word per byte
#define LANG_SAMPLE_BYTES_MAX (LANG_NGRAM_SAMPLE + 8)       //  Prepared sample, bytes
#define LANG_SAMPLE_OCCURS  (LANG_SAMPLE_BYTES_MAX * LANG_NGRAM_CHARS)  //  N-grams in all
#define LANG_HEAVY          16      //  N-grams seen this often: sorted apart
#define LANG_PREFETCH       8       //  Rows of ranks read ahead

//  Bytes of an n-gram past its first 8
typedef struct {
    char bytes [LANG_NGRAM_BYTES - 8];
} lang_tail_t;

//  One generation of the lexicon (see s_lex_word). A slot holds 16 bits of
//  the hash << 16 | number + 1, 0 when empty.
typedef struct {
    uint32_t *slots;            //  Words by hash
    uint32_t *at;               //  Per word: its bytes in pool, then its n-grams
    uint16_t *len;              //  ... bytes
    uint16_t *grams;            //  ... n-grams
    uint16_t *pool;             //  The words' bytes (two a unit) and n-grams
    uint32_t words;             //  Words held
    uint32_t used;              //  Units of pool used
} lang_lex_t;

struct _lang_t {
    lang_word_t words [LANG_WORDS_SLOTS];   //  Function words of every language
    int models;                 //  Profiles loaded (0: function words only)
    uint32_t word_epoch;        //  Calls of s_stopword_hits (distinct words)
    const char *codes [LANG_MODELS_MAX];    //  Our code for each profile

    //  The dictionary of n-grams: those of the profiles first (their
    //  number is their row of ranks), then those of the texts ranked since
    //  it was last cleared. A slot holds 15 bits of the hash << 17 |
    //  number + 1, 0 when empty.
    uint32_t *dict_slots;       //  N-grams by hash
    uint64_t *dict_key;         //  Per n-gram: its first 8 bytes
    uint8_t *dict_len;          //  ... bytes
    uint8_t *dict_chars;        //  ... characters
    uint16_t *dict_tail;        //  ... past 8 bytes: its tail
    lang_tail_t *dict_tails;    //  Bytes past the first 8 of long n-grams
    uint32_t dict_grams;        //  N-grams numbered
    uint32_t dict_tails_used;   //  Tails used
    uint32_t profiled;          //  N-grams of the profiles (numbered first)
    uint32_t profiled_tails;    //  ... and their tails
    int16_t *ranks;             //  Per profile n-gram, its rank in each
                                //  profile; then one row of LANG_ABSENT

    //  The lexicon: words of the texts ranked, each with the numbers of
    //  the n-grams of "_word_" in the order counted, so that a known word's
    //  n-grams are not read again. The words of this generation, then
    //  those of the one before (found there, a word moves here).
    lang_lex_t *lex;            //  This generation
    lang_lex_t *lex_old;        //  The one before
    lang_lex_t lexes [2];       //  Both

    //  The sample being ranked. The state of each n-gram of the dictionary
    //  and of each word of the lexicon holds generation << 24 | what this
    //  call made of it; a state of another generation (an earlier call) is
    //  none, so that no call clears what the one before filled.
    uint32_t generation;        //  Of this call, 1-255
    uint64_t cache_counts [4];  //  See lang_test_caches
    uint32_t *gram_state;       //  Per n-gram: generation << 24 | count
    uint32_t *lex_state;        //  Per word: generation << 24 | its index below
    uint16_t sample_words [LANG_SAMPLE_BYTES_MAX];  //  The words, first seen first
    uint16_t sample_count [LANG_SAMPLE_BYTES_MAX];  //  ... how many times
    uint16_t order [LANG_SAMPLE_OCCURS];    //  The n-grams, first seen first
    uint16_t ranked [LANG_SAMPLE_OCCURS];   //  ... by count, commonest first
    uint16_t order_count [LANG_SAMPLE_OCCURS];  //  ... count of each in order
    uint8_t order_chars [LANG_SAMPLE_OCCURS];   //  ... and characters
    uint16_t marks [LANG_SAMPLE_BYTES_MAX + 2]; //  Offsets of the underscores
    uint8_t marked_high [LANG_SAMPLE_BYTES_MAX + 2];    //  Bytes >= 0x80 after each one
    char prepared [LANG_SAMPLE_BYTES_MAX + 16];     //  "_word_word_" of the sample
};

//  Latin-script languages profiled by n-grams: model file, our code
static const struct {
    const char *model;
    const char *code;
} s_models [] = {
    { "en", "en" }, { "de", "de" }, { "fr", "fr" }, { "es", "es" }, { "pt", "pt" },
    { "it", "it" }, { "nl", "nl" }, { "sv", "sv" }, { "nb", "no" }, { "nn", "no" },
    { "da", "da" }, { "fi", "fi" }, { "pl", "pl" }, { "cs", "cs" }, { "sk", "sk" },
    { "tr", "tr" }, { "id", "id" }, { "ro", "ro" }, { "hu", "hu" }, { "ca", "ca" },
    { "hr", "hr" }, { "sl", "sl" }, { "et", "et" }, { "lv", "lv" }, { "lt", "lt" },
    { "is", "is" }, { "af", "af" }, { "sw", "sw" }, { "vi", "vi" }, { "gl", "gl" },
    { "eu", "eu" },
    { NULL, NULL }
};

//  The commonest function words of the languages we check against. Words
//  shared by several languages count for each of them.
static const struct {
    const char *code;
    const char *words;          //  Space separated, lower case
} s_stopwords [] = {
    { "en", " the and of to in is that for it with was on said by at he as from which"
            " have has are be will its this an were would their they not but after who " },
    { "de", " der die und das ist nicht mit den von zu des sich auf dem ein eine im für"
            " auch wurde sie es hat bei nach wird aus sind dass werden einen noch wie " },
    { "fr", " le la les de des et est un une du dans que qui pour pas au sur il elle ont"
            " par avec sont été cette aux plus ne se ce son mais leur " },
    { "es", " el la los las de del y que en un una es por con para se su al lo como más"
            " pero fue ha sus este esta también entre sobre han " },
    { "pt", " o a os as de do da dos das e que em um uma é para com não no na por se mais"
            " foi ao como seu sua também pelo pela são está " },
    { "it", " il lo la gli le di del della e che è un una per con non in da si sono al nel"
            " alla dei più anche ha delle questo stato " },
    { "nl", " de het een en van is dat op te in niet met zijn voor die er aan ook door om"
            " bij wordt werd naar maar heeft hebben nog worden " },
    { "sv", " och att det som är en på av för med till den har inte om ett var de sig från"
            " vid kan också efter han hon skulle eller men " },
    { "no", " og i det som er en på av for med til den har ikke om et var de seg fra ved"
            " kan også etter han hun å skal blir eller men " },
    { "da", " og i det som er en på af for med til den har ikke om et var de sig fra ved"
            " kan også efter han hun at skal bliver eller men " },
    { "fi", " ja on ei että se oli hän ovat mutta kun myös joka sen tai niin jo vain ole"
            " olla kuin mukaan vuonna jälkeen " },
    { "pl", " i w na z się że nie do jest to o jak przez dla od po ale był co są za tym" },
    { "cs", " a v na se že je to s z do o jako ale by byl pro jsou po který která také jsem"
            " být bylo když nebo podle " },
    { "sk", " a v na sa že je to s z do o ako ale by bol pre sú po ktorý ktorá aj som byť"
            " bolo keď alebo podľa však už ich " },
    { "tr", " ve bir bu da de için ile olarak çok daha gibi olan en ama sonra kadar değil " },
    { "id", " yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke adalah oleh " },
    { "ro", " și în de la cu pe care o un din nu este mai au ca pentru fost să " },
    { "hu", " a az és hogy nem egy is van meg de már csak volt mint el ki be " },
    { NULL, NULL }
};

//  Languages close enough for n-grams to confuse on short text
static const char *s_siblings [][2] = {
    { "cs", "sk" }, { "da", "no" }, { "sv", "no" }, { "es", "pt" }, { NULL, NULL }
};

//  True if the language has a close sibling in s_siblings
static bool
s_has_sibling (const char *code)
{
    for (int i = 0; s_siblings [i][0]; i++)
        if (strcmp (s_siblings [i][0], code) == 0 || strcmp (s_siblings [i][1], code) == 0)
            return true;
    return false;
}

//  The 8 bytes at p as an integer, the first byte lowest
static inline uint64_t
s_load8 (const char *p)
{
    uint64_t word;
    memcpy (&word, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64 (word);
#endif
    return word;
}

//  The first n bytes of a key (n <= 8)
static const uint64_t s_masks [9] = {
    0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFFULL, 0xFFFFFFFFFFFFULL,
    0xFFFFFFFFFFFFFFULL, UINT64_MAX
};

//  The slot of the word of len bytes (1 to LANG_WORD_MAX - 1) at word,
//  which can be read 16 bytes on: where it is, or the empty slot where it
//  would go; its key into key
static inline lang_word_t *
s_word_slot (lang_t *self, const char *word, size_t len, uint64_t key [2])
{
    uint64_t key0 = key [0] = s_load8 (word) & s_masks [len < 8 ? len : 8];
    uint64_t key1 = key [1] = len > 8 ? s_load8 (word + 8) & s_masks [len - 8] : 0;
    uint64_t mix = (key0 ^ (key1 * 0xFF51AFD7ED558CCDULL)) * 0x9E3779B97F4A7C15ULL;
    _Static_assert (LANG_WORDS_SLOTS == 1 << 10, "10 bits of slot");
    uint32_t i = (uint32_t) (mix >> 54);
    while (self->words [i].key [0]
       && (self->words [i].key [0] != key0 || self->words [i].key [1] != key1))
        i = (i + 1) & (LANG_WORDS_SLOTS - 1);
    return &self->words [i];
}

//  Fill the function-word table from s_stopwords
static void
s_words_load (lang_t *self)
{
    for (int l = 0; s_stopwords [l].code; l++) {
        const char *p = s_stopwords [l].words;
        while (*p) {
            while (*p == ' ')
                p++;
            size_t n = strcspn (p, " ");
            if (n > 0 && n < LANG_WORD_MAX) {
                char word [16] = { 0 };
                memcpy (word, p, n);
                uint64_t key [2];
                lang_word_t *slot = s_word_slot (self, word, n, key);
                slot->key [0] = key [0];
                slot->key [1] = key [1];
                slot->languages |= 1u << l;
            }
            p += n;
        }
    }
}

//  The key of len bytes of text: the first 8, packed
static inline uint64_t
s_gram_key (const char *text, size_t len)
{
    uint64_t key = 0;
    for (size_t i = 0; i < len && i < 8; i++)
        key |= (uint64_t) (uint8_t) text [i] << (8 * i);
    return key;
}

//  Bytes of the UTF-8 character starting with c
static inline size_t
s_char_len (uint8_t c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

//  The hash slot of an n-gram, and the 15 bits of its hash its slot keeps
static inline uint32_t
s_dict_hash (uint64_t key, size_t len, uint32_t *check)
{
    uint64_t mix = (key ^ (uint64_t) len) * 0x9E3779B97F4A7C15ULL;
    *check = (uint32_t) (mix >> 20) & 0x7FFF;
    return (uint32_t) (mix >> (64 - LANG_DICT_BITS));
}

//  The number of the n-gram of len bytes at text (key its first 8, chars
//  its characters), numbered when first seen.
//
//  The dictionary keeps the n-grams of the profiles and of the texts it
//  saw, so that a text's n-grams are mostly found, not added, and an
//  n-gram's number says at once whether a profile has it (and where its
//  ranks are). It holds LANG_DICT_GRAMS at most: s_room clears what the
//  texts added before a call that might not fit.
static inline uint32_t
s_dict_gram (lang_t *self, const char *text, uint64_t key, size_t len, size_t chars)
{
    uint32_t check;
    uint32_t slot = s_dict_hash (key, len, &check);
    while (true) {
        uint32_t entry = self->dict_slots [slot];
        if (!entry)
            break;
        if (entry >> 17 == check) {
            uint32_t gram = (entry & 0x1FFFF) - 1;
            if (self->dict_key [gram] == key && self->dict_len [gram] == len
            && (len <= 8 || memcmp (self->dict_tails [self->dict_tail [gram]].bytes,
                                    text + 8, len - 8) == 0))
                return gram;
        }
        slot = (slot + 1) & ((1u << LANG_DICT_BITS) - 1);
    }
    uint32_t gram = self->dict_grams++;
    assert (gram < LANG_DICT_GRAMS);                //  (s_room made room)
    self->dict_slots [slot] = check << 17 | (gram + 1);
    self->dict_key [gram] = key;
    self->dict_len [gram] = (uint8_t) len;
    self->dict_chars [gram] = (uint8_t) chars;
    if (len > 8) {
        assert (self->dict_tails_used < LANG_DICT_TAILS);
        self->dict_tail [gram] = (uint16_t) self->dict_tails_used;
        memcpy (self->dict_tails [self->dict_tails_used++].bytes, text + 8, len - 8);
    }
    return gram;
}

//  Empty a generation of the lexicon
static void
s_lex_clear (lang_lex_t *lex)
{
    memset (lex->slots, 0, sizeof (uint32_t) << LANG_LEX_BITS);
    lex->words = 0;
    lex->used = 0;
}

//  Fill the dictionary's hash slots anew with its first grams n-grams
static void
s_dict_rehash (lang_t *self, uint32_t grams)
{
    memset (self->dict_slots, 0, sizeof (uint32_t) << LANG_DICT_BITS);
    for (uint32_t gram = 0; gram < grams; gram++) {
        uint32_t check;
        uint32_t slot = s_dict_hash (self->dict_key [gram], self->dict_len [gram], &check);
        while (self->dict_slots [slot])
            slot = (slot + 1) & ((1u << LANG_DICT_BITS) - 1);
        self->dict_slots [slot] = check << 17 | (gram + 1);
    }
    self->dict_grams = grams;
}

//  Room in the dictionary and the lexicon for one more sample. A lexicon
//  generation that might be short gives way to a new one (the one before
//  goes); a dictionary that might be keeps only the profiles' n-grams, and
//  the lexicon, whose words hold numbers of n-grams, is emptied.
static void
s_room (lang_t *self)
{
    if (self->dict_grams + LANG_SAMPLE_OCCURS > LANG_DICT_GRAMS
    ||  self->dict_tails_used + LANG_SAMPLE_OCCURS > LANG_DICT_TAILS) {
        self->cache_counts [0]++;
        s_lex_clear (self->lex);
        s_lex_clear (self->lex_old);
        self->dict_tails_used = self->profiled_tails;
        s_dict_rehash (self, self->profiled);
    }
    if (self->lex->words + LANG_SAMPLE_BYTES_MAX > LANG_LEX_WORDS
    ||  self->lex->used + LANG_SAMPLE_BYTES_MAX + LANG_SAMPLE_OCCURS > LANG_LEX_POOL) {
        //  A new generation, in the place of the one before
        self->cache_counts [1]++;
        lang_lex_t *older = self->lex_old;
        self->lex_old = self->lex;
        self->lex = older;
        s_lex_clear (older);
    }
}

//  One profile file as read: its n-grams, commonest first
typedef struct {
    char *data;                 //  File contents, n-grams cut in place
    const char *grams [LANG_NGRAMS];
    int count;
} lang_profile_t;

//  Read a profile: one n-gram per line, then its count; lines whose
//  n-gram is longer than LANG_NGRAM_BYTES are skipped. Returns -1 if the
//  file cannot be read or holds nothing.
static int
s_profile_read (const char *path, lang_profile_t *profile)
{
    uint8_t *data = NULL;
    size_t size = 0;
    profile->count = 0;
    profile->data = NULL;
    if (file_read (path, 1024 * 1024, &data, &size) != 0)
        return -1;
    profile->data = (char *) data;
    char *line = profile->data;
    while (line && *line && profile->count < LANG_NGRAMS) {
        char *next = strchr (line, '\n');
        if (next)
            *next++ = 0;
        while (isspace ((unsigned char) *line))
            line++;
        size_t len = strcspn (line, " \t\r\n");
        line [len] = 0;
        if (len > 0 && len <= LANG_NGRAM_BYTES)
            profile->grams [profile->count++] = line;
        line = next;
    }
    return profile->count > 0 ? 0 : -1;
}

//  Memory on 64-byte lines (for rows of ranks: one read each), zeroed;
//  aborts when there is none, as xmalloc does
static void *
s_lines_alloc (size_t size)
{
    size = (size + 63) / 64 * 64;
    void *memory = aligned_alloc (64, size ? size : 64);
    if (!memory) {
        fprintf (stderr, "lang: out of memory\n");
        abort ();
    }
    memset (memory, 0, size);
    return memory;
}

//  Load the profiles of s_models from dir: their n-grams numbered first in
//  the dictionary, with their ranks per profile
static void
s_profiles_load (lang_t *self, const char *dir)
{
    lang_profile_t *profiles = (lang_profile_t *) xcalloc (LANG_MODELS_MAX,
                                                            sizeof (lang_profile_t));
    for (int i = 0; s_models [i].model && self->models < LANG_MODELS_MAX; i++) {
        char path [1024];
        snprintf (path, sizeof path, "%s/%s.lm", dir, s_models [i].model);
        if (s_profile_read (path, &profiles [self->models]) == 0) {
            self->codes [self->models] = s_models [i].code;
            self->models++;
        }
        else
            free (profiles [self->models].data);
    }
    self->dict_slots = (uint32_t *) xcalloc ((size_t) 1 << LANG_DICT_BITS, sizeof (uint32_t));
    self->dict_key = (uint64_t *) xcalloc (LANG_DICT_GRAMS, sizeof (uint64_t));
    self->dict_len = (uint8_t *) xcalloc (LANG_DICT_GRAMS, 1);
    self->dict_chars = (uint8_t *) xcalloc (LANG_DICT_GRAMS, 1);
    self->dict_tail = (uint16_t *) xcalloc (LANG_DICT_GRAMS, sizeof (uint16_t));
    self->dict_tails = (lang_tail_t *) xcalloc (LANG_DICT_TAILS, sizeof (lang_tail_t));
    self->gram_state = (uint32_t *) xcalloc (LANG_DICT_GRAMS, sizeof (uint32_t));
    for (int g = 0; g < 2; g++) {
        lang_lex_t *lex = &self->lexes [g];
        lex->slots = (uint32_t *) xcalloc ((size_t) 1 << LANG_LEX_BITS, sizeof (uint32_t));
        lex->at = (uint32_t *) xcalloc (LANG_LEX_WORDS, sizeof (uint32_t));
        lex->len = (uint16_t *) xcalloc (LANG_LEX_WORDS, sizeof (uint16_t));
        lex->grams = (uint16_t *) xcalloc (LANG_LEX_WORDS, sizeof (uint16_t));
        lex->pool = (uint16_t *) xcalloc (LANG_LEX_POOL, sizeof (uint16_t));
    }
    self->lex = &self->lexes [0];
    self->lex_old = &self->lexes [1];
    self->lex_state = (uint32_t *) xcalloc (LANG_LEX_WORDS, sizeof (uint32_t));
    //  Number the n-grams (at most LANG_MODELS_MAX * LANG_NGRAMS, and as
    //  many tails: room is left for a sample), then their ranks
    for (int m = 0; m < self->models; m++)
        for (int r = 0; r < profiles [m].count; r++) {
            const char *text = profiles [m].grams [r];
            size_t len = strlen (text);
            //  Characters as the sample counts them: s_char_len steps
            //  (bytes that no step ends on never match a sample's)
            size_t chars = 0;
            for (size_t at = 0; at < len; at += s_char_len ((uint8_t) text [at]))
                chars++;
            s_dict_gram (self, text, s_gram_key (text, len), len, chars);
        }
    self->profiled = self->dict_grams;
    self->profiled_tails = self->dict_tails_used;
    //  One row more, of a profile n-gram no profile has: for the others
    self->ranks = (int16_t *) s_lines_alloc ((size_t) (self->profiled + 1) * LANG_MODELS_MAX
                                             * sizeof (int16_t));
    for (size_t i = 0; i < (size_t) (self->profiled + 1) * LANG_MODELS_MAX; i++)
        self->ranks [i] = LANG_ABSENT;
    for (int m = 0; m < self->models; m++)
        for (int r = 0; r < profiles [m].count; r++) {
            const char *text = profiles [m].grams [r];
            size_t len = strlen (text);
            uint32_t gram = s_dict_gram (self, text, s_gram_key (text, len), len, 0);
            //  The same n-gram twice in one profile: the first rank
            int16_t *rank = &self->ranks [gram * LANG_MODELS_MAX + m];
            if (*rank == LANG_ABSENT)
                *rank = (int16_t) r;
        }
    for (int m = 0; m < self->models; m++)
        free (profiles [m].data);
    free (profiles);
}

//  --------------------------------------------------------------------------
//  Load the models. Never fails: without them, Latin text is judged by
//  function words alone (more often unsure).

lang_t *
lang_new (const char *datadir)
{
    lang_t *self = (lang_t *) xcalloc (1, sizeof (lang_t));
    s_words_load (self);
    const char *dir = datadir && *datadir ? datadir : LANG_DEFAULT_DATA;
    s_profiles_load (self, dir);
    if (self->models == 0)
        fprintf (stderr, "lang: no language models in %s; detection by function words only\n", dir);
    return self;
}

//  --------------------------------------------------------------------------
//  Destroy and nullify.

void
lang_destroy (lang_t **self_p)
{
    assert (self_p);
    lang_t *self = *self_p;
    if (!self)
        return;
    free (self->dict_slots);
    free (self->dict_key);
    free (self->dict_len);
    free (self->dict_chars);
    free (self->dict_tail);
    free (self->dict_tails);
    free (self->gram_state);
    for (int g = 0; g < 2; g++) {
        free (self->lexes [g].slots);
        free (self->lexes [g].at);
        free (self->lexes [g].len);
        free (self->lexes [g].grams);
        free (self->lexes [g].pool);
    }
    free (self->lex_state);
    free (self->ranks);
    free (self);
    *self_p = NULL;
}

//  Bytes that separate words for the n-grams: white space and digits
static inline bool
s_gram_break (uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '0' && c <= '9');
}

//  Count weight more of an n-gram of the sample; the first time, it goes
//  to the order they are first seen in
static inline void
s_count (lang_t *self, uint32_t gram, uint32_t weight, uint32_t *distinct)
{
    uint32_t state = self->gram_state [gram];
    if (state >> 24 != self->generation) {
        self->order [(*distinct)++] = (uint16_t) gram;
        state = self->generation << 24;
    }
    self->gram_state [gram] = state + weight;
}

//  The n-grams of an ASCII word of len bytes after the underscore at lead,
//  into grams: those that start on the underscore or in the word, up to
//  the underscore after it, 5 characters at most (a character is a byte),
//  in the order the ranking counts them. Returns how many.
static size_t
s_grams_ascii (lang_t *self, size_t lead, size_t len, uint16_t *grams)
{
    const char *prepared = self->prepared;
    size_t count = 0;
    for (size_t j = 0; j <= len; j++) {
        size_t at = lead + j;
        uint64_t word = s_load8 (prepared + at);
        size_t most = len + 2 - j < LANG_NGRAM_CHARS ? len + 2 - j : LANG_NGRAM_CHARS;
        for (size_t n = 1; n <= most; n++)
            grams [count++] = (uint16_t) s_dict_gram (self, prepared + at, word & s_masks [n],
                                                      n, n);
    }
    return count;
}

//  The same for a word with bytes >= 0x80: characters of s_char_len bytes,
//  an n-gram LANG_NGRAM_BYTES at most. Returns -1, with nothing done, when
//  the word does not end on a character (bytes that are not UTF-8, or a
//  sample cut inside a character): its last character then reaches past
//  the underscore, and only s_count_rest counts as the ranking always did.
static ssize_t
s_grams_utf8 (lang_t *self, size_t lead, size_t len, uint16_t *grams)
{
    const char *prepared = self->prepared;
    uint16_t bounds [LANG_SAMPLE_BYTES_MAX + 4];    //  Where each character starts
    size_t chars = 0;
    size_t end = lead + 1 + len;                    //  The underscore after the word
    bounds [chars++] = (uint16_t) lead;
    size_t at = lead + 1;
    while (at < end) {
        bounds [chars++] = (uint16_t) at;
        at += s_char_len ((uint8_t) prepared [at]);
    }
    if (at != end)
        return -1;
    bounds [chars++] = (uint16_t) end;
    bounds [chars] = (uint16_t) (end + 1);
    size_t count = 0;
    //  chars: the characters of "_word_"; n-grams start on all but the last
    for (size_t i = 0; i + 1 < chars; i++) {
        size_t from = bounds [i];
        uint64_t word = s_load8 (prepared + from);
        size_t most = chars - i < LANG_NGRAM_CHARS ? chars - i : LANG_NGRAM_CHARS;
        for (size_t n = 1; n <= most; n++) {
            size_t bytes = bounds [i + n] - from;
            if (bytes > LANG_NGRAM_BYTES)
                break;
            uint64_t key = bytes >= 8 ? word : word & s_masks [bytes];
            grams [count++] = (uint16_t) s_dict_gram (self, prepared + from, key, bytes, n);
        }
    }
    return (ssize_t) count;
}

//  Count every n-gram that starts at offset at or after it, up to the end
//  of the sample (size bytes), stepping by s_char_len: what the ranking
//  always did for a sample with a byte >= 0x80, kept for the words that
//  do not end on a character
static void
s_count_rest (lang_t *self, size_t at, size_t size, uint32_t *distinct)
{
    const char *prepared = self->prepared;
    while (at < size) {
        uint64_t word = s_load8 (prepared + at);
        size_t end = at;
        for (int chars = 0; chars < LANG_NGRAM_CHARS && end < size; chars++) {
            size_t n = s_char_len ((uint8_t) prepared [end]);
            if (end + n > size || end + n - at > LANG_NGRAM_BYTES)
                break;
            end += n;
            size_t gram_len = end - at;
            uint64_t key = gram_len >= 8 ? word : word & s_masks [gram_len];
            s_count (self, s_dict_gram (self, prepared + at, key, gram_len, (size_t) chars + 1),
                     1, distinct);
            if (chars > 0 && prepared [end - 1] == '_')
                break;          //  The word ended
        }
        at += s_char_len ((uint8_t) prepared [at]);
    }
}

//  The slot of the word of len bytes at word in a generation of the
//  lexicon (where it is or would go), and its number there or -1
static inline int
s_lex_find (lang_lex_t *lex, const char *word, size_t len, uint64_t mix, uint32_t *slot_p)
{
    uint32_t slot = (uint32_t) (mix >> (64 - LANG_LEX_BITS));
    uint32_t check = (uint32_t) (mix >> 16) & 0xFFFF;
    while (true) {
        uint32_t entry = lex->slots [slot];
        if (!entry)
            break;
        if (entry >> 16 == check) {
            uint32_t known = (entry & 0xFFFF) - 1;
            if (lex->len [known] == len && memcmp (lex->pool + lex->at [known], word, len) == 0) {
                *slot_p = slot;
                return (int) known;
            }
        }
        slot = (slot + 1) & ((1u << LANG_LEX_BITS) - 1);
    }
    *slot_p = slot;
    return -1;
}

//  The number of the word of len bytes at offset start of the sample (after
//  the underscore at start - 1) in the lexicon, added with its n-grams if
//  new: from the generation before when it is there, else read (high: the
//  word has bytes >= 0x80). Returns -1 for a word that does not end on a
//  character (not added: its n-grams reach into the next). (s_room made
//  room for the sample.)
//
//  The lexicon keeps the words of the texts of two generations: when one
//  is full, the one before is dropped and its words not seen since go.
static int
s_lex_word (lang_t *self, size_t start, size_t len, bool high)
{
    const char *word = self->prepared + start;
    uint64_t mix = (uint64_t) len * 0x9E3779B97F4A7C15ULL;
    size_t i = 0;
    for (; i + 8 <= len; i += 8)
        mix = (mix ^ s_load8 (word + i)) * 0xFF51AFD7ED558CCDULL;
    if (i < len)
        mix = (mix ^ (s_load8 (word + i) & s_masks [len - i])) * 0xFF51AFD7ED558CCDULL;
    mix = (mix ^ (mix >> 29)) * 0x9E3779B97F4A7C15ULL;
    lang_lex_t *lex = self->lex;
    uint32_t slot;
    int known = s_lex_find (lex, word, len, mix, &slot);
    if (known >= 0)
        return known;
    //  New here: its bytes, then its n-grams
    uint32_t at = lex->used;
    uint16_t *grams = lex->pool + at + (len + 1) / 2;
    ssize_t count;
    lang_lex_t *old = self->lex_old;
    uint32_t old_slot;
    int before = old->words ? s_lex_find (old, word, len, mix, &old_slot) : -1;
    if (before >= 0) {
        self->cache_counts [2]++;
        count = old->grams [before];
        memcpy (grams, old->pool + old->at [before] + (len + 1) / 2,
                sizeof (uint16_t) * (size_t) count);
    }
    else {
        count = high ? s_grams_utf8 (self, start - 1, len, grams)
                     : (ssize_t) s_grams_ascii (self, start - 1, len, grams);
        if (count < 0)
            return -1;
        self->cache_counts [3]++;
    }
    _Static_assert (LANG_LEX_WORDS < 0xFFFF, "16 bits of word number");
    known = (int) lex->words++;
    memcpy (lex->pool + at, word, len);
    lex->used = at + (uint32_t) ((len + 1) / 2 + (size_t) count);
    lex->slots [slot] = ((uint32_t) (mix >> 16) & 0xFFFF) << 16 | (uint32_t) (known + 1);
    lex->at [known] = at;
    lex->len [known] = (uint16_t) len;
    lex->grams [known] = (uint16_t) count;
    return known;
}

//  The candidates of the scores (one per profile): those within
//  LANG_THRESHOLD of the best, best first, into codes. Returns how many, or
//  0 when there are more than LANG_CANDIDATES.
static int
s_candidates (lang_t *self, const int32_t *scores, const char **codes)
{
    int64_t best = INT64_MAX;    //  (scores are at most 400 * 400)
    for (int m = 0; m < self->models; m++)
        if (scores [m] < best)
            best = scores [m];
    int64_t threshold = (int64_t) ((double) best * LANG_THRESHOLD);
    int chosen [LANG_MODELS_MAX];
    int count = 0;
    for (int m = 0; m < self->models; m++)
        if (scores [m] < threshold || scores [m] == best) {
            if (count == LANG_CANDIDATES)
                return 0;       //  Too many alike: no verdict
            chosen [count++] = m;
        }
    //  Insertion sort by score (few candidates), ties in profile order
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && scores [chosen [j]] < scores [chosen [j - 1]]; j--) {
            int swap = chosen [j];
            chosen [j] = chosen [j - 1];
            chosen [j - 1] = swap;
        }
    for (int i = 0; i < count; i++)
        codes [i] = self->codes [chosen [i]];
    return count;
}

//  --------------------------------------------------------------------------
//  Rank the profiles against text (len bytes, no NUL): the candidates
//  within LANG_THRESHOLD of the best score, best first, into codes.
//  Returns how many, or 0 when there are none or too many to say. With
//  scores_out, every profile's score goes there too (LANG_MODELS_MAX, 0
//  past the profiles).
//
//  The sample is the text's words between single underscores,
//  "_word_word_", and its n-grams the runs of 1-5 characters that hold an
//  underscore only at either end. They never cross an underscore, so the
//  n-grams of a word (with the underscores around it) depend on its bytes
//  alone: they are counted the first time, and the next times the word
//  adds one to each of them again (and brings no new one: the order in
//  which n-grams are first seen, which breaks ties, stays that of the
//  sample). The n-grams are ranked by count and scored against every
//  profile with Cavnar and Trenkle's out-of-place measure.

static int
s_profile_rank (lang_t *self, const char *text, size_t len, const char **codes,
                int32_t *scores_out)
{
    if (scores_out)
        memset (scores_out, 0, sizeof (int32_t) * LANG_MODELS_MAX);
    //  The sample as words between single underscores, "_word_word_", and
    //  where its underscores are (an underscore of the text is one too).
    //  Without branches on the bytes (words start at random): what is
    //  written past what is kept gets overwritten or is never read.
    //  marked_high [k + 1] tells whether the word after mark k has bytes
    //  >= 0x80 (break bytes never have), marked_high [0] is a spare.
    char *prepared = self->prepared;
    uint16_t *marks = self->marks;
    uint8_t *marked_high = self->marked_high;
    size_t size = 0, marked = 0;
    size_t in_word = 0, high = 0;
    for (size_t i = 0; i < len && size < LANG_NGRAM_SAMPLE + 1; i++) {
        uint8_t c = (uint8_t) text [i];
        size_t letter = !s_gram_break (c);      //  A byte of a word
        size_t start = letter & !in_word;       //  ... its first
        size_t under = c == '_';
        prepared [size] = '_';
        marks [marked] = (uint16_t) size;
        marked_high [marked] = (uint8_t) high;  //  Final at the last write
        high = start ? 0 : high;
        marked += start;
        size += start;
        prepared [size] = (char) c;
        marks [marked] = (uint16_t) size;
        marked_high [marked] = (uint8_t) high;
        high = under ? 0 : high | (c & 0x80);
        marked += under;
        size += letter;
        in_word = letter;
    }
    marked_high [marked] = (uint8_t) high;
    if (size == 0)
        return 0;
    marks [marked++] = (uint16_t) size;
    prepared [size++] = '_';
    memset (prepared + size, 0, 8);     //  Whole words may be read past the end

    //  Count every n-gram, word by word
    s_room (self);
    if (++self->generation > 255) {
        memset (self->gram_state, 0, sizeof (uint32_t) * LANG_DICT_GRAMS);
        memset (self->lex_state, 0, sizeof (uint32_t) * LANG_LEX_WORDS);
        self->generation = 1;
    }
    //  The sample's words and how many times each, first seen first
    uint32_t distinct = 0, words = 0;
    size_t mark = 0;
    for (; mark + 1 < marked; mark++) {
        size_t lead = marks [mark];
        int known = s_lex_word (self, lead + 1, marks [mark + 1] - lead - 1,
                                marked_high [mark + 1] != 0);
        if (known < 0)
            break;
        uint32_t state = self->lex_state [known];
        if (state >> 24 != self->generation) {
            self->lex_state [known] = self->generation << 24 | words;
            self->sample_words [words] = (uint16_t) known;
            self->sample_count [words++] = 1;
        }
        else
            self->sample_count [state & 0xFFFF]++;
    }
    //  Their n-grams, as many times each (a word seen again brings no new
    //  n-gram: the order first seen is that of the sample)
    for (uint32_t w = 0; w < words; w++) {
        uint32_t known = self->sample_words [w];
        const lang_lex_t *lex = self->lex;
        const uint16_t *grams = lex->pool + lex->at [known] + (lex->len [known] + 1) / 2;
        for (size_t i = 0; i < lex->grams [known]; i++)
            s_count (self, grams [i], self->sample_count [w], &distinct);
    }
    if (mark + 1 < marked)
        //  A word that does not end on a character: as always from there
        s_count_rest (self, marks [mark], size, &distinct);
    else
        //  The last underscore
        s_count (self, s_dict_gram (self, prepared + size - 1, '_', 1, 1), 1, &distinct);

    //  Commonest first; among equals the shortest, then the first seen.
    //  The few n-grams seen LANG_HEAVY times or more ("_", "e", "_t"...)
    //  come first, sorted by insertion; the others by a counting sort on
    //  count and length, which a key space that small keeps cheap.
    const uint16_t *order = self->order;
    uint16_t *order_count = self->order_count;
    uint8_t *order_chars = self->order_chars;
    for (uint32_t i = 0; i < distinct; i++) {
        order_count [i] = (uint16_t) (self->gram_state [order [i]] & 0xFFFFFF);
        order_chars [i] = self->dict_chars [order [i]];
    }
    uint16_t *ranked_grams = self->ranked;
    uint32_t heavy = 0;
    uint16_t heavy_index [LANG_SAMPLE_OCCURS / LANG_HEAVY + 1];
    uint16_t tally [LANG_HEAVY * LANG_NGRAM_CHARS + 1] = { 0 };
    for (uint32_t i = 0; i < distinct; i++) {
        uint32_t count = order_count [i];
        if (count >= LANG_HEAVY) {
            //  Before the first that is seen less often, or as often but
            //  is longer (those first seen earlier stay ahead)
            uint32_t at = heavy++;
            while (at > 0) {
                uint16_t other = heavy_index [at - 1];
                if (order_count [other] > count
                || (order_count [other] == count && order_chars [other] <= order_chars [i]))
                    break;
                heavy_index [at] = other;
                at--;
            }
            heavy_index [at] = (uint16_t) i;
        }
        else
            tally [(LANG_HEAVY - 1 - count) * LANG_NGRAM_CHARS + order_chars [i]]++;
    }
    for (uint32_t i = 0; i < heavy; i++)
        ranked_grams [i] = order [heavy_index [i]];
    tally [0] = (uint16_t) heavy;
    for (size_t k = 1; k < sizeof tally / sizeof tally [0]; k++)
        tally [k] = (uint16_t) (tally [k] + tally [k - 1]);
    for (uint32_t i = 0; i < distinct; i++) {
        uint32_t count = order_count [i];
        if (count < LANG_HEAVY)
            ranked_grams [tally [(LANG_HEAVY - 1 - count) * LANG_NGRAM_CHARS
                                 + order_chars [i] - 1]++] = order [i];
    }

    //  Out-of-place distance of each profile from the sample's commonest
    //  n-grams: the difference of ranks, LANG_OUT_OF_PLACE when the
    //  profile lacks one (ranks are below 400: min () tells both cases).
    //  An n-gram no profile has reads the row of LANG_ABSENT.
    int ranked = distinct < LANG_NGRAMS ? (int) distinct : LANG_NGRAMS;
    uint32_t rows [LANG_NGRAMS + LANG_PREFETCH];
    for (int rank = 0; rank < ranked; rank++) {
        uint32_t gram = ranked_grams [rank];
        rows [rank] = gram < self->profiled ? gram : self->profiled;
    }
    for (int rank = ranked; rank < ranked + LANG_PREFETCH; rank++)
        rows [rank] = self->profiled;
    for (int rank = 0; rank < LANG_PREFETCH; rank++)
        __builtin_prefetch (&self->ranks [rows [rank] * LANG_MODELS_MAX]);
    int32_t scores [LANG_MODELS_MAX] = { 0 };
#ifdef __SSE2__
    //  8 profiles at a time: |rank - r| capped at LANG_OUT_OF_PLACE, in 16
    //  bits (ranks are below 10001), summed in 16 bits over blocks of
    //  n-grams small enough not to overflow, then added to the scores
    _Static_assert (LANG_MODELS_MAX == 32, "four vectors of 8 profiles");
    const __m128i cap = _mm_set1_epi16 (LANG_OUT_OF_PLACE);
    const __m128i zero = _mm_setzero_si128 ();
    const int block = 65535 / LANG_OUT_OF_PLACE;
    for (int from = 0; from < ranked; from += block) {
        int to = from + block < ranked ? from + block : ranked;
        __m128i sum0 = zero, sum1 = zero, sum2 = zero, sum3 = zero;
        for (int rank = from; rank < to; rank++) {
            __builtin_prefetch (&self->ranks [rows [rank + LANG_PREFETCH] * LANG_MODELS_MAX]);
            const __m128i *row = (const __m128i *) &self->ranks [rows [rank] * LANG_MODELS_MAX];
            const __m128i r = _mm_set1_epi16 ((int16_t) rank);
            __m128i d0 = _mm_sub_epi16 (_mm_load_si128 (row), r);
            __m128i d1 = _mm_sub_epi16 (_mm_load_si128 (row + 1), r);
            __m128i d2 = _mm_sub_epi16 (_mm_load_si128 (row + 2), r);
            __m128i d3 = _mm_sub_epi16 (_mm_load_si128 (row + 3), r);
            d0 = _mm_min_epi16 (_mm_max_epi16 (d0, _mm_sub_epi16 (zero, d0)), cap);
            d1 = _mm_min_epi16 (_mm_max_epi16 (d1, _mm_sub_epi16 (zero, d1)), cap);
            d2 = _mm_min_epi16 (_mm_max_epi16 (d2, _mm_sub_epi16 (zero, d2)), cap);
            d3 = _mm_min_epi16 (_mm_max_epi16 (d3, _mm_sub_epi16 (zero, d3)), cap);
            sum0 = _mm_add_epi16 (sum0, d0);
            sum1 = _mm_add_epi16 (sum1, d1);
            sum2 = _mm_add_epi16 (sum2, d2);
            sum3 = _mm_add_epi16 (sum3, d3);
        }
        const __m128i sums [4] = { sum0, sum1, sum2, sum3 };
        for (int k = 0; k < 4; k++) {
            __m128i low = _mm_loadu_si128 ((const __m128i *) (scores + 8 * k));
            __m128i high = _mm_loadu_si128 ((const __m128i *) (scores + 8 * k + 4));
            low = _mm_add_epi32 (low, _mm_unpacklo_epi16 (sums [k], zero));
            high = _mm_add_epi32 (high, _mm_unpackhi_epi16 (sums [k], zero));
            _mm_storeu_si128 ((__m128i *) (scores + 8 * k), low);
            _mm_storeu_si128 ((__m128i *) (scores + 8 * k + 4), high);
        }
    }
#else
    for (int rank = 0; rank < ranked; rank++) {
        const int16_t *row = &self->ranks [rows [rank] * LANG_MODELS_MAX];
        for (int m = 0; m < LANG_MODELS_MAX; m++) {
            int32_t distance = row [m] - rank;
            distance = distance < 0 ? -distance : distance;
            scores [m] += distance < LANG_OUT_OF_PLACE ? distance : LANG_OUT_OF_PLACE;
        }
    }
#endif
    if (scores_out)
        memcpy (scores_out, scores, sizeof (int32_t) * (size_t) self->models);
    return s_candidates (self, scores, codes);
}

//  --------------------------------------------------------------------------
//  Script census of the letters of a text

typedef struct {
    int letters;                //  All letters
    int latin, han, kana, hangul, arabic, cyrillic, greek, hebrew, thai;
    int devanagari, bengali, tamil, georgian, armenian;
    int persian;                //  Arabic-script letters only Persian uses
    int urdu;                   //  ... only Urdu uses
    int ukrainian;              //  і ї є ґ
    int russian;                //  ы э
    int serbian;                //  ђ ј љ њ ћ џ
    int bulgarian;              //  ъ
} census_t;

static void
s_census (const char *text, size_t len, census_t *c)
{
    memset (c, 0, sizeof *c);
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *) text;
    size_t i = 0;
    while (i < len) {
        //  ASCII 8 bytes at a time: a byte is a letter when, lower-cased,
        //  it is at least 'a' and not past 'z' (no byte carries into the
        //  next: all are below 0x80)
        while (i + 8 <= len) {
            uint64_t word;
            memcpy (&word, p + i, 8);
            if (word & 0x8080808080808080ULL)
                break;
            uint64_t lower = word | 0x2020202020202020ULL;
            uint64_t from_a = lower + 0x1F1F1F1F1F1F1F1FULL;    //  0x80 - 'a'
            uint64_t past_z = lower + 0x0505050505050505ULL;    //  0x80 - ('z' + 1)
            //  (a bit per letter, at the top of its byte: their sum, by a
            //  multiply, not a popcount that needs a library call without
            //  -mpopcnt)
            uint64_t marks = (from_a & ~past_z & 0x8080808080808080ULL) >> 7;
            int letters = (int) ((marks * 0x0101010101010101ULL) >> 56);
            c->letters += letters;
            c->latin += letters;
            i += 8;
        }
        if (i >= len)
            break;
        if (p [i] < 0x80) {
            //  ASCII: letters are Latin
            if ((unsigned) ((p [i] | 0x20) - 'a') < 26) {
                c->letters++;
                c->latin++;
            }
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate (p + i, (utf8proc_ssize_t) (len - i), &cp);
        if (n <= 0) {
            i++;
            continue;
        }
        i += (size_t) n;
        utf8proc_category_t cat = utf8proc_category (cp);
        if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_LO)
            continue;
        c->letters++;
        if (cp < 0x250 || (cp >= 0x1E00 && cp <= 0x1EFF))
            c->latin++;
        else
        if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
        ||  (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF))
            c->han++;
        else
        if (cp >= 0x3040 && cp <= 0x30FF)
            c->kana++;
        else
        if ((cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x1100 && cp <= 0x11FF)
        ||  (cp >= 0x3130 && cp <= 0x318F))
            c->hangul++;
        else
        if ((cp >= 0x600 && cp <= 0x6FF) || (cp >= 0x750 && cp <= 0x77F)
        ||  (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF)) {
            c->arabic++;
            if (cp == 0x67E || cp == 0x686 || cp == 0x698 || cp == 0x6AF || cp == 0x6CC
            ||  cp == 0x6A9)
                c->persian++;
            if (cp == 0x6D2 || cp == 0x679 || cp == 0x688 || cp == 0x691 || cp == 0x6BA)
                c->urdu++;
        }
        else
        if (cp >= 0x400 && cp <= 0x4FF) {
            c->cyrillic++;
            if (cp == 0x456 || cp == 0x457 || cp == 0x454 || cp == 0x491
            ||  cp == 0x406 || cp == 0x407 || cp == 0x404 || cp == 0x490)
                c->ukrainian++;
            if (cp == 0x44B || cp == 0x44D || cp == 0x42B || cp == 0x42D)
                c->russian++;
            if (cp == 0x452 || cp == 0x458 || cp == 0x459 || cp == 0x45A || cp == 0x45B
            ||  cp == 0x45F || cp == 0x402 || cp == 0x408 || cp == 0x409 || cp == 0x40A
            ||  cp == 0x40B || cp == 0x40F)
                c->serbian++;
            if (cp == 0x44A || cp == 0x42A)
                c->bulgarian++;
        }
        else
        if (cp >= 0x370 && cp <= 0x3FF)
            c->greek++;
        else
        if (cp >= 0x590 && cp <= 0x5FF)
            c->hebrew++;
        else
        if (cp >= 0xE00 && cp <= 0xE7F)
            c->thai++;
        else
        if (cp >= 0x900 && cp <= 0x97F)
            c->devanagari++;
        else
        if (cp >= 0x980 && cp <= 0x9FF)
            c->bengali++;
        else
        if (cp >= 0xB80 && cp <= 0xBFF)
            c->tamil++;
        else
        if (cp >= 0x10A0 && cp <= 0x10FF)
            c->georgian++;
        else
        if (cp >= 0x530 && cp <= 0x58F)
            c->armenian++;
    }
}

//  The language decided by a non-Latin script, or NULL
static const char *
s_by_script (const census_t *c)
{
    int half = c->letters / 2;
    if (c->han + c->kana > half && c->han + c->kana >= 4)
        return c->kana * 20 > c->han + c->kana ? "ja" : "zh";
    if (c->hangul > half && c->hangul >= 4)
        return "ko";
    if (c->arabic > half && c->arabic >= 10) {
        if (c->urdu * 50 > c->arabic)
            return "ur";
        if (c->persian * 30 > c->arabic)
            return "fa";
        return "ar";
    }
    if (c->cyrillic > half && c->cyrillic >= 10) {
        if (c->ukrainian * 50 > c->cyrillic && c->russian == 0)
            return "uk";
        if (c->serbian * 50 > c->cyrillic)
            return "sr";
        if (c->russian == 0 && c->bulgarian * 60 > c->cyrillic)
            return "bg";
        return "ru";
    }
    if (c->greek > half && c->greek >= 10)
        return "el";
    if (c->hebrew > half && c->hebrew >= 10)
        return "he";
    if (c->thai > half && c->thai >= 10)
        return "th";
    if (c->devanagari > half && c->devanagari >= 10)
        return "hi";
    if (c->bengali > half && c->bengali >= 10)
        return "bn";
    if (c->tamil > half && c->tamil >= 10)
        return "ta";
    if (c->georgian > half && c->georgian >= 10)
        return "ka";
    if (c->armenian > half && c->armenian >= 10)
        return "hy";
    return NULL;
}

//  --------------------------------------------------------------------------
//  Function-word hits per language (index into s_stopwords)

#define LANG_STOP_MAX 24

static void
s_stopword_hits (lang_t *self, const char *text, size_t len, int *hits, int *distinct)
{
    memset (hits, 0, sizeof (int) * LANG_STOP_MAX);
    memset (distinct, 0, sizeof (int) * LANG_STOP_MAX);
    if (++self->word_epoch == 0)
        self->word_epoch = 1;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *) text;
    size_t i = 0;
    //  The word so far, lower case, from word [1]: wlen bytes, or
    //  LANG_WORD_BUFFER when too long to be a function word (room past it
    //  for the 8 bytes written at once)
    char word [LANG_WORD_BUFFER + 16];
    size_t wlen = 0;
    while (i <= len) {
        utf8proc_int32_t cp = ' ';
        if (i < len && (unsigned) ((p [i] | 0x20) - 'a') < 26) {
            //  ASCII letters: lower case, up to 8 at a time
            size_t run = 1;
            uint64_t lower = (uint64_t) (p [i] | 0x20);
            if (i + 8 <= len) {
                //  A letter is a byte that, lower-cased, is at least 'a' and
                //  not past 'z', and below 0x80 (a byte from 0xE1 carries
                //  into the next: only into bytes after the first that is
                //  not a letter, which alone matters)
                uint64_t bytes = s_load8 ((const char *) p + i);
                lower = bytes | 0x2020202020202020ULL;
                uint64_t letters = (lower + 0x1F1F1F1F1F1F1F1FULL) & ~(lower + 0x0505050505050505ULL)
                                 & ~bytes & 0x8080808080808080ULL;
                uint64_t others = ~letters & 0x8080808080808080ULL;
                run = others ? (size_t) __builtin_ctzll (others) / 8 : 8;
            }
            if (wlen + run + 2 < LANG_WORD_BUFFER) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
                lower = __builtin_bswap64 (lower);
#endif
                memcpy (word + 1 + wlen, &lower, 8);
                wlen += run;
            }
            else
                wlen = LANG_WORD_BUFFER;
            i += run;
            continue;
        }
        bool other = true;      //  ASCII other than a letter, or the end
        if (i < len && p [i] < 0x80)
            i++;                //  ASCII, not a letter: ends a word
        else
        if (i < len) {
            utf8proc_ssize_t n = utf8proc_iterate (p + i, (utf8proc_ssize_t) (len - i), &cp);
            if (n <= 0) {
                i++;
                continue;
            }
            i += (size_t) n;
            other = false;
        }
        else
            i++;
        utf8proc_category_t cat = other ? UTF8PROC_CATEGORY_ZS : utf8proc_category (cp);
        if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) {
            utf8proc_uint8_t bytes [4];
            utf8proc_ssize_t n = utf8proc_encode_char (utf8proc_tolower (cp), bytes);
            if (wlen + (size_t) n + 2 < LANG_WORD_BUFFER) {
                memcpy (word + 1 + wlen, bytes, (size_t) n);
                wlen += (size_t) n;
            }
            else
                wlen = LANG_WORD_BUFFER;    //  Too long to be a function word
            continue;
        }
        if (wlen > 0 && wlen < LANG_WORD_MAX) {
            uint64_t key [2];
            lang_word_t *slot = s_word_slot (self, word + 1, wlen, key);
            uint32_t languages = slot->languages;
            if (languages) {
                int first = slot->epoch != self->word_epoch;
                slot->epoch = self->word_epoch;
                for (; languages; languages &= languages - 1) {
                    int l = __builtin_ctz (languages);
                    hits [l]++;
                    distinct [l] += first;
                }
            }
        }
        wlen = 0;
    }
}

static int
s_stop_index (const char *code)
{
    for (int l = 0; s_stopwords [l].code; l++)
        if (strcmp (s_stopwords [l].code, code) == 0)
            return l;
    return -1;
}

//  --------------------------------------------------------------------------
//  Detect the language of text; NULL when unsure.

const char *
lang_detect (lang_t *self, const char *text)
{
    assert (self);
    if (!text)
        return NULL;
    size_t len = strlen (text);
    if (len > LANG_MAX_SAMPLE) {
        len = LANG_MAX_SAMPLE;
        while (len > 0 && ((unsigned char) text [len] & 0xC0) == 0x80)
            len--;              //  Cut on a character boundary
    }
    census_t census;
    s_census (text, len, &census);
    const char *script = s_by_script (&census);
    if (script)
        return script;
    if (census.latin < LANG_MIN_LETTERS || census.latin * 2 < census.letters)
        return NULL;

    int hits [LANG_STOP_MAX], words [LANG_STOP_MAX];
    s_stopword_hits (self, text, len, hits, words);
    int best_stop = -1, second_hits = 0;
    for (int l = 0; s_stopwords [l].code; l++) {
        if (best_stop < 0 || hits [l] > hits [best_stop]) {
            if (best_stop >= 0)
                second_hits = hits [best_stop];
            best_stop = l;
        }
        else
        if (hits [l] > second_hits)
            second_hits = hits [l];
    }
    int top_hits = best_stop >= 0 ? hits [best_stop] : 0;
    //  Function words alone, when they are clear
    const char *by_words = NULL;
    if (top_hits >= 3 && (top_hits >= 2 * second_hits || top_hits >= second_hits + 2))
        by_words = s_stopwords [best_stop].code;

    if (self->models == 0)
        return census.latin >= LANG_SHORT_LETTERS ? by_words : NULL;
    //  Overwhelming function words decide alone: the n-gram ranking below
    //  (most of the detector's time) only confirms them then. Many
    //  different words, not one repeated ("per" in a price table)
    if (by_words && census.latin >= LANG_SHORT_LETTERS
    &&  top_hits >= LANG_SURE_HITS && top_hits >= 4 * second_hits
    &&  words [best_stop] >= LANG_SURE_WORDS && !s_has_sibling (by_words))
        return by_words;
    //  Short text is decided only when the function words agree with the
    //  n-grams: without a verdict from them, the n-grams need not run
    if (census.latin < LANG_SHORT_LETTERS && !by_words)
        return NULL;

    //  N-grams of the first LANG_NGRAM_SAMPLE bytes are enough to rank the
    //  candidates (their cost grows with the text); the function words
    //  above saw the whole sample
    size_t ngram_len = len;
    if (ngram_len > LANG_NGRAM_SAMPLE) {
        ngram_len = LANG_NGRAM_SAMPLE;
        while (ngram_len > 0 && ((unsigned char) text [ngram_len] & 0xC0) == 0x80)
            ngram_len--;
    }
    const char *ranked [LANG_CANDIDATES];
    int count = s_profile_rank (self, text, ngram_len, ranked, NULL);
    if (count <= 0)
        return census.latin >= LANG_SHORT_LETTERS ? by_words : NULL;
    //  Candidates within the threshold of the best: the same language
    //  under two profiles (nb, nn) counts once
    const char *codes [LANG_CANDIDATES];
    int distinct = 0;
    for (int i = 0; i < count; i++) {
        const char *code = ranked [i];
        bool seen = false;
        for (int j = 0; j < distinct; j++)
            if (codes [j] == code)
                seen = true;
        if (!seen)
            codes [distinct++] = code;
    }
    if (distinct == 0)
        return NULL;
    if (distinct == 1) {
        const char *code = codes [0];
        int index = s_stop_index (code);
        if (census.latin < LANG_SHORT_LETTERS)
            //  Short text: the function words must agree
            return by_words == code ? code : NULL;
        //  Text with hardly any function words is not prose (tables,
        //  lists of names): n-grams of names say little about language
        if (index >= 0 && hits [index] < 3)
            return NULL;
        //  The same for a language without a list of its own: prose in
        //  any language on the wire holds some of the listed words
        if (index < 0 && top_hits < 3)
            return NULL;
        //  Longer text: unless the function words say otherwise (close
        //  pairs such as cs/sk and da/no share most n-grams; their
        //  function words tell them apart)
        if (by_words && by_words != code && (index < 0 || hits [index] < top_hits))
            return NULL;
        //  A close sibling the function words rate as high: unsure
        for (int i = 0; s_siblings [i][0]; i++) {
            const char *other = strcmp (s_siblings [i][0], code) == 0 ? s_siblings [i][1]
                              : strcmp (s_siblings [i][1], code) == 0 ? s_siblings [i][0] : NULL;
            int o = other ? s_stop_index (other) : -1;
            if (o >= 0 && index >= 0 && hits [o] >= hits [index])
                return NULL;
        }
        return code;
    }
    //  Several candidates: the function words choose among them
    int chosen = -1, chosen_hits = 0, runner_hits = 0;
    for (int j = 0; j < distinct; j++) {
        int index = s_stop_index (codes [j]);
        int h = index >= 0 ? hits [index] : 0;
        if (h > chosen_hits) {
            runner_hits = chosen_hits;
            chosen_hits = h;
            chosen = j;
        }
        else
        if (h > runner_hits)
            runner_hits = h;
    }
    if (chosen >= 0 && chosen_hits >= 2 && chosen_hits > runner_hits
    && (census.latin >= LANG_SHORT_LETTERS || by_words == codes [chosen]))
        return codes [chosen];
    return NULL;
}

//  --------------------------------------------------------------------------
//  The steps of lang_detect alone, for the differential tests

_Static_assert (LANG_TEST_MODELS == LANG_MODELS_MAX, "lang_test_rank scores");
_Static_assert (LANG_TEST_CANDIDATES == LANG_CANDIDATES, "lang_test_rank candidates");
_Static_assert (LANG_TEST_LISTS == LANG_STOP_MAX, "lang_test_words lists");

int
lang_test_rank (lang_t *self, const char *text, size_t len, const char **codes, int32_t *scores)
{
    assert (self);
    return s_profile_rank (self, text, len, codes, scores);
}

int
lang_test_census (const char *text, size_t len, int *counts, int max)
{
    census_t census;
    s_census (text, len, &census);
    int fields = (int) (sizeof census / sizeof (int));
    assert (fields <= max);
    memcpy (counts, &census, sizeof census);
    return fields;
}

void
lang_test_words (lang_t *self, const char *text, size_t len, int *hits, int *distinct)
{
    assert (self);
    s_stopword_hits (self, text, len, hits, distinct);
}

void
lang_test_caches (lang_t *self, uint64_t counts [4])
{
    assert (self);
    memcpy (counts, self->cache_counts, sizeof self->cache_counts);
}

//  --------------------------------------------------------------------------
//  Language tag cleaning

static const struct {
    const char *from;
    const char *to;
} s_aliases [] = {
    //  ISO 639-2 (B and T) codes seen in NewsML and NITF
    { "eng", "en" }, { "ger", "de" }, { "deu", "de" }, { "fre", "fr" }, { "fra", "fr" },
    { "spa", "es" }, { "por", "pt" }, { "ita", "it" }, { "dut", "nl" }, { "nld", "nl" },
    { "swe", "sv" }, { "nor", "no" }, { "nob", "nb" }, { "nno", "nn" }, { "dan", "da" },
    { "fin", "fi" }, { "rus", "ru" }, { "chi", "zh" }, { "zho", "zh" }, { "jpn", "ja" },
    { "ara", "ar" }, { "pol", "pl" }, { "cze", "cs" }, { "ces", "cs" }, { "tur", "tr" },
    { "gre", "el" }, { "ell", "el" }, { "heb", "he" }, { "kor", "ko" }, { "ukr", "uk" },
    { "hun", "hu" }, { "rum", "ro" }, { "ron", "ro" }, { "ind", "id" }, { "cat", "ca" },
    //  Names
    { "english", "en" }, { "german", "de" }, { "deutsch", "de" }, { "french", "fr" },
    { "français", "fr" }, { "francais", "fr" }, { "spanish", "es" }, { "español", "es" },
    { "espanol", "es" }, { "portuguese", "pt" }, { "português", "pt" }, { "italian", "it" },
    { "italiano", "it" }, { "dutch", "nl" }, { "nederlands", "nl" }, { "swedish", "sv" },
    { "svenska", "sv" }, { "norwegian", "no" }, { "norsk", "no" }, { "danish", "da" },
    { "dansk", "da" }, { "finnish", "fi" }, { "suomi", "fi" }, { "russian", "ru" },
    { "chinese", "zh" }, { "japanese", "ja" }, { "arabic", "ar" }, { "polish", "pl" },
    //  Deprecated codes
    { "iw", "he" }, { "in", "id" }, { "ji", "yi" },
    { NULL, NULL }
};

char *
lang_tag_clean (const char *tag)
{
    char *line = text_clean_line (tag);
    if (!line)
        return NULL;
    char *lower = text_lower_ascii (line);
    free (line);
    for (char *p = lower; *p; p++)
        if (*p == '_')
            *p = '-';
    //  Whole-tag aliases first (names, 3-letter codes)
    for (int i = 0; s_aliases [i].from; i++)
        if (s_aliases [i].from [0] == lower [0] && strcmp (lower, s_aliases [i].from) == 0) {
            free (lower);
            return xstrdup (s_aliases [i].to);
        }
    //  Subtags: letters and digits, 1-8 each, the first 2-3 letters; an
    //  invalid subtag ends the tag (the valid prefix is kept)
    buf_t out;
    buf_init (&out);
    int index = 0;
    char *save = NULL;
    for (char *sub = strtok_r (lower, "-", &save); sub; sub = strtok_r (NULL, "-", &save), index++) {
        size_t n = strlen (sub);
        bool ok = n > 0 && n <= 8;
        for (size_t i = 0; ok && i < n; i++)
            if (!isalnum ((unsigned char) sub [i]) || (index == 0 && !isalpha ((unsigned char) sub [i])))
                ok = false;
        if (index == 0 && (n < 2 || n > 3))
            ok = false;
        if (!ok)
            break;
        if (index == 0) {
            const char *primary = sub;
            for (int i = 0; s_aliases [i].from; i++)
                if (s_aliases [i].from [0] == sub [0] && strcmp (sub, s_aliases [i].from) == 0
                &&  strlen (s_aliases [i].from) <= 3)
                    primary = s_aliases [i].to;
            buf_puts (&out, primary);
            continue;
        }
        buf_putc (&out, '-');
        if (n == 2 && isalpha ((unsigned char) sub [0])) {
            //  Region
            buf_putc (&out, (char) toupper ((unsigned char) sub [0]));
            buf_putc (&out, (char) toupper ((unsigned char) sub [1]));
        }
        else
        if (n == 4 && index == 1 && isalpha ((unsigned char) sub [0])) {
            //  Script
            buf_putc (&out, (char) toupper ((unsigned char) sub [0]));
            buf_append (&out, sub + 1, 3);
        }
        else
            buf_puts (&out, sub);
    }
    free (lower);
    if (out.size == 0) {
        buf_free (&out);
        return NULL;
    }
    return buf_detach (&out);
}
