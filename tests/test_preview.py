"""serve's quick page (generator/preview.py): a saved record's own page, from the last build's
index, before the whole rebuild; the rebuild that follows still gives a cold build's bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from lxml import html

from generator.build import build
from generator.cache import CACHE_DIR, spare_folder
from generator.preview import quick_pages, record_names
from generator.warm import WarmState
from tests.conftest import make_site
from tests.support.rebuilds import cold_build, edit_record, override_template, set_config
from tests.support.trees import snapshot
from tests.test_incremental import add_record, delete_record, records, rename_record

pytestmark = pytest.mark.usefixtures("small_shards")

CONFIG = {"title": "Quick", "base_url": "https://example.org/papers/", "per_page": 2,
          "tags": {"min_papers": 2, "feed_min_papers": 2}}
PAGE = "papers/2512.00008/index.html"  # r007.yaml holds the eighth paper (r000 is the first)


@pytest.fixture
def warm_site(tmp_path: Path) -> tuple[Path, WarmState]:
    site = make_site(tmp_path / "site", records(), CONFIG)
    warm = WarmState()
    build(site, environ={}, warm=warm, jobs=1)
    return site, warm


def title_of(page: Path) -> str:
    return " ".join(html.fromstring(page.read_bytes()).findall(".//h1")[0].text_content().split())


def test_a_saved_record_shows_on_its_page_and_the_rebuild_equals_a_cold_build(
        warm_site: tuple[Path, WarmState], tmp_path: Path) -> None:
    site, warm = warm_site
    output = site / "public"
    mirror = spare_folder(site / CACHE_DIR, "public", make=False)
    assert mirror is not None and (mirror / PAGE).is_file()
    before = snapshot(output)
    old_inode = (output / PAGE).stat().st_ino
    edit_record("content/r007.yaml", title="Quickly $x^2$ edited")(site)

    assert quick_pages(warm.basis, frozenset({"content/r007.yaml"}), output) == [PAGE]
    title = title_of(output / PAGE)
    assert title.startswith("Quickly") and "edited" in title
    assert "<math" in (output / PAGE).read_text(encoding="utf-8")  # the markup is rendered too
    after = snapshot(output)
    assert {path for path in after if after[path] != before.get(path)} == {PAGE}  # that page alone
    assert (output / PAGE).stat().st_ino != old_inode  # replaced, not written through its links
    assert (mirror / PAGE).read_bytes() == before[PAGE]  # the cache's mirror keeps the last site

    build(site, environ={}, warm=warm, jobs=1)
    assert snapshot(output) == cold_build(site, tmp_path)


def test_an_unchanged_page_is_not_written(warm_site: tuple[Path, WarmState]) -> None:
    site, warm = warm_site
    page = site / "public" / PAGE
    stamp = page.stat().st_mtime_ns, page.stat().st_ino
    os.utime(site / "content" / "r007.yaml")  # saved as it was
    assert quick_pages(warm.basis, frozenset({"content/r007.yaml"}), site / "public") == []
    assert (page.stat().st_mtime_ns, page.stat().st_ino) == stamp


def bad_record(site: Path) -> None:
    data = yaml.safe_load((site / "content" / "r007.yaml").read_text(encoding="utf-8"))
    (site / "content" / "r007.yaml").write_text(yaml.safe_dump({**data, "upvotes": "many"}), encoding="utf-8")


WAITS = {  # a change -> the names the watcher gives: each waits for the whole build
    "a setting": (set_config(title="Renamed"), {"paperfeed.yaml"}),
    "a template": (override_template("paper.html", "<!-- mine -->"), {"templates/paper.html"}),
    "a record and a setting": (set_config(title="Renamed"), {"content/r007.yaml", "paperfeed.yaml"}),
    "a new record": (add_record, {"content/new.yaml"}),
    "a deleted record": (delete_record, {"content/r004.yaml"}),
    "a renamed record": (rename_record, {"content/r005.yaml", "content/renamed.yaml"}),
    "a record with a problem": (bad_record, {"content/r007.yaml"}),
}


@pytest.mark.parametrize("name", list(WAITS))
def test_anything_but_valid_saved_records_waits_for_the_whole_build(
        name: str, warm_site: tuple[Path, WarmState]) -> None:
    site, warm = warm_site
    change, names = WAITS[name]
    before = snapshot(site / "public")
    change(site)
    assert quick_pages(warm.basis, frozenset(names), site / "public") == []
    assert snapshot(site / "public") == before


def test_no_quick_page_before_a_first_good_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", records(), CONFIG)
    assert quick_pages(WarmState().basis, frozenset({"content/r007.yaml"}), site / "public") == []


def test_record_names_are_records_of_the_content_folder_only(warm_site: tuple[Path, WarmState]) -> None:
    _, warm = warm_site
    assert warm.basis is not None
    config = warm.basis.config
    assert record_names(config, frozenset({"content/b.yaml", "content/a.YML"})) == ["content/a.YML", "content/b.yaml"]
    site = config.site_dir
    for other in ("content/2025/12/01/_day.yaml", "static/x.yaml", "content/notes.txt", "contentx/a.yaml"):
        (site / other).parent.mkdir(parents=True, exist_ok=True)
        (site / other).write_text("x", encoding="utf-8")
        assert record_names(config, frozenset({"content/a.yaml", other})) is None, other
        (site / other).unlink()  # gone again (an editor's temp file): the record alone counts
        assert record_names(config, frozenset({"content/a.yaml", other})) == ["content/a.yaml"], other


def test_a_save_through_a_temp_file_shows_quickly(warm_site: tuple[Path, WarmState]) -> None:
    """`sed -i` and many editors write a temp file beside the record and rename it over the record:
    the watcher names both, and the temp file is gone by then."""
    site, warm = warm_site
    edit_record("content/r007.yaml", title="Saved through a temp file")(site)
    names = frozenset({"content/r007.yaml", "content/sedAb12Cd", "content/.r007.yaml.swp"})
    assert quick_pages(warm.basis, names, site / "public") == [PAGE]
    assert title_of(site / "public" / PAGE) == "Saved through a temp file"
