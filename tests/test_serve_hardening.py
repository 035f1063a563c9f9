"""`paperfeed serve` as an attacker or a careless client meets it: a foreign Host header, a
connection that sends nothing or drips its headers, HTTP/0.9, a burst of connections, HEAD.

The preview server runs in this process on 127.0.0.1 (a free port) with short timeouts; every
client is a raw socket or http.client on loopback, and every wait is bounded.
"""

from __future__ import annotations

import http.client
import select
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from generator.serve_http import BuildState, host_allowed, make_server
from tests.support.tools import require_tool

IDLE = 1.0
HEADERS = 1.0
WAIT = 10.0  # the longest any client here waits for anything: well past both timeouts


class Running:
    """A preview server on 127.0.0.1 serving `output` in a thread, stopped by close()."""

    def __init__(self, output: Path, serve: bool = True) -> None:
        self.server = make_server(output, "127.0.0.1", 0, BuildState(), idle_timeout=IDLE,
                                  header_timeout=HEADERS)
        self.port = self.server.server_address[1]
        self.thread: threading.Thread | None = None
        if serve:
            self.start()

    def start(self) -> None:
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        if self.thread is not None:
            self.server.shutdown()
            self.thread.join(WAIT)
        self.server.server_close()


def make_output(folder: Path) -> Path:
    (folder / "papers" / "x").mkdir(parents=True)
    (folder / "index.html").write_bytes(b"<!DOCTYPE html><html><body><p>home</p></body></html>")
    (folder / "papers" / "x" / "index.html").write_bytes(b"<!DOCTYPE html><html><body>x</body></html>")
    (folder / "404.html").write_bytes(b"<!DOCTYPE html><html><body>not here</body></html>")
    (folder / "style.css").write_bytes(b"body { color: black }\n")
    return folder


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    server = Running(make_output(tmp_path / "site"))
    try:
        yield server
    finally:
        server.close()


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=WAIT)


def exchange(port: int, request: bytes) -> bytes:
    """Send request, read until the server closes (at most WAIT seconds, 1 MB)."""
    with connect(port) as sock:
        sock.sendall(request)
        return read_all(sock)


