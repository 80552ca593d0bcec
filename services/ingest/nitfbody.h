//  SPDX-License-Identifier: MIT
//  nitfbody - the NITF 3.x mapping, shared by the NITF parser and by the
//  NewsML formats that embed NITF (G2 inlineXML, NewsML 1 DataContent)
//
//  Local names only: NITF comes without a namespace, in the 2006 NITF
//  namespace, or with provider prefixes. Fields already set in the story
//  are kept (an envelope's metadata wins over the embedded NITF head);
//  lists are merged without duplicates. The mapping follows formats.md
//  §3.1; see nitf.c for the decisions on ids, versions and bodies.

#ifndef COPYDESK_NITFBODY_H
#define COPYDESK_NITFBODY_H

#include "ingest/bodytext.h"

//  Map head (meta, tobject, docdata, pubdata, revision-history) and
//  body.head (hedline, byline, dateline, abstract, distributor, note,
//  rights) of the <nitf> element into story.
void
    nitfbody_head (story_t *story, xmlNodePtr nitf);

//  Add the body.content elements of <nitf> (and a body.end tagline) to
//  body; person/org/location/event marked up in the text are added to the
//  story's people, organisations, places and events.
void
    nitfbody_content (bodytext_t *body, story_t *story, xmlNodePtr nitf);

//  Record a NITF named entity (person, org, location, event element, as
//  in identified-content or inline in the text) in the story.
void
    nitfbody_entity (story_t *story, const char *kind, xmlNodePtr node);

#endif
