//  SPDX-License-Identifier: MIT
//  charset: BOMs, declared vs actual, mislabeled UTF-8, legacy fallbacks
#include "common.h"
#include <setjmp.h>
#include <cmocka.h>

//  Decode and return the text (caller frees); used charset into used
static char *
s_decode (const char *bytes, size_t size, const char *declared, const char *fallback,
          char *used, strv_t *warnings)
{
    charset_result_t result;
    size_t out_size;
    char *text = charset_decode ((const uint8_t *) bytes, size, declared, fallback,
                                 &out_size, &result, warnings);
    assert_true (charset_utf8_valid ((const uint8_t *) text, out_size));
    assert_int_equal (strlen (text), out_size);
    strcpy (used, result.used);
    return text;
}

static void
test_boms (void **state)
{
    char used [48];
    char *text = s_decode ("\xEF\xBB\xBFh\xC3\xA9", 6, NULL, NULL, used, NULL);
    assert_string_equal (text, "h\xC3\xA9");
    assert_string_equal (used, "utf-8");
    free (text);
    text = s_decode ("\xFF\xFEh\0\xE9\0", 6, "iso-8859-1", NULL, used, NULL);
    assert_string_equal (text, "h\xC3\xA9");
    assert_string_equal (used, "UTF-16LE");
    free (text);
    text = s_decode ("\xFE\xFF\0h\0\xE9", 6, NULL, NULL, used, NULL);
    assert_string_equal (text, "h\xC3\xA9");
    free (text);
    size_t bom;
    assert_string_equal (charset_bom ((const uint8_t *) "\xFF\xFE\0\0x", 5, &bom), "UTF-32LE");
    assert_int_equal (bom, 4);
    assert_null (charset_bom ((const uint8_t *) "abc", 3, &bom));
}

static void
test_declared_and_actual (void **state)
{
    char used [48];
    strv_t warnings = { 0 };
    //  Declared Latin-1, really UTF-8 with multi-byte sequences: UTF-8 wins
    char *text = s_decode ("caf\xC3\xA9", 5, "ISO-8859-1", NULL, used, &warnings);
    assert_string_equal (text, "caf\xC3\xA9");
    assert_string_equal (used, "utf-8");
    assert_true (strv_contains (&warnings, "charset-declared-ignored:iso-8859-1"));
    free (text);
    strv_free (&warnings);
    //  Declared Latin-1 with real Latin-1 bytes; C1 bytes read as CP1252
    text = s_decode ("caf\xE9 \x93q\x94", 8, "latin1", NULL, used, NULL);
    assert_string_equal (text, "caf\xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D");
    assert_string_equal (used, "iso-8859-1");
    free (text);
    //  Declared UTF-8 with a stray Latin-1 byte: kept valid, repaired
    text = s_decode ("na\xEFve \xC3\xA9t\xC3\xA9", 11, "utf-8", NULL, used, &warnings);
    assert_string_equal (text, "na\xC3\xAFve \xC3\xA9t\xC3\xA9");
    assert_true (warnings.len > 0);
    free (text);
    strv_free (&warnings);
    //  Declared ISO-8859-15: the euro sign is 0xA4 there
    text = s_decode ("\xA4 5", 3, "iso-8859-15", NULL, used, NULL);
    assert_string_equal (text, "\xE2\x82\xAC 5");
    free (text);
    //  An unknown label is ignored, the bytes decide
    text = s_decode ("caf\xC3\xA9", 5, "x-no-such-charset", NULL, used, NULL);
    assert_string_equal (text, "caf\xC3\xA9");
    free (text);
}

