"""Where a build's time goes: named stages, wall and CPU seconds (`paperfeed build --profile`).

Stages nest (feeds are made while the writer asks for files): a stage's time
excludes the stages that ran inside it, so the rows add up to the total.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


def cpu_seconds() -> float:
    """User+system CPU time of this process and of its finished children (render workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _children_cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system


@dataclass
class StageTimer:
    """Accumulates exclusive wall and CPU seconds per stage, in the order stages first ran."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)  # MB: this process's peak memory after the stage
    _inner: list[list[float]] = field(default_factory=list)  # per open stage: time spent in nested ones
    #: False (a build without --profile): timed() gives the items as they come, untimed (its two clock
    #: reads and generator hop an item were ~45 ms of a paper.html edit's 28,000 files).
    per_item: bool = True

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), cpu_seconds()
        self._inner.append([0.0, 0.0])
        try:
            yield
        finally:
            inner_wall, inner_cpu = self._inner.pop()
            spent_wall, spent_cpu = time.perf_counter() - wall, cpu_seconds() - cpu
            self.wall[name] = self.wall.get(name, 0.0) + spent_wall - inner_wall
            self.cpu[name] = self.cpu.get(name, 0.0) + spent_cpu - inner_cpu
            self.peak[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            if self._inner:
                self._inner[-1][0] += spent_wall
                self._inner[-1][1] += spent_cpu

    def timed(self, name: str, items: Iterable[T]) -> Iterator[T]:
        """Yield from items, counting the time spent making each one as stage `name`.

        Two clock reads an item (the CPU clock's is a system call, ~0.5 µs). The CPU time of
        worker processes ended while making the items is added at the end.
        """
        if not self.per_item:
            return iter(items)
        return self._timed(name, items)

    def _timed(self, name: str, items: Iterable[T]) -> Iterator[T]:
        iterator = iter(items)
        children = _children_cpu()
        total_wall = total_cpu = 0.0
        try:
            while True:
                wall, cpu = time.perf_counter(), time.process_time()
                self._inner.append([0.0, 0.0])
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                finally:
                    inner_wall, inner_cpu = self._inner.pop()
                    spent_wall, spent_cpu = time.perf_counter() - wall, time.process_time() - cpu
                    total_wall += spent_wall - inner_wall
                    total_cpu += spent_cpu - inner_cpu
                    if self._inner:
                        self._inner[-1][0] += spent_wall
                        self._inner[-1][1] += spent_cpu
                yield item
        finally:
            workers = _children_cpu() - children
            if self._inner:
                self._inner[-1][1] += workers
            self.wall[name] = self.wall.get(name, 0.0) + total_wall
            self.cpu[name] = self.cpu.get(name, 0.0) + total_cpu + workers
            self.peak[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024

    def table(self) -> str:
        """One line per stage: wall and CPU seconds (workers included), share of the wall time, peak memory."""
        total = sum(self.wall.values()) or 1.0
        width = max((len(name) for name in self.wall), default=5)
        lines = [f"{'stage':<{width}}  {'wall s':>7}  {'cpu s':>7}  {'share':>5}  {'peak MB':>7}"]
        for name, wall in self.wall.items():
            lines.append(f"{name:<{width}}  {wall:7.3f}  {self.cpu[name]:7.3f}  {wall / total:5.0%}  "
                         f"{self.peak[name]:7d}")
        lines.append(f"{'total':<{width}}  {sum(self.wall.values()):7.3f}  {sum(self.cpu.values()):7.3f}")
        return "\n".join(lines)
