//  SPDX-License-Identifier: MIT
//  bench_pipeline - the whole pipeline on a corpus: stories/s, accept->stored
//  latency, peak RSS per process
//
//  Starts the pipeline with `copydesk up` in a temporary home, subscribes to
//  the broker's tap (ingested.*, stored.*; $stats to know the subscription is
//  live), pushes the files with `copydesk push`, and follows every story from
//  the moment the broker accepted it into the normalize queue (the
//  `ingested.<source>` tap event, sent right after the ACCEPT) to the moment
//  the store committed it (`stored.<source>`). Stops when --expect distinct
//  stories are stored. Prints one line of key=value figures:
//
//    stories=21578 seconds=… stories_per_s=… latency_p50_ms=… latency_p99_ms=…
//    latency_samples=… rss_<process>_kb=… …
//
//  Usage: bench_pipeline --bin DIR --expect N [--workers SPEC] [--format F]
//         [--source S] [--keep] FILE...

#include "common.h"
#include <sys/wait.h>
#include <ftw.h>
#include <glob.h>

static int64_t
s_now_us (void)
{
    return time_mono_usec ();
}

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

//  The uri inside a stored event {uri, version, ...} or a story record
static char *
s_uri_of (const uint8_t *data, size_t size)
{
    msgpack_zone zone;
    msgpack_zone_init (&zone, 512);
    msgpack_object root;
    char *uri = NULL;
    if (mpcheck_unpack (data, size, &zone, &root, NULL, 0) == 0
    &&  root.type == MSGPACK_OBJECT_MAP)
        for (uint32_t i = 0; i < root.via.map.size; i++)
            if (codec_key_is (&root.via.map.ptr [i].key, "uri"))
                codec_copy_str (&root.via.map.ptr [i].val, &uri);
    msgpack_zone_destroy (&zone);
    return uri;
}

