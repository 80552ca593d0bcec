//  SPDX-License-Identifier: MIT
//  ingress - peers, PUBLISH, held publishes and the tap (see broker.h)
//
//  Peers are keyed by routing id. A PUBLISH is checked, then held (its queue
//  is above the high mark) or taken into the current batch; held publishes
//  are released in arrival order once the queue is below its low mark.

#include "common.h"
#include "broker/internal.h"

//  --------------------------------------------------------------------------
//  Make text from a peer safe to log and to store as a msgpack str: control
//  characters become spaces, bytes that are not valid UTF-8 become '?'
void
broker_text_clean (char *text)
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

//  --------------------------------------------------------------------------
//  Hash of a peer key ([size][routing id]) for the peers table
size_t
broker_key_hash (const void *key)
{
    const uint8_t *k = (const uint8_t *) key;
    size_t hash = 14695981039346656037ull;
    for (size_t i = 0; i <= k [0]; i++)
        hash = (hash ^ k [i]) * 1099511628211ull;
    return hash;
}

//  --------------------------------------------------------------------------
//  Order of two peer keys
int
broker_key_compare (const void *a, const void *b)
{
    const uint8_t *x = (const uint8_t *) a, *y = (const uint8_t *) b;
    if (x [0] != y [0])
        return x [0] < y [0] ? -1 : 1;
    return memcmp (x + 1, y + 1, x [0]);
}

//  --------------------------------------------------------------------------
//  Peer keys are not copied: they live in their peer_t
void *
broker_key_borrow (const void *key)
{
    return (void *) key;        //  Keys live in their peer_t
}

//  --------------------------------------------------------------------------
//  Free a peer (the peers table destructor)
void
broker_peer_destroy (void **item)
{
    peer_t *peer = (peer_t *) *item;
    if (peer) {
        free (peer->accepts.items);
        free (peer);
        *item = NULL;
    }
}

//  --------------------------------------------------------------------------
//  Name a peer for logs: name@host:pid from READY, else its id in hex
void
broker_peer_set_label (peer_t *peer)
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

//  --------------------------------------------------------------------------
//  The peer for a routing id, created on its first valid message; marks
//  it alive
peer_t *
broker_peer_require (broker_t *self, zmq_msg_t *rid)
{
    uint8_t key [MAX_RID + 1];
    size_t size = zmq_msg_size (rid);
    key [0] = (uint8_t) size;
    memcpy (key + 1, zmq_msg_data (rid), size);
    peer_t *peer = (peer_t *) zhashx_lookup (self->peers, key);
    if (!peer) {
        peer = (peer_t *) xcalloc (1, sizeof (peer_t));
        memcpy (peer->key, key, size + 1);
        broker_peer_set_label (peer);
        peer->last_send = self->now;
        zhashx_insert (self->peers, peer->key, peer);
    }
    peer->last_recv = self->now;
    return peer;
}

