//  SPDX-License-Identifier: MIT
//  publisher - a reliable producer client of the broker (see publisher.h)
//
//  Unaccepted publishes live in a ring indexed by pubseq % window. Pubseqs
//  are handed out in order and a new one is used only when its slot is
//  free, so every unsettled publish lies in [next - window, next): resends
//  walk that range in order.

#include "common.h"
#include "publisher.h"

#define PUBLISHER_BACKOFF_MIN   100
#define PUBLISHER_BACKOFF_MAX   5000
#define PUBLISHER_DRAIN_MAX     1024

typedef struct {
    uint64_t pubseq;            //  Our number for it
    char *queue;                //  Target queue
    char *topics;               //  Tap topics or NULL
    zmq_msg_t payload;          //  Our copy, kept until settled
    void *tag;                  //  Caller's tag for the handler
    int64_t retry_at;           //  Refused as "overloaded": send again then
} entry_t;

struct _publisher_t {
    char *endpoint;             //  Broker endpoint
    zsock_t *broker;            //  DEALER, NULL while waiting to reconnect
    zsock_t *monitor;           //  PAIR receiving the DEALER's socket events
    unsigned monitor_id;        //  For unique inproc endpoints
    entry_t **ring;             //  Unsettled publishes by pubseq % window
    size_t window;              //  Ring size
    size_t pending;             //  Entries in the ring
    size_t pending_bytes;       //  Payload bytes in the ring
    size_t max_bytes;           //  Most payload bytes pending at once
    uint64_t next_pubseq;       //  Next number to hand out
    publisher_settled_fn *handler;
    void *handler_arg;
    int heartbeat;              //  ms
    int liveness;               //  Silent heartbeats before reconnecting
    int timeout;                //  ms of broker silence before giving up
    size_t max_size;            //  Largest payload we send
    bool verbose;
    int64_t last_sent;          //  Last message to the broker (ms, monotonic)
    int64_t probe_since;        //  Oldest send unanswered on this connection, 0 if none
    int64_t expect_since;       //  Same across reconnects: the give-up clock
    int64_t reconnect_at;       //  When to reconnect while disconnected
    int backoff;                //  Current back-off, ms
    bool heard;                 //  Heard from the broker on this connection
    int unpolled;               //  Sends since the socket was last read
    size_t retrying;            //  Entries waiting to be sent again
    int settled;                //  Settled during the current call
    uint64_t accepted;          //  Counters
    uint64_t refused;
    uint64_t resent;
    uint64_t reconnects;
};

static void s_disconnect (publisher_t *self, const char *why);

//  --------------------------------------------------------------------------
//  Connection

//  Close the DEALER and its monitor
static void
s_sockets_destroy (publisher_t *self)
{
    if (self->broker)
        zmq_socket_monitor (zsock_resolve (self->broker), NULL, 0);
    zsock_destroy (&self->monitor);
    zsock_destroy (&self->broker);
}

//  We sent something: the broker owes us an answer (ACCEPT, REFUSE or a
//  HEARTBEAT). The broker only speaks when spoken to, so silence is counted
//  from the oldest unanswered send, never from the last message heard: a
//  caller busy for a minute between two sends is not a dead broker.
static void
s_sent (publisher_t *self)
{
    int64_t now = zclock_mono ();
    self->last_sent = now;
    if (!self->probe_since)
        self->probe_since = now;
    if (!self->expect_since)
        self->expect_since = now;
}

//  Send one entry (a reference to our copy of the payload)
static int
s_send_entry (publisher_t *self, entry_t *entry)
{
    zmq_msg_t copy;
    zmq_msg_init (&copy);
    zmq_msg_copy (&copy, &entry->payload);
    uint8_t seq [8];
    proto_put_u64 (seq, entry->pubseq);
    const char *topics = entry->topics ? entry->topics : "";
    proto_part_t parts [4] = {
        { entry->queue, strlen (entry->queue), NULL },
        { seq, 8, NULL },
        { topics, strlen (topics), NULL },
        { NULL, 0, &copy }
    };
    int rc = proto_send (zsock_resolve (self->broker), NULL, 0, PROTO_PUBLISH, 4, parts);
    if (rc == 0)
        s_sent (self);
    return rc;
}

