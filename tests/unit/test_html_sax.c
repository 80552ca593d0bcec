//  SPDX-License-Identifier: MIT
//  html, differential: the one-pass SAX conversion of common/html.c gives
//  byte for byte what the tree walks before it gave (tests/unit/
//  html_oracle.h), on every text of every shared sample, on the whole
//  sample files read as HTML, on the inputs of test_html and on markup
//  built to reach the corners of libxml2's tree building (elements after
//  the root closed, a DOCTYPE in the middle, prefixed names, the nesting
//  and text-length limits, a start tag cut by the end of the input).
#include "common.h"
#include "ingest_collect.h"
#include "html_oracle.h"
#include <setjmp.h>
#include <cmocka.h>
#include "html_compare.h"

static size_t s_compared;       //  Inputs compared so far

//  Old and new agree on every entry point for html (len bytes)
static void
s_same (const char *html, size_t len, const char *where)
{
    char *old_text, *old_safe;
    html_old_convert_parsed (html, len, &old_text, &old_safe);
    html_expect_convert ("html_convert_parsed", html_convert_parsed, where, html, len,
                         old_text, old_safe);
    free (old_text);
    free (old_safe);

    char *old = html_old_to_text (html, len);
    char *now = html_to_text (html, len);
    html_expect_same ("html_to_text", where, html, len, old, now);
    free (old);
    free (now);
    old = html_old_sanitize (html, len);
    now = html_sanitize (html, len);
    html_expect_same ("html_sanitize", where, html, len, old, now);
    free (old);
    free (now);
    html_old_convert (html, len, &old_text, &old_safe);
    html_expect_convert ("html_convert", html_convert, where, html, len, old_text, old_safe);
    free (old_text);
    free (old_safe);
    s_compared++;
}

static void
s_same_str (const char *html)
{
    s_same (html, strlen (html), "a literal");
}

//  --------------------------------------------------------------------------
//  Every shared sample: its headlines, descriptions and bodies as ingest
//  gives them (before normalize), and the whole file read as HTML

static size_t s_html_texts;     //  Sample texts that look like HTML

static void
s_same_text (const char *value, void *where)
{
    s_same (value, strlen (value), (const char *) where);
    if (html_detect (value))
        s_html_texts++;
}

//  One sample: every story's texts, then the whole file read as HTML
static void
s_sample (const char *path, const char *name, const uint8_t *data, size_t size, void *arg)
{
    (void) arg;
    collect_t collect = { 0 };
    collect_bytes (&collect, name, NULL, data, size);
    for (size_t i = 0; i < collect.stories.len; i++)
        collect_each_text (collect.stories.items [i], s_same_text, (void *) path);
    collect_reset (&collect);
    s_same ((const char *) data, size, path);
}

static void
test_samples (void **state)
{
    size_t files = (size_t) collect_each_sample (s_sample, NULL);
    print_message ("%zu sample files, %zu inputs compared, %zu texts with markup\n",
                   files, s_compared, s_html_texts);
    assert_true (files >= 140);
    //  The rss2 and atom samples alone hold over 200 HTML fragments
    assert_true (s_html_texts >= 200);
}

//  --------------------------------------------------------------------------
//  The inputs of test_html

