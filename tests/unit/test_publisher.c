//  SPDX-License-Identifier: MIT
//  test_publisher - the reliable publisher against the real broker actor

#include "common.h"
#include "publisher.h"
#include "broker/broker.h"
#include "cli/cli.h"
#include <setjmp.h>
#include <cmocka.h>

typedef struct {
    char home [128];
    config_t *config;
    zactor_t *broker;
    char *endpoint;
} fixture_t;

static fixture_t *s_current;    //  For the teardown of a failed test

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

static fixture_t *
s_fixture_new (const char *extra, bool start)
{
    fixture_t *self = (fixture_t *) xcalloc (1, sizeof (fixture_t));
    s_current = self;
    snprintf (self->home, sizeof self->home, "/tmp/copydesk-test-publisher-XXXXXX");
    assert_non_null (mkdtemp (self->home));
    char path [256];
    snprintf (path, sizeof path, "%s/copydesk.cfg", self->home);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fprintf (file, "broker\n    heartbeat = 100\n    liveness = 10\n%s", extra ? extra : "");
    fclose (file);
    self->config = config_load (self->home);
    assert_non_null (self->config);
    if (start)
        s_broker_start (self);
    else
        self->endpoint = xstrdup (config_endpoint (self->config));
    return self;
}

static void
s_fixture_destroy (fixture_t **self_p)
{
    fixture_t *self = *self_p;
    zactor_destroy (&self->broker);
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

static double
s_stat (fixture_t *self, const char *queue, const char *key)
{
    char err [256];
    json_t *stats = cli_stats (self->config, 5000, err, sizeof err);
    if (!stats)
        fail_msg ("no stats: %s", err);
    json_t *object = queue ? json_object_get (json_object_get (stats, "queues"), queue) : stats;
    double value = cli_json_number (object, key, -1);
    json_decref (stats);
    return value;
}

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

//  Settlements seen by the handler
typedef struct {
    int accepted;
    int refused;
    char last_reason [128];
    uint64_t tags_sum;          //  Sum of the tags of accepted publishes
} settled_t;

static void
s_settled (void *arg, uint64_t pubseq, void *tag, const char *refused)
{
    settled_t *self = (settled_t *) arg;
    if (refused) {
        self->refused++;
        snprintf (self->last_reason, sizeof self->last_reason, "%s", refused);
    }
    else {
        self->accepted++;
        self->tags_sum += (uint64_t) (uintptr_t) tag;
    }
}

//  A small valid msgpack map
static void
s_payload (buf_t *buf, int n)
{
    buf_clear (buf);
    msgpack_packer pk;
    codec_packer_init (&pk, buf);
    msgpack_pack_map (&pk, 1);
    codec_pack_kv_int (&pk, "n", n);
}

static void
test_accept (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL, true);
    publisher_t *publisher = publisher_new (fixture->endpoint, 16);
    assert_non_null (publisher);
    settled_t settled = { 0 };
    publisher_set_handler (publisher, s_settled, &settled);
    buf_t buf;
    buf_init (&buf);
    uint64_t last = 0;
    for (int i = 1; i <= 1000; i++) {
        s_payload (&buf, i);
        uint64_t pubseq = publisher_send (publisher, STAGE_CLASSIFY, "test.topic", buf.data,
                                          buf.size, (void *) (uintptr_t) i);
        assert_true (pubseq > last);
        last = pubseq;
        //  The window is never exceeded
        assert_true (publisher_pending (publisher) <= 16);
    }
    assert_int_equal (publisher_flush (publisher, 5000), 0);
    assert_int_equal (settled.accepted, 1000);
    assert_int_equal (settled.tags_sum, 1000 * 1001 / 2);
    assert_int_equal (publisher_pending (publisher), 0);
    assert_int_equal (publisher_accepted (publisher), 1000);
    assert_true (publisher_alive (publisher));
    assert_int_equal (s_stat (fixture, STAGE_CLASSIFY, "depth"), 1000);

    //  Zero-copy variant
    s_payload (&buf, 1001);
    assert_true (publisher_send_buf (publisher, STAGE_CLASSIFY, NULL, &buf, NULL) > 0);
    assert_int_equal (buf.size, 0);
    assert_int_equal (publisher_flush (publisher, 5000), 0);
    assert_int_equal (s_stat (fixture, STAGE_CLASSIFY, "depth"), 1001);
    buf_free (&buf);
    publisher_destroy (&publisher);
    s_fixture_destroy (&fixture);
}

