//  SPDX-License-Identifier: MIT
//  anpa - ANPA-1312 teletype messages (format "anpa1312")
//
//  A stream holds any number of messages:
//
//    SYN SYN SOH <svc><seq4> US <selector>                         line 1
//    <prio> <cat> <fmt1><fmt2> <keyword> [<version>] <mm-dd> <words>   line 2
//    STX ^<keyword>, <version>,<words><                              header lines
//    ^<headline><   ^Eds: ...<   ^By NAME=   ^Associated Press=
//    TAB   CITY (AP) _ text ...                                      body lines
//    ETX <trailer date, "AP-WF-02-20-16 0337GMT">  FF  EOT
//
//  Mapping (docs/formats.md §3.5): sequence -> altids[anpa-sequence]
//  (and the service letter in extra anpa-service); selectors -> extra
//  anpa-selector; priority letter -> priority (f 1, b 2, u 3, r 4, d 5,
//  a 6: advisory only, the raw letter in extra anpa-priority); category
//  letter -> subjects anpa:<c>; format DC3 DC1 = text, DC4 DC2 = tabular
//  (body role "preformatted"); keyword -> slugline (the full one from the
//  first header line, cycle prefix AM-/PM-/BC- removed and kept in extra
//  anpa-cycle); version "1stLd-Writethru" -> version "1", signals
//  writethru/update + raw; word count -> extra anpa-wordcount.
//
//  Header lines are read with a table of providers' conventions. AP:
//  "^...<" lines after the keyword line: the first is the headline,
//  "Eds:", "(Eds: ...)" and "EDITOR'S NOTE _" are ednotes, "AP Photo" and
//  "AP Video" go to extra, other "<" lines are summaries (descriptions);
//  "^By ...=" starts the byline, and the "=" line right after it that
//  names a role ("AP Sports Writer") completes it. Kyodo and others send
//  no "^" markers: the first text line is then the headline. Body lines
//  (TAB) are each a paragraph in text copy, each a line in tabular copy
//  (BS = tab line indicator dropped, DLE = space band -> space, ';'
//  columns -> TAB, AP agate '{' -> '½'). A message with no body lines
//  uses its header lines as the body. AP typography: " _ " -> " — ",
//  `` and '' -> '"'. The trailer after ETX -> versioncreated (raw kept).
//
//  Files stripped of their control characters are split on a line 1
//  ("W2870 asian") followed by a line 2 ("r a BC-..."). A message with
//  no text at all is dead-lettered; its siblings go on.

#include "common.h"
#include "ingest/parsers.h"
#include "ingest/teletype.h"

//  How a provider writes its header lines after STX
typedef enum {
    STYLE_CARET,                //  AP: "^...<" and "^...=" lines
    STYLE_PLAIN                 //  Kyodo and others: no markers
} style_t;

//  A header line rule: a prefix and what the line is
typedef enum { RULE_EDNOTE, RULE_PHOTO, RULE_VIDEO, RULE_BYLINE } rule_kind_t;

static const struct {
    const char *prefix;
    rule_kind_t kind;
} s_rules [] = {
    { "Eds:",           RULE_EDNOTE },
    { "(Eds:",          RULE_EDNOTE },
    { "EDITOR'S NOTE",  RULE_EDNOTE },
    { "Editor's Note",  RULE_EDNOTE },
    { "Editors:",       RULE_EDNOTE },
    { "AP Photo",       RULE_PHOTO },
    { "AP Photos",      RULE_PHOTO },
    { "With AP Photo",  RULE_PHOTO },
    { "AP Video",       RULE_VIDEO },
    { "By ",            RULE_BYLINE },
};

//  ---------------------------------------------------------------------
//  Priority letter to transmission priority 1-6 (0 if unknown)
static int
s_priority (char letter)
{
    switch (tolower ((unsigned char) letter)) {
        case 'f': return 1;     //  flash
        case 'b': return 2;     //  bulletin
        case 'u': return 3;     //  urgent
        case 'r': return 4;     //  regular / routine
        case 'd': return 5;     //  deferred
        case 'a': return 6;     //  advance
        default:  return 0;
    }
}

//  ---------------------------------------------------------------------
//  Line 1 after SOH: "W2870" US "asian"

