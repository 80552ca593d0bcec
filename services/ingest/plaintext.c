//  SPDX-License-Identifier: MIT
//  plaintext - plain-text stories (format "plain-text"), one story a file
//
//  No markup, so the structure is conventional (docs/formats.md §3.10):
//
//    label lines at the top   "Source: <org>" -> infosources[source];
//                             "MEDIA RELEASE PR67276" -> altids
//                             [media-release], genre "Press Release";
//                             a Bureau of Meteorology product id
//                             ("IDN38100") -> altids[bom-product], the
//                             issuer and region lines after it ->
//                             infosources[source], places
//    headline                 the first block of lines up to a blank line,
//                             wrapped lines joined, when it reads as a
//                             headline: at most 4 lines and 300 characters,
//                             not ending like a sentence (". , ; :" or the
//                             CJK full stop). Scraped article bodies start
//                             with a paragraph instead: they get no
//                             headline here and normalize derives one
//    "Issued at <time> on <date>."   versioncreated (raw kept); in a
//                             Bureau of Meteorology bulletin EST/EDT/CST/
//                             WST are Australian zones, written as offsets
//    dateline                 "SAO PAULO, Feb. 1, 2017 /PRNewswire-AsiaNet/ --"
//                             or "(CNN) --" at the start of one of the first
//                             paragraphs -> dateline, located (the text
//                             stays in the body)
//    "Photo - <url>", "Logo - <url>"   renditions (kept in the body too)
//    body                     the rest, blocks separated by a blank line,
//                             lines kept (normalize re-flows them); role
//                             "preformatted" when most lines are columns
//    one-line ticker          "A ** B ** C": headline A, paragraphs B, C
//
//  Also read: release markers ("FOR IMMEDIATE RELEASE", genre Press
//  Release), embargo lines ("EMBARGOED UNTIL ..." -> embargoed, raw
//  kept), field labels at the top ("Headline:", "Title:", "Subject:",
//  "Byline:", "Slug:", "Keywords:", "Date:", "Dateline:", "Language:",
//  "Copyright:"), a Markdown "# Headline" or an underlined one, and a "By
//  ..." line of its own after the headline (-> by).
//
//  Bytes are decoded with charset_decode (transport charset, then trial
//  UTF-8, then uchardet for multi-byte legacy text, then CP1252); CR LF
//  and CR become LF, other C0 controls are dropped, and C1 code points
//  (CP1252 quotes mis-decoded upstream, U+0093) are read as CP1252. Empty input is
//  refused. There is no identity in plain text: normalize derives the uri
//  from the content (formats.md §2.2), helped by the altids set here.

#include "common.h"
#include "ingest/parsers.h"
#include "ingest/teletype.h"

//  A line of the document (points into the decoded text)
typedef struct {
    const char *text;
    size_t len;                 //  Bytes, trailing whitespace excluded
    bool blank;
} line_t;

typedef VEC (line_t) linev_t;

//  ---------------------------------------------------------------------
//  Decoded text to LF-only text without C0 controls other than \t \n
//  (form feeds become line breaks). Caller frees.
static char *
s_clean_controls (const char *text, size_t size, size_t *out_size)
{
    char *out = xmalloc (size + 1);
    size_t n = 0;
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char) text [i];
        if (c == '\r') {
            out [n++] = '\n';
            if (i + 1 < size && text [i + 1] == '\n')
                i++;
        }
        else
        if (c == '\f' || c == '\v')
            out [n++] = '\n';
        else
        if ((c >= 0x20 && c != 0x7F) || c == '\n' || c == '\t')
            out [n++] = (char) c;
    }
    out [n] = 0;
    *out_size = n;
    return out;
}

//  ---------------------------------------------------------------------
//  Split text into lines
static void
s_split_lines (const char *text, size_t size, linev_t *lines)
{
    const char *p = text, *end = text + size;
    while (p < end) {
        const char *nl = memchr (p, '\n', (size_t) (end - p));
        const char *stop = nl ? nl : end;
        line_t *line = vec_push (lines);
        line->text = p;
        size_t len = (size_t) (stop - p);
        while (len > 0 && isspace ((unsigned char) p [len - 1]))
            len--;
        line->len = len;
        size_t lead = 0;
        while (lead < len && isspace ((unsigned char) p [lead]))
            lead++;
        line->blank = lead == len;
        p = nl ? nl + 1 : end;
    }
}

