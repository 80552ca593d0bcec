//  SPDX-License-Identifier: MIT
//  broker: the actor in a temp home, spoken to from DEALER sockets.
//  publish -> accept -> deliver -> ack, credit windows, heartbeat expiry,
//  suspects, max attempts, REJECT, BYE, backpressure, restart and replay,
//  hostile peers, statistics
#include "common.h"
#include "broker/broker.h"
#include "broker/deadlog.h"
#include <setjmp.h>
#include <cmocka.h>
#include <ftw.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define WAIT_MS 5000            //  Longest wait for anything expected
#define QUIET_MS 250            //  How long "nothing more arrives" is checked

//  ==========================================================================
//  Test home and broker

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

typedef struct {
    char *home;
    config_t *config;
    zactor_t *actor;
    char *endpoint;
    char *tap;
} fixture_t;

//  A home with short heartbeats; settings are "key=value" strings
static fixture_t *
s_fixture_new (const char **settings)
{
    fixture_t *self = (fixture_t *) xcalloc (1, sizeof (fixture_t));
    self->home = xstrdup ("/tmp/copydesk-test-broker-XXXXXX");
    assert_non_null (mkdtemp (self->home));
    self->config = config_load (self->home);
    assert_non_null (self->config);
    config_set (self->config, "broker/heartbeat", "100");
    config_set (self->config, "broker/liveness", "3");
    for (int i = 0; settings && settings [i]; i++) {
        char *copy = xstrdup (settings [i]);
        char *eq = strchr (copy, '=');
        assert_non_null (eq);
        *eq = 0;
        config_set (self->config, copy, eq + 1);
        free (copy);
    }
    return self;
}

static void
s_broker_start (fixture_t *self)
{
    self->actor = zactor_new (broker_actor, self->config);
    assert_non_null (self->actor);
    zstr_send (self->actor, "ENDPOINT");
    free (self->endpoint);
    self->endpoint = zstr_recv (self->actor);
    assert_non_null (self->endpoint);
    assert_true (strlen (self->endpoint) > 0);
    zstr_send (self->actor, "TAP");
    free (self->tap);
    self->tap = zstr_recv (self->actor);
    assert_true (str_starts (self->tap, "ipc://"));
}

static void
s_broker_stop (fixture_t *self)
{
    zactor_destroy (&self->actor);
}

static void
s_fixture_destroy (fixture_t **self_p)
{
    fixture_t *self = *self_p;
    s_broker_stop (self);
    config_destroy (&self->config);
    nftw (self->home, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    free (self->home);
    free (self->endpoint);
    free (self->tap);
    free (self);
    *self_p = NULL;
}

//  ==========================================================================
//  A protocol client on a DEALER

typedef struct {
    zsock_t *sock;
    void *handle;
    bool worker;                //  Heartbeats while waiting
    int64_t last_send;
    uint64_t pubseq;            //  Last pubseq used
} client_t;

//  Workers of the running test: every wait heartbeats all of them, so a
//  worker stays alive while the test waits on another socket
#define MAX_CLIENTS 32
static client_t *s_clients [MAX_CLIENTS];

static void
s_pump_heartbeats (void)
{
    int64_t now = zclock_mono ();
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client_t *client = s_clients [i];
        if (client && client->worker && now - client->last_send >= 40) {
            assert_int_equal (proto_send_wait (client->handle, PROTO_HEARTBEAT, 0, NULL), 0);
            client->last_send = now;
        }
    }
}

static client_t *
s_client_new (const char *endpoint, bool worker)
{
    client_t *self = (client_t *) xcalloc (1, sizeof (client_t));
    self->sock = zsock_new (ZMQ_DEALER);
    zsock_set_linger (self->sock, 0);
    zsock_set_sndtimeo (self->sock, WAIT_MS);
    assert_int_equal (zsock_connect (self->sock, "%s", endpoint), 0);
    self->handle = zsock_resolve (self->sock);
    self->worker = worker;
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (!s_clients [i]) {
            s_clients [i] = self;
            break;
        }
    return self;
}

static void
s_client_destroy (client_t **self_p)
{
    client_t *self = *self_p;
    if (self) {
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (s_clients [i] == self)
                s_clients [i] = NULL;
        zsock_destroy (&self->sock);
        free (self);
        *self_p = NULL;
    }
}

static void
s_send (client_t *self, char command, int nparts, proto_part_t *parts)
{
    assert_int_equal (proto_send_wait (self->handle, command, nparts, parts), 0);
    self->last_send = zclock_mono ();
}

//  Receive the next message that is not a HEARTBEAT within timeout ms.
//  Returns 0 and a checked message, or -1 on timeout. Workers heartbeat.
static int
s_recv (client_t *self, proto_msg_t *msg, int timeout)
{
    int64_t deadline = zclock_mono () + timeout;
    while (true) {
        int64_t now = zclock_mono ();
        s_pump_heartbeats ();
        long wait = (long) (deadline - now);
        wait = wait < 0 ? 0 : wait > 40 ? 40 : wait;
        zmq_pollitem_t item = { self->handle, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, wait) > 0) {
            assert_int_equal (proto_recv (self->handle, msg, false, 0), 0);
            const char *code;
            assert_int_equal (proto_check (msg, &code), 0);
            if (msg->command != PROTO_HEARTBEAT)
                return 0;
            proto_close (msg);
            continue;
        }
        if (zclock_mono () >= deadline)
            return -1;
    }
}

static void
s_expect (client_t *self, proto_msg_t *msg, char command)
{
    assert_int_equal (s_recv (self, msg, WAIT_MS), 0);
    if (msg->command != command)
        fail_msg ("expected %s, got %s", proto_command_name (command),
                  proto_command_name (msg->command));
}

//  Nothing but heartbeats for QUIET_MS
static void
s_expect_quiet (client_t *self)
{
    proto_msg_t msg;
    if (s_recv (self, &msg, QUIET_MS) == 0) {
        char command = msg.command;
        proto_close (&msg);
        fail_msg ("expected nothing, got %s", proto_command_name (command));
    }
}

static void
s_ready (client_t *self, const char *queue, uint32_t credit, const char *name)
{
    uint8_t window [4];
    proto_put_u32 (window, credit);
    buf_t info;
    buf_init (&info);
    msgpack_packer pk;
    codec_packer_init (&pk, &info);
    msgpack_pack_map (&pk, 4);
    codec_pack_kv_str (&pk, "name", name);
    codec_pack_kv_str (&pk, "host", "testhost");
    codec_pack_kv_int (&pk, "pid", 4242);
    codec_pack_kv_str (&pk, "version", "test");
    proto_part_t parts [3] = {
        { queue, strlen (queue), NULL }, { window, 4, NULL }, { info.data, info.size, NULL }
    };
    s_send (self, PROTO_READY, 3, parts);
    buf_free (&info);
}

//  A payload: the msgpack map {"n": n, "pad": <size bytes>}
static void
s_payload (buf_t *buf, uint64_t n, size_t size)
{
    buf_clear (buf);
    msgpack_packer pk;
    codec_packer_init (&pk, buf);
    msgpack_pack_map (&pk, 2);
    codec_pack_str (&pk, "n");
    msgpack_pack_uint64 (&pk, n);
    codec_pack_str (&pk, "pad");
    char *pad = (char *) xmalloc (size + 1);
    memset (pad, 'p', size);
    msgpack_pack_bin_with_body (&pk, pad, size);
    free (pad);
}

