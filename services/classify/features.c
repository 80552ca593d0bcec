//  SPDX-License-Identifier: MIT
//  features - vocabulary and tf-idf vectorizer (see features.h)

#include "common.h"
#include "classify/strmap.h"
#include "classify/features.h"

struct _vocab_t {
    strmap_t *terms;            //  Term text -> index (value unused)
    VEC (float) idf;            //  Idf by term index
    strmap_t *stems;            //  Stem -> unigram term index or -1
    u64map_t *bigrams;          //  (uid_a << 32 | uid_b) -> term index
};

vocab_t *
vocab_new (void)
{
    vocab_t *self = (vocab_t *) xcalloc (1, sizeof (vocab_t));
    self->terms = strmap_new ();
    self->stems = strmap_new ();
    self->bigrams = u64map_new ();
    return self;
}

void
vocab_destroy (vocab_t **self_p)
{
    assert (self_p);
    vocab_t *self = *self_p;
    if (!self)
        return;
    strmap_destroy (&self->terms);
    strmap_destroy (&self->stems);
    u64map_destroy (&self->bigrams);
    free (self->idf.items);
    free (self);
    *self_p = NULL;
}

int32_t
vocab_add (vocab_t *self, const char *term, size_t len, float idf)
{
    if (len == 0 || len > 255 || memchr (term, 0, len))
        return -1;
    const char *space = (const char *) memchr (term, ' ', len);
    if (space && (space == term || space == term + len - 1
               || memchr (space + 1, ' ', len - (size_t) (space + 1 - term))))
        return -1;
    bool added;
    int32_t index = strmap_intern (self->terms, term, len, &added);
    if (!added)
        return -1;
    *vec_push (&self->idf) = idf;
    if (space) {
        size_t alen = (size_t) (space - term);
        int32_t a = strmap_intern (self->stems, term, alen, NULL);
        int32_t b = strmap_intern (self->stems, space + 1, len - alen - 1, NULL);
        u64map_put (self->bigrams, ((uint64_t) a << 32) | (uint32_t) b, index);
    }
    else {
        int32_t uid = strmap_intern (self->stems, term, len, NULL);
        *strmap_value (self->stems, uid) = index;
    }
    return index;
}

size_t
vocab_size (const vocab_t *self)
{
    return self->idf.len;
}

const char *
vocab_term (const vocab_t *self, int32_t index, size_t *len)
{
    return strmap_key (self->terms, index, len);
}

float
vocab_idf (const vocab_t *self, int32_t index)
{
    assert (index >= 0 && (size_t) index < self->idf.len);
    return self->idf.items [index];
}

int32_t
vocab_find (const vocab_t *self, const char *term, size_t len)
{
    return strmap_find (self->terms, term, len);
}

int32_t
vocab_stem (const vocab_t *self, const char *stem, size_t len)
{
    return strmap_find (self->stems, stem, len);
}

int32_t
vocab_unigram (const vocab_t *self, int32_t uid)
{
    return *strmap_value (self->stems, uid);
}

int32_t
vocab_bigram (const vocab_t *self, int32_t uid_a, int32_t uid_b)
{
    return u64map_get (self->bigrams, ((uint64_t) uid_a << 32) | (uint32_t) uid_b);
}

//  --------------------------------------------------------------------------
//  Vectorizer

#define VECTORIZER_LANGS 8          //  Tokenizers kept (one per language)
#define VECTORIZER_CACHE 400000     //  Words the lexicon holds at most
#define VECTORIZER_LOGS  256        //  Counts whose 1 + ln is tabled

//  What a word of the lexicon means to this vocabulary in one language
//  (a memo: all zero until worked out)
typedef struct {
    int32_t stem;               //  Tokenizer stem id, -1 if no content term
    int32_t uid;                //  Vocabulary stem id, -1 if unknown
    int32_t unigram;            //  Unigram term index, -1 if none
    uint32_t pairs;             //  First of the bigrams it starts, in pairs
    uint32_t npairs;            //  Bigrams it starts
    uint16_t stem_len;          //  Bytes in the stem
    uint16_t known;             //  1 once worked out
} s_memo_t;

//  A stem in the current document: its entry in terms, if stamp is the
//  document's
typedef struct {
    uint32_t stamp;             //  Document stamp of slot
    int32_t slot;               //  Index in terms
} s_seen_t;

