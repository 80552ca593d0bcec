//  SPDX-License-Identifier: MIT
//  test_poller - the feed poller against a local HTTP server written here
//  and the real broker actor: conditional GET (ETag, Last-Modified), 304,
//  500 and back-off, Retry-After, slow and oversized responses, redirects,
//  gzip, charsets, bodies that are not feeds, state across restarts, items
//  never pushed twice and never lost when the broker is away.

#include "common.h"
#include "feeder/feeder.h"
#include "broker/broker.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include <pthread.h>
#include <poll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <zlib.h>
#include <setjmp.h>
#include <cmocka.h>

//  --------------------------------------------------------------------------
//  A small HTTP/1.1 server: one thread per connection, one request each

typedef struct {
    int listener;               //  Listening socket
    int port;                   //  Its port on 127.0.0.1
    pthread_t thread;           //  Accepting thread
    volatile int stop;          //  Set to stop it
    pthread_mutex_t lock;       //  Guards what follows
    char *feed;                 //  Body of /feed, /lm, /gzip
    char etag [64];             //  ETag of /feed
    char last_modified [64];    //  Last-Modified of /feed and /lm
    int requests;               //  Requests served
    char path [256];            //  Path of the last request
    char if_none_match [128];   //  Validators of the last request
    char if_modified_since [128];
    char accept_encoding [128];
    char user_agent [128];
    int slow_closed;            //  /slow and /big saw the client go away
    int active;                 //  Connection threads running
    int max_active;             //  Most at once
    pthread_cond_t idle;        //  Signalled when active drops to 0
} server_t;

typedef struct {
    server_t *server;
    int fd;
} connection_t;

