#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# feeds - the feeder under `copydesk up`: a feed served over HTTP and a spool
# folder, both declared in copydesk.cfg, all the way to the store; a feeder
# restart re-pushes nothing (state in feeds.db); SIGHUP adds a second spool.
source "$(dirname "$0")/lib.sh"

for exe in copydesk-broker copydesk-ingest copydesk-normalize copydesk-classify \
           copydesk-store copydesk-feeder copydesk-supervisor; do
    [ -x "$BIN/$exe" ] || e2e_fail "$exe is not built in $BIN"
done
command -v python3 >/dev/null || e2e_fail "python3 is needed for the test's HTTP server"

#  The feed: the Guardian sample (55 items) over HTTP on a free port
mkdir -p "$E2E_HOME/www" "$E2E_HOME/wires" "$E2E_HOME/agency"
cp "$SHARED/samples/rss2/rssparser__guardian.rss" "$E2E_HOME/www/world.rss"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
E2E_PIDS+=("$(e2e_start http python3 -m http.server "$port" --bind 127.0.0.1 --directory "$E2E_HOME/www")")
for _ in $(seq 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/world.rss')" \
        2>/dev/null && break
    sleep 0.1
done

cat > "$E2E_HOME/copydesk.cfg" <<EOF
feeds
    world
        url = http://127.0.0.1:$port/world.rss
        every = 2s
        source = guardian
spools
    wires
        path = wires
        source = wenn
        stable_ms = 200
EOF

e2e_log "up"
copydesk up >/dev/null || e2e_fail "copydesk up failed"
e2e_wait_for '.queues.ingest.workers >= 1 and .queues.store.workers >= 1' 60

#  Spool: two Atom files (heise 15 entries, WENN 2), written the safe way
cp "$SHARED/samples/atom/rssparser__heise.atom" "$E2E_HOME/wires/heise.atom.part"
mv "$E2E_HOME/wires/heise.atom.part" "$E2E_HOME/wires/heise.atom"
cp "$SHARED/samples/atom/sdcore__wenn.xml" "$E2E_HOME/wires/wenn.xml"
printf '<html><body>Gone</body></html>' > "$E2E_HOME/wires/moved.rss"

e2e_log "waiting for 55 + 15 + 2 stories in the store"
e2e_wait_for '.stored >= 72' 180
copydesk wait --idle --timeout 60 >/dev/null || e2e_fail "the pipeline did not settle"
[ "$(e2e_rows)" = 72 ] || e2e_fail "store holds $(e2e_rows) stories, expected 72"
[ -f "$E2E_HOME/wires/done/heise.atom" ] || e2e_fail "heise.atom not moved to done/"
[ -f "$E2E_HOME/wires/done/wenn.xml" ] || e2e_fail "wenn.xml not moved to done/"
[ -f "$E2E_HOME/wires/error/moved.rss" ] || e2e_fail "moved.rss not moved to error/"
grep -q '^not-a-feed' "$E2E_HOME/wires/error/moved.rss.reason" || e2e_fail "moved.rss.reason: $(cat "$E2E_HOME/wires/error/moved.rss.reason")"
seen=$(sqlite3 "$E2E_HOME/feeds.db" 'SELECT count(*) FROM seen;')
[ "$seen" = 55 ] || e2e_fail "feeds.db remembers $seen items, expected 55"
copydesk search --json --limit 5 'Trump' | grep -q '"uri"' || e2e_fail "search finds no feed story"

#  The feeder restarts (the supervisor brings it back): nothing is pushed twice
e2e_log "restarting the feeder"
published=$(e2e_stat '.queues.normalize.published')
old=$(cat "$E2E_HOME/run/feeder.pid")
lines=$(wc -l < "$E2E_HOME/logs/feeder.log")
kill -TERM "$old"
#  After the new process started, its first poll of the feed is conditional
after_restart () {
    local text
    text=$(tail -n +"$((lines + 1))" "$E2E_HOME/logs/feeder.log" | sed -n '/feeder: started/,$p')
    grep -q "$1" <<< "$text"
}
for _ in $(seq 300); do
    after_restart 'poll feed=world status=304' && break
    sleep 0.1
done
after_restart 'feeder: started' || e2e_fail "the supervisor did not restart the feeder"
after_restart 'poll feed=world status=304' || e2e_fail "no conditional GET after the restart"
[ "$(cat "$E2E_HOME/run/feeder.pid")" != "$old" ] || e2e_fail "the feeder pid did not change"
[ "$(e2e_stat '.queues.normalize.published')" = "$published" ] || e2e_fail "items pushed again after a restart"

#  SIGHUP: a second spool appears in the config
e2e_log "reload with a second spool"
cat >> "$E2E_HOME/copydesk.cfg" <<'EOF'
    agency
        path = agency
        source = heraldsun
        stable_ms = 200
EOF
kill -HUP "$(cat "$E2E_HOME/run/feeder.pid")"
cp "$SHARED/samples/rss2/rssparser__heraldsun.rss" "$E2E_HOME/agency/"
e2e_wait_for '.stored >= 74' 60
[ -f "$E2E_HOME/agency/done/rssparser__heraldsun.rss" ] || e2e_fail "the new spool did not run"

copydesk down >/dev/null || e2e_fail "copydesk down failed"
e2e_log "ok"