//  Code points in a UTF-8 byte range
static size_t
s_chars (const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char) s [i] & 0xC0) != 0x80)
            n++;
    return n;
}

//  A copy of a line without leading/trailing whitespace. Caller frees.
static char *
s_trimmed (const line_t *line)
{
    const char *p = line->text;
    size_t len = line->len;
    while (len > 0 && isspace ((unsigned char) *p)) {
        p++;
        len--;
    }
    return xstrndup (p, len);
}

//  ---------------------------------------------------------------------
//  Does a (trimmed) text end like a sentence or a clause?
static bool
s_ends_sentence (const char *s, size_t len)
{
    while (len > 0 && isspace ((unsigned char) s [len - 1]))
        len--;
    if (len == 0)
        return false;
    char last = s [len - 1];
    //  "..." and a closing quote after a full stop count as sentence ends
    if (last == '"' || last == '\'' || last == ')') {
        if (len >= 2 && (s [len - 2] == '.' || s [len - 2] == ','))
            return true;
        return false;
    }
    if (last == '.' || last == ',' || last == ';' || last == ':')
        return true;
    //  CJK full stop and comma (U+3002, U+FF0C), and the Arabic comma
    if (len >= 3 && memcmp (s + len - 3, "\xe3\x80\x82", 3) == 0)
        return true;
    if (len >= 3 && memcmp (s + len - 3, "\xef\xbc\x8c", 3) == 0)
        return true;
    if (len >= 2 && memcmp (s + len - 2, "\xd8\x8c", 2) == 0)
        return true;
    return false;
}

//  ---------------------------------------------------------------------
//  "Source: X" label
static const char *
s_label_value (const char *line, const char *label)
{
    size_t len = strlen (label);
    if (strncasecmp (line, label, len) != 0)
        return NULL;
    const char *value = line + len;
    while (*value == ' ' || *value == '\t')
        value++;
    return *value ? value : NULL;
}

//  "MEDIA RELEASE PR67276": returns the id or NULL
static const char *
s_media_release (const char *line)
{
    const char *value = s_label_value (line, "MEDIA RELEASE");
    if (!value)
        return NULL;
    for (const char *p = value; *p; p++)
        if (isspace ((unsigned char) *p))
            return NULL;
    return value;
}

//  Bureau of Meteorology product id: "ID" + state letter + 5 digits
static bool
s_bom_product (const char *line)
{
    if (strlen (line) != 8 || line [0] != 'I' || line [1] != 'D' || !isupper ((unsigned char) line [2]))
        return false;
    for (int i = 3; i < 8; i++)
        if (!isdigit ((unsigned char) line [i]))
            return false;
    return true;
}

