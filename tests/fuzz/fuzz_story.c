//  SPDX-License-Identifier: MIT
//  Fuzz the story decoder (and re-encoding of whatever decodes)
#include "common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    story_t *story = story_decode (data, size, NULL, 0);
    if (story) {
        buf_t buf;
        buf_init (&buf);
        story_encode (story, &buf);
        story_t *again = story_decode ((const uint8_t *) buf.data, buf.size, NULL, 0);
        assert (again);
        story_destroy (&again);
        buf_free (&buf);
        story_destroy (&story);
    }
    document_t *doc = document_decode (data, size, NULL, 0);
    document_destroy (&doc);
    return 0;
}
