"""Headless Chromium for tests: launching it, loading a page, running axe-core.

The browser is Debian's ``chromium`` package at ``/usr/bin/chromium``, driven by
Playwright from PyPI. Never run ``playwright install``: it downloads a browser
build, which this project's machines cannot fetch. A typical test::

    from tests.support.browser import chromium_browser, load_page, run_axe
    from tests.support.serve import serve_dir

    with serve_dir(site) as base_url, chromium_browser() as browser:
        page = browser.new_page()
        report = load_page(page, base_url)
        assert report.ok, report.summary()
        assert run_axe(page) == []

Start one browser per test module or session (a fixture) and a new page or
context per test: starting Chromium takes about a second.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from . import NODE_MODULES

if TYPE_CHECKING:  # pragma: no cover
    from playwright.sync_api import Browser, Page, Playwright

#: Debian's Chromium (apt-get install chromium).
CHROMIUM_PATH = "/usr/bin/chromium"

#: Flags that keep Chromium headless and off the network: without the
#: background-networking ones it keeps trying hosts it cannot reach here.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
)

#: axe-core's browser bundle (npm ci --ignore-scripts).
AXE_PATH = NODE_MODULES / "axe-core" / "axe.min.js"

#: The axe impacts that fail a test.
SERIOUS_IMPACTS = ("serious", "critical")


def chromium_available() -> bool:
    """True when Playwright imports and Debian's Chromium is installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)


def axe_available() -> bool:
    """True when axe-core's ``axe.min.js`` is in node_modules."""
    return AXE_PATH.is_file()


def launch_chromium(playwright: Playwright, **kwargs: Any) -> Browser:
    """Launch Debian's headless Chromium with the flags this machine needs.

    ``playwright`` is the object ``sync_playwright()`` gives; other keyword
    arguments go to ``playwright.chromium.launch`` (``args`` are added to
    :data:`CHROMIUM_ARGS`).
    """
    args = [*CHROMIUM_ARGS, *kwargs.pop("args", ())]
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=args, **kwargs)


@contextlib.contextmanager
def chromium_browser(**kwargs: Any) -> Iterator[Browser]:
    """Start Playwright and Chromium, yield the browser, and close both after.

    Keyword arguments go to :func:`launch_chromium`. For use in a module- or
    session-scoped fixture::

        @pytest.fixture(scope="module")
        def browser():
            require_tool(chromium_available(), "Chromium", "apt-get install chromium")
            with chromium_browser() as browser:
                yield browser
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, **kwargs)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class FailedRequest:
    """A request that failed (``status`` None, ``reason`` from the browser) or got a 4xx/5xx."""

    url: str
    status: int | None
    reason: str

    def __str__(self) -> str:
        what = f"HTTP {self.status}" if self.status is not None else self.reason
        return f"{self.url}: {what}"


@dataclass
class PageReport:
    """What went wrong while a page loaded.

    ``console_errors`` holds the page's ``console.error`` messages and its
    uncaught exceptions (prefixed ``uncaught:``), as a browser's console shows
    them; ``failed_requests`` the requests that failed at the network level
    (``requestfailed``) or were answered with a status of 400 or more.
    """

    url: str
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[FailedRequest] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the page loaded without console errors or failed requests."""
        return not self.console_errors and not self.failed_requests

    def summary(self) -> str:
        """A readable list of the problems, for an assertion message."""
        lines = [f"{self.url} (HTTP {self.status}):"]
        lines += [f"  console: {message}" for message in self.console_errors]
        lines += [f"  request: {failed}" for failed in self.failed_requests]
        if len(lines) == 1:
            lines.append("  no problems")
        return "\n".join(lines)


