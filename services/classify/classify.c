//  SPDX-License-Identifier: MIT
//  classify - the in-process classifier (see classify.h)

#include "common.h"
#include "classify/classify.h"
#include "classify/entities.h"
#include "classify/keywords.h"
#include "classify/rules.h"

#define CLASSIFY_CREATOR "classify"

struct _classify_t {
    config_t *config;           //  Borrowed configuration (may be NULL)
    model_t *model;             //  Subject model
    gazetteer_t *gazetteer;     //  Places
    float place_threshold;      //  Place score needed
    placev_t places;            //  Scratch places
    entities_t *entities;       //  People and organisations
    rules_t *rules;             //  Editors' rules (may be empty)
    rulehitv_t hits;            //  Scratch rule matches
    int max_keywords;           //  Keywords per story
    vectorizer_t *vectorizer;   //  Over the model's vocabulary; its lexicon
                                //  holds the words of every text read
    featv_t features;           //  Scratch vector
    lextext_t headline;         //  Scratch: words of the story's headline
    lextext_t body;             //  Scratch: of its body (descriptions first)
    lextext_t dateline;         //  Scratch: of its dateline
    size_t body_from;           //  Where the story's own body starts in body
    buf_t body_text;            //  Scratch: the body when it has descriptions
    entityv_t found;            //  Scratch: people and organisations
    float *scores;              //  Scratch scores, one per category
    int flags;                  //  CLASSIFY_* in effect
    int max_subjects;           //  Most model subjects per story
    uint64_t count;             //  Stories classified
    uint64_t unassigned;        //  Stories that got no subject
};

//  Load the subject model named by config
static model_t *
s_load_model (config_t *config, char *err, size_t errsize)
{
    char *path = config_datafile (config, "classify/model", "model/reuters.cdm");
    if (!path) {
        snprintf (err, errsize, "subject model not found (classify/model, "
                  "or model/reuters.cdm in the data folders)");
        return NULL;
    }
    model_t *model = model_load (path, err, errsize);
    free (path);
    return model;
}

//  Load the gazetteer named by config
static gazetteer_t *
s_load_gazetteer (config_t *config, char *err, size_t errsize)
{
    char *path = config_datafile (config, "classify/gazetteer", "gazetteer.tsv");
    if (!path) {
        snprintf (err, errsize, "gazetteer not found (classify/gazetteer, "
                  "or gazetteer.tsv in the data folders)");
        return NULL;
    }
    gazetteer_t *gazetteer = gazetteer_load (path, err, errsize);
    free (path);
    return gazetteer;
}

//  Load the rules named by config; a missing default file is no rules
static rules_t *
s_load_rules (config_t *config, char *err, size_t errsize)
{
    const char *explicit_path = config ? config_get (config, "classify/rules", NULL) : NULL;
    char *path = config_datafile (config, "classify/rules", "rules.txt");
    if (!path) {
        if (explicit_path) {
            snprintf (err, errsize, "rules file %s not found", explicit_path);
            return NULL;
        }
        return rules_parse ("", "rules", err, errsize);
    }
    rules_t *rules = rules_load (path, err, errsize);
    free (path);
    return rules;
}

//  Load the organisation list named by config (missing default: patterns only)
static entities_t *
s_load_entities (config_t *config, gazetteer_t *gazetteer, char *err, size_t errsize)
{
    const char *explicit_path = config ? config_get (config, "classify/orgs", NULL) : NULL;
    char *path = config_datafile (config, "classify/orgs", "orgs.tsv");
    if (!path && explicit_path) {
        snprintf (err, errsize, "organisation list %s not found", explicit_path);
        return NULL;
    }
    entities_t *entities = entities_new (path, gazetteer, err, errsize);
    free (path);
    if (!entities)
        return NULL;
    //  Given names for people without a cue (missing default: cues only)
    explicit_path = config ? config_get (config, "classify/givennames", NULL) : NULL;
    path = config_datafile (config, "classify/givennames", "givennames.txt");
    if (!path && explicit_path) {
        snprintf (err, errsize, "given names list %s not found", explicit_path);
        entities_destroy (&entities);
        return NULL;
    }
    if (path && entities_load_given (entities, path, err, errsize)) {
        entities_destroy (&entities);
        free (path);
        return NULL;
    }
    free (path);
    return entities;
}