def read_all(sock: socket.socket) -> bytes:
    data = b""
    deadline = time.monotonic() + WAIT
    while len(data) < 1 << 20 and time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def get(port: int, host: str, path: str = "/__paperfeed/status") -> bytes:
    return exchange(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


# --- Host header: DNS rebinding must not read the preview --------------------------------

def test_loopback_host_names_are_answered(running: Running) -> None:
    port = running.port
    for host in ["localhost", f"localhost:{port}", "LocalHost", "127.0.0.1", f"127.0.0.1:{port}",
                 "[::1]", f"[::1]:{port}"]:
        response = get(port, host)
        assert status_of(response) == 200, host
        assert response.endswith(b'{"version": 0, "error": "", "indexing": false, "rebuilding": false}'), host


def test_foreign_host_names_are_refused(running: Running) -> None:
    port = running.port
    for host in ["evil.example", f"evil.example:{port}", "localhost.evil.example", "127.0.0.1.nip.io",
                 f"localhost:{port}@evil.example", "[::1].evil.example", "", "localhost:x"]:
        for path in ["/__paperfeed/status", "/", "/__paperfeed/live.js"]:
            response = get(port, host, path)
            assert status_of(response) in (403, 421), (host, path, response[:80])
            assert b"version" not in response and b"home" not in response and b"poll" not in response
            assert b"localhost" in response  # a short message saying what is answered
    no_host = exchange(port, b"GET /__paperfeed/status HTTP/1.0\r\n\r\n")
    assert status_of(no_host) in (403, 421)
    two_hosts = exchange(port, b"GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n"
                               b"Connection: close\r\n\r\n")
    assert status_of(two_hosts) in (400, 403, 421)


def test_host_allowed_follows_the_listening_address() -> None:
    for listen in ["127.0.0.1", "::1", "localhost"]:
        assert host_allowed("localhost:8000", listen)
        assert host_allowed("[::1]", listen)
        assert not host_allowed("evil.example", listen)
        assert not host_allowed("192.168.1.5:8000", listen)  # only loopback by default
    # Listening for the network: other machines come by address (never a rebinding name) or by
    # the name given to --host.
    assert host_allowed("192.168.1.5:8000", "0.0.0.0")
    assert host_allowed("[fe80::1]:8000", "::")
    assert not host_allowed("evil.example:8000", "0.0.0.0")
    assert host_allowed("mybox.lan:8000", "mybox.lan")
    assert not host_allowed("evil.example", "mybox.lan")
    assert host_allowed("10.0.0.7", "10.0.0.7")
    assert not host_allowed(None, "127.0.0.1")


# --- timeouts: no connection holds a thread for long --------------------------------------

@pytest.mark.slow
def test_a_connection_that_sends_nothing_is_closed(running: Running) -> None:
    with connect(running.port) as sock:
        started = time.monotonic()
        assert sock.recv(100) == b""  # closed by the server (the client would wait WAIT seconds)
        assert time.monotonic() - started < WAIT


@pytest.mark.slow
def test_an_idle_keep_alive_connection_is_closed(running: Running) -> None:
    with connect(running.port) as sock:
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n")  # the connection is kept alive
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        assert sock.recv(100) == b""  # then closed once idle
        assert time.monotonic() - started < WAIT


@pytest.mark.slow
def test_headers_dripped_slowly_hit_a_deadline(running: Running) -> None:
    """A byte every 0.2 s never trips a per-read timeout; the request's own deadline ends it."""
    with connect(running.port) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        closed = False
        for _ in range(int(WAIT / 0.2)):
            try:
                sock.sendall(b"X")
            except OSError:  # reset by the server
                closed = True
                break
            time.sleep(0.2)
            sock.setblocking(False)
            try:
                if sock.recv(100) == b"":
                    closed = True
                    break
            except BlockingIOError:
                pass
            except OSError:
                closed = True
                break
            finally:
                sock.setblocking(True)
        assert closed, "the server kept a connection dripping its headers"


def test_http_0_9_gets_an_answer_at_once(running: Running) -> None:
    with connect(running.port) as sock:
        sock.sendall(b"GET /\r\n")
        sock.settimeout(HEADERS / 2)  # before the header deadline: an answer, not a timeout
        response = sock.recv(65536)
    assert response.startswith(b"HTTP/1.") and status_of(response) == 400, response
    assert b"HTTP/0.9" in response


# --- load: a burst of connections is queued, not dropped ---------------------------------

def test_listen_backlog_is_large() -> None:
    require_tool(shutil.which("ss") is not None, "ss", "apt-get install iproute2")
    server = Running(Path("/nonexistent"), serve=False)
    try:
        line = subprocess.run(["ss", "-ltnH", f"sport = :{server.port}"], capture_output=True, text=True,
                              timeout=WAIT, check=True).stdout.split()
        assert line[0] == "LISTEN" and int(line[2]) >= 128, line
    finally:
        server.close()


@pytest.mark.slow
def test_a_hundred_concurrent_connections_are_all_answered(tmp_path: Path) -> None:
    """All connect while the server is not yet accepting (they wait in the listen queue), then
    each gets its page once it serves."""
    server = Running(make_output(tmp_path / "site"), serve=False)
    sockets: list[socket.socket] = []
    try:
        for _ in range(100):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", server.port))
            sockets.append(sock)
        server.start()

        def ask(sock: socket.socket) -> bytes:
            _, writable, _ = select.select([], [sock], [], WAIT)
            assert writable and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
            sock.settimeout(WAIT)
            sock.sendall(b"GET /style.css HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            return read_all(sock)

        with ThreadPoolExecutor(max_workers=100) as pool:
            answers = list(pool.map(ask, sockets))
        assert all(answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"color: black }\n")
                   for answer in answers), [a[:40] for a in answers if not a.startswith(b"HTTP/1.1 200")]
    finally:
        for sock in sockets:
            sock.close()
        server.close()


# --- HEAD answers as GET does, without the body -------------------------------------------

ROUTES = ["/", "/papers/x/", "/papers/x", "/style.css", "/missing/page", "/__paperfeed/status",
          "/__paperfeed/live.js", "/papers/"]


def fetch(port: int, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        connection.request(method, path, headers={"Host": f"localhost:{port}"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def assert_head_matches_get(port: int, path: str) -> None:
    status, headers, body = fetch(port, "GET", path)
    head_status, head_headers, head_body = fetch(port, "HEAD", path)
    assert head_status == status, path
    assert head_body == b"", path
    assert headers["Content-Length"] == str(len(body)), path
    assert head_headers["Content-Length"] == str(len(body)), path
    assert head_headers.get("Content-Type") == headers.get("Content-Type"), path


def test_head_content_length_equals_get_body_length(running: Running) -> None:
    for path in ROUTES:
        assert_head_matches_get(running.port, path)


def test_head_matches_get_without_a_404_page_or_a_site(tmp_path: Path) -> None:
    output = make_output(tmp_path / "site")
    (output / "404.html").unlink()
    for folder in (output, tmp_path / "not-built-yet"):
        server = Running(folder)
        try:
            for path in ROUTES:
                assert_head_matches_get(server.port, path)
        finally:
            server.close()
