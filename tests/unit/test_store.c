//  SPDX-License-Identifier: MIT
//  store: upsert by (uri, version), versions and the latest one, canceled
//  stories, full-text search (and queries FTS5 cannot read), persistence,
//  and the stage's batching: decode failures, commit failures and retry.

#include "common.h"
#include "store/store.h"
#include "store/stage.h"
#include "ninjs.h"
#include "cli/commands.h"
#include "broker/broker.h"
#include "publisher.h"
#include <sqlite3.h>
#include <ftw.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <cmocka.h>

static char s_dir [256];        //  Temporary folder of the current test
static char s_path [300];       //  Database in it

static int
s_setup (void **state)
{
    const char *tmp = getenv ("TMPDIR");
    snprintf (s_dir, sizeof s_dir, "%s/test_store.XXXXXX", str_empty (tmp) ? "/tmp" : tmp);
    assert_non_null (mkdtemp (s_dir));
    snprintf (s_path, sizeof s_path, "%s/store.db", s_dir);
    return 0;
}

static int
s_teardown (void **state)
{
    const char *suffixes [] = { "", "-wal", "-shm", NULL };
    for (int i = 0; suffixes [i]; i++) {
        char *file = xasprintf ("%s%s", s_path, suffixes [i]);
        unlink (file);
        free (file);
    }
    rmdir (s_dir);
    return 0;
}

static store_t *
s_open (void)
{
    char err [512] = "";
    store_t *store = store_new (s_path, NULL, err, sizeof err);
    if (!store)
        fprintf (stderr, "%s\n", err);
    assert_non_null (store);
    return store;
}

static story_t *
s_story (const char *uri, const char *version, const char *created,
         const char *headline, const char *body)
{
    story_t *s = story_new ();
    str_set (&s->uri, uri);
    str_set (&s->version, version);
    str_set (&s->versioncreated, created);
    str_set (&s->pubstatus, "usable");
    str_set (&s->language, "en");
    story_add_text (&s->headlines, "main", NULL, headline);
    story_add_text (&s->bodies, "main", "text/plain", body);
    str_set (&s->ingest.provider, "reuters");
    str_set (&s->ingest.format, "reuters-sgml");
    str_set (&s->ingest.received, "2024-05-01T10:00:00Z");
    return s;
}

//  Put one story in its own batch; returns the outcome
static store_put_t
s_put (store_t *store, const story_t *story)
{
    store_put_t put;
    assert_int_equal (store_begin (store), 0);
    int rc = store_put (store, story, NULL, 0, &put);
    if (rc)
        fprintf (stderr, "put: %s\n", store_error (store));
    assert_int_equal (rc, 0);
    assert_int_equal (store_commit (store), 0);
    return put;
}

static int
s_search (store_t *store, const char *text, store_hitv_t *hits)
{
    store_query_t query = { .query = text, .limit = 50 };
    char err [512] = "";
    int found = store_search (store, &query, hits, err, sizeof err);
    if (found < 0)
        fprintf (stderr, "search '%s': %s\n", text, err);
    return found;
}

//  --------------------------------------------------------------------------

static void
test_upsert_idempotent (void **state)
{
    store_t *store = s_open ();
    story_t *s = s_story ("urn:t:1", "1", "2024-05-01T10:00:00Z", "Cocoa prices rise",
                          "Cocoa prices rose sharply in Bahia.");
    store_put_t put = s_put (store, s);
    assert_int_equal (put.outcome, STORE_INSERTED);
    int64_t rowid = put.rowid;
    //  Redelivered: same bytes
    put = s_put (store, s);
    assert_int_equal (put.outcome, STORE_UNCHANGED);
    assert_int_equal (put.rowid, rowid);
    //  Pushed again later: only the arrival time differs
    str_set (&s->ingest.received, "2024-05-02T08:00:00Z");
    put = s_put (store, s);
    assert_int_equal (put.outcome, STORE_UNCHANGED);
    //  Twice in one batch
    assert_int_equal (store_begin (store), 0);
    assert_int_equal (store_put (store, s, NULL, 0, &put), 0);
    assert_int_equal (put.outcome, STORE_UNCHANGED);
    assert_int_equal (store_put (store, s, NULL, 0, &put), 0);
    assert_int_equal (store_commit (store), 0);
    int64_t stories = 0;
    assert_int_equal (store_count (store, &stories), 1);
    assert_int_equal (stories, 1);
    store_stats_t stats = store_stats (store);
    assert_int_equal (stats.inserted, 1);
    assert_int_equal (stats.unchanged, 4);
    store_hitv_t hits = { 0 };
    assert_int_equal (s_search (store, "cocoa", &hits), 1);
    store_hits_free (&hits);
    story_destroy (&s);
    store_destroy (&store);
}

static void
test_replace_changed (void **state)
{
    store_t *store = s_open ();
    story_t *s = s_story ("urn:t:1", "1", "2024-05-01T10:00:00Z", "Cocoa prices rise",
                          "Cocoa prices rose sharply in Bahia.");
    int64_t rowid = s_put (store, s).rowid;
    //  A corrected record for the same (uri, version)
    str_set (&s->headlines.items [0].value, "Coffee prices rise");
    str_set (&s->bodies.items [0].value, "Coffee prices rose sharply in Santos.");
    store_put_t put = s_put (store, s);
    assert_int_equal (put.outcome, STORE_REPLACED);
    assert_int_equal (put.rowid, rowid);
    assert_int_equal (store_count (store, NULL), 1);
    //  The index follows the row: new words found, old ones gone
    store_hitv_t hits = { 0 };
    assert_int_equal (s_search (store, "santos", &hits), 1);
    assert_string_equal (hits.items [0].headline, "Coffee prices rise");
    store_hits_free (&hits);
    assert_int_equal (s_search (store, "bahia", &hits), 0);
    assert_int_equal (s_search (store, "cocoa", &hits), 0);
    store_hits_free (&hits);
    story_t *got = store_get (store, "urn:t:1", NULL, NULL);
    assert_non_null (got);
    assert_string_equal (story_headline (got), "Coffee prices rise");
    story_destroy (&got);
    story_destroy (&s);
    store_destroy (&store);
}