//  A term's count in the document, beside its idf (one cache line for both)
typedef struct {
    float count;                //  Weighted occurrences
    float idf;                  //  The vocabulary's idf
} s_term_t;

//  A bigram of the vocabulary, listed under its first stem
typedef struct {
    int32_t second;             //  Second stem's uid
    int32_t term;               //  Term index
} s_pair_t;

typedef struct {
    char language [16];         //  Primary subtag
    tokenizer_t *tokenizer;     //  Its tokenizer
    s_memo_t *memo;             //  Word id -> meaning
    size_t memo_size;           //  Entries in memo
    uint64_t memo_epoch;        //  Lexicon epoch of memo
    s_seen_t *seen;             //  Stem id -> where this document counts it
    size_t size;                //  Entries in seen
} s_lang_t;

struct _vectorizer_t {
    const vocab_t *vocab;       //  Borrowed vocabulary
    char language [16];         //  Default language
    int headline_weight;        //  Times a headline word counts
    lexicon_t *lexicon;         //  Words read
    lextext_t headline;         //  Scratch: words of vectorizer_text's headline
    lextext_t body;             //  Scratch: and of its body
    s_lang_t langs [VECTORIZER_LANGS];
    int nlangs;                 //  Languages in use
    s_term_t *counts;           //  Term index -> weighted count and idf
    VEC (int32_t) touched;      //  Terms counted in this document
    vectermv_t terms;           //  Content words of this document
    uint32_t stamp;             //  Current document stamp
    bool unsorted;              //  Skip sorting the output
    float logs [VECTORIZER_LOGS];   //  1 + ln k for whole counts k
    uint32_t *pair_first;       //  Uid -> its first bigram in pairs (uids + 1)
    size_t pair_uids;           //  Uids in pair_first (the vocabulary's when made)
    s_pair_t *pairs;            //  Bigrams by first stem, then by second
};

static int
s_pair_compare (const void *a, const void *b)
{
    const s_pair_t *x = (const s_pair_t *) a, *y = (const s_pair_t *) b;
    return x->second < y->second ? -1 : x->second > y->second;
}

//  List the vocabulary's bigrams under their first stems, so that a word
//  finds the bigrams it starts in one short sorted list
static void
s_index_pairs (vectorizer_t *self)
{
    const vocab_t *vocab = self->vocab;
    size_t nuids = strmap_size (vocab->stems);
    self->pair_uids = nuids;
    self->pair_first = (uint32_t *) xcalloc (nuids + 2, sizeof (uint32_t));
    self->pairs = (s_pair_t *) xmalloc ((u64map_size (vocab->bigrams) + 1) * sizeof (s_pair_t));
    size_t cursor = 0;
    uint64_t key;
    int32_t term;
    while (u64map_next (vocab->bigrams, &cursor, &key, &term))
        self->pair_first [(key >> 32) + 1]++;
    for (size_t u = 0; u < nuids; u++)
        self->pair_first [u + 1] += self->pair_first [u];
    uint32_t *fill = (uint32_t *) xmalloc ((nuids + 1) * sizeof (uint32_t));
    memcpy (fill, self->pair_first, (nuids + 1) * sizeof (uint32_t));
    cursor = 0;
    while (u64map_next (vocab->bigrams, &cursor, &key, &term)) {
        s_pair_t *pair = &self->pairs [fill [key >> 32]++];
        pair->second = (int32_t) (uint32_t) key;
        pair->term = term;
    }
    free (fill);
    for (size_t u = 0; u < nuids; u++)
        qsort (self->pairs + self->pair_first [u], self->pair_first [u + 1] - self->pair_first [u],
               sizeof (s_pair_t), s_pair_compare);
}

//  The term of the bigram (first, second), given first's list, or -1
static inline int32_t
s_pair_find (const s_pair_t *pairs, uint32_t n, int32_t second)
{
    //  The last pair not above second, by halving without a branch on the
    //  comparisons (whether a word's bigrams go one way or the other is a
    //  coin toss to the branch predictor)
    if (n == 0)
        return -1;
    const s_pair_t *base = pairs;
    while (n > 1) {
        uint32_t half = n / 2;
        base = base [half].second <= second ? base + half : base;
        n -= half;
    }
    return base->second == second ? base->term : -1;
}

