"""Which feeds a site has, and what each holds.

The site, every tag/organisation/author with `has_feed`, each "at least K
upvotes" threshold, each saved search of `feeds.searches`, and the daily digest. Paper feeds hold the newest N papers
(featured day, then upvotes, then id), never "the last day's", so a feed does not
shrink while a day is being filled.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from generator.config import SearchConfig, SiteConfig
from generator.feeds.entries import Entry, EntryMaker, day_start, xml_text
from generator.indexes import TAXONOMIES, Period, SiteIndex, Term
from generator.model import Paper
from generator.urls import Urls

KINDS = ("rss", "atom", "json")
TAXONOMY_NAMES = {"tags": "Tag", "orgs": "Organization", "authors": "Author"}


@dataclass(frozen=True)
class Feed:
    """One feed, written in one or more formats; `paths` maps a format to its site path.

    Its entries are made from `sources` (papers, or days for the digest) only when the feed is
    written: `inputs` is all a feed's files are made from (the incremental layer keys them)."""

    key: str
    group: str
    title: str
    description: str
    home: str
    paths: tuple[tuple[str, str], ...]
    sources: tuple[Paper | Period, ...]
    updated: datetime
    maker: EntryMaker = field(compare=False, repr=False)

    @property
    def inputs(self) -> tuple[object, ...]:
        """Everything the feed's files are made from (besides the code and config)."""
        return (self.key, self.group, self.title, self.description, self.home, self.paths, self.sources,
                self.updated)

    @cached_property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(self.maker.paper(s) if isinstance(s, Paper) else self.maker.digest(s) for s in self.sources)

    def path(self, kind: str) -> str:
        return dict(self.paths)[kind]

    @property
    def kinds(self) -> tuple[str, ...]:
        """Its formats, RSS first when it has one (what OPML and paper pages point at)."""
        return tuple(kind for kind, _ in self.paths)


def _unique(papers: Iterable[Paper], limit: int) -> list[Paper]:
    """The first `limit` distinct papers (a paper appears in a feed at most once)."""
    seen: dict[str, Paper] = {}
    for paper in papers:
        if len(seen) == limit:
            break
        seen.setdefault(paper.key, paper)
    return list(seen.values())


class Catalog:
    """Makes the Feed values of one site."""

    def __init__(self, index: SiteIndex, config: SiteConfig, urls: Urls) -> None:
        self.index, self.config, self.urls = index, config, urls
        self.maker = EntryMaker(index, urls, config.timezone, config.title)
        newest = index.papers[0].date if index.papers else None
        self.site_updated = day_start(newest, config.timezone) if newest else None

    def _feed(self, key: str, group: str, title: str, description: str, home: str,
              path_of: dict[str, str], sources: list[Paper] | list[Period]) -> Feed:
        # The newest entry dates the feed (an entry is dated with its paper's featured day, or
        # its digest's day); an empty top-K feed takes the site's newest day rather than the clock.
        timezone = self.config.timezone
        updated = max((day_start(s.date if isinstance(s, Paper) else s.start, timezone) for s in sources),
                      default=self.site_updated)
        assert updated is not None
        return Feed(key, group, xml_text(title), xml_text(description), self.urls.absolute(home),
                    tuple((kind, path_of[kind]) for kind in KINDS if kind in path_of), tuple(sources), updated,
                    self.maker)

    def _papers_feed(self, key: str, group: str, title: str, description: str, home: str,
                     path_of: dict[str, str], papers: Iterable[Paper], limit: int | None = None) -> Feed:
        chosen = _unique(papers, limit or self.config.feeds.items)
        return self._feed(key, group, title, description, home, path_of, chosen)

    def site(self) -> Feed:
        config = self.config
        return self._papers_feed(
            "site", "Site", config.title,
            config.description or f"The newest papers featured on {config.title}.",
            self.urls.home(), {k: self.urls.feed(k) for k in KINDS}, self.index.papers)

    def digest(self) -> Feed:
        # Complete days only (generator/days.py): an RSS-to-email service mails an entry once,
        # on first sight, so a day still being filled must not be seen yet.
        days = [day for day in self.index.days if day.complete][-self.config.feeds.digest_days:]
        return self._feed("digest", "Site", f"{self.config.title}: daily digest",
                          f"One entry per day listing the papers featured on {self.config.title}, "
                          "ranked by upvotes.", self.urls.home(),
                          {k: self.urls.digest_feed(k) for k in KINDS}, list(reversed(days)))

    def top(self, threshold: int) -> Feed:
        papers = (p for p in self.index.papers if p.upvotes >= threshold)
        return self._papers_feed(
            f"top-{threshold}", "Site", f"{self.config.title}: papers with at least {threshold} upvotes",
            f"The newest papers featured on {self.config.title} with at least {threshold} upvotes.",
            self.urls.home(), {k: self.urls.top_feed(threshold, k) for k in KINDS}, papers)

    def term(self, term: Term) -> Feed:
        kind_name = TAXONOMY_NAMES[term.taxonomy]
        return self._papers_feed(
            f"{term.taxonomy}/{term.slug}", term.taxonomy,
            f"{self.config.title} · {kind_name}: {term.name}",
            f"The newest papers featured on {self.config.title} under {kind_name.lower()} {term.name}.",
            self.urls.term(term.taxonomy, term.slug),
            {k: self.urls.term_feed(term.taxonomy, term.slug, k) for k in self.term_formats(term)}, term.papers,
            self.config.feeds.term_items)

    def search(self, search: SearchConfig, papers: tuple[Paper, ...]) -> Feed:
        """A saved search's feed: the newest `feeds.items` of the papers its query matches."""
        return self._papers_feed(
            f"search/{search.slug}", "search", f"{self.config.title} · {search.name}",
            f"The newest papers featured on {self.config.title} matching the saved search: {search.query}",
            self.urls.search_page(search.slug), {k: self.urls.search_feed(search.slug, k) for k in KINDS},
            papers)

    def term_formats(self, term: Term) -> tuple[str, ...]:
        formats: tuple[str, ...] = getattr(self.config, term.taxonomy).feed_formats
        return formats

    def feeds(self) -> Iterator[Feed]:
        """Every feed, in a fixed order: site, digest, top-K, saved searches as the config lists
        them, then terms as the index sorts them."""
        if not self.index.papers:
            return
        yield self.site()
        yield self.digest()
        for threshold in self.config.feeds.upvote_thresholds:
            yield self.top(threshold)
        for search in self.config.feeds.searches:
            yield self.search(search, self.index.searches[search.slug])
        for taxonomy in TAXONOMIES:
            for term in self.index.taxonomies.get(taxonomy, ()):
                if term.has_feed:
                    yield self.term(term)
