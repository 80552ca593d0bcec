//  SPDX-License-Identifier: MIT
//  proto - frames of the copydesk protocol (see proto.h, docs/protocol.md)

#include "common.h"
#include "proto.h"

int
proto_recv (void *socket, proto_msg_t *msg, bool router, int flags)
{
    msg->count = 0;
    msg->dropped = 0;
    msg->base = router ? 1 : 0;
    msg->command = 0;
    while (true) {
        zmq_msg_t *frame;
        zmq_msg_t spill;
        if (msg->count < PROTO_MAX_FRAMES)
            frame = &msg->frames [msg->count];
        else
            frame = &spill;
        zmq_msg_init (frame);
        int rc = zmq_msg_recv (frame, socket, msg->count || msg->dropped ? 0 : flags);
        if (rc < 0) {
            int err = errno;
            zmq_msg_close (frame);
            if (msg->count == 0 && msg->dropped == 0) {
                errno = err;
                return -1;
            }
            //  Interrupted in the middle of a multipart message: retry the part
            if (err == EINTR)
                continue;
            proto_close (msg);
            errno = err;
            return -1;
        }
        bool more = zmq_msg_more (frame);
        if (frame == &spill) {
            zmq_msg_close (&spill);
            msg->dropped++;
        }
        else
            msg->count++;
        if (!more)
            break;
    }
    return 0;
}

void
proto_close (proto_msg_t *msg)
{
    for (int i = 0; i < msg->count; i++)
        zmq_msg_close (&msg->frames [i]);
    msg->count = 0;
}

//  Argument count and size rules per command: min and max arguments, and
//  fixed sizes for the integer arguments (0 = any size).
typedef struct {
    char command;
    int min_args;
    int max_args;
    int sizes [5];              //  Fixed size of each argument, 0 = any
} rule_t;

static const rule_t s_rules [] = {
    { PROTO_READY,     2, 3, { 0, 4, 0 } },
    { PROTO_PUBLISH,   4, 4, { 0, 8, 0, 0 } },
    { PROTO_ACCEPT,    1, 1, { 0 } },
    { PROTO_REFUSE,    2, 2, { 8, 0 } },
    { PROTO_DELIVER,   4, 4, { 0, 8, 4, 0 } },
    { PROTO_ACK,       1, 1, { 0 } },
    { PROTO_REJECT,    2, 2, { 8, 0 } },
    { PROTO_CREDIT,    1, 1, { 4 } },
    { PROTO_EVENT,     2, 2, { 0, 0 } },
    { PROTO_HEARTBEAT, 0, 0, { 0 } },
    { PROTO_STATUS,    0, 0, { 0 } },
    { PROTO_STATS,     1, 1, { 0 } },
    { PROTO_BYE,       0, 0, { 0 } },
    { PROTO_ERROR,     2, 2, { 0, 0 } },
};

int
proto_check (proto_msg_t *msg, const char **code)
{
    *code = "bad-frames";
    if (msg->dropped || msg->count < msg->base + 2)
        return -1;
    zmq_msg_t *id = &msg->frames [msg->base];
    const char *idp = (const char *) zmq_msg_data (id);
    if (zmq_msg_size (id) != PROTO_ID_SIZE || memcmp (idp, "CDP", 3) != 0) {
        *code = "bad-protocol";
        return -1;
    }
    if (idp [3] != PROTO_ID [3]) {
        *code = "bad-version";
        return -1;
    }
    zmq_msg_t *cmd = &msg->frames [msg->base + 1];
    if (zmq_msg_size (cmd) != 1) {
        *code = "bad-command";
        return -1;
    }
    char command = *(const char *) zmq_msg_data (cmd);
    const rule_t *rule = NULL;
    for (size_t i = 0; i < sizeof s_rules / sizeof s_rules [0]; i++)
        if (s_rules [i].command == command)
            rule = &s_rules [i];
    if (!rule) {
        *code = "bad-command";
        return -1;
    }
    int args = proto_args (msg);
    if (args < rule->min_args || args > rule->max_args)
        return -1;
    for (int i = 0; i < args; i++)
        if (rule->sizes [i] && proto_arg_size (msg, i) != (size_t) rule->sizes [i])
            return -1;
    //  seqs frames: a non-empty multiple of 8, bounded
    if (command == PROTO_ACK || command == PROTO_ACCEPT) {
        size_t size = proto_arg_size (msg, 0);
        if (size == 0 || size % 8 || size / 8 > PROTO_MAX_SEQS)
            return -1;
    }
    //  Queue names are short text
    if ((command == PROTO_READY || command == PROTO_PUBLISH || command == PROTO_DELIVER)
    &&  (proto_arg_size (msg, 0) == 0 || proto_arg_size (msg, 0) > 64))
        return -1;
    //  Other text frames (topics, reasons, error texts) are bounded too
    int text = -1, text2 = -1;
    if (command == PROTO_PUBLISH)
        text = 2;
    else
    if (command == PROTO_EVENT)
        text = 0;
    else
    if (command == PROTO_REJECT || command == PROTO_REFUSE)
        text = 1;
    else
    if (command == PROTO_ERROR)
        text = 0, text2 = 1;
    if ((text >= 0 && proto_arg_size (msg, text) > PROTO_MAX_TEXT)
    ||  (text2 >= 0 && proto_arg_size (msg, text2) > PROTO_MAX_TEXT))
        return -1;
    msg->command = command;
    *code = NULL;
    return 0;
}

