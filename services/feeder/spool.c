//  SPDX-License-Identifier: MIT
//  spool - a folder that wire files are dropped into (see spool.h)

#include "common.h"
#include "feeder/spool.h"
#include "feeder/settle.h"
#include "ingest/ingest.h"
#include <dirent.h>

//  Raw bytes kept in the dead letter of a rejected file
#define SPOOL_DEAD_RAW (64 * 1024)

typedef enum {
    FILE_WATCHING,              //  Waiting for it to become stable
    FILE_PENDING,               //  Published, waiting for the broker
    FILE_REFUSED,               //  The broker refused it: move to error/
    FILE_IGNORED                //  Could not be moved: ignored until it changes
} file_state_t;

//  One file in the folder
typedef struct {
    settle_t base;              //  Must come first: the publish tag
    struct _spool_t *spool;     //  Owner
    char *name;                 //  File name in the folder
    dev_t dev;                  //  What we saw of it
    ino_t ino;
    off_t size;
    int64_t mtime_ms;
    int64_t stable_since;       //  Monotonic ms it was first seen like this
    int observed;               //  Scans that saw it like this
    uint64_t scan;              //  Last scan that saw it
    int64_t retry_at;           //  No new attempt before (monotonic ms)
    file_state_t state;
    char *refusal;              //  Why the broker refused it
} entry_t;

struct _spool_t {
    spool_options_t options;    //  Settings (strings owned)
    char *done_dir;             //  <path>/done
    char *error_dir;            //  <path>/error
    char *topics;               //  "spooled.<source>"
    publisher_t *publisher;     //  Shared publisher
    zhashx_t *files;            //  name -> entry_t
    int64_t interval;           //  Between scans, ms
    int64_t next_scan;          //  Monotonic ms
    uint64_t scan;              //  Scans made
    size_t pending;             //  Files waiting for the broker
    size_t waiting;             //  Files not stable yet at the last scan
    bool refused;               //  Some entry is FILE_REFUSED
    bool warned;                //  The folder is unreadable (logged once)
    spool_stats_t stats;
};

static void
s_entry_destroy (entry_t **entry_p)
{
    entry_t *entry = *entry_p;
    if (!entry)
        return;
    free (entry->name);
    free (entry->refusal);
    free (entry);
    *entry_p = NULL;
}

static void
s_entry_free (void **item)
{
    s_entry_destroy ((entry_t **) item);
}

spool_t *
spool_new (const spool_options_t *options, publisher_t *publisher)
{
    assert (options && options->path && publisher);
    if (dir_make (options->path)) {
        zsys_error ("feeder: spool=%s cannot create %s: %s", options->name ? options->name : "-",
                    options->path, strerror (errno));
        return NULL;
    }
    spool_t *self = (spool_t *) xcalloc (1, sizeof (spool_t));
    self->options = *options;
    self->options.name = xstrdup (options->name ? options->name : options->path);
    self->options.path = xstrdup (options->path);
    self->options.source = xstrdup (options->source ? options->source : "spool");
    self->options.format = xstrdup (options->format);
    if (self->options.stable_ms < 0)
        self->options.stable_ms = 2000;
    if (self->options.max_size <= 0)
        self->options.max_size = DOCUMENT_MAX_SIZE;
    self->done_dir = xasprintf ("%s/done", options->path);
    self->error_dir = xasprintf ("%s/error", options->path);
    if (dir_make (self->done_dir) || dir_make (self->error_dir)) {
        zsys_error ("feeder: spool=%s cannot create done/ and error/ in %s: %s",
                    self->options.name, options->path, strerror (errno));
        spool_destroy (&self);
        return NULL;
    }
    char *source = xstrdup (self->options.source);
    proto_topic_clean (source);
    self->topics = xasprintf ("spooled.%s", source);
    free (source);
    self->publisher = publisher;
    self->files = zhashx_new ();
    zhashx_set_destructor (self->files, s_entry_free);
    self->interval = self->options.stable_ms / 4;
    if (self->interval < 50)
        self->interval = 50;
    if (self->interval > 1000)
        self->interval = 1000;
    return self;
}

void
spool_destroy (spool_t **self_p)
{
    assert (self_p);
    spool_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->files);
    free (self->done_dir);
    free (self->error_dir);
    free (self->topics);
    free ((char *) self->options.name);
    free ((char *) self->options.path);
    free ((char *) self->options.source);
    free ((char *) self->options.format);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Moving files

