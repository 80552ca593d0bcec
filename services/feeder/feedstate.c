//  SPDX-License-Identifier: MIT
//  feedstate - per-feed state and seen items in SQLite (see feedstate.h)

#include "common.h"
#include "feeder/feedstate.h"
#include <sqlite3.h>

struct _feedstate_t {
    sqlite3 *db;                //  The database
    sqlite3_stmt *get;          //  Prepared statements
    sqlite3_stmt *put;
    sqlite3_stmt *seen;
    sqlite3_stmt *mark;
    sqlite3_stmt *touch;
    int depth;                  //  Nested begin calls
};

static const char *s_schema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS feeds ("
    "  url TEXT PRIMARY KEY,"
    "  etag TEXT, last_modified TEXT,"
    "  last_status INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
    "  last_poll INTEGER NOT NULL DEFAULT 0, last_success INTEGER NOT NULL DEFAULT 0,"
    "  next_due INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,"
    "  polls INTEGER NOT NULL DEFAULT 0, items INTEGER NOT NULL DEFAULT 0,"
    "  error_sha256 TEXT);"
    "CREATE TABLE IF NOT EXISTS seen ("
    "  uri TEXT NOT NULL, version TEXT NOT NULL, feed TEXT,"
    "  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    "  PRIMARY KEY (uri, version)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS seen_last ON seen (last_seen);";

static int
s_prepare (feedstate_t *self, sqlite3_stmt **stmt, const char *sql, char *err, size_t errsize)
{
    if (sqlite3_prepare_v2 (self->db, sql, -1, stmt, NULL) != SQLITE_OK) {
        snprintf (err, errsize, "feeds database: %s", sqlite3_errmsg (self->db));
        return -1;
    }
    return 0;
}

feedstate_t *
feedstate_open (const char *path, char *err, size_t errsize)
{
    feedstate_t *self = (feedstate_t *) xcalloc (1, sizeof (feedstate_t));
    if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                        | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf (err, errsize, "cannot open %s: %s", path,
                  self->db ? sqlite3_errmsg (self->db) : "out of memory");
        feedstate_destroy (&self);
        return NULL;
    }
    sqlite3_busy_timeout (self->db, 5000);
    char *message = NULL;
    if (sqlite3_exec (self->db, s_schema, NULL, NULL, &message) != SQLITE_OK) {
        snprintf (err, errsize, "cannot set up %s: %s", path, message ? message : "?");
        sqlite3_free (message);
        feedstate_destroy (&self);
        return NULL;
    }
    if (s_prepare (self, &self->get,
            "SELECT etag, last_modified, last_status, last_error, last_poll, last_success,"
            " next_due, failures, polls, items, error_sha256 FROM feeds WHERE url = ?", err, errsize)
    ||  s_prepare (self, &self->put,
            "INSERT INTO feeds (url, etag, last_modified, last_status, last_error, last_poll,"
            " last_success, next_due, failures, polls, items, error_sha256)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            " ON CONFLICT (url) DO UPDATE SET etag = ?2, last_modified = ?3, last_status = ?4,"
            " last_error = ?5, last_poll = ?6, last_success = ?7, next_due = ?8, failures = ?9,"
            " polls = ?10, items = ?11, error_sha256 = ?12", err, errsize)
    ||  s_prepare (self, &self->seen,
            "SELECT 1 FROM seen WHERE uri = ? AND version = ?", err, errsize)
    ||  s_prepare (self, &self->mark,
            "INSERT INTO seen (uri, version, feed, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)"
            " ON CONFLICT (uri, version) DO UPDATE SET last_seen = ?4", err, errsize)
    ||  s_prepare (self, &self->touch,
            "UPDATE seen SET last_seen = ?3 WHERE uri = ?1 AND version = ?2 AND last_seen < ?3",
            err, errsize)) {
        feedstate_destroy (&self);
        return NULL;
    }
    return self;
}

void
feedstate_destroy (feedstate_t **self_p)
{
    assert (self_p);
    feedstate_t *self = *self_p;
    if (!self)
        return;
    sqlite3_finalize (self->get);
    sqlite3_finalize (self->put);
    sqlite3_finalize (self->seen);
    sqlite3_finalize (self->mark);
    sqlite3_finalize (self->touch);
    sqlite3_close (self->db);
    free (self);
    *self_p = NULL;
}

static char *
s_column_text (sqlite3_stmt *stmt, int column)
{
    const unsigned char *text = sqlite3_column_text (stmt, column);
    return text ? xstrdup ((const char *) text) : NULL;
}

int
feedstate_get (feedstate_t *self, const char *url, feedrecord_t *record)
{
    memset (record, 0, sizeof *record);
    sqlite3_stmt *stmt = self->get;
    sqlite3_reset (stmt);
    sqlite3_bind_text (stmt, 1, url, -1, SQLITE_STATIC);
    int rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW) {
        record->etag = s_column_text (stmt, 0);
        record->last_modified = s_column_text (stmt, 1);
        record->last_status = sqlite3_column_int (stmt, 2);
        record->last_error = s_column_text (stmt, 3);
        record->last_poll = sqlite3_column_int64 (stmt, 4);
        record->last_success = sqlite3_column_int64 (stmt, 5);
        record->next_due = sqlite3_column_int64 (stmt, 6);
        record->failures = sqlite3_column_int (stmt, 7);
        record->polls = sqlite3_column_int64 (stmt, 8);
        record->items = sqlite3_column_int64 (stmt, 9);
        record->error_sha256 = s_column_text (stmt, 10);
    }
    else
    if (rc != SQLITE_DONE)
        zsys_warning ("feedstate: cannot read feed url=%s: %s", url, sqlite3_errmsg (self->db));
    sqlite3_reset (stmt);
    return rc == SQLITE_ROW ? 0 : -1;
}