//  The "n" of a payload
static uint64_t
s_payload_n (const uint8_t *data, size_t size)
{
    assert_true (size > 3);
    assert_int_equal (data [0], 0x82);
    assert_int_equal (data [1], 0xa1);
    assert_int_equal (data [2], 'n');
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    size_t offset = 0;
    assert_int_equal (msgpack_unpack_next (&unpacked, (const char *) data, size, &offset),
                      MSGPACK_UNPACK_SUCCESS);
    uint64_t n = unpacked.data.via.map.ptr [0].val.via.u64;
    msgpack_unpacked_destroy (&unpacked);
    return n;
}

static uint64_t
s_publish (client_t *self, const char *queue, const char *topics, const void *data, size_t size)
{
    uint8_t pubseq [8];
    proto_put_u64 (pubseq, ++self->pubseq);
    proto_part_t parts [4] = {
        { queue, strlen (queue), NULL }, { pubseq, 8, NULL },
        { topics ? topics : "", topics ? strlen (topics) : 0, NULL }, { data, size, NULL }
    };
    s_send (self, PROTO_PUBLISH, 4, parts);
    return self->pubseq;
}

static uint64_t
s_publish_n (client_t *self, const char *queue, const char *topics, uint64_t n, size_t size)
{
    buf_t buf;
    buf_init (&buf);
    s_payload (&buf, n, size);
    uint64_t pubseq = s_publish (self, queue, topics, buf.data, buf.size);
    buf_free (&buf);
    return pubseq;
}

//  Receive ACCEPTs until count pubseqs are accepted; returns how many
//  came (fails on REFUSE); marks them in seen[pubseq] if seen is set
static void
s_expect_accepts (client_t *self, size_t count, bool *seen)
{
    size_t got = 0;
    while (got < count) {
        proto_msg_t msg;
        s_expect (self, &msg, PROTO_ACCEPT);
        size_t n = proto_arg_size (&msg, 0) / 8;
        for (size_t i = 0; i < n; i++) {
            uint64_t pubseq = proto_get_u64 (proto_arg (&msg, 0) + i * 8);
            if (seen) {
                assert_false (seen [pubseq]);
                seen [pubseq] = true;
            }
        }
        got += n;
        proto_close (&msg);
    }
    assert_int_equal (got, count);
}

static void
s_ack (client_t *self, uint64_t seq)
{
    uint8_t seqs [8];
    proto_put_u64 (seqs, seq);
    proto_part_t part = { seqs, 8, NULL };
    s_send (self, PROTO_ACK, 1, &part);
}

//  A delivery
typedef struct {
    uint64_t seq;
    uint32_t attempts;
    uint64_t n;
    char queue [32];
} delivery_t;

static delivery_t
s_expect_delivery (client_t *self)
{
    proto_msg_t msg;
    s_expect (self, &msg, PROTO_DELIVER);
    delivery_t d;
    proto_arg_text (&msg, 0, d.queue, sizeof d.queue);
    d.seq = proto_arg_u64 (&msg, 1);
    d.attempts = proto_arg_u32 (&msg, 2);
    d.n = s_payload_n (proto_arg (&msg, 3), proto_arg_size (&msg, 3));
    proto_close (&msg);
    return d;
}

static void
s_expect_error (client_t *self, const char *code)
{
    proto_msg_t msg;
    s_expect (self, &msg, PROTO_ERROR);
    char text [64];
    proto_arg_text (&msg, 0, text, sizeof text);
    assert_string_equal (text, code);
    proto_close (&msg);
}

static void
s_expect_refuse (client_t *self, uint64_t pubseq, const char *reason)
{
    proto_msg_t msg;
    s_expect (self, &msg, PROTO_REFUSE);
    assert_int_equal (proto_arg_u64 (&msg, 0), pubseq);
    char text [64];
    proto_arg_text (&msg, 1, text, sizeof text);
    assert_string_equal (text, reason);
    proto_close (&msg);
}

//  ==========================================================================
//  Statistics

typedef struct {
    msgpack_zone zone;
    msgpack_object root;
    uint8_t *data;
} stats_t;

static void
s_stats_free (stats_t *stats)
{
    msgpack_zone_destroy (&stats->zone);
    free (stats->data);
}

static void
s_status (client_t *self, stats_t *stats)
{
    s_send (self, PROTO_STATUS, 0, NULL);
    proto_msg_t msg;
    s_expect (self, &msg, PROTO_STATS);
    size_t size = proto_arg_size (&msg, 0);
    stats->data = (uint8_t *) xmalloc (size);
    memcpy (stats->data, proto_arg (&msg, 0), size);
    proto_close (&msg);
    msgpack_zone_init (&stats->zone, 4096);
    assert_int_equal (mpcheck_unpack (stats->data, size, &stats->zone, &stats->root, NULL, 0), 0);
    assert_int_equal (stats->root.type, MSGPACK_OBJECT_MAP);
}

//  The object at a dotted path ("queues.normalize.acked"), or NULL
static const msgpack_object *
s_stat_find (const msgpack_object *root, const char *path)
{
    char key [64];
    const char *dot = strchr (path, '.');
    size_t len = dot ? (size_t) (dot - path) : strlen (path);
    snprintf (key, sizeof key, "%.*s", (int) len, path);
    if (root->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < root->via.map.size; i++)
        if (codec_key_is (&root->via.map.ptr [i].key, key))
            return dot ? s_stat_find (&root->via.map.ptr [i].val, dot + 1)
                       : &root->via.map.ptr [i].val;
    return NULL;
}

static int64_t
s_stat (stats_t *stats, const char *path)
{
    const msgpack_object *o = s_stat_find (&stats->root, path);
    if (!o)
        fail_msg ("no %s in the stats", path);
    if (o->type == MSGPACK_OBJECT_BOOLEAN)
        return o->via.boolean;
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        return (int64_t) o->via.u64;
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return o->via.i64;
    if (o->type == MSGPACK_OBJECT_FLOAT64 || o->type == MSGPACK_OBJECT_FLOAT32)
        return (int64_t) o->via.f64;
    fail_msg ("%s is not a number", path);
    return 0;
}

//  Poll STATUS until path == value (the broker works asynchronously)
static void
s_wait_stat (client_t *self, const char *path, int64_t value)
{
    int64_t deadline = zclock_mono () + WAIT_MS;
    int64_t last = -1;
    while (zclock_mono () < deadline) {
        stats_t stats;
        s_status (self, &stats);
        last = s_stat (&stats, path);
        s_stats_free (&stats);
        if (last == value)
            return;
        s_pump_heartbeats ();
        zmq_poll (NULL, 0, 20);         //  Pace the polling
    }
    fail_msg ("%s stayed %" PRId64 ", expected %" PRId64, path, last, value);
}

//  A tap subscriber
static zsock_t *
s_tap_new (fixture_t *fixture, const char *prefix)
{
    zsock_t *sub = zsock_new (ZMQ_SUB);
    zsock_set_rcvtimeo (sub, WAIT_MS);
    assert_int_equal (zsock_connect (sub, "%s", fixture->tap), 0);
    zsock_set_subscribe (sub, prefix);
    return sub;
}

//  Receive a tap message within WAIT_MS, heartbeating the workers meanwhile
static zmsg_t *
s_tap_msg (zsock_t *sub)
{
    int64_t deadline = zclock_mono () + WAIT_MS;
    while (zclock_mono () < deadline) {
        s_pump_heartbeats ();
        zmq_pollitem_t item = { zsock_resolve (sub), 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 40) > 0)
            return zmsg_recv (sub);
    }
    return NULL;
}

