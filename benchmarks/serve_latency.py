#!/usr/bin/env python3
"""How long `paperfeed serve` takes to show a saved edit (issue 14: <= 1 s at 10,000 papers).

    python benchmarks/serve_latency.py SITE [--saves 5] [--record FILE] [--log LOG]

Starts ``python -m generator serve --site SITE --port P`` on 127.0.0.1, waits until the
paper's page is served (the first build), then for each save rewrites one record with a new
title and polls the paper's URL until the body contains it: the time from the file write to
that response is one sample. Only serve's CLI and HTTP behaviour are used: the page itself,
and ``/__paperfeed/status`` (the build version the live-reload script watches) to let each
rebuild finish before the next save, so that every save lands on an idle preview. The record
is put back afterwards. run.py calls :func:`measure_serve`; the median is the figure.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
POLL = 0.05  # seconds between two requests for the page (each one costs the preview a little CPU)
START_TIMEOUT = 3 * 3600.0  # the first build of a big site
SAVE_TIMEOUT = 600.0
QUIET = 1.0  # seconds without a new build version before the next save


class ServeFailed(Exception):
    """The preview did not start, stopped, or never showed the edit."""


@dataclass(frozen=True)
class ServeResult:
    """Seconds from each save to the page showing it, and the first build's time."""

    latencies: tuple[float, ...]
    built_after: tuple[float | None, ...]  # save -> the status endpoint's version changing
    startup: float
    papers_url: str

    def as_dict(self) -> dict:
        return {"latencies": list(self.latencies), "built_after": list(self.built_after),
                "startup": self.startup, "url": self.papers_url, "poll": POLL}


def summarise(sample: dict) -> dict:
    """Median, min and max of a serve sample (as ServeResult.as_dict gives it)."""
    lat = sample["latencies"]
    built = [b for b in sample.get("built_after", []) if b is not None]
    return {"median": statistics.median(lat), "min": min(lat), "max": max(lat), "runs": len(lat),
            "built_median": statistics.median(built) if built else None,
            "startup": sample["startup"]}


def record_id(text: str) -> str:
    """The `id:` of a one-record YAML file (quoted or not)."""
    m = re.search(r"^id:\s*(.+?)\s*$", text, re.M)
    if not m:
        raise ServeFailed("the record has no id: line")
    value = m[1]
    return json.loads(value) if value.startswith('"') else value.strip("'")


def paper_path(paper_id: str) -> str:
    """The paper page's path, as paperfeed's URLs give it: papers/<id, '/' -> '-'>/."""
    return f"papers/{paper_id.replace('/', '-')}/"


def probe_title(rev: int) -> str:
    """A new title that no template changes (ASCII words and digits) and no page had before."""
    return f"Serve latency probe {rev} {os.getpid()}"


def with_title(text: str, title: str) -> str:
    """The record's text with its `title:` line replaced."""
    new, count = re.subn(r"^title: .*$", lambda _m: "title: " + json.dumps(title), text,
                         count=1, flags=re.M)
    if not count:
        raise ServeFailed("the record has no title: line")
    return new


def shows(body: bytes, title: str) -> bool:
    """Whether a served page shows `title` (HTML-escaped as a template would write it)."""
    text = body.decode("utf-8", "replace")
    return title in text or title.replace("&", "&amp;") in text


def status_version(body: bytes) -> int | None:
    """The build version of a /__paperfeed/status answer, None if it is not one."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def status_busy(body: bytes) -> bool:
    """Whether a /__paperfeed/status answer says serve is still at work on the last save: the
    rest of the site after the saved record's own page (`rebuilding`), or the search index
    after the pages (`indexing`); False for an older serve without them."""
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and (data.get("indexing") is True or data.get("rebuilding") is True)


def paperfeed_env() -> dict[str, str]:
    """The environment paperfeed runs in, from this checkout, as an installed copy would run:
    with its bytecode. pip compiles a package it installs; a checkout run with
    PYTHONDONTWRITEBYTECODE set (as on some CI images) would compile every module of generator/
    on every run instead (~0.1 s of a no-change rebuild, more for a build that imports Jinja's
    half of the package). The bytecode is made once here, into generator/__pycache__/
    (git-ignored)."""
    compileall.compile_dir(REPO / "generator", quiet=1)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """(status, body); (0, b'') when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (OSError, ValueError):
        return 0, b""