static void
test_refuse (void **state)
{
    fixture_t *fixture = s_fixture_new (NULL, true);
    publisher_t *publisher = publisher_new (fixture->endpoint, 0);
    settled_t settled = { 0 };
    publisher_set_handler (publisher, s_settled, &settled);
    assert_true (publisher_send (publisher, STAGE_NORMALIZE, NULL, "\xc1", 1, NULL) > 0);
    assert_int_equal (publisher_flush (publisher, 5000), 0);
    assert_int_equal (settled.refused, 1);
    assert_string_equal (settled.last_reason, "bad-payload");
    buf_t buf;
    buf_init (&buf);
    s_payload (&buf, 1);
    assert_true (publisher_send (publisher, "nowhere", NULL, buf.data, buf.size, NULL) > 0);
    assert_int_equal (publisher_flush (publisher, 5000), 0);
    assert_int_equal (settled.refused, 2);
    assert_string_equal (settled.last_reason, "unknown-queue");
    assert_int_equal (publisher_refused (publisher), 2);
    assert_int_equal (settled.accepted, 0);

    //  Larger than the max size: not sent at all
    publisher_set_max_size (publisher, 4);
    assert_int_equal (publisher_send (publisher, STAGE_CLASSIFY, NULL, "0123456789", 10, NULL), 0);
    assert_int_equal (errno, EMSGSIZE);
    assert_int_equal (publisher_pending (publisher), 0);
    buf_free (&buf);
    publisher_destroy (&publisher);
    s_fixture_destroy (&fixture);
}

static void
test_unreachable (void **state)
{
    //  No broker: publishes wait, flush gives up after the timeout
    fixture_t *fixture = s_fixture_new (NULL, false);
    publisher_t *publisher = publisher_new (fixture->endpoint, 2);
    publisher_set_timeout (publisher, 400);
    buf_t buf;
    buf_init (&buf);
    s_payload (&buf, 1);
    assert_true (publisher_send (publisher, STAGE_CLASSIFY, NULL, buf.data, buf.size, NULL) > 0);
    assert_true (publisher_send (publisher, STAGE_CLASSIFY, NULL, buf.data, buf.size, NULL) > 0);
    int64_t started = zclock_mono ();
    //  The window (2) is full: the third send waits for the timeout
    assert_int_equal (publisher_send (publisher, STAGE_CLASSIFY, NULL, buf.data, buf.size, NULL), 0);
    assert_int_equal (errno, ETIMEDOUT);
    int64_t took = zclock_mono () - started;
    assert_true (took < 2000);
    assert_int_equal (publisher_flush (publisher, 300), -1);
    assert_int_equal (errno, ETIMEDOUT);
    assert_false (publisher_alive (publisher));
    assert_int_equal (publisher_pending (publisher), 2);

    //  The broker comes up late: what waited is delivered
    s_broker_start (fixture);
    assert_int_equal (publisher_flush (publisher, 10000), 0);
    assert_int_equal (publisher_accepted (publisher), 2);
    assert_int_equal (s_stat (fixture, STAGE_CLASSIFY, "depth"), 2);
    buf_free (&buf);
    publisher_destroy (&publisher);
    s_fixture_destroy (&fixture);
}

