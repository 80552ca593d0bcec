//  SPDX-License-Identifier: MIT
//  feedstate - what the feed poller remembers across restarts
//
//  One SQLite database, <home>/feeds.db (WAL), shared by the feeder service
//  and `copydesk poll`. Per feed URL: the validators of the last response
//  whose items all reached the broker (ETag, Last-Modified), the last
//  status and error, consecutive failures, when it is next due, and
//  counters. And the items already pushed: (uri, version) pairs, where the
//  version is the story's version or, when it has none, "sha256:" and the
//  hash of the item's bytes; an item is recorded only once the broker has
//  accepted it. Entries not seen in any feed for feeds/seen_days are pruned.

#ifndef COPYDESK_FEEDSTATE_H
#define COPYDESK_FEEDSTATE_H

typedef struct _feedstate_t feedstate_t;

//  The state of one feed
typedef struct {
    char *etag;                 //  ETag of the last complete response
    char *last_modified;        //  Last-Modified of the last complete response
    int last_status;            //  HTTP status of the last poll (0: none / transport error)
    char *last_error;           //  Why the last poll failed, NULL if it did not
    int64_t last_poll;          //  Epoch milliseconds of the last poll, 0 if never
    int64_t last_success;       //  Epoch milliseconds of the last good poll
    int64_t next_due;           //  Epoch milliseconds the feed is due again
    int failures;               //  Consecutive failed polls
    int64_t polls;              //  Polls made
    int64_t items;              //  Items pushed
    char *error_sha256;         //  Body of the last failure that was dead-lettered
} feedrecord_t;

//  Open (creating) the database at path. NULL with the reason in err.
feedstate_t *
    feedstate_open (const char *path, char *err, size_t errsize);
//  Close and nullify. Safe on NULL.
void
    feedstate_destroy (feedstate_t **self_p);

//  Read the record of url into record (zeroed first). Returns 0 if the feed
//  is known, -1 if not (record stays zeroed) or on a database error.
int
    feedstate_get (feedstate_t *self, const char *url, feedrecord_t *record);
//  Write the record of url. Returns 0 or -1.
int
    feedstate_put (feedstate_t *self, const char *url, const feedrecord_t *record);
//  Free the strings of a record and zero it
void
    feedrecord_free (feedrecord_t *record);

//  True if (uri, version) was pushed before
bool
    feedstate_seen (feedstate_t *self, const char *uri, const char *version);
//  Record that (uri, version) from feed reached the broker. 0 or -1.
int
    feedstate_mark_seen (feedstate_t *self, const char *feed, const char *uri,
                         const char *version);
//  Note that (uri, version) is still listed by a feed (keeps it from being
//  pruned). 0 or -1.
int
    feedstate_touch (feedstate_t *self, const char *uri, const char *version);
//  Forget items not listed by any feed since before (epoch seconds). Returns how
//  many were removed, or -1.
int
    feedstate_prune (feedstate_t *self, int64_t before);
//  Forget a feed: its record (validators, schedule, errors) and the items
//  it pushed, so that its next poll fetches and pushes everything again.
//  Returns the number of items forgotten, or -1.
int
    feedstate_forget (feedstate_t *self, const char *url);
//  Items remembered
int64_t
    feedstate_seen_count (feedstate_t *self);

//  Group writes in one transaction. 0 or -1.
int
    feedstate_begin (feedstate_t *self);
int
    feedstate_commit (feedstate_t *self);

#endif
