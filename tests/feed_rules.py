"""The W3C Feed Validation Service's rules, checked on built feeds with feedparser and lxml.

feedparser is lenient (it accepts `2024-01-15 09:00` as a pubDate), so every
rule the validator enforces for RSS 2.0 (RSS Best Practices), Atom (RFC 4287)
and JSON Feed 1.1 is checked here on the parsed XML/JSON. Each check returns
the entries as small records so tests can assert order, ids and content.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
from lxml import etree, html

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

_RFC822 = re.compile(
    r"(?P<wday>Mon|Tue|Wed|Thu|Fri|Sat|Sun), (?P<day>\d{2}) "
    r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<year>\d{4}) "
    r"\d{2}:\d{2}:\d{2} (?:[+-]\d{4}|GMT|UT|[ECMP][SD]T)")
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
# RFC 4151: tag:authority,date:specific
_TAG_URI = re.compile(r"tag:(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|[^@\s]+@[a-z0-9.-]+),"
                      r"\d{4}(?:-\d{2}(?:-\d{2})?)?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Item:
    """One parsed entry, the same shape whatever the format."""

    id: str
    title: str
    link: str
    date: datetime
    content: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    image: str


def rfc822(text: str | None) -> datetime:
    """An RFC 822 date as the validator wants it: well-formed and with the right weekday."""
    assert text and _RFC822.fullmatch(text.strip()), f"not an RFC 822 date: {text!r}"
    when = parsedate_to_datetime(text)
    assert WEEKDAYS[when.weekday()] == text[:3], f"wrong weekday in {text!r}"
    assert when.tzinfo is not None
    return when


def rfc3339(text: str | None) -> datetime:
    assert text and _RFC3339.fullmatch(text), f"not an RFC 3339 date: {text!r}"
    return datetime.fromisoformat(text)


def absolute_url(url: str | None) -> str:
    assert url, "missing URL"
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.netloc, f"not an absolute URL: {url!r}"
    return url


def entry_id(value: str | None) -> str:
    """Atom ids and guids must be absolute IRIs; ours are tag: URIs (RFC 4151)."""
    assert value, "missing id"
    if value.startswith("tag:"):
        assert _TAG_URI.fullmatch(value), f"malformed tag: URI {value!r}"
    else:
        absolute_url(value)
    return value


def content_links(fragment: str) -> list[str]:
    """Every link of an entry's HTML; all must be absolute (readers have no base URL)."""
    if not fragment.strip():
        return []
    links = []
    for node in html.fragments_fromstring(fragment):
        if isinstance(node, str):
            continue
        for element in node.iter("a"):
            href = element.get("href")
            assert href is not None
            if not href.startswith("mailto:"):
                absolute_url(href)
            links.append(href)
    return links


