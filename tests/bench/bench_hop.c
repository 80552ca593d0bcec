//  SPDX-License-Identifier: MIT
//  bench_hop - one broker hop, with the workload of the peer-broker bench
//
//  Starts copydesk-broker on a temp home (journal on), a consumer process
//  (a worker: READY with a credit window, one ACK frame per drained batch)
//  and a producer process (PUBLISH with a window of unaccepted publishes).
//  Messages are msgpack wire stories of exactly --size bytes (13 keys: v,
//  seq, ts, id, agency, priority, category, slug, headline, byline,
//  dateline, keywords[4], body), seq and ts (CLOCK_MONOTONIC ns) stamped
//  just before the send. Phases:
//
//    tput    N messages unpaced: msgs/s = received / (last receive - first send)
//    paced   PACED_N messages at RATE msgs/s, open loop: latency without backlog
//
//  Latency is the consumer's receive time minus ts. Each phase checks loss,
//  duplicates and order, and prints one line:
//
//    phase=tput n=100000 recv=100000 lost=0 dups=0 ooo=0 msgs_per_s=... p50_ms=...
//      p99_ms=... broker_cpu_s=... status=ok
//
//  Usage: bench_hop [--broker PATH] [-n N] [--paced-n N] [--rate R]
//         [--size B] [--window W] [--credit C] [--sync batch|none]
//         [--phases tput,paced] [--queue Q] [--keep] [-v]

#include "common.h"
#include <getopt.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <ftw.h>

typedef struct {
    const char *broker;         //  copydesk-broker executable
    long count;                 //  tput messages
    long paced_count;           //  paced messages
    double rate;                //  paced msgs/s
    size_t size;                //  Payload bytes
    int window;                 //  Producer window
    int credit;                 //  Worker credit
    const char *sync;           //  broker/sync
    const char *phases;
    const char *queue;
    strv_t settings;            //  More broker settings, "key = value"
    bool keep;                  //  Keep the temp home
    bool verbose;
    char *home;
    char *endpoint;
} options_t;

static uint64_t
s_now_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

//  ==========================================================================
//  Payload: a wire story of exactly size bytes

#define STORIES 64

typedef struct {
    char slug [96];
    char headline [160];
    char byline [64];
    char dateline [80];
    char category [24];
    char keywords [4][40];
    int priority;
    char *body;                 //  Filled to make the record exactly size
    size_t body_size;
} story_tpl_t;

static story_tpl_t s_stories [STORIES];

static const char *s_places [] = { "GENEVA", "MUMBAI", "CAPE TOWN", "MONTREAL", "TALLINN",
    "QUITO", "DHAKA", "PERTH", "RABAT", "BERGEN", "CEBU", "TBILISI" };
static const char *s_subjects [] = { "tariff", "harvest", "pension", "airline", "copper",
    "refinery", "broadband", "shipping", "drought", "lithium", "tourism", "rates" };
static const char *s_actors [] = { "the transport ministry", "a regional lender",
    "the farmers' federation", "the national airline", "the audit office",
    "the mining chamber", "the port operator", "the central statistics agency" };
static const char *s_names [] = { "Ines Moreau", "Tariq Bashir", "Olga Petrenko",
    "Diego Salas", "Yuki Tanaka", "Grace Njoroge", "Lars Eriksen", "Ana Costa" };
static const char *s_sections [] = { "economy", "world", "markets", "science",
    "commodities", "transport", "energy", "politics" };

static uint32_t s_rng = 2463534242u;

static uint32_t
s_random (void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 17;
    s_rng ^= s_rng << 5;
    return s_rng;
}

#define PICK(list) (list [s_random () % (sizeof list / sizeof list [0])])

