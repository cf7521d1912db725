#!/usr/bin/env python3
"""Caseport on several servers, for real: N `caseport serve` nodes on one PostgreSQL database, files in
an S3-compatible object store (SeaweedFS), mail to a real SMTP server, all behind nginx.

    scripts/several-servers.sh                  # start it all and keep it running (Ctrl-C stops it)
    scripts/several-servers.sh --check          # drive traffic, kill a node mid-run, verify, stop

With --check, portal users (different customers) browse, write messages (with a copy to themselves, so
every message also sends a mail) and upload files through nginx from several threads; a staff member
browses the back office. A third of the way in one node is killed with SIGKILL and started again; at two
thirds another is stopped with SIGTERM (graceful) and started again. Then it verifies:
  - no request failed but the ones in flight on the killed node (at most one per client thread),
  - every message and upload the server confirmed is in the database, every upload downloads whole
    through the load balancer (so from whichever node),
  - every mail in the outbox was delivered, and no Message-ID reached the SMTP server twice,
and prints the figures (requests, rate, p50/p99, failures). Exit status 0 only when all holds.
Environment: CASEPORT_BIN (default: the debug build), MULTI_NODES (2), MULTI_SECONDS (30),
MULTI_CLIENTS (6), MULTI_PORT (18100, nginx; nodes use the next ports).

    scripts/several_servers.py --bench [--kill] -- <scripts/bench_load.py arguments but --url/--pid>

runs the load benchmark through nginx instead (`scripts/bench-load.sh` with NODES=N does this): the
nodes serve the already seeded database in DATABASE_URL (kept; no demo data), scripts/bench_load.py
drives them through nginx and is given every node's process id (their CPU is summed) and the
PostgreSQL server's (its backends' CPU). With --kill the last node is killed with SIGKILL a third of
the way into the first measured phase and started again; then the run is checked as with --check:
failures only among the requests in flight when the node died, every write the driver saw confirmed
(messages, internal notes, new cases) is in the database, every mail the run queued was delivered and
none twice. Mail left pending in the benchmark database by earlier runs without a mail server is
marked failed first, so the nodes do not spend the run delivering it.
"""
import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
PG_PORT = int(os.environ.get("CASEPORT_TEST_PG_PORT", "55432"))
PORTAL_USERS = [("solglantan", "anna"), ("norrsken", "erik"), ("1002", "faktura"), ("norrsken", "nordstjarnan")]
PASSWORD = "Demo1234"
NGINX_FAIL_TIMEOUT = 3


def log(text):
    print(f"[several-servers] {text}", flush=True)


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def shell_exports(script, env=None):
    """Runs one of our start-*.sh scripts and returns the variables it prints as `export K=V`."""
    output = run([str(REPO / "scripts" / script)], env=env).stdout
    return dict(re.findall(r"^export (\w+)=(.*)$", output, re.M))


def psql(database_url, sql):
    return run(["psql", database_url, "-At", "-c", sql]).stdout.strip()


