//  SPDX-License-Identifier: MIT
//  test_worker - the worker loop against the real broker (in-process actor)
//
//  Each test makes a temporary home with a short heartbeat, starts the
//  broker actor on it, runs stages with worker_actor (or, for signals and
//  fault injection, in a child process: this executable re-run with
//  --child), publishes with the publisher and reads the broker's STATS.

#include "common.h"
#include "publisher.h"
#include "broker/broker.h"
#include "broker/deadlog.h"
#include "cli/cli.h"
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

static char *s_self_exe;        //  This executable, for child processes

//  --------------------------------------------------------------------------
//  Fixture: a home with a broker

typedef struct {
    char home [128];
    config_t *config;
    zactor_t *broker;
    char *endpoint;
} fixture_t;

static fixture_t *s_current;    //  For the teardown of a failed test

static void
s_write_config (const char *home, const char *extra)
{
    char path [256];
    snprintf (path, sizeof path, "%s/copydesk.cfg", home);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fprintf (file,
        "broker\n"
        "    heartbeat = 100\n"
        "    liveness = 10\n"
        "    max_attempts = 2\n"
        "%s", extra ? extra : "");
    fclose (file);
}

static void
s_broker_start (fixture_t *self)
{
    self->broker = zactor_new (broker_actor, self->config);
    assert_non_null (self->broker);
    zstr_send (self->broker, "ENDPOINT");
    char *endpoint = zstr_recv (self->broker);
    assert_non_null (endpoint);
    assert_true (strlen (endpoint) > 0);
    free (self->endpoint);
    self->endpoint = endpoint;
}

static void
s_broker_stop (fixture_t *self)
{
    zactor_destroy (&self->broker);
}

static fixture_t *
s_fixture_new (const char *extra)
{
    fixture_t *self = (fixture_t *) xcalloc (1, sizeof (fixture_t));
    s_current = self;
    snprintf (self->home, sizeof self->home, "/tmp/copydesk-test-worker-XXXXXX");
    assert_non_null (mkdtemp (self->home));
    s_write_config (self->home, extra);
    self->config = config_load (self->home);
    assert_non_null (self->config);
    s_broker_start (self);
    return self;
}

static void
s_fixture_destroy (fixture_t **self_p)
{
    fixture_t *self = *self_p;
    s_broker_stop (self);
    config_destroy (&self->config);
    char *command = xasprintf ("rm -rf '%s'", self->home);
    assert_int_equal (system (command), 0);
    free (command);
    free (self->endpoint);
    free (self);
    *self_p = NULL;
    s_current = NULL;
}

//  After each test: what a failed test left behind (its broker, its home)
static int
s_teardown (void **state)
{
    if (s_current) {
        fixture_t *fixture = s_current;
        s_fixture_destroy (&fixture);
    }
    return 0;
}

//  The broker's statistics as JSON (fails the test if it does not answer)
static json_t *
s_stats (fixture_t *self)
{
    char err [256];
    json_t *stats = cli_stats (self->config, 5000, err, sizeof err);
    if (!stats)
        fail_msg ("no stats: %s", err);
    return stats;
}

//  A number in the stats: queue NULL for top-level keys
static double
s_stat (fixture_t *self, const char *queue, const char *key)
{
    json_t *stats = s_stats (self);
    json_t *object = queue ? json_object_get (json_object_get (stats, "queues"), queue) : stats;
    double value = cli_json_number (object, key, -1);
    json_decref (stats);
    return value;
}

//  Poll the stats until queue.key == value or timeout ms pass
static bool
s_wait_stat (fixture_t *self, const char *queue, const char *key, double value, int timeout)
{
    int64_t deadline = zclock_mono () + timeout;
    while (zclock_mono () < deadline) {
        if (s_stat (self, queue, key) == value)
            return true;
        zclock_sleep (20);
    }
    return false;
}

//  Workers registered on a queue
static int
s_workers (fixture_t *self, const char *queue)
{
    json_t *stats = s_stats (self);
    int count = 0;
    size_t index;
    json_t *worker;
    json_array_foreach (json_object_get (stats, "workers"), index, worker)
        if (streq (cli_json_string (worker, "queue", ""), queue))
            count++;
    json_decref (stats);
    return count;
}

static bool
s_wait_workers (fixture_t *self, const char *queue, int count, int timeout)
{
    int64_t deadline = zclock_mono () + timeout;
    while (zclock_mono () < deadline) {
        if (s_workers (self, queue) == count)
            return true;
        zclock_sleep (20);
    }
    return false;
}

//  --------------------------------------------------------------------------
//  Payloads: msgpack maps {"n": int, "text": str[, "seen": true]}

