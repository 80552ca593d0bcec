//  SPDX-License-Identifier: MIT
//  cli - helpers shared by the copydesk commands (see cli.h)

#include "common.h"
#include "ninjs.h"
#include "cli/cli.h"
#include <openssl/evp.h>
#include <signal.h>
#include <sys/ioctl.h>

#define CLI_JSON_DEPTH 64

//  --------------------------------------------------------------------------
//  Options

//  --------------------------------------------------------------------------
//  If argv[*i] is the option name, as "--name VALUE" or "--name=VALUE",
//  store the value, move *i past it and return 1. Return 0 if argv[*i] is
//  something else, -1 (with a message naming cmd) if the value is missing.
int
cli_opt (const char *cmd, int argc, char **argv, int *i, const char *name,
         const char **value)
{
    const char *arg = argv [*i];
    size_t len = strlen (name);
    if (strncmp (arg, name, len) != 0)
        return 0;
    if (arg [len] == '=') {
        *value = arg + len + 1;
        return 1;
    }
    if (arg [len] != 0)
        return 0;
    if (*i + 1 >= argc) {
        fprintf (stderr, "copydesk %s: %s needs a value (see copydesk %s --help)\n",
                 cmd, name, cmd);
        return -1;
    }
    *i += 1;
    *value = argv [*i];
    return 1;
}

//  --------------------------------------------------------------------------
//  Parse a number in [min, max] for option name of cmd. Returns 0, or -1
//  with a message on stderr.
int
cli_number (const char *cmd, const char *name, const char *text,
            double min, double max, double *out)
{
    char *end;
    errno = 0;
    double value = strtod (text, &end);
    if (errno || end == text || *end || isnan (value) || value < min || value > max) {
        fprintf (stderr, "copydesk %s: %s wants a number from %g to %g, not '%s'\n",
                 cmd, name, min, max, text);
        return -1;
    }
    *out = value;
    return 0;
}

//  --------------------------------------------------------------------------
//  True if arg is -h or --help
bool
cli_is_help (const char *arg)
{
    return streq (arg, "-h") || streq (arg, "--help");
}

//  --------------------------------------------------------------------------
//  The broker

//  --------------------------------------------------------------------------
//  True if the broker looks up: for an ipc endpoint, its socket file exists
//  and <home>/run/broker.pid names a live process (either check is skipped
//  when it does not apply). A cheap pre-check before talking to it.
bool
cli_broker_running (config_t *config)
{
    const char *endpoint = config_endpoint (config);
    if (str_starts (endpoint, "ipc://")) {
        struct stat st;
        if (stat (endpoint + 6, &st) != 0)
            return false;
    }
    char *pidfile = config_path (config, "run/broker.pid");
    pid_t pid = cli_pid_read (pidfile);
    free (pidfile);
    //  A broker on another host (tcp) has no pid file here: let it answer
    if (pid > 0 && !cli_pid_alive (pid))
        return false;
    return true;
}

//  --------------------------------------------------------------------------
//  The message to print when the broker cannot be reached
void
cli_unreachable (config_t *config, char *out, size_t size)
{
    snprintf (out, size, "cannot reach the broker at %s; is `copydesk up` running?",
              config_endpoint (config));
}

