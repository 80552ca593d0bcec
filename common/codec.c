//  SPDX-License-Identifier: MIT
//  codec - story record <-> msgpack (see codec.h, docs/story.md)

#include "common.h"

//  --------------------------------------------------------------------------
//  Packing helpers

static int
s_buf_write (void *data, const char *bytes, size_t len)
{
    buf_append ((buf_t *) data, bytes, len);
    return 0;
}

void
codec_packer_init (msgpack_packer *pk, buf_t *buf)
{
    msgpack_packer_init (pk, buf, s_buf_write);
}

void
codec_pack_str (msgpack_packer *pk, const char *s)
{
    size_t len = s ? strlen (s) : 0;
    msgpack_pack_str_with_body (pk, s ? s : "", len);
}

void
codec_pack_kv_str (msgpack_packer *pk, const char *key, const char *value)
{
    codec_pack_str (pk, key);
    codec_pack_str (pk, value);
}

void
codec_pack_kv_int (msgpack_packer *pk, const char *key, int64_t value)
{
    codec_pack_str (pk, key);
    msgpack_pack_int64 (pk, value);
}

bool
codec_key_is (const msgpack_object *o, const char *key)
{
    size_t len = strlen (key);
    return o->type == MSGPACK_OBJECT_STR
        && o->via.str.size == len
        && memcmp (o->via.str.ptr, key, len) == 0;
}

int
codec_copy_str (const msgpack_object *o, char **out)
{
    const char *ptr;
    size_t size;
    if (o->type == MSGPACK_OBJECT_STR) {
        ptr = o->via.str.ptr;
        size = o->via.str.size;
    }
    else
    if (o->type == MSGPACK_OBJECT_BIN) {
        ptr = o->via.bin.ptr;
        size = o->via.bin.size;
    }
    else
        return -1;
    if (size && memchr (ptr, 0, size))
        return -1;
    str_setn (out, ptr, size);
    return 0;
}