vectorizer_t *
vectorizer_new (const vocab_t *vocab, const char *language, int headline_weight)
{
    vectorizer_t *self = (vectorizer_t *) xcalloc (1, sizeof (vectorizer_t));
    self->vocab = vocab;
    tokenizer_language_primary (language ? language : "en", self->language, sizeof self->language);
    self->headline_weight = headline_weight > 0 ? headline_weight : 1;
    size_t nterms = vocab_size (vocab);
    self->counts = (s_term_t *) xcalloc (nterms + 1, sizeof (s_term_t));
    for (size_t t = 0; t < nterms; t++)
        self->counts [t].idf = vocab_idf (vocab, (int32_t) t);
    self->lexicon = lexicon_new ();
    for (int k = 1; k < VECTORIZER_LOGS; k++)
        self->logs [k] = 1.0f + logf ((float) k);
    s_index_pairs (self);
    return self;
}

void
vectorizer_destroy (vectorizer_t **self_p)
{
    assert (self_p);
    vectorizer_t *self = *self_p;
    if (!self)
        return;
    for (int i = 0; i < self->nlangs; i++) {
        tokenizer_destroy (&self->langs [i].tokenizer);
        free (self->langs [i].memo);
        free (self->langs [i].seen);
    }
    lexicon_destroy (&self->lexicon);
    lextext_free (&self->headline);
    lextext_free (&self->body);
    free (self->counts);
    free (self->pair_first);
    free (self->pairs);
    free (self->touched.items);
    free (self->terms.items);
    free (self);
    *self_p = NULL;
}

static s_lang_t *
s_lang (vectorizer_t *self, const char *language)
{
    char primary [16];
    tokenizer_language_primary (str_empty (language) ? self->language : language,
                                primary, sizeof primary);
    for (int i = 0; i < self->nlangs; i++)
        if (strcmp (self->langs [i].language, primary) == 0)
            return &self->langs [i];
    if (self->nlangs == VECTORIZER_LANGS) {
        //  Too many languages: fall back to the default one
        if (strcmp (primary, self->language) == 0)
            return &self->langs [0];
        return s_lang (self, self->language);
    }
    s_lang_t *lang = &self->langs [self->nlangs++];
    memset (lang, 0, sizeof *lang);
    snprintf (lang->language, sizeof lang->language, "%s", primary);
    lang->tokenizer = tokenizer_new (primary);
    return lang;
}

void
vectorizer_set_sorted (vectorizer_t *self, bool sorted)
{
    self->unsorted = !sorted;
}

tokenizer_t *
vectorizer_tokenizer (vectorizer_t *self, const char *language)
{
    return s_lang (self, language)->tokenizer;
}

lexicon_t *
vectorizer_lexicon (vectorizer_t *self)
{
    if (lexicon_trim (self->lexicon, VECTORIZER_CACHE)) {
        //  Stem ids start again too: forget them and the per-stem slots
        for (int i = 0; i < self->nlangs; i++) {
            s_lang_t *lang = &self->langs [i];
            tokenizer_trim (lang->tokenizer, 0);
            if (lang->size)
                memset (lang->seen, 0, lang->size * sizeof (s_seen_t));
        }
    }
    return self->lexicon;
}

//  Work out what word id means in this language
static void
s_memo_fill (vectorizer_t *self, s_lang_t *lang, s_memo_t *memo, const lexword_t *word)
{
    size_t len;
    const char *text = lexicon_word (self->lexicon, word->id, &len);
    int32_t stem = tokenizer_stem_word (lang->tokenizer, text, len,
                                        (word->flags & LEX_NUMBER) != 0,
                                        (word->flags & LEX_ASCII) != 0);
    int32_t uid = -1;
    if (stem >= 0) {
        size_t stem_len;
        tokenizer_stem_text (lang->tokenizer, stem, &stem_len);
        memo->stem_len = (uint16_t) (stem_len > UINT16_MAX ? UINT16_MAX : stem_len);
        int32_t *tag = tokenizer_stem_tag (lang->tokenizer, stem);
        if (*tag == INT32_MIN) {
            size_t stem_len;
            const char *stem_text = tokenizer_stem_text (lang->tokenizer, stem, &stem_len);
            *tag = vocab_stem (self->vocab, stem_text, stem_len);
        }
        uid = *tag;
    }
    memo->stem = stem;
    memo->uid = uid;
    memo->unigram = uid >= 0 ? vocab_unigram (self->vocab, uid) : -1;
    if (uid >= 0 && (size_t) uid < self->pair_uids) {
        memo->pairs = self->pair_first [uid];
        memo->npairs = self->pair_first [uid + 1] - self->pair_first [uid];
    }
    memo->known = 1;
}

