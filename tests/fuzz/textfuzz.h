//  SPDX-License-Identifier: MIT
//  textfuzz - the body of the text-family fuzz targets (fuzz_reuters,
//  fuzz_plaintext, fuzz_iptc7901, fuzz_anpa, fuzz_zczc, fuzz_ninjs,
//  fuzz_sniff): any bytes under a format hint (or detected) must parse or
//  fail with a reason; every story the parser emits holds valid UTF-8
//  without control characters (framing bytes never leak), and survives a
//  msgpack round trip; every dead letter has a reason.

#ifndef COPYDESK_TEXTFUZZ_H
#define COPYDESK_TEXTFUZZ_H

#include "common.h"
#include "ingest/ingest.h"

//  Check for control characters too: true for the text-family parsers,
//  which promise it; other parsers leave that to normalize
static bool s_strict = true;

static void
s_check_text (const char *text)
{
    if (!text)
        return;
    size_t len = strlen (text);
    assert (charset_utf8_valid ((const uint8_t *) text, len));
    for (size_t i = 0; i < len && s_strict; i++) {
        unsigned char c = (unsigned char) text [i];
        assert (c >= 0x20 || c == '\n' || c == '\t');
        assert (c != 0x7F);
    }
}

static void
s_check_texts (const story_textv_t *list)
{
    for (size_t i = 0; i < list->len; i++) {
        s_check_text (list->items [i].value);
        s_check_text (list->items [i].role);
    }
}

static void
s_check_concepts (const story_conceptv_t *list)
{
    for (size_t i = 0; i < list->len; i++) {
        s_check_text (list->items [i].name);
        s_check_text (list->items [i].literal);
        s_check_text (list->items [i].uri);
    }
}

static void
s_emit (void *arg, story_t **story_p)
{
    story_t *story = *story_p;
    s_check_texts (&story->headlines);
    s_check_texts (&story->descriptions);
    s_check_texts (&story->bodies);
    s_check_concepts (&story->subjects);
    s_check_concepts (&story->places);
    s_check_concepts (&story->infosources);
    const char *fields [] = {
        story->uri, story->version, story->versioncreated, story->firstcreated, story->embargoed,
        story->by, story->located, story->slugline, story->ednote, story->language,
        story->dateline.text, story->dateline.place, story->dateline.date, story->dateline.source
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields [0]; i++)
        s_check_text (fields [i]);
    for (size_t i = 0; i < story->extra.len; i++)
        s_check_text (story->extra.items [i].value);
    for (size_t i = 0; i < story->ingest.rawdates.len; i++)
        s_check_text (story->ingest.rawdates.items [i].value);
    for (size_t i = 0; i < story->altids.len; i++)
        s_check_text (story->altids.items [i].value);
    for (size_t i = 0; i < story->keywords.len; i++)
        s_check_text (story->keywords.items [i]);
    assert (story->ingest.sha256);
    buf_t buf;
    buf_init (&buf);
    story_encode (story, &buf);
    story_t *again = story_decode_draft ((const uint8_t *) buf.data, buf.size, NULL, 0);
    assert (again);
    story_destroy (&again);
    buf_free (&buf);
    story_destroy (story_p);
}

static void
s_dead (void *arg, deadletter_t **dead_p)
{
    assert ((*dead_p)->reason && *(*dead_p)->reason);
    deadletter_destroy (dead_p);
}

//  format NULL: detect (and check that detection agrees with ingest)
static int
textfuzz_run (const char *format, const uint8_t *data, size_t size)
{
    document_t *doc = document_new ("fuzz", "fuzz.txt", data, size);
    if (format)
        str_set (&doc->format, format);
    const char *detected = format ? format : ingest_detect (data, size, NULL, 0);
    const char *mine [] = { "reuters-sgml", "plain-text", "iptc7901", "anpa1312", "zczc", "ninjs" };
    s_strict = false;
    for (size_t i = 0; i < sizeof mine / sizeof mine [0]; i++)
        if (detected && strcmp (detected, mine [i]) == 0)
            s_strict = true;
    ingest_result_t result;
    int rc = ingest_document (doc, s_emit, s_dead, NULL, &result);
    assert (rc == 0 || rc == -1);
    if (rc == -1)
        assert (result.error [0]);
    document_destroy (&doc);
    return 0;
}

#endif