//  --------------------------------------------------------------------------
//  Ask the broker for its statistics (STATUS -> STATS, docs/protocol.md
//  §6). Returns the map as JSON (caller decrefs), or NULL with the reason
//  in err when the broker is not running or did not answer in timeout ms.
json_t *
cli_stats (config_t *config, int timeout, char *err, size_t errsize)
{
    if (!cli_broker_running (config)) {
        snprintf (err, errsize, "the broker is not running (home %s); start it with `copydesk up`",
                  config_home (config));
        return NULL;
    }
    zsock_t *socket = zsock_new (ZMQ_DEALER);
    if (!socket) {
        snprintf (err, errsize, "cannot create a socket");
        return NULL;
    }
    zsock_set_linger (socket, 0);
    if (zsock_connect (socket, "%s", config_endpoint (config)) != 0) {
        snprintf (err, errsize, "invalid broker endpoint %s", config_endpoint (config));
        zsock_destroy (&socket);
        return NULL;
    }
    void *raw = zsock_resolve (socket);
    json_t *stats = NULL;
    proto_send (raw, NULL, 0, PROTO_STATUS, 0, NULL);
    int64_t deadline = zclock_mono () + timeout;
    while (!stats) {
        int64_t left = deadline - zclock_mono ();
        if (left <= 0)
            break;
        zmq_pollitem_t item = { raw, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, (long) left) < 0) {
            if (zsys_interrupted)
                break;
            continue;
        }
        if (!(item.revents & ZMQ_POLLIN))
            continue;
        proto_msg_t msg;
        if (proto_recv (raw, &msg, false, ZMQ_DONTWAIT) != 0)
            continue;
        const char *code;
        if (proto_check (&msg, &code) == 0 && msg.command == PROTO_STATS) {
            stats = cli_json_from_bytes (proto_arg (&msg, 0), proto_arg_size (&msg, 0), 0);
            if (!stats || !json_is_object (stats)) {
                json_decref (stats);
                stats = NULL;
                snprintf (err, errsize, "the broker sent statistics that do not decode");
                proto_close (&msg);
                zsock_destroy (&socket);
                return NULL;
            }
        }
        proto_close (&msg);
    }
    zsock_destroy (&socket);
    if (!stats) {
        if (zsys_interrupted)
            snprintf (err, errsize, "interrupted");
        else
            snprintf (err, errsize, "the broker at %s did not answer within %.1f s; "
                      "is `copydesk up` running?", config_endpoint (config), timeout / 1000.0);
    }
    return stats;
}

//  --------------------------------------------------------------------------
//  JSON

//  A JSON string from msgpack bytes, repaired if not valid UTF-8
static json_t *
s_json_string (const char *data, size_t size)
{
    json_t *json = json_stringn (data, size);
    if (json)
        return json;
    //  Not valid UTF-8 (or an embedded NUL jansson refused): repair
    char *fixed = text_utf8_repair (data, size, NULL);
    json = json_string (fixed ? fixed : "");
    free (fixed);
    return json ? json : json_string ("");
}

//  A binary value: its size, and base64 when small enough
static json_t *
s_json_bin (const char *data, size_t size, size_t bin_inline)
{
    json_t *json = json_object ();
    json_object_set_new (json, "size", json_integer ((json_int_t) size));
    if (size <= bin_inline) {
        size_t out_size = 4 * ((size + 2) / 3) + 1;
        unsigned char *out = (unsigned char *) xmalloc (out_size);
        int len = EVP_EncodeBlock (out, (const unsigned char *) data, (int) size);
        json_object_set_new (json, "base64", json_stringn ((char *) out, len > 0 ? (size_t) len : 0));
        free (out);
    }
    return json;
}

