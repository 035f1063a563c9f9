"""Pure: papers -> SiteIndex (days, weeks, months, taxonomies, trending, related)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property

from generator.config import SiteConfig, TaxonomyConfig
from generator.days import DayMarker, is_complete
from generator.model import Paper
from generator.query import select
from generator.urls import term_key, term_slugs

TAXONOMIES = ("tags", "orgs", "authors")
RELATED_COUNT = 5
RELATED_WINDOW = 40  # candidates looked at per shared tag, nearest in date: keeps this O(papers)


def rank_key(paper: Paper) -> tuple[int, str]:
    """How papers of one period are ordered: most upvoted first, ties by id."""
    return (-paper.upvotes, paper.key)


def newest_key(paper: Paper) -> tuple[int, int, str]:
    """Newest featured day first, then upvotes, then id (feeds and term pages)."""
    return (-paper.date.toordinal(), -paper.upvotes, paper.key)


@dataclass(frozen=True)
class Period:
    """A day, ISO week or month with its papers ranked."""

    kind: str  # "day" | "week" | "month"
    start: date
    label: str
    papers: tuple[Paper, ...]
    #: a day: no more papers are expected (generator/days.py); a week or month: none of its days is in progress
    complete: bool = True


@dataclass(frozen=True)
class Term:
    """One tag, organisation or author and its papers, newest first."""

    taxonomy: str
    slug: str
    name: str
    papers: tuple[Paper, ...]
    has_page: bool
    has_feed: bool
    key: str = ""  # urls.term_key of its names: what makes two spellings one term


@dataclass(frozen=True)
class SiteIndex:
    papers: tuple[Paper, ...]
    days: tuple[Period, ...]
    weeks: tuple[Period, ...]
    months: tuple[Period, ...]
    trending: tuple[Paper, ...]
    taxonomies: dict[str, tuple[Term, ...]] = field(default_factory=dict)
    related: dict[str, tuple[Paper, ...]] = field(default_factory=dict)
    searches: dict[str, tuple[Paper, ...]] = field(default_factory=dict)  # feeds.searches slug -> matches

    def term_of(self, taxonomy: str, name: str) -> Term | None:
        """The term a name belongs to (names are grouped by urls.term_key)."""
        return self._term_lookup[taxonomy].get(term_key(name))

    @cached_property
    def _term_lookup(self) -> dict[str, dict[str, Term]]:
        return {tax: {t.key: t for t in terms} for tax, terms in self.taxonomies.items()}


def _periods(papers: Iterable[Paper], kind: str, start_of: Callable[[date], date],
             label: Callable[[date], str]) -> tuple[Period, ...]:
    groups: dict[date, list[Paper]] = defaultdict(list)
    for paper in papers:
        groups[start_of(paper.date)].append(paper)
    return tuple(Period(kind, start, label(start), tuple(sorted(group, key=rank_key)))
                 for start, group in sorted(groups.items()))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_label(start: date) -> str:
    year, week, _ = start.isocalendar()
    return f"Week {week}, {year}"


def term_names(paper: Paper, taxonomy: str) -> Iterable[str]:
    """The names a paper has in one taxonomy, in its record's order, each once."""
    if taxonomy == "tags":
        return paper.tags
    if taxonomy == "orgs":
        return (paper.organization,) if paper.organization else ()
    return dict.fromkeys(a.name for a in paper.authors)


def _terms(papers: tuple[Paper, ...], taxonomy: str, rules: TaxonomyConfig) -> tuple[Term, ...]:
    """Group names by term key (case and Unicode twins are one term); most used spelling wins.

    `papers` come newest first (newest_key), so each term's papers do too, without a sort.

    Names that are different terms but slugify alike ("C", "C++") get distinct slugs
    from urls.term_slugs, so neither page overwrites or absorbs the other, and the plain
    slug stays with the oldest page: adding a clashing term never moves it.
    """
    by_key: dict[str, list[Paper]] = defaultdict(list)
    spellings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for paper in papers:
        for name in term_names(paper, taxonomy):
            key = term_key(name)
            if not by_key[key] or by_key[key][-1] is not paper:
                by_key[key].append(paper)
            spellings[key][name] += 1
    # The day each term's page came to be: that of its min_papers-th oldest paper (members are
    # newest first). Records added later cannot make it earlier, unless they are back-dated.
    needed = max(rules.min_papers, 1)
    slugs = term_slugs({key: members[-needed].date if len(members) >= rules.min_papers else None
                        for key, members in by_key.items()})
    terms = []
    for key, members in by_key.items():
        name = min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]
        count = len(members)
        terms.append(Term(taxonomy, slugs[key], name, tuple(members),
                          has_page=count >= rules.min_papers,
                          has_feed=rules.feeds and count >= max(rules.feed_min_papers, rules.min_papers),
                          key=key))
    return tuple(sorted(terms, key=lambda t: (-len(t.papers), t.name.casefold(), t.slug)))