int
codec_get_int (const msgpack_object *o, int64_t min, int64_t max, int64_t *out)
{
    int64_t value;
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (o->via.u64 > (uint64_t) INT64_MAX)
            return -1;
        value = (int64_t) o->via.u64;
    }
    else
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        value = o->via.i64;
    else
        return -1;
    if (value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

//  --------------------------------------------------------------------------
//  Encoding

//  Count the string fields that are set, to size the map header
#define COUNT(field) (count += (field) != NULL)

static void
s_pack_texts (msgpack_packer *pk, const char *key, const story_textv_t *list, bool counts)
{
    codec_pack_str (pk, key);
    msgpack_pack_array (pk, list->len);
    for (size_t i = 0; i < list->len; i++) {
        const story_text_t *t = &list->items [i];
        int n = 1 + (t->role != NULL) + (t->contenttype != NULL);
        if (counts)
            n += (t->charcount >= 0) + (t->wordcount >= 0);
        msgpack_pack_map (pk, n);
        if (t->role)
            codec_pack_kv_str (pk, "role", t->role);
        if (t->contenttype)
            codec_pack_kv_str (pk, "contenttype", t->contenttype);
        if (counts && t->charcount >= 0)
            codec_pack_kv_int (pk, "charcount", t->charcount);
        if (counts && t->wordcount >= 0)
            codec_pack_kv_int (pk, "wordcount", t->wordcount);
        codec_pack_kv_str (pk, "value", t->value);
    }
}

static void
s_pack_concepts (msgpack_packer *pk, const char *key, const story_conceptv_t *list)
{
    codec_pack_str (pk, key);
    msgpack_pack_array (pk, list->len);
    for (size_t i = 0; i < list->len; i++) {
        const story_concept_t *c = &list->items [i];
        int n = (c->name != NULL) + (c->rel != NULL) + (c->role != NULL)
              + (c->uri != NULL) + (c->literal != NULL) + (c->creator != NULL)
              + (c->relevance >= 0) + (c->confidence >= 0);
        msgpack_pack_map (pk, n);
        if (c->name)
            codec_pack_kv_str (pk, "name", c->name);
        if (c->rel)
            codec_pack_kv_str (pk, "rel", c->rel);
        if (c->role)
            codec_pack_kv_str (pk, "role", c->role);
        if (c->uri)
            codec_pack_kv_str (pk, "uri", c->uri);
        if (c->literal)
            codec_pack_kv_str (pk, "literal", c->literal);
        if (c->creator)
            codec_pack_kv_str (pk, "creator", c->creator);
        if (c->relevance >= 0)
            codec_pack_kv_int (pk, "relevance", c->relevance);
        if (c->confidence >= 0)
            codec_pack_kv_int (pk, "confidence", c->confidence);
    }
}

static void
s_pack_strv (msgpack_packer *pk, const char *key, const strv_t *list)
{
    codec_pack_str (pk, key);
    msgpack_pack_array (pk, list->len);
    for (size_t i = 0; i < list->len; i++)
        codec_pack_str (pk, list->items [i]);
}

static void
s_pack_pairs (msgpack_packer *pk, const char *key, const story_pairv_t *list)
{
    codec_pack_str (pk, key);
    msgpack_pack_map (pk, list->len);
    for (size_t i = 0; i < list->len; i++)
        codec_pack_kv_str (pk, list->items [i].key, list->items [i].value);
}

static void
s_pack_ingest (msgpack_packer *pk, const story_t *self)
{
    int count = 0;
    COUNT (self->ingest.format);
    COUNT (self->ingest.parser);
    COUNT (self->ingest.provider);
    COUNT (self->ingest.channel);
    COUNT (self->ingest.received);
    COUNT (self->ingest.origin);
    COUNT (self->ingest.sha256);
    COUNT (self->ingest.charset);
    count += (self->ingest.index >= 0)
           + (self->ingest.rawdates.len > 0)
           + (self->ingest.warnings.len > 0);
    codec_pack_str (pk, "ingest");
    msgpack_pack_map (pk, count);
    if (self->ingest.format)
        codec_pack_kv_str (pk, "format", self->ingest.format);
    if (self->ingest.parser)
        codec_pack_kv_str (pk, "parser", self->ingest.parser);
    if (self->ingest.provider)
        codec_pack_kv_str (pk, "provider", self->ingest.provider);
    if (self->ingest.channel)
        codec_pack_kv_str (pk, "channel", self->ingest.channel);
    if (self->ingest.received)
        codec_pack_kv_str (pk, "received", self->ingest.received);
    if (self->ingest.origin)
        codec_pack_kv_str (pk, "origin", self->ingest.origin);
    if (self->ingest.sha256)
        codec_pack_kv_str (pk, "sha256", self->ingest.sha256);
    if (self->ingest.charset)
        codec_pack_kv_str (pk, "charset", self->ingest.charset);
    if (self->ingest.index >= 0)
        codec_pack_kv_int (pk, "index", self->ingest.index);
    if (self->ingest.rawdates.len)
        s_pack_pairs (pk, "rawdates", &self->ingest.rawdates);
    if (self->ingest.warnings.len)
        s_pack_strv (pk, "warnings", &self->ingest.warnings);
}

//  The scalar string fields, in wire order
#define SCALARS(X) \
    X (uri) X (type) X (version) X (versioncreated) X (firstcreated) \
    X (contentcreated) X (embargoed) X (expires) X (pubstatus) X (by) \
    X (located) X (slugline) X (language) X (copyrightholder) \
    X (copyrightnotice) X (usageterms) X (ednote)

//  The concept lists
#define CONCEPTS(X) \
    X (subjects) X (genres) X (places) X (people) X (organisations) \
    X (events) X (infosources)

void
story_encode (const story_t *self, buf_t *buf)
{
    assert (self);
    buf_clear (buf);
    msgpack_packer pk;
    codec_packer_init (&pk, buf);

    int count = 0;
#define X(f) COUNT (self->f);
    SCALARS (X)
#undef X
#define X(f) count += self->f.len > 0;
    CONCEPTS (X)
#undef X
    count += (self->urgency > 0) + (self->priority > 0)
           + (self->headlines.len > 0) + (self->descriptions.len > 0)
           + (self->bodies.len > 0) + (self->altids.len > 0)
           + (self->renditions.len > 0) + (self->keywords.len > 0)
           + (self->signals.len > 0) + (self->links.len > 0)
           + (self->extra.len > 0) + 1;     //  ingest is always written
    bool dateline = self->dateline.text || self->dateline.place
                 || self->dateline.date || self->dateline.source;
    count += dateline;

    msgpack_pack_map (&pk, count);
#define X(f) if (self->f) codec_pack_kv_str (&pk, #f, self->f);
    SCALARS (X)
#undef X
    if (self->urgency > 0)
        codec_pack_kv_int (&pk, "urgency", self->urgency);
    if (self->priority > 0)
        codec_pack_kv_int (&pk, "priority", self->priority);
    if (self->headlines.len)
        s_pack_texts (&pk, "headlines", &self->headlines, false);
    if (self->descriptions.len)
        s_pack_texts (&pk, "descriptions", &self->descriptions, false);
    if (self->bodies.len)
        s_pack_texts (&pk, "bodies", &self->bodies, true);
#define X(f) if (self->f.len) s_pack_concepts (&pk, #f, &self->f);
    CONCEPTS (X)
#undef X
    if (self->altids.len) {
        codec_pack_str (&pk, "altids");
        msgpack_pack_array (&pk, self->altids.len);
        for (size_t i = 0; i < self->altids.len; i++) {
            const story_altid_t *a = &self->altids.items [i];
            msgpack_pack_map (&pk, 1 + (a->role != NULL));
            if (a->role)
                codec_pack_kv_str (&pk, "role", a->role);
            codec_pack_kv_str (&pk, "value", a->value);
        }
    }
    if (self->renditions.len) {
        codec_pack_str (&pk, "renditions");
        msgpack_pack_array (&pk, self->renditions.len);
        for (size_t i = 0; i < self->renditions.len; i++) {
            const story_rendition_t *r = &self->renditions.items [i];
            msgpack_pack_map (&pk, 1 + (r->href != NULL) + (r->contenttype != NULL)
                                  + (r->title != NULL) + (r->width >= 0)
                                  + (r->height >= 0) + (r->sizeinbytes >= 0));
            codec_pack_kv_str (&pk, "name", r->name);
            if (r->href)
                codec_pack_kv_str (&pk, "href", r->href);
            if (r->contenttype)
                codec_pack_kv_str (&pk, "contenttype", r->contenttype);
            if (r->title)
                codec_pack_kv_str (&pk, "title", r->title);
            if (r->width >= 0)
                codec_pack_kv_int (&pk, "width", r->width);
            if (r->height >= 0)
                codec_pack_kv_int (&pk, "height", r->height);
            if (r->sizeinbytes >= 0)
                codec_pack_kv_int (&pk, "sizeinbytes", r->sizeinbytes);
        }
    }
    if (self->keywords.len)
        s_pack_strv (&pk, "keywords", &self->keywords);
    if (dateline) {
        codec_pack_str (&pk, "dateline");
        msgpack_pack_map (&pk, (self->dateline.text != NULL) + (self->dateline.place != NULL)
                             + (self->dateline.date != NULL) + (self->dateline.source != NULL));
        if (self->dateline.text)
            codec_pack_kv_str (&pk, "text", self->dateline.text);
        if (self->dateline.place)
            codec_pack_kv_str (&pk, "place", self->dateline.place);
        if (self->dateline.date)
            codec_pack_kv_str (&pk, "date", self->dateline.date);
        if (self->dateline.source)
            codec_pack_kv_str (&pk, "source", self->dateline.source);
    }
    if (self->signals.len)
        s_pack_strv (&pk, "signals", &self->signals);
    if (self->links.len) {
        codec_pack_str (&pk, "links");
        msgpack_pack_array (&pk, self->links.len);
        for (size_t i = 0; i < self->links.len; i++) {
            const story_link_t *l = &self->links.items [i];
            msgpack_pack_map (&pk, 2 + (l->version != NULL));
            codec_pack_kv_str (&pk, "rel", l->rel);
            codec_pack_kv_str (&pk, "uri", l->uri);
            if (l->version)
                codec_pack_kv_str (&pk, "version", l->version);
        }
    }
    if (self->extra.len)
        s_pack_pairs (&pk, "extra", &self->extra);
    s_pack_ingest (&pk, self);
}

//  --------------------------------------------------------------------------
//  Decoding

typedef struct {
    char *err;                  //  Where to write the reason
    size_t errsize;
    bool draft;                 //  A record without uri is accepted
} decoder_t;

static int
s_bad (decoder_t *d, const char *what, const char *key)
{
    if (d->err && d->errsize)
        snprintf (d->err, d->errsize, "story: %s%s%s", what, key ? ": " : "", key ? key : "");
    return -1;
}

static int
s_get_str (decoder_t *d, const msgpack_object *o, char **out, const char *key)
{
    if (codec_copy_str (o, out))
        return s_bad (d, "expected a string without NUL bytes", key);
    return 0;
}

static int
s_get_count (decoder_t *d, const msgpack_object *o, int *out, int min, int max, const char *key)
{
    int64_t value;
    if (codec_get_int (o, min, max, &value))
        return s_bad (d, "integer out of range", key);
    *out = (int) value;
    return 0;
}

static int
s_get_texts (decoder_t *d, const msgpack_object *o, story_textv_t *list, const char *key)
{
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return s_bad (d, "expected an array", key);
    for (uint32_t i = 0; i < o->via.array.size; i++) {
        const msgpack_object *item = &o->via.array.ptr [i];
        if (item->type != MSGPACK_OBJECT_MAP)
            return s_bad (d, "expected a map in", key);
        story_text_t *t = vec_push (list);
        t->charcount = t->wordcount = -1;
        for (uint32_t j = 0; j < item->via.map.size; j++) {
            const msgpack_object *k = &item->via.map.ptr [j].key;
            const msgpack_object *v = &item->via.map.ptr [j].val;
            int rc = 0;
            if (codec_key_is (k, "role"))
                rc = s_get_str (d, v, &t->role, key);
            else
            if (codec_key_is (k, "contenttype"))
                rc = s_get_str (d, v, &t->contenttype, key);
            else
            if (codec_key_is (k, "value"))
                rc = s_get_str (d, v, &t->value, key);
            else
            if (codec_key_is (k, "charcount"))
                rc = s_get_count (d, v, &t->charcount, 0, INT_MAX, key);
            else
            if (codec_key_is (k, "wordcount"))
                rc = s_get_count (d, v, &t->wordcount, 0, INT_MAX, key);
            if (rc)
                return -1;
        }
        if (!t->value)
            return s_bad (d, "text object without value in", key);
    }
    return 0;
}

static int
s_get_concepts (decoder_t *d, const msgpack_object *o, story_conceptv_t *list, const char *key)
{
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return s_bad (d, "expected an array", key);
    for (uint32_t i = 0; i < o->via.array.size; i++) {
        const msgpack_object *item = &o->via.array.ptr [i];
        if (item->type != MSGPACK_OBJECT_MAP)
            return s_bad (d, "expected a map in", key);
        story_concept_t *c = story_add_concept (list, NULL);
        for (uint32_t j = 0; j < item->via.map.size; j++) {
            const msgpack_object *k = &item->via.map.ptr [j].key;
            const msgpack_object *v = &item->via.map.ptr [j].val;
            int rc = 0;
            if (codec_key_is (k, "name"))
                rc = s_get_str (d, v, &c->name, key);
            else
            if (codec_key_is (k, "rel"))
                rc = s_get_str (d, v, &c->rel, key);
            else
            if (codec_key_is (k, "role"))
                rc = s_get_str (d, v, &c->role, key);
            else
            if (codec_key_is (k, "uri"))
                rc = s_get_str (d, v, &c->uri, key);
            else
            if (codec_key_is (k, "literal"))
                rc = s_get_str (d, v, &c->literal, key);
            else
            if (codec_key_is (k, "creator"))
                rc = s_get_str (d, v, &c->creator, key);
            else
            if (codec_key_is (k, "relevance"))
                rc = s_get_count (d, v, &c->relevance, 0, 100, key);
            else
            if (codec_key_is (k, "confidence"))
                rc = s_get_count (d, v, &c->confidence, 0, 100, key);
            if (rc)
                return -1;
        }
    }
    return 0;
}

static int
s_get_strv (decoder_t *d, const msgpack_object *o, strv_t *list, const char *key)
{
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return s_bad (d, "expected an array", key);
    for (uint32_t i = 0; i < o->via.array.size; i++) {
        char *value = NULL;
        if (s_get_str (d, &o->via.array.ptr [i], &value, key))
            return -1;
        char **slot = vec_push (list);
        *slot = value;
    }
    return 0;
}

static int
s_get_pairs (decoder_t *d, const msgpack_object *o, story_pairv_t *list, const char *key)
{
    if (o->type != MSGPACK_OBJECT_MAP)
        return s_bad (d, "expected a map", key);
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        story_pair_t *pair = vec_push (list);
        if (s_get_str (d, &o->via.map.ptr [i].key, &pair->key, key)
        ||  s_get_str (d, &o->via.map.ptr [i].val, &pair->value, key))
            return -1;
    }
    return 0;
}

