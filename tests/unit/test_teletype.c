//  SPDX-License-Identifier: MIT
//  test_teletype - IPTC 7901, ANPA-1312 and AAP ZCZC parsers, and the
//  shared teletype helpers, on every sample and on broken streams

#include "ingest_collect.h"
#include "ingest/teletype.h"
#include "normalize/normalize.h"
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>

//  Parse one sample of a folder; exactly one story expected
static story_t *
s_sample (collect_t *c, const char *folder, const char *name, const char *format)
{
    char *path = xasprintf ("samples/%s/%s", folder, name);
    assert_int_equal (collect_shared (c, path, NULL), 0);
    free (path);
    assert_string_equal (c->result.format, format);
    assert_int_equal (c->stories.len, 1);
    assert_int_equal (c->dead.len, 0);
    story_t *s = c->stories.items [0];
    assert_true (collect_story_clean (s));
    assert_int_equal (s->ingest.index, 0);
    assert_non_null (s->ingest.sha256);
    return s;
}

static bool
s_has_signal (const story_t *s, const char *signal)
{
    return strv_contains (&s->signals, signal);
}

static bool
s_has_subject (const story_t *s, const char *literal)
{
    return story_find_concept ((story_conceptv_t *) &s->subjects, literal) != NULL;
}

//  Read a shared sample into a buffer (appended)
static void
s_append_sample (buf_t *buf, const char *folder, const char *name)
{
    char *path = xasprintf ("samples/%s/%s", folder, name);
    uint8_t *data;
    size_t size;
    collect_read_shared (path, &data, &size);
    buf_append (buf, data, size);
    free (data);
    free (path);
}

//  ---------------------------------------------------------------------
//  IPTC 7901

static void
test_iptc7901 (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_sample (&c, "iptc7901", "sdcore__IPTC7901.txt", "iptc7901");
    assert_string_equal (story_headline (s), "Germany Social Democrats: Coalition talks with Merkel could fail");
    assert_string_equal (s->slugline, "Germany-politics");
    assert_string_equal (collect_altid (s, "iptc7901-sequence"), "eca062");
    assert_int_equal (s->priority, 4);
    assert_true (s_has_subject (s, "iptc7901cat:i"));
    assert_string_equal (story_extra (s, "iptc7901-wordcount"), "211");
    assert_string_equal (story_extra (s, "iptc7901-initials"), "dpa wsz jln npr");
    assert_string_equal (s->versioncreated, "131137 GMT Nov 13");
    assert_string_equal (story_rawdate (s, "versioncreated"), "131137 GMT Nov 13");
    assert_string_equal (s->located, "Berlin");
    assert_string_equal (s->dateline.source, "dpa");
    assert_true (str_starts (collect_body (s, "main"), "   Berlin (dpa) - Negotiations between"));
    //  The not-for-publication section is the ednote, not the body
    assert_non_null (strstr (s->ednote, "Reporting by: Wolfgang Schmidt"));
    assert_null (strstr (collect_body (s, "main"), "not for publication"));
    assert_null (strstr (collect_body (s, "main"), "Wolfgang Schmidt"));
    collect_reset (&c);

    s = s_sample (&c, "iptc7901", "sdcore__dpa_copyright.txt", "iptc7901");
    assert_string_equal (story_headline (s), "Impressum");
    assert_string_equal (s->ednote, "(Achtung)");
    assert_string_equal (s->versioncreated, "242200 GMT Jun 17");
    assert_true (s_has_subject (s, "iptc7901cat:rs"));
    collect_reset (&c);

    //  Four header lines: REFILE, 1ST LEAD, headline, byline; a Latin-1 byte
    s = s_sample (&c, "iptc7901", "sdcore__dpa_four_line.txt", "iptc7901");
    assert_string_equal (story_headline (s), "Switzerland joins list of countries resisting UN migration pact");
    assert_string_equal (s->by, "By dpa correspondents");
    assert_true (s_has_signal (s, "refile"));
    assert_true (s_has_signal (s, "writethru"));
    assert_true (s_has_signal (s, "raw:1ST LEAD"));
    assert_int_equal (s->priority, 3);
    assert_string_equal (s->slugline, "Switzerland/migration/UN");
    assert_int_equal (s->keywords.len, 3);
    assert_string_equal (s->keywords.items [2], "UN");
    assert_non_null (strstr (s->ednote, "Helen\xc2\xa0" "Corbett"));
    assert_string_equal (s->ingest.charset, "windows-1252");
    collect_reset (&c);

    s = s_sample (&c, "iptc7901", "sdcore__dpa_two_by_line.txt", "iptc7901");
    assert_string_equal (story_headline (s), "Chiefs-Rams 2.0? Would be a fun Super Bowl, but don't count on it");
    assert_string_equal (s->by, "By Tom Krasovic, The San Diego Union-Tribune");
    assert_string_equal (s->dateline.source, "tca/dpa");
    assert_string_equal (s->located, "San Diego");
    assert_string_equal (s->versioncreated, "211259 Nov 18");
    assert_int_equal (s->infosources.len, 1);
    assert_string_equal (s->infosources.items [0].name, "dpa-tns");
    collect_reset (&c);

    s = s_sample (&c, "iptc7901", "sdcore__dpa_two_line.txt", "iptc7901");
    assert_string_equal (story_headline (s), "Peace talks on Yemen to take place in Sweden next month, Mattis says");
    assert_true (s_has_signal (s, "alert"));
    assert_true (str_starts (collect_body (s, "main"), "Washington (dpa) - US Defence Secretary"));
    collect_reset (&c);
}

