//  SPDX-License-Identifier: MIT
//  normalize - the normalize stage: one story in, the same story made
//  canonical out (see normalize.h for the rules and config keys)

#include "common.h"
#include "lang.h"
#include "normalize/normalize.h"
#include "normalize/dateline.h"
#include "normalize/signals.h"

#define NORMALIZE_TOLERANCE 86400       //  Default future tolerance, seconds
#define NORMALIZE_SAMPLE    2048        //  Bytes of body for language detection

struct _normalize_t {
    config_t *config;           //  Configuration (not owned), may be NULL
    const char *timezone;       //  Default zone for dates without one
    int64_t tolerance;          //  Seconds a date may lie in the future
    bool detect_language;       //  Detect missing languages
    lang_t *lang;               //  Language detector
    int64_t now;                //  Fixed "now" for tests, 0 = wall clock
    char reason [256];          //  Why the last story failed
    normalize_stats_t stats;    //  Counters
};

//  --------------------------------------------------------------------------
//  Create a normalizer from the config (NULL: every default).

normalize_t *
normalize_new (config_t *config)
{
    normalize_t *self = (normalize_t *) xcalloc (1, sizeof (normalize_t));
    self->config = config;
    self->timezone = config ? config_get (config, "normalize/timezone", "UTC") : "UTC";
    self->tolerance = config ? config_int (config, "normalize/future_tolerance",
                                           NORMALIZE_TOLERANCE)
                             : NORMALIZE_TOLERANCE;
    if (self->tolerance < 0)
        self->tolerance = NORMALIZE_TOLERANCE;
    self->detect_language = config ? config_int (config, "normalize/detect_language", 1) != 0
                                   : true;
    if (self->detect_language)
        self->lang = lang_new (config ? config_get (config, "normalize/langdata", NULL) : NULL);
    return self;
}

//  --------------------------------------------------------------------------
//  Destroy and nullify.

void
normalize_destroy (normalize_t **self_p)
{
    assert (self_p);
    normalize_t *self = *self_p;
    if (!self)
        return;
    lang_destroy (&self->lang);
    free (self);
    *self_p = NULL;
}

void
normalize_set_now (normalize_t *self, int64_t now)
{
    assert (self);
    self->now = now;
}

const normalize_stats_t *
normalize_stats (normalize_t *self)
{
    assert (self);
    return &self->stats;
}

const char *
normalize_reason (normalize_t *self)
{
    assert (self);
    return self->reason;
}

static int64_t
s_now (normalize_t *self)
{
    return self->now ? self->now : (int64_t) time (NULL);
}

//  ==========================================================================
//  Strings

static void
    s_strip_junk_once (char *text);

//  Remove wire junk that survives as printable text: a literal "^M" at a
//  line end (a carriage return shown by an editor) and character
//  references to control characters ("&#3;" at the end of Reuters copy).
//  Works in place, until nothing more goes (a removal can join the parts
//  of another: "&#&#3;3;"). Returns true if anything was removed.
static bool
s_strip_junk (char *text)
{
    if (!text || !strpbrk (text, "^&"))
        return false;
    bool removed = false;
    while (true) {
        size_t before = strlen (text);
        s_strip_junk_once (text);
        if (strlen (text) == before)
            return removed;
        removed = true;
    }
}

//  One pass of s_strip_junk
static void
s_strip_junk_once (char *text)
{
    char *out = text;
    const char *p = text;
    while (*p) {
        if (p [0] == '^' && p [1] == 'M'
        && (p [2] == 0 || p [2] == '\n' || p [2] == '\r' || (p [2] == '^' && p [3] == 'M'))) {
            p += 2;
            continue;
        }
        if (p [0] == '&' && p [1] == '#') {
            const char *q = p + 2;
            bool hex = *q == 'x' || *q == 'X';
            if (hex)
                q++;
            long value = 0;
            int digits = 0;
            while (digits < 6 && (hex ? isxdigit ((unsigned char) *q) : isdigit ((unsigned char) *q))) {
                value = value * (hex ? 16 : 10)
                      + (isdigit ((unsigned char) *q) ? *q - '0' : (tolower ((unsigned char) *q) - 'a' + 10));
                q++;
                digits++;
            }
            if (digits > 0 && *q == ';'
            && ((value < 32 && value != 9 && value != 10 && value != 13)
                || value == 127 || (value >= 128 && value < 160 && value != 133))) {
                p = q + 1;
                continue;
            }
        }
        *out++ = *p++;
    }
    *out = 0;
}

