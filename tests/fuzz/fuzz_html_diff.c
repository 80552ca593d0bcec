//  SPDX-License-Identifier: MIT
//  Differential fuzzing of the HTML conversion: for any bytes, the
//  one-pass SAX conversion of common/html.c gives exactly the text and
//  sanitized HTML of the tree walks it replaced (tests/unit/html_oracle.h),
//  through every entry point, and html_convert (which reads everyday
//  markup without libxml2) gives what libxml2 gives. The first byte picks how the rest is read:
//  as it is, or wrapped in markup that sends it deep or after the root.
#include "common.h"
#include "../unit/html_oracle.h"

static void
s_check (const char *what, const char *old, const char *now)
{
    if (strcmp (old, now) != 0) {
        fprintf (stderr, "%s differs\n  old: %s\n  new: %s\n", what, old, now);
        abort ();
    }
}

static void
s_same (const char *html, size_t len)
{
    char *old_text, *old_safe, *text, *safe;
    html_old_convert_parsed (html, len, &old_text, &old_safe);
    html_convert_parsed (html, len, &text, &safe);
    s_check ("html_convert_parsed text", old_text, text);
    s_check ("html_convert_parsed safe", old_safe, safe);
    free (text);
    free (safe);
    free (old_text);
    free (old_safe);
    char *old = html_old_to_text (html, len);
    char *now = html_to_text (html, len);
    s_check ("html_to_text", old, now);
    free (old);
    free (now);
    old = html_old_sanitize (html, len);
    now = html_sanitize (html, len);
    s_check ("html_sanitize", old, now);
    free (old);
    free (now);
    html_old_convert (html, len, &old_text, &old_safe);
    html_convert (html, len, &text, &safe);
    s_check ("html_convert text", old_text, text);
    s_check ("html_convert safe", old_safe, safe);
    free (old_text);
    free (old_safe);
    //  The quick reader (html_convert) against libxml2 itself
    html_convert_parsed (html, len, &old_text, &old_safe);
    s_check ("html_convert text vs parsed", old_text, text);
    s_check ("html_convert safe vs parsed", old_safe, safe);
    free (text);
    free (safe);
    free (old_text);
    free (old_safe);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_same ((const char *) data, size);
    if (size == 0)
        return 0;
    //  The same bytes after a closed root, and under 190-260 levels
    //  (the walks stop at 200, libxml2's tree at 256)
    unsigned mode = data [0];
    buf_t html;
    buf_init (&html);
    if (mode & 1)
        buf_puts (&html, "<p>root</p></html>");
    if (mode & 2) {
        int levels = 190 + (int) (mode >> 2) % 71;
        for (int i = 0; i < levels; i++)
            buf_puts (&html, i % 3 ? "<b>" : "<div>");
    }
    if (html.size) {
        buf_append (&html, data + 1, size - 1);
        s_same (html.data, html.size);
    }
    buf_free (&html);
    return 0;
}
