//  SPDX-License-Identifier: MIT
//  newsmlg2 - NewsML-G2 newsItem and newsMessage documents
//
//  Roots: newsItem (one story), newsMessage (header + itemSet with any
//  number of items: one story per text newsItem), packageItem, conceptItem,
//  knowledgeItem, planningItem, catalogItem (reported with ingest_skip, no
//  story). Picture, graphic, video, audio and composite newsItems are
//  skipped too, named by their itemClass. Fragments such as a bare
//  contentSet or contentMeta (IPTC guideline listings) are refused: they
//  have no guid. Elements match by local name, so the NAR namespace may be
//  the default, a prefix (ns0:newsItem, Reuters) or missing.
//
//  Mapping (formats.md §3.2):
//    uri = @guid as given (never with the version), version = @version as
//    given (Reuters' opaque numbers stay strings); itemClass -> type;
//    provider -> infosources[provider]; versionCreated, firstCreated,
//    embargoed, contentCreated -> raw date strings (+ ingest.rawdates),
//    contentModified stands in for a missing versionCreated; pubStatus ->
//    pubstatus; edNote -> ednote; signal -> signals (sig:update,
//    sig:correction, edStat:U/C/W, update:*, tt_sig:replace... with the raw
//    code as raw:<qcode>; other signal codes go to extra "g2-signals");
//    link -> links (irel:previousVersion -> previous-version,
//    irel:derivedFrom -> derived-from, any irel code in kebab case; a link
//    without @rel to the item's own guid is its previous version); service
//    -> extra "g2-service"; rightsInfo -> copyrightholder (name, literal,
//    uri), copyrightnotice, usageterms (the item's language first);
//    urgency; located -> located (+ places); dateline; by, else creator
//    names -> by; infoSource -> infosources[source]; subject -> subjects,
//    or people/organisations/places/events for cpnat:person,
//    cpnat:organisation, cpnat:geoArea/poi, cpnat:event (places take an
//    iso3166 sameAs as literal; subj:/medtop: sameAs codes are added as
//    subjects too); genre; keyword; slugline; headline by role (none/main
//    -> main, subHeadline -> sub, short, others alternative); description
//    by role (summary, caption...); concepts given by qcode only take their
//    name from the item's <assert>; language@tag, else xml:lang; altId ->
//    altids (idType:USN -> reuters-usn); creditline -> extra;
//    header/priority -> priority; header/sent -> rawdates "sent", and
//    ingest.received when the transport gave none and it is RFC 3339.
//    Bodies (bodytext.h): inlineXML holding NITF (body.content, and its head
//    filling what G2 left empty), XHTML html/body, or other XML (TT's
//    ttnitf); inlineData text (text/html parsed as HTML, else plain text);
//    remoteContent -> renditions. The first inline rendition with text is
//    the body. Signals from headlines (CORRECTED-...) are left to normalize.
//  Each item of a newsMessage of several items is serialised for its sha256
//  and dead letter (a lone item uses the document's bytes);
//  an item with neither headline nor content is dead-lettered and its
//  siblings go on.

#include "common.h"
#include "ingest/parsers.h"
#include "ingest/nitfbody.h"
#include "ingest/xmlstory.h"

//  The message a newsItem came in (or nothing for a lone item)
typedef struct {
    ingest_t *ctx;
    size_t items;               //  Items in the document (own bytes when > 1)
    int priority;               //  header/priority, 0 if none
    char *sent;                 //  header/sent
    char *transmit;             //  header/transmitId
} g2_t;

//  --------------------------------------------------------------------------
//  Small readers

