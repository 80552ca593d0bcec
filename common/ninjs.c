//  SPDX-License-Identifier: MIT
//  ninjs - story_t <-> IPTC ninjs 2.2 JSON (strict) or ninjs + copydesk
//  extensions (full); see ninjs.h and docs/ninjs-extensions.schema.json

#include "common.h"
#include "ninjs.h"

#define NINJS_SCHEMA_URI "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"

//  Properties a concept array's items may carry in ninjs 2.2
#define C_NAME          0x01
#define C_REL           0x02
#define C_ROLE          0x04
#define C_URI           0x08
#define C_LITERAL       0x10
#define C_CREATOR       0x20
#define C_RELEVANCE     0x40
#define C_CONFIDENCE    0x80
#define C_URI_FORMAT    0x100   //  uri must be a URI (JSON Schema format "uri")

//  ==========================================================================
//  Text helpers

//  Length of the valid UTF-8 sequence at s (up to end), or 0 if invalid.
static size_t
s_utf8_seq (const uint8_t *s, const uint8_t *end)
{
    uint8_t c = s [0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    else
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    }
    else
    if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    }
    else
    if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    }
    else
        return 0;
    if ((size_t) (end - s) < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s [i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s [i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
    ||  (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

//  A JSON string for s. Invalid UTF-8 bytes (a story that did not go
//  through normalize yet) become U+FFFD rather than failing the output.
static json_t *
s_jstr (const char *s)
{
    json_t *value = json_string (s);
    if (value)
        return value;
    buf_t fixed;
    buf_init (&fixed);
    const uint8_t *p = (const uint8_t *) s;
    const uint8_t *end = p + strlen (s);
    while (p < end) {
        size_t len = s_utf8_seq (p, end);
        if (len) {
            buf_append (&fixed, p, len);
            p += len;
        }
        else {
            buf_puts (&fixed, "\xEF\xBF\xBD");
            p++;
        }
    }
    value = json_string (fixed.data ? fixed.data : "");
    buf_free (&fixed);
    assert (value);
    return value;
}

static void
s_set_str (json_t *object, const char *key, const char *value)
{
    if (value)
        json_object_set_new (object, key, s_jstr (value));
}

//  ==========================================================================
//  Schema formats

//  True if s is an RFC 3339 date-time (JSON Schema format "date-time"),
//  with real calendar dates: 2024-02-29T10:00:00.5Z, ...+02:00.
static bool
s_is_datetime (const char *s)
{
    int year, month, day, hour, minute, second;
    if (strlen (s) < 20)
        return false;
    for (int i = 0; i < 19; i++) {
        bool digit = isdigit ((unsigned char) s [i]);
        if (i == 4 || i == 7) {
            if (s [i] != '-')
                return false;
        }
        else
        if (i == 10) {
            if (s [i] != 'T' && s [i] != 't')
                return false;
        }
        else
        if (i == 13 || i == 16) {
            if (s [i] != ':')
                return false;
        }
        else
        if (!digit)
            return false;
    }
    year = atoi (s);
    month = atoi (s + 5);
    day = atoi (s + 8);
    hour = atoi (s + 11);
    minute = atoi (s + 14);
    second = atoi (s + 17);
    static const int days [] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60)
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > days [month - 1] + (month == 2 && leap))
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit ((unsigned char) *p))
            return false;
        while (isdigit ((unsigned char) *p))
            p++;
    }
    if ((*p == 'Z' || *p == 'z') && p [1] == 0)
        return true;
    if ((*p == '+' || *p == '-')
    &&  isdigit ((unsigned char) p [1]) && isdigit ((unsigned char) p [2]) && p [3] == ':'
    &&  isdigit ((unsigned char) p [4]) && isdigit ((unsigned char) p [5]) && p [6] == 0)
        return atoi (p + 1) <= 23 && atoi (p + 4) <= 59;
    return false;
}

//  True if s starts with a URI scheme and its colon
static bool
s_has_scheme (const char *s)
{
    if (!isalpha ((unsigned char) *s))
        return false;
    for (s++; *s; s++) {
        if (*s == ':')
            return true;
        if (!isalnum ((unsigned char) *s) && *s != '+' && *s != '-' && *s != '.')
            return false;
    }
    return false;
}