static void
s_payload (buf_t *buf, int n, const char *text, bool seen)
{
    buf_clear (buf);
    msgpack_packer pk;
    codec_packer_init (&pk, buf);
    msgpack_pack_map (&pk, seen ? 3 : 2);
    codec_pack_kv_int (&pk, "n", n);
    codec_pack_kv_str (&pk, "text", text);
    if (seen) {
        codec_pack_str (&pk, "seen");
        msgpack_pack_true (&pk);
    }
}

//  Read n and text back; -1 if the bytes are not such a map
static int
s_parse (const uint8_t *data, size_t size, int *n, char *text, size_t text_size, bool *seen)
{
    msgpack_zone zone;
    msgpack_zone_init (&zone, 256);
    msgpack_object root;
    int rc = -1;
    *seen = false;
    text [0] = 0;
    if (mpcheck_unpack (data, size, &zone, &root, NULL, 0) == 0 && root.type == MSGPACK_OBJECT_MAP) {
        rc = 0;
        for (uint32_t i = 0; i < root.via.map.size; i++) {
            msgpack_object *k = &root.via.map.ptr [i].key;
            msgpack_object *v = &root.via.map.ptr [i].val;
            int64_t value;
            if (codec_key_is (k, "n") && codec_get_int (v, INT32_MIN, INT32_MAX, &value) == 0)
                *n = (int) value;
            else
            if (codec_key_is (k, "text") && v->type == MSGPACK_OBJECT_STR)
                snprintf (text, text_size, "%.*s", (int) v->via.str.size, v->via.str.ptr);
            else
            if (codec_key_is (k, "seen"))
                *seen = v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
        }
    }
    msgpack_zone_destroy (&zone);
    return rc;
}

static void
s_publish (fixture_t *self, const char *queue, int from, int count, const char *text)
{
    publisher_t *publisher = publisher_new (self->endpoint, 64);
    assert_non_null (publisher);
    buf_t buf;
    buf_init (&buf);
    for (int i = from; i < from + count; i++) {
        s_payload (&buf, i, text, false);
        assert_true (publisher_send (publisher, queue, "test.in", buf.data, buf.size, NULL) > 0);
    }
    assert_int_equal (publisher_flush (publisher, 5000), 0);
    assert_int_equal (publisher_accepted (publisher), (uint64_t) count);
    buf_free (&buf);
    publisher_destroy (&publisher);
}

//  --------------------------------------------------------------------------
//  Stages

typedef struct {
    int handled;                //  handle calls
    int max_attempts;           //  Largest job_attempts seen
    int reloads;
    const char *reload_file;    //  Touched on reload (child processes)
} transform_t;

//  normalize -> classify: adds "seen"; "reject" rejects, "garbage" emits
//  bytes the broker refuses, "many" emits 50 outputs, "dead" also emits a
//  dead letter
static int
s_transform_handle (void *state, job_t *job)
{
    transform_t *self = (transform_t *) state;
    __atomic_add_fetch (&self->handled, 1, __ATOMIC_SEQ_CST);
    if ((int) job_attempts (job) > self->max_attempts)
        __atomic_store_n (&self->max_attempts, (int) job_attempts (job), __ATOMIC_SEQ_CST);
    int n = -1;
    char text [64];
    bool seen;
    if (s_parse (job_data (job), job_size (job), &n, text, sizeof text, &seen) != 0) {
        job_reject (job, "not a test payload (%zu bytes)", job_size (job));
        return WORKER_REJECT;
    }
    if (streq (text, "reject")) {
        job_reject (job, "bad text in item %d", n);
        return WORKER_REJECT;
    }
    if (streq (text, "slow")) {
        //  1.5 s of work, longer than heartbeat x liveness (1 s)
        for (int i = 0; i < 15; i++) {
            zclock_sleep (100);
            job_heartbeat (job);
        }
    }
    if (streq (text, "garbage")) {
        job_emit (job, "test.out", "\xc1\xc1", 2);
        return WORKER_DONE;
    }
    buf_t buf;
    buf_init (&buf);
    int outputs = streq (text, "many") ? 50 : 1;
    for (int i = 0; i < outputs; i++) {
        s_payload (&buf, n * 1000 + i, text, true);
        job_emit (job, "test.out", buf.data, buf.size);
    }
    buf_free (&buf);
    if (streq (text, "dead")) {
        deadletter_t *deadletter = deadletter_new (STAGE_NORMALIZE, "bad item inside", "item", 4);
        job_emit_dead (job, &deadletter);
        assert (deadletter == NULL);
    }
    return WORKER_DONE;
}