//  The name of a concept: a <name> in the story language (or without
//  xml:lang), preferring full/display names over mnemonics. Caller frees.
static char *
s_name (xmlNodePtr node, const char *language)
{
    xmlNodePtr best = NULL;
    int best_score = -1;
    for (xmlNodePtr name = xml_child (node, "name"); name; name = xml_next (name, "name")) {
        int score = 0;
        char *lang = xml_attr (name, "lang");
        char *role = xml_attr (name, "role");
        if (!lang)
            score += 1;
        else
        if (language && strncasecmp (lang, language, 2) == 0)
            score += 3;
        if (!role || strstr (role, "full") || strstr (role, "display"))
            score += 2;
        free (lang);
        free (role);
        if (score > best_score) {
            char *text = xml_text (name);
            if (text) {
                best = name;
                best_score = score;
            }
            free (text);
        }
    }
    return best ? xml_text (best) : NULL;
}

//  Of several elements with xml:lang variants (copyrightNotice,
//  usageTerms), the text of the one in the story language, else the first
static char *
s_text_in_language (xmlNodePtr first, const char *name, const char *language)
{
    char *fallback = NULL;
    for (xmlNodePtr node = first; node; node = xml_next (node, name)) {
        char *text = xml_text_spaced (node);
        if (!text)
            continue;
        char *lang = xml_attr (node, "lang");
        bool match = lang && language && strncasecmp (lang, language, 2) == 0;
        free (lang);
        if (match) {
            free (fallback);
            return text;
        }
        if (!fallback)
            fallback = text;
        else
            free (text);
    }
    return fallback;
}

//  A party (provider, copyrightHolder, infoSource) as a concept: its name
//  (else @literal, else the code of @qcode), @qcode as literal, @uri
static story_concept_t *
s_party_concept (story_conceptv_t *list, xmlNodePtr node, const char *language,
                 const char *role)
{
    char *name = s_name (node, language);
    char *qcode = xml_attr (node, "qcode");
    char *uri = xml_attr (node, "uri");
    if (!name)
        name = xml_attr (node, "literal");
    if (!name && qcode)
        name = xstrdup (xmlstory_qcode_code (qcode));
    story_concept_t *concept = xmlstory_concept (list, name, qcode, uri);
    if (concept && !concept->role && role)
        concept->role = xstrdup (role);
    free (name);
    free (qcode);
    free (uri);
    return concept;
}

//  A party's name for a single-string field: name, literal, qcode code,
//  else uri. Caller frees.
static char *
s_party (xmlNodePtr node, const char *language)
{
    char *name = s_name (node, language);
    if (!name)
        name = xml_attr (node, "literal");
    if (!name) {
        char *qcode = xml_attr (node, "qcode");
        if (qcode)
            name = xstrdup (xmlstory_qcode_code (qcode));
        free (qcode);
    }
    if (!name)
        name = xml_attr (node, "uri");
    return name;
}

//  "previousVersion" -> "previous-version"
static char *
s_kebab (const char *code)
{
    buf_t out;
    buf_init (&out);
    for (const char *p = code; *p; p++) {
        if (isupper ((unsigned char) *p)) {
            if (out.size)
                buf_putc (&out, '-');
            buf_putc (&out, (char) tolower ((unsigned char) *p));
        }
        else
            buf_putc (&out, *p);
    }
    return out.size ? buf_detach (&out) : xstrdup ("related");
}

//  --------------------------------------------------------------------------
//  itemMeta

static void
s_link (story_t *story, xmlNodePtr link)
{
    char *target = xml_attr (link, "residref");
    if (!target)
        target = xml_attr (link, "guidref");
    if (!target)
        target = xml_attr (link, "href");
    if (!target)
        return;
    char *rel = xml_attr (link, "rel");
    char *version = xml_attr (link, "version");
    char *name = NULL;
    if (rel)
        name = s_kebab (xmlstory_qcode_code (rel));
    else
        name = xstrdup (story->uri && strcmp (story->uri, target) == 0 ? "previous-version"
                                                                       : "related");
    xmlstory_link (story, name, target, version);
    free (name);
    free (rel);
    free (version);
    free (target);
}

