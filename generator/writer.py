"""The only output I/O: build aside, then swap in; rewrite only changed files.

Every build makes the whole new site in a staging folder beside output_dir and
swaps it in with one atomic rename (renameat2 RENAME_EXCHANGE), so a failed or
killed build (kill -9 included, at any moment) leaves the previous site served
intact. Files whose bytes are unchanged, and pages the dependency tracker did
not re-render (`OutputFile.kept`), are hard-linked from the previous output
rather than written: their mtime and inode stay, so deploy tools and browsers
see them unchanged, and a rebuild writes only what changed. After the swap the
staging folder holds the previous site; given a `spare` place (the build cache)
it is kept there, brought up to date with the new site (the files written anew
linked in, the removed ones deleted: O(changes)), and becomes the next build's
staging folder, where a file already linked to the live one costs nothing.
So the cache holds a hard-link mirror of the live site (no extra disk), and a
fresh checkout with the cache restored but no output folder (CI) gets the last
site back from it (`restore_output`) instead of building from nothing.

What is guaranteed where:
- Linux on a local file system (ext4, xfs, btrfs, tmpfs …: renameat2 with
  RENAME_EXCHANGE): the swap is one atomic step. A reader always finds a whole
  site, the previous or the new one, and so does the next build after a kill.
- Elsewhere (macOS, NFS, some FUSE file systems) the swap is two renames: the
  output folder is moved to `.<name>.old` beside it, then the new one takes its
  place. For that moment readers find no output folder; a build killed just
  there leaves the previous site whole in `.<name>.old`, and the next build puts
  it back before anything else (`recover_output`). No file is lost and no
  half-written site is ever in place.
- An output folder that is a symlink is followed: the site is staged and swapped
  beside the folder it points to, and the link is kept (one pointing nowhere is
  refused). The lock file, the staging and `.old` folders live beside that folder.
- Any failure before the swap (a full or read-only disk, no permission, a dead
  worker, a template that raises) leaves the previous site as it was.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import BuildError
from generator.files import remove, write_atomic
from generator.libc import libc
from generator.model import OutputFile, content_digest
from generator.sink import Known, Sink, check_output_path, scan_tree
from generator.tree import iter_tree

__all__ = ["WriteReport", "check_output_path", "content_digest", "describe", "iter_tree", "recover_output",
           "restore_output", "site_lock", "write_atomic", "write_site"]

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True)
class WriteReport:
    files: int
    changed: int
    removed: int
    paths: frozenset[str] = field(default=frozenset(), compare=False)  # every file of the new site
    changed_paths: frozenset[str] = field(default=frozenset(), compare=False)  # the rest: linked, as they were
    digests: dict[str, str] = field(default_factory=dict, compare=False)  # content_digest of each file made


def _lock_path(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.lock"


def _old_path(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.old"


def resolve_output(output_dir: Path) -> Path:
    """The folder a build replaces: output_dir (absolute), or, when it is a symlink, the
    folder it points to (so the link stays and the deploy serves the new site through it)."""
    output_dir = output_dir.absolute()
    return Path(os.path.realpath(output_dir)) if output_dir.is_symlink() else output_dir


def check_replaceable(output_dir: Path) -> None:
    """Refuse to replace a folder that is not a built site: `--output ~/Documents` or
    `--output /tmp` would otherwise be swapped out and deleted whole.

    A folder is ours when it is empty or holds an index.html (every site paperfeed builds
    has one; so has a site built elsewhere, or committed to git). Nothing else counts, not
    even a lock file beside it: a stale one says nothing about what the path holds now.
    """
    if not output_dir.exists() and not output_dir.is_symlink():
        return
    if not _is_folder(output_dir):
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
    found = libc()
    renameat2 = getattr(found, "renameat2", None) if found is not None else None
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return int(result) == 0


def write_site(files: Iterable[OutputFile], output_dir: Path, reuse: bool = True,
               spare: Path | None = None, known: Known | None = None, previous: Tree | None = None) -> WriteReport:
    """Write every file, then swap the new site in. Nothing outside output_dir is touched
    (but its lock file, the staging folder beside it and `spare`).

    With reuse=False (`build --clean`) every file is written afresh.
    `spare` (a folder on the same file system, e.g. in the build cache) keeps, after the
    swap, a hard-link mirror of the new site: the previous site's tree brought up to date.
    The next build stages into it, so it only replaces the files that changed instead of
    linking every file into new folders (and no tree is deleted file by file); and a missing
    output folder is restored from it (`restore_output`). Without it the old tree is removed.
    A recycled tree is only a place to write: every file in it is checked or replaced.
    `known(path)` may give the content digest of the previous output's file (the ledger's, when
    the file is intact): a new file is then compared with it rather than with the file's bytes.
    `previous`: the output's tree (see scan_tree) when the caller knows it (the ledger's stats
    made it), so it is not scanned again.
    """
    link, output_dir = output_dir.absolute(), resolve_output(output_dir)
    try:
        if link == output_dir:
            output_dir.parent.mkdir(parents=True, exist_ok=True)
        with site_lock(output_dir):
            _recover(output_dir)
            if link != output_dir and not output_dir.is_dir():
                raise BuildError(f"the output folder {link} is a symlink to {output_dir}, which is not a "
                                 "folder: create it, or remove the link")
            check_replaceable(output_dir)
            return _write_locked(files, output_dir, reuse, spare, known, previous)
    except OSError as error:
        # Only what happens before the swap can fail (after it, nothing raises): the
        # previous site is as it was.
        raise BuildError(f"cannot write the site into {link}: {describe(error)}; the previous site is "
                         "untouched") from None


def describe(error: OSError) -> str:
    """An OSError as a reader wants it: `No space left on device (/site/public/x.html)`."""
    message = error.strerror or str(error)
    return f"{message} ({error.filename})" if error.filename else message


def _write_locked(files: Iterable[OutputFile], output_dir: Path, reuse: bool, spare: Path | None,
                  known: Known | None, previous: Tree | None = None) -> WriteReport:
    staging = output_dir.parent / f".{output_dir.name}.staging"
    _prepare_staging(staging, spare)
    try:
        report, old_tree, sink = _write_afresh(files, staging, output_dir, reuse, known, previous)
    except BaseException:
        _put_aside(staging, spare)
        raise
    exact = _put_aside(staging, spare)  # the previous site's very tree, if there was one
    if spare is not None:
        _mirror(output_dir, spare, old_tree if exact else None, sink)
    return report


def recover_output(output_dir: Path) -> None:
    """Put back the previous site a build killed in the middle of a two-rename swap left
    aside (see "What is guaranteed where" above). A build running now (the lock is taken)
    may be between its renames: it is left alone. Nothing to do, or no way to: nothing done."""
    output_dir = resolve_output(output_dir)
    if not _is_folder(_old_path(output_dir)):
        return
    try:
        with site_lock(output_dir):
            _recover(output_dir)
    except (BuildError, OSError):
        pass  # another build has the lock, or the disk is read-only: write_site says so


def _recover(output_dir: Path) -> None:
    """Under the lock: no output folder but the previous site in .old: that goes back.
    Both there (killed after the second rename): .old is a stale copy, removed."""
    old = _old_path(output_dir)
    if not _is_folder(old):
        return
    if output_dir.exists() or output_dir.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(old, output_dir)


def restore_output(output_dir: Path, spare: Path) -> bool:
    """No output folder, but the cache's mirror of the last site (a fresh checkout with the
    cache restored, as in CI): link the mirror in as the previous output, so the build keeps
    what is unchanged. Whatever it holds is checked like any previous output (see depends.py).
    True when restored; links are never restored; no hard links (another file system): False.
    A mirror without an index.html is no site (check_replaceable would refuse it): not restored.
    """
    output_dir = output_dir.absolute()
    if output_dir.exists() or output_dir.is_symlink() or not _is_folder(spare) \
            or not (spare / "index.html").is_file():
        return False
    staging = output_dir.parent / f".{output_dir.name}.staging"
    try:
        with site_lock(output_dir):
            _recover(output_dir)
            if output_dir.exists() or output_dir.is_symlink():
                return False  # another build made it meanwhile, or the previous site was put back
            remove(str(staging))  # a killed build's tree: the mirror is a better one
            try:
                _link_tree(spare, staging)
                os.rename(staging, output_dir)
            except OSError:
                shutil.rmtree(staging, ignore_errors=True)
                return False
    except OSError:
        return False  # a read-only disk, say: the build says so when it writes
    return True


def _link_tree(source: Path, target: Path) -> None:
    """A copy of source's folders and regular files as hard links (links and odd files left out)."""
    os.mkdir(target)
    root = str(target)
    for name, entry in iter_tree(source):
        if entry.is_dir(follow_symlinks=False):
            os.mkdir(f"{root}/{name}")
        elif entry.is_file(follow_symlinks=False):
            os.link(entry.path, f"{root}/{name}", follow_symlinks=False)


