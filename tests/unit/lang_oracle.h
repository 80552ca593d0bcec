//  SPDX-License-Identifier: MIT
//  lang_oracle - the language detector of common/lang.c as it was before
//  its n-gram ranking, script census and function-word count were made
//  faster (as of commit 2fe9327), kept word for word under other names as the
//  oracle of the differential tests (tests/unit/test_lang_rank.c,
//  tests/fuzz/fuzz_lang_diff.c): the detector of today must give the same
//  ranked candidates, scores, counts and verdicts for every input.
//
//  Test code only: every name is static and prefixed oracle_; the one
//  change is that oracle_profile_rank also hands back every profile's
//  score. It reads the same libexttextcat profiles as lang_new.

#ifndef COPYDESK_LANG_ORACLE_H
#define COPYDESK_LANG_ORACLE_H

#include "common.h"
#include "lang.h"
#include <utf8proc.h>
#ifdef __SSE2__
#   include <emmintrin.h>
#endif

typedef struct _oracle_t oracle_t;

#define ORACLE_SAMPLE_BYTES LANG_SAMPLE_BYTES
#define ORACLE_DEFAULT_DATA   "/usr/share/libexttextcat"
#define ORACLE_MAX_SAMPLE     ORACLE_SAMPLE_BYTES   //  Bytes of text looked at
#define ORACLE_NGRAM_SAMPLE   512     //  Bytes of it profiled by n-grams
#define ORACLE_MIN_LETTERS    25      //  Fewer letters: unsure
#define ORACLE_SHORT_LETTERS  120     //  Fewer letters: both methods must agree
#define ORACLE_SURE_HITS      12      //  Function words that decide alone (4x any other)
#define ORACLE_SURE_WORDS     6       //  ... of at least this many different words

//  Function words in a small open-addressing hash: word -> languages
#define ORACLE_WORDS_SLOTS 2048   //  Power of two, well above the word count
#define ORACLE_WORD_MAX    16     //  Longest function word, bytes + NUL

typedef struct {
    char word [ORACLE_WORD_MAX];  //  Lower case; "" = empty slot
    uint32_t languages;         //  Bit l: oracle_stopwords [l] has the word
    uint32_t epoch;             //  Call of oracle_stopword_hits that last saw it
} oracle_word_t;

//  N-gram profiles
#define ORACLE_NGRAMS         400     //  N-grams in a profile
#define ORACLE_NGRAM_CHARS    5       //  Longest n-gram, characters
#define ORACLE_NGRAM_BYTES    20      //  Longest n-gram, bytes
#define ORACLE_OUT_OF_PLACE   400     //  Cost of an n-gram a profile lacks
#define ORACLE_THRESHOLD      1.03    //  Candidates score within 3% of the best
#define ORACLE_CANDIDATES     5       //  More candidates than this: unsure
#define ORACLE_MODELS_MAX     32      //  Profiles loaded at most
#define ORACLE_SAMPLE_SLOTS   4096    //  Hash slots for the sample's n-grams (a
                                    //  sample holds at most 5 per byte: 2,600)

//  N-grams are keyed by their first 8 bytes packed in an integer (first
//  byte lowest) and their length: for the n-grams of up to 8 bytes (nearly
//  all) the key is the n-gram, and equality one comparison.

//  One n-gram of the profiles (16 bytes; bytes past the first 8 are kept
//  apart, in tails)
typedef struct {
    uint64_t key;               //  First 8 bytes
    uint32_t row;               //  Its ranks: ranks [row * ORACLE_MODELS_MAX + profile]
    uint8_t len;                //  Bytes, 0 = empty slot
} oracle_gram_t;

#define ORACLE_ABSENT 10000       //  Rank of an n-gram a profile lacks: any
                                //  distance from it is out of place

//  Bytes of an n-gram past its first 8
typedef struct {
    char bytes [ORACLE_NGRAM_BYTES - 8];
} oracle_tail_t;

//  One n-gram of the sample being profiled
typedef struct {
    uint64_t key;               //  First 8 bytes
    uint16_t start;             //  Offset in the prepared sample
    uint16_t count;             //  Occurrences
    uint8_t len;                //  Bytes, 0 = empty slot
    uint8_t chars;              //  Characters
} oracle_seen_t;