//  Clean a one-line field in place: NULL when nothing is left
static void
s_line (char **field)
{
    if (!*field)
        return;
    if (!strpbrk (*field, "^&") && text_line_clean (*field))
        return;                 //  Clean already (most fields): no copy
    s_strip_junk (*field);
    char *clean = text_clean_line (*field);
    free (*field);
    //  Cleaning can uncover junk (a control after "^M" hid the line end):
    //  again until neither changes anything
    while (clean && s_strip_junk (clean)) {
        char *again = text_clean_line (clean);
        free (clean);
        clean = again;
    }
    *field = clean;
}

//  Body text without junk, cleaned, both until neither changes anything.
//  Takes text; returns the result ("" when nothing is left).
static char *
s_body_clean (char *text, bool preformatted)
{
    s_strip_junk (text);
    if (text_body_clean (text, preformatted))
        return text;            //  Clean already: no copy
    char *clean = text_clean_body (text, preformatted);
    free (text);
    while (s_strip_junk (clean)) {
        char *again = text_clean_body (clean, preformatted);
        free (clean);
        clean = again;
    }
    return clean;
}

//  Clean every string of a concept list; drop concepts with nothing left
static void
s_concepts (story_conceptv_t *list)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->len; i++) {
        story_concept_t *c = &list->items [i];
        s_line (&c->name);
        s_line (&c->rel);
        s_line (&c->role);
        s_line (&c->uri);
        s_line (&c->literal);
        s_line (&c->creator);
        if (c->relevance < -1 || c->relevance > 100)
            c->relevance = -1;
        if (c->confidence < -1 || c->confidence > 100)
            c->confidence = -1;
        if (!c->name && !c->uri && !c->literal) {
            free (c->rel);
            free (c->role);
            free (c->creator);
            continue;
        }
        list->items [kept++] = *c;
    }
    list->len = kept;
}

//  Clean a string vector; drop empties and duplicates
static void
s_strings (strv_t *list)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->len; i++) {
        s_line (&list->items [i]);
        char *s = list->items [i];
        bool dup = false;
        for (size_t j = 0; s && j < kept; j++)
            if (strcmp (list->items [j], s) == 0)
                dup = true;
        if (!s || dup) {
            free (s);
            continue;
        }
        list->items [kept++] = s;
    }
    list->len = kept;
}

//  Clean a pair list; drop pairs without a key
static void
s_pairs (story_pairv_t *list)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->len; i++) {
        story_pair_t *pair = &list->items [i];
        s_line (&pair->key);
        s_line (&pair->value);
        if (!pair->key) {
            free (pair->value);
            continue;
        }
        if (!pair->value)
            pair->value = xstrdup ("");
        list->items [kept++] = *pair;
    }
    list->len = kept;
}

//  Every single-line field of the story
static void
s_clean_fields (story_t *story)
{
    s_line (&story->uri);
    s_line (&story->type);
    s_line (&story->version);
    s_line (&story->versioncreated);
    s_line (&story->firstcreated);
    s_line (&story->contentcreated);
    s_line (&story->embargoed);
    s_line (&story->expires);
    s_line (&story->pubstatus);
    s_line (&story->by);
    s_line (&story->located);
    s_line (&story->slugline);
    s_line (&story->language);
    s_line (&story->copyrightholder);
    s_line (&story->copyrightnotice);
    s_line (&story->usageterms);
    s_line (&story->ednote);
    s_line (&story->dateline.text);
    s_line (&story->dateline.place);
    s_line (&story->dateline.date);
    s_line (&story->dateline.source);
    s_concepts (&story->subjects);
    s_concepts (&story->genres);
    s_concepts (&story->places);
    s_concepts (&story->people);
    s_concepts (&story->organisations);
    s_concepts (&story->events);
    s_concepts (&story->infosources);
    size_t kept = 0;
    for (size_t i = 0; i < story->altids.len; i++) {
        story_altid_t *a = &story->altids.items [i];
        s_line (&a->role);
        s_line (&a->value);
        if (!a->value) {
            free (a->role);
            continue;
        }
        story->altids.items [kept++] = *a;
    }
    story->altids.len = kept;
    kept = 0;
    for (size_t i = 0; i < story->links.len; i++) {
        story_link_t *l = &story->links.items [i];
        s_line (&l->rel);
        s_line (&l->uri);
        s_line (&l->version);
        if (!l->uri) {
            free (l->rel);
            free (l->version);
            continue;
        }
        if (!l->rel)
            l->rel = xstrdup ("related");
        story->links.items [kept++] = *l;
    }
    story->links.len = kept;
    for (size_t i = 0; i < story->renditions.len; i++) {
        story_rendition_t *r = &story->renditions.items [i];
        s_line (&r->name);
        s_line (&r->href);
        s_line (&r->contenttype);
        s_line (&r->title);
        if (r->width < -1)
            r->width = -1;
        if (r->height < -1)
            r->height = -1;
        if (r->sizeinbytes < -1)
            r->sizeinbytes = -1;
    }
    s_strings (&story->keywords);
    s_strings (&story->signals);
    s_pairs (&story->extra);
    s_line (&story->ingest.format);
    s_line (&story->ingest.parser);
    s_line (&story->ingest.provider);
    s_line (&story->ingest.channel);
    s_line (&story->ingest.received);
    s_line (&story->ingest.origin);
    s_line (&story->ingest.sha256);
    s_line (&story->ingest.charset);
    s_pairs (&story->ingest.rawdates);
    s_strings (&story->ingest.warnings);
}

