//  SPDX-License-Identifier: MIT
//  xml: safe parsing (XXE refused, entity bombs, depth, size), charsets
//  (BOMs, UTF-16, mislabeled declarations), recover mode, error messages,
//  and local-name navigation

#include "common.h"
#include "ingest/xml.h"
#include <setjmp.h>
#include <cmocka.h>
#include <sys/resource.h>

//  Parse; returns the document or NULL, fills err and warnings
static xmlDocPtr
s_parse (const char *data, size_t size, const xml_options_t *options, strv_t *warnings,
         char *charset, char *err)
{
    return xml_parse ((const uint8_t *) data, size, options, warnings,
                      charset, charset ? 64 : 0, err, 512);
}

//  Text of the root element, or NULL. Caller frees.
static char *
s_root_text (xmlDocPtr doc)
{
    return xml_text (xmlDocGetRootElement (doc));
}

//  A temporary file holding text; returns its path. Caller unlinks and frees.
static char *
s_temp_file (const char *text)
{
    char *path = xstrdup ("/tmp/copydesk-test-xml-XXXXXX");
    int fd = mkstemp (path);
    assert_true (fd >= 0);
    assert_int_equal (write (fd, text, strlen (text)), (ssize_t) strlen (text));
    close (fd);
    return path;
}

//  --------------------------------------------------------------------------