//  A stream of messages, a garbled one in the middle, and the same stream
//  stripped of its control characters
static void
test_iptc7901_stream (void **state)
{
    const char *names [] = { "sdcore__IPTC7901.txt", "sdcore__dpa_copyright.txt",
                             "sdcore__dpa_four_line.txt", "sdcore__dpa_two_by_line.txt",
                             "sdcore__dpa_two_line.txt" };
    buf_t stream;
    buf_init (&stream);
    for (int i = 0; i < 5; i++) {
        s_append_sample (&stream, "iptc7901", names [i]);
        if (i == 2)
            buf_append (&stream, "\x01\x7f\x7f\x04", 4);    //  A message with nothing in it
    }
    collect_t c = { 0 };
    assert_int_equal (collect_bytes (&c, "stream", NULL, stream.data, stream.size), 0);
    assert_string_equal (c.result.format, "iptc7901");
    assert_int_equal (c.stories.len, 5);
    assert_int_equal (c.dead.len, 1);
    assert_int_equal (c.result.bad_items, 1);
    assert_non_null (strstr (c.dead.items [0]->reason, "no text"));
    assert_string_equal (story_headline (c.stories.items [3]),
                         "Chiefs-Rams 2.0? Would be a fun Super Bowl, but don't count on it");
    assert_int_equal (c.stories.items [4]->ingest.index, 5);
    for (size_t i = 0; i < c.stories.len; i++)
        assert_true (collect_story_clean (c.stories.items [i]));
    //  Each story has the hash of its own message
    assert_string_not_equal (c.stories.items [0]->ingest.sha256, c.stories.items [1]->ingest.sha256);
    collect_reset (&c);

    //  Stripped of every control character, with LF line ends
    buf_t stripped;
    buf_init (&stripped);
    for (size_t i = 0; i < stream.size; i++) {
        unsigned char ch = (unsigned char) stream.data [i];
        if (ch == '\n' || (ch >= 0x20 && ch != 0x7F))
            buf_putc (&stripped, (char) ch);
    }
    assert_int_equal (collect_bytes (&c, "stripped", NULL, stripped.data, stripped.size), 0);
    assert_string_equal (c.result.format, "iptc7901");
    assert_int_equal (c.stories.len, 5);
    story_t *s = c.stories.items [0];
    assert_string_equal (s->slugline, "Germany-politics");
    assert_string_equal (s->versioncreated, "131137 GMT Nov 13");
    assert_string_equal (c.stories.items [2]->by, "By dpa correspondents");
    assert_string_equal (story_headline (c.stories.items [2]),
                         "Switzerland joins list of countries resisting UN migration pact");
    for (size_t i = 0; i < c.stories.len; i++)
        assert_true (collect_story_clean (c.stories.items [i]));
    collect_reset (&c);
    buf_free (&stripped);
    buf_free (&stream);

    //  Truncated after the header: a warning, not a crash
    const char *cut = "\x01" "abc123 5 s 99 x\r\nSlug/\r\n\x02Headline only =\r\n  Body sta";
    assert_int_equal (collect_bytes (&c, "cut", "iptc7901", cut, strlen (cut)), 0);
    assert_int_equal (c.stories.len, 1);
    assert_true (strv_contains (&c.stories.items [0]->ingest.warnings, "truncated"));
    assert_string_equal (story_headline (c.stories.items [0]), "Headline only");
    collect_reset (&c);

    //  Fuzz regressions: an empty text between STX and ETX (no lines at
    //  all), and high bytes in the header where the category should be
    const char *empty = "\x01" "abc123 4 i 10\r\nslug/\r\n\x02\x03 010101 GMT Jan 01\x04";
    assert_int_equal (collect_bytes (&c, "empty", "iptc7901", empty, strlen (empty)), 0);
    assert_int_equal (c.stories.len, 0);
    assert_int_equal (c.dead.len, 1);
    collect_reset (&c);
    const char *high = "\x01" "eca0001 \xc6\xdf rs 46 dpa\r\n\nSlug/\r\n\x02(Note)\nTitle \xe9t\xe9 =\r\n"
                       "Text\r\n\x03" "010101 GMT Jan 01\r\n\x04";
    assert_int_equal (collect_bytes (&c, "high", "iptc7901", high, strlen (high)), 0);
    assert_int_equal (c.stories.len, 1);
    assert_true (collect_story_clean (c.stories.items [0]));
    assert_true (strv_contains (&c.stories.items [0]->ingest.warnings, "iptc7901-header-unparsed"));
    assert_string_equal (story_headline (c.stories.items [0]), "Title \xc3\xa9t\xc3\xa9");
    collect_reset (&c);
    //  A header whose optional information is cut inside a UTF-8 sequence
    buf_t info;
    buf_init (&info);
    buf_puts (&info, "\x01" "abc123 4 i 10 ");
    for (int i = 0; i < 200; i++)
        buf_puts (&info, "\xc3\xa9");
    buf_puts (&info, "\r\n\x02Title =\r\nText\r\n\x03\x04");
    assert_int_equal (collect_bytes (&c, "info", "iptc7901", info.data, info.size), 0);
    assert_true (collect_story_clean (c.stories.items [0]));
    buf_free (&info);
    collect_reset (&c);

    //  The byline on its own "=" line after the headline's, or alone on
    //  the first line of text
    const char *by = "\x01" "abc124 4 i 10\r\nSlug/\r\n\x02Headline here =\r\nBy Anna Meier, dpa =\r\n\r\n"
                     "Berlin (dpa) - Text.\r\n\x03" "010101 GMT Jan 01\r\n\x04"
                     "\x01" "abc125 4 i 10\r\nSlug/\r\n\x02Other headline =\r\n\r\nBy Max Muster\r\n\r\n"
                     "Text two.\r\n\x03" "010101 GMT Jan 01\r\n\x04";
    assert_int_equal (collect_bytes (&c, "by", NULL, by, strlen (by)), 0);
    assert_int_equal (c.stories.len, 2);
    assert_string_equal (c.stories.items [0]->by, "By Anna Meier, dpa");
    assert_string_equal (collect_body (c.stories.items [0], "main"), "Berlin (dpa) - Text.");
    assert_string_equal (c.stories.items [1]->by, "By Max Muster");
    assert_string_equal (collect_body (c.stories.items [1], "main"), "Text two.");
    collect_reset (&c);

    //  Not 7901 at all, forced
    assert_int_equal (collect_bytes (&c, "junk", "iptc7901", "just words", 10), -1);
    assert_non_null (strstr (c.result.error, "not IPTC 7901"));
    collect_reset (&c);
}

