"""serve's in-memory path: a WarmState carries parsed records and markup from one build to the
next, and every rebuild through it gives the bytes of a cold build of the same input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import generator.content as content
from generator.build import build
from generator.cache import MarkupCache, Section
from generator.record import _CONTROL, has_control
from generator.warm import WarmState
from tests.conftest import make_site
from tests.support.rebuilds import cold_build
from tests.support.trees import snapshot
from tests.test_incremental import CHANGES, records

CONFIG = {"title": "Warm", "base_url": "https://example.org/papers/", "per_page": 2,
          "tags": {"min_papers": 2, "feed_min_papers": 2}}


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The cache sections read from disk (by file name), in order."""
    seen: list[str] = []
    real = Section.load

    def counting(self: Section) -> dict:
        seen.append(self.path.name if self.path else "")
        return real(self)

    monkeypatch.setattr(Section, "load", counting)
    yield seen


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The record files parsed from YAML (not taken from a cache)."""
    seen: list[str] = []
    real = content.load_file

    def counting(data: bytes, shown: str, ctx: object) -> object:
        seen.append(shown)
        return real(data, shown, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(content, "load_file", counting)
    return seen


def set_timezone(site: Path) -> None:
    config = yaml.safe_load((site / "paperfeed.yaml").read_text(encoding="utf-8"))
    config["timezone"] = "Asia/Tokyo"
    (site / "paperfeed.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


@pytest.mark.parametrize("steps", [
    ["edit title and upvotes", "edit an abstract", "add", "delete"],
    ["rename", "an author gets a page", "template", "edit the date", "config"],
])
def test_warm_rebuilds_equal_cold_builds(tmp_path: Path, loads: list[str], parses: list[str],
                                         steps: list[str]) -> None:
    site = make_site(tmp_path / "site", records(), CONFIG)
    warm = WarmState()
    build(site, environ={}, warm=warm, jobs=1)
    assert len(parses) == 14  # the first build parses every record
    first_loads = len(loads)
    for number, name in enumerate(steps):
        parses.clear()
        CHANGES[name](site)
        build(site, environ={}, warm=warm, jobs=1)
        ours = [name for name in loads[first_loads:] if name in ("files.jsonl", "records.jsonl", "markup.jsonl")]
        assert ours == [], f"{name}: a warm rebuild read {ours} from disk"
        changed = [] if name in ("config", "template") else ["content/renamed.yaml"] if name == "rename" else None
        if changed is not None:
            assert parses == changed, name
        elif name != "delete":
            assert len(parses) == 1, (name, parses)  # the one saved record, and only it
        else:
            assert parses == []
        cold = cold_build(site, tmp_path / f"cold{number}")
        first_loads = len(loads)
        assert snapshot(site / "public") == cold, name


def test_a_new_time_zone_parses_again(tmp_path: Path, parses: list[str]) -> None:
    """Records parsed under one time zone are not reused under another (their dates may differ)."""
    site = make_site(tmp_path / "site", records(), CONFIG)
    warm = WarmState()
    build(site, environ={}, warm=warm, jobs=1)
    parses.clear()
    set_timezone(site)
    build(site, environ={}, warm=warm, jobs=1)
    assert len(parses) == 14
    assert snapshot(site / "public") == cold_build(site, tmp_path / "cold")


def test_flush_leaves_the_disk_cache_for_the_next_build(tmp_path: Path, parses: list[str]) -> None:
    """Warm rebuilds write no cache file; flush() writes them, and a command-line build after it
    parses only what changed since."""
    site = make_site(tmp_path / "site", records(), CONFIG)
    warm = WarmState()
    build(site, environ={}, warm=warm, jobs=1)
    cache = site / ".paperfeed-cache"
    assert not (cache / "records.jsonl").exists()  # pending until the session ends
    CHANGES["edit title and upvotes"](site)
    build(site, environ={}, warm=warm, jobs=1)
    assert sorted(warm.unsaved) == ["files.jsonl", "index.jsonl", "markup", "records.jsonl"]
    warm.flush()
    assert warm.unsaved == {}
    parses.clear()
    CHANGES["edit an abstract"](site)
    build(site, environ={})
    assert parses == ["content/r002.yaml"]  # r007, edited during the session, came from the cache
    assert snapshot(site / "public") == cold_build(site, tmp_path / "cold")


def test_a_save_copies_unchanged_lines_and_encodes_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Section.save(unchanged=...) copies those entries' lines from the file instead of encoding
    them; a copied line that was tampered with still fails its mac at the next load, which
    drops it (the entry is made again), and an entry missing from the file is encoded. (With
    no seal: with one, only lines of the file load() read are copied, tests/test_seal.py.)"""
    monkeypatch.setenv("PAPERFEED_SEAL", "0")
    section = Section(tmp_path / "cache", "demo", "salt", partial=True)
    section.save({"a": 1, "b": [2, 3], "c": "x"})
    path = tmp_path / "cache" / "demo.jsonl"
    lines = path.read_bytes().split(b"\n")
    assert len(lines) == 4
    a_line = next(line for line in lines if b'"a"' in line)
    path.write_bytes(b"\n".join(line.replace(b"[2,3]", b"[2,4]") for line in lines))
    section.save({"a": 1, "b": [2, 3], "d": None, "e": 5}, unchanged={"a", "b", "e"})
    assert a_line in path.read_bytes().split(b"\n")  # copied as it was
    again = Section(tmp_path / "cache", "demo", "salt", partial=True)
    assert again.load() == {"a": 1, "d": None, "e": 5}
    assert again.dropped == 1