int
proto_args (proto_msg_t *msg)
{
    return msg->count - msg->base - 2;
}

zmq_msg_t *
proto_arg_msg (proto_msg_t *msg, int i)
{
    assert (i >= 0 && i < proto_args (msg));
    return &msg->frames [msg->base + 2 + i];
}

const uint8_t *
proto_arg (proto_msg_t *msg, int i)
{
    return (const uint8_t *) zmq_msg_data (proto_arg_msg (msg, i));
}

size_t
proto_arg_size (proto_msg_t *msg, int i)
{
    return zmq_msg_size (proto_arg_msg (msg, i));
}

void
proto_arg_text (proto_msg_t *msg, int i, char *out, size_t size)
{
    size_t len = proto_arg_size (msg, i);
    if (len >= size)
        len = size - 1;
    memcpy (out, proto_arg (msg, i), len);
    out [len] = 0;
    //  A NUL inside would silently cut the text: make it visible instead
    for (size_t j = 0; j < len; j++)
        if (out [j] == 0)
            out [j] = '?';
}

uint64_t
proto_arg_u64 (proto_msg_t *msg, int i)
{
    assert (proto_arg_size (msg, i) == 8);
    return proto_get_u64 (proto_arg (msg, i));
}

uint32_t
proto_arg_u32 (proto_msg_t *msg, int i)
{
    assert (proto_arg_size (msg, i) == 4);
    return proto_get_u32 (proto_arg (msg, i));
}

zmq_msg_t *
proto_routing_id (proto_msg_t *msg)
{
    return msg->base && msg->count ? &msg->frames [0] : NULL;
}

static int
s_send (void *socket, const void *rid, size_t rid_size, char command,
        int nparts, proto_part_t *parts, int flags)
{
    int rc = 0;
    int err = 0;
    int i = 0;
    if (rid && zmq_send (socket, rid, rid_size, ZMQ_SNDMORE | flags) < 0)
        goto failed;
    if (zmq_send (socket, PROTO_ID, PROTO_ID_SIZE, ZMQ_SNDMORE | flags) < 0
    ||  zmq_send (socket, &command, 1, (nparts ? ZMQ_SNDMORE : 0) | flags) < 0)
        goto failed;
    for (i = 0; i < nparts; i++) {
        int more = i + 1 < nparts ? ZMQ_SNDMORE : 0;
        if (parts [i].msg) {
            if (zmq_msg_send (parts [i].msg, socket, more | flags) < 0)
                goto failed;
            parts [i].msg = NULL;
        }
        else
        if (zmq_send (socket, parts [i].data, parts [i].size, more | flags) < 0)
            goto failed;
    }
    return 0;

failed:
    //  The first frame of a multipart message is all or nothing in libzmq:
    //  once it went out, the rest cannot fail with EAGAIN. Release what
    //  remains unsent either way.
    err = errno;
    rc = -1;
    for (; i < nparts; i++)
        if (parts [i].msg) {
            zmq_msg_close (parts [i].msg);
            parts [i].msg = NULL;
        }
    errno = err;
    return rc;
}

int
proto_send (void *socket, const void *rid, size_t rid_size, char command,
            int nparts, proto_part_t *parts)
{
    return s_send (socket, rid, rid_size, command, nparts, parts, ZMQ_DONTWAIT);
}

int
proto_send_wait (void *socket, char command, int nparts, proto_part_t *parts)
{
    return s_send (socket, NULL, 0, command, nparts, parts, 0);
}

void
proto_put_u64 (uint8_t *out, uint64_t value)
{
    for (int i = 7; i >= 0; i--) {
        out [i] = (uint8_t) value;
        value >>= 8;
    }
}

void
proto_put_u32 (uint8_t *out, uint32_t value)
{
    for (int i = 3; i >= 0; i--) {
        out [i] = (uint8_t) value;
        value >>= 8;
    }
}

uint64_t
proto_get_u64 (const uint8_t *in)
{
    uint64_t value = 0;
    for (int i = 0; i < 8; i++)
        value = (value << 8) | in [i];
    return value;
}

uint32_t
proto_get_u32 (const uint8_t *in)
{
    uint32_t value = 0;
    for (int i = 0; i < 4; i++)
        value = (value << 8) | in [i];
    return value;
}

void
proto_topic_clean (char *topic)
{
    for (char *p = topic; *p; p++)
        if (!(isalnum ((unsigned char) *p) || *p == '.' || *p == '_' || *p == '-'))
            *p = '_';
}

const char *
proto_command_name (char command)
{
    switch (command) {
        case PROTO_READY:     return "READY";
        case PROTO_PUBLISH:   return "PUBLISH";
        case PROTO_ACCEPT:    return "ACCEPT";
        case PROTO_REFUSE:    return "REFUSE";
        case PROTO_DELIVER:   return "DELIVER";
        case PROTO_ACK:       return "ACK";
        case PROTO_REJECT:    return "REJECT";
        case PROTO_CREDIT:    return "CREDIT";
        case PROTO_EVENT:     return "EVENT";
        case PROTO_HEARTBEAT: return "HEARTBEAT";
        case PROTO_STATUS:    return "STATUS";
        case PROTO_STATS:     return "STATS";
        case PROTO_BYE:       return "BYE";
        case PROTO_ERROR:     return "ERROR";
        default:              return "?";
    }
}
