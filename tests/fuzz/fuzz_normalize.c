//  SPDX-License-Identifier: MIT
//  Fuzz the normalize stage on whatever decodes as a story draft: it never
//  crashes, what it accepts meets the record rules (valid UTF-8 without
//  controls, a uri, RFC 3339 dates) and a second pass changes nothing
#include "common.h"
#include "normalize/normalize.h"

static normalize_t *s_normalizer;

static void
s_check (const char *s, bool body)
{
    if (!s)
        return;
    assert (charset_utf8_valid ((const uint8_t *) s, strlen (s)));
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        assert (*p >= 0x20 || (body && (*p == '\n' || *p == '\t')));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_normalizer) {
        s_normalizer = normalize_new (NULL);
        normalize_set_now (s_normalizer, 1590969600);
    }
    story_t *story = story_decode_draft (data, size, NULL, 0);
    if (!story)
        return 0;
    if (normalize_story (s_normalizer, story) == 0) {
        assert (story->uri);
        s_check (story->uri, false);
        s_check (story->by, false);
        s_check (story->slugline, false);
        s_check (story->language, false);
        s_check (story->dateline.text, false);
        for (size_t i = 0; i < story->headlines.len; i++)
            s_check (story->headlines.items [i].value, false);
        for (size_t i = 0; i < story->bodies.len; i++)
            s_check (story->bodies.items [i].value, true);
        if (story->versioncreated) {
            date_t date;
            assert (date_parse (story->versioncreated, NULL, 0, &date) == 0 && date.has_zone);
        }
        buf_t once, twice;
        buf_init (&once);
        buf_init (&twice);
        story_encode (story, &once);
        story_t *again = story_decode ((const uint8_t *) once.data, once.size, NULL, 0);
        assert (again);
        assert (normalize_story (s_normalizer, again) == 0);
        story_encode (again, &twice);
        assert (once.size == twice.size && memcmp (once.data, twice.data, once.size) == 0);
        story_destroy (&again);
        buf_free (&once);
        buf_free (&twice);
    }
    story_destroy (&story);
    return 0;
}
