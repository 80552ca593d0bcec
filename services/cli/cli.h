//  SPDX-License-Identifier: MIT
//  cli - helpers shared by the copydesk commands
//
//  Option parsing, asking the broker for its statistics, msgpack to JSON
//  (jansson), number/size/duration formatting, a progress bar for
//  terminals, pid files.

#ifndef COPYDESK_CLI_H
#define COPYDESK_CLI_H

#include <jansson.h>

//  --------------------------------------------------------------------------
//  Options

//  If argv[*i] is the option name, as "--name VALUE" or "--name=VALUE",
//  store the value, move *i past it and return 1. Return 0 if argv[*i] is
//  something else, -1 (with a message naming cmd) if the value is missing.
int
    cli_opt (const char *cmd, int argc, char **argv, int *i, const char *name,
             const char **value);

//  Parse a number in [min, max] for option name of cmd. Returns 0, or -1
//  with a message on stderr.
int
    cli_number (const char *cmd, const char *name, const char *text,
                double min, double max, double *out);

//  True if arg is -h or --help
bool
    cli_is_help (const char *arg);

//  --------------------------------------------------------------------------
//  The broker

//  True if the broker looks up: for an ipc endpoint, its socket file exists
//  and <home>/run/broker.pid names a live process (either check is skipped
//  when it does not apply). A cheap pre-check before talking to it.
bool
    cli_broker_running (config_t *config);

//  Ask the broker for its statistics (STATUS -> STATS, docs/protocol.md
//  §6). Returns the map as JSON (caller decrefs), or NULL with the reason
//  in err when the broker is not running or did not answer in timeout ms.
json_t *
    cli_stats (config_t *config, int timeout, char *err, size_t errsize);

//  The message to print when the broker cannot be reached
void
    cli_unreachable (config_t *config, char *out, size_t size);

//  --------------------------------------------------------------------------
//  JSON

//  One msgpack object as JSON. Binary values become {"size": n} plus
//  "base64" when at most bin_inline bytes; strings that are not valid UTF-8
//  are repaired; nesting deeper than 64 becomes null. Caller owns it.
json_t *
    cli_json_from_msgpack (const msgpack_object *object, size_t bin_inline);

//  Decode msgpack bytes (validated first) to JSON; NULL if they are not
//  one valid msgpack object.
json_t *
    cli_json_from_bytes (const uint8_t *data, size_t size, size_t bin_inline);

//  A tap payload as JSON by its topic: story topics (ingested., normalized.,
//  classified.) as ninjs with copydesk's extensions, everything else by the
//  generic converter. Never NULL: undecodable bytes become {"size", "error"}.
json_t *
    cli_json_payload (const char *topic, const uint8_t *data, size_t size);

//  Print JSON on one line (or indented) with a newline. Returns 0 or -1.
int
    cli_print_json (FILE *out, json_t *json, bool pretty);

//  Look up a number / string / bool in a JSON object by key, with a default
double
    cli_json_number (json_t *object, const char *key, double default_value);
const char *
    cli_json_string (json_t *object, const char *key, const char *default_value);
bool
    cli_json_bool (json_t *object, const char *key, bool default_value);

//  --------------------------------------------------------------------------
//  Formatting

//  "12.3 MB", "512 B"
char *
    cli_format_bytes (double bytes, char *buf, size_t size);
//  "1h02m", "3m05s", "4.2s", "120ms", "250us"
char *
    cli_format_duration (double seconds, char *buf, size_t size);
//  "1234", "12.3k", "4.5M"
char *
    cli_format_count (double count, char *buf, size_t size);

//  --------------------------------------------------------------------------
//  Progress bar on stderr, shown only when stderr is a terminal

typedef struct _cli_progress_t cli_progress_t;

//  Start a bar for total items (and total_bytes, 0 if unknown)
cli_progress_t *
    cli_progress_new (const char *label, uint64_t total, uint64_t total_bytes);
//  Items and bytes done so far; redraws at most 10 times a second
void
    cli_progress_update (cli_progress_t *self, uint64_t done, uint64_t bytes);
//  Erase the bar and destroy it. Safe on NULL.
void
    cli_progress_destroy (cli_progress_t **self_p);

//  --------------------------------------------------------------------------
//  Processes

//  The pid in a pid file, or 0 if there is none or it is not a number
pid_t
    cli_pid_read (const char *path);
//  Write our pid (or pid) to path atomically. 0 or -1.
int
    cli_pid_write (const char *path, pid_t pid);
//  True if pid is a live process (not a zombie) whose command line holds
//  "copydesk" (so a recycled pid is not mistaken for ours)
bool
    cli_pid_alive (pid_t pid);

#endif
