//  SPDX-License-Identifier: MIT
//  copydesk-store - the store stage worker, in the foreground
//
//  copydesk-store [--home DIR] [--broker EP] [--credit N]
//                 [--set KEY=VALUE] [--verbose] [-h]
//
//  Consumes the store queue. Each delivery is decoded and held; a flush
//  (when idle, when store/hold_max jobs are held, every store/flush_ms)
//  upserts them in one SQLite transaction, then publishes a tap event
//  stored.<source> {uri, version, rowid, headline, source, inserted} per
//  story and completes the jobs, so the broker hears the ACK only after the
//  commit. A batch that cannot be committed (locked, disk full) stays held
//  and is retried; a record that does not decode is rejected (dead letter).
//  Its default credit window (512) is the stage's own (services/store/stage.c).

#include "common.h"
#include "store/stage.h"

int
main (int argc, char **argv)
{
    return worker_main (store_stage (), NULL, argc, argv);
}
