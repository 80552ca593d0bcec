//  SPDX-License-Identifier: MIT
//  util: the growable buffer's inline appends, SHA-256 in one call and fed
//  in pieces
#include "common.h"
#include <setjmp.h>
#include <cmocka.h>

static void
test_buf (void **state)
{
    buf_t buf;
    buf_init (&buf);
    //  Byte by byte across every growth of the buffer
    for (int i = 0; i < 5000; i++) {
        buf_putc (&buf, (char) ('a' + i % 26));
        assert_int_equal (buf.size, (size_t) i + 1);
        assert_true (buf.cap > buf.size);
        assert_int_equal (buf.data [buf.size], 0);
    }
    for (size_t i = 0; i < buf.size; i++)
        assert_int_equal (buf.data [i], 'a' + i % 26);
    buf_free (&buf);
    //  Appends that fill the buffer exactly, then one more byte
    buf_init (&buf);
    buf_append (&buf, "", 0);
    assert_non_null (buf.data);
    assert_string_equal (buf.data, "");
    char block [200];
    memset (block, 'x', sizeof block);
    buf_append (&buf, block, buf.cap - buf.size - 1);
    assert_int_equal (buf.data [buf.size], 0);
    size_t cap = buf.cap;
    buf_putc (&buf, 'y');
    assert_true (buf.cap > cap);
    assert_int_equal (buf.data [buf.size - 1], 'y');
    assert_int_equal (buf.data [buf.size], 0);
    buf_append (&buf, block, sizeof block);
    assert_int_equal (buf.size, cap - 1 + 1 + sizeof block);
    assert_int_equal (strlen (buf.data), buf.size);
    char *data = buf_detach (&buf);
    assert_null (buf.data);
    free (data);
}

static void
test_sha256 (void **state)
{
    //  FIPS 180-2 vectors
    char hex [65];
    sha256_hex ("abc", 3, hex);
    assert_string_equal (hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256_hex ("", 0, hex);
    assert_string_equal (hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    sha256_stream_t stream;
    sha256_stream_init (&stream);
    assert_true (sha256_stream_hex (&stream, hex));
    assert_string_equal (hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_stream_init (&stream);
    sha256_stream_put (&stream, "a", 1);
    sha256_stream_put (&stream, "", 0);
    sha256_stream_put (&stream, "bc", 2);
    assert_true (sha256_stream_hex (&stream, hex));
    assert_string_equal (hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    //  Pieces of every size around the block's, against the one-call digest
    size_t size = 5 * SHA256_STREAM_BLOCK + 777;
    unsigned char *data = (unsigned char *) malloc (size);
    assert_non_null (data);
    for (size_t i = 0; i < size; i++)
        data [i] = (unsigned char) (i * 131 + (i >> 9));
    char whole [65];
    sha256_hex (data, size, whole);
    size_t pieces [] = { 1, 7, 64, SHA256_STREAM_BLOCK - 1, SHA256_STREAM_BLOCK,
                         SHA256_STREAM_BLOCK + 1, 3 * SHA256_STREAM_BLOCK, size };
    for (size_t k = 0; k < sizeof pieces / sizeof pieces [0]; k++) {
        sha256_stream_init (&stream);
        size_t at = 0;
        size_t step = pieces [k];
        while (at < size) {
            size_t n = size - at < step ? size - at : step;
            sha256_stream_put (&stream, data + at, n);
            at += n;
            //  Alternate big and small pieces
            step = step == pieces [k] ? 3 : pieces [k];
        }
        assert_true (sha256_stream_hex (&stream, hex));
        assert_string_equal (hex, whole);
    }
    free (data);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_buf),
        cmocka_unit_test (test_sha256),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
