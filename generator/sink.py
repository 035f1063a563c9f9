"""The staging side of the writer: each output file written once (or hard-linked from the
previous output when its bytes are unchanged) into the staging tree, with safe paths only."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from generator.errors import BuildError
from generator.files import remove
from generator.model import OutputFile, content_digest
from generator.tree import iter_tree

MAX_COMPONENT_BYTES = 255
#: path -> the content digest of the previous output's file there, when it is known to hold it.
Known = Callable[[str], str | None]


def check_output_path(path: str) -> str:
    """A path must stay inside the output folder: relative, no '..', no NUL, short components."""
    parts = path.split("/")
    if not path or path.startswith("/") or "\\" in path or "\x00" in path or any(
            part in ("", ".", "..") or len(part.encode("utf-8", "surrogatepass")) > MAX_COMPONENT_BYTES
            for part in parts):
        raise BuildError(f"refusing to write an unsafe output path: {path[:200]!r}")
    return path


def scan_tree(folder: Path) -> tuple[dict[str, int], dict[str, int], set[str]]:
    """One pass over folder: regular files -> inode, other non-folders (links …) -> inode, folders.

    Inodes come from the directory entries (no stat per file): a file of the staging
    tree with the inode of the previous output's file is that very file, hard-linked.
    """
    files: dict[str, int] = {}
    others: dict[str, int] = {}
    dirs: set[str] = set()
    for name, entry in iter_tree(folder):
        if entry.is_dir(follow_symlinks=False):
            dirs.add(name)
        elif entry.is_file(follow_symlinks=False):
            files[name] = entry.inode()
        else:
            others[name] = entry.inode()
    return files, others, dirs


def _same_bytes(old: str, data: bytes) -> bool:
    try:
        with open(old, "rb") as handle:
            if os.fstat(handle.fileno()).st_size != len(data):
                return False
            return handle.read() == data
    except OSError:
        return False


class Sink:
    """Writes files into `root` once each (unchanged ones hard-linked from `previous`),
    remembering which ones changed: safe paths, once each, never a file and a folder.

    `root` may hold a recycled tree (the site of two builds ago, or what a killed build
    left): a file already hard-linked to the previous output's file is left as it is,
    anything else in the way is replaced. A file of `root` is never written in place,
    since it may be the very file the live site serves: it is unlinked, then created.
    """

    def __init__(self, root: Path, previous: Path | None, old_files: dict[str, int],
                 known: Known | None = None) -> None:
        """known: see write_site; without it (or when it gives None) a new file of the previous
        output's size is compared with that file's bytes."""
        self.root, self.previous = str(root), str(previous) if previous is not None else None
        self.known = known
        self.old_files = old_files if previous is not None else {}
        self.present, others, self.dirs = scan_tree(root)
        self.present.update(others)  # a link in the staging tree is never kept: its inode is its own
        self.needed: set[str] = {""}
        self.written: set[str] = set()
        self.changed: set[str] = set()
        self.fresh: set[str] = set()  # files that are not the previous output's (written or copied)
        self.digests: dict[str, str] = {}
        self.folded: set[str] = set()
        self.folders: set[str] = set()

    def write_all(self, files: Iterable[OutputFile]) -> None:
        for item in files:
            path = self.add(item.path)
            if not item.kept:
                self.digests[path] = item.digest or content_digest(item.data)
            try:
                if self._put(path, item):
                    self.changed.add(path)
                    self.fresh.add(path)
            except (FileExistsError, NotADirectoryError, IsADirectoryError):
                # "a" and "a/b" both wanted: as much a bug as one path written twice.
                raise BuildError(f"two outputs want one path as a file and as a folder: {path}") from None
            except OSError as error:
                if error.filename is None:  # a write's ENOSPC names no file: this one
                    error.filename = f"{self.root}/{path}"
                raise

    def _put(self, path: str, item: OutputFile) -> bool:
        """Stage one file; True when its bytes differ from the previous output."""
        self._folder(path.rpartition("/")[0])
        target = f"{self.root}/{path}"
        here = self.present.pop(path, None)
        old_inode = self.old_files.get(path)
        old = f"{self.previous}/{path}" if old_inode is not None else ""
        if item.kept or (old and self._same(path, old, item.data)):
            if here is not None and here == old_inode:
                return False  # already the previous output's file, hard-linked
            self._clear(path, target, here)
            self._link(old, target, path)
            return False
        if here is not None or path in self.dirs:
            remove(target)
        with open(target, "xb") as handle:
            handle.write(item.data)
        return True

    def _same(self, path: str, old: str, data: bytes) -> bool:
        """The previous output's file at path holds data: by its known digest (a template edit
        changes 10,000 pages, often not their sizes: none is read back), else by its bytes."""
        digest = self.known(path) if self.known is not None else None
        if digest is not None:
            return digest == self.digests[path]
        return _same_bytes(old, data)

    def _clear(self, path: str, target: str, here: int | None) -> None:
        if here is not None:
            remove(target)
        elif path in self.dirs:  # a stale folder where a file goes, and all it held
            remove(target)
            inside = path + "/"
            self.dirs = {d for d in self.dirs if d != path and not d.startswith(inside)}
            self.present = {p: i for p, i in self.present.items() if not p.startswith(inside)}

    def _folder(self, folder: str) -> None:
        if folder in self.needed:
            return
        parts = folder.split("/")
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            if sub in self.needed:
                continue
            self.needed.add(sub)
            if sub in self.dirs:
                continue
            target = f"{self.root}/{sub}"
            if self.present.pop(sub, None) is not None:
                remove(target)  # a stale file where a folder goes
            os.mkdir(target)
            self.dirs.add(sub)

    def _link(self, old: str, target: str, path: str) -> None:
        if old:
            try:
                os.link(old, target)
                return
            except OSError:
                pass  # another file system, or no hard links
            try:
                shutil.copyfile(old, target)
                self.fresh.add(path)
                return
            except OSError:
                pass
        # The build saw it a moment ago: someone is editing the output folder.
        raise BuildError(f"{path} disappeared from the output folder during the build; build again")

    def prune(self) -> None:
        """Remove what the recycled tree holds that this site has not (so far)."""
        for path in self.present:
            remove(f"{self.root}/{path}")
        self.present.clear()
        for folder in sorted(self.dirs - self.needed, key=len, reverse=True):
            remove(f"{self.root}/{folder}")
        self.dirs &= self.needed

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
