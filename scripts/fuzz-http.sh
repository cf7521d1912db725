#!/usr/bin/env bash
# Robustness fuzzer over HTTP (issue 9): starts the real binary with demo data in a temporary data
# directory on a free loopback port, then runs scripts/fuzz-http.py against it. Fails (exit 1) on any
# 5xx answer or a dead process. The last line is `fuzz-http: N passed, M failed`.
#   CASEPORT_BIN   the binary (default: $(swift build --show-bin-path)/caseport)
#   FUZZ_SEED      seed (default 9); FUZZ_REQUESTS number of requests (default 3000)
#   FUZZ_PORT      port on 127.0.0.1 (default: a free one)
#   FUZZ_DATABASE_URL  a throw-away PostgreSQL database to run against instead of SQLite
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${CASEPORT_BIN:-$(swift build --show-bin-path)/caseport}
data=$(mktemp -d)
export CASEPORT_DATA_DIR="$data"
export CASEPORT_BCRYPT_COST=4   # the fuzzer posts many logins; the code path is the same at any cost
export LOG_LEVEL=${LOG_LEVEL:-error}
unset DATABASE_URL SMTP_HOST SMS_GATEWAY_URL
if [ -n "${FUZZ_DATABASE_URL:-}" ]; then export DATABASE_URL="$FUZZ_DATABASE_URL"; fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
port=${FUZZ_PORT:-$(free_port)}

if ! "$bin" demo > "$data/demo.log" 2>&1; then
  cat "$data/demo.log"; echo "fuzz-http: 0 passed, 1 failed"; exit 1
fi
"$bin" routes > "$data/routes.txt" 2>&1
"$bin" serve --hostname 127.0.0.1 --port "$port" > "$data/serve.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null && break
  sleep 0.2
done

python3 scripts/fuzz-http.py --port "$port" --pid "$pid" --seed "${FUZZ_SEED:-9}" \
  --requests "${FUZZ_REQUESTS:-3000}" --routes "$data/routes.txt"
status=$?
if [ $status -ne 0 ]; then
  echo "--- last lines of the server log ---" >&2
  tail -n 40 "$data/serve.log" >&2
fi
exit $status