//  ---------------------------------------------------------------------
//  ANPA-1312

static void
test_anpa (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_sample (&c, "anpa1312", "sdcore__anpa-1.tst", "anpa1312");
    assert_string_equal (story_headline (s), "For Argentine chemo patients, mirrors can hurt");
    assert_string_equal (s->by, "By PAUL BYRNE and ALMUDENA CALATRAVA, Associated Press");
    assert_string_equal (s->slugline, "LT--Argentina-Cancer Beauty");
    assert_string_equal (s->ednote, "With AP Photos.");
    assert_string_equal (collect_altid (s, "anpa-sequence"), "2870");
    assert_string_equal (story_extra (s, "anpa-selector"), "asian");
    assert_string_equal (story_extra (s, "anpa-priority"), "f");
    assert_int_equal (s->priority, 1);
    assert_true (s_has_subject (s, "anpa:l"));
    assert_string_equal (s->versioncreated, "AP-WF-11-13-13 1509GMT");
    assert_string_equal (s->dateline.place, "BUENOS AIRES, Argentina");
    assert_string_equal (s->dateline.source, "AP");
    const char *body = collect_body (s, "main");
    assert_true (str_starts (body, "BUENOS AIRES, Argentina (AP) \xe2\x80\x94 For cancer patients"));
    //  `` '' quotes, one paragraph a line
    assert_true (strstr (body, "\n\n\"Look Good Feel Better\" is a program") != NULL);
    collect_reset (&c);

    s = s_sample (&c, "anpa1312", "sdcore__anpa-2.tst", "anpa1312");
    assert_string_equal (story_headline (s), "Prairies vanish in the US push for green energy");
    assert_string_equal (s->version, "1");
    assert_true (s_has_signal (s, "writethru"));
    assert_true (s_has_signal (s, "raw:1stLd-Writethru"));
    assert_non_null (strstr (s->ednote, "Restores reference in 3rd paragraph"));
    assert_non_null (strstr (s->ednote, "hidden costs of green energy"));
    assert_string_equal (s->by, "By CHET BROKAW and JACK GILLUM, Associated Press");
    collect_reset (&c);

    //  Tabular (DC4 DC2): preformatted, columns as TABs
    s = s_sample (&c, "anpa1312", "sdcore__anpa-3.tst", "anpa1312");
    body = collect_body (s, "preformatted");
    assert_non_null (body);
    assert_non_null (strstr (body, "Amsterdam\t42\t50\trn\t0.08"));
    assert_null (strstr (body, "END"));
    assert_string_equal (story_headline (s), "Global Weather-Fahrenheit");
    assert_int_equal (s->priority, 3);
    collect_reset (&c);

    s = s_sample (&c, "anpa1312", "sdcore__ap_anpa-1.tst", "anpa1312");
    assert_string_equal (story_headline (s), "Deng has 30 points, short-handed Heat beat Hawks 115-111");
    assert_string_equal (s->by, "By CHARLES ODUM, AP Sports Writer");
    assert_string_equal (s->slugline, "BKN--Heat-Hawks");
    assert_string_equal (s->ednote, "Heat 115, Hawks 111. Updates. With AP Photos.");
    assert_int_equal (s->descriptions.len, 1);
    assert_true (str_starts (s->descriptions.items [0].value, "Luol Deng scored 30 points"));
    assert_string_equal (story_extra (s, "anpa-selector"), "-----");
    assert_string_equal (s->versioncreated, "AP-WF-02-20-16 0337GMT");
    collect_reset (&c);

    //  Agate: BS rows, DLE space bands, '{' halves
    s = s_sample (&c, "anpa1312", "sdcore__ap_anpa-2.tst", "anpa1312");
    body = collect_body (s, "preformatted");
    assert_non_null (body);
    assert_non_null (strstr (body, "Tampa Bay\t17\t19\t.472\t6\t3\xc2\xbd"));
    assert_string_equal (s->by, "By The Associated Press");
    assert_string_equal (story_headline (s), "Baseball Expanded Standings");
    collect_reset (&c);

    s = s_sample (&c, "anpa1312", "sdcore__ap_anpa-4.tst", "anpa1312");
    assert_string_equal (story_headline (s), "AP Exclusive: China lawyer's family says US helped them flee");
    assert_string_equal (s->version, "3");
    assert_string_equal (s->located, "BEIJING");
    collect_reset (&c);

    s = s_sample (&c, "anpa1312", "sdcore__ap_anpa-7.tst", "anpa1312");
    assert_string_equal (story_headline (s), "10 Things to Know for Today");
    assert_string_equal (s->by, "By The Associated Press");
    assert_true (str_starts (s->descriptions.items [0].value, "Among 10 Things to Know:"));
    collect_reset (&c);
}