//  One sentence of plausible wire prose into out
static void
s_sentence (char *out, size_t size)
{
    switch (s_random () % 6) {
        case 0:
            snprintf (out, size, "Officials at %s said the %s plan would be reviewed within %u weeks. ",
                      PICK (s_actors), PICK (s_subjects), 2 + s_random () % 20);
            break;
        case 1:
            snprintf (out, size, "\"The numbers speak for themselves,\" %s told reporters in %s on Monday. ",
                      PICK (s_names), PICK (s_places));
            break;
        case 2:
            snprintf (out, size, "Prices linked to %s rose %u.%u percent over the quarter, data showed. ",
                      PICK (s_subjects), s_random () % 12, s_random () % 10);
            break;
        case 3:
            snprintf (out, size, "Analysts expect %s to announce further measures before the end of the month. ",
                      PICK (s_actors));
            break;
        case 4:
            snprintf (out, size, "The decision follows weeks of talks between %s and unions in %s. ",
                      PICK (s_actors), PICK (s_places));
            break;
        default:
            snprintf (out, size, "(Reporting by %s; editing by %s) ", PICK (s_names), PICK (s_names));
            break;
    }
}

//  Pack story for message seq into buf (cap >= size); returns its length
static size_t
s_pack (buf_t *buf, const story_tpl_t *story, uint64_t seq, uint64_t ts, size_t body_size)
{
    buf_clear (buf);
    msgpack_packer pk;
    codec_packer_init (&pk, buf);
    msgpack_pack_map (&pk, 13);
    codec_pack_str (&pk, "v");
    msgpack_pack_fix_uint8 (&pk, 1);
    codec_pack_str (&pk, "seq");
    msgpack_pack_fix_uint64 (&pk, seq);
    codec_pack_str (&pk, "ts");
    msgpack_pack_fix_uint64 (&pk, ts);
    char id [64], slug [128];
    snprintf (id, sizeof id, "urn:copydesk:bench:%012" PRIu64, seq);
    snprintf (slug, sizeof slug, "%s/%08" PRIu64, story->slug, (uint64_t) (seq % 100000000ull));
    codec_pack_kv_str (&pk, "id", id);
    codec_pack_kv_str (&pk, "agency", "CDX");
    codec_pack_str (&pk, "priority");
    msgpack_pack_fix_uint8 (&pk, (uint8_t) story->priority);
    codec_pack_kv_str (&pk, "category", story->category);
    codec_pack_kv_str (&pk, "slug", slug);
    codec_pack_kv_str (&pk, "headline", story->headline);
    codec_pack_kv_str (&pk, "byline", story->byline);
    codec_pack_kv_str (&pk, "dateline", story->dateline);
    codec_pack_str (&pk, "keywords");
    msgpack_pack_array (&pk, 4);
    for (int k = 0; k < 4; k++)
        codec_pack_str (&pk, story->keywords [k]);
    codec_pack_str (&pk, "body");
    //  Always str16, so the size does not depend on the body length class
    uint8_t head [3] = { 0xda, (uint8_t) (body_size >> 8), (uint8_t) body_size };
    buf_append (buf, head, 3);
    buf_append (buf, story->body, body_size);
    return buf->size;
}

static void
s_stories_init (size_t size)
{
    buf_t buf;
    buf_init (&buf);
    for (int i = 0; i < STORIES; i++) {
        story_tpl_t *story = &s_stories [i];
        const char *place = PICK (s_places), *subject = PICK (s_subjects);
        snprintf (story->slug, sizeof story->slug, "%s-%s", place, subject);
        for (char *p = story->slug; *p; p++)
            *p = *p == ' ' ? '-' : (char) toupper ((unsigned char) *p);
        snprintf (story->headline, sizeof story->headline,
                  "UPDATE %u-%s weighs %s curbs as %s talks stall",
                  1 + s_random () % 3, PICK (s_actors), subject, place);
        snprintf (story->byline, sizeof story->byline, "By %s", PICK (s_names));
        snprintf (story->dateline, sizeof story->dateline, "%s, March %u (CDX) -",
                  place, 1 + s_random () % 28);
        snprintf (story->category, sizeof story->category, "%s", PICK (s_sections));
        snprintf (story->keywords [0], sizeof story->keywords [0], "%s", subject);
        snprintf (story->keywords [1], sizeof story->keywords [1], "%s", place);
        snprintf (story->keywords [2], sizeof story->keywords [2], "%s", story->category);
        snprintf (story->keywords [3], sizeof story->keywords [3], "story-%02d", i);
        story->priority = 1 + (int) (s_random () % 5);
        size_t envelope = s_pack (&buf, story, 0, 0, 0);
        if (envelope + 16 > size || size - envelope > 65535) {
            fprintf (stderr, "bench_hop: --size %zu does not fit the story envelope (%zu)\n",
                     size, envelope);
            exit (2);
        }
        story->body_size = size - envelope;
        story->body = (char *) xmalloc (story->body_size + 256);
        size_t filled = 0;
        while (filled < story->body_size) {
            char sentence [256];
            s_sentence (sentence, sizeof sentence);
            size_t len = strlen (sentence);
            memcpy (story->body + filled, sentence, len);
            filled += len;
        }
    }
    buf_free (&buf);
}