//  ==========================================================================
//  Headlines, descriptions and bodies

static bool
s_is_html (const char *contenttype)
{
    return contenttype && strstr (contenttype, "html") != NULL;
}

//  True if text declared plain holds HTML markup: a closing tag or a
//  <br>, not just something in angle brackets (Reuters writes tickers and
//  company names as "SEARS <S>", "<P>", "<Brascan Ltd>")
static bool
s_has_tags (const char *text)
{
    if (!text || !strchr (text, '<') || !html_detect (text))
        return false;
    for (const char *p = strchr (text, '<'); p; p = strchr (p + 1, '<')) {
        if (p [1] == '/' && isalpha ((unsigned char) p [2])) {
            //  "</p>", "</a>": the whole closing tag, a known name
            char tag [16];
            size_t n = 0;
            while (n < sizeof tag - 1 && isalnum ((unsigned char) p [2 + n])) {
                tag [n] = p [2 + n];
                n++;
            }
            tag [n] = 0;
            char probe [48];
            snprintf (probe, sizeof probe, "<%s></%s>", tag, tag);
            if (p [2 + n] == '>' && html_detect (probe))
                return true;
        }
        if (strncasecmp (p, "<br", 3) == 0
        && (p [3] == '>' || (p [3] == '/' && p [4] == '>') || strncmp (p + 3, " />", 3) == 0))
            return true;
    }
    return false;
}

//  Text objects that are one line (headlines): HTML flattened, cleaned,
//  empties dropped, one "main"
static void
s_headlines (story_textv_t *list)
{
    size_t kept = 0;
    bool have_main = false;
    for (size_t i = 0; i < list->len; i++) {
        story_text_t *t = &list->items [i];
        if (t->value && (s_is_html (t->contenttype) || s_has_tags (t->value))) {
            char *text = html_to_text (t->value, strlen (t->value));
            free (t->value);
            t->value = text;
        }
        s_line (&t->value);
        s_line (&t->role);
        str_set (&t->contenttype, "text/plain");
        t->charcount = -1;
        t->wordcount = -1;
        if (!t->value) {
            free (t->role);
            free (t->contenttype);
            continue;
        }
        if (!t->role)
            t->role = xstrdup (have_main ? "alternative" : "main");
        if (strcmp (t->role, "main") == 0) {
            if (have_main)
                str_set (&t->role, "alternative");
            have_main = true;
        }
        list->items [kept++] = *t;
    }
    list->len = kept;
}

//  Descriptions: paragraphs of plain text
static void
s_descriptions (story_textv_t *list)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->len; i++) {
        story_text_t *t = &list->items [i];
        if (t->value && (s_is_html (t->contenttype) || s_has_tags (t->value))) {
            char *text = html_to_text (t->value, strlen (t->value));
            free (t->value);
            t->value = text;
        }
        if (t->value) {
            char *clean = s_body_clean (t->value, false);
            t->value = *clean ? clean : NULL;
            if (!t->value)
                free (clean);
        }
        s_line (&t->role);
        str_set (&t->contenttype, "text/plain");
        t->charcount = -1;
        t->wordcount = -1;
        if (!t->value) {
            free (t->role);
            free (t->contenttype);
            continue;
        }
        if (!t->role)
            t->role = xstrdup ("summary");
        list->items [kept++] = *t;
    }
    list->len = kept;
}

//  True when sanitized HTML surely holds readable text: outside tags and
//  entities, a letter that no cleaning removes (not a hex digit or x of a
//  character reference, not the M of a "^M")
static bool
s_html_readable (const char *safe)
{
    for (const char *p = safe; *p; p++) {
        if (*p == '<' || *p == '&') {
            const char *end = strchr (p, *p == '<' ? '>' : ';');
            if (!end)
                return false;
            p = end;
            continue;
        }
        char c = (char) (*p | 0x20);
        if (c >= 'g' && c <= 'z' && c != 'x' && *p != 'M')
            return true;
    }
    return false;
}

