//  SPDX-License-Identifier: MIT
//  strmap - open-addressing hash tables (see strmap.h)

#include "common.h"
#include "classify/strmap.h"

typedef struct {
    uint64_t hash;              //  Full hash, 0 = empty slot
    int32_t index;              //  Entry index
} s_slot_t;

typedef struct {
    uint32_t offset;            //  Key offset in the arena
    uint32_t len;               //  Key length in bytes
    int32_t value;              //  Caller's value
} s_entry_t;

struct _strmap_t {
    s_slot_t *slots;            //  Hash slots
    size_t mask;                //  Slots - 1
    VEC (s_entry_t) entries;    //  Entries in insertion order
    buf_t arena;                //  Keys, each NUL-terminated
};

uint64_t
strmap_hash (const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *p = (const unsigned char *) key;
    for (size_t i = 0; i < len; i++) {
        h ^= p [i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h ? h : 1;
}

//  --------------------------------------------------------------------------
//  Create an empty map with 64 slots.

strmap_t *
strmap_new (void)
{
    strmap_t *self = (strmap_t *) xcalloc (1, sizeof (strmap_t));
    self->mask = 63;
    self->slots = (s_slot_t *) xcalloc (self->mask + 1, sizeof (s_slot_t));
    buf_init (&self->arena);
    return self;
}

void
strmap_destroy (strmap_t **self_p)
{
    assert (self_p);
    strmap_t *self = *self_p;
    if (!self)
        return;
    free (self->slots);
    free (self->entries.items);
    buf_free (&self->arena);
    free (self);
    *self_p = NULL;
}

static void
s_strmap_grow (strmap_t *self)
{
    size_t size = (self->mask + 1) * 2;
    s_slot_t *slots = (s_slot_t *) xcalloc (size, sizeof (s_slot_t));
    for (size_t i = 0; i <= self->mask; i++) {
        if (!self->slots [i].hash)
            continue;
        size_t at = self->slots [i].hash & (size - 1);
        while (slots [at].hash)
            at = (at + 1) & (size - 1);
        slots [at] = self->slots [i];
    }
    free (self->slots);
    self->slots = slots;
    self->mask = size - 1;
}

static s_slot_t *
s_strmap_find (strmap_t *self, const char *key, size_t len, uint64_t hash)
{
    size_t at = hash & self->mask;
    while (self->slots [at].hash) {
        s_slot_t *slot = &self->slots [at];
        if (slot->hash == hash) {
            s_entry_t *entry = &self->entries.items [slot->index];
            if (entry->len == len && memcmp (self->arena.data + entry->offset, key, len) == 0)
                return slot;
        }
        at = (at + 1) & self->mask;
    }
    return &self->slots [at];
}

int32_t
strmap_get (strmap_t *self, const char *key, size_t len)
{
    s_slot_t *slot = s_strmap_find (self, key, len, strmap_hash (key, len));
    return slot->hash ? self->entries.items [slot->index].value : -1;
}

int32_t
strmap_find (strmap_t *self, const char *key, size_t len)
{
    s_slot_t *slot = s_strmap_find (self, key, len, strmap_hash (key, len));
    return slot->hash ? slot->index : -1;
}

int32_t
strmap_intern (strmap_t *self, const char *key, size_t len, bool *added)
{
    uint64_t hash = strmap_hash (key, len);
    s_slot_t *slot = s_strmap_find (self, key, len, hash);
    if (slot->hash) {
        if (added)
            *added = false;
        return slot->index;
    }
    assert (self->arena.size + len + 1 < UINT32_MAX);
    assert (self->entries.len < INT32_MAX);
    s_entry_t *entry = vec_push (&self->entries);
    entry->offset = (uint32_t) self->arena.size;
    entry->len = (uint32_t) len;
    entry->value = -1;
    buf_append (&self->arena, key, len);
    buf_putc (&self->arena, 0);
    slot->hash = hash;
    slot->index = (int32_t) (self->entries.len - 1);
    int32_t index = slot->index;
    if (self->entries.len * 2 > self->mask + 1)
        s_strmap_grow (self);
    if (added)
        *added = true;
    return index;
}

int32_t *
strmap_value (strmap_t *self, int32_t index)
{
    assert (index >= 0 && (size_t) index < self->entries.len);
    return &self->entries.items [index].value;
}

const char *
strmap_key (strmap_t *self, int32_t index, size_t *len)
{
    assert (index >= 0 && (size_t) index < self->entries.len);
    s_entry_t *entry = &self->entries.items [index];
    if (len)
        *len = entry->len;
    return self->arena.data + entry->offset;
}

size_t
strmap_size (strmap_t *self)
{
    return self->entries.len;
}

void
strmap_clear (strmap_t *self)
{
    memset (self->slots, 0, (self->mask + 1) * sizeof (s_slot_t));
    self->entries.len = 0;
    buf_clear (&self->arena);
}

//  --------------------------------------------------------------------------
//  u64map

typedef struct {
    uint64_t key;               //  Key + 1 (0 = empty slot)
    int32_t value;
} s_u64slot_t;

struct _u64map_t {
    s_u64slot_t *slots;         //  Slots
    size_t mask;                //  Slots - 1
    size_t size;                //  Keys held
};

static inline uint64_t
s_mix (uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

u64map_t *
u64map_new (void)
{
    u64map_t *self = (u64map_t *) xcalloc (1, sizeof (u64map_t));
    self->mask = 63;
    self->slots = (s_u64slot_t *) xcalloc (self->mask + 1, sizeof (s_u64slot_t));
    return self;
}

void
u64map_destroy (u64map_t **self_p)
{
    assert (self_p);
    u64map_t *self = *self_p;
    if (!self)
        return;
    free (self->slots);
    free (self);
    *self_p = NULL;
}

int32_t
u64map_get (const u64map_t *self, uint64_t key)
{
    uint64_t stored = key + 1;
    assert (stored);
    size_t at = s_mix (key) & self->mask;
    while (self->slots [at].key) {
        if (self->slots [at].key == stored)
            return self->slots [at].value;
        at = (at + 1) & self->mask;
    }
    return -1;
}

static void
s_u64map_grow (u64map_t *self)
{
    size_t size = (self->mask + 1) * 2;
    s_u64slot_t *slots = (s_u64slot_t *) xcalloc (size, sizeof (s_u64slot_t));
    for (size_t i = 0; i <= self->mask; i++) {
        if (!self->slots [i].key)
            continue;
        size_t at = s_mix (self->slots [i].key - 1) & (size - 1);
        while (slots [at].key)
            at = (at + 1) & (size - 1);
        slots [at] = self->slots [i];
    }
    free (self->slots);
    self->slots = slots;
    self->mask = size - 1;
}

int32_t *
u64map_ref (u64map_t *self, uint64_t key, int32_t init)
{
    uint64_t stored = key + 1;
    assert (stored);
    if ((self->size + 1) * 2 > self->mask + 1)
        s_u64map_grow (self);
    size_t at = s_mix (key) & self->mask;
    while (self->slots [at].key) {
        if (self->slots [at].key == stored)
            return &self->slots [at].value;
        at = (at + 1) & self->mask;
    }
    self->slots [at].key = stored;
    self->slots [at].value = init;
    self->size++;
    return &self->slots [at].value;
}

void
u64map_put (u64map_t *self, uint64_t key, int32_t value)
{
    *u64map_ref (self, key, value) = value;
}

size_t
u64map_size (const u64map_t *self)
{
    return self->size;
}

bool
u64map_next (const u64map_t *self, size_t *cursor, uint64_t *key, int32_t *value)
{
    while (*cursor <= self->mask) {
        s_u64slot_t *slot = &self->slots [(*cursor)++];
        if (slot->key) {
            *key = slot->key - 1;
            *value = slot->value;
            return true;
        }
    }
    return false;
}