def load_page(
    page: Page,
    url: str,
    *,
    wait_until: str = "load",
    timeout: float = 30_000,
    ignore_default_favicon: bool = True,
) -> PageReport:
    """Load ``url`` in ``page`` and report console errors and failed requests.

    Listens from just before navigation until the ``wait_until`` event
    (``"load"`` by default; ``"networkidle"`` also waits for late requests),
    then stops listening, so the same page can load several URLs. The page
    stays on ``url`` for further checks (``run_axe``, clicks, screenshots).

    Chromium asks for ``/favicon.ico`` on its own, after the page, when the
    page declares no icon; whether its 404 shows up before the listeners stop
    is a race, so by default it is ignored (``ignore_default_favicon=False``
    keeps it). A missing icon that the page links to is still reported.
    """
    report = PageReport(url=url)
    default_favicon = urljoin(url, "/favicon.ico")

    def on_console(message: Any) -> None:
        if message.type == "error":
            location = message.location or {}
            where = location.get("url", "")
            if ignore_default_favicon and where == default_favicon:
                return
            if where and location.get("lineNumber") is not None:
                where += f":{location['lineNumber'] + 1}"
            report.console_errors.append(f"{message.text}" + (f" ({where})" if where else ""))

    def on_page_error(error: Any) -> None:
        report.console_errors.append(f"uncaught: {error}")

    def on_request_failed(request: Any) -> None:
        # Chromium also aborts some requests that got a 4xx/5xx (a stylesheet):
        # that one is already reported, with its status.
        if any(f.url == request.url and f.status is not None for f in report.failed_requests):
            return
        report.failed_requests.append(
            FailedRequest(url=request.url, status=None, reason=request.failure or "failed")
        )

    def on_response(response: Any) -> None:
        if response.status >= 400:
            report.failed_requests.append(
                FailedRequest(url=response.url, status=response.status, reason=response.status_text)
            )

    handlers = {
        "console": on_console,
        "pageerror": on_page_error,
        "requestfailed": on_request_failed,
        "response": on_response,
    }
    for event, handler in handlers.items():
        page.on(event, handler)
    try:
        response = page.goto(url, wait_until=wait_until, timeout=timeout)
        report.status = response.status if response is not None else None
    finally:
        for event, handler in handlers.items():
            page.remove_listener(event, handler)
    return report


def run_axe(
    page: Page,
    *,
    impacts: tuple[str, ...] = SERIOUS_IMPACTS,
    options: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Run axe-core on the page's current document; return its serious violations.

    Injects ``node_modules/axe-core/axe.min.js`` (once per document), runs
    ``axe.run`` with ``options`` (axe's own run options, e.g.
    ``{"rules": {"color-contrast": {"enabled": False}}}``) and returns the
    violations whose impact is in ``impacts`` (serious or critical by default),
    each as ``{"id", "impact", "help", "helpUrl", "nodes": [{"target", "html",
    "failureSummary"}]}``. An empty list means the page passes.
    """
    has_axe = "() => typeof window.axe !== 'undefined'"
    if not page.evaluate(has_axe):
        from playwright.sync_api import Error as PlaywrightError

        with contextlib.suppress(PlaywrightError):
            page.add_script_tag(path=str(AXE_PATH))
        if not page.evaluate(has_axe):
            # A Content-Security-Policy that forbids inline scripts blocks the
            # script tag; evaluating the source is not subject to it.
            page.evaluate(AXE_PATH.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async (options) => await axe.run(document, options || {})", options)
    violations = []
    for violation in result["violations"]:
        if violation.get("impact") not in impacts:
            continue
        violations.append(
            {
                "id": violation["id"],
                "impact": violation["impact"],
                "help": violation["help"],
                "helpUrl": violation["helpUrl"],
                "nodes": [
                    {
                        "target": node.get("target"),
                        "html": node.get("html"),
                        "failureSummary": node.get("failureSummary"),
                    }
                    for node in violation["nodes"]
                ],
            }
        )
    return violations


def format_violations(violations: list[dict[str, Any]]) -> str:
    """A readable list of axe violations, for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['impact']}: {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html']}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines) or "no violations"
