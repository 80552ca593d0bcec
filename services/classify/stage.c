//  SPDX-License-Identifier: MIT
//  stage - the classify stage: consume "classify", classify, feed "store"
//
//  Each delivery is a story record (codec.h). An undecodable one is
//  rejected to the dead-letter log with the decoder's reason. A good one is
//  classified in place and published to the store queue with one tap topic
//  per subject it was assigned, "classified.<code>" (the literal's code,
//  topic-cleaned), or "classified.none". SIGHUP reloads the model, rules,
//  gazetteer and organisations between two deliveries; if the new files do
//  not load, the old ones stay in use and nothing is lost.

#include "common.h"
#include "classify/classify.h"

typedef struct {
    classify_t *classify;       //  The classifier
    uint64_t rejected;          //  Undecodable deliveries
} s_state_t;

static void *
s_create (config_t *config)
{
    char err [512];
    classify_t *classify = classify_new (config, err, sizeof err);
    if (!classify) {
        zsys_error ("classify: cannot start: %s", err);
        return NULL;
    }
    const model_t *model = classify_model (classify);
    zsys_info ("classify: model categories=%zu terms=%zu (%s)", model->cats.len,
               vocab_size (model->vocab), model->description);
    s_state_t *self = (s_state_t *) xcalloc (1, sizeof (s_state_t));
    self->classify = classify;
    return self;
}

static void
s_destroy (void **state_p)
{
    s_state_t *self = (s_state_t *) *state_p;
    if (self) {
        zsys_info ("classify: stopping stories=%" PRIu64 " unassigned=%" PRIu64
                   " rejected=%" PRIu64, classify_count (self->classify),
                   classify_unassigned (self->classify), self->rejected);
        classify_destroy (&self->classify);
        free (self);
    }
    *state_p = NULL;
}

//  The tap topics of a classified story into topics (cleared first)
void
classify_topics (const story_t *story, buf_t *topics)
{
    buf_clear (topics);
    int count = 0;
    for (size_t i = 0; i < story->subjects.len && count < PROTO_MAX_TOPICS; i++) {
        const story_concept_t *c = &story->subjects.items [i];
        if (!c->literal || !c->creator || strcmp (c->creator, "classify") != 0)
            continue;
        const char *colon = strrchr (c->literal, ':');
        char code [96];
        snprintf (code, sizeof code, "%s", colon ? colon + 1 : c->literal);
        proto_topic_clean (code);
        if (count++)
            buf_putc (topics, '\n');
        buf_printf (topics, "classified.%s", code);
    }
    if (count == 0)
        buf_puts (topics, "classified.none");
}

static int
s_handle (void *state, job_t *job)
{
    s_state_t *self = (s_state_t *) state;
    char error [256] = "";
    story_t *story = story_decode (job_data (job), job_size (job), error, sizeof error);
    if (!story) {
        self->rejected++;
        job_reject (job, "undecodable story: %s", error);
        return WORKER_REJECT;
    }
    classify_story (self->classify, story);
    buf_t topics;
    buf_init (&topics);
    classify_topics (story, &topics);
    job_emit_story (job, topics.data, story);
    buf_free (&topics);
    story_destroy (&story);
    return WORKER_DONE;
}

static int
s_reload (void *state)
{
    s_state_t *self = (s_state_t *) state;
    char err [512];
    if (classify_reload (self->classify, err, sizeof err)) {
        zsys_error ("classify: reload failed, keeping the loaded data: %s", err);
        return -1;
    }
    const model_t *model = classify_model (self->classify);
    zsys_info ("classify: reloaded model categories=%zu terms=%zu", model->cats.len,
               vocab_size (model->vocab));
    return 0;
}

static const stage_t s_stage = {
    .name = "classify",
    .input = STAGE_CLASSIFY,
    .output = STAGE_STORE,
    .handle = s_handle,
    .reload = s_reload,
    .create = s_create,
    .destroy = s_destroy,
};

const stage_t *
classify_stage (void)
{
    return &s_stage;
}
