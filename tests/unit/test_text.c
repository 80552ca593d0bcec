//  SPDX-License-Identifier: MIT
//  text: UTF-8 repair, mojibake, NFC, single-line and body cleaning,
//  entities, counts
#include "common.h"
#include <setjmp.h>
#include <cmocka.h>

static void
test_repair (void **state)
{
    bool changed = true;
    char *s = text_utf8_repair ("caf\xc3\xa9", 5, &changed);
    assert_string_equal (s, "café");
    assert_false (changed);
    free (s);
    //  A stray Latin-1 byte, a CP1252 quote, a truncated sequence, a NUL
    s = text_utf8_repair ("caf\xe9 \x92ok\x92 \xe2\x82 a\0b", 16, &changed);
    assert_true (changed);
    assert_true (charset_utf8_valid ((const uint8_t *) s, strlen (s)));
    assert_string_equal (s, "café ’ok’ â‚ ab");
    free (s);
    //  Overlong and surrogate encodings are not valid UTF-8
    s = text_utf8_repair ("\xc0\xaf\xed\xa0\x80", 5, &changed);
    assert_true (changed);
    assert_true (charset_utf8_valid ((const uint8_t *) s, strlen (s)));
    free (s);
    s = text_utf8_repair (NULL, 0, NULL);
    assert_string_equal (s, "");
    free (s);
}

static void
test_mojibake (void **state)
{
    char *s = text_fix_mojibake ("FranÃ§ois Hollande Ã©tait l\xc3\x83\xc2\xa0");
    assert_non_null (s);
    assert_string_equal (s, "François Hollande était là");
    free (s);
    //  CP1252 punctuation read as CP1252: â€™ is ’
    s = text_fix_mojibake ("It\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s");
    assert_string_equal (s, "It’s");
    free (s);
    //  Correct text is left alone
    assert_null (text_fix_mojibake ("François était là"));
    assert_null (text_fix_mojibake ("plain ascii"));
    //  Only when the whole string round-trips
    assert_null (text_fix_mojibake ("Ã© and é"));
    assert_null (text_fix_mojibake ("Ã© 日本"));
    //  Two numeric references for the UTF-8 bytes of £ (Ritzau)
    char *decoded = text_decode_entities ("&#xC2;&#xA3;5");
    char *line = text_clean_line (decoded);
    assert_string_equal (line, "£5");
    free (decoded);
    free (line);
}

static void
test_nfc (void **state)
{
    //  e + combining acute -> é
    char *s = text_nfc ("Cafe\xcc\x81");
    assert_string_equal (s, "Café");
    free (s);
    s = text_nfc ("ascii");
    assert_string_equal (s, "ascii");
    free (s);
    //  Invalid input is repaired, never rejected
    s = text_nfc ("a\xff");
    assert_true (charset_utf8_valid ((const uint8_t *) s, strlen (s)));
    free (s);
}

static void
test_clean_line (void **state)
{
    char *s = text_clean_line ("  Heat\tbeat\r\n Hawks \x1b[B 115-111\x07  ");
    assert_string_equal (s, "Heat beat Hawks 115-111");
    free (s);
    s = text_clean_line ("A\xc2\xa0" "b\xe2\x80\x83" "c\xef\xbb\xbf" "d\xc2\x85" "e");
    assert_string_equal (s, "A b cd e");
    free (s);
    //  NFC, also when junk stood between a letter and its accent
    s = text_clean_line ("Cafe\xcc\x81 Cafe\xef\xbf\xbf\xcc\x81 Cafe\x7f\xcc\x81");
    assert_string_equal (s, "Café Café Café");
    free (s);
    s = text_clean_body ("Cafe\xcc\x81\nCafe\xe2\x80\x8b\xcc\x81.", false);
    assert_string_equal (s, "Café Café.");
    free (s);
    assert_null (text_clean_line ("  \r\n\t\x01 "));
    assert_null (text_clean_line (""));
    assert_null (text_clean_line (NULL));
    s = text_clean_line ("FranÃ§ois");
    assert_string_equal (s, "François");
    free (s);
    //  Idempotent
    const char *inputs [] = { "  a  b ", "Ã©t\xc3\xa9", "x\x1b[31my", "\xe9t\xe9", NULL };
    for (int i = 0; inputs [i]; i++) {
        char *once = text_clean_line (inputs [i]);
        char *twice = text_clean_line (once);
        assert_string_equal (once, twice);
        free (once);
        free (twice);
    }
}

