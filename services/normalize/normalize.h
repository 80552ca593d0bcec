//  SPDX-License-Identifier: MIT
//  normalize - the normalize stage: one story in, the same story made
//  canonical out
//
//  normalize_story makes every string valid UTF-8 NFC without control
//  characters, derives a plain-text body from HTML and sanitizes the HTML,
//  parses every date to RFC 3339 UTC in the provider's zone (raw strings
//  kept in ingest.rawdates), checks identity (uri without version, derived
//  when missing), falls back for a missing headline, reads dateline, byline
//  and editorial signals, checks urgency/priority, cleans or detects the
//  language and counts words. Every repair it makes that changes meaning
//  leaves a warning in ingest.warnings. It is idempotent:
//  normalize (normalize (x)) == normalize (x).
//
//  The stage (normalize_stage) decodes each delivery, normalizes it and
//  publishes it to the classify queue under the tap topic
//  normalized.<source>. Used in-process by `copydesk parse` too.
//
//  Config keys (defaults in brackets):
//    normalize/timezone [UTC]              zone of dates that carry none
//    normalize/providers/<source>/timezone the same, per provider
//    normalize/future_tolerance [86400]    seconds a date may lie ahead of
//                                          arrival before it is clamped
//    normalize/detect_language [1]         detect missing languages
//    normalize/langdata [system]           libexttextcat model folder

#ifndef COPYDESK_NORMALIZE_H
#define COPYDESK_NORMALIZE_H

typedef struct _normalize_t normalize_t;

//  Counters since start
typedef struct {
    uint64_t stories;           //  Stories normalized
    uint64_t rejected;          //  Deliveries refused (undecodable, no identity)
    uint64_t warned;            //  Stories that got at least one new warning
    uint64_t bad_dates;         //  Date fields removed as unreadable
    uint64_t uris_derived;      //  Stories whose uri was derived
    uint64_t languages_detected;
} normalize_stats_t;

//  Create a normalizer from the config (NULL: every default). Caller owns it.
normalize_t *
    normalize_new (config_t *config);

//  Destroy and nullify. Safe on NULL.
void
    normalize_destroy (normalize_t **self_p);

//  Normalize a story in place. Returns 0, or -1 when the story cannot be
//  made a valid record (no uri and nothing to derive one from);
//  normalize_reason then says why.
int
    normalize_story (normalize_t *self, story_t *story);

//  Why the last normalize_story failed ("" if it did not)
const char *
    normalize_reason (normalize_t *self);

//  Fix "now" (epoch seconds) for clamping future dates and for stories
//  without an arrival time; 0 = the wall clock. For tests.
void
    normalize_set_now (normalize_t *self, int64_t now);

//  Counters
const normalize_stats_t *
    normalize_stats (normalize_t *self);

//  The stage for worker_main: decode, normalize, publish to classify.
const stage_t *
    normalize_stage (void);

#endif