static inline void
s_count (vectorizer_t *self, int32_t index, float weight)
{
    //  The index is written whether or not the term is new, and kept (the
    //  length moves on) only if it is: no branch on it
    if (self->touched.len == self->touched.cap) {
        self->touched.cap = self->touched.cap ? self->touched.cap * 2 : 256;
        self->touched.items = (int32_t *) xrealloc (self->touched.items,
                                                    self->touched.cap * sizeof (int32_t));
    }
    float count = self->counts [index].count;
    self->touched.items [self->touched.len] = index;
    self->touched.len += count == 0;
    self->counts [index].count = count + weight;
}

//  Count the content words of one text, and the bigrams of adjacent ones
static void
s_text (vectorizer_t *self, s_lang_t *lang, const lextext_t *text, float weight,
        bool in_headline)
{
    //  The bigrams the previous word starts (none at a break)
    const s_pair_t *prev = NULL;
    uint32_t nprev = 0;
    const lexword_t *words = text->words.items;
    size_t count = text->words.len;
    //  Prefetch ahead: the memo of the word 16 on, and what the memo of the
    //  word 8 on points at (so that the cache misses overlap)
    for (size_t i = 0; i < count && i < 16; i++)
        __builtin_prefetch (&lang->memo [words [i].id]);
    for (size_t i = 0; i < count; i++) {
        const lexword_t *word = &words [i];
        if (i + 16 < count)
            __builtin_prefetch (&lang->memo [words [i + 16].id]);
        if (i + 8 < count) {
            const s_memo_t *ahead = &lang->memo [words [i + 8].id];
            if (ahead->known && ahead->stem >= 0) {
                if ((size_t) ahead->stem < lang->size)
                    __builtin_prefetch (&lang->seen [ahead->stem]);
                if (ahead->unigram >= 0)
                    __builtin_prefetch (&self->counts [ahead->unigram]);
            }
        }
        if (word->flags & LEX_SENTENCE)
            nprev = 0;
        s_memo_t *memo = &lang->memo [word->id];
        if (!memo->known)
            s_memo_fill (self, lang, memo, word);
        int32_t stem = memo->stem;
        if (stem < 0) {
            nprev = 0;
            continue;
        }
        int32_t uid = memo->uid;
        int32_t unigram = memo->unigram;
        //  Per-document statistics of the word
        if ((size_t) stem >= lang->size) {
            size_t size = lang->size ? lang->size : 1024;
            while (size <= (size_t) stem)
                size *= 2;
            lang->seen = (s_seen_t *) xrealloc (lang->seen, size * sizeof (s_seen_t));
            memset (lang->seen + lang->size, 0, (size - lang->size) * sizeof (s_seen_t));
            lang->size = size;
        }
        vecterm_t *term;
        s_seen_t *seen = &lang->seen [stem];
        if (seen->stamp == self->stamp)
            term = &self->terms.items [seen->slot];
        else {
            seen->stamp = self->stamp;
            seen->slot = (int32_t) self->terms.len;
            if (self->terms.len == self->terms.cap) {
                self->terms.cap = self->terms.cap ? self->terms.cap * 2 : 256;
                self->terms.items = (vecterm_t *) xrealloc (self->terms.items,
                                                            self->terms.cap * sizeof (vecterm_t));
            }
            term = &self->terms.items [self->terms.len++];
            term->uid = uid;
            term->tokenizer = lang->tokenizer;
            term->stem = stem;
            term->unigram = unigram;
            term->idf = unigram >= 0 ? self->counts [unigram].idf : 0;
            term->tf = 0;
            term->first = word->offset;
            term->length = word->length;
            term->stem_len = memo->stem_len;
            term->in_headline = in_headline;
        }
        term->tf += weight;
        if (uid >= 0) {
            if (unigram >= 0)
                s_count (self, unigram, weight);
            if (nprev) {
                int32_t bigram = s_pair_find (prev, nprev, uid);
                if (bigram >= 0)
                    s_count (self, bigram, weight);
            }
            prev = self->pairs + memo->pairs;
            nprev = memo->npairs;
        }
        else
            nprev = 0;
    }
}

