//  SPDX-License-Identifier: MIT
//  normalize: every rule on built stories, then every shared sample and a
//  Reuters file through ingest + normalize, checking the record invariants,
//  idempotency and language detection accuracy
#include "common.h"
#include "lang.h"
#include "ninjs.h"
#include "ingest/ingest.h"
#include "ingest_collect.h"
#include "normalize/normalize.h"
#include "normalize/dateline.h"
#include "broker/broker.h"
#include "publisher.h"
#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <cmocka.h>

#define NOW_2020 1590969600     //  2020-06-01T00:00:00Z

static normalize_t *
s_normalizer (void)
{
    normalize_t *self = normalize_new (NULL);
    normalize_set_now (self, NOW_2020);
    return self;
}

static story_t *
s_story (void)
{
    story_t *story = story_new ();
    str_set (&story->ingest.provider, "test");
    str_set (&story->ingest.received, "2020-05-31T12:00:00Z");
    return story;
}

static bool
s_has_warning (const story_t *story, const char *warning)
{
    return strv_contains (&story->ingest.warnings, warning);
}

//  The encoded record, to compare two stories
static char *
s_encoded (const story_t *story, size_t *size)
{
    buf_t buf;
    buf_init (&buf);
    story_encode (story, &buf);
    *size = buf.size;
    return buf_detach (&buf);
}

//  normalize (normalize (x)) == normalize (x)
static void
s_assert_idempotent (normalize_t *normalizer, const story_t *story)
{
    story_t *again = story_dup (story);
    assert_int_equal (normalize_story (normalizer, again), 0);
    size_t a_size, b_size;
    char *a = s_encoded (story, &a_size);
    char *b = s_encoded (again, &b_size);
    if (a_size != b_size || memcmp (a, b, a_size) != 0) {
        char *once = ninjs_dumps (story, NINJS_FULL);
        char *twice = ninjs_dumps (again, NINJS_FULL);
        print_error ("once:  %s\ntwice: %s\n", once, twice);
        free (once);
        free (twice);
        fail_msg ("normalize is not idempotent for %s", story->uri);
    }
    free (a);
    free (b);
    story_destroy (&again);
}

//  --------------------------------------------------------------------------
//  Record invariants: valid UTF-8 in NFC, no controls (but \n in bodies and
//  \t in preformatted ones), paragraphs split by exactly "\n\n", dates in
//  RFC 3339 UTC

static void
s_check_string (const char *s, const char *what, bool body, bool pre)
{
    if (!s)
        return;
    size_t len = strlen (s);
    if (!charset_utf8_valid ((const uint8_t *) s, len))
        fail_msg ("%s: invalid UTF-8", what);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s [i];
        if (c == '\n' && body) {
            if (!pre) {
                //  Exactly one blank line between paragraphs
                if (s [i + 1] != '\n' || s [i + 2] == '\n' || s [i + 2] == 0 || i == 0)
                    fail_msg ("%s: stray newline at %zu", what, i);
                i++;
            }
            continue;
        }
        if (c == '\t' && pre)
            continue;
        if (c < 0x20 || c == 0x7F)
            fail_msg ("%s: control 0x%02x at %zu", what, c, i);
        if (c == 0xC2 && (unsigned char) s [i + 1] >= 0x80 && (unsigned char) s [i + 1] < 0xA0)
            fail_msg ("%s: C1 control at %zu", what, i);
    }
    char *nfc = text_nfc (s);
    if (strcmp (nfc, s) != 0)
        fail_msg ("%s: not NFC", what);
    free (nfc);
}

static void
s_check_date (const char *date, const char *what)
{
    if (!date)
        return;
    //  2016-01-04T16:34:45Z or 2016-01-04T16:34:45.123Z
    size_t len = strlen (date);
    if ((len != 20 && len != 24) || date [4] != '-' || date [10] != 'T' || date [len - 1] != 'Z')
        fail_msg ("%s: not RFC 3339 UTC: %s", what, date);
}

static void
s_check_story (const story_t *story)
{
    assert_non_null (story->uri);
    s_check_string (story->uri, "uri", false, false);
    s_check_string (story->by, "by", false, false);
    s_check_string (story->slugline, "slugline", false, false);
    s_check_string (story->located, "located", false, false);
    s_check_string (story->ednote, "ednote", false, false);
    s_check_string (story->dateline.text, "dateline", false, false);
    for (size_t i = 0; i < story->headlines.len; i++)
        s_check_string (story->headlines.items [i].value, "headline", false, false);
    for (size_t i = 0; i < story->descriptions.len; i++)
        s_check_string (story->descriptions.items [i].value, "description", true, false);
    bool plain = false;
    for (size_t i = 0; i < story->bodies.len; i++) {
        const story_text_t *b = &story->bodies.items [i];
        bool pre = b->role && strcmp (b->role, "preformatted") == 0;
        bool html = b->contenttype && strcmp (b->contenttype, "text/html") == 0;
        s_check_string (b->value, "body", true, pre || html);
        if (!html) {
            plain = true;
            assert_int_equal (b->wordcount, text_word_count (b->value));
            assert_int_equal (b->charcount, text_char_count (b->value));
        }
        else {
            //  Only the allowed tags, and no attribute but a@href
            for (const char *p = b->value; (p = strchr (p, '<')); p++) {
                const char *end = strchr (p, '>');
                assert_non_null (end);
                const char *space = memchr (p, ' ', (size_t) (end - p));
                if (space && !(str_starts (p, "<a href=\"http") || str_starts (p, "<a href=\"mailto:")))
                    fail_msg ("attribute in sanitized HTML: %.*s", (int) (end - p + 1), p);
                if (!space) {
                    static const char *allowed [] = { "p", "h2", "ul", "ol", "li", "table", "tr",
                        "td", "th", "a", "em", "strong", "br", "pre", NULL };
                    const char *name = p [1] == '/' ? p + 2 : p + 1;
                    size_t n = (size_t) (end - name);
                    bool ok = false;
                    for (int k = 0; allowed [k]; k++)
                        if (strlen (allowed [k]) == n && strncmp (allowed [k], name, n) == 0)
                            ok = true;
                    if (!ok)
                        fail_msg ("tag not allowed: %.*s", (int) (end - p + 1), p);
                }
            }
        }
    }
    if (story->bodies.len)
        assert_true (plain);
    for (size_t i = 0; i < story->subjects.len; i++)
        s_check_string (story->subjects.items [i].name, "subject", false, false);
    for (size_t i = 0; i < story->keywords.len; i++)
        s_check_string (story->keywords.items [i], "keyword", false, false);
    for (size_t i = 0; i < story->extra.len; i++)
        s_check_string (story->extra.items [i].value, "extra", false, false);
    s_check_date (story->versioncreated, "versioncreated");
    s_check_date (story->firstcreated, "firstcreated");
    s_check_date (story->contentcreated, "contentcreated");
    s_check_date (story->embargoed, "embargoed");
    s_check_date (story->expires, "expires");
    assert_true (story->urgency >= 0 && story->urgency <= 9);
    assert_true (story->priority >= 0 && story->priority <= 6);
    if (story->language) {
        char *clean = lang_tag_clean (story->language);
        assert_non_null (clean);
        assert_string_equal (clean, story->language);
        free (clean);
    }
    if (story->pubstatus)
        assert_true (strcmp (story->pubstatus, "usable") == 0
                  || strcmp (story->pubstatus, "withheld") == 0
                  || strcmp (story->pubstatus, "canceled") == 0);
}

