//  SPDX-License-Identifier: MIT
//  xmlstory - small helpers the XML parsers share to fill a story

#include "common.h"
#include "ingest/xmlstory.h"

//  --------------------------------------------------------------------------
//  Copy of text with whitespace collapsed and trimmed; NULL if empty

static char *
s_clean (const char *text)
{
    if (!text)
        return NULL;
    size_t size = strlen (text);
    char *out = xmalloc (size + 1);
    size_t len = 0;
    bool pending = false;
    for (const char *p = text; *p; p++) {
        if (isspace ((unsigned char) *p)) {
            pending = len > 0;
            continue;
        }
        if (pending)
            out [len++] = ' ';
        pending = false;
        out [len++] = *p;
    }
    out [len] = 0;
    if (!len) {
        free (out);
        return NULL;
    }
    return out;
}

//  --------------------------------------------------------------------------
//  Set a field unless set; value copied.
void
xmlstory_set (char **field, const char *value)
{
    if (*field || str_empty (value))
        return;
    *field = xstrdup (value);
}

//  --------------------------------------------------------------------------
//  Set a date field to the raw string and record it in rawdates.
void
xmlstory_date (story_t *story, char **field, const char *name, const char *raw)
{
    if (*field)
        return;
    char *clean = s_clean (raw);
    if (!clean)
        return;
    *field = clean;
    story_set_rawdate (story, name, clean);
}

//  --------------------------------------------------------------------------
//  Append text to a field, separated; bounded in length.
void
xmlstory_append (char **field, const char *text, const char *sep)
{
    if (str_empty (text))
        return;
    if (!*field) {
        *field = xstrdup (text);
        return;
    }
    if (strlen (*field) >= XMLSTORY_MAX_APPEND || strstr (*field, text))
        return;
    char *joined = xasprintf ("%s%s%s", *field, sep, text);
    free (*field);
    *field = joined;
}

//  --------------------------------------------------------------------------
//  Add a concept unless an equal one is there; bounded list.
story_concept_t *
xmlstory_concept (story_conceptv_t *list, const char *name, const char *literal,
                  const char *uri)
{
    if (str_empty (name))
        name = NULL;
    if (str_empty (literal))
        literal = NULL;
    if (str_empty (uri))
        uri = NULL;
    if (!name && !literal && !uri)
        return NULL;
    if (list->len >= XMLSTORY_MAX_ITEMS)
        return NULL;
    for (size_t i = 0; i < list->len; i++) {
        story_concept_t *concept = &list->items [i];
        bool same = false;
        if (literal)
            same = concept->literal && strcmp (concept->literal, literal) == 0;
        else
        if (uri)
            same = concept->uri && strcmp (concept->uri, uri) == 0;
        else
            same = !concept->literal && !concept->uri && str_ieq (concept->name, name);
        if (same) {
            if (!concept->name && name)
                concept->name = xstrdup (name);
            return concept;
        }
    }
    story_concept_t *concept = story_add_concept (list, name);
    str_set (&concept->literal, literal);
    str_set (&concept->uri, uri);
    return concept;
}

//  --------------------------------------------------------------------------
//  Add a keyword, bounded list.
void
xmlstory_keyword (story_t *story, const char *keyword)
{
    if (story->keywords.len < XMLSTORY_MAX_ITEMS)
        story_add_keyword (story, keyword);
}

//  --------------------------------------------------------------------------
//  Add an altid, bounded list.
void
xmlstory_altid (story_t *story, const char *role, const char *value)
{
    if (story->altids.len < XMLSTORY_MAX_ITEMS)
        story_add_altid (story, role, value);
}

//  --------------------------------------------------------------------------
//  Add a link, bounded list.
void
xmlstory_link (story_t *story, const char *rel, const char *uri, const char *version)
{
    if (story->links.len < XMLSTORY_MAX_ITEMS)
        story_add_link (story, rel, uri, version);
}

//  --------------------------------------------------------------------------
//  Set an extra pair, bounded list.
void
xmlstory_extra (story_t *story, const char *key, const char *value)
{
    if (story->extra.len < XMLSTORY_MAX_ITEMS || story_extra (story, key))
        story_set_extra (story, key, value);
}

//  --------------------------------------------------------------------------
//  Append to an extra value, bounded in length.
void
xmlstory_extra_append (story_t *story, const char *key, const char *value, const char *sep)
{
    if (str_empty (value))
        return;
    const char *previous = story_extra (story, key);
    if (!previous)
        xmlstory_extra (story, key, value);
    else
    if (strlen (previous) < XMLSTORY_MAX_APPEND) {
        char *joined = xasprintf ("%s%s%s", previous, sep, value);
        story_set_extra (story, key, joined);
        free (joined);
    }
}

