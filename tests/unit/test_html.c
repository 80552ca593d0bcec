//  SPDX-License-Identifier: MIT
//  html: HTML to text paragraphs, sanitizing against hostile markup,
//  detection
#include "common.h"
#include <openssl/evp.h>
#include <setjmp.h>
#include <cmocka.h>

static char *
s_text (const char *html)
{
    return html_to_text (html, strlen (html));
}

static char *
s_clean (const char *html)
{
    return html_sanitize (html, strlen (html));
}

static void
test_to_text (void **state)
{
    char *s = s_text ("<p>First   para\n graph.</p><p>Second &amp; last&nbsp;one.</p>");
    assert_string_equal (s, "First para graph.\n\nSecond & last\xc2\xa0one.");
    free (s);
    //  Scripts, styles, comments and frames are dropped with their content
    s = s_text ("<div>Hello<script>alert('x')</script><style>p{}</style>"
                "<!-- hidden --><iframe src=\"http://evil\">frame text</iframe> world</div>");
    assert_string_equal (s, "Hello world");
    free (s);
    //  Line breaks, two of them a paragraph; headings and lists
    s = s_text ("<h1>Title</h1>line one<br>line two<br/><br/>next para"
                "<ul><li>apples</li><li>pears</li></ul><ol><li>first</li><li>second</li></ol>");
    assert_string_equal (s, "Title\n\nline one\nline two\n\nnext para\n\n- apples\n\n- pears"
                            "\n\n1. first\n\n2. second");
    free (s);
    //  Tables: one row per paragraph, cells separated
    s = s_text ("<table><tr><th>Team</th><th>W</th></tr><tr><td>Hawks</td><td>10</td></tr></table>");
    assert_string_equal (s, "Team | W\n\nHawks | 10");
    free (s);
    //  Nested tables stay readable inside their cell
    s = s_text ("<table><tr><td>Outer<table><tr><td>a</td><td>b</td></tr>"
                "<tr><td>c</td><td>d</td></tr></table></td><td>right</td></tr></table>");
    assert_string_equal (s, "Outer / a | b / c | d | right");
    free (s);
    //  pre keeps its lines
    s = s_text ("<p>Results:</p><pre>A  1\nB  2</pre>");
    assert_string_equal (s, "Results:\n\nA  1\nB  2");
    free (s);
    //  Entities decoded exactly once
    s = s_text ("<p>&amp;lt;b&amp;gt; &#233;</p>");
    assert_string_equal (s, "&lt;b&gt; é");
    free (s);
    //  A full document with a head and a misleading charset
    s = s_text ("<html><head><meta charset=\"iso-8859-1\"><title>T</title></head>"
                "<body><p>Zürich</p></body></html>");
    assert_string_equal (s, "Zürich");
    free (s);
    s = html_to_text ("", 0);
    assert_string_equal (s, "");
    free (s);
    s = html_to_text (NULL, 0);
    assert_string_equal (s, "");
    free (s);
    //  Plain text passes through as one paragraph
    s = s_text ("just text");
    assert_string_equal (s, "just text");
    free (s);
}

//  True if every tag in sanitized output is in the allowed subset and the
//  only attribute is an http(s)/mailto href on <a>
static bool
s_only_allowed (const char *html)
{
    static const char *allowed [] = {
        "p", "h2", "ul", "ol", "li", "table", "tr", "td", "th", "a", "em",
        "strong", "br", "pre", NULL
    };
    for (const char *p = html; (p = strchr (p, '<')); p++) {
        const char *q = p + 1;
        if (*q == '/')
            q++;
        char name [16];
        size_t n = 0;
        while (n < sizeof name - 1 && isalnum ((unsigned char) q [n])) {
            name [n] = q [n];
            n++;
        }
        name [n] = 0;
        bool known = false;
        for (int i = 0; allowed [i]; i++)
            if (strcmp (allowed [i], name) == 0)
                known = true;
        if (!known)
            return false;
        const char *end = strchr (q, '>');
        if (!end)
            return false;
        if (q [n] != '>') {
            //  An attribute: only <a href="http(s)://..."> or mailto:
            if (strcmp (name, "a") != 0)
                return false;
            if (!str_starts (q + n, " href=\"http://")
            &&  !str_starts (q + n, " href=\"https://")
            &&  !str_starts (q + n, " href=\"mailto:"))
                return false;
            const char *close = strchr (q + n + 7, '"');
            if (!close || close + 1 != end)
                return false;
        }
    }
    return true;
}

