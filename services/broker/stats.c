//  SPDX-License-Identifier: MIT
//  stats - the broker statistics map (docs/protocol.md §6)
//
//  The reply to STATUS and the tap's $stats payload.

#include "common.h"
#include "broker/internal.h"

//  --------------------------------------------------------------------------
//  Pack key: unsigned value
static void
s_pack_kv_uint (msgpack_packer *pk, const char *key, uint64_t value)
{
    codec_pack_str (pk, key);
    msgpack_pack_uint64 (pk, value);
}

//  --------------------------------------------------------------------------
//  Pack key: float value
static void
s_pack_kv_double (msgpack_packer *pk, const char *key, double value)
{
    codec_pack_str (pk, key);
    msgpack_pack_double (pk, value);
}

//  --------------------------------------------------------------------------
//  True when nothing is queued, held, in flight or waiting for a commit
static bool
s_idle (broker_t *self)
{
    for (int i = 0; i < QUEUES; i++) {
        queue_t *queue = &self->queues [i];
        if (broker_queue_size (queue) || queue->held)
            return false;
    }
    return self->batch.len == 0 && self->waiting.len == 0 && !deadlog_pending (self->deadlog);
}

//  --------------------------------------------------------------------------
//  Encode the statistics map (docs/protocol.md §6) into buf
void
broker_stats_encode (broker_t *self, buf_t *buf)
{
    buf_clear (buf);
    msgpack_packer pk;
    codec_packer_init (&pk, buf);
    msgpack_pack_map (&pk, 18);
    codec_pack_kv_str (&pk, "version", COPYDESK_VERSION);
    codec_pack_kv_int (&pk, "pid", getpid ());
    s_pack_kv_double (&pk, "uptime", (double) (zclock_mono () - self->started) / 1000.0);
    char now [40];
    codec_pack_kv_str (&pk, "time", time_now_rfc3339 (now, sizeof now));
    s_pack_kv_uint (&pk, "documents", self->documents);
    s_pack_kv_uint (&pk, "accepted", self->accepted);
    s_pack_kv_uint (&pk, "stored", self->stored);
    s_pack_kv_uint (&pk, "dead", self->dead);
    s_pack_kv_uint (&pk, "dead_total", deadlog_total (self->deadlog));
    codec_pack_str (&pk, "idle");
    if (s_idle (self))
        msgpack_pack_true (&pk);
    else
        msgpack_pack_false (&pk);
    s_pack_kv_uint (&pk, "errors", self->errors);
    s_pack_kv_uint (&pk, "refused", self->refused);
    s_pack_kv_uint (&pk, "expired", self->expired);
    s_pack_kv_uint (&pk, "peers", zhashx_size (self->peers));
    s_pack_kv_uint (&pk, "held_dropped", self->held_dropped);

    //  Queues, then the dead-letter log as the "dead" queue
    codec_pack_str (&pk, "queues");
    msgpack_pack_map (&pk, QUEUES + 1);
    size_t workers = 0;
    for (int i = 0; i < QUEUES; i++) {
        queue_t *queue = &self->queues [i];
        workers += queue->worker_count;
        codec_pack_str (&pk, queue->name);
        msgpack_pack_map (&pk, 13);
        s_pack_kv_uint (&pk, "depth", queue->fresh.count + queue->suspects.count);
        s_pack_kv_uint (&pk, "inflight", queue->inflight);
        s_pack_kv_uint (&pk, "held", queue->held);
        s_pack_kv_uint (&pk, "bytes", queue->bytes);
        s_pack_kv_uint (&pk, "workers", queue->worker_count);
        s_pack_kv_uint (&pk, "published", queue->published);
        s_pack_kv_uint (&pk, "delivered", queue->delivered);
        s_pack_kv_uint (&pk, "acked", queue->acked);
        s_pack_kv_uint (&pk, "redelivered", queue->redelivered);
        s_pack_kv_uint (&pk, "dead", queue->dead);
        s_pack_kv_double (&pk, "rate_in", queue->rate_in);
        s_pack_kv_double (&pk, "rate_out", queue->rate_out);
        s_pack_kv_uint (&pk, "suspects", queue->suspects.count);
    }
    codec_pack_str (&pk, STAGE_DEAD);
    msgpack_pack_map (&pk, 2);
    s_pack_kv_uint (&pk, "published", self->dead);
    s_pack_kv_uint (&pk, "total", deadlog_total (self->deadlog));

    codec_pack_str (&pk, "workers");
    msgpack_pack_array (&pk, workers);
    for (int i = 0; i < QUEUES; i++)
        for (peer_t *w = self->queues [i].workers; w; w = w->worker_next) {
            msgpack_pack_map (&pk, 9);
            codec_pack_kv_str (&pk, "queue", w->queue->name);
            codec_pack_kv_str (&pk, "name", w->name);
            codec_pack_kv_str (&pk, "host", w->host);
            codec_pack_kv_int (&pk, "pid", w->pid);
            s_pack_kv_uint (&pk, "credit", w->credit);
            s_pack_kv_uint (&pk, "inflight", w->inflight.count);
            s_pack_kv_uint (&pk, "acked", w->acked);
            s_pack_kv_uint (&pk, "idle_ms", (uint64_t) (self->now - w->last_recv));
            codec_pack_kv_str (&pk, "version", w->version);
        }

    journal_stats_t js;
    journal_stats (self->journal, &js);
    codec_pack_str (&pk, "journal");
    msgpack_pack_map (&pk, 10);
    s_pack_kv_uint (&pk, "segments", js.segments);
    s_pack_kv_uint (&pk, "bytes", js.bytes);
    s_pack_kv_uint (&pk, "syncs", js.syncs);
    s_pack_kv_uint (&pk, "sync_us_p50", js.sync_us_p50);
    s_pack_kv_uint (&pk, "sync_us_max", js.sync_us_max);
    s_pack_kv_uint (&pk, "replayed", js.replayed);
    s_pack_kv_uint (&pk, "records", js.records);
    s_pack_kv_uint (&pk, "rewritten", js.rewritten);
    s_pack_kv_uint (&pk, "deleted", js.deleted);
    s_pack_kv_uint (&pk, "errors", js.errors);
}

//  --------------------------------------------------------------------------
//  Reply to STATUS with STATS
void
broker_send_stats (broker_t *self, peer_t *peer)
{
    buf_t stats;
    buf_init (&stats);
    broker_stats_encode (self, &stats);
    proto_part_t part = { stats.data, stats.size, NULL };
    broker_send (self, peer, NULL, PROTO_STATS, 1, &part);
    buf_free (&stats);
}