static bool
s_line1 (story_t *story, char *line)
{
    char *p = line;
    while (*p == TTY_SYN || *p == TTY_SOH || *p == ' ')
        p++;
    if (!isalpha ((unsigned char) p [0]))
        return false;
    for (int i = 1; i <= 4; i++)
        if (!isdigit ((unsigned char) p [i]))
            return false;
    char service [2] = { p [0], 0 };
    char sequence [5];
    memcpy (sequence, p + 1, 4);
    sequence [4] = 0;
    story_add_altid (story, "anpa-sequence", sequence);
    story_set_extra (story, "anpa-service", service);
    p += 5;
    while (*p == TTY_US || *p == ' ' || *p == '\t')
        p++;
    char *selector = tty_trim (tty_strip_controls (p));
    if (*selector)
        story_set_extra (story, "anpa-selector", selector);
    return true;
}

//  ---------------------------------------------------------------------
//  Version words to signals and a version number ("1stLd-Writethru" -> 1)
static void
s_version (story_t *story, const char *version)
{
    if (str_empty (version))
        return;
    story_set_extra (story, "anpa-version", version);
    tty_signal (story, version);
    if (isdigit ((unsigned char) version [0])) {
        char number [8];
        size_t n = 0;
        while (isdigit ((unsigned char) version [n]) && n < 6) {
            number [n] = version [n];
            n++;
        }
        number [n] = 0;
        if (strncasecmp (version + n, "st", 2) == 0 || strncasecmp (version + n, "nd", 2) == 0
        ||  strncasecmp (version + n, "rd", 2) == 0 || strncasecmp (version + n, "th", 2) == 0)
            str_set (&story->version, number);
    }
    if (strcasestr (version, "correct"))
        story_add_signal (story, "correction");
    if (strcasestr (version, "kill"))
        story_add_signal (story, "kill");
}

//  Keyword to slugline: cycle prefix AM-/PM-/BC-/AP- removed (kept in
//  extra anpa-cycle)
static void
s_slugline (story_t *story, const char *keyword)
{
    const char *cycles [] = { "BC-", "AM-", "PM-", "AP-" };
    for (size_t i = 0; i < 4; i++)
        if (strncasecmp (keyword, cycles [i], 3) == 0 && keyword [3]) {
            char cycle [3] = { keyword [0], keyword [1], 0 };
            story_set_extra (story, "anpa-cycle", cycle);
            keyword += 3;
            break;
        }
    str_set (&story->slugline, keyword);
}

//  ---------------------------------------------------------------------
//  Line 2: "r z DC3 DC1 BC-BKN--Heat-Hawks 1stLd-Writethru   02-20 0500".
//  Returns true if it was one; *tabular tells the format.

static bool
s_line2 (story_t *story, const char *raw, bool *tabular)
{
    const char *p = raw;
    while (*p == ' ')
        p++;
    if (!isalpha ((unsigned char) p [0]) || p [1] != ' ' || !isalpha ((unsigned char) p [2]))
        return false;
    char priority = p [0];
    char category = p [2];
    p += 3;
    //  The format identifier: two control bytes (DC1-DC4)
    *tabular = false;
    int format = 0;
    while (*p == TTY_DC1 || *p == TTY_DC2 || *p == TTY_DC3 || *p == TTY_DC4) {
        if (*p == TTY_DC2 || *p == TTY_DC4)
            *tabular = true;
        format++;
        p++;
    }
    char *fields = tty_strip_controls (xstrdup (p));
    char *tokens [16];
    int count = 0;
    for (char *t = strtok (fields, " \t"); t && count < 16; t = strtok (NULL, " \t"))
        tokens [count++] = t;
    if (count == 0 && format == 0) {
        free (fields);
        return false;
    }

    char letter [2] = { priority, 0 };
    story_set_extra (story, "anpa-priority", letter);
    int level = s_priority (priority);
    if (level)
        story->priority = level;
    char literal [16];
    snprintf (literal, sizeof literal, "anpa:%c", tolower ((unsigned char) category));
    story_concept_t *subject = story_add_concept (&story->subjects, NULL);
    subject->literal = xstrdup (literal);
    if (count == 0) {
        free (fields);
        return true;
    }
    story_set_extra (story, "anpa-keyword", tokens [0]);
    //  From the end: word count, then mm-dd, the rest is the version
    int last = count - 1;
    if (last >= 1 && strspn (tokens [last], "0123456789") == strlen (tokens [last])) {
        story_set_extra (story, "anpa-wordcount", tokens [last]);
        last--;
    }
    if (last >= 1 && strlen (tokens [last]) == 5 && tokens [last][2] == '-'
    &&  isdigit ((unsigned char) tokens [last][0]) && isdigit ((unsigned char) tokens [last][4])) {
        story_set_extra (story, "anpa-date", tokens [last]);
        last--;
    }
    if (last >= 1) {
        buf_t version;
        buf_init (&version);
        for (int i = 1; i <= last; i++) {
            if (version.size)
                buf_putc (&version, ' ');
            buf_puts (&version, tokens [i]);
        }
        s_version (story, version.data);
        buf_free (&version);
    }
    s_slugline (story, tokens [0]);
    free (fields);
    return true;
}

