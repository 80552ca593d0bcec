//  SPDX-License-Identifier: MIT
//  supervisor - runs the pipeline's processes and keeps them running
//  (see supervisor.h)

#include "common.h"
#include "supervisor/supervisor.h"
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#define SUPERVISOR_BACKOFF_MIN  1000    //  ms before the first restart
#define SUPERVISOR_BACKOFF_MAX  60000   //  ms at most between restarts
#define SUPERVISOR_STABLE       30000   //  ms of running that resets the back-off

const char *supervisor_stages [SUPERVISOR_STAGES] = {
    STAGE_INGEST, STAGE_NORMALIZE, STAGE_CLASSIFY, STAGE_STORE
};

typedef struct {
    char *name;                 //  For logs and pid files ("normalize-1")
    char *exe;                  //  Full path of the executable
    char *log;                  //  <home>/logs/<name>.log
    char *pidfile;              //  <home>/run/<name>.pid (NULL for the broker)
    int tier;                   //  SUPERVISOR_BROKER...
    pid_t pid;                  //  Running child, 0 if none
    int64_t started;            //  When it was started (ms, monotonic)
    int64_t restart_at;         //  When to start it again, if not running
    int backoff;                //  Next restart delay, ms
    uint64_t restarts;          //  Times it was restarted
} program_t;

struct _supervisor_t {
    config_t *config;           //  Not owned
    char *home;                 //  Home folder
    char *bindir;               //  Folder of the executables
    VEC (program_t) programs;   //  In start order
    int stop_timeout;           //  ms before SIGKILL
    int64_t log_max;            //  Bytes a log may reach before it is rotated
    int64_t rotate_at;          //  Next log size check
    bool stopping;              //  Stop requested
};

static int s_signal_pipe [2] = { -1, -1 };

//  --------------------------------------------------------------------------
//  Worker counts and feeds

//  --------------------------------------------------------------------------
//  Worker counts per stage from the config: <stage>/workers (default 1).
void
supervisor_default_workers (config_t *config, int counts [SUPERVISOR_STAGES])
{
    for (int i = 0; i < SUPERVISOR_STAGES; i++) {
        char key [64];
        snprintf (key, sizeof key, "%s/workers", supervisor_stages [i]);
        int64_t n = config ? config_int (config, key, 1) : 1;
        counts [i] = n < 0 ? 0 : n > 64 ? 64 : (int) n;
    }
}

//  --------------------------------------------------------------------------
//  Parse "STAGE=N[,STAGE=N...]" into counts (stages not named keep their
//  value). Returns 0, or -1 with the problem in err.
int
supervisor_parse_workers (const char *spec, int counts [SUPERVISOR_STAGES],
                          char *err, size_t errsize)
{
    char *copy = xstrdup (spec);
    int rc = 0;
    char *save = NULL;
    for (char *item = strtok_r (copy, ",", &save); item && rc == 0;
         item = strtok_r (NULL, ",", &save)) {
        char *eq = strchr (item, '=');
        if (!eq) {
            snprintf (err, errsize, "'%s' is not STAGE=N", item);
            rc = -1;
            break;
        }
        *eq = 0;
        int stage = -1;
        for (int i = 0; i < SUPERVISOR_STAGES; i++)
            if (streq (item, supervisor_stages [i]))
                stage = i;
        char *end;
        long n = strtol (eq + 1, &end, 10);
        if (stage < 0) {
            snprintf (err, errsize, "unknown stage '%s' (ingest, normalize, classify, store)", item);
            rc = -1;
        }
        else
        if (*end || end == eq + 1 || n < 0 || n > 64) {
            snprintf (err, errsize, "'%s' wants a number of workers from 0 to 64", eq + 1);
            rc = -1;
        }
        else
            counts [stage] = (int) n;
    }
    free (copy);
    return rc;
}

//  --------------------------------------------------------------------------
//  Format counts as "ingest=1,normalize=1,classify=1,store=1" into out.
char *
supervisor_format_workers (const int counts [SUPERVISOR_STAGES], char *out, size_t size)
{
    size_t pos = 0;
    out [0] = 0;
    for (int i = 0; i < SUPERVISOR_STAGES && pos < size; i++)
        pos += (size_t) snprintf (out + pos, size - pos, "%s%s=%d", i ? "," : "",
                                  supervisor_stages [i], counts [i]);
    return out;
}

