"""The persistent build cache in <site>/.paperfeed-cache/: safe to delete any time.

It holds what is slow to make again and cheap to check: parsed records keyed
by their file's bytes (a stat match skips even reading them), rendered title
and abstract HTML keyed by the text, and what the last build wrote (see
generator/depends.py). A missing, corrupted, foreign or stale file is simply
ignored, and the build does the work again: the cache can only make a build
faster, never change what it makes.

The cache is data, never code, and trusted no more than the records. It may
come from anyone who can commit to the site (`git add -f .paperfeed-cache`) or
from a CI cache another run saved, so:

- Data only. Each section is a text file, <name>.jsonl: a header line (format,
  section, entry count), then one line per entry, `mac <TAB> key <TAB> value`,
  the key and value JSON (generator/cachecodec.py: no pickle, and a decoder
  per section that checks every type and rejects anything it would not have
  written). Anything that does not decode or fit the schema: the whole section
  is ignored.
- Verified. `mac` is a keyed BLAKE2b of the line, keyed by the section's name
  and salt (the paperfeed code digest, plus what the section depends on). A
  flipped bit, a truncated file, a file of another version or section: that
  entry fails its check and is dropped (markup, records: recomputed), or the
  whole section is ignored (the files index, the ledger: all or nothing).
- Not a secret. The key is public (it is derived from the code), so it stops
  corruption and foreign files, not forgery: a key only this machine knows
  would stop every CI run from reusing a cache another run saved. Forgery is
  instead made pointless: a stored value is only ever used when it is one the
  records themselves could have produced. A parsed paper passes the record
  schema's own checks (ids, http(s) URLs, one-line text, dates, counts), is
  stored for the digest of its file's bytes and path, and must name that
  file: it is no more than a record in content/ could be. A markup entry is
  bound to its kind (title or abstract) by its key, and its HTML must be a
  fixed point of the same sanitiser every rendered text passes (sanitize(html)
  == html): a forged `<script>` is never published, the entry is rendered
  again. Sanitising the ~18,800 entries of a 10,000-paper site costs ~1.3 s
  of CPU in a ~50 s one-record edit build (the no-change build never loads
  markup). What remains, a forged entry showing other sanitised text for a
  paper, is what editing the record does anyway; CI should still not restore
  caches saved by untrusted branches.
- Never followed through a link. A `.paperfeed-cache` that is a symlink or not
  a folder is not used at all (said once on stderr); a section file is opened
  with O_NOFOLLOW and must be a regular file; a save replaces the file by
  rename, never writing through what was there.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Any

import generator
from generator import __version__
from generator.cachecodec import (
    INDEX,
    MARKUP,
    PLAIN,
    Codec,
    Parsed,
    Unencodable,
    decode_parsed,
    encode_parsed,
    key_kind,
    storable,
    trusted_markup,
)
from generator.content import read_bounded
from generator.tree import files

CACHE_DIR = ".paperfeed-cache"
FORMAT = 2
_PACKAGE = Path(generator.__file__).parent
_HEADER = '"paperfeed-cache"'
_MAX_SECTION = 1 << 30  # bytes: a section file larger than this is not read
_DECODE_ERRORS = (ValueError, TypeError, KeyError, IndexError, RecursionError, OverflowError)


def digest(data: bytes) -> str:
    """A short, stable content hash."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """paperfeed's version and source: an edited checkout invalidates caches like a new release."""
    h = hashlib.blake2b(f"{FORMAT}:{__version__}".encode(), digest_size=16)
    for rel in (rel for rel in files(_PACKAGE) if rel.endswith(".py")):
        h.update(rel.encode() + b"\0" + (_PACKAGE / rel).read_bytes())
    return h.hexdigest()


_warned: set[str] = set()


