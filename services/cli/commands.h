//  SPDX-License-Identifier: MIT
//  commands - the subcommands of `copydesk`
//
//  main.c parses the global option --home DIR (anywhere on the line) and
//  loads the configuration, then calls the command with the remaining
//  arguments (argv[0] is the command name). Every command handles --help /
//  -h itself and returns the process exit code: 0 success, 1 failure, 2
//  usage error.

#ifndef COPYDESK_COMMANDS_H
#define COPYDESK_COMMANDS_H

#include "config.h"

typedef int (command_fn) (int argc, char **argv, config_t *config);

command_fn cmd_up;              //  up.c       start broker + workers in the background
command_fn cmd_down;            //  up.c       stop them
command_fn cmd_status;          //  status.c   workers, queues, counters
command_fn cmd_wait;            //  status.c   wait until idle
command_fn cmd_push;            //  push.c     push files/dirs/stdin
command_fn cmd_tap;             //  tap.c      watch topics as JSON lines
command_fn cmd_dead;            //  dead.c     list dead letters
command_fn cmd_search;          //  search.c   full-text search of the store
command_fn cmd_show;            //  search.c   one story as ninjs JSON
command_fn cmd_parse;           //  parse.c    ingest+normalize(+classify) offline
command_fn cmd_train;           //  train.c    train the subject model
command_fn cmd_eval;            //  train.c    evaluate on ModApte
command_fn cmd_watch;           //  watch.c    spool folder source
command_fn cmd_poll;            //  poll.c     HTTP feed source

#endif