//  Hidden and partial files are none of our business
static bool
s_ignored (const char *name)
{
    return name [0] == '.' || str_ends (name, ".part") || str_ends (name, "~")
        || str_ends (name, ".tmp") || str_ends (name, ".reason");
}

//  A path in folder for name that does not exist yet. Caller frees.
static char *
s_unique (const char *folder, const char *name)
{
    char *path = xasprintf ("%s/%s", folder, name);
    for (int n = 1; n < 100 && access (path, F_OK) == 0; n++) {
        free (path);
        path = xasprintf ("%s/%s.%d", folder, name, n);
    }
    if (access (path, F_OK) == 0) {
        free (path);
        path = xasprintf ("%s/%s.%" PRId64, folder, name, zclock_time ());
    }
    return path;
}

//  Move a file out of the folder; returns the new path (caller frees) or NULL
static char *
s_move (spool_t *self, const char *name, const char *folder)
{
    char *from = xasprintf ("%s/%s", self->options.path, name);
    char *to = s_unique (folder, name);
    if (rename (from, to) != 0) {
        zsys_error ("feeder: spool=%s cannot move %s to %s: %s", self->options.name, from, to,
                    strerror (errno));
        free (to);
        to = NULL;
    }
    free (from);
    return to;
}

//  Read at most max bytes of a file. Returns 0 and fills data/size (caller
//  frees data), or -1 with errno.
static int
s_read_head (const char *path, size_t max, uint8_t **data, size_t *size)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    uint8_t *buffer = (uint8_t *) xmalloc (max + 1);
    size_t got = 0;
    while (got < max) {
        ssize_t n = read (fd, buffer + got, max - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            free (buffer);
            close (fd);
            errno = saved;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t) n;
    }
    close (fd);
    *data = buffer;
    *size = got;
    return 0;
}

//  Reject a file: error/<name> and error/<name>.reason, and a dead letter
static void
s_reject (spool_t *self, entry_t *entry, const char *reason)
{
    char *path = xasprintf ("%s/%s", self->options.path, entry->name);
    uint8_t *head = NULL;
    size_t head_size = 0;
    if (s_read_head (path, SPOOL_DEAD_RAW, &head, &head_size) != 0) {
        head = NULL;
        head_size = 0;
    }
    char *moved = s_move (self, entry->name, self->error_dir);
    if (moved) {
        char *reason_path = xasprintf ("%s.reason", moved);
        FILE *file = fopen (reason_path, "w");
        if (file) {
            char now [40];
            fprintf (file, "%s\nfile: %s\nsize: %lld\nspool: %s\nsource: %s\ntime: %s\n", reason,
                     entry->name, (long long) entry->size, self->options.path, self->options.source,
                     time_now_rfc3339 (now, sizeof now));
            fclose (file);
        }
        else
            zsys_error ("feeder: spool=%s cannot write %s: %s", self->options.name, reason_path,
                        strerror (errno));
        free (reason_path);
        self->stats.errors++;
        zsys_warning ("feeder: spool=%s rejected file=%s: %s", self->options.name, entry->name, reason);
        //  A dead letter too, so that `copydesk dead` shows it (best effort)
        deadletter_t *dead = deadletter_new (STAGE_INGEST, reason, head ? head : (uint8_t *) "", head_size);
        dead->size = (uint64_t) entry->size;
        dead->origin = xstrdup (moved);
        buf_t buf;
        buf_init (&buf);
        deadletter_encode (dead, &buf);
        publisher_send_buf (self->publisher, STAGE_DEAD, "dead.ingest", &buf, NULL);
        buf_free (&buf);
        deadletter_destroy (&dead);
        zhashx_delete (self->files, entry->name);
    }
    else
        entry->state = FILE_IGNORED;
    free (moved);
    free (head);
    free (path);
}

//  --------------------------------------------------------------------------
//  Publishing

