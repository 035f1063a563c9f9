"""Serving a built site over HTTP on the loopback interface, for browser tests.

``file://`` URLs behave differently from a web host (no directory index, no
``fetch()`` of JSON, other origin rules), so browser tests load the site from a
real, local HTTP server instead::

    with serve_dir(tmp_path / "public") as base_url:
        page.goto(base_url + "papers/2512.01234/")
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import urlsplit

# Types that Python's mimetypes may not know, as a static host sends them.
_EXTRA_TYPES = {
    ".opml": "text/x-opml",
    ".xml": "application/xml",
    ".xsl": "application/xslt+xml",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}


class _QuietHandler(SimpleHTTPRequestHandler):
    """A static file handler that logs nothing and can answer 404s with a page."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        **_EXTRA_TYPES,
    }
    not_found_page: str | None = None
    url_prefix: str = "/"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        # Like GitHub Pages: a missing file gets the site's own /404.html, still
        # with status 404.
        if code == HTTPStatus.NOT_FOUND and self.not_found_page:
            page = os.path.join(self.directory, self.not_found_page)
            if os.path.isfile(page):
                with open(page, "rb") as f:
                    body = f.read()
                self.send_response(code)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                return
        super().send_error(code, message, explain)

    def _outside_prefix(self) -> bool:
        path = urlsplit(self.path).path
        return not (path + "/").startswith(self.url_prefix)

    def send_head(self):
        # Nothing exists outside the URL prefix, as on a project's Pages site.
        if self._outside_prefix():
            self.send_error(HTTPStatus.NOT_FOUND, "Outside the served prefix")
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        if self.url_prefix != "/":
            path = "/" + path[len(self.url_prefix) :] if path.startswith(self.url_prefix) else "/"
        return super().translate_path(path)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A browser that drops a connection (a cancelled image load, a closed
        # page) is not an error of the site under test.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


@contextlib.contextmanager
def serve_dir(
    path: str | os.PathLike[str],
    *,
    prefix: str = "/",
    not_found_page: str | None = None,
) -> Iterator[str]:
    """Serve the folder ``path`` on 127.0.0.1 at a free port, in a background thread.

    Yields the base URL, with a trailing slash (``http://127.0.0.1:PORT/``), so
    ``base_url + "feed.xml"`` works. Directories are served by their
    ``index.html``, as on a static host.

    ``prefix="/papers/"`` serves the folder under that sub-path instead, as
    GitHub Pages serves a project site (``https://user.github.io/papers/``):
    the yielded base URL ends with it, and every URL outside it is a 404. Use
    it for a site built with a ``--base-url`` that has a sub-path.

    With ``not_found_page="404.html"`` a missing file is answered with that
    page (from the folder's root) and status 404, as GitHub Pages does.

    Nothing is logged. The server is shut down, and its port released, when
    the ``with`` block ends.
    """
    root = os.fspath(path)
    if not os.path.isdir(root):
        raise NotADirectoryError(f"serve_dir: not a directory: {root}")
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    # A subclass per server, so that two servers never share the settings.
    handler = functools.partial(
        type(
            "_Handler",
            (_QuietHandler,),
            {"not_found_page": not_found_page, "url_prefix": prefix},
        ),
        directory=root,
    )
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"serve_dir:{root}",
        daemon=True,
    )
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
