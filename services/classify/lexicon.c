//  SPDX-License-Identifier: MIT
//  lexicon - interned words and the words of a text (see lexicon.h)

#include "common.h"
#include "classify/lexicon.h"
#include "classify/split.h"
#include "classify/table.h"
#include <stdatomic.h>

//  One slot of the table: 32 bytes, two to a cache line, with the first 16
//  bytes of the word inline, so that most look-ups read one line (words
//  come Zipf-distributed: the slots of the few hundred that make most of a
//  story stay in the cache; a rare word costs one miss, not two)
typedef struct {
    uint64_t key [2];           //  The first 16 bytes of the word, zero padded
    uint32_t tag;               //  High 32 bits of the hash
    uint32_t len;               //  Bytes in the word
    uint32_t offset;            //  Word in the arena
    int32_t id1;                //  Id + 1, 0 = empty slot
} s_slot_t;

struct _lexicon_t {
    s_slot_t *slots;            //  Open addressing, linear probing
    size_t mask;                //  Slots - 1
    VEC (uint32_t) offsets;     //  Id -> word in the arena
    VEC (uint32_t) lens;        //  Id -> bytes in the word
    buf_t arena;                //  Words, each followed by 8 NUL bytes
    uint64_t epoch;             //  Current epoch
    VEC (struct _s_pending_t) pending;  //  Scratch: words of the text being read
    buf_t longer;               //  Scratch: their words of more than 16 bytes
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
    self->slots = (s_slot_t *) table_alloc ((self->mask + 1) * sizeof (s_slot_t));
    buf_init (&self->arena);
    buf_init (&self->longer);
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
    free (self->offsets.items);
    free (self->lens.items);
    buf_free (&self->arena);
    free (self->pending.items);
    buf_free (&self->longer);
    free (self);
    *self_p = NULL;
}

