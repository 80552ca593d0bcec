//  SPDX-License-Identifier: MIT
//  stage - the ingest stage: raw documents in, stories out to normalize
//
//  Each delivery of the ingest queue is a document (common/document.h).
//  The stage parses it (ingest_document: format by content or by the
//  document's hint) and publishes every story to the normalize queue with
//  the tap topic "ingested.<source>" (the document's source, or
//  "unknown"). A bad item inside a good document becomes a dead letter of
//  its own and the siblings go on; a document that cannot be decoded or
//  parsed at all is rejected with the reason, and the broker dead-letters
//  it with its raw bytes. Used by copydesk-ingest through worker_main.

#ifndef COPYDESK_INGEST_STAGE_H
#define COPYDESK_INGEST_STAGE_H

//  Counters since start
typedef struct {
    uint64_t documents;         //  Documents parsed (at least partly)
    uint64_t rejected;          //  Documents rejected whole
    uint64_t stories;           //  Stories published
    uint64_t skipped;           //  Items that are not stories
    uint64_t bad_items;         //  Items dead-lettered
} ingest_stats_t;

//  The stage for worker_main / worker_run. Its state (made by create)
//  holds the counters.
const stage_t *
    ingest_stage (void);

//  The counters of a state made by the stage's create
const ingest_stats_t *
    ingest_stage_stats (void *state);

#endif
