//  SPDX-License-Identifier: MIT
//  worker - the loop every stage process runs
//
//  A stage supplies a stage_t: the queue it consumes, the queue it feeds,
//  and a handler called once per delivery. The loop does everything else:
//  connects a DEALER to the broker, registers with READY and a credit
//  window, heartbeats, reconnects after a broker restart, publishes the
//  handler's outputs with a window of unaccepted publishes, and acknowledges
//  each input only once every output published for it has been accepted
//  (chain of custody, docs/protocol.md). Poison input the handler can prove
//  bad is rejected to the dead-letter log; the process keeps running.
//
//  Handlers run on the loop's thread, one delivery at a time. A handler
//  that needs to batch (the store commits many rows per transaction)
//  returns WORKER_HOLD and later calls worker_complete for each held job,
//  typically from its flush callback, which the loop calls when no delivery
//  is waiting (after a nap, when nap_ms is set: see worker_options_t),
//  when hold_max jobs are held, and every flush_ms.

#ifndef COPYDESK_WORKER_H
#define COPYDESK_WORKER_H

#include "config.h"

typedef struct _worker_t worker_t;
typedef struct _job_t job_t;

//  What a handler returns
#define WORKER_DONE     0       //  Finished: ack once the outputs are accepted
#define WORKER_HOLD     1       //  Kept by the stage: it calls worker_complete later
#define WORKER_REJECT  -1       //  Bad input: dead-letter it (job_reject sets the reason)

typedef struct {
    const char *name;           //  Stage name for logs and READY info ("normalize")
    const char *input;          //  Queue consumed (STAGE_NORMALIZE...)
    const char *output;         //  Queue fed by job_emit, NULL if none (store)
    //  Handle one delivery. Required.
    int (*handle) (void *state, job_t *job);
    //  Complete held jobs now (e.g. commit). Optional; 0 or -1 on failure
    //  (held jobs stay held and flush is retried).
    int (*flush) (void *state, worker_t *worker);
    //  Reload configuration/models (SIGHUP). Optional; 0 or -1.
    int (*reload) (void *state);
    //  Called once a second with the worker, for periodic duties. Optional.
    void (*tick) (void *state, worker_t *worker);
    //  Create the stage's state once the configuration is loaded. Optional:
    //  worker_main calls it when it is given no state. NULL = cannot start
    //  (say why on stderr / zsys_error).
    void *(*create) (config_t *config);
    //  Destroy the state made by create. Optional.
    void (*destroy) (void **state_p);
    //  The stage's own default credit window, used by worker_main when the
    //  configuration and the command line set none (0: workers/credit's
    //  default, 128). The store batches a credit window per commit; ingest
    //  takes whole documents, so it keeps few in flight.
    int credit;
    //  A batching stage's default nap (worker_options_t.nap_ms), 0: none.
    //  The store takes a nap so its commits hold more rows.
    int nap_ms;
} stage_t;

//  Options of one worker process (defaults in brackets)
typedef struct {
    const char *endpoint;       //  Broker endpoint [config_endpoint]
    int credit;                 //  Credit window [workers/credit = 128]
    int window;                 //  Max unaccepted publishes [256]
    int heartbeat;              //  ms [broker/heartbeat = 1000]
    int liveness;               //  Missed heartbeats before reconnect [broker/liveness = 5]
    int hold_max;               //  Held jobs that force a flush [credit]
    int flush_ms;               //  Flush held jobs at least this often [50]
    bool verbose;               //  Log every delivery
    size_t max_frame;           //  Largest output the broker takes [broker/max_frame = 64M]
    //  A batching stage holding fewer than hold_max jobs, with nothing else
    //  to do, stops reading the broker for a nap after the first job it
    //  holds, so deliveries pile up and one wake-up and one flush take them
    //  all. A nap lasts twice as long as the last flush took, at most
    //  nap_ms: a trickle waits about one commit, a stream makes batches of
    //  hundreds. 0: none; < 0: the stage's default (stage_t.nap_ms) [-1]
    int nap_ms;
} worker_options_t;

