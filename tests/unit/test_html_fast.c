//  SPDX-License-Identifier: MIT
//  html, the quick reader: html_convert reads everyday feed markup without
//  libxml2 and must give byte for byte what libxml2 gives (html_convert_
//  parsed) and what the old tree walks gave (tests/unit/html_oracle.h).
//  Random tag soup from the feeds' vocabulary (attributes, quoting,
//  entities, white space, top-level text, nesting, stray end tags,
//  unicode), edge cases, and every sample text; counting how many of them
//  the quick reader takes, so that the test cannot pass by never taking it.
#include "common.h"
#include "ingest_collect.h"
#include "html_oracle.h"
#include <setjmp.h>
#include <cmocka.h>
#include "html_compare.h"

static size_t s_compared;       //  Inputs compared
static size_t s_quick;          //  Of which the quick reader took

//  Every entry point agrees with libxml2 and with the oracle on html
static void
s_same (const char *html, size_t len)
{
    char *parsed_text, *parsed_safe, *old_text, *old_safe;
    html_convert_parsed (html, len, &parsed_text, &parsed_safe);
    html_old_convert_parsed (html, len, &old_text, &old_safe);
    html_expect_convert ("html_convert", html_convert, NULL, html, len, parsed_text, parsed_safe);
    html_expect_same ("oracle text vs parsed", NULL, html, len, old_text, parsed_text);
    html_expect_same ("oracle safe vs parsed", NULL, html, len, old_safe, parsed_safe);
    //  The one-output entry points, ours and the oracle's (which reads
    //  sanitized markup its own way)
    static const struct {
        const char *what;
        char *(*convert) (const char *html, size_t len);
        bool safe;
    } singles [] = {
        { "html_to_text", html_to_text, false }, { "html_sanitize", html_sanitize, true },
        { "html_old_to_text", html_old_to_text, false },
        { "html_old_sanitize", html_old_sanitize, true }
    };
    for (size_t i = 0; i < sizeof singles / sizeof singles [0]; i++) {
        char *got = singles [i].convert (html, len);
        html_expect_same (singles [i].what, NULL, html, len,
                          singles [i].safe ? parsed_safe : parsed_text, got);
        free (got);
    }
    html_expect_convert ("html_old_convert", html_old_convert, NULL, html, len,
                         parsed_text, parsed_safe);
    free (parsed_text);
    free (parsed_safe);
    free (old_text);
    free (old_safe);
    s_compared++;
    if (html_quick_reads (html, len))
        s_quick++;
}

static void
s_same_str (const char *html)
{
    s_same (html, strlen (html));
}

//  --------------------------------------------------------------------------
//  Random tag soup

static uint64_t s_seed = 0x9E3779B97F4A7C15ull;

static uint32_t
s_random (uint32_t n)
{
    s_seed ^= s_seed << 13;
    s_seed ^= s_seed >> 7;
    s_seed ^= s_seed << 17;
    return (uint32_t) ((s_seed >> 11) % n);
}

#define PICK(list) list [s_random (sizeof list / sizeof list [0])]

static const char *s_elements [] = {
    "p", "p", "p", "a", "a", "em", "strong", "b", "i", "br", "img", "span", "div",
    "blockquote", "iframe", "sup", "sub", "h1", "h2", "h3", "pre", "ul", "ol", "li", "li",
    "table", "tr", "td", "th", "hr", "u", "small", "code", "cite", "figure", "figcaption",
    "caption", "dl", "dt", "dd", "tbody", "thead", "section", "center", "font", "q", "s",
    "time", "mark", "address",
    //  Beyond the quick reader
    "html", "body", "head", "script", "style", "title", "o:p", "wbr", "col", "textarea",
    "foo", "x-y", "object", "embed", "meta", "xmp", "listing", "noscript"
};

static const char *s_attributes [] = {
    "href", "href", "class", "style", "title", "target", "id", "align", "width", "height",
    "rel", "src", "alt", "HREF", "data-x", "nowrap", "Class", "xml:lang", "frameborder",
    "allowfullscreen"
};

