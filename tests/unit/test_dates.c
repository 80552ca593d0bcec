//  SPDX-License-Identifier: MIT
//  dates: a table of real date strings from the wire (formats.md and the
//  samples) with their RFC 3339 UTC value, plus refusals and warnings
#include "common.h"
#include <setjmp.h>
#include <cmocka.h>

typedef struct {
    const char *text;           //  As received
    const char *tz;             //  Provider zone, NULL = UTC
    const char *reference;      //  Date near which 2-digit/no years fall, NULL = 2020-06-01
    const char *expected;       //  RFC 3339 UTC, NULL = refused
} date_case_t;

static const date_case_t s_cases [] = {
    //  NITF date.issue@norm, all seven variants
    { "20141126T152703", NULL, NULL, "2014-11-26T15:27:03Z" },
    { "20141126T152703", "Europe/Helsinki", NULL, "2014-11-26T13:27:03Z" },
    { "20131020T192751+1100", NULL, NULL, "2013-10-20T08:27:51Z" },
    { "20151210T191044Z", NULL, NULL, "2015-12-10T19:10:44Z" },
    { "2016-05-12T00:05:13+02:00", NULL, NULL, "2016-05-11T22:05:13Z" },
    { "2016-04-13 04:52:21+00:00", NULL, NULL, "2016-04-13T04:52:21Z" },
    { "2022-07-11 18:33", "Europe/Rome", NULL, "2022-07-11T16:33:00Z" },
    { "YYYYMMDD000000-HHMM", NULL, NULL, NULL },
    { "20020220T090000-0500", NULL, NULL, "2002-02-20T14:00:00Z" },
    { "20151014T024358+0100", NULL, NULL, "2015-10-14T01:43:58Z" },
    { "20190121T102708", "Europe/Oslo", NULL, "2019-01-21T09:27:08Z" },
    { "20170102T222800+0000", NULL, NULL, "2017-01-02T22:28:00Z" },
    //  NewsML-G2 and NewsML 1.2
    { "2018-10-12T06:42:04Z ", NULL, NULL, "2018-10-12T06:42:04Z" },
    { "\n    2018-10-12T06:42:04Z\n  ", NULL, NULL, "2018-10-12T06:42:04Z" },
    { "2018-01-22T02:03:11.000Z", NULL, NULL, "2018-01-22T02:03:11Z" },
    { "2007-09-28T10:56:18.792-07:00", NULL, NULL, "2007-09-28T17:56:18.792Z" },
    { "2014-07-16 15:53:10 GMT+00:00", NULL, NULL, "2014-07-16T15:53:10Z" },
    { "15.7.2019 12:09:11 CEST", NULL, NULL, "2019-07-15T10:09:11Z" },
    { "20200616", NULL, NULL, "2020-06-16T00:00:00Z" },
    { "4/4/2018", NULL, NULL, "2018-04-04T00:00:00Z" },
    { "January 21", NULL, "2019-01-10T00:00:00Z", "2019-01-21T00:00:00Z" },
    { "Dec 30", NULL, "2019-01-02T00:00:00Z", "2018-12-30T00:00:00Z" },
    { "20130605T210000+0000", NULL, NULL, "2013-06-05T21:00:00Z" },
    { "2013-03-01T15:09:04.000Z", NULL, NULL, "2013-03-01T15:09:04Z" },
    { "2017-08-29T17:15:41", "Europe/Helsinki", NULL, "2017-08-29T14:15:41Z" },
    { "20190715T120911+0200", NULL, NULL, "2019-07-15T10:09:11Z" },
    { "2016-01-12 12:35:40", NULL, NULL, "2016-01-12T12:35:40Z" },
    { "2016-10-18T11:12:00-05:00", NULL, NULL, "2016-10-18T16:12:00Z" },
    { "2013-05-07T13:10:52+10:30", NULL, NULL, "2013-05-07T02:40:52Z" },
    { "2012-12-05T19:51:24+11:00", NULL, NULL, "2012-12-05T08:51:24Z" },
    { "2022-07-11T18:33:00+02", NULL, NULL, "2022-07-11T16:33:00Z" },
    { "2013-07-31", NULL, NULL, "2013-07-31T00:00:00Z" },
    //  RSS / RFC 822
    { "Fri, 19 Nov 2021 01:45:08 +02:00", NULL, NULL, "2021-11-18T23:45:08Z" },
    { "Fri, 19 Nov 2021 01:45:08 +0200", NULL, NULL, "2021-11-18T23:45:08Z" },
    { "03 Apr 02 1500 GMT", NULL, NULL, "2002-04-03T15:00:00Z" },
    { "Seg, 10 Set 2012 10:00:00 -0300", NULL, NULL, "2012-09-10T13:00:00Z" },
    { "Qua, 12 Set 2012 10:00:00 -0300", NULL, NULL, "2012-09-12T13:00:00Z" },
    { "Mi, 02 Okt 2013 14:00:00 +0200", NULL, NULL, "2013-10-02T12:00:00Z" },
    { "Di, 17 Dez 2013 09:30:00 +0100", NULL, NULL, "2013-12-17T08:30:00Z" },
    { "2020/1/10 14:33:00", NULL, NULL, "2020-01-10T14:33:00Z" },
    { "Fri, 08 Jul 2016 13:40:00 UTC", NULL, NULL, "2016-07-08T13:40:00Z" },
    { "Mon, 29 Jul 2013 16:03:54 +0000", NULL, NULL, "2013-07-29T16:03:54Z" },
    { "Sun, 07 Jul 3013 15:06:01 +0000", NULL, NULL, NULL },
    { "Wed, 02 Oct 2002 08:00:00 EST", NULL, NULL, "2002-10-02T13:00:00Z" },
    { "Wed, 02 Oct 2002 08:00:00 EDT", NULL, NULL, "2002-10-02T12:00:00Z" },
    { "Tue, 10 Jun 2003 09:41:01 PDT", NULL, NULL, "2003-06-10T16:41:01Z" },
    { "Sunday, 06-Nov-94 08:49:37 GMT", NULL, "1995-01-01T00:00:00Z", "1994-11-06T08:49:37Z" },
    { "Sun Nov  6 08:49:37 1994", NULL, NULL, "1994-11-06T08:49:37Z" },
    { "Thursday, June 4, 2015 10:45 AM EDT", NULL, NULL, "2015-06-04T14:45:00Z" },
    { "Oct 12, 2018 6:42 PM", NULL, NULL, "2018-10-12T18:42:00Z" },
    { "Sat, 07 Sep 2002 00:00:01 GMT", NULL, NULL, "2002-09-07T00:00:01Z" },
    { "Sun, 17 Jan 2021 10:45:00 +0100", NULL, NULL, "2021-01-17T09:45:00Z" },
    { "1 Dec 2017 18:38:32 GMT", NULL, NULL, "2017-12-01T18:38:32Z" },
    { "Thu, 01 Jan 1970 00:00:00 +0000", NULL, NULL, "1970-01-01T00:00:00Z" },
    { "Mon, 26 Jun 2017 19:41:48 GMT", NULL, NULL, "2017-06-26T19:41:48Z" },
    { "Tue, 21 Jul 2020 21:19:07 GMT+2", NULL, NULL, "2020-07-21T19:19:07Z" },
    { "Tue, 21 Jul 2020 21:19:07 \xE2\x88\x92" "0500", NULL, NULL, "2020-07-22T02:19:07Z" },
    //  Reuters SGML, with the trailing junk of the corpus
    { "26-FEB-1987 15:01:01.79", NULL, NULL, "1987-02-26T15:01:01.790Z" },
    { "27-MAR-1987 00:02:59.13\x05\x05\x05RM", NULL, NULL, "1987-03-27T00:02:59.130Z" },
    { "27-MAR-1987 11:51:33.23&#5;&#5;&#5;C T", NULL, NULL, "1987-03-27T11:51:33.230Z" },
    { " 7-APR-1987 16:22:00.0", NULL, NULL, "1987-04-07T16:22:00Z" },
    { "1-MAR-1987 01:30:29.50", NULL, NULL, "1987-03-01T01:30:29.500Z" },
    //  7901 and ANPA trailers
    { "131137 GMT Nov 13", NULL, "2013-11-13T12:00:00Z", "2013-11-13T11:37:00Z" },
    { "242200 GMT Jun 17", NULL, "2017-06-24T23:00:00Z", "2017-06-24T22:00:00Z" },
    { "211259 Nov 18", NULL, "2018-11-21T13:00:00Z", "2018-11-21T12:59:00Z" },
    { "131137 GMT Okt 13", NULL, "2013-10-13T12:00:00Z", "2013-10-13T11:37:00Z" },
    { "121530 GMT Dez 19", NULL, "2019-12-12T16:00:00Z", "2019-12-12T15:30:00Z" },
    { "AP-WF-02-20-16 0337GMT", NULL, NULL, "2016-02-20T03:37:00Z" },
    { "AP-WF-11-13-13 1509GMT<", NULL, NULL, "2013-11-13T15:09:00Z" },
    //  Bulletins, datelines and other languages
    { "Issued at 9:27 am EST on Thursday 5 July 2018", "Australia/Sydney", NULL,
      "2018-07-04T23:27:00Z" },
    { "Issued at 9:27 am EST on Thursday 5 July 2018", NULL, NULL, "2018-07-05T14:27:00Z" },
    { "10 de março de 2012", NULL, NULL, "2012-03-10T00:00:00Z" },
    { "5. Dezember 2019 14:30", "Europe/Berlin", NULL, "2019-12-05T13:30:00Z" },
    { "lundi 3 février 2020 à 14h30", "Europe/Paris", NULL, "2020-02-03T13:30:00Z" },
    { "vrijdag 12 april 2019 10:00", "Europe/Amsterdam", NULL, "2019-04-12T08:00:00Z" },
    { "torsdag 5. desember 2019 kl. 14.30", "Europe/Oslo", NULL, "2019-12-05T13:30:00Z" },
    { "martes, 10 de marzo de 2020 18:00", "Europe/Madrid", NULL, "2020-03-10T17:00:00Z" },
    { "mar, 10 mar 2020 18:00:00 +0100", NULL, NULL, "2020-03-10T17:00:00Z" },
    { "15 MÄRZ 2021", NULL, NULL, "2021-03-15T00:00:00Z" },
    { "2 septembre 2019", NULL, NULL, "2019-09-02T00:00:00Z" },
    { "Feb. 1, 2017", NULL, NULL, "2017-02-01T00:00:00Z" },
    //  Daylight saving time in the provider zone
    { "2016-07-01 12:00:00", "America/New_York", NULL, "2016-07-01T16:00:00Z" },
    { "2016-01-01 12:00:00", "America/New_York", NULL, "2016-01-01T17:00:00Z" },
    //  Calendar checks and non-dates
    { "2018-13-01", NULL, NULL, NULL },
    { "2019-02-29", NULL, NULL, NULL },
    { "2020-02-29", NULL, NULL, "2020-02-29T00:00:00Z" },
    { "2018-10-12T25:00:00Z", NULL, NULL, NULL },
    { "", NULL, NULL, NULL },
    { "   \n ", NULL, NULL, NULL },
    { "hello world", NULL, NULL, NULL },
    { "12:30", NULL, NULL, NULL },
    { "2019", NULL, NULL, NULL },
    { "bad datetime", NULL, NULL, NULL },
    { "00000000T000000", NULL, NULL, NULL },
    { NULL, NULL, NULL, NULL }
};

