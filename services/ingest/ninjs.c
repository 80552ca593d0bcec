//  SPDX-License-Identifier: MIT
//  ninjs - IPTC ninjs JSON items (format "ninjs"), every dialect in traffic
//
//  A document is one item, an array of items, or an envelope: BBC's
//  {item, total, offset, limit}, AP Media's {data: {item} | {items:
//  [{item}]}}, {items: [...]} or Superdesk's {_items: [...]}. Each item is
//  read whatever its dialect, by trying every spelling of a property:
//
//    ninjs 1.x / Superdesk   headline, body_text/body_html/body_xhtml (and
//                            other body_* keys), description_text/_html,
//                            byline, subject/place/person/organisation/
//                            genre [{name, code, scheme, rel}], guid,
//                            renditions and associations as maps, authors,
//                            service, source, priority, extra
//    ninjs 2.x               headlines/descriptions/bodies [{role,
//                            contenttype, value}], by, subjects/places/...
//                            [{name, rel, uri, literal, creator, relevance,
//                            confidence}], altids, renditions and
//                            associations as arrays, infosources
//    ninjs 3.x               camelCase (versionCreated, pubStatus,
//                            embargoedUntil, altIds, contentType, edNote...),
//                            title as a headline fallback
//
//  Identity: uri, else guid (a bare UUID becomes urn:uuid:...), else id;
//  the others go to altids. Dates go raw into their fields and
//  ingest.rawdates. HTML bodies stay text/html (normalize derives the
//  plain text and sanitises); an NITF body (text/vnd.IPTC.NITF) passes its
//  body.content on as HTML. Associations are kept as references only
//  (links "association:<name>" to their uri), never parsed as items, so
//  nesting depth does not matter. Items of type picture, graphic, video
//  or audio are reported as skipped, not stories; a composite that
//  carries text is a story. JSON that is not well-formed fails the whole
//  document with its line and column; duplicate keys are accepted (the
//  last wins); bytes that are not UTF-8 are decoded first, with a warning.
//  A stream of JSON values (JSON Lines, as `copydesk parse` prints) is a
//  document of several items.

#include "common.h"
#include "ingest/parsers.h"
#include "ingest/teletype.h"
#include <jansson.h>

//  ---------------------------------------------------------------------
//  The first present member among spellings, NULL-terminated list
static json_t *
s_get (json_t *obj, const char *const *keys)
{
    for (int i = 0; keys [i]; i++) {
        json_t *value = json_object_get (obj, keys [i]);
        if (value && !json_is_null (value))
            return value;
    }
    return NULL;
}

#define GET(obj, ...) s_get ((obj), (const char *const []) { __VA_ARGS__, NULL })

//  A copy of a JSON string or number as text, without control characters
//  other than \n and \t. NULL if absent, empty or another type. Caller frees.
static char *
s_text (json_t *value)
{
    char *text = NULL;
    if (json_is_string (value))
        text = xstrndup (json_string_value (value), json_string_length (value));
    else
    if (json_is_integer (value))
        text = xasprintf ("%" JSON_INTEGER_FORMAT, json_integer_value (value));
    else
    if (json_is_real (value))
        text = xasprintf ("%g", json_real_value (value));
    if (!text)
        return NULL;
    char *w = text;
    for (char *r = text; *r; r++) {
        unsigned char c = (unsigned char) *r;
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
            continue;
        *w++ = *r;
    }
    *w = 0;
    text = tty_fix_c1 (text);
    //  Empty or whitespace only: absent
    const char *p = text;
    while (*p && isspace ((unsigned char) *p))
        p++;
    if (!*p) {
        free (text);
        return NULL;
    }
    return text;
}

//  Set a string field from the first present spelling
static void
s_set (char **field, json_t *value)
{
    char *text = s_text (value);
    if (text) {
        free (*field);
        *field = text;
    }
}

//  An integer from a number or a numeric string; false if neither
static bool
s_int (json_t *value, int64_t *out)
{
    if (json_is_integer (value)) {
        *out = json_integer_value (value);
        return true;
    }
    if (json_is_real (value)) {
        *out = (int64_t) json_real_value (value);
        return true;
    }
    if (json_is_string (value)) {
        const char *s = json_string_value (value);
        char *end;
        errno = 0;
        long long n = strtoll (s, &end, 10);
        if (end != s && *end == 0 && errno == 0) {
            *out = n;
            return true;
        }
    }
    return false;
}

