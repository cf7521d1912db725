"""Fixtures for the end-to-end suite: one real Caseport server per test session (fresh SQLite data
with the demo loaded) and a fresh headless Chromium per test.

Environment:
  CASEPORT_BIN        the server binary (default: `swift build --show-bin-path`/caseport; nothing is built)
  E2E_ARTIFACTS_DIR   where a failing test leaves a screenshot and the page's HTML (default: e2e/artifacts)
  E2E_KEEP_DATA=1     keep the server's temporary data directory (and its log) after the run
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

os.environ.setdefault("SE_AVOID_STATS", "true")  # selenium-manager must never go to the network

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

from helpers import REPO_ROOT, login  # noqa: E402,F401  (login is part of this module's interface)

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
STARTUP_SECONDS = 60


# ---------------------------------------------------------------------------------------------
# The server


def server_binary():
    configured = os.environ.get("CASEPORT_BIN")
    if configured:
        binary = Path(configured)
    else:
        bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO_ROOT, check=True,
                                  capture_output=True, text=True).stdout.strip()
        binary = Path(bin_path) / "caseport"
    if not binary.is_file() or not os.access(binary, os.X_OK):
        pytest.exit(f"no Caseport server binary at {binary} (set CASEPORT_BIN or run `swift build`)", returncode=2)
    return binary


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, process, base_url, data_dir, log_path):
        self.process = process
        self.url = base_url
        self.data_dir = data_dir
        self.log_path = log_path

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_size(self):
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def errors_since(self, offset):
        """Lines the server logged at error level after `offset` (a 500 is logged there, a 404 is not)."""
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            new = log.read().decode(errors="replace")
        return [line for line in new.splitlines() if "[ ERROR ]" in line or "[ CRITICAL ]" in line]

    def require_running(self):
        """Fails the test with the server's own log when the server process is gone (crashed or killed)."""
        code = self.process.poll()
        if code is not None:
            how = f"was killed by signal {-code}" if code < 0 else f"exited with {code}"
            pytest.fail(f"the Caseport server {how}; its log ends:\n{self.log()[-3000:]}", pytrace=False)


def wait_until_healthy(server, give_up):
    """Waits for the server's /healthz; `give_up(text)` is called when it stopped or never answered."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if server.process.poll() is not None:
            give_up(f"the server stopped at start-up ({server.process.returncode}):\n{server.log()}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            give_up(f"the server did not answer /healthz within {STARTUP_SECONDS}s:\n{server.log()}")
        time.sleep(0.1)


@contextmanager
def serving(binary, env, data_dir, give_up=pytest.fail):
    """`caseport serve` on a free port with `env` (its data in `data_dir`), answering /healthz; stopped
    with SIGTERM (killed after 10 s) when the block ends."""
    port = free_port()
    log_path = data_dir / "serve.log"
    log_file = open(log_path, "wb")
    process = subprocess.Popen([str(binary), "serve", "--port", str(port)], cwd=REPO_ROOT, env=env,
                               stdout=log_file, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", data_dir, log_path)
    try:
        wait_until_healthy(server, give_up)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()


@contextmanager
def smtp_server(mail_dir):
    """The real SMTP server on loopback (scripts/test-smtp-server.py), writing each message to
    `mail_dir` as an .eml file; yields its port."""
    smtp = subprocess.Popen([sys.executable, str(REPO_ROOT / "scripts" / "test-smtp-server.py"), "--dir", str(mail_dir)],
                            stdout=subprocess.PIPE, text=True)
    try:
        yield int(smtp.stdout.readline().split()[1])
    finally:
        smtp.terminate()
        smtp.wait(timeout=10)


def load_demo(binary, env):
    demo = subprocess.run([str(binary), "demo"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    if demo.returncode != 0:
        pytest.exit(f"`caseport demo` failed ({demo.returncode}):\n{demo.stdout}\n{demo.stderr}", returncode=2)


@pytest.fixture(scope="session")
def server():
    binary = server_binary()
    data_dir = Path(tempfile.mkdtemp(prefix="caseport-e2e-"))
    env = dict(os.environ, CASEPORT_DATA_DIR=str(data_dir), CASEPORT_BCRYPT_COST="4", LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)  # always a fresh SQLite database
    load_demo(binary, env)
    try:
        with serving(binary, env, data_dir, give_up=lambda text: pytest.exit(text, returncode=2)) as server:
            yield server
    finally:
        if os.environ.get("E2E_KEEP_DATA") == "1":
            print(f"\nserver data and log kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Browsers


def chromium_options(language):
    options = webdriver.ChromeOptions()
    if os.path.exists(CHROMIUM):
        options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", f"--lang={language}", "--no-first-run",
                     "--disable-extensions", "--disable-background-networking", "--disable-sync",
                     "--disable-default-apps", "--disable-component-update", "--password-store=basic"):
        options.add_argument(argument)
    # Headless Chromium takes Accept-Language from this preference rather than from --lang.
    options.add_experimental_option("prefs", {"intl.accept_languages": f"{language},{language.split('-')[0]}"})
    return options


def start_browser(base_url, language="en-GB"):
    """A new headless Chromium with a fresh profile; `driver.base_url` is the server's address."""
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=chromium_options(language))
    driver.set_page_load_timeout(30)
    driver.base_url = base_url
    return driver


@pytest.fixture
def new_browser(server, request):
    """Makes browsers on demand (each with its own fresh profile, so its own cookies); all are closed
    at the end of the test, after a failing test's screenshots were saved."""
    server.require_running()
    log_offset = server.log_size()
    drivers = []

    def make(language="en-GB"):
        driver = start_browser(server.url, language)
        drivers.append(driver)
        return driver

    yield make

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        save_artifacts(request.node.name, drivers)
    for driver in drivers:
        try:
            driver.quit()
        except Exception:  # a crashed browser must not hide the test's own failure
            pass
    server_errors = server.errors_since(log_offset)
    if server_errors:
        pytest.fail("the server logged errors during this test:\n" + "\n".join(server_errors[:20]), pytrace=False)


@pytest.fixture
def browser(new_browser):
    """A fresh headless Chromium (1280x900, English) for one test."""
    return new_browser()


@pytest.fixture(scope="module")
def module_browsers(server):
    """Like `new_browser`, but the browsers live for a whole test module (for data set up once)."""
    drivers = []

    def make(language="en-GB"):
        driver = start_browser(server.url, language)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        try:
            driver.quit()
        except Exception:
            pass


def save_artifacts(test_name, drivers):
    folder = Path(os.environ.get("E2E_ARTIFACTS_DIR", Path(__file__).parent / "artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in test_name)
    for index, driver in enumerate(drivers):
        try:
            driver.save_screenshot(str(folder / f"{safe}-{index}.png"))
            (folder / f"{safe}-{index}.html").write_text(
                f"<!-- {driver.current_url} -->\n{driver.page_source}", encoding="utf-8")
        except Exception:
            pass


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item, so fixtures can tell whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
