"""The preview's HTTP side: the built site with live reload, to loopback clients only.

Live reload is added while serving, never written to disk: every HTML response
gets one `<script>` (generator/serve_reload.js) that polls `/__paperfeed/status`
and reloads the page when the build version changes, or shows the build error
over the page while the last good site stays served.

Hardened as a local tool: only requests naming a loopback host are answered (a
page elsewhere cannot read the preview by DNS rebinding), every connection is
bounded in time (idle between requests, and for its request line and headers;
HTTP/0.9 is refused at once), the listen queue takes a burst of connections, and
HEAD answers exactly as GET does, without the body.
"""

from __future__ import annotations

import io
import ipaddress
import json
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

PREFIX = "/__paperfeed/"
IDLE_TIMEOUT = 15.0  # seconds a connection may wait for its next request (keep-alive)
HEADER_TIMEOUT = 10.0  # seconds from a request's first byte to the end of its headers
SEND_TIMEOUT = 30.0  # seconds one write (or a body read) may block: a client that stopped reading
BACKLOG = 128
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
_HOST_HEADER = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?")
#: The page's side of live reload: a file shipped in the package (see its header).
LIVE_SCRIPT = resources.files("generator").joinpath("serve_reload.js").read_bytes()
TAG = f'<script src="{PREFIX}live.js"></script>'.encode()
WAITING_PAGE = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>paperfeed preview"
                "</title></head><body><p>Waiting for a successful build…</p></body></html>")
REFUSED = (b"Forbidden: this paperfeed preview answers only requests for localhost, 127.0.0.1 or [::1]"
           b" (a page on another host must not read it).\n")


@dataclass
class BuildState:
    """The latest build's version and error, shared by the watcher and the request handlers."""

    version: int = 0
    error: str = ""
    indexing: bool = False  # the pages are up to date; the search index is being brought up to them
    rebuilding: bool = False  # the saved records' own pages are shown; the rest of the site is being rebuilt
    lock: threading.Lock = field(default_factory=threading.Lock)

    def succeeded(self) -> None:
        with self.lock:
            self.version += 1
            self.error = ""

    def failed(self, message: str) -> None:
        with self.lock:
            self.version += 1
            self.error = message

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"version": self.version, "error": self.error, "indexing": self.indexing,
                               "rebuilding": self.rebuilding}).encode()


def inject_live_reload(page: bytes) -> bytes:
    """Add the live-reload script before </body> (or at the end of a page without one)."""
    ends = list(re.finditer(rb"</body\s*>", page, re.IGNORECASE))
    if not ends:
        return page + TAG
    at = ends[-1].start()
    return page[:at] + TAG + page[at:]


def host_allowed(header: str | None, listen_host: str) -> bool:
    """Whether a request's Host header names this preview. DNS rebinding gets a browser to send
    a page's own host name to 127.0.0.1, so only loopback names are answered (with any port: the
    preview may sit behind `ssh -L`). Listening for the network (--host), the name or address
    given is answered too, and on a wildcard address any IP address (never a rebinding name)."""
    match = _HOST_HEADER.fullmatch(header or "")
    if match is None:
        return False
    name = match[1].lower()
    listen = listen_host.lower()
    if name in LOOPBACK_NAMES:
        return True
    if listen in LOOPBACK_NAMES or listen == "::1":
        return False
    if listen in ("", "0.0.0.0", "::"):
        return _is_address(name)
    return name == (f"[{listen}]" if ":" in listen else listen)


def _is_address(name: str) -> bool:
    try:
        if name.startswith("["):
            ipaddress.IPv6Address(name[1:-1])
        else:
            ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


class _DeadlineReader(io.RawIOBase):
    """The connection as the request parser reads it, under two clocks: between requests it may
    stay idle `idle` seconds; once a request starts, its line and headers must all arrive within
    `headers` seconds (a byte every few seconds resets a per-read timeout, never this one).
    Reading a request's body, and writing, keep the socket's own timeout."""

    def __init__(self, sock: socket.socket, timeout: float | None) -> None:
        self.sock = sock
        self.timeout = timeout
        self.deadline: float | None = None
        self.headers = 0.0
        self.started = False

    def readable(self) -> bool:
        return True

    def await_request(self, idle: float, headers: float) -> None:
        self.deadline = time.monotonic() + idle
        self.headers = headers
        self.started = False

    def headers_read(self) -> None:
        self.deadline = None

    def readinto(self, buffer: Any) -> int:
        if self.deadline is None:
            return self.sock.recv_into(buffer)
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.sock.settimeout(left)
        try:
            count = self.sock.recv_into(buffer)
        finally:
            self.sock.settimeout(self.timeout)
        if count and not self.started:
            self.started = True
            self.deadline = time.monotonic() + self.headers
        return count