//  Open a new DEALER (with a monitor) and send every unsettled publish
//  again. -1 if the endpoint is invalid.
static int
s_connect (publisher_t *self)
{
    assert (!self->broker);
    self->broker = zsock_new (ZMQ_DEALER);
    if (!self->broker)
        return -1;
    zsock_set_sndhwm (self->broker, 0);
    zsock_set_rcvhwm (self->broker, 0);
    zsock_set_linger (self->broker, 0);
    char endpoint [96];
    snprintf (endpoint, sizeof endpoint, "inproc://copydesk-publisher-%p-%u",
              (void *) self, ++self->monitor_id);
    if (zmq_socket_monitor (zsock_resolve (self->broker), endpoint, ZMQ_EVENT_DISCONNECTED) == 0) {
        self->monitor = zsock_new (ZMQ_PAIR);
        if (self->monitor && zsock_connect (self->monitor, "%s", endpoint) != 0)
            zsock_destroy (&self->monitor);
    }
    if (zsock_connect (self->broker, "%s", self->endpoint) != 0) {
        s_sockets_destroy (self);
        return -1;
    }
    self->probe_since = 0;
    self->heard = false;
    //  Resend in pubseq order
    uint64_t first = self->next_pubseq > self->window ? self->next_pubseq - self->window : 1;
    for (uint64_t pubseq = first; pubseq < self->next_pubseq; pubseq++) {
        entry_t *entry = self->ring [pubseq % self->window];
        if (entry && entry->pubseq == pubseq) {
            if (entry->retry_at) {
                entry->retry_at = 0;
                self->retrying--;
            }
            if (s_send_entry (self, entry) != 0) {
                s_disconnect (self, "cannot send to the broker");
                return 0;
            }
            self->resent++;
        }
    }
    //  A heartbeat so that a broker that is up answers at once
    if (proto_send (zsock_resolve (self->broker), NULL, 0, PROTO_HEARTBEAT, 0, NULL) == 0)
        s_sent (self);
    return 0;
}

//  Forget the connection; reconnect (and resend) after the back-off
static void
s_disconnect (publisher_t *self, const char *why)
{
    if (!self->broker)
        return;
    if (self->verbose || self->pending)
        zsys_warning ("publisher: %s (%s); %zu unaccepted, reconnecting in %d ms",
                      why, self->endpoint, self->pending, self->backoff);
    s_sockets_destroy (self);
    self->reconnects++;
    self->reconnect_at = zclock_mono () + self->backoff;
    self->backoff *= 2;
    if (self->backoff > PUBLISHER_BACKOFF_MAX)
        self->backoff = PUBLISHER_BACKOFF_MAX;
}

//  --------------------------------------------------------------------------
//  Construction

//  --------------------------------------------------------------------------
//  Create a publisher and connect it to the broker's endpoint. window: the
//  most unaccepted publishes (0 = 256). Returns NULL if the endpoint is
//  invalid. Heartbeat 1000 ms, liveness 5, timeout 10 s, max size 64 MB.
publisher_t *
publisher_new (const char *endpoint, int window)
{
    assert (endpoint);
    publisher_t *self = (publisher_t *) xcalloc (1, sizeof (publisher_t));
    self->endpoint = xstrdup (endpoint);
    self->window = window > 0 ? (size_t) window : 256;
    if (self->window > 65536)
        self->window = 65536;
    self->ring = (entry_t **) xcalloc (self->window, sizeof (entry_t *));
    self->next_pubseq = 1;
    self->heartbeat = 1000;
    self->liveness = 5;
    self->timeout = 10000;
    self->max_size = 64 * 1024 * 1024;
    self->max_bytes = 256 * 1024 * 1024;
    self->backoff = PUBLISHER_BACKOFF_MIN;
    if (s_connect (self) != 0) {
        zsys_error ("publisher: invalid broker endpoint '%s'", endpoint);
        publisher_destroy (&self);
        return NULL;
    }
    return self;
}

