//  SPDX-License-Identifier: MIT
//  poller - one HTTP(S) feed: fetch, parse, push what is new (see poller.h)

#include "common.h"
#include "feeder/poller.h"
#include "feeder/settle.h"
#include "ingest/ingest.h"

//  One publish of this poller waiting for the broker's answer
typedef struct {
    settle_t base;              //  Must come first
    poller_t *poller;           //  Owner
    char *uri;                  //  Item uri, NULL for a dead letter of a bad item
    char *version;              //  Item version or "sha256:<hex>"
    char *key;                  //  "uri\nversion", the in-flight key
    buf_t payload;              //  The story record (to dead-letter it if refused)
    bool dead;                  //  This publish is a dead letter
    char *refusal;              //  Why the broker refused the story
} item_t;

struct _poller_t {
    poller_options_t options;   //  Settings (strings owned)
    char *public_url;           //  The URL without credentials
    char *topics;               //  "ingested.<source>"
    feedstate_t *state;         //  Shared state database
    publisher_t *publisher;     //  Shared publisher
    feedrecord_t record;        //  This feed's persistent state
    //  The running transfer
    CURL *easy;                 //  NULL when idle
    struct curl_slist *headers; //  Request headers
    buf_t body;                 //  Response body so far
    bool too_large;             //  The body passed max_size
    char *etag;                 //  Headers of the final response
    char *last_modified;
    char *content_type;
    char *retry_after;
    char errbuf [CURL_ERROR_SIZE];
    int64_t started;            //  Monotonic ms at start
    //  Items of the last response
    bool emitting;              //  Inside ingest_document
    size_t pending;             //  Publishes not settled yet
    zhashx_t *inflight;         //  Keys of unsettled items
    bool staged;                //  Validators wait for the pending items
    bool publish_failed;        //  Some item could not be handed over
    char *staged_etag;
    char *staged_last_modified;
    int fresh;                  //  New items of the last response
    int known;                  //  Known items of the last response
    VEC (item_t *) refused;     //  Refused stories to dead-letter (outside the handler)
    //  Results
    bool ok;                    //  The last poll succeeded
    char error [512];           //  Why it did not
    poller_stats_t stats;
    uint32_t random;            //  Jitter state
};

static void s_item_destroy (item_t **item_p);

static int64_t
s_now_ms (void)
{
    return zclock_time ();
}

static uint32_t
s_random (poller_t *self)
{
    //  xorshift32
    uint32_t x = self->random;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    self->random = x ? x : 2463534242u;
    return self->random;
}

char *
poller_redact (const char *url)
{
    if (!url)
        return NULL;
    const char *start = strstr (url, "://");
    if (!start)
        return xstrdup (url);
    start += 3;
    size_t authority = strcspn (start, "/?#");
    const char *at = memchr (start, '@', authority);
    if (!at)
        return xstrdup (url);
    return xasprintf ("%.*s%s", (int) (start - url), url, at + 1);
}

poller_t *
poller_new (const poller_options_t *options, feedstate_t *state, publisher_t *publisher)
{
    assert (options && options->url && state && publisher);
    poller_t *self = (poller_t *) xcalloc (1, sizeof (poller_t));
    self->options = *options;
    self->public_url = poller_redact (options->url);
    self->options.name = !options->name || streq (options->name, options->url)
                       ? xstrdup (self->public_url) : xstrdup (options->name);
    self->options.url = xstrdup (options->url);
    self->options.source = xstrdup (options->source ? options->source : "feed");
    self->options.format = xstrdup (options->format);
    self->options.user_agent = xstrdup (options->user_agent ? options->user_agent
                                        : "copydesk/" COPYDESK_VERSION " (feed poller)");
    if (self->options.every_ms <= 0)
        self->options.every_ms = 300 * 1000;
    if (self->options.connect_timeout_ms <= 0)
        self->options.connect_timeout_ms = 10 * 1000;
    if (self->options.timeout_ms <= 0)
        self->options.timeout_ms = 60 * 1000;
    if (self->options.max_size <= 0)
        self->options.max_size = 32 * 1024 * 1024;
    if (self->options.max_redirects < 0)
        self->options.max_redirects = 5;
    if (self->options.retry_min_ms <= 0)
        self->options.retry_min_ms = 1000;
    if (self->options.retry_max_ms < self->options.retry_min_ms)
        self->options.retry_max_ms = 300 * 1000;
    char *source = xstrdup (self->options.source);
    proto_topic_clean (source);
    self->topics = xasprintf ("ingested.%s", source);
    free (source);
    self->state = state;
    self->publisher = publisher;
    feedstate_get (state, self->options.url, &self->record);
    self->inflight = zhashx_new ();
    buf_init (&self->body);
    self->random = (uint32_t) (zclock_usecs () ^ ((uint64_t) getpid () << 16)) | 1;
    return self;
}