//  A URI (JSON Schema format "uri") from s: bytes a URI may not hold are
//  percent-encoded (spaces, controls, non-ASCII, a second '#', a '%' not
//  starting an escape). Returns a new string, or NULL when need_scheme and
//  s has no scheme. Caller frees.
static char *
s_uri_clean (const char *s, bool need_scheme)
{
    if (need_scheme && !s_has_scheme (s))
        return NULL;
    static const char *allowed = "-._~:/?@!$&'()*+,;=";
    buf_t uri;
    buf_init (&uri);
    bool fragment = false;
    for (const uint8_t *p = (const uint8_t *) s; *p; p++) {
        bool keep = isalnum (*p) && *p < 0x80;
        if (!keep && *p < 0x80 && *p && strchr (allowed, *p))
            keep = true;
        if (*p == '#' && !fragment)
            keep = fragment = true;
        if (*p == '%' && isxdigit (p [1]) && isxdigit (p [2]))
            keep = true;
        if (keep)
            buf_putc (&uri, (char) *p);
        else
            buf_printf (&uri, "%%%02X", *p);
    }
    char *result = buf_detach (&uri);
    return result ? result : xstrdup ("");
}

static void
s_set_uri (json_t *object, const char *key, const char *value, bool need_scheme)
{
    if (!value)
        return;
    char *uri = s_uri_clean (value, need_scheme);
    if (uri)
        json_object_set_new (object, key, s_jstr (uri));
    free (uri);
}

static void
s_set_date (json_t *object, const char *key, const char *value)
{
    if (value && s_is_datetime (value))
        json_object_set_new (object, key, s_jstr (value));
}

//  True if value is one of the strings in the NULL-terminated list
static bool
s_in (const char *value, const char **list)
{
    for (; *list; list++)
        if (strcmp (value, *list) == 0)
            return true;
    return false;
}

//  --------------------------------------------------------------------------
//  Story -> JSON

static void
s_put_texts (json_t *root, const char *key, const story_textv_t *list, bool counts)
{
    if (!list->len)
        return;
    json_t *array = json_array ();
    for (size_t i = 0; i < list->len; i++) {
        const story_text_t *t = &list->items [i];
        json_t *item = json_object ();
        s_set_str (item, "role", t->role);
        s_set_str (item, "contenttype", t->contenttype);
        if (counts && t->charcount >= 0)
            json_object_set_new (item, "charcount", json_integer (t->charcount));
        if (counts && t->wordcount >= 0)
            json_object_set_new (item, "wordcount", json_integer (t->wordcount));
        s_set_str (item, "value", t->value ? t->value : "");
        json_array_append_new (array, item);
    }
    json_object_set_new (root, key, array);
}

static void
s_put_concepts (json_t *root, const char *key, const story_conceptv_t *list, int allowed,
                json_t *annotations)
{
    if (!list->len)
        return;
    json_t *array = json_array ();
    json_t *extras = json_array ();
    bool any_extra = false;
    for (size_t i = 0; i < list->len; i++) {
        const story_concept_t *c = &list->items [i];
        json_t *item = json_object ();
        json_t *extra = json_object ();
        if (allowed & C_NAME)
            s_set_str (item, "name", c->name);
        s_set_str ((allowed & C_REL) ? item : extra, "rel", c->rel);
        s_set_str ((allowed & C_ROLE) ? item : extra, "role", c->role);
        if (c->uri && (allowed & C_URI_FORMAT)) {
            char *uri = s_uri_clean (c->uri, true);
            if (uri)
                json_object_set_new (item, "uri", s_jstr (uri));
            else
                s_set_str (extra, "uri", c->uri);
            free (uri);
        }
        else
            s_set_str (item, "uri", c->uri);
        if (allowed & C_LITERAL)
            s_set_str (item, "literal", c->literal);
        s_set_str ((allowed & C_CREATOR) ? item : extra, "creator", c->creator);
        if (c->relevance >= 0 && c->relevance <= 100)
            json_object_set_new ((allowed & C_RELEVANCE) ? item : extra, "relevance",
                                 json_integer (c->relevance));
        if (c->confidence >= 0 && c->confidence <= 100)
            json_object_set_new ((allowed & C_CONFIDENCE) ? item : extra, "confidence",
                                 json_integer (c->confidence));
        json_array_append_new (array, item);
        any_extra |= json_object_size (extra) > 0;
        json_array_append_new (extras, extra);
    }
    json_object_set_new (root, key, array);
    if (annotations && any_extra)
        json_object_set_new (annotations, key, extras);
    else
        json_decref (extras);
}

