//  SPDX-License-Identifier: MIT
//  config - the home folder and the ZPL configuration
//
//  Every process works in one home folder: `--home DIR`, else $COPYDESK_HOME,
//  else ~/.copydesk. It holds the optional config file (copydesk.cfg, ZPL),
//  the ipc sockets, the journal, the dead-letter log, the database, logs and
//  pid files. Every setting has an embedded default, so an empty home works;
//  config/copydesk.cfg in the source tree documents each key.
//
//  Data files shipped with copydesk (gazetteer, default model, rules) are
//  found with config_datafile: a path given in the config wins, then
//  $COPYDESK_DATA, then <exe>/../share/copydesk, then <exe>/../../config (a
//  build tree), then the source tree's config/.

#ifndef COPYDESK_CONFIG_H
#define COPYDESK_CONFIG_H

typedef struct _config_t config_t;

//  Load the configuration of home (NULL: $COPYDESK_HOME or ~/.copydesk).
//  Creates the home folder if needed. Returns NULL with a message on stderr
//  if the home cannot be created or the config file does not parse.
config_t *
    config_load (const char *home);

//  Destroy and nullify. Safe on NULL.
void
    config_destroy (config_t **self_p);

//  The home folder (absolute path)
const char *
    config_home (config_t *self);

//  A setting by ZPL path ("broker/heartbeat"), or default_value if unset.
//  The config keeps ownership of the returned string.
const char *
    config_get (config_t *self, const char *path, const char *default_value);

//  A number, with optional suffix k/M/G (x1024) or ms/s (to milliseconds
//  when the default is in ms). Returns default_value when unset or invalid
//  (an invalid value is also reported on stderr once).
int64_t
    config_int (config_t *self, const char *path, int64_t default_value);

//  The names of the children of a section (path "feeds" -> "guardian",
//  "reuters"), from the config file then the overrides, in file order and
//  without duplicates, appended to names. Returns how many were added.
size_t
    config_names (config_t *self, const char *path, strv_t *names);

//  Override a setting in memory (command-line options).
void
    config_set (config_t *self, const char *path, const char *value);

//  A path inside home. Caller owns the result.
char *
    config_path (config_t *self, const char *relative);

//  The broker's ROUTER endpoint for clients on this host: broker/endpoint,
//  default ipc://<home>/broker.ipc.
const char *
    config_endpoint (config_t *self);
//  The tap endpoint: broker/tap, default ipc://<home>/tap.ipc
const char *
    config_tap (config_t *self);

//  Find a data file (see above). key is the config path that may name it
//  explicitly (e.g. "classify/model"), name the file name under config/.
//  Returns a new string (caller frees) or NULL if not found anywhere.
char *
    config_datafile (config_t *self, const char *key, const char *name);

//  The folder holding the running executable. Caller frees.
char *
    config_exe_dir (void);

#endif
