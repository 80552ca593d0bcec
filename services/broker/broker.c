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
//       new entries, dispatch, start a background fdatasync
//    5. when that sync reports back: ACCEPT per publisher, tap
//
//  So the loop never waits for the disk, and the fdatasync of one batch
//  overlaps the handling of the next.

#include "common.h"
#include "broker/internal.h"
#include <poll.h>

static const char *s_queue_names [QUEUES] = {
    STAGE_INGEST, STAGE_NORMALIZE, STAGE_CLASSIFY, STAGE_STORE
};

//  --------------------------------------------------------------------------
//  Handle one message from the ROUTER: check it, then act on the command
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
        broker_protocol_error (self, key, code, text, command);
        //  A registered worker that talks nonsense is still alive
        peer_t *peer = (peer_t *) zhashx_lookup (self->peers, key);
        if (peer)
            peer->last_recv = self->now;
        return;
    }
    peer_t *peer = broker_peer_require (self, rid);
    switch (msg->command) {
        case PROTO_PUBLISH:
            broker_handle_publish (self, peer, msg);
            break;
        case PROTO_ACK:
        case PROTO_REJECT:
        case PROTO_CREDIT:
            if (!peer->worker) {
                broker_protocol_error (self, peer->key, "not-registered",
                                       "send READY first", msg->command);
                break;
            }
            if (msg->command == PROTO_ACK)
                broker_handle_ack (self, peer, msg);
            else
            if (msg->command == PROTO_REJECT)
                broker_handle_reject (self, peer, msg);
            else {
                uint32_t credit = proto_arg_u32 (msg, 0);
                if (credit > 65535)
                    broker_protocol_error (self, peer->key, "bad-frames",
                                           "credit must be 0-65535", PROTO_CREDIT);
                else {
                    peer->credit = credit;
                    broker_peer_update_ready (peer);
                }
            }
            break;
        case PROTO_READY:
            broker_handle_ready (self, peer, msg);
            break;
        case PROTO_EVENT: {
            zmq_msg_t *payload = proto_arg_msg (msg, 1);
            if (!broker_payload_ok ((const uint8_t *) zmq_msg_data (payload), zmq_msg_size (payload))) {
                broker_protocol_error (self, peer->key, "bad-payload",
                                       "EVENT payload must be one msgpack map", PROTO_EVENT);
                break;
            }
            char *topics = xstrndup ((const char *) proto_arg (msg, 0), proto_arg_size (msg, 0));
            broker_tap_topics (self, topics, payload);
            free (topics);
            break;
        }
        case PROTO_HEARTBEAT:
            if (!peer->worker)
                broker_send (self, peer, NULL, PROTO_HEARTBEAT, 0, NULL);
            break;
        case PROTO_STATUS:
            broker_send_stats (self, peer);
            break;
        case PROTO_BYE:
            if (peer->worker)
                broker_worker_remove (self, peer, false, "bye");
            break;
        default:
            //  ACCEPT, REFUSE, DELIVER, STATS, ERROR go the other way
            broker_protocol_error (self, peer->key, "bad-command",
                                   "command is sent by the broker, not to it", msg->command);
            break;
    }
}

//  ==========================================================================
//  Commit: dead letters, journal, dispatch, sync, ACCEPT

