//  SPDX-License-Identifier: MIT
//  ninjs: strict output validates against the IPTC ninjs 2.2 schema, full
//  output against docs/ninjs-extensions.schema.json, and full output reads
//  back into the same story. The schemas are read from the shared folder
//  and the source tree and checked by a small JSON Schema evaluator below
//  (the keywords these two schemas use: $ref, allOf, oneOf, type, enum,
//  required, properties, additionalProperties, unevaluatedProperties,
//  items, minimum, maximum, format date-time and uri).

#include "common.h"
#include "ninjs.h"
#include <setjmp.h>
#include <cmocka.h>

#define IPTC_ID "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"

static json_t *s_iptc;          //  ninjs-schema_2.2.json
static json_t *s_ext;           //  docs/ninjs-extensions.schema.json

//  --------------------------------------------------------------------------
//  A small JSON Schema evaluator, enough for the two schemas

typedef struct {
    int errors;                 //  Violations found
    bool verbose;               //  Print each one
} check_t;

static void
s_fail (check_t *c, const char *path, const char *what)
{
    c->errors++;
    if (c->verbose)
        fprintf (stderr, "schema: %s: %s\n", path, what);
}

static json_t *
s_resolve (json_t *root, const char *ref, json_t **ref_root)
{
    const char *pointer = NULL;
    if (str_starts (ref, "#")) {
        *ref_root = root;
        pointer = ref + 1;
    }
    else
    if (str_starts (ref, IPTC_ID)) {
        *ref_root = s_iptc;
        pointer = strchr (ref, '#');
        pointer = pointer ? pointer + 1 : "";
    }
    else
        return NULL;
    json_t *node = *ref_root;
    char *copy = xstrdup (pointer);
    for (char *save = NULL, *part = strtok_r (copy, "/", &save); part && node;
         part = strtok_r (NULL, "/", &save))
        node = json_object_get (node, part);
    free (copy);
    return node;
}

static bool
s_format_ok (const char *format, const char *s)
{
    if (streq (format, "date-time")) {
        //  yyyy-mm-ddThh:mm:ss[.f](Z|+hh:mm)
        if (strlen (s) < 20)
            return false;
        for (int i = 0; i < 19; i++) {
            char expect = "0000-00-00T00:00:00" [i];
            if (expect == '0' ? !isdigit ((unsigned char) s [i]) : s [i] != expect)
                return false;
        }
        const char *p = s + 19;
        if (*p == '.')
            for (p++; isdigit ((unsigned char) *p); p++) ;
        return streq (p, "Z") || (strlen (p) == 6 && (p [0] == '+' || p [0] == '-') && p [3] == ':');
    }
    if (streq (format, "uri")) {
        if (!isalpha ((unsigned char) s [0]))
            return false;
        const char *colon = strchr (s, ':');
        if (!colon)
            return false;
        for (const char *p = s; p < colon; p++)
            if (!isalnum ((unsigned char) *p) && !strchr ("+-.", *p))
                return false;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
            if (*p <= 0x20 || *p >= 0x7F || strchr ("\"<>\\^`{|}", *p))
                return false;
        return true;
    }
    return true;
}

static bool
s_type_ok (const char *type, json_t *value)
{
    if (streq (type, "object"))
        return json_is_object (value);
    if (streq (type, "array"))
        return json_is_array (value);
    if (streq (type, "string"))
        return json_is_string (value);
    if (streq (type, "integer"))
        return json_is_integer (value);
    if (streq (type, "number"))
        return json_is_number (value);
    if (streq (type, "boolean"))
        return json_is_boolean (value);
    return json_is_null (value);
}

static void s_check (check_t *c, json_t *root, json_t *schema, json_t *value,
                     const char *path, zhashx_t *evaluated);

