//  SPDX-License-Identifier: MIT
//  seqmap - sequence number to pointer hash map (see seqmap.h)

#include "common.h"
#include "broker/seqmap.h"

#define SEQMAP_MIN_CAP 64

typedef struct {
    uint64_t seq;               //  0 = empty slot
    void *value;
} slot_t;

struct _seqmap_t {
    slot_t *slots;              //  cap slots, cap a power of two
    size_t cap;
    size_t size;                //  Slots in use
    int shift;                  //  64 - log2 (cap)
};

//  Fibonacci hashing spreads consecutive sequence numbers over the table
static inline size_t
s_home (seqmap_t *self, uint64_t seq)
{
    return (size_t) ((seq * 0x9E3779B97F4A7C15ull) >> self->shift);
}

static void
s_resize (seqmap_t *self, size_t cap)
{
    slot_t *old = self->slots;
    size_t old_cap = self->cap;
    self->slots = (slot_t *) xcalloc (cap, sizeof (slot_t));
    self->cap = cap;
    self->shift = 64 - __builtin_ctzll (cap);
    self->size = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old [i].seq)
            seqmap_put (self, old [i].seq, old [i].value);
    free (old);
}

//  --------------------------------------------------------------------------
//  Create an empty map

seqmap_t *
seqmap_new (void)
{
    seqmap_t *self = (seqmap_t *) xcalloc (1, sizeof (seqmap_t));
    self->cap = SEQMAP_MIN_CAP;
    self->shift = 64 - __builtin_ctzll (SEQMAP_MIN_CAP);
    self->slots = (slot_t *) xcalloc (self->cap, sizeof (slot_t));
    return self;
}

//  --------------------------------------------------------------------------
//  Destroy the map; the values belong to the caller

void
seqmap_destroy (seqmap_t **self_p)
{
    assert (self_p);
    seqmap_t *self = *self_p;
    if (!self)
        return;
    free (self->slots);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Insert or replace

void
seqmap_put (seqmap_t *self, uint64_t seq, void *value)
{
    assert (seq && value);
    if ((self->size + 1) * 2 > self->cap)
        s_resize (self, self->cap * 2);
    size_t mask = self->cap - 1;
    for (size_t i = s_home (self, seq); ; i = (i + 1) & mask) {
        if (self->slots [i].seq == seq) {
            self->slots [i].value = value;
            return;
        }
        if (self->slots [i].seq == 0) {
            self->slots [i].seq = seq;
            self->slots [i].value = value;
            self->size++;
            return;
        }
    }
}

//  --------------------------------------------------------------------------
//  Look up

void *
seqmap_get (seqmap_t *self, uint64_t seq)
{
    if (seq == 0)
        return NULL;
    size_t mask = self->cap - 1;
    for (size_t i = s_home (self, seq); self->slots [i].seq; i = (i + 1) & mask)
        if (self->slots [i].seq == seq)
            return self->slots [i].value;
    return NULL;
}

//  --------------------------------------------------------------------------
//  Remove, shifting later members of the probe run back into the hole

void *
seqmap_remove (seqmap_t *self, uint64_t seq)
{
    if (seq == 0)
        return NULL;
    size_t mask = self->cap - 1;
    size_t i = s_home (self, seq);
    while (self->slots [i].seq != seq) {
        if (self->slots [i].seq == 0)
            return NULL;
        i = (i + 1) & mask;
    }
    void *value = self->slots [i].value;
    size_t hole = i;
    for (size_t j = (i + 1) & mask; self->slots [j].seq; j = (j + 1) & mask) {
        size_t home = s_home (self, self->slots [j].seq);
        //  The entry at j may move into the hole if its home is not in (hole, j]
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            self->slots [hole] = self->slots [j];
            hole = j;
        }
    }
    self->slots [hole].seq = 0;
    self->slots [hole].value = NULL;
    self->size--;
    if (self->cap > SEQMAP_MIN_CAP && self->size * 8 < self->cap)
        s_resize (self, self->cap / 2);
    return value;
}

//  --------------------------------------------------------------------------
//  Number of entries

size_t
seqmap_size (seqmap_t *self)
{
    return self->size;
}

//  --------------------------------------------------------------------------
//  Iterate over all entries in table order

void *
seqmap_next (seqmap_t *self, size_t *cursor, uint64_t *seq)
{
    while (*cursor < self->cap) {
        slot_t *slot = &self->slots [(*cursor)++];
        if (slot->seq) {
            if (seq)
                *seq = slot->seq;
            return slot->value;
        }
    }
    return NULL;
}
