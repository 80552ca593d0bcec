//  SPDX-License-Identifier: MIT
//  xmlfuzz - the body of the XML parser fuzz targets (fuzz_nitf,
//  fuzz_newsmlg2, fuzz_newsml1): any bytes under a format hint must parse
//  or fail with a reason; every story must hold valid UTF-8 and survive a
//  msgpack round trip.

#ifndef COPYDESK_XMLFUZZ_H
#define COPYDESK_XMLFUZZ_H

#include "common.h"
#include "ingest/ingest.h"

static void
s_check_text (const char *text)
{
    if (text)
        assert (charset_utf8_valid ((const uint8_t *) text, strlen (text)));
}

static void
s_emit (void *arg, story_t **story_p)
{
    story_t *story = *story_p;
    assert (story_headline (story) || story->bodies.len);
    for (size_t i = 0; i < story->headlines.len; i++)
        s_check_text (story->headlines.items [i].value);
    for (size_t i = 0; i < story->bodies.len; i++)
        s_check_text (story->bodies.items [i].value);
    s_check_text (story->uri);
    s_check_text (story->by);
    buf_t buf;
    buf_init (&buf);
    story_encode (story, &buf);
    story_t *again = story_decode ((const uint8_t *) buf.data, buf.size, NULL, 0);
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

static int
xmlfuzz_run (const char *format, const uint8_t *data, size_t size)
{
    document_t *doc = document_new ("fuzz", "fuzz.xml", data, size);
    str_set (&doc->format, format);
    ingest_result_t result;
    int rc = ingest_document (doc, s_emit, s_dead, NULL, &result);
    assert (rc == 0 || rc == -1);
    if (rc == -1)
        assert (result.error [0]);
    document_destroy (&doc);
    return 0;
}

#endif
