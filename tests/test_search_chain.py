"""Pagefind runs in the background (generator/pagefind_run.py's Chain), beside the pages'
rendering: started first, one shard after another, and never left behind by a build that
fails, nor waited for forever when it dies."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import pytest

import generator.pagefind_run as pagefind_run
import generator.render as render
from generator.build import build
from generator.errors import BuildError
from generator.pagefind_run import Chain, search_scratch
from tests.conftest import make_site, record
from tests.support.trees import snapshot

pytestmark = pytest.mark.usefixtures("small_shards")


def records() -> list[dict]:
    return [record(f"2512.{n:05d}", title=f"Paper {n}", abstract=f"About the word w{n}.",
                   date=f"2025-12-{1 + n % 5:02d}") for n in range(1, 13)]


def fake_pagefind(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-pagefind"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return False


def test_the_shards_are_started_before_any_page_is_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_job, real_render = pagefind_run._pagefind_job, render.PageContext.render
    monkeypatch.setattr(pagefind_run, "_pagefind_job", lambda s, b: (events.append("index"), real_job(s, b))[1])
    monkeypatch.setattr(render.PageContext, "render",
                        lambda self, plan: (events.append("render"), real_render(self, plan))[1])
    site = make_site(tmp_path / "site", records())
    build(site, environ={}, jobs=1)
    shards = events.index("render")
    assert shards >= 3 and set(events[:shards]) == {"index"}  # every shard queued, then the pages
    assert sorted(p.name for p in (site / "public" / "pagefind").iterdir()) == [str(n) for n in range(1, shards + 1)]


def test_a_chain_runs_its_commands_in_turn_and_reports_each(tmp_path: Path) -> None:
    chain = Chain()
    log = tmp_path / "order"
    first = chain.submit(["sh", "-c", f"sleep 0.3; echo one >> {log}"], tmp_path / "a.log")
    second = chain.submit(["sh", "-c", f"echo two >> {log}; exit 3"], tmp_path / "b.log")
    assert chain.wait(second, 10) == 3 and chain.wait(first, 10) == 0
    assert log.read_text().split() == ["one", "two"]  # one at a time, in order
    chain.close()


def test_a_pagefind_that_fails_names_its_last_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "site", records())
    build(site, environ={}, jobs=1)
    old = snapshot(site / "public")
    edited = site / "content" / "r000.yaml"
    edited.write_text(edited.read_text().replace("About the word", "On the word"))
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, 'echo "Error: out of tokens" >&2; exit 2')))
    with pytest.raises(BuildError, match="search index: Pagefind failed: Error: out of tokens"):
        build(site, environ={}, jobs=1)
    assert snapshot(site / "public") == old
    assert not search_scratch(site / "public").exists()


def test_a_killed_pagefind_fails_the_build_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "site", records())
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, "kill -9 $$")))
    started = time.monotonic()
    with pytest.raises(BuildError, match="Pagefind failed"):
        build(site, environ={}, jobs=1)
    assert time.monotonic() - started < 30


def test_a_dead_runner_is_an_error_not_a_hang(tmp_path: Path) -> None:
    chain = Chain()
    job = chain.submit(["sleep", "30"], tmp_path / "log")
    assert chain.process is not None
    os.kill(chain.process.pid, 9)
    with pytest.raises(BuildError, match="ended early"):
        chain.wait(job, 20)
    chain.close()


def test_a_build_that_fails_while_pagefind_runs_leaves_nothing_running(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    pids = tmp_path / "pids"
    slow = fake_pagefind(tmp_path, f"echo $$ >> {pids}; sleep 60")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(slow))
    chains: list[Chain] = []
    real_submit = Chain.submit
    monkeypatch.setattr(Chain, "submit", lambda self, *a: (chains.append(self), real_submit(self, *a))[1])

    def broken(self: object, plan: object) -> bytes:
        time.sleep(0.5)  # Pagefind is running by now
        raise OSError("disk full")
    monkeypatch.setattr(render.PageContext, "render", broken)
    site = make_site(tmp_path / "site", records())
    started = time.monotonic()
    with pytest.raises((BuildError, OSError)):
        build(site, environ={}, jobs=1)
    assert time.monotonic() - started < 30  # not the 60 s of the shard being indexed
    shell = chains[0].process
    assert shell is None  # closed
    assert pids.is_file() and not any(alive(int(pid)) for pid in pids.read_text().split())
    assert not search_scratch(site / "public").exists()
    shutil.rmtree(site, ignore_errors=True)