//  Bodies: HTML sanitized with a plain-text body derived from it, plain
//  text cleaned (preformatted keeps its lines), counts on plain bodies
static void
s_bodies (story_t *story)
{
    story_textv_t *list = &story->bodies;
    size_t count = list->len;
    if (count == 0)
        return;
    bool *gone = (bool *) xcalloc (count, sizeof (bool));
    //  Plain bodies first: whether an HTML body's role has one decides
    //  whether its text is needed, or only whether it has any
    for (size_t i = 0; i < count; i++) {
        story_text_t *t = &list->items [i];
        s_line (&t->role);
        s_line (&t->contenttype);
        if (!t->role)
            t->role = xstrdup ("main");
        if (!t->contenttype)
            t->contenttype = xstrdup ("text/plain");
        if (!t->value) {
            gone [i] = true;
            continue;
        }
        if (s_is_html (t->contenttype))
            continue;
        if (s_has_tags (t->value) && strcmp (t->role, "preformatted") != 0) {
            //  HTML sent as plain text: read it as HTML
            char *text = html_to_text (t->value, strlen (t->value));
            free (t->value);
            t->value = text;
            story_add_warning (story, "html-in-plain-body");
        }
        bool pre = strcmp (t->role, "preformatted") == 0;
        t->value = s_body_clean (t->value, pre);
        if (!*t->value) {
            gone [i] = true;
            continue;
        }
        t->charcount = text_char_count (t->value);
        t->wordcount = text_word_count (t->value);
    }
    //  Then HTML bodies, with the plain text derived from them, added
    //  after the loop
    strv_t derived = { NULL, 0, 0 };
    strv_t derived_roles = { NULL, 0, 0 };
    for (size_t i = 0; i < count; i++) {
        story_text_t *t = &list->items [i];
        if (gone [i] || !s_is_html (t->contenttype))
            continue;
        bool have_plain = false;
        for (size_t j = 0; j < count && !have_plain; j++)
            have_plain = !gone [j] && !s_is_html (list->items [j].contenttype)
                      && strcmp (list->items [j].role, t->role) == 0;
        char *text = NULL, *safe = NULL;
        size_t len = strlen (t->value);
        if (have_plain && html_is_sanitized (t->value, len)) {
            safe = t->value;    //  As it is: no copy
            t->value = NULL;
        }
        else
            html_convert (t->value, len, have_plain ? NULL : &text, &safe);
        bool empty = false;
        if (!have_plain || !s_html_readable (safe)) {
            if (!text)
                html_convert (t->value ? t->value : safe, len, &text, NULL);
            char *plain = s_body_clean (text, false);
            if (*plain && !have_plain) {
                strv_push (&derived, plain);
                strv_push (&derived_roles, t->role);
            }
            empty = !*plain;
            free (plain);
        }
        free (t->value);
        t->value = safe;
        str_set (&t->contenttype, "text/html");
        t->charcount = -1;
        t->wordcount = -1;
        if (!*t->value || empty)
            gone [i] = true;    //  Nothing readable (only images, empty markup): no body
    }
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        story_text_t *t = &list->items [i];
        if (gone [i]) {
            free (t->role);
            free (t->contenttype);
            free (t->value);
            continue;
        }
        list->items [kept++] = *t;
    }
    list->len = kept;
    free (gone);
    //  A plain body for each HTML body whose role has none yet
    for (size_t d = 0; d < derived.len; d++) {
        bool have = false;
        for (size_t i = 0; i < list->len; i++)
            if (!s_is_html (list->items [i].contenttype)
            &&  strcmp (list->items [i].role, derived_roles.items [d]) == 0)
                have = true;
        if (have)
            continue;
        story_text_t *plain = story_add_text (list, derived_roles.items [d], "text/plain",
                                              derived.items [d]);
        plain->charcount = text_char_count (plain->value);
        plain->wordcount = text_word_count (plain->value);
    }
    strv_free (&derived);
    strv_free (&derived_roles);
}

//  ==========================================================================
//  Dates

typedef struct {
    const char *name;           //  Field name, as in rawdates and warnings
    size_t offset;              //  Of the char * in story_t
    bool clamp;                 //  Clamp when in the future
} date_field_t;

