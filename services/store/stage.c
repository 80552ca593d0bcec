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

//  --------------------------------------------------------------------------
//  Stories decoded and waiting for a flush.

size_t
store_stage_pending (store_stage_t *self)
{
    assert (self);
    return self->pending.len;
}

//  --------------------------------------------------------------------------
//  The store; the stage keeps it.

store_t *
store_stage_store (store_stage_t *self)
{
    assert (self);
    return self->store;
}

//  --------------------------------------------------------------------------
//  Records refused because they did not decode.

uint64_t
store_stage_rejected (store_stage_t *self)
{
    assert (self);
    return self->rejected;
}

//  --------------------------------------------------------------------------
//  Forget the back-off after a failed batch.

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
    //  A story that can never be written costs the batch one more try
    //  without it (store_put rolls the batch back on any error)
    bool written = false;
    while (!written) {
        if (store_begin (self->store))
            return s_batch_failed (self);
        size_t i;
        for (i = 0; i < self->pending.len; i++) {
            pending_t *item = &self->pending.items [i];
            if (item->failure)
                continue;
            if (store_put (self->store, item->story, item->data, item->size, &item->put))
                break;
        }
        if (i < self->pending.len) {
            if (store_transient (self->store))
                return s_batch_failed (self);
            str_set (&self->pending.items [i].failure, store_error (self->store));
            continue;
        }
        if (store_commit (self->store))
            return s_batch_failed (self);
        written = true;
    }
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

//  ==========================================================================
//  The stage of the worker loop: decode and hold each delivery, commit at
//  each flush, then a tap event and worker_complete per story.

//  How often a failing commit is logged again, and the counters at most
#define LOG_EVERY_USEC  (10 * 1000000LL)
#define STATS_EVERY     60

//  The worker loop's state of the store stage
typedef struct {
    store_stage_t *stage;       //  Batching over the database
    worker_t *worker;           //  The loop, during a flush
    buf_t event;                //  Tap event payload (reused)
    uint64_t failing;           //  Consecutive failed batches
    int64_t logged_at;          //  When a failure was last logged
    int ticks;                  //  Seconds since the counters were logged
    store_stats_t logged;       //  Counters as last logged
} worker_state_t;

//  --------------------------------------------------------------------------
//  Open the database named by the config (store/database).

static void *
s_create (config_t *config)
{
    char *path = store_path (config);
    store_options_t options;
    store_options_init (&options, config);
    char err [1024] = "";
    store_t *store = store_new (path, &options, err, sizeof err);
    if (!store) {
        zsys_error ("store: cannot open the database: %s", err);
        free (path);
        return NULL;
    }
    int64_t stories = 0;
    int64_t rows = store_count (store, &stories);
    zsys_info ("store: database=%s stories=%" PRId64 " versions=%" PRId64, path, stories, rows);
    free (path);
    worker_state_t *self = (worker_state_t *) xcalloc (1, sizeof (worker_state_t));
    self->stage = store_stage_new (&store);
    buf_init (&self->event);
    return self;
}

static void
s_log_stats (worker_state_t *self, const char *what)
{
    store_stats_t stats = store_stats (store_stage_store (self->stage));
    zsys_info ("store: %s inserted=%" PRIu64 " replaced=%" PRIu64 " unchanged=%" PRIu64
               " canceled=%" PRIu64 " rejected=%" PRIu64 " commits=%" PRIu64 " failures=%" PRIu64,
               what, stats.inserted, stats.replaced, stats.unchanged, stats.canceled,
               store_stage_rejected (self->stage), stats.commits, stats.failures);
    self->logged = stats;
}

static void
s_destroy (void **state_p)
{
    worker_state_t *self = (worker_state_t *) *state_p;
    if (!self)
        return;
    if (store_stage_pending (self->stage))
        zsys_warning ("store: stopping with %zu stories not committed (the broker redelivers them)",
                      store_stage_pending (self->stage));
    s_log_stats (self, "stopping");
    store_stage_destroy (&self->stage);
    buf_free (&self->event);
    free (self);
    *state_p = NULL;
}

