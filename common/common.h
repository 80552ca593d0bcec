//  SPDX-License-Identifier: MIT
//  common.h - the one include of every copydesk source file
//
//  System headers, the libraries every module uses, and the headers of the
//  shared classes in common/. Asserts stay on in every build: a broken
//  invariant must fail fast, as in czmq. Bad input from the outside is never
//  asserted on; it is a runtime error with a message, a counter and a dead
//  letter.

#ifndef COPYDESK_COMMON_H
#define COPYDESK_COMMON_H

#ifndef _GNU_SOURCE
#   define _GNU_SOURCE
#endif
#undef NDEBUG

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <czmq.h>
#include <msgpack.h>

#ifndef COPYDESK_VERSION
#   define COPYDESK_VERSION "0.0.0"
#endif

//  Stages of the pipeline, in order. The broker keeps one queue per stage.
#define STAGE_INGEST     "ingest"
#define STAGE_NORMALIZE  "normalize"
#define STAGE_CLASSIFY   "classify"
#define STAGE_STORE      "store"
#define STAGE_DEAD       "dead"

#include "util.h"
#include "story.h"
#include "mpcheck.h"
#include "codec.h"
#include "document.h"
#include "deadletter.h"
#include "charset.h"
#include "text.h"
#include "dates.h"
#include "html.h"
#include "proto.h"
#include "config.h"
#include "worker.h"

#endif