//  --------------------------------------------------------------------------
//  True if section holds at least one entry of its own: a child that is a
//  section itself (a feed with its url, a spool with its path), not one of
//  the section's settings (feeds/every = 300)
static bool
s_has_entries (zconfig_t *section)
{
    for (zconfig_t *child = section ? zconfig_child (section) : NULL; child;
         child = zconfig_next (child))
        if (zconfig_child (child))
            return true;
    return false;
}

//  True if the config declares feeds or spools for the feeder.
bool
supervisor_has_feeds (config_t *config)
{
    char *file = config_path (config, "copydesk.cfg");
    zconfig_t *root = access (file, R_OK) == 0 ? zconfig_load (file) : NULL;
    free (file);
    bool found = false;
    if (root) {
        found = s_has_entries (zconfig_locate (root, "feeds"))
             || s_has_entries (zconfig_locate (root, "spools"));
        zconfig_destroy (&root);
    }
    return found;
}

//  --------------------------------------------------------------------------
//  Construction

//  --------------------------------------------------------------------------
//  Create a supervisor for the config's home; bindir holds the executables.
supervisor_t *
supervisor_new (config_t *config, const char *bindir)
{
    assert (config);
    assert (bindir);
    supervisor_t *self = (supervisor_t *) xcalloc (1, sizeof (supervisor_t));
    self->config = config;
    self->home = xstrdup (config_home (config));
    self->bindir = xstrdup (bindir);
    self->stop_timeout = (int) config_int (config, "supervisor/stop_timeout", 10000);
    if (self->stop_timeout < 100)
        self->stop_timeout = 100;
    self->log_max = config_int (config, "supervisor/log_max", 64 * 1024 * 1024);
    return self;
}

//  --------------------------------------------------------------------------
//  Destroy and nullify. Safe on NULL.
void
supervisor_destroy (supervisor_t **self_p)
{
    assert (self_p);
    supervisor_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->programs.len; i++) {
        program_t *program = &self->programs.items [i];
        free (program->name);
        free (program->exe);
        free (program->log);
        free (program->pidfile);
    }
    free (self->programs.items);
    free (self->home);
    free (self->bindir);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Add a program: name for its log and pid files ("normalize-1"), the
//  executable's file name in bindir ("copydesk-normalize"), its tier.
void
supervisor_add (supervisor_t *self, const char *name, const char *exe, int tier)
{
    assert (self);
    program_t *program = vec_push (&self->programs);
    program->name = xstrdup (name);
    program->exe = xasprintf ("%s/%s", self->bindir, exe);
    program->log = xasprintf ("%s/logs/%s.log", self->home, name);
    //  The broker writes its own pid file
    if (tier != SUPERVISOR_BROKER)
        program->pidfile = xasprintf ("%s/run/%s.pid", self->home, name);
    program->tier = tier;
    program->backoff = SUPERVISOR_BACKOFF_MIN;
}

//  --------------------------------------------------------------------------
//  Add the broker, counts[i] workers of each stage and (if feeder) the
//  feeder.
void
supervisor_add_pipeline (supervisor_t *self, const int counts [SUPERVISOR_STAGES], bool feeder)
{
    supervisor_add (self, "broker", "copydesk-broker", SUPERVISOR_BROKER);
    for (int i = 0; i < SUPERVISOR_STAGES; i++)
        for (int n = 1; n <= counts [i]; n++) {
            char name [64], exe [64];
            snprintf (name, sizeof name, "%s-%d", supervisor_stages [i], n);
            snprintf (exe, sizeof exe, "copydesk-%s", supervisor_stages [i]);
            supervisor_add (self, name, exe, SUPERVISOR_WORKER);
        }
    if (feeder)
        supervisor_add (self, "feeder", "copydesk-feeder", SUPERVISOR_FEEDER);
}

