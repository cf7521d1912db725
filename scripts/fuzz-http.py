#!/usr/bin/env python3
"""Robustness fuzzer for a running Caseport (issue 9). Python 3 standard library only.

Sends malformed requests to every route, anonymous and signed in (portal user, staff admin), and
fails on any 5xx answer or a dead server. Started by scripts/fuzz-http.sh, which runs the binary.

    fuzz-http.py --port P --pid PID [--seed S] [--requests N] [--routes FILE]

--routes FILE is the output of `caseport routes`: the route list below must match it exactly, so a
new route cannot be left out. The last line printed is `fuzz-http: N passed, M failed`.
"""
import argparse
import http.client
import os
import random
import re
import socket
import sys
import time
import urllib.parse

# Every route of the app: the cases of PortalRoute, StaffRoute and PublicRoute (Sources/CaseportWeb/Routing),
# as `caseport routes` lists them. RouteTests fail when this list and the route types differ.
ROUTES = [
    ("GET", "/"), ("GET", "/healthz"), ("GET", "/branding.css"), ("GET", "/branding/logo"), ("GET", "/api/v1/openapi.json"),
    ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("POST", "/language"),
    ("GET", "/register"), ("POST", "/register"), ("GET", "/register/confirm"),
    ("GET", "/password/set"), ("POST", "/password/set"), ("GET", "/password/forgot"), ("POST", "/password/forgot"),
    ("GET", "/cases/new"), ("POST", "/cases/new"), ("POST", "/cases/new/edit"), ("POST", "/cases/new/confirm"),
    ("GET", "/cases"),
    ("GET", "/cases/:number"), ("POST", "/cases/:number/messages"), ("POST", "/cases/:number/files"),
    ("GET", "/cases/:number/files/:fileId"), ("GET", "/cases/:number/files/:fileId/remove"), ("POST", "/cases/:number/files/:fileId/remove"),
    ("POST", "/cases/:number/classification"),
    ("POST", "/cases/:number/approve"), ("POST", "/cases/:number/not-ok"),
    ("GET", "/cases/:number/report.pdf"),
    ("GET", "/files"), ("GET", "/files/:fileId"),
    ("GET", "/users"), ("GET", "/users/new"), ("POST", "/users/new"), ("GET", "/users/:userId"), ("POST", "/users/:userId"),
    ("GET", "/users/:userId/remove"), ("POST", "/users/:userId/remove"),
    ("POST", "/account/case-mail"),
    ("GET", "/inquiries"), ("GET", "/inquiries/:id"),
    ("GET", "/staff/login"), ("POST", "/staff/login"), ("POST", "/staff/logout"),
    ("GET", "/staff/password/set"), ("POST", "/staff/password/set"),
    ("GET", "/staff"),
    ("GET", "/staff/cases"), ("POST", "/staff/cases/mark-all-read"), ("GET", "/staff/cases/:number"),
    ("POST", "/staff/cases/:number/read"),
    ("GET", "/staff/cases/:number/report.pdf"),
    ("POST", "/staff/cases/:number"), ("POST", "/staff/cases/:number/status"), ("POST", "/staff/cases/:number/messages"), ("POST", "/staff/cases/:number/notes"),
    ("GET", "/staff/outbox"), ("POST", "/staff/outbox/:id/retry"), ("GET", "/staff/outbox/unplaced/:id/message"),
    ("GET", "/staff/inbox"), ("POST", "/staff/inbox/bulk"), ("GET", "/staff/inbox/:id"), ("POST", "/staff/inbox/:id"),
    ("POST", "/staff/inbox/:id/delete"),
    ("GET", "/staff/settings"), ("POST", "/staff/settings"),
    ("GET", "/staff/settings/catalogue"), ("POST", "/staff/settings/catalogue/:kind"),
    ("POST", "/staff/settings/catalogue/:kind/:id"), ("POST", "/staff/settings/catalogue/:kind/:id/delete"),
    ("GET", "/staff/settings/types"), ("POST", "/staff/settings/types"), ("GET", "/staff/settings/types/:id"),
    ("POST", "/staff/settings/types/:id"), ("POST", "/staff/settings/types/:id/delete"),
    ("POST", "/staff/settings/types/:id/fields"), ("POST", "/staff/settings/types/:id/fields/:field"),
    ("POST", "/staff/settings/types/:id/fields/:field/delete"),
    ("GET", "/staff/settings/branding"), ("POST", "/staff/settings/branding"),
    ("GET", "/staff/settings/branding/preview.css"), ("POST", "/staff/settings/branding/logo"),
    ("POST", "/staff/settings/branding/logo/delete"),
    ("GET", "/staff/customers"), ("GET", "/staff/customers/new"), ("POST", "/staff/customers/new"),
    ("GET", "/staff/customers/:id"), ("POST", "/staff/customers/:id"),
    ("GET", "/staff/objects"), ("GET", "/staff/objects/new"), ("POST", "/staff/objects/new"),
    ("GET", "/staff/objects/:id"), ("POST", "/staff/objects/:id"),
    ("GET", "/staff/contacts"), ("GET", "/staff/contacts/new"), ("POST", "/staff/contacts/new"),
    ("GET", "/staff/contacts/:id"), ("POST", "/staff/contacts/:id"),
    ("POST", "/staff/contacts/:id/customers"), ("POST", "/staff/contacts/:id/customers/:linked/remove"),
    ("POST", "/staff/contacts/:id/objects"), ("POST", "/staff/contacts/:id/objects/:linked/remove"),
    ("GET", "/staff/portal-users"), ("GET", "/staff/portal-users/new"), ("POST", "/staff/portal-users/new"),
    ("GET", "/staff/portal-users/:id"), ("POST", "/staff/portal-users/:id"), ("POST", "/staff/portal-users/:id/unlock"),
    ("GET", "/staff/staff-users"), ("GET", "/staff/staff-users/new"), ("POST", "/staff/staff-users/new"),
    ("GET", "/staff/staff-users/:staffId"), ("POST", "/staff/staff-users/:staffId"),
    ("GET", "/staff/audit"),
    ("GET", "/staff/import"), ("POST", "/staff/import"), ("POST", "/staff/import/run"),
    ("GET", "/staff/cases/new"), ("POST", "/staff/cases/new"), ("POST", "/staff/cases/:number/files"),
    ("POST", "/staff/cases/:number/contacts"), ("POST", "/staff/cases/:number/contacts/:contact/remove"),
    ("GET", "/staff/files/:fileId"), ("GET", "/staff/files/:fileId/remove"), ("POST", "/staff/files/:fileId/remove"),
    ("POST", "/staff/customers/:id/files"), ("POST", "/staff/objects/:id/files"),
    ("GET", "/cases/new/receipt"),
    ("GET", "/staff/export/:kind"),
    ("GET", "/dashboards/:kind"), ("GET", "/dashboards/:kind/data.csv"), ("GET", "/reports"), ("GET", "/reports/:id"),
    ("GET", "/staff/dashboards/:kind"), ("GET", "/staff/dashboards/:kind/data.csv"),
    ("GET", "/staff/customers/:id/reports"), ("POST", "/staff/customers/:id/reports"),
    ("POST", "/staff/customers/:id/reports/make"), ("GET", "/staff/customers/:id/reports/:reportId"),
    ("GET", "/staff/api-tokens"), ("POST", "/staff/api-tokens"), ("POST", "/staff/api-tokens/:id/revoke"),
    ("GET", "/users/api-tokens"), ("POST", "/users/api-tokens"), ("POST", "/users/api-tokens/:tokenId/revoke"),
    ("GET", "/privacy"),
    # Issue 13: the personal link's pages, the link session's check, the customer-page settings and a case's access.
    ("GET", "/c/:token"), ("POST", "/c/open"), ("GET", "/c/code"), ("POST", "/c/code"), ("GET", "/claim/session-check"),
    ("GET", "/staff/settings/customer-page"), ("POST", "/staff/settings/customer-page"),
    ("GET", "/staff/customers/:id/customer-page"), ("POST", "/staff/customers/:id/customer-page"),
    ("GET", "/staff/cases/:number/customer-access"), ("POST", "/staff/cases/:number/customer-access"),
    ("POST", "/staff/cases/:number/customer-access/grant"), ("POST", "/staff/cases/:number/customer-access/revoke"),
    # Live chat (issue 15): the two sockets answer 403 here (no Origin, or no session) before any upgrade.
    ("GET", "/chat/socket"), ("GET", "/chat/status"), ("POST", "/chat/start"), ("GET", "/chat"), ("POST", "/chat"),
    ("GET", "/staff/chat"), ("POST", "/staff/chat/availability"), ("GET", "/staff/chat/socket"),
    # Issue 13: a claim's back office and the start page's attention lists.
    ("POST", "/staff/cases/:number/claim"), ("POST", "/staff/cases/:number/claim/details"),
    ("POST", "/staff/cases/:number/claim/decision"), ("POST", "/staff/cases/:number/claim/reminder"),
    ("POST", "/staff/cases/:number/claim/contacts/:contact/role"), ("POST", "/staff/cases/:number/claim/status"),
    ("POST", "/staff/cases/:number/claim/tasks"), ("POST", "/staff/cases/:number/claim/tasks/:task"),
    ("POST", "/staff/cases/:number/claim/tasks/:task/state"), ("POST", "/staff/cases/:number/claim/tasks/:task/schedule"),
    ("POST", "/staff/cases/:number/claim/tasks/:task/media"), ("POST", "/staff/cases/:number/claim/calls"),
    ("GET", "/staff/attention/:row"), ("POST", "/staff/files/:fileId/reviewed"),
    # Issue 13: the claim's customer page (without a personal-link session: the calm page) and its staff preview.
    ("GET", "/claim"), ("GET", "/claim/plan"), ("GET", "/claim/messages"), ("POST", "/claim/messages"),
    ("GET", "/claim/documents"), ("GET", "/claim/documents/:fileId"), ("GET", "/claim/budget"),
    ("GET", "/staff/cases/:number/customer-page"),
    ("GET", "/staff/settings/privacy"), ("POST", "/staff/settings/privacy"), ("POST", "/staff/settings/privacy/dry-run"),
    ("POST", "/staff/settings/privacy/run"), ("POST", "/staff/settings/privacy/export"),
    ("POST", "/staff/legal-holds"), ("POST", "/staff/legal-holds/:number/release"),
    ("GET", "/cases/:number/actions"), ("GET", "/specifications"), ("GET", "/specifications/:id"),
    ("POST", "/specifications/:id/approve"), ("POST", "/specifications/:id/reject"),
    ("GET", "/staff/price-list"), ("POST", "/staff/price-list/articles"), ("GET", "/staff/price-list/articles/:id"),
    ("POST", "/staff/price-list/articles/:id"), ("POST", "/staff/price-list/action-codes"),
    ("POST", "/staff/price-list/action-codes/:id"), ("POST", "/staff/price-list/columns"),
    ("GET", "/staff/cases/:number/money"), ("POST", "/staff/cases/:number/rows"),
    ("POST", "/staff/cases/:number/rows/:rowId/remove"), ("POST", "/staff/cases/:number/work-orders"),
    ("GET", "/staff/cases/:number/work-orders/:workOrderId"), ("POST", "/staff/cases/:number/work-orders/:workOrderId"),
    ("POST", "/staff/cases/:number/work-orders/:workOrderId/state"),
    ("GET", "/staff/specifications"), ("GET", "/staff/specifications/new"), ("POST", "/staff/specifications/new"),
    ("GET", "/staff/specifications/:id"), ("POST", "/staff/specifications/:id/withdraw"),
    ("GET", "/staff/settings/webhooks"), ("POST", "/staff/settings/webhooks"), ("GET", "/staff/settings/webhooks/:id"),
    ("POST", "/staff/settings/webhooks/:id"), ("POST", "/staff/settings/webhooks/:id/delete"),
    ("POST", "/staff/settings/webhooks/:id/deliveries/:delivery/redeliver"),
    ("GET", "/staff/login/sso"), ("GET", "/staff/login/sso/callback"),
    # Issue 13: the staff case page's document library and budget.
    ("POST", "/staff/cases/:number/documents"), ("POST", "/staff/cases/:number/documents/share"),
    ("GET", "/staff/cases/:number/documents/:fileId/unshare"), ("POST", "/staff/cases/:number/documents/:fileId/unshare"),
    ("GET", "/staff/cases/:number/documents/:fileId/edit"), ("POST", "/staff/cases/:number/documents/:fileId/edit"),
    ("GET", "/staff/cases/:number/documents/:fileId/delete"), ("POST", "/staff/cases/:number/documents/:fileId/delete"),
    ("POST", "/staff/cases/:number/budget"), ("GET", "/staff/cases/:number/budget/:lineId"),
    ("POST", "/staff/cases/:number/budget/:lineId"), ("POST", "/staff/cases/:number/budget/:lineId/remove"),
]
UPLOAD_ROUTES = {"/cases/:number/files", "/staff/cases/:number/documents", "/staff/settings/branding/logo", "/staff/import", "/staff/cases/:number/files",
                 "/staff/customers/:id/files", "/staff/objects/:id/files"}
