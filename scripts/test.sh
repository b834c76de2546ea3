#!/usr/bin/env bash
# README command 2: the whole test suite.
#   1. installs what is missing (wasm target, wasm-bindgen-cli, npm packages, Chromium, PostgreSQL)
#   2. starts the local PostgreSQL for the conformance suite, and an SMTP server for the mail tests
#   3. lint: rustfmt and clippy (server and browser builds), warnings are errors
#   4. cargo test: unit and integration tests, SQLite and PostgreSQL
#   5. builds the portal and runs the Playwright tests in headless Chromium
# Ends with one line: `tests: N passed, M failed`.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh" --test || die "setup failed"

skip_args=()
if pg_url="$("$ROOT/scripts/postgres.sh" | tail -n 1)" && [[ "$pg_url" == postgres://* ]]; then
  export TEST_POSTGRES_URL="$pg_url"
else
  warn "******************************************************************"
  warn "PostgreSQL could not be started: the PostgreSQL tests are SKIPPED."
  warn "******************************************************************"
  skip_args=(--skip postgres)
fi

# A real SMTP server on 127.0.0.1 for the mail tests (tests/api/mail.rs).
smtp="$("$ROOT/scripts/smtp.sh")" || die "the test SMTP server could not be started"
TEST_SMTP_URL="$(sed -n 1p <<<"$smtp")"
TEST_MAILDIR="$(sed -n 2p <<<"$smtp")"
export TEST_SMTP_URL TEST_MAILDIR

"$ROOT/scripts/lint.sh" || die "lint failed (see above)"

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

say "cargo test (unit and integration)"
cargo test --workspace --no-fail-fast -- "${skip_args[@]}" 2>&1 | tee "$logs/cargo.log"
cargo_status=${PIPESTATUS[0]}
read -r rust_passed rust_failed < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) {
    if ($(i+1) ~ /^passed;?$/) p += $i; if ($(i+1) ~ /^failed;?$/) f += $i } }
  END { print p + 0, f + 0 }' "$logs/cargo.log")
if [ "$cargo_status" -ne 0 ] && [ "$rust_failed" -eq 0 ]; then
  rust_failed=1 # a test binary failed to build or crashed
fi

say "building the portal for the browser tests"
browser_passed=0
browser_failed=0
if "$ROOT/scripts/build.sh" >"$logs/build.log" 2>&1; then
  # The binary lives in the cargo target dir, which CI moves outside the clone.
  PORTAL_BIN="$(tail -n 1 "$logs/build.log")"
  export PORTAL_BIN
  say "Playwright (headless Chromium) against $PORTAL_BIN"
  (cd end2end && npx playwright test)
  browser_status=$?
  results=end2end/test-results/results.json
  if [ -f "$results" ]; then
    read -r browser_passed browser_failed < <(node -e '
      const s = require(process.argv[1]).stats;
      console.log(s.expected + s.flaky, s.unexpected);' "$ROOT/$results")
  fi
  if [ "$browser_status" -ne 0 ] && [ "$browser_failed" -eq 0 ]; then
    browser_failed=1
  fi
else
  tail -n 40 "$logs/build.log"
  warn "the portal did not build: browser tests not run"
  browser_failed=1
fi

passed=$((rust_passed + browser_passed))
failed=$((rust_failed + browser_failed))
echo "rust: $rust_passed passed, $rust_failed failed; browser: $browser_passed passed, $browser_failed failed"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
