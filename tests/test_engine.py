"""The incremental layer (generator/incremental.py) and the pure stages that feed it plans.

One small site is built once; each change test copies it (output and cache included),
changes one input, rebuilds it through the layer and compares every byte with a cold
build of the same input. The planning tests run the stages on an index alone: no cache
folder, no output, nothing written.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import generator.incremental as incremental
import generator.pages as pages
import generator.search as search
from generator.build import build, load_content, render_markup
from generator.depends import PaperRefs
from generator.feeds import build_feeds
from generator.incremental import FilePlan, GroupPlan, PageGroup, PagePlan
from generator.indexes import build_index
from generator.model import OutputFile
from generator.render import PageContext
from generator.themes import make_environment
from generator.urls import Urls
from tests.conftest import make_site, record
from tests.support.rebuilds import cold_build, edit_record, override_template, set_config
from tests.support.trees import snapshot

AUTHORS = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov"]
TAGS = ["attention", "diffusion", "efficiency", "agents"]
CONFIG = {"title": "Engine", "base_url": "https://example.org/engine/", "per_page": 2, "rows_per_page": 2,
          "tags": {"min_papers": 2, "feed_min_papers": 2}, "authors": {"min_papers": 2},
          "api": {"papers": True, "history": True}}


def records() -> list[dict]:
    found = []
    for i in range(12):
        found.append(record(
            f"2512.{i + 1:05d}", title=f"Paper {i} on $x_{i}$", date=f"2025-12-{1 + i // 3:02d}",
            upvotes=(i * 5) % 7, authors=AUTHORS[i % 4: i % 4 + 2], tags=TAGS[i % 4: i % 4 + 1 + i % 2],
            abstract=f"Abstract {i} with **bold** and $y_{i}$."))
    found[0]["tags"] = ["rare"]  # the one paper of its tag: the tag has no page
    return found


@pytest.fixture(scope="module")
def base_site(small_shards: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("engine") / "site"
    site = make_site(root, records(), CONFIG, files={"static/extra.css": "body { color: black }\n"})
    build(site, environ={}, jobs=1)
    return site


def add(site: Path) -> None:
    new = record("2512.09999", title="A newcomer", date="2025-12-04", upvotes=9,
                 authors=["Katherine Johnson", "Ada Lovelace"], tags=["rare", "robots"])
    (site / "content" / "new.yaml").write_text(yaml.safe_dump(new), encoding="utf-8")


def static(site: Path) -> None:
    (site / "static" / "extra.css").write_text("body { color: navy }\n", encoding="utf-8")


CHANGES: dict[str, Callable[[Path], None]] = {
    "record edit": edit_record("content/r010.yaml", title="Edited $z$ title", upvotes=40),
    "upvotes only": edit_record("content/r004.yaml", upvotes=30),
    # other papers' views change: a tag gets a page, an author loses one (links move to search)
    "a tag gets a page": edit_record("content/r005.yaml", tags=["rare"]),
    "a tag loses its page": edit_record("content/r004.yaml", tags=["agents"]),
    "add": add,
    "delete": lambda site: (site / "content" / "r006.yaml").unlink(),
    "rename": lambda site: (site / "content" / "r007.yaml").rename(site / "content" / "moved.yaml"),
    "template": override_template("list.html", "<!-- m -->"),
    "config": set_config(description="Another description"),
    "theme static file": static,
}


@pytest.fixture
def layers(monkeypatch: pytest.MonkeyPatch) -> list[incremental.Incremental]:
    """The layer of each build, as it was when it saved the ledger."""
    found: list[incremental.Incremental] = []
    save = incremental.Incremental.save

    def spy(self: incremental.Incremental, *args: object) -> None:
        found.append(self)
        save(self, *args)  # type: ignore[arg-type]
    monkeypatch.setattr(incremental.Incremental, "save", spy)
    return found


@pytest.mark.parametrize("name", CHANGES)
def test_a_rebuild_through_the_layer_equals_a_cold_build(name: str, base_site: Path, tmp_path: Path,
                                                         layers: list[incremental.Incremental]) -> None:
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
        assert after != before and 0 < report.changed < report.files
    layer = layers[0]
    assert report.pages == layer.outcome().pages == len(layer.page_paths)
    if name in ("config", "theme static file"):  # the salt changed: every view made again
        assert layer.book is not None and layer.book.made == len(layer.index.papers)
    elif name == "template":  # list.html: its pages alone made again, from the last build's views
        assert layer.book is not None and layer.book.made == 0
        changed = {path for path in after if after[path] != before.get(path)}
        assert changed and all(b'<!-- m -->' in after[path] for path in changed)
        assert not any(path.startswith("papers/") for path in changed)  # paper.html does not use it
    else:
        assert report.kept > report.files / 3


def test_a_record_edit_makes_views_and_plans_in_proportion(base_site: Path, tmp_path: Path,
                                                            layers: list[incremental.Incremental],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the edited paper's view is made again, and only the groups that show it are planned."""
    planned: list[str] = []
    paper_page = pages.paper_pages
    monkeypatch.setattr(pages, "paper_pages", lambda ctx, paper: planned.append(paper.key) or paper_page(ctx, paper))
    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    edit_record("content/r010.yaml", upvotes=41)(site)
    build(site, environ={}, jobs=1)
    book = layers[0].book
    assert book is not None and book.made == 1 and not book.suspect
    # its own page, and the pages whose related papers include it
    related = {paper.key for paper in layers[0].index.papers if "2512.00011" in
               {p.key for p in layers[0].index.related.get(paper.key, ())}}
    assert set(planned) == {"2512.00011"} | related and len(planned) == len(set(planned)) < len(layers[0].index.papers)
    assert snapshot(site / "public") == cold_build(site, tmp_path)