static void
s_put_strv (json_t *root, const char *key, const strv_t *list)
{
    if (!list->len)
        return;
    json_t *array = json_array ();
    for (size_t i = 0; i < list->len; i++)
        json_array_append_new (array, s_jstr (list->items [i]));
    json_object_set_new (root, key, array);
}

//  A map of strings; keys that are not valid UTF-8 are repaired too.
static json_t *
s_pairs_object (const story_pairv_t *list)
{
    json_t *object = json_object ();
    for (size_t i = 0; i < list->len; i++) {
        json_t *key = s_jstr (list->items [i].key ? list->items [i].key : "");
        json_object_set_new (object, json_string_value (key),
                             s_jstr (list->items [i].value ? list->items [i].value : ""));
        json_decref (key);
    }
    return object;
}

static void
s_put_extensions (json_t *root, const story_t *story)
{
    s_put_strv (root, "keywords", &story->keywords);
    if (story->priority > 0)
        json_object_set_new (root, "priority", json_integer (story->priority));
    if (story->dateline.text || story->dateline.place
    ||  story->dateline.date || story->dateline.source) {
        json_t *dateline = json_object ();
        s_set_str (dateline, "text", story->dateline.text);
        s_set_str (dateline, "place", story->dateline.place);
        s_set_str (dateline, "date", story->dateline.date);
        s_set_str (dateline, "source", story->dateline.source);
        json_object_set_new (root, "dateline", dateline);
    }
    s_put_strv (root, "signals", &story->signals);
    if (story->links.len) {
        json_t *array = json_array ();
        for (size_t i = 0; i < story->links.len; i++) {
            const story_link_t *l = &story->links.items [i];
            json_t *link = json_object ();
            s_set_str (link, "rel", l->rel ? l->rel : "");
            s_set_str (link, "uri", l->uri ? l->uri : "");
            s_set_str (link, "version", l->version);
            json_array_append_new (array, link);
        }
        json_object_set_new (root, "links", array);
    }
    if (story->extra.len)
        json_object_set_new (root, "extra", s_pairs_object (&story->extra));

    json_t *ingest = json_object ();
    s_set_str (ingest, "format", story->ingest.format);
    s_set_str (ingest, "parser", story->ingest.parser);
    s_set_str (ingest, "provider", story->ingest.provider);
    s_set_str (ingest, "channel", story->ingest.channel);
    s_set_str (ingest, "received", story->ingest.received);
    s_set_str (ingest, "origin", story->ingest.origin);
    s_set_str (ingest, "sha256", story->ingest.sha256);
    s_set_str (ingest, "charset", story->ingest.charset);
    if (story->ingest.index >= 0)
        json_object_set_new (ingest, "index", json_integer (story->ingest.index));
    if (story->ingest.rawdates.len)
        json_object_set_new (ingest, "rawdates", s_pairs_object (&story->ingest.rawdates));
    s_put_strv (ingest, "warnings", &story->ingest.warnings);
    if (json_object_size (ingest))
        json_object_set_new (root, "ingest", ingest);
    else
        json_decref (ingest);
}

//  --------------------------------------------------------------------------
//  The story as a ninjs object: 2.2 properties, and the copydesk
//  extensions with NINJS_FULL. Caller owns the JSON.