//  Fill options from the config (keys above), then the caller may override.
void
    worker_options_init (worker_options_t *options, config_t *config);

//  Run the loop until SIGINT/SIGTERM. Returns 0 on a clean stop, -1 if it
//  could not start (bad endpoint). state is passed to every callback. At
//  the stop it calls flush once more; jobs still held after that are freed
//  when it returns (the broker requeues them): the stage must not touch
//  them afterwards.
int
    worker_run (const stage_t *stage, void *state, const worker_options_t *options);

//  The whole main of a stage process: parses the common service options
//  (--home DIR, --broker EP, --credit N, --set KEY=VALUE, --verbose, -h),
//  loads the config, sets the log ident "copydesk-<name>", creates the
//  state with stage->create when state is NULL, runs worker_run, destroys
//  what it created. Returns the process exit code (0, 1 failure, 2 usage).
int
    worker_main (const stage_t *stage, void *state, int argc, char **argv);

//  The loop as a czmq actor, for tests and embedding: args points to a
//  worker_args_t that must outlive the actor. "$TERM" on the pipe stops it
//  like SIGTERM (flush, wait for accepts, ACK, BYE); "RELOAD" calls
//  stage->reload; "COUNTERS" replies with picture "8888": processed,
//  rejected, emitted, reconnects. No signal handlers are installed.
typedef struct {
    const stage_t *stage;
    void *state;
    worker_options_t options;
} worker_args_t;
void
    worker_actor (zsock_t *pipe, void *args);

//  Fault injection (docs/hacking.md): if spec (the value of COPYDESK_FAULT)
//  is "<stage>:crash-on:<text>" and <stage> is this stage (or "*"), return
//  a copy of <text> (caller frees); else NULL. The loop aborts the process
//  when a delivered payload contains the text.
char *
    worker_fault_text (const char *spec, const char *stage);

//  --------------------------------------------------------------------------
//  Inside a handler

//  The delivered payload (valid until the job is completed).
const uint8_t *
    job_data (job_t *job);
size_t
    job_size (job_t *job);
//  Earlier deliveries of this message that did not end in an ack.
uint32_t
    job_attempts (job_t *job);
//  Broker sequence number of the delivery.
uint64_t
    job_seq (job_t *job);

//  Publish an output to the stage's output queue. topics: tap topics
//  separated by '\n' (or NULL). The payload is copied.
void
    job_emit (job_t *job, const char *topics, const void *payload, size_t size);
//  Encode and publish a story to the output queue.
void
    job_emit_story (job_t *job, const char *topics, const story_t *story);
//  Publish a dead letter for a bad item inside an otherwise good input (the
//  input itself is still acknowledged). Takes ownership of the dead letter.
void
    job_emit_dead (job_t *job, deadletter_t **deadletter_p);
//  Tell the broker we are alive during a long handler: sends a HEARTBEAT
//  if one is due (the broker expires a worker silent for heartbeat x
//  liveness and redelivers its work). Cheap; job_emit* do it too.
void
    job_heartbeat (job_t *job);
//  Set the reason for WORKER_REJECT (printf-style, one line).
void
    job_reject (job_t *job, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

//  --------------------------------------------------------------------------
//  Outside a handler (flush, tick)

//  Settle a job the handler returned WORKER_HOLD for: it is acked once its
//  outputs (if any) are accepted. After this call the job belongs to the loop.
void
    worker_complete (worker_t *self, job_t *job);
//  Reject a held job to the dead-letter log.
void
    worker_reject (worker_t *self, job_t *job, const char *reason);
//  Publish on the tap only (EVENT): not journaled, not queued.
void
    worker_event (worker_t *self, const char *topics, const void *payload, size_t size);
//  Jobs currently held by the stage
size_t
    worker_held (worker_t *self);

#endif