//  --------------------------------------------------------------------------
//  Add a headline unless an equal one is there.
void
xmlstory_headline (story_t *story, const char *role, const char *text)
{
    if (str_empty (text) || story->headlines.len >= 64)
        return;
    for (size_t i = 0; i < story->headlines.len; i++)
        if (strcmp (story->headlines.items [i].value, text) == 0)
            return;
    story_add_text (&story->headlines, role, "text/plain", text);
}

//  --------------------------------------------------------------------------
//  usable / withheld / canceled for a provider's status word, or NULL.
const char *
xmlstory_pubstatus (const char *value)
{
    if (str_empty (value))
        return NULL;
    const char *code = xmlstory_qcode_code (value);
    char word [32];
    size_t len = 0;
    for (const char *p = code; *p && len + 1 < sizeof word; p++)
        if (!isspace ((unsigned char) *p))
            word [len++] = (char) tolower ((unsigned char) *p);
    word [len] = 0;
    if (strcmp (word, "usable") == 0 || strcmp (word, "useable") == 0
    ||  strcmp (word, "embargoed") == 0)
        return "usable";
    if (strcmp (word, "withheld") == 0 || strcmp (word, "withhold") == 0
    ||  strcmp (word, "held") == 0 || strcmp (word, "hold") == 0)
        return "withheld";
    if (strcmp (word, "canceled") == 0 || strcmp (word, "cancelled") == 0
    ||  strcmp (word, "cancel") == 0 || strcmp (word, "kill") == 0
    ||  strcmp (word, "killed") == 0 || strcmp (word, "withdrawn") == 0
    ||  strcmp (word, "withdraw") == 0 || strcmp (word, "deleted") == 0)
        return "canceled";
    return NULL;
}

//  --------------------------------------------------------------------------
//  iso3166 literal for a 2- or 3-letter country code, or NULL.
char *
xmlstory_country_literal (const char *code, char *out, size_t size)
{
    if (!code)
        return NULL;
    while (isspace ((unsigned char) *code))
        code++;
    size_t len = 0;
    while (isalpha ((unsigned char) code [len]))
        len++;
    const char *rest = code + len;
    while (isspace ((unsigned char) *rest))
        rest++;
    if ((len != 2 && len != 3) || *rest)
        return NULL;
    char upper [4];
    for (size_t i = 0; i < len; i++)
        upper [i] = (char) toupper ((unsigned char) code [i]);
    upper [len] = 0;
    //  "ZZZ"/"XX" are placeholders, not countries
    if (strcmp (upper, "ZZZ") == 0 || strcmp (upper, "XX") == 0 || strcmp (upper, "XXX") == 0)
        return NULL;
    snprintf (out, size, "iso3166-1a%zu:%s", len, upper);
    return out;
}

//  --------------------------------------------------------------------------
//  The integer in text when in range, else 0.
int
xmlstory_int (const char *text, int min, int max)
{
    if (str_empty (text))
        return 0;
    while (isspace ((unsigned char) *text))
        text++;
    char *end = NULL;
    errno = 0;
    long value = strtol (text, &end, 10);
    if (errno || end == text)
        return 0;
    while (isspace ((unsigned char) *end))
        end++;
    if (*end || value < min || value > max)
        return 0;
    return (int) value;
}

//  --------------------------------------------------------------------------
//  The code part of a qcode.
const char *
xmlstory_qcode_code (const char *qcode)
{
    if (!qcode)
        return NULL;
    const char *colon = strrchr (qcode, ':');
    return colon ? colon + 1 : qcode;
}

//  --------------------------------------------------------------------------
//  True when text holds HTML-like tags.
bool
xmlstory_looks_html (const char *text)
{
    const char *p = text;
    while (p && (p = strchr (p, '<')) != NULL) {
        p++;
        if (*p == '/')
            p++;
        size_t len = 0;
        while (isalnum ((unsigned char) p [len]) || p [len] == '.')
            len++;
        if (len && len < 16 && isalpha ((unsigned char) *p)
        &&  (p [len] == '>' || p [len] == ' ' || p [len] == '/'))
            return true;
    }
    return false;
}

