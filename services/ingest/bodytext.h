//  SPDX-License-Identifier: MIT
//  bodytext - story bodies from the body markup of the XML formats
//
//  NITF body.content, XHTML html/body, TT's ttnitf, HTML strings held in
//  CDATA and plain DataContent/inlineData text all become the same two
//  bodies (role "main"):
//    - text/plain: paragraphs separated by exactly "\n\n", whitespace
//      collapsed, no newline inside a paragraph. When tables or <pre>
//      carry most of the text (agate, results, line-ups) the body is role
//      "preformatted" instead: lines kept, table columns aligned;
//    - text/html, same role (only when the source had markup): the same blocks in
//      the subset p, h2, ul/ol/li, table/tr/th/td, pre, a, em, strong, br,
//      which normalize passes through html_sanitize.
//
//  Block rules, by case-insensitive local name: p, div, section, block,
//  blockquote, bq, citat... are paragraphs (nested blocks split them);
//  h1-h6, hl1, hl2, mellis, rubrik are headings (a sub-heading paragraph);
//  li/dt/dd are list items; tables render row by row; <pre> keeps its
//  lines; media, img, figure, script, style, head, header, footer, nav and
//  TT's BILD are dropped; an element it does not know is inline inside a
//  paragraph, a paragraph when it holds only text, and a container when it
//  holds other elements. A paragraph of hard-wrapped teletype text (lines
//  at column 0 mixed with indented lines, as in Reuters bodies) is split
//  at its indented and blank lines; one whose lines are columns set in
//  spaces (results, standings) is kept as preformatted lines. A first
//  paragraph equal to the headline is dropped (XHTML bodies often repeat
//  it as <h1>), and so is a paragraph that is only markup sent as text
//  (an embed code).

#ifndef COPYDESK_BODYTEXT_H
#define COPYDESK_BODYTEXT_H

#include "ingest/xml.h"

typedef struct _bodytext_t bodytext_t;

//  Called for each named entity met in body markup: kind is the element's
//  lower-case local name (person, org, location, event), node the element.
typedef void (bodytext_entity_fn) (void *arg, const char *kind, xmlNodePtr node);

//  Create an empty body. Caller owns it.
bodytext_t *
    bodytext_new (void);

//  Destroy the body and nullify the reference. Safe on NULL.
void
    bodytext_destroy (bodytext_t **self_p);

//  Drop a first paragraph or heading equal to this headline (may be NULL).
void
    bodytext_set_headline (bodytext_t *self, const char *headline);

//  Report named entities (NITF person/org/location/event) to fn.
void
    bodytext_set_entity_fn (bodytext_t *self, bodytext_entity_fn *fn, void *arg);

//  Add the children of an element as body flow (the element itself is a
//  container, e.g. body.content or an XHTML body).
void
    bodytext_add_xml (bodytext_t *self, xmlNodePtr node);

//  Add an HTML document or fragment given as text (CDATA bodies, escaped
//  markup); parsed by libxml2's HTML parser without network access.
void
    bodytext_add_html (bodytext_t *self, const char *html, size_t size);

//  Add plain text: paragraphs at blank lines; list-like lines (bullets,
//  short lines) kept one per paragraph; hard-wrapped lines joined.
void
    bodytext_add_plain (bodytext_t *self, const char *text, size_t size);

//  Add one paragraph of text (whitespace is collapsed).
void
    bodytext_add_paragraph (bodytext_t *self, const char *text);

//  True when nothing with text was added.
bool
    bodytext_empty (bodytext_t *self);

//  Text of a byline element met inside the body (TT's BYLINE), or NULL.
//  The body keeps ownership.
const char *
    bodytext_byline (bodytext_t *self);

//  Text of a dateline element met inside the body (NITF dateline, TT's
//  DAT), or NULL. The body keeps ownership.
const char *
    bodytext_dateline (bodytext_t *self);

//  The plain text as it would be stored, and whether it is preformatted.
//  Caller frees; "" when empty.
char *
    bodytext_plain (bodytext_t *self, bool *preformatted);

//  Append the bodies to story->bodies: the text/plain body (role main or
//  preformatted) and, when the source had markup, the text/html body.
//  Nothing is added when the body is empty.
void
    bodytext_to_story (bodytext_t *self, story_t *story);

#endif
