//  SPDX-License-Identifier: MIT
//  journal - append-only segment journal with group commit (see journal.h)

#include "common.h"
#include "broker/journal.h"
#include "broker/seqmap.h"
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/uio.h>

#define HEADER_SIZE     8           //  u32 length + u32 crc
#define MAX_ACK_SEQS    8192        //  Seqs per ACK record
#define SYNC_RING       256         //  Sync durations kept for the median

//  One segment file
typedef struct {
    uint32_t id;                //  File number
    uint64_t size;              //  Bytes in the file
    uint64_t live;              //  PUBs not yet settled
    uint64_t live_bytes;        //  Their payload bytes
    uint64_t head_gen;          //  Write generation of its HEAD record
    uint64_t moved_gen;         //  Generation that wrote its last rewrites
    bool moving;                //  Rewrites queued, not yet written
} segment_t;

//  One queued record: header and inline body in self->batch, then payload
typedef struct {
    size_t offset;              //  Of the record in self->batch
    size_t size;                //  Header + type + inline body
    zmq_msg_t *payload;         //  Payload that follows, or NULL
} record_t;

struct _journal_t {
    char *dir;                  //  Journal directory
    int dirfd;                  //  Open on dir, for fsync after create/unlink
    int lockfd;                 //  Holds the flock on dir/lock
    uint64_t segment_size;      //  Rotate after this many bytes
    bool sync;                  //  fdatasync at all (false: benchmarks)
    VEC (segment_t) segments;   //  Oldest first; the last one is active
    int fd;                     //  Active segment, -1 before replay
    uint64_t next_seq;          //  Next seq to assign
    buf_t batch;                //  Queued headers and inline bodies
    VEC (record_t) records;     //  Queued records
    bool ack_open;              //  Last queued record is an ACK with room
    uint64_t written_gen;       //  Writes so far (each journal_write is one)
    uint64_t synced_gen;        //  Writes made durable
    VEC (int) closing;          //  Rotated-out segments: sync once more, close
    bool dir_dirty;             //  A segment was created since the last sync
    //  Background sync: one thread runs fdatasync so the broker never waits
    bool thread_started;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int notify [2];             //  Pipe: a byte when a sync finished
    bool in_flight;             //  A sync is running
    uint64_t in_flight_gen;     //  written_gen when it started
    size_t in_flight_closing;   //  Closing fds it covers (the first n)
    bool in_flight_dir;         //  It covers the directory
    VEC (int) request;          //  Fds to sync (mutex)
    bool request_dir;           //  Also fsync the directory (mutex)
    bool requested;             //  (mutex)
    bool done;                  //  (mutex)
    bool stop;                  //  (mutex)
    int result;                 //  errno of a failed sync, 0 (mutex)
    uint64_t result_us;         //  Its duration (mutex)
    //  Statistics
    uint64_t syncs;
    uint64_t replayed;
    uint64_t written;
    uint64_t rewritten;
    uint64_t deleted;
    uint64_t errors;
    uint64_t torn;
    uint32_t sync_us [SYNC_RING];
    size_t sync_count;
    uint64_t sync_max;
};

//  --------------------------------------------------------------------------
//  CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of
//  iSCSI, ext4 and LevelDB. With SSE 4.2 the crc32 instruction runs three
//  independent lanes over three blocks, which are then combined by
//  "shifting" a lane's value over the zero bytes that follow it (a linear
//  map, done with tables): a 4 KB payload costs about a third of a single
//  lane, a fifth of zlib's crc32. Without SSE 4.2, a byte table.

#define CRC_POLY    0x82F63B78u
#define CRC_LANE    680             //  Bytes per lane per round (multiple of 8)

static uint32_t s_crc_table [256];          //  One byte
static uint32_t s_crc_shift1 [4][256];      //  Over CRC_LANE zero bytes
static uint32_t s_crc_shift2 [4][256];      //  Over 2 * CRC_LANE zero bytes
static int s_crc_hardware = -1;             //  -1: not set up yet

//  The raw register after feeding n zero bytes
static uint32_t
s_crc_zeros (uint32_t crc, size_t n)
{
    while (n--)
        crc = s_crc_table [crc & 0xff] ^ (crc >> 8);
    return crc;
}

