"""Issue 12, theme: what a reader meets on day one (badge, abstract, footer, phone menu, dates).

Built pages are read with lxml; layout is measured in one headless Chromium for the module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from generator.build import build
from tests.conftest import make_site, record
from tests.support.browser import (
    axe_available,
    chromium_available,
    chromium_browser,
    format_violations,
    load_page,
    run_axe,
)
from tests.support.serve import serve_dir
from tests.support.tools import require_tool

ROOT = Path(__file__).resolve().parent.parent
LONG_ORG = "Max Planck Institute for Intelligent Systems and Computational Neuroscience"
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("theme12") / "site", [
        record("2512.00001", organization=LONG_ORG, submitted_by="akhaliq", date="2025-12-08",
               tags=["attention"]),
        record("2512.00002", abstract="", date="2025-12-02"),
    ], config={"title": "Test", "base_url": "https://example.org/"})
    build(root, environ={})
    return root / "public"


def doc(site: Path, path: str) -> html.HtmlElement:
    return html.fromstring((site / path / "index.html").read_bytes())


def text(el: html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def test_an_empty_abstract_has_no_abstract_heading(site: Path) -> None:
    page = doc(site, "papers/2512.00002")
    assert page.xpath("//h2[normalize-space()='Abstract']") == []
    assert page.xpath("//div[@class='abstract']") == []
    assert doc(site, "papers/2512.00001").xpath("//h2[normalize-space()='Abstract']")


def test_the_paper_page_says_who_submitted_it(site: Path) -> None:
    assert "Submitted by akhaliq" in text(doc(site, "papers/2512.00001").xpath("//article")[0])
    assert "Submitted by" not in text(doc(site, "papers/2512.00002").xpath("//article")[0])


def test_week_and_trending_pages_say_which_days_they_cover(site: Path) -> None:
    assert "Dec 8 – Dec 14, 2025" in text(doc(site, "weeks/2025-W50").xpath("//p[@class='lede']")[0])
    assert "Dec 1 – Dec 7, 2025" in text(doc(site, "weeks/2025-W49").xpath("//p[@class='lede']")[0])
    assert "Dec 2 – Dec 8, 2025" in text(doc(site, "trending").xpath("//p[@class='lede']")[0])


def test_date_range_names_the_year_once_unless_it_changes() -> None:
    from datetime import date

    from generator.views import date_range
    assert date_range(date(2025, 12, 2), date(2025, 12, 8)) == "Dec 2 – Dec 8, 2025"
    assert date_range(date(2025, 12, 29), date(2026, 1, 4)) == "Dec 29, 2025 – Jan 4, 2026"
    assert date_range(date(2025, 12, 8), date(2025, 12, 8)) == "Dec 8, 2025"


def test_docs_say_thumbnails_load_from_their_hosts() -> None:
    texts = {p: p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}
    for path, body in texts.items():
        flat = " ".join(body.split())
        assert not re.search(r"no request to another host(?!.{0,400}thumbnail)", flat, re.I), path
    themes = " ".join(texts[ROOT / "docs" / "pages-and-themes.md"].split())
    assert re.search(r"thumbnail[^.]*(another|other) host", themes, re.I)


# --- layout, in one browser ------------------------------------------------------------------

@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    with serve_dir(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_tool(chromium_available(), "Chromium", "apt-get install chromium; pip install playwright")
    with chromium_browser() as browser:
        yield browser


def open_page(browser: Any, url: str, viewport: dict[str, int]) -> tuple[Any, Any]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    report = load_page(page, url)
    assert report.ok, report.summary()
    return context, page


# For each word of the badge's text, the number of line boxes it is laid out on.
WORD_LINES = """() => {
  const a = document.querySelector('.facts .org a'); const node = a.firstChild; const out = {};
  for (const m of node.data.matchAll(/\\S+/g)) {
    const r = document.createRange(); r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
    const tops = new Set([...r.getClientRects()].map(c => Math.round(c.top)));
    out[m[0]] = tops.size;
  }
  return out;
}"""


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
@pytest.mark.browser
def test_a_long_organisation_wraps_between_words(browser: Any, base: str, viewport: dict[str, int]) -> None:
    context, page = open_page(browser, base + "papers/2512.00001/", viewport)
    try:
        lines = page.evaluate(WORD_LINES)
        assert set(lines) == set(LONG_ORG.split())
        assert {w: n for w, n in lines.items() if n != 1} == {}
        if axe_available():  # the badge, the submitter line: readable and reachable
            violations = run_axe(page)
            assert violations == [], format_violations(violations)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
@pytest.mark.browser
def test_the_footer_sits_at_the_bottom_of_a_short_page(browser: Any, base: str, viewport: dict[str, int]) -> None:
    context, page = open_page(browser, base + "orgs/", viewport)
    try:
        bottom, height, scroll = page.evaluate(
            "[document.querySelector('.site-footer').getBoundingClientRect().bottom, innerHeight,"
            " document.documentElement.scrollHeight]")
        assert scroll <= height  # the page is short
        assert abs(bottom - height) <= 1
    finally:
        context.close()


@pytest.mark.browser
def test_every_menu_link_is_on_screen_on_a_phone(browser: Any, base: str) -> None:
    context, page = open_page(browser, base, PHONE)
    try:
        links = page.evaluate("""[...document.querySelectorAll('.site-nav a')].map(a => {
            const r = a.getBoundingClientRect(); return [a.textContent, r.left, r.right]; })""")
        labels = [label for label, _, _ in links]
        assert {"Tags", "Organizations", "Authors"} <= set(labels)
        off = [label for label, left, right in links if left < 0 or right > PHONE["width"]]
        assert off == []
        ul = page.evaluate("(u => [u.scrollWidth, u.clientWidth])(document.querySelector('.site-nav ul'))")
        assert ul[0] <= ul[1]
    finally:
        context.close()