static void
test_resend (void **state)
{
    //  classify holds publishes above one message, so ours stay unaccepted;
    //  the broker restarts (held publishes are not journaled) and the
    //  publisher must send them again
    fixture_t *fixture = s_fixture_new (
        "    queues\n"
        "        classify\n"
        "            high_mark = 1\n", true);
    publisher_t *publisher = publisher_new (fixture->endpoint, 64);
    settled_t settled = { 0 };
    publisher_set_handler (publisher, s_settled, &settled);
    buf_t buf;
    buf_init (&buf);
    for (int i = 1; i <= 10; i++) {
        s_payload (&buf, i);
        assert_true (publisher_send (publisher, STAGE_CLASSIFY, NULL, buf.data, buf.size,
                                     (void *) (uintptr_t) i) > 0);
    }
    //  One accepted, nine held
    int64_t deadline = zclock_mono () + 5000;
    while (settled.accepted < 1 && zclock_mono () < deadline)
        publisher_poll (publisher, 50);
    assert_int_equal (settled.accepted, 1);
    assert_true (s_wait_stat (fixture, STAGE_CLASSIFY, "held", 9, 5000));
    assert_int_equal (publisher_pending (publisher), 9);

    zactor_destroy (&fixture->broker);
    config_set (fixture->config, "broker/queues/classify/high_mark", "1000");
    s_broker_start (fixture);
    assert_int_equal (publisher_flush (publisher, 10000), 0);
    assert_int_equal (settled.accepted, 10);
    assert_int_equal (settled.tags_sum, 55);
    assert_true (publisher_resent (publisher) >= 9);
    assert_true (publisher_reconnects (publisher) >= 1);
    //  Exactly once here: the held ones were never journaled
    assert_int_equal (s_stat (fixture, STAGE_CLASSIFY, "depth"), 10);
    buf_free (&buf);
    publisher_destroy (&publisher);
    s_fixture_destroy (&fixture);
}

//  A classify consumer that acks everything (raw DEALER, this thread)
static int
s_drain_queue (fixture_t *fixture, const char *queue, int expected, int timeout)
{
    zsock_t *worker = zsock_new_dealer (fixture->endpoint);
    void *socket = zsock_resolve (worker);
    uint8_t credit [4];
    proto_put_u32 (credit, 1000);
    proto_part_t ready [3] = { { queue, strlen (queue), NULL }, { credit, 4, NULL }, { "\x80", 1, NULL } };
    proto_send_wait (socket, PROTO_READY, 3, ready);
    int got = 0;
    int64_t deadline = zclock_mono () + timeout;
    while (got < expected && zclock_mono () < deadline) {
        zmq_pollitem_t item = { socket, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 50) <= 0) {
            proto_send_wait (socket, PROTO_HEARTBEAT, 0, NULL);
            continue;
        }
        proto_msg_t msg;
        if (proto_recv (socket, &msg, false, 0) != 0)
            continue;
        const char *code;
        if (proto_check (&msg, &code) == 0 && msg.command == PROTO_DELIVER) {
            uint8_t seq [8];
            memcpy (seq, proto_arg (&msg, 1), 8);
            proto_part_t ack = { seq, 8, NULL };
            proto_send_wait (socket, PROTO_ACK, 1, &ack);
            got++;
        }
        proto_close (&msg);
    }
    proto_send_wait (socket, PROTO_BYE, 0, NULL);
    zsock_set_linger (worker, 500);
    zsock_destroy (&worker);
    return got;
}

