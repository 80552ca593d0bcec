//  SPDX-License-Identifier: MIT
//  feeder - runs feeds and spool folders into the broker (see feeder.h)

#include "common.h"
#include "feeder/feeder.h"
#include "feeder/settle.h"
#include "ingest/ingest.h"

//  A feed or spool, as the feeder holds it
typedef struct {
    poller_t *poller;           //  The feed (or NULL)
    spool_t *spool;             //  The spool (or NULL)
    char *signature;            //  Its settings, to see what a reload changed
    bool from_config;           //  Declared in the config (reload replaces it)
    bool retiring;              //  Gone from the config: closes once idle
} source_t;

typedef VEC (source_t) sourcev_t;

struct _feeder_t {
    config_t *config;           //  Settings in use
    config_t *reloaded;         //  The config read at the last reload (owned)
    bool verbose;               //  Log every item and file
    publisher_t *publisher;     //  To the broker
    feedstate_t *state;         //  <home>/feeds.db
    CURLM *multi;               //  All running transfers
    sourcev_t feeds;            //  HTTP feeds
    sourcev_t spools;           //  Spool folders
    int64_t next_prune;         //  Wall ms of the next prune of seen items
    bool loading;               //  Adding sources from the config
    int64_t broker_timeout;     //  Give up on a silent broker after (ms)
    int parallel;               //  Most transfers at once
};

//  Set by SIGHUP when feeder_watch_reload was called
static volatile sig_atomic_t s_reload_requested = 0;

//  --------------------------------------------------------------------------
//  Settings

int
feeder_parse_ms (const char *text, int64_t bare_unit_ms, int64_t *out)
{
    if (str_empty (text))
        return -1;
    char *end;
    errno = 0;
    double value = strtod (text, &end);
    if (errno || end == text || value < 0)
        return -1;
    while (*end == ' ')
        end++;
    double unit;
    if (*end == 0)
        unit = (double) bare_unit_ms;
    else
    if (strcmp (end, "ms") == 0)
        unit = 1;
    else
    if (strcmp (end, "s") == 0)
        unit = 1000;
    else
    if (strcmp (end, "m") == 0 || strcmp (end, "min") == 0)
        unit = 60 * 1000;
    else
    if (strcmp (end, "h") == 0)
        unit = 3600 * 1000;
    else
    if (strcmp (end, "d") == 0)
        unit = 86400 * 1000;
    else
        return -1;
    double ms = value * unit;
    if (ms > 1e15)
        return -1;
    *out = (int64_t) ms;
    return 0;
}

int64_t
feeder_config_ms (config_t *config, const char *path, int64_t default_ms, int64_t bare_unit_ms)
{
    const char *text = config_get (config, path, NULL);
    if (!text)
        return default_ms;
    int64_t ms;
    if (feeder_parse_ms (text, bare_unit_ms, &ms) != 0) {
        zsys_warning ("feeder: setting %s=%s is not a duration, using %" PRId64 "ms",
                      path, text, default_ms);
        return default_ms;
    }
    return ms;
}

//  --------------------------------------------------------------------------
//  Life cycle

static void
s_settled (void *arg, uint64_t pubseq, void *tag, const char *refused)
{
    if (tag)
        ((settle_t *) tag)->settle ((settle_t *) tag, refused);
}

feeder_t *
feeder_new (config_t *config, bool verbose)
{
    assert (config);
    if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        zsys_error ("feeder: cannot initialise libcurl");
        return NULL;
    }
    feeder_t *self = (feeder_t *) xcalloc (1, sizeof (feeder_t));
    self->config = config;
    self->verbose = verbose;
    char *path = config_path (config, "feeds.db");
    char err [512];
    self->state = feedstate_open (path, err, sizeof err);
    free (path);
    if (!self->state) {
        zsys_error ("feeder: %s", err);
        feeder_destroy (&self);
        return NULL;
    }
    int window = (int) config_int (config, "feeds/window", 256);
    self->publisher = publisher_new_config (config, window > 0 ? window : 256);
    if (!self->publisher) {
        zsys_error ("feeder: cannot connect to the broker at %s", config_endpoint (config));
        feeder_destroy (&self);
        return NULL;
    }
    publisher_set_handler (self->publisher, s_settled, self);
    publisher_set_verbose (self->publisher, verbose);
    self->broker_timeout = feeder_config_ms (config, "feeds/broker_timeout", 10 * 1000, 1000);
    self->parallel = (int) config_int (config, "feeds/parallel", 8);
    if (self->parallel < 1)
        self->parallel = 1;
    publisher_set_timeout (self->publisher, (int) self->broker_timeout);
    self->multi = curl_multi_init ();
    if (!self->multi) {
        feeder_destroy (&self);
        return NULL;
    }
    return self;
}

