//  SPDX-License-Identifier: MIT
//  Fuzz the atom parser: any bytes, under the "atom" hint, must parse or fail
//  cleanly, and every story it emits must encode and decode again
#include "common.h"
#include "ingest/ingest.h"

static void
s_emit (void *arg, story_t **story_p)
{
    story_t *story = *story_p;
    assert (story->uri);
    buf_t buf;
    buf_init (&buf);
    story_encode (story, &buf);
    story_t *again = story_decode ((const uint8_t *) buf.data, buf.size, NULL, 0);
    assert (again);
    story_destroy (&again);
    buf_free (&buf);
    story_destroy (story_p);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    document_t *doc = document_new ("fuzz", "fuzz.xml", data, size);
    str_set (&doc->format, "atom");
    ingest_result_t result;
    ingest_document (doc, s_emit, NULL, NULL, &result);
    document_destroy (&doc);
    return 0;
}
