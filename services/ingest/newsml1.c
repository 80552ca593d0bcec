//  SPDX-License-Identifier: MIT
//  newsml1 - NewsML 1.x documents (1.2 and the 1.0-era files)
//
//  A <NewsML> holds a NewsEnvelope and one or more NewsItems (Version may
//  be absent; a namespace, a DOCTYPE with internal entities, CDATA and
//  ISO-8859-1/15 bytes all occur). One story per NewsItem, except that a
//  NewsItem whose top NewsComponent holds several complete components in
//  different languages (Belga: one per translation, each with its own
//  NewsLines and text) gives one story per language, uri suffixed "#<lang>".
//
//  Mapping (formats.md §3.3):
//    uri         PublicIdentifier without its ":<RevisionId>[AUN]" suffix
//                when it names the item, else
//                "urn:newsml:{ProviderId}:{DateId}:{NewsItemId}", else (no
//                NewsItemId) the same with the component's Duid;
//                altids[newsml-publicidentifier] keeps the original.
//    version     RevisionId text; PreviousRevision > 0 -> links
//                [previous-version] with that version; Update "U" or "A"
//                -> signal update (raw:newsml-update:U).
//    management  FirstCreated, ThisRevisionCreated -> firstcreated,
//                versioncreated (raw strings + ingest.rawdates); Status
//                case-folded -> pubstatus (unknown words such as OPEN count
//                as usable with warning "unknown-status:OPEN");
//                Urgency@FormalName or its text -> urgency ("DEFAULT" is
//                none); StatusWillChange/DateAndTime -> embargoed;
//                NewsItemType Alert/Advisory/Flash and Instruction -> signals;
//                AssociatedWith -> links[see-also].
//    envelope    Priority -> priority; TransmissionId -> altids
//                [transmission]; DateAndTime -> rawdates "envelope", and
//                ingest.received when the transport gave none and it is
//                RFC 3339.
//    NewsLines   HeadLine -> headlines main (empty ones ignored),
//                SubHeadLine -> sub; ByLine (+ ByLineTitle) -> by; DateLine
//                free text -> dateline.text; CopyrightLine -> copyrightnotice;
//                SlugLine -> slugline (NameLabel when none); KeywordLine ->
//                keywords; NewsLine AdvisoryLine/EditorialNote -> ednote,
//                CatchWord -> slugline when none, others -> extra
//                "newsline:<type>"; CreditLine -> extra.
//    metadata    Provider/Source parties -> infosources; Creator parties ->
//                by when no ByLine; UsageRights/UsageType -> usageterms;
//                Copyright/CopyrightHolder -> copyrightholder; Language;
//                Genre -> genres; SubjectCode Subject/SubjectMatter/
//                SubjectDetail and TopicSet topics -> subjects ("subj:<code>"
//                for IPTC codes, "<Scheme>:<code>" otherwise); Location
//                properties -> places (Country as iso3166 literal) and
//                located (City of the origin); DateLineDate ->
//                dateline.date; Property Keyword -> keywords; other
//                properties -> extra "newsml:<name>".
//    content     Nested NewsComponents are walked; a component whose Role
//                or MediaType is a photo, graphic, logo, video or audio is
//                left out, as are style sheets. Text ContentItems (MediaType
//                Text, or a text/NITF/HTML/XHTML MimeType or Format) make the
//                body, in document order, unless their component's Role says
//                HeadLine/Title (headline when NewsLines have none),
//                Abstract/Lead/Summary (descriptions[summary]), Caption or
//                Contact (extra "contact"). DataContent may hold NITF (its
//                head fills what NewsML left empty), XHTML, other XML, HTML
//                in CDATA or escaped, or plain text (bodytext.h builds the
//                bodies). A NewsItem with only photos and captions is a
//                picture: skipped, no story.
//  One bad NewsItem (no NewsComponent, or neither headline nor text) is
//  dead-lettered and its siblings go on.

#include "common.h"
#include "ingest/parsers.h"
#include "ingest/nitfbody.h"
#include "ingest/xmlstory.h"

//  The document-wide envelope
typedef struct {
    ingest_t *ctx;
    int priority;               //  NewsEnvelope/Priority
    char *date;                 //  NewsEnvelope/DateAndTime
    char *transmission;         //  NewsEnvelope/TransmissionId
    char *products;             //  NewsService/NewsProduct names
    int items;                  //  NewsItems in the document
} nml_t;

//  What one story gathers while its components are walked
typedef struct {
    story_t *story;
    bodytext_t *body;
    char *headline;             //  From a HeadLine/Title component
    char *creators;             //  Creator parties, for by
    int media;                  //  Media components/items met
    int captions;               //  Caption texts met
} gather_t;

//  Roles of components that are not text of the story
static const char *s_media_roles [] = {
    "photo", "picture", "image", "graphic", "graphics", "logo", "video", "audio",
    "sound", "clip", "thumbnail", "preview", "quicklook", "sketch", "highres", "lowres",
    "viewimage", "icon", "animation", "multimedia", "media"
};

