"""Pure: (SiteIndex, config, urls) -> [FilePlan] for RSS, Atom, JSON Feed and OPML.

A feed's plan in each format has the feed as its inputs (one key for its formats) and
makes its bytes only when generator/incremental.py finds the last build's file stale.

Also `feed_links`, which tells each page which feeds concern it (the
`<link rel="alternate">` autodiscovery links of base.html).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from generator.config import SiteConfig
from generator.feeds.catalog import KINDS, TAXONOMY_NAMES, Catalog, Feed
from generator.feeds.formats import FORMAT_NAMES, MEDIA_TYPES, XmlWriter, json_feed
from generator.feeds.opml import build_opml
from generator.incremental import FilePlan
from generator.indexes import TAXONOMIES, SiteIndex, Term
from generator.render import FeedLink
from generator.urls import Urls

__all__ = ["build_feeds", "feed_links", "site_feeds"]


def site_feeds(index: SiteIndex, config: SiteConfig, urls: Urls) -> list[Feed]:
    """Every feed of the site as values (none when the site has no papers)."""
    return list(Catalog(index, config, urls).feeds())


def build_feeds(index: SiteIndex, config: SiteConfig, urls: Urls) -> Iterator[FilePlan]:
    """Every feed file in its formats, plus feeds.opml (always made), as plans: each made one at a
    time as the writer asks for them (a site's feeds hold many papers: never all in memory at once)."""
    feeds = site_feeds(index, config, urls)
    if not feeds:
        return
    xml = XmlWriter(urls, config.language, config.title)
    formats: dict[str, Callable[[Feed], bytes]] = {
        "rss": xml.rss, "atom": xml.atom,
        "json": lambda feed: json_feed(feed, urls, config.language, config.title)}
    for feed in feeds:
        inputs = feed.inputs  # the same object for each format: keyed once
        for kind, path in feed.paths:
            yield FilePlan(path, inputs, partial(formats[kind], feed))
    yield FilePlan(urls.opml(), None, partial(build_opml, feeds, urls, config.title))


def _links(urls: Urls, title: str, path_of: Callable[[str], str],
           kinds: tuple[str, ...] = KINDS) -> list[FeedLink]:
    return [FeedLink(f"{title} ({FORMAT_NAMES[kind]})", MEDIA_TYPES[kind], urls.href(path_of(kind)))
            for kind in kinds]


def _term_links(urls: Urls, term: Term, kinds: tuple[str, ...]) -> list[FeedLink]:
    title = f"{TAXONOMY_NAMES[term.taxonomy]}: {term.name}"
    return _links(urls, title, lambda kind: urls.term_feed(term.taxonomy, term.slug, kind), kinds)


def _page_count(papers: int, per_page: int) -> int:
    return max(1, -(-papers // per_page))


def feed_links(index: SiteIndex, config: SiteConfig, urls: Urls) -> Callable[[str], list[FeedLink]]:
    """path -> the feeds a page advertises: the site's RSS feed and the digest everywhere.

    Term and saved-search pages (each page of their pagination) list their own feeds first; paper
    pages add the feed (RSS if it has one) of each of their terms that has one; the home and
    trending pages add the site's other formats and the top-K feeds.
    """
    if not index.papers:
        return lambda path: []
    # Every page: the site's RSS feed and the digest. The home and trending pages add the
    # site's Atom and JSON Feed twins and the top-K feeds (the footer links them everywhere).
    digest = _links(urls, f"{config.title}: daily digest", urls.digest_feed, ("rss",))
    site = _links(urls, config.title, urls.feed, ("rss",)) + digest
    every_format = _links(urls, config.title, urls.feed) + digest
    top = [link for k in config.feeds.upvote_thresholds
           for link in _links(urls, f"{config.title}: at least {k} upvotes",
                              partial(urls.top_feed, k), ("rss",))]
    pages: dict[str, list[FeedLink]] = {urls.home(): every_format + top, urls.trending(): every_format + top}
    for search in config.feeds.searches:
        own = _links(urls, f"{config.title} · {search.name}", partial(urls.search_feed, search.slug))
        for number in range(1, _page_count(len(index.searches[search.slug]), config.rows_per_page) + 1):
            pages[urls.search_page(search.slug, number)] = own + site
    # Walk the terms that have feeds (few) rather than every name of every paper (many).
    paper_links: dict[str, list[FeedLink]] = {}
    for taxonomy in TAXONOMIES:
        for term in index.taxonomies.get(taxonomy, ()):
            if not term.has_feed:
                continue
            own = _term_links(urls, term, getattr(config, taxonomy).feed_formats)
            for number in range(1, _page_count(len(term.papers), config.rows_per_page) + 1):
                pages[urls.term(taxonomy, term.slug, number)] = own + site
            for paper in term.papers:  # a paper page: the term's RSS feed
                paper_links.setdefault(urls.paper(paper.id), list(site)).append(own[0])
    pages.update(paper_links)
    return lambda path: pages.get(path, site)
