//  SPDX-License-Identifier: MIT
//  copydesk-feeder - run the feeds and spool folders of the config
//
//  copydesk-feeder [--home DIR] [--verbose] [-h]
//  Polls every feed and watches every spool folder declared in
//  <home>/copydesk.cfg (see feeder.h for the keys), pushing into the
//  broker. Logs each poll; a failing feed backs off and the others go on.
//  SIGHUP re-reads the config; SIGINT/SIGTERM stop it (exit 0).

#include "common.h"
#include "feeder/feeder.h"

static void
s_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk-feeder [--home DIR] [--verbose] [-h]\n"
        "Poll the feeds and watch the spool folders declared in copydesk.cfg,\n"
        "pushing what is new into the broker.\n\n"
        "  --home DIR      home folder (default $COPYDESK_HOME or ~/.copydesk)\n"
        "  --verbose       log every item and file\n"
        "  -h, --help      this help\n\n"
        "Config example (copydesk.cfg):\n"
        "    feeds\n"
        "        guardian\n"
        "            url = https://www.theguardian.com/world/rss\n"
        "            every = 300\n"
        "    spools\n"
        "        wires\n"
        "            path = /var/spool/copydesk/wires\n"
        "            source = reuters\n");
}

int
main (int argc, char **argv)
{
    const char *home = NULL;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        if (streq (arg, "-h") || streq (arg, "--help")) {
            s_usage (stdout);
            return 0;
        }
        else
        if (streq (arg, "--home") && i + 1 < argc)
            home = argv [++i];
        else
        if (strncmp (arg, "--home=", 7) == 0)
            home = arg + 7;
        else
        if (streq (arg, "--verbose") || streq (arg, "-v"))
            verbose = true;
        else {
            fprintf (stderr, "copydesk-feeder: unknown or incomplete option %s\n", arg);
            s_usage (stderr);
            return 1;
        }
    }
    zsys_init ();
    zsys_set_logident ("copydesk-feeder");
    config_t *config = config_load (home);
    if (!config)
        return 1;
    feeder_t *feeder = feeder_new (config, verbose);
    if (!feeder) {
        config_destroy (&config);
        return 1;
    }
    feeder_watch_reload (feeder);
    if (feeder_load (feeder) < 0)
        zsys_warning ("feeder: some feeds or spools in the config are invalid (see above)");
    if (feeder_feeds (feeder) + feeder_spools (feeder) == 0)
        zsys_warning ("feeder: no feeds or spools declared in %s/copydesk.cfg; waiting for SIGHUP",
                      config_home (config));
    zsys_info ("feeder: started feeds=%zu spools=%zu broker=%s", feeder_feeds (feeder),
               feeder_spools (feeder), config_endpoint (config));
    feeder_run (feeder, false, 0);
    zsys_info ("feeder: stopping");
    feeder_destroy (&feeder);
    config_destroy (&config);
    return 0;
}
