#!/usr/bin/env bash
# Outbox throughput (E1): a local aiosmtpd (scripts/test-smtp-server.py, .eml files only) and a fresh
# SQLite database (or DATABASE_URL's PostgreSQL, which must be empty), then `caseport-bench outbox`.
#
#   scripts/bench-outbox.sh [messages] [connections]     # defaults 5000 and 4
#   CASEPORT_BENCH_BIN=.build-release/release/caseport-bench scripts/bench-outbox.sh 10000 8
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES="${1:-5000}"
export OUTBOX_CONCURRENCY="${2:-4}"
BIN="${CASEPORT_BENCH_BIN:-.build-release/release/caseport-bench}"
python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check aiosmtpd
WORK="$(mktemp -d)"
trap 'kill "$SMTP_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 scripts/test-smtp-server.py --dir "$WORK/mail" --no-summaries >"$WORK/smtp.out" 2>/dev/null &
SMTP_PID=$!
for _ in $(seq 50); do grep -q PORT "$WORK/smtp.out" 2>/dev/null && break; sleep 0.1; done
export SMTP_HOST=127.0.0.1 SMTP_PORT="$(cut -d' ' -f2 "$WORK/smtp.out")" MAIL_FROM=bench@example.org
export CASEPORT_DATA_DIR="$WORK/data" LOG_LEVEL=warning
"$BIN" outbox --messages "$MESSAGES"
echo "delivered files: $(ls "$WORK/mail" | grep -c '\.eml$')"