//  ---------------------------------------------------------------------
//  A date field: raw into the field and into ingest.rawdates
static void
s_date (story_t *story, char **field, const char *name, json_t *value)
{
    char *text = s_text (value);
    if (!text)
        return;
    free (*field);
    *field = text;
    story_set_rawdate (story, name, text);
}

//  ---------------------------------------------------------------------
//  Text objects: [{role, contenttype|contentType, value}], or a string
static const char *
s_content_type (json_t *obj)
{
    json_t *ct = GET (obj, "contenttype", "contentType", "mimetype");
    return json_is_string (ct) ? json_string_value (ct) : NULL;
}

//  The inside of <body.content> of an NITF document, or NULL
static char *
s_nitf_body (const char *nitf)
{
    const char *start = strstr (nitf, "<body.content");
    if (!start)
        return NULL;
    start = strchr (start, '>');
    if (!start)
        return NULL;
    start++;
    const char *end = strstr (start, "</body.content>");
    if (!end)
        return NULL;
    return xstrndup (start, (size_t) (end - start));
}

//  Add a body; contenttype decides plain or HTML
static void
s_add_body (story_t *story, const char *role, const char *contenttype, const char *value)
{
    if (contenttype && (strcasestr (contenttype, "nitf") || strcasestr (contenttype, "xml"))
    &&  strstr (value, "<nitf")) {
        char *inner = s_nitf_body (value);
        if (inner) {
            story_add_text (&story->bodies, "main", "text/html", inner);
            free (inner);
            return;
        }
    }
    bool html = contenttype && (strcasestr (contenttype, "html") || strcasestr (contenttype, "xml"));
    if (!contenttype && value [0] == '<')
        html = true;
    const char *canonical = "main";
    if (role && strcmp (role, "preformatted") == 0 && !html)
        canonical = "preformatted";
    story_add_text (&story->bodies, canonical, html ? "text/html" : "text/plain", value);
}

//  Add each text object of an array (or a bare string) to a list; bodies
//  go through s_add_body
static void
s_texts (story_t *story, story_textv_t *list, json_t *array, const char *default_role, bool bodies)
{
    if (json_is_string (array)) {
        char *value = s_text (array);
        if (value) {
            if (bodies)
                s_add_body (story, default_role, NULL, value);
            else
                story_add_text (list, default_role, "text/plain", value);
        }
        free (value);
        return;
    }
    if (!json_is_array (array))
        return;
    size_t i;
    json_t *obj;
    json_array_foreach (array, i, obj) {
        char *value = json_is_object (obj) ? s_text (GET (obj, "value")) : s_text (obj);
        if (!value)
            continue;
        char *role = json_is_object (obj) ? s_text (GET (obj, "role")) : NULL;
        const char *ct = json_is_object (obj) ? s_content_type (obj) : NULL;
        if (bodies)
            s_add_body (story, role, ct, value);
        else {
            bool html = ct && strcasestr (ct, "html");
            story_add_text (list, role ? role : default_role, html ? "text/html" : "text/plain", value);
        }
        free (role);
        free (value);
    }
}

