//  SPDX-License-Identifier: MIT
//  dates - every date format on the wire, to RFC 3339 UTC
//
//  Two readers: a strict fast one for ISO 8601 (most traffic), then a
//  token reader for everything written by people and teletypes: RFC 822,
//  "26-FEB-1987 15:01:01.79", "03 Apr 02 1500 GMT", 7901 and ANPA trailers,
//  localized month and weekday names, numeric d.m.y / m/d/y / y/m/d.
//  Local times without a zone are converted with the tz database by
//  switching TZ under a lock (results are cached per zone and hour).

#include "common.h"
#include <pthread.h>

//  Broken-down date as read, before conversion
typedef struct {
    int year, month, day;       //  Calendar date (year 0 = unset)
    int hour, minute, second;   //  Time of day
    int millis;                 //  Fraction, 0-999
    int offset;                 //  Seconds east of UTC, when has_zone
    int ampm;                   //  0 none, 1 am, 2 pm
    bool has_year;
    bool has_month;
    bool has_day;
    bool has_time;
    bool has_zone;
    bool two_digit_year;
} fields_t;

#define DATE_MAX_TEXT 200       //  Longer text is not a date

//  --------------------------------------------------------------------------
//  Calendar arithmetic (proleptic Gregorian, days since 1970-01-01)

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

