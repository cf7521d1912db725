#!/usr/bin/env python3
"""A webhook receiver for the tests (issue 16): verifies every Standard Webhooks signature with its own
implementation (Python's hmac and base64 only, nothing shared with Caseport) and appends one JSON line
per request to --record: {"id", "valid", "duplicate", "type", "reason"}. Answers 204 to a valid,
new or repeated message (a repeat is acknowledged, as a receiver should) and 401 to a bad one.

  python3 scripts/webhook-receiver.py --secret whsec_... --record /tmp/hooks.jsonl [--port 0] [--tolerance 300]

Prints "PORT <n>" once listening."""
import argparse, base64, hashlib, hmac, http.server, json, socket, time

parser = argparse.ArgumentParser()
parser.add_argument("--secret", required=True)
parser.add_argument("--record", required=True)
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--tolerance", type=int, default=300, help="seconds a webhook-timestamp may differ from now")
args = parser.parse_args()

assert args.secret.startswith("whsec_")
key = base64.b64decode(args.secret[len("whsec_"):])
seen = set()
try:
    with open(args.record) as f:  # a restarted receiver remembers what it already has
        seen = {json.loads(line)["id"] for line in f if json.loads(line).get("valid") and not json.loads(line).get("duplicate")}
except FileNotFoundError:
    pass


def check(headers, body):
    msg_id, stamp, signatures = headers.get("webhook-id"), headers.get("webhook-timestamp"), headers.get("webhook-signature")
    if not msg_id or not stamp or not signatures:
        return "missing header"
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > args.tolerance:
        return "timestamp outside tolerance"
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return None
    return "signature mismatch"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        reason = check(self.headers, body)
        msg_id = self.headers.get("webhook-id")
        entry = {"id": msg_id, "valid": reason is None, "duplicate": msg_id in seen, "reason": reason}
        if reason is None:
            entry["type"] = json.loads(body).get("type")
            seen.add(msg_id)
        with open(args.record, "a") as f:
            f.write(json.dumps(entry) + "\n")
        self.send_response(204 if reason is None else 401)
        self.end_headers()

    def log_message(self, *a):
        pass


class Server(http.server.HTTPServer):
    def server_bind(self):
        # The tests hold the port while the receiver is down (WebhookReceiver's PortHold): bind beside that hold.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        super().server_bind()


server = Server(("127.0.0.1", args.port), Handler)
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