class Cluster:
    def __init__(self, nodes, port, binary, database_url=None):
        self.external_database = database_url
        self.count = nodes
        self.port = port
        self.binary = binary
        self.work = Path(tempfile.mkdtemp(prefix="caseport-multi-"))
        self.processes = {}
        self.nginx = None
        self.smtp = None

    # -- the parts ------------------------------------------------------------------------------

    def start(self):
        if self.external_database:
            self.database_url = self.external_database
            log(f"PostgreSQL database {self.database_url.rsplit('/', 1)[1]} (kept)")
        else:
            postgres = shell_exports("start-test-postgres.sh")["DATABASE_URL"]
            self.database_name = f"caseport_multi_{os.getpid()}"
            admin_url = postgres
            psql(admin_url, f"CREATE DATABASE {self.database_name}")
            self.database_url = postgres.rsplit("/", 1)[0] + "/" + self.database_name
            log(f"PostgreSQL database {self.database_name}")

        s3 = shell_exports("start-test-s3.sh", env=dict(os.environ, S3_TEST_BUCKET="caseport-multi"))
        log(f"object store {s3['CASEPORT_TEST_S3_ENDPOINT']}, bucket {s3['CASEPORT_TEST_S3_BUCKET']}")

        self.mail_dir = self.work / "mail"
        self.mail_dir.mkdir()
        self.smtp = subprocess.Popen([sys.executable, str(REPO / "scripts" / "test-smtp-server.py"), "--dir", str(self.mail_dir)],
                                     stdout=subprocess.PIPE, text=True)
        smtp_port = int(self.smtp.stdout.readline().split()[1])
        log(f"SMTP server on 127.0.0.1:{smtp_port}")

        self.env = dict(os.environ,
                        DATABASE_URL=self.database_url,
                        CASEPORT_S3_ENDPOINT=s3["CASEPORT_TEST_S3_ENDPOINT"], CASEPORT_S3_BUCKET=s3["CASEPORT_TEST_S3_BUCKET"],
                        CASEPORT_S3_ACCESS_KEY=s3["CASEPORT_TEST_S3_ACCESS_KEY"], CASEPORT_S3_SECRET_KEY=s3["CASEPORT_TEST_S3_SECRET_KEY"],
                        SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port), MAIL_FROM="portal@caseport.test",
                        CASEPORT_PUBLIC_URL=f"http://127.0.0.1:{self.port}", CASEPORT_TRUSTED_PROXIES="127.0.0.1",
                        CASEPORT_BCRYPT_COST="4", LOG_LEVEL="warning",
                        # A killed node's claimed mail is picked up again after this lease.
                        OUTBOX_LEASE_SECONDS="15")
        for name in ("CASEPORT_TEST_S3_ENDPOINT", "CASEPORT_TEST_S3_BUCKET"):
            self.env.pop(name, None)
        if self.external_database:
            # Once, before the nodes start (as in production), so they do not race to apply a new migration.
            migrate = subprocess.run([self.binary, "migrate"], cwd=REPO, env=self.node_env(0), capture_output=True, text=True)
            if migrate.returncode != 0:
                raise SystemExit(f"caseport migrate failed:\n{migrate.stdout}\n{migrate.stderr}")
        else:
            demo = subprocess.run([self.binary, "demo"], cwd=REPO, env=self.node_env(0), capture_output=True, text=True)
            if demo.returncode != 0:
                raise SystemExit(f"caseport demo failed:\n{demo.stdout}\n{demo.stderr}")
        for node in range(1, self.count + 1):
            self.start_node(node)
        for node in range(1, self.count + 1):
            self.wait_healthy(self.node_port(node))
        self.start_nginx()
        self.wait_healthy(self.port)
        log(f"{self.count} nodes behind nginx at http://127.0.0.1:{self.port}")

    def node_port(self, node):
        return self.port + node

    def node_env(self, node):
        # Each node has its own data folder: only staged uploads live there, the files are in the store.
        return dict(self.env, CASEPORT_DATA_DIR=str(self.work / f"node{node}"))

    def start_node(self, node):
        log_file = open(self.work / f"node{node}.log", "ab")
        self.processes[node] = subprocess.Popen([self.binary, "serve", "--port", str(self.node_port(node))], cwd=REPO,
                                                env=self.node_env(node), stdout=log_file, stderr=subprocess.STDOUT)
        self.write_pids()

    @property
    def pids_file(self):
        return self.work / "pids"

    def write_pids(self):
        """The nodes' current process ids, one a line (bench_load.py reads them for the nodes' CPU)."""
        temporary = self.work / "pids.new"
        temporary.write_text("".join(f"{p.pid}\n" for p in self.processes.values() if p.poll() is None))
        temporary.replace(self.pids_file)

    def wait_healthy(self, port, seconds=90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit(f"nothing healthy on port {port} after {seconds}s")

    def start_nginx(self):
        servers = "\n".join(f"    server 127.0.0.1:{self.node_port(n)} max_fails=1 fail_timeout={NGINX_FAIL_TIMEOUT}s;" for n in range(1, self.count + 1))
        prefix = self.work / "nginx"
        prefix.mkdir()
        (prefix / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_max_body_size 64m;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  upstream caseport {{
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://caseport;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      # A node that refuses the connection is skipped; a POST already sent is never repeated.
      proxy_next_upstream error timeout http_502 http_503;
      proxy_request_buffering on;
    }}
  }}
}}
""")
        self.nginx = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")])

    def stop(self, keep=False):
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for process in (self.nginx, self.smtp):
            if process and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
        if not self.external_database:
            try:
                psql(self.database_url.rsplit("/", 1)[0] + "/caseport_test", f"DROP DATABASE IF EXISTS {self.database_name}")
            except Exception:
                pass
        if keep:
            log(f"logs kept in {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)


# -- traffic --------------------------------------------------------------------------------------

class Figures:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.failures = []  # (time, what)
        self.messages = []  # texts the server confirmed
        self.uploads = []  # (case number, file name, bytes) the server confirmed

    def record(self, seconds):
        with self.lock:
            self.latencies.append(seconds)

    def fail(self, what):
        with self.lock:
            self.failures.append((time.monotonic(), what))


def token_of(html):
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1) if match else None


def portal_client(base, organisation, username, figures, stop, worker):
    session = requests.Session()
    session.headers["Accept-Language"] = "en-GB"

    def timed(method, path, **kwargs):
        started = time.monotonic()
        try:
            response = session.request(method, base + path, timeout=15, allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            figures.fail(f"{method} {path}: {type(error).__name__}")
            return None
        figures.record(time.monotonic() - started)
        if response.status_code >= 500 or response.status_code in (403, 404):
            figures.fail(f"{method} {path}: {response.status_code}")
            return None
        return response

    def sign_in():
        page = timed("GET", "/login")
        if page is None:
            return None
        answer = timed("POST", "/login", data={"csrf_token": token_of(page.text), "organisation": organisation,
                                               "username": username, "password": PASSWORD})
        if answer is None or answer.status_code != 303:
            figures.fail(f"login {organisation}/{username}: {answer.status_code if answer is not None else '-'}")
            return None
        cases = timed("GET", "/cases")
        return cases

    cases_page = None
    while cases_page is None and not stop.is_set():
        cases_page = sign_in()
        if cases_page is None:
            time.sleep(0.5)
    numbers = sorted(set(int(n) for n in re.findall(r'href="/cases/(\d+)"', cases_page.text))) if cases_page else []
    if not numbers:
        figures.fail(f"{organisation}/{username} sees no cases")
        return
    token = token_of(cases_page.text)
    step = 0
    while not stop.is_set():
        step += 1
        number = random.choice(numbers)
        choice = step % 6
        if choice in (0, 1):
            timed("GET", f"/cases?page={random.randint(1, 2)}")
        elif choice == 2:
            timed("GET", f"/cases?q={random.choice(['vatten', 'dörr', 'hiss', 'fönster', 'tvätt'])}")
        elif choice == 3:
            page = timed("GET", f"/cases/{number}")
            if page is not None:
                token = token_of(page.text) or token
        elif choice == 4:
            text = f"several-servers {worker}-{step} {random.getrandbits(48):x}"
            answer = timed("POST", f"/cases/{number}/messages", data={"csrf_token": token, "body": text, "copy_to_me": "1"})
            if answer is not None and answer.status_code == 303:
                with figures.lock:
                    figures.messages.append(text)
            elif answer is not None:
                figures.fail(f"message on {number}: {answer.status_code}")
        else:
            name = f"multi-{worker}-{step}.txt"
            content = os.urandom(random.randint(10_000, 300_000)).hex().encode()
            # The form token is the body's first part (requests writes `data` before `files`), never in the address.
            answer = timed("POST", f"/cases/{number}/files", data={"csrf_token": token},
                           files={"files": (name, content, "text/plain")})
            if answer is not None and answer.status_code == 303:
                with figures.lock:
                    figures.uploads.append((number, name, content))
            elif answer is not None:
                figures.fail(f"upload on {number}: {answer.status_code}")


def staff_client(base, figures, stop):
    session = requests.Session()
    page = session.get(base + "/staff/login", timeout=15)
    answer = session.post(base + "/staff/login", data={"csrf_token": token_of(page.text), "email": "handler@example.com",
                                                        "password": PASSWORD}, allow_redirects=False, timeout=15)
    if answer.status_code != 303:
        figures.fail(f"staff login: {answer.status_code}")
        return
    while not stop.is_set():
        for path in ("/staff/cases", "/staff/cases?page=2", "/staff"):
            started = time.monotonic()
            try:
                response = session.get(base + path, timeout=15, allow_redirects=False)
                figures.record(time.monotonic() - started)
                if response.status_code >= 500:
                    figures.fail(f"GET {path}: {response.status_code}")
            except requests.RequestException as error:
                figures.fail(f"GET {path}: {type(error).__name__}")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0


def check_mail(cluster, problems, after_id=0):
    """Every mail in the outbox (with an id above after_id) delivered, and none twice. Returns (sent,
    received, received twice)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        waiting = int(psql(cluster.database_url, f"SELECT count(*) FROM outbox WHERE channel = 'email' AND status IN ('pending', 'sending') AND id > {after_id}"))
        if waiting == 0:
            break
        time.sleep(1)
    else:
        problems.append(f"{waiting} mails still waiting in the outbox after 90 s")
    sent = int(psql(cluster.database_url, f"SELECT count(*) FROM outbox WHERE channel = 'email' AND status = 'sent' AND id > {after_id}"))
    ids = []
    for path in cluster.mail_dir.glob("*.eml"):
        match = re.search(r"^Message-ID: <([^>]+)>", path.read_text(errors="replace"), re.M | re.I)
        if match:
            ids.append(match.group(1))
    duplicates = len(ids) - len(set(ids))
    # A node killed between the SMTP server's "250 OK" and marking the row sent cannot know the mail
    # went; its row is claimed again after the lease and sent again, with the same Message-ID (mail
    # clients show it once). Only such a row, claimed twice, may arrive twice; any other is a fault.
    for message_id in {i for i in ids if ids.count(i) > 1}:
        outbox_id = re.match(r"outbox-(\d+)@", message_id)
        attempts = int(psql(cluster.database_url, f"SELECT attempts FROM outbox WHERE id = {outbox_id.group(1)}")) if outbox_id else 0
        if attempts < 2:
            problems.append(f"mail {message_id} reached the SMTP server twice but was claimed only once")
    if len(set(ids)) < sent:
        problems.append(f"the outbox marked {sent} mails sent but the SMTP server has {len(set(ids))}")
    return sent, len(ids), duplicates