//  itemMeta: provider, dates, status, notes, signals, links, service
static void
s_item_meta (story_t *story, xmlNodePtr meta, char **title, char **rich_note)
{
    for (xmlNodePtr child = xml_first_element (meta); child; child = xml_next_element (child)) {
        if (xml_is (child, "provider"))
            s_party_concept (&story->infosources, child, story->language, "provider");
        else
        if (xml_is (child, "versionCreated")) {
            char *text = xml_text (child);
            xmlstory_date (story, &story->versioncreated, "versioncreated", text);
            free (text);
        }
        else
        if (xml_is (child, "firstCreated")) {
            char *text = xml_text (child);
            xmlstory_date (story, &story->firstcreated, "firstcreated", text);
            free (text);
        }
        else
        if (xml_is (child, "embargoed")) {
            char *text = xml_text (child);
            xmlstory_date (story, &story->embargoed, "embargoed", text);
            free (text);
        }
        else
        if (xml_is (child, "pubStatus")) {
            char *qcode = xml_attr (child, "qcode");
            const char *status = xmlstory_pubstatus (qcode);
            if (status)
                xmlstory_set (&story->pubstatus, status);
            else
            if (qcode) {
                xmlstory_set (&story->pubstatus, "usable");
                story_add_warning (story, "unknown-status:%s", qcode);
            }
            free (qcode);
        }
        else
        if (xml_is (child, "edNote")) {
            //  Plain notes; a note made of markup (dpa's notepad) only when
            //  there is nothing else
            char *text = xml_text_spaced (child);
            if (xml_first_element (child))
                xmlstory_set (rich_note, text);
            else
                xmlstory_append (&story->ednote, text, " ");
            free (text);
        }
        else
        if (xml_is (child, "signal")) {
            char *qcode = xml_attr (child, "qcode");
            if (qcode && !xmlstory_signal (story, qcode)) {
                xmlstory_extra_append (story, "g2-signals", qcode, " ");
            }
            free (qcode);
        }
        else
        if (xml_is (child, "link"))
            s_link (story, child);
        else
        if (xml_is (child, "service")) {
            char *name = xml_attr (child, "qcode");
            if (!name)
                name = s_name (child, story->language);
            xmlstory_extra_append (story, "g2-service", name, " ");
            free (name);
        }
        else
        if (xml_is (child, "title")) {
            if (!*title)
                *title = xml_text_spaced (child);
        }
        else
        if (xml_is (child, "fileName")) {
            char *text = xml_text (child);
            if (text)
                xmlstory_extra (story, "g2-filename", text);
            free (text);
        }
    }
}

//  --------------------------------------------------------------------------
//  contentMeta

static void
s_subject (story_t *story, xmlNodePtr subject)
{
    char *qcode = xml_attr (subject, "qcode");
    char *literal = xml_attr (subject, "literal");
    char *uri = xml_attr (subject, "uri");
    char *type = xml_attr (subject, "type");
    char *name = s_name (subject, story->language);
    if (!name && literal)
        name = xstrdup (literal);
    const char *kind = type ? xmlstory_qcode_code (type) : "";
    story_conceptv_t *list = &story->subjects;
    bool place = false;
    if (str_ieq (kind, "person"))
        list = &story->people;
    else
    if (str_ieq (kind, "organisation") || str_ieq (kind, "organization"))
        list = &story->organisations;
    else
    if (str_ieq (kind, "geoArea") || str_ieq (kind, "poi") || str_ieq (kind, "location")) {
        list = &story->places;
        place = true;
    }
    else
    if (str_ieq (kind, "event"))
        list = &story->events;
    //  A place is best known by its ISO 3166 code
    char *code = qcode ? xstrdup (qcode) : NULL;
    if (place) {
        for (xmlNodePtr same = xml_child (subject, "sameAs"); same; same = xml_next (same, "sameAs")) {
            char *other = xml_attr (same, "qcode");
            if (other && str_starts (other, "iso3166")) {
                free (code);
                code = other;
                break;
            }
            free (other);
        }
    }
    story_concept_t *concept = xmlstory_concept (list, name, code, uri);
    if (concept) {
        char *relevance = xml_attr (subject, "relevance");
        char *confidence = xml_attr (subject, "confidence");
        if (relevance && concept->relevance < 0) {
            int value = xmlstory_int (relevance, 0, 100);
            if (value || strcmp (relevance, "0") == 0)
                concept->relevance = value;
        }
        if (confidence && concept->confidence < 0) {
            int value = xmlstory_int (confidence, 0, 100);
            if (value || strcmp (confidence, "0") == 0)
                concept->confidence = value;
        }
        free (relevance);
        free (confidence);
    }
    //  IPTC subject codes given as sameAs are subjects of their own
    if (list == &story->subjects) {
        for (xmlNodePtr same = xml_child (subject, "sameAs"); same; same = xml_next (same, "sameAs")) {
            char *other = xml_attr (same, "qcode");
            if (other && (str_starts (other, "subj:") || str_starts (other, "medtop:"))) {
                char *other_name = s_name (same, story->language);
                xmlstory_concept (&story->subjects, other_name ? other_name : name, other, NULL);
                free (other_name);
            }
            free (other);
        }
    }
    free (code);
    free (qcode);
    free (literal);
    free (uri);
    free (type);
    free (name);
}

