//  SPDX-License-Identifier: MIT
//  dateline - datelines and bylines as printed at the top of a story

#include "common.h"
#include "normalize/dateline.h"
#include <utf8proc.h>

#define DATELINE_MAX 160        //  Bytes of the paragraph searched for the dash

//  Lower-case words allowed inside a place name
static const char *s_connectors [] = {
    "de", "da", "do", "dos", "das", "del", "la", "le", "les", "el", "al", "of",
    "on", "upon", "am", "an", "der", "sur", "en", "di", "du", "y", "e", "i",
    "à", "aan", "den", "op", "bei", "im", "van", "von", "city",
    NULL
};

//  --------------------------------------------------------------------------
//  Free the strings of a dateline and zero it.

void
dateline_clear (dateline_t *self)
{
    assert (self);
    free (self->text);
    free (self->place);
    free (self->date);
    free (self->source);
    memset (self, 0, sizeof *self);
}

//  Find the dash that ends a dateline. Returns its start (index of the
//  first byte of the separator, spaces included) and sets *end past it, or
//  -1 if there is none within DATELINE_MAX bytes.
static int
s_find_dash (const char *s, size_t *end)
{
    //  Within the first line only
    const char *nl = strchr (s, '\n');
    size_t len = nl ? (size_t) (nl - s) : strlen (s);
    size_t limit = len < DATELINE_MAX ? len : DATELINE_MAX;
    for (size_t i = 1; i < limit; i++) {
        const char *p = s + i;
        const unsigned char *u = (const unsigned char *) p;
        size_t n = 0;
        if (u [0] == ' ') {
            if (p [1] == '-' && p [2] == '-' && (p [3] == ' ' || p [3] == 0))
                n = 3;
            else
            if ((p [1] == '-' || p [1] == '_') && (p [2] == ' ' || p [2] == 0))
                n = 2;
            else
            if (u [1] == 0xE2 && u [2] == 0x80 && (u [3] == 0x94 || u [3] == 0x93))
                n = 4;          //  Space then em or en dash
        }
        else
        if ((u [0] == ')' || u [0] == '/') && p [1] == '-' && p [2] == ' ') {
            i++;                //  "(AP)- ": the dash follows the bracket
            p++;
            n = 1;
        }
        else
        if (u [0] == ')' && p [1] == '.' && p [2] == '-' && p [3] == ' ') {
            i++;                //  "(EFE).- " (EFE)
            p++;
            n = 2;
        }
        else
        if (u [0] == 0xE2 && u [1] == 0x80 && (u [2] == 0x94 || u [2] == 0x93)
        &&  (s [i - 1] == ')' || s [i - 1] == '/'))
            n = 3;
        if (n) {
            size_t e = i + n;
            while (s [e] == ' ')
                e++;
            *end = e;
            return (int) i;
        }
    }
    return -1;
}

//  True if c starts an upper-case letter (ASCII or any script)
static bool
s_upper_at (const char *s)
{
    utf8proc_int32_t cp;
    if (utf8proc_iterate ((const utf8proc_uint8_t *) s, -1, &cp) <= 0)
        return false;
    return utf8proc_category (cp) == UTF8PROC_CATEGORY_LU
        || utf8proc_category (cp) == UTF8PROC_CATEGORY_LT;
}

//  True if s starts with a letter of a script without case
static bool
s_caseless_at (const char *s)
{
    utf8proc_int32_t cp;
    if (utf8proc_iterate ((const utf8proc_uint8_t *) s, -1, &cp) <= 0)
        return false;
    return utf8proc_category (cp) == UTF8PROC_CATEGORY_LO;
}

//  True if s has no lower-case letter
static bool
s_all_caps (const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *) s;
    utf8proc_int32_t cp;
    utf8proc_ssize_t n;
    int letters = 0;
    while (*p && (n = utf8proc_iterate (p, -1, &cp)) > 0) {
        if (utf8proc_category (cp) == UTF8PROC_CATEGORY_LL)
            return false;
        if (utf8proc_category (cp) == UTF8PROC_CATEGORY_LU)
            letters++;
        p += n;
    }
    return letters >= 3;
}