//  Wait until the subscription is in place: the broker publishes $stats
//  every second, so a "$stats"-subscribed tap sees one
static void
s_tap_settle (zsock_t *sub)
{
    zsock_set_subscribe (sub, "$stats");
    zmsg_t *msg = s_tap_msg (sub);
    while (msg) {
        char *topic = zmsg_popstr (msg);
        bool stats = topic && streq (topic, "$stats");
        zstr_free (&topic);
        zmsg_destroy (&msg);
        if (stats)
            break;
        msg = s_tap_msg (sub);
    }
    zsock_set_unsubscribe (sub, "$stats");
}

//  Next tap message not on $stats; caller frees the topic
static char *
s_tap_recv (zsock_t *sub, zframe_t **payload)
{
    while (true) {
        zmsg_t *msg = s_tap_msg (sub);
        assert_non_null (msg);
        char *topic = zmsg_popstr (msg);
        if (!streq (topic, "$stats")) {
            *payload = zmsg_pop (msg);
            zmsg_destroy (&msg);
            return topic;
        }
        zstr_free (&topic);
        zmsg_destroy (&msg);
    }
}

//  ==========================================================================
//  Tests

static void
test_publish_deliver_ack (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    s_broker_start (fixture);
    zsock_t *tap = s_tap_new (fixture, "normalized.");
    s_tap_settle (tap);

    client_t *producer = s_client_new (fixture->endpoint, false);
    for (uint64_t n = 1; n <= 10; n++)
        s_publish_n (producer, STAGE_NORMALIZE, "normalized.test\nother.x", n, 100 * n);
    bool seen [16] = { false };
    s_expect_accepts (producer, 10, seen);
    for (int i = 1; i <= 10; i++)
        assert_true (seen [i]);

    //  Tapped after ACCEPT, on each topic subscribed to
    for (uint64_t n = 1; n <= 10; n++) {
        zframe_t *payload;
        char *topic = s_tap_recv (tap, &payload);
        assert_string_equal (topic, "normalized.test");
        assert_int_equal (s_payload_n (zframe_data (payload), zframe_size (payload)), n);
        zstr_free (&topic);
        zframe_destroy (&payload);
    }

    //  A worker gets them in order, seqs from 1, attempts 0
    client_t *worker = s_client_new (fixture->endpoint, true);
    s_ready (worker, STAGE_NORMALIZE, 100, "normalize");
    for (uint64_t n = 1; n <= 10; n++) {
        delivery_t d = s_expect_delivery (worker);
        assert_string_equal (d.queue, STAGE_NORMALIZE);
        assert_int_equal (d.seq, n);
        assert_int_equal (d.attempts, 0);
        assert_int_equal (d.n, n);
        s_ack (worker, d.seq);
    }
    s_expect_quiet (worker);
    s_wait_stat (producer, "queues.normalize.acked", 10);
    stats_t stats;
    s_status (producer, &stats);
    assert_int_equal (s_stat (&stats, "queues.normalize.depth"), 0);
    assert_int_equal (s_stat (&stats, "queues.normalize.inflight"), 0);
    assert_int_equal (s_stat (&stats, "queues.normalize.published"), 10);
    assert_int_equal (s_stat (&stats, "queues.normalize.delivered"), 10);
    assert_int_equal (s_stat (&stats, "accepted"), 10);
    assert_int_equal (s_stat (&stats, "idle"), 1);
    s_stats_free (&stats);

    //  Peer topics are cleaned: nobody but the broker publishes $stats
    zsock_set_subscribe (tap, "_stats");
    s_publish_n (producer, STAGE_NORMALIZE, "$stats", 11, 10);
    s_expect_accepts (producer, 1, NULL);
    zframe_t *spoof;
    char *spoof_topic = s_tap_recv (tap, &spoof);
    assert_string_equal (spoof_topic, "_stats");
    zstr_free (&spoof_topic);
    zframe_destroy (&spoof);
    s_ack (worker, s_expect_delivery (worker).seq);

    //  EVENT goes to the tap only
    buf_t buf;
    buf_init (&buf);
    s_payload (&buf, 77, 10);
    proto_part_t parts [2] = { { "normalized.event", 16, NULL }, { buf.data, buf.size, NULL } };
    s_send (producer, PROTO_EVENT, 2, parts);
    zframe_t *payload;
    char *topic = s_tap_recv (tap, &payload);
    assert_string_equal (topic, "normalized.event");
    assert_int_equal (s_payload_n (zframe_data (payload), zframe_size (payload)), 77);
    zstr_free (&topic);
    zframe_destroy (&payload);
    buf_free (&buf);

    //  Duplicate and unknown ACKs are ignored (STATUS on the same socket
    //  is answered after they are handled)
    s_ack (worker, 3);
    s_ack (worker, 12345);
    s_status (worker, &stats);
    assert_int_equal (s_stat (&stats, "queues.normalize.acked"), 11);
    assert_int_equal (s_stat (&stats, "errors"), 0);
    s_stats_free (&stats);

    zsock_destroy (&tap);
    s_client_destroy (&worker);
    s_client_destroy (&producer);
    s_fixture_destroy (&fixture);
}

static void
test_credit_window (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    s_broker_start (fixture);
    client_t *producer = s_client_new (fixture->endpoint, false);
    for (uint64_t n = 1; n <= 20; n++)
        s_publish_n (producer, STAGE_CLASSIFY, NULL, n, 50);
    s_expect_accepts (producer, 20, NULL);

    client_t *worker = s_client_new (fixture->endpoint, true);
    s_ready (worker, STAGE_CLASSIFY, 5, "classify");
    delivery_t got [20];
    for (int i = 0; i < 5; i++)
        got [i] = s_expect_delivery (worker);
    s_expect_quiet (worker);                    //  Window full
    s_ack (worker, got [0].seq);
    s_ack (worker, got [1].seq);
    got [5] = s_expect_delivery (worker);
    got [6] = s_expect_delivery (worker);
    s_expect_quiet (worker);

    //  A larger window lets more out; a smaller one recalls nothing
    uint8_t credit [4];
    proto_put_u32 (credit, 8);
    proto_part_t part = { credit, 4, NULL };
    s_send (worker, PROTO_CREDIT, 1, &part);
    for (int i = 7; i < 10; i++)
        got [i] = s_expect_delivery (worker);
    s_expect_quiet (worker);                    //  8 in flight
    proto_put_u32 (credit, 1);
    s_send (worker, PROTO_CREDIT, 1, &part);
    s_ack (worker, got [2].seq);
    s_expect_quiet (worker);                    //  7 in flight > 1
    for (int i = 3; i < 10; i++)
        if (i != 2)
            s_ack (worker, got [i].seq);
    got [10] = s_expect_delivery (worker);      //  Exactly one at a time now
    s_expect_quiet (worker);
    for (int i = 0; i <= 10; i++)
        assert_int_equal (got [i].n, (uint64_t) i + 1);

    //  CREDIT 0 pauses the worker
    proto_put_u32 (credit, 0);
    s_send (worker, PROTO_CREDIT, 1, &part);
    s_ack (worker, got [10].seq);
    s_expect_quiet (worker);
    stats_t stats;
    s_status (producer, &stats);
    assert_int_equal (s_stat (&stats, "queues.classify.depth"), 9);
    assert_int_equal (s_stat (&stats, "queues.classify.inflight"), 0);
    assert_int_equal (s_stat (&stats, "idle"), 0);
    s_stats_free (&stats);

    s_client_destroy (&worker);
    s_client_destroy (&producer);
    s_fixture_destroy (&fixture);
}

