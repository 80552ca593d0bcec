//  SPDX-License-Identifier: MIT
//  ninjs - a story as IPTC ninjs 2.2 JSON, and back
//
//  Two renderings of a story_t. Strict mode writes only the properties of
//  the ninjs 2.2 schema (../shared/samples/_schemas/ninjs-schema_2.2.json),
//  with the properties each array's items allow, so the output validates
//  against it. Full mode adds copydesk's extensions (keywords, priority,
//  dateline, signals, links, extra, ingest, and annotations: what 2.2 does
//  not allow on concept items, such as classify's scores on places),
//  described by docs/ninjs-extensions.schema.json, which includes the 2.2
//  ninjsType.
//
//  Values the schema would refuse are left out rather than written wrong:
//  a date that is not RFC 3339, a type or pubstatus outside the enums, a
//  concept or rendition URI without a scheme. Characters a URI may not hold
//  (spaces, non-ASCII...) are percent-encoded; invalid UTF-8 is repaired.
//  ninjs_to_story reads full output back into an equal story (round trip).

#ifndef COPYDESK_NINJS_H
#define COPYDESK_NINJS_H

#include <jansson.h>

#define NINJS_STRICT    0x00    //  Only ninjs 2.2 properties
#define NINJS_FULL      0x01    //  Plus the copydesk extensions
#define NINJS_PRETTY    0x02    //  ninjs_dumps: indented over many lines

//  The story as a ninjs JSON object (flags: NINJS_STRICT or NINJS_FULL).
//  Caller owns the result (json_decref).
json_t *
    ninjs_from_story (const story_t *story, int flags);

//  The story as ninjs JSON text, one line unless NINJS_PRETTY, without a
//  trailing newline. Caller frees the string.
char *
    ninjs_dumps (const story_t *story, int flags);

//  Read a ninjs object (our full or strict output) into a new story. Unknown
//  properties are skipped. Returns NULL with the reason in err when json is
//  not an object, has no uri, or a known property has the wrong type.
//  Caller owns the story; json stays the caller's.
story_t *
    ninjs_to_story (json_t *json, char *err, size_t errsize);

#endif
