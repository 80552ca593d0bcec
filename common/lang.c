//  SPDX-License-Identifier: MIT
//  lang - language detection (script, n-gram profiles, function words)
//  and language tag cleaning
//
//  The n-gram step is Cavnar and Trenkle's out-of-place measure over the
//  language profiles libexttextcat ships (<lang>.lm: the 400 commonest
//  n-grams of 1-5 characters of a language, commonest first), scored here
//  in one pass: every n-gram of every profile sits in one hash table with
//  its rank in each profile, so the sample's 400 commonest n-grams are
//  each looked up once instead of being merged against 31 sorted lists.

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
#define LANG_WORDS_SLOTS 2048   //  Power of two, well above the word count
#define LANG_WORD_MAX    16     //  Longest function word, bytes + NUL

typedef struct {
    char word [LANG_WORD_MAX];  //  Lower case; "" = empty slot
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
#define LANG_SAMPLE_SLOTS   4096    //  Hash slots for the sample's n-grams (a
                                    //  sample holds at most 5 per byte: 2,600)

//  N-grams are keyed by their first 8 bytes packed in an integer (first
//  byte lowest) and their length: for the n-grams of up to 8 bytes (nearly
//  all) the key is the n-gram, and equality one comparison.

//  One n-gram of the profiles (16 bytes; bytes past the first 8 are kept
//  apart, in tails)
typedef struct {
    uint64_t key;               //  First 8 bytes
    uint32_t row;               //  Its ranks: ranks [row * LANG_MODELS_MAX + profile]
    uint8_t len;                //  Bytes, 0 = empty slot
} lang_gram_t;

#define LANG_ABSENT 10000       //  Rank of an n-gram a profile lacks: any
                                //  distance from it is out of place

//  Bytes of an n-gram past its first 8
typedef struct {
    char bytes [LANG_NGRAM_BYTES - 8];
} lang_tail_t;

//  One n-gram of the sample being profiled
typedef struct {
    uint64_t key;               //  First 8 bytes
    uint16_t start;             //  Offset in the prepared sample
    uint16_t count;             //  Occurrences
    uint8_t len;                //  Bytes, 0 = empty slot
    uint8_t chars;              //  Characters
} lang_seen_t;

struct _lang_t {
    lang_word_t words [LANG_WORDS_SLOTS];   //  Function words of every language
    int models;                 //  Profiles loaded (0: function words only)
    uint32_t word_epoch;        //  Calls of s_stopword_hits (distinct words)
    const char *codes [LANG_MODELS_MAX];    //  Our code for each profile
    lang_gram_t *grams;         //  Hash table of every profile's n-grams
    lang_tail_t *tails;         //  Their bytes past the first 8, by slot
    uint32_t gram_mask;         //  Slots - 1
    int16_t *ranks;             //  Per n-gram, its rank in each profile
    lang_seen_t seen [LANG_SAMPLE_SLOTS];   //  The sample's n-grams
    uint16_t order [LANG_SAMPLE_SLOTS];     //  Slots used, first seen first
    uint16_t ranked [LANG_SAMPLE_SLOTS];    //  Slots by count, commonest first
    char prepared [LANG_NGRAM_SAMPLE + 16]; //  "_word_word_" of the sample
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

static uint32_t
s_word_hash (const char *word, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t) word [i]) * 16777619u;
    return h;
}

