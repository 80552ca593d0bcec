//  SPDX-License-Identifier: MIT
//  Story record: msgpack round trip, and hostile bytes to the decoder
#include "common.h"
#include <setjmp.h>
#include <cmocka.h>

static story_t *
s_full_story (void)
{
    story_t *s = story_new ();
    str_set (&s->uri, "urn:test:story:1");
    str_set (&s->type, "text");
    str_set (&s->version, "3");
    str_set (&s->versioncreated, "2024-05-01T10:00:00Z");
    str_set (&s->pubstatus, "usable");
    s->urgency = 3;
    s->priority = 2;
    story_add_text (&s->headlines, "main", NULL, "Héadline with ünïcode");
    story_add_text (&s->descriptions, "summary", NULL, "A summary");
    story_text_t *body = story_add_text (&s->bodies, "main", "text/plain", "Para one.\n\nPara two.");
    body->wordcount = 4;
    body->charcount = 20;
    str_set (&s->by, "By A. Writer");
    str_set (&s->language, "en");
    story_concept_t *c = story_add_concept (&s->subjects, "Earnings");
    str_set (&c->literal, "reuters:earn");
    str_set (&c->creator, "classify");
    c->confidence = 87;
    c->relevance = 100;
    story_concept_t *p = story_add_concept (&s->places, "France");
    str_set (&p->literal, "iso3166:FR");
    story_concept_t *i = story_add_concept (&s->infosources, "Reuters");
    str_set (&i->role, "provider");
    story_add_altid (s, "reuters-newid", "1");
    story_add_altid (s, "reuters-newid", "1");        //  duplicate ignored
    story_add_keyword (s, "cocoa");
    story_add_signal (s, "update");
    story_add_link (s, "previous-version", "urn:test:story:1", "2");
    story_rendition_t *r = story_add_rendition (s, "thumbnail", "http://example.com/t.jpg");
    r->width = 100;
    story_set_extra (s, "anpa-take", "a");
    str_set (&s->dateline.text, "PARIS, May 1 (Reuters) -");
    str_set (&s->dateline.place, "PARIS");
    str_set (&s->ingest.format, "reuters-sgml");
    str_set (&s->ingest.origin, "reut2-000.sgm");
    s->ingest.index = 0;
    story_set_rawdate (s, "versioncreated", "26-FEB-1987 15:01:01.79");
    story_add_warning (s, "tz-assumed:%s", "UTC");
    return s;
}

static void
test_round_trip (void **state)
{
    story_t *s = s_full_story ();
    buf_t buf, again;
    buf_init (&buf);
    buf_init (&again);
    story_encode (s, &buf);
    char err [256] = "";
    story_t *d = story_decode ((uint8_t *) buf.data, buf.size, err, sizeof err);
    assert_non_null (d);
    assert_string_equal (d->uri, "urn:test:story:1");
    assert_int_equal (d->urgency, 3);
    assert_int_equal (d->priority, 2);
    assert_string_equal (story_headline (d), "Héadline with ünïcode");
    assert_string_equal (story_body (d), "Para one.\n\nPara two.");
    assert_int_equal (d->bodies.items [0].wordcount, 4);
    assert_int_equal (d->subjects.items [0].confidence, 87);
    assert_string_equal (d->places.items [0].literal, "iso3166:FR");
    assert_string_equal (d->infosources.items [0].role, "provider");
    assert_int_equal (d->altids.len, 1);
    assert_string_equal (d->keywords.items [0], "cocoa");
    assert_string_equal (d->links.items [0].version, "2");
    assert_int_equal (d->renditions.items [0].width, 100);
    assert_int_equal (d->renditions.items [0].height, -1);
    assert_string_equal (story_extra (d, "anpa-take"), "a");
    assert_string_equal (d->dateline.place, "PARIS");
    assert_int_equal (d->ingest.index, 0);
    assert_string_equal (story_rawdate (d, "versioncreated"), "26-FEB-1987 15:01:01.79");
    assert_string_equal (d->ingest.warnings.items [0], "tz-assumed:UTC");
    //  Encoding is deterministic: decode + encode gives the same bytes
    story_encode (d, &again);
    assert_int_equal (again.size, buf.size);
    assert_memory_equal (again.data, buf.data, buf.size);
    story_t *copy = story_dup (d);
    assert_string_equal (story_headline (copy), story_headline (s));
    story_destroy (&copy);
    story_destroy (&d);
    story_destroy (&s);
    assert_null (s);
    buf_free (&buf);
    buf_free (&again);
}

static void
test_unknown_keys_skipped (void **state)
{
    buf_t buf;
    buf_init (&buf);
    msgpack_packer pk;
    codec_packer_init (&pk, &buf);
    msgpack_pack_map (&pk, 3);
    codec_pack_kv_str (&pk, "uri", "u:1");
    codec_pack_kv_str (&pk, "future-field", "whatever");
    codec_pack_str (&pk, "another");
    msgpack_pack_array (&pk, 2);
    msgpack_pack_nil (&pk);
    msgpack_pack_double (&pk, 1.5);
    story_t *s = story_decode ((uint8_t *) buf.data, buf.size, NULL, 0);
    assert_non_null (s);
    assert_string_equal (s->uri, "u:1");
    story_destroy (&s);
    buf_free (&buf);
}

