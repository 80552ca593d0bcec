//  SPDX-License-Identifier: MIT
//  NITF parser: every shared sample, real values per file, the date.issue
//  variants, namespaces, ids, bodies, and hostile XML

#include "xml_checks.h"
#include "ingest/xmlstory.h"
#include <setjmp.h>
#include <cmocka.h>

#define FOLDER "nitf"

static story_t *
s_one (collect_t *c, const char *name)
{
    int rc = check_sample (c, FOLDER, name, "nitf");
    if (rc != 0)
        fail_msg ("%s: %s", name, c->result.error);
    assert_int_equal (c->stories.len, 1);
    return c->stories.items [0];
}

static story_t *
s_parse (collect_t *c, const char *xml)
{
    int rc = collect_bytes (c, "test.xml", "nitf", xml, strlen (xml));
    if (rc != 0)
        fail_msg ("%s", c->result.error);
    assert_int_equal (c->stories.len, 1);
    return c->stories.items [0];
}

//  --------------------------------------------------------------------------

static void
test_every_sample (void **state)
{
    strv_t files = check_sample_files (FOLDER);
    assert_true (files.len >= 15);
    for (size_t i = 0; i < files.len; i++) {
        collect_t c = { 0 };
        //  Detected by content, not by name
        char *relative = xasprintf ("samples/%s/%s", FOLDER, files.items [i]);
        int rc = collect_shared (&c, relative, NULL);
        if (rc != 0)
            fail_msg ("%s: %s", files.items [i], c.result.error);
        assert_string_equal (c.result.format, "nitf");
        assert_int_equal (c.stories.len, 1);
        story_t *s = c.stories.items [0];
        assert_non_null (story_headline (s));
        assert_non_null (story_body (s));
        assert_non_null (s->versioncreated);
        assert_string_equal (story_rawdate (s, "versioncreated"), s->versioncreated);
        assert_non_null (s->ingest.sha256);
        assert_non_null (s->ingest.charset);
        assert_int_equal (s->ingest.index, 0);
        if (!collect_story_clean (s))
            fail_msg ("%s: control characters or invalid UTF-8", files.items [i]);
        //  Only AP's doc-id comes without an id-string: derived
        assert_non_null (s->uri);
        if (check_warning (s, "uri-derived"))
            assert_true (str_starts (s->uri, "tag:ap,"));
        free (relative);
        collect_reset (&c);
    }
    strv_free (&files);
}

static void
test_aap (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "sdcore__aap.xml");
    assert_string_equal (s->uri, "AAP.115314987.5417374");
    assert_string_equal (collect_altid (s, "nitf-doc-id"), "AAP.115314987.5417374");
    assert_string_equal (collect_altid (s, "anpa-sequence"), "1747");
    assert_string_equal (story_headline (s), "The main stories on today's 1900 ABC TV news");
    assert_string_equal (check_description (s, "summary"), "The main stories on today's 1900 ABC TV news");
    assert_string_equal (s->by, "By John Doe");
    assert_string_equal (s->located, "Sydney");
    assert_string_equal (s->slugline, "Monitor 1900 ABC News");
    assert_int_equal (s->urgency, 5);
    assert_string_equal (s->versioncreated, "20131020T192751+1100");
    assert_string_equal (story_rawdate (s, "expires"), "20131119T192751+1100");
    assert_null (s->embargoed);         //  release == issue: no embargo
    assert_string_equal (s->copyrightholder, "Australian Associated Press");
    assert_non_null (check_concept (&s->subjects, "subj:02003001"));
    assert_string_equal (check_concept (&s->subjects, "subj:02003002")->name, "investigation");
    assert_non_null (check_concept (&s->subjects, "anpa:a"));
    const char *body = story_body (s);
    assert_true (str_starts (body, "The main stories on ABC television's 1900 news:\n\n1A) More extreme"));
    //  <br/> hard wraps joined, empty <p/> dropped, no newline inside a paragraph
    assert_non_null (strstr (body, "the fire situation is likely"));
    assert_null (strstr (body, "\n\n\n"));
    assert_true (str_ends (body, "AAP RTV ar"));
    assert_non_null (check_body (s, "main", "text/html"));
    assert_string_equal (story_extra (s, "nitf-meta:anpa-wordcount"), "0349");
    collect_reset (&c);
}

