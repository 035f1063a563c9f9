#!/usr/bin/env python3
"""Run one command as a child process and measure it (used by run.py).

    python benchmarks/_measure.py RESULT.json LOG -- CMD [ARGS...]

A fresh wrapper process per run, so ``getrusage(RUSAGE_CHILDREN)`` covers
exactly one run: ``max_rss_kb`` is the peak RSS of the largest single process
of the child's tree (the child or any descendant it waited for). Because a
build may fan out to worker processes, a thread also samples the summed RSS
of the whole process tree every 0.1 s (``tree_rss_kb``; it over-counts pages
shared between forked workers and can miss a peak shorter than the interval).
Writes JSON: wall (s), user/sys CPU (s, child and descendants), max_rss_kb,
tree_rss_kb, rc. The child's stdout and stderr go to LOG.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
INTERVAL = 0.1


def _tree_rss_kb(root: int) -> int:
    parents: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name (field 2) may hold spaces: split after its ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        parents.setdefault(int(fields[1]), []).append(int(name))
    total = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * PAGE_KB
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(parents.get(pid, ()))
    return total


def main() -> int:
    argv = sys.argv[1:]
    if len(argv) < 4 or argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    result_path, log_path, cmd = argv[0], argv[1], argv[3:]
    peak = 0
    stop = threading.Event()
    with open(log_path, "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)

        def sample() -> None:
            nonlocal peak
            while not stop.wait(INTERVAL):
                peak = max(peak, _tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rc = proc.wait()
        wall = time.perf_counter() - t0
        stop.set()
        sampler.join()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "wall": wall,
        "user": ru.ru_utime,
        "sys": ru.ru_stime,
        "max_rss_kb": ru.ru_maxrss,  # Linux: kilobytes
        "tree_rss_kb": max(peak, ru.ru_maxrss),
        "rc": rc,
    }
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
