"""The C library, found once per process (ctypes.util.find_library runs `ldconfig -p`: ~6 ms a
call): for the Linux calls Python has no wrapper for (renameat2, prctl, malloc_trim)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ctypes


@lru_cache(maxsize=1)
def libc() -> ctypes.CDLL | None:
    """The C library (errno kept for ctypes.get_errno), or None where there is none to load."""
    import ctypes
    import ctypes.util  # their import and find_library (`ldconfig -p`) only when a call needs it

    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None
