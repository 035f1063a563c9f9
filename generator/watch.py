"""Watching a site for `serve`: the names of the source files that changed, after each burst.

watchdog's events where it is installed (one watch on the site folder, one recursive watch on
each source folder: never on the output or the cache's mirror), polling mtimes without it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from generator.tree import Entry, file_entries

WATCHED_SUFFIXES = {".yaml", ".yml", ".html", ".css", ".js", ".svg", ".png", ".jpg", ".xml", ".txt",
                    ".json", ".ico", ".webp"}


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
