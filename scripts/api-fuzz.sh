#!/usr/bin/env bash
# The JSON API against its own document (issue 16): starts the real binary with demo data on a free
# loopback port, makes a staff API token with `caseport token create` and a portal one on the demo customer
# administrator's token page, and runs schemathesis (PyPI) over every operation of /api/v1/openapi.json with a
# bounded number of examples: no 5xx, every status and body as documented (problem+json included).
#   CASEPORT_BIN      the binary (default: $(swift build --show-bin-path)/caseport)
#   API_FUZZ_EXAMPLES examples per operation (default 10); API_FUZZ_SEED (default 16)
# The last line is `api-fuzz: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${CASEPORT_BIN:-$(swift build --show-bin-path)/caseport}
python3 -c 'import schemathesis' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check schemathesis
data=$(mktemp -d)
# The rate limit is high here: schemathesis sends far more than a script would (429 is tested in APITests).
export CASEPORT_DATA_DIR="$data" CASEPORT_BCRYPT_COST=4 LOG_LEVEL=${LOG_LEVEL:-error} CASEPORT_API_RATE_LIMIT=100000
unset DATABASE_URL SMTP_HOST SMS_GATEWAY_URL
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

if ! "$bin" demo > "$data/demo.log" 2>&1; then cat "$data/demo.log"; echo "api-fuzz: 0 passed, 1 failed"; exit 1; fi
staff_token=$("$bin" token create --staff admin@example.com --scope write --expires 1 --name api-fuzz 2> "$data/token.log")
case "$staff_token" in cpt_*) ;; *) cat "$data/token.log"; echo "api-fuzz: 0 passed, 1 failed"; exit 1 ;; esac
"$bin" serve --hostname 127.0.0.1 --port "$port" > "$data/serve.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null && break
  sleep 0.2
done

passed=0 failed=0
run() {  # run NAME TOKEN EXTRA...
  local name=$1 token=$2; shift 2
  echo "== schemathesis, $name token"
  if schemathesis run "http://127.0.0.1:$port/api/v1/openapi.json" \
       --header "Authorization: Bearer $token" \
       --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
       --phases examples,coverage,fuzzing --max-examples "${API_FUZZ_EXAMPLES:-10}" --seed "${API_FUZZ_SEED:-16}" \
       --generation-allow-x00 false --request-timeout 20 --workers 1 --warnings off "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
}
run staff "$staff_token"
# A portal token, made the way a customer administrator makes one: on /users/api-tokens, for herself.
portal_token=$(python3 - "$port" <<'PY'
import http.cookiejar, re, sys, urllib.parse, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
def page(path, fields=None):
    data = urllib.parse.urlencode(fields).encode() if fields is not None else None
    return opener.open(base + path, data, timeout=20).read().decode()
def csrf(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
html = page("/login")
page("/login", {"csrf_token": csrf(html), "organisation": "solglantan", "username": "anna", "password": "Demo1234"})
html = page("/users/api-tokens")
me = re.search(r'<option value="(\d+)"[^>]*>Anna ', html).group(1)
html = page("/users/api-tokens", {"csrf_token": csrf(html), "name": "api-fuzz", "owner": me, "scope": "write", "expires": "1"})
print(re.search(r"cpt_[A-Za-z0-9_-]{43}", html).group(0))
PY
)
case "$portal_token" in cpt_*) run portal "$portal_token" ;; *) echo "no portal token from /users/api-tokens"; failed=$((failed + 1)) ;; esac
if ! kill -0 "$pid" 2>/dev/null; then tail -n 40 "$data/serve.log"; failed=$((failed + 1)); fi
[ "$failed" -eq 0 ] || { echo "--- last lines of the server log ---"; tail -n 40 "$data/serve.log"; }
echo "api-fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