static const char *s_values [] = {
    "http://example.com/a", "https://x.org/p?a=1&b=2", "https://x.org/p?a=1&amp;b=2",
    "mailto:a@b", "javascript:alert(1)", "  http://pad/  ", "HTTP://UP/", "/relative",
    "", "x y", "line\nbreak", "tab\tx", "&quot;q&quot;", "&#8217;", "&rsquo;&hellip;",
    "caf\xc3\xa9", "\xe2\x80\x9cq\xe2\x80\x9d", "&amp", "&foo;", "&#x41;", "&#0;", "a>b",
    "a<b", "&copy=1", "&a.b;", "\xc2\x85", "&#13;", "560", "_blank", "nofollow noopener",
    "color:red", "&lt;&gt;", "a\rb", "&#65", "&#xD800;"
};

static const char *s_texts [] = {
    "word", "Some words here", "a", " ", "  ", "\n", "\t", " \n\t ", "\r\n", "\r", "\v",
    "\f", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&nbsp;", "&rsquo;", "&lsquo;",
    "&ldquo;", "&rdquo;", "&hellip;", "&mdash;", "&ndash;", "&#8217;", "&#x2019;", "&#169;",
    "&#0;", "&#13;", "&#10;", "&#128;", "&#x9F;", "&#xD800;", "&#1114112;", "&#xFFFE;",
    "&#65", "&amp", "&AMP;", "&foo;", "& ", "&", "&#;", "&#x;", "&a.b;", "&copy",
    "caf\xc3\xa9", "\xe2\x80\x99", "\xf0\x9f\x98\x80", "\xc2\xa0", "\xc2\x85",
    "\xef\xbf\xbe", "\xef\xb7\x90", "\xef\xbb\xbf", "\xe2\x80\xa8", "\x7f", "\x01",
    ">", "a > b", "<", "< x", "<!-- c -->", "<!DOCTYPE html>", "<?pi?>", "</>", "<>",
    "x;y", "\xff", "\xc3", "1 < 2"
};

//  A start tag of element name
static void
s_start_tag (buf_t *html, const char *name)
{
    buf_putc (html, '<');
    for (const char *c = name; *c; c++)
        buf_putc (html, s_random (8) == 0 ? (char) toupper ((unsigned char) *c) : *c);
    int count = s_random (4) ? (int) s_random (3) : (int) s_random (6);
    for (int a = 0; a < count; a++) {
        static const char *gaps [] = { " ", " ", " ", "  ", "\n", "\t", "", " \n " };
        buf_puts (html, PICK (gaps));
        buf_puts (html, PICK (s_attributes));
        if (s_random (8) == 0)
            continue;           //  No value
        static const char *equals [] = { "=", "=", "=", "=", " = ", "= ", " =" };
        buf_puts (html, PICK (equals));
        static const char *quotes [] = { "\"", "\"", "\"", "'", "" };
        const char *quote = PICK (quotes);
        buf_puts (html, quote);
        buf_puts (html, PICK (s_values));
        if (s_random (3) == 0)
            buf_puts (html, PICK (s_values));
        buf_puts (html, quote);
    }
    static const char *ends [] = { ">", ">", ">", ">", ">", " >", "/>", " />", "\n>", "" };
    buf_puts (html, PICK (ends));
}