def check(cluster, seconds, clients):
    base = f"http://127.0.0.1:{cluster.port}"
    figures = Figures()
    stop = threading.Event()
    threads = [threading.Thread(target=portal_client, args=(base, *PORTAL_USERS[i % len(PORTAL_USERS)], figures, stop, i))
               for i in range(clients)]
    threads.append(threading.Thread(target=staff_client, args=(base, figures, stop)))
    started = time.monotonic()
    for thread in threads:
        thread.start()

    disruptions = []
    time.sleep(seconds / 3)
    victim = cluster.count  # the last node: SIGKILL, then back
    log(f"killing node {victim} (SIGKILL)")
    disruptions.append(("kill", time.monotonic()))
    cluster.processes[victim].kill()
    cluster.processes[victim].wait()
    time.sleep(2)
    cluster.start_node(victim)
    cluster.wait_healthy(cluster.node_port(victim))
    log(f"node {victim} is back")
    # nginx retries a refused connection on the other node, so the second stop must wait until it
    # counts the restarted node as live again (fail_timeout) — otherwise no node is live for a moment.
    time.sleep(max(NGINX_FAIL_TIMEOUT + 2, started + 2 * seconds / 3 - time.monotonic()))
    log("stopping node 1 (SIGTERM, graceful) and starting it again")
    disruptions.append(("term", time.monotonic()))
    cluster.processes[1].terminate()
    graceful = cluster.processes[1].wait(timeout=30)
    cluster.start_node(1)
    cluster.wait_healthy(cluster.node_port(1))
    log("node 1 is back")
    time.sleep(max(NGINX_FAIL_TIMEOUT + 2, started + seconds - time.monotonic()))
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    elapsed = time.monotonic() - started

    problems = []
    if graceful != 0:
        problems.append(f"node 1 exited {graceful} on SIGTERM")
    # Failures: only the requests in flight on a stopped node (at most one per client thread and stop):
    # those on the killed one, and a POST nginx had just sent on a kept-alive connection the stopping
    # node closed (nginx repeats only idempotent requests on another node).
    stray = [f for f in figures.failures if not any(moment - 1 <= f[0] <= moment + 2 for _, moment in disruptions)]
    if stray:
        problems.append(f"{len(stray)} failures away from the moments a node stopped, e.g. {stray[:3]}")
    if len(figures.failures) > 2 * (clients + 1):
        problems.append(f"{len(figures.failures)} failures, more than the {2 * (clients + 1)} requests that can be in flight")

    # Nothing confirmed is lost.
    stored = set(psql(cluster.database_url, "SELECT body FROM case_messages WHERE body LIKE 'several-servers %'").splitlines())
    lost = [text for text in figures.messages if text not in stored]
    if lost:
        problems.append(f"{len(lost)} confirmed messages missing from the database, e.g. {lost[:3]}")
    session = requests.Session()
    organisation, username = PORTAL_USERS[0]
    page = session.get(base + "/login", timeout=15)
    session.post(base + "/login", data={"csrf_token": token_of(page.text), "organisation": organisation, "username": username,
                                        "password": PASSWORD}, timeout=15)
    names = psql(cluster.database_url, "SELECT id || ' ' || original_name FROM files WHERE original_name LIKE 'multi-%'")
    file_ids = {line.split(" ", 1)[1]: int(line.split(" ", 1)[0]) for line in names.splitlines() if line}
    checked_downloads = 0
    for number, name, content in figures.uploads:
        if name not in file_ids:
            problems.append(f"confirmed upload {name} missing from the database")
            continue
        if name.startswith("multi-0-"):  # anna's uploads: she can download them; check each through nginx
            body = session.get(f"{base}/cases/{number}/files/{file_ids[name]}", timeout=30).content
            checked_downloads += 1
            if body != content:
                problems.append(f"{name} downloads {len(body)} bytes, not the {len(content)} uploaded")

    if not figures.messages or not figures.uploads:
        problems.append("the run confirmed no messages or no uploads: nothing was tested")

    sent, received, duplicates = check_mail(cluster, problems)
    requests_done = len(figures.latencies)
    log(f"{cluster.count} nodes, {clients} portal clients + 1 staff, {elapsed:.0f} s: {requests_done} requests, "
        f"{requests_done / elapsed:.0f}/s, p50 {percentile(figures.latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(figures.latencies, 0.99) * 1000:.0f} ms")
    log(f"written: {len(figures.messages)} messages, {len(figures.uploads)} uploads ({checked_downloads} downloaded back); "
        f"mail: {sent} sent, {received} received, {duplicates} twice; failures: {len(figures.failures)} "
        f"{[what for _, what in figures.failures][:6]}")
    for problem in problems:
        log(f"PROBLEM: {problem}")
    return not problems


