//  SPDX-License-Identifier: MIT
//  corpus - read labelled stories (see corpus.h)

#include "common.h"
#include "ninjs.h"
#include "ingest/ingest.h"
#include "classify/corpus.h"
#include <dirent.h>

void
corpus_labels (const story_t *story, strv_t *out)
{
    for (size_t i = 0; i < story->subjects.len; i++) {
        const story_concept_t *c = &story->subjects.items [i];
        if (c->creator && strcmp (c->creator, "classify") == 0)
            continue;
        const char *label = !str_empty (c->literal) ? c->literal : c->uri;
        if (!str_empty (label))
            strv_add_unique (out, label);
    }
}

static void
s_add_story (corpus_t *self, story_t **story_p)
{
    corpus_item_t *item = vec_push (&self->items);
    item->story = *story_p;
    *story_p = NULL;
    corpus_labels (item->story, &item->labels);
}

static void
s_emit (void *arg, story_t **story_p)
{
    s_add_story ((corpus_t *) arg, story_p);
}

static void
s_dead (void *arg, deadletter_t **dead_p)
{
    ((corpus_t *) arg)->bad++;
    deadletter_destroy (dead_p);
}

//  Read one ninjs object into the corpus
static void
s_add_json (corpus_t *self, json_t *json)
{
    char err [256];
    story_t *story = ninjs_to_story (json, err, sizeof err);
    if (story)
        s_add_story (self, &story);
    else
        self->bad++;
}

static int
s_read_file (corpus_t *self, const char *path, char *err, size_t errsize)
{
    bool sgml = str_ends (path, ".sgm") || str_ends (path, ".sgml");
    bool json = str_ends (path, ".jsonl") || str_ends (path, ".ndjson") || str_ends (path, ".json");
    if (!sgml && !json)
        return 0;
    uint8_t *data;
    size_t size;
    if (file_read (path, DOCUMENT_MAX_SIZE, &data, &size)) {
        snprintf (err, errsize, "cannot read %s: %s", path, strerror (errno));
        return -1;
    }
    self->files++;
    if (sgml) {
        document_t *doc = document_new ("reuters", path, data, size);
        str_set (&doc->format, "reuters-sgml");
        ingest_result_t result;
        if (ingest_document (doc, s_emit, s_dead, self, &result))
            self->bad++;
        document_destroy (&doc);
    }
    else {
        const char *p = (const char *) data, *end = p + size;
        while (p < end && isspace ((unsigned char) *p))
            p++;
        if (p < end && *p == '[') {
            json_error_t jerr;
            json_t *array = json_loadb (p, (size_t) (end - p), 0, &jerr);
            if (!json_is_array (array))
                self->bad++;
            size_t i;
            json_t *value;
            json_array_foreach (array, i, value)
                s_add_json (self, value);
            json_decref (array);
        }
        else
        while (p < end) {
            const char *nl = memchr (p, '\n', (size_t) (end - p));
            const char *line_end = nl ? nl : end;
            const char *q = p;
            while (q < line_end && isspace ((unsigned char) *q))
                q++;
            if (q < line_end) {
                json_error_t jerr;
                json_t *object = json_loadb (q, (size_t) (line_end - q), 0, &jerr);
                if (object)
                    s_add_json (self, object);
                else
                    self->bad++;
                json_decref (object);
            }
            p = nl ? nl + 1 : end;
        }
    }
    free (data);
    return 0;
}

static int
s_name_compare (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
s_read_path (corpus_t *self, const char *path, int depth, char *err, size_t errsize)
{
    struct stat st;
    if (stat (path, &st)) {
        snprintf (err, errsize, "cannot read %s: %s", path, strerror (errno));
        return -1;
    }
    if (!S_ISDIR (st.st_mode))
        return s_read_file (self, path, err, errsize);
    if (depth > 8)
        return 0;
    DIR *dir = opendir (path);
    if (!dir) {
        snprintf (err, errsize, "cannot open %s: %s", path, strerror (errno));
        return -1;
    }
    strv_t names = { 0 };
    struct dirent *entry;
    while ((entry = readdir (dir)))
        if (entry->d_name [0] != '.')
            strv_push (&names, entry->d_name);
    closedir (dir);
    qsort (names.items, names.len, sizeof (char *), s_name_compare);
    int rc = 0;
    for (size_t i = 0; i < names.len && rc == 0; i++) {
        char *child = xasprintf ("%s/%s", path, names.items [i]);
        rc = s_read_path (self, child, depth + 1, err, errsize);
        free (child);
    }
    strv_free (&names);
    return rc;
}

//  --------------------------------------------------------------------------
//  Load a corpus and apply the split.

corpus_t *
corpus_load (const char *path, const char *split, char *err, size_t errsize)
{
    corpus_t *self = (corpus_t *) xcalloc (1, sizeof (corpus_t));
    if (s_read_path (self, path, 0, err, errsize)) {
        corpus_destroy (&self);
        return NULL;
    }
    if (self->items.len == 0) {
        snprintf (err, errsize, "%s: no stories found (want *.sgm or ninjs *.jsonl)", path);
        corpus_destroy (&self);
        return NULL;
    }
    bool reuters = false;
    for (size_t i = 0; i < self->items.len && !reuters; i++)
        if (story_extra (self->items.items [i].story, "reuters-lewissplit"))
            reuters = true;
    if (str_empty (split) || strcmp (split, "auto") == 0)
        split = reuters ? "modapte" : "all";
    if (strcmp (split, "modapte") != 0 && strcmp (split, "all") != 0) {
        snprintf (err, errsize, "unknown split '%s' (modapte, all or auto)", split);
        corpus_destroy (&self);
        return NULL;
    }
    snprintf (self->split, sizeof self->split, "%s", split);
    for (size_t i = 0; i < self->items.len; i++) {
        corpus_item_t *item = &self->items.items [i];
        if (strcmp (split, "all") == 0)
            item->split = CORPUS_TRAIN;
        else {
            const char *lewis = story_extra (item->story, "reuters-lewissplit");
            const char *topics = story_extra (item->story, "reuters-topics-attr");
            bool yes = topics && strcmp (topics, "YES") == 0;
            item->split = !yes || !lewis ? CORPUS_UNUSED
                        : strcmp (lewis, "TRAIN") == 0 ? CORPUS_TRAIN
                        : strcmp (lewis, "TEST") == 0 ? CORPUS_TEST : CORPUS_UNUSED;
        }
        if (item->split == CORPUS_TRAIN)
            self->train++;
        else
        if (item->split == CORPUS_TEST)
            self->test++;
    }
    if (self->train == 0) {
        snprintf (err, errsize, "%s: the %s split selects no training story", path, split);
        corpus_destroy (&self);
        return NULL;
    }
    return self;
}

void
corpus_destroy (corpus_t **self_p)
{
    assert (self_p);
    corpus_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->items.len; i++) {
        story_destroy (&self->items.items [i].story);
        strv_free (&self->items.items [i].labels);
    }
    free (self->items.items);
    free (self);
    *self_p = NULL;
}