//  ---------------------------------------------------------------------
//  A header line's text: "^" removed at the start, "<" / "=" (quad
//  left / centre) at the end. *centred says which. Modifies in place.
static char *
s_header_text (char *line, bool *centred)
{
    char *t = tty_trim (tty_strip_controls (line));
    if (*t == '^')
        t++;
    size_t len = strlen (t);
    while (len > 0 && t [len - 1] == ' ')
        t [--len] = 0;
    *centred = false;
    if (len > 0 && (t [len - 1] == '<' || t [len - 1] == '=')) {
        *centred = t [len - 1] == '=';
        t [--len] = 0;
    }
    return tty_trim (t);
}

//  Append text to a string field with a separator
static void
s_append (char **field, const char *sep, const char *text)
{
    if (*field) {
        char *joined = xasprintf ("%s%s%s", *field, sep, text);
        free (*field);
        *field = joined;
    }
    else
        *field = xstrdup (text);
}

//  Is a centred line right after a byline its role ("AP Sports Writer")?
static bool
s_byline_role (const char *text)
{
    const char *roles [] = { "Writer", "Press", "Correspondent", "Editor", "Reporter",
                             "Staff", "Columnist", "Associated", "Bureau", "Chief" };
    for (size_t i = 0; i < sizeof roles / sizeof roles [0]; i++)
        if (strstr (text, roles [i]))
            return true;
    return false;
}

//  ---------------------------------------------------------------------
//  AP typography in text copy: " _ " dash, `` and '' quotes
static char *
s_typography (const char *line)
{
    buf_t out;
    buf_init (&out);
    for (const char *p = line; *p; p++) {
        if (p [0] == ' ' && p [1] == '_' && (p [2] == ' ' || p [2] == 0) && p != line) {
            buf_puts (&out, " \xe2\x80\x94");
            p++;
        }
        else
        if ((p [0] == '`' && p [1] == '`') || (p [0] == '\'' && p [1] == '\'')) {
            buf_putc (&out, '"');
            p++;
        }
        else
            buf_putc (&out, *p);
    }
    return buf_detach (&out);
}

//  A tabular line: BS and TAB at the start dropped, a "^" mark after BS
//  dropped, DLE -> space, ';' columns -> TAB, '{' -> '½', trailing
//  quad marks removed. Caller frees.
static char *
s_agate (const char *line)
{
    const char *p = line;
    bool row = false;
    while (*p == TTY_BS || *p == '\t') {
        if (*p == TTY_BS)
            row = true;
        p++;
    }
    if (*p == '^')
        p++;
    size_t semicolons = 0;
    for (const char *q = p; *q; q++)
        if (*q == ';')
            semicolons++;
    buf_t out;
    buf_init (&out);
    for (; *p; p++) {
        if (*p == TTY_DLE) {
            if (p [1] != ' ')
                buf_putc (&out, ' ');
        }
        else
        if (*p == ';' && (row || semicolons >= 2))
            buf_putc (&out, '\t');
        else
        if (*p == '{')
            buf_puts (&out, "\xc2\xbd");
        else
            buf_putc (&out, *p);
    }
    char *text = buf_detach (&out);
    if (!text)
        return xstrdup ("");
    tty_strip_controls (text);
    size_t len = strlen (text);
    while (len > 0 && (text [len - 1] == ' ' || text [len - 1] == '<' || text [len - 1] == '='))
        text [--len] = 0;
    return text;
}

