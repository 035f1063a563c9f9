"""Local preview: build into a temporary folder, serve it, rebuild on change, reload the page.

The watcher (watchdog's events; polling without it) hands each rebuild the site-relative
names of the files that changed. The page's reload script is generator/serve_reload.js.

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
from typing import TYPE_CHECKING, Any, Protocol

from generator.serve_http import BuildState, host_allowed, inject_live_reload, make_server
from generator.tree import Entry, file_entries

if TYPE_CHECKING:
    from generator.warm import WarmState

__all__ = ["BuildState", "Changes", "ServeError", "host_allowed", "inject_live_reload", "make_server", "serve_site",
           "site_path", "watch"]

WATCHED_SUFFIXES = {".yaml", ".yml", ".html", ".css", ".js", ".svg", ".png", ".jpg", ".xml", ".txt",
                    ".json", ".ico", ".webp"}


def local_base_url(host: str, port: int) -> str:
    """The base URL the preview is built with (a wildcard address is shown as 127.0.0.1)."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def site_path(site_dir: Path, output_dir: Path, path: str) -> str | None:
    """The site-relative name ('content/x.yaml') of a path whose change can change the site: a
    source file, or a folder moved in or out; None for the output, dot folders and other files."""
    try:
        rel = Path(path).resolve().relative_to(site_dir.resolve())
    except ValueError:
        return None
    if not rel.parts or any(part.startswith(".") for part in rel.parts):
        return None
    full = site_dir.resolve() / rel
    skip = output_dir.resolve()
    if full == skip or skip in full.parents:
        return None
    if rel.suffix and rel.suffix.lower() not in WATCHED_SUFFIXES:
        return None
    return rel.as_posix()


def watched(site_dir: Path, output_dir: Path, path: str) -> bool:
    """Whether a change to `path` can change the site (see site_path)."""
    return site_path(site_dir, output_dir, path) is not None


def snapshot(site_dir: Path, output_dir: Path) -> dict[str, int]:
    """mtime and size of every watched file under the site (the output folder excluded), by name."""
    skip = output_dir.resolve()

    def prune(name: str, entry: Entry) -> bool:
        return entry.name.startswith(".") or (entry.is_dir(follow_symlinks=False)
                                              and Path(entry.path).resolve() == skip)

    state: dict[str, int] = {}
    for name, entry in file_entries(site_dir, prune):
        if Path(name).suffix.lower() in WATCHED_SUFFIXES:
            try:
                stat = entry.stat()
            except OSError:
                continue
            state[name] = stat.st_mtime_ns + stat.st_size
    return state


class Stop(Protocol):
    def wait(self, timeout: float) -> bool: ...


#: What the watcher calls after each burst of changes: with the site-relative names that changed.
Rebuild = Callable[[frozenset[str]], None]
#: after the first change event, wait this long for more (an editor's save is several events)
SETTLE = 0.1


class Changes:
    """Names of changed paths, gathered from the observer's thread until the watcher takes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: set[str] = set()

    def add(self, name: str) -> None:
        with self._lock:
            self._names.add(name)

    def take(self) -> frozenset[str]:
        """The names gathered since the last take, and none left."""
        with self._lock:
            names, self._names = frozenset(self._names), set()
        return names


def watch(site_dir: Path, output_dir: Path, rebuild: Rebuild, stop: Stop) -> None:
    """Call rebuild(names changed) after each change to the site settles, until stop (a
    threading.Event, say) is set: on the file system's events with watchdog, else by polling."""
    observer = start_observer(site_dir, output_dir)
    if observer is None:  # a dependency, but an install without it still previews
        poll(site_dir, output_dir, rebuild, stop)
        return
    watch_events(observer, rebuild, stop)


class Observed(Protocol):
    changes: Changes

    def stop(self) -> None: ...
    def join(self, timeout: float) -> None: ...
    def is_alive(self) -> bool: ...


def start_observer(site_dir: Path, output_dir: Path) -> Observed | None:
    """A started watchdog observer whose `changes` gathers the name of each changed site path,
    or None without watchdog. Started before the server says it is ready: a stop signal that
    lands while watchdog starts its threads would leave them half made."""
    try:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer
    except ImportError:
        return None
    changes = Changes()

    class Handler(FileSystemEventHandler):
        observer: Any = None

        def dispatch(self, event: FileSystemEvent) -> None:
            # A folder's "modified" is its listing changing: the file's own event says which.
            if event.event_type in ("opened", "closed_no_write") or (
                    event.is_directory and event.event_type == "modified"):
                return
            for path in (event.src_path, getattr(event, "dest_path", "")):  # a move names both
                name = site_path(site_dir, output_dir, os.fsdecode(path)) if path else None
                if name is not None:
                    changes.add(name)
                    if event.is_directory and "/" not in name and event.event_type in ("created", "moved"):
                        self.observer.schedule(self, os.fsdecode(path), recursive=True)  # a new source folder

    observer: Any = Observer()
    observer.changes = changes
    handler = Handler()
    # The site folder itself without its subfolders, then each source folder with its own: one
    # recursive watch on the site would put an inotify watch on every folder of the output and of
    # the cache's mirror (tens of thousands at 10,000 papers), which overflows inotify's queue.
    observer.schedule(handler, str(site_dir), recursive=False)
    for folder in source_folders(site_dir, output_dir):
        observer.schedule(handler, str(folder), recursive=True)
    handler.observer = observer
    observer.start()
    return observer  # type: ignore[no-any-return]


def source_folders(site_dir: Path, output_dir: Path) -> list[Path]:
    """The site's top-level folders a change can come from: not dot folders (the cache, .git) and
    not the output folder."""
    found = []
    for entry in sorted(os.scandir(site_dir), key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False) and site_path(site_dir, output_dir, entry.path) is not None:
            found.append(Path(entry.path))
    return found


def watch_events(observer: Observed, rebuild: Rebuild, stop: Stop) -> None:
    """rebuild() with the names each burst of events gave, until stop is set; the observer ends."""
    try:
        while not stop.wait(SETTLE):
            names = observer.changes.take()
            if names:
                while more := _settled(observer.changes):  # until the burst is over
                    names |= more
                rebuild(names)
    finally:
        observer.stop()
        if observer.is_alive():
            observer.join(5)


def _settled(changes: Changes) -> frozenset[str]:
    time.sleep(SETTLE)
    return changes.take()


def poll(site_dir: Path, output_dir: Path, rebuild: Rebuild, stop: Stop, interval: float = 0.5) -> None:
    """watch() without watchdog: compare the tree's mtimes and sizes every `interval` seconds."""
    last = snapshot(site_dir, output_dir)
    while not stop.wait(interval):
        current = snapshot(site_dir, output_dir)
        if current != last:
            time.sleep(SETTLE)
            current = snapshot(site_dir, output_dir)
            names = frozenset(name for name in current.keys() | last.keys() if current.get(name) != last.get(name))
            last = current
            if names:  # not when the change was undone within SETTLE
                rebuild(names)


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
