"""The only output I/O: build aside, then swap in; rewrite only changed files.

Every build makes the whole new site in a staging folder beside output_dir and
swaps it in with one atomic rename (renameat2 RENAME_EXCHANGE), so a failed or
killed build (kill -9 included, at any moment) leaves the previous site served
intact. Files whose bytes are unchanged, and pages the dependency tracker did
not re-render (`OutputFile.kept`), are hard-linked from the previous output
rather than written: their mtime and inode stay, so deploy tools and browsers
see them unchanged, and a rebuild writes only what changed. Linking costs one
system call per file, the price of never showing a half-updated site.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.errors import BuildError
from generator.model import OutputFile

MAX_COMPONENT_BYTES = 255
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True)
class WriteReport:
    files: int
    changed: int
    removed: int




def check_output_path(path: str) -> str:
    """A path must stay inside the output folder: relative, no '..', no NUL, short components."""
    parts = path.split("/")
    if not path or path.startswith("/") or "\\" in path or "\x00" in path or any(
            part in ("", ".", "..") or len(part.encode("utf-8", "surrogatepass")) > MAX_COMPONENT_BYTES
            for part in parts):
        raise BuildError(f"refusing to write an unsafe output path: {path[:200]!r}")
    return path


def _lock_path(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.lock"


def check_replaceable(output_dir: Path) -> None:
    """Refuse to replace a folder that is not a built site: `--output ~/Documents` or
    `--output /tmp` would otherwise be swapped out and deleted whole.

    A folder is ours when it is empty, was written by paperfeed before (its lock file
    is beside it), or holds an index.html (a site built elsewhere, or committed to git).
    """
    if not output_dir.exists() or _lock_path(output_dir).exists():
        return
    if not output_dir.is_dir():
        raise BuildError(f"the output path {output_dir} is a file, not a folder")
    if (output_dir / "index.html").is_file() or next(output_dir.iterdir(), None) is None:
        return
    raise BuildError(f"the output folder {output_dir} is not empty and does not look like a built site "
                     "(no index.html); refusing to replace it: remove it or choose another output_dir")


@contextmanager
def site_lock(output_dir: Path) -> Iterator[None]:
    """One build per output folder at a time; a second one fails with a clear message."""
    lock_path = _lock_path(output_dir)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another paperfeed build is writing {output_dir}; "
                             "wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _write_one(staging: Path, previous: Path, item: OutputFile, made: set[Path] | None = None) -> bool:
    """Write one file into staging; return True when its bytes differ from the previous output.

    `made` remembers the folders already made (a mkdir per file is slow on a busy disk).
    """
    target = staging / item.path
    old = previous / item.path
    try:
        if made is None or target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            if made is not None:
                made.add(target.parent)
        if item.kept:
            _link_or_copy(old, target, item.path)
            return False
        if _same_bytes(old, item.data):
            try:
                os.link(old, target)
                return False
            except OSError:
                pass  # another file system, or no hard links: write a copy
        target.write_bytes(item.data)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        # "a" and "a/b" both wanted: as much a bug as one path written twice.
        raise BuildError(f"two outputs want one path as a file and as a folder: {item.path}") from None
    return True


def _link_or_copy(old: Path, target: Path, path: str) -> None:
    try:
        os.link(old, target)
        return
    except OSError:
        pass  # another file system, or no hard links
    try:
        shutil.copyfile(old, target)
    except OSError:  # the build saw it a moment ago: someone is editing the output folder
        raise BuildError(f"{path} disappeared from the output folder during the build; build again") from None


def _same_bytes(old: Path, data: bytes) -> bool:
    try:
        return old.is_file() and not old.is_symlink() and old.stat().st_size == len(data) \
            and old.read_bytes() == data
    except OSError:
        return False


def _relative_files(folder: Path) -> set[str]:
    found: set[str] = set()
    skip = len(str(folder)) + 1
    for root, _, names in os.walk(folder):
        base = root[skip:].replace(os.sep, "/")  # string slicing: a Path per folder is slow at 25,000
        found.update(f"{base}/{name}" if base else name for name in names)
    return found


def write_site(files: Iterable[OutputFile], output_dir: Path, reuse: bool = True) -> WriteReport:
    """Write every file, then swap the new site in. Nothing outside output_dir is touched.

    With reuse=False (`build --clean`) every file is written afresh.
    """
    output_dir = output_dir.absolute()
    parent = output_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{output_dir.name}.staging"
    check_replaceable(output_dir)
    with site_lock(output_dir):
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            report = _write_afresh(files, staging, output_dir, reuse)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return report


def _write_afresh(files: Iterable[OutputFile], staging: Path, output_dir: Path, reuse: bool) -> WriteReport:
    """Every file into staging (unchanged ones linked from the previous output), then one swap."""
    previous = output_dir if reuse else staging / ".none"
    old_files = _relative_files(output_dir) if output_dir.is_dir() else set()
    sink = _Sink(staging, previous)
    sink.write_all(files)
    _swap_in(staging, output_dir)
    return WriteReport(len(sink.written), len(sink.changed), len(old_files - sink.written))


class _Sink:
    """Writes files into `root` once each (unchanged ones hard-linked from `previous`),
    remembering which ones changed: safe paths, once each, never a file and a folder."""

    def __init__(self, root: Path, previous: Path) -> None:
        self.root, self.previous = root, previous
        self.written: set[str] = set()
        self.changed: set[str] = set()
        self.folded: set[str] = set()
        self.folders: set[str] = set()
        self.made: set[Path] = set()

    def write_all(self, files: Iterable[OutputFile]) -> None:
        for item in files:
            path = self.add(item.path)
            if _write_one(self.root, self.previous, item, self.made):
                self.changed.add(path)

    def add(self, raw: str) -> str:
        path = check_output_path(raw)
        key = path.casefold()
        if key in self.folded:
            raise BuildError(f"two outputs want the same file: {path}")
        parts = key.split("/")
        ancestors = ["/".join(parts[:i]) for i in range(1, len(parts))]
        if key in self.folders or any(a in self.folded for a in ancestors):
            raise BuildError(f"two outputs want one path as a file and as a folder: {path}")
        self.folded.add(key)
        self.folders.update(ancestors)
        self.written.add(path)
        return path


def _swap_in(staging: Path, output_dir: Path) -> None:
    if output_dir.exists() and not output_dir.is_symlink() and _exchange(staging, output_dir):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous site
        return
    old = output_dir.parent / f".{output_dir.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if output_dir.exists() or output_dir.is_symlink():
        os.rename(output_dir, old)
    os.rename(staging, output_dir)
    shutil.rmtree(old, ignore_errors=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a hidden temp file in the same folder and os.replace (never a half-written file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
