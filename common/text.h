//  SPDX-License-Identifier: MIT
//  text - clean UTF-8 text: the rules every string in a story follows
//
//  After normalize, every string in a story is valid UTF-8 in NFC with no
//  C0/C1 control characters except '\n' in bodies (and '\t' in
//  preformatted bodies). Single-line fields have their whitespace collapsed;
//  plain-text bodies are paragraphs separated by exactly "\n\n" with no other
//  newline inside a paragraph (preformatted bodies keep their lines).

#ifndef COPYDESK_TEXT_H
#define COPYDESK_TEXT_H

//  Valid UTF-8 from any bytes: valid sequences are kept, each invalid byte
//  is read as CP1252 (a stray Latin-1 byte in UTF-8 text), never dropped
//  silently. *changed (may be NULL) tells whether anything was repaired.
//  Caller frees.
char *
    text_utf8_repair (const char *s, size_t len, bool *changed);

//  Undo double-encoded UTF-8 ("FranÃ§ois" -> "François") when the whole
//  string decodes cleanly that way. Returns a new string or NULL if the
//  text does not look double-encoded.
char *
    text_fix_mojibake (const char *s);

//  Unicode NFC of valid UTF-8. Caller frees.
char *
    text_nfc (const char *s);

//  One-line field: repair, mojibake fix, NFC, controls and line breaks to
//  spaces, whitespace collapsed, trimmed. Returns NULL for an empty result.
//  Caller frees.
char *
    text_clean_line (const char *s);

//  True when text_clean_line (s) would return s as it is (then it is a
//  copy): one scan, no allocation. Normalize uses it to leave clean fields
//  alone.
bool
    text_line_clean (const char *s);

//  True when text_clean_body (s, preformatted) would return s as it is.
bool
    text_body_clean (const char *s, bool preformatted);

//  Body text: repair, NFC, CR LF / CR to LF, controls dropped (tabs to
//  spaces), spaces collapsed, trailing spaces trimmed, paragraphs separated
//  by exactly one blank line. Unless preformatted, lines inside a paragraph
//  are joined with a space (hard-wrapped wire copy is re-flowed); a line
//  starting with whitespace after a line ending a sentence starts a new
//  paragraph (indented teletype paragraphs). Returns "" for empty input.
//  Caller frees.
char *
    text_clean_body (const char *s, bool preformatted);

//  Decode XML/HTML character references (&amp; &#233; &#xE9; and the HTML 4
//  named entities) once. Caller frees.
char *
    text_decode_entities (const char *s);

//  Words (runs of letters/digits, Unicode-aware) in UTF-8 text
int
    text_word_count (const char *s);
//  Code points in UTF-8 text
int
    text_char_count (const char *s);

//  ASCII-lowercase copy. Caller frees.
char *
    text_lower_ascii (const char *s);

#endif