static const date_field_t s_date_fields [] = {
    { "versioncreated", offsetof (story_t, versioncreated), true },
    { "firstcreated", offsetof (story_t, firstcreated), true },
    { "contentcreated", offsetof (story_t, contentcreated), true },
    { "embargoed", offsetof (story_t, embargoed), false },
    { "expires", offsetof (story_t, expires), false },
    { NULL, 0, false }
};

//  The zone of dates without one for this story's provider
static const char *
s_zone (normalize_t *self, const story_t *story)
{
    const char *provider = story->ingest.provider;
    if (self->config && provider && !strchr (provider, '/') && strlen (provider) < 100) {
        char path [160];
        snprintf (path, sizeof path, "normalize/providers/%s/timezone", provider);
        const char *zone = config_get (self->config, path, NULL);
        if (!str_empty (zone))
            return zone;
    }
    return self->timezone;
}

static void
s_dates (normalize_t *self, story_t *story)
{
    const char *zone = s_zone (self, story);
    //  Arrival time first: it is the reference for 2-digit years and the
    //  base for clamping
    int64_t now = s_now (self);
    int64_t base = now;
    if (story->ingest.received) {
        date_t received;
        if (date_parse (story->ingest.received, NULL, now, &received) == 0) {
            char buf [32];
            str_set (&story->ingest.received, date_format (&received, buf, sizeof buf));
            base = received.epoch;
        }
        else {
            story_set_rawdate (story, "received", story->ingest.received);
            story_add_warning (story, "bad-date:received");
            str_set (&story->ingest.received, NULL);
        }
    }
    for (const date_field_t *f = s_date_fields; f->name; f++) {
        char **field = (char **) ((char *) story + f->offset);
        if (!*field)
            continue;
        strv_t warnings = { NULL, 0, 0 };
        date_t date;
        char value [32];
        if (date_normalize_buf (*field, zone, base, &warnings, &date, value, sizeof value) != 0) {
            strv_free (&warnings);
            if (!story_rawdate (story, f->name))
                story_set_rawdate (story, f->name, *field);
            story_add_warning (story, "bad-date:%s", f->name);
            str_set (field, NULL);
            self->stats.bad_dates++;
            continue;
        }
        for (size_t i = 0; i < warnings.len; i++)
            story_add_warning (story, "%s", warnings.items [i]);
        strv_free (&warnings);
        if (f->clamp && date.epoch > base + self->tolerance) {
            time_format_rfc3339 (base, value, sizeof value);
            story_add_warning (story, "future-date:%s", f->name);
        }
        //  The text as received, unless it was canonical already
        if (strcmp (value, *field) != 0) {
            if (!story_rawdate (story, f->name))
                story_set_rawdate (story, f->name, *field);
            str_set (field, value);
        }
    }
    //  A version must have a date: the story's own dates first, then the
    //  transport's, never silently
    if (!story->versioncreated) {
        if (story->firstcreated) {
            str_set (&story->versioncreated, story->firstcreated);
            story_add_warning (story, "date-from-firstcreated");
        }
        else
        if (story->contentcreated) {
            str_set (&story->versioncreated, story->contentcreated);
            story_add_warning (story, "date-from-contentcreated");
        }
        else
        if (story->ingest.received) {
            str_set (&story->versioncreated, story->ingest.received);
            story_add_warning (story, "date-from-transport");
        }
        else
            story_add_warning (story, "no-date");
    }
}

//  ==========================================================================
//  Headline fallback, dateline, byline

//  The first sentence of text, at most max bytes (cut on a word), after
//  skip bytes. Caller frees; NULL if empty.
static char *
s_first_sentence (const char *text, size_t skip, size_t max)
{
    if (!text)
        return NULL;
    size_t len = strlen (text);
    if (skip >= len)
        skip = 0;
    const char *p = text + skip;
    const char *para_end = strstr (p, "\n\n");
    size_t n = para_end ? (size_t) (para_end - p) : strlen (p);
    for (size_t i = 20; i + 1 < n; i++)
        if ((p [i] == '.' || p [i] == '!' || p [i] == '?') && p [i + 1] == ' '
        &&  isupper ((unsigned char) p [i + 2])
        &&  !(p [i] == '.' && i >= 2 && (isupper ((unsigned char) p [i - 1]) && p [i - 2] == ' '))) {
            n = i + 1;
            break;
        }
    if (n > max) {
        n = max;
        while (n > 0 && p [n] != ' ')
            n--;
        if (n == 0)
            n = max;
        while (n > 0 && (p [n - 1] & 0xC0) == 0x80 && ((unsigned char) p [n] & 0xC0) == 0x80)
            n--;
    }
    char *sentence = xstrndup (p, n);
    char *clean = text_clean_line (sentence);
    free (sentence);
    return clean;
}

