"""The built small site in headless Chromium, as a reader sees it.

One browser for the module; the site is served on 127.0.0.1 under its base
URL's sub-path (/papers/), so root-relative links and the search bundle are
exercised as on a real host. Every page loads with no console error and no
failed request, at a desktop and a phone width, with no serious or critical
axe-core violation; search, the theme toggle, the date picker, the BibTeX copy
button and the no-JavaScript fallbacks are driven like a reader would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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

pytestmark = pytest.mark.browser  # tiers: docs/testing.md

WIDTHS = {"wide": (1280, 900), "phone": (390, 844)}
PAGES = {
    "home": "",
    "day": "days/2025-12-05/",
    "paper": "papers/2512.01234/",
    "tag": "tags/attention/",
    "calendar": "archive/",
    "search": "search/?q=superconformal",
}
MALDACENA_TITLE = "The Large N Limit of Superconformal Field Theories"


@pytest.fixture(scope="module")
def base(small_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The small site at http://127.0.0.1:PORT/papers/ (its base URL's path)."""
    root = tmp_path_factory.mktemp("www")
    (root / "papers").symlink_to(small_site, target_is_directory=True)
    with serve_dir(root, not_found_page="papers/404.html") as url:
        yield url + "papers/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_tool(chromium_available(), "Chromium", "apt-get install chromium; pip install playwright")
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    yield context
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_and_passes_axe(browser: Any, base: str, name: str, width: str) -> None:
    require_tool(axe_available(), "axe-core", "npm ci --ignore-scripts")
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    try:
        page = context.new_page()
        report = load_page(page, base + PAGES[name], wait_until="networkidle")
        assert report.status == 200
        assert report.ok, report.summary()
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= w, f"{name} is {overflow}px wide in a {w}px window"
        violations = run_axe(page)
        assert violations == [], format_violations(violations)
    finally:
        context.close()


def test_header_search_finds_the_paper(context: Any, base: str) -> None:
    page = context.new_page()
    assert load_page(page, base).ok
    page.fill("#site-q", "superconformal")
    page.press("#site-q", "Enter")
    page.wait_for_url("**/search/?q=superconformal")
    page.wait_for_selector("#search-results li")
    first = page.locator("#search-results li").first
    assert first.locator("h2 a").inner_text() == MALDACENA_TITLE
    assert first.locator("h2 a").get_attribute("href") == "/papers/papers/hep-th-9711200/"
    assert "Juan Maldacena" in first.locator(".byline").inner_text()
    assert "superconformal" in first.locator("mark").first.inner_text().lower()
    assert "1 paper" in page.locator("#search-status").inner_text()


def test_search_as_you_type_and_no_match(context: Any, base: str) -> None:
    page = context.new_page()
    report = load_page(page, base + "search/")
    assert report.ok, report.summary()
    page.fill("#search-q", "maldacena")
    page.wait_for_selector("#search-results li")
    assert page.locator("#search-results h2 a").all_inner_texts() == [MALDACENA_TITLE]
    assert page.url.endswith("/search/?q=maldacena")
    page.fill("#search-q", "zzzqqqxx")
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 0")
    page.wait_for_function("document.getElementById('search-status').textContent.startsWith('No papers')")


def test_math_renders_as_mathml(context: Any, base: str) -> None:
    page = context.new_page()
    assert load_page(page, base + "papers/2512.01234/").ok
    title = page.locator("h1 math")
    assert title.count() == 1
    assert title.bounding_box()["width"] > 10  # laid out by the browser's MathML engine
    abstract = page.locator(".abstract")
    assert abstract.locator("math msub").count() >= 2  # $x_i$ and $y_j$
    assert abstract.locator("math[display=block]").count() == 1
    assert "$" not in abstract.inner_text()