class Preview:
    """One `paperfeed serve` process of ours, on a free port."""

    def __init__(self, site: Path, log: Path, python: str = sys.executable) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        env = paperfeed_env()
        self.log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [python, "-m", "generator", "serve", "--site", str(site), "--port", str(self.port)],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def alive(self) -> None:
        if self.proc.poll() is not None:
            raise ServeFailed(f"paperfeed serve exited {self.proc.returncode} (log {self.log.name})")

    def version(self) -> int | None:
        return status_version(get(self.base + "__paperfeed/status")[1])

    def busy(self) -> bool:
        """Whether serve is still bringing the rest of the site or its search index up to the save."""
        return status_busy(get(self.base + "__paperfeed/status")[1])

    def wait_for(self, path: str, ok, timeout: float) -> float:
        """Poll `path` until ok(status, body); the perf_counter time of that answer."""
        deadline = time.perf_counter() + timeout
        while True:
            status, body = get(self.base + path)
            now = time.perf_counter()
            if ok(status, body):
                return now
            self.alive()
            if now > deadline:
                raise ServeFailed(f"{self.base}{path}: not shown within {timeout:.0f} s (last status {status})")
            time.sleep(POLL)

    def settle(self, since: int | None, timeout: float) -> float | None:
        """Wait until a build newer than `since` is reported and no other follows for QUIET s;
        the perf_counter time the newer version was first seen (None without a status endpoint)."""
        if since is None or self.version() is None:
            time.sleep(QUIET * 3)  # no status to watch: give the rebuild time to finish
            return None
        deadline = time.perf_counter() + timeout
        seen_at, last, quiet_from = None, since, 0.0
        while time.perf_counter() < deadline:
            v = self.version()
            now = time.perf_counter()
            if v is not None and v != last:
                seen_at, last, quiet_from = seen_at or now, v, now
            elif seen_at is not None and now - quiet_from >= QUIET and not self.busy():
                return seen_at
            self.alive()
            time.sleep(POLL * 5)
        raise ServeFailed(f"no finished build reported within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # serve removes its temp folder on SIGTERM
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def measure_serve(site: Path, record: Path, log: Path, saves: int = 5) -> ServeResult:
    """Time `saves` title edits of `record` in a `paperfeed serve` of `site` (see the module doc)."""
    original = record.read_text(encoding="utf-8")
    path = paper_path(record_id(original))
    t0 = time.perf_counter()
    preview = Preview(site, log)
    try:
        preview.wait_for(path, lambda status, _b: status == 200, START_TIMEOUT)
        startup = time.perf_counter() - t0
        preview.settle(0, SAVE_TIMEOUT)  # the first build reported (version 0 -> 1), then quiet
        latencies, built = [], []
        for rev in range(1, saves + 1):
            title = probe_title(rev)
            since = preview.version()
            text = with_title(original, title)
            start = time.perf_counter()
            record.write_text(text, encoding="utf-8")
            seen = preview.wait_for(path, lambda status, body, t=title: status == 200 and shows(body, t),
                                    SAVE_TIMEOUT)
            latencies.append(seen - start)
            done = preview.settle(since, SAVE_TIMEOUT)
            built.append(None if done is None else done - start)
    finally:
        record.write_text(original, encoding="utf-8")
        preview.stop()
    return ServeResult(tuple(latencies), tuple(built), startup, preview.base + path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("site", type=Path)
    p.add_argument("--record", type=Path, help="the record to edit (default: the newest file under content/)")
    p.add_argument("--saves", type=int, default=5)
    p.add_argument("--log", type=Path, default=Path("serve-latency.log"))
    a = p.parse_args(argv)
    record = a.record or max((a.site / "content").rglob("*.yaml"),
                             key=lambda q: (q.parent.relative_to(a.site), -len(q.name), q.name))
    result = measure_serve(a.site, record, a.log, a.saves)
    s = summarise(result.as_dict())
    print(f"serve: first build {s['startup']:.1f} s; save -> page shows the edit: median "
          f"{s['median']:.3f} s (min {s['min']:.3f}, max {s['max']:.3f}, {s['runs']} saves): "
          + ", ".join(f"{x:.3f}" for x in result.latencies))
    return 0


if __name__ == "__main__":
    sys.exit(main())
