"""Local preview: build with a local base URL, serve on 127.0.0.1, rebuild on change."""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WATCHED_SUFFIXES = {".yaml", ".yml", ".html", ".css", ".js", ".svg", ".png", ".jpg", ".xml", ".txt",
                    ".json", ".ico", ".webp"}


def snapshot(site_dir: Path, output_dir: Path) -> dict[str, float]:
    """mtime and size of every watched file under the site (the output folder excluded)."""
    state: dict[str, float] = {}
    skip = output_dir.resolve()
    for root, dirs, files in os.walk(site_dir):
        root_path = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (root_path / d).resolve() != skip)
        for name in files:
            path = root_path / name
            if path.suffix.lower() in WATCHED_SUFFIXES:
                try:
                    stat = path.stat()
                except OSError:
                    continue
                state[str(path)] = stat.st_mtime_ns + stat.st_size
    return state


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def make_server(output_dir: Path, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server for the output folder (it may be swapped under it: paths are re-resolved)."""
    handler = functools.partial(QuietHandler, directory=str(output_dir))
    return ThreadingHTTPServer((host, port), handler)


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
