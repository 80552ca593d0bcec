//  SPDX-License-Identifier: MIT
//  teletype - framing and text helpers of the teletype parsers (see teletype.h)

#include "common.h"
#include "ingest/teletype.h"

//  ---------------------------------------------------------------------
//  Split a stream on SOH ... EOT
void
tty_split_soh (const uint8_t *data, size_t size, tty_spanv_t *spans)
{
    size_t i = 0;
    while (i < size) {
        const uint8_t *soh = memchr (data + i, TTY_SOH, size - i);
        if (!soh)
            break;
        size_t start = (size_t) (soh - data);
        //  Include the SYN bytes just before the SOH
        while (start > i && data [start - 1] == TTY_SYN)
            start--;
        size_t j = (size_t) (soh - data) + 1;
        size_t end = size;
        bool terminated = false;
        for (; j < size; j++) {
            if (data [j] == TTY_EOT) {
                end = j + 1;
                terminated = true;
                break;
            }
            if (data [j] == TTY_SOH) {
                //  The SYN bytes before the next SOH belong to it
                end = j;
                while (end > start + 1 && data [end - 1] == TTY_SYN)
                    end--;
                break;
            }
        }
        tty_span_t *span = vec_push (spans);
        span->data = data + start;
        span->size = end - start;
        span->terminated = terminated;
        i = end;
    }
}

//  ---------------------------------------------------------------------
//  Length of the line at p (up to CR or LF)
static size_t
s_line_len (const uint8_t *p, const uint8_t *end)
{
    const uint8_t *q = p;
    while (q < end && *q != '\n' && *q != '\r')
        q++;
    return (size_t) (q - p);
}

//  Skip one line end (CR LF, LF or CR) at p
static const uint8_t *
s_skip_eol (const uint8_t *p, const uint8_t *end)
{
    if (p < end && *p == '\r') {
        p++;
        if (p < end && *p == '\n')
            p++;
    }
    else
    if (p < end && *p == '\n')
        p++;
    return p;
}

//  Is this line "ZCZC..." after optional spaces/controls?
static bool
s_zczc_line (const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len && (p [i] == ' ' || p [i] == '\t' || p [i] < 0x20 || p [i] == TTY_DEL))
        i++;
    return len - i >= 4 && strncasecmp ((const char *) p + i, "ZCZC", 4) == 0
        && (len - i == 4 || !isalnum (p [i + 4]) || isupper (p [i + 4]) || isdigit (p [i + 4])
            || p [i + 4] == ' ');
}

//  Is this line "NNNN" (with optional spaces/controls around)?
static bool
s_nnnn_line (const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len && (p [i] == ' ' || p [i] == '\t' || p [i] < 0x20 || p [i] == TTY_DEL))
        i++;
    if (len - i < 4 || strncasecmp ((const char *) p + i, "NNNN", 4) != 0)
        return false;
    for (size_t k = i + 4; k < len; k++)
        if (p [k] != ' ' && p [k] != '\t' && p [k] >= 0x20 && p [k] != TTY_DEL)
            return false;
    return true;
}

//  Split on ZCZC ... NNNN lines (see teletype.h)
void
tty_split_zczc (const uint8_t *data, size_t size, tty_spanv_t *spans)
{
    const uint8_t *p = data, *end = data + size;
    tty_span_t *open = NULL;
    while (p < end) {
        size_t len = s_line_len (p, end);
        const uint8_t *next = s_skip_eol (p + len, end);
        if (s_zczc_line (p, len)) {
            if (open)
                open->size = (size_t) (p - open->data);
            open = vec_push (spans);
            open->data = p;
            open->size = 0;
            open->terminated = false;
        }
        else
        if (open && s_nnnn_line (p, len)) {
            open->size = (size_t) (next - open->data);
            open->terminated = true;
            open = NULL;
        }
        p = next;
    }
    if (open)
        open->size = (size_t) (end - open->data);
}

