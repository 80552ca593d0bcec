//  SPDX-License-Identifier: MIT
//  test_sniff - format detection by content, on every shared sample and on
//  hostile input

#include "ingest_collect.h"
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>

//  Sample folder -> the format every file in it must be detected as
static const struct {
    const char *folder;
    const char *format;
    int files;                  //  Files expected in the folder
} s_folders [] = {
    { "nitf",       "nitf",       15 },
    { "newsml-g2",  "newsml-g2",  20 },
    { "newsml-1.2", "newsml-1",   14 },
    { "iptc7901",   "iptc7901",    5 },
    { "anpa1312",   "anpa1312",    7 },
    { "zczc",       "zczc",        7 },
    { "ninjs",      "ninjs",      18 },
    { "rss2",       "rss",        18 },
    { "rss1-rdf",   "rss",        12 },
    { "atom",       "atom",       17 },
    { "plaintext",  "plain-text", 11 },
};

//  Detect a string; returns the format or NULL, reason in why
static const char *
s_detect (const char *text, size_t size, char *why, size_t why_size)
{
    why [0] = 0;
    return ingest_detect ((const uint8_t *) text, size, why, why_size);
}

#define DETECT(literal) s_detect ((literal), sizeof (literal) - 1, why, sizeof why)

//  Every sample of every folder is detected as its folder's format
static void
test_every_sample (void **state)
{
    int total = 0;
    for (size_t f = 0; f < sizeof s_folders / sizeof s_folders [0]; f++) {
        char *dir_path = collect_shared_path ("samples");
        char *folder = xasprintf ("%s/%s", dir_path, s_folders [f].folder);
        DIR *dir = opendir (folder);
        if (!dir)
            fail_msg ("cannot open %s", folder);
        struct dirent *entry;
        int files = 0;
        while ((entry = readdir (dir)) != NULL) {
            if (entry->d_name [0] == '.')
                continue;
            char *path = xasprintf ("%s/%s", folder, entry->d_name);
            uint8_t *data;
            size_t size;
            assert_int_equal (file_read (path, DOCUMENT_MAX_SIZE, &data, &size), 0);
            char why [300] = "";
            const char *format = ingest_detect (data, size, why, sizeof why);
            if (!format || strcmp (format, s_folders [f].format) != 0)
                fail_msg ("%s detected as %s (%s), expected %s", path, format ? format : "nothing",
                          why, s_folders [f].format);
            files++;
            free (data);
            free (path);
        }
        closedir (dir);
        assert_int_equal (files, s_folders [f].files);
        total += files;
        free (folder);
        free (dir_path);
    }
    assert_int_equal (total, 144);
    //  And the Reuters corpus
    uint8_t *data;
    size_t size;
    collect_read_shared ("data/reuters21578/reut2-021.sgm", &data, &size);
    char why [300];
    assert_string_equal (ingest_detect (data, size, why, sizeof why), "reuters-sgml");
    free (data);
}