static int
s_days_in_month (int y, int m)
{
    static const int days [12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days [m - 1];
}

//  --------------------------------------------------------------------------
//  Names: months and weekdays in the languages of the wire, zone names

typedef struct {
    const char *name;
    int value;
} name_t;

//  Month names and abbreviations (lower case, UTF-8), EN DE FR ES PT IT NL
//  SV NO DA. Ambiguous abbreviations all agree on the month.
static const name_t s_months [] = {
    { "january", 1 }, { "jan", 1 }, { "januar", 1 }, { "jänner", 1 }, { "janvier", 1 },
    { "janv", 1 }, { "enero", 1 }, { "ene", 1 }, { "janeiro", 1 }, { "gennaio", 1 },
    { "gen", 1 }, { "januari", 1 }, { "tammikuu", 1 },
    { "february", 2 }, { "feb", 2 }, { "febr", 2 }, { "februar", 2 }, { "février", 2 },
    { "fevrier", 2 }, { "févr", 2 }, { "fevr", 2 }, { "febrero", 2 }, { "fevereiro", 2 },
    { "fev", 2 }, { "febbraio", 2 }, { "februari", 2 },
    { "march", 3 }, { "mar", 3 }, { "märz", 3 }, { "maerz", 3 }, { "mär", 3 },
    { "mars", 3 }, { "marzo", 3 }, { "março", 3 }, { "marco", 3 }, { "maart", 3 },
    { "mrt", 3 },
    { "april", 4 }, { "apr", 4 }, { "avril", 4 }, { "avr", 4 }, { "abril", 4 },
    { "abr", 4 }, { "aprile", 4 },
    { "may", 5 }, { "mai", 5 }, { "mayo", 5 }, { "maio", 5 }, { "maggio", 5 },
    { "mag", 5 }, { "mei", 5 }, { "maj", 5 },
    { "june", 6 }, { "jun", 6 }, { "juni", 6 }, { "juin", 6 }, { "junio", 6 },
    { "junho", 6 }, { "giugno", 6 }, { "giu", 6 },
    { "july", 7 }, { "jul", 7 }, { "juli", 7 }, { "juillet", 7 }, { "juil", 7 },
    { "julio", 7 }, { "julho", 7 }, { "luglio", 7 }, { "lug", 7 },
    { "august", 8 }, { "aug", 8 }, { "août", 8 }, { "aout", 8 }, { "agosto", 8 },
    { "ago", 8 }, { "augustus", 8 }, { "augusti", 8 },
    { "september", 9 }, { "sep", 9 }, { "sept", 9 }, { "septembre", 9 },
    { "septiembre", 9 }, { "setiembre", 9 }, { "setembro", 9 }, { "set", 9 },
    { "settembre", 9 },
    { "october", 10 }, { "oct", 10 }, { "oktober", 10 }, { "okt", 10 }, { "octobre", 10 },
    { "octubre", 10 }, { "outubro", 10 }, { "out", 10 }, { "ottobre", 10 }, { "ott", 10 },
    { "november", 11 }, { "nov", 11 }, { "novembre", 11 }, { "noviembre", 11 },
    { "novembro", 11 },
    { "december", 12 }, { "dec", 12 }, { "dezember", 12 }, { "dez", 12 },
    { "décembre", 12 }, { "decembre", 12 }, { "déc", 12 }, { "diciembre", 12 },
    { "dic", 12 }, { "dezembro", 12 }, { "dicembre", 12 }, { "desember", 12 },
    { "des", 12 },
    { NULL, 0 }
};

//  Weekday names and abbreviations: read and ignored
static const char *s_weekdays [] = {
    "monday", "mon", "tuesday", "tue", "tues", "wednesday", "wed", "thursday",
    "thu", "thur", "thurs", "friday", "fri", "saturday", "sat", "sunday", "sun",
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag",
    "sonnabend", "sonntag", "mo", "di", "mi", "do", "fr", "sa", "so",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "lun", "mer", "jeu", "ven", "sam", "dim",
    "lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado",
    "sabado", "domingo", "mié", "mie", "jue", "vie", "sáb", "sab", "dom",
    "segunda", "terça", "terca", "quarta", "quinta", "sexta", "seg", "ter",
    "qua", "qui", "sex", "feira",
    "lunedì", "lunedi", "martedì", "martedi", "mercoledì", "mercoledi",
    "giovedì", "giovedi", "venerdì", "venerdi", "sabato", "domenica", "gio",
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag",
    "zondag", "ma", "wo", "vr", "za", "zo",
    "måndag", "mandag", "tisdag", "tirsdag", "onsdag", "torsdag", "fredag",
    "lördag", "lørdag", "söndag", "søndag", "mån", "tis", "tir", "ons", "tor",
    "fre", "lör", "lør", "sön", "søn",
    NULL
};

//  Words that may stand between the parts of a date
static const char *s_fillers [] = {
    "at", "on", "the", "of", "de", "del", "der", "den", "le", "la", "el", "um",
    "à", "a", "th", "st", "nd", "rd", "er", "e", "o", "kl", "klo", "alle", "ore",
    "om", "den", "uhr", "h",
    NULL
};

//  Zone abbreviations, seconds east of UTC
typedef struct {
    const char *name;
    int offset;
} zone_name_t;

static const zone_name_t s_zones [] = {
    { "z", 0 }, { "gmt", 0 }, { "ut", 0 }, { "utc", 0 }, { "wet", 0 },
    { "bst", 3600 }, { "west", 3600 }, { "cet", 3600 }, { "met", 3600 },
    { "mez", 3600 }, { "wat", 3600 }, { "cest", 7200 }, { "mest", 7200 },
    { "mesz", 7200 }, { "eet", 7200 }, { "sast", 7200 }, { "cat", 7200 },
    { "eest", 10800 }, { "msk", 10800 }, { "eat", 10800 }, { "ist", 19800 },
    { "pkt", 18000 }, { "ict", 25200 }, { "wib", 25200 }, { "hkt", 28800 },
    { "sgt", 28800 }, { "awst", 28800 }, { "jst", 32400 }, { "kst", 32400 },
    { "acst", 34200 }, { "acdt", 37800 }, { "aest", 36000 }, { "aedt", 39600 },
    { "nzst", 43200 }, { "nzdt", 46800 },
    { "est", -18000 }, { "edt", -14400 }, { "cst", -21600 }, { "cdt", -18000 },
    { "mst", -25200 }, { "mdt", -21600 }, { "pst", -28800 }, { "pdt", -25200 },
    { "akst", -32400 }, { "akdt", -28800 }, { "hst", -36000 }, { "ast", -14400 },
    { "adt", -10800 }, { "nst", -12600 }, { "ndt", -9000 }, { "brt", -10800 },
    { "art", -10800 },
    { NULL, 0 }
};

//  The same abbreviations as Australians use them
static const zone_name_t s_zones_au [] = {
    { "est", 36000 }, { "edt", 39600 }, { "cst", 34200 }, { "cdt", 37800 },
    { "wst", 28800 },
    { NULL, 0 }
};

//  What a word is to the date reader: every name of the lists above and
//  every prefix of 3 bytes or more of a month name, in one hash table built
//  once, so a word costs one probe
typedef struct {
    const char *text;           //  The word: len bytes of a name; NULL empty slot
    size_t len;
    int month;                  //  Month it names, 0 none
    int prefix;                 //  Month the longer names it begins name, 0 none, -1 several
    bool weekday;
    bool filler;
} date_word_t;

#define DATE_WORDS 2048         //  Slots: a power of two, over twice the entries

static date_word_t s_words [DATE_WORDS];
static pthread_once_t s_words_once = PTHREAD_ONCE_INIT;

static uint32_t
s_word_hash (const char *text, size_t len)
{
    uint32_t hash = 2166136261u;        //  FNV-1a
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ (uint8_t) text [i]) * 16777619u;
    return hash;
}

//  The slot of len bytes of text: where it is, or the empty slot for it
static date_word_t *
s_word_slot (const char *text, size_t len)
{
    uint32_t i = s_word_hash (text, len) & (DATE_WORDS - 1);
    while (s_words [i].text
       && (s_words [i].len != len || memcmp (s_words [i].text, text, len) != 0))
        i = (i + 1) & (DATE_WORDS - 1);
    return &s_words [i];
}

static date_word_t *
s_word_add (const char *text, size_t len)
{
    date_word_t *word = s_word_slot (text, len);
    if (!word->text) {
        word->text = text;
        word->len = len;
    }
    return word;
}