json_t *
ninjs_from_story (const story_t *story, int flags)
{
    assert (story);
    static const char *types [] = {
        "text", "audio", "video", "picture", "graphic", "composite", "component", NULL
    };
    static const char *statuses [] = { "usable", "withheld", "canceled", NULL };
    json_t *root = json_object ();

    s_set_uri (root, "uri", story->uri ? story->uri : "", false);
    if (story->type && s_in (story->type, types))
        s_set_str (root, "type", story->type);
    s_set_str (root, "version", story->version);
    s_set_date (root, "versioncreated", story->versioncreated);
    s_set_date (root, "firstcreated", story->firstcreated);
    s_set_date (root, "contentcreated", story->contentcreated);
    s_set_date (root, "embargoed", story->embargoed);
    s_set_date (root, "expires", story->expires);
    if (story->pubstatus && s_in (story->pubstatus, statuses))
        s_set_str (root, "pubstatus", story->pubstatus);
    if (story->urgency >= 1 && story->urgency <= 9)
        json_object_set_new (root, "urgency", json_integer (story->urgency));
    s_put_texts (root, "headlines", &story->headlines, false);
    s_put_texts (root, "descriptions", &story->descriptions, false);
    s_put_texts (root, "bodies", &story->bodies, true);
    s_set_str (root, "by", story->by);
    s_set_str (root, "located", story->located);
    s_set_str (root, "slugline", story->slugline);
    s_set_str (root, "language", story->language);

    //  Full mode keeps what 2.2 does not allow on a concept array's items
    //  (classify's creator and scores on places...) in "annotations"
    json_t *annotations = (flags & NINJS_FULL) ? json_object () : NULL;
    int basic = C_NAME | C_REL | C_URI | C_URI_FORMAT | C_LITERAL;
    s_put_concepts (root, "subjects", &story->subjects,
                    basic | C_CREATOR | C_RELEVANCE | C_CONFIDENCE, annotations);
    s_put_concepts (root, "genres", &story->genres, C_NAME | C_URI | C_LITERAL, annotations);
    s_put_concepts (root, "places", &story->places, basic, annotations);
    s_put_concepts (root, "people", &story->people, basic, annotations);
    s_put_concepts (root, "organisations", &story->organisations, basic, annotations);
    s_put_concepts (root, "events", &story->events, basic, annotations);
    s_put_concepts (root, "infosources", &story->infosources,
                    C_NAME | C_ROLE | C_URI | C_URI_FORMAT | C_LITERAL, annotations);

    s_set_str (root, "copyrightholder", story->copyrightholder);
    s_set_str (root, "copyrightnotice", story->copyrightnotice);
    s_set_str (root, "usageterms", story->usageterms);
    s_set_str (root, "ednote", story->ednote);

    if (story->altids.len) {
        json_t *array = json_array ();
        for (size_t i = 0; i < story->altids.len; i++) {
            json_t *altid = json_object ();
            s_set_str (altid, "role", story->altids.items [i].role);
            s_set_str (altid, "value", story->altids.items [i].value);
            json_array_append_new (array, altid);
        }
        json_object_set_new (root, "altids", array);
    }
    if (story->renditions.len) {
        json_t *array = json_array ();
        for (size_t i = 0; i < story->renditions.len; i++) {
            const story_rendition_t *r = &story->renditions.items [i];
            json_t *rendition = json_object ();
            s_set_str (rendition, "name", r->name ? r->name : "rendition");
            s_set_uri (rendition, "href", r->href, true);
            s_set_str (rendition, "contenttype", r->contenttype);
            s_set_str (rendition, "title", r->title);
            if (r->height >= 0)
                json_object_set_new (rendition, "height", json_integer (r->height));
            if (r->width >= 0)
                json_object_set_new (rendition, "width", json_integer (r->width));
            if (r->sizeinbytes >= 0)
                json_object_set_new (rendition, "sizeinbytes", json_integer (r->sizeinbytes));
            json_array_append_new (array, rendition);
        }
        json_object_set_new (root, "renditions", array);
    }
    if (flags & NINJS_FULL) {
        s_put_extensions (root, story);
        if (json_object_size (annotations))
            json_object_set (root, "annotations", annotations);
    }
    json_decref (annotations);

    json_t *standard = json_object ();
    json_object_set_new (standard, "name", json_string ("ninjs"));
    json_object_set_new (standard, "version", json_string ("2.2"));
    json_object_set_new (standard, "schema", json_string (NINJS_SCHEMA_URI));
    json_object_set_new (root, "standard", standard);
    return root;
}

