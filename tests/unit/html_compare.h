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

#endif