//  A headline with its role mapped (main, sub, short, alternative)
static void
s_headline (story_t *story, xmlNodePtr node)
{
    if (story->headlines.len >= 64)
        return;
    char *text = xml_text_spaced (node);
    if (!text)
        return;
    char *role = xml_attr (node, "role");
    const char *code = role ? xmlstory_qcode_code (role) : "main";
    const char *mapped = "alternative";
    if (str_ieq (code, "main") || str_ieq (code, "headline"))
        mapped = "main";
    else
    if (str_ieq (code, "subHeadline") || str_ieq (code, "sub") || str_ieq (code, "subheading"))
        mapped = "sub";
    else
    if (str_ieq (code, "short"))
        mapped = "short";
    if (strcmp (mapped, "main") == 0) {
        for (size_t i = 0; i < story->headlines.len; i++)
            if (strcmp (story->headlines.items [i].role, "main") == 0)
                mapped = "alternative";
    }
    story_add_text (&story->headlines, mapped, "text/plain", text);
    free (role);
    free (text);
}

//  A description with its role mapped (summary, caption...)
static void
s_description (story_t *story, xmlNodePtr node)
{
    if (story->descriptions.len >= 64)
        return;
    char *text = xml_text_spaced (node);
    if (!text)
        return;
    char *role = xml_attr (node, "role");
    const char *code = role ? xmlstory_qcode_code (role) : "summary";
    const char *mapped = code;
    if (str_ieq (code, "summary") || str_ieq (code, "abstract") || str_ieq (code, "teaser")
    ||  str_ieq (code, "lead") || str_ieq (code, "synopsis"))
        mapped = "summary";
    else
    if (str_ieq (code, "caption"))
        mapped = "caption";
    story_add_text (&story->descriptions, mapped, "text/plain", text);
    free (role);
    free (text);
}

