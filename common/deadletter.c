//  SPDX-License-Identifier: MIT
//  deadletter - dead-letter record (see deadletter.h)

#include "common.h"

deadletter_t *
deadletter_new (const char *stage, const char *reason, const void *raw, size_t size)
{
    deadletter_t *self = (deadletter_t *) xcalloc (1, sizeof (deadletter_t));
    self->stage = xstrdup (stage ? stage : "unknown");
    self->reason = xstrdup (reason ? reason : "unknown");
    char now [40];
    self->time = xstrdup (time_now_rfc3339 (now, sizeof now));
    self->size = size;
    char hex [65];
    sha256_hex (raw, size, hex);
    self->sha256 = xstrdup (hex);
    self->raw_size = size < DEADLETTER_MAX_RAW ? size : DEADLETTER_MAX_RAW;
    self->raw = (uint8_t *) xmalloc (self->raw_size + 1);
    if (self->raw_size)
        memcpy (self->raw, raw, self->raw_size);
    return self;
}

void
deadletter_destroy (deadletter_t **self_p)
{
    assert (self_p);
    deadletter_t *self = *self_p;
    if (!self)
        return;
    free (self->stage);
    free (self->reason);
    free (self->origin);
    free (self->time);
    free (self->sha256);
    free (self->raw);
    free (self);
    *self_p = NULL;
}

void
deadletter_encode (const deadletter_t *self, buf_t *buf)
{
    buf_clear (buf);
    msgpack_packer pk;
    codec_packer_init (&pk, buf);
    msgpack_pack_map (&pk, 8 + (self->origin != NULL) + (self->sha256 != NULL));
    codec_pack_kv_str (&pk, "stage", self->stage);
    codec_pack_kv_str (&pk, "reason", self->reason);
    if (self->origin)
        codec_pack_kv_str (&pk, "origin", self->origin);
    codec_pack_kv_str (&pk, "time", self->time);
    codec_pack_str (&pk, "seq");
    msgpack_pack_uint64 (&pk, self->seq);
    codec_pack_str (&pk, "attempts");
    msgpack_pack_uint32 (&pk, self->attempts);
    codec_pack_str (&pk, "size");
    msgpack_pack_uint64 (&pk, self->size);
    if (self->sha256)
        codec_pack_kv_str (&pk, "sha256", self->sha256);
    codec_pack_str (&pk, "truncated");
    if (self->raw_size < self->size)
        msgpack_pack_true (&pk);
    else
        msgpack_pack_false (&pk);
    codec_pack_str (&pk, "raw");
    msgpack_pack_bin_with_body (&pk, self->raw, self->raw_size);
}

deadletter_t *
deadletter_decode (const uint8_t *data, size_t size, char *err, size_t errsize)
{
    msgpack_zone zone;
    if (!msgpack_zone_init (&zone, 1024))
        return NULL;
    msgpack_object root;
    deadletter_t *self = NULL;
    bool bad = false;
    if (mpcheck_unpack (data, size, &zone, &root, err, errsize) == 0) {
        if (root.type != MSGPACK_OBJECT_MAP)
            bad = true;
        else {
            self = (deadletter_t *) xcalloc (1, sizeof (deadletter_t));
            for (uint32_t i = 0; i < root.via.map.size && !bad; i++) {
                const msgpack_object *k = &root.via.map.ptr [i].key;
                const msgpack_object *v = &root.via.map.ptr [i].val;
                int64_t n;
                if (codec_key_is (k, "stage"))
                    bad = codec_copy_str (v, &self->stage) != 0;
                else
                if (codec_key_is (k, "reason"))
                    bad = codec_copy_str (v, &self->reason) != 0;
                else
                if (codec_key_is (k, "origin"))
                    bad = codec_copy_str (v, &self->origin) != 0;
                else
                if (codec_key_is (k, "time"))
                    bad = codec_copy_str (v, &self->time) != 0;
                else
                if (codec_key_is (k, "sha256"))
                    bad = codec_copy_str (v, &self->sha256) != 0;
                else
                if (codec_key_is (k, "seq")) {
                    bad = v->type != MSGPACK_OBJECT_POSITIVE_INTEGER;
                    if (!bad)
                        self->seq = v->via.u64;
                }
                else
                if (codec_key_is (k, "attempts")) {
                    bad = codec_get_int (v, 0, UINT32_MAX, &n) != 0;
                    if (!bad)
                        self->attempts = (uint32_t) n;
                }
                else
                if (codec_key_is (k, "size")) {
                    bad = codec_get_int (v, 0, INT64_MAX, &n) != 0;
                    if (!bad)
                        self->size = (uint64_t) n;
                }
                else
                if (codec_key_is (k, "raw")) {
                    bad = v->type != MSGPACK_OBJECT_BIN;
                    if (!bad) {
                        free (self->raw);
                        self->raw_size = v->via.bin.size;
                        self->raw = (uint8_t *) xmalloc (self->raw_size + 1);
                        if (self->raw_size)
                            memcpy (self->raw, v->via.bin.ptr, self->raw_size);
                    }
                }
            }
            if (!bad && (!self->stage || !self->reason))
                bad = true;
        }
        if (bad) {
            if (err && errsize)
                snprintf (err, errsize, "not a dead-letter record");
            deadletter_destroy (&self);
        }
    }
    msgpack_zone_destroy (&zone);
    return self;
}