static int
s_get_altids (decoder_t *d, const msgpack_object *o, story_t *self)
{
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return s_bad (d, "expected an array", "altids");
    for (uint32_t i = 0; i < o->via.array.size; i++) {
        const msgpack_object *item = &o->via.array.ptr [i];
        if (item->type != MSGPACK_OBJECT_MAP)
            return s_bad (d, "expected a map in", "altids");
        story_altid_t *a = vec_push (&self->altids);
        for (uint32_t j = 0; j < item->via.map.size; j++) {
            const msgpack_object *k = &item->via.map.ptr [j].key;
            const msgpack_object *v = &item->via.map.ptr [j].val;
            if ((codec_key_is (k, "role") && s_get_str (d, v, &a->role, "altids"))
            ||  (codec_key_is (k, "value") && s_get_str (d, v, &a->value, "altids")))
                return -1;
        }
        if (!a->value)
            return s_bad (d, "altid without value", NULL);
    }
    return 0;
}

static int
s_get_renditions (decoder_t *d, const msgpack_object *o, story_t *self)
{
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return s_bad (d, "expected an array", "renditions");
    for (uint32_t i = 0; i < o->via.array.size; i++) {
        const msgpack_object *item = &o->via.array.ptr [i];
        if (item->type != MSGPACK_OBJECT_MAP)
            return s_bad (d, "expected a map in", "renditions");
        story_rendition_t *r = vec_push (&self->renditions);
        r->width = r->height = -1;
        r->sizeinbytes = -1;
        for (uint32_t j = 0; j < item->via.map.size; j++) {
            const msgpack_object *k = &item->via.map.ptr [j].key;
            const msgpack_object *v = &item->via.map.ptr [j].val;
            int rc = 0;
            if (codec_key_is (k, "name"))
                rc = s_get_str (d, v, &r->name, "renditions");
            else
            if (codec_key_is (k, "href"))
                rc = s_get_str (d, v, &r->href, "renditions");
            else
            if (codec_key_is (k, "contenttype"))
                rc = s_get_str (d, v, &r->contenttype, "renditions");
            else
            if (codec_key_is (k, "title"))
                rc = s_get_str (d, v, &r->title, "renditions");
            else
            if (codec_key_is (k, "width"))
                rc = s_get_count (d, v, &r->width, 0, INT_MAX, "renditions");
            else
            if (codec_key_is (k, "height"))
                rc = s_get_count (d, v, &r->height, 0, INT_MAX, "renditions");
            else
            if (codec_key_is (k, "sizeinbytes")) {
                int64_t size;
                if (codec_get_int (v, 0, INT64_MAX, &size))
                    rc = s_bad (d, "integer out of range", "sizeinbytes");
                else
                    r->sizeinbytes = size;
            }
            if (rc)
                return -1;
        }
        if (!r->name)
            r->name = xstrdup ("rendition");
    }
    return 0;
}