//  Media types that are not text
static const char *s_media_types [] = {
    "photo", "picture", "image", "graphic", "video", "audio", "sound", "animation"
};

//  True if word is in list (ASCII case-insensitive)
static bool
s_in (const char *word, const char **list, size_t count)
{
    if (!word)
        return false;
    for (size_t i = 0; i < count; i++)
        if (str_ieq (word, list [i]))
            return true;
    return false;
}

//  The FormalName attribute of a child element, or NULL. Caller frees.
static char *
s_formal (xmlNodePtr node, const char *child)
{
    return xml_attr (child ? xml_child (node, child) : node, "FormalName");
}

//  --------------------------------------------------------------------------
//  Identification and management

//  "urn:newsml:afp.com:20141126T...:TX-PAR-X:1" -> without ":1" (and an
//  "A"/"U"/"N" update letter); NULL when it does not end with the revision
static char *
s_strip_revision (const char *id, const char *revision)
{
    const char *colon = strrchr (id, ':');
    if (!colon || colon == id)
        return NULL;
    const char *tail = colon + 1;
    size_t len = strlen (tail);
    if (len && strchr ("AUNaun", tail [len - 1]) && len > 1)
        len--;
    bool digits = len > 0;
    for (size_t i = 0; i < len; i++)
        if (!isdigit ((unsigned char) tail [i]))
            digits = false;
    if (!digits)
        return NULL;
    if (revision && (strlen (revision) != len || strncmp (tail, revision, len) != 0))
        return NULL;
    return xstrndup (id, (size_t) (colon - id));
}

//  uri, version, links and signals from Identification/NewsIdentifier.
//  Returns the base uri (caller frees), or NULL.
static char *
s_identification (story_t *story, xmlNodePtr item, const char *duid)
{
    xmlNodePtr ident = xml_path (item, "Identification/NewsIdentifier");
    char *provider = xml_path_text (ident, "ProviderId");
    char *date = xml_path_text (ident, "DateId");
    char *item_id = xml_path_text (ident, "NewsItemId");
    xmlNodePtr revision_node = xml_child (ident, "RevisionId");
    char *revision = xml_text (revision_node);
    char *public_id = xml_path_text (ident, "PublicIdentifier");
    char *uri = NULL;

    if (public_id) {
        xmlstory_altid (story, "newsml-publicidentifier", public_id);
        if (str_starts (public_id, "urn:newsml:")
        &&  (!item_id || strstr (public_id, item_id))) {
            uri = s_strip_revision (public_id, revision);
            //  A PublicIdentifier without revision suffix names the item itself
            if (!uri && (!revision || !item_id))
                uri = xstrdup (public_id);
            if (!uri && item_id) {
                const char *tail = strrchr (public_id, ':');
                if (tail && strcmp (tail + 1, item_id) == 0)
                    uri = xstrdup (public_id);
            }
        }
    }
    if (!uri && provider && (item_id || duid))
        uri = xasprintf ("urn:newsml:%s:%s:%s", provider, date ? date : "",
                         item_id ? item_id : duid);
    if (!uri && public_id && !str_starts (public_id, "urn:newsml:"))
        uri = xstrdup (public_id);

    str_set (&story->version, revision);
    if (revision_node) {
        char *previous = xml_attr (revision_node, "PreviousRevision");
        char *update = xml_attr (revision_node, "Update");
        if (uri && xmlstory_int (previous, 1, INT_MAX))
            xmlstory_link (story, "previous-version", uri, previous);
        if (update && (str_ieq (update, "U") || str_ieq (update, "A"))) {
            story_add_signal (story, "update");
            char raw [64];
            snprintf (raw, sizeof raw, "raw:newsml-update:%s", update);
            story_add_signal (story, raw);
        }
        free (previous);
        free (update);
    }
    if (item_id)
        xmlstory_altid (story, "newsml-newsitemid", item_id);
    char *label = xml_path_text (item, "Identification/NameLabel");
    if (label)
        xmlstory_extra (story, "newsml-namelabel", label);
    free (label);
    free (provider);
    free (date);
    free (item_id);
    free (revision);
    free (public_id);
    return uri;
}

