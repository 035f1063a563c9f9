"""The search index in shards: whole days per shard, one Pagefind run per changed shard, and a
search in Chromium that finds papers from every shard (Pagefind's mergeIndex)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import html

import generator.pagefind_run as pagefind_run
import generator.search as search
from generator.build import build, load_site
from generator.indexes import build_index
from tests.conftest import make_site, record
from tests.support.browser import chromium_available, chromium_browser, load_page
from tests.support.serve import serve_dir
from tests.support.tools import require_tool
from tests.support.trees import snapshot

START = date(2025, 12, 1)
WORDS = ["aardvark", "bobolink", "caracal", "dugong", "echidna", "fossa", "gharial"]


def _records() -> list[dict[str, Any]]:
    """Seven days with 1, 2, 1, 2, 1, 2, 1 papers; each day's papers share an animal."""
    records = []
    for day, word in enumerate(WORDS):
        for n in range(1 + day % 2):
            records.append(record(f"2512.{day:03d}{n:02d}", title=f"On the {word}, part {n + 1}",
                                  abstract=f"A study of the {word} and of the common thread.",
                                  date=(START + timedelta(days=day)).isoformat(), upvotes=day + n,
                                  authors=[f"Ada {word.title()}"], tags=[word]))
    return records


@pytest.fixture
def sharded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAPERS", 3)


def test_shards_are_whole_days_in_date_order(tmp_path: Path) -> None:
    config, papers = load_site(make_site(tmp_path / "site", records=_records()))
    index = build_index(papers, config)
    shards = search.shard_papers(index, 3)
    assert [len(s.papers) for s in shards] == [3, 3, 3, 1]  # 1+2 | 1+2 | 1+2 | 1: days never split
    assert [s.number for s in shards] == [1, 2, 3, 4]
    assert sorted(p.key for s in shards for p in s.papers) == sorted(p.key for p in papers)
    for earlier, later in zip(shards, shards[1:], strict=False):
        assert max(p.date for p in earlier.papers) < min(p.date for p in later.papers)
    assert len(search.shard_papers(index, 2000)) == 1


def test_the_open_remainder_is_cut_in_pieces_that_keep_their_bounds(tmp_path: Path) -> None:
    """The papers after the last full shard are cut again, whole days, in pieces of a quarter of
    a shard, so an edit or a new day there re-indexes a piece; a new day leaves every earlier
    shard and piece as it was, until the remainder fills and its pieces become one shard."""
    records = _records()
    config, papers = load_site(make_site(tmp_path / "site", records=records))
    sizes = lambda index, size: [len(s.papers) for s in search.shard_papers(index, size)]  # noqa: E731
    assert sizes(build_index(papers, config), 6) == [6, 3, 1]  # days 1-4 | pieces of 2: 1+2 | 1
    assert sizes(build_index(papers, config), 12) == [3, 3, 3, 1]  # no full shard: all pieces
    before: list[tuple[str, ...]] = []
    for last in sorted({p.date for p in papers}):
        index = build_index([p for p in papers if p.date <= last], config)
        now = [tuple(p.key for p in s.papers) for s in search.shard_papers(index, 6)]
        new_day = tuple(sorted(p.key for p in papers if p.date == last))
        full = [s for s in before if len(s) >= 6]
        if len(now[-1]) >= 6:  # the remainder filled: its pieces and the new day are one shard
            assert now == full + [sum(before[len(full):], ()) + new_day]
        else:  # every shard and piece as it was, but the last piece, or a new one
            assert now[:len(before) - 1] == before[:-1] and now[-1][-len(new_day):] == new_day
        before = now


def test_fragment_holds_the_searchable_text_escaped(tmp_path: Path) -> None:
    rec = record("2512.00001", title="Sharp <b>$x^2$</b> bounds", abstract="Body text & <script>alert(1)</script>.",
                 authors=["Ada <img src=x onerror=alert(1)>"], organization="ACME", tags=["graphs"])
    _, papers = load_site(make_site(tmp_path / "site", records=[rec]))
    from generator.build import render_markup

    doc = html.fromstring(search.fragment(render_markup(papers)[0], "de"))
    assert doc.get("lang") == "de"
    body = doc.xpath("//*[@data-pagefind-body]")[0]
    # The result's title is plain text (issue 12); the h1, with MathML, is what is searched.
    assert doc.xpath("string(//*[@data-pagefind-meta='title'])") == "Sharp <b>x²</b> bounds"
    assert body.xpath("string(.//h1//math)")
    assert doc.xpath("string(//*[@data-pagefind-meta='authors'])") == "Ada <img src=x onerror=alert(1)>"
    assert "Body text &" in body.text_content() and "ACME" in body.text_content()
    assert body.xpath(".//li/text()") == ["graphs"]
    assert not doc.xpath("//script | //img | //b")  # hostile text stays text


