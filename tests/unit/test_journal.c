//  SPDX-License-Identifier: MIT
//  journal and dead-letter log: write/replay round trip, torn tails, crc
//  corruption, segment deletion and compaction, seq continuity, disk-full
//  retry, locking; the dead-letter log's writer and reader
#include "common.h"
#include "broker/journal.h"
#include "broker/deadlog.h"
#include "broker/seqmap.h"
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

static char *
s_tempdir (void)
{
    char *dir = xstrdup ("/tmp/copydesk-test-journal-XXXXXX");
    assert_non_null (mkdtemp (dir));
    return dir;
}

static void
s_rmtree (char **dir)
{
    nftw (*dir, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    free (*dir);
    *dir = NULL;
}

//  Live messages seen by a replay
typedef struct {
    uint64_t seq;
    char queue [32];
    uint32_t attempts;
    uint32_t segment;
    size_t size;
    uint8_t first;              //  First and last payload bytes
    uint8_t last;
} seen_t;

typedef struct {
    seen_t items [4096];
    size_t count;
} replay_t;

static void
s_collect (void *arg, uint64_t seq, const char *queue, uint32_t attempts,
           zmq_msg_t *payload, uint32_t segment)
{
    replay_t *replay = (replay_t *) arg;
    assert_true (replay->count < 4096);
    seen_t *seen = &replay->items [replay->count++];
    seen->seq = seq;
    snprintf (seen->queue, sizeof seen->queue, "%s", queue);
    seen->attempts = attempts;
    seen->segment = segment;
    seen->size = zmq_msg_size (payload);
    const uint8_t *data = (const uint8_t *) zmq_msg_data (payload);
    seen->first = seen->size ? data [0] : 0;
    seen->last = seen->size ? data [seen->size - 1] : 0;
}

//  A payload of size bytes: first byte tag, last byte ~tag
static void
s_payload (zmq_msg_t *msg, size_t size, uint8_t tag)
{
    zmq_msg_init_size (msg, size);
    uint8_t *data = (uint8_t *) zmq_msg_data (msg);
    memset (data, 'x', size);
    data [0] = tag;
    data [size - 1] = (uint8_t) ~tag;
}

static journal_t *
s_open (const char *dir, uint64_t segment_size, replay_t *replay)
{
    journal_t *journal = journal_new (dir, segment_size, true);
    assert_non_null (journal);
    if (replay)
        replay->count = 0;
    assert_int_equal (journal_replay (journal, replay ? s_collect : NULL, replay), 0);
    return journal;
}

static size_t
s_count_segments (const char *dir)
{
    size_t count = 0;
    DIR *d = opendir (dir);
    struct dirent *ent;
    while ((ent = readdir (d)))
        if (str_ends (ent->d_name, ".jnl"))
            count++;
    closedir (d);
    return count;
}

static char *
s_first_segment (const char *dir)
{
    char *best = NULL;
    DIR *d = opendir (dir);
    struct dirent *ent;
    while ((ent = readdir (d)))
        if (str_ends (ent->d_name, ".jnl") && (!best || strcmp (ent->d_name, best) < 0)) {
            free (best);
            best = xstrdup (ent->d_name);
        }
    closedir (d);
    char *path = xasprintf ("%s/%s", dir, best);
    free (best);
    return path;
}

//  --------------------------------------------------------------------------

static void
test_round_trip (void **state)
{
    char *dir = s_tempdir ();
    replay_t *replay = (replay_t *) calloc (1, sizeof (replay_t));
    journal_t *journal = s_open (dir, 0, replay);
    assert_int_equal (replay->count, 0);
    assert_int_equal (journal_next_seq (journal), 1);

    //  10 messages, two queues, sizes 1..10000
    uint64_t seqs [10];
    uint32_t segments [10];
    size_t sizes [10];
    for (int i = 0; i < 10; i++) {
        zmq_msg_t payload;
        sizes [i] = 1 + (size_t) i * 1111;
        s_payload (&payload, sizes [i], (uint8_t) (0x80 + i));
        seqs [i] = journal_pub (journal, i % 2 ? "normalize" : "ingest", 0, &payload, &segments [i]);
        zmq_msg_close (&payload);       //  The journal keeps its own reference
        assert_int_equal (seqs [i], (uint64_t) i + 1);
    }
    assert_true (journal_unwritten (journal));
    assert_int_equal (journal_write (journal), 0);
    assert_false (journal_unwritten (journal));
    assert_true (journal_unsynced (journal));
    assert_int_equal (journal_sync (journal), 0);
    assert_false (journal_unsynced (journal));

    //  Settle some: acks (coalesced), a dead letter, a retry
    journal_ack (journal, seqs [0], segments [0], sizes [0]);
    journal_ack (journal, seqs [2], segments [2], sizes [2]);
    journal_ack (journal, seqs [3], segments [3], sizes [3]);
    journal_dead (journal, seqs [5], segments [5], sizes [5]);
    journal_retry (journal, seqs [6], 2);
    journal_retry (journal, seqs [7], 1);
    journal_retry (journal, seqs [7], 3);
    journal_ack (journal, 999, segments [0], 0);    //  Unknown seq: ignored on replay
    assert_int_equal (journal_write (journal), 0);
    assert_int_equal (journal_sync (journal), 0);   //  Written by the writer thread
    journal_stats_t stats;
    journal_stats (journal, &stats);
    assert_int_equal (stats.segments, 1);
    assert_true (stats.records >= 16);
    journal_destroy (&journal);
    assert_null (journal);

    //  Replay: exactly 1, 4, 6, 7, 8, 9 (0-based) in order, with attempts
    journal = s_open (dir, 0, replay);
    int expect [] = { 1, 4, 6, 7, 8, 9 };
    uint32_t attempts [] = { 0, 0, 2, 3, 0, 0 };
    assert_int_equal (replay->count, 6);
    for (int i = 0; i < 6; i++) {
        seen_t *seen = &replay->items [i];
        int k = expect [i];
        assert_int_equal (seen->seq, seqs [k]);
        assert_string_equal (seen->queue, k % 2 ? "normalize" : "ingest");
        assert_int_equal (seen->attempts, attempts [i]);
        assert_int_equal (seen->size, sizes [k]);
        assert_int_equal (seen->first, 0x80 + k);
        assert_int_equal (seen->last, (uint8_t) ~(0x80 + k));
    }
    //  Seqs continue after the highest seen
    assert_int_equal (journal_next_seq (journal), 11);
    journal_stats (journal, &stats);
    assert_int_equal (stats.replayed, 6);
    journal_destroy (&journal);

    //  A second broker on the same journal is refused
    journal = journal_new (dir, 0, true);
    assert_non_null (journal);
    journal_t *second = journal_new_wait (dir, 0, true, 100);
    assert_null (second);
    journal_destroy (&journal);
    free (replay);
    s_rmtree (&dir);
}

//  CRC-32C, bit by bit: the reference the journal's fast one must match
static uint32_t
s_crc32c_reference (const uint8_t *data, size_t size)
{
    uint32_t crc = 0xffffffff;
    for (size_t i = 0; i < size; i++) {
        crc ^= data [i];
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    return ~crc;
}

static void
test_record_format (void **state)
{
    assert_int_equal (s_crc32c_reference ((const uint8_t *) "123456789", 9), 0xE3069283);
    char *dir = s_tempdir ();
    journal_t *journal = s_open (dir, 0, NULL);
    uint32_t segment;
    zmq_msg_t payload;
    s_payload (&payload, 4099, 0x81);           //  Odd size: the unaligned tail too
    assert_int_equal (journal_pub (journal, "normalize", 3, &payload, &segment), 1);
    zmq_msg_close (&payload);
    journal_ack (journal, 1, segment, 4099);
    assert_int_equal (journal_write (journal), 0);
    journal_destroy (&journal);

    //  HEAD, PUB, ACK: lengths, types, bodies and CRCs as documented
    char *path = s_first_segment (dir);
    uint8_t *data;
    size_t size;
    assert_int_equal (file_read (path, 1 << 20, &data, &size), 0);
    size_t at = 0;
    const char types [] = { JOURNAL_HEAD, JOURNAL_PUB, JOURNAL_ACK };
    for (int i = 0; i < 3; i++) {
        uint32_t length = proto_get_u32 (data + at);
        uint32_t crc = proto_get_u32 (data + at + 4);
        assert_true (at + 8 + length <= size);
        assert_int_equal (data [at + 8], types [i]);
        assert_int_equal (crc, s_crc32c_reference (data + at + 8, length));
        const uint8_t *body = data + at + 9;
        if (i == 0) {
            assert_int_equal (length, 13);
            assert_int_equal (proto_get_u32 (body), JOURNAL_FORMAT);
            assert_int_equal (proto_get_u64 (body + 4), 1);
        }
        else
        if (i == 1) {
            assert_int_equal (length, 1 + 8 + 4 + 1 + 9 + 4099);
            assert_int_equal (proto_get_u64 (body), 1);
            assert_int_equal (proto_get_u32 (body + 8), 3);
            assert_int_equal (body [12], 9);
            assert_memory_equal (body + 13, "normalize", 9);
            assert_int_equal (body [22], 0x81);
        }
        else {
            assert_int_equal (length, 9);
            assert_int_equal (proto_get_u64 (body), 1);
        }
        at += 8 + length;
    }
    assert_int_equal (at, size);
    free (data);
    free (path);
    s_rmtree (&dir);

    //  Payloads of every size class (the fast CRC works in rounds of three
    //  lanes): each record's crc matches the reference
    dir = s_tempdir ();
    journal = s_open (dir, 0, NULL);
    size_t sizes [] = { 1, 7, 8, 9, 2039, 2040, 2041, 2047, 4080, 4096, 6121, 20000, 65537 };
    size_t count = sizeof sizes / sizeof sizes [0];
    unsigned int rng = 7;
    for (size_t i = 0; i < count; i++) {
        zmq_msg_init_size (&payload, sizes [i]);
        uint8_t *bytes = (uint8_t *) zmq_msg_data (&payload);
        for (size_t j = 0; j < sizes [i]; j++)
            bytes [j] = (uint8_t) rand_r (&rng);
        journal_pub (journal, "ingest", 0, &payload, &segment);
        zmq_msg_close (&payload);
    }
    journal_destroy (&journal);
    path = s_first_segment (dir);
    assert_int_equal (file_read (path, 1 << 24, &data, &size), 0);
    at = 21;                                    //  After the HEAD
    for (size_t i = 0; i < count; i++) {
        uint32_t length = proto_get_u32 (data + at);
        assert_int_equal (length, 1 + 8 + 4 + 1 + 6 + sizes [i]);
        assert_int_equal (proto_get_u32 (data + at + 4),
                          s_crc32c_reference (data + at + 8, length));
        at += 8 + length;
    }
    assert_int_equal (at, size);
    free (data);
    free (path);
    s_rmtree (&dir);
}

static void
test_torn_tail (void **state)
{
    char *dir = s_tempdir ();
    replay_t *replay = (replay_t *) calloc (1, sizeof (replay_t));
    journal_t *journal = s_open (dir, 0, replay);
    uint32_t segment;
    for (int i = 0; i < 5; i++) {
        zmq_msg_t payload;
        s_payload (&payload, 500, (uint8_t) i);
        journal_pub (journal, "classify", 0, &payload, &segment);
        zmq_msg_close (&payload);
    }
    assert_int_equal (journal_write (journal), 0);
    journal_destroy (&journal);

    //  Cut the last record in half, as a crash in the middle of a write would
    char *path = s_first_segment (dir);
    struct stat st;
    assert_int_equal (stat (path, &st), 0);
    assert_int_equal (truncate (path, st.st_size - 250), 0);
    journal = s_open (dir, 0, replay);
    assert_int_equal (replay->count, 4);
    assert_int_equal (replay->items [3].seq, 4);
    //  The torn message was never accepted: its seq may be reused
    assert_int_equal (journal_next_seq (journal), 5);
    journal_stats_t stats;
    journal_stats (journal, &stats);
    assert_int_equal (stats.torn, 1);
    journal_destroy (&journal);

    //  Garbage after the last record (a torn header)
    FILE *file = fopen (path, "ab");
    fwrite ("\x00\x00\x01", 1, 3, file);
    fclose (file);
    journal = s_open (dir, 0, replay);
    assert_int_equal (replay->count, 4);
    journal_destroy (&journal);

    //  A length beyond the end of the file
    file = fopen (path, "ab");
    fwrite ("\x7f\xff\xff\xff\x00\x00\x00\x00P", 1, 9, file);
    fclose (file);
    journal = s_open (dir, 0, replay);
    assert_int_equal (replay->count, 4);
    journal_destroy (&journal);
    free (path);
    free (replay);
    s_rmtree (&dir);
}

static void
test_crc_corruption (void **state)
{
    char *dir = s_tempdir ();
    replay_t *replay = (replay_t *) calloc (1, sizeof (replay_t));
    journal_t *journal = s_open (dir, 0, replay);
    uint32_t segment;
    for (int i = 0; i < 6; i++) {
        zmq_msg_t payload;
        s_payload (&payload, 1000, (uint8_t) i);
        journal_pub (journal, "store", 0, &payload, &segment);
        zmq_msg_close (&payload);
    }
    assert_int_equal (journal_write (journal), 0);
    journal_destroy (&journal);

    //  Records: HEAD (21 bytes), then PUBs of 9 + 13 + 5 + 1000 = 1027
    //  bytes. Flip one payload byte of the fourth PUB.
    char *path = s_first_segment (dir);
    int fd = open (path, O_RDWR);
    off_t at = 21 + 3 * 1027 + 500;
    uint8_t byte;
    assert_int_equal (pread (fd, &byte, 1, at), 1);
    byte ^= 0x40;
    assert_int_equal (pwrite (fd, &byte, 1, at), 1);
    close (fd);
    journal = s_open (dir, 0, replay);
    assert_int_equal (replay->count, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal (replay->items [i].seq, (uint64_t) i + 1);
    journal_stats_t stats;
    journal_stats (journal, &stats);
    assert_int_equal (stats.torn, 1);
    journal_destroy (&journal);
    free (path);
    free (replay);
    s_rmtree (&dir);
}

static void
test_segments (void **state)
{
    char *dir = s_tempdir ();
    replay_t *replay = (replay_t *) calloc (1, sizeof (replay_t));
    //  Small segments: each holds about four 1 KB messages
    journal_t *journal = s_open (dir, 4096, replay);
    uint64_t seqs [40];
    uint32_t segments [40];
    for (int i = 0; i < 40; i++) {
        zmq_msg_t payload;
        s_payload (&payload, 1024, (uint8_t) i);
        seqs [i] = journal_pub (journal, "ingest", 0, &payload, &segments [i]);
        zmq_msg_close (&payload);
        //  One batch per message, so segments rotate
        assert_int_equal (journal_write (journal), 0);
        assert_int_equal (journal_sync (journal), 0);
    }
    size_t before = s_count_segments (dir);
    assert_true (before >= 8);
    //  Settle everything but message 0: it pins the first segment only;
    //  the others cannot go before it (deletion is oldest first)
    for (int i = 1; i < 40; i++)
        journal_ack (journal, seqs [i], segments [i], 1024);
    assert_int_equal (journal_write (journal), 0);
    assert_int_equal (journal_sync (journal), 0);
    assert_int_equal (s_count_segments (dir), before);

    //  Compaction: the first segment is pinned by 1 KB of live data
    uint32_t candidate = journal_compact_candidate (journal);
    assert_int_equal (candidate, segments [0]);
    zmq_msg_t payload;
    s_payload (&payload, 1024, 0);
    uint32_t moved = segments [0];
    journal_rewrite (journal, seqs [0], "ingest", 4, &payload, &moved);
    zmq_msg_close (&payload);
    assert_true (moved > segments [0]);
    assert_int_equal (journal_compact_candidate (journal), 0);
    assert_int_equal (journal_write (journal), 0);
    assert_int_equal (journal_sync (journal), 0);
    //  Now only the active segment (and perhaps one new) remain
    assert_true (s_count_segments (dir) <= 2);
    journal_stats_t stats;
    journal_stats (journal, &stats);
    assert_int_equal (stats.rewritten, 1);
    assert_true (stats.deleted >= before - 2);
    journal_destroy (&journal);

    //  Replay finds the rewritten message with its new attempts
    journal = s_open (dir, 4096, replay);
    assert_int_equal (replay->count, 1);
    assert_int_equal (replay->items [0].seq, seqs [0]);
    assert_int_equal (replay->items [0].attempts, 4);
    assert_int_equal (replay->items [0].size, 1024);
    assert_int_equal (replay->items [0].first, 0);

    //  Settle it: every segment but the new active one goes
    journal_ack (journal, seqs [0], replay->items [0].segment, 1024);
    assert_int_equal (journal_write (journal), 0);
    assert_int_equal (journal_sync (journal), 0);
    journal_destroy (&journal);
    journal = s_open (dir, 4096, replay);
    assert_int_equal (replay->count, 0);
    assert_int_equal (s_count_segments (dir), 1);

    //  Seqs continue although every segment with a PUB is gone
    assert_int_equal (journal_next_seq (journal), 41);
    s_payload (&payload, 10, 1);
    uint32_t segment;
    assert_int_equal (journal_pub (journal, "ingest", 0, &payload, &segment), 41);
    zmq_msg_close (&payload);
    journal_destroy (&journal);
    journal = s_open (dir, 4096, replay);
    assert_int_equal (replay->count, 1);
    assert_int_equal (replay->items [0].seq, 41);
    assert_int_equal (journal_next_seq (journal), 42);
    journal_destroy (&journal);
    free (replay);
    s_rmtree (&dir);
}

//  Wait for the background sync to finish (poll with a timeout)
static void
s_wait_sync (journal_t *journal)
{
    while (journal_syncing (journal)) {
        struct pollfd item = { journal_sync_fd (journal), POLLIN, 0 };
        assert_int_equal (poll (&item, 1, 5000), 1);
        assert_int_equal (journal_sync_end (journal), 0);
    }
}

static void
test_background_sync (void **state)
{
    char *dir = s_tempdir ();
    replay_t *replay = (replay_t *) calloc (1, sizeof (replay_t));
    journal_t *journal = s_open (dir, 8192, replay);
    assert_false (journal_unsynced (journal));
    assert_false (journal_syncing (journal));
    uint64_t seqs [30];
    uint32_t segments [30];
    for (int i = 0; i < 30; i++) {
        zmq_msg_t payload;
        s_payload (&payload, 1000, (uint8_t) i);
        seqs [i] = journal_pub (journal, "store", 0, &payload, &segments [i]);
        zmq_msg_close (&payload);
        assert_int_equal (journal_write (journal), 0);
        assert_true (journal_unsynced (journal));
        uint64_t written = journal_written_gen (journal);
        assert_true (journal_synced_gen (journal) < written);
        //  Start a sync now and then; writes go on while it runs
        if (i % 3 == 0) {
            journal_sync_begin (journal);
            assert_true (journal_syncing (journal));
            journal_sync_begin (journal);       //  One at a time: no-op
        }
        if (i % 6 == 5) {
            s_wait_sync (journal);
            assert_true (journal_synced_gen (journal) > 0);
            assert_true (journal_synced_gen (journal) <= written);
        }
    }
    s_wait_sync (journal);
    journal_sync_begin (journal);
    s_wait_sync (journal);
    assert_int_equal (journal_synced_gen (journal), journal_written_gen (journal));
    assert_false (journal_unsynced (journal));
    journal_stats_t stats;
    journal_stats (journal, &stats);
    assert_true (stats.syncs >= 2);
    assert_true (stats.segments >= 3);          //  Rotated on the way

    //  Settle everything: settled segments go after the next sync
    for (int i = 0; i < 30; i++)
        journal_ack (journal, seqs [i], segments [i], 1000);
    assert_int_equal (journal_write (journal), 0);
    journal_sync_begin (journal);
    s_wait_sync (journal);
    assert_true (s_count_segments (dir) <= 2);
    journal_destroy (&journal);
    journal = s_open (dir, 8192, replay);
    assert_int_equal (replay->count, 0);
    assert_int_equal (journal_next_seq (journal), 31);
    journal_destroy (&journal);

    //  With sync off, "durable" means written, without fdatasync
    journal = journal_new (dir, 0, false);
    assert_int_equal (journal_replay (journal, NULL, NULL), 0);
    zmq_msg_t payload;
    s_payload (&payload, 100, 1);
    uint32_t segment;
    journal_pub (journal, "store", 0, &payload, &segment);
    zmq_msg_close (&payload);
    assert_int_equal (journal_write (journal), 0);
    journal_sync_begin (journal);
    s_wait_sync (journal);
    assert_false (journal_unsynced (journal));
    journal_stats (journal, &stats);
    assert_int_equal (stats.syncs, 0);
    journal_destroy (&journal);
    free (replay);
    s_rmtree (&dir);
}

static void
test_disk_full (void **state)
{
    char *dir = s_tempdir ();
    replay_t *replay = (replay_t *) calloc (1, sizeof (replay_t));
    journal_t *journal = s_open (dir, 0, replay);
    uint32_t segment;
    zmq_msg_t payload;
    s_payload (&payload, 2000, 1);
    journal_pub (journal, "ingest", 0, &payload, &segment);
    zmq_msg_close (&payload);
    assert_int_equal (journal_sync (journal), 0);

    //  A file size limit makes the next write fail like a full disk: the
    //  writer cuts the segment back and retries; nothing becomes durable
    signal (SIGXFSZ, SIG_IGN);
    struct rlimit old, limit;
    getrlimit (RLIMIT_FSIZE, &old);
    limit = old;
    limit.rlim_cur = 4096;
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &limit), 0);
    s_payload (&payload, 3000, 2);
    journal_pub (journal, "ingest", 0, &payload, &segment);
    zmq_msg_close (&payload);
    assert_int_equal (journal_write (journal), 0);
    journal_sync_begin (journal);
    journal_stats_t stats;
    int64_t deadline = zclock_mono () + 5000;
    do {
        struct pollfd item = { journal_sync_fd (journal), POLLIN, 0 };
        poll (&item, 1, 20);
        assert_int_equal (journal_sync_end (journal), 0);
        journal_stats (journal, &stats);
    } while (stats.errors < 2 && zclock_mono () < deadline);
    assert_true (stats.errors >= 2);                //  Tried, and tried again
    assert_true (journal_syncing (journal));
    assert_true (journal_synced_gen (journal) < journal_written_gen (journal));
    char *path = s_first_segment (dir);
    struct stat st;
    assert_int_equal (stat (path, &st), 0);
    assert_true (st.st_size < 4096);                //  Cut back to the last record
    //  Room again: the retry writes it and the sync completes
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &old), 0);
    s_wait_sync (journal);
    assert_int_equal (journal_synced_gen (journal), journal_written_gen (journal));
    journal_destroy (&journal);
    journal = s_open (dir, 0, replay);
    assert_int_equal (replay->count, 2);
    assert_int_equal (replay->items [1].size, 3000);
    assert_int_equal (replay->items [1].first, 2);
    journal_destroy (&journal);
    free (path);
    free (replay);
    s_rmtree (&dir);
}

