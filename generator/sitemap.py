"""Pure: (page paths, SiteIndex, urls) -> [FilePlan] for sitemap.xml and robots.txt (always made:
one pass over the page paths, cheaper than keying them)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from xml.sax.saxutils import escape

from generator.incremental import FilePlan
from generator.indexes import SiteIndex
from generator.urls import Urls


def build_sitemap(page_paths: Sequence[str], index: SiteIndex, urls: Urls) -> list[FilePlan]:
    """Every HTML page (not 404) in the sitemap; paper pages carry their featured date."""
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute(urls.sitemap())}\n"
    return [FilePlan(urls.sitemap(), None, partial(sitemap_xml, tuple(page_paths), index, urls)),
            FilePlan(urls.robots(), None, robots.encode)]


def sitemap_xml(page_paths: Sequence[str], index: SiteIndex, urls: Urls) -> bytes:
    """The sitemap of these pages."""
    lastmod = {urls.output_path(urls.paper(p.id)): p.date.isoformat() for p in index.papers}
    rows = []
    for path in sorted(page_paths):
        if not path.endswith(".html") or path == urls.not_found():
            continue
        when = f"<lastmod>{lastmod[path]}</lastmod>" if path in lastmod else ""
        rows.append(f"<url><loc>{escape(urls.absolute_page(path))}</loc>{when}</url>")
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows) + "\n</urlset>\n")
    return xml.encode()