//  ---------------------------------------------------------------------
//  Field labels some plain-text feeds write at the top ("Headline: ...",
//  "Slug: ...", "Date: ..."). Returns true if the line was one.
static bool
s_field_label (story_t *story, const char *line)
{
    //  Release markers: a press release, maybe under embargo
    static const char *releases [] = {
        "FOR IMMEDIATE RELEASE", "PRESS RELEASE", "NEWS RELEASE", "MEDIA RELEASE",
        "FOR RELEASE", "COMMUNIQUE DE PRESSE", "PRESSEMITTEILUNG"
    };
    for (size_t i = 0; i < sizeof releases / sizeof releases [0]; i++)
        if (strncasecmp (line, releases [i], strlen (releases [i])) == 0
        &&  (line [strlen (releases [i])] == 0 || line [strlen (releases [i])] == ':'
             || line [strlen (releases [i])] == ' ')) {
            const char *rest = line + strlen (releases [i]);
            while (*rest == ' ' || *rest == ':')
                rest++;
            if (*rest && strncasecmp (rest, "embargoed", 9) != 0)
                continue;       //  "Press release about...": a headline
            if (!story->genres.len)
                story_add_concept (&story->genres, "Press Release");
            return true;
        }
    //  "EMBARGOED UNTIL 00:01 GMT 2 March 2024", "Embargo: ..."
    const char *embargo = NULL;
    if (strncasecmp (line, "EMBARGOED UNTIL", 15) == 0)
        embargo = line + 15;
    else
    if (strncasecmp (line, "EMBARGOED:", 10) == 0)
        embargo = line + 10;
    else
    if (strncasecmp (line, "EMBARGO:", 8) == 0)
        embargo = line + 8;
    if (embargo) {
        while (*embargo == ' ' || *embargo == ':')
            embargo++;
        if (*embargo) {
            str_set (&story->embargoed, embargo);
            story_set_rawdate (story, "embargoed", embargo);
        }
        return true;
    }
    static const struct { const char *label; const char *field; } table [] = {
        { "Headline:", "headline" }, { "Title:", "headline" }, { "Subject:", "headline" },
        { "Byline:", "by" }, { "By:", "by" }, { "Author:", "by" },
        { "Slug:", "slugline" }, { "Slugline:", "slugline" }, { "Keyword:", "slugline" },
        { "Keywords:", "keywords" }, { "Date:", "versioncreated" }, { "Published:", "versioncreated" },
        { "Dateline:", "dateline" }, { "Language:", "language" }, { "Copyright:", "copyright" },
    };
    for (size_t i = 0; i < sizeof table / sizeof table [0]; i++) {
        const char *value = s_label_value (line, table [i].label);
        if (!value)
            continue;
        const char *field = table [i].field;
        if (strcmp (field, "headline") == 0) {
            if (story->headlines.len)
                return false;
            story_add_text (&story->headlines, "main", "text/plain", value);
        }
        else
        if (strcmp (field, "by") == 0)
            str_set (&story->by, value);
        else
        if (strcmp (field, "slugline") == 0)
            str_set (&story->slugline, value);
        else
        if (strcmp (field, "keywords") == 0) {
            char *copy = xstrdup (value);
            for (char *t = strtok (copy, ",;"); t; t = strtok (NULL, ",;")) {
                while (*t == ' ')
                    t++;
                size_t len = strlen (t);
                while (len > 0 && t [len - 1] == ' ')
                    t [--len] = 0;
                if (*t)
                    story_add_keyword (story, t);
            }
            free (copy);
        }
        else
        if (strcmp (field, "versioncreated") == 0) {
            str_set (&story->versioncreated, value);
            story_set_rawdate (story, "versioncreated", value);
        }
        else
        if (strcmp (field, "dateline") == 0)
            str_set (&story->dateline.text, value);
        else
        if (strcmp (field, "language") == 0)
            str_set (&story->language, value);
        else
        if (strcmp (field, "copyright") == 0)
            str_set (&story->copyrightnotice, value);
        return true;
    }
    return false;
}

//  ---------------------------------------------------------------------
//  "Issued at 9:27 am EST on Thursday 5 July 2018." -> sets
//  versioncreated as "Thursday 5 July 2018 9:27 am EST" (date before the
//  time, as date parsers expect), the line itself in rawdates.
static bool
s_issued_at (story_t *story, const char *line)
{
    const char *value = s_label_value (line, "Issued at");
    if (!value)
        return false;
    size_t len = strlen (value);
    while (len > 0 && (value [len - 1] == '.' || isspace ((unsigned char) value [len - 1])))
        len--;
    char *when = xstrndup (value, len);
    char *on = strstr (when, " on ");
    char *date = on ? (*on = 0, xasprintf ("%s %s", on + 4, when)) : xstrdup (when);
    free (when);
    //  Australian bulletins write Australian zones: EST is UTC+10 there,
    //  not US Eastern. Spell them as offsets.
    bool australian = false;
    for (size_t i = 0; i < story->altids.len; i++)
        if (strcmp (story->altids.items [i].role, "bom-product") == 0)
            australian = true;
    static const struct { const char *zone; const char *offset; bool always; } zones [] = {
        { "AEST", "+1000", true }, { "AEDT", "+1100", true }, { "ACST", "+0930", true },
        { "ACDT", "+1030", true }, { "AWST", "+0800", true },
        { "EST", "+1000", false }, { "EDT", "+1100", false }, { "CST", "+0930", false },
        { "CDT", "+1030", false }, { "WST", "+0800", false },
    };
    for (size_t z = 0; z < sizeof zones / sizeof zones [0]; z++) {
        if (!zones [z].always && !australian)
            continue;
        char *hit = strstr (date, zones [z].zone);
        size_t zlen = strlen (zones [z].zone);
        if (hit && (hit == date || hit [-1] == ' ') && (hit [zlen] == 0 || hit [zlen] == ' ')) {
            *hit = 0;
            char *fixed = xasprintf ("%s%s%s", date, zones [z].offset, hit + zlen);
            free (date);
            date = fixed;
            break;
        }
    }
    str_set (&story->versioncreated, date);
    free (date);
    story_set_rawdate (story, "versioncreated", line);
    return true;
}

