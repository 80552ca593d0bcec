//  SPDX-License-Identifier: MIT
//  deadlog - the dead-letter log (see deadlog.h)

#include "common.h"
#include "broker/deadlog.h"
#include <zlib.h>

#define FRAME_SIZE 8                //  u32 length + u32 crc

struct _deadlog_t {
    char *path;                 //  The log file
    int fd;                     //  Open for append
    bool sync;                  //  fdatasync on commit
    uint64_t size;              //  Committed bytes
    uint64_t total;             //  Records, committed or queued
    buf_t queued;               //  Framed records not yet written
};

struct _deadlog_reader_t {
    FILE *file;
    uint64_t size;              //  File size when opened
    uint64_t offset;            //  Next frame
    uint8_t *body;              //  Record buffer
    size_t body_cap;
    const char *error;          //  Why reading stopped, or NULL
    size_t skipped;             //  Undecodable records
};

static uint32_t
s_crc (const uint8_t *data, size_t size)
{
    uLong crc = crc32 (0, NULL, 0);
    while (size) {
        uInt piece = size > (1u << 30) ? (1u << 30) : (uInt) size;
        crc = crc32 (crc, data, piece);
        data += piece;
        size -= piece;
    }
    return (uint32_t) crc;
}

//  Read one frame at the reader's offset into its body buffer. Returns the
//  record size, 0 at the clean end, -1 on a torn or corrupt frame.
static ssize_t
s_read_frame (deadlog_reader_t *self)
{
    if (self->offset == self->size)
        return 0;
    uint8_t frame [FRAME_SIZE];
    if (self->size - self->offset < FRAME_SIZE) {
        self->error = "torn frame";
        return -1;
    }
    if (fread (frame, 1, FRAME_SIZE, self->file) != FRAME_SIZE) {
        self->error = "read error";
        return -1;
    }
    uint32_t length = proto_get_u32 (frame);
    if (length == 0 || length > DEADLOG_MAX_RECORD
    ||  length > self->size - self->offset - FRAME_SIZE) {
        self->error = "bad length";
        return -1;
    }
    if (length > self->body_cap) {
        self->body_cap = length;
        self->body = (uint8_t *) xrealloc (self->body, self->body_cap);
    }
    if (fread (self->body, 1, length, self->file) != length) {
        self->error = "read error";
        return -1;
    }
    if (s_crc (self->body, length) != proto_get_u32 (frame + 4)) {
        self->error = "bad crc";
        return -1;
    }
    self->offset += FRAME_SIZE + length;
    return (ssize_t) length;
}