static void
test_ap_without_id (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "sdcore__ap-nitf.xml");
    //  doc-id regsrc="AP" only: a stable uri from regsrc, day and content
    assert_true (str_starts (s->uri, "tag:ap,2015-12-10:"));
    assert_int_equal (strlen (s->uri), strlen ("tag:ap,2015-12-10:") + 64);
    assert_true (check_warning (s, "uri-derived"));
    char *first = xstrdup (s->uri);
    collect_reset (&c);
    s = s_one (&c, "sdcore__ap-nitf.xml");
    assert_string_equal (s->uri, first);
    free (first);
    assert_string_equal (story_headline (s), "Can trading pollution like stocks help fight climate change?");
    //  <byttl> joined with a comma, markup stripped
    assert_string_equal (s->by, "By BERNARD CONDON, AP Business Writer");
    assert_string_equal (s->located, "NEW YORK");
    assert_string_equal (s->versioncreated, "20151210T191044Z");
    assert_string_equal (s->ednote, "For global distribution");
    const story_concept_t *provider = check_named (&s->infosources, "The Associated Press");
    assert_non_null (provider);
    assert_string_equal (provider->role, "provider");
    //  The original headline repeated as hl2 is not a second sub-headline
    assert_null (check_headline (s, "sub"));
    assert_true (str_starts (story_body (s), "NEW YORK (AP) \xE2\x80\x94 The gas produced by hog manure"));
    collect_reset (&c);
}

static void
test_agate_tables (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "sdcore__ap_media_text_nitf.xml");
    //  Default namespace http://iptc.org/std/NITF/2006-10-18/
    assert_string_equal (story_headline (s), "BC-BBN--Top Ten");
    const char *pre = check_body (s, "preformatted", "text/plain");
    assert_non_null (pre);
    assert_null (check_body (s, "main", "text/plain"));
    //  The hl2 repeating the headline is dropped; columns are aligned
    assert_true (str_starts (pre, "BASEBALL'S TOP TEN\n"));
    assert_non_null (strstr (pre, "\nMcNeil NYM     72  271  37   95  .351\n"));
    assert_non_null (strstr (pre, "\n\nYelich, Milwaukee, 31; Alonso"));
    const char *html = check_body (s, "preformatted", "text/html");
    assert_non_null (strstr (html, "<tr><td>McNeil NYM</td><td>72</td>"));
    collect_reset (&c);

    s = s_one (&c, "sdcp__ap-table-nitf.xml");
    pre = check_body (s, "preformatted", "text/plain");
    assert_non_null (pre);
    assert_true (str_starts (pre, "THROUGH JULY 5\n\nAMERICAN LEAGUE\n\n"));
    assert_non_null (strstr (pre, "Brantley Hou      64  263   89  42  .338"));
    collect_reset (&c);

    //  <pre> line-ups keep their lines
    s = s_one (&c, "sdcore__pa2.xml");
    pre = check_body (s, "preformatted", "text/plain");
    assert_true (str_starts (pre, "International Match\nMexico v Panama\nMexico: Talavera"));
    assert_string_equal (s->uri, "T201510140143580001T");
    assert_string_equal (collect_altid (s, "nitf-du-key"), "580001T");
    collect_reset (&c);
}

