//  SPDX-License-Identifier: MIT
//  NewsML-G2 parser: every shared sample with exact counts, real values per
//  file, newsMessages with many kinds of items, signals, links, and
//  hostile or broken items

#include "xml_checks.h"
#include <setjmp.h>
#include <cmocka.h>

#define FOLDER "newsml-g2"
#define NAR "xmlns=\"http://iptc.org/std/nar/2006-10-01/\""

static story_t *
s_one (collect_t *c, const char *name)
{
    int rc = check_sample (c, FOLDER, name, "newsml-g2");
    if (rc != 0)
        fail_msg ("%s: %s", name, c->result.error);
    assert_int_equal (c->stories.len, 1);
    return c->stories.items [0];
}

//  --------------------------------------------------------------------------

//  What each sample file holds, counted by reading the files
static const struct {
    const char *name;
    int rc;                     //  0, or -1 for a fragment
    int stories;
    int skipped;
    int bad;
} s_expected [] = {
    { "iptcg2__LISTING_1_A_NewsML-G2_News_Item.xml", 0, 1, 0, 0 },
    { "iptcg2__LISTING_22_Sports_story_in_NewsML-G2NITF.xml", 0, 1, 0, 0 },
    { "iptcg2__LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml", -1, 0, 0, 0 },
    { "iptcg2__LISTING_27_Company_Financial_Information.xml", 0, 1, 0, 0 },
    { "iptcg2__LISTING_28_Illustrating_Located_Subject_and_Dateline.xml", -1, 0, 0, 0 },
    { "iptcg2__LISTING_29_Hop_History.xml", 0, 0, 0, 1 },
    { "iptcg2__LISTING_2_NewsML-G2_Text_Document.xml", 0, 1, 0, 0 },
    { "iptcg2__LISTING_3_Photo_in_NewsML-G2.xml", 0, 0, 1, 0 },
    { "iptcg2__LISTING_6_Simple_NewsML-G2_Package.xml", 0, 0, 1, 0 },
    { "sdaap__reuters_with_byline.xml", 0, 1, 0, 0 },
    { "sdcore__ansa_culture.xml", 0, 1, 0, 0 },
    { "sdcore__dpa.xml", 0, 1, 0, 0 },
    { "sdcore__stt_newsml_location_rich.xml", 0, 1, 0, 0 },
    { "sdcore__stt_newsml_test.xml", 0, 1, 0, 0 },
    { "sdcore__tag_reuters.com_0000_newsml_L4N1FL0N0_1132689232", 0, 1, 0, 0 },
    { "sdcore__tag_reuters.com_2014_newsml_KBN0FL0NN_version_5", 0, 1, 0, 0 },
    { "sdcore__text.xml", 0, 1, 0, 0 },
    { "sdcp__07ac.xml", 0, 1, 0, 0 },
    { "sdntb__tt_newsml_test.xml", 0, 1, 0, 0 },
    { "sdstt__stt_newsml_link_content.xml", 0, 1, 0, 0 },
};

static void
test_every_sample (void **state)
{
    strv_t files = check_sample_files (FOLDER);
    assert_int_equal (files.len, sizeof s_expected / sizeof s_expected [0]);
    for (size_t i = 0; i < files.len; i++) {
        assert_string_equal (files.items [i], s_expected [i].name);
        collect_t c = { 0 };
        int rc = check_sample (&c, FOLDER, files.items [i], "newsml-g2");
        if (rc != s_expected [i].rc)
            fail_msg ("%s: rc %d: %s", files.items [i], rc, c.result.error);
        assert_int_equal (c.result.stories, s_expected [i].stories);
        assert_int_equal (c.stories.len, (size_t) s_expected [i].stories);
        assert_int_equal (c.result.skipped, s_expected [i].skipped);
        assert_int_equal (c.result.bad_items, s_expected [i].bad);
        assert_int_equal (c.dead.len, (size_t) s_expected [i].bad);
        for (size_t k = 0; k < c.stories.len; k++) {
            story_t *s = c.stories.items [k];
            assert_non_null (s->uri);
            assert_non_null (story_headline (s));
            assert_non_null (s->versioncreated);
            assert_string_equal (s->ingest.format, "newsml-g2");
            if (!collect_story_clean (s))
                fail_msg ("%s: control characters or invalid UTF-8", files.items [i]);
        }
        if (rc == -1)
            assert_non_null (strstr (c.result.error, "no guid"));
        collect_reset (&c);
    }
    strv_free (&files);
}

