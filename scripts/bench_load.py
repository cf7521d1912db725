#!/usr/bin/env python3
"""The load benchmark that models real use (issue 17 point 1): many portal users of different customers
and a few dozen handlers, each with their own session, drive a mix of what people do:

  portal: list pages (different pages, filters and orders), searches (different words and prefixes),
          case views, messages posted, files uploaded, new cases registered through the portal's own flow
          (type page, form, confirmation page, "Confirm" with or without a photo — as a browser does);
  staff:  case lists (pages and single filters), case views, internal notes and messages.

Two ways of driving it (both, one after the other, unless --mode says otherwise):
  closed  a fixed number of workers (--concurrency), each sending its next request when the last answered;
  open    requests started at a fixed arrival rate (--rate a second, evenly spaced) whatever the answers; the
          latency of each is counted from the moment it was due, so a server that falls behind shows it.

Reports requests, throughput, p50/p99/p999, errors (any transport error, 5xx, 403/404, or a write that did
not redirect), per kind of request, and the confirmed writes a second (messages, uploads, notes, new cases:
a portal new case is one write and three pages before it, `portal_create_page`); with --pid the server's CPU per request (utime+stime from
/proc/<pid>/stat around each phase) and its anonymous memory (RssAnon from /proc/<pid>/status, the highest
seen while sampling once a second, and at the end), and always the driver's own CPU per request (on one machine
the driver's CPU is taken from the server's). --json writes the same as JSON.
Several servers (scripts/several_servers.py --bench, or bench-load.sh with NODES=N): --pids-file names the
nodes' current process ids (re-read each second, so a node restarted mid-run is followed; the CPU of all of
them is summed, RssAnon is the largest node's); --pg-pid gives the PostgreSQL server's, whose backends' CPU
per request is reported beside the nodes'; --record writes every confirmed write (its text) and every
failure with its wall-clock time, which several_servers.py checks after killing a node.

    scripts/bench_load.py --url http://127.0.0.1:18181 --portal-users 300 --handlers 30 \
        --concurrency 16 --rate 300 --seconds 30 --pid 1234
Users are those `scripts/bench-load.sh` seeds: portal user `u<n>` of organisation `bench<n>` (n = 1…N),
handlers `handler<n>@bench.example`, all with the password Bench1234.
"""
import argparse
import asyncio
import datetime
import html.parser
import json
import os
import random
import re
import sys
import time
from urllib.parse import quote

from bench_http import Client, Multipart, Session

PASSWORD = "Bench1234"
WORDS = ["läckage", "kran", "element", "hiss", "ventilation", "fönster", "dörr", "lås", "tak", "fasad",
         "värme", "belysning", "trapphus", "tvättstuga", "källare", "balkong", "garage", "avlopp",
         "brandlarm", "entré", "soprum", "cykelrum", "lekplats", "gräsmatta", "snöröjning", "ström",
         "säkring", "fukt", "mögel", "klotter", "porttelefon", "nyckel", "parkering", "vatten",
         "radiator", "kyla", "golv", "vägg", "målning", "städning", "skadedjur", "ljud", "glas",
         "ränna", "stuprör", "grind", "staket", "förråd", "bastu", "tvättmaskin"]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PORTAL_CASE = re.compile(r'href="/cases/(\d+)"')
STAFF_CASE = re.compile(r'href="/staff/cases/(\d+)"')
NEW_CASE = re.compile(r'^/cases/(\d+)(\?|$)')

# The mix: (kind, weight). Reads dominate, as in use; writes are a few in a hundred.
MIX = [
    ("portal_list", 26), ("portal_list_filtered", 8), ("portal_search", 12), ("portal_case", 24),
    ("portal_message", 4), ("portal_upload", 1), ("portal_create", 1),
    ("staff_list", 10), ("staff_list_filtered", 5), ("staff_case", 6), ("staff_note", 3), ("staff_create", 1),
]
# Kinds that write: a confirmed one is a write (the writes a second in the report).
WRITES = {"portal_message", "portal_upload", "portal_create", "staff_note", "staff_create"}