static void
test_efe (void **state)
{
    collect_t c = { 0 };
    //  No XML declaration, baselang, management-status, EFE subject codes
    story_t *s = s_one (&c, "sdcore__efe_nitf.xml");
    assert_string_equal (s->uri, "22751909");
    assert_string_equal (s->language, "en-US");
    assert_string_equal (s->pubstatus, "usable");
    assert_string_equal (check_headline (s, "sub"), "HONDURAS GOVERNMENT");
    assert_string_equal (s->by, "gr/bp");
    assert_string_equal (s->copyrightholder, "Agencia EFE");
    assert_string_equal (check_concept (&s->subjects, "subj:11006005")->name, "Executive (government)");
    assert_non_null (check_concept (&s->subjects, "efe:F01001000"));
    assert_non_null (check_named (&s->places, "Tegucigalpa"));
    assert_non_null (check_concept (&s->places, "iso3166-1a3:HND"));
    assert_true (strv_contains (&s->keywords, "HONDURAS GOVERNMENT"));
    assert_string_equal (s->dateline.date, "20170102T222800+0000");
    assert_string_equal (check_description (s, "summary"), "Test Abstract");
    assert_string_equal (story_body (s), "Tegucigalpa, Jan 2 (EFE).- Test body.");
    collect_reset (&c);
}

static void
test_ntb_updates (void **state)
{
    collect_t c = { 0 };
    //  Declared iso-8859-1, bytes really Latin-1
    story_t *s = s_one (&c, "sdntb__nitf_test.xml");
    assert_string_equal (s->ingest.charset, "iso-8859-1");
    assert_string_equal (story_headline (s), "*En 41-\xC3\xA5rig mand, der onsdag blev anholdt og sat i forbindel");
    assert_true (str_starts (story_body (s), "K\xC3\xB8" "benhavn /ritzau/: En 41-\xC3\xA5rig mand"));
    //  regsrc qualifies the id-string; du-key gives version and update link
    assert_string_equal (s->uri, "urn:nitf:ritzau.dk:20160512:RTZ:8883:0");
    assert_string_equal (s->version, "04");
    assert_true (strv_contains (&s->signals, "update"));
    const story_link_t *link = check_link (s, "updates");
    assert_non_null (link);
    assert_string_equal (link->uri, "NU-FLASH-K");
    assert_string_equal (link->version, "3");
    assert_string_equal (s->slugline, "NU-FLASH-K");
    assert_int_equal (s->priority, 3);
    assert_string_equal (s->language, "no-NO");
    assert_string_equal (s->located, "Stockholm");
    assert_string_equal (s->versioncreated, "2016-05-12T00:05:13+02:00");
    assert_non_null (check_concept (&s->subjects, "subj:15054000"));
    assert_non_null (check_named (&s->genres, "Tabeller og resultater"));
    collect_reset (&c);

    //  Declared iso-8859-1, bytes really UTF-8: UTF-8 wins, with a warning
    s = s_one (&c, "sdcore__mapping_test.xml");
    assert_string_equal (s->ingest.charset, "utf-8");
    assert_true (check_warning (s, "charset-declared-ignored"));
    assert_string_equal (story_headline (s), "*En 41-\xC3\xA5rig mand, der onsdag blev anholdt og sat i forbindel");
    collect_reset (&c);
}