static void
s_headline_fallback (story_t *story)
{
    if (story_headline (story))
        return;
    char *headline = NULL;
    if (story->slugline)
        headline = xstrdup (story->slugline);
    if (!headline && story->descriptions.len)
        headline = s_first_sentence (story->descriptions.items [0].value, 0, 200);
    if (!headline) {
        const char *body = story_body (story);
        size_t skip = 0;
        if (body && story->dateline.text && str_starts (body, story->dateline.text))
            skip = strlen (story->dateline.text);
        headline = s_first_sentence (body, skip, 200);
    }
    story_add_warning (story, "no-headline");
    if (headline) {
        story_add_text (&story->headlines, "main", "text/plain", headline);
        //  The same cleaning as a given headline, so a second pass finds
        //  nothing to change (a sentence of a body may hold markup)
        s_headlines (&story->headlines);
    }
    free (headline);
}

static void
s_dateline (story_t *story)
{
    dateline_t parts;
    if (story->dateline.text) {
        //  The format gave the dateline as one string: read the parts it
        //  did not give
        if ((!story->dateline.place || !story->dateline.source || !story->dateline.date)
        &&  dateline_parse (story->dateline.text, false, &parts) == 0) {
            if (!story->dateline.place)
                str_set (&story->dateline.place, parts.place);
            if (!story->dateline.date)
                str_set (&story->dateline.date, parts.date);
            if (!story->dateline.source)
                str_set (&story->dateline.source, parts.source);
            dateline_clear (&parts);
        }
    }
    else
    if (!story->dateline.text) {
        //  The first paragraph, or the one after a byline
        const char *body = story_body (story);
        char *by = body ? byline_find (body) : NULL;
        if (by && str_starts (body, by)) {
            const char *next = strstr (body, "\n");
            while (next && *next == '\n')
                next++;
            body = next;
        }
        free (by);
        if (body && *body && dateline_parse (body, true, &parts) == 0) {
            str_set (&story->dateline.text, parts.text);
            str_set (&story->dateline.place, parts.place);
            str_set (&story->dateline.date, parts.date);
            str_set (&story->dateline.source, parts.source);
            dateline_clear (&parts);
        }
    }
    if (!story->located && story->dateline.place)
        str_set (&story->located, story->dateline.place);
}

static void
s_byline (story_t *story)
{
    if (story->by)
        return;
    char *by = byline_find (story_body (story));
    if (by) {
        s_line (&by);
        story->by = by;
    }
}

//  ==========================================================================
//  Status, signals, urgency, priority, type, language

static void
s_status (story_t *story)
{
    signals_detect (story);
    //  Raw markers are cut from cleaned fields, yet a cut can end on junk
    //  ("...Writethru^M" before a space): cleaned now, not by the next pass
    s_strings (&story->signals);
    if (story->pubstatus) {
        char *status = text_lower_ascii (story->pubstatus);
        const char *value = NULL;
        if (strcmp (status, "usable") == 0 || strcmp (status, "stat:usable") == 0)
            value = "usable";
        else
        if (strcmp (status, "withheld") == 0 || strcmp (status, "stat:withheld") == 0
        ||  strcmp (status, "embargoed") == 0)
            value = "withheld";
        else
        if (strcmp (status, "canceled") == 0 || strcmp (status, "cancelled") == 0
        ||  strcmp (status, "stat:canceled") == 0 || strcmp (status, "kill") == 0
        ||  strcmp (status, "killed") == 0 || strcmp (status, "withdrawn") == 0
        ||  strcmp (status, "deleted") == 0 || strcmp (status, "canceled-with-replacement") == 0)
            value = "canceled";
        else {
            story_add_warning (story, "pubstatus-unknown:%s", story->pubstatus);
            value = "usable";
        }
        str_set (&story->pubstatus, value);
        free (status);
    }
    if (signals_canceled (story))
        str_set (&story->pubstatus, "canceled");
    //  A correction or update links to the version it replaces when the
    //  format named one
    bool correction = strv_contains (&story->signals, "correction");
    bool update = strv_contains (&story->signals, "update")
               || strv_contains (&story->signals, "writethru");
    if (correction || update) {
        size_t count = story->links.len;
        for (size_t i = 0; i < count; i++) {
            story_link_t *l = &story->links.items [i];
            if (strcmp (l->rel, "previous-version") != 0)
                continue;
            char *uri = xstrdup (l->uri);
            char *version = xstrdup (l->version);
            story_add_link (story, correction ? "corrects" : "updates", uri, version);
            free (uri);
            free (version);
        }
    }
}