static void
s_words_build (void)
{
    size_t added = 0;
    for (const name_t *n = s_months; n->name; n++) {
        size_t len = strlen (n->name);
        s_word_add (n->name, len)->month = n->value;
        for (size_t cut = 3; cut < len; cut++) {
            date_word_t *word = s_word_add (n->name, cut);
            word->prefix = !word->prefix || word->prefix == n->value ? n->value : -1;
        }
        added += len;
    }
    for (const char **w = s_weekdays; *w; w++, added++)
        s_word_add (*w, strlen (*w))->weekday = true;
    for (const char **w = s_fillers; *w; w++, added++)
        s_word_add (*w, strlen (*w))->filler = true;
    assert (added * 2 < DATE_WORDS);
}

static const date_word_t *
s_word (const char *text)
{
    pthread_once (&s_words_once, s_words_build);
    const date_word_t *word = s_word_slot (text, strlen (text));
    return word->text ? word : NULL;
}

//  The month a word names, or a prefix of at least 3 bytes of month
//  names that all name one month ("septem"); 0 if none
static int
s_month_lookup (const char *text)
{
    const date_word_t *word = s_word (text);
    if (!word)
        return 0;
    if (word->month)
        return word->month;
    return word->prefix > 0 ? word->prefix : 0;
}

static bool
s_is_weekday (const char *text)
{
    const date_word_t *word = s_word (text);
    return word && word->weekday;
}

static bool
s_is_filler (const char *text)
{
    const date_word_t *word = s_word (text);
    return word && word->filler;
}

static bool
s_zone_lookup (const char *word, const char *default_tz, int *offset)
{
    if (default_tz && str_starts (default_tz, "Australia/"))
        for (const zone_name_t *z = s_zones_au; z->name; z++)
            if (strcmp (z->name, word) == 0) {
                *offset = z->offset;
                return true;
            }
    for (const zone_name_t *z = s_zones; z->name; z++)
        if (z->name [0] == word [0] && strcmp (z->name, word) == 0) {
            *offset = z->offset;
            return true;
        }
    return false;
}

//  --------------------------------------------------------------------------
//  Digits helpers

static bool
s_digits (const char *p, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit ((unsigned char) p [i]))
            return false;
        v = v * 10 + (p [i] - '0');
    }
    *value = v;
    return true;
}

//  Fraction digits to milliseconds; returns characters used
static int
s_fraction (const char *p, int *millis)
{
    int n = 0, ms = 0;
    while (isdigit ((unsigned char) p [n])) {
        if (n < 3)
            ms = ms * 10 + (p [n] - '0');
        n++;
    }
    for (int i = n; i < 3; i++)
        ms *= 10;
    *millis = ms;
    return n;
}

//  Numeric offset "+hh", "+hhmm", "+hh:mm" (also "+h" after a zone name).
//  Returns characters used, 0 if none.
static int
s_offset (const char *p, bool allow_short, int *offset)
{
    if (*p != '+' && *p != '-' && strncmp (p, "\xE2\x88\x92", 3) != 0)
        return 0;
    int sign = *p == '+' ? 1 : -1;
    int used = *p == '+' || *p == '-' ? 1 : 3;
    const char *q = p + used;
    int hh = 0, mm = 0;
    int n = 0;
    while (isdigit ((unsigned char) q [n]))
        n++;
    if (n == 4) {
        s_digits (q, 2, &hh);
        s_digits (q + 2, 2, &mm);
        used += 4;
    }
    else
    if (n == 2 || (n == 1 && allow_short)) {
        s_digits (q, n, &hh);
        used += n;
        if (q [n] == ':' && s_digits (q + n + 1, 2, &mm) && !isdigit ((unsigned char) q [n + 3]))
            used += 3;
    }
    else
        return 0;
    if (hh > 18 || mm > 59)
        return 0;
    *offset = sign * (hh * 3600 + mm * 60);
    return used;
}

//  --------------------------------------------------------------------------
//  ISO 8601 extended and basic, with T or spaces, fractions and zones

