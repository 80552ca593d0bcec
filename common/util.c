//  SPDX-License-Identifier: MIT
//  util - allocation, buffers, vectors, time and file helpers

#include "common.h"
#include <openssl/evp.h>
#include <pthread.h>
#include <sys/time.h>

static void
s_out_of_memory (size_t size)
{
    fprintf (stderr, "copydesk: out of memory (asked for %zu bytes)\n", size);
    fflush (stderr);
    abort ();
}

void *
xmalloc (size_t size)
{
    void *p = malloc (size ? size : 1);
    if (!p)
        s_out_of_memory (size);
    return p;
}

void *
xcalloc (size_t count, size_t size)
{
    void *p = calloc (count ? count : 1, size ? size : 1);
    if (!p)
        s_out_of_memory (count * size);
    return p;
}

void *
xrealloc (void *ptr, size_t size)
{
    void *p = realloc (ptr, size ? size : 1);
    if (!p)
        s_out_of_memory (size);
    return p;
}

char *
xstrdup (const char *s)
{
    return s ? xstrndup (s, strlen (s)) : NULL;
}

char *
xstrndup (const char *s, size_t len)
{
    char *copy = (char *) xmalloc (len + 1);
    if (len)
        memcpy (copy, s, len);
    copy [len] = 0;
    return copy;
}

char *
xasprintf (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *result = NULL;
    int rc = vasprintf (&result, format, args);
    va_end (args);
    if (rc < 0)
        s_out_of_memory (0);
    return result;
}

void
str_set (char **field, const char *value)
{
    assert (field);
    char *copy = xstrdup (value);
    free (*field);
    *field = copy;
}

void
str_setn (char **field, const char *value, size_t len)
{
    assert (field);
    char *copy = xstrndup (value, len);
    free (*field);
    *field = copy;
}

bool
str_empty (const char *s)
{
    return !s || !*s;
}

bool
str_starts (const char *s, const char *prefix)
{
    return s && strncmp (s, prefix, strlen (prefix)) == 0;
}

bool
str_ends (const char *s, const char *suffix)
{
    if (!s)
        return false;
    size_t len = strlen (s), slen = strlen (suffix);
    return len >= slen && memcmp (s + len - slen, suffix, slen) == 0;
}

bool
str_ieq (const char *a, const char *b)
{
    return a && b && strcasecmp (a, b) == 0;
}

//  --------------------------------------------------------------------------
//  buf_t

void
buf_init (buf_t *self)
{
    self->data = NULL;
    self->size = 0;
    self->cap = 0;
}

void
buf_free (buf_t *self)
{
    free (self->data);
    buf_init (self);
}

void
buf_clear (buf_t *self)
{
    self->size = 0;
    if (self->data)
        self->data [0] = 0;
}

void
buf_reserve (buf_t *self, size_t extra)
{
    if (extra > SIZE_MAX / 2 - self->size)
        s_out_of_memory (extra);
    size_t need = self->size + extra + 1;
    if (need <= self->cap)
        return;
    size_t cap = self->cap ? self->cap : 64;
    while (cap < need)
        cap *= 2;
    self->data = (char *) xrealloc (self->data, cap);
    self->cap = cap;
}

void
buf_puts (buf_t *self, const char *s)
{
    buf_append (self, s, strlen (s));
}

void
buf_printf (buf_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char small [256];
    int len = vsnprintf (small, sizeof small, format, args);
    va_end (args);
    if (len < 0)
        return;
    if ((size_t) len < sizeof small) {
        buf_append (self, small, (size_t) len);
        return;
    }
    buf_reserve (self, (size_t) len);
    va_start (args, format);
    vsnprintf (self->data + self->size, (size_t) len + 1, format, args);
    va_end (args);
    self->size += (size_t) len;
}

char *
buf_detach (buf_t *self)
{
    char *data = self->data ? self->data : xstrdup ("");
    buf_init (self);
    return data;
}

//  --------------------------------------------------------------------------
//  Vectors

void *
vec_grow_ (void **items, size_t *len, size_t *cap, size_t elem_size)
{
    if (*len == *cap) {
        size_t newcap = *cap ? *cap * 2 : 4;
        *items = xrealloc (*items, newcap * elem_size);
        *cap = newcap;
    }
    char *slot = (char *) *items + *len * elem_size;
    memset (slot, 0, elem_size);
    (*len)++;
    return slot;
}

char *
strv_push (strv_t *self, const char *s)
{
    char **slot = vec_push (self);
    *slot = xstrdup (s ? s : "");
    return *slot;
}

bool
strv_contains (const strv_t *self, const char *s)
{
    for (size_t i = 0; i < self->len; i++)
        if (strcmp (self->items [i], s) == 0)
            return true;
    return false;
}

bool
strv_add_unique (strv_t *self, const char *s)
{
    if (!s || strv_contains (self, s))
        return false;
    strv_push (self, s);
    return true;
}

void
strv_addf (strv_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *value = NULL;
    if (vasprintf (&value, format, args) < 0)
        value = NULL;
    va_end (args);
    if (value)
        strv_add_unique (self, value);
    free (value);
}