//  NewsManagement: type, dates, status, urgency, embargo, instructions
static void
s_management (story_t *story, xmlNodePtr management)
{
    for (xmlNodePtr child = xml_first_element (management); child;
         child = xml_next_element (child)) {
        if (xml_is (child, "NewsItemType")) {
            char *type = s_formal (child, NULL);
            if (type) {
                xmlstory_extra (story, "newsml-newsitemtype", type);
                if (str_ieq (type, "Alert") || str_ieq (type, "Flash")
                ||  str_ieq (type, "Advisory"))
                    xmlstory_signal (story, type);
            }
            free (type);
        }
        else
        if (xml_is (child, "FirstCreated")) {
            char *text = xml_text (child);
            xmlstory_date (story, &story->firstcreated, "firstcreated", text);
            free (text);
        }
        else
        if (xml_is (child, "ThisRevisionCreated")) {
            char *text = xml_text (child);
            xmlstory_date (story, &story->versioncreated, "versioncreated", text);
            free (text);
        }
        else
        if (xml_is (child, "Status")) {
            char *status = s_formal (child, NULL);
            if (!status)
                status = xml_text (child);
            const char *pubstatus = xmlstory_pubstatus (status);
            if (pubstatus)
                xmlstory_set (&story->pubstatus, pubstatus);
            else
            if (status) {
                xmlstory_set (&story->pubstatus, "usable");
                story_add_warning (story, "unknown-status:%s", status);
            }
            if (pubstatus && strcmp (pubstatus, "canceled") == 0)
                story_add_signal (story, "kill");
            free (status);
        }
        else
        if (xml_is (child, "Urgency")) {
            char *urgency = s_formal (child, NULL);
            if (!urgency)
                urgency = xml_text (child);
            if (!story->urgency)
                story->urgency = xmlstory_int (urgency, 1, 9);
            free (urgency);
        }
        else
        if (xml_is (child, "StatusWillChange")) {
            char *future = s_formal (child, "FutureStatus");
            char *when = xml_path_text (child, "DateAndTime");
            const char *status = xmlstory_pubstatus (future);
            if (!future || (status && strcmp (status, "usable") == 0))
                xmlstory_date (story, &story->embargoed, "embargoed", when);
            free (future);
            free (when);
        }
        else
        if (xml_is (child, "Instruction")) {
            char *instruction = s_formal (child, NULL);
            if (instruction && !xmlstory_signal (story, instruction))
                xmlstory_extra (story, "newsml-instruction", instruction);
            free (instruction);
        }
        else
        if (xml_is (child, "AssociatedWith")) {
            char *target = xml_attr (child, "NewsItem");
            if (target)
                xmlstory_link (story, "see-also", target, NULL);
            free (target);
        }
    }
}

//  --------------------------------------------------------------------------
//  Component metadata

//  Party FormalName values of the Party children of node
static void
s_parties (xmlNodePtr node, void (*fn) (void *, const char *), void *arg)
{
    for (xmlNodePtr party = xml_child (node, "Party"); party; party = xml_next (party, "Party")) {
        char *name = s_formal (party, NULL);
        if (name)
            fn (arg, name);
        free (name);
    }
}

//  Party callbacks: provider, source, creator
static void
s_add_provider (void *arg, const char *name)
{
    story_concept_t *concept = xmlstory_concept (&((story_t *) arg)->infosources, name, NULL, NULL);
    if (concept && !concept->role)
        concept->role = xstrdup ("provider");
}

//  A source party
static void
s_add_source (void *arg, const char *name)
{
    story_concept_t *concept = xmlstory_concept (&((story_t *) arg)->infosources, name, NULL, NULL);
    if (concept && !concept->role)
        concept->role = xstrdup ("source");
}

//  A creator party, for the byline
static void
s_add_creator (void *arg, const char *name)
{
    xmlstory_append ((char **) arg, name, ", ");
}

//  NewsLines: headlines, byline, dateline, slug, keywords, notes
static void
s_news_lines (gather_t *g, xmlNodePtr lines)
{
    story_t *story = g->story;
    char *byline = NULL;
    char *byline_title = NULL;
    for (xmlNodePtr child = xml_first_element (lines); child; child = xml_next_element (child)) {
        if (xml_is (child, "HeadLine")) {
            char *text = xml_text_spaced (child);
            if (text && !story_headline (story))
                story_add_text (&story->headlines, "main", "text/plain", text);
            free (text);
        }
        else
        if (xml_is (child, "SubHeadLine")) {
            char *text = xml_text_spaced (child);
            xmlstory_headline (story, "sub", text);
            free (text);
        }
        else
        if (xml_is (child, "ByLine")) {
            if (!byline)
                byline = xml_text_spaced (child);
        }
        else
        if (xml_is (child, "ByLineTitle")) {
            if (!byline_title)
                byline_title = xml_text_spaced (child);
        }
        else
        if (xml_is (child, "DateLine")) {
            char *text = xml_text_spaced (child);
            xmlstory_set (&story->dateline.text, text);
            free (text);
        }
        else
        if (xml_is (child, "CopyrightLine")) {
            char *text = xml_text_spaced (child);
            xmlstory_set (&story->copyrightnotice, text);
            free (text);
        }
        else
        if (xml_is (child, "RightsLine")) {
            char *text = xml_text_spaced (child);
            xmlstory_set (&story->usageterms, text);
            free (text);
        }
        else
        if (xml_is (child, "SlugLine")) {
            char *text = xml_text_spaced (child);
            xmlstory_set (&story->slugline, text);
            free (text);
        }
        else
        if (xml_is (child, "KeywordLine")) {
            char *text = xml_text_spaced (child);
            xmlstory_keyword (story, text);
            free (text);
        }
        else
        if (xml_is (child, "CreditLine")) {
            char *text = xml_text_spaced (child);
            if (text && !story_extra (story, "creditline"))
                xmlstory_extra (story, "creditline", text);
            free (text);
        }
        else
        if (xml_is (child, "NewsLine")) {
            char *type = s_formal (child, "NewsLineType");
            char *text = xml_path_text (child, "NewsLineText");
            if (text) {
                if (type && (str_ieq (type, "AdvisoryLine") || str_ieq (type, "EditorialNote")
                         ||  str_ieq (type, "EdNote")))
                    xmlstory_append (&story->ednote, text, " ");
                else
                if (type && (str_ieq (type, "CatchWord") || str_ieq (type, "CatchLine"))
                &&  !story->slugline)
                    story->slugline = xstrdup (text);         //  SDA/ATS Stichwort
                else {
                    char key [96];
                    snprintf (key, sizeof key, "newsline:%s", type ? type : "text");
                    xmlstory_extra (story, key, text);
                }
            }
            free (type);
            free (text);
        }
        else
        if (xml_is (child, "MoreLink")) {
            char *text = xml_text (child);
            if (text)
                xmlstory_extra (story, "newsml-morelink", text);
            free (text);
        }
    }
    if (byline && !story->by) {
        story->by = byline_title ? xasprintf ("%s, %s", byline, byline_title) : byline;
        if (byline_title)
            free (byline);
    }
    else
        free (byline);
    free (byline_title);
}

