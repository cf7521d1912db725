#!/usr/bin/env bash
# The portal benchmark: seeds 1 000 000 cases over 500 customers (with messages) into a fresh SQLite
# database and a fresh PostgreSQL database, prints the database-layer timings for each, then measures
# the case list over HTTP with wrk (16 connections) on each.
#
#   scripts/bench.sh                 # full size, release build
#   CASES=100000 scripts/bench.sh    # smaller, quicker
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${CASES:-1000000}"
CUSTOMERS="${CUSTOMERS:-500}"
SCRATCH="${SCRATCH:-.build-release}"

swift build -c release --scratch-path "$SCRATCH" --product caseport >&2
swift build -c release --scratch-path "$SCRATCH" --product caseport-bench >&2
bin="$SCRATCH/release/caseport"
bench="$SCRATCH/release/caseport-bench"

echo "== SQLite"
sqlite_dir=$(mktemp -d)
CASEPORT_DATA_DIR="$sqlite_dir" LOG_LEVEL=warning "$bench" cases --cases "$CASES" --customers "$CUSTOMERS"
CASEPORT_DATA_DIR="$sqlite_dir" scripts/bench-http.sh "$bin"

echo "== PostgreSQL"
# Memory settings as an operator would give a 24 GiB machine; the defaults (128 MB) measure disk reads.
eval "$(CASEPORT_TEST_PG_PORT=55440 CASEPORT_TEST_PG_DIR=/tmp/caseport-bench-pg \
  CASEPORT_TEST_PG_OPTIONS="-c shared_buffers=4GB -c effective_cache_size=16GB -c work_mem=16MB" scripts/start-test-postgres.sh)"
psql "$DATABASE_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
LOG_LEVEL=warning "$bench" cases --cases "$CASES" --customers "$CUSTOMERS"
scripts/bench-http.sh "$bin"
rm -rf "$sqlite_dir"
