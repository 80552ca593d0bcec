//  SPDX-License-Identifier: MIT
//  worker - the loop every stage process runs (see worker.h)
//
//  One DEALER to the broker. Deliveries are queued locally (the broker
//  keeps at most `credit` in flight to us) and handled one at a time.
//  Outputs wait in an unsent FIFO and go out while the window of
//  unaccepted publishes has room; a new delivery is handled only when the
//  outputs of the previous ones have all been sent, so a broker that holds
//  our publishes (backpressure) stops us from taking more work. An input is
//  acknowledged once its handler is done and every output is accepted.
//
//  The connection has a generation number. When the broker goes away (the
//  DEALER's monitor reports DISCONNECTED, it is silent for heartbeat x
//  liveness, or it answers ERROR not-registered) the socket is closed and
//  the generation moves on: unsent and unaccepted outputs are dropped,
//  queued deliveries freed, pending ACKs forgotten. Jobs the stage holds
//  stay allocated (the stage has pointers to them) but are stale: completing
//  them frees them without an ACK. The broker redelivers all of it.

#include "common.h"
#include <signal.h>

#define WORKER_BACKOFF_MIN  100     //  ms before the first reconnect
#define WORKER_BACKOFF_MAX  5000    //  ms at most between reconnects
#define WORKER_STOP_WAIT    2000    //  ms to wait for ACCEPTs when stopping
#define WORKER_DRAIN_MAX    1024    //  Messages read per wake-up
#define WORKER_HANDLE_MAX   256     //  Deliveries handled per wake-up
#define WORKER_SEND_BATCH   32      //  Deliveries handled before their outputs are sent
#define WORKER_NAP_FACTOR   2       //  A nap lasts this many times the last flush
#define WORKER_NAP_MIN      16      //  No nap after a flush of fewer jobs
#define WORKER_TICK_MS      1000    //  stage->tick period
#define WORKER_CREDIT       128     //  Credit window unless the stage or config sets one

struct _job_t {
    worker_t *worker;           //  Loop the job belongs to
    uint64_t seq;               //  Broker sequence number
    uint32_t attempts;          //  Earlier deliveries without an ACK
    uint64_t gen;               //  Connection generation it came in on
    zmq_msg_t payload;          //  The delivered bytes (zero-copy frame)
    size_t outputs;             //  Outputs not yet settled (unsent or unaccepted)
    bool held;                  //  The stage holds it (WORKER_HOLD)
    bool finished;              //  Handled: ACK once the outputs are accepted
    bool failed;                //  Rejected: REJECT sent (or dropped if stale)
    bool queued;                //  In the queue of deliveries to handle
    char *reason;               //  Rejection reason from job_reject
    job_t *next_pending;        //  Link in the queue of deliveries to handle
    job_t *prev;                //  Links in the list of live jobs
    job_t *next;
};

typedef struct _output_t output_t;
struct _output_t {
    job_t *job;                 //  Input it was emitted for
    const char *queue;          //  Target queue (stage output or "dead")
    char *topics;               //  Tap topics, '\n'-separated, or NULL
    zmq_msg_t payload;          //  Bytes to publish (kept until settled)
    uint64_t pubseq;            //  Our number for it once sent
    output_t *next;             //  Link in the unsent FIFO
};

struct _worker_t {
    const stage_t *stage;       //  What we run
    void *state;                //  Stage state passed to callbacks
    worker_options_t options;   //  Resolved options
    char *fault;                //  Fault injection text, or NULL
    zsock_t *pipe;              //  Actor pipe, or NULL
    int signal_fd;              //  Self-pipe read end for signals, or -1
    zsock_t *broker;            //  DEALER to the broker, NULL while disconnected
    zsock_t *monitor;           //  PAIR receiving the DEALER's socket events
    uint64_t gen;               //  Connection generation
    uint64_t next_pubseq;       //  Next PUBLISH number on this connection
    output_t **window;          //  Unaccepted outputs by pubseq % window
    size_t inflight;            //  Outputs in the window
    output_t *unsent_head;      //  Outputs waiting for room in the window
    output_t *unsent_tail;
    size_t unsent;
    job_t *pending_head;        //  Deliveries waiting to be handled
    job_t *pending_tail;
    size_t pending;
    job_t *jobs;                //  Every live job (pending, handled, held)
    size_t held;                //  Jobs held by the stage (including stale)
    VEC (uint64_t) acks;        //  Seqs to acknowledge at the end of the cycle
    int64_t last_heard;         //  Last message from the broker (ms, monotonic)
    int64_t read_at;            //  When the socket was last read to the end
    int64_t last_sent;          //  Last message to the broker
    int64_t reconnect_at;       //  When to reconnect while disconnected
    int64_t flush_at;           //  Next periodic flush
    int64_t flush_retry_at;     //  No flush before this after a failed one
    int64_t held_since;         //  When the stage went from none held to one (usec)
    int64_t flush_usec;         //  How long the last good flush took (usec)
    size_t flush_held;          //  Jobs the last good flush completed
    int64_t tick_at;            //  Next stage->tick
    int64_t retry_at;           //  No publishes before this (broker overloaded)
    int backoff;                //  Current reconnect back-off, ms
    bool drained;               //  Last read found no more messages waiting
    bool terminated;            //  Stop requested
    bool registered;            //  Heard from the broker since READY
    int heartbeats;             //  Idle heartbeats sent on this connection
    unsigned monitor_id;        //  For unique inproc monitor endpoints
    char host [256];            //  For READY info
    //  Counters
    uint64_t processed;         //  Deliveries handled
    uint64_t rejected;          //  Inputs rejected
    uint64_t emitted;           //  Outputs accepted by the broker
    uint64_t refused;           //  Outputs refused by the broker
    uint64_t retried;           //  Outputs sent again after "overloaded"
    uint64_t reconnects;        //  Connections lost and remade
    uint64_t acked;             //  Inputs acknowledged
    uint64_t dropped;           //  Outputs dropped by a reconnect
    uint64_t errors;            //  ERROR replies and protocol oddities
    uint64_t flush_failures;    //  stage->flush returned -1
};

static int s_signal_pipe [2] = { -1, -1 };

static void s_disconnect (worker_t *self, const char *why);
static void s_job_check (worker_t *self, job_t *job);

//  --------------------------------------------------------------------------
//  Options

//  --------------------------------------------------------------------------
//  Fill options from the config (workers/credit, workers/window,
//  broker/heartbeat, broker/liveness, workers/hold_max, workers/flush_ms,
//  broker/max_frame), then the caller may override.
void
worker_options_init (worker_options_t *options, config_t *config)
{
    assert (options);
    memset (options, 0, sizeof *options);
    options->credit = WORKER_CREDIT;
    options->window = 256;
    options->heartbeat = 1000;
    options->liveness = 5;
    options->hold_max = 0;
    options->flush_ms = 50;
    options->max_frame = 64 * 1024 * 1024;
    options->nap_ms = -1;
    if (!config)
        return;
    options->endpoint = config_endpoint (config);
    options->credit = (int) config_int (config, "workers/credit", options->credit);
    options->window = (int) config_int (config, "workers/window", options->window);
    options->heartbeat = (int) config_int (config, "broker/heartbeat", options->heartbeat);
    options->liveness = (int) config_int (config, "broker/liveness", options->liveness);
    options->hold_max = (int) config_int (config, "workers/hold_max", options->hold_max);
    options->flush_ms = (int) config_int (config, "workers/flush_ms", options->flush_ms);
    int64_t max_frame = config_int (config, "broker/max_frame", (int64_t) options->max_frame);
    if (max_frame > 0)
        options->max_frame = (size_t) max_frame;
}