static void
test_round_robin (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    s_broker_start (fixture);
    client_t *producer = s_client_new (fixture->endpoint, false);
    client_t *workers [4];
    for (int w = 0; w < 4; w++) {
        workers [w] = s_client_new (fixture->endpoint, true);
        s_ready (workers [w], STAGE_NORMALIZE, 2, "normalize");
    }
    s_wait_stat (producer, "queues.normalize.workers", 4);
    for (uint64_t n = 1; n <= 200; n++)
        s_publish_n (producer, STAGE_NORMALIZE, NULL, n, 64);
    s_expect_accepts (producer, 200, NULL);
    //  Every worker gets its share; no message twice, none lost
    bool seen [201] = { false };
    int share [4] = { 0 };
    int got = 0;
    int64_t deadline = zclock_mono () + WAIT_MS;
    while (got < 200 && zclock_mono () < deadline) {
        s_pump_heartbeats ();
        zmq_pollitem_t items [4];
        for (int w = 0; w < 4; w++)
            items [w] = (zmq_pollitem_t) { workers [w]->handle, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (items, 4, 40) <= 0)
            continue;
        for (int w = 0; w < 4; w++) {
            proto_msg_t msg;
            if (!(items [w].revents & ZMQ_POLLIN) || s_recv (workers [w], &msg, 0))
                continue;
            assert_int_equal (msg.command, PROTO_DELIVER);
            uint64_t n = s_payload_n (proto_arg (&msg, 3), proto_arg_size (&msg, 3));
            assert_false (seen [n]);
            seen [n] = true;
            share [w]++;
            got++;
            s_ack (workers [w], proto_arg_u64 (&msg, 1));
            proto_close (&msg);
        }
    }
    assert_int_equal (got, 200);
    for (int w = 0; w < 4; w++)
        assert_true (share [w] >= 20);
    s_wait_stat (producer, "queues.normalize.acked", 200);
    for (int w = 0; w < 4; w++)
        s_client_destroy (&workers [w]);
    s_client_destroy (&producer);
    s_fixture_destroy (&fixture);
}

static void
test_expiry_and_suspects (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    s_broker_start (fixture);
    client_t *producer = s_client_new (fixture->endpoint, false);
    for (uint64_t n = 1; n <= 5; n++)
        s_publish_n (producer, STAGE_STORE, NULL, n, 20);
    s_expect_accepts (producer, 5, NULL);

    //  Worker A takes 3 and falls silent (no heartbeats)
    client_t *a = s_client_new (fixture->endpoint, false);
    s_ready (a, STAGE_STORE, 3, "store-a");
    for (uint64_t n = 1; n <= 3; n++)
        assert_int_equal (s_expect_delivery (a).n, n);
    s_wait_stat (producer, "queues.store.redelivered", 3);
    s_wait_stat (producer, "expired", 1);

    //  Worker B gets the three suspects one at a time, attempts 1, in
    //  order, each alone; then the fresh ones together
    client_t *b = s_client_new (fixture->endpoint, true);
    s_ready (b, STAGE_STORE, 10, "store-b");
    for (uint64_t n = 1; n <= 3; n++) {
        delivery_t d = s_expect_delivery (b);
        assert_int_equal (d.n, n);
        assert_int_equal (d.seq, n);
        assert_int_equal (d.attempts, 1);
        s_expect_quiet (b);
        s_ack (b, d.seq);
    }
    delivery_t d4 = s_expect_delivery (b);
    delivery_t d5 = s_expect_delivery (b);
    assert_int_equal (d4.n, 4);
    assert_int_equal (d5.n, 5);
    assert_int_equal (d4.attempts, 0);
    s_ack (b, d4.seq);
    s_ack (b, d5.seq);
    s_wait_stat (producer, "stored", 5);

    //  A's late acks are ignored: the messages are settled
    s_ack (a, 1);
    s_expect_error (a, "not-registered");       //  A was expired
    s_client_destroy (&a);
    s_send (b, PROTO_BYE, 0, NULL);
    s_client_destroy (&b);

    //  A suspect waits for a worker with nothing in flight: a busy worker
    //  gets no fresh work until it has drained and taken the suspect alone
    client_t *c = s_client_new (fixture->endpoint, true);
    s_ready (c, STAGE_STORE, 1, "store-c");
    s_publish_n (producer, STAGE_STORE, NULL, 6, 20);
    s_expect_accepts (producer, 1, NULL);
    delivery_t d6 = s_expect_delivery (c);
    assert_int_equal (d6.n, 6);
    b = s_client_new (fixture->endpoint, true);
    s_ready (b, STAGE_STORE, 10, "store-b");
    s_send (c, PROTO_HEARTBEAT, 0, NULL);       //  C dies only from here on
    c->worker = false;
    s_publish_n (producer, STAGE_STORE, NULL, 7, 20);
    s_publish_n (producer, STAGE_STORE, NULL, 8, 20);
    s_expect_accepts (producer, 2, NULL);
    delivery_t d7 = s_expect_delivery (b);
    delivery_t d8 = s_expect_delivery (b);
    assert_int_equal (d7.n, 7);
    assert_int_equal (d8.n, 8);
    s_wait_stat (producer, "expired", 2);
    //  6 is a suspect now; B holds 7 and 8, so it is drained first
    s_publish_n (producer, STAGE_STORE, NULL, 9, 20);
    s_expect_accepts (producer, 1, NULL);
    s_expect_quiet (b);
    s_ack (b, d7.seq);
    s_expect_quiet (b);
    s_ack (b, d8.seq);
    delivery_t again = s_expect_delivery (b);
    assert_int_equal (again.n, 6);
    assert_int_equal (again.attempts, 1);
    s_expect_quiet (b);
    s_ack (b, again.seq);
    delivery_t d9 = s_expect_delivery (b);
    assert_int_equal (d9.n, 9);
    assert_int_equal (d9.attempts, 0);
    s_ack (b, d9.seq);
    s_wait_stat (producer, "stored", 9);
    s_client_destroy (&c);
    s_client_destroy (&b);
    s_client_destroy (&producer);
    s_fixture_destroy (&fixture);
}

static void
test_max_attempts (void **state)
{
    const char *settings [] = { "broker/max_attempts=2", NULL };
    fixture_t *fixture = s_fixture_new (settings);
    s_broker_start (fixture);
    zsock_t *tap = s_tap_new (fixture, "dead.");
    s_tap_settle (tap);
    client_t *producer = s_client_new (fixture->endpoint, false);
    s_publish_n (producer, STAGE_NORMALIZE, NULL, 1, 300);
    s_expect_accepts (producer, 1, NULL);

    //  Two workers take it and die without a word
    for (int round = 0; round < 2; round++) {
        client_t *worker = s_client_new (fixture->endpoint, false);
        s_ready (worker, STAGE_NORMALIZE, 10, round ? "poisoned-2" : "poisoned-1");
        delivery_t d = s_expect_delivery (worker);
        assert_int_equal (d.n, 1);
        assert_int_equal (d.attempts, (uint32_t) round);
        s_client_destroy (&worker);
        s_wait_stat (producer, "expired", round + 1);
    }
    s_wait_stat (producer, "dead", 1);
    s_wait_stat (producer, "idle", 1);          //  Once the dead letter is committed
    stats_t stats;
    s_status (producer, &stats);
    assert_int_equal (s_stat (&stats, "dead_total"), 1);
    assert_int_equal (s_stat (&stats, "queues.normalize.dead"), 1);
    assert_int_equal (s_stat (&stats, "queues.normalize.depth"), 0);
    s_stats_free (&stats);

    //  On the tap as dead.normalize, with the raw bytes
    zframe_t *payload;
    char *topic = s_tap_recv (tap, &payload);
    assert_string_equal (topic, "dead.normalize");
    deadletter_t *letter = deadletter_decode (zframe_data (payload), zframe_size (payload), NULL, 0);
    assert_non_null (letter);
    assert_int_equal (s_payload_n (letter->raw, letter->raw_size), 1);
    deadletter_destroy (&letter);
    zstr_free (&topic);
    zframe_destroy (&payload);

    //  In the dead-letter log
    char *path = xasprintf ("%s/dead/dead.log", fixture->home);
    deadlog_reader_t *reader = deadlog_open (path);
    assert_non_null (reader);
    letter = deadlog_next (reader);
    assert_non_null (letter);
    assert_string_equal (letter->stage, STAGE_NORMALIZE);
    assert_int_equal (letter->seq, 1);
    assert_int_equal (letter->attempts, 2);
    assert_non_null (strstr (letter->reason, "worker died or timed out 2 times; last worker poisoned-2@testhost:4242"));
    assert_int_equal (s_payload_n (letter->raw, letter->raw_size), 1);
    deadletter_destroy (&letter);
    assert_null (deadlog_next (reader));
    deadlog_close (&reader);

    //  The count survives a restart
    s_client_destroy (&producer);
    s_broker_stop (fixture);
    s_broker_start (fixture);
    producer = s_client_new (fixture->endpoint, false);
    s_status (producer, &stats);
    assert_int_equal (s_stat (&stats, "dead_total"), 1);
    assert_int_equal (s_stat (&stats, "dead"), 0);
    assert_int_equal (s_stat (&stats, "journal.replayed"), 0);
    s_stats_free (&stats);
    free (path);
    zsock_destroy (&tap);
    s_client_destroy (&producer);
    s_fixture_destroy (&fixture);
}