static int64_t
s_epoch (const char *iso)
{
    date_t d;
    assert_int_equal (date_parse (iso, NULL, 1, &d), 0);
    return d.epoch;
}

static void
test_table (void **state)
{
    int count = 0;
    int failures = 0;
    for (const date_case_t *c = s_cases; c->text; c++) {
        int64_t reference = s_epoch (c->reference ? c->reference : "2020-06-01T00:00:00Z");
        char *got = date_normalize (c->text, c->tz, reference, NULL);
        bool ok = (!got && !c->expected)
               || (got && c->expected && strcmp (got, c->expected) == 0);
        if (!ok) {
            print_error ("date \"%s\" tz=%s: got %s, expected %s\n", c->text,
                         c->tz ? c->tz : "-", got ? got : "(refused)",
                         c->expected ? c->expected : "(refused)");
            failures++;
        }
        free (got);
        count++;
    }
    assert_true (count >= 60);
    assert_int_equal (failures, 0);
}

static void
test_fields (void **state)
{
    date_t d;
    assert_int_equal (date_parse ("20141126T152703", "Europe/Helsinki", 0, &d), 0);
    assert_true (d.has_time);
    assert_false (d.has_zone);
    assert_int_equal (date_parse ("2014-11-26", NULL, 0, &d), 0);
    assert_false (d.has_time);
    assert_int_equal (date_parse ("03 Apr 02 1500 GMT", NULL, 0, &d), 0);
    assert_true (d.two_digit_year);
    assert_true (d.has_zone);
    assert_int_equal (date_parse ("26-FEB-1987 15:01:01.79", NULL, 0, &d), 0);
    assert_int_equal (d.millis, 790);
    char buf [32];
    assert_string_equal (date_format (&d, buf, sizeof buf), "1987-02-26T15:01:01.790Z");
    assert_int_equal (date_parse (NULL, NULL, 0, &d), -1);
}

