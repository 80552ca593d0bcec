//  SPDX-License-Identifier: MIT
//  store - the story database: SQLite in WAL mode with an FTS5 index
//
//  One row per (uri, version) in table `stories`, holding the searchable
//  fields, the effective publication status and the full msgpack record.
//  Writes are batched: store_begin, any number of store_put, store_commit
//  (one transaction per batch). store_put upserts: a story seen before with
//  the same content does nothing (unchanged), a changed record for the
//  same (uri, version) replaces the row and its FTS entry, a new version
//  adds a row. A canceled story (pubstatus "canceled", or a "kill" or
//  "withdrawal" signal) marks every stored version of its uri canceled,
//  including versions that arrive after it.
//
//  The latest version of a uri is the one with the latest versioncreated,
//  then the higher version when both are decimal integers, else the one
//  that arrived last. Each row has a `current` flag naming it, so search
//  lists one hit per story.

#ifndef COPYDESK_STORE_H
#define COPYDESK_STORE_H

typedef struct _store_t store_t;

//  Schema version written by this code (PRAGMA user_version)
#define STORE_SCHEMA_VERSION    1

//  Options (defaults in brackets; config keys in store_options_init)
typedef struct {
    bool readonly;              //  Open for reading only, never create [false]
    int busy_timeout;           //  ms to wait for a lock [5000]
    int64_t cache_size;         //  Page cache in bytes [64M]
    int64_t max_size;           //  Largest database in bytes, 0 = no limit [0]
    const char *fts_detail;     //  New databases: FTS5 detail full|column|none [full]
    const char *fts_content;    //  New databases: external|contentless [external]
    const char *fts_tokenize;   //  New databases: FTS5 tokenizer ["porter unicode61 remove_diacritics 2"]
} store_options_t;

//  Outcome of store_put
typedef enum {
    STORE_INSERTED,             //  A new row
    STORE_REPLACED,             //  Same (uri, version), changed record: row replaced
    STORE_UNCHANGED             //  Same (uri, version), same content: nothing written
} store_outcome_t;

typedef struct {
    store_outcome_t outcome;
    int64_t rowid;              //  Row of the story
    int canceled;               //  Rows of this uri newly marked canceled
} store_put_t;

//  Counters since open: outcomes of committed batches, and failures
typedef struct {
    uint64_t inserted;
    uint64_t replaced;
    uint64_t unchanged;
    uint64_t canceled;          //  Rows marked canceled
    uint64_t commits;
    uint64_t failures;          //  Failed puts and commits
} store_stats_t;

//  One search hit. Strings are owned by the hit (store_hits_free).
typedef struct {
    int64_t rowid;
    char *uri;
    char *version;              //  NULL if the story has none
    char *versioncreated;
    char *headline;
    char *source;
    char *pubstatus;            //  Effective: "canceled" once canceled
    char *snippet;              //  Of the body, with the requested marks
    double score;               //  bm25 (lower is better), 0 without a query
} store_hit_t;

typedef VEC (store_hit_t) store_hitv_t;

//  A search. query: FTS5 syntax, or plain words (retried quoted when the
//  syntax is invalid); NULL, "" or "*" lists the newest stories.
typedef struct {
    const char *query;
    const char *source;         //  Only stories from this source (ingest.provider)
    const char *subject;        //  Only stories with this subject code ("earn" matches "reuters:earn")
    const char *place;          //  Only stories with this place code ("FR" matches "iso3166:FR")
    const char *language;       //  Only stories in this language (BCP 47 primary tag: "en" matches "en-GB")
    const char *since;          //  Only versioncreated >= since (RFC 3339 or a prefix of it)
    int limit;                  //  At most this many hits [20]
    int offset;                 //  Skip this many
    bool all_versions;          //  Every version, not only the latest of each story
    const char *mark_open;      //  Snippet highlight marks ["" ""]
    const char *mark_close;
} store_query_t;

//  Fill options with defaults, then from config (may be NULL): store/busy_timeout,
//  store/cache_size, store/max_size, store/fts_detail, store/fts_content,
//  store/fts_tokenize.
void
    store_options_init (store_options_t *options, config_t *config);

//  The database path of a configuration: store/database, else <home>/store.db.
//  Caller frees.
char *
    store_path (config_t *config);

//  Open (and unless readonly create and migrate) the database at path.
//  Returns NULL with the reason in err on failure. Caller owns the store.
store_t *
    store_new (const char *path, const store_options_t *options, char *err, size_t errsize);

//  Close and nullify. Rolls back an open batch. Safe on NULL.
void
    store_destroy (store_t **self_p);

//  Start a batch (BEGIN IMMEDIATE). 0 or -1 (store_error tells why).
int
    store_begin (store_t *self);

//  Upsert one story inside the batch. record is the msgpack record to keep
//  (NULL: encode story). Returns 0 with result filled, or -1 with the whole
//  batch rolled back: store_transient says whether the database is at fault
//  (lock, disk full, I/O: retry the batch later) or this story is (it can
//  never be written: retry the batch without it).
int
    store_put (store_t *self, const story_t *story, const void *record, size_t size,
               store_put_t *result);

//  Commit the batch. 0, or -1 with the batch rolled back.
int
    store_commit (store_t *self);

//  Abandon the batch. Safe when none is open.
void
    store_rollback (store_t *self);

//  Last error message (never NULL), and whether it was transient.
const char *
    store_error (store_t *self);
bool
    store_transient (store_t *self);

//  Counters since open
store_stats_t
    store_stats (store_t *self);

//  Cap the database at bytes (0: no cap). Writes beyond it fail with "database
//  or disk is full", a transient error, until the cap is raised. 0 or -1.
int
    store_set_max_size (store_t *self, int64_t bytes);

//  The latest version of uri, or the given version. NULL if not stored (or
//  on error: see store_error). The story's pubstatus is the effective one.
//  Caller owns the story; *rowid (may be NULL) gets its row.
story_t *
    store_get (store_t *self, const char *uri, const char *version, int64_t *rowid);

//  Every stored version of uri, latest first, into stories (appended).
//  Returns the number found, or -1 on error. Caller owns the stories.
typedef VEC (story_t *) store_storyv_t;
int
    store_get_all (store_t *self, const char *uri, store_storyv_t *stories);
//  Destroy the stories of a vector and free it.
void
    store_stories_free (store_storyv_t *stories);

//  Run a search. Returns the number of hits appended, or -1 with a message
//  in err (e.g. a query FTS5 cannot read even once quoted).
int
    store_search (store_t *self, const store_query_t *query, store_hitv_t *hits,
                  char *err, size_t errsize);
void
    store_hits_free (store_hitv_t *hits);

//  How many stories match (limit and offset ignored), or -1 with err.
int64_t
    store_search_count (store_t *self, const store_query_t *query, char *err, size_t errsize);

//  Rows (versions) and distinct stories (uris) stored; -1 on error.
int64_t
    store_count (store_t *self, int64_t *stories);

//  True if the story cancels its uri (pubstatus canceled, kill or withdrawal)
bool
    store_is_cancel (const story_t *story);

#endif
