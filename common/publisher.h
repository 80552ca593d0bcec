//  SPDX-License-Identifier: MIT
//  publisher - a reliable producer client of the broker
//
//  What `copydesk push` and the feeder use to hand messages to the broker
//  (docs/protocol.md, "producer"): every PUBLISH carries our own pubseq and
//  stays in a window of unaccepted publishes until the broker answers
//  ACCEPT (journaled and synced) or REFUSE. The publisher keeps a copy of
//  each unaccepted payload; when the connection is lost (the DEALER's
//  monitor reports DISCONNECTED, or the broker is silent for heartbeat x
//  liveness) it opens a new socket with back-off (100 ms doubling to 5 s)
//  and sends them all again, in order. A message can therefore reach the
//  broker twice, never zero times (at least once). It heartbeats when idle.
//
//  Sending blocks while the window is full, serving the socket; it gives
//  up only when the broker has been silent for the timeout (default 10 s),
//  so a broker that holds our publishes because a queue is full (it still
//  answers heartbeats) makes us wait, not fail. Settled publishes are
//  reported to a handler, called from inside send / poll / flush.
//
//  Not thread-safe: one publisher per thread.

#ifndef COPYDESK_PUBLISHER_H
#define COPYDESK_PUBLISHER_H

typedef struct _publisher_t publisher_t;

//  Called once per publish when the broker settles it: refused is NULL
//  when it was accepted, else the REFUSE reason ("too-large"...). tag is
//  what was given to publisher_send.
typedef void (publisher_settled_fn) (void *arg, uint64_t pubseq, void *tag,
                                     const char *refused);

//  Create a publisher and connect it to the broker's endpoint. window: the
//  most unaccepted publishes (0 = 256). Returns NULL if the endpoint is
//  invalid. Heartbeat 1000 ms, liveness 5, timeout 10 s, max size 64 MB.
publisher_t *
    publisher_new (const char *endpoint, int window);

//  Same, with endpoint, heartbeat, liveness and max size from the config
//  (broker/endpoint, broker/heartbeat, broker/liveness, broker/max_frame).
publisher_t *
    publisher_new_config (config_t *config, int window);

//  Destroy and nullify; unaccepted publishes are dropped (call
//  publisher_flush first). Safe on NULL.
void
    publisher_destroy (publisher_t **self_p);

//  Report settled publishes to handler (or stop reporting with NULL).
void
    publisher_set_handler (publisher_t *self, publisher_settled_fn *handler, void *arg);

//  Heartbeat interval (ms) and the number of silent intervals after which
//  the broker is taken for gone and the connection remade.
void
    publisher_set_heartbeat (publisher_t *self, int heartbeat, int liveness);

//  How long (ms) the broker may stay silent before send and flush give up.
void
    publisher_set_timeout (publisher_t *self, int timeout);

//  Largest payload to send (the broker's max_frame: a bigger frame would
//  make it drop our connection). publisher_send refuses bigger ones.
void
    publisher_set_max_size (publisher_t *self, size_t max_size);

//  Most bytes of unaccepted payloads kept at once (default 256 MB); send
//  waits while more would be pending. One message is always allowed.
void
    publisher_set_max_bytes (publisher_t *self, size_t max_bytes);

//  Log connection changes and resends.
void
    publisher_set_verbose (publisher_t *self, bool verbose);

//  Publish a copy of payload to queue with tap topics ('\n'-separated, or
//  NULL). Waits while the window is full. Returns the pubseq (> 0), or 0
//  when the message was not taken: errno ETIMEDOUT (broker silent for the
//  timeout), EINTR (interrupted, zsys_interrupted), EMSGSIZE (larger than
//  the max size).
uint64_t
    publisher_send (publisher_t *self, const char *queue, const char *topics,
                    const void *payload, size_t size, void *tag);

//  Same, taking the bytes of buf without a copy (buf is left empty, also
//  when the message is not taken).
uint64_t
    publisher_send_buf (publisher_t *self, const char *queue, const char *topics,
                        buf_t *buf, void *tag);

//  Serve the socket for up to timeout ms (0: only what is waiting): read
//  ACCEPT/REFUSE, heartbeat, reconnect when needed. Returns the number of
//  publishes settled, or -1 if interrupted.
int
    publisher_poll (publisher_t *self, int timeout);

//  Wait until every publish is settled. Returns 0, or -1 when the broker
//  was silent for timeout ms (-1: the publisher's timeout) or interrupted.
int
    publisher_flush (publisher_t *self, int timeout);

//  Publishes sent and not yet settled
size_t
    publisher_pending (publisher_t *self);

//  True if the broker was heard from within heartbeat x liveness
bool
    publisher_alive (publisher_t *self);

//  The broker endpoint
const char *
    publisher_endpoint (publisher_t *self);

//  Counters since creation
uint64_t
    publisher_accepted (publisher_t *self);
uint64_t
    publisher_refused (publisher_t *self);
uint64_t
    publisher_resent (publisher_t *self);
uint64_t
    publisher_reconnects (publisher_t *self);

#endif