static void
test_unit_inputs (void **state)
{
    static const char *inputs [] = {
        "<p>First   para\n graph.</p><p>Second &amp; last&nbsp;one.</p>",
        "<div>Hello<script>alert('x')</script><style>p{}</style>"
        "<!-- hidden --><iframe src=\"http://evil\">frame text</iframe> world</div>",
        "<h1>Title</h1>line one<br>line two<br/><br/>next para"
        "<ul><li>apples</li><li>pears</li></ul><ol><li>first</li><li>second</li></ol>",
        "<table><tr><th>Team</th><th>W</th></tr><tr><td>Hawks</td><td>10</td></tr></table>",
        "<table><tr><td>Outer<table><tr><td>a</td><td>b</td></tr>"
        "<tr><td>c</td><td>d</td></tr></table></td><td>right</td></tr></table>",
        "<p>Results:</p><pre>A  1\nB  2</pre>",
        "<p>&amp;lt;b&amp;gt; &#233;</p>",
        "<html><head><meta charset=\"iso-8859-1\"><title>T</title></head>"
        "<body><p>Zürich</p></body></html>",
        "just text",
        "<p class=\"x\" onclick=\"steal()\">Hi <b>bold</b> <i>it</i> "
        "<a href=\"https://example.com/?a=1&amp;b=2\" onmouseover=\"x()\">link</a></p>",
        "<script>alert(1)</script><p>ok</p>",
        "<p>ok<img src=x onerror=alert(1)></p>",
        "<a href=\"javascript:alert(1)\">ok</a>",
        "<a href=\"  JaVa\tScRiPt:alert(1)\">ok</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">ok</a>",
        "<a href=\"vbscript:x\">ok</a>",
        "<iframe src=\"http://evil\"></iframe><p>ok</p>",
        "<object data=\"x.swf\"><embed src=\"x.swf\"></object><p>ok</p>",
        "<svg><script>alert(1)</script></svg><p>ok</p>",
        "<style>body{background:url(javascript:x)}</style><p>ok</p>",
        "<p style=\"background:url(javascript:x)\">ok</p>",
        "<form action=\"http://evil\"><input value=\"x\"><button>b</button></form><p>ok</p>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math><p>ok</p>",
        "<scr<script>ipt>alert(1)</script><p>ok</p>",
        "<p>ok</p><!-- <script>alert(1)</script> -->",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:x\"><p>ok</p>",
        "<base href=\"javascript:x\"><p>ok</p>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript><p>ok</p>",
        "<a href=\"https://x/\" onclick=\"x()\" style=\"y\">ok</a>",
        "<p onmouseover=alert(1)>ok</p><table background=\"javascript:x\"><tr><td>c</td></tr></table>",
        "<a href=\"http://x/&quot; onclick=&quot;alert(1)\">ok</a>",
        "<h1>T</h1><div>loose <span>text</span></div><ul><li>a</li></ul>"
        "<table><tbody><tr><td>1</td></tr></tbody></table><pre>x  y</pre>",
        "<p>1 &lt; 2 &amp; 3 &gt; 2</p>",
        "<h1>T</h1><p>a <b>b</b><script>x</script></p><table><tr><td>1</td></tr></table>",
        "<p>a<b>b</b></p><div>c<br>d</div>", "<table><tr><td><p>x</p></td></tr></table>",
        "text <a href=\"mailto:a@b.c\">mail</a>", "<ol><li><ul><li>n</li></ul></li></ol>",
        "<p>One <em>two</em>, <strong>three</strong> &amp; four &lt;5&gt;.</p><h2>Head</h2>",
        "<p>line<br>next<br><br>para</p><pre>  col  a\n  col  b</pre>",
        "<ul><li>a</li><li><a href=\"https://example.com/?a=1&amp;b=2\">b</a></li></ul>"
        "<ol><li>x</li><li>y</li><li>z</li></ol>",
        "<table><tr><th>Team</th><th>W</th></tr><tr><td>Hawks<br>A</td><td>10</td></tr></table>",
        "<p></p><p><em></em>x</p><p>caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d \xc2\xa0 nbsp</p>",
        "<p>tab\there\nand newline</p><h2><a href=\"mailto:desk@example.com\">mail</a></h2>",
        "<p>&quot;Yes,&quot; he said.</p>",
        "<p>a<br/></p>", "<P>upper</P>", "<p class=\"x\">attr</p>", " <p>lead</p>",
        "<p>a</p> <p>b</p>", "<p><em>a</em> <strong>b</strong></p>", "<p>a<br> </p>",
        "<pre>\nfirst line</pre>", "<p>&nbsp;</p>", "<p>&#233;</p>", "<p>a > b</p>",
        "<ul><li><ul><li>nested</li></ul></li></ul>", "<p><a href=\"javascript:x\">j</a></p>",
        "<p><a href=\"http://a\"><a href=\"http://b\">b</a></a></p>", "<table><td>x</td></table>",
        "<p>unclosed", "<p>x</p></p>", "text", "<br>", "<p>\x01</p>", "<p>\xef\xbf\xbe</p>",
        "<p>\xc2\x85</p>", "<p>\xc3</p>",
        "<div>Hello <b>bold</b> and <i>it</i><script>x</script></div><h4>Sub</h4>",
        "<table><tr><td>a<table><tr><td>n</td></tr></table></td></tr></table>",
        "<ul>loose<li>item</li></ul><p>See <a href=\" HTTPS://x.org/\">x</a>.</p>",
        "AT&amp;T", "caf&#233;", "<!-- c -->x", "<DIV class=x>y</DIV>", "a < b and c > d",
        NULL
    };
    for (int i = 0; inputs [i]; i++)
        s_same_str (inputs [i]);
    s_same ("", 0, "empty");
    s_same (NULL, 0, "NULL");
}

