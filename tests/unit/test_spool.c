//  SPDX-License-Identifier: MIT
//  test_spool - spool folders against the real broker actor: files are taken
//  only once stable, moved to done/ only once accepted, rejected ones go to
//  error/ with a .reason, hidden and partial files are left alone, and
//  nothing is lost when the broker is away or a file changes on its way.
//  Scans are driven with explicit clock values, so no test sleeps.

#include "common.h"
#include "feeder/feeder.h"
#include "broker/broker.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include <setjmp.h>
#include <cmocka.h>

typedef struct {
    char home [128];
    char dir [192];
    config_t *config;
    zactor_t *broker;
    feeder_t *feeder;
    spool_t *spool;
} fixture_t;

static void
s_broker_start (fixture_t *self)
{
    self->broker = zactor_new (broker_actor, self->config);
    assert_non_null (self->broker);
    zstr_send (self->broker, "ENDPOINT");
    char *endpoint = zstr_recv (self->broker);
    assert_non_null (endpoint);
    assert_true (strlen (endpoint) > 0);
    free (endpoint);
}

//  A feeder with one spool on dir (format hint may be NULL)
static void
s_spool_open (fixture_t *self, const char *format, int64_t stable_ms)
{
    self->feeder = feeder_new (self->config, false);
    assert_non_null (self->feeder);
    assert_int_equal (feeder_add_spool (self->feeder, "test", self->dir, "wire", format, stable_ms), 0);
    self->spool = feeder_spool (self->feeder, 0);
    assert_non_null (self->spool);
}

static void
s_spool_close (fixture_t *self)
{
    feeder_destroy (&self->feeder);
    self->spool = NULL;
}

static int
s_setup (void **state)
{
    fixture_t *self = (fixture_t *) xcalloc (1, sizeof (fixture_t));
    snprintf (self->home, sizeof self->home, "/tmp/copydesk-test-spool-XXXXXX");
    assert_non_null (mkdtemp (self->home));
    snprintf (self->dir, sizeof self->dir, "%s/inbox", self->home);
    char path [256];
    snprintf (path, sizeof path, "%s/copydesk.cfg", self->home);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fprintf (file, "broker\n    heartbeat = 100\n    liveness = 10\n    max_frame = 64k\n"
                   "feeds\n    broker_timeout = 1500ms\n"
                   "spools\n    max_size = 16k\n");
    fclose (file);
    self->config = config_load (self->home);
    assert_non_null (self->config);
    s_broker_start (self);
    *state = self;
    return 0;
}

static int
s_teardown (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    s_spool_close (self);
    zactor_destroy (&self->broker);
    config_destroy (&self->config);
    char *command = xasprintf ("rm -rf '%s'", self->home);
    assert_int_equal (system (command), 0);
    free (command);
    free (self);
    return 0;
}

static void
s_write (fixture_t *self, const char *name, const char *mode, const void *data, size_t size)
{
    char path [512];
    snprintf (path, sizeof path, "%s/%s", self->dir, name);
    FILE *file = fopen (path, mode);
    assert_non_null (file);
    if (size)
        assert_int_equal (fwrite (data, 1, size, file), size);
    fclose (file);
}

static void
s_write_text (fixture_t *self, const char *name, const char *mode, const char *text)
{
    s_write (self, name, mode, text, strlen (text));
}

static bool
s_exists (fixture_t *self, const char *relative)
{
    char path [512];
    snprintf (path, sizeof path, "%s/%s", self->dir, relative);
    return access (path, F_OK) == 0;
}

//  The first line of error/<name>.reason
static char *
s_reason (fixture_t *self, const char *name)
{
    char path [512];
    snprintf (path, sizeof path, "%s/error/%s.reason", self->dir, name);
    FILE *file = fopen (path, "r");
    if (!file)
        return NULL;
    char line [512] = "";
    if (!fgets (line, sizeof line, file))
        line [0] = 0;
    fclose (file);
    line [strcspn (line, "\n")] = 0;
    return xstrdup (line);
}

//  Wait for the broker's answers (they move the files)
static void
s_settle (fixture_t *self)
{
    assert_int_equal (publisher_flush (feeder_publisher (self->feeder), 5000), 0);
}

static double
s_stat (fixture_t *self, const char *queue, const char *key)
{
    char err [256];
    json_t *stats = cli_stats (self->config, 5000, err, sizeof err);
    if (!stats)
        fail_msg ("no stats: %s", err);
    json_t *object = queue ? json_object_get (json_object_get (stats, "queues"), queue) : stats;
    double value = cli_json_number (object, key, -1);
    json_decref (stats);
    return value;
}

static const char *s_story = "Minister resigns\n\nThe minister resigned on Monday.\n";

//  --------------------------------------------------------------------------

