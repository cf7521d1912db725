"""A small HTTP/1.1 client for the load benchmark (scripts/bench_load.py): keep-alive connections shared by
every user, each user with its own cookies, urlencoded and multipart forms, Content-Length and chunked
answers. Why not aiohttp: on this 2-core machine the load generator shares the cores with the server, and
with aiohttp the driver spent 0.49 ms of CPU a request (its own utime+stime over a run of the mix, session
13); with this client 0.28 ms, 0.21 ms on uvloop's event loop — CPU left to the server.

Only what the benchmark needs: no redirects followed, no TLS, no proxies, one host.
"""
import asyncio
import os
from urllib.parse import urlencode, urlsplit


class Multipart:
    """A multipart/form-data body: fields and files in order, as a browser sends a form."""

    def __init__(self):
        self.boundary = "bench" + os.urandom(12).hex()
        self.parts = []

    def add_field(self, name, value, filename=None, content_type=None):
        head = f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"'
        if filename is not None:
            head += f'; filename="{filename}"\r\nContent-Type: {content_type or "application/octet-stream"}'
        data = value if isinstance(value, bytes) else str(value).encode()
        self.parts.append(head.encode() + b"\r\n\r\n" + data + b"\r\n")

    def encode(self):
        return b"".join(self.parts) + f"--{self.boundary}--\r\n".encode(), f"multipart/form-data; boundary={self.boundary}"


class Response:
    __slots__ = ("status", "headers", "cookies", "body")

    def __init__(self, status, headers, cookies, body):
        self.status = status
        self.headers = headers  # lower-cased names, the last value of each
        self.cookies = cookies  # (name, value) of each Set-Cookie
        self.body = body


class Closed(Exception):
    """The server closed a kept connection before answering (it may be retried on a new one)."""


class Connection:
    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.used = False

    async def exchange(self, head, body):
        self.writer.write(head + body if len(body) < 65536 else head)
        if len(body) >= 65536:
            self.writer.write(body)
        reused, self.used = self.used, True
        try:
            line = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            if reused and not error.partial:
                raise Closed() from error
            raise
        lines = line.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers, cookies = {}, []
        for header in lines[1:]:
            if not header:
                continue
            name, _, value = header.partition(":")
            name, value = name.strip().lower(), value.strip()
            headers[name] = value
            if name == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                cookies.append((key.strip(), val.strip()))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")  # no trailers are sent to us
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            payload = b"".join(chunks)
        elif "content-length" in headers:
            payload = await self.reader.readexactly(int(headers["content-length"]))
        else:
            payload = await self.reader.read()
            headers["connection"] = "close"
        return Response(status, headers, cookies, payload)

    def close(self):
        self.writer.close()


class Client:
    """Up to `limit` kept connections to one host, shared by every session."""

    def __init__(self, base_url, limit=64, timeout=60):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.host_header = parts.netloc
        self.idle = []
        self.open = 0
        self.limit = limit
        self.timeout = timeout
        self.freed = asyncio.Condition()

    async def _take(self):
        async with self.freed:
            while not self.idle and self.open >= self.limit:
                await self.freed.wait()
            if self.idle:
                return self.idle.pop()
            self.open += 1
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
        except BaseException:
            await self._give(None)
            raise
        return Connection(reader, writer)

    async def _give(self, connection):
        async with self.freed:
            if connection is None:
                self.open -= 1
            else:
                self.idle.append(connection)
            self.freed.notify()

    async def request(self, method, path, headers, body=b""):
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host_header}\r\nContent-Length: {len(body)}\r\n{headers}\r\n".encode()
        for attempt in (1, 2):
            connection = await self._take()
            try:
                async with asyncio.timeout(self.timeout):
                    response = await connection.exchange(head, body)
            except Closed:
                connection.close()
                await self._give(None)
                if attempt == 2:
                    raise
                continue
            except BaseException:
                connection.close()
                await self._give(None)
                raise
            if response.headers.get("connection", "").lower() == "close":
                connection.close()
                await self._give(None)
            else:
                await self._give(connection)
            return response

    async def close(self):
        for connection in self.idle:
            connection.close()
        self.idle = []


class Session:
    """One user's cookies and headers over the shared client (a browser's tab)."""

    def __init__(self, client, headers):
        self.client = client
        self.cookies = {}
        self.fixed = "".join(f"{name}: {value}\r\n" for name, value in headers.items())

    async def request(self, method, path, data=None):
        """Sends `data` (a dict or a list of pairs: urlencoded; a Multipart: multipart) and answers the
        Response, redirects not followed; keeps the cookies the server sets."""
        headers = self.fixed
        body = b""
        if isinstance(data, Multipart):
            body, content_type = data.encode()
            headers += f"Content-Type: {content_type}\r\n"
        elif data is not None:
            body = urlencode(data).encode()
            headers += "Content-Type: application/x-www-form-urlencoded\r\n"
        if self.cookies:
            headers += "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()) + "\r\n"
        response = await self.client.request(method, path, headers, body)
        for name, value in response.cookies:
            self.cookies[name] = value
        return response