static void
s_ranges (story_t *story)
{
    if (story->urgency < 0 || story->urgency > 9) {
        story_add_warning (story, "bad-urgency:%d", story->urgency);
        story->urgency = 0;
    }
    if (story->priority < 0 || story->priority > 6) {
        story_add_warning (story, "bad-priority:%d", story->priority);
        story->priority = 0;
    }
}

static void
s_type (story_t *story)
{
    if (story->type) {
        char *type = text_lower_ascii (story->type);
        const char *colon = strchr (type, ':');
        if (colon && (str_starts (type, "ninat:") || str_starts (type, "icls:")))
            str_set (&story->type, colon + 1);
        else
            str_set (&story->type, type);
        free (type);
    }
    else
        str_set (&story->type, "text");
}

static void
s_language (normalize_t *self, story_t *story)
{
    if (story->language) {
        char *tag = lang_tag_clean (story->language);
        if (!tag) {
            story_add_warning (story, "bad-language:%s", story->language);
            str_set (&story->language, NULL);
        }
        else {
            free (story->language);
            story->language = tag;
            return;
        }
    }
    if (!self->lang)
        return;
    //  Headline and body, as far as detection reads
    char sample [LANG_SAMPLE_BYTES + 2];
    size_t size = 0;
    const char *headline = story_headline (story);
    const char *body = story_body (story);
    if (!body && story->descriptions.len)
        body = story->descriptions.items [0].value;
    const char *parts [3] = { headline, headline ? ".\n\n" : NULL, body };
    for (int k = 0; k < 3; k++) {
        if (!parts [k])
            continue;
        size_t n = strnlen (parts [k], k == 2 ? NORMALIZE_SAMPLE : SIZE_MAX);
        if (n > LANG_SAMPLE_BYTES + 1 - size)
            n = LANG_SAMPLE_BYTES + 1 - size;
        memcpy (sample + size, parts [k], n);
        size += n;
    }
    sample [size] = 0;
    const char *code = headline || body ? lang_detect (self->lang, sample) : NULL;
    if (code) {
        str_set (&story->language, code);
        story_add_warning (story, "language-detected");
        self->stats.languages_detected++;
    }
}

//  ==========================================================================
//  Identity

//  A name usable as the authority of a tag: URI: lower case, [a-z0-9.-]
static char *
s_slug (const char *name)
{
    char *slug = text_lower_ascii (name ? name : "");
    char *out = slug;
    bool dash = false;
    for (const char *p = slug; *p; p++) {
        char c = *p;
        if (isalnum ((unsigned char) c) || c == '.' || c == '_') {
            if (dash && out > slug)
                *out++ = '-';
            *out++ = c;
            dash = false;
        }
        else
            dash = true;
    }
    *out = 0;
    if (!*slug) {
        free (slug);
        slug = xstrdup ("unknown");
    }
    return slug;
}

static int
s_identity (normalize_t *self, story_t *story)
{
    //  NewsML 1.2 public identifiers carry the revision: strip it
    if (story->uri && story->version && str_starts (story->uri, "urn:newsml:")) {
        size_t ulen = strlen (story->uri), vlen = strlen (story->version);
        if (ulen > vlen + 1 && story->uri [ulen - vlen - 1] == ':'
        &&  strcmp (story->uri + ulen - vlen, story->version) == 0) {
            story->uri [ulen - vlen - 1] = 0;
            story_add_warning (story, "uri-version-stripped");
        }
    }
    if (story->uri)
        return 0;
    //  Derive: tag:{provider},{yyyy-mm-dd}:{slug} or :{sha256}; without a
    //  day, urn:copydesk:{provider}:slug:{slug} or :{sha256}
    const char *provider = story->ingest.provider;
    if (!provider)
        for (size_t i = 0; i < story->infosources.len && !provider; i++)
            if (story->infosources.items [i].name)
                provider = story->infosources.items [i].name;
    if (!provider)
        provider = story->ingest.format;
    char *authority = s_slug (provider);
    //  The day: the story's own date; the arrival day only for a slug
    //  (slugs are reused day after day), never for a content hash, so the
    //  same text pushed again another day keeps its uri
    bool from_transport = strv_contains (&story->ingest.warnings, "date-from-transport");
    const char *when = story->firstcreated ? story->firstcreated
                     : story->versioncreated && !from_transport ? story->versioncreated
                     : story->slugline ? story->ingest.received : NULL;
    char day [16] = "";
    if (when && strlen (when) >= 10)
        snprintf (day, sizeof day, "%.10s", when);
    if (story->slugline) {
        char *slug = s_slug (story->slugline);
        story->uri = *day ? xasprintf ("tag:%s,%s:%s", authority, day, slug)
                          : xasprintf ("urn:copydesk:%s:slug:%s", authority, slug);
        free (slug);
    }
    else {
        const char *headline = story_headline (story);
        const char *body = story_body (story);
        buf_t key;
        buf_init (&key);
        if (headline) {
            char *lower = text_lower_ascii (headline);
            buf_puts (&key, lower);
            free (lower);
        }
        buf_putc (&key, '\n');
        if (body) {
            const char *end = strstr (body, "\n\n");
            size_t n = end ? (size_t) (end - body) : strlen (body);
            char *para = xstrndup (body, n);
            char *lower = text_lower_ascii (para);
            buf_puts (&key, lower);
            free (lower);
            free (para);
        }
        if (!headline && !body) {
            if (!story->ingest.sha256) {
                buf_free (&key);
                free (authority);
                snprintf (self->reason, sizeof self->reason,
                          "no uri and nothing to derive one from (no headline, body or sha256)");
                return -1;
            }
            buf_puts (&key, story->ingest.sha256);
        }
        char hex [65];
        sha256_hex (key.data, key.size, hex);
        buf_free (&key);
        //  A tag: URI needs a date (RFC 4151): without one, a URN
        story->uri = *day ? xasprintf ("tag:%s,%s:%s", authority, day, hex)
                          : xasprintf ("urn:copydesk:%s:%s", authority, hex);
    }
    free (authority);
    story_add_warning (story, "uri-derived");
    self->stats.uris_derived++;
    return 0;
}

