"""Where a build's time goes: named stages, wall and CPU seconds (`paperfeed build --profile`)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


def cpu_seconds() -> float:
    """User+system CPU time of this process and of its finished children (render workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass
class StageTimer:
    """Accumulates wall and CPU seconds per stage, in the order stages first ran."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), cpu_seconds()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + cpu_seconds() - cpu

    def table(self) -> str:
        """One line per stage: wall seconds, CPU seconds, share of the wall total."""
        total = sum(self.wall.values()) or 1.0
        width = max((len(name) for name in self.wall), default=5)
        lines = [f"{'stage':<{width}}  {'wall s':>7}  {'cpu s':>7}  {'share':>5}"]
        for name, wall in self.wall.items():
            lines.append(f"{name:<{width}}  {wall:7.3f}  {self.cpu[name]:7.3f}  {wall / total:5.0%}")
        lines.append(f"{'total':<{width}}  {sum(self.wall.values()):7.3f}  {sum(self.cpu.values()):7.3f}")
        return "\n".join(lines)
