//  SPDX-License-Identifier: MIT
//  bench_pipeline - the whole pipeline on a corpus: stories/s, accept->stored
//  latency, peak RSS and CPU per process
//
//  Starts the pipeline with `copydesk up` in a temporary home, subscribes to
//  the broker's tap (ingested.*, stored.*, dead.*; $stats to know the
//  subscription is live) and follows every story from the moment the broker
//  accepted it into the normalize queue (the `ingested.<source>` tap event,
//  sent right after the ACCEPT) to the moment the store committed it
//  (`stored.<source>`). Two modes:
//
//    saturated (default)  `copydesk push` of the FILEs at once: the queues
//                         fill, so latency includes the standing queue;
//                         stops when --expect distinct stories are stored.
//    paced (--rate R)     the FILEs split into one document per story
//                         (Reuters SGML at each <REUTERS>, other files
//                         whole), the first --count of them published by
//                         this program, one every 1/R s, open loop: latency
//                         without a standing queue, as long as R is below
//                         what the pipeline sustains. Also gives
//                         submit->stored (from our PUBLISH, so ingest and
//                         the journal are inside it).
//    drain (--drain)      the store stage alone, fed from a full queue:
//                         `copydesk up` without a store, push the FILEs,
//                         wait until the store queue holds --expect
//                         stories (the queue's high mark raised to fit),
//                         then start one copydesk-store and time it until
//                         all are stored: the stage with the worker loop,
//                         the broker's deliveries and the tap events, on a
//                         machine where the other stages are not competing
//                         for the cores (as with more cores, or workers on
//                         other hosts). Compare with bench_store.
//
//  Prints one line of key=value figures:
//
//    mode=saturated stories=21578 dead=0 seconds=… stories_per_s=…
//    latency_p50_ms=… latency_p99_ms=… latency_samples=… [submit_p50_ms=…
//    submit_p99_ms=…] rss_<process>_kb=… cpu_<process>_s=… …
//
//  Usage: bench_pipeline --bin DIR [--expect N [--drain]] [--rate R --count N]
//         [--workers SPEC] [--set KEY=VALUE] [--format F] [--source S]
//         [--timeout S] [--keep] FILE...

#include "common.h"
#include "publisher.h"
#include <sys/wait.h>
#include <ftw.h>
#include <glob.h>
#include <signal.h>
#include <jansson.h>

typedef struct {
    const char *bin;            //  Folder of the copydesk executables
    const char *workers;        //  copydesk up --workers SPEC
    const char *format;         //  copydesk push --format
    const char *source;         //  Provider name
    long expect;                //  Saturated: stories to wait for
    double rate;                //  Paced: documents per second (0: saturated)
    long count;                 //  Paced: documents to publish
    int timeout;                //  Seconds of tap silence before giving up
    bool keep;                  //  Keep the temp home
    bool drain;                 //  Drain: the store alone, from a full queue
    strv_t sets;                //  KEY=VALUE settings for the home's copydesk.cfg
    char **files;
    int nfiles;
} options_t;

//  What the tap tells us, per story
typedef struct {
    int64_t accepted;           //  ingested.* seen (us), 0 if not yet
    int64_t submitted;          //  Paced: when we published its document (us)
    int64_t stored;             //  stored.* seen (us), 0 if not yet
} track_t;

typedef struct {
    zhashx_t *stories;          //  uri -> track_t
    int64_t *latency;           //  accepted -> stored, us
    int64_t *submit_latency;    //  submitted -> stored, us (paced)
    long samples, submit_samples, cap;
    long stored, dead;
    long inverted;              //  stored.* came before ingested.*
    int64_t first_stored, last_stored;
    int64_t *sent_at;           //  Paced: send time of document i
    long sent;
} follow_t;

