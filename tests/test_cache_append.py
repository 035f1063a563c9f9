"""A partial cache section (records, markup) is appended to, not rewritten, after a small change:
what it holds is the same as a rewrite's, a torn or changed file is checked, and it is rewritten
before it grows past what it holds by much."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import build
from generator.cache import CACHE_DIR, Section
from generator.seal import seal_path
from tests.conftest import make_site, record
from tests.support.rebuilds import cold_build, edit_record
from tests.support.trees import snapshot


def section(folder: Path, partial: bool = True) -> Section:
    return Section(folder, "demo", "salt", partial=partial)


def saved(folder: Path, data: dict[str, int]) -> Section:
    """A section saved with data and loaded again (as the next build does)."""
    section(folder).save(data)
    loaded = section(folder)
    assert loaded.load() == data and loaded.sealed
    return loaded


def lines(folder: Path) -> int:
    return len((folder / "demo.jsonl").read_bytes().split(b"\n"))


def test_a_new_entry_is_appended_and_read_back(tmp_path: Path) -> None:
    data = {f"k{i}": i for i in range(100)}
    loaded = saved(tmp_path, data)
    inode, before = (tmp_path / "demo.jsonl").stat().st_ino, lines(tmp_path)
    loaded.save({**data, "new": 7}, unchanged=set(data))
    assert (tmp_path / "demo.jsonl").stat().st_ino == inode  # the same file, not a rewrite
    assert lines(tmp_path) == before + 2  # a head line counting them, and the entry
    again = section(tmp_path)
    assert again.load() == {**data, "new": 7} and again.sealed and not again.dropped
    seal_path(tmp_path / "demo.jsonl").unlink()  # as a restored CI cache: every line checked
    checked = section(tmp_path)
    assert checked.load() == {**data, "new": 7} and not checked.sealed and checked.dropped == 0


def test_a_later_line_replaces_an_earlier_one(tmp_path: Path) -> None:
    loaded = saved(tmp_path, {"a": 1, "b": 2})
    loaded.save({"a": 1, "b": 5}, unchanged={"a"})
    assert section(tmp_path).load() == {"a": 1, "b": 5}
    seal_path(tmp_path / "demo.jsonl").unlink()
    assert section(tmp_path).load() == {"a": 1, "b": 5}


def test_dropped_entries_are_rewritten_away_before_the_file_grows_much(tmp_path: Path) -> None:
    """Entries data no longer holds stay in the file until a rewrite, which comes once its lines
    pass 1.25 times its entries (plus a few): a file never grows without bound."""
    data = {f"k{i}": i for i in range(400)}
    loaded = saved(tmp_path, data)
    rewrites = 0
    for n in range(120):
        inode = (tmp_path / "demo.jsonl").stat().st_ino
        data = {**{k: v for k, v in data.items() if k != f"k{n}"}, f"n{n}": n}
        loaded.save(data, unchanged=set(data) - {f"n{n}"})
        rewrites += (tmp_path / "demo.jsonl").stat().st_ino != inode
        loaded = section(tmp_path)
        found = loaded.load()
        assert {key: found[key] for key in data} == data and loaded.sealed  # and what it dropped, for now
        assert lines(tmp_path) <= 1.25 * len(data) + 64 + 2
    assert 1 <= rewrites < 10


def test_a_torn_append_is_checked_and_the_rest_kept(tmp_path: Path) -> None:
    """A build killed while appending: the seal no longer matches, every line is checked, the torn
    one is dropped and the next save rewrites the file."""
    data = {f"k{i}": i for i in range(50)}
    loaded = saved(tmp_path, data)
    loaded.save({**data, "new": 123456}, unchanged=set(data))
    path = tmp_path / "demo.jsonl"
    path.write_bytes(path.read_bytes()[:-3])
    torn = section(tmp_path)
    assert torn.load() == data and not torn.sealed and torn.dropped == 1
    torn.save({**data, "new": 123456}, unchanged=set(data))
    again = section(tmp_path)
    assert again.load() == {**data, "new": 123456} and again.sealed and not again.dropped


def test_a_checked_file_is_rewritten_not_appended_to(tmp_path: Path) -> None:
    """A file read with its checks (no seal: a restored cache) is sealed only by a rewrite."""
    section(tmp_path).save({"a": 1})
    seal_path(tmp_path / "demo.jsonl").unlink()
    checked = section(tmp_path)
    assert checked.load() == {"a": 1} and not checked.sealed
    inode = (tmp_path / "demo.jsonl").stat().st_ino
    checked.save({"a": 1, "b": 2}, unchanged={"a"})
    assert (tmp_path / "demo.jsonl").stat().st_ino != inode
    assert section(tmp_path).load() == {"a": 1, "b": 2}


def test_a_whole_section_is_always_rewritten(tmp_path: Path) -> None:
    whole = section(tmp_path, partial=False)
    whole.save({"a": 1})
    loaded = section(tmp_path, partial=False)
    assert loaded.load() == {"a": 1}
    inode = (tmp_path / "demo.jsonl").stat().st_ino
    loaded.save({"a": 1, "b": 2}, unchanged={"a"})
    assert (tmp_path / "demo.jsonl").stat().st_ino != inode


def test_appending_under_ci_leaves_no_seal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("PAPERFEED_SEAL")
    section(tmp_path).save({"a": 1})
    loaded = section(tmp_path)
    assert loaded.load() == {"a": 1} and not loaded.sealed
    inode = (tmp_path / "demo.jsonl").stat().st_ino
    loaded.save({"a": 1, "b": 2}, unchanged={"a"})
    assert (tmp_path / "demo.jsonl").stat().st_ino == inode
    assert not seal_path(tmp_path / "demo.jsonl").exists()
    assert section(tmp_path).load() == {"a": 1, "b": 2}


def test_edits_that_append_build_what_a_cold_build_does(tmp_path: Path) -> None:
    """Records and markup appended to over several edits: the same site as a cold build, and the
    caches hold what a rewrite would (read back sealed and checked)."""
    papers = [record(f"2512.{i:05d}", title=f"Paper {i} with $x_{i}$", abstract=f"Abstract **{i}** $y^{i}$.",
                     authors=[f"Author {i % 7}"], tags=[f"tag{i % 3}"]) for i in range(1, 40)]
    site = make_site(tmp_path / "site", papers, {"title": "Append", "base_url": "https://example.org/"})

    build(site, environ={}, jobs=1)
    caches = [site / CACHE_DIR / f"{name}.jsonl" for name in ("markup", "records")]
    inodes = [path.stat().st_ino for path in caches]
    target = sorted((site / "content").rglob("*.yaml"))[0]
    for n in range(3):
        edit_record(str(target.relative_to(site)), abstract=f"Edit {n}: **new** $z_{n}$.")(site)
        build(site, environ={}, jobs=1)
    assert [path.stat().st_ino for path in caches] == inodes  # appended to, every time
    assert all(seal_path(path).exists() for path in caches)
    assert snapshot(site / "public") == cold_build(site, tmp_path)
    remade = tmp_path / "again"  # the appended caches read back: the same site again
    shutil.copytree(site, remade, ignore=shutil.ignore_patterns("public", ".public*", "spare-*"))
    build(remade, environ={}, jobs=1)
    assert snapshot(remade / "public") == snapshot(site / "public")
