//  SPDX-License-Identifier: MIT
//  deadletter - a message the pipeline gave up on, with the reason
//
//  Written by the broker when a message reaches max attempts or a worker
//  rejects it, and published by workers for bad items inside otherwise good
//  documents. Kept in the broker's dead-letter log and shown by
//  `copydesk dead`. The raw bytes are kept (up to a cap, with their full size
//  and sha256) so the message can be inspected or re-pushed.

#ifndef COPYDESK_DEADLETTER_H
#define COPYDESK_DEADLETTER_H

//  Raw bytes kept per dead letter at most
#define DEADLETTER_MAX_RAW (16 * 1024 * 1024)

typedef struct {
    char *stage;                //  Queue the message was in (ingest...)
    char *reason;               //  Why it died, one line
    char *origin;               //  File/URL and item index, if known
    char *time;                 //  RFC 3339 when it died
    uint64_t seq;               //  Broker sequence number, 0 if none
    uint32_t attempts;          //  Deliveries tried
    uint64_t size;              //  Full size of the raw bytes
    char *sha256;               //  Of the full raw bytes
    uint8_t *raw;               //  The raw bytes (possibly truncated)
    size_t raw_size;            //  Bytes in raw
} deadletter_t;

//  Create a dead letter; copies up to DEADLETTER_MAX_RAW bytes of raw.
deadletter_t *
    deadletter_new (const char *stage, const char *reason, const void *raw, size_t size);
void
    deadletter_destroy (deadletter_t **self_p);
void
    deadletter_encode (const deadletter_t *self, buf_t *buf);
deadletter_t *
    deadletter_decode (const uint8_t *data, size_t size, char *err, size_t errsize);

#endif