@pytest.mark.slow
def test_an_edit_reindexes_only_its_shard_and_matches_a_cold_build(tmp_path: Path, sharded: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "site", records=_records())
    build(site, environ={})
    out = site / "public"
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == ["1", "2", "3", "4"]
    form = html.fromstring((out / "search" / "index.html").read_bytes()).xpath("//form[@data-bundles]")[0]
    assert form.get("data-bundles").split() == [f"/pagefind/{n}/" for n in (1, 2, 3, 4)]
    inodes = {n: (out / "pagefind" / n / "pagefind-entry.json").stat().st_ino for n in "1234"}
    runs: list[list[str]] = []  # the papers each Pagefind run read
    real = pagefind_run._pagefind_job
    monkeypatch.setattr(pagefind_run, "_pagefind_job",
                        lambda s, b: (runs.append(sorted(p.parent.name for p in s.rglob("index.html"))), real(s, b))[1])
    # edit a paper of the second shard (day 3, 'dugong'): only shard 2 is indexed again
    edited = site / "content" / "r004.yaml"
    assert "dugong" in edited.read_text()
    edited.write_text(edited.read_text().replace("A study of the dugong", "A survey of the dugong"))
    build(site, environ={})
    assert runs == [["2512.00200", "2512.00300", "2512.00301"]]
    assert {n for n in "1234" if (out / "pagefind" / n / "pagefind-entry.json").stat().st_ino == inodes[n]} \
        == {"1", "3", "4"}
    # a new paper on the last day lands in the last shard
    (site / "content" / "new.yaml").write_text(
        "id: '2512.09999'\ntitle: A newcomer\nabstract: The gharial again.\ndate: 2025-12-07\n")
    build(site, environ={})
    assert runs[1:] == [["2512.00600", "2512.09999"]]
    clean = tmp_path / "clean"
    shutil.copytree(site / "content", clean / "content")
    shutil.copy(site / "paperfeed.yaml", clean)
    build(clean, clean=True, environ={})
    assert snapshot(out) == snapshot(clean / "public")


@pytest.mark.browser
def test_search_in_chromium_finds_papers_in_every_shard(tmp_path: Path, sharded: None) -> None:
    require_tool(chromium_available(), "Chromium", "apt-get install chromium; pip install playwright")
    site = make_site(tmp_path / "site", records=_records(),
                     config={"title": "Shards", "base_url": "https://example.org/lab/"})
    build(site, environ={})
    root = tmp_path / "www"
    root.mkdir()
    (root / "lab").symlink_to(site / "public", target_is_directory=True)
    with serve_dir(root) as url, chromium_browser() as browser:
        page = browser.new_page()
        report = load_page(page, url + "lab/search/?q=common", wait_until="networkidle")
        page.wait_for_function("document.getElementById('search-status').textContent.includes('match')")
        assert not report.console_errors and not report.failed_requests, report
        links = page.eval_on_selector_all("#search-results h2 a", "as => as.map(a => a.getAttribute('href'))")
        assert len(links) == 10 and all(link.startswith("/lab/papers/2512.") for link in links)
        assert "10 papers match" in page.inner_text("#search-status")
        for word, first in (("aardvark", "2512.00000"), ("gharial", "2512.00600")):  # first and last shard
            page.fill("#search-q", word)
            page.wait_for_function(f"document.getElementById('search-status').textContent.includes('{word}')")
            hrefs = page.eval_on_selector_all("#search-results h2 a", "as => as.map(a => a.getAttribute('href'))")
            assert hrefs == [f"/lab/papers/{first}/"]
        # A word missing from most shards: Pagefind's fallback to words that start it ('a' for
        # 'aardvarks') must not pour in the other shards' papers.
        page.fill("#search-q", "aardvarks")
        page.wait_for_function("document.getElementById('search-status').textContent.includes('aardvarks')")
        assert page.eval_on_selector_all("#search-results h2 a", "as => as.length") == 1
        page.goto(url + "lab/" + "papers/2512.00600/")
        assert "gharial" in page.inner_text("h1")