static void
s_source_close (feeder_t *self, source_t *source)
{
    if (source->poller) {
        poller_abort (source->poller, self->multi);
        poller_destroy (&source->poller);
    }
    spool_destroy (&source->spool);
    free (source->signature);
    source->signature = NULL;
}

void
feeder_destroy (feeder_t **self_p)
{
    assert (self_p);
    feeder_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->feeds.len; i++)
        if (self->feeds.items [i].poller)
            poller_abort (self->feeds.items [i].poller, self->multi);
    if (self->publisher) {
        //  A last chance for unsettled publishes (bounded), then no more
        //  callbacks into the pollers and spools
        if (publisher_pending (self->publisher) > 0 && !zsys_interrupted)
            publisher_flush (self->publisher, 2000);
        publisher_set_handler (self->publisher, NULL, NULL);
        publisher_destroy (&self->publisher);
    }
    for (size_t i = 0; i < self->feeds.len; i++)
        s_source_close (self, &self->feeds.items [i]);
    free (self->feeds.items);
    for (size_t i = 0; i < self->spools.len; i++)
        s_source_close (self, &self->spools.items [i]);
    free (self->spools.items);
    if (self->multi)
        curl_multi_cleanup (self->multi);
    feedstate_destroy (&self->state);
    config_destroy (&self->reloaded);
    curl_global_cleanup ();
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Sources

//  The source with this signature (live or retiring), or NULL
static source_t *
s_find (feeder_t *self, bool feed, const char *signature)
{
    sourcev_t *list = feed ? &self->feeds : &self->spools;
    for (size_t i = 0; i < list->len; i++)
        if (list->items [i].signature && strcmp (list->items [i].signature, signature) == 0)
            return &list->items [i];
    return NULL;
}

int
feeder_add_feed (feeder_t *self, const char *name, const char *url, const char *source,
                 const char *format, int64_t every_ms)
{
    if (str_empty (url) || !(strncasecmp (url, "http://", 7) == 0 || strncasecmp (url, "https://", 8) == 0)) {
        zsys_error ("feeder: feed=%s: url '%s' is not an http:// or https:// URL",
                    name ? name : "-", url ? url : "");
        return -1;
    }
    if (!str_empty (format) && !ingest_parser (format)) {
        zsys_error ("feeder: feed=%s: unknown format '%s'", name ? name : url, format);
        return -1;
    }
    config_t *config = self->config;
    poller_options_t options = {
        .name = name ? name : url,
        .url = url,
        .source = !str_empty (source) ? source : name ? name : "feed",
        .format = str_empty (format) ? NULL : format,
        .every_ms = every_ms > 0 ? every_ms : feeder_config_ms (config, "feeds/every", 300 * 1000, 1000),
        .connect_timeout_ms = feeder_config_ms (config, "feeds/connect_timeout", 10 * 1000, 1000),
        .timeout_ms = feeder_config_ms (config, "feeds/timeout", 60 * 1000, 1000),
        .max_size = config_int (config, "feeds/max_size", 32 * 1024 * 1024),
        .max_redirects = (int) config_int (config, "feeds/max_redirects", 5),
        .retry_min_ms = feeder_config_ms (config, "feeds/retry_min", 1000, 1000),
        .retry_max_ms = feeder_config_ms (config, "feeds/retry_max", 300 * 1000, 1000),
        .user_agent = config_get (config, "feeds/user_agent", NULL),
        .verbose = self->verbose
    };
    if (options.every_ms < 1000)
        options.every_ms = 1000;
    char *signature = xasprintf ("%s\n%s\n%s\n%s\n%" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
                                 " %d %" PRId64 " %" PRId64 "\n%s", options.name, url, options.source,
                                 options.format ? options.format : "", options.every_ms,
                                 options.connect_timeout_ms, options.timeout_ms, options.max_size,
                                 options.max_redirects, options.retry_min_ms, options.retry_max_ms,
                                 options.user_agent ? options.user_agent : "");
    source_t *known = s_find (self, true, signature);
    if (known) {
        known->from_config = known->from_config || self->loading;
        known->retiring = false;
        free (signature);
        return 0;               //  Unchanged by a reload
    }
    source_t *slot = vec_push (&self->feeds);
    slot->poller = poller_new (&options, self->state, self->publisher);
    slot->signature = signature;
    slot->from_config = self->loading;
    char *shown = poller_redact (url);
    zsys_info ("feeder: feed=%s url=%s source=%s every=%.0fs", poller_name (slot->poller), shown,
               options.source, options.every_ms / 1000.0);
    free (shown);
    return 0;
}

