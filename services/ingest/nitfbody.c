//  SPDX-License-Identifier: MIT
//  nitfbody - the NITF 3.x mapping shared by the XML parsers (see nitfbody.h)

#include "common.h"
#include "ingest/nitfbody.h"
#include "ingest/xmlstory.h"

//  Provider <meta name=... content=...> we map; the rest go to extra
typedef enum {
    META_SLUGLINE,              //  Slug / keyword line
    META_SEQUENCE,              //  ANPA sequence number (altid)
    META_CATEGORY,              //  ANPA category letter (subject anpa:x)
    META_PRIORITY,              //  Numeric transmission priority
    META_IPTC_SUBJECT           //  An IPTC subject code
} meta_kind_t;

static const struct {
    const char *name;
    meta_kind_t kind;
} s_meta_map [] = {
    { "anpa-keyword", META_SLUGLINE }, { "slugline", META_SLUGLINE },
    { "slug", META_SLUGLINE }, { "NTBStikkord", META_SLUGLINE },
    { "anpa-sequence", META_SEQUENCE }, { "anpa-category", META_CATEGORY },
    { "aap-priority", META_PRIORITY }, { "NTBPrioritet", META_PRIORITY },
    { "priority", META_PRIORITY }, { "category_iptc", META_IPTC_SUBJECT },
    { "iptc-subject", META_IPTC_SUBJECT },
};

//  --------------------------------------------------------------------------
//  Small readers

//  True if text is exactly eight digits (an IPTC subject reference)
static bool
s_subject_code (const char *text)
{
    if (!text || strlen (text) != 8)
        return false;
    for (int i = 0; i < 8; i++)
        if (!isdigit ((unsigned char) text [i]))
            return false;
    return true;
}

//  A byline as printed: the text with <byttl> joined by ", "
static char *
s_byline (xmlNodePtr byline)
{
    buf_t out;
    buf_init (&out);
    for (xmlNodePtr child = byline->children; child; child = child->next) {
        if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
            if (child->content)
                buf_puts (&out, (const char *) child->content);
        }
        else
        if (child->type == XML_ELEMENT_NODE) {
            char *text = xml_text_spaced (child);
            if (text) {
                if (xml_is (child, "byttl")) {
                    //  "By A. Writer" + "AP Writer" -> "By A. Writer, AP Writer"
                    size_t end = out.size;
                    while (end && isspace ((unsigned char) out.data [end - 1]))
                        end--;
                    if (end && out.data [end - 1] != ',')
                        buf_puts (&out, ",");
                }
                buf_putc (&out, ' ');
                buf_puts (&out, text);
                buf_putc (&out, ' ');
                free (text);
            }
        }
    }
    //  Collapse; drop a space before a comma; no leading comma
    char *collapsed = NULL;
    if (out.size) {
        buf_t clean;
        buf_init (&clean);
        bool pending = false;
        for (size_t i = 0; i < out.size; i++) {
            char c = out.data [i];
            if (isspace ((unsigned char) c)) {
                pending = clean.size > 0;
                continue;
            }
            if (c == ',' && clean.size == 0)
                continue;
            if (pending && c != ',')
                buf_putc (&clean, ' ');
            pending = false;
            buf_putc (&clean, c);
        }
        while (clean.size && clean.data [clean.size - 1] == ',')
            clean.data [--clean.size] = 0;
        collapsed = clean.size ? buf_detach (&clean) : NULL;
        buf_free (&clean);
    }
    buf_free (&out);
    return collapsed;
}

//  --------------------------------------------------------------------------
//  Named entities

