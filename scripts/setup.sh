# Sourced by scripts/run.sh and scripts/test.sh: installs what the build
# needs, at pinned versions, and skips whatever is already there.
# Everything comes from package registries (crates.io, npm, Debian): these
# machines reach nothing else, so no tool may download its own binaries.

TRUNK_VERSION=0.21.14
CARGO_DENY_VERSION=0.20.2
BINARYEN_VERSION=132
TOOLS_DIR="${KARTOTEKA_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/kartoteka-tools}"
export PATH="$HOME/.cargo/bin:$TOOLS_DIR/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# The wasm-bindgen version Cargo.lock resolved: the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || { say "adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }
}

ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "installing Trunk $TRUNK_VERSION (a few minutes, once)"
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
}

ensure_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $want" ]; then
    say "installing wasm-bindgen-cli $want (a few minutes, once)"
    # --locked fails for this crate today (a locked dependency was yanked).
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install wasm-bindgen-cli --version "$want"
  fi
}

ensure_wasm_opt() {
  if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    say "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm into $TOOLS_DIR"
    mkdir -p "$TOOLS_DIR"
    npm install --no-audit --no-fund --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION"
  fi
}

ensure_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Chromium and ChromeDriver from Debian"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver
  fi
}

# The npm packages of the stock automerge-repo client test (tests/js):
# installed from the lockfile, again only when the lockfile changed since.
ensure_js_test_packages() {
  local dir=tests/js
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.kartoteka-lock.json" 2>/dev/null; then
    say "installing the npm packages of tests/js (npm ci)"
    npm ci --no-audit --no-fund --prefix "$dir"
    cp "$dir/package-lock.json" "$dir/node_modules/.kartoteka-lock.json"
  fi
}

# cargo-deny checks the dependencies (deny.toml) in scripts/test.sh.
ensure_cargo_deny() {
  if [ "$(cargo deny --version 2>/dev/null)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
    say "installing cargo-deny $CARGO_DENY_VERSION (a few minutes, once)"
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
  fi
}

# The dependencies against deny.toml. Licenses, bans (duplicate versions
# warn) and sources need only Cargo.lock. Advisories need the RustSec
# database, a git repository on GitHub: it is fetched when GitHub can be
# reached; else a database fetched earlier is used; with neither, the
# advisories are reported as not checked — and the run fails if
# KARTOTEKA_REQUIRE_ADVISORIES=1 (set it where GitHub is reachable).
# An advisory found always fails the run.
check_dependencies() {
  say "dependencies: licenses, bans, sources (cargo deny)"
  cargo deny --locked check --hide-inclusion-graph licenses bans sources
  say "dependencies: security advisories (cargo deny)"
  if timeout 120 cargo deny fetch db 2>/dev/null; then
    cargo deny --offline --locked check advisories
  elif ls -d "${CARGO_HOME:-$HOME/.cargo}"/advisory-dbs/*/ >/dev/null 2>&1; then
    echo "the advisory database cannot be fetched; checking against the copy fetched earlier" >&2
    cargo deny --offline --locked check advisories
  elif [ "${KARTOTEKA_REQUIRE_ADVISORIES:-0}" = 1 ]; then
    echo "ADVISORIES NOT CHECKED: the RustSec database (github.com/rustsec/advisory-db) cannot be fetched" >&2
    return 1
  else
    printf '\033[1;33m%s\033[0m\n' "ADVISORIES NOT CHECKED: the RustSec database (github.com/rustsec/advisory-db) cannot be fetched from this machine" >&2
  fi
}

ensure_build_tools() {
  ensure_wasm_target
  ensure_trunk
  ensure_wasm_bindgen
  ensure_wasm_opt
}

build_app() {
  say "building the app (release wasm) into dist/"
  trunk build --release
}
