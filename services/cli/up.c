//  SPDX-License-Identifier: MIT
//  up, down - start the pipeline in the background, and stop it
//
//  up starts copydesk-supervisor (found next to copydesk) detached from
//  the terminal; the supervisor starts the broker, the workers and the
//  feeder and restarts them when they exit. up returns once the broker
//  answers STATUS and every worker has registered. down asks the
//  supervisor to stop everything in order (SIGTERM) and waits; if there is
//  no supervisor it stops what the pid files in <home>/run name itself.

#include "common.h"
#include "cli/commands.h"
#include "cli/cli.h"
#include "supervisor/supervisor.h"
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

//  Usage of copydesk up
static void
s_up_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk up [--workers STAGE=N ...] [--broker-only] [--foreground]\n"
        "                   [--timeout S]\n"
        "\n"
        "Starts the broker and the workers (default one per stage: ingest,\n"
        "normalize, classify, store; <stage>/workers in copydesk.cfg) in the\n"
        "background, and the feeder when copydesk.cfg declares feeds or spools.\n"
        "Returns once all of them are registered with the broker. A supervisor\n"
        "restarts any process that dies. Logs go to <home>/logs/, pid files to\n"
        "<home>/run/. Saying up when it is already up is fine.\n"
        "\n"
        "  --workers STAGE=N  workers of a stage, e.g. --workers normalize=2 (repeat,\n"
        "                     or ingest=2,store=1); 0 runs none of that stage\n"
        "  --broker-only      only the broker (no workers, no feeder)\n"
        "  --foreground       run the supervisor here until Ctrl-C (logs on stdout)\n"
        "  --timeout S        how long to wait for everything to register (default 30)\n"
        "\n"
        "Example: copydesk up --workers normalize=2 && copydesk status\n");
}

//  Usage of copydesk down
static void
s_down_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk down [--timeout S]\n"
        "\n"
        "Stops the pipeline started by copydesk up: the feeder and the workers\n"
        "first (each finishes what it holds and hands the rest back), then the\n"
        "broker, which syncs its journal. Waits until they are gone: SIGTERM, then\n"
        "SIGKILL after the timeout. Exits 0, also when nothing was running.\n"
        "\n"
        "  --timeout S   how long to wait before killing (default 30)\n"
        "\n"
        "Example: copydesk down && copydesk up --workers store=1\n");
}

