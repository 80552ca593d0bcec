//  SPDX-License-Identifier: MIT
//  settle - what the feeder's publishes carry as their tag
//
//  The feeder has one publisher for every feed and spool. Each publish
//  gives the publisher a tag that starts with a settle_t: when the broker
//  accepts or refuses the publish, the feeder calls tag->settle (tag,
//  refused), and the owner (a poller's item, a spool's file) takes it from
//  there and frees the tag. A NULL tag needs no answer.

#ifndef COPYDESK_SETTLE_H
#define COPYDESK_SETTLE_H

typedef struct _settle_t settle_t;

//  Called once per publish: refused is NULL when the broker accepted it,
//  else the REFUSE reason. Owns the tag from then on.
typedef void (settle_fn) (settle_t *tag, const char *refused);

struct _settle_t {
    settle_fn *settle;          //  Who to tell
};

#endif