static void
test_overloaded (void **state)
{
    //  Above the high mark the broker holds 2 publishes of ours at most and
    //  refuses the rest as "overloaded": the publisher retries them
    fixture_t *fixture = s_fixture_new (
        "    max_held = 2\n"
        "    queues\n"
        "        classify\n"
        "            high_mark = 1\n", true);
    publisher_t *publisher = publisher_new (fixture->endpoint, 64);
    settled_t settled = { 0 };
    publisher_set_handler (publisher, s_settled, &settled);
    buf_t buf;
    buf_init (&buf);
    for (int i = 1; i <= 10; i++) {
        s_payload (&buf, i);
        assert_true (publisher_send (publisher, STAGE_CLASSIFY, NULL, buf.data, buf.size,
                                     (void *) (uintptr_t) i) > 0);
    }
    assert_true (s_wait_stat (fixture, STAGE_CLASSIFY, "held", 2, 5000));
    //  Nothing reported refused: overloaded is not an answer
    publisher_poll (publisher, 200);
    assert_int_equal (settled.refused, 0);
    assert_true (publisher_pending (publisher) >= 7);
    //  Drain classify while the publisher keeps retrying in the background
    //  of its flush: run the consumer first, then flush
    assert_int_equal (s_drain_queue (fixture, STAGE_CLASSIFY, 3, 5000), 3);
    int64_t deadline = zclock_mono () + 20000;
    while (settled.accepted < 10 && zclock_mono () < deadline) {
        publisher_poll (publisher, 100);
        s_drain_queue (fixture, STAGE_CLASSIFY, 1, 200);
    }
    assert_int_equal (settled.accepted, 10);
    assert_int_equal (settled.tags_sum, 55);
    assert_int_equal (settled.refused, 0);
    assert_true (publisher_resent (publisher) >= 1);
    buf_free (&buf);
    publisher_destroy (&publisher);
    s_fixture_destroy (&fixture);
}

static void
test_busy_caller (void **state)
{
    //  A caller busy for longer than heartbeat x liveness (and than the
    //  timeout) between two calls is not a sign of a dead broker: no
    //  reconnect, no timeout
    fixture_t *fixture = s_fixture_new (NULL, true);
    publisher_t *publisher = publisher_new (fixture->endpoint, 4);
    publisher_set_timeout (publisher, 1000);
    buf_t buf;
    buf_init (&buf);
    s_payload (&buf, 1);
    assert_true (publisher_send (publisher, STAGE_CLASSIFY, NULL, buf.data, buf.size, NULL) > 0);
    assert_int_equal (publisher_flush (publisher, 1000), 0);
    zclock_sleep (1500);        //  The caller reads a huge file, say
    for (int i = 0; i < 8; i++)
        assert_true (publisher_send (publisher, STAGE_CLASSIFY, NULL, buf.data, buf.size, NULL) > 0);
    zclock_sleep (1500);
    assert_int_equal (publisher_flush (publisher, 1000), 0);
    assert_int_equal (publisher_accepted (publisher), 9);
    assert_int_equal (publisher_reconnects (publisher), 0);
    assert_int_equal (publisher_resent (publisher), 0);
    buf_free (&buf);
    publisher_destroy (&publisher);
    s_fixture_destroy (&fixture);
}

static void
test_bytes_bound (void **state)
{
    //  At most max_bytes of payload pending: with 1 kB the sends go one by one
    fixture_t *fixture = s_fixture_new (NULL, true);
    publisher_t *publisher = publisher_new (fixture->endpoint, 256);
    publisher_set_max_bytes (publisher, 1024);
    char data [700];
    memset (data, 0, sizeof data);
    //  {"b": bin16 of the rest}
    data [0] = (char) 0x81;
    data [1] = (char) 0xa1;
    data [2] = 'b';
    data [3] = (char) 0xc5;
    data [4] = (char) ((sizeof data - 6) >> 8);
    data [5] = (char) ((sizeof data - 6) & 0xff);
    for (int i = 0; i < 20; i++) {
        assert_true (publisher_send (publisher, STAGE_CLASSIFY, NULL, data, sizeof data, NULL) > 0);
        assert_true (publisher_pending (publisher) <= 1);
    }
    assert_int_equal (publisher_flush (publisher, 5000), 0);
    assert_int_equal (publisher_accepted (publisher), 20);
    publisher_destroy (&publisher);
    s_fixture_destroy (&fixture);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_teardown (test_accept, s_teardown),
        cmocka_unit_test_teardown (test_refuse, s_teardown),
        cmocka_unit_test_teardown (test_unreachable, s_teardown),
        cmocka_unit_test_teardown (test_resend, s_teardown),
        cmocka_unit_test_teardown (test_overloaded, s_teardown),
        cmocka_unit_test_teardown (test_busy_caller, s_teardown),
        cmocka_unit_test_teardown (test_bytes_bound, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
