//  SPDX-License-Identifier: MIT
//  supervisor - runs the pipeline's processes and keeps them running
//
//  `copydesk up` starts copydesk-supervisor in the background; it starts
//  the broker, then the workers (N per stage), then the feeder when the
//  config declares feeds or spools. Each child runs detached from any
//  terminal with its output appended to <home>/logs/<name>.log and its pid
//  in <home>/run/<name>.pid. A child that exits is restarted with back-off
//  (1 s doubling to 60 s, reset after 30 s of good running). SIGHUP is
//  passed on to the workers and the feeder (reload). SIGTERM or SIGINT
//  (`copydesk down`) stops them in order: feeder, workers, broker, each
//  with SIGTERM then SIGKILL after the stop timeout. Once a minute a log
//  larger than supervisor/log_max (64 MB) is copied to <log>.1 and
//  truncated.

#ifndef COPYDESK_SUPERVISOR_H
#define COPYDESK_SUPERVISOR_H

//  The stages, in pipeline order
#define SUPERVISOR_STAGES 4
extern const char *supervisor_stages [SUPERVISOR_STAGES];

//  Tiers: started in this order, stopped in the reverse one
#define SUPERVISOR_BROKER   0
#define SUPERVISOR_WORKER   1
#define SUPERVISOR_FEEDER   2

typedef struct _supervisor_t supervisor_t;

//  Worker counts per stage from the config: <stage>/workers (default 1).
void
    supervisor_default_workers (config_t *config, int counts [SUPERVISOR_STAGES]);

//  Parse "STAGE=N[,STAGE=N...]" into counts (stages not named keep their
//  value). Returns 0, or -1 with the problem in err.
int
    supervisor_parse_workers (const char *spec, int counts [SUPERVISOR_STAGES],
                              char *err, size_t errsize);

//  Format counts as "ingest=1,normalize=1,classify=1,store=1" into out.
char *
    supervisor_format_workers (const int counts [SUPERVISOR_STAGES], char *out, size_t size);

//  True if the config declares feeds or spools for the feeder.
bool
    supervisor_has_feeds (config_t *config);

//  Create a supervisor for the config's home; bindir holds the executables.
supervisor_t *
    supervisor_new (config_t *config, const char *bindir);

//  Destroy and nullify. Safe on NULL.
void
    supervisor_destroy (supervisor_t **self_p);

//  Add a program: name for its log and pid files ("normalize-1"), the
//  executable's file name in bindir ("copydesk-normalize"), its tier.
void
    supervisor_add (supervisor_t *self, const char *name, const char *exe, int tier);

//  Add the broker, counts[i] workers of each stage and (if feeder) the
//  feeder.
void
    supervisor_add_pipeline (supervisor_t *self, const int counts [SUPERVISOR_STAGES],
                             bool feeder);

//  Check that every executable exists. Returns 0, or -1 with a message
//  naming the missing one in err.
int
    supervisor_check (supervisor_t *self, char *err, size_t errsize);

//  Run until SIGTERM/SIGINT, then stop everything in order. Writes
//  <home>/run/supervisor.pid while running. Returns 0, or -1 if another
//  supervisor runs for this home.
int
    supervisor_run (supervisor_t *self);

#endif
