//  SPDX-License-Identifier: MIT
//  charset - turn bytes in any encoding into UTF-8, once, at the boundary
//
//  Order of evidence (docs/formats.md §4.2): a BOM (UTF-8/16/32), then the
//  declared charset (XML declaration, HTML meta, HTTP header), then trial
//  UTF-8, then uchardet's guess for multi-byte legacy encodings, then the
//  provider's legacy charset (default CP1252, a superset of Latin-1 for
//  printable text). A declared single-byte charset loses to UTF-8 when the
//  bytes are valid UTF-8 containing multi-byte sequences: agencies mislabel
//  UTF-8 as Latin-1, and valid multi-byte UTF-8 almost never arises by chance
//  in Latin-1 text. ISO-8859-1 is decoded as CP1252 (C1 bytes are CP1252
//  punctuation in real traffic). Whatever was done is recorded as warnings.

#ifndef COPYDESK_CHARSET_H
#define COPYDESK_CHARSET_H

typedef struct {
    char used [48];             //  Charset the bytes were decoded from
    size_t bom;                 //  Bytes of BOM skipped
    bool declared_ignored;      //  The declared charset was overridden
    bool replaced;              //  Undecodable bytes became U+FFFD
} charset_result_t;

//  Decode data to UTF-8. declared: charset named by the document or the
//  transport (may be NULL); fallback: provider legacy charset (NULL =
//  CP1252). Returns a new NUL-terminated UTF-8 string (caller frees) and its
//  length in *out_size. The result is valid UTF-8 without NUL bytes
//  (dropped, warning "nul-bytes-dropped:N"); other control characters stay
//  for parsers that use them as framing (text_* cleans them later). Warnings
//  such as "charset-fallback:cp1252" or "charset-declared-ignored:iso-8859-1"
//  are appended to warnings when it is not NULL. Never fails.
char *
    charset_decode (const uint8_t *data, size_t size, const char *declared,
                    const char *fallback, size_t *out_size,
                    charset_result_t *result, strv_t *warnings);

//  Detect a BOM. Returns "UTF-8", "UTF-16LE", "UTF-16BE", "UTF-32LE",
//  "UTF-32BE" or NULL, and its length in *bom_size.
const char *
    charset_bom (const uint8_t *data, size_t size, size_t *bom_size);

//  The encoding named in an XML declaration (<?xml ... encoding="X"?>) at
//  the start of data (after a BOM/whitespace), copied into out. Returns out,
//  or NULL if there is none.
char *
    charset_xml_declared (const uint8_t *data, size_t size, char *out, size_t out_size);

//  True if data is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool
    charset_utf8_valid (const uint8_t *data, size_t size);

//  True if data is valid UTF-8 and holds at least one multi-byte sequence.
bool
    charset_utf8_multibyte (const uint8_t *data, size_t size);

//  Canonical lower-case name for a charset label ("latin1" -> "iso-8859-1",
//  "utf8" -> "utf-8", "x-sjis" -> "shift_jis"), into out. Returns out.
char *
    charset_canonical (const char *label, char *out, size_t out_size);

#endif
