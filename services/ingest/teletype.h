//  SPDX-License-Identifier: MIT
//  teletype - framing and text helpers shared by the teletype parsers
//
//  IPTC 7901, ANPA-1312 and AAP ZCZC are byte streams from the teletype
//  era: messages framed by control characters (SOH ... EOT) or by letter
//  groups (ZCZC ... NNNN), lines ended by CR LF, LF or a lone CR (often
//  mixed in one file), no charset declaration (Latin-1/CP1252 in practice),
//  DEL and NUL padding. These helpers split a stream into messages, decode
//  a message to UTF-8, split it into lines, and recognise the conventions
//  the three formats share (datelines, sign-offs, tables, editorial
//  signals). Control characters are used for framing by the parsers and
//  are then stripped: none reaches a story.

#ifndef COPYDESK_TELETYPE_H
#define COPYDESK_TELETYPE_H

#include "ingest/ingest.h"

#define TTY_NUL     0x00
#define TTY_SOH     0x01        //  Start of heading
#define TTY_STX     0x02        //  Start of text
#define TTY_ETX     0x03        //  End of text
#define TTY_EOT     0x04        //  End of transmission
#define TTY_BS      0x08        //  ANPA: tab line indicator (agate rows)
#define TTY_SI      0x0F        //  Shift in (ZCZC typesetting)
#define TTY_DLE     0x10        //  ANPA: space band
#define TTY_DC1     0x11        //  ANPA format id: text
#define TTY_DC2     0x12        //  ANPA format id: tabular
#define TTY_DC3     0x13
#define TTY_DC4     0x14
#define TTY_SYN     0x16        //  ANPA: synchronous idle before SOH
#define TTY_US      0x1F        //  ANPA: unit separator before selectors
#define TTY_DEL     0x7F        //  Padding

//  One message found in a stream
typedef struct {
    const uint8_t *data;        //  Raw bytes of the message, in the document
    size_t size;
    bool terminated;            //  Its end marker (EOT, NNNN) was found
} tty_span_t;

typedef VEC (tty_span_t) tty_spanv_t;

//  Lines of a decoded message: each a NUL-terminated string inside the
//  text buffer, line ends removed (CR LF, LF or CR).
typedef VEC (char *) tty_linev_t;

//  A predicate for streams stripped of their control characters: does a
//  message start at this line (next is the following line, or NULL)?
typedef bool (tty_start_fn) (const char *line, size_t len, const char *next, size_t next_len);

//  Split a stream on SOH: each message runs from its SOH (SYN bytes before
//  it included) to its EOT, or to the next SOH / the end. Bytes before the
//  first SOH other than padding are ignored.
void
    tty_split_soh (const uint8_t *data, size_t size, tty_spanv_t *spans);

//  Split a stream into ZCZC ... NNNN messages. "ZCZC" (any case) starts a
//  message at the start of a line, after optional spaces and CR; "NNNN"
//  alone on a line ends it (optional: the next ZCZC or the end does too).
void
    tty_split_zczc (const uint8_t *data, size_t size, tty_spanv_t *spans);

//  Split a stream without control characters: a message starts at each
//  line for which is_start is true; text before the first is ignored.
void
    tty_split_lines (const uint8_t *data, size_t size, tty_start_fn *is_start,
                     tty_spanv_t *spans);

//  Decode one message to UTF-8: valid UTF-8 is kept, else the transport
//  charset (doc->charset) if any, else CP1252 with the warning
//  "charset-fallback:cp1252" on the story. NUL and DEL padding are removed;
//  other control characters are kept for the parser. Sets
//  story->ingest.charset. Caller frees the result.
char *
    tty_decode (ingest_t *ctx, story_t *story, const uint8_t *data, size_t size,
                size_t *out_size);

//  Split text (modified in place) into lines.
void
    tty_split_text (char *text, size_t size, tty_linev_t *lines);

//  C1 code points (U+0080-U+009F) in UTF-8 text are CP1252 punctuation
//  mis-decoded upstream (U+0093 for a left quote): map them through
//  CP1252, dropping the five CP1252 leaves undefined. Takes a heap string
//  and returns it, or a new one (freeing the old) when it changed.
//  Shared by the text parsers (plain text, ninjs too).
char *
    tty_fix_c1 (char *s);

//  Cut an incomplete UTF-8 sequence off the end of s (after a copy into a
//  fixed buffer truncated it), in place. Returns s.
char *
    tty_utf8_clip (char *s);

//  Remove C0 control characters (except TAB) and DEL from s, in place.
//  Returns s.
char *
    tty_strip_controls (char *s);

//  Trim ASCII whitespace at both ends, in place. Returns the new start.
char *
    tty_trim (char *s);

//  True if the line is empty or only whitespace/controls.
bool
    tty_blank (const char *s);

//  Find a dateline at the start of a paragraph and fill story->dateline
//  and located: "Berlin (dpa) - ", "BUENOS AIRES, Argentina (AP) _ ",
//  "San Diego (tca/dpa) - ", "SYDNEY, Dec 7 AAP - ". The body keeps it.
//  Returns true if one was found.
bool
    tty_dateline (story_t *story, const char *para);

//  Editorial signals from a version or header word ("1stLd-Writethru",
//  "REFILE", "1ST LEAD", "CORRECTION", "EXTRA", "KILL"...): adds the
//  normalised signals and "raw:<word>". Returns true if it was a signal.
bool
    tty_signal (story_t *story, const char *word);

//  Do most non-blank lines look like table rows (columns split by tabs,
//  runs of 3+ spaces, semicolons or dot leaders)? Used to choose the body
//  role "preformatted".
bool
    tty_tabular (char **lines, size_t count);

//  Append lines[0..count) to a body: paragraphs (runs of non-blank lines)
//  separated by one blank line, lines inside kept; trailing whitespace of
//  each line dropped, controls stripped. Returns the text (caller frees)
//  or NULL if there is no text.
char *
    tty_join_body (char **lines, size_t count);

#endif