//  ==========================================================================
//  Normalize a story in place.

int
normalize_story (normalize_t *self, story_t *story)
{
    assert (self);
    assert (story);
    self->reason [0] = 0;
    size_t warnings_before = story->ingest.warnings.len;
    s_clean_fields (story);
    s_headlines (&story->headlines);
    s_descriptions (&story->descriptions);
    s_bodies (story);
    s_dates (self, story);
    s_dateline (story);
    s_byline (story);
    s_headline_fallback (story);
    s_status (story);
    s_ranges (story);
    s_type (story);
    s_language (self, story);
    if (s_identity (self, story) != 0) {
        self->stats.rejected++;
        return -1;
    }
    self->stats.stories++;
    if (story->ingest.warnings.len > warnings_before)
        self->stats.warned++;
    return 0;
}

//  ==========================================================================
//  The stage

static void *
s_stage_create (config_t *config)
{
    normalize_t *self = normalize_new (config);
    zsys_info ("normalize: timezone=%s future_tolerance=%" PRId64 "s language_detection=%s",
               self->timezone, self->tolerance, self->lang ? "on" : "off");
    return self;
}

static void
s_stage_destroy (void **state_p)
{
    normalize_t *self = (normalize_t *) *state_p;
    if (self)
        zsys_info ("normalize: stopping stories=%" PRIu64 " rejected=%" PRIu64
                   " warned=%" PRIu64 " bad_dates=%" PRIu64 " uris_derived=%" PRIu64
                   " languages_detected=%" PRIu64,
                   self->stats.stories, self->stats.rejected, self->stats.warned,
                   self->stats.bad_dates, self->stats.uris_derived,
                   self->stats.languages_detected);
    normalize_destroy (&self);
    *state_p = NULL;
}

static int
s_stage_handle (void *state, job_t *job)
{
    normalize_t *self = (normalize_t *) state;
    char error [256] = "";
    //  Parsers leave the uri to normalize when their format has none
    story_t *story = story_decode_draft (job_data (job), job_size (job), error, sizeof error);
    if (!story) {
        self->stats.rejected++;
        job_reject (job, "undecodable story: %s", error);
        return WORKER_REJECT;
    }
    if (normalize_story (self, story) != 0) {
        job_reject (job, "normalize: %s", self->reason);
        story_destroy (&story);
        return WORKER_REJECT;
    }
    char source [96];
    snprintf (source, sizeof source, "%s",
              story->ingest.provider ? story->ingest.provider : "unknown");
    proto_topic_clean (source);
    char topic [128];
    snprintf (topic, sizeof topic, "normalized.%s", source);
    job_emit_story (job, topic, story);
    story_destroy (&story);
    return WORKER_DONE;
}

static const stage_t s_stage = {
    .name = "normalize",
    .input = STAGE_NORMALIZE,
    .output = STAGE_CLASSIFY,
    .handle = s_stage_handle,
    .create = s_stage_create,
    .destroy = s_stage_destroy,
};

const stage_t *
normalize_stage (void)
{
    return &s_stage;
}