void
nitfbody_entity (story_t *story, const char *kind, xmlNodePtr node)
{
    char *name = xml_text_spaced (node);
    char *value = xml_attr (node, "value");
    char *idsrc = xml_attr (node, "idsrc");
    char *literal = NULL;
    if (value && idsrc)
        literal = xasprintf ("%s:%s", idsrc, value);
    if (strcmp (kind, "person") == 0)
        xmlstory_concept (&story->people, name ? name : value, literal, NULL);
    else
    if (strcmp (kind, "org") == 0)
        xmlstory_concept (&story->organisations, name ? name : value, literal, NULL);
    else
    if (strcmp (kind, "event") == 0)
        xmlstory_concept (&story->events, name ? name : value, literal, NULL);
    else
    if (strcmp (kind, "location") == 0) {
        char *code = xml_attr (node, "location-code");
        char *source = xml_attr (node, "code-source");
        if (!literal && code)
            literal = source ? xasprintf ("%s:%s", source, code) : xasprintf ("location:%s", code);
        xmlstory_concept (&story->places, name ? name : value ? value : code, literal, NULL);
        free (code);
        free (source);
    }
    else
    if (strcmp (kind, "classifier") == 0) {
        char *type = xml_attr (node, "type");
        if (value)
            xmlstory_concept (&story->subjects, name,
                              literal ? literal : value, NULL);
        free (type);
    }
    free (literal);
    free (name);
    free (value);
    free (idsrc);
}

//  bodytext callback: a named entity met in the text
static void
s_entity_fn (void *arg, const char *kind, xmlNodePtr node)
{
    nitfbody_entity ((story_t *) arg, kind, node);
}

//  --------------------------------------------------------------------------
//  head

static void
s_meta (story_t *story, xmlNodePtr meta)
{
    char *name = xml_attr (meta, "name");
    char *content = xml_attr (meta, "content");
    if (!name || !content) {
        free (name);
        free (content);
        return;
    }
    bool mapped = false;
    for (size_t i = 0; i < sizeof s_meta_map / sizeof s_meta_map [0] && !mapped; i++) {
        if (!str_ieq (name, s_meta_map [i].name))
            continue;
        mapped = true;
        switch (s_meta_map [i].kind) {
            case META_SLUGLINE:
                xmlstory_set (&story->slugline, content);
                break;
            case META_SEQUENCE:
                xmlstory_altid (story, "anpa-sequence", content);
                break;
            case META_CATEGORY: {
                char literal [64];
                snprintf (literal, sizeof literal, "anpa:%s", content);
                xmlstory_concept (&story->subjects, NULL, literal, NULL);
                break;
            }
            case META_PRIORITY:
                if (!story->priority)
                    story->priority = xmlstory_int (content, 1, 9);
                break;
            case META_IPTC_SUBJECT:
                if (s_subject_code (content)) {
                    char literal [32];
                    snprintf (literal, sizeof literal, "subj:%s", content);
                    xmlstory_concept (&story->subjects, NULL, literal, NULL);
                }
                break;
        }
    }
    //  Provider metadata is kept as it came
    char key [160];
    snprintf (key, sizeof key, "nitf-meta:%s", name);
    if (!story_extra (story, key))
        xmlstory_extra (story, key, content);
    free (name);
    free (content);
}

//  tobject: genres from properties, subjects from subject refnums
static void
s_tobject (story_t *story, xmlNodePtr tobject)
{
    char *type = xml_attr (tobject, "tobject.type");
    if (type && !story_extra (story, "nitf-tobject-type"))
        xmlstory_extra (story, "nitf-tobject-type", type);
    free (type);
    for (xmlNodePtr child = xml_first_element (tobject); child; child = xml_next_element (child)) {
        if (xml_is (child, "tobject.property")) {
            char *property = xml_attr (child, "tobject.property.type");
            xmlstory_concept (&story->genres, property, NULL, NULL);
            free (property);
        }
        else
        if (xml_is (child, "tobject.subject")) {
            char *refnum = xml_attr (child, "tobject.subject.refnum");
            char *ipr = xml_attr (child, "tobject.subject.ipr");
            char *detail = xml_attr (child, "tobject.subject.detail");
            char *matter = xml_attr (child, "tobject.subject.matter");
            char *stype = xml_attr (child, "tobject.subject.type");
            const char *name = detail ? detail : matter ? matter : stype;
            char *literal = NULL;
            if (refnum) {
                if (ipr && !str_ieq (ipr, "IPTC")) {
                    char *scheme = text_lower_ascii (ipr);
                    literal = xasprintf ("%s:%s", scheme, refnum);
                    free (scheme);
                }
                else
                if (s_subject_code (refnum))
                    literal = xasprintf ("subj:%s", refnum);
                else
                    literal = xasprintf ("nitf-subject:%s", refnum);
            }
            xmlstory_concept (&story->subjects, name, literal, NULL);
            free (literal);
            free (refnum);
            free (ipr);
            free (detail);
            free (matter);
            free (stype);
        }
    }
}