//  --------------------------------------------------------------------------
//  The story as ninjs text. Caller frees it.

char *
ninjs_dumps (const story_t *story, int flags)
{
    json_t *root = ninjs_from_story (story, flags);
    size_t format = (flags & NINJS_PRETTY) ? JSON_INDENT (2) : JSON_COMPACT;
    char *text = json_dumps (root, format | JSON_PRESERVE_ORDER);
    json_decref (root);
    assert (text);
    //  jansson allocates with malloc (the default allocator), so free() works
    return text;
}

//  --------------------------------------------------------------------------
//  JSON -> story

typedef struct {
    char *err;                  //  Where to write the reason
    size_t errsize;
} reader_t;

static int
s_bad (reader_t *r, const char *what, const char *key)
{
    if (r->err && r->errsize)
        snprintf (r->err, r->errsize, "ninjs: %s%s%s", what, key ? ": " : "", key ? key : "");
    return -1;
}

//  A string value into *out (replacing it). null leaves *out alone.
static int
s_get_str (reader_t *r, json_t *value, char **out, const char *key)
{
    if (json_is_null (value))
        return 0;
    if (!json_is_string (value))
        return s_bad (r, "expected a string", key);
    const char *s = json_string_value (value);
    size_t len = json_string_length (value);
    if (strlen (s) != len)
        return s_bad (r, "string holds a NUL character", key);
    str_setn (out, s, len);
    return 0;
}

//  An integer (or a real with an integral value) in [min, max]
static int
s_get_int (reader_t *r, json_t *value, int64_t min, int64_t max, int64_t *out, const char *key)
{
    double number;
    if (json_is_integer (value)) {
        json_int_t n = json_integer_value (value);
        if (n < min || n > max)
            return s_bad (r, "number out of range", key);
        *out = n;
        return 0;
    }
    if (!json_is_real (value))
        return s_bad (r, "expected a number", key);
    number = json_real_value (value);
    if (number != floor (number) || number < (double) min || number > (double) max)
        return s_bad (r, "number out of range", key);
    *out = (int64_t) number;
    return 0;
}

static int
s_get_count (reader_t *r, json_t *value, int min, int max, int *out, const char *key)
{
    if (json_is_null (value))
        return 0;
    int64_t n;
    if (s_get_int (r, value, min, max, &n, key))
        return -1;
    *out = (int) n;
    return 0;
}

static int
s_get_texts (reader_t *r, json_t *value, story_textv_t *list, const char *key)
{
    if (!json_is_array (value))
        return s_bad (r, "expected an array", key);
    size_t index;
    json_t *item;
    json_array_foreach (value, index, item) {
        if (!json_is_object (item))
            return s_bad (r, "expected an object in", key);
        story_text_t *t = vec_push (list);
        t->charcount = t->wordcount = -1;
        const char *name;
        json_t *field;
        json_object_foreach (item, name, field) {
            int rc = 0;
            if (streq (name, "role"))
                rc = s_get_str (r, field, &t->role, key);
            else
            if (streq (name, "contenttype"))
                rc = s_get_str (r, field, &t->contenttype, key);
            else
            if (streq (name, "value"))
                rc = s_get_str (r, field, &t->value, key);
            else
            if (streq (name, "charcount"))
                rc = s_get_count (r, field, 0, INT_MAX, &t->charcount, key);
            else
            if (streq (name, "wordcount"))
                rc = s_get_count (r, field, 0, INT_MAX, &t->wordcount, key);
            if (rc)
                return -1;
        }
        if (!t->value)
            return s_bad (r, "text object without value in", key);
    }
    return 0;
}