//  Tidy markup as the feeds have it: known elements, quoted attributes,
//  entities, words; inline elements only inside blocks
static const char *s_tidy_blocks [] = {
    "p", "p", "p", "div", "blockquote", "h2", "h3", "ul", "ol", "li", "table", "tr", "td",
    "pre", "figure", "figcaption", "center", "section", "dl", "dt", "dd", "th", "tbody"
};
static const char *s_tidy_inline [] = {
    "a", "a", "em", "strong", "b", "i", "span", "sup", "sub", "br", "img", "code", "small",
    "iframe", "u", "cite", "font", "q", "time", "mark", "s"
};
static const char *s_tidy_attributes [] = {
    "href", "class", "style", "title", "target", "id", "width", "height", "rel", "src", "alt"
};
static const char *s_tidy_values [] = {
    "http://example.com/a", "https://x.org/p?a=1&amp;b=2", "https://x.org/p?a=1&b=2",
    "mailto:a@b", "x", "caption &amp; more", "560", "_blank", "nofollow", "color: red",
    "&quot;q&quot;", "caf\xc3\xa9", "", "a b", "/rel", "javascript:x", "&#8217;"
};
static const char *s_tidy_texts [] = {
    "word", "Some words here", " and ", "\n", "  ", "&amp;", "&lt;", "&gt;", "&quot;",
    "&nbsp;", "&rsquo;", "&hellip;", "&mdash;", "&#8217;", "&#x201C;", "caf\xc3\xa9",
    "\xe2\x80\x99", "\xf0\x9f\x98\x80", "\xc2\xa0", "a > b", "x;y", "&amp", "&foo;", "& ",
    "\t", "A"
};

static void
s_tidy_tag (buf_t *html, const char *name)
{
    buf_putc (html, '<');
    buf_puts (html, name);
    int count = (int) s_random (s_random (2) ? 1 : 4);
    for (int a = 0; a < count; a++) {
        buf_putc (html, ' ');
        buf_puts (html, s_tidy_attributes [(a + s_random (2) * 5 + s_random (4)) % 11]);
        const char *quote = s_random (5) ? "\"" : "'";
        buf_putc (html, '=');
        buf_puts (html, quote);
        buf_puts (html, PICK (s_tidy_values));
        buf_puts (html, quote);
    }
    buf_puts (html, s_random (10) ? ">" : " />");
}

static void
s_tidy (buf_t *html)
{
    const char *open [24];
    int depth = 0, inline_depth = 0;
    if (s_random (3) == 0)
        buf_puts (html, PICK (s_tidy_texts));
    int pieces = 1 + (int) s_random (30);
    for (int k = 0; k < pieces; k++) {
        uint32_t what = s_random (100);
        if (what < 30 && depth < 24) {
            bool block = inline_depth == 0 && s_random (2);
            const char *name = block ? PICK (s_tidy_blocks) : PICK (s_tidy_inline);
            s_tidy_tag (html, name);
            if (strcmp (name, "br") && strcmp (name, "img")) {
                open [depth++] = name;
                if (!block)
                    inline_depth++;
            }
        }
        else
        if (what < 55 && depth > 0) {
            const char *name = open [--depth];
            if (inline_depth)
                inline_depth--;
            buf_puts (html, "</");
            buf_puts (html, name);
            buf_puts (html, ">");
        }
        else {
            int words = 1 + (int) s_random (5);
            for (int w = 0; w < words; w++)
                buf_puts (html, s_random (2) ? "word " : PICK (s_tidy_texts));
        }
    }
    if (s_random (3))
        while (depth > 0) {
            buf_puts (html, "</");
            buf_puts (html, open [--depth]);
            buf_puts (html, ">");
        }
}

//  Random markup, mostly well nested, into html
static void
s_soup (buf_t *html)
{
    const char *open [40];
    int depth = 0;
    if (s_random (4) == 0)
        buf_puts (html, PICK (s_texts));
    int pieces = 1 + (int) s_random (s_random (4) ? 16 : 60);
    for (int k = 0; k < pieces; k++) {
        uint32_t what = s_random (100);
        if (what < 35 && depth < 40) {
            const char *name = s_random (6) ? s_elements [s_random (50)] : PICK (s_elements);
            s_start_tag (html, name);
            if (strcmp (name, "br") && strcmp (name, "img") && strcmp (name, "hr"))
                open [depth++] = name;
        }
        else
        if (what < 60 && depth > 0) {
            //  The innermost's end tag, mostly
            const char *name = s_random (10) ? open [--depth] : PICK (s_elements);
            buf_puts (html, s_random (20) ? "</" : "</ ");
            buf_puts (html, name);
            buf_puts (html, s_random (20) ? ">" : " >");
        }
        else
        if (what < 63) {
            buf_puts (html, "</");
            buf_puts (html, PICK (s_elements));
            buf_puts (html, ">");
        }
        else {
            //  Text: plain words mostly
            int words = 1 + (int) s_random (6);
            for (int w = 0; w < words; w++) {
                if (s_random (3))
                    buf_puts (html, s_random (2) ? "word" : " text ");
                else
                    buf_puts (html, s_random (4) ? s_texts [s_random (30)] : PICK (s_texts));
            }
        }
    }
    //  Close what is open, sometimes
    if (s_random (2))
        while (depth > 0) {
            buf_puts (html, "</");
            buf_puts (html, open [--depth]);
            buf_puts (html, ">");
        }
    if (s_random (5) == 0)
        buf_puts (html, PICK (s_texts));
}