//  A subject code: "subj:<8 digits>", else "<scheme>:<code>", else a name
static void
s_subject_code (story_t *story, const char *code, const char *scheme, const char *name)
{
    if (str_empty (code))
        return;
    bool iptc = strlen (code) == 8;
    for (const char *p = code; *p && iptc; p++)
        if (!isdigit ((unsigned char) *p))
            iptc = false;
    char *literal = NULL;
    if (iptc)
        literal = xasprintf ("subj:%s", code);
    else
    if (scheme && !strchr (scheme, ':') && !strchr (scheme, '/'))
        literal = xasprintf ("%s:%s", scheme, code);
    xmlstory_concept (&story->subjects, literal ? name : (name ? name : code), literal, NULL);
    free (literal);
}

//  A Location: places (country as ISO literal) and located
static void
s_location (gather_t *g, xmlNodePtr location)
{
    story_t *story = g->story;
    char *city = NULL, *country = NULL, *area = NULL;
    for (xmlNodePtr property = xml_child (location, "Property"); property;
         property = xml_next (property, "Property")) {
        char *name = s_formal (property, NULL);
        char *value = xml_attr (property, "Value");
        if (name && value) {
            if (str_ieq (name, "City") && !city) {
                city = value;
                value = NULL;
            }
            else
            if ((str_ieq (name, "Country") || str_ieq (name, "CountryCode")) && !country) {
                country = value;
                value = NULL;
            }
            else
            if ((str_ieq (name, "Area") || str_ieq (name, "CountryArea")
             ||  str_ieq (name, "Region")) && !area) {
                area = value;
                value = NULL;
            }
        }
        free (name);
        free (value);
    }
    char *how = xml_attr (location, "HowPresent");
    if (city) {
        xmlstory_concept (&story->places, city, NULL, NULL);
        if (!how || str_ieq (how, "Origin"))
            xmlstory_set (&story->located, city);
    }
    else
    if (area)
        xmlstory_concept (&story->places, area, NULL, NULL);
    if (country) {
        char literal [32];
        xmlstory_concept (&story->places, country,
                          xmlstory_country_literal (country, literal, sizeof literal), NULL);
    }
    free (how);
    free (city);
    free (country);
    free (area);
}