def test_a_second_rebuild_keeps_what_the_first_made(base_site: Path, tmp_path: Path,
                                                     layers: list[incremental.Incremental]) -> None:
    """The ledger the layer saved after an edit is complete: the next edit starts from it."""
    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    edit_record("content/r002.yaml", authors=["Katherine Johnson", "Alan Turing"])(site)  # a term changes its papers
    build(site, environ={}, jobs=1)
    edit_record("content/r009.yaml", title="Then another")(site)
    build(site, environ={}, jobs=1)
    assert layers[1].book is not None and layers[1].book.made == 1
    assert snapshot(site / "public") == cold_build(site, tmp_path)


def test_a_deferred_search_shard_stays_stale_until_the_next_build(base_site: Path, tmp_path: Path) -> None:
    """serve's first build after a save (defer_search): the pages are new, the changed shard is the
    last build's; the next build indexes it (it does not stop as "nothing changed") and equals cold."""
    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    before = snapshot(site / "public")
    edit_record("content/r010.yaml", title="A searchable new title")(site)
    report = build(site, environ={}, jobs=1, defer_search=True)
    deferred = snapshot(site / "public")
    assert report.deferred == 1
    assert "A searchable new title" in deferred["papers/2512.00011/index.html"].decode()
    search_files = {path for path in before if path.startswith("pagefind/")}
    assert {path: deferred.get(path) for path in search_files} == {path: before[path] for path in search_files}
    again = build(site, environ={}, jobs=1)
    assert again.deferred == 0 and again.changed > 0
    after = snapshot(site / "public")
    assert after == cold_build(site, tmp_path)
    assert any(after.get(path) != before[path] for path in search_files)  # the shard was indexed again