float
vectorizer_log1 (const vectorizer_t *self, float count)
{
    if (count >= 1 && count < VECTORIZER_LOGS) {
        int whole = (int) count;
        if ((float) whole == count)
            return self->logs [whole];
    }
    return 1.0f + logf (count);
}

static int
s_int_compare (const void *a, const void *b)
{
    int32_t x = *(const int32_t *) a, y = *(const int32_t *) b;
    return x < y ? -1 : x > y;
}

void
vectorizer_words (vectorizer_t *self, const lextext_t *headline, const lextext_t *body,
                  const char *language, featv_t *out)
{
    out->len = 0;
    self->terms.len = 0;
    s_lang_t *lang = s_lang (self, language);
    lexicon_memo (self->lexicon, (void **) &lang->memo, &lang->memo_size, sizeof (s_memo_t),
                  &lang->memo_epoch);
    if (++self->stamp == 0) {
        for (int i = 0; i < self->nlangs; i++)
            if (self->langs [i].size)
                memset (self->langs [i].seen, 0, self->langs [i].size * sizeof (s_seen_t));
        self->stamp = 1;
    }
    if (headline)
        s_text (self, lang, headline, (float) self->headline_weight, true);
    if (body)
        s_text (self, lang, body, 1, false);

    //  Sublinear tf-idf, sorted by index, L2-normalised
    if (!self->unsorted)
        qsort (self->touched.items, self->touched.len, sizeof (int32_t), s_int_compare);
    size_t need = out->len + self->touched.len;
    if (need > out->cap) {
        out->cap = need + 64;
        out->items = (feat_t *) xrealloc (out->items, out->cap * sizeof (feat_t));
    }
    double norm = 0;
    for (size_t i = 0; i < self->touched.len; i++) {
        int32_t index = self->touched.items [i];
        float value = vectorizer_log1 (self, self->counts [index].count) * self->counts [index].idf;
        self->counts [index].count = 0;
        feat_t *feat = &out->items [out->len++];
        feat->index = index;
        feat->value = value;
        norm += (double) value * value;
    }
    self->touched.len = 0;
    if (norm > 0) {
        float scale = (float) (1.0 / sqrt (norm));
        for (size_t i = 0; i < out->len; i++)
            out->items [i].value *= scale;
    }
}

void
vectorizer_text (vectorizer_t *self, const char *headline, const char *body,
                 const char *language, featv_t *out)
{
    lexicon_t *lexicon = vectorizer_lexicon (self);
    lexicon_read (lexicon, headline, headline ? strlen (headline) : 0, &self->headline);
    lexicon_read (lexicon, body, body ? strlen (body) : 0, &self->body);
    vectorizer_words (self, &self->headline, &self->body, language, out);
}

char *
vectorizer_story_body (const story_t *story)
{
    buf_t buf;
    buf_init (&buf);
    char *text = xstrdup (vectorizer_story_text (story, &buf, NULL));
    buf_free (&buf);
    return text;
}

const char *
vectorizer_story_text (const story_t *story, buf_t *buf, size_t *body_from)
{
    buf_clear (buf);
    bool descriptions = false;
    for (size_t i = 0; i < story->descriptions.len; i++) {
        if (!str_empty (story->descriptions.items [i].value)) {
            buf_puts (buf, story->descriptions.items [i].value);
            buf_puts (buf, "\n\n");
            descriptions = true;
        }
    }
    const char *body = story_body (story);
    if (!body && story->bodies.len)
        body = story->bodies.items [0].value;
    if (body_from)
        *body_from = buf->size;
    if (!descriptions)
        return body ? body : "";
    if (body)
        buf_puts (buf, body);
    return buf->data;
}

void
vectorizer_story (vectorizer_t *self, const story_t *story, featv_t *out)
{
    buf_t buf;
    buf_init (&buf);
    const char *body = vectorizer_story_text (story, &buf, NULL);
    vectorizer_text (self, story_headline (story), body, story->language, out);
    buf_free (&buf);
}

const vectermv_t *
vectorizer_terms (vectorizer_t *self)
{
    return &self->terms;
}