static void
test_xxe_refused (void **state)
{
    const char *marker = "XXE-MARKER-31337";
    char *secret = s_temp_file (marker);
    char err [512] = "";
    strv_t warnings = { 0 };

    //  An external general entity: parsed, but the file is never read
    char *xml = xasprintf ("<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file://%s\">]>\n"
                           "<r a=\"1\">before &x; after</r>", secret);
    xmlDocPtr doc = s_parse (xml, strlen (xml), NULL, &warnings, NULL, err);
    if (doc) {
        char *text = s_root_text (doc);
        assert_non_null (text);
        assert_null (strstr (text, marker));
        free (text);
        xmlFreeDoc (doc);
    }
    assert_true (strv_contains (&warnings, "xml-external-entity-refused"));
    strv_free (&warnings);
    free (xml);

    //  An external parameter entity
    xml = xasprintf ("<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY %% p SYSTEM \"file://%s\"> %%p;]>\n"
                     "<r>text</r>", secret);
    doc = s_parse (xml, strlen (xml), NULL, NULL, NULL, err);
    if (doc) {
        char *text = s_root_text (doc);
        assert_null (strstr (text ? text : "", marker));
        free (text);
        xmlFreeDoc (doc);
    }
    free (xml);

    //  An external DTD declaring an entity: never loaded either
    char *dtd_text = xasprintf ("<!ENTITY leak \"%s\">", marker);
    char *dtd = s_temp_file (dtd_text);
    xml = xasprintf ("<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"file://%s\">\n<r>&leak;</r>", dtd);
    doc = s_parse (xml, strlen (xml), NULL, NULL, NULL, err);
    if (doc) {
        char *text = s_root_text (doc);
        assert_null (strstr (text ? text : "", marker));
        free (text);
        xmlFreeDoc (doc);
    }
    free (xml);
    unlink (dtd);
    free (dtd);
    free (dtd_text);

    //  Network identifiers are not fetched either (no hang, no error needed)
    const char *net = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY n SYSTEM \"http://127.0.0.1:9/x\">]>\n<r>&n;</r>";
    int64_t start = time_mono_usec ();
    doc = s_parse (net, strlen (net), NULL, NULL, NULL, err);
    xmlFreeDoc (doc);
    assert_true (time_mono_usec () - start < 2000000);

    unlink (secret);
    free (secret);
}

static void
test_entity_bombs (void **state)
{
    char err [512] = "";
    //  Billion laughs: refused quickly, with the line
    buf_t b;
    buf_init (&b);
    buf_puts (&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    buf_puts (&b, "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for (int i = 2; i <= 9; i++) {
        buf_printf (&b, "<!ENTITY lol%d \"", i);
        for (int j = 0; j < 10; j++)
            buf_printf (&b, "&lol%d;", i - 1);
        buf_puts (&b, "\">\n");
    }
    buf_puts (&b, "]>\n<lolz>&lol9;</lolz>");
    struct rusage before, after;
    getrusage (RUSAGE_SELF, &before);
    int64_t start = time_mono_usec ();
    xmlDocPtr doc = s_parse (b.data, b.size, NULL, NULL, NULL, err);
    assert_null (doc);
    assert_true (time_mono_usec () - start < 5000000);
    assert_non_null (strstr (err, "line"));

    //  Quadratic blow-up: one large entity referenced many times
    buf_clear (&b);
    buf_puts (&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY a \"");
    for (int i = 0; i < 50000; i++)
        buf_putc (&b, 'x');
    buf_puts (&b, "\">]>\n<r>");
    for (int i = 0; i < 20000; i++)
        buf_puts (&b, "&a;");
    buf_puts (&b, "</r>");
    start = time_mono_usec ();
    doc = s_parse (b.data, b.size, NULL, NULL, NULL, err);
    assert_null (doc);
    //  Refused before any expansion, by the size it asks for
    assert_true (time_mono_usec () - start < 1000000);
    assert_non_null (strstr (err, "entity bomb refused at line 3"));
    getrusage (RUSAGE_SELF, &after);
    //  1 GB of expansion was asked for; far less was used
    assert_true (after.ru_maxrss - before.ru_maxrss < 900 * 1024);
    buf_free (&b);

    //  Entities that refer to each other in a loop
    const char *loop = "<!DOCTYPE r [<!ENTITY a \"x&b;\"><!ENTITY b \"y&a;\">]>\n<r>&a;</r>";
    assert_null (s_parse (loop, strlen (loop), NULL, NULL, NULL, err));
    assert_non_null (strstr (err, "line 2"));

    //  Internal entities of a sane size are expanded
    const char *fine = "<!DOCTYPE r [<!ENTITY co \"Smith &amp; Co\">]><r>&co; and &co;</r>";
    doc = s_parse (fine, strlen (fine), NULL, NULL, NULL, err);
    assert_non_null (doc);
    char *text = s_root_text (doc);
    assert_string_equal (text, "Smith & Co and Smith & Co");
    free (text);
    xmlFreeDoc (doc);
}

static void
test_depth_and_size (void **state)
{
    char err [512] = "";
    buf_t b;
    buf_init (&b);
    for (int i = 0; i < 100000; i++)
        buf_puts (&b, "<a>");
    xmlDocPtr doc = s_parse (b.data, b.size, NULL, NULL, NULL, err);
    assert_null (doc);
    assert_non_null (strstr (err, "line 1"));
    assert_non_null (strstr (err, "depth"));

    //  200 levels are fine
    buf_clear (&b);
    for (int i = 0; i < 200; i++)
        buf_puts (&b, "<a>");
    buf_puts (&b, "deep");
    for (int i = 0; i < 200; i++)
        buf_puts (&b, "</a>");
    doc = s_parse (b.data, b.size, NULL, NULL, NULL, err);
    assert_non_null (doc);
    char *text = s_root_text (doc);
    assert_string_equal (text, "deep");
    free (text);
    xmlFreeDoc (doc);
    buf_free (&b);

    //  Thousands of attributes on one element (libxml2 checks them pairwise)
    buf_init (&b);
    buf_puts (&b, "<r>\n<a");
    for (int i = 0; i < 5000; i++)
        buf_printf (&b, " x%d=\"1\"", i);
    buf_puts (&b, "/></r>");
    int64_t start = time_mono_usec ();
    doc = s_parse (b.data, b.size, NULL, NULL, NULL, err);
    assert_null (doc);
    assert_true (time_mono_usec () - start < 1000000);
    assert_string_equal (err, "XML element at line 2 has more than 1000 attributes");
    buf_free (&b);

    //  Over the size cap: refused before anything is read
    char *huge = xmalloc ((size_t) XML_MAX_SIZE + 1);
    doc = xml_parse ((const uint8_t *) huge, (size_t) XML_MAX_SIZE + 1, NULL, NULL, NULL, 0,
                     err, sizeof err);
    assert_null (doc);
    assert_non_null (strstr (err, "too large"));
    free (huge);
}

static void
test_charsets (void **state)
{
    char err [512] = "";
    char charset [64] = "";
    strv_t warnings = { 0 };

    //  Declared Latin-1 with Latin-1 bytes (and CP1252 quotes)
    const char *latin = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>caf\xE9 \x93q\x94</r>";
    xmlDocPtr doc = s_parse (latin, strlen (latin), NULL, &warnings, charset, err);
    assert_non_null (doc);
    char *text = s_root_text (doc);
    assert_string_equal (text, "caf\xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D");
    assert_string_equal (charset, "iso-8859-1");
    free (text);
    xmlFreeDoc (doc);

    //  Declared Latin-1 with UTF-8 bytes: UTF-8 wins, and says so
    const char *mislabeled = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><r>K\xC3\xB8" "benhavn</r>";
    doc = s_parse (mislabeled, strlen (mislabeled), NULL, &warnings, charset, err);
    text = s_root_text (doc);
    assert_string_equal (text, "K\xC3\xB8" "benhavn");
    assert_string_equal (charset, "utf-8");
    assert_true (strv_contains (&warnings, "charset-declared-ignored:iso-8859-1"));
    free (text);
    xmlFreeDoc (doc);
    strv_free (&warnings);

    //  ISO-8859-15: the euro sign at 0xA4
    const char *euro = "<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?><r>5 \xA4</r>";
    doc = s_parse (euro, strlen (euro), NULL, NULL, charset, err);
    text = s_root_text (doc);
    assert_string_equal (text, "5 \xE2\x82\xAC");
    free (text);
    xmlFreeDoc (doc);

    //  UTF-8 BOM
    const char *bom = "\xEF\xBB\xBF<?xml version=\"1.0\"?><r>\xC3\xA9t\xC3\xA9</r>";
    doc = s_parse (bom, strlen (bom), NULL, NULL, charset, err);
    assert_non_null (doc);
    text = s_root_text (doc);
    assert_string_equal (text, "\xC3\xA9t\xC3\xA9");
    free (text);
    xmlFreeDoc (doc);

    //  UTF-16 LE and BE with BOM, declaring UTF-16
    const char *ascii = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><r>h\xE9llo</r>";
    for (int big = 0; big < 2; big++) {
        uint8_t utf16 [256];
        size_t len = 0;
        utf16 [len++] = big ? 0xFE : 0xFF;
        utf16 [len++] = big ? 0xFF : 0xFE;
        for (const unsigned char *p = (const unsigned char *) ascii; *p; p++) {
            utf16 [len++] = big ? 0 : *p;
            utf16 [len++] = big ? *p : 0;
        }
        doc = xml_parse (utf16, len, NULL, NULL, charset, sizeof charset, err, sizeof err);
        if (!doc)
            fail_msg ("UTF-16%s: %s", big ? "BE" : "LE", err);
        text = s_root_text (doc);
        assert_string_equal (text, "h\xC3\xA9llo");
        assert_string_equal (charset, big ? "UTF-16BE" : "UTF-16LE");
        free (text);
        xmlFreeDoc (doc);
    }

    //  The transport charset counts when the document says nothing
    const char *bare = "<r>\xE9t\xE9</r>";
    xml_options_t options = { .charset = "iso-8859-1" };
    doc = s_parse (bare, strlen (bare), &options, NULL, charset, err);
    text = s_root_text (doc);
    assert_string_equal (text, "\xC3\xA9t\xC3\xA9");
    free (text);
    xmlFreeDoc (doc);
}

static void
test_errors_and_recover (void **state)
{
    char err [512] = "";
    strv_t warnings = { 0 };
    //  The first error is the one reported, with its line
    const char *mismatch = "<r>\n<a>\n<b>\n</a>\n</r>";
    assert_null (s_parse (mismatch, strlen (mismatch), NULL, NULL, NULL, err));
    assert_non_null (strstr (err, "line 4"));
    assert_non_null (strstr (err, "mismatch"));

    const char *truncated = "<?xml version=\"1.0\"?>\n<r>\n<a>text";
    assert_null (s_parse (truncated, strlen (truncated), NULL, NULL, NULL, err));
    assert_true (str_starts (err, "XML not well-formed at line"));

    const char *junk = "junk<r/>";
    assert_null (s_parse (junk, strlen (junk), NULL, NULL, NULL, err));

    const char *empty = "   ";
    assert_null (s_parse (empty, strlen (empty), NULL, NULL, NULL, err));

    //  Feeds only: HTML entities rewritten, then libxml2's recovery
    const char *feed = "<rss><channel><item><title>A&nbsp;B &amp; C&eacute;</title>"
                       "<description>AT&T <b>bold</description></item></channel></rss>";
    assert_null (s_parse (feed, strlen (feed), NULL, NULL, NULL, err));
    xml_options_t options = { .recover = true, .html_entities = true };
    xmlDocPtr doc = s_parse (feed, strlen (feed), &options, &warnings, NULL, err);
    assert_non_null (doc);
    xmlNodePtr title = xml_find (xmlDocGetRootElement (doc), "title");
    char *text = xml_text (title);
    assert_string_equal (text, "A\xC2\xA0" "B & C\xC3\xA9");
    free (text);
    assert_true (strv_contains (&warnings, "xml-html-entities"));
    bool recovered = false;
    for (size_t i = 0; i < warnings.len; i++)
        if (str_starts (warnings.items [i], "xml-recovered"))
            recovered = true;
    assert_true (recovered);
    xmlFreeDoc (doc);
    strv_free (&warnings);

    //  The repair leaves CDATA sections and comments alone: a bare '&' is
    //  legal there and must not become "&amp;" in the text
    const char *cdata = "<rss><channel><title>A&nbsp;B</title><item>"
                        "<description><![CDATA[R&B &amp; soul]]></description>"
                        "<!-- AT&T --></item></channel></rss>";
    doc = s_parse (cdata, strlen (cdata), &options, &warnings, NULL, err);
    assert_non_null (doc);
    text = xml_text (xml_find (xmlDocGetRootElement (doc), "description"));
    assert_string_equal (text, "R&B &amp; soul");
    free (text);
    xmlFreeDoc (doc);
    strv_free (&warnings);
}

static void
test_navigation (void **state)
{
    char err [512] = "";
    const char *xml =
        "<n:root xmlns:n=\"urn:x\" xml:lang=\"de\">"
        "<n:head><n:title>  Title\n  here </n:title></n:head>"
        "<body a=\"  spaced  \" n:b=\"pref\"><p>One <em>two</em>three</p>"
        "<byline>By <person>A. Writer</person><byttl>AP</byttl></byline>"
        "<loc><city>Newport News</city>, <state>VA</state></loc>"
        "<!-- a comment --><p xml:lang=\"fr\">Deux</p></body></n:root>";
    xmlDocPtr doc = s_parse (xml, strlen (xml), NULL, NULL, NULL, err);
    assert_non_null (doc);
    xmlNodePtr root = xmlDocGetRootElement (doc);
    assert_true (xml_is (root, "root"));
    assert_string_equal (xml_ns (root), "urn:x");
    char *text = xml_path_text (root, "head/title");
    assert_string_equal (text, "Title here");
    free (text);
    xmlNodePtr body = xml_child (root, "body");
    text = xml_attr (body, "a");
    assert_string_equal (text, "spaced");
    free (text);
    text = xml_attr (body, "b");
    assert_string_equal (text, "pref");
    free (text);
    assert_null (xml_attr (body, "missing"));

    xmlNodePtr p = xml_child (body, "p");
    text = xml_text (p);
    assert_string_equal (text, "One twothree");
    free (text);
    text = xml_text_spaced (xml_child (body, "byline"));
    assert_string_equal (text, "By A. Writer AP");
    free (text);
    text = xml_text_spaced (xml_child (body, "loc"));
    assert_string_equal (text, "Newport News, VA");
    free (text);
    text = xml_text_spaced (p);
    assert_string_equal (text, "One twothree");       //  <em> is formatting
    free (text);

    xmlNodePtr second = xml_next (p, "p");
    assert_non_null (second);
    text = xml_lang (second);
    assert_string_equal (text, "fr");
    free (text);
    text = xml_lang (p);
    assert_string_equal (text, "de");
    free (text);
    assert_true (xml_is (xml_next_element (p), "byline"));
    assert_true (xml_is (xml_find (root, "person"), "person"));
    assert_null (xml_find (root, "nothing"));
    assert_true (xml_is (xml_first_element (root), "head"));
    assert_int_equal (xml_line (p), 2);        //  The title holds a newline

    size_t size = 0;
    char *markup = xml_outer_markup (p, &size);
    assert_string_equal (markup, "<p>One <em>two</em>three</p>");
    assert_int_equal (size, strlen (markup));
    free (markup);
    markup = xml_inner_markup (p);
    assert_string_equal (markup, "One <em>two</em>three");
    free (markup);
    xmlFreeDoc (doc);

    //  NULL-safe
    assert_null (xml_child (NULL, "x"));
    assert_null (xml_text (NULL));
    assert_null (xml_text_spaced (NULL));
    assert_null (xml_outer_markup (NULL, &size));
    assert_int_equal (size, 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_xxe_refused),
        cmocka_unit_test (test_entity_bombs),
        cmocka_unit_test (test_depth_and_size),
        cmocka_unit_test (test_charsets),
        cmocka_unit_test (test_errors_and_recover),
        cmocka_unit_test (test_navigation),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
