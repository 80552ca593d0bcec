//  SPDX-License-Identifier: MIT
//  up - PLACEHOLDER: replaced by the real command (must not survive)

#include "common.h"
#include "cli/commands.h"

int
cmd_up (int argc, char **argv, config_t *config)
{
    fprintf (stderr, "copydesk: %s is not built yet\n", argv [0]);
    return 1;
}

int
cmd_down (int argc, char **argv, config_t *config)
{
    fprintf (stderr, "copydesk: %s is not built yet\n", argv [0]);
    return 1;
}
