#!/usr/bin/env bash
# Builds the portal: the WebAssembly front end into target/site, then the server binary.
#   scripts/build.sh            optimised front end, debug server
#   scripts/build.sh --release  optimised front end and server
# Plain cargo + wasm-bindgen, the same steps cargo-leptos performs (see docs/BUILD.md for why).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

release=""
[ "${1:-}" = "--release" ] && release=1
front_target="$TARGET_DIR/front"

# The front end is always the size-optimised one (what people download, and what the browser
# tests check); --release also optimises the server (LTO, about 10 minutes more).
wasm_profile=wasm-release
if [ -n "$release" ]; then
  server_flags=(--release)
  server_dir=release
else
  server_flags=()
  server_dir=debug
fi

say "building the front end (wasm, $wasm_profile)"
cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
  --profile "$wasm_profile" --target-dir "$front_target"

say "generating JS bindings into target/site/pkg"
rm -rf "$SITE_DIR"
mkdir -p "$SITE_DIR/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$SITE_DIR/pkg" --out-name "$OUTPUT_NAME" \
  "$front_target/wasm32-unknown-unknown/$wasm_profile/app.wasm"
wasm_opt="$ROOT/scripts/tools/node_modules/.bin/wasm-opt"
[ -x "$wasm_opt" ] || wasm_opt="$(command -v wasm-opt || true)"
if [ -n "$wasm_opt" ]; then
  say "optimising the wasm with wasm-opt -Oz (about 90 s)"
  "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$SITE_DIR/pkg/${OUTPUT_NAME}_bg.wasm" "$SITE_DIR/pkg/${OUTPUT_NAME}_bg.wasm"
else
  warn "wasm-opt not found (scripts/setup.sh installs it): the bundle is not size-optimised"
fi
cp style/main.css "$SITE_DIR/pkg/$OUTPUT_NAME.css"
# The public pages' scripts go with the bundle (fingerprinted, kept a year); the rest at the root.
cp public/*.js "$SITE_DIR/pkg/"
find public -maxdepth 1 -type f ! -name '*.js' -exec cp {} "$SITE_DIR/" \;
say "fingerprinting and precompressing the front end"
OUTPUT_NAME="$OUTPUT_NAME" node "$ROOT/scripts/assets.mjs" "$SITE_DIR" >&2

say "building the server ($server_dir)"
cargo build --bin mm-portal "${server_flags[@]}"
echo "$TARGET_DIR/$server_dir/mm-portal"