//  ---------------------------------------------------------------------
//  Concepts: 2.x {name, rel, uri, literal, creator, relevance,
//  confidence} and 1.x {name, code, scheme, rel}
static void
s_concepts (story_conceptv_t *list, json_t *array, bool subjects)
{
    if (json_is_object (array)) {
        //  A map of concepts (seen in the wild): treat values as concepts
        json_t *wrapped = json_array ();
        const char *key;
        json_t *value;
        json_object_foreach (array, key, value)
            json_array_append (wrapped, value);
        s_concepts (list, wrapped, subjects);
        json_decref (wrapped);
        return;
    }
    if (!json_is_array (array))
        return;
    size_t i;
    json_t *obj;
    json_array_foreach (array, i, obj) {
        if (json_is_string (obj)) {
            char *name = s_text (obj);
            if (name)
                story_add_concept (list, name);
            free (name);
            continue;
        }
        if (!json_is_object (obj))
            continue;
        char *name = s_text (GET (obj, "name", "label", "title"));
        char *uri = s_text (GET (obj, "uri"));
        char *literal = s_text (GET (obj, "literal", "qcode"));
        char *code = s_text (GET (obj, "code"));
        char *scheme = s_text (GET (obj, "scheme"));
        if (!literal && code) {
            if (scheme && (str_starts (scheme, "http://") || str_starts (scheme, "https://"))) {
                if (!uri)
                    uri = xasprintf ("%s%s", scheme, code);
            }
            else
            if (scheme)
                literal = xasprintf ("%s:%s", scheme, code);
            else
            if (subjects && strlen (code) == 8 && strspn (code, "0123456789") == 8)
                literal = xasprintf ("subj:%s", code);
            else
                literal = xstrdup (code);
        }
        if (!name && !uri && !literal) {
            free (code);
            free (scheme);
            continue;
        }
        if (literal && story_find_concept (list, literal)) {
            free (name);
            free (uri);
            free (literal);
            free (code);
            free (scheme);
            continue;
        }
        story_concept_t *concept = story_add_concept (list, NULL);
        concept->name = name;
        concept->uri = uri;
        concept->literal = literal;
        s_set (&concept->rel, GET (obj, "rel"));
        s_set (&concept->role, GET (obj, "role"));
        s_set (&concept->creator, GET (obj, "creator"));
        int64_t n;
        if (s_int (GET (obj, "relevance"), &n) && n >= 0 && n <= 100)
            concept->relevance = (int) n;
        if (s_int (GET (obj, "confidence"), &n) && n >= 0 && n <= 100)
            concept->confidence = (int) n;
        free (code);
        free (scheme);
    }
}

//  ---------------------------------------------------------------------
//  Renditions: 2.x array of {name, href, contenttype, ...}, 1.x map
static void
s_rendition (story_t *story, const char *name, json_t *obj)
{
    char *href = s_text (GET (obj, "href", "url"));
    if (!href)
        return;
    story_rendition_t *r = story_add_rendition (story, name, href);
    free (href);
    s_set (&r->contenttype, GET (obj, "contenttype", "contentType", "mimetype"));
    s_set (&r->title, GET (obj, "title"));
    int64_t n;
    if (s_int (GET (obj, "width"), &n) && n >= 0 && n < INT_MAX)
        r->width = (int) n;
    if (s_int (GET (obj, "height"), &n) && n >= 0 && n < INT_MAX)
        r->height = (int) n;
    if (s_int (GET (obj, "sizeinbytes", "sizeInBytes"), &n) && n >= 0)
        r->sizeinbytes = n;
}

//  Renditions as an array (2.x) or a map name -> rendition (1.x)
static void
s_renditions (story_t *story, json_t *renditions)
{
    if (json_is_array (renditions)) {
        size_t i;
        json_t *obj;
        json_array_foreach (renditions, i, obj)
            if (json_is_object (obj)) {
                char *name = s_text (GET (obj, "name"));
                s_rendition (story, name, obj);
                free (name);
            }
    }
    else
    if (json_is_object (renditions)) {
        const char *key;
        json_t *obj;
        json_object_foreach (renditions, key, obj)
            if (json_is_object (obj))
                s_rendition (story, key, obj);
    }
}

//  ---------------------------------------------------------------------
//  Associations, as references only: a link per associated item
static void
s_association (story_t *story, const char *name, json_t *obj)
{
    if (!json_is_object (obj))
        return;
    char *uri = s_text (GET (obj, "uri", "guid", "id"));
    if (!uri) {
        //  No id: point at its original (or first) rendition
        json_t *renditions = GET (obj, "renditions");
        json_t *original = json_is_object (renditions) ? GET (renditions, "original") : NULL;
        if (!original && json_is_object (renditions)) {
            void *iter = json_object_iter (renditions);
            original = iter ? json_object_iter_value (iter) : NULL;
        }
        if (!original && json_is_array (renditions))
            original = json_array_get (renditions, 0);
        if (json_is_object (original))
            uri = s_text (GET (original, "href"));
    }
    if (!uri)
        return;
    char *version = s_text (GET (obj, "version"));
    char *rel = name ? xasprintf ("association:%s", name) : xstrdup ("association");
    story_add_link (story, rel, uri, version);
    free (rel);
    free (version);
    free (uri);
}

