#!/usr/bin/env bash
# Serves the data `caseport-bench cases` seeded and measures GET /cases (the first list page) for the bench
# user with wrk: 16 connections, 2 threads, 20 seconds. Usage: scripts/bench-http.sh path/to/caseport
set -euo pipefail
bin="$1"
port="${PORT:-18181}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
LOG_LEVEL=warning "$bin" serve --port "$port" > /tmp/caseport-bench-serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

jar=$(mktemp)
token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" -d organisation=bench1 -d username=bench \
  -d password=Bench1234 "http://127.0.0.1:$port/login"
session=$(awk '$6 == "caseport_portal" {print $7}' "$jar")
[ -n "$session" ] || { echo "could not log in as the bench user"; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: caseport_portal=$session" "http://127.0.0.1:$port/cases")
[ "$status" = 200 ] || { echo "GET /cases answered $status"; exit 1; }
echo "HTTP: GET /cases as the bench user, wrk -t2 -c16 -d20s"
wrk -t2 -c16 -d20s --latency -H "Cookie: caseport_portal=$session" "http://127.0.0.1:$port/cases" | grep -E "Requests/sec|Latency|50%|99%|requests in|Non-2xx"
rm -f "$jar"
