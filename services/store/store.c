//  SPDX-License-Identifier: MIT
//  store - SQLite WAL + FTS5 story database (see store.h)
//
//  Schema 1:
//    meta (key, value)            how the database was created (FTS options)
//    stories (id = rowid, uri, version ('' when none), versioncreated,
//             firstcreated, headline, body, source, format, language,
//             urgency, pubstatus (effective), subjects, places (codes,
//             space-separated), stored_at, current (latest version of its
//             uri), kill (this record cancels its uri), sha256 (content),
//             record (msgpack), UNIQUE (uri, version))
//    stories_fts (headline, body)  FTS5, external content on stories or
//                                  contentless, kept in sync by store_put

#include "common.h"
#include "store/store.h"
#include <sqlite3.h>

//  One stored version of the uri being written
typedef struct {
    int64_t rowid;
    char *version;              //  '' when the story has none
    char *versioncreated;       //  NULL when unknown
    char sha256 [65];           //  Content hash
    bool current;               //  Flagged as the latest
    bool kill;                  //  Its record cancels the uri
} row_t;

typedef VEC (row_t) rowv_t;

struct _store_t {
    sqlite3 *db;                //  The connection
    char *path;                 //  Database file
    bool readonly;              //  Opened for reading only
    bool contentless;           //  FTS table has no content (no snippet())
    bool in_batch;              //  A transaction is open
    char *error;                //  Last error message
    bool transient;             //  Last error may go away on retry
    store_stats_t stats;        //  Counters (committed work only)
    store_stats_t batch;        //  Outcomes of the open batch, added at commit
    rowv_t rows;                //  Versions of the uri being written (reused)
    buf_t scratch;              //  Re-encoded record for hashing (reused)
    //  Prepared statements of the writer
    sqlite3_stmt *lookup;       //  Versions of a uri
    sqlite3_stmt *old_text;     //  headline, body of a row (for the FTS delete)
    sqlite3_stmt *insert;
    sqlite3_stmt *update;
    sqlite3_stmt *fts_insert;
    sqlite3_stmt *fts_delete;
    sqlite3_stmt *cancel;       //  Mark the versions of a uri canceled
    sqlite3_stmt *set_current;  //  Flag the latest version of a uri
    //  Prepared statements of readers
    sqlite3_stmt *get_version;  //  Record of (uri, version)
    sqlite3_stmt *get_row;      //  Record of a rowid
    sqlite3_stmt *versions;     //  Versions of a uri (readers)
};

//  ==========================================================================
//  Errors

//  Result codes after which the whole batch must be retried later
static bool
s_is_transient (int rc)
{
    switch (rc & 0xFF) {
        case SQLITE_TOOBIG:
        case SQLITE_CONSTRAINT:
        case SQLITE_MISMATCH:
        case SQLITE_RANGE:
            return false;
        default:
            return true;
    }
}

//  Record an error: what we were doing and SQLite's message. Returns -1.
static int
s_fail (store_t *self, int rc, const char *doing)
{
    free (self->error);
    self->error = xasprintf ("%s: %s (%s)", doing,
                             self->db ? sqlite3_errmsg (self->db) : "no database",
                             sqlite3_errstr (rc));
    self->transient = s_is_transient (rc);
    return -1;
}

static int
s_exec (store_t *self, const char *sql, const char *doing)
{
    char *message = NULL;
    int rc = sqlite3_exec (self->db, sql, NULL, NULL, &message);
    if (rc != SQLITE_OK) {
        free (self->error);
        self->error = xasprintf ("%s: %s (%s)", doing, message ? message : "?", sqlite3_errstr (rc));
        self->transient = s_is_transient (rc);
        sqlite3_free (message);
        return -1;
    }
    return 0;
}

static int
s_prepare (store_t *self, sqlite3_stmt **stmt, const char *sql)
{
    int rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);
    if (rc != SQLITE_OK)
        return s_fail (self, rc, "prepare");
    return 0;
}

//  Bind a string or NULL
static void
s_bind_text (sqlite3_stmt *stmt, int index, const char *value)
{
    if (value)
        sqlite3_bind_text (stmt, index, value, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null (stmt, index);
}

//  Copy a text column (NULL stays NULL)
static char *
s_column_dup (sqlite3_stmt *stmt, int column)
{
    const unsigned char *text = sqlite3_column_text (stmt, column);
    return text ? xstrdup ((const char *) text) : NULL;
}

//  ==========================================================================
//  Options

//  --------------------------------------------------------------------------
//  Defaults, then the store/ keys of config (NULL: defaults only).

void
store_options_init (store_options_t *options, config_t *config)
{
    assert (options);
    memset (options, 0, sizeof *options);
    options->busy_timeout = 5000;
    options->cache_size = 64 * 1024 * 1024;
    options->fts_detail = "full";
    options->fts_content = "external";
    options->fts_tokenize = "porter unicode61 remove_diacritics 2";
    if (config) {
        options->busy_timeout = (int) config_int (config, "store/busy_timeout", options->busy_timeout);
        options->cache_size = config_int (config, "store/cache_size", options->cache_size);
        options->max_size = config_int (config, "store/max_size", options->max_size);
        options->fts_detail = config_get (config, "store/fts_detail", options->fts_detail);
        options->fts_content = config_get (config, "store/fts_content", options->fts_content);
        options->fts_tokenize = config_get (config, "store/fts_tokenize", options->fts_tokenize);
    }
}

//  --------------------------------------------------------------------------
//  The database file: store/database (relative to home) or <home>/store.db.
//  Caller frees.

char *
store_path (config_t *config)
{
    const char *path = config_get (config, "store/database", NULL);
    if (str_empty (path))
        return config_path (config, "store.db");
    if (path [0] == '/')
        return xstrdup (path);
    return config_path (config, path);
}

//  --------------------------------------------------------------------------
//  Schema

static int
s_pragma_int (store_t *self, const char *sql, int64_t *value)
{
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK)
        return s_fail (self, rc, sql);
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW)
        *value = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
    if (rc != SQLITE_ROW)
        return s_fail (self, rc, sql);
    return 0;
}

//  A value of the meta table, or NULL. Caller frees.
static char *
s_meta (store_t *self, const char *key)
{
    sqlite3_stmt *stmt;
    char *value = NULL;
    if (sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE key = ?", -1, &stmt, NULL)
        != SQLITE_OK)
        return NULL;
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step (stmt) == SQLITE_ROW)
        value = s_column_dup (stmt, 0);
    sqlite3_finalize (stmt);
    return value;
}