//  Places where events happened: <evloc city state-prov county-dist iso-cc>
static void
s_evloc (story_t *story, xmlNodePtr evloc)
{
    char *city = xml_attr (evloc, "city");
    char *state = xml_attr (evloc, "state-prov");
    char *county = xml_attr (evloc, "county-dist");
    char *country = xml_attr (evloc, "iso-cc");
    char literal_buf [32];
    const char *literal = xmlstory_country_literal (country, literal_buf, sizeof literal_buf);
    const char *name = city ? city : state ? state : county;
    xmlstory_concept (&story->places, name, NULL, NULL);
    if (literal)
        xmlstory_concept (&story->places, country, literal, NULL);
    free (city);
    free (state);
    free (county);
    free (country);
}

//  The uri of a NITF document: doc-id@id-string, qualified by @regsrc
static void
s_doc_id (story_t *story, xmlNodePtr doc_id)
{
    char *id = xml_attr (doc_id, "id-string");
    char *regsrc = xml_attr (doc_id, "regsrc");
    if (id) {
        xmlstory_altid (story, "nitf-doc-id", id);
        if (!story->uri) {
            if (xmlstory_is_uri (id) || !regsrc)
                story->uri = xstrdup (id);
            else
                story->uri = xasprintf ("urn:nitf:%s:%s", regsrc, id);
        }
    }
    if (regsrc && !story_extra (story, "nitf-regsrc"))
        xmlstory_extra (story, "nitf-regsrc", regsrc);
    free (id);
    free (regsrc);
}

//  du-key: the dynamic-use key ties the updates of one story together
static void
s_du_key (story_t *story, xmlNodePtr du_key)
{
    char *key = xml_attr (du_key, "key");
    char *version = xml_attr (du_key, "version");
    char *generation = xml_attr (du_key, "generation");
    if (key)
        xmlstory_altid (story, "nitf-du-key", key);
    xmlstory_set (&story->version, version);
    int number = xmlstory_int (version, 0, INT_MAX);
    int gen = xmlstory_int (generation, 0, INT_MAX);
    if (key && (number > 1 || gen > 1)) {
        //  A later version of the same key updates the earlier ones
        char previous [16] = "";
        if (number > 1)
            snprintf (previous, sizeof previous, "%d", number - 1);
        xmlstory_link (story, "updates", key, previous [0] ? previous : NULL);
        story_add_signal (story, "update");
        char raw [96];
        snprintf (raw, sizeof raw, "raw:du-key:%s", version ? version : generation);
        story_add_signal (story, raw);
    }
    free (key);
    free (version);
    free (generation);
}

