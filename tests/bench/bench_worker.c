//  SPDX-License-Identifier: MIT
//  bench_worker - throughput of the worker loop through the real broker
//
//  producer (publisher, window 256) -> broker -> transform worker
//  (normalize: decode the map, re-encode it with one more key, emit to
//  classify) -> broker -> sink worker (classify: count, ack). Every hop is
//  the chain of custody: the transform acks its input only after the broker
//  accepted its output, journal on (group commit). Prints messages/s from
//  the first publish to the sink's last delivery.
//
//  bench_worker [--messages N] [--size BYTES] [--credit N] [--bin DIR]
//  The broker executable is found in --bin, $COPYDESK_BIN or beside this
//  program's ../bin. Workers are forked before any ZeroMQ context exists.

#include "common.h"
#include "publisher.h"
#include <signal.h>
#include <sys/wait.h>
#include <sys/resource.h>

static int s_messages = 100000;
static int s_done_fd = -1;      //  Sink reports "first last" times here

//  --------------------------------------------------------------------------
//  Stages

static int
s_transform_handle (void *state, job_t *job)
{
    msgpack_zone zone;
    msgpack_zone_init (&zone, 2048);
    msgpack_object root;
    if (mpcheck_unpack (job_data (job), job_size (job), &zone, &root, NULL, 0) != 0
    ||  root.type != MSGPACK_OBJECT_MAP) {
        msgpack_zone_destroy (&zone);
        job_reject (job, "not a map");
        return WORKER_REJECT;
    }
    buf_t buf;
    buf_init (&buf);
    buf_reserve (&buf, job_size (job) + 64);
    msgpack_packer pk;
    codec_packer_init (&pk, &buf);
    msgpack_pack_map (&pk, root.via.map.size + 1);
    for (uint32_t i = 0; i < root.via.map.size; i++) {
        msgpack_pack_object (&pk, root.via.map.ptr [i].key);
        msgpack_pack_object (&pk, root.via.map.ptr [i].val);
    }
    codec_pack_kv_str (&pk, "stage", "normalized");
    job_emit (job, "bench.normalized", buf.data, buf.size);
    buf_free (&buf);
    msgpack_zone_destroy (&zone);
    return WORKER_DONE;
}

typedef struct {
    int count;
    int64_t first;
} sink_t;

static int
s_sink_handle (void *state, job_t *job)
{
    sink_t *self = (sink_t *) state;
    int64_t now = zclock_usecs ();
    if (self->count++ == 0)
        self->first = now;
    if (self->count == s_messages) {
        char line [64];
        int len = snprintf (line, sizeof line, "%" PRId64 " %" PRId64 "\n", self->first, now);
        ssize_t rc = write (s_done_fd, line, (size_t) len);
        (void) rc;
    }
    return WORKER_DONE;
}

static const stage_t s_transform = {
    .name = "normalize", .input = STAGE_NORMALIZE, .output = STAGE_CLASSIFY,
    .handle = s_transform_handle
};

static const stage_t s_sink = {
    .name = "classify", .input = STAGE_CLASSIFY, .output = STAGE_STORE,
    .handle = s_sink_handle
};

//  --------------------------------------------------------------------------

static pid_t
s_spawn_worker (const stage_t *stage, void *state, const char *home, int credit)
{
    pid_t pid = fork ();
    if (pid == 0) {
        config_t *config = config_load (home);
        worker_options_t options;
        worker_options_init (&options, config);
        options.credit = credit;
        int rc = worker_run (stage, state, &options);
        config_destroy (&config);
        _exit (rc == 0 ? 0 : 1);
    }
    return pid;
}

