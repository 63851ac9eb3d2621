#!/usr/bin/env bash
# The run command: installs what is missing (once), builds the dashboard, the server and
# the RUM SDK in release mode, and serves http://127.0.0.1:3000 on ./data/monitor.db.
# Extra arguments go to `monitor` (e.g. `./scripts/run.sh --config my.toml`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/tools.sh"
cd "$ROOT"

ensure_build_tools
say "building the dashboard and server (release; a first build takes several minutes)"
cargo leptos build --release
say "building the RUM SDK"
"$ROOT/scripts/build-sdk.sh"
mkdir -p data
say "starting the monitor"
exec "${CARGO_TARGET_DIR:-$ROOT/target}/release/monitor" "$@"