//  Clamp options to workable values
static void
s_options_fix (worker_options_t *options)
{
    if (options->credit < 1)
        options->credit = 1;
    if (options->credit > 65535)
        options->credit = 65535;
    if (options->window < 1)
        options->window = 1;
    if (options->window > 65536)
        options->window = 65536;
    if (options->heartbeat < 10)
        options->heartbeat = 10;
    if (options->liveness < 1)
        options->liveness = 1;
    if (options->hold_max <= 0 || options->hold_max > options->credit)
        options->hold_max = options->credit;
    if (options->flush_ms < 1)
        options->flush_ms = 1;
    if (options->max_frame == 0)
        options->max_frame = 64 * 1024 * 1024;
}

//  --------------------------------------------------------------------------
//  Fault injection

//  --------------------------------------------------------------------------
//  Fault injection (docs/hacking.md): if spec (the value of COPYDESK_FAULT)
//  is "<stage>:crash-on:<text>" and <stage> is this stage (or "*"), return
//  a copy of <text> (caller frees); else NULL. The loop aborts the process
//  when a delivered payload contains the text.
char *
worker_fault_text (const char *spec, const char *stage)
{
    if (str_empty (spec) || str_empty (stage))
        return NULL;
    const char *colon = strchr (spec, ':');
    if (!colon)
        return NULL;
    size_t name_len = (size_t) (colon - spec);
    bool match = (name_len == 1 && spec [0] == '*')
              || (name_len == strlen (stage) && memcmp (spec, stage, name_len) == 0);
    const char *action = colon + 1;
    if (!match || !str_starts (action, "crash-on:"))
        return NULL;
    const char *text = action + strlen ("crash-on:");
    return *text ? xstrdup (text) : NULL;
}

//  --------------------------------------------------------------------------
//  Jobs and outputs

//  A job for a delivery; takes the payload frame
static job_t *
s_job_new (worker_t *self, uint64_t seq, uint32_t attempts, zmq_msg_t *payload)
{
    job_t *job = (job_t *) xcalloc (1, sizeof (job_t));
    job->worker = self;
    job->seq = seq;
    job->attempts = attempts;
    job->gen = self->gen;
    zmq_msg_init (&job->payload);
    zmq_msg_move (&job->payload, payload);
    job->next = self->jobs;
    if (self->jobs)
        self->jobs->prev = job;
    self->jobs = job;
    return job;
}

//  Unlink the job from the live list and free it
static void
s_job_destroy (worker_t *self, job_t **job_p)
{
    job_t *job = *job_p;
    if (!job)
        return;
    if (job->prev)
        job->prev->next = job->next;
    else
        self->jobs = job->next;
    if (job->next)
        job->next->prev = job->prev;
    zmq_msg_close (&job->payload);
    free (job->reason);
    free (job);
    *job_p = NULL;
}

//  True if the job came in on an earlier connection
static bool
s_job_stale (worker_t *self, job_t *job)
{
    return job->gen != self->gen;
}

//  Free an output and settle its share of the job
static void
s_output_drop (worker_t *self, output_t *output)
{
    job_t *job = output->job;
    zmq_msg_close (&output->payload);
    free (output->topics);
    free (output);
    assert (job->outputs > 0);
    job->outputs--;
    s_job_check (self, job);
}

//  Remove the unsent outputs of one job (it failed: nothing more from it)
static void
s_unsent_drop_job (worker_t *self, job_t *job)
{
    output_t *prev = NULL;
    output_t *output = self->unsent_head;
    //  Keep the job alive while we walk: its last output would free it
    job->outputs++;
    while (output) {
        output_t *next = output->next;
        if (output->job == job) {
            if (prev)
                prev->next = next;
            else
                self->unsent_head = next;
            if (self->unsent_tail == output)
                self->unsent_tail = prev;
            self->unsent--;
            s_output_drop (self, output);
        }
        else
            prev = output;
        output = next;
    }
    job->outputs--;
}

//  Send a REJECT for the job now (unless its connection is gone) and drop
//  its unsent outputs.
static void
s_job_fail (worker_t *self, job_t *job, const char *reason)
{
    if (job->failed)
        return;
    job->failed = true;
    if (!job->reason || reason != job->reason)
        str_set (&job->reason, reason);
    self->rejected++;
    if (!s_job_stale (self, job) && self->broker) {
        uint8_t seq [8];
        proto_put_u64 (seq, job->seq);
        const char *text = job->reason ? job->reason : "rejected";
        size_t len = strlen (text);
        if (len > PROTO_MAX_TEXT)
            len = PROTO_MAX_TEXT;
        proto_part_t parts [2] = { { seq, 8, NULL }, { text, len, NULL } };
        if (proto_send (zsock_resolve (self->broker), NULL, 0, PROTO_REJECT, 2, parts) == 0)
            self->last_sent = zclock_mono ();
        zsys_warning ("%s: rejected seq=%" PRIu64 ": %s", self->stage->name, job->seq, text);
    }
    s_unsent_drop_job (self, job);
}

//  Settle the job if nothing keeps it: ACK it (or not, if stale or failed)
//  and free it.
static void
s_job_check (worker_t *self, job_t *job)
{
    if (job->held || job->outputs > 0 || job->queued)
        return;
    if (!job->finished && !job->failed)
        return;                 //  Still in its handler
    if (job->finished && !job->failed && !s_job_stale (self, job)) {
        uint64_t *slot = vec_push (&self->acks);
        *slot = job->seq;
        self->acked++;
    }
    s_job_destroy (self, &job);
}

static void s_send_simple (worker_t *self, char command);

//  A HEARTBEAT if one is due (from inside a long handler)
static void
s_keepalive (worker_t *self)
{
    if (self->broker && zclock_mono () - self->last_sent >= self->options.heartbeat)
        s_send_simple (self, PROTO_HEARTBEAT);
}

//  Queue an output for the job (payload consumed)
static void
s_emit (job_t *job, const char *queue, const char *topics, zmq_msg_t *payload)
{
    worker_t *self = job->worker;
    s_keepalive (self);
    if (s_job_stale (self, job) || job->failed) {
        zmq_msg_close (payload);
        return;
    }
    if (zmq_msg_size (payload) > self->options.max_frame) {
        char reason [160];
        snprintf (reason, sizeof reason, "output of %zu bytes is larger than the broker's max_frame (%zu)",
                  zmq_msg_size (payload), self->options.max_frame);
        zmq_msg_close (payload);
        s_job_fail (self, job, reason);
        return;
    }
    output_t *output = (output_t *) xcalloc (1, sizeof (output_t));
    output->job = job;
    output->queue = queue;
    output->topics = str_empty (topics) ? NULL : xstrdup (topics);
    zmq_msg_init (&output->payload);
    zmq_msg_move (&output->payload, payload);
    if (self->unsent_tail)
        self->unsent_tail->next = output;
    else
        self->unsent_head = output;
    self->unsent_tail = output;
    self->unsent++;
    job->outputs++;
}

//  Free function for zero-copy messages
static void
s_free_data (void *data, void *hint)
{
    free (data);
}

