//  SPDX-License-Identifier: MIT
//  copydesk - the command-line tool
//
//  copydesk [--home DIR] COMMAND [options]: finds the home folder (--home,
//  else $COPYDESK_HOME, else ~/.copydesk), loads its configuration and runs
//  one command from the table below (services/cli/commands.h).

#include "common.h"
#include "cli/commands.h"

typedef struct {
    const char *name;
    command_fn *fn;
    const char *summary;
} command_t;

static const command_t s_commands [] = {
    { "up",     cmd_up,     "start the broker and the workers in the background" },
    { "down",   cmd_down,   "stop them (workers first, then the broker)" },
    { "status", cmd_status, "workers, queues, rates and counters of the running pipeline" },
    { "wait",   cmd_wait,   "wait until the pipeline is idle (everything stored or dead)" },
    { "push",   cmd_push,   "send files, folders or stdin into the pipeline" },
    { "tap",    cmd_tap,    "watch the stream live (topics, JSON lines)" },
    { "dead",   cmd_dead,   "list dead letters: what the pipeline gave up on, and why" },
    { "search", cmd_search, "full-text search of the stored stories" },
    { "show",   cmd_show,   "one stored story as ninjs JSON" },
    { "parse",  cmd_parse,  "parse files offline and print the stories as ninjs JSON" },
    { "train",  cmd_train,  "train the subject classifier" },
    { "eval",   cmd_eval,   "evaluate the classifier on the Reuters ModApte test split" },
    { "watch",  cmd_watch,  "push files dropped into a spool folder" },
    { "poll",   cmd_poll,   "push new items of an RSS/Atom feed over HTTP" },
};
#define COMMANDS (sizeof s_commands / sizeof s_commands [0])

//  Usage of the command
static void
s_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk [--home DIR] COMMAND [options]\n"
        "\n"
        "copydesk runs a newsroom copy desk at machine speed: wire copy in any\n"
        "format goes through ingest -> normalize -> classify -> store, reliably.\n"
        "\n"
        "Commands:\n");
    for (size_t i = 0; i < COMMANDS; i++)
        fprintf (out, "  %-8s %s\n", s_commands [i].name, s_commands [i].summary);
    fprintf (out,
        "\n"
        "Options:\n"
        "  --home DIR   home folder: config, sockets, journal, database, logs\n"
        "               (default $COPYDESK_HOME, else ~/.copydesk)\n"
        "  --version    print the version\n"
        "  -h, --help   this help; `copydesk COMMAND --help` for a command\n"
        "\n"
        "Example:\n"
        "  copydesk up && copydesk push --source reuters wires/ && copydesk wait --idle\n"
        "  copydesk search 'coffee prices'\n");
}

//  The command of that name, or NULL
static const command_t *
s_find (const char *name)
{
    for (size_t i = 0; i < COMMANDS; i++)
        if (streq (s_commands [i].name, name))
            return &s_commands [i];
    return NULL;
}

//  Find the home, load the config, run the command
int
main (int argc, char **argv)
{
    //  Take --home DIR / --home=DIR out of the line, wherever it is (up to "--")
    const char *home = NULL;
    char **args = (char **) xcalloc ((size_t) argc + 1, sizeof (char *));
    int nargs = 0;
    bool literal = false;
    for (int i = 1; i < argc; i++) {
        if (!literal && streq (argv [i], "--"))
            literal = true;
        if (!literal && streq (argv [i], "--home")) {
            if (i + 1 >= argc) {
                fprintf (stderr, "copydesk: --home needs a folder\n");
                free (args);
                return 2;
            }
            home = argv [++i];
        }
        else
        if (!literal && str_starts (argv [i], "--home="))
            home = argv [i] + 7;
        else
            args [nargs++] = argv [i];
    }
    int rc = 0;
    if (nargs == 0) {
        s_usage (stderr);
        rc = 2;
    }
    else
    if (streq (args [0], "-h") || streq (args [0], "--help"))
        s_usage (stdout);
    else
    if (streq (args [0], "--version") || streq (args [0], "version"))
        printf ("copydesk %s\n", COPYDESK_VERSION);
    else
    if (streq (args [0], "help")) {
        const command_t *command = nargs > 1 ? s_find (args [1]) : NULL;
        if (nargs > 1 && !command) {
            fprintf (stderr, "copydesk: unknown command '%s'\n", args [1]);
            rc = 2;
        }
        else
        if (!command)
            s_usage (stdout);
        else {
            //  Commands may expect a config even for --help
            config_t *config = config_load (home);
            char *help_argv [] = { (char *) command->name, "--help", NULL };
            rc = config ? command->fn (2, help_argv, config) : 1;
            config_destroy (&config);
        }
    }
    else {
        const command_t *command = s_find (args [0]);
        if (!command) {
            fprintf (stderr, "copydesk: unknown command '%s' (see copydesk --help)\n", args [0]);
            rc = 2;
        }
        else {
            config_t *config = config_load (home);
            if (!config)
                rc = 1;
            else {
                zsys_init ();
                //  Logs (the publisher's warnings...) must not mix with output
                zsys_set_logstream (stderr);
                rc = command->fn (nargs, args, config);
            }
            config_destroy (&config);
        }
    }
    free (args);
    return rc;
}