//  --------------------------------------------------------------------------

static void
test_strings (void **state)
{
    normalize_t *n = s_normalizer ();
    story_t *s = s_story ();
    str_set (&s->uri, "  urn:test:1 \r\n");
    story_add_text (&s->headlines, NULL, NULL, "Fran\xe7ois\x07 wins\r\n again &amp; <b>again</b>");
    story_add_text (&s->bodies, "main", "text/plain",
                    "  First line of a\r\nhard-wrapped paragraph.\r\n\r\n\x1b[BSecond\x03 one.^M\r\n Reuter\r\n&#3;");
    story_add_keyword (s, " cocoa\t");
    story_add_keyword (s, "cocoa");
    story_add_keyword (s, "\x01");
    story_concept_t *c = story_add_concept (&s->subjects, "  ");
    (void) c;
    story_set_extra (s, "key", "va\x1flue");
    story_add_text (&s->headlines, "alternative", NULL, "SEARS <S> SETS QUARTERLY");
    story_add_text (&s->descriptions, NULL, NULL, "<Brascan Ltd> said <Mark Resources Inc> and <P> rose");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (s->uri, "urn:test:1");
    assert_string_equal (story_headline (s), "François wins again & again");
    assert_string_equal (story_body (s),
                         "First line of a hard-wrapped paragraph.\n\nSecond one.\n\nReuter");
    story_text_t *body = story_body_text (s);
    assert_int_equal (body->wordcount, 9);
    assert_int_equal (body->charcount, text_char_count (body->value));
    assert_int_equal (s->keywords.len, 1);
    assert_int_equal (s->subjects.len, 0);
    assert_string_equal (story_extra (s, "key"), "va lue");
    //  Tickers in angle brackets are not HTML
    assert_string_equal (s->headlines.items [1].value, "SEARS <S> SETS QUARTERLY");
    assert_string_equal (s->descriptions.items [0].value,
                         "<Brascan Ltd> said <Mark Resources Inc> and <P> rose");
    assert_string_equal (s->type, "text");
    s_check_story (s);
    s_assert_idempotent (n, s);
    story_destroy (&s);

    //  Junk that only cleaning uncovers (fuzz_normalize): a control after
    //  "^M" hides the line end, and removing one reference can join
    //  another; one pass leaves what the next would remove
    s = s_story ();
    str_set (&s->uri, "urn:test:junk");
    str_set (&s->slugline, "\xdb\x8d^My^M\x07");
    story_add_text (&s->headlines, "main", NULL, "Rates^M \x07");
    story_add_text (&s->bodies, "main", "text/plain", "Rates rise.^M\x07\n\nA &#&#3;3; B");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (s->slugline, "\xdb\x8d^My");
    assert_string_equal (story_headline (s), "Rates");
    assert_string_equal (story_body (s), "Rates rise.\n\nA B");
    s_assert_idempotent (n, s);
    story_destroy (&s);
    normalize_destroy (&n);
}

//  What fuzz_normalize found: invalid bytes and controls in HTML bodies
//  and in date fields
static void
test_hostile_fields (void **state)
{
    normalize_t *n = s_normalizer ();
    story_t *s = s_story ();
    str_set (&s->uri, "urn:test:hostile");
    story_add_text (&s->bodies, "main", "text/html",
                    "<pre>Talave\xedra\r\nline\x01two\xc2\x85</pre><p>a\rb</p>");
    str_set (&s->firstcreated, "Fri, 23 Jun 20\xd2\xc8\xdf:21 GMT");
    assert_int_equal (normalize_story (n, s), 0);
    s_check_story (s);
    for (size_t i = 0; i < s->ingest.rawdates.len; i++)
        s_check_string (s->ingest.rawdates.items [i].value, "rawdate", false, false);
    assert_true (s_has_warning (s, "bad-date:firstcreated"));
    s_assert_idempotent (n, s);
    story_destroy (&s);
    normalize_destroy (&n);
}

