"""The ledger: what the last build wrote, with which keys, for the incremental layer.

Owned by generator/incremental.py (which alone decides keep-or-make and saves it). It
remembers, per output folder: the keys of every page, feed and search shard; the output
files as written (size, mtime, content digest); and what page planning needs to skip work
the next time: each paper's view digest (with the record digest it was made from) and each
term's link state (slug, name, whether it has a page), so a view is made again only for a
paper whose record or whose terms changed. A file whose key is the one recorded and that
is still in the output exactly as that build left it (same size and mtime; or, when the
mtime did not survive, as after a fresh checkout, same size and content digest) is kept.
It also remembers each output folder's mtime: a folder's mtime changes when an entry is
added to it or taken from it, so a build knows the output holds no file the last one did
not write by a stat of each folder, without listing 18,000 of them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from generator.cache import Section, digest
from generator.cachecodec import JSON
from generator.tree import iter_tree
from generator.writer import Tree, content_digest

Stats = dict[str, tuple[int, int]]  # output path -> (size, mtime_ns)
Manifest = dict[str, tuple[int, int, str]]  # output path -> (size, mtime_ns, content_digest)
Folders = dict[str, int]  # output folder ('' the output itself) -> mtime_ns


def scan_output(folder: Path) -> Stats:
    """Every file under folder with its size and mtime (one scandir pass)."""
    found: Stats = {}
    for name, entry in iter_tree(folder):
        if not entry.is_dir(follow_symlinks=False):
            st = entry.stat(follow_symlinks=False)
            found[name] = (st.st_size, st.st_mtime_ns)
    return found



class Ledger:
    """The last build's keys and output files; records this build's for the next one."""

    def __init__(self, folder: Path | None, salt: str, output_dir: Path, name: str, fresh: bool) -> None:
        """`name` is the output folder as configured (relative to the site, so a moved site keeps
        its ledger); one ledger per output folder: `serve` and `build` do not undo each other."""
        # Lazy: a build that stops early (nothing changed) decodes only the files and the report.
        self.section = Section(folder, "output-" + digest(name.encode())[:12], name, fresh, JSON, lazy=True)
        self.stored = stored = self.section.load()
        self.salt = salt
        self.output_dir = output_dir
        self.same_site = stored.get("salt") == salt
        self.old_files: Manifest = _manifest(stored.get("files"))
        self.old_inputs: str = stored.get("inputs", "") if self.same_site else ""
        self.old_report: dict[str, Any] = stored.get("report", {})
        self.old_folders: Folders = _folders_stored(stored.get("folders"))
        self.groups: dict[str, list[Any]] = {}
        self.keys: dict[str, str] = {}
        self.kept: set[str] = set()
        self._current: Stats | None = None
        self._tree: Tree | None = None  # the output's tree, as current() found it by stats
        self._listed = False  # current() listed the output (its folders were not as left)
        self._intact: dict[str, bool] = {}
        self.rehashed = 0  # files whose mtime had changed, found intact by their bytes

    @cached_property
    def old_keys(self) -> dict[str, str]:
        """output path -> the key it was made with (for this salt)."""
        found = self.stored.get("keys", {}) if self.same_site else {}
        return found if isinstance(found, dict) else {}

    @cached_property
    def old_groups(self) -> dict[str, list[Any]]:
        """Folders of files made together by one tool run (search shards), keyed apart from the
        salt, and page groups: prefix or name -> [key, paths]. A template or config edit does
        not touch a shard's."""
        found = self.stored.get("groups", {})
        return found if isinstance(found, dict) else {}

    @cached_property
    def old_views(self) -> dict[str, list[str]]:
        """What page planning needs (generator/incremental.py): paper key -> [record digest,
        view digest]. Follows the salt, as keys do."""
        return _pairs(self.stored.get("views")) if self.same_site else {}

    @cached_property
    def old_terms(self) -> dict[str, dict[str, str]]:
        """taxonomy -> term key -> its link state (slug, name, has a page), for this salt."""
        return _terms(self.stored.get("terms")) if self.same_site else {}

    def current(self) -> Stats:
        """The output folder as it is now (found once): when every folder is as the last build left
        it, no entry was added or taken anywhere, so a stat of each file it wrote stands for a
        listing of 18,000 folders; else the folder is listed."""
        if self._current is None:
            if not self.old_files:
                self._current = {}
            elif self._folders_as_left():
                self._current, files, others = _stats(self.output_dir, self.old_files)
                self._tree = files, others, set(self.old_folders) - {""}
            else:
                self._listed = True
                self._current = scan_output(self.output_dir)
        return self._current

    def output_tree(self) -> Tree | None:
        """The output's tree as the writer would scan it (sink.scan_tree: regular files and other
        entries by inode, folders), when current() could tell it from the stats it made: every
        folder as the last build left it, so the entries are the files it wrote. Else None."""
        self.current()
        return self._tree

    def _folders_as_left(self) -> bool:
        folders = self.old_folders
        return bool(folders) and -1 not in folders.values() and _folder_stats(self.output_dir, folders) == folders

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

    def known_digest(self, path: str) -> str | None:
        """The content digest of the last build's file at path when it is still intact, else None:
        what the writer compares a page with instead of reading the old file back."""
        old = self.old_files.get(path)
        return old[2] if old is not None and old[2] and self.intact(path) else None

    def unchanged(self, inputs: str) -> bool:
        """Nothing changed since the last build, and its output is still exactly there."""
        if not self.old_inputs or inputs != self.old_inputs:
            return False
        current, old = self.current(), self.old_files
        if current.keys() != old.keys():
            return False
        # The usual case, in one pass: every file's size and mtime as the last build left them.
        if all(current[path] == (entry[0], entry[1]) for path, entry in old.items()):
            return True
        return all(self.intact(path) for path in old)

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

    def keep_stale_group(self, prefix: str) -> list[str] | None:
        """The last build's files of a group whatever its key now, when they are intact, recorded
        with their old key (so the next build makes them again); else None."""
        old = self.old_groups.get(prefix)
        if old is None or not old[1] or not all(self.intact(path) for path in old[1]):
            return None
        paths: list[str] = old[1]
        self.made_group(prefix, old[0], paths)
        self.kept.update(paths)
        return paths

    def made_group(self, prefix: str, key: str, paths: list[str]) -> None:
        """Record the files of a group this build made, and their key."""
        self.groups[prefix] = [key, paths]
        for path in paths:
            self.keys[path] = key

    def keep_pages(self, name: str, key: str) -> list[str] | None:
        """The last build's pages of a page group when the group's key is the same and every page
        is intact (each keeps its own key, for its page alone next time); else None."""
        old = self.old_groups.get(name)
        if old is None or old[0] != key:
            return None
        paths: list[str] = old[1]
        if not all(path in self.old_keys and self.intact(path) for path in paths):
            return None
        self.groups[name] = old
        for path in paths:
            self.keys[path] = self.old_keys[path]
        self.kept.update(paths)
        return paths

    def made_pages(self, name: str, key: str, paths: list[str]) -> None:
        """Record a page group planned this build (its pages' keys are recorded one by one)."""
        self.groups[name] = [key, paths]

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

    def save(self, inputs: str, report: dict[str, Any], files: Manifest,
             views: Mapping[str, list[str]], terms: Mapping[str, Mapping[str, str]]) -> None:
        """Remember this build: its inputs, keys, the output files as written, and the papers'
        view digests and terms' link states page planning starts from next time."""
        self.section.save({"salt": self.salt, "inputs": inputs, "keys": self.keys, "groups": self.groups,
                           "files": _stored(files), "folders": _folder_stats(self.output_dir, _parents(files)),
                           "report": report, "views": dict(views),
                           "terms": {name: dict(states) for name, states in terms.items()}})

    def restamp(self) -> None:
        """After a build that kept everything: the files found intact by their bytes are recorded
        with their mtimes now, and the folders with theirs, so the next build checks them by stat
        alone again."""
        folders = _folder_stats(self.output_dir, _parents(self.old_files)) if self._listed else self.old_folders
        if not self.rehashed and folders == self.old_folders:
            return
        current = self.current()
        files = {path: (old[0], current[path][1], old[2]) if path in current else old
                 for path, old in self.old_files.items()}
        self.section.save(dict(self.stored) | {"files": _stored(files), "folders": folders})