classify_t *
classify_new (config_t *config, char *err, size_t errsize)
{
    model_t *model = s_load_model (config, err, errsize);
    if (!model)
        return NULL;
    return classify_new_model (config, &model, err, errsize);
}

classify_t *
classify_new_model (config_t *config, model_t **model_p, char *err, size_t errsize)
{
    assert (model_p && *model_p);
    model_t *model = *model_p;
    *model_p = NULL;
    gazetteer_t *gazetteer = s_load_gazetteer (config, err, errsize);
    rules_t *rules = gazetteer ? s_load_rules (config, err, errsize) : NULL;
    entities_t *entities = rules ? s_load_entities (config, gazetteer, err, errsize) : NULL;
    if (!entities) {
        rules_destroy (&rules);
        gazetteer_destroy (&gazetteer);
        model_destroy (&model);
        return NULL;
    }
    classify_t *self = (classify_t *) xcalloc (1, sizeof (classify_t));
    self->gazetteer = gazetteer;
    self->rules = rules;
    self->entities = entities;
    self->max_keywords = config ? (int) config_int (config, "classify/keywords", 8) : 8;
    const char *threshold = config ? config_get (config, "classify/place_threshold", NULL) : NULL;
    self->place_threshold = threshold ? strtof (threshold, NULL) : 2.5f;
    self->config = config;
    self->flags = CLASSIFY_ALL;
    self->max_subjects = config ? (int) config_int (config, "classify/max_subjects", 8) : 8;
    classify_set_model (self, &model);
    return self;
}

void
classify_destroy (classify_t **self_p)
{
    assert (self_p);
    classify_t *self = *self_p;
    if (!self)
        return;
    vectorizer_destroy (&self->vectorizer);
    model_destroy (&self->model);
    gazetteer_destroy (&self->gazetteer);
    entities_destroy (&self->entities);
    rules_destroy (&self->rules);
    free (self->hits.items);
    free (self->places.items);
    free (self->features.items);
    lextext_free (&self->headline);
    lextext_free (&self->body);
    lextext_free (&self->dateline);
    buf_free (&self->body_text);
    entities_free (&self->found);
    free (self->scores);
    free (self);
    *self_p = NULL;
}

void
classify_set_model (classify_t *self, model_t **model_p)
{
    assert (model_p && *model_p);
    vectorizer_destroy (&self->vectorizer);
    model_destroy (&self->model);
    self->model = *model_p;
    *model_p = NULL;
    self->vectorizer = vectorizer_new (self->model->vocab, self->model->language,
                                       (int) self->model->headline_weight);
    vectorizer_set_sorted (self->vectorizer, false);
    free (self->scores);
    self->scores = (float *) xcalloc (self->model->cats.len + 1, sizeof (float));
}

const model_t *
classify_model (classify_t *self)
{
    return self->model;
}

void
classify_set_flags (classify_t *self, int flags)
{
    self->flags = flags;
}

uint64_t
classify_count (classify_t *self)
{
    return self->count;
}

uint64_t
classify_unassigned (classify_t *self)
{
    return self->unassigned;
}

//  Read the story's texts once into the vectorizer's lexicon: headline,
//  body (descriptions first, as the vectorizer reads it) and, when asked,
//  the dateline
static lexicon_t *
s_read (classify_t *self, const story_t *story, bool dateline)
{
    lexicon_t *lexicon = vectorizer_lexicon (self->vectorizer);
    const char *headline = story_headline (story);
    lexicon_read (lexicon, headline, headline ? strlen (headline) : 0, &self->headline);
    const char *body = vectorizer_story_text (story, &self->body_text, &self->body_from);
    lexicon_read (lexicon, body, strlen (body), &self->body);
    const char *place = NULL;
    if (dateline)
        place = story->dateline.place ? story->dateline.place
              : story->located ? story->located : story->dateline.text;
    lexicon_read (lexicon, place, place ? strlen (place) : 0, &self->dateline);
    return lexicon;
}

void
classify_scores (classify_t *self, const story_t *story, float *scores)
{
    s_read (self, story, false);
    vectorizer_words (self->vectorizer, &self->headline, &self->body, story->language,
                      &self->features);
    model_scores (self->model, &self->features, scores);
}