static void
test_html_body (void **state)
{
    normalize_t *n = s_normalizer ();
    story_t *s = s_story ();
    str_set (&s->uri, "urn:test:html");
    story_add_text (&s->headlines, "main", NULL, "Headline");
    story_add_text (&s->bodies, "main", "text/html",
                    "<p onclick=\"x()\">One <script>alert(1)</script>para.</p>"
                    "<p>Two <a href=\"javascript:evil()\">link</a> &amp; more.</p>"
                    "<table><tr><td>a</td><td>b</td></tr></table>");
    story_add_text (&s->descriptions, "summary", "text/html", "<p>Short <em>summary</em></p>");
    assert_int_equal (normalize_story (n, s), 0);
    assert_int_equal (s->bodies.len, 2);
    const story_text_t *html = &s->bodies.items [0];
    assert_string_equal (html->contenttype, "text/html");
    assert_string_equal (html->value, "<p>One para.</p><p>Two link &amp; more.</p>"
                                      "<table><tr><td>a</td><td>b</td></tr></table>");
    assert_string_equal (story_body (s), "One para.\n\nTwo link & more.\n\na | b");
    assert_string_equal (s->descriptions.items [0].value, "Short summary");
    assert_string_equal (s->descriptions.items [0].contenttype, "text/plain");
    s_check_story (s);
    s_assert_idempotent (n, s);
    story_destroy (&s);
    normalize_destroy (&n);
}

static void
test_dates (void **state)
{
    config_t *config = NULL;
    char home [] = "/tmp/copydesk-test-normalize-XXXXXX";
    assert_non_null (mkdtemp (home));
    config = config_load (home);
    assert_non_null (config);
    config_set (config, "normalize/providers/stt/timezone", "Europe/Helsinki");
    config_set (config, "normalize/timezone", "UTC");
    normalize_t *n = normalize_new (config);
    normalize_set_now (n, NOW_2020);

    //  Provider zone for dates without one; raw strings kept
    story_t *s = s_story ();
    str_set (&s->ingest.provider, "stt");
    str_set (&s->uri, "urn:test:stt");
    str_set (&s->versioncreated, "2019-01-21T10:27:08");
    str_set (&s->firstcreated, "20190121T102708+0000");
    str_set (&s->embargoed, "not a date");
    str_set (&s->expires, "2099-01-01T00:00:00Z");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (s->versioncreated, "2019-01-21T08:27:08Z");
    assert_string_equal (s->firstcreated, "2019-01-21T10:27:08Z");
    assert_null (s->embargoed);
    assert_string_equal (s->expires, "2099-01-01T00:00:00Z");     //  Not clamped
    assert_string_equal (story_rawdate (s, "versioncreated"), "2019-01-21T10:27:08");
    assert_string_equal (story_rawdate (s, "embargoed"), "not a date");
    assert_true (s_has_warning (s, "tz-assumed:Europe/Helsinki"));
    assert_true (s_has_warning (s, "bad-date:embargoed"));
    s_check_story (s);
    s_assert_idempotent (n, s);
    story_destroy (&s);

    //  Future dates are clamped to the arrival time, with a warning
    s = s_story ();
    str_set (&s->uri, "urn:test:future");
    str_set (&s->versioncreated, "Sun, 07 Jul 2030 15:06:01 +0000");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (s->versioncreated, "2020-05-31T12:00:00Z");
    assert_true (s_has_warning (s, "future-date:versioncreated"));
    assert_string_equal (story_rawdate (s, "versioncreated"), "Sun, 07 Jul 2030 15:06:01 +0000");
    s_assert_idempotent (n, s);
    story_destroy (&s);

    //  No date at all: the transport's, never silently
    s = s_story ();
    str_set (&s->uri, "urn:test:nodate");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (s->versioncreated, "2020-05-31T12:00:00Z");
    assert_true (s_has_warning (s, "date-from-transport"));
    story_destroy (&s);

    //  A bad versioncreated: removed, warned, then the transport's
    s = s_story ();
    str_set (&s->uri, "urn:test:baddate");
    str_set (&s->versioncreated, "YYYYMMDD000000-HHMM");
    assert_int_equal (normalize_story (n, s), 0);
    assert_true (s_has_warning (s, "bad-date:versioncreated"));
    assert_true (s_has_warning (s, "date-from-transport"));
    assert_string_equal (story_rawdate (s, "versioncreated"), "YYYYMMDD000000-HHMM");
    story_destroy (&s);

    normalize_destroy (&n);
    config_destroy (&config);
    char *cmd = xasprintf ("rm -rf %s", home);
    assert_int_equal (system (cmd), 0);
    free (cmd);
}

