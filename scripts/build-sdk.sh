#!/usr/bin/env bash
# Builds the RUM SDK into $SDK_OUT (default target/sdk): rum.js (loader), rum_sdk.js
# (wasm-bindgen glue) and rum_sdk_bg.wasm (size-optimised with wasm-opt).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/tools.sh"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="${SDK_OUT:-$ROOT/target/sdk}"

cd "$ROOT"
cargo build -p sdk --lib --target wasm32-unknown-unknown --profile wasm-release
mkdir -p "$OUT"
wasm-bindgen --target web --no-typescript --out-dir "$OUT" --out-name rum_sdk \
  "$TARGET_DIR/wasm32-unknown-unknown/wasm-release/rum_sdk.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  -o "$OUT/rum_sdk_bg.wasm" "$OUT/rum_sdk_bg.wasm"
cp sdk/js/rum.js "$OUT/rum.js"