static void
test_iptc_listing_1 (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "iptcg2__LISTING_1_A_NewsML-G2_News_Item.xml");
    assert_string_equal (s->uri, "urn:newsml:acmenews.com:20161018:US-FINANCE-FED");
    assert_string_equal (s->version, "11");
    assert_string_equal (s->language, "en-GB");
    assert_string_equal (story_headline (s), "Fed to halt QE to avert \"bubble\"");
    assert_string_equal (s->slugline, "US-Finance-Fed");
    assert_string_equal (s->versioncreated, "2018-10-21T16:25:32-05:00");
    assert_string_equal (s->firstcreated, "2016-10-18T13:12:21-05:00");
    assert_string_equal (s->contentcreated, "2016-10-18T11:12:00-05:00");
    assert_string_equal (s->embargoed, "2018-10-23T12:00:00Z");
    assert_string_equal (story_rawdate (s, "contentmodified"), "2018-10-21T16:22:45-05:00");
    assert_string_equal (s->pubstatus, "usable");
    assert_true (strv_contains (&s->signals, "update"));
    assert_true (strv_contains (&s->signals, "raw:sig:update"));
    assert_string_equal (check_link (s, "see-also")->uri,
                         "http://www.example.com/video/20081222-PNN-1517-407624/index.html");
    assert_string_equal (s->copyrightholder, "Example Enews LLP");
    assert_string_equal (s->copyrightnotice, "Copyright 2017-18 Example Enews LLP, all rights reserved");
    assert_string_equal (s->usageterms, "Not for use outside the United States");
    assert_true (str_starts (s->ednote, "Note to editors: STRICTLY EMBARGOED."));
    assert_string_equal (s->located, "Berlin");
    assert_string_equal (s->by, "Meredith Jameson");
    assert_string_equal (check_concept (&s->subjects, "medtop:20000523")->name, "labour market");
    assert_string_equal (check_concept (&s->genres, "genre:interview")->name, "Interview");
    const story_concept_t *provider = check_concept (&s->infosources, "nprov:REUTERS");
    assert_string_equal (provider->role, "provider");
    assert_string_equal (story_extra (s, "g2-service"), "svc:uknews");
    //  The inlineXML holds only comments: no body
    assert_null (story_body (s));
    collect_reset (&c);
}

static void
test_nitf_inside (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "iptcg2__LISTING_2_NewsML-G2_Text_Document.xml");
    assert_string_equal (s->uri, "urn:newsml:acmenews.com:20161121:US-FINANCE-FED");
    //  The NITF byline as printed beats the creator's name
    assert_string_equal (s->by, "By Meredith Jameson, Staff Reporter");
    assert_string_equal (s->located, "New York, NY");
    assert_string_equal (check_concept (&s->infosources, "is:AP")->name, "Associated Press");
    assert_true (str_starts (story_body (s), "(New York, NY - October 21) Et, sent luptat"));
    //  Two paragraphs, indentation of the XML source gone
    const char *body = story_body (s);
    assert_non_null (strstr (body, "faccumsan ecte modoloreet ad ex el utat.\n\nUgiating ea feugait"));
    assert_null (strstr (body, "  "));
    collect_reset (&c);

    s = s_one (&c, "iptcg2__LISTING_22_Sports_story_in_NewsML-G2NITF.xml");
    assert_string_equal (s->uri, "tag:xmlteam.com,2016:xt.5932656-preview");
    assert_string_equal (story_headline (s),
                         "Preview: Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05 p.m.");
    assert_string_equal (s->slugline, "AAV!PREVIEW-ARI-PHI");
    assert_string_equal (s->language, "en-US");
    assert_string_equal (s->by, "Sports Network");
    //  cpnat:person subjects are people, cpnat:event events; sameAs subj: codes kept
    assert_string_equal (check_concept (&s->people, "person:l.mlb.com-p.456")->name, "Doug Davis");
    assert_non_null (check_concept (&s->events, "event:l.mlb.com-2016-e.19358"));
    assert_non_null (check_concept (&s->subjects, "subj:15007000"));
    assert_string_equal (check_description (s, "summary"),
                         "A pair of teams coming off big weekend sweeps will square off tonight at "
                         "Citizens Bank Park, where the Philadelphia Phillies welcome the Arizona "
                         "Diamondbacks for the start of a three-game series.");
    assert_true (str_starts (story_body (s), "(Sports Network) - A pair of teams coming off"));
    assert_string_equal (collect_altid (s, "idtype:tsn-id"), "sportsnetwork.com-5932656");
    collect_reset (&c);
}