static void
s_transfer_reset (poller_t *self)
{
    if (self->easy)
        curl_easy_cleanup (self->easy);
    self->easy = NULL;
    curl_slist_free_all (self->headers);
    self->headers = NULL;
    buf_free (&self->body);
    self->too_large = false;
    str_set (&self->etag, NULL);
    str_set (&self->last_modified, NULL);
    str_set (&self->content_type, NULL);
    str_set (&self->retry_after, NULL);
    self->errbuf [0] = 0;
}

void
poller_destroy (poller_t **self_p)
{
    assert (self_p);
    poller_t *self = *self_p;
    if (!self)
        return;
    s_transfer_reset (self);
    //  Unsettled publishes (the publisher is gone by now): their items
    //  were never recorded as seen, so they go again next time
    for (item_t *item = (item_t *) zhashx_first (self->inflight); item;
         item = (item_t *) zhashx_next (self->inflight))
        s_item_destroy (&item);
    free (self->refused.items);
    zhashx_destroy (&self->inflight);
    feedrecord_free (&self->record);
    free (self->staged_etag);
    free (self->staged_last_modified);
    free (self->topics);
    free (self->public_url);
    free ((char *) self->options.name);
    free ((char *) self->options.url);
    free ((char *) self->options.source);
    free ((char *) self->options.format);
    free ((char *) self->options.user_agent);
    free (self);
    *self_p = NULL;
}

int64_t
poller_next_due (poller_t *self)
{
    return self->record.next_due;
}

void
poller_due_now (poller_t *self)
{
    self->record.next_due = 0;
}

bool
poller_busy (poller_t *self)
{
    return self->easy != NULL || self->pending > 0;
}

//  --------------------------------------------------------------------------
//  Transfer

static size_t
s_write (char *data, size_t size, size_t count, void *arg)
{
    poller_t *self = (poller_t *) arg;
    size_t bytes = size * count;
    if ((int64_t) (self->body.size + bytes) > self->options.max_size) {
        self->too_large = true;
        return 0;               //  Aborts the transfer
    }
    buf_append (&self->body, data, bytes);
    return bytes;
}

//  Copy a header value without the line end and surrounding spaces
static char *
s_header_value (const char *value, size_t len)
{
    while (len && (*value == ' ' || *value == '\t')) {
        value++;
        len--;
    }
    while (len && isspace ((unsigned char) value [len - 1]))
        len--;
    return xstrndup (value, len);
}

static size_t
s_header (char *data, size_t size, size_t count, void *arg)
{
    poller_t *self = (poller_t *) arg;
    size_t bytes = size * count;
    if (bytes >= 5 && strncmp (data, "HTTP/", 5) == 0) {
        //  A new response (after a redirect or a 100): forget the last one
        str_set (&self->etag, NULL);
        str_set (&self->last_modified, NULL);
        str_set (&self->content_type, NULL);
        str_set (&self->retry_after, NULL);
        return bytes;
    }
    const char *colon = memchr (data, ':', bytes);
    if (!colon)
        return bytes;
    size_t name_len = (size_t) (colon - data);
    const char *value = colon + 1;
    size_t value_len = bytes - name_len - 1;
    char **field = NULL;
    if (name_len == 4 && strncasecmp (data, "etag", 4) == 0)
        field = &self->etag;
    else
    if (name_len == 13 && strncasecmp (data, "last-modified", 13) == 0)
        field = &self->last_modified;
    else
    if (name_len == 12 && strncasecmp (data, "content-type", 12) == 0)
        field = &self->content_type;
    else
    if (name_len == 11 && strncasecmp (data, "retry-after", 11) == 0)
        field = &self->retry_after;
    if (field && value_len < 1024) {
        free (*field);
        *field = s_header_value (value, value_len);
        if (!**field)
            str_set (field, NULL);
    }
    return bytes;
}

