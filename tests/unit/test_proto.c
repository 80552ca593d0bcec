//  SPDX-License-Identifier: MIT
//  proto: frame validation of every command (arity, sizes, protocol and
//  version frames), integer coding, topics, and send/receive over sockets
#include "common.h"
#include <setjmp.h>
#include <cmocka.h>

//  One frame of a test message
typedef struct {
    const void *data;
    size_t size;
} part_t;

#define P(s) { s, sizeof (s) - 1 }

//  Build a received message from parts (router: a routing id goes first)
static void
s_build (proto_msg_t *msg, bool router, int nparts, const part_t *parts)
{
    memset (msg, 0, sizeof *msg);
    msg->base = router ? 1 : 0;
    int at = 0;
    if (router) {
        zmq_msg_init_size (&msg->frames [at], 5);
        memcpy (zmq_msg_data (&msg->frames [at]), "\0abcd", 5);
        at++;
    }
    for (int i = 0; i < nparts; i++) {
        assert_true (at < PROTO_MAX_FRAMES);
        zmq_msg_init_size (&msg->frames [at], parts [i].size);
        if (parts [i].size)
            memcpy (zmq_msg_data (&msg->frames [at]), parts [i].data, parts [i].size);
        at++;
    }
    msg->count = at;
}

//  Check a message; returns the error code or "ok"
static const char *
s_check (bool router, int nparts, const part_t *parts)
{
    proto_msg_t msg;
    s_build (&msg, router, nparts, parts);
    const char *code = NULL;
    int rc = proto_check (&msg, &code);
    proto_close (&msg);
    if (rc == 0) {
        assert_null (code);
        return "ok";
    }
    assert_non_null (code);
    return code;
}

static uint8_t u64 [8] = { 0, 0, 0, 0, 0, 0, 0, 7 };
static uint8_t u32 [4] = { 0, 0, 0, 64 };

static void
test_valid_commands (void **state)
{
    part_t ready [] = { P ("CDP1"), P ("R"), P ("normalize"), { u32, 4 }, P ("\x80") };
    assert_string_equal (s_check (true, 5, ready), "ok");
    assert_string_equal (s_check (true, 4, ready), "ok");      //  info is optional
    assert_string_equal (s_check (false, 5, ready), "ok");     //  DEALER side too

    part_t publish [] = { P ("CDP1"), P ("P"), P ("ingest"), { u64, 8 }, P (""), P ("\x80") };
    assert_string_equal (s_check (true, 6, publish), "ok");
    part_t accept [] = { P ("CDP1"), P ("A"), { u64, 8 } };
    assert_string_equal (s_check (false, 3, accept), "ok");
    part_t refuse [] = { P ("CDP1"), P ("N"), { u64, 8 }, P ("bad-payload") };
    assert_string_equal (s_check (false, 4, refuse), "ok");
    part_t deliver [] = { P ("CDP1"), P ("D"), P ("store"), { u64, 8 }, { u32, 4 }, P ("\x80") };
    assert_string_equal (s_check (false, 6, deliver), "ok");
    uint8_t seqs [16] = { 0 };
    part_t ack [] = { P ("CDP1"), P ("K"), { seqs, 16 } };
    assert_string_equal (s_check (true, 3, ack), "ok");
    part_t reject [] = { P ("CDP1"), P ("X"), { u64, 8 }, P ("undecodable") };
    assert_string_equal (s_check (true, 4, reject), "ok");
    part_t credit [] = { P ("CDP1"), P ("C"), { u32, 4 } };
    assert_string_equal (s_check (true, 3, credit), "ok");
    part_t event [] = { P ("CDP1"), P ("E"), P ("stored.reuters"), P ("\x80") };
    assert_string_equal (s_check (true, 4, event), "ok");
    part_t heartbeat [] = { P ("CDP1"), P ("H") };
    assert_string_equal (s_check (true, 2, heartbeat), "ok");
    part_t status [] = { P ("CDP1"), P ("S") };
    assert_string_equal (s_check (true, 2, status), "ok");
    part_t stats [] = { P ("CDP1"), P ("s"), P ("\x80") };
    assert_string_equal (s_check (false, 3, stats), "ok");
    part_t bye [] = { P ("CDP1"), P ("Q") };
    assert_string_equal (s_check (true, 2, bye), "ok");
    part_t error [] = { P ("CDP1"), P ("!"), P ("bad-frames"), P ("text") };
    assert_string_equal (s_check (false, 4, error), "ok");

    //  The command byte is kept
    proto_msg_t msg;
    s_build (&msg, true, 6, publish);
    const char *code;
    assert_int_equal (proto_check (&msg, &code), 0);
    assert_int_equal (msg.command, PROTO_PUBLISH);
    assert_int_equal (proto_args (&msg), 4);
    assert_int_equal (proto_arg_u64 (&msg, 1), 7);
    char text [8];
    proto_arg_text (&msg, 0, text, sizeof text);
    assert_string_equal (text, "ingest");
    proto_arg_text (&msg, 0, text, 4);          //  Truncated, terminated
    assert_string_equal (text, "ing");
    assert_non_null (proto_routing_id (&msg));
    proto_close (&msg);
}