def _digest_of(path: Path) -> str:
    try:
        return content_digest(path.read_bytes())
    except OSError:
        return ""


def _parents(files: Iterable[str]) -> Folders:
    """The folders that hold files (every one up to the output itself, ''), each as -1 (unknown)."""
    found: Folders = {"": -1}
    for path in files:
        folder, _, _ = path.rpartition("/")
        while folder not in found:
            found[folder] = -1
            folder, _, _ = folder.rpartition("/")
    return found


def _folder_stats(root: Path, folders: Iterable[str]) -> Folders:
    """Each folder's mtime now; -1 for one that is gone or is no longer a folder."""
    found: Folders = {}
    for folder in folders:
        st = _lstat(root, folder)
        found[folder] = st.st_mtime_ns if st is not None and stat.S_ISDIR(st.st_mode) else -1
    return found


def _stats(root: Path, paths: Iterable[str]) -> tuple[Stats, dict[str, int], dict[str, int]]:
    """Each path's size and mtime, as scan_output gives them (one that is gone is left out); and
    by inode, from the same stats, the regular files and the other entries (links …) among them."""
    found: Stats = {}
    files: dict[str, int] = {}
    others: dict[str, int] = {}
    for path in paths:
        st = _lstat(root, path)
        if st is not None and not stat.S_ISDIR(st.st_mode):
            found[path] = (st.st_size, st.st_mtime_ns)
            (files if stat.S_ISREG(st.st_mode) else others)[path] = st.st_ino
    return found, files, others


def _lstat(root: Path, path: str) -> os.stat_result | None:
    """The entry at path under root ('' root itself), links not followed; None when it is gone."""
    try:
        return os.stat(f"{root}/{path}" if path else root, follow_symlinks=False)
    except OSError:
        return None


def _folders_stored(stored: Any) -> Folders:
    """The stored folder mtimes; anything else: none (the output is then listed)."""
    if not isinstance(stored, dict):
        return {}
    try:
        return {str(folder): int(mtime) for folder, mtime in stored.items()}
    except (TypeError, ValueError):
        return {}


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


def _pairs(stored: Any) -> dict[str, list[str]]:
    """paper key -> [record digest, view digest]; anything else is dropped."""
    if not isinstance(stored, dict):
        return {}
    return {key: [str(value[0]), str(value[1])] for key, value in stored.items()
            if isinstance(key, str) and isinstance(value, list | tuple) and len(value) == 2}


def _terms(stored: Any) -> dict[str, dict[str, str]]:
    """taxonomy -> term key -> link state; anything else is dropped."""
    if not isinstance(stored, dict):
        return {}
    return {str(name): {str(key): str(state) for key, state in states.items()}
            for name, states in stored.items() if isinstance(states, dict)}
