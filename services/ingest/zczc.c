//  SPDX-License-Identifier: MIT
//  zczc - AAP "ZCZC" teletype messages (format "zczc")
//
//  A stream holds messages framed by a line "ZCZC [AAP|FMG000...]" (any
//  case, after optional spaces or a CR) and a line "NNNN" (optional: the
//  next ZCZC or the end also close a message). Header lines follow the
//  ZCZC line, each starting with a one-character field prefix; the first
//  line without a known prefix starts the free text. AAP's services give
//  the prefixes different meanings, so they are read through a table of
//  dialects, chosen by content:
//
//    dialect       detected by                  prefixes
//    aap           a "^" line (results, base)   $ category  : slug  = take key
//                                               ^ headline  * format X/T
//                                               & service   + IPTC subject
//                                               @ place     ~ genre
//    aap-news      "#" and a long "$" line      % category  # slug  $ headline
//                  (news wire, broadcast)       : take key  * IPTC subject
//                                               & service   @ place  ~ genre
//    medianet      "%" and a one-letter "$"     % service codes  $ category
//                  (media releases)             : take key (the issuer)  * format
//    pagemasters   "#" and "@" and ":" lines    # slug  @ take key  : headline
//    racing        "ZCZC FMG..." or "YY ..."    routing line, ":" title lines
//
//  Mapping: category -> subjects aap-category:<c>; an 8-digit IPTC code ->
//  subjects subj:<code>; slug -> slugline; take key -> extra take-key (a
//  "(CITY)" take key is the dateline place); format T, pagemasters and
//  racing copy and tables -> body role "preformatted" (lines kept);
//  service level -> extra zczc-service; place -> places aap-locator:<p>;
//  genre -> genres; a closing "AAP RTV" sign-off -> extra zczc-signoff;
//  "SYDNEY, Dec 7 AAP - " -> dateline. Media releases: headline from the
//  release's first line (else "Media Release: <issuer>"), genre "Press
//  Release", the issuer and a closing "SOURCE: X" -> infosources[source].
//  Lines end in CR LF, LF or a lone CR (all three occur); SI and other
//  control characters are dropped; bytes are UTF-8 or else CP1252. A
//  message with no text is dead-lettered; its siblings go on.

#include "common.h"
#include "ingest/parsers.h"
#include "ingest/teletype.h"

//  What a header prefix means
typedef enum {
    F_NONE = 0, F_CATEGORY, F_SLUG, F_TAKEKEY, F_HEADLINE, F_FORMAT, F_SERVICE,
    F_SUBJECT, F_PLACE, F_GENRE, F_CODES
} field_t;

typedef struct {
    const char *name;           //  Dialect name (extra zczc-dialect)
    struct {
        char prefix;
        field_t field;
    } map [12];                 //  Header prefixes, 0-terminated
    bool preformatted;          //  Copy is preformatted by default
} dialect_t;

static const dialect_t s_aap = { "aap", {
    { '$', F_CATEGORY }, { ':', F_SLUG }, { '=', F_TAKEKEY }, { '^', F_HEADLINE },
    { '*', F_FORMAT }, { '&', F_SERVICE }, { '+', F_SUBJECT }, { '@', F_PLACE },
    { '~', F_GENRE }, { 0, F_NONE } }, false };
static const dialect_t s_aap_news = { "aap-news", {
    { '%', F_CATEGORY }, { '#', F_SLUG }, { '$', F_HEADLINE }, { ':', F_TAKEKEY },
    { '*', F_SUBJECT }, { '+', F_SUBJECT }, { '&', F_SERVICE }, { '@', F_PLACE },
    { '~', F_GENRE }, { 0, F_NONE } }, false };
static const dialect_t s_medianet = { "medianet", {
    { '%', F_CODES }, { '$', F_CATEGORY }, { ':', F_TAKEKEY }, { '*', F_FORMAT },
    { 0, F_NONE } }, false };
