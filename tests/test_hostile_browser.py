"""The hostile site in a real browser: no payload ever runs, on pages or in the search.

Every payload in tests/hostile/safe/ calls alert() or sets an event handler; Chromium
reports any dialog, and the search page renders results from the Pagefind index built
from those pages (the index holds the same hostile text).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.build import build
from tests.conftest import make_site
from tests.support.browser import chromium_available, chromium_browser, load_page
from tests.support.serve import serve_dir
from tests.support.tools import require_tool

pytestmark = pytest.mark.browser  # tiers: docs/testing.md

HOSTILE = Path(__file__).parent / "hostile"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    require_tool(chromium_available(), "Chromium", "apt-get install chromium")
    root = make_site(tmp_path_factory.mktemp("hostile-browser") / "site", config={
        "title": "Hostile", "base_url": "https://example.org/sub/", "tags": {"min_papers": 1}})
    for name in ("injection.yaml", "template_syntax.yaml", "hard_wraps.yaml", "unicode.yaml"):
        shutil.copyfile(HOSTILE / "safe" / name, root / "content" / name)
    build(root, environ={})
    with serve_dir(root / "public", prefix="/sub/") as base, chromium_browser() as browser:
        yield base, browser


PAGES = ["", "papers/2512.08001/", "papers/2512.08004/", "tags/", "authors/", "orgs/", "days/2025-12-08/"]


@pytest.mark.parametrize("path", PAGES)
def test_no_payload_runs_on_any_page(served: tuple[str, Any], path: str) -> None:
    base, browser = served
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    report = load_page(page, base + path, wait_until="networkidle")
    assert report.status == 200
    page.mouse.move(10, 10)
    page.mouse.move(200, 300)  # hover-triggered handlers, if any had survived
    assert dialogs == []
    # No element carries an event handler, and the only scripts are the theme's own.
    assert page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(el =>
        [...el.attributes].filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name))""") == []
    scripts = page.evaluate("""() => [...document.scripts].filter(s => s.type !== 'application/ld+json')
        .map(s => s.src || s.textContent.slice(0, 40))""")
    assert all(s.startswith(base + "static/") or s.startswith("document.documentElement") for s in scripts), scripts
    page.close()


def test_the_search_shows_hostile_text_as_text(served: tuple[str, Any]) -> None:
    base, browser = served
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    load_page(page, base + "search/?q=alert", wait_until="networkidle")
    page.wait_for_selector("#search-results li", timeout=20_000)
    titles = page.eval_on_selector_all("#search-results h2 a", "links => links.map(a => a.textContent)")
    assert any(t.startswith("Title <script>alert(1)</script>") for t in titles), titles
    assert page.eval_on_selector_all("#search-results script, #search-results img, #search-results svg",
                                     "els => els.length") == 0
    assert dialogs == []
    page.close()