static void
test_identity (void **state)
{
    normalize_t *n = s_normalizer ();
    //  Derived from provider, date and slug; stable; never the version
    story_t *a = s_story ();
    str_set (&a->ingest.provider, "AP Wire");
    str_set (&a->slugline, "BC-BKN--Heat-Hawks");
    str_set (&a->version, "2");
    str_set (&a->versioncreated, "2016-02-20T03:37:00Z");
    story_add_text (&a->headlines, "main", NULL, "Heat beat Hawks");
    assert_int_equal (normalize_story (n, a), 0);
    assert_string_equal (a->uri, "tag:ap-wire,2016-02-20:bc-bkn-heat-hawks");
    assert_true (s_has_warning (a, "uri-derived"));
    s_assert_idempotent (n, a);

    //  Without a slug: a hash of headline and first paragraph, the same for
    //  the same text whatever its whitespace
    story_t *b = s_story ();
    story_add_text (&b->headlines, "main", NULL, "Quake hits  coast");
    story_add_text (&b->bodies, "main", NULL, "TOKYO (Reuters) - A strong quake\nhit.\n\nMore.");
    story_t *c = s_story ();
    story_add_text (&c->headlines, "main", NULL, "Quake hits coast");
    story_add_text (&c->bodies, "main", NULL, "TOKYO (Reuters) - A strong quake hit.\n\nMore.");
    assert_int_equal (normalize_story (n, b), 0);
    assert_int_equal (normalize_story (n, c), 0);
    assert_string_equal (b->uri, c->uri);
    //  No date of its own: the arrival day is not part of a content hash,
    //  and a tag: URI needs a date (RFC 4151): a URN, provider and hash
    assert_true (str_starts (b->uri, "urn:copydesk:test:"));
    assert_int_equal (strlen (b->uri), strlen ("urn:copydesk:test:") + 64);
    for (const char *p = b->uri + strlen ("urn:copydesk:test:"); *p; p++)
        assert_true (isxdigit ((unsigned char) *p) && !isupper ((unsigned char) *p));
    //  The same text arriving another day: the same uri
    story_t *again = s_story ();
    str_set (&again->ingest.received, "2021-01-02T03:04:05Z");
    story_add_text (&again->headlines, "main", NULL, "Quake hits coast");
    story_add_text (&again->bodies, "main", NULL, "TOKYO (Reuters) - A strong quake hit.\n\nMore.");
    assert_int_equal (normalize_story (n, again), 0);
    assert_string_equal (again->uri, b->uri);
    story_destroy (&again);
    //  A slug with no date at all (not even the arrival): a URN too, the
    //  provider reduced to characters a URN may hold
    story_t *undated = s_story ();
    str_set (&undated->ingest.provider, "AP Wire/Espa\xc3\xb1ol");
    str_set (&undated->ingest.received, NULL);
    str_set (&undated->slugline, "BC-Quake Update");
    story_add_text (&undated->headlines, "main", NULL, "Quake hits coast");
    assert_int_equal (normalize_story (n, undated), 0);
    assert_string_equal (undated->uri, "urn:copydesk:ap-wire-espa-ol:slug:bc-quake-update");
    s_assert_idempotent (n, undated);
    story_destroy (&undated);

    //  NewsML 1.2 identifiers lose their revision suffix
    story_t *d = s_story ();
    str_set (&d->uri, "urn:newsml:afp.com:20141126T100000Z:TX-PAR-FOO12:3");
    str_set (&d->version, "3");
    assert_int_equal (normalize_story (n, d), 0);
    assert_string_equal (d->uri, "urn:newsml:afp.com:20141126T100000Z:TX-PAR-FOO12");
    assert_true (s_has_warning (d, "uri-version-stripped"));

    //  A draft without uri travels (story_decode_draft) and gets one
    story_t *draft = s_story ();
    story_add_text (&draft->headlines, "main", NULL, "Draft");
    buf_t buf;
    buf_init (&buf);
    story_encode (draft, &buf);
    assert_null (story_decode ((const uint8_t *) buf.data, buf.size, NULL, 0));
    story_t *decoded = story_decode_draft ((const uint8_t *) buf.data, buf.size, NULL, 0);
    assert_non_null (decoded);
    assert_int_equal (normalize_story (n, decoded), 0);
    assert_non_null (decoded->uri);
    story_destroy (&decoded);
    story_destroy (&draft);
    buf_free (&buf);

    //  Nothing to derive from: refused with a reason
    story_t *e = story_new ();
    assert_int_equal (normalize_story (n, e), -1);
    assert_true (strlen (normalize_reason (n)) > 0);

    story_destroy (&a);
    story_destroy (&b);
    story_destroy (&c);
    story_destroy (&d);
    story_destroy (&e);
    normalize_destroy (&n);
}

static void
test_headline_dateline_byline (void **state)
{
    normalize_t *n = s_normalizer ();
    story_t *s = s_story ();
    str_set (&s->uri, "urn:test:dl");
    story_add_text (&s->bodies, "main", NULL,
                    "By Helen Maguire\n\n"
                    "PARIS, May 1 (Reuters) - French unions marched on Tuesday. Police said "
                    "thousands took part.");
    assert_int_equal (normalize_story (n, s), 0);
    assert_true (s_has_warning (s, "no-headline"));
    assert_string_equal (s->by, "By Helen Maguire");
    //  The dateline after a byline paragraph
    assert_string_equal (s->dateline.text, "PARIS, May 1 (Reuters) -");
    assert_string_equal (story_headline (s), "By Helen Maguire");
    story_destroy (&s);

    s = s_story ();
    str_set (&s->uri, "urn:test:dl2");
    story_add_text (&s->bodies, "main", NULL,
                    "PARIS, May 1 (Reuters) - French unions marched on Tuesday across the "
                    "country. Police said thousands took part.\n\nMore text.");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (s->dateline.text, "PARIS, May 1 (Reuters) -");
    assert_string_equal (s->dateline.place, "PARIS");
    assert_string_equal (s->dateline.date, "May 1");
    assert_string_equal (s->dateline.source, "Reuters");
    assert_string_equal (s->located, "PARIS");
    //  Headline from the first sentence, without the dateline; body untouched
    assert_string_equal (story_headline (s), "French unions marched on Tuesday across the country.");
    assert_true (str_starts (story_body (s), "PARIS, May 1 (Reuters) - French"));
    s_assert_idempotent (n, s);
    story_destroy (&s);

    //  A headline taken from a body that holds markup is cleaned like any
    s = s_story ();
    str_set (&s->uri, "urn:test:dl-markup");
    story_add_text (&s->bodies, "preformatted", NULL,
                    "Results for <a href=\"http://x\">more</a>.</p> Then more text here.");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (story_headline (s), "Results for more. Then more text here.");
    s_assert_idempotent (n, s);
    story_destroy (&s);

    //  Slugline, then description come first in the fallback chain
    s = s_story ();
    str_set (&s->uri, "urn:test:dl3");
    story_add_text (&s->descriptions, "summary", NULL, "A summary. With two sentences.");
    story_add_text (&s->bodies, "main", NULL, "Body text here that is long enough. Second.");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (story_headline (s), "A summary. With two sentences.");
    story_destroy (&s);
    s = s_story ();
    str_set (&s->uri, "urn:test:dl4");
    str_set (&s->slugline, "Germany-politics");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (story_headline (s), "Germany-politics");
    story_destroy (&s);

    //  A dateline the format gave as one string gets its parts
    s = s_story ();
    str_set (&s->uri, "urn:test:dl5");
    str_set (&s->dateline.text, "Ouagadougou, Dec 20, 2017 (AFP) -");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (s->dateline.place, "Ouagadougou");
    assert_string_equal (s->dateline.date, "Dec 20, 2017");
    assert_string_equal (s->dateline.source, "AFP");
    assert_string_equal (s->located, "Ouagadougou");
    story_destroy (&s);
    normalize_destroy (&n);
}