static void
test_sanitize (void **state)
{
    char *s = s_clean ("<p class=\"x\" onclick=\"steal()\">Hi <b>bold</b> <i>it</i> "
                       "<a href=\"https://example.com/?a=1&amp;b=2\" onmouseover=\"x()\">link</a></p>");
    assert_string_equal (s, "<p>Hi <strong>bold</strong> <em>it</em> "
                            "<a href=\"https://example.com/?a=1&amp;b=2\">link</a></p>");
    free (s);
    //  Dangerous elements and URLs never survive
    const char *hostile [] = {
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
        NULL
    };
    for (int i = 0; hostile [i]; i++) {
        char *out = s_clean (hostile [i]);
        if (!s_only_allowed (out))
            fail_msg ("hostile input %d survived: %s -> %s", i, hostile [i], out);
        assert_non_null (strstr (out, "ok"));
        free (out);
    }
    //  Structure: headings to h2, divs unwrapped into paragraphs, lists, tables
    s = s_clean ("<h1>T</h1><div>loose <span>text</span></div><ul><li>a</li></ul>"
                 "<table><tbody><tr><td>1</td></tr></tbody></table><pre>x  y</pre>");
    assert_string_equal (s, "<h2>T</h2><p>loose text</p><ul><li>a</li></ul>"
                            "<table><tr><td>1</td></tr></table><pre>x  y</pre>");
    free (s);
    //  Text is escaped
    s = s_clean ("<p>1 &lt; 2 &amp; 3 &gt; 2</p>");
    assert_string_equal (s, "<p>1 &lt; 2 &amp; 3 &gt; 2</p>");
    free (s);
    s = s_clean ("");
    assert_string_equal (s, "");
    free (s);
    //  html_convert gives both from one parse, the same as each alone
    const char *both = "<h1>T</h1><p>a <b>b</b><script>x</script></p><table><tr><td>1</td></tr></table>";
    char *text = NULL, *safe = NULL;
    html_convert (both, strlen (both), &text, &safe);
    char *text1 = s_text (both), *safe1 = s_clean (both);
    assert_string_equal (text, text1);
    assert_string_equal (safe, safe1);
    free (text);
    free (safe);
    free (text1);
    free (safe1);
    html_convert ("", 0, &text, NULL);
    assert_string_equal (text, "");
    free (text);
    //  Sanitizing is idempotent
    const char *inputs [] = {
        "<p>a<b>b</b></p><div>c<br>d</div>", "<table><tr><td><p>x</p></td></tr></table>",
        "text <a href=\"mailto:a@b.c\">mail</a>", "<ol><li><ul><li>n</li></ul></li></ol>", NULL
    };
    for (int i = 0; inputs [i]; i++) {
        char *once = s_clean (inputs [i]);
        char *twice = s_clean (once);
        assert_string_equal (once, twice);
        free (once);
        free (twice);
    }
}

static void
test_hostile_structure (void **state)
{
    //  Deep nesting and huge attribute soup do not crash or recurse unbounded
    buf_t deep;
    buf_init (&deep);
    for (int i = 0; i < 20000; i++)
        buf_puts (&deep, "<div><span>");
    buf_puts (&deep, "deep");
    char *t = html_to_text (deep.data, deep.size);
    char *c = html_sanitize (deep.data, deep.size);
    free (t);
    free (c);
    buf_free (&deep);
    //  Binary junk
    char junk [512];
    for (size_t i = 0; i < sizeof junk; i++)
        junk [i] = (char) ((i * 7919) & 0xFF);
    t = html_to_text (junk, sizeof junk);
    c = html_sanitize (junk, sizeof junk);
    free (t);
    free (c);
}