static int
s_run (char *const argv [])
{
    pid_t pid = fork ();
    if (pid == 0) {
        int devnull = open ("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2 (devnull, STDOUT_FILENO);
            close (devnull);
        }
        execv (argv [0], argv);
        _exit (127);
    }
    int status = 0;
    if (pid < 0 || waitpid (pid, &status, 0) < 0)
        return -1;
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static int
s_compare_i64 (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

//  Percentile of sorted microseconds, in ms; -1 when there are none
static double
s_percentile_ms (const int64_t *sorted, long n, double p)
{
    if (n <= 0)
        return -1;
    long i = (long) (p * (double) (n - 1) + 0.5);
    return (double) sorted [i < n ? i : n - 1] / 1000.0;
}

//  The uri of a stored event {uri, version, ...}, and with origin_p the
//  ingest origin of a story record; caller frees
static char *
s_uri_of (const uint8_t *data, size_t size, char **origin_p)
{
    msgpack_zone zone;
    msgpack_zone_init (&zone, 512);
    msgpack_object root;
    char *uri = NULL;
    if (mpcheck_unpack (data, size, &zone, &root, NULL, 0) == 0
    &&  root.type == MSGPACK_OBJECT_MAP)
        for (uint32_t i = 0; i < root.via.map.size; i++) {
            msgpack_object *key = &root.via.map.ptr [i].key, *val = &root.via.map.ptr [i].val;
            if (codec_key_is (key, "uri") && !uri)
                codec_copy_str (val, &uri);
            else
            if (origin_p && codec_key_is (key, "ingest") && val->type == MSGPACK_OBJECT_MAP)
                for (uint32_t j = 0; j < val->via.map.size; j++)
                    if (codec_key_is (&val->via.map.ptr [j].key, "origin") && !*origin_p)
                        codec_copy_str (&val->via.map.ptr [j].val, origin_p);
        }
    msgpack_zone_destroy (&zone);
    return uri;
}

//  --------------------------------------------------------------------------
//  Following the tap

static void
s_track_free (void **item_p)
{
    free (*item_p);
    *item_p = NULL;
}

static void
s_follow_init (follow_t *self, long cap)
{
    memset (self, 0, sizeof *self);
    self->stories = zhashx_new ();
    zhashx_set_destructor (self->stories, s_track_free);
    self->cap = cap;
    self->latency = (int64_t *) xmalloc ((size_t) cap * sizeof (int64_t));
    self->submit_latency = (int64_t *) xmalloc ((size_t) cap * sizeof (int64_t));
}

static void
s_follow_free (follow_t *self)
{
    zhashx_destroy (&self->stories);
    free (self->latency);
    free (self->submit_latency);
    free (self->sent_at);
}

//  Take every tap message waiting (wait up to timeout ms for the first).
//  Returns the number of messages read, -1 if none came in time.
static int
s_follow (follow_t *self, void *tap, int timeout, bool paced)
{
    int read = 0;
    zmq_pollitem_t item = { tap, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll (&item, 1, timeout) <= 0)
        return -1;
    while (true) {
        zmq_msg_t topic, payload;
        zmq_msg_init (&topic);
        if (zmq_msg_recv (&topic, tap, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&topic);
            break;
        }
        read++;
        int64_t now = time_mono_usec ();
        zmq_msg_init (&payload);
        bool has_payload = zmq_msg_more (&topic) && zmq_msg_recv (&payload, tap, 0) >= 0;
        while (has_payload && zmq_msg_more (&payload)) {
            zmq_msg_t extra;
            zmq_msg_init (&extra);
            zmq_msg_recv (&extra, tap, 0);
            bool more = zmq_msg_more (&extra);
            zmq_msg_close (&extra);
            if (!more)
                break;
        }
        const char *t = (const char *) zmq_msg_data (&topic);
        size_t tsize = zmq_msg_size (&topic);
        bool is_ingested = tsize > 9 && memcmp (t, "ingested.", 9) == 0;
        bool is_stored = tsize > 7 && memcmp (t, "stored.", 7) == 0;
        bool is_dead = tsize > 5 && memcmp (t, "dead.", 5) == 0;
        if (is_dead)
            self->dead++;
        else
        if (has_payload && (is_ingested || is_stored)) {
            char *origin = NULL;
            char *uri = s_uri_of ((const uint8_t *) zmq_msg_data (&payload),
                                  zmq_msg_size (&payload), paced && is_ingested ? &origin : NULL);
            track_t *track = uri ? (track_t *) zhashx_lookup (self->stories, uri) : NULL;
            if (uri && !track) {
                track = (track_t *) xcalloc (1, sizeof (track_t));
                //  The table keeps its own copy of the key, and frees the item
                zhashx_insert (self->stories, uri, track);
            }
            bool complete = false;
            if (track && is_ingested && !track->accepted) {
                track->accepted = now;
                //  Paced: our document's origin is "paced:<index>"
                if (origin && str_starts (origin, "paced:")) {
                    long index = atol (origin + 6);
                    if (index >= 0 && index < self->sent)
                        track->submitted = self->sent_at [index];
                }
                //  The broker dispatches a publish before its journal sync
                //  and taps it after: a fast story can be stored first
                if (track->stored) {
                    self->inverted++;
                    complete = true;
                }
            }
            else
            if (track && is_stored && !track->stored) {
                track->stored = now;
                self->stored++;
                if (!self->first_stored)
                    self->first_stored = now;
                self->last_stored = now;
                complete = track->accepted != 0;
            }
            if (complete) {
                int64_t latency = track->stored - track->accepted;
                if (self->samples < self->cap)
                    self->latency [self->samples++] = latency > 0 ? latency : 0;
                if (track->submitted && self->submit_samples < self->cap)
                    self->submit_latency [self->submit_samples++] = track->stored - track->submitted;
            }
            free (uri);
            free (origin);
        }
        zmq_msg_close (&topic);
        zmq_msg_close (&payload);
    }
    return read;
}

//  --------------------------------------------------------------------------
//  Paced documents: one story each

typedef struct {
    char *origin;               //  The file it came from
    const uint8_t *data;        //  Into the file's bytes
    size_t size;
} piece_t;

typedef VEC (piece_t) piecev_t;

//  Split a file into documents: Reuters SGML at each <REUTERS ...>...
//  </REUTERS>, anything else whole. The pieces point into data.
static void
s_split (const char *path, const uint8_t *data, size_t size, piecev_t *pieces)
{
    const char *open = "<REUTERS", *close = "</REUTERS>";
    const uint8_t *p = data, *end = data + size;
    size_t found = 0;
    while (p < end) {
        const uint8_t *start = (const uint8_t *) memmem (p, (size_t) (end - p), open, strlen (open));
        if (!start)
            break;
        const uint8_t *stop = (const uint8_t *) memmem (start, (size_t) (end - start), close,
                                                        strlen (close));
        if (!stop)
            break;
        stop += strlen (close);
        piece_t *piece = vec_push (pieces);
        piece->origin = xstrdup (path);
        piece->data = start;
        piece->size = (size_t) (stop - start);
        found++;
        p = stop;
    }
    if (!found) {
        piece_t *piece = vec_push (pieces);
        piece->origin = xstrdup (path);
        piece->data = data;
        piece->size = size;
    }
}

//  Publish count pieces at rate per second while following the tap. 0 when
//  every one was settled (stored or dead), -1 if the tap fell silent.
static int
s_paced (options_t *options, const char *endpoint, void *tap, follow_t *follow)
{
    //  Load the files, split them into one-story documents
    uint8_t **files = (uint8_t **) xcalloc ((size_t) options->nfiles, sizeof (uint8_t *));
    piecev_t pieces = { 0 };
    for (int f = 0; f < options->nfiles && (long) pieces.len < options->count; f++) {
        size_t size;
        if (file_read (options->files [f], DOCUMENT_MAX_SIZE, &files [f], &size)) {
            fprintf (stderr, "bench_pipeline: cannot read %s\n", options->files [f]);
            continue;
        }
        s_split (options->files [f], files [f], size, &pieces);
    }
    long count = (long) pieces.len < options->count ? (long) pieces.len : options->count;
    follow->sent_at = (int64_t *) xcalloc ((size_t) count + 1, sizeof (int64_t));
    publisher_t *publisher = publisher_new (endpoint, 256);
    int rc = 0;
    if (!publisher || count == 0) {
        fprintf (stderr, "bench_pipeline: %s\n", count ? "cannot publish" : "no documents");
        rc = -1;
    }
    int64_t interval = (int64_t) (1e6 / options->rate);
    int64_t start = time_mono_usec ();
    int64_t last_event = start;
    buf_t buf;
    buf_init (&buf);
    char topics [128];
    snprintf (topics, sizeof topics, "pushed.%s", options->source);
    while (rc == 0 && follow->stored + follow->dead < count) {
        int64_t now = time_mono_usec ();
        if (follow->sent < count && now >= start + follow->sent * interval) {
            piece_t *piece = &pieces.items [follow->sent];
            document_t doc = {
                .source = (char *) options->source, .format = (char *) options->format,
                .origin = NULL, .data = (uint8_t *) piece->data, .size = piece->size
            };
            char origin [64], received [40];
            snprintf (origin, sizeof origin, "paced:%ld", follow->sent);
            doc.origin = origin;
            doc.received = (char *) time_now_rfc3339 (received, sizeof received);
            document_encode (&doc, &buf);
            follow->sent_at [follow->sent] = time_mono_usec ();
            if (publisher_send_buf (publisher, STAGE_INGEST, topics, &buf, NULL) == 0) {
                fprintf (stderr, "bench_pipeline: publish failed: %s\n", strerror (errno));
                rc = -1;
                break;
            }
            follow->sent++;
            continue;
        }
        publisher_poll (publisher, 0);
        int64_t wait = follow->sent < count
                     ? (start + follow->sent * interval - now + 999) / 1000 : 100;
        if (s_follow (follow, tap, (int) (wait < 0 ? 0 : wait), true) > 0)
            last_event = time_mono_usec ();
        else
        if (time_mono_usec () - last_event > (int64_t) options->timeout * 1000000) {
            fprintf (stderr, "bench_pipeline: tap silent for %d s at %ld stored, %ld dead of %ld\n",
                     options->timeout, follow->stored, follow->dead, count);
            rc = -1;
        }
    }
    //  The last stories' ingested.* may still be on the way
    while (rc == 0 && follow->samples < follow->stored && s_follow (follow, tap, 500, true) > 0)
        ;
    if (publisher)
        publisher_flush (publisher, 5000);
    publisher_destroy (&publisher);
    buf_free (&buf);
    for (size_t i = 0; i < pieces.len; i++)
        free (pieces.items [i].origin);
    free (pieces.items);
    for (int f = 0; f < options->nfiles; f++)
        free (files [f]);
    free (files);
    options->expect = count;
    return rc;
}

//  The arguments of `copydesk push` of every file; the caller frees the
//  array and its first item
static char **
s_push_argv (options_t *options, const char *home)
{
    char **push = (char **) xcalloc ((size_t) options->nfiles + 10, sizeof (char *));
    int n = 0;
    push [n++] = xasprintf ("%s/copydesk", options->bin);
    push [n++] = "--home";
    push [n++] = (char *) home;
    push [n++] = "push";
    push [n++] = "--source";
    push [n++] = (char *) options->source;
    if (options->format) {
        push [n++] = "--format";
        push [n++] = (char *) options->format;
    }
    for (int i = 0; i < options->nfiles; i++)
        push [n++] = options->files [i];
    return push;
}

//  Follow the tap until --expect stories are stored or dead: 0, or -1 after
//  --timeout seconds without a tap event
static int
s_follow_all (options_t *options, void *tap, follow_t *follow)
{
    int64_t last_event = time_mono_usec ();
    while (follow->stored + follow->dead < options->expect) {
        if (s_follow (follow, tap, 100, false) > 0)
            last_event = time_mono_usec ();
        else
        if (time_mono_usec () - last_event > (int64_t) options->timeout * 1000000) {
            fprintf (stderr, "bench_pipeline: tap silent for %d s at %ld stored, %ld dead\n",
                     options->timeout, follow->stored, follow->dead);
            return -1;
        }
    }
    return 0;
}

//  copydesk push of every file in a child; follow until expect are stored
static int
s_saturated (options_t *options, const char *home, void *tap, follow_t *follow)
{
    char **push = s_push_argv (options, home);
    pid_t pusher = fork ();
    if (pusher == 0) {
        int devnull = open ("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2 (devnull, STDOUT_FILENO);
        execv (push [0], push);
        _exit (127);
    }
    int rc = s_follow_all (options, tap, follow);
    while (rc == 0 && follow->samples < follow->stored && s_follow (follow, tap, 500, false) > 0)
        ;
    int status = 0;
    waitpid (pusher, &status, 0);
    if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
        fprintf (stderr, "bench_pipeline: copydesk push failed\n");
        rc = -1;
    }
    free (push [0]);
    free (push);
    return rc;
}

//  --------------------------------------------------------------------------
//  The processes of the pipeline

typedef struct {
    char name [64];
    long pid;
    double cpu0;                //  CPU seconds when the run started
} proc_t;

//  CPU seconds (user + system) of a process, -1 if it is gone
static double
s_cpu_seconds (long pid)
{
    char path [64], line [1024];
    snprintf (path, sizeof path, "/proc/%ld/stat", pid);
    FILE *file = fopen (path, "r");
    if (!file)
        return -1;
    double seconds = -1;
    if (fgets (line, sizeof line, file)) {
        char *p = strrchr (line, ')');
        unsigned long utime = 0, stime = 0;
        if (p && sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                         &utime, &stime) == 2)
            seconds = (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
    }
    fclose (file);
    return seconds;
}

//  The processes of the pipeline, from the pid files of the home
static size_t
s_processes (const char *home, proc_t *procs, size_t max)
{
    char *pattern = xasprintf ("%s/run/*.pid", home);
    glob_t found;
    size_t n = 0;
    if (glob (pattern, 0, NULL, &found) == 0) {
        for (size_t i = 0; i < found.gl_pathc && n < max; i++) {
            FILE *f = fopen (found.gl_pathv [i], "r");
            long pid = 0;
            if (f) {
                if (fscanf (f, "%ld", &pid) != 1)
                    pid = 0;
                fclose (f);
            }
            if (pid <= 0)
                continue;
            const char *name = strrchr (found.gl_pathv [i], '/') + 1;
            snprintf (procs [n].name, sizeof procs [n].name, "%s", name);
            char *dot = strstr (procs [n].name, ".pid");
            if (dot)
                *dot = 0;
            for (char *c = procs [n].name; *c; c++)
                if (!isalnum ((unsigned char) *c))
                    *c = '_';
            procs [n].pid = pid;
            procs [n].cpu0 = s_cpu_seconds (pid);
            n++;
        }
        globfree (&found);
    }
    free (pattern);
    return n;
}

//  Peak resident set of a process in KB, -1 if it is gone
static long
s_peak_rss_kb (long pid)
{
    char path [64], line [256];
    snprintf (path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen (path, "r");
    long hwm = -1;
    while (f && fgets (line, sizeof line, f))
        if (sscanf (line, "VmHWM: %ld", &hwm) == 1)
            break;
    if (f)
        fclose (f);
    return hwm;
}

//  --------------------------------------------------------------------------
//  Drain: the store stage alone, from a full queue

//  Depth of the store queue from `copydesk status --json`, -1 if unknown
static long
s_store_depth (const char *copydesk, const char *home)
{
    char *command = xasprintf ("'%s' --home '%s' status --json 2>/dev/null", copydesk, home);
    FILE *pipe = popen (command, "r");
    free (command);
    if (!pipe)
        return -1;
    json_error_t error;
    json_t *root = json_loadf (pipe, 0, &error);
    pclose (pipe);
    json_t *depth = json_object_get (json_object_get (json_object_get (root, "queues"), "store"),
                                     "depth");
    long value = json_is_integer (depth) ? (long) json_integer_value (depth) : -1;
    json_decref (root);
    return value;
}

//  Push the files, wait until the store queue holds every story, then start
//  one store and follow it until all are stored. *store_pid gets its pid
//  (the caller stops it), *start_p the time it was started; the CPU count
//  of procs starts again there, and the store is added to them.
static int
s_drain (options_t *options, const char *home, void *tap, follow_t *follow,
         proc_t *procs, size_t *nprocs, pid_t *store_pid, int64_t *start_p)
{
    char **push = s_push_argv (options, home);
    char *copydesk = push [0];
    int rc = s_run (push) == 0 ? 0 : -1;
    free (push);
    if (rc)
        fprintf (stderr, "bench_pipeline: copydesk push failed\n");
    //  Wait for the queue to fill (the tap's ingested.* events meanwhile
    //  are read and dropped: only stored.* counts here)
    long depth = -1, last = -1;
    int64_t changed = time_mono_usec ();
    while (rc == 0 && (depth = s_store_depth (copydesk, home)) < options->expect) {
        if (depth != last)
            changed = time_mono_usec (), last = depth;
        else
        if (time_mono_usec () - changed > (int64_t) options->timeout * 1000000) {
            fprintf (stderr, "bench_pipeline: store queue stuck at %ld of %ld\n",
                     depth, options->expect);
            rc = -1;
        }
        s_follow (follow, tap, 200, false);
    }
    free (copydesk);
    if (rc)
        return rc;
    if (follow->stored || follow->dead) {
        fprintf (stderr, "bench_pipeline: stories stored before the store started?\n");
        return -1;
    }
    //  The store, in the foreground, its log where s_store_commits looks
    char *store = xasprintf ("%s/copydesk-store", options->bin);
    char *log = xasprintf ("%s/logs/store-drain.log", home);
    for (size_t i = 0; i < *nprocs; i++)
        procs [i].cpu0 = s_cpu_seconds (procs [i].pid);
    *start_p = time_mono_usec ();
    pid_t pid = fork ();
    if (pid == 0) {
        int fd = open (log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2 (fd, STDOUT_FILENO);
            dup2 (fd, STDERR_FILENO);
            close (fd);
        }
        char *argv [] = { store, "--home", (char *) home, NULL };
        execv (argv [0], argv);
        _exit (127);
    }
    free (store);
    free (log);
    if (pid < 0)
        return -1;
    *store_pid = pid;
    snprintf (procs [*nprocs].name, sizeof procs [*nprocs].name, "store_drain");
    procs [*nprocs].pid = pid;
    procs [*nprocs].cpu0 = 0;
    (*nprocs)++;
    return s_follow_all (options, tap, follow);
}

//  Write the --set KEY=VALUE settings (section/.../name=value) into the
//  home's copydesk.cfg, one ZPL path each. 0 or -1.
static int
s_write_config (const char *home, strv_t *sets)
{
    char *path = xasprintf ("%s/copydesk.cfg", home);
    FILE *file = fopen (path, "w");
    free (path);
    if (!file)
        return -1;
    for (size_t i = 0; i < sets->len; i++) {
        char *copy = xstrdup (sets->items [i]);
        char *eq = strchr (copy, '=');
        *eq = 0;
        int depth = 0;
        char *save = NULL;
        char *parts [16];
        int n = 0;
        for (char *part = strtok_r (copy, "/", &save); part && n < 16; part = strtok_r (NULL, "/", &save))
            parts [n++] = part;
        for (depth = 0; depth < n - 1; depth++)
            fprintf (file, "%*s%s\n", depth * 4, "", parts [depth]);
        if (n > 0)
            fprintf (file, "%*s%s = %s\n", depth * 4, "", parts [n - 1], eq + 1);
        free (copy);
    }
    return fclose (file) == 0 ? 0 : -1;
}

//  Commits of the store workers, from the counters each logs when it stops
//  ("store: stopping ... commits=N"); 0 if none were found
static long
s_store_commits (const char *home)
{
    char *pattern = xasprintf ("%s/logs/store*.log", home);
    glob_t found;
    long total = 0;
    if (glob (pattern, 0, NULL, &found) == 0) {
        for (size_t i = 0; i < found.gl_pathc; i++) {
            FILE *f = fopen (found.gl_pathv [i], "r");
            char line [1024];
            long commits = 0;
            while (f && fgets (line, sizeof line, f)) {
                char *at = strstr (line, " commits=");
                if (at && strstr (line, "stopping"))
                    commits = atol (at + 9);
            }
            if (f)
                fclose (f);
            total += commits;
        }
        globfree (&found);
    }
    free (pattern);
    return total;
}

static void
s_usage (void)
{
    fprintf (stderr,
        "usage: bench_pipeline --bin DIR [--expect N [--drain] | --rate R [--count N]] [--workers SPEC]\n"
        "                      [--set K=V]\n"
        "                      [--format F] [--source S] [--timeout S] [--keep] FILE...\n"
        "  --expect N     saturated: push the files at once, wait for N stories\n"
        "  --rate R       paced: one document per story, R per second (open loop)\n"
        "  --count N      paced: documents to publish (default 5000)\n"
        "  --drain        the store alone, from a queue holding the --expect stories\n"
        "  --workers SPEC copydesk up --workers (e.g. normalize=2,classify=1)\n"
        "  --set K=V      a setting for the temp home's copydesk.cfg (store/linger_ms=0)\n"
        "  --timeout S    give up after S seconds without a tap event (default 30)\n");
}

int
main (int argc, char **argv)
{
    options_t options = { .source = "bench", .count = 5000, .timeout = 30 };
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        const char *value = i + 1 < argc ? argv [i + 1] : NULL;
        if (streq (arg, "--keep"))
            options.keep = true;
        else
        if (streq (arg, "--drain"))
            options.drain = true;
        else
        if (arg [0] != '-') {
            options.files = argv + i;
            options.nfiles = argc - i;
            break;
        }
        else
        if (!value) {
            s_usage ();
            return 2;
        }
        else {
            i++;
            if (streq (arg, "--bin"))
                options.bin = value;
            else
            if (streq (arg, "--expect"))
                options.expect = atol (value);
            else
            if (streq (arg, "--rate"))
                options.rate = atof (value);
            else
            if (streq (arg, "--count"))
                options.count = atol (value);
            else
            if (streq (arg, "--workers"))
                options.workers = value;
            else
            if (streq (arg, "--format"))
                options.format = value;
            else
            if (streq (arg, "--source"))
                options.source = value;
            else
            if (streq (arg, "--timeout"))
                options.timeout = atoi (value);
            else
            if (streq (arg, "--set") && strchr (value, '=') && strchr (value, '/'))
                strv_push (&options.sets, value);
            else {
                s_usage ();
                return 2;
            }
        }
    }
    bool paced = options.rate > 0;
    if (!options.bin || !options.nfiles || (!paced && options.expect <= 0) || (paced && options.drain)
    ||  (paced && (options.count <= 0 || options.rate > 1e6)) || options.timeout <= 0) {
        s_usage ();
        return 2;
    }
    zsys_init ();
    zsys_handler_set (NULL);
    char home_template [] = "/tmp/copydesk-bench.XXXXXX";
    char *home = mkdtemp (home_template);
    if (!home) {
        perror ("bench_pipeline: mkdtemp");
        return 2;
    }
    char *copydesk = xasprintf ("%s/copydesk", options.bin);
    //  Drain: no store until the queue holds everything
    char *workers = NULL;
    if (options.drain) {
        strv_addf (&options.sets, "broker/queues/store/high_mark=%ld", options.expect * 2 + 1000);
        workers = options.workers ? xasprintf ("%s,store=0", options.workers) : xstrdup ("store=0");
        options.workers = workers;
    }
    if (options.sets.len && s_write_config (home, &options.sets)) {
        fprintf (stderr, "bench_pipeline: cannot write %s/copydesk.cfg\n", home);
        return 1;
    }

    //  Start the pipeline
    char *up [9] = { copydesk, "--home", home, "up", "--timeout", "60", NULL, NULL, NULL };
    if (options.workers) {
        up [6] = "--workers";
        up [7] = (char *) options.workers;
    }
    if (s_run (up) != 0) {
        fprintf (stderr, "bench_pipeline: copydesk up failed (logs in %s/logs)\n", home);
        return 1;
    }
    int rc = 0;
    //  Tap subscription, live once $stats arrives
    char *tap_endpoint = xasprintf ("ipc://%s/tap.ipc", home);
    char *broker_endpoint = xasprintf ("ipc://%s/broker.ipc", home);
    void *ctx = zmq_ctx_new ();
    void *tap = zmq_socket (ctx, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt (tap, ZMQ_RCVHWM, &zero, sizeof zero);
    zmq_setsockopt (tap, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (tap, ZMQ_SUBSCRIBE, "ingested.", 9);
    zmq_setsockopt (tap, ZMQ_SUBSCRIBE, "stored.", 7);
    zmq_setsockopt (tap, ZMQ_SUBSCRIBE, "dead.", 5);
    zmq_setsockopt (tap, ZMQ_SUBSCRIBE, "$stats", 6);
    zmq_connect (tap, tap_endpoint);
    int timeout = 5000;
    zmq_setsockopt (tap, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    bool live = false;
    for (int tries = 0; tries < 10 && !live; tries++) {
        zmq_msg_t topic;
        zmq_msg_init (&topic);
        if (zmq_msg_recv (&topic, tap, 0) >= 0)
            live = zmq_msg_size (&topic) >= 6 && memcmp (zmq_msg_data (&topic), "$stats", 6) == 0;
        while (zmq_msg_more (&topic)) {
            zmq_msg_close (&topic);
            zmq_msg_init (&topic);
            zmq_msg_recv (&topic, tap, 0);
        }
        zmq_msg_close (&topic);
    }
    zmq_setsockopt (tap, ZMQ_UNSUBSCRIBE, "$stats", 6);
    if (!live) {
        fprintf (stderr, "bench_pipeline: no $stats on the tap\n");
        rc = 1;
    }
    proc_t procs [64];
    size_t nprocs = s_processes (home, procs, 63);
    follow_t follow;
    s_follow_init (&follow, paced ? options.count : options.expect * 2);
    int64_t start = time_mono_usec ();
    pid_t store_pid = 0;
    if (rc == 0) {
        if (paced)
            rc = s_paced (&options, broker_endpoint, tap, &follow) ? 1 : 0;
        else
        if (options.drain)
            rc = s_drain (&options, home, tap, &follow, procs, &nprocs, &store_pid, &start) ? 1 : 0;
        else
            rc = s_saturated (&options, home, tap, &follow) ? 1 : 0;
    }
    //  Throughput from the start (saturated) or from the first story stored
    //  (paced: the rate is ours, this only checks the pipeline kept up)
    int64_t from = paced ? follow.first_stored : start;
    double seconds = follow.last_stored > from ? (double) (follow.last_stored - from) / 1e6 : 0;
    double per_s = seconds > 0 ? (double) (paced ? follow.stored - 1 : follow.stored) / seconds : 0;
    qsort (follow.latency, (size_t) follow.samples, sizeof (int64_t), s_compare_i64);
    qsort (follow.submit_latency, (size_t) follow.submit_samples, sizeof (int64_t), s_compare_i64);
    printf ("mode=%s", paced ? "paced" : options.drain ? "drain" : "saturated");
    if (paced)
        printf (" rate=%.0f sent=%ld", options.rate, follow.sent);
    if (options.drain)
        //  Latency would only say how long the stories sat in the full queue.
        //  The rate counts the store's start-up (exec, open the database,
        //  register); first_stored_s says how long that took.
        printf (" stories=%ld dead=%ld seconds=%.2f stories_per_s=%.0f first_stored_s=%.3f",
                follow.stored, follow.dead, seconds, per_s,
                follow.first_stored > start ? (double) (follow.first_stored - start) / 1e6 : 0);
    else
    printf (" stories=%ld dead=%ld seconds=%.2f stories_per_s=%.0f latency_p50_ms=%.1f"
            " latency_p90_ms=%.1f latency_p99_ms=%.1f latency_max_ms=%.1f latency_samples=%ld"
            " stored_before_accept_tap=%ld",
            follow.stored, follow.dead, seconds, per_s,
            s_percentile_ms (follow.latency, follow.samples, 0.50),
            s_percentile_ms (follow.latency, follow.samples, 0.90),
            s_percentile_ms (follow.latency, follow.samples, 0.99),
            s_percentile_ms (follow.latency, follow.samples, 1.0), follow.samples,
            follow.inverted);
    if (paced)
        printf (" submit_p50_ms=%.1f submit_p90_ms=%.1f submit_p99_ms=%.1f submit_max_ms=%.1f"
                " submit_samples=%ld",
                s_percentile_ms (follow.submit_latency, follow.submit_samples, 0.50),
                s_percentile_ms (follow.submit_latency, follow.submit_samples, 0.90),
                s_percentile_ms (follow.submit_latency, follow.submit_samples, 0.99),
                s_percentile_ms (follow.submit_latency, follow.submit_samples, 1.0),
                follow.submit_samples);
    //  Peak RSS and CPU of every process of the pipeline
    double cpu_total = 0;
    for (size_t i = 0; i < nprocs; i++) {
        long hwm = s_peak_rss_kb (procs [i].pid);
        double cpu = s_cpu_seconds (procs [i].pid);
        if (hwm >= 0)
            printf (" rss_%s_kb=%ld", procs [i].name, hwm);
        if (cpu >= 0 && procs [i].cpu0 >= 0) {
            printf (" cpu_%s_s=%.2f", procs [i].name, cpu - procs [i].cpu0);
            cpu_total += cpu - procs [i].cpu0;
        }
    }
    printf (" cpu_total_s=%.2f status=%s\n", cpu_total,
            rc == 0 && follow.stored > 0 && follow.dead == 0 ? "ok" : "FAILED");
    fflush (stdout);
    if (store_pid > 0) {
        kill (store_pid, SIGTERM);
        waitpid (store_pid, NULL, 0);
    }
    char *down [] = { copydesk, "--home", home, "down", NULL };
    s_run (down);
    //  The store's commits, from its "stopping" line: stories per transaction
    long commits = s_store_commits (home);
    if (commits > 0)
        printf ("store_commits=%ld stories_per_commit=%.1f\n", commits,
                (double) follow.stored / (double) commits);
    fflush (stdout);
    zmq_close (tap);
    zmq_ctx_term (ctx);
    if (!options.keep)
        nftw (home, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    else
        fprintf (stderr, "bench_pipeline: home kept in %s\n", home);
    s_follow_free (&follow);
    strv_free (&options.sets);
    free (tap_endpoint);
    free (broker_endpoint);
    free (copydesk);
    free (workers);
    if (rc == 0 && !paced && follow.stored != options.expect)
        rc = 1;
    return rc;
}