//  --------------------------------------------------------------------------
//  A delivery: decode it now (bad records are rejected with the decoder's
//  reason), write it at the next flush.

static int
s_handle (void *state, job_t *job)
{
    worker_state_t *self = (worker_state_t *) state;
    char reason [512] = "";
    if (store_stage_accept (self->stage, job_data (job), job_size (job), job,
                            reason, sizeof reason)) {
        job_reject (job, "%s", reason);
        return WORKER_REJECT;
    }
    return WORKER_HOLD;
}

//  A story is committed: tell the tap, let the loop ACK it
static void
s_stored (void *tag, const story_t *story, const store_put_t *put, void *arg)
{
    worker_state_t *self = (worker_state_t *) arg;
    char *topic = store_stage_event (story, put, &self->event);
    worker_event (self->worker, topic, self->event.data, self->event.size);
    free (topic);
    worker_complete (self->worker, (job_t *) tag);
}

//  A story SQLite will never take (too big...): dead-letter it
static void
s_refused (void *tag, const char *reason, void *arg)
{
    worker_state_t *self = (worker_state_t *) arg;
    zsys_warning ("store: cannot store a story, dead-lettering it: %s", reason);
    worker_reject (self->worker, (job_t *) tag, reason);
}

static int
s_flush (void *state, worker_t *worker)
{
    worker_state_t *self = (worker_state_t *) state;
    self->worker = worker;
    size_t pending = store_stage_pending (self->stage);
    int rc = store_stage_flush (self->stage, s_stored, s_refused, self);
    self->worker = NULL;
    if (rc == 0) {
        if (self->failing)
            zsys_info ("store: committing again after %" PRIu64 " failed attempts", self->failing);
        self->failing = 0;
        return 0;
    }
    if (rc < 0) {
        self->failing++;
        int64_t now = time_mono_usec ();
        if (self->failing == 1 || now - self->logged_at >= LOG_EVERY_USEC) {
            zsys_error ("store: cannot commit %zu stories, keeping them held and retrying"
                        " (attempt %" PRIu64 "): %s", pending, self->failing,
                        store_error (store_stage_store (self->stage)));
            self->logged_at = now;
        }
    }
    return -1;
}

//  Once a second: the counters, every minute when they moved
static void
s_tick (void *state, worker_t *worker)
{
    worker_state_t *self = (worker_state_t *) state;
    if (++self->ticks < STATS_EVERY)
        return;
    self->ticks = 0;
    store_stats_t stats = store_stats (store_stage_store (self->stage));
    if (stats.commits != self->logged.commits || stats.failures != self->logged.failures)
        s_log_stats (self, "counters");
}

static const stage_t s_worker_stage = {
    .name = "store",
    .input = STAGE_STORE,
    .output = NULL,
    .handle = s_handle,
    .flush = s_flush,
    .tick = s_tick,
    .create = s_create,
    .destroy = s_destroy,
    //  A batch is at most a credit window, and FTS5 indexes batches of 500
    //  about a third cheaper per story than batches of 128
    //  (tests/bench/bench_store: rows per CPU second). A window of 2048
    //  rather than 512 lets the broker go on delivering while a batch
    //  commits: a store fed from a full queue drained it 21% faster
    //  (11,700 against 9,700 stories/s, commits of 800-950 stories
    //  instead of 240); end to end on 2 cores, four interleaved pairs gave
    //  8,380-9,150 against 7,610-8,900 stories/s. flush_ms still bounds
    //  how long a story waits for its commit.
    .credit = 2048,
    //  No nap by default: on an idle machine committing at once is faster
    //  end to end (bench_pipeline on the Reuters corpus, 2 cores: 8,200-
    //  8,500 stories/s without, 6,900-7,200 with 20 ms). A nap (store/
    //  nap_ms) makes fewer, bigger commits and saves about 5% of the
    //  store's CPU, which pays only on a machine short of CPU.
    .nap_ms = 0,
};

//  --------------------------------------------------------------------------
//  The store stage for the worker loop (worker_main, worker_actor).

const stage_t *
store_stage (void)
{
    return &s_worker_stage;
}