static void
test_clean_body (void **state)
{
    //  Hard-wrapped teletype copy with indented paragraphs and CR LF
    const char *wire =
        "   Berlin (dpa) - Negotiations between the parties went on late\r\n"
        "into the night, officials said.\r\n"
        "   The talks will resume on Monday, a spokesman told reporters in\r\n"
        "the capital.\r\n"
        "\r\n"
        "\r\n"
        "\x7f\x7f dpa wsz\x03\r\n";
    char *s = text_clean_body (wire, false);
    assert_string_equal (s,
        "Berlin (dpa) - Negotiations between the parties went on late into the "
        "night, officials said.\n\n"
        "The talks will resume on Monday, a spokesman told reporters in the capital.\n\n"
        "dpa wsz");
    free (s);
    //  Blank-line paragraphs, runs of spaces, tabs, form feeds and escapes
    s = text_clean_body ("\n\nOne  two\tthree.\n\n\n\nFour\x0c\x1b[Bfive.\n  \n", false);
    assert_string_equal (s, "One two three.\n\nFour five.");
    free (s);
    //  A short line that ends a sentence in a hard-wrapped block ends a paragraph
    s = text_clean_body (
        "The central bank raised its key rate by a quarter point on Tuesday\n"
        "and said more increases could follow later this year.\n"
        "Markets had expected the move.\n"
        "Analysts said the decision reflected concern about rising prices\n"
        "in the services sector.\n", false);
    assert_string_equal (s,
        "The central bank raised its key rate by a quarter point on Tuesday and "
        "said more increases could follow later this year. Markets had expected "
        "the move.\n\nAnalysts said the decision reflected concern about rising "
        "prices in the services sector.");
    free (s);
    //  Preformatted copy keeps its lines, alignment and tabs
    s = text_clean_body ("Team      W  L\r\nHawks    10  2  \r\nHeat\t9\t3\r\n\r\n\r\n\r\nEnd\r\n", true);
    assert_string_equal (s, "Team      W  L\nHawks    10  2\nHeat\t9\t3\n\nEnd");
    free (s);
    //  Compound words split over lines are joined without a space
    s = text_clean_body ("a well-\nknown fact", false);
    assert_string_equal (s, "a well-known fact");
    free (s);
    s = text_clean_body ("", false);
    assert_string_equal (s, "");
    free (s);
    s = text_clean_body (" \x01\x02\r\n", false);
    assert_string_equal (s, "");
    free (s);
    //  Idempotent, and never a single newline inside a paragraph
    const char *inputs [] = { wire, "a\nb\n\nc", "x\r\r\ry", "  indented\n  lines.\n  more", NULL };
    for (int i = 0; inputs [i]; i++) {
        char *once = text_clean_body (inputs [i], false);
        char *twice = text_clean_body (once, false);
        assert_string_equal (once, twice);
        for (const char *p = once; *p; p++)
            if (*p == '\n') {
                assert_int_equal (p [1], '\n');
                assert_true (p [2] != '\n' && p [2] != 0);
                p++;
            }
        char *pre1 = text_clean_body (inputs [i], true);
        char *pre2 = text_clean_body (pre1, true);
        assert_string_equal (pre1, pre2);
        free (once);
        free (twice);
        free (pre1);
        free (pre2);
    }
}

static void
test_entities (void **state)
{
    char *s = text_decode_entities ("AT&amp;T &lt;b&gt; caf&eacute; &#233;&#xE9;&#XE9; &nbsp;&hellip;");
    assert_string_equal (s, "AT&T <b> café ééé \xc2\xa0…");
    free (s);
    //  Once only
    s = text_decode_entities ("&amp;amp;apos; &amp;lt;");
    assert_string_equal (s, "&amp;apos; &lt;");
    free (s);
    //  Unknown, unterminated and invalid references
    s = text_decode_entities ("&bogus; & x &amp &#0; &#xD800; &#99999999; &#150; &apos;");
    assert_string_equal (s, "&bogus; & x &amp \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd – '");
    free (s);
    s = text_decode_entities ("&");
    assert_string_equal (s, "&");
    free (s);
}

static void
test_counts (void **state)
{
    assert_int_equal (text_word_count ("Hello, world! It's a well-known fact: 1,234.5 cats."), 8);
    assert_int_equal (text_word_count ("Ça coûte 10 €"), 3);
    assert_int_equal (text_word_count (""), 0);
    assert_int_equal (text_word_count (NULL), 0);
    assert_int_equal (text_word_count ("东京 news"), 3);
    assert_int_equal (text_word_count ("Москва — столица"), 2);
    //  Pure ASCII goes 8 bytes at a time: joins across the 8-byte steps,
    //  at both ends, and the same count as the code point loop gives
    assert_int_equal (text_word_count ("abcdefg-hijk 1234567,890 x,5 a'-b -5 a.5 9."), 10);
    assert_int_equal (text_word_count ("1234567.8 abcdef'g"), 2);
    assert_int_equal (text_word_count ("-"), 0);
    assert_int_equal (text_word_count ("a-"), 1);
    const char *mixed = "abcdefg-hijk 1234567,890 x,5 a'-b -5 a.5 9. \xc3\xa9";
    assert_int_equal (text_word_count (mixed), 11);
    assert_int_equal (text_char_count ("abcdefgh\xc3\xa9ijklmnop\xe2\x80\x94q"), 19);
    assert_int_equal (text_char_count ("café"), 4);
    assert_int_equal (text_char_count ("日本"), 2);
    assert_int_equal (text_char_count (NULL), 0);
    char *lower = text_lower_ascii ("MiXeD Ä");
    assert_string_equal (lower, "mixed Ä");
    free (lower);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_repair),
        cmocka_unit_test (test_mojibake),
        cmocka_unit_test (test_nfc),
        cmocka_unit_test (test_clean_line),
        cmocka_unit_test (test_clean_body),
        cmocka_unit_test (test_entities),
        cmocka_unit_test (test_counts),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
