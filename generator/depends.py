"""Dependency tracking: what the last build wrote, and which of it can be kept.

Every page and feed gets a key: a hash of everything its template receives
(papers by the digest of their record file, views, pagination, titles …) and,
through the ledger's salt, of the code, the config and the theme files. When a
file's key is the one the last build recorded and the file is still in the
output exactly as that build left it (same size and mtime; or, when the mtime
did not survive, as after a fresh checkout with the cache restored, the same
size and content digest), the writer hard-links it instead of rendering it again. A one-record edit so re-renders
only what shows that record; and when no input changed at all and the output
is intact, the build stops before doing anything.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from generator.cache import Section, digest
from generator.model import Paper
from generator.tree import files, iter_tree
from generator.views import PaperView
from generator.writer import content_digest

Stats = dict[str, tuple[int, int]]  # output path -> (size, mtime_ns)
Manifest = dict[str, tuple[int, int, str]]  # output path -> (size, mtime_ns, content_digest)


def scan_output(folder: Path) -> Stats:
    """Every file under folder with its size and mtime (one scandir pass)."""
    found: Stats = {}
    for name, entry in iter_tree(folder):
        if not entry.is_dir(follow_symlinks=False):
            st = entry.stat(follow_symlinks=False)
            found[name] = (st.st_size, st.st_mtime_ns)
    return found


def tree_signature(folders: Iterable[Path], site: Path) -> str:
    """A hash of the files under folders and their bytes (not their mtimes: a fresh checkout
    gives every file a new one, and must not make every page again)."""
    h = hashlib.blake2b(digest_size=16)
    for folder in folders:
        h.update(f"\0{folder.relative_to(site) if folder.is_relative_to(site) else folder}\0".encode())
        if not folder.is_dir():
            continue
        for rel in files(folder):
            data = (folder / rel).read_bytes()
            h.update(f"{rel}\0{len(data)}\0".encode() + data)
    return h.hexdigest()


_PLAIN = frozenset({int, bool, float, type(None), date, datetime})


class Fingerprints:
    """Keys of template values; a paper stands for the digest of its record, not its text.

    Small dataclasses (links, pagination …) are hashed inline, field by field; values of
    the `shared` types (a period, a term: on many pages, each holding many papers) are
    hashed once per build and then stand for their hash.
    """

    def __init__(self, paper_digests: Mapping[str, str], shared: tuple[type, ...] = ()) -> None:
        self.papers = paper_digests
        self.views: dict[str, str] = {}
        self.shared_types = frozenset(shared)
        self.shared: dict[int, tuple[object, str]] = {}  # id -> (the frozen value, kept alive; its hash)
        self._dataclass: dict[type, bool] = {}

    def view(self, view: PaperView) -> str:
        key = view.paper.key
        found = self.views.get(key)
        if found is None:
            parts: list[str] = [self.papers[key]]
            for name, value in view.__dict__.items():
                if name not in ("paper", "title_html", "abstract_html"):  # those follow the record
                    parts.append(name)
                    self._walk(value, parts)
            found = self.views[key] = _hash(parts)
        return found

    def key(self, *values: Any) -> str:
        """The hash of any mix of plain values, containers, dataclasses, papers and views."""
        parts: list[str] = []
        for value in values:
            self._walk(value, parts)
        return _hash(parts)

    def _walk(self, value: Any, parts: list[str]) -> None:
        kind = type(value)
        if kind is str:
            parts.append(value)
        elif kind in _PLAIN:
            parts.append(repr(value))
        elif kind is PaperView:
            parts.append("V" + self.view(value))
        elif kind is Paper:
            parts.append("P" + self.papers[value.id.key])
        elif kind is list or kind is tuple:
            parts.append(f"[{len(value)}")
            views = self.views
            for item in value:
                kind = type(item)
                if kind is str:  # the most common items (strings, a list's cards): no call
                    parts.append(item)
                elif kind is PaperView:
                    parts.append("V" + (views.get(item.paper.id.key) or self.view(item)))
                else:
                    self._walk(item, parts)
        elif kind is dict:
            parts.append(f"{{{len(value)}")
            for name, item in value.items():
                self._walk(name, parts)
                self._walk(item, parts)
        elif kind is set or kind is frozenset:
            parts.append(f"{{{len(value)}")
            parts.extend(sorted(repr(item) for item in value))
        elif kind in self.shared_types:
            found = self.shared.get(id(value))
            if found is None:
                inner = [kind.__qualname__]
                for item in value.__dict__.values():
                    self._walk(item, inner)
                found = self.shared[id(value)] = (value, _hash(inner))
            parts.append(found[1])
        elif self._is_dataclass(kind):
            parts.append("(" + kind.__qualname__)
            for item in value.__dict__.values():
                if type(item) is str:  # the most common field: no call
                    parts.append(item)
                else:
                    self._walk(item, parts)
            parts.append(")")
        elif callable(value):
            # Site-wide helpers (asset(), card_html()): what they return depends only on
            # the config, the theme and the code, which are in the ledger's salt.
            parts.append("f" + getattr(value, "__qualname__", kind.__qualname__))
        else:
            parts.append(kind.__qualname__ + ":" + str(value))

    def _is_dataclass(self, kind: type) -> bool:
        found = self._dataclass.get(kind)
        if found is None:
            found = self._dataclass[kind] = dataclasses.is_dataclass(kind)
        return found


def _hash(parts: list[str]) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Ledger:
    """The last build's keys and output files; records this build's for the next one."""

    def __init__(self, folder: Path | None, salt: str, output_dir: Path, name: str, fresh: bool) -> None:
        """`name` is the output folder as configured (relative to the site, so a moved site keeps
        its ledger); one ledger per output folder: `serve` and `build` do not undo each other."""
        self.section = Section(folder, "output-" + digest(name.encode())[:12], name, fresh)
        self.stored = stored = self.section.load()
        self.salt = salt
        self.output_dir = output_dir
        same_site = stored.get("salt") == salt
        self.old_keys: dict[str, str] = stored.get("keys", {}) if same_site else {}
        self.old_files: Manifest = _manifest(stored.get("files"))
        self.old_inputs: str = stored.get("inputs", "") if same_site else ""
        self.old_report: dict[str, Any] = stored.get("report", {})
        # Folders of files made together by one tool run (search shards), keyed apart from the
        # salt: prefix -> [key, paths]. A template or config edit does not touch them.
        self.old_groups: dict[str, list[Any]] = stored.get("groups", {})
        self.groups: dict[str, list[Any]] = {}
        self.keys: dict[str, str] = {}
        self.kept: set[str] = set()
        self._current: Stats | None = None
        self._intact: dict[str, bool] = {}
        self.rehashed = 0  # files whose mtime had changed, found intact by their bytes

    def current(self) -> Stats:
        """The output folder as it is now (scanned once)."""
        if self._current is None:
            self._current = scan_output(self.output_dir) if self.old_files else {}
        return self._current

    def intact(self, path: str) -> bool:
        """The file is in the output as the last build wrote it: same size and mtime, or (the mtime
        lost, as after a fresh checkout and a tar round trip) same size and content digest."""
        found = self._intact.get(path)
        if found is None:
            old, now = self.old_files.get(path), self.current().get(path)
            found = old is not None and now is not None and now[0] == old[0] and (
                now[1] == old[1] or (bool(old[2]) and _digest_of(self.output_dir / path) == old[2]))
            if found and now is not None and old is not None and now[1] != old[1]:
                self.rehashed += 1
            self._intact[path] = found
        return found

    def unchanged(self, inputs: str) -> bool:
        """Nothing changed since the last build, and its output is still exactly there."""
        return (bool(self.old_inputs) and inputs == self.old_inputs and self.current().keys() == self.old_files.keys()
                and all(self.intact(path) for path in self.old_files))

    def keep(self, path: str, key: str) -> bool:
        """Record path's key; True when the previous output of path can be linked as it is."""
        self.keys[path] = key
        if self.old_keys.get(path) == key and self.intact(path):
            self.kept.add(path)
            return True
        return False

    def keep_group(self, prefix: str, key: str) -> list[str] | None:
        """The last build's files of a group (a folder made by one tool run) when the group's key
        is the same and every file is intact, recorded for the next build; else None."""
        old = self.old_groups.get(prefix)
        if old is None or old[0] != key or not old[1]:
            return None
        paths: list[str] = old[1]
        if not all(self.intact(path) for path in paths):
            return None
        self.made_group(prefix, key, paths)
        self.kept.update(paths)
        return paths

    def made_group(self, prefix: str, key: str, paths: list[str]) -> None:
        """Record the files of a group this build made, and their key."""
        self.groups[prefix] = [key, paths]
        for path in paths:
            self.keys[path] = key

    def manifest(self, paths: Iterable[str], changed: Collection[str], digests: Mapping[str, str]) -> Manifest:
        """The output as this build left it, without scanning it again: a file the writer linked
        from the previous output is that same file (its size and mtime as scanned); the others
        are looked at one by one. `digests`: the writer's, of every file it had the bytes of;
        a kept file keeps its old digest."""
        found: Manifest = {}
        current = self._current or {}
        root = str(self.output_dir)
        for path in paths:
            known = current.get(path) if path not in changed else None
            if known is None:
                try:
                    st = os.stat(f"{root}/{path}", follow_symlinks=False)
                except OSError:
                    continue
                known = (st.st_size, st.st_mtime_ns)
            old = self.old_files.get(path)
            file_digest = digests.get(path) or (old[2] if old is not None else "")
            if not file_digest:  # kept on the word of a ledger without digests
                file_digest = _digest_of(self.output_dir / path)
            found[path] = (known[0], known[1], file_digest)
        return found

    def save(self, inputs: str, report: dict[str, Any], files: Manifest) -> None:
        """Remember this build: its inputs, keys, and the output files as written."""
        self.section.save({"salt": self.salt, "inputs": inputs, "keys": self.keys, "groups": self.groups,
                           "files": _stored(files), "report": report})

    def restamp(self) -> None:
        """After a build that kept everything: the files found intact by their bytes are recorded
        with their mtimes now, so the next build checks them by stat again."""
        if not self.rehashed:
            return
        current = self.current()
        files = {path: (old[0], current[path][1], old[2]) if path in current else old
                 for path, old in self.old_files.items()}
        self.section.save(self.stored | {"files": _stored(files)})


def _digest_of(path: Path) -> str:
    try:
        return content_digest(path.read_bytes())
    except OSError:
        return ""


def _stored(files: Manifest) -> dict[str, list[Any]]:
    return {path: list(entry) for path, entry in files.items()}  # plain data: lists, not tuples


def _manifest(stored: Any) -> Manifest:
    """The stored output files; an older ledger's (size, mtime) entries have no digest."""
    if not isinstance(stored, dict):
        return {}
    try:
        return {str(path): (int(entry[0]), int(entry[1]), str(entry[2]) if len(entry) > 2 else "")
                for path, entry in stored.items()}
    except (TypeError, ValueError, IndexError):
        return {}
