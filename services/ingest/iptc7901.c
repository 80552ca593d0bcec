//  SPDX-License-Identifier: MIT
//  iptc7901 - IPTC 7901 teletype messages (format "iptc7901")
//
//  A stream holds any number of messages:
//
//    SOH <src><seq> <priority> <category> <words> [<info>] CR LF   header
//    <keyword>/<keyword>/ CR LF                                      slug line(s)
//    STX <header block ending " ="> or <headline>                    text...
//    ... body, hard-wrapped, paragraphs indented or after a blank line
//    The following information is not for publication                ednote...
//    dpa wsz jln                                                     editors' initials
//    ETX <DDHHMM> [GMT] <Mon> <YY>                                   trailer date
//    DEL EOT
//
//  Mapping (docs/formats.md §3.4): source letters + sequence -> altids
//  [iptc7901-sequence] (sequence numbers wrap: they are not the uri, which
//  normalize derives from slug and date); priority digit -> priority (1-6;
//  always in extra iptc7901-priority); category -> subjects
//  iptc7901cat:<c>; word count -> extra iptc7901-wordcount (not trusted);
//  the agency named in the optional info -> infosources[source]; slug
//  line -> slugline and keywords (split on '/'); header block lines: "By"
//  -> by, REFILE / 1ST LEAD / EXTRA / CORRECTION... -> signals (raw kept),
//  "(...)" -> ednote, the last other line -> headlines[main] (earlier
//  ones "sub"); no " =" line -> the first text line is the headline;
//  "City (dpa) - " -> dateline; the "not for publication" section ->
//  ednote (out of the body); initials -> extra iptc7901-initials; trailer
//  -> versioncreated (raw kept). Bodies keep their lines (normalize
//  re-flows them); tables get the role "preformatted".
//
//  Files stripped of their control characters are split on header lines
//  ("eca062 4 i 211 ..."); the slug is a first line ending in '/', the
//  trailer a last line like "131137 GMT Nov 13". A message that has no
//  text is dead-lettered with its bytes; its siblings go on.

#include "common.h"
#include "ingest/parsers.h"
#include "ingest/teletype.h"

//  The header line of a message
typedef struct {
    char source [8];            //  Service letters ("eca")
    char sequence [8];          //  Message number ("062")
    char priority [4];          //  Priority digit
    char category [8];          //  Category letters
    char words [8];             //  Word count as sent
    char info [128];            //  Optional information
} header_t;

//  ---------------------------------------------------------------------
//  Parse "eca062 4 i 211 ccccb   dpa 061". Returns true if it is one.
static bool
s_parse_header (const char *line, size_t len, header_t *h)
{
    memset (h, 0, sizeof *h);
    size_t i = 0;
    while (i < len && line [i] == ' ')
        i++;
    size_t letters = 0, digits = 0;
    while (i < len && isalpha ((unsigned char) line [i]) && letters < 5)
        h->source [letters++] = line [i++];
    while (i < len && isdigit ((unsigned char) line [i]) && digits < 6)
        h->sequence [digits++] = line [i++];
    if (digits < 2 || (letters == 0 && digits < 3) || i >= len || line [i] != ' ')
        return false;
    while (i < len && line [i] == ' ')
        i++;
    if (i >= len || !isdigit ((unsigned char) line [i]))
        return false;
    h->priority [0] = line [i++];
    if (i >= len || line [i] != ' ')
        return false;
    while (i < len && line [i] == ' ')
        i++;
    size_t c = 0;
    while (i < len && isalpha ((unsigned char) line [i]) && c < 4)
        h->category [c++] = line [i++];
    if (c == 0 || c > 3 || (i < len && line [i] != ' '))
        return false;
    while (i < len && line [i] == ' ')
        i++;
    size_t w = 0;
    while (i < len && isdigit ((unsigned char) line [i]) && w < 6)
        h->words [w++] = line [i++];
    if (w == 0 || (i < len && line [i] != ' '))
        return false;
    while (i < len && line [i] == ' ')
        i++;
    size_t rest = len - i;
    while (rest > 0 && isspace ((unsigned char) line [i + rest - 1]))
        rest--;
    if (rest >= sizeof h->info)
        rest = sizeof h->info - 1;
    memcpy (h->info, line + i, rest);
    h->info [rest] = 0;
    tty_utf8_clip (h->info);
    return true;
}