static int
s_get_concepts (reader_t *r, json_t *value, story_conceptv_t *list, const char *key)
{
    if (!json_is_array (value))
        return s_bad (r, "expected an array", key);
    size_t index;
    json_t *item;
    json_array_foreach (value, index, item) {
        if (!json_is_object (item))
            return s_bad (r, "expected an object in", key);
        story_concept_t *c = story_add_concept (list, NULL);
        const char *name;
        json_t *field;
        json_object_foreach (item, name, field) {
            int rc = 0;
            if (streq (name, "name"))
                rc = s_get_str (r, field, &c->name, key);
            else
            if (streq (name, "rel"))
                rc = s_get_str (r, field, &c->rel, key);
            else
            if (streq (name, "role"))
                rc = s_get_str (r, field, &c->role, key);
            else
            if (streq (name, "uri"))
                rc = s_get_str (r, field, &c->uri, key);
            else
            if (streq (name, "literal"))
                rc = s_get_str (r, field, &c->literal, key);
            else
            if (streq (name, "creator"))
                rc = s_get_str (r, field, &c->creator, key);
            else
            if (streq (name, "relevance"))
                rc = s_get_count (r, field, 0, 100, &c->relevance, key);
            else
            if (streq (name, "confidence"))
                rc = s_get_count (r, field, 0, 100, &c->confidence, key);
            if (rc)
                return -1;
        }
    }
    return 0;
}

static int
s_get_strv (reader_t *r, json_t *value, strv_t *list, const char *key)
{
    if (!json_is_array (value))
        return s_bad (r, "expected an array", key);
    size_t index;
    json_t *item;
    json_array_foreach (value, index, item) {
        char *s = NULL;
        if (!json_is_string (item))
            return s_bad (r, "expected strings in", key);
        if (s_get_str (r, item, &s, key))
            return -1;
        char **slot = vec_push (list);
        *slot = s;
    }
    return 0;
}

static int
s_get_pairs (reader_t *r, json_t *value, story_pairv_t *list, const char *key)
{
    if (!json_is_object (value))
        return s_bad (r, "expected an object", key);
    const char *name;
    json_t *field;
    json_object_foreach (value, name, field) {
        char *s = NULL;
        if (!json_is_string (field))
            return s_bad (r, "expected string values in", key);
        if (s_get_str (r, field, &s, key))
            return -1;
        story_pair_t *pair = vec_push (list);
        pair->key = xstrdup (name);
        pair->value = s;
    }
    return 0;
}

//  A property of object, or JSON null when absent
static json_t *
s_field (json_t *object, const char *key)
{
    json_t *value = json_object_get (object, key);
    return value ? value : json_null ();
}

static int
s_get_altids (reader_t *r, json_t *value, story_t *story)
{
    if (!json_is_array (value))
        return s_bad (r, "expected an array", "altids");
    size_t index;
    json_t *item;
    json_array_foreach (value, index, item) {
        if (!json_is_object (item))
            return s_bad (r, "expected an object in", "altids");
        story_altid_t *a = vec_push (&story->altids);
        if (s_get_str (r, s_field (item, "role"), &a->role, "altids")
        ||  s_get_str (r, s_field (item, "value"), &a->value, "altids"))
            return -1;
        if (!a->value)
            return s_bad (r, "altid without value", NULL);
    }
    return 0;
}

static int
s_get_renditions (reader_t *r, json_t *value, story_t *story)
{
    if (!json_is_array (value))
        return s_bad (r, "expected an array", "renditions");
    size_t index;
    json_t *item;
    json_array_foreach (value, index, item) {
        if (!json_is_object (item))
            return s_bad (r, "expected an object in", "renditions");
        story_rendition_t *rd = vec_push (&story->renditions);
        rd->width = rd->height = -1;
        rd->sizeinbytes = -1;
        const char *name;
        json_t *field;
        json_object_foreach (item, name, field) {
            int rc = 0;
            if (streq (name, "name"))
                rc = s_get_str (r, field, &rd->name, "renditions");
            else
            if (streq (name, "href"))
                rc = s_get_str (r, field, &rd->href, "renditions");
            else
            if (streq (name, "contenttype"))
                rc = s_get_str (r, field, &rd->contenttype, "renditions");
            else
            if (streq (name, "title"))
                rc = s_get_str (r, field, &rd->title, "renditions");
            else
            if (streq (name, "width"))
                rc = s_get_count (r, field, 0, INT_MAX, &rd->width, "renditions");
            else
            if (streq (name, "height"))
                rc = s_get_count (r, field, 0, INT_MAX, &rd->height, "renditions");
            else
            if (streq (name, "sizeinbytes") && !json_is_null (field)) {
                int64_t size;
                rc = s_get_int (r, field, 0, INT64_MAX, &size, "renditions");
                if (rc == 0)
                    rd->sizeinbytes = size;
            }
            if (rc)
                return -1;
        }
        if (!rd->name)
            rd->name = xstrdup ("rendition");
    }
    return 0;
}

