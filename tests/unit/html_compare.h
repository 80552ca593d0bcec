//  SPDX-License-Identifier: MIT
//  html_compare - what the HTML tests say when two conversions differ.
//  Include after cmocka.h.
#ifndef COPYDESK_HTML_COMPARE_H
#define COPYDESK_HTML_COMPARE_H

//  Fails the test unless got equals want, showing the input, whether the
//  quick reader takes it, and both outputs from a little before the first
//  difference. where (may be NULL) says which input it was.
static void
html_expect_same (const char *what, const char *where, const char *html, size_t len,
                  const char *want, const char *got)
{
    if (strcmp (want, got) == 0)
        return;
    size_t at = 0;
    while (want [at] && want [at] == got [at])
        at++;
    print_error ("%s differs%s%s (%zu bytes of input, quick %d, first difference at %zu)\n"
                 "  input: %.*s\n  want:  %.300s\n  got:   %.300s\n",
                 what, where ? " on " : "", where ? where : "", len,
                 (int) html_quick_reads (html, len), at, (int) (len < 600 ? len : 600), html,
                 want + (at > 40 ? at - 40 : 0), got + (at > 40 ? at - 40 : 0));
    fail ();
}

typedef void (html_convert_fn) (const char *html, size_t len, char **text, char **safe);

//  Runs convert for both outputs, then for each alone (one walk must not
//  change the other's output), and expects want_text and want_safe.
static void
html_expect_convert (const char *what, html_convert_fn *convert, const char *where,
                     const char *html, size_t len, const char *want_text, const char *want_safe)
{
    char label [128], *text, *safe;
    convert (html, len, &text, &safe);
    snprintf (label, sizeof label, "%s text", what);
    html_expect_same (label, where, html, len, want_text, text);
    snprintf (label, sizeof label, "%s safe", what);
    html_expect_same (label, where, html, len, want_safe, safe);
    free (text);
    free (safe);
    convert (html, len, &text, NULL);
    snprintf (label, sizeof label, "%s text alone", what);
    html_expect_same (label, where, html, len, want_text, text);
    free (text);
    convert (html, len, NULL, &safe);
    snprintf (label, sizeof label, "%s safe alone", what);
    html_expect_same (label, where, html, len, want_safe, safe);
    free (safe);
}

#endif
