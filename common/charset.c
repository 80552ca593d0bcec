//  SPDX-License-Identifier: MIT
//  charset - bytes in any encoding to UTF-8 (see charset.h)

#include "common.h"
#include "charset.h"
#include <iconv.h>
#include <uchardet/uchardet.h>

//  CP1252 bytes 0x80-0x9F as code points (0 = undefined in CP1252, which
//  we then map to the C1 control of the same value, dropped later)
static const uint16_t s_cp1252 [32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178
};

static void
s_put_utf8 (buf_t *out, uint32_t cp)
{
    char bytes [4];
    int n;
    if (cp < 0x80) {
        bytes [0] = (char) cp;
        n = 1;
    }
    else
    if (cp < 0x800) {
        bytes [0] = (char) (0xC0 | (cp >> 6));
        bytes [1] = (char) (0x80 | (cp & 0x3F));
        n = 2;
    }
    else
    if (cp < 0x10000) {
        bytes [0] = (char) (0xE0 | (cp >> 12));
        bytes [1] = (char) (0x80 | ((cp >> 6) & 0x3F));
        bytes [2] = (char) (0x80 | (cp & 0x3F));
        n = 3;
    }
    else {
        bytes [0] = (char) (0xF0 | (cp >> 18));
        bytes [1] = (char) (0x80 | ((cp >> 12) & 0x3F));
        bytes [2] = (char) (0x80 | ((cp >> 6) & 0x3F));
        bytes [3] = (char) (0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_append (out, bytes, (size_t) n);
}

//  Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid
static int
s_utf8_seq (const uint8_t *p, size_t left)
{
    uint8_t c = p [0];
    if (c < 0x80)
        return 1;
    int n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    }
    else
    if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    }
    else
    if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    }
    else
        return 0;
    if ((size_t) n > left)
        return 0;
    for (int i = 1; i < n; i++) {
        if ((p [i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p [i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))
    ||  (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

bool
charset_utf8_valid (const uint8_t *data, size_t size)
{
    size_t i = 0;
    while (i < size) {
        //  Runs of ASCII 8 bytes at a time
        while (i + 8 <= size) {
            uint64_t word;
            memcpy (&word, data + i, 8);
            if (word & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= size)
            break;
        if (data [i] < 0x80) {
            i++;
            continue;
        }
        int n = s_utf8_seq (data + i, size - i);
        if (!n)
            return false;
        i += (size_t) n;
    }
    return true;
}

bool
charset_utf8_multibyte (const uint8_t *data, size_t size)
{
    bool multi = false;
    size_t i = 0;
    while (i < size) {
        if (data [i] < 0x80) {
            i++;
            continue;
        }
        int n = s_utf8_seq (data + i, size - i);
        if (!n)
            return false;
        multi = true;
        i += (size_t) n;
    }
    return multi;
}

const char *
charset_bom (const uint8_t *data, size_t size, size_t *bom_size)
{
    *bom_size = 0;
    if (size >= 4 && data [0] == 0xFF && data [1] == 0xFE && data [2] == 0 && data [3] == 0) {
        *bom_size = 4;
        return "UTF-32LE";
    }
    if (size >= 4 && data [0] == 0 && data [1] == 0 && data [2] == 0xFE && data [3] == 0xFF) {
        *bom_size = 4;
        return "UTF-32BE";
    }
    if (size >= 3 && data [0] == 0xEF && data [1] == 0xBB && data [2] == 0xBF) {
        *bom_size = 3;
        return "UTF-8";
    }
    if (size >= 2 && data [0] == 0xFF && data [1] == 0xFE) {
        *bom_size = 2;
        return "UTF-16LE";
    }
    if (size >= 2 && data [0] == 0xFE && data [1] == 0xFF) {
        *bom_size = 2;
        return "UTF-16BE";
    }
    return NULL;
}

char *
charset_canonical (const char *label, char *out, size_t out_size)
{
    //  Lower-case, trim, drop quotes
    size_t j = 0;
    for (const char *p = label; *p && j + 1 < out_size; p++) {
        if (*p == '"' || *p == '\'' || isspace ((unsigned char) *p))
            continue;
        out [j++] = (char) tolower ((unsigned char) *p);
    }
    out [j] = 0;
    static const struct { const char *alias; const char *name; } aliases [] = {
        { "utf8", "utf-8" }, { "unicode-1-1-utf-8", "utf-8" },
        { "latin1", "iso-8859-1" }, { "latin-1", "iso-8859-1" }, { "l1", "iso-8859-1" },
        { "iso8859-1", "iso-8859-1" }, { "iso_8859-1", "iso-8859-1" },
        { "iso88591", "iso-8859-1" }, { "us-ascii", "iso-8859-1" }, { "ascii", "iso-8859-1" },
        { "iso8859-15", "iso-8859-15" }, { "iso_8859-15", "iso-8859-15" }, { "latin9", "iso-8859-15" },
        { "cp1252", "windows-1252" }, { "x-cp1252", "windows-1252" },
        { "cp1250", "windows-1250" }, { "cp1251", "windows-1251" },
        { "cp1255", "windows-1255" }, { "cp1256", "windows-1256" },
        { "x-sjis", "shift_jis" }, { "sjis", "shift_jis" }, { "shift-jis", "shift_jis" },
        { "ms_kanji", "shift_jis" }, { "koi8r", "koi8-r" }, { "euc_jp", "euc-jp" },
        { "gb2312", "gb18030" }, { "gbk", "gb18030" }, { "x-gbk", "gb18030" },
        { "big5-hkscs", "big5-hkscs" }, { "x-big5", "big5" },
        { "utf16", "utf-16" }, { "ucs-2", "utf-16" },
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases [0]; i++)
        if (strcmp (out, aliases [i].alias) == 0) {
            snprintf (out, out_size, "%s", aliases [i].name);
            break;
        }
    return out;
}

char *
charset_xml_declared (const uint8_t *data, size_t size, char *out, size_t out_size)
{
    size_t bom;
    charset_bom (data, size, &bom);
    size_t i = bom;
    while (i < size && isspace (data [i]))
        i++;
    if (size - i < 6 || memcmp (data + i, "<?xml", 5) != 0)
        return NULL;
    size_t end = i;
    while (end < size && end < i + 512 && data [end] != '>')
        end++;
    const char *decl = (const char *) data + i;
    size_t len = end - i;
    const char *enc = memmem (decl, len, "encoding", 8);
    if (!enc)
        return NULL;
    const char *p = enc + 8;
    const char *stop = decl + len;
    while (p < stop && (isspace ((unsigned char) *p) || *p == '='))
        p++;
    if (p >= stop || (*p != '"' && *p != '\''))
        return NULL;
    char quote = *p++;
    const char *q = p;
    while (q < stop && *q != quote)
        q++;
    if (q >= stop || q == p || (size_t) (q - p) >= out_size)
        return NULL;
    memcpy (out, p, (size_t) (q - p));
    out [q - p] = 0;
    return out;
}

//  Single-byte charsets: a declared one loses to valid multi-byte UTF-8
static bool
s_single_byte (const char *name)
{
    return str_starts (name, "iso-8859-") || str_starts (name, "windows-125")
        || str_starts (name, "koi8") || strcmp (name, "macintosh") == 0
        || str_starts (name, "cp8") || str_starts (name, "ibm");
}

//  Bytes >= 0x80 in data
static size_t
s_high_bytes (const uint8_t *data, size_t size)
{
    size_t count = 0;
    for (size_t i = 0; i < size; i++)
        count += data [i] >= 0x80;
    return count;
}

//  Decode with CP1252 (also used for ISO-8859-1)
static void
s_decode_cp1252 (const uint8_t *data, size_t size, buf_t *out)
{
    buf_reserve (out, size + size / 4);
    for (size_t i = 0; i < size; i++) {
        uint8_t c = data [i];
        if (c < 0x80)
            buf_putc (out, (char) c);
        else
        if (c < 0xA0)
            s_put_utf8 (out, s_cp1252 [c - 0x80] ? s_cp1252 [c - 0x80] : c);
        else
            s_put_utf8 (out, c);
    }
}

//  Valid UTF-8 kept as is; each invalid byte decoded as CP1252 (mixed
//  encodings in one file happen when feeds are concatenated)
static void
s_decode_utf8_repair (const uint8_t *data, size_t size, buf_t *out)
{
    buf_reserve (out, size);
    size_t i = 0;
    while (i < size) {
        int n = data [i] < 0x80 ? 1 : s_utf8_seq (data + i, size - i);
        if (n) {
            buf_append (out, data + i, (size_t) n);
            i += (size_t) n;
        }
        else {
            s_decode_cp1252 (data + i, 1, out);
            i++;
        }
    }
}

//  Decode with iconv; undecodable bytes become U+FFFD. Returns 0 if the
//  conversion was clean, 1 if bytes were replaced, -1 if iconv does not know
//  the charset.
static int
s_decode_iconv (const char *charset, const uint8_t *data, size_t size, buf_t *out)
{
    iconv_t cd = iconv_open ("UTF-8", charset);
    if (cd == (iconv_t) -1)
        return -1;
    int replaced = 0;
    char *in = (char *) data;
    size_t inleft = size;
    char chunk [8192];
    while (inleft > 0) {
        char *o = chunk;
        size_t oleft = sizeof chunk;
        size_t rc = iconv (cd, &in, &inleft, &o, &oleft);
        buf_append (out, chunk, sizeof chunk - oleft);
        if (rc == (size_t) -1) {
            if (errno == E2BIG)
                continue;
            //  EILSEQ or EINVAL (truncated): replace one byte and go on
            s_put_utf8 (out, 0xFFFD);
            in++;
            inleft--;
            replaced = 1;
            iconv (cd, NULL, NULL, NULL, NULL);
        }
    }
    char *o = chunk;
    size_t oleft = sizeof chunk;
    iconv (cd, NULL, NULL, &o, &oleft);
    buf_append (out, chunk, sizeof chunk - oleft);
    iconv_close (cd);
    return replaced;
}

//  uchardet's guess, lower-cased canonical, or empty
static void
s_guess (const uint8_t *data, size_t size, char *out, size_t out_size)
{
    out [0] = 0;
    uchardet_t detector = uchardet_new ();
    if (!detector)
        return;
    size_t sample = size > 256 * 1024 ? 256 * 1024 : size;
    if (uchardet_handle_data (detector, (const char *) data, sample) == 0) {
        uchardet_data_end (detector);
        const char *name = uchardet_get_charset (detector);
        if (name && *name)
            charset_canonical (name, out, out_size);
    }
    uchardet_delete (detector);
}

char *
charset_decode (const uint8_t *data, size_t size, const char *declared,
                const char *fallback, size_t *out_size,
                charset_result_t *result, strv_t *warnings)
{
    charset_result_t local;
    if (!result)
        result = &local;
    memset (result, 0, sizeof *result);
    buf_t out;
    buf_init (&out);
    buf_reserve (&out, size);

    char declared_name [48] = "";
    if (!str_empty (declared))
        charset_canonical (declared, declared_name, sizeof declared_name);
    char fallback_name [48] = "windows-1252";
    if (!str_empty (fallback))
        charset_canonical (fallback, fallback_name, sizeof fallback_name);
    if (strcmp (fallback_name, "iso-8859-1") == 0)
        snprintf (fallback_name, sizeof fallback_name, "windows-1252");

    const char *used = NULL;
    size_t bom = 0;
    const char *bom_name = charset_bom (data, size, &bom);
    const uint8_t *text = data + bom;
    size_t text_size = size - bom;
    result->bom = bom;

    if (bom_name) {
        if (strcmp (bom_name, "UTF-8") == 0) {
            if (charset_utf8_valid (text, text_size))
                buf_append (&out, text, text_size);
            else {
                s_decode_utf8_repair (text, text_size, &out);
                result->replaced = true;
            }
            used = "utf-8";
        }
        else {
            if (s_decode_iconv (bom_name, text, text_size, &out) > 0)
                result->replaced = true;
            used = bom_name;
        }
        if (declared_name [0] && strcmp (declared_name, "utf-8") != 0
        &&  !str_starts (declared_name, "utf-16") && !str_starts (declared_name, "utf-32")
        &&  !str_ieq (declared_name, bom_name))
            result->declared_ignored = true;
    }
    else
    if (charset_utf8_valid (text, text_size)
    &&  (!declared_name [0] || strcmp (declared_name, "utf-8") == 0
         || s_single_byte (declared_name))) {
        //  Valid UTF-8: declared UTF-8, nothing declared, or a single-byte
        //  label on what is really UTF-8 (or pure ASCII, where both agree)
        buf_append (&out, text, text_size);
        bool declared_other = declared_name [0] && strcmp (declared_name, "utf-8") != 0;
        if (declared_other && charset_utf8_multibyte (text, text_size)) {
            result->declared_ignored = true;
            used = "utf-8";
        }
        else
            used = declared_other ? declared_name : "utf-8";
    }
    else
    if (declared_name [0] && strcmp (declared_name, "utf-8") == 0) {
        //  Declared UTF-8 but not valid: keep the valid part, repair the rest
        s_decode_utf8_repair (text, text_size, &out);
        result->replaced = true;
        used = "utf-8";
    }
    else
    if (declared_name [0]) {
        const char *name = declared_name;
        if (strcmp (name, "iso-8859-1") == 0 || strcmp (name, "windows-1252") == 0) {
            s_decode_cp1252 (text, text_size, &out);
            used = strcmp (name, "iso-8859-1") == 0 ? "iso-8859-1" : "windows-1252";
        }
        else {
            int rc = s_decode_iconv (name, text, text_size, &out);
            if (rc == 0)
                used = name;
            else {
                //  Unknown or wrong label: detect instead
                buf_clear (&out);
                result->declared_ignored = true;
            }
        }
    }
    if (!used && out.size == 0 && text_size > 0) {
        if (charset_utf8_valid (text, text_size)) {
            buf_append (&out, text, text_size);
            used = declared_name [0] ? declared_name : "utf-8";
        }
        else {
            //  Not UTF-8: ask uchardet, trust it for what CP1252 cannot be
            char guess [48];
            s_guess (text, text_size, guess, sizeof guess);
            bool usable = guess [0]
                && strcmp (guess, "utf-8") != 0
                && strcmp (guess, "iso-8859-1") != 0
                && strcmp (guess, "windows-1252") != 0
                && strcmp (guess, "iso-8859-15") != 0;
            //  A single-byte guess from a handful of high bytes is a coin
            //  toss between neighbours (short Latin-1 text reads as
            //  windows-1250): below 32 high bytes only a multi-byte guess,
            //  whose byte pairs are real evidence, beats the fallback
            if (usable && s_single_byte (guess) && s_high_bytes (text, text_size) < 32)
                usable = false;
            if (usable && s_decode_iconv (guess, text, text_size, &out) == 0) {
                snprintf (result->used, sizeof result->used, "%s", guess);
                used = result->used;
            }
            else {
                buf_clear (&out);
                if (strcmp (fallback_name, "windows-1252") == 0)
                    s_decode_cp1252 (text, text_size, &out);
                else
                if (s_decode_iconv (fallback_name, text, text_size, &out) < 0) {
                    buf_clear (&out);
                    s_decode_cp1252 (text, text_size, &out);
                    snprintf (fallback_name, sizeof fallback_name, "windows-1252");
                }
                used = fallback_name;
                if (warnings)
                    strv_addf (warnings, "charset-fallback:%s", fallback_name);
            }
        }
    }
    if (!used)
        used = declared_name [0] ? declared_name : "utf-8";
    if (used != result->used)
        snprintf (result->used, sizeof result->used, "%s", used);
    if (warnings && result->declared_ignored)
        strv_addf (warnings, "charset-declared-ignored:%s", declared_name);
    if (warnings && result->replaced)
        strv_addf (warnings, "charset-replaced-bytes:%s", result->used);
    //  A NUL would silently cut every C string made from this text
    if (out.size && memchr (out.data, 0, out.size)) {
        size_t kept = 0, dropped = 0;
        for (size_t i = 0; i < out.size; i++) {
            if (out.data [i])
                out.data [kept++] = out.data [i];
            else
                dropped++;
        }
        out.size = kept;
        out.data [kept] = 0;
        if (warnings)
            strv_addf (warnings, "nul-bytes-dropped:%zu", dropped);
    }
    *out_size = out.size;
    return buf_detach (&out);
}
