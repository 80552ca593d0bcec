//  SPDX-License-Identifier: MIT
//  mpcheck - validate msgpack bytes before msgpack-c ever sees them
//
//  msgpack-c preallocates n * sizeof (object) for a container header before
//  it reads the elements, so a 5-byte "map32 of 67M entries" makes it reserve
//  gigabytes. mpcheck walks the bytes with a small cursor parser first: every
//  container must fit in the bytes that remain (each element takes at least
//  one byte), nesting is bounded, and the buffer must hold exactly one object.

#ifndef COPYDESK_MPCHECK_H
#define COPYDESK_MPCHECK_H

#define MPCHECK_MAX_DEPTH 32

//  Check that data holds exactly one well-formed msgpack object whose
//  containers are all honest about their sizes. Returns 0 if safe to unpack,
//  -1 with a reason in err (if err is not NULL).
int
    mpcheck_validate (const uint8_t *data, size_t size, char *err, size_t errsize);

//  Validate, then unpack into zone (which the caller owns and clears).
//  Returns 0 and fills *object, or -1 with a reason in err. Strings in the
//  object point into data: keep data alive while using them.
int
    mpcheck_unpack (const uint8_t *data, size_t size, msgpack_zone *zone,
                    msgpack_object *object, char *err, size_t errsize);

#endif