@lru_cache(maxsize=16)
def _committed(folder: Path) -> bool:
    """Whether git tracks a file in folder: a cache pushed in a commit (`git add -f`) is as
    anyone's who can push, and it may hold pages (the mirror) and their keys, so it is not used.
    The cache CI restores (actions/cache) is written by the builds of that branch only."""
    try:
        result = subprocess.run(["git", "ls-files", "-z", "--", folder.name], cwd=folder.parent,
                                capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False  # no git: nothing is committed
    return result.returncode == 0 and bool(result.stdout)


def usable_folder(folder: Path | None) -> Path | None:
    """folder when the cache may live there: a real folder, or none yet; None (said once) when it
    is a symlink or not a folder: the cache is then never read or written through it."""
    if folder is None:
        return None
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        return folder
    except OSError:
        return None
    if S_ISDIR(st.st_mode):
        if not _committed(folder):
            return folder
        if str(folder) not in _warned:
            _warned.add(str(folder))
            print(f"Warning: {folder} is committed to git: building without the cache (a committed cache "
                  "could stand for pages the records never made); remove it with "
                  f"`git rm -r --cached {folder.name}`", file=sys.stderr)
        return None
    if str(folder) not in _warned:
        _warned.add(str(folder))
        what = "a symlink" if os.path.islink(folder) else "not a folder"
        print(f"Warning: {folder} is {what}: building without the cache (it is not followed)", file=sys.stderr)
    return None


class Section:
    """One file of the cache: a dict of checked entries; load() gives {} for anything unusable.

    `codec` turns each value into JSON text and back (PLAIN: JSON values with tuples and dates
    kept); `partial` sections drop a damaged entry and keep the rest, the others are all or
    nothing.
    """

    def __init__(self, folder: Path | None, name: str, salt: str, fresh: bool = False,
                 codec: Codec = PLAIN, partial: bool = False) -> None:
        folder = usable_folder(folder)
        self.path = folder / f"{name}.jsonl" if folder is not None else None
        self.salt = f"{code_digest()}:{salt}"
        self.fresh = fresh  # ignore what is stored (build --clean), but save anew
        self.codec = codec
        self.partial = partial
        self.dropped = 0  # entries the last load() refused
        self._key = hashlib.blake2b(f"{FORMAT}\0{name}\0{self.salt}".encode("utf-8", "surrogatepass"),
                                    digest_size=32).digest()

    def _mac(self, line: bytes) -> bytes:
        return hashlib.blake2b(line, key=self._key, digest_size=16).hexdigest().encode()

    def load(self) -> dict[str, Any]:
        if self.path is None or self.fresh:
            return {}
        try:
            data = _read_regular(self.path)
        except OSError:  # missing, a link, a folder, unreadable
            return {}
        lines = data.split(b"\n")
        header = self._entry(lines[0])
        if header is None or header[0] != "paperfeed-cache" or type(header[1]) is not int:
            return {}
        found: dict[str, Any] = {}
        try:
            for line in lines[1:]:
                entry = self._entry(line)
                if entry is not None:
                    found[entry[0]] = self.codec.decode(entry[1])
        except _DECODE_ERRORS:  # checked, yet not what this code writes: all of it is suspect
            return {}
        self.dropped = header[1] - len(found)
        if self.dropped and not self.partial:
            return {}
        return found

    def _entry(self, line: bytes) -> tuple[str, Any] | None:
        """(key, value text) of a line whose mac is right, else None."""
        if len(line) < 36 or line[32:33] != b"\t" or self._mac(line[33:]) != line[:32]:
            return None
        try:
            key, text = line[33:].decode("ascii").split("\t", 1)
            key = json.loads(key)
            if type(key) is not str:
                return None
            if key == "paperfeed-cache":
                return key, json.loads(text)
        except _DECODE_ERRORS:
            return None
        return key, text

    def save(self, data: dict[str, Any]) -> None:
        """Write atomically; a cache that cannot be written (read-only site) is skipped."""
        if self.path is None:
            return
        lines = []
        for key, value in data.items():
            try:
                text = self.codec.encode(value)
            except Unencodable:
                if self.partial:
                    continue  # made again next build
                self._discard()
                return
            rest = f"{json.dumps(key)}\t{text}".encode("ascii")
            lines.append(self._mac(rest) + b"\t" + rest)
        rest = f'{_HEADER}\t{len(lines)}'.encode("ascii")
        lines.insert(0, self._mac(rest) + b"\t" + rest)
        try:
            _make_folder(self.path.parent)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(b"\n".join(lines))
                os.replace(tmp, self.path)  # replaces a link itself, never what it points to
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass

    def _discard(self) -> None:
        """What is stored is stale once this build's data cannot be saved: remove it (not through a link)."""
        try:
            if self.path is not None:
                self.path.unlink(missing_ok=True)
        except OSError:
            pass


def _read_regular(path: Path) -> bytes:
    """A regular file's bytes, never through a symlink; OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not S_ISREG(st.st_mode) or st.st_size > _MAX_SECTION:
            raise OSError(f"{path}: not a regular file of a sane size")
        return handle.read(_MAX_SECTION + 1)


def spare_folder(folder: Path, name: str, make: bool = True) -> Path | None:
    """Where the writer keeps a hard-link mirror of the live site between builds: the next
    build's staging tree, and the previous output when the output folder is missing (a fresh
    CI checkout with the cache restored). See writer.write_site and writer.restore_output.
    make=False: only to look at (a build that fails on its records leaves no cache folder).
    None when the cache folder is not to be used (a symlink: the site copy would land where it points)."""
    if usable_folder(folder) is None:
        return None
    if make:
        try:
            _make_folder(folder)
        except OSError:
            return None
    return folder / f"spare-{digest(name.encode())[:12]}"


def _make_folder(folder: Path) -> None:
    """The cache folder, ignoring itself in git (as .pytest_cache does): never committed by mistake."""
    if usable_folder(folder) is None:
        raise OSError(f"{folder}: not a usable cache folder")
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".gitignore").write_text("# made by paperfeed: a build cache, safe to delete\n*\n")




class RecordCache:
    """Parsed records by file: (size, mtime, inode) match -> reuse; else bytes hash match -> reuse.

    Two sections: a small index (file -> stat and digest) that tells whether
    anything changed without decoding a single paper, and the parsed records
    by digest, loaded only when a build needs the papers.
    """

    def __init__(self, folder: Path | None, context: object, fresh: bool = False) -> None:
        self.context = context
        self.index_section = Section(folder, "files", repr(context), fresh, INDEX)
        self.records_section = Section(folder, "records", repr(context), fresh,
                                       Codec(encode_parsed, lambda text: decode_parsed(text, context)),
                                       partial=True)
        self.old_index: dict[str, tuple[tuple[int, int, int], str]] = self.index_section.load().get("index", {})
        self.index: dict[str, tuple[tuple[int, int, int], str]] = {}
        self._records: dict[str, tuple[str, Parsed]] | None = None  # digest -> (shown path, parsed)
        self.used: dict[str, tuple[str, Parsed]] = {}
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
                                                      f"{target.st_size}:{target.st_mtime_ns}"
                                                      .encode("utf-8", "surrogateescape"))
                    continue
                stat = (st.st_size, st.st_mtime_ns, st.st_ino)
                old = self.old_index.get(shown)
                if old is not None and old[0] == stat:
                    file_digest = old[1]
                else:
                    data = self._data[shown] = read_bounded(path)  # a 10 GB file is not read whole
                    # (record_files gives printable names; surrogateescape: a raw one never crashes)
                    file_digest = digest(shown.encode("utf-8", "surrogateescape") + b"\0" + data)
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
        stored = self._records.get(file_digest)
        if stored is not None and stored[0] == shown:  # a cached paper stands only for its own file's bytes
            parsed = stored[1]
            self.used[file_digest] = stored
        else:
            parsed = parse(read_bounded(path) if data is None else data, shown)
            self.parsed += 1
            if storable(shown, parsed, self.context):
                self.used[file_digest] = (shown, parsed)
        for i, paper in enumerate(parsed[0]):
            self.paper_digests[paper.key] = f"{file_digest}:{i}"
        return parsed

    def save(self) -> None:
        if self.index != self.old_index:
            self.index_section.save({"index": self.index})
        if self._records is not None and (self.parsed or self.used.keys() != self._records.keys()
                                          or self.records_section.dropped):
            self.records_section.save(self.used)


class MarkupCache:
    """Rendered HTML by (kind, source text); only entries used by this build are kept.

    A stored entry is used only when its HTML is a fixed point of the sanitiser every rendered
    text passes (see the module docstring): a forged or damaged one is rendered again.
    """

    def __init__(self, folder: Path | None, fresh: bool = False) -> None:
        self.section = Section(folder, "markup", "", fresh, MARKUP, partial=True)
        self.old: dict[bytes, Any] = {}
        for key, value in self.section.load().items():
            try:
                found = bytes.fromhex(key)
            except ValueError:
                continue
            if len(found) == 17 and found[:1] == key_kind(value):
                self.old[found] = value
        self.new: dict[bytes, Any] = {}
        self.refused = 0

    @staticmethod
    def key(kind: str, text: str) -> bytes:
        """b't' (title) or b'a' (abstract) and a hash of the text: an entry's kind is in its key."""
        return (b"t" if kind == "title" else b"a") + hashlib.blake2b(
            f"{kind}\0{text}".encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def get(self, key: bytes) -> Any:
        found = self.old.get(key)
        if found is not None:
            if not trusted_markup(found):
                self.refused += 1
                del self.old[key]
                return None
            self.new[key] = found
        return found

    def put(self, key: bytes, html: Any) -> None:
        self.new[key] = html

    def save(self) -> None:
        if self.new.keys() != self.old.keys() or self.refused or self.section.dropped:
            self.section.save({key.hex(): value for key, value in self.new.items()})