//  Message start in a stream without control characters: a header line
//  with at least two source letters (as the sniffer requires)
static bool
s_is_start (const char *line, size_t len, const char *next, size_t next_len)
{
    header_t h;
    return len > 0 && isalpha ((unsigned char) line [0]) && isalpha ((unsigned char) line [1])
        && s_parse_header (line, len, &h);
}

//  ---------------------------------------------------------------------
//  "131137 GMT Nov 13", "211259 Nov 18": a trailer date line
static bool
s_is_trailer (const char *line)
{
    const char *p = line;
    while (*p == ' ')
        p++;
    for (int i = 0; i < 6; i++)
        if (!isdigit ((unsigned char) p [i]))
            return false;
    if (p [6] != ' ')
        return false;
    //  A month name follows within two words
    static const char *months [] = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        "mär", "mai", "okt", "dez"
    };
    const char *q = p + 7;
    for (int word = 0; word < 2 && *q; word++) {
        for (size_t m = 0; m < sizeof months / sizeof months [0]; m++)
            if (strncasecmp (q, months [m], strlen (months [m])) == 0)
                return strlen (p) < 40;
        while (*q && *q != ' ')
            q++;
        while (*q == ' ')
            q++;
    }
    return false;
}

//  "dpa wsz jln npr": editors' initials closing a message
static bool
s_is_initials (const char *line)
{
    int tokens = 0;
    const char *p = line;
    while (*p == ' ')
        p++;
    while (*p) {
        size_t len = 0;
        while (p [len] && p [len] != ' ') {
            if (!islower ((unsigned char) p [len]) && p [len] != '-')
                return false;
            len++;
        }
        if (len == 0 || len > 7)
            return false;
        tokens++;
        p += len;
        while (*p == ' ')
            p++;
    }
    return tokens >= 2 && tokens <= 10;
}

//  The line that opens the not-for-publication section
static bool
s_is_ednote_marker (const char *line)
{
    static const char *markers [] = {
        "not for publication", "not intended for publication",
        "nicht zur veröffentlichung", "nicht für die veröffentlichung",
        "nicht zur veroeffentlichung", "pas pour publication", "ne pas publier"
    };
    char lower [256];
    size_t n = 0;
    for (const char *p = line; *p && n + 1 < sizeof lower; p++)
        lower [n++] = (char) tolower ((unsigned char) *p);
    lower [n] = 0;
    for (size_t i = 0; i < sizeof markers / sizeof markers [0]; i++)
        if (strstr (lower, markers [i]))
            return true;
    return false;
}

//  "By Tom Krasovic, The San Diego Union-Tribune", "Von Anna Meier"
static bool
s_is_byline (const char *line)
{
    return strncasecmp (line, "By ", 3) == 0 || strncmp (line, "Von ", 4) == 0
        || strncmp (line, "Par ", 4) == 0 || strncmp (line, "Por ", 4) == 0;
}

//  A separator line ("* * * *", "----")
static bool
s_is_separator (const char *line)
{
    bool mark = false;
    for (const char *p = line; *p; p++) {
        if (*p == '*' || *p == '-' || *p == '=' || *p == '_')
            mark = true;
        else
        if (*p != ' ')
            return false;
    }
    return mark;
}