//  --------------------------------------------------------------------------
//  True when text starts with a URI scheme we accept as an id.
bool
xmlstory_is_uri (const char *text)
{
    if (str_empty (text) || !isalpha ((unsigned char) *text))
        return false;
    const char *p = text;
    while (isalnum ((unsigned char) *p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (*p != ':' || p - text < 2)
        return false;
    return str_starts (text, "urn:") || str_starts (text, "tag:") || str_starts (text, "http:")
        || str_starts (text, "https:") || str_starts (text, "uuid:") || str_starts (text, "info:");
}

//  --------------------------------------------------------------------------
//  Editorial signals

typedef struct {
    const char *word;           //  Code, lower case
    const char *signal;         //  Normalised signal
} signal_word_t;

static const signal_word_t s_signal_words [] = {
    { "update", "update" }, { "updated", "update" }, { "correction", "correction" },
    { "corrected", "correction" }, { "correct", "correction" }, { "kill", "kill" },
    { "killed", "kill" }, { "withdrawal", "withdrawal" }, { "withdrawn", "withdrawal" },
    { "withdraw", "withdrawal" }, { "advisory", "advisory" }, { "alert", "alert" },
    { "flash", "alert" }, { "refile", "refile" }, { "writethru", "writethru" },
    { "replace", "update" }, { "rectify", "correction" },
};

//  --------------------------------------------------------------------------
//  Map an editorial signal code; adds the signal and its raw code.
bool
xmlstory_signal (story_t *story, const char *code)
{
    if (str_empty (code))
        return false;
    char scheme [32] = "";
    const char *colon = strchr (code, ':');
    if (colon && (size_t) (colon - code) < sizeof scheme) {
        memcpy (scheme, code, (size_t) (colon - code));
        scheme [colon - code] = 0;
    }
    const char *value = colon ? colon + 1 : code;
    const char *signal = NULL;
    if (str_ieq (scheme, "edStat")) {
        //  Reuters editorial status: N new, U update, C correction, W withdrawn
        if (str_ieq (value, "U"))
            signal = "update";
        else
        if (str_ieq (value, "C"))
            signal = "correction";
        else
        if (str_ieq (value, "W"))
            signal = "withdrawal";
    }
    else
    if (str_ieq (scheme, "update") && *value)
        signal = "update";      //  STT: update:append-major-content...
    else {
        for (size_t i = 0; i < sizeof s_signal_words / sizeof s_signal_words [0]; i++)
            if (str_ieq (value, s_signal_words [i].word)) {
                signal = s_signal_words [i].signal;
                break;
            }
    }
    if (!signal)
        return false;
    if (story->signals.len >= 64)
        return true;
    story_add_signal (story, signal);
    char raw [160];
    snprintf (raw, sizeof raw, "raw:%s", code);
    story_add_signal (story, raw);
    return true;
}

//  --------------------------------------------------------------------------
//  ISO 8601 ordering

static int64_t
s_days_from_civil (int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

//  Read n digits at *p into *value
static bool
s_digits (const char **p, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit ((unsigned char) (*p) [i]))
            return false;
        v = v * 10 + ((*p) [i] - '0');
    }
    *p += n;
    *value = v;
    return true;
}

//  Epoch seconds of an ISO 8601 date-time (no zone = UTC); false if
//  the text is not one.
static bool
s_iso_epoch (const char *text, int64_t *epoch)
{
    if (!text)
        return false;
    const char *p = text;
    while (isspace ((unsigned char) *p))
        p++;
    int year, month, day, hour = 0, minute = 0, second = 0;
    if (!s_digits (&p, 4, &year))
        return false;
    if (*p == '-')
        p++;
    if (!s_digits (&p, 2, &month))
        return false;
    if (*p == '-')
        p++;
    if (!s_digits (&p, 2, &day))
        return false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!s_digits (&p, 2, &hour))
            return false;
        if (*p == ':')
            p++;
        if (!s_digits (&p, 2, &minute))
            return false;
        if (*p == ':')
            p++;
        if (isdigit ((unsigned char) *p) && !s_digits (&p, 2, &second))
            return false;
        if (*p == '.' || *p == ',') {
            p++;
            while (isdigit ((unsigned char) *p))
                p++;
        }
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60)
        return false;
    int offset = 0;
    if (*p == 'Z' || *p == 'z')
        p++;
    else
    if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        p++;
        int oh = 0, om = 0;
        if (!s_digits (&p, 2, &oh))
            return false;
        if (*p == ':')
            p++;
        if (isdigit ((unsigned char) *p) && !s_digits (&p, 2, &om))
            return false;
        offset = sign * (oh * 3600 + om * 60);
    }
    while (isspace ((unsigned char) *p))
        p++;
    if (*p)
        return false;
    *epoch = s_days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60
           + second - offset;
    return true;
}

