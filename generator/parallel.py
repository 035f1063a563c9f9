"""Map a function over items on every core, results in order (fork-based).

The work is handed to the workers by fork, not by pickling: the function and
the items are module globals when the pool starts, so closures over templates,
views and the index work, and only chunk numbers go out and results come back.
Small jobs stay in this process: forking costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 200  # below this, one process is faster than starting workers
_work: tuple[Callable[[Any], Any], Sequence[Any], int] | None = None


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _run_chunk(number: int) -> list[Any]:
    assert _work is not None
    fn, items, size = _work
    return [fn(item) for item in items[number * size:(number + 1) * size]]


def pmap(fn: Callable[[T], R], items: Sequence[T], jobs: int, chunk: int = 0) -> Iterator[R]:
    """fn(item) for each item, in order, over `jobs` processes when it is worth it."""
    global _work
    if jobs <= 1 or len(items) < MIN_ITEMS or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(fn, items)
        return
    size = chunk or max(16, min(256, len(items) // (jobs * 8) or 1))
    chunks = -(-len(items) // size)
    _work = (fn, items, size)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            # A bounded window of chunks in flight, so a slow consumer (the writer)
            # never has the whole site's HTML waiting in memory.
            window = [pool.apply_async(_run_chunk, (n,)) for n in range(min(chunks, jobs * 3))]
            for n in range(chunks):
                results = window.pop(0).get()
                if n + len(window) + 1 < chunks:
                    window.append(pool.apply_async(_run_chunk, (n + len(window) + 1,)))
                yield from results
    finally:
        _work = None
