//  SPDX-License-Identifier: MIT
//  test_cli - helpers of the copydesk commands: msgpack to JSON, tap
//  payloads, formatting, option parsing, pid files, worker counts

#include "common.h"
#include "cli/cli.h"
#include "supervisor/supervisor.h"
#include <setjmp.h>
#include <cmocka.h>

//  JSON text of msgpack bytes (caller frees)
static char *
s_json (const buf_t *buf, size_t bin_inline)
{
    json_t *json = cli_json_from_bytes ((const uint8_t *) buf->data, buf->size, bin_inline);
    assert_non_null (json);
    char *text = json_dumps (json, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref (json);
    return text;
}

static void
test_msgpack_json (void **state)
{
    buf_t buf;
    buf_init (&buf);
    msgpack_packer pk;
    codec_packer_init (&pk, &buf);
    msgpack_pack_map (&pk, 9);
    codec_pack_kv_str (&pk, "s", "caf\xc3\xa9");
    codec_pack_kv_int (&pk, "i", -42);
    codec_pack_str (&pk, "u");
    msgpack_pack_uint64 (&pk, 18446744073709551615ULL);
    codec_pack_str (&pk, "f");
    msgpack_pack_double (&pk, 2.5);
    codec_pack_str (&pk, "n");
    msgpack_pack_nil (&pk);
    codec_pack_str (&pk, "b");
    msgpack_pack_bin_with_body (&pk, "\x00\x01\x02", 3);
    codec_pack_str (&pk, "a");
    msgpack_pack_array (&pk, 2);
    msgpack_pack_true (&pk);
    codec_pack_str (&pk, "x");
    codec_pack_str (&pk, "bad");
    msgpack_pack_str_with_body (&pk, "a\xff" "b", 3);     //  Not UTF-8
    msgpack_pack_uint8 (&pk, 7);                        //  Integer key
    codec_pack_str (&pk, "seven");
    char *text = s_json (&buf, 64);
    assert_string_equal (text,
        "{\"7\":\"seven\",\"a\":[true,\"x\"],\"b\":{\"base64\":\"AAEC\",\"size\":3},"
        "\"bad\":\"a\xc3\xbf" "b\",\"f\":2.5,\"i\":-42,\"n\":null,\"s\":\"caf\xc3\xa9\","
        "\"u\":1.8446744073709552e19}");
    free (text);
    //  Large binaries only show their size
    text = s_json (&buf, 2);
    assert_non_null (strstr (text, "\"b\":{\"size\":3}"));
    free (text);
    //  Not msgpack, or a container bomb: NULL, no allocation storm
    assert_null (cli_json_from_bytes ((const uint8_t *) "\xc1", 1, 0));
    assert_null (cli_json_from_bytes ((const uint8_t *) "\xdf\x04\x00\x00\x00", 5, 0));
    buf_free (&buf);
}

static void
test_payload (void **state)
{
    //  A story on a story topic comes out as ninjs
    story_t *story = story_new ();
    str_set (&story->uri, "urn:test:1");
    story_add_text (&story->headlines, "main", NULL, "Copper rises");
    buf_t buf;
    buf_init (&buf);
    story_encode (story, &buf);
    story_destroy (&story);
    json_t *json = cli_json_payload ("normalized.reuters", (const uint8_t *) buf.data, buf.size);
    assert_string_equal (cli_json_string (json, "uri", ""), "urn:test:1");
    json_t *headlines = json_object_get (json, "headlines");
    assert_int_equal (json_array_size (headlines), 1);
    assert_string_equal (cli_json_string (json_array_get (headlines, 0), "value", ""), "Copper rises");
    json_decref (json);
    //  Garbage never fails: size and error
    json = cli_json_payload ("classified.earn", (const uint8_t *) "\xc1\xc1", 2);
    assert_int_equal (cli_json_number (json, "size", 0), 2);
    assert_non_null (cli_json_string (json, "error", NULL));
    json_decref (json);
    buf_free (&buf);
}

static void
test_format (void **state)
{
    char buf [32];
    assert_string_equal (cli_format_bytes (512, buf, sizeof buf), "512 B");
    assert_string_equal (cli_format_bytes (12345678, buf, sizeof buf), "12.3 MB");
    assert_string_equal (cli_format_duration (0.00025, buf, sizeof buf), "250us");
    assert_string_equal (cli_format_duration (0.12, buf, sizeof buf), "120ms");
    assert_string_equal (cli_format_duration (4.2, buf, sizeof buf), "4.2s");
    assert_string_equal (cli_format_duration (185, buf, sizeof buf), "3m05s");
    assert_string_equal (cli_format_duration (3720, buf, sizeof buf), "1h02m");
    assert_string_equal (cli_format_count (1234, buf, sizeof buf), "1234");
    assert_string_equal (cli_format_count (12345, buf, sizeof buf), "12.3k");
    assert_string_equal (cli_format_count (4.5e6, buf, sizeof buf), "4.5M");
}

static void
test_options (void **state)
{
    char *argv [] = { "push", "--source", "reuters", "--window=16", "--timeout", NULL };
    int argc = 5;
    const char *value = NULL;
    int i = 1;
    assert_int_equal (cli_opt ("push", argc, argv, &i, "--source", &value), 1);
    assert_string_equal (value, "reuters");
    assert_int_equal (i, 2);
    i = 3;
    assert_int_equal (cli_opt ("push", argc, argv, &i, "--source", &value), 0);
    assert_int_equal (cli_opt ("push", argc, argv, &i, "--window", &value), 1);
    assert_string_equal (value, "16");
    i = 4;
    assert_int_equal (cli_opt ("push", argc, argv, &i, "--timeout", &value), -1);
    //  A longer option with the same start is another option
    char *argv2 [] = { "tap", "--counts", "3" };
    i = 1;
    assert_int_equal (cli_opt ("tap", 3, argv2, &i, "--count", &value), 0);
    double number;
    assert_int_equal (cli_number ("x", "--n", "2.5", 0, 10, &number), 0);
    assert_true (number == 2.5);
    assert_int_equal (cli_number ("x", "--n", "11", 0, 10, &number), -1);
    assert_int_equal (cli_number ("x", "--n", "3x", 0, 10, &number), -1);
    assert_int_equal (cli_number ("x", "--n", "nan", 0, 10, &number), -1);
}

static void
test_pids (void **state)
{
    char path [] = "/tmp/copydesk-test-cli-XXXXXX";
    int fd = mkstemp (path);
    assert_true (fd >= 0);
    close (fd);
    assert_int_equal (cli_pid_read (path), 0);           //  Empty file
    assert_int_equal (cli_pid_write (path, getpid ()), 0);
    assert_int_equal (cli_pid_read (path), getpid ());
    //  This test's command line holds "copydesk"? Only via its path; a
    //  pid that does not exist is never alive
    assert_false (cli_pid_alive (0));
    assert_false (cli_pid_alive (-1));
    assert_false (cli_pid_alive (4194303));
    unlink (path);
    assert_int_equal (cli_pid_read (path), 0);
}

static void
test_workers (void **state)
{
    int counts [SUPERVISOR_STAGES];
    supervisor_default_workers (NULL, counts);
    for (int i = 0; i < SUPERVISOR_STAGES; i++)
        assert_int_equal (counts [i], 1);
    char err [128];
    assert_int_equal (supervisor_parse_workers ("normalize=3,store=0", counts, err, sizeof err), 0);
    char text [128];
    assert_string_equal (supervisor_format_workers (counts, text, sizeof text),
                         "ingest=1,normalize=3,classify=1,store=0");
    assert_int_equal (supervisor_parse_workers ("frobnicate=1", counts, err, sizeof err), -1);
    assert_non_null (strstr (err, "unknown stage"));
    assert_int_equal (supervisor_parse_workers ("ingest=x", counts, err, sizeof err), -1);
    assert_int_equal (supervisor_parse_workers ("ingest", counts, err, sizeof err), -1);
    assert_int_equal (supervisor_parse_workers ("ingest=65", counts, err, sizeof err), -1);
    assert_int_equal (counts [0], 1);                    //  Unchanged by failures
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_msgpack_json),
        cmocka_unit_test (test_payload),
        cmocka_unit_test (test_format),
        cmocka_unit_test (test_options),
        cmocka_unit_test (test_pids),
        cmocka_unit_test (test_workers),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