//  Wrap a malloc'ed buffer in a message without copying it
static void
s_msg_from_buf (zmq_msg_t *msg, buf_t *buf)
{
    size_t size = buf->size;
    char *data = buf_detach (buf);
    if (zmq_msg_init_data (msg, data, size, s_free_data, NULL) != 0) {
        //  Cannot happen with a valid buffer; fall back to a copy
        zmq_msg_init_size (msg, size);
        memcpy (zmq_msg_data (msg), data, size);
        free (data);
    }
}

//  --------------------------------------------------------------------------
//  Inside a handler

//  --------------------------------------------------------------------------
//  The delivered payload (valid until the job is completed).
const uint8_t *
job_data (job_t *job)
{
    assert (job);
    return (const uint8_t *) zmq_msg_data (&job->payload);
}

//  --------------------------------------------------------------------------
//  Size of the delivered payload.
size_t
job_size (job_t *job)
{
    assert (job);
    return zmq_msg_size (&job->payload);
}

//  --------------------------------------------------------------------------
//  Earlier deliveries of this message that did not end in an ack.
uint32_t
job_attempts (job_t *job)
{
    assert (job);
    return job->attempts;
}

//  --------------------------------------------------------------------------
//  Broker sequence number of the delivery.
uint64_t
job_seq (job_t *job)
{
    assert (job);
    return job->seq;
}

//  --------------------------------------------------------------------------
//  Publish an output to the stage's output queue. topics: tap topics
//  separated by '\n' (or NULL). The payload is copied.
void
job_emit (job_t *job, const char *topics, const void *payload, size_t size)
{
    assert (job);
    assert (job->worker->stage->output);
    zmq_msg_t msg;
    zmq_msg_init_size (&msg, size);
    if (size)
        memcpy (zmq_msg_data (&msg), payload, size);
    s_emit (job, job->worker->stage->output, topics, &msg);
}

//  --------------------------------------------------------------------------
//  Encode and publish a story to the output queue.
void
job_emit_story (job_t *job, const char *topics, const story_t *story)
{
    assert (job);
    assert (story);
    assert (job->worker->stage->output);
    buf_t buf;
    buf_init (&buf);
    story_encode (story, &buf);
    zmq_msg_t msg;
    s_msg_from_buf (&msg, &buf);
    s_emit (job, job->worker->stage->output, topics, &msg);
}

//  --------------------------------------------------------------------------
//  Publish a dead letter for a bad item inside an otherwise good input (the
//  input itself is still acknowledged). Takes ownership of the dead letter.
void
job_emit_dead (job_t *job, deadletter_t **deadletter_p)
{
    assert (job);
    assert (deadletter_p);
    deadletter_t *deadletter = *deadletter_p;
    if (!deadletter)
        return;
    if (deadletter->seq == 0)
        deadletter->seq = job->seq;
    if (deadletter->attempts == 0)
        deadletter->attempts = job->attempts + 1;
    buf_t buf;
    buf_init (&buf);
    deadletter_encode (deadletter, &buf);
    deadletter_destroy (deadletter_p);
    zmq_msg_t msg;
    s_msg_from_buf (&msg, &buf);
    //  The broker taps dead letters itself as dead.<stage>
    s_emit (job, STAGE_DEAD, NULL, &msg);
}

//  --------------------------------------------------------------------------
//  Tell the broker we are alive during a long handler: sends a HEARTBEAT
//  if one is due (the broker expires a worker silent for heartbeat x
//  liveness and redelivers its work). Cheap; job_emit* do it too.
void
job_heartbeat (job_t *job)
{
    assert (job);
    s_keepalive (job->worker);
}

