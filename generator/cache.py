"""The persistent build cache in <site>/.paperfeed-cache/: safe to delete any time.

It holds what is slow to make again and cheap to check: parsed records keyed
by their file's bytes (a stat match skips even reading them), rendered title
and abstract HTML keyed by the text, and what the last build wrote (see
generator/depends.py). Every section is one pickle, written atomically, and
carries a salt: the paperfeed code (its version and source), plus whatever
else the section depends on. A missing, corrupted, foreign or stale file is
simply ignored, and the build does the work again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG
from typing import Any

import generator
from generator import __version__
from generator.content import read_bounded
from generator.errors import Problem
from generator.model import Paper

CACHE_DIR = ".paperfeed-cache"
FORMAT = 1
_PACKAGE = Path(generator.__file__).parent


def digest(data: bytes) -> str:
    """A short, stable content hash."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """paperfeed's version and source: an edited checkout invalidates caches like a new release."""
    h = hashlib.blake2b(f"{FORMAT}:{__version__}".encode(), digest_size=16)
    for path in sorted(_PACKAGE.rglob("*.py")):
        h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


class Section:
    """One pickled dict of the cache; load() gives {} for anything unusable."""

    def __init__(self, folder: Path | None, name: str, salt: str, fresh: bool = False) -> None:
        self.path = folder / f"{name}.pickle" if folder is not None else None
        self.salt = f"{code_digest()}:{salt}"
        self.fresh = fresh  # ignore what is stored (build --clean), but save anew

    def load(self) -> dict[Any, Any]:
        if self.path is None or self.fresh:
            return {}
        try:
            with open(self.path, "rb") as handle:
                stored = pickle.load(handle)
        except Exception:  # missing, truncated, or from another version: start afresh
            return {}
        if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == self.salt
                and isinstance(stored[1], dict)):
            return {}
        return stored[1]

    def save(self, data: dict[Any, Any]) -> None:
        """Write atomically; a cache that cannot be written (read-only site) is skipped."""
        if self.path is None:
            return
        try:
            _make_folder(self.path.parent)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    pickle.dump((self.salt, data), handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass


def spare_folder(folder: Path, name: str, make: bool = True) -> Path:
    """Where the writer keeps a hard-link mirror of the live site between builds: the next
    build's staging tree, and the previous output when the output folder is missing (a fresh
    CI checkout with the cache restored). See writer.write_site and writer.restore_output.
    make=False: only to look at (a build that fails on its records leaves no cache folder)."""
    if make:
        _make_folder(folder)
    return folder / f"spare-{digest(name.encode())[:12]}"


def _make_folder(folder: Path) -> None:
    """The cache folder, ignoring itself in git (as .pytest_cache does): never committed by mistake."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".gitignore").write_text("# made by paperfeed: a build cache, safe to delete\n*\n")


Parsed = tuple[list[Paper], list[Problem]]


class RecordCache:
    """Parsed records by file: (size, mtime, inode) match -> reuse; else bytes hash match -> reuse.

    Two sections: a small index (file -> stat and digest) that tells whether
    anything changed without unpickling a single paper, and the parsed records
    by digest, loaded only when a build needs the papers.
    """

    def __init__(self, folder: Path | None, context: object, fresh: bool = False) -> None:
        self.index_section = Section(folder, "files", repr(context), fresh)
        self.records_section = Section(folder, "records", repr(context), fresh)
        self.old_index: dict[str, tuple[tuple[int, int, int], str]] = self.index_section.load()
        self.index: dict[str, tuple[tuple[int, int, int], str]] = {}
        self._records: dict[str, Parsed] | None = None
        self.used: dict[str, Parsed] = {}
        self.paper_digests: dict[str, str] = {}  # paper key -> digest of its file and position
        self.file_digests: dict[str, str] = {}  # shown path -> digest of its bytes
        self.parsed = 0
        self._data: dict[str, bytes] = {}  # bytes read while scanning, parsed next

    def scan(self, files: list[tuple[Path, str]]) -> None:
        """The digest of every file: read only those whose size, mtime or inode changed."""
        for path, shown in files:
            try:
                st = os.lstat(path)
                if not S_ISREG(st.st_mode):
                    # A link (or odd file) is never read here: load_papers checks where it points
                    # first. Its target's path, size and mtime stand for its bytes.
                    target = os.stat(path)
                    self.file_digests[shown] = digest(f"{shown}\0{os.path.realpath(path)}\0"
                                                      f"{target.st_size}:{target.st_mtime_ns}".encode())
                    continue
                stat = (st.st_size, st.st_mtime_ns, st.st_ino)
                old = self.old_index.get(shown)
                if old is not None and old[0] == stat:
                    file_digest = old[1]
                else:
                    data = self._data[shown] = read_bounded(path)  # a 10 GB file is not read whole
                    file_digest = digest(shown.encode() + b"\0" + data)
            except OSError:
                continue  # load_papers reports it
            self.index[shown] = (stat, file_digest)
            self.file_digests[shown] = file_digest

    def load(self, path: Path, shown: str, parse: Callable[[bytes, str], Parsed]) -> Parsed:
        """The papers and problems of one scanned file, parsed only when its bytes changed."""
        file_digest = self.file_digests.get(shown)
        data = self._data.pop(shown, None)
        if file_digest is None:  # not scanned (unreadable then): read it now, errors go to load_papers
            data = read_bounded(path)
            file_digest = self.file_digests[shown] = digest(shown.encode() + b"\0" + data)
        if self._records is None:
            self._records = self.records_section.load()
        parsed = self._records.get(file_digest)
        if parsed is None:
            parsed = parse(read_bounded(path) if data is None else data, shown)
            self.parsed += 1
        self.used[file_digest] = parsed
        for i, paper in enumerate(parsed[0]):
            self.paper_digests[paper.key] = f"{file_digest}:{i}"
        return parsed

    def save(self) -> None:
        if self.index != self.old_index:
            self.index_section.save(self.index)
        if self._records is not None and (self.parsed or self.used.keys() != self._records.keys()):
            self.records_section.save(self.used)


class MarkupCache:
    """Rendered HTML by (kind, source text); only entries used by this build are kept."""

    def __init__(self, folder: Path | None, fresh: bool = False) -> None:
        self.section = Section(folder, "markup", "", fresh)
        self.old: dict[bytes, Any] = self.section.load()
        self.new: dict[bytes, Any] = {}

    @staticmethod
    def key(kind: str, text: str) -> bytes:
        return hashlib.blake2b(f"{kind}\0{text}".encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def get(self, key: bytes) -> Any:
        found = self.old.get(key)
        if found is not None:
            self.new[key] = found
        return found

    def put(self, key: bytes, html: Any) -> None:
        self.new[key] = html

    def save(self) -> None:
        if self.new.keys() != self.old.keys():
            self.section.save(self.new)
