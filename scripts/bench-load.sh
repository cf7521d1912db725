#!/usr/bin/env bash
# The load benchmark that models real use (issue 17): seeds the million-case set (`caseport-bench cases`)
# plus portal users across customers and a few dozen handlers, serves it with the release build and drives
# the realistic mix with scripts/bench_load.py (portal lists, filters, searches, case views, messages,
# uploads and new cases through the portal's form and confirmation page; back-office lists, case views,
# notes and new cases), first at a fixed concurrency and then at a fixed arrival rate; reports throughput,
# p50/p99/p99.9, errors, confirmed writes a second, server CPU per request and per write, the driver's own
# CPU per request, and RssAnon.
#
#   scripts/bench-load.sh                                # both databases, 1 000 000 cases, 30 s a phase
#   CASES=20000 CUSTOMERS=100 USERS=50 HANDLERS=10 DURATION=10 scripts/bench-load.sh   # small and quick
#   DB=sqlite KEEP_DIR=/tmp/load scripts/bench-load.sh   # SQLite only; the seeded data is kept in (and
#                                                        # reused from) /tmp/load/sqlite
# Environment: CASES (1000000), CUSTOMERS (500), USERS (300 portal users, one per customer, u<n> of
# organisation bench<n>), HANDLERS (30), CONCURRENCY (16), RATE (300 a second), DURATION (30 s a phase), WARMUP (5),
# DB (both|sqlite|postgres), KEEP_DIR (keep and reuse the seeded SQLite file; PostgreSQL's database
# `caseport_load` is reused when it has the users unless RESEED=1), BENCH_PG_PORT (55440) and BENCH_PG_DIR
# (/tmp/caseport-bench-pg): the PostgreSQL server (started if not running; one server connects through its
# Unix socket, BENCH_PG_TCP=1 through loopback TCP),
# SCRATCH (.build-release), NO_BUILD=1 (use the binaries as they are), JSON_DIR (write each run's JSON),
# LABEL (put into the JSON), ONLY (comma-separated kinds of request, e.g. portal_list: one page's cost),
# MODE (both|closed|open), NICE (nice level for the server and the driver; unset: none).
#
# Several servers (PostgreSQL only): NODES=N serves the seeded database with N nodes behind nginx, files in
# SeaweedFS and mail to a local SMTP server, started by scripts/several_servers.py --bench (the same parts as
# scripts/several-servers.sh; nginx on PORT, the nodes on the ports after it); the nodes' CPU is summed.
# KILL=1 kills the last node a third of the way into the first phase, starts it again, and checks that only
# requests in flight failed, every confirmed write is in the database and no mail went twice.
#   DB=postgres NODES=3 KILL=1 ONLY=portal_message,staff_note,staff_create,portal_create MODE=closed scripts/bench-load.sh
# S3_TEST_PORT / S3_TEST_DIR choose the object store (scripts/start-test-s3.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${CASES:-1000000}"
CUSTOMERS="${CUSTOMERS:-500}"
USERS="${USERS:-300}"
HANDLERS="${HANDLERS:-30}"
CONCURRENCY="${CONCURRENCY:-16}"
RATE="${RATE:-300}"
SECONDS_PER_PHASE="${DURATION:-30}"
WARMUP="${WARMUP:-5}"
DB="${DB:-both}"
SCRATCH="${SCRATCH:-.build-release}"
PORT="${PORT:-18191}"
PG_PORT="${BENCH_PG_PORT:-55440}"
PG_DIR="${BENCH_PG_DIR:-/tmp/caseport-bench-pg}"
(( USERS <= CUSTOMERS )) || { echo "USERS must not exceed CUSTOMERS (one portal user per customer)"; exit 1; }
run_nice=()
[ -n "${NICE:-}" ] && run_nice=(nice -n "$NICE")

if [ -z "${NO_BUILD:-}" ]; then
  swift build -c release --scratch-path "$SCRATCH" --product caseport >&2
  swift build -c release --scratch-path "$SCRATCH" --product caseport-bench >&2
fi
bin="$SCRATCH/release/caseport"
bench="$SCRATCH/release/caseport-bench"
# The driver's event loop: uvloop when it can be had (about 0.2 ms of the driver's CPU a request against 0.3
# with asyncio's own; bench_load.py runs either way).
python3 -c "import uvloop" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check uvloop >&2 || true
if [ -n "${NODES:-}" ]; then  # what scripts/several-servers.sh installs: nginx, the SMTP server's and the checks' modules
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { apt-get update -q >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >&2; }
  export PATH="$PATH:/usr/sbin"
  python3 -c 'import aiosmtpd, requests' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check aiosmtpd requests