# Routes that end or replace the session they are sent with: the fuzzer signs in again after them.
SESSION_ENDERS = {"/logout", "/staff/logout", "/login", "/staff/login", "/password/set", "/staff/password/set"}

NUMBERS = ["-9223372036854775808", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
           "1e309", "-1e309", "NaN", "nan", "Infinity", "-0", "0", "-1", "1", "2147483648", "4294967296",
           "99999999999999999999999999999", "0x10", "1.5", " 1", "1 ", "+1", "١٢", "%00", "", "00000000000000000000001"]
STRINGS = ["", " ", "a", "ä", "\u0000", "x" * 300, "y" * 20001, "<script>alert(1)</script>", "'; DROP TABLE cases; --",
           "../../etc/passwd", "%", "%zz", "%ff%fe", "\r\nX-Injected: 1", "\ud7ff\ue000", "🙂" * 50, "\u202e", "a\u0000b",
           "2024-13-45", "9999-12-31", "0000-00-00", "#ff00ff", "#zzzzzz", "new", "closed", "resolved", "admin", "handler",
           "categories", "priorities", "choice", "number", "text", "on", "1", "true", "sv", "da", "nb", "en", "xx"]
FIELDS = ["body", "subject", "description", "name", "order", "organisation", "username", "password", "password_confirm",
          "email", "first_name", "last_name", "phone", "category", "priority", "customer", "object", "type", "version",
          "status", "kind", "label", "choices", "person", "person_first_name", "person_email", "language", "returnTo",
          "inquiry_1", "inquiry_9223372036854775807", "is_active", "active", "role", "copy_to_me", "internal", "handler",
          "supplier", "customer_number", "address", "contact_id", "object_id", "login_kind", "is_admin", "send_login_details",
          "token", "q", "page", "action", "from", "to", "before", "billable", "required", "intake", "password_length",
          "page-bg", "accent", "preview", "notify_customer", "notify_supplier", "field_1", "field_9223372036854775807",
          "csrf_token", "file", "logo", "files", "a[b]", "a[]", "[", "]", ""]
