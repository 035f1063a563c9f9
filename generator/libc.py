"""The C library, found once per process (ctypes.util.find_library runs `ldconfig -p`: ~6 ms a
call): for the Linux calls Python has no wrapper for (renameat2, prctl, malloc_trim)."""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache


@lru_cache(maxsize=1)
def libc() -> ctypes.CDLL | None:
    """The C library (errno kept for ctypes.get_errno), or None where there is none to load."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None
