//  SPDX-License-Identifier: MIT
//  copydesk-ingest - the ingest stage worker, in the foreground
//
//  copydesk-ingest [--home DIR] [--broker EP] [--credit N]
//                  [--set KEY=VALUE] [--verbose] [-h]
//  Consumes the ingest queue (raw documents), publishes stories to the
//  normalize queue under ingested.<source>, dead-letters bad items and
//  rejects unreadable documents (services/ingest/stage.h).

#include "common.h"
#include "ingest/stage.h"

int
main (int argc, char **argv)
{
    return worker_main (ingest_stage (), NULL, argc, argv);
}