QUERY_KEYS = ["page", "q", "notice", "n", "customer", "object", "type", "token", "v", "inline", "before", "from", "to",
              "action", "done", "kind", "status", "sort", "handler", "category", "priority", "unread", "csrf_token"]
PARAM_VALUES = NUMBERS + ["abc", "x" * 300, "%C0%AF", "..%2F..", "%2e%2e", "new", "categories", "priorities", "%ff"]


class Client:
    """One signed-in (or anonymous) identity: cookies and the CSRF token of the last page."""

    def __init__(self, port, name):
        self.port, self.name = port, name
        self.cookies, self.token = {}, ""

    def request(self, method, path, headers=None, body=None, raw_head=None, timeout=30):
        """Sends one request; returns (status, headers dict, body bytes). raw_head sends bytes as is."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if raw_head is not None:
                connection.connect()
                connection.sock.sendall(raw_head + (body or b""))
                response = http.client.HTTPResponse(connection.sock, method=method)
                response.begin()
            else:
                all_headers = dict(headers or {})
                if self.cookies and "Cookie" not in all_headers:
                    all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
                connection.putrequest(method, path, skip_accept_encoding=True)
                for key, value in all_headers.items():
                    connection.putheader(key, value)
                if body is not None and "Content-Length" not in all_headers:
                    connection.putheader("Content-Length", str(len(body)))
                connection.endheaders(body)
                response = connection.getresponse()
            data = response.read()
            return response.status, response.getheaders(), data
        finally:
            connection.close()

    def remember(self, headers, body):
        for key, value in headers:
            if key.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                name, _, cookie = pair.partition("=")
                if "Max-Age=0" in value or not cookie:
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = cookie
        match = re.search(rb'name="csrf_token" value="([^"]+)"', body or b"")
        if match:
            self.token = match.group(1).decode()

    def get(self, path):
        status, headers, body = self.request("GET", path)
        self.remember(headers, body)
        return status, body

    def post_form(self, path, fields):
        body = urllib.parse.urlencode(fields).encode()
        status, headers, data = self.request("POST", path, {"Content-Type": "application/x-www-form-urlencoded"}, body)
        self.remember(headers, data)
        return status, headers, data

    def login(self):
        """Signs in, then reads a page: login issues a new CSRF token, which the next form needs."""
        if self.name == "portal":
            self.get("/login")
            ok = self.post_form("/login", {"organisation": "solglantan", "username": "anna", "password": "Demo1234",
                                           "csrf_token": self.token})[0] == 303
            return ok and self.get("/cases")[0] == 200
        if self.name == "staff":
            self.get("/staff/login")
            ok = self.post_form("/staff/login", {"email": "admin@example.com", "password": "Demo1234",
                                                 "csrf_token": self.token})[0] == 303
            return ok and self.get("/staff")[0] == 200
        self.get("/login")
        return True


def header_safe(text):
    """http.client sends headers as Latin-1 and refuses line breaks; raw bytes go through raw_head."""
    return text.encode("latin-1", "replace").decode("latin-1").replace("\r", " ").replace("\n", " ").replace("\0", " ")


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def api_document_routes():
    """The (method, path) pairs of Resources/API/openapi.json, as `caseport routes` prints them."""
    import json
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    with open(os.path.join(root, "Resources", "API", "openapi.json"), encoding="utf-8") as handle:
        document = json.load(handle)
    prefix = document["servers"][0]["url"]
    return {(method.upper(), prefix + re.sub(r"\{(\w+)\}", r":\1", path))
            for path, item in document["paths"].items() for method in item
            if method in ("get", "post", "put", "patch", "delete")}


def check_routes(path):
    """The route list above must equal the binary's own (`caseport routes`)."""
    listed = set()
    for line in open(path, encoding="utf-8"):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"):
            listed.add((cells[0], cells[1]))
    # The JSON API's routes are its OpenAPI document's paths (the generated server registers them);
    # scripts/api-fuzz.sh runs schemathesis over them, so they are left out of this list.
    listed -= api_document_routes()
    mine = set(ROUTES)
    problems = [f"route missing from fuzz-http.py: {m} {p}" for m, p in sorted(listed - mine)]
    problems += [f"route in fuzz-http.py but not served: {m} {p}" for m, p in sorted(mine - listed)]
    return problems