static void
test_reject_and_bye (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    s_broker_start (fixture);
    zsock_t *tap = s_tap_new (fixture, "dead.");
    s_tap_settle (tap);
    client_t *producer = s_client_new (fixture->endpoint, false);
    for (uint64_t n = 1; n <= 4; n++)
        s_publish_n (producer, STAGE_INGEST, NULL, n, 10);
    s_expect_accepts (producer, 4, NULL);

    client_t *a = s_client_new (fixture->endpoint, true);
    s_ready (a, STAGE_INGEST, 10, "ingest-a");
    delivery_t d [4];
    for (int i = 0; i < 4; i++)
        d [i] = s_expect_delivery (a);

    //  REJECT: straight to the dead-letter log, never redelivered
    uint8_t seq [8];
    proto_put_u64 (seq, d [0].seq);
    const char *why = "unparseable document: \x01 bad\xff bytes";
    proto_part_t parts [2] = { { seq, 8, NULL }, { why, strlen (why), NULL } };
    s_send (a, PROTO_REJECT, 2, parts);
    zframe_t *payload;
    char *topic = s_tap_recv (tap, &payload);
    assert_string_equal (topic, "dead.ingest");
    deadletter_t *letter = deadletter_decode (zframe_data (payload), zframe_size (payload), NULL, 0);
    assert_non_null (letter);
    assert_string_equal (letter->reason,
                         "rejected by ingest-a@testhost:4242: unparseable document:   bad? bytes");
    assert_int_equal (letter->attempts, 1);
    assert_int_equal (letter->seq, d [0].seq);
    deadletter_destroy (&letter);
    zstr_free (&topic);
    zframe_destroy (&payload);

    //  BYE: the rest go back to the head, attempts unchanged, same order
    s_send (a, PROTO_BYE, 0, NULL);
    client_t *b = s_client_new (fixture->endpoint, true);
    s_ready (b, STAGE_INGEST, 10, "ingest-b");
    for (int i = 1; i < 4; i++) {
        delivery_t again = s_expect_delivery (b);
        assert_int_equal (again.seq, d [i].seq);
        assert_int_equal (again.attempts, 0);
        s_ack (b, again.seq);
    }
    s_wait_stat (producer, "queues.ingest.acked", 3);
    stats_t stats;
    s_status (producer, &stats);
    assert_int_equal (s_stat (&stats, "documents"), 4);
    assert_int_equal (s_stat (&stats, "dead"), 1);
    assert_int_equal (s_stat (&stats, "queues.ingest.redelivered"), 3);
    assert_int_equal (s_stat (&stats, "queues.ingest.workers"), 1);
    s_stats_free (&stats);

    //  After BYE, A is no longer registered
    s_ack (a, d [1].seq);
    s_expect_error (a, "not-registered");
    zsock_destroy (&tap);
    s_client_destroy (&a);
    s_client_destroy (&b);
    s_client_destroy (&producer);
    s_fixture_destroy (&fixture);
}

static void
test_backpressure (void **state)
{
    const char *settings [] = { "broker/queues/classify/high_mark=10", NULL };
    fixture_t *fixture = s_fixture_new (settings);
    s_broker_start (fixture);
    client_t *producer = s_client_new (fixture->endpoint, false);
    bool seen [64] = { false };
    for (uint64_t n = 1; n <= 30; n++)
        s_publish_n (producer, STAGE_CLASSIFY, NULL, n, 100);
    //  Only up to the high mark is accepted; the rest is held
    s_expect_accepts (producer, 10, seen);
    s_expect_quiet (producer);
    for (int i = 1; i <= 10; i++)
        assert_true (seen [i]);
    stats_t stats;
    s_status (producer, &stats);
    assert_int_equal (s_stat (&stats, "queues.classify.depth"), 10);
    assert_int_equal (s_stat (&stats, "queues.classify.held"), 20);
    assert_int_equal (s_stat (&stats, "idle"), 0);
    s_stats_free (&stats);
    //  Other queues are not held
    uint64_t other = s_publish_n (producer, STAGE_STORE, NULL, 99, 10);
    bool other_seen [64] = { false };
    s_expect_accepts (producer, 1, other_seen);
    assert_true (other_seen [other]);

    //  A worker drains: every held publish is accepted in order, none lost
    client_t *worker = s_client_new (fixture->endpoint, true);
    s_ready (worker, STAGE_CLASSIFY, 4, "classify");
    bool delivered [64] = { false };
    size_t accepted = 10;
    for (int i = 0; i < 30; i++) {
        delivery_t d = s_expect_delivery (worker);
        assert_false (delivered [d.n]);
        delivered [d.n] = true;
        s_ack (worker, d.seq);
        //  Drain accepts as they come
        proto_msg_t msg;
        while (accepted < 30 && s_recv (producer, &msg, 0) == 0) {
            assert_int_equal (msg.command, PROTO_ACCEPT);
            size_t n = proto_arg_size (&msg, 0) / 8;
            uint64_t prev = 0;
            for (size_t j = 0; j < n; j++) {
                uint64_t pubseq = proto_get_u64 (proto_arg (&msg, 0) + j * 8);
                assert_false (seen [pubseq]);
                assert_true (pubseq > prev);        //  Arrival order
                prev = pubseq;
                seen [pubseq] = true;
            }
            accepted += n;
            proto_close (&msg);
        }
    }
    s_expect_accepts (producer, 30 - accepted, seen);
    for (int i = 1; i <= 30; i++) {
        assert_true (delivered [i]);
        assert_true (seen [i]);
    }
    s_wait_stat (producer, "queues.classify.acked", 30);
    s_status (producer, &stats);
    assert_int_equal (s_stat (&stats, "queues.classify.held"), 0);
    s_stats_free (&stats);
    s_client_destroy (&worker);
    s_client_destroy (&producer);
    s_fixture_destroy (&fixture);
}