//  ---------------------------------------------------------------------
//  Map the header line into the story
static void
s_map_header (story_t *story, const header_t *h)
{
    char id [16];
    snprintf (id, sizeof id, "%s%s", h->source, h->sequence);
    story_add_altid (story, "iptc7901-sequence", id);
    if (h->source [0])
        story_set_extra (story, "iptc7901-service", h->source);
    story_set_extra (story, "iptc7901-priority", h->priority);
    int priority = h->priority [0] - '0';
    if (priority >= 1 && priority <= 6)
        story->priority = priority;
    char literal [32];
    snprintf (literal, sizeof literal, "iptc7901cat:%s", h->category);
    story_concept_t *subject = story_add_concept (&story->subjects, NULL);
    subject->literal = xstrdup (literal);
    story_set_extra (story, "iptc7901-wordcount", h->words);
    if (h->info [0]) {
        story_set_extra (story, "iptc7901-info", h->info);
        //  The agency: the last word of letters that a number follows
        //  ("ccccb   dpa 061" -> dpa, "dpa-tns 0908" -> dpa-tns)
        char info [128];
        snprintf (info, sizeof info, "%s", h->info);
        char *tokens [16];
        int count = 0;
        for (char *t = strtok (info, " "); t && count < 16; t = strtok (NULL, " "))
            tokens [count++] = t;
        for (int i = count - 2; i >= 0; i--) {
            bool word = true, number = true;
            for (char *p = tokens [i]; *p; p++)
                if (!isalpha ((unsigned char) *p) && *p != '-')
                    word = false;
            for (char *p = tokens [i + 1]; *p; p++)
                if (!isdigit ((unsigned char) *p))
                    number = false;
            if (word && number) {
                story_concept_t *source = story_add_concept (&story->infosources, tokens [i]);
                str_set (&source->role, "source");
                break;
            }
        }
    }
}

//  Slug line(s): "Switzerland/migration/UN/" -> slugline, keywords
static void
s_map_slug (story_t *story, char **lines, size_t count)
{
    buf_t slug;
    buf_init (&slug);
    for (size_t i = 0; i < count; i++) {
        char *line = tty_trim (tty_strip_controls (lines [i]));
        if (!*line)
            continue;
        if (slug.size && slug.data [slug.size - 1] != '/')
            buf_putc (&slug, '/');
        buf_puts (&slug, line);
    }
    while (slug.size && (slug.data [slug.size - 1] == '/' || slug.data [slug.size - 1] == ' '))
        slug.data [--slug.size] = 0;
    if (slug.size) {
        str_set (&story->slugline, slug.data);
        char *copy = xstrdup (slug.data);
        for (char *t = strtok (copy, "/"); t; t = strtok (NULL, "/")) {
            char *word = tty_trim (t);
            if (*word)
                story_add_keyword (story, word);
        }
        free (copy);
    }
    buf_free (&slug);
}