//  True if s holds only characters of a tokenizer spec (no quotes, no SQL)
static bool
s_safe_tokenize (const char *s)
{
    if (str_empty (s) || strlen (s) > 200)
        return false;
    for (; *s; s++)
        if (!isalnum ((unsigned char) *s) && *s != ' ' && *s != '_')
            return false;
    return true;
}

//  Schema 1, created in one transaction with the FTS options
static int
s_create_v1 (store_t *self, const store_options_t *options)
{
    const char *detail = options->fts_detail;
    if (!streq (detail, "full") && !streq (detail, "column") && !streq (detail, "none")) {
        free (self->error);
        self->error = xasprintf ("store/fts_detail must be full, column or none (not '%s')", detail);
        return -1;
    }
    bool contentless = streq (options->fts_content, "contentless");
    if (!contentless && !streq (options->fts_content, "external")) {
        free (self->error);
        self->error = xasprintf ("store/fts_content must be external or contentless (not '%s')",
                                 options->fts_content);
        return -1;
    }
    if (!s_safe_tokenize (options->fts_tokenize)) {
        free (self->error);
        self->error = xasprintf ("store/fts_tokenize holds characters a tokenizer name cannot ('%s')",
                                 options->fts_tokenize);
        return -1;
    }
    char *fts = xasprintf (
        "CREATE VIRTUAL TABLE stories_fts USING fts5 (headline, body, %s, detail=%s, tokenize='%s');"
        "INSERT INTO stories_fts (stories_fts, rank) VALUES ('rank', 'bm25(3.0, 1.0)');",
        contentless ? "content=''" : "content='stories', content_rowid='id'",
        detail, options->fts_tokenize);
    char *meta = sqlite3_mprintf (
        "INSERT INTO meta (key, value) VALUES ('fts_content', %Q), ('fts_detail', %Q),"
        " ('fts_tokenize', %Q), ('created_by', %Q);",
        contentless ? "contentless" : "external", detail, options->fts_tokenize,
        "copydesk " COPYDESK_VERSION);
    static const char *tables =
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
        "CREATE TABLE stories ("
        "  id INTEGER PRIMARY KEY,"
        "  uri TEXT NOT NULL,"
        "  version TEXT NOT NULL DEFAULT '',"
        "  versioncreated TEXT,"
        "  firstcreated TEXT,"
        "  headline TEXT,"
        "  body TEXT,"
        "  source TEXT,"
        "  format TEXT,"
        "  language TEXT,"
        "  urgency INTEGER,"
        "  pubstatus TEXT NOT NULL DEFAULT 'usable',"
        "  subjects TEXT,"
        "  places TEXT,"
        "  stored_at TEXT NOT NULL,"
        "  current INTEGER NOT NULL DEFAULT 1,"
        "  kill INTEGER NOT NULL DEFAULT 0,"
        "  sha256 TEXT NOT NULL,"
        "  record BLOB NOT NULL,"
        "  UNIQUE (uri, version));"
        "CREATE INDEX stories_versioncreated ON stories (versioncreated);";
    int rc = s_exec (self, "BEGIN IMMEDIATE", "create schema");
    //  Another process may have created it while we waited for the lock
    int64_t version = 0;
    if (rc == 0)
        rc = s_pragma_int (self, "PRAGMA user_version", &version);
    if (rc == 0 && version > 0) {
        free (fts);
        sqlite3_free (meta);
        return s_exec (self, "COMMIT", "create schema");
    }
    if (rc == 0)
        rc = s_exec (self, tables, "create tables");
    if (rc == 0)
        rc = s_exec (self, fts, "create FTS5 table");
    if (rc == 0)
        rc = s_exec (self, meta, "create schema");
    if (rc == 0)
        rc = s_exec (self, "PRAGMA user_version = 1", "create schema");
    if (rc == 0)
        rc = s_exec (self, "COMMIT", "create schema");
    if (rc)
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    free (fts);
    sqlite3_free (meta);
    return rc;
}

//  Bring the schema to STORE_SCHEMA_VERSION, one step at a time
static int
s_migrate (store_t *self, const store_options_t *options)
{
    int64_t version;
    if (s_pragma_int (self, "PRAGMA user_version", &version))
        return -1;
    if (version > STORE_SCHEMA_VERSION) {
        free (self->error);
        self->error = xasprintf ("%s has schema %" PRId64 ", newer than this copydesk knows (%d)",
                                 self->path, version, STORE_SCHEMA_VERSION);
        return -1;
    }
    if (version < STORE_SCHEMA_VERSION && self->readonly) {
        free (self->error);
        self->error = xasprintf ("%s has schema %" PRId64 " and needs %d: start copydesk-store once to migrate it",
                                 self->path, version, STORE_SCHEMA_VERSION);
        return -1;
    }
    //  Later schema versions add their step here: if (version == 1) s_migrate_v2 ...
    if (version == 0 && s_create_v1 (self, options))
        return -1;
    return 0;
}

//  ==========================================================================
//  Open and close

//  --------------------------------------------------------------------------
//  Open the database; unless readonly, create it, set WAL + synchronous
//  NORMAL, migrate the schema and prepare the writer's statements.