//  --------------------------------------------------------------------------
//  Set the reason for WORKER_REJECT (printf-style, one line).
void
job_reject (job_t *job, const char *format, ...)
{
    assert (job);
    va_list args;
    va_start (args, format);
    char *reason = NULL;
    if (vasprintf (&reason, format, args) < 0)
        reason = NULL;
    va_end (args);
    if (reason) {
        //  One line
        for (char *p = reason; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        free (job->reason);
        job->reason = reason;
    }
}

//  --------------------------------------------------------------------------
//  Outside a handler

//  --------------------------------------------------------------------------
//  Settle a job the handler returned WORKER_HOLD for: it is acked once its
//  outputs (if any) are accepted. After this call the job belongs to the loop.
void
worker_complete (worker_t *self, job_t *job)
{
    assert (self);
    assert (job);
    assert (job->held);
    job->held = false;
    assert (self->held > 0);
    self->held--;
    job->finished = true;
    s_job_check (self, job);
}

//  --------------------------------------------------------------------------
//  Reject a held job to the dead-letter log.
void
worker_reject (worker_t *self, job_t *job, const char *reason)
{
    assert (self);
    assert (job);
    assert (job->held);
    job->held = false;
    assert (self->held > 0);
    self->held--;
    //  Keep it alive through s_job_fail (which may drop its last output)
    job->outputs++;
    s_job_fail (self, job, reason ? reason : "rejected");
    job->outputs--;
    s_job_check (self, job);
}

//  --------------------------------------------------------------------------
//  Publish on the tap only (EVENT): not journaled, not queued.
void
worker_event (worker_t *self, const char *topics, const void *payload, size_t size)
{
    assert (self);
    if (!self->broker)
        return;                 //  Not journaled: nothing to keep
    const char *t = topics ? topics : "";
    proto_part_t parts [2] = { { t, strlen (t), NULL }, { payload, size, NULL } };
    if (proto_send (zsock_resolve (self->broker), NULL, 0, PROTO_EVENT, 2, parts) == 0)
        self->last_sent = zclock_mono ();
}

//  --------------------------------------------------------------------------
//  Jobs currently held by the stage
size_t
worker_held (worker_t *self)
{
    assert (self);
    return self->held;
}

//  --------------------------------------------------------------------------
//  Connection

//  Send a command without arguments (HEARTBEAT, BYE)
static void
s_send_simple (worker_t *self, char command)
{
    if (self->broker
    &&  proto_send (zsock_resolve (self->broker), NULL, 0, command, 0, NULL) == 0)
        self->last_sent = zclock_mono ();
}

//  An idle heartbeat. The broker answers a HEARTBEAT from a peer it does
//  not know with a HEARTBEAT, so an idle worker it expired (we were paused,
//  or the broker restarted on the same connection) would never learn it.
//  Every liveness-th heartbeat is therefore a CREDIT with our credit: a
//  no-op for a registered worker, ERROR not-registered otherwise.
static void
s_heartbeat (worker_t *self)
{
    if (++self->heartbeats % self->options.liveness == 0) {
        uint8_t credit [4];
        proto_put_u32 (credit, (uint32_t) self->options.credit);
        proto_part_t part = { credit, 4, NULL };
        if (proto_send (zsock_resolve (self->broker), NULL, 0, PROTO_CREDIT, 1, &part) == 0)
            self->last_sent = zclock_mono ();
    }
    else
        s_send_simple (self, PROTO_HEARTBEAT);
}

//  READY: our queue, our credit and {name, host, pid, version}
static void
s_send_ready (worker_t *self)
{
    buf_t info;
    buf_init (&info);
    msgpack_packer pk;
    codec_packer_init (&pk, &info);
    msgpack_pack_map (&pk, 4);
    //  The supervisor names its children ("normalize-2"); else the stage
    const char *name = getenv ("COPYDESK_NAME");
    codec_pack_kv_str (&pk, "name", !str_empty (name) ? name : self->stage->name);
    codec_pack_kv_str (&pk, "host", self->host);
    codec_pack_kv_int (&pk, "pid", (int64_t) getpid ());
    codec_pack_kv_str (&pk, "version", COPYDESK_VERSION);
    uint8_t credit [4];
    proto_put_u32 (credit, (uint32_t) self->options.credit);
    const char *queue = self->stage->input;
    proto_part_t parts [3] = {
        { queue, strlen (queue), NULL },
        { credit, 4, NULL },
        { info.data, info.size, NULL }
    };
    if (proto_send (zsock_resolve (self->broker), NULL, 0, PROTO_READY, 3, parts) == 0)
        self->last_sent = zclock_mono ();
    buf_free (&info);
}

//  Close the DEALER and its monitor
static void
s_sockets_destroy (worker_t *self)
{
    if (self->broker)
        zmq_socket_monitor (zsock_resolve (self->broker), NULL, 0);
    zsock_destroy (&self->monitor);
    zsock_destroy (&self->broker);
}

//  Open a new DEALER with a monitor, connect and register. -1 if the
//  endpoint is invalid.
static int
s_connect (worker_t *self)
{
    assert (!self->broker);
    self->broker = zsock_new (ZMQ_DEALER);
    if (!self->broker)
        return -1;
    zsock_set_sndhwm (self->broker, 0);
    zsock_set_rcvhwm (self->broker, 0);
    zsock_set_linger (self->broker, 0);
    char endpoint [96];
    snprintf (endpoint, sizeof endpoint, "inproc://copydesk-worker-%p-%u",
              (void *) self, ++self->monitor_id);
    if (zmq_socket_monitor (zsock_resolve (self->broker), endpoint, ZMQ_EVENT_DISCONNECTED) == 0) {
        self->monitor = zsock_new (ZMQ_PAIR);
        if (self->monitor && zsock_connect (self->monitor, "%s", endpoint) != 0)
            zsock_destroy (&self->monitor);
    }
    if (zsock_connect (self->broker, "%s", self->options.endpoint) != 0) {
        zsys_error ("%s: cannot connect to %s: %s", self->stage->name,
                    self->options.endpoint, zmq_strerror (zmq_errno ()));
        s_sockets_destroy (self);
        return -1;
    }
    self->gen++;
    self->next_pubseq = 1;
    self->registered = false;
    self->heartbeats = 0;
    self->retry_at = 0;
    int64_t now = zclock_mono ();
    self->last_heard = now;
    self->read_at = now;
    s_send_ready (self);
    if (self->options.verbose)
        zsys_debug ("%s: connecting to %s (credit %d)", self->stage->name,
                    self->options.endpoint, self->options.credit);
    return 0;
}

//  Forget the connection and everything that depended on it; reconnect
//  after the back-off.
static void
s_disconnect (worker_t *self, const char *why)
{
    if (!self->broker)
        return;
    zsys_warning ("%s: %s; reconnecting in %d ms", self->stage->name, why, self->backoff);
    s_sockets_destroy (self);
    //  Everything below belongs to the old connection
    self->gen++;
    self->acks.len = 0;
    while (self->pending_head) {
        job_t *job = self->pending_head;
        self->pending_head = job->next_pending;
        job->next_pending = NULL;
        s_job_destroy (self, &job);
    }
    self->pending_tail = NULL;
    self->pending = 0;
    while (self->unsent_head) {
        output_t *output = self->unsent_head;
        self->unsent_head = output->next;
        self->unsent--;
        self->dropped++;
        s_output_drop (self, output);
    }
    self->unsent_tail = NULL;
    for (size_t i = 0; i < (size_t) self->options.window; i++) {
        output_t *output = self->window [i];
        if (output) {
            self->window [i] = NULL;
            self->inflight--;
            self->dropped++;
            s_output_drop (self, output);
        }
    }
    assert (self->inflight == 0);
    self->reconnects++;
    int64_t now = zclock_mono ();
    self->reconnect_at = now + self->backoff;
    self->backoff *= 2;
    if (self->backoff > WORKER_BACKOFF_MAX)
        self->backoff = WORKER_BACKOFF_MAX;
}

//  --------------------------------------------------------------------------
//  Sending

//  Move unsent outputs into the window while it has room
static void
s_send_outputs (worker_t *self)
{
    if (!self->broker || zclock_mono () < self->retry_at)
        return;
    void *socket = zsock_resolve (self->broker);
    size_t window = (size_t) self->options.window;
    while (self->unsent_head && self->inflight < window) {
        uint64_t pubseq = self->next_pubseq;
        size_t slot = (size_t) (pubseq % window);
        if (self->window [slot])
            break;              //  The oldest publish is not accepted yet
        output_t *output = self->unsent_head;
        self->unsent_head = output->next;
        if (!self->unsent_head)
            self->unsent_tail = NULL;
        self->unsent--;
        output->next = NULL;
        output->pubseq = pubseq;
        self->next_pubseq++;
        uint8_t seq [8];
        proto_put_u64 (seq, pubseq);
        const char *topics = output->topics ? output->topics : "";
        //  Send a reference: the payload is kept for a resend after an
        //  "overloaded" refusal
        zmq_msg_t copy;
        zmq_msg_init (&copy);
        zmq_msg_copy (&copy, &output->payload);
        proto_part_t parts [4] = {
            { output->queue, strlen (output->queue), NULL },
            { seq, 8, NULL },
            { topics, strlen (topics), NULL },
            { NULL, 0, &copy }
        };
        int rc = proto_send (socket, NULL, 0, PROTO_PUBLISH, 4, parts);
        self->window [slot] = output;
        self->inflight++;
        if (rc != 0) {
            s_disconnect (self, "cannot send to the broker");
            return;
        }
        self->last_sent = zclock_mono ();
    }
}

//  ACK the settled inputs, up to PROTO_MAX_SEQS per frame
static void
s_send_acks (worker_t *self)
{
    if (!self->broker || self->acks.len == 0)
        return;
    void *socket = zsock_resolve (self->broker);
    size_t done = 0;
    while (done < self->acks.len) {
        size_t count = self->acks.len - done;
        if (count > PROTO_MAX_SEQS)
            count = PROTO_MAX_SEQS;
        uint8_t *frame = (uint8_t *) xmalloc (count * 8);
        for (size_t i = 0; i < count; i++)
            proto_put_u64 (frame + i * 8, self->acks.items [done + i]);
        proto_part_t part = { frame, count * 8, NULL };
        if (proto_send (socket, NULL, 0, PROTO_ACK, 1, &part) == 0)
            self->last_sent = zclock_mono ();
        free (frame);
        done += count;
    }
    self->acks.len = 0;
}

//  --------------------------------------------------------------------------
//  Receiving

//  ACCEPT: the listed outputs are journaled; settle them
static void
s_on_accept (worker_t *self, proto_msg_t *msg)
{
    const uint8_t *seqs = proto_arg (msg, 0);
    size_t count = proto_arg_size (msg, 0) / 8;
    size_t window = (size_t) self->options.window;
    for (size_t i = 0; i < count; i++) {
        uint64_t pubseq = proto_get_u64 (seqs + i * 8);
        size_t slot = (size_t) (pubseq % window);
        output_t *output = self->window [slot];
        if (!output || output->pubseq != pubseq)
            continue;           //  Unknown or already settled
        self->window [slot] = NULL;
        self->inflight--;
        self->emitted++;
        s_output_drop (self, output);
    }
}

//  REFUSE: overloaded is retried later; any other reason rejects the
//  input the output was for
static void
s_on_refuse (worker_t *self, proto_msg_t *msg)
{
    uint64_t pubseq = proto_arg_u64 (msg, 0);
    char reason [256];
    proto_arg_text (msg, 1, reason, sizeof reason);
    size_t slot = (size_t) (pubseq % (size_t) self->options.window);
    output_t *output = self->window [slot];
    if (!output || output->pubseq != pubseq)
        return;
    self->window [slot] = NULL;
    self->inflight--;
    if (streq (reason, "overloaded")) {
        //  Transient: the broker holds too much of ours. Send it again
        //  (first in line) a little later.
        output->next = self->unsent_head;
        self->unsent_head = output;
        if (!self->unsent_tail)
            self->unsent_tail = output;
        self->unsent++;
        self->retried++;
        self->retry_at = zclock_mono () + 200;
        if (self->retried == 1 || self->options.verbose)
            zsys_warning ("%s: the broker is overloaded; publishing again shortly", self->stage->name);
        return;
    }
    self->refused++;
    job_t *job = output->job;
    char why [320];
    snprintf (why, sizeof why, "broker refused an output to %s: %s", output->queue, reason);
    //  Keep the job alive while failing it
    job->outputs++;
    s_output_drop (self, output);
    s_job_fail (self, job, why);
    job->outputs--;
    s_job_check (self, job);
}

//  DELIVER: queue the job; it is handled when earlier outputs are sent
static void
s_on_deliver (worker_t *self, proto_msg_t *msg)
{
    char queue [72];
    proto_arg_text (msg, 0, queue, sizeof queue);
    uint64_t seq = proto_arg_u64 (msg, 1);
    uint32_t attempts = proto_arg_u32 (msg, 2);
    if (strcmp (queue, self->stage->input) != 0) {
        self->errors++;
        zsys_warning ("%s: delivery seq=%" PRIu64 " from queue '%s', expected '%s'",
                      self->stage->name, seq, queue, self->stage->input);
    }
    job_t *job = s_job_new (self, seq, attempts, proto_arg_msg (msg, 3));
    if (self->pending_tail)
        self->pending_tail->next_pending = job;
    else
        self->pending_head = job;
    self->pending_tail = job;
    job->queued = true;
    self->pending++;
    if (self->options.verbose)
        zsys_debug ("%s: deliver seq=%" PRIu64 " attempts=%u size=%zu",
                    self->stage->name, seq, attempts, job_size (job));
}

//  ERROR: not-registered means register again; the rest is logged
static void
s_on_error (worker_t *self, proto_msg_t *msg)
{
    char code [64], text [256];
    proto_arg_text (msg, 0, code, sizeof code);
    proto_arg_text (msg, 1, text, sizeof text);
    self->errors++;
    if (strcmp (code, "not-registered") == 0)
        s_disconnect (self, "the broker does not know us (not-registered)");
    else
        zsys_warning ("%s: broker says %s: %s", self->stage->name, code, text);
}

//  Read what the broker sent, up to WORKER_DRAIN_MAX messages
static void
s_drain (worker_t *self)
{
    void *socket = zsock_resolve (self->broker);
    self->drained = false;
    for (int count = 0; count < WORKER_DRAIN_MAX && self->broker; count++) {
        proto_msg_t msg;
        if (proto_recv (socket, &msg, false, ZMQ_DONTWAIT) != 0) {
            if (errno == EAGAIN)
                self->drained = true;
            return;
        }
        const char *code;
        if (proto_check (&msg, &code) != 0) {
            self->errors++;
            zsys_warning ("%s: bad message from the broker (%s)", self->stage->name, code);
            proto_close (&msg);
            continue;
        }
        self->last_heard = zclock_mono ();
        if (!self->registered) {
            self->registered = true;
            self->backoff = WORKER_BACKOFF_MIN;
        }
        switch (msg.command) {
            case PROTO_DELIVER:
                s_on_deliver (self, &msg);
                break;
            case PROTO_ACCEPT:
                s_on_accept (self, &msg);
                break;
            case PROTO_REFUSE:
                s_on_refuse (self, &msg);
                break;
            case PROTO_ERROR:
                s_on_error (self, &msg);
                break;
            case PROTO_HEARTBEAT:
                break;
            default:
                self->errors++;
                if (self->options.verbose)
                    zsys_debug ("%s: ignoring %s from the broker", self->stage->name,
                                proto_command_name (msg.command));
                break;
        }
        proto_close (&msg);
    }
}

//  Read socket events; DISCONNECTED means the broker went away
static void
s_handle_monitor (worker_t *self)
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
    if (lost)
        s_disconnect (self, "lost the connection to the broker");
}

