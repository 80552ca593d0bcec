//  SPDX-License-Identifier: MIT
//  test_ingest_stage - the ingest stage against the real broker
//
//  A temporary home with the broker actor, the ingest stage in a worker
//  actor, and a sink worker on the normalize queue. Documents go in with
//  the publisher; the test checks the stories that reach normalize, the
//  dead letters of bad items and the rejections of unreadable documents.
//  Every wait polls with a deadline.

#include "common.h"
#include "publisher.h"
#include "broker/broker.h"
#include "broker/deadlog.h"
#include "cli/cli.h"
#include "ingest/stage.h"
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>

//  --------------------------------------------------------------------------
//  Fixture: a home with a broker

typedef struct {
    char home [128];
    config_t *config;
    zactor_t *broker;
    char *endpoint;
} fixture_t;

static fixture_t *
s_fixture_new (void)
{
    fixture_t *self = (fixture_t *) xcalloc (1, sizeof (fixture_t));
    snprintf (self->home, sizeof self->home, "/tmp/copydesk-test-ingest-XXXXXX");
    assert_non_null (mkdtemp (self->home));
    char *path = xasprintf ("%s/copydesk.cfg", self->home);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fprintf (file, "broker\n    heartbeat = 100\n    liveness = 10\n    max_attempts = 2\n");
    fclose (file);
    free (path);
    self->config = config_load (self->home);
    assert_non_null (self->config);
    self->broker = zactor_new (broker_actor, self->config);
    assert_non_null (self->broker);
    zstr_send (self->broker, "ENDPOINT");
    self->endpoint = zstr_recv (self->broker);
    assert_non_null (self->endpoint);
    assert_true (strlen (self->endpoint) > 0);
    return self;
}

static void
s_fixture_destroy (fixture_t **self_p)
{
    fixture_t *self = *self_p;
    zactor_destroy (&self->broker);
    config_destroy (&self->config);
    char *command = xasprintf ("rm -rf '%s'", self->home);
    assert_int_equal (system (command), 0);
    free (command);
    free (self->endpoint);
    free (self);
    *self_p = NULL;
}

//  A number in the broker's stats (queue NULL: top level)
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

static bool
s_wait_stat (fixture_t *self, const char *queue, const char *key, double value, int timeout)
{
    int64_t deadline = zclock_mono () + timeout;
    while (zclock_mono () < deadline) {
        if (s_stat (self, queue, key) == value)
            return true;
        zclock_sleep (20);
    }
    return false;
}

//  Dead letters whose reason contains text
static int
s_dead_count (fixture_t *fixture, const char *text)
{
    char *path = config_path (fixture->config, "dead/dead.log");
    deadlog_reader_t *reader = deadlog_open (path);
    free (path);
    if (!reader)
        return 0;
    int count = 0;
    deadletter_t *deadletter;
    while ((deadletter = deadlog_next (reader))) {
        if (deadletter->reason && strstr (deadletter->reason, text))
            count++;
        deadletter_destroy (&deadletter);
    }
    deadlog_close (&reader);
    return count;
}

//  --------------------------------------------------------------------------
//  The sink on the normalize queue: what the ingest stage published

typedef struct {
    pthread_mutex_t lock;
    int count;                  //  Stories received
    int undecodable;            //  Payloads that are no story draft
    int reuters;                //  Stories of format reuters-sgml
    int teletype;               //  Stories of format iptc7901
    int no_uri;                 //  Drafts without a uri (normalize derives it)
    char first_headline [128];  //  Headline of the first story
} sink_t;

static int
s_sink_handle (void *state, job_t *job)
{
    sink_t *self = (sink_t *) state;
    char err [256];
    story_t *story = story_decode_draft (job_data (job), job_size (job), err, sizeof err);
    pthread_mutex_lock (&self->lock);
    if (!story)
        self->undecodable++;
    else {
        if (self->count == 0 && story_headline (story))
            snprintf (self->first_headline, sizeof self->first_headline, "%s", story_headline (story));
        self->count++;
        if (story->ingest.format && strcmp (story->ingest.format, "reuters-sgml") == 0)
            self->reuters++;
        if (story->ingest.format && strcmp (story->ingest.format, "iptc7901") == 0)
            self->teletype++;
        if (!story->uri)
            self->no_uri++;
    }
    pthread_mutex_unlock (&self->lock);
    story_destroy (&story);
    return WORKER_DONE;
}

static const stage_t s_sink = {
    .name = "normalize",
    .input = STAGE_NORMALIZE,
    .output = STAGE_CLASSIFY,
    .handle = s_sink_handle,
};

static int
s_sink_count (sink_t *self)
{
    pthread_mutex_lock (&self->lock);
    int count = self->count;
    pthread_mutex_unlock (&self->lock);
    return count;
}

static bool
s_wait_sink (sink_t *self, int count, int timeout)
{
    int64_t deadline = zclock_mono () + timeout;
    while (zclock_mono () < deadline) {
        if (s_sink_count (self) >= count)
            return true;
        zclock_sleep (10);
    }
    return false;
}

