"""The search shards' fragments stay in the cache between builds: an edit rewrites its own
fragment only, and nothing a forged or half-written folder holds is trusted or written through."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import build
from generator.cache import CACHE_DIR, fragments_folder
from generator.pagefind_run import MANIFEST
from tests.conftest import make_site
from tests.support.rebuilds import cold_build, edit_record
from tests.support.trees import snapshot
from tests.test_engine import CONFIG, records

pytestmark = pytest.mark.usefixtures("small_shards")  # shards of 4 papers


@pytest.fixture(scope="module")
def built(small_shards: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("fragments") / "site", records(), CONFIG)
    build(site, environ={}, jobs=1)
    return site


def _fragments(site: Path) -> Path:
    found = fragments_folder(site / CACHE_DIR, "public")
    assert found is not None
    return found


def _copy(built: Path, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(built, site, symlinks=True)
    return site


def _stats(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.html")}


def test_an_edit_rewrites_only_its_own_fragment(built: Path, tmp_path: Path) -> None:
    site = _copy(built, tmp_path)
    before = _stats(_fragments(site))
    assert len(before) == len(records()) and (_fragments(site) / "pagefind-1" / MANIFEST).is_file()
    edit_record("content/r010.yaml", title="A title only search knows")(site)
    build(site, environ={}, jobs=1)
    after = _stats(_fragments(site))
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {next(path for path in after if "2512.00011" in path)}
    assert snapshot(site / "public") == cold_build(site, tmp_path)


def test_a_tampered_or_unrecorded_fragment_is_written_again(built: Path, tmp_path: Path) -> None:
    site = _copy(built, tmp_path)
    shard = _fragments(site) / "pagefind-1"
    fragment = next(shard.rglob("*.html"))
    fragment.write_text("<html><body data-pagefind-body>planted words</body></html>", encoding="utf-8")
    (_fragments(site) / "pagefind-2" / MANIFEST).unlink()  # a build killed before it finished
    edit_record("content/r001.yaml", title="Another searchable title")(site)  # re-indexes shard 1
    edit_record("content/r005.yaml", title="And a third one")(site)  # and shard 2
    build(site, environ={}, jobs=1)
    assert "planted" not in fragment.read_text(encoding="utf-8")
    assert snapshot(site / "public") == cold_build(site, tmp_path)


def test_a_linked_fragments_folder_is_never_written_through(built: Path, tmp_path: Path) -> None:
    site = _copy(built, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(_fragments(site), elsewhere)
    shutil.rmtree(_fragments(site))
    _fragments(site).symlink_to(elsewhere, target_is_directory=True)
    inner = tmp_path / "inner"
    inner.mkdir()
    (elsewhere / "pagefind-2" / "papers").rename(tmp_path / "moved")
    (elsewhere / "pagefind-2" / "papers").symlink_to(inner, target_is_directory=True)
    untouched = snapshot(elsewhere)
    edit_record("content/r010.yaml", title="Edited behind a link")(site)
    edit_record("content/r005.yaml", title="Edited in shard two")(site)
    build(site, environ={}, jobs=1)
    assert snapshot(elsewhere) == untouched and not any(inner.iterdir())
    assert not _fragments(site).is_symlink()
    assert snapshot(site / "public") == cold_build(site, tmp_path)


def test_a_copied_cache_on_a_file_system_that_lists_in_creation_order_gives_a_cold_bundle() -> None:
    """tmpfs lists a folder's entries in the order they were made, so a copy of the cache (as a
    CI restore makes) lists the kept fragments in another order than a fresh layout: Pagefind,
    which numbers pages as it finds them, must still read them in one order (a new tree)."""
    import tempfile

    shm = Path("/dev/shm")
    if not shm.is_dir():
        pytest.skip("no /dev/shm (tmpfs) here")
    with tempfile.TemporaryDirectory(dir=shm) as folder:
        first = make_site(Path(folder) / "first", records(), CONFIG)
        build(first, environ={}, jobs=1)
        site = Path(folder) / "site"
        shutil.copytree(first, site, symlinks=True)  # in listing order: the kept folders reversed
        edit_record("content/r010.yaml", title="A title only search knows")(site)
        build(site, environ={}, jobs=1)
        assert snapshot(site / "public") == cold_build(site, Path(folder))
