#!/usr/bin/env bash
# Formatting and clippy, warnings as errors, for the server (ssr) and the browser (hydrate) builds.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy (server, all targets)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
say "cargo clippy (browser: app with hydrate, wasm32)"
cargo clippy -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
  --target-dir "$TARGET_DIR/front" --quiet -- -D warnings
