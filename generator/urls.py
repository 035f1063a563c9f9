"""The only place that builds slugs, URLs and output paths.

Every page is addressed by a site-relative path ("days/2025-12-08/"); `href`
makes root-relative links (the base URL may have a sub-path), `absolute` makes
full URLs for feeds, canonical links and the sitemap, and `output_path` maps a
page to the file the writer creates.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date
from urllib.parse import quote, urlsplit

from generator.model import PaperId

FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}
MAX_SLUG = 80


def slugify(name: str) -> str:
    """A term's URL segment: ASCII, lowercase, '-' between words; never empty, '.', '..' or a device name."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_SLUG].strip("-")
    if not slug:
        digest = hashlib.sha1(unicodedata.normalize("NFC", name).casefold().encode()).hexdigest()
        return f"u-{digest[:10]}"
    return slug + "-" if slug in _WINDOWS_DEVICES else slug


def paper_slug(paper_id: PaperId) -> str:
    """hep-th/9711200 -> hep-th-9711200; versions never appear in URLs."""
    return paper_id.key.replace("/", "-")


def _page(path: str, page: int) -> str:
    return path if page <= 1 else f"{path}page/{page}/"


class Urls:
    """Builds every URL of a site from its base URL."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/") + "/"
        self.root = urlsplit(self.base).path or "/"

    # pages
    def home(self) -> str:
        return ""

    def day(self, day: date, page: int = 1) -> str:
        return _page(f"days/{day.isoformat()}/", page)

    def week(self, year: int, week: int, page: int = 1) -> str:
        return _page(f"weeks/{year}-W{week:02d}/", page)

    def month(self, year: int, month: int, page: int = 1) -> str:
        return _page(f"months/{year}-{month:02d}/", page)

    def trending(self) -> str:
        return "trending/"

    def archive(self) -> str:
        return "archive/"

    def search(self) -> str:
        return "search/"

    def paper(self, paper_id: PaperId) -> str:
        return f"papers/{paper_slug(paper_id)}/"

    def taxonomy(self, taxonomy: str) -> str:
        return f"{taxonomy}/"

    def term(self, taxonomy: str, slug: str, page: int = 1) -> str:
        return _page(f"{taxonomy}/{slug}/", page)

    # files
    def feed(self, kind: str, prefix: str = "") -> str:
        return prefix + FEED_FILES[kind]

    def term_feed(self, taxonomy: str, slug: str, kind: str) -> str:
        return self.feed(kind, f"{taxonomy}/{slug}/")

    def top_feed(self, threshold: int, kind: str) -> str:
        suffix = {"rss": ".xml", "atom": ".atom.xml", "json": ".json"}[kind]
        return f"feeds/top-{threshold}{suffix}"

    def digest_feed(self, kind: str) -> str:
        return {"rss": "digest.xml", "atom": "digest.atom.xml", "json": "digest.json"}[kind]

    def opml(self) -> str:
        return "feeds.opml"

    def sitemap(self) -> str:
        return "sitemap.xml"

    def robots(self) -> str:
        return "robots.txt"

    def not_found(self) -> str:
        return "404.html"

    def static(self, name: str) -> str:
        return f"static/{name}"

    # turning paths into links and files
    def href(self, path: str) -> str:
        """Root-relative link for HTML (keeps the base URL's sub-path)."""
        return quote(self.root + path, safe="/:@!$&'()*+,;=-._~%")

    def absolute(self, path: str) -> str:
        """Full URL for feeds, canonical links and the sitemap."""
        return self.base + quote(path, safe="/:@!$&'()*+,;=-._~%")

    @staticmethod
    def output_path(path: str) -> str:
        """The file a page is written to, relative to the output folder."""
        return path + "index.html" if path == "" or path.endswith("/") else path
