"""Rebuilds with the cache and dependency tracking give exactly the bytes of a cold build.

One site is built once; each test copies it (output and cache included), changes
one input, rebuilds it, and compares every output file with a cold build of the
same input made in another folder without any cache.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.build import build
from generator.cache import CACHE_DIR
from generator.timing import StageTimer
from tests.conftest import make_site, record
from tests.support.rebuilds import cold_build, edit_record, override_template, set_config
from tests.support.trees import snapshot

AUTHORS = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov"]
TAGS = ["attention", "diffusion", "efficiency", "agents"]


def records() -> list[dict]:
    found = []
    for i in range(14):
        day = f"2025-12-{1 + i // 3:02d}"
        found.append(record(
            f"2512.{i + 1:05d}", title=f"Paper {i} on $x_{i}$", date=day, upvotes=(i * 7) % 11,
            authors=AUTHORS[i % 3: i % 3 + 2 + i % 2], tags=TAGS[i % 4: i % 4 + 1 + i % 2],
            organization="Tencent" if i % 4 == 0 else "",
            abstract=f"Abstract {i} with **bold**, `code` and $y_{i}$.\n\nSecond [link](https://example.org/{i})."))
    for r in found:
        if not r["organization"]:
            del r["organization"]
    return found


pytestmark = pytest.mark.usefixtures("small_shards")  # tests/conftest.py: search shards of 4 papers


@pytest.fixture(scope="module")
def base_site(small_shards: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = {"title": "Incremental", "base_url": "https://example.org/papers/", "per_page": 2,
              "tags": {"min_papers": 2, "feed_min_papers": 2}}
    site = make_site(tmp_path_factory.mktemp("incremental") / "site", records(), config)
    build(site, environ={})
    assert sorted(p.name for p in (site / "public" / "pagefind").iterdir()) == ["1", "2", "3"]
    return site


def add_record(site: Path) -> None:
    new = record("2512.09999", title="A new paper", date="2025-12-05", upvotes=50,
                 authors=["Grace Hopper", "Katherine Johnson"], tags=["agents", "robots"])
    (site / "content" / "new.yaml").write_text(yaml.safe_dump(new), encoding="utf-8")


def delete_record(site: Path) -> None:
    (site / "content" / "r004.yaml").unlink()


def rename_record(site: Path) -> None:
    (site / "content" / "r005.yaml").rename(site / "content" / "renamed.yaml")


CHANGES: dict[str, Callable[[Path], None]] = {
    "edit title and upvotes": edit_record("content/r007.yaml", title="Edited $z$ title", upvotes=99),
    "edit the date": edit_record("content/r001.yaml", date="2025-12-05"),
    "edit an abstract": edit_record("content/r002.yaml", abstract="A *new* abstract."),
    "an author gets a page": edit_record("content/r003.yaml", authors=["Katherine Johnson", "Ada Lovelace"]),
    "add": add_record,
    "delete": delete_record,
    "rename": rename_record,
    "template": override_template("paper.html", "<!-- mine -->"),
    "config": set_config(title="Renamed site"),
}


# The fast tier (docs/testing.md) keeps one edit; CI runs every kind of change.
FAST_CHANGES = ("edit title and upvotes",)


@pytest.mark.parametrize("name", [pytest.param(name, marks=() if name in FAST_CHANGES else pytest.mark.slow)
                                  for name in CHANGES])
def test_a_rebuild_after_a_change_equals_a_cold_build(name: str, base_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    before = snapshot(site / "public")
    CHANGES[name](site)
    report = build(site, environ={}, jobs=1)
    after = snapshot(site / "public")
    assert after == cold_build(site, tmp_path)
    if name == "rename":  # a record's file name shows nowhere
        assert after == before and report.changed == 0
    else:
        assert after != before
        assert 0 < report.changed < report.files
    if name not in ("template", "config"):
        assert report.kept > 0


@pytest.mark.slow
def test_a_record_edit_renders_only_what_shows_it(base_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    edit_record("content/r013.yaml", upvotes=3)(site)
    report = build(site, environ={}, jobs=1)
    assert report.kept > report.files / 2
    assert snapshot(site / "public") == cold_build(site, tmp_path)


def test_an_unchanged_site_is_not_built_again(base_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    timer = StageTimer()
    report = build(site, environ={}, timer=timer)
    assert (report.changed, report.removed) == (0, 0)
    assert report.files == len(snapshot(site / "public"))
    assert "render" not in timer.wall  # stopped after checking the inputs


@pytest.mark.parametrize("edit", [False, True])
def test_an_output_as_left_is_checked_without_listing_it(base_site: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch, edit: bool) -> None:
    """A stat of each folder and file the last build left stands for a listing of the output."""
    import generator.ledger

    def listed(folder: Path) -> None:
        raise AssertionError(f"listed {folder}")

    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    if edit:
        edit_record("content/r013.yaml", title="Retitled")(site)
    monkeypatch.setattr(generator.ledger, "scan_output", listed)
    report = build(site, environ={})
    if edit:
        assert report.changed > 0 and report.kept > 0
        assert snapshot(site / "public") == cold_build(site, tmp_path)
    else:
        assert (report.changed, report.removed) == (0, 0)


@pytest.mark.parametrize("stray", ["papers/2512.00003/notes.txt", "papers/2512.00003/extra/a.html", "stray/x.html"])
def test_a_file_added_to_the_output_is_removed(base_site: Path, tmp_path: Path, stray: str) -> None:
    """A folder's new entry changes its mtime: the build looks again, and the site is what it was."""
    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    expected = snapshot(site / "public")
    (site / "public" / stray).parent.mkdir(parents=True, exist_ok=True)
    (site / "public" / stray).write_text("left by hand", encoding="utf-8")
    report = build(site, environ={})
    assert report.removed == 1
    assert snapshot(site / "public") == expected


