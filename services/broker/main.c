//  SPDX-License-Identifier: MIT
//  copydesk-broker - run the broker in the foreground
//
//  copydesk-broker [--home DIR] [--endpoint EP] [--tcp EP] [--verbose] [-h]
//  Writes <home>/run/broker.pid, logs with zsys, and exits 0 on SIGINT or
//  SIGTERM after a final journal sync (1 on a usage, config or start error,
//  2 if the journal failed while running).

#include "common.h"
#include "broker/broker.h"
#include <signal.h>
#include <sys/signalfd.h>

static void
s_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk-broker [--home DIR] [--endpoint EP] [--tcp EP] [--verbose] [-h]\n"
        "Run the copydesk broker in the foreground.\n\n"
        "  --home DIR      home folder (default $COPYDESK_HOME or ~/.copydesk)\n"
        "  --endpoint EP   ROUTER endpoint (default ipc://<home>/broker.ipc)\n"
        "  --tcp EP        also bind this tcp endpoint, e.g. tcp://0.0.0.0:7400\n"
        "  --verbose       log every protocol event\n"
        "  -h, --help      this help\n\n"
        "Example: copydesk-broker --home /srv/copydesk --tcp tcp://0.0.0.0:7400\n");
}

int
main (int argc, char **argv)
{
    const char *home = NULL;
    const char *endpoint = NULL;
    const char *tcp = NULL;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        bool has_value = i + 1 < argc;
        if (streq (arg, "-h") || streq (arg, "--help")) {
            s_usage (stdout);
            return 0;
        }
        else
        if (streq (arg, "--home") && has_value)
            home = argv [++i];
        else
        if (streq (arg, "--endpoint") && has_value)
            endpoint = argv [++i];
        else
        if (streq (arg, "--tcp") && has_value)
            tcp = argv [++i];
        else
        if (streq (arg, "--verbose") || streq (arg, "-v"))
            verbose = true;
        else {
            fprintf (stderr, "copydesk-broker: unknown or incomplete option %s\n", arg);
            s_usage (stderr);
            return 1;
        }
    }
    //  SIGINT and SIGTERM are blocked in every thread and read from a
    //  signalfd by this one, which then stops the broker cleanly
    sigset_t stop_signals;
    sigemptyset (&stop_signals);
    sigaddset (&stop_signals, SIGINT);
    sigaddset (&stop_signals, SIGTERM);
    pthread_sigmask (SIG_BLOCK, &stop_signals, NULL);
    int signal_fd = signalfd (-1, &stop_signals, SFD_CLOEXEC);
    zsys_handler_set (NULL);
    zsys_init ();
    zsys_set_logident ("copydesk-broker");
    config_t *config = config_load (home);
    if (!config)
        return 1;
    if (endpoint)
        config_set (config, "broker/endpoint", endpoint);
    if (tcp)
        config_set (config, "broker/tcp", tcp);
    if (verbose)
        config_set (config, "broker/verbose", "1");

    //  The pid file names the running broker; the journal lock (taken by
    //  the broker) is what keeps a second one out
    char *run_dir = config_path (config, "run");
    char *pid_path = config_path (config, "run/broker.pid");
    dir_make (run_dir);

    zactor_t *actor = zactor_new (broker_actor, config);
    zstr_send (actor, "ENDPOINT");
    char *bound = zstr_recv (actor);
    if (!bound || !*bound) {
        zsys_error ("broker: could not start on %s (see above)", config_home (config));
        zstr_free (&bound);
        zactor_destroy (&actor);
        free (run_dir);
        free (pid_path);
        config_destroy (&config);
        return 1;
    }
    zstr_free (&bound);
    FILE *pid_file = fopen (pid_path, "w");
    if (pid_file) {
        fprintf (pid_file, "%d\n", (int) getpid ());
        fclose (pid_file);
    }
    else
        zsys_warning ("broker: cannot write %s: %s", pid_path, strerror (errno));

    //  Wait for a signal; the actor runs the broker. If the actor stops on
    //  its own (journal failure), it says FAILED on its pipe.
    int status = 0;
    zmq_pollitem_t items [2] = {
        { zsock_resolve (actor), 0, ZMQ_POLLIN, 0 },
        { NULL, signal_fd, ZMQ_POLLIN, 0 }
    };
    while (true) {
        if (zmq_poll (items, signal_fd >= 0 ? 2 : 1, 1000) < 0 && errno != EINTR)
            break;
        if (items [0].revents & ZMQ_POLLIN) {
            char *message = zstr_recv (actor);
            zstr_free (&message);
            status = 2;
            break;
        }
        if (items [1].revents & ZMQ_POLLIN) {
            struct signalfd_siginfo info;
            if (read (signal_fd, &info, sizeof info) == sizeof info)
                zsys_info ("broker: signal %d, stopping", (int) info.ssi_signo);
            break;
        }
        if (zsys_interrupted)
            break;
    }
    zactor_destroy (&actor);
    if (signal_fd >= 0)
        close (signal_fd);
    unlink (pid_path);
    free (run_dir);
    free (pid_path);
    config_destroy (&config);
    return status;
}
