//  SPDX-License-Identifier: MIT
//  proto - frames of the copydesk protocol (docs/protocol.md)
//
//  Receiving: proto_recv reads one multipart message into a proto_msg_t
//  (zero-copy zmq_msg_t frames), proto_check validates the protocol frame,
//  the command and the frame count and sizes for that command. Sending:
//  proto_send writes [routing id] + "CDP1" + command + parts with
//  ZMQ_DONTWAIT, so a broker never blocks on a slow or dead peer.

#ifndef COPYDESK_PROTO_H
#define COPYDESK_PROTO_H

#define PROTO_ID            "CDP1"
#define PROTO_ID_SIZE       4
#define PROTO_MAX_FRAMES    8       //  Routing id + protocol + command + 5
#define PROTO_MAX_SEQS      4096    //  Per ACK / ACCEPT frame
#define PROTO_MAX_TOPICS    16      //  Per PUBLISH / EVENT
#define PROTO_MAX_TEXT      4096    //  Bytes in a text frame (queue, reason...)

//  Commands
#define PROTO_READY         'R'
#define PROTO_PUBLISH       'P'
#define PROTO_ACCEPT        'A'
#define PROTO_REFUSE        'N'
#define PROTO_DELIVER       'D'
#define PROTO_ACK           'K'
#define PROTO_REJECT        'X'
#define PROTO_CREDIT        'C'
#define PROTO_EVENT         'E'
#define PROTO_HEARTBEAT     'H'
#define PROTO_STATUS        'S'
#define PROTO_STATS         's'
#define PROTO_BYE           'Q'
#define PROTO_ERROR         '!'

//  A received message. Frames are zmq_msg_t, so payloads are not copied.
typedef struct {
    zmq_msg_t frames [PROTO_MAX_FRAMES];
    int count;                  //  Frames received (kept: at most MAX)
    int dropped;                //  Frames beyond PROTO_MAX_FRAMES, discarded
    int base;                   //  Index of the protocol frame (1 on ROUTER)
    char command;               //  Command byte, valid after proto_check
} proto_msg_t;

//  One part to send
typedef struct {
    const void *data;
    size_t size;
    zmq_msg_t *msg;             //  If set, sent zero-copy (and consumed)
} proto_part_t;

//  Receive one whole multipart message. router: the socket is a ROUTER, so
//  frame 0 is a routing id. flags: 0 or ZMQ_DONTWAIT. Returns 0, or -1 with
//  errno (EAGAIN when nothing is waiting, EINTR, ETERM).
int
    proto_recv (void *socket, proto_msg_t *msg, bool router, int flags);

//  Close every frame.
void
    proto_close (proto_msg_t *msg);

//  Validate protocol frame, command and arguments. Returns 0, or -1 with an
//  ERROR code ("bad-protocol", "bad-version", "bad-command", "bad-frames")
//  in *code.
int
    proto_check (proto_msg_t *msg, const char **code);

//  Argument i (0 = first frame after the command)
const uint8_t *
    proto_arg (proto_msg_t *msg, int i);
size_t
    proto_arg_size (proto_msg_t *msg, int i);
zmq_msg_t *
    proto_arg_msg (proto_msg_t *msg, int i);
//  Number of arguments
int
    proto_args (proto_msg_t *msg);
//  Copy a text argument into out (NUL-terminated, truncated to size-1).
void
    proto_arg_text (proto_msg_t *msg, int i, char *out, size_t size);
uint64_t
    proto_arg_u64 (proto_msg_t *msg, int i);
uint32_t
    proto_arg_u32 (proto_msg_t *msg, int i);
//  The routing id frame (ROUTER side), or NULL
zmq_msg_t *
    proto_routing_id (proto_msg_t *msg);

//  Send one message: [rid] "CDP1" command parts... with ZMQ_DONTWAIT.
//  rid may be NULL (DEALER side). Returns 0, or -1 with errno (EAGAIN at
//  HWM, EHOSTUNREACH for a vanished ROUTER peer). Zero-copy parts are
//  consumed either way.
int
    proto_send (void *socket, const void *rid, size_t rid_size, char command,
                int nparts, proto_part_t *parts);
//  Same, blocking up to the socket's send timeout (for clients).
int
    proto_send_wait (void *socket, char command, int nparts, proto_part_t *parts);

//  Encode integers big-endian
void
    proto_put_u64 (uint8_t *out, uint64_t value);
void
    proto_put_u32 (uint8_t *out, uint32_t value);
uint64_t
    proto_get_u64 (const uint8_t *in);
uint32_t
    proto_get_u32 (const uint8_t *in);

//  Replace characters outside [A-Za-z0-9._-] by '_' (in place) so a
//  source or subject name can be a topic component.
void
    proto_topic_clean (char *topic);

//  Human name of a command byte ("PUBLISH"), "?" if unknown
const char *
    proto_command_name (char command);

#endif
