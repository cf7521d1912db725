#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on loopback for the test suite and prints its DATABASE_URL (and its
# socket directory, CASEPORT_TEST_PG_SOCKET_DIR).
# Installs Debian's PostgreSQL when it is missing. Usage: eval "$(scripts/start-test-postgres.sh)"
# CASEPORT_TEST_PG_PORT, CASEPORT_TEST_PG_DIR and CASEPORT_TEST_PG_OPTIONS (extra "-c name=value"
# server settings) choose another server, e.g. for the benchmark. A stopped server whose directory is still
# there is started again with its databases; a directory that does not start is made afresh.
set -euo pipefail
PORT="${CASEPORT_TEST_PG_PORT:-55432}"
DIR="${CASEPORT_TEST_PG_DIR:-/tmp/caseport-test-pg}"

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "installing PostgreSQL from Debian…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

# PostgreSQL refuses to run as root: the server runs as the postgres user (created by the package).
run_as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

SETTINGS="-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${CASEPORT_TEST_PG_OPTIONS:-}"
start() { run_as_pg "$bindir/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -o "$SETTINGS" start >&2; }

if ! run_as_pg "$bindir/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  # A stopped server's data (the benchmark's seeded million cases, the tests' pooled databases) is started
  # again, not wiped; only a directory that does not start is made afresh.
  if ! { [ -f "$DIR/PG_VERSION" ] && start; }; then
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
    run_as_pg "$bindir/initdb" -D "$DIR" -U caseport --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    start
    run_as_pg "$bindir/createdb" -h 127.0.0.1 -p "$PORT" -U caseport caseport_test
  fi
fi
echo "export DATABASE_URL=postgres://caseport@127.0.0.1:$PORT/caseport_test"
# The same server's Unix socket directory (its socket is $DIR/.s.PGSQL.$PORT): PostgresSocketTests connect by it.
echo "export CASEPORT_TEST_PG_SOCKET_DIR=$DIR"
