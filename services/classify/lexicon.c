//  SPDX-License-Identifier: MIT
//  lexicon - interned words and the words of a text (see lexicon.h)

#include "common.h"
#include "classify/lexicon.h"
#include "classify/split.h"
#include <stdatomic.h>

//  One slot of the table: 16 bytes, so four share a cache line
typedef struct {
    uint32_t tag;               //  High 32 bits of the hash
    uint32_t len;               //  Bytes in the word
    uint32_t offset;            //  Word in the arena
    int32_t id1;                //  Id + 1, 0 = empty slot
} s_slot_t;

//  The hot cache: direct-mapped by hash, one slot a word of at most 16
//  bytes, its key inline. Words come Zipf-distributed (a few hundred make
//  most of a story), so most look-ups end here, in one cache line, instead
//  of missing twice (table slot, then arena) in a table of megabytes.
#define LEXICON_HOT 4096

typedef struct {
    uint64_t hash;              //  Full hash
    uint64_t key [2];           //  The word, zero padded
    uint32_t len;               //  Its bytes, 0 = empty slot
    int32_t id;                 //  Its id
} s_hot_t;

struct _lexicon_t {
    s_hot_t *hot;               //  Hot cache (LEXICON_HOT slots)
    s_slot_t *slots;            //  Open addressing, linear probing
    size_t mask;                //  Slots - 1
    VEC (uint32_t) offsets;     //  Id -> word in the arena
    VEC (uint32_t) lens;        //  Id -> bytes in the word
    buf_t arena;                //  Words, each followed by 8 NUL bytes
    uint64_t epoch;             //  Current epoch
};

//  Epochs are handed out process-wide, so no two lexicons share one
static atomic_uint_fast64_t s_epochs = 1;

static uint64_t
s_new_epoch (void)
{
    return (uint64_t) atomic_fetch_add (&s_epochs, 1);
}

//  --------------------------------------------------------------------------
//  Create an empty lexicon of 1024 slots.

lexicon_t *
lexicon_new (void)
{
    lexicon_t *self = (lexicon_t *) xcalloc (1, sizeof (lexicon_t));
    self->mask = 1023;
    self->slots = (s_slot_t *) xcalloc (self->mask + 1, sizeof (s_slot_t));
    self->hot = (s_hot_t *) xcalloc (LEXICON_HOT, sizeof (s_hot_t));
    buf_init (&self->arena);
    self->epoch = s_new_epoch ();
    return self;
}

void
lexicon_destroy (lexicon_t **self_p)
{
    assert (self_p);
    lexicon_t *self = *self_p;
    if (!self)
        return;
    free (self->slots);
    free (self->hot);
    free (self->offsets.items);
    free (self->lens.items);
    buf_free (&self->arena);
    free (self);
    *self_p = NULL;
}

//  Double the table and put every word back
static void
s_grow (lexicon_t *self)
{
    size_t size = (self->mask + 1) * 2;
    s_slot_t *slots = (s_slot_t *) xcalloc (size, sizeof (s_slot_t));
    for (size_t i = 0; i <= self->mask; i++) {
        s_slot_t *slot = &self->slots [i];
        if (!slot->id1)
            continue;
        const char *word = self->arena.data + slot->offset;
        size_t at = tokenize_hash (word, slot->len) & (size - 1);
        while (slots [at].id1)
            at = (at + 1) & (size - 1);
        slots [at] = *slot;
    }
    free (self->slots);
    self->slots = slots;
    self->mask = size - 1;
}

//  Are len bytes at a (in the arena: 8 zero bytes follow) equal to word?
//  padded: word too is followed by 8 readable zero bytes (a token's word),
//  so short words compare as one or two 64-bit loads
static inline bool
s_equal (const char *a, const char *word, size_t len, bool padded)
{
    if (padded && len <= 16) {
        uint64_t x, y;
        memcpy (&x, a, 8);
        memcpy (&y, word, 8);
        if (x != y)
            return false;
        if (len <= 8)
            return true;
        memcpy (&x, a + 8, 8);
        memcpy (&y, word + 8, 8);
        return x == y;
    }
    return memcmp (a, word, len) == 0;
}

//  The slot of a word: its own, or the empty one where it would go
static inline s_slot_t *
s_probe (const lexicon_t *self, const char *word, size_t len, uint64_t hash, bool padded)
{
    uint32_t tag = (uint32_t) (hash >> 32);
    size_t at = hash & self->mask;
    for (;;) {
        s_slot_t *slot = &self->slots [at];
        if (!slot->id1
        ||  (slot->tag == tag && slot->len == len
          && s_equal (self->arena.data + slot->offset, word, len, padded)))
            return slot;
        at = (at + 1) & self->mask;
    }
}

//  The id of a word, added if new
static inline int32_t
s_intern (lexicon_t *self, const char *word, size_t len, uint64_t hash, bool padded)
{
    s_slot_t *slot = s_probe (self, word, len, hash, padded);
    if (slot->id1)
        return slot->id1 - 1;
    assert (self->arena.size + len + 8 < UINT32_MAX);
    assert (self->offsets.len < INT32_MAX - 1);
    int32_t id = (int32_t) self->offsets.len;
    slot->tag = (uint32_t) (hash >> 32);
    slot->len = (uint32_t) len;
    slot->offset = (uint32_t) self->arena.size;
    slot->id1 = id + 1;
    *vec_push (&self->offsets) = (uint32_t) self->arena.size;
    *vec_push (&self->lens) = (uint32_t) len;
    static const char zeros [8] = { 0 };
    buf_append (&self->arena, word, len);
    buf_append (&self->arena, zeros, 8);
    if (self->offsets.len * 2 > self->mask + 1)
        s_grow (self);
    return id;
}