//  Associations as an array (2.x) or a map name -> item (1.x)
static void
s_associations (story_t *story, json_t *associations)
{
    if (json_is_array (associations)) {
        size_t i;
        json_t *obj;
        json_array_foreach (associations, i, obj) {
            char *name = json_is_object (obj) ? s_text (GET (obj, "name")) : NULL;
            s_association (story, name, obj);
            free (name);
        }
    }
    else
    if (json_is_object (associations)) {
        const char *key;
        json_t *obj;
        json_object_foreach (associations, key, obj)
            s_association (story, key, obj);
    }
}

//  ---------------------------------------------------------------------
//  The identity: uri, else guid, else id
static void
s_identity (story_t *story, json_t *item)
{
    char *uri = s_text (GET (item, "uri"));
    char *guid = s_text (GET (item, "guid"));
    char *id = s_text (GET (item, "id", "_id", "itemid"));
    if (!uri && guid) {
        //  A bare UUID is not a URI
        size_t len = strlen (guid);
        bool uuid = len == 36 && strspn (guid, "0123456789abcdefABCDEF-") == 36;
        uri = uuid ? xasprintf ("urn:uuid:%s", guid) : xstrdup (guid);
    }
    if (!uri && id && strchr (id, ':'))
        uri = xstrdup (id);
    if (uri)
        story->uri = uri;
    if (guid && (!story->uri || strcmp (story->uri, guid) != 0))
        story_add_altid (story, "guid", guid);
    if (id && (!story->uri || strcmp (story->uri, id) != 0))
        story_add_altid (story, "id", id);
    free (guid);
    free (id);
    json_t *altids = GET (item, "altids", "altIds");
    if (json_is_array (altids)) {
        size_t i;
        json_t *obj;
        json_array_foreach (altids, i, obj) {
            char *role = s_text (GET (obj, "role"));
            char *value = s_text (GET (obj, "value"));
            if (role && value)
                story_add_altid (story, role, value);
            free (role);
            free (value);
        }
    }
    else
    if (json_is_object (altids)) {
        const char *key;
        json_t *value;
        json_object_foreach (altids, key, value) {
            char *text = s_text (value);
            if (text)
                story_add_altid (story, key, text);
            free (text);
        }
    }
}

//  ---------------------------------------------------------------------
//  Bodies of every dialect
static void
s_bodies (story_t *story, json_t *item)
{
    json_t *bodies = GET (item, "bodies");
    if (bodies) {
        s_texts (story, &story->bodies, bodies, "main", true);
        return;
    }
    //  1.x: body_text, body_html, body_xhtml, other body_* keys
    json_t *text = GET (item, "body_text", "body");
    char *value = s_text (text);
    if (value)
        story_add_text (&story->bodies, "main", "text/plain", value);
    free (value);
    const char *key;
    json_t *member;
    json_object_foreach (item, key, member) {
        if (!str_starts (key, "body_") || strcmp (key, "body_text") == 0)
            continue;
        value = s_text (member);
        if (value) {
            const char *kind = key + 5;
            if (strstr (kind, "html") || strstr (kind, "xml"))
                s_add_body (story, "main", strstr (kind, "nitf") ? "text/vnd.IPTC.NITF" : "text/html", value);
            else
                story_add_text (&story->bodies, "main", "text/plain", value);
        }
        free (value);
    }
}