int
poller_start (poller_t *self, CURLM *multi)
{
    assert (!self->easy);
    s_transfer_reset (self);
    self->easy = curl_easy_init ();
    if (!self->easy) {
        zsys_error ("feeder: feed=%s cannot create a transfer", self->options.name);
        self->record.next_due = s_now_ms () + self->options.retry_max_ms;
        return -1;
    }
    CURL *easy = self->easy;
    curl_easy_setopt (easy, CURLOPT_URL, self->options.url);
    curl_easy_setopt (easy, CURLOPT_PRIVATE, self);
    curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, s_write);
    curl_easy_setopt (easy, CURLOPT_WRITEDATA, self);
    curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, s_header);
    curl_easy_setopt (easy, CURLOPT_HEADERDATA, self);
    curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, self->errbuf);
    curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, self->options.max_redirects > 0 ? 1L : 0L);
    curl_easy_setopt (easy, CURLOPT_MAXREDIRS, (long) self->options.max_redirects);
    curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt (easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, (long) self->options.connect_timeout_ms);
    curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) self->options.timeout_ms);
    curl_easy_setopt (easy, CURLOPT_ACCEPT_ENCODING, "");           //  Whatever libcurl decodes
    curl_easy_setopt (easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) self->options.max_size);
    curl_easy_setopt (easy, CURLOPT_USERAGENT, self->options.user_agent);
    curl_easy_setopt (easy, CURLOPT_FAILONERROR, 0L);
    self->headers = curl_slist_append (self->headers,
        "Accept: application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9,"
        " application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5");
    if (self->record.etag) {
        char *header = xasprintf ("If-None-Match: %s", self->record.etag);
        self->headers = curl_slist_append (self->headers, header);
        free (header);
    }
    if (self->record.last_modified) {
        char *header = xasprintf ("If-Modified-Since: %s", self->record.last_modified);
        self->headers = curl_slist_append (self->headers, header);
        free (header);
    }
    curl_easy_setopt (easy, CURLOPT_HTTPHEADER, self->headers);
    self->started = zclock_mono ();
    if (curl_multi_add_handle (multi, easy) != CURLM_OK) {
        zsys_error ("feeder: feed=%s cannot start the transfer", self->options.name);
        s_transfer_reset (self);
        self->record.next_due = s_now_ms () + self->options.retry_max_ms;
        return -1;
    }
    if (self->options.verbose)
        zsys_info ("feeder: poll feed=%s url=%s%s%s", self->options.name, self->public_url,
                   self->record.etag ? " if-none-match" : "",
                   self->record.last_modified ? " if-modified-since" : "");
    return 0;
}

bool
poller_fetching (poller_t *self)
{
    return self->easy != NULL;
}

bool
poller_owns (poller_t *self, CURL *easy)
{
    return self->easy && self->easy == easy;
}

void
poller_abort (poller_t *self, CURLM *multi)
{
    if (self->easy) {
        curl_multi_remove_handle (multi, self->easy);
        s_transfer_reset (self);
    }
}

//  --------------------------------------------------------------------------
//  Results

//  Save the record (logged on failure)
static void
s_save (poller_t *self)
{
    feedstate_put (self->state, self->options.url, &self->record);
}

//  The validators of the last response become the feed's, once every new
//  item of it was accepted
static void
s_commit_validators (poller_t *self)
{
    if (!self->staged || self->pending > 0 || self->emitting)
        return;
    self->staged = false;
    if (self->publish_failed)
        return;                 //  Items are missing: fetch everything next time
    free (self->record.etag);
    free (self->record.last_modified);
    self->record.etag = self->staged_etag;
    self->record.last_modified = self->staged_last_modified;
    self->staged_etag = NULL;
    self->staged_last_modified = NULL;
    s_save (self);
}

static void s_item_settled (settle_t *tag, const char *refused);

static item_t *
s_item_new (poller_t *self, const char *uri, const char *version)
{
    item_t *item = (item_t *) xcalloc (1, sizeof (item_t));
    item->base.settle = s_item_settled;
    item->poller = self;
    item->uri = xstrdup (uri);
    item->version = xstrdup (version);
    if (uri)
        item->key = xasprintf ("%s\n%s", uri, version ? version : "");
    else
        item->key = xasprintf ("dead\n%p", (void *) item);
    buf_init (&item->payload);
    return item;
}