//  A message without header lines whose first text line is too long for a
//  headline and starts with BS then a CP1252 byte: the headline attempt
//  must not strip the BS in place, or the body's "skip the BS" drops the
//  first byte of the character instead (found by fuzz_anpa)
static void
test_anpa_long_first_line (void **state)
{
    buf_t doc;
    buf_init (&doc);
    buf_append (&doc, "\x16\x16\x01\x00\x00\x08\xa5", 7);
    for (int i = 0; i < 30; i++)
        buf_puts (&doc, "long line ");
    buf_puts (&doc, "\r\nSecond line of the text.\r\n");
    collect_t c = { 0 };
    assert_int_equal (collect_bytes (&c, "anpa-long-line", "anpa1312", doc.data, doc.size), 0);
    assert_int_equal (c.stories.len, 1);
    story_t *s = c.stories.items [0];
    assert_true (collect_story_clean (s));
    assert_int_equal (s->bodies.len, 1);
    const char *body = s->bodies.items [0].value;
    assert_true (charset_utf8_valid ((const uint8_t *) body, strlen (body)));
    assert_true (str_starts (body, "\xc2\xa5long line"));
    collect_reset (&c);
    buf_free (&doc);
}

static void
test_anpa_stream (void **state)
{
    const char *names [] = { "sdcore__anpa-1.tst", "sdcore__anpa-2.tst", "sdcore__anpa-3.tst",
                             "sdcore__ap_anpa-1.tst", "sdcore__ap_anpa-2.tst",
                             "sdcore__ap_anpa-4.tst", "sdcore__ap_anpa-7.tst" };
    buf_t stream;
    buf_init (&stream);
    for (int i = 0; i < 7; i++) {
        s_append_sample (&stream, "anpa1312", names [i]);
        if (i == 4)
            buf_append (&stream, "\x16\x16\x01\x03\x04", 5);    //  Garbled: no text
    }
    collect_t c = { 0 };
    assert_int_equal (collect_bytes (&c, "anpa-stream", NULL, stream.data, stream.size), 0);
    assert_string_equal (c.result.format, "anpa1312");
    assert_int_equal (c.stories.len, 7);
    assert_int_equal (c.dead.len, 1);
    assert_string_equal (story_headline (c.stories.items [6]), "10 Things to Know for Today");
    collect_reset (&c);

    //  Stripped of control characters (SYN, SOH, US, DC1-4, STX, ETX, BS, DLE...)
    buf_t stripped;
    buf_init (&stripped);
    for (size_t i = 0; i < stream.size; i++) {
        unsigned char ch = (unsigned char) stream.data [i];
        if (ch == '\n' || ch == '\r' || ch == '\t' || (ch >= 0x20 && ch != 0x7F))
            buf_putc (&stripped, (char) ch);
    }
    assert_int_equal (collect_bytes (&c, "anpa-stripped", NULL, stripped.data, stripped.size), 0);
    assert_string_equal (c.result.format, "anpa1312");
    assert_int_equal (c.stories.len, 7);
    story_t *s = c.stories.items [0];
    assert_string_equal (story_headline (s), "For Argentine chemo patients, mirrors can hurt");
    assert_string_equal (collect_altid (s, "anpa-sequence"), "2870");
    assert_string_equal (s->versioncreated, "AP-WF-11-13-13 1509GMT");
    for (size_t i = 0; i < c.stories.len; i++)
        assert_true (collect_story_clean (c.stories.items [i]));
    collect_reset (&c);
    buf_free (&stripped);
    buf_free (&stream);

    //  Fuzz regression: a keyword field longer than any buffer, of bytes
    //  that decode to two-byte characters
    buf_t wide;
    buf_init (&wide);
    buf_puts (&wide, "\x16\x16\x01W2346\x1f" "asian\nr i\x13\x11 BC-AS--China");
    for (int i = 0; i < 300; i++)
        buf_putc (&wide, (char) 0xFF);
    buf_puts (&wide, " 3rdLd-Writethru   05-09 1444\r\n\x02^BC-AS--China,1<\r\n^Headline<\r\n"
                     "\t   Text.\r\n\x03" "AP-WF-05-09-17 0056GMT<\r\n\x04");
    assert_int_equal (collect_bytes (&c, "wide", "anpa1312", wide.data, wide.size), 0);
    assert_int_equal (c.stories.len, 1);
    assert_true (collect_story_clean (c.stories.items [0]));
    assert_string_equal (c.stories.items [0]->version, "3");
    buf_free (&wide);
    collect_reset (&c);

    //  Kyodo style: no ^ header markers after STX
    const char *kyodo = "\x16\x16\x01k0042\x1fkyodo\r\nr i\x13\x11 Japan-Quake     09-12 0120\r\n"
                        "\x02Strong quake hits northern Japan\r\n  TOKYO, Sept. 12 Kyodo - A strong\r\n"
                        "earthquake struck northern Japan on Wednesday.\r\n\r\n  No damage was reported.\r\n"
                        "\x03KWS-21:37-09-12-18\r\n\x04";
    assert_int_equal (collect_bytes (&c, "kyodo", NULL, kyodo, strlen (kyodo)), 0);
    assert_int_equal (c.stories.len, 1);
    s = c.stories.items [0];
    assert_string_equal (story_headline (s), "Strong quake hits northern Japan");
    assert_string_equal (s->versioncreated, "KWS-21:37-09-12-18");
    assert_string_equal (s->slugline, "Japan-Quake");
    assert_string_equal (s->dateline.source, "Kyodo");
    assert_string_equal (s->located, "TOKYO");
    assert_non_null (strstr (collect_body (s, "main"), "earthquake struck northern Japan"));
    assert_non_null (strstr (collect_body (s, "main"), "\n\n  No damage"));
    collect_reset (&c);

    //  A short alert with header lines only
    const char *alert = "\x16\x16\x01W0001\x1f" "asian\nb a\x13\x11 BC-US--Quake     01-01 0030\r\n"
                        "\x02^BC-US--Quake,0030<\r\n^BULLETIN<\r\n^Quake shakes California<\r\n"
                        "^A magnitude 6 quake hit California on Monday.<\r\n\x03" "AP-WF-01-01-20 0101GMT<\r\n\x04";
    assert_int_equal (collect_bytes (&c, "alert", NULL, alert, strlen (alert)), 0);
    s = c.stories.items [0];
    assert_int_equal (s->priority, 2);
    assert_non_null (collect_body (s, "main"));
    assert_non_null (strstr (collect_body (s, "main"), "A magnitude 6 quake"));
    collect_reset (&c);

    //  No keyword line after STX: the first caret line is the headline
    const char *nokey = "\x16\x16\x01W0002\x1f" "asian\nr a\x13\x11 BC-US--Vote     01-01 0300\r\n"
                        "\x02^Senate passes the bill<\r\n^By JANE DOE=\r\n\t   WASHINGTON (AP) _ The Senate voted.\r\n"
                        "\x03" "AP-WF-01-01-20 0101GMT<\r\n\x04";
    assert_int_equal (collect_bytes (&c, "nokey", NULL, nokey, strlen (nokey)), 0);
    s = c.stories.items [0];
    assert_string_equal (story_headline (s), "Senate passes the bill");
    assert_string_equal (s->slugline, "US--Vote");
    assert_string_equal (s->by, "By JANE DOE");
    collect_reset (&c);
}