static void
test_generated (void **state)
{
    size_t compared = s_compared, quick = s_quick;
    size_t total = 150000;
    const char *env = getenv ("HTML_FAST_INPUTS");
    if (env && atol (env) > 0)
        total = (size_t) atol (env);
    for (size_t n = 0; n < total; n++) {
        buf_t html;
        buf_init (&html);
        if (s_random (2))
            s_tidy (&html);
        else
            s_soup (&html);
        //  A NUL now and then
        if (s_random (500) == 0 && html.size)
            html.data [s_random ((uint32_t) html.size)] = 0;
        s_same (html.data ? html.data : "", html.size);
        buf_free (&html);
    }
    compared = s_compared - compared;
    quick = s_quick - quick;
    print_message ("%zu generated inputs, %zu (%.1f%%) read without libxml2\n",
                   compared, quick, 100.0 * (double) quick / (double) compared);
    assert_true (compared >= total);
    //  Half of the inputs are tidy, the other half a soup that leaves the
    //  quick reader mostly: at least a quarter must be read quickly
    assert_true (quick * 4 >= compared);
}

//  --------------------------------------------------------------------------
//  Cases the quick reader must read as libxml2 does, or leave to it

static void
test_cases (void **state)
{
    static const char *inputs [] = {
        "text", "  text", "\n\ttext <b>x</b> y", "text<p>para</p>tail", "<p>a</p>  <p>b</p>",
        "<p>a</p>\n", "<em>x</em> y", "x<br>y", "<br/>x<img src=\"a\" />y<br >",
        "<p>x</P><p>y</p>z", "<P CLASS=\"x\">y</P>", "<p class=x>y</p>",
        "<a href=\"http://x?a=1&b=2&amp;c&copy;&copy=1&#65;&#x42;&foo;\">t</a>",
        "<a href=\"  http://x/a b\tc\nd  \" title='a\"b'>x</a>", "<a href>x</a>",
        "<a href=\"\">x</a>", "<a href=\"javascript:x\">x</a>", "<a HREF='http://u'>u</a>",
        "<a href=\"http://a\" href=\"http://b\">x</a>", "<a href=\"http://a\"class=\"b\">x</a>",
        "<td nowrap a = \"1\" b='2'>c", "<p>a<div>b</div></p>", "<iframe src=\"x\"></iframe>t",
        "<iframe src=\"x\" width=\"560\" height=\"315\" allowfullscreen></iframe>",
        "<p><img src=\"a.jpg\" alt=\"A &amp; B\" width=\"10\"/></p>",
        "<blockquote><p>q</p></blockquote><p>after</p>", "<div class=\"x\"><p>a</p></div>",
        "<p>a <span style=\"color:red\">b</span> <sup>2</sup></p>", "<p>a<p>b",
        "<ul><li>a<li>b</ul>", "<ul><li>a</li><li>b</li></ul>", "<ol><li>1</li><li>2</li></ol>",
        "<table><tr><td>a</td><td>b</td></tr></table>", "<table><tr><td>a<td>b</table>",
        "<pre>\nx</pre>", "<pre>a\n  b</pre>", "<h1>t</h1>text", "<p>&#8217;&rsquo;&hellip;&nbsp;</p>",
        "&amp; x", "&nbsp;x", "&#65;", "x&", "x&amp", "x&amp;", "&#65", "a&lt", "&#x1F600;",
        "<p>&a.b; &AMP; &amp x &apos; &foo;bar &_x; &:y;</p>", "<p>a&#13;b</p>",
        "<p>a\r\nb</p>", "\xef\xbb\xbfx<p>bom</p>", "<p>\xef\xbb\xbfx</p>", "<span/>x",
        "<p/>x", "<div/>x", "<a/>x", "<p>x</p></p>", "</p>x", "<p>x</b>y</p>", "<b><p>x</p></b>",
        "<a href=\"http://a\"><p>x</p></a>", "<a href=\"http://a\">x<a href=\"http://b\">y</a></a>",
        "<p>x<table><tr><td>y</td></tr></table></p>", "<li>a</li>", "<tr><td>x</td></tr>",
        "<p>a<!-- c -->b</p>", "<!DOCTYPE html><p>a</p>", "<script>x</script>y", "<p>1 < 2</p>",
        "<p>a<o:p></o:p>b</p>", "<p>\xc2\x85</p>", "<p>\xef\xbf\xbe</p>", "<p>&#xFDD0;</p>",
        "<img src=\"a\">", "<hr>x", "<p>a<hr>b</p>", "<center>x</center>", "<font size=\"2\">x</font>",
        "<dl><dt>a</dt><dd>b</dd></dl>", "<table><tbody><tr><td>x</td></tr></tbody></table>",
        "<figure><img src=\"x\"><figcaption>c</figcaption></figure>",
        "<p>tail", "<p>x</p>   ", "   ", "\n", "<p>x</p><br>", "<br>", "<br><br>x",
        //  Start tags that close open elements first (htmlAutoClose)
        "<b>bold<p>x</p>", "<ul><li><p>x<li>y</ul>", "<p>a<hr>b", "text<p>x</p>",
        "<p><b>x<div>y</div></b></p>", "<p><em>x<div>y</div>z</em></p>", "<dl><dt>a<dd>b</dl>",
        "<h2>t<p>x</p></h2>", "<a href=\"http://a\">x<table><tr><td>y</td></tr></table>",
        "<table><tr><td>a<tr><td>b</table>", "<span>a<td>b</td></span>", "<pre>a<ul><li>b</ul>",
        "<small>a<p>b</p></small>", "<center><p>x</p></center>", "<li>a<li>b", "<p>a<p>b<p>c",
        "<ol><li>a<ol><li>b<li>c</ol><li>d</ol>", "<p>x<img src=\"a\"><p>y", "<p>x<br/><p>y",
        NULL
    };
    for (int i = 0; inputs [i]; i++)
        s_same_str (inputs [i]);
    //  A few the quick reader must take
    static const char *quick [] = {
        "text", "<p class=\"x\">a &rsquo; b</p>", "<p><img src=\"a.jpg\" alt=\"\" /></p>",
        "<iframe src=\"https://v/x\" width=\"560\" allowfullscreen></iframe>",
        "<blockquote><p>q</p></blockquote>", "<div><p>a</p><p>b &#8217;</p></div>",
        "x <b>y</b> &hellip;", "<p>a</p>\n<p>b</p>", "text<p>x</p>", "<ul><li>a<li>b</li></ul>",
        "<b>bold<p>x</p>", "<p>a<hr>b", NULL
    };
    for (int i = 0; quick [i]; i++)
        assert_true (html_quick_reads (quick [i], strlen (quick [i])));
    //  And a few it must leave to libxml2
    static const char *parsed [] = {
        "<p>a<div>b</div></p>", "<p>a<!-- c -->b</p>", "<!DOCTYPE html><p>a</p>",
        "<p>x</b>y</p>", "<p class=x>y</p>", "<p>1 < 2</p>", "<p>a\r\nb</p>", "<foo>x</foo>",
        "<p>&#65</p>", "<a href=\"a\" href=\"b\">x</a>", "\xef\xbb\xbfx<p>b</p>",
        "<ul><li>a<li>b</ul>", "<p>a<div>b</div></p>", NULL
    };
    for (int i = 0; parsed [i]; i++)
        assert_false (html_quick_reads (parsed [i], strlen (parsed [i])));
    //  NUL and invalid UTF-8
    s_same ("<p>a\0b</p>", 10);
    s_same ("<p>\xff\xfe</p>", 9);
    assert_false (html_quick_reads ("<p>a\0b</p>", 10));
    //  Long text and deep nesting
    buf_t html;
    buf_init (&html);
    for (int i = 0; i < 3000; i++)
        buf_puts (&html, "word &amp; ");
    s_same (html.data, html.size);
    buf_clear (&html);
    for (int i = 0; i < 300; i++)
        buf_puts (&html, i % 2 ? "<span>" : "<div>");
    buf_puts (&html, "deep");
    s_same (html.data, html.size);
    buf_free (&html);
}

