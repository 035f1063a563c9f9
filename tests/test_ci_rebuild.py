"""A CI build: a fresh checkout (every file a new mtime and inode), .paperfeed-cache restored
by actions/cache (a tar round trip: mtimes to the second), and no output folder.

The cache alone must give the last site back: such a rebuild of an unchanged site renders
nothing and writes nothing, a one-record edit re-renders what a local rebuild would, and every
output is byte for byte a cold build's.
"""

from __future__ import annotations

import os
import shutil
import tarfile
from pathlib import Path

import pytest

import generator.render as render
from generator.build import build, site_salt
from generator.cache import CACHE_DIR, spare_folder
from generator.config import load_config
from generator.errors import BuildError
from generator.ledger import Ledger, scan_output
from generator.timing import StageTimer
from tests.conftest import make_site
from tests.support.rebuilds import edit_record
from tests.support.trees import snapshot
from tests.test_incremental import add_record, delete_record, records

CONFIG = {"title": "CI", "base_url": "https://example.org/papers/", "per_page": 2,
          "tags": {"min_papers": 2, "feed_min_papers": 2}}
HOUR = 3600 * 10**9


pytestmark = pytest.mark.usefixtures("small_shards")  # tests/conftest.py: search shards of 4 papers


@pytest.fixture(scope="module")
def built(small_shards: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site after its first build (cold), as CI's previous run leaves it."""
    site = make_site(tmp_path_factory.mktemp("ci") / "site", records(), CONFIG,
                     files={"static/extra.css": "body { color: red }\n"})
    build(site, environ={}, jobs=1)
    return site


def ci_checkout(site: Path, dest: Path) -> Path:
    """`git clone` (the sources, new mtimes and inodes, no output folder) plus actions/cache
    restoring .paperfeed-cache through tar (GNU format: mtimes in whole seconds)."""
    shutil.copytree(site, dest, copy_function=shutil.copyfile,
                    ignore=shutil.ignore_patterns("public", ".public*", CACHE_DIR))
    later = os.stat(site / "paperfeed.yaml").st_mtime_ns + HOUR
    for path in [dest, *dest.rglob("*")]:
        os.utime(path, ns=(later, later), follow_symlinks=False)
    archive = dest.parent / f"{dest.name}-cache.tar"
    with tarfile.open(archive, "w", format=tarfile.GNU_FORMAT) as tar:
        tar.add(site / CACHE_DIR, arcname=CACHE_DIR)
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "tar_filter"):  # Python >= 3.11.4 (Debian 12 has 3.11.2)
            tar.extractall(dest, filter="tar")
        else:
            tar.extractall(dest)  # noqa: S202 (our own archive, just made)
    archive.unlink()
    assert not (dest / "public").exists()
    return dest