int
main (int argc, char **argv)
{
    const char *bin = NULL, *workers = NULL, *format = NULL, *source = "bench";
    long expect = 0;
    bool keep = false;
    int first_file = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv [i], "--bin") == 0 && i + 1 < argc)
            bin = argv [++i];
        else
        if (strcmp (argv [i], "--expect") == 0 && i + 1 < argc)
            expect = atol (argv [++i]);
        else
        if (strcmp (argv [i], "--workers") == 0 && i + 1 < argc)
            workers = argv [++i];
        else
        if (strcmp (argv [i], "--format") == 0 && i + 1 < argc)
            format = argv [++i];
        else
        if (strcmp (argv [i], "--source") == 0 && i + 1 < argc)
            source = argv [++i];
        else
        if (strcmp (argv [i], "--keep") == 0)
            keep = true;
        else
        if (argv [i][0] == '-') {
            fprintf (stderr, "usage: bench_pipeline --bin DIR --expect N [--workers SPEC] "
                             "[--format F] [--source S] [--keep] FILE...\n");
            return 2;
        }
        else {
            first_file = i;
            break;
        }
    }
    if (!bin || expect <= 0 || !first_file) {
        fprintf (stderr, "bench_pipeline: --bin, --expect and files are required\n");
        return 2;
    }
    zsys_init ();
    zsys_handler_set (NULL);
    char home_template [] = "/tmp/copydesk-bench.XXXXXX";
    char *home = mkdtemp (home_template);
    assert (home);
    char *copydesk = xasprintf ("%s/copydesk", bin);

    //  Start the pipeline
    char *up [9] = { copydesk, "--home", home, "up", "--timeout", "60", NULL, NULL, NULL };
    char *workers_arg = workers ? xstrdup (workers) : NULL;
    if (workers_arg) {
        up [6] = "--workers";
        up [7] = workers_arg;
    }
    if (s_run (up) != 0) {
        fprintf (stderr, "bench_pipeline: copydesk up failed (logs in %s/logs)\n", home);
        return 1;
    }
    //  Tap subscription, live once $stats arrives
    char *tap_endpoint = xasprintf ("ipc://%s/tap.ipc", home);
    void *ctx = zmq_ctx_new ();
    void *tap = zmq_socket (ctx, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt (tap, ZMQ_RCVHWM, &zero, sizeof zero);
    zmq_setsockopt (tap, ZMQ_SUBSCRIBE, "ingested.", 9);
    zmq_setsockopt (tap, ZMQ_SUBSCRIBE, "stored.", 7);
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
    if (!live) {
        fprintf (stderr, "bench_pipeline: no $stats on the tap\n");
        return 1;
    }
    zmq_setsockopt (tap, ZMQ_UNSUBSCRIBE, "$stats", 6);
    //  Push in the background
    int nfiles = argc - first_file;
    char **push = (char **) xcalloc ((size_t) nfiles + 10, sizeof (char *));
    int n = 0;
    push [n++] = copydesk;
    push [n++] = "--home";
    push [n++] = home;
    push [n++] = "push";
    push [n++] = "--source";
    push [n++] = (char *) source;
    if (format) {
        push [n++] = "--format";
        push [n++] = (char *) format;
    }
    for (int i = first_file; i < argc; i++)
        push [n++] = argv [i];
    int64_t start = s_now_us ();
    pid_t pusher = fork ();
    if (pusher == 0) {
        int devnull = open ("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2 (devnull, STDOUT_FILENO);
        execv (push [0], push);
        _exit (127);
    }
    //  Follow the stories
    zhashx_t *accepted = zhashx_new ();        //  uri -> int64 time (boxed)
    zhashx_set_destructor (accepted, NULL);
    zhashx_t *stored = zhashx_new ();
    int64_t *latencies = (int64_t *) xmalloc ((size_t) expect * 2 * sizeof (int64_t));
    long samples = 0, stored_count = 0;
    int64_t last_stored = start;
    int64_t *times = (int64_t *) xmalloc ((size_t) expect * 2 * sizeof (int64_t));
    long times_used = 0;
    timeout = 30000;
    zmq_setsockopt (tap, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    while (stored_count < expect) {
        zmq_msg_t topic, payload;
        zmq_msg_init (&topic);
        zmq_msg_init (&payload);
        if (zmq_msg_recv (&topic, tap, 0) < 0) {
            fprintf (stderr, "bench_pipeline: tap silent for 30 s at %ld stored (events lost on the tap)\n",
                     stored_count);
            break;
        }
        int64_t now = s_now_us ();
        bool has_payload = zmq_msg_more (&topic) && zmq_msg_recv (&payload, tap, 0) >= 0;
        while (zmq_msg_more (&payload)) {
            zmq_msg_t extra;
            zmq_msg_init (&extra);
            zmq_msg_recv (&extra, tap, 0);
            zmq_msg_close (&extra);
        }
        const char *t = (const char *) zmq_msg_data (&topic);
        size_t tsize = zmq_msg_size (&topic);
        bool is_ingested = tsize > 9 && memcmp (t, "ingested.", 9) == 0;
        bool is_stored = tsize > 7 && memcmp (t, "stored.", 7) == 0;
        if (has_payload && (is_ingested || is_stored)) {
            char *uri = s_uri_of ((const uint8_t *) zmq_msg_data (&payload),
                                  zmq_msg_size (&payload));
            if (uri && is_ingested && !zhashx_lookup (accepted, uri) && times_used < expect * 2) {
                times [times_used] = now;
                zhashx_insert (accepted, uri, &times [times_used++]);
            }
            else
            if (uri && is_stored && !zhashx_lookup (stored, uri)) {
                zhashx_insert (stored, uri, (void *) 1);
                stored_count++;
                last_stored = now;
                int64_t *at = (int64_t *) zhashx_lookup (accepted, uri);
                if (at && samples < expect * 2)
                    latencies [samples++] = now - *at;
            }
            free (uri);
        }
        zmq_msg_close (&topic);
        zmq_msg_close (&payload);
    }
    int status = 0;
    waitpid (pusher, &status, 0);
    double seconds = (double) (last_stored - start) / 1e6;
    qsort (latencies, (size_t) samples, sizeof (int64_t), s_compare_i64);
    double p50 = samples ? latencies [samples / 2] / 1000.0 : -1;
    double p99 = samples ? latencies [(samples * 99) / 100] / 1000.0 : -1;
    printf ("stories=%ld seconds=%.2f stories_per_s=%.0f latency_p50_ms=%.1f latency_p99_ms=%.1f latency_samples=%ld",
            stored_count, seconds, seconds > 0 ? stored_count / seconds : 0, p50, p99, samples);
    //  Peak RSS of every process of the pipeline
    char *pattern = xasprintf ("%s/run/*.pid", home);
    glob_t found;
    if (glob (pattern, 0, NULL, &found) == 0) {
        for (size_t i = 0; i < found.gl_pathc; i++) {
            FILE *f = fopen (found.gl_pathv [i], "r");
            long pid = 0;
            if (f) {
                if (fscanf (f, "%ld", &pid) != 1)
                    pid = 0;
                fclose (f);
            }
            char path [64], line [256];
            snprintf (path, sizeof path, "/proc/%ld/status", pid);
            f = pid ? fopen (path, "r") : NULL;
            long hwm = -1;
            while (f && fgets (line, sizeof line, f))
                if (sscanf (line, "VmHWM: %ld", &hwm) == 1)
                    break;
            if (f)
                fclose (f);
            char *name = strrchr (found.gl_pathv [i], '/') + 1;
            char *dot = strstr (name, ".pid");
            if (dot)
                *dot = 0;
            if (hwm >= 0)
                printf (" rss_%s_kb=%ld", name, hwm);
        }
        globfree (&found);
    }
    printf ("\n");
    fflush (stdout);
    char *down [] = { copydesk, "--home", home, "down", NULL };
    s_run (down);
    zmq_close (tap);
    zmq_ctx_term (ctx);
    if (!keep)
        nftw (home, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    else
        fprintf (stderr, "bench_pipeline: home kept in %s\n", home);
    zhashx_destroy (&accepted);
    zhashx_destroy (&stored);
    free (latencies);
    free (times);
    free (push);
    free (pattern);
    free (tap_endpoint);
    free (workers_arg);
    free (copydesk);
    return stored_count == expect ? 0 : 1;
}