//  docdata: ids, versions, status, dates, rights, keywords, places...
//  The release and first revision dates come back for nitfbody_head.
static void
s_docdata (story_t *story, xmlNodePtr docdata, char **release, char **first)
{
    char *status = xml_attr (docdata, "management-status");
    if (status) {
        const char *pubstatus = xmlstory_pubstatus (status);
        if (pubstatus)
            xmlstory_set (&story->pubstatus, pubstatus);
        else {
            xmlstory_set (&story->pubstatus, "usable");
            story_add_warning (story, "unknown-status:%s", status);
        }
        if (str_ieq (status, "embargoed"))
            xmlstory_extra (story, "nitf-management-status", "embargoed");
        if (pubstatus && strcmp (pubstatus, "canceled") == 0)
            story_add_signal (story, "kill");
    }
    char *idref = xml_attr (docdata, "management-doc-idref");
    if (idref)
        xmlstory_link (story, "replaces", idref, NULL);
    free (idref);
    free (status);

    for (xmlNodePtr child = xml_first_element (docdata); child; child = xml_next_element (child)) {
        if (xml_is (child, "doc-id"))
            s_doc_id (story, child);
        else
        if (xml_is (child, "du-key"))
            s_du_key (story, child);
        else
        if (xml_is (child, "urgency")) {
            char *urgency = xml_attr (child, "ed-urg");
            if (!story->urgency)
                story->urgency = xmlstory_int (urgency, 1, 9);
            free (urgency);
        }
        else
        if (xml_is (child, "date.issue")) {
            char *norm = xml_attr (child, "norm");
            if (!norm)
                norm = xml_text (child);
            xmlstory_date (story, &story->versioncreated, "versioncreated", norm);
            free (norm);
        }
        else
        if (xml_is (child, "date.release")) {
            char *norm = xml_attr (child, "norm");
            if (norm && !*release)
                *release = norm;
            else
                free (norm);
        }
        else
        if (xml_is (child, "date.expire")) {
            char *norm = xml_attr (child, "norm");
            xmlstory_date (story, &story->expires, "expires", norm);
            free (norm);
        }
        else
        if (xml_is (child, "doc.copyright")) {
            char *holder = xml_attr (child, "holder");
            char *year = xml_attr (child, "year");
            xmlstory_set (&story->copyrightholder, holder);
            if (holder && !story->copyrightnotice)
                story->copyrightnotice = year ? xasprintf ("Copyright %s %s", year, holder)
                                              : xasprintf ("Copyright %s", holder);
            free (holder);
            free (year);
        }
        else
        if (xml_is (child, "doc.rights")) {
            char *owner = xml_attr (child, "owner");
            char *type = xml_attr (child, "type");
            char *limitations = xml_attr (child, "limitations");
            xmlstory_set (&story->copyrightholder, owner);
            if (!story->usageterms) {
                xmlstory_append (&story->usageterms, type, " ");
                xmlstory_append (&story->usageterms, limitations, " ");
            }
            free (owner);
            free (type);
            free (limitations);
        }
        else
        if (xml_is (child, "key-list")) {
            for (xmlNodePtr keyword = xml_child (child, "keyword"); keyword;
                 keyword = xml_next (keyword, "keyword")) {
                char *key = xml_attr (keyword, "key");
                if (!key)
                    key = xml_text (keyword);        //  <keyword>Justice</keyword>
                xmlstory_keyword (story, key);
                free (key);
            }
        }
        else
        if (xml_is (child, "ed-msg")) {
            char *info = xml_attr (child, "info");
            xmlstory_append (&story->ednote, info, " ");
            free (info);
        }
        else
        if (xml_is (child, "evloc"))
            s_evloc (story, child);
        else
        if (xml_is (child, "identified-content")) {
            for (xmlNodePtr entity = xml_first_element (child); entity;
                 entity = xml_next_element (entity)) {
                const char *kind = (const char *) entity->name;
                if (strcmp (kind, "person") == 0 || strcmp (kind, "org") == 0
                ||  strcmp (kind, "location") == 0 || strcmp (kind, "event") == 0
                ||  strcmp (kind, "classifier") == 0)
                    nitfbody_entity (story, kind, entity);
            }
        }
        else
        if (xml_is (child, "del-list")) {
            for (xmlNodePtr source = xml_child (child, "from-src"); source;
                 source = xml_next (source, "from-src")) {
                char *name = xml_attr (source, "src-name");
                story_concept_t *concept = xmlstory_concept (&story->infosources, name, NULL, NULL);
                if (concept && !concept->role)
                    concept->role = xstrdup ("source");
                free (name);
            }
        }
        else
        if (xml_is (child, "fixture")) {
            char *fixture = xml_attr (child, "fix-id");
            if (fixture)
                xmlstory_extra (story, "nitf-fixture", fixture);
            free (fixture);
        }
        else
        if (xml_is (child, "doc-scope")) {
            char *scope = xml_attr (child, "scope");
            if (scope) {
                xmlstory_extra_append (story, "nitf-doc-scope", scope, "; ");
            }
            free (scope);
        }
        else
        if (xml_is (child, "revision-history")) {
            char *norm = xml_attr (child, "norm");
            if (norm && !*first)
                *first = norm;
            else
                free (norm);
        }
    }
}

