"""The one walk over a folder tree: every file under a folder, by its '/'-separated relative path.

One `os.scandir` pass (file types come with the listing: no stat per entry). Links are
never entered: a link to a folder is an entry, not a folder to walk, so a tree with a link
back to itself ends, and nothing outside the folder is reached through one. A link to a
file counts as a file (as `Path.rglob` and `os.walk` list it); a dangling link does not.
Folders that cannot be read are left out.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

Entry = os.DirEntry[str]
#: Whether to leave an entry out (a folder so left out is not entered): (relative path, entry).
Prune = Callable[[str, Entry], bool]


def iter_tree(folder: Path | str, prune: Prune | None = None) -> Iterator[tuple[str, Entry]]:
    """Every entry under folder, folders included and entered, as (relative path, entry), in no
    set order; `prune` leaves entries out (and folders unentered)."""
    stack = [("", os.fspath(folder))]
    while stack:
        prefix, path = stack.pop()
        try:
            entries = os.scandir(path)
        except OSError:
            continue
        with entries:
            for entry in entries:
                name = prefix + entry.name
                if prune is not None and prune(name, entry):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append((name + "/", entry.path))
                yield name, entry


def file_entries(folder: Path | str, prune: Prune | None = None) -> list[tuple[str, Entry]]:
    """The files under folder as (relative path, entry), sorted as paths are (folder by folder:
    'a/b' before 'a-c'); an entry's `stat()` is cached, for sizes and times."""
    found = [(name, entry) for name, entry in iter_tree(folder, prune)
             if not entry.is_dir(follow_symlinks=False) and _is_file(entry)]
    found.sort(key=lambda item: item[0].split("/"))
    return found


def files(folder: Path | str, prune: Prune | None = None) -> list[str]:
    """The relative paths ('/'-separated) of the files under folder, sorted as paths are."""
    return [name for name, _ in file_entries(folder, prune)]


def hidden(name: str, entry: Entry) -> bool:
    """A Prune: dot files and dot folders (.git, .paperfeed-cache, an editor's .x.swp)."""
    return entry.name.startswith(".")


def _is_file(entry: Entry) -> bool:
    try:
        return entry.is_file()  # follows a link: a link to a file is a file
    except OSError:
        return False


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