static void
s_settled (settle_t *tag, const char *refused)
{
    entry_t *entry = (entry_t *) tag;
    spool_t *self = entry->spool;
    assert (self->pending > 0);
    self->pending--;
    if (refused) {
        //  Moved (and dead-lettered) at the next scan, outside the publisher
        str_set (&entry->refusal, refused);
        entry->state = FILE_REFUSED;
        self->refused = true;
        return;
    }
    //  Accepted: move it to done/, unless it changed since it was read
    char *path = xasprintf ("%s/%s", self->options.path, entry->name);
    struct stat st;
    if (stat (path, &st) != 0) {
        zsys_warning ("feeder: spool=%s file=%s vanished before it could move to done/",
                      self->options.name, entry->name);
        zhashx_delete (self->files, entry->name);
    }
    else
    if (st.st_ino != entry->ino || st.st_size != entry->size
    ||  (int64_t) st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000 != entry->mtime_ms) {
        //  Rewritten while on its way: the new content goes too
        zsys_warning ("feeder: spool=%s file=%s changed after it was sent; sending it again",
                      self->options.name, entry->name);
        entry->state = FILE_WATCHING;
        entry->observed = 0;
        entry->stable_since = zclock_mono ();
    }
    else {
        char *moved = s_move (self, entry->name, self->done_dir);
        if (moved) {
            self->stats.done++;
            if (self->options.verbose)
                zsys_info ("feeder: spool=%s accepted file=%s", self->options.name, entry->name);
            zhashx_delete (self->files, entry->name);
        }
        else
            entry->state = FILE_IGNORED;
        free (moved);
    }
    free (path);
}

//  Take a stable file: check it and publish it
static void
s_take (spool_t *self, entry_t *entry, int64_t now)
{
    char *path = xasprintf ("%s/%s", self->options.path, entry->name);
    if (entry->size > self->options.max_size) {
        char reason [160];
        snprintf (reason, sizeof reason, "too-large: %lld bytes, the limit is %" PRId64,
                  (long long) entry->size, self->options.max_size);
        s_reject (self, entry, reason);
        free (path);
        return;
    }
    uint8_t *data = NULL;
    size_t size = 0;
    if (s_read_head (path, (size_t) self->options.max_size + 1, &data, &size) != 0) {
        char reason [300];
        snprintf (reason, sizeof reason, "unreadable: %s", strerror (errno));
        if (errno == ENOENT)
            zhashx_delete (self->files, entry->name);      //  Gone meanwhile
        else
            s_reject (self, entry, reason);
        free (path);
        return;
    }
    if ((off_t) size != entry->size) {
        //  It grew (or shrank) after all: watch it again
        entry->state = FILE_WATCHING;
        entry->observed = 0;
        entry->stable_since = now;
        free (data);
        free (path);
        return;
    }
    char why [300] = "";
    if (!self->options.format && !ingest_detect (data, size, why, sizeof why)) {
        s_reject (self, entry, why [0] ? why : "not-a-document");
        free (data);
        free (path);
        return;
    }
    document_t *doc = document_new (self->options.source, path, data, size);
    free (data);
    str_set (&doc->format, self->options.format);
    str_set (&doc->channel, self->options.path);
    char received [40];
    str_set (&doc->received, time_now_rfc3339 (received, sizeof received));
    buf_t buf;
    buf_init (&buf);
    document_encode (doc, &buf);
    document_destroy (&doc);
    uint64_t pubseq = publisher_send_buf (self->publisher, STAGE_INGEST, self->topics, &buf, entry);
    buf_free (&buf);
    if (pubseq == 0 && errno == EMSGSIZE)
        s_reject (self, entry, "too-large: larger than the broker takes (broker/max_frame)");
    else
    if (pubseq == 0) {
        //  The broker did not take it: stays in the folder, tried again later
        zsys_warning ("feeder: spool=%s cannot publish file=%s: broker unavailable",
                      self->options.name, entry->name);
        entry->retry_at = now + (self->options.stable_ms > 1000 ? self->options.stable_ms : 1000);
    }
    else {
        entry->state = FILE_PENDING;
        self->pending++;
        self->stats.published++;
        if (self->options.verbose)
            zsys_info ("feeder: spool=%s published file=%s bytes=%lld", self->options.name,
                       entry->name, (long long) entry->size);
    }
    free (path);
}

//  --------------------------------------------------------------------------
//  Scanning

static int
s_compare_names (const void *a, const void *b)
{
    return strcmp (*(char * const *) a, *(char * const *) b);
}