//  contentMeta: urgency, dates, places, bylines, subjects, lines...
static void
s_content_meta (story_t *story, xmlNodePtr meta, char **creators, char **modified)
{
    for (xmlNodePtr child = xml_first_element (meta); child; child = xml_next_element (child)) {
        if (xml_is (child, "urgency")) {
            char *text = xml_text (child);
            if (!story->urgency)
                story->urgency = xmlstory_int (text, 1, 9);
            free (text);
        }
        else
        if (xml_is (child, "contentCreated")) {
            char *text = xml_text (child);
            xmlstory_date (story, &story->contentcreated, "contentcreated", text);
            free (text);
        }
        else
        if (xml_is (child, "contentModified")) {
            if (!*modified)
                *modified = xml_text (child);
        }
        else
        if (xml_is (child, "located")) {
            char *name = s_name (child, story->language);
            if (!name)
                name = xml_attr (child, "literal");
            char *qcode = xml_attr (child, "qcode");
            if (!name && qcode)
                name = xstrdup (xmlstory_qcode_code (qcode));
            xmlstory_set (&story->located, name);
            xmlstory_set (&story->dateline.place, name);
            xmlstory_concept (&story->places, name, qcode, NULL);
            free (name);
            free (qcode);
        }
        else
        if (xml_is (child, "dateline")) {
            char *text = xml_text_spaced (child);
            xmlstory_set (&story->dateline.text, text);
            free (text);
        }
        else
        if (xml_is (child, "by")) {
            char *text = xml_text_spaced (child);
            xmlstory_set (&story->by, text);
            free (text);
        }
        else
        if (xml_is (child, "creator")) {
            char *name = s_name (child, story->language);
            xmlstory_append (creators, name, ", ");
            free (name);
        }
        else
        if (xml_is (child, "infoSource"))
            s_party_concept (&story->infosources, child, story->language, "source");
        else
        if (xml_is (child, "subject"))
            s_subject (story, child);
        else
        if (xml_is (child, "genre")) {
            char *qcode = xml_attr (child, "qcode");
            char *name = s_name (child, story->language);
            if (!name)
                name = xml_attr (child, "literal");
            xmlstory_concept (&story->genres, name, qcode, NULL);
            free (qcode);
            free (name);
        }
        else
        if (xml_is (child, "keyword")) {
            char *text = xml_text (child);
            xmlstory_keyword (story, text);
            free (text);
        }
        else
        if (xml_is (child, "slugline")) {
            char *text = xml_text (child);
            xmlstory_set (&story->slugline, text);
            free (text);
        }
        else
        if (xml_is (child, "headline"))
            s_headline (story, child);
        else
        if (xml_is (child, "description"))
            s_description (story, child);
        else
        if (xml_is (child, "altId")) {
            char *value = xml_text (child);
            if (!value)
                value = xml_attr (child, "id");
            char *type = xml_attr (child, "type");
            const char *role = "g2-altid";
            if (type && str_ieq (xmlstory_qcode_code (type), "USN"))
                role = "reuters-usn";
            else
            if (type)
                role = type;
            xmlstory_altid (story, role, value);
            free (value);
            free (type);
        }
        else
        if (xml_is (child, "creditline")) {
            char *text = xml_text_spaced (child);
            if (text && !story_extra (story, "creditline"))
                xmlstory_extra (story, "creditline", text);
            free (text);
        }
    }
}

//  Concepts given only by qcode take their name from the item's <assert>
//  for that qcode (AP, dpa, STT put the details there)
static void
s_asserts (story_t *story, xmlNodePtr item)
{
    story_conceptv_t *lists [] = {
        &story->subjects, &story->places, &story->people, &story->organisations, &story->events
    };
    size_t seen = 0;
    for (xmlNodePtr assert_node = xml_child (item, "assert"); assert_node && seen < 2000;
         assert_node = xml_next (assert_node, "assert"), seen++) {
        char *qcode = xml_attr (assert_node, "qcode");
        if (!qcode)
            qcode = xml_attr (assert_node, "literal");
        //  The same qcode; or, for STT's "sttlocmeta:rich:17591" describing
        //  "sttlocationalias:17591", the same code under another scheme
        const char *code = qcode ? xmlstory_qcode_code (qcode) : NULL;
        for (size_t l = 0; qcode && l < sizeof lists / sizeof lists [0]; l++)
            for (size_t i = 0; i < lists [l]->len; i++) {
                story_concept_t *concept = &lists [l]->items [i];
                if (concept->name || !concept->literal)
                    continue;
                if (strcmp (concept->literal, qcode) == 0
                ||  (strlen (code) >= 3 && strcmp (xmlstory_qcode_code (concept->literal), code) == 0))
                    concept->name = s_name (assert_node, story->language);
            }
        free (qcode);
    }
}

//  --------------------------------------------------------------------------
//  contentSet

