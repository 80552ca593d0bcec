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
#define VECTORIZER_CACHE 400000     //  Surface words cached per tokenizer

//  What a surface word means to this vocabulary, cached so that a word seen
//  before costs one probe of one cache line. Entries are told apart by a
//  64-bit hash, the length and the first 8 bytes: a collision needs all
//  three, and could only change the features of the story that forged it.
typedef struct {
    uint64_t hash;              //  Hash of the folded word, 0 = empty slot
    uint64_t prefix;            //  Its first 8 bytes (checked with the length)
    uint32_t len;               //  Its length
    int32_t stem;               //  Tokenizer stem id, -1 if no content term
    int32_t uid;                //  Vocabulary stem id, -1 if unknown
    int32_t unigram;            //  Unigram term index, -1 if none
} s_surface_t;

typedef struct {
    char language [16];         //  Primary subtag
    tokenizer_t *tokenizer;     //  Its tokenizer
    s_surface_t *surface;       //  Surface cache (open addressing)
    size_t surface_mask;        //  Slots - 1
    size_t surface_count;       //  Words cached
    uint32_t *stamp;            //  Stem id -> document stamp of slot
    int32_t *slot;              //  Stem id -> index in terms (when stamped)
    size_t size;                //  Entries in stamp/slot
} s_lang_t;

struct _vectorizer_t {
    const vocab_t *vocab;       //  Borrowed vocabulary
    char language [16];         //  Default language
    int headline_weight;        //  Times a headline word counts
    s_lang_t langs [VECTORIZER_LANGS];
    int nlangs;                 //  Languages in use
    float *counts;              //  Term index -> weighted count
    VEC (int32_t) touched;      //  Terms counted in this document
    vectermv_t terms;           //  Content words of this document
    uint32_t stamp;             //  Current document stamp
    bool unsorted;              //  Skip sorting the output
    token_fn *observer;         //  Sees every word, or NULL
    void *observer_arg;
};

vectorizer_t *
vectorizer_new (const vocab_t *vocab, const char *language, int headline_weight)
{
    vectorizer_t *self = (vectorizer_t *) xcalloc (1, sizeof (vectorizer_t));
    self->vocab = vocab;
    tokenizer_language_primary (language ? language : "en", self->language, sizeof self->language);
    self->headline_weight = headline_weight > 0 ? headline_weight : 1;
    self->counts = (float *) xcalloc (vocab_size (vocab) + 1, sizeof (float));
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
        free (self->langs [i].surface);
        free (self->langs [i].stamp);
        free (self->langs [i].slot);
    }
    free (self->counts);
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
    lang->surface_mask = 4095;
    lang->surface = (s_surface_t *) xcalloc (lang->surface_mask + 1, sizeof (s_surface_t));
    return lang;
}