static story_t *
s_decode_bytes (const char *bytes, size_t size, char *err)
{
    return story_decode ((const uint8_t *) bytes, size, err, 128);
}

static void
test_hostile_bytes (void **state)
{
    char err [128];
    //  Container bombs: map32 / array32 claiming billions of entries
    assert_null (s_decode_bytes ("\xdf\x04\x00\x00\x00", 5, err));
    assert_non_null (strstr (err, "container larger than data"));
    assert_null (s_decode_bytes ("\xdd\x10\x00\x00\x00", 5, err));
    assert_null (s_decode_bytes ("\x81\xa3uri\xdd\xff\xff\xff\xff", 10, err));
    //  str32 claiming 4 GB
    assert_null (s_decode_bytes ("\x81\xa3uri\xdb\xff\xff\xff\xff", 10, err));
    assert_non_null (strstr (err, "beyond end"));
    //  Not a map, empty, truncated, trailing junk, reserved byte
    assert_null (s_decode_bytes ("\x93\x01\x02\x03", 4, err));
    assert_non_null (strstr (err, "not a map"));
    assert_null (s_decode_bytes ("", 0, err));
    assert_null (s_decode_bytes ("\x81\xa3ur", 4, err));
    assert_null (s_decode_bytes ("\x81\xa3uri\xa1x\x00", 8, err));
    assert_null (s_decode_bytes ("\xc1", 1, err));
    //  Wrong types for known keys, NUL inside a string, no uri
    assert_null (s_decode_bytes ("\x81\xa3uri\x05", 6, err));
    assert_null (s_decode_bytes ("\x81\xa3uri\xa3\x61\x00\x62", 9, err));
    assert_null (s_decode_bytes ("\x81\xa4type\xa4text", 11, err));
    assert_non_null (strstr (err, "no uri"));
    assert_null (s_decode_bytes ("\x82\xa3uri\xa1u\xa7urgency\x0c", 16, err));
    //  Deep nesting
    char deep [200];
    deep [0] = '\x81'; memcpy (deep + 1, "\xa1x", 2);
    for (int i = 3; i < 200; i++)
        deep [i] = '\x91';
    assert_null (s_decode_bytes (deep, sizeof deep, err));
}

static void
test_random_bytes (void **state)
{
    //  Random and mutated input must never crash nor leak
    story_t *s = s_full_story ();
    buf_t buf;
    buf_init (&buf);
    story_encode (s, &buf);
    unsigned seed = 12345;
    uint8_t *copy = (uint8_t *) xmalloc (buf.size);
    for (int round = 0; round < 20000; round++) {
        memcpy (copy, buf.data, buf.size);
        int flips = 1 + rand_r (&seed) % 8;
        for (int f = 0; f < flips; f++)
            copy [rand_r (&seed) % buf.size] = (uint8_t) rand_r (&seed);
        size_t size = round % 3 == 0 ? (size_t) (rand_r (&seed) % buf.size) : buf.size;
        story_t *d = story_decode (copy, size, NULL, 0);
        story_destroy (&d);
    }
    for (int round = 0; round < 20000; round++) {
        size_t size = 1 + rand_r (&seed) % 64;
        for (size_t i = 0; i < size; i++)
            copy [i] = (uint8_t) rand_r (&seed);
        story_t *d = story_decode (copy, size, NULL, 0);
        story_destroy (&d);
    }
    free (copy);
    buf_free (&buf);
    story_destroy (&s);
}

static void
test_document_and_deadletter (void **state)
{
    document_t *doc = document_new ("reuters", "/tmp/x.sgm", "abc\0def", 7);
    str_set (&doc->format, "reuters-sgml");
    buf_t buf;
    buf_init (&buf);
    document_encode (doc, &buf);
    document_t *back = document_decode ((uint8_t *) buf.data, buf.size, NULL, 0);
    assert_non_null (back);
    assert_int_equal (back->size, 7);
    assert_memory_equal (back->data, "abc\0def", 7);
    assert_string_equal (back->format, "reuters-sgml");
    assert_string_equal (back->source, "reuters");
    document_destroy (&back);
    document_destroy (&doc);

    deadletter_t *dl = deadletter_new ("normalize", "bad bytes", "\x01\x02", 2);
    dl->attempts = 5;
    dl->seq = 77;
    deadletter_encode (dl, &buf);
    deadletter_t *dl2 = deadletter_decode ((uint8_t *) buf.data, buf.size, NULL, 0);
    assert_non_null (dl2);
    assert_string_equal (dl2->stage, "normalize");
    assert_int_equal (dl2->attempts, 5);
    assert_int_equal (dl2->seq, 77);
    assert_int_equal (dl2->raw_size, 2);
    deadletter_destroy (&dl2);
    deadletter_destroy (&dl);
    //  A story is not a document
    assert_null (document_decode ((uint8_t *) "\x81\xa3uri\xa1u", 7, NULL, 0));
    buf_free (&buf);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_unknown_keys_skipped),
        cmocka_unit_test (test_hostile_bytes),
        cmocka_unit_test (test_random_bytes),
        cmocka_unit_test (test_document_and_deadletter),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