static void
test_arity (void **state)
{
    //  Every command with valid arguments, then one too few and one too many
    struct { char command; int min; int max; int sizes [4]; } table [] = {
        { 'R', 2, 3, { 6, 4, 1 } },     { 'P', 4, 4, { 6, 8, 0, 1 } },
        { 'A', 1, 1, { 8 } },           { 'N', 2, 2, { 8, 3 } },
        { 'D', 4, 4, { 6, 8, 4, 1 } },  { 'K', 1, 1, { 8 } },
        { 'X', 2, 2, { 8, 3 } },        { 'C', 1, 1, { 4 } },
        { 'E', 2, 2, { 3, 1 } },        { 'H', 0, 0, { 0 } },
        { 'S', 0, 0, { 0 } },           { 's', 1, 1, { 1 } },
        { 'Q', 0, 0, { 0 } },           { '!', 2, 2, { 3, 3 } }
    };
    //  Argument bytes: a queue name, big-endian integers, a msgpack map
    static const char *filler = "ingest\0\0\0\0\0\0\0\0";
    for (size_t i = 0; i < sizeof table / sizeof table [0]; i++) {
        char command [1] = { table [i].command };
        part_t parts [8] = { P ("CDP1"), { command, 1 } };
        for (int a = 0; a < 4; a++) {
            int size = table [i].sizes [a];
            parts [2 + a].data = size == 1 ? "\x80" : filler;
            parts [2 + a].size = size;
        }
        parts [6] = parts [2];          //  Extra argument for "too many"
        assert_string_equal (s_check (true, 2 + table [i].max, parts), "ok");
        assert_string_equal (s_check (true, 2 + table [i].min, parts), "ok");
        if (table [i].min > 0)
            assert_string_equal (s_check (true, 2 + table [i].min - 1, parts), "bad-frames");
        if (table [i].max < 4) {
            parts [2 + table [i].max] = (part_t) { "\x80", 1 };
            assert_string_equal (s_check (true, 2 + table [i].max + 1, parts), "bad-frames");
        }
        else
            assert_string_equal (s_check (true, 2 + 5, parts), "bad-frames");
    }
}

static void
test_sizes (void **state)
{
    //  Integer frames must have their exact size
    part_t publish [] = { P ("CDP1"), P ("P"), P ("ingest"), P ("1234567"), P (""), P ("\x80") };
    assert_string_equal (s_check (true, 6, publish), "bad-frames");
    part_t credit [] = { P ("CDP1"), P ("C"), P ("123") };
    assert_string_equal (s_check (true, 3, credit), "bad-frames");
    part_t ready [] = { P ("CDP1"), P ("R"), P ("ingest"), P ("12345") };
    assert_string_equal (s_check (true, 4, ready), "bad-frames");
    part_t reject [] = { P ("CDP1"), P ("X"), P ("1"), P ("why") };
    assert_string_equal (s_check (true, 4, reject), "bad-frames");
    part_t deliver [] = { P ("CDP1"), P ("D"), P ("ingest"), { u64, 8 }, P ("12"), P ("\x80") };
    assert_string_equal (s_check (false, 6, deliver), "bad-frames");

    //  seqs frames: non-empty, a multiple of 8, at most PROTO_MAX_SEQS
    uint8_t *seqs = (uint8_t *) calloc (PROTO_MAX_SEQS + 1, 8);
    part_t ack [] = { P ("CDP1"), P ("K"), { seqs, 0 } };
    assert_string_equal (s_check (true, 3, ack), "bad-frames");
    ack [2].size = 12;
    assert_string_equal (s_check (true, 3, ack), "bad-frames");
    ack [2].size = PROTO_MAX_SEQS * 8;
    assert_string_equal (s_check (true, 3, ack), "ok");
    ack [2].size = (PROTO_MAX_SEQS + 1) * 8;
    assert_string_equal (s_check (true, 3, ack), "bad-frames");
    part_t accept [] = { P ("CDP1"), P ("A"), { seqs, 9 } };
    assert_string_equal (s_check (false, 3, accept), "bad-frames");
    free (seqs);

    //  Queue names: 1 to 64 bytes
    part_t empty_queue [] = { P ("CDP1"), P ("P"), P (""), { u64, 8 }, P (""), P ("\x80") };
    assert_string_equal (s_check (true, 6, empty_queue), "bad-frames");
    char long_name [65];
    memset (long_name, 'q', sizeof long_name);
    part_t long_queue [] = { P ("CDP1"), P ("R"), { long_name, 65 }, { u32, 4 } };
    assert_string_equal (s_check (true, 4, long_queue), "bad-frames");
    long_queue [2].size = 64;
    assert_string_equal (s_check (true, 4, long_queue), "ok");

    //  Text frames are bounded by PROTO_MAX_TEXT
    char *text = (char *) malloc (PROTO_MAX_TEXT + 1);
    memset (text, 'a', PROTO_MAX_TEXT + 1);
    part_t topics [] = { P ("CDP1"), P ("P"), P ("ingest"), { u64, 8 }, { text, PROTO_MAX_TEXT + 1 }, P ("\x80") };
    assert_string_equal (s_check (true, 6, topics), "bad-frames");
    topics [4].size = PROTO_MAX_TEXT;
    assert_string_equal (s_check (true, 6, topics), "ok");
    part_t event [] = { P ("CDP1"), P ("E"), { text, PROTO_MAX_TEXT + 1 }, P ("\x80") };
    assert_string_equal (s_check (true, 4, event), "bad-frames");
    part_t reason [] = { P ("CDP1"), P ("X"), { u64, 8 }, { text, PROTO_MAX_TEXT + 1 } };
    assert_string_equal (s_check (true, 4, reason), "bad-frames");
    part_t error [] = { P ("CDP1"), P ("!"), P ("bad-frames"), { text, PROTO_MAX_TEXT + 1 } };
    assert_string_equal (s_check (false, 4, error), "bad-frames");
    free (text);
}