static void
test_reuters (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "sdcore__tag_reuters.com_0000_newsml_L4N1FL0N0_1132689232");
    //  Opaque version stays a string; the uri never holds it
    assert_string_equal (s->uri, "tag:reuters.com,0000:newsml_L4N1FL0N0");
    assert_string_equal (s->version, "1132689232");
    assert_string_equal (collect_altid (s, "reuters-usn"), "L4N1FL0N0");
    assert_int_equal (s->urgency, 3);
    assert_int_equal (s->priority, 3);
    assert_string_equal (s->slugline, "GLOBAL-PRECIOUS/ (UPDATE 1)");
    assert_string_equal (story_headline (s), "PRECIOUS-Gold rises as Trump policy fuels safe haven demand");
    assert_true (strv_contains (&s->signals, "raw:edStat:U"));
    assert_non_null (check_concept (&s->subjects, "subj:04008024"));
    assert_non_null (check_concept (&s->genres, "N2:MKTREP"));
    assert_string_equal (story_rawdate (s, "sent"), "2017-01-31T03:47:29.000Z");
    assert_non_null (strstr (story_extra (s, "g2-signals"), "prodId:TXT"));
    //  One hard-wrapped <p>: paragraphs at the indented lines
    const char *body = story_body (s);
    assert_true (str_starts (body, "(Adds comments, detail)\n\n* Spot gold may edge up to $1,205 per ounce- technicals\n\n"));
    assert_non_null (strstr (body, "\n\nJan 30 (Reuters) - Gold rose on Tuesday on increased safe haven demand as U.S."));
    assert_true (str_ends (body, "(Reporting by Arpan Varghese in Bengaluru; Editing by Joseph Radford and Richard Pullin)"));
    collect_reset (&c);

    s = s_one (&c, "sdcore__tag_reuters.com_2014_newsml_KBN0FL0NN_version_5");
    assert_string_equal (s->uri, "tag_reuters.com_2014_newsml_KBN0FL0NN");
    assert_string_equal (s->version, "5");
    assert_string_equal (s->by, "By Marwan Makdisi");
    assert_string_equal (s->ednote, "This is editorial note.");
    assert_string_equal (s->dateline.text, "2014-07-16 15:53:10 GMT+00:00");
    const story_link_t *link = check_link (s, "derived-from");
    assert_non_null (link);
    assert_string_equal (link->uri, "tag_reuters.com_2014_newsml_L6N0PR263");
    assert_string_equal (s->language, "en-US");
    assert_true (str_starts (story_body (s), "By Marwan Makdisi\n\nDAMASCUS (Reuters) - Bashar al-Assad"));
    collect_reset (&c);

    s = s_one (&c, "sdaap__reuters_with_byline.xml");
    assert_string_equal (s->by, "Dave McNary");
    assert_string_equal (s->version, "159588191");
    assert_string_equal (s->copyrightnotice, "\xC2\xA9 Copyright 2018 Variety Media, LLC, a subsidiary of Penske Business Media, LLC.");
    assert_string_equal (s->copyrightholder, "Variety Media, LLC");
    assert_string_equal (s->firstcreated, "2018-01-22T01:44:24.000Z");
    assert_non_null (check_description (s, "caption"));
    assert_true (str_starts (story_body (s), "By Dave McNary\n\nLOS ANGELES (Variety.com) - The 24th Annual"));
    collect_reset (&c);

    s = s_one (&c, "sdcore__text.xml");
    assert_string_equal (story_body (s), "By Toby Davis");
    assert_string_equal (s->ednote, "Editorial Note");
    assert_string_equal (s->located, "Bangalore");
    collect_reset (&c);
}