//  DescriptiveMetadata: language, genres, subjects, places, keywords
static void
s_descriptive (gather_t *g, xmlNodePtr meta)
{
    story_t *story = g->story;
    char *city = NULL, *country = NULL;
    for (xmlNodePtr child = xml_first_element (meta); child; child = xml_next_element (child)) {
        if (xml_is (child, "Language")) {
            char *lang = s_formal (child, NULL);
            xmlstory_set (&story->language, lang);
            free (lang);
        }
        else
        if (xml_is (child, "Genre")) {
            char *genre = s_formal (child, NULL);
            xmlstory_concept (&story->genres, genre, NULL, NULL);
            free (genre);
        }
        else
        if (xml_is (child, "SubjectCode")) {
            for (xmlNodePtr code = xml_first_element (child); code; code = xml_next_element (code)) {
                if (!xml_is (code, "Subject") && !xml_is (code, "SubjectMatter")
                &&  !xml_is (code, "SubjectDetail"))
                    continue;
                char *formal = s_formal (code, NULL);
                char *scheme = xml_attr (code, "Scheme");
                s_subject_code (story, formal, scheme, NULL);
                free (formal);
                free (scheme);
            }
        }
        else
        if (xml_is (child, "Location"))
            s_location (g, child);
        else
        if (xml_is (child, "DateLineDate")) {
            char *text = xml_text (child);
            xmlstory_set (&story->dateline.date, text);
            free (text);
        }
        else
        if (xml_is (child, "guid")) {
            char *text = xml_text (child);
            xmlstory_altid (story, "newsml-guid", text);
            free (text);
        }
        else
        if (xml_is (child, "Property")) {
            char *name = s_formal (child, NULL);
            char *value = xml_attr (child, "Value");
            if (name && value) {
                if (str_ieq (name, "Keyword") || str_ieq (name, "Keywords")) {
                    //  "Tennis;TENNIS-NIEUWS" holds several
                    char *copy = xstrdup (value);
                    char *save = NULL;
                    for (char *word = strtok_r (copy, ";", &save); word;
                         word = strtok_r (NULL, ";", &save)) {
                        while (isspace ((unsigned char) *word))
                            word++;
                        size_t len = strlen (word);
                        while (len && isspace ((unsigned char) word [len - 1]))
                            word [--len] = 0;
                        xmlstory_keyword (story, word);
                    }
                    free (copy);
                }
                else
                if (str_ieq (name, "City") && !city) {
                    city = value;
                    value = NULL;
                }
                else
                if (str_ieq (name, "Country") && !country) {
                    country = value;
                    value = NULL;
                }
                else {
                    char key [128];
                    snprintf (key, sizeof key, "newsml:%s", name);
                    if (!story_extra (story, key))
                        xmlstory_extra (story, key, value);
                }
            }
            free (name);
            free (value);
        }
    }
    //  City and Country given as plain properties (ANA)
    if (city) {
        xmlstory_concept (&story->places, city, NULL, NULL);
        xmlstory_set (&story->located, city);
    }
    if (country) {
        char literal [32];
        xmlstory_concept (&story->places, country,
                          xmlstory_country_literal (country, literal, sizeof literal), NULL);
    }
    free (city);
    free (country);
}

//  AdministrativeMetadata: provider, source, creator parties
static void
s_administrative (gather_t *g, xmlNodePtr meta)
{
    story_t *story = g->story;
    for (xmlNodePtr child = xml_first_element (meta); child; child = xml_next_element (child)) {
        if (xml_is (child, "Provider"))
            s_parties (child, s_add_provider, story);
        else
        if (xml_is (child, "Source"))
            s_parties (child, s_add_source, story);
        else
        if (xml_is (child, "Creator"))
            s_parties (child, s_add_creator, &g->creators);
        else
        if (xml_is (child, "FileName")) {
            char *text = xml_text (child);
            if (text)
                xmlstory_extra (story, "newsml-filename", text);
            free (text);
        }
    }
}

//  RightsMetadata: copyright holder, usage terms
static void
s_rights (story_t *story, xmlNodePtr meta)
{
    for (xmlNodePtr child = xml_first_element (meta); child; child = xml_next_element (child)) {
        if (xml_is (child, "Copyright")) {
            char *holder = xml_path_text (child, "CopyrightHolder");
            xmlstory_set (&story->copyrightholder, holder);
            free (holder);
        }
        else
        if (xml_is (child, "UsageRights")) {
            char *type = xml_path_text (child, "UsageType");
            xmlstory_set (&story->usageterms, type);
            free (type);
        }
    }
}

//  TopicSet/Topic with an IPTC subject FormalName
static void
s_topic_set (story_t *story, xmlNodePtr set)
{
    for (xmlNodePtr topic = xml_child (set, "Topic"); topic; topic = xml_next (topic, "Topic")) {
        xmlNodePtr formal = xml_child (topic, "FormalName");
        char *code = xml_text (formal);
        char *scheme = xml_attr (formal, "Scheme");
        char *name = NULL;
        for (xmlNodePtr description = xml_child (topic, "Description"); description;
             description = xml_next (description, "Description")) {
            char *variant = xml_attr (description, "Variant");
            char *lang = xml_attr (description, "lang");
            bool wanted = !variant || str_ieq (variant, "Name");
            bool language = !lang || (story->language && strncasecmp (lang, story->language, 2) == 0)
                         || str_ieq (lang, "en");
            if (wanted && language && !name)
                name = xml_text (description);
            free (variant);
            free (lang);
        }
        s_subject_code (story, code, scheme && strstr (scheme, "Subject") ? NULL : scheme, name);
        free (code);
        free (scheme);
        free (name);
    }
}

//  --------------------------------------------------------------------------
//  Content