static void
test_protocol_and_version (void **state)
{
    part_t wrong [] = { P ("AMQP"), P ("H") };
    assert_string_equal (s_check (true, 2, wrong), "bad-protocol");
    part_t short_id [] = { P ("CDP"), P ("H") };
    assert_string_equal (s_check (true, 2, short_id), "bad-protocol");
    part_t long_id [] = { P ("CDP12"), P ("H") };
    assert_string_equal (s_check (true, 2, long_id), "bad-protocol");
    part_t empty [] = { P (""), P ("H") };
    assert_string_equal (s_check (true, 2, empty), "bad-protocol");
    part_t version [] = { P ("CDP2"), P ("H") };
    assert_string_equal (s_check (true, 2, version), "bad-version");
    part_t version0 [] = { P ("CDP0"), P ("S") };
    assert_string_equal (s_check (true, 2, version0), "bad-version");

    //  Command frame: one known byte
    part_t two [] = { P ("CDP1"), P ("HH") };
    assert_string_equal (s_check (true, 2, two), "bad-command");
    part_t none [] = { P ("CDP1"), P ("") };
    assert_string_equal (s_check (true, 2, none), "bad-command");
    part_t unknown [] = { P ("CDP1"), P ("Z") };
    assert_string_equal (s_check (true, 2, unknown), "bad-command");
    part_t nul [] = { P ("CDP1"), { "\0", 1 } };
    assert_string_equal (s_check (true, 2, nul), "bad-command");

    //  Missing frames
    part_t only_id [] = { P ("CDP1") };
    assert_string_equal (s_check (true, 1, only_id), "bad-frames");
    assert_string_equal (s_check (true, 0, only_id), "bad-frames");
}

static void
test_integers_and_topics (void **state)
{
    uint8_t buf [8];
    proto_put_u64 (buf, 0x0102030405060708ull);
    assert_int_equal (buf [0], 1);
    assert_int_equal (buf [7], 8);
    assert_true (proto_get_u64 (buf) == 0x0102030405060708ull);
    proto_put_u64 (buf, UINT64_MAX);
    assert_true (proto_get_u64 (buf) == UINT64_MAX);
    proto_put_u32 (buf, 0xdeadbeef);
    assert_int_equal (buf [0], 0xde);
    assert_int_equal (proto_get_u32 (buf), 0xdeadbeef);

    char topic [] = "classified.Crude Oil/€";
    proto_topic_clean (topic);
    assert_string_equal (topic, "classified.Crude_Oil____");
    char fine [] = "stored.reuters-21578_x";
    proto_topic_clean (fine);
    assert_string_equal (fine, "stored.reuters-21578_x");

    assert_string_equal (proto_command_name (PROTO_PUBLISH), "PUBLISH");
    assert_string_equal (proto_command_name (PROTO_ERROR), "ERROR");
    assert_string_equal (proto_command_name ('Z'), "?");

    //  A NUL inside a text argument is made visible, not a silent cut
    part_t reject [] = { P ("CDP1"), P ("X"), { u64, 8 }, { "a\0b", 3 } };
    proto_msg_t msg;
    s_build (&msg, false, 4, reject);
    const char *code;
    assert_int_equal (proto_check (&msg, &code), 0);
    char text [8];
    proto_arg_text (&msg, 1, text, sizeof text);
    assert_string_equal (text, "a?b");
    proto_close (&msg);
}