static int
s_parse_iso (const char *p, const char *default_tz, fields_t *f)
{
    int y, m, d;
    if (!s_digits (p, 4, &y))
        return -1;
    p += 4;
    bool extended = *p == '-';
    if (extended) {
        p++;
        if (!s_digits (p, 2, &m) || p [2] != '-' || !s_digits (p + 3, 2, &d))
            return -1;
        p += 5;
    }
    else {
        if (!s_digits (p, 2, &m) || !s_digits (p + 2, 2, &d))
            return -1;
        p += 4;
    }
    if (isdigit ((unsigned char) *p))
        return -1;
    f->year = y;
    f->month = m;
    f->day = d;
    f->has_year = f->has_month = f->has_day = true;
    if (*p == 0)
        return 0;
    if (*p == 'T' || *p == 't')
        p++;
    else
    if (*p == ' ')
        while (*p == ' ')
            p++;
    else
        return -1;
    int hh, mi, ss = 0;
    if (!s_digits (p, 2, &hh))
        return -1;
    p += 2;
    if (*p == ':')
        p++;
    if (!s_digits (p, 2, &mi))
        return -1;
    p += 2;
    if (*p == ':' || isdigit ((unsigned char) *p)) {
        if (*p == ':')
            p++;
        if (!s_digits (p, 2, &ss))
            return -1;
        p += 2;
        if ((*p == '.' || *p == ',') && isdigit ((unsigned char) p [1]))
            p += 1 + s_fraction (p + 1, &f->millis);
    }
    f->hour = hh;
    f->minute = mi;
    f->second = ss;
    f->has_time = true;
    while (*p == ' ')
        p++;
    if (*p == 0)
        return 0;
    if ((*p == 'Z' || *p == 'z') && p [1] == 0) {
        f->has_zone = true;
        f->offset = 0;
        return 0;
    }
    int used = s_offset (p, false, &f->offset);
    if (used) {
        f->has_zone = true;
        p += used;
        return *p == 0 ? 0 : -1;
    }
    //  A zone name, maybe with an offset: "GMT+00:00", "UTC"
    char word [8];
    int n = 0;
    while (isalpha ((unsigned char) p [n]) && n < 7) {
        word [n] = (char) tolower ((unsigned char) p [n]);
        n++;
    }
    word [n] = 0;
    if (n == 0 || isalpha ((unsigned char) p [n]))
        return -1;
    if (!s_zone_lookup (word, default_tz, &f->offset))
        return -1;
    f->has_zone = true;
    p += n;
    while (*p == ' ')
        p++;
    int extra = 0;
    used = s_offset (p, true, &extra);
    if (used) {
        f->offset += extra;
        p += used;
    }
    return *p == 0 ? 0 : -1;
}

//  --------------------------------------------------------------------------
//  Token reader

typedef enum { TOK_NUM, TOK_WORD, TOK_PUNCT } tok_kind_t;

typedef struct {
    tok_kind_t kind;
    const char *text;           //  Start in the lower-cased copy
    int len;                    //  Bytes
    int value;                  //  Numbers: value (if len <= 9)
    char punct;                 //  Punctuation character
    bool space;                 //  White space before the token
} token_t;

#define DATE_MAX_TOKENS 48

static int
s_tokenize (const char *s, token_t *tokens, int max)
{
    int count = 0;
    const char *p = s;
    bool space = false;
    while (*p) {
        unsigned char c = (unsigned char) *p;
        if (isspace (c)) {
            space = true;
            p++;
            continue;
        }
        if (count == max)
            return -1;
        token_t *t = &tokens [count++];
        t->text = p;
        t->space = space;
        space = false;
        if (isdigit (c)) {
            t->kind = TOK_NUM;
            int n = 0, v = 0;
            while (isdigit ((unsigned char) p [n])) {
                if (n < 9)
                    v = v * 10 + (p [n] - '0');
                n++;
            }
            t->len = n;
            t->value = v;
            p += n;
        }
        else
        if (isalpha (c) || c >= 0x80) {
            t->kind = TOK_WORD;
            int n = 0;
            while (isalpha ((unsigned char) p [n]) || (unsigned char) p [n] >= 0x80)
                n++;
            //  U+2212 MINUS SIGN is punctuation, not a letter
            if (n >= 3 && strncmp (p, "\xE2\x88\x92", 3) == 0) {
                t->kind = TOK_PUNCT;
                t->punct = '-';
                n = 3;
            }
            t->len = n;
            p += n;
        }
        else {
            t->kind = TOK_PUNCT;
            t->punct = (char) c;
            t->len = 1;
            p++;
        }
    }
    return count;
}

static bool
s_tok_word (token_t *t, const char *word)
{
    return t->kind == TOK_WORD && (int) strlen (word) == t->len
        && strncmp (t->text, word, (size_t) t->len) == 0;
}

static bool
s_tok_punct (token_t *t, char c)
{
    return t->kind == TOK_PUNCT && t->punct == c;
}

//  Try a numeric date triple at i: d.m.y, m/d/y, m-d-y, y/m/d, y-m-d.
//  Returns tokens used or 0.
static int
s_numeric_triple (token_t *t, int i, int count, fields_t *f)
{
    if (i + 4 >= count || f->has_day || f->has_month)
        return 0;
    token_t *a = &t [i], *s1 = &t [i + 1], *b = &t [i + 2], *s2 = &t [i + 3], *c = &t [i + 4];
    if (a->kind != TOK_NUM || b->kind != TOK_NUM || c->kind != TOK_NUM
    ||  s1->kind != TOK_PUNCT || s2->kind != TOK_PUNCT || s1->punct != s2->punct
    ||  b->space || s1->space || s2->space || c->space)
        return 0;
    char sep = s1->punct;
    if (sep != '/' && sep != '-' && sep != '.')
        return 0;
    if (b->len > 2)
        return 0;
    int y, m, d, ylen;
    if (a->len == 4) {
        y = a->value;
        m = b->value;
        d = c->value;
        ylen = 4;
        if (c->len > 2)
            return 0;
    }
    else
    if (a->len <= 2 && (c->len == 4 || c->len == 2)) {
        y = c->value;
        ylen = c->len;
        if (sep == '.' || a->value > 12) {
            d = a->value;
            m = b->value;
        }
        else {
            m = a->value;       //  US order for '/' and '-'
            d = b->value;
        }
    }
    else
        return 0;
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    f->year = y;
    f->two_digit_year = ylen == 2;
    f->month = m;
    f->day = d;
    f->has_year = f->has_month = f->has_day = true;
    return 5;
}