static int
s_get_links (reader_t *r, json_t *value, story_t *story)
{
    if (!json_is_array (value))
        return s_bad (r, "expected an array", "links");
    size_t index;
    json_t *item;
    json_array_foreach (value, index, item) {
        if (!json_is_object (item))
            return s_bad (r, "expected an object in", "links");
        story_link_t *l = vec_push (&story->links);
        if (s_get_str (r, s_field (item, "rel"), &l->rel, "links")
        ||  s_get_str (r, s_field (item, "uri"), &l->uri, "links")
        ||  s_get_str (r, s_field (item, "version"), &l->version, "links"))
            return -1;
        if (!l->rel || !l->uri)
            return s_bad (r, "link without rel or uri", NULL);
    }
    return 0;
}

static int
s_get_dateline (reader_t *r, json_t *value, story_t *story)
{
    if (!json_is_object (value))
        return s_bad (r, "expected an object", "dateline");
    const char *name;
    json_t *field;
    json_object_foreach (value, name, field) {
        int rc = 0;
        if (streq (name, "text"))
            rc = s_get_str (r, field, &story->dateline.text, "dateline");
        else
        if (streq (name, "place"))
            rc = s_get_str (r, field, &story->dateline.place, "dateline");
        else
        if (streq (name, "date"))
            rc = s_get_str (r, field, &story->dateline.date, "dateline");
        else
        if (streq (name, "source"))
            rc = s_get_str (r, field, &story->dateline.source, "dateline");
        if (rc)
            return -1;
    }
    return 0;
}

static int
s_get_ingest (reader_t *r, json_t *value, story_t *story)
{
    if (!json_is_object (value))
        return s_bad (r, "expected an object", "ingest");
    const char *name;
    json_t *field;
    json_object_foreach (value, name, field) {
        int rc = 0;
#define STR(f) if (streq (name, #f)) rc = s_get_str (r, field, &story->ingest.f, "ingest." #f); else
        STR (format) STR (parser) STR (provider) STR (channel) STR (received)
        STR (origin) STR (sha256) STR (charset)
#undef STR
        if (streq (name, "index"))
            rc = s_get_count (r, field, 0, INT_MAX, &story->ingest.index, "ingest.index");
        else
        if (streq (name, "rawdates"))
            rc = s_get_pairs (r, field, &story->ingest.rawdates, "ingest.rawdates");
        else
        if (streq (name, "warnings"))
            rc = s_get_strv (r, field, &story->ingest.warnings, "ingest.warnings");
        if (rc)
            return -1;
    }
    return 0;
}

//  Concept properties kept in "annotations" (full mode), by array and index
static int
s_get_annotations (reader_t *r, json_t *value, story_t *story)
{
    if (!json_is_object (value))
        return s_bad (r, "expected an object", "annotations");
    struct {
        const char *name;
        story_conceptv_t *list;
    } lists [] = {
        { "subjects", &story->subjects }, { "genres", &story->genres },
        { "places", &story->places }, { "people", &story->people },
        { "organisations", &story->organisations }, { "events", &story->events },
        { "infosources", &story->infosources }
    };
    for (size_t l = 0; l < sizeof lists / sizeof lists [0]; l++) {
        json_t *array = json_object_get (value, lists [l].name);
        if (!array)
            continue;
        if (!json_is_array (array))
            return s_bad (r, "expected an array in", "annotations");
        size_t index;
        json_t *extra;
        json_array_foreach (array, index, extra) {
            if (!json_is_object (extra))
                return s_bad (r, "expected an object in", "annotations");
            if (index >= lists [l].list->len)
                break;              //  Nothing to annotate
            story_concept_t *c = &lists [l].list->items [index];
            const char *key;
            json_t *field;
            json_object_foreach (extra, key, field) {
                int rc = 0;
                if (streq (key, "rel"))
                    rc = s_get_str (r, field, &c->rel, "annotations");
                else
                if (streq (key, "role"))
                    rc = s_get_str (r, field, &c->role, "annotations");
                else
                if (streq (key, "uri"))
                    rc = s_get_str (r, field, &c->uri, "annotations");
                else
                if (streq (key, "creator"))
                    rc = s_get_str (r, field, &c->creator, "annotations");
                else
                if (streq (key, "relevance"))
                    rc = s_get_count (r, field, 0, 100, &c->relevance, "annotations");
                else
                if (streq (key, "confidence"))
                    rc = s_get_count (r, field, 0, 100, &c->confidence, "annotations");
                if (rc)
                    return -1;
            }
        }
    }
    return 0;
}

