//  SPDX-License-Identifier: MIT
//  broker - the copydesk broker: queues, custody, flow control, tap
//
//  One ROUTER socket (the endpoint: config_endpoint, plus broker/tcp if
//  set) speaks CDP/1 (docs/protocol.md) to producers and workers; one PUB
//  socket (config_tap) carries the tap. A FIFO queue per stage (ingest,
//  normalize, classify, store) feeds registered workers within their
//  credit windows; the journal (journal.h) holds every message until it is
//  acknowledged or dead-lettered (deadlog.h), and is replayed on start.
//
//  Single-threaded (plus the journal's sync thread). Each wake-up drains up
//  to broker/batch messages, writes the batch to the journal in one writev,
//  dispatches deliveries, and has the batch made durable by one fdatasync
//  in the background; when that returns, one ACCEPT goes to each publisher.
//
//  Run it as an actor, so tests can start it in-process:
//
//      zactor_t *broker = zactor_new (broker_actor, config);
//      zstr_send (broker, "ENDPOINT");
//      char *endpoint = zstr_recv (broker);    //  "" if it failed to start
//      ...
//      zactor_destroy (&broker);
//
//  Pipe commands: "$TERM" stops it (after a final commit); "ENDPOINT",
//  "TAP" and "TCP" reply with the bound endpoint (a string, "" if none or if
//  the broker failed to start).

#ifndef COPYDESK_BROKER_H
#define COPYDESK_BROKER_H

#include "config.h"

typedef struct _broker_t broker_t;

//  Create a broker on config's home: bind the endpoint and the tap, open the
//  journal and the dead-letter log, replay the journal. The config must
//  outlive the broker. Returns NULL with a logged reason on failure
//  (endpoint in use, journal locked by another broker...).
broker_t *
    broker_new (config_t *config);

//  Final commit, then close everything. Nullifies. Safe on NULL.
void
    broker_destroy (broker_t **self_p);

//  Serve until "$TERM" arrives on pipe (or, if pipe is NULL, until
//  SIGINT/SIGTERM). Returns 0, or -1 if the journal failed (the broker
//  cannot go on safely and must be restarted).
int
    broker_run (broker_t *self, zsock_t *pipe);

//  The bound ROUTER endpoint (ipc), the tcp endpoint ("" if none), the tap
const char *
    broker_endpoint (broker_t *self);
const char *
    broker_tcp_endpoint (broker_t *self);
const char *
    broker_tap_endpoint (broker_t *self);

//  The actor: args is the config_t * (kept by the caller)
void
    broker_actor (zsock_t *pipe, void *args);

#endif
