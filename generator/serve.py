"""Local preview: build into a temporary folder, serve it, rebuild on change, reload the page.

The deployable site (public/) is never touched: `serve` builds with its own
local base URL into a temp folder. Live reload is added while serving, never
written to disk: every HTML response gets one `<script>` that polls
`/__paperfeed/status` and reloads the page when the build version changes, or
shows the build error over the page while the last good site stays served.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

WATCHED_SUFFIXES = {".yaml", ".yml", ".html", ".css", ".js", ".svg", ".png", ".jpg", ".xml", ".txt",
                    ".json", ".ico", ".webp"}
PREFIX = "/__paperfeed/"
POLL_MS = 500
LIVE_SCRIPT = f"""(function () {{
  "use strict";
  var known = null;
  function overlay(message) {{
    var box = document.getElementById("paperfeed-build-error");
    if (!message) {{ if (box) box.remove(); return; }}
    if (!box) {{
      box = document.createElement("div");
      box.id = "paperfeed-build-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,0,0,.92);color:#fff;font:14px/1.5 ui-monospace,monospace";
      document.body.appendChild(box);
    }}
    box.innerHTML = "";
    var title = document.createElement("h2");
    title.textContent = "paperfeed: the build failed (showing the last good site underneath)";
    title.style.cssText = "margin:0 0 1rem;font:bold 16px/1.4 system-ui,sans-serif;color:#ffb4b4";
    var text = document.createElement("pre");
    text.textContent = message;
    text.style.cssText = "margin:0;white-space:pre-wrap";
    box.appendChild(title);
    box.appendChild(text);
  }}
  function poll() {{
    fetch("{PREFIX}status", {{cache: "no-store"}}).then(function (r) {{ return r.json(); }})
      .then(function (s) {{
        if (known !== null && s.version !== known && !s.error) {{ location.reload(); return; }}
        known = s.version;
        overlay(s.error);
        setTimeout(poll, {POLL_MS});
      }}, function () {{ setTimeout(poll, {POLL_MS * 4}); }});
  }}
  poll();
}})();
"""
TAG = f'<script src="{PREFIX}live.js"></script>'.encode()
WAITING_PAGE = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>paperfeed preview"
                "</title></head><body><p>Waiting for a successful build…</p></body></html>")


@dataclass
class BuildState:
    """The latest build's version and error, shared by the watcher and the request handlers."""

    version: int = 0
    error: str = ""
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
            return json.dumps({"version": self.version, "error": self.error}).encode()


def inject_live_reload(page: bytes) -> bytes:
    """Add the live-reload script before </body> (or at the end of a page without one)."""
    ends = list(re.finditer(rb"</body\s*>", page, re.IGNORECASE))
    if not ends:
        return page + TAG
    at = ends[-1].start()
    return page[:at] + TAG + page[at:]


class PreviewHandler(SimpleHTTPRequestHandler):
    """Static files, plus the status endpoint and the reload script; HTML gets the script."""

    state: BuildState  # set on the subclass made by make_server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def end_headers(self) -> None:
        # A preview must never show a stale page from the browser's cache.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == PREFIX + "status":
            return self._send(HTTPStatus.OK, "application/json", self.state.as_json())
        if path == PREFIX + "live.js":
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_SCRIPT.encode())
        if not Path(self.directory).is_dir():
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8",
                              inject_live_reload(WAITING_PAGE.encode()))
        file = Path(self.translate_path(path))
        if file.is_dir():
            if not path.endswith("/"):
                return super().do_GET()  # the stdlib redirects to the slash form
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            return self._send(HTTPStatus.OK, "text/html; charset=utf-8", inject_live_reload(file.read_bytes()))
        not_found = Path(self.directory) / "404.html"
        if not file.exists() and not_found.is_file():
            return self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8",
                              inject_live_reload(not_found.read_bytes()))
        return super().do_GET()

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


def make_server(output_dir: Path, host: str, port: int, state: BuildState | None = None) -> ThreadingHTTPServer:
    """An HTTP server for the output folder (swapped under it by each build: paths are re-resolved)."""
    handler = type("Handler", (PreviewHandler,), {"state": state or BuildState()})

    def factory(*args: Any, **kwargs: Any) -> PreviewHandler:
        return handler(*args, directory=str(output_dir), **kwargs)

    server_class = _Server6 if ":" in host else _Server
    return server_class((host, port), factory)


def local_base_url(host: str, port: int) -> str:
    """The base URL the preview is built with (a wildcard address is shown as 127.0.0.1)."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def snapshot(site_dir: Path, output_dir: Path) -> dict[str, float]:
    """mtime and size of every watched file under the site (the output folder excluded)."""
    state: dict[str, float] = {}
    skip = output_dir.resolve()
    for root, dirs, files in os.walk(site_dir):
        root_path = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (root_path / d).resolve() != skip)
        for name in files:
            path = root_path / name
            if path.suffix.lower() in WATCHED_SUFFIXES and not name.startswith("."):
                try:
                    stat = path.stat()
                except OSError:
                    continue
                state[str(path)] = stat.st_mtime_ns + stat.st_size
    return state


def watch(site_dir: Path, output_dir: Path, rebuild: Callable[[], None],
          stop: threading.Event, interval: float = 0.5) -> None:
    """Poll the site for changes and call rebuild() after each change settles."""
    last = snapshot(site_dir, output_dir)
    while not stop.wait(interval):
        current = snapshot(site_dir, output_dir)
        if current != last:
            time.sleep(0.1)
            last = snapshot(site_dir, output_dir)
            rebuild()


def serve_site(site_dir: Path, host: str, port: int, echo: Callable[[str], None],
               echo_error: Callable[[str], None]) -> None:
    """Build into a temp folder, serve it with live reload, rebuild on change, until Ctrl+C."""
    from generator.build import build
    from generator.config import load_config
    from generator.errors import BuildError, ContentError

    folder = Path(tempfile.mkdtemp(prefix="paperfeed-serve-"))
    output = folder / "site"
    try:
        deploy_output = load_config(site_dir).output_path
    except ContentError:
        deploy_output = site_dir / "public"
    state = BuildState()
    server = make_server(output, host, port, state)
    base_url = local_base_url(host, server.server_address[1])
    overrides = {"base_url": base_url, "output_dir": str(output)}

    def rebuild() -> None:
        try:
            echo(build(site_dir, overrides).summary())
        except (ContentError, BuildError) as error:
            _report_failure(state, str(error), echo_error)
        except Exception as error:  # noqa: BLE001 - a bug in one build must not end the preview
            _report_failure(state, f"{type(error).__name__}: {error}", echo_error)
        else:
            state.succeeded()

    rebuild()
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(site_dir, deploy_output, rebuild, stop), daemon=True)
    watcher.start()
    echo(f"Serving {site_dir} at {base_url} with live reload (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        shutil.rmtree(folder, ignore_errors=True)


def _report_failure(state: BuildState, message: str, echo_error: Callable[[str], None]) -> None:
    state.failed(message)
    for line in message.splitlines():
        echo_error(line)
    echo_error("Build failed; still serving the last good site.")