static void
test_fishing (void **state)
{
    collect_t c = { 0 };
    //  DOCTYPE with an external DTD that is never loaded
    story_t *s = s_one (&c, "sdcore__nitf-fishing.xml");
    assert_string_equal (s->uri, "iptc.321656141.b");
    assert_string_equal (s->pubstatus, "canceled");
    assert_true (strv_contains (&s->signals, "kill"));
    assert_string_equal (check_link (s, "replaces")->uri, "iptc.321656141.a");
    assert_string_equal (s->version, "1");
    assert_string_equal (collect_altid (s, "nitf-du-key"), "ongoing-winter-tide-updates");
    assert_int_equal (s->urgency, 3);
    //  Raw dates through, first revision-history as firstcreated, release
    //  later than issue as embargo
    assert_string_equal (s->versioncreated, "20020225T143000-0500");
    assert_string_equal (s->firstcreated, "20020220T090000-0500");
    assert_string_equal (s->embargoed, "20020226T093000-0500");
    assert_string_equal (story_rawdate (s, "embargoed"), "20020226T093000-0500");
    assert_string_equal (s->expires, "20120226T093000-0500");
    assert_string_equal (story_headline (s), "Weather and Tide Updates for Norfolk");
    assert_string_equal (check_headline (s, "sub"), "A sample, fictitious NITF article");
    assert_string_equal (s->by, "By Alan Karben, NITF Network News Online");
    assert_string_equal (s->dateline.text, "Newport News, VA");
    assert_string_equal (s->located, "Newport News");
    assert_non_null (strstr (s->ednote, "expanded format of this popular column"));
    assert_non_null (strstr (s->ednote, "created completely from scratch"));
    assert_string_equal (check_concept (&s->subjects, "subj:04001002")->name, "Fishing Industry");
    assert_non_null (check_named (&s->genres, "feature"));
    assert_non_null (check_named (&s->places, "Norfolk"));
    assert_non_null (check_concept (&s->places, "iso3166-1a2:US"));
    assert_non_null (check_concept (&s->places, "zipcodes.usps.gov:23602"));
    assert_non_null (check_concept (&s->organisations, "iptc.org:acm"));
    assert_true (strv_contains (&s->keywords, "tides"));
    assert_string_equal (s->copyrightholder, "International Press Telecommunications Council");
    const story_concept_t *source = check_named (&s->infosources, "iptc.org");
    assert_non_null (source);
    assert_string_equal (source->role, "source");
    //  hl2 is a sub-heading paragraph, block flattened, list items apart,
    //  media left out, tagline last
    const char *body = story_body (s);
    assert_true (str_starts (body, "The weather was superb today in Norfolk, Virginia."));
    assert_non_null (strstr (body, "\n\nThe Tides are High\n\nAs can be seen"));
    assert_non_null (strstr (body, "\n\nLocal Nooks\n\n"));
    assert_non_null (strstr (body, "\n\nFox Run: A bit more difficult"));
    assert_null (strstr (body, "captured on film"));
    assert_true (str_ends (body, "Stewart Klometers contributed to this article."));
    const char *html = check_body (s, "main", "text/html");
    assert_non_null (strstr (html, "<h2>The Tides are High</h2>"));
    assert_non_null (strstr (html, "<ul><li><em>Deer Creek:</em>"));
    collect_reset (&c);
}

static void
test_pa_entities (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "sdcore__pa1.xml");
    assert_string_equal (s->uri, "af1f7ad5-5619-49de-84cc-2e608538c77fSSS-3-1");
    assert_string_equal (story_headline (s), "PA SPORT TRIVIA (OCTOBER 14)");
    assert_int_equal (s->urgency, 4);
    assert_string_equal (s->pubstatus, "usable");
    assert_non_null (check_concept (&s->subjects, "subj:15054000"));
    //  person/org/location marked up inside the text
    assert_non_null (check_named (&s->people, "Mark Bosnich"));
    assert_non_null (check_named (&s->people, "Barry Manilow"));
    assert_non_null (check_concept (&s->organisations, "xmltag.org:SL/fa"));
    assert_non_null (check_named (&s->places, "Sri Lanka"));
    assert_true (str_starts (story_body (s), "ON THIS DAY IN SPORT\n\n1878: Two local teams"));
    assert_non_null (strstr (story_body (s), "Sky Sports 4 1130-1330 & 1500-1800"));
    collect_reset (&c);

    s = s_one (&c, "sdcore__pa4.xml");
    assert_string_equal (s->by, "By Ian Jones, Press Association");
    //  UTF-8 bytes under an iso-8859-1 label: the pound sign survives
    assert_non_null (strstr (story_body (s), "a reported \xC2\xA3" "25 million a year"));
    collect_reset (&c);
}