//  A plausible place name: 1-6 capitalised words (connectors allowed), no
//  digits, no sentence punctuation
static bool
s_place_ok (const char *place)
{
    size_t len = strlen (place);
    if (len == 0 || len > 60)
        return false;
    if (s_caseless_at (place))
        //  Chinese, Japanese, Arabic...: no capitals to go by
        return strcspn (place, ".:;!?()\"/,") == len;
    if (!s_upper_at (place))
        return false;
    for (const char *p = place; *p; p++) {
        unsigned char c = (unsigned char) *p;
        if (isdigit (c) || c == ':' || c == ';' || c == '!' || c == '?' || c == '"'
        ||  c == '(' || c == ')' || c == '/' || c == ',')
            return false;
    }
    char *copy = xstrdup (place);
    int words = 0;
    bool ok = true;
    char *save = NULL;
    for (char *w = strtok_r (copy, " ", &save); w; w = strtok_r (NULL, " ", &save)) {
        words++;
        if (s_upper_at (w))
            continue;
        bool connector = false;
        for (int i = 0; s_connectors [i]; i++)
            if (strcmp (s_connectors [i], w) == 0)
                connector = true;
        if (!connector && !str_starts (w, "al-") && !str_starts (w, "el-")) {
            ok = false;
            break;
        }
    }
    free (copy);
    return ok && words >= 1 && words <= 6;
}

//  True if s reads as a date with a day and a month ("May 1", "Feb. 1, 2017")
static bool
s_is_date (const char *s)
{
    date_t date;
    if (str_empty (s) || strlen (s) > 40)
        return false;
    bool digit = false;
    for (const char *p = s; *p; p++)
        if (isdigit ((unsigned char) *p))
            digit = true;
    return digit && date_parse (s, NULL, 0, &date) == 0;
}

//  "Nov 26 AFP": an agency name in capitals after the date, without
//  brackets (AAP, AFP copy). Cuts it off s and returns it, or NULL.
static char *
s_trailing_agency (char *s)
{
    char *space = strrchr (s, ' ');
    if (!space || space == s)
        return NULL;
    const char *word = space + 1;
    size_t n = strlen (word);
    if (n < 2 || n > 8)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isupper ((unsigned char) word [i]))
            return NULL;
    //  Only when what is left is a date and the word is not part of it
    *space = 0;
    date_t date;
    if (!s_is_date (s) || date_parse (word, NULL, 0, &date) == 0) {
        *space = ' ';
        return NULL;
    }
    return xstrdup (word);
}

static char *
s_trimmed (const char *s, size_t len)
{
    while (len > 0 && (s [0] == ' ' || s [0] == ','))
        s++, len--;
    while (len > 0 && (s [len - 1] == ' ' || s [len - 1] == ','))
        len--;
    return xstrndup (s, len);
}

//  --------------------------------------------------------------------------
//  Find a dateline at the start of paragraph.