static void
test_detect (void **state)
{
    assert_true (html_detect ("<p>Hello</p>"));
    assert_true (html_detect ("line<br/>line"));
    assert_true (html_detect ("AT&amp;T"));
    assert_true (html_detect ("caf&#233;"));
    assert_true (html_detect ("<!-- c -->x"));
    assert_true (html_detect ("<DIV class=x>y</DIV>"));
    assert_false (html_detect ("a < b and c > d"));
    assert_false (html_detect ("AT&T and M&S"));
    assert_false (html_detect ("<notatag>"));
    assert_false (html_detect ("plain text"));
    assert_false (html_detect (NULL));
}

//  Inputs fuzz_html found (base64): each once broke idempotency of
//  sanitizing or cleaning
static const char *s_regressions [] = {
    "PHBhPHA+YTxiPmI8L2LjPDxwPmE8Yj5iZD54PC90ZD48L3RyPu+CGwDAYAAAPmK60J3Bw4uenWxlPjx0ZT48dHI+nD55PA==",
    "PHBEYTw+YTw8PmFhPD5hPDw+YTxCLmZmZmZmZsOLnp1sZT48dHI=",
    "YTw+Yj6goKA+oGHZPGI+pAEAAC88cD5hOj5iPqCgoD6goKA8dKSkw8OOPg==",
    "PHAA2AAAmcKF",
    "LTs8LT4AAGxlHjx1bD48PGxlPGItLT4+PmI+oKCgZT48dWw+IjwiIiIiPABwcmXiPAAAYGAAv28A//////8=",
    "PHA+YTxiPmJ0L3RhYmxlPjxhIGhyZWY9Imh0dHA6Ly94ImF5PC9sZT48ZWggcmFmPSJodHRwOi8veCIBYWJsZT48"
    "YSBocmVmPSJodHRwOi8veCJheTwvbGU+PGEgaHJlZoo9Imh0dHA6w3RhYiVs",
    NULL
};

static void
test_regressions (void **state)
{
    for (int i = 0; s_regressions [i]; i++) {
        const char *b64 = s_regressions [i];
        unsigned char raw [512];
        int n = EVP_DecodeBlock (raw, (const unsigned char *) b64, (int) strlen (b64));
        assert_true (n > 0);
        //  EVP_DecodeBlock counts padding bytes as data
        const char *pad = b64 + strlen (b64);
        while (pad > b64 && pad [-1] == '=') {
            n--;
            pad--;
        }
        char *input = text_utf8_repair ((const char *) raw, (size_t) n, NULL);
        char *safe = html_sanitize (input, strlen (input));
        char *twice = html_sanitize (safe, strlen (safe));
        assert_string_equal (safe, twice);
        char *text = html_to_text (input, strlen (input));
        char *body = text_clean_body (text, false);
        char *again = text_clean_body (body, false);
        assert_string_equal (body, again);
        char *decoded = text_decode_entities (input);
        char *line = text_clean_line (decoded);
        char *line2 = text_clean_line (line);
        if (line)
            assert_string_equal (line, line2);
        free (line2);
        free (line);
        free (decoded);
        free (again);
        free (body);
        free (text);
        free (twice);
        free (safe);
        free (input);
    }
}

//  Markup already in the sanitized form is read in one pass: the same
//  text and sanitized HTML as through libxml2, and only such markup is
static void
s_assert_same_as_parsed (const char *html)
{
    char *text, *safe, *parsed_text, *parsed_safe;
    html_convert (html, strlen (html), &text, &safe);
    html_convert_parsed (html, strlen (html), &parsed_text, &parsed_safe);
    assert_string_equal (text, parsed_text);
    assert_string_equal (safe, parsed_safe);
    free (text);
    free (safe);
    free (parsed_text);
    free (parsed_safe);
}