//  --------------------------------------------------------------------------
//  Corners of the tree libxml2's SAX2 callbacks build from the events

static void
test_tree_corners (void **state)
{
    static const char *inputs [] = {
        //  Elements after the root closed go into the root, unless a
        //  DOCTYPE, comment or PI came first: then beside it
        "<p>a</p></html><p>b</p>", "<p>a</p></html>tail<ol><li>x</li></ol>",
        "<table><tr><td>a</td></tr></table></html><td>b</td>",
        "<ul><li>a</li></ul></html><li>b</li><li>c</li>",
        "<!DOCTYPE html><p>a</p></html><p>b</p>",
        "<!-- c --><p>a</p></html><p>b</p>", "<?pi x?><p>a</p></html><p>b</p>",
        "<p>a</p></html><!DOCTYPE x><p>b</p>", "<p>a</html><p>b<!DOCTYPE x>c</p><p>d</p>",
        "<p>a</html><!-- c --><p>b</p></html><p>c</p>", "<html><body></body></html>x</html>y",
        "<p>a<!DOCTYPE x>b</p>", "<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01//EN\"><body>"
        " <p>a</p> <b>x</b> </body>",
        "<html> <head> <title>t</title> </head> <body> <p> a </p> </body> </html> ",
        "<html><html>x", "<head><p>x</head>y", "<body><body>x</body></body>y", "</html>x",
        "x</html>y", "<title>t</title>text", "<p/>x", "<body/>x", "<p>x<body/>y</p>z",
        //  Text nodes: comments and PIs split them, a DOCTYPE does not
        "<p>a<!--c-->b</p>", "<p> <!--c--> </p>", "<ul>  <!-- x -->  <li>a</li> x </ul>",
        "<table> <!--c--> <tr> x <td>a</td> </tr></table>", "<p>a<?pi?>b</p>",
        "<ol> <li>a</li> <!----> <li>b</li></ol>",
        //  Prefixed names: the tree keeps the part after the first colon
        "<o:p>x</o:p>", "<p>a<o:p></o:p>b</p>", "<ol><li>a<li>b<x:li>c</x:li></ol>",
        "<ol><o:li>a</o:li><li>b</li></ol>", "<:p>x</:p>", "<a:>x</a:>", "<h1:x>t</h1:x>",
        "<x:h1>t</x:h1>", "<svg:rect>t</svg:rect>", "<b:script>x</b:script>y", "<x:br>a",
        "<a:b:c>x</a:b:c>", "<x:a href=\"http://a\">l</x:a>", "<X:TD>c</X:TD>",
        "<_x>a</_x>", "<.x>a", "<p.x>a",
        //  Links: valueless, empty, repeated, upper-case, prefixed href
        "<a href>x</a>", "<a href=\"\">x</a>", "<a href=\"http://a\" href=\"javascript:x\">x</a>",
        "<a href=\"javascript:x\" href=\"http://a\">x</a>", "<a HREF=\"http://a\">x</a>",
        "<a xlink:href=\"http://a\">x</a>", "<a href=http://a/b?c=d&e>x</a>",
        "<a href='mailto:x@y'>m</a>", "<a href=\"http://a\"><b>x</b></a>",
        "<ul><a href=\"http://a\">x</a></ul>", "<table><a href=\"http://a\">x</a></table>",
        //  Start tags cut by the end of the input
        "<p>a<b", "<p>a<b c=\"d\"", "<p><body", "<ul><li>a<li", "<table><tr><td>a<td",
        "<div><p>x</p><a href=\"http://a\"", "<p>x<br/>y</br>z", "</br>", "<p></",
        //  Tables, lists, preformatted text
        "<table><tr><td>a<td>b<tr><td>c</table>", "<pre>\r\nx\r\ny</pre>", "<pre>a\rb\r</pre>",
        "<pre>\n\nx</pre>", "<xmp>a<b>c</xmp>", "<listing>a\nb</listing>", "<plaintext>a<p>b",
        "<li>a</li><li>b</li>", "<ol><li>1<ol><li>a</li></ol></li><li>2</li></ol>",
        "<ol><li>a</li><p>x</p><li>b</li></ol>", "<dl><dt>a<dd>b</dl>", "<tr><td>x</td></tr>",
        "<td>x</td><td>y</td>", "<th>h</th>", "<caption>c</caption>",
        //  Script and style content, entities, odd bytes
        "<script>a</script>b", "<style>x</style>", "x<script>a</p>b</script>y",
        "<script>a</scr</script>b", "<style>a", "<textarea>a<b>c</textarea>d",
        "a&amp;b&#0;c&#x110000;d&bogus;e&", "&nbsp;", " \n\t ", "<", "</p>", "< p>", "<<p>>",
        "&lt;p&gt;", "<p>&#13;&#10;x</p>", "<p>\r\n</p>", "\xef\xbb\xbf<p>bom</p>",
        "<p>a\xc2\xa0" "b</p>", "<p>\xe2\x80\xa8x</p>",
        NULL
    };
    for (int i = 0; inputs [i]; i++)
        s_same_str (inputs [i]);
    //  Bytes libxml2 is not told about: NUL, invalid UTF-8
    s_same ("<p>a\0b</p>", 10, "NUL in text");
    s_same ("<p>\xff\xfe</p>", 9, "invalid UTF-8");
}

