#!/usr/bin/env bash
# Starts the built server the way the README does (demo data on SQLite), checks that it answers,
# and checks that a bad DATABASE_URL (or any malformed variable) stops start-up with one clear line.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build --show-bin-path)/caseport
data=$(mktemp -d)
port=18080
export CASEPORT_DATA_DIR="$data"
passed=0; failed=0
check() { # check "what" command…
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what"; fi
}

check "demo loads" bash -c "'$bin' demo > '$data/demo.log' 2>&1"
check "demo twice changes nothing" bash -c "'$bin' demo 2>&1 | grep -q 'nothing changed'"
"$bin" serve --port "$port" > "$data/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
check "health answers ok" bash -c "curl -sf http://127.0.0.1:$port/healthz | grep -q '\"ok\"'"
check "login page has a CSRF field" bash -c "curl -sf http://127.0.0.1:$port/login | grep -q 'name=\"csrf_token\"'"

bad_scheme() {
  local out; out=$(DATABASE_URL="mysql://nobody@localhost/x" "$bin" serve 2>&1)
  [ $? -eq 1 ] && echo "$out" | grep -q 'DATABASE_URL has the scheme "mysql"'
}
unreachable() {
  local out; out=$(DATABASE_URL="postgres://nobody@127.0.0.1:1/x" "$bin" serve 2>&1)
  [ $? -eq 1 ] && echo "$out" | tail -n 1 | grep -q 'cannot use the database'
}
# Links in mail come from CASEPORT_PUBLIC_URL; serving beyond loopback without it is refused (issue 9).
public_without_url() {
  local out; out=$(env -u CASEPORT_PUBLIC_URL "$bin" serve --hostname 0.0.0.0 --port $((port + 1)) 2>&1)
  [ $? -eq 1 ] && echo "$out" | tail -n 1 | grep -q 'CASEPORT_PUBLIC_URL must be set'
}
# Every variable is checked in AppConfig; a malformed one is named in the one line (issue 10).
bad_value() {
  local out; out=$(CASEPORT_SESSION_MAX_DAYS=soon "$bin" serve 2>&1)
  [ $? -eq 1 ] && echo "$out" | tail -n 1 | grep -q 'CASEPORT_SESSION_MAX_DAYS must be a whole number from 1 to 365, not "soon"'
}
# A port that is taken stops start-up with one line, before the background jobs start (issue 17).
port_taken() {
  local out; out=$("$bin" serve --port "$port" 2>&1)
  [ $? -eq 1 ] && [ "$(echo "$out" | grep -c .)" -le 3 ] && echo "$out" | tail -n 1 | grep -q "port $port on 127.0.0.1 is already in use"
}
# SIGTERM under overload (200 clients, far more than the server answers at once): new requests get 503,
# the requests in flight finish, then the process exits 0 without a crash (before, a request could run
# after its database was closed: a force-unwrap inside Fluent and a backtrace).
stop_under_load() {
  local stop_port=$((port + 2)) log="$data/stop.log"
  "$bin" serve --port "$stop_port" > "$log" 2>&1 &
  local server=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$stop_port/healthz" >/dev/null && break; sleep 0.2; done
  python3 - "$stop_port" <<'PY' &
import sys, threading, urllib.request
def hammer():
    for _ in range(100):
        try: urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/login", timeout=20).read()
        except Exception: pass
threads = [threading.Thread(target=hammer) for _ in range(200)]
[t.start() for t in threads]; [t.join() for t in threads]
PY
  local load=$!
  sleep 1.5
  kill -TERM "$server"
  local status=0
  wait "$server" || status=$?
  kill "$load" 2>/dev/null; wait "$load" 2>/dev/null
  [ "$status" -eq 0 ] && ! grep -q "Fatal error" "$log" || { echo "exit $status"; tail -5 "$log"; return 1; }
}
check "a port in use stops start-up with one line" port_taken
check "SIGTERM under load stops cleanly" stop_under_load
check "a malformed DATABASE_URL stops start-up" bad_scheme
check "a malformed CASEPORT_SESSION_MAX_DAYS stops start-up, named" bad_value
check "serving on 0.0.0.0 without CASEPORT_PUBLIC_URL stops start-up" public_without_url
check "an unreachable database stops start-up" unreachable
echo "smoke test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
