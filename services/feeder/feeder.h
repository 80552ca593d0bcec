//  SPDX-License-Identifier: MIT
//  feeder - runs feeds and spool folders into the broker
//
//  One loop for every source: pollers (HTTP feeds, driven together by one
//  curl multi handle) and spools (folders, by stat polling) share one
//  reliable publisher (common/publisher.h), which heartbeats with the
//  broker while the loop waits, and one state database (<home>/feeds.db).
//  The feeder service (copydesk-feeder) runs what the config declares;
//  `copydesk poll` and `copydesk watch` run one source each.
//
//  Config (defaults in brackets): a section per feed under "feeds" with
//  url (required), every [feeds/every = 300 s], source [the feed's name],
//  format [detected]; a section per spool under "spools" with path
//  (required), source [the spool's name], format [detected], stable_ms
//  [spools/stable_ms = 2000]. Shared settings: feeds/timeout [60 s],
//  feeds/connect_timeout [10 s], feeds/max_size [32M], feeds/max_redirects
//  [5], feeds/retry_min [1 s], feeds/retry_max [300 s], feeds/user_agent,
//  feeds/seen_days [90], feeds/window [256], feeds/parallel [8 transfers
//  at once], feeds/broker_timeout [10 s:
//  how long a silent broker is waited for], spools/max_size [64M].
//  Durations take a unit (ms, s, m, h); a bare number is seconds, except
//  for stable_ms.

#ifndef COPYDESK_FEEDER_H
#define COPYDESK_FEEDER_H

#include "feeder/poller.h"
#include "feeder/spool.h"

typedef struct _feeder_t feeder_t;

//  Create a feeder for config (which must outlive it): opens the state
//  database and the publisher. NULL (logged) on failure.
feeder_t *
    feeder_new (config_t *config, bool verbose);
//  Stop transfers, give the broker a moment for unsettled publishes,
//  close everything and nullify. Safe on NULL.
void
    feeder_destroy (feeder_t **self_p);

//  Add one feed. every_ms <= 0 and NULL strings take the config's defaults
//  (source defaults to name). Returns 0, or -1 (logged) if the URL is not
//  http(s).
int
    feeder_add_feed (feeder_t *self, const char *name, const char *url, const char *source,
                     const char *format, int64_t every_ms);
//  Add one spool folder (stable_ms < 0: the default). Returns 0 or -1.
int
    feeder_add_spool (feeder_t *self, const char *name, const char *path, const char *source,
                      const char *format, int64_t stable_ms);
//  Add every feed and spool the config declares. Returns how many, or -1
//  if one of them is invalid (logged; the others are still added).
int
    feeder_load (feeder_t *self);

//  From now on SIGHUP makes feeder_run re-read the config: sources that
//  changed or went away close once nothing of theirs is in flight, new ones
//  start; unchanged ones go on untouched.
void
    feeder_watch_reload (feeder_t *self);
//  Re-read the config now (as on SIGHUP). Returns 0, or -1 if it does not
//  load (the old one stays) or a source in it is invalid.
int
    feeder_reload (feeder_t *self);

//  Run until interrupted (SIGINT/SIGTERM). With once: poll each feed once
//  (now, whatever its schedule) and scan the spools until they are idle,
//  then return; timeout_ms (0: none) bounds the wait. Returns 0, or -1
//  when, with once, a poll failed, a file was left behind or the time ran
//  out, or when interrupted.
int
    feeder_run (feeder_t *self, bool once, int64_t timeout_ms);

//  The sources, for reports and tests
size_t
    feeder_feeds (feeder_t *self);
poller_t *
    feeder_feed (feeder_t *self, size_t index);
size_t
    feeder_spools (feeder_t *self);
spool_t *
    feeder_spool (feeder_t *self, size_t index);
//  The shared publisher and state
publisher_t *
    feeder_publisher (feeder_t *self);
feedstate_t *
    feeder_state (feeder_t *self);

//  A duration setting in milliseconds: "300", "300s", "5m", "1500ms",
//  "1h"; a bare number is in bare_unit_ms. default_ms when unset or invalid.
int64_t
    feeder_config_ms (config_t *config, const char *path, int64_t default_ms, int64_t bare_unit_ms);
//  Parse a duration as above. Returns 0 or -1.
int
    feeder_parse_ms (const char *text, int64_t bare_unit_ms, int64_t *out);

#endif