//  --------------------------------------------------------------------------
//  Order two ISO 8601 date-times; -2 when either is unreadable.
int
xmlstory_date_compare (const char *a, const char *b)
{
    int64_t ea, eb;
    if (!s_iso_epoch (a, &ea) || !s_iso_epoch (b, &eb))
        return -2;
    return ea < eb ? -1 : ea > eb ? 1 : 0;
}

//  --------------------------------------------------------------------------
//  Derived identity

//  Lower-case [a-z0-9.-] form of text, runs of anything else as one '-'
static char *
s_slug (const char *text)
{
    buf_t out;
    buf_init (&out);
    bool dash = false;
    for (const unsigned char *p = (const unsigned char *) (text ? text : ""); *p; p++) {
        if (isalnum (*p) || *p == '.') {
            if (dash && out.size)
                buf_putc (&out, '-');
            dash = false;
            buf_putc (&out, (char) tolower (*p));
        }
        else
            dash = true;
    }
    return out.size ? buf_detach (&out) : xstrdup ("unknown");
}

//  --------------------------------------------------------------------------
//  A stable tag: uri for a story without a provider id.
void
xmlstory_derive_uri (story_t *story, const char *authority, const char *date)
{
    if (story->uri)
        return;
    char *who = s_slug (authority ? authority : story->ingest.provider ? story->ingest.provider
                                              : story->ingest.format);
    //  yyyy-mm-dd from ISO 8601 basic or extended
    char day [16] = "";
    const char *d = date;
    if (d) {
        while (isspace ((unsigned char) *d))
            d++;
        int year, month, dom;
        const char *p = d;
        if (s_digits (&p, 4, &year) && (*p != '-' || p++) && s_digits (&p, 2, &month)
        &&  (*p != '-' || p++) && s_digits (&p, 2, &dom) && month >= 1 && month <= 12
        &&  dom >= 1 && dom <= 31)
            snprintf (day, sizeof day, "%04d-%02d-%02d", year, month, dom);
    }
    if (story->slugline) {
        char *slug = s_slug (story->slugline);
        story->uri = *day ? xasprintf ("tag:%s,%s:%s", who, day, slug)
                          : xasprintf ("urn:copydesk:%s:slug:%s", who, slug);
        free (slug);
    }
    else {
        buf_t key;
        buf_init (&key);
        const char *headline = story_headline (story);
        const char *body = story_body (story);
        if (headline) {
            char *lower = text_lower_ascii (headline);
            buf_puts (&key, lower);
            free (lower);
        }
        buf_putc (&key, '\n');
        if (body) {
            const char *end = strstr (body, "\n");
            char *para = xstrndup (body, end ? (size_t) (end - body) : strlen (body));
            char *lower = text_lower_ascii (para);
            buf_puts (&key, lower);
            free (lower);
            free (para);
        }
        char hex [65];
        sha256_hex (key.data, key.size, hex);
        buf_free (&key);
        //  A tag: URI needs a date (RFC 4151): without one, a URN
        story->uri = *day ? xasprintf ("tag:%s,%s:%s", who, day, hex)
                          : xasprintf ("urn:copydesk:%s:%s", who, hex);
    }
    free (who);
    story_add_warning (story, "uri-derived");
}

bool
xmlstory_rfc3339 (const char *text)
{
    if (!text || strlen (text) < 20 || text [4] != '-' || text [7] != '-'
    ||  (text [10] != 'T' && text [10] != 't') || text [13] != ':' || text [16] != ':')
        return false;
    const char *end = text + strlen (text);
    bool zone = end [-1] == 'Z' || end [-1] == 'z'
             || (end - text > 25 && (end [-6] == '+' || end [-6] == '-') && end [-3] == ':');
    return zone && xmlstory_date_compare (text, text) == 0;
}

//  --------------------------------------------------------------------------
//  Give a story built apart the provenance of an ingest story.
void
xmlstory_provenance (ingest_t *ctx, story_t *story)
{
    story_t *shell = ingest_story_new (ctx);
    char **fields [] = {
        &story->ingest.format, &story->ingest.parser, &story->ingest.provider,
        &story->ingest.channel, &story->ingest.origin
    };
    char **shell_fields [] = {
        &shell->ingest.format, &shell->ingest.parser, &shell->ingest.provider,
        &shell->ingest.channel, &shell->ingest.origin
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields [0]; i++) {
        free (*fields [i]);
        *fields [i] = *shell_fields [i];
        *shell_fields [i] = NULL;
    }
    if (shell->ingest.received) {
        free (story->ingest.received);
        story->ingest.received = shell->ingest.received;
        shell->ingest.received = NULL;
    }
    str_set (&story->type, shell->type);
    story->ingest.index = shell->ingest.index;
    story_destroy (&shell);
}