//  Split a stripped stream on the lines is_start accepts
void
tty_split_lines (const uint8_t *data, size_t size, tty_start_fn *is_start, tty_spanv_t *spans)
{
    const uint8_t *p = data, *end = data + size;
    tty_span_t *open = NULL;
    while (p < end) {
        size_t len = s_line_len (p, end);
        const uint8_t *next = s_skip_eol (p + len, end);
        //  Skip padding at the start of the line
        const uint8_t *q = p;
        while (q < p + len && (*q == TTY_DEL || *q == 0 || *q == ' '))
            q++;
        size_t qlen = (size_t) (p + len - q);
        size_t next_len = next < end ? s_line_len (next, end) : 0;
        if (is_start ((const char *) q, qlen, next < end ? (const char *) next : NULL, next_len)) {
            if (open)
                open->size = (size_t) (p - open->data);
            open = vec_push (spans);
            open->data = p;
            open->size = 0;
            open->terminated = false;
        }
        p = next;
    }
    if (open)
        open->size = (size_t) (end - open->data);
}

//  ---------------------------------------------------------------------
//  Decode a message to UTF-8
char *
tty_decode (ingest_t *ctx, story_t *story, const uint8_t *data, size_t size, size_t *out_size)
{
    const document_t *doc = ingest_doc (ctx);
    char *text;
    size_t text_size;
    if (charset_utf8_valid (data, size)) {
        text = xstrndup ((const char *) data, size);
        text_size = size;
        str_set (&story->ingest.charset, charset_utf8_multibyte (data, size) ? "utf-8" : "us-ascii");
    }
    else {
        //  No declaration in teletype: the transport's, else CP1252 (a
        //  superset of Latin-1 for printable text). Never guess with
        //  uchardet here: short Latin-1 wire copy fools it.
        const char *declared = doc->charset && *doc->charset ? doc->charset : "windows-1252";
        charset_result_t result;
        strv_t warnings = { 0 };
        text = charset_decode (data, size, declared, NULL, &text_size, &result, &warnings);
        for (size_t i = 0; i < warnings.len; i++)
            story_add_warning (story, "%s", warnings.items [i]);
        strv_free (&warnings);
        if (!doc->charset || !*doc->charset)
            story_add_warning (story, "charset-fallback:cp1252");
        str_set (&story->ingest.charset, result.used);
    }
    //  NUL and DEL are padding
    size_t n = 0;
    for (size_t i = 0; i < text_size; i++)
        if (text [i] != 0 && text [i] != TTY_DEL)
            text [n++] = text [i];
    text [n] = 0;
    text = tty_fix_c1 (text);
    *out_size = strlen (text);
    return text;
}

//  ---------------------------------------------------------------------
//  Split text into lines, in place
void
tty_split_text (char *text, size_t size, tty_linev_t *lines)
{
    char *p = text, *end = text + size;
    while (p < end) {
        char *q = p;
        while (q < end && *q != '\n' && *q != '\r')
            q++;
        char **slot = vec_push (lines);
        *slot = p;
        if (q >= end)
            break;
        char c = *q;
        *q = 0;
        q++;
        if (c == '\r' && q < end && *q == '\n')
            q++;
        p = q;
    }
}

char *
tty_fix_c1 (char *s)
{
    //  CP1252 0x80-0x9F as UTF-8 (empty: undefined in CP1252)
    static const char *cp1252 [32] = {
        "\xe2\x82\xac", "", "\xe2\x80\x9a", "\xc6\x92", "\xe2\x80\x9e", "\xe2\x80\xa6",
        "\xe2\x80\xa0", "\xe2\x80\xa1", "\xcb\x86", "\xe2\x80\xb0", "\xc5\xa0",
        "\xe2\x80\xb9", "\xc5\x92", "", "\xc5\xbd", "", "", "\xe2\x80\x98",
        "\xe2\x80\x99", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\xa2", "\xe2\x80\x93",
        "\xe2\x80\x94", "\xcb\x9c", "\xe2\x84\xa2", "\xc5\xa1", "\xe2\x80\xba",
        "\xc5\x93", "", "\xc5\xbe", "\xc5\xb8"
    };
    if (!s)
        return NULL;
    const char *c1 = NULL;
    for (const char *p = s; *p; p++)
        if ((unsigned char) p [0] == 0xC2 && (unsigned char) p [1] >= 0x80 && (unsigned char) p [1] < 0xA0) {
            c1 = p;
            break;
        }
    if (!c1)
        return s;
    buf_t out;
    buf_init (&out);
    buf_append (&out, s, (size_t) (c1 - s));
    for (const char *p = c1; *p; p++) {
        if ((unsigned char) p [0] == 0xC2 && (unsigned char) p [1] >= 0x80 && (unsigned char) p [1] < 0xA0) {
            buf_puts (&out, cp1252 [(unsigned char) p [1] - 0x80]);
            p++;
        }
        else
            buf_putc (&out, *p);
    }
    free (s);
    return out.data ? buf_detach (&out) : xstrdup ("");
}

