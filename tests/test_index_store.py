"""The index kept between builds (generator/index_store.py): read back exactly as it was made, over
this build's papers; refused whole when it is not; and used only while records and config stand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import generator.indexes as indexes
import generator.search as search
from generator.build import build, load_content, render_markup
from generator.index_store import IndexStore, decode, encode
from generator.indexes import SiteIndex, build_index
from generator.search import plan_search, shard_papers
from generator.urls import Urls
from tests.conftest import SITES, make_site
from tests.support.rebuilds import cold_build
from tests.support.trees import snapshot
from tests.test_incremental import CHANGES, records

REFUSED = (ValueError, TypeError, KeyError, IndexError, AttributeError)


@pytest.fixture(scope="module")
def small() -> tuple[list[Any], SiteIndex]:
    config, papers, markers = load_content(SITES / "small", environ={})
    papers = render_markup(papers)
    return papers, build_index(papers, config, markers)


def test_the_index_comes_back_as_it_was_made(small: tuple[list[Any], SiteIndex]) -> None:
    papers, index = small
    back = decode(json.loads(json.dumps(encode(index))), list(reversed(papers)))
    assert back == index
    assert back.related and back.taxonomies["authors"] and back.weeks  # not an empty index compared
    assert all(a is b for a, b in zip(back.papers, index.papers, strict=True))  # the build's own papers
    assert all(a is b for a, b in zip(back.days[0].papers, index.days[0].papers, strict=True))


@pytest.mark.parametrize("tamper", [
    lambda data: data["papers"].pop(),  # another build's papers: one fewer
    lambda data: data["papers"].__setitem__(0, "nobody"),  # a key this build has not
    lambda data: data["papers"].__setitem__(1, data["papers"][0]),  # one paper twice
    lambda data: data["days"][0].__setitem__(2, "0,99999"),  # no such position
    lambda data: data["days"][0].__setitem__(2, "0,x"),  # not a position
    lambda data: data["days"][0].__setitem__(3, 1),  # a flag that is not a bool
    lambda data: data["days"][0].__setitem__(0, "2025-13-40"),  # not a date
    lambda data: data["taxonomies"]["tags"][0].pop(),  # a field missing
    lambda data: data["taxonomies"]["tags"][0].__setitem__(0, "../../index"),  # a slug that is a path
    lambda data: data["related"].pop(),  # a paper without its related list
    lambda data: data.pop("searches"),
])
def test_an_index_that_is_not_as_written_is_refused(small: tuple[list[Any], SiteIndex], tamper: Any) -> None:
    papers, index = small
    data = json.loads(json.dumps(encode(index)))
    tamper(data)
    with pytest.raises(REFUSED):
        decode(data, papers)


def test_the_store_gives_the_index_saved_under_its_key_only(small: tuple[list[Any], SiteIndex],
                                                           tmp_path: Path) -> None:
    papers, index = small
    first = IndexStore(tmp_path, "key-1")
    first.made(index)
    first.planned_search("tool-a", {1: "k1", 2: "k2"})
    first.save(index)
    again = IndexStore(tmp_path, "key-1")
    assert again.load(papers) == index
    assert again.search_keys("tool-a") == {1: "k1", 2: "k2"}
    assert again.search_keys("tool-b") is None  # another Pagefind: the keys are made again
    assert IndexStore(tmp_path, "key-2").load(papers) is None
    assert IndexStore(tmp_path, "key-1", fresh=True).load(papers) is None  # build --clean
    assert IndexStore(tmp_path, "key-1").load(papers[1:]) is None  # not this build's papers: made again


def test_known_shard_keys_plan_the_same_shards(small: tuple[list[Any], SiteIndex]) -> None:
    papers, index = small
    urls = Urls("https://example.org/", "")
    made: list[dict[str, bytes]] = []

    def indexer(fragments: dict[str, bytes], prefix: str) -> Any:
        made.append(fragments)
        return list

    shards = shard_papers(index, size=3)
    planned = list(plan_search(index, urls, indexer, "tool", shards))
    assert len(planned) > 1
    known = list(plan_search(index, urls, indexer, "tool", shards, keys={1: planned[0].key}))
    assert [plan.key for plan in known] == [plan.key for plan in planned]
    for plan in planned[:1] + known[:1]:  # the same fragments, filters made only when started
        plan.start()
    assert made[0] == made[1] and made[0]


def test_a_template_edit_reads_the_index_back_and_a_record_or_config_edit_makes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "site", records(), {"title": "Kept", "base_url": "https://example.org/"})
    build(site, environ={}, jobs=1)
    made: list[str] = []
    real_index, real_filters = indexes.build_index, search.paper_filters
    monkeypatch.setattr(indexes, "build_index", lambda *args: made.append("index") or real_index(*args))
    monkeypatch.setattr(search, "paper_filters", lambda *args: made.append("filters") or real_filters(*args))
    for change, makes in (("template", set()), ("edit title and upvotes", {"index", "filters"}),
                          ("config", {"index", "filters"})):
        CHANGES[change](site)
        build(site, environ={}, jobs=1)
        assert set(made) == makes, change
        assert snapshot(site / "public") == cold_build(site, tmp_path / change)
        made.clear()  # the cold build's own
