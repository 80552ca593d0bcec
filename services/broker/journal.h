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
//  Records are queued in memory by journal_pub/ack/dead/retry, written in
//  one writev by journal_write and made durable by one fdatasync (group
//  commit), either waited for (journal_sync) or run by a background thread
//  (journal_sync_begin ... journal_sync_end) so the broker's loop never
//  blocks on the disk. Each journal_write is one "generation": what a sync
//  covers is known by generation. Replay reads every segment in order; a
//  torn or corrupt record (bad length or crc) ends that segment's replay.
//  The live set (PUBs not settled) is handed back in seq order. A segment is
//  deleted once it and every older segment hold no live PUB; when an old
//  segment is pinned by a few live messages, the broker rewrites them into
//  the active segment (journal_compact_candidate, journal_rewrite) so disk
//  use stays bounded by the live data. Seqs start at 1 and continue across
//  restarts: each segment's HEAD carries the next seq.
//
//  Not thread-safe: the broker's one thread owns it (the sync thread only
//  runs fdatasync on descriptors the journal keeps open for it).

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
//  the directory cannot be created or is locked by another process.
journal_t *
    journal_new (const char *dir, uint64_t segment_size, bool sync);

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

//  Write the queued records with writev (one generation), then rotate the
//  active segment if it is full. Returns 0, or -1 if the disk refused them
//  (full): the segment is cut back and the records stay queued for the
//  next call.
int
    journal_write (journal_t *self);

//  Make everything written durable and wait for it, then delete settled
//  segments. Returns 0, or -1 if fdatasync failed: the data may be lost and
//  the caller must stop.
int
    journal_sync (journal_t *self);

//  Start a background sync of everything written so far, unless one is
//  running or nothing is unsynced. With sync off, completes at once.
void
    journal_sync_begin (journal_t *self);
//  True while a background sync runs
bool
    journal_syncing (journal_t *self);
//  A descriptor that becomes readable when a background sync finished
int
    journal_sync_fd (journal_t *self);
//  Collect a finished background sync (call when journal_sync_fd is
//  readable): the generations it covered are durable, settled segments
//  are deleted. Returns 0 (also if it is not finished yet), or -1 if
//  fdatasync failed: the caller must stop.
int
    journal_sync_end (journal_t *self);
//  Generations written so far, and made durable so far
uint64_t
    journal_written_gen (journal_t *self);
uint64_t
    journal_synced_gen (journal_t *self);

//  True if records are queued and not yet written
bool
    journal_unwritten (journal_t *self);
//  True if something written is not yet durable
bool
    journal_unsynced (journal_t *self);

//  The seq the next journal_pub will return
uint64_t
    journal_next_seq (journal_t *self);

//  Fill stats
void
    journal_stats (journal_t *self, journal_stats_t *stats);

#endif