def bench(cluster, kill, bench_args):
    """Runs scripts/bench_load.py through nginx; with kill, kills the last node mid-run, starts it again
    and checks the run (see the module's docstring)."""
    base = f"http://127.0.0.1:{cluster.port}"
    # Mail earlier runs left pending without a mail server would be delivered during this one.
    stale = psql(cluster.database_url, "UPDATE outbox SET status = 'failed', last_error = 'bench: left by a run without a mail "
                                       "server' WHERE status IN ('pending', 'sending') RETURNING id").splitlines()
    if stale:
        log(f"marked {len(stale)} mails left pending by earlier runs as failed")
        # Statistics taken while those mails were pending would have the outbox's claim walk every row
        # by id until autovacuum analyzed the table again (seen in session 29: 200 ms a claim, every node
        # polling), measuring the marking rather than the portal.
        psql(cluster.database_url, "ANALYZE outbox")
    first_mail = int(psql(cluster.database_url, "SELECT COALESCE(MAX(id), 0) FROM outbox"))
    record = cluster.work / "record.json"
    started_file = cluster.work / "started"
    run_id = f"r{os.getpid():x}{int(time.time()) % 100000:x}"
    command = [sys.executable, str(REPO / "scripts" / "bench_load.py"), "--url", base, "--pids-file", str(cluster.pids_file),
               "--record", str(record), "--started-file", str(started_file), "--run-id", run_id, *bench_args]
    pg_pid = postmaster_pid(cluster.database_url)
    if pg_pid:
        command += ["--pg-pid", str(pg_pid)]
    driver = subprocess.Popen(command)
    disruption = None
    if kill:
        seconds = next((float(bench_args[i + 1]) for i, a in enumerate(bench_args[:-1]) if a == "--seconds"), 30.0)
        while not started_file.exists() and driver.poll() is None:
            time.sleep(0.1)
        time.sleep(seconds / 3)
        if driver.poll() is None:
            victim = cluster.count
            log(f"killing node {victim} (SIGKILL)")
            disruption = time.time()
            cluster.processes[victim].kill()
            cluster.processes[victim].wait()
            cluster.write_pids()
            time.sleep(2)
            cluster.start_node(victim)
            cluster.wait_healthy(cluster.node_port(victim))
            log(f"node {victim} is back")
    status = driver.wait()
    if status != 0:
        log(f"PROBLEM: scripts/bench_load.py ended with {status}")
        return False
    if not kill:
        return True

    import json
    seen = json.loads(record.read_text())
    problems = []
    concurrency = next((int(bench_args[i + 1]) for i, a in enumerate(bench_args[:-1]) if a == "--concurrency"), 16)
    # Failures: only requests in flight on the killed node — at most one per worker, around the moment.
    stray = [e for e in seen["errors"] if not (disruption - 1 <= e[0] <= disruption + 3)]
    if stray:
        problems.append(f"{len(stray)} failures away from the moment the node was killed, e.g. {stray[:3]}")
    if len(seen["errors"]) > concurrency:
        problems.append(f"{len(seen['errors'])} failures, more than the {concurrency} requests that can be in flight")
    # Every write the driver saw confirmed is in the database.
    for kind, sql in (("message", f"SELECT body FROM case_messages WHERE body LIKE '%{run_id}-%'"),
                      ("case", f"SELECT subject FROM cases WHERE subject LIKE '%{run_id}-%'")):
        stored = set(psql(cluster.database_url, sql).splitlines())
        confirmed = [text for k, text in seen["writes"] if k == kind]
        lost = [text for text in confirmed if text not in stored]
        log(f"confirmed {kind}s: {len(confirmed)}, missing from the database: {len(lost)}")
        if lost:
            problems.append(f"{len(lost)} confirmed {kind}s missing from the database, e.g. {lost[:3]}")
    if not seen["writes"]:
        problems.append("the run confirmed no writes: nothing was tested")
    sent, received, duplicates = check_mail(cluster, problems, after_id=first_mail)
    log(f"killed node {cluster.count} at one third; failures: {len(seen['errors'])} {[e[1] for e in seen['errors']][:4]}; "
        f"mail: {sent} sent, {received} received, {duplicates} twice")
    for problem in problems:
        log(f"PROBLEM: {problem}")
    return not problems