def cold(site: Path, tmp_path: Path) -> dict[str, bytes]:
    fresh = tmp_path / "cold"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("public", ".public*", CACHE_DIR))
    build(fresh, environ={}, clean=True, jobs=1)
    return snapshot(fresh / "public")


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the pages rendered (jobs=1: in this process)."""
    rendered: list[str] = []
    original = render.PageContext.render

    def counting(self: render.PageContext, page: render.PagePlan) -> object:
        rendered.append(page.path)
        return original(self, page)

    monkeypatch.setattr(render.PageContext, "render", counting)
    return rendered


def mirror(site: Path) -> Path:
    return spare_folder(site / CACHE_DIR, "public")


def assert_mirrored(site: Path) -> None:
    """The cache holds the live site: the same files, hard-linked."""
    live, copy = site / "public", mirror(site)
    assert snapshot(copy) == snapshot(live)
    assert {p: (live / p).stat().st_ino for p in snapshot(live)} == {p: (copy / p).stat().st_ino
                                                                     for p in snapshot(copy)}
    assert sorted(p.relative_to(copy) for p in copy.rglob("*")) == sorted(p.relative_to(live)
                                                                          for p in live.rglob("*"))


@pytest.mark.slow
def test_a_ci_rebuild_of_an_unchanged_site_renders_and_writes_nothing(built: Path, tmp_path: Path,
                                                                       renders: list[str]) -> None:
    site = ci_checkout(built, tmp_path / "checkout")
    timer = StageTimer()
    report = build(site, environ={}, jobs=1, timer=timer)
    assert snapshot(site / "public") == snapshot(built / "public")
    assert (report.changed, report.removed, report.files) == (0, 0, len(snapshot(built / "public")))
    assert renders == [] and "render" not in timer.wall  # stopped after checking the inputs
    # The files checked by their bytes are recorded with their new mtimes: the next check is by stat.
    stored = Ledger(site / CACHE_DIR, "", site / "public", "public", fresh=False).old_files
    assert {path: entry[:2] for path, entry in stored.items()} == scan_output(site / "public")
    assert_mirrored(site)


@pytest.mark.slow
def test_a_ci_rebuild_after_an_edit_renders_what_a_local_rebuild_renders(built: Path, tmp_path: Path,
                                                                         renders: list[str]) -> None:
    change = edit_record("content/r013.yaml", upvotes=5)
    local = tmp_path / "local"
    shutil.copytree(built, local, symlinks=True)
    change(local)
    expected = build(local, environ={}, jobs=1)
    local_renders = sorted(renders)
    renders.clear()

    site = ci_checkout(built, tmp_path / "checkout")
    change(site)
    report = build(site, environ={}, jobs=1)
    assert sorted(renders) == local_renders and 0 < len(renders) < report.pages
    assert snapshot(site / "public") == snapshot(local / "public") == cold(site, tmp_path)
    assert (report.changed, report.kept, report.files) == (expected.changed, expected.kept, expected.files)
    assert 0 < report.changed < report.files / 2
    assert_mirrored(site)


@pytest.mark.slow
def test_a_ci_rebuild_past_the_quick_check_keeps_every_page(built: Path, tmp_path: Path,
                                                            renders: list[str]) -> None:
    """A stray file in the mirror defeats the quick check: every page is then found intact by
    its bytes (its mtime is the tar's) and linked, not rendered."""
    site = ci_checkout(built, tmp_path / "checkout")
    (mirror(site) / "stray.html").write_text("stray", encoding="utf-8")
    report = build(site, environ={}, jobs=1)
    assert snapshot(site / "public") == snapshot(built / "public")
    assert (report.changed, report.removed) == (0, 1) and renders == []
    assert report.kept > report.pages  # pages, feeds and search shards
    assert_mirrored(site)


@pytest.mark.slow
def test_a_damaged_mirror_is_repaired_not_trusted(built: Path, tmp_path: Path) -> None:
    site = ci_checkout(built, tmp_path / "checkout")
    page = mirror(site) / "papers" / "2512.00003" / "index.html"
    size = page.stat().st_size
    page.write_bytes(b"x" * size)  # same size, new mtime: found out by its digest
    (mirror(site) / "sitemap.xml").unlink()  # not index.html: a mirror without one is no site, not restored
    report = build(site, environ={}, jobs=1)
    assert snapshot(site / "public") == snapshot(built / "public")
    assert report.changed == 2
    assert_mirrored(site)


@pytest.mark.slow
def test_clean_ignores_the_mirror(built: Path, tmp_path: Path) -> None:
    site = ci_checkout(built, tmp_path / "checkout")
    (mirror(site) / "index.html").write_text("stale", encoding="utf-8")
    report = build(site, environ={}, jobs=1, clean=True)
    assert snapshot(site / "public") == snapshot(built / "public")
    assert report.changed == report.files
    assert_mirrored(site)


@pytest.mark.slow
def test_the_static_salt_survives_new_mtimes_but_not_new_bytes(built: Path, tmp_path: Path) -> None:
    site = ci_checkout(built, tmp_path / "checkout")
    before = site_salt(load_config(built, environ={}))
    assert site_salt(load_config(site, environ={})) == before
    css = site / "static" / "extra.css"
    stat = css.stat()
    css.write_text("body { color: red}\n\n", encoding="utf-8")  # same size, same mtime: new bytes
    os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert site_salt(load_config(site, environ={})) != before


@pytest.mark.slow
def test_the_mirror_follows_the_live_site_over_many_builds(built: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(built, site, symlinks=True)  # the mirror a copy now, not links: the next build links it
    steps = [edit_record("content/r001.yaml", date="2025-12-05"), add_record, delete_record,
             edit_record("content/r003.yaml", authors=["Katherine Johnson", "Ada Lovelace"], tags=["robots"]),
             lambda s: (s / "static" / "extra.css").unlink()]
    for step in steps:
        step(site)
        build(site, environ={}, jobs=1)
        assert_mirrored(site)
        assert snapshot(site / "public") == cold(site, tmp_path / str(len(list(tmp_path.iterdir()))))
    # And in CI, from the mirror alone, after all that.
    checkout = ci_checkout(site, tmp_path / "checkout")
    report = build(checkout, environ={}, jobs=1)
    assert report.changed == 0 and snapshot(checkout / "public") == snapshot(site / "public")


@pytest.mark.slow
def test_a_failed_build_leaves_site_and_next_mirror_right(built: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    shutil.copytree(built, site, symlinks=True)
    before = snapshot(site / "public")
    edit_record("content/r002.yaml", abstract="A *new* abstract.")(site)

    def broken(*args: object) -> list[object]:
        raise OSError("disk full")

    monkeypatch.setattr("generator.themes.static_files", broken)  # after every page is staged
    with pytest.raises(BuildError, match="disk full; the previous site is untouched"):
        build(site, environ={}, jobs=1)
    assert snapshot(site / "public") == before
    monkeypatch.undo()
    build(site, environ={}, jobs=1)
    assert snapshot(site / "public") == cold(site, tmp_path)
    assert_mirrored(site)
