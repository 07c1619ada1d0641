#!/usr/bin/env bash
# Builds everything and runs Kartoteka on http://127.0.0.1:8080 with the
# embedded store in ./data (a demo workspace is created on first start).
# Extra arguments go to `kartoteka serve` (e.g. --addr 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_build_tools
build_app
say "building the relay (release)"
cargo build --release -p kartoteka-server
exec target/release/kartoteka serve --data data --dist dist "$@"