static void
test_two_digit_years (void **state)
{
    //  The century nearest the reference
    int64_t ref_1999 = s_epoch ("1999-12-01T00:00:00Z");
    int64_t ref_2001 = s_epoch ("2001-01-15T00:00:00Z");
    char *a = date_normalize ("Mon, 03 Jan 00 10:00:00 GMT", NULL, ref_1999, NULL);
    char *b = date_normalize ("Fri, 31 Dec 99 10:00:00 GMT", NULL, ref_2001, NULL);
    assert_string_equal (a, "2000-01-03T10:00:00Z");
    assert_string_equal (b, "1999-12-31T10:00:00Z");
    free (a);
    free (b);
}

static void
test_warnings (void **state)
{
    strv_t warnings = { NULL, 0, 0 };
    char *d = date_normalize ("20141126T152703", "Europe/Helsinki", 0, &warnings);
    assert_non_null (d);
    assert_true (strv_contains (&warnings, "tz-assumed:Europe/Helsinki"));
    free (d);
    strv_free (&warnings);

    d = date_normalize ("2014-11-26T15:27:03", NULL, 0, &warnings);
    assert_string_equal (d, "2014-11-26T15:27:03Z");
    assert_true (strv_contains (&warnings, "tz-assumed:UTC"));
    free (d);
    strv_free (&warnings);

    //  A zone given: nothing assumed
    d = date_normalize ("2014-11-26T15:27:03Z", "Europe/Helsinki", 0, &warnings);
    assert_int_equal (warnings.len, 0);
    free (d);

    //  Unknown or hostile zone names are read as UTC, with a warning
    d = date_normalize ("2014-11-26 15:27:03", "../../etc/passwd", 0, &warnings);
    assert_string_equal (d, "2014-11-26T15:27:03Z");
    assert_true (strv_contains (&warnings, "tz-unknown:../../etc/passwd"));
    free (d);
    strv_free (&warnings);
    d = date_normalize ("2014-11-26 15:27:03", "Mars/Olympus_Mons", 0, &warnings);
    assert_string_equal (d, "2014-11-26T15:27:03Z");
    free (d);
    strv_free (&warnings);

    //  TZ is restored after a zone switch
    setenv ("TZ", "Asia/Tokyo", 1);
    tzset ();
    d = date_normalize ("2014-11-26 15:27:03", "Europe/Paris", 0, NULL);
    assert_string_equal (d, "2014-11-26T14:27:03Z");
    assert_string_equal (getenv ("TZ"), "Asia/Tokyo");
    free (d);
    unsetenv ("TZ");
    tzset ();
}