store_t *
store_new (const char *path, const store_options_t *options, char *err, size_t errsize)
{
    assert (path);
    store_options_t defaults;
    if (!options) {
        store_options_init (&defaults, NULL);
        options = &defaults;
    }
    store_t *self = (store_t *) xcalloc (1, sizeof (store_t));
    self->path = xstrdup (path);
    self->readonly = options->readonly;
    buf_init (&self->scratch);

    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (!self->readonly)
        flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2 (path, &self->db, flags, NULL);
    if (rc != SQLITE_OK && self->readonly) {
        //  A reader without write access to the folder still reads
        sqlite3_close (self->db);
        self->db = NULL;
        rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    }
    if (rc != SQLITE_OK) {
        s_fail (self, rc, "open");
        goto failed;
    }
    sqlite3_extended_result_codes (self->db, 1);
    sqlite3_busy_timeout (self->db, options->busy_timeout);
    char *pragmas = xasprintf ("PRAGMA cache_size = -%" PRId64 "; PRAGMA temp_store = MEMORY;",
                               options->cache_size / 1024 > 0 ? options->cache_size / 1024 : 2000);
    rc = s_exec (self, pragmas, "configure");
    free (pragmas);
    if (rc)
        goto failed;
    if (!self->readonly) {
        //  WAL, and synchronous NORMAL set explicitly: Debian's SQLite
        //  defaults WAL databases to FULL (an fsync per commit)
        sqlite3_stmt *stmt;
        if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) == SQLITE_OK) {
            rc = sqlite3_step (stmt);
            const char *mode = rc == SQLITE_ROW ? (const char *) sqlite3_column_text (stmt, 0) : NULL;
            bool wal = mode && str_ieq (mode, "wal");
            sqlite3_finalize (stmt);
            if (!wal) {
                free (self->error);
                self->error = xasprintf ("cannot switch %s to WAL mode (%s)", path,
                                         sqlite3_errmsg (self->db));
                goto failed;
            }
        }
        int64_t synchronous = -1;
        if (s_exec (self, "PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864",
                    "configure")
        ||  s_pragma_int (self, "PRAGMA synchronous", &synchronous))
            goto failed;
        if (synchronous != 1) {
            free (self->error);
            self->error = xasprintf ("SQLite kept synchronous=%" PRId64 " instead of NORMAL", synchronous);
            goto failed;
        }
    }
    else
    if (s_exec (self, "PRAGMA query_only = 1", "configure"))
        goto failed;

    if (s_migrate (self, options))
        goto failed;
    if (!self->readonly && options->max_size > 0 && store_set_max_size (self, options->max_size))
        goto failed;
    char *content = s_meta (self, "fts_content");
    self->contentless = content && streq (content, "contentless");
    free (content);

    if (!self->readonly
    &&  (s_prepare (self, &self->lookup,
                    "SELECT id, version, versioncreated, sha256, current, kill"
                    " FROM stories WHERE uri = ?1")
    ||   s_prepare (self, &self->old_text, "SELECT headline, body FROM stories WHERE id = ?1")
    ||   s_prepare (self, &self->insert,
                    "INSERT INTO stories (uri, version, versioncreated, firstcreated, headline,"
                    " body, source, format, language, urgency, pubstatus, subjects, places,"
                    " stored_at, current, kill, sha256, record)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                    " ?16, ?17, ?18)")
    ||   s_prepare (self, &self->update,
                    "UPDATE stories SET versioncreated = ?3, firstcreated = ?4, headline = ?5,"
                    " body = ?6, source = ?7, format = ?8, language = ?9, urgency = ?10,"
                    " pubstatus = ?11, subjects = ?12, places = ?13, stored_at = ?14,"
                    " kill = ?16, sha256 = ?17, record = ?18 WHERE id = ?19")
    ||   s_prepare (self, &self->fts_insert,
                    "INSERT INTO stories_fts (rowid, headline, body) VALUES (?1, ?2, ?3)")
    ||   s_prepare (self, &self->fts_delete,
                    "INSERT INTO stories_fts (stories_fts, rowid, headline, body)"
                    " VALUES ('delete', ?1, ?2, ?3)")
    ||   s_prepare (self, &self->cancel,
                    "UPDATE stories SET pubstatus = 'canceled'"
                    " WHERE uri = ?1 AND pubstatus != 'canceled'")
    ||   s_prepare (self, &self->set_current,
                    "UPDATE stories SET current = (id = ?2)"
                    " WHERE uri = ?1 AND current != (id = ?2)")))
        goto failed;
    if (s_prepare (self, &self->get_version,
                   "SELECT id, record, pubstatus FROM stories WHERE uri = ?1 AND version = ?2")
    ||  s_prepare (self, &self->get_row, "SELECT id, record, pubstatus FROM stories WHERE id = ?1")
    ||  s_prepare (self, &self->versions,
                   "SELECT id, version, versioncreated FROM stories WHERE uri = ?1"))
        goto failed;
    return self;

failed:
    if (err && errsize)
        snprintf (err, errsize, "%s: %s", path, self->error ? self->error : "cannot open");
    store_destroy (&self);
    return NULL;
}

static void
s_rows_clear (rowv_t *rows)
{
    for (size_t i = 0; i < rows->len; i++) {
        free (rows->items [i].version);
        free (rows->items [i].versioncreated);
    }
    rows->len = 0;
}

//  --------------------------------------------------------------------------
//  Close the database (an open batch is rolled back) and nullify.