//  --------------------------------------------------------------------------
//  Every text of every sample: the same, and how many the quick reader takes

static size_t s_markup, s_markup_quick;

static void
s_sample_text (const char *value, void *arg)
{
    (void) arg;
    size_t len = strlen (value);
    s_same (value, len);
    if (html_detect (value)) {
        s_markup++;
        if (html_quick_reads (value, len) && !html_is_sanitized (value, len))
            s_markup_quick++;
    }
}

static void
s_sample (const char *path, const char *name, const uint8_t *data, size_t size, void *arg)
{
    (void) path;
    (void) arg;
    collect_t collect = { 0 };
    collect_bytes (&collect, name, NULL, data, size);
    for (size_t s = 0; s < collect.stories.len; s++)
        collect_each_text (collect.stories.items [s], s_sample_text, NULL);
    collect_reset (&collect);
}

static void
test_samples (void **state)
{
    size_t files = (size_t) collect_each_sample (s_sample, NULL);
    print_message ("%zu sample files, %zu texts with markup, %zu (%.1f%%) of them read by the "
                   "quick reader and not already sanitized\n", files, s_markup, s_markup_quick,
                   s_markup ? 100.0 * (double) s_markup_quick / (double) s_markup : 0.0);
    assert_true (files >= 140);
    assert_true (s_markup_quick * 4 >= s_markup);
}

