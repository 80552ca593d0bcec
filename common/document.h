//  SPDX-License-Identifier: MIT
//  document - a raw document on its way into the ingest stage
//
//  What `copydesk push`, the spool watcher and the feed poller publish to
//  the ingest queue: the bytes exactly as received, plus where they came
//  from. One document may hold many stories (a newsMessage, a feed, a
//  Reuters SGML file). Encoded as a msgpack map:
//  {source, format, origin, channel, charset, received, data: bin}.

#ifndef COPYDESK_DOCUMENT_H
#define COPYDESK_DOCUMENT_H

//  Largest document accepted by default (bytes)
#define DOCUMENT_MAX_SIZE (64 * 1024 * 1024)

typedef struct {
    char *source;               //  Provider name (--source), e.g. "reuters"
    char *format;               //  Format hint; NULL = detect by content
    char *origin;               //  File path or URL
    char *channel;              //  Feed URL or spool folder, if any
    char *charset;              //  Transport charset (HTTP header), if any
    char *received;             //  RFC 3339 arrival time
    uint8_t *data;              //  The raw bytes
    size_t size;
} document_t;

//  Create a document holding a copy of the bytes. Caller owns it.
document_t *
    document_new (const char *source, const char *origin, const void *data, size_t size);
//  Destroy and nullify. Safe on NULL.
void
    document_destroy (document_t **self_p);
//  Encode into buf (cleared first).
void
    document_encode (const document_t *self, buf_t *buf);
//  Decode; NULL with the reason in err if the bytes are not a document.
document_t *
    document_decode (const uint8_t *data, size_t size, char *err, size_t errsize);

#endif
