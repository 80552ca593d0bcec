//  SPDX-License-Identifier: MIT
//  broker - queues, custody and flow control of CDP/1 (see broker.h)
//
//  Every message the broker has accepted lives in one entry_t, from its
//  PUB record to its ACK or dead letter: queued in its queue's lists or in
//  flight in one worker's list, and always in the seqmap by seq. Publishes
//  above a queue's high mark wait as held_t, not journaled. Each wake-up:
//
//    1. timers: expire silent workers, heartbeat, $stats
//    2. drain up to batch messages, handle each
//    3. release held publishes of queues back below their low mark
//    4. commit: dead letters (write + sync), journal (writev), queue the
//       new entries, dispatch, fdatasync, ACCEPT per publisher, tap

#include "common.h"
#include "broker/broker.h"
#include "broker/journal.h"
#include "broker/deadlog.h"
#include "broker/seqmap.h"

#define QUEUES          4           //  Stage queues; "dead" is the log
#define MAX_RID         255         //  Routing id bytes (libzmq limit)
#define LAZY_SYNC_MS    200         //  Sync acks at least this often
#define RETRY_MS        100         //  Retry a refused disk write after
#define STATS_MS        1000        //  $stats on the tap
#define LOG_ERRORS      20          //  Protocol errors logged in full

static const char *s_queue_names [QUEUES] = {
    STAGE_INGEST, STAGE_NORMALIZE, STAGE_CLASSIFY, STAGE_STORE
};

typedef struct _entry_t entry_t;
typedef struct _peer_t peer_t;
typedef struct _queue_t queue_t;
typedef struct _held_t held_t;

//  An intrusive list of entries
typedef struct {
    entry_t *head;
    entry_t *tail;
    size_t count;
} list_t;

//  A message in custody
struct _entry_t {
    uint64_t seq;               //  Broker sequence number
    uint32_t attempts;          //  Deliveries that ended without an ACK
    uint32_t segment;           //  Journal segment of its PUB record
    queue_t *queue;             //  Its queue
    peer_t *worker;             //  Worker it is in flight at, or NULL
    entry_t *prev;              //  In the queue's list or the worker's
    entry_t *next;
    size_t size;                //  Payload bytes
    zmq_msg_t payload;          //  The payload, shared zero-copy
};

//  A publish waiting for its queue to fall below the low mark
struct _held_t {
    held_t *next;
    peer_t *peer;               //  Publisher
    uint64_t pubseq;            //  Its number for the publish
    char *topics;               //  Tap topics, or NULL
    zmq_msg_t payload;
};

//  A peer: any socket that sent us a valid message; a worker after READY
struct _peer_t {
    uint8_t key [MAX_RID + 1];  //  [size][routing id]: the hash key
    char label [192];           //  For logs: name@host:pid or the id in hex
    int64_t last_recv;          //  Monotonic ms of its last message
    int64_t last_send;          //  Monotonic ms of our last message to it
    bool worker;                //  Registered with READY
    queue_t *queue;             //  Queue it consumes, if a worker
    uint32_t credit;            //  Window of in-flight messages
    list_t inflight;            //  Messages in flight at it, delivery order
    bool isolated;              //  Holds a suspect: gets nothing else
    bool ready;                 //  In its queue's ready list
    peer_t *ready_prev;         //  Ready list: workers with free credit
    peer_t *ready_next;
    peer_t *worker_prev;        //  All workers of its queue
    peer_t *worker_next;
    char name [64];             //  READY info
    char host [64];
    char version [32];
    int64_t pid;
    uint64_t acked;             //  Deliveries it acknowledged
    VEC (uint64_t) accepts;     //  Pubseqs to ACCEPT at this commit
    peer_t *accept_next;        //  Peers with accepts to send
    bool accepting;             //  In that list
    size_t held;                //  Its publishes held
    uint64_t held_bytes;
    size_t unaccepted;          //  Its publishes in the batch
};

//  A stage queue
struct _queue_t {
    const char *name;
    list_t fresh;               //  Never delivered, or returned by BYE
    list_t suspects;            //  Redelivered (attempts > 0): first, alone
    held_t *held_head;          //  Publishes held above the high mark
    held_t *held_tail;
    size_t held;
    uint64_t held_bytes;
    bool holding;               //  Above the high mark, not yet below low
    size_t pending;             //  Accepted in this batch, not yet queued
    uint64_t pending_bytes;
    size_t inflight;            //  Messages in flight at workers
    uint64_t bytes;             //  Payload bytes queued and in flight
    size_t high_mark;           //  Messages
    uint64_t high_bytes;        //  Bytes
    peer_t *workers;            //  Registered workers
    size_t worker_count;
    peer_t *ready_head;         //  Workers with free credit, round robin
    peer_t *ready_tail;
    peer_t *drain;              //  Worker kept free for a waiting suspect
    uint64_t published;         //  Counters since start
    uint64_t delivered;
    uint64_t acked;
    uint64_t redelivered;
    uint64_t dead;
    uint64_t rate_published;    //  Counters at the last rate tick
    uint64_t rate_acked;
    double rate_in;             //  Messages per second over the last tick
    double rate_out;
};

//  A publish accepted into the current batch
typedef struct {
    peer_t *peer;
    uint64_t pubseq;
    entry_t *entry;             //  New message, or NULL for a dead letter
    char *topics;               //  Tap topics, or NULL
    zmq_msg_t *payload;         //  Dead letter bytes for the tap, or NULL
} accept_t;

//  A tap message waiting for the dead-letter log commit
typedef struct {
    char *topic;
    zmq_msg_t *payload;
} tapmsg_t;

struct _broker_t {
    config_t *config;           //  Not owned
    zsock_t *router_sock;       //  The endpoint
    zsock_t *tap_sock;          //  The tap
    void *router;               //  Raw handles
    void *tap;
    char *endpoint;             //  Resolved endpoints
    char *tcp_endpoint;
    char *tap_endpoint;
    journal_t *journal;
    deadlog_t *deadlog;
    seqmap_t *entries;          //  seq -> entry_t, every message in custody
    zhashx_t *peers;            //  key -> peer_t
    queue_t queues [QUEUES];
    VEC (accept_t) batch;       //  Accepted publishes of this commit
    VEC (tapmsg_t) dead_taps;   //  Dead letters to tap after their commit
    peer_t *accepting;          //  Peers with accepts to send
    //  Settings
    int64_t heartbeat;          //  ms
    int64_t liveness;           //  Heartbeats
    uint32_t max_attempts;
    int64_t max_frame;
    int batch_max;              //  Messages per wake-up
    size_t max_held;            //  Per publisher
    uint64_t max_held_bytes;
    bool verbose;
    //  State
    bool terminated;
    bool failed;                //  Journal sync failed: stop
    int64_t now;                //  Monotonic ms of this wake-up
    int64_t started;
    int64_t next_beat;          //  Next heartbeat/expiry pass
    int64_t next_stats;         //  Next $stats
    int64_t last_sync;
    int64_t retry_at;           //  Disk refused a write: retry then
    //  Counters
    uint64_t documents;         //  Accepted into ingest
    uint64_t accepted;          //  Accepted into normalize
    uint64_t stored;            //  Acks from store workers
    uint64_t dead;              //  Dead letters written since start
    uint64_t errors;            //  Protocol errors
    uint64_t refused;           //  REFUSE replies
    uint64_t expired;           //  Workers lost: silent, gone or not reading
    uint64_t unreachable;       //  Sends that failed (peer gone or full)
    uint64_t held_dropped;      //  Held publishes of vanished publishers
};

static void s_entry_dead (broker_t *self, entry_t *entry, const char *reason);
static void s_dispatch (broker_t *self, queue_t *queue);
static void s_worker_remove (broker_t *self, peer_t *peer, bool failed, const char *why);

//  ==========================================================================
//  Lists

static void
s_list_push_tail (list_t *list, entry_t *entry)
{
    entry->next = NULL;
    entry->prev = list->tail;
    if (list->tail)
        list->tail->next = entry;
    else
        list->head = entry;
    list->tail = entry;
    list->count++;
}

static void
s_list_push_head (list_t *list, entry_t *entry)
{
    entry->prev = NULL;
    entry->next = list->head;
    if (list->head)
        list->head->prev = entry;
    else
        list->tail = entry;
    list->head = entry;
    list->count++;
}

