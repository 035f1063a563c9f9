"""The small sample site read as a reader would: parsed HTML, links followed."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest


def page(root: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((root / rel).read_bytes())


def card_titles(doc: lxml.html.HtmlElement) -> list[str]:
    return [" ".join(a.text_content().split()) for a in doc.cssselect(".card-title a")]


def test_home_is_the_latest_day_ranked_by_upvotes(small_site: Path) -> None:
    doc = page(small_site, "index.html")
    assert doc.cssselect("h1")[0].text_content() == "Daily Papers: December 8, 2025"
    # per_page is 2 in the small site: the two most upvoted papers of Dec 8
    titles = card_titles(doc)
    assert titles[0].startswith("Fast") and titles[1].startswith("Flash-DMD")
    assert [v.text_content() for v in doc.cssselect(".votes .count")] == ["6", "2"]


def test_day_pages_paginate_and_link_neighbours_skipping_empty_days(small_site: Path) -> None:
    first = page(small_site, "days/2025-12-08/index.html")
    assert first.cssselect('.pagination a[rel="next"]')[0].get("href") == "/papers/days/2025-12-08/page/2/"
    second = page(small_site, "days/2025-12-08/page/2/index.html")
    assert card_titles(second) == ["Only a count of authors", "A paper with no authors and no date"]
    prev = first.cssselect('.period-nav a[rel="prev"]')[0]
    assert prev.get("href") == "/papers/days/2025-12-05/"  # Dec 6 and 7 have no papers
    assert not (small_site / "days/2025-12-06").exists()
    assert page(small_site, "days/2025-11-21/index.html").cssselect('.period-nav a[rel="next"]')[0].get(
        "href") == "/papers/days/2025-12-05/"


def test_cards_show_authors_counts_and_organisation(small_site: Path) -> None:
    doc = page(small_site, "days/2025-12-08/page/2/index.html")
    metas = [" ".join("".join(m.text_content() for m in card.cssselect(".byline")).split())
             for card in doc.cssselect(".card")]
    assert metas[0] == "4 authors Published Oct 30, 2025"
    assert metas[1] == ""  # no authors, no publication date
    home = page(small_site, "index.html")
    first_meta = " ".join(home.cssselect(".card .byline")[0].text_content().split())
    assert first_meta == "Ada Lovelace, Alan Turing, Grace Hopper +1 Published Dec 5, 2025"
    assert home.cssselect(".card .org a")[0].text_content() == "Tencent"


def test_weeks_months_and_trending(small_site: Path) -> None:
    week = page(small_site, "weeks/2025-W50/index.html")
    assert len(week.cssselect(".rows .row")) == 2 and not week.cssselect(".card")  # compact rows
    month = page(small_site, "months/2025-12/index.html")
    assert month.cssselect("h1")[0].text_content() == "Monthly Papers: December 2025"
    trending = page(small_site, "trending/index.html")
    # the last 7 days up to Dec 8: Dec 2..8, ranked by upvotes (Maldacena's 9 first)
    assert card_titles(trending)[0] == "The Large N Limit of Superconformal Field Theories"
    assert "An older paper in another month" not in card_titles(trending)


def test_paper_page_has_citation_metadata_and_math(small_site: Path) -> None:
    doc = page(small_site, "papers/2512.01234/index.html")
    meta = {m.get("name"): m.get("content") for m in doc.cssselect("meta[name]")}
    assert meta["citation_arxiv_id"] == "2512.01234v2"
    assert [m.get("content") for m in doc.cssselect('meta[name="citation_author"]')][:2] == [
        "Ada Lovelace", "Alan Turing"]
    assert doc.cssselect('link[rel="canonical"]')[0].get("href") == "https://example.org/papers/papers/2512.01234/"
    abstract = doc.cssselect(".abstract")[0]
    assert abstract.cssselect("math msub")  # $x_i$ as MathML
    assert not abstract.cssselect("em")  # x_i ... y_j did not become emphasis
    assert "$" not in abstract.text_content()
    assert "@misc{lovelace2025fast," in doc.cssselect(".bibtex")[0].text_content()


def test_old_style_arxiv_id_url(small_site: Path) -> None:
    doc = page(small_site, "papers/hep-th-9711200/index.html")
    assert doc.cssselect('meta[name="citation_arxiv_id"]')[0].get("content") == "hep-th/9711200v1"


def test_script_in_abstract_is_removed(small_site: Path) -> None:
    html = (small_site / "papers/flash-dmd/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "<strong>RL</strong>" in html


def test_taxonomies_respect_thresholds(small_site: Path) -> None:
    # tags need 2 papers for a page: attention (2), efficiency (2), diffusion (2)
    assert (small_site / "tags/attention/index.html").is_file()
    assert (small_site / "orgs/tencent/index.html").is_file()
    assert (small_site / "authors/ada-lovelace/index.html").is_file()
    tags = page(small_site, "tags/index.html")
    counts = {li.cssselect("a, span")[0].text_content(): li.cssselect(".term-count")[0].text
              for li in tags.cssselect(".terms li")}
    assert counts == {"attention": "2", "diffusion": "2", "efficiency": "2"}


def test_archive_calendar_links_days_with_papers(small_site: Path) -> None:
    doc = page(small_site, "archive/index.html")
    linked = sorted(a.get("href") for a in doc.cssselect(".calendar td a"))
    assert linked == ["/papers/days/2025-11-21/", "/papers/days/2025-12-05/", "/papers/days/2025-12-08/"]


@pytest.mark.parametrize("rel", ["sitemap.xml", "robots.txt", "404.html"])
def test_site_files_exist(small_site: Path, rel: str) -> None:
    assert (small_site / rel).is_file()


def test_sitemap_lists_pages_with_absolute_urls(small_site: Path) -> None:
    from lxml import etree

    tree = etree.parse(str(small_site / "sitemap.xml"))
    locs = tree.xpath("//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    assert "https://example.org/papers/papers/2512.01234/" in locs
    assert all(loc.startswith("https://example.org/papers/") for loc in locs)
    assert not any(loc.endswith("404.html") for loc in locs)