static void
test_dpa_and_ansa (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "sdcore__dpa.xml");
    assert_string_equal (s->uri, "urn:newsml:dpa.com:20090101:221011-930-4303");
    assert_string_equal (story_headline (s), "Eintracht in London: Hintereggers Tr\xC3\xA4nen und Attacke auf Reporter");
    assert_string_equal (s->language, "de");
    //  Notice in the item's language among several
    assert_string_equal (s->copyrightnotice, "Copyright 2022, dpa (www.dpa.de). Alle Rechte vorbehalten");
    assert_string_equal (s->copyrightholder, "Deutsche Presse-Agentur GmbH");
    assert_string_equal (s->dateline.text, "London (dpa) -");
    assert_string_equal (s->located, "London");
    assert_int_equal (s->urgency, 4);
    //  Places by ISO code, subject sameAs subj:, keywords
    assert_string_equal (check_concept (&s->places, "iso3166-1a2:DE")->name, "Deutschland");
    assert_non_null (check_concept (&s->subjects, "subj:15054000"));
    assert_true (strv_contains (&s->keywords, "Champions League"));
    assert_int_equal (s->links.len, 5);
    //  The XHTML header (slugline list, h1) is not body text
    const char *body = story_body (s);
    assert_true (str_starts (body, "London (dpa) - 2019 gab es bittere Tr\xC3\xA4nen in der Kurve"));
    assert_null (strstr (body, "Deutschland\n"));
    assert_non_null (strstr (s->ednote, "dpa pre yyhe n1 deg"));
    collect_reset (&c);

    s = s_one (&c, "sdcore__ansa_culture.xml");
    assert_string_equal (s->uri, "tag:ansa.it,2019-07-01:fd66854b6f8fcf6e0f9dd3792d86ae2e");
    assert_string_equal (s->version, "2");
    assert_int_equal (s->priority, 4);
    assert_string_equal (s->dateline.text, "ANSA TEST - ROMA, 01 LUG -");
    assert_string_equal (check_concept (&s->subjects, "subj:02003003")->name, "arrest");
    assert_true (str_starts (story_body (s), "(ANSA) - ROMA, 1 LUG - TEST FROM XAWES (ANSA)."));
    collect_reset (&c);
}