//  ---------------------------------------------------------------------
//  A month name (at least 3 letters) at p?
static bool
s_is_month (const char *p)
{
    static const char *months [] = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
    };
    for (size_t i = 0; i < 12; i++)
        if (strncasecmp (p, months [i], 3) == 0 && !isdigit ((unsigned char) p [3]))
            return true;
    return false;
}

//  Is text a place name as datelines print it: at most 8 words, each
//  capitalised or a particle ("NEW YORK, LONDON and BEIJING", "Berlin")?
static bool
s_place_like (const char *text, size_t len)
{
    static const char *particles [] = { "and", "de", "la", "le", "of", "the", "del", "da", "do", "di", "am", "an" };
    int words = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && (text [i] == ' ' || text [i] == ','))
            i++;
        if (i >= len)
            break;
        size_t start = i;
        while (i < len && text [i] != ' ' && text [i] != ',')
            i++;
        words++;
        unsigned char c = (unsigned char) text [start];
        if (isupper (c) || c >= 0x80)
            continue;
        bool particle = false;
        for (size_t k = 0; k < sizeof particles / sizeof particles [0]; k++)
            if (strlen (particles [k]) == i - start && strncmp (text + start, particles [k], i - start) == 0)
                particle = true;
        if (!particle)
            return false;
    }
    return words <= 8;
}

//  Match a dateline at the start of a paragraph: "<place>[, <date>]
//  /<source>/ --" or "[<PLACE>] (<source>) --|-|_|em dash". Fills the
//  story's dateline and located, and returns true.
static bool
s_dateline (story_t *story, const char *para)
{
    size_t limit = strnlen (para, 200);
    for (size_t i = 0; i < limit; i++) {
        char c = para [i];
        if ((c != '/' && c != '(') || (i > 0 && para [i - 1] != ' '))
            continue;
        char close = c == '/' ? '/' : ')';
        const char *q = memchr (para + i + 1, close, limit - i - 1);
        if (!q || q - (para + i) > 60 || q == para + i + 1)
            continue;
        //  The source: no colon (tickers like "NYSE: XYZ"), not a number
        const char *src_start = para + i + 1;
        bool letters = false, colon = false;
        for (const char *k = src_start; k < q; k++) {
            if (isalpha ((unsigned char) *k))
                letters = true;
            if (*k == ':' || *k == '\n')
                colon = true;
        }
        if (!letters || colon)
            continue;
        //  Then optional spaces and a dash: -- or - or _ or an en/em dash
        const char *r = q + 1;
        while (*r == ' ')
            r++;
        if (strncmp (r, "--", 2) == 0)
            r += 2;
        else
        if (strncmp (r, "\xe2\x80\x94", 3) == 0 || strncmp (r, "\xe2\x80\x93", 3) == 0)
            r += 3;
        else
        if ((*r == '-' || *r == '_') && (r [1] == ' ' || r [1] == 0 || r [1] == '\n'))
            r += 1;
        else
            continue;
        //  The prefix: a place, then maybe ", <date>"
        size_t prefix = i;
        while (prefix > 0 && isspace ((unsigned char) para [prefix - 1]))
            prefix--;
        const char *split = NULL;
        for (const char *p = para; p + 2 < para + prefix; p++)
            if (p [0] == ',' && p [1] == ' ' && s_is_month (p + 2))
                split = p;
        size_t place_len = split ? (size_t) (split - para) : prefix;
        if (place_len > 0 && !s_place_like (para, place_len))
            return false;
        char *text = xstrndup (para, (size_t) (r - para));
        for (char *p = text; *p; p++)
            if (*p == '\n')
                *p = ' ';
        str_set (&story->dateline.text, text);
        free (text);
        str_setn (&story->dateline.source, src_start, (size_t) (q - src_start));
        if (place_len > 0) {
            str_setn (&story->dateline.place, para, place_len);
            str_setn (&story->located, para, place_len);
        }
        if (split)
            str_setn (&story->dateline.date, split + 2, (size_t) (para + prefix - split - 2));
        return true;
    }
    return false;
}