//  --------------------------------------------------------------------------
//  Send a command to a peer. Returns 0, or -1 if the peer is gone
//  (EHOSTUNREACH) or not reading (EAGAIN at the high-water mark).
int
broker_send (broker_t *self, peer_t *peer, const uint8_t *key, char command,
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

//  --------------------------------------------------------------------------
//  Send ERROR code + message to a routing id
static void
s_send_error (broker_t *self, const uint8_t *key, const char *code, const char *message)
{
    proto_part_t parts [2] = {
        { code, strlen (code), NULL }, { message, strlen (message), NULL }
    };
    broker_send (self, NULL, key, PROTO_ERROR, 2, parts);
}

//  --------------------------------------------------------------------------
//  Count and report a protocol error to the peer
void
broker_protocol_error (broker_t *self, const uint8_t *key, const char *code,
                       const char *message, char command)
{
    self->errors++;
    if (self->errors <= LOG_ERRORS || self->errors % 1000 == 0 || self->verbose)
        zsys_warning ("broker: protocol error %s (%s) on %s; errors=%" PRIu64,
                      code, message, proto_command_name (command), self->errors);
    s_send_error (self, key, code, message);
}

//  --------------------------------------------------------------------------
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

//  --------------------------------------------------------------------------
//  Forget a peer entirely
void
broker_peer_forget (broker_t *self, peer_t *peer)
{
    if (peer->worker)
        broker_worker_remove (self, peer, true, "forgotten");
    s_peer_drop_held (self, peer);
    assert (peer->unaccepted == 0 && !peer->accepting);
    zhashx_delete (self->peers, peer->key);
}

//  --------------------------------------------------------------------------
//  Publish [topic][payload] on the tap; best effort. Topics from peers are
//  cleaned to [A-Za-z0-9._-], so only the broker's own ($stats) start
//  with '$'.
void
broker_tap_send (broker_t *self, const char *topic, size_t topic_size,
                 zmq_msg_t *payload, bool trusted)
{
    char clean [256];
    if (topic_size == 0 || topic_size >= sizeof clean)
        return;
    memcpy (clean, topic, topic_size);
    clean [topic_size] = 0;
    if (!trusted)
        proto_topic_clean (clean);
    zmq_msg_t copy;
    zmq_msg_init (&copy);
    zmq_msg_copy (&copy, payload);
    if (zmq_send (self->tap, clean, topic_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
    ||  zmq_msg_send (&copy, self->tap, ZMQ_DONTWAIT) < 0)
        zmq_msg_close (&copy);
}

//  --------------------------------------------------------------------------
//  Publish on every topic of a "\n"-separated list
void
broker_tap_topics (broker_t *self, const char *topics, zmq_msg_t *payload)
{
    int count = 0;
    while (topics && *topics && count < PROTO_MAX_TOPICS) {
        const char *end = strchr (topics, '\n');
        size_t size = end ? (size_t) (end - topics) : strlen (topics);
        if (size)
            broker_tap_send (self, topics, size, payload, false);
        count++;
        topics = end ? end + 1 : NULL;
    }
}

//  --------------------------------------------------------------------------
//  Queue a tap message until the dead-letter log is committed
void
broker_tap_dead_later (broker_t *self, const char *stage, const void *data, size_t size)
{
    tapmsg_t *tap = vec_push (&self->dead_taps);
    tap->topic = xasprintf ("dead.%s", stage);
    tap->payload = (zmq_msg_t *) xmalloc (sizeof (zmq_msg_t));
    zmq_msg_init_size (tap->payload, size);
    memcpy (zmq_msg_data (tap->payload), data, size);
}

//  --------------------------------------------------------------------------
//  Take custody of a publish: journal it, account it; it is queued once
//  the batch is written and accepted once it is synced
static void
s_accept_publish (broker_t *self, queue_t *queue, peer_t *peer, uint64_t pubseq,
                  char *topics, zmq_msg_t *payload)
{
    entry_t *entry = broker_entry_new (queue, payload);
    entry->seq = journal_pub (self->journal, queue->name, 0, &entry->payload, &entry->segment);
    seqmap_put (self->entries, entry->seq, entry);
    queue->pending++;
    queue->pending_bytes += entry->size;
    accept_t *accept = vec_push (&self->batch);
    accept->peer = peer;
    accept->pubseq = pubseq;
    accept->entry = entry;
    accept->queue = queue;
    accept->topics = topics;
    if (topics) {
        //  The entry may be settled before its ACCEPT: the tap keeps a copy
        accept->payload = (zmq_msg_t *) xmalloc (sizeof (zmq_msg_t));
        zmq_msg_init (accept->payload);
        zmq_msg_copy (accept->payload, &entry->payload);
    }
    peer->unaccepted++;
}

//  --------------------------------------------------------------------------
static void
s_refuse (broker_t *self, peer_t *peer, uint64_t pubseq, const char *reason)
{
    uint8_t seq [8];
    proto_put_u64 (seq, pubseq);
    proto_part_t parts [2] = { { seq, 8, NULL }, { reason, strlen (reason), NULL } };
    broker_send (self, peer, NULL, PROTO_REFUSE, 2, parts);
    self->refused++;
    if (self->verbose || self->refused <= LOG_ERRORS)
        zsys_warning ("broker: REFUSE %s pubseq=%" PRIu64 " from %s",
                      reason, pubseq, peer->label);
}

//  --------------------------------------------------------------------------
//  True if the payload is one well-formed msgpack map
bool
broker_payload_ok (const uint8_t *data, size_t size)
{
    if (size == 0)
        return false;
    uint8_t first = data [0];
    bool map = (first >= 0x80 && first <= 0x8f) || first == 0xde || first == 0xdf;
    return map && mpcheck_validate (data, size, NULL, 0) == 0;
}

//  --------------------------------------------------------------------------
//  PUBLISH: refuse, hold, append to the dead-letter log (queue "dead") or
//  take into the batch
void
broker_handle_publish (broker_t *self, peer_t *peer, proto_msg_t *msg)
{
    char name [80];
    proto_arg_text (msg, 0, name, sizeof name);
    uint64_t pubseq = proto_arg_u64 (msg, 1);
    size_t topics_size = proto_arg_size (msg, 2);
    zmq_msg_t *payload = proto_arg_msg (msg, 3);
    const uint8_t *data = (const uint8_t *) zmq_msg_data (payload);
    size_t size = zmq_msg_size (payload);
    queue_t *queue = broker_queue_lookup (self, name);
    bool dead = streq (name, STAGE_DEAD);
    if (!queue && !dead) {
        s_refuse (self, peer, pubseq, "unknown-queue");
        return;
    }
    if ((int64_t) size > self->max_frame) {
        s_refuse (self, peer, pubseq, "too-large");
        return;
    }
    if (!broker_payload_ok (data, size)) {
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
        broker_tap_dead_later (self, stage, data, size);
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
    if (queue->holding || broker_queue_full (queue)) {
        //  Above the high mark: hold it, bounded per publisher
        if (peer->held >= self->max_held
        ||  (peer->held && peer->held_bytes + size > self->max_held_bytes)) {
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

//  --------------------------------------------------------------------------
//  Accept held publishes of queues that fell below their low mark, in
//  arrival order, until the high mark is reached again
void
broker_release_held (broker_t *self)
{
    for (int i = 0; i < QUEUES; i++) {
        queue_t *queue = &self->queues [i];
        if (!queue->holding || !broker_queue_low (queue))
            continue;
        queue->holding = false;
        while (queue->held_head && !broker_queue_full (queue)) {
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
