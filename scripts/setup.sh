#!/usr/bin/env bash
# Installs whatever the portal needs that this machine lacks, and skips what is present.
#   scripts/setup.sh          tools to build and run the portal
#   scripts/setup.sh --test   also what the test suite needs (npm packages, Chromium, PostgreSQL)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

for_tests=""
[ "${1:-}" = "--test" ] && for_tests=1

command -v cargo >/dev/null || die "cargo not found: install Rust 1.95 with rustup first"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

wb_version="$(locked_wasm_bindgen_version)"
[ -n "$wb_version" ] || die "could not read the wasm-bindgen version from Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  say "installing wasm-bindgen-cli $wb_version (matches Cargo.lock; takes about 4 minutes once)"
  # Not --locked: the CLI's own lock file names a crate version the registry no longer serves.
  # --force: reinstall even if cargo's records say it is installed but the binary is gone.
  cargo install wasm-bindgen-cli --version "$wb_version" --force --quiet
fi

# Node.js: the build fingerprints and compresses the front end with it, and takes Binaryen's
# wasm-opt from npm (seconds, against 20 minutes for `cargo install wasm-opt`).
command -v npm >/dev/null || apt_install nodejs npm
tools="$ROOT/scripts/tools"
if [ ! -f "$tools/node_modules/.installed-lock" ] || ! cmp -s "$tools/package-lock.json" "$tools/node_modules/.installed-lock"; then
  say "installing the build tools (npm: binaryen)"
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$tools/package-lock.json" "$tools/node_modules/.installed-lock"
fi

if [ -n "$for_tests" ]; then
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
  fi
  if ! command -v pg_ctlcluster >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    apt_install postgresql
  fi
  # The mail tests' SMTP server (scripts/smtp-sink.py).
  if ! python3 -c "import aiosmtpd" 2>/dev/null; then
    say "installing aiosmtpd (the tests' SMTP server)"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore aiosmtpd
  fi
  lock="$ROOT/end2end/package-lock.json"
  stamp="$ROOT/end2end/node_modules/.installed-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$lock" "$stamp"; then
    say "installing the browser-test npm packages"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$lock" "$stamp"
  fi
fi