static void
test_versions (void **state)
{
    store_t *store = s_open ();
    //  Version 2 arrives before version 1
    story_t *v2 = s_story ("urn:t:v", "2", "2024-05-01T11:00:00Z", "Quake update", "Second take.");
    story_t *v1 = s_story ("urn:t:v", "1", "2024-05-01T10:00:00Z", "Quake", "First take.");
    assert_int_equal (s_put (store, v2).outcome, STORE_INSERTED);
    assert_int_equal (s_put (store, v1).outcome, STORE_INSERTED);
    int64_t stories = 0;
    assert_int_equal (store_count (store, &stories), 2);
    assert_int_equal (stories, 1);
    story_t *got = store_get (store, "urn:t:v", NULL, NULL);
    assert_string_equal (got->version, "2");
    story_destroy (&got);
    got = store_get (store, "urn:t:v", "1", NULL);
    assert_string_equal (story_headline (got), "Quake");
    story_destroy (&got);
    assert_null (store_get (store, "urn:t:v", "3", NULL));
    assert_null (store_get (store, "urn:t:none", NULL, NULL));
    //  Search shows the story once, at its latest version, unless asked
    store_hitv_t hits = { 0 };
    assert_int_equal (s_search (store, "quake", &hits), 1);
    assert_string_equal (hits.items [0].version, "2");
    store_hits_free (&hits);
    store_query_t all = { .query = "quake", .all_versions = true };
    assert_int_equal (store_search (store, &all, &hits, NULL, 0), 2);
    store_hits_free (&hits);
    store_storyv_t list = { 0 };
    assert_int_equal (store_get_all (store, "urn:t:v", &list), 2);
    assert_string_equal (list.items [0]->version, "2");
    assert_string_equal (list.items [1]->version, "1");
    store_stories_free (&list);
    story_destroy (&v1);
    story_destroy (&v2);
    store_destroy (&store);
}

//  versioncreated first (as instants), then decimal versions, then arrival
static void
test_latest_order (void **state)
{
    store_t *store = s_open ();
    struct {
        const char *uri, *version, *created;
    } puts [] = {
        //  Same instant, numeric versions: 10 beats 9 (not as strings)
        { "urn:o:a", "10", "2024-05-01T10:00:00Z" },
        { "urn:o:a", "9",  "2024-05-01T10:00:00Z" },
        //  Fractions and offsets: 10:00:00.5Z is later than 10:00:00Z and
        //  than 11:00:00+02:00 (09:00Z)
        { "urn:o:b", "x", "2024-05-01T10:00:00.5Z" },
        { "urn:o:b", "y", "2024-05-01T10:00:00Z" },
        { "urn:o:b", "z", "2024-05-01T11:00:00+02:00" },
        //  Opaque versions, no dates: the last to arrive
        { "urn:o:c", "b7f", NULL },
        { "urn:o:c", "a01", NULL },
        //  Dates beat version numbers (Reuters switched numbering schemes)
        { "urn:o:d", "1132689232", "2024-05-01T09:00:00Z" },
        { "urn:o:d", "5", "2024-05-01T12:00:00Z" },
    };
    for (size_t i = 0; i < sizeof puts / sizeof puts [0]; i++) {
        story_t *s = s_story (puts [i].uri, puts [i].version, puts [i].created, "Order", "Body.");
        s_put (store, s);
        story_destroy (&s);
    }
    const char *expect [][2] = {
        { "urn:o:a", "10" }, { "urn:o:b", "x" }, { "urn:o:c", "a01" }, { "urn:o:d", "5" }
    };
    for (int i = 0; i < 4; i++) {
        story_t *got = store_get (store, expect [i][0], NULL, NULL);
        assert_non_null (got);
        assert_string_equal (got->version, expect [i][1]);
        story_destroy (&got);
    }
    //  The current flag (search) agrees with store_get
    store_hitv_t hits = { 0 };
    assert_int_equal (s_search (store, "order", &hits), 4);
    for (int i = 0; i < 4; i++) {
        bool seen = false;
        for (size_t h = 0; h < hits.len; h++)
            if (streq (hits.items [h].uri, expect [i][0])) {
                assert_string_equal (hits.items [h].version, expect [i][1]);
                seen = true;
            }
        assert_true (seen);
    }
    store_hits_free (&hits);
    store_destroy (&store);
}

static void
test_cancel (void **state)
{
    store_t *store = s_open ();
    story_t *v1 = s_story ("urn:t:k", "1", "2024-05-01T10:00:00Z", "Merger agreed", "Body one.");
    story_t *v2 = s_story ("urn:t:k", "2", "2024-05-01T11:00:00Z", "Merger agreed, details", "Body two.");
    story_t *kill = s_story ("urn:t:k", "3", "2024-05-01T12:00:00Z", "KILL: Merger agreed", "Withdrawn.");
    str_set (&kill->pubstatus, "canceled");
    story_t *other = s_story ("urn:t:other", "1", "2024-05-01T10:00:00Z", "Merger talk", "Unrelated.");
    s_put (store, v1);
    s_put (store, v2);
    s_put (store, other);
    store_put_t put = s_put (store, kill);
    assert_int_equal (put.outcome, STORE_INSERTED);
    assert_int_equal (put.canceled, 2);
    for (int v = 1; v <= 3; v++) {
        char version [8];
        snprintf (version, sizeof version, "%d", v);
        story_t *got = store_get (store, "urn:t:k", version, NULL);
        assert_non_null (got);
        assert_string_equal (got->pubstatus, "canceled");
        story_destroy (&got);
    }
    story_t *got = store_get (store, "urn:t:other", NULL, NULL);
    assert_string_equal (got->pubstatus, "usable");
    story_destroy (&got);
    //  A version arriving after the kill is canceled too
    story_t *late = s_story ("urn:t:k", "0", "2024-05-01T09:00:00Z", "Merger talks", "Early.");
    s_put (store, late);
    got = store_get (store, "urn:t:k", "0", NULL);
    assert_string_equal (got->pubstatus, "canceled");
    story_destroy (&got);
    //  A kill signal does the same
    story_t *w1 = s_story ("urn:t:w", "1", "2024-05-01T10:00:00Z", "Storm", "Wind.");
    story_t *w2 = s_story ("urn:t:w", "2", "2024-05-01T10:30:00Z", "Storm", "Withdrawn.");
    story_add_signal (w2, "withdrawal");
    s_put (store, w1);
    assert_int_equal (s_put (store, w2).canceled, 1);
    got = store_get (store, "urn:t:w", "1", NULL);
    assert_string_equal (got->pubstatus, "canceled");
    story_destroy (&got);
    //  Search shows the status
    store_hitv_t hits = { 0 };
    assert_int_equal (s_search (store, "storm", &hits), 1);
    assert_string_equal (hits.items [0].pubstatus, "canceled");
    store_hits_free (&hits);
    assert_int_equal (store_stats (store).canceled, 3);
    story_destroy (&v1);
    story_destroy (&v2);
    story_destroy (&kill);
    story_destroy (&other);
    story_destroy (&late);
    story_destroy (&w1);
    story_destroy (&w2);
    store_destroy (&store);
}