static void
test_hold_limits (void **state)
{
    const char *settings [] = { "broker/queues/store/high_mark=1", "broker/max_held=3", NULL };
    fixture_t *fixture = s_fixture_new (settings);
    s_broker_start (fixture);
    client_t *producer = s_client_new (fixture->endpoint, false);
    bool seen [16] = { false };
    s_publish_n (producer, STAGE_STORE, NULL, 1, 10);
    s_expect_accepts (producer, 1, seen);
    for (uint64_t n = 2; n <= 4; n++)
        s_publish_n (producer, STAGE_STORE, NULL, n, 10);
    //  A fourth held publish is beyond this publisher's hold limit
    uint64_t pubseq = s_publish_n (producer, STAGE_STORE, NULL, 5, 10);
    s_expect_refuse (producer, pubseq, "overloaded");
    s_wait_stat (producer, "queues.store.held", 3);
    //  Another publisher has its own limit
    client_t *other = s_client_new (fixture->endpoint, false);
    s_publish_n (other, STAGE_STORE, NULL, 6, 10);
    s_wait_stat (producer, "queues.store.held", 4);
    //  A publisher that goes away loses its held publishes (never accepted)
    s_client_destroy (&other);
    s_wait_stat (producer, "held_dropped", 1);
    s_wait_stat (producer, "queues.store.held", 3);
    //  The rest are accepted as the queue drains
    client_t *worker = s_client_new (fixture->endpoint, true);
    s_ready (worker, STAGE_STORE, 1, "store");
    for (uint64_t n = 1; n <= 4; n++) {
        delivery_t d = s_expect_delivery (worker);
        assert_int_equal (d.n, n);
        s_ack (worker, d.seq);
    }
    s_expect_accepts (producer, 3, seen);
    for (int i = 1; i <= 4; i++)
        assert_true (seen [i]);
    s_client_destroy (&worker);
    s_client_destroy (&producer);
    s_fixture_destroy (&fixture);
}

static void
test_journal_compaction (void **state)
{
    const char *settings [] = { "broker/segment_size=32k", NULL };
    fixture_t *fixture = s_fixture_new (settings);
    s_broker_start (fixture);
    client_t *producer = s_client_new (fixture->endpoint, false);
    //  One message nobody consumes pins the first segment
    s_publish_n (producer, STAGE_STORE, NULL, 999, 500);
    s_expect_accepts (producer, 1, NULL);
    //  Traffic through another queue fills and settles many segments
    client_t *worker = s_client_new (fixture->endpoint, true);
    s_ready (worker, STAGE_CLASSIFY, 64, "classify");
    for (uint64_t round = 0; round < 20; round++) {
        for (uint64_t n = 1; n <= 20; n++)
            s_publish_n (producer, STAGE_CLASSIFY, NULL, round * 100 + n, 1000);
        s_expect_accepts (producer, 20, NULL);
        for (int i = 0; i < 20; i++)
            s_ack (worker, s_expect_delivery (worker).seq);
    }
    s_wait_stat (producer, "queues.classify.acked", 400);
    //  About 400 KB went through 32 KB segments: the pinned one was
    //  rewritten forward and the settled ones deleted
    stats_t stats;
    int64_t deadline = zclock_mono () + WAIT_MS;
    int64_t segments = 0, rewritten = 0;
    while (zclock_mono () < deadline) {
        s_status (producer, &stats);
        segments = s_stat (&stats, "journal.segments");
        rewritten = s_stat (&stats, "journal.rewritten");
        s_stats_free (&stats);
        if (segments <= 4 && rewritten >= 1)
            break;
        s_pump_heartbeats ();
        zmq_poll (NULL, 0, 20);
    }
    assert_true (rewritten >= 1);
    assert_true (segments <= 4);
    s_client_destroy (&worker);
    s_client_destroy (&producer);

    //  After a restart the pinned message is still there, once
    s_broker_stop (fixture);
    s_broker_start (fixture);
    producer = s_client_new (fixture->endpoint, false);
    s_status (producer, &stats);
    assert_int_equal (s_stat (&stats, "journal.replayed"), 1);
    assert_int_equal (s_stat (&stats, "queues.store.depth"), 1);
    s_stats_free (&stats);
    worker = s_client_new (fixture->endpoint, true);
    s_ready (worker, STAGE_STORE, 10, "store");
    delivery_t d = s_expect_delivery (worker);
    assert_int_equal (d.n, 999);
    assert_int_equal (d.seq, 1);
    assert_int_equal (d.attempts, 0);
    s_client_destroy (&worker);
    s_client_destroy (&producer);
    s_fixture_destroy (&fixture);
}

static void
test_restart_replay (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    s_broker_start (fixture);
    client_t *producer = s_client_new (fixture->endpoint, false);
    for (uint64_t n = 1; n <= 6; n++)
        s_publish_n (producer, STAGE_STORE, NULL, n, 1000 * n);
    s_expect_accepts (producer, 6, NULL);

    //  A worker takes 3, closes its window, acks 1 and 2, holds 3 and
    //  dies: 3 has attempts 1
    client_t *a = s_client_new (fixture->endpoint, false);
    s_ready (a, STAGE_STORE, 3, "store-a");
    delivery_t d [3];
    for (int i = 0; i < 3; i++)
        d [i] = s_expect_delivery (a);
    uint8_t credit [4] = { 0 };
    proto_part_t part = { credit, 4, NULL };
    s_send (a, PROTO_CREDIT, 1, &part);
    s_ack (a, d [0].seq);
    s_ack (a, d [1].seq);
    s_wait_stat (producer, "stored", 2);
    s_client_destroy (&a);
    s_wait_stat (producer, "queues.store.redelivered", 1);
    s_client_destroy (&producer);

    //  Restart on the same home
    s_broker_stop (fixture);
    s_broker_start (fixture);
    producer = s_client_new (fixture->endpoint, false);
    stats_t stats;
    s_status (producer, &stats);
    assert_int_equal (s_stat (&stats, "journal.replayed"), 4);
    assert_int_equal (s_stat (&stats, "queues.store.depth"), 4);
    s_stats_free (&stats);

    //  Exactly the unacked ones, with their seqs and attempts
    client_t *b = s_client_new (fixture->endpoint, true);
    s_ready (b, STAGE_STORE, 10, "store-b");
    delivery_t suspect = s_expect_delivery (b);
    assert_int_equal (suspect.seq, 3);
    assert_int_equal (suspect.n, 3);
    assert_int_equal (suspect.attempts, 1);
    s_expect_quiet (b);
    s_ack (b, suspect.seq);
    for (uint64_t n = 4; n <= 6; n++) {
        delivery_t again = s_expect_delivery (b);
        assert_int_equal (again.seq, n);
        assert_int_equal (again.n, n);
        assert_int_equal (again.attempts, 0);
        s_ack (b, again.seq);
    }
    //  New seqs continue after the journal's
    s_publish_n (producer, STAGE_STORE, NULL, 7, 10);
    s_expect_accepts (producer, 1, NULL);
    delivery_t fresh = s_expect_delivery (b);
    assert_int_equal (fresh.seq, 7);
    s_ack (b, fresh.seq);
    s_wait_stat (producer, "stored", 5);

    //  Everything settled: a restart replays nothing
    s_client_destroy (&b);
    s_client_destroy (&producer);
    s_broker_stop (fixture);
    s_broker_start (fixture);
    producer = s_client_new (fixture->endpoint, false);
    s_status (producer, &stats);
    assert_int_equal (s_stat (&stats, "journal.replayed"), 0);
    assert_int_equal (s_stat (&stats, "idle"), 1);
    s_stats_free (&stats);
    s_publish_n (producer, STAGE_STORE, NULL, 8, 10);
    s_expect_accepts (producer, 1, NULL);
    b = s_client_new (fixture->endpoint, true);
    s_ready (b, STAGE_STORE, 10, "store-b");
    assert_int_equal (s_expect_delivery (b).seq, 8);

    //  A second broker on the same home cannot start
    config_set (fixture->config, "broker/lock_wait", "100");
    zactor_t *second = zactor_new (broker_actor, fixture->config);
    zstr_send (second, "ENDPOINT");
    char *endpoint = zstr_recv (second);
    assert_string_equal (endpoint, "");
    zstr_free (&endpoint);
    zactor_destroy (&second);

    s_client_destroy (&b);
    s_client_destroy (&producer);
    s_fixture_destroy (&fixture);
}