void
store_destroy (store_t **self_p)
{
    assert (self_p);
    store_t *self = *self_p;
    if (!self)
        return;
    if (self->in_batch)
        store_rollback (self);
    sqlite3_stmt *statements [] = {
        self->lookup, self->old_text, self->insert, self->update, self->fts_insert,
        self->fts_delete, self->cancel, self->set_current, self->get_version,
        self->get_row, self->versions
    };
    for (size_t i = 0; i < sizeof statements / sizeof statements [0]; i++)
        sqlite3_finalize (statements [i]);
    if (self->db && !self->readonly)
        sqlite3_exec (self->db, "PRAGMA optimize", NULL, NULL, NULL);
    sqlite3_close (self->db);
    s_rows_clear (&self->rows);
    free (self->rows.items);
    buf_free (&self->scratch);
    free (self->error);
    free (self->path);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  The last error message; the store keeps it.

const char *
store_error (store_t *self)
{
    assert (self);
    return self->error ? self->error : "no error";
}

//  --------------------------------------------------------------------------
//  Whether the last error came from the database rather than the story.

bool
store_transient (store_t *self)
{
    assert (self);
    return self->transient;
}

//  --------------------------------------------------------------------------
//  Cap the database size (PRAGMA max_page_count; never below what it holds).

int
store_set_max_size (store_t *self, int64_t bytes)
{
    assert (self);
    int64_t page_size = 4096;
    if (s_pragma_int (self, "PRAGMA page_size", &page_size) || page_size <= 0)
        return -1;
    int64_t pages = bytes > 0 ? bytes / page_size : 4294967294LL;
    if (pages < 1)
        pages = 1;
    char *sql = xasprintf ("PRAGMA max_page_count = %" PRId64, pages);
    int64_t set = 0;
    int rc = s_pragma_int (self, sql, &set);
    free (sql);
    return rc;
}

//  --------------------------------------------------------------------------
//  Counters since open.

store_stats_t
store_stats (store_t *self)
{
    assert (self);
    return self->stats;
}

//  ==========================================================================
//  Version order

//  Parse an RFC 3339 time (or date) into seconds and nanoseconds. False if
//  it is not one.
static bool
s_time (const char *s, int64_t *seconds, long *nanos)
{
    if (!s)
        return false;
    struct tm tm = { 0 };
    int consumed = 0;
    if (sscanf (s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &consumed) != 3
    ||  consumed != 10)
        return false;
    const char *p = s + 10;
    long frac = 0;
    int offset = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        if (sscanf (p + 1, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 3
        ||  consumed != 8)
            return false;
        p += 9;
        if (*p == '.') {
            long scale = 100000000;
            for (p++; isdigit ((unsigned char) *p); p++, scale /= 10)
                frac += (*p - '0') * scale;
        }
        if (*p == '+' || *p == '-') {
            int hours, minutes;
            if (sscanf (p + 1, "%2d:%2d", &hours, &minutes) != 2)
                return false;
            offset = (hours * 60 + minutes) * 60 * (*p == '-' ? -1 : 1);
        }
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *seconds = (int64_t) timegm (&tm) - offset;
    *nanos = frac;
    return true;
}

//  True if s is a decimal integer (digits only)
static bool
s_decimal (const char *s)
{
    if (str_empty (s))
        return false;
    for (; *s; s++)
        if (!isdigit ((unsigned char) *s))
            return false;
    return true;
}

//  Compare two decimal integers of any length
static int
s_decimal_compare (const char *a, const char *b)
{
    while (*a == '0' && a [1])
        a++;
    while (*b == '0' && b [1])
        b++;
    size_t la = strlen (a), lb = strlen (b);
    if (la != lb)
        return la < lb ? -1 : 1;
    int cmp = strcmp (a, b);
    return cmp < 0 ? -1 : cmp > 0;
}

//  Order of two versions of a story: < 0 if a is older than b. By
//  versioncreated, then version when both are decimal, then arrival.
static int
s_version_compare (const char *created_a, const char *version_a, int64_t rowid_a,
                   const char *created_b, const char *version_b, int64_t rowid_b)
{
    int64_t sa, sb;
    long na, nb;
    if (s_time (created_a, &sa, &na) && s_time (created_b, &sb, &nb)) {
        if (sa != sb)
            return sa < sb ? -1 : 1;
        if (na != nb)
            return na < nb ? -1 : 1;
    }
    if (s_decimal (version_a) && s_decimal (version_b)) {
        int cmp = s_decimal_compare (version_a, version_b);
        if (cmp)
            return cmp;
    }
    return rowid_a < rowid_b ? -1 : rowid_a > rowid_b;
}

//  Index of the latest row, or -1 when there are none
static int
s_latest (const rowv_t *rows)
{
    int best = -1;
    for (size_t i = 0; i < rows->len; i++) {
        const row_t *r = &rows->items [i];
        if (best < 0)
            best = (int) i;
        else {
            const row_t *b = &rows->items [best];
            if (s_version_compare (r->versioncreated, r->version, r->rowid,
                                   b->versioncreated, b->version, b->rowid) > 0)
                best = (int) i;
        }
    }
    return best;
}

//  ==========================================================================
//  Writing

//  --------------------------------------------------------------------------
//  A story that cancels every version of its uri.

bool
store_is_cancel (const story_t *story)
{
    return (story->pubstatus && (str_ieq (story->pubstatus, "canceled")
                                 || str_ieq (story->pubstatus, "cancelled")))
        || strv_contains (&story->signals, "kill")
        || strv_contains (&story->signals, "withdrawal");
}

//  --------------------------------------------------------------------------
//  Start a batch: BEGIN IMMEDIATE takes the write lock at once, so two
//  stores on one file take turns instead of failing at commit.

int
store_begin (store_t *self)
{
    assert (self);
    assert (!self->readonly);
    if (self->in_batch)
        return 0;
    if (s_exec (self, "BEGIN IMMEDIATE", "begin")) {
        self->stats.failures++;
        return -1;
    }
    self->in_batch = true;
    return 0;
}

//  --------------------------------------------------------------------------
//  Abandon the open batch, if any.

void
store_rollback (store_t *self)
{
    assert (self);
    if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    self->in_batch = false;
    memset (&self->batch, 0, sizeof self->batch);
}

//  --------------------------------------------------------------------------
//  Commit the batch; on failure it is rolled back.

int
store_commit (store_t *self)
{
    assert (self);
    if (!self->in_batch)
        return 0;
    if (s_exec (self, "COMMIT", "commit")) {
        self->stats.failures++;
        store_rollback (self);
        return -1;
    }
    self->in_batch = false;
    self->stats.commits++;
    self->stats.inserted += self->batch.inserted;
    self->stats.replaced += self->batch.replaced;
    self->stats.unchanged += self->batch.unchanged;
    self->stats.canceled += self->batch.canceled;
    memset (&self->batch, 0, sizeof self->batch);
    return 0;
}

//  Codes of a concept list, space-separated (whitespace inside a code
//  becomes '_'). Caller frees; NULL if the list is empty.
static char *
s_codes (const story_conceptv_t *list)
{
    if (!list->len)
        return NULL;
    buf_t codes;
    buf_init (&codes);
    for (size_t i = 0; i < list->len; i++) {
        const story_concept_t *c = &list->items [i];
        const char *code = c->literal ? c->literal : c->uri ? c->uri : c->name;
        if (str_empty (code))
            continue;
        if (codes.size)
            buf_putc (&codes, ' ');
        for (const char *p = code; *p; p++)
            buf_putc (&codes, isspace ((unsigned char) *p) ? '_' : *p);
    }
    return buf_detach (&codes);
}

//  Hash of the story's content: the record without its arrival time, so
//  the same story pushed twice counts as unchanged.
static void
s_content_hash (store_t *self, const story_t *story, char hex [65])
{
    story_t copy = *story;
    copy.ingest.received = NULL;
    story_encode (&copy, &self->scratch);
    sha256_hex (self->scratch.data, self->scratch.size, hex);
}

//  Load the stored versions of uri into self->rows
static int
s_load_rows (store_t *self, const char *uri)
{
    s_rows_clear (&self->rows);
    sqlite3_stmt *stmt = self->lookup;
    sqlite3_bind_text (stmt, 1, uri, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        row_t *row = vec_push (&self->rows);
        row->rowid = sqlite3_column_int64 (stmt, 0);
        row->version = s_column_dup (stmt, 1);
        if (!row->version)
            row->version = xstrdup ("");
        row->versioncreated = s_column_dup (stmt, 2);
        const char *sha = (const char *) sqlite3_column_text (stmt, 3);
        snprintf (row->sha256, sizeof row->sha256, "%s", sha ? sha : "");
        row->current = sqlite3_column_int (stmt, 4) != 0;
        row->kill = sqlite3_column_int (stmt, 5) != 0;
    }
    sqlite3_reset (stmt);
    sqlite3_clear_bindings (stmt);
    if (rc != SQLITE_DONE)
        return s_fail (self, rc, "look up versions");
    return 0;
}

//  Run a write statement to completion and reset it
static int
s_step_done (store_t *self, sqlite3_stmt *stmt, const char *doing)
{
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    sqlite3_clear_bindings (stmt);
    if (rc != SQLITE_DONE)
        return s_fail (self, rc, doing);
    return 0;
}

//  The body of store_put: look up the versions of the uri, then insert,
//  replace or skip, keep the FTS index and the current/canceled flags right
static int
s_put (store_t *self, const story_t *story, const void *record, size_t size,
       store_put_t *result)
{
    const char *version = story->version ? story->version : "";
    if (s_load_rows (self, story->uri))
        return -1;
    row_t *match = NULL;
    bool uri_killed = false;
    for (size_t i = 0; i < self->rows.len; i++) {
        row_t *row = &self->rows.items [i];
        if (streq (row->version, version))
            match = row;
        else
        if (row->kill)
            uri_killed = true;
    }
    char sha [65];
    s_content_hash (self, story, sha);
    if (match && streq (match->sha256, sha)) {
        result->outcome = STORE_UNCHANGED;
        result->rowid = match->rowid;
        return 0;
    }
    if (!record) {
        //  Nothing given: keep the encoding of the story itself
        story_encode (story, &self->scratch);
        record = self->scratch.data;
        size = self->scratch.size;
    }
    bool kill = store_is_cancel (story);
    const char *pubstatus = kill || uri_killed ? "canceled"
                          : story->pubstatus ? story->pubstatus : "usable";
    const char *headline = story_headline (story);
    const char *body = story_body (story);
    char *subjects = s_codes (&story->subjects);
    char *places = s_codes (&story->places);
    char now [40];
    time_now_rfc3339 (now, sizeof now);
    bool alone = self->rows.len == 0 || (self->rows.len == 1 && match);

    sqlite3_stmt *stmt = match ? self->update : self->insert;
    sqlite3_bind_text (stmt, 1, story->uri, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, version, -1, SQLITE_STATIC);
    s_bind_text (stmt, 3, story->versioncreated);
    s_bind_text (stmt, 4, story->firstcreated);
    s_bind_text (stmt, 5, headline);
    s_bind_text (stmt, 6, body);
    s_bind_text (stmt, 7, story->ingest.provider);
    s_bind_text (stmt, 8, story->ingest.format);
    s_bind_text (stmt, 9, story->language);
    if (story->urgency > 0)
        sqlite3_bind_int (stmt, 10, story->urgency);
    else
        sqlite3_bind_null (stmt, 10);
    sqlite3_bind_text (stmt, 11, pubstatus, -1, SQLITE_STATIC);
    s_bind_text (stmt, 12, subjects);
    s_bind_text (stmt, 13, places);
    sqlite3_bind_text (stmt, 14, now, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 15, alone);
    sqlite3_bind_int (stmt, 16, kill);
    sqlite3_bind_text (stmt, 17, sha, -1, SQLITE_STATIC);
    sqlite3_bind_blob64 (stmt, 18, record, size, SQLITE_STATIC);
    int rc = 0;
    if (match) {
        sqlite3_bind_int64 (stmt, 19, match->rowid);
        //  The FTS index forgets the old text before the row changes
        sqlite3_bind_int64 (self->old_text, 1, match->rowid);
        int step = sqlite3_step (self->old_text);
        if (step == SQLITE_ROW) {
            sqlite3_bind_int64 (self->fts_delete, 1, match->rowid);
            sqlite3_bind_value (self->fts_delete, 2, sqlite3_column_value (self->old_text, 0));
            sqlite3_bind_value (self->fts_delete, 3, sqlite3_column_value (self->old_text, 1));
            rc = s_step_done (self, self->fts_delete, "delete old FTS entry");
        }
        else
            rc = s_fail (self, step, "read old row");
        sqlite3_reset (self->old_text);
        if (rc == 0)
            rc = s_step_done (self, stmt, "update story");
        result->rowid = match->rowid;
        result->outcome = STORE_REPLACED;
    }
    else {
        rc = s_step_done (self, stmt, "insert story");
        result->rowid = sqlite3_last_insert_rowid (self->db);
        result->outcome = STORE_INSERTED;
    }
    free (subjects);
    free (places);
    sqlite3_reset (stmt);
    sqlite3_clear_bindings (stmt);
    if (rc)
        return -1;

    sqlite3_bind_int64 (self->fts_insert, 1, result->rowid);
    s_bind_text (self->fts_insert, 2, headline);
    s_bind_text (self->fts_insert, 3, body);
    if (s_step_done (self, self->fts_insert, "index story"))
        return -1;

    //  Which version is the latest now
    if (!alone) {
        if (!match) {
            match = vec_push (&self->rows);
            match->rowid = result->rowid;
            match->version = xstrdup (version);
        }
        str_set (&match->versioncreated, story->versioncreated);
        int latest = s_latest (&self->rows);
        sqlite3_bind_text (self->set_current, 1, story->uri, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (self->set_current, 2, self->rows.items [latest].rowid);
        if (s_step_done (self, self->set_current, "flag latest version"))
            return -1;
    }
    result->canceled = 0;
    if (kill && !alone) {
        sqlite3_bind_text (self->cancel, 1, story->uri, -1, SQLITE_STATIC);
        if (s_step_done (self, self->cancel, "cancel versions"))
            return -1;
        result->canceled = sqlite3_changes (self->db);
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  Upsert one story in the open batch (see store.h).

int
store_put (store_t *self, const story_t *story, const void *record, size_t size,
           store_put_t *result)
{
    assert (self);
    assert (story);
    assert (result);
    assert (self->in_batch);
    memset (result, 0, sizeof *result);
    int rc;
    if (str_empty (story->uri)) {
        free (self->error);
        self->error = xstrdup ("story has no uri");
        self->transient = false;
        rc = -1;
    }
    else
        rc = s_put (self, story, record, size, result);
    if (rc) {
        //  No savepoint per story: a savepoint makes FTS5 flush its pending
        //  terms, which halves the insert rate. The batch goes instead.
        self->stats.failures++;
        store_rollback (self);
        return -1;
    }
    switch (result->outcome) {
        case STORE_INSERTED:  self->batch.inserted++;  break;
        case STORE_REPLACED:  self->batch.replaced++;  break;
        case STORE_UNCHANGED: self->batch.unchanged++; break;
    }
    self->batch.canceled += result->canceled;
    return 0;
}

//  ==========================================================================
//  Reading

//  Decode the record of the current row of stmt (id, record, pubstatus)
static story_t *
s_row_story (store_t *self, sqlite3_stmt *stmt, int64_t *rowid)
{
    const void *blob = sqlite3_column_blob (stmt, 1);
    size_t size = (size_t) sqlite3_column_bytes (stmt, 1);
    char reason [256] = "";
    story_t *story = story_decode ((const uint8_t *) (blob ? blob : ""), size,
                                   reason, sizeof reason);
    if (!story) {
        free (self->error);
        self->error = xasprintf ("row %" PRId64 " holds a record that does not decode: %s",
                                 (int64_t) sqlite3_column_int64 (stmt, 0), reason);
        self->transient = false;
        return NULL;
    }
    const char *pubstatus = (const char *) sqlite3_column_text (stmt, 2);
    if (pubstatus && streq (pubstatus, "canceled"))
        str_set (&story->pubstatus, "canceled");
    if (rowid)
        *rowid = sqlite3_column_int64 (stmt, 0);
    return story;
}

//  Versions of uri (id, version, versioncreated), into rows
static int
s_versions (store_t *self, const char *uri, rowv_t *rows)
{
    sqlite3_stmt *stmt = self->versions;
    sqlite3_bind_text (stmt, 1, uri, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        row_t *row = vec_push (rows);
        row->rowid = sqlite3_column_int64 (stmt, 0);
        row->version = s_column_dup (stmt, 1);
        row->versioncreated = s_column_dup (stmt, 2);
    }
    sqlite3_reset (stmt);
    sqlite3_clear_bindings (stmt);
    if (rc != SQLITE_DONE)
        return s_fail (self, rc, "read versions");
    return 0;
}

//  The story at a rowid
static story_t *
s_get_row (store_t *self, int64_t rowid)
{
    sqlite3_stmt *stmt = self->get_row;
    sqlite3_bind_int64 (stmt, 1, rowid);
    story_t *story = NULL;
    int rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW)
        story = s_row_story (self, stmt, NULL);
    else
    if (rc != SQLITE_DONE)
        s_fail (self, rc, "read story");
    sqlite3_reset (stmt);
    return story;
}

//  --------------------------------------------------------------------------
//  The latest (or given) version of uri, decoded. Caller owns it.

story_t *
store_get (store_t *self, const char *uri, const char *version, int64_t *rowid)
{
    assert (self);
    assert (uri);
    free (self->error);
    self->error = NULL;
    story_t *story = NULL;
    if (version) {
        sqlite3_stmt *stmt = self->get_version;
        sqlite3_bind_text (stmt, 1, uri, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 2, version, -1, SQLITE_STATIC);
        int rc = sqlite3_step (stmt);
        if (rc == SQLITE_ROW)
            story = s_row_story (self, stmt, rowid);
        else
        if (rc != SQLITE_DONE)
            s_fail (self, rc, "read story");
        sqlite3_reset (stmt);
        sqlite3_clear_bindings (stmt);
        return story;
    }
    rowv_t rows = { 0 };
    if (s_versions (self, uri, &rows) == 0) {
        int latest = s_latest (&rows);
        if (latest >= 0) {
            story = s_get_row (self, rows.items [latest].rowid);
            if (story && rowid)
                *rowid = rows.items [latest].rowid;
        }
    }
    s_rows_clear (&rows);
    free (rows.items);
    return story;
}

//  --------------------------------------------------------------------------
//  Every version of uri, latest first. Caller owns the stories.

int
store_get_all (store_t *self, const char *uri, store_storyv_t *stories)
{
    assert (self);
    assert (uri);
    rowv_t rows = { 0 };
    int found = 0;
    if (s_versions (self, uri, &rows))
        found = -1;
    //  Latest first: pick the latest of what is left, repeatedly (few rows;
    //  the order need not be a strict weak ordering, so no qsort)
    while (found >= 0 && rows.len) {
        int latest = s_latest (&rows);
        story_t *story = s_get_row (self, rows.items [latest].rowid);
        if (!story) {
            found = -1;
            break;
        }
        *vec_push (stories) = story;
        found++;
        free (rows.items [latest].version);
        free (rows.items [latest].versioncreated);
        rows.items [latest] = rows.items [--rows.len];
    }
    s_rows_clear (&rows);
    free (rows.items);
    return found;
}

//  --------------------------------------------------------------------------
//  Destroy the stories of a vector and free it.

void
store_stories_free (store_storyv_t *stories)
{
    for (size_t i = 0; i < stories->len; i++)
        story_destroy (&stories->items [i]);
    free (stories->items);
    memset (stories, 0, sizeof *stories);
}

//  --------------------------------------------------------------------------
//  Rows and current stories.

int64_t
store_count (store_t *self, int64_t *stories)
{
    assert (self);
    int64_t rows = -1;
    if (s_pragma_int (self, "SELECT count(*) FROM stories", &rows))
        return -1;
    if (stories && s_pragma_int (self, "SELECT count(*) FROM stories WHERE current = 1", stories))
        return -1;
    return rows;
}

//  ==========================================================================
//  Search

//  The query with every term quoted: what a user meant when FTS5 cannot
//  read it (U.S., oil-prices, an odd quote). Caller frees; NULL if empty.
static char *
s_quote_terms (const char *query)
{
    buf_t quoted;
    buf_init (&quoted);
    const char *p = query;
    while (*p) {
        while (*p && isspace ((unsigned char) *p))
            p++;
        if (!*p)
            break;
        if (quoted.size)
            buf_putc (&quoted, ' ');
        buf_putc (&quoted, '"');
        for (; *p && !isspace ((unsigned char) *p); p++) {
            if (*p == '"')
                buf_putc (&quoted, '"');
            buf_putc (&quoted, *p);
        }
        buf_putc (&quoted, '"');
    }
    return buf_detach (&quoted);
}

//  A LIKE pattern matching code exactly or after a scheme prefix
//  ("earn" matches "reuters:earn"), with LIKE's wildcards escaped
static char *
s_like_escape (const char *code)
{
    buf_t out;
    buf_init (&out);
    for (const char *p = code; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            buf_putc (&out, '\\');
        buf_putc (&out, isspace ((unsigned char) *p) ? '_' : *p);
    }
    char *result = buf_detach (&out);
    return result ? result : xstrdup ("");
}

//  First words of a body, as a snippet when FTS5 cannot make one
static char *
s_lead (const char *body, size_t max)
{
    if (!body)
        return xstrdup ("");
    size_t len = strlen (body);
    if (len <= max)
        return xstrdup (body);
    size_t cut = max;
    while (cut > max / 2 && !isspace ((unsigned char) body [cut]))
        cut--;
    //  Never split a UTF-8 sequence
    while (cut > 0 && ((unsigned char) body [cut] & 0xC0) == 0x80)
        cut--;
    char *lead = xasprintf ("%.*s…", (int) cut, body);
    return lead;
}

//  Bodies longer than this (in characters) get a snippet made in C: FTS5's
//  snippet() takes time in the square of the hits in the body
#define SNIPPET_MAX_CHARS "16384"

//  Position of the first occurrence of a word of the query in body (ASCII
//  case folded), and its length; false if none. Operators and column
//  names are not words.
static bool
s_first_term (const char *body, const char *query, size_t *at, size_t *len)
{
    bool found = false;
    const char *p = query ? query : "";
    while (*p) {
        while (*p && !isalnum ((unsigned char) *p) && (unsigned char) *p < 0x80)
            p++;
        const char *start = p;
        while (*p && (isalnum ((unsigned char) *p) || (unsigned char) *p >= 0x80))
            p++;
        size_t n = (size_t) (p - start);
        if (n < 2 || *p == ':')
            continue;
        char *term = xstrndup (start, n);
        if (!streq (term, "AND") && !streq (term, "OR") && !streq (term, "NOT")
        &&  !streq (term, "NEAR")) {
            const char *hit = strcasestr (body, term);
            if (hit && (!found || (size_t) (hit - body) < *at)) {
                *at = (size_t) (hit - body);
                *len = n;
                found = true;
            }
        }
        free (term);
    }
    return found;
}

//  A snippet of a long body: about width bytes around the first word of
//  the query, marked; the lead of the body when no word is found. Caller
//  frees.
static char *
s_context (const char *body, const char *query, const char *mark_open,
           const char *mark_close, size_t width)
{
    size_t at = 0, len = 0;
    if (!body || !s_first_term (body, query, &at, &len))
        return s_lead (body, width);
    size_t size = strlen (body);
    size_t start = at > width / 3 ? at - width / 3 : 0;
    size_t end = at + len + width * 2 / 3 < size ? at + len + width * 2 / 3 : size;
    //  Whole words, whole UTF-8 sequences
    while (start > 0 && start < at && !isspace ((unsigned char) body [start - 1]))
        start++;
    while (end < size && end > at + len && !isspace ((unsigned char) body [end]))
        end--;
    while (start > 0 && ((unsigned char) body [start] & 0xC0) == 0x80)
        start--;
    while (end < size && ((unsigned char) body [end] & 0xC0) == 0x80)
        end++;
    buf_t out;
    buf_init (&out);
    if (start > 0)
        buf_puts (&out, "…");
    buf_append (&out, body + start, at - start);
    buf_puts (&out, mark_open ? mark_open : "");
    buf_append (&out, body + at, len);
    buf_puts (&out, mark_close ? mark_close : "");
    buf_append (&out, body + at + len, end - at - len);
    if (end < size)
        buf_puts (&out, "…");
    for (char *p = out.data; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return buf_detach (&out);
}

//  One attempt: match is the FTS5 expression (NULL: no full-text query).
//  Returns hits appended, or -1 (err says why). With count (not NULL),
//  counts the matches into *count instead and returns 0.
static int
s_search (store_t *self, const store_query_t *query, const char *match,
          store_hitv_t *hits, int64_t *count, char *err, size_t errsize)
{
    buf_t sql;
    buf_init (&sql);
    if (count)
        buf_printf (&sql, "SELECT count(*) FROM %s WHERE %s",
                    match ? "stories_fts JOIN stories s ON s.id = stories_fts.rowid" : "stories s",
                    match ? "stories_fts MATCH ?1" : "?1 IS NULL");
    else
    if (match) {
        buf_printf (&sql,
            "SELECT s.id, s.uri, s.version, s.versioncreated, s.headline, s.source,"
            " s.pubstatus, %s, stories_fts.rank,"
            " CASE WHEN length (s.body) <= %d THEN substr (s.body, 1, 400) ELSE s.body END"
            " FROM stories_fts JOIN stories s ON s.id = stories_fts.rowid"
            " WHERE stories_fts MATCH ?1",
            //  FTS5's snippet() slows down with the square of the hits in a
            //  body: a long body gets a snippet made in C (s_context)
            self->contentless ? "NULL"
            : "CASE WHEN length (s.body) <= " SNIPPET_MAX_CHARS
              " THEN snippet (stories_fts, 1, ?7, ?8, '…', 24) END",
            self->contentless ? 0 : atoi (SNIPPET_MAX_CHARS));
    }
    else
        buf_puts (&sql,
            "SELECT s.id, s.uri, s.version, s.versioncreated, s.headline, s.source,"
            " s.pubstatus, NULL, 0.0, substr (s.body, 1, 400)"
            " FROM stories s WHERE ?1 IS NULL");
    if (!query->all_versions)
        buf_puts (&sql, " AND s.current = 1");
    if (query->source)
        buf_puts (&sql, " AND s.source = ?2");
    if (query->subject)
        buf_puts (&sql, " AND (' ' || s.subjects || ' ' LIKE '% ' || ?3 || ' %' ESCAPE '\\'"
                        " OR ' ' || s.subjects || ' ' LIKE '%:' || ?3 || ' %' ESCAPE '\\')");
    if (query->place)
        buf_puts (&sql, " AND (' ' || s.places || ' ' LIKE '% ' || ?9 || ' %' ESCAPE '\\'"
                        " OR ' ' || s.places || ' ' LIKE '%:' || ?9 || ' %' ESCAPE '\\')");
    if (query->language)
        buf_puts (&sql, " AND (s.language = ?10 COLLATE NOCASE"
                        " OR s.language LIKE ?11 || '-%' ESCAPE '\\')");
    if (query->since)
        buf_puts (&sql, " AND s.versioncreated >= ?4");
    if (count)
        ;
    else
    if (match)
        buf_puts (&sql, " ORDER BY stories_fts.rank, s.id DESC LIMIT ?5 OFFSET ?6");
    else
        buf_puts (&sql, " ORDER BY s.versioncreated DESC, s.id DESC LIMIT ?5 OFFSET ?6");

    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2 (self->db, sql.data, -1, &stmt, NULL);
    buf_free (&sql);
    if (rc != SQLITE_OK) {
        snprintf (err, errsize, "%s", sqlite3_errmsg (self->db));
        return -1;
    }
    char *subject = query->subject ? s_like_escape (query->subject) : NULL;
    char *place = query->place ? s_like_escape (query->place) : NULL;
    char *language = query->language ? s_like_escape (query->language) : NULL;
    s_bind_text (stmt, 1, match);
    s_bind_text (stmt, 2, query->source);
    s_bind_text (stmt, 3, subject);
    s_bind_text (stmt, 4, query->since);
    if (place)
        s_bind_text (stmt, 9, place);
    if (language) {
        s_bind_text (stmt, 10, query->language);
        s_bind_text (stmt, 11, language);
    }
    if (count) {
        rc = sqlite3_step (stmt);
        if (rc == SQLITE_ROW)
            *count = sqlite3_column_int64 (stmt, 0);
        else
            snprintf (err, errsize, "%s", sqlite3_errmsg (self->db));
        sqlite3_finalize (stmt);
        free (subject);
        free (place);
        free (language);
        return rc == SQLITE_ROW ? 0 : -1;
    }
    sqlite3_bind_int (stmt, 5, query->limit > 0 ? query->limit : 20);
    sqlite3_bind_int (stmt, 6, query->offset > 0 ? query->offset : 0);
    if (match) {
        sqlite3_bind_text (stmt, 7, query->mark_open ? query->mark_open : "", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 8, query->mark_close ? query->mark_close : "", -1, SQLITE_STATIC);
    }
    int found = 0;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        store_hit_t *hit = vec_push (hits);
        hit->rowid = sqlite3_column_int64 (stmt, 0);
        hit->uri = s_column_dup (stmt, 1);
        hit->version = s_column_dup (stmt, 2);
        if (hit->version && !*hit->version)
            str_set (&hit->version, NULL);
        hit->versioncreated = s_column_dup (stmt, 3);
        hit->headline = s_column_dup (stmt, 4);
        hit->source = s_column_dup (stmt, 5);
        hit->pubstatus = s_column_dup (stmt, 6);
        hit->snippet = s_column_dup (stmt, 7);
        hit->score = sqlite3_column_double (stmt, 8);
        if (str_empty (hit->snippet)) {
            free (hit->snippet);
            const char *body = (const char *) sqlite3_column_text (stmt, 9);
            hit->snippet = match ? s_context (body, query->query, query->mark_open,
                                              query->mark_close, 160)
                                 : s_lead (body, 160);
        }
        found++;
    }
    if (rc != SQLITE_DONE) {
        snprintf (err, errsize, "%s", sqlite3_errmsg (self->db));
        found = -1;
    }
    sqlite3_finalize (stmt);
    free (subject);
    free (place);
    free (language);
    return found;
}

//  Search, or count (count not NULL), retrying with quoted terms when the
//  query is not FTS5 syntax
static int
s_search_text (store_t *self, const store_query_t *query, store_hitv_t *hits,
               int64_t *count, char *err, size_t errsize)
{
    assert (self);
    assert (query);
    char local [256];
    if (!err || !errsize) {
        err = local;
        errsize = sizeof local;
    }
    err [0] = 0;
    const char *text = query->query;
    bool listing = true;
    for (const char *p = text ? text : ""; *p; p++)
        if (!isspace ((unsigned char) *p) && *p != '*')
            listing = false;
    if (listing)
        return s_search (self, query, NULL, hits, count, err, errsize);

    size_t before = hits ? hits->len : 0;
    int found = s_search (self, query, text, hits, count, err, errsize);
    if (found >= 0)
        return found;
    //  Not FTS5 syntax: search the words as they are
    char first [256];
    snprintf (first, sizeof first, "%s", err);
    while (hits && hits->len > before) {
        store_hit_t *hit = &hits->items [--hits->len];
        free (hit->uri);
        free (hit->version);
        free (hit->versioncreated);
        free (hit->headline);
        free (hit->source);
        free (hit->pubstatus);
        free (hit->snippet);
    }
    char *quoted = s_quote_terms (text);
    found = s_search (self, query, quoted, hits, count, err, errsize);
    free (quoted);
    if (found < 0) {
        char second [256];
        snprintf (second, sizeof second, "%s", err);
        snprintf (err, errsize, "cannot search for '%s': %s", text,
                  streq (first, second) ? first : second);
    }
    return found;
}

//  --------------------------------------------------------------------------
//  Search (see store.h); hits are appended, the caller frees them.

int
store_search (store_t *self, const store_query_t *query, store_hitv_t *hits,
              char *err, size_t errsize)
{
    assert (hits);
    return s_search_text (self, query, hits, NULL, err, errsize);
}

//  --------------------------------------------------------------------------
//  Count the matches of a search.

int64_t
store_search_count (store_t *self, const store_query_t *query, char *err, size_t errsize)
{
    int64_t count = 0;
    if (s_search_text (self, query, NULL, &count, err, errsize) < 0)
        return -1;
    return count;
}

//  --------------------------------------------------------------------------
//  Free the hits and empty the vector.

void
store_hits_free (store_hitv_t *hits)
{
    for (size_t i = 0; i < hits->len; i++) {
        store_hit_t *hit = &hits->items [i];
        free (hit->uri);
        free (hit->version);
        free (hit->versioncreated);
        free (hit->headline);
        free (hit->source);
        free (hit->pubstatus);
        free (hit->snippet);
    }
    free (hits->items);
    memset (hits, 0, sizeof *hits);
}