static void
test_search (void **state)
{
    store_t *store = s_open ();
    story_t *a = s_story ("urn:s:a", "1", "2024-05-01T10:00:00Z", "Bundesbank raises rates",
                          "The central bank in Frankfurt raised its key rate. Markets fell.");
    story_concept_t *c = story_add_concept (&a->subjects, "Interest rates");
    str_set (&c->literal, "reuters:interest");
    story_t *b = s_story ("urn:s:b", "1", "2024-05-02T10:00:00Z", "Markets calm",
                          "Traders shrugged off the Bundesbank decision on rates.");
    c = story_add_concept (&b->subjects, "Money");
    str_set (&c->literal, "reuters:money-fx");
    str_set (&b->language, "de-CH");
    c = story_add_concept (&a->places, "Germany");
    str_set (&c->literal, "iso3166:DE");
    story_t *d = s_story ("urn:s:d", "1", "2024-05-03T10:00:00Z", "Oil prices climb",
                          "Crude oil-prices climbed in the U.S. session, earning traders gains.");
    str_set (&d->ingest.provider, "ap");
    s_put (store, a);
    s_put (store, b);
    s_put (store, d);

    store_hitv_t hits = { 0 };
    //  Headline words rank above body words
    assert_int_equal (s_search (store, "bundesbank", &hits), 2);
    assert_string_equal (hits.items [0].uri, "urn:s:a");
    assert_true (hits.items [0].score <= hits.items [1].score);
    store_hits_free (&hits);
    //  Body words, stemmed (earnings ~ earning), with a marked snippet
    store_query_t query = { .query = "earnings", .mark_open = "[", .mark_close = "]" };
    assert_int_equal (store_search (store, &query, &hits, NULL, 0), 1);
    assert_string_equal (hits.items [0].uri, "urn:s:d");
    assert_non_null (strstr (hits.items [0].snippet, "[earning]"));
    store_hits_free (&hits);
    //  FTS5 syntax works
    assert_int_equal (s_search (store, "bundesbank NOT calm", &hits), 1);
    store_hits_free (&hits);
    assert_int_equal (s_search (store, "headline:markets", &hits), 1);
    assert_string_equal (hits.items [0].uri, "urn:s:b");
    store_hits_free (&hits);
    //  Filters
    query = (store_query_t) { .query = "rates", .subject = "interest" };
    assert_int_equal (store_search (store, &query, &hits, NULL, 0), 1);
    assert_string_equal (hits.items [0].uri, "urn:s:a");
    store_hits_free (&hits);
    query = (store_query_t) { .query = "rates", .subject = "reuters:money-fx" };
    assert_int_equal (store_search (store, &query, &hits, NULL, 0), 1);
    assert_string_equal (hits.items [0].uri, "urn:s:b");
    store_hits_free (&hits);
    query = (store_query_t) { .query = "rates", .subject = "money" };
    assert_int_equal (store_search (store, &query, &hits, NULL, 0), 0);
    query = (store_query_t) { .query = "prices OR rates", .source = "ap" };
    assert_int_equal (store_search (store, &query, &hits, NULL, 0), 1);
    assert_string_equal (hits.items [0].uri, "urn:s:d");
    store_hits_free (&hits);
    query = (store_query_t) { .query = "rates OR prices", .place = "DE" };
    assert_int_equal (store_search (store, &query, &hits, NULL, 0), 1);
    assert_string_equal (hits.items [0].uri, "urn:s:a");
    store_hits_free (&hits);
    query = (store_query_t) { .query = "", .language = "de" };
    assert_int_equal (store_search (store, &query, &hits, NULL, 0), 1);
    assert_string_equal (hits.items [0].uri, "urn:s:b");
    store_hits_free (&hits);
    query = (store_query_t) { .query = "", .language = "EN" };
    assert_int_equal (store_search_count (store, &query, NULL, 0), 2);
    query = (store_query_t) { .query = "bundesbank OR oil", .since = "2024-05-02" };
    assert_int_equal (store_search (store, &query, &hits, NULL, 0), 2);
    store_hits_free (&hits);
    //  Limit and offset page through the ranking
    query = (store_query_t) { .query = "bundesbank", .limit = 1, .offset = 1 };
    assert_int_equal (store_search (store, &query, &hits, NULL, 0), 1);
    assert_string_equal (hits.items [0].uri, "urn:s:b");
    store_hits_free (&hits);
    //  Counting ignores limit and offset
    query = (store_query_t) { .query = "bundesbank", .limit = 1 };
    assert_int_equal (store_search_count (store, &query, NULL, 0), 2);
    query = (store_query_t) { .query = "rates", .subject = "interest" };
    assert_int_equal (store_search_count (store, &query, NULL, 0), 1);
    query = (store_query_t) { .query = "" };
    assert_int_equal (store_search_count (store, &query, NULL, 0), 3);
    query = (store_query_t) { .query = "U.S." };
    assert_int_equal (store_search_count (store, &query, NULL, 0), 1);
    //  No query: the newest stories
    query = (store_query_t) { .query = "", .limit = 2 };
    assert_int_equal (store_search (store, &query, &hits, NULL, 0), 2);
    assert_string_equal (hits.items [0].uri, "urn:s:d");
    assert_string_equal (hits.items [1].uri, "urn:s:b");
    assert_non_null (hits.items [0].snippet);
    store_hits_free (&hits);
    story_destroy (&a);
    story_destroy (&b);
    story_destroy (&d);
    store_destroy (&store);
}

