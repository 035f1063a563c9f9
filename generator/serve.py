"""Local preview: build into a temporary folder, serve it, rebuild on change, reload the page.

The watcher (generator/watch.py: watchdog's events, polling without it) hands each rebuild
the site-relative names of the files that changed. The page's reload script is generator/serve_reload.js.

The deployable site (public/) is never touched: `serve` builds with its own
local base URL into a temp folder, served by generator/serve_http.py (live
reload, loopback clients only). The temp folder goes whatever ends the
session: Ctrl+C, SIGTERM, SIGHUP, or a port already taken. What ties a build
to its output folder (the ledger, and the hard-link mirror that makes rebuilds
O(changes)) lives in that temp folder too, so no session leaves a site copy in
the site's .paperfeed-cache.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.serve_http import BuildState, host_allowed, inject_live_reload, make_server
from generator.watch import Stop, poll, start_observer, watch_events

if TYPE_CHECKING:
    from generator.warm import WarmState

__all__ = ["BuildState", "ServeError", "host_allowed", "inject_live_reload", "make_server", "serve_site"]


def local_base_url(host: str, port: int) -> str:
    """The base URL the preview is built with (a wildcard address is shown as 127.0.0.1)."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


class ServeError(Exception):
    """The preview cannot start: the port is taken, or not ours to use; said in one line."""


def serve_site(site_dir: Path, host: str, port: int, echo: Callable[[str], None],
               echo_error: Callable[[str], None]) -> None:
    """Build into a temp folder, serve it with live reload, rebuild on change, until Ctrl+C,
    SIGTERM or SIGHUP; the temp folder is removed whatever ends it. ServeError when it cannot listen."""
    from generator.config import load_config
    from generator.errors import ContentError

    with _ended_by_signals() as ending:
        try:
            deploy_output = load_config(site_dir).output_path
        except ContentError:
            deploy_output = site_dir / "public"
        try:
            folder = Path(tempfile.mkdtemp(prefix="paperfeed-serve-"))
        except OSError as error:
            raise ServeError(f"cannot make a temp folder for the preview: {error}") from None
        try:
            _serve(site_dir, folder, deploy_output, host, port, echo, echo_error, ending)
        except KeyboardInterrupt:
            pass
        finally:
            ending.cleaning = True  # a second signal must not cut the cleanup short
            shutil.rmtree(folder, ignore_errors=True)


def _serve(site_dir: Path, folder: Path, deploy_output: Path, host: str, port: int,
           echo: Callable[[str], None], echo_error: Callable[[str], None], stop: Stop) -> None:
    """Serve from a thread while this (main) thread builds and watches: a signal then stops a
    build at once, instead of waiting for it to finish before the folder can go."""
    from generator.build import build
    from generator.errors import BuildError, ContentError
    from generator.warm import WarmState

    output = folder / "site"
    state = BuildState()
    try:
        server = make_server(output, host, port, state)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} is in use; try --port {port + 1 if port < 65535 else 0}") from None
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    base_url = local_base_url(host, server.server_address[1])
    overrides = {"base_url": base_url, "output_dir": str(output)}

    built = False  # a good site is being served (a failed build keeps it)
    warm = WarmState()  # parsed records and markup, kept in memory from one rebuild to the next

    def rebuild(changed: frozenset[str] | None = None) -> None:
        """Build; `changed` names the site files that changed since the last build (None: the first)."""
        nonlocal built
        try:
            if built and changed:
                _quick_pages(warm, changed, output, state, echo)
            # The ledger and mirror of this output go in the temp folder (same file system, so
            # the mirror is hard links), and with it: never a site copy per session in the cache.
            # A changed search shard keeps its last index for the first build, so the page shows
            # at once; a second build then indexes it (the browser does not reload for that).
            report = build(site_dir, overrides, output_cache=folder, warm=warm, defer_search=built)
            echo(report.summary())
            if report.deferred:
                state.succeeded()
                state.indexing = True
                echo(build(site_dir, overrides, output_cache=folder, warm=warm).summary() + " (search index)")
        except (ContentError, BuildError) as error:
            _report_failure(state, str(error), echo_error, built)
        except Exception as error:  # noqa: BLE001 - a bug in one build must not end the preview
            _report_failure(state, f"{type(error).__name__}: {error}", echo_error, built)
        else:
            built = True
            if not report.deferred:
                state.succeeded()
        finally:
            state.indexing = state.rebuilding = False

    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    serving.start()
    observer = None
    try:
        observer = start_observer(site_dir, deploy_output)
        rebuild()
        echo(f"Serving {site_dir.resolve()} at {base_url} with live reload (Ctrl+C to stop)")
        echo(f"  open {base_url} in a browser; the preview is built into {output}, so "
             f"{_shown(deploy_output, site_dir)} is left as it is")
        if observer is None:
            poll(site_dir, deploy_output, rebuild, stop)
        else:
            watch_events(observer, rebuild, stop)
    finally:
        if observer is not None:
            observer.stop()
        server.shutdown()
        serving.join(5)
        server.server_close()
        warm.flush()  # the session's caches, for the next build


