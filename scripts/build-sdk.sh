#!/usr/bin/env bash
# Builds the RUM SDK into $SDK_OUT (default target/sdk): rum.js (the shell and
# wasm-bindgen's glue, bundled and minified by esbuild) and rum_sdk_bg.wasm
# (size-optimised with wasm-opt).
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
# The shell imports ./rum_sdk.js: bundle it from beside the glue, then drop the parts.
cp sdk/js/rum.js "$OUT/rum.src.js"
esbuild "$OUT/rum.src.js" --bundle --format=esm --minify --target=es2020 \
  --log-level=warning --outfile="$OUT/rum.js"
rm "$OUT/rum.src.js" "$OUT/rum_sdk.js"
