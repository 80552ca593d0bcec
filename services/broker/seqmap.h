//  SPDX-License-Identifier: MIT
//  seqmap - a hash map from 64-bit sequence numbers to pointers
//
//  The broker settles a message by its sequence number in O(1): every
//  message it holds (queued or in flight) is in one seqmap. Open addressing
//  with linear probing and backward-shift deletion, so there are no
//  tombstones and lookups stay short however many messages come and go.
//  The table grows at half load and shrinks when mostly empty, so memory
//  follows the number of messages held. Key 0 is reserved (never a seq).

#ifndef COPYDESK_SEQMAP_H
#define COPYDESK_SEQMAP_H

typedef struct _seqmap_t seqmap_t;

//  Create an empty map. Caller owns it.
seqmap_t *
    seqmap_new (void);
//  Destroy the map (not the values) and nullify the reference. Safe on NULL.
void
    seqmap_destroy (seqmap_t **self_p);
//  Insert or replace the value for seq (seq != 0, value != NULL).
void
    seqmap_put (seqmap_t *self, uint64_t seq, void *value);
//  The value for seq, or NULL.
void *
    seqmap_get (seqmap_t *self, uint64_t seq);
//  Remove seq; returns its value, or NULL if it was not there.
void *
    seqmap_remove (seqmap_t *self, uint64_t seq);
//  Number of entries
size_t
    seqmap_size (seqmap_t *self);
//  Iterate: start with *cursor = 0; returns the next value and its seq in
//  *seq, or NULL at the end. The map must not change during iteration.
void *
    seqmap_next (seqmap_t *self, size_t *cursor, uint64_t *seq);

#endif