//  Send raw frames from a socket
static void
s_send_raw (client_t *self, int nframes, const void **data, const size_t *sizes)
{
    for (int i = 0; i < nframes; i++)
        assert_true (zmq_send (self->handle, data [i], sizes [i],
                               i + 1 < nframes ? ZMQ_SNDMORE : 0) >= 0);
}

static void
test_hostile_peers (void **state)
{
    const char *settings [] = { "broker/max_frame=1M", "broker/tcp=tcp://127.0.0.1:*", NULL };
    fixture_t *fixture = s_fixture_new (settings);
    s_broker_start (fixture);
    client_t *producer = s_client_new (fixture->endpoint, false);
    client_t *worker = s_client_new (fixture->endpoint, true);
    s_ready (worker, STAGE_NORMALIZE, 50, "normalize");
    client_t *hostile = s_client_new (fixture->endpoint, false);
    uint64_t good = 0;

    //  The good pair keeps working between every attack
    #define GOOD_ROUND() do { \
        s_publish_n (producer, STAGE_NORMALIZE, NULL, ++good, 200); \
        s_expect_accepts (producer, 1, NULL); \
        delivery_t d = s_expect_delivery (worker); \
        assert_int_equal (d.n, good); \
        s_ack (worker, d.seq); \
    } while (0)

    GOOD_ROUND ();
    //  Random bytes, one frame and several
    zsys_set_logident ("test_broker");
    unsigned int rng = 12345;
    for (int i = 0; i < 200; i++) {
        uint8_t junk [64];
        size_t size = (size_t) (rand_r (&rng) % sizeof junk) + 1;
        for (size_t j = 0; j < size; j++)
            junk [j] = (uint8_t) rand_r (&rng);
        if (i % 3 == 0) {
            const void *data [3] = { junk, junk, junk };
            size_t sizes [3] = { size, size / 2, 1 };
            s_send_raw (hostile, 3, data, sizes);
        }
        else {
            const void *data [1] = { junk };
            s_send_raw (hostile, 1, data, &size);
        }
    }
    for (int i = 0; i < 200; i++) {
        proto_msg_t msg;
        s_expect (hostile, &msg, PROTO_ERROR);
        proto_close (&msg);
    }
    GOOD_ROUND ();

    //  Wrong protocol, wrong version, unknown command, bad frames
    {
        const void *data [2] = { "AMQP", "H" };
        size_t sizes [2] = { 4, 1 };
        s_send_raw (hostile, 2, data, sizes);
        s_expect_error (hostile, "bad-protocol");
        data [0] = "CDP2";
        s_send_raw (hostile, 2, data, sizes);
        s_expect_error (hostile, "bad-version");
        data [0] = "CDP1";
        data [1] = "Z";
        s_send_raw (hostile, 2, data, sizes);
        s_expect_error (hostile, "bad-command");
        data [1] = "D";             //  A broker-to-peer command
        s_send_raw (hostile, 2, data, sizes);
        s_expect_error (hostile, "bad-frames");
        const void *d3 [3] = { "CDP1", "A", "12345678" };
        size_t s3 [3] = { 4, 1, 8 };
        s_send_raw (hostile, 3, d3, s3);
        s_expect_error (hostile, "bad-command");
    }
    //  100 garbage frames in one message
    for (int i = 0; i < 100; i++)
        assert_true (zmq_send (hostile->handle, i < 2 ? (i ? "P" : "CDP1") : "garbage",
                               i < 2 ? (i ? 1 : 4) : 7, i < 99 ? ZMQ_SNDMORE : 0) >= 0);
    s_expect_error (hostile, "bad-frames");
    GOOD_ROUND ();

    //  Worker commands before READY; READY with nonsense
    s_ack (hostile, 1);
    s_expect_error (hostile, "not-registered");
    uint8_t credit [4];
    proto_put_u32 (credit, 5);
    proto_part_t cpart = { credit, 4, NULL };
    s_send (hostile, PROTO_CREDIT, 1, &cpart);
    s_expect_error (hostile, "not-registered");
    proto_part_t bad_ready [2] = { { "dead", 4, NULL }, { credit, 4, NULL } };
    s_send (hostile, PROTO_READY, 2, bad_ready);
    s_expect_error (hostile, "bad-queue");
    proto_put_u32 (credit, 0);
    proto_part_t zero_ready [2] = { { "store", 5, NULL }, { credit, 4, NULL } };
    s_send (hostile, PROTO_READY, 2, zero_ready);
    s_expect_error (hostile, "bad-frames");
    proto_put_u32 (credit, 1);
    proto_part_t junk_info [3] = { { "store", 5, NULL }, { credit, 4, NULL }, { "\xdf\xff\xff\xff\xff", 5, NULL } };
    s_send (hostile, PROTO_READY, 3, junk_info);     //  Registered, info ignored
    s_send (hostile, PROTO_BYE, 0, NULL);
    GOOD_ROUND ();

    //  Container bombs and junk as payloads
    const char *bombs [] = { "\xdf\x04\x00\x00\x00", "\xdd\x10\x00\x00\x00", "\xc1",
                             "\x92\x01", "\x81\xa1", "\x01", "\xa3""abc" };
    size_t bomb_sizes [] = { 5, 5, 1, 2, 2, 1, 4 };
    const char *queues [] = { STAGE_INGEST, STAGE_NORMALIZE, STAGE_CLASSIFY, STAGE_STORE, STAGE_DEAD };
    for (size_t q = 0; q < 5; q++)
        for (size_t b = 0; b < sizeof bomb_sizes / sizeof bomb_sizes [0]; b++) {
            uint64_t pubseq = s_publish (hostile, queues [q], NULL, bombs [b], bomb_sizes [b]);
            s_expect_refuse (hostile, pubseq, "bad-payload");
        }
    //  A valid map is not a dead letter
    uint64_t pubseq = s_publish (hostile, STAGE_DEAD, NULL, "\x81\xa1x\x01", 4);
    s_expect_refuse (hostile, pubseq, "bad-payload");
    pubseq = s_publish (hostile, "nowhere", NULL, "\x80", 1);
    s_expect_refuse (hostile, pubseq, "unknown-queue");
    GOOD_ROUND ();

    //  An oversized frame: the connection is dropped by libzmq
    client_t *huge = s_client_new (fixture->endpoint, false);
    size_t big = 2 * 1024 * 1024;
    uint8_t *blob = (uint8_t *) xcalloc (1, big);
    blob [0] = 0x80;
    s_publish (huge, STAGE_INGEST, NULL, blob, big);
    free (blob);
    proto_msg_t msg;
    assert_int_equal (s_recv (huge, &msg, QUIET_MS), -1);
    s_client_destroy (&huge);
    GOOD_ROUND ();

    //  Raw TCP garbage at the tcp endpoint
    zstr_send (fixture->actor, "TCP");
    char *tcp = zstr_recv (fixture->actor);
    assert_true (str_starts (tcp, "tcp://127.0.0.1:"));
    int port = atoi (strrchr (tcp, ':') + 1);
    zstr_free (&tcp);
    for (int i = 0; i < 5; i++) {
        int fd = socket (AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
        inet_pton (AF_INET, "127.0.0.1", &addr.sin_addr);
        assert_int_equal (connect (fd, (struct sockaddr *) &addr, sizeof addr), 0);
        char junk [512];
        for (size_t j = 0; j < sizeof junk; j++)
            junk [j] = (char) rand_r (&rng);
        ssize_t sent = send (fd, junk, sizeof junk, MSG_NOSIGNAL);
        assert_true (sent > 0);
        close (fd);
    }
    GOOD_ROUND ();

    //  A well-formed dead letter from a worker is accepted and tapped
    zsock_t *tap = s_tap_new (fixture, "dead.");
    s_tap_settle (tap);
    deadletter_t *letter = deadletter_new ("ingest", "item 3 has no body", "raw", 3);
    buf_t buf;
    buf_init (&buf);
    deadletter_encode (letter, &buf);
    deadletter_destroy (&letter);
    pubseq = s_publish (producer, STAGE_DEAD, "dead.custom", buf.data, buf.size);
    bool seen [64] = { false };
    s_expect_accepts (producer, 1, seen);
    assert_true (seen [pubseq]);
    zframe_t *payload;
    char *topic = s_tap_recv (tap, &payload);
    assert_true (streq (topic, "dead.ingest") || streq (topic, "dead.custom"));
    zstr_free (&topic);
    zframe_destroy (&payload);
    buf_free (&buf);
    zsock_destroy (&tap);
    GOOD_ROUND ();

    s_wait_stat (producer, "queues.normalize.acked", (int64_t) good);
    stats_t stats;
    s_status (producer, &stats);
    assert_true (s_stat (&stats, "errors") >= 200 + 6 + 4);
    assert_int_equal (s_stat (&stats, "refused"), 5 * 7 + 2);
    assert_int_equal (s_stat (&stats, "dead"), 1);
    assert_int_equal (s_stat (&stats, "dead_total"), 1);
    assert_int_equal (s_stat (&stats, "queues.normalize.acked"), (int64_t) good);
    s_stats_free (&stats);
    s_client_destroy (&hostile);
    s_client_destroy (&worker);
    s_client_destroy (&producer);
    s_fixture_destroy (&fixture);
}