//  Keep the bytes from offset on in <path>.torn, then cut them off
static void
s_cut_tail (const char *path, int fd, uint64_t offset, uint64_t size)
{
    char *torn = xasprintf ("%s.torn", path);
    int out = open (torn, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    uint8_t buffer [65536];
    uint64_t at = offset;
    bool saved = out >= 0;
    while (saved && at < size) {
        ssize_t got = pread (fd, buffer, sizeof buffer, (off_t) at);
        if (got <= 0 || write (out, buffer, (size_t) got) != got)
            saved = false;
        else
            at += (uint64_t) got;
    }
    if (out >= 0)
        close (out);
    if (saved && ftruncate (fd, (off_t) offset) == 0)
        zsys_warning ("deadlog: cut %" PRIu64 " bytes of torn tail from %s (kept in %s)",
                      size - offset, path, torn);
    else
        zsys_error ("deadlog: %s has a torn tail at byte %" PRIu64 " that could not be cut",
                    path, offset);
    free (torn);
}

//  --------------------------------------------------------------------------
//  Open the log for appending and count its records

deadlog_t *
deadlog_new (const char *path, bool sync)
{
    assert (path);
    char *dir = xstrdup (path);
    char *slash = strrchr (dir, '/');
    if (slash && slash != dir) {
        *slash = 0;
        if (dir_make (dir))
            zsys_warning ("deadlog: cannot create %s: %s", dir, strerror (errno));
    }
    free (dir);
    int fd = open (path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        zsys_error ("deadlog: cannot open %s: %s", path, strerror (errno));
        return NULL;
    }
    deadlog_t *self = (deadlog_t *) xcalloc (1, sizeof (deadlog_t));
    self->path = xstrdup (path);
    self->fd = fd;
    self->sync = sync;
    buf_init (&self->queued);

    //  Count the records, checking each frame
    deadlog_reader_t *reader = deadlog_open (path);
    if (reader) {
        ssize_t rc;
        while ((rc = s_read_frame (reader)) > 0)
            self->total++;
        if (rc < 0)
            s_cut_tail (path, fd, reader->offset, reader->size);
        self->size = reader->offset;
        deadlog_close (&reader);
    }
    return self;
}

//  --------------------------------------------------------------------------
//  Commit, close

void
deadlog_destroy (deadlog_t **self_p)
{
    assert (self_p);
    deadlog_t *self = *self_p;
    if (!self)
        return;
    if (self->queued.size && deadlog_commit (self))
        zsys_error ("deadlog: %" PRIu64 " dead letters could not be written to %s",
                    self->total, self->path);
    close (self->fd);
    buf_free (&self->queued);
    free (self->path);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Queue a record

void
deadlog_append (deadlog_t *self, const void *record, size_t size)
{
    assert (size > 0 && size <= DEADLOG_MAX_RECORD);
    uint8_t frame [FRAME_SIZE];
    proto_put_u32 (frame, (uint32_t) size);
    proto_put_u32 (frame + 4, s_crc ((const uint8_t *) record, size));
    buf_append (&self->queued, frame, FRAME_SIZE);
    buf_append (&self->queued, record, size);
    self->total++;
}

//  --------------------------------------------------------------------------
//  Write and sync what is queued

int
deadlog_commit (deadlog_t *self)
{
    if (self->queued.size == 0)
        return 0;
    size_t done = 0;
    while (done < self->queued.size) {
        ssize_t rc = write (self->fd, self->queued.data + done, self->queued.size - done);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0) {
            int err = rc < 0 ? errno : EIO;
            if (ftruncate (self->fd, (off_t) self->size))
                zsys_error ("deadlog: cannot cut back %s: %s", self->path, strerror (errno));
            zsys_error ("deadlog: write to %s failed: %s", self->path, strerror (err));
            errno = err;
            return -1;
        }
        done += (size_t) rc;
    }
    if (self->sync && fdatasync (self->fd)) {
        int err = errno;
        if (ftruncate (self->fd, (off_t) self->size))
            zsys_error ("deadlog: cannot cut back %s: %s", self->path, strerror (errno));
        zsys_error ("deadlog: fdatasync of %s failed: %s", self->path, strerror (err));
        errno = err;
        return -1;
    }
    self->size += self->queued.size;
    buf_clear (&self->queued);
    return 0;
}

bool
deadlog_pending (deadlog_t *self)
{
    return self->queued.size > 0;
}

uint64_t
deadlog_total (deadlog_t *self)
{
    return self->total;
}

//  --------------------------------------------------------------------------
//  Reader

deadlog_reader_t *
deadlog_open (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    struct stat st;
    if (fstat (fileno (file), &st)) {
        int err = errno;
        fclose (file);
        errno = err;
        return NULL;
    }
    deadlog_reader_t *self = (deadlog_reader_t *) xcalloc (1, sizeof (deadlog_reader_t));
    self->file = file;
    self->size = (uint64_t) st.st_size;
    return self;
}

deadletter_t *
deadlog_next (deadlog_reader_t *self)
{
    while (true) {
        ssize_t size = s_read_frame (self);
        if (size <= 0)
            return NULL;
        char err [128];
        deadletter_t *letter = deadletter_decode (self->body, (size_t) size, err, sizeof err);
        if (letter)
            return letter;
        self->skipped++;
    }
}

const char *
deadlog_error (deadlog_reader_t *self)
{
    return self->error;
}

size_t
deadlog_skipped (deadlog_reader_t *self)
{
    return self->skipped;
}

void
deadlog_close (deadlog_reader_t **self_p)
{
    assert (self_p);
    deadlog_reader_t *self = *self_p;
    if (!self)
        return;
    fclose (self->file);
    free (self->body);
    free (self);
    *self_p = NULL;
}
