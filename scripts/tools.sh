#!/usr/bin/env bash
# Installs, once, every tool the build and the tests need, at pinned versions.
# Safe to run again: each step is skipped when the pinned version is present.
# Sourced by scripts/run.sh and scripts/test.sh; can also be run on its own.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.11"
BINARYEN_NPM_VERSION="132.0.0"
ESBUILD_NPM_VERSION="0.28.2"
TOOLS_DIR="${MONITOR_TOOLS_DIR:-$HOME/.cache/restaurant-os-monitor/tools}"
export PATH="$HOME/.cargo/bin:$TOOLS_DIR/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The wasm-bindgen CLI must match the library exactly; read it from Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# cargo install of a crate whose published lock no longer builds here: unpack it,
# move one dependency to a version that does, and install from the copy.
install_patched() { # crate version feature-args precise-pkg precise-version
  local crate=$1 version=$2 features=$3 pkg=$4 precise=$5
  if cargo install "$crate" --version "$version" --locked $features; then return 0; fi
  say "$crate $version: published lock does not build here; pinning $pkg to $precise"
  local src
  src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$crate-$version" | head -n1)
  local work
  work=$(mktemp -d)
  cp -r "$src" "$work/"
  (cd "$work/$crate-$version" && cargo update -p "$pkg" --precise "$precise" \
     && cargo install --path . --locked $features)
  rm -rf "$work"
}

ensure_apt() { # package...
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_build_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (no_downloads); about 13 minutes on 2 cores, once"
    install_patched cargo-leptos "$CARGO_LEPTOS_VERSION" "--features no_downloads" \
      cargo-util-schemas 0.14.1
  fi
  local wbv
  wbv=$(wasm_bindgen_version)
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbv\$"; then
    say "installing wasm-bindgen-cli $wbv (matches Cargo.lock); about 2 minutes, once"
    install_patched wasm-bindgen-cli "$wbv" "" webpki-roots 1.0.10
  fi
  # Debian's binaryen is too old for rustc 1.95 output and breaks hydration; use npm's.
  if ! "$TOOLS_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "$BINARYEN_NPM_VERSION\|version 132"; then
    say "installing wasm-opt (binaryen@$BINARYEN_NPM_VERSION from npm)"
    mkdir -p "$TOOLS_DIR"
    (cd "$TOOLS_DIR" && npm install --silent --no-audit --no-fund "binaryen@$BINARYEN_NPM_VERSION" >/dev/null)
  fi
  # esbuild bundles and minifies the RUM SDK's JS (the shell and wasm-bindgen's glue).
  if ! "$TOOLS_DIR/node_modules/.bin/esbuild" --version 2>/dev/null | grep -qx "$ESBUILD_NPM_VERSION"; then
    say "installing esbuild $ESBUILD_NPM_VERSION from npm"
    mkdir -p "$TOOLS_DIR"
    (cd "$TOOLS_DIR" && npm install --silent --no-audit --no-fund "esbuild@$ESBUILD_NPM_VERSION" >/dev/null)
  fi
}

ensure_test_tools() {
  ensure_apt chromium
  # npm ci writes node_modules/.package-lock.json: reinstall when it is missing or older
  # than package-lock.json (a dependency was added or bumped since the last install).
  if [ ! -d "$ROOT/end2end/node_modules/playwright-core" ] \
     || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    say "installing end2end npm packages"
    (cd "$ROOT/end2end" && npm ci --silent --no-audit --no-fund)
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_build_tools
  ensure_test_tools
fi

port_open() { # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# PostgreSQL and Redis for the probe and health tests: started where they are installed
# but stopped; exported as TEST_POSTGRES_URL / TEST_REDIS_URL only when reachable (the
# tests that need them say loudly that they skipped otherwise).
ensure_services() {
  if ! port_open 127.0.0.1 5432 && command -v pg_ctlcluster >/dev/null; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 20); do port_open 127.0.0.1 5432 && break; sleep 0.5; done
  fi
  if ! port_open 127.0.0.1 6379 && command -v redis-server >/dev/null; then
    say "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
    for _ in $(seq 1 20); do port_open 127.0.0.1 6379 && break; sleep 0.5; done
  fi
  if port_open 127.0.0.1 5432; then
    export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  else
    say "WARNING: no PostgreSQL on 127.0.0.1:5432: its probe tests will be SKIPPED"
  fi
  if port_open 127.0.0.1 6379; then
    export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
  else
    say "WARNING: no Redis on 127.0.0.1:6379: its probe tests will be SKIPPED"
  fi
}