void
vectorizer_set_observer (vectorizer_t *self, token_fn *fn, void *arg)
{
    self->observer = fn;
    self->observer_arg = arg;
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

typedef struct {
    vectorizer_t *self;
    s_lang_t *lang;
    float weight;               //  Count of one occurrence
    bool in_headline;
    int32_t prev;               //  Previous stem's uid, -1 at a break
} s_text_ctx_t;

static inline void
s_count (vectorizer_t *self, int32_t index, float weight)
{
    if (self->counts [index] == 0)
        *vec_push (&self->touched) = index;
    self->counts [index] += weight;
}

static int
s_text_word (void *arg, const token_t *token)
{
    s_text_ctx_t *ctx = (s_text_ctx_t *) arg;
    vectorizer_t *self = ctx->self;
    s_lang_t *lang = ctx->lang;
    if (self->observer)
        self->observer (self->observer_arg, token);
    if (token->sentence)
        ctx->prev = -1;
    //  The surface cache first; the tokenizer and vocabulary on a miss
    uint64_t hash = strmap_hash (token->word, token->len);
    uint64_t prefix = 0;
    memcpy (&prefix, token->word, token->len < 8 ? token->len : 8);
    size_t at = hash & lang->surface_mask;
    s_surface_t *entry = &lang->surface [at];
    s_surface_t copy;                   //  The entry, when the table moved
    while (entry->hash && !(entry->hash == hash && entry->len == token->len
                            && entry->prefix == prefix)) {
        at = (at + 1) & lang->surface_mask;
        entry = &lang->surface [at];
    }
    if (!entry->hash) {
        int32_t stem = tokenizer_stem_id (lang->tokenizer, token);
        int32_t uid = -1;
        if (stem >= 0) {
            int32_t *tag = tokenizer_stem_tag (lang->tokenizer, stem);
            if (*tag == INT32_MIN) {
                size_t len;
                const char *text = tokenizer_stem_text (lang->tokenizer, stem, &len);
                *tag = vocab_stem (self->vocab, text, len);
            }
            uid = *tag;
        }
        entry->hash = hash;
        entry->prefix = prefix;
        entry->len = (uint32_t) token->len;
        entry->stem = stem;
        entry->uid = uid;
        entry->unigram = uid >= 0 ? vocab_unigram (self->vocab, uid) : -1;
        if (++lang->surface_count * 2 > lang->surface_mask + 1) {
            //  Grow: rehash every entry
            size_t size = (lang->surface_mask + 1) * 2;
            s_surface_t *slots = (s_surface_t *) xcalloc (size, sizeof (s_surface_t));
            copy = *entry;
            for (size_t i = 0; i <= lang->surface_mask; i++) {
                if (!lang->surface [i].hash)
                    continue;
                size_t to = lang->surface [i].hash & (size - 1);
                while (slots [to].hash)
                    to = (to + 1) & (size - 1);
                slots [to] = lang->surface [i];
            }
            free (lang->surface);
            lang->surface = slots;
            lang->surface_mask = size - 1;
            entry = &copy;
        }
    }
    int32_t stem = entry->stem;
    if (stem < 0) {
        ctx->prev = -1;
        return 0;
    }
    int32_t uid = entry->uid;
    int32_t unigram = entry->unigram;
    //  Per-document statistics of the word
    if ((size_t) stem >= lang->size) {
        size_t size = lang->size ? lang->size : 1024;
        while (size <= (size_t) stem)
            size *= 2;
        lang->stamp = (uint32_t *) xrealloc (lang->stamp, size * sizeof (uint32_t));
        lang->slot = (int32_t *) xrealloc (lang->slot, size * sizeof (int32_t));
        memset (lang->stamp + lang->size, 0, (size - lang->size) * sizeof (uint32_t));
        lang->size = size;
    }
    vecterm_t *term;
    if (lang->stamp [stem] == self->stamp)
        term = &self->terms.items [lang->slot [stem]];
    else {
        lang->stamp [stem] = self->stamp;
        lang->slot [stem] = (int32_t) self->terms.len;
        term = vec_push (&self->terms);
        term->uid = uid;
        term->tokenizer = lang->tokenizer;
        term->stem = stem;
        term->first = (uint32_t) token->offset;
        term->length = (uint16_t) (token->length > UINT16_MAX ? UINT16_MAX : token->length);
        term->in_headline = ctx->in_headline;
    }
    term->tf += ctx->weight;
    if (uid >= 0) {
        if (unigram >= 0)
            s_count (self, unigram, ctx->weight);
        if (ctx->prev >= 0) {
            int32_t bigram = vocab_bigram (self->vocab, ctx->prev, uid);
            if (bigram >= 0)
                s_count (self, bigram, ctx->weight);
        }
    }
    ctx->prev = uid;
    return 0;
}

static int
s_int_compare (const void *a, const void *b)
{
    int32_t x = *(const int32_t *) a, y = *(const int32_t *) b;
    return x < y ? -1 : x > y;
}

void
vectorizer_text (vectorizer_t *self, const char *headline, const char *body,
                 const char *language, featv_t *out)
{
    out->len = 0;
    self->terms.len = 0;
    s_lang_t *lang = s_lang (self, language);
    if (tokenizer_trim (lang->tokenizer, VECTORIZER_CACHE)) {
        //  Stem ids start again: forget the per-stem slots and the cache
        if (lang->size)
            memset (lang->stamp, 0, lang->size * sizeof (uint32_t));
        memset (lang->surface, 0, (lang->surface_mask + 1) * sizeof (s_surface_t));
        lang->surface_count = 0;
    }
    if (++self->stamp == 0) {
        for (int i = 0; i < self->nlangs; i++)
            if (self->langs [i].size)
                memset (self->langs [i].stamp, 0, self->langs [i].size * sizeof (uint32_t));
        self->stamp = 1;
    }
    s_text_ctx_t ctx = { self, lang, (float) self->headline_weight, true, -1 };
    if (headline)
        tokenize (headline, strlen (headline), s_text_word, &ctx);
    ctx.weight = 1;
    ctx.in_headline = false;
    ctx.prev = -1;
    if (self->observer)
        self->observer (self->observer_arg, NULL);
    if (body)
        tokenize (body, strlen (body), s_text_word, &ctx);

    //  Sublinear tf-idf, sorted by index, L2-normalised
    if (!self->unsorted)
        qsort (self->touched.items, self->touched.len, sizeof (int32_t), s_int_compare);
    double norm = 0;
    for (size_t i = 0; i < self->touched.len; i++) {
        int32_t index = self->touched.items [i];
        float value = (1.0f + logf (self->counts [index])) * vocab_idf (self->vocab, index);
        self->counts [index] = 0;
        feat_t *feat = vec_push (out);
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

char *
vectorizer_story_body (const story_t *story)
{
    buf_t buf;
    buf_init (&buf);
    for (size_t i = 0; i < story->descriptions.len; i++) {
        if (!str_empty (story->descriptions.items [i].value)) {
            buf_puts (&buf, story->descriptions.items [i].value);
            buf_puts (&buf, "\n\n");
        }
    }
    const char *body = story_body (story);
    if (!body && story->bodies.len)
        body = story->bodies.items [0].value;
    if (body)
        buf_puts (&buf, body);
    return buf_detach (&buf);
}

void
vectorizer_story (vectorizer_t *self, const story_t *story, featv_t *out)
{
    char *body = vectorizer_story_body (story);
    vectorizer_text (self, story_headline (story), body, story->language, out);
    free (body);
}

const vectermv_t *
vectorizer_terms (vectorizer_t *self)
{
    return &self->terms;
}
