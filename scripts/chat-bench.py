#!/usr/bin/env python3
"""Live chat benchmark (issue 15): N open chat sockets on a running server and the fan-out latency
of a message — from the customer's send until each of the N staff consoles following the
conversation has it (median and p99 over every socket and every message).

    python3 -m pip install websockets requests
    CASEPORT_CHAT_SOCKETS_PER_ADDRESS=5000 CASEPORT_CHAT_OPENS_PER_MINUTE=100000 caseport serve --port 8080 &
    scripts/chat-bench.py --url http://127.0.0.1:8080 --sockets 1000 --messages 50
    # across two servers on one PostgreSQL: the customer on A, the consoles on B
    scripts/chat-bench.py --url http://127.0.0.1:8080 --consoles-url http://127.0.0.1:8081 --sockets 1000

It signs in as a demo handler (`caseport demo` data; --staff, --password), sets them available, starts
one visitor chat, takes it, opens --sockets staff sockets that all follow it, then sends --messages
messages from the customer's socket, one at a time, each once the previous one reached every socket.
The server's per-address limits must allow that many sockets from one address (the variables above).
"""

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
from urllib.parse import urlparse

import requests
import websockets


def csrf_from(session, base, path):
    page = session.get(base + path, timeout=10)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if not match:
        sys.exit(f"no CSRF token on {path}")
    return match.group(1)


def cookie_header(session):
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def ws_url(base, path):
    parsed = urlparse(base)
    return ("wss://" if parsed.scheme == "https" else "ws://") + parsed.netloc + path


def origin_of(base):
    parsed = urlparse(base)
    return f"{parsed.scheme}://{parsed.netloc}"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def connect(base, path, cookie, origin):
    return await websockets.connect(ws_url(base, path), additional_headers={"Cookie": cookie, "Origin": origin},
                                    max_size=1 << 20, open_timeout=30, ping_interval=None)


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--consoles-url", help="where the staff sockets connect (a second server); default --url")
    parser.add_argument("--public-url", help="the server's CASEPORT_PUBLIC_URL, sent as Origin (default: --url)")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--staff", default="handler@example.com")
    parser.add_argument("--password", default="Demo1234")
    args = parser.parse_args()
    base, consoles = args.url.rstrip("/"), (args.consoles_url or args.url).rstrip("/")
    origin = args.public_url or origin_of(base)
    consoles_origin = args.public_url or origin_of(consoles)

    staff = requests.Session()
    token = csrf_from(staff, base, "/staff/login")
    answer = staff.post(base + "/staff/login", data={"email": args.staff, "password": args.password, "csrf_token": token},
                        allow_redirects=False, timeout=10)
    if answer.status_code != 303 or not any(c.name == "caseport_staff" for c in staff.cookies):
        sys.exit(f"staff login failed ({answer.status_code})")
    token = csrf_from(staff, base, "/staff/chat")
    staff.post(base + "/staff/chat/availability", data={"available": "1", "csrf_token": token}, allow_redirects=False,
               timeout=10)

    visitor = requests.Session()
    token = csrf_from(visitor, base, "/login")
    started = visitor.post(base + "/chat/start", data={"name": "Bench", "email": "bench@example.org", "csrf_token": token},
                           headers={"Accept": "application/json"}, timeout=10)
    if started.status_code != 200:
        sys.exit(f"could not start a chat ({started.status_code}: {started.text[:200]})")
    conversation = started.json()["conversation"]

    taker = await connect(base, "/staff/chat/socket", cookie_header(staff), origin)
    await taker.send(json.dumps({"type": "take", "conversation": conversation}))
    customer = await connect(base, "/chat/socket", cookie_header(visitor), origin)
    await customer.send(json.dumps({"type": "hello", "conversation": conversation, "after_seq": 0}))

    opened = time.monotonic()
    sockets = []
    for start in range(0, args.sockets, 100):
        batch = await asyncio.gather(*[connect(consoles, "/staff/chat/socket", cookie_header(staff), consoles_origin)
                                       for _ in range(min(100, args.sockets - start))])
        sockets += batch
    print(f"{len(sockets)} staff sockets open and following conversation {conversation} "
          f"in {time.monotonic() - opened:.1f} s", flush=True)
    await asyncio.sleep(1)

    latencies = []

    async def receive(socket, text, sent_at):
        while True:
            frame = json.loads(await socket.recv())
            if frame.get("type") == "message" and frame.get("body") == text:
                return time.monotonic() - sent_at

    # Every socket follows the conversation; what it already has is read and set aside.
    for socket in sockets:
        await socket.send(json.dumps({"type": "hello", "conversation": conversation, "after_seq": 0}))
    await asyncio.sleep(2)
    for socket in sockets:
        try:
            while True:
                await asyncio.wait_for(socket.recv(), timeout=0.001)
        except (asyncio.TimeoutError, TimeoutError):
            pass

    for index in range(args.messages):
        text = f"bench {index} {time.time()}"
        sent_at = time.monotonic()
        await customer.send(json.dumps({"type": "message", "body": text}))
        results = await asyncio.gather(*[asyncio.wait_for(receive(s, text, sent_at), timeout=30) for s in sockets])
        latencies += results
        await asyncio.sleep(1.1)  # the per-connection message rate (burst 10, one a second)

    milliseconds = [value * 1000 for value in latencies]
    print(f"fan-out to {len(sockets)} sockets, {args.messages} messages: "
          f"median {statistics.median(milliseconds):.1f} ms, p99 {percentile(milliseconds, 0.99):.1f} ms, "
          f"max {max(milliseconds):.1f} ms")
    for socket in sockets + [customer, taker]:
        await socket.close()


if __name__ == "__main__":
    asyncio.run(main())