static int
s_get_links (decoder_t *d, const msgpack_object *o, story_t *self)
{
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return s_bad (d, "expected an array", "links");
    for (uint32_t i = 0; i < o->via.array.size; i++) {
        const msgpack_object *item = &o->via.array.ptr [i];
        if (item->type != MSGPACK_OBJECT_MAP)
            return s_bad (d, "expected a map in", "links");
        story_link_t *l = vec_push (&self->links);
        for (uint32_t j = 0; j < item->via.map.size; j++) {
            const msgpack_object *k = &item->via.map.ptr [j].key;
            const msgpack_object *v = &item->via.map.ptr [j].val;
            if ((codec_key_is (k, "rel") && s_get_str (d, v, &l->rel, "links"))
            ||  (codec_key_is (k, "uri") && s_get_str (d, v, &l->uri, "links"))
            ||  (codec_key_is (k, "version") && s_get_str (d, v, &l->version, "links")))
                return -1;
        }
        if (!l->uri || !l->rel)
            return s_bad (d, "link without rel or uri", NULL);
    }
    return 0;
}

static int
s_get_dateline (decoder_t *d, const msgpack_object *o, story_t *self)
{
    if (o->type != MSGPACK_OBJECT_MAP)
        return s_bad (d, "expected a map", "dateline");
    for (uint32_t j = 0; j < o->via.map.size; j++) {
        const msgpack_object *k = &o->via.map.ptr [j].key;
        const msgpack_object *v = &o->via.map.ptr [j].val;
        if ((codec_key_is (k, "text") && s_get_str (d, v, &self->dateline.text, "dateline"))
        ||  (codec_key_is (k, "place") && s_get_str (d, v, &self->dateline.place, "dateline"))
        ||  (codec_key_is (k, "date") && s_get_str (d, v, &self->dateline.date, "dateline"))
        ||  (codec_key_is (k, "source") && s_get_str (d, v, &self->dateline.source, "dateline")))
            return -1;
    }
    return 0;
}