static const dialect_t s_pagemasters = { "pagemasters", {
    { '#', F_SLUG }, { '@', F_TAKEKEY }, { ':', F_HEADLINE }, { '%', F_CATEGORY },
    { '*', F_FORMAT }, { 0, F_NONE } }, true };
static const dialect_t s_racing = { "racing", {
    { ':', F_HEADLINE }, { 0, F_NONE } }, true };

//  ---------------------------------------------------------------------
//  The field of a prefix in a dialect
static field_t
s_field (const dialect_t *dialect, char prefix)
{
    for (int i = 0; dialect->map [i].prefix; i++)
        if (dialect->map [i].prefix == prefix)
            return dialect->map [i].field;
    return F_NONE;
}

//  Choose the dialect from the ZCZC line and the lines after it
static const dialect_t *
s_dialect (const char *zczc, char **lines, size_t count)
{
    if (strcasestr (zczc, "FMG"))
        return &s_racing;
    bool hash = false, caret = false, percent = false, at = false, colon = false;
    size_t dollar_max = 0;
    size_t seen = 0;
    for (size_t i = 0; i < count && seen < 12; i++) {
        const char *t = lines [i];
        while (*t == ' ' || *t == '\t')
            t++;
        if (!*t)
            continue;
        seen++;
        if (seen == 1 && strncmp (t, "YY ", 3) == 0)
            return &s_racing;
        switch (*t) {
            case '#': hash = true; break;
            case '^': caret = true; break;
            case '%': percent = true; break;
            case '@': at = true; break;
            case ':': colon = true; break;
            case '$':
                if (strlen (t) > dollar_max)
                    dollar_max = strlen (t);
                break;
            default:
                seen = 12;      //  The text has started
                break;
        }
    }
    if (caret)
        return &s_aap;
    if (hash && dollar_max > 3)
        return &s_aap_news;
    if (hash && at && colon)
        return &s_pagemasters;
    if (hash)
        return &s_aap_news;
    if (percent && dollar_max <= 3)
        return &s_medianet;
    return &s_aap;
}

//  ---------------------------------------------------------------------
//  "AAP RTV", "    AAP BETTING": a sign-off line
static bool
s_is_signoff (const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (strcmp (line, "AAP") == 0)
        return true;
    if (strncmp (line, "AAP ", 4) != 0)
        return false;
    int words = 0;
    for (const char *p = line + 4; *p; ) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t len = 0;
        while (p [len] && p [len] != ' ') {
            if (!isupper ((unsigned char) p [len]) && p [len] != '/')
                return false;
            len++;
        }
        if (len > 10)
            return false;
        words++;
        p += len;
    }
    return words >= 1 && words <= 3;
}

//  ---------------------------------------------------------------------
//  Map one header field
static void
s_map_field (story_t *story, field_t field, const char *value, bool *tabular)
{
    if (!*value && field != F_FORMAT)
        return;
    switch (field) {
        case F_CATEGORY: {
            char *literal = xasprintf ("aap-category:%s", value);
            if (!story_find_concept (&story->subjects, literal)) {
                story_concept_t *c = story_add_concept (&story->subjects, NULL);
                c->literal = literal;
            }
            else
                free (literal);
            break;
        }
        case F_SLUG:
            str_set (&story->slugline, value);
            break;
        case F_TAKEKEY:
            story_set_extra (story, "take-key", value);
            if (value [0] == '(' && value [strlen (value) - 1] == ')' && strlen (value) > 2) {
                str_setn (&story->located, value + 1, strlen (value) - 2);
                str_setn (&story->dateline.place, value + 1, strlen (value) - 2);
            }
            break;
        case F_HEADLINE:
            if (story->headlines.len == 0)
                story_add_text (&story->headlines, "main", "text/plain", value);
            else
                story_add_text (&story->headlines, "sub", "text/plain", value);
            break;
        case F_FORMAT:
            if (toupper ((unsigned char) value [0]) == 'T')
                *tabular = true;
            story_set_extra (story, "zczc-format", value);
            break;
        case F_SERVICE:
            story_set_extra (story, "zczc-service", value);
            break;
        case F_SUBJECT: {
            size_t digits = strspn (value, "0123456789");
            if (digits == 8 && value [8] == 0) {
                char literal [32];
                snprintf (literal, sizeof literal, "subj:%s", value);
                if (!story_find_concept (&story->subjects, literal)) {
                    story_concept_t *c = story_add_concept (&story->subjects, NULL);
                    c->literal = xstrdup (literal);
                }
            }
            else
                story_set_extra (story, "zczc-subject", value);
            break;
        }
        case F_PLACE: {
            char *literal = xasprintf ("aap-locator:%s", value);
            if (!story_find_concept (&story->places, literal)) {
                story_concept_t *c = story_add_concept (&story->places, value);
                c->literal = literal;
            }
            else
                free (literal);
            break;
        }
        case F_GENRE:
            story_add_concept (&story->genres, value);
            break;
        case F_CODES:
            story_set_extra (story, "zczc-codes", value);
            break;
        default:
            break;
    }
}