void
strv_free (strv_t *self)
{
    for (size_t i = 0; i < self->len; i++)
        free (self->items [i]);
    free (self->items);
    self->items = NULL;
    self->len = self->cap = 0;
}

//  --------------------------------------------------------------------------
//  Time

char *
time_now_rfc3339 (char *buf, size_t size)
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r (&now.tv_sec, &tm);
    snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
              tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
              tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (now.tv_nsec / 1000000));
    return buf;
}

char *
time_format_rfc3339 (int64_t epoch, char *buf, size_t size)
{
    time_t t = (time_t) epoch;
    struct tm tm;
    if (!gmtime_r (&t, &tm)) {
        snprintf (buf, size, "1970-01-01T00:00:00Z");
        return buf;
    }
    snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ",
              tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
              tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

int64_t
time_mono_usec (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (int64_t) now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

//  --------------------------------------------------------------------------
//  Files

int
file_read (const char *path, size_t max_size, uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat (fd, &st) == 0 && S_ISDIR (st.st_mode)) {
        close (fd);
        errno = EISDIR;
        return -1;
    }
    if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && (uint64_t) st.st_size > max_size) {
        close (fd);
        errno = EFBIG;
        return -1;
    }
    buf_t buf;
    buf_init (&buf);
    buf_reserve (&buf, S_ISREG (st.st_mode) ? (size_t) st.st_size : 65536);
    while (true) {
        if (buf.size > max_size) {
            buf_free (&buf);
            close (fd);
            errno = EFBIG;
            return -1;
        }
        buf_reserve (&buf, 65536);
        ssize_t got = read (fd, buf.data + buf.size, buf.cap - buf.size - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int err = errno;
            buf_free (&buf);
            close (fd);
            errno = err;
            return -1;
        }
        if (got == 0)
            break;
        buf.size += (size_t) got;
    }
    close (fd);
    if (buf.size > max_size) {
        buf_free (&buf);
        errno = EFBIG;
        return -1;
    }
    buf_reserve (&buf, 0);
    buf.data [buf.size] = 0;     //  read() does not terminate; callers may rely on it
    *size = buf.size;
    *data = (uint8_t *) buf_detach (&buf);
    return 0;
}

int
dir_make (const char *path)
{
    char *copy = xstrdup (path);
    for (char *p = copy + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir (copy, 0700) != 0 && errno != EEXIST) {
                free (copy);
                return -1;
            }
            *p = '/';
        }
    }
    int rc = mkdir (copy, 0700);
    free (copy);
    if (rc != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat (path, &st) != 0 || !S_ISDIR (st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

//  SHA-256 fetched once: EVP_sha256 () in a digest call makes OpenSSL 3
//  look the algorithm up in its provider tables every time
static const EVP_MD *s_sha256;
static pthread_once_t s_sha256_once = PTHREAD_ONCE_INIT;

static void
s_sha256_fetch (void)
{
    s_sha256 = EVP_MD_fetch (NULL, "SHA256", NULL);
}

static const EVP_MD *
s_sha256_md (void)
{
    pthread_once (&s_sha256_once, s_sha256_fetch);
    return s_sha256 ? s_sha256 : EVP_sha256 ();
}

static void
s_hex (const unsigned char *digest, char hex [65])
{
    static const char digits [] = "0123456789abcdef";
    for (unsigned int i = 0; i < 32; i++) {
        hex [i * 2] = digits [digest [i] >> 4];
        hex [i * 2 + 1] = digits [digest [i] & 15];
    }
    hex [64] = 0;
}

void
sha256_hex (const void *data, size_t size, char hex [65])
{
    unsigned char digest [EVP_MAX_MD_SIZE] = { 0 };
    unsigned int len = 0;
    EVP_Digest (data, size, digest, &len, s_sha256_md (), NULL);
    s_hex (digest, hex);
}

void
sha256_stream_init (sha256_stream_t *self)
{
    self->used = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
    if (ctx && EVP_DigestInit_ex (ctx, s_sha256_md (), NULL) != 1) {
        EVP_MD_CTX_free (ctx);
        ctx = NULL;
    }
    self->ctx = ctx;
}

void
sha256_stream_flush (sha256_stream_t *self, const void *data, size_t size)
{
    if (self->ctx && self->used
    && EVP_DigestUpdate ((EVP_MD_CTX *) self->ctx, self->block, self->used) != 1) {
        EVP_MD_CTX_free ((EVP_MD_CTX *) self->ctx);
        self->ctx = NULL;
    }
    self->used = 0;
    if (self->ctx && size
    && EVP_DigestUpdate ((EVP_MD_CTX *) self->ctx, data, size) != 1) {
        EVP_MD_CTX_free ((EVP_MD_CTX *) self->ctx);
        self->ctx = NULL;
    }
}

bool
sha256_stream_hex (sha256_stream_t *self, char hex [65])
{
    sha256_stream_flush (self, NULL, 0);
    EVP_MD_CTX *ctx = (EVP_MD_CTX *) self->ctx;
    self->ctx = NULL;
    unsigned char digest [EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    bool ok = ctx && EVP_DigestFinal_ex (ctx, digest, &len) == 1 && len == 32;
    EVP_MD_CTX_free (ctx);
    if (ok)
        s_hex (digest, hex);
    return ok;
}