char *
tty_utf8_clip (char *s)
{
    size_t len = strlen (s);
    //  Walk back over continuation bytes to the lead byte of the last sequence
    size_t i = len;
    size_t back = 0;
    while (i > 0 && back < 4 && ((unsigned char) s [i - 1] & 0xC0) == 0x80) {
        i--;
        back++;
    }
    if (i > 0 && (unsigned char) s [i - 1] >= 0xC0) {
        unsigned char lead = (unsigned char) s [i - 1];
        size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
        if (back < need)
            s [i - 1] = 0;
    }
    return s;
}

//  Drop C0 controls (but TAB and LF) and DEL, in place
char *
tty_strip_controls (char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        unsigned char c = (unsigned char) *r;
        if ((c < 0x20 && c != '\t' && c != '\n') || c == TTY_DEL)
            continue;
        *w++ = *r;
    }
    *w = 0;
    return s;
}

//  Trim ASCII whitespace, in place; returns the new start
char *
tty_trim (char *s)
{
    while (*s && isspace ((unsigned char) *s))
        s++;
    size_t len = strlen (s);
    while (len > 0 && isspace ((unsigned char) s [len - 1]))
        s [--len] = 0;
    return s;
}

//  Only whitespace, controls or DEL?
bool
tty_blank (const char *s)
{
    for (; *s; s++)
        if (!isspace ((unsigned char) *s) && (unsigned char) *s >= 0x20 && *s != TTY_DEL)
            return false;
    return true;
}

//  ---------------------------------------------------------------------
//  Datelines
static bool
s_is_month (const char *p)
{
    static const char *months [] = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
    };
    for (size_t i = 0; i < 12; i++)
        if (strncasecmp (p, months [i], 3) == 0)
            return true;
    return false;
}

//  A dash after a dateline: " - ", " _ ", " -- ", en/em dash. Returns the
//  length of the separator including the spaces before it, or 0.
static size_t
s_dash (const char *p)
{
    size_t i = 0;
    while (p [i] == ' ')
        i++;
    if (i == 0)
        return 0;
    if (strncmp (p + i, "--", 2) == 0)
        i += 2;
    else
    if (strncmp (p + i, "\xe2\x80\x94", 3) == 0 || strncmp (p + i, "\xe2\x80\x93", 3) == 0)
        i += 3;
    else
    if (p [i] == '-' || p [i] == '_')
        i++;
    else
        return 0;
    if (p [i] != ' ' && p [i] != 0)
        return 0;
    return i;
}

//  Is the text before a dateline's source a place (and date)? Starts with
//  an upper-case letter, at most 60 bytes, no sentence inside.
static bool
s_place_ok (const char *p, size_t len)
{
    if (len == 0 || len > 60)
        return false;
    unsigned char c = (unsigned char) p [0];
    if (!isupper (c) && c < 0x80)
        return false;
    for (size_t i = 0; i + 1 < len; i++)
        if ((p [i] == '.' || p [i] == '!' || p [i] == '?') && p [i + 1] == ' '
        &&  i + 2 < len && isupper ((unsigned char) p [i + 2]) && i >= 3
        &&  islower ((unsigned char) p [i - 1]) && islower ((unsigned char) p [i - 2])
        &&  islower ((unsigned char) p [i - 3]))
            return false;
    //  Every word capitalised, a number (a date) or a particle: "BUENOS
    //  AIRES, Argentina", "The Hague", "Rio de Janeiro", "SAN JOSE, Calif.,
    //  March 2" -- not "The minister"
    static const char *particles [] = {
        "and", "de", "la", "le", "of", "the", "del", "da", "do", "di", "am", "an", "im", "y", "e"
    };
    int words = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && (p [i] == ' ' || p [i] == ','))
            i++;
        if (i >= len)
            break;
        size_t start = i;
        while (i < len && p [i] != ' ' && p [i] != ',')
            i++;
        words++;
        unsigned char first = (unsigned char) p [start];
        if (isupper (first) || isdigit (first) || first >= 0x80 || first == '(')
            continue;
        bool particle = false;
        for (size_t k = 0; k < sizeof particles / sizeof particles [0]; k++)
            if (strlen (particles [k]) == i - start && strncmp (p + start, particles [k], i - start) == 0)
                particle = true;
        if (!particle)
            return false;
    }
    return words <= 8;
}

