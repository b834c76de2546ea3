#!/usr/bin/env bash
# Starts the machine's local PostgreSQL (installed by scripts/setup.sh --test) and makes sure
# the test role exists. Prints the admin URL the tests use on stdout; exits non-zero if
# PostgreSQL cannot be started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command -v pg_lsclusters >/dev/null || die "PostgreSQL is not installed (scripts/setup.sh --test installs it)"
cluster="$(pg_lsclusters --no-header | head -n 1)"
if [ -z "$cluster" ]; then
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  say "creating PostgreSQL cluster $version/main"
  pg_createcluster "$version" main </dev/null >&2
  cluster="$(pg_lsclusters --no-header | head -n 1)"
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
  say "starting PostgreSQL $version/$name on port $port"
  # Only the URL may reach stdout (callers capture it): pg_ctlcluster prints notes such as
  # "Removed stale pid file." there. The server must not inherit the caller's pipe either.
  pg_ctlcluster "$version" "$name" start </dev/null >&2
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port" || die "PostgreSQL did not become ready on port $port"

psql_admin() { su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qAt $*"; }
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = 'mm_portal_test'\"")" != "1" ]; then
  psql_admin "-c \"CREATE ROLE mm_portal_test LOGIN CREATEDB PASSWORD 'mm_portal_test'\"" >/dev/null
fi
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = 'mm_portal_test'\"")" != "1" ]; then
  psql_admin "-c \"CREATE DATABASE mm_portal_test OWNER mm_portal_test\"" >/dev/null
fi
# Databases left by earlier test runs (each test creates its own).
for db in $(psql_admin "-c \"SELECT datname FROM pg_database WHERE datname LIKE 'mmtest_%'\""); do
  psql_admin "-c \"DROP DATABASE IF EXISTS $db\"" >/dev/null || true
done
echo "postgres://mm_portal_test:mm_portal_test@127.0.0.1:$port/mm_portal_test"
