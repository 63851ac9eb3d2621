#!/usr/bin/env bash
# Scaling benchmark (not part of CI): RUM ingest (POST /api/rum, one beacon per request)
# on SQLite with one instance, then on the local PostgreSQL with one and with two
# instances (wrk drives both at once, half the connections each). Prints accepted
# beacons/s, p99 latency, and how many were stored after SIGTERM (each exactly once).
# Usage: bench/scaling.sh [duration_seconds=10] [connections=64]
# Needs PostgreSQL at $BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/tools.sh"
DURATION="${1:-10}"
CONNS="${2:-64}"
ADMIN_URL="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK=$(mktemp -d)
DB="monitor_bench_$$"
PG_URL="${ADMIN_URL%/*}/$DB"
cleanup() {
  pkill -f "$TARGET_DIR/release/monitor" 2>/dev/null || true
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ensure_apt wrk
cd "$ROOT"
ensure_build_tools
say "building the release binary (cargo-leptos, as run.sh does)"
cargo leptos build --release

start() { # port db_url -> pid; waits until it answers
  MONITOR_SERVER__PORT=$1 MONITOR_DATABASE__URL="$2" MONITOR_ADMIN_PASSWORD=bench-password \
    MONITOR_DEMO__ENABLED=false "$TARGET_DIR/release/monitor" > "$WORK/monitor-$1.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/health/live" >/dev/null && break; sleep 0.1; done
  echo $pid
}
stop() { # pid... : SIGTERM, then wait until each has flushed and exited
  kill -TERM "$@" 2>/dev/null || true
  for pid in "$@"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
}
wrk_rum() { # port conns key out
  wrk -t1 -c"$2" -d"${DURATION}s" --latency -s "$ROOT/bench/rum.lua" \
    "http://127.0.0.1:$1/api/rum?key=$3" > "$4"
}
accepted() { # wrk output -> accepted requests
  local reqs non2xx
  reqs=$(awk '/requests in/ { print $1; exit }' "$1")
  non2xx=$(awk '/Non-2xx/ { print $NF; exit }' "$1")
  echo $(( reqs - ${non2xx:-0} ))
}
p99() { awk '$1 == "99%" { print $2; exit }' "$1"; }
report() { # label accepted stored p99...
  local label=$1 acc=$2 stored=$3; shift 3
  printf '%-30s %10d beacons/s   p99 %-18s stored %d of %d accepted\n' \
    "$label" $(( acc / DURATION )) "$*" "$stored" "$acc"
}

say "SQLite, one instance"
A=$(start 3911 "sqlite://$WORK/bench.db")
KEY=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select public_key from projects').fetchone()[0])" "$WORK/bench.db")
wrk_rum 3911 "$CONNS" "$KEY" "$WORK/sqlite.txt"
stop "$A"
STORED=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from rum_events').fetchone()[0])" "$WORK/bench.db")
SQLITE_LINE=$(report "SQLite, 1 instance" "$(accepted "$WORK/sqlite.txt")" "$STORED" "$(p99 "$WORK/sqlite.txt")")

pg_count() { psql "$PG_URL" -Atc "select count(*) from rum_events"; }
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
say "PostgreSQL, one instance"
A=$(start 3912 "$PG_URL")
KEY=$(psql "$PG_URL" -Atc "select public_key from projects")
wrk_rum 3912 "$CONNS" "$KEY" "$WORK/pg1.txt"
stop "$A"
PG1_STORED=$(pg_count)
PG1_LINE=$(report "PostgreSQL, 1 instance" "$(accepted "$WORK/pg1.txt")" "$PG1_STORED" "$(p99 "$WORK/pg1.txt")")

say "PostgreSQL, two instances (half the connections each)"
A=$(start 3913 "$PG_URL")
B=$(start 3914 "$PG_URL")
wrk_rum 3913 $(( CONNS / 2 )) "$KEY" "$WORK/pg2a.txt" &
W1=$!
wrk_rum 3914 $(( CONNS / 2 )) "$KEY" "$WORK/pg2b.txt"
wait $W1
stop "$A" "$B"
PG2_STORED=$(( $(pg_count) - PG1_STORED ))
PG2_ACC=$(( $(accepted "$WORK/pg2a.txt") + $(accepted "$WORK/pg2b.txt") ))
PG2_LINE=$(report "PostgreSQL, 2 instances" "$PG2_ACC" "$PG2_STORED" "$(p99 "$WORK/pg2a.txt") / $(p99 "$WORK/pg2b.txt")")

echo
echo "== scaling benchmark: ${DURATION}s, ${CONNS} connections in all, $(nproc) cores (wrk, instances and PostgreSQL share them) =="
echo "$SQLITE_LINE"
echo "$PG1_LINE"
echo "$PG2_LINE"
