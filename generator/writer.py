"""The only output I/O: build aside, then swap in; rewrite only changed files.

A first build (or `build --clean`) writes every file into a staging folder
beside output_dir, and swaps it in with one atomic rename. A rebuild writes
only the files whose bytes changed into the staging folder; once every file
is made (a failing template or a bad path stops the build here, with the
previous site untouched), files no longer produced are deleted and the staged
ones are renamed into place, each atomically. Unchanged files are never
touched (their mtime and inode stay, so deploy tools and browsers see them
unchanged), and a rebuild costs what changed, not the size of the site.
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
    """The new site's pages, before finalize adds to it, as a finalize step sees it (read-only).

    `root` holds the new site (on a rebuild, the output folder itself, updated in
    place); `previous` is where the previous output's files are (None on a clean
    build): on a rebuild, the files the pages no longer make are still there,
    save pages; `changed` holds the paths whose bytes differ from the previous
    output (new files included) and `removed` the paths it had that the new
    site has not (so far).
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
    check_replaceable(output_dir)
    with site_lock(output_dir):
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        in_place = reuse and output_dir.is_dir() and not output_dir.is_symlink()
        try:
            if in_place:
                report = _update(files, staging, output_dir, finalize)
            else:
                report = _write_afresh(files, staging, output_dir, reuse, finalize)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return report


def _write_afresh(files: Iterable[OutputFile], staging: Path, output_dir: Path, reuse: bool,
                  finalize: Finalize | None) -> WriteReport:
    """Every file into staging (unchanged ones linked from the previous output), then one swap."""
    previous = output_dir if reuse else staging / ".none"
    old_files = _relative_files(output_dir) if output_dir.is_dir() else set()
    sink = _Sink(staging, previous, stage_all=True)
    sink.write_all(files)
    if finalize is not None:
        view = Staging(staging, output_dir if reuse and output_dir.is_dir() else None,
                       frozenset(sink.changed), frozenset(old_files - sink.written))
        sink.write_all(finalize(view))
    _swap_in(staging, output_dir)
    return WriteReport(len(sink.written), len(sink.changed), len(old_files - sink.written))


def _update(files: Iterable[OutputFile], staging: Path, output_dir: Path,
            finalize: Finalize | None) -> WriteReport:
    """Stage the changed files only, then move them into place: a rebuild costs what changed.

    Pages no longer made leave before the finalize step reads the site; the other
    files no longer made (say, the last search index) stay until it has said what
    it makes. If anything fails after the first file moved, every move is undone.
    """
    sink = _Sink(staging / "new", output_dir, stage_all=False)
    sink.write_all(files)  # a failure here leaves the output untouched
    old_files = _relative_files(output_dir)
    gone_pages = {path for path in old_files - sink.written if path.endswith(".html")}
    journal = _Journal(output_dir, staging / "old")
    try:
        journal.apply(sink.root, sink.staged, gone_pages)
        if finalize is not None:
            view = Staging(output_dir, output_dir, frozenset(sink.changed), frozenset(old_files - sink.written))
            late = _Sink(staging / "late", output_dir, stage_all=False, shared=sink)
            late.write_all(finalize(view))
            journal.apply(late.root, late.staged, set())
        removed = old_files - sink.written
        journal.apply(staging / "new", [], removed - gone_pages)
    except BaseException:
        journal.undo()
        raise
    return WriteReport(len(sink.written), len(sink.changed), len(removed))


class _Journal:
    """Moves files into the output, keeping what they replace aside so that it can be undone."""

    def __init__(self, root: Path, aside: Path) -> None:
        self.root, self.aside = root, aside
        self.placed: list[tuple[str, bool]] = []  # (path, whether an old file was set aside)
        self.removed: list[str] = []
        self.folders: set[str] = set()

    def apply(self, staged_root: Path, staged: list[str], removed: set[str]) -> None:
        for path in sorted(removed):
            _move(self.root / path, self.aside / path)
            self.removed.append(path)
        for folder in sorted({p.rsplit("/", 1)[0] for p in removed if "/" in p}, key=len, reverse=True):
            _remove_empty_folders(self.root, folder)
        for path in staged:
            if "/" in path:
                _make_folders(self.root, path.rsplit("/", 1)[0], self.folders)
            target = self.root / path
            had = target.is_symlink() or target.is_file()
            if had:
                _move(target, self.aside / path)
            elif target.is_dir():
                shutil.rmtree(target)  # an empty folder left where a file now goes
            os.replace(staged_root / path, target)
            self.placed.append((path, had))

    def undo(self) -> None:
        """Put the previous output back as it was."""
        for path, had in reversed(self.placed):
            (self.root / path).unlink(missing_ok=True)
            if had:
                _move(self.aside / path, self.root / path)
        for path in self.removed:
            if "/" in path:
                _make_folders(self.root, path.rsplit("/", 1)[0], set())
            _move(self.aside / path, self.root / path)


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except FileNotFoundError:
        pass


class _Sink:
    """Writes files into `root` once each, remembering which ones changed.

    stage_all: every file lands in root (unchanged ones hard-linked from `previous`);
    otherwise only the files whose bytes differ from `previous` do. Sinks of one
    site share their path sets: safe paths, once each, never a file and a folder.
    """

    def __init__(self, root: Path, previous: Path, stage_all: bool, shared: _Sink | None = None) -> None:
        self.root, self.previous, self.stage_all = root, previous, stage_all
        self.written: set[str] = shared.written if shared else set()
        self.changed: set[str] = shared.changed if shared else set()
        self.folded: set[str] = shared.folded if shared else set()
        self.folders: set[str] = shared.folders if shared else set()
        self.staged: list[str] = []
        self.made: set[Path] = set()

    def write_all(self, files: Iterable[OutputFile]) -> None:
        for item in files:
            path = self.add(item.path)
            if not self.stage_all and (item.kept or _same_bytes(self.previous / path, item.data)):
                continue  # already in the output as it should be
            if _write_one(self.root, self.previous, item, self.made):
                self.changed.add(path)
            self.staged.append(path)

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


def _remove_empty_folders(root: Path, folder: str) -> None:
    parts = folder.split("/")
    for i in range(len(parts), 0, -1):
        try:
            os.rmdir(root.joinpath(*parts[:i]))
        except OSError:
            return  # not empty (or already gone): so are its parents


def _make_folders(root: Path, folder: str, ready: set[str]) -> None:
    """Real folders down to `folder`: a symlink or file in the way is replaced, never followed."""
    parts = folder.split("/")
    for i in range(1, len(parts) + 1):
        rel = "/".join(parts[:i])
        if rel in ready:
            continue
        path = root / rel
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()
        if not path.exists():
            path.mkdir()
        ready.add(rel)


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