//  Check value against schema; properties it evaluates are added to
//  evaluated (for unevaluatedProperties of an enclosing schema).
static void
s_check (check_t *c, json_t *root, json_t *schema, json_t *value,
         const char *path, zhashx_t *evaluated)
{
    if (json_is_false (schema)) {
        s_fail (c, path, "not allowed");
        return;
    }
    if (!json_is_object (schema))
        return;
    zhashx_t *mine = zhashx_new ();
    json_t *ref = json_object_get (schema, "$ref");
    if (ref) {
        json_t *ref_root;
        json_t *target = s_resolve (root, json_string_value (ref), &ref_root);
        if (!target)
            s_fail (c, path, "unresolvable $ref");
        else
            s_check (c, ref_root, target, value, path, mine);
    }
    json_t *all = json_object_get (schema, "allOf");
    size_t i;
    json_t *sub;
    json_array_foreach (all, i, sub)
        s_check (c, root, sub, value, path, mine);
    json_t *one = json_object_get (schema, "oneOf");
    if (one) {
        int matches = 0;
        json_array_foreach (one, i, sub) {
            check_t probe = { 0, false };
            s_check (&probe, root, sub, value, path, NULL);
            matches += probe.errors == 0;
        }
        if (matches != 1)
            s_fail (c, path, "oneOf does not match exactly one");
    }
    json_t *type = json_object_get (schema, "type");
    if (json_is_string (type) && !s_type_ok (json_string_value (type), value))
        s_fail (c, path, "wrong type");
    json_t *choices = json_object_get (schema, "enum");
    if (choices) {
        bool found = false;
        json_array_foreach (choices, i, sub)
            found |= json_equal (sub, value);
        if (!found)
            s_fail (c, path, "not in enum");
    }
    json_t *format = json_object_get (schema, "format");
    if (format && json_is_string (value)
    &&  !s_format_ok (json_string_value (format), json_string_value (value)))
        s_fail (c, path, "bad format");
    json_t *minimum = json_object_get (schema, "minimum");
    json_t *maximum = json_object_get (schema, "maximum");
    if (json_is_number (value)) {
        if (minimum && json_number_value (value) < json_number_value (minimum))
            s_fail (c, path, "below minimum");
        if (maximum && json_number_value (value) > json_number_value (maximum))
            s_fail (c, path, "above maximum");
    }
    if (json_is_array (value)) {
        json_t *items = json_object_get (schema, "items");
        json_t *item;
        json_array_foreach (value, i, item) {
            char *where = xasprintf ("%s[%zu]", path, i);
            if (items)
                s_check (c, root, items, item, where, NULL);
            free (where);
        }
    }
    if (json_is_object (value)) {
        json_t *required = json_object_get (schema, "required");
        json_array_foreach (required, i, sub)
            if (!json_object_get (value, json_string_value (sub)))
                s_fail (c, path, "required property missing");
        json_t *properties = json_object_get (schema, "properties");
        json_t *additional = json_object_get (schema, "additionalProperties");
        const char *key;
        json_t *field;
        json_object_foreach (value, key, field) {
            char *where = xasprintf ("%s.%s", path, key);
            json_t *property = json_object_get (properties, key);
            if (property) {
                s_check (c, root, property, field, where, NULL);
                zhashx_insert (mine, key, (void *) 1);
            }
            else
            if (additional) {
                s_check (c, root, additional, field, where, NULL);
                zhashx_insert (mine, key, (void *) 1);
            }
            free (where);
        }
        if (json_is_false (json_object_get (schema, "unevaluatedProperties")))
            json_object_foreach (value, key, field)
                if (!zhashx_lookup (mine, key)) {
                    char *where = xasprintf ("%s.%s", path, key);
                    s_fail (c, where, "unevaluated property");
                    free (where);
                }
        if (evaluated)
            json_object_foreach (value, key, field)
                if (zhashx_lookup (mine, key))
                    zhashx_insert (evaluated, key, (void *) 1);
    }
    zhashx_destroy (&mine);
}

//  Number of violations of value against a schema document
static int
s_validate (json_t *schema, json_t *value)
{
    check_t check = { 0, true };
    s_check (&check, schema, schema, value, "$", NULL);
    return check.errors;
}

//  --------------------------------------------------------------------------
//  Fixtures

