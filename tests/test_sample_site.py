"""The repository's own sample site: the 49 papers of 2025-12-08 and four earlier days."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html
import pytest

from generator.build import build
from tests.conftest import REPO

pytestmark = pytest.mark.slow  # tiers: docs/testing.md


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("sample")
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "paperfeed.yaml", site / "paperfeed.yaml")
    build(site, environ={})
    return site / "public"


def test_home_shows_all_49_papers_of_dec_8_ranked(sample: Path) -> None:
    doc = lxml.html.fromstring((sample / "index.html").read_bytes())
    cards = doc.cssselect(".card")
    assert len(cards) == 49
    first = cards[0]
    assert first.cssselect(".card-title")[0].text_content().startswith("Hogwild! Inference")
    assert first.cssselect(".votes .count")[0].text_content() == "6"
    votes = [int(c.cssselect(".votes .count")[0].text_content()) for c in cards]
    assert votes == sorted(votes, reverse=True)


def test_cards_show_counts_organisation_dates_and_link_to_paper_pages(sample: Path) -> None:
    doc = lxml.html.fromstring((sample / "index.html").read_bytes())
    by_title = {" ".join(c.cssselect(".card-title")[0].text_content().split()): c for c in doc.cssselect(".card")}
    flash = next(c for t, c in by_title.items() if t.startswith("Flash-DMD"))
    assert flash.cssselect(".org")[0].text_content().strip() == "Tencent"
    mv = next(c for t, c in by_title.items() if t.startswith("MV-MLM"))
    assert "4 authors" in mv.cssselect(".byline")[0].text_content()
    assert "Oct 30, 2025" in mv.cssselect(".byline time")[0].text_content()
    for card in by_title.values():
        href = card.cssselect(".card-title a")[0].get("href")
        assert (sample / href.lstrip("/") / "index.html").is_file()


def test_day_week_and_month_navigation_has_neighbours(sample: Path) -> None:
    doc = lxml.html.fromstring((sample / "days/2025-12-08/index.html").read_bytes())
    assert doc.cssselect('.period-nav a[rel="prev"]')[0].get("href") == "/days/2025-11-21/"
    month = lxml.html.fromstring((sample / "months/2025-12/index.html").read_bytes())
    assert month.cssselect('.period-nav a[rel="prev"]')[0].get("href") == "/months/2025-11/"
    assert (sample / "weeks/2025-W50/index.html").is_file()
    assert len(list((sample / "days").iterdir())) == 5


@pytest.mark.external
def test_sample_pages_pass_the_nu_html_checker(sample: Path) -> None:
    """Real data's quirks (TeX in tags, long author lists, cut abstracts) on every paper page."""
    from tests.support.tools import require_tool
    from tests.support.vnu import check_html, vnu_available

    require_tool(vnu_available(), "the Nu HTML Checker", "npm ci --ignore-scripts; a Java runtime")
    pages = [sample / "index.html", sample / "tags/index.html", sample / "authors/index.html",
             sample / "archive/index.html", *sorted(sample.glob("papers/*/index.html"))]
    errors = check_html(pages)
    assert errors == [], "\n".join(errors[:20])


def test_sample_internal_links_resolve(sample: Path) -> None:
    broken = []
    for file in sample.rglob("*.html"):
        for _, _, url, _ in lxml.html.fromstring(file.read_bytes()).iterlinks():
            if url.startswith("/"):
                path = url.split("#")[0].split("?")[0]
                target = sample / path.lstrip("/")
                if not (target / "index.html" if path.endswith("/") else target).is_file():
                    broken.append(f"{file.relative_to(sample)}: {url}")
    assert broken == []
