//  SPDX-License-Identifier: MIT
//  poll - PLACEHOLDER: replaced by the real command (must not survive)

#include "common.h"
#include "cli/commands.h"

int
cmd_poll (int argc, char **argv, config_t *config)
{
    fprintf (stderr, "copydesk: %s is not built yet\n", argv [0]);
    return 1;
}
