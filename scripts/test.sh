#!/usr/bin/env bash
# Runs every test: formatting and lints, unit and property tests, the relay's
# API tests, wasm tests in headless Chromium, and browser tests that drive
# the built app in headless Chromium with the relay running; then the
# relay's own suites once more on PostgreSQL (a throw-away cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
source scripts/pg-test-cluster.sh
ensure_build_tools
ensure_browser
ensure_js_test_packages
ensure_cargo_deny
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"

say "formatting"
cargo fmt --all --check
say "lints (native crates)"
cargo clippy --workspace --exclude kartoteka-app --all-targets -- -D warnings
say "lints (the app, wasm32)"
cargo clippy -p kartoteka-app --target wasm32-unknown-unknown --all-targets -- -D warnings

check_dependencies

build_app
say "building the relay"
cargo build -p kartoteka-server

say "unit, property, API and browser tests"
KARTOTEKA_BIN="$PWD/target/debug/kartoteka" KARTOTEKA_DIST="$PWD/dist" \
  cargo test --workspace --exclude kartoteka-app

say "wasm tests in headless Chromium"
cargo test -p kartoteka-app --target wasm32-unknown-unknown

say "the relay's suites again, on PostgreSQL"
# Only the relay's test binaries (lib, api, cli, clients, sync, relays): the browser
# suites drive the same relay code and stay on the embedded store.
pg_test_cluster_start
trap pg_test_cluster_stop EXIT
cargo test -p kartoteka-server --lib --test api --test cli --test clients --test sync --test relays
pg_test_cluster_stop
trap - EXIT