static void
test_dateline_parse (void **state)
{
    struct {
        const char *text;
        const char *dateline, *place, *date, *source;
    } cases [] = {
        { "SALVADOR, Feb 26 - Showers continued", "SALVADOR, Feb 26 -", "SALVADOR", "Feb 26", NULL },
        { "PARIS, May 1 (Reuters) - French", "PARIS, May 1 (Reuters) -", "PARIS", "May 1", "Reuters" },
        { "Berlin (dpa) - Negotiations", "Berlin (dpa) -", "Berlin", NULL, "dpa" },
        { "ATLANTA (AP) _ Luol Deng scored", "ATLANTA (AP) _", "ATLANTA", NULL, "AP" },
        { "SPRINGFIELD, Ill. (AP) -- The", "SPRINGFIELD, Ill. (AP) --", "SPRINGFIELD", NULL, "AP" },
        { "SAO PAULO, Feb. 1, 2017 /PRNewswire-AsiaNet/ -- Brazil", 
          "SAO PAULO, Feb. 1, 2017 /PRNewswire-AsiaNet/ --", "SAO PAULO", "Feb. 1, 2017",
          "PRNewswire-AsiaNet" },
        { "(CNN) -- Police said", "(CNN) --", NULL, NULL, "CNN" },
        { "WASHINGTON (AP) \xE2\x80\x94 The Senate", "WASHINGTON (AP) \xE2\x80\x94", "WASHINGTON",
          NULL, "AP" },
        { "RIO DE JANEIRO - Brazil's", "RIO DE JANEIRO -", "RIO DE JANEIRO", NULL, NULL },
        { "Paris, 21 jan 2019 (AFP) - Le", "Paris, 21 jan 2019 (AFP) -", "Paris", "21 jan 2019", "AFP" },
        { "SEOUL, Nov 26 AFP - Samsung has", "SEOUL, Nov 26 AFP -", "SEOUL", "Nov 26", "AFP" },
        { "Tegucigalpa, Jan 2 (EFE).- Test body.", "Tegucigalpa, Jan 2 (EFE).-", "Tegucigalpa",
          "Jan 2", "EFE" },
        { NULL, NULL, NULL, NULL, NULL }
    };
    for (int i = 0; cases [i].text; i++) {
        dateline_t d;
        if (dateline_parse (cases [i].text, true, &d) != 0)
            fail_msg ("no dateline in \"%s\"", cases [i].text);
        assert_string_equal (d.text, cases [i].dateline);
        if (cases [i].place)
            assert_string_equal (d.place, cases [i].place);
        else
            assert_null (d.place);
        if (cases [i].date)
            assert_string_equal (d.date, cases [i].date);
        else
            assert_null (d.date);
        if (cases [i].source)
            assert_string_equal (d.source, cases [i].source);
        else
            assert_null (d.source);
        dateline_clear (&d);
    }
    //  Not datelines
    const char *not_datelines [] = {
        "The minister said - in a statement - that",
        "Meanwhile - nothing happened",
        "Shares rose 5 pct - the most since May",
        "In a statement issued today, the company said that profits had fallen sharply - to the lowest",
        "",
        NULL
    };
    for (int i = 0; not_datelines [i]; i++) {
        dateline_t d;
        if (dateline_parse (not_datelines [i], true, &d) == 0)
            fail_msg ("false dateline \"%s\" in \"%s\"", d.text, not_datelines [i]);
    }
    char *by = byline_find ("By CHARLES ODUM=\n\nATLANTA (AP) _ text");
    assert_string_equal (by, "By CHARLES ODUM");
    free (by);
    assert_null (byline_find ("By Monday, the river had risen two metres above its level."));
    assert_null (byline_find ("Nothing here.\n\nBy the way"));
}

static void
test_signals (void **state)
{
    normalize_t *n = s_normalizer ();
    story_t *s = s_story ();
    str_set (&s->uri, "urn:test:sig");
    story_add_text (&s->headlines, "main", NULL, "CORRECTED-UPDATE 1-Oil prices fall");
    story_add_link (s, "previous-version", "urn:test:sig", "1");
    assert_int_equal (normalize_story (n, s), 0);
    assert_true (strv_contains (&s->signals, "correction"));
    assert_true (strv_contains (&s->signals, "update"));
    assert_true (strv_contains (&s->signals, "raw:CORRECTED"));
    assert_true (strv_contains (&s->signals, "raw:UPDATE 1"));
    assert_string_equal (story_headline (s), "CORRECTED-UPDATE 1-Oil prices fall");
    bool corrects = false;
    for (size_t i = 0; i < s->links.len; i++)
        if (strcmp (s->links.items [i].rel, "corrects") == 0)
            corrects = true;
    assert_true (corrects);
    s_assert_idempotent (n, s);
    story_destroy (&s);

    s = s_story ();
    str_set (&s->uri, "urn:test:sig2");
    str_set (&s->slugline, "BC-BKN--Heat-Hawks");
    str_set (&s->version, "1stLd-Writethru");
    str_set (&s->ednote, "Eds: UPDATES with quotes");
    story_add_text (&s->headlines, "main", NULL, "REFILE-WRAPUP 2-Markets rally");
    assert_int_equal (normalize_story (n, s), 0);
    assert_true (strv_contains (&s->signals, "writethru"));
    assert_true (strv_contains (&s->signals, "raw:1stLd-Writethru"));
    assert_true (strv_contains (&s->signals, "update"));
    assert_true (strv_contains (&s->signals, "refile"));
    assert_true (strv_contains (&s->signals, "raw:WRAPUP 2"));
    story_destroy (&s);

    //  A raw marker cut before a space can end on junk that cleaning
    //  removes only at the end of a field (fuzz_normalize): cleaned at
    //  once, so a second pass neither changes it nor adds another
    s = s_story ();
    str_set (&s->uri, "urn:test:sig3");
    str_set (&s->slugline, "US-Rates-1stLd-Writethru^M\x07 extra");
    assert_int_equal (normalize_story (n, s), 0);
    assert_true (strv_contains (&s->signals, "writethru"));
    assert_true (strv_contains (&s->signals, "raw:US-Rates-1stLd-Writethru"));
    assert_false (strv_contains (&s->signals, "raw:US-Rates-1stLd-Writethru^M"));
    s_assert_idempotent (n, s);
    story_destroy (&s);

    //  Kills cancel
    s = s_story ();
    str_set (&s->uri, "urn:test:kill");
    str_set (&s->pubstatus, "Usable");
    story_add_text (&s->headlines, "main", NULL, "KILL - Story withdrawn");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (s->pubstatus, "canceled");
    assert_true (strv_contains (&s->signals, "kill"));
    story_destroy (&s);

    s = s_story ();
    str_set (&s->uri, "urn:test:status");
    str_set (&s->pubstatus, "OPEN");
    s->urgency = 12;
    s->priority = -3;
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (s->pubstatus, "usable");
    assert_true (s_has_warning (s, "pubstatus-unknown:OPEN"));
    assert_int_equal (s->urgency, 0);
    assert_int_equal (s->priority, 0);
    assert_true (s_has_warning (s, "bad-urgency:12"));
    story_destroy (&s);
    normalize_destroy (&n);
}

