#!/usr/bin/env bash
# Starts the tests' SMTP server (scripts/smtp-sink.py, aiosmtpd) on 127.0.0.1 unless it already
# runs, and prints two lines on stdout: the SMTP URL and the directory it keeps mail in.
# Exits non-zero if it cannot be started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

port="${TEST_SMTP_PORT:-2525}"
dir="${TEST_MAILDIR:-${TMPDIR:-/tmp}/mm-portal-test-mail}"
mkdir -p "$dir"
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
if ! listening; then
  python3 -c "import aiosmtpd" 2>/dev/null || die "aiosmtpd is not installed (scripts/setup.sh --test installs it)"
  say "starting the test SMTP server on 127.0.0.1:$port" >&2
  nohup python3 "$ROOT/scripts/smtp-sink.py" "$port" "$dir" </dev/null >"$dir.log" 2>&1 &
  for _ in $(seq 1 40); do
    listening && break
    sleep 0.25
  done
  listening || die "the test SMTP server did not start (see $dir.log)"
fi
echo "smtp://127.0.0.1:$port"
echo "$dir"