//  ---------------------------------------------------------------------
//  "Photo - http://...", "Logo - http://..." (the URL may be on the next
//  line): a rendition
static void
s_renditions (story_t *story, const linev_t *lines, size_t from)
{
    for (size_t i = from; i < lines->len; i++) {
        char *line = s_trimmed (&lines->items [i]);
        const char *names [] = { "Photo", "Logo", "Video", "Image" };
        for (size_t n = 0; n < 4; n++) {
            size_t len = strlen (names [n]);
            if (strncasecmp (line, names [n], len) != 0)
                continue;
            const char *p = line + len;
            while (*p == ' ' || isdigit ((unsigned char) *p))
                p++;
            if (*p != '-' && *p != ':')
                continue;
            p++;
            while (*p == ' ')
                p++;
            char *next = NULL;
            if (!*p && i + 1 < lines->len) {
                next = s_trimmed (&lines->items [i + 1]);
                p = next;
            }
            if (str_starts (p, "http://") || str_starts (p, "https://")) {
                size_t url_len = strcspn (p, " \t)");
                char *url = xstrndup (p, url_len);
                char name [16];
                snprintf (name, sizeof name, "%s", names [n]);
                name [0] = (char) tolower ((unsigned char) name [0]);
                bool seen = false;
                for (size_t r = 0; r < story->renditions.len; r++)
                    if (strcmp (story->renditions.items [r].href, url) == 0)
                        seen = true;
                if (!seen)
                    story_add_rendition (story, name, url);
                free (url);
            }
            free (next);
            break;
        }
        free (line);
    }
}

//  ---------------------------------------------------------------------
//  Do most non-blank lines of the body look like table rows (columns
//  separated by tabs or runs of 3+ spaces, or dotted leaders)?
static bool
s_tabular (const linev_t *lines, size_t from)
{
    size_t rows = 0, total = 0;
    for (size_t i = from; i < lines->len; i++) {
        const line_t *line = &lines->items [i];
        if (line->blank)
            continue;
        total++;
        const char *s = line->text;
        size_t len = line->len, start = 0;
        while (start < len && isspace ((unsigned char) s [start]))
            start++;
        bool column = false;
        for (size_t k = start; k + 2 < len && !column; k++)
            if ((s [k] == ' ' && s [k + 1] == ' ' && s [k + 2] == ' ')
            ||  s [k] == '\t' || (s [k] == '.' && s [k + 1] == '.' && s [k + 2] == '.'))
                column = true;
        if (column && len < 100)
            rows++;
    }
    return total >= 3 && rows * 3 >= total * 2;
}

