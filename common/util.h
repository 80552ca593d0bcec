//  SPDX-License-Identifier: MIT
//  util - small helpers every module needs: allocation that never returns
//  NULL, a growable byte buffer, vectors, time stamps.

#ifndef COPYDESK_UTIL_H
#define COPYDESK_UTIL_H

//  Allocation: abort with a message on out-of-memory, like czmq's zmalloc.
void *
    xmalloc (size_t size);
void *
    xcalloc (size_t count, size_t size);
void *
    xrealloc (void *ptr, size_t size);
//  Copy a string; NULL stays NULL. Caller owns the copy.
char *
    xstrdup (const char *s);
//  Copy len bytes and terminate. Caller owns the copy.
char *
    xstrndup (const char *s, size_t len);
//  printf into a new string. Caller owns the result.
char *
    xasprintf (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

//  Replace *field with a copy of value (NULL clears it).
void
    str_set (char **field, const char *value);
//  Replace *field with a copy of len bytes of value.
void
    str_setn (char **field, const char *value, size_t len);
//  True if s is NULL or empty.
bool
    str_empty (const char *s);
//  True if s starts with prefix.
bool
    str_starts (const char *s, const char *prefix);
//  True if s ends with suffix.
bool
    str_ends (const char *s, const char *suffix);
//  ASCII case-insensitive equality; NULL equals nothing.
bool
    str_ieq (const char *a, const char *b);

//  ---------------------------------------------------------------------
//  buf_t - a growable byte buffer, always NUL-terminated after its data.
typedef struct {
    char *data;                 //  Bytes, NUL after the last one
    size_t size;                //  Bytes used, not counting the NUL
    size_t cap;                 //  Bytes allocated
} buf_t;

//  Initialise an empty buffer (no allocation until the first append).
void
    buf_init (buf_t *self);
//  Free the buffer's memory and make it empty again.
void
    buf_free (buf_t *self);
//  Forget the contents, keep the memory.
void
    buf_clear (buf_t *self);
//  Make room for at least extra more bytes.
void
    buf_reserve (buf_t *self, size_t extra);
//  Append bytes; a byte. Inline while they fit, else through buf_reserve.
static inline void
    buf_append (buf_t *self, const void *data, size_t size);
void
    buf_puts (buf_t *self, const char *s);
static inline void
    buf_putc (buf_t *self, char c);
void
    buf_printf (buf_t *self, const char *format, ...) __attribute__ ((format (printf, 2, 3)));
//  Hand the data to the caller (who frees it) and make the buffer empty.
char *
    buf_detach (buf_t *self);

static inline void
buf_append (buf_t *self, const void *data, size_t size)
{
    if (size >= self->cap - self->size)
        buf_reserve (self, size);
    if (size)
        memcpy (self->data + self->size, data, size);
    self->size += size;
    self->data [self->size] = 0;
}

static inline void
buf_putc (buf_t *self, char c)
{
    if (self->cap - self->size < 2)
        buf_reserve (self, 1);
    self->data [self->size++] = c;
    self->data [self->size] = 0;
}

//  ---------------------------------------------------------------------
//  Vectors: VEC(T) is {items, len, cap}. vec_push returns a pointer to a
//  new zeroed element at the end.
#define VEC(T) struct { T *items; size_t len; size_t cap; }
void *
    vec_grow_ (void **items, size_t *len, size_t *cap, size_t elem_size);
#define vec_push(v) \
    ((__typeof__ ((v)->items)) vec_grow_ ((void **) &(v)->items, &(v)->len, &(v)->cap, sizeof (*(v)->items)))

//  A vector of owned strings
typedef VEC (char *) strv_t;
//  Append a copy of s. Returns the stored copy.
char *
    strv_push (strv_t *self, const char *s);
//  Append a copy unless an equal string is present. Returns true if added.
bool
    strv_add_unique (strv_t *self, const char *s);
bool
    strv_contains (const strv_t *self, const char *s);
//  Append a formatted string unless an equal one is present.
void
    strv_addf (strv_t *self, const char *format, ...) __attribute__ ((format (printf, 2, 3)));
void
    strv_free (strv_t *self);

//  ---------------------------------------------------------------------
//  Time

//  Wall clock now as RFC 3339 UTC with milliseconds ("2024-05-01T10:00:00.123Z").
//  Writes into buf (at least 32 bytes) and returns it.
char *
    time_now_rfc3339 (char *buf, size_t size);
//  Format epoch seconds as RFC 3339 UTC ("2024-05-01T10:00:00Z").
char *
    time_format_rfc3339 (int64_t epoch, char *buf, size_t size);
//  Monotonic clock in microseconds.
int64_t
    time_mono_usec (void);

//  ---------------------------------------------------------------------
//  Files

//  Read a whole file, up to max_size bytes. Returns 0 and fills *data/*size
//  (caller frees *data; a NUL follows the last byte), or -1 with errno set
//  (EFBIG when larger than max).
int
    file_read (const char *path, size_t max_size, uint8_t **data, size_t *size);
//  Create a directory and its parents (mode 0700 for new ones). 0 or -1.
int
    dir_make (const char *path);

//  SHA-256 of data as 64 lowercase hex characters plus NUL into hex[65].
void
    sha256_hex (const void *data, size_t size, char hex[65]);

//  sha256_stream_t - a SHA-256 digest of bytes given in many small pieces,
//  gathered in a block on the caller's stack: no allocation while feeding.
#define SHA256_STREAM_BLOCK 4096
typedef struct {
    void *ctx;                  //  The digest (EVP_MD_CTX), NULL on failure
    size_t used;                //  Bytes in block not yet digested
    unsigned char block [SHA256_STREAM_BLOCK];
} sha256_stream_t;

void
    sha256_stream_init (sha256_stream_t *self);
//  Digest what the block holds, then size bytes of data (either may be 0).
void
    sha256_stream_flush (sha256_stream_t *self, const void *data, size_t size);
//  Finish: 64 hex characters plus NUL into hex[65] and true, or false if
//  the digest failed. Frees the digest either way.
bool
    sha256_stream_hex (sha256_stream_t *self, char hex[65]);

static inline void
sha256_stream_put (sha256_stream_t *self, const void *data, size_t size)
{
    if (size <= SHA256_STREAM_BLOCK - self->used) {
        memcpy (self->block + self->used, data, size);
        self->used += size;
    }
    else
        sha256_stream_flush (self, data, size);
}

#endif