static void
s_send_all (int fd, const void *data, size_t size)
{
    const char *p = (const char *) data;
    while (size > 0) {
        ssize_t n = send (fd, p, size, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        p += n;
        size -= (size_t) n;
    }
}

static void
s_respond (int fd, int status, const char *headers, const void *body, size_t size)
{
    char head [1024];
    int len = snprintf (head, sizeof head, "HTTP/1.1 %d X\r\nConnection: close\r\n%sContent-Length: %zu\r\n\r\n",
                        status, headers ? headers : "", size);
    s_send_all (fd, head, (size_t) len);
    if (size)
        s_send_all (fd, body, size);
}

//  Copy header name's value from the request into out
static void
s_request_header (const char *request, const char *name, char *out, size_t size)
{
    out [0] = 0;
    const char *p = strcasestr (request, name);
    if (!p)
        return;
    p += strlen (name);
    while (*p == ' ')
        p++;
    size_t len = strcspn (p, "\r\n");
    snprintf (out, size, "%.*s", (int) len, p);
}

//  Send data in chunks until the client hangs up or the server stops
static void
s_trickle (server_t *server, int fd, size_t chunk, int pause_ms, size_t limit)
{
    char *block = (char *) xmalloc (chunk);
    memset (block, 'x', chunk);
    size_t sent = 0;
    while (!server->stop && sent < limit) {
        ssize_t n = send (fd, block, chunk, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t) n;
        if (pause_ms) {
            struct pollfd item = { fd, POLLIN, 0 };
            //  Readable (EOF) means the client went away
            if (poll (&item, 1, pause_ms) > 0) {
                char byte;
                if (recv (fd, &byte, 1, MSG_DONTWAIT) <= 0)
                    break;
            }
        }
    }
    pthread_mutex_lock (&server->lock);
    server->slow_closed++;
    pthread_mutex_unlock (&server->lock);
    free (block);
}

static void *
s_connection (void *arg)
{
    connection_t *connection = (connection_t *) arg;
    server_t *server = connection->server;
    int fd = connection->fd;
    free (connection);
    char request [16384];
    size_t got = 0;
    while (got < sizeof request - 1) {
        ssize_t n = recv (fd, request + got, sizeof request - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t) n;
        request [got] = 0;
        if (strstr (request, "\r\n\r\n"))
            break;
    }
    request [got] = 0;
    char path [256] = "";
    sscanf (request, "GET %255s", path);

    pthread_mutex_lock (&server->lock);
    server->requests++;
    snprintf (server->path, sizeof server->path, "%s", path);
    s_request_header (request, "\nIf-None-Match:", server->if_none_match, sizeof server->if_none_match);
    s_request_header (request, "\nIf-Modified-Since:", server->if_modified_since,
                      sizeof server->if_modified_since);
    s_request_header (request, "\nAccept-Encoding:", server->accept_encoding, sizeof server->accept_encoding);
    s_request_header (request, "\nUser-Agent:", server->user_agent, sizeof server->user_agent);
    char *feed = xstrdup (server->feed ? server->feed : "");
    char etag [64], last_modified [64], if_none_match [128], if_modified_since [128];
    snprintf (etag, sizeof etag, "%s", server->etag);
    snprintf (last_modified, sizeof last_modified, "%s", server->last_modified);
    snprintf (if_none_match, sizeof if_none_match, "%s", server->if_none_match);
    snprintf (if_modified_since, sizeof if_modified_since, "%s", server->if_modified_since);
    pthread_mutex_unlock (&server->lock);

    char headers [512];
    if (streq (path, "/feed")) {
        if (*if_none_match && streq (if_none_match, etag))
            s_respond (fd, 304, NULL, NULL, 0);
        else {
            snprintf (headers, sizeof headers, "ETag: %s\r\nLast-Modified: %s\r\n"
                      "Content-Type: application/rss+xml; charset=utf-8\r\n", etag, last_modified);
            s_respond (fd, 200, headers, feed, strlen (feed));
        }
    }
    else
    if (streq (path, "/lm")) {
        if (*if_modified_since && streq (if_modified_since, last_modified))
            s_respond (fd, 304, NULL, NULL, 0);
        else {
            snprintf (headers, sizeof headers, "Last-Modified: %s\r\nContent-Type: text/xml\r\n", last_modified);
            s_respond (fd, 200, headers, feed, strlen (feed));
        }
    }
    else
    if (streq (path, "/gzip")) {
        uLongf size = compressBound (strlen (feed)) + 64;
        unsigned char *packed = (unsigned char *) xmalloc (size);
        z_stream stream = { 0 };
        deflateInit2 (&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        stream.next_in = (unsigned char *) feed;
        stream.avail_in = (uInt) strlen (feed);
        stream.next_out = packed;
        stream.avail_out = (uInt) size;
        deflate (&stream, Z_FINISH);
        size_t packed_size = stream.total_out;
        deflateEnd (&stream);
        s_respond (fd, 200, "Content-Encoding: gzip\r\nContent-Type: application/rss+xml\r\n",
                   packed, packed_size);
        free (packed);
    }
    else
    if (streq (path, "/latin1")) {
        const char body [] = "<rss version=\"2.0\"><channel><title>L</title><item><title>Gr\xFC\xDF"
                             "e aus K\xF6ln</title><link>http://l.example.com/1</link></item></channel></rss>";
        s_respond (fd, 200, "Content-Type: text/xml; charset=\"ISO-8859-1\"\r\n", body, sizeof body - 1);
    }
    else
    if (streq (path, "/fail"))
        s_respond (fd, 500, "Content-Type: text/plain\r\n", "broken", 6);
    else
    if (streq (path, "/busy"))
        s_respond (fd, 503, "Retry-After: 7\r\n", "later", 5);
    else
    if (streq (path, "/html")) {
        const char *page = "<!DOCTYPE html><html><head><title>Maintenance</title></head>"
                           "<body><p>Back soon</p></body></html>";
        s_respond (fd, 200, "Content-Type: text/html\r\n", page, strlen (page));
    }
    else
    if (streq (path, "/redirect"))
        s_respond (fd, 302, "Location: /feed\r\n", NULL, 0);
    else
    if (strncmp (path, "/loop", 5) == 0) {
        snprintf (headers, sizeof headers, "Location: /loop%d\r\n", atoi (path + 5) + 1);
        s_respond (fd, 302, headers, NULL, 0);
    }
    else
    if (streq (path, "/slow")) {
        //  Headers and a first bit, then a trickle far too slow to finish
        const char *head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n<rss>";
        s_send_all (fd, head, strlen (head));
        s_trickle (server, fd, 1, 200, 100000);
    }
    else
    if (streq (path, "/big")) {
        //  Says what it is: bigger than the cap
        const char *head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 50000000\r\n\r\n";
        s_send_all (fd, head, strlen (head));
        s_trickle (server, fd, 65536, 0, 50000000);
    }
    else
    if (streq (path, "/endless")) {
        //  Does not say: no length, just more and more bytes
        const char *head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n<rss>";
        s_send_all (fd, head, strlen (head));
        s_trickle (server, fd, 65536, 0, 50000000);
    }
    else
        s_respond (fd, 404, NULL, "no", 2);
    free (feed);
    shutdown (fd, SHUT_WR);
    close (fd);
    pthread_mutex_lock (&server->lock);
    if (--server->active == 0)
        pthread_cond_signal (&server->idle);
    pthread_mutex_unlock (&server->lock);
    return NULL;
}

static void *
s_server_thread (void *arg)
{
    server_t *server = (server_t *) arg;
    while (!server->stop) {
        struct pollfd item = { server->listener, POLLIN, 0 };
        if (poll (&item, 1, 50) <= 0)
            continue;
        int fd = accept (server->listener, NULL, NULL);
        if (fd < 0)
            continue;
        connection_t *connection = (connection_t *) xcalloc (1, sizeof (connection_t));
        connection->server = server;
        connection->fd = fd;
        pthread_mutex_lock (&server->lock);
        server->active++;
        if (server->active > server->max_active)
            server->max_active = server->active;
        pthread_mutex_unlock (&server->lock);
        pthread_t thread;
        if (pthread_create (&thread, NULL, s_connection, connection) == 0)
            pthread_detach (thread);
        else {
            pthread_mutex_lock (&server->lock);
            server->active--;
            pthread_mutex_unlock (&server->lock);
            close (fd);
            free (connection);
        }
    }
    return NULL;
}

static server_t *
s_server_new (void)
{
    server_t *server = (server_t *) xcalloc (1, sizeof (server_t));
    pthread_mutex_init (&server->lock, NULL);
    pthread_cond_init (&server->idle, NULL);
    server->listener = socket (AF_INET, SOCK_STREAM, 0);
    assert_true (server->listener >= 0);
    int on = 1;
    setsockopt (server->listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in address = { 0 };
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    assert_int_equal (bind (server->listener, (struct sockaddr *) &address, sizeof address), 0);
    assert_int_equal (listen (server->listener, 64), 0);
    socklen_t length = sizeof address;
    getsockname (server->listener, (struct sockaddr *) &address, &length);
    server->port = ntohs (address.sin_port);
    snprintf (server->etag, sizeof server->etag, "\"v1\"");
    snprintf (server->last_modified, sizeof server->last_modified, "Mon, 01 Jan 2024 10:00:00 GMT");
    assert_int_equal (pthread_create (&server->thread, NULL, s_server_thread, server), 0);
    return server;
}

static void
s_server_destroy (server_t **server_p)
{
    server_t *server = *server_p;
    server->stop = 1;
    pthread_join (server->thread, NULL);
    close (server->listener);
    //  Wait for the connection threads (they see the stop flag)
    pthread_mutex_lock (&server->lock);
    while (server->active > 0)
        pthread_cond_wait (&server->idle, &server->lock);
    pthread_mutex_unlock (&server->lock);
    free (server->feed);
    pthread_cond_destroy (&server->idle);
    pthread_mutex_destroy (&server->lock);
    free (server);
    *server_p = NULL;
}

//  A feed of count items numbered from first
static void
s_server_feed (server_t *server, int first, int count, const char *etag)
{
    buf_t feed;
    buf_init (&feed);
    buf_puts (&feed, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>"
                     "<title>Test wire</title><link>http://wire.example.com/</link>"
                     "<lastBuildDate>Mon, 01 Jan 2024 10:00:00 GMT</lastBuildDate>");
    for (int i = first; i < first + count; i++)
        buf_printf (&feed, "<item><title>Story %d</title><link>http://wire.example.com/%d</link>"
                           "<guid>http://wire.example.com/%d</guid><description>Body of story %d.</description>"
                           "<pubDate>Mon, 01 Jan 2024 09:%02d:00 GMT</pubDate></item>", i, i, i, i, i % 60);
    buf_puts (&feed, "</channel></rss>");
    pthread_mutex_lock (&server->lock);
    free (server->feed);
    server->feed = buf_detach (&feed);
    snprintf (server->etag, sizeof server->etag, "%s", etag);
    pthread_mutex_unlock (&server->lock);
}

//  A copy of a string field of the server, under the lock
static void
s_server_get (server_t *server, const char *field, char *out, size_t size)
{
    pthread_mutex_lock (&server->lock);
    snprintf (out, size, "%s", field);
    pthread_mutex_unlock (&server->lock);
}

//  --------------------------------------------------------------------------
//  Fixture: a temp home, its config, the broker actor, the HTTP server

typedef struct {
    char home [128];
    config_t *config;
    zactor_t *broker;
    server_t *server;
    char url [128];
} fixture_t;

static void
s_broker_start (fixture_t *self)
{
    self->broker = zactor_new (broker_actor, self->config);
    assert_non_null (self->broker);
    zstr_send (self->broker, "ENDPOINT");
    char *endpoint = zstr_recv (self->broker);
    assert_non_null (endpoint);
    assert_true (strlen (endpoint) > 0);
    free (endpoint);
}

static int
s_setup (void **state)
{
    fixture_t *self = (fixture_t *) xcalloc (1, sizeof (fixture_t));
    snprintf (self->home, sizeof self->home, "/tmp/copydesk-test-poller-XXXXXX");
    assert_non_null (mkdtemp (self->home));
    char path [256];
    snprintf (path, sizeof path, "%s/copydesk.cfg", self->home);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fprintf (file,
        "broker\n    heartbeat = 100\n    liveness = 10\n"
        "feeds\n    timeout = 1500ms\n    connect_timeout = 1s\n    max_size = 256k\n"
        "    retry_min = 1s\n    retry_max = 20s\n    broker_timeout = 1500ms\n");
    fclose (file);
    self->config = config_load (self->home);
    assert_non_null (self->config);
    s_broker_start (self);
    self->server = s_server_new ();
    s_server_feed (self->server, 1, 3, "\"v1\"");
    *state = self;
    return 0;
}

static int
s_teardown (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    zactor_destroy (&self->broker);
    s_server_destroy (&self->server);
    config_destroy (&self->config);
    char *command = xasprintf ("rm -rf '%s'", self->home);
    assert_int_equal (system (command), 0);
    free (command);
    free (self);
    return 0;
}

static const char *
s_url (fixture_t *self, const char *path)
{
    snprintf (self->url, sizeof self->url, "http://127.0.0.1:%d%s", self->server->port, path);
    return self->url;
}

static double
s_stat (fixture_t *self, const char *queue, const char *key)
{
    char err [256];
    json_t *stats = cli_stats (self->config, 5000, err, sizeof err);
    if (!stats)
        fail_msg ("no stats: %s", err);
    json_t *object = queue ? json_object_get (json_object_get (stats, "queues"), queue) : stats;
    double value = cli_json_number (object, key, -1);
    json_decref (stats);
    return value;
}

//  Poll url once with a fresh feeder (as `copydesk poll --once` does);
//  returns feeder_run's result and fills stats
static int
s_poll_once (fixture_t *self, const char *url, poller_stats_t *stats, char *error, size_t error_size)
{
    feeder_t *feeder = feeder_new (self->config, false);
    assert_non_null (feeder);
    assert_int_equal (feeder_add_feed (feeder, "test", url, "test", NULL, 60 * 1000), 0);
    int rc = feeder_run (feeder, true, 20000);
    poller_t *poller = feeder_feed (feeder, 0);
    if (stats)
        *stats = *poller_stats (poller);
    if (error)
        snprintf (error, error_size, "%s", poller_error (poller));
    feeder_destroy (&feeder);
    return rc;
}

static void
s_record (fixture_t *self, const char *url, feedrecord_t *record)
{
    char path [256], err [256];
    snprintf (path, sizeof path, "%s/feeds.db", self->home);
    feedstate_t *state = feedstate_open (path, err, sizeof err);
    assert_non_null (state);
    assert_int_equal (feedstate_get (state, url, record), 0);
    feedstate_destroy (&state);
}

//  --------------------------------------------------------------------------
//  Tests

static void
test_conditional_get (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    const char *url = s_url (self, "/feed");
    poller_stats_t stats;
    assert_int_equal (s_poll_once (self, url, &stats, NULL, 0), 0);
    assert_int_equal (stats.items, 3);
    assert_int_equal (stats.pushed, 3);
    char value [128];
    s_server_get (self->server, self->server->if_none_match, value, sizeof value);
    assert_string_equal (value, "");            //  Nothing to validate the first time
    s_server_get (self->server, self->server->user_agent, value, sizeof value);
    assert_true (str_starts (value, "copydesk/"));
    s_server_get (self->server, self->server->accept_encoding, value, sizeof value);
    assert_non_null (strstr (value, "gzip"));
    assert_int_equal ((int) s_stat (self, "normalize", "published"), 3);

    //  The stored validators go out; the server says 304
    feedrecord_t record;
    s_record (self, url, &record);
    assert_string_equal (record.etag, "\"v1\"");
    assert_string_equal (record.last_modified, "Mon, 01 Jan 2024 10:00:00 GMT");
    assert_int_equal (record.last_status, 200);
    assert_int_equal (record.items, 3);
    feedrecord_free (&record);
    assert_int_equal (s_poll_once (self, url, &stats, NULL, 0), 0);
    assert_int_equal (stats.not_modified, 1);
    assert_int_equal (stats.items, 0);
    s_server_get (self->server, self->server->if_none_match, value, sizeof value);
    assert_string_equal (value, "\"v1\"");
    s_server_get (self->server, self->server->if_modified_since, value, sizeof value);
    assert_string_equal (value, "Mon, 01 Jan 2024 10:00:00 GMT");
    s_record (self, url, &record);
    assert_int_equal (record.last_status, 304);
    assert_int_equal (record.failures, 0);
    assert_int_equal (record.polls, 2);
    feedrecord_free (&record);
    assert_int_equal ((int) s_stat (self, "normalize", "published"), 3);

    //  Last-Modified alone works too
    const char *lm = s_url (self, "/lm");
    assert_int_equal (s_poll_once (self, lm, &stats, NULL, 0), 0);
    assert_int_equal (stats.pushed, 0);         //  Same items as /feed: already pushed
    assert_int_equal (stats.duplicates, 3);
    assert_int_equal (s_poll_once (self, lm, &stats, NULL, 0), 0);
    assert_int_equal (stats.not_modified, 1);
}

static void
test_seen_not_pushed_twice (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    const char *url = s_url (self, "/feed");
    poller_stats_t stats;
    assert_int_equal (s_poll_once (self, url, &stats, NULL, 0), 0);
    assert_int_equal (stats.pushed, 3);
    //  The feed changes: two old items, two new ones
    s_server_feed (self->server, 2, 4, "\"v2\"");
    assert_int_equal (s_poll_once (self, url, &stats, NULL, 0), 0);
    assert_int_equal (stats.items, 4);
    assert_int_equal (stats.pushed, 2);
    assert_int_equal (stats.duplicates, 2);
    assert_int_equal ((int) s_stat (self, "normalize", "published"), 5);
    //  A new validator with the same content: nothing pushed
    s_server_feed (self->server, 2, 4, "\"v3\"");
    assert_int_equal (s_poll_once (self, url, &stats, NULL, 0), 0);
    assert_int_equal (stats.pushed, 0);
    assert_int_equal (stats.duplicates, 4);
    assert_int_equal ((int) s_stat (self, "normalize", "published"), 5);

    //  The items are remembered by uri and version in feeds.db
    char path [256], err [256];
    snprintf (path, sizeof path, "%s/feeds.db", self->home);
    feedstate_t *feeds = feedstate_open (path, err, sizeof err);
    assert_non_null (feeds);
    assert_int_equal (feedstate_seen_count (feeds), 5);
    feedstate_destroy (&feeds);

    //  copydesk poll --forget: everything goes again
    char *argv [] = { "poll", (char *) url, "--once", "--forget", NULL };
    assert_int_equal (cmd_poll (4, argv, self->config), 0);
    assert_int_equal ((int) s_stat (self, "normalize", "published"), 9);
    char value [128];
    s_server_get (self->server, self->server->if_none_match, value, sizeof value);
    assert_string_equal (value, "");
    //  And a plain --once after it pushes nothing
    assert_int_equal (cmd_poll (3, argv, self->config), 0);
    assert_int_equal ((int) s_stat (self, "normalize", "published"), 9);
}

static void
test_server_errors_back_off (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    const char *url = s_url (self, "/fail");
    char error [512];
    assert_int_equal (s_poll_once (self, url, NULL, error, sizeof error), -1);
    assert_non_null (strstr (error, "HTTP 500"));
    feedrecord_t record;
    s_record (self, url, &record);
    assert_int_equal (record.last_status, 500);
    assert_int_equal (record.failures, 1);
    assert_non_null (strstr (record.last_error, "HTTP 500"));
    //  retry_min (1 s) with jitter
    int64_t delay = record.next_due - record.last_poll;
    assert_true (delay >= 750 && delay <= 1250);
    feedrecord_free (&record);
    //  Each failure doubles the wait
    assert_int_equal (s_poll_once (self, url, NULL, NULL, 0), -1);
    assert_int_equal (s_poll_once (self, url, NULL, NULL, 0), -1);
    s_record (self, url, &record);
    assert_int_equal (record.failures, 3);
    delay = record.next_due - record.last_poll;
    assert_true (delay >= 3000 && delay <= 5000);
    feedrecord_free (&record);

    //  Retry-After is honoured
    url = s_url (self, "/busy");
    assert_int_equal (s_poll_once (self, url, NULL, error, sizeof error), -1);
    assert_non_null (strstr (error, "HTTP 503"));
    s_record (self, url, &record);
    delay = record.next_due - record.last_poll;
    assert_true (delay >= 7000 && delay <= 7100);
    feedrecord_free (&record);

    //  A good poll resets the count
    url = s_url (self, "/feed");
    assert_int_equal (s_poll_once (self, url, NULL, NULL, 0), 0);
    s_record (self, url, &record);
    assert_int_equal (record.failures, 0);
    assert_null (record.last_error);
    assert_true (record.next_due - record.last_poll == 60 * 1000);
    feedrecord_free (&record);
}

static void
test_slow_and_oversized (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    char error [512];
    int64_t start = zclock_mono ();
    assert_int_equal (s_poll_once (self, s_url (self, "/slow"), NULL, error, sizeof error), -1);
    int64_t took = zclock_mono () - start;
    assert_non_null (strstr (error, "timeout"));
    assert_true (took >= 1400 && took < 5000);  //  feeds/timeout = 1.5 s

    //  Content-Length says too much: refused before reading it all
    start = zclock_mono ();
    assert_int_equal (s_poll_once (self, s_url (self, "/big"), NULL, error, sizeof error), -1);
    assert_non_null (strstr (error, "too-large"));
    assert_true (zclock_mono () - start < 1500);
    //  No length, endless body: aborted at the cap
    assert_int_equal (s_poll_once (self, s_url (self, "/endless"), NULL, error, sizeof error), -1);
    assert_non_null (strstr (error, "too-large"));
    assert_non_null (strstr (error, "262144"));
    feedrecord_t record;
    s_record (self, s_url (self, "/endless"), &record);
    assert_int_equal (record.failures, 1);
    assert_non_null (strstr (record.last_error, "too-large"));
    feedrecord_free (&record);
    assert_int_equal ((int) s_stat (self, "normalize", "published"), 0);
}

static void
test_redirects_gzip_charset (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    poller_stats_t stats;
    char error [512];
    assert_int_equal (s_poll_once (self, s_url (self, "/redirect"), &stats, error, sizeof error), 0);
    assert_int_equal (stats.pushed, 3);
    char path [256];
    s_server_get (self->server, self->server->path, path, sizeof path);
    assert_string_equal (path, "/feed");
    assert_int_equal (s_poll_once (self, s_url (self, "/loop0"), NULL, error, sizeof error), -1);
    assert_non_null (strstr (error, "redirects"));
    s_server_get (self->server, self->server->path, path, sizeof path);
    assert_true (strcmp (path, "/loop5") == 0 || strcmp (path, "/loop6") == 0);

    //  gzip: the same items, already pushed through /redirect
    assert_int_equal (s_poll_once (self, s_url (self, "/gzip"), &stats, NULL, 0), 0);
    assert_int_equal (stats.items, 3);
    assert_int_equal (stats.duplicates, 3);

    //  The Content-Type charset decodes a feed that declares none: read the
    //  story back from the broker as a normalize worker would
    assert_int_equal (s_poll_once (self, s_url (self, "/latin1"), &stats, NULL, 0), 0);
    assert_int_equal (stats.pushed, 1);
    zsock_t *worker = zsock_new_dealer (config_endpoint (self->config));
    assert_non_null (worker);
    zsock_set_rcvtimeo (worker, 5000);
    buf_t info;
    buf_init (&info);
    msgpack_packer pk;
    codec_packer_init (&pk, &info);
    msgpack_pack_map (&pk, 1);
    codec_pack_kv_str (&pk, "name", "test");
    uint8_t credit [4];
    proto_put_u32 (credit, 10);
    proto_part_t parts [3] = {
        { STAGE_NORMALIZE, strlen (STAGE_NORMALIZE), NULL },
        { credit, 4, NULL },
        { info.data, info.size, NULL }
    };
    assert_int_equal (proto_send_wait (zsock_resolve (worker), PROTO_READY, 3, parts), 0);
    buf_free (&info);
    bool found = false;
    for (int i = 0; i < 4 && !found; i++) {
        proto_msg_t msg;
        if (proto_recv (zsock_resolve (worker), &msg, false, 0) != 0)
            break;
        const char *code;
        if (proto_check (&msg, &code) == 0 && msg.command == PROTO_DELIVER) {
            char err [256];
            story_t *story = story_decode (proto_arg (&msg, 3), proto_arg_size (&msg, 3), err, sizeof err);
            assert_non_null (story);
            if (streq (story->uri, "http://l.example.com/1")) {
                found = true;
                assert_string_equal (story_headline (story), "Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln");
                assert_string_equal (story->ingest.provider, "test");
                assert_string_equal (story->ingest.channel, s_url (self, "/latin1"));
                assert_string_equal (story->ingest.format, "rss");
            }
            story_destroy (&story);
        }
        proto_close (&msg);
    }
    assert_true (found);
    zsock_destroy (&worker);
}

static void
test_not_a_feed (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    const char *url = s_url (self, "/html");
    char error [512];
    assert_int_equal (s_poll_once (self, url, NULL, error, sizeof error), -1);
    assert_non_null (strstr (error, "not-a-feed"));
    //  One dead letter for this bad response, not one per poll
    assert_int_equal (s_poll_once (self, url, NULL, NULL, 0), -1);
    assert_int_equal ((int) s_stat (self, NULL, "dead"), 1);
    feedrecord_t record;
    s_record (self, url, &record);
    assert_int_equal (record.failures, 2);
    assert_int_equal (record.last_status, 200);
    feedrecord_free (&record);
}

static void
test_state_across_restarts (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    const char *url = s_url (self, "/feed");
    //  A feeder that runs (not once) keeps to the schedule it finds in feeds.db
    poller_stats_t stats;
    assert_int_equal (s_poll_once (self, url, &stats, NULL, 0), 0);
    feedrecord_t record;
    s_record (self, url, &record);
    int64_t due = record.next_due;
    feedrecord_free (&record);
    feeder_t *feeder = feeder_new (self->config, false);
    assert_int_equal (feeder_add_feed (feeder, "test", url, "test", NULL, 60 * 1000), 0);
    assert_int_equal (poller_next_due (feeder_feed (feeder, 0)), due);
    assert_true (due > zclock_time () + 50 * 1000);
    feeder_destroy (&feeder);
}

static void
test_no_loss_when_broker_away (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    const char *url = s_url (self, "/feed");
    zactor_destroy (&self->broker);
    //  Items cannot be handed over: the poll fails, nothing is recorded
    char error [512];
    poller_stats_t stats;
    assert_int_equal (s_poll_once (self, url, &stats, error, sizeof error), -1);
    assert_non_null (strstr (error, "broker"));
    assert_int_equal (stats.pushed, 0);
    feedrecord_t record;
    s_record (self, url, &record);
    assert_null (record.etag);                 //  No validator: the next poll fetches it all
    assert_int_equal (record.failures, 1);
    feedrecord_free (&record);
    //  The broker is back: everything goes
    s_broker_start (self);
    assert_int_equal (s_poll_once (self, url, &stats, NULL, 0), 0);
    assert_int_equal (stats.pushed, 3);
    char value [128];
    s_server_get (self->server, self->server->if_none_match, value, sizeof value);
    assert_string_equal (value, "");
    assert_int_equal ((int) s_stat (self, "normalize", "published"), 3);
}

static void
test_durations (void **state)
{
    int64_t ms;
    assert_int_equal (feeder_parse_ms ("300", 1000, &ms), 0);
    assert_int_equal (ms, 300000);
    assert_int_equal (feeder_parse_ms ("1500ms", 1000, &ms), 0);
    assert_int_equal (ms, 1500);
    assert_int_equal (feeder_parse_ms ("5m", 1000, &ms), 0);
    assert_int_equal (ms, 300000);
    assert_int_equal (feeder_parse_ms ("2h", 1, &ms), 0);
    assert_int_equal (ms, 7200000);
    assert_int_equal (feeder_parse_ms ("250", 1, &ms), 0);
    assert_int_equal (ms, 250);
    assert_int_equal (feeder_parse_ms ("soon", 1000, &ms), -1);
    assert_int_equal (feeder_parse_ms ("-3", 1000, &ms), -1);
    assert_int_equal (feeder_parse_ms ("3 weeks", 1000, &ms), -1);
    //  Credentials never reach logs or stories
    char *url = poller_redact ("https://user:secret@feeds.example.com:8443/a@b?x=1");
    assert_string_equal (url, "https://feeds.example.com:8443/a@b?x=1");
    free (url);
    url = poller_redact ("http://feeds.example.com/rss");
    assert_string_equal (url, "http://feeds.example.com/rss");
    free (url);
}

static void
test_config_feeds (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    char path [256];
    snprintf (path, sizeof path, "%s/copydesk.cfg", self->home);
    FILE *file = fopen (path, "a");
    assert_non_null (file);
    fprintf (file,
        "    wire\n        url = %s\n        every = 2m\n        source = wire-agency\n"
        "    bad\n        url = ftp://example.com/feed\n"
        "spools\n    inbox\n        path = inbox\n        source = local\n", s_url (self, "/feed"));
    fclose (file);
    config_t *config = config_load (self->home);
    assert_non_null (config);
    feeder_t *feeder = feeder_new (config, false);
    assert_non_null (feeder);
    assert_int_equal (feeder_load (feeder), -1);       //  "bad" is refused, the rest is loaded
    assert_int_equal (feeder_feeds (feeder), 1);
    assert_int_equal (feeder_spools (feeder), 1);
    assert_string_equal (poller_name (feeder_feed (feeder, 0)), "wire");
    assert_string_equal (spool_name (feeder_spool (feeder, 0)), "inbox");
    snprintf (path, sizeof path, "%s/inbox/done", self->home);
    assert_int_equal (access (path, F_OK), 0);
    assert_int_equal (feeder_run (feeder, true, 20000), 0);
    assert_int_equal (poller_stats (feeder_feed (feeder, 0))->pushed, 3);
    //  Reload: the same config changes nothing
    poller_t *wire = feeder_feed (feeder, 0);
    spool_t *inbox = feeder_spool (feeder, 0);
    assert_int_equal (feeder_reload (feeder), -1);
    assert_int_equal (feeder_feeds (feeder), 1);
    assert_ptr_equal (feeder_feed (feeder, 0), wire);
    assert_ptr_equal (feeder_spool (feeder, 0), inbox);
    //  A feed added to the file: the others go on untouched
    snprintf (path, sizeof path, "%s/copydesk.cfg", self->home);
    file = fopen (path, "w");
    assert_non_null (file);
    fprintf (file,
        "broker\n    heartbeat = 100\n    liveness = 10\n"
        "feeds\n    timeout = 1500ms\n    connect_timeout = 1s\n    max_size = 256k\n"
        "    retry_min = 1s\n    retry_max = 20s\n    broker_timeout = 1500ms\n"
        "    wire\n        url = %s\n        every = 2m\n        source = wire-agency\n"
        "    second\n        url = %s\n"
        "spools\n    inbox\n        path = inbox\n        source = local\n",
        s_url (self, "/feed"), s_url (self, "/lm"));
    fclose (file);
    assert_int_equal (feeder_reload (feeder), 0);
    assert_int_equal (feeder_feeds (feeder), 2);
    assert_ptr_equal (feeder_feed (feeder, 0), wire);
    assert_ptr_equal (feeder_spool (feeder, 0), inbox);
    assert_string_equal (poller_name (feeder_feed (feeder, 1)), "second");
    feeder_destroy (&feeder);
    config_destroy (&config);
}

static void
test_parallel_cap (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    config_set (self->config, "feeds/parallel", "2");
    feeder_t *feeder = feeder_new (self->config, false);
    assert_non_null (feeder);
    const char *paths [] = { "/feed", "/lm", "/gzip", "/redirect", "/latin1", "/slow" };
    for (int i = 0; i < 6; i++) {
        char name [16];
        snprintf (name, sizeof name, "f%d", i);
        assert_int_equal (feeder_add_feed (feeder, name, s_url (self, paths [i]), "test", NULL, 60000), 0);
    }
    //  /slow times out (-1); the others all complete
    assert_int_equal (feeder_run (feeder, true, 30000), -1);
    for (int i = 0; i < 5; i++)
        assert_true (poller_ok (feeder_feed (feeder, i)));
    assert_false (poller_ok (feeder_feed (feeder, 5)));
    assert_int_equal (poller_stats (feeder_feed (feeder, 4))->pushed, 1);
    feeder_destroy (&feeder);
    pthread_mutex_lock (&self->server->lock);
    int most = self->server->max_active;
    pthread_mutex_unlock (&self->server->lock);
    assert_true (most >= 1 && most <= 2);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_durations),
        cmocka_unit_test_setup_teardown (test_conditional_get, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_seen_not_pushed_twice, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_server_errors_back_off, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_slow_and_oversized, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_redirects_gzip_charset, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_not_a_feed, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_state_across_restarts, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_no_loss_when_broker_away, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_config_feeds, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_parallel_cap, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
