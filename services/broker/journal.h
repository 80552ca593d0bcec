//  SPDX-License-Identifier: MIT
//  journal - the broker's append-only journal of messages in custody
//
//  A directory of segment files (NNNNNNNN.jnl). Each record is
//  [u32 length][u32 crc][u8 type][body], integers big-endian, length
//  counting type + body, crc the CRC-32C (Castagnoli) of type + body. Types:
//
//    'H' HEAD   u32 format (1), u64 next seq: first record of every segment
//    'P' PUB    u64 seq, u32 attempts, u8 queue length, queue, payload
//    'K' ACK    u64 seq * n: settled by the worker
//    'D' DEAD   u64 seq: settled by the dead-letter log
//    'T' RETRY  u64 seq, u32 attempts: the message was redelivered
//
//  Records are queued in memory by journal_pub/ack/dead/retry and sealed
//  into a batch by journal_write. A writer thread writes sealed batches in
//  order (one writev each) and runs fdatasync when asked (group commit: one
//  sync covers everything written before it), at most once per sync
//  interval; the broker learns what is durable from journal_sync_fd. Each
//  batch is one "generation": what a sync covers is known by generation.
//  The broker's thread never waits for the disk (buffered writes, too, can
//  block for milliseconds while the filesystem commits).
//
//  Not thread-safe: one thread (the broker's) calls it; the writer thread
//  is internal.

#ifndef COPYDESK_JOURNAL_H
#define COPYDESK_JOURNAL_H

#define JOURNAL_PUB     'P'
#define JOURNAL_ACK     'K'
#define JOURNAL_DEAD    'D'
#define JOURNAL_RETRY   'T'
#define JOURNAL_HEAD    'H'
#define JOURNAL_FORMAT  1

typedef struct _journal_t journal_t;

//  Figures for the broker's statistics
typedef struct {
    size_t segments;            //  Segment files
    uint64_t bytes;             //  Bytes in all segments
    uint64_t syncs;             //  fdatasync calls since start
    uint64_t sync_us_p50;       //  Median of the last 256 syncs, microseconds
    uint64_t sync_us_max;       //  Slowest sync since start
    uint64_t replayed;          //  Live messages found at start
    uint64_t records;           //  Records written since start
    uint64_t rewritten;         //  Live records rewritten forward
    uint64_t deleted;           //  Segments deleted since start
    uint64_t errors;            //  Failed writes
    uint64_t torn;              //  Segments whose replay ended early
} journal_stats_t;

//  Called by journal_replay for each live message, in seq order. The
//  callback may take the payload with zmq_msg_move; the journal closes
//  whatever is left.
typedef void (journal_replay_fn) (void *arg, uint64_t seq, const char *queue,
                                  uint32_t attempts, zmq_msg_t *payload,
                                  uint32_t segment);

//  Open the journal in dir (created if needed) and lock it against a
//  second broker. segment_size: rotate after this many bytes. sync: false
//  skips fdatasync (benchmarks only). Returns NULL with a logged reason if
//  the directory cannot be created or stays locked by another process for
//  5 s (a broker killed a moment ago holds the lock until its last
//  fdatasync returns).
journal_t *
    journal_new (const char *dir, uint64_t segment_size, bool sync);
//  Same, waiting up to lock_wait ms for the lock
journal_t *
    journal_new_wait (const char *dir, uint64_t segment_size, bool sync, int64_t lock_wait);

//  Write and sync what is queued, close and unlock. Nullifies. Safe on NULL.
void
    journal_destroy (journal_t **self_p);

//  Replay the segments, calling fn for each live message in seq order,
//  then start a new active segment. Call once, before anything else.
//  Returns 0, or -1 if the new segment cannot be created.
int
    journal_replay (journal_t *self, journal_replay_fn *fn, void *arg);

//  Queue a PUB record for a new message and return its seq. The journal
//  keeps its own reference to payload until written. *segment gets the
//  segment the record goes to (the message is live there until settled).
uint64_t
    journal_pub (journal_t *self, const char *queue, uint32_t attempts,
                 zmq_msg_t *payload, uint32_t *segment);

//  Queue an ACK record (consecutive acks share one record). segment and
//  size are the message's, for live accounting.
void
    journal_ack (journal_t *self, uint64_t seq, uint32_t segment, size_t size);

//  Queue a DEAD record: the message is settled by the dead-letter log.
void
    journal_dead (journal_t *self, uint64_t seq, uint32_t segment, size_t size);

//  Queue a RETRY record: the message's attempts are now attempts.
void
    journal_retry (journal_t *self, uint64_t seq, uint32_t attempts);

//  The oldest segment if it should be compacted: not active, still
//  pinned by live messages that are less than half its size, and at
//  least two newer segments behind it. 0 if none.
uint32_t
    journal_compact_candidate (journal_t *self);

//  Queue a PUB record again for a live message of an old segment, with
//  its current attempts; moves it to the active segment (*segment is
//  updated). The old segment can go once every message in it moved.
void
    journal_rewrite (journal_t *self, uint64_t seq, const char *queue,
                     uint32_t attempts, zmq_msg_t *payload, uint32_t *segment);

//  Seal the queued records into a batch (the next generation) for the
//  writer, and rotate to a new segment if the active one is full. The
//  records may be delivered from now on; they are durable once a sync
//  covers their generation. Returns 0. (A write the disk refuses, full, is
//  retried by the writer every 100 ms; nothing becomes durable meanwhile.)
int
    journal_write (journal_t *self);

//  Seal, make everything durable and wait for it (up to 30 s without
//  progress). Returns 0, or -1 if fdatasync failed or the disk refuses the
//  writes: the caller must stop.
int
    journal_sync (journal_t *self);

//  Ask the writer to make everything sealed durable (soon: at most once per
//  sync interval). No-op if that is already asked.
void
    journal_sync_begin (journal_t *self);
//  True while a requested sync has not reported back
bool
    journal_syncing (journal_t *self);
//  A descriptor that becomes readable when the writer made progress
int
    journal_sync_fd (journal_t *self);
//  Collect the writer's progress (call when journal_sync_fd is readable):
//  the generations it made durable, settled segments deleted. Returns 0,
//  or -1 if fdatasync failed: the caller must stop.
int
    journal_sync_end (journal_t *self);
//  Generations sealed so far, and made durable so far
uint64_t
    journal_written_gen (journal_t *self);
uint64_t
    journal_synced_gen (journal_t *self);
//  Minimum time between the starts of two fdatasyncs (default 1000 us):
//  under a trickle of writes, several batches share one sync
void
    journal_set_sync_interval (journal_t *self, int64_t microseconds);

//  True if records are queued and not yet sealed
bool
    journal_unwritten (journal_t *self);
//  True if something sealed is not yet durable
bool
    journal_unsynced (journal_t *self);

//  The seq the next journal_pub will return
uint64_t
    journal_next_seq (journal_t *self);

//  Fill stats
void
    journal_stats (journal_t *self, journal_stats_t *stats);

#endif