static int
s_transform_reload (void *state)
{
    transform_t *self = (transform_t *) state;
    __atomic_add_fetch (&self->reloads, 1, __ATOMIC_SEQ_CST);
    if (self->reload_file) {
        FILE *file = fopen (self->reload_file, "w");
        if (file)
            fclose (file);
    }
    return 0;
}

static const stage_t s_transform = {
    .name = "normalize",
    .input = STAGE_NORMALIZE,
    .output = STAGE_CLASSIFY,
    .handle = s_transform_handle,
    .reload = s_transform_reload,
};

//  classify sink: records what it gets
typedef struct {
    pthread_mutex_t lock;
    int count;
    int seen [4096];            //  Times each n was received
    int unseen;                 //  Payloads without "seen"
} sink_t;

static int
s_sink_handle (void *state, job_t *job)
{
    sink_t *self = (sink_t *) state;
    int n = -1;
    char text [64];
    bool seen;
    if (s_parse (job_data (job), job_size (job), &n, text, sizeof text, &seen) != 0) {
        job_reject (job, "sink: not a test payload");
        return WORKER_REJECT;
    }
    pthread_mutex_lock (&self->lock);
    self->count++;
    //  The transform emits n * 1000 + i for input n
    if (seen && n >= 0 && n / 1000 < 4096)
        self->seen [n / 1000]++;
    if (!seen)
        self->unseen++;
    pthread_mutex_unlock (&self->lock);
    return WORKER_DONE;
}

static const stage_t s_sink = {
    .name = "classify",
    .input = STAGE_CLASSIFY,
    .output = STAGE_STORE,
    .handle = s_sink_handle,
};

static int
s_sink_count (sink_t *self)
{
    pthread_mutex_lock (&self->lock);
    int count = self->count;
    pthread_mutex_unlock (&self->lock);
    return count;
}

static bool
s_wait_sink (sink_t *self, int count, int timeout)
{
    int64_t deadline = zclock_mono () + timeout;
    while (zclock_mono () < deadline) {
        if (s_sink_count (self) >= count)
            return true;
        zclock_sleep (10);
    }
    return false;
}

//  A worker actor for a stage; args must outlive it
static zactor_t *
s_worker_start (fixture_t *fixture, worker_args_t *args, const stage_t *stage, void *state,
                int window)
{
    args->stage = stage;
    args->state = state;
    worker_options_init (&args->options, fixture->config);
    args->options.endpoint = fixture->endpoint;
    args->options.credit = 16;
    if (window)
        args->options.window = window;
    zactor_t *actor = zactor_new (worker_actor, args);
    assert_non_null (actor);
    return actor;
}

//  processed, rejected, emitted, reconnects
static void
s_counters (zactor_t *actor, uint64_t counters [4])
{
    zstr_send (actor, "COUNTERS");
    assert_int_equal (zsock_recv (actor, "8888", &counters [0], &counters [1],
                                  &counters [2], &counters [3]), 0);
}

//  --------------------------------------------------------------------------
//  Tests

static void
test_transform (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    transform_t transform = { 0 };
    sink_t sink = { PTHREAD_MUTEX_INITIALIZER };
    worker_args_t targs, sargs;
    zactor_t *worker = s_worker_start (fixture, &targs, &s_transform, &transform, 0);
    zactor_t *consumer = s_worker_start (fixture, &sargs, &s_sink, &sink, 0);
    assert_true (s_wait_workers (fixture, STAGE_NORMALIZE, 1, 5000));

    s_publish (fixture, STAGE_NORMALIZE, 0, 300, "plain");
    assert_true (s_wait_sink (&sink, 300, 10000));
    assert_true (s_wait_stat (fixture, STAGE_NORMALIZE, "acked", 300, 5000));
    for (int i = 0; i < 300; i++)
        assert_int_equal (sink.seen [i], 1);
    assert_int_equal (sink.unseen, 0);
    assert_int_equal (s_stat (fixture, STAGE_CLASSIFY, "published"), 300);
    uint64_t counters [4];
    s_counters (worker, counters);
    assert_int_equal (counters [0], 300);       //  processed
    assert_int_equal (counters [1], 0);         //  rejected
    assert_int_equal (counters [2], 300);       //  emitted
    zactor_destroy (&worker);
    //  A clean stop says BYE: the worker is gone at once
    assert_true (s_wait_workers (fixture, STAGE_NORMALIZE, 0, 2000));
    zactor_destroy (&consumer);
    s_fixture_destroy (&fixture);
}

