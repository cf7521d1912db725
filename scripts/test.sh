#!/usr/bin/env bash
# Runs the test suite the way CI does: every test in its own worker process, several at once, each
# on a database of its own (a copy of a migrated template, see Tests/CaseportTestSupport).
# SQLite unless DATABASE_URL names a PostgreSQL server (eval "$(scripts/start-test-postgres.sh)").
#
#   scripts/test.sh                          # the whole suite
#   scripts/test.sh --filter StoreTests      # extra arguments go to `swift test`
#   CASEPORT_TEST_WORKERS=1 scripts/test.sh  # one test at a time (default: 2 per core)
#
# Plain `swift test` runs the same tests one after another in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:/opt/swift/bin:$PATH"
workers=${CASEPORT_TEST_WORKERS:-$(( $(nproc) * 2 ))}
if [ "$workers" -le 1 ]; then
  exec swift test "$@"
fi
exec swift test --parallel --num-workers "$workers" "$@"