//  Refused input, each with a reason
static void
test_refused (void **state)
{
    char why [300];
    assert_null (ingest_detect (NULL, 0, why, sizeof why));
    assert_non_null (strstr (why, "empty-input"));
    assert_null (DETECT (""));
    assert_non_null (strstr (why, "empty-input"));
    assert_null (DETECT ("  \r\n\t\x7f\x7f \n"));
    assert_non_null (strstr (why, "empty-input"));
    assert_null (DETECT ("text\0with a NUL byte in it"));
    assert_non_null (strstr (why, "binary"));
    assert_null (DETECT ("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
    assert_non_null (strstr (why, "PNG"));
    assert_null (DETECT ("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj"));
    assert_non_null (strstr (why, "PDF"));
    assert_null (DETECT ("PK\x03\x04\x14\0\0\0"));
    assert_non_null (strstr (why, "ZIP"));
    assert_null (DETECT ("\x1f\x8b\x08\0\0\0\0\0"));
    assert_non_null (strstr (why, "gzip"));
    assert_null (DETECT ("\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19" "ab"));
    assert_non_null (strstr (why, "binary"));
    //  HTML pages, with or without a DOCTYPE, any case, XHTML
    assert_null (DETECT ("<!DOCTYPE html>\n<html><head><title>Moved</title></head></html>"));
    assert_non_null (strstr (why, "not-a-feed"));
    assert_null (DETECT ("<HTML><BODY>Document Moved</BODY></HTML>"));
    assert_non_null (strstr (why, "HTML"));
    assert_null (DETECT ("<?xml version=\"1.0\"?>\n<!-- saved -->\n"
                         "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>"));
    assert_non_null (strstr (why, "HTML"));
    //  XML of another vocabulary, and XML with no root at all
    assert_null (DETECT ("<?xml version=\"1.0\"?><invoice><total>3</total></invoice>"));
    assert_non_null (strstr (why, "unknown-xml"));
    assert_non_null (strstr (why, "invoice"));
    assert_null (DETECT ("<?xml version=\"1.0\"?>\n<!-- only a comment -->\n"));
    assert_non_null (strstr (why, "not-a-document"));
}

//  Framing and padding of the teletype formats
static void
test_teletype (void **state)
{
    char why [300];
    assert_string_equal (DETECT ("\x7f\x7f\r\n\x7f\x01" "eca062 4 i 211 ccccb   dpa 061\r\n"), "iptc7901");
    assert_string_equal (DETECT ("\x01" "ABC1234 3 s 120\r\n\x02text"), "iptc7901");
    assert_string_equal (DETECT ("\x16\x16\x01W2870\x1f" "asian\nr a\x13\x11 BC-X"), "anpa1312");
    assert_string_equal (DETECT ("\x16\x01W2870 x"), "anpa1312");
    //  SOH then an ANPA line 1 (SYN lost in transit)
    assert_string_equal (DETECT ("\x01z6715\x1f-----\nr z\x13\x11 BC-BKN--Heat"), "anpa1312");
    assert_string_equal (DETECT ("\rZCZC AAP\r%A\r#Slug\r"), "zczc");
    assert_string_equal (DETECT ("   zczc\nbody"), "zczc");
    assert_string_equal (DETECT ("QU SYDXXAA\r\n.MELYYAA 010203\r\nZCZC AAP\r\n%A\r\n"), "zczc");
    assert_string_equal (DETECT ("One line\ntwo\nthree\nfour\nfive\nZCZC too late\n"), "plain-text");
    //  Stripped of control characters
    assert_string_equal (DETECT ("eca062 4 i 211 ccccb   dpa 061\nGermany-politics/\nHeadline =\n"), "iptc7901");
    assert_string_equal (DETECT ("W2870asian\nr a BC-US--Ethanol 1stLd-Writethru 11-13 1693\n"), "anpa1312");
    //  Prose that merely starts with a number or a code is plain text
    assert_string_equal (DETECT ("2019 was a good year for wine.\n\nIt rained."), "plain-text");
    assert_string_equal (DETECT ("W2870 is the name of a star\nand it shines"), "plain-text");
    assert_string_equal (DETECT ("ab123 4 over the hills\n"), "plain-text");
}

//  XML roots by local name and namespace, JSON, BOMs, UTF-16
static void
test_documents (void **state)
{
    char why [300];
    assert_string_equal (DETECT ("<nitf><head/></nitf>"), "nitf");
    assert_string_equal (DETECT ("\xef\xbb\xbf<?xml version=\"1.0\"?>\n<ns0:newsMessage "
                                 "xmlns:ns0=\"http://iptc.org/std/nar/2006-10-01/\"/>"), "newsml-g2");
    assert_string_equal (DETECT ("<contentMeta><headline>x</headline></contentMeta>"), "newsml-g2");
    assert_string_equal (DETECT ("<g2:header xmlns:g2=\"http://iptc.org/std/nar/2006-10-01/\"/>"), "newsml-g2");
    assert_string_equal (DETECT ("<!DOCTYPE NewsML SYSTEM \"NewsML_1.2.dtd\">\n<NewsML Version=\"1.2\"/>"), "newsml-1");
    assert_string_equal (DETECT ("<rss version=\"2.0\"><channel/></rss>"), "rss");
    assert_string_equal (DETECT ("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>"), "rss");
    assert_string_equal (DETECT ("<feed xmlns=\"http://www.w3.org/2005/Atom\"/>"), "atom");
    assert_string_equal (DETECT ("<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"/>"), "atom");
    assert_string_equal (DETECT ("<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n<REUTERS NEWID=\"1\">"), "reuters-sgml");
    assert_string_equal (DETECT ("  {\"uri\": \"x\"}"), "ninjs");
    assert_string_equal (DETECT ("\xef\xbb\xbf[{\"uri\": \"x\"}]"), "ninjs");
    //  UTF-16 with a BOM: detected on its UTF-8 rendering
    const char utf16 [] = "\xff\xfe<\0n\0i\0t\0f\0>\0<\0/\0n\0i\0t\0f\0>\0";
    assert_string_equal (s_detect (utf16, sizeof utf16 - 1, why, sizeof why), "nitf");
    const char utf16be [] = "\xfe\xff\0{\0\"\0u\0r\0i\0\"\0:\0\"\0x\0\"\0}";
    assert_string_equal (s_detect (utf16be, sizeof utf16be - 1, why, sizeof why), "ninjs");
    //  Plain text in any script, Latin-1 bytes included
    assert_string_equal (DETECT ("Headline\n\nBody text \x92quoted\x92 here."), "plain-text");
    assert_string_equal (DETECT ("\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9\n"), "plain-text");
}

//  A --format hint wins over detection; unknown hints are errors
static void
test_hint (void **state)
{
    collect_t c = { 0 };
    const char *text = "<rss><channel><title>Looks like a feed</title></channel></rss>";
    assert_int_equal (collect_bytes (&c, "hinted.txt", "plain-text", text, strlen (text)), 0);
    assert_string_equal (c.result.format, "plain-text");
    assert_int_equal (c.stories.len, 1);
    collect_reset (&c);
    assert_int_equal (collect_bytes (&c, "hinted.txt", "txt", text, strlen (text)), 0);
    assert_string_equal (c.result.format, "plain-text");
    collect_reset (&c);
    assert_int_equal (collect_bytes (&c, "x", "no-such-format", text, strlen (text)), -1);
    assert_non_null (strstr (c.result.error, "unknown format"));
    collect_reset (&c);
    //  Detection failure names the document
    assert_int_equal (collect_bytes (&c, "page.rss", NULL, "<html></html>", 13), -1);
    assert_non_null (strstr (c.result.error, "page.rss"));
    assert_non_null (strstr (c.result.error, "HTML"));
    collect_reset (&c);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_every_sample),
        cmocka_unit_test (test_refused),
        cmocka_unit_test (test_teletype),
        cmocka_unit_test (test_documents),
        cmocka_unit_test (test_hint),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
