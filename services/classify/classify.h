//  SPDX-License-Identifier: MIT
//  classify - subjects, places, people, organisations and keywords of a story
//
//  The in-process classifier behind the classify stage and `copydesk parse
//  --classify`. It holds the subject model (model.h), the rules file
//  (rules.h), the place gazetteer (gazetteer.h) and the organisation list
//  (entities.h), found with config_datafile:
//
//      classify/model      model/reuters.cdm   subject model
//      classify/rules      rules.txt           editors' boolean rules
//      classify/gazetteer  gazetteer.tsv       places
//      classify/orgs       orgs.tsv            organisations
//      classify/givennames givennames.txt      given names (people without a cue)
//
//  classify_story adds to a story, each concept with creator "classify":
//  subjects (model scheme literal, confidence and relevance 0-100; rule
//  subjects too), places ("iso3166:XX" with the country name), people and
//  organisations (name, and an acronym as literal "acronym:XX" when known),
//  and keywords. Subjects, places, people and organisations the provider
//  sent are kept as they are: classify never replaces or duplicates them.
//  Running it twice on a story replaces its own earlier output.
//
//  Speed: classify_story splits each text of the story into words once
//  (lexicon_read, lexicon.h, into the vectorizer's lexicon), and every part
//  (vectorizer, rules, gazetteer, entities, keywords) works on those word
//  ids, keeping what a word means to it in a memo by id; see
//  docs/performance.md for the figures and tests/bench/bench_classify.c.

#ifndef COPYDESK_CLASSIFY_H
#define COPYDESK_CLASSIFY_H

#include "classify/model.h"
#include "classify/gazetteer.h"

typedef struct _classify_t classify_t;

//  What classify_story does (all on by default)
#define CLASSIFY_SUBJECTS   0x01
#define CLASSIFY_PLACES     0x02
#define CLASSIFY_ENTITIES   0x04
#define CLASSIFY_KEYWORDS   0x08
#define CLASSIFY_ALL        0x0F

//  Create a classifier with the data files named by config (NULL: the
//  defaults above). A missing or bad model or gazetteer is an error (NULL,
//  reason in err); a missing rules or orgs file is not. Caller owns it.
classify_t *
    classify_new (config_t *config, char *err, size_t errsize);
//  The same with a model the caller already has (takes ownership,
//  nullifies *model_p): for evaluation right after training.
classify_t *
    classify_new_model (config_t *config, model_t **model_p, char *err, size_t errsize);
//  Destroy and nullify. Safe on NULL.
void
    classify_destroy (classify_t **self_p);
//  Replace the subject model (takes ownership, nullifies *model_p).
void
    classify_set_model (classify_t *self, model_t **model_p);
//  The subject model in use (borrowed)
const model_t *
    classify_model (classify_t *self);
//  Choose what classify_story does (CLASSIFY_* flags).
void
    classify_set_flags (classify_t *self, int flags);
//  Classify one story in place. Returns the number of subjects assigned.
int
    classify_story (classify_t *self, story_t *story);
//  Scores of every model category for a story, into scores (model
//  categories long). For evaluation and tools.
void
    classify_scores (classify_t *self, const story_t *story, float *scores);
//  Reload the data files (SIGHUP). On any failure the old data stays in
//  use and -1 is returned with the reason in err; 0 on success.
int
    classify_reload (classify_t *self, char *err, size_t errsize);
//  The gazetteer in use (borrowed)
gazetteer_t *
    classify_gazetteer (classify_t *self);
//  Counters: stories classified, stories with no subject
uint64_t
    classify_count (classify_t *self);
uint64_t
    classify_unassigned (classify_t *self);

//  --------------------------------------------------------------------------
//  The stage (stage.c)

//  The classify stage for worker_main / worker_actor.
const stage_t *
    classify_stage (void);
//  Tap topics of a classified story: "classified.<code>" per subject
//  classify assigned, '\n'-separated, or "classified.none". Into topics.
void
    classify_topics (const story_t *story, buf_t *topics);

#endif
