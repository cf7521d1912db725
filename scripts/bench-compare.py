#!/usr/bin/env python3
"""Compares two builds on the load benchmark (issue 17), run by run in alternation.

This machine's speed drifts by a fifth within half an hour (other work on the host, pages of the
database file read from disk again), so two builds measured one after the other compare nothing. This
runs `scripts/bench-load.sh` for build A and build B in turns (A B, then B A: a steady drift weighs on
both alike), on the same seeded data, and reports each run and the medians:

- requests a second, p99;
- CPU a request: the server's, PostgreSQL's (its backends) and the driver's;
- the server's and PostgreSQL's CPU a request over the driver's: the driver's work a request is the same
  for both builds, so its CPU time measures the machine's speed at that moment, and the quotient is the
  steadiest figure of a build's own cost.

A build is a folder holding `release/caseport` and `release/caseport-bench` (a `--scratch-path` of
`swift build -c release`, or a copy). The database is seeded once by the first run and reused (SQLite in
`--keep-dir`, PostgreSQL's `caseport_load`). Example, one page's cost on PostgreSQL, three rounds:

    scripts/bench-compare.py --a /tmp/builds/main --b .build-release --db postgres --only portal_list --rounds 3

Other settings of bench-load.sh (CASES, USERS, CONCURRENCY, WARMUP, ...) pass through the environment.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIGURES = [  # (key in the driver's JSON, heading)
    ("per_second", "req/s"),
    ("p99_ms", "p99 ms"),
    ("server_cpu_ms_per_request", "server ms"),
    ("postgres_cpu_ms_per_request", "PG ms"),
    ("driver_cpu_ms_per_request", "driver ms"),
]


def run(build, label, args, json_dir):
    env = dict(os.environ, NO_BUILD="1", SCRATCH=str(Path(build).resolve()), DB=args.db, MODE=args.mode,
               DURATION=str(args.duration), JSON_DIR=str(json_dir), LABEL=label)
    if args.db == "sqlite":
        env["KEEP_DIR"] = args.keep_dir
    if args.rate:
        env["RATE"] = str(args.rate)
    if args.only:
        env["ONLY"] = args.only
    log = json_dir / "bench.log"
    json_dir.mkdir(parents=True, exist_ok=True)
    for stale in json_dir.glob("*.json"):  # an earlier comparison's run with the same --out
        stale.unlink()
    with open(log, "w") as out:
        code = subprocess.run([str(REPO / "scripts" / "bench-load.sh")], cwd=REPO, env=env, stdout=out,
                              stderr=subprocess.STDOUT).returncode
    found = sorted(json_dir.glob("*.json"))
    if code != 0 or not found:
        sys.exit(f"bench-load.sh failed for {label} (exit {code}); see {log}")
    results = json.loads(found[0].read_text())["results"]
    return next(r for r in results if r["phase"].startswith(args.mode))


def relative(result):
    """The server's and PostgreSQL's CPU a request over the driver's (see the module's docstring)."""
    driver = result.get("driver_cpu_ms_per_request") or 0
    if not driver:
        return None
    return (result.get("server_cpu_ms_per_request", 0) + result.get("postgres_cpu_ms_per_request", 0)) / driver


def line(name, result, rel):
    cells = [f"{result[key]:>10.3f}" if key in result else f"{'-':>10}" for key, _ in FIGURES]
    return f"{name:<8}" + "".join(cells) + (f"{rel:>12.2f}" if rel is not None else f"{'-':>12}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", required=True, help="build A (holds release/caseport)")
    parser.add_argument("--b", required=True, help="build B")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of one A and one B run (default 2)")
    parser.add_argument("--mode", choices=["closed", "open"], default="closed")
    parser.add_argument("--rate", type=int, help="arrivals a second in --mode open")
    parser.add_argument("--only", help="kinds of request, comma-separated (bench-load.sh's ONLY)")
    parser.add_argument("--duration", type=int, default=20, help="seconds a run (default 20)")
    parser.add_argument("--keep-dir", default="/tmp/caseport-bench-sqlite", help="SQLite's seeded data (kept)")
    parser.add_argument("--out", default="/tmp/caseport-bench-compare", help="where each run's log and JSON go")
    args = parser.parse_args()
    for build in (args.a, args.b):
        if not (Path(build) / "release" / "caseport").exists():
            sys.exit(f"{build}/release/caseport is missing")

    out = Path(args.out)
    runs = {"A": [], "B": []}
    print(f"{'run':<8}" + "".join(f"{heading:>10}" for _, heading in FIGURES) + f"{'(srv+PG)/drv':>12}", flush=True)
    for round_number in range(1, args.rounds + 1):
        order = ["A", "B"] if round_number % 2 else ["B", "A"]
        for name in order:
            build = args.a if name == "A" else args.b
            result = run(build, f"{name}{round_number}", args, out / f"{name}{round_number}")
            runs[name].append(result)
            print(line(f"{name}{round_number}", result, relative(result)), flush=True)

    print("medians:")
    medians = {}
    for name in ("A", "B"):
        median = {key: statistics.median(r[key] for r in runs[name]) for key, _ in FIGURES if all(key in r for r in runs[name])}
        rels = [rel for rel in map(relative, runs[name]) if rel is not None]
        medians[name] = (median, statistics.median(rels) if rels else None)
        print(line(name, *medians[name]))
    (a, a_rel), (b, b_rel) = medians["A"], medians["B"]
    for key, heading in FIGURES:
        if key in a and key in b and a[key]:
            print(f"B/A {heading:<10} {b[key] / a[key]:.3f}")
    if a_rel and b_rel:
        print(f"B/A (srv+PG)/drv {b_rel / a_rel:.3f}")


if __name__ == "__main__":
    main()
