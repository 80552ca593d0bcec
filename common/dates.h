//  SPDX-License-Identifier: MIT
//  dates - every date format on the wire, to RFC 3339 UTC
//
//  ISO 8601 basic and extended (with or without T, seconds, fractions,
//  Z/±hh/±hhmm/±hh:mm), a space instead of T, date-only; RFC 822/1123 with
//  or without weekday, 2- or 4-digit years, GMT/UT/UTC/Z/US zone names,
//  ±hhmm and ±hh:mm; NewsML 1 yyyymmddThhmmss±hhmm; Reuters
//  "26-FEB-1987 15:01:01.79"; "2020/1/10 14:33:00"; "03 Apr 02 1500 GMT";
//  7901/ANPA trailers ("131137 GMT Nov 13", "AP-WF-02-20-16 0337GMT");
//  English, German, French, Spanish, Portuguese, Italian, Dutch and
//  Scandinavian month and weekday names. Templates like
//  "YYYYMMDD000000-HHMM" are refused.

#ifndef COPYDESK_DATES_H
#define COPYDESK_DATES_H

typedef struct {
    int64_t epoch;              //  Seconds since 1970 UTC
    int millis;                 //  Fraction, 0-999
    bool has_time;              //  A time of day was given
    bool has_zone;              //  A zone/offset was given (else tz assumed)
    bool two_digit_year;        //  Century was inferred
} date_t;

//  Parse text. default_tz: IANA zone for dates without one (NULL = UTC).
//  reference: epoch near which to place dates with a 2-digit year or no
//  year (0 = now). Returns 0 or -1 if text is not a date we can read.
int
    date_parse (const char *text, const char *default_tz, int64_t reference, date_t *out);

//  Format as RFC 3339 UTC: "2016-01-04T16:34:45Z" (".123Z" when millis).
//  Writes into buf (>= 32 bytes), returns buf.
char *
    date_format (const date_t *date, char *buf, size_t size);

//  Parse and format in one go. Returns a new RFC 3339 string, or NULL when
//  unparseable. Warnings ("tz-assumed:Europe/Helsinki") go to warnings.
char *
    date_normalize (const char *text, const char *default_tz, int64_t reference,
                    strv_t *warnings);

//  date_normalize without allocating: the date read into *date and its
//  RFC 3339 form into buf (>= 32 bytes). Returns 0, or -1 when unparseable.
int
    date_normalize_buf (const char *text, const char *default_tz, int64_t reference,
                        strv_t *warnings, date_t *date, char *buf, size_t size);

#endif