//  ---------------------------------------------------------------------
//  Map the text (between STX and ETX) into the story
static void
s_map_text (story_t *story, char **lines, size_t count)
{
    if (!lines || count == 0)
        return;
    //  Drop leading blank lines
    size_t first = 0;
    while (first < count && tty_blank (lines [first]))
        first++;
    lines += first;
    count -= first;
    for (size_t i = 0; i < count; i++)
        tty_strip_controls (lines [i]);

    //  The header block ends with the first line ending in "=" (dpa), found
    //  within the first eight non-blank lines
    size_t block_end = 0, seen = 0;
    bool block = false;
    for (size_t i = 0; i < count && seen < 8; i++) {
        if (tty_blank (lines [i]))
            continue;
        seen++;
        char *t = tty_trim (lines [i]);
        size_t len = strlen (t);
        if (len > 0 && t [len - 1] == '=') {
            block_end = i + 1;
            block = true;
            break;
        }
    }
    //  A byline may follow on its own "=" line ("Headline =" / "By X =")
    while (block && block_end < count) {
        size_t next = block_end;
        while (next < count && tty_blank (lines [next]))
            next++;
        if (next >= count)
            break;
        char *t = tty_trim (lines [next]);
        size_t len = strlen (t);
        if (len > 0 && len < 200 && t [len - 1] == '=' && s_is_byline (t))
            block_end = next + 1;
        else
            break;
    }
    size_t text_start;
    if (block) {
        VEC (char *) candidates = { 0 };
        for (size_t i = 0; i < block_end; i++) {
            char *t = tty_trim (lines [i]);
            size_t len = strlen (t);
            while (len > 0 && (t [len - 1] == '=' || t [len - 1] == ' '))
                t [--len] = 0;
            if (!len)
                continue;
            if (s_is_byline (t)) {
                if (story->by) {
                    char *joined = xasprintf ("%s; %s", story->by, t);
                    free (story->by);
                    story->by = joined;
                }
                else
                    str_set (&story->by, t);
            }
            else
            if (t [0] == '(' && t [len - 1] == ')') {
                if (story->ednote) {
                    char *joined = xasprintf ("%s %s", story->ednote, t);
                    free (story->ednote);
                    story->ednote = joined;
                }
                else
                    str_set (&story->ednote, t);
            }
            else
            if (len <= 30 && tty_signal (story, t))
                ;
            else
                *vec_push (&candidates) = t;
        }
        if (candidates.len) {
            story_add_text (&story->headlines, "main", "text/plain",
                            candidates.items [candidates.len - 1]);
            for (size_t i = 0; i + 1 < candidates.len; i++)
                story_add_text (&story->headlines, "sub", "text/plain", candidates.items [i]);
        }
        free (candidates.items);
        text_start = block_end;
    }
    else {
        //  The first line of text is the headline
        text_start = 0;
        if (count > 0) {
            char *t = tty_trim (lines [0]);
            if (*t && strlen (t) <= 300) {
                story_add_text (&story->headlines, "main", "text/plain", t);
                text_start = 1;
            }
        }
    }

    //  A byline opening the text on a line of its own
    if (!story->by) {
        size_t first_text = text_start;
        while (first_text < count && tty_blank (lines [first_text]))
            first_text++;
        if (first_text < count) {
            char *t = tty_trim (lines [first_text]);
            if (s_is_byline (t) && strlen (t) < 120
            &&  (first_text + 1 >= count || tty_blank (lines [first_text + 1]))) {
                str_set (&story->by, t);
                text_start = first_text + 1;
            }
        }
    }
    //  Editors' initials: the last non-blank line
    size_t end = count;
    while (end > text_start && tty_blank (lines [end - 1]))
        end--;
    if (end > text_start && s_is_initials (lines [end - 1])) {
        story_set_extra (story, "iptc7901-initials", tty_trim (lines [end - 1]));
        end--;
    }
    //  The not-for-publication section
    size_t body_end = end;
    for (size_t i = text_start; i < end; i++)
        if (s_is_ednote_marker (lines [i])) {
            body_end = i;
            char *note = tty_join_body (lines + i + 1, end - i - 1);
            if (note) {
                if (story->ednote) {
                    char *joined = xasprintf ("%s\n\n%s", story->ednote, note);
                    free (story->ednote);
                    story->ednote = joined;
                    free (note);
                }
                else
                    story->ednote = note;
            }
            break;
        }
    //  A separator before that section is not text
    while (body_end > text_start
       && (tty_blank (lines [body_end - 1]) || s_is_separator (tty_trim (lines [body_end - 1]))))
        body_end--;

    char *body = tty_join_body (lines + text_start, body_end - text_start);
    if (body) {
        bool tabular = tty_tabular (lines + text_start, body_end - text_start);
        story_add_text (&story->bodies, tabular ? "preformatted" : "main", "text/plain", body);
        for (size_t i = text_start; i < body_end; i++)
            if (!tty_blank (lines [i])) {
                tty_dateline (story, lines [i]);
                break;
            }
        free (body);
    }
}