int
feeder_add_spool (feeder_t *self, const char *name, const char *path, const char *source,
                  const char *format, int64_t stable_ms)
{
    if (str_empty (path)) {
        zsys_error ("feeder: spool=%s: no path", name ? name : "-");
        return -1;
    }
    if (!str_empty (format) && !ingest_parser (format)) {
        zsys_error ("feeder: spool=%s: unknown format '%s'", name ? name : path, format);
        return -1;
    }
    spool_options_t options = {
        .name = name ? name : path,
        .path = path,
        .source = !str_empty (source) ? source : name ? name : "spool",
        .format = str_empty (format) ? NULL : format,
        .stable_ms = stable_ms >= 0 ? stable_ms
                   : feeder_config_ms (self->config, "spools/stable_ms", 2000, 1),
        .max_size = config_int (self->config, "spools/max_size", DOCUMENT_MAX_SIZE),
        .verbose = self->verbose
    };
    char *signature = xasprintf ("%s\n%s\n%s\n%s\n%" PRId64 " %" PRId64, options.name, path,
                                 options.source, options.format ? options.format : "",
                                 options.stable_ms, options.max_size);
    source_t *known = s_find (self, false, signature);
    if (known) {
        known->from_config = known->from_config || self->loading;
        known->retiring = false;
        free (signature);
        return 0;
    }
    spool_t *spool = spool_new (&options, self->publisher);
    if (!spool) {
        free (signature);
        return -1;
    }
    source_t *slot = vec_push (&self->spools);
    slot->spool = spool;
    slot->signature = signature;
    slot->from_config = self->loading;
    zsys_info ("feeder: spool=%s path=%s source=%s stable=%" PRId64 "ms", options.name, path,
               options.source, options.stable_ms);
    return 0;
}

int
feeder_load (feeder_t *self)
{
    int added = 0, errors = 0;
    self->loading = true;
    strv_t names = { 0 };
    config_names (self->config, "feeds", &names);
    for (size_t i = 0; i < names.len; i++) {
        char key [300];
        snprintf (key, sizeof key, "feeds/%s/url", names.items [i]);
        const char *url = config_get (self->config, key, NULL);
        if (!url)
            continue;           //  A setting such as feeds/max_size, not a feed
        snprintf (key, sizeof key, "feeds/%s/source", names.items [i]);
        const char *source = config_get (self->config, key, NULL);
        snprintf (key, sizeof key, "feeds/%s/format", names.items [i]);
        const char *format = config_get (self->config, key, NULL);
        snprintf (key, sizeof key, "feeds/%s/every", names.items [i]);
        int64_t every = feeder_config_ms (self->config, key, 0, 1000);
        if (feeder_add_feed (self, names.items [i], url, source, format, every) == 0)
            added++;
        else
            errors++;
    }
    strv_free (&names);
    config_names (self->config, "spools", &names);
    for (size_t i = 0; i < names.len; i++) {
        char key [300];
        snprintf (key, sizeof key, "spools/%s/path", names.items [i]);
        const char *path = config_get (self->config, key, NULL);
        if (!path)
            continue;
        char *full = config_path (self->config, path);
        snprintf (key, sizeof key, "spools/%s/source", names.items [i]);
        const char *source = config_get (self->config, key, NULL);
        snprintf (key, sizeof key, "spools/%s/format", names.items [i]);
        const char *format = config_get (self->config, key, NULL);
        snprintf (key, sizeof key, "spools/%s/stable_ms", names.items [i]);
        int64_t stable = feeder_config_ms (self->config, key, -1, 1);
        if (feeder_add_spool (self, names.items [i], full, source, format, stable) == 0)
            added++;
        else
            errors++;
        free (full);
    }
    strv_free (&names);
    self->loading = false;
    return errors ? -1 : added;
}

