//  SPDX-License-Identifier: MIT
//  nitf - NITF 3.x documents (namespaced, prefixed or not), one story each
//
//  Mapping (formats.md §3.1; the code is in nitfbody.c, shared with the
//  NewsML formats that embed NITF):
//    uri         doc-id@id-string as given when it is a URI or has no
//                @regsrc, else "urn:nitf:{regsrc}:{id-string}"; always
//                altids[nitf-doc-id]. A doc-id without id-string (AP) gets
//                a derived "tag:{regsrc},{issue day}:{sha256 of headline +
//                first paragraph}" (warning uri-derived): the story record
//                must carry a uri on the wire.
//    version     du-key@version; a du-key with version (or generation) > 1
//                is an update: links[updates] to the key (and the previous
//                version number), signals update + raw:du-key:N, and
//                altids[nitf-du-key] = key.
//    pubstatus   docdata@management-status (embargoed counts as usable,
//                with date.release as embargoed; canceled adds signal
//                kill); management-doc-idref -> links[replaces].
//    dates       raw strings, never parsed here: date.issue@norm ->
//                versioncreated; the first revision-history@norm, else
//                date.issue -> firstcreated; date.release -> embargoed when
//                it is a date later than issue (or status embargoed; else
//                rawdates "release" only); date.expire -> expires; all in
//                ingest.rawdates.
//    headlines   hl1 -> main, hl2 -> sub (body.head/hedline, or AP's
//                body.head/headline), head/title when no hl1.
//    by          body.head/byline as printed, <byttl> joined with ", ".
//    dateline    body.head/dateline text; location -> dateline.place,
//                city (or location) -> located; story.date -> dateline.date.
//    subjects    tobject.subject@refnum -> "subj:<code>" (other @ipr ->
//                "<ipr>:<code>"), name from detail/matter/type; genres from
//                tobject.property; people/organisations/places/events from
//                identified-content and from person/org/location/event
//                marked up in the text; evloc -> places (iso-cc as
//                iso3166-1a2/a3 literal); key-list -> keywords.
//    meta        anpa-keyword/slug -> slugline, anpa-sequence -> altid,
//                anpa-category -> subject anpa:<x>, numeric priorities ->
//                priority, category_iptc -> subj:; every meta also in
//                extra "nitf-meta:<name>".
//    bodies      built here, not by normalize, because NITF needs format
//                knowledge (bodytext.h): body.content flattened (block,
//                hl2 as a sub-heading paragraph, lists, tables) into a
//                text/plain "main" body, or "preformatted" when tables or
//                <pre> carry most of the text; plus a text/html body in the
//                sanitised subset. media elements are left out; a body.end
//                tagline becomes the last paragraph.
//  Ill-formed NITF is an error naming the line (no recover mode); internal
//  DTD entities are expanded, external ones never loaded.

#include "common.h"
#include "ingest/parsers.h"
#include "ingest/nitfbody.h"
#include "ingest/xmlstory.h"

//  --------------------------------------------------------------------------
//  Parse one NITF document into one story.
int
nitf_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    const document_t *doc = ingest_doc (ctx);
    xml_options_t options = { .charset = doc->charset };
    char charset [64] = "";
    char err [512] = "";
    xmlDocPtr xml = xml_parse (data, size, &options, ingest_warnings (ctx),
                               charset, sizeof charset, err, sizeof err);
    if (!xml) {
        ingest_fail (ctx, "%s", err);
        return -1;
    }
    ingest_set_charset (ctx, charset);
    xmlNodePtr root = xmlDocGetRootElement (xml);
    if (!xml_is (root, "nitf")) {
        ingest_fail (ctx, "root element <%s> is not <nitf>", (const char *) root->name);
        xmlFreeDoc (xml);
        return -1;
    }
    story_t *story = ingest_story_new (ctx);
    nitfbody_head (story, root);
    bodytext_t *body = bodytext_new ();
    bodytext_set_headline (body, story_headline (story));
    nitfbody_content (body, story, root);
    bool empty = bodytext_empty (body);
    bodytext_to_story (body, story);
    bodytext_destroy (&body);
    xmlFreeDoc (xml);

    if (empty && !story_headline (story)) {
        ingest_fail (ctx, "NITF document has neither a headline nor body text");
        story_destroy (&story);
        return -1;
    }
    //  No id-string (AP): a stable derived uri, for the wire needs one
    if (!story->uri)
        xmlstory_derive_uri (story, story_extra (story, "nitf-regsrc"), story->versioncreated);
    ingest_emit (ctx, &story);
    return 0;
}