//  --------------------------------------------------------------------------
//  Work

//  Ask the stage to complete its held jobs; a failure is retried later
static void
s_flush (worker_t *self)
{
    int64_t now = zclock_mono ();
    self->flush_at = now + self->options.flush_ms;
    if (!self->stage->flush || self->held == 0)
        return;
    int64_t started = time_mono_usec ();
    size_t held = self->held;
    int rc = self->stage->flush (self->state, self);
    if (rc == 0) {
        self->flush_usec = time_mono_usec () - started;
        self->flush_held = held;
    }
    else {
        self->flush_failures++;
        int retry = self->options.flush_ms < 200 ? 200 : self->options.flush_ms;
        self->flush_retry_at = now + retry;
        if (self->options.verbose || self->flush_failures == 1)
            zsys_warning ("%s: flush failed with %zu jobs held; retrying", self->stage->name,
                          self->held);
    }
}

//  Run the handler on one delivery (after the fault-injection check)
static void
s_handle (worker_t *self, job_t *job)
{
    if (self->fault
    &&  memmem (job_data (job), job_size (job), self->fault, strlen (self->fault))) {
        zsys_error ("%s: fault injection: seq=%" PRIu64 " contains '%s', aborting",
                    self->stage->name, job->seq, self->fault);
        abort ();
    }
    int rc = self->stage->handle (self->state, job);
    self->processed++;
    if (rc == WORKER_DONE)
        job->finished = true;
    else
    if (rc == WORKER_HOLD) {
        assert (self->stage->flush);    //  Held jobs are completed by flush
        if (self->held == 0)
            self->held_since = time_mono_usec ();
        job->held = true;
        self->held++;
    }
    else
    if (rc == WORKER_REJECT) {
        job->outputs++;         //  Alive through s_job_fail
        s_job_fail (self, job, job->reason ? job->reason : "rejected by the stage");
        job->outputs--;
    }
    else {
        zsys_error ("%s: handler returned %d for seq=%" PRIu64, self->stage->name, rc, job->seq);
        assert (false);
    }
    s_job_check (self, job);
}

//  Handle queued deliveries while the outputs of earlier ones can be sent.
//  Outputs go out in bursts of up to WORKER_SEND_BATCH jobs: the ZeroMQ I/O
//  thread then wakes once per burst instead of once per story. A delivery
//  that comes alone is still published as soon as it is handled.
static void
s_process (worker_t *self)
{
    size_t window = (size_t) self->options.window;
    int unflushed = 0;          //  Jobs handled since the last send
    for (int count = 0; count < WORKER_HANDLE_MAX; count++) {
        if (!self->pending_head || self->terminated || !self->broker)
            break;
        if (self->unsent > 0
        &&  (unflushed == 0 || unflushed >= WORKER_SEND_BATCH
             || self->unsent + self->inflight >= window)) {
            s_send_outputs (self);
            unflushed = 0;
            if (self->unsent > 0)
                return;         //  The window is full: handle more once it has room
        }
        job_t *job = self->pending_head;
        self->pending_head = job->next_pending;
        if (!self->pending_head)
            self->pending_tail = NULL;
        job->next_pending = NULL;
        job->queued = false;
        self->pending--;
        s_handle (self, job);
        unflushed++;
        if (self->held >= (size_t) self->options.hold_max
        &&  zclock_mono () >= self->flush_retry_at)
            s_flush (self);
    }
    s_send_outputs (self);
}

