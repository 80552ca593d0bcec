//  SPDX-License-Identifier: MIT
//  deadlog - the dead-letter log, <home>/dead/dead.log
//
//  An append-only file of dead-letter records (common/deadletter.h), each
//  framed as [u32 length][u32 crc32][msgpack record], integers big-endian,
//  crc32 (zlib) over the record. The broker appends the dead letters it
//  makes (max attempts, REJECT) and those workers publish to the "dead"
//  queue, and syncs them with its group commit before the journal records
//  that settle the messages. Records are never deleted by the broker.
//
//  Writer: deadlog_new / deadlog_append / deadlog_commit. Reader (for
//  `copydesk dead` and tests): deadlog_open / deadlog_next / deadlog_close.

#ifndef COPYDESK_DEADLOG_H
#define COPYDESK_DEADLOG_H

//  Largest record a reader accepts (a dead letter keeps at most 16 MB raw)
#define DEADLOG_MAX_RECORD (64 * 1024 * 1024)

typedef struct _deadlog_t deadlog_t;
typedef struct _deadlog_reader_t deadlog_reader_t;

//  Open (create) the log at path for appending; its folder is created if
//  needed. Counts the records already there. A torn or corrupt tail (a
//  crash in the middle of an append) is cut off and kept in <path>.torn.
//  sync: false skips fdatasync (benchmarks only). NULL with a logged
//  reason if the file cannot be opened.
deadlog_t *
    deadlog_new (const char *path, bool sync);

//  Commit what is queued, close, nullify. Safe on NULL.
void
    deadlog_destroy (deadlog_t **self_p);

//  Queue one encoded dead-letter record (copied).
void
    deadlog_append (deadlog_t *self, const void *record, size_t size);

//  Write and fdatasync the queued records. Returns 0, or -1 if the disk
//  refused them: the file is cut back and they stay queued for a retry.
int
    deadlog_commit (deadlog_t *self);

//  True if records are queued and not yet committed
bool
    deadlog_pending (deadlog_t *self);

//  Records in the log, committed or queued
uint64_t
    deadlog_total (deadlog_t *self);

//  --------------------------------------------------------------------------
//  Reader

//  Open a dead-letter log for reading. NULL with errno if it cannot be
//  opened (ENOENT: no dead letters yet).
deadlog_reader_t *
    deadlog_open (const char *path);

//  The next dead letter (caller owns it), or NULL at the end of the log.
//  Records that are framed correctly but do not decode are skipped and
//  counted; a torn or corrupt frame ends the reading (deadlog_error says why).
deadletter_t *
    deadlog_next (deadlog_reader_t *self);

//  Why reading stopped early, or NULL if it reached the clean end
const char *
    deadlog_error (deadlog_reader_t *self);

//  Records skipped because they did not decode
size_t
    deadlog_skipped (deadlog_reader_t *self);

//  Close and nullify. Safe on NULL.
void
    deadlog_close (deadlog_reader_t **self_p);

#endif