//  Remove the concepts classify added earlier (re-classification)
static void
s_remove_own (story_conceptv_t *list)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->len; i++) {
        story_concept_t *c = &list->items [i];
        if (c->creator && strcmp (c->creator, CLASSIFY_CREATOR) == 0) {
            free (c->name);
            free (c->rel);
            free (c->role);
            free (c->uri);
            free (c->literal);
            free (c->creator);
        }
        else
            list->items [kept++] = *c;
    }
    list->len = kept;
}

typedef struct {
    int cat;
    float score;
    float probability;
} s_pick_t;

static int
s_pick_compare (const void *a, const void *b)
{
    const s_pick_t *x = (const s_pick_t *) a, *y = (const s_pick_t *) b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->cat - y->cat;
}

//  Add a subject unless the story already has that literal from anyone
static story_concept_t *
s_add_subject (story_t *story, const char *literal, const char *name)
{
    if (story_find_concept (&story->subjects, literal))
        return NULL;
    story_concept_t *c = story_add_concept (&story->subjects, name);
    str_set (&c->literal, literal);
    str_set (&c->creator, CLASSIFY_CREATOR);
    return c;
}

//  Model subjects: every category whose score reaches its threshold
static int
s_subjects (classify_t *self, story_t *story)
{
    const model_t *model = self->model;
    s_pick_t picks [64];
    size_t npicks = 0;
    for (size_t c = 0; c < model->cats.len; c++) {
        const model_cat_t *cat = &model->cats.items [c];
        float score = self->scores [c];
        if (score < cat->threshold)
            continue;
        float p = 1.0f / (1.0f + expf (cat->platt_a * score + cat->platt_b));
        s_pick_t pick = { (int) c, score - cat->threshold, p };
        if (npicks < 64)
            picks [npicks++] = pick;
    }
    qsort (picks, npicks, sizeof picks [0], s_pick_compare);
    if (npicks > (size_t) self->max_subjects)
        npicks = (size_t) self->max_subjects;
    float top = 0;
    for (size_t i = 0; i < npicks; i++)
        if (picks [i].probability > top)
            top = picks [i].probability;
    int added = 0;
    for (size_t i = 0; i < npicks; i++) {
        const model_cat_t *cat = &model->cats.items [picks [i].cat];
        const char *colon = strchr (cat->literal, ':');
        const char *name = cat->name ? cat->name : colon ? colon + 1 : cat->literal;
        story_concept_t *c = s_add_subject (story, cat->literal, name);
        if (!c)
            continue;
        c->confidence = (int) lrintf (100 * picks [i].probability);
        c->relevance = top > 0 ? (int) lrintf (100 * picks [i].probability / top) : 100;
        added++;
    }
    return added;
}

//  Places from the gazetteer, unless the provider named the same ones
static void
s_places (classify_t *self, lexicon_t *lexicon, story_t *story)
{
    gazetteer_places_words (self->gazetteer, lexicon, &self->dateline, &self->headline,
                            &self->body, self->body_from, self->place_threshold, &self->places);
    for (size_t i = 0; i < self->places.len; i++) {
        place_t *place = &self->places.items [i];
        char literal [16] = "iso3166:";
        memcpy (literal + 8, place->code, sizeof place->code);     //  NUL-terminated
        if (story_find_concept (&story->places, literal))
            continue;
        story_concept_t *c = story_add_concept (&story->places, place->name);
        str_set (&c->literal, literal);
        str_set (&c->creator, CLASSIFY_CREATOR);
        float top = self->places.items [0].score;
        c->relevance = (int) lrintf (100 * place->score / top);
        c->confidence = (int) lrintf (100 * (1 - expf (-place->score / 2)));
    }
}

//  Subjects from the editors' rules (on the words as the vectorizer read
//  them)
static int
s_rules (classify_t *self, lexicon_t *lexicon, story_t *story)
{
    if (rules_size (self->rules) == 0)
        return 0;
    self->hits.len = 0;
    rules_words (self->rules, lexicon, &self->headline, &self->body, &self->hits);
    int added = 0;
    for (size_t i = 0; i < self->hits.len; i++) {
        const char *literal = rules_literal (self->rules, self->hits.items [i]);
        const char *name = rules_name (self->rules, self->hits.items [i]);
        const char *colon = strchr (literal, ':');
        story_concept_t *c = s_add_subject (story, literal, name ? name : colon ? colon + 1 : literal);
        if (c) {
            c->confidence = 100;
            c->relevance = 100;
            added++;
        }
    }
    return added;
}

