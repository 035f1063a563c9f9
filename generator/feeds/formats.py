"""Feed values -> bytes: RSS 2.0 and Atom 1.0 with feedgen, JSON Feed 1.1 by hand.

feedgen's pitfalls, handled here: it prepends entries by default (we append, in
newest-first order); it stamps `lastBuildDate`, `updated` and every entry's
`updated` with the clock (we set them all from the records); RSS `<author>`
needs an e-mail address (names go to `dc:creator`); the channel `<link>` is the
last link added (the home page goes last).

Authors: Atom has one `<author>` each, JSON Feed its `authors` array, but RSS
has all the names in ONE `dc:creator` ("Ada Lovelace, Alan Turing"), as arXiv's
RSS does: readers with one author field (feedparser's `entry.author`, newsboat)
show the last `dc:creator` only, so a four-author paper read as one author's.
"""

from __future__ import annotations

import json
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.dc import DcEntryExtension
from feedgen.ext.media import MediaEntryExtension
from feedgen.feed import FeedGenerator

from generator import __version__
from generator.feeds.catalog import Feed
from generator.feeds.entries import Entry, xml_text
from generator.urls import Urls

MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml",
               "json": "application/feed+json"}
FORMAT_NAMES = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "paperfeed"


class XmlWriter:
    """RSS and Atom documents; feedgen entries are made once per entry id and shared."""

    def __init__(self, urls: Urls, language: str, site_title: str) -> None:
        self.urls, self.language, self.site_title = urls, xml_text(language), xml_text(site_title)
        self._entries: dict[str, FeedEntry] = {}

    def _entry(self, entry: Entry) -> FeedEntry:
        found = self._entries.get(entry.id)
        if found is not None:
            return found
        fe = FeedEntry()
        # register_extension, not load_extension: the latter imports the module on every call.
        fe.register_extension("dc", DcEntryExtension, atom=False, rss=True)
        fe.register_extension("media", MediaEntryExtension)
        fe.id(entry.id)  # also the RSS guid, isPermaLink="false": it is a tag: URI, not the URL
        fe.title(entry.title)
        fe.link(href=entry.link, rel="alternate")
        fe.content(entry.content_html, type="html")
        fe.published(entry.date)
        fe.updated(entry.date)
        if entry.authors:
            fe.author([{"name": name} for name in entry.authors])
            fe.dc.dc_creator(", ".join(entry.authors))
        if entry.categories:
            fe.category([{"term": term} for term in entry.categories])
        if entry.image:
            fe.media.thumbnail(url=entry.image, group=None)
        self._entries[entry.id] = found = fe
        return fe

    def _generator(self, feed: Feed, kind: str) -> FeedGenerator:
        fg = FeedGenerator()
        fg.load_extension("dc", atom=False, rss=True)
        fg.load_extension("media")
        fg.id(self.urls.feed_id(feed.key))
        fg.title(feed.title)
        fg.description(feed.description)
        fg.language(self.language)
        # Atom needs an author for entries that have none (a paper with no known authors).
        fg.author({"name": self.site_title})
        fg.generator(GENERATOR, version=__version__)
        fg.link(href=self.urls.absolute(feed.path(kind)), rel="self", type=MEDIA_TYPES[kind])
        fg.link(href=feed.home, rel="alternate", type="text/html")
        fg.updated(feed.updated)  # Atom <updated> and RSS <lastBuildDate> (one setter in feedgen)
        for entry in feed.entries:
            fg.add_entry(self._entry(entry), order="append")
        return fg

    def rss(self, feed: Feed) -> bytes:
        return bytes(self._generator(feed, "rss").rss_str(pretty=True))

    def atom(self, feed: Feed) -> bytes:
        return bytes(self._generator(feed, "atom").atom_str(pretty=True))


def _json_item(entry: Entry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry.id, "url": entry.link, "title": entry.title,
        "content_html": entry.content_html,
        "date_published": entry.date.isoformat(), "date_modified": entry.date.isoformat(),
    }
    if entry.authors:
        item["authors"] = [{"name": name} for name in entry.authors]
    if entry.categories:
        item["tags"] = list(entry.categories)
    if entry.image:
        item["image"] = entry.image
    return item


def json_feed(feed: Feed, urls: Urls, language: str, site_title: str) -> bytes:
    """JSON Feed 1.1, keys sorted so the same site gives the same bytes."""
    document = {
        "version": JSON_FEED_VERSION, "title": feed.title, "description": feed.description,
        "home_page_url": feed.home, "feed_url": urls.absolute(feed.path("json")),
        "language": xml_text(language), "authors": [{"name": xml_text(site_title)}],
        "items": [_json_item(entry) for entry in feed.entries],
    }
    # No indent: json's C encoder only runs without it (5x faster on big sites).
    return (json.dumps(document, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