struct _oracle_t {
    oracle_word_t words [ORACLE_WORDS_SLOTS];   //  Function words of every language
    int models;                 //  Profiles loaded (0: function words only)
    uint32_t word_epoch;        //  Calls of oracle_stopword_hits (distinct words)
    const char *codes [ORACLE_MODELS_MAX];    //  Our code for each profile
    oracle_gram_t *grams;         //  Hash table of every profile's n-grams
    oracle_tail_t *tails;         //  Their bytes past the first 8, by slot
    uint32_t gram_mask;         //  Slots - 1
    int16_t *ranks;             //  Per n-gram, its rank in each profile
    oracle_seen_t seen [ORACLE_SAMPLE_SLOTS];   //  The sample's n-grams
    uint16_t order [ORACLE_SAMPLE_SLOTS];     //  Slots used, first seen first
    uint16_t ranked [ORACLE_SAMPLE_SLOTS];    //  Slots by count, commonest first
    char prepared [ORACLE_NGRAM_SAMPLE + 16]; //  "_word_word_" of the sample
};

//  Latin-script languages profiled by n-grams: model file, our code
static const struct {
    const char *model;
    const char *code;
} oracle_models [] = {
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
} oracle_stopwords [] = {
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
static const char *oracle_siblings [][2] = {
    { "cs", "sk" }, { "da", "no" }, { "sv", "no" }, { "es", "pt" }, { NULL, NULL }
};

//  True if the language has a close sibling in oracle_siblings
static bool
oracle_has_sibling (const char *code)
{
    for (int i = 0; oracle_siblings [i][0]; i++)
        if (strcmp (oracle_siblings [i][0], code) == 0 || strcmp (oracle_siblings [i][1], code) == 0)
            return true;
    return false;
}

static uint32_t
oracle_word_hash (const char *word, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t) word [i]) * 16777619u;
    return h;
}

//  The slot of word: where it is, or the empty slot where it would go
static oracle_word_t *
oracle_word_slot (oracle_t *self, const char *word, size_t len)
{
    uint32_t i = oracle_word_hash (word, len) & (ORACLE_WORDS_SLOTS - 1);
    //  (len < ORACLE_WORD_MAX: the stored word ends at len when it is word)
    while (self->words [i].word [0]
       && (memcmp (self->words [i].word, word, len) != 0 || self->words [i].word [len]))
        i = (i + 1) & (ORACLE_WORDS_SLOTS - 1);
    return &self->words [i];
}

//  Fill the function-word table from oracle_stopwords
static void
oracle_words_load (oracle_t *self)
{
    for (int l = 0; oracle_stopwords [l].code; l++) {
        const char *p = oracle_stopwords [l].words;
        while (*p) {
            while (*p == ' ')
                p++;
            size_t n = strcspn (p, " ");
            if (n > 0 && n < ORACLE_WORD_MAX) {
                oracle_word_t *slot = oracle_word_slot (self, p, n);
                if (!slot->word [0])
                    memcpy (slot->word, p, n);
                slot->languages |= 1u << l;
            }
            p += n;
        }
    }
}

//  The key of len bytes of text: the first 8, packed
static inline uint64_t
oracle_gram_key (const char *text, size_t len)
{
    uint64_t key = 0;
    for (size_t i = 0; i < len && i < 8; i++)
        key |= (uint64_t) (uint8_t) text [i] << (8 * i);
    return key;
}

//  Hash of a key and length
static inline uint32_t
oracle_gram_hash (uint64_t key, size_t len)
{
    return (uint32_t) (((key ^ (uint64_t) len) * 0x9E3779B97F4A7C15ULL) >> 32);
}

//  The profile slot of an n-gram: where it is, or the empty slot where it
//  would go
static oracle_gram_t *
oracle_gram_slot (oracle_t *self, const char *text, size_t len, uint64_t key)
{
    uint32_t i = oracle_gram_hash (key, len) & self->gram_mask;
    while (self->grams [i].len
       && (self->grams [i].key != key || self->grams [i].len != len
           || (len > 8 && memcmp (self->tails [i].bytes, text + 8, len - 8) != 0)))
        i = (i + 1) & self->gram_mask;
    return &self->grams [i];
}

//  One profile file as read: its n-grams, commonest first
typedef struct {
    char *data;                 //  File contents, n-grams cut in place
    const char *grams [ORACLE_NGRAMS];
    int count;
} oracle_profile_t;

