//  SPDX-License-Identifier: MIT
//  html - HTML bodies to clean text and to a sanitized HTML subset
//
//  Read as libxml2's HTML parser reads it (no network; everyday feed
//  markup by a reader of our own that gives the same result). Text: block
//  elements (p, div, h1-h6, li, tr, blockquote, pre...) become paragraphs
//  separated by "\n\n", <br> a line break, tables rows/cells are kept readable,
//  script/style/iframe/object and comments are dropped, entities are decoded
//  exactly once. Sanitized HTML keeps only p, h2, ul, ol, li, table, tr, td,
//  th, a (href http/https/mailto only), em, strong, br, pre; everything else
//  is unwrapped (its text kept) or, for dangerous elements, removed with
//  its content. No attribute other than a@href survives.

#ifndef COPYDESK_HTML_H
#define COPYDESK_HTML_H

//  HTML fragment or document to plain text paragraphs. Caller frees; ""
//  for empty input.
char *
    html_to_text (const char *html, size_t len);

//  HTML to the sanitized subset above. Caller frees; "" for empty input.
char *
    html_sanitize (const char *html, size_t len);

//  Both of the above from one parse: *text as html_to_text, *safe as
//  html_sanitize (pass NULL for what is not wanted). Caller frees.
void
    html_convert (const char *html, size_t len, char **text, char **safe);

//  html_convert always through libxml2, never reading sanitized markup in
//  one pass: for tests, which check that both ways agree.
void
    html_convert_parsed (const char *html, size_t len, char **text, char **safe);

//  True if html_convert reads html (len bytes) without libxml2, with its
//  own reader of everyday feed markup (known elements, quoted attributes,
//  entities): for tests and measures.
bool
    html_quick_reads (const char *html, size_t len);

//  True if html (len bytes) is already in the sanitized subset, written
//  as html_sanitize writes it: html_sanitize returns it unchanged, and
//  html_convert reads it in one pass without parsing.
bool
    html_is_sanitized (const char *html, size_t len);

//  True if s looks like it contains HTML markup (tags or entities).
bool
    html_detect (const char *s);

#endif