static void
test_growing_file_waits (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    s_spool_open (self, NULL, 1000);
    s_write_text (self, "a.txt", "w", "Minister resigns\n\n");
    assert_int_equal (spool_scan (self->spool, 10000), 0);
    assert_false (spool_idle (self->spool));        //  a.txt is waiting
    //  It grows: the clock starts again
    s_write_text (self, "a.txt", "a", "The minister resigned on Monday.\n");
    assert_int_equal (spool_scan (self->spool, 10500), 0);
    assert_int_equal (spool_scan (self->spool, 11200), 0);    //  700 ms quiet: not yet
    assert_int_equal (spool_stats (self->spool)->published, 0);
    assert_true (s_exists (self, "a.txt"));
    assert_int_equal (spool_scan (self->spool, 11600), 1);    //  1100 ms quiet: taken
    assert_int_equal (spool_stats (self->spool)->published, 1);
    //  Not moved before the broker accepted it
    assert_true (s_exists (self, "a.txt"));
    s_settle (self);
    assert_false (s_exists (self, "a.txt"));
    assert_true (s_exists (self, "done/a.txt"));
    assert_int_equal (spool_stats (self->spool)->done, 1);
    assert_int_equal ((int) s_stat (self, "ingest", "published"), 1);
    assert_int_equal (spool_scan (self->spool, 12000), 0);
    assert_true (spool_idle (self->spool));
}

static void
test_old_file_taken_at_second_look (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    s_spool_open (self, NULL, 5000);
    s_write_text (self, "old.txt", "w", s_story);
    char path [512];
    snprintf (path, sizeof path, "%s/old.txt", self->dir);
    struct timespec times [2] = { { time (NULL) - 3600, 0 }, { time (NULL) - 3600, 0 } };
    assert_int_equal (utimensat (AT_FDCWD, path, times, 0), 0);
    assert_int_equal (spool_scan (self->spool, 1000), 0);     //  First look
    assert_int_equal (spool_scan (self->spool, 2500), 1);     //  Unchanged, an hour old
    s_settle (self);
    assert_true (s_exists (self, "done/old.txt"));
}

static void
test_hidden_and_partial_ignored (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    s_spool_open (self, NULL, 100);
    s_write_text (self, ".hidden", "w", s_story);
    s_write_text (self, "b.xml.part", "w", s_story);
    s_write_text (self, "c.txt~", "w", s_story);
    s_write_text (self, "d.tmp", "w", s_story);
    char path [512];
    snprintf (path, sizeof path, "%s/sub", self->dir);
    assert_int_equal (mkdir (path, 0700), 0);
    for (int64_t t = 0; t < 5000; t += 500)
        assert_int_equal (spool_scan (self->spool, t), 0);
    assert_true (spool_idle (self->spool));
    assert_int_equal (spool_stats (self->spool)->published, 0);
    assert_true (s_exists (self, ".hidden") && s_exists (self, "b.xml.part")
              && s_exists (self, "c.txt~") && s_exists (self, "d.tmp") && s_exists (self, "sub"));
    //  The writer renames the finished file: now it is taken
    char from [512], to [512];
    snprintf (from, sizeof from, "%s/b.xml.part", self->dir);
    snprintf (to, sizeof to, "%s/b.txt", self->dir);
    assert_int_equal (rename (from, to), 0);
    assert_int_equal (spool_scan (self->spool, 6000), 0);
    assert_int_equal (spool_scan (self->spool, 6500), 1);
    s_settle (self);
    assert_true (s_exists (self, "done/b.txt"));
}

static void
test_rejected_files (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    s_spool_open (self, NULL, 100);
    s_write (self, "empty.txt", "w", "", 0);
    s_write_text (self, "page.rss", "w",
                  "<!DOCTYPE html><html><head><title>Moved</title></head><body>Moved</body></html>");
    s_write (self, "junk.bin", "w", "\x7f" "ELF\x00\x00\x01\x02\x03\x00\x00\x00", 12);
    char *big = (char *) xmalloc (20000);
    memset (big, 'a', 20000);
    s_write (self, "big.txt", "w", big, 20000);             //  spools/max_size = 16k
    free (big);
    s_write_text (self, "good.txt", "w", s_story);
    assert_int_equal (spool_scan (self->spool, 0), 0);
    spool_scan (self->spool, 1000);
    s_settle (self);
    spool_scan (self->spool, 2000);
    s_settle (self);
    assert_true (s_exists (self, "done/good.txt"));
    const char *names [] = { "empty.txt", "page.rss", "junk.bin", "big.txt" };
    const char *reasons [] = { "empty-input", "not-a-feed", "binary", "too-large" };
    for (int i = 0; i < 4; i++) {
        char relative [128];
        snprintf (relative, sizeof relative, "error/%s", names [i]);
        if (!s_exists (self, relative))
            fail_msg ("%s was not moved to error/", names [i]);
        assert_false (s_exists (self, names [i]));
        char *reason = s_reason (self, names [i]);
        assert_non_null (reason);
        if (!str_starts (reason, reasons [i]))
            fail_msg ("%s: reason '%s', expected '%s...'", names [i], reason, reasons [i]);
        free (reason);
    }
    assert_int_equal (spool_stats (self->spool)->errors, 4);
    assert_int_equal (spool_stats (self->spool)->done, 1);
    //  Each reject is also a dead letter
    assert_int_equal ((int) s_stat (self, NULL, "dead"), 4);
    assert_int_equal ((int) s_stat (self, "ingest", "published"), 1);
}

