//  SPDX-License-Identifier: MIT
//  story - one news story as it moves through the pipeline
//
//  The canonical record: IPTC ninjs 2.2 property names (lower case, flat),
//  plus copydesk's extensions (keywords, priority, dateline, signals, links,
//  extra, ingest). See docs/story.md for every field, who sets it and the
//  rules it follows. The struct is public so parsers and stages can fill it
//  directly; every string it holds is owned by the story (set them with
//  str_set / the story_add_* helpers, never assign borrowed pointers).
//
//  Integer fields use 0 (urgency, priority) or -1 (counts, index, relevance)
//  for "unset", as documented per field. Unset strings are NULL.

#ifndef COPYDESK_STORY_H
#define COPYDESK_STORY_H

//  headlines, descriptions, bodies: {role, contenttype, value}
typedef struct {
    char *role;                 //  main, sub, short, summary, preformatted...
    char *contenttype;          //  text/plain or text/html
    char *value;                //  The text itself
    int charcount;              //  Bodies: characters, -1 if unset
    int wordcount;              //  Bodies: words, -1 if unset
} story_text_t;

//  subjects, genres, places, people, organisations, events, infosources
typedef struct {
    char *name;                 //  Human-readable name
    char *rel;                  //  Relationship (not for genres/infosources)
    char *role;                 //  infosources only: provider, source, feed
    char *uri;                  //  Full URI of the concept, if known
    char *literal;              //  scheme:code, e.g. "subj:15054000", "iso3166:FR"
    char *creator;              //  subjects: who assigned it ("classify")
    int relevance;              //  subjects: 0-100, -1 if unset
    int confidence;             //  subjects: 0-100, -1 if unset
} story_concept_t;

typedef struct {
    char *role;                 //  nitf-doc-id, anpa-sequence, rss-link...
    char *value;
} story_altid_t;

typedef struct {
    char *rel;                  //  previous-version, updates, corrects, see-also...
    char *uri;
    char *version;              //  Version of the linked item, if known
} story_link_t;

typedef struct {
    char *name;                 //  Rendition name (thumbnail, original...)
    char *href;
    char *contenttype;
    char *title;
    int width;                  //  -1 if unset
    int height;                 //  -1 if unset
    int64_t sizeinbytes;        //  -1 if unset
} story_rendition_t;

typedef struct {
    char *key;
    char *value;
} story_pair_t;

typedef VEC (story_text_t) story_textv_t;
typedef VEC (story_concept_t) story_conceptv_t;
typedef VEC (story_altid_t) story_altidv_t;
typedef VEC (story_link_t) story_linkv_t;
typedef VEC (story_rendition_t) story_renditionv_t;
typedef VEC (story_pair_t) story_pairv_t;

typedef struct {
    //  ninjs 2.2 properties
    char *uri;                  //  Stable identity across versions (required)
    char *type;                 //  text, picture, video, audio, graphic, composite
    char *version;              //  Provider's version, as a string
    char *versioncreated;       //  RFC 3339 UTC once normalized
    char *firstcreated;
    char *contentcreated;
    char *embargoed;
    char *expires;
    char *pubstatus;            //  usable, withheld, canceled
    int urgency;                //  1-9, 0 if unset
    story_textv_t headlines;
    story_textv_t descriptions;
    story_textv_t bodies;
    char *by;                   //  Byline as printed
    char *located;              //  Dateline place
    char *slugline;
    char *language;             //  BCP 47
    story_conceptv_t subjects;
    story_conceptv_t genres;
    story_conceptv_t places;
    story_conceptv_t people;
    story_conceptv_t organisations;
    story_conceptv_t events;
    story_conceptv_t infosources;
    char *copyrightholder;
    char *copyrightnotice;
    char *usageterms;
    char *ednote;
    story_altidv_t altids;
    story_renditionv_t renditions;

    //  copydesk extensions
    strv_t keywords;
    int priority;               //  Transmission priority 1-6, 0 if unset
    struct {
        char *text;             //  Full dateline as printed
        char *place;
        char *date;             //  Date part as printed
        char *source;           //  Agency in the dateline, e.g. "AP"
    } dateline;
    strv_t signals;             //  update, correction, writethru, kill...
    story_linkv_t links;
    story_pairv_t extra;        //  Provider metadata we do not model
    struct {
        char *format;           //  nitf, newsml-g2, reuters-sgml, ...
        char *parser;           //  Parser name and version
        char *provider;         //  Source name given at push / feed config
        char *channel;          //  Feed URL or spool folder
        char *received;         //  RFC 3339 arrival time
        char *origin;           //  File name or URL of the raw document
        char *sha256;           //  Of the raw item bytes
        char *charset;          //  Charset decoded from (detected/declared)
        int index;              //  Position in a multi-item document, -1 unset
        story_pairv_t rawdates; //  field -> date string as received
        strv_t warnings;        //  no-headline, tz-assumed:..., charset-fallback:...
    } ingest;
} story_t;

//  Create an empty story. Caller owns it.
story_t *
    story_new (void);

//  Destroy the story and nullify the reference. Safe on NULL.
void
    story_destroy (story_t **self_p);

//  Deep copy. Caller owns the copy.
story_t *
    story_dup (const story_t *self);

//  Append a text object (headline, description or body) and return it. The
//  strings are copied; contenttype defaults to text/plain when NULL.
story_text_t *
    story_add_text (story_textv_t *list, const char *role,
                    const char *contenttype, const char *value);

//  Append a concept with the given name (may be NULL) and return it, for the
//  caller to set more fields with str_set. relevance/confidence start at -1.
story_concept_t *
    story_add_concept (story_conceptv_t *list, const char *name);

//  Find a concept by literal or, failing that, by uri. NULL if none.
story_concept_t *
    story_find_concept (story_conceptv_t *list, const char *literal);

//  Append an alternative id, unless the same (role, value) is present.
void
    story_add_altid (story_t *self, const char *role, const char *value);

//  Append a link between stories/versions. version may be NULL.
void
    story_add_link (story_t *self, const char *rel, const char *uri, const char *version);

//  Append a rendition and return it, for the caller to fill.
story_rendition_t *
    story_add_rendition (story_t *self, const char *name, const char *href);

//  Add a keyword / signal / warning unless already present.
void
    story_add_keyword (story_t *self, const char *keyword);
void
    story_add_signal (story_t *self, const char *signal);
void
    story_add_warning (story_t *self, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

//  Set (or replace) extra[key] = value.
void
    story_set_extra (story_t *self, const char *key, const char *value);
//  Look up extra[key]; NULL if absent. The story keeps ownership.
const char *
    story_extra (const story_t *self, const char *key);

//  Record the raw text of a date field (ingest.rawdates[field] = raw).
void
    story_set_rawdate (story_t *self, const char *field, const char *raw);
const char *
    story_rawdate (const story_t *self, const char *field);

//  Set a pair in a pair list (replacing an existing key).
void
    story_pairs_set (story_pairv_t *list, const char *key, const char *value);
const char *
    story_pairs_get (const story_pairv_t *list, const char *key);

//  The main headline: role "main", else the first one. NULL if none.
const char *
    story_headline (const story_t *self);

//  The main plain-text body: role main/preformatted and text/plain, else the
//  first text/plain body. NULL if none. The story keeps ownership.
const char *
    story_body (const story_t *self);
//  The same, as the body object (or NULL).
story_text_t *
    story_body_text (story_t *self);

#endif
