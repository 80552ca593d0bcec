//  SPDX-License-Identifier: MIT
//  story - the canonical story record: construction, lists, look-ups

#include "common.h"

story_t *
story_new (void)
{
    story_t *self = (story_t *) xcalloc (1, sizeof (story_t));
    self->ingest.index = -1;
    return self;
}

static void
s_texts_free (story_textv_t *list)
{
    for (size_t i = 0; i < list->len; i++) {
        free (list->items [i].role);
        free (list->items [i].contenttype);
        free (list->items [i].value);
    }
    free (list->items);
}

static void
s_concepts_free (story_conceptv_t *list)
{
    for (size_t i = 0; i < list->len; i++) {
        story_concept_t *c = &list->items [i];
        free (c->name);
        free (c->rel);
        free (c->role);
        free (c->uri);
        free (c->literal);
        free (c->creator);
    }
    free (list->items);
}

static void
s_pairs_free (story_pairv_t *list)
{
    for (size_t i = 0; i < list->len; i++) {
        free (list->items [i].key);
        free (list->items [i].value);
    }
    free (list->items);
}

void
story_destroy (story_t **self_p)
{
    assert (self_p);
    story_t *self = *self_p;
    if (!self)
        return;
    free (self->uri);
    free (self->type);
    free (self->version);
    free (self->versioncreated);
    free (self->firstcreated);
    free (self->contentcreated);
    free (self->embargoed);
    free (self->expires);
    free (self->pubstatus);
    s_texts_free (&self->headlines);
    s_texts_free (&self->descriptions);
    s_texts_free (&self->bodies);
    free (self->by);
    free (self->located);
    free (self->slugline);
    free (self->language);
    s_concepts_free (&self->subjects);
    s_concepts_free (&self->genres);
    s_concepts_free (&self->places);
    s_concepts_free (&self->people);
    s_concepts_free (&self->organisations);
    s_concepts_free (&self->events);
    s_concepts_free (&self->infosources);
    free (self->copyrightholder);
    free (self->copyrightnotice);
    free (self->usageterms);
    free (self->ednote);
    for (size_t i = 0; i < self->altids.len; i++) {
        free (self->altids.items [i].role);
        free (self->altids.items [i].value);
    }
    free (self->altids.items);
    for (size_t i = 0; i < self->renditions.len; i++) {
        story_rendition_t *r = &self->renditions.items [i];
        free (r->name);
        free (r->href);
        free (r->contenttype);
        free (r->title);
    }
    free (self->renditions.items);
    strv_free (&self->keywords);
    free (self->dateline.text);
    free (self->dateline.place);
    free (self->dateline.date);
    free (self->dateline.source);
    strv_free (&self->signals);
    for (size_t i = 0; i < self->links.len; i++) {
        free (self->links.items [i].rel);
        free (self->links.items [i].uri);
        free (self->links.items [i].version);
    }
    free (self->links.items);
    s_pairs_free (&self->extra);
    free (self->ingest.format);
    free (self->ingest.parser);
    free (self->ingest.provider);
    free (self->ingest.channel);
    free (self->ingest.received);
    free (self->ingest.origin);
    free (self->ingest.sha256);
    free (self->ingest.charset);
    s_pairs_free (&self->ingest.rawdates);
    strv_free (&self->ingest.warnings);
    free (self);
    *self_p = NULL;
}

story_t *
story_dup (const story_t *self)
{
    assert (self);
    buf_t buf;
    buf_init (&buf);
    story_encode (self, &buf);
    story_t *copy = story_decode ((const uint8_t *) buf.data, buf.size, NULL, 0);
    buf_free (&buf);
    assert (copy);              //  Our own encoding always decodes
    return copy;
}

story_text_t *
story_add_text (story_textv_t *list, const char *role,
                const char *contenttype, const char *value)
{
    story_text_t *text = vec_push (list);
    text->role = xstrdup (role);
    text->contenttype = xstrdup (contenttype ? contenttype : "text/plain");
    text->value = xstrdup (value ? value : "");
    text->charcount = -1;
    text->wordcount = -1;
    return text;
}

story_concept_t *
story_add_concept (story_conceptv_t *list, const char *name)
{
    story_concept_t *concept = vec_push (list);
    concept->name = xstrdup (name);
    concept->relevance = -1;
    concept->confidence = -1;
    return concept;
}