//  ---------------------------------------------------------------------
//  Parse one message (raw bytes as found in the stream)
static void
s_parse_message (ingest_t *ctx, const tty_span_t *span)
{
    story_t *story = ingest_story_new (ctx);
    size_t size;
    char *text = tty_decode (ctx, story, span->data, span->size, &size);

    //  Regions by control characters: header (SOH..STX), text (STX..ETX),
    //  trailer (ETX..EOT)
    char *soh = memchr (text, TTY_SOH, size);
    char *stx = memchr (text, TTY_STX, size);
    char *etx = stx ? memchr (stx, TTY_ETX, size - (size_t) (stx - text)) : memchr (text, TTY_ETX, size);
    char *eot = memchr (text, TTY_EOT, size);
    char *end = eot ? eot : text + size;
    if (etx && etx > end)
        etx = NULL;
    if (stx && stx > end)
        stx = NULL;

    char *header_start = soh ? soh + 1 : text;
    char *header_end = stx ? stx : end;
    char *text_start = stx ? stx + 1 : NULL;
    char *text_end = etx ? etx : end;
    char *trailer = etx ? etx + 1 : NULL;
    *end = 0;
    if (etx)
        *etx = 0;
    if (stx)
        *stx = 0;

    tty_linev_t head = { 0 }, body = { 0 }, tail = { 0 };
    tty_split_text (header_start, (size_t) (header_end - header_start), &head);
    //  The header line: the first non-blank line
    size_t h = 0;
    while (h < head.len && tty_blank (head.items [h]))
        h++;
    header_t header;
    bool have_header = h < head.len
        && s_parse_header (tty_strip_controls (head.items [h]), strlen (head.items [h]), &header);
    if (have_header)
        s_map_header (story, &header);
    else
        story_add_warning (story, "iptc7901-header-unparsed");
    size_t slug_from = h < head.len ? h + 1 : head.len;

    if (text_start) {
        if (head.len > slug_from)
            s_map_slug (story, head.items + slug_from, head.len - slug_from);
        tty_split_text (text_start, (size_t) (text_end - text_start), &body);
    }
    else {
        //  No STX: a stripped message. A first line ending in '/' is the
        //  slug; the rest is text, a trailer date line closes it.
        size_t i = slug_from;
        while (i < head.len && tty_blank (head.items [i]))
            i++;
        if (i < head.len) {
            char *t = tty_trim (tty_strip_controls (head.items [i]));
            size_t len = strlen (t);
            if (len > 0 && t [len - 1] == '/' && len < 120) {
                s_map_slug (story, head.items + i, 1);
                i++;
            }
        }
        for (; i < head.len; i++)
            *vec_push (&body) = head.items [i];
        //  The trailer
        size_t last = body.len;
        while (last > 0 && tty_blank (body.items [last - 1]))
            last--;
        if (last > 0 && s_is_trailer (tty_strip_controls (body.items [last - 1]))) {
            trailer = body.items [last - 1];
            body.len = last - 1;
        }
        if (!etx)
            story_add_warning (story, "iptc7901-no-stx");
    }
    s_map_text (story, body.items, body.len);

    //  The trailer date: the first non-blank line after ETX
    if (trailer) {
        tty_split_text (trailer, strlen (trailer), &tail);
        for (size_t i = 0; i < tail.len; i++) {
            char *t = tty_trim (tty_strip_controls (tail.items [i]));
            if (*t) {
                str_set (&story->versioncreated, t);
                story_set_rawdate (story, "versioncreated", t);
                break;
            }
        }
    }
    if (!span->terminated && !etx && !trailer)
        story_add_warning (story, "truncated");

    if (story->headlines.len == 0 && story->bodies.len == 0) {
        ingest_bad_story (ctx, &story, span->data, span->size,
                          "iptc7901: message %s holds no text",
                          have_header ? "with a header" : "without a header line");
    }
    else {
        ingest_set_item (ctx, span->data, span->size);
        ingest_emit (ctx, &story);
    }
    free (head.items);
    free (body.items);
    free (tail.items);
    free (text);
}

//  ---------------------------------------------------------------------
//  Parse a 7901 stream: every message becomes a story.

int
iptc7901_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    tty_spanv_t spans = { 0 };
    tty_split_soh (data, size, &spans);
    if (spans.len == 0)
        tty_split_lines (data, size, s_is_start, &spans);
    if (spans.len == 0) {
        ingest_fail (ctx, "not IPTC 7901: no SOH-framed message and no header line "
                          "like \"eca062 4 i 211\"");
        return -1;
    }
    for (size_t i = 0; i < spans.len; i++)
        s_parse_message (ctx, &spans.items [i]);
    free (spans.items);
    return 0;
}