static void
s_bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
    if (text)
        sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null (stmt, index);
}

int
feedstate_put (feedstate_t *self, const char *url, const feedrecord_t *record)
{
    sqlite3_stmt *stmt = self->put;
    sqlite3_reset (stmt);
    sqlite3_bind_text (stmt, 1, url, -1, SQLITE_TRANSIENT);
    s_bind_text (stmt, 2, record->etag);
    s_bind_text (stmt, 3, record->last_modified);
    sqlite3_bind_int (stmt, 4, record->last_status);
    s_bind_text (stmt, 5, record->last_error);
    sqlite3_bind_int64 (stmt, 6, record->last_poll);
    sqlite3_bind_int64 (stmt, 7, record->last_success);
    sqlite3_bind_int64 (stmt, 8, record->next_due);
    sqlite3_bind_int (stmt, 9, record->failures);
    sqlite3_bind_int64 (stmt, 10, record->polls);
    sqlite3_bind_int64 (stmt, 11, record->items);
    s_bind_text (stmt, 12, record->error_sha256);
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE) {
        zsys_warning ("feedstate: cannot save feed url=%s: %s", url, sqlite3_errmsg (self->db));
        return -1;
    }
    return 0;
}

void
feedrecord_free (feedrecord_t *record)
{
    free (record->etag);
    free (record->last_modified);
    free (record->last_error);
    free (record->error_sha256);
    memset (record, 0, sizeof *record);
}

bool
feedstate_seen (feedstate_t *self, const char *uri, const char *version)
{
    sqlite3_stmt *stmt = self->seen;
    sqlite3_reset (stmt);
    sqlite3_bind_text (stmt, 1, uri, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, version ? version : "", -1, SQLITE_STATIC);
    bool seen = sqlite3_step (stmt) == SQLITE_ROW;
    sqlite3_reset (stmt);
    return seen;
}

int
feedstate_mark_seen (feedstate_t *self, const char *feed, const char *uri, const char *version)
{
    sqlite3_stmt *stmt = self->mark;
    sqlite3_reset (stmt);
    sqlite3_bind_text (stmt, 1, uri, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, version ? version : "", -1, SQLITE_STATIC);
    s_bind_text (stmt, 3, feed);
    sqlite3_bind_int64 (stmt, 4, (int64_t) time (NULL));
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE) {
        zsys_warning ("feedstate: cannot record item uri=%s: %s", uri, sqlite3_errmsg (self->db));
        return -1;
    }
    return 0;
}

int
feedstate_touch (feedstate_t *self, const char *uri, const char *version)
{
    sqlite3_stmt *stmt = self->touch;
    sqlite3_reset (stmt);
    sqlite3_bind_text (stmt, 1, uri, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, version ? version : "", -1, SQLITE_STATIC);
    //  A day's resolution is enough to keep an entry from being pruned
    int64_t now = (int64_t) time (NULL);
    sqlite3_bind_int64 (stmt, 3, now - now % 86400);
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

int
feedstate_prune (feedstate_t *self, int64_t before)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db, "DELETE FROM seen WHERE last_seen < ?", -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64 (stmt, 1, before);
    int rc = sqlite3_step (stmt);
    sqlite3_finalize (stmt);
    return rc == SQLITE_DONE ? sqlite3_changes (self->db) : -1;
}

int
feedstate_forget (feedstate_t *self, const char *url)
{
    sqlite3_stmt *items = NULL, *feed = NULL;
    int forgotten = -1;
    if (sqlite3_prepare_v2 (self->db, "DELETE FROM seen WHERE feed = ?", -1, &items, NULL) == SQLITE_OK
    &&  sqlite3_prepare_v2 (self->db, "DELETE FROM feeds WHERE url = ?", -1, &feed, NULL) == SQLITE_OK) {
        sqlite3_bind_text (items, 1, url, -1, SQLITE_STATIC);
        sqlite3_bind_text (feed, 1, url, -1, SQLITE_STATIC);
        if (sqlite3_step (items) == SQLITE_DONE) {
            forgotten = sqlite3_changes (self->db);
            if (sqlite3_step (feed) != SQLITE_DONE)
                forgotten = -1;
        }
    }
    sqlite3_finalize (items);
    sqlite3_finalize (feed);
    return forgotten;
}

int64_t
feedstate_seen_count (feedstate_t *self)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db, "SELECT count(*) FROM seen", -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    int64_t count = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
    sqlite3_finalize (stmt);
    return count;
}

int
feedstate_begin (feedstate_t *self)
{
    if (self->depth++ > 0)
        return 0;
    return sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int
feedstate_commit (feedstate_t *self)
{
    assert (self->depth > 0);
    if (--self->depth > 0)
        return 0;
    if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        zsys_warning ("feedstate: commit failed: %s", sqlite3_errmsg (self->db));
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}