//  Split place text "SAN JOSE, Calif., March 2" into place and date
static void
s_set_place (story_t *story, const char *p, size_t len)
{
    const char *split = NULL;
    for (const char *q = p; q + 2 < p + len; q++)
        if (q [0] == ',' && q [1] == ' ' && s_is_month (q + 2)
        &&  (q + 5 >= p + len || isdigit ((unsigned char) q [5]) || q [5] == ' '
             || isalpha ((unsigned char) q [5]) || q [5] == '.'))
            split = q;
    size_t place_len = split ? (size_t) (split - p) : len;
    str_setn (&story->dateline.place, p, place_len);
    str_setn (&story->located, p, place_len);
    if (split)
        str_setn (&story->dateline.date, split + 2, (size_t) (p + len - split - 2));
}

//  A dateline at the start of a paragraph, in either form (teletype.h)
bool
tty_dateline (story_t *story, const char *para)
{
    while (*para == ' ' || *para == '\t')
        para++;
    size_t limit = strnlen (para, 160);
    //  (a) PLACE[, ...] (SRC) dash
    const char *open = memchr (para, '(', limit);
    if (open && open > para && open [-1] == ' ') {
        const char *close = memchr (open, ')', (size_t) (para + limit - open));
        if (close && close - open > 1 && close - open <= 30) {
            bool ok = true;
            for (const char *k = open + 1; k < close; k++)
                if (!isalpha ((unsigned char) *k) && *k != '/' && *k != '-' && *k != ' '
                &&  *k != '.' && *k != '&')
                    ok = false;
            size_t dash = ok ? s_dash (close + 1) : 0;
            size_t place_len = (size_t) (open - 1 - para);
            if (dash && s_place_ok (para, place_len)) {
                str_setn (&story->dateline.text, para, (size_t) (close + 1 + dash - para));
                str_setn (&story->dateline.source, open + 1, (size_t) (close - open - 1));
                s_set_place (story, para, place_len);
                return true;
            }
        }
    }
    //  (b) PLACE, Mon D SRC dash (AAP: "SYDNEY, Dec 7 AAP - ")
    const char *comma = memchr (para, ',', limit);
    if (comma && comma [1] == ' ' && s_is_month (comma + 2)) {
        const char *q = comma + 2;
        while (isalpha ((unsigned char) *q) || *q == '.')
            q++;
        if (*q == ' ' && isdigit ((unsigned char) q [1])) {
            q++;
            while (isdigit ((unsigned char) *q))
                q++;
            if (*q == ' ' && isupper ((unsigned char) q [1])) {
                //  The agency: "AAP", "Kyodo", "AFP/dpa"
                const char *src = q + 1, *r = src;
                while (isalpha ((unsigned char) *r) || *r == '/')
                    r++;
                size_t src_len = (size_t) (r - src);
                size_t dash = s_dash (r);
                if (src_len >= 2 && src_len <= 10 && dash
                &&  s_place_ok (para, (size_t) (comma - para))) {
                    str_setn (&story->dateline.text, para, (size_t) (r + dash - para));
                    str_setn (&story->dateline.source, src, src_len);
                    str_setn (&story->dateline.place, para, (size_t) (comma - para));
                    str_setn (&story->located, para, (size_t) (comma - para));
                    str_setn (&story->dateline.date, comma + 2, (size_t) (q - comma - 2));
                    return true;
                }
            }
        }
    }
    return false;
}