//  Read a profile: one n-gram per line, then its count; lines whose
//  n-gram is longer than ORACLE_NGRAM_BYTES are skipped. Returns -1 if the
//  file cannot be read or holds nothing.
static int
oracle_profile_read (const char *path, oracle_profile_t *profile)
{
    uint8_t *data = NULL;
    size_t size = 0;
    profile->count = 0;
    profile->data = NULL;
    if (file_read (path, 1024 * 1024, &data, &size) != 0)
        return -1;
    profile->data = (char *) data;
    char *line = profile->data;
    while (line && *line && profile->count < ORACLE_NGRAMS) {
        char *next = strchr (line, '\n');
        if (next)
            *next++ = 0;
        while (isspace ((unsigned char) *line))
            line++;
        size_t len = strcspn (line, " \t\r\n");
        line [len] = 0;
        if (len > 0 && len <= ORACLE_NGRAM_BYTES)
            profile->grams [profile->count++] = line;
        line = next;
    }
    return profile->count > 0 ? 0 : -1;
}

//  Load the profiles of oracle_models from dir into one table of n-grams with
//  their ranks per profile
static void
oracle_profiles_load (oracle_t *self, const char *dir)
{
    oracle_profile_t *profiles = (oracle_profile_t *) xcalloc (ORACLE_MODELS_MAX,
                                                            sizeof (oracle_profile_t));
    size_t total = 0;
    for (int i = 0; oracle_models [i].model && self->models < ORACLE_MODELS_MAX; i++) {
        char path [1024];
        snprintf (path, sizeof path, "%s/%s.lm", dir, oracle_models [i].model);
        if (oracle_profile_read (path, &profiles [self->models]) == 0) {
            self->codes [self->models] = oracle_models [i].code;
            total += (size_t) profiles [self->models].count;
            self->models++;
        }
        else
            free (profiles [self->models].data);
    }
    if (self->models > 0) {
        //  Count the distinct n-grams in a table big enough for all, then
        //  build the one kept: a power of two twice as many slots
        size_t slots = 1024;
        while (slots < total * 2)
            slots *= 2;
        for (int pass = 0; pass < 2; pass++) {
            self->grams = (oracle_gram_t *) xcalloc (slots, sizeof (oracle_gram_t));
            self->tails = (oracle_tail_t *) xcalloc (slots, sizeof (oracle_tail_t));
            self->gram_mask = (uint32_t) (slots - 1);
            uint32_t rows = 0;
            for (int m = 0; m < self->models; m++)
                for (int r = 0; r < profiles [m].count; r++) {
                    const char *text = profiles [m].grams [r];
                    size_t len = strlen (text);
                    uint64_t key = oracle_gram_key (text, len);
                    oracle_gram_t *gram = oracle_gram_slot (self, text, len, key);
                    if (!gram->len) {
                        gram->key = key;
                        gram->len = (uint8_t) len;
                        gram->row = rows++;
                        if (len > 8)
                            memcpy (self->tails [gram - self->grams].bytes, text + 8, len - 8);
                        if (pass == 1)
                            for (int k = 0; k < ORACLE_MODELS_MAX; k++)
                                self->ranks [gram->row * ORACLE_MODELS_MAX + k] = ORACLE_ABSENT;
                    }
                    //  The same n-gram twice in one profile: the first rank
                    int16_t *rank = pass == 1 ? &self->ranks [gram->row * ORACLE_MODELS_MAX + m]
                                              : NULL;
                    if (rank && *rank == ORACLE_ABSENT)
                        *rank = (int16_t) r;
                }
            if (pass == 0) {
                free (self->grams);
                free (self->tails);
                slots = 1024;
                while (slots < (size_t) rows * 2)
                    slots *= 2;
                self->ranks = (int16_t *) xcalloc ((size_t) rows * ORACLE_MODELS_MAX,
                                                   sizeof (int16_t));
            }
        }
    }
    for (int m = 0; m < self->models; m++)
        free (profiles [m].data);
    free (profiles);
}

//  --------------------------------------------------------------------------
//  Load the models. Never fails: without them, Latin text is judged by
//  function words alone (more often unsure).