//  Does a content item carry text (rather than a picture, a style sheet)?
static bool
s_text_item (xmlNodePtr item, bool *media)
{
    char *media_type = s_formal (item, "MediaType");
    char *mime = s_formal (item, "MimeType");
    char *format = s_formal (item, "Format");
    bool text = false;
    *media = false;
    if (media_type && s_in (media_type, s_media_types,
                            sizeof s_media_types / sizeof s_media_types [0]))
        *media = true;
    else
    if (mime && (str_starts (mime, "image/") || str_starts (mime, "video/")
             ||  str_starts (mime, "audio/")))
        *media = true;
    else
    if ((mime && strstr (mime, "css")) || (format && str_ieq (format, "CSS")))
        text = false;
    else
    if (media_type && str_ieq (media_type, "Text"))
        text = true;
    else
    if (mime && (str_starts (mime, "text/") || strstr (mime, "xml") || strstr (mime, "html")
             ||  strstr (mime, "NITF") || strstr (mime, "nitf")))
        text = true;
    else
    if (!mime && (!media_type || str_ieq (media_type, "ComplexData")))
        text = true;            //  Unlabelled DataContent: look at it
    free (media_type);
    free (mime);
    free (format);
    return text;
}

//  Add a DataContent to a body
static void
s_data_content (story_t *story, bodytext_t *body, xmlNodePtr data, const char *mime,
                const char *format)
{
    xmlNodePtr root = xml_first_element (data);
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
        bodytext_add_xml (body, data);
    else {
        xmlChar *content = xmlNodeGetContent (data);
        const char *text = (const char *) content;
        if (text) {
            bool html = (mime && strstr (mime, "html")) || (format && strstr (format, "HTML"))
                     || (format && strstr (format, "html")) || xmlstory_looks_html (text);
            if (html)
                bodytext_add_html (body, text, strlen (text));
            else
                bodytext_add_plain (body, text, strlen (text));
        }
        xmlFree (content);
    }
}

//  The text of a DataContent on one line (headline, abstract, contact)
static char *
s_data_text (xmlNodePtr data, const char *mime, const char *format)
{
    bodytext_t *text_body = bodytext_new ();
    story_t *scratch = story_new ();
    s_data_content (scratch, text_body, data, mime, format);
    char *plain = bodytext_plain (text_body, NULL);
    bodytext_destroy (&text_body);
    story_destroy (&scratch);
    for (char *p = plain; *p; p++)
        if (*p == '\n')
            *p = ' ';
    //  Collapse the blank lines left between paragraphs
    char *out = plain, *q = plain;
    bool space = false;
    for (; *q; q++) {
        if (*q == ' ') {
            space = out > plain;
            continue;
        }
        if (space)
            *out++ = ' ';
        space = false;
        *out++ = *q;
    }
    *out = 0;
    if (!*plain) {
        free (plain);
        return NULL;
    }
    return plain;
}

//  A ContentItem: body, headline, summary or note by its component's role
static void
s_content_item (gather_t *g, xmlNodePtr item, const char *role)
{
    bool media = false;
    xmlNodePtr data = xml_child (item, "DataContent");
    char *href = xml_attr (item, "Href");
    bool text = s_text_item (item, &media);
    free (href);
    if (media) {
        g->media++;
        return;
    }
    if (!text || !data)
        return;
    //  Encoded content (base64, zipped) is not text we can read
    char *notation = xml_attr (xml_child (item, "Encoding"), "Notation");
    if (notation && !str_ieq (notation, "none")) {
        story_add_warning (g->story, "newsml-encoded-content:%s", notation);
        free (notation);
        return;
    }
    free (notation);
    char *mime = s_formal (item, "MimeType");
    char *format = s_formal (item, "Format");
    story_t *story = g->story;
    if (role && (str_ieq (role, "HeadLine") || str_ieq (role, "Headline") || str_ieq (role, "Title"))) {
        char *headline = s_data_text (data, mime, format);
        xmlstory_set (&g->headline, headline);
        free (headline);
    }
    else
    if (role && (str_ieq (role, "Abstract") || str_ieq (role, "Lead") || str_ieq (role, "Summary")
             ||  str_ieq (role, "Teaser") || str_ieq (role, "Intro"))) {
        char *summary = s_data_text (data, mime, format);
        if (summary && story->descriptions.len < 64)
            story_add_text (&story->descriptions, "summary", "text/plain", summary);
        free (summary);
    }
    else
    if (role && (str_ieq (role, "Caption") || str_ieq (role, "Contact")
             ||  str_ieq (role, "Contacts"))) {
        char *note = s_data_text (data, mime, format);
        if (note) {
            if (str_ieq (role, "Caption")) {
                g->captions++;
                xmlstory_extra (story, "newsml-caption", note);
            }
            else
                xmlstory_extra (story, "contact", note);
        }
        free (note);
    }
    else
    if (role && (str_ieq (role, "StyleSheet") || str_ieq (role, "Style")))
        ;
    else {
        bodytext_set_headline (g->body, story_headline (story));
        s_data_content (story, g->body, data, mime, format);
    }
    free (mime);
    free (format);
}