//  Read a time "h:mm[:ss[.frac]]" or "h h mm" at i. Returns tokens used or 0.
static int
s_time (token_t *t, int i, int count, fields_t *f)
{
    if (f->has_time || t [i].kind != TOK_NUM || t [i].len > 2)
        return 0;
    int used = 0;
    int hh = t [i].value, mm = 0, ss = 0;
    if (i + 2 < count && s_tok_punct (&t [i + 1], ':') && t [i + 2].kind == TOK_NUM
    &&  t [i + 2].len == 2) {
        mm = t [i + 2].value;
        used = 3;
        if (i + 4 < count && s_tok_punct (&t [i + 3], ':') && t [i + 4].kind == TOK_NUM
        &&  t [i + 4].len == 2) {
            ss = t [i + 4].value;
            used = 5;
            if (i + 6 < count && (s_tok_punct (&t [i + 5], '.') || s_tok_punct (&t [i + 5], ','))
            &&  t [i + 6].kind == TOK_NUM && !t [i + 5].space && !t [i + 6].space) {
                s_fraction (t [i + 6].text, &f->millis);
                used = 7;
            }
        }
    }
    else
    if (i + 2 < count && (s_tok_word (&t [i + 1], "h") || s_tok_punct (&t [i + 1], '.'))
    &&  t [i + 2].kind == TOK_NUM && t [i + 2].len == 2 && !t [i + 2].space
    &&  !t [i + 1].space) {
        //  "14h30" (French), "14.30" (Nordic) -- only after the date
        if (s_tok_punct (&t [i + 1], '.') && !(f->has_day && f->has_month))
            return 0;
        mm = t [i + 2].value;
        used = 3;
    }
    else
        return 0;
    if (hh > 24 || mm > 59 || ss > 60)
        return 0;
    f->hour = hh;
    f->minute = mm;
    f->second = ss;
    f->has_time = true;
    return used;
}

