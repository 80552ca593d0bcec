//  SPDX-License-Identifier: MIT
//  poller - one HTTP(S) feed: fetch, parse, push what is new
//
//  A poller fetches its URL with libcurl (driven by the feeder's curl
//  multi handle, so many feeds poll at once): connect and total timeouts,
//  up to max_redirects redirects (http/https only), gzip/deflate accepted,
//  a size cap that aborts the transfer, conditional GET with the ETag /
//  Last-Modified of the last response whose items all reached the broker.
//  304 means nothing to do. A good response is parsed in-process
//  (ingest_document: the parser the ingest stage would run) and every item
//  not pushed before (feedstate: same uri and version, or the same item
//  bytes when there is no version) is published as a story straight to the
//  "normalize" queue with tap topic "ingested.<source>". An item is
//  recorded as seen only once the broker accepted it, and the validators
//  are saved only once every new item of that response was accepted: a
//  crash in between means a full fetch and a re-check, never a lost item.
//  Bad items become dead letters. Failures (transport errors, HTTP errors,
//  a body that is not a feed) back off exponentially from retry_min to
//  retry_max with jitter; Retry-After is honoured.

#ifndef COPYDESK_POLLER_H
#define COPYDESK_POLLER_H

#include <curl/curl.h>
#include "feeder/feedstate.h"
#include "publisher.h"

typedef struct _poller_t poller_t;

//  Settings of one feed (strings are copied)
typedef struct {
    const char *name;           //  Feed name for logs (config name or URL)
    const char *url;            //  http:// or https:// URL
    const char *source;         //  Provider name given to its stories
    const char *format;         //  Format hint, NULL to detect
    int64_t every_ms;           //  Poll interval [feeds/every = 300 s]
    int64_t connect_timeout_ms; //  [feeds/connect_timeout = 10 s]
    int64_t timeout_ms;         //  Whole transfer [feeds/timeout = 60 s]
    int64_t max_size;           //  Body cap in bytes [feeds/max_size = 32 MB]
    int max_redirects;          //  [feeds/max_redirects = 5]
    int64_t retry_min_ms;       //  First back-off [feeds/retry_min = 1 s]
    int64_t retry_max_ms;       //  Longest back-off [feeds/retry_max = 300 s]
    const char *user_agent;     //  [feeds/user_agent]
    bool verbose;               //  Log every item
} poller_options_t;

//  Counters of one poller
typedef struct {
    uint64_t polls;             //  Transfers finished
    uint64_t failures;          //  Polls that failed
    uint64_t not_modified;      //  304 answers
    uint64_t items;             //  Items seen in responses
    uint64_t pushed;            //  Items accepted by the broker
    uint64_t duplicates;        //  Items already pushed before
    uint64_t dead;              //  Dead letters published
} poller_stats_t;

//  A URL without its user:password@ part, for logs and stories. Caller
//  frees.
char *
    poller_redact (const char *url);

//  Create a poller. state and publisher are shared with the feeder and
//  must outlive it. The feed is due at once unless the state says later.
poller_t *
    poller_new (const poller_options_t *options, feedstate_t *state, publisher_t *publisher);
//  Destroy and nullify. A running transfer must have been removed from
//  the multi handle (poller_abort). Pending publishes are forgotten (they
//  are not recorded as seen, so they go again next time). Safe on NULL.
void
    poller_destroy (poller_t **self_p);

//  Wall-clock milliseconds at which the feed is next due
int64_t
    poller_next_due (poller_t *self);
//  Make the feed due now
void
    poller_due_now (poller_t *self);
//  True while a transfer runs or items of the last response are unsettled
bool
    poller_busy (poller_t *self);
//  Start the transfer on multi. Returns 0, or -1 (logged, backed off).
int
    poller_start (poller_t *self, CURLM *multi);
//  True while its transfer runs
bool
    poller_fetching (poller_t *self);
//  True if easy is this poller's running transfer
bool
    poller_owns (poller_t *self, CURL *easy);
//  The transfer ended with code (already removed from the multi handle):
//  handle the response, publish new items, schedule the next poll.
void
    poller_finish (poller_t *self, CURLcode code);
//  Periodic duties outside the publisher's handler (dead-letter the
//  stories the broker refused). Call it from the feeder's loop.
void
    poller_tick (poller_t *self);
//  Abort a running transfer (removing it from multi)
void
    poller_abort (poller_t *self, CURLM *multi);

//  The broker never answered for the items of the last poll: that poll
//  counts as failed (the items were not recorded, they go again)
void
    poller_broker_lost (poller_t *self, const char *endpoint);
//  Polls finished since creation, and whether the last one succeeded
uint64_t
    poller_polls (poller_t *self);
bool
    poller_ok (poller_t *self);
//  The last error ("" if the last poll succeeded)
const char *
    poller_error (poller_t *self);
const poller_stats_t *
    poller_stats (poller_t *self);
const char *
    poller_name (poller_t *self);

#endif