//  --------------------------------------------------------------------------
//  Control: signals and the actor pipe

//  Signal handler: only writes the signal number to the self-pipe
static void
s_signal_handler (int signum)
{
    int saved = errno;
    uint8_t byte = (uint8_t) signum;
    if (s_signal_pipe [1] >= 0) {
        ssize_t rc = write (s_signal_pipe [1], &byte, 1);
        (void) rc;
    }
    errno = saved;
}

//  SIGHUP or RELOAD: let the stage reload its configuration
static void
s_reload (worker_t *self)
{
    if (!self->stage->reload) {
        zsys_info ("%s: nothing to reload", self->stage->name);
        return;
    }
    zsys_info ("%s: reloading", self->stage->name);
    if (self->stage->reload (self->state) != 0)
        zsys_error ("%s: reload failed; keeping the current configuration", self->stage->name);
}

//  Read the signal pipe: HUP reloads, the others stop the loop
static void
s_handle_signals (worker_t *self)
{
    uint8_t bytes [16];
    ssize_t got;
    while ((got = read (self->signal_fd, bytes, sizeof bytes)) > 0) {
        for (ssize_t i = 0; i < got; i++) {
            if (bytes [i] == SIGHUP)
                s_reload (self);
            else {
                if (!self->terminated)
                    zsys_info ("%s: stopping (signal %d)", self->stage->name, bytes [i]);
                self->terminated = true;
            }
        }
    }
}

//  A command on the actor pipe
static void
s_handle_pipe (worker_t *self)
{
    zmsg_t *msg = zmsg_recv (self->pipe);
    if (!msg) {
        self->terminated = true;
        return;
    }
    char *command = zmsg_popstr (msg);
    if (!command || streq (command, "$TERM"))
        self->terminated = true;
    else
    if (streq (command, "RELOAD"))
        s_reload (self);
    else
    if (streq (command, "COUNTERS"))
        zsock_send (self->pipe, "8888", self->processed, self->rejected,
                    self->emitted, self->reconnects);
    else
        zsys_warning ("%s: unknown actor command %s", self->stage->name, command);
    free (command);
    zmsg_destroy (&msg);
}

//  --------------------------------------------------------------------------
//  The loop

//  Create the loop's state; options are copied and clamped
static worker_t *
s_self_new (const stage_t *stage, void *state, const worker_options_t *options)
{
    worker_t *self = (worker_t *) xcalloc (1, sizeof (worker_t));
    self->stage = stage;
    self->state = state;
    self->options = *options;
    s_options_fix (&self->options);
    if (self->options.nap_ms < 0)
        self->options.nap_ms = stage->nap_ms;
    if (!stage->flush || self->options.nap_ms < 0)
        self->options.nap_ms = 0;
    //  A nap never outlasts the periodic flush
    if (self->options.nap_ms > self->options.flush_ms)
        self->options.nap_ms = self->options.flush_ms;
    self->options.endpoint = xstrdup (options->endpoint);
    self->window = (output_t **) xcalloc ((size_t) self->options.window, sizeof (output_t *));
    self->signal_fd = -1;
    self->backoff = WORKER_BACKOFF_MIN;
    self->fault = worker_fault_text (getenv ("COPYDESK_FAULT"), stage->name);
    if (self->fault)
        zsys_warning ("%s: fault injection armed: abort on payloads containing '%s'",
                      stage->name, self->fault);
    if (gethostname (self->host, sizeof self->host) != 0)
        snprintf (self->host, sizeof self->host, "localhost");
    self->host [sizeof self->host - 1] = 0;
    int64_t now = zclock_mono ();
    self->tick_at = now + WORKER_TICK_MS;
    self->flush_at = now + self->options.flush_ms;
    return self;
}

//  Free everything left, sockets first; held jobs too
static void
s_self_destroy (worker_t **self_p)
{
    worker_t *self = *self_p;
    if (!self)
        return;
    s_sockets_destroy (self);
    //  Drop what is left; the broker requeues it (BYE or expiry)
    self->gen++;
    while (self->unsent_head) {
        output_t *output = self->unsent_head;
        self->unsent_head = output->next;
        s_output_drop (self, output);
    }
    for (size_t i = 0; i < (size_t) self->options.window; i++)
        if (self->window [i])
            s_output_drop (self, self->window [i]);
    while (self->jobs) {
        job_t *job = self->jobs;
        s_job_destroy (self, &job);
    }
    free (self->window);
    free (self->acks.items);
    free (self->fault);
    free ((char *) self->options.endpoint);
    free (self);
    *self_p = NULL;
}

//  Milliseconds until the next timed duty
static long
s_timeout (worker_t *self, int64_t now)
{
    bool can_work = (self->pending_head && self->unsent == 0)
                 || (self->unsent_head && self->inflight < (size_t) self->options.window
                     && !self->window [self->next_pubseq % (size_t) self->options.window]
                     && now >= self->retry_at);
    if (self->broker && can_work)
        return 0;
    int64_t next = self->tick_at;
    if (self->unsent_head && self->retry_at > now && self->retry_at < next)
        next = self->retry_at;
    if (self->broker) {
        int64_t heartbeat_at = self->last_sent + self->options.heartbeat;
        int64_t expiry_at = self->last_heard
                          + (int64_t) self->options.heartbeat * self->options.liveness;
        if (heartbeat_at < next)
            next = heartbeat_at;
        if (expiry_at < next)
            next = expiry_at;
    }
    else
    if (self->reconnect_at < next)
        next = self->reconnect_at;
    if (self->held) {
        int64_t flush_at = self->flush_at > self->flush_retry_at ? self->flush_at : self->flush_retry_at;
        if (flush_at < next)
            next = flush_at;
    }
    long timeout = (long) (next - now);
    return timeout < 0 ? 0 : timeout;
}

//  When the nap of a batching stage ends (usec): none while its flushes
//  take fewer than WORKER_NAP_MIN jobs (a trickle of stories is committed
//  as it comes), else WORKER_NAP_FACTOR times as long as its last flush
//  took, at most nap_ms, from the first job it holds: a stream of stories
//  makes longer commits, longer naps and bigger batches.
static int64_t
s_nap_end (worker_t *self)
{
    if (self->flush_held < WORKER_NAP_MIN)
        return 0;
    int64_t nap = self->flush_usec * WORKER_NAP_FACTOR;
    if (nap > (int64_t) self->options.nap_ms * 1000)
        nap = (int64_t) self->options.nap_ms * 1000;
    return self->held_since + nap;
}

//  True while a batching stage may wait for more deliveries before an
//  idle flush: it holds jobs, fewer than hold_max, and its nap is not over
static bool
s_napping (worker_t *self, int64_t now)
{
    return self->options.nap_ms > 0 && self->held > 0 && self->broker
        && self->held < (size_t) self->options.hold_max
        && now >= self->flush_retry_at && !self->terminated
        && time_mono_usec () < s_nap_end (self);
}

