"""A progress line on a terminal for builds that take more than a second; nothing otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 1.0  # seconds before the line appears: quick builds print nothing
INTERVAL = 0.1


class Progress:
    """Receives (stage, done, total) updates; the base class ignores them."""

    def update(self, stage: str, done: int, total: int) -> None:
        pass

    def close(self) -> None:
        pass


class TerminalProgress(Progress):
    """`pages  12,345/25,000  49%` on one rewritten stderr line, shown only on a terminal."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.shown = 0.0
        self.width = 0

    def update(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < DELAY or (now - self.shown < INTERVAL and done != total):
            return
        self.shown = now
        line = f"{stage:<6} {done:>9,}/{total:,}  {done / max(total, 1):4.0%}"
        self.width = max(self.width, len(line))
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()

    def close(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def progress_for(stream: TextIO = sys.stderr) -> Progress:
    """A terminal progress line when stdout and the stream are terminals, else nothing."""
    return TerminalProgress(stream) if sys.stdout.isatty() and stream.isatty() else Progress()