Tree = tuple[dict[str, int], dict[str, int], set[str]]  # files, other non-folders, folders (see _scan)


def _mirror(live: Path, spare: Path, old_tree: Tree | None, sink: Sink) -> None:
    """Make spare a hard-link mirror of the live site. Given the previous site's tree as
    old_tree (what spare is now), only what changed is done: removed files and folders deleted,
    new folders made, the files written anew linked in. Otherwise (a first build) every file is
    linked. On any failure (no hard links here) there is no spare: the next build stages afresh.
    """
    try:
        if old_tree is None:
            shutil.rmtree(spare, ignore_errors=True)
            _link_tree(live, spare)
            return
        old_files, old_others, old_dirs = old_tree
        root, source = str(spare), str(live)
        for folder in sorted(old_dirs - sink.needed, key=len):
            remove(f"{root}/{folder}")
        for path in (old_files.keys() | old_others.keys()) - sink.written:
            remove(f"{root}/{path}")
        for folder in sorted(sink.needed - old_dirs - {""}, key=len):
            os.mkdir(f"{root}/{folder}")
        for path in sink.fresh:
            remove(f"{root}/{path}")
            os.link(f"{source}/{path}", f"{root}/{path}", follow_symlinks=False)
    except OSError:
        shutil.rmtree(spare, ignore_errors=True)


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _prepare_staging(staging: Path, spare: Path | None) -> None:
    """The staging folder: a recycled tree (what a killed build left, else the spare), or a new one."""
    if spare is not None and _is_folder(staging):
        return  # a killed build's staging tree: recycled like the spare
    shutil.rmtree(staging, ignore_errors=True)
    if staging.is_symlink() or staging.exists():
        staging.unlink()
    if spare is not None and _is_folder(spare):
        try:
            os.rename(spare, staging)
            return
        except OSError:
            shutil.rmtree(spare, ignore_errors=True)
    staging.mkdir()