static void
s_list_unlink (list_t *list, entry_t *entry)
{
    if (entry->prev)
        entry->prev->next = entry->next;
    else
        list->head = entry->next;
    if (entry->next)
        entry->next->prev = entry->prev;
    else
        list->tail = entry->prev;
    entry->prev = entry->next = NULL;
    list->count--;
}

static entry_t *
s_list_pop (list_t *list)
{
    entry_t *entry = list->head;
    if (entry)
        s_list_unlink (list, entry);
    return entry;
}

//  Make text from a peer safe to log and to store as a msgpack str: control
//  characters become spaces, bytes that are not valid UTF-8 become '?'
static void
s_text_clean (char *text)
{
    uint8_t *p = (uint8_t *) text;
    while (*p) {
        size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2
                   : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
        bool valid = len > 0 && !(len == 2 && *p < 0xc2) && !(len == 4 && *p > 0xf4);
        for (size_t i = 1; valid && i < len; i++)
            valid = (p [i] & 0xc0) == 0x80;
        if (valid && len == 3)
            valid = !(p [0] == 0xe0 && p [1] < 0xa0) && !(p [0] == 0xed && p [1] > 0x9f);
        if (valid && len == 4)
            valid = !(p [0] == 0xf0 && p [1] < 0x90) && !(p [0] == 0xf4 && p [1] > 0x8f);
        if (!valid) {
            *p++ = '?';
            continue;
        }
        if (len == 1 && (*p < 32 || *p == 127))
            *p = ' ';
        p += len;
    }
}

//  ==========================================================================
//  Entries and queues

static queue_t *
s_queue_lookup (broker_t *self, const char *name)
{
    for (int i = 0; i < QUEUES; i++)
        if (streq (self->queues [i].name, name))
            return &self->queues [i];
    return NULL;
}

//  Messages and bytes counted against the queue's marks
static size_t
s_queue_size (queue_t *queue)
{
    return queue->fresh.count + queue->suspects.count + queue->inflight + queue->pending;
}

static bool
s_queue_full (queue_t *queue)
{
    return s_queue_size (queue) >= queue->high_mark
        || queue->bytes + queue->pending_bytes >= queue->high_bytes;
}

static bool
s_queue_low (queue_t *queue)
{
    return s_queue_size (queue) < (queue->high_mark + 1) / 2
        && queue->bytes + queue->pending_bytes < (queue->high_bytes + 1) / 2;
}

//  Put an entry in its queue: suspects (attempts > 0) or fresh, at the
//  head (returned by a worker) or the tail (new)
static void
s_queue_put (queue_t *queue, entry_t *entry, bool at_head)
{
    list_t *list = entry->attempts ? &queue->suspects : &queue->fresh;
    if (at_head)
        s_list_push_head (list, entry);
    else
        s_list_push_tail (list, entry);
}

static entry_t *
s_entry_new (queue_t *queue, zmq_msg_t *payload)
{
    entry_t *entry = (entry_t *) xcalloc (1, sizeof (entry_t));
    entry->queue = queue;
    zmq_msg_init (&entry->payload);
    zmq_msg_move (&entry->payload, payload);
    entry->size = zmq_msg_size (&entry->payload);
    return entry;
}

//  Forget an entry: out of the seqmap, payload released. Not in any list.
static void
s_entry_free (broker_t *self, entry_t *entry)
{
    seqmap_remove (self->entries, entry->seq);
    zmq_msg_close (&entry->payload);
    free (entry);
}

//  ==========================================================================
//  Peers

static size_t
s_key_hash (const void *key)
{
    const uint8_t *k = (const uint8_t *) key;
    size_t hash = 14695981039346656037ull;
    for (size_t i = 0; i <= k [0]; i++)
        hash = (hash ^ k [i]) * 1099511628211ull;
    return hash;
}

static int
s_key_compare (const void *a, const void *b)
{
    const uint8_t *x = (const uint8_t *) a, *y = (const uint8_t *) b;
    if (x [0] != y [0])
        return x [0] < y [0] ? -1 : 1;
    return memcmp (x + 1, y + 1, x [0]);
}

static void *
s_key_borrow (const void *key)
{
    return (void *) key;        //  Keys live in their peer_t
}

static void
s_peer_destroy (void **item)
{
    peer_t *peer = (peer_t *) *item;
    if (peer) {
        free (peer->accepts.items);
        free (peer);
        *item = NULL;
    }
}

static void
s_peer_set_label (peer_t *peer)
{
    if (peer->name [0])
        snprintf (peer->label, sizeof peer->label, "%s@%s:%" PRId64,
                  peer->name, peer->host [0] ? peer->host : "?", peer->pid);
    else {
        char *p = peer->label;
        p += sprintf (p, "peer-");
        for (int i = 1; i <= peer->key [0] && i <= 16; i++)
            p += sprintf (p, "%02x", peer->key [i]);
    }
}

static peer_t *
s_peer_require (broker_t *self, zmq_msg_t *rid)
{
    uint8_t key [MAX_RID + 1];
    size_t size = zmq_msg_size (rid);
    key [0] = (uint8_t) size;
    memcpy (key + 1, zmq_msg_data (rid), size);
    peer_t *peer = (peer_t *) zhashx_lookup (self->peers, key);
    if (!peer) {
        peer = (peer_t *) xcalloc (1, sizeof (peer_t));
        memcpy (peer->key, key, size + 1);
        s_peer_set_label (peer);
        peer->last_send = self->now;
        zhashx_insert (self->peers, peer->key, peer);
    }
    peer->last_recv = self->now;
    return peer;
}

//  Take a worker out of its queue's ready list
static void
s_ready_remove (peer_t *peer)
{
    if (!peer->ready)
        return;
    queue_t *queue = peer->queue;
    if (peer->ready_prev)
        peer->ready_prev->ready_next = peer->ready_next;
    else
        queue->ready_head = peer->ready_next;
    if (peer->ready_next)
        peer->ready_next->ready_prev = peer->ready_prev;
    else
        queue->ready_tail = peer->ready_prev;
    peer->ready_prev = peer->ready_next = NULL;
    peer->ready = false;
}

//  Keep a worker in its queue's ready list exactly when it can take a
//  fresh message; a worker that joins goes to the end
static void
s_peer_update_ready (peer_t *peer)
{
    queue_t *queue = peer->queue;
    bool ready = peer->worker && !peer->isolated && queue && queue->drain != peer
              && peer->inflight.count < peer->credit;
    if (ready == peer->ready)
        return;
    if (!ready) {
        s_ready_remove (peer);
        return;
    }
    peer->ready_next = NULL;
    peer->ready_prev = queue->ready_tail;
    if (queue->ready_tail)
        queue->ready_tail->ready_next = peer;
    else
        queue->ready_head = peer;
    queue->ready_tail = peer;
    peer->ready = true;
}

//  Send a command to a peer. Returns 0, or -1 if the peer is gone
//  (EHOSTUNREACH) or not reading (EAGAIN at the high-water mark).
static int
s_send (broker_t *self, peer_t *peer, const uint8_t *key, char command,
        int nparts, proto_part_t *parts)
{
    if (peer)
        key = peer->key;
    int rc = proto_send (self->router, key + 1, key [0], command, nparts, parts);
    if (rc == 0 && peer)
        peer->last_send = self->now;
    if (rc)
        self->unreachable++;
    return rc;
}

static void
s_send_error (broker_t *self, const uint8_t *key, const char *code, const char *message)
{
    proto_part_t parts [2] = {
        { code, strlen (code), NULL }, { message, strlen (message), NULL }
    };
    s_send (self, NULL, key, PROTO_ERROR, 2, parts);
}

//  Count and report a protocol error to the peer
static void
s_protocol_error (broker_t *self, const uint8_t *key, const char *code,
                  const char *message, char command)
{
    self->errors++;
    if (self->errors <= LOG_ERRORS || self->errors % 1000 == 0 || self->verbose)
        zsys_warning ("broker: protocol error %s (%s) on %s; errors=%" PRIu64,
                      code, message, proto_command_name (command), self->errors);
    s_send_error (self, key, code, message);
}