class FormReader(html.parser.HTMLParser):
    """The fields a browser submits from the form whose action is `action` (first match): text and hidden
    inputs with their values, ticked boxes and radios, each select's selected option (else its first), and
    textareas; file inputs are listed apart. Also each select's options, so a field can be chosen."""
    def __init__(self, action):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.done = False
        self.fields = []  # [name, value], in page order
        self.options = {}  # select name -> [option values]
        self.files = []
        self.dates = set()  # day fields: the new-case form's date inputs (numeric, ten characters)
        self.select = None
        self.select_value = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and a.get("action") == self.action:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self.files.append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append([name, a.get("value", "on")])
            elif kind not in ("submit", "button", "image", "reset"):
                self.fields.append([name, a.get("value", "")])
                if a.get("inputmode") == "numeric" and a.get("maxlength") == "10":
                    self.dates.add(name)
        elif tag == "select" and name:
            self.select, self.select_value = name, None
            self.options[name] = []
        elif tag == "option" and self.select:
            value = a.get("value", "")
            self.options[self.select].append(value)
            if "selected" in a or self.select_value is None:
                self.select_value = value
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self.select:
            self.fields.append([self.select, self.select_value or ""])
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            value = self.textarea[1]
            self.fields.append([self.textarea[0], value[1:] if value.startswith("\n") else value])
            self.textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


def read_form(body, action):
    reader = FormReader(action)
    reader.feed(body.decode())
    return reader


class User:
    def __init__(self, kind, index):
        self.kind = kind
        self.index = index
        self.session = None
        self.token = None
        self.cases = []
        self.lock = asyncio.Lock()


class Stats:
    def __init__(self, record=None):
        self.latencies = {}
        self.errors = {}
        self.samples = []
        self.record = record

    def add(self, kind, seconds, ok, what=None):
        self.latencies.setdefault(kind, []).append(seconds)
        if not ok:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if len(self.samples) < 10 and what:
                self.samples.append(what)
            if self.record is not None and kind != "dropped":
                self.record["errors"].append((time.time(), what or kind))


class Problem(Exception):
    """A step of a multi-page flow answered other than a browser expects."""


def percentile(ordered, fraction):
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def summary(values):
    ordered = sorted(values)
    return {"n": len(ordered), "p50_ms": round(percentile(ordered, 0.5) * 1000, 2),
            "p99_ms": round(percentile(ordered, 0.99) * 1000, 2), "p999_ms": round(percentile(ordered, 0.999) * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2) if ordered else 0.0}


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of the line)