class PreviewHandler(SimpleHTTPRequestHandler):
    """Static files, plus the status endpoint and the reload script; HTML gets the script.
    Only requests for this preview's host names are answered (see host_allowed), and no client
    holds a connection (a thread) longer than the timeouts."""

    state: BuildState  # these four are set on the subclass made by make_server
    listen_host = "127.0.0.1"
    idle_timeout = IDLE_TIMEOUT
    header_timeout = HEADER_TIMEOUT
    protocol_version = "HTTP/1.1"  # keep-alive: a page's files and the status polls share connections
    timeout = SEND_TIMEOUT

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the stdlib's reader, replaced by one with deadlines
        self.reader = _DeadlineReader(self.connection, self.timeout)
        self.rfile = io.BufferedReader(self.reader)

    def handle_one_request(self) -> None:
        self.reader.await_request(self.idle_timeout, self.header_timeout)
        super().handle_one_request()

    def parse_request(self) -> bool:
        line: bytes = self.raw_requestline  # type: ignore[attr-defined]  # set by handle_one_request
        if len(line.split()) == 2:
            # HTTP/0.9 has no headers, hence no Host; the stdlib would still wait for some.
            self.command, self.request_version = "", "HTTP/1.0"
            self.requestline = ""
            self.close_connection = True
            self.send_error(HTTPStatus.BAD_REQUEST, "HTTP/0.9 requests are not supported")
            return False
        if not super().parse_request():
            return False
        self.reader.headers_read()
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or not host_allowed(hosts[0], self.listen_host):
            self.close_connection = True
            self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", REFUSED)
            return False
        return True

    def end_headers(self) -> None:
        # A preview must never show a stale page from the browser's cache.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_HEAD(self) -> None:
        self.do_GET()  # the same status and headers (Content-Length too); _send drops the body

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == PREFIX + "status":
            return self._send(HTTPStatus.OK, "application/json", self.state.as_json())
        if path == PREFIX + "live.js":
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_SCRIPT)
        if not Path(self.directory).is_dir():
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8",
                              inject_live_reload(WAITING_PAGE.encode()))
        file = Path(self.translate_path(path))
        if file.is_dir():
            if not path.endswith("/"):
                return self._plain()  # the stdlib redirects to the slash form
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            return self._send(HTTPStatus.OK, "text/html; charset=utf-8", inject_live_reload(file.read_bytes()))
        not_found = Path(self.directory) / "404.html"
        if not file.exists() and not_found.is_file():
            return self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8",
                              inject_live_reload(not_found.read_bytes()))
        return self._plain()

    def _plain(self) -> None:
        """The stdlib's answer: a file as it is, a redirect, a listing or an error."""
        if self.command == "HEAD":
            super().do_HEAD()
        else:
            super().do_GET()

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = BACKLOG  # the stdlib's 5 drops connections when a page asks for many files

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that goes away mid-answer is routine for a preview; anything else is a bug.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


def make_server(output_dir: Path, host: str, port: int, state: BuildState | None = None,
                idle_timeout: float = IDLE_TIMEOUT, header_timeout: float = HEADER_TIMEOUT) -> ThreadingHTTPServer:
    """An HTTP server for the output folder (swapped under it by each build: paths are re-resolved)."""
    handler: type[PreviewHandler] = type("Handler", (PreviewHandler,), {
        "state": state or BuildState(), "listen_host": host,
        "idle_timeout": idle_timeout, "header_timeout": header_timeout})

    def factory(*args: Any, **kwargs: Any) -> PreviewHandler:
        return handler(*args, directory=str(output_dir), **kwargs)

    server_class = _Server6 if ":" in host else _Server
    return server_class((host, port), factory)