//  --------------------------------------------------------------------------
//  ACCEPT the publishes whose journal write is durable, one ACCEPT per
//  publisher, and tap them
static void
s_flush_accepts (broker_t *self)
{
    uint64_t synced = journal_synced_gen (self->journal);
    size_t done = 0;
    for (; done < self->waiting.len && self->waiting.items [done].gen <= synced; done++) {
        accept_t *accept = &self->waiting.items [done];
        peer_t *peer = accept->peer;
        *vec_push (&peer->accepts) = accept->pubseq;
        peer->unaccepted--;
        if (!peer->accepting) {
            peer->accepting = true;
            peer->accept_next = self->accepting;
            self->accepting = peer;
        }
        queue_t *queue = accept->queue;
        if (queue) {
            queue->published++;
            if (queue == &self->queues [0])
                self->documents++;
            else
            if (queue == &self->queues [1])
                self->accepted++;
        }
        if (accept->payload) {
            broker_tap_topics (self, accept->topics, accept->payload);
            zmq_msg_close (accept->payload);
            free (accept->payload);
        }
        free (accept->topics);
    }
    if (done == 0)
        return;
    memmove (self->waiting.items, self->waiting.items + done,
             (self->waiting.len - done) * sizeof (accept_t));
    self->waiting.len -= done;
    //  One ACCEPT per publisher (split at PROTO_MAX_SEQS)
    while (self->accepting) {
        peer_t *peer = self->accepting;
        self->accepting = peer->accept_next;
        peer->accepting = false;
        peer->accept_next = NULL;
        for (size_t sent = 0; sent < peer->accepts.len; ) {
            size_t count = peer->accepts.len - sent;
            if (count > PROTO_MAX_SEQS)
                count = PROTO_MAX_SEQS;
            uint8_t *seqs = (uint8_t *) xmalloc (count * 8);
            for (size_t j = 0; j < count; j++)
                proto_put_u64 (seqs + j * 8, peer->accepts.items [sent + j]);
            proto_part_t part = { seqs, count * 8, NULL };
            if (broker_send (self, peer, NULL, PROTO_ACCEPT, 1, &part) && self->verbose)
                zsys_warning ("broker: ACCEPT to %s failed: %s", peer->label, zmq_strerror (errno));
            free (seqs);
            sent += count;
        }
        peer->accepts.len = 0;
    }
}

//  --------------------------------------------------------------------------
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

//  --------------------------------------------------------------------------
//  Ask for a sync when one is due: at once for what publishers wait for (the
//  writer spaces syncs by broker/sync_interval), lazily for what only
//  settles (ACK, RETRY)
static void
s_sync_start (broker_t *self)
{
    self->sync_due = 0;
    if (!journal_unsynced (self->journal) || journal_syncing (self->journal))
        return;                         //  The writer reports back by its fd
    if (!self->waiting.len && self->now < self->last_sync + LAZY_SYNC_MS) {
        self->sync_due = self->last_sync + LAZY_SYNC_MS;
        return;                         //  The loop wakes up for it
    }
    journal_sync_begin (self->journal);
}

//  --------------------------------------------------------------------------
//  Act on the batch: dead letters (write + sync), the journal (writev), new
//  messages queued and dispatched, a background fdatasync started
static void
s_commit (broker_t *self)
{
    if (self->retry_at && self->now < self->retry_at) {
        for (int i = 0; i < QUEUES; i++)
            broker_dispatch (self, &self->queues [i]);
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
            broker_tap_send (self, tap->topic, strlen (tap->topic), tap->payload, false);
            zmq_msg_close (tap->payload);
            free (tap->payload);
            free (tap->topic);
        }
        self->dead_taps.len = 0;
    }
    //  Sealed for the writer: the new messages may go out before they are
    //  durable. Nothing is accepted before that, so a crash loses nothing
    //  the publisher does not still hold.
    journal_write (self->journal);
    uint64_t gen = journal_written_gen (self->journal);
    for (size_t i = 0; i < self->batch.len; i++) {
        accept_t *accept = vec_push (&self->waiting);
        *accept = self->batch.items [i];
        accept->gen = gen;
        entry_t *entry = accept->entry;
        accept->entry = NULL;           //  May be settled before its ACCEPT
        if (entry) {
            queue_t *queue = entry->queue;
            queue->pending--;
            queue->pending_bytes -= entry->size;
            queue->bytes += entry->size;
            broker_queue_put (queue, entry, false);
        }
    }
    self->batch.len = 0;
    for (int i = 0; i < QUEUES; i++)
        broker_dispatch (self, &self->queues [i]);
    s_sync_start (self);
    s_flush_accepts (self);
    s_compact (self);
}

//  --------------------------------------------------------------------------
//  A background sync finished: ACCEPT what it made durable, start the next
static void
s_sync_done (broker_t *self)
{
    uint64_t before = journal_synced_gen (self->journal);
    if (journal_sync_end (self->journal)) {
        zsys_error ("broker: the journal cannot be made durable; stopping");
        self->failed = true;
        self->terminated = true;
        return;
    }
    if (journal_synced_gen (self->journal) == before && journal_syncing (self->journal))
        return;                         //  Not finished yet
    self->last_sync = self->now;
    s_flush_accepts (self);
    s_sync_start (self);
}

//  ==========================================================================
//  Timers: expiry, heartbeats, statistics