static void
test_ansa_and_aap_variants (void **state)
{
    collect_t c = { 0 };
    //  Numeric character references, comments inside elements, <lang/>
    story_t *s = s_one (&c, "sdbelga__ansa_belga.xml");
    assert_string_equal (story_headline (s), ">>>ANSA/Gazprom cuts Italy gas supplies by a third");
    assert_string_equal (s->uri, "XAM22192010243_AMZ_X083");
    assert_string_equal (s->language, "it");
    assert_string_equal (s->located, "ROME");
    assert_string_equal (s->versioncreated, "2022-07-11 18:33");
    assert_non_null (check_concept (&s->subjects, "subj:04000000"));
    assert_true (str_starts (story_body (s), "(ANSA) - ROME, JUL 11 - Russian energy giant Gazprom"));
    collect_reset (&c);

    s = s_one (&c, "sdcore__aap-finance.xml");
    assert_string_equal (s->uri, "AFP.121974877.6504909");
    assert_string_equal (s->versioncreated, "20141126T152703");
    assert_string_equal (s->copyrightholder, "Agence France Presse");
    assert_true (str_starts (story_body (s), "SEOUL, Nov 26 AFP - Samsung has announced the sale"));
    collect_reset (&c);

    s = s_one (&c, "sdcore__aap-sports.xml");
    assert_string_equal (s->slugline, "RL Roosters");
    assert_true (str_ends (story_body (s), "AAP RTV"));
    collect_reset (&c);

    s = s_one (&c, "sdcore__aap-1.xml");
    assert_string_equal (story_body (s), "Bogus");
    assert_string_equal (s->slugline, "F1 Test");
    assert_non_null (check_concept (&s->subjects, "subj:15039001"));
    collect_reset (&c);
}

//  --------------------------------------------------------------------------
//  Synthetic documents

static void
test_date_issue_variants (void **state)
{
    //  The seven shapes seen on the wire go through untouched (normalize
    //  parses them); nothing is guessed here
    const char *variants [] = {
        "20141126T152703", "20131020T192751+1100", "20151210T191044Z",
        "2016-05-12T00:05:13+02:00", "2016-04-13 04:52:21+00:00", "2022-07-11 18:33",
        "YYYYMMDD000000-HHMM"
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants [0]; i++) {
        char *xml = xasprintf ("<nitf><head><docdata><doc-id id-string=\"x%zu\"/>"
                               "<date.issue norm=\"%s\"/></docdata></head><body><body.head>"
                               "<hedline><hl1>Dates</hl1></hedline></body.head>"
                               "<body.content><p>Text.</p></body.content></body></nitf>",
                               i, variants [i]);
        collect_t c = { 0 };
        story_t *s = s_parse (&c, xml);
        assert_string_equal (s->versioncreated, variants [i]);
        assert_string_equal (story_rawdate (s, "versioncreated"), variants [i]);
        collect_reset (&c);
        free (xml);
    }
}

static void
test_namespaces (void **state)
{
    const char *forms [] = {
        "<nitf><head><title>T</title></head><body><body.content><p>Para one.</p></body.content></body></nitf>",
        "<nitf xmlns=\"http://iptc.org/std/NITF/2006-10-18/\"><head><title>T</title></head>"
        "<body><body.content><p>Para one.</p></body.content></body></nitf>",
        "<n:nitf xmlns:n=\"http://iptc.org/std/NITF/2006-10-18/\"><n:head><n:title>T</n:title></n:head>"
        "<n:body><n:body.content><n:p>Para one.</n:p></n:body.content></n:body></n:nitf>",
    };
    for (size_t i = 0; i < 3; i++) {
        collect_t c = { 0 };
        story_t *s = s_parse (&c, forms [i]);
        //  head/title stands in for a missing hl1
        assert_string_equal (story_headline (s), "T");
        assert_string_equal (story_body (s), "Para one.");
        collect_reset (&c);
    }
}

