"""urls.py: every URL kind, links under a sub-path, absolute URLs, output paths, slugs."""

from __future__ import annotations

from datetime import date

import pytest

from generator.model import PaperId, parse_paper_id
from generator.urls import MAX_SLUG, Urls, paper_slug, slugify
from generator.writer import check_output_path

ROOT = Urls("https://example.org/")
SUB = Urls("https://user.github.io/papers/")


def pid(raw: str) -> PaperId:
    parsed = parse_paper_id(raw)
    assert parsed is not None
    return parsed


def every_path(urls: Urls) -> dict[str, str]:
    return {
        "home": urls.home(),
        "day": urls.day(date(2025, 12, 8)),
        "day page 2": urls.day(date(2025, 12, 8), 2),
        "week": urls.week(2025, 1),
        "week page 3": urls.week(2025, 49, 3),
        "month": urls.month(2025, 3),
        "month page 2": urls.month(2025, 12, 2),
        "trending": urls.trending(),
        "archive": urls.archive(),
        "search": urls.search(),
        "paper": urls.paper(pid("2512.01234v2")),
        "old paper": urls.paper(pid("hep-th/9711200v1")),
        "slug paper": urls.paper(pid("hogwild-inference")),
        "tags": urls.taxonomy("tags"),
        "tag": urls.term("tags", "llm"),
        "tag page 2": urls.term("tags", "llm", 2),
        "feed": urls.feed("rss"),
        "atom": urls.feed("atom"),
        "json": urls.feed("json"),
        "tag feed": urls.term_feed("tags", "llm", "rss"),
        "org atom": urls.term_feed("orgs", "tencent", "atom"),
        "org json": urls.term_feed("orgs", "tencent", "json"),
        "top rss": urls.top_feed(10, "rss"),
        "top atom": urls.top_feed(10, "atom"),
        "top json": urls.top_feed(50, "json"),
        "digest rss": urls.digest_feed("rss"),
        "digest atom": urls.digest_feed("atom"),
        "digest json": urls.digest_feed("json"),
        "opml": urls.opml(),
        "sitemap": urls.sitemap(),
        "robots": urls.robots(),
        "404": urls.not_found(),
        "static": urls.static("style.css"),
    }


PATHS = {
    "home": "", "day": "days/2025-12-08/", "day page 2": "days/2025-12-08/page/2/",
    "week": "weeks/2025-W01/", "week page 3": "weeks/2025-W49/page/3/", "month": "months/2025-03/",
    "month page 2": "months/2025-12/page/2/", "trending": "trending/", "archive": "archive/",
    "search": "search/", "paper": "papers/2512.01234/", "old paper": "papers/hep-th-9711200/",
    "slug paper": "papers/hogwild-inference/", "tags": "tags/", "tag": "tags/llm/",
    "tag page 2": "tags/llm/page/2/", "feed": "feed.xml", "atom": "atom.xml", "json": "feed.json",
    "tag feed": "tags/llm/feed.xml", "org atom": "orgs/tencent/atom.xml", "org json": "orgs/tencent/feed.json",
    "top rss": "feeds/top-10.xml", "top atom": "feeds/top-10.atom.xml", "top json": "feeds/top-50.json",
    "digest rss": "digest.xml", "digest atom": "digest.atom.xml", "digest json": "digest.json",
    "opml": "feeds.opml", "sitemap": "sitemap.xml", "robots": "robots.txt", "404": "404.html",
    "static": "static/style.css",
}


def test_every_url_kind_is_a_site_relative_path() -> None:
    assert every_path(ROOT) == PATHS
    assert every_path(SUB) == PATHS  # the base URL only matters when links are made


def test_page_one_is_the_term_itself() -> None:
    assert ROOT.day(date(2025, 12, 8), 1) == ROOT.day(date(2025, 12, 8))
    assert ROOT.term("tags", "llm", 1) == "tags/llm/"


def test_week_urls_use_the_iso_year() -> None:
    year, week, _ = date(2024, 12, 30).isocalendar()
    assert ROOT.week(year, week) == "weeks/2025-W01/"
    year, week, _ = date(2021, 1, 2).isocalendar()
    assert ROOT.week(year, week) == "weeks/2020-W53/"


def test_versions_never_appear_in_paper_urls() -> None:
    assert ROOT.paper(pid("2512.01234v2")) == ROOT.paper(pid("2512.01234")) == "papers/2512.01234/"
    assert paper_slug(pid("math.AG/0309136v2")) == "math.AG-0309136"


def test_href_is_root_relative_and_keeps_the_sub_path() -> None:
    assert ROOT.href("") == "/"
    assert ROOT.href("days/2025-12-08/") == "/days/2025-12-08/"
    assert SUB.href("") == "/papers/"
    assert SUB.href("papers/2512.01234/") == "/papers/papers/2512.01234/"
    assert SUB.href(SUB.static("style.css")) == "/papers/static/style.css"
    assert Urls("https://user.github.io/a/b").href("trending/") == "/a/b/trending/"
    assert Urls("http://127.0.0.1:8000/").href("feed.xml") == "/feed.xml"