//  The slot of word: where it is, or the empty slot where it would go
static lang_word_t *
s_word_slot (lang_t *self, const char *word, size_t len)
{
    uint32_t i = s_word_hash (word, len) & (LANG_WORDS_SLOTS - 1);
    //  (len < LANG_WORD_MAX: the stored word ends at len when it is word)
    while (self->words [i].word [0]
       && (memcmp (self->words [i].word, word, len) != 0 || self->words [i].word [len]))
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
                lang_word_t *slot = s_word_slot (self, p, n);
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
s_gram_key (const char *text, size_t len)
{
    uint64_t key = 0;
    for (size_t i = 0; i < len && i < 8; i++)
        key |= (uint64_t) (uint8_t) text [i] << (8 * i);
    return key;
}

//  Hash of a key and length
static inline uint32_t
s_gram_hash (uint64_t key, size_t len)
{
    return (uint32_t) (((key ^ (uint64_t) len) * 0x9E3779B97F4A7C15ULL) >> 32);
}

//  The profile slot of an n-gram: where it is, or the empty slot where it
//  would go
static lang_gram_t *
s_gram_slot (lang_t *self, const char *text, size_t len, uint64_t key)
{
    uint32_t i = s_gram_hash (key, len) & self->gram_mask;
    while (self->grams [i].len
       && (self->grams [i].key != key || self->grams [i].len != len
           || (len > 8 && memcmp (self->tails [i].bytes, text + 8, len - 8) != 0)))
        i = (i + 1) & self->gram_mask;
    return &self->grams [i];
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

//  Load the profiles of s_models from dir into one table of n-grams with
//  their ranks per profile
static void
s_profiles_load (lang_t *self, const char *dir)
{
    lang_profile_t *profiles = (lang_profile_t *) xcalloc (LANG_MODELS_MAX,
                                                            sizeof (lang_profile_t));
    size_t total = 0;
    for (int i = 0; s_models [i].model && self->models < LANG_MODELS_MAX; i++) {
        char path [1024];
        snprintf (path, sizeof path, "%s/%s.lm", dir, s_models [i].model);
        if (s_profile_read (path, &profiles [self->models]) == 0) {
            self->codes [self->models] = s_models [i].code;
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
            self->grams = (lang_gram_t *) xcalloc (slots, sizeof (lang_gram_t));
            self->tails = (lang_tail_t *) xcalloc (slots, sizeof (lang_tail_t));
            self->gram_mask = (uint32_t) (slots - 1);
            uint32_t rows = 0;
            for (int m = 0; m < self->models; m++)
                for (int r = 0; r < profiles [m].count; r++) {
                    const char *text = profiles [m].grams [r];
                    size_t len = strlen (text);
                    uint64_t key = s_gram_key (text, len);
                    lang_gram_t *gram = s_gram_slot (self, text, len, key);
                    if (!gram->len) {
                        gram->key = key;
                        gram->len = (uint8_t) len;
                        gram->row = rows++;
                        if (len > 8)
                            memcpy (self->tails [gram - self->grams].bytes, text + 8, len - 8);
                        if (pass == 1)
                            for (int k = 0; k < LANG_MODELS_MAX; k++)
                                self->ranks [gram->row * LANG_MODELS_MAX + k] = LANG_ABSENT;
                    }
                    //  The same n-gram twice in one profile: the first rank
                    int16_t *rank = pass == 1 ? &self->ranks [gram->row * LANG_MODELS_MAX + m]
                                              : NULL;
                    if (rank && *rank == LANG_ABSENT)
                        *rank = (int16_t) r;
                }
            if (pass == 0) {
                free (self->grams);
                free (self->tails);
                slots = 1024;
                while (slots < (size_t) rows * 2)
                    slots *= 2;
                self->ranks = (int16_t *) xcalloc ((size_t) rows * LANG_MODELS_MAX,
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
    free (self->grams);
    free (self->tails);
    free (self->ranks);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Rank the profiles against text (valid UTF-8, len bytes): the
//  candidates within LANG_THRESHOLD of the best score, best first, into
//  codes. Returns how many, or 0 when there are none or too many to say.

//  Bytes that separate words for the n-grams: white space and digits
static inline bool
s_gram_break (uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '0' && c <= '9');
}

//  Bytes of the UTF-8 character starting with c
static inline size_t
s_char_len (uint8_t c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static int
s_profile_rank (lang_t *self, const char *text, size_t len, const char **codes,
                int32_t *scores_out)
{
    if (scores_out)
        memset (scores_out, 0, sizeof (int32_t) * LANG_MODELS_MAX);
    //  The sample as words between single underscores: "_word_word_"
    char *prepared = self->prepared;
    size_t size = 0;
    bool in_word = false;
    uint8_t high = 0;           //  Bytes >= 0x80 seen (non-zero)
    for (size_t i = 0; i < len && size < LANG_NGRAM_SAMPLE + 1; i++) {
        uint8_t c = (uint8_t) text [i];
        if (s_gram_break (c)) {
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
        size_t most = size - at < LANG_NGRAM_CHARS ? size - at : LANG_NGRAM_CHARS;
        for (size_t n = 1; n <= most; n++) {
            uint64_t key = word & ((1ULL << (8 * n)) - 1);
            uint32_t slot = s_gram_hash (key, n) & (LANG_SAMPLE_SLOTS - 1);
            lang_seen_t *seen = &self->seen [slot];
            while (seen->len && seen->key != key) {
                slot = (slot + 1) & (LANG_SAMPLE_SLOTS - 1);
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
        for (int chars = 0; chars < LANG_NGRAM_CHARS && end < size; chars++) {
            size_t n = s_char_len ((uint8_t) prepared [end]);
            if (end + n > size || end + n - at > LANG_NGRAM_BYTES)
                break;
            end += n;
            size_t gram_len = end - at;
            uint64_t key = gram_len >= 8 ? word : word & ((1ULL << (8 * gram_len)) - 1);
            uint32_t slot = s_gram_hash (key, gram_len) & (LANG_SAMPLE_SLOTS - 1);
            lang_seen_t *seen;
            while (true) {
                seen = &self->seen [slot];
                if (!seen->len
                || (seen->key == key && seen->len == gram_len
                    && (gram_len <= 8
                        || memcmp (prepared + seen->start, prepared + at, gram_len) == 0)))
                    break;
                slot = (slot + 1) & (LANG_SAMPLE_SLOTS - 1);
            }
            if (!seen->len) {
                if (distinct >= LANG_SAMPLE_SLOTS * 3 / 4)
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
        at += s_char_len ((uint8_t) prepared [at]);
    }
counted:;
    //  Commonest first; among equals the shortest, then the first seen (a
    //  counting sort on count and length)
    int start [(LANG_NGRAM_SAMPLE + 8) * LANG_NGRAM_CHARS];
    int keys = (max_count + 1) * LANG_NGRAM_CHARS + 1;
    memset (start, 0, sizeof (int) * (size_t) keys);
    for (int i = 0; i < distinct; i++) {
        lang_seen_t *seen = &self->seen [self->order [i]];
        start [(max_count - seen->count) * LANG_NGRAM_CHARS + seen->chars]++;
    }
    for (int k = 1; k < keys; k++)
        start [k] += start [k - 1];
    for (int i = 0; i < distinct; i++) {
        uint16_t slot = self->order [i];
        lang_seen_t *seen = &self->seen [slot];
        self->ranked [start [(max_count - seen->count) * LANG_NGRAM_CHARS + seen->chars - 1]++]
            = slot;
    }

    //  Out-of-place distance of each profile from the sample's commonest
    //  n-grams: the difference of ranks, LANG_OUT_OF_PLACE when the
    //  profile lacks one (ranks are below 400: min () tells both cases)
    int ranked = distinct < LANG_NGRAMS ? distinct : LANG_NGRAMS;
    int32_t scores [LANG_MODELS_MAX] = { 0 };
    int missing = 0;            //  N-grams no profile has
    for (int rank = 0; rank < ranked; rank++) {
        lang_seen_t *seen = &self->seen [self->ranked [rank]];
        lang_gram_t *gram = s_gram_slot (self, prepared + seen->start, seen->len, seen->key);
        if (!gram->len) {
            missing++;
            continue;
        }
        const int16_t *ranks = &self->ranks [gram->row * LANG_MODELS_MAX];
#ifdef __SSE2__
        //  8 profiles at a time: |rank - r| capped at LANG_OUT_OF_PLACE, in
        //  16 bits (ranks are below 10001), added to 32-bit scores
        const __m128i r = _mm_set1_epi16 ((int16_t) rank);
        const __m128i cap = _mm_set1_epi16 (LANG_OUT_OF_PLACE);
        const __m128i zero = _mm_setzero_si128 ();
        for (int m = 0; m < LANG_MODELS_MAX; m += 8) {
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
        for (int m = 0; m < LANG_MODELS_MAX; m++) {
            int32_t distance = ranks [m] - rank;
            distance = distance < 0 ? -distance : distance;
            scores [m] += distance < LANG_OUT_OF_PLACE ? distance : LANG_OUT_OF_PLACE;
        }
#endif
    }
    for (int m = 0; m < self->models; m++)
        scores [m] += missing * LANG_OUT_OF_PLACE;
    for (int i = 0; i < distinct; i++)
        self->seen [self->order [i]].len = 0;
    if (scores_out)
        memcpy (scores_out, scores, sizeof (int32_t) * (size_t) self->models);

    //  Candidates: within the threshold of the best, best first
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
        if (wlen > 0 && wlen < LANG_WORD_MAX) {
            lang_word_t *slot = s_word_slot (self, word + 1, wlen);
            uint32_t languages = slot->languages;
            bool first = languages && slot->epoch != self->word_epoch;
            if (first)
                slot->epoch = self->word_epoch;
            for (int l = 0; languages && l < LANG_STOP_MAX; l++, languages >>= 1) {
                hits [l] += languages & 1;
                distinct [l] += first & languages;
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