def test_a_save_writes_each_entry_as_it_is_encoded(tmp_path: Path) -> None:
    """A section is written as its entries are encoded, never all lines at once (the markup of
    100,000 papers is 490 MB of lines); an entry a partial section cannot encode is left out,
    and counted as dropped by a checked load. A section that is all or nothing is removed."""
    from generator.cachecodec import Codec, Unencodable

    folder = tmp_path / "cache"
    written: list[int] = []  # bytes of the temp file when each entry is encoded

    def encode(value: str) -> str:
        written.append(sum(path.stat().st_size for path in folder.glob(".demo.jsonl.*.tmp")))
        if value == "bad":
            raise Unencodable("no")
        return '"' + value * 50_000 + '"'

    codec = Codec(encode, lambda text: text[1], None)
    section = Section(folder, "demo", "salt", codec=codec, partial=True)
    section.save({"a": "x", "b": "bad", "c": "y", "d": "z"})
    assert written[0] == 0 and written[-1] >= 2 * 50_000  # the first two lines were out before the last was made
    again = Section(folder, "demo", "salt", codec=codec, partial=True)
    assert again.load() == {"a": "x", "c": "y", "d": "z"} and again.dropped == 1
    whole = Section(folder, "whole", "salt", codec=codec)
    whole.save({"a": "x"})
    whole.save({"a": "x", "b": "bad"})
    assert not (folder / "whole.jsonl").exists() and not list(folder.glob(".whole.jsonl.*"))


def test_a_template_edit_keeps_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No record and no setting changed: the warm rebuild uses the last build's site index."""
    import generator.indexes as indexes_module

    made: list[int] = []
    real = indexes_module.build_index
    monkeypatch.setattr(indexes_module, "build_index", lambda *args: made.append(1) or real(*args))
    site = make_site(tmp_path / "site", records(), CONFIG)
    warm = WarmState()
    build(site, environ={}, warm=warm, jobs=1)
    CHANGES["template"](site)
    build(site, environ={}, warm=warm, jobs=1)
    assert made == [1]
    assert "<!-- mine -->" in (site / "public" / "papers" / "2512.00001" / "index.html").read_text(encoding="utf-8")
    CHANGES["edit title and upvotes"](site)
    build(site, environ={}, warm=warm, jobs=1)
    assert made == [1, 1]
    assert snapshot(site / "public") == cold_build(site, tmp_path / "cold")


EDGES = "a\x00\x1f\x7f\x80\x9f\xa0\u202a\u202e\u2066\u2069\ufdd0\ufffe\uffff\U0010ffff é"


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40)
       | st.text(alphabet=EDGES, max_size=10))
def test_has_control_agrees_with_the_full_pattern(text: str) -> None:
    """The fast check (what every cached paper's text passes) answers as the one-regex check."""
    assert has_control(text) == (_CONTROL.search(text) is not None)


def test_has_control_sees_each_kind() -> None:
    for char in "\x00\x08\x0b\x1f\x7f\x85\x9f\ud800\u202e\u2067\ufdd0\uffff\U0001fffe\U0010ffff":
        assert has_control(f"plain é text {char} end"), repr(char)
    assert not has_control("plain é text, 日本語 and emoji 🎉, tab\tand newline\n")


def test_markup_checked_on_every_core_still_refuses_a_forged_entry(tmp_path: Path) -> None:
    """MarkupCache.check() over many entries in worker processes: a good entry is used as
    stored, a forged one (HTML the sanitiser would change) is refused and rendered again."""
    folder = tmp_path / "cache"
    cache = MarkupCache(folder)
    keys = [MarkupCache.key("title", f"Title {i}") for i in range(400)]
    for i, key in enumerate(keys):
        cache.put(key, (f"Title {i}".encode(), f"Title {i}".encode()))
    cache.put(keys[123], (b'<img src=x onerror="alert(1)">Title 123', b"Title 123"))  # as a forged file would hold
    cache.save()
    (folder / "markup.jsonl.seal").unlink()  # not this machine's file: a forged one has no seal
    stored = MarkupCache(folder)
    stored.check(keys, jobs=2)
    assert len(stored.checked) == 399 and keys[123] not in stored.checked
    assert stored.get(keys[5]) == (b"Title 5", b"Title 5")
    assert stored.get(keys[123]) is None and stored.refused == 1
