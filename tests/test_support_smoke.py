"""Prove the test helpers in tests/support work, on tiny hand-written pages.

Each checker is shown to find a real problem in a bad page and nothing in a good
one, so a green run of the site's own checks means something. All browser tests
share one Chromium (a module-scoped fixture).
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

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
from tests.support.tools import in_ci, require_tool
from tests.support.vnu import check_html, vnu_available

GOOD_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>A good page</title>
<link rel="icon" href="data:,">
</head>
<body>
<header><p>paperfeed smoke test</p></header>
<main>
<h1>Papers</h1>
<p>A paragraph with <a href="other.html">a link</a>.</p>
<img src="pixel.svg" alt="A single pixel" width="1" height="1">
<form action="search.html">
<label for="q">Search</label>
<input id="q" name="q" type="search">
<button type="submit">Go</button>
</form>
</main>
</body>
</html>
"""

PIXEL_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" height="1"/></svg>\n'

INVALID_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>An invalid page</title>
</head>
<body>
<span><div>a block inside an inline element</div></span>
</body>
</html>
"""

INACCESSIBLE_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>An inaccessible page</title>
<link rel="icon" href="data:,">
</head>
<body>
<main>
<h1>Papers</h1>
<img src="pixel.svg">
<form action="search.html"><input name="q" type="text"></form>
</main>
</body>
</html>
"""