//  ---------------------------------------------------------------------
//  Map the text between STX and ETX
static void
s_map_text (story_t *story, char **lines, size_t count, bool tabular)
{
    style_t style = STYLE_PLAIN;
    for (size_t i = 0; i < count; i++) {
        const char *t = lines [i];
        while (*t == ' ' || *t == TTY_STX)
            t++;
        if (*t == '^') {
            style = STYLE_CARET;
            break;
        }
    }
    buf_t body;
    buf_init (&body);
    VEC (char *) header_body = { 0 };   //  Header lines usable as a body
    size_t body_lines = 0;
    bool in_body = false, keyword_seen = false, after_byline = false, pending_break = false;

    for (size_t i = 0; i < count; i++) {
        char *raw = lines [i];
        while (*raw == TTY_STX)
            raw++;
        bool caret = raw [0] == '^';
        bool row = raw [0] == TTY_BS || raw [0] == '\t';
        if (style == STYLE_CARET && caret && !in_body) {
            bool centred;
            char *t = s_header_text (raw, &centred);
            if (!*t)
                continue;
            //  The keyword line opens the header lines: "BC-US--Ethanol-Losing
            //  Grassland, 1st Ld-Writethru,1140" (a cycle prefix, or the
            //  keyword of line 2); a message may also start with its headline
            const char *keyword = story_extra (story, "anpa-keyword");
            bool keyword_line = !keyword_seen
                && ((isupper ((unsigned char) t [0]) && isupper ((unsigned char) t [1]) && t [2] == '-')
                    || (keyword && strncmp (t, keyword, strlen (keyword) < 8 ? strlen (keyword) : 8) == 0));
            keyword_seen = true;
            if (keyword_line) {
                char *comma = strchr (t, ',');
                if (comma)
                    *comma = 0;
                s_slugline (story, tty_trim (t));
                if (comma) {
                    char *rest = comma + 1;
                    char *last = strrchr (rest, ',');
                    if (last && strspn (tty_trim (last + 1), "0123456789") == strlen (tty_trim (last + 1)))
                        *last = 0;
                    else
                    if (strspn (tty_trim (rest), "0123456789") == strlen (tty_trim (rest)))
                        *rest = 0;
                    char *version = tty_trim (rest);
                    if (*version && !story_extra (story, "anpa-version"))
                        s_version (story, version);
                }
                continue;
            }
            bool ruled = false, byline = false;
            for (size_t r = 0; r < sizeof s_rules / sizeof s_rules [0] && !ruled; r++) {
                if (strncmp (t, s_rules [r].prefix, strlen (s_rules [r].prefix)) != 0)
                    continue;
                ruled = true;
                if (s_rules [r].kind == RULE_EDNOTE) {
                    char *note = t;
                    if (*note == '(' && note [strlen (note) - 1] == ')') {
                        note [strlen (note) - 1] = 0;
                        note++;
                    }
                    if (strncmp (note, "Eds:", 4) == 0)
                        note += 4;
                    else
                    if (strncmp (note, "EDITOR'S NOTE", 13) == 0 || strncmp (note, "Editor's Note", 13) == 0) {
                        note += 13;
                        while (*note == ' ' || *note == '_' || *note == ':' || *note == '-')
                            note++;
                    }
                    else
                    if (strncmp (note, "Editors:", 8) == 0)
                        note += 8;
                    note = tty_trim (note);
                    if (*note) {
                        size_t len = story->ednote ? strlen (story->ednote) : 0;
                        bool stop = len && strchr (".!?", story->ednote [len - 1]);
                        s_append (&story->ednote, stop || !len ? " " : ". ", note);
                    }
                }
                else
                if (s_rules [r].kind == RULE_PHOTO)
                    story_set_extra (story, "ap-photo", t);
                else
                if (s_rules [r].kind == RULE_VIDEO)
                    story_set_extra (story, "ap-video", t);
                else {
                    s_append (&story->by, "; ", t);
                    byline = true;
                }
            }
            if (ruled) {
                after_byline = byline;
                continue;
            }
            if (after_byline && centred && s_byline_role (t)) {
                s_append (&story->by, ", ", t);
                after_byline = false;
                continue;
            }
            after_byline = false;
            char *typo = s_typography (t);
            if (story->headlines.len == 0) {
                story_add_text (&story->headlines, "main", "text/plain", typo);
                *vec_push (&header_body) = t;
            }
            else
            if (tabular) {
                //  Agate headings and notes belong to the table
                if (body.size)
                    buf_puts (&body, pending_break ? "\n\n" : "\n");
                buf_puts (&body, typo);
                pending_break = false;
            }
            else {
                story_add_text (&story->descriptions, "summary", "text/plain", typo);
                *vec_push (&header_body) = t;
            }
            free (typo);
            continue;
        }
        if (tty_blank (raw)) {
            //  Text copy has one paragraph a line; in tables and in plain
            //  style a blank line separates blocks
            if (body.size)
                pending_break = true;
            continue;
        }
        //  A body line (TAB or BS rows, or any line in plain style)
        if (!in_body && style == STYLE_PLAIN && story->headlines.len == 0) {
            //  On a copy: a line too long for a headline is body text
            //  below, which still needs its leading BS or TAB
            char *copy = xstrdup (raw);
            char *t = tty_trim (tty_strip_controls (copy));
            bool headline = *t && strlen (t) <= 200;
            if (headline)
                story_add_text (&story->headlines, "main", "text/plain", t);
            free (copy);
            if (headline)
                continue;
        }
        in_body = true;
        char *text;
        if (tabular)
            text = s_agate (raw);
        else {
            char *t = raw;
            if (caret || row)
                t++;
            char *clean = tty_strip_controls (xstrdup (t));
            size_t len = strlen (clean);
            while (len > 0 && (clean [len - 1] == ' '
                   || (caret && (clean [len - 1] == '<' || clean [len - 1] == '='))))
                clean [--len] = 0;
            text = s_typography (clean);
            free (clean);
        }
        //  "^END<" closes agate
        if (strcmp (tty_trim (text), "END") == 0 && i + 3 >= count) {
            free (text);
            continue;
        }
        const char *sep;
        const char *value = text;
        if (tabular)
            sep = pending_break ? "\n\n" : "\n";
        else
        if (style == STYLE_CARET || row) {
            sep = "\n\n";     //  Each TAB line is a paragraph
            value = tty_trim (text);
        }
        else
            sep = pending_break ? "\n\n" : "\n";
        if (*value) {
            if (body.size)
                buf_puts (&body, sep);
            buf_puts (&body, value);
            body_lines++;
        }
        pending_break = false;
        free (text);
    }
    //  Trailing blank lines of a table
    while (body.size && (body.data [body.size - 1] == '\n' || body.data [body.size - 1] == ' '))
        body.data [--body.size] = 0;
    if (body_lines == 0 && header_body.len > 1) {
        //  A short message: its header lines are the text
        for (size_t i = 1; i < header_body.len; i++) {
            if (body.size)
                buf_puts (&body, "\n\n");
            buf_puts (&body, header_body.items [i]);
        }
    }
    if (story->headlines.len == 0 && story->slugline) {
        //  No headline line (agate, tables): the keyword's words after the
        //  category designator ("WEA--Global Weather-Fahrenheit")
        const char *words = strstr (story->slugline, "--");
        words = words ? words + 2 : story->slugline;
        if (*words) {
            story_add_text (&story->headlines, "main", "text/plain", words);
            story_add_warning (story, "headline-from-keyword");
        }
    }
    if (body.size) {
        story_add_text (&story->bodies, tabular ? "preformatted" : "main", "text/plain", body.data);
        //  The dateline opens the first paragraph
        char *first = xstrdup (body.data);
        char *nl = strchr (first, '\n');
        if (nl)
            *nl = 0;
        tty_dateline (story, first);
        free (first);
    }
    buf_free (&body);
    free (header_body.items);
}