//  ---------------------------------------------------------------------
//  Map one item. Returns the story, or NULL when the item is not a story
//  (reported through ctx).
static story_t *
s_item (ingest_t *ctx, json_t *item)
{
    //  Type: media items are not stories; composites with text are
    char *type = s_text (GET (item, "type"));
    if (type && (strcmp (type, "picture") == 0 || strcmp (type, "graphic") == 0
              || strcmp (type, "video") == 0 || strcmp (type, "audio") == 0
              || strcmp (type, "image") == 0)) {
        ingest_skip (ctx, type);
        free (type);
        return NULL;
    }
    story_t *story = ingest_story_new (ctx);
    s_identity (story, item);
    if (type) {
        if (strcmp (type, "text") == 0 || strcmp (type, "composite") == 0)
            ;
        else {
            story_set_extra (story, "ninjs-type", type);
            if (strcmp (type, "advisory") == 0)
                story_add_signal (story, "advisory");
        }
        if (strcmp (type, "composite") == 0)
            story_set_extra (story, "ninjs-type", type);
        free (type);
    }
    str_set (&story->type, "text");

    s_set (&story->version, GET (item, "version"));
    s_date (story, &story->versioncreated, "versioncreated", GET (item, "versioncreated", "versionCreated"));
    s_date (story, &story->firstcreated, "firstcreated", GET (item, "firstcreated", "firstCreated"));
    s_date (story, &story->contentcreated, "contentcreated", GET (item, "contentcreated", "contentCreated"));
    s_date (story, &story->embargoed, "embargoed", GET (item, "embargoed", "embargoedUntil", "embargoedutil"));
    s_date (story, &story->expires, "expires", GET (item, "expires"));
    s_set (&story->pubstatus, GET (item, "pubstatus", "pubStatus"));
    int64_t n;
    if (s_int (GET (item, "urgency"), &n) && n >= 1 && n <= 9)
        story->urgency = (int) n;
    if (s_int (GET (item, "priority"), &n) && n >= 1 && n <= 6)
        story->priority = (int) n;

    //  Headlines: 2.x/3.x arrays, 1.x headline, 3.x title
    json_t *headlines = GET (item, "headlines");
    if (headlines)
        s_texts (story, &story->headlines, headlines, "main", false);
    if (story->headlines.len == 0)
        s_texts (story, &story->headlines, GET (item, "headline", "title"), "main", false);
    json_t *descriptions = GET (item, "descriptions");
    if (descriptions)
        s_texts (story, &story->descriptions, descriptions, "summary", false);
    else {
        char *text = s_text (GET (item, "description_text", "description"));
        if (text)
            story_add_text (&story->descriptions, "summary", "text/plain", text);
        free (text);
        text = s_text (GET (item, "description_html"));
        if (text)
            story_add_text (&story->descriptions, "summary", "text/html", text);
        free (text);
    }
    s_bodies (story, item);
    if (story->bodies.len == 0 && story->descriptions.len > 0) {
        //  Short items (NTB) carry their only text as a description
        const story_text_t *d = &story->descriptions.items [0];
        s_add_body (story, "main", d->contenttype, d->value);
        story_add_warning (story, "body-from-description");
    }

    s_set (&story->by, GET (item, "by", "byline"));
    if (!story->by) {
        json_t *authors = GET (item, "authors");
        if (json_is_array (authors)) {
            buf_t by;
            buf_init (&by);
            size_t i;
            json_t *author;
            json_array_foreach (authors, i, author) {
                char *name = s_text (json_is_object (author) ? GET (author, "name") : author);
                if (name) {
                    if (by.size)
                        buf_puts (&by, ", ");
                    buf_puts (&by, name);
                }
                free (name);
            }
            if (by.size)
                story->by = buf_detach (&by);
            buf_free (&by);
        }
    }
    json_t *located = GET (item, "located");
    if (json_is_object (located))
        located = GET (located, "name", "city");
    s_set (&story->located, located);
    s_set (&story->slugline, GET (item, "slugline"));
    s_set (&story->language, GET (item, "language", "lang"));
    s_set (&story->copyrightholder, GET (item, "copyrightholder", "copyrightHolder"));
    s_set (&story->copyrightnotice, GET (item, "copyrightnotice", "copyrightNotice"));
    s_set (&story->usageterms, GET (item, "usageterms", "usageTerms"));
    s_set (&story->ednote, GET (item, "ednote", "edNote"));

    s_concepts (&story->subjects, GET (item, "subjects", "subject"), true);
    s_concepts (&story->genres, GET (item, "genres", "genre"), false);
    s_concepts (&story->places, GET (item, "places", "place"), false);
    s_concepts (&story->people, GET (item, "people", "person"), false);
    s_concepts (&story->organisations, GET (item, "organisations", "organisation", "organizations"), false);
    s_concepts (&story->events, GET (item, "events", "event"), false);
    s_concepts (&story->infosources, GET (item, "infosources", "infoSources"), false);
    char *source = s_text (GET (item, "source"));
    if (source) {
        story_concept_t *c = story_add_concept (&story->infosources, source);
        str_set (&c->role, "source");
    }
    free (source);

    json_t *keywords = GET (item, "keywords");
    if (json_is_array (keywords)) {
        size_t i;
        json_t *kw;
        json_array_foreach (keywords, i, kw) {
            char *text = s_text (kw);
            if (text)
                story_add_keyword (story, text);
            free (text);
        }
    }
    s_renditions (story, GET (item, "renditions"));
    s_associations (story, GET (item, "associations"));

    //  Provider metadata we do not model
    json_t *service = GET (item, "service");
    if (json_is_array (service)) {
        buf_t codes;
        buf_init (&codes);
        size_t i;
        json_t *obj;
        json_array_foreach (service, i, obj) {
            char *code = s_text (json_is_object (obj) ? GET (obj, "code", "name") : obj);
            if (code) {
                if (codes.size)
                    buf_putc (&codes, ' ');
                buf_puts (&codes, code);
            }
            free (code);
        }
        if (codes.size)
            story_set_extra (story, "service", codes.data);
        buf_free (&codes);
    }
    const char *simple [] = { "profile", "representationtype", "representationType",
                              "firstpublished", "readtime", "evolvedfrom" };
    for (size_t i = 0; i < sizeof simple / sizeof simple [0]; i++) {
        char *text = s_text (json_object_get (item, simple [i]));
        if (text)
            story_set_extra (story, simple [i], text);
        free (text);
    }
    json_t *standard = GET (item, "standard", "$standard");
    if (json_is_object (standard)) {
        char *name = s_text (GET (standard, "name"));
        char *version = s_text (GET (standard, "version"));
        char *label = version ? xasprintf ("%s %s", name ? name : "ninjs", version)
                              : xstrdup (name ? name : "ninjs");
        story_set_extra (story, "ninjs-standard", label);
        free (label);
        free (name);
        free (version);
    }
    json_t *rights = GET (item, "rightsinfo", "rightsInfo");
    if (json_is_object (rights)) {
        char *linked = s_text (GET (rights, "linkedrights", "linkedRights"));
        if (linked)
            story_set_extra (story, "rights-linked", linked);
        free (linked);
    }
    json_t *extra = GET (item, "extra");
    if (json_is_object (extra)) {
        const char *key;
        json_t *value;
        json_object_foreach (extra, key, value) {
            char *text = s_text (value);
            if (text) {
                char *name = xasprintf ("extra-%s", key);
                story_set_extra (story, name, text);
                free (name);
            }
            free (text);
        }
    }
    return story;
}