//  Receive with a timeout; fails the test if nothing arrives
static void
s_recv (void *socket, proto_msg_t *msg, bool router)
{
    zmq_pollitem_t item = { socket, 0, ZMQ_POLLIN, 0 };
    assert_int_equal (zmq_poll (&item, 1, 5000), 1);
    assert_int_equal (proto_recv (socket, msg, router, ZMQ_DONTWAIT), 0);
}

static void
test_sockets (void **state)
{
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    zsock_set_router_mandatory (router, 1);
    assert_int_equal (zsock_bind (router, "inproc://test-proto"), 0);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    assert_int_equal (zsock_connect (dealer, "inproc://test-proto"), 0);
    void *r = zsock_resolve (router), *d = zsock_resolve (dealer);

    //  DEALER -> ROUTER: a PUBLISH with a zero-copy payload
    zmq_msg_t payload;
    zmq_msg_init_size (&payload, 3000);
    memset (zmq_msg_data (&payload), 0x80, 1);
    uint8_t pubseq [8];
    proto_put_u64 (pubseq, 42);
    proto_part_t parts [4] = {
        { "ingest", 6, NULL }, { pubseq, 8, NULL }, { "", 0, NULL }, { NULL, 0, &payload }
    };
    assert_int_equal (proto_send (d, NULL, 0, PROTO_PUBLISH, 4, parts), 0);
    assert_null (parts [3].msg);            //  Consumed
    zmq_msg_close (&payload);
    proto_msg_t msg;
    s_recv (r, &msg, true);
    const char *code;
    assert_int_equal (proto_check (&msg, &code), 0);
    assert_int_equal (msg.command, PROTO_PUBLISH);
    assert_int_equal (proto_arg_u64 (&msg, 1), 42);
    assert_int_equal (proto_arg_size (&msg, 3), 3000);
    zmq_msg_t *rid = proto_routing_id (&msg);
    assert_non_null (rid);

    //  ROUTER -> DEALER: the reply by routing id
    uint8_t seqs [8];
    proto_put_u64 (seqs, 42);
    proto_part_t accept = { seqs, 8, NULL };
    assert_int_equal (proto_send (r, zmq_msg_data (rid), zmq_msg_size (rid),
                                  PROTO_ACCEPT, 1, &accept), 0);
    proto_close (&msg);
    s_recv (d, &msg, false);
    assert_int_equal (proto_check (&msg, &code), 0);
    assert_int_equal (msg.command, PROTO_ACCEPT);
    assert_null (proto_routing_id (&msg));
    proto_close (&msg);

    //  An unknown routing id: EHOSTUNREACH, and a zero-copy part is released
    zmq_msg_init_size (&payload, 100);
    proto_part_t lost = { NULL, 0, &payload };
    errno = 0;
    assert_int_equal (proto_send (r, "nobody", 6, PROTO_DELIVER, 1, &lost), -1);
    assert_int_equal (errno, EHOSTUNREACH);
    assert_null (lost.msg);
    zmq_msg_close (&payload);

    //  More frames than PROTO_MAX_FRAMES: received whole, flagged, refused
    for (int i = 0; i < 20; i++)
        zmq_send (d, "x", 1, i < 19 ? ZMQ_SNDMORE : 0);
    s_recv (r, &msg, true);
    assert_int_equal (msg.count, PROTO_MAX_FRAMES);
    assert_int_equal (msg.dropped, 21 - PROTO_MAX_FRAMES);
    assert_int_equal (proto_check (&msg, &code), -1);
    assert_string_equal (code, "bad-frames");
    proto_close (&msg);

    //  Nothing waiting: EAGAIN
    assert_int_equal (proto_recv (r, &msg, true, ZMQ_DONTWAIT), -1);
    assert_int_equal (errno, EAGAIN);

    zsock_destroy (&dealer);
    zsock_destroy (&router);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_valid_commands),
        cmocka_unit_test (test_arity),
        cmocka_unit_test (test_sizes),
        cmocka_unit_test (test_protocol_and_version),
        cmocka_unit_test (test_integers_and_topics),
        cmocka_unit_test (test_sockets),
    };
    int rc = cmocka_run_group_tests (tests, NULL, NULL);
    zsys_shutdown ();
    return rc;
}
