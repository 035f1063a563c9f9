"""One file of the build cache: a checked, MAC-lined JSON section (see generator/cache.py for
the format and why each property holds), and where the cache folder may live."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Collection, Generator, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Any

import generator
from generator import __version__
from generator.cachecodec import PLAIN, Codec, Unencodable
from generator.files import write_atomic
from generator.seal import hasher, machine_key, matches, remove_seal, stored_seal, write_seal
from generator.tree import files

CACHE_DIR = ".paperfeed-cache"
FORMAT = 2
_PACKAGE = Path(generator.__file__).parent
_HEADER = '"paperfeed-cache"'
_MAX_SECTION = 1 << 30  # bytes: a section file larger than this is not read
_MAX_GROWTH = 1.25  # a partial section is appended to while its lines are at most this many times its entries
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
                 codec: Codec = PLAIN, partial: bool = False, lazy: bool = False) -> None:
        """lazy: a sealed file's entries are decoded when first asked for (load() gives a
        Deferred), so a build that needs few of them (nothing changed) decodes only those."""
        folder = usable_folder(folder)
        self.path = folder / f"{name}.jsonl" if folder is not None else None
        self.salt = f"{code_digest()}:{salt}"
        self.fresh = fresh  # ignore what is stored (build --clean), but save anew
        self.codec = codec
        self.partial = partial
        self.lazy = lazy
        self.dropped = 0  # entries the last load() refused
        self.sealed = False  # the last load() read a file this user's build wrote: nothing was checked
        self._key_bytes: bytes | None = None  # this user's key (generator/seal.py), known at load()
        self._read_seal: bytes | None = None  # the keyed hash of the file as load() read it
        self._reader: Any = None  # that hash's state (a blake2b), to seal the file with lines appended
        self._read_as: tuple[int, int, int, int] | None = None  # (size, mtime, inode, lines) as load() read it
        self._key = hashlib.blake2b(f"{FORMAT}\0{name}\0{self.salt}".encode("utf-8", "surrogatepass"),
                                    digest_size=32).digest()
        # A seal stands for the lines' MACs, so it binds what they bind: format, section, salt (code).
        self._seal_name = f"{FORMAT}\0{name}\0{self.salt}"

    def _mac(self, line: bytes) -> bytes:
        return hashlib.blake2b(line, key=self._key, digest_size=16).hexdigest().encode()

    def load(self) -> Mapping[str, Any]:
        if self.path is None or self.fresh:
            return {}
        self._key_bytes = machine_key()
        if self._key_bytes is not None and self.codec.trusted is not None:
            found = self._load_sealed(self._key_bytes)
            if found is not None:
                return found
        return self._load_checked()

    def _load_sealed(self, key: bytes) -> Mapping[str, Any] | None:
        """What this user's build wrote (its seal is right: generator/seal.py), read without a
        check; None when the file is not so sealed (it is then checked)."""
        assert self.path is not None and self.codec.trusted is not None
        expected = stored_seal(self.path)
        if expected is None:  # no seal (a restored CI cache): checked, without a first pass
            return None
        seal = hasher(key, self._seal_name)
        seen: list[os.stat_result] = []
        lines = _read_lines(self.path, seal.update, seen.append)
        decode = self.codec.trusted
        found: dict[str, Any] = {}
        count = 1
        try:
            next(lines, b"")
            for line in lines:
                count += 1
                key_text, text = line[33:].decode("ascii").split("\t", 1)
                if key_text != _HEADER:  # not the head of lines appended (see save)
                    found[json.loads(key_text)] = text if self.lazy else decode(text)
        except (OSError, UnicodeDecodeError, *_DECODE_ERRORS):
            return None
        finally:
            lines.close()
        self._read_seal = seal.digest()
        if not matches(expected, self._read_seal):
            return None
        self.sealed = True
        self._remember(seal, seen, count)
        return Deferred(found, decode) if self.lazy else found

    def _load_checked(self) -> dict[str, Any]:
        assert self.path is not None
        seal = hasher(self._key_bytes, self._seal_name) if self._key_bytes is not None else None
        seen: list[os.stat_result] = []
        # Line by line: never the whole file (30 MB of markup at 10,000 papers) and its lines at once.
        lines = _read_lines(self.path, seal.update if seal is not None else None, seen.append)
        count = good = 1
        try:
            header = self._entry(next(lines, b""))
            if header is None or header[0] != "paperfeed-cache" or type(header[1]) is not int:
                return {}
            expected = header[1]
            found: dict[str, Any] = {}
            for line in lines:
                count += 1
                entry = self._entry(line)
                if entry is None:
                    continue
                good += 1
                if entry[0] == "paperfeed-cache":  # the head of lines appended (see save): their count
                    if type(entry[1]) is not int:
                        return {}
                    expected += entry[1] + 1
                else:
                    found[entry[0]] = self.codec.decode(entry[1])
        except OSError:  # missing, a link, a folder, unreadable
            return {}
        except _DECODE_ERRORS:  # checked, yet not what this code writes: all of it is suspect
            return {}
        finally:
            lines.close()
        self._read_seal = seal.digest() if seal is not None else None
        self.dropped = (count - good) + max(0, expected + 1 - count)  # lines refused, lines missing
        if self.dropped and not self.partial:
            return {}
        self._remember(seal, seen, count)
        return found

    def _remember(self, seal: Any, seen: list[os.stat_result], count: int) -> None:
        """The file as load() read it (its stat, its number of lines, its seal's state): what
        save() may append to."""
        if seen:
            st = seen[0]
            self._read_as = (st.st_size, st.st_mtime_ns, st.st_ino, count)
            self._reader = seal

    def reseal(self) -> None:
        """Seal the file as load() read it, when it was checked and every entry in it was found
        good (by this section and by its owner), so the next build need not check it again: a
        restored CI cache or a copied site is checked once, not on every build. No entry may have
        been refused: a sealed file is read without a check."""
        if self.path is not None and self._read_seal is not None and not self.sealed and not self.dropped:
            write_seal(self.path, self._read_seal)
            self.sealed = True

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

    def save(self, data: dict[str, Any], unchanged: Collection[str] = ()) -> None:
        """Write atomically; a cache that cannot be written (read-only site) is skipped.

        `unchanged` names entries whose value is the one stored (loaded, not made anew): their
        lines are copied from the file as it is, not encoded again (after a one-record edit,
        all but one of 10,000). A line that is not there, or fails its mac, is encoded.
        The others are encoded as they are written, never all held at once (490 MB of markup
        at 100,000 papers). The header counts every entry of data: one of a `partial` section
        that cannot be encoded is left out, and a checked load counts it as dropped.

        A `partial` section's file is appended to instead (see _append) while that is what load()
        read: a one-record edit writes a few lines, not the 76 MB of records and markup.
        """
        if self.path is None or self._append(data, unchanged):
            return
        copied = self._stored(data, unchanged) if unchanged else {}
        rest = f'{_HEADER}\t{len(data)}'.encode("ascii")
        secret = self._key_bytes if self._key_bytes is not None else machine_key()
        seal = hasher(secret, self._seal_name) if secret is not None else None
        try:
            _make_folder(self.path.parent)
            if seal is None:
                remove_seal(self.path)
            # Replaces a link itself, never what it points to; no fsync: a cache lost in a
            # crash is made again.
            chunks = itertools.chain([self._mac(rest) + b"\t" + rest], self._lines(data, copied))
            write_atomic(self.path, _fed(chunks, seal.update) if seal is not None else chunks, durable=False)
        except Unencodable:  # of a section that is all or nothing: what is stored is stale now
            self._discard()
            return
        except OSError:
            return
        if seal is not None:
            write_seal(self.path, seal.digest())

    def _append(self, data: dict[str, Any], unchanged: Collection[str]) -> bool:
        """Append the entries of data not in unchanged, under a head line counting them, to the
        file load() read; True when done. Only a `partial` section's, only when the file is as
        load() read it (size, mtime, inode; all its lines good), sealed then or not to be sealed
        (a checked file is sealed only by a rewrite, whose every line this build vouches for), and
        only while its lines stay under _MAX_GROWTH times data's entries: the entries data no
        longer holds stay in the file until a rewrite. A later line replaces an earlier one of
        the same key. A build killed while appending leaves a file its seal no longer matches:
        the next load checks every line and drops a torn one."""
        read_as = self._read_as
        if not self.partial or read_as is None or self.dropped or self.path is None:
            return False
        secret = self._key_bytes if self._key_bytes is not None else machine_key()
        if secret is not None and (not self.sealed or self._reader is None):
            return False
        keep = unchanged if isinstance(unchanged, set | frozenset | dict) else set(unchanged)
        new = [key for key in data if key not in keep]
        if read_as[3] + len(new) + 1 > _MAX_GROWTH * len(data) + 64:
            return False
        if not new:  # nothing to add: done, if the file is still the one load() read
            try:
                st = os.stat(self.path, follow_symlinks=False)
            except OSError:
                return False
            return S_ISREG(st.st_mode) and (st.st_size, st.st_mtime_ns, st.st_ino) == read_as[:3]
        lines = [self._line(key, data[key]) for key in new]
        found = [line for line in lines if line is not None]
        head = f"{_HEADER}\t{len(found)}".encode("ascii")
        block = b"".join([b"\n" + self._mac(head) + b"\t" + head, *found])
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return False
        try:
            st = os.fstat(fd)
            if not S_ISREG(st.st_mode) or (st.st_size, st.st_mtime_ns, st.st_ino) != read_as[:3]:
                return False
            view = memoryview(block)
            while view:
                view = view[os.write(fd, view):]
            st = os.fstat(fd)
        except OSError:
            return True  # what is there fails its seal or its macs: checked, and made again
        finally:
            os.close(fd)
        self._read_as = (st.st_size, st.st_mtime_ns, st.st_ino, read_as[3] + len(found) + 1)
        if secret is None:
            remove_seal(self.path)
        else:
            self._reader.update(block)
            self._read_seal = self._reader.digest()
            write_seal(self.path, self._read_seal)
        return True

    def _line(self, key: str, value: Any) -> bytes | None:
        """An entry's line with the newline before it; None for a value a partial section cannot encode."""
        try:
            text = self.codec.encode(value)
        except Unencodable:
            if self.partial:
                return None  # made again next build
            raise
        rest = f"{json.dumps(key)}\t{text}".encode("ascii")
        return b"\n" + self._mac(rest) + b"\t" + rest

    def _lines(self, data: dict[str, Any], copied: dict[str, bytes]) -> Iterator[bytes]:
        """Each entry's line (with the newline before it), copied or encoded as it is reached."""
        for key, value in data.items():
            line = copied.pop(key, None)
            if line is not None:
                yield b"\n" + line
            elif (made := self._line(key, value)) is not None:
                yield made

    def _stored(self, data: dict[str, Any], unchanged: Collection[str]) -> dict[str, bytes]:
        """The file's lines for the entries of data named in unchanged, by key. Their macs are
        not checked here (the next load checks every line): a damaged one is dropped then."""
        found: dict[str, bytes] = {}
        if self.path is None:
            return found
        wanted = {json.dumps(key).encode("ascii"): key for key in unchanged if key in data}
        seal = hasher(self._key_bytes, self._seal_name) if self._key_bytes is not None else None
        lines = _read_lines(self.path, seal.update if seal is not None else None)
        try:
            for line in itertools.islice(lines, 1, None):
                key = wanted.get(line[33:line.find(b"\t", 33)])
                if key is not None:
                    found[key] = line
        except OSError:
            return {}
        finally:
            lines.close()
        if seal is not None and seal.digest() != self._read_seal:
            return {}  # not the file load() read (and checked): nothing of it is sealed again
        return found

    def _discard(self) -> None:
        """What is stored is stale once this build's data cannot be saved: remove it (not through a link)."""
        try:
            if self.path is not None:
                self.path.unlink(missing_ok=True)
        except OSError:
            pass


class Deferred(Mapping[str, Any]):
    """A sealed section's entries, each decoded when first asked for. An entry that does not
    decode (it cannot be: its seal is this user's) is as good as missing."""

    def __init__(self, texts: dict[str, str], decode: Callable[[str], Any]) -> None:
        self._texts = texts
        self._decode = decode
        self._values: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self._values:
            return self._values[key]
        text = self._texts[key]
        try:
            value = self._values[key] = self._decode(text)
        except _DECODE_ERRORS:
            raise KeyError(key) from None
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


def _fed(chunks: Iterator[bytes], feed: Callable[[bytes], object]) -> Iterator[bytes]:
    for chunk in chunks:
        feed(chunk)
        yield chunk


def _read_lines(path: Path, feed: Callable[[bytes], object] | None = None,
                seen: Callable[[os.stat_result], object] | None = None) -> Generator[bytes, None, None]:
    """A regular file's lines (without their b"\\n"), never through a symlink, never more than
    _MAX_SECTION bytes; OSError (at the first line) otherwise. `feed` is given every block read,
    `seen` the file's stat."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not S_ISREG(st.st_mode) or st.st_size > _MAX_SECTION:
            raise OSError(f"{path}: not a regular file of a sane size")
        if seen is not None:
            seen(st)
        left, rest = _MAX_SECTION, b""
        while block := handle.read(1 << 20):  # 1 MB at a time: lines of any length, few calls
            left -= len(block)
            if left < 0:
                raise OSError(f"{path}: grew past a sane size")
            if feed is not None:
                feed(block)
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            yield from lines
        if rest:
            yield rest


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


def fragments_folder(folder: Path, name: str) -> Path | None:
    """Where the search shards' fragments stay between builds (generator/pagefind_run.py), for
    the output folder `name`; None when the cache folder is not to be used."""
    spare = spare_folder(folder, name)
    return None if spare is None else folder / f"fragments-{digest(name.encode())[:12]}"


def _make_folder(folder: Path) -> None:
    """The cache folder, ignoring itself in git (as .pytest_cache does): never committed by mistake."""
    if usable_folder(folder) is None:
        raise OSError(f"{folder}: not a usable cache folder")
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".gitignore").write_text("# made by paperfeed: a build cache, safe to delete\n*\n")