//  body.head: hedline, byline, dateline, abstract, distributor, notes
static void
s_body_head (story_t *story, xmlNodePtr head)
{
    //  Bylines add up only within this NITF; an envelope's byline wins
    bool had_by = story->by != NULL;
    for (xmlNodePtr child = xml_first_element (head); child; child = xml_next_element (child)) {
        if (xml_is (child, "hedline") || xml_is (child, "headline")) {
            bool main_set = story_headline (story) != NULL;
            for (xmlNodePtr line = xml_first_element (child); line; line = xml_next_element (line)) {
                char *text = xml_text_spaced (line);
                if (text) {
                    if (xml_is (line, "hl1") && !main_set) {
                        story_add_text (&story->headlines, "main", "text/plain", text);
                        main_set = true;
                    }
                    else
                    if (xml_is (line, "hl2"))
                        xmlstory_headline (story, "sub", text);
                }
                free (text);
            }
        }
        else
        if (xml_is (child, "byline") && !had_by) {
            char *byline = s_byline (child);
            if (byline && !story->by)
                story->by = byline;
            else
            if (byline && !strstr (story->by, byline)) {
                //  Several bylines (several authors)
                xmlstory_append (&story->by, byline, "; ");
                free (byline);
            }
            else
                free (byline);
        }
        else
        if (xml_is (child, "dateline")) {
            char *text = xml_text_spaced (child);
            xmlNodePtr location = xml_child (child, "location");
            xmlNodePtr date = xml_child (child, "story.date");
            char *place = location ? xml_text_spaced (location) : NULL;
            if (!location && !date)
                place = text ? xstrdup (text) : NULL;
            char *city = location ? xml_path_text (location, "city") : NULL;
            if (date) {
                char *norm = xml_attr (date, "norm");
                char *shown = xml_text_spaced (date);
                xmlstory_set (&story->dateline.date, shown ? shown : norm);
                free (norm);
                free (shown);
            }
            //  A dateline holding only a date is not much of a dateline
            if (place || (text && !date))
                xmlstory_set (&story->dateline.text, text);
            xmlstory_set (&story->dateline.place, place);
            xmlstory_set (&story->located, city ? city : place);
            free (text);
            free (place);
            free (city);
        }
        else
        if (xml_is (child, "abstract")) {
            bool present = false;
            for (size_t i = 0; i < story->descriptions.len; i++)
                if (str_ieq (story->descriptions.items [i].role, "summary"))
                    present = true;
            char *text = xml_text_spaced (child);
            if (text && !present)
                story_add_text (&story->descriptions, "summary", "text/plain", text);
            free (text);
        }
        else
        if (xml_is (child, "distributor")) {
            char *name = xml_text_spaced (child);
            story_concept_t *concept = xmlstory_concept (&story->infosources, name, NULL, NULL);
            if (concept && !concept->role)
                concept->role = xstrdup ("provider");
            free (name);
        }
        else
        if (xml_is (child, "note")) {
            char *text = xml_text_spaced (child);
            xmlstory_append (&story->ednote, text, " ");
            free (text);
        }
        else
        if (xml_is (child, "rights")) {
            char *owner = xml_path_text (child, "rights.owner");
            xmlstory_set (&story->copyrightholder, owner);
            free (owner);
        }
    }
}