int32_t
lexicon_intern (lexicon_t *self, const char *word, size_t len, uint64_t hash)
{
    return s_intern (self, word, len, hash, false);
}

int32_t
lexicon_find (const lexicon_t *self, const char *word, size_t len)
{
    s_slot_t *slot = s_probe (self, word, len, tokenize_hash (word, len), false);
    return slot->id1 - 1;
}

const char *
lexicon_word (const lexicon_t *self, int32_t id, size_t *len)
{
    assert (id >= 0 && (size_t) id < self->offsets.len);
    if (len)
        *len = self->lens.items [id];
    return self->arena.data + self->offsets.items [id];
}

size_t
lexicon_size (const lexicon_t *self)
{
    return self->offsets.len;
}

uint64_t
lexicon_epoch (const lexicon_t *self)
{
    return self->epoch;
}

bool
lexicon_trim (lexicon_t *self, size_t max)
{
    if (self->offsets.len <= max)
        return false;
    memset (self->slots, 0, (self->mask + 1) * sizeof (s_slot_t));
    memset (self->hot, 0, LEXICON_HOT * sizeof (s_hot_t));
    self->offsets.len = 0;
    self->lens.len = 0;
    buf_clear (&self->arena);
    self->epoch = s_new_epoch ();
    return true;
}

//  --------------------------------------------------------------------------
//  Reading a text

typedef struct {
    lexicon_t *self;
    lextext_t *out;
    size_t prev_end;            //  End of the previous word
} s_read_t;

static inline int
s_read_word (void *arg, const token_t *token)
{
    s_read_t *ctx = (s_read_t *) arg;
    lextext_t *out = ctx->out;
    lexwordv_t *words = &out->words;
    if (words->len == words->cap) {
        words->cap = words->cap ? words->cap * 2 : 256;
        words->items = (lexword_t *) xrealloc (words->items, words->cap * sizeof (lexword_t));
    }
    lexword_t *word = &words->items [words->len++];
    s_hot_t *hot = &ctx->self->hot [token->hash & (LEXICON_HOT - 1)];
    if (hot->hash == token->hash && hot->len == token->len
    &&  hot->key [0] == token->head [0] && hot->key [1] == token->head [1])
        word->id = hot->id;
    else {
        word->id = s_intern (ctx->self, token->word, token->len, token->hash, true);
        if (token->len <= 16) {
            hot->hash = token->hash;
            hot->key [0] = token->head [0];
            hot->key [1] = token->head [1];
            hot->len = (uint32_t) token->len;
            hot->id = word->id;
        }
    }
    word->offset = (uint32_t) token->offset;
    word->length = (uint16_t) (token->length > UINT16_MAX ? UINT16_MAX : token->length);
    word->len = (uint16_t) token->len;
    uint8_t flags = (token->capital ? LEX_CAPITAL : 0) | (token->upper ? LEX_UPPER : 0)
                  | (token->number ? LEX_NUMBER : 0) | (token->sentence ? LEX_SENTENCE : 0)
                  | (token->ascii ? LEX_ASCII : 0);
    const char *text = out->text;
    for (size_t i = ctx->prev_end; i < token->offset; i++)
        if (text [i] == ',') {
            flags |= LEX_COMMA;
            break;
        }
    word->flags = flags;
    ctx->prev_end = token->offset + token->length;
    return 0;
}

void
lexicon_read (lexicon_t *self, const char *text, size_t len, lextext_t *out)
{
    out->text = text;
    out->size = text ? len : 0;
    out->words.len = 0;
    out->upper = 0;
    out->lower = 0;
    if (!text)
        return;
    //  Word offsets are 32 bits: a text is read up to 4 GB (none is that big)
    if (len > UINT32_MAX - 1)
        len = UINT32_MAX - 1;
    s_read_t ctx = { self, out, 0 };
    tokenize_stats_t stats;
    split_text (text, len, s_read_word, &ctx, &stats);
    out->upper = stats.upper;
    out->lower = stats.lower;
}

void
lextext_free (lextext_t *self)
{
    free (self->words.items);
    memset (self, 0, sizeof *self);
}

//  --------------------------------------------------------------------------
//  Memos: arrays indexed by word id, zeroed for a new epoch.

void
lexicon_memo (const lexicon_t *self, void **memo, size_t *size, size_t elem, uint64_t *epoch)
{
    if (*epoch != self->epoch) {
        if (*size)
            memset (*memo, 0, *size * elem);
        *epoch = self->epoch;
    }
    size_t want = self->offsets.len;
    if (want <= *size)
        return;
    size_t grown = *size ? *size : 1024;
    while (grown < want)
        grown *= 2;
    *memo = xrealloc (*memo, grown * elem);
    memset ((char *) *memo + *size * elem, 0, (grown - *size) * elem);
    *size = grown;
}
