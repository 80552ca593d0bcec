//  SPDX-License-Identifier: MIT
//  NewsML 1.x parser: every shared sample with exact counts, real values
//  per file, nested components, translations, several NewsItems, status
//  and urgency variants, DOCTYPE entities, and broken items

#include "xml_checks.h"
#include <setjmp.h>
#include <cmocka.h>

#define FOLDER "newsml-1.2"

static story_t *
s_one (collect_t *c, const char *name)
{
    int rc = check_sample (c, FOLDER, name, "newsml-1");
    if (rc != 0)
        fail_msg ("%s: %s", name, c->result.error);
    assert_int_equal (c->stories.len, 1);
    return c->stories.items [0];
}

static story_t *
s_parse (collect_t *c, const char *xml)
{
    int rc = collect_bytes (c, "test.xml", "newsml-1", xml, strlen (xml));
    if (rc != 0)
        fail_msg ("%s", c->result.error);
    assert_true (c->stories.len >= 1);
    return c->stories.items [0];
}

//  --------------------------------------------------------------------------

//  What each sample holds, counted by reading the files
static const struct {
    const char *name;
    int stories;
    int skipped;
} s_expected [] = {
    { "ninjs__businesswire-newsml-20130605006126.xml", 1, 0 },
    { "ninjs__businesswire-newsml-20130612006110.xml", 1, 0 },
    { "sdbelga__afp_belga.xml", 1, 0 },
    { "sdbelga__anp_belga.xml", 1, 0 },
    { "sdbelga__belga_newsml_1_2.xml", 2, 0 },      //  Dutch and French versions
    { "sdbelga__efe_belga.xml", 1, 0 },
    { "sdbelga__tass_belga.xml", 1, 0 },
    { "sdcore__afp.xml", 1, 0 },
    { "sdcore__ana1.xml", 1, 0 },
    { "sdcp__20210130005024r1.xml", 1, 0 },
    { "sdntb__afp.xml", 1, 0 },
    { "sdntb__solita_se_2.xml", 1, 0 },
    { "syndnewsml__afp-test.xml", 0, 1 },            //  A photo with its caption
    { "syndnewsml__sportsresult.xml", 1, 0 },
};

static void
test_every_sample (void **state)
{
    strv_t files = check_sample_files (FOLDER);
    assert_int_equal (files.len, sizeof s_expected / sizeof s_expected [0]);
    for (size_t i = 0; i < files.len; i++) {
        assert_string_equal (files.items [i], s_expected [i].name);
        collect_t c = { 0 };
        char *relative = xasprintf ("samples/%s/%s", FOLDER, files.items [i]);
        //  Detected by content
        int rc = collect_shared (&c, relative, NULL);
        if (rc != 0)
            fail_msg ("%s: %s", files.items [i], c.result.error);
        assert_string_equal (c.result.format, "newsml-1");
        assert_int_equal (c.stories.len, (size_t) s_expected [i].stories);
        assert_int_equal (c.result.skipped, s_expected [i].skipped);
        assert_int_equal (c.result.bad_items, 0);
        for (size_t k = 0; k < c.stories.len; k++) {
            story_t *s = c.stories.items [k];
            assert_non_null (s->uri);
            assert_non_null (s->version ? s->version : "no version");
            assert_non_null (story_body (s));
            assert_non_null (s->versioncreated);
            assert_int_equal (s->ingest.index, (int) k);
            if (!collect_story_clean (s))
                fail_msg ("%s: control characters or invalid UTF-8", files.items [i]);
        }
        free (relative);
        collect_reset (&c);
    }
    strv_free (&files);
}