//  Convert one msgpack object, recursively (bounded depth)
static json_t *
s_json_from (const msgpack_object *o, size_t bin_inline, int depth)
{
    if (depth > CLI_JSON_DEPTH)
        return json_null ();
    switch (o->type) {
        case MSGPACK_OBJECT_NIL:
            return json_null ();
        case MSGPACK_OBJECT_BOOLEAN:
            return json_boolean (o->via.boolean);
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            if (o->via.u64 > (uint64_t) INT64_MAX)
                return json_real ((double) o->via.u64);
            return json_integer ((json_int_t) o->via.u64);
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            return json_integer ((json_int_t) o->via.i64);
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
            if (isnan (o->via.f64) || isinf (o->via.f64))
                return json_null ();
            return json_real (o->via.f64);
        case MSGPACK_OBJECT_STR:
            return s_json_string (o->via.str.ptr, o->via.str.size);
        case MSGPACK_OBJECT_BIN:
            return s_json_bin (o->via.bin.ptr, o->via.bin.size, bin_inline);
        case MSGPACK_OBJECT_ARRAY: {
            json_t *array = json_array ();
            for (uint32_t i = 0; i < o->via.array.size; i++)
                json_array_append_new (array, s_json_from (&o->via.array.ptr [i], bin_inline, depth + 1));
            return array;
        }
        case MSGPACK_OBJECT_MAP: {
            json_t *object = json_object ();
            for (uint32_t i = 0; i < o->via.map.size; i++) {
                const msgpack_object *k = &o->via.map.ptr [i].key;
                char *key = NULL;
                if (k->type == MSGPACK_OBJECT_STR || k->type == MSGPACK_OBJECT_BIN) {
                    const char *ptr = k->type == MSGPACK_OBJECT_STR ? k->via.str.ptr : k->via.bin.ptr;
                    uint32_t len = k->type == MSGPACK_OBJECT_STR ? k->via.str.size : k->via.bin.size;
                    key = text_utf8_repair (ptr, len, NULL);
                }
                else
                if (k->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
                    key = xasprintf ("%" PRIu64, k->via.u64);
                else
                if (k->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
                    key = xasprintf ("%" PRId64, k->via.i64);
                else
                if (k->type == MSGPACK_OBJECT_BOOLEAN)
                    key = xstrdup (k->via.boolean ? "true" : "false");
                if (!key)
                    continue;   //  A key JSON cannot hold
                json_object_set_new (object, key, s_json_from (&o->via.map.ptr [i].val, bin_inline, depth + 1));
                free (key);
            }
            return object;
        }
        case MSGPACK_OBJECT_EXT: {
            json_t *object = json_object ();
            json_object_set_new (object, "ext", json_integer (o->via.ext.type));
            json_object_set_new (object, "size", json_integer (o->via.ext.size));
            return object;
        }
        default:
            return json_null ();
    }
}

//  --------------------------------------------------------------------------
//  One msgpack object as JSON. Binary values become {"size": n} plus
//  "base64" when at most bin_inline bytes; strings that are not valid UTF-8
//  are repaired; nesting deeper than 64 becomes null. Caller owns it.
json_t *
cli_json_from_msgpack (const msgpack_object *object, size_t bin_inline)
{
    assert (object);
    return s_json_from (object, bin_inline, 0);
}

//  --------------------------------------------------------------------------
//  Decode msgpack bytes (validated first) to JSON; NULL if they are not
//  one valid msgpack object.
json_t *
cli_json_from_bytes (const uint8_t *data, size_t size, size_t bin_inline)
{
    msgpack_zone zone;
    if (!msgpack_zone_init (&zone, 2048))
        return NULL;
    msgpack_object root;
    json_t *json = NULL;
    if (mpcheck_unpack (data, size, &zone, &root, NULL, 0) == 0)
        json = s_json_from (&root, bin_inline, 0);
    msgpack_zone_destroy (&zone);
    return json;
}

//  --------------------------------------------------------------------------
//  A tap payload as JSON by its topic: story topics (ingested., normalized.,
//  classified.) as ninjs with copydesk's extensions, everything else by the
//  generic converter. Never NULL: undecodable bytes become {"size", "error"}.
json_t *
cli_json_payload (const char *topic, const uint8_t *data, size_t size)
{
    char err [128] = "";
    if (str_starts (topic, "ingested.") || str_starts (topic, "normalized.")
    ||  str_starts (topic, "classified.")) {
        story_t *story = story_decode (data, size, err, sizeof err);
        if (story) {
            json_t *json = ninjs_from_story (story, NINJS_FULL);
            story_destroy (&story);
            if (json)
                return json;
        }
    }
    json_t *json = cli_json_from_bytes (data, size, 64);
    if (json)
        return json;
    json = json_object ();
    json_object_set_new (json, "size", json_integer ((json_int_t) size));
    json_object_set_new (json, "error", json_string (err [0] ? err : "not msgpack"));
    return json;
}

//  --------------------------------------------------------------------------
//  Print JSON on one line (or indented) with a newline. Returns 0 or -1.
int
cli_print_json (FILE *out, json_t *json, bool pretty)
{
    size_t flags = JSON_ENCODE_ANY | (pretty ? JSON_INDENT (2) : JSON_COMPACT);
    if (json_dumpf (json, out, flags) != 0)
        return -1;
    fputc ('\n', out);
    return 0;
}

//  --------------------------------------------------------------------------
//  Look up a number / string / bool in a JSON object by key, with a default
double
cli_json_number (json_t *object, const char *key, double default_value)
{
    json_t *value = json_is_object (object) ? json_object_get (object, key) : NULL;
    return json_is_number (value) ? json_number_value (value) : default_value;
}

//  --------------------------------------------------------------------------
//  A string field of a JSON object, or default_value
const char *
cli_json_string (json_t *object, const char *key, const char *default_value)
{
    json_t *value = json_is_object (object) ? json_object_get (object, key) : NULL;
    return json_is_string (value) ? json_string_value (value) : default_value;
}

//  --------------------------------------------------------------------------
//  A boolean field of a JSON object, or default_value
bool
cli_json_bool (json_t *object, const char *key, bool default_value)
{
    json_t *value = json_is_object (object) ? json_object_get (object, key) : NULL;
    return json_is_boolean (value) ? json_is_true (value) : default_value;
}

//  --------------------------------------------------------------------------
//  Formatting

//  --------------------------------------------------------------------------
//  "12.3 MB", "512 B"
char *
cli_format_bytes (double bytes, char *buf, size_t size)
{
    const char *units [] = { "B", "kB", "MB", "GB", "TB" };
    int unit = 0;
    while (bytes >= 1000 && unit < 4) {
        bytes /= 1000;
        unit++;
    }
    if (unit == 0)
        snprintf (buf, size, "%.0f %s", bytes, units [unit]);
    else
        snprintf (buf, size, "%.1f %s", bytes, units [unit]);
    return buf;
}

//  --------------------------------------------------------------------------
//  Seconds as "1h02m", "3m05s", "4.2s", "120ms", "250us"
char *
cli_format_duration (double seconds, char *buf, size_t size)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds < 0.001)
        snprintf (buf, size, "%.0fus", seconds * 1e6);
    else
    if (seconds < 1)
        snprintf (buf, size, "%.0fms", seconds * 1000);
    else
    if (seconds < 60)
        snprintf (buf, size, "%.1fs", seconds);
    else
    if (seconds < 3600)
        snprintf (buf, size, "%dm%02ds", (int) seconds / 60, (int) seconds % 60);
    else
    if (seconds < 86400 * 2)
        snprintf (buf, size, "%dh%02dm", (int) seconds / 3600, ((int) seconds % 3600) / 60);
    else
        snprintf (buf, size, "%dd%02dh", (int) (seconds / 86400), ((int) seconds % 86400) / 3600);
    return buf;
}