static void
test_stt_and_tt (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "sdstt__stt_newsml_link_content.xml");
    assert_string_equal (s->uri, "urn:newsml:stt.fi:20171219:101801633");
    assert_string_equal (s->version, "1");
    //  A link without @rel to the item's own guid is its previous version
    const story_link_t *link = check_link (s, "previous-version");
    assert_non_null (link);
    assert_string_equal (link->uri, "urn:newsml:stt.fi:20171219:101801633");
    assert_string_equal (link->version, "1");
    assert_true (strv_contains (&s->signals, "raw:update:append-major-content"));
    //  Zoneless provider dates go through raw
    assert_string_equal (s->ednote, "complemented throughout");
    const char *body = story_body (s);
    assert_true (str_starts (body, "*** DISCLAIMER: THIS IS AN AUTOMATED TRANSLATION FROM FINNISH ***\n\n"
                                   "Also the unemployment law went through\n\n"));
    //  A heading nested in a <p> is a paragraph of its own
    assert_non_null (strstr (body, "\n\nRinne: Hallitus runnoi l\xC3\xA4pi ty\xC3\xB6tt\xC3\xB6mi\xC3\xA4 kurittavan lain\n\n"));
    collect_reset (&c);

    s = s_one (&c, "sdcore__stt_newsml_location_rich.xml");
    assert_string_equal (s->versioncreated, "2017-08-29T17:15:41");
    assert_string_equal (s->language, "fi-FI");
    //  Named by the assert for sttlocmeta:rich:20016
    assert_string_equal (check_concept (&s->places, "sttlocationalias:20016")->name, "Myanmar");
    assert_string_equal (check_concept (&s->places, "sttlocationalias:8927")->name, "Bangladesh");
    assert_true (str_starts (story_body (s), "Ainakin 6 000 rohingya-v\xC3\xA4hemmist\xC3\xB6\xC3\xB6n"));
    collect_reset (&c);

    s = s_one (&c, "sdntb__tt_newsml_test.xml");
    //  TT's own ttnitf markup: headline paragraph dropped, byline taken
    assert_string_equal (s->uri, "urn:newsml:tt.se:20171220:TT:585167:0");
    assert_null (s->version);
    assert_string_equal (s->slugline, "eu-polenUV4");
    assert_string_equal (s->by, "Wiktor Nummelin/TT");
    assert_string_equal (s->language, "sv");
    assert_true (strv_contains (&s->signals, "raw:tt_sig:replace"));
    assert_string_equal (collect_altid (s, "tt:refuno"), "20171220:TT:585152:0");
    body = story_body (s);
    assert_true (str_starts (body, "F\xC3\xB6r f\xC3\xB6rsta g\xC3\xA5ngen sedan EU:s Lissabonf\xC3\xB6rdrag"));
    assert_non_null (strstr (body, "\n\n\"Politiskt beslut\"\n\n"));
    assert_non_null (strstr (body, "\n\nFakta: EU:s storsl\xC3\xA4gga\n\n"));
    assert_null (strstr (body, "Arkivfoto"));         //  Picture caption left out
    collect_reset (&c);
}

static void
test_press_release (void **state)
{
    collect_t c = { 0 };
    story_t *s = s_one (&c, "sdcp__07ac.xml");
    assert_string_equal (s->uri, "urn:newsml:marketwired.com:20020408:201912037765786-en");
    assert_string_equal (story_headline (s), "Zignal Labs Names David Atlas Chief Marketing Officer");
    assert_string_equal (s->located, "San Francisco, CA, USA");
    assert_non_null (check_named (&s->organisations, "Zignal Labs Inc."));
    assert_int_equal (check_named (&s->organisations, "Zignal Labs Inc.")->relevance, 100);
    //  The <h1> repeating the headline is dropped, the <h2> kept
    assert_true (str_starts (story_body (s), "AI Marketing Veteran to Position Company for Growth in New Markets\n\n"
                                             "SAN FRANCISCO, Dec. 03, 2019 (GLOBE NEWSWIRE) -- Zignal Labs"));
    collect_reset (&c);
}

//  --------------------------------------------------------------------------
//  newsMessages