//  What users type is not always FTS5: never crash, search the words
static void
test_invalid_syntax (void **state)
{
    store_t *store = s_open ();
    story_t *d = s_story ("urn:s:d", "1", "2024-05-03T10:00:00Z", "Oil prices climb",
                          "Crude oil-prices climbed in the U.S. session; AT&T fell.");
    s_put (store, d);
    store_hitv_t hits = { 0 };
    const char *found [] = { "oil-prices", "U.S.", "\"oil prices", "AT&T", "climb)", "crude:",
                             "oil^", NULL };
    for (int i = 0; found [i]; i++) {
        int n = s_search (store, found [i], &hits);
        if (n != 1)
            fprintf (stderr, "query '%s' found %d\n", found [i], n);
        assert_int_equal (n, 1);
        store_hits_free (&hits);
    }
    const char *odd [] = { "AND", "NOT", "OR OR", "(", ")", "\"", "NEAR(", "-", ":", "^", "*x",
                           "nosuchcolumn:oil", "'; DROP TABLE stories; --", NULL };
    for (int i = 0; odd [i]; i++) {
        char err [512] = "";
        store_query_t query = { .query = odd [i] };
        int n = store_search (store, &query, &hits, err, sizeof err);
        //  Either a result or a clear message, never a crash
        assert_true (n >= 0 || (n == -1 && strstr (err, "cannot search for")));
        store_hits_free (&hits);
    }
    assert_int_equal (store_count (store, NULL), 1);
    story_destroy (&d);
    store_destroy (&store);
}

static void
test_reopen (void **state)
{
    store_t *store = s_open ();
    story_t *s = s_story ("urn:t:p", "1", "2024-05-01T10:00:00Z", "Persistent", "Kept on disk.");
    s_put (store, s);
    store_destroy (&store);

    store = s_open ();
    assert_int_equal (store_count (store, NULL), 1);
    assert_int_equal (s_put (store, s).outcome, STORE_UNCHANGED);
    store_destroy (&store);

    //  A reader sees it, and cannot write
    store_options_t options;
    store_options_init (&options, NULL);
    options.readonly = true;
    char err [512] = "";
    store = store_new (s_path, &options, err, sizeof err);
    assert_non_null (store);
    story_t *got = store_get (store, "urn:t:p", NULL, NULL);
    assert_non_null (got);
    assert_string_equal (story_body (got), "Kept on disk.");
    story_destroy (&got);
    store_destroy (&store);

    //  WAL mode and synchronous NORMAL, schema version set
    sqlite3 *db;
    assert_int_equal (sqlite3_open (s_path, &db), SQLITE_OK);
    sqlite3_stmt *stmt;
    sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL);
    assert_int_equal (sqlite3_step (stmt), SQLITE_ROW);
    assert_string_equal ((const char *) sqlite3_column_text (stmt, 0), "wal");
    sqlite3_finalize (stmt);
    sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
    assert_int_equal (sqlite3_step (stmt), SQLITE_ROW);
    assert_int_equal (sqlite3_column_int (stmt, 0), STORE_SCHEMA_VERSION);
    sqlite3_finalize (stmt);
    //  A database from the future is refused, not damaged
    sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close (db);
    assert_null (store_new (s_path, NULL, err, sizeof err));
    assert_non_null (strstr (err, "newer"));
    //  A reader of a missing database gets an error, not a new file
    char *missing = xasprintf ("%s/missing.db", s_dir);
    assert_null (store_new (missing, &options, err, sizeof err));
    assert_int_equal (access (missing, F_OK), -1);
    free (missing);
    story_destroy (&s);
}

//  Whatever a record holds, the store keeps it and finds it again
static void
test_hostile (void **state)
{
    store_t *store = s_open ();
    //  Invalid UTF-8, controls, quotes, a long uri, a 2 MB body
    char *uri = (char *) xmalloc (10001);
    memset (uri, 'u', 10000);
    memcpy (uri, "urn:x:'\";--", 12);
    uri [10000] = 0;
    buf_t body;
    buf_init (&body);
    while (body.size < 2 * 1024 * 1024)
        buf_puts (&body, "zebra \xff\xfe quagga \x01\x1b[31m okapi\n\n");
    story_t *s = s_story (uri, NULL, "not a date", "Bad \xc3\x28 headline \"quoted\"", body.data);
    story_t *t = s_story ("urn:x:empty-version", "", NULL, "", "");
    assert_int_equal (s_put (store, s).outcome, STORE_INSERTED);
    store_put_t put = s_put (store, t);
    assert_int_equal (put.outcome, STORE_INSERTED);
    //  A NULL version and "" are the same version (the record differs)
    str_set (&t->version, NULL);
    store_put_t again = s_put (store, t);
    assert_int_equal (again.outcome, STORE_REPLACED);
    assert_int_equal (again.rowid, put.rowid);
    assert_int_equal (store_count (store, NULL), 2);
    store_hitv_t hits = { 0 };
    assert_int_equal (s_search (store, "quagga", &hits), 1);
    assert_string_equal (hits.items [0].uri, uri);
    assert_null (hits.items [0].version);
    store_hits_free (&hits);
    assert_int_equal (s_search (store, "okapi AND zebra", &hits), 1);
    store_hits_free (&hits);
    //  A long body gets its snippet around the first word found
    buf_t lead;
    buf_init (&lead);
    while (lead.size < 40000)
        buf_puts (&lead, "Filler words about nothing much at all. ");
    buf_puts (&lead, "Then the Pangolin appeared near the river. ");
    while (lead.size < 60000)
        buf_puts (&lead, "More filler follows here. ");
    story_t *l = s_story ("urn:x:long", "1", NULL, "Long story", lead.data);
    s_put (store, l);
    store_query_t query = { .query = "pangolin OR nothingatall", .mark_open = "<", .mark_close = ">" };
    assert_int_equal (store_search (store, &query, &hits, NULL, 0), 1);
    assert_non_null (strstr (hits.items [0].snippet, "the <Pangolin> appeared"));
    assert_true (strlen (hits.items [0].snippet) < 300);
    store_hits_free (&hits);
    story_destroy (&l);
    buf_free (&lead);
    story_t *got = store_get (store, uri, NULL, NULL);
    assert_non_null (got);
    assert_int_equal (strlen (story_body (got)), body.size);
    //  ninjs output of it is valid JSON
    char *text = ninjs_dumps (got, NINJS_FULL);
    json_error_t error;
    json_t *json = json_loads (text, 0, &error);
    assert_non_null (json);
    json_decref (json);
    free (text);
    story_destroy (&got);
    buf_free (&body);
    free (uri);
    story_destroy (&s);
    story_destroy (&t);
    store_destroy (&store);
}

