//  SPDX-License-Identifier: MIT
//  custody - queues, workers, delivery and settlement (see broker.h)
//
//  A queue keeps fresh messages and suspects (redelivered, attempts > 0);
//  suspects go first, each to a worker with nothing else in flight. Fresh
//  messages go round robin to workers with free credit. ACK settles,
//  REJECT and max attempts send a message to the dead-letter log.

#include "common.h"
#include "broker/internal.h"

//  --------------------------------------------------------------------------
//  The stage queue of that name, or NULL ("dead" is not a queue)
queue_t *
broker_queue_lookup (broker_t *self, const char *name)
{
    for (int i = 0; i < QUEUES; i++)
        if (streq (self->queues [i].name, name))
            return &self->queues [i];
    return NULL;
}

//  --------------------------------------------------------------------------
//  Messages and bytes counted against the queue's marks
size_t
broker_queue_size (queue_t *queue)
{
    return queue->fresh.count + queue->suspects.count + queue->inflight + queue->pending;
}

//  --------------------------------------------------------------------------
//  At or above either high mark
bool
broker_queue_full (queue_t *queue)
{
    return broker_queue_size (queue) >= queue->high_mark
        || queue->bytes + queue->pending_bytes >= queue->high_bytes;
}

//  --------------------------------------------------------------------------
//  Below half of both marks
bool
broker_queue_low (queue_t *queue)
{
    return broker_queue_size (queue) < (queue->high_mark + 1) / 2
        && queue->bytes + queue->pending_bytes < (queue->high_bytes + 1) / 2;
}

//  --------------------------------------------------------------------------
//  Put an entry in its queue: suspects (attempts > 0) or fresh, at the
//  head (returned by a worker) or the tail (new)
void
broker_queue_put (queue_t *queue, entry_t *entry, bool at_head)
{
    list_t *list = entry->attempts ? &queue->suspects : &queue->fresh;
    if (at_head)
        s_list_push_head (list, entry);
    else
        s_list_push_tail (list, entry);
}

//  --------------------------------------------------------------------------
//  A new entry holding payload (moved in); seq and segment are set by the
//  caller
entry_t *
broker_entry_new (queue_t *queue, zmq_msg_t *payload)
{
    entry_t *entry = (entry_t *) xcalloc (1, sizeof (entry_t));
    entry->queue = queue;
    zmq_msg_init (&entry->payload);
    zmq_msg_move (&entry->payload, payload);
    entry->size = zmq_msg_size (&entry->payload);
    return entry;
}

//  --------------------------------------------------------------------------
//  Forget an entry: out of the seqmap, payload released. Not in any list.
static void
s_entry_free (broker_t *self, entry_t *entry)
{
    seqmap_remove (self->entries, entry->seq);
    zmq_msg_close (&entry->payload);
    free (entry);
}

//  --------------------------------------------------------------------------
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

//  --------------------------------------------------------------------------
//  Keep a worker in its queue's ready list exactly when it can take a
//  fresh message; a worker that joins goes to the end
void
broker_peer_update_ready (peer_t *peer)
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

//  --------------------------------------------------------------------------
//  Add a worker to its queue's worker list
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

//  --------------------------------------------------------------------------
//  Take a worker out of its queue (not registered any more)
static void
s_worker_unlink (queue_t *queue, peer_t *peer)
{
    peer->worker = false;
    broker_peer_update_ready (peer);
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

//  --------------------------------------------------------------------------
//  A worker leaves: failed (died, expired, unreachable) puts its in-flight
//  messages back with attempts + 1, dead-lettering those at max attempts;
//  otherwise (BYE) they go back to the head of their queue unchanged.
void
broker_worker_remove (broker_t *self, peer_t *peer, bool failed, const char *why)
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
                broker_entry_dead (self, entry, reason);
            }
            else {
                journal_retry (self->journal, entry->seq, entry->attempts);
                broker_queue_put (q, entry, false);
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
            broker_queue_put (entry->queue, entry, true);
        }
    }
    peer->isolated = false;
    s_worker_unlink (queue, peer);
    zsys_info ("broker: worker %s left %s (%s); requeued=%zu", peer->label,
               queue->name, why, count);
}