static void
test_message_of_many_items (void **state)
{
    const char *xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<newsMessage " NAR ">\n"
        "<header><sent>2024-05-01T10:00:00Z</sent><priority>2</priority></header>\n"
        "<itemSet>\n"
        "<newsItem guid=\"urn:a:1\" version=\"3\"><itemMeta><itemClass qcode=\"ninat:text\"/>"
        "<versionCreated>2024-05-01T09:59:00Z</versionCreated><pubStatus qcode=\"stat:canceled\"/>"
        "<signal qcode=\"sig:correction\"/>"
        "<link rel=\"irel:previousVersion\" residref=\"urn:a:1\" version=\"2\"/></itemMeta>"
        "<contentMeta><headline>First</headline></contentMeta>"
        "<contentSet><inlineData contenttype=\"text/plain\"><![CDATA[Line one of para one\n"
        "continues here.\n\nPara two.]]></inlineData></contentSet></newsItem>\n"
        "<packageItem guid=\"urn:p:1\"><itemMeta><itemClass qcode=\"ninat:composite\"/></itemMeta></packageItem>\n"
        "<newsItem guid=\"urn:pic:1\"><itemMeta><itemClass qcode=\"ninat:picture\"/></itemMeta>"
        "<contentMeta><headline>A picture</headline></contentMeta></newsItem>\n"
        "<conceptItem guid=\"urn:c:1\"/>\n"
        "<newsItem guid=\"urn:empty:1\"><itemMeta><itemClass qcode=\"ninat:text\"/></itemMeta></newsItem>\n"
        "<ns0:newsItem xmlns:ns0=\"http://iptc.org/std/nar/2006-10-01/\" guid=\"urn:b:2\" version=\"1\">"
        "<ns0:itemMeta><ns0:itemClass qcode=\"icls:text\"/><ns0:signal qcode=\"edStat:C\"/></ns0:itemMeta>"
        "<ns0:contentMeta><ns0:headline>CORRECTED-Second</ns0:headline>"
        "<ns0:headline role=\"hld:subHeadline\">Sub</ns0:headline>"
        "<ns0:subject type=\"cpnat:organisation\" qcode=\"org:1\"><ns0:name>Acme</ns0:name></ns0:subject>"
        "</ns0:contentMeta><ns0:contentSet><ns0:inlineData contenttype=\"text/html\">"
        "&lt;p&gt;Escaped &lt;b&gt;HTML&lt;/b&gt; body.&lt;/p&gt;</ns0:inlineData></ns0:contentSet></ns0:newsItem>\n"
        "<newsItem guid=\"urn:c:3\"><contentMeta><headline>Third</headline></contentMeta></newsItem>\n"
        "<newsItem guid=\"urn:remote:1\"><itemMeta><itemClass qcode=\"ninat:text\"/></itemMeta><contentSet>"
        "<remoteContent href=\"http://example.com/story.txt\" contenttype=\"text/plain\"/></contentSet></newsItem>\n"
        "</itemSet></newsMessage>\n";
    collect_t c = { 0 };
    assert_int_equal (collect_bytes (&c, "message.xml", NULL, xml, strlen (xml)), 0);
    assert_string_equal (c.result.format, "newsml-g2");
    assert_int_equal (c.result.stories, 3);
    assert_int_equal (c.result.skipped, 3);
    assert_int_equal (c.result.bad_items, 2);
    assert_int_equal (c.dead.len, 2);
    assert_non_null (strstr (c.dead.items [0]->reason, "urn:empty:1"));
    //  Only a remote rendition: nothing to read
    assert_non_null (strstr (c.dead.items [1]->reason, "urn:remote:1"));
    //  The dead letter holds the bad item's own bytes
    assert_non_null (memmem (c.dead.items [0]->raw, c.dead.items [0]->raw_size, "urn:empty:1", 11));
    assert_null (memmem (c.dead.items [0]->raw, c.dead.items [0]->raw_size, "urn:a:1", 7));

    story_t *first = c.stories.items [0];
    assert_string_equal (first->uri, "urn:a:1");
    assert_int_equal (first->ingest.index, 0);
    assert_string_equal (first->pubstatus, "canceled");
    assert_true (strv_contains (&first->signals, "correction"));
    assert_string_equal (check_link (first, "previous-version")->version, "2");
    assert_int_equal (first->priority, 2);
    assert_string_equal (story_body (first), "Line one of para one continues here.\n\nPara two.");

    story_t *second = c.stories.items [1];
    assert_string_equal (second->uri, "urn:b:2");
    assert_int_equal (second->ingest.index, 5);
    assert_string_equal (story_headline (second), "CORRECTED-Second");
    assert_string_equal (check_headline (second, "sub"), "Sub");
    assert_true (strv_contains (&second->signals, "correction"));
    assert_true (strv_contains (&second->signals, "raw:edStat:C"));
    assert_string_equal (check_concept (&second->organisations, "org:1")->name, "Acme");
    assert_string_equal (story_body (second), "Escaped HTML body.");
    assert_non_null (strstr (check_body (second, "main", "text/html"), "<strong>HTML</strong>"));

    //  No itemClass: a text item; every item has its own sha256
    story_t *third = c.stories.items [2];
    assert_string_equal (third->uri, "urn:c:3");
    assert_null (story_body (third));
    assert_string_not_equal (first->ingest.sha256, second->ingest.sha256);
    assert_string_not_equal (second->ingest.sha256, third->ingest.sha256);
    collect_reset (&c);
}

