#!/usr/bin/env bash
# Prints the browser bundle sizes and fails when a budget (DESIGN.md) is broken:
#   RUM SDK (rum.js, shell + glue bundled; and its wasm) <= 15 KB gzip
#   dashboard hydrate bundle (wasm + js) <= 150 KB gzip
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SDK="${SDK_OUT:-$ROOT/target/sdk}"
PKG="$ROOT/target/site/pkg"
SDK_BUDGET=$((15 * 1024))
DASH_BUDGET=$((150 * 1024))

gz() { gzip -9 -c "$1" | wc -c; }
raw() { wc -c < "$1"; }

total() { # label budget files...
  local label=$1 budget=$2; shift 2
  local sum_raw=0 sum_gz=0
  for f in "$@"; do
    [ -f "$f" ] || { echo "missing $f: build first" >&2; exit 1; }
    printf '  %-28s %8d B raw %8d B gzip\n' "$(basename "$f")" "$(raw "$f")" "$(gz "$f")"
    sum_raw=$((sum_raw + $(raw "$f"))); sum_gz=$((sum_gz + $(gz "$f")))
  done
  printf '%-30s %8d B raw %8d B gzip (budget %d B gzip)\n' "$label" "$sum_raw" "$sum_gz" "$budget"
  if [ "$sum_gz" -gt "$budget" ]; then
    echo "FAIL: $label is over its budget" >&2
    return 1
  fi
}

status=0
total "RUM SDK" "$SDK_BUDGET" "$SDK/rum.js" "$SDK/rum_sdk_bg.wasm" || status=1
total "Dashboard hydrate bundle" "$DASH_BUDGET" "$PKG/monitor.wasm" "$PKG/monitor.js" || status=1
exit $status