static void
test_seqmap (void **state)
{
    seqmap_t *map = seqmap_new ();
    static int values [1];
    //  Dense and sparse keys, removal in mixed order, growth and shrink
    for (uint64_t seq = 1; seq <= 100000; seq++)
        seqmap_put (map, seq * (seq % 3 ? 1 : 7919), values);
    size_t expect = seqmap_size (map);
    assert_true (expect > 90000);
    for (uint64_t seq = 1; seq <= 100000; seq++)
        assert_ptr_equal (seqmap_get (map, seq * (seq % 3 ? 1 : 7919)), values);
    assert_null (seqmap_get (map, 0));
    assert_null (seqmap_get (map, 1ull << 60));
    size_t removed = 0;
    for (uint64_t seq = 1; seq <= 100000; seq += 2)
        if (seqmap_remove (map, seq * (seq % 3 ? 1 : 7919)))
            removed++;
    assert_int_equal (seqmap_size (map), expect - removed);
    for (uint64_t seq = 1; seq <= 100000; seq++) {
        void *value = seqmap_get (map, seq * (seq % 3 ? 1 : 7919));
        if (seq % 2 == 0)
            assert_ptr_equal (value, values);
    }
    size_t cursor = 0, seen = 0;
    uint64_t seq;
    while (seqmap_next (map, &cursor, &seq))
        seen++;
    assert_int_equal (seen, seqmap_size (map));
    for (uint64_t s = 1; s <= 100000; s++)
        seqmap_remove (map, s * (s % 3 ? 1 : 7919));
    assert_int_equal (seqmap_size (map), 0);
    assert_null (seqmap_remove (map, 5));
    seqmap_destroy (&map);
    assert_null (map);
}