story_concept_t *
story_find_concept (story_conceptv_t *list, const char *literal)
{
    if (!literal)
        return NULL;
    for (size_t i = 0; i < list->len; i++)
        if (list->items [i].literal && strcmp (list->items [i].literal, literal) == 0)
            return &list->items [i];
    for (size_t i = 0; i < list->len; i++)
        if (list->items [i].uri && strcmp (list->items [i].uri, literal) == 0)
            return &list->items [i];
    return NULL;
}

void
story_add_altid (story_t *self, const char *role, const char *value)
{
    if (str_empty (value))
        return;
    for (size_t i = 0; i < self->altids.len; i++) {
        story_altid_t *a = &self->altids.items [i];
        if (strcmp (a->value, value) == 0
        && ((!a->role && !role) || (a->role && role && strcmp (a->role, role) == 0)))
            return;
    }
    story_altid_t *altid = vec_push (&self->altids);
    altid->role = xstrdup (role);
    altid->value = xstrdup (value);
}

void
story_add_link (story_t *self, const char *rel, const char *uri, const char *version)
{
    if (str_empty (uri))
        return;
    for (size_t i = 0; i < self->links.len; i++) {
        story_link_t *l = &self->links.items [i];
        if (strcmp (l->uri, uri) == 0 && l->rel && rel && strcmp (l->rel, rel) == 0)
            return;
    }
    story_link_t *link = vec_push (&self->links);
    link->rel = xstrdup (rel ? rel : "related");
    link->uri = xstrdup (uri);
    link->version = xstrdup (version);
}

story_rendition_t *
story_add_rendition (story_t *self, const char *name, const char *href)
{
    story_rendition_t *r = vec_push (&self->renditions);
    r->name = xstrdup (name ? name : "rendition");
    r->href = xstrdup (href);
    r->width = -1;
    r->height = -1;
    r->sizeinbytes = -1;
    return r;
}

void
story_add_keyword (story_t *self, const char *keyword)
{
    if (!str_empty (keyword))
        strv_add_unique (&self->keywords, keyword);
}

void
story_add_signal (story_t *self, const char *signal)
{
    if (!str_empty (signal))
        strv_add_unique (&self->signals, signal);
}

void
story_add_warning (story_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *warning = NULL;
    if (vasprintf (&warning, format, args) < 0)
        warning = NULL;
    va_end (args);
    if (warning)
        strv_add_unique (&self->ingest.warnings, warning);
    free (warning);
}

void
story_pairs_set (story_pairv_t *list, const char *key, const char *value)
{
    for (size_t i = 0; i < list->len; i++)
        if (strcmp (list->items [i].key, key) == 0) {
            str_set (&list->items [i].value, value ? value : "");
            return;
        }
    story_pair_t *pair = vec_push (list);
    pair->key = xstrdup (key);
    pair->value = xstrdup (value ? value : "");
}

const char *
story_pairs_get (const story_pairv_t *list, const char *key)
{
    for (size_t i = 0; i < list->len; i++)
        if (strcmp (list->items [i].key, key) == 0)
            return list->items [i].value;
    return NULL;
}

void
story_set_extra (story_t *self, const char *key, const char *value)
{
    story_pairs_set (&self->extra, key, value);
}

const char *
story_extra (const story_t *self, const char *key)
{
    return story_pairs_get (&self->extra, key);
}

void
story_set_rawdate (story_t *self, const char *field, const char *raw)
{
    if (raw)
        story_pairs_set (&self->ingest.rawdates, field, raw);
}

const char *
story_rawdate (const story_t *self, const char *field)
{
    return story_pairs_get (&self->ingest.rawdates, field);
}

const char *
story_headline (const story_t *self)
{
    for (size_t i = 0; i < self->headlines.len; i++)
        if (self->headlines.items [i].role
        &&  strcmp (self->headlines.items [i].role, "main") == 0)
            return self->headlines.items [i].value;
    return self->headlines.len ? self->headlines.items [0].value : NULL;
}

story_text_t *
story_body_text (story_t *self)
{
    story_text_t *first = NULL;
    for (size_t i = 0; i < self->bodies.len; i++) {
        story_text_t *b = &self->bodies.items [i];
        if (b->contenttype && strcmp (b->contenttype, "text/plain") != 0)
            continue;
        if (b->role && (strcmp (b->role, "main") == 0 || strcmp (b->role, "preformatted") == 0))
            return b;
        if (!first)
            first = b;
    }
    return first;
}

const char *
story_body (const story_t *self)
{
    story_text_t *body = story_body_text ((story_t *) self);
    return body ? body->value : NULL;
}