static void
s_rendition (story_t *story, xmlNodePtr remote)
{
    if (story->renditions.len >= 64)
        return;
    char *href = xml_attr (remote, "href");
    if (!href)
        href = xml_attr (remote, "residref");
    if (!href)
        return;
    char *rendition = xml_attr (remote, "rendition");
    char *contenttype = xml_attr (remote, "contenttype");
    char *width = xml_attr (remote, "width");
    char *height = xml_attr (remote, "height");
    char *size = xml_attr (remote, "size");
    story_rendition_t *r = story_add_rendition (story,
                                                rendition ? xmlstory_qcode_code (rendition) : NULL,
                                                href);
    str_set (&r->contenttype, contenttype);
    if (width)
        r->width = xmlstory_int (width, 1, INT_MAX) ? xmlstory_int (width, 1, INT_MAX) : -1;
    if (height)
        r->height = xmlstory_int (height, 1, INT_MAX) ? xmlstory_int (height, 1, INT_MAX) : -1;
    if (size) {
        char *end = NULL;
        long long bytes = strtoll (size, &end, 10);
        if (end && !*end && bytes >= 0)
            r->sizeinbytes = bytes;
    }
    free (href);
    free (rendition);
    free (contenttype);
    free (width);
    free (height);
    free (size);
}

//  Is this content type HTML (or XHTML)?
static bool
s_html_type (const char *type)
{
    return type && (strstr (type, "html") || strstr (type, "HTML"));
}

//  The body of the item from its contentSet
static void
s_content_set (story_t *story, xmlNodePtr set, bodytext_t *body)
{
    bool have_text = false;
    for (xmlNodePtr child = xml_first_element (set); child; child = xml_next_element (child)) {
        if (xml_is (child, "remoteContent")) {
            s_rendition (story, child);
            continue;
        }
        if (have_text)
            continue;           //  Further inline renditions repeat the content
        char *type = xml_attr (child, "contenttype");
        if (xml_is (child, "inlineXML")) {
            xmlNodePtr root = xml_first_element (child);
            if (xml_is (root, "nitf")) {
                nitfbody_head (story, root);
                nitfbody_content (body, story, root);
            }
            else
            if (xml_is (root, "html")) {
                xmlNodePtr html_body = xml_child (root, "body");
                bodytext_add_xml (body, html_body ? html_body : root);
            }
            else
            if (root)
                bodytext_add_xml (body, child);
            else {
                //  Markup sent as text inside inlineXML
                xmlChar *content = xmlNodeGetContent (child);
                const char *text = (const char *) content;
                if (text && (s_html_type (type) || xmlstory_looks_html (text)))
                    bodytext_add_html (body, text, strlen (text));
                else
                if (text)
                    bodytext_add_plain (body, text, strlen (text));
                xmlFree (content);
            }
        }
        else
        if (xml_is (child, "inlineData")) {
            char *encoding = xml_attr (child, "encoding");
            xmlChar *content = xmlNodeGetContent (child);
            const char *text = (const char *) content;
            if (encoding && !str_ieq (encoding, "none"))
                story_add_warning (story, "inline-data-encoding-unsupported:%s", encoding);
            else
            if (text && (s_html_type (type) || xmlstory_looks_html (text)))
                bodytext_add_html (body, text, strlen (text));
            else
            if (text)
                bodytext_add_plain (body, text, strlen (text));
            xmlFree (content);
            free (encoding);
        }
        free (type);
        have_text = !bodytext_empty (body);
    }
}

//  --------------------------------------------------------------------------
//  One newsItem

//  Does the item hold a headline, a title or any content text?
static bool
s_has_text (xmlNodePtr item)
{
    xmlNodePtr content_meta = xml_child (item, "contentMeta");
    for (xmlNodePtr child = xml_child (content_meta, "headline"); child;
         child = xml_next (child, "headline")) {
        char *text = xml_text (child);
        free (text);
        if (text)
            return true;
    }
    char *title = xml_path_text (item, "itemMeta/title");
    free (title);
    if (title)
        return true;
    xmlNodePtr set = xml_child (item, "contentSet");
    for (xmlNodePtr child = xml_first_element (set); child; child = xml_next_element (child)) {
        if (xml_is (child, "remoteContent"))
            continue;
        char *text = xml_text (child);
        free (text);
        if (text)
            return true;
    }
    return false;
}