def _put_aside(staging: Path, spare: Path | None) -> bool:
    """After the swap (or a failure) the staging folder holds a whole site: keep it as the spare.
    True when it did (and so the spare is that tree)."""
    if spare is not None and _is_folder(staging):
        shutil.rmtree(spare, ignore_errors=True)
        try:
            os.rename(staging, spare)
            return True
        except OSError:
            pass  # another file system: no spare
    shutil.rmtree(staging, ignore_errors=True)
    return False


def _write_afresh(files: Iterable[OutputFile], staging: Path, output_dir: Path, reuse: bool,
                  known: Known | None = None, tree: Tree | None = None) -> tuple[WriteReport, Tree, Sink]:
    """Every file into staging (unchanged ones linked from the previous output), then one swap.
    Also gives the previous output's tree (scanned first, unless given) and the sink, for the mirror."""
    had_output = _is_folder(output_dir)
    old_tree: Tree = (tree or scan_tree(output_dir)) if had_output else ({}, {}, set())
    old_files, old_others, _ = old_tree
    previous = output_dir if reuse and had_output else None
    sink = Sink(staging, previous, old_files, known)
    old_names = old_files.keys() | old_others.keys()
    sink.write_all(files)
    sink.prune()
    _swap_in(staging, output_dir)
    report = WriteReport(len(sink.written), len(sink.changed), len(old_names - sink.written),
                         frozenset(sink.written), frozenset(sink.changed), sink.digests)
    return report, old_tree, sink


def _swap_in(staging: Path, output_dir: Path) -> None:
    """Swap the staged site in; staging then holds the previous site (or nothing).

    Without renameat2 the swap is two renames, and the previous site stays whole in .old
    between them: a build killed there has it put back by the next one (_recover).
    """
    if _is_folder(output_dir) and _exchange(staging, output_dir):
        return
    old = _old_path(output_dir)
    had_output = output_dir.exists()  # resolved: never a link here
    if had_output:
        os.rename(output_dir, old)
    try:
        os.rename(staging, output_dir)
    except BaseException:
        if had_output:
            os.rename(old, output_dir)
        raise
    if had_output:
        try:
            os.rename(old, staging)  # as after an exchange: staging holds the previous site
        except OSError:
            shutil.rmtree(old, ignore_errors=True)