static void
test_status_keys (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL);
    s_broker_start (fixture);
    client_t *producer = s_client_new (fixture->endpoint, false);
    client_t *worker = s_client_new (fixture->endpoint, true);
    s_ready (worker, STAGE_STORE, 7, "store");
    s_publish_n (producer, STAGE_INGEST, NULL, 1, 10);
    s_publish_n (producer, STAGE_STORE, NULL, 2, 10);
    s_expect_accepts (producer, 2, NULL);
    s_ack (worker, s_expect_delivery (worker).seq);
    s_wait_stat (producer, "stored", 1);

    stats_t stats;
    s_status (producer, &stats);
    const char *top [] = { "version", "pid", "uptime", "time", "documents", "accepted",
                           "stored", "dead", "dead_total", "idle", "errors", "queues",
                           "workers", "journal" };
    for (size_t i = 0; i < sizeof top / sizeof top [0]; i++)
        assert_non_null (s_stat_find (&stats.root, top [i]));
    assert_int_equal (s_stat_find (&stats.root, "version")->type, MSGPACK_OBJECT_STR);
    assert_int_equal (s_stat_find (&stats.root, "time")->type, MSGPACK_OBJECT_STR);
    assert_int_equal (s_stat_find (&stats.root, "idle")->type, MSGPACK_OBJECT_BOOLEAN);
    assert_int_equal (s_stat (&stats, "pid"), getpid ());
    assert_int_equal (s_stat (&stats, "documents"), 1);
    assert_int_equal (s_stat (&stats, "stored"), 1);
    const char *queue_keys [] = { "depth", "inflight", "held", "bytes", "workers", "published",
                                  "delivered", "acked", "redelivered", "dead", "rate_in",
                                  "rate_out" };
    const char *queues [] = { STAGE_INGEST, STAGE_NORMALIZE, STAGE_CLASSIFY, STAGE_STORE };
    for (size_t q = 0; q < 4; q++)
        for (size_t k = 0; k < sizeof queue_keys / sizeof queue_keys [0]; k++) {
            char path [64];
            snprintf (path, sizeof path, "queues.%s.%s", queues [q], queue_keys [k]);
            assert_non_null (s_stat_find (&stats.root, path));
        }
    assert_int_equal (s_stat (&stats, "queues.ingest.depth"), 1);
    assert_int_equal (s_stat (&stats, "queues.store.workers"), 1);
    const msgpack_object *workers = s_stat_find (&stats.root, "workers");
    assert_int_equal (workers->type, MSGPACK_OBJECT_ARRAY);
    assert_int_equal (workers->via.array.size, 1);
    const char *worker_keys [] = { "queue", "name", "host", "pid", "credit", "inflight",
                                   "acked", "idle_ms" };
    for (size_t k = 0; k < sizeof worker_keys / sizeof worker_keys [0]; k++)
        assert_non_null (s_stat_find (&workers->via.array.ptr [0], worker_keys [k]));
    assert_int_equal (s_stat_find (&workers->via.array.ptr [0], "credit")->via.u64, 7);
    assert_int_equal (s_stat_find (&workers->via.array.ptr [0], "pid")->via.u64, 4242);
    assert_int_equal (s_stat_find (&workers->via.array.ptr [0], "acked")->via.u64, 1);
    const char *journal_keys [] = { "segments", "bytes", "syncs", "sync_us_p50",
                                    "sync_us_max", "replayed" };
    for (size_t k = 0; k < sizeof journal_keys / sizeof journal_keys [0]; k++) {
        char path [64];
        snprintf (path, sizeof path, "journal.%s", journal_keys [k]);
        assert_non_null (s_stat_find (&stats.root, path));
    }
    assert_true (s_stat (&stats, "journal.syncs") >= 1);
    assert_true (s_stat (&stats, "journal.bytes") > 0);
    s_stats_free (&stats);

    //  $stats on the tap carries the same map
    zsock_t *tap = s_tap_new (fixture, "$stats");
    zmsg_t *msg = s_tap_msg (tap);
    assert_non_null (msg);
    char *topic = zmsg_popstr (msg);
    assert_string_equal (topic, "$stats");
    zframe_t *frame = zmsg_pop (msg);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    msgpack_object root;
    assert_int_equal (mpcheck_unpack (zframe_data (frame), zframe_size (frame), &zone, &root, NULL, 0), 0);
    assert_non_null (s_stat_find (&root, "queues.store.acked"));
    msgpack_zone_destroy (&zone);
    zframe_destroy (&frame);
    zstr_free (&topic);
    zmsg_destroy (&msg);
    zsock_destroy (&tap);
    s_client_destroy (&worker);
    s_client_destroy (&producer);
    s_fixture_destroy (&fixture);
}

int
main (void)
{
    zsys_init ();
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_publish_deliver_ack),
        cmocka_unit_test (test_credit_window),
        cmocka_unit_test (test_round_robin),
        cmocka_unit_test (test_expiry_and_suspects),
        cmocka_unit_test (test_max_attempts),
        cmocka_unit_test (test_reject_and_bye),
        cmocka_unit_test (test_backpressure),
        cmocka_unit_test (test_hold_limits),
        cmocka_unit_test (test_journal_compaction),
        cmocka_unit_test (test_restart_replay),
        cmocka_unit_test (test_hostile_peers),
        cmocka_unit_test (test_status_keys),
    };
    //  TEST_FILTER=test_hostile* runs a subset
    if (getenv ("TEST_FILTER"))
        cmocka_set_test_filter (getenv ("TEST_FILTER"));
    int rc = cmocka_run_group_tests (tests, NULL, NULL);
    zsys_shutdown ();
    return rc;
}