static void
test_language (void **state)
{
    normalize_t *n = s_normalizer ();
    story_t *s = s_story ();
    str_set (&s->uri, "urn:test:lang");
    str_set (&s->language, "EN_us");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (s->language, "en-US");
    story_destroy (&s);

    s = s_story ();
    str_set (&s->uri, "urn:test:lang2");
    story_add_text (&s->headlines, "main", NULL, "Regierung einigt sich auf Haushalt");
    story_add_text (&s->bodies, "main", NULL,
                    "Berlin (dpa) - Die Bundesregierung hat sich nach langen Verhandlungen auf "
                    "den Haushalt für das kommende Jahr geeinigt. Das teilte ein Sprecher des "
                    "Finanzministeriums am Mittwoch mit, der auch die Ausgaben für die Bahn "
                    "nannte.");
    assert_int_equal (normalize_story (n, s), 0);
    assert_string_equal (s->language, "de");
    assert_true (s_has_warning (s, "language-detected"));
    s_assert_idempotent (n, s);
    story_destroy (&s);

    //  A results table is not prose: no language from team names
    s = s_story ();
    str_set (&s->uri, "urn:test:lang4");
    story_add_text (&s->headlines, "main", NULL, "Baseball Expanded Standings");
    story_add_text (&s->bodies, "preformatted", NULL,
                    "AMERICAN LEAGUE\nEast Division\nBaltimore 23 13 .639 Boston 24 14 .632\n"
                    "Toronto 20 19 .513 New York 17 19 .472 Tampa Bay 16 19 .457\n"
                    "Central Division\nChicago 24 14 .632 Cleveland 19 15 .559 Kansas City 19 18");
    assert_int_equal (normalize_story (n, s), 0);
    assert_null (s->language);
    story_destroy (&s);

    //  Too short to tell: left unset
    s = s_story ();
    str_set (&s->uri, "urn:test:lang3");
    story_add_text (&s->headlines, "main", NULL, "Ok");
    assert_int_equal (normalize_story (n, s), 0);
    assert_null (s->language);
    story_destroy (&s);

    //  Detection by script and by language (sentences written for the test)
    lang_t *lang = lang_new (NULL);
    struct {
        const char *code, *text;
    } samples [] = {
        { "ru", "Правительство России объявило в среду о новых мерах поддержки экономики страны." },
        { "uk", "Уряд України оголосив у середу про нові заходи підтримки економіки країни." },
        { "ar", "أعلنت الحكومة يوم الأربعاء عن إجراءات جديدة لدعم الاقتصاد الوطني في البلاد." },
        { "ja", "政府は水曜日、経済を支援するための新たな措置を発表した。" },
        { "zh", "政府星期三宣布了支持经济的新措施。" },
        { "el", "Η κυβέρνηση ανακοίνωσε την Τετάρτη νέα μέτρα για τη στήριξη της οικονομίας." },
        { "fr", "Le gouvernement a annoncé mercredi de nouvelles mesures pour soutenir l'économie "
                "du pays, qui a été durement touchée par la hausse des prix de l'énergie." },
        { "es", "El gobierno anunció el miércoles nuevas medidas para apoyar la economía del país, "
                "que ha sido muy afectada por la subida de los precios de la energía." },
        { "pt", "O governo anunciou na quarta-feira novas medidas para apoiar a economia do país, "
                "que foi muito afetada pela alta dos preços da energia." },
        { "it", "Il governo ha annunciato mercoledì nuove misure per sostenere l'economia del "
                "paese, che è stata colpita duramente dall'aumento dei prezzi dell'energia." },
        { "nl", "De regering heeft woensdag nieuwe maatregelen aangekondigd om de economie van "
                "het land te steunen, die zwaar is getroffen door de hogere energieprijzen." },
        { "sv", "Regeringen meddelade på onsdagen nya åtgärder för att stödja landets ekonomi, "
                "som har drabbats hårt av de stigande energipriserna under året." },
        { "en", "The government announced new measures on Wednesday to support the economy of "
                "the country, which has been hit hard by the rise in energy prices." },
        { NULL, NULL }
    };
    for (int i = 0; samples [i].code; i++) {
        const char *code = lang_detect (lang, samples [i].text);
        if (!code || strcmp (code, samples [i].code) != 0)
            fail_msg ("language of %s sample: %s", samples [i].code, code ? code : "(unsure)");
    }
    assert_null (lang_detect (lang, "Short text."));
    assert_null (lang_detect (lang, "12 34 56 78 90 -- 11:30"));
    //  One function word repeated is not a language: a price table whose
    //  only listed word is the Italian "per" (the function-word shortcut
    //  needs many different words)
    buf_t table;
    buf_init (&table);
    for (int i = 0; i < 16; i++)
        buf_puts (&table, "SOYOIL Dutch fob guilders per 100 kilos May 65.50 Jun 66.00 slrs\n");
    const char *code = lang_detect (lang, table.data);
    if (code && strcmp (code, "it") == 0)
        fail_msg ("a price table read as Italian");
    buf_free (&table);
    //  Long English prose decided by its function words alone
    assert_string_equal (lang_detect (lang,
        "The minister said on Tuesday that the government would not change its plans for the "
        "budget, and that it was confident the economy would grow by more than two percent in "
        "the coming year, which was in line with the forecasts of the central bank."), "en");
    lang_destroy (&lang);

    char *tag = lang_tag_clean ("ger");
    assert_string_equal (tag, "de");
    free (tag);
    tag = lang_tag_clean ("zh-hant-tw");
    assert_string_equal (tag, "zh-Hant-TW");
    free (tag);
    tag = lang_tag_clean ("English");
    assert_string_equal (tag, "en");
    free (tag);
    assert_null (lang_tag_clean ("1234"));
    assert_null (lang_tag_clean ("  "));
    normalize_destroy (&n);
}