static void
test_window (void **state)
{
    //  50 outputs of one input through a window of 4 unaccepted publishes
    fixture_t *fixture = s_fixture_new (NULL);
    transform_t transform = { 0 };
    sink_t sink = { PTHREAD_MUTEX_INITIALIZER };
    worker_args_t targs, sargs;
    zactor_t *worker = s_worker_start (fixture, &targs, &s_transform, &transform, 4);
    zactor_t *consumer = s_worker_start (fixture, &sargs, &s_sink, &sink, 0);
    s_publish (fixture, STAGE_NORMALIZE, 1, 3, "many");
    assert_true (s_wait_sink (&sink, 150, 10000));
    assert_true (s_wait_stat (fixture, STAGE_NORMALIZE, "acked", 3, 5000));
    for (int i = 1; i <= 3; i++)
        assert_int_equal (sink.seen [i], 50);
    assert_int_equal (s_sink_count (&sink), 150);
    zactor_destroy (&worker);
    zactor_destroy (&consumer);
    s_fixture_destroy (&fixture);
}

//  Count the dead letters whose reason contains text
static int
s_dead_count (fixture_t *fixture, const char *text)
{
    char *path = config_path (fixture->config, "dead/dead.log");
    deadlog_reader_t *reader = deadlog_open (path);
    free (path);
    if (!reader)
        return 0;
    int count = 0;
    deadletter_t *deadletter;
    while ((deadletter = deadlog_next (reader))) {
        if (deadletter->reason && strstr (deadletter->reason, text))
            count++;
        deadletter_destroy (&deadletter);
    }
    deadlog_close (&reader);
    return count;
}

static void
test_reject (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    transform_t transform = { 0 };
    sink_t sink = { PTHREAD_MUTEX_INITIALIZER };
    worker_args_t targs, sargs;
    zactor_t *worker = s_worker_start (fixture, &targs, &s_transform, &transform, 0);
    zactor_t *consumer = s_worker_start (fixture, &sargs, &s_sink, &sink, 0);
    s_publish (fixture, STAGE_NORMALIZE, 10, 1, "reject");      //  Handler rejects
    s_publish (fixture, STAGE_NORMALIZE, 11, 1, "garbage");     //  Broker refuses its output
    s_publish (fixture, STAGE_NORMALIZE, 12, 1, "dead");        //  Output + a dead letter
    s_publish (fixture, STAGE_NORMALIZE, 13, 1, "plain");
    assert_true (s_wait_sink (&sink, 2, 10000));
    assert_true (s_wait_stat (fixture, NULL, "dead", 3, 5000));
    assert_int_equal (s_dead_count (fixture, "bad text in item 10"), 1);
    assert_int_equal (s_dead_count (fixture, "refused"), 1);
    assert_int_equal (s_dead_count (fixture, "bad item inside"), 1);
    //  The item 12 and 13 outputs went through; rejected inputs made none
    assert_int_equal (sink.seen [12], 1);
    assert_int_equal (sink.seen [13], 1);
    assert_int_equal (sink.seen [10] + sink.seen [11], 0);
    uint64_t counters [4];
    s_counters (worker, counters);
    assert_int_equal (counters [0], 4);
    assert_int_equal (counters [1], 2);
    zactor_destroy (&worker);
    zactor_destroy (&consumer);
    s_fixture_destroy (&fixture);
}

//  A batching stage (like store): holds every job, completes them in flush
typedef struct {
    job_t *held [256];
    size_t count;
    bool flushed;               //  A flush succeeded
    int max_held;               //  Most held after the first good flush
    int flushes;
    int failures;               //  Flushes to fail before succeeding
    int completed;
    int rejected;
    int slow_ms;                //  A good flush takes this long (a slow commit)
} batch_t;

static int
s_batch_handle (void *state, job_t *job)
{
    batch_t *self = (batch_t *) state;
    //  Plain asserts: this runs on the worker's thread, not cmocka's
    assert (self->count < 256);
    self->held [self->count++] = job;
    if (self->flushed && (int) self->count > self->max_held)
        self->max_held = (int) self->count;
    return WORKER_HOLD;
}

static int
s_batch_flush (void *state, worker_t *worker)
{
    batch_t *self = (batch_t *) state;
    assert (worker_held (worker) == self->count);
    __atomic_add_fetch (&self->flushes, 1, __ATOMIC_SEQ_CST);
    if (self->failures > 0) {
        self->failures--;
        return -1;              //  e.g. the database is locked: keep them held
    }
    for (size_t i = 0; i < self->count; i++) {
        job_t *job = self->held [i];
        int n = -1;
        char text [64];
        bool seen;
        s_parse (job_data (job), job_size (job), &n, text, sizeof text, &seen);
        if (streq (text, "reject")) {
            worker_reject (worker, job, "batch: refused in flush");
            __atomic_add_fetch (&self->rejected, 1, __ATOMIC_SEQ_CST);
        }
        else {
            worker_complete (worker, job);
            __atomic_add_fetch (&self->completed, 1, __ATOMIC_SEQ_CST);
        }
    }
    self->count = 0;
    self->flushed = true;
    if (self->slow_ms)
        zclock_sleep (self->slow_ms);
    assert (worker_held (worker) == 0);
    return 0;
}