//  Drop the held publishes of a peer (it vanished before they were accepted)
static void
s_peer_drop_held (broker_t *self, peer_t *peer)
{
    for (int i = 0; i < QUEUES && peer->held; i++) {
        queue_t *queue = &self->queues [i];
        held_t **link = &queue->held_head;
        queue->held_tail = NULL;
        while (*link) {
            held_t *held = *link;
            if (held->peer == peer) {
                *link = held->next;
                queue->held--;
                queue->held_bytes -= zmq_msg_size (&held->payload);
                peer->held--;
                self->held_dropped++;
                zmq_msg_close (&held->payload);
                free (held->topics);
                free (held);
            }
            else {
                queue->held_tail = held;
                link = &held->next;
            }
        }
    }
    peer->held_bytes = 0;
}

//  Forget a peer entirely
static void
s_peer_forget (broker_t *self, peer_t *peer)
{
    if (peer->worker)
        s_worker_remove (self, peer, true, "forgotten");
    s_peer_drop_held (self, peer);
    assert (peer->unaccepted == 0 && !peer->accepting);
    zhashx_delete (self->peers, peer->key);
}

//  ==========================================================================
//  Workers

static void
s_worker_add (queue_t *queue, peer_t *peer)
{
    peer->queue = queue;
    peer->worker_prev = NULL;
    peer->worker_next = queue->workers;
    if (queue->workers)
        queue->workers->worker_prev = peer;
    queue->workers = peer;
    queue->worker_count++;
}

static void
s_worker_unlink (queue_t *queue, peer_t *peer)
{
    peer->worker = false;
    s_peer_update_ready (peer);
    if (peer->worker_prev)
        peer->worker_prev->worker_next = peer->worker_next;
    else
        queue->workers = peer->worker_next;
    if (peer->worker_next)
        peer->worker_next->worker_prev = peer->worker_prev;
    peer->worker_prev = peer->worker_next = NULL;
    queue->worker_count--;
    if (queue->drain == peer)
        queue->drain = NULL;
    peer->queue = NULL;
}

//  A worker leaves: failed (died, expired, unreachable) puts its in-flight
//  messages back with attempts + 1, dead-lettering those at max attempts;
//  otherwise (BYE) they go back to the head of their queue unchanged.
static void
s_worker_remove (broker_t *self, peer_t *peer, bool failed, const char *why)
{
    assert (peer->worker);
    queue_t *queue = peer->queue;
    size_t count = peer->inflight.count;
    if (failed) {
        self->expired++;
        entry_t *entry;
        while ((entry = s_list_pop (&peer->inflight))) {
            queue_t *q = entry->queue;
            entry->worker = NULL;
            q->inflight--;
            entry->attempts++;
            if (entry->attempts >= self->max_attempts) {
                char reason [256];
                snprintf (reason, sizeof reason,
                          "worker died or timed out %" PRIu32 " times; last worker %s",
                          entry->attempts, peer->label);
                q->bytes -= entry->size;
                s_entry_dead (self, entry, reason);
            }
            else {
                journal_retry (self->journal, entry->seq, entry->attempts);
                s_queue_put (q, entry, false);
                q->redelivered++;
            }
        }
    }
    else {
        //  Back to the head in their original order
        entry_t *entry;
        while ((entry = peer->inflight.tail)) {
            s_list_unlink (&peer->inflight, entry);
            entry->worker = NULL;
            entry->queue->inflight--;
            entry->queue->redelivered++;
            s_queue_put (entry->queue, entry, true);
        }
    }
    peer->isolated = false;
    s_worker_unlink (queue, peer);
    zsys_info ("broker: worker %s left %s (%s); requeued=%zu", peer->label,
               queue->name, why, count);
}

