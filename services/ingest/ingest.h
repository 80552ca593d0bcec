//  SPDX-License-Identifier: MIT
//  ingest - raw documents in, canonical stories out
//
//  ingest_document detects the format by content (a --format hint wins),
//  runs the parser, and hands every story to an emit callback: the ingest
//  worker publishes them to the normalize queue, `copydesk parse` prints
//  them. A parser maps its format's fields to the story record
//  (docs/formats.md §3) without cleaning them: normalize repairs text,
//  parses dates and derives what is missing. Parsers DO decode bytes to
//  UTF-8 (they know the charset evidence) and record provenance.
//
//  A parser reports, via the ingest_t context:
//    - each story: ingest_story_new + fill + ingest_emit;
//    - each item that is not a story (a package, a picture, a concept item):
//      ingest_skip, counted and logged, no dead letter;
//    - each bad item inside an otherwise good document: ingest_bad_item,
//      which makes a dead letter and lets the siblings go on;
//    - a document it cannot read at all: return -1 after ingest_fail,
//      which dead-letters the whole document with that reason.

#ifndef COPYDESK_INGEST_H
#define COPYDESK_INGEST_H

typedef struct _ingest_t ingest_t;

//  Called for each story; takes ownership of *story_p (nullifies it)
typedef void (ingest_emit_fn) (void *arg, story_t **story_p);
//  Called for each dead letter of a bad item; takes ownership
typedef void (ingest_dead_fn) (void *arg, deadletter_t **dead_p);

//  A parser: read data, emit stories through ctx. Returns 0 (even when
//  some items were bad or skipped) or -1 if the document is unreadable.
typedef int (parser_fn) (ingest_t *ctx, const uint8_t *data, size_t size);

typedef struct {
    const char *name;           //  Format name, as --format takes it
    const char *description;    //  One line for --help
    parser_fn *parse;
} parser_t;

//  Result of one document
typedef struct {
    const char *format;         //  Format used (detected or hinted)
    int stories;                //  Stories emitted
    int skipped;                //  Non-story items skipped
    int bad_items;              //  Items dead-lettered
    char error [512];           //  Why the document failed (when rc = -1)
} ingest_result_t;

//  Parse one document. emit/dead receive the outputs (dead may be NULL:
//  bad items are then only counted). Returns 0, or -1 when the document as
//  a whole cannot be read (result->error says why, naming the origin).
int
    ingest_document (const document_t *doc, ingest_emit_fn *emit,
                     ingest_dead_fn *dead, void *arg, ingest_result_t *result);

//  Detect the format of data by content. Returns a format name from the
//  parser table ("nitf", "newsml-g2", ..., "plain-text"), or NULL if the
//  data cannot be a news document (empty, binary junk, an HTML page), with
//  the reason in why.
const char *
    ingest_detect (const uint8_t *data, size_t size, char *why, size_t why_size);

//  The parser table, terminated by a NULL name.
const parser_t *
    ingest_parsers (void);
//  Look up a parser by format name (or alias); NULL if unknown.
const parser_t *
    ingest_parser (const char *format);

//  --------------------------------------------------------------------------
//  For parsers

//  A new story pre-filled with provenance: ingest.format, parser, provider,
//  channel, received, origin and index (the next item index of this
//  document). Caller fills it and passes it to ingest_emit.
story_t *
    ingest_story_new (ingest_t *ctx);
//  Hand a story on: adds the document warnings and, when the parser set no
//  sha256, the sha256 of the item bytes given to ingest_set_item (or of the
//  whole document). Takes ownership.
void
    ingest_emit (ingest_t *ctx, story_t **story_p);
//  Declare the raw bytes of the current item (for its sha256 and for dead
//  letters). Optional; the whole document is used otherwise.
void
    ingest_set_item (ingest_t *ctx, const void *data, size_t size);
//  Report a non-story item (index, what it is: "packageItem", "picture").
void
    ingest_skip (ingest_t *ctx, const char *what);
//  Dead-letter a bad item with its raw bytes (may be NULL: the document's
//  bytes are used) and a reason.
void
    ingest_bad_item (ingest_t *ctx, const void *raw, size_t size, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));
//  Dead-letter the item of a story made by ingest_story_new that turned
//  out not to be one (no text at all...): destroys the story and records
//  the bad item under the story's own index, so no index is used twice.
void
    ingest_bad_story (ingest_t *ctx, story_t **story_p, const void *raw, size_t size,
                      const char *format, ...) __attribute__ ((format (printf, 5, 6)));
//  Record why the whole document fails; the parser then returns -1.
void
    ingest_fail (ingest_t *ctx, const char *format, ...) __attribute__ ((format (printf, 2, 3)));
//  A warning that applies to every story of this document ("xml-recovered").
void
    ingest_warn (ingest_t *ctx, const char *format, ...) __attribute__ ((format (printf, 2, 3)));
//  The document being parsed (source, origin, charset hint...)
const document_t *
    ingest_doc (ingest_t *ctx);
//  Document-level warnings collected so far (parsers may pass this to
//  charset_decode / xml_parse).
strv_t *
    ingest_warnings (ingest_t *ctx);
//  The document as UTF-8 text for a parser that reads text (JSON): a BOM
//  skipped; UTF-16/32 and bytes that are not UTF-8 decoded with the
//  document's charset hint (warnings recorded); the charset used becomes
//  the stories'. Returns what the caller frees (NULL when the bytes were
//  used as they are) and points *text / *text_size at the text.
char *
    ingest_utf8_text (ingest_t *ctx, const uint8_t *data, size_t size,
                      const char **text, size_t *text_size);
//  Set the charset for every story of this document (ingest.charset).
void
    ingest_set_charset (ingest_t *ctx, const char *charset);
//  The format name being parsed
const char *
    ingest_format (ingest_t *ctx);

#endif