class Fuzzer:
    def __init__(self, port, pid, seed):
        self.port, self.pid = port, pid
        self.random = random.Random(seed)
        self.clients = {name: Client(port, name) for name in ("anonymous", "portal", "staff")}
        self.ids = {"number": ["1"], "fileId": ["1"], "id": ["1"], "userId": ["1"], "staffId": ["1"],
                    "field": ["1"], "linked": ["1"], "kind": ["categories", "priorities"]}
        self.passed = self.failed = 0
        self.statuses = {}

    def setup(self):
        for client in self.clients.values():
            if not client.login():
                raise SystemExit(f"fuzz-http: could not sign in as {client.name}")
        _, body = self.clients["portal"].get("/cases")
        numbers = re.findall(rb'data-case-number="(\d+)"', body)
        self.ids["number"] = sorted({n.decode() for n in numbers})[:5] or ["1"]
        _, body = self.clients["staff"].get("/staff/settings/types")
        types = re.findall(rb'/staff/settings/types/(\d+)', body)
        self.ids["id"] += sorted({t.decode() for t in types})[:3]

    def value(self, pool):
        choice = self.random.random()
        if choice < 0.5:
            return self.random.choice(pool)
        if choice < 0.7:
            return self.random.choice(NUMBERS)
        return self.random.choice(STRINGS)

    def fill_path(self, pattern):
        parts = []
        for segment in pattern.split("/"):
            if segment.startswith(":"):
                pool = self.ids.get(segment[1:], ["1"])
                value = self.random.choice(pool) if self.random.random() < 0.5 else self.random.choice(PARAM_VALUES)
                parts.append(value if value.startswith("%") or "%" in value else urllib.parse.quote(value, safe=""))
            else:
                parts.append(segment)
        path = "/".join(parts) or "/"
        mutation = self.random.random()
        if mutation < 0.05:
            path += "/" + "a" * self.random.choice([256, 300, 1000, 5000])
        elif mutation < 0.08:
            path += "/%ff%fe%00"
        elif mutation < 0.1:
            path = path.replace("/", "//", 1)
        return path

    def query(self, client):
        items = []
        for _ in range(self.random.randint(0, 4)):
            key = self.random.choice(QUERY_KEYS)
            value = client.token if key == "csrf_token" else self.value(PARAM_VALUES)
            items.append(f"{urllib.parse.quote(key)}={urllib.parse.quote(value, safe='%')}")
        if self.random.random() < 0.05:
            items.append("%zz=%" + "&" * 3 + "a=1&a=2&a[]=3&=&&")
        return ("?" + "&".join(items)) if items else ""

    def form_body(self, client):
        fields = []
        for _ in range(self.random.randint(0, 12)):
            fields.append((self.random.choice(FIELDS), self.value(STRINGS)))
        if self.random.random() < 0.9:
            fields.append(("csrf_token", client.token))
        body = "&".join(f"{urllib.parse.quote(k)}={urllib.parse.quote(v)}" for k, v in fields).encode()
        mutation = self.random.random()
        if mutation < 0.08:
            body += b"&bad=%ff%fe%c0%af&raw=\xff\xfe\xc0\xaf"
        elif mutation < 0.12:
            body += b"&%zz=%&%%%=%1"
        elif mutation < 0.15:
            body = b"\x00" * 64 + body
        elif mutation < 0.18:
            body = b"body=" + b"A" * self.random.choice([100_000, 1_100_000])
        elif mutation < 0.21:
            body = b"&".join(b"f=%d" % i for i in range(5_000)) + b"&csrf_token=" + client.token.encode()
        return body

    def multipart_body(self, boundary, client, broken):
        b = boundary.encode("latin-1", "replace")
        parts = []
        for _ in range(self.random.randint(0, 6)):
            name = self.random.choice(FIELDS + ["files", "files", "logo", "file", "kind"])
            if self.random.random() < 0.5:
                filename = self.random.choice(["a.txt", "", "../../x", "x" * 300, "a\"b.png", "ä.pdf"])
                content = self.random.choice([b"\x89PNG\r\n\x1a\n" + b"\0" * 32, b"%PDF-1.4", b"name,email\n" * 20, b""])
                parts.append(b"--" + b + b'\r\nContent-Disposition: form-data; name="' + name.encode() +
                             b'"; filename="' + filename.encode() + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' +
                             content + b"\r\n")
            else:
                parts.append(b"--" + b + b'\r\nContent-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' +
                             self.value(STRINGS).encode("utf-8", "surrogatepass") + b"\r\n")
        body = b"".join(parts) + b"--" + b + b"--\r\n"
        if broken:
            choice = self.random.randint(0, 5)
            if choice == 0:
                body = body[: len(body) // 2]
            elif choice == 1:
                body = b"--" + b + b"\r\nContent-Disposition: form-data; name=\"x\"" + b"A" * 20_000 + b"\r\n\r\nv\r\n"
            elif choice == 2:
                body = b"".join(b"--" + b + b'\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nx\r\n' % i
                                for i in range(2_000)) + b"--" + b + b"--\r\n"
            elif choice == 3:
                body = b"no delimiter at all"
            elif choice == 4:
                body = b"--" + b + b"\r\n\r\n\r\n--" + b + b"--"
            else:
                body = b"--" + b + b"--\r\n--" + b + b"\r\n"
        return body

    def build(self, method, pattern):
        """One request: (client name, method, path, headers, body, raw_head)."""
        name = self.random.choice(["anonymous", "portal", "staff", "portal", "staff"])
        client = self.clients[name]
        path = self.fill_path(pattern) + self.query(client)
        headers = {}
        body = None
        if self.random.random() < 0.3:
            headers["X-CSRF-Token"] = client.token if self.random.random() < 0.8 else header_safe(self.random.choice(STRINGS))
        if method == "POST":
            kind = self.random.random()
            upload_route = pattern in UPLOAD_ROUTES
            if (upload_route and kind < 0.7) or (not upload_route and kind < 0.15):
                boundary = self.random.choice(["caseportfuzz", "", '""', "a" * 71, "a" * 5000, "x y ", "ä", "=?;",
                                               "caseportfuzz", "caseportfuzz", "----WebKitFormBoundaryAbC"])
                broken = self.random.random() < 0.4
                headers["Content-Type"] = self.random.choice([
                    f"multipart/form-data; boundary={boundary}", f'multipart/form-data; boundary="{boundary}"',
                    "multipart/form-data", f"multipart/mixed; boundary={boundary}",
                    f"multipart/form-data; boundary={boundary}; boundary=other",
                    f"multipart/form-data; charset=utf-8; boundary={boundary}"])
                body = self.multipart_body(boundary.strip('"') or "x", client, broken)
                if "csrf_token=" not in path and self.random.random() < 0.9:
                    path += ("&" if "?" in path else "?") + "csrf_token=" + client.token
            else:
                headers["Content-Type"] = self.random.choice(
                    ["application/x-www-form-urlencoded"] * 6 + ["application/x-www-form-urlencoded; charset=latin1",
                     "application/json", "text/plain", "application/xml", "", "garbage", "application/x-www-form-urlencoded; boundary="])
                if headers["Content-Type"] == "":
                    del headers["Content-Type"]
                body = self.form_body(client)
                if headers.get("Content-Type") == "application/json":
                    body = self.random.choice([b'{"csrf_token":"' + client.token.encode() + b'","body":1e309}', b"[", b"null",
                                               b'{"a":' * 500 + b'1' + b'}' * 500])
        elif self.random.random() < 0.05:
            body = b"unexpected=body"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.random.random() < 0.04:
            headers["X-Huge"] = "h" * self.random.choice([8_000, 20_000, 70_000])
        if self.random.random() < 0.03:
            headers["Accept-Language"] = ";q=".join(["sv"] * 500)
        if self.random.random() < 0.03:
            headers["Cookie"] = "caseport_portal=" + "%ff" * 100 + "; caseport_lang=\x7f"
        raw_head = None
        if self.random.random() < 0.03:
            # Invalid UTF-8 and control bytes straight in the request line.
            raw_head = (method.encode() + b" " + path.encode() + b"/\xff\xfe\xc0\xaf HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        b"Connection: close\r\nContent-Length: " + str(len(body or b"")).encode() + b"\r\n\r\n")
        return name, method, path, headers, body, raw_head

    def real_path(self, pattern):
        """The route with ids that exist, so a request reaches its handler."""
        return "/".join(self.ids.get(seg[1:], ["1"])[0] if seg.startswith(":") else seg
                        for seg in pattern.split("/")) or "/"

    def systematic(self, index, name, method, pattern):
        """A known-nasty request for one route and identity: every route meets each of these."""
        client = self.clients[name]
        path = self.real_path(pattern)
        token_query = ("?csrf_token=" + client.token) if client.token else ""
        case = index % 4
        if case == 0:
            # Empty multipart boundary, token in the query so the request gets past the CSRF check.
            return name, method, path + token_query, {"Content-Type": "multipart/form-data; boundary="}, b"--\r\n\r\n--\r\n", None
        if case == 1 or case == 2:
            # Every field at one limit value (Int.min, Int.max, 1e309, NaN, -0, …).
            number = NUMBERS[(index // 4) % len(NUMBERS)]
            fields = [(field, number) for field in FIELDS if field and field != "csrf_token"] + [("csrf_token", client.token)]
            body = "&".join(f"{urllib.parse.quote(k)}={urllib.parse.quote(v)}" for k, v in fields).encode()
            if method == "GET":
                return name, method, path + "?" + body.decode(), {}, None, None
            if pattern in UPLOAD_ROUTES:
                boundary = "caseportfuzz"
                parts = b"".join(b"--" + boundary.encode() + b'\r\nContent-Disposition: form-data; name="' + k.encode() +
                                 b'"\r\n\r\n' + v.encode() + b"\r\n" for k, v in fields)
                return (name, method, path + token_query, {"Content-Type": f"multipart/form-data; boundary={boundary}"},
                        parts + b"--" + boundary.encode() + b"--\r\n", None)
            return name, method, path, {"Content-Type": "application/x-www-form-urlencoded"}, body, None
        # Invalid UTF-8 and percent garbage in every field.
        body = b"&".join(f.encode() + b"=%ff%fe%C0%AF\xff\xfe%zz" for f in FIELDS if f) + b"&csrf_token=" + client.token.encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else {}
        return name, method, path + token_query, headers, body if method == "POST" else None, None

    def describe(self, name, method, path, headers, body):
        shown_headers = {k: (v if len(v) < 200 else v[:200] + f"…({len(v)})") for k, v in headers.items()}
        shown_body = (body or b"")[:300]
        return f"{name}: {method} {path[:500]} headers={shown_headers} body={shown_body!r}{'…' if body and len(body) > 300 else ''}"

    def one(self, index, method, pattern, request=None):
        name, method, path, headers, body, raw_head = request or self.build(method, pattern)
        client = self.clients[name]
        try:
            status, _, _ = client.request(method, path, headers, body, raw_head=raw_head)
        except (ConnectionError, socket.timeout, http.client.HTTPException, OSError) as error:
            # Closing the connection on a request Vapor cannot parse (e.g. huge headers) is fine;
            # the server must still be alive and answering.
            if not alive(self.pid) or not self.healthy():
                self.fail(index, f"server died or stopped answering ({error!r})", name, method, path, headers, body)
                return False
            self.passed += 1
            return True
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.fail(index, f"answered {status}", name, method, path, headers, body)
        else:
            self.passed += 1
        if pattern in SESSION_ENDERS and name != "anonymous":
            client.cookies, client.token = {}, ""
            client.login()
        return True

    def healthy(self):
        for _ in range(20):
            try:
                status, _, _ = self.clients["anonymous"].request("GET", "/healthz", timeout=5)
                return status == 200
            except (ConnectionError, socket.timeout, OSError, http.client.HTTPException):
                time.sleep(0.25)
        return False

    def fail(self, index, what, name, method, path, headers, body):
        self.failed += 1
        print(f"FAILED #{index}: {what}\n  {self.describe(name, method, path, headers, body)}", flush=True)

    def run(self, count):
        # First every route, as each identity, meets the systematic cases; then random requests.
        plan = [(method, pattern, name, case) for case in range(4) for method, pattern in ROUTES
                for name in ("anonymous", "portal", "staff")]
        for index in range(count):
            if index < len(plan):
                method, pattern, name, case = plan[index]
                request = self.systematic(case + 4 * (index // len(ROUTES)), name, method, pattern)
            else:
                method, pattern = self.random.choice(ROUTES)
                request = None
            if not self.one(index, method, pattern, request):
                break
            if index % 250 == 249:
                # Fuzzed admin forms may have ended a session; sign in again so coverage stays.
                for client in self.clients.values():
                    if client.name != "anonymous":
                        status, _ = client.get("/cases" if client.name == "portal" else "/staff")
                        if status != 200:
                            client.cookies, client.token = {}, ""
                            client.login()
        if not alive(self.pid) or not self.healthy():
            self.failed += 1
            print("FAILED: the server is not alive at the end", flush=True)
        else:
            self.passed += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--routes", help="output of `caseport routes`, compared with the list in this script")
    args = parser.parse_args()
    problems = check_routes(args.routes) if args.routes else []
    for problem in problems:
        print("FAILED: " + problem)
    fuzzer = Fuzzer(args.port, args.pid, args.seed)
    fuzzer.setup()
    started = time.time()
    fuzzer.run(args.requests)
    failed = fuzzer.failed + len(problems)
    print(f"seed {args.seed}, {args.requests} requests in {time.time() - started:.0f} s; answers: "
          + ", ".join(f"{code}×{n}" for code, n in sorted(fuzzer.statuses.items())), flush=True)
    print(f"fuzz-http: {fuzzer.passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