static void
s_on_sighup (int signal)
{
    s_reload_requested = 1;
}

void
feeder_watch_reload (feeder_t *self)
{
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = s_on_sighup;
    sigemptyset (&action.sa_mask);
    sigaction (SIGHUP, &action, NULL);
}

int
feeder_reload (feeder_t *self)
{
    config_t *fresh = config_load (config_home (self->config));
    if (!fresh) {
        zsys_error ("feeder: reload failed: the config does not load; keeping the old one");
        return -1;
    }
    //  Sources from the config retire unless the new config has them unchanged
    for (size_t i = 0; i < self->feeds.len; i++)
        if (self->feeds.items [i].from_config)
            self->feeds.items [i].retiring = true;
    for (size_t i = 0; i < self->spools.len; i++)
        if (self->spools.items [i].from_config)
            self->spools.items [i].retiring = true;
    config_t *old = self->reloaded;
    self->config = fresh;
    self->reloaded = fresh;
    int rc = feeder_load (self);
    config_destroy (&old);
    size_t retiring = 0;
    for (size_t i = 0; i < self->feeds.len; i++)
        retiring += self->feeds.items [i].retiring;
    for (size_t i = 0; i < self->spools.len; i++)
        retiring += self->spools.items [i].retiring;
    zsys_info ("feeder: reloaded the config: feeds=%zu spools=%zu retiring=%zu",
               self->feeds.len, self->spools.len, retiring);
    return rc < 0 ? -1 : 0;
}

//  Close retiring sources once they have nothing in flight
static void
s_retire (feeder_t *self)
{
    for (size_t i = 0; i < self->feeds.len; ) {
        source_t *source = &self->feeds.items [i];
        if (source->retiring && !poller_busy (source->poller)) {
            zsys_info ("feeder: feed=%s removed", poller_name (source->poller));
            s_source_close (self, source);
            self->feeds.items [i] = self->feeds.items [--self->feeds.len];
        }
        else
            i++;
    }
    for (size_t i = 0; i < self->spools.len; ) {
        source_t *source = &self->spools.items [i];
        if (source->retiring && spool_pending (source->spool) == 0) {
            zsys_info ("feeder: spool=%s removed", spool_name (source->spool));
            s_source_close (self, source);
            self->spools.items [i] = self->spools.items [--self->spools.len];
        }
        else
            i++;
    }
}

//  --------------------------------------------------------------------------
//  The loop

//  Collect finished transfers
static void
s_transfers_done (feeder_t *self)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read (self->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        poller_t *poller = NULL;
        for (size_t i = 0; i < self->feeds.len && !poller; i++)
            if (poller_owns (self->feeds.items [i].poller, easy))
                poller = self->feeds.items [i].poller;
        curl_multi_remove_handle (self->multi, easy);
        if (poller)
            poller_finish (poller, code);
        else
            curl_easy_cleanup (easy);
    }
}