//  Tables for "feed n zero bytes" as a linear map of the 32-bit register
static void
s_crc_shift_table (uint32_t table [4][256], size_t n)
{
    uint32_t basis [32];
    for (int bit = 0; bit < 32; bit++)
        basis [bit] = s_crc_zeros (1u << bit, n);
    for (int k = 0; k < 4; k++)
        for (int v = 0; v < 256; v++) {
            uint32_t value = 0;
            for (int bit = 0; bit < 8; bit++)
                if (v & (1 << bit))
                    value ^= basis [k * 8 + bit];
            table [k][v] = value;
        }
}

static inline uint32_t
s_crc_shift (uint32_t table [4][256], uint32_t crc)
{
    return table [0][crc & 0xff] ^ table [1][(crc >> 8) & 0xff]
         ^ table [2][(crc >> 16) & 0xff] ^ table [3][crc >> 24];
}

static void
s_crc_setup (void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ CRC_POLY : c >> 1;
        s_crc_table [i] = c;
    }
    s_crc_shift_table (s_crc_shift1, CRC_LANE);
    s_crc_shift_table (s_crc_shift2, 2 * CRC_LANE);
#if defined (__x86_64__)
    s_crc_hardware = __builtin_cpu_supports ("sse4.2") ? 1 : 0;
#else
    s_crc_hardware = 0;
#endif
}

static uint32_t
s_crc32c_table (uint32_t crc, const uint8_t *data, size_t size)
{
    while (size--)
        crc = s_crc_table [(crc ^ *data++) & 0xff] ^ (crc >> 8);
    return crc;
}

#if defined (__x86_64__)
__attribute__ ((target ("sse4.2")))
static uint32_t
s_crc32c_sse42 (uint32_t crc, const uint8_t *data, size_t size)
{
    uint64_t c = crc;
    while (size && ((uintptr_t) data & 7)) {
        c = __builtin_ia32_crc32qi ((uint32_t) c, *data++);
        size--;
    }
    while (size >= 3 * CRC_LANE) {
        uint64_t a = c, b = 0, d = 0;
        const uint8_t *p = data;
        for (size_t i = 0; i < CRC_LANE; i += 8) {
            uint64_t wa, wb, wd;
            memcpy (&wa, p + i, 8);
            memcpy (&wb, p + CRC_LANE + i, 8);
            memcpy (&wd, p + 2 * CRC_LANE + i, 8);
            a = __builtin_ia32_crc32di (a, wa);
            b = __builtin_ia32_crc32di (b, wb);
            d = __builtin_ia32_crc32di (d, wd);
        }
        c = s_crc_shift (s_crc_shift2, (uint32_t) a)
          ^ s_crc_shift (s_crc_shift1, (uint32_t) b) ^ (uint32_t) d;
        data += 3 * CRC_LANE;
        size -= 3 * CRC_LANE;
    }
    while (size >= 8) {
        uint64_t word;
        memcpy (&word, data, 8);
        c = __builtin_ia32_crc32di (c, word);
        data += 8;
        size -= 8;
    }
    while (size--)
        c = __builtin_ia32_crc32qi ((uint32_t) c, *data++);
    return (uint32_t) c;
}
#endif

//  Continue a CRC-32C over more bytes; start with crc = 0
static uint32_t
s_crc32c (uint32_t crc, const void *data, size_t size)
{
    if (s_crc_hardware < 0)
        s_crc_setup ();             //  Once, from the broker's one thread
    crc = ~crc;
#if defined (__x86_64__)
    if (s_crc_hardware)
        return ~s_crc32c_sse42 (crc, (const uint8_t *) data, size);
#endif
    return ~s_crc32c_table (crc, (const uint8_t *) data, size);
}

//  --------------------------------------------------------------------------
//  Segment helpers

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

//  Create segment id with its HEAD record, synced, and make it active
static int
s_segment_create (journal_t *self, uint32_t id)
{
    char *path = s_segment_path (self, id);
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        zsys_error ("journal: cannot create %s: %s", path, strerror (errno));
        free (path);
        return -1;
    }
    uint8_t record [HEADER_SIZE + 1 + 12];
    record [HEADER_SIZE] = JOURNAL_HEAD;
    proto_put_u32 (record + HEADER_SIZE + 1, JOURNAL_FORMAT);
    proto_put_u64 (record + HEADER_SIZE + 5, self->next_seq);
    proto_put_u32 (record, 13);
    proto_put_u32 (record + 4, s_crc32c (0, record + HEADER_SIZE, 13));
    if (write (fd, record, sizeof record) != (ssize_t) sizeof record) {
        zsys_error ("journal: cannot write %s: %s", path, strerror (errno));
        close (fd);
        unlink (path);
        free (path);
        return -1;
    }
    free (path);
    //  The old active segment is synced once more, then closed
    if (self->fd >= 0)
        *vec_push (&self->closing) = self->fd;
    self->fd = fd;
    self->dir_dirty = true;
    segment_t *segment = vec_push (&self->segments);
    segment->id = id;
    segment->size = sizeof record;
    segment->head_gen = ++self->written_gen;
    return 0;
}

