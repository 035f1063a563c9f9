"""Small file-system helpers every writer of files shares: one atomic write, one removal.

The site writer (generator/writer.py), the build cache (generator/cache.py), the importer's
store and the mailer's outbox all write through write_atomic(): a reader (or a crash) never
sees a half-written file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from stat import S_ISREG


def remove(path: str) -> None:
    """Whatever is at path (a stale file, link or folder of a recycled staging tree): gone."""
    try:
        os.unlink(path)
    except IsADirectoryError:
        shutil.rmtree(path, ignore_errors=True)
    except FileNotFoundError:
        pass
    except PermissionError:  # Linux says EISDIR, some systems EPERM, for a folder
        shutil.rmtree(path, ignore_errors=True)


def write_atomic(path: Path, data: bytes | Iterable[bytes], durable: bool = True) -> None:
    """Write via a hidden temp file in the same folder and os.replace (never a half-written
    file; a symlink at path is replaced, never written through). durable=False skips the
    fsync: for what may be lost in a crash (the build cache, made again when missing).
    data may come in pieces (an iterable of bytes), written as they come."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        st = os.lstat(path)
        mode = st.st_mode & 0o777 if S_ISREG(st.st_mode) else 0o666 & ~_umask()
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
            if durable:
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
