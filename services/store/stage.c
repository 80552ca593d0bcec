//  SPDX-License-Identifier: MIT
//  stage - batching of the store stage (see stage.h)

#include "common.h"
#include "store/stage.h"

#define BACKOFF_MIN     100     //  ms after the first failed batch
#define BACKOFF_MAX     5000    //  ms at most between attempts

//  A story waiting for its commit
typedef struct {
    void *tag;                  //  The caller's handle (the job)
    story_t *story;             //  Decoded record
    const void *data;           //  The record bytes (the caller's)
    size_t size;
    store_put_t put;            //  Outcome, once written
    char *failure;              //  Why this story alone could not be written
} pending_t;

struct _store_stage_t {
    store_t *store;             //  The database
    VEC (pending_t) pending;    //  Stories of the next batch
    uint64_t rejected;          //  Records that did not decode
    int backoff;                //  ms to wait after the last failure, 0 if none
    int64_t retry_at;           //  Monotonic usec before which flush does not try
};

//  --------------------------------------------------------------------------
//  Create a stage; takes the store.

store_stage_t *
store_stage_new (store_t **store_p)
{
    assert (store_p && *store_p);
    store_stage_t *self = (store_stage_t *) xcalloc (1, sizeof (store_stage_t));
    self->store = *store_p;
    *store_p = NULL;
    return self;
}

static void
s_pending_clear (store_stage_t *self)
{
    for (size_t i = 0; i < self->pending.len; i++) {
        story_destroy (&self->pending.items [i].story);
        free (self->pending.items [i].failure);
    }
    self->pending.len = 0;
}

//  --------------------------------------------------------------------------
//  Destroy the stage, its store and what is pending.

void
store_stage_destroy (store_stage_t **self_p)
{
    assert (self_p);
    store_stage_t *self = *self_p;
    if (!self)
        return;
    s_pending_clear (self);
    free (self->pending.items);
    store_destroy (&self->store);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Decode a delivered record and keep it for the next flush.

int
store_stage_accept (store_stage_t *self, const void *data, size_t size, void *tag,
                    char *reason, size_t reasonsize)
{
    assert (self);
    story_t *story = story_decode ((const uint8_t *) data, size, reason, reasonsize);
    if (!story) {
        self->rejected++;
        return -1;
    }
    pending_t *item = vec_push (&self->pending);
    item->tag = tag;
    item->story = story;
    item->data = data;
    item->size = size;
    return 0;
}

size_t
store_stage_pending (store_stage_t *self)
{
    assert (self);
    return self->pending.len;
}

store_t *
store_stage_store (store_stage_t *self)
{
    assert (self);
    return self->store;
}

uint64_t
store_stage_rejected (store_stage_t *self)
{
    assert (self);
    return self->rejected;
}

void
store_stage_retry_now (store_stage_t *self)
{
    assert (self);
    self->retry_at = 0;
}

//  The batch failed: everything stays pending, try again after a while
static int
s_batch_failed (store_stage_t *self)
{
    for (size_t i = 0; i < self->pending.len; i++) {
        free (self->pending.items [i].failure);
        self->pending.items [i].failure = NULL;
    }
    self->backoff = self->backoff ? self->backoff * 2 : BACKOFF_MIN;
    if (self->backoff > BACKOFF_MAX)
        self->backoff = BACKOFF_MAX;
    self->retry_at = time_mono_usec () + (int64_t) self->backoff * 1000;
    return -1;
}

//  --------------------------------------------------------------------------
//  Write every pending story in one transaction, then settle each.

int
store_stage_flush (store_stage_t *self, store_done_fn *done, store_failed_fn *failed, void *arg)
{
    assert (self);
    if (self->pending.len == 0)
        return 0;
    if (self->retry_at && time_mono_usec () < self->retry_at)
        return 1;
    if (store_begin (self->store))
        return s_batch_failed (self);
    for (size_t i = 0; i < self->pending.len; i++) {
        pending_t *item = &self->pending.items [i];
        if (store_put (self->store, item->story, item->data, item->size, &item->put) == 0)
            continue;
        if (store_transient (self->store)) {
            store_rollback (self->store);
            return s_batch_failed (self);
        }
        //  Only this story cannot be written; the others go on
        str_set (&item->failure, store_error (self->store));
    }
    if (store_commit (self->store))
        return s_batch_failed (self);
    self->backoff = 0;
    self->retry_at = 0;
    for (size_t i = 0; i < self->pending.len; i++) {
        pending_t *item = &self->pending.items [i];
        if (item->failure) {
            if (failed)
                failed (item->tag, item->failure, arg);
        }
        else
        if (done)
            done (item->tag, item->story, &item->put, arg);
    }
    s_pending_clear (self);
    return 0;
}

//  --------------------------------------------------------------------------
//  The stored.<source> tap event of a story. Caller frees the topic.

char *
store_stage_event (const story_t *story, const store_put_t *put, buf_t *payload)
{
    const char *headline = story_headline (story);
    const char *source = story->ingest.provider;
    static const char *outcomes [] = { "inserted", "replaced", "unchanged" };
    buf_clear (payload);
    msgpack_packer pk;
    codec_packer_init (&pk, payload);
    msgpack_pack_map (&pk, 5 + (story->version != NULL) + (headline != NULL) + (source != NULL));
    codec_pack_kv_str (&pk, "uri", story->uri);
    if (story->version)
        codec_pack_kv_str (&pk, "version", story->version);
    codec_pack_kv_int (&pk, "rowid", put->rowid);
    if (headline)
        codec_pack_kv_str (&pk, "headline", headline);
    if (source)
        codec_pack_kv_str (&pk, "source", source);
    codec_pack_str (&pk, "inserted");
    if (put->outcome == STORE_INSERTED)
        msgpack_pack_true (&pk);
    else
        msgpack_pack_false (&pk);
    codec_pack_kv_str (&pk, "outcome", outcomes [put->outcome]);
    codec_pack_kv_int (&pk, "canceled", put->canceled);
    char *topic = xasprintf ("stored.%s", str_empty (source) ? "none" : source);
    proto_topic_clean (topic + strlen ("stored."));
    return topic;
}