static void
test_small_providers (void **state)
{
    //  Capitalised header (BusinessDesk), a package first, NITF whose title
    //  is the only headline, and a results table set in spaces in one <p>
    const char *xml =
        "<newsMessage " NAR "><Header><Sent>2016-01-12 12:35:40</Sent><priority>5</priority></Header>"
        "<itemSet><packageItem><itemRef residref=\"x\"/></packageItem>"
        "<newsItem guid=\"BD-1\" version=\"3\"><itemMeta><itemClass qcode=\"ninat:text\"/>"
        "<provider literal=\"CL\"/><versionCreated>2016-01-12 12:35:40</versionCreated>"
        "<embargoed></embargoed></itemMeta><contentMeta><keyword></keyword></contentMeta>"
        "<contentSet><inlineXML contenttype=\"application/nitf+xml\"><nitf><head><title>Receivers act</title>"
        "</head><body><body.head><byline>By<person>Staff Reporter</person><byttl>BusinessDesk</byttl></byline>"
        "</body.head><body.content><p>Jan. 12 (BusinessDesk) - Text.</p></body.content></body></nitf>"
        "</inlineXML></contentSet></newsItem>"
        "<newsItem guid=\"R-1\"><contentMeta><headline>Results</headline></contentMeta><contentSet>"
        "<inlineXML><html><body><p>Jan 30 - Results and standings\n"
        "Adanaspor           2 Kasimpasa            0  \n"
        "Besiktas            5 Konyaspor            1  \n"
        "   Standings             P  W  D L  F  A  Pts \n"
        "1  Besiktas              19 13 5 1  39 15 44  \n</p></body></html></inlineXML></contentSet></newsItem>"
        "</itemSet></newsMessage>";
    collect_t c = { 0 };
    assert_int_equal (collect_bytes (&c, "bd.xml", "newsml-g2", xml, strlen (xml)), 0);
    assert_int_equal (c.stories.len, 2);
    assert_int_equal (c.result.skipped, 1);
    story_t *s = c.stories.items [0];
    assert_int_equal (s->ingest.index, 1);
    assert_int_equal (s->priority, 5);
    assert_string_equal (story_rawdate (s, "sent"), "2016-01-12 12:35:40");
    assert_null (s->embargoed);
    assert_int_equal (s->keywords.len, 0);
    assert_string_equal (story_headline (s), "Receivers act");
    assert_string_equal (s->by, "By Staff Reporter, BusinessDesk");
    story_t *r = c.stories.items [1];
    const char *pre = check_body (r, "preformatted", "text/plain");
    assert_non_null (pre);
    assert_string_equal (pre, "Jan 30 - Results and standings\n"
                              "Adanaspor           2 Kasimpasa            0\n"
                              "Besiktas            5 Konyaspor            1\n"
                              "   Standings             P  W  D L  F  A  Pts\n"
                              "1  Besiktas              19 13 5 1  39 15 44");
    collect_reset (&c);
}

static void
test_asserts_name_concepts (void **state)
{
    const char *xml =
        "<newsItem " NAR " guid=\"tag:example.com,2008:407624\" version=\"11\" xml:lang=\"en\">"
        "<itemMeta><itemClass qcode=\"ninat:text\"/><versionCreated>2022-04-08T12:00:00Z</versionCreated></itemMeta>"
        "<contentMeta><headline>Murray to enter draft</headline>"
        "<subject type=\"cpnat:geoArea\" qcode=\"apgeography:2f6e\" relevance=\"40\"/>"
        "<subject type=\"cpnat:person\" qcode=\"apperson:4e7a\" relevance=\"30\"/>"
        "<subject type=\"cpnat:organisation\" qcode=\"apcompany:b406\" relevance=\"95\"/></contentMeta>"
        "<assert qcode=\"apgeography:2f6e\"><name>Kentucky</name></assert>"
        "<assert qcode=\"apperson:4e7a\"><name>Keegan Murray</name></assert>"
        "<assert qcode=\"apcompany:b406\"><name>Volkswagen AG</name></assert></newsItem>";
    collect_t c = { 0 };
    assert_int_equal (collect_bytes (&c, "ap.xml", "newsml-g2", xml, strlen (xml)), 0);
    story_t *s = c.stories.items [0];
    assert_string_equal (check_concept (&s->places, "apgeography:2f6e")->name, "Kentucky");
    assert_string_equal (check_concept (&s->people, "apperson:4e7a")->name, "Keegan Murray");
    const story_concept_t *org = check_concept (&s->organisations, "apcompany:b406");
    assert_string_equal (org->name, "Volkswagen AG");
    assert_int_equal (org->relevance, 95);
    collect_reset (&c);
}