def test_theme_toggle_switches_and_is_remembered(context: Any, base: str) -> None:
    page = context.new_page()
    assert load_page(page, base, wait_until="networkidle").ok
    background = "getComputedStyle(document.body).backgroundColor"
    light = page.evaluate(background)
    toggle = page.locator(".theme-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    dark = page.evaluate(background)
    assert dark != light
    report = load_page(page, base + "papers/2512.01234/")
    assert report.ok, report.summary()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate(background) == dark


def test_dark_system_setting_is_followed(browser: Any, base: str) -> None:
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        assert load_page(page, base).ok
        assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "dark"
        assert page.locator(".theme-toggle").get_attribute("aria-pressed") == "true"
    finally:
        context.close()


def test_date_picker_goes_to_a_day_or_says_there_is_none(context: Any, base: str) -> None:
    page = context.new_page()
    assert load_page(page, base + "days/2025-12-05/").ok
    picker = page.locator("#day-picker")
    assert picker.get_attribute("min") == "2025-11-21"
    assert picker.get_attribute("max") == "2025-12-08"
    picker.fill("2025-12-06")
    page.locator(".date-jump button").click()
    status = page.locator(".date-status")
    status.locator("a").first.wait_for()
    assert "No papers on" in status.inner_text()
    assert status.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        "/papers/days/2025-12-05/", "/papers/days/2025-12-08/"]
    picker.fill("2025-12-08")
    picker.press("Enter")
    page.wait_for_url("**/papers/days/2025-12-08/")
    assert "December 8, 2025" in page.locator("h1").inner_text()


def test_copy_button_copies_the_bibtex(context: Any, base: str) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    assert load_page(page, base + "papers/2512.01234/").ok
    page.locator("button.copy").click()
    page.locator(".copy-status", has_text="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@misc{lovelace2025fast,")
    assert copied == page.locator("#bibtex").inner_text().strip()


def test_keyboard_reaches_skip_link_then_navigation(context: Any, base: str) -> None:
    page = context.new_page()
    assert load_page(page, base).ok
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    assert page.evaluate("document.activeElement.getBoundingClientRect().left >= 0")
    page.keyboard.press("Enter")
    page.wait_for_url("**/papers/#main")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_no_layout_shift_with_a_thumbnail(browser: Any, base: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.add_init_script("""
            window.__shift = 0;
            new PerformanceObserver(list => {
              for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
            }).observe({type: 'layout-shift', buffered: true});
        """)
        assert load_page(page, base, wait_until="networkidle").ok
        img = page.locator(".card .thumb img").first
        img.scroll_into_view_if_needed()
        page.wait_for_function("[...document.images].every(i => i.complete)")
        assert img.evaluate("i => i.naturalWidth") > 0
        assert page.evaluate("window.__shift") < 0.01
    finally:
        context.close()


def test_pages_work_without_javascript(browser: Any, base: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        for path in ("", "papers/2512.01234/", "archive/", "tags/"):
            # networkidle: the browser's late favicon request must not be cut by the next page
            report = load_page(page, base + path, wait_until="networkidle")
            assert report.ok, report.summary()
        page.goto(base + "papers/2512.01234/")
        assert page.locator(".abstract math").count() >= 2
        assert not page.locator(".theme-toggle").is_visible()
        assert not page.locator("button.copy").is_visible()
        assert page.locator("#bibtex").is_visible()
        page.goto(base + "days/2025-12-05/")
        assert page.locator(".cards > li").count() == 2
        page.locator(".date-jump button").click()  # without script the form opens the calendar
        page.wait_for_url("**/papers/archive/?day=*")
        assert page.locator("table.calendar").count() >= 2
        page.goto(base + "search/")
        assert "Search needs JavaScript" in page.content()
    finally:
        context.close()


@pytest.mark.parametrize("path", ["", "papers/2512.01234/", "archive/", "search/?q=attention"])
def test_dark_mode_passes_axe(browser: Any, base: str, path: str) -> None:
    require_tool(axe_available(), "axe-core", "npm ci --ignore-scripts")
    context = browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        report = load_page(page, base + path, wait_until="networkidle")
        assert report.ok, report.summary()
        assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "dark"
        violations = run_axe(page)
        assert violations == [], format_violations(violations)
    finally:
        context.close()


def test_nothing_overflows_a_360px_screen(browser: Any, base: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        for path in ("", "days/2025-12-05/", "papers/2512.01234/", "archive/", "tags/", "authors/",
                     "search/?q=attention", "weeks/2025-W49/"):
            report = load_page(page, base + path, wait_until="networkidle")
            assert report.ok, report.summary()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{path or 'home'} is {width}px wide"
    finally:
        context.close()