fi
per_customer=$(( CASES / CUSTOMERS ))

# A quarter of the cases (type 1) have answers to their type's form: a floor and the day the damage was found
# (session 25: the seed had none, so no case page read any, as real case types' forms make them do). Added once
# to a seeded database (the fields' ids 9001 and 9002 mark it), so data seeded before stays comparable.
fields_sql() {
  cat <<'SQL'
INSERT INTO case_type_fields (id, case_type_id, label, kind, is_required, choices, sort_order, is_active)
VALUES (9001, 1, 'Våning', 'text', FALSE, '', 1, TRUE), (9002, 1, 'Upptäckt', 'date', FALSE, '', 2, TRUE);
INSERT INTO case_field_values (case_id, field_id, label, value, sort_order)
SELECT id, 9001, 'Våning', '' || (id % 9), 1 FROM cases WHERE case_type_id = 1;
INSERT INTO case_field_values (case_id, field_id, label, value, sort_order)
SELECT id, 9002, 'Upptäckt', '2026-10-' || (10 + id % 20), 2 FROM cases WHERE case_type_id = 1;
SQL
}

# Portal users u2…uN (u<n> of organisation bench<n>, through contact n, linked to customer n by the seed)
# and handlers 5…H, copied from the seed's bench user and handler 1 (same password, Bench1234).
users_sql() {
  local series="$1"
  cat <<SQL
INSERT INTO portal_users (organisation_id, username, username_key, login_kind, contact_id, first_name, last_name,
                          password_hash, is_admin, is_shared, is_active, created_at)
SELECT s.n, 'u' || s.n, 'u' || s.n, b.login_kind, s.n, 'Last', 'Användare ' || s.n, b.password_hash, b.is_admin,
       b.is_shared, b.is_active, b.created_at
FROM portal_users b, ($(printf "$series" 1 "$USERS")) s WHERE b.username_key = 'bench';
INSERT INTO staff_users (id, email, email_key, name, role, password_hash, is_active)
SELECT s.n, 'handler' || s.n || '@bench.example', 'handler' || s.n || '@bench.example', 'Handläggare ' || s.n, h.role,
       h.password_hash, h.is_active
FROM staff_users h, ($(printf "$series" 5 "$HANDLERS")) s WHERE h.id = 1;
SQL
}

drive_args() {  # the driver's arguments but --url and --pid
  printf '%s\n' --portal-users "$USERS" --handlers "$HANDLERS" --customers "$CUSTOMERS" --cases-per-customer "$per_customer" \
    --concurrency "$CONCURRENCY" --rate "$RATE" --seconds "$SECONDS_PER_PHASE" --warmup "$WARMUP" \
    ${ONLY:+--only "$ONLY"} ${MODE:+--mode "$MODE"}
  if [ -n "${JSON_DIR:-}" ]; then mkdir -p "$JSON_DIR"; printf '%s\n' --json "$JSON_DIR/$1.json" --label "${LABEL:-} $1"; fi
}

serve_and_drive() {  # $1: label
  local label="$1" log pid
  if [ -n "${NODES:-}" ]; then
    [ "$label" = postgres ] || { echo "NODES needs PostgreSQL (DB=postgres)"; return 1; }
    label="postgres-${NODES}nodes"
    echo "== $label: $CASES cases, $CUSTOMERS customers, $USERS portal users, $HANDLERS handlers, $NODES nodes behind nginx; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    local args
    mapfile -t args < <(drive_args "$label")
    CASEPORT_BIN="$bin" MULTI_NODES="$NODES" MULTI_PORT="$PORT" "${run_nice[@]}" python3 scripts/several_servers.py --bench \
      ${KILL:+--kill} -- "${args[@]}"
    return
  fi
  log=$(mktemp)
  local url="${DATABASE_URL:-}"
  # One server on the database's machine connects through PostgreSQL's Unix socket, as an operator would
  # (BENCH_PG_TCP=1: through loopback TCP, as before session 25).
  [ "$label" = postgres ] && [ -z "${BENCH_PG_TCP:-}" ] && url="postgres://caseport@/caseport_load?host=$PG_DIR&port=$PG_PORT"
  DATABASE_URL="$url" LOG_LEVEL=warning "${run_nice[@]}" "$bin" serve --port "$PORT" >"$log" 2>&1 &
  pid=$!
  # A migration over a million cases takes minutes (M049 about 1 min 40 s on PostgreSQL): wait while the server
  # lives, up to 15 min (a minute's wait killed it mid-migration and left the migration half done).
  for _ in $(seq 1 4500); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$log"; kill "$pid"; return 1; }
  echo "== $label: $CASES cases, $CUSTOMERS customers, $USERS portal users, $HANDLERS handlers; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  local args pg=()
  mapfile -t args < <(drive_args "$label")
  [ "$label" = postgres ] && [ -r "$PG_DIR/postmaster.pid" ] && pg=(--pg-pid "$(head -1 "$PG_DIR/postmaster.pid")")
  "${run_nice[@]}" python3 scripts/bench_load.py --url "http://127.0.0.1:$PORT" --pid "$pid" "${pg[@]}" "${args[@]}" \
    || { kill "$pid"; cat "$log" | tail -20; return 1; }
  kill -TERM "$pid"
  local status=0
  wait "$pid" || status=$?
  if [ "$status" != 0 ] || grep -qiE "error|fatal" "$log"; then
    echo "server exit status $status; its log: $log"
    grep -iE "error|fatal" "$log" | sort | uniq -c | sort -rn | head -5 || true
  else
    rm -f "$log"
  fi
}