//  The scalar string properties
#define SCALARS(X) \
    X (uri) X (type) X (version) X (versioncreated) X (firstcreated) \
    X (contentcreated) X (embargoed) X (expires) X (pubstatus) X (by) \
    X (located) X (slugline) X (language) X (copyrightholder) \
    X (copyrightnotice) X (usageterms) X (ednote)

#define CONCEPTS(X) \
    X (subjects) X (genres) X (places) X (people) X (organisations) \
    X (events) X (infosources)

static int
s_read (reader_t *r, json_t *json, story_t *story)
{
    const char *key;
    json_t *value;
    json_object_foreach (json, key, value) {
        int rc = 0;
        if (json_is_null (value))
            continue;
#define X(f) if (streq (key, #f)) rc = s_get_str (r, value, &story->f, #f); else
        SCALARS (X)
#undef X
#define X(f) if (streq (key, #f)) rc = s_get_concepts (r, value, &story->f, #f); else
        CONCEPTS (X)
#undef X
        if (streq (key, "urgency"))
            rc = s_get_count (r, value, 1, 9, &story->urgency, "urgency");
        else
        if (streq (key, "priority"))
            rc = s_get_count (r, value, 1, 9, &story->priority, "priority");
        else
        if (streq (key, "headlines"))
            rc = s_get_texts (r, value, &story->headlines, "headlines");
        else
        if (streq (key, "descriptions"))
            rc = s_get_texts (r, value, &story->descriptions, "descriptions");
        else
        if (streq (key, "bodies"))
            rc = s_get_texts (r, value, &story->bodies, "bodies");
        else
        if (streq (key, "altids"))
            rc = s_get_altids (r, value, story);
        else
        if (streq (key, "renditions"))
            rc = s_get_renditions (r, value, story);
        else
        if (streq (key, "keywords"))
            rc = s_get_strv (r, value, &story->keywords, "keywords");
        else
        if (streq (key, "signals"))
            rc = s_get_strv (r, value, &story->signals, "signals");
        else
        if (streq (key, "links"))
            rc = s_get_links (r, value, story);
        else
        if (streq (key, "dateline"))
            rc = s_get_dateline (r, value, story);
        else
        if (streq (key, "extra"))
            rc = s_get_pairs (r, value, &story->extra, "extra");
        else
        if (streq (key, "ingest"))
            rc = s_get_ingest (r, value, story);
        //  standard and unknown properties are skipped
        if (rc)
            return -1;
    }
    //  After the concept arrays, whatever the order of the properties
    json_t *annotations = json_object_get (json, "annotations");
    if (annotations && !json_is_null (annotations) && s_get_annotations (r, annotations, story))
        return -1;
    if (str_empty (story->uri))
        return s_bad (r, "object has no uri", NULL);
    return 0;
}

//  --------------------------------------------------------------------------
//  A ninjs object (our output) as a story. Caller owns it.

story_t *
ninjs_to_story (json_t *json, char *err, size_t errsize)
{
    reader_t reader = { err, errsize };
    if (!json_is_object (json)) {
        s_bad (&reader, "not a JSON object", NULL);
        return NULL;
    }
    story_t *story = story_new ();
    if (s_read (&reader, json, story))
        story_destroy (&story);
    return story;
}