//  ---------------------------------------------------------------------
//  AAP ZCZC

static void
test_zczc (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_sample (&c, "zczc", "sdaap__1487e8f1-f7f5-40f5-8c0f-0eba3c2e162d.tst", "zczc");
    assert_string_equal (story_extra (s, "zczc-dialect"), "aap-news");
    assert_string_equal (story_headline (s), "Legionella found in Qld hospital");
    assert_string_equal (s->slugline, "Legionella_BC1");
    assert_string_equal (s->located, "BRISBANE");
    assert_true (s_has_subject (s, "aap-category:A"));
    assert_true (s_has_subject (s, "subj:07000000"));
    assert_string_equal (s->places.items [0].name, "QLD");
    assert_string_equal (story_extra (s, "zczc-signoff"), "AAP RTV");
    assert_true (str_starts (collect_body (s, "main"), "Legionella bacteria has been found"));
    assert_null (strstr (collect_body (s, "main"), "NNNN"));
    collect_reset (&c);

    //  A stray LF inside the headline line
    s = s_sample (&c, "zczc", "sdaap__612fa1dc-c476-425d-8c80-d40bdc9cc1d5.tst", "zczc");
    assert_string_equal (story_headline (s), "GPS device to come off Vic teen");
    assert_string_equal (s->slugline, "Legal: Causevic_BC6");
    assert_string_equal (s->located, "MELBOURNE");
    collect_reset (&c);

    //  Media release with leading spaces before ZCZC
    s = s_sample (&c, "zczc", "sdaap__ED_841066_2_1.tst", "zczc");
    assert_string_equal (story_extra (s, "zczc-dialect"), "medianet");
    assert_string_equal (story_headline (s),
                         "Media release: Personal insolvencies rise 0.6% in the September quarter");
    assert_string_equal (s->slugline, "Media Release");
    assert_string_equal (s->infosources.items [0].name, "Australian Financial Security Authority");
    assert_string_equal (s->genres.items [0].name, "Press Release");
    collect_reset (&c);

    //  CR-only header lines, results tables, no NNNN
    s = s_sample (&c, "zczc", "sdaap__Standings__2014_14_635535729050675896.tst", "zczc");
    assert_string_equal (story_extra (s, "zczc-dialect"), "aap");
    assert_string_equal (story_headline (s), "MOTOR:  Collated results/standings after Sydney NRMA 500");
    assert_string_equal (s->slugline, "Motor V8");
    assert_string_equal (story_extra (s, "take-key"), "Sydney NRMA 500");
    assert_true (s_has_subject (s, "subj:15039001"));
    assert_string_equal (s->dateline.place, "SYDNEY");
    assert_string_equal (s->dateline.date, "Dec 7");
    assert_string_equal (s->dateline.source, "AAP");
    assert_non_null (collect_body (s, "preformatted"));
    assert_true (strv_contains (&s->ingest.warnings, "zczc-no-nnnn"));
    collect_reset (&c);

    s = s_sample (&c, "zczc", "sdaap__bob_am_headlines.tst", "zczc");
    assert_string_equal (story_headline (s), "Sydney headlines round-up Nov 06, 1200");
    assert_string_equal (s->slugline, "AM Sydney headlines");
    assert_string_equal (s->genres.items [0].name, "AM Service");
    collect_reset (&c);

    //  Racing copy: preformatted, title lines
    s = s_sample (&c, "zczc", "sdaap__premierships.txt", "zczc");
    assert_string_equal (story_extra (s, "zczc-dialect"), "racing");
    assert_string_equal (story_headline (s), "Premierships National gallop Trainer and Jockeys 2017-2018");
    assert_string_equal (s->slugline, "TRAINER-JOCKEY");
    assert_non_null (strstr (collect_body (s, "preformatted"), "LEADING JOCKEYS"));
    collect_reset (&c);

    s = s_sample (&c, "zczc", "sdaap__vicomb004_8511.tst", "zczc");
    assert_string_equal (story_headline (s), "Eagle Farm MARKET DAY");
    assert_string_equal (s->slugline, "POTTED");
    assert_string_equal (story_extra (s, "zczc-signoff"), "AAP BETTING");
    assert_string_equal (s->dateline.place, "BRISBANE");
    collect_reset (&c);
}