static void
test_format_hint_skips_detection (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    s_spool_open (self, "anpa1312", 100);
    s_write (self, "take.bin", "w", "\x16\x16\x01" "a0001 US\r\n", 13);
    spool_scan (self->spool, 0);
    assert_int_equal (spool_scan (self->spool, 1000), 1);
    s_settle (self);
    assert_true (s_exists (self, "done/take.bin"));
}

static void
test_crash_before_accept (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    //  The broker is away: the file is sent but never accepted, so it stays
    zactor_destroy (&self->broker);
    s_spool_open (self, NULL, 100);
    s_write_text (self, "a.txt", "w", s_story);
    spool_scan (self->spool, 0);
    assert_int_equal (spool_scan (self->spool, 1000), 1);
    assert_int_equal (spool_pending (self->spool), 1);
    s_spool_close (self);                       //  As if the process died here
    assert_true (s_exists (self, "a.txt"));
    assert_false (s_exists (self, "done/a.txt"));

    //  Restart with the broker: it is sent again; done/ already has an a.txt
    s_broker_start (self);
    s_write_text (self, "done/a.txt", "w", "an older file of the same name");
    s_spool_open (self, NULL, 100);
    spool_scan (self->spool, 0);
    assert_int_equal (spool_scan (self->spool, 1000), 1);
    s_settle (self);
    assert_false (s_exists (self, "a.txt"));
    assert_true (s_exists (self, "done/a.txt.1"));
    assert_int_equal ((int) s_stat (self, "ingest", "published"), 1);
}

static void
test_changed_on_its_way (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    s_spool_open (self, NULL, 100);
    s_write_text (self, "a.txt", "w", s_story);
    spool_scan (self->spool, 0);
    assert_int_equal (spool_scan (self->spool, 1000), 1);
    //  Rewritten before the broker's answer is read: it must not be moved
    s_write_text (self, "a.txt", "a", "A correction follows.\n");
    s_settle (self);
    assert_true (s_exists (self, "a.txt"));
    assert_false (s_exists (self, "done/a.txt"));
    //  The new content goes too
    spool_scan (self->spool, 2000);
    assert_int_equal (spool_scan (self->spool, 3000), 1);
    s_settle (self);
    assert_true (s_exists (self, "done/a.txt"));
    assert_int_equal ((int) s_stat (self, "ingest", "published"), 2);
}

static void
test_too_large_for_the_broker (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    //  Within spools/max_size, beyond broker/max_frame (64k)
    config_set (self->config, "spools/max_size", "1M");
    s_spool_open (self, NULL, 100);
    buf_t text;
    buf_init (&text);
    buf_puts (&text, "A long story\n\n");
    while (text.size < 100000)
        buf_puts (&text, "Another paragraph of a very long story.\n\n");
    s_write (self, "long.txt", "w", text.data, text.size);
    buf_free (&text);
    spool_scan (self->spool, 0);
    spool_scan (self->spool, 1000);
    assert_true (s_exists (self, "error/long.txt"));
    char *reason = s_reason (self, "long.txt");
    assert_non_null (strstr (reason, "max_frame"));
    free (reason);
    s_settle (self);
}

static void
test_watch_once_command (void **state)
{
    fixture_t *self = (fixture_t *) *state;
    //  The CLI command end to end: handle what is there, then exit
    assert_int_equal (dir_make (self->dir), 0);
    s_write_text (self, "one.txt", "w", s_story);
    s_write_text (self, "two.txt", "w", "Second story\n\nMore text.\n");
    s_write (self, "empty.txt", "w", "", 0);
    char *argv [] = { "watch", self->dir, "--once", "--stable-ms", "50", "--source", "wire", NULL };
    assert_int_equal (cmd_watch (7, argv, self->config), 0);
    assert_true (s_exists (self, "done/one.txt"));
    assert_true (s_exists (self, "done/two.txt"));
    assert_true (s_exists (self, "error/empty.txt"));
    assert_int_equal ((int) s_stat (self, "ingest", "published"), 2);
    //  Bad usage
    char *missing [] = { "watch", "/nonexistent/folder", "--once", NULL };
    assert_int_equal (cmd_watch (3, missing, self->config), 1);
    char *unknown [] = { "watch", self->dir, "--bogus", NULL };
    assert_int_equal (cmd_watch (3, unknown, self->config), 2);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_growing_file_waits, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_old_file_taken_at_second_look, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_hidden_and_partial_ignored, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_rejected_files, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_format_hint_skips_detection, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_crash_before_accept, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_changed_on_its_way, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_too_large_for_the_broker, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_watch_once_command, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