static void
s_item_destroy (item_t **item_p)
{
    item_t *item = *item_p;
    if (!item)
        return;
    free (item->uri);
    free (item->version);
    free (item->key);
    free (item->refusal);
    buf_free (&item->payload);
    free (item);
    *item_p = NULL;
}

//  Publish a dead letter; tag (may be NULL) is told when it settles
static bool
s_publish_dead (poller_t *self, deadletter_t *dead, item_t *tag)
{
    buf_t buf;
    buf_init (&buf);
    deadletter_encode (dead, &buf);
    char *topic = xasprintf ("dead.%s", dead->stage);
    uint64_t pubseq = publisher_send_buf (self->publisher, STAGE_DEAD, topic, &buf, tag);
    free (topic);
    buf_free (&buf);
    if (pubseq)
        self->stats.dead++;
    return pubseq != 0;
}

static void
s_item_settled (settle_t *tag, const char *refused)
{
    item_t *item = (item_t *) tag;
    poller_t *self = item->poller;
    assert (self->pending > 0);
    if (refused && item->uri && !item->dead) {
        //  The broker will not take the story: the dead-letter log will.
        //  Published from poller_tick, not from inside the publisher.
        zsys_warning ("feeder: feed=%s item refused uri=%s reason=%s",
                      self->options.name, item->uri, refused);
        str_set (&item->refusal, refused);
        *vec_push (&self->refused) = item;
        return;
    }
    self->pending--;
    zhashx_delete (self->inflight, item->key);
    if (!refused) {
        if (item->uri) {
            //  Accepted (the story, or the dead letter standing for it)
            feedstate_mark_seen (self->state, self->options.url, item->uri, item->version);
            if (!item->dead) {
                self->stats.pushed++;
                self->record.items++;
            }
        }
    }
    else {
        zsys_warning ("feeder: feed=%s dead letter refused reason=%s", self->options.name, refused);
        if (item->uri)  //  Nothing more we can do for it: do not loop on it
            feedstate_mark_seen (self->state, self->options.url, item->uri, item->version);
    }
    s_item_destroy (&item);
    s_commit_validators (self);
}

void
poller_tick (poller_t *self)
{
    for (size_t i = 0; i < self->refused.len; i++) {
        item_t *item = self->refused.items [i];
        char *reason = xasprintf ("refused by the broker: %s", item->refusal);
        //  Keep at most 1 MB of it: the dead letter must fit where the story did not
        size_t raw = item->payload.size < 1024 * 1024 ? item->payload.size : 1024 * 1024;
        deadletter_t *dead = deadletter_new (STAGE_NORMALIZE, reason, item->payload.data, raw);
        dead->size = item->payload.size;
        dead->origin = xstrdup (item->uri);
        item->dead = true;
        if (!s_publish_dead (self, dead, item)) {
            //  Not taken: the item is not seen, the next poll tries again
            self->pending--;
            zhashx_delete (self->inflight, item->key);
            self->publish_failed = true;
            s_item_destroy (&item);
        }
        deadletter_destroy (&dead);
        free (reason);
    }
    self->refused.len = 0;
    s_commit_validators (self);
}

//  ingest_document callback: one story of the response
static void
s_emit (void *arg, story_t **story_p)
{
    poller_t *self = (poller_t *) arg;
    story_t *story = *story_p;
    self->stats.items++;
    char *version = story->version ? xstrdup (story->version)
                                   : xasprintf ("sha256:%s", story->ingest.sha256 ? story->ingest.sha256 : "");
    char *key = xasprintf ("%s\n%s", story->uri, version);
    if (zhashx_lookup (self->inflight, key)) {
        self->known++;          //  Listed twice, or still on its way from last time
        self->stats.duplicates++;
    }
    else
    if (feedstate_seen (self->state, story->uri, version)) {
        feedstate_touch (self->state, story->uri, version);
        self->known++;
        self->stats.duplicates++;
    }
    else {
        item_t *item = s_item_new (self, story->uri, version);
        story_encode (story, &item->payload);
        zhashx_insert (self->inflight, key, item);
        self->pending++;
        uint64_t pubseq = publisher_send (self->publisher, STAGE_NORMALIZE, self->topics,
                                          item->payload.data, item->payload.size, item);
        if (pubseq == 0 && errno == EMSGSIZE) {
            //  Larger than the broker takes: dead-letter it (poller_tick)
            str_set (&item->refusal, "too-large (broker/max_frame)");
            *vec_push (&self->refused) = item;
            self->fresh++;
        }
        else
        if (pubseq == 0) {
            //  Not taken (broker silent, interrupted): not seen either, so
            //  the next poll tries again
            self->pending--;
            zhashx_delete (self->inflight, key);
            if (!self->publish_failed)
                zsys_warning ("feeder: feed=%s cannot publish uri=%s: broker unavailable",
                              self->options.name, story->uri);
            self->publish_failed = true;
            s_item_destroy (&item);
        }
        else {
            self->fresh++;
            if (self->options.verbose)
                zsys_info ("feeder: feed=%s new uri=%s", self->options.name, story->uri);
        }
    }
    free (key);
    free (version);
    story_destroy (story_p);
}

