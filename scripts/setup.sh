#!/usr/bin/env bash
# Installs what building and testing thingcall needs, and only what is missing, so a second run
# takes seconds: the wasm32 target, wasm-pack, wasm-bindgen-cli at the Cargo.lock version,
# geckodriver, Debian's chromium/chromium-driver/firefox-esr/nginx, and the npm devDependencies
# (wasm-opt from binaryen and esbuild among them).
# Nothing is downloaded from GitHub: wasm-pack finds every tool on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PWD/node_modules/.bin:$PATH"

say() { printf 'setup: %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

# Rust target.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The package's build rebuilds the standard library for size (scripts/build.mjs, STD_FOR_SIZE).
if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
  say "adding the rust-src component"
  rustup component add rust-src
fi

# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly.
[ -f Cargo.lock ] || cargo generate-lockfile
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
[ -n "$wb_version" ] || { echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; }

cargo_install() { # name [version]: prefer the crate's lockfile, fall back when it no longer resolves
  local args=("$1"); [ -n "${2:-}" ] && args+=(--version "$2" --force)
  cargo install --locked "${args[@]}" || cargo install "${args[@]}"
}

have wasm-pack || { say "installing wasm-pack"; cargo_install wasm-pack; }
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wb_version" ]; then
  say "installing wasm-bindgen-cli $wb_version"
  cargo_install wasm-bindgen-cli "$wb_version"
fi
have geckodriver || { say "installing geckodriver"; cargo_install geckodriver; }

# Browsers and drivers from Debian, nginx for the relay test (its service is not started), and
# binaryen for its wasm-split (the build splits the package's wasm; npm's binaryen has no
# wasm-split, and its wasm-opt stays first on PATH).
if ! [ -x /usr/bin/chromium ] || ! have chromedriver || ! have firefox || ! [ -x /usr/sbin/nginx ] || ! [ -x /usr/bin/wasm-split ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing chromium, chromium-driver, firefox-esr, nginx, binaryen"
    apt-get update -qq
    # policy-rc.d keeps the package from starting nginx's own service on port 80.
    made_rc=""
    if ! [ -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_rc=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver firefox-esr nginx binaryen >/dev/null
    [ -z "$made_rc" ] || rm -f /usr/sbin/policy-rc.d
  else
    echo "setup: run as root, or install chromium chromium-driver firefox-esr nginx binaryen yourself" >&2
    exit 1
  fi
fi

# npm devDependencies, when package-lock.json is newer than what is installed.
if ! [ -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm devDependencies"
  npm ci --no-audit --no-fund
fi
have wasm-opt || { echo "setup: wasm-opt (npm binaryen) is not on PATH" >&2; exit 1; }
have esbuild || { echo "setup: esbuild (npm esbuild) is not on PATH" >&2; exit 1; }
say "ready (wasm-bindgen $wb_version)"