//  Print the last lines of a log file to stderr, indented
static void
s_log_tail (const char *path, int lines)
{
    FILE *file = fopen (path, "r");
    if (!file)
        return;
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    long start = size > 4096 ? size - 4096 : 0;
    fseek (file, start, SEEK_SET);
    char buf [4097];
    size_t got = fread (buf, 1, 4096, file);
    fclose (file);
    buf [got] = 0;
    //  Find the start of the last `lines` lines
    char *p = buf + got;
    int seen = 0;
    while (p > buf) {
        if (p [-1] == '\n' && p != buf + got && ++seen > lines)
            break;
        p--;
    }
    if (*p == 0)
        return;
    fprintf (stderr, "  last lines of %s:\n", path);
    char *save = NULL;
    for (char *line = strtok_r (p, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
        fprintf (stderr, "    %s\n", line);
}

//  Registered workers per stage, from the broker's statistics
static void
s_registered (json_t *stats, int counts [SUPERVISOR_STAGES])
{
    memset (counts, 0, sizeof (int) * SUPERVISOR_STAGES);
    size_t index;
    json_t *worker;
    json_array_foreach (json_object_get (stats, "workers"), index, worker) {
        const char *queue = cli_json_string (worker, "queue", "");
        for (int i = 0; i < SUPERVISOR_STAGES; i++)
            if (streq (queue, supervisor_stages [i]))
                counts [i]++;
    }
}

//  Wait until the broker answers and the workers registered. 0 or -1
//  (with the message printed). supervisor: pid of our child, to notice it
//  dying.
static int
s_wait_ready (config_t *config, pid_t supervisor, const int wanted [SUPERVISOR_STAGES],
              double timeout)
{
    int64_t deadline = zclock_mono () + (int64_t) (timeout * 1000);
    int have [SUPERVISOR_STAGES] = { 0 };
    bool answered = false;
    char err [512] = "";
    while (zclock_mono () < deadline && !zsys_interrupted) {
        int status;
        if (supervisor > 0 && waitpid (supervisor, &status, WNOHANG) == supervisor) {
            fprintf (stderr, "copydesk up: the supervisor exited at once; see %s/logs/supervisor.log\n",
                     config_home (config));
            return -1;
        }
        json_t *stats = cli_stats (config, 500, err, sizeof err);
        if (stats) {
            answered = true;
            s_registered (stats, have);
            json_decref (stats);
            bool ready = true;
            for (int i = 0; i < SUPERVISOR_STAGES; i++)
                ready &= have [i] >= wanted [i];
            if (ready)
                return 0;
        }
        zclock_sleep (100);
    }
    if (zsys_interrupted) {
        fprintf (stderr, "copydesk up: interrupted\n");
        return -1;
    }
    if (!answered) {
        char *log = config_path (config, "logs/broker.log");
        fprintf (stderr, "copydesk up: the broker did not come up within %.0f s; see %s\n",
                 timeout, log);
        s_log_tail (log, 6);
        free (log);
        return -1;
    }
    for (int i = 0; i < SUPERVISOR_STAGES; i++)
        if (have [i] < wanted [i]) {
            char name [64];
            snprintf (name, sizeof name, "logs/%s-1.log", supervisor_stages [i]);
            char *log = config_path (config, name);
            fprintf (stderr, "copydesk up: timed out after %.0f s: %d of %d %s workers registered; "
                     "see %s\n", timeout, have [i], wanted [i], supervisor_stages [i], log);
            s_log_tail (log, 6);
            free (log);
            return -1;
        }
    return -1;
}

//  --------------------------------------------------------------------------
//  copydesk up: start the supervisor (and through it the broker, workers,
//  feeder) in the background and wait until everything is registered
int
cmd_up (int argc, char **argv, config_t *config)
{
    int counts [SUPERVISOR_STAGES];
    supervisor_default_workers (config, counts);
    bool broker_only = false, foreground = false;
    double timeout = 30;
    for (int i = 1; i < argc; i++) {
        const char *value;
        int rc = 0;
        if (cli_is_help (argv [i])) {
            s_up_usage (stdout);
            return 0;
        }
        else
        if (streq (argv [i], "--broker-only"))
            broker_only = true;
        else
        if (streq (argv [i], "--foreground"))
            foreground = true;
        else
        if ((rc = cli_opt ("up", argc, argv, &i, "--workers", &value)) != 0) {
            char err [256];
            if (rc > 0 && supervisor_parse_workers (value, counts, err, sizeof err) != 0) {
                fprintf (stderr, "copydesk up: --workers: %s\n", err);
                rc = -1;
            }
        }
        else
        if ((rc = cli_opt ("up", argc, argv, &i, "--timeout", &value)) != 0) {
            if (rc > 0 && cli_number ("up", "--timeout", value, 1, 3600, &timeout))
                rc = -1;
        }
        else {
            fprintf (stderr, "copydesk up: unknown argument '%s' (see --help)\n", argv [i]);
            rc = -1;
        }
        if (rc < 0)
            return 2;
    }
    if (broker_only)
        memset (counts, 0, sizeof counts);

    const char *home = config_home (config);
    char *pidfile = config_path (config, "run/supervisor.pid");
    pid_t running = cli_pid_read (pidfile);
    free (pidfile);
    if (cli_pid_alive (running)) {
        printf ("copydesk is already up (supervisor pid %d, home %s); copydesk status shows it "
                "(copydesk down first to run other workers)\n", (int) running, home);
        return 0;
    }
    char *broker_pidfile = config_path (config, "run/broker.pid");
    pid_t broker = cli_pid_read (broker_pidfile);
    free (broker_pidfile);
    if (cli_pid_alive (broker)) {
        fprintf (stderr, "copydesk up: a broker (pid %d) already runs for %s without a supervisor; "
                 "stop it first (copydesk down)\n", (int) broker, home);
        return 1;
    }

    char *bindir = config_exe_dir ();
    if (!bindir) {
        fprintf (stderr, "copydesk up: cannot find the folder of the executables\n");
        return 1;
    }
    //  Every executable must be there before anything starts
    supervisor_t *check = supervisor_new (config, bindir);
    supervisor_add (check, "supervisor", "copydesk-supervisor", SUPERVISOR_BROKER);
    supervisor_add_pipeline (check, counts, false);
    char err [512];
    int rc = supervisor_check (check, err, sizeof err);
    supervisor_destroy (&check);
    if (rc != 0) {
        fprintf (stderr, "copydesk up: cannot start: %s (build it, or leave that stage out "
                 "with --workers STAGE=0)\n", err);
        free (bindir);
        return 1;
    }
    char *logs = config_path (config, "logs");
    char *run = config_path (config, "run");
    dir_make (logs);
    dir_make (run);
    free (run);

    char workers [256];
    supervisor_format_workers (counts, workers, sizeof workers);
    char *exe = xasprintf ("%s/copydesk-supervisor", bindir);
    char *args [] = { exe, "--home", (char *) home, "--workers", workers,
                      broker_only ? "--no-feeder" : NULL, NULL };
    if (foreground) {
        fflush (stdout);
        fflush (stderr);
        execv (exe, args);
        fprintf (stderr, "copydesk up: cannot run %s: %s\n", exe, strerror (errno));
        free (exe);
        free (logs);
        free (bindir);
        return 1;
    }
    char *log = xasprintf ("%s/supervisor.log", logs);
    int log_fd = open (log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log_fd < 0) {
        fprintf (stderr, "copydesk up: cannot open %s: %s\n", log, strerror (errno));
        free (log);
        free (exe);
        free (logs);
        free (bindir);
        return 1;
    }
    fflush (stdout);
    fflush (stderr);
    pid_t pid = fork ();
    if (pid == 0) {
        //  Detach: own session, no terminal, output to the log
        setsid ();
        struct sigaction action;
        memset (&action, 0, sizeof action);
        action.sa_handler = SIG_DFL;
        sigemptyset (&action.sa_mask);
        sigaction (SIGINT, &action, NULL);
        sigaction (SIGTERM, &action, NULL);
        int null = open ("/dev/null", O_RDONLY);
        if (null >= 0) {
            dup2 (null, STDIN_FILENO);
            close (null);
        }
        dup2 (log_fd, STDOUT_FILENO);
        dup2 (log_fd, STDERR_FILENO);
        execv (exe, args);
        _exit (127);
    }
    close (log_fd);
    if (pid < 0) {
        fprintf (stderr, "copydesk up: cannot start the supervisor: %s\n", strerror (errno));
        rc = 1;
    }
    else
    if (s_wait_ready (config, pid, counts, timeout) != 0) {
        //  Leave nothing half-running behind a failed up
        if (waitpid (pid, NULL, WNOHANG) == 0) {
            fprintf (stderr, "copydesk up: stopping what was started\n");
            kill (pid, SIGTERM);
            int64_t deadline = zclock_mono () + 30000;
            while (waitpid (pid, NULL, WNOHANG) == 0 && zclock_mono () < deadline)
                zclock_sleep (50);
            if (waitpid (pid, NULL, WNOHANG) == 0) {
                kill (pid, SIGKILL);
                waitpid (pid, NULL, 0);
            }
        }
        rc = 1;
    }
    else {
        if (broker_only)
            printf ("copydesk is up: broker only (home %s, logs in %s)\n", home, logs);
        else
            printf ("copydesk is up: broker + workers %s (home %s, logs in %s)\n", workers, home, logs);
        rc = 0;
    }
    free (log);
    free (exe);
    free (logs);
    free (bindir);
    return rc;
}

//  --------------------------------------------------------------------------
//  down

//  SIGTERM each pid, wait until gone or timeout, then SIGKILL
static void
s_stop_pids (pid_t *pids, size_t count, double timeout)
{
    for (size_t i = 0; i < count; i++)
        if (cli_pid_alive (pids [i]))
            kill (pids [i], SIGTERM);
    int64_t deadline = zclock_mono () + (int64_t) (timeout * 1000);
    while (zclock_mono () < deadline) {
        bool alive = false;
        for (size_t i = 0; i < count; i++)
            alive |= cli_pid_alive (pids [i]);
        if (!alive)
            return;
        zclock_sleep (50);
    }
    for (size_t i = 0; i < count; i++)
        if (cli_pid_alive (pids [i])) {
            fprintf (stderr, "copydesk down: pid %d did not stop in %.0f s; killing it\n",
                     (int) pids [i], timeout);
            kill (pids [i], SIGKILL);
        }
}

//  --------------------------------------------------------------------------
//  copydesk down: stop the supervisor (it stops the rest in order), then
//  whatever the pid files still name: workers and feeder, then the broker
int
cmd_down (int argc, char **argv, config_t *config)
{
    double timeout = 30;
    for (int i = 1; i < argc; i++) {
        const char *value;
        int rc = 0;
        if (cli_is_help (argv [i])) {
            s_down_usage (stdout);
            return 0;
        }
        else
        if ((rc = cli_opt ("down", argc, argv, &i, "--timeout", &value)) != 0) {
            if (rc > 0 && cli_number ("down", "--timeout", value, 0.1, 3600, &timeout))
                rc = -1;
        }
        else {
            fprintf (stderr, "copydesk down: unknown argument '%s' (see --help)\n", argv [i]);
            rc = -1;
        }
        if (rc < 0)
            return 2;
    }
    bool stopped = false;
    char *run = config_path (config, "run");
    char *pidfile = config_path (config, "run/supervisor.pid");
    pid_t supervisor = cli_pid_read (pidfile);
    if (cli_pid_alive (supervisor)) {
        s_stop_pids (&supervisor, 1, timeout);
        stopped = true;
    }
    unlink (pidfile);
    free (pidfile);

    //  Whatever is left (no supervisor, or it was killed): workers and
    //  feeder first, then the broker
    VEC (pid_t) others = { NULL, 0, 0 };
    pid_t broker = 0;
    strv_t files = { NULL, 0, 0 };
    DIR *dir = opendir (run);
    if (dir) {
        struct dirent *entry;
        while ((entry = readdir (dir)))
            if (str_ends (entry->d_name, ".pid"))
                strv_push (&files, entry->d_name);
        closedir (dir);
    }
    for (size_t i = 0; i < files.len; i++) {
        char *path = xasprintf ("%s/%s", run, files.items [i]);
        pid_t pid = cli_pid_read (path);
        if (cli_pid_alive (pid)) {
            if (streq (files.items [i], "broker.pid"))
                broker = pid;
            else {
                pid_t *slot = vec_push (&others);
                *slot = pid;
            }
        }
        else
            unlink (path);      //  Stale
        free (path);
    }
    if (others.len) {
        s_stop_pids (others.items, others.len, timeout);
        stopped = true;
    }
    if (broker) {
        s_stop_pids (&broker, 1, timeout);
        stopped = true;
    }
    for (size_t i = 0; i < files.len; i++) {
        char *path = xasprintf ("%s/%s", run, files.items [i]);
        pid_t pid = cli_pid_read (path);
        if (!cli_pid_alive (pid))
            unlink (path);
        free (path);
    }
    strv_free (&files);
    free (others.items);
    free (run);
    printf (stopped ? "copydesk is down (home %s)\n" : "copydesk was not running (home %s)\n",
            config_home (config));
    return 0;
}