//  ingest_document callback: a bad item
static void
s_dead (void *arg, deadletter_t **dead_p)
{
    poller_t *self = (poller_t *) arg;
    item_t *item = s_item_new (self, NULL, NULL);
    item->dead = true;
    self->pending++;
    zhashx_insert (self->inflight, item->key, item);
    if (!s_publish_dead (self, *dead_p, item)) {
        self->pending--;
        zhashx_delete (self->inflight, item->key);
        s_item_destroy (&item);
        self->publish_failed = true;
    }
}

//  The charset parameter of a Content-Type, or NULL. Caller frees.
static char *
s_charset (const char *content_type)
{
    if (!content_type)
        return NULL;
    const char *p = strcasestr (content_type, "charset=");
    if (!p)
        return NULL;
    p += 8;
    while (*p == ' ' || *p == '"' || *p == '\'')
        p++;
    size_t len = strcspn (p, "\"'; \t");
    return len && len < 48 ? xstrndup (p, len) : NULL;
}

//  A failed poll: record it and back off
static void
s_failed (poller_t *self, int64_t now, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (self->error, sizeof self->error, format, args);
    va_end (args);
    self->ok = false;
    self->stats.failures++;
    self->record.failures++;
    str_set (&self->record.last_error, self->error);
    //  retry_min doubling up to retry_max, with +/-25% jitter
    int64_t delay = self->options.retry_min_ms;
    for (int i = 1; i < self->record.failures && delay < self->options.retry_max_ms; i++)
        delay *= 2;
    if (delay > self->options.retry_max_ms)
        delay = self->options.retry_max_ms;
    delay = delay * (750 + (int64_t) (s_random (self) % 501)) / 1000;
    if (self->retry_after) {
        //  Retry-After: seconds or an HTTP date, capped at an hour
        int64_t after = -1;
        if (isdigit ((unsigned char) self->retry_after [0]))
            after = (int64_t) strtoll (self->retry_after, NULL, 10) * 1000;
        else {
            time_t when = curl_getdate (self->retry_after, NULL);
            if (when > 0)
                after = (int64_t) when * 1000 - now;
        }
        if (after > 3600 * 1000)
            after = 3600 * 1000;
        if (after > delay)
            delay = after;
    }
    self->record.next_due = now + delay;
    zsys_warning ("feeder: poll feed=%s failed: %s (failure %d, retry in %.1fs)",
                  self->options.name, self->error, self->record.failures, delay / 1000.0);
}