static int
s_get_ingest (decoder_t *d, const msgpack_object *o, story_t *self)
{
    if (o->type != MSGPACK_OBJECT_MAP)
        return s_bad (d, "expected a map", "ingest");
    for (uint32_t j = 0; j < o->via.map.size; j++) {
        const msgpack_object *k = &o->via.map.ptr [j].key;
        const msgpack_object *v = &o->via.map.ptr [j].val;
        int rc = 0;
#define STR(f) if (codec_key_is (k, #f)) rc = s_get_str (d, v, &self->ingest.f, "ingest." #f); else
        STR (format) STR (parser) STR (provider) STR (channel) STR (received)
        STR (origin) STR (sha256) STR (charset)
#undef STR
        if (codec_key_is (k, "index"))
            rc = s_get_count (d, v, &self->ingest.index, 0, INT_MAX, "ingest.index");
        else
        if (codec_key_is (k, "rawdates"))
            rc = s_get_pairs (d, v, &self->ingest.rawdates, "ingest.rawdates");
        else
        if (codec_key_is (k, "warnings"))
            rc = s_get_strv (d, v, &self->ingest.warnings, "ingest.warnings");
        if (rc)
            return -1;
    }
    return 0;
}

static int
s_decode_map (decoder_t *d, const msgpack_object *root, story_t *self)
{
    if (root->type != MSGPACK_OBJECT_MAP)
        return s_bad (d, "record is not a map", NULL);
    for (uint32_t i = 0; i < root->via.map.size; i++) {
        const msgpack_object *k = &root->via.map.ptr [i].key;
        const msgpack_object *v = &root->via.map.ptr [i].val;
        if (k->type != MSGPACK_OBJECT_STR)
            return s_bad (d, "map key is not a string", NULL);
        int rc = 0;
#define X(f) if (codec_key_is (k, #f)) rc = s_get_str (d, v, &self->f, #f); else
        SCALARS (X)
#undef X
#define X(f) if (codec_key_is (k, #f)) rc = s_get_concepts (d, v, &self->f, #f); else
        CONCEPTS (X)
#undef X
        if (codec_key_is (k, "urgency"))
            rc = s_get_count (d, v, &self->urgency, 1, 9, "urgency");
        else
        if (codec_key_is (k, "priority"))
            rc = s_get_count (d, v, &self->priority, 1, 9, "priority");
        else
        if (codec_key_is (k, "headlines"))
            rc = s_get_texts (d, v, &self->headlines, "headlines");
        else
        if (codec_key_is (k, "descriptions"))
            rc = s_get_texts (d, v, &self->descriptions, "descriptions");
        else
        if (codec_key_is (k, "bodies"))
            rc = s_get_texts (d, v, &self->bodies, "bodies");
        else
        if (codec_key_is (k, "altids"))
            rc = s_get_altids (d, v, self);
        else
        if (codec_key_is (k, "renditions"))
            rc = s_get_renditions (d, v, self);
        else
        if (codec_key_is (k, "keywords"))
            rc = s_get_strv (d, v, &self->keywords, "keywords");
        else
        if (codec_key_is (k, "dateline"))
            rc = s_get_dateline (d, v, self);
        else
        if (codec_key_is (k, "signals"))
            rc = s_get_strv (d, v, &self->signals, "signals");
        else
        if (codec_key_is (k, "links"))
            rc = s_get_links (d, v, self);
        else
        if (codec_key_is (k, "extra"))
            rc = s_get_pairs (d, v, &self->extra, "extra");
        else
        if (codec_key_is (k, "ingest"))
            rc = s_get_ingest (d, v, self);
        //  Unknown keys are skipped
        if (rc)
            return -1;
    }
    if (str_empty (self->uri) && !d->draft)
        return s_bad (d, "record has no uri", NULL);
    return 0;
}

static story_t *
s_decode (const uint8_t *data, size_t size, char *err, size_t errsize, bool draft)
{
    decoder_t decoder = { err, errsize, draft };
    if (size > CODEC_MAX_STORY) {
        s_bad (&decoder, "record too large", NULL);
        return NULL;
    }
    msgpack_zone zone;
    if (!msgpack_zone_init (&zone, 2048)) {
        s_bad (&decoder, "out of memory", NULL);
        return NULL;
    }
    msgpack_object root;
    story_t *self = NULL;
    if (mpcheck_unpack (data, size, &zone, &root, err, errsize) == 0) {
        self = story_new ();
        if (s_decode_map (&decoder, &root, self))
            story_destroy (&self);
    }
    msgpack_zone_destroy (&zone);
    return self;
}

story_t *
story_decode (const uint8_t *data, size_t size, char *err, size_t errsize)
{
    return s_decode (data, size, err, errsize, false);
}

story_t *
story_decode_draft (const uint8_t *data, size_t size, char *err, size_t errsize)
{
    return s_decode (data, size, err, errsize, true);
}