//  --------------------------------------------------------------------------
//  A count as "1234", "12.3k", "4.5M"
char *
cli_format_count (double count, char *buf, size_t size)
{
    if (count < 10000)
        snprintf (buf, size, "%.0f", count);
    else
    if (count < 1e6)
        snprintf (buf, size, "%.1fk", count / 1e3);
    else
    if (count < 1e9)
        snprintf (buf, size, "%.1fM", count / 1e6);
    else
        snprintf (buf, size, "%.1fG", count / 1e9);
    return buf;
}

//  --------------------------------------------------------------------------
//  Progress bar

struct _cli_progress_t {
    char *label;                //  Shown first ("push")
    uint64_t total;             //  Items expected
    uint64_t total_bytes;       //  Bytes expected, 0 if unknown
    int64_t started;            //  ms, monotonic
    int64_t drawn;              //  Last redraw
    bool tty;                   //  stderr is a terminal
    bool shown;                 //  Something is on the line
};

//  --------------------------------------------------------------------------
//  Start a bar for total items (and total_bytes, 0 if unknown)
cli_progress_t *
cli_progress_new (const char *label, uint64_t total, uint64_t total_bytes)
{
    cli_progress_t *self = (cli_progress_t *) xcalloc (1, sizeof (cli_progress_t));
    self->label = xstrdup (label);
    self->total = total;
    self->total_bytes = total_bytes;
    self->started = zclock_mono ();
    self->tty = isatty (STDERR_FILENO) && !str_ieq (getenv ("TERM"), "dumb");
    return self;
}

