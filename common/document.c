//  SPDX-License-Identifier: MIT
//  document - raw document record (see document.h)

#include "common.h"

document_t *
document_new (const char *source, const char *origin, const void *data, size_t size)
{
    document_t *self = (document_t *) xcalloc (1, sizeof (document_t));
    self->source = xstrdup (source);
    self->origin = xstrdup (origin);
    self->data = (uint8_t *) xmalloc (size + 1);
    if (size)
        memcpy (self->data, data, size);
    self->data [size] = 0;
    self->size = size;
    char now [40];
    self->received = xstrdup (time_now_rfc3339 (now, sizeof now));
    return self;
}

void
document_destroy (document_t **self_p)
{
    assert (self_p);
    document_t *self = *self_p;
    if (!self)
        return;
    free (self->source);
    free (self->format);
    free (self->origin);
    free (self->channel);
    free (self->charset);
    free (self->received);
    free (self->data);
    free (self);
    *self_p = NULL;
}

void
document_encode (const document_t *self, buf_t *buf)
{
    buf_clear (buf);
    msgpack_packer pk;
    codec_packer_init (&pk, buf);
    int count = 1 + (self->source != NULL) + (self->format != NULL)
              + (self->origin != NULL) + (self->channel != NULL)
              + (self->charset != NULL) + (self->received != NULL);
    msgpack_pack_map (&pk, count);
    if (self->source)
        codec_pack_kv_str (&pk, "source", self->source);
    if (self->format)
        codec_pack_kv_str (&pk, "format", self->format);
    if (self->origin)
        codec_pack_kv_str (&pk, "origin", self->origin);
    if (self->channel)
        codec_pack_kv_str (&pk, "channel", self->channel);
    if (self->charset)
        codec_pack_kv_str (&pk, "charset", self->charset);
    if (self->received)
        codec_pack_kv_str (&pk, "received", self->received);
    codec_pack_str (&pk, "data");
    msgpack_pack_bin_with_body (&pk, self->data, self->size);
}

document_t *
document_decode (const uint8_t *data, size_t size, char *err, size_t errsize)
{
    msgpack_zone zone;
    if (!msgpack_zone_init (&zone, 1024))
        return NULL;
    msgpack_object root;
    document_t *self = NULL;
    const char *problem = NULL;
    if (mpcheck_unpack (data, size, &zone, &root, err, errsize) == 0) {
        if (root.type != MSGPACK_OBJECT_MAP)
            problem = "document is not a map";
        else {
            self = (document_t *) xcalloc (1, sizeof (document_t));
            bool have_data = false;
            for (uint32_t i = 0; i < root.via.map.size && !problem; i++) {
                const msgpack_object *k = &root.via.map.ptr [i].key;
                const msgpack_object *v = &root.via.map.ptr [i].val;
                int rc = 0;
                if (codec_key_is (k, "source"))
                    rc = codec_copy_str (v, &self->source);
                else
                if (codec_key_is (k, "format"))
                    rc = codec_copy_str (v, &self->format);
                else
                if (codec_key_is (k, "origin"))
                    rc = codec_copy_str (v, &self->origin);
                else
                if (codec_key_is (k, "channel"))
                    rc = codec_copy_str (v, &self->channel);
                else
                if (codec_key_is (k, "charset"))
                    rc = codec_copy_str (v, &self->charset);
                else
                if (codec_key_is (k, "received"))
                    rc = codec_copy_str (v, &self->received);
                else
                if (codec_key_is (k, "data")) {
                    if (v->type != MSGPACK_OBJECT_BIN && v->type != MSGPACK_OBJECT_STR)
                        rc = -1;
                    else {
                        const char *ptr = v->type == MSGPACK_OBJECT_BIN ? v->via.bin.ptr : v->via.str.ptr;
                        uint32_t len = v->type == MSGPACK_OBJECT_BIN ? v->via.bin.size : v->via.str.size;
                        free (self->data);
                        self->data = (uint8_t *) xmalloc ((size_t) len + 1);
                        if (len)
                            memcpy (self->data, ptr, len);
                        self->data [len] = 0;
                        self->size = len;
                        have_data = true;
                    }
                }
                if (rc)
                    problem = "document field of the wrong type";
            }
            if (!problem && !have_data)
                problem = "document has no data";
        }
        if (problem) {
            if (err && errsize)
                snprintf (err, errsize, "%s", problem);
            document_destroy (&self);
        }
    }
    msgpack_zone_destroy (&zone);
    return self;
}