int
main (int argc, char **argv)
{
    int size = 4096, credit = 256;
    const char *bindir = getenv ("COPYDESK_BIN");
    for (int i = 1; i + 1 < argc; i += 2) {
        if (streq (argv [i], "--messages"))
            s_messages = atoi (argv [i + 1]);
        else
        if (streq (argv [i], "--size"))
            size = atoi (argv [i + 1]);
        else
        if (streq (argv [i], "--credit"))
            credit = atoi (argv [i + 1]);
        else
        if (streq (argv [i], "--bin"))
            bindir = argv [i + 1];
    }
    char *exe_dir = config_exe_dir ();
    char *broker_exe = bindir ? xasprintf ("%s/copydesk-broker", bindir)
                              : xasprintf ("%s/../bin/copydesk-broker", exe_dir);
    free (exe_dir);
    if (access (broker_exe, X_OK) != 0) {
        fprintf (stderr, "bench_worker: %s not found (--bin DIR)\n", broker_exe);
        return 1;
    }
    char home [] = "/tmp/copydesk-bench-worker-XXXXXX";
    if (!mkdtemp (home))
        return 1;
    int fds [2];
    if (pipe (fds) != 0)
        return 1;
    s_done_fd = fds [1];

    //  Broker, then the workers, all before this process touches ZeroMQ
    pid_t broker = fork ();
    if (broker == 0) {
        execl (broker_exe, broker_exe, "--home", home, (char *) NULL);
        _exit (127);
    }
    char *socket_path = xasprintf ("%s/broker.ipc", home);
    for (int i = 0; i < 500 && access (socket_path, F_OK) != 0; i++)
        usleep (10000);
    sink_t sink = { 0, 0 };
    pid_t transform = s_spawn_worker (&s_transform, NULL, home, credit);
    pid_t consumer = s_spawn_worker (&s_sink, &sink, home, credit);

    config_t *config = config_load (home);
    publisher_t *publisher = publisher_new_config (config, 256);
    buf_t payload;
    buf_init (&payload);
    char *body = (char *) xmalloc ((size_t) size);
    for (int i = 0; i < size; i++)
        body [i] = (char) ('a' + i % 26);
    int64_t started = zclock_usecs ();
    for (int i = 0; i < s_messages; i++) {
        buf_clear (&payload);
        msgpack_packer pk;
        codec_packer_init (&pk, &payload);
        msgpack_pack_map (&pk, 2);
        codec_pack_kv_int (&pk, "seq", i);
        codec_pack_str (&pk, "body");
        msgpack_pack_str_with_body (&pk, body, (size_t) (size > 40 ? size - 40 : size));
        if (publisher_send (publisher, STAGE_NORMALIZE, NULL, payload.data, payload.size, NULL) == 0) {
            fprintf (stderr, "bench_worker: publish failed: %s\n", strerror (errno));
            break;
        }
    }
    publisher_flush (publisher, 30000);
    int64_t accepted = zclock_usecs ();
    char line [128] = "";
    ssize_t got = read (fds [0], line, sizeof line - 1);
    int64_t first = 0, last = 0;
    if (got > 0) {
        line [got] = 0;
        sscanf (line, "%" SCNd64 " %" SCNd64, &first, &last);
    }
    double seconds = (last - started) / 1e6;
    printf ("bench_worker: %d messages of %d bytes, credit %d, window 256\n", s_messages, size, credit);
    printf ("  producer: all accepted in %.2f s (%.0f msgs/s into normalize)\n",
            (accepted - started) / 1e6, s_messages / ((accepted - started) / 1e6));
    printf ("  end to end (publish -> transform worker -> sink worker): %.2f s, %.0f msgs/s\n",
            seconds, s_messages / seconds);

    publisher_destroy (&publisher);
    config_destroy (&config);
    buf_free (&payload);
    free (body);
    //  CPU per message of each process: steadier than wall time on a
    //  shared machine
    struct rusage usage [3];
    kill (transform, SIGTERM);
    kill (consumer, SIGTERM);
    wait4 (transform, NULL, 0, &usage [0]);
    wait4 (consumer, NULL, 0, &usage [1]);
    kill (broker, SIGTERM);
    wait4 (broker, NULL, 0, &usage [2]);
    const char *names [3] = { "transform worker", "sink worker", "broker" };
    for (int i = 0; i < 3; i++) {
        double cpu = usage [i].ru_utime.tv_sec + usage [i].ru_utime.tv_usec / 1e6
                   + usage [i].ru_stime.tv_sec + usage [i].ru_stime.tv_usec / 1e6;
        printf ("  %-16s CPU %.2f s = %.1f us per message\n", names [i], cpu, cpu * 1e6 / s_messages);
    }
    char *command = xasprintf ("rm -rf '%s'", home);
    if (system (command) != 0)
        fprintf (stderr, "bench_worker: cannot remove %s\n", home);
    free (command);
    free (socket_path);
    free (broker_exe);
    return got > 0 ? 0 : 1;
}
