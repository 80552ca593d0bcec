//  SPDX-License-Identifier: MIT
//  stage - the ingest stage handler (see stage.h)

#include "common.h"
#include "ingest/ingest.h"
#include "ingest/stage.h"

//  The stage's state
typedef struct {
    ingest_stats_t stats;       //  Counters
    bool verbose;               //  Log every document
} self_t;

//  What the emit/dead callbacks need for one delivery
typedef struct {
    self_t *self;
    job_t *job;
    const char *topic;          //  "ingested.<source>"
} delivery_t;

//  ---------------------------------------------------------------------
//  Create the state
static void *
s_create (config_t *config)
{
    self_t *self = (self_t *) xcalloc (1, sizeof (self_t));
    self->verbose = config && atoi (config_get (config, "ingest/verbose", "0")) != 0;
    return self;
}

//  Destroy the state, logging the counters
static void
s_destroy (void **state_p)
{
    self_t *self = (self_t *) *state_p;
    if (!self)
        return;
    zsys_info ("ingest: documents=%" PRIu64 " rejected=%" PRIu64 " stories=%" PRIu64
               " skipped=%" PRIu64 " bad_items=%" PRIu64,
               self->stats.documents, self->stats.rejected, self->stats.stories,
               self->stats.skipped, self->stats.bad_items);
    free (self);
    *state_p = NULL;
}

//  ---------------------------------------------------------------------
//  A story: publish it to normalize
static void
s_emit (void *arg, story_t **story_p)
{
    delivery_t *delivery = (delivery_t *) arg;
    job_emit_story (delivery->job, delivery->topic, *story_p);
    delivery->self->stats.stories++;
    story_destroy (story_p);
}

//  A bad item: its own dead letter
static void
s_dead (void *arg, deadletter_t **dead_p)
{
    delivery_t *delivery = (delivery_t *) arg;
    delivery->self->stats.bad_items++;
    job_emit_dead (delivery->job, dead_p);
}

//  ---------------------------------------------------------------------
//  One delivery: a document
static int
s_handle (void *state, job_t *job)
{
    self_t *self = (self_t *) state;
    char err [256];
    document_t *doc = document_decode (job_data (job), job_size (job), err, sizeof err);
    if (!doc) {
        self->stats.rejected++;
        job_reject (job, "ingest: not a document: %s", err);
        return WORKER_REJECT;
    }
    char topic [128];
    snprintf (topic, sizeof topic, "ingested.%s", str_empty (doc->source) ? "unknown" : doc->source);
    proto_topic_clean (topic);
    delivery_t delivery = { self, job, topic };
    ingest_result_t result;
    int rc = ingest_document (doc, s_emit, s_dead, &delivery, &result);
    if (self->verbose)
        zsys_info ("ingest: origin=%s format=%s stories=%d skipped=%d bad=%d%s%s",
                   doc->origin ? doc->origin : "-", result.format ? result.format : "-",
                   result.stories, result.skipped, result.bad_items,
                   rc ? " error=" : "", rc ? result.error : "");
    document_destroy (&doc);
    self->stats.skipped += (uint64_t) result.skipped;
    if (rc != 0) {
        self->stats.rejected++;
        job_reject (job, "%s", result.error);
        return WORKER_REJECT;
    }
    self->stats.documents++;
    return WORKER_DONE;
}

//  ---------------------------------------------------------------------
//  The stage

static const stage_t s_stage = {
    .name = "ingest",
    .input = STAGE_INGEST,
    .output = STAGE_NORMALIZE,
    .handle = s_handle,
    .create = s_create,
    .destroy = s_destroy,
    //  Deliveries are whole documents (up to 64 MB, a thousand stories):
    //  a few in flight keep the worker busy without holding gigabytes
    .credit = 16,
};

const stage_t *
ingest_stage (void)
{
    return &s_stage;
}

const ingest_stats_t *
ingest_stage_stats (void *state)
{
    return &((self_t *) state)->stats;
}
