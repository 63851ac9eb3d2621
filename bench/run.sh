#!/usr/bin/env bash
# Ingest benchmark (not part of CI). In one run, on this machine:
#   1. a no-op axum handler (bench/noop) under the same load: the baseline;
#   2. the monitor's POST /api/rum (validate, enqueue, 202; the writer stores in SQLite).
# Prints requests/s, the ratio to the no-op, p50/p99 latency, non-2xx answers, peak RSS,
# and how many beacons were stored after a SIGTERM (all accepted ones must be); then
# Sentry envelope ingest (one error event per envelope, project rate limit off): events/s,
# latency, and how many were stored.
# Usage: bench/run.sh [duration_seconds=10] [connections=64]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/tools.sh"
DURATION="${1:-10}"
CONNS="${2:-64}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

ensure_apt wrk
cd "$ROOT"
ensure_build_tools
say "building release binaries (monitor via cargo-leptos, as run.sh does; bench-noop)"
cargo leptos build --release
cargo build --release -p bench-noop

run_wrk() { # url -> wrk output file
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$ROOT/bench/rum.lua" "$1" > "$2"
}
field() { # file, wrk label -> value
  awk -v k="$2" '$1 == k { print $2; exit }' "$1"
}
peak_rss_mb() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

say "baseline: no-op handler"
"$TARGET_DIR/release/bench-noop" 127.0.0.1:3901 & NOOP=$!
sleep 0.5
run_wrk "http://127.0.0.1:3901/api/rum" "$WORK/noop.txt"
kill $NOOP; wait $NOOP 2>/dev/null || true

say "monitor: POST /api/rum"
MONITOR_SERVER__PORT=3902 MONITOR_DATABASE__URL="sqlite://$WORK/bench.db" MONITOR_ADMIN_PASSWORD=bench-password \
  MONITOR_DEMO__ENABLED=false MONITOR_INGEST__SENTRY_EVENTS_PER_MINUTE=0 env ${BENCH_MONITOR_ENV:-} "$TARGET_DIR/release/monitor" > "$WORK/monitor.log" 2>&1 & MON=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:3902/health/live >/dev/null && break; sleep 0.1; done
KEY=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select public_key from projects').fetchone()[0])" "$WORK/bench.db")
IDLE_RSS=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$MON/status")
run_wrk "http://127.0.0.1:3902/api/rum?key=$KEY" "$WORK/monitor.txt"
say "monitor: POST /api/1/envelope/ (Sentry error events)"
KEY=$KEY wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$ROOT/bench/envelope.lua" \
  "http://127.0.0.1:3902/api/1/envelope/" > "$WORK/envelope.txt"
PEAK=$(peak_rss_mb $MON)
kill -TERM $MON; wait $MON || true
EVENTS=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from error_events').fetchone()[0])" "$WORK/bench.db")
STORED=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from rum_events').fetchone()[0])" "$WORK/bench.db")

NOOP_RPS=$(field "$WORK/noop.txt" "Requests/sec:")
MON_RPS=$(field "$WORK/monitor.txt" "Requests/sec:")
MON_REQS=$(awk '/requests in/ { print $1; exit }' "$WORK/monitor.txt")
NON2XX=$(awk '/Non-2xx/ { print $NF; exit }' "$WORK/monitor.txt"); NON2XX=${NON2XX:-0}
echo
echo "== ingest benchmark: ${DURATION}s, ${CONNS} connections, 2 wrk threads, $(nproc) cores =="
printf '%-28s %12s req/s   p50 %-9s p99 %s\n' "no-op axum handler" "$NOOP_RPS" "$(field "$WORK/noop.txt" 50%)" "$(field "$WORK/noop.txt" 99%)"
printf '%-28s %12s req/s   p50 %-9s p99 %s\n' "monitor POST /api/rum" "$MON_RPS" "$(field "$WORK/monitor.txt" 50%)" "$(field "$WORK/monitor.txt" 99%)"
python3 - "$NOOP_RPS" "$MON_RPS" "$MON_REQS" "$NON2XX" "$DURATION" "$STORED" <<'PY'
import sys
noop, rps, reqs, refused, secs, stored = map(float, sys.argv[1:])
accepted = reqs - refused
per_sec = rps * accepted / reqs if reqs else 0.0
print(f"beacons accepted (202)       {per_sec:12.2f} /s  (1 beacon per request; {int(refused)} answered 429)")
print(f"ratio accepted / no-op       {per_sec / noop:.2f}  (budget >= 0.50)")
print(f"stored after SIGTERM         {int(stored)} of {int(accepted)} accepted (requests still in flight when wrk stopped may add a few)")
PY
ENV_REQS=$(awk '/requests in/ { print $1; exit }' "$WORK/envelope.txt")
ENV_NON2XX=$(awk '/Non-2xx/ { print $NF; exit }' "$WORK/envelope.txt"); ENV_NON2XX=${ENV_NON2XX:-0}
printf '%-28s %12s req/s   p50 %-9s p99 %s\n' "monitor Sentry envelopes" \
  "$(field "$WORK/envelope.txt" "Requests/sec:")" "$(field "$WORK/envelope.txt" 50%)" "$(field "$WORK/envelope.txt" 99%)"
echo "  error events accepted       $(( (ENV_REQS - ENV_NON2XX) / DURATION )) /s ($ENV_NON2XX answered 429: queue full), $EVENTS stored after SIGTERM (rate limit off)"
echo "monitor RSS                   idle ${IDLE_RSS} MB, peak ${PEAK} MB"
