//  SPDX-License-Identifier: MIT
//  journal - append-only segment journal with group commit (see journal.h)
//
//  Two threads. The broker's thread queues records, seals them into
//  batches (journal_write), keeps the live count of every segment and
//  decides rotation and deletion; it never touches the disk after replay
//  (but for unlinking a settled segment). The writer thread takes sealed
//  batches in order: creates a segment when a batch says so, computes
//  CRCs, writes with writev, and runs fdatasync when asked (at most once
//  per sync interval), then reports the generation it made durable on a
//  pipe. So buffered writes that block in the filesystem (they do, for
//  milliseconds, while another fdatasync commits) never stall the broker.

#include "common.h"
#include "broker/journal.h"
#include "broker/seqmap.h"
#include "broker/crc32c.h"
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/uio.h>

#define HEADER_SIZE     8           //  u32 length + u32 crc
#define HEAD_SIZE       21          //  The HEAD record, all of it
#define MAX_ACK_SEQS    8192        //  Seqs per ACK record
#define SYNC_RING       256         //  Sync durations kept for the median
#define RETRY_US        100000      //  Retry a refused write after

//  One segment file, as the broker's thread sees it
typedef struct {
    uint32_t id;                //  File number
    uint64_t size;              //  Bytes sealed into it
    uint64_t live;              //  PUBs not yet settled
    uint64_t live_bytes;        //  Their payload bytes
    uint64_t head_gen;          //  Batch that creates it (0: durable already)
    uint64_t moved_gen;         //  Batch that holds its last rewrites
    bool moving;                //  Rewrites queued, not yet sealed
} segment_t;

//  One queued record: header and inline body in a buffer, then payload
typedef struct {
    size_t offset;              //  Of the record in the buffer
    size_t size;                //  Header + type + inline body
    zmq_msg_t *payload;         //  Payload that follows, or NULL
} record_t;

typedef VEC (record_t) records_t;

//  A sealed batch on its way to the disk
typedef struct _batch_t batch_t;
struct _batch_t {
    batch_t *next;
    uint64_t gen;               //  Generation: batches are numbered from 1
    uint32_t create;            //  Create this segment first (0: none)
    uint64_t head_seq;          //  Next seq, for its HEAD record
    buf_t bytes;                //  Headers and inline bodies
    records_t records;
};

struct _journal_t {
    char *dir;                  //  Journal directory
    int dirfd;                  //  Open on dir, for fsync after create
    int lockfd;                 //  Holds the flock on dir/lock
    uint64_t segment_size;      //  Rotate after this many bytes
    bool sync;                  //  fdatasync at all (false: benchmarks)
    bool started;               //  Replayed, writer running
    //  The broker's thread
    VEC (segment_t) segments;   //  Oldest first; the last one is active
    uint64_t next_seq;          //  Next seq to assign
    buf_t bytes;                //  Records being queued
    records_t records;
    bool ack_open;              //  Last queued record is an ACK with room
    uint64_t sealed_gen;        //  Batches handed to the writer
    uint64_t synced_gen;        //  Batches known durable
    uint64_t requested_gen;     //  Durability asked for up to here
    uint64_t replayed, rewritten, deleted, torn;
    //  Shared with the writer thread (mutex)
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int notify [2];             //  Pipe: a byte when the writer made progress
    batch_t *queue_head;        //  Sealed batches, oldest first
    batch_t *queue_tail;
    uint64_t want_gen;          //  Sync requested up to here
    uint64_t durable_gen;       //  Synced by the writer
    int64_t sync_interval_us;   //  Between the starts of two syncs
    int fatal;                  //  errno of a failed fdatasync, 0
    bool stop;
    uint64_t syncs, written, errors, sync_max;
    uint32_t sync_us [SYNC_RING];
    size_t sync_count;
    //  The writer thread's own
    int fd;                     //  Active segment file
    VEC (int) closing;          //  Rotated out: sync once more, then close
    bool dir_dirty;             //  A segment was created since the last sync
    uint64_t written_gen;       //  Batches written
    int64_t last_sync_start;    //  Monotonic microseconds
    int64_t retry_at;           //  After a refused write
};

//  ==========================================================================
//  Segments

static char *
s_segment_path (journal_t *self, uint32_t id)
{
    return xasprintf ("%s/%08" PRIu32 ".jnl", self->dir, id);
}