static zactor_t *
s_worker_start (fixture_t *fixture, worker_args_t *args, const stage_t *stage, void *state)
{
    args->stage = stage;
    args->state = state;
    worker_options_init (&args->options, fixture->config);
    args->options.endpoint = fixture->endpoint;
    args->options.credit = 16;
    zactor_t *actor = zactor_new (worker_actor, args);
    assert_non_null (actor);
    return actor;
}

//  Publish bytes to the ingest queue (raw payload, not necessarily a document)
static void
s_publish (publisher_t *publisher, const void *data, size_t size)
{
    assert_true (publisher_send (publisher, STAGE_INGEST, "pushed.test", data, size, NULL) > 0);
}

//  Publish a shared file as a document
static void
s_publish_file (publisher_t *publisher, const char *relative, const char *source)
{
    const char *shared = getenv ("COPYDESK_SHARED");
    assert_non_null (shared);
    char *path = xasprintf ("%s/%s", shared, relative);
    uint8_t *data;
    size_t size;
    assert_int_equal (file_read (path, DOCUMENT_MAX_SIZE, &data, &size), 0);
    document_t *doc = document_new (source, path, data, size);
    buf_t buf;
    buf_init (&buf);
    document_encode (doc, &buf);
    s_publish (publisher, buf.data, buf.size);
    buf_free (&buf);
    document_destroy (&doc);
    free (data);
    free (path);
}

//  --------------------------------------------------------------------------

static void
test_stage (void **state)
{
    fixture_t *fixture = s_fixture_new ();
    const stage_t *stage = ingest_stage ();
    void *ingest_state = stage->create (fixture->config);
    sink_t sink = { PTHREAD_MUTEX_INITIALIZER };
    worker_args_t iargs, sargs;
    zactor_t *ingest = s_worker_start (fixture, &iargs, stage, ingest_state);
    zactor_t *consumer = s_worker_start (fixture, &sargs, &s_sink, &sink);

    publisher_t *publisher = publisher_new (fixture->endpoint, 64);
    assert_non_null (publisher);
    //  A Reuters file: 1,000 stories
    s_publish_file (publisher, "data/reuters21578/reut2-003.sgm", "reuters");
    //  A 7901 stream with a message that holds nothing: one bad item
    buf_t stream;
    buf_init (&stream);
    const char *shared = getenv ("COPYDESK_SHARED");
    const char *names [] = { "sdcore__IPTC7901.txt", "sdcore__dpa_two_line.txt" };
    for (int i = 0; i < 2; i++) {
        char *path = xasprintf ("%s/samples/iptc7901/%s", shared, names [i]);
        uint8_t *data;
        size_t size;
        assert_int_equal (file_read (path, DOCUMENT_MAX_SIZE, &data, &size), 0);
        buf_append (&stream, data, size);
        buf_append (&stream, "\x01\x7f\x04", 3);
        free (data);
        free (path);
    }
    document_t *doc = document_new ("dpa", "dpa-stream.txt", stream.data, stream.size);
    buf_t buf;
    buf_init (&buf);
    document_encode (doc, &buf);
    s_publish (publisher, buf.data, buf.size);
    document_destroy (&doc);
    //  An HTML page saved as a feed: the whole document is rejected
    doc = document_new ("web", "page.rss", "<html><body>Moved</body></html>", 31);
    document_encode (doc, &buf);
    s_publish (publisher, buf.data, buf.size);
    document_destroy (&doc);
    //  A msgpack map that is not a document
    s_publish (publisher, "\x81\xa1x\x01", 4);
    assert_int_equal (publisher_flush (publisher, 10000), 0);
    assert_int_equal (publisher_accepted (publisher), 4);
    publisher_destroy (&publisher);

    assert_true (s_wait_sink (&sink, 1002, 60000));
    //  Two rejected documents, two bad items
    assert_true (s_wait_stat (fixture, NULL, "dead", 4, 10000));
    assert_true (s_wait_stat (fixture, STAGE_INGEST, "acked", 2, 10000));
    assert_int_equal (s_dead_count (fixture, "HTML page"), 1);
    assert_int_equal (s_dead_count (fixture, "not a document"), 1);
    assert_int_equal (s_dead_count (fixture, "holds no text"), 2);

    pthread_mutex_lock (&sink.lock);
    assert_int_equal (sink.count, 1002);
    assert_int_equal (sink.undecodable, 0);
    assert_int_equal (sink.reuters, 1000);
    assert_int_equal (sink.teletype, 2);
    //  7901 has no identity: normalize derives it
    assert_int_equal (sink.no_uri, 2);
    assert_string_equal (sink.first_headline, "U.K. MONEY MARKET SHORTAGE FORECAST AT 250 MLN STG");
    pthread_mutex_unlock (&sink.lock);

    //  The stage's own counters, once its worker has stopped
    zactor_destroy (&ingest);
    zactor_destroy (&consumer);
    const ingest_stats_t *stats = ingest_stage_stats (ingest_state);
    assert_int_equal (stats->documents, 2);
    assert_int_equal (stats->rejected, 2);
    assert_int_equal (stats->stories, 1002);
    assert_int_equal (stats->bad_items, 2);
    stage->destroy (&ingest_state);
    assert_null (ingest_state);
    buf_free (&buf);
    buf_free (&stream);
    s_fixture_destroy (&fixture);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_stage),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