def postmaster_pid(database_url):
    """The PostgreSQL server's process id when it runs on this machine (its backends' CPU is reported)."""
    try:
        directory = psql(database_url, "SHOW data_directory")
        return int(Path(directory, "postmaster.pid").read_text().split()[0])
    except Exception:
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep logs and data")
    parser.add_argument("--bench", action="store_true", help="drive scripts/bench_load.py (the arguments after --) "
                                                              "through nginx on the database in DATABASE_URL")
    parser.add_argument("--kill", action="store_true", help="with --bench: kill a node mid-run, restart it, check")
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    arguments = parser.parse_args()
    binary = os.environ.get("CASEPORT_BIN") or str(REPO / ".build" / "debug" / "caseport")
    if arguments.bench and not os.environ.get("DATABASE_URL"):
        raise SystemExit("--bench serves the seeded database in DATABASE_URL")
    cluster = Cluster(int(os.environ.get("MULTI_NODES", "2")), int(os.environ.get("MULTI_PORT", "18100")), binary,
                      database_url=os.environ["DATABASE_URL"] if arguments.bench else None)
    passed = False
    try:
        cluster.start()
        if arguments.bench:
            passed = bench(cluster, arguments.kill, [a for a in arguments.rest if a != "--"])
        elif arguments.check:
            passed = check(cluster, float(os.environ.get("MULTI_SECONDS", "30")), int(os.environ.get("MULTI_CLIENTS", "6")))
        else:
            log("running; Ctrl-C stops every part")
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            try:
                while True:
                    time.sleep(3600)
            except (KeyboardInterrupt, SystemExit):
                passed = True
    finally:
        for node, process in cluster.processes.items():
            if (arguments.check or arguments.bench) and process.poll() is not None and process.returncode not in (0, -9):
                log(f"node {node} ended with {process.returncode}")
        cluster.stop(keep=arguments.keep or not passed)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