static segment_t *
s_segment_find (journal_t *self, uint32_t id)
{
    size_t lo = 0, hi = self->segments.len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        segment_t *segment = &self->segments.items [mid];
        if (segment->id == id)
            return segment;
        if (segment->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static segment_t *
s_active (journal_t *self)
{
    assert (self->segments.len);
    return &self->segments.items [self->segments.len - 1];
}

//  A message of segment id is settled
static void
s_settle (journal_t *self, uint32_t id, size_t size)
{
    segment_t *segment = s_segment_find (self, id);
    if (!segment || segment->live == 0) {
        zsys_error ("journal: live count of segment %" PRIu32 " is wrong", id);
        return;
    }
    segment->live--;
    segment->live_bytes -= size <= segment->live_bytes ? size : segment->live_bytes;
}

//  Delete the oldest segments while nothing in them is live. Only once the
//  active segment's HEAD is durable (it carries the next seq when every PUB
//  is gone), and a segment only once the rewrites of its last live
//  messages are durable. Oldest first, so an ACK is never lost while the
//  PUB it settles is still on disk.
static void
s_delete_settled (journal_t *self)
{
    if (self->synced_gen < s_active (self)->head_gen)
        return;
    size_t gone = 0;
    while (self->segments.len - gone > 1 && self->segments.items [gone].live == 0
       &&  !self->segments.items [gone].moving
       &&  self->segments.items [gone].moved_gen <= self->synced_gen) {
        char *path = s_segment_path (self, self->segments.items [gone].id);
        if (unlink (path) && errno != ENOENT)
            zsys_warning ("journal: cannot delete %s: %s", path, strerror (errno));
        free (path);
        gone++;
    }
    if (gone) {
        memmove (self->segments.items, self->segments.items + gone,
                 (self->segments.len - gone) * sizeof (segment_t));
        self->segments.len -= gone;
        self->deleted += gone;
    }
}

//  Create segment id holding its HEAD record. Returns the fd or -1.
static int
s_file_create (journal_t *self, uint32_t id, uint64_t next_seq)
{
    char *path = s_segment_path (self, id);
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        zsys_error ("journal: cannot create %s: %s", path, strerror (errno));
        free (path);
        return -1;
    }
    uint8_t record [HEAD_SIZE];
    record [HEADER_SIZE] = JOURNAL_HEAD;
    proto_put_u32 (record + HEADER_SIZE + 1, JOURNAL_FORMAT);
    proto_put_u64 (record + HEADER_SIZE + 5, next_seq);
    proto_put_u32 (record, HEAD_SIZE - HEADER_SIZE);
    proto_put_u32 (record + 4, crc32c_update (0, record + HEADER_SIZE, HEAD_SIZE - HEADER_SIZE));
    if (write (fd, record, HEAD_SIZE) != HEAD_SIZE) {
        zsys_error ("journal: cannot write %s: %s", path, strerror (errno));
        close (fd);
        unlink (path);
        free (path);
        return -1;
    }
    free (path);
    return fd;
}

static void
s_records_free (records_t *records)
{
    for (size_t i = 0; i < records->len; i++)
        if (records->items [i].payload) {
            zmq_msg_close (records->items [i].payload);
            free (records->items [i].payload);
        }
    records->len = 0;
}

static void
s_batch_destroy (batch_t **batch_p)
{
    batch_t *batch = *batch_p;
    if (batch) {
        s_records_free (&batch->records);
        free (batch->records.items);
        buf_free (&batch->bytes);
        free (batch);
        *batch_p = NULL;
    }
}

//  ==========================================================================
//  The writer thread

//  Write one batch: create its segment if it says so, finish the headers
//  (length, crc), writev. On a refused write the file is cut back and -1
//  returned: the batch is tried again later.
static int
s_batch_write (journal_t *self, batch_t *batch)
{
    if (batch->create) {
        int fd = s_file_create (self, batch->create, batch->head_seq);
        if (fd < 0)
            return -1;
        if (self->fd >= 0)
            *vec_push (&self->closing) = self->fd;
        self->fd = fd;
        self->dir_dirty = true;
        batch->create = 0;
    }
    if (batch->records.len == 0)
        return 0;
    uint8_t *bytes = (uint8_t *) batch->bytes.data;
    size_t iov_count = 0;
    struct iovec *iov = (struct iovec *) xmalloc ((batch->records.len * 2 + 1) * sizeof (struct iovec));
    for (size_t i = 0; i < batch->records.len; i++) {
        record_t *record = &batch->records.items [i];
        uint8_t *head = bytes + record->offset;
        size_t inline_size = record->size - HEADER_SIZE;
        uint32_t crc = crc32c_update (0, head + HEADER_SIZE, inline_size);
        size_t payload_size = 0;
        if (record->payload) {
            payload_size = zmq_msg_size (record->payload);
            crc = crc32c_update (crc, zmq_msg_data (record->payload), payload_size);
        }
        proto_put_u32 (head, (uint32_t) (inline_size + payload_size));
        proto_put_u32 (head + 4, crc);
        //  Headers of consecutive records without payload are contiguous
        if (iov_count && !batch->records.items [i - 1].payload
        &&  (uint8_t *) iov [iov_count - 1].iov_base + iov [iov_count - 1].iov_len == head)
            iov [iov_count - 1].iov_len += record->size;
        else {
            iov [iov_count].iov_base = head;
            iov [iov_count].iov_len = record->size;
            iov_count++;
        }
        if (payload_size) {
            iov [iov_count].iov_base = zmq_msg_data (record->payload);
            iov [iov_count].iov_len = payload_size;
            iov_count++;
        }
    }
    off_t start = lseek (self->fd, 0, SEEK_END);
    size_t next = 0;
    int rc = 0;
    while (next < iov_count) {
        int count = iov_count - next < IOV_MAX ? (int) (iov_count - next) : IOV_MAX;
        ssize_t done = writev (self->fd, iov + next, count);
        if (done < 0) {
            if (errno == EINTR)
                continue;
            rc = -1;
            break;
        }
        while (done > 0 && next < iov_count) {
            if ((size_t) done >= iov [next].iov_len) {
                done -= iov [next].iov_len;
                next++;
            }
            else {
                iov [next].iov_base = (uint8_t *) iov [next].iov_base + done;
                iov [next].iov_len -= done;
                done = 0;
            }
        }
    }
    free (iov);
    if (rc) {
        int err = errno;
        if (start >= 0 && ftruncate (self->fd, start))
            zsys_error ("journal: cannot cut back segment: %s", strerror (errno));
        zsys_error ("journal: write failed: %s (%zu records kept for retry)",
                    strerror (err), batch->records.len);
        return -1;
    }
    return 0;
}

static void
s_notify (journal_t *self)
{
    char byte = 1;
    if (write (self->notify [1], &byte, 1) < 0 && errno != EAGAIN)
        zsys_error ("journal: cannot wake the broker: %s", strerror (errno));
}

static void
s_cond_wait_until (journal_t *self, int64_t until_us)
{
    if (until_us <= 0) {
        pthread_cond_wait (&self->cond, &self->mutex);
        return;
    }
    //  The condition variable uses the realtime clock: wait that long
    int64_t delay = until_us - time_mono_usec ();
    if (delay <= 0)
        return;
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    int64_t ns = (int64_t) ts.tv_nsec + (delay % 1000000) * 1000;
    ts.tv_sec += (time_t) (delay / 1000000 + ns / 1000000000);
    ts.tv_nsec = (long) (ns % 1000000000);
    pthread_cond_timedwait (&self->cond, &self->mutex, &ts);
}

static void *
s_writer (void *arg)
{
    journal_t *self = (journal_t *) arg;
    VEC (int) fds = { 0 };
    pthread_mutex_lock (&self->mutex);
    while (true) {
        int64_t now = time_mono_usec ();
        //  Write what is sealed, in order
        if (self->queue_head && now >= self->retry_at) {
            batch_t *batch = self->queue_head;
            pthread_mutex_unlock (&self->mutex);
            int rc = s_batch_write (self, batch);
            pthread_mutex_lock (&self->mutex);
            if (rc) {
                self->errors++;
                self->retry_at = time_mono_usec () + RETRY_US;
                continue;
            }
            self->queue_head = batch->next;
            if (!self->queue_head)
                self->queue_tail = NULL;
            self->written_gen = batch->gen;
            self->written += batch->records.len;
            pthread_mutex_unlock (&self->mutex);
            s_batch_destroy (&batch);
            pthread_mutex_lock (&self->mutex);
            continue;
        }
        //  Then sync, when asked, at most once per interval
        bool due = self->want_gen > self->durable_gen && self->written_gen > self->durable_gen
                && !self->fatal;
        if (due && self->sync && now < self->last_sync_start + self->sync_interval_us) {
            s_cond_wait_until (self, self->last_sync_start + self->sync_interval_us);
            continue;
        }
        if (due) {
            uint64_t gen = self->written_gen;
            size_t closing = self->closing.len;
            bool dir = self->dir_dirty;
            fds.len = 0;
            for (size_t i = 0; i < closing; i++)
                *vec_push (&fds) = self->closing.items [i];
            *vec_push (&fds) = self->fd;
            self->last_sync_start = now;
            pthread_mutex_unlock (&self->mutex);
            int result = 0;
            if (self->sync) {
                for (size_t i = 0; i < fds.len && !result; i++)
                    if (fdatasync (fds.items [i]))
                        result = errno ? errno : EIO;
                if (!result && dir && fsync (self->dirfd))
                    result = errno ? errno : EIO;
            }
            uint64_t us = (uint64_t) (time_mono_usec () - now);
            pthread_mutex_lock (&self->mutex);
            if (result) {
                self->fatal = result;
                self->errors++;
            }
            else {
                if (closing) {
                    for (size_t i = 0; i < closing; i++)
                        close (self->closing.items [i]);
                    memmove (self->closing.items, self->closing.items + closing,
                             (self->closing.len - closing) * sizeof (int));
                    self->closing.len -= closing;
                }
                if (dir)
                    self->dir_dirty = false;
                self->durable_gen = gen;
                if (self->sync) {
                    self->sync_us [self->sync_count++ % SYNC_RING] = us > UINT32_MAX ? UINT32_MAX : (uint32_t) us;
                    if (us > self->sync_max)
                        self->sync_max = us;
                    self->syncs++;
                }
            }
            //  Wake the broker with the lock released: woken while we
            //  held it, its thread would block on it until ours ran again
            pthread_mutex_unlock (&self->mutex);
            s_notify (self);
            pthread_mutex_lock (&self->mutex);
            continue;
        }
        if (self->stop && !self->queue_head)
            break;
        s_cond_wait_until (self, self->queue_head ? self->retry_at : 0);
    }
    pthread_mutex_unlock (&self->mutex);
    free (fds.items);
    return NULL;
}

//  ==========================================================================
//  Life cycle

journal_t *
journal_new (const char *dir, uint64_t segment_size, bool sync)
{
    return journal_new_wait (dir, segment_size, sync, 5000);
}

journal_t *
journal_new_wait (const char *dir, uint64_t segment_size, bool sync, int64_t lock_wait)
{
    assert (dir);
    if (dir_make (dir)) {
        zsys_error ("journal: cannot create %s: %s", dir, strerror (errno));
        return NULL;
    }
    journal_t *self = (journal_t *) xcalloc (1, sizeof (journal_t));
    self->dir = xstrdup (dir);
    self->segment_size = segment_size ? segment_size : 64 * 1024 * 1024;
    self->sync = sync;
    self->fd = -1;
    self->next_seq = 1;
    self->lockfd = -1;
    self->notify [0] = self->notify [1] = -1;
    self->sync_interval_us = 1000;
    buf_init (&self->bytes);
    pthread_mutex_init (&self->mutex, NULL);
    pthread_cond_init (&self->cond, NULL);
    if (pipe2 (self->notify, O_CLOEXEC | O_NONBLOCK)) {
        zsys_error ("journal: cannot create a pipe: %s", strerror (errno));
        journal_destroy (&self);
        return NULL;
    }
    self->dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char *lock = xasprintf ("%s/lock", dir);
    self->lockfd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    free (lock);
    if (self->dirfd < 0 || self->lockfd < 0) {
        zsys_error ("journal: cannot open %s: %s", dir, strerror (errno));
        journal_destroy (&self);
        return NULL;
    }
    //  A broker killed a moment ago may still hold the lock while its last
    //  fdatasync finishes: wait for it a little
    int64_t deadline = zclock_mono () + lock_wait;
    bool told = false;
    while (flock (self->lockfd, LOCK_EX | LOCK_NB)) {
        if (errno == EWOULDBLOCK && zclock_mono () < deadline) {
            if (!told)
                zsys_info ("journal: %s is locked; waiting up to %" PRId64 " ms", dir, lock_wait);
            told = true;
            zclock_sleep (50);
            continue;
        }
        if (errno == EWOULDBLOCK)
            zsys_error ("journal: %s is in use by another broker", dir);
        else
            zsys_error ("journal: cannot lock %s: %s", dir, strerror (errno));
        journal_destroy (&self);
        return NULL;
    }
    return self;
}

void
journal_destroy (journal_t **self_p)
{
    assert (self_p);
    journal_t *self = *self_p;
    if (!self)
        return;
    if (self->started) {
        //  What can be written and synced is; then the writer stops
        journal_sync (self);
        pthread_mutex_lock (&self->mutex);
        self->stop = true;
        pthread_cond_signal (&self->cond);
        pthread_mutex_unlock (&self->mutex);
        pthread_join (self->thread, NULL);
        while (self->queue_head) {
            batch_t *batch = self->queue_head;
            self->queue_head = batch->next;
            s_batch_destroy (&batch);
        }
    }
    if (self->fd >= 0)
        close (self->fd);
    for (size_t i = 0; i < self->closing.len; i++)
        close (self->closing.items [i]);
    free (self->closing.items);
    for (int i = 0; i < 2; i++)
        if (self->notify [i] >= 0)
            close (self->notify [i]);
    pthread_mutex_destroy (&self->mutex);
    pthread_cond_destroy (&self->cond);
    s_records_free (&self->records);
    free (self->records.items);
    buf_free (&self->bytes);
    free (self->segments.items);
    if (self->lockfd >= 0)
        close (self->lockfd);           //  Releases the flock
    if (self->dirfd >= 0)
        close (self->dirfd);
    free (self->dir);
    free (self);
    *self_p = NULL;
}

void
journal_set_sync_interval (journal_t *self, int64_t microseconds)
{
    pthread_mutex_lock (&self->mutex);
    self->sync_interval_us = microseconds > 0 ? microseconds : 0;
    pthread_mutex_unlock (&self->mutex);
}

//  ==========================================================================
//  Replay

//  A live message while replaying
typedef struct {
    uint64_t seq;
    uint32_t attempts;
    uint32_t segment;
    char queue [256];
    zmq_msg_t payload;
} item_t;

static void
s_item_free (item_t *item)
{
    zmq_msg_close (&item->payload);
    free (item);
}

static int
s_compare_ids (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y ? -1 : x > y;
}

static int
s_compare_items (const void *a, const void *b)
{
    uint64_t x = (*(item_t * const *) a)->seq, y = (*(item_t * const *) b)->seq;
    return x < y ? -1 : x > y;
}

//  Apply one record to the live map. Returns -1 if the body is malformed.
static int
s_replay_record (journal_t *self, seqmap_t *live, uint32_t id, uint8_t type,
                 const uint8_t *body, size_t size)
{
    if (type == JOURNAL_HEAD) {
        if (size < 12)
            return -1;
        uint64_t next = proto_get_u64 (body + 4);
        if (next > self->next_seq)
            self->next_seq = next;
    }
    else
    if (type == JOURNAL_PUB) {
        if (size < 13 || size < 13 + (size_t) body [12])
            return -1;
        uint64_t seq = proto_get_u64 (body);
        if (seq == 0)
            return -1;
        size_t qlen = body [12];
        item_t *item = (item_t *) seqmap_get (live, seq);
        if (item)
            zmq_msg_close (&item->payload);
        else {
            item = (item_t *) xcalloc (1, sizeof (item_t));
            item->seq = seq;
            seqmap_put (live, seq, item);
        }
        item->attempts = proto_get_u32 (body + 8);
        item->segment = id;
        memcpy (item->queue, body + 13, qlen);
        item->queue [qlen] = 0;
        size_t payload = size - 13 - qlen;
        zmq_msg_init_size (&item->payload, payload);
        if (payload)
            memcpy (zmq_msg_data (&item->payload), body + 13 + qlen, payload);
        if (seq >= self->next_seq)
            self->next_seq = seq + 1;
    }
    else
    if (type == JOURNAL_ACK) {
        if (size == 0 || size % 8)
            return -1;
        for (size_t i = 0; i < size; i += 8) {
            item_t *item = (item_t *) seqmap_remove (live, proto_get_u64 (body + i));
            if (item)
                s_item_free (item);
        }
    }
    else
    if (type == JOURNAL_DEAD) {
        if (size != 8)
            return -1;
        item_t *item = (item_t *) seqmap_remove (live, proto_get_u64 (body));
        if (item)
            s_item_free (item);
    }
    else
    if (type == JOURNAL_RETRY) {
        if (size != 12)
            return -1;
        item_t *item = (item_t *) seqmap_get (live, proto_get_u64 (body));
        if (item)
            item->attempts = proto_get_u32 (body + 8);
    }
    //  Unknown types are skipped: a newer broker may add some
    return 0;
}

//  Replay one segment file into the live map; returns its size on disk
static uint64_t
s_replay_segment (journal_t *self, seqmap_t *live, uint32_t id)
{
    char *path = s_segment_path (self, id);
    FILE *file = fopen (path, "rb");
    if (!file) {
        zsys_warning ("journal: cannot read %s: %s", path, strerror (errno));
        free (path);
        return 0;
    }
    struct stat st;
    uint64_t file_size = fstat (fileno (file), &st) == 0 ? (uint64_t) st.st_size : 0;
    uint64_t offset = 0;
    uint8_t *body = NULL;
    size_t body_cap = 0;
    size_t records = 0;
    const char *problem = NULL;
    while (offset < file_size) {
        uint8_t header [HEADER_SIZE];
        if (file_size - offset < HEADER_SIZE + 1) {
            problem = "torn header";
            break;
        }
        if (fread (header, 1, HEADER_SIZE, file) != HEADER_SIZE) {
            problem = "read error";
            break;
        }
        uint32_t length = proto_get_u32 (header);
        uint32_t crc = proto_get_u32 (header + 4);
        if (length == 0 || length > file_size - offset - HEADER_SIZE) {
            problem = "bad length";
            break;
        }
        if (length > body_cap) {
            body_cap = length;
            body = (uint8_t *) xrealloc (body, body_cap);
        }
        if (fread (body, 1, length, file) != length) {
            problem = "read error";
            break;
        }
        if (crc32c_update (0, body, length) != crc) {
            problem = "bad crc";
            break;
        }
        if (s_replay_record (self, live, id, body [0], body + 1, length - 1)) {
            problem = "malformed record";
            break;
        }
        offset += HEADER_SIZE + length;
        records++;
    }
    if (problem) {
        self->torn++;
        zsys_warning ("journal: %s: %s at byte %" PRIu64 " after %zu records;"
                      " the rest of the segment is ignored",
                      path, problem, offset, records);
    }
    free (body);
    fclose (file);
    free (path);
    return file_size;
}

//  --------------------------------------------------------------------------
//  Replay every segment, hand back the live messages, start a new segment
//  and the writer

int
journal_replay (journal_t *self, journal_replay_fn *fn, void *arg)
{
    assert (!self->started && self->segments.len == 0);
    //  Segment ids in order
    VEC (uint32_t) ids = { 0 };
    DIR *dir = opendir (self->dir);
    if (dir) {
        struct dirent *ent;
        while ((ent = readdir (dir))) {
            const char *name = ent->d_name;
            size_t digits = strspn (name, "0123456789");
            if (digits == 0 || digits > 10 || strcmp (name + digits, ".jnl") != 0)
                continue;
            unsigned long long id = strtoull (name, NULL, 10);
            if (id == 0 || id > UINT32_MAX - 1)
                continue;
            *vec_push (&ids) = (uint32_t) id;
        }
        closedir (dir);
    }
    if (ids.len)
        qsort (ids.items, ids.len, sizeof (uint32_t), s_compare_ids);

    seqmap_t *live = seqmap_new ();
    for (size_t i = 0; i < ids.len; i++) {
        uint64_t size = s_replay_segment (self, live, ids.items [i]);
        segment_t *segment = vec_push (&self->segments);
        segment->id = ids.items [i];
        segment->size = size;
    }
    //  Hand the live messages back in seq order
    size_t count = seqmap_size (live);
    item_t **items = (item_t **) xmalloc ((count + 1) * sizeof (item_t *));
    size_t cursor = 0, n = 0;
    item_t *item;
    while ((item = (item_t *) seqmap_next (live, &cursor, NULL)))
        items [n++] = item;
    if (n)
        qsort (items, n, sizeof (item_t *), s_compare_items);
    for (size_t i = 0; i < n; i++) {
        item = items [i];
        segment_t *segment = s_segment_find (self, item->segment);
        assert (segment);
        segment->live++;
        segment->live_bytes += zmq_msg_size (&item->payload);
        if (fn)
            fn (arg, item->seq, item->queue, item->attempts, &item->payload, item->segment);
        s_item_free (item);
    }
    free (items);
    seqmap_destroy (&live);
    self->replayed = n;

    //  A new active segment, durable (file, HEAD, directory) before any
    //  settled segment is deleted
    uint32_t next_id = ids.len ? ids.items [ids.len - 1] + 1 : 1;
    free (ids.items);
    self->fd = s_file_create (self, next_id, self->next_seq);
    if (self->fd < 0)
        return -1;
    if (self->sync && (fdatasync (self->fd) || fsync (self->dirfd))) {
        zsys_error ("journal: cannot sync %s: %s", self->dir, strerror (errno));
        return -1;
    }
    segment_t *segment = vec_push (&self->segments);
    segment->id = next_id;
    segment->size = HEAD_SIZE;
    s_delete_settled (self);
    if (pthread_create (&self->thread, NULL, s_writer, self)) {
        zsys_error ("journal: cannot start the writer thread");
        return -1;
    }
    self->started = true;
    return 0;
}

//  ==========================================================================
//  Records

//  Start a record of type with room for body bytes of inline body;
//  returns a pointer to the inline body.
static uint8_t *
s_record_start (journal_t *self, uint8_t type, size_t body, zmq_msg_t *payload)
{
    record_t *record = vec_push (&self->records);
    record->offset = self->bytes.size;
    record->size = HEADER_SIZE + 1 + body;
    buf_reserve (&self->bytes, record->size);
    uint8_t *p = (uint8_t *) self->bytes.data + self->bytes.size;
    self->bytes.size += record->size;
    p [HEADER_SIZE] = type;
    if (payload) {
        record->payload = (zmq_msg_t *) xmalloc (sizeof (zmq_msg_t));
        zmq_msg_init (record->payload);
        zmq_msg_copy (record->payload, payload);
    }
    self->ack_open = false;
    return p + HEADER_SIZE + 1;
}

static void
s_record_pub (journal_t *self, uint64_t seq, const char *queue, uint32_t attempts,
              zmq_msg_t *payload)
{
    size_t qlen = strlen (queue);
    assert (qlen < 256);
    uint8_t *body = s_record_start (self, JOURNAL_PUB, 13 + qlen, payload);
    proto_put_u64 (body, seq);
    proto_put_u32 (body + 8, attempts);
    body [12] = (uint8_t) qlen;
    memcpy (body + 13, queue, qlen);
}

uint64_t
journal_pub (journal_t *self, const char *queue, uint32_t attempts,
             zmq_msg_t *payload, uint32_t *segment)
{
    assert (self->started);
    uint64_t seq = self->next_seq++;
    s_record_pub (self, seq, queue, attempts, payload);
    segment_t *active = s_active (self);
    active->live++;
    active->live_bytes += zmq_msg_size (payload);
    *segment = active->id;
    return seq;
}

void
journal_ack (journal_t *self, uint64_t seq, uint32_t segment, size_t size)
{
    assert (self->started);
    if (self->ack_open) {
        record_t *record = &self->records.items [self->records.len - 1];
        buf_reserve (&self->bytes, 8);
        proto_put_u64 ((uint8_t *) self->bytes.data + self->bytes.size, seq);
        self->bytes.size += 8;
        record->size += 8;
        if ((record->size - HEADER_SIZE - 1) / 8 >= MAX_ACK_SEQS)
            self->ack_open = false;
    }
    else {
        proto_put_u64 (s_record_start (self, JOURNAL_ACK, 8, NULL), seq);
        self->ack_open = true;
    }
    s_settle (self, segment, size);
}

void
journal_dead (journal_t *self, uint64_t seq, uint32_t segment, size_t size)
{
    assert (self->started);
    proto_put_u64 (s_record_start (self, JOURNAL_DEAD, 8, NULL), seq);
    s_settle (self, segment, size);
}

void
journal_retry (journal_t *self, uint64_t seq, uint32_t attempts)
{
    assert (self->started);
    uint8_t *body = s_record_start (self, JOURNAL_RETRY, 12, NULL);
    proto_put_u64 (body, seq);
    proto_put_u32 (body + 8, attempts);
}

uint32_t
journal_compact_candidate (journal_t *self)
{
    if (self->segments.len < 3)
        return 0;
    segment_t *oldest = &self->segments.items [0];
    if (oldest->live > 0 && oldest->live_bytes * 2 < oldest->size)
        return oldest->id;
    return 0;
}

void
journal_rewrite (journal_t *self, uint64_t seq, const char *queue,
                 uint32_t attempts, zmq_msg_t *payload, uint32_t *segment)
{
    assert (self->started);
    segment_t *active = s_active (self);
    if (*segment == active->id)
        return;
    size_t size = zmq_msg_size (payload);
    s_settle (self, *segment, size);
    segment_t *old = s_segment_find (self, *segment);
    if (old)
        old->moving = true;
    s_record_pub (self, seq, queue, attempts, payload);
    active = s_active (self);
    active->live++;
    active->live_bytes += size;
    *segment = active->id;
    self->rewritten++;
}

//  ==========================================================================
//  Sealing and syncing

//  Hand a batch to the writer
static void
s_seal (journal_t *self, uint32_t create)
{
    batch_t *batch = (batch_t *) xcalloc (1, sizeof (batch_t));
    batch->gen = ++self->sealed_gen;
    batch->create = create;
    batch->head_seq = self->next_seq;
    batch->bytes = self->bytes;
    buf_init (&self->bytes);
    batch->records = self->records;
    memset (&self->records, 0, sizeof self->records);
    self->ack_open = false;
    pthread_mutex_lock (&self->mutex);
    if (self->queue_tail)
        self->queue_tail->next = batch;
    else
        self->queue_head = batch;
    self->queue_tail = batch;
    pthread_cond_signal (&self->cond);
    pthread_mutex_unlock (&self->mutex);
}

int
journal_write (journal_t *self)
{
    assert (self->started);
    if (self->records.len == 0)
        return 0;
    uint64_t total = 0;
    for (size_t i = 0; i < self->records.len; i++) {
        record_t *record = &self->records.items [i];
        total += record->size + (record->payload ? zmq_msg_size (record->payload) : 0);
    }
    s_seal (self, 0);
    for (size_t i = 0; i < self->segments.len; i++)
        if (self->segments.items [i].moving) {
            self->segments.items [i].moving = false;
            self->segments.items [i].moved_gen = self->sealed_gen;
        }
    //  A full segment is rotated out: the next batch goes to a new one,
    //  whose creation is a batch of its own
    segment_t *active = s_active (self);
    active->size += total;
    if (active->size >= self->segment_size) {
        uint32_t id = active->id + 1;
        s_seal (self, id);
        segment_t *segment = vec_push (&self->segments);
        segment->id = id;
        segment->size = HEAD_SIZE;
        segment->head_gen = self->sealed_gen;
    }
    return 0;
}

bool
journal_unwritten (journal_t *self)
{
    return self->records.len > 0;
}

bool
journal_unsynced (journal_t *self)
{
    return self->synced_gen < self->sealed_gen;
}

void
journal_sync_begin (journal_t *self)
{
    if (self->requested_gen >= self->sealed_gen)
        return;
    self->requested_gen = self->sealed_gen;
    pthread_mutex_lock (&self->mutex);
    self->want_gen = self->requested_gen;
    pthread_cond_signal (&self->cond);
    pthread_mutex_unlock (&self->mutex);
}

bool
journal_syncing (journal_t *self)
{
    return self->synced_gen < self->requested_gen;
}

int
journal_sync_fd (journal_t *self)
{
    return self->notify [0];
}

int
journal_sync_end (journal_t *self)
{
    char bytes [64];
    while (read (self->notify [0], bytes, sizeof bytes) == (ssize_t) sizeof bytes)
        ;
    pthread_mutex_lock (&self->mutex);
    uint64_t durable = self->durable_gen;
    int fatal = self->fatal;
    pthread_mutex_unlock (&self->mutex);
    if (fatal) {
        zsys_error ("journal: fdatasync failed: %s", strerror (fatal));
        return -1;
    }
    if (durable > self->synced_gen) {
        self->synced_gen = durable;
        s_delete_settled (self);
    }
    return 0;
}

uint64_t
journal_written_gen (journal_t *self)
{
    return self->sealed_gen;
}

uint64_t
journal_synced_gen (journal_t *self)
{
    return self->synced_gen;
}

int
journal_sync (journal_t *self)
{
    assert (self->started);
    journal_write (self);
    journal_sync_begin (self);
    //  A full disk makes the writer retry: give up after 30 s of that
    int64_t deadline = time_mono_usec () + 30 * 1000000;
    while (self->synced_gen < self->sealed_gen) {
        struct pollfd item = { self->notify [0], POLLIN, 0 };
        poll (&item, 1, 100);
        uint64_t before = self->synced_gen;
        if (journal_sync_end (self))
            return -1;
        if (self->synced_gen > before)
            deadline = time_mono_usec () + 30 * 1000000;
        else
        if (time_mono_usec () > deadline) {
            zsys_error ("journal: %s cannot be made durable (disk full?)", self->dir);
            return -1;
        }
    }
    return 0;
}

uint64_t
journal_next_seq (journal_t *self)
{
    return self->next_seq;
}

static int
s_compare_u32 (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y ? -1 : x > y;
}

void
journal_stats (journal_t *self, journal_stats_t *stats)
{
    memset (stats, 0, sizeof *stats);
    stats->segments = self->segments.len;
    for (size_t i = 0; i < self->segments.len; i++)
        stats->bytes += self->segments.items [i].size;
    stats->replayed = self->replayed;
    stats->rewritten = self->rewritten;
    stats->deleted = self->deleted;
    stats->torn = self->torn;
    pthread_mutex_lock (&self->mutex);
    stats->syncs = self->syncs;
    size_t n = self->sync_count < SYNC_RING ? self->sync_count : SYNC_RING;
    uint32_t sorted [SYNC_RING];
    memcpy (sorted, self->sync_us, n * sizeof (uint32_t));
    stats->sync_us_max = self->sync_max;
    stats->records = self->written;
    stats->errors = self->errors;
    pthread_mutex_unlock (&self->mutex);
    if (n) {
        qsort (sorted, n, sizeof (uint32_t), s_compare_u32);
        stats->sync_us_p50 = sorted [n / 2];
    }
}