//  --------------------------------------------------------------------------
//  Map the NITF head and body.head into the story.
void
nitfbody_head (story_t *story, xmlNodePtr nitf)
{
    if (!nitf)
        return;
    char *lang = xml_attr (nitf, "baselang");
    if (!lang)
        lang = xml_lang (nitf);
    xmlstory_set (&story->language, lang);
    free (lang);

    xmlNodePtr head = xml_child (nitf, "head");
    xmlNodePtr body = xml_child (nitf, "body");
    char *release = NULL;
    char *first = NULL;
    char *title = NULL;
    for (xmlNodePtr child = xml_first_element (head); child; child = xml_next_element (child)) {
        if (xml_is (child, "title") && !title)
            title = xml_text_spaced (child);
        else
        if (xml_is (child, "meta"))
            s_meta (story, child);
        else
        if (xml_is (child, "tobject"))
            s_tobject (story, child);
        else
        if (xml_is (child, "docdata"))
            s_docdata (story, child, &release, &first);
        else
        if (xml_is (child, "revision-history")) {
            char *norm = xml_attr (child, "norm");
            if (norm && !first)
                first = norm;
            else
                free (norm);
        }
        else
        if (xml_is (child, "urgency") && !story->urgency) {
            //  Some providers put urgency in head rather than docdata
            char *urgency = xml_attr (child, "ed-urg");
            story->urgency = xmlstory_int (urgency, 1, 9);
            free (urgency);
        }
    }
    s_body_head (story, xml_child (body, "body.head"));
    if (!story_headline (story) && title)
        story_add_text (&story->headlines, "main", "text/plain", title);
    free (title);

    //  firstcreated: the first revision-history date, else the issue date
    if (first)
        xmlstory_date (story, &story->firstcreated, "firstcreated", first);
    else
    if (story->versioncreated && !story->firstcreated)
        xmlstory_date (story, &story->firstcreated, "firstcreated", story->versioncreated);
    //  A release date later than the issue date (or an embargoed status) is
    //  an embargo
    if (release) {
        //  Templates ("YYYYMMDD000000-HHMM") and junk are no embargo
        const char *status = story_extra (story, "nitf-management-status");
        int order = xmlstory_date_compare (release, story->versioncreated);
        bool readable = xmlstory_date_compare (release, release) == 0;
        if (readable && ((status && strcmp (status, "embargoed") == 0) || order == 1))
            xmlstory_date (story, &story->embargoed, "embargoed", release);
        else
            story_set_rawdate (story, "release", release);
    }
    free (release);
    free (first);
}

//  --------------------------------------------------------------------------
//  Add body.content and the body.end tagline to the body.
void
nitfbody_content (bodytext_t *body, story_t *story, xmlNodePtr nitf)
{
    xmlNodePtr nbody = xml_child (nitf, "body");
    if (!nbody)
        return;
    bodytext_set_entity_fn (body, s_entity_fn, story);
    for (xmlNodePtr child = xml_first_element (nbody); child; child = xml_next_element (child)) {
        if (xml_is (child, "body.content")) {
            //  <lang lang="it"/> markers give the language when nothing else did
            if (!story->language) {
                xmlNodePtr lang = xml_find (child, "lang");
                char *code = lang ? xml_attr (lang, "lang") : NULL;
                xmlstory_set (&story->language, code);
                free (code);
            }
            bodytext_add_xml (body, child);
        }
        else
        if (xml_is (child, "body.end")) {
            for (xmlNodePtr end = xml_first_element (child); end; end = xml_next_element (end)) {
                if (xml_is (end, "tagline") || xml_is (end, "bibliography")) {
                    char *text = xml_text_spaced (end);
                    bodytext_add_paragraph (body, text);
                    free (text);
                }
            }
        }
    }
    bodytext_set_entity_fn (body, NULL, NULL);
    const char *byline = bodytext_byline (body);
    if (byline && !story->by)
        story->by = xstrdup (byline);
}
