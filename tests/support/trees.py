"""Snapshots of a folder (a built site, a cache mirror) to compare builds file by file.

- ``snapshot(folder)``: relative POSIX path -> bytes of every file, sorted by path. Two
  builds that should be identical compare equal; a failing ``==`` names the files.
- ``stat_snapshot(folder)``: path -> (bytes, mtime in ns, inode), for "untouched": a
  file rewritten with the same bytes still counts as touched.
"""

from __future__ import annotations

from pathlib import Path


def _files(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.rglob("*")) if p.is_file()]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (symlinks followed), relative POSIX path -> bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in _files(folder)}


def stat_snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file's bytes, mtime and inode: 'untouched' means none of them changed."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
            for p in _files(folder)}