//  A NewsComponent and everything under it
static void
s_component (gather_t *g, xmlNodePtr component, const char *parent_role, int depth)
{
    char *role = s_formal (component, "Role");
    if (role && s_in (role, s_media_roles, sizeof s_media_roles / sizeof s_media_roles [0])) {
        g->media++;
        free (role);
        return;
    }
    const char *effective = role ? role : parent_role;
    story_t *story = g->story;
    char *lang = xml_lang (component);
    xmlstory_set (&story->language, lang);
    free (lang);
    for (xmlNodePtr child = xml_first_element (component); child; child = xml_next_element (child)) {
        if (xml_is (child, "NewsLines"))
            s_news_lines (g, child);
        else
        if (xml_is (child, "AdministrativeMetadata"))
            s_administrative (g, child);
        else
        if (xml_is (child, "RightsMetadata"))
            s_rights (story, child);
        else
        if (xml_is (child, "DescriptiveMetadata") || xml_is (child, "DescriptiveMetada"))
            s_descriptive (g, child);
        else
        if (xml_is (child, "TopicSet"))
            s_topic_set (story, child);
        else
        if (xml_is (child, "ContentItem"))
            s_content_item (g, child, effective);
        else
        if (xml_is (child, "item_keywords")) {
            for (xmlNodePtr keyword = xml_child (child, "item_keyword"); keyword;
                 keyword = xml_next (keyword, "item_keyword")) {
                char *text = xml_text (keyword);
                xmlstory_keyword (story, text);
                free (text);
            }
        }
        else
        if (xml_is (child, "NewsComponent") && depth < 64)
            s_component (g, child, effective, depth + 1);
    }
    free (role);
}

//  Metadata only (no content) of the components above a story root
static void
s_component_metadata (gather_t *g, xmlNodePtr component)
{
    for (xmlNodePtr child = xml_first_element (component); child; child = xml_next_element (child)) {
        if (xml_is (child, "NewsLines"))
            s_news_lines (g, child);
        else
        if (xml_is (child, "AdministrativeMetadata"))
            s_administrative (g, child);
        else
        if (xml_is (child, "RightsMetadata"))
            s_rights (g->story, child);
        else
        if (xml_is (child, "DescriptiveMetadata") || xml_is (child, "DescriptiveMetada"))
            s_descriptive (g, child);
        else
        if (xml_is (child, "TopicSet"))
            s_topic_set (g->story, child);
    }
}

//  --------------------------------------------------------------------------
//  Story roots

//  The language of a component: xml:lang on it, else its Language
static char *
s_component_lang (xmlNodePtr component)
{
    char *lang = xml_attr (component, "lang");
    if (!lang)
        lang = xml_attr (xml_path (component, "DescriptiveMetadata/Language"), "FormalName");
    return lang;
}

//  Does the subtree hold a text ContentItem with DataContent?
static bool
s_has_text_content (xmlNodePtr component, int depth)
{
    if (depth > 64)
        return false;
    for (xmlNodePtr child = xml_first_element (component); child; child = xml_next_element (child)) {
        if (xml_is (child, "ContentItem")) {
            bool media = false;
            if (s_text_item (child, &media) && xml_child (child, "DataContent"))
                return true;
        }
        else
        if (xml_is (child, "NewsComponent") && s_has_text_content (child, depth + 1))
            return true;
    }
    return false;
}

//  Translations side by side: at least two child components, each with a
//  headline and text of its own, all in different languages
static bool
s_translations (xmlNodePtr top)
{
    size_t count = 0;
    strv_t langs = { 0 };
    bool ok = true;
    for (xmlNodePtr child = xml_child (top, "NewsComponent"); child && ok && count < 32;
         child = xml_next (child, "NewsComponent")) {
        char *lang = s_component_lang (child);
        char *headline = xml_path_text (child, "NewsLines/HeadLine");
        if (!lang || !headline || !s_has_text_content (child, 0) || !strv_add_unique (&langs, lang))
            ok = false;
        free (lang);
        free (headline);
        count++;
    }
    strv_free (&langs);
    return ok && count >= 2;
}

