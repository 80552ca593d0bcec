//  SPDX-License-Identifier: MIT
//  broker internals - the types the broker's files share (not an API)
//
//  broker.c: life cycle, the loop, commit and timers. ingress.c: peers,
//  PUBLISH, held publishes, the tap. custody.c: queues, workers, delivery
//  and settlement, dead letters. stats.c: the statistics map.

#ifndef COPYDESK_BROKER_INTERNAL_H
#define COPYDESK_BROKER_INTERNAL_H

#include "broker/broker.h"
#include "broker/journal.h"
#include "broker/deadlog.h"
#include "broker/seqmap.h"

#define QUEUES          4           //  Stage queues; "dead" is the log
#define MAX_RID         255         //  Routing id bytes (libzmq limit)
#define LAZY_SYNC_MS    200         //  Sync acks at least this often
#define RETRY_MS        100         //  Retry a refused dead-letter write after
#define STATS_MS        1000        //  $stats on the tap
#define LOG_ERRORS      20          //  Protocol errors logged in full

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
    entry_t *entry;             //  New message until it is queued, or NULL
    queue_t *queue;             //  Its queue, or NULL for a dead letter
    char *topics;               //  Tap topics, or NULL
    zmq_msg_t *payload;         //  Bytes for the tap (if topics), or NULL
    uint64_t gen;               //  Journal write that holds it
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
    VEC (accept_t) batch;       //  Taken publishes, not yet written
    VEC (accept_t) waiting;     //  Written, waiting for their sync
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
    int64_t last_sync;          //  When the last sync reported back
    int64_t sync_due;           //  Ask for a lazy sync then (0: none waits)
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



//  ==========================================================================
//  Intrusive lists of entries

static inline void
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

static inline void
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

static inline void
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

static inline entry_t *
s_list_pop (list_t *list)
{
    entry_t *entry = list->head;
    if (entry)
        s_list_unlink (list, entry);
    return entry;
}

//  ==========================================================================
//  ingress.c: peers, publishing, the tap

//  Make text from a peer safe to log and to store as a msgpack str: control
//  characters become spaces, bytes that are not valid UTF-8 become '?'
void
    broker_text_clean (char *text);
size_t
    broker_key_hash (const void *key);
int
    broker_key_compare (const void *a, const void *b);
void *
    broker_key_borrow (const void *key);
void
    broker_peer_destroy (void **item);
void
    broker_peer_set_label (peer_t *peer);
peer_t *
    broker_peer_require (broker_t *self, zmq_msg_t *rid);
//  Send a command to a peer. Returns 0, or -1 if the peer is gone
//  (EHOSTUNREACH) or not reading (EAGAIN at the high-water mark).
int
    broker_send (broker_t *self, peer_t *peer, const uint8_t *key, char command,
                 int nparts, proto_part_t *parts);
//  Count and report a protocol error to the peer
void
    broker_protocol_error (broker_t *self, const uint8_t *key, const char *code,
                           const char *message, char command);
//  Forget a peer entirely
void
    broker_peer_forget (broker_t *self, peer_t *peer);
//  Publish [topic][payload] on the tap; best effort. Topics from peers are
//  cleaned to [A-Za-z0-9._-], so only the broker's own ($stats) start
//  with '$'.
void
    broker_tap_send (broker_t *self, const char *topic, size_t topic_size,
                     zmq_msg_t *payload, bool trusted);
//  Publish on every topic of a "\n"-separated list
void
    broker_tap_topics (broker_t *self, const char *topics, zmq_msg_t *payload);
//  Queue a tap message until the dead-letter log is committed
void
    broker_tap_dead_later (broker_t *self, const char *stage, const void *data, size_t size);
//  True if the payload is one well-formed msgpack map
bool
    broker_payload_ok (const uint8_t *data, size_t size);
void
    broker_handle_publish (broker_t *self, peer_t *peer, proto_msg_t *msg);
//  Accept held publishes of queues that fell below their low mark, in
//  arrival order, until the high mark is reached again
void
    broker_release_held (broker_t *self);

//  ==========================================================================
//  custody.c: queues, workers, delivery, settlement

queue_t *
    broker_queue_lookup (broker_t *self, const char *name);
//  Messages and bytes counted against the queue's marks
size_t
    broker_queue_size (queue_t *queue);
bool
    broker_queue_full (queue_t *queue);
bool
    broker_queue_low (queue_t *queue);
//  Put an entry in its queue: suspects (attempts > 0) or fresh, at the
//  head (returned by a worker) or the tail (new)
void
    broker_queue_put (queue_t *queue, entry_t *entry, bool at_head);
entry_t *
    broker_entry_new (queue_t *queue, zmq_msg_t *payload);
//  Keep a worker in its queue's ready list exactly when it can take a
//  fresh message; a worker that joins goes to the end
void
    broker_peer_update_ready (peer_t *peer);
//  A worker leaves: failed (died, expired, unreachable) puts its in-flight
//  messages back with attempts + 1, dead-lettering those at max attempts;
//  otherwise (BYE) they go back to the head of their queue unchanged.
void
    broker_worker_remove (broker_t *self, peer_t *peer, bool failed, const char *why);
//  READY: register or update a worker
void
    broker_handle_ready (broker_t *self, peer_t *peer, proto_msg_t *msg);
//  Send a message to the dead-letter log and settle it. The entry must be
//  out of every list; it is freed.
void
    broker_entry_dead (broker_t *self, entry_t *entry, const char *reason);
void
    broker_handle_ack (broker_t *self, peer_t *peer, proto_msg_t *msg);
void
    broker_handle_reject (broker_t *self, peer_t *peer, proto_msg_t *msg);
void
    broker_dispatch (broker_t *self, queue_t *queue);

//  ==========================================================================
//  stats.c

//  Encode the statistics map (docs/protocol.md §6) into buf
void
    broker_stats_encode (broker_t *self, buf_t *buf);
void
    broker_send_stats (broker_t *self, peer_t *peer);

#endif