static void
test_afp (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "sdcore__afp.xml");
    assert_string_equal (s->uri, "urn:newsml:afp.com:20140829T135002Z:TX-PAR-FXW86");
    assert_string_equal (collect_altid (s, "newsml-publicidentifier"),
                         "urn:newsml:afp.com:20140829T135002Z:TX-PAR-FXW86:1");
    assert_string_equal (s->version, "1");
    assert_null (check_link (s, "previous-version"));
    assert_string_equal (story_headline (s), "Sweden court accepts receivership for Saab carmaker");
    assert_string_equal (s->dateline.text, "STOCKHOLM, Aug 29, 2014 (AFP) -");
    assert_string_equal (s->dateline.date, "20140829T134951+0000");
    assert_string_equal (s->located, "Stockholm");
    assert_string_equal (s->slugline, "Sweden-SAAB");
    assert_string_equal (s->versioncreated, "20140829T134951+0000");
    assert_string_equal (story_rawdate (s, "firstcreated"), "20140829T134951+0000");
    assert_string_equal (s->pubstatus, "usable");
    assert_int_equal (s->urgency, 4);
    assert_int_equal (s->priority, 4);
    assert_string_equal (s->usageterms, "NO ARCHIVAL USE");
    assert_string_equal (s->language, "en");
    assert_string_equal (collect_altid (s, "transmission"), "1672");
    assert_non_null (check_concept (&s->subjects, "subj:04016038"));
    assert_non_null (check_concept (&s->places, "iso3166-1a3:SWE"));
    assert_non_null (check_named (&s->genres, "bankruptcy"));
    assert_true (strv_contains (&s->keywords, "Saab"));
    assert_string_equal (check_named (&s->infosources, "AFP")->role, "provider");
    assert_true (str_starts (story_body (s), "A Chinese-owned company set up to take over Saab's assets"));
    assert_true (str_ends (story_body (s), "hh/ph/ts/hd"));
    collect_reset (&c);

    s = s_one (&c, "sdntb__afp.xml");
    assert_string_equal (s->dateline.text, "Ouagadougou, Dec 20, 2017 (AFP) -");
    assert_string_equal (s->ednote, "UPDATES with Germany, US, UAE cases");
    assert_string_equal (story_extra (s, "newsline:ProductLine"), "(Graphic+Picture)");
    assert_true (str_starts (story_body (s), "Burkina Faso is banning imports from North Korea"));
    assert_non_null (strstr (story_body (s), "\"Instructions have been give to the two ministries"));
    collect_reset (&c);

    s = s_one (&c, "sdbelga__afp_belga.xml");
    assert_string_equal (s->dateline.text, "Paris, 21 jan 2019 (AFP) -");
    assert_string_equal (s->language, "fr");
    //  Empty first paragraphs (<p><br/></p>) leave nothing behind
    assert_true (str_starts (story_body (s), "Le proc\xC3\xA8s de deux anciens fonctionnaires"));
    collect_reset (&c);
}

static void
test_revisions_and_ids (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "sdbelga__anp_belga.xml");
    assert_string_equal (s->uri, "urn:newsml:ANP:20181210:ANPX-101218-041-v2");
    assert_string_equal (s->version, "2");
    const story_link_t *previous = check_link (s, "previous-version");
    assert_non_null (previous);
    assert_string_equal (previous->version, "1");
    //  Empty NewsLines are ignored; KeywordLine and ; separated keywords
    assert_null (s->by);
    assert_string_equal (story_headline (s), "FNV staat alleen met acties bij PostNL (2)");
    assert_true (strv_contains (&s->keywords, "ECO/ECO10;ECO-POST-CAO"));
    assert_true (strv_contains (&s->keywords, "TENNIS-NIEUWS-MEDVEDEV"));
    assert_string_equal (s->language, "nl-nl");
    assert_string_equal (s->pubstatus, "usable");
    assert_true (str_starts (story_body (s), "N i e u w bericht, vervangt: FNV staat alleen"));
    collect_reset (&c);

    //  Only a ProviderId: uri from it and the component's Duid
    s = s_one (&c, "sdbelga__tass_belga.xml");
    assert_string_equal (s->uri, "urn:newsml:www.itar-tass.com::03AE4325838900396A95");
    assert_int_equal (s->urgency, 2);
    assert_string_equal (s->slugline, "URGENT");
    assert_string_equal (s->dateline.text, "January 21");
    assert_string_equal (s->located, "MOSCOW");
    assert_true (strv_contains (&s->keywords, "itartassrubric_ECONOMY"));
    assert_true (str_starts (story_body (s), "MOSCOW, January 21. /TASS/. The Kremlin does not support"));
    collect_reset (&c);

    //  A namespace, a PublicIdentifier whose item id holds colons
    s = s_one (&c, "sdntb__solita_se_2.xml");
    assert_string_equal (s->uri, "urn:newsml:nordicir.com:20190715:ntb:announcement:6-no");
    assert_string_equal (s->by, "TESTKUNDE B\xC3\x98RS ASA");
    assert_string_equal (s->dateline.text, "15.7.2019 12:09:11 CEST");
    //  CDATA HTML with a table of figures
    const char *pre = check_body (s, "preformatted", "text/plain");
    assert_non_null (pre);
    assert_non_null (strstr (pre, "Dette er en tabell  2017  2018  2019\nInntekter              3     4     5"));
    collect_reset (&c);
}