//  Wait for one wake-up and do everything that is due. timeout < 0: use
//  the loop's own timers.
static void
s_cycle (worker_t *self, long timeout)
{
    int64_t now = zclock_mono ();
    if (!self->broker && now >= self->reconnect_at && !self->terminated) {
        if (s_connect (self) != 0) {
            self->reconnect_at = now + self->backoff;
            self->backoff = self->backoff * 2 > WORKER_BACKOFF_MAX ? WORKER_BACKOFF_MAX : self->backoff * 2;
        }
    }
    //  A nap: deliveries pile up unread, so a batching stage wakes once
    //  for many of them instead of once per message
    bool napping = s_napping (self, now) && timeout < 0
                && !(self->pending_head && self->unsent == 0);
    zmq_pollitem_t items [3];
    int nitems = 0, broker_at = -1, monitor_at = -1, control_at = -1;
    if (self->broker && !napping) {
        items [nitems] = (zmq_pollitem_t) { zsock_resolve (self->broker), 0, ZMQ_POLLIN, 0 };
        broker_at = nitems++;
    }
    if (self->monitor) {
        items [nitems] = (zmq_pollitem_t) { zsock_resolve (self->monitor), 0, ZMQ_POLLIN, 0 };
        monitor_at = nitems++;
    }
    if (self->pipe) {
        items [nitems] = (zmq_pollitem_t) { zsock_resolve (self->pipe), 0, ZMQ_POLLIN, 0 };
        control_at = nitems++;
    }
    else
    if (self->signal_fd >= 0) {
        items [nitems] = (zmq_pollitem_t) { NULL, self->signal_fd, ZMQ_POLLIN, 0 };
        control_at = nitems++;
    }
    if (timeout < 0) {
        timeout = s_timeout (self, now);
        //  In whole ms, rounded up (a nap shorter than 1 ms lasts 1 ms)
        long nap = (long) ((s_nap_end (self) - time_mono_usec () + 999) / 1000);
        if (napping && nap < timeout)
            timeout = nap < 0 ? 0 : nap;
    }
    int rc = zmq_poll (items, nitems, timeout);
    if (rc < 0) {
        if (zmq_errno () == ETERM)
            self->terminated = true;
        return;                 //  EINTR: the signal pipe tells us why
    }
    if (control_at >= 0 && (items [control_at].revents & ZMQ_POLLIN)) {
        if (self->pipe)
            s_handle_pipe (self);
        else
            s_handle_signals (self);
    }
    if (monitor_at >= 0 && (items [monitor_at].revents & ZMQ_POLLIN) && self->monitor)
        s_handle_monitor (self);
    if ((broker_at >= 0 || napping) && self->broker) {
        if (napping || (items [broker_at].revents & ZMQ_POLLIN))
            s_drain (self);
        else
            self->drained = true;
        //  Silence is judged from what we had read by now, not after a
        //  long handler has left the broker's messages unread
        if (self->drained)
            self->read_at = zclock_mono ();
    }
    s_send_outputs (self);
    s_process (self);
    now = zclock_mono ();
    if (self->held && now >= self->flush_retry_at && !self->terminated
    &&  (self->held >= (size_t) self->options.hold_max
         || (self->pending == 0 && self->drained && !s_napping (self, now))
         || now >= self->flush_at))
        s_flush (self);
    s_send_outputs (self);
    s_send_acks (self);
    now = zclock_mono ();
    if (self->broker) {
        if (self->read_at - self->last_heard >= (int64_t) self->options.heartbeat * self->options.liveness)
            s_disconnect (self, "the broker is silent");
        else
        if (now - self->last_sent >= self->options.heartbeat)
            s_heartbeat (self);
    }
    if (now >= self->tick_at) {
        self->tick_at = now + WORKER_TICK_MS;
        if (self->stage->tick)
            self->stage->tick (self->state, self);
    }
}

//  Stop cleanly: flush, wait (bounded) for outstanding ACCEPTs, ACK, BYE
static void
s_stop (worker_t *self)
{
    int64_t deadline = zclock_mono () + WORKER_STOP_WAIT;
    if (self->held && self->stage->flush) {
        while (self->held && zclock_mono () < deadline) {
            if (self->stage->flush (self->state, self) == 0)
                break;
            self->flush_failures++;
            zclock_sleep (100);
        }
    }
    while (self->broker && (self->unsent || self->inflight || self->acks.len)
    &&     zclock_mono () < deadline) {
        s_send_outputs (self);
        s_send_acks (self);
        if (!self->unsent && !self->inflight)
            break;
        zmq_pollitem_t item = { zsock_resolve (self->broker), 0, ZMQ_POLLIN, 0 };
        int64_t left = deadline - zclock_mono ();
        if (zmq_poll (&item, 1, left < 50 ? (long) left : 50) < 0 && zmq_errno () != EINTR)
            break;
        if (item.revents & ZMQ_POLLIN)
            s_drain (self);
    }
    s_send_acks (self);
    if (self->held)
        zsys_warning ("%s: %zu held jobs not completed at stop; the broker requeues them",
                      self->stage->name, self->held);
    if (self->unsent || self->inflight)
        zsys_warning ("%s: %zu outputs not accepted at stop; their inputs will be redelivered",
                      self->stage->name, self->unsent + self->inflight);
    if (self->broker) {
        s_send_simple (self, PROTO_BYE);
        //  Let BYE and the last ACKs reach the broker before the socket goes
        zsock_set_linger (self->broker, 1000);
    }
    zsys_info ("%s: stopped: processed=%" PRIu64 " acked=%" PRIu64 " rejected=%" PRIu64
               " emitted=%" PRIu64 " refused=%" PRIu64 " retried=%" PRIu64 " reconnects=%" PRIu64
               " dropped=%" PRIu64 " errors=%" PRIu64,
               self->stage->name, self->processed, self->acked, self->rejected,
               self->emitted, self->refused, self->retried, self->reconnects, self->dropped,
               self->errors);
}

//  A stage must have a name, an input queue and a handler
static void
s_check_stage (const stage_t *stage)
{
    assert (stage);
    assert (stage->handle);
    assert (stage->input);
    assert (stage->name);
}