//  Every element the walks know (the old lists), in upper case too and
//  prefixed, in the places that treat elements differently
static void
test_every_element (void **state)
{
    const char **lists [] = { old_dropped, old_blocks, old_kept, old_inline_kept };
    static const char *more [] = {
        "b", "i", "h1", "h3", "h6", "h7", "span", "font", "tbody", "thead", "u", "hx",
        "listing", "xmp", "plaintext", "strongest", "em2", "blockquotes", NULL
    };
    static const char *templates [] = {
        "<%s>a</%s>b", "<p>a<%s>b</%s>c</p>", "<ul><%s>a</%s><li>b</li></ul>",
        "<table><%s>a</%s><tr><%s>b</%s><td>c</td></tr></table>",
        "<table><tr><td>a</td><%s>b</%s></tr></table>",
        "<ol><li>1</li><%s><li>2</li></%s><li>3</li></ol>",
        "<a href=\"http://a\"><%s>l</%s></a>", "<pre><%s>a\nb</%s></pre>",
        "<%s><br>a<br><br>b</%s>", "x<%s> </%s>y", "<em>a<%s>b</%s></em>",
        NULL
    };
    for (int l = 0; l < 5; l++) {
        const char **names = l < 4 ? lists [l] : more;
        for (int n = 0; names [n]; n++)
            for (int variant = 0; variant < 3; variant++) {
                char name [64];
                if (variant == 2)
                    snprintf (name, sizeof name, "o:%s", names [n]);
                else {
                    snprintf (name, sizeof name, "%s", names [n]);
                    for (char *p = name; variant == 1 && *p; p++)
                        *p = (char) toupper ((unsigned char) *p);
                }
                for (int t = 0; templates [t]; t++) {
                    char html [512];
                    snprintf (html, sizeof html, templates [t], name, name, name, name);
                    s_same (html, strlen (html), name);
                }
            }
    }
}

//  Escaping and white space at every offset around the 16-byte blocks
//  the conversion scans at once, in text and in a link
static void
test_runs (void **state)
{
    static const char *specials [] = {
        "&amp;", "&lt;", ">", "\"", "&quot;", "\r", "\r\n", "\x01", "\x7f", "\xc2\x85",
        "\xc2\xa0", "\xc2", "\xc2\x80", "\xc2\x9f", "\xc2\xbf", "\n", "\t", "\v", "\f", " ",
        "  ", " \n ", "\xe2\x80\x9c", "&#133;", "&#159;", NULL
    };
    static const char *containers [] = {
        "<p>%s</p>", "<pre>%s</pre>", "<table><tr><td>%s</td></tr></table>", "%s",
        "<p><a href=\"http://x/%s\">l</a></p>", "<ul>%s</ul>", NULL
    };
    for (int c = 0; containers [c]; c++)
        for (int k = 0; specials [k]; k++)
            for (int at = 0; at < 36; at++) {
                char text [128];
                snprintf (text, sizeof text, "%.*s%s%s", at,
                          "abcdefghij klmnopqrstuvwxyz0123456789ABCDEFGHIJ", specials [k],
                          "tail of twenty bytes");
                char html [256];
                snprintf (html, sizeof html, containers [c], text);
                s_same (html, strlen (html), specials [k]);
            }
    //  Words and white space drawn at random
    static const char *pieces [] = {
        "w", "word", " ", "  ", "\n", "\t", " \n\t ", "\r\n", "<br>", "<b>b</b>", "&amp;",
        "<!--c-->", "\xc2\xa0", "\v", "\f", NULL
    };
    uint32_t seed = 12345;
    for (int round = 0; round < 3000; round++) {
        buf_t html;
        buf_init (&html);
        seed = seed * 1103515245u + 12345u;
        buf_puts (&html, containers [(seed >> 16) % 6] [0] == '<' && (seed >> 20) % 2
                         ? "<p>" : "<div>");
        int count = 1 + (int) ((seed >> 8) % 12);
        for (int i = 0; i < count; i++) {
            seed = seed * 1103515245u + 12345u;
            buf_puts (&html, pieces [(seed >> 16) % 15]);
        }
        s_same (html.data, html.size, "random words");
        buf_free (&html);
    }
}