static void
test_belga_translations (void **state)
{
    collect_t c = { 0 };
    assert_int_equal (check_sample (&c, FOLDER, "sdbelga__belga_newsml_1_2.xml", "newsml-1"), 0);
    assert_int_equal (c.stories.len, 2);
    story_t *nl = c.stories.items [0];
    story_t *fr = c.stories.items [1];
    //  ISO-8859-15 with real high bytes
    assert_string_equal (nl->ingest.charset, "iso-8859-15");
    //  A PublicIdentifier that does not name the item: built from the parts
    assert_string_equal (nl->uri, "urn:newsml:belga.be:20190129T133400:98055798#nl");
    assert_string_equal (fr->uri, "urn:newsml:belga.be:20190129T133400:98055798#fr");
    assert_string_equal (nl->language, "nl");
    assert_string_equal (fr->language, "fr");
    assert_string_equal (nl->version, "4");
    assert_string_equal (story_headline (nl), "Mediawatch dinsdag 29/01/2019 - VTM Nieuws - 13 uur");
    assert_string_equal (nl->pubstatus, "usable");
    assert_string_equal (nl->located, "BRUSSEL");
    assert_non_null (check_named (&nl->places, "Belgi\xC3\xAB"));
    assert_true (strv_contains (&nl->keywords, "ATTENTION USERS"));
    //  Escaped HTML in the text is markup
    assert_string_equal (story_body (nl), "Steven Van Geel gaf zich op 31 mei 2014 aan bij de politie van "
                                          "zijn thuisstad Leuven. Praesent sapien massa, convallis a "
                                          "pellentesque nec, egestas non nisi.");
    //  A run-down: one item per line
    const char *body = story_body (fr);
    assert_true (str_starts (body, "- drie doden in drugsloods Eksel\n\nQ Dorien Vanderheiden, parket Limburg\n\n"));
    assert_true (str_ends (body, "- vanavond docu 30 jaar VTM Nieuws (deel 2)"));
    assert_string_not_equal (nl->ingest.sha256, fr->ingest.sha256);
    collect_reset (&c);
}

static void
test_business_wire (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "sdcp__20210130005024r1.xml");
    assert_string_equal (s->uri, "urn:newsml:businesswire.com:20010714:20210130005024");
    assert_string_equal (story_headline (s), "Interactive Brokers Lifts All Trading Restrictions on Options");
    assert_string_equal (s->dateline.text, "GREENWICH, Conn.");
    assert_string_equal (s->slugline, "CT-INTERACTIVE-BROKERS");
    assert_string_equal (s->copyrightnotice, "Copyright Business Wire 2021");
    assert_string_equal (check_description (s, "summary"),
                         "Interactive Brokers lifts all trading restrictions on options");
    assert_non_null (strstr (story_extra (s, "contact"), "media@ibkr.com"));
    //  Only the Body component is the body: not the headline, logo, style sheet
    const char *body = story_body (s);
    assert_true (str_starts (body, "Interactive Brokers Group (Nasdaq: IBKR), a global brokerage firm"));
    assert_null (strstr (body, "bwalignc"));
    assert_null (strstr (body, ".jpg"));
    assert_non_null (strstr (body, "\n\nAbout Interactive Brokers Group, Inc.:\n\n"));
    collect_reset (&c);

    s = s_one (&c, "ninjs__businesswire-newsml-20130605006126.xml");
    assert_string_equal (s->language, "zh");
    assert_string_equal (story_headline (s), "Cambrios\xE8\xA2\xAB" "Gartner\xE8\xA9\x95\xE9\x81\xB8\xE7\x82\xBA"
                                             "\xE3\x80\x8C\xE6\x9C\x80\xE9\x85\xB7\xE4\xBE\x9B\xE6\x87\x89\xE5\x95\x86\xE3\x80\x8D");
    assert_string_equal (s->dateline.text, "\xE5\x8A\xA0\xE5\xB7\x9E\xE6\xA1\x91\xE5\xB0\xBC\xE7\xB6\xAD\xE7\x88\xBE");
    collect_reset (&c);
}

