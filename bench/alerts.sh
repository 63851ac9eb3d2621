#!/usr/bin/env bash
# Alert engine benchmark (not part of CI): one evaluation of N rules (default 1,000) over
# an hour of traffic from 50 restaurants in SQLite. Prints the time per evaluation.
# Usage: bench/alerts.sh [rules=1000]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cargo run --release -p server --example alert_bench -- "${1:-1000}"