static void
test_stt_endash (void **state)
{
    //  STT escapes an en dash as pseudo-markup inside the text
    const char *xml =
        "<newsItem " NAR " guid=\"urn:newsml:stt.fi:20180401:101976596\" version=\"1\">"
        "<contentMeta><headline>Korkeasaari</headline></contentMeta><contentSet><inlineXML>"
        "<html><body><p>Vuosittain 800&lt;endash&gt;-&lt;/endash&gt;1 000 el\xC3\xA4int\xC3\xA4.</p>"
        "</body></html></inlineXML></contentSet></newsItem>";
    collect_t c = { 0 };
    assert_int_equal (collect_bytes (&c, "stt.xml", "newsml-g2", xml, strlen (xml)), 0);
    assert_string_equal (story_body (c.stories.items [0]),
                         "Vuosittain 800\xE2\x80\x93" "1 000 el\xC3\xA4int\xC3\xA4.");
    collect_reset (&c);
}

static void
test_broken_documents (void **state)
{
    collect_t c = { 0 };
    const char *mismatch = "<newsItem " NAR " guid=\"x\">\n<itemMeta>\n</contentMeta>\n</newsItem>";
    assert_int_equal (collect_bytes (&c, "bad.xml", "newsml-g2", mismatch, strlen (mismatch)), -1);
    assert_non_null (strstr (c.result.error, "line 3"));
    collect_reset (&c);

    const char *empty = "<newsMessage " NAR "><header/></newsMessage>";
    assert_int_equal (collect_bytes (&c, "empty.xml", "newsml-g2", empty, strlen (empty)), -1);
    assert_non_null (strstr (c.result.error, "no items"));
    collect_reset (&c);

    //  BOM + UTF-16 newsItem
    const char *text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><newsItem " NAR " guid=\"u16\">"
                       "<contentMeta><headline>Gr\xC3\xBC\xC3\x9F" "e</headline></contentMeta></newsItem>";
    uint8_t utf16 [1024];
    size_t len = 0;
    utf16 [len++] = 0xFE;
    utf16 [len++] = 0xFF;
    for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
        unsigned code = *p;
        if (*p == 0xC3) {
            code = 0xC0 | (p [1] & 0x3F);
            p++;
        }
        utf16 [len++] = 0;
        utf16 [len++] = (uint8_t) code;
    }
    assert_int_equal (collect_bytes (&c, "u16.xml", NULL, utf16, len), 0);
    assert_string_equal (story_headline (c.stories.items [0]), "Gr\xC3\xBC\xC3\x9F" "e");
    assert_string_equal (c.stories.items [0]->ingest.charset, "UTF-16BE");
    collect_reset (&c);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_every_sample),
        cmocka_unit_test (test_iptc_listing_1),
        cmocka_unit_test (test_nitf_inside),
        cmocka_unit_test (test_reuters),
        cmocka_unit_test (test_dpa_and_ansa),
        cmocka_unit_test (test_stt_and_tt),
        cmocka_unit_test (test_press_release),
        cmocka_unit_test (test_message_of_many_items),
        cmocka_unit_test (test_small_providers),
        cmocka_unit_test (test_asserts_name_concepts),
        cmocka_unit_test (test_stt_endash),
        cmocka_unit_test (test_broken_documents),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