//  Item classes that are not stories
static const char *s_media_classes [] = {
    "picture", "graphic", "video", "audio", "composite", "animation", "interactive",
    "photo", "image", "pic", "snd", "vid", "gra"
};

//  One newsItem: a story, or a skip, or a dead letter
static void
s_news_item (g2_t *self, xmlNodePtr item)
{
    ingest_t *ctx = self->ctx;
    char *item_class = xml_attr (xml_path (item, "itemMeta/itemClass"), "qcode");
    const char *class_code = item_class ? xmlstory_qcode_code (item_class) : "text";
    for (size_t i = 0; i < sizeof s_media_classes / sizeof s_media_classes [0]; i++) {
        if (str_ieq (class_code, s_media_classes [i])) {
            char what [160];
            snprintf (what, sizeof what, "newsItem %s", item_class);
            ingest_skip (ctx, what);
            free (item_class);
            return;
        }
    }
    char *guid = xml_attr (item, "guid");
    size_t bytes_size = 0;
    char *bytes = self->items > 1 ? xml_outer_markup (item, &bytes_size) : NULL;
    if (!s_has_text (item)) {
        ingest_bad_item (ctx, bytes, bytes_size,
                         "newsItem %s at line %ld has neither a headline nor content",
                         guid ? guid : "(no guid)", xml_line (item));
        free (bytes);
        free (guid);
        free (item_class);
        return;
    }
    //  Built apart: it becomes a story only if it has something to say
    story_t *story = story_new ();
    str_set (&story->uri, guid);
    char *version = xml_attr (item, "version");
    str_set (&story->version, version);
    free (version);
    if (!str_ieq (class_code, "text"))
        xmlstory_extra (story, "g2-itemclass", item_class);

    xmlNodePtr content_meta = xml_child (item, "contentMeta");
    char *language = xml_attr (xml_child (content_meta, "language"), "tag");
    if (!language)
        language = xml_lang (item);
    str_set (&story->language, language);
    free (language);

    //  rightsInfo (there may be several; the first that says something)
    for (xmlNodePtr rights = xml_child (item, "rightsInfo"); rights;
         rights = xml_next (rights, "rightsInfo")) {
        xmlNodePtr holder = xml_child (rights, "copyrightHolder");
        if (holder) {
            char *name = s_party (holder, story->language);
            xmlstory_set (&story->copyrightholder, name);
            free (name);
        }
        char *notice = s_text_in_language (xml_child (rights, "copyrightNotice"),
                                           "copyrightNotice", story->language);
        xmlstory_set (&story->copyrightnotice, notice);
        free (notice);
        char *terms = s_text_in_language (xml_child (rights, "usageTerms"),
                                          "usageTerms", story->language);
        xmlstory_set (&story->usageterms, terms);
        free (terms);
    }

    char *title = NULL;
    char *creators = NULL;
    char *modified = NULL;
    char *rich_note = NULL;
    s_item_meta (story, xml_child (item, "itemMeta"), &title, &rich_note);
    s_content_meta (story, content_meta, &creators, &modified);
    if (!story->ednote && rich_note)
        story->ednote = xstrdup (rich_note);
    free (rich_note);
    s_asserts (story, item);
    if (!story_headline (story) && title)
        story_add_text (&story->headlines, "main", "text/plain", title);
    if (modified) {
        story_set_rawdate (story, "contentmodified", modified);
        if (!story->versioncreated)
            xmlstory_date (story, &story->versioncreated, "versioncreated", modified);
    }
    free (title);
    free (modified);

    bodytext_t *body = bodytext_new ();
    bodytext_set_headline (body, story_headline (story));
    s_content_set (story, xml_child (item, "contentSet"), body);
    //  by: the G2 <by>, else the byline of the content, else the creators
    if (!story->by && bodytext_byline (body))
        story->by = xstrdup (bodytext_byline (body));
    if (!story->by && creators)
        story->by = xstrdup (creators);
    free (creators);
    if (bodytext_dateline (body))
        xmlstory_set (&story->dateline.text, bodytext_dateline (body));
    bodytext_to_story (body, story);
    bodytext_destroy (&body);

    if (self->priority && !story->priority)
        story->priority = self->priority;
    if (self->sent) {
        story_set_rawdate (story, "sent", self->sent);
        if (!story->ingest.received && xmlstory_rfc3339 (self->sent))
            story->ingest.received = xstrdup (self->sent);
    }
    if (self->transmit)
        xmlstory_altid (story, "g2-transmitid", self->transmit);
    if (!story_headline (story) && story->bodies.len == 0) {
        //  Only renditions, or content that held no text
        ingest_bad_item (ctx, bytes, bytes_size,
                         "newsItem %s at line %ld has neither a headline nor text",
                         guid ? guid : "(no guid)", xml_line (item));
        story_destroy (&story);
        free (bytes);
        free (guid);
        free (item_class);
        return;
    }
    xmlstory_provenance (ctx, story);
    if (!story->uri) {
        //  @guid is mandatory; without it, a stable derived uri
        const char *provider = NULL;
        for (size_t i = 0; i < story->infosources.len && !provider; i++)
            if (str_ieq (story->infosources.items [i].role, "provider"))
                provider = story->infosources.items [i].name;
        xmlstory_derive_uri (story, provider, story->versioncreated);
    }
    if (bytes)
        ingest_set_item (ctx, bytes, bytes_size);
    ingest_emit (ctx, &story);
    free (bytes);
    free (guid);
    free (item_class);
}