static void
test_ana_cdata_and_topics (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "sdcore__ana1.xml");
    assert_string_equal (s->uri, "urn:newsml:ana-mpe.gr:20180404:19336333");
    //  CDATA headline, CDATA HTML body
    assert_string_equal (story_headline (s), "Wage employment balance positive in Jan-March");
    assert_non_null (check_headline (s, "sub"));
    assert_string_equal (check_concept (&s->subjects, "subj:09003002")->name, "Job Layoffs");
    assert_non_null (check_concept (&s->subjects, "subj:04008004"));
    assert_string_equal (s->located, "Athens");
    assert_non_null (check_concept (&s->places, "iso3166-1a3:GRC"));
    assert_int_equal (s->priority, 5);
    assert_string_equal (s->dateline.text, "4/4/2018");
    const char *body = story_body (s);
    assert_true (str_starts (body, "Wage employment in the private sector grew in March"));
    assert_non_null (strstr (body, "\n\nIn the same period last year, the balance was positive by 33,638"));
    assert_non_null (check_body (s, "main", "text/html"));
    collect_reset (&c);

    //  NITF in DataContent fills what NewsML left empty, without doubling
    s = s_one (&c, "sdbelga__efe_belga.xml");
    assert_string_equal (s->uri, "urn:newsml:texto.efeservicios.com:20190121T103600+0000:25413502");
    assert_string_equal (check_headline (s, "sub"), "INDIA SUCESOS");
    assert_int_equal (s->headlines.len, 2);
    assert_string_equal (s->by, "daa/mt/msr");
    assert_non_null (check_concept (&s->subjects, "subj:02001000"));
    assert_non_null (check_concept (&s->subjects, "efe:F02003000"));
    assert_true (str_starts (story_body (s), "Nueva Delhi, 21 ene (EFE).- Una pareja de leones"));
    collect_reset (&c);
}

static void
test_photo_and_data (void **state)
{
    collect_t c = { 0 };
    //  Photo + caption, 1.0 era: no story
    assert_int_equal (check_sample (&c, FOLDER, "syndnewsml__afp-test.xml", "newsml-1"), 0);
    assert_int_equal (c.stories.len, 0);
    assert_int_equal (c.result.skipped, 1);
    collect_reset (&c);

    //  DOCTYPE + processing instruction + CDATA holding XML data
    story_t *s = s_one (&c, "syndnewsml__sportsresult.xml");
    assert_string_equal (s->uri, "urn:newsml:iptc.org:20001006:SportsResultSample");
    assert_string_equal (s->versioncreated, "20001006");
    assert_true (str_starts (story_body (s), "Arsenal\n\n1\n\nChelsea\n\n2"));
    collect_reset (&c);
}

//  --------------------------------------------------------------------------
//  Synthetic documents