//  --------------------------------------------------------------------------
//  Periodic duties: expire silent workers, heartbeat idle peers, forget
//  quiet ones, publish $stats
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
                broker_worker_remove (self, peer, true, "expired");
                *vec_push (&gone) = peer;
            }
            else
            if (peer->worker || peer->held) {
                //  Heartbeat when idle; a failed send means it is gone
                if (self->now - peer->last_send >= self->heartbeat
                &&  broker_send (self, peer, NULL, PROTO_HEARTBEAT, 0, NULL)) {
                    if (peer->worker)
                        broker_worker_remove (self, peer, true, "connection gone");
                    *vec_push (&gone) = peer;
                }
            }
            else
            if (silent > expiry)
                *vec_push (&gone) = peer;   //  A quiet producer or client
        }
        for (size_t i = 0; i < gone.len; i++)
            if (gone.items [i]->unaccepted == 0 && !gone.items [i]->accepting)
                broker_peer_forget (self, gone.items [i]);
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
        broker_stats_encode (self, &stats);
        zmq_msg_t payload;
        zmq_msg_init_size (&payload, stats.size);
        memcpy (zmq_msg_data (&payload), stats.data, stats.size);
        broker_tap_send (self, "$stats", 6, &payload, true);
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

//  --------------------------------------------------------------------------
//  Replay callback: queue each live message again
static void
s_replay_one (void *arg, uint64_t seq, const char *name, uint32_t attempts,
              zmq_msg_t *payload, uint32_t segment)
{
    replay_t *replay = (replay_t *) arg;
    broker_t *self = replay->self;
    queue_t *queue = broker_queue_lookup (self, name);
    entry_t *entry = broker_entry_new (queue ? queue : &self->queues [0], payload);
    entry->seq = seq;
    entry->attempts = attempts;
    entry->segment = segment;
    seqmap_put (self->entries, seq, entry);
    if (queue) {
        queue->bytes += entry->size;
        broker_queue_put (queue, entry, false);
    }
    else {
        orphan_t *orphan = vec_push (&replay->orphans);
        orphan->entry = entry;
        orphan->queue = xstrdup (name);
    }
}

//  --------------------------------------------------------------------------
//  Bind a socket; returns the resolved endpoint (caller frees) or NULL
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

//  --------------------------------------------------------------------------
//  A numeric setting, at least min
static uint64_t
s_config_size (config_t *config, const char *path, int64_t fallback, int64_t min)
{
    int64_t value = config_int (config, path, fallback);
    return (uint64_t) (value < min ? min : value);
}

//  --------------------------------------------------------------------------
//  Create the broker: settings, journal and dead-letter log (replayed),
//  sockets. NULL with a logged reason on failure
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

    self->max_held = (size_t) s_config_size (config, "broker/max_held", 4096, 1);
    self->max_held_bytes = s_config_size (config, "broker/max_held_bytes", 256LL * 1024 * 1024, 1);
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
    zhashx_set_key_hasher (self->peers, broker_key_hash);
    zhashx_set_key_comparator (self->peers, broker_key_compare);
    zhashx_set_key_duplicator (self->peers, broker_key_borrow);
    zhashx_set_key_destructor (self->peers, NULL);
    zhashx_set_destructor (self->peers, broker_peer_destroy);

    //  Disk first: a second broker on the same home stops here
    char *journal_dir = config_path (config, "journal");
    uint64_t segment_size = s_config_size (config, "broker/segment_size", 64 * 1024 * 1024, 4096);
    self->journal = journal_new_wait (journal_dir, segment_size, do_sync,
                                      config_int (config, "broker/lock_wait", 5000));
    free (journal_dir);
    if (self->journal)
        journal_set_sync_interval (self->journal, 1000 * config_int (config, "broker/sync_interval", 1));
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
        broker_entry_dead (self, replay.orphans.items [i].entry, reason);
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

//  --------------------------------------------------------------------------
//  Destroy the broker: messages in custody stay in the journal
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
    for (size_t i = 0; i < self->batch.len + self->waiting.len; i++) {
        accept_t *accept = i < self->batch.len ? &self->batch.items [i]
                                               : &self->waiting.items [i - self->batch.len];
        free (accept->topics);
        if (accept->payload) {
            zmq_msg_close (accept->payload);
            free (accept->payload);
        }
    }
    free (self->batch.items);
    free (self->waiting.items);
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

//  --------------------------------------------------------------------------
//  The resolved endpoints
const char *
broker_endpoint (broker_t *self)
{
    return self->endpoint;
}

