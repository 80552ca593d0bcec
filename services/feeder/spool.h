//  SPDX-License-Identifier: MIT
//  spool - a folder that wire files are dropped into
//
//  The spool scans its folder by stat polling (every stable_ms / 4, between
//  50 ms and 1 s). A file is taken once it has stopped growing: the same
//  size, mtime and inode seen for stable_ms (or an mtime already that old).
//  Hidden and partial files (".name", "name.part", "name~", "name.tmp") and
//  folders are ignored. A taken file is read, checked in-process (size cap,
//  readable, ingest_detect says it can be a news document unless a format
//  is given) and published as a raw document to the broker's "ingest" queue
//  (tap topic "spooled.<source>"); it moves to done/ only once the broker
//  ACCEPTed it. A file that is refused here or by the broker moves to
//  error/ with "<name>.reason" beside it, and a dead letter is published.
//  Nothing is moved before it is accepted, so after a crash the files still
//  in the folder are simply sent again (the store upserts duplicates).

#ifndef COPYDESK_SPOOL_H
#define COPYDESK_SPOOL_H

#include "publisher.h"

typedef struct _spool_t spool_t;

//  Settings of one spool folder (strings are copied)
typedef struct {
    const char *name;           //  Spool name for logs
    const char *path;           //  The folder
    const char *source;         //  Provider name of its documents
    const char *format;         //  Format hint, NULL to detect
    int64_t stable_ms;          //  Quiet time before a file is taken [2000]
    int64_t max_size;           //  Largest file [spools/max_size = 64 MB]
    bool verbose;               //  Log every file
} spool_options_t;

typedef struct {
    uint64_t published;         //  Files published
    uint64_t done;              //  Files accepted and moved to done/
    uint64_t errors;            //  Files moved to error/
} spool_stats_t;

//  Create a spool; creates the folder and its done/ and error/ if needed.
//  Returns NULL (logged) if the folder cannot be used.
spool_t *
    spool_new (const spool_options_t *options, publisher_t *publisher);
//  Destroy and nullify. Files not yet accepted stay in the folder.
void
    spool_destroy (spool_t **self_p);

//  Look at the folder if a scan is due at now (monotonic ms); take the
//  files that are stable. Returns the number of files taken.
int
    spool_scan (spool_t *self, int64_t now);
//  Monotonic ms of the next scan
int64_t
    spool_next_scan (spool_t *self);
//  True if no file is waiting for the broker and, at the last scan, no
//  file was waiting to become stable
bool
    spool_idle (spool_t *self);
//  Files currently waiting for the broker's answer
size_t
    spool_pending (spool_t *self);
const spool_stats_t *
    spool_stats (spool_t *self);
const char *
    spool_name (spool_t *self);

#endif