static const stage_t s_batch = {
    .name = "store",
    .input = STAGE_STORE,
    .output = NULL,
    .handle = s_batch_handle,
    .flush = s_batch_flush,
};

static void
test_hold (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    batch_t batch = { .failures = 2 };
    worker_args_t args;
    args.stage = &s_batch;
    args.state = &batch;
    worker_options_init (&args.options, fixture->config);
    args.options.endpoint = fixture->endpoint;
    args.options.credit = 32;
    args.options.hold_max = 8;
    zactor_t *worker = zactor_new (worker_actor, &args);
    s_publish (fixture, STAGE_STORE, 0, 200, "plain");
    s_publish (fixture, STAGE_STORE, 200, 3, "reject");
    assert_true (s_wait_stat (fixture, STAGE_STORE, "acked", 200, 10000));
    assert_true (s_wait_stat (fixture, NULL, "dead", 3, 5000));
    assert_true (s_wait_stat (fixture, STAGE_STORE, "inflight", 0, 5000));
    zactor_destroy (&worker);
    assert_int_equal (__atomic_load_n (&batch.completed, __ATOMIC_SEQ_CST), 200);
    assert_int_equal (__atomic_load_n (&batch.rejected, __ATOMIC_SEQ_CST), 3);
    assert_true (batch.flushes >= 3);
    //  hold_max forces a flush: once flushes work, never more than 8 held
    assert_true (batch.max_held <= 8);
    assert_int_equal (s_dead_count (fixture, "batch: refused in flush"), 3);
    s_fixture_destroy (&fixture);
}

//  A nap: a batching stage that has just flushed a batch of many jobs,
//  holding a job, waits for more deliveries before its idle flush, twice as
//  long as its last flush took (at most nap_ms), so stories that come a
//  moment apart share one flush. After a flush of a few jobs it does not
//  nap: a trickle of stories is flushed as it comes.
static void
test_nap (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    batch_t batch = { .slow_ms = 500 };
    worker_args_t args;
    args.stage = &s_batch;
    args.state = &batch;
    worker_options_init (&args.options, fixture->config);
    args.options.endpoint = fixture->endpoint;
    args.options.credit = 64;
    args.options.flush_ms = 5000;
    args.options.nap_ms = 1500;
    zactor_t *worker = zactor_new (worker_actor, &args);
    //  No flush yet, so no nap: the first story is flushed alone, slowly;
    //  20 more pile up meanwhile and make the second flush
    s_publish (fixture, STAGE_STORE, 0, 1, "plain");
    assert_true (s_wait_stat (fixture, STAGE_STORE, "inflight", 1, 5000));
    s_publish (fixture, STAGE_STORE, 1, 20, "plain");
    assert_true (s_wait_stat (fixture, STAGE_STORE, "acked", 21, 10000));
    assert_int_equal (__atomic_load_n (&batch.flushes, __ATOMIC_SEQ_CST), 2);
    //  After that batch of 20 the worker naps (1 s): the next story is
    //  held until the rest come, a moment later, and one flush takes all
    s_publish (fixture, STAGE_STORE, 21, 1, "plain");
    assert_true (s_wait_stat (fixture, STAGE_STORE, "inflight", 1, 5000));
    zclock_sleep (100);
    s_publish (fixture, STAGE_STORE, 22, 9, "plain");
    assert_true (s_wait_stat (fixture, STAGE_STORE, "acked", 31, 10000));
    assert_int_equal (__atomic_load_n (&batch.flushes, __ATOMIC_SEQ_CST), 3);
    //  And a lone story after it is flushed alone
    s_publish (fixture, STAGE_STORE, 31, 1, "plain");
    assert_true (s_wait_stat (fixture, STAGE_STORE, "acked", 32, 10000));
    assert_int_equal (__atomic_load_n (&batch.flushes, __ATOMIC_SEQ_CST), 4);
    zactor_destroy (&worker);
    assert_int_equal (__atomic_load_n (&batch.completed, __ATOMIC_SEQ_CST), 32);
    s_fixture_destroy (&fixture);
}