//  ---------------------------------------------------------------------
//  A one-line ticker: "A ** B ** C", no newline. Returns true if handled.
static bool
s_ticker (story_t *story, const char *text)
{
    if (strchr (text, '\n') || !strstr (text, "**"))
        return false;
    buf_t body;
    buf_init (&body);
    bool first = true;
    const char *p = text;
    while (*p) {
        const char *sep = strstr (p, "**");
        const char *stop = sep ? sep : p + strlen (p);
        const char *a = p, *b = stop;
        while (a < b && (isspace ((unsigned char) *a) || *a == '*'))
            a++;
        while (b > a && (isspace ((unsigned char) b [-1]) || b [-1] == '*'))
            b--;
        if (b > a) {
            char *item = xstrndup (a, (size_t) (b - a));
            if (first)
                story_add_text (&story->headlines, "main", "text/plain", item);
            else {
                if (body.size)
                    buf_puts (&body, "\n\n");
                buf_puts (&body, item);
            }
            first = false;
            free (item);
        }
        if (!sep)
            break;
        p = sep + 2;
    }
    if (body.size)
        story_add_text (&story->bodies, "main", "text/plain", body.data);
    else
    if (story->headlines.len)
        story_add_text (&story->bodies, "main", "text/plain", story->headlines.items [0].value);
    buf_free (&body);
    return story->headlines.len > 0;
}