//  Several store processes on one file: each creates or migrates safely,
//  writes take turns, and shared stories end up once
static void
test_concurrent_writers (void **state)
{
    const int writers = 4, own = 100, shared = 50;
    pid_t pids [4];
    for (int w = 0; w < writers; w++) {
        pids [w] = fork ();
        assert_true (pids [w] >= 0);
        if (pids [w] == 0) {
            char err [512] = "";
            store_t *store = store_new (s_path, NULL, err, sizeof err);
            if (!store) {
                fprintf (stderr, "writer %d: %s\n", w, err);
                _exit (1);
            }
            int status = 0;
            for (int batch = 0; batch < 5 && status == 0; batch++) {
                if (store_begin (store)) {
                    status = 2;
                    break;
                }
                for (int i = 0; i < (own + shared) / 5; i++) {
                    int n = batch * ((own + shared) / 5) + i;
                    char uri [64];
                    if (n < own)
                        snprintf (uri, sizeof uri, "urn:w%d:%d", w, n);
                    else
                        snprintf (uri, sizeof uri, "urn:shared:%d", n - own);
                    story_t *s = s_story (uri, "1", "2024-05-01T10:00:00Z", "Writer", "Shared file.");
                    store_put_t put;
                    if (store_put (store, s, NULL, 0, &put))
                        status = 3;
                    story_destroy (&s);
                    if (status)
                        break;
                }
                if (status == 0 && store_commit (store))
                    status = 4;
            }
            if (status)
                fprintf (stderr, "writer %d: %s\n", w, store_error (store));
            store_destroy (&store);
            _exit (status);
        }
    }
    for (int w = 0; w < writers; w++) {
        int status;
        assert_int_equal (waitpid (pids [w], &status, 0), pids [w]);
        assert_true (WIFEXITED (status));
        assert_int_equal (WEXITSTATUS (status), 0);
    }
    store_t *store = s_open ();
    assert_int_equal (store_count (store, NULL), writers * own + shared);
    store_destroy (&store);
}

//  --------------------------------------------------------------------------
//  The stage's batching

typedef struct {
    int done;
    int failed;
    int inserted;
    char reason [256];
} settled_t;

static void
s_done (void *tag, const story_t *story, const store_put_t *put, void *arg)
{
    settled_t *settled = (settled_t *) arg;
    settled->done++;
    settled->inserted += put->outcome == STORE_INSERTED;
    assert_non_null (tag);
    assert_non_null (story->uri);
}

static void
s_failed (void *tag, const char *reason, void *arg)
{
    settled_t *settled = (settled_t *) arg;
    settled->failed++;
    snprintf (settled->reason, sizeof settled->reason, "%s", reason);
}