//  --------------------------------------------------------------------------
//  Every shared sample through ingest + normalize

typedef struct {
    normalize_t *normalizer;
    lang_t *lang;
    int stories;
    int failed;
    int declared;               //  Stories whose source declared a language
    int decided;                //  ... for which detection gave an answer
    int correct;                //  ... the declared primary subtag
} sample_run_t;

static void
s_sample_emit (void *arg, story_t **story_p)
{
    sample_run_t *run = (sample_run_t *) arg;
    story_t *story = *story_p;
    *story_p = NULL;
    if (normalize_story (run->normalizer, story) != 0) {
        run->failed++;
        story_destroy (&story);
        return;
    }
    run->stories++;
    s_check_story (story);
    s_assert_idempotent (run->normalizer, story);
    //  Language accuracy: detect as if the source had not said
    if (story->language && !s_has_warning (story, "language-detected")) {
        char primary [8];
        snprintf (primary, sizeof primary, "%s", story->language);
        char *dash = strchr (primary, '-');
        if (dash)
            *dash = 0;
        if (strcmp (primary, "nb") == 0 || strcmp (primary, "nn") == 0)
            strcpy (primary, "no");
        buf_t sample;
        buf_init (&sample);
        if (story_headline (story)) {
            buf_puts (&sample, story_headline (story));
            buf_puts (&sample, ".\n\n");
        }
        if (story_body (story))
            buf_puts (&sample, story_body (story));
        if (sample.data) {
            run->declared++;
            const char *code = lang_detect (run->lang, sample.data);
            if (code) {
                run->decided++;
                if (strcmp (code, primary) == 0)
                    run->correct++;
                else
                    print_message ("language: %s declared %s, detected %s\n",
                                   story->uri, primary, code);
            }
        }
        buf_free (&sample);
    }
    story_destroy (&story);
}

static void
s_run_file (const char *path, const char *name, const uint8_t *data, size_t size, void *arg)
{
    (void) name;
    sample_run_t *run = (sample_run_t *) arg;
    document_t *doc = document_new ("test", path, data, size);
    str_set (&doc->received, "2020-05-31T12:00:00Z");
    ingest_result_t result;
    ingest_document (doc, s_sample_emit, NULL, run, &result);
    document_destroy (&doc);
}

static void
test_samples (void **state)
{
    sample_run_t run = { .normalizer = s_normalizer (), .lang = lang_new (NULL) };
    int files = collect_each_sample (s_run_file, &run);
    print_message ("samples: %d files, %d stories normalized, %d refused; language: "
                   "%d declared, %d decided, %d correct\n",
                   files, run.stories, run.failed, run.declared, run.decided, run.correct);
    assert_true (files >= 100);
    assert_true (run.stories > 0);
    //  When detection answers, it is right
    if (run.decided >= 10)
        assert_true (run.correct * 100 >= run.decided * 90);
    normalize_destroy (&run.normalizer);
    lang_destroy (&run.lang);
}

//  One Reuters file: 1,000 English stories, their dates and datelines
static void
test_reuters (void **state)
{
    uint8_t *data;
    size_t size;
    collect_read_shared ("data/reuters21578/reut2-000.sgm", &data, &size);
    sample_run_t run = { .normalizer = s_normalizer (), .lang = lang_new (NULL) };
    int64_t start = time_mono_usec ();
    s_run_file ("reut2-000.sgm", "reut2-000.sgm", data, size, &run);
    int64_t usec = time_mono_usec () - start;
    print_message ("reuters: %d stories (with checks and idempotency passes) in %.2f s; "
                   "language: %d decided of %d, %d correct\n",
                   run.stories, usec / 1e6, run.decided, run.declared, run.correct);
    assert_true (run.stories >= 900);
    normalize_destroy (&run.normalizer);
    lang_destroy (&run.lang);
    free (data);
}

//  --------------------------------------------------------------------------
//  The stage in a real pipeline: broker, normalize worker, a producer and
//  the tap. Drafts without uri are normalized and published under
//  normalized.<source>; undecodable and unusable records are dead-lettered.

typedef struct {
    int stories;                //  normalized.* events with a good story
    int dead;                   //  dead.normalize events
    bool seen [64];             //  By the number in the headline
} tap_heard_t;

