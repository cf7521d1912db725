#!/usr/bin/env python3
"""A real SMTP server for Caseport's tests and benchmark (aiosmtpd, loopback only).

Every accepted message is written to DIR as <n>.eml (written to a temporary name, then renamed, so a
reader never sees half a file), with the envelope recipients in an X-Envelope-To header line on top.

    test-smtp-server.py --dir DIR [--port 0] [--auth user:password] [--refuse address]

Prints "PORT <n>" on its first line once it is listening, then runs until killed.
"""
import argparse
import asyncio
import email
import email.header
import email.policy
import itertools
import json
import os
import socket
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Store:
    def __init__(self, directory, refuse, summaries=True):
        self.summaries = summaries
        self.directory = directory
        self.refuse = set(refuse)
        self.counter = itertools.count(1)

    def summarise(self, name, envelope):
        """Decodes the message with Python's own mail parser, independent of Caseport's code, into
        <n>.json: envelope, decoded headers, and the text and HTML parts."""
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        summary = {"envelope_to": envelope.rcpt_tos, "envelope_from": envelope.mail_from}
        for header in ("From", "To", "Subject", "Reply-To", "Message-ID", "Content-Language", "Date"):
            value = message.get(header)
            summary[header.lower().replace("-", "_")] = str(value) if value is not None else None
        summary["raw_subject"] = message.get("Subject").__class__.__name__ and \
            email.message_from_bytes(envelope.original_content).get("Subject")
        summary["content_type"] = message.get_content_type()
        for part in message.walk():
            if part.get_content_type() == "text/plain" and "text" not in summary:
                summary["text"] = part.get_content()
            elif part.get_content_type() == "text/html" and "html" not in summary:
                summary["html"] = part.get_content()
        tmp = os.path.join(self.directory, "." + name + ".json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False)
        os.rename(tmp, os.path.join(self.directory, name[:-4] + ".json"))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        name = f"{os.getpid()}-{n:07d}.eml"
        tmp = os.path.join(self.directory, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(("X-Envelope-To: " + ", ".join(envelope.rcpt_tos) + "\r\n").encode())
            f.write(("X-Envelope-From: " + (envelope.mail_from or "") + "\r\n").encode())
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.directory, name))
        if self.summaries:
            self.summarise(name, envelope)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--auth", default=None)
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--tls", choices=["starttls", "tls"], default=None, help="with --cert and --key")
    parser.add_argument("--cert", default=None)
    parser.add_argument("--key", default=None)
    parser.add_argument("--no-summaries", action="store_true", help="only the .eml files (benchmark)")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    port = args.port or free_port()
    kwargs = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                and auth_data.password.decode() == password
            return AuthResult(success=ok)

        kwargs = dict(authenticator=authenticator, auth_require_tls=False, auth_required=True)
    if args.tls:
        import ssl
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.tls == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            kwargs.update(ssl_context=context)
    controller = Controller(Store(args.dir, args.refuse, summaries=not args.no_summaries), hostname="127.0.0.1", port=port,
                            data_size_limit=50 * 1024 * 1024, **kwargs)
    controller.start()
    print(f"PORT {port}", flush=True)
    try:
        asyncio.new_event_loop().run_until_complete(asyncio.Event().wait())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
