#!/usr/bin/env bash
# Log benchmark (not part of CI): ingest lines/s and search latency over N lines
# (default 1,000,000) in SQLite. Usage: bench/logs.sh [lines]
set -euo pipefail
cd "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cargo run --release -p server --example log_bench -- "${1:-1000000}"