static json_t *
s_load (const char *env, const char *relative)
{
    const char *dir = getenv (env);
    assert_non_null (dir);
    char *path = xasprintf ("%s/%s", dir, relative);
    json_error_t error;
    json_t *json = json_load_file (path, 0, &error);
    if (!json)
        fprintf (stderr, "%s: %s\n", path, error.text);
    free (path);
    assert_non_null (json);
    return json;
}

static int
s_setup (void **state)
{
    s_iptc = s_load ("COPYDESK_SHARED", "samples/_schemas/ninjs-schema_2.2.json");
    s_ext = s_load ("COPYDESK_SOURCE", "docs/ninjs-extensions.schema.json");
    return 0;
}

static int
s_teardown (void **state)
{
    json_decref (s_iptc);
    json_decref (s_ext);
    return 0;
}

//  A story with every field set
static story_t *
s_story (void)
{
    story_t *s = story_new ();
    str_set (&s->uri, "tag:reuters.com,1987:newid-42");
    str_set (&s->type, "text");
    str_set (&s->version, "2");
    str_set (&s->versioncreated, "1987-02-26T15:01:01.790Z");
    str_set (&s->firstcreated, "1987-02-26T15:00:00Z");
    str_set (&s->contentcreated, "1987-02-26T14:00:00+01:00");
    str_set (&s->embargoed, "1987-02-27T00:00:00Z");
    str_set (&s->expires, "1987-03-26T00:00:00Z");
    str_set (&s->pubstatus, "usable");
    s->urgency = 4;
    story_add_text (&s->headlines, "main", NULL, "Bahia cocoa review");
    story_add_text (&s->headlines, "sub", "text/plain", "Showers continued");
    story_add_text (&s->descriptions, "summary", NULL, "Cocoa in Bahia.");
    story_text_t *b = story_add_text (&s->bodies, "main", "text/plain",
                                      "Showers continued throughout the week.\n\nThe Bahia zone.");
    b->charcount = 52;
    b->wordcount = 8;
    story_add_text (&s->bodies, "main", "text/html", "<p>Showers continued</p>");
    str_set (&s->by, "By A. Writer");
    str_set (&s->located, "SALVADOR");
    str_set (&s->slugline, "COCOA-BAHIA");
    str_set (&s->language, "en");
    story_concept_t *c = story_add_concept (&s->subjects, "Cocoa");
    str_set (&c->literal, "reuters:cocoa");
    str_set (&c->uri, "http://cv.iptc.org/newscodes/mediatopic/20000228");
    str_set (&c->rel, "about");
    str_set (&c->creator, "classify");
    c->relevance = 90;
    c->confidence = 75;
    c = story_add_concept (&s->genres, "Current");
    str_set (&c->uri, "genre:Current");
    str_set (&c->literal, "genre:Current");
    str_set (&c->rel, "is");
    c = story_add_concept (&s->places, "Brazil");
    str_set (&c->literal, "iso3166:BR");
    str_set (&c->rel, "mentioned");
    c = story_add_concept (&s->places, "Bahia");
    str_set (&c->literal, "geo:bahia");
    str_set (&c->creator, "classify");
    c->relevance = 60;
    c->confidence = 45;
    story_add_concept (&s->people, "Jane Doe");
    c = story_add_concept (&s->organisations, "ICCO");
    str_set (&c->uri, "urn:org:icco");
    c = story_add_concept (&s->organisations, "Cocoa Board");
    str_set (&c->uri, "local org id 7");
    story_add_concept (&s->events, "Harvest");
    c = story_add_concept (&s->infosources, "Reuters");
    str_set (&c->role, "provider");
    str_set (&c->uri, "https://www.reuters.com/");
    str_set (&s->copyrightholder, "Reuters");
    str_set (&s->copyrightnotice, "(c) 1987 Reuters");
    str_set (&s->usageterms, "Research only");
    str_set (&s->ednote, "Not for publication");
    story_add_altid (s, "reuters-newid", "42");
    story_rendition_t *r = story_add_rendition (s, "thumbnail", "http://example.com/t.jpg");
    str_set (&r->contenttype, "image/jpeg");
    str_set (&r->title, "Cocoa pods");
    r->width = 120;
    r->height = 80;
    r->sizeinbytes = 4096;
    story_add_keyword (s, "cocoa");
    story_add_keyword (s, "bahia");
    s->priority = 3;
    str_set (&s->dateline.text, "SALVADOR, Feb 26 -");
    str_set (&s->dateline.place, "SALVADOR");
    str_set (&s->dateline.date, "Feb 26");
    str_set (&s->dateline.source, "Reuters");
    story_add_signal (s, "update");
    story_add_link (s, "previous-version", "tag:reuters.com,1987:newid-42", "1");
    story_add_link (s, "see-also", "tag:reuters.com,1987:newid-7", NULL);
    story_set_extra (s, "anpa-take", "a");
    story_set_extra (s, "service", "commodities");
    str_set (&s->ingest.format, "reuters-sgml");
    str_set (&s->ingest.parser, "reuters/1");
    str_set (&s->ingest.provider, "reuters");
    str_set (&s->ingest.channel, "spool");
    str_set (&s->ingest.received, "2024-05-01T10:00:00.123Z");
    str_set (&s->ingest.origin, "reut2-000.sgm");
    str_set (&s->ingest.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    str_set (&s->ingest.charset, "us-ascii");
    s->ingest.index = 41;
    story_set_rawdate (s, "versioncreated", "26-FEB-1987 15:01:01.79");
    story_add_warning (s, "tz-assumed:%s", "UTC");
    return s;
}

//  --------------------------------------------------------------------------
//  Tests

//  The evaluator itself must catch what the schemas forbid
static void
test_evaluator_fails_on_bad_input (void **state)
{
    json_t *bad = json_pack ("{s:s, s:[{s:s, s:s}], s:s, s:i}",
                             "uri", "urn:x:1", "headlines", "value", "h", "colour", "red",
                             "pubstatus", "killed", "urgency", 3);
    assert_true (s_validate (s_iptc, bad) >= 2);
    json_decref (bad);
    bad = json_pack ("{s:s, s:i}", "uri", "urn:x:1", "keywords", 5);
    assert_true (s_validate (s_iptc, bad) >= 1);        //  not a 2.2 property
    assert_true (s_validate (s_ext, bad) >= 1);         //  not an array
    json_decref (bad);
    bad = json_pack ("{s:s}", "versioncreated", "yesterday");
    assert_true (s_validate (s_iptc, bad) >= 2);        //  no uri, bad date
    json_decref (bad);
}

static void
test_strict_validates (void **state)
{
    story_t *s = s_story ();
    json_t *json = ninjs_from_story (s, NINJS_STRICT);
    assert_int_equal (s_validate (s_iptc, json), 0);
    assert_int_equal (s_validate (s_ext, json), 0);
    //  Values came through
    assert_string_equal (json_string_value (json_object_get (json, "uri")), s->uri);
    json_t *headline = json_array_get (json_object_get (json, "headlines"), 0);
    assert_string_equal (json_string_value (json_object_get (headline, "value")), "Bahia cocoa review");
    json_t *body = json_array_get (json_object_get (json, "bodies"), 0);
    assert_int_equal (json_integer_value (json_object_get (body, "wordcount")), 8);
    json_t *subject = json_array_get (json_object_get (json, "subjects"), 0);
    assert_int_equal (json_integer_value (json_object_get (subject, "confidence")), 75);
    assert_string_equal (json_string_value (json_object_get (subject, "creator")), "classify");
    json_t *standard = json_object_get (json, "standard");
    assert_string_equal (json_string_value (json_object_get (standard, "version")), "2.2");
    //  No extension in strict mode
    const char *extensions [] = {
        "keywords", "priority", "dateline", "signals", "links", "extra", "ingest",
        "annotations", NULL
    };
    for (int i = 0; extensions [i]; i++)
        assert_null (json_object_get (json, extensions [i]));
    json_decref (json);
    story_destroy (&s);
}

static void
test_full_validates (void **state)
{
    story_t *s = s_story ();
    json_t *json = ninjs_from_story (s, NINJS_FULL);
    assert_int_equal (s_validate (s_ext, json), 0);
    assert_true (s_validate (s_iptc, json) > 0);        //  extensions are not 2.2
    assert_int_equal (json_integer_value (json_object_get (json, "priority")), 3);
    json_t *ingest = json_object_get (json, "ingest");
    assert_int_equal (json_integer_value (json_object_get (ingest, "index")), 41);
    json_t *rawdates = json_object_get (ingest, "rawdates");
    assert_string_equal (json_string_value (json_object_get (rawdates, "versioncreated")),
                         "26-FEB-1987 15:01:01.79");
    //  What 2.2 does not allow on concept items, index-aligned
    json_t *annotations = json_object_get (json, "annotations");
    json_t *place = json_array_get (json_object_get (annotations, "places"), 1);
    assert_string_equal (json_string_value (json_object_get (place, "creator")), "classify");
    assert_int_equal (json_integer_value (json_object_get (place, "confidence")), 45);
    assert_int_equal (json_object_size (json_array_get (json_object_get (annotations, "places"), 0)), 0);
    json_t *org = json_array_get (json_object_get (annotations, "organisations"), 1);
    assert_string_equal (json_string_value (json_object_get (org, "uri")), "local org id 7");
    assert_null (json_object_get (annotations, "subjects"));
    json_decref (json);
    story_destroy (&s);
}

static void
test_round_trip (void **state)
{
    story_t *s = s_story ();
    char *text = ninjs_dumps (s, NINJS_FULL);
    assert_null (strchr (text, '\n'));
    json_error_t error;
    json_t *json = json_loads (text, 0, &error);
    assert_non_null (json);
    char err [256] = "";
    story_t *back = ninjs_to_story (json, err, sizeof err);
    assert_non_null (back);
    buf_t a, b;
    buf_init (&a);
    buf_init (&b);
    story_encode (s, &a);
    story_encode (back, &b);
    assert_int_equal (a.size, b.size);
    assert_memory_equal (a.data, b.data, a.size);
    //  And its full output is the same text again
    char *again = ninjs_dumps (back, NINJS_FULL);
    assert_string_equal (text, again);
    free (again);
    buf_free (&a);
    buf_free (&b);
    json_decref (json);
    free (text);
    story_destroy (&back);
    story_destroy (&s);
}

//  Values the schema would refuse are left out or repaired, not written
static void
test_strict_repairs (void **state)
{
    story_t *s = story_new ();
    str_set (&s->uri, "urn:x:a b/é");
    str_set (&s->type, "story");
    str_set (&s->pubstatus, "killed");
    str_set (&s->versioncreated, "26-FEB-1987 15:01:01.79");
    str_set (&s->firstcreated, "1987-02-30T10:00:00Z");
    str_set (&s->embargoed, "2024-02-29T10:00:00Z");
    story_add_text (&s->headlines, NULL, NULL, "Bad \xff byte");
    story_concept_t *c = story_add_concept (&s->subjects, "No scheme");
    str_set (&c->uri, "not a uri");
    c = story_add_concept (&s->genres, "Genre with rel");
    str_set (&c->rel, "about");
    c = story_add_concept (&s->places, "Place with creator");
    str_set (&c->creator, "classify");
    story_rendition_t *r = story_add_rendition (s, NULL, "/relative/t.jpg");
    r->width = 10;
    story_set_extra (s, "k\xc3", "v\xe9");
    for (int flags = NINJS_STRICT; flags <= NINJS_FULL; flags++) {
        json_t *json = ninjs_from_story (s, flags);
        assert_int_equal (s_validate (flags ? s_ext : s_iptc, json), 0);
        assert_string_equal (json_string_value (json_object_get (json, "uri")),
                             "urn:x:a%20b/%C3%A9");
        assert_null (json_object_get (json, "type"));
        assert_null (json_object_get (json, "pubstatus"));
        assert_null (json_object_get (json, "versioncreated"));
        assert_null (json_object_get (json, "firstcreated"));
        assert_non_null (json_object_get (json, "embargoed"));
        json_t *headline = json_array_get (json_object_get (json, "headlines"), 0);
        assert_string_equal (json_string_value (json_object_get (headline, "value")),
                             "Bad \xEF\xBF\xBD byte");
        json_t *subject = json_array_get (json_object_get (json, "subjects"), 0);
        assert_null (json_object_get (subject, "uri"));
        json_t *rendition = json_array_get (json_object_get (json, "renditions"), 0);
        assert_string_equal (json_string_value (json_object_get (rendition, "name")), "rendition");
        assert_null (json_object_get (rendition, "href"));
        json_decref (json);
    }
    //  The dump is valid JSON with valid UTF-8 everywhere
    char *text = ninjs_dumps (s, NINJS_FULL | NINJS_PRETTY);
    assert_non_null (strchr (text, '\n'));
    json_error_t error;
    json_t *json = json_loads (text, 0, &error);
    assert_non_null (json);
    json_decref (json);
    free (text);
    story_destroy (&s);
}

static void
test_to_story_errors (void **state)
{
    char err [256];
    const char *bad [] = {
        "[1, 2]",
        "{\"headlines\": [{\"value\": \"no uri\"}]}",
        "{\"uri\": 5}",
        "{\"uri\": \"\"}",
        "{\"uri\": \"urn:x\", \"headlines\": {\"value\": \"x\"}}",
        "{\"uri\": \"urn:x\", \"headlines\": [{\"role\": \"main\"}]}",
        "{\"uri\": \"urn:x\", \"urgency\": 12}",
        "{\"uri\": \"urn:x\", \"urgency\": 2.5}",
        "{\"uri\": \"urn:x\", \"subjects\": [{\"confidence\": \"high\"}]}",
        "{\"uri\": \"urn:x\", \"keywords\": [\"a\", 3]}",
        "{\"uri\": \"urn:x\", \"extra\": {\"a\": 1}}",
        "{\"uri\": \"urn:x\", \"links\": [{\"rel\": \"updates\"}]}",
        "{\"uri\": \"urn:x\", \"ingest\": {\"index\": -1}}",
        "{\"uri\": \"urn:x\", \"by\": \"nul\\u0000byte\"}",
        NULL
    };
    for (int i = 0; bad [i]; i++) {
        json_error_t error;
        json_t *json = json_loads (bad [i], JSON_ALLOW_NUL, &error);
        assert_non_null (json);
        err [0] = 0;
        story_t *s = ninjs_to_story (json, err, sizeof err);
        if (s)
            fprintf (stderr, "accepted: %s\n", bad [i]);
        assert_null (s);
        assert_true (str_starts (err, "ninjs: "));
        json_decref (json);
    }
    //  Unknown properties and nulls are skipped; a real number that is whole is fine
    json_error_t error;
    json_t *json = json_loads ("{\"uri\": \"urn:x\", \"future\": {\"a\": [1]}, \"by\": null,"
                               " \"urgency\": 3.0, \"standard\": {\"name\": \"ninjs\"}}",
                               0, &error);
    story_t *s = ninjs_to_story (json, err, sizeof err);
    assert_non_null (s);
    assert_int_equal (s->urgency, 3);
    assert_null (s->by);
    story_destroy (&s);
    json_decref (json);
}

//  A story with nothing but a uri is valid ninjs
static void
test_minimal (void **state)
{
    story_t *s = story_new ();
    str_set (&s->uri, "urn:x:minimal");
    char *text = ninjs_dumps (s, NINJS_STRICT);
    assert_string_equal (text, "{\"uri\":\"urn:x:minimal\",\"standard\":{\"name\":\"ninjs\","
                         "\"version\":\"2.2\",\"schema\":\"" IPTC_ID "\"}}");
    free (text);
    json_t *json = ninjs_from_story (s, NINJS_FULL);
    assert_int_equal (s_validate (s_ext, json), 0);
    assert_null (json_object_get (json, "ingest"));
    json_decref (json);
    story_destroy (&s);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_evaluator_fails_on_bad_input),
        cmocka_unit_test (test_strict_validates),
        cmocka_unit_test (test_full_validates),
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_strict_repairs),
        cmocka_unit_test (test_to_story_errors),
        cmocka_unit_test (test_minimal),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