static void
test_statuses_and_ids (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_parse (&c,
        "<nitf><head><docdata management-status=\"embargoed\">"
        "<doc-id regsrc=\"reuters.com\" id-string=\"tag:reuters.com,2024:abc\"/>"
        "<date.issue norm=\"20240101T100000Z\"/><date.release norm=\"20240101T100000Z\"/>"
        "</docdata></head><body><body.head><hedline><hl1>Held</hl1></hedline></body.head>"
        "</body></nitf>");
    //  An id-string that is already a URI is kept as it is
    assert_string_equal (s->uri, "tag:reuters.com,2024:abc");
    assert_string_equal (s->pubstatus, "usable");
    assert_string_equal (s->embargoed, "20240101T100000Z");
    //  A headline alone is a story (alerts have no body)
    assert_null (story_body (s));
    collect_reset (&c);

    s = s_parse (&c,
        "<nitf><head><docdata management-status=\"bogus\"><doc-id id-string=\"1\"/></docdata>"
        "</head><body><body.content><p>Only text.</p></body.content></body></nitf>");
    assert_string_equal (s->pubstatus, "usable");
    assert_true (check_warning (s, "unknown-status:bogus"));
    assert_null (story_headline (s));
    collect_reset (&c);

    //  Internal DTD entities are expanded
    s = s_parse (&c,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE nitf [<!ENTITY agency \"Agence &amp; Co\">]>\n"
        "<nitf><body><body.head><hedline><hl1>By &agency;</hl1></hedline></body.head></body></nitf>");
    assert_string_equal (story_headline (s), "By Agence & Co");
    collect_reset (&c);
}

//  --------------------------------------------------------------------------
//  Hostile input

static void
test_not_well_formed (void **state)
{
    collect_t c = { 0 };
    const char *mismatch = "<nitf>\n<head>\n<title>x</title>\n</body>\n</nitf>";
    assert_int_equal (collect_bytes (&c, "bad.xml", "nitf", mismatch, strlen (mismatch)), -1);
    assert_non_null (strstr (c.result.error, "bad.xml"));
    assert_non_null (strstr (c.result.error, "line 4"));
    assert_int_equal (c.stories.len, 0);
    collect_reset (&c);

    const char *truncated = "<?xml version=\"1.0\"?>\n<nitf><head><title>Cut off";
    assert_int_equal (collect_bytes (&c, "cut.xml", "nitf", truncated, strlen (truncated)), -1);
    assert_non_null (strstr (c.result.error, "line"));
    collect_reset (&c);

    //  No recover mode for agency XML, even for an HTML entity
    const char *entity = "<nitf><head><title>Caf&eacute;</title></head></nitf>";
    assert_int_equal (collect_bytes (&c, "ent.xml", "nitf", entity, strlen (entity)), -1);
    collect_reset (&c);

    const char *empty = "<nitf><head/><body/></nitf>";
    assert_int_equal (collect_bytes (&c, "empty.xml", "nitf", empty, strlen (empty)), -1);
    assert_non_null (strstr (c.result.error, "neither a headline nor body"));
    collect_reset (&c);

    const char *other = "<html><body><p>x</p></body></html>";
    assert_int_equal (collect_bytes (&c, "page.xml", "nitf", other, strlen (other)), -1);
    assert_non_null (strstr (c.result.error, "not <nitf>"));
    collect_reset (&c);
}

static void
test_xxe_and_bombs (void **state)
{
    //  A local file with a marker; the document points an entity at it
    char path [] = "/tmp/copydesk-xxe-XXXXXX";
    int fd = mkstemp (path);
    assert_true (fd >= 0);
    const char *marker = "SECRET-MARKER-4711";
    assert_int_equal (write (fd, marker, strlen (marker)), (ssize_t) strlen (marker));
    close (fd);
    char *xml = xasprintf ("<?xml version=\"1.0\"?>\n<!DOCTYPE nitf [<!ENTITY xxe SYSTEM \"file://%s\">]>\n"
                           "<nitf><body><body.head><hedline><hl1>Leak &xxe; here</hl1></hedline>"
                           "</body.head><body.content><p>&xxe;</p></body.content></body></nitf>", path);
    collect_t c = { 0 };
    collect_bytes (&c, "xxe.xml", "nitf", xml, strlen (xml));
    for (size_t i = 0; i < c.stories.len; i++) {
        assert_false (check_anywhere (c.stories.items [i], marker));
        assert_true (check_warning (c.stories.items [i], "xml-external-entity-refused"));
    }
    assert_int_equal (c.stories.len, 1);
    collect_reset (&c);
    free (xml);
    unlink (path);

    //  Billion laughs fails fast with a reason
    buf_t b;
    buf_init (&b);
    buf_puts (&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE nitf [\n<!ENTITY l0 \"lol\">\n");
    for (int i = 1; i <= 10; i++) {
        buf_printf (&b, "<!ENTITY l%d \"", i);
        for (int j = 0; j < 10; j++)
            buf_printf (&b, "&l%d;", i - 1);
        buf_puts (&b, "\">\n");
    }
    buf_puts (&b, "]>\n<nitf><head><title>&l10;</title></head></nitf>");
    int64_t start = time_mono_usec ();
    assert_int_equal (collect_bytes (&c, "lol.xml", "nitf", b.data, b.size), -1);
    assert_true (time_mono_usec () - start < 5 * 1000000);
    assert_non_null (strstr (c.result.error, "line"));
    collect_reset (&c);

    //  100k-deep nesting
    buf_clear (&b);
    buf_puts (&b, "<nitf><body><body.content>");
    for (int i = 0; i < 100000; i++)
        buf_puts (&b, "<block>");
    assert_int_equal (collect_bytes (&c, "deep.xml", "nitf", b.data, b.size), -1);
    assert_non_null (strstr (c.result.error, "line 1"));
    collect_reset (&c);
    buf_free (&b);
}

static void
test_provider_variants (void **state)
{
    //  Seen in the wild: urgency in head, keywords as text, template
    //  dates, AP's <headline> for <hedline>, embed code sent as text
    collect_t c = { 0 };
    story_t *s = s_parse (&c,
        "<nitf><head><title>Slug-title</title><docdata management-status=\"usable\">"
        "<doc-id id-string=\"cp1\"/><date.expire norm=\"YYYYMMDD000000-HHMM\"/>"
        "<date.issue norm=\"20200703T165136-0400\"/><date.release norm=\"YYYYMMDD000000-HHMM\"/>"
        "<key-list><keyword>National</keyword><keyword>Justice</keyword></key-list></docdata>"
        "<revision-history norm=\"20200703T165136-0400\" comment=\"ADDS statement\"/>"
        "<urgency ed-urg=\"2\"/></head><body><body.head>"
        "<headline><hl1>Man faces charges</hl1></headline>"
        "<byline><person>Mia Rabson and Jordan Press</person><byttl>The Canadian Press</byttl></byline>"
        "<abstract><media><media-metadata name=\"TransRef\" value=\"J1\"/></media></abstract>"
        "</body.head><body.content><p>OTTAWA - A man is facing charges.</p>"
        "<p>&lt;div class=\"embed\"&gt;&lt;/div&gt;&lt;script src=\"https://x/embed.js\"&gt;&lt;/script&gt;</p>"
        "<p>Last paragraph.</p></body.content></body></nitf>");
    assert_int_equal (s->urgency, 2);
    assert_true (strv_contains (&s->keywords, "Justice"));
    assert_string_equal (story_headline (s), "Man faces charges");
    assert_string_equal (s->by, "Mia Rabson and Jordan Press, The Canadian Press");
    assert_null (s->embargoed);
    assert_string_equal (story_rawdate (s, "release"), "YYYYMMDD000000-HHMM");
    assert_string_equal (s->expires, "YYYYMMDD000000-HHMM");
    assert_string_equal (s->firstcreated, "20200703T165136-0400");
    assert_null (check_description (s, "summary"));
    assert_string_equal (story_body (s), "OTTAWA - A man is facing charges.\n\nLast paragraph.");
    collect_reset (&c);
}

static void
test_many_entries (void **state)
{
    //  A document with 20,000 subjects, keywords and named people: bounded
    //  lists, and no quadratic duplicate checks
    buf_t b;
    buf_init (&b);
    buf_puts (&b, "<nitf><head><tobject>");
    for (int i = 0; i < 20000; i++)
        buf_printf (&b, "<tobject.subject tobject.subject.refnum=\"%08d\"/>", i);
    buf_puts (&b, "</tobject><docdata><doc-id id-string=\"many\"/><key-list>");
    for (int i = 0; i < 20000; i++)
        buf_printf (&b, "<keyword key=\"k%d\"/>", i);
    buf_puts (&b, "</key-list></docdata></head><body><body.content>");
    for (int i = 0; i < 20000; i++)
        buf_printf (&b, "<p><person>Person %d</person> spoke.</p>", i);
    buf_puts (&b, "</body.content></body></nitf>");
    collect_t c = { 0 };
    int64_t start = time_mono_usec ();
    assert_int_equal (collect_bytes (&c, "many.xml", "nitf", b.data, b.size), 0);
    assert_true (time_mono_usec () - start < 20 * 1000000);
    story_t *s = c.stories.items [0];
    assert_int_equal (s->subjects.len, 500);
    assert_int_equal (s->keywords.len, 500);
    assert_int_equal (s->people.len, 500);
    assert_non_null (strstr (story_body (s), "Person 19999 spoke."));
    collect_reset (&c);
    buf_free (&b);
}

//  A story with no id and no date: a tag: URI needs a date, so a URN
static void
test_derive_uri_undated (void **state)
{
    story_t *story = story_new ();
    str_set (&story->ingest.provider, "AP Wire");
    story_add_text (&story->headlines, "main", NULL, "Quake hits coast");
    story_add_text (&story->bodies, "main", NULL, "A strong quake hit.\n\nMore.");
    xmlstory_derive_uri (story, NULL, NULL);
    assert_true (str_starts (story->uri, "urn:copydesk:ap-wire:"));
    assert_int_equal (strlen (story->uri), strlen ("urn:copydesk:ap-wire:") + 64);
    assert_true (check_warning (story, "uri-derived"));
    char *undated = xstrdup (story->uri);
    //  With a date: the tag, the same hash
    str_set (&story->uri, NULL);
    xmlstory_derive_uri (story, NULL, "2015-12-10T19:10:44Z");
    assert_true (str_starts (story->uri, "tag:ap-wire,2015-12-10:"));
    assert_string_equal (story->uri + strlen ("tag:ap-wire,2015-12-10:"),
                         undated + strlen ("urn:copydesk:ap-wire:"));
    //  A slug without a date
    str_set (&story->uri, NULL);
    str_set (&story->slugline, "BC-Quake");
    xmlstory_derive_uri (story, "Kyodo News", "no date");
    assert_string_equal (story->uri, "urn:copydesk:kyodo-news:slug:bc-quake");
    free (undated);
    story_destroy (&story);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_every_sample),
        cmocka_unit_test (test_aap),
        cmocka_unit_test (test_ap_without_id),
        cmocka_unit_test (test_agate_tables),
        cmocka_unit_test (test_efe),
        cmocka_unit_test (test_ntb_updates),
        cmocka_unit_test (test_fishing),
        cmocka_unit_test (test_pa_entities),
        cmocka_unit_test (test_ansa_and_aap_variants),
        cmocka_unit_test (test_date_issue_variants),
        cmocka_unit_test (test_namespaces),
        cmocka_unit_test (test_statuses_and_ids),
        cmocka_unit_test (test_not_well_formed),
        cmocka_unit_test (test_xxe_and_bombs),
        cmocka_unit_test (test_provider_variants),
        cmocka_unit_test (test_many_entries),
        cmocka_unit_test (test_derive_uri_undated),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
