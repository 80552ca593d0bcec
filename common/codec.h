//  SPDX-License-Identifier: MIT
//  codec - the story record as msgpack
//
//  A story travels as one msgpack map with ninjs 2.2 keys (docs/story.md).
//  Absent fields are omitted, never nil. Unknown keys are skipped, so newer
//  writers can add fields. Decoding validates the bytes first (mpcheck),
//  checks the type of every known key and copies every string out, so the
//  story outlives the frame it came from.

#ifndef COPYDESK_CODEC_H
#define COPYDESK_CODEC_H

//  Largest story record we accept, in bytes
#define CODEC_MAX_STORY (16 * 1024 * 1024)

//  Encode the story into buf (cleared first).
void
    story_encode (const story_t *self, buf_t *buf);

//  Decode a story. Returns a new story (caller owns it), or NULL with the
//  reason in err when the bytes are not a valid story record: not msgpack,
//  not a map, a known key of the wrong type, a string holding a NUL byte,
//  or no uri.
story_t *
    story_decode (const uint8_t *data, size_t size, char *err, size_t errsize);

//  The same for a parser's draft on its way to normalize, which derives
//  the uri when the format has none: a record without uri is accepted.
story_t *
    story_decode_draft (const uint8_t *data, size_t size, char *err, size_t errsize);

//  Helpers shared with the other record codecs (document, deadletter)

//  A msgpack packer that appends to a buf_t
void
    codec_packer_init (msgpack_packer *pk, buf_t *buf);
void
    codec_pack_str (msgpack_packer *pk, const char *s);
void
    codec_pack_kv_str (msgpack_packer *pk, const char *key, const char *value);
void
    codec_pack_kv_int (msgpack_packer *pk, const char *key, int64_t value);
//  True if the msgpack string object equals key
bool
    codec_key_is (const msgpack_object *o, const char *key);
//  Copy a msgpack str (or bin) into a new C string. Returns -1 if the object
//  is not a string or holds a NUL byte.
int
    codec_copy_str (const msgpack_object *o, char **out);
//  Read an integer object into *out. -1 if not an integer or out of range.
int
    codec_get_int (const msgpack_object *o, int64_t min, int64_t max, int64_t *out);

#endif