//  seq and ts of a received payload; -1 if it is not one of ours
static int
s_parse (const uint8_t *data, size_t size, uint64_t *seq, uint64_t *ts)
{
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    size_t offset = 0;
    int got = 0;
    if (msgpack_unpack_next (&unpacked, (const char *) data, size, &offset) == MSGPACK_UNPACK_SUCCESS
    &&  unpacked.data.type == MSGPACK_OBJECT_MAP) {
        msgpack_object_map *map = &unpacked.data.via.map;
        for (uint32_t i = 0; i < map->size; i++) {
            msgpack_object *k = &map->ptr [i].key, *v = &map->ptr [i].val;
            if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
                continue;
            if (codec_key_is (k, "seq")) {
                *seq = v->via.u64;
                got |= 1;
            }
            else
            if (codec_key_is (k, "ts")) {
                *ts = v->via.u64;
                got |= 2;
            }
        }
    }
    msgpack_unpacked_destroy (&unpacked);
    return got == 3 ? 0 : -1;
}

//  ==========================================================================
//  Processes

//  A DEALER on the broker endpoint, in this process's own context
static void *
s_dealer (void *ctx, const char *endpoint)
{
    void *socket = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (socket, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (socket, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt (socket, ZMQ_RCVHWM, &zero, sizeof zero);
    if (zmq_connect (socket, endpoint)) {
        fprintf (stderr, "bench_hop: cannot connect %s: %s\n", endpoint, zmq_strerror (errno));
        exit (2);
    }
    return socket;
}

//  Wait for one message of command (skipping HEARTBEATs); -1 on timeout
static int
s_wait_for (void *socket, char command, int timeout_ms, proto_msg_t *msg)
{
    uint64_t deadline = s_now_ns () + (uint64_t) timeout_ms * 1000000ull;
    while (s_now_ns () < deadline) {
        zmq_pollitem_t item = { socket, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 50) <= 0)
            continue;
        if (proto_recv (socket, msg, false, 0))
            continue;
        const char *code;
        if (proto_check (msg, &code) == 0 && msg->command == command)
            return 0;
        proto_close (msg);
    }
    return -1;
}

//  Results a consumer writes back to the parent
typedef struct {
    uint64_t syncs;             //  journal.syncs
    uint64_t sync_us_p50;       //  journal.sync_us_p50
} journal_figures_t;

typedef struct {
    long received;              //  Unique messages
    long dups;
    long bad;
    long ooo;                   //  Arrived after a higher seq
    uint64_t first_send;
    uint64_t last_recv;
    double p50_us, p90_us, p99_us, max_us;
    journal_figures_t before;   //  Broker journal figures at start and end
    journal_figures_t after;
} consumer_result_t;

typedef struct {
    long sent;
    long accepted;
    long refused;
    double seconds;
} producer_result_t;

static int
s_compare_u64 (const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static double
s_percentile (const uint64_t *sorted, long n, double p)
{
    if (n <= 0)
        return -1;
    long i = (long) (p * (double) (n - 1) + 0.5);
    return (double) sorted [i < n ? i : n - 1] / 1000.0;
}

//  A number in the journal map of a STATS reply, or 0
static uint64_t
s_journal_figure (proto_msg_t *msg, const char *key)
{
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    msgpack_object root;
    uint64_t value = 0;
    if (mpcheck_unpack (proto_arg (msg, 0), proto_arg_size (msg, 0), &zone, &root, NULL, 0) == 0
    &&  root.type == MSGPACK_OBJECT_MAP)
        for (uint32_t i = 0; i < root.via.map.size; i++) {
            msgpack_object *v = &root.via.map.ptr [i].val;
            if (!codec_key_is (&root.via.map.ptr [i].key, "journal") || v->type != MSGPACK_OBJECT_MAP)
                continue;
            for (uint32_t j = 0; j < v->via.map.size; j++)
                if (codec_key_is (&v->via.map.ptr [j].key, key)
                &&  v->via.map.ptr [j].val.type == MSGPACK_OBJECT_POSITIVE_INTEGER)
                    value = v->via.map.ptr [j].val.via.u64;
        }
    msgpack_zone_destroy (&zone);
    return value;
}

//  Ask the broker for its journal figures
static void
s_journal_figures (void *socket, journal_figures_t *figures)
{
    proto_send_wait (socket, PROTO_STATUS, 0, NULL);
    proto_msg_t msg;
    if (s_wait_for (socket, PROTO_STATS, 10000, &msg) == 0) {
        figures->syncs = s_journal_figure (&msg, "syncs");
        figures->sync_us_p50 = s_journal_figure (&msg, "sync_us_p50");
        proto_close (&msg);
    }
}

//  The consumer: register, tell the parent (ready_fd), receive and ack
static void
s_consumer (options_t *options, long count, int ready_fd, int result_fd)
{
    void *ctx = zmq_ctx_new ();
    void *socket = s_dealer (ctx, options->endpoint);
    uint8_t credit [4];
    proto_put_u32 (credit, (uint32_t) options->credit);
    proto_part_t ready [2] = {
        { options->queue, strlen (options->queue), NULL }, { credit, 4, NULL }
    };
    proto_send_wait (socket, PROTO_READY, 2, ready);
    //  STATUS after READY: its reply means the READY was handled
    consumer_result_t result = { 0 };
    s_journal_figures (socket, &result.before);
    proto_msg_t msg;
    char go = 'r';
    if (write (ready_fd, &go, 1) != 1)
        exit (2);

    uint8_t *seen = (uint8_t *) xcalloc ((size_t) count, 1);
    uint64_t *latency = (uint64_t *) xmalloc ((size_t) count * sizeof (uint64_t));
    //  BENCH_HOP_TRACE=FILE: one line per message, "seq receive_ns latency_ns"
    FILE *trace = getenv ("BENCH_HOP_TRACE") ? fopen (getenv ("BENCH_HOP_TRACE"), "w") : NULL;
    uint64_t max_seq = 0;
    uint8_t *acks = (uint8_t *) xmalloc (PROTO_MAX_SEQS * 8);
    uint64_t last_any = s_now_ns ();
    uint64_t last_send = s_now_ns ();
    while (result.received < count) {
        zmq_pollitem_t item = { socket, 0, ZMQ_POLLIN, 0 };
        int rc = zmq_poll (&item, 1, 100);
        uint64_t now = s_now_ns ();
        if (rc <= 0) {
            if (now - last_any > 10000000000ull)
                break;                      //  10 s without a delivery
            if (now - last_send > 500000000ull) {
                proto_send_wait (socket, PROTO_HEARTBEAT, 0, NULL);
                last_send = now;
            }
            continue;
        }
        //  Drain what is there, then one ACK for the lot
        size_t nacks = 0;
        while (nacks < PROTO_MAX_SEQS && proto_recv (socket, &msg, false, ZMQ_DONTWAIT) == 0) {
            uint64_t received = s_now_ns ();
            const char *code;
            if (proto_check (&msg, &code) == 0 && msg.command == PROTO_DELIVER) {
                uint64_t seq = 0, ts = 0;
                proto_put_u64 (acks + nacks++ * 8, proto_arg_u64 (&msg, 1));
                if (s_parse (proto_arg (&msg, 3), proto_arg_size (&msg, 3), &seq, &ts)
                ||  seq >= (uint64_t) count)
                    result.bad++;
                else
                if (seen [seq])
                    result.dups++;
                else {
                    seen [seq] = 1;
                    if (result.received && seq < max_seq)
                        result.ooo++;
                    if (seq > max_seq)
                        max_seq = seq;
                    if (!result.received || ts < result.first_send)
                        result.first_send = ts;
                    result.last_recv = received;
                    latency [result.received++] = received > ts ? received - ts : 0;
                    if (trace)
                        fprintf (trace, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                                 seq, received, received > ts ? received - ts : 0);
                }
                last_any = received;
            }
            proto_close (&msg);
        }
        if (nacks) {
            proto_part_t part = { acks, nacks * 8, NULL };
            proto_send_wait (socket, PROTO_ACK, 1, &part);
            last_send = s_now_ns ();
        }
    }
    if (trace)
        fclose (trace);
    qsort (latency, (size_t) result.received, sizeof (uint64_t), s_compare_u64);
    result.p50_us = s_percentile (latency, result.received, 0.50);
    result.p90_us = s_percentile (latency, result.received, 0.90);
    result.p99_us = s_percentile (latency, result.received, 0.99);
    result.max_us = s_percentile (latency, result.received, 1.0);
    //  Acks of the last drain are handled before this STATUS is answered
    s_journal_figures (socket, &result.after);
    proto_send_wait (socket, PROTO_BYE, 0, NULL);
    if (write (result_fd, &result, sizeof result) != sizeof result)
        exit (2);
    zmq_close (socket);
    zmq_ctx_term (ctx);
    exit (0);
}

//  The producer: publish count messages within the window, paced or not
static void
s_producer (options_t *options, long count, double rate, int result_fd)
{
    prctl (PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    void *ctx = zmq_ctx_new ();
    void *socket = s_dealer (ctx, options->endpoint);
    buf_t buf;
    buf_init (&buf);
    producer_result_t result = { 0 };
    long unaccepted = 0;
    uint64_t interval = rate > 0 ? (uint64_t) (1e9 / rate) : 0;
    uint64_t start = s_now_ns ();
    uint64_t last_progress = start;
    size_t qlen = strlen (options->queue);
    while (result.accepted + result.refused < count) {
        //  Room in the window and messages left: send one
        if (result.sent < count && unaccepted < options->window) {
            if (interval) {
                uint64_t due = start + (uint64_t) result.sent * interval;
                uint64_t now = s_now_ns ();
                if (due > now) {
                    //  Read accepts while waiting for the next slot
                    zmq_pollitem_t item = { socket, 0, ZMQ_POLLIN, 0 };
                    if (due - now > 200000 && zmq_poll (&item, 1, 0) > 0)
                        goto receive;
                    struct timespec ts = { (time_t) (due / 1000000000ull), (long) (due % 1000000000ull) };
                    while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                        ;
                }
            }
            uint64_t seq = (uint64_t) result.sent;
            const story_tpl_t *story = &s_stories [seq % STORIES];
            uint64_t ts = s_now_ns ();
            s_pack (&buf, story, seq, ts, story->body_size);
            uint8_t pubseq [8];
            proto_put_u64 (pubseq, seq + 1);
            proto_part_t parts [4] = {
                { options->queue, qlen, NULL }, { pubseq, 8, NULL }, { "", 0, NULL },
                { buf.data, buf.size, NULL }
            };
            if (proto_send_wait (socket, PROTO_PUBLISH, 4, parts)) {
                fprintf (stderr, "bench_hop: publish failed: %s\n", zmq_strerror (errno));
                break;
            }
            result.sent++;
            unaccepted++;
            continue;
        }
receive:;
        //  Window full (or all sent): wait for ACCEPT / REFUSE
        zmq_pollitem_t item = { socket, 0, ZMQ_POLLIN, 0 };
        long timeout = result.sent < count && unaccepted < options->window ? 0 : 100;
        if (zmq_poll (&item, 1, timeout) <= 0) {
            if (s_now_ns () - last_progress > 20000000000ull) {
                fprintf (stderr, "bench_hop: no ACCEPT for 20 s, giving up\n");
                break;
            }
            continue;
        }
        proto_msg_t msg;
        while (proto_recv (socket, &msg, false, ZMQ_DONTWAIT) == 0) {
            const char *code;
            if (proto_check (&msg, &code) == 0) {
                if (msg.command == PROTO_ACCEPT) {
                    long n = (long) (proto_arg_size (&msg, 0) / 8);
                    result.accepted += n;
                    unaccepted -= n;
                    last_progress = s_now_ns ();
                }
                else
                if (msg.command == PROTO_REFUSE) {
                    result.refused++;
                    unaccepted--;
                }
            }
            proto_close (&msg);
        }
    }
    result.seconds = (double) (s_now_ns () - start) / 1e9;
    buf_free (&buf);
    if (write (result_fd, &result, sizeof result) != sizeof result)
        exit (2);
    zmq_close (socket);
    zmq_ctx_term (ctx);
    exit (0);
}

//  ==========================================================================
//  The parent

static pid_t s_broker_pid;

//  CPU seconds (user + system) a process has used so far
static double
s_cpu_seconds (pid_t pid)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *file = fopen (path, "r");
    if (!file)
        return 0;
    char line [1024];
    double seconds = 0;
    if (fgets (line, sizeof line, file)) {
        char *p = strrchr (line, ')');
        unsigned long utime = 0, stime = 0;
        if (p && sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                         &utime, &stime) == 2)
            seconds = (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
    }
    fclose (file);
    return seconds;
}

//  Peak resident memory of a process, in MB
static double
s_peak_rss_mb (pid_t pid)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *file = fopen (path, "r");
    if (!file)
        return 0;
    char line [256];
    double mb = 0;
    while (fgets (line, sizeof line, file))
        if (strncmp (line, "VmHWM:", 6) == 0)
            mb = atof (line + 6) / 1024.0;
    fclose (file);
    return mb;
}

static void
s_stop_broker (void)
{
    if (s_broker_pid > 0) {
        kill (s_broker_pid, SIGINT);
        int status;
        for (int i = 0; i < 100 && waitpid (s_broker_pid, &status, WNOHANG) == 0; i++)
            usleep (50000);
        if (waitpid (s_broker_pid, &status, WNOHANG) == 0) {
            kill (s_broker_pid, SIGKILL);
            waitpid (s_broker_pid, &status, 0);
        }
        s_broker_pid = 0;
    }
}

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

static char *
s_find_broker (void)
{
    const char *bin = getenv ("COPYDESK_BIN");
    if (bin) {
        char *path = xasprintf ("%s/copydesk-broker", bin);
        if (access (path, X_OK) == 0)
            return path;
        free (path);
    }
    char *exe = config_exe_dir ();
    if (exe) {
        char *path = xasprintf ("%s/../bin/copydesk-broker", exe);
        free (exe);
        if (access (path, X_OK) == 0)
            return path;
        free (path);
    }
    return NULL;
}

//  Run one phase; prints its line. Returns 0 if nothing was lost.
static int
s_phase (options_t *options, const char *name, long count, double rate)
{
    int ready_pipe [2], consumer_pipe [2], producer_pipe [2];
    if (pipe (ready_pipe) || pipe (consumer_pipe) || pipe (producer_pipe))
        return -1;
    fflush (stdout);
    pid_t consumer = fork ();
    if (consumer == 0) {
        prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        s_consumer (options, count, ready_pipe [1], consumer_pipe [1]);
    }
    char go;
    if (read (ready_pipe [0], &go, 1) != 1) {
        fprintf (stderr, "bench_hop: the consumer did not start\n");
        return -1;
    }
    double cpu_before = s_cpu_seconds (s_broker_pid);
    pid_t producer = fork ();
    if (producer == 0) {
        prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        s_producer (options, count, rate, producer_pipe [1]);
    }
    consumer_result_t cr = { 0 };
    producer_result_t pr = { 0 };
    if (read (producer_pipe [0], &pr, sizeof pr) != sizeof pr)
        fprintf (stderr, "bench_hop: no result from the producer\n");
    if (read (consumer_pipe [0], &cr, sizeof cr) != sizeof cr)
        fprintf (stderr, "bench_hop: no result from the consumer\n");
    double cpu = s_cpu_seconds (s_broker_pid) - cpu_before;
    waitpid (producer, NULL, 0);
    waitpid (consumer, NULL, 0);
    for (int i = 0; i < 2; i++) {
        close (ready_pipe [i]);
        close (consumer_pipe [i]);
        close (producer_pipe [i]);
    }
    uint64_t syncs = cr.after.syncs - cr.before.syncs;
    double seconds = cr.received ? (double) (cr.last_recv - cr.first_send) / 1e9 : 0;
    double mps = seconds > 0 ? (double) cr.received / seconds : 0;
    long lost = count - cr.received;
    bool ok = lost == 0 && cr.dups == 0 && cr.bad == 0 && pr.accepted == count;
    printf ("phase=%s n=%ld size=%zu window=%d credit=%d sync=%s sent=%ld accepted=%ld"
            " refused=%ld recv=%ld lost=%ld dups=%ld bad=%ld ooo=%ld secs=%.3f"
            " msgs_per_s=%.0f mb_per_s=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f"
            " broker_cpu_s=%.2f broker_us_per_msg=%.1f broker_peak_rss_mb=%.1f"
            " syncs=%" PRIu64 " msgs_per_sync=%.1f sync_us_p50=%" PRIu64 " status=%s\n",
            name, count, options->size, options->window, options->credit, options->sync,
            pr.sent, pr.accepted, pr.refused, cr.received, lost, cr.dups, cr.bad, cr.ooo,
            seconds, mps, mps * (double) options->size / 1e6,
            cr.p50_us / 1000, cr.p90_us / 1000, cr.p99_us / 1000, cr.max_us / 1000,
            cpu, count ? cpu * 1e6 / (double) count : 0, s_peak_rss_mb (s_broker_pid),
            syncs, syncs ? (double) count / (double) syncs : 0, cr.after.sync_us_p50,
            ok ? "ok" : "FAILED");
    fflush (stdout);
    return ok ? 0 : -1;
}

static void
s_usage (void)
{
    fprintf (stderr,
        "Usage: bench_hop [options]\n"
        "  --broker PATH     copydesk-broker (default $COPYDESK_BIN or ../bin)\n"
        "  -n N              messages in the tput phase (100000)\n"
        "  --paced-n N       messages in the paced phase (10000)\n"
        "  --rate R          paced rate, msgs/s (2000)\n"
        "  --size B          payload bytes (4096)\n"
        "  --window W        producer window of unaccepted publishes (256)\n"
        "  --credit C        worker credit (256)\n"
        "  --sync MODE       broker/sync: batch (default) or none\n"
        "  --phases LIST     tput,paced (both)\n"
        "  --queue Q         queue to publish to (ingest)\n"
        "  --set KEY=VALUE   another broker setting (broker/KEY), e.g. sync_interval=0\n"
        "  --keep            keep the temp home\n"
        "  -v                broker logs on stderr\n");
    exit (2);
}

int
main (int argc, char **argv)
{
    options_t options = {
        .count = 100000, .paced_count = 10000, .rate = 2000, .size = 4096,
        .window = 256, .credit = 256, .sync = "batch", .phases = "tput,paced",
        .queue = STAGE_INGEST
    };
    static const struct option longopts [] = {
        { "broker", required_argument, 0, 'b' }, { "paced-n", required_argument, 0, 'p' },
        { "rate", required_argument, 0, 'r' }, { "size", required_argument, 0, 's' },
        { "window", required_argument, 0, 'w' }, { "credit", required_argument, 0, 'c' },
        { "sync", required_argument, 0, 'y' }, { "phases", required_argument, 0, 'P' },
        { "queue", required_argument, 0, 'q' }, { "keep", no_argument, 0, 'k' },
        { "set", required_argument, 0, 'S' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    int c;
    while ((c = getopt_long (argc, argv, "n:vh", longopts, NULL)) != -1) {
        switch (c) {
            case 'b': options.broker = optarg; break;
            case 'n': options.count = atol (optarg); break;
            case 'p': options.paced_count = atol (optarg); break;
            case 'r': options.rate = atof (optarg); break;
            case 's': options.size = (size_t) atol (optarg); break;
            case 'w': options.window = atoi (optarg); break;
            case 'c': options.credit = atoi (optarg); break;
            case 'y': options.sync = optarg; break;
            case 'P': options.phases = optarg; break;
            case 'q': options.queue = optarg; break;
            case 'k': options.keep = true; break;
            case 'S': {
                const char *eq = strchr (optarg, '=');
                if (!eq || eq == optarg)
                    s_usage ();
                strv_addf (&options.settings, "%.*s = %s", (int) (eq - optarg), optarg, eq + 1);
                break;
            }
            case 'v': options.verbose = true; break;
            default: s_usage ();
        }
    }
    if (options.count < 1 || options.paced_count < 1 || options.rate <= 0
    ||  options.size < 512 || options.size > 65000 || options.window < 1
    ||  options.credit < 1 || options.credit > 65535
    ||  (!streq (options.sync, "batch") && !streq (options.sync, "none")))
        s_usage ();
    char *broker = options.broker ? xstrdup (options.broker) : s_find_broker ();
    if (!broker) {
        fprintf (stderr, "bench_hop: copydesk-broker not found (use --broker or COPYDESK_BIN)\n");
        return 2;
    }
    s_stories_init (options.size);

    //  A fresh home with the sync setting
    options.home = xstrdup ("/tmp/copydesk-bench-hop-XXXXXX");
    if (!mkdtemp (options.home)) {
        perror ("bench_hop: mkdtemp");
        return 2;
    }
    char *cfg = xasprintf ("%s/copydesk.cfg", options.home);
    FILE *file = fopen (cfg, "w");
    fprintf (file, "broker\n    sync = %s\n", options.sync);
    for (size_t i = 0; i < options.settings.len; i++)
        fprintf (file, "    %s\n", options.settings.items [i]);
    fclose (file);
    free (cfg);
    options.endpoint = xasprintf ("ipc://%s/broker.ipc", options.home);

    s_broker_pid = fork ();
    if (s_broker_pid == 0) {
        //  If this program dies, the broker stops too
        prctl (PR_SET_PDEATHSIG, SIGINT, 0, 0, 0);
        if (!options.verbose) {
            char *log = xasprintf ("%s/broker.log", options.home);
            int fd = open (log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd >= 0) {
                dup2 (fd, 1);           //  zsys logs to stdout
                dup2 (fd, 2);
                close (fd);
            }
        }
        execl (broker, broker, "--home", options.home, (char *) NULL);
        perror ("bench_hop: exec copydesk-broker");
        _exit (2);
    }
    int rc = 0;
    bool tput = strstr (options.phases, "tput") != NULL;
    bool paced = strstr (options.phases, "paced") != NULL;
    printf ("# bench_hop: one broker hop, %s, broker %s pid %d, home %s\n",
            options.endpoint, broker, (int) s_broker_pid, options.home);
    fflush (stdout);
    if (tput && s_phase (&options, "tput", options.count, 0))
        rc = 1;
    if (paced && s_phase (&options, "paced", options.paced_count, options.rate))
        rc = 1;
    s_stop_broker ();
    if (!options.keep)
        nftw (options.home, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    free (options.home);
    free (options.endpoint);
    free (broker);
    strv_free (&options.settings);
    for (int i = 0; i < STORIES; i++)
        free (s_stories [i].body);
    return rc;
}
