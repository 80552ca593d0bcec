//  SPDX-License-Identifier: MIT
//  copydesk-normalize - the normalize stage worker, in the foreground
//
//  copydesk-normalize [--home DIR] [--broker EP] [--credit N]
//                     [--set KEY=VALUE] [--verbose] [-h]
//  Consumes the normalize queue, publishes to classify (worker_main).

#include "common.h"
#include "normalize/normalize.h"

int
main (int argc, char **argv)
{
    return worker_main (normalize_stage (), NULL, argc, argv);
}
