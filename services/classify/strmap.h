//  SPDX-License-Identifier: MIT
//  strmap - string → int and u64 → int hash tables for the classifier
//
//  Open addressing with linear probing, power-of-two capacity, grown at
//  half load. strmap_t copies its keys into an arena it owns, so callers may
//  pass borrowed bytes (a token inside a story). u64map_t keys pairs of term
//  ids (bigrams). Neither deletes single keys: they are cleared whole.

#ifndef COPYDESK_STRMAP_H
#define COPYDESK_STRMAP_H

typedef struct _strmap_t strmap_t;
typedef struct _u64map_t u64map_t;

//  Create an empty map. Caller owns it.
strmap_t *
    strmap_new (void);
//  Destroy and nullify. Safe on NULL.
void
    strmap_destroy (strmap_t **self_p);
//  Look up len bytes of key. Returns the value or -1 if absent.
int32_t
    strmap_get (strmap_t *self, const char *key, size_t len);
//  Index of key (0.. in insertion order), or -1 if absent.
int32_t
    strmap_find (strmap_t *self, const char *key, size_t len);
//  Insert key (copied) with value unless present. Returns the index of the
//  key (0.. in insertion order); *added says whether it was new.
int32_t
    strmap_intern (strmap_t *self, const char *key, size_t len, bool *added);
//  Value slot of the key at index (from strmap_intern), for the caller to set.
int32_t *
    strmap_value (strmap_t *self, int32_t index);
//  The key at index (NUL-terminated, owned by the map), and its length.
const char *
    strmap_key (strmap_t *self, int32_t index, size_t *len);
//  Keys held
size_t
    strmap_size (strmap_t *self);
//  Forget every key (the memory is kept for reuse).
void
    strmap_clear (strmap_t *self);
//  Hash of bytes (FNV-1a variant, 64-bit), exposed for callers that
//  combine hashes.
uint64_t
    strmap_hash (const char *key, size_t len);

//  Create an empty u64 → int map. Caller owns it.
u64map_t *
    u64map_new (void);
void
    u64map_destroy (u64map_t **self_p);
//  Value of key, or -1 if absent.
int32_t
    u64map_get (const u64map_t *self, uint64_t key);
//  Set key to value (value >= 0), replacing any earlier value.
void
    u64map_put (u64map_t *self, uint64_t key, int32_t value);
//  Pointer to the value of key, inserting it with value init when absent.
int32_t *
    u64map_ref (u64map_t *self, uint64_t key, int32_t init);
size_t
    u64map_size (const u64map_t *self);
//  Iterate: returns true and fills *key/*value for slot *cursor (start at 0).
bool
    u64map_next (const u64map_t *self, size_t *cursor, uint64_t *key, int32_t *value);

#endif