BROKEN_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>A broken page</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="missing.css">
</head>
<body>
<main>
<h1>Broken</h1>
<img src="missing.png" alt="A missing image">
<img src="http://127.0.0.1:{closed_port}/unreachable.png" alt="An unreachable image">
<script>throw new Error("smoke-test-boom");</script>
<script>console.error("smoke-test-console-error");</script>
</main>
</body>
</html>
"""


def closed_port() -> int:
    """A loopback port with nothing listening on it (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text(GOOD_PAGE, encoding="utf-8")
    (root / "other.html").write_text(
        GOOD_PAGE.replace("A good page", "Another good page"), encoding="utf-8"
    )
    (root / "pixel.svg").write_text(PIXEL_SVG, encoding="utf-8")
    (root / "inaccessible.html").write_text(INACCESSIBLE_PAGE, encoding="utf-8")
    (root / "broken.html").write_text(
        BROKEN_PAGE.format(closed_port=closed_port()), encoding="utf-8"
    )
    (root / "no-icon.html").write_text(
        GOOD_PAGE.replace('<link rel="icon" href="data:,">\n', ""), encoding="utf-8"
    )
    (root / "404.html").write_text(GOOD_PAGE.replace("A good page", "Not found"), encoding="utf-8")
    (root / "papers" / "x").mkdir(parents=True)
    (root / "papers" / "x" / "index.html").write_text(GOOD_PAGE, encoding="utf-8")
    return root


# --- tools.require_tool ---------------------------------------------------------


def test_require_tool_skips_locally_and_fails_in_ci(monkeypatch):
    require_tool(True, "present tool")  # no effect

    monkeypatch.delenv("CI", raising=False)
    assert not in_ci()
    with pytest.raises(pytest.skip.Exception, match="frobnicator is not available"):
        require_tool(False, "frobnicator", "apt-get install frobnicator")

    for value in ("true", "1", "yes"):
        monkeypatch.setenv("CI", value)
        assert in_ci()
        with pytest.raises(pytest.fail.Exception, match="CI is set"):
            require_tool(False, "frobnicator")

    monkeypatch.setenv("CI", "false")
    assert not in_ci()


# --- serve.serve_dir --------------------------------------------------------------


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def test_serve_dir_serves_files_and_directory_indexes(site):
    with serve_dir(site) as base_url:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/")
        status, content_type, body = fetch(base_url)
        assert (status, content_type) == (200, "text/html")
        assert b"A good page" in body
        assert fetch(base_url + "papers/x/")[0] == 200
        assert fetch(base_url + "pixel.svg")[1] == "image/svg+xml"
        assert fetch(base_url + "nope.html")[0] == 404
        port = int(base_url.rstrip("/").rsplit(":", 1)[1])

    # Shut down: the port is closed again.
    with socket.socket() as s, pytest.raises(OSError):
        s.settimeout(2)
        s.connect(("127.0.0.1", port))


def test_serve_dir_can_answer_404_with_the_site_page(site):
    with serve_dir(site, not_found_page="404.html") as base_url:
        status, _, body = fetch(base_url + "no/such/page/")
        assert status == 404
        assert b"Not found" in body


def test_serve_dir_can_serve_under_a_sub_path(site):
    # As GitHub Pages serves a project site: https://user.github.io/papers/
    with serve_dir(site, prefix="papers") as base_url:
        assert base_url.endswith("/papers/")
        status, _, body = fetch(base_url)
        assert status == 200 and b"A good page" in body
        assert fetch(base_url + "papers/x/")[0] == 200
        assert fetch(base_url[: -len("papers/")])[0] == 404  # outside the prefix
        assert fetch(base_url[: -len("papers/")] + "pixel.svg")[0] == 404
        assert fetch(base_url.rstrip("/"))[0] == 200  # redirected to the slash


def test_serve_dir_rejects_a_missing_folder(tmp_path):
    with pytest.raises(NotADirectoryError), serve_dir(tmp_path / "missing"):
        pass


# --- vnu.check_html --------------------------------------------------------------


@pytest.fixture(scope="module")
def vnu():
    require_tool(
        vnu_available(),
        "the Nu HTML Checker (java + node_modules/vnu-jar)",
        "npm ci --ignore-scripts",
    )


@pytest.mark.external
def test_vnu_reports_invalid_html_and_passes_valid_html(vnu, tmp_path):
    (tmp_path / "good.html").write_text(GOOD_PAGE, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.html").write_text(INVALID_PAGE, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("<div>not html, skipped</div>", encoding="utf-8")

    # A whole folder in one run: the one error names the file and its line.
    errors = check_html(tmp_path)
    assert len(errors) == 1, errors
    assert errors[0].startswith("sub/bad.html:8:"), errors
    assert "div" in errors[0] and "span" in errors[0]

    # A valid page alone: no errors.
    assert check_html([tmp_path / "good.html"]) == []


@pytest.mark.external
def test_vnu_refuses_to_check_nothing(vnu, tmp_path):
    with pytest.raises(FileNotFoundError):
        check_html(tmp_path / "missing")
    with pytest.raises(ValueError):
        check_html(tmp_path)  # an empty folder


# --- browser: load_page and run_axe, in one Chromium ------------------------------


@pytest.fixture(scope="module")
def browser():
    require_tool(
        chromium_available(),
        "Chromium with Playwright",
        "apt-get install chromium; pip install playwright",
    )
    with chromium_browser() as browser:
        yield browser


@pytest.fixture(scope="module")
def base_url(site):
    with serve_dir(site) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.browser
def test_load_page_reports_nothing_for_a_good_page(page, base_url):
    report = load_page(page, base_url)
    assert report.status == 200
    assert report.ok, report.summary()
    assert page.title() == "A good page"


@pytest.mark.browser
def test_load_page_reports_script_errors_and_failed_requests(page, base_url):
    report = load_page(page, base_url + "broken.html")
    summary = report.summary()
    assert report.status == 200
    assert not report.ok

    assert any("uncaught:" in e and "smoke-test-boom" in e for e in report.console_errors), summary
    assert any("smoke-test-console-error" in e for e in report.console_errors), summary

    missing = [r for r in report.failed_requests if r.url.endswith("/missing.png")]
    assert [r.status for r in missing] == [404], summary
    # Reported once, although Chromium also aborts a stylesheet that got a 404.
    stylesheet = [r for r in report.failed_requests if r.url.endswith("/missing.css")]
    assert [r.status for r in stylesheet] == [404], summary
    unreachable = [r for r in report.failed_requests if r.url.endswith("/unreachable.png")]
    assert len(unreachable) == 1 and unreachable[0].status is None, summary
    assert "ERR_CONNECTION_REFUSED" in unreachable[0].reason, summary


@pytest.mark.browser
def test_load_page_reports_a_missing_page(page, base_url):
    report = load_page(page, base_url + "no-such-page/")
    assert report.status == 404
    assert [r.status for r in report.failed_requests] == [404], report.summary()


@pytest.mark.browser
def test_load_page_ignores_chromiums_own_favicon_request(page, base_url):
    # No <link rel="icon">: Chromium asks for /favicon.ico by itself (a 404 here).
    report = load_page(page, base_url + "no-icon.html", wait_until="networkidle")
    assert report.ok, report.summary()


@pytest.mark.browser
def test_load_page_stops_listening_after_the_load(page, base_url):
    report = load_page(page, base_url)
    page.evaluate("() => console.error('after the load')")
    assert report.console_errors == []


@pytest.fixture(scope="module")
def axe():
    require_tool(axe_available(), "axe-core (node_modules/axe-core)", "npm ci --ignore-scripts")


@pytest.mark.browser
def test_axe_finds_serious_violations_in_a_bad_page(axe, page, base_url):
    load_page(page, base_url + "inaccessible.html")
    violations = run_axe(page)
    ids = {v["id"] for v in violations}
    assert {"image-alt", "label"} <= ids, format_violations(violations)
    assert all(v["impact"] in ("serious", "critical") for v in violations)
    image_alt = next(v for v in violations if v["id"] == "image-alt")
    assert image_alt["nodes"][0]["html"].startswith("<img")


@pytest.mark.browser
def test_axe_passes_a_good_page(axe, page, base_url):
    load_page(page, base_url)
    violations = run_axe(page)
    assert violations == [], format_violations(violations)
    # Twice on the same document: axe is injected only once.
    assert run_axe(page) == []