static void
test_zczc_stream (void **state)
{
    const char *names [] = { "sdaap__1487e8f1-f7f5-40f5-8c0f-0eba3c2e162d.tst",
                             "sdaap__612fa1dc-c476-425d-8c80-d40bdc9cc1d5.tst",
                             "sdaap__ED_841066_2_1.tst", "sdaap__bob_am_headlines.tst",
                             "sdaap__premierships.txt", "sdaap__vicomb004_8511.tst",
                             "sdaap__Standings__2014_14_635535729050675896.tst" };
    buf_t stream;
    buf_init (&stream);
    for (int i = 0; i < 7; i++) {
        s_append_sample (&stream, "zczc", names [i]);
        buf_puts (&stream, "\r\n");
        if (i == 3)
            buf_puts (&stream, "ZCZC AAP\r\n\r\nNNNN\r\n");     //  An empty message
    }
    collect_t c = { 0 };
    assert_int_equal (collect_bytes (&c, "zczc-stream", NULL, stream.data, stream.size), 0);
    assert_string_equal (c.result.format, "zczc");
    assert_int_equal (c.stories.len, 7);
    assert_int_equal (c.dead.len, 1);
    assert_string_equal (story_headline (c.stories.items [4]),
                         "Premierships National gallop Trainer and Jockeys 2017-2018");
    for (size_t i = 0; i < c.stories.len; i++)
        assert_true (collect_story_clean (c.stories.items [i]));
    collect_reset (&c);
    buf_free (&stream);

    //  Fuzz regression: header values longer than any buffer, of
    //  two-byte characters (place, category, version signal)
    buf_t wide;
    buf_init (&wide);
    buf_puts (&wide, "ZCZC AAP\r\n%");
    for (int i = 0; i < 100; i++)
        buf_puts (&wide, "\xc3\xa9");
    buf_puts (&wide, "\r\n#Slug\r\n$Headline\r\n@");
    for (int i = 0; i < 100; i++)
        buf_puts (&wide, "\xc3\xa9");
    buf_puts (&wide, "\r\nText.\r\nNNNN\r\n");
    assert_int_equal (collect_bytes (&c, "wide", NULL, wide.data, wide.size), 0);
    assert_true (collect_story_clean (c.stories.items [0]));
    assert_int_equal (strlen (c.stories.items [0]->places.items [0].literal), 12 + 200);
    buf_free (&wide);
    collect_reset (&c);

    //  Fuzz regression: a message that is its ZCZC line and nothing else
    assert_int_equal (collect_bytes (&c, "bare", "zczc", "ZCZC AAP", 8), 0);
    assert_int_equal (c.stories.len, 0);
    assert_int_equal (c.dead.len, 1);
    collect_reset (&c);

    //  SI and other controls inside, CP1252 bytes, lowercase zczc
    const char *odd = "zczc\r$Caf\xe9 \x0fopens\r#Cafe\r%A\rThe caf\xe9 opened \x92today\x92.\rNNNN";
    assert_int_equal (collect_bytes (&c, "odd", NULL, odd, strlen (odd)), 0);
    story_t *s = c.stories.items [0];
    assert_true (collect_story_clean (s));
    assert_string_equal (story_headline (s), "Caf\xc3\xa9 opens");
    assert_string_equal (collect_body (s, "main"), "The caf\xc3\xa9 opened \xe2\x80\x99today\xe2\x80\x99.");
    collect_reset (&c);
}