# Planning: pure functions of the index, no cache, no output.


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[PageContext, list[PagePlan | PageGroup]]:
    site = make_site(tmp_path_factory.mktemp("plan") / "site", records(), CONFIG)
    config, papers, markers = load_content(site, environ={})
    index = build_index(render_markup(papers), config, markers)
    urls = Urls(config.base_url, config.feeds.id_base)
    ctx = PageContext(config, urls, index, make_environment(site, config.theme))
    items = pages.plan_pages(ctx)
    assert sorted(p.name for p in site.iterdir()) == ["content", "paperfeed.yaml"]  # nothing written
    return ctx, items


def _all(items: list[PagePlan | PageGroup]) -> list[PagePlan]:
    return [plan for item in items for plan in (item.plans() if isinstance(item, PageGroup) else [item])]


def test_pages_are_planned_with_paper_keys_not_views(planned: tuple[PageContext, list]) -> None:
    ctx, items = planned
    plans = _all(items)
    paths = [plan.path for plan in plans]
    assert len(paths) == len(set(paths)) and "papers/2512.00001/index.html" in paths
    assert "tags/agents/index.html" in paths and "tags/rare/index.html" not in paths  # one paper: no page
    groups = {item.name for item in items if isinstance(item, PageGroup)}
    assert {f"paper:{paper.key}" for paper in ctx.index.papers} <= groups and "term:tags:agents" in groups
    day = next(plan for plan in plans if plan.path == "days/2025-12-04/index.html")
    assert day.values["cards"] == PaperRefs(("2512.00012", "2512.00010"))  # ranked by upvotes: 6, 3 (then 1)
    assert not ctx.views  # no view made while planning
    html = ctx.render(day).data.decode()
    assert "Paper 11" in html and "Paper 9" in html and "Paper 10 " not in html and "<!doctype html>" in html.lower()


def test_feeds_and_api_are_planned_and_made_on_demand(planned: tuple[PageContext, list]) -> None:
    from generator.api import build_api

    ctx, _ = planned
    feeds = list(build_feeds(ctx.index, ctx.config, ctx.urls))
    assert all(isinstance(plan, FilePlan) for plan in feeds)
    site = next(plan for plan in feeds if plan.path == "feed.xml")
    assert site.inputs is not None and b"Paper 11" in site.make()
    assert next(plan for plan in feeds if plan.path == "feeds.opml").inputs is None  # always made
    api = {plan.path: plan for plan in build_api(ctx.index, ctx.urls, ctx.config.api)}
    latest = json.loads(api["api/daily_papers/index.html"].make())
    assert [entry["paper"]["id"] for entry in latest] == ["2512.00012", "2512.00010", "2512.00011"]
    assert api["api/papers/2512.00001"].inputs == (ctx.papers["2512.00001"],)


def test_search_is_planned_per_shard_and_indexed_on_demand(planned: tuple[PageContext, list],
                                                           small_shards: None) -> None:
    ctx, _ = planned
    calls: list[tuple[str, list[str]]] = []

    def indexer(fragments: dict[str, bytes], prefix: str) -> Callable[[], list[OutputFile]]:
        calls.append((prefix, sorted(fragments)))
        return lambda: [OutputFile(prefix + "pagefind-entry.json", b"{}")]

    shards = search.shard_papers(ctx.index)
    plans = list(search.plan_search(ctx.index, ctx.urls, indexer, "tool", shards))
    assert all(isinstance(plan, GroupPlan) for plan in plans) and len(plans) == 2 and not calls
    assert plans[0].start()() == [OutputFile("pagefind/1/pagefind-entry.json", b"{}")]
    assert calls == [("pagefind/1/", [f"papers/2512.{n:05d}/index.html" for n in range(1, 7)])]
    # a shard's key follows its searchable text, not upvotes; and the indexer's version
    again = [plan.key for plan in search.plan_search(ctx.index, ctx.urls, indexer, "tool", shards)]
    assert again == [plan.key for plan in plans]
    other = [plan.key for plan in search.plan_search(ctx.index, ctx.urls, indexer, "tool 2", shards)]
    assert all(a != b for a, b in zip(other, again, strict=True))