static int
s_parse_tokens (char *text, const char *default_tz, fields_t *f)
{
    token_t tokens [DATE_MAX_TOKENS];
    int count = s_tokenize (text, tokens, DATE_MAX_TOKENS);
    if (count <= 0)
        return -1;
    //  Words that are both a month and a weekday ("mar"): a weekday if
    //  another month name is present
    int months = 0;
    for (int i = 0; i < count; i++)
        if (tokens [i].kind == TOK_WORD) {
            char word [32];
            if (tokens [i].len >= (int) sizeof word)
                continue;
            memcpy (word, tokens [i].text, (size_t) tokens [i].len);
            word [tokens [i].len] = 0;
            if (s_month_lookup (word) && !s_is_weekday (word))
                months++;
        }
    int unknown = 0;
    int i = 0;
    while (i < count) {
        token_t *t = &tokens [i];
        if (t->kind == TOK_NUM) {
            int used = s_numeric_triple (tokens, i, count, f);
            if (!used)
                used = s_time (tokens, i, count, f);
            if (used) {
                i += used;
                continue;
            }
            int v = t->value;
            if (t->len == 8 && !f->has_day && !f->has_month && !f->has_year) {
                f->year = v / 10000;
                f->month = v / 100 % 100;
                f->day = v % 100;
                f->has_year = f->has_month = f->has_day = true;
            }
            else
            if (t->len == 6 && !f->has_day && !f->has_time) {
                //  7901 trailer: DDHHMM
                f->day = v / 10000;
                f->hour = v / 100 % 100;
                f->minute = v % 100;
                f->has_day = f->has_time = true;
            }
            else
            if (t->len == 6 && !f->has_time) {
                f->hour = v / 10000;
                f->minute = v / 100 % 100;
                f->second = v % 100;
                f->has_time = true;
            }
            else
            if (t->len == 4 && !f->has_year && v >= 1800 && v <= 2199
            &&  !(f->has_day && f->has_month && i + 1 < count
                  && tokens [i + 1].kind == TOK_WORD && !tokens [i + 1].space)) {
                f->year = v;
                f->has_year = true;
            }
            else
            if (t->len == 4 && !f->has_time && v / 100 <= 24 && v % 100 <= 59) {
                f->hour = v / 100;
                f->minute = v % 100;
                f->has_time = true;
            }
            else
            if (t->len <= 2 && !f->has_day && v >= 1 && v <= 31) {
                f->day = v;
                f->has_day = true;
            }
            else
            if (t->len <= 2 && !f->has_year) {
                f->year = v;
                f->has_year = true;
                f->two_digit_year = true;
            }
            else
                return -1;
            i++;
            continue;
        }
        if (t->kind == TOK_PUNCT) {
            if ((t->punct == '+' || t->punct == '-') && f->has_time && !f->has_zone
            &&  i + 1 < count && tokens [i + 1].kind == TOK_NUM) {
                int offset = 0;
                int used = s_offset (t->text, false, &offset);
                if (used) {
                    f->offset = offset;
                    f->has_zone = true;
                    //  Skip the tokens the offset covered
                    const char *end = t->text + used;
                    i++;
                    while (i < count && tokens [i].text < end)
                        i++;
                    continue;
                }
            }
            i++;
            continue;
        }
        //  A word
        char word [32];
        if (t->len >= (int) sizeof word) {
            unknown++;
            i++;
            continue;
        }
        memcpy (word, t->text, (size_t) t->len);
        word [t->len] = 0;
        int offset;
        int month = s_month_lookup (word);
        bool weekday = s_is_weekday (word);
        if (month && (!weekday || months == 0) && !f->has_month) {
            f->month = month;
            f->has_month = true;
        }
        else
        if (weekday)
            ;
        else
        if (strcmp (word, "am") == 0 || strcmp (word, "pm") == 0) {
            f->ampm = word [0] == 'a' ? 1 : 2;
        }
        else
        if ((strcmp (word, "a") == 0 || strcmp (word, "p") == 0)
        &&  i + 2 < count && s_tok_punct (&tokens [i + 1], '.')
        &&  s_tok_word (&tokens [i + 2], "m")) {
            f->ampm = word [0] == 'a' ? 1 : 2;
            i += 3;
            continue;
        }
        else
        if (!f->has_zone && f->has_time && s_zone_lookup (word, default_tz, &offset)) {
            f->offset = offset;
            f->has_zone = true;
            //  "GMT+2", "UTC+05:30"
            if (i + 1 < count && tokens [i + 1].kind == TOK_PUNCT && !tokens [i + 1].space) {
                int extra = 0;
                int used = s_offset (tokens [i + 1].text, true, &extra);
                if (used) {
                    f->offset += extra;
                    const char *end = tokens [i + 1].text + used;
                    i++;
                    while (i < count && tokens [i].text < end)
                        i++;
                    continue;
                }
            }
        }
        else
        if (s_is_filler (word))
            ;
        else
        if (++unknown > 3)
            return -1;
        i++;
    }
    if (!f->has_day || !f->has_month)
        return -1;
    if (f->ampm) {
        if (!f->has_time || f->hour < 1 || f->hour > 12)
            return -1;
        if (f->ampm == 1 && f->hour == 12)
            f->hour = 0;
        else
        if (f->ampm == 2 && f->hour < 12)
            f->hour += 12;
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  Local time in an IANA zone to UTC, by switching TZ under a lock. Results
//  are cached per (zone, local hour), which is exact for every zone whose
//  transitions fall on whole hours or half hours at minute 0.

typedef struct {
    char zone [64];
    int64_t local_hour;         //  Local time / 3600 (as if UTC)
    int offset;                 //  Seconds east of UTC
    bool used;
} tz_cache_t;

#define TZ_CACHE_SIZE 256
static tz_cache_t s_tz_cache [TZ_CACHE_SIZE];
static pthread_mutex_t s_tz_lock = PTHREAD_MUTEX_INITIALIZER;

//  True if name is a zone the tz database has (and is safe to use as TZ).
//  The last answer is kept per thread: a stage asks about the same zone
//  story after story.
static bool
s_zone_valid (const char *name)
{
    if (str_empty (name) || strlen (name) > 60 || name [0] == '/' || strstr (name, ".."))
        return false;
    static __thread char last [64];
    static __thread bool last_valid;
    if (last [0] && strcmp (last, name) == 0)
        return last_valid;
    for (const char *p = name; *p; p++)
        if (!isalnum ((unsigned char) *p) && *p != '/' && *p != '_' && *p != '-' && *p != '+')
            return false;
    const char *dir = getenv ("TZDIR");
    char path [512];
    snprintf (path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    struct stat st;
    bool valid = stat (path, &st) == 0 && S_ISREG (st.st_mode);
    snprintf (last, sizeof last, "%s", name);
    last_valid = valid;
    return valid;
}

static bool
s_zone_is_utc (const char *name)
{
    return str_empty (name) || str_ieq (name, "UTC") || str_ieq (name, "Etc/UTC")
        || str_ieq (name, "GMT") || str_ieq (name, "Etc/GMT") || str_ieq (name, "Z")
        || str_ieq (name, "Zulu") || str_ieq (name, "Universal");
}

//  Offset (seconds east) of zone at local time. -1 on an unknown zone.
static int
s_zone_offset (const char *zone, int64_t local, int *offset)
{
    if (s_zone_is_utc (zone)) {
        *offset = 0;
        return 0;
    }
    int64_t hour = local >= 0 ? local / 3600 : (local - 3599) / 3600;
    uint32_t h = 2166136261u;
    for (const char *p = zone; *p; p++)
        h = (h ^ (uint8_t) *p) * 16777619u;
    h = (h ^ (uint32_t) hour) * 16777619u;
    tz_cache_t *slot = &s_tz_cache [h % TZ_CACHE_SIZE];
    pthread_mutex_lock (&s_tz_lock);
    if (slot->used && slot->local_hour == hour && strcmp (slot->zone, zone) == 0) {
        *offset = slot->offset;
        pthread_mutex_unlock (&s_tz_lock);
        return 0;
    }
    if (!s_zone_valid (zone)) {
        pthread_mutex_unlock (&s_tz_lock);
        return -1;
    }
    char *saved = xstrdup (getenv ("TZ"));
    setenv ("TZ", zone, 1);
    tzset ();
    time_t t = (time_t) local;
    struct tm tm;
    gmtime_r (&t, &tm);
    tm.tm_isdst = -1;
    time_t utc = mktime (&tm);
    if (saved)
        setenv ("TZ", saved, 1);
    else
        unsetenv ("TZ");
    tzset ();
    free (saved);
    if (utc == (time_t) -1) {
        pthread_mutex_unlock (&s_tz_lock);
        return -1;
    }
    *offset = (int) (local - (int64_t) utc);
    //  Cache per hour only when the offset is the same at the hour's start
    snprintf (slot->zone, sizeof slot->zone, "%s", zone);
    slot->local_hour = hour;
    slot->offset = *offset;
    slot->used = strlen (zone) < sizeof slot->zone;
    pthread_mutex_unlock (&s_tz_lock);
    return 0;
}

//  --------------------------------------------------------------------------
//  Year for a 2-digit year or no year: nearest to the reference

static int
s_nearest_year (const fields_t *f, int64_t reference)
{
    time_t ref = (time_t) reference;
    struct tm tm;
    gmtime_r (&ref, &tm);
    int ref_year = tm.tm_year + 1900;
    int best = 0;
    int64_t best_distance = INT64_MAX;
    for (int delta = -1; delta <= 1; delta++) {
        int year;
        if (f->has_year)
            year = (ref_year / 100 + delta) * 100 + f->year;
        else
            year = ref_year + delta;
        int day = f->day;
        if (day > s_days_in_month (year, f->month))
            continue;           //  29 February in a common year
        int64_t t = s_days_from_civil (year, f->month, day) * 86400;
        int64_t distance = t > reference ? t - reference : reference - t;
        if (distance < best_distance) {
            best_distance = distance;
            best = year;
        }
    }
    return best;
}

//  --------------------------------------------------------------------------
//  Templates ("YYYYMMDD000000-HHMM") are not dates

static bool
s_is_template (const char *s)
{
    if (!strpbrk (s, "YyHhMDd"))
        return false;           //  Most dates: nothing to look for
    return strstr (s, "YYYY") || strstr (s, "yyyy") || strstr (s, "HHMM")
        || strstr (s, "hh:mm") || strstr (s, "HH:MM") || strstr (s, "MMDD")
        || strstr (s, "DD.MM") || strstr (s, "dd.mm");
}

//  --------------------------------------------------------------------------
//  Parse text.

int
date_parse (const char *text, const char *default_tz, int64_t reference, date_t *out)
{
    assert (out);
    memset (out, 0, sizeof *out);
    if (!text)
        return -1;
    //  Copy up to the first control character or raw character reference
    //  (Reuters: "26-FEB-1987 15:01:01.79&#5;&#5;&#5;RM"), white space
    //  collapsed, trimmed
    char copy [DATE_MAX_TEXT + 1];
    size_t n = 0;
    bool space = false;
    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char) *p;
        if (c == '&' && p [1] == '#')
            break;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            space = n > 0;
            continue;
        }
        if (c < 0x20 || c == 0x7F)
            break;
        if (space) {
            if (n == DATE_MAX_TEXT)
                return -1;
            copy [n++] = ' ';
            space = false;
        }
        if (n == DATE_MAX_TEXT)
            return -1;
        copy [n++] = (char) c;
    }
    copy [n] = 0;
    if (n == 0 || s_is_template (copy))
        return -1;
    if (reference == 0)
        reference = (int64_t) time (NULL);

    fields_t f;
    memset (&f, 0, sizeof f);
    if (s_parse_iso (copy, default_tz, &f) != 0) {
        memset (&f, 0, sizeof f);
        for (char *p = copy; *p; p++)
            *p = (char) tolower ((unsigned char) *p);
        //  Lower-case the common accented capitals of month names
        for (char *p = copy; p [0] && p [1]; p++)
            if ((unsigned char) p [0] == 0xC3 && (unsigned char) p [1] >= 0x80
            &&  (unsigned char) p [1] <= 0x9E && (unsigned char) p [1] != 0x97)
                p [1] = (char) (p [1] + 0x20);
        if (s_parse_tokens (copy, default_tz, &f) != 0)
            return -1;
    }
    //  Year: given, 2-digit, or none
    if (!f.has_year || f.two_digit_year) {
        if (f.has_year && f.year > 99)
            return -1;
        f.year = s_nearest_year (&f, reference);
        f.two_digit_year = true;
        if (f.year == 0)
            return -1;
    }
    if (f.year < 1800 || f.year > 2199 || f.month < 1 || f.month > 12
    ||  f.day < 1 || f.day > s_days_in_month (f.year, f.month))
        return -1;
    if (f.hour > 24 || f.minute > 59 || f.second > 60
    || (f.hour == 24 && (f.minute || f.second || f.millis)))
        return -1;
    if (f.second == 60)
        f.second = 59;          //  Leap second: keep within the minute

    int64_t local = s_days_from_civil (f.year, f.month, f.day) * 86400
                  + f.hour * 3600 + f.minute * 60 + f.second;
    int offset = 0;
    if (f.has_zone)
        offset = f.offset;
    else
    if (f.has_time && !s_zone_is_utc (default_tz)) {
        if (s_zone_offset (default_tz, local, &offset) != 0)
            offset = 0;         //  Unknown zone: read as UTC
    }
    out->epoch = local - offset;
    out->millis = f.millis;
    out->has_time = f.has_time;
    out->has_zone = f.has_zone;
    out->two_digit_year = f.two_digit_year;
    return 0;
}