//  ---------------------------------------------------------------------
//  Message start in a stream stripped of control characters: line 1
//  ("W2870 asian") followed by line 2 ("r a BC-...")
static bool
s_is_start (const char *line, size_t len, const char *next, size_t next_len)
{
    if (len < 5 || !isalpha ((unsigned char) line [0]))
        return false;
    for (int i = 1; i <= 4; i++)
        if (!isdigit ((unsigned char) line [i]))
            return false;
    //  After the sequence: US, a space, or (US stripped) the selector itself
    if (len > 5 && line [5] != ' ' && line [5] != TTY_US && !isalnum ((unsigned char) line [5])
    &&  line [5] != '-')
        return false;
    return next && next_len >= 5 && isalpha ((unsigned char) next [0]) && next [1] == ' '
        && isalpha ((unsigned char) next [2]);
}

//  ---------------------------------------------------------------------
//  Parse one message
static void
s_parse_message (ingest_t *ctx, const tty_span_t *span)
{
    story_t *story = ingest_story_new (ctx);
    size_t size;
    char *text = tty_decode (ctx, story, span->data, span->size, &size);
    char *eot = memchr (text, TTY_EOT, size);
    char *end = eot ? eot : text + size;
    *end = 0;
    size = (size_t) (end - text);
    char *stx = memchr (text, TTY_STX, size);
    char *etx = memchr (stx ? stx : text, TTY_ETX, size - (size_t) ((stx ? stx : text) - text));
    char *trailer = NULL;
    if (etx) {
        *etx = 0;
        trailer = etx + 1;
    }
    if (stx)
        *stx = 0;

    //  The heading: line 1 and line 2 before STX
    tty_linev_t head = { 0 }, body = { 0 };
    char *soh = memchr (text, TTY_SOH, (size_t) ((stx ? stx : end) - text));
    char *heading = soh ? soh + 1 : text;
    tty_split_text (heading, strlen (heading), &head);
    size_t h = 0;
    while (h < head.len && tty_blank (head.items [h]))
        h++;
    bool line1 = h < head.len && s_line1 (story, head.items [h]);
    if (line1)
        h++;
    while (h < head.len && tty_blank (head.items [h]))
        h++;
    bool tabular = false;
    bool line2 = h < head.len && s_line2 (story, head.items [h], &tabular);
    if (line2)
        h++;
    if (!line1 || !line2)
        story_add_warning (story, "anpa-header-unparsed");

    if (stx)
        tty_split_text (stx + 1, strlen (stx + 1), &body);
    else {
        //  Stripped of controls: the rest of the heading is the text
        story_add_warning (story, "anpa-no-stx");
        for (; h < head.len; h++)
            *vec_push (&body) = head.items [h];
        //  A trailer date line at the end
        size_t last = body.len;
        while (last > 0 && tty_blank (body.items [last - 1]))
            last--;
        if (!trailer && last > 0) {
            char *t = tty_trim (tty_strip_controls (body.items [last - 1]));
            if (str_starts (t, "AP-") || (strlen (t) < 40 && strchr (t, '-') && strstr (t, "GMT"))) {
                trailer = body.items [last - 1];
                body.len = last - 1;
            }
        }
    }
    //  The trailer may start on the last body line ("TAB   ETX AP-WF-...")
    s_map_text (story, body.items, body.len, tabular);
    if (trailer) {
        tty_linev_t tail = { 0 };
        tty_split_text (trailer, strlen (trailer), &tail);
        for (size_t i = 0; i < tail.len; i++) {
            char *t = tty_trim (tty_strip_controls (tail.items [i]));
            size_t len = strlen (t);
            while (len > 0 && (t [len - 1] == '<' || t [len - 1] == ' '))
                t [--len] = 0;
            if (*t) {
                str_set (&story->versioncreated, t);
                story_set_rawdate (story, "versioncreated", t);
                break;
            }
        }
        free (tail.items);
    }
    else
    if (!span->terminated)
        story_add_warning (story, "truncated");

    if (story->headlines.len == 0 && story->bodies.len == 0) {
        ingest_bad_story (ctx, &story, span->data, span->size, "anpa1312: message %s holds no text",
                          line1 ? "with a header" : "without a header line");
    }
    else {
        ingest_set_item (ctx, span->data, span->size);
        ingest_emit (ctx, &story);
    }
    free (head.items);
    free (body.items);
    free (text);
}

//  ---------------------------------------------------------------------
//  Parse an ANPA-1312 stream: every message becomes a story.
int
anpa_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    tty_spanv_t spans = { 0 };
    tty_split_soh (data, size, &spans);
    if (spans.len == 0)
        tty_split_lines (data, size, s_is_start, &spans);
    if (spans.len == 0) {
        ingest_fail (ctx, "not ANPA-1312: no SYN SYN SOH message and no header lines "
                          "like \"W2870 asian\" / \"r a BC-...\"");
        return -1;
    }
    for (size_t i = 0; i < spans.len; i++)
        s_parse_message (ctx, &spans.items [i]);
    free (spans.items);
    return 0;
}
