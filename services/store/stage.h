//  SPDX-License-Identifier: MIT
//  stage - the store stage's batching, between the worker loop and the store
//
//  Each delivered record is decoded at once (a record that does not decode
//  is refused with the decoder's reason, for the loop to dead-letter) and
//  kept pending. A flush writes every pending story in one transaction;
//  after the commit each one is settled through a callback (with its row
//  and outcome) or, if only that story could not be written, through the
//  failure callback. When the batch cannot be written at all (database
//  locked, disk full) everything stays pending and the next flush tries
//  again, after a back-off that doubles from 100 ms to 5 s.
//
//  Kept apart from main.c so it can be tested without a broker.

#ifndef COPYDESK_STORE_STAGE_H
#define COPYDESK_STORE_STAGE_H

#include "store/store.h"

typedef struct _store_stage_t store_stage_t;

//  A story is stored (committed). tag is what store_stage_accept got.
typedef void (store_done_fn) (void *tag, const story_t *story, const store_put_t *put, void *arg);
//  A story could not be stored and never will be (too big, ...).
typedef void (store_failed_fn) (void *tag, const char *reason, void *arg);

//  Create a stage over store (taken: nullifies the caller's pointer).
store_stage_t *
    store_stage_new (store_t **store_p);

//  Destroy and nullify; pending stories are dropped (not stored).
void
    store_stage_destroy (store_stage_t **self_p);

//  Decode a record and keep it pending. data must stay valid until the
//  story is settled. Returns 0, or -1 with the decoder's reason.
int
    store_stage_accept (store_stage_t *self, const void *data, size_t size, void *tag,
                        char *reason, size_t reasonsize);

//  Stories waiting for a flush
size_t
    store_stage_pending (store_stage_t *self);

//  Write the pending stories in one transaction, then settle each. Returns
//  0, 1 if it did not try (back-off after a failure), or -1 if the batch
//  failed (all stay pending; store_error (store_stage_store ()) says why).
int
    store_stage_flush (store_stage_t *self, store_done_fn *done, store_failed_fn *failed,
                       void *arg);

//  Forget the back-off: the next flush tries at once.
void
    store_stage_retry_now (store_stage_t *self);

//  The store (the stage keeps ownership)
store_t *
    store_stage_store (store_stage_t *self);

//  Records refused because they did not decode
uint64_t
    store_stage_rejected (store_stage_t *self);

//  The tap event of a stored story: topic "stored.<source>" (caller frees)
//  and payload msgpack {uri, version, rowid, headline, source, inserted,
//  outcome} into payload (cleared first).
char *
    store_stage_event (const story_t *story, const store_put_t *put, buf_t *payload);

//  The store stage of the worker loop (common/worker.h): consumes the store
//  queue; create opens the database of the config (store/database).
const stage_t *
    store_stage (void);

#endif