static void
s_tap_listen (zsock_t *tap, int want_stories, int want_dead, int timeout, tap_heard_t *heard)
{
    int64_t deadline = zclock_mono () + timeout;
    zpoller_t *poller = zpoller_new (tap, NULL);
    while (zclock_mono () < deadline
       && (heard->stories < want_stories || heard->dead < want_dead)) {
        if (!zpoller_wait (poller, (int) (deadline - zclock_mono ())))
            break;
        zmsg_t *msg = zmsg_recv (tap);
        if (!msg)
            break;
        char *topic = zmsg_popstr (msg);
        zframe_t *payload = zmsg_pop (msg);
        if (topic && str_starts (topic, "dead.normalize"))
            heard->dead++;
        else
        if (topic && payload && strcmp (topic, "normalized.reuters") == 0) {
            //  A finished record: the strict decoder takes it
            story_t *story = story_decode (zframe_data (payload), zframe_size (payload), NULL, 0);
            assert_non_null (story);
            assert_true (str_starts (story->uri, "tag:reuters,2020-05-31:"));
            assert_string_equal (story->located, "PARIS");
            assert_string_equal (story->versioncreated, "2020-05-31T10:00:00Z");
            const char *headline = story_headline (story);
            int n = headline ? atoi (headline + strlen ("Story ")) : -1;
            if (n >= 0 && n < 64 && !heard->seen [n]) {
                heard->seen [n] = true;
                heard->stories++;
            }
            story_destroy (&story);
        }
        zstr_free (&topic);
        zframe_destroy (&payload);
        zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
}

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

static void
test_stage (void **state)
{
    char home [] = "/tmp/copydesk-test-normalize-stage-XXXXXX";
    assert_non_null (mkdtemp (home));
    config_t *config = config_load (home);
    assert_non_null (config);
    config_set (config, "broker/heartbeat", "200");
    zactor_t *broker = zactor_new (broker_actor, config);
    zstr_send (broker, "ENDPOINT");
    char *endpoint = zstr_recv (broker);
    zstr_send (broker, "TAP");
    char *tap_endpoint = zstr_recv (broker);
    assert_true (!str_empty (endpoint) && !str_empty (tap_endpoint));
    zsock_t *tap = zsock_new_sub (tap_endpoint, "normalized.");
    zsock_set_subscribe (tap, "dead.");

    void *stage_state = normalize_stage ()->create (config);
    assert_non_null (stage_state);
    worker_args_t args = { normalize_stage (), stage_state };
    worker_options_init (&args.options, config);
    args.options.endpoint = endpoint;
    zactor_t *worker = zactor_new (worker_actor, &args);
    publisher_t *publisher = publisher_new (endpoint, 0);
    assert_non_null (publisher);

    //  Drafts as a parser of a format without ids sends them: no uri
    const int count = 20;
    buf_t records [20];
    for (int i = 0; i < count; i++) {
        story_t *draft = story_new ();
        str_set (&draft->ingest.provider, "reuters");
        str_set (&draft->ingest.received, "2020-05-31T12:00:00Z");
        str_set (&draft->versioncreated, "31 May 2020 10:00 GMT");
        char headline [32];
        snprintf (headline, sizeof headline, "Story %d", i);
        story_add_text (&draft->headlines, "main", NULL, headline);
        story_add_text (&draft->bodies, "main", NULL,
                        "PARIS, May 31 (Reuters) - Something\r\nhappened.\x03");
        buf_init (&records [i]);
        story_encode (draft, &records [i]);
        story_destroy (&draft);
    }
    //  Until the SUB socket has joined, events are lost: resend story 0
    tap_heard_t heard = { 0 };
    for (int attempt = 0; attempt < 50 && !heard.seen [0]; attempt++) {
        assert_true (publisher_send (publisher, STAGE_NORMALIZE, NULL, records [0].data,
                                     records [0].size, NULL) > 0);
        s_tap_listen (tap, 1, 0, 200, &heard);
    }
    assert_true (heard.seen [0]);
    heard = (tap_heard_t) { 0 };
    for (int i = 0; i < count; i++)
        assert_true (publisher_send (publisher, STAGE_NORMALIZE, NULL, records [i].data,
                                     records [i].size, NULL) > 0);
    //  A map with nothing to make a story of, and a story record with a
    //  field of the wrong type (the broker itself refuses what is not
    //  msgpack at all)
    const uint8_t empty [] = { 0x81, 0xA1, 'x', 0x01 };      //  {"x": 1}
    const uint8_t wrong [] = { 0x81, 0xA3, 'u', 'r', 'i', 0x01 };    //  {"uri": 1}
    assert_true (publisher_send (publisher, STAGE_NORMALIZE, NULL, empty, sizeof empty, NULL) > 0);
    assert_true (publisher_send (publisher, STAGE_NORMALIZE, NULL, wrong, sizeof wrong, NULL) > 0);
    assert_int_equal (publisher_flush (publisher, 10000), 0);
    s_tap_listen (tap, count, 2, 10000, &heard);
    assert_int_equal (heard.stories, count);
    assert_int_equal (heard.dead, 2);

    publisher_destroy (&publisher);
    zactor_destroy (&worker);
    normalize_stage ()->destroy (&stage_state);
    zsock_destroy (&tap);
    zactor_destroy (&broker);
    for (int i = 0; i < count; i++)
        buf_free (&records [i]);
    zstr_free (&endpoint);
    zstr_free (&tap_endpoint);
    config_destroy (&config);
    assert_int_equal (nftw (home, s_remove, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_strings),
        cmocka_unit_test (test_html_body),
        cmocka_unit_test (test_hostile_fields),
        cmocka_unit_test (test_dates),
        cmocka_unit_test (test_identity),
        cmocka_unit_test (test_headline_dateline_byline),
        cmocka_unit_test (test_dateline_parse),
        cmocka_unit_test (test_signals),
        cmocka_unit_test (test_language),
        cmocka_unit_test (test_samples),
        cmocka_unit_test (test_reuters),
        cmocka_unit_test (test_stage),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