//  --------------------------------------------------------------------------
//  Check that every executable exists. Returns 0, or -1 with a message
//  naming the missing one in err.
int
supervisor_check (supervisor_t *self, char *err, size_t errsize)
{
    for (size_t i = 0; i < self->programs.len; i++) {
        program_t *program = &self->programs.items [i];
        if (access (program->exe, X_OK) != 0) {
            snprintf (err, errsize, "%s not found (or not executable) in %s",
                      strrchr (program->exe, '/') + 1, self->bindir);
            return -1;
        }
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  Children

//  Signal handler: only writes the signal number to the self-pipe
static void
s_signal_handler (int signum)
{
    int saved = errno;
    uint8_t byte = (uint8_t) signum;
    if (s_signal_pipe [1] >= 0) {
        ssize_t rc = write (s_signal_pipe [1], &byte, 1);
        (void) rc;
    }
    errno = saved;
}

//  Fork and exec one program with its output appended to its log
static void
s_start (supervisor_t *self, program_t *program)
{
    //  Everything the child needs is prepared before fork: after it, only
    //  async-signal-safe calls
    char *argv [] = { program->exe, "--home", self->home, NULL };
    //  The environment plus COPYDESK_NAME=<name> (workers show it in READY)
    extern char **environ;
    size_t count = 0;
    while (environ [count])
        count++;
    char **envp = (char **) xcalloc (count + 2, sizeof (char *));
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (!str_starts (environ [i], "COPYDESK_NAME="))
            envp [n++] = environ [i];
    char *name_env = xasprintf ("COPYDESK_NAME=%s", program->name);
    envp [n++] = name_env;
    char now [40];
    char *banner = xasprintf ("=== %s copydesk-supervisor: starting %s\n",
                              time_now_rfc3339 (now, sizeof now), program->name);
    size_t banner_len = strlen (banner);
    int log = open (program->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log < 0) {
        zsys_error ("supervisor: cannot open %s: %s", program->log, strerror (errno));
        free (banner);
        free (envp);
        free (name_env);
        program->restart_at = zclock_mono () + program->backoff;
        return;
    }
    pid_t pid = fork ();
    if (pid == 0) {
        //  Child: its own process group (a Ctrl-C at the supervisor's
        //  terminal reaches only the supervisor, which stops children in
        //  order), default signals, no terminal, output to the log
        setpgid (0, 0);
        struct sigaction action;
        memset (&action, 0, sizeof action);
        action.sa_handler = SIG_DFL;
        sigemptyset (&action.sa_mask);
        sigaction (SIGINT, &action, NULL);
        sigaction (SIGTERM, &action, NULL);
        sigaction (SIGHUP, &action, NULL);
        sigaction (SIGCHLD, &action, NULL);
        sigset_t none;
        sigemptyset (&none);
        sigprocmask (SIG_SETMASK, &none, NULL);
        int null = open ("/dev/null", O_RDONLY);
        if (null >= 0) {
            dup2 (null, STDIN_FILENO);
            close (null);
        }
        dup2 (log, STDOUT_FILENO);
        dup2 (log, STDERR_FILENO);
        ssize_t rc = write (log, banner, banner_len);
        (void) rc;
        execve (program->exe, argv, envp);
        _exit (127);
    }
    close (log);
    free (banner);
    free (envp);
    free (name_env);
    if (pid < 0) {
        zsys_error ("supervisor: cannot start %s: %s", program->name, strerror (errno));
        program->restart_at = zclock_mono () + program->backoff;
        return;
    }
    program->pid = pid;
    program->started = zclock_mono ();
    if (program->pidfile) {
        FILE *file = fopen (program->pidfile, "w");
        if (file) {
            fprintf (file, "%d\n", (int) pid);
            fclose (file);
        }
    }
    zsys_info ("supervisor: started %s (pid %d)", program->name, (int) pid);
}

//  The program running as pid, or NULL
static program_t *
s_find_pid (supervisor_t *self, pid_t pid)
{
    for (size_t i = 0; i < self->programs.len; i++)
        if (self->programs.items [i].pid == pid)
            return &self->programs.items [i];
    return NULL;
}

//  Collect exited children; schedule restarts unless stopping
static void
s_reap (supervisor_t *self)
{
    int status;
    pid_t pid;
    while ((pid = waitpid (-1, &status, WNOHANG)) > 0) {
        program_t *program = s_find_pid (self, pid);
        if (!program)
            continue;
        program->pid = 0;
        if (program->pidfile)
            unlink (program->pidfile);
        char how [64];
        if (WIFEXITED (status))
            snprintf (how, sizeof how, "exited with status %d", WEXITSTATUS (status));
        else
        if (WIFSIGNALED (status))
            snprintf (how, sizeof how, "was killed by signal %d (%s)", WTERMSIG (status),
                      strsignal (WTERMSIG (status)));
        else
            snprintf (how, sizeof how, "stopped");
        if (self->stopping) {
            zsys_info ("supervisor: %s (pid %d) %s", program->name, (int) pid, how);
            continue;
        }
        int64_t now = zclock_mono ();
        if (now - program->started >= SUPERVISOR_STABLE)
            program->backoff = SUPERVISOR_BACKOFF_MIN;
        program->restart_at = now + program->backoff;
        zsys_warning ("supervisor: %s (pid %d) %s; restarting in %.1f s (see %s)",
                      program->name, (int) pid, how, program->backoff / 1000.0, program->log);
        program->backoff *= 2;
        if (program->backoff > SUPERVISOR_BACKOFF_MAX)
            program->backoff = SUPERVISOR_BACKOFF_MAX;
        program->restarts++;
    }
}

//  Read the signal pipe: TERM/INT stop, HUP is passed on, CHLD reaps
static void
s_handle_signals (supervisor_t *self)
{
    uint8_t bytes [32];
    ssize_t got;
    while ((got = read (s_signal_pipe [0], bytes, sizeof bytes)) > 0) {
        for (ssize_t i = 0; i < got; i++) {
            if (bytes [i] == SIGTERM || bytes [i] == SIGINT) {
                if (!self->stopping)
                    zsys_info ("supervisor: stopping (signal %d)", bytes [i]);
                self->stopping = true;
            }
            else
            if (bytes [i] == SIGHUP) {
                zsys_info ("supervisor: passing SIGHUP on to the workers (reload)");
                for (size_t p = 0; p < self->programs.len; p++)
                    if (self->programs.items [p].pid && self->programs.items [p].tier != SUPERVISOR_BROKER)
                        kill (self->programs.items [p].pid, SIGHUP);
            }
        }
    }
    s_reap (self);
}

//  Keep logs bounded: a log above log_max is copied to <log>.1 (replacing
//  the older one) and truncated in place. Children write with O_APPEND, so
//  they go on at the new end without reopening anything.
static void
s_rotate_logs (supervisor_t *self)
{
    char *logs [SUPERVISOR_STAGES * 64 + 4];
    size_t count = 0;
    for (size_t i = 0; i < self->programs.len && count < sizeof logs / sizeof logs [0] - 1; i++)
        logs [count++] = self->programs.items [i].log;
    char *own = xasprintf ("%s/logs/supervisor.log", self->home);
    logs [count++] = own;
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (self->log_max <= 0 || stat (logs [i], &st) != 0 || st.st_size <= self->log_max)
            continue;
        char *old = xasprintf ("%s.1", logs [i]);
        int from = open (logs [i], O_RDWR | O_CLOEXEC);
        int to = open (old, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        bool copied = from >= 0 && to >= 0;
        char buf [65536];
        ssize_t got;
        while (copied && (got = read (from, buf, sizeof buf)) > 0)
            copied = write (to, buf, (size_t) got) == got;
        if (copied && ftruncate (from, 0) == 0)
            zsys_info ("supervisor: rotated %s (%lld bytes) to %s", logs [i], (long long) st.st_size, old);
        else
            zsys_warning ("supervisor: cannot rotate %s: %s", logs [i], strerror (errno));
        if (from >= 0)
            close (from);
        if (to >= 0)
            close (to);
        free (old);
    }
    free (own);
}

//  Wait for signals for up to timeout ms
static void
s_wait (supervisor_t *self, int timeout)
{
    struct pollfd item = { s_signal_pipe [0], POLLIN, 0 };
    poll (&item, 1, timeout < 0 ? 0 : timeout);
    s_handle_signals (self);
}

//  True if a program of the tier is running
static bool
s_tier_running (supervisor_t *self, int tier)
{
    for (size_t i = 0; i < self->programs.len; i++)
        if (self->programs.items [i].tier == tier && self->programs.items [i].pid)
            return true;
    return false;
}

//  Stop one tier: SIGTERM, wait up to the stop timeout, then SIGKILL
static void
s_stop_tier (supervisor_t *self, int tier)
{
    if (!s_tier_running (self, tier))
        return;
    for (size_t i = 0; i < self->programs.len; i++) {
        program_t *program = &self->programs.items [i];
        if (program->tier == tier && program->pid)
            kill (program->pid, SIGTERM);
    }
    int64_t deadline = zclock_mono () + self->stop_timeout;
    while (s_tier_running (self, tier) && zclock_mono () < deadline)
        s_wait (self, 50);
    for (size_t i = 0; i < self->programs.len; i++) {
        program_t *program = &self->programs.items [i];
        if (program->tier == tier && program->pid) {
            zsys_warning ("supervisor: %s (pid %d) did not stop in %d ms; killing it",
                          program->name, (int) program->pid, self->stop_timeout);
            kill (program->pid, SIGKILL);
        }
    }
    deadline = zclock_mono () + 5000;
    while (s_tier_running (self, tier) && zclock_mono () < deadline)
        s_wait (self, 50);
}

//  Wait until the broker's ipc socket exists (so workers connect at once)
static void
s_wait_broker (supervisor_t *self)
{
    const char *endpoint = config_endpoint (self->config);
    if (!str_starts (endpoint, "ipc://"))
        return;
    int64_t deadline = zclock_mono () + 5000;
    while (zclock_mono () < deadline && !self->stopping) {
        if (access (endpoint + 6, F_OK) == 0)
            return;
        if (!s_tier_running (self, SUPERVISOR_BROKER))
            return;             //  It died: the restart logic takes over
        s_wait (self, 20);
    }
}

//  --------------------------------------------------------------------------
//  Run until SIGTERM/SIGINT, then stop everything in order. Writes
//  <home>/run/supervisor.pid while running. Returns 0, or -1 if another
//  supervisor runs for this home.
int
supervisor_run (supervisor_t *self)
{
    assert (self);
    char *run_dir = xasprintf ("%s/run", self->home);
    char *logs_dir = xasprintf ("%s/logs", self->home);
    dir_make (run_dir);
    dir_make (logs_dir);
    free (logs_dir);
    char *pidfile = xasprintf ("%s/supervisor.pid", run_dir);
    free (run_dir);

    //  One supervisor per home
    FILE *file = fopen (pidfile, "r");
    if (file) {
        int other = 0;
        if (fscanf (file, "%d", &other) == 1 && other > 0 && other != getpid ()
        &&  kill (other, 0) == 0) {
            char path [64], cmdline [256] = "";
            snprintf (path, sizeof path, "/proc/%d/cmdline", other);
            FILE *proc = fopen (path, "r");
            if (proc) {
                size_t got = fread (cmdline, 1, sizeof cmdline - 1, proc);
                cmdline [got] = 0;
                fclose (proc);
            }
            if (strstr (cmdline, "copydesk")) {
                zsys_error ("supervisor: another supervisor (pid %d) runs for %s", other, self->home);
                fclose (file);
                free (pidfile);
                return -1;
            }
        }
        fclose (file);
    }
    file = fopen (pidfile, "w");
    if (file) {
        fprintf (file, "%d\n", (int) getpid ());
        fclose (file);
    }

    zsys_handler_set (NULL);
    if (pipe2 (s_signal_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        zsys_error ("supervisor: cannot create the signal pipe: %s", strerror (errno));
        unlink (pidfile);
        free (pidfile);
        return -1;
    }
    struct sigaction action, old [4];
    memset (&action, 0, sizeof action);
    action.sa_handler = s_signal_handler;
    action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset (&action.sa_mask);
    int signals [4] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
    for (int i = 0; i < 4; i++)
        sigaction (signals [i], &action, &old [i]);

    zsys_info ("supervisor: running %zu programs for %s (pid %d)", self->programs.len,
               self->home, (int) getpid ());
    //  Start in tier order; workers once the broker listens
    for (int tier = SUPERVISOR_BROKER; tier <= SUPERVISOR_FEEDER && !self->stopping; tier++) {
        for (size_t i = 0; i < self->programs.len && !self->stopping; i++)
            if (self->programs.items [i].tier == tier)
                s_start (self, &self->programs.items [i]);
        if (tier == SUPERVISOR_BROKER)
            s_wait_broker (self);
    }
    while (!self->stopping) {
        int64_t now = zclock_mono ();
        int64_t next = now + 1000;
        if (now >= self->rotate_at) {
            s_rotate_logs (self);
            self->rotate_at = now + 60000;
        }
        for (size_t i = 0; i < self->programs.len; i++) {
            program_t *program = &self->programs.items [i];
            if (program->pid)
                continue;
            if (program->restart_at <= now)
                s_start (self, program);
            else
            if (program->restart_at < next)
                next = program->restart_at;
        }
        s_wait (self, (int) (next - zclock_mono ()));
    }
    s_stop_tier (self, SUPERVISOR_FEEDER);
    s_stop_tier (self, SUPERVISOR_WORKER);
    s_stop_tier (self, SUPERVISOR_BROKER);
    zsys_info ("supervisor: stopped");

    for (int i = 0; i < 4; i++)
        sigaction (signals [i], &old [i], NULL);
    close (s_signal_pipe [0]);
    close (s_signal_pipe [1]);
    s_signal_pipe [0] = s_signal_pipe [1] = -1;
    unlink (pidfile);
    free (pidfile);
    return 0;
}