//  --------------------------------------------------------------------------
//  READY: register or update a worker
void
broker_handle_ready (broker_t *self, peer_t *peer, proto_msg_t *msg)
{
    char name [80];
    proto_arg_text (msg, 0, name, sizeof name);
    queue_t *queue = broker_queue_lookup (self, name);
    if (!queue) {
        broker_protocol_error (self, peer->key, "bad-queue",
                               "READY names no stage queue (ingest, normalize, classify, store)",
                               PROTO_READY);
        return;
    }
    uint32_t credit = proto_arg_u32 (msg, 1);
    if (credit < 1 || credit > 65535) {
        broker_protocol_error (self, peer->key, "bad-frames", "READY credit must be 1-65535",
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
                    broker_text_clean (target);
                }
            }
        }
        msgpack_zone_destroy (&zone);
        broker_peer_set_label (peer);
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
    broker_peer_update_ready (peer);
    if (fresh || self->verbose)
        zsys_info ("broker: worker %s ready for %s credit=%" PRIu32,
                   peer->label, queue->name, credit);
}

//  --------------------------------------------------------------------------
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

//  --------------------------------------------------------------------------
//  Send a message to the dead-letter log and settle it. The entry must be
//  out of every list; it is freed.
void
broker_entry_dead (broker_t *self, entry_t *entry, const char *reason)
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
    broker_tap_dead_later (self, entry->queue->name, encoded.data, encoded.size);
    buf_free (&encoded);
    deadletter_destroy (&letter);
    journal_dead (self->journal, entry->seq, entry->segment, entry->size);
    entry->queue->dead++;
    self->dead++;
    zsys_warning ("broker: seq=%" PRIu64 " of %s to the dead-letter log: %s",
                  entry->seq, entry->queue->name, reason);
    s_entry_free (self, entry);
}

//  --------------------------------------------------------------------------
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
    broker_peer_update_ready (worker);
}

//  --------------------------------------------------------------------------
//  ACK: settle each seq in flight at this worker; others are ignored
void
broker_handle_ack (broker_t *self, peer_t *peer, proto_msg_t *msg)
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

//  --------------------------------------------------------------------------
//  REJECT: the delivery goes to the dead-letter log with the reason
void
broker_handle_reject (broker_t *self, peer_t *peer, proto_msg_t *msg)
{
    entry_t *entry = (entry_t *) seqmap_get (self->entries, proto_arg_u64 (msg, 0));
    if (!entry || entry->worker != peer)
        return;
    char text [512];
    proto_arg_text (msg, 1, text, sizeof text);
    broker_text_clean (text);
    char reason [1024];
    snprintf (reason, sizeof reason, "rejected by %s: %s", peer->label,
              *text ? text : "no reason given");
    s_settle (self, entry);
    entry->attempts++;          //  This delivery ended without an ACK
    broker_entry_dead (self, entry, reason);
}

//  --------------------------------------------------------------------------
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
    if (broker_send (self, worker, NULL, PROTO_DELIVER, 4, parts)) {
        broker_queue_put (queue, entry, true);
        broker_worker_remove (self, worker, true,
                              errno == EAGAIN ? "not reading" : "connection gone");
        return -1;
    }
    entry->worker = worker;
    s_list_push_tail (&worker->inflight, entry);
    queue->inflight++;
    queue->delivered++;
    return 0;
}

//  --------------------------------------------------------------------------
//  Deliver what the queue holds within the workers' credit: suspects first,
//  each alone to a worker with nothing in flight, then fresh messages
void
broker_dispatch (broker_t *self, queue_t *queue)
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
                    broker_peer_update_ready (best);
                }
            }
            break;
        }
        entry_t *entry = s_list_pop (&queue->suspects);
        if (s_deliver (self, idle, entry) == 0) {
            idle->isolated = true;
            if (queue->drain == idle)
                queue->drain = NULL;
            broker_peer_update_ready (idle);
        }
    }
    if (queue->drain && queue->suspects.count == 0) {
        peer_t *drain = queue->drain;
        queue->drain = NULL;
        broker_peer_update_ready (drain);
    }
    //  Fresh messages round robin over workers with free credit: take the
    //  first ready worker out, deliver one, put it back at the end
    while (queue->fresh.count && queue->ready_head) {
        peer_t *worker = queue->ready_head;
        s_ready_remove (worker);
        entry_t *entry = s_list_pop (&queue->fresh);
        if (s_deliver (self, worker, entry) == 0)
            broker_peer_update_ready (worker);
    }
}