static void
test_custody (void **state)
{
    //  classify holds publishes above 1 message: the worker's output stays
    //  unaccepted, so its input must stay unacknowledged; the broker dies
    //  then, and the input is redelivered after the restart
    fixture_t *fixture = s_fixture_new (
        "    queues\n"
        "        classify\n"
        "            high_mark = 1\n");
    s_publish (fixture, STAGE_CLASSIFY, 999, 1, "filler");
    transform_t transform = { 0 };
    worker_args_t targs;
    zactor_t *worker = s_worker_start (fixture, &targs, &s_transform, &transform, 0);
    s_publish (fixture, STAGE_NORMALIZE, 7, 1, "plain");
    assert_true (s_wait_stat (fixture, STAGE_CLASSIFY, "held", 1, 5000));
    assert_int_equal (s_stat (fixture, STAGE_NORMALIZE, "inflight"), 1);
    assert_int_equal (s_stat (fixture, STAGE_NORMALIZE, "acked"), 0);
    assert_int_equal (__atomic_load_n (&transform.handled, __ATOMIC_SEQ_CST), 1);

    s_broker_stop (fixture);
    config_set (fixture->config, "broker/queues/classify/high_mark", "1000");
    s_broker_start (fixture);
    sink_t sink = { PTHREAD_MUTEX_INITIALIZER };
    worker_args_t sargs;
    zactor_t *consumer = s_worker_start (fixture, &sargs, &s_sink, &sink, 0);
    //  The filler and the redelivered input's output
    assert_true (s_wait_sink (&sink, 2, 15000));
    assert_true (s_wait_stat (fixture, STAGE_NORMALIZE, "acked", 1, 5000));
    assert_int_equal (sink.seen [7], 1);
    assert_int_equal (sink.unseen, 1);
    assert_int_equal (__atomic_load_n (&transform.handled, __ATOMIC_SEQ_CST), 2);
    uint64_t counters [4];
    s_counters (worker, counters);
    assert_true (counters [3] >= 1);            //  reconnects
    zactor_destroy (&worker);
    zactor_destroy (&consumer);
    s_fixture_destroy (&fixture);
}

static void
test_overloaded (void **state)
{
    //  The broker holds at most 2 publishes per peer above the high mark
    //  and refuses more as "overloaded": a transient refusal the worker
    //  must retry, not a reason to reject the input
    fixture_t *fixture = s_fixture_new (
        "    max_held = 2\n"
        "    queues\n"
        "        classify\n"
        "            high_mark = 1\n");
    s_publish (fixture, STAGE_CLASSIFY, 999, 1, "filler");
    transform_t transform = { 0 };
    worker_args_t targs, sargs;
    zactor_t *worker = s_worker_start (fixture, &targs, &s_transform, &transform, 0);
    s_publish (fixture, STAGE_NORMALIZE, 20, 10, "plain");
    assert_true (s_wait_stat (fixture, STAGE_CLASSIFY, "held", 2, 5000));
    //  Now let classify drain
    sink_t sink = { PTHREAD_MUTEX_INITIALIZER };
    zactor_t *consumer = s_worker_start (fixture, &sargs, &s_sink, &sink, 0);
    assert_true (s_wait_sink (&sink, 11, 20000));
    assert_true (s_wait_stat (fixture, STAGE_NORMALIZE, "acked", 10, 5000));
    for (int i = 20; i < 30; i++)
        assert_int_equal (sink.seen [i], 1);
    assert_int_equal (s_stat (fixture, NULL, "dead"), 0);
    uint64_t counters [4];
    s_counters (worker, counters);
    assert_int_equal (counters [1], 0);         //  Nothing rejected
    assert_int_equal (counters [2], 10);
    zactor_destroy (&worker);
    zactor_destroy (&consumer);
    s_fixture_destroy (&fixture);
}

static void
test_slow_handler (void **state)
{
    //  A handler that works longer than heartbeat x liveness stays alive
    //  with job_heartbeat: no expiry, no redelivery
    fixture_t *fixture = s_fixture_new (NULL);
    transform_t transform = { 0 };
    sink_t sink = { PTHREAD_MUTEX_INITIALIZER };
    worker_args_t targs, sargs;
    zactor_t *worker = s_worker_start (fixture, &targs, &s_transform, &transform, 0);
    zactor_t *consumer = s_worker_start (fixture, &sargs, &s_sink, &sink, 0);
    s_publish (fixture, STAGE_NORMALIZE, 40, 2, "slow");
    assert_true (s_wait_sink (&sink, 2, 15000));
    assert_true (s_wait_stat (fixture, STAGE_NORMALIZE, "acked", 2, 5000));
    assert_int_equal (__atomic_load_n (&transform.handled, __ATOMIC_SEQ_CST), 2);
    assert_int_equal (s_stat (fixture, NULL, "expired"), 0);
    assert_int_equal (s_stat (fixture, STAGE_NORMALIZE, "redelivered"), 0);
    zactor_destroy (&worker);
    zactor_destroy (&consumer);
    s_fixture_destroy (&fixture);
}

