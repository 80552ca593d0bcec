//  SPDX-License-Identifier: MIT
//  mpcheck - msgpack pre-validation (see mpcheck.h)

#include "common.h"

static int
s_fail (char *err, size_t errsize, const char *reason, size_t offset)
{
    if (err && errsize)
        snprintf (err, errsize, "msgpack: %s at byte %zu", reason, offset);
    return -1;
}

static uint64_t
s_be (const uint8_t *p, int bytes)
{
    uint64_t value = 0;
    for (int i = 0; i < bytes; i++)
        value = (value << 8) | p [i];
    return value;
}

int
mpcheck_validate (const uint8_t *data, size_t size, char *err, size_t errsize)
{
    if (!data || size == 0)
        return s_fail (err, errsize, "empty input", 0);

    //  Stack of "elements still to read" per open container
    uint64_t pending [MPCHECK_MAX_DEPTH + 1];
    int depth = 0;
    pending [0] = 1;            //  The one top-level object
    size_t pos = 0;

    while (true) {
        //  Close finished containers
        while (depth > 0 && pending [depth] == 0)
            depth--;
        if (pending [depth] == 0)
            break;              //  Top-level object complete
        pending [depth]--;

        if (pos >= size)
            return s_fail (err, errsize, "truncated", pos);
        uint8_t byte = data [pos++];
        uint64_t skip = 0;      //  Payload bytes to skip
        uint64_t items = 0;     //  Child elements, for containers
        int header = 0;         //  Length-field bytes that follow

        if (byte <= 0x7f || byte >= 0xe0)
            continue;                       //  positive / negative fixint
        else
        if (byte >= 0x80 && byte <= 0x8f)
            items = (uint64_t) (byte & 0x0f) * 2;       //  fixmap
        else
        if (byte >= 0x90 && byte <= 0x9f)
            items = byte & 0x0f;                        //  fixarray
        else
        if (byte >= 0xa0 && byte <= 0xbf)
            skip = byte & 0x1f;                         //  fixstr
        else
        switch (byte) {
            case 0xc0: case 0xc2: case 0xc3:            //  nil, false, true
                break;
            case 0xc1:
                return s_fail (err, errsize, "reserved byte 0xc1", pos - 1);
            case 0xc4: case 0xd9: header = 1; break;    //  bin8, str8
            case 0xc5: case 0xda: header = 2; break;    //  bin16, str16
            case 0xc6: case 0xdb: header = 4; break;    //  bin32, str32
            case 0xc7: header = 1; skip = 1; break;     //  ext8 (+type)
            case 0xc8: header = 2; skip = 1; break;     //  ext16
            case 0xc9: header = 4; skip = 1; break;     //  ext32
            case 0xca: skip = 4; break;                 //  float32
            case 0xcb: skip = 8; break;                 //  float64
            case 0xcc: case 0xd0: skip = 1; break;
            case 0xcd: case 0xd1: skip = 2; break;
            case 0xce: case 0xd2: skip = 4; break;
            case 0xcf: case 0xd3: skip = 8; break;
            case 0xd4: skip = 2; break;                 //  fixext1
            case 0xd5: skip = 3; break;
            case 0xd6: skip = 5; break;
            case 0xd7: skip = 9; break;
            case 0xd8: skip = 17; break;
            case 0xdc: case 0xde:                       //  array16, map16
                if (size - pos < 2)
                    return s_fail (err, errsize, "truncated header", pos);
                items = s_be (data + pos, 2) * (byte == 0xde ? 2 : 1);
                pos += 2;
                break;
            case 0xdd: case 0xdf:                       //  array32, map32
                if (size - pos < 4)
                    return s_fail (err, errsize, "truncated header", pos);
                items = s_be (data + pos, 4) * (byte == 0xdf ? 2 : 1);
                pos += 4;
                break;
            default:
                return s_fail (err, errsize, "unknown type byte", pos - 1);
        }
        if (header) {
            if (size - pos < (size_t) header)
                return s_fail (err, errsize, "truncated header", pos);
            skip += s_be (data + pos, header);
            pos += header;
        }
        if (skip) {
            if (skip > size - pos)
                return s_fail (err, errsize, "length beyond end of data", pos);
            pos += skip;
        }
        if (items) {
            //  Every element needs at least one byte
            if (items > size - pos)
                return s_fail (err, errsize, "container larger than data", pos);
            if (depth == MPCHECK_MAX_DEPTH)
                return s_fail (err, errsize, "nesting too deep", pos);
            pending [++depth] = items;
        }
    }
    if (pos != size)
        return s_fail (err, errsize, "trailing bytes after object", pos);
    return 0;
}

int
mpcheck_unpack (const uint8_t *data, size_t size, msgpack_zone *zone,
                msgpack_object *object, char *err, size_t errsize)
{
    if (mpcheck_validate (data, size, err, errsize))
        return -1;
    size_t offset = 0;
    msgpack_unpack_return rc = msgpack_unpack ((const char *) data, size, &offset, zone, object);
    if (rc != MSGPACK_UNPACK_SUCCESS) {
        if (err && errsize)
            snprintf (err, errsize, "msgpack: unpack failed (%d)", (int) rc);
        return -1;
    }
    return 0;
}