//  --------------------------------------------------------------------------
//  Run the loop until SIGINT/SIGTERM. Returns 0 on a clean stop, -1 if it
//  could not start (bad endpoint). state is passed to every callback. At
//  the stop it calls flush once more; jobs still held after that are freed
//  when it returns (the broker requeues them): the stage must not touch
//  them afterwards.
int
worker_run (const stage_t *stage, void *state, const worker_options_t *options)
{
    s_check_stage (stage);
    assert (options);
    if (str_empty (options->endpoint)) {
        zsys_error ("%s: no broker endpoint", stage->name);
        return -1;
    }
    //  Our own signal handling: czmq's would only set zsys_interrupted
    zsys_init ();
    zsys_handler_set (NULL);
    if (pipe2 (s_signal_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        zsys_error ("%s: cannot create the signal pipe: %s", stage->name, strerror (errno));
        return -1;
    }
    struct sigaction action, old_int, old_term, old_hup;
    memset (&action, 0, sizeof action);
    action.sa_handler = s_signal_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset (&action.sa_mask);
    sigaction (SIGINT, &action, &old_int);
    sigaction (SIGTERM, &action, &old_term);
    sigaction (SIGHUP, &action, &old_hup);

    worker_t *self = s_self_new (stage, state, options);
    self->signal_fd = s_signal_pipe [0];
    int rc = 0;
    if (s_connect (self) != 0)
        rc = -1;
    else {
        zsys_info ("%s: started, broker %s, credit %d, window %d", stage->name,
                   self->options.endpoint, self->options.credit, self->options.window);
        while (!self->terminated)
            s_cycle (self, -1);
        s_stop (self);
    }
    s_self_destroy (&self);

    sigaction (SIGINT, &old_int, NULL);
    sigaction (SIGTERM, &old_term, NULL);
    sigaction (SIGHUP, &old_hup, NULL);
    close (s_signal_pipe [0]);
    close (s_signal_pipe [1]);
    s_signal_pipe [0] = s_signal_pipe [1] = -1;
    return rc;
}

//  --------------------------------------------------------------------------
//  The loop as a czmq actor (tests, embedding): "$TERM" stops it like
//  SIGTERM, "RELOAD" reloads, "COUNTERS" answers "8888".
void
worker_actor (zsock_t *pipe, void *args)
{
    worker_args_t *a = (worker_args_t *) args;
    assert (a);
    s_check_stage (a->stage);
    worker_t *self = s_self_new (a->stage, a->state, &a->options);
    self->pipe = pipe;
    bool connected = !str_empty (a->options.endpoint) && s_connect (self) == 0;
    zsock_signal (pipe, 0);
    if (connected) {
        while (!self->terminated)
            s_cycle (self, -1);
        s_stop (self);
    }
    else {
        //  Nothing to run: wait for $TERM as every actor must
        while (!self->terminated)
            s_handle_pipe (self);
    }
    s_self_destroy (&self);
}

//  --------------------------------------------------------------------------
//  The main of a stage process

//  Usage of a stage process
static void
s_usage (const stage_t *stage, FILE *out)
{
    fprintf (out,
        "Usage: copydesk-%s [--home DIR] [--broker EP] [--credit N] [--set KEY=VALUE]...\n"
        "                   [--verbose] [-h|--help]\n"
        "\n"
        "Runs the %s stage of the copydesk pipeline in the foreground: takes\n"
        "messages from the broker's '%s' queue%s%s%s. Usually started by `copydesk up`.\n"
        "\n"
        "  --home DIR        home folder (default $COPYDESK_HOME or ~/.copydesk)\n"
        "  --broker EP       broker endpoint, e.g. tcp://host:5555 (default: the home's ipc socket)\n"
        "  --credit N        deliveries in flight at most (default %d, or %s/credit or\n"
        "                    workers/credit in copydesk.cfg)\n"
        "  --set KEY=VALUE   override a setting of copydesk.cfg, e.g. --set workers/flush_ms=20\n"
        "  --verbose         log every delivery\n"
        "\n"
        "Example: copydesk-%s --home /srv/copydesk --verbose\n",
        stage->name, stage->name, stage->input,
        stage->output ? " and feeds '" : "", stage->output ? stage->output : "",
        stage->output ? "'" : "", stage->credit > 0 ? stage->credit : WORKER_CREDIT, stage->name,
        stage->name);
}

//  --------------------------------------------------------------------------
//  The whole main of a stage process: parses the common service options
//  (--home DIR, --broker EP, --credit N, --set KEY=VALUE, --verbose, -h),
//  loads the config, sets the log ident "copydesk-<name>", creates the
//  state with stage->create when state is NULL, runs worker_run, destroys
//  what it created. Returns the process exit code (0, 1 failure, 2 usage).
int
worker_main (const stage_t *stage, void *state, int argc, char **argv)
{
    s_check_stage (stage);
    const char *home = NULL;
    const char *broker = NULL;
    int credit = 0;
    bool verbose = false;
    strv_t sets = { NULL, 0, 0 };
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        const char *value = i + 1 < argc ? argv [i + 1] : NULL;
        if (streq (arg, "-h") || streq (arg, "--help")) {
            s_usage (stage, stdout);
            strv_free (&sets);
            return 0;
        }
        else
        if (streq (arg, "-v") || streq (arg, "--verbose"))
            verbose = true;
        else
        if ((streq (arg, "--home") || streq (arg, "--broker") || streq (arg, "--credit")
             || streq (arg, "--set")) && !value) {
            fprintf (stderr, "copydesk-%s: %s needs a value (see --help)\n", stage->name, arg);
            strv_free (&sets);
            return 2;
        }
        else
        if (streq (arg, "--home"))
            home = argv [++i];
        else
        if (streq (arg, "--broker"))
            broker = argv [++i];
        else
        if (streq (arg, "--credit")) {
            char *end;
            long n = strtol (argv [++i], &end, 10);
            if (*end || n < 1 || n > 65535) {
                fprintf (stderr, "copydesk-%s: --credit must be 1-65535\n", stage->name);
                strv_free (&sets);
                return 2;
            }
            credit = (int) n;
        }
        else
        if (streq (arg, "--set")) {
            const char *kv = argv [++i];
            if (!strchr (kv, '=') || kv [0] == '=') {
                fprintf (stderr, "copydesk-%s: --set wants KEY=VALUE, got '%s'\n", stage->name, kv);
                strv_free (&sets);
                return 2;
            }
            strv_push (&sets, kv);
        }
        else {
            fprintf (stderr, "copydesk-%s: unknown option '%s' (see --help)\n", stage->name, arg);
            strv_free (&sets);
            return 2;
        }
    }
    config_t *config = config_load (home);
    if (!config) {
        strv_free (&sets);
        return 1;
    }
    for (size_t i = 0; i < sets.len; i++) {
        char *eq = strchr (sets.items [i], '=');
        *eq = 0;
        config_set (config, sets.items [i], eq + 1);
    }
    strv_free (&sets);
    if (broker)
        config_set (config, "broker/endpoint", broker);

    char ident [64];
    snprintf (ident, sizeof ident, "copydesk-%s", stage->name);
    zsys_init ();
    zsys_set_logident (ident);

    worker_options_t options;
    worker_options_init (&options, config);
    //  The stage's own default credit, unless the configuration sets one;
    //  then per-stage overrides: <stage>/credit, <stage>/hold_max,
    //  <stage>/flush_ms; then --credit
    char key [96];
    if (stage->credit > 0 && !config_get (config, "workers/credit", NULL))
        options.credit = stage->credit;
    snprintf (key, sizeof key, "%s/credit", stage->name);
    options.credit = (int) config_int (config, key, options.credit);
    if (credit)
        options.credit = credit;
    if (options.credit < 1)
        options.credit = 1;
    if (options.credit > 65535)
        options.credit = 65535;
    //  Held jobs force a flush at a full credit window unless set
    snprintf (key, sizeof key, "%s/hold_max", stage->name);
    options.hold_max = (int) config_int (config, key,
        config_int (config, "workers/hold_max", options.credit));
    if (options.hold_max <= 0 || options.hold_max > options.credit)
        options.hold_max = options.credit;
    snprintf (key, sizeof key, "%s/flush_ms", stage->name);
    options.flush_ms = (int) config_int (config, key, options.flush_ms);
    snprintf (key, sizeof key, "%s/nap_ms", stage->name);
    options.nap_ms = (int) config_int (config, key, stage->nap_ms);
    options.verbose = verbose;

    bool created = false;
    if (!state && stage->create) {
        state = stage->create (config);
        if (!state) {
            zsys_error ("%s: cannot start (see the messages above)", stage->name);
            config_destroy (&config);
            return 1;
        }
        created = true;
    }
    int rc = worker_run (stage, state, &options);
    if (created && stage->destroy)
        stage->destroy (&state);
    config_destroy (&config);
    return rc == 0 ? 0 : 1;
}