static void
test_reconnect (void **state)
{
    //  An idle worker must notice a broker restart and register again
    fixture_t *fixture = s_fixture_new (NULL);
    transform_t transform = { 0 };
    sink_t sink = { PTHREAD_MUTEX_INITIALIZER };
    worker_args_t targs, sargs;
    zactor_t *worker = s_worker_start (fixture, &targs, &s_transform, &transform, 0);
    zactor_t *consumer = s_worker_start (fixture, &sargs, &s_sink, &sink, 0);
    assert_true (s_wait_workers (fixture, STAGE_NORMALIZE, 1, 5000));
    s_broker_stop (fixture);
    s_broker_start (fixture);
    assert_true (s_wait_workers (fixture, STAGE_NORMALIZE, 1, 10000));
    assert_true (s_wait_workers (fixture, STAGE_CLASSIFY, 1, 10000));
    s_publish (fixture, STAGE_NORMALIZE, 3, 5, "plain");
    assert_true (s_wait_sink (&sink, 5, 10000));
    uint64_t counters [4];
    s_counters (worker, counters);
    assert_int_equal (counters [0], 5);
    assert_true (counters [3] >= 1);
    zactor_destroy (&worker);
    zactor_destroy (&consumer);
    s_fixture_destroy (&fixture);
}

static void
test_reload (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    transform_t transform = { 0 };
    worker_args_t targs;
    zactor_t *worker = s_worker_start (fixture, &targs, &s_transform, &transform, 0);
    zstr_send (worker, "RELOAD");
    uint64_t counters [4];
    s_counters (worker, counters);              //  Round trip: RELOAD was handled
    assert_int_equal (__atomic_load_n (&transform.reloads, __ATOMIC_SEQ_CST), 1);
    zactor_destroy (&worker);
    s_fixture_destroy (&fixture);
}

static void
test_fault_parse (void **state)
{
    char *text;
    assert_null (worker_fault_text (NULL, "normalize"));
    assert_null (worker_fault_text ("", "normalize"));
    assert_null (worker_fault_text ("normalize", "normalize"));
    assert_null (worker_fault_text ("normalize:crash-on:", "normalize"));
    assert_null (worker_fault_text ("normalize:explode:X", "normalize"));
    assert_null (worker_fault_text ("normalize:crash-on:X", "store"));
    assert_null (worker_fault_text ("norm:crash-on:X", "normalize"));
    text = worker_fault_text ("normalize:crash-on:POISON", "normalize");
    assert_string_equal (text, "POISON");
    free (text);
    text = worker_fault_text ("*:crash-on:boom", "classify");
    assert_string_equal (text, "boom");
    free (text);
    text = worker_fault_text ("store:crash-on:a:b c", "store");
    assert_string_equal (text, "a:b c");
    free (text);
}

//  Start this executable as a worker process for the transform stage
static pid_t
s_child_start (fixture_t *fixture, const char *fault)
{
    pid_t pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0) {
        if (fault)
            setenv ("COPYDESK_FAULT", fault, 1);
        else
            unsetenv ("COPYDESK_FAULT");
        execl (s_self_exe, s_self_exe, "--child", fixture->home, fixture->endpoint, (char *) NULL);
        _exit (127);
    }
    return pid;
}

//  Wait for a child to end; returns its wait status, or -1 on timeout
static int
s_child_wait (pid_t pid, int timeout)
{
    int64_t deadline = zclock_mono () + timeout;
    while (zclock_mono () < deadline) {
        int status;
        if (waitpid (pid, &status, WNOHANG) == pid)
            return status;
        zclock_sleep (10);
    }
    kill (pid, SIGKILL);
    waitpid (pid, NULL, 0);
    return -1;
}