int
feeder_run (feeder_t *self, bool once, int64_t timeout_ms)
{
    int64_t start = zclock_mono ();
    //  With once: the polls each feed had made before
    size_t count = self->feeds.len;
    uint64_t *polls_at_start = (uint64_t *) xcalloc (count + 1, sizeof (uint64_t));
    for (size_t i = 0; i < count; i++) {
        polls_at_start [i] = poller_polls (self->feeds.items [i].poller);
        if (once)
            poller_due_now (self->feeds.items [i].poller);
    }
    bool timed_out = false;
    int64_t silent_since = 0;           //  Since when the broker has not answered
    while (!zsys_interrupted) {
        if (s_reload_requested && !once) {
            s_reload_requested = 0;
            feeder_reload (self);
        }
        int64_t mono = zclock_mono ();
        int64_t wall = zclock_time ();
        //  Feeds due now, at most feeds/parallel transfers at once
        int fetching = 0;
        for (size_t i = 0; i < self->feeds.len; i++)
            fetching += poller_fetching (self->feeds.items [i].poller);
        for (size_t i = 0; i < self->feeds.len; i++) {
            source_t *source = &self->feeds.items [i];
            poller_tick (source->poller);
            if (source->retiring || fetching >= self->parallel)
                continue;
            if (once && i < count && poller_polls (source->poller) > polls_at_start [i])
                continue;
            if (!poller_busy (source->poller) && wall >= poller_next_due (source->poller)
            &&  poller_start (source->poller, self->multi) == 0)
                fetching++;
        }
        int running = 0;
        curl_multi_perform (self->multi, &running);
        s_transfers_done (self);
        //  Spools
        for (size_t i = 0; i < self->spools.len; i++)
            if (!self->spools.items [i].retiring)
                spool_scan (self->spools.items [i].spool, mono);
        publisher_poll (self->publisher, 0);
        if (!once)
            s_retire (self);
        //  Forget items no feed has listed for seen_days, once a day
        int64_t seen_days = config_int (self->config, "feeds/seen_days", 90);
        if (wall >= self->next_prune && seen_days > 0) {
            int pruned = feedstate_prune (self->state, wall / 1000 - seen_days * 86400);
            if (pruned > 0)
                zsys_info ("feeder: forgot %d items not seen for %" PRId64 " days", pruned, seen_days);
            self->next_prune = wall + 86400 * 1000;
        }
        if (once) {
            bool done = true;
            for (size_t i = 0; i < count && done; i++)
                if (poller_polls (self->feeds.items [i].poller) == polls_at_start [i]
                ||  poller_busy (self->feeds.items [i].poller))
                    done = false;
            for (size_t i = 0; i < self->spools.len && done; i++)
                if (!spool_idle (self->spools.items [i].spool))
                    done = false;
            if (done)
                break;
            if (timeout_ms > 0 && mono - start > timeout_ms) {
                timed_out = true;
                break;
            }
            //  Publishes waiting for a broker that does not answer: give up
            //  (they were not recorded, so they go again next time)
            if (publisher_pending (self->publisher) > 0 && !publisher_alive (self->publisher)) {
                if (!silent_since)
                    silent_since = mono;
                if (mono - silent_since > self->broker_timeout) {
                    for (size_t i = 0; i < count; i++)
                        if (poller_busy (self->feeds.items [i].poller))
                            poller_broker_lost (self->feeds.items [i].poller,
                                                publisher_endpoint (self->publisher));
                    zsys_warning ("feeder: the broker at %s did not answer for %.1fs; giving up",
                                  publisher_endpoint (self->publisher), self->broker_timeout / 1000.0);
                    timed_out = true;
                    break;
                }
            }
            else
                silent_since = 0;
        }
        //  Wait for the next thing to do
        int64_t wait = 250;
        for (size_t i = 0; i < self->feeds.len; i++) {
            poller_t *poller = self->feeds.items [i].poller;
            if (!poller_busy (poller) && !self->feeds.items [i].retiring) {
                int64_t until = poller_next_due (poller) - wall;
                if (until < wait)
                    wait = until;
            }
        }
        for (size_t i = 0; i < self->spools.len; i++) {
            int64_t until = spool_next_scan (self->spools.items [i].spool) - mono;
            if (until < wait)
                wait = until;
        }
        if (wait < 0)
            wait = 0;
        if (running > 0) {
            curl_multi_poll (self->multi, NULL, 0, (int) (wait < 25 ? wait : 25), NULL);
            publisher_poll (self->publisher, 0);
        }
        else
            publisher_poll (self->publisher, (int) wait);
    }
    free (polls_at_start);
    if (zsys_interrupted)
        return -1;
    if (!once)
        return 0;
    int rc = timed_out ? -1 : 0;
    for (size_t i = 0; i < count; i++)
        if (!poller_ok (self->feeds.items [i].poller))
            rc = -1;
    if (timed_out)
        for (size_t i = 0; i < self->spools.len; i++)
            if (!spool_idle (self->spools.items [i].spool))
                zsys_warning ("feeder: spool=%s still has files waiting (%zu unaccepted)",
                              spool_name (self->spools.items [i].spool),
                              spool_pending (self->spools.items [i].spool));
    return rc;
}

size_t
feeder_feeds (feeder_t *self)
{
    return self->feeds.len;
}

poller_t *
feeder_feed (feeder_t *self, size_t index)
{
    return index < self->feeds.len ? self->feeds.items [index].poller : NULL;
}

size_t
feeder_spools (feeder_t *self)
{
    return self->spools.len;
}

spool_t *
feeder_spool (feeder_t *self, size_t index)
{
    return index < self->spools.len ? self->spools.items [index].spool : NULL;
}

publisher_t *
feeder_publisher (feeder_t *self)
{
    return self->publisher;
}

feedstate_t *
feeder_state (feeder_t *self)
{
    return self->state;
}