//  Delete the oldest segments while nothing in them is live. Only once the
//  active segment's HEAD is durable (it carries the next seq when every PUB
//  is gone), and a segment only once the rewrites of its last live
//  messages are durable.
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

//  --------------------------------------------------------------------------
//  The sync thread: fdatasync what it is asked to, then say so on the pipe

static void *
s_sync_thread (void *arg)
{
    journal_t *self = (journal_t *) arg;
    VEC (int) fds = { 0 };
    pthread_mutex_lock (&self->mutex);
    while (true) {
        while (!self->requested && !self->stop)
            pthread_cond_wait (&self->cond, &self->mutex);
        if (self->stop)
            break;
        fds.len = 0;
        for (size_t i = 0; i < self->request.len; i++)
            *vec_push (&fds) = self->request.items [i];
        bool dir = self->request_dir;
        self->requested = false;
        pthread_mutex_unlock (&self->mutex);

        int64_t start = time_mono_usec ();
        int result = 0;
        for (size_t i = 0; i < fds.len && !result; i++)
            if (fdatasync (fds.items [i]))
                result = errno ? errno : EIO;
        if (!result && dir && fsync (self->dirfd))
            result = errno ? errno : EIO;
        uint64_t us = (uint64_t) (time_mono_usec () - start);

        pthread_mutex_lock (&self->mutex);
        self->done = true;
        self->result = result;
        self->result_us = us;
        pthread_mutex_unlock (&self->mutex);
        char byte = 1;
        if (write (self->notify [1], &byte, 1) < 0 && errno != EAGAIN)
            zsys_error ("journal: cannot wake the broker: %s", strerror (errno));
        pthread_mutex_lock (&self->mutex);
    }
    pthread_mutex_unlock (&self->mutex);
    free (fds.items);
    return NULL;
}

//  After a sync of everything written up to gen: close what was rotated
//  out and covered by the sync, delete settled segments
static void
s_synced (journal_t *self, uint64_t gen, size_t closing, bool dir)
{
    self->synced_gen = gen;
    if (closing) {
        for (size_t i = 0; i < closing; i++)
            close (self->closing.items [i]);
        memmove (self->closing.items, self->closing.items + closing,
                 (self->closing.len - closing) * sizeof (int));
        self->closing.len -= closing;
    }
    if (dir)
        self->dir_dirty = false;
    s_delete_settled (self);
}

//  --------------------------------------------------------------------------
//  Open the journal directory and lock it

journal_t *
journal_new (const char *dir, uint64_t segment_size, bool sync)
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
    buf_init (&self->batch);
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
    if (flock (self->lockfd, LOCK_EX | LOCK_NB)) {
        if (errno == EWOULDBLOCK)
            zsys_error ("journal: %s is in use by another broker", dir);
        else
            zsys_error ("journal: cannot lock %s: %s", dir, strerror (errno));
        journal_destroy (&self);
        return NULL;
    }
    return self;
}

//  --------------------------------------------------------------------------
//  Flush, close and unlock

