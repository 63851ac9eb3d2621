#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo fuzz, libFuzzer) of the parsers that read what anyone on
# the network sends: the Sentry envelope (through item handling), the decompressor with
# its cap, the RUM batch, JS stack traces and NDJSON logs. Not in CI: it runs for a set
# time per target and prints the inputs tried, the coverage reached and the peak RSS.
#
#   bench/fuzz.sh [seconds per target, default 300] [target ...]
#
# A crash leaves its input in fuzz/artifacts/<target>/ and stops this script; replay it
# with `cargo fuzz run <target> <file>` and turn it into a regression test beside the
# parser. libFuzzer's -rss_limit_mb / -malloc_limit_mb make unbounded memory a crash too.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECS="${1:-300}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(envelope decompress rum_batch stack_trace log_lines)
CARGO_FUZZ_VERSION="0.13.1"
export PATH="$HOME/.cargo/bin:$PATH"
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  echo "==> installing cargo-fuzz $CARGO_FUZZ_VERSION" >&2
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
# cargo fuzz passes a few unstable rustc flags; the machine has one stable toolchain.
export RUSTC_BOOTSTRAP=1
cd "$ROOT"
# Its own target dir: instrumented builds share nothing with the normal ones.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$ROOT/fuzz/target}"
cargo fuzz build --sanitizer none --release
printf '%-12s %12s %10s %8s %8s %s\n' target inputs exec/s cov rss_mb result
for t in "${TARGETS[@]}"; do
  corpus="$ROOT/fuzz/corpus/$t"
  work="$(mktemp -d)"
  cp -r "$corpus/." "$work/" 2>/dev/null || true
  log="$(mktemp)"
  set +e
  cargo fuzz run --sanitizer none --release "$t" "$work" -- \
    -max_total_time="$SECS" -rss_limit_mb=512 -malloc_limit_mb=256 -max_len=65536 \
    -print_final_stats=1 -close_fd_mask=3 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  result=ok
  [ $rc -ne 0 ] && result="CRASH (see $log and fuzz/artifacts/$t/)"
  printf '%-12s %12s %10s %8s %8s %s\n' "$t" "$runs" "$speed" "$cov" "$rss" "$result"
  rm -rf "$work"
  [ $rc -ne 0 ] && exit 1
done