//  Double the table and put every word back
static void
s_grow (lexicon_t *self)
{
    size_t size = (self->mask + 1) * 2;
    s_slot_t *slots = (s_slot_t *) table_alloc (size * sizeof (s_slot_t));
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

//  The first 16 bytes of a word, zero padded
static inline void
s_head (const char *word, size_t len, uint64_t head [2])
{
    head [0] = head [1] = 0;
    memcpy (head, word, len < 16 ? len : 16);
}

//  The slot of a word (head: its first 16 bytes, zero padded): its own, or
//  the empty one where it would go
static inline s_slot_t *
s_probe (const lexicon_t *self, const char *word, size_t len, uint64_t hash,
         const uint64_t head [2])
{
    uint32_t tag = (uint32_t) (hash >> 32);
    size_t at = hash & self->mask;
    for (;;) {
        s_slot_t *slot = &self->slots [at];
        if (!slot->id1)
            return slot;
        if (slot->tag == tag && slot->len == len
        &&  slot->key [0] == head [0] && slot->key [1] == head [1]
        &&  (len <= 16
          || memcmp (self->arena.data + slot->offset + 16, word + 16, len - 16) == 0))
            return slot;
        at = (at + 1) & self->mask;
    }
}

//  The id of a word, added if new
static inline int32_t
s_intern (lexicon_t *self, const char *word, size_t len, uint64_t hash, const uint64_t head [2])
{
    s_slot_t *slot = s_probe (self, word, len, hash, head);
    if (slot->id1)
        return slot->id1 - 1;
    assert (self->arena.size + len + 8 < UINT32_MAX);
    assert (self->offsets.len < INT32_MAX - 1);
    int32_t id = (int32_t) self->offsets.len;
    slot->key [0] = head [0];
    slot->key [1] = head [1];
    slot->tag = (uint32_t) (hash >> 32);
    slot->len = (uint32_t) len;
    slot->offset = (uint32_t) self->arena.size;
    slot->id1 = id + 1;
    *vec_push (&self->offsets) = (uint32_t) self->arena.size;
    *vec_push (&self->lens) = (uint32_t) len;
    static const char zeros [8] = { 0 };
    buf_append (&self->arena, word, len);
    buf_append (&self->arena, zeros, 8);
    //  Grown at 70% full: linear probing stays short, and slots stay dense
    if (self->offsets.len * 10 > (self->mask + 1) * 7)
        s_grow (self);
    return id;
}

int32_t
lexicon_intern (lexicon_t *self, const char *word, size_t len, uint64_t hash)
{
    uint64_t head [2];
    s_head (word, len, head);
    return s_intern (self, word, len, hash, head);
}

int32_t
lexicon_find (const lexicon_t *self, const char *word, size_t len)
{
    uint64_t head [2];
    s_head (word, len, head);
    s_slot_t *slot = s_probe (self, word, len, tokenize_hash (word, len), head);
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
    self->offsets.len = 0;
    self->lens.len = 0;
    buf_clear (&self->arena);
    self->epoch = s_new_epoch ();
    return true;
}

//  --------------------------------------------------------------------------
//  Reading a text

//  A word read, waiting for its id
typedef struct _s_pending_t {
    uint64_t head [2];          //  Its first 16 bytes, zero padded
    uint64_t hash;              //  Its hash
    uint32_t at;                //  Longer than 16 bytes: where it is in longer
    uint32_t len;               //  Its bytes
} s_pending_t;

typedef struct {
    lexicon_t *self;
    lextext_t *out;
    size_t prev_end;            //  End of the previous word
} s_read_t;

//  A word of the text: its place and shape now, its id once the text is
//  read (its slot is prefetched meanwhile)
static inline int
s_read_word (void *arg, const token_t *token)
{
    s_read_t *ctx = (s_read_t *) arg;
    lexicon_t *self = ctx->self;
    lextext_t *out = ctx->out;
    lexwordv_t *words = &out->words;
    if (words->len == words->cap) {
        words->cap = words->cap ? words->cap * 2 : 256;
        words->items = (lexword_t *) xrealloc (words->items, words->cap * sizeof (lexword_t));
    }
    if (words->len == self->pending.cap) {
        self->pending.cap = self->pending.cap ? self->pending.cap * 2 : 256;
        self->pending.items = (s_pending_t *) xrealloc (self->pending.items,
                                                        self->pending.cap * sizeof (s_pending_t));
    }
    s_pending_t *pending = &self->pending.items [words->len];
    pending->head [0] = token->head [0];
    pending->head [1] = token->head [1];
    pending->hash = token->hash;
    pending->len = (uint32_t) token->len;
    if (token->len > 16) {
        pending->at = (uint32_t) self->longer.size;
        buf_append (&self->longer, token->word, token->len);
    }
    __builtin_prefetch (&self->slots [token->hash & self->mask]);
    lexword_t *word = &words->items [words->len++];
    word->offset = (uint32_t) token->offset;
    word->length = (uint16_t) (token->length > UINT16_MAX ? UINT16_MAX : token->length);
    word->len = (uint16_t) token->len;
    uint8_t flags = (token->capital ? LEX_CAPITAL : 0) | (token->upper ? LEX_UPPER : 0)
                  | (token->number ? LEX_NUMBER : 0) | (token->sentence ? LEX_SENTENCE : 0)
                  | (token->ascii ? LEX_ASCII : 0)
                  | ((unsigned) ((token->word [0] | 0x20) - 'a') < 26 ? LEX_ALPHA : 0);
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
    //  First the words (issuing a prefetch of each one's slot), then their
    //  ids: the slots' cache misses overlap instead of coming one by one
    buf_clear (&self->longer);
    s_read_t ctx = { self, out, 0 };
    tokenize_stats_t stats;
    split_text (text, len, s_read_word, &ctx, &stats);
    out->upper = stats.upper;
    out->lower = stats.lower;
    for (size_t i = 0; i < out->words.len; i++) {
        s_pending_t *pending = &self->pending.items [i];
        const char *word = pending->len <= 16 ? (const char *) pending->head
                                              : self->longer.data + pending->at;
        out->words.items [i].id = s_intern (self, word, pending->len, pending->hash,
                                            pending->head);
    }
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