//  A 2xx body: parse it and push what is new
static void
s_process (poller_t *self, int64_t now, const char *effective)
{
    char *origin = poller_redact (effective ? effective : self->options.url);
    document_t *doc = document_new (self->options.source, origin,
                                    self->body.data ? self->body.data : "", self->body.size);
    free (origin);
    str_set (&doc->channel, self->public_url);
    str_set (&doc->format, self->options.format);
    char *charset = s_charset (self->content_type);
    doc->charset = charset;
    char received [40];
    str_set (&doc->received, time_format_rfc3339 (now / 1000, received, sizeof received));

    self->fresh = 0;
    self->known = 0;
    self->publish_failed = false;
    self->staged = true;
    free (self->staged_etag);
    free (self->staged_last_modified);
    self->staged_etag = xstrdup (self->etag);
    self->staged_last_modified = xstrdup (self->last_modified);

    ingest_result_t result;
    self->emitting = true;
    feedstate_begin (self->state);
    int rc = ingest_document (doc, s_emit, s_dead, self, &result);
    feedstate_commit (self->state);
    self->emitting = false;

    if (rc != 0) {
        self->staged = false;
        char sha [65];
        sha256_hex (doc->data, doc->size, sha);
        if (!self->record.error_sha256 || strcmp (self->record.error_sha256, sha) != 0) {
            //  Dead-letter each distinct bad response once, not every poll
            deadletter_t *dead = deadletter_new (STAGE_INGEST, result.error, doc->data, doc->size);
            dead->origin = xstrdup (doc->origin);
            if (s_publish_dead (self, dead, NULL))
                str_set (&self->record.error_sha256, sha);
            deadletter_destroy (&dead);
        }
        s_failed (self, now, "%s", result.error);
    }
    else
    if (self->publish_failed) {
        s_commit_validators (self);
        s_failed (self, now, "cannot hand items to the broker at %s",
                  publisher_endpoint (self->publisher));
    }
    else {
        self->ok = true;
        self->error [0] = 0;
        self->record.failures = 0;
        str_set (&self->record.last_error, NULL);
        str_set (&self->record.error_sha256, NULL);
        self->record.last_success = now;
        self->record.next_due = now + self->options.every_ms;
        zsys_info ("feeder: poll feed=%s status=%d bytes=%zu format=%s items=%d new=%d known=%d"
                   " skipped=%d bad=%d in %" PRId64 "ms",
                   self->options.name, self->record.last_status, self->body.size,
                   result.format ? result.format : "-", result.stories, self->fresh, self->known,
                   result.skipped, result.bad_items, zclock_mono () - self->started);
        s_commit_validators (self);
    }
    document_destroy (&doc);
}

void
poller_finish (poller_t *self, CURLcode code)
{
    assert (self->easy);
    int64_t now = s_now_ms ();
    long status = 0;
    curl_easy_getinfo (self->easy, CURLINFO_RESPONSE_CODE, &status);
    char *effective = NULL;
    curl_easy_getinfo (self->easy, CURLINFO_EFFECTIVE_URL, &effective);
    effective = xstrdup (effective);
    self->stats.polls++;
    self->record.polls++;
    self->record.last_poll = now;
    self->record.last_status = (int) status;

    if (code != CURLE_OK) {
        if (self->too_large || code == CURLE_FILESIZE_EXCEEDED)
            s_failed (self, now, "too-large: the response is larger than feeds/max_size"
                      " (%" PRId64 " bytes); transfer aborted", self->options.max_size);
        else
        if (code == CURLE_OPERATION_TIMEDOUT)
            s_failed (self, now, "timeout: no complete response within %.1fs (%s)",
                      self->options.timeout_ms / 1000.0,
                      self->errbuf [0] ? self->errbuf : curl_easy_strerror (code));
        else
        if (code == CURLE_TOO_MANY_REDIRECTS)
            s_failed (self, now, "too many redirects (more than %d)", self->options.max_redirects);
        else
            s_failed (self, now, "%s", self->errbuf [0] ? self->errbuf : curl_easy_strerror (code));
    }
    else
    if (status == 304) {
        self->ok = true;
        self->error [0] = 0;
        self->stats.not_modified++;
        self->record.failures = 0;
        str_set (&self->record.last_error, NULL);
        self->record.last_success = now;
        self->record.next_due = now + self->options.every_ms;
        zsys_info ("feeder: poll feed=%s status=304 not modified in %" PRId64 "ms",
                   self->options.name, zclock_mono () - self->started);
    }
    else
    if (status >= 200 && status < 300)
        s_process (self, now, effective);
    else {
        char *where = poller_redact (effective ? effective : self->options.url);
        s_failed (self, now, "HTTP %ld from %s", status, where);
        free (where);
    }

    s_save (self);
    free (effective);
    s_transfer_reset (self);
}

void
poller_broker_lost (poller_t *self, const char *endpoint)
{
    s_failed (self, s_now_ms (), "the broker at %s did not accept %zu new item%s in time;"
              " they go again at the next poll", endpoint, self->pending,
              self->pending == 1 ? "" : "s");
    s_save (self);
}

uint64_t
poller_polls (poller_t *self)
{
    return self->stats.polls;
}

bool
poller_ok (poller_t *self)
{
    return self->ok;
}

const char *
poller_error (poller_t *self)
{
    return self->error;
}

const poller_stats_t *
poller_stats (poller_t *self)
{
    return &self->stats;
}

const char *
poller_name (poller_t *self)
{
    return self->options.name;
}
