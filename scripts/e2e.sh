#!/usr/bin/env bash
# End-to-end browser tests (e2e/): the real server with demo data, driven by headless Chromium
# through selenium, with axe-core accessibility checks. Installs what it needs when it is missing,
# then runs `python3 -m pytest -q e2e`; exits non-zero when anything fails.
#
#   scripts/e2e.sh                 # uses $CASEPORT_BIN, else the binary of `swift build` (not built here)
#   scripts/e2e.sh -k isolation    # extra arguments go to pytest
#
# Works as root without a display (CI) and locally. Screenshots and HTML of failing tests land in
# e2e/artifacts/ (or $E2E_ARTIFACTS_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

export SE_AVOID_STATS=true  # selenium-manager stays off the network: the driver is /usr/bin/chromedriver
export PYTHONDONTWRITEBYTECODE=1

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "== installing Debian's chromium and chromium-driver"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q chromium chromium-driver
fi

python3 - <<'EOF' || { echo "== installing the Python packages"; NEED_PIP=1; }
import importlib.util, sys
missing = [m for m in ("selenium", "pytest", "requests", "axe_selenium_python") if importlib.util.find_spec(m) is None]
sys.exit(1 if missing else 0)
EOF
if [ "${NEED_PIP:-0}" = 1 ]; then
  python3 -m pip install -q --disable-pip-version-check selenium pytest requests
fi

# axe-selenium-python 3 bundles axe-core 4.10; the 2.x line that pip picks for Python < 3.12 bundles
# axe-core 3.1, which reports every visually hidden <label> as missing (fixed in axe-core 3.2). The
# package is plain Python that runs on 3.11 as well, so its Python marker is set aside for it alone.
if ! python3 -c 'import importlib.metadata as m, sys; sys.exit(int(m.version("axe-selenium-python").split(".")[0]) < 3)' 2>/dev/null; then
  echo "== installing axe-selenium-python 3 (axe-core 4)"
  python3 -m pip install -q --disable-pip-version-check --no-deps --ignore-requires-python 'axe-selenium-python>=3,<4'
fi

if [ -z "${CASEPORT_BIN:-}" ]; then
  CASEPORT_BIN="$(swift build --show-bin-path)/caseport"
  export CASEPORT_BIN
fi
if [ ! -x "$CASEPORT_BIN" ]; then
  echo "e2e: no server binary at $CASEPORT_BIN — build it first (swift build) or set CASEPORT_BIN" >&2
  exit 2
fi
echo "== end-to-end tests against $CASEPORT_BIN"
exec python3 -m pytest -q e2e "$@"
