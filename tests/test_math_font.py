"""The theme's math web font (issue 12): ∑ and ∫ display large, and only pages with math fetch it.

Chromium on Linux has none of the math fonts the CSS named, so a display ∑ was drawn at
text size (17px against 16px of text). The theme ships Noto Sans Math (OFL) under
static/fonts/; an @font-face is fetched only when text uses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium_available, chromium_browser
from tests.support.serve import serve_dir
from tests.support.tools import require_tool

FONT = "static/fonts/noto-sans-math.woff2"
HEIGHTS = """() => {
  const mo = [...document.querySelectorAll('math[display="block"] mo')].find(m => m.textContent === '∑');
  const span = document.createElement('span');
  span.textContent = 'x';
  span.style.lineHeight = '1';  // the glyphs' height (the font size), not the paragraph's line
  span.style.display = 'inline-block';
  mo.closest('p').appendChild(span);
  return {sum: mo.getBoundingClientRect().height, text: span.getBoundingClientRect().height,
          fonts: [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)};
}"""


@pytest.fixture(scope="module")
def base(small_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("www")
    (root / "papers").symlink_to(small_site, target_is_directory=True)
    with serve_dir(root) as url:
        yield url + "papers/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_tool(chromium_available(), "Chromium", "apt-get install chromium; pip install playwright")
    with chromium_browser() as browser:
        yield browser


def _visit(browser: Any, url: str) -> tuple[Any, list[str]]:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page, requests


def test_the_font_and_its_licence_ship_with_the_theme(small_site: Path) -> None:
    assert (small_site / FONT).read_bytes()[:4] == b"wOF2"
    assert "SIL OPEN FONT LICENSE" in (small_site / "static/fonts/OFL.txt").read_text(encoding="utf-8").upper()


@pytest.mark.browser
def test_a_display_sum_is_larger_than_the_text(browser: Any, base: str) -> None:
    page, requests = _visit(browser, base + "papers/2512.01234/")
    try:
        assert base + FONT in requests
        measured = page.evaluate(HEIGHTS)
        assert "Noto Sans Math" in measured["fonts"]
        # Without a math font the ∑ is 17px beside 16px text; with it 24px.
        assert measured["sum"] >= 1.3 * measured["text"], measured
    finally:
        page.close()


@pytest.mark.browser
def test_a_page_without_math_does_not_fetch_the_font(browser: Any, base: str, small_site: Path) -> None:
    assert "<math" not in (small_site / "orgs/tencent/index.html").read_text(encoding="utf-8")
    page, requests = _visit(browser, base + "orgs/tencent/")
    try:
        assert any(url.endswith("style.css") for url in requests)  # the CSS with the @font-face did load
        assert not [url for url in requests if "/fonts/" in url]
    finally:
        page.close()