int
dateline_parse (const char *paragraph, bool need_dash, dateline_t *out)
{
    assert (out);
    memset (out, 0, sizeof *out);
    if (str_empty (paragraph))
        return -1;
    size_t end = 0;
    int dash = s_find_dash (paragraph, &end);
    if (dash < 0 && need_dash)
        return -1;
    const char *nl = strchr (paragraph, '\n');
    size_t prefix_len = dash >= 0 ? (size_t) dash
                      : nl ? (size_t) (nl - paragraph) : strlen (paragraph);
    if (prefix_len > 120)
        return -1;
    char *prefix = s_trimmed (paragraph, prefix_len);
    size_t n = strlen (prefix);
    if (n == 0) {
        free (prefix);
        return -1;
    }
    //  Source in brackets or slashes at the end
    char *source = NULL;
    if (prefix [n - 1] == ')') {
        char *open = strrchr (prefix, '(');
        if (open && prefix + n - 1 - open - 1 >= 1 && prefix + n - 1 - open - 1 <= 40) {
            source = xstrndup (open + 1, (size_t) (prefix + n - 1 - open - 1));
            *open = 0;
        }
    }
    else
    if (prefix [n - 1] == '/' && n >= 3) {
        prefix [n - 1] = 0;
        char *open = strrchr (prefix, '/');
        if (open && strlen (open + 1) >= 1 && strlen (open + 1) <= 60) {
            source = xstrdup (open + 1);
            *open = 0;
        }
        else
            prefix [n - 1] = '/';
    }
    if (source && (strchr (source, '(') || !isalpha ((unsigned char) source [0]))) {
        free (source);
        source = NULL;
        free (prefix);
        return -1;
    }
    char *rest = s_trimmed (prefix, strlen (prefix));
    free (prefix);
    char *place = NULL;
    char *date = NULL;
    bool ok = true;
    if (*rest) {
        char *comma = strchr (rest, ',');
        if (!comma && s_is_date (rest))
            date = xstrdup (rest);
        else {
            place = s_trimmed (rest, comma ? (size_t) (comma - rest) : strlen (rest));
            if (comma) {
                //  "May 1", or "Ill.", or "Ill., Jan. 5"
                char *remainder = s_trimmed (comma + 1, strlen (comma + 1));
                char *agency = s_trailing_agency (remainder);
                if (agency && !source) {
                    source = agency;
                    agency = NULL;
                }
                free (agency);
                if (s_is_date (remainder))
                    date = xstrdup (remainder);
                else {
                    char *second = strchr (remainder, ',');
                    char *region = s_trimmed (remainder, second ? (size_t) (second - remainder)
                                                                : strlen (remainder));
                    if (second) {
                        char *tail = s_trimmed (second + 1, strlen (second + 1));
                        if (s_is_date (tail))
                            date = tail;
                        else {
                            free (tail);
                            ok = false;
                        }
                    }
                    if (strlen (region) > 30 || !s_place_ok (region))
                        ok = false;
                    free (region);
                }
                free (remainder);
            }
            if (ok && !s_place_ok (place)) {
                //  Maybe the whole thing is a date ("15.7.2019 12:09:11 CEST")
                if (!need_dash && !source && s_is_date (rest)) {
                    free (place);
                    place = NULL;
                    free (date);
                    date = xstrdup (rest);
                }
                else
                    ok = false;
            }
        }
    }
    //  Without a source or a date, only an all-capitals place before a dash
    if (ok && need_dash && !source && !date && !(place && s_all_caps (place)))
        ok = false;
    if (ok && !place && !source && !date)
        ok = false;
    free (rest);
    if (!ok) {
        free (place);
        free (date);
        free (source);
        return -1;
    }
    size_t text_len = dash >= 0 ? end : prefix_len;
    out->text = s_trimmed (paragraph, text_len);
    out->place = place;
    out->date = date;
    out->source = source;
    return 0;
}

//  --------------------------------------------------------------------------
//  A byline among the first paragraphs of a plain body. Caller frees.

char *
byline_find (const char *body)
{
    if (str_empty (body))
        return NULL;
    const char *p = body;
    for (int line = 0; line < 6 && *p; line++) {
        const char *nl = strchr (p, '\n');
        size_t len = nl ? (size_t) (nl - p) : strlen (p);
        if (len > 0 && len <= 120
        && (strncmp (p, "By ", 3) == 0 || strncmp (p, "BY ", 3) == 0)
        &&  s_upper_at (p + 3)) {
            char *by = xstrndup (p, len);
            size_t n = strlen (by);
            while (n > 0 && (by [n - 1] == '=' || by [n - 1] == ' '))
                by [--n] = 0;
            int words = text_word_count (by);
            //  Not a sentence that happens to start with "By": those end
            //  with a full stop after a lower-case word ("By Monday, it rained.")
            const char *last = strrchr (by, ' ');
            bool sentence = n > 0 && by [n - 1] == '.' && last
                         && islower ((unsigned char) last [1]);
            if (words >= 2 && words <= 14 && !sentence)
                return by;
            free (by);
        }
        if (!nl)
            break;
        p = nl + 1;
        while (*p == '\n')
            p++;
    }
    return NULL;
}
