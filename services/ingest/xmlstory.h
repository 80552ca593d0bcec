//  SPDX-License-Identifier: MIT
//  xmlstory - small helpers the XML parsers share to fill a story
//
//  Setters that keep what is already set (an envelope's metadata wins over
//  an embedded NITF head), concept lists without duplicates, and the
//  mappings every agency format needs: publication status words, country
//  codes, editorial signal codes, qcodes.

#ifndef COPYDESK_XMLSTORY_H
#define COPYDESK_XMLSTORY_H

#include "ingest/ingest.h"

//  Most entries a story list gets from a document's metadata (subjects,
//  keywords, altids, links, extra...): hostile documents with 100k of them
//  must not turn the duplicate checks quadratic. Real stories have dozens.
#define XMLSTORY_MAX_ITEMS  500
//  Longest text built by appending (ednote, joined extras)
#define XMLSTORY_MAX_APPEND 8192

//  Set *field to a copy of value unless *field is set or value is empty.
void
    xmlstory_set (char **field, const char *value);

//  Set a date field to the raw string as received (whitespace collapsed)
//  and record it in ingest.rawdates under name, unless the field is set.
void
    xmlstory_date (story_t *story, char **field, const char *name, const char *raw);

//  Append text to *field, separated by sep when *field is not empty;
//  nothing if text is empty or already part of *field.
void
    xmlstory_append (char **field, const char *text, const char *sep);

//  Add a concept unless the list holds one with the same literal (or, when
//  literal is NULL, the same name, ASCII case-insensitively). Returns the
//  concept added or found, or NULL when name and literal are both empty.
story_concept_t *
    xmlstory_concept (story_conceptv_t *list, const char *name, const char *literal,
                      const char *uri);

//  Add a keyword, an altid, a link, an extra pair (set or replace), within
//  XMLSTORY_MAX_ITEMS entries per list; over that they are dropped.
void
    xmlstory_keyword (story_t *story, const char *keyword);
void
    xmlstory_altid (story_t *story, const char *role, const char *value);
void
    xmlstory_link (story_t *story, const char *rel, const char *uri, const char *version);
void
    xmlstory_extra (story_t *story, const char *key, const char *value);
//  Append to the extra value under key, separated by sep (bounded length).
void
    xmlstory_extra_append (story_t *story, const char *key, const char *value, const char *sep);
//  Add a headline unless an equal one is there (at most 64 headlines).
void
    xmlstory_headline (story_t *story, const char *role, const char *text);

//  "usable", "withheld" or "canceled" for a provider's status word or
//  qcode (Usable, USABLE, stat:usable, killed, cancelled, withdrawn...);
//  NULL when the word is not a status we know.
const char *
    xmlstory_pubstatus (const char *value);

//  "iso3166-1a2:FR" or "iso3166-1a3:FRA" for a 2- or 3-letter country
//  code, into out. Returns out, or NULL when code is not such a code.
char *
    xmlstory_country_literal (const char *code, char *out, size_t size);

//  The integer in text when it is one and lies in [min, max]; else 0.
int
    xmlstory_int (const char *text, int min, int max);

//  Map an editorial signal code (sig:update, sig:correction, edStat:C,
//  update:append-major-content, tt_sig:replace, plain words) to a
//  normalised signal, adding both it and "raw:<code>". Returns true when
//  the code was an editorial signal.
bool
    xmlstory_signal (story_t *story, const char *code);

//  The code part of a qcode ("stat:usable" -> "usable"); the whole string
//  when there is no colon.
const char *
    xmlstory_qcode_code (const char *qcode);

//  True when text holds HTML-like tags (<p>, </b>, <br/>): markup sent as
//  text inside CDATA or escaped.
bool
    xmlstory_looks_html (const char *text);

//  True when text starts with a URI scheme ("urn:", "tag:", "http:").
bool
    xmlstory_is_uri (const char *text);

//  Give a story built with story_new the provenance of ingest_story_new
//  (format, parser, provider, channel, origin, received when the transport
//  gave it, the next item index). Parsers build an item apart and call this
//  only when it is a story, so skipped and bad items take no story index.
void
    xmlstory_provenance (ingest_t *ctx, story_t *story);

//  Give a story without a provider id a stable uri (the wire format needs
//  one): "tag:{authority},{yyyy-mm-dd}:{slug}" from its slugline, else
//  "tag:{authority},{yyyy-mm-dd}:{sha256 of headline + first paragraph}"
//  (formats.md §2.2). authority is the provider (lower case, [a-z0-9.-]);
//  the day comes from an ISO 8601 date string. Without a day (a tag: URI
//  needs one) the uri is "urn:copydesk:{authority}:slug:{slug}" or
//  "urn:copydesk:{authority}:{sha256}". Adds the warning "uri-derived".
//  Nothing is done when the story has a uri.
void
    xmlstory_derive_uri (story_t *story, const char *authority, const char *date);

//  True when text is an RFC 3339 timestamp with a zone
//  ("2018-01-22T02:07:53.000Z", "2019-07-01T08:22:28+00:00").
bool
    xmlstory_rfc3339 (const char *text);

//  Compare two ISO 8601 date-times (basic or extended, with or without a
//  zone; no zone counts as UTC). Returns -1, 0 or 1, or -2 when either
//  cannot be read. Only for ordering, never for storing.
int
    xmlstory_date_compare (const char *a, const char *b);

#endif
