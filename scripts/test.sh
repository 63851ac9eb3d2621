#!/usr/bin/env bash
# The test command: formatting, lints, unit and integration tests, the release build
# with its bundle-size budgets, and the browser tests against the real binary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/tools.sh"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

ensure_build_tools
ensure_test_tools

say "cargo fmt --check"
cargo fmt --all -- --check

say "no import cycles between modules (server, app, store, protocol)"
python3 "$ROOT/scripts/module_cycles.py" server/src app/src store/src protocol/src

say "clippy (server side, then the two browser crates for wasm32)"
cargo clippy -p protocol -p store -p app -p server --all-targets -- -D warnings
# Separately: the SDK is no_std, and building it beside the frontend would unify `std` in.
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p sdk --target wasm32-unknown-unknown -- -D warnings

say "unit and integration tests"
ensure_services
cargo test -p protocol -p store -p app -p server -p sdk

say "release build (dashboard + server) and RUM SDK"
cargo leptos build --release
"$ROOT/scripts/build-sdk.sh"

say "bundle sizes against their budgets"
"$ROOT/scripts/check-sizes.sh"

say "browser tests (Playwright + Debian Chromium) against the release binary"
E2E_MONITOR_BIN="$TARGET_DIR/release/monitor" node --test "$ROOT/end2end/tests/"
