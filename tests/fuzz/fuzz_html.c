//  SPDX-License-Identifier: MIT
//  Fuzz HTML to text and sanitizing (and the text cleaning after them):
//  never crash, sanitized output holds only the allowed subset and
//  sanitizes to itself, and markup read in one pass (already sanitized)
//  converts exactly as through libxml2
#include "common.h"

static void
s_check_sanitized (const char *html)
{
    static const char *allowed [] = {
        "p", "h2", "ul", "ol", "li", "table", "tr", "td", "th", "a", "em",
        "strong", "br", "pre", NULL
    };
    for (const char *p = html; (p = strchr (p, '<')); p++) {
        const char *q = p [1] == '/' ? p + 2 : p + 1;
        size_t n = strspn (q, "abcdefghijklmnopqrstuvwxyz0123456789");
        bool ok = false;
        for (int i = 0; allowed [i]; i++)
            if (strlen (allowed [i]) == n && strncmp (allowed [i], q, n) == 0)
                ok = true;
        assert (ok);
        if (q [n] == ' ')
            assert (n == 1 && q [0] == 'a' && strncmp (q + n, " href=\"", 7) == 0);
        else
            assert (q [n] == '>');
    }
}

//  Markup html_convert reads in one pass (already sanitized) must come out
//  exactly as libxml2's parse gives it
static void
s_check_fast (const char *html)
{
    size_t len = strlen (html);
    char *text, *safe, *slow_text, *slow_safe;
    html_convert (html, len, &text, &safe);
    html_convert_parsed (html, len, &slow_text, &slow_safe);
    assert (strcmp (text, slow_text) == 0);
    assert (strcmp (safe, slow_safe) == 0);
    if (html_is_sanitized (html, len))
        assert (strcmp (safe, html) == 0);
    free (text);
    free (safe);
    free (slow_text);
    free (slow_safe);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  The stage hands these functions valid UTF-8: repair first, as it does
    char *input = text_utf8_repair ((const char *) data, size, NULL);
    size_t len = strlen (input);
    char *text = html_to_text (input, len);
    assert (charset_utf8_valid ((const uint8_t *) text, strlen (text)));
    char *body = text_clean_body (text, false);
    char *again = text_clean_body (body, false);
    assert (strcmp (body, again) == 0);
    char *nfc = text_nfc (body);
    assert (strcmp (nfc, body) == 0);
    free (nfc);
    char *safe = html_sanitize (input, len);
    assert (charset_utf8_valid ((const uint8_t *) safe, strlen (safe)));
    s_check_sanitized (safe);
    for (const unsigned char *p = (const unsigned char *) safe; *p; p++)
        assert (*p >= 0x20 || *p == '\n' || *p == '\t');
    char *twice = html_sanitize (safe, strlen (safe));
    assert (strcmp (safe, twice) == 0);
    s_check_fast (input);
    s_check_fast (safe);
    (void) html_detect (input);
    char *decoded = text_decode_entities (input);
    char *line = text_clean_line (decoded);
    if (line) {
        char *nfc_line = text_nfc (line);
        assert (strcmp (nfc_line, line) == 0);
        free (nfc_line);
        char *line2 = text_clean_line (line);
        assert (line2 && strcmp (line, line2) == 0);
        free (line2);
    }
    free (line);
    free (decoded);
    free (twice);
    free (safe);
    free (again);
    free (body);
    free (text);
    free (input);
    return 0;
}