//  ---------------------------------------------------------------------
//  Parse one plain-text story.
int
plaintext_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    const document_t *doc = ingest_doc (ctx);
    charset_result_t charset;
    size_t decoded_size;
    char *decoded = charset_decode (data, size, doc->charset, NULL, &decoded_size,
                                    &charset, ingest_warnings (ctx));
    ingest_set_charset (ctx, charset.used);
    size_t text_size;
    char *text = s_clean_controls (decoded, decoded_size, &text_size);
    free (decoded);
    text = tty_fix_c1 (text);
    text_size = strlen (text);

    linev_t lines = { 0 };
    s_split_lines (text, text_size, &lines);
    size_t i = 0;
    while (i < lines.len && lines.items [i].blank)
        i++;
    if (i == lines.len) {
        ingest_fail (ctx, "empty-input: the document holds no text");
        free (lines.items);
        free (text);
        return -1;
    }
    story_t *story = ingest_story_new (ctx);

    //  A one-line ticker
    size_t nonblank = 0;
    for (size_t k = 0; k < lines.len; k++)
        if (!lines.items [k].blank)
            nonblank++;
    if (nonblank == 1) {
        char *only = s_trimmed (&lines.items [i]);
        bool ticker = s_ticker (story, only);
        free (only);
        if (ticker) {
            ingest_emit (ctx, &story);
            free (lines.items);
            free (text);
            return 0;
        }
    }

    //  Label lines at the top, possibly over several blocks
    bool labels = true;
    while (labels && i < lines.len) {
        labels = false;
        char *line = s_trimmed (&lines.items [i]);
        const char *value;
        if ((value = s_label_value (line, "Source:")) != NULL) {
            story_concept_t *source = story_add_concept (&story->infosources, value);
            str_set (&source->role, "source");
            labels = true;
        }
        else
        if ((value = s_media_release (line)) != NULL) {
            story_add_altid (story, "media-release", value);
            if (!story->genres.len)
                story_add_concept (&story->genres, "Press Release");
            labels = true;
        }
        else
        if (s_bom_product (line)) {
            story_add_altid (story, "bom-product", line);
            labels = true;
            //  The issuer and the region follow in the same block
            if (i + 1 < lines.len && !lines.items [i + 1].blank) {
                char *issuer = s_trimmed (&lines.items [i + 1]);
                story_concept_t *source = story_add_concept (&story->infosources, issuer);
                str_set (&source->role, "source");
                free (issuer);
                i++;
                if (i + 1 < lines.len && !lines.items [i + 1].blank) {
                    char *region = s_trimmed (&lines.items [i + 1]);
                    story_add_concept (&story->places, region);
                    free (region);
                    i++;
                }
            }
        }
        else
        if (s_issued_at (story, line))
            labels = true;
        else
            labels = s_field_label (story, line);
        free (line);
        if (labels) {
            i++;
            while (i < lines.len && lines.items [i].blank)
                i++;
        }
    }

    //  The headline block (unless a label gave it)
    if (i < lines.len && story->headlines.len == 0) {
        size_t j = i, chars = 0;
        while (j < lines.len && !lines.items [j].blank) {
            chars += s_chars (lines.items [j].text, lines.items [j].len);
            j++;
        }
        size_t count = j - i;
        const line_t *last = &lines.items [j - 1];
        if (count <= 4 && chars <= 300 && !s_ends_sentence (last->text, last->len)) {
            buf_t headline;
            buf_init (&headline);
            for (size_t k = i; k < j; k++) {
                char *part = s_trimmed (&lines.items [k]);
                if (headline.size)
                    buf_putc (&headline, ' ');
                buf_puts (&headline, part);
                free (part);
            }
            //  Markdown: "# Headline", and a headline underlined with = or -
            char *text = headline.data;
            while (*text == '#')
                text++;
            while (*text == ' ')
                text++;
            size_t len = strlen (text);
            if (count >= 2) {
                const line_t *under = &lines.items [j - 1];
                char *rule = s_trimmed (under);
                if (*rule && strspn (rule, "=") == strlen (rule))
                    len -= strlen (rule) + 1 <= len ? strlen (rule) + 1 : 0;
                else
                if (strlen (rule) >= 3 && strspn (rule, "-") == strlen (rule))
                    len -= strlen (rule) + 1 <= len ? strlen (rule) + 1 : 0;
                free (rule);
                text [len] = 0;
            }
            //  A dateline alone is not a headline
            story_t *probe = story_new ();
            bool is_dateline = s_dateline (probe, text);
            story_destroy (&probe);
            if (!is_dateline && *text) {
                story_add_text (&story->headlines, "main", "text/plain", text);
                i = j;
            }
            buf_free (&headline);
        }
    }
    //  A byline on its own right after the headline
    if (story->headlines.len && !story->by) {
        size_t k = i;
        while (k < lines.len && lines.items [k].blank)
            k++;
        if (k < lines.len && (k + 1 >= lines.len || lines.items [k + 1].blank)) {
            char *line = s_trimmed (&lines.items [k]);
            if ((strncmp (line, "By ", 3) == 0 || strncmp (line, "BY ", 3) == 0) && strlen (line) < 120) {
                str_set (&story->by, line);
                i = k + 1;
            }
            free (line);
        }
    }
    //  Labels after the headline ("Issued at ...")
    while (i < lines.len) {
        while (i < lines.len && lines.items [i].blank)
            i++;
        if (i >= lines.len)
            break;
        char *line = s_trimmed (&lines.items [i]);
        bool label = (i + 1 >= lines.len || lines.items [i + 1].blank)
                  && !story->versioncreated && s_issued_at (story, line);
        free (line);
        if (!label)
            break;
        i++;
    }

    //  The body: blocks separated by one blank line, lines kept
    buf_t body;
    buf_init (&body);
    size_t body_from = i;
    int paragraphs = 0;
    bool in_block = false;
    for (size_t k = i; k < lines.len; k++) {
        const line_t *line = &lines.items [k];
        if (line->blank) {
            in_block = false;
            continue;
        }
        if (!in_block) {
            if (body.size)
                buf_puts (&body, "\n\n");
            in_block = true;
            paragraphs++;
            //  A dateline opens one of the first paragraphs
            if (paragraphs <= 3 && !story->dateline.text) {
                char *start = xstrndup (line->text, line->len);
                char *trimmed = start;
                while (isspace ((unsigned char) *trimmed))
                    trimmed++;
                s_dateline (story, trimmed);
                free (start);
            }
        }
        else
            buf_putc (&body, '\n');
        buf_append (&body, line->text, line->len);
    }
    if (body.size) {
        bool tabular = s_tabular (&lines, body_from);
        story_add_text (&story->bodies, tabular ? "preformatted" : "main", "text/plain", body.data);
        s_renditions (story, &lines, body_from);
    }
    else
    if (story->headlines.len == 0) {
        ingest_fail (ctx, "empty-input: the document holds only labels, no story text");
        buf_free (&body);
        story_destroy (&story);
        free (lines.items);
        free (text);
        return -1;
    }
    buf_free (&body);
    ingest_emit (ctx, &story);
    free (lines.items);
    free (text);
    return 0;
}