static void
test_two_items_and_variants (void **state)
{
    const char *xml =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
        "<!DOCTYPE NewsML [ <!ENTITY agency \"Agence Fran\xE7" "aise\"> ]>\n"
        "<NewsML>\n"
        "<NewsEnvelope><DateAndTime>20150218T160141</DateAndTime><Priority FormalName=\"2\"/></NewsEnvelope>\n"
        "<NewsItem><Identification><NewsIdentifier><ProviderId>p.com</ProviderId><DateId>20150218</DateId>"
        "<NewsItemId>ONE</NewsItemId><RevisionId PreviousRevision=\"2\" Update=\"U\">3</RevisionId>"
        "<PublicIdentifier>urn:newsml:p.com:20150218:ONE:3U</PublicIdentifier></NewsIdentifier></Identification>"
        "<NewsManagement><NewsItemType FormalName=\"Alert\"/><ThisRevisionCreated>20150218T160141</ThisRevisionCreated>"
        "<Status FormalName=\"OPEN\"/><Urgency>2</Urgency>"
        "<StatusWillChange><FutureStatus FormalName=\"Usable\"/><DateAndTime>20150219T000000</DateAndTime></StatusWillChange>"
        "</NewsManagement>"
        "<NewsComponent><NewsLines><HeadLine/><HeadLine>Caf\xE9 &agency;</HeadLine><ByLine>Jean Dupont</ByLine>"
        "<ByLineTitle>Correspondant</ByLineTitle></NewsLines>"
        "<ContentItem><MediaType FormalName=\"Text\"/><DataContent>First para.\n\nSecond para.</DataContent></ContentItem>"
        "</NewsComponent></NewsItem>\n"
        "<NewsItem><Identification><NewsIdentifier><ProviderId>p.com</ProviderId><DateId>20150218</DateId>"
        "<NewsItemId>TWO</NewsItemId><RevisionId PreviousRevision=\"0\" Update=\"N\">1</RevisionId>"
        "</NewsIdentifier></Identification>"
        "<NewsManagement><Status FormalName=\"Canceled\"/><Urgency FormalName=\"DEFAULT\"/></NewsManagement>"
        "<NewsComponent><NewsLines><HeadLine>Killed</HeadLine></NewsLines></NewsComponent></NewsItem>\n"
        "<NewsItem><Identification><NewsIdentifier><ProviderId>p.com</ProviderId></NewsIdentifier></Identification>"
        "</NewsItem>\n"
        "<NewsItem><Identification><NewsIdentifier><ProviderId>p.com</ProviderId><NewsItemId>FOUR</NewsItemId>"
        "</NewsIdentifier></Identification><NewsComponent><NewsLines><HeadLine/></NewsLines></NewsComponent></NewsItem>\n"
        "</NewsML>\n";
    collect_t c = { 0 };
    story_t *s = s_parse (&c, xml);
    assert_int_equal (c.stories.len, 2);
    assert_int_equal (c.result.bad_items, 2);
    assert_int_equal (c.dead.len, 2);
    //  uri without the "3U" revision suffix; links and signals from RevisionId
    assert_string_equal (s->uri, "urn:newsml:p.com:20150218:ONE");
    assert_string_equal (s->version, "3");
    assert_string_equal (check_link (s, "previous-version")->version, "2");
    assert_true (strv_contains (&s->signals, "update"));
    assert_true (strv_contains (&s->signals, "alert"));
    //  OPEN is no status we know: usable, with a warning
    assert_string_equal (s->pubstatus, "usable");
    assert_true (check_warning (s, "unknown-status:OPEN"));
    assert_int_equal (s->urgency, 2);
    assert_int_equal (s->priority, 2);
    assert_string_equal (s->embargoed, "20150219T000000");
    //  Empty HeadLine skipped, DOCTYPE entity expanded, Latin-1 decoded
    assert_string_equal (story_headline (s), "Caf\xC3\xA9 Agence Fran\xC3\xA7" "aise");
    assert_string_equal (s->by, "Jean Dupont, Correspondant");
    assert_string_equal (story_body (s), "First para.\n\nSecond para.");
    assert_string_equal (story_rawdate (s, "envelope"), "20150218T160141");

    story_t *two = c.stories.items [1];
    assert_string_equal (two->uri, "urn:newsml:p.com:20150218:TWO");
    assert_string_equal (two->pubstatus, "canceled");
    assert_int_equal (two->urgency, 0);
    assert_null (story_body (two));
    assert_int_equal (two->ingest.index, 1);
    assert_string_not_equal (s->ingest.sha256, two->ingest.sha256);
    //  The bad items' own bytes are in their dead letters
    assert_non_null (memmem (c.dead.items [1]->raw, c.dead.items [1]->raw_size, "FOUR", 4));
    assert_non_null (strstr (c.dead.items [0]->reason, "no NewsComponent"));
    collect_reset (&c);
}