//  ---------------------------------------------------------------------
//  Does an object look like a ninjs item?
static bool
s_is_item (json_t *obj)
{
    return json_is_object (obj)
        && GET (obj, "uri", "guid", "headline", "headlines", "bodies", "body_text",
                "body_html", "body_xhtml", "versioncreated", "versionCreated") != NULL;
}

//  ---------------------------------------------------------------------
//  Parse one item and hand it on; index is its position in an envelope
//  or array (-1 for a document that is one item)
static void
s_emit_item (ingest_t *ctx, json_t *item, int index)
{
    //  The item's canonical JSON: its identity for sha256 and dead letters
    char *canonical = index >= 0
                    ? json_dumps (item, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    if (!s_is_item (item)) {
        const char *what = json_is_object (item) ? "an object with no uri, guid, headline or body"
                         : json_is_array (item) ? "an array" : "not an object";
        if (canonical)
            ingest_bad_item (ctx, canonical, strlen (canonical), "ninjs: item %d is %s", index, what);
        else
            ingest_bad_item (ctx, NULL, 0, "ninjs: the item is %s", what);
        free (canonical);
        return;
    }
    story_t *story = s_item (ctx, item);
    if (story) {
        if (story->headlines.len == 0 && story->bodies.len == 0 && story->descriptions.len == 0)
            story_add_warning (story, "empty-text");
        if (canonical)
            ingest_set_item (ctx, canonical, strlen (canonical));
        ingest_emit (ctx, &story);
    }
    free (canonical);
}

//  Emit every element of an array of items (elements may wrap the item
//  as {item: {...}}, as AP Media's feed does)
static void
s_emit_array (ingest_t *ctx, json_t *array)
{
    size_t i;
    json_t *element;
    json_array_foreach (array, i, element) {
        json_t *inner = json_is_object (element) ? json_object_get (element, "item") : NULL;
        s_emit_item (ctx, json_is_object (inner) ? inner : element, (int) i);
    }
}

//  ---------------------------------------------------------------------
//  A stream of JSON values (JSON Lines): each value is an item. The whole
//  stream is checked first, so a syntax error anywhere fails the document
//  before any story is emitted, with the line of the error.
static int
s_parse_stream (ingest_t *ctx, const char *text, size_t size)
{
    json_t *values = json_array ();
    size_t offset = 0;
    int line = 1;
    while (offset < size) {
        //  Skip whitespace between values, counting lines
        while (offset < size && isspace ((unsigned char) text [offset])) {
            if (text [offset] == '\n')
                line++;
            offset++;
        }
        if (offset >= size)
            break;
        json_error_t error;
        json_t *value = json_loadb (text + offset, size - offset,
                                    JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DISABLE_EOF_CHECK, &error);
        if (!value) {
            ingest_fail (ctx, "JSON not well-formed at line %d, column %d: %s",
                         line + error.line - 1, error.column, error.text);
            json_decref (values);
            return -1;
        }
        json_array_append_new (values, value);
        for (size_t k = 0; k < (size_t) error.position && offset + k < size; k++)
            if (text [offset + k] == '\n')
                line++;
        if (error.position == 0)
            break;
        offset += (size_t) error.position;
    }
    s_emit_array (ctx, values);
    json_decref (values);
    return 0;
}

//  ---------------------------------------------------------------------
//  Parse a ninjs document.
int
ninjs_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    //  BOMs, UTF-16/32 and bytes that are not UTF-8: decode first
    const char *json_text;
    size_t json_size;
    char *decoded = ingest_utf8_text (ctx, data, size, &json_text, &json_size);
    json_error_t error;
    json_t *root = json_loadb (json_text, json_size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (!root && error.position > 0 && strstr (error.text, "end of file expected")) {
        //  Several JSON values one after the other: JSON Lines (what
        //  `copydesk parse` writes) or concatenated items
        int rc = s_parse_stream (ctx, json_text, json_size);
        free (decoded);
        return rc;
    }
    free (decoded);
    if (!root) {
        ingest_fail (ctx, "JSON not well-formed at line %d, column %d: %s",
                     error.line, error.column, error.text);
        return -1;
    }
    int rc = 0;
    if (json_is_array (root))
        s_emit_array (ctx, root);
    else
    if (json_is_object (root)) {
        json_t *item = json_object_get (root, "item");
        json_t *items = GET (root, "items", "_items");
        json_t *data_member = json_object_get (root, "data");
        if (item && !s_is_item (root) && (json_is_array (item) || json_is_object (item))) {
            //  BBC: {item, total, offset, limit}
            if (json_is_array (item))
                s_emit_array (ctx, item);
            else
                s_emit_item (ctx, item, 0);
        }
        else
        if (json_is_array (items) && !s_is_item (root))
            s_emit_array (ctx, items);
        else
        if (json_is_object (data_member) && !s_is_item (root)) {
            //  AP Media: {api_version, data: {item} | {items: [{item}]}}
            json_t *inner = json_object_get (data_member, "item");
            json_t *list = json_object_get (data_member, "items");
            if (json_is_object (inner))
                s_emit_item (ctx, inner, 0);
            else
            if (json_is_array (list))
                s_emit_array (ctx, list);
            else
                s_emit_item (ctx, data_member, -1);
        }
        else
        if (s_is_item (root))
            s_emit_item (ctx, root, -1);
        else {
            //  Name a few keys: it helps to see what the JSON is
            buf_t keys;
            buf_init (&keys);
            const char *key;
            json_t *value;
            int count = 0;
            json_object_foreach (root, key, value) {
                if (count++ == 6) {
                    buf_puts (&keys, ", ...");
                    break;
                }
                buf_printf (&keys, "%s%.40s", keys.size ? ", " : "", key);
            }
            ingest_fail (ctx, "not ninjs: a JSON object with no uri, guid, headline or body "
                              "(keys: %s)", keys.size ? keys.data : "none");
            buf_free (&keys);
            rc = -1;
        }
    }
    else {
        ingest_fail (ctx, "not ninjs: the JSON document is a %s, not an object or an array",
                     json_is_string (root) ? "string" : json_is_number (root) ? "number" : "literal");
        rc = -1;
    }
    json_decref (root);
    return rc;
}