static void
test_undeclared (void **state)
{
    char used [48];
    strv_t warnings = { 0 };
    //  Short Latin-1 without declaration: the CP1252 fallback, not a guess
    const char *latin = "Caf\xE9 cr\xE8me br\xFBl\xE9" "e \xE0 la fran\xE7" "aise, na\xEFve";
    char *text = s_decode (latin, strlen (latin), NULL, NULL, used, &warnings);
    assert_string_equal (used, "windows-1252");
    assert_non_null (strstr (text, "br\xC3\xBBl\xC3\xA9" "e"));
    assert_true (strv_contains (&warnings, "charset-fallback:windows-1252"));
    free (text);
    strv_free (&warnings);
    //  A provider fallback other than CP1252
    text = s_decode ("\xC0\xC1", 2, NULL, "koi8-r", used, NULL);
    assert_string_equal (used, "koi8-r");
    assert_string_equal (text, "\xD1\x8E\xD0\xB0");
    free (text);
    //  Pure ASCII is UTF-8
    text = s_decode ("plain", 5, NULL, NULL, used, NULL);
    assert_string_equal (used, "utf-8");
    free (text);
    //  NUL bytes would cut C strings short: they are dropped, with a warning
    text = s_decode ("a\0b\0c", 5, NULL, NULL, used, &warnings);
    assert_string_equal (text, "abc");
    assert_true (strv_contains (&warnings, "nul-bytes-dropped:2"));
    free (text);
    strv_free (&warnings);
    //  Long Russian text in KOI8-R: uchardet has enough evidence
    buf_t koi;
    buf_init (&koi);
    for (int i = 0; i < 20; i++)      //  "привет мир, это новости " in KOI8-R
        buf_append (&koi, "\xD0\xD2\xC9\xD7\xC5\xD4 \xCD\xC9\xD2, \xDC\xD4\xCF "
                          "\xCE\xCF\xD7\xCF\xD3\xD4\xC9 ", 24);
    text = s_decode (koi.data, koi.size, NULL, NULL, used, NULL);
    assert_string_equal (used, "koi8-r");
    assert_true (str_starts (text, "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"));
    free (text);
    buf_free (&koi);
}

static void
test_helpers (void **state)
{
    char out [64];
    assert_string_equal (charset_canonical (" \"Latin1\" ", out, sizeof out), "iso-8859-1");
    assert_string_equal (charset_canonical ("UTF8", out, sizeof out), "utf-8");
    assert_string_equal (charset_canonical ("x-sjis", out, sizeof out), "shift_jis");
    assert_string_equal (charset_canonical ("GB2312", out, sizeof out), "gb18030");
    const char *decl = "\xEF\xBB\xBF  <?xml version='1.0' encoding='ISO-8859-15'?><r/>";
    assert_string_equal (charset_xml_declared ((const uint8_t *) decl, strlen (decl), out, sizeof out),
                         "ISO-8859-15");
    assert_null (charset_xml_declared ((const uint8_t *) "<r/>", 4, out, sizeof out));
    assert_null (charset_xml_declared ((const uint8_t *) "<?xml version='1.0'?>", 21, out, sizeof out));
    //  UTF-8 validity: overlong, surrogate, beyond U+10FFFF, truncated
    assert_true (charset_utf8_valid ((const uint8_t *) "\xF0\x9F\x98\x80", 4));
    assert_false (charset_utf8_valid ((const uint8_t *) "\xC0\xAF", 2));
    assert_false (charset_utf8_valid ((const uint8_t *) "\xED\xA0\x80", 3));
    assert_false (charset_utf8_valid ((const uint8_t *) "\xF4\x90\x80\x80", 4));
    assert_false (charset_utf8_valid ((const uint8_t *) "\xE2\x82", 2));
    assert_false (charset_utf8_multibyte ((const uint8_t *) "ascii", 5));
    assert_true (charset_utf8_multibyte ((const uint8_t *) "\xC3\xA9", 2));
}

static void
test_random_bytes (void **state)
{
    //  Any bytes, any label: valid UTF-8 out, never a crash
    unsigned seed = 7;
    const char *labels [] = { NULL, "utf-8", "iso-8859-1", "big5", "shift_jis", "utf-16", "koi8-r", "bogus" };
    uint8_t data [512];
    for (int round = 0; round < 2000; round++) {
        size_t size = (size_t) (rand_r (&seed) % sizeof data);
        for (size_t i = 0; i < size; i++)
            data [i] = (uint8_t) rand_r (&seed);
        size_t out_size;
        char *text = charset_decode (data, size, labels [round % 8], NULL, &out_size, NULL, NULL);
        assert_true (charset_utf8_valid ((const uint8_t *) text, out_size));
        free (text);
    }
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_boms),
        cmocka_unit_test (test_declared_and_actual),
        cmocka_unit_test (test_undeclared),
        cmocka_unit_test (test_helpers),
        cmocka_unit_test (test_random_bytes),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