//  ---------------------------------------------------------------------
//  Editorial signals
bool
tty_signal (story_t *story, const char *word)
{
    if (str_empty (word))
        return false;
    char lower [64];
    size_t n = 0;
    for (const char *p = word; *p && n + 1 < sizeof lower; p++)
        lower [n++] = (char) tolower ((unsigned char) *p);
    lower [n] = 0;
    static const struct { const char *word; const char *signal; bool prefix; } table [] = {
        { "refile",        "refile",     false },
        { "repeat",        "refile",     false },
        { "extra",         "alert",      false },
        { "eilt",          "alert",      false },
        { "eilmeldung",    "alert",      false },
        { "flash",         "alert",      false },
        { "bulletin",      "alert",      false },
        { "urgent",        "alert",      false },
        { "correction",    "correction", false },
        { "corrects",      "correction", true  },
        { "corrected",     "correction", true  },
        { "correcting",    "correction", true  },
        { "korrektur",     "correction", false },
        { "berichtigung",  "correction", false },
        { "kill",          "kill",       false },
        { "mandatory kill", "kill",      false },
        { "elimination",   "kill",       false },
        { "withdrawal",    "withdrawal", false },
        { "withdraw",      "withdrawal", false },
        { "advisory",      "advisory",   false },
        { "update",        "update",     false },
        { "new lead",      "update",     false },
    };
    const char *signal = NULL;
    for (size_t i = 0; i < sizeof table / sizeof table [0] && !signal; i++)
        if (table [i].prefix ? str_starts (lower, table [i].word) : strcmp (lower, table [i].word) == 0)
            signal = table [i].signal;
    //  Leads and write-throughs: "1ST LEAD", "2nd Ld-Writethru", "3rdLd"
    bool lead = false;
    if (!signal && isdigit ((unsigned char) lower [0])) {
        const char *p = lower;
        while (isdigit ((unsigned char) *p))
            p++;
        if (str_starts (p, "st") || str_starts (p, "nd") || str_starts (p, "rd") || str_starts (p, "th"))
            p += 2;
        while (*p == ' ')
            p++;
        if (str_starts (p, "lead") || str_starts (p, "ld"))
            lead = true;
    }
    if (lead || strstr (lower, "writethru") || strstr (lower, "write-thru")
    ||  strstr (lower, "writethrough")) {
        story_add_signal (story, "writethru");
        if (lead)
            story_add_signal (story, "update");
        signal = "writethru";
    }
    if (!signal)
        return false;
    story_add_signal (story, signal);
    char *raw = xasprintf ("raw:%s", word);
    story_add_signal (story, raw);
    free (raw);
    return true;
}

//  ---------------------------------------------------------------------
//  Tables
bool
tty_tabular (char **lines, size_t count)
{
    size_t rows = 0, total = 0;
    for (size_t i = 0; i < count; i++) {
        const char *s = lines [i];
        if (tty_blank (s))
            continue;
        total++;
        size_t len = strlen (s), start = 0;
        while (start < len && isspace ((unsigned char) s [start]))
            start++;
        size_t semicolons = 0;
        bool column = false;
        for (size_t k = start; k < len; k++) {
            if (s [k] == ';')
                semicolons++;
            if (k + 2 < len && ((s [k] == ' ' && s [k + 1] == ' ' && s [k + 2] == ' ')
                || (s [k] == '.' && s [k + 1] == '.' && s [k + 2] == '.')))
                column = true;
            if (s [k] == '\t' && k > start)
                column = true;
        }
        if ((column || semicolons >= 2) && len < 120)
            rows++;
    }
    return total >= 3 && rows * 2 >= total;
}

//  ---------------------------------------------------------------------
//  Body text from lines
char *
tty_join_body (char **lines, size_t count)
{
    buf_t body;
    buf_init (&body);
    bool pending_break = false;
    for (size_t i = 0; i < count; i++) {
        char *line = xstrdup (lines [i]);
        tty_strip_controls (line);
        size_t len = strlen (line);
        while (len > 0 && isspace ((unsigned char) line [len - 1]))
            line [--len] = 0;
        if (len == 0) {
            pending_break = body.size > 0;
            free (line);
            continue;
        }
        if (body.size)
            buf_puts (&body, pending_break ? "\n\n" : "\n");
        pending_break = false;
        buf_append (&body, line, len);
        free (line);
    }
    if (body.size == 0) {
        buf_free (&body);
        return NULL;
    }
    return buf_detach (&body);
}