//  libxml2 stops building at 256 nested nodes and at a 10 MB text node;
//  the walks stop at 200 levels. Around each limit, with content after.
static void
test_limits (void **state)
{
    //  As the document's first nodes, and after a root that closed (its
    //  children then one level deeper), with or without a DOCTYPE
    const char *prefixes [] = {
        "", "<p>r</p></html>", "<!DOCTYPE html><p>r</p></html>", "<p>r</p></html><!DOCTYPE x>"
    };
    const char *tags [] = { "div", "b", "li", "script", "ol", "table" };
    for (size_t f = 0; f < sizeof prefixes / sizeof prefixes [0]; f++)
    for (size_t t = 0; t < sizeof tags / sizeof tags [0]; t++)
        for (int n = 195; n <= 262; n++) {
            if (n > 205 && n < 250)
                continue;
            buf_t html;
            buf_init (&html);
            buf_puts (&html, prefixes [f]);
            for (int i = 0; i < n; i++)
                buf_printf (&html, "<%s>x%d ", tags [t], i);
            buf_puts (&html, "deep<li>1</li><br>end");
            for (int i = 0; i < n; i++)
                buf_printf (&html, "</%s>", tags [t]);
            buf_puts (&html, "<p>after</p>");
            char *where = xasprintf ("%d nested %s after '%s'", n, tags [t], prefixes [f]);
            s_same (html.data, html.size, where);
            free (where);
            buf_free (&html);
        }
    buf_t deep;
    buf_init (&deep);
    for (int i = 0; i < 20000; i++)
        buf_puts (&deep, "<div><span>");
    buf_puts (&deep, "deep");
    s_same (deep.data, deep.size, "20000 nested div span");
    buf_free (&deep);

    //  One text node just under and just over 10,000,000 bytes
    for (int over = 0; over < 2; over++) {
        buf_t big;
        buf_init (&big);
        buf_puts (&big, "<p>start ");
        size_t target = 10000000 - 6 + (size_t) over * 10;
        while (big.size < target)
            buf_puts (&big, "word ");
        buf_puts (&big, "<b>x</b> tail</p><p>after</p>");
        s_same (big.data, big.size, over ? "text over 10 MB" : "text under 10 MB");
        buf_free (&big);
    }
}

//  A long non-ASCII entity-like name ("&i" and up to 160 letters, in
//  Latin-1 that the repair makes UTF-8): the parser reads it whole
//  wherever it falls (found by fuzz_html_diff when the oracle still used
//  libxml2's UTF-8 converter, which cut such a name where its input
//  pieces met)
static void
test_long_names (void **state)
{
    for (int words = 0; words < 400; words += 3)
        for (int letters = 40; letters <= 160; letters += 40) {
            buf_t html;
            buf_init (&html);
            buf_puts (&html, "<p>");
            for (int i = 0; i < words; i++)
                buf_puts (&html, "word ");
            buf_puts (&html, "&i");
            for (int i = 0; i < letters; i++)
                buf_putc (&html, (char) 0xEF);    //  Latin-1 ï, invalid UTF-8
            buf_puts (&html, "nfin; end</p>");
            s_same (html.data, html.size, "long entity-like name");
            char *text = html_to_text (html.data, html.size);
            buf_t want;
            buf_init (&want);
            buf_puts (&want, "&i");
            for (int i = 0; i < letters; i++)
                buf_puts (&want, "\xc3\xaf");
            buf_puts (&want, "nfin; end");
            assert_non_null (strstr (text, want.data));
            free (text);
            buf_free (&want);
            buf_free (&html);
        }
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_samples),
        cmocka_unit_test (test_unit_inputs),
        cmocka_unit_test (test_tree_corners),
        cmocka_unit_test (test_every_element),
        cmocka_unit_test (test_runs),
        cmocka_unit_test (test_limits),
        cmocka_unit_test (test_long_names),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
