"""Screenshots of the sample site for reviewing the default theme: `make screenshots`.

Builds the repository's sample site (content/) into a temporary folder, serves it
on 127.0.0.1 and writes PNGs of the home page and a paper page (plus the calendar
and a search) at 1280 px and 390 px wide, in light and dark mode, to
screenshots/ (gitignored). Uses Debian's
Chromium through Playwright (never `playwright install`). The machine is offline,
so images from other hosts (Hugging Face thumbnails) are answered with a local
placeholder of the same shape instead of failing.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.build import build  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
WIDTHS = {"1280": (1280, 900), "390": (390, 844)}
PLACEHOLDER = (b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360" viewBox="0 0 640 360">'
               b'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#c7d2fe"/>'
               b'<stop offset="1" stop-color="#fed7aa"/></linearGradient></defs>'
               b'<rect width="640" height="360" fill="url(#g)"/></svg>')


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def _serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _paper_path(public: Path) -> str:
    """The paper page that shows the most of the theme (names, links, tags, image, related)."""
    from lxml import html

    def richness(page: Path) -> tuple[int, str]:
        doc = html.parse(str(page))
        score = sum(bool(doc.xpath(query)) for query in (
            "//ul[contains(@class, 'links')]", "//ul[@class='tags']", "//ul[@class='author-list']//a",
            "//img[@class='paper-thumb']", "//span[@class='org']", "//section[@class='related']"))
        return score, page.parent.name

    best = max(sorted(public.glob("papers/*/index.html")), key=richness)
    return best.parent.relative_to(public).as_posix() + "/"


def take(site: Path, out: Path) -> list[Path]:
    """Build `site`, then write the screenshots into `out`; returns the files written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        public = Path(tmp) / "public"
        build(site, {"output_dir": str(public), "base_url": "http://127.0.0.1/"}, environ={})
        server, base = _serve(public)
        pages = {"home": "", "paper": _paper_path(public), "archive": "archive/",
                 "search": "search/?q=diffusion"}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for scheme in ("light", "dark"):
                    for label, (width, height) in WIDTHS.items():
                        context = browser.new_context(viewport={"width": width, "height": height},
                                                      color_scheme=scheme, device_scale_factor=1)
                        context.route(lambda url: not url.startswith(base), lambda route: route.fulfill(
                            status=200, content_type="image/svg+xml", body=PLACEHOLDER))
                        page = context.new_page()
                        for name, path in pages.items():
                            page.goto(base + path, wait_until="networkidle")
                            if name == "search":
                                page.wait_for_selector("#search-results li")
                            suffix = "" if scheme == "light" else "-dark"
                            target = out / f"{name}-{label}{suffix}.png"
                            full = name in ("paper", "archive")
                            page.screenshot(path=str(target), full_page=full)
                            written.append(target)
                        context.close()
                browser.close()
        finally:
            server.shutdown()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO, help="site folder (default: the sample site)")
    parser.add_argument("--out", type=Path, default=REPO / "screenshots", help="where PNGs go")
    args = parser.parse_args()
    for path in take(args.site, args.out):
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


if __name__ == "__main__":
    main()
