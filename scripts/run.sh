#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the portal in sandbox mode on SQLite.
# Extra arguments go to `mm-portal serve` (see `mm-portal --help`).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh"
binary="$("$ROOT/scripts/build.sh" | tail -n 1)"
say "starting the portal (Ctrl-C stops it)"
exec "$binary" serve "$@"