//  ---------------------------------------------------------------------
//  The shared helpers

static void
test_helpers (void **state)
{
    story_t *s = story_new ();
    assert_true (tty_dateline (s, "Berlin (dpa) - Negotiations between"));
    assert_string_equal (s->dateline.text, "Berlin (dpa) -");
    assert_string_equal (s->located, "Berlin");
    story_destroy (&s);
    s = story_new ();
    assert_true (tty_dateline (s, "   SAN JOSE, Calif., March 2 (Reuters) - Apple said"));
    assert_string_equal (s->dateline.place, "SAN JOSE, Calif.");
    assert_string_equal (s->dateline.date, "March 2");
    assert_string_equal (s->dateline.source, "Reuters");
    story_destroy (&s);
    s = story_new ();
    assert_true (tty_dateline (s, "SYDNEY, Dec 7 AAP - Collated results"));
    assert_string_equal (s->dateline.source, "AAP");
    story_destroy (&s);
    s = story_new ();
    assert_false (tty_dateline (s, "The company (NYSE: XYZ) - a widget maker - grew."));
    assert_false (tty_dateline (s, "he said (quoting the minister) - and then left"));
    assert_false (tty_dateline (s, "The minister (left) - and his aide - arrived."));
    assert_true (tty_dateline (s, "The Hague (Reuters) - The court ruled"));
    assert_string_equal (s->located, "The Hague");
    str_set (&s->dateline.text, NULL);
    assert_false (tty_dateline (s, "No dateline at all."));
    assert_null (s->dateline.text);
    assert_true (tty_dateline (s, "RIO DE JANEIRO, Brazil (AP) _ Text"));
    str_set (&s->dateline.text, NULL);

    assert_true (tty_signal (s, "1stLd-Writethru"));
    assert_true (strv_contains (&s->signals, "writethru"));
    assert_true (strv_contains (&s->signals, "update"));
    assert_true (tty_signal (s, "CORRECTION"));
    assert_true (strv_contains (&s->signals, "correction"));
    assert_true (tty_signal (s, "Eilt"));
    assert_true (strv_contains (&s->signals, "alert"));
    assert_false (tty_signal (s, "Berlin"));
    assert_false (tty_signal (s, ""));
    story_destroy (&s);

    //  Framing
    tty_spanv_t spans = { 0 };
    const char *stream = "\x7f\x7f\x01one\x04junk\x16\x16\x01two\x03x\x04\x01three";
    tty_split_soh ((const uint8_t *) stream, strlen (stream), &spans);
    assert_int_equal (spans.len, 3);
    assert_true (spans.items [0].terminated);
    assert_int_equal (spans.items [1].data [0], 0x16);
    assert_false (spans.items [2].terminated);
    free (spans.items);
    spans = (tty_spanv_t) { 0 };
    const char *zczc = "noise\r\n  ZCZC AAP\r\nA\r\nNNNN\r\nZCZC\nB\nZCZCnot\nC";
    tty_split_zczc ((const uint8_t *) zczc, strlen (zczc), &spans);
    assert_int_equal (spans.len, 2);
    assert_true (spans.items [0].terminated);
    assert_false (spans.items [1].terminated);
    free (spans.items);

    //  C1 code points read as CP1252
    char *text = tty_fix_c1 (xstrdup ("\xc2\x93quoted\xc2\x94 \xc2\x81x"));
    assert_string_equal (text, "\xe2\x80\x9cquoted\xe2\x80\x9d x");
    free (text);
    char *lines [] = { "Name      W   L", "Alpha     3   0", "Beta      2   1", "" };
    assert_true (tty_tabular (lines, 4));
    char *prose [] = { "It was a dark and stormy night.", "The end." };
    assert_false (tty_tabular (prose, 2));
}