//  One story from a NewsItem (root = the component the story is made of;
//  above = the top component when root is one of its translations)
static void
s_story (nml_t *self, xmlNodePtr item, xmlNodePtr root, xmlNodePtr above,
         const char *bytes, size_t bytes_size)
{
    ingest_t *ctx = self->ctx;
    story_t *story = story_new ();
    gather_t g = { .story = story, .body = bodytext_new () };

    char *item_lang = xml_lang (item);
    char *duid = xml_attr (root, "Duid");
    char *base = s_identification (story, item, duid);
    s_management (story, xml_child (item, "NewsManagement"));

    if (base) {
        if (above) {
            char *lang = s_component_lang (root);
            story->uri = xasprintf ("%s#%s", base, lang ? lang : duid ? duid : "");
            free (lang);
        }
        else
            story->uri = xstrdup (base);
    }
    //  The story's own component first (its NewsLines win), then the one
    //  above it for what is left
    s_component (&g, root, NULL, 0);
    if (above)
        s_component_metadata (&g, above);
    if (!story->language && item_lang)
        story->language = xstrdup (item_lang);
    if (!story_headline (story) && g.headline)
        story_add_text (&story->headlines, "main", "text/plain", g.headline);
    if (!story->slugline) {
        const char *label = story_extra (story, "newsml-namelabel");
        xmlstory_set (&story->slugline, label);
    }
    if (!story->by && bodytext_byline (g.body))
        story->by = xstrdup (bodytext_byline (g.body));
    if (!story->by && g.creators)
        story->by = xstrdup (g.creators);

    bool empty = bodytext_empty (g.body);
    if (empty && g.media > 0) {
        ingest_skip (ctx, "NewsML 1 picture item (photos and captions, no text)");
        story_destroy (&story);
    }
    else
    if (empty && !story_headline (story)) {
        ingest_bad_item (ctx, bytes, bytes_size,
                         "NewsItem %s at line %ld has neither a headline nor text",
                         story->uri ? story->uri : "(no id)", xml_line (item));
        story_destroy (&story);
    }
    else {
        bodytext_to_story (g.body, story);
        xmlstory_provenance (ctx, story);
        if (self->priority && !story->priority)
            story->priority = self->priority;
        if (self->transmission)
            xmlstory_altid (story, "transmission", self->transmission);
        if (self->products)
            xmlstory_extra (story, "newsml-products", self->products);
        if (self->date) {
            story_set_rawdate (story, "envelope", self->date);
            if (!story->ingest.received && xmlstory_rfc3339 (self->date))
                story->ingest.received = xstrdup (self->date);
        }
        if (!story->uri) {
            char *provider = xml_path_text (item, "Identification/NewsIdentifier/ProviderId");
            xmlstory_derive_uri (story, provider, story->versioncreated);
            free (provider);
        }
        if (bytes)
            ingest_set_item (ctx, bytes, bytes_size);
        ingest_emit (ctx, &story);
    }
    bodytext_destroy (&g.body);
    free (g.headline);
    free (g.creators);
    free (item_lang);
    free (duid);
    free (base);
}

//  One NewsItem: one story (or one per translation), a skip, or a dead letter
static void
s_news_item (nml_t *self, xmlNodePtr item)
{
    size_t item_size = 0;
    char *item_bytes = self->items > 1 ? xml_outer_markup (item, &item_size) : NULL;
    xmlNodePtr top = xml_child (item, "NewsComponent");
    if (!top) {
        char *id = xml_path_text (item, "Identification/NewsIdentifier/PublicIdentifier");
        ingest_bad_item (self->ctx, item_bytes, item_size,
                         "NewsItem %s at line %ld has no NewsComponent",
                         id ? id : "(no id)", xml_line (item));
        free (id);
        free (item_bytes);
        return;
    }
    if (s_translations (top)) {
        for (xmlNodePtr child = xml_child (top, "NewsComponent"); child;
             child = xml_next (child, "NewsComponent")) {
            size_t size = 0;
            char *bytes = xml_outer_markup (child, &size);
            s_story (self, item, child, top, bytes, size);
            free (bytes);
        }
    }
    else
        s_story (self, item, top, NULL, item_bytes, item_size);
    free (item_bytes);
}

//  --------------------------------------------------------------------------
//  Parse a NewsML 1.x document: one story per NewsItem (or translation).
int
newsml1_parse (ingest_t *ctx, const uint8_t *data, size_t size)
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
    if (!xml_is (root, "NewsML")) {
        ingest_fail (ctx, "root element <%s> is not <NewsML>", (const char *) root->name);
        xmlFreeDoc (xml);
        return -1;
    }
    nml_t self = { .ctx = ctx };
    xmlNodePtr envelope = xml_child (root, "NewsEnvelope");
    char *priority = s_formal (envelope, "Priority");
    self.priority = xmlstory_int (priority, 1, 9);
    free (priority);
    self.date = xml_path_text (envelope, "DateAndTime");
    self.transmission = xml_path_text (envelope, "TransmissionId");
    for (xmlNodePtr child = xml_first_element (envelope); child; child = xml_next_element (child))
        if (xml_is (child, "NewsService") || xml_is (child, "NewsProduct")) {
            char *name = s_formal (child, NULL);
            xmlstory_append (&self.products, name, " ");
            free (name);
        }
    for (xmlNodePtr item = xml_child (root, "NewsItem"); item; item = xml_next (item, "NewsItem"))
        self.items++;
    int rc = 0;
    if (self.items == 0) {
        ingest_fail (ctx, "NewsML document holds no NewsItem");
        rc = -1;
    }
    for (xmlNodePtr item = xml_child (root, "NewsItem"); item; item = xml_next (item, "NewsItem"))
        s_news_item (&self, item);
    free (self.date);
    free (self.transmission);
    free (self.products);
    xmlFreeDoc (xml);
    return rc;
}
