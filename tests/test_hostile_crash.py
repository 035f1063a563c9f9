"""Crash safety: a build killed with SIGKILL at any moment leaves the previous site intact,
and two builds of one site at once never corrupt it (one waits for nobody: it fails clearly).

Builds run as real `python -m generator build` processes. The moments are observed from
outside, with no hooks in the code: right after start (loading records), when the staging
folder has its first files, when it is nearly full, and while Pagefind indexes it.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, make_site
from tests.support.trees import stat_snapshot
from tests.test_hostile_input import good_records

pytestmark = pytest.mark.big  # tiers: docs/testing.md

PAPERS = 120


def start_build(site: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "--site", str(site)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def staged(site: Path) -> int:
    staging = site / ".public.staging"
    return sum(len(files) for _, _, files in os.walk(staging)) if staging.is_dir() else -1


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], timeout: float = 120) -> bool:
    """Poll until condition() holds; False if the build ended first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    raise AssertionError("the build never reached that moment")


@dataclass
class Site:
    """The site under test and a snapshot of its current (previous) output."""

    root: Path
    before: dict[str, tuple[bytes, int, int]]

    @property
    def total(self) -> int:
        return len(self.before)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = make_site(tmp_path_factory.mktemp("crash") / "site", good_records(PAPERS))
    code, out, err = finish(start_build(site))
    assert code == 0, err
    return Site(site, stat_snapshot(site / "public"))


def set_title(site: Path, title: str) -> None:
    """Retitle the first record, so the next build differs from the previous site."""
    path = site / "content" / "r000.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = title
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


MOMENTS: dict[str, Callable[[Path, int], Callable[[], bool]]] = {
    "loading": lambda site, total: (lambda: True),
    "first files staged": lambda site, total: (lambda: staged(site) > 5),
    # Every build stages the whole site (unchanged files hard-linked) before one atomic swap.
    "half staged": lambda site, total: (lambda: staged(site) >= total // 2),
    "search index": lambda site, total: (lambda: (site / ".public.pagefind").exists()),
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_build_killed_at_any_moment_leaves_the_previous_site_intact(built: Site, moment: str) -> None:
    site = built.root
    set_title(site, f"Edited while being killed: {moment}")
    process = start_build(site)
    reached = wait_for(MOMENTS[moment](site, built.total), process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    if not reached:  # the machine was fast enough to finish first: nothing was interrupted
        built.before = stat_snapshot(site / "public")
        pytest.skip(f"the build finished before '{moment}'")
    assert process.returncode == -signal.SIGKILL
    after_kill = stat_snapshot(site / "public")
    # The next build takes the lock the dead one held, clears its leftovers, and succeeds.
    code, out, err = finish(start_build(site))
    previous, built.before = built.before, stat_snapshot(site / "public")
    assert code == 0, err
    assert sorted(p.name for p in site.iterdir() if p.name != ".paperfeed-cache") == [
        ".public.lock", "content", "paperfeed.yaml", "public"]
    assert f"Edited while being killed: {moment}" in built.before["papers/2601.00000/index.html"][0].decode()
    assert after_kill == previous  # not a byte, time or inode of the previous site changed


def test_a_build_of_a_locked_site_fails_clearly_and_writes_nothing(built: Site) -> None:
    site = built.root
    set_title(site, "Edited while locked")
    with open(site / ".public.lock", "w") as lock:  # what a running build holds
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        code, out, err = finish(start_build(site))
    assert code == 1
    assert err.strip() == f"Error: another paperfeed build is writing {site / 'public'}; wait for it to finish"
    assert stat_snapshot(site / "public") == built.before
    assert sorted(p.name for p in site.iterdir() if p.name != ".paperfeed-cache") == [
        ".public.lock", "content", "paperfeed.yaml", "public"]


def test_two_builds_started_together_never_corrupt_the_site(built: Site) -> None:
    site, total = built.root, built.total
    set_title(site, "Edited 7")
    processes = [start_build(site), start_build(site)]
    results = [finish(p) for p in processes]
    assert all(code == 0 or "another paperfeed build is writing" in err for code, _, err in results), results
    assert any(code == 0 for code, _, _ in results)
    after = stat_snapshot(site / "public")
    assert len(after) == total and "Edited 7" in after["papers/2601.00000/index.html"][0].decode()
    assert sorted(p.name for p in site.iterdir() if p.name != ".paperfeed-cache") == [
        ".public.lock", "content", "paperfeed.yaml", "public"]
    # Whatever the interleaving, the site is exactly what one build on its own writes.
    assert finish(start_build(site))[0] == 0
    assert {k: v[0] for k, v in stat_snapshot(site / "public").items()} == {k: v[0] for k, v in after.items()}