def _related(papers: tuple[Paper, ...], tags: tuple[Term, ...]) -> dict[str, tuple[Paper, ...]]:
    """Papers sharing the most tags, looked for among the nearest in date in each tag."""
    # Ties go to the most upvoted, then the id: one integer per paper (its rank) orders both, and
    # a candidate's score (shared tags first) is one integer too (a sort of ints, no key calls).
    by_rank = sorted(papers, key=lambda p: (-p.upvotes, p.key))
    rank = {p.key: i for i, p in enumerate(by_rank)}
    members = {t.key: [rank[p.key] for p in t.papers] for t in tags}  # each tag's papers, by rank
    position = {tag: {r: i for i, r in enumerate(ranks)} for tag, ranks in members.items()}
    tag_keys = {name: term_key(name) for paper in papers for name in paper.tags}
    scale = len(by_rank)
    related: dict[str, tuple[Paper, ...]] = {}
    half = RELATED_WINDOW // 2
    for paper in papers:
        own = rank[paper.key]
        shared: Counter[int] = Counter()
        for tag in dict.fromkeys(tag_keys[name] for name in paper.tags):
            ranks = members[tag]
            i = position[tag][own]
            shared.update(ranks[max(0, i - half): i + half + 1])  # counted in C
        shared.pop(own, None)
        best = sorted([r - count * scale for r, count in shared.items()])[:RELATED_COUNT]
        related[paper.key] = tuple(by_rank[score % scale] for score in best)
    return related


def _completed(periods: tuple[Period, ...], open_days: set[date],
               start_of: Callable[[date], date]) -> tuple[Period, ...]:
    """Weeks and months holding a day in progress are not complete either."""
    starts = {start_of(day) for day in open_days}
    return tuple(replace(p, complete=False) if p.start in starts else p for p in periods)


def build_index(papers: Iterable[Paper], config: SiteConfig,
                markers: Mapping[date, DayMarker] | None = None) -> SiteIndex:
    """Everything the pages and feeds need, computed once; `markers` are the site's day markers
    (content.load_days), which with the records decide which days are complete."""
    ordered = tuple(sorted(papers, key=newest_key))
    days = _periods(ordered, "day", lambda d: d, lambda d: d.strftime("%B %-d, %Y"))
    markers = markers or {}
    days = tuple(replace(d, complete=is_complete(d.start, markers.get(d.start), i < len(days) - 1))
                 for i, d in enumerate(days))
    open_days = {d.start for d in days if not d.complete}
    weeks = _completed(_periods(ordered, "week", week_start, _week_label), open_days, week_start)
    months = _completed(_periods(ordered, "month", lambda d: d.replace(day=1), lambda d: d.strftime("%B %Y")),
                        open_days, lambda d: d.replace(day=1))
    trending: tuple[Paper, ...] = ()
    if days:
        since = days[-1].start - timedelta(days=config.trending_days - 1)
        trending = tuple(sorted((p for p in ordered if p.date >= since), key=rank_key))
    taxonomies = {tax: _terms(ordered, tax, getattr(config, tax)) for tax in TAXONOMIES}
    searches = config.feeds.searches
    matches = select([s.parsed for s in searches], ordered)
    return SiteIndex(ordered, days, weeks, months, trending[: config.per_page], taxonomies,
                     _related(ordered, taxonomies["tags"]), dict(zip([s.slug for s in searches], matches, strict=True)))