//  READY: register or update a worker
static void
s_handle_ready (broker_t *self, peer_t *peer, proto_msg_t *msg)
{
    char name [80];
    proto_arg_text (msg, 0, name, sizeof name);
    queue_t *queue = s_queue_lookup (self, name);
    if (!queue) {
        s_protocol_error (self, peer->key, "bad-queue",
                          "READY names no stage queue (ingest, normalize, classify, store)",
                          PROTO_READY);
        return;
    }
    uint32_t credit = proto_arg_u32 (msg, 1);
    if (credit < 1 || credit > 65535) {
        s_protocol_error (self, peer->key, "bad-frames", "READY credit must be 1-65535",
                          PROTO_READY);
        return;
    }
    if (proto_args (msg) > 2) {
        //  Info map: name, host, pid, version; anything else is ignored
        msgpack_zone zone;
        msgpack_zone_init (&zone, 1024);
        msgpack_object root;
        if (mpcheck_unpack (proto_arg (msg, 2), proto_arg_size (msg, 2), &zone, &root, NULL, 0) == 0
        &&  root.type == MSGPACK_OBJECT_MAP) {
            for (uint32_t i = 0; i < root.via.map.size; i++) {
                const msgpack_object *k = &root.via.map.ptr [i].key;
                const msgpack_object *v = &root.via.map.ptr [i].val;
                char *target = NULL;
                size_t size = 0;
                if (codec_key_is (k, "name"))
                    target = peer->name, size = sizeof peer->name;
                else
                if (codec_key_is (k, "host"))
                    target = peer->host, size = sizeof peer->host;
                else
                if (codec_key_is (k, "version"))
                    target = peer->version, size = sizeof peer->version;
                else
                if (codec_key_is (k, "pid") && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
                    peer->pid = v->via.u64 > INT64_MAX ? 0 : (int64_t) v->via.u64;
                if (target && v->type == MSGPACK_OBJECT_STR) {
                    size_t len = v->via.str.size < size - 1 ? v->via.str.size : size - 1;
                    memcpy (target, v->via.str.ptr, len);
                    target [len] = 0;
                    s_text_clean (target);
                }
            }
        }
        msgpack_zone_destroy (&zone);
        s_peer_set_label (peer);
    }
    bool fresh = !peer->worker;
    if (peer->worker && peer->queue != queue)
        s_worker_unlink (peer->queue, peer);
    if (!peer->worker || peer->queue != queue) {
        if (!peer->queue)
            s_worker_add (queue, peer);
        peer->worker = true;
    }
    peer->credit = credit;
    s_peer_update_ready (peer);
    if (fresh || self->verbose)
        zsys_info ("broker: worker %s ready for %s credit=%" PRIu32,
                   peer->label, queue->name, credit);
}

//  ==========================================================================
//  Tap and dead letters

//  Publish [topic][payload] on the tap, topic cleaned; best effort
static void
s_tap_send (broker_t *self, const char *topic, size_t topic_size, zmq_msg_t *payload)
{
    char clean [256];
    if (topic_size == 0 || topic_size >= sizeof clean)
        return;
    memcpy (clean, topic, topic_size);
    clean [topic_size] = 0;
    if (clean [0] != '$')
        proto_topic_clean (clean);
    zmq_msg_t copy;
    zmq_msg_init (&copy);
    zmq_msg_copy (&copy, payload);
    if (zmq_send (self->tap, clean, topic_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
    ||  zmq_msg_send (&copy, self->tap, ZMQ_DONTWAIT) < 0)
        zmq_msg_close (&copy);
}

//  Publish on every topic of a "\n"-separated list
static void
s_tap_topics (broker_t *self, const char *topics, zmq_msg_t *payload)
{
    int count = 0;
    while (topics && *topics && count < PROTO_MAX_TOPICS) {
        const char *end = strchr (topics, '\n');
        size_t size = end ? (size_t) (end - topics) : strlen (topics);
        if (size)
            s_tap_send (self, topics, size, payload);
        count++;
        topics = end ? end + 1 : NULL;
    }
}

//  Queue a tap message until the dead-letter log is committed
static void
s_tap_dead_later (broker_t *self, const char *stage, const void *data, size_t size)
{
    tapmsg_t *tap = vec_push (&self->dead_taps);
    tap->topic = xasprintf ("dead.%s", stage);
    tap->payload = (zmq_msg_t *) xmalloc (sizeof (zmq_msg_t));
    zmq_msg_init_size (tap->payload, size);
    memcpy (zmq_msg_data (tap->payload), data, size);
}

//  Where the payload came from: the document's origin or the story's uri
static char *
s_payload_origin (const uint8_t *data, size_t size)
{
    msgpack_zone zone;
    msgpack_zone_init (&zone, 2048);
    msgpack_object root;
    char *origin = NULL;
    if (mpcheck_unpack (data, size, &zone, &root, NULL, 0) == 0
    &&  root.type == MSGPACK_OBJECT_MAP)
        for (uint32_t i = 0; i < root.via.map.size && !origin; i++) {
            const msgpack_object *k = &root.via.map.ptr [i].key;
            const msgpack_object *v = &root.via.map.ptr [i].val;
            if ((codec_key_is (k, "origin") || codec_key_is (k, "uri"))
            &&  v->type == MSGPACK_OBJECT_STR && v->via.str.size < 1024)
                codec_copy_str (v, &origin);
        }
    msgpack_zone_destroy (&zone);
    return origin;
}

//  Send a message to the dead-letter log and settle it. The entry must be
//  out of every list; it is freed.
static void
s_entry_dead (broker_t *self, entry_t *entry, const char *reason)
{
    const uint8_t *data = (const uint8_t *) zmq_msg_data (&entry->payload);
    deadletter_t *letter = deadletter_new (entry->queue->name, reason, data, entry->size);
    letter->seq = entry->seq;
    letter->attempts = entry->attempts;
    letter->origin = s_payload_origin (data, entry->size);
    buf_t encoded;
    buf_init (&encoded);
    deadletter_encode (letter, &encoded);
    deadlog_append (self->deadlog, encoded.data, encoded.size);
    s_tap_dead_later (self, entry->queue->name, encoded.data, encoded.size);
    buf_free (&encoded);
    deadletter_destroy (&letter);
    journal_dead (self->journal, entry->seq, entry->segment, entry->size);
    entry->queue->dead++;
    self->dead++;
    zsys_warning ("broker: seq=%" PRIu64 " of %s to the dead-letter log: %s",
                  entry->seq, entry->queue->name, reason);
    s_entry_free (self, entry);
}

//  ==========================================================================
//  Publishing

//  Take custody of a publish: journal it, account it; it is queued once
//  the batch is written and accepted once it is synced
static void
s_accept_publish (broker_t *self, queue_t *queue, peer_t *peer, uint64_t pubseq,
                  char *topics, zmq_msg_t *payload)
{
    entry_t *entry = s_entry_new (queue, payload);
    entry->seq = journal_pub (self->journal, queue->name, 0, &entry->payload, &entry->segment);
    seqmap_put (self->entries, entry->seq, entry);
    queue->pending++;
    queue->pending_bytes += entry->size;
    accept_t *accept = vec_push (&self->batch);
    accept->peer = peer;
    accept->pubseq = pubseq;
    accept->entry = entry;
    accept->topics = topics;
    peer->unaccepted++;
}

static void
s_refuse (broker_t *self, peer_t *peer, uint64_t pubseq, const char *reason)
{
    uint8_t seq [8];
    proto_put_u64 (seq, pubseq);
    proto_part_t parts [2] = { { seq, 8, NULL }, { reason, strlen (reason), NULL } };
    s_send (self, peer, NULL, PROTO_REFUSE, 2, parts);
    self->refused++;
    if (self->verbose || self->refused <= LOG_ERRORS)
        zsys_warning ("broker: REFUSE %s pubseq=%" PRIu64 " from %s",
                      reason, pubseq, peer->label);
}

//  True if the payload is one well-formed msgpack map
static bool
s_payload_ok (const uint8_t *data, size_t size)
{
    if (size == 0)
        return false;
    uint8_t first = data [0];
    bool map = (first >= 0x80 && first <= 0x8f) || first == 0xde || first == 0xdf;
    return map && mpcheck_validate (data, size, NULL, 0) == 0;
}

static void
s_handle_publish (broker_t *self, peer_t *peer, proto_msg_t *msg)
{
    char name [80];
    proto_arg_text (msg, 0, name, sizeof name);
    uint64_t pubseq = proto_arg_u64 (msg, 1);
    size_t topics_size = proto_arg_size (msg, 2);
    zmq_msg_t *payload = proto_arg_msg (msg, 3);
    const uint8_t *data = (const uint8_t *) zmq_msg_data (payload);
    size_t size = zmq_msg_size (payload);
    queue_t *queue = s_queue_lookup (self, name);
    bool dead = streq (name, STAGE_DEAD);
    if (!queue && !dead) {
        s_refuse (self, peer, pubseq, "unknown-queue");
        return;
    }
    if ((int64_t) size > self->max_frame) {
        s_refuse (self, peer, pubseq, "too-large");
        return;
    }
    if (!s_payload_ok (data, size)) {
        s_refuse (self, peer, pubseq, "bad-payload");
        return;
    }
    char *topics = topics_size ? xstrndup ((const char *) proto_arg (msg, 2), topics_size) : NULL;
    if (dead) {
        //  A worker's dead letter: must be a dead-letter record
        char err [128];
        deadletter_t *letter = deadletter_decode (data, size, err, sizeof err);
        if (!letter || size > DEADLOG_MAX_RECORD) {
            deadletter_destroy (&letter);
            free (topics);
            s_refuse (self, peer, pubseq, "bad-payload");
            return;
        }
        char stage [64];
        snprintf (stage, sizeof stage, "%s", letter->stage);
        deadletter_destroy (&letter);
        deadlog_append (self->deadlog, data, size);
        s_tap_dead_later (self, stage, data, size);
        self->dead++;
        accept_t *accept = vec_push (&self->batch);
        accept->peer = peer;
        accept->pubseq = pubseq;
        accept->topics = topics;
        if (topics) {
            accept->payload = (zmq_msg_t *) xmalloc (sizeof (zmq_msg_t));
            zmq_msg_init (accept->payload);
            zmq_msg_move (accept->payload, payload);
        }
        peer->unaccepted++;
        return;
    }
    if (queue->holding || s_queue_full (queue)) {
        //  Above the high mark: hold it, bounded per publisher
        if (peer->held >= self->max_held
        ||  peer->held_bytes + size > self->max_held_bytes) {
            free (topics);
            s_refuse (self, peer, pubseq, "overloaded");
            return;
        }
        if (!queue->holding && self->verbose)
            zsys_info ("broker: queue %s at its high mark; holding publishes", queue->name);
        queue->holding = true;
        held_t *held = (held_t *) xcalloc (1, sizeof (held_t));
        held->peer = peer;
        held->pubseq = pubseq;
        held->topics = topics;
        zmq_msg_init (&held->payload);
        zmq_msg_move (&held->payload, payload);
        if (queue->held_tail)
            queue->held_tail->next = held;
        else
            queue->held_head = held;
        queue->held_tail = held;
        queue->held++;
        queue->held_bytes += size;
        peer->held++;
        peer->held_bytes += size;
        return;
    }
    s_accept_publish (self, queue, peer, pubseq, topics, payload);
}

//  Accept held publishes of queues that fell below their low mark, in
//  arrival order, until the high mark is reached again
static void
s_release_held (broker_t *self)
{
    for (int i = 0; i < QUEUES; i++) {
        queue_t *queue = &self->queues [i];
        if (!queue->holding || !s_queue_low (queue))
            continue;
        queue->holding = false;
        while (queue->held_head && !s_queue_full (queue)) {
            held_t *held = queue->held_head;
            queue->held_head = held->next;
            if (!queue->held_head)
                queue->held_tail = NULL;
            size_t size = zmq_msg_size (&held->payload);
            queue->held--;
            queue->held_bytes -= size;
            held->peer->held--;
            held->peer->held_bytes -= size;
            s_accept_publish (self, queue, held->peer, held->pubseq, held->topics, &held->payload);
            zmq_msg_close (&held->payload);
            free (held);
        }
        if (queue->held_head)
            queue->holding = true;
    }
}

//  ==========================================================================
//  Settling

//  Settle an in-flight entry: out of the worker's list, credit freed
static void
s_settle (broker_t *self, entry_t *entry)
{
    peer_t *worker = entry->worker;
    queue_t *queue = entry->queue;
    s_list_unlink (&worker->inflight, entry);
    entry->worker = NULL;
    queue->inflight--;
    queue->bytes -= entry->size;
    if (worker->isolated && worker->inflight.count == 0)
        worker->isolated = false;
    s_peer_update_ready (worker);
}

static void
s_handle_ack (broker_t *self, peer_t *peer, proto_msg_t *msg)
{
    const uint8_t *seqs = proto_arg (msg, 0);
    size_t count = proto_arg_size (msg, 0) / 8;
    for (size_t i = 0; i < count; i++) {
        entry_t *entry = (entry_t *) seqmap_get (self->entries, proto_get_u64 (seqs + i * 8));
        if (!entry || entry->worker != peer)
            continue;           //  Settled already, or redelivered elsewhere
        s_settle (self, entry);
        journal_ack (self->journal, entry->seq, entry->segment, entry->size);
        entry->queue->acked++;
        peer->acked++;
        if (entry->queue == &self->queues [3])
            self->stored++;
        s_entry_free (self, entry);
    }
}

static void
s_handle_reject (broker_t *self, peer_t *peer, proto_msg_t *msg)
{
    entry_t *entry = (entry_t *) seqmap_get (self->entries, proto_arg_u64 (msg, 0));
    if (!entry || entry->worker != peer)
        return;
    char text [512];
    proto_arg_text (msg, 1, text, sizeof text);
    s_text_clean (text);
    char reason [1024];
    snprintf (reason, sizeof reason, "rejected by %s: %s", peer->label,
              *text ? text : "no reason given");
    s_settle (self, entry);
    entry->attempts++;          //  This delivery ended without an ACK
    s_entry_dead (self, entry, reason);
}

//  ==========================================================================
//  Dispatch

//  Deliver an entry to a worker. On failure the entry goes back to the head
//  of its queue and the worker is removed; returns -1.
static int
s_deliver (broker_t *self, peer_t *worker, entry_t *entry)
{
    queue_t *queue = entry->queue;
    uint8_t seq [8], attempts [4];
    proto_put_u64 (seq, entry->seq);
    proto_put_u32 (attempts, entry->attempts);
    zmq_msg_t copy;
    zmq_msg_init (&copy);
    zmq_msg_copy (&copy, &entry->payload);
    proto_part_t parts [4] = {
        { queue->name, strlen (queue->name), NULL },
        { seq, 8, NULL }, { attempts, 4, NULL }, { NULL, 0, &copy }
    };
    if (s_send (self, worker, NULL, PROTO_DELIVER, 4, parts)) {
        s_queue_put (queue, entry, true);
        s_worker_remove (self, worker, true,
                         errno == EAGAIN ? "not reading" : "connection gone");
        return -1;
    }
    entry->worker = worker;
    s_list_push_tail (&worker->inflight, entry);
    queue->inflight++;
    queue->delivered++;
    return 0;
}

static void
s_dispatch (broker_t *self, queue_t *queue)
{
    //  Suspects first, each to a worker with nothing else in flight
    while (queue->suspects.count) {
        peer_t *idle = NULL;
        for (peer_t *w = queue->workers; w && !idle; w = w->worker_next)
            if (w->credit && w->inflight.count == 0 && !w->isolated)
                idle = w;
        if (!idle) {
            //  Keep the least busy worker free of new work until it is idle
            if (!queue->drain) {
                peer_t *best = NULL;
                for (peer_t *w = queue->workers; w; w = w->worker_next)
                    if (w->credit && !w->isolated
                    &&  (!best || w->inflight.count < best->inflight.count))
                        best = w;
                if (best) {
                    queue->drain = best;
                    s_peer_update_ready (best);
                }
            }
            break;
        }
        entry_t *entry = s_list_pop (&queue->suspects);
        if (s_deliver (self, idle, entry) == 0) {
            idle->isolated = true;
            if (queue->drain == idle)
                queue->drain = NULL;
            s_peer_update_ready (idle);
        }
    }
    if (queue->drain && queue->suspects.count == 0) {
        peer_t *drain = queue->drain;
        queue->drain = NULL;
        s_peer_update_ready (drain);
    }
    //  Fresh messages round robin over workers with free credit: take the
    //  first ready worker out, deliver one, put it back at the end
    while (queue->fresh.count && queue->ready_head) {
        peer_t *worker = queue->ready_head;
        s_ready_remove (worker);
        entry_t *entry = s_list_pop (&queue->fresh);
        if (s_deliver (self, worker, entry) == 0)
            s_peer_update_ready (worker);
    }
}

//  ==========================================================================
//  Statistics

static void
s_pack_kv_uint (msgpack_packer *pk, const char *key, uint64_t value)
{
    codec_pack_str (pk, key);
    msgpack_pack_uint64 (pk, value);
}

static void
s_pack_kv_double (msgpack_packer *pk, const char *key, double value)
{
    codec_pack_str (pk, key);
    msgpack_pack_double (pk, value);
}

static bool
s_idle (broker_t *self)
{
    for (int i = 0; i < QUEUES; i++) {
        queue_t *queue = &self->queues [i];
        if (s_queue_size (queue) || queue->held)
            return false;
    }
    return self->batch.len == 0 && !deadlog_pending (self->deadlog);
}

//  Encode the statistics map (docs/protocol.md §6) into buf
static void
s_stats_encode (broker_t *self, buf_t *buf)
{
    buf_clear (buf);
    msgpack_packer pk;
    codec_packer_init (&pk, buf);
    msgpack_pack_map (&pk, 18);
    codec_pack_kv_str (&pk, "version", COPYDESK_VERSION);
    codec_pack_kv_int (&pk, "pid", getpid ());
    s_pack_kv_double (&pk, "uptime", (double) (zclock_mono () - self->started) / 1000.0);
    char now [40];
    codec_pack_kv_str (&pk, "time", time_now_rfc3339 (now, sizeof now));
    s_pack_kv_uint (&pk, "documents", self->documents);
    s_pack_kv_uint (&pk, "accepted", self->accepted);
    s_pack_kv_uint (&pk, "stored", self->stored);
    s_pack_kv_uint (&pk, "dead", self->dead);
    s_pack_kv_uint (&pk, "dead_total", deadlog_total (self->deadlog));
    codec_pack_str (&pk, "idle");
    if (s_idle (self))
        msgpack_pack_true (&pk);
    else
        msgpack_pack_false (&pk);
    s_pack_kv_uint (&pk, "errors", self->errors);
    s_pack_kv_uint (&pk, "refused", self->refused);
    s_pack_kv_uint (&pk, "expired", self->expired);
    s_pack_kv_uint (&pk, "peers", zhashx_size (self->peers));
    s_pack_kv_uint (&pk, "held_dropped", self->held_dropped);

    //  Queues, then the dead-letter log as the "dead" queue
    codec_pack_str (&pk, "queues");
    msgpack_pack_map (&pk, QUEUES + 1);
    size_t workers = 0;
    for (int i = 0; i < QUEUES; i++) {
        queue_t *queue = &self->queues [i];
        workers += queue->worker_count;
        codec_pack_str (&pk, queue->name);
        msgpack_pack_map (&pk, 13);
        s_pack_kv_uint (&pk, "depth", queue->fresh.count + queue->suspects.count);
        s_pack_kv_uint (&pk, "inflight", queue->inflight);
        s_pack_kv_uint (&pk, "held", queue->held);
        s_pack_kv_uint (&pk, "bytes", queue->bytes);
        s_pack_kv_uint (&pk, "workers", queue->worker_count);
        s_pack_kv_uint (&pk, "published", queue->published);
        s_pack_kv_uint (&pk, "delivered", queue->delivered);
        s_pack_kv_uint (&pk, "acked", queue->acked);
        s_pack_kv_uint (&pk, "redelivered", queue->redelivered);
        s_pack_kv_uint (&pk, "dead", queue->dead);
        s_pack_kv_double (&pk, "rate_in", queue->rate_in);
        s_pack_kv_double (&pk, "rate_out", queue->rate_out);
        s_pack_kv_uint (&pk, "suspects", queue->suspects.count);
    }
    codec_pack_str (&pk, STAGE_DEAD);
    msgpack_pack_map (&pk, 2);
    s_pack_kv_uint (&pk, "published", self->dead);
    s_pack_kv_uint (&pk, "total", deadlog_total (self->deadlog));

    codec_pack_str (&pk, "workers");
    msgpack_pack_array (&pk, workers);
    for (int i = 0; i < QUEUES; i++)
        for (peer_t *w = self->queues [i].workers; w; w = w->worker_next) {
            msgpack_pack_map (&pk, 9);
            codec_pack_kv_str (&pk, "queue", w->queue->name);
            codec_pack_kv_str (&pk, "name", w->name);
            codec_pack_kv_str (&pk, "host", w->host);
            codec_pack_kv_int (&pk, "pid", w->pid);
            s_pack_kv_uint (&pk, "credit", w->credit);
            s_pack_kv_uint (&pk, "inflight", w->inflight.count);
            s_pack_kv_uint (&pk, "acked", w->acked);
            s_pack_kv_uint (&pk, "idle_ms", (uint64_t) (self->now - w->last_recv));
            codec_pack_kv_str (&pk, "version", w->version);
        }

    journal_stats_t js;
    journal_stats (self->journal, &js);
    codec_pack_str (&pk, "journal");
    msgpack_pack_map (&pk, 10);
    s_pack_kv_uint (&pk, "segments", js.segments);
    s_pack_kv_uint (&pk, "bytes", js.bytes);
    s_pack_kv_uint (&pk, "syncs", js.syncs);
    s_pack_kv_uint (&pk, "sync_us_p50", js.sync_us_p50);
    s_pack_kv_uint (&pk, "sync_us_max", js.sync_us_max);
    s_pack_kv_uint (&pk, "replayed", js.replayed);
    s_pack_kv_uint (&pk, "records", js.records);
    s_pack_kv_uint (&pk, "rewritten", js.rewritten);
    s_pack_kv_uint (&pk, "deleted", js.deleted);
    s_pack_kv_uint (&pk, "errors", js.errors);
}

static void
s_send_stats (broker_t *self, peer_t *peer)
{
    buf_t stats;
    buf_init (&stats);
    s_stats_encode (self, &stats);
    proto_part_t part = { stats.data, stats.size, NULL };
    s_send (self, peer, NULL, PROTO_STATS, 1, &part);
    buf_free (&stats);
}

//  ==========================================================================
//  Messages from peers

static void
s_handle_message (broker_t *self, proto_msg_t *msg)
{
    zmq_msg_t *rid = proto_routing_id (msg);
    if (!rid || zmq_msg_size (rid) == 0 || zmq_msg_size (rid) > MAX_RID)
        return;
    const char *code;
    if (proto_check (msg, &code)) {
        uint8_t key [MAX_RID + 1];
        key [0] = (uint8_t) zmq_msg_size (rid);
        memcpy (key + 1, zmq_msg_data (rid), key [0]);
        const char *text =
            streq (code, "bad-protocol") ? "frame 0 must be the protocol frame CDP1" :
            streq (code, "bad-version")  ? "this broker speaks CDP1 only" :
            streq (code, "bad-command")  ? "unknown command" :
                                           "wrong number or size of frames for the command";
        char command = 0;
        if (msg->count > msg->base + 1 && zmq_msg_size (&msg->frames [msg->base + 1]) == 1)
            command = *(const char *) zmq_msg_data (&msg->frames [msg->base + 1]);
        s_protocol_error (self, key, code, text, command);
        //  A registered worker that talks nonsense is still alive
        peer_t *peer = (peer_t *) zhashx_lookup (self->peers, key);
        if (peer)
            peer->last_recv = self->now;
        return;
    }
    peer_t *peer = s_peer_require (self, rid);
    switch (msg->command) {
        case PROTO_PUBLISH:
            s_handle_publish (self, peer, msg);
            break;
        case PROTO_ACK:
        case PROTO_REJECT:
        case PROTO_CREDIT:
            if (!peer->worker) {
                s_protocol_error (self, peer->key, "not-registered",
                                  "send READY first", msg->command);
                break;
            }
            if (msg->command == PROTO_ACK)
                s_handle_ack (self, peer, msg);
            else
            if (msg->command == PROTO_REJECT)
                s_handle_reject (self, peer, msg);
            else {
                uint32_t credit = proto_arg_u32 (msg, 0);
                if (credit > 65535)
                    s_protocol_error (self, peer->key, "bad-frames",
                                      "credit must be 0-65535", PROTO_CREDIT);
                else {
                    peer->credit = credit;
                    s_peer_update_ready (peer);
                }
            }
            break;
        case PROTO_READY:
            s_handle_ready (self, peer, msg);
            break;
        case PROTO_EVENT: {
            zmq_msg_t *payload = proto_arg_msg (msg, 1);
            if (!s_payload_ok ((const uint8_t *) zmq_msg_data (payload), zmq_msg_size (payload))) {
                s_protocol_error (self, peer->key, "bad-payload",
                                  "EVENT payload must be one msgpack map", PROTO_EVENT);
                break;
            }
            char *topics = xstrndup ((const char *) proto_arg (msg, 0), proto_arg_size (msg, 0));
            s_tap_topics (self, topics, payload);
            free (topics);
            break;
        }
        case PROTO_HEARTBEAT:
            if (!peer->worker)
                s_send (self, peer, NULL, PROTO_HEARTBEAT, 0, NULL);
            break;
        case PROTO_STATUS:
            s_send_stats (self, peer);
            break;
        case PROTO_BYE:
            if (peer->worker)
                s_worker_remove (self, peer, false, "bye");
            break;
        default:
            //  ACCEPT, REFUSE, DELIVER, STATS, ERROR go the other way
            s_protocol_error (self, peer->key, "bad-command",
                              "command is sent by the broker, not to it", msg->command);
            break;
    }
}

//  ==========================================================================
//  Commit: dead letters, journal, dispatch, sync, ACCEPT

static void
s_send_accepts (broker_t *self)
{
    //  Collect pubseqs per publisher; tap the accepted publishes
    for (size_t i = 0; i < self->batch.len; i++) {
        accept_t *accept = &self->batch.items [i];
        peer_t *peer = accept->peer;
        *vec_push (&peer->accepts) = accept->pubseq;
        peer->unaccepted--;
        if (!peer->accepting) {
            peer->accepting = true;
            peer->accept_next = self->accepting;
            self->accepting = peer;
        }
        entry_t *entry = accept->entry;
        if (entry) {
            queue_t *queue = entry->queue;
            queue->published++;
            if (queue == &self->queues [0])
                self->documents++;
            else
            if (queue == &self->queues [1])
                self->accepted++;
            if (accept->topics)
                s_tap_topics (self, accept->topics, &entry->payload);
        }
        else
        if (accept->payload) {
            s_tap_topics (self, accept->topics, accept->payload);
            zmq_msg_close (accept->payload);
            free (accept->payload);
        }
        free (accept->topics);
    }
    self->batch.len = 0;
    //  One ACCEPT per publisher (split at PROTO_MAX_SEQS)
    while (self->accepting) {
        peer_t *peer = self->accepting;
        self->accepting = peer->accept_next;
        peer->accepting = false;
        peer->accept_next = NULL;
        for (size_t done = 0; done < peer->accepts.len; ) {
            size_t count = peer->accepts.len - done;
            if (count > PROTO_MAX_SEQS)
                count = PROTO_MAX_SEQS;
            uint8_t *seqs = (uint8_t *) xmalloc (count * 8);
            for (size_t j = 0; j < count; j++)
                proto_put_u64 (seqs + j * 8, peer->accepts.items [done + j]);
            proto_part_t part = { seqs, count * 8, NULL };
            if (s_send (self, peer, NULL, PROTO_ACCEPT, 1, &part) && self->verbose)
                zsys_warning ("broker: ACCEPT to %s failed: %s", peer->label, zmq_strerror (errno));
            free (seqs);
            done += count;
        }
        peer->accepts.len = 0;
    }
}

//  Rewrite the live messages of a pinned old segment into the active one
static void
s_compact (broker_t *self)
{
    uint32_t segment = journal_compact_candidate (self->journal);
    if (!segment)
        return;
    size_t cursor = 0, moved = 0;
    entry_t *entry;
    while ((entry = (entry_t *) seqmap_next (self->entries, &cursor, NULL)))
        if (entry->segment == segment) {
            journal_rewrite (self->journal, entry->seq, entry->queue->name,
                             entry->attempts, &entry->payload, &entry->segment);
            moved++;
        }
    if (self->verbose)
        zsys_info ("broker: journal segment %" PRIu32 " compacted: %zu live messages moved",
                   segment, moved);
}

static void
s_commit (broker_t *self)
{
    if (self->retry_at && self->now < self->retry_at) {
        for (int i = 0; i < QUEUES; i++)
            s_dispatch (self, &self->queues [i]);
        return;
    }
    self->retry_at = 0;
    //  Dead letters are durable before the journal records that settle them
    if (deadlog_pending (self->deadlog)) {
        if (deadlog_commit (self->deadlog)) {
            self->retry_at = self->now + RETRY_MS;
            return;
        }
        for (size_t i = 0; i < self->dead_taps.len; i++) {
            tapmsg_t *tap = &self->dead_taps.items [i];
            s_tap_send (self, tap->topic, strlen (tap->topic), tap->payload);
            zmq_msg_close (tap->payload);
            free (tap->payload);
            free (tap->topic);
        }
        self->dead_taps.len = 0;
    }
    if (journal_unwritten (self->journal)) {
        if (journal_write (self->journal)) {
            self->retry_at = self->now + RETRY_MS;
            for (int i = 0; i < QUEUES; i++)
                s_dispatch (self, &self->queues [i]);
            return;
        }
        //  Written: the new messages may go out before the sync. Nothing is
        //  accepted before it, so a crash now loses nothing the publisher
        //  does not still hold.
        for (size_t i = 0; i < self->batch.len; i++) {
            entry_t *entry = self->batch.items [i].entry;
            if (entry && entry->queue->pending) {
                queue_t *queue = entry->queue;
                queue->pending--;
                queue->pending_bytes -= entry->size;
                queue->bytes += entry->size;
                s_queue_put (queue, entry, false);
            }
        }
    }
    for (int i = 0; i < QUEUES; i++)
        s_dispatch (self, &self->queues [i]);
    if (self->batch.len
    ||  (journal_unsynced (self->journal) && self->now - self->last_sync >= LAZY_SYNC_MS)) {
        if (journal_sync (self->journal)) {
            zsys_error ("broker: the journal cannot be made durable; stopping");
            self->failed = true;
            self->terminated = true;
            return;
        }
        self->last_sync = self->now;
        s_send_accepts (self);
        s_compact (self);
    }
}

//  ==========================================================================
//  Timers: expiry, heartbeats, statistics

static void
s_timers (broker_t *self)
{
    if (self->now >= self->next_beat) {
        self->next_beat = self->now + (self->heartbeat / 4 > 10 ? self->heartbeat / 4 : 10);
        int64_t expiry = self->heartbeat * self->liveness;
        VEC (peer_t *) gone = { 0 };
        for (peer_t *peer = (peer_t *) zhashx_first (self->peers); peer;
             peer = (peer_t *) zhashx_next (self->peers)) {
            int64_t silent = self->now - peer->last_recv;
            if (peer->worker && silent > expiry) {
                s_worker_remove (self, peer, true, "expired");
                *vec_push (&gone) = peer;
            }
            else
            if (peer->worker || peer->held) {
                //  Heartbeat when idle; a failed send means it is gone
                if (self->now - peer->last_send >= self->heartbeat
                &&  s_send (self, peer, NULL, PROTO_HEARTBEAT, 0, NULL)) {
                    if (peer->worker)
                        s_worker_remove (self, peer, true, "connection gone");
                    *vec_push (&gone) = peer;
                }
            }
            else
            if (silent > expiry)
                *vec_push (&gone) = peer;   //  A quiet producer or client
        }
        for (size_t i = 0; i < gone.len; i++)
            if (gone.items [i]->unaccepted == 0 && !gone.items [i]->accepting)
                s_peer_forget (self, gone.items [i]);
        free (gone.items);
    }
    if (self->now >= self->next_stats) {
        double seconds = (double) (self->now - self->next_stats + STATS_MS) / 1000.0;
        self->next_stats = self->now + STATS_MS;
        for (int i = 0; i < QUEUES; i++) {
            queue_t *queue = &self->queues [i];
            queue->rate_in = (double) (queue->published - queue->rate_published) / seconds;
            queue->rate_out = (double) (queue->acked - queue->rate_acked) / seconds;
            queue->rate_published = queue->published;
            queue->rate_acked = queue->acked;
        }
        buf_t stats;
        buf_init (&stats);
        s_stats_encode (self, &stats);
        zmq_msg_t payload;
        zmq_msg_init_size (&payload, stats.size);
        memcpy (zmq_msg_data (&payload), stats.data, stats.size);
        s_tap_send (self, "$stats", 6, &payload);
        zmq_msg_close (&payload);
        buf_free (&stats);
    }
}

//  ==========================================================================
//  Life cycle

//  Replay: queue each live message again; unknown queues go dead
typedef struct {
    entry_t *entry;
    char *queue;
} orphan_t;

typedef struct {
    broker_t *self;
    VEC (orphan_t) orphans;
} replay_t;

static void
s_replay_one (void *arg, uint64_t seq, const char *name, uint32_t attempts,
              zmq_msg_t *payload, uint32_t segment)
{
    replay_t *replay = (replay_t *) arg;
    broker_t *self = replay->self;
    queue_t *queue = s_queue_lookup (self, name);
    entry_t *entry = s_entry_new (queue ? queue : &self->queues [0], payload);
    entry->seq = seq;
    entry->attempts = attempts;
    entry->segment = segment;
    seqmap_put (self->entries, seq, entry);
    if (queue) {
        queue->bytes += entry->size;
        s_queue_put (queue, entry, false);
    }
    else {
        orphan_t *orphan = vec_push (&replay->orphans);
        orphan->entry = entry;
        orphan->queue = xstrdup (name);
    }
}

static char *
s_bind (zsock_t *sock, const char *endpoint)
{
    if (zsock_bind (sock, "%s", endpoint) < 0) {
        zsys_error ("broker: cannot bind %s: %s", endpoint, zmq_strerror (zmq_errno ()));
        return NULL;
    }
    char *resolved = zsock_last_endpoint (sock);
    char *copy = xstrdup (resolved ? resolved : endpoint);
    zstr_free (&resolved);
    return copy;
}

static uint64_t
s_config_size (config_t *config, const char *path, int64_t fallback, int64_t min)
{
    int64_t value = config_int (config, path, fallback);
    return (uint64_t) (value < min ? min : value);
}

broker_t *
broker_new (config_t *config)
{
    assert (config);
    broker_t *self = (broker_t *) xcalloc (1, sizeof (broker_t));
    self->config = config;
    self->now = self->started = zclock_mono ();
    self->heartbeat = (int64_t) s_config_size (config, "broker/heartbeat", 1000, 10);
    self->liveness = (int64_t) s_config_size (config, "broker/liveness", 5, 1);
    self->max_attempts = (uint32_t) s_config_size (config, "broker/max_attempts", 5, 1);
    self->max_frame = (int64_t) s_config_size (config, "broker/max_frame", 64 * 1024 * 1024, 1024);
    self->batch_max = (int) s_config_size (config, "broker/batch", 512, 1);
    self->max_held = (size_t) s_config_size (config, "broker/max_held", 65536, 1);
    self->max_held_bytes = s_config_size (config, "broker/max_held_bytes", 1024LL * 1024 * 1024, 1);
    self->verbose = config_int (config, "broker/verbose", 0) != 0;
    uint64_t high_mark = s_config_size (config, "broker/high_mark", 10000, 1);
    uint64_t high_bytes = s_config_size (config, "broker/high_bytes", 256LL * 1024 * 1024, 1);
    for (int i = 0; i < QUEUES; i++) {
        queue_t *queue = &self->queues [i];
        queue->name = s_queue_names [i];
        char path [128];
        snprintf (path, sizeof path, "broker/queues/%s/high_mark", queue->name);
        queue->high_mark = (size_t) s_config_size (config, path, (int64_t) high_mark, 1);
        snprintf (path, sizeof path, "broker/queues/%s/high_bytes", queue->name);
        queue->high_bytes = s_config_size (config, path, (int64_t) high_bytes, 1);
    }
    const char *sync = config_get (config, "broker/sync", "batch");
    if (!streq (sync, "batch") && !streq (sync, "none"))
        zsys_warning ("broker: broker/sync=%s is not batch or none; using batch", sync);
    bool do_sync = !streq (sync, "none");
    if (!do_sync)
        zsys_warning ("broker: broker/sync=none: accepted messages can be lost on a crash");

    self->entries = seqmap_new ();
    self->peers = zhashx_new ();
    zhashx_set_key_hasher (self->peers, s_key_hash);
    zhashx_set_key_comparator (self->peers, s_key_compare);
    zhashx_set_key_duplicator (self->peers, s_key_borrow);
    zhashx_set_key_destructor (self->peers, NULL);
    zhashx_set_destructor (self->peers, s_peer_destroy);

    //  Disk first: a second broker on the same home stops here
    char *journal_dir = config_path (config, "journal");
    uint64_t segment_size = s_config_size (config, "broker/segment_size", 64 * 1024 * 1024, 4096);
    self->journal = journal_new (journal_dir, segment_size, do_sync);
    free (journal_dir);
    char *dead_path = config_path (config, "dead/dead.log");
    self->deadlog = self->journal ? deadlog_new (dead_path, do_sync) : NULL;
    free (dead_path);
    if (!self->journal || !self->deadlog) {
        broker_destroy (&self);
        return NULL;
    }
    replay_t replay = { self, { 0 } };
    if (journal_replay (self->journal, s_replay_one, &replay)) {
        broker_destroy (&self);
        return NULL;
    }
    for (size_t i = 0; i < replay.orphans.len; i++) {
        char reason [300];
        snprintf (reason, sizeof reason, "journal names an unknown queue \"%.200s\"",
                  replay.orphans.items [i].queue);
        s_entry_dead (self, replay.orphans.items [i].entry, reason);
        free (replay.orphans.items [i].queue);
    }
    free (replay.orphans.items);

    //  Sockets
    self->router_sock = zsock_new (ZMQ_ROUTER);
    self->tap_sock = zsock_new (ZMQ_PUB);
    assert (self->router_sock && self->tap_sock);
    zsock_set_router_mandatory (self->router_sock, 1);
    zsock_set_sndhwm (self->router_sock, 100000);
    zsock_set_rcvhwm (self->router_sock, 100000);
    zsock_set_maxmsgsize (self->router_sock, (int) (self->max_frame < INT_MAX ? self->max_frame : INT_MAX));
    zsock_set_linger (self->router_sock, 0);
    zsock_set_sndhwm (self->tap_sock, 10000);
    zsock_set_maxmsgsize (self->tap_sock, 65536);
    zsock_set_linger (self->tap_sock, 0);
    self->router = zsock_resolve (self->router_sock);
    self->tap = zsock_resolve (self->tap_sock);
    self->endpoint = s_bind (self->router_sock, config_endpoint (config));
    const char *tcp = config_get (config, "broker/tcp", NULL);
    if (tcp)
        self->tcp_endpoint = s_bind (self->router_sock, tcp);
    self->tap_endpoint = s_bind (self->tap_sock, config_tap (config));
    if (!self->endpoint || (tcp && !self->tcp_endpoint) || !self->tap_endpoint) {
        broker_destroy (&self);
        return NULL;
    }
    self->next_beat = self->now;
    self->next_stats = self->now + STATS_MS;
    self->last_sync = self->now;

    journal_stats_t js;
    journal_stats (self->journal, &js);
    zsys_info ("broker: started endpoint=%s%s%s tap=%s replayed=%" PRIu64 " next_seq=%" PRIu64
               " dead_total=%" PRIu64 " sync=%s",
               self->endpoint, self->tcp_endpoint ? " tcp=" : "",
               self->tcp_endpoint ? self->tcp_endpoint : "", self->tap_endpoint,
               js.replayed, journal_next_seq (self->journal),
               deadlog_total (self->deadlog), do_sync ? "batch" : "none");
    return self;
}

void
broker_destroy (broker_t **self_p)
{
    assert (self_p);
    broker_t *self = *self_p;
    if (!self)
        return;
    //  Messages in custody: freed here, kept in the journal
    size_t cursor = 0;
    entry_t *entry;
    while ((entry = (entry_t *) seqmap_next (self->entries, &cursor, NULL))) {
        zmq_msg_close (&entry->payload);
        free (entry);
    }
    seqmap_destroy (&self->entries);
    for (int i = 0; i < QUEUES; i++) {
        held_t *held = self->queues [i].held_head;
        while (held) {
            held_t *next = held->next;
            zmq_msg_close (&held->payload);
            free (held->topics);
            free (held);
            held = next;
        }
    }
    for (size_t i = 0; i < self->batch.len; i++) {
        accept_t *accept = &self->batch.items [i];
        free (accept->topics);
        if (accept->payload) {
            zmq_msg_close (accept->payload);
            free (accept->payload);
        }
    }
    free (self->batch.items);
    for (size_t i = 0; i < self->dead_taps.len; i++) {
        zmq_msg_close (self->dead_taps.items [i].payload);
        free (self->dead_taps.items [i].payload);
        free (self->dead_taps.items [i].topic);
    }
    free (self->dead_taps.items);
    zhashx_destroy (&self->peers);
    deadlog_destroy (&self->deadlog);
    journal_destroy (&self->journal);
    zsock_destroy (&self->router_sock);
    zsock_destroy (&self->tap_sock);
    free (self->endpoint);
    free (self->tcp_endpoint);
    free (self->tap_endpoint);
    free (self);
    *self_p = NULL;
}

const char *
broker_endpoint (broker_t *self)
{
    return self->endpoint;
}

const char *
broker_tcp_endpoint (broker_t *self)
{
    return self->tcp_endpoint ? self->tcp_endpoint : "";
}

const char *
broker_tap_endpoint (broker_t *self)
{
    return self->tap_endpoint;
}

//  Handle a command on the actor pipe
static void
s_handle_pipe (broker_t *self, zsock_t *pipe)
{
    char *command = zstr_recv (pipe);
    if (!command) {
        self->terminated = true;
        return;
    }
    if (streq (command, "$TERM"))
        self->terminated = true;
    else
    if (streq (command, "ENDPOINT"))
        zstr_send (pipe, self->endpoint);
    else
    if (streq (command, "TCP"))
        zstr_send (pipe, broker_tcp_endpoint (self));
    else
    if (streq (command, "TAP"))
        zstr_send (pipe, self->tap_endpoint);
    else
        zsys_error ("broker: unknown pipe command %s", command);
    zstr_free (&command);
}

int
broker_run (broker_t *self, zsock_t *pipe)
{
    zmq_pollitem_t items [2] = {
        { self->router, 0, ZMQ_POLLIN, 0 },
        { pipe ? zsock_resolve (pipe) : NULL, 0, ZMQ_POLLIN, 0 }
    };
    int nitems = pipe ? 2 : 1;
    while (!self->terminated) {
        self->now = zclock_mono ();
        int64_t wake = self->next_beat < self->next_stats ? self->next_beat : self->next_stats;
        if (self->retry_at && self->retry_at < wake)
            wake = self->retry_at;
        if (journal_unsynced (self->journal) && self->last_sync + LAZY_SYNC_MS < wake)
            wake = self->last_sync + LAZY_SYNC_MS;
        long timeout = wake > self->now ? (long) (wake - self->now) : 0;
        int rc = zmq_poll (items, nitems, timeout);
        if (rc < 0) {
            if (errno != EINTR) {
                zsys_error ("broker: poll failed: %s", zmq_strerror (errno));
                break;
            }
            if (!pipe && zsys_interrupted)
                break;
            continue;
        }
        if (pipe && (items [1].revents & ZMQ_POLLIN)) {
            s_handle_pipe (self, pipe);
            if (self->terminated)
                break;
        }
        if (!pipe && zsys_interrupted)
            break;
        self->now = zclock_mono ();
        if (self->now >= self->next_beat || self->now >= self->next_stats)
            s_timers (self);
        for (int n = 0; n < self->batch_max; n++) {
            proto_msg_t msg;
            if (proto_recv (self->router, &msg, true, ZMQ_DONTWAIT))
                break;
            s_handle_message (self, &msg);
            proto_close (&msg);
        }
        s_release_held (self);
        s_commit (self);
    }
    //  Final commit so what was accepted is durable and acknowledged
    if (!self->failed) {
        self->now = zclock_mono ();
        self->retry_at = 0;
        self->last_sync = 0;
        s_release_held (self);
        s_commit (self);
    }
    zsys_info ("broker: stopping documents=%" PRIu64 " accepted=%" PRIu64 " stored=%" PRIu64
               " dead=%" PRIu64 " errors=%" PRIu64 " expired=%" PRIu64 " in_custody=%zu",
               self->documents, self->accepted, self->stored, self->dead, self->errors,
               self->expired, seqmap_size (self->entries));
    return self->failed ? -1 : 0;
}

void
broker_actor (zsock_t *pipe, void *args)
{
    broker_t *self = broker_new ((config_t *) args);
    zsock_signal (pipe, 0);
    if (self) {
        int rc = broker_run (self, pipe);
        bool terminated = self->terminated && !self->failed;
        broker_destroy (&self);
        if (rc == 0 && terminated)
            return;
        //  Stopped on its own (journal failure): tell the owner, who will
        //  send $TERM
        zstr_send (pipe, "FAILED");
    }
    //  Not running: answer queries with "" until told to stop
    while (true) {
        char *command = zstr_recv (pipe);
        if (!command)
            break;
        bool term = streq (command, "$TERM");
        if (!term)
            zstr_send (pipe, "");
        zstr_free (&command);
        if (term)
            break;
    }
}