//  --------------------------------------------------------------------------
const char *
broker_tcp_endpoint (broker_t *self)
{
    return self->tcp_endpoint ? self->tcp_endpoint : "";
}

//  --------------------------------------------------------------------------
const char *
broker_tap_endpoint (broker_t *self)
{
    return self->tap_endpoint;
}

//  --------------------------------------------------------------------------
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

//  --------------------------------------------------------------------------
//  The loop: poll, timers, drain a batch, release held, commit
int
broker_run (broker_t *self, zsock_t *pipe)
{
    //  One poll () over raw descriptors: the ROUTER's and the pipe's ZMQ_FD
    //  and the journal's sync pipe. ZMQ_FD only signals edges, so before
    //  sleeping the loop asks the ROUTER for ZMQ_EVENTS (sends may have
    //  consumed the signal of messages that are waiting); the pipe is read
    //  while its ZMQ_EVENTS says so. This costs about half the system calls
    //  of zmq_poll, which asks every socket twice per wake-up.
    int router_fd = -1, pipe_fd = -1;
    size_t size = sizeof (int);
    zmq_getsockopt (self->router, ZMQ_FD, &router_fd, &size);
    if (pipe) {
        size = sizeof (int);
        zmq_getsockopt (zsock_resolve (pipe), ZMQ_FD, &pipe_fd, &size);
    }
    struct pollfd fds [3] = {
        { router_fd, POLLIN, 0 },
        { journal_sync_fd (self->journal), POLLIN, 0 },
        { pipe_fd, POLLIN, 0 }
    };
    int nfds = pipe ? 3 : 2;
    bool check_pipe = pipe != NULL;     //  Read the pipe's events this round
    bool busy = false;                  //  The last drain hit the batch limit
    while (!self->terminated) {
        self->now = zclock_mono ();
        int64_t wake = self->next_beat < self->next_stats ? self->next_beat : self->next_stats;
        if (self->retry_at && self->retry_at < wake)
            wake = self->retry_at;
        if (self->sync_due && self->sync_due < wake)
            wake = self->sync_due;
        int timeout = wake > self->now ? (int) (wake - self->now) : 0;
        if (busy || (zsock_events (self->router_sock) & ZMQ_POLLIN))
            timeout = 0;                //  Messages are waiting: just look
        int rc = poll (fds, nfds, timeout);
        if (rc < 0 && errno != EINTR) {
            zsys_error ("broker: poll failed: %s", strerror (errno));
            break;
        }
        if (!pipe && zsys_interrupted)
            break;
        if (pipe && (check_pipe || (rc > 0 && (fds [2].revents & POLLIN)))) {
            check_pipe = false;
            while (!self->terminated && (zsock_events (pipe) & ZMQ_POLLIN))
                s_handle_pipe (self, pipe);
            if (self->terminated)
                break;
        }
        self->now = zclock_mono ();
        if (rc > 0 && (fds [1].revents & POLLIN)) {
            s_sync_done (self);
            if (self->terminated)
                break;
        }
        if (self->now >= self->next_beat || self->now >= self->next_stats) {
            s_timers (self);
            check_pipe = pipe != NULL;  //  Now and then, whatever the fd says
        }
        int n = 0;
        for (; n < self->batch_max; n++) {
            proto_msg_t msg;
            if (proto_recv (self->router, &msg, true, ZMQ_DONTWAIT))
                break;
            s_handle_message (self, &msg);
            proto_close (&msg);
        }
        busy = n == self->batch_max;
        broker_release_held (self);
        s_commit (self);
    }
    //  Final commit so what was accepted is durable and acknowledged
    if (!self->failed) {
        self->now = zclock_mono ();
        self->retry_at = 0;
        broker_release_held (self);
        s_commit (self);
        if (journal_sync (self->journal) == 0)
            s_flush_accepts (self);
        else
            self->failed = true;
    }
    zsys_info ("broker: stopping documents=%" PRIu64 " accepted=%" PRIu64 " stored=%" PRIu64
               " dead=%" PRIu64 " errors=%" PRIu64 " expired=%" PRIu64 " in_custody=%zu",
               self->documents, self->accepted, self->stored, self->dead, self->errors,
               self->expired, seqmap_size (self->entries));
    return self->failed ? -1 : 0;
}

//  --------------------------------------------------------------------------
//  The actor: create, signal, run until $TERM
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