if [ "$DB" = both ] || [ "$DB" = sqlite ]; then
  if [ -n "${KEEP_DIR:-}" ]; then sqlite_dir="$KEEP_DIR/sqlite"; mkdir -p "$sqlite_dir"; else sqlite_dir=$(mktemp -d); fi
  if [ ! -s "$sqlite_dir/caseport.sqlite" ]; then
    echo "seeding SQLite in $sqlite_dir" >&2
    CASEPORT_DATA_DIR="$sqlite_dir" LOG_LEVEL=warning "$bench" cases --cases "$CASES" --customers "$CUSTOMERS" --iterations 1 >&2
    sqlite3 "$sqlite_dir/caseport.sqlite" "$(users_sql 'WITH RECURSIVE r(n) AS (SELECT %d UNION ALL SELECT n + 1 FROM r WHERE n < %d) SELECT n FROM r')"
  fi
  if [ "$(sqlite3 "$sqlite_dir/caseport.sqlite" "SELECT count(*) FROM case_type_fields WHERE id = 9001")" = 0 ]; then
    echo "adding form answers to SQLite's cases" >&2
    sqlite3 "$sqlite_dir/caseport.sqlite" "$(fields_sql)"
  fi
  CASEPORT_DATA_DIR="$sqlite_dir" serve_and_drive sqlite
  [ -z "${KEEP_DIR:-}" ] && rm -rf "$sqlite_dir"
fi

if [ "$DB" = both ] || [ "$DB" = postgres ]; then
  # Memory settings as an operator would give the machine; the defaults (128 MB) measure disk reads.
  eval "$(CASEPORT_TEST_PG_PORT=$PG_PORT CASEPORT_TEST_PG_DIR=$PG_DIR \
    CASEPORT_TEST_PG_OPTIONS="-c shared_buffers=2GB -c effective_cache_size=8GB -c work_mem=16MB" scripts/start-test-postgres.sh)"
  DATABASE_URL="${DATABASE_URL%/*}/caseport_load"
  export DATABASE_URL
  psql "${DATABASE_URL%/*}/caseport_test" -Atc "SELECT 1 FROM pg_database WHERE datname = 'caseport_load'" | grep -q 1 \
    || psql "${DATABASE_URL%/*}/caseport_test" -qc "CREATE DATABASE caseport_load" >/dev/null
  if [ -n "${RESEED:-}" ] || [ "$(psql "$DATABASE_URL" -Atc "SELECT to_regclass('public.portal_users') IS NOT NULL")" != t ] \
     || [ "$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM portal_users WHERE username_key = 'u1'")" != 1 ]; then
    echo "seeding PostgreSQL (database caseport_load on port $PG_PORT)" >&2
    psql "$DATABASE_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
    LOG_LEVEL=warning "$bench" cases --cases "$CASES" --customers "$CUSTOMERS" --iterations 1 >&2
    psql "$DATABASE_URL" -qc "$(users_sql 'SELECT generate_series(%d, %d) AS n')" >/dev/null
    psql "$DATABASE_URL" -qc "SELECT setval(pg_get_serial_sequence('staff_users', 'id'), (SELECT MAX(id) FROM staff_users))" >/dev/null
    psql "$DATABASE_URL" -qc "VACUUM ANALYZE" >/dev/null
  fi
  if [ "$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM case_type_fields WHERE id = 9001")" = 0 ]; then
    echo "adding form answers to PostgreSQL's cases" >&2
    psql "$DATABASE_URL" -qc "BEGIN; $(fields_sql) COMMIT; ANALYZE case_field_values;" >/dev/null
  fi
  serve_and_drive postgres
fi