static void
test_external_dtd_and_catchword (void **state)
{
    //  SDA/ATS and Kyodo: a DOCTYPE pulling the NITF DTD in through an
    //  external parameter entity (never loaded), a ":1N" revision suffix,
    //  a Format without MediaType, CatchWord as slug, encoded content
    const char *xml =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>\n"
        "<!DOCTYPE NewsML PUBLIC \"urn:newsml:iptc.org:20031010:NewsMLv1.2.dtd:1\" \"NewsML-1.2.dtd\"\n"
        "[<!ENTITY % nitf SYSTEM \"nitf-3-0.dtd\"> %nitf; ]>\n"
        "<NewsML><NewsItem><Identification><NewsIdentifier><ProviderId>www.sda-ats.ch</ProviderId>"
        "<DateId>20190603</DateId><NewsItemId>bsf153</NewsItemId>"
        "<RevisionId PreviousRevision=\"0\" Update=\"N\">1</RevisionId>"
        "<PublicIdentifier>urn:newsml:www.sda-ats.ch:20190603:bsf153:1N</PublicIdentifier>"
        "</NewsIdentifier></Identification>"
        "<NewsComponent><NewsLines><HeadLine>Un taureau entre dans un magasin \xE0 Landquart</HeadLine>"
        "<NewsLine><NewsLineType FormalName=\"CatchWord\"/><NewsLineText>Animaux</NewsLineText></NewsLine>"
        "</NewsLines><DescriptiveMetadata><Location><Property FormalName=\"Country\" Value=\"CH\"/>"
        "</Location></DescriptiveMetadata>"
        "<NewsComponent><ContentItem><Format Scheme=\"IptcFormat\" FormalName=\"NITF\"/><DataContent>"
        "<nitf><body><body.content><p lede=\"true\">Un taureau \xE2g\xE9 d'un an.</p></body.content></body></nitf>"
        "</DataContent></ContentItem>"
        "<ContentItem><MediaType FormalName=\"Text\"/><Encoding Notation=\"base64\"/>"
        "<DataContent>SGVsbG8=</DataContent></ContentItem></NewsComponent>"
        "</NewsComponent></NewsItem></NewsML>";
    collect_t c = { 0 };
    story_t *s = s_parse (&c, xml);
    assert_string_equal (s->uri, "urn:newsml:www.sda-ats.ch:20190603:bsf153");
    assert_string_equal (s->slugline, "Animaux");
    assert_string_equal (story_headline (s), "Un taureau entre dans un magasin \xC3\xA0 Landquart");
    assert_string_equal (story_body (s), "Un taureau \xC3\xA2g\xC3\xA9 d'un an.");
    assert_non_null (check_concept (&s->places, "iso3166-1a2:CH"));
    assert_true (check_warning (s, "xml-external-entity-refused"));
    assert_true (check_warning (s, "newsml-encoded-content:base64"));
    assert_string_equal (s->ingest.charset, "iso-8859-15");
    collect_reset (&c);
}

static void
test_broken (void **state)
{
    collect_t c = { 0 };
    const char *bad = "<NewsML>\n<NewsItem>\n<NewsComponent>\n</NewsItem>\n</NewsML>";
    assert_int_equal (collect_bytes (&c, "bad.xml", "newsml-1", bad, strlen (bad)), -1);
    assert_non_null (strstr (c.result.error, "line 4"));
    collect_reset (&c);

    const char *none = "<NewsML><NewsEnvelope/></NewsML>";
    assert_int_equal (collect_bytes (&c, "none.xml", "newsml-1", none, strlen (none)), -1);
    assert_non_null (strstr (c.result.error, "no NewsItem"));
    collect_reset (&c);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_every_sample),
        cmocka_unit_test (test_afp),
        cmocka_unit_test (test_revisions_and_ids),
        cmocka_unit_test (test_belga_translations),
        cmocka_unit_test (test_business_wire),
        cmocka_unit_test (test_ana_cdata_and_topics),
        cmocka_unit_test (test_photo_and_data),
        cmocka_unit_test (test_two_items_and_variants),
        cmocka_unit_test (test_external_dtd_and_catchword),
        cmocka_unit_test (test_broken),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
