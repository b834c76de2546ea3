#!/usr/bin/env bash
# Builds the portal: the WebAssembly front end into target/site, then the server binary.
#   scripts/build.sh            debug build
#   scripts/build.sh --release  optimised build (wasm-opt -Oz too, when wasm-opt is installed)
# Plain cargo + wasm-bindgen, the same steps cargo-leptos performs (see docs/BUILD.md for why).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

release=""
[ "${1:-}" = "--release" ] && release=1
front_target="$TARGET_DIR/front"

if [ -n "$release" ]; then
  wasm_profile=wasm-release
  server_flags=(--release)
  server_dir=release
else
  wasm_profile=dev
  server_flags=()
  server_dir=debug
fi
wasm_dir=$([ "$wasm_profile" = dev ] && echo debug || echo "$wasm_profile")

say "building the front end (wasm, $wasm_profile)"
cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
  --profile "$wasm_profile" --target-dir "$front_target"

say "generating JS bindings into target/site/pkg"
rm -rf "$SITE_DIR"
mkdir -p "$SITE_DIR/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$SITE_DIR/pkg" --out-name "$OUTPUT_NAME" \
  "$front_target/wasm32-unknown-unknown/$wasm_dir/app.wasm"
if [ -n "$release" ]; then
  if command -v wasm-opt >/dev/null; then
    say "optimising the wasm with wasm-opt -Oz"
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      -o "$SITE_DIR/pkg/${OUTPUT_NAME}_bg.wasm" "$SITE_DIR/pkg/${OUTPUT_NAME}_bg.wasm"
  else
    warn "wasm-opt not installed: the release bundle is not size-optimised (cargo install wasm-opt)"
  fi
fi
cp style/main.css "$SITE_DIR/pkg/$OUTPUT_NAME.css"
cp -R public/. "$SITE_DIR/"

say "building the server ($server_dir)"
cargo build --bin mm-portal "${server_flags[@]}"
echo "$TARGET_DIR/$server_dir/mm-portal"