static void
test_hostile (void **state)
{
    //  Long, binary and near-miss input never crashes or reads out of bounds
    char long_text [4096];
    memset (long_text, '1', sizeof long_text - 1);
    long_text [sizeof long_text - 1] = 0;
    date_t d;
    assert_int_equal (date_parse (long_text, NULL, 0, &d), -1);
    const char *odd [] = {
        "+", "-", "T", "2020-", "2020-01-", "2020-01-01T", "2020-01-01T1",
        "2020-01-01T10:", "2020-01-01T10:00:", "2020-01-01T10:00:00+",
        "2020-01-01T10:00:00+1", "2020-01-01T10:00:00.", "Jan", "1 Jan", ":::",
        "99999999999999999999 Jan 1", "31 Feb 2020", "1 1 1 1 1 1 1", "-1-1-1",
        "\xff\xfe\xfd", "Mon,,,,", "Jan Feb Mar", "29 Feb 01 10:00 GMT", NULL
    };
    for (int i = 0; odd [i]; i++) {
        char *r = date_normalize (odd [i], "Europe/Berlin", 0, NULL);
        free (r);
    }
    char *r = date_normalize ("1 Jan", NULL, s_epoch ("2020-12-30T00:00:00Z"), NULL);
    assert_string_equal (r, "2021-01-01T00:00:00Z");
    free (r);
}