def test_absolute_urls_for_feeds_and_canonical_links() -> None:
    assert ROOT.absolute("") == "https://example.org/"
    assert SUB.absolute("") == "https://user.github.io/papers/"
    assert SUB.absolute(SUB.paper(pid("hep-th/9711200"))) == "https://user.github.io/papers/papers/hep-th-9711200/"
    assert Urls("https://example.org").absolute("feed.xml") == "https://example.org/feed.xml"
    assert Urls("http://127.0.0.1:8000").absolute("atom.xml") == "http://127.0.0.1:8000/atom.xml"


def test_links_are_percent_encoded() -> None:
    assert ROOT.href("papers/a b/") == "/papers/a%20b/"
    assert ROOT.href("tags/é/") == "/tags/%C3%A9/"
    assert ROOT.absolute("x?y#z\"<>") == "https://example.org/x%3Fy%23z%22%3C%3E"
    assert ROOT.href("papers/Paper_1.2-b~/") == "/papers/Paper_1.2-b~/"


@pytest.mark.parametrize("path, output", [
    ("", "index.html"),
    ("days/2025-12-08/", "days/2025-12-08/index.html"),
    ("tags/llm/page/2/", "tags/llm/page/2/index.html"),
    ("feed.xml", "feed.xml"),
    ("feeds/top-10.atom.xml", "feeds/top-10.atom.xml"),
    ("404.html", "404.html"),
    ("static/style.css", "static/style.css"),
])
def test_output_path(path: str, output: str) -> None:
    assert Urls.output_path(path) == output


def test_every_output_path_is_safe_for_the_writer() -> None:
    for path in every_path(SUB).values():
        assert check_output_path(Urls.output_path(path)) == Urls.output_path(path)


def test_page_path_undoes_output_path_for_every_url_kind() -> None:
    for path in every_path(SUB).values():
        assert Urls.page_path(Urls.output_path(path)) == path
    assert SUB.absolute_page("days/2025-12-08/index.html") == "https://user.github.io/papers/days/2025-12-08/"
    assert SUB.absolute_page("index.html") == "https://user.github.io/papers/"
    assert SUB.absolute_page("404.html") == "https://user.github.io/papers/404.html"


@pytest.mark.parametrize("value, href, absolute", [
    ("", "", ""),
    ("/images/card.png", "/papers/images/card.png", "https://user.github.io/papers/images/card.png"),
    ("https://cdn.example.org/a b.png", "https://cdn.example.org/a b.png", "https://cdn.example.org/a b.png"),
    ("http://cdn.example.org/x.png", "http://cdn.example.org/x.png", "http://cdn.example.org/x.png"),
])
def test_a_thumbnail_is_a_site_path_under_the_base_or_a_url_as_it_is(value: str, href: str, absolute: str) -> None:
    """One rule for cards (root-relative), og:image, feeds and the API (absolute)."""
    assert SUB.thumbnail(value) == href
    assert SUB.thumbnail(value, absolute=True) == absolute


@pytest.mark.parametrize("name, slug", [
    ("LLM", "llm"),
    ("Large Language Models", "large-language-models"),
    ("  Vision -- Language  ", "vision-language"),
    ("über-Café", "uber-cafe"),
    ("Łukasz Kaiser", "ukasz-kaiser"),       # Ł has no ASCII decomposition
    ("A.B/C\\D", "a-b-c-d"),
    ("../../etc/passwd", "etc-passwd"),
    ("-x-", "x"),
    ("CON", "con-"),                         # Windows device names are not folder names
    ("nul", "nul-"),
    ("COM1", "com1-"),
    ("lpt9", "lpt9-"),
    ("com10", "com10"),
    ("console", "console"),
])
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize("name", ["", "  ", "...", "..", "/", "中文", "日本語", "🙂", "\x00"])
def test_names_without_ascii_letters_get_a_stable_hashed_slug(name: str) -> None:
    slug = slugify(name)
    assert slug.startswith("u-") and len(slug) == 12
    assert slug == slugify(name)
    assert slug not in (".", "..")


def test_hashed_slugs_differ_by_name_but_not_by_case_or_normal_form() -> None:
    assert slugify("中文") != slugify("日本語")
    assert slugify("Ωμέγα") == slugify("ωμέγα") != slugify("άλφα")
    assert slugify("\u03ac\u4e2d") == slugify("\u03b1\u0301\u4e2d")  # ά composed or not


def test_long_names_are_cut_without_a_trailing_dash() -> None:
    assert slugify("a" * 200) == "a" * MAX_SLUG
    cut = slugify("ab-" * 60)
    assert len(cut) <= MAX_SLUG and not cut.endswith("-") and not cut.startswith("-")