//  --------------------------------------------------------------------------
//  Format as RFC 3339 UTC.

//  The calendar date of a day number (days since 1970-01-01)
static void
s_civil_from_days (int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned) (days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int64_t) yoe + era * 400 + (*month <= 2);
}

//  Write value as digits exactly n wide (zero-padded)
static void
s_put_digits (char *p, unsigned value, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p [i] = (char) ('0' + value % 10);
        value /= 10;
    }
}

char *
date_format (const date_t *date, char *buf, size_t size)
{
    assert (date && buf && size >= 32);
    //  Years 1-9999: by arithmetic; anything else as the C library has it
    if (date->epoch >= -62135596800LL && date->epoch <= 253402300799LL) {
        int64_t days = date->epoch >= 0 ? date->epoch / 86400 : (date->epoch - 86399) / 86400;
        unsigned seconds = (unsigned) (date->epoch - days * 86400);
        int64_t year;
        unsigned month, day;
        s_civil_from_days (days, &year, &month, &day);
        s_put_digits (buf, (unsigned) year, 4);
        buf [4] = '-';
        s_put_digits (buf + 5, month, 2);
        buf [7] = '-';
        s_put_digits (buf + 8, day, 2);
        buf [10] = 'T';
        s_put_digits (buf + 11, seconds / 3600, 2);
        buf [13] = ':';
        s_put_digits (buf + 14, seconds / 60 % 60, 2);
        buf [16] = ':';
        s_put_digits (buf + 17, seconds % 60, 2);
        size_t at = 19;
        if (date->millis > 0) {
            buf [at++] = '.';
            s_put_digits (buf + at, (unsigned) date->millis % 1000u, 3);
            at += 3;
        }
        buf [at++] = 'Z';
        buf [at] = 0;
        return buf;
    }
    time_t t = (time_t) date->epoch;
    struct tm tm;
    gmtime_r (&t, &tm);
    unsigned year = (unsigned) (tm.tm_year + 1900) % 10000u;
    unsigned month = (unsigned) (tm.tm_mon + 1) % 100u, day = (unsigned) tm.tm_mday % 100u;
    unsigned hour = (unsigned) tm.tm_hour % 100u, minute = (unsigned) tm.tm_min % 100u;
    unsigned second = (unsigned) tm.tm_sec % 100u;
    if (date->millis > 0)
        snprintf (buf, size, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", year, month, day,
                  hour, minute, second, (unsigned) date->millis % 1000u);
    else
        snprintf (buf, size, "%04u-%02u-%02uT%02u:%02u:%02uZ", year, month, day,
                  hour, minute, second);
    return buf;
}

//  --------------------------------------------------------------------------
//  Parse and format in one go. Caller frees; NULL when unparseable.

char *
date_normalize (const char *text, const char *default_tz, int64_t reference,
                strv_t *warnings)
{
    date_t date;
    char buf [32];
    if (date_normalize_buf (text, default_tz, reference, warnings, &date, buf, sizeof buf) != 0)
        return NULL;
    return xstrdup (buf);
}

//  --------------------------------------------------------------------------
//  The same into a buffer, with the date read. 0 or -1.

int
date_normalize_buf (const char *text, const char *default_tz, int64_t reference,
                    strv_t *warnings, date_t *date, char *buf, size_t size)
{
    if (date_parse (text, default_tz, reference, date) != 0)
        return -1;
    if (date->has_time && !date->has_zone && warnings) {
        if (s_zone_is_utc (default_tz))
            strv_add_unique (warnings, "tz-assumed:UTC");
        else
        if (s_zone_valid (default_tz))
            strv_addf (warnings, "tz-assumed:%s", default_tz);
        else
            strv_addf (warnings, "tz-unknown:%s", default_tz);
    }
    date_format (date, buf, size);
    return 0;
}