//  Every pair of elements the quick reader knows, the second opened
//  inside the first, and each after the other: which start tag closes
//  which open element comes from a table taken from libxml2 2.9.14, and
//  this checks it against the libxml2 the tests run with
static void
test_pairs (void **state)
{
    static const char *names [] = {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "ul", "ol", "li", "table", "tr",
        "td", "th", "a", "em", "strong", "b", "i", "br", "img", "span", "div", "blockquote",
        "iframe", "sup", "sub", "hr", "u", "small", "code", "cite", "figure", "figcaption",
        "caption", "dl", "dt", "dd", "thead", "tbody", "tfoot", "section", "article",
        "header", "footer", "aside", "nav", "main", "address", "center", "font", "s",
        "strike", "q", "abbr", "tt", "big", "del", "ins", "mark", "time", NULL
    };
    static const char *shapes [] = {
        "<%s>x<%s>y", "<%s>x <%s>y</%s>z", "<div><%s>x<%s class=\"c\">y</div>",
        "t<%s>x<%s>y"
    };
    size_t quick = s_quick;
    for (int a = 0; names [a]; a++)
        for (int b = 0; names [b]; b++)
            for (size_t k = 0; k < sizeof shapes / sizeof shapes [0]; k++) {
                char html [128];
                snprintf (html, sizeof html, shapes [k], names [a], names [b], names [b]);
                s_same (html, strlen (html));
            }
    //  Most of them are read without libxml2: the table is used
    assert_true ((s_quick - quick) * 2 >= 62 * 62 * 4);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_cases),
        cmocka_unit_test (test_samples),
        cmocka_unit_test (test_generated),
        cmocka_unit_test (test_pairs),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