//  --------------------------------------------------------------------------
//  Same, with endpoint, heartbeat, liveness and max size from the config
//  (broker/endpoint, broker/heartbeat, broker/liveness, broker/max_frame).
publisher_t *
publisher_new_config (config_t *config, int window)
{
    assert (config);
    publisher_t *self = publisher_new (config_endpoint (config), window);
    if (self) {
        publisher_set_heartbeat (self, (int) config_int (config, "broker/heartbeat", 1000),
                                 (int) config_int (config, "broker/liveness", 5));
        int64_t max_frame = config_int (config, "broker/max_frame", 64 * 1024 * 1024);
        if (max_frame > 0)
            publisher_set_max_size (self, (size_t) max_frame);
    }
    return self;
}

//  Free an entry and its payload
static void
s_entry_destroy (entry_t **entry_p)
{
    entry_t *entry = *entry_p;
    if (!entry)
        return;
    zmq_msg_close (&entry->payload);
    free (entry->queue);
    free (entry->topics);
    free (entry);
    *entry_p = NULL;
}

//  --------------------------------------------------------------------------
//  Destroy and nullify; unaccepted publishes are dropped (call
//  publisher_flush first). Safe on NULL.
void
publisher_destroy (publisher_t **self_p)
{
    assert (self_p);
    publisher_t *self = *self_p;
    if (!self)
        return;
    s_sockets_destroy (self);
    for (size_t i = 0; i < self->window; i++)
        s_entry_destroy (&self->ring [i]);
    free (self->ring);
    free (self->endpoint);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Report settled publishes to handler (or stop reporting with NULL).
void
publisher_set_handler (publisher_t *self, publisher_settled_fn *handler, void *arg)
{
    assert (self);
    self->handler = handler;
    self->handler_arg = arg;
}

//  --------------------------------------------------------------------------
//  Heartbeat interval (ms) and the number of silent intervals after which
//  the broker is taken for gone and the connection remade.
void
publisher_set_heartbeat (publisher_t *self, int heartbeat, int liveness)
{
    assert (self);
    self->heartbeat = heartbeat < 10 ? 10 : heartbeat;
    self->liveness = liveness < 1 ? 1 : liveness;
}

//  --------------------------------------------------------------------------
//  How long (ms) the broker may stay silent before send and flush give up.
void
publisher_set_timeout (publisher_t *self, int timeout)
{
    assert (self);
    self->timeout = timeout < 0 ? 0 : timeout;
}

//  --------------------------------------------------------------------------
//  Largest payload to send (the broker's max_frame: a bigger frame would
//  make it drop our connection). publisher_send refuses bigger ones.
void
publisher_set_max_size (publisher_t *self, size_t max_size)
{
    assert (self);
    self->max_size = max_size;
}

//  --------------------------------------------------------------------------
//  Most bytes of unaccepted payloads kept at once (default 256 MB); send
//  waits while more would be pending. One message is always allowed.
void
publisher_set_max_bytes (publisher_t *self, size_t max_bytes)
{
    assert (self);
    self->max_bytes = max_bytes;
}

//  --------------------------------------------------------------------------
//  Log connection changes and resends.
void
publisher_set_verbose (publisher_t *self, bool verbose)
{
    assert (self);
    self->verbose = verbose;
}

//  --------------------------------------------------------------------------
//  Receiving

//  ACCEPT or REFUSE of one pubseq: report it and free the entry;
//  overloaded is transient and only schedules a resend
static void
s_settle (publisher_t *self, uint64_t pubseq, const char *refused)
{
    size_t slot = (size_t) (pubseq % self->window);
    entry_t *entry = self->ring [slot];
    if (!entry || entry->pubseq != pubseq)
        return;                 //  Unknown, or settled already (a resend)
    if (refused && streq (refused, "overloaded")) {
        //  Transient: the broker holds too much of ours; try again later
        if (!entry->retry_at)
            self->retrying++;
        entry->retry_at = zclock_mono () + 500;
        if (self->verbose)
            zsys_warning ("publisher: broker overloaded, pubseq=%" PRIu64 " again in 500 ms", pubseq);
        return;
    }
    if (entry->retry_at)
        self->retrying--;
    self->ring [slot] = NULL;
    self->pending--;
    self->pending_bytes -= zmq_msg_size (&entry->payload);
    self->settled++;
    if (refused) {
        self->refused++;
        if (self->verbose)
            zsys_warning ("publisher: broker refused pubseq=%" PRIu64 " to %s: %s",
                          pubseq, entry->queue, refused);
    }
    else
        self->accepted++;
    if (self->handler)
        self->handler (self->handler_arg, pubseq, entry->tag, refused);
    s_entry_destroy (&entry);
}

//  Read what the broker sent, up to PUBLISHER_DRAIN_MAX messages
static void
s_drain (publisher_t *self)
{
    for (int count = 0; count < PUBLISHER_DRAIN_MAX && self->broker; count++) {
        proto_msg_t msg;
        if (proto_recv (zsock_resolve (self->broker), &msg, false, ZMQ_DONTWAIT) != 0)
            return;
        const char *code;
        if (proto_check (&msg, &code) != 0) {
            zsys_warning ("publisher: bad message from the broker (%s)", code);
            proto_close (&msg);
            continue;
        }
        self->probe_since = 0;
        self->expect_since = 0;
        if (!self->heard) {
            self->heard = true;
            self->backoff = PUBLISHER_BACKOFF_MIN;
        }
        if (msg.command == PROTO_ACCEPT) {
            const uint8_t *seqs = proto_arg (&msg, 0);
            size_t count = proto_arg_size (&msg, 0) / 8;
            for (size_t i = 0; i < count; i++)
                s_settle (self, proto_get_u64 (seqs + i * 8), NULL);
        }
        else
        if (msg.command == PROTO_REFUSE) {
            char reason [256];
            proto_arg_text (&msg, 1, reason, sizeof reason);
            s_settle (self, proto_arg_u64 (&msg, 0), reason [0] ? reason : "refused");
        }
        else
        if (msg.command == PROTO_ERROR) {
            char code_text [64], text [256];
            proto_arg_text (&msg, 0, code_text, sizeof code_text);
            proto_arg_text (&msg, 1, text, sizeof text);
            zsys_warning ("publisher: broker says %s: %s", code_text, text);
        }
        proto_close (&msg);
    }
}

//  True if the monitor reports that the connection went away
static bool
s_monitor_lost (publisher_t *self)
{
    void *monitor = zsock_resolve (self->monitor);
    bool lost = false;
    while (true) {
        zmq_msg_t frame;
        zmq_msg_init (&frame);
        if (zmq_msg_recv (&frame, monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&frame);
            break;
        }
        uint16_t event = 0;
        if (zmq_msg_size (&frame) >= 2)
            memcpy (&event, zmq_msg_data (&frame), 2);
        bool more = zmq_msg_more (&frame);
        zmq_msg_close (&frame);
        while (more) {
            zmq_msg_init (&frame);
            if (zmq_msg_recv (&frame, monitor, 0) < 0) {
                zmq_msg_close (&frame);
                break;
            }
            more = zmq_msg_more (&frame);
            zmq_msg_close (&frame);
        }
        if (event == ZMQ_EVENT_DISCONNECTED)
            lost = true;
    }
    return lost;
}

//  Send again the entries refused as "overloaded" whose time has come
static void
s_resend_due (publisher_t *self, int64_t now)
{
    uint64_t first = self->next_pubseq > self->window ? self->next_pubseq - self->window : 1;
    for (uint64_t pubseq = first; pubseq < self->next_pubseq && self->broker; pubseq++) {
        entry_t *entry = self->ring [pubseq % self->window];
        if (entry && entry->pubseq == pubseq && entry->retry_at && entry->retry_at <= now) {
            entry->retry_at = 0;
            self->retrying--;
            self->resent++;
            if (s_send_entry (self, entry) != 0)
                s_disconnect (self, "cannot send to the broker");
        }
    }
}

//  One wake-up: wait up to timeout ms, read, heartbeat, reconnect.
//  Returns -1 if interrupted.
static int
s_cycle (publisher_t *self, long timeout)
{
    int64_t now = zclock_mono ();
    if (!self->broker) {
        if (now >= self->reconnect_at) {
            if (s_connect (self) != 0) {
                self->reconnect_at = now + self->backoff;
                if (self->backoff < PUBLISHER_BACKOFF_MAX)
                    self->backoff *= 2;
            }
        }
        if (!self->broker) {
            long wait = (long) (self->reconnect_at - now);
            if (wait > timeout)
                wait = timeout;
            if (wait > 0)
                zclock_sleep ((int) wait);
            return zsys_interrupted ? -1 : 0;
        }
    }
    //  Wake up in time for the next heartbeat and the silence check
    int64_t heartbeat_at = self->last_sent + self->heartbeat;
    if (heartbeat_at - now < timeout)
        timeout = (long) (heartbeat_at - now);
    if (timeout < 0)
        timeout = 0;
    zmq_pollitem_t items [2] = {
        { zsock_resolve (self->broker), 0, ZMQ_POLLIN, 0 },
        { self->monitor ? zsock_resolve (self->monitor) : NULL, 0, ZMQ_POLLIN, 0 }
    };
    int rc = zmq_poll (items, self->monitor ? 2 : 1, timeout);
    if (rc < 0 && zmq_errno () != EINTR)
        return -1;
    if (zsys_interrupted)
        return -1;
    if (rc > 0 && (items [0].revents & ZMQ_POLLIN))
        s_drain (self);
    if (rc > 0 && self->monitor && (items [1].revents & ZMQ_POLLIN) && s_monitor_lost (self)) {
        s_disconnect (self, "lost the connection to the broker");
        return 0;
    }
    now = zclock_mono ();
    if (self->broker && self->retrying)
        s_resend_due (self, now);
    if (self->broker) {
        if (self->probe_since
        &&  now - self->probe_since >= (int64_t) self->heartbeat * self->liveness)
            s_disconnect (self, "the broker is silent");
        else
        if (now - self->last_sent >= self->heartbeat) {
            if (proto_send (zsock_resolve (self->broker), NULL, 0, PROTO_HEARTBEAT, 0, NULL) == 0)
                s_sent (self);
        }
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  Sending

//  True if one more publish of size bytes fits the window and the bytes bound
static bool
s_has_room (publisher_t *self, size_t size)
{
    if (self->pending && self->pending_bytes + size > self->max_bytes)
        return false;
    return self->pending < self->window && !self->ring [self->next_pubseq % self->window];
}

//  Milliseconds the broker has been silent for
static int64_t
s_silence (publisher_t *self)
{
    return self->expect_since ? zclock_mono () - self->expect_since : 0;
}

//  Free function for zero-copy messages
static void
s_free_data (void *data, void *hint)
{
    free (data);
}

//  Publish; payload is copied unless buf is given (then its data is taken)
static uint64_t
s_send (publisher_t *self, const char *queue, const char *topics,
        const void *payload, size_t size, buf_t *buf, void *tag)
{
    assert (self);
    assert (queue);
    if (size > self->max_size) {
        if (buf)
            buf_free (buf);
        errno = EMSGSIZE;
        return 0;
    }
    //  Read what is waiting now and then (every send would cost a poll),
    //  then wait for room if needed
    int err = 0;
    if (++self->unpolled >= 32 || !s_has_room (self, size)) {
        self->unpolled = 0;
        if (s_cycle (self, 0) != 0)
            err = EINTR;
    }
    while (!err && !s_has_room (self, size)) {
        if (s_silence (self) >= self->timeout)
            err = ETIMEDOUT;
        else
        if (s_cycle (self, 100) != 0)
            err = EINTR;
    }
    if (err) {
        if (buf)
            buf_free (buf);
        errno = err;
        return 0;
    }
    entry_t *entry = (entry_t *) xcalloc (1, sizeof (entry_t));
    entry->pubseq = self->next_pubseq++;
    entry->queue = xstrdup (queue);
    entry->topics = str_empty (topics) ? NULL : xstrdup (topics);
    entry->tag = tag;
    if (buf && size) {
        char *data = buf_detach (buf);
        zmq_msg_init_data (&entry->payload, data, size, s_free_data, NULL);
    }
    else {
        zmq_msg_init_size (&entry->payload, size);
        if (size)
            memcpy (zmq_msg_data (&entry->payload), payload, size);
        if (buf)
            buf_free (buf);
    }
    self->ring [entry->pubseq % self->window] = entry;
    self->pending++;
    self->pending_bytes += size;
    if (self->broker && s_send_entry (self, entry) != 0)
        s_disconnect (self, "cannot send to the broker");
    return entry->pubseq;
}

//  --------------------------------------------------------------------------
//  Publish a copy of payload to queue with tap topics ('\n'-separated, or
//  NULL). Waits while the window is full. Returns the pubseq (> 0), or 0
//  when the message was not taken: errno ETIMEDOUT (broker silent for the
//  timeout), EINTR (interrupted, zsys_interrupted), EMSGSIZE (larger than
//  the max size).
uint64_t
publisher_send (publisher_t *self, const char *queue, const char *topics,
                const void *payload, size_t size, void *tag)
{
    return s_send (self, queue, topics, payload, size, NULL, tag);
}

//  --------------------------------------------------------------------------
//  Same, taking the bytes of buf without a copy (buf is left empty, also
//  when the message is not taken).
uint64_t
publisher_send_buf (publisher_t *self, const char *queue, const char *topics,
                    buf_t *buf, void *tag)
{
    assert (buf);
    return s_send (self, queue, topics, buf->data, buf->size, buf, tag);
}

//  --------------------------------------------------------------------------
//  Serve the socket for up to timeout ms (0: only what is waiting): read
//  ACCEPT/REFUSE, heartbeat, reconnect when needed. Returns the number of
//  publishes settled, or -1 if interrupted.
int
publisher_poll (publisher_t *self, int timeout)
{
    assert (self);
    self->settled = 0;
    int64_t deadline = zclock_mono () + (timeout > 0 ? timeout : 0);
    do {
        int64_t left = deadline - zclock_mono ();
        if (s_cycle (self, left > 0 ? (long) left : 0) != 0)
            return -1;
        if (self->settled)
            break;
    } while (zclock_mono () < deadline);
    return self->settled;
}

//  --------------------------------------------------------------------------
//  Wait until every publish is settled. Returns 0, or -1 when the broker
//  was silent for timeout ms (-1: the publisher's timeout) or interrupted.
int
publisher_flush (publisher_t *self, int timeout)
{
    assert (self);
    if (timeout < 0)
        timeout = self->timeout;
    //  Read first: answers may be waiting since long before this call
    while (self->pending) {
        if (s_cycle (self, 100) != 0) {
            errno = EINTR;
            return -1;
        }
        if (self->pending && s_silence (self) >= timeout) {
            errno = ETIMEDOUT;
            return -1;
        }
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  Publishes sent and not yet settled
size_t
publisher_pending (publisher_t *self)
{
    assert (self);
    return self->pending;
}

//  --------------------------------------------------------------------------
//  True if the broker was heard from within heartbeat x liveness
bool
publisher_alive (publisher_t *self)
{
    assert (self);
    return self->broker && self->heard
        && !(self->probe_since
             && zclock_mono () - self->probe_since >= (int64_t) self->heartbeat * self->liveness);
}

//  --------------------------------------------------------------------------
//  The broker endpoint
const char *
publisher_endpoint (publisher_t *self)
{
    assert (self);
    return self->endpoint;
}

//  --------------------------------------------------------------------------
//  Counters since creation
uint64_t
publisher_accepted (publisher_t *self)
{
    return self->accepted;
}

//  --------------------------------------------------------------------------
//  Publishes the broker refused (for good)
uint64_t
publisher_refused (publisher_t *self)
{
    return self->refused;
}

//  --------------------------------------------------------------------------
//  Publishes sent again (after a reconnect or an overloaded refusal)
uint64_t
publisher_resent (publisher_t *self)
{
    return self->resent;
}

//  --------------------------------------------------------------------------
//  Connections lost and made again
uint64_t
publisher_reconnects (publisher_t *self)
{
    return self->reconnects;
}