static void
test_deadlog (void **state)
{
    char *dir = s_tempdir ();
    char *path = xasprintf ("%s/dead/dead.log", dir);
    deadlog_t *log = deadlog_new (path, true);
    assert_non_null (log);
    assert_int_equal (deadlog_total (log), 0);
    assert_false (deadlog_pending (log));
    buf_t buf;
    buf_init (&buf);
    for (int i = 0; i < 3; i++) {
        char raw [100];
        snprintf (raw, sizeof raw, "raw bytes %d", i);
        deadletter_t *letter = deadletter_new ("normalize", "rejected: bad", raw, strlen (raw));
        letter->seq = 100 + i;
        letter->attempts = (uint32_t) i;
        deadletter_encode (letter, &buf);
        deadlog_append (log, buf.data, buf.size);
        deadletter_destroy (&letter);
    }
    assert_true (deadlog_pending (log));
    assert_int_equal (deadlog_total (log), 3);
    assert_int_equal (deadlog_commit (log), 0);
    assert_false (deadlog_pending (log));
    deadlog_destroy (&log);

    //  Read back
    deadlog_reader_t *reader = deadlog_open (path);
    assert_non_null (reader);
    for (int i = 0; i < 3; i++) {
        deadletter_t *letter = deadlog_next (reader);
        assert_non_null (letter);
        assert_string_equal (letter->stage, "normalize");
        assert_int_equal (letter->seq, 100 + i);
        assert_int_equal (letter->attempts, i);
        char raw [100];
        snprintf (raw, sizeof raw, "raw bytes %d", i);
        assert_int_equal (letter->raw_size, strlen (raw));
        assert_memory_equal (letter->raw, raw, letter->raw_size);
        deadletter_destroy (&letter);
    }
    assert_null (deadlog_next (reader));
    assert_null (deadlog_error (reader));
    deadlog_close (&reader);
    assert_null (reader);

    //  A torn tail (crash mid-append) is cut off on open, kept aside, and
    //  appends go on after the last good record
    FILE *file = fopen (path, "ab");
    fwrite ("\x00\x00\x10\x00\x12\x34", 1, 6, file);
    fclose (file);
    reader = deadlog_open (path);
    int good = 0;
    deadletter_t *letter;
    while ((letter = deadlog_next (reader))) {
        good++;
        deadletter_destroy (&letter);
    }
    assert_int_equal (good, 3);
    assert_non_null (deadlog_error (reader));
    deadlog_close (&reader);
    log = deadlog_new (path, true);
    assert_int_equal (deadlog_total (log), 3);
    deadlog_append (log, buf.data, buf.size);
    //  A framed record that is not a dead letter is skipped by readers
    deadlog_append (log, "\x81\xa1x\x01", 4);
    assert_int_equal (deadlog_commit (log), 0);
    deadlog_destroy (&log);
    char *torn = xasprintf ("%s.torn", path);
    struct stat st;
    assert_int_equal (stat (torn, &st), 0);
    assert_int_equal (st.st_size, 6);
    free (torn);
    reader = deadlog_open (path);
    good = 0;
    while ((letter = deadlog_next (reader))) {
        good++;
        deadletter_destroy (&letter);
    }
    assert_int_equal (good, 4);
    assert_int_equal (deadlog_skipped (reader), 1);
    assert_null (deadlog_error (reader));
    deadlog_close (&reader);

    //  A flipped bit stops the reader at that record
    int fd = open (path, O_RDWR);
    uint8_t byte;
    assert_int_equal (pread (fd, &byte, 1, 20), 1);
    byte ^= 1;
    assert_int_equal (pwrite (fd, &byte, 1, 20), 1);
    close (fd);
    reader = deadlog_open (path);
    assert_null (deadlog_next (reader));
    assert_string_equal (deadlog_error (reader), "bad crc");
    deadlog_close (&reader);

    //  Missing file: NULL with ENOENT
    char *missing = xasprintf ("%s/none.log", dir);
    assert_null (deadlog_open (missing));
    assert_int_equal (errno, ENOENT);
    free (missing);
    buf_free (&buf);
    free (path);
    s_rmtree (&dir);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_record_format),
        cmocka_unit_test (test_torn_tail),
        cmocka_unit_test (test_crc_corruption),
        cmocka_unit_test (test_segments),
        cmocka_unit_test (test_background_sync),
        cmocka_unit_test (test_disk_full),
        cmocka_unit_test (test_seqmap),
        cmocka_unit_test (test_deadlog),
    };
    int rc = cmocka_run_group_tests (tests, NULL, NULL);
    zsys_shutdown ();
    return rc;
}