static void
test_stage (void **state)
{
    store_t *store = s_open ();
    store_stage_t *stage = store_stage_new (&store);
    assert_null (store);

    //  A record that does not decode is refused with the decoder's reason
    char reason [256] = "";
    const uint8_t garbage [] = { 0xC1, 0x00, 0x01 };
    assert_int_equal (store_stage_accept (stage, garbage, sizeof garbage, (void *) 1,
                                          reason, sizeof reason), -1);
    assert_true (strlen (reason) > 0);
    buf_t nouri;
    buf_init (&nouri);
    story_t *empty = story_new ();
    story_encode (empty, &nouri);
    assert_int_equal (store_stage_accept (stage, nouri.data, nouri.size, (void *) 1,
                                          reason, sizeof reason), -1);
    assert_non_null (strstr (reason, "uri"));
    assert_int_equal (store_stage_rejected (stage), 2);
    assert_int_equal (store_stage_pending (stage), 0);

    //  Good records wait for the flush
    buf_t records [3];
    for (int i = 0; i < 3; i++) {
        char uri [32];
        snprintf (uri, sizeof uri, "urn:stage:%d", i);
        story_t *s = s_story (uri, "1", "2024-05-01T10:00:00Z", "Stage", "Batch body.");
        buf_init (&records [i]);
        story_encode (s, &records [i]);
        story_destroy (&s);
        assert_int_equal (store_stage_accept (stage, records [i].data, records [i].size,
                                              (void *) (intptr_t) (i + 1), reason, sizeof reason), 0);
    }
    assert_int_equal (store_stage_pending (stage), 3);

    //  Another process holds the write lock: the batch fails, stays pending
    sqlite3 *db;
    assert_int_equal (sqlite3_open (s_path, &db), SQLITE_OK);
    assert_int_equal (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    settled_t settled = { 0 };
    //  A second stage with a short busy timeout (the default waits 5 s)
    char err [512];
    store_options_t fast;
    store_options_init (&fast, NULL);
    fast.busy_timeout = 50;
    store_stage_t *quick = NULL;
    {
        store_t *second = store_new (s_path, &fast, err, sizeof err);
        assert_non_null (second);
        quick = store_stage_new (&second);
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal (store_stage_accept (quick, records [i].data, records [i].size,
                                              (void *) (intptr_t) (i + 1), reason, sizeof reason), 0);
    assert_int_equal (store_stage_flush (quick, s_done, s_failed, &settled), -1);
    assert_true (store_transient (store_stage_store (quick)));
    assert_int_equal (settled.done, 0);
    assert_int_equal (store_stage_pending (quick), 3);
    //  Backing off: the next flush does not even try
    assert_int_equal (store_stage_flush (quick, s_done, s_failed, &settled), 1);
    //  The lock goes away: everything is stored once
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close (db);
    store_stage_retry_now (quick);
    assert_int_equal (store_stage_flush (quick, s_done, s_failed, &settled), 0);
    assert_int_equal (settled.done, 3);
    assert_int_equal (settled.inserted, 3);
    assert_int_equal (store_stage_pending (quick), 0);
    store_stage_destroy (&quick);

    //  The first stage's copies are now redeliveries: unchanged
    settled = (settled_t) { 0 };
    assert_int_equal (store_stage_flush (stage, s_done, s_failed, &settled), 0);
    assert_int_equal (settled.done, 3);
    assert_int_equal (settled.inserted, 0);
    assert_int_equal (store_count (store_stage_store (stage), NULL), 3);

    //  The tap event
    story_t *s = story_decode ((uint8_t *) records [0].data, records [0].size, reason, sizeof reason);
    store_put_t put = { STORE_INSERTED, 42, 0 };
    buf_t payload;
    buf_init (&payload);
    str_set (&s->ingest.provider, "Reuters Wire/EN");
    char *topic = store_stage_event (s, &put, &payload);
    assert_string_equal (topic, "stored.Reuters_Wire_EN");
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    assert_int_equal (msgpack_unpack_next (&unpacked, payload.data, payload.size, NULL),
                      MSGPACK_UNPACK_SUCCESS);
    msgpack_object map = unpacked.data;
    assert_int_equal (map.type, MSGPACK_OBJECT_MAP);
    bool saw_inserted = false, saw_rowid = false, saw_uri = false;
    for (uint32_t i = 0; i < map.via.map.size; i++) {
        msgpack_object *k = &map.via.map.ptr [i].key;
        msgpack_object *v = &map.via.map.ptr [i].val;
        if (codec_key_is (k, "inserted"))
            saw_inserted = v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
        if (codec_key_is (k, "rowid"))
            saw_rowid = v->via.u64 == 42;
        if (codec_key_is (k, "uri"))
            saw_uri = v->via.str.size == strlen ("urn:stage:0");
    }
    assert_true (saw_inserted && saw_rowid && saw_uri);
    msgpack_unpacked_destroy (&unpacked);
    free (topic);
    buf_free (&payload);
    story_destroy (&s);

    for (int i = 0; i < 3; i++)
        buf_free (&records [i]);
    buf_free (&nouri);
    story_destroy (&empty);
    store_stage_destroy (&stage);
}

//  A story that cannot be written alone is failed; the batch goes on
static void
test_stage_poison (void **state)
{
    store_t *store = s_open ();
    //  A trigger stands in for a row SQLite refuses (constraint)
    sqlite3 *db;
    assert_int_equal (sqlite3_open (s_path, &db), SQLITE_OK);
    assert_int_equal (sqlite3_exec (db,
        "CREATE TRIGGER refuse BEFORE INSERT ON stories WHEN NEW.uri = 'urn:poison'"
        " BEGIN SELECT RAISE (ABORT, 'refused by test'); END;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (db);
    store_stage_t *stage = store_stage_new (&store);
    const char *uris [] = { "urn:good:1", "urn:poison", "urn:good:2" };
    buf_t records [3];
    char reason [256];
    for (int i = 0; i < 3; i++) {
        story_t *s = s_story (uris [i], NULL, NULL, "Poison", "Body.");
        buf_init (&records [i]);
        story_encode (s, &records [i]);
        story_destroy (&s);
        assert_int_equal (store_stage_accept (stage, records [i].data, records [i].size,
                                              (void *) (intptr_t) (i + 1), reason, sizeof reason), 0);
    }
    settled_t settled = { 0 };
    assert_int_equal (store_stage_flush (stage, s_done, s_failed, &settled), 0);
    assert_int_equal (settled.done, 2);
    assert_int_equal (settled.failed, 1);
    assert_non_null (strstr (settled.reason, "refused by test"));
    assert_int_equal (store_count (store_stage_store (stage), NULL), 2);
    //  Nothing of the failed story is left in the index
    store_hitv_t hits = { 0 };
    assert_int_equal (s_search (store_stage_store (stage), "poison", &hits), 2);
    store_hits_free (&hits);
    for (int i = 0; i < 3; i++)
        buf_free (&records [i]);
    store_stage_destroy (&stage);
}

//  A full disk (here: the database at its size cap) keeps the batch
//  pending; once there is room it is written, once
static void
test_stage_disk_full (void **state)
{
    store_t *store = s_open ();
    assert_int_equal (store_set_max_size (store, 1), 0);    //  No room beyond what it holds
    store_stage_t *stage = store_stage_new (&store);
    enum { COUNT = 200 };
    buf_t records [COUNT];
    char reason [256];
    buf_t body;
    buf_init (&body);
    while (body.size < 4000)
        buf_puts (&body, "Reservoirs fell below their seasonal levels again. ");
    for (int i = 0; i < COUNT; i++) {
        char uri [32];
        snprintf (uri, sizeof uri, "urn:full:%d", i);
        story_t *s = s_story (uri, "1", "2024-05-01T10:00:00Z", "Drought", body.data);
        buf_init (&records [i]);
        story_encode (s, &records [i]);
        story_destroy (&s);
        assert_int_equal (store_stage_accept (stage, records [i].data, records [i].size,
                                              (void *) (intptr_t) (i + 1), reason, sizeof reason), 0);
    }
    settled_t settled = { 0 };
    assert_int_equal (store_stage_flush (stage, s_done, s_failed, &settled), -1);
    assert_true (store_transient (store_stage_store (stage)));
    assert_non_null (strstr (store_error (store_stage_store (stage)), "full"));
    assert_int_equal (store_stage_pending (stage), COUNT);
    assert_int_equal (settled.done + settled.failed, 0);
    //  Room again
    assert_int_equal (store_set_max_size (store_stage_store (stage), 0), 0);
    store_stage_retry_now (stage);
    assert_int_equal (store_stage_flush (stage, s_done, s_failed, &settled), 0);
    assert_int_equal (settled.done, COUNT);
    assert_int_equal (settled.inserted, COUNT);
    assert_int_equal (store_count (store_stage_store (stage), NULL), COUNT);
    //  The counters hold committed work only, not the failed attempt
    store_stats_t stats = store_stats (store_stage_store (stage));
    assert_int_equal (stats.inserted, COUNT);
    assert_int_equal (stats.commits, 1);
    assert_true (stats.failures >= 1);
    for (int i = 0; i < COUNT; i++)
        buf_free (&records [i]);
    buf_free (&body);
    store_stage_destroy (&stage);
}

//  Different FTS layouts give the same answers
static void
test_fts_options (void **state)
{
    const char *contents [] = { "external", "contentless", "external" };
    const char *details [] = { "full", "full", "column" };
    for (int i = 0; i < 3; i++) {
        store_options_t options;
        store_options_init (&options, NULL);
        options.fts_content = contents [i];
        options.fts_detail = details [i];
        char err [512] = "";
        store_t *store = store_new (s_path, &options, err, sizeof err);
        assert_non_null (store);
        story_t *s = s_story ("urn:f:1", "1", "2024-05-01T10:00:00Z", "Gold rallies",
                              "Gold rallied in London trading.");
        s_put (store, s);
        str_set (&s->bodies.items [0].value, "Gold rallied in Zurich trading.");
        assert_int_equal (s_put (store, s).outcome, STORE_REPLACED);
        store_hitv_t hits = { 0 };
        assert_int_equal (s_search (store, "zurich", &hits), 1);
        assert_true (strlen (hits.items [0].snippet) > 0);
        store_hits_free (&hits);
        assert_int_equal (s_search (store, "london", &hits), 0);
        store_destroy (&store);
        story_destroy (&s);
        s_teardown (state);
        s_setup (state);
    }
    store_options_t options;
    store_options_init (&options, NULL);
    options.fts_tokenize = "porter'); DROP TABLE x; --";
    char err [512] = "";
    assert_null (store_new (s_path, &options, err, sizeof err));
    assert_non_null (strstr (err, "fts_tokenize"));
}

//  --------------------------------------------------------------------------
//  The stage in the pipeline: a real broker (actor), the store stage in the
//  worker loop (actor), a publisher feeding the store queue, the tap

//  What the tap said about the stories urn:pipeline:<n>
typedef struct {
    bool seen [64];             //  A stored event came for story n
    int inserted;               //  Events with inserted=true
    int dead;                   //  dead.store events
} heard_t;

//  The index n of "urn:pipeline:<n>" in a stored event, -1 if none
static int
s_event_story (const msgpack_object *map, bool *inserted)
{
    int index = -1;
    *inserted = false;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *k = &map->via.map.ptr [i].key;
        const msgpack_object *v = &map->via.map.ptr [i].val;
        if (codec_key_is (k, "inserted") && v->type == MSGPACK_OBJECT_BOOLEAN)
            *inserted = v->via.boolean;
        char *uri = NULL;
        if (codec_key_is (k, "uri") && codec_copy_str (v, &uri) == 0) {
            if (str_starts (uri, "urn:pipeline:"))
                index = atoi (uri + strlen ("urn:pipeline:"));
            free (uri);
        }
    }
    return index >= 0 && index < 64 ? index : -1;
}

//  Receive tap events until stories 0..count-1 were all stored and want_dead
//  dead letters came, or timeout ms passed
static void
s_tap_wait (zsock_t *tap, int count, int want_dead, int timeout, heard_t *heard)
{
    int64_t deadline = zclock_mono () + timeout;
    zpoller_t *poller = zpoller_new (tap, NULL);
    while (zclock_mono () < deadline) {
        int missing = 0;
        for (int i = 0; i < count; i++)
            missing += !heard->seen [i];
        if (missing == 0 && heard->dead >= want_dead)
            break;
        if (!zpoller_wait (poller, (int) (deadline - zclock_mono ())))
            break;
        zmsg_t *msg = zmsg_recv (tap);
        if (!msg)
            break;
        char *topic = zmsg_popstr (msg);
        zframe_t *payload = zmsg_pop (msg);
        if (topic && str_starts (topic, "dead.store"))
            heard->dead++;
        else
        if (topic && str_starts (topic, "stored.") && payload) {
            msgpack_unpacked unpacked;
            msgpack_unpacked_init (&unpacked);
            if (msgpack_unpack_next (&unpacked, (const char *) zframe_data (payload),
                                     zframe_size (payload), NULL) == MSGPACK_UNPACK_SUCCESS
            &&  unpacked.data.type == MSGPACK_OBJECT_MAP) {
                bool inserted;
                int index = s_event_story (&unpacked.data, &inserted);
                if (index >= 0)
                    heard->seen [index] = true;
                heard->inserted += inserted;
            }
            msgpack_unpacked_destroy (&unpacked);
        }
        zstr_free (&topic);
        zframe_destroy (&payload);
        zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
}

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

static void
test_pipeline (void **state)
{
    config_t *config = config_load (s_dir);
    assert_non_null (config);
    config_set (config, "broker/heartbeat", "200");
    zactor_t *broker = zactor_new (broker_actor, config);
    zstr_send (broker, "ENDPOINT");
    char *endpoint = zstr_recv (broker);
    zstr_send (broker, "TAP");
    char *tap_endpoint = zstr_recv (broker);
    assert_true (!str_empty (endpoint) && !str_empty (tap_endpoint));
    zsock_t *tap = zsock_new_sub (tap_endpoint, "stored.");
    zsock_set_subscribe (tap, "dead.");
    assert_non_null (tap);

    void *stage_state = store_stage ()->create (config);
    assert_non_null (stage_state);
    worker_args_t args = { store_stage (), stage_state };
    worker_options_init (&args.options, config);
    args.options.endpoint = endpoint;
    args.options.hold_max = 16;
    zactor_t *worker = zactor_new (worker_actor, &args);

    publisher_t *publisher = publisher_new (endpoint, 0);
    assert_non_null (publisher);
    //  The SUB socket needs a moment to join; wait for the tap to carry
    //  something we can see: publish one story and wait for its event
    const int count = 40;
    buf_t records [40];
    for (int i = 0; i < count; i++) {
        char uri [64];
        snprintf (uri, sizeof uri, "urn:pipeline:%d", i);
        story_t *s = s_story (uri, "1", "2024-05-01T10:00:00Z", "Pipeline story", "Through the broker.");
        str_set (&s->ingest.provider, i % 2 ? "reuters" : "ap");
        buf_init (&records [i]);
        story_encode (s, &records [i]);
        story_destroy (&s);
    }
    //  Until the SUB socket has joined, events are lost: send story 0
    //  until the tap reports it
    heard_t heard = { 0 };
    for (int attempt = 0; attempt < 50 && !heard.seen [0]; attempt++) {
        assert_true (publisher_send (publisher, STAGE_STORE, NULL, records [0].data,
                                     records [0].size, NULL) > 0);
        s_tap_wait (tap, 1, 0, 200, &heard);
    }
    assert_true (heard.seen [0]);
    //  All of them (story 0 again), and a record that is msgpack but not a story
    heard = (heard_t) { 0 };
    for (int i = 0; i < count; i++)
        assert_true (publisher_send (publisher, STAGE_STORE, NULL, records [i].data,
                                     records [i].size, NULL) > 0);
    const uint8_t not_a_story [] = { 0x81, 0xA1, 'x', 0x01 };      //  {"x": 1}
    assert_true (publisher_send (publisher, STAGE_STORE, NULL, not_a_story,
                                 sizeof not_a_story, NULL) > 0);
    assert_int_equal (publisher_flush (publisher, 10000), 0);
    s_tap_wait (tap, count, 1, 10000, &heard);
    for (int i = 0; i < count; i++)
        assert_true (heard.seen [i]);
    assert_int_equal (heard.inserted, count - 1);
    assert_int_equal (heard.dead, 1);

    //  Everything again (a producer that resent after a reconnect): no new rows
    heard = (heard_t) { 0 };
    for (int i = 0; i < count; i++)
        assert_true (publisher_send (publisher, STAGE_STORE, NULL, records [i].data,
                                     records [i].size, NULL) > 0);
    assert_int_equal (publisher_flush (publisher, 10000), 0);
    s_tap_wait (tap, count, 0, 10000, &heard);
    for (int i = 0; i < count; i++)
        assert_true (heard.seen [i]);
    assert_int_equal (heard.inserted, 0);

    publisher_destroy (&publisher);
    zactor_destroy (&worker);
    store_stage ()->destroy (&stage_state);
    store_options_t options;
    store_options_init (&options, NULL);
    options.readonly = true;
    char err [512];
    char *path = store_path (config);
    store_t *store = store_new (path, &options, err, sizeof err);
    assert_non_null (store);
    int64_t stories = 0;
    assert_int_equal (store_count (store, &stories), count);
    store_destroy (&store);
    free (path);
    zsock_destroy (&tap);
    zactor_destroy (&broker);
    for (int i = 0; i < count; i++)
        buf_free (&records [i]);
    zstr_free (&endpoint);
    zstr_free (&tap_endpoint);
    config_destroy (&config);
    //  The broker's files in the home go with the folder
    assert_int_equal (nftw (s_dir, s_remove, 16, FTW_DEPTH | FTW_PHYS), 0);
}

//  --------------------------------------------------------------------------
//  copydesk search / show, run in-process with stdout captured

//  Run a command with stdout going to a string (caller frees *output)
static int
s_run_command (command_fn *fn, config_t *config, char **output, int argc, ...)
{
    char *args [16];
    va_list ap;
    va_start (ap, argc);
    for (int i = 0; i < argc && i < 16; i++)
        args [i] = va_arg (ap, char *);
    va_end (ap);
    char *path = xasprintf ("%s/stdout.txt", s_dir);
    fflush (stdout);
    int saved = dup (STDOUT_FILENO);
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true (fd >= 0 && saved >= 0);
    dup2 (fd, STDOUT_FILENO);
    close (fd);
    int rc = fn (argc, args, config);
    fflush (stdout);
    dup2 (saved, STDOUT_FILENO);
    close (saved);
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (file_read (path, 64 * 1024 * 1024, &data, &size), 0);
    *output = xstrndup ((char *) data, size);
    free (data);
    unlink (path);
    free (path);
    return rc;
}

static void
test_cli (void **state)
{
    config_t *config = config_load (s_dir);
    assert_non_null (config);
    char *out = NULL;
    //  Nothing stored yet
    assert_int_equal (s_run_command (cmd_search, config, &out, 2, "search", "cocoa"), 1);
    free (out);
    assert_int_equal (s_run_command (cmd_show, config, &out, 2, "show", "urn:x"), 1);
    free (out);

    store_t *store = s_open ();
    story_t *a = s_story ("urn:cli:1", "1", "2024-05-01T10:00:00Z", "Cocoa harvest late", "Rain in Bahia.");
    story_t *b = s_story ("urn:cli:1", "2", "2024-05-01T12:00:00Z", "Cocoa harvest late, update",
                          "Rain in Bahia delays the harvest.");
    story_t *c = s_story ("urn:cli:2", "1", "2024-05-02T10:00:00Z", "Coffee steady", "Santos quiet.");
    s_put (store, a);
    s_put (store, b);
    s_put (store, c);
    store_destroy (&store);

    //  JSON lines, one per story, the latest version
    assert_int_equal (s_run_command (cmd_search, config, &out, 3, "search", "harvest", "--json"), 0);
    json_error_t error;
    json_t *line = json_loads (out, JSON_DISABLE_EOF_CHECK, &error);
    assert_non_null (line);
    assert_string_equal (json_string_value (json_object_get (line, "uri")), "urn:cli:1");
    assert_string_equal (json_string_value (json_object_get (line, "version")), "2");
    json_decref (line);
    assert_int_equal (strchr (out, '\n') - out + 1, (long) strlen (out));     //  one line
    free (out);
    //  Counting, filters, the table for scripts (tab-separated)
    assert_int_equal (s_run_command (cmd_search, config, &out, 3, "search", "", "--count"), 0);
    assert_string_equal (out, "2\n");
    free (out);
    assert_int_equal (s_run_command (cmd_search, config, &out, 5, "search", "",
                                     "--since", "2024-05-02", "--count"), 0);
    assert_string_equal (out, "1\n");
    free (out);
    assert_int_equal (s_run_command (cmd_search, config, &out, 2, "search", "coffee"), 0);
    assert_non_null (strstr (out, "\treuters\tCoffee steady\turn:cli:2\n"));
    free (out);
    //  Usage errors
    assert_int_equal (s_run_command (cmd_search, config, &out, 3, "search", "x", "--limit=zero"), 2);
    free (out);
    assert_int_equal (s_run_command (cmd_search, config, &out, 3, "search", "x", "--since=soon"), 2);
    free (out);
    assert_int_equal (s_run_command (cmd_search, config, &out, 1, "search"), 2);
    free (out);

    //  show: the latest version as ninjs, a given version, strict mode
    assert_int_equal (s_run_command (cmd_show, config, &out, 3, "show", "urn:cli:1", "--json"), 0);
    json_t *story = json_loads (out, 0, &error);
    assert_non_null (story);
    assert_string_equal (json_string_value (json_object_get (story, "version")), "2");
    assert_non_null (json_object_get (story, "ingest"));
    json_decref (story);
    free (out);
    assert_int_equal (s_run_command (cmd_show, config, &out, 5, "show", "urn:cli:1",
                                     "--version", "1", "--strict"), 0);
    story = json_loads (out, 0, &error);
    assert_non_null (story);
    assert_string_equal (json_string_value (json_object_get (story, "version")), "1");
    assert_null (json_object_get (story, "ingest"));
    json_decref (story);
    free (out);
    assert_int_equal (s_run_command (cmd_show, config, &out, 3, "show", "urn:cli:1",
                                     "--all-versions"), 0);
    assert_non_null (strstr (out, "\"version\":\"2\""));
    assert_non_null (strstr (out, "\"version\":\"1\""));
    assert_true (strstr (out, "\"version\":\"2\"") < strstr (out, "\"version\":\"1\""));
    free (out);
    assert_int_equal (s_run_command (cmd_show, config, &out, 4, "show", "urn:cli:1",
                                     "--version", "9"), 1);
    free (out);
    assert_int_equal (s_run_command (cmd_show, config, &out, 2, "show", "urn:cli:none"), 1);
    free (out);
    story_destroy (&a);
    story_destroy (&b);
    story_destroy (&c);
    config_destroy (&config);
    assert_int_equal (nftw (s_dir, s_remove, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_upsert_idempotent, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_replace_changed, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_versions, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_latest_order, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_cancel, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_search, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_invalid_syntax, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_reopen, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_hostile, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_concurrent_writers, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_stage, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_stage_poison, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_stage_disk_full, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_fts_options, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_pipeline, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_cli, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