int
spool_scan (spool_t *self, int64_t now)
{
    if (now < self->next_scan)
        return 0;
    self->next_scan = now + self->interval;
    //  Files the broker refused go to error/ first
    if (self->refused) {
        self->refused = false;
        strv_t names = { 0 };
        for (entry_t *entry = (entry_t *) zhashx_first (self->files); entry;
             entry = (entry_t *) zhashx_next (self->files))
            if (entry->state == FILE_REFUSED)
                strv_push (&names, entry->name);
        for (size_t i = 0; i < names.len; i++) {
            entry_t *entry = (entry_t *) zhashx_lookup (self->files, names.items [i]);
            char *reason = xasprintf ("refused by the broker: %s", entry->refusal);
            s_reject (self, entry, reason);
            free (reason);
        }
        strv_free (&names);
    }
    DIR *dir = opendir (self->options.path);
    if (!dir) {
        if (!self->warned)
            zsys_error ("feeder: spool=%s cannot read %s: %s", self->options.name,
                        self->options.path, strerror (errno));
        self->warned = true;
        return 0;
    }
    self->warned = false;
    self->scan++;
    int64_t wall = zclock_time ();
    strv_t stable = { 0 };
    self->waiting = 0;
    struct dirent *item;
    while ((item = readdir (dir)) != NULL) {
        const char *name = item->d_name;
        if (s_ignored (name))
            continue;
        struct stat st;
        if (fstatat (dirfd (dir), name, &st, 0) != 0 || !S_ISREG (st.st_mode))
            continue;
        int64_t mtime_ms = (int64_t) st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        entry_t *entry = (entry_t *) zhashx_lookup (self->files, name);
        if (!entry) {
            entry = (entry_t *) xcalloc (1, sizeof (entry_t));
            entry->base.settle = s_settled;
            entry->spool = self;
            entry->name = xstrdup (name);
            entry->stable_since = now;
            entry->state = FILE_WATCHING;
            zhashx_insert (self->files, name, entry);
        }
        entry->scan = self->scan;
        if (entry->state == FILE_PENDING || entry->state == FILE_REFUSED)
            continue;
        bool same = entry->observed > 0 && entry->dev == st.st_dev && entry->ino == st.st_ino
                 && entry->size == st.st_size && entry->mtime_ms == mtime_ms;
        if (!same) {
            entry->dev = st.st_dev;
            entry->ino = st.st_ino;
            entry->size = st.st_size;
            entry->mtime_ms = mtime_ms;
            entry->stable_since = now;
            entry->observed = 0;
            if (entry->state == FILE_IGNORED)
                entry->state = FILE_WATCHING;
        }
        entry->observed++;
        if (entry->state != FILE_WATCHING)
            continue;
        //  Stable: unchanged for stable_ms, or seen twice unchanged with an
        //  mtime already older than that
        bool quiet = now - entry->stable_since >= self->options.stable_ms
                  || (entry->observed >= 2 && wall - mtime_ms >= self->options.stable_ms);
        if (quiet && now >= entry->retry_at)
            strv_push (&stable, name);
        else
            self->waiting++;
    }
    closedir (dir);

    //  Forget files that went away (unless the broker still has them)
    strv_t gone = { 0 };
    for (entry_t *entry = (entry_t *) zhashx_first (self->files); entry;
         entry = (entry_t *) zhashx_next (self->files))
        if (entry->scan != self->scan && entry->state != FILE_PENDING && entry->state != FILE_REFUSED)
            strv_push (&gone, entry->name);
    for (size_t i = 0; i < gone.len; i++)
        zhashx_delete (self->files, gone.items [i]);
    strv_free (&gone);

    //  Take the stable files in name order (wire files are often numbered)
    if (stable.len > 1)
        qsort (stable.items, stable.len, sizeof (char *), s_compare_names);
    int taken = 0;
    for (size_t i = 0; i < stable.len; i++) {
        entry_t *entry = (entry_t *) zhashx_lookup (self->files, stable.items [i]);
        if (entry && entry->state == FILE_WATCHING) {
            s_take (self, entry, now);
            taken++;
        }
    }
    strv_free (&stable);
    return taken;
}

int64_t
spool_next_scan (spool_t *self)
{
    return self->next_scan;
}

bool
spool_idle (spool_t *self)
{
    return self->pending == 0 && self->waiting == 0 && !self->refused && self->scan > 0;
}

size_t
spool_pending (spool_t *self)
{
    return self->pending;
}

const spool_stats_t *
spool_stats (spool_t *self)
{
    return &self->stats;
}

const char *
spool_name (spool_t *self)
{
    return self->options.name;
}