def _feedparser(data: bytes, version: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, f"feedparser: {parsed.get('bozo_exception')}"
    assert parsed.version == version, parsed.version
    return parsed


def _unique(items: list[Item]) -> list[Item]:
    ids = [item.id for item in items]
    assert len(ids) == len(set(ids)), "an entry id appears twice in one feed"
    links = [item.link for item in items]
    assert len(links) == len(set(links)), "an entry appears twice in one feed"
    return items


def check_rss(data: bytes, self_url: str) -> list[Item]:
    """RSS 2.0 + RSS Best Practices as the W3C validator applies them."""
    parsed = _feedparser(data, "rss20")
    root = etree.fromstring(data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channels = root.findall("channel")
    assert len(channels) == 1
    channel = channels[0]
    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), f"channel <{name}> missing or empty"
    absolute_url(channel.findtext("link"))
    selfs = [ln for ln in channel.findall(f"{{{ATOM}}}link") if ln.get("rel") == "self"]
    assert len(selfs) == 1 and selfs[0].get("href") == self_url, "atom:link rel=self != feed URL"
    assert selfs[0].get("type") == "application/rss+xml"
    assert channel.findtext("language")
    built = rfc822(channel.findtext("lastBuildDate")) if channel.find("lastBuildDate") is not None else None
    items = []
    for node in channel.findall("item"):
        assert node.findtext("title") or node.findtext("description"), "item without title/description"
        guid = node.find("guid")
        assert guid is not None and guid.text, "item without guid"
        link = absolute_url(node.findtext("link"))
        if guid.get("isPermaLink", "true") == "true":
            assert absolute_url(guid.text) == link, "a permalink guid must be the item's URL"
        else:
            assert guid.get("isPermaLink") == "false"
            entry_id(guid.text)
        for category in node.findall("category"):
            assert (category.text or "").strip(), "empty category"
        content = node.findtext("description") or ""
        content_links(content)
        thumbs = node.findall(f"{{{MEDIA}}}thumbnail")
        enclosure = node.find("enclosure")
        if enclosure is not None:
            absolute_url(enclosure.get("url"))
            assert (enclosure.get("length") or "").isdigit() and enclosure.get("type")
        items.append(Item(guid.text, node.findtext("title") or "", link, rfc822(node.findtext("pubDate")),
                          content, tuple(c.text or "" for c in node.findall(f"{{{DC}}}creator")),
                          tuple(c.text or "" for c in node.findall("category")),
                          absolute_url(thumbs[0].get("url")) if thumbs else ""))
    assert len(parsed.entries) == len(items)
    if items:  # paperfeed's own rule: the channel is dated by its newest record, not the clock
        assert built == max(item.date for item in items), "lastBuildDate is not the newest item's date"
    return _unique(items)


def check_atom(data: bytes, self_url: str) -> list[Item]:
    """Atom 1.0 (RFC 4287) as the W3C validator applies it."""
    _feedparser(data, "atom10")
    root = etree.fromstring(data)
    a = f"{{{ATOM}}}"
    assert root.tag == f"{a}feed"
    entry_id(root.findtext(f"{a}id"))
    assert (root.findtext(f"{a}title") or "").strip()
    feed_updated = rfc3339(root.findtext(f"{a}updated"))
    links = root.findall(f"{a}link")
    selfs = [ln for ln in links if ln.get("rel") == "self"]
    assert len(selfs) == 1 and selfs[0].get("href") == self_url, "link rel=self != feed URL"
    assert selfs[0].get("type") == "application/atom+xml"
    for link in links:
        absolute_url(link.get("href"))
    feed_authors = [n.findtext(f"{a}name") for n in root.findall(f"{a}author")]
    assert all(feed_authors)
    items = []
    for node in root.findall(f"{a}entry"):
        ident = entry_id(node.findtext(f"{a}id"))
        assert (node.findtext(f"{a}title") or "").strip(), "entry without title"
        updated = rfc3339(node.findtext(f"{a}updated"))
        if node.find(f"{a}published") is not None:
            assert rfc3339(node.findtext(f"{a}published")) <= updated
        alternates = [ln for ln in node.findall(f"{a}link") if ln.get("rel", "alternate") == "alternate"]
        assert len(alternates) == 1, "an entry needs exactly one alternate link"
        authors = tuple(n.findtext(f"{a}name") or "" for n in node.findall(f"{a}author"))
        assert all(authors) and (authors or feed_authors), "entry without author (and no feed author)"
        content = node.find(f"{a}content")
        assert content is not None and content.get("type") == "html", "entry content must be html"
        content_links(content.text or "")
        thumbs = node.findall(f"{{{MEDIA}}}thumbnail")
        items.append(Item(ident, node.findtext(f"{a}title") or "",
                          absolute_url(alternates[0].get("href")), updated, content.text or "",
                          authors, tuple(c.get("term") or "" for c in node.findall(f"{a}category")),
                          absolute_url(thumbs[0].get("url")) if thumbs else ""))
    if items:
        assert feed_updated == max(item.date for item in items), "feed updated is not the newest entry's"
    return _unique(items)


def check_json(data: bytes, feed_url: str) -> list[Item]:
    """JSON Feed 1.1: required fields and their types."""
    doc = json.loads(data.decode("utf-8"))
    assert doc["version"] == JSON_FEED_VERSION
    assert isinstance(doc["title"], str) and doc["title"].strip()
    assert doc["feed_url"] == feed_url
    absolute_url(doc["home_page_url"])
    for key in ("description", "language"):
        assert isinstance(doc.get(key, ""), str)
    for author in doc.get("authors", []):
        assert isinstance(author["name"], str) and author["name"]
    assert isinstance(doc["items"], list)
    items = []
    for item in doc["items"]:
        assert isinstance(item["id"], str) and item["id"], "item id must be a non-empty string"
        entry_id(item["id"])
        assert isinstance(item.get("content_html"), str) or isinstance(item.get("content_text"), str)
        assert isinstance(item["title"], str)
        tags = item.get("tags", [])
        assert isinstance(tags, list) and all(isinstance(t, str) for t in tags)
        authors = item.get("authors", [])
        assert isinstance(authors, list) and all(isinstance(x["name"], str) for x in authors)
        published = rfc3339(item["date_published"])
        if "date_modified" in item:
            assert rfc3339(item["date_modified"]) >= published
        content_links(item.get("content_html", ""))
        image = item.get("image", "")
        items.append(Item(item["id"], item["title"], absolute_url(item["url"]), published,
                          item.get("content_html", ""), tuple(x["name"] for x in authors),
                          tuple(tags), absolute_url(image) if image else ""))
    return _unique(items)


def newest_first(items: list[Item]) -> None:
    dates = [item.date for item in items]
    assert dates == sorted(dates, reverse=True), "entries are not newest first"


_FEED_FILE = re.compile(r"(?:[^/]+/)*(?:feed\.xml|atom\.xml|feed\.json|digest\.xml|digest\.atom\.xml"
                        r"|digest\.json)|feeds/(?:top-\d+|search/[a-z0-9-]+)(?:\.atom)?\.(?:xml|json)")


def feed_kind(path: str) -> str:
    """rss, atom or json, from the file names the README documents."""
    if path.endswith(".json"):
        return "json"
    return "atom" if path.endswith("atom.xml") else "rss"


def find_feeds(out: Path) -> dict[str, str]:
    """Every feed file of a built site: relative path -> kind."""
    found = {}
    for file in sorted(out.rglob("*")):
        rel = file.relative_to(out).as_posix()
        if file.is_file() and not rel.startswith("static/") and _FEED_FILE.fullmatch(rel):
            found[rel] = feed_kind(rel)
    return found


CHECKS = {"rss": check_rss, "atom": check_atom, "json": check_json}


def check_site_feeds(out: Path, base_url: str) -> dict[str, list[Item]]:
    """Validate every feed of a built site; returns its items per feed path."""
    feeds = find_feeds(out)
    assert feeds, "the site has no feeds"
    parsed = {}
    for rel, kind in feeds.items():
        try:
            items = CHECKS[kind]((out / rel).read_bytes(), base_url + rel)
            newest_first(items)
            for item in items:
                assert item.link.startswith(base_url), item.link
        except AssertionError as exc:
            raise AssertionError(f"{rel}: {exc}") from exc
        parsed[rel] = items
    return parsed


def siblings(rss_path: str) -> dict[str, str]:
    """The three formats of one feed, from its RSS path (feed.xml, digest.xml, feeds/top-K.xml,
    feeds/search/SLUG.xml)."""
    if rss_path.endswith("feed.xml"):
        stem = rss_path[: -len("feed.xml")]
        return {"rss": rss_path, "atom": stem + "atom.xml", "json": stem + "feed.json"}
    stem = rss_path[: -len(".xml")]
    return {"rss": rss_path, "atom": stem + ".atom.xml", "json": stem + ".json"}
