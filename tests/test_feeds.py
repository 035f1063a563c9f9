"""Feeds of small sites, read as a feed reader would (feedparser + lxml + the W3C rules).

The 1,000-paper site is in test_feeds_large.py; this file covers the sample site,
id stability, byte-identical rebuilds, sub-paths, odd characters and thumbnails.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from pathlib import Path

import feedgen.entry
import feedgen.feed
import pytest
from lxml import etree, html

from generator.build import build
from generator.feeds.entries import absolute_links, xml_text
from tests.conftest import make_site, record
from tests.feed_rules import (
    Item,
    check_atom,
    check_json,
    check_rss,
    check_site_feeds,
    find_feeds,
    siblings,
)

SMALL_BASE = "https://example.org/papers/"


def _build(root: Path, records: list[dict], **config: object) -> Path:
    site = make_site(root, records=records, config={"title": "Test", **config})
    build(site, environ={})
    return site / "public"


def _paper_path(item: Item, base: str) -> str:
    assert item.link.startswith(base)
    return item.link[len(base):]


# --- the sample site --------------------------------------------------------------------------

def test_small_site_feeds_pass_the_validator_rules(small_site: Path) -> None:
    feeds = check_site_feeds(small_site, SMALL_BASE)
    expected = {"feed.xml", "atom.xml", "feed.json", "digest.xml", "digest.atom.xml", "digest.json",
                "feeds/top-5.xml", "feeds/top-5.atom.xml", "feeds/top-5.json", "feeds.opml"}
    for term in ("tags/attention/", "tags/diffusion/", "tags/efficiency/", "orgs/tencent/"):
        expected |= {term + "feed.xml", term + "atom.xml", term + "feed.json"}
    assert set(feeds) == expected - {"feeds.opml"}
    assert (small_site / "feeds.opml").is_file()
    # A term below feed_min_papers (the author 'Juan Maldacena', a single paper) has no feed.
    assert not (small_site / "authors/juan-maldacena/feed.xml").exists()


def test_small_site_feed_content(small_site: Path) -> None:
    items = check_rss((small_site / "feed.xml").read_bytes(), SMALL_BASE + "feed.xml")
    paths = [_paper_path(i, SMALL_BASE) for i in items]
    # Newest featured day first, then upvotes, then id; the 2025-11-21 paper last.
    assert paths == ["papers/2512.01234/", "papers/flash-dmd/", "papers/counted-only/",
                     "papers/no-authors-no-date/", "papers/hep-th-9711200/", "papers/2512.00001/",
                     "papers/2511.00002/"]
    fast = items[0]
    # RSS: every name in one dc:creator (readers show one author field: issue 12).
    assert fast.authors == ("Ada Lovelace, Alan Turing, Grace Hopper, Edsger Dijkstra",)
    assert fast.categories == ("attention", "efficiency")
    assert fast.date.isoformat() == "2025-12-08T00:00:00+00:00"  # the featured day, not the clock
    assert "<math" in fast.content and "$" not in fast.content  # math is MathML, never raw TeX
    assert 'href="https://github.com/x/y"' in fast.content
    flash = items[1]
    assert "<script" not in flash.content and flash.authors == ("Tencent",)
    # The 1997 paper keeps its old-style arXiv id without the version.
    assert items[4].id.endswith("/paper/hep-th/9711200")
    top = check_rss((small_site / "feeds/top-5.xml").read_bytes(), SMALL_BASE + "feeds/top-5.xml")
    assert [_paper_path(i, SMALL_BASE) for i in top] == ["papers/2512.01234/", "papers/hep-th-9711200/"]


def test_small_site_digest(small_site: Path) -> None:
    items = check_rss((small_site / "digest.xml").read_bytes(), SMALL_BASE + "digest.xml")
    assert [i.title for i in items] == ["Small Papers: December 8, 2025", "Small Papers: December 5, 2025",
                                        "Small Papers: November 21, 2025"]
    assert [i.link for i in items] == [SMALL_BASE + f"days/{d}/" for d in
                                       ("2025-12-08", "2025-12-05", "2025-11-21")]
    ranked = [a.get("href") for a in html.fragment_fromstring(items[0].content, create_parent=True)
              .xpath("//ol/li/a[1]")]
    assert ranked == [SMALL_BASE + p for p in ("papers/2512.01234/", "papers/flash-dmd/",
                                               "papers/counted-only/", "papers/no-authors-no-date/")]
    assert items[0].id.endswith("/digest/2025-12-08")


def test_formats_agree(small_site: Path) -> None:
    for rel in find_feeds(small_site):
        if not rel.endswith(".xml") or "atom" in rel:
            continue
        paths = siblings(rel)
        rss = check_rss((small_site / paths["rss"]).read_bytes(), SMALL_BASE + paths["rss"])
        atom = check_atom((small_site / paths["atom"]).read_bytes(), SMALL_BASE + paths["atom"])
        jsn = check_json((small_site / paths["json"]).read_bytes(), SMALL_BASE + paths["json"])
        assert [i.id for i in rss] == [i.id for i in atom] == [i.id for i in jsn]
        assert [i.link for i in rss] == [i.link for i in atom] == [i.link for i in jsn]
        assert [i.date for i in rss] == [i.date for i in atom] == [i.date for i in jsn]


def test_autodiscovery_on_every_page(small_site: Path) -> None:
    advertised: dict[str, list[tuple[str, str]]] = {}
    for page in sorted(small_site.rglob("*.html")):
        rel = page.relative_to(small_site).as_posix()
        if rel.startswith(("static/", "api/")):  # api/daily_papers/index.html is JSON (docs/api.md)
            continue
        links = html.parse(str(page)).xpath('//head/link[@rel="alternate"]')
        advertised[rel] = [(link.get("type"), link.get("href")) for link in links]
        hrefs = [href for _, href in advertised[rel]]
        for feed in ("/papers/feed.xml", "/papers/digest.xml"):
            assert feed in hrefs, f"{rel} does not advertise {feed}"
        # the site's Atom and JSON twins on the home and trending pages (the footer links them)
        assert ("/papers/atom.xml" in hrefs) == (rel in ("index.html", "trending/index.html")), rel
        footer = html.parse(str(page)).xpath('//footer//a/@href')
        assert {"/papers/atom.xml", "/papers/feed.json", "/papers/feeds.opml"} <= set(footer), rel
        for _, href in advertised[rel]:
            assert href.startswith("/papers/") and (small_site / href[len("/papers/"):]).is_file()
    tag_page = [href for _, href in advertised["tags/attention/index.html"]]
    assert tag_page[:3] == ["/papers/tags/attention/feed.xml", "/papers/tags/attention/atom.xml",
                            "/papers/tags/attention/feed.json"]
    assert "/papers/tags/diffusion/feed.xml" not in tag_page
    paper = [href for _, href in advertised["papers/flash-dmd/index.html"]]
    assert {"/papers/tags/diffusion/feed.xml", "/papers/tags/efficiency/feed.xml",
            "/papers/orgs/tencent/feed.xml"} <= set(paper)
    assert "/papers/feeds/top-5.xml" in [h for _, h in advertised["index.html"]]
    types = {t for links in advertised.values() for t, _ in links}
    assert types == {"application/rss+xml", "application/atom+xml", "application/feed+json"}


def test_opml_lists_every_feed(small_site: Path) -> None:
    root = etree.fromstring((small_site / "feeds.opml").read_bytes())
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title")
    outlines = root.xpath("//outline[@xmlUrl]")
    listed = {o.get("xmlUrl") for o in outlines}
    rss_files = {SMALL_BASE + rel for rel, kind in find_feeds(small_site).items() if kind == "rss"}
    assert listed == rss_files
    for outline in outlines:
        assert outline.get("type") == "rss" and outline.get("text")
        page = outline.get("htmlUrl")[len(SMALL_BASE):]
        assert (small_site / page / "index.html").is_file()
        for path in siblings(outline.get("xmlUrl")[len(SMALL_BASE):]).values():
            assert (small_site / path).is_file()
    assert [o.get("text") for o in root.xpath("/opml/body/outline")] == ["Site", "Tags", "Organizations"]


# --- properties over small generated sites ----------------------------------------------------

def _ids_by_page(feeds: dict[str, list[Item]], base: str) -> dict[str, dict[str, str]]:
    return {rel: {item.link[len(base):]: item.id for item in items} for rel, items in feeds.items()}


EDITABLE = [
    record("2512.01234v1", title="Original title", abstract="Original $x$ abstract.", upvotes=3,
           tags=["vision", "robots"], date="2025-12-05"),
    record("2512.04321", title="Second", upvotes=8, tags=["vision", "robots"], date="2025-12-05"),
    record("hep-th/9711200", title="Old", upvotes=1, tags=["vision", "robots"], date="2025-12-08"),
    record("a-slug", title="Slug", upvotes=20, organization="Lab", date="2025-12-08"),
]


@pytest.mark.slow
def test_entry_ids_survive_edits_and_a_scheme_change(tmp_path: Path) -> None:
    config = {"feeds": {"upvote_thresholds": [1]}, "tags": {"feed_min_papers": 3}}
    before = check_site_feeds(_build(tmp_path / "a", EDITABLE, base_url="http://example.org/site/",
                                     **config), "http://example.org/site/")
    edited = [dict(r) for r in EDITABLE]
    edited[0].update(id="2512.01234v3", title="A new title", abstract="Rewritten.", upvotes=99)
    edited[2].update(id="hep-th/9711200v2", upvotes=50)
    after = check_site_feeds(_build(tmp_path / "b", edited, base_url="https://example.org/site/",
                                    **config), "https://example.org/site/")
    assert set(before) == set(after)
    ids_before = _ids_by_page(before, "http://example.org/site/")
    ids_after = _ids_by_page(after, "https://example.org/site/")
    assert ids_before == ids_after
    assert "tags/vision/feed.xml" in before and len(before["feed.xml"]) == 4
    # The edit did change the order and the text: only the ids stayed.
    assert [i.id for i in before["feed.xml"]] != [i.id for i in after["feed.xml"]]
    assert after["feed.xml"][2].title == "A new title"


class _AnyDatetime(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, datetime)


class _Tomorrow(datetime, metaclass=_AnyDatetime):
    """feedgen's clock, a day and more later: whatever it stamps shows in the output."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return datetime(2099, 1, 2, 3, 4, 5, tzinfo=tz)