def _quick_pages(warm: WarmState, changed: frozenset[str], output: Path, state: BuildState,
                 echo: Callable[[str], None]) -> None:
    """Show the saved records' own pages before the whole rebuild (generator/preview.py): the
    browser reloads now, and again when the rebuild is done."""
    from generator.preview import quick_pages

    started = time.perf_counter()
    try:
        written = quick_pages(warm.basis, changed, output)
    except Exception:  # noqa: BLE001 - whatever it is, the whole build that follows reports it
        return
    if written:
        state.succeeded()
        state.rebuilding = True
        echo(f"Showing {', '.join(written)} ({time.perf_counter() - started:.2f} s); rebuilding the rest")


class _Ending:
    """What a stop signal does. In this process: note it, and interrupt the main thread as
    Ctrl+C does (each signal again: one may land where Python drops it, in a finalizer; the
    watch loop sees the note anyway), nothing once the cleanup has begun. In a forked build
    worker (the signal sent to the whole process group, or the pool ending it): end it quietly."""

    def __init__(self, previous: dict[int, Any]) -> None:
        self.pid = os.getpid()
        self.previous = previous
        self.requested = False
        self.cleaning = False

    def __call__(self, signum: int, frame: Any) -> None:
        if os.getpid() != self.pid:
            # A build worker (forked): leave, but by an exception, so that the locks it holds
            # on the pool's queues are released; dying outright with one held would leave the
            # pool unable to terminate. SystemExit ends a worker without a traceback.
            raise SystemExit(128 + signum)
        self.requested = True
        if not self.cleaning:
            raise KeyboardInterrupt

    def wait(self, timeout: float) -> bool:
        """For watch(): True once a stop was asked for."""
        deadline = time.monotonic() + timeout
        while not self.requested and time.monotonic() < deadline:
            time.sleep(min(0.05, timeout))
        return self.requested


@contextmanager
def _ended_by_signals() -> Iterator[_Ending]:
    """SIGTERM (kill, a service manager) and SIGHUP (the terminal closed) end the preview as
    Ctrl+C does, so that its temp folder is removed; the previous handlers come back after."""
    ending = _Ending({})
    if threading.current_thread() is not threading.main_thread():
        yield ending  # signals are only delivered to the main thread: nothing to install
        return
    for number in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if number is not None:
            ending.previous[number] = signal.signal(number, ending)
    try:
        yield ending
    finally:
        for number, handler in ending.previous.items():
            signal.signal(number, handler)


def _report_failure(state: BuildState, message: str, echo_error: Callable[[str], None], built: bool) -> None:
    state.failed(message)
    for line in message.splitlines():
        echo_error(line)
    if built:
        echo_error("Build failed; still serving the last good site.")
    else:
        echo_error("Build failed; there is no site to serve yet: fix the problem above and save, "
                   "the preview builds again (its pages show this error until then).")


def _shown(path: Path, site_dir: Path) -> str:
    try:
        return str(path.resolve().relative_to(site_dir.resolve())) + "/"
    except ValueError:
        return str(path)