//  After normalize, every teletype sample story is a clean record
static void
test_normalized (void **state)
{
    normalize_t *normalize = normalize_new (NULL);
    const char *folders [] = { "iptc7901", "anpa1312", "zczc" };
    int stories = 0;
    for (int f = 0; f < 3; f++) {
        char *dir_path = collect_shared_path ("samples");
        char *folder = xasprintf ("%s/%s", dir_path, folders [f]);
        DIR *dir = opendir (folder);
        assert_non_null (dir);
        struct dirent *entry;
        while ((entry = readdir (dir)) != NULL) {
            if (entry->d_name [0] == '.')
                continue;
            char *path = xasprintf ("samples/%s/%s", folders [f], entry->d_name);
            collect_t c = { 0 };
            assert_int_equal (collect_shared (&c, path, NULL), 0);
            for (size_t i = 0; i < c.stories.len; i++) {
                story_t *s = c.stories.items [i];
                assert_int_equal (normalize_story (normalize, s), 0);
                assert_true (collect_story_clean (s));
                assert_non_null (s->uri);
                assert_non_null (story_headline (s));
                assert_non_null (story_body (s));
                stories++;
            }
            collect_reset (&c);
            free (path);
        }
        closedir (dir);
        free (folder);
        free (dir_path);
    }
    assert_int_equal (stories, 19);
    normalize_destroy (&normalize);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_iptc7901),
        cmocka_unit_test (test_iptc7901_stream),
        cmocka_unit_test (test_anpa),
        cmocka_unit_test (test_anpa_stream),
        cmocka_unit_test (test_anpa_long_first_line),
        cmocka_unit_test (test_zczc),
        cmocka_unit_test (test_zczc_stream),
        cmocka_unit_test (test_helpers),
        cmocka_unit_test (test_normalized),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
