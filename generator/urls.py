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
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from urllib.parse import quote, quote_plus, urlencode, urlsplit

from generator.model import WINDOWS_DEVICES, PaperId

FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}
#: The search page's filter (a URL parameter and a Pagefind filter) for each taxonomy.
SEARCH_FILTERS = {"tags": "tag", "orgs": "org", "authors": "author"}
# Tag URIs (RFC 4151) need a date on which the authority held its name; a constant keeps ids
# stable forever (a date from the build clock or the records would change them).
ID_DATE = "2025"
MAX_SLUG = 80
_DIGEST = 10


@lru_cache(maxsize=1 << 17)
def slugify(name: str) -> str:
    """A term's URL segment: ASCII, lowercase, '-' between words; never empty, '.', '..' or a device name."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_SLUG].strip("-")
    if not slug:
        digest = hashlib.sha1(unicodedata.normalize("NFC", name).casefold().encode()).hexdigest()
        return f"u-{digest[:10]}"
    return slug + "-" if slug in WINDOWS_DEVICES else slug


@lru_cache(maxsize=1 << 17)
def term_key(name: str) -> str:
    """What makes two names one term: case, Unicode compatibility forms (NFKC), invisible
    format characters (a zero-width space) and runs of spaces do not count."""
    # Names repeat (an author on many papers, a tag on thousands): short ones are remembered.
    return _short_term_key(name) if len(name) <= 200 else _term_key(name)


@lru_cache(maxsize=65536)
def _short_term_key(name: str) -> str:
    return _term_key(name)


def _term_key(name: str) -> str:
    text = "".join(ch for ch in unicodedata.normalize("NFKC", name) if unicodedata.category(ch) != "Cf")
    return " ".join(text.casefold().split())


def term_slugs(claims: Mapping[str, date | None]) -> dict[str, str]:
    """A distinct URL slug for each term key, so two terms never share (overwrite) a page.

    `claims` gives each key the day its page came to be (the featured day of the paper
    that gave it enough papers for a page), or None when it has no page. Terms whose slugs
    clash ("C" and "C++" are both "c"; "cafe" and "Café"; two long names cut at 80
    characters) leave the plain slug to the one whose page is oldest; the others add a
    short hash of their key, which never changes. Ties (pages made on one day) go to the
    name the slug spells exactly, then to the first key in order.

    So adding records never moves an existing page: a term with no page claims nothing,
    and a term that gets its page from a new record dated on or after every existing one
    claims a day no earlier than the current holder's. Limits, without stored state (a
    rule over the records alone cannot know which term was there first): a back-dated
    record can give a clashing term an older page and the plain slug; so can one dated
    on the very day the holder got its page, when the newcomer wins the tie; and when the
    holder loses its page (records removed) the next term's page moves to the plain slug.
    """
    by_slug: dict[str, list[str]] = defaultdict(list)
    for key in claims:
        by_slug[slugify(key)].append(key)
    slugs = {}
    for slug, group in by_slug.items():
        group.sort(key=lambda key: (claims[key] is None, claims[key] or date.min,
                                    key.replace(" ", "-") != slug, key))
        slugs[group[0]] = slug
        for key in group[1:]:
            digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST]
            slugs[key] = f"{slug[:MAX_SLUG - _DIGEST - 1]}-{digest}"
    return slugs


def paper_slug(paper_id: PaperId) -> str:
    """hep-th/9711200 -> hep-th-9711200; versions never appear in URLs."""
    return paper_id.key.replace("/", "-")


def _page(path: str, page: int) -> str:
    return path if page <= 1 else f"{path}page/{page}/"


class Urls:
    """Builds every URL of a site from its base URL."""

    def __init__(self, base_url: str, id_base: str = "") -> None:
        self.base = base_url.rstrip("/") + "/"
        split = urlsplit(self.base)
        self.root = split.path or "/"
        # Feed ids leave out the scheme and port: moving to https must not make old papers new.
        self.id_base = (id_base or f"{split.hostname or 'localhost'}{self.root}").strip("/")

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

    def search_for(self, taxonomy: str, name: str) -> str:
        """Root-relative link to the search page filtered to one term: where a name without a
        page of its own leads (/search/?author=Ada%20Lovelace)."""
        return self.href(self.search()) + "?" + urlencode({SEARCH_FILTERS[taxonomy]: name}, quote_via=quote_plus)

    def paper(self, paper_id: PaperId) -> str:
        return f"papers/{paper_slug(paper_id)}/"

    def taxonomy(self, taxonomy: str, page: int = 1) -> str:
        return _page(f"{taxonomy}/", page)

    def term(self, taxonomy: str, slug: str, page: int = 1) -> str:
        return _page(f"{taxonomy}/{slug}/", page)

    def search_page(self, slug: str, page: int = 1) -> str:
        """The page listing every paper a saved search (feeds.searches) matches."""
        return _page(f"feeds/search/{slug}/", page)

    # files
    def feed(self, kind: str, prefix: str = "") -> str:
        return prefix + FEED_FILES[kind]

    def term_feed(self, taxonomy: str, slug: str, kind: str) -> str:
        return self.feed(kind, f"{taxonomy}/{slug}/")

    def top_feed(self, threshold: int, kind: str) -> str:
        suffix = {"rss": ".xml", "atom": ".atom.xml", "json": ".json"}[kind]
        return f"feeds/top-{threshold}{suffix}"

    def search_feed(self, slug: str, kind: str) -> str:
        suffix = {"rss": ".xml", "atom": ".atom.xml", "json": ".json"}[kind]
        return f"feeds/search/{slug}{suffix}"

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

    def search_bundle(self) -> str:
        """Folder of the search index: one Pagefind bundle per shard in it."""
        return "pagefind/"

    def search_shard(self, number: int) -> str:
        """Folder of one shard's Pagefind bundle (its pagefind.js and data)."""
        return f"{self.search_bundle()}{number}/"

    def archive_days(self) -> str:
        """Every day with papers, as JSON, for the date picker."""
        return "archive/days.json"

    def static(self, name: str) -> str:
        return f"static/{name}"

    # the static API in Hugging Face's shapes (generator/api.py, docs/api.md)
    def api_daily_papers(self) -> str:
        """The latest day: a folder, because the day, week and month files live under it;
        `/api/daily_papers` (what huggingface_hub asks for) is redirected to it by static hosts."""
        return "api/daily_papers/"

    def api_day(self, day: date) -> str:
        return f"{self.api_daily_papers()}{day.isoformat()}.json"

    def api_week(self, year: int, week: int) -> str:
        return f"{self.api_daily_papers()}{year}-W{week:02d}.json"

    def api_month(self, year: int, month: int) -> str:
        return f"{self.api_daily_papers()}{year}-{month:02d}.json"

    def api_paper(self, paper_id: PaperId) -> str:
        """/api/papers/2512.01234: a file without an extension (huggingface_hub's paper_info asks
        for exactly this URL; static hosts serve it as application/octet-stream). Old-style ids
        keep their '/' (hep-th/9711200), as the client puts the id in the URL as it is."""
        return f"api/papers/{paper_id.key}"

    # feed identifiers: never from the scheme, a title, a version or the build time
    def tag_uri(self, kind: str, name: str) -> str:
        """tag:example.org,2025:/papers/paper/2512.01234 (RFC 4151), from id_base, a kind and a key."""
        host, _, path = self.id_base.partition("/")
        prefix = f"/{path}/" if path else "/"
        return f"tag:{host.lower()},{ID_DATE}:{prefix}{kind}/{quote(name, safe='/-._~')}"

    def paper_entry_id(self, paper_id: PaperId) -> str:
        """A paper's entry id: from the version-less key, so v1 and v2 are one entry."""
        return self.tag_uri("paper", paper_id.key)

    def digest_entry_id(self, day: date) -> str:
        return self.tag_uri("digest", day.isoformat())

    def feed_id(self, key: str) -> str:
        """The fixed id of one feed ("site", "digest", "tags/attention", "top-10")."""
        return self.tag_uri("feed", key)

    # turning paths into links and files
    def href(self, path: str) -> str:
        """Root-relative link for HTML (keeps the base URL's sub-path)."""
        return quote(self.root + path, safe="/:@!$&'()*+,;=-._~%")

    def absolute(self, path: str) -> str:
        """Full URL for feeds, canonical links and the sitemap."""
        return self.base + quote(path, safe="/:@!$&'()*+,;=-._~%")

    def absolute_page(self, output_path: str) -> str:
        """Full URL of the page a written file serves (the sitemap lists files by output path)."""
        return self.absolute(self.page_path(output_path))

    def thumbnail(self, value: str, absolute: bool = False) -> str:
        """A record's thumbnail as a link: a full URL as it is, a site path (/images/card.png)
        root-relative for HTML or, with `absolute`, a full URL (feeds, og:image, the API); '' stays ''."""
        if not value.startswith("/"):
            return value
        path = value.lstrip("/")
        return self.absolute(path) if absolute else self.href(path)

    @staticmethod
    def output_path(path: str) -> str:
        """The file a page is written to, relative to the output folder."""
        return path + "index.html" if path == "" or path.endswith("/") else path

    @staticmethod
    def page_path(output_path: str) -> str:
        """The page a written file serves: output_path's inverse ('days/x/index.html' -> 'days/x/')."""
        if output_path == "index.html" or output_path.endswith("/index.html"):
            return output_path.removesuffix("index.html")
        return output_path