oracle_t *
oracle_new (const char *datadir)
{
    oracle_t *self = (oracle_t *) xcalloc (1, sizeof (oracle_t));
    oracle_words_load (self);
    const char *dir = datadir && *datadir ? datadir : ORACLE_DEFAULT_DATA;
    oracle_profiles_load (self, dir);
    if (self->models == 0)
        fprintf (stderr, "lang: no language models in %s; detection by function words only\n", dir);
    return self;
}

//  --------------------------------------------------------------------------
//  Destroy and nullify.

void
oracle_destroy (oracle_t **self_p)
{
    assert (self_p);
    oracle_t *self = *self_p;
    if (!self)
        return;
    free (self->grams);
    free (self->tails);
    free (self->ranks);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Rank the profiles against text (valid UTF-8, len bytes): the
//  candidates within ORACLE_THRESHOLD of the best score, best first, into
//  codes. Returns how many, or 0 when there are none or too many to say.

//  Bytes that separate words for the n-grams: white space and digits
static inline bool
oracle_gram_break (uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '0' && c <= '9');
}

//  Bytes of the UTF-8 character starting with c
static inline size_t
oracle_char_len (uint8_t c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static int
oracle_profile_rank (oracle_t *self, const char *text, size_t len, const char **codes,
                     int32_t *scores_out)
{
    if (scores_out)
        memset (scores_out, 0, sizeof (int32_t) * ORACLE_MODELS_MAX);
    //  The sample as words between single underscores: "_word_word_"
    char *prepared = self->prepared;
    size_t size = 0;
    bool in_word = false;
    uint8_t high = 0;           //  Bytes >= 0x80 seen (non-zero)
    for (size_t i = 0; i < len && size < ORACLE_NGRAM_SAMPLE + 1; i++) {
        uint8_t c = (uint8_t) text [i];
        if (oracle_gram_break (c)) {
            in_word = false;
            continue;
        }
        if (!in_word)
            prepared [size++] = '_';
        in_word = true;
        prepared [size++] = (char) c;
        high |= c & 0x80;
    }
    if (size == 0)
        return 0;
    prepared [size++] = '_';

    //  Count every n-gram of 1-5 characters; an underscore only at either end
    int distinct = 0;
    int max_count = 0;
    size_t at = 0;
    memset (prepared + size, 0, 8);    //  Whole words may be read past the end
    while (!high && at < size) {
        //  ASCII: a character is a byte, and the key of an n-gram of up
        //  to 5 bytes is the n-gram itself
        uint64_t word;
        memcpy (&word, prepared + at, 8);
        size_t most = size - at < ORACLE_NGRAM_CHARS ? size - at : ORACLE_NGRAM_CHARS;
        for (size_t n = 1; n <= most; n++) {
            uint64_t key = word & ((1ULL << (8 * n)) - 1);
            uint32_t slot = oracle_gram_hash (key, n) & (ORACLE_SAMPLE_SLOTS - 1);
            oracle_seen_t *seen = &self->seen [slot];
            while (seen->len && seen->key != key) {
                slot = (slot + 1) & (ORACLE_SAMPLE_SLOTS - 1);
                seen = &self->seen [slot];
            }
            if (!seen->len) {
                seen->key = key;
                seen->start = (uint16_t) at;
                seen->len = (uint8_t) n;
                seen->chars = (uint8_t) n;
                seen->count = 0;
                self->order [distinct++] = (uint16_t) slot;
            }
            if (++seen->count > max_count)
                max_count = seen->count;
            if (n > 1 && prepared [at + n - 1] == '_')
                break;          //  The word ended
        }
        at++;
    }
    while (at < size) {
        uint64_t word;
        memcpy (&word, prepared + at, 8);
        size_t end = at;
        for (int chars = 0; chars < ORACLE_NGRAM_CHARS && end < size; chars++) {
            size_t n = oracle_char_len ((uint8_t) prepared [end]);
            if (end + n > size || end + n - at > ORACLE_NGRAM_BYTES)
                break;
            end += n;
            size_t gram_len = end - at;
            uint64_t key = gram_len >= 8 ? word : word & ((1ULL << (8 * gram_len)) - 1);
            uint32_t slot = oracle_gram_hash (key, gram_len) & (ORACLE_SAMPLE_SLOTS - 1);
            oracle_seen_t *seen;
            while (true) {
                seen = &self->seen [slot];
                if (!seen->len
                || (seen->key == key && seen->len == gram_len
                    && (gram_len <= 8
                        || memcmp (prepared + seen->start, prepared + at, gram_len) == 0)))
                    break;
                slot = (slot + 1) & (ORACLE_SAMPLE_SLOTS - 1);
            }
            if (!seen->len) {
                if (distinct >= ORACLE_SAMPLE_SLOTS * 3 / 4)
                    goto counted;       //  Cannot happen with the sample bound
                seen->key = key;
                seen->start = (uint16_t) at;
                seen->len = (uint8_t) gram_len;
                seen->chars = (uint8_t) (chars + 1);
                seen->count = 0;
                self->order [distinct++] = (uint16_t) slot;
            }
            if (++seen->count > max_count)
                max_count = seen->count;
            if (chars > 0 && prepared [end - 1] == '_')
                break;          //  The word ended
        }
        at += oracle_char_len ((uint8_t) prepared [at]);
    }
counted:;
    //  Commonest first; among equals the shortest, then the first seen (a
    //  counting sort on count and length)
    int start [(ORACLE_NGRAM_SAMPLE + 8) * ORACLE_NGRAM_CHARS];
    int keys = (max_count + 1) * ORACLE_NGRAM_CHARS + 1;
    memset (start, 0, sizeof (int) * (size_t) keys);
    for (int i = 0; i < distinct; i++) {
        oracle_seen_t *seen = &self->seen [self->order [i]];
        start [(max_count - seen->count) * ORACLE_NGRAM_CHARS + seen->chars]++;
    }
    for (int k = 1; k < keys; k++)
        start [k] += start [k - 1];
    for (int i = 0; i < distinct; i++) {
        uint16_t slot = self->order [i];
        oracle_seen_t *seen = &self->seen [slot];
        self->ranked [start [(max_count - seen->count) * ORACLE_NGRAM_CHARS + seen->chars - 1]++]
            = slot;
    }

    //  Out-of-place distance of each profile from the sample's commonest
    //  n-grams: the difference of ranks, ORACLE_OUT_OF_PLACE when the
    //  profile lacks one (ranks are below 400: min () tells both cases)
    int ranked = distinct < ORACLE_NGRAMS ? distinct : ORACLE_NGRAMS;
    int32_t scores [ORACLE_MODELS_MAX] = { 0 };
    int missing = 0;            //  N-grams no profile has
    for (int rank = 0; rank < ranked; rank++) {
        oracle_seen_t *seen = &self->seen [self->ranked [rank]];
        oracle_gram_t *gram = oracle_gram_slot (self, prepared + seen->start, seen->len, seen->key);
        if (!gram->len) {
            missing++;
            continue;
        }
        const int16_t *ranks = &self->ranks [gram->row * ORACLE_MODELS_MAX];
#ifdef __SSE2__
        //  8 profiles at a time: |rank - r| capped at ORACLE_OUT_OF_PLACE, in
        //  16 bits (ranks are below 10001), added to 32-bit scores
        const __m128i r = _mm_set1_epi16 ((int16_t) rank);
        const __m128i cap = _mm_set1_epi16 (ORACLE_OUT_OF_PLACE);
        const __m128i zero = _mm_setzero_si128 ();
        for (int m = 0; m < ORACLE_MODELS_MAX; m += 8) {
            __m128i d = _mm_sub_epi16 (_mm_loadu_si128 ((const __m128i *) (ranks + m)), r);
            d = _mm_min_epi16 (_mm_max_epi16 (d, _mm_sub_epi16 (zero, d)), cap);
            __m128i low = _mm_loadu_si128 ((const __m128i *) (scores + m));
            __m128i high = _mm_loadu_si128 ((const __m128i *) (scores + m + 4));
            low = _mm_add_epi32 (low, _mm_unpacklo_epi16 (d, zero));
            high = _mm_add_epi32 (high, _mm_unpackhi_epi16 (d, zero));
            _mm_storeu_si128 ((__m128i *) (scores + m), low);
            _mm_storeu_si128 ((__m128i *) (scores + m + 4), high);
        }
#else
        for (int m = 0; m < ORACLE_MODELS_MAX; m++) {
            int32_t distance = ranks [m] - rank;
            distance = distance < 0 ? -distance : distance;
            scores [m] += distance < ORACLE_OUT_OF_PLACE ? distance : ORACLE_OUT_OF_PLACE;
        }
#endif
    }
    for (int m = 0; m < self->models; m++)
        scores [m] += missing * ORACLE_OUT_OF_PLACE;
    for (int i = 0; i < distinct; i++)
        self->seen [self->order [i]].len = 0;
    if (scores_out)
        memcpy (scores_out, scores, sizeof scores);

    //  Candidates: within the threshold of the best, best first
    int64_t best = INT64_MAX;    //  (scores are at most 400 * 400)
    for (int m = 0; m < self->models; m++)
        if (scores [m] < best)
            best = scores [m];
    int64_t threshold = (int64_t) ((double) best * ORACLE_THRESHOLD);
    int chosen [ORACLE_MODELS_MAX];
    int count = 0;
    for (int m = 0; m < self->models; m++)
        if (scores [m] < threshold || scores [m] == best) {
            if (count == ORACLE_CANDIDATES)
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
} oracle_census_t;

static void
oracle_census (const char *text, size_t len, oracle_census_t *c)
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
            int letters = __builtin_popcountll (from_a & ~past_z & 0x8080808080808080ULL);
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
oracle_by_script (const oracle_census_t *c)
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
//  Function-word hits per language (index into oracle_stopwords)

#define ORACLE_STOP_MAX 24

static void
oracle_stopword_hits (oracle_t *self, const char *text, size_t len, int *hits, int *distinct)
{
    memset (hits, 0, sizeof (int) * ORACLE_STOP_MAX);
    memset (distinct, 0, sizeof (int) * ORACLE_STOP_MAX);
    if (++self->word_epoch == 0)
        self->word_epoch = 1;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *) text;
    size_t i = 0;
    char word [48];
    size_t wlen = 0;
    while (i <= len) {
        utf8proc_int32_t cp = ' ';
        if (i < len && (unsigned) ((p [i] | 0x20) - 'a') < 26) {
            //  ASCII letter: lower case
            if (wlen + 3 < sizeof word)
                word [1 + wlen++] = (char) (p [i] | 0x20);
            else
                wlen = sizeof word;
            i++;
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
            if (wlen + (size_t) n + 2 < sizeof word) {
                memcpy (word + 1 + wlen, bytes, (size_t) n);
                wlen += (size_t) n;
            }
            else
                wlen = sizeof word;         //  Too long to be a function word
            continue;
        }
        if (wlen > 0 && wlen < ORACLE_WORD_MAX) {
            oracle_word_t *slot = oracle_word_slot (self, word + 1, wlen);
            uint32_t languages = slot->languages;
            bool first = languages && slot->epoch != self->word_epoch;
            if (first)
                slot->epoch = self->word_epoch;
            for (int l = 0; languages && l < ORACLE_STOP_MAX; l++, languages >>= 1) {
                hits [l] += languages & 1;
                distinct [l] += first & languages;
            }
        }
        wlen = 0;
    }
}

static int
oracle_stop_index (const char *code)
{
    for (int l = 0; oracle_stopwords [l].code; l++)
        if (strcmp (oracle_stopwords [l].code, code) == 0)
            return l;
    return -1;
}

//  --------------------------------------------------------------------------
//  Detect the language of text; NULL when unsure.

const char *
oracle_detect (oracle_t *self, const char *text)
{
    assert (self);
    if (!text)
        return NULL;
    size_t len = strlen (text);
    if (len > ORACLE_MAX_SAMPLE) {
        len = ORACLE_MAX_SAMPLE;
        while (len > 0 && ((unsigned char) text [len] & 0xC0) == 0x80)
            len--;              //  Cut on a character boundary
    }
    oracle_census_t census;
    oracle_census (text, len, &census);
    const char *script = oracle_by_script (&census);
    if (script)
        return script;
    if (census.latin < ORACLE_MIN_LETTERS || census.latin * 2 < census.letters)
        return NULL;

    int hits [ORACLE_STOP_MAX], words [ORACLE_STOP_MAX];
    oracle_stopword_hits (self, text, len, hits, words);
    int best_stop = -1, second_hits = 0;
    for (int l = 0; oracle_stopwords [l].code; l++) {
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
        by_words = oracle_stopwords [best_stop].code;

    if (self->models == 0)
        return census.latin >= ORACLE_SHORT_LETTERS ? by_words : NULL;
    //  Overwhelming function words decide alone: the n-gram ranking below
    //  (most of the detector's time) only confirms them then. Many
    //  different words, not one repeated ("per" in a price table)
    if (by_words && census.latin >= ORACLE_SHORT_LETTERS
    &&  top_hits >= ORACLE_SURE_HITS && top_hits >= 4 * second_hits
    &&  words [best_stop] >= ORACLE_SURE_WORDS && !oracle_has_sibling (by_words))
        return by_words;
    //  Short text is decided only when the function words agree with the
    //  n-grams: without a verdict from them, the n-grams need not run
    if (census.latin < ORACLE_SHORT_LETTERS && !by_words)
        return NULL;

    //  N-grams of the first ORACLE_NGRAM_SAMPLE bytes are enough to rank the
    //  candidates (their cost grows with the text); the function words
    //  above saw the whole sample
    size_t ngram_len = len;
    if (ngram_len > ORACLE_NGRAM_SAMPLE) {
        ngram_len = ORACLE_NGRAM_SAMPLE;
        while (ngram_len > 0 && ((unsigned char) text [ngram_len] & 0xC0) == 0x80)
            ngram_len--;
    }
    const char *ranked [ORACLE_CANDIDATES];
    int count = oracle_profile_rank (self, text, ngram_len, ranked, NULL);
    if (count <= 0)
        return census.latin >= ORACLE_SHORT_LETTERS ? by_words : NULL;
    //  Candidates within the threshold of the best: the same language
    //  under two profiles (nb, nn) counts once
    const char *codes [ORACLE_CANDIDATES];
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
        int index = oracle_stop_index (code);
        if (census.latin < ORACLE_SHORT_LETTERS)
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
        for (int i = 0; oracle_siblings [i][0]; i++) {
            const char *other = strcmp (oracle_siblings [i][0], code) == 0 ? oracle_siblings [i][1]
                              : strcmp (oracle_siblings [i][1], code) == 0 ? oracle_siblings [i][0] : NULL;
            int o = other ? oracle_stop_index (other) : -1;
            if (o >= 0 && index >= 0 && hits [o] >= hits [index])
                return NULL;
        }
        return code;
    }
    //  Several candidates: the function words choose among them
    int chosen = -1, chosen_hits = 0, runner_hits = 0;
    for (int j = 0; j < distinct; j++) {
        int index = oracle_stop_index (codes [j]);
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
    && (census.latin >= ORACLE_SHORT_LETTERS || by_words == codes [chosen]))
        return codes [chosen];
    return NULL;
}


//  --------------------------------------------------------------------------
//  The n-gram ranking alone, over len bytes of text: candidates into codes
//  (ORACLE_CANDIDATES at most), every profile's score into scores
//  (ORACLE_MODELS_MAX, zero past the profiles loaded); returns the
//  candidates, 0 for none or too many

static inline int
oracle_rank (oracle_t *self, const char *text, size_t len, const char **codes, int32_t *scores)
{
    int count = oracle_profile_rank (self, text, len, codes, scores);
    for (int m = self->models; m < ORACLE_MODELS_MAX; m++)
        scores [m] = 0;
    return count;
}

//  The script census as ints (oracle_census_t is ints only); returns how many

static inline int
oracle_census_counts (const char *text, size_t len, int *counts, int max)
{
    oracle_census_t census;
    oracle_census (text, len, &census);
    int fields = (int) (sizeof census / sizeof (int));
    assert (fields <= max);
    memcpy (counts, &census, sizeof census);
    return fields;
}

//  The function-word hits and distinct words per list

static inline void
oracle_words (oracle_t *self, const char *text, size_t len, int *hits, int *distinct)
{
    oracle_stopword_hits (self, text, len, hits, distinct);
}

//  --------------------------------------------------------------------------
//  The differential check: every step of lang_detect on text (len bytes,
//  any bytes; the n-gram ranking up to the first NUL) against the
//  oracle's, and the verdict on text up to its first NUL. Returns true when all agree; otherwise false with the first
//  difference described in why.

static inline bool
oracle_same_rank (lang_t *lang, oracle_t *oracle, const char *text, size_t len,
                  char *why, size_t size)
{
    const char *codes [LANG_TEST_CANDIDATES], *want_codes [ORACLE_CANDIDATES];
    int32_t scores [LANG_TEST_MODELS], want [ORACLE_MODELS_MAX];
    int count = lang_test_rank (lang, text, len, codes, scores);
    int want_count = oracle_rank (oracle, text, len, want_codes, want);
    for (int m = 0; m < ORACLE_MODELS_MAX; m++)
        if (scores [m] != want [m]) {
            snprintf (why, size, "rank of %zu bytes: profile %d (%s) scores %d, was %d",
                      len, m, m < oracle->models ? oracle->codes [m] : "-",
                      (int) scores [m], (int) want [m]);
            return false;
        }
    if (count != want_count) {
        snprintf (why, size, "rank of %zu bytes: %d candidates, were %d", len, count, want_count);
        return false;
    }
    for (int i = 0; i < count; i++)
        if (strcmp (codes [i], want_codes [i]) != 0) {
            snprintf (why, size, "rank of %zu bytes: candidate %d is %s, was %s",
                      len, i, codes [i], want_codes [i]);
            return false;
        }
    return true;
}

static inline bool
oracle_same (lang_t *lang, oracle_t *oracle, const char *text, size_t len, char *why, size_t size)
{
    //  The bytes each step sees in lang_detect: the census and function
    //  words the first ORACLE_MAX_SAMPLE, the n-grams the first
    //  ORACLE_NGRAM_SAMPLE, cut on a character (the byte after the cut
    //  is read, as lang_detect reads it: past len only when len is short)
    size_t sample = len, ngram = len;
    if (sample > ORACLE_MAX_SAMPLE) {
        sample = ORACLE_MAX_SAMPLE;
        while (sample > 0 && ((unsigned char) text [sample] & 0xC0) == 0x80)
            sample--;
    }
    if (ngram > ORACLE_NGRAM_SAMPLE) {
        ngram = ORACLE_NGRAM_SAMPLE;
        while (ngram > 0 && ((unsigned char) text [ngram] & 0xC0) == 0x80)
            ngram--;
    }
    //  The ranking only ever sees strings: up to the first NUL (with a NUL
    //  inside, the old ranking's ASCII path matched n-grams by their first
    //  bytes alone, as its hash table happened to probe)
    size_t text_len = strnlen (text, len);
    if (!oracle_same_rank (lang, oracle, text, ngram < text_len ? ngram : text_len, why, size)
    ||  !oracle_same_rank (lang, oracle, text, text_len, why, size))
        return false;
    if (sample < text_len && !oracle_same_rank (lang, oracle, text, sample, why, size))
        return false;
    int counts [64], want_counts [64];
    int fields = lang_test_census (text, sample, counts, 64);
    int want_fields = oracle_census_counts (text, sample, want_counts, 64);
    if (fields != want_fields) {
        snprintf (why, size, "census: %d fields, were %d", fields, want_fields);
        return false;
    }
    for (int i = 0; i < fields; i++)
        if (counts [i] != want_counts [i]) {
            snprintf (why, size, "census of %zu bytes: field %d is %d, was %d",
                      sample, i, counts [i], want_counts [i]);
            return false;
        }
    int hits [LANG_TEST_LISTS], distinct [LANG_TEST_LISTS];
    int want_hits [ORACLE_STOP_MAX], want_distinct [ORACLE_STOP_MAX];
    lang_test_words (lang, text, sample, hits, distinct);
    oracle_words (oracle, text, sample, want_hits, want_distinct);
    for (int l = 0; l < ORACLE_STOP_MAX; l++)
        if (hits [l] != want_hits [l] || distinct [l] != want_distinct [l]) {
            snprintf (why, size, "function words of %zu bytes: list %d: %d hits of %d words,"
                      " were %d of %d", sample, l, hits [l], distinct [l],
                      want_hits [l], want_distinct [l]);
            return false;
        }
    //  The verdict, on the text as a string
    char *copy = (char *) xmalloc (len + 1);
    memcpy (copy, text, len);
    copy [len] = 0;
    const char *code = lang_detect (lang, copy);
    const char *want_code = oracle_detect (oracle, copy);
    free (copy);
    if ((code == NULL) != (want_code == NULL) || (code && strcmp (code, want_code) != 0)) {
        snprintf (why, size, "verdict %s, was %s", code ? code : "(unsure)",
                  want_code ? want_code : "(unsure)");
        return false;
    }
    return true;
}

#endif
