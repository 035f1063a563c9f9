"""sitemap.xml and robots.txt."""

from __future__ import annotations

from xml.sax.saxutils import escape

from generator.indexes import SiteIndex
from generator.model import OutputFile
from generator.urls import Urls


def build_sitemap(page_paths: list[str], index: SiteIndex, urls: Urls) -> list[OutputFile]:
    """Every HTML page (not 404) in the sitemap; paper pages carry their featured date."""
    lastmod = {urls.output_path(urls.paper(p.id)): p.date.isoformat() for p in index.papers}
    rows = []
    for path in sorted(page_paths):
        if not path.endswith(".html") or path == urls.not_found():
            continue
        when = f"<lastmod>{lastmod[path]}</lastmod>" if path in lastmod else ""
        rows.append(f"<url><loc>{escape(urls.absolute_page(path))}</loc>{when}</url>")
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows) + "\n</urlset>\n")
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute(urls.sitemap())}\n"
    return [OutputFile(urls.sitemap(), xml.encode()), OutputFile(urls.robots(), robots.encode())]
