"""Map a function over items on every core, results in order (fork-based).

The work is handed to the workers by fork, not by pickling: the function and
the items are module globals when the pool starts, so closures over templates,
views and the index work, and only chunk numbers go out and results come back.
Small jobs stay in this process: forking costs more than it saves.

A worker that dies (kill -9, the OOM killer) fails the map at once with
WorkerDied: concurrent.futures notices the dead process and breaks the pool,
where a multiprocessing.Pool would replace the worker and wait forever for the
lost chunk.
"""

from __future__ import annotations

import functools
import gc
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from generator.errors import BuildError
from generator.libc import libc

if TYPE_CHECKING:  # multiprocessing loads when work is shared out: a no-change build never does
    from concurrent.futures import Future

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1
MIN_ITEMS = 200  # below this, one process is faster than starting workers
_work: tuple[Callable[[Any], Any], Sequence[Any], int] | None = None


class WorkerDied(BuildError):
    """A worker process ended without an answer: killed, or out of memory."""

    def __init__(self) -> None:
        super().__init__("a worker process died (killed, or out of memory?); nothing was changed "
                         "— build again, perhaps with --jobs 1")


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def release_memory() -> None:
    """Give the heap this process has freed back to the system (glibc's malloc_trim), before a
    stage forks its workers or encodes its caches: a freed stage's memory is otherwise still this
    process's, and every worker forked from it counts it again (~25 MB at 10,000 papers after the
    markup stage). Nothing where there is no such call."""
    found = libc()
    trim = getattr(found, "malloc_trim", None) if found is not None else None
    if trim is not None:  # glibc only
        trim(0)


def settle() -> None:
    """What is alive now lives for the rest of the build (the papers, their markup, the index):
    take it out of the cycle collector's full passes (gc.freeze). Each of those passes walks
    every object alive, and a build that makes millions runs ten of them: ~1 s of a 7.9 s
    one-record edit at 10,000 papers. Reference counting still frees these objects; only a
    cycle among them waits for `unsettled` (and forked workers do not copy the pages that the
    collector would have written to). Undone by unsettled()."""
    gc.freeze()


#: Full passes of the cycle collector during a build: one every this many of the middle
#: generation's (Python's default is 10). The full passes of a build found no garbage in any
#: build measured; a one-record edit at 10,000 papers spent 0.5-0.65 s in them, 0.2 s without.
FULL_PASS_EVERY = 100


def unsettled(fn: Callable[..., R]) -> Callable[..., R]:
    """fn run with the collector set for a build (FULL_PASS_EVERY), and after it what settle()
    froze given back to the collector and its settings restored: serve builds again and again."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        thresholds = gc.get_threshold()
        gc.set_threshold(thresholds[0], thresholds[1], max(thresholds[2], FULL_PASS_EVERY))
        try:
            return fn(*args, **kwargs)
        finally:
            gc.unfreeze()
            gc.set_threshold(*thresholds)
    return wrapper


def _die_with_parent(parent: int) -> None:
    """In each worker: end when the build does. A build killed with kill -9 would otherwise
    leave its workers waiting for work forever, each holding a copy of the site's memory."""
    found = libc()
    prctl = getattr(found, "prctl", None) if found is not None else None
    if prctl is not None:  # Linux only
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the call above
        os._exit(1)


def _run_chunk(number: int) -> list[Any]:
    assert _work is not None
    fn, items, size = _work
    return [fn(item) for item in items[number * size:(number + 1) * size]]


def pmap(fn: Callable[[T], R], items: Sequence[T], jobs: int, chunk: int = 0) -> Iterator[R]:
    """fn(item) for each item, in order, over `jobs` processes when it is worth it."""
    global _work
    if jobs <= 1 or len(items) < MIN_ITEMS:
        yield from map(fn, items)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(fn, items)
        return
    size = chunk or max(16, min(256, len(items) // (jobs * 8) or 1))
    chunks = -(-len(items) // size)
    _work = (fn, items, size)
    # With fork, every worker starts at the first submit, while _work is set.
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))
    try:
        # A bounded window of chunks in flight, so a slow consumer (the writer)
        # never has the whole site's HTML waiting in memory.
        window: deque[Future[list[Any]]] = deque(pool.submit(_run_chunk, n) for n in range(min(chunks, jobs * 3)))
        following = len(window)
        while window:
            results = window.popleft().result()
            if following < chunks:
                window.append(pool.submit(_run_chunk, following))
                following += 1
            yield from results
    except BrokenProcessPool:
        raise WorkerDied() from None
    finally:
        _work = None
        # Also when the consumer stopped early (the writer failed): chunks not started are dropped.
        pool.shutdown(wait=True, cancel_futures=True)