static void
test_sanitized_fast (void **state)
{
    static const char *sanitized [] = {
        "<p>One <em>two</em>, <strong>three</strong> &amp; four &lt;5&gt;.</p><h2>Head</h2>",
        "<p>line<br>next<br><br>para</p><pre>  col  a\n  col  b</pre>",
        "<ul><li>a</li><li><a href=\"https://example.com/?a=1&amp;b=2\">b</a></li></ul>"
        "<ol><li>x</li><li>y</li><li>z</li></ol>",
        "<table><tr><th>Team</th><th>W</th></tr><tr><td>Hawks<br>A</td><td>10</td></tr></table>",
        "<p></p><p><em></em>x</p><p>caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d \xc2\xa0 nbsp</p>",
        "<p>tab\there\nand newline</p><h2><a href=\"mailto:desk@example.com\">mail</a></h2>",
        NULL
    };
    for (int i = 0; sanitized [i]; i++) {
        assert_true (html_is_sanitized (sanitized [i], strlen (sanitized [i])));
        s_assert_same_as_parsed (sanitized [i]);
        char *again = s_clean (sanitized [i]);
        assert_string_equal (again, sanitized [i]);
        free (again);
    }
    //  What the XML parsers write: &quot; in text reads as '"'
    const char *quoted = "<p>&quot;Yes,&quot; he said.</p>";
    assert_false (html_is_sanitized (quoted, strlen (quoted)));
    s_assert_same_as_parsed (quoted);
    char *safe = s_clean (quoted);
    assert_string_equal (safe, "<p>\"Yes,\" he said.</p>");
    free (safe);
    //  Anything else goes through libxml2, with the same results
    static const char *other [] = {
        "<p>a<br/></p>", "<P>upper</P>", "<p class=\"x\">attr</p>", " <p>lead</p>",
        "<p>a</p> <p>b</p>", "<p><em>a</em> <strong>b</strong></p>", "<p>a<br> </p>",
        "<pre>\nfirst line</pre>", "<p>&nbsp;</p>", "<p>&#233;</p>", "<p>a > b</p>",
        "<ul><li><ul><li>nested</li></ul></li></ul>", "<p><a href=\"javascript:x\">j</a></p>",
        "<p><a href=\"http://a\"><a href=\"http://b\">b</a></a></p>", "<table><td>x</td></table>",
        "<p>unclosed", "<p>x</p></p>", "text", "<br>", "<p>\x01</p>", "<p>\xef\xbf\xbe</p>",
        "<p>\xc2\x85</p>", "<p>\xc3</p>",
        NULL
    };
    for (int i = 0; other [i]; i++) {
        assert_false (html_is_sanitized (other [i], strlen (other [i])));
        s_assert_same_as_parsed (other [i]);
    }
    //  Whatever html_sanitize writes reads back the same both ways
    static const char *inputs [] = {
        "<div>Hello <b>bold</b> and <i>it</i><script>x</script></div><h4>Sub</h4>",
        "<table><tr><td>a<table><tr><td>n</td></tr></table></td></tr></table>",
        "<ul>loose<li>item</li></ul><p>See <a href=\" HTTPS://x.org/\">x</a>.</p>",
        NULL
    };
    for (int i = 0; inputs [i]; i++) {
        char *clean = s_clean (inputs [i]);
        s_assert_same_as_parsed (clean);
        free (clean);
    }
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_to_text),
        cmocka_unit_test (test_sanitize),
        cmocka_unit_test (test_hostile_structure),
        cmocka_unit_test (test_detect),
        cmocka_unit_test (test_regressions),
        cmocka_unit_test (test_sanitized_fast),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