@pytest.mark.parametrize("damage", ["delete", "edit"])
@pytest.mark.slow
def test_a_damaged_output_is_repaired(base_site: Path, tmp_path: Path, damage: str) -> None:
    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    expected = snapshot(site / "public")
    page = site / "public" / "papers" / "2512.00003" / "index.html"
    if damage == "delete":
        page.unlink()
    else:
        page.write_text("edited by hand", encoding="utf-8")
    report = build(site, environ={})
    assert report.changed == 1
    assert snapshot(site / "public") == expected


@pytest.mark.slow
def test_a_corrupted_cache_is_ignored(base_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    for path in (site / CACHE_DIR).glob("*.pickle"):
        path.write_bytes(b"\x80\x05garbage")
    edit_record("content/r000.yaml", upvotes=42)(site)
    build(site, environ={})
    assert snapshot(site / "public") == cold_build(site, tmp_path)


def test_the_cache_ignores_itself_in_git(base_site: Path) -> None:
    assert (base_site / CACHE_DIR / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


@pytest.mark.slow
def test_parallel_and_serial_builds_are_identical(tmp_path: Path) -> None:
    many = [record(f"2512.{i:05d}", date=f"2025-12-{1 + i % 8:02d}", authors=[f"Author {i % 13}"],
                   tags=[f"tag{i % 5}"], abstract=f"Text {i} with $x^{i % 3}$.") for i in range(1, 260)]
    site = make_site(tmp_path / "site", many, {"title": "Many", "per_page": 5})
    build(site, environ={}, jobs=2, clean=True)
    parallel = snapshot(site / "public")
    build(site, environ={}, jobs=1, clean=True)
    assert snapshot(site / "public") == parallel


@pytest.mark.slow
def test_pages_made_in_batches_are_the_pages_made_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of pages, each rendered on every core with the views and cards it needs made again,
    give the bytes of one batch: cold, and after an edit that keeps most pages."""
    import generator.incremental
    import generator.parallel
    import generator.render

    many = [record(f"2512.{i:05d}", date=f"2025-12-{1 + i % 8:02d}", authors=[f"Author {i % 13}"],
                   tags=[f"tag{i % 5}"], abstract=f"Text {i} with $x^{i % 3}$.") for i in range(1, 260)]
    site = make_site(tmp_path / "site", many, {"title": "Many", "per_page": 5})
    build(site, environ={}, jobs=2, clean=True)
    whole = snapshot(site / "public")
    monkeypatch.setattr(generator.incremental, "BATCH_PAGES", 100)  # 348 pages: four batches,
    for module in (generator.parallel, generator.render):  # each rendered by workers of its own
        monkeypatch.setattr(module, "MIN_ITEMS", 20)
    forgotten: list[int] = []
    forget = generator.render.PageContext.forget
    monkeypatch.setattr(generator.render.PageContext, "forget",
                        lambda ctx: (forgotten.append(len(ctx.views)), forget(ctx))[1])
    report = build(site, environ={}, jobs=2, clean=True)
    assert snapshot(site / "public") == whole and report.pages > 3 * 100
    assert len(forgotten) == 3 and forgotten[0] > 0  # the views of the first batch went
    edit_record("content/r007.yaml", title="Retitled", upvotes=99)(site)
    report = build(site, environ={}, jobs=2)
    assert 0 < report.changed and report.kept > 0
    assert snapshot(site / "public") == cold_build(site, tmp_path)


def test_a_batch_of_pages_makes_the_views_of_its_months_papers(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages come month by month (its day, week and month lists, then its papers' pages), so a
    batch makes the views and cards of a few months' papers, not of every paper of the site at
    once; the site is the same bytes as one batch gives."""
    import generator.incremental
    import generator.render

    months = ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]
    # Tags of one month each, so a paper's related papers (nearest in date in its tags) are of its month.
    many = [record(f"2512.{i:05d}", date=f"{months[i % 6]}-{1 + i % 7:02d}", authors=[f"Author {i % 9}"],
                   tags=[f"tag{i % 6}-{i % 2}"]) for i in range(1, 121)]
    site = make_site(tmp_path / "site", many, {"title": "Months", "per_page": 5})
    build(site, environ={}, jobs=1, clean=True)
    whole = snapshot(site / "public")
    monkeypatch.setattr(generator.incremental, "BATCH_PAGES", 40)  # a month: 7 day lists, weeks, its own, 20 papers
    made: list[set[str]] = []
    forget = generator.render.PageContext.forget
    monkeypatch.setattr(generator.render.PageContext, "forget",
                        lambda ctx: (made.append(set(ctx.views)), forget(ctx))[1])
    build(site, environ={}, jobs=1, clean=True)
    assert snapshot(site / "public") == whole
    month_of = {r["id"]: r["date"][:7] for r in many}
    first = {month_of[key] for key in made[0]}
    # The home page and trending show the newest papers (5 each); then July's lists and pages, and August's.
    assert 0 < len(made[0]) < len(many) / 2 and first <= {"2025-07", "2025-08", "2025-12"}, (first, len(made[0]))


@pytest.mark.slow
def test_the_ledger_remembers_the_output_exactly_as_written(base_site: Path, tmp_path: Path) -> None:
    """The ledger's record of the output (made without scanning it again) is what a scan finds."""
    from generator.ledger import Ledger, scan_output
    from generator.writer import content_digest

    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    edit_record("content/r013.yaml", upvotes=3)(site)
    build(site, environ={}, jobs=1)
    stored = Ledger(site / CACHE_DIR, "", site / "public", "public", fresh=False).old_files
    assert {path: entry[:2] for path, entry in stored.items()} == scan_output(site / "public") and len(stored) > 20
    assert all(entry[2] == content_digest((site / "public" / path).read_bytes()) for path, entry in stored.items())


def test_the_ledger_knows_the_output_tree_the_writer_would_scan(base_site: Path, tmp_path: Path) -> None:
    """Its stats of every file the last build wrote give the writer the output's tree (no second
    walk), while every folder is as that build left it; a file added anywhere, and it does not."""
    from generator.ledger import Ledger
    from generator.sink import scan_tree

    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    tree = Ledger(site / CACHE_DIR, "", site / "public", "public", fresh=False).output_tree()
    assert tree is not None and tree == scan_tree(site / "public") and len(tree[0]) > 20 and tree[2]
    (site / "public" / "papers" / "stray.html").write_text("x", encoding="utf-8")
    assert Ledger(site / CACHE_DIR, "", site / "public", "public", fresh=False).output_tree() is None
    assert Ledger(site / CACHE_DIR, "", site / "public", "public", fresh=True).output_tree() is None