//  One member of an itemSet (or the root item)
static void
s_item (g2_t *self, xmlNodePtr node)
{
    if (xml_is (node, "newsItem"))
        s_news_item (self, node);
    else {
        //  packageItem, conceptItem, knowledgeItem, planningItem, catalogItem
        char what [128];
        snprintf (what, sizeof what, "%s", (const char *) node->name);
        ingest_skip (self->ctx, what);
    }
}

//  --------------------------------------------------------------------------
//  Parse a NewsML-G2 document: its items in order.
int
newsmlg2_parse (ingest_t *ctx, const uint8_t *data, size_t size)
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
    g2_t self = { .ctx = ctx };
    int rc = 0;
    if (xml_is (root, "newsMessage")) {
        //  Small providers capitalise the header (<Header><Sent>)
        xmlNodePtr header = xml_child (root, "header");
        if (!header)
            header = xml_child (root, "Header");
        char *priority = xml_path_text (header, "priority");
        if (!priority)
            priority = xml_path_text (header, "Priority");
        self.priority = xmlstory_int (priority, 1, 9);
        free (priority);
        self.sent = xml_path_text (header, "sent");
        if (!self.sent)
            self.sent = xml_path_text (header, "Sent");
        self.transmit = xml_path_text (header, "transmitId");
        for (xmlNodePtr set = xml_child (root, "itemSet"); set; set = xml_next (set, "itemSet"))
            for (xmlNodePtr item = xml_first_element (set); item; item = xml_next_element (item))
                self.items++;
        for (xmlNodePtr set = xml_child (root, "itemSet"); set; set = xml_next (set, "itemSet"))
            for (xmlNodePtr item = xml_first_element (set); item; item = xml_next_element (item))
                s_item (&self, item);
        if (self.items == 0) {
            ingest_fail (ctx, "newsMessage holds no items (no itemSet children)");
            rc = -1;
        }
        free (self.sent);
        free (self.transmit);
    }
    else
    if (xml_is (root, "newsItem") || xml_is (root, "packageItem") || xml_is (root, "conceptItem")
    ||  xml_is (root, "knowledgeItem") || xml_is (root, "planningItem")
    ||  xml_is (root, "catalogItem"))
        s_item (&self, root);
    else {
        ingest_fail (ctx, "root element <%s> at line %ld is not a NewsML-G2 item or newsMessage"
                     " (a fragment such as contentSet or contentMeta has no guid)",
                     (const char *) root->name, xml_line (root));
        rc = -1;
    }
    xmlFreeDoc (xml);
    return rc;
}