void
journal_destroy (journal_t **self_p)
{
    assert (self_p);
    journal_t *self = *self_p;
    if (!self)
        return;
    if (self->fd >= 0) {
        //  What cannot be written stays unaccepted; a running sync is
        //  waited for before its descriptors close
        journal_write (self);
        journal_sync (self);
        close (self->fd);
    }
    if (self->thread_started) {
        pthread_mutex_lock (&self->mutex);
        self->stop = true;
        pthread_cond_signal (&self->cond);
        pthread_mutex_unlock (&self->mutex);
        pthread_join (self->thread, NULL);
    }
    for (size_t i = 0; i < self->closing.len; i++)
        close (self->closing.items [i]);
    free (self->closing.items);
    free (self->request.items);
    for (int i = 0; i < 2; i++)
        if (self->notify [i] >= 0)
            close (self->notify [i]);
    pthread_mutex_destroy (&self->mutex);
    pthread_cond_destroy (&self->cond);
    for (size_t i = 0; i < self->records.len; i++)
        if (self->records.items [i].payload) {
            zmq_msg_close (self->records.items [i].payload);
            free (self->records.items [i].payload);
        }
    free (self->records.items);
    buf_free (&self->batch);
    free (self->segments.items);
    if (self->lockfd >= 0)
        close (self->lockfd);           //  Releases the flock
    if (self->dirfd >= 0)
        close (self->dirfd);
    free (self->dir);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
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
        if (s_crc32c (0, body, length) != crc) {
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

int
journal_replay (journal_t *self, journal_replay_fn *fn, void *arg)
{
    assert (self->fd < 0 && self->segments.len == 0);
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

    uint32_t next_id = ids.len ? ids.items [ids.len - 1] + 1 : 1;
    free (ids.items);
    if (s_segment_create (self, next_id))
        return -1;
    //  The new HEAD is durable before settled segments go
    return journal_sync (self);
}

//  --------------------------------------------------------------------------
//  Queue records

//  Start a record of type with room for body bytes of inline body;
//  returns a pointer to the inline body.
static uint8_t *
s_record_start (journal_t *self, uint8_t type, size_t body, zmq_msg_t *payload)
{
    record_t *record = vec_push (&self->records);
    record->offset = self->batch.size;
    record->size = HEADER_SIZE + 1 + body;
    buf_reserve (&self->batch, record->size);
    uint8_t *p = (uint8_t *) self->batch.data + self->batch.size;
    self->batch.size += record->size;
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
    assert (self->fd >= 0);
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
    assert (self->fd >= 0);
    if (self->ack_open) {
        record_t *record = &self->records.items [self->records.len - 1];
        buf_reserve (&self->batch, 8);
        proto_put_u64 ((uint8_t *) self->batch.data + self->batch.size, seq);
        self->batch.size += 8;
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
    assert (self->fd >= 0);
    proto_put_u64 (s_record_start (self, JOURNAL_DEAD, 8, NULL), seq);
    s_settle (self, segment, size);
}

void
journal_retry (journal_t *self, uint64_t seq, uint32_t attempts)
{
    assert (self->fd >= 0);
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
    assert (self->fd >= 0);
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

//  --------------------------------------------------------------------------
//  Write the queued records: finish each header (length, crc), then writev

int
journal_write (journal_t *self)
{
    if (self->records.len == 0)
        return 0;
    assert (self->fd >= 0);
    uint8_t *batch = (uint8_t *) self->batch.data;
    size_t iov_count = 0;
    size_t iov_cap = self->records.len * 2 + 1;
    struct iovec *iov = (struct iovec *) xmalloc (iov_cap * sizeof (struct iovec));
    uint64_t total = 0;
    for (size_t i = 0; i < self->records.len; i++) {
        record_t *record = &self->records.items [i];
        uint8_t *head = batch + record->offset;
        size_t inline_size = record->size - HEADER_SIZE;
        uint32_t crc = s_crc32c (0, head + HEADER_SIZE, inline_size);
        size_t payload_size = 0;
        if (record->payload) {
            payload_size = zmq_msg_size (record->payload);
            crc = s_crc32c (crc, zmq_msg_data (record->payload), payload_size);
        }
        proto_put_u32 (head, (uint32_t) (inline_size + payload_size));
        proto_put_u32 (head + 4, crc);
        //  Headers of consecutive records without payload are contiguous
        if (iov_count && !self->records.items [i - 1].payload
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
        total += record->size + payload_size;
    }
    //  writev at most IOV_MAX pieces at a time; resume after short writes
    segment_t *active = s_active (self);
    uint64_t start = active->size;
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
        self->errors++;
        if (ftruncate (self->fd, (off_t) start))
            zsys_error ("journal: cannot cut back segment: %s", strerror (errno));
        zsys_error ("journal: write failed: %s (%zu records kept for retry)",
                    strerror (err), self->records.len);
        errno = err;
        return -1;
    }
    active->size = start + total;
    self->written += self->records.len;
    for (size_t i = 0; i < self->records.len; i++)
        if (self->records.items [i].payload) {
            zmq_msg_close (self->records.items [i].payload);
            free (self->records.items [i].payload);
        }
    self->records.len = 0;
    buf_clear (&self->batch);
    self->ack_open = false;
    self->written_gen++;
    for (size_t i = 0; i < self->segments.len; i++)
        if (self->segments.items [i].moving) {
            self->segments.items [i].moving = false;
            self->segments.items [i].moved_gen = self->written_gen;
        }
    //  A full segment is rotated out here, with nothing queued: queued
    //  records are counted live in the active segment
    if (active->size >= self->segment_size)
        s_segment_create (self, active->id + 1);    //  On failure: keep writing here
    return 0;
}

//  --------------------------------------------------------------------------
//  Sync

static void
s_sync_record (journal_t *self, uint64_t us)
{
    self->sync_us [self->sync_count++ % SYNC_RING] = us > UINT32_MAX ? UINT32_MAX : (uint32_t) us;
    if (us > self->sync_max)
        self->sync_max = us;
    self->syncs++;
}

bool
journal_unsynced (journal_t *self)
{
    return self->written_gen > self->synced_gen || self->closing.len || self->dir_dirty;
}

void
journal_sync_begin (journal_t *self)
{
    if (self->in_flight || !journal_unsynced (self))
        return;
    if (!self->sync) {
        s_synced (self, self->written_gen, self->closing.len, true);
        return;
    }
    if (!self->thread_started) {
        if (pthread_create (&self->thread, NULL, s_sync_thread, self)) {
            zsys_error ("journal: cannot start the sync thread");
            return;
        }
        self->thread_started = true;
    }
    pthread_mutex_lock (&self->mutex);
    self->request.len = 0;
    for (size_t i = 0; i < self->closing.len; i++)
        *vec_push (&self->request) = self->closing.items [i];
    *vec_push (&self->request) = self->fd;
    self->request_dir = self->dir_dirty;
    self->requested = true;
    pthread_cond_signal (&self->cond);
    pthread_mutex_unlock (&self->mutex);
    self->in_flight = true;
    self->in_flight_gen = self->written_gen;
    self->in_flight_closing = self->closing.len;
    self->in_flight_dir = self->dir_dirty;
}

bool
journal_syncing (journal_t *self)
{
    return self->in_flight;
}

int
journal_sync_fd (journal_t *self)
{
    return self->notify [0];
}

int
journal_sync_end (journal_t *self)
{
    char bytes [16];
    while (read (self->notify [0], bytes, sizeof bytes) > 0)
        ;
    if (!self->in_flight)
        return 0;
    pthread_mutex_lock (&self->mutex);
    bool done = self->done;
    int result = self->result;
    uint64_t us = self->result_us;
    self->done = false;
    pthread_mutex_unlock (&self->mutex);
    if (!done)
        return 0;                       //  Not finished yet
    self->in_flight = false;
    if (result) {
        zsys_error ("journal: fdatasync failed: %s", strerror (result));
        self->errors++;
        return -1;
    }
    s_sync_record (self, us);
    s_synced (self, self->in_flight_gen, self->in_flight_closing, self->in_flight_dir);
    return 0;
}

uint64_t
journal_written_gen (journal_t *self)
{
    return self->written_gen;
}

uint64_t
journal_synced_gen (journal_t *self)
{
    return self->synced_gen;
}

//  --------------------------------------------------------------------------
//  Sync everything written now, waiting for it

int
journal_sync (journal_t *self)
{
    assert (self->fd >= 0);
    while (true) {
        if (self->in_flight) {
            struct pollfd item = { self->notify [0], POLLIN, 0 };
            poll (&item, 1, 1000);
            if (journal_sync_end (self))
                return -1;
            continue;
        }
        if (!journal_unsynced (self))
            return 0;
        journal_sync_begin (self);
        if (!self->in_flight && journal_unsynced (self))
            return -1;                  //  Could not start the sync thread
    }
}

bool
journal_unwritten (journal_t *self)
{
    return self->records.len > 0;
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
    stats->syncs = self->syncs;
    size_t n = self->sync_count < SYNC_RING ? self->sync_count : SYNC_RING;
    if (n) {
        uint32_t sorted [SYNC_RING];
        memcpy (sorted, self->sync_us, n * sizeof (uint32_t));
        qsort (sorted, n, sizeof (uint32_t), s_compare_u32);
        stats->sync_us_p50 = sorted [n / 2];
    }
    stats->sync_us_max = self->sync_max;
    stats->replayed = self->replayed;
    stats->records = self->written;
    stats->rewritten = self->rewritten;
    stats->deleted = self->deleted;
    stats->errors = self->errors;
    stats->torn = self->torn;
}