//  Formatting by calendar arithmetic agrees with the C library, day by
//  day across centuries (and at the edges of the years it covers), and
//  date_normalize_buf agrees with date_normalize
static void
test_format (void **state)
{
    for (int64_t epoch = -6000000000LL; epoch < 9000000000LL; epoch += 86400 * 7 + 3601) {
        for (int millis = 0; millis < 1000; millis += 999) {
            date_t date = { .epoch = epoch, .millis = millis };
            char buf [32], expected [64];
            date_format (&date, buf, sizeof buf);
            time_t t = (time_t) epoch;
            struct tm tm;
            gmtime_r (&t, &tm);
            if (millis)
                snprintf (expected, sizeof expected, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                          tm.tm_min, tm.tm_sec, millis);
            else
                snprintf (expected, sizeof expected, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                          tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                          tm.tm_min, tm.tm_sec);
            assert_string_equal (buf, expected);
        }
    }
    char buf [32];
    date_t first = { .epoch = -62135596800LL };
    assert_string_equal (date_format (&first, buf, sizeof buf), "0001-01-01T00:00:00Z");
    date_t last = { .epoch = 253402300799LL, .millis = 5 };
    assert_string_equal (date_format (&last, buf, sizeof buf), "9999-12-31T23:59:59.005Z");
    date_t leap = { .epoch = 951782400 };
    assert_string_equal (date_format (&leap, buf, sizeof buf), "2000-02-29T00:00:00Z");

    static const char *texts [] = {
        "26-FEB-1987 15:01:01.79", "2016-01-04T16:34:45+02:00", "Tue, 3 Jun 2008 11:05:30 GMT",
        "20140512T113000", "not a date", NULL
    };
    for (int i = 0; texts [i]; i++) {
        strv_t a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
        char *expected = date_normalize (texts [i], "Europe/Helsinki", 1500000000, &a);
        date_t date;
        int rc = date_normalize_buf (texts [i], "Europe/Helsinki", 1500000000, &b, &date,
                                     buf, sizeof buf);
        if (expected) {
            assert_int_equal (rc, 0);
            assert_string_equal (buf, expected);
            date_t parsed;
            assert_int_equal (date_parse (texts [i], "Europe/Helsinki", 1500000000, &parsed), 0);
            assert_true (parsed.epoch == date.epoch && parsed.millis == date.millis);
        }
        else
            assert_int_equal (rc, -1);
        assert_int_equal (a.len, b.len);
        for (size_t w = 0; w < a.len; w++)
            assert_string_equal (a.items [w], b.items [w]);
        free (expected);
        strv_free (&a);
        strv_free (&b);
    }
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_table),
        cmocka_unit_test (test_fields),
        cmocka_unit_test (test_two_digit_years),
        cmocka_unit_test (test_warnings),
        cmocka_unit_test (test_hostile),
        cmocka_unit_test (test_format),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