//  ---------------------------------------------------------------------
//  Racing copy: ":POTTED :Eagle Farm MARKET DAY" -> slug POTTED, headline
//  "Eagle Farm MARKET DAY"; a second ":" line is the slug otherwise
static void
s_map_racing (story_t *story, char **titles, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char *t = titles [i];
        char *label = strstr (t, " :");
        if (i == 0) {
            if (label) {
                *label = 0;
                str_set (&story->slugline, tty_trim (t));
                t = tty_trim (label + 2);
            }
            if (*t)
                story_add_text (&story->headlines, "main", "text/plain", t);
        }
        else
        if (!story->slugline && *t)
            str_set (&story->slugline, t);
    }
    if (!story->slugline && story->headlines.len)
        str_set (&story->slugline, story->headlines.items [0].value);
}

//  ---------------------------------------------------------------------
//  Add an infosource with role "source" unless one has that name
static void
s_add_source (story_t *story, const char *name)
{
    if (!*name)
        return;
    for (size_t i = 0; i < story->infosources.len; i++)
        if (story->infosources.items [i].name && strcmp (story->infosources.items [i].name, name) == 0)
            return;
    story_concept_t *c = story_add_concept (&story->infosources, name);
    str_set (&c->role, "source");
}

//  ---------------------------------------------------------------------
//  Parse one message
static void
s_parse_message (ingest_t *ctx, const tty_span_t *span)
{
    story_t *story = ingest_story_new (ctx);
    size_t size;
    char *text = tty_decode (ctx, story, span->data, span->size, &size);
    tty_linev_t lines = { 0 };
    tty_split_text (text, size, &lines);
    for (size_t i = 0; i < lines.len; i++)
        tty_strip_controls (lines.items [i]);

    //  The ZCZC line, and the end: an NNNN line
    size_t first = 0;
    while (first < lines.len && tty_blank (lines.items [first]))
        first++;
    const char *zczc = first < lines.len ? tty_trim (lines.items [first]) : "";
    story_set_extra (story, "zczc-line", zczc);
    size_t count = lines.len;
    for (size_t i = first + 1; i < lines.len; i++) {
        const char *t = lines.items [i];
        while (*t == ' ' || *t == '\t')
            t++;
        if (strncasecmp (t, "NNNN", 4) == 0 && tty_blank (t + 4)) {
            count = i;
            break;
        }
    }
    size_t after_count = count > first + 1 ? count - first - 1 : 0;
    char **after = after_count ? lines.items + first + 1 : NULL;
    const dialect_t *dialect = s_dialect (zczc, after, after_count);
    story_set_extra (story, "zczc-dialect", dialect->name);

    //  Header lines
    bool tabular = dialect->preformatted;
    size_t i = 0;
    VEC (char *) titles = { 0 };
    if (dialect == &s_racing) {
        while (i < after_count && tty_blank (after [i]))
            i++;
        if (i < after_count && strncmp (tty_trim (after [i]), "YY ", 3) == 0) {
            story_set_extra (story, "zczc-routing", tty_trim (after [i]));
            i++;
        }
        while (i < after_count && after [i][0] == ':') {
            *vec_push (&titles) = tty_trim (after [i] + 1);
            i++;
        }
        s_map_racing (story, titles.items, titles.len);
    }
    else {
        size_t header_lines = 0;
        for (; i < after_count && header_lines < 24; i++) {
            char *line = after [i];
            if (tty_blank (line))
                continue;
            field_t field = s_field (dialect, line [0]);
            if (field == F_NONE)
                break;
            header_lines++;
            char *value = tty_trim (line + 1);
            s_map_field (story, field, value, &tabular);
        }
    }
    free (titles.items);

    //  The text: sign-off removed, "SOURCE:" noted
    size_t end = after_count;
    while (end > i && tty_blank (after [end - 1]))
        end--;
    if (end > i && s_is_signoff (after [end - 1])) {
        story_set_extra (story, "zczc-signoff", tty_trim (after [end - 1]));
        end--;
    }
    for (size_t k = i; k < end; k++) {
        char *t = tty_trim (after [k]);
        if (strncmp (t, "SOURCE:", 7) == 0 && k + 3 >= end) {
            const char *source = t + 7;
            while (*source == ' ')
                source++;
            s_add_source (story, source);
        }
    }
    //  Media releases: the release's own first line heads it
    size_t body_from = i;
    if (dialect == &s_medianet) {
        const char *issuer = story_extra (story, "take-key");
        if (issuer)
            s_add_source (story, issuer);
        story_add_concept (&story->genres, "Press Release");
        str_set (&story->slugline, "Media Release");
        while (body_from < end && tty_blank (after [body_from]))
            body_from++;
        if (story->headlines.len == 0) {
            char *t = body_from < end ? tty_trim (after [body_from]) : NULL;
            if (t && *t && strlen (t) <= 250 && (body_from + 1 >= end || tty_blank (after [body_from + 1]))) {
                story_add_text (&story->headlines, "main", "text/plain", t);
                body_from++;
            }
            else {
                char *headline = xasprintf ("Media Release: %s", issuer ? issuer : "");
                story_add_text (&story->headlines, "main", "text/plain", tty_trim (headline));
                free (headline);
            }
        }
    }
    if (after && !tabular && tty_tabular (after + body_from, end - body_from))
        tabular = true;
    char *body = end > body_from ? tty_join_body (after + body_from, end - body_from) : NULL;
    if (body) {
        if (!tabular) {
            //  Text copy: leading indentation is paragraph layout, not content
            char *trimmed = tty_trim (body);
            memmove (body, trimmed, strlen (trimmed) + 1);
        }
        story_add_text (&story->bodies, tabular ? "preformatted" : "main", "text/plain", body);
        for (size_t k = body_from; k < end; k++)
            if (!tty_blank (after [k])) {
                tty_dateline (story, after [k]);
                break;
            }
        free (body);
    }
    if (!span->terminated)
        story_add_warning (story, "zczc-no-nnnn");

    if (story->headlines.len == 0 && story->bodies.len == 0) {
        ingest_bad_story (ctx, &story, span->data, span->size, "zczc: message \"%s\" holds no text", zczc);
    }
    else {
        ingest_set_item (ctx, span->data, span->size);
        ingest_emit (ctx, &story);
    }
    free (lines.items);
    free (text);
}

//  ---------------------------------------------------------------------
//  Parse a ZCZC stream: every message becomes a story.
int
zczc_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    tty_spanv_t spans = { 0 };
    tty_split_zczc (data, size, &spans);
    if (spans.len == 0) {
        ingest_fail (ctx, "not ZCZC teletype: no line starting with ZCZC");
        return -1;
    }
    for (size_t i = 0; i < spans.len; i++)
        s_parse_message (ctx, &spans.items [i]);
    free (spans.items);
    return 0;
}