//  --------------------------------------------------------------------------
//  Items and bytes done so far; redraws at most 10 times a second
void
cli_progress_update (cli_progress_t *self, uint64_t done, uint64_t bytes)
{
    if (!self || !self->tty)
        return;
    int64_t now = zclock_mono ();
    if (now - self->drawn < 100 && done < self->total)
        return;
    self->drawn = now;
    int columns = 80;
    struct winsize ws;
    if (ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        columns = ws.ws_col;
    double fraction = self->total ? (double) done / (double) self->total : 0;
    if (self->total_bytes)
        fraction = (double) bytes / (double) self->total_bytes;
    if (fraction > 1)
        fraction = 1;
    double elapsed = (now - self->started) / 1000.0;
    char rate [32], done_bytes [32], all_bytes [32], eta [32] = "";
    cli_format_count (elapsed > 0.2 ? done / elapsed : 0, rate, sizeof rate);
    cli_format_bytes ((double) bytes, done_bytes, sizeof done_bytes);
    cli_format_bytes ((double) self->total_bytes, all_bytes, sizeof all_bytes);
    if (fraction > 0.02 && fraction < 1 && elapsed > 1) {
        char left [24];
        snprintf (eta, sizeof eta, " eta %s",
                  cli_format_duration (elapsed / fraction - elapsed, left, sizeof left));
    }
    char tail [160];
    snprintf (tail, sizeof tail, " %3.0f%% %" PRIu64 "/%" PRIu64 " %s/%s %s/s%s",
              fraction * 100, done, self->total, done_bytes, all_bytes, rate, eta);
    //  A steady width: the tail's length changes as numbers grow
    int bar = columns - (int) strlen (self->label) - 72;
    if (bar > 40)
        bar = 40;
    char line [512];
    int pos = snprintf (line, sizeof line, "\r%s ", self->label);
    if (bar >= 5) {
        int filled = (int) (fraction * bar + 0.5);
        line [pos++] = '[';
        for (int i = 0; i < bar && pos < (int) sizeof line - 200; i++)
            line [pos++] = i < filled ? '#' : '.';
        line [pos++] = ']';
        line [pos] = 0;
    }
    snprintf (line + pos, sizeof line - (size_t) pos, "%s\033[K", tail);
    fputs (line, stderr);
    fflush (stderr);
    self->shown = true;
}

//  --------------------------------------------------------------------------
//  Erase the bar and destroy it. Safe on NULL.
void
cli_progress_destroy (cli_progress_t **self_p)
{
    assert (self_p);
    cli_progress_t *self = *self_p;
    if (!self)
        return;
    if (self->shown) {
        fputs ("\r\033[K", stderr);
        fflush (stderr);
    }
    free (self->label);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Processes

//  --------------------------------------------------------------------------
//  The pid in a pid file, or 0 if there is none or it is not a number
pid_t
cli_pid_read (const char *path)
{
    FILE *file = fopen (path, "r");
    if (!file)
        return 0;
    long pid = 0;
    if (fscanf (file, "%ld", &pid) != 1 || pid <= 0 || pid > INT_MAX)
        pid = 0;
    fclose (file);
    return (pid_t) pid;
}

//  --------------------------------------------------------------------------
//  Write pid to path atomically (temp file + rename). 0 or -1.
int
cli_pid_write (const char *path, pid_t pid)
{
    char *temp = xasprintf ("%s.%d.tmp", path, (int) getpid ());
    FILE *file = fopen (temp, "w");
    if (!file) {
        free (temp);
        return -1;
    }
    fprintf (file, "%d\n", (int) pid);
    int rc = fclose (file);
    if (rc == 0)
        rc = rename (temp, path);
    if (rc != 0)
        unlink (temp);
    free (temp);
    return rc == 0 ? 0 : -1;
}

//  --------------------------------------------------------------------------
//  True if pid is a live copydesk process (not a zombie, not a recycled pid)
bool
cli_pid_alive (pid_t pid)
{
    if (pid <= 0)
        return false;
    if (kill (pid, 0) != 0 && errno != EPERM)
        return false;
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *file = fopen (path, "r");
    if (file) {
        char buf [512];
        size_t got = fread (buf, 1, sizeof buf - 1, file);
        fclose (file);
        buf [got] = 0;
        //  State follows the ")" that ends the command name
        char *paren = strrchr (buf, ')');
        if (paren && paren [1] == ' ' && paren [2] == 'Z')
            return false;
    }
    snprintf (path, sizeof path, "/proc/%d/cmdline", (int) pid);
    file = fopen (path, "r");
    if (!file)
        return true;            //  No /proc: trust kill()
    char cmdline [4096];
    size_t got = fread (cmdline, 1, sizeof cmdline - 1, file);
    fclose (file);
    for (size_t i = 0; i < got; i++)
        if (cmdline [i] == 0)
            cmdline [i] = ' ';
    cmdline [got] = 0;
    return strstr (cmdline, "copydesk") != NULL;
}