static void
test_fault_crash (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    sink_t sink = { PTHREAD_MUTEX_INITIALIZER };
    worker_args_t sargs;
    zactor_t *consumer = s_worker_start (fixture, &sargs, &s_sink, &sink, 0);
    s_publish (fixture, STAGE_NORMALIZE, 1, 1, "plain");
    s_publish (fixture, STAGE_NORMALIZE, 2, 1, "POISON");
    //  max_attempts = 2: the poison kills two workers, then it is dead
    for (int round = 0; round < 2; round++) {
        pid_t child = s_child_start (fixture, "normalize:crash-on:POISON");
        int status = s_child_wait (child, 20000);
        assert_true (status != -1);
        assert_true (WIFSIGNALED (status));
        assert_int_equal (WTERMSIG (status), SIGABRT);
    }
    assert_true (s_wait_stat (fixture, NULL, "dead", 1, 10000));
    //  A healthy worker finishes the rest
    pid_t child = s_child_start (fixture, NULL);
    assert_true (s_wait_workers (fixture, STAGE_NORMALIZE, 1, 10000));
    assert_true (s_wait_sink (&sink, 1, 10000));
    //  Item 1 may have been handled twice (at least once), the poison never
    assert_true (sink.seen [1] >= 1);
    assert_int_equal (sink.seen [2], 0);
    assert_true (s_wait_stat (fixture, STAGE_NORMALIZE, "depth", 0, 5000));
    //  SIGHUP reloads (the child touches a file), SIGTERM stops cleanly
    char *reloaded = xasprintf ("%s/reloaded", fixture->home);
    kill (child, SIGHUP);
    int64_t deadline = zclock_mono () + 5000;
    while (access (reloaded, F_OK) != 0 && zclock_mono () < deadline)
        zclock_sleep (10);
    assert_int_equal (access (reloaded, F_OK), 0);
    free (reloaded);
    kill (child, SIGTERM);
    int status = s_child_wait (child, 10000);
    assert_true (status != -1);
    assert_true (WIFEXITED (status));
    assert_int_equal (WEXITSTATUS (status), 0);
    zactor_destroy (&consumer);
    s_fixture_destroy (&fixture);
}

static void
test_paused_rejoin (void **state)
{
    //  A worker paused longer than heartbeat x liveness is expired by the
    //  broker; once it runs again, idle, it must find out and register again
    fixture_t *fixture = s_fixture_new (NULL);
    sink_t sink = { PTHREAD_MUTEX_INITIALIZER };
    worker_args_t sargs;
    zactor_t *consumer = s_worker_start (fixture, &sargs, &s_sink, &sink, 0);
    pid_t child = s_child_start (fixture, NULL);
    assert_true (s_wait_workers (fixture, STAGE_NORMALIZE, 1, 10000));
    kill (child, SIGSTOP);
    assert_true (s_wait_workers (fixture, STAGE_NORMALIZE, 0, 10000));
    kill (child, SIGCONT);
    assert_true (s_wait_workers (fixture, STAGE_NORMALIZE, 1, 10000));
    s_publish (fixture, STAGE_NORMALIZE, 5, 3, "plain");
    assert_true (s_wait_sink (&sink, 3, 10000));
    assert_int_equal (sink.seen [5] + sink.seen [6] + sink.seen [7], 3);
    kill (child, SIGTERM);
    int status = s_child_wait (child, 10000);
    assert_true (status != -1 && WIFEXITED (status) && WEXITSTATUS (status) == 0);
    zactor_destroy (&consumer);
    s_fixture_destroy (&fixture);
}

//  The child: worker_run on the transform stage until SIGTERM
static int
s_child_main (const char *home, const char *endpoint)
{
    config_t *config = config_load (home);
    if (!config)
        return 1;
    transform_t transform = { 0 };
    char *reloaded = xasprintf ("%s/reloaded", home);
    transform.reload_file = reloaded;
    worker_options_t options;
    worker_options_init (&options, config);
    options.endpoint = endpoint;
    int rc = worker_run (&s_transform, &transform, &options);
    free (reloaded);
    config_destroy (&config);
    return rc == 0 ? 0 : 1;
}

int
main (int argc, char **argv)
{
    if (argc == 4 && streq (argv [1], "--child"))
        return s_child_main (argv [2], argv [3]);
    s_self_exe = realpath ("/proc/self/exe", NULL);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_teardown (test_fault_parse, s_teardown),
        cmocka_unit_test_teardown (test_transform, s_teardown),
        cmocka_unit_test_teardown (test_window, s_teardown),
        cmocka_unit_test_teardown (test_reject, s_teardown),
        cmocka_unit_test_teardown (test_hold, s_teardown),
        cmocka_unit_test_teardown (test_nap, s_teardown),
        cmocka_unit_test_teardown (test_reload, s_teardown),
        cmocka_unit_test_teardown (test_reconnect, s_teardown),
        cmocka_unit_test_teardown (test_slow_handler, s_teardown),
        cmocka_unit_test_teardown (test_custody, s_teardown),
        cmocka_unit_test_teardown (test_overloaded, s_teardown),
        cmocka_unit_test_teardown (test_fault_crash, s_teardown),
        cmocka_unit_test_teardown (test_paused_rejoin, s_teardown),
    };
    int rc = cmocka_run_group_tests (tests, NULL, NULL);
    free (s_self_exe);
    return rc;
}
