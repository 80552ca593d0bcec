//  SPDX-License-Identifier: MIT
//  copydesk-classify - the classify stage worker, in the foreground
//
//  copydesk-classify [--home DIR] [--broker EP] [--credit N]
//                    [--set KEY=VALUE] [--verbose] [-h]
//  Consumes the classify queue, publishes to store (worker_main). The
//  model, rules, gazetteer and organisation list are found with
//  config_datafile (classify/model, classify/rules, classify/gazetteer,
//  classify/orgs); SIGHUP reloads them.

#include "common.h"
#include "classify/classify.h"

int
main (int argc, char **argv)
{
    return worker_main (classify_stage (), NULL, argc, argv);
}