@pytest.mark.slow
def test_unchanged_content_rebuilds_byte_identical(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    config = {"base_url": "https://example.org/", "timezone": "Europe/Paris"}
    first = _build(tmp_path / "a", EDITABLE, **config)
    # Same records written in the other order: the file order on disk must not matter.
    second = _build(tmp_path / "b", list(reversed(EDITABLE)), **config)
    feeds = sorted(find_feeds(first)) + ["feeds.opml"]
    assert feeds == sorted(find_feeds(second)) + ["feeds.opml"]
    for rel in feeds:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel
    # Rebuilding in place "tomorrow" (feedgen stamps the clock where dates are unset) changes nothing.
    monkeypatch.setattr(feedgen.feed, "datetime", _Tomorrow)
    monkeypatch.setattr(feedgen.entry, "datetime", _Tomorrow)
    build(first.parent, environ={})
    for rel in feeds:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel
    assert b"+0100" in (first / "feed.xml").read_bytes()  # midnight in the site's time zone


@pytest.mark.slow
def test_feed_keeps_the_newest_n_while_a_day_fills(tmp_path: Path) -> None:
    full_day = [record(f"2512.0010{i}", date="2025-12-05", upvotes=i) for i in range(5)]
    new_day = [record("2512.00200", date="2025-12-08", upvotes=0)]
    out = _build(tmp_path, full_day + new_day, base_url="https://example.org/",
                 feeds={"items": 4})
    items = check_rss((out / "feed.xml").read_bytes(), "https://example.org/feed.xml")
    assert [_paper_path(i, "https://example.org/") for i in items] == [
        "papers/2512.00200/", "papers/2512.00104/", "papers/2512.00103/", "papers/2512.00102/"]


def test_sub_path_thumbnails_and_relative_links(tmp_path: Path) -> None:
    base = "https://user.github.io/deep/papers/"
    records = [
        record("2512.00001", thumbnail="/images/a.png",
               abstract="See [details](details/), [home](/about/) and [mail](mailto:a@b.org)."),
        record("2512.00002", thumbnail="https://cdn.example.org/b.jpg", date="2025-12-07"),
    ]
    out = _build(tmp_path, records, base_url=base)
    feeds = check_site_feeds(out, base)
    for rel in ("feed.xml", "atom.xml", "feed.json"):
        first, second = feeds[rel]
        assert first.image == base + "images/a.png"
        assert second.image == "https://cdn.example.org/b.jpg"
        assert f'href="{base}papers/2512.00001/details/"' in first.content
        assert 'href="https://user.github.io/about/"' in first.content
        assert 'href="mailto:a@b.org"' in first.content
    opml = etree.fromstring((out / "feeds.opml").read_bytes())
    assert {o.get("xmlUrl") for o in opml.xpath("//outline[@xmlUrl]")} == {
        base + "feed.xml", base + "digest.xml", base + "feeds/top-10.xml", base + "feeds/top-50.xml"}
    page = html.parse(str(out / "papers/2512.00001/index.html"))
    assert "/deep/papers/feed.xml" in page.xpath('//link[@rel="alternate"]/@href')


@pytest.mark.slow
def test_xml_illegal_characters_are_removed(tmp_path: Path) -> None:
    records = [record("2512.00001", title="Bell\x07 and tab\x0b", abstract="Form\x0cfeed \ufffe text",
                      authors=["Nul\x00 Person"], tags=["ctl\x1ftag"])]
    out = _build(tmp_path, records, base_url="https://example.org/", title="Site\x01 name",
                 description="Desc\x1b")
    feeds = check_site_feeds(out, "https://example.org/")
    for rel in feeds:
        data = (out / rel).read_bytes().decode("utf-8")
        for bad in "\x00\x01\x07\x0b\x0c\x1b\x1f\ufffe":
            assert bad not in data, (rel, bad)
    item = feeds["feed.xml"][0]
    assert item.title == "Bell and tab" and item.authors == ("Nul Person",)
    assert json.loads((out / "feed.json").read_text("utf-8"))["title"] == "Site name"


def test_a_site_without_papers_has_no_feeds(tmp_path: Path) -> None:
    out = _build(tmp_path, [], base_url="https://example.org/")
    assert find_feeds(out) == {} and not (out / "feeds.opml").exists()
    assert not html.parse(str(out / "index.html")).xpath('//link[@rel="alternate"]')


@pytest.mark.parametrize("text, expected", [
    ("a\x00b\x08c\x0bd\x1fe\ud800f\ufffeg\uffff", "abcdefg"),
    ("tab\tnew\nline\r ok \U0001F600", "tab\tnew\nline\r ok \U0001F600"),
])
def test_xml_text(text: str, expected: str) -> None:
    assert xml_text(text) == expected


def test_absolute_links() -> None:
    page = "https://h.org/sub/papers/x/"
    fragment = '<a href="../y/">y</a> <a href="/z?a=1&amp;b=2">z</a> <a href="https://o.org/">o</a>'
    assert absolute_links(fragment, page) == (
        '<a href="https://h.org/sub/papers/y/">y</a> <a href="https://h.org/z?a=1&amp;b=2">z</a> '
        '<a href="https://o.org/">o</a>')