//  People and organisations of the headline and body
static void
s_entities (classify_t *self, lexicon_t *lexicon, story_t *story)
{
    entityv_t *found = &self->found;
    entities_find_words (self->entities, lexicon, &self->headline, found);
    entities_find_words (self->entities, lexicon, &self->body, found);
    for (size_t i = 0; i < found->len; i++) {
        entity_t *e = &found->items [i];
        story_conceptv_t *list = e->organisation ? &story->organisations : &story->people;
        bool present = false;
        for (size_t k = 0; k < list->len && !present; k++)
            if (list->items [k].name && strcmp (list->items [k].name, e->name) == 0)
                present = true;
        if (present)
            continue;
        story_concept_t *c = story_add_concept (list, e->name);
        str_set (&c->creator, CLASSIFY_CREATOR);
        if (e->acronym) {
            //  "acronym:" and the acronym, on the stack when it fits
            char stack [64];
            size_t n = strlen (e->acronym);
            char *literal = n + 9 <= sizeof stack ? stack : (char *) xmalloc (n + 9);
            memcpy (literal, "acronym:", 8);
            memcpy (literal + 8, e->acronym, n + 1);
            str_set (&c->literal, literal);
            if (literal != stack)
                free (literal);
        }
        c->relevance = e->mentions >= 5 ? 100 : 20 * e->mentions;
    }
    //  Empty the list, keep its memory
    for (size_t i = 0; i < found->len; i++) {
        free (found->items [i].name);
        free (found->items [i].acronym);
    }
    found->len = 0;
}

gazetteer_t *
classify_gazetteer (classify_t *self)
{
    return self->gazetteer;
}

int
classify_story (classify_t *self, story_t *story)
{
    s_remove_own (&story->subjects);
    s_remove_own (&story->places);
    s_remove_own (&story->people);
    s_remove_own (&story->organisations);
    //  One pass over the words of each text, shared by every part
    lexicon_t *lexicon = s_read (self, story, (self->flags & CLASSIFY_PLACES) != 0);
    int subjects = 0;
    if (self->flags & (CLASSIFY_SUBJECTS | CLASSIFY_KEYWORDS))
        vectorizer_words (self->vectorizer, &self->headline, &self->body, story->language,
                          &self->features);
    if (self->flags & CLASSIFY_SUBJECTS) {
        model_scores (self->model, &self->features, self->scores);
        subjects = s_subjects (self, story);
        subjects += s_rules (self, lexicon, story);
    }
    if (self->flags & CLASSIFY_KEYWORDS)
        keywords_pick (self->vectorizer, self->model, &self->headline, &self->body,
                       self->max_keywords, &story->keywords);
    if (self->flags & CLASSIFY_PLACES)
        s_places (self, lexicon, story);
    if (self->flags & CLASSIFY_ENTITIES)
        s_entities (self, lexicon, story);
    self->count++;
    if (subjects == 0)
        self->unassigned++;
    return subjects;
}

int
classify_reload (classify_t *self, char *err, size_t errsize)
{
    model_t *model = s_load_model (self->config, err, errsize);
    if (!model)
        return -1;
    gazetteer_t *gazetteer = s_load_gazetteer (self->config, err, errsize);
    rules_t *rules = gazetteer ? s_load_rules (self->config, err, errsize) : NULL;
    entities_t *entities = rules ? s_load_entities (self->config, gazetteer, err, errsize) : NULL;
    if (!entities) {
        rules_destroy (&rules);
        gazetteer_destroy (&gazetteer);
        model_destroy (&model);
        return -1;
    }
    classify_set_model (self, &model);
    entities_destroy (&self->entities);
    gazetteer_destroy (&self->gazetteer);
    rules_destroy (&self->rules);
    self->gazetteer = gazetteer;
    self->entities = entities;
    self->rules = rules;
    return 0;
}
