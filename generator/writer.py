"""The only output I/O: build aside, then swap atomically; rewrite only changed files.

Files are written into a staging folder beside output_dir. A file whose bytes
are unchanged is hard-linked from the previous output (its mtime and inode
stay, so deploy tools and browsers see it unchanged). When everything is
written, staging and output_dir are exchanged in one atomic rename, so a
killed or failed build leaves the previous site untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
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


@dataclass(frozen=True)
class Staging:
    """The new site before it is swapped in, as a finalize step sees it (read-only).

    `previous` is the current output (None on a clean build); `changed` holds the
    paths whose bytes differ from it (new files included) and `removed` the paths
    it has that the new site will not.
    """

    root: Path
    previous: Path | None
    changed: frozenset[str]
    removed: frozenset[str]


#: A step that reads the staged site and returns more files for it (the search index).
Finalize = Callable[[Staging], Iterable[OutputFile]]


def check_output_path(path: str) -> str:
    """A path must stay inside the output folder: relative, no '..', no NUL, short components."""
    parts = path.split("/")
    if not path or path.startswith("/") or "\\" in path or "\x00" in path or any(
            part in ("", ".", "..") or len(part.encode("utf-8", "surrogatepass")) > MAX_COMPONENT_BYTES
            for part in parts):
        raise BuildError(f"refusing to write an unsafe output path: {path[:200]!r}")
    return path


@contextmanager
def site_lock(output_dir: Path) -> Iterator[None]:
    """One build per output folder at a time; a second one fails with a clear message."""
    lock_path = output_dir.parent / f".{output_dir.name}.lock"
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


def _write_one(staging: Path, previous: Path, item: OutputFile) -> bool:
    """Write one file into staging; return True when its bytes differ from the previous output."""
    target = staging / item.path
    old = previous / item.path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
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


def _same_bytes(old: Path, data: bytes) -> bool:
    try:
        return old.is_file() and not old.is_symlink() and old.stat().st_size == len(data) \
            and old.read_bytes() == data
    except OSError:
        return False


def _relative_files(folder: Path) -> set[str]:
    found = set()
    for root, _, names in os.walk(folder):
        base = Path(root).relative_to(folder)
        found.update((base / name).as_posix() for name in names)
    return found


def write_site(files: Iterable[OutputFile], output_dir: Path, reuse: bool = True,
               finalize: Finalize | None = None) -> WriteReport:
    """Write every file, then swap the new site in. Nothing outside output_dir is touched.

    With reuse=False (`build --clean`) every file is written afresh. `finalize`
    runs once the pages are staged and returns more files (written the same
    way), so a tool that reads the built site can add to it before the swap.
    """
    output_dir = output_dir.absolute()
    parent = output_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{output_dir.name}.staging"
    with site_lock(output_dir):
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        previous = output_dir if reuse else staging / ".none"
        old_files = _relative_files(output_dir) if output_dir.is_dir() else set()
        try:
            sink = _Sink(staging, previous)
            sink.write_all(files)
            if finalize is not None:
                view = Staging(staging, output_dir if reuse and output_dir.is_dir() else None,
                               frozenset(sink.changed), frozenset(old_files - sink.written))
                sink.write_all(finalize(view))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _swap_in(staging, output_dir)
        return WriteReport(len(sink.written), len(sink.changed), len(old_files - sink.written))


class _Sink:
    """Writes files into staging once each, remembering which ones changed."""

    def __init__(self, staging: Path, previous: Path) -> None:
        self.staging, self.previous = staging, previous
        self.seen: set[str] = set()
        self.written: set[str] = set()
        self.changed: set[str] = set()

    def write_all(self, files: Iterable[OutputFile]) -> None:
        for item in files:
            path = check_output_path(item.path)
            key = path.casefold()
            if key in self.seen:
                raise BuildError(f"two outputs want the same file: {path}")
            self.seen.add(key)
            self.written.add(path)
            if _write_one(self.staging, self.previous, item):
                self.changed.add(path)


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