def rss_anon_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(parent):
    """Process ids whose parent is `parent` (PostgreSQL's backends and workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == parent:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


class CPUWatch:
    """CPU of a changing set of processes: the ticks each used since the watch began (or since it
    appeared), summed; sampled once a second, so one that ends is counted up to its last sample."""
    def __init__(self, pids):
        self.pids = pids  # a function returning the current process ids
        self.start = {}
        self.last = {}
        self.sample(initial=True)

    def sample(self, initial=False):
        for pid in self.pids():
            try:
                ticks = cpu_ticks(pid)
            except (OSError, ValueError, IndexError):
                continue
            if pid not in self.start:
                self.start[pid] = ticks if initial else 0
            self.last[pid] = ticks

    def used(self):
        return sum(self.last[pid] - self.start[pid] for pid in self.last)


class Bench:
    def __init__(self, args):
        self.args = args
        self.base = args.url.rstrip("/")
        self.client = None
        self.portal = [User("portal", n) for n in range(1, args.portal_users + 1)]
        self.staff = [User("staff", n) for n in range(1, args.handlers + 1)]
        mix = [(k, w) for k, w in MIX if not args.only or k in args.only.split(",")]
        if not mix:
            raise SystemExit(f"--only names none of {', '.join(k for k, _ in MIX)}")
        self.kinds = [k for k, _ in mix]
        self.weights = [w for _, w in mix]
        self.sequence = 0
        # Every write's text carries the run's id, so a check finds this run's writes.
        self.run_id = args.run_id or f"r{random.getrandbits(32):x}"
        self.record = {"run_id": self.run_id, "writes": [], "errors": []} if args.record else None

    def node_pids(self):
        if self.args.pids_file:
            try:
                with open(self.args.pids_file) as f:
                    return [int(line) for line in f if line.strip()]
            except OSError:
                return []
        return [self.args.pid] if self.args.pid else []

    def next_text(self):
        self.sequence += 1
        return f"{self.run_id}-{self.sequence}"

    async def request(self, user, method, path, **kwargs):
        response = await user.session.request(method, path, **kwargs)
        return response.status, response.body

    async def sign_in(self, user):
        user.session = Session(self.client, {"Accept-Language": "sv-SE", "Accept": "text/html"})
        if user.kind == "portal":
            status, body = await self.request(user, "GET", "/login")
            token = TOKEN.search(body.decode()).group(1)
            status, _ = await self.request(user, "POST", "/login", data={
                "csrf_token": token, "organisation": f"bench{user.index}", "username": f"u{user.index}", "password": PASSWORD})
            if status != 303:
                raise SystemExit(f"portal login u{user.index}@bench{user.index} answered {status}")
            status, body = await self.request(user, "GET", "/cases")
            text = body.decode()
            user.token = TOKEN.search(text).group(1)
            user.cases = sorted(set(int(n) for n in PORTAL_CASE.findall(text)))
        else:
            status, body = await self.request(user, "GET", "/staff/login")
            token = TOKEN.search(body.decode()).group(1)
            status, _ = await self.request(user, "POST", "/staff/login", data={
                "csrf_token": token, "email": f"handler{user.index}@bench.example", "password": PASSWORD})
            if status != 303:
                raise SystemExit(f"staff login handler{user.index} answered {status}")
            status, body = await self.request(user, "GET", f"/staff/cases?customer={user.index}")
            text = body.decode()
            user.token = TOKEN.search(text).group(1)
            user.cases = sorted(set(int(n) for n in STAFF_CASE.findall(text)))

    async def sign_in_all(self):
        semaphore = asyncio.Semaphore(8)

        async def one(user):
            async with semaphore:
                await self.sign_in(user)
        await asyncio.gather(*(one(u) for u in self.portal + self.staff))

    def pages(self):
        # The bench user's customer has cases/customers cases: 25 to a portal page, 50 to a staff page.
        return max(1, self.args.cases_per_customer // 25)

    async def act(self, kind, stats, due):
        """One request of the mix, timed from `due` (its arrival time)."""
        rng = random
        if kind.startswith("portal"):
            user = rng.choice(self.portal)
        else:
            user = rng.choice(self.staff)
        path, method, data = None, "GET", None
        expect = (200,)
        written = None
        if kind == "portal_list":
            page = rng.randint(1, self.pages())
            path = f"/cases?page={page}" if page > 1 else "/cases"
        elif kind == "portal_list_filtered":
            choice = rng.randrange(4)
            if choice == 0:
                path = f"/cases?state={rng.choice(['active', 'closed', 'action'])}"
            elif choice == 1:
                path = f"/cases?category={rng.randint(1, 10)}&page={rng.randint(1, 3)}"
            elif choice == 2:
                path = f"/cases?sort={rng.choice(['number', 'subject', 'created'])}&dir={rng.choice(['asc', 'desc'])}&page={rng.randint(1, 5)}"
            else:
                path = f"/cases?type={rng.randint(1, 4)}"
        elif kind == "portal_search":
            word = rng.choice(WORDS)
            if rng.random() < 0.4:
                word = word[: rng.randint(3, max(3, len(word) - 1))]
            path = "/cases?q=" + quote(word)
        elif kind in ("portal_case", "portal_message", "portal_upload"):
            if not user.cases:
                return
            number = rng.choice(user.cases)
            if kind == "portal_case":
                path = f"/cases/{number}"
            elif kind == "portal_message":
                method, path, expect = "POST", f"/cases/{number}/messages", (303,)
                written = ("message", f"Lastprov {self.next_text()}: vi väntar på besked om {rng.choice(WORDS)}.")
                data = {"csrf_token": user.token, "body": written[1]}
            else:
                method, path, expect = "POST", f"/cases/{number}/files", (303,)
                form = Multipart()
                form.add_field("csrf_token", user.token)
                form.add_field("files", os.urandom(rng.randint(2_000, 60_000)), filename=f"foto-{rng.randint(1, 10**6)}.bin",
                               content_type="application/octet-stream")
                data = form
        elif kind == "staff_list":
            page = rng.randint(1, 20)
            path = f"/staff/cases?page={page}" if page > 1 else "/staff/cases"
        elif kind == "staff_list_filtered":
            choice = rng.randrange(5)
            if choice == 0:
                path = f"/staff/cases?status={rng.choice(['new', 'open', 'waiting_for_customer'])}"
            elif choice == 1:
                path = f"/staff/cases?handler={rng.randint(1, 4)}&page={rng.randint(1, 5)}"
            elif choice == 2:
                path = f"/staff/cases?customer={rng.randint(1, self.args.customers)}"
            elif choice == 3:
                path = f"/staff/cases?category={rng.randint(1, 10)}"
            else:
                path = f"/staff/cases?priority={rng.randint(1, 4)}"
        elif kind in ("staff_case", "staff_note"):
            if not user.cases:
                return
            number = rng.choice(user.cases)
            if kind == "staff_case":
                path = f"/staff/cases/{number}"
            else:
                method, path, expect = "POST", f"/staff/cases/{number}/notes", (303,)
                written = ("message", f"Intern anteckning {self.next_text()} under lastprov.")
                data = {"csrf_token": user.token, "body": written[1]}
        elif kind == "portal_create":
            await self.portal_create(user, stats, due)
            return
        elif kind == "staff_create":
            method, path, expect = "POST", "/staff/cases/new", (303,)
            written = ("case", f"Lastprov {self.next_text()} {rng.choice(WORDS)}")
            data = {"csrf_token": user.token, "subject": written[1],
                    "description": f"Skapat under lastprov: {rng.choice(WORDS)} i {rng.choice(WORDS)}.",
                    "customer": str(rng.randint(1, self.args.customers)), "category": str(rng.randint(1, 10)),
                    "type": str(rng.randint(1, 4)), "priority": str(rng.randint(1, 4)), "handler": str(user.index % 4 + 1)}
        try:
            status, _ = await self.request(user, method, path, data=data)
            ok = status in expect
            stats.add(kind, time.monotonic() - due, ok, None if ok else f"{method} {path}: {status}")
            if ok and written and self.record is not None:
                self.record["writes"].append(written)
        except Exception as error:  # noqa: BLE001 — every failure is an error of the run
            stats.add(kind, time.monotonic() - due, False, f"{method} {path}: {type(error).__name__} {error}")

    async def portal_create(self, user, stats, due):
        """A customer registers a case as a browser does (B4): the type page, the chosen type's form, "Send"
        (the confirmation page) and "Confirm" (multipart: the confirmation page's hidden fields and its file
        field, empty or with a photo). Each page is a `portal_create_page` request; the write counts as
        confirmed only when "Confirm" redirects to the new case (`/cases/<number>`)."""
        rng = random
        step = "GET /cases/new"
        started = due
        try:
            status, body = await self.request(user, "GET", "/cases/new")
            if status != 200:
                raise Problem(f"{step}: {status}")
            types = read_form(body, "/cases/new")
            if types.fields and not types.options and any(name == "type" for name, _ in types.fields):
                # The type page: a radio per type (the first ticked); the user picks one.
                chosen = rng.choice(re.findall(r'name="type" value="(\d+)"', body.decode()))
                stats.add("portal_create_page", time.monotonic() - started, True)
                started = time.monotonic()
                step = f"GET /cases/new?type={chosen}"
                status, body = await self.request(user, "GET", f"/cases/new?type={chosen}")
                if status != 200:
                    raise Problem(f"{step}: {status}")
            stats.add("portal_create_page", time.monotonic() - started, True)
            form = read_form(body, "/cases/new")
            subject = f"Lastprov {self.next_text()} {rng.choice(WORDS)}"
            filled = []
            for name, value in form.fields:
                choices = [v for v in form.options.get(name, []) if v]
                if name == "subject":
                    value = subject
                elif name == "description":
                    value = f"Anmält under lastprov: {rng.choice(WORDS)} i {rng.choice(WORDS)}, {rng.choice(WORDS)} behövs."
                elif name == "category" and choices:
                    value = rng.choice(choices)
                elif name in ("customer", "object") and not value and choices and rng.random() < 0.5:
                    value = rng.choice(choices)
                elif name.startswith("field_"):
                    value = rng.choice(choices) if choices else str(datetime.date.today()) if name in form.dates else "12"
                filled.append((name, value))
            if any(n == "copy_email" and v for n, v in filled) and rng.random() < 0.3:
                filled.append(("copy_by_email", "1"))  # "send me a copy" ticked: a mail through the outbox
            started = time.monotonic()
            step = "POST /cases/new"
            status, body = await self.request(user, "POST", "/cases/new", data=filled)
            if status != 200:
                raise Problem(f"{step}: {status}")
            stats.add("portal_create_page", time.monotonic() - started, True)
            confirm = read_form(body, "/cases/new/confirm")
            if not confirm.fields:
                raise Problem(f"{step}: no confirmation page")
            started = time.monotonic()
            step = "POST /cases/new/confirm"
            data = Multipart()
            for name, value in confirm.fields:
                data.add_field(name, value)
            for name in confirm.files:  # a file input sends a part, empty when nothing was chosen
                if rng.random() < 0.3:
                    data.add_field(name, os.urandom(rng.randint(2_000, 60_000)), filename=f"foto-{rng.randint(1, 10**6)}.jpg",
                                   content_type="image/jpeg")
                else:
                    data.add_field(name, b"", filename="", content_type="application/octet-stream")
            response = await user.session.request("POST", "/cases/new/confirm", data=data)
            location = response.headers.get("location", "")
            if response.status != 303 or not NEW_CASE.match(location):
                raise Problem(f"{step}: {response.status} to {location!r}")
            stats.add("portal_create", time.monotonic() - started, True)
            if self.record is not None:
                self.record["writes"].append(("case", subject))
        except Exception as error:  # noqa: BLE001 — every failure is an error of the run
            what = str(error) if isinstance(error, Problem) else f"{step}: {type(error).__name__} {error}"
            stats.add("portal_create" if step.endswith("confirm") else "portal_create_page", time.monotonic() - started, False, what)

    def pick(self):
        return random.choices(self.kinds, self.weights)[0]

    async def closed(self, seconds):
        stats = Stats(self.record)
        end = time.monotonic() + seconds

        async def worker():
            while time.monotonic() < end:
                await self.act(self.pick(), stats, time.monotonic())
        await asyncio.gather(*(worker() for _ in range(self.args.concurrency)))
        return stats

    async def open(self, seconds, rate):
        stats = Stats(self.record)
        start = time.monotonic()
        total = int(seconds * rate)
        tasks = set()
        dropped = 0
        for i in range(total):
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if len(tasks) >= self.args.max_in_flight:
                dropped += 1
                stats.add("dropped", 0.0, False, "more than --max-in-flight waiting")
                continue
            task = asyncio.ensure_future(self.act(self.pick(), stats, due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks)
        return stats

    async def phase(self, name, runner):
        pid = bool(self.node_pids())
        peak = [0]
        sampling = True
        nodes = CPUWatch(self.node_pids)
        database = CPUWatch(lambda: children(self.args.pg_pid)) if self.args.pg_pid else None

        async def sample():
            while sampling:
                peak[0] = max([peak[0]] + [rss_anon_kb(p) for p in self.node_pids()])
                nodes.sample()
                if database:
                    database.sample()
                await asyncio.sleep(1)
        sampler = asyncio.ensure_future(sample()) if pid else None
        if self.args.started_file and not os.path.exists(self.args.started_file):
            open(self.args.started_file, "w").close()
        started = time.monotonic()
        driver_started = os.times()
        stats = await runner()
        elapsed = time.monotonic() - started
        driver_ended = os.times()
        sampling = False
        if sampler:
            await sampler
        nodes.sample()
        if database:
            database.sample()
        everything = [v for kind, values in stats.latencies.items() if kind != "dropped" for v in values]
        errors = sum(stats.errors.values())
        result = {"phase": name, "seconds": round(elapsed, 1), "requests": len(everything),
                  "per_second": round(len(everything) / elapsed, 1), "errors": errors, **summary(everything),
                  "kinds": {kind: {**summary(values), "errors": stats.errors.get(kind, 0)} for kind, values in sorted(stats.latencies.items())},
                  "error_samples": stats.samples}
        writes = sum(len(values) - stats.errors.get(kind, 0) for kind, values in stats.latencies.items() if kind in WRITES)
        result["writes"] = writes
        result["writes_per_second"] = round(writes / elapsed, 1)
        hz = os.sysconf("SC_CLK_TCK")

        def cpu(prefix, ticks):  # CPU per request, cores used, CPU per write
            result[f"{prefix}_cpu_ms_per_request"] = round(ticks / hz * 1000 / max(1, len(everything)), 3)
            result[f"{prefix}_cpu_cores"] = round(ticks / hz / elapsed, 2)
            if writes:
                result[f"{prefix}_cpu_ms_per_write"] = round(ticks / hz * 1000 / writes, 3)

        if pid:
            cpu("server", nodes.used())
            result["rss_anon_mb_peak"] = round(peak[0] / 1024, 1)
            result["rss_anon_mb_end"] = round(max([0] + [rss_anon_kb(p) for p in self.node_pids()]) / 1024, 1)
        if database:
            cpu("postgres", database.used())
        # The load generator's own CPU: on one machine it is taken from what the server could use.
        driver = (driver_ended.user - driver_started.user) + (driver_ended.system - driver_started.system)
        result["driver_cpu_ms_per_request"] = round(driver * 1000 / max(1, len(everything)), 3)
        result["load_average"] = os.getloadavg()
        return result

    async def main(self):
        self.client = Client(self.base, limit=self.args.connections)
        try:
            t = time.monotonic()
            await self.sign_in_all()
            print(f"signed in {len(self.portal)} portal users and {len(self.staff)} handlers in {time.monotonic() - t:.1f}s", file=sys.stderr)
            results = []
            if self.args.warmup > 0:
                await self.closed(self.args.warmup)
            if self.args.mode in ("both", "closed"):
                results.append(await self.phase(f"closed, {self.args.concurrency} workers", lambda: self.closed(self.args.seconds)))
                report(results[-1])
            if self.args.mode in ("both", "open"):
                results.append(await self.phase(f"open, {self.args.rate}/s arrivals", lambda: self.open(self.args.seconds, self.args.rate)))
                report(results[-1])
            if self.record is not None:
                with open(self.args.record, "w") as f:
                    json.dump(self.record, f, ensure_ascii=False)
            if self.args.json:
                with open(self.args.json, "w") as f:
                    json.dump({"label": self.args.label, "results": results}, f, indent=1, ensure_ascii=False)
        finally:
            await self.client.close()


def report(result):
    line = (f"== {result['phase']}: {result['requests']} requests in {result['seconds']} s = {result['per_second']}/s, "
            f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, p99.9 {result['p999_ms']} ms, errors {result['errors']}")
    if "server_cpu_ms_per_request" in result:
        line += (f"; server CPU {result['server_cpu_ms_per_request']} ms/request ({result['server_cpu_cores']} cores), "
                 f"RssAnon peak {result['rss_anon_mb_peak']} MB")
    if "postgres_cpu_ms_per_request" in result:
        line += f"; PostgreSQL CPU {result['postgres_cpu_ms_per_request']} ms/request ({result['postgres_cpu_cores']} cores)"
    line += f"; driver CPU {result['driver_cpu_ms_per_request']} ms/request"
    line += f"; load average {' '.join(f'{x:.1f}' for x in result['load_average'])}"
    print(line)
    if result.get("writes"):
        line = f"   writes confirmed: {result['writes']} = {result['writes_per_second']}/s"
        if "server_cpu_ms_per_write" in result:
            line += f"; server CPU {result['server_cpu_ms_per_write']} ms/write"
        if "postgres_cpu_ms_per_write" in result:
            line += f", PostgreSQL CPU {result['postgres_cpu_ms_per_write']} ms/write"
        print(line)
    for kind, figures in result["kinds"].items():
        print(f"   {kind:22s} n={figures['n']:6d}  p50 {figures['p50_ms']:8.2f}  p99 {figures['p99_ms']:8.2f}  "
              f"p99.9 {figures['p999_ms']:8.2f}  errors {figures['errors']}")
    for sample in result["error_samples"]:
        print(f"   error: {sample}")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--portal-users", type=int, default=300)
    parser.add_argument("--handlers", type=int, default=30)
    parser.add_argument("--customers", type=int, default=500, help="customers in the seed (staff filters, new cases)")
    parser.add_argument("--cases-per-customer", type=int, default=2000, help="cases a portal user sees (list pages)")
    parser.add_argument("--concurrency", type=int, default=16, help="workers in the closed phase")
    parser.add_argument("--connections", type=int, default=64, help="most TCP connections open at once")
    parser.add_argument("--rate", type=float, default=200, help="arrivals a second in the open phase")
    parser.add_argument("--max-in-flight", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--mode", choices=["both", "closed", "open"], default="both")
    parser.add_argument("--only", help="comma-separated kinds of request to drive (default: the whole mix)")
    parser.add_argument("--pid", type=int, help="the server's process id, for CPU and memory")
    parser.add_argument("--pids-file", help="a file naming the servers' current process ids, one a line (several nodes)")
    parser.add_argument("--pg-pid", type=int, help="the PostgreSQL server's (postmaster's) process id: its backends' CPU")
    parser.add_argument("--record", help="write the confirmed writes and the failures (with times) to this JSON file")
    parser.add_argument("--started-file", help="create this file when the first measured phase starts")
    parser.add_argument("--run-id", help="put into every write's text (default: random)")
    parser.add_argument("--json")
    parser.add_argument("--label", default="")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    random.seed(args.seed)
    try:  # uvloop's event loop costs the driver less CPU a request (scripts/bench-load.sh installs it)
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    asyncio.run(Bench(args).main())


if __name__ == "__main__":
    main()
