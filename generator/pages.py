"""Pure: (SiteIndex, config, urls) -> [PagePlan] for every HTML page of the site.

Each stage below returns plans (template, path, own values), nothing rendered: papers are
PaperRefs (keys), made into views by generator/render.py only for the pages the incremental
layer (generator/incremental.py) decides to render. A paper's page and a term's pages come
as a PageGroup: the few values they are made from, and how to plan them (only done when
those values changed). Nothing here knows of the last build.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from generator.citation import bibtex, json_ld, scholar_meta
from generator.depends import PaperRefs
from generator.incremental import FilePlan, PageGroup, PagePlan
from generator.indexes import TAXONOMIES, Period, SiteIndex, Term
from generator.mathtext import description, title_text
from generator.model import Paper
from generator.render import PERIOD_TITLES, Lazy, PageContext, period_path
from generator.search import shard_bundles
from generator.urls import Urls
from generator.views import NamedLink, date_range, human_date, pagination

TAXONOMY_TITLES = {"tags": "Tags", "orgs": "Organizations", "authors": "Authors"}
TERM_DESCRIPTIONS = {"tags": "tagged", "orgs": "from", "authors": "by"}
#: Terms listed per page of a taxonomy's index (names only: ~60 bytes each).
TERMS_PER_PAGE = 500


def _chunks(items: Sequence[Paper], size: int) -> list[Sequence[Paper]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [items]


def _neighbours(ctx: PageContext, periods: tuple[Period, ...], i: int) -> dict[str, NamedLink | None]:
    def link(j: int) -> NamedLink | None:
        if 0 <= j < len(periods):
            period = periods[j]
            label = human_date(period.start) if period.kind == "day" else period.label  # short: fits a phone
            return NamedLink(label, ctx.urls.href(period_path(ctx.urls, period)(1)))
        return None
    return {"prev": link(i - 1), "next": link(i + 1)}


def _period_views(ctx: PageContext, period: Period) -> list[tuple[str, str, bool]]:
    """Day / week / month links around a period: (label, href, is this page).

    They zoom on the period's newest featured day, so each one has papers (a
    month's first week, or a week's first month, may have none).
    """
    urls = ctx.urls
    anchor = max(p.date for p in period.papers)
    year, week, _ = anchor.isocalendar()
    return [("Day", urls.href(urls.day(anchor)), period.kind == "day"),
            ("Week", urls.href(urls.week(year, week)), period.kind == "week"),
            ("Month", urls.href(urls.month(anchor.year, anchor.month)), period.kind == "month")]


def _count(n: int) -> str:
    return f"{n} paper{'' if n == 1 else 's'}"


def render_list(ctx: PageContext, papers: Sequence[Paper], path_of: Callable[[int], str],
                title: str, heading: str, compact: bool = False, **values: Any) -> Iterator[PagePlan]:
    """A paginated list of cards, or of compact rows (no abstracts); page n lives at path_of(n)."""
    size = ctx.config.rows_per_page if compact else ctx.config.per_page
    chunks = _chunks(papers, size)
    for number, chunk in enumerate(chunks, 1):
        suffix = f" (page {number})" if number > 1 else ""
        views = ctx.refs(chunk)
        yield ctx.page("list.html", path_of(number), title + suffix, heading=heading,
                       cards=[] if compact else views, rows=views if compact else [],
                       first_rank=(number - 1) * size + 1,
                       pagination=pagination(ctx.urls, path_of, number, len(chunks)), **values)


def _period_pages(ctx: PageContext, periods: tuple[Period, ...], i: int) -> Iterator[PagePlan]:
    period = periods[i]
    title = f"{PERIOD_TITLES[period.kind]}: {period.label}"
    # Days are cards like Hugging Face's; weeks and months list the same papers again,
    # as compact rows (their abstracts are one click away).
    yield from render_list(ctx, period.papers, period_path(ctx.urls, period), title,
                           title, compact=period.kind != "day", period=period,
                           neighbours=_neighbours(ctx, periods, i),
                           views=_period_views(ctx, period), picker=_picker(ctx, period),
                           dates=_period_dates(period),
                           description=f"{_count(len(period.papers))} of {period.label}, "
                                       "ranked by upvotes.")


def render_months(ctx: PageContext) -> Iterator[PagePlan | PageGroup]:
    """Each month's day, week and month lists, then its papers' pages, month after month: the
    pages come in batches (incremental.BATCH_PAGES), and a batch's views and cards are those of
    its papers, so a batch spans a few months' papers, not every list of the site at once."""
    index = ctx.index
    months: dict[date, list[tuple[tuple[Period, ...], int]]] = {}
    for periods in (index.days, index.weeks, index.months):
        for i, period in enumerate(periods):
            months.setdefault(period.start.replace(day=1), []).append((periods, i))
    papers: dict[date, list[Paper]] = {}
    for paper in index.papers:
        papers.setdefault(paper.date.replace(day=1), []).append(paper)
    for month in sorted(months.keys() | papers.keys()):
        for periods, i in months.get(month, ()):
            yield from _period_pages(ctx, periods, i)
        yield from map(partial(_paper_group, ctx), papers.get(month, ()))


def _period_dates(period: Period) -> str:
    """The days a week covers (its label names only the ISO week); days and months say it already."""
    if period.kind != "week":
        return ""
    return date_range(period.start, period.start + timedelta(days=6))


def render_home(ctx: PageContext) -> Iterator[PagePlan]:
    days = ctx.index.days
    if not days:
        yield ctx.page("list.html", ctx.urls.home(), ctx.config.title, heading=ctx.config.title,
                       cards=[], rows=[], first_rank=1, pagination=None, period=None, neighbours=None,
                       views=[], picker=None)
        return
    latest = days[-1]
    chunk = latest.papers[: ctx.config.per_page]
    day_path = period_path(ctx.urls, latest)
    pages = pagination(ctx.urls, lambda n: ctx.urls.home() if n == 1 else day_path(n), 1,
                       len(_chunks(latest.papers, ctx.config.per_page)))
    yield ctx.page("list.html", ctx.urls.home(), ctx.config.title,
                   heading=f"{PERIOD_TITLES['day']}: {latest.label}", cards=ctx.refs(chunk),
                   rows=[], first_rank=1, pagination=pages, period=latest,
                   neighbours=_neighbours(ctx, days, len(days) - 1),
                   views=_period_views(ctx, latest), picker=_picker(ctx, latest),
                   description=ctx.config.description or
                   f"{_count(len(latest.papers))} of {latest.label}, ranked by upvotes.")


@dataclass(frozen=True)
class DatePicker:
    """The day picker of day pages: a form to the calendar, enhanced by script."""

    value: str
    first: str
    last: str


def _picker(ctx: PageContext, period: Period) -> DatePicker | None:
    days = ctx.index.days
    if period.kind != "day" or not days:
        return None
    return DatePicker(period.start.isoformat(), days[0].start.isoformat(), days[-1].start.isoformat())


def render_trending(ctx: PageContext) -> Iterator[PagePlan]:
    days = ctx.config.trending_days
    title = f"Trending: the last {days} days"
    last = ctx.index.days[-1].start if ctx.index.days else None
    dates = date_range(last - timedelta(days=days - 1), last) if last else ""
    yield ctx.page("list.html", ctx.urls.trending(), title, heading=title, dates=dates,
                   cards=ctx.refs(ctx.index.trending), rows=[], first_rank=1, pagination=None,
                   period=None, neighbours=None, views=[], picker=None,
                   description=f"The most upvoted papers of the last {days} days.")


def _description(paper: Paper) -> str:
    """The meta description: plain text, so math reads as Unicode, not TeX (mathtext.description;
    made by the markup stage, or here for a paper that has not been through it)."""
    return paper.description or description(paper.abstract)


def _paper_group(ctx: PageContext, paper: Paper) -> PageGroup:
    """A paper's page, as a group keyed by all it is made from: the paper, its view and its
    related papers' views, and the feeds it advertises (its terms')."""
    papers = (paper, *ctx.index.related.get(paper.key, ()))
    return PageGroup(f"paper:{paper.key}", (paper, ctx.refs(papers), ctx.feed_links(ctx.urls.paper(paper.id))),
                     partial(paper_pages, ctx, paper), ("paper.html",))


def paper_pages(ctx: PageContext, paper: Paper) -> list[PagePlan]:
    """A paper's own page (its view is the context's by the paper's key: serve's quick page
    puts the saved paper's there first, generator/preview.py)."""
    path = ctx.urls.paper(paper.id)
    url = ctx.urls.absolute(path)  # the view's url
    image = ctx.urls.thumbnail(paper.thumbnail, absolute=True)
    # The plain title (the markup stage's) is read when the page is rendered, on a render
    # worker: a template edit plans 10,000 paper pages on one core first.
    return [ctx.page("paper.html", path, Lazy(title_text, (paper,)),
                     card=PaperRefs((paper.key,), one=True), image=image,
                     description=Lazy(_description, (paper,)), bibtex=Lazy(bibtex, (paper, url)),
                     scholar=Lazy(scholar_meta, (paper,)), json_ld=Lazy(json_ld, (paper, url)),
                     related=ctx.refs(ctx.index.related.get(paper.key, ())))]


def render_taxonomies(ctx: PageContext) -> Iterator[PagePlan | PageGroup]:
    urls = ctx.urls
    for taxonomy in TAXONOMIES:
        terms = ctx.index.taxonomies[taxonomy]
        # Terms below the page threshold lead to the search page; listing tens of thousands
        # of them (real keyword data is long-tailed) would only bury the others.
        listed = [(t, urls.href(urls.term(taxonomy, t.slug))) for t in terms if t.has_page]
        chunks = [listed[i:i + TERMS_PER_PAGE] for i in range(0, len(listed), TERMS_PER_PAGE)] or [[]]
        title = TAXONOMY_TITLES[taxonomy]

        def path_of(n: int, taxonomy: str = taxonomy) -> str:
            return urls.taxonomy(taxonomy, n)

        for number, chunk in enumerate(chunks, 1):
            suffix = f" (page {number})" if number > 1 else ""
            yield ctx.page("terms.html", path_of(number), title + suffix, heading=title, terms=chunk,
                           listed=len(listed), taxonomy=taxonomy, unlisted=len(terms) - len(listed),
                           min_papers=getattr(ctx.config, taxonomy).min_papers,
                           pagination=pagination(urls, path_of, number, len(chunks)),
                           description=f"{title} of {ctx.config.title}, with their number of papers.")
        for term in terms:
            if term.has_page:  # a term's pages are made from the term (its papers, slug …) and their views
                yield PageGroup(f"term:{taxonomy}:{term.key}", (term, ctx.refs(term.papers)),
                                partial(_render_term, ctx, term), ("list.html",))


def _render_term(ctx: PageContext, term: Term) -> list[PagePlan]:
    title = f"{TAXONOMY_TITLES[term.taxonomy][:-1]}: {term.name}"
    return list(render_list(ctx, term.papers, lambda n: ctx.urls.term(term.taxonomy, term.slug, n),
                           title, term.name, compact=True, period=None, neighbours=None, term=term, views=[],
                           picker=None, description=f"{_count(len(term.papers))} "
                                                    f"{TERM_DESCRIPTIONS[term.taxonomy]} {term.name}, newest first."))


@dataclass(frozen=True)
class SavedSearch:
    """What a saved search's page says about it (list.html): its query, matches and feeds."""

    query: str
    count: int
    feeds: tuple[NamedLink, ...]


SEARCH_FEED_LABELS = (("RSS", "rss"), ("Atom", "atom"), ("JSON Feed", "json"))


def render_searches(ctx: PageContext) -> Iterator[PagePlan]:
    """A page per saved search (feeds.searches): every paper it matches, newest first, as rows."""
    urls = ctx.urls
    for search in ctx.config.feeds.searches:
        papers = ctx.index.searches[search.slug]
        feeds = tuple(NamedLink(label, urls.href(urls.search_feed(search.slug, kind)))
                      for label, kind in SEARCH_FEED_LABELS) if ctx.index.papers else ()  # no papers: no feeds

        def path_of(n: int, slug: str = search.slug) -> str:
            return urls.search_page(slug, n)

        yield from render_list(ctx, papers, path_of,
                               f"Saved search: {search.name}", search.name, compact=True, period=None,
                               neighbours=None, views=[], picker=None,
                               search=SavedSearch(search.query, len(papers), feeds),
                               description=f"{_count(len(papers))} matching the search {search.query}, newest first.")


@dataclass(frozen=True)
class CalendarMonth:
    label: str
    href: str
    weeks: list[list[tuple[int, str, int]]]  # (day number or 0, href or '', paper count)


def archive_months(ctx: PageContext) -> list[CalendarMonth]:
    """Every month with papers, newest first, as a Monday-first calendar grid."""
    counts = {d.start: len(d.papers) for d in ctx.index.days}
    months = []
    for month in reversed(ctx.index.months):
        year, number = month.start.year, month.start.month
        weeks = []
        for week in calendar.Calendar().monthdayscalendar(year, number):
            row = []
            for day in week:
                count = counts.get(date(year, number, day), 0) if day else 0
                href = ctx.urls.href(ctx.urls.day(date(year, number, day))) if count else ""
                row.append((day, href, count))
            weeks.append(row)
        months.append(CalendarMonth(month.label, ctx.urls.href(ctx.urls.month(year, number)), weeks))
    return months


def days_json(index: SiteIndex, urls: Urls) -> FilePlan:
    """Every day with papers and its page, for the date picker's script (always made: tiny)."""
    days = {d.start.isoformat(): urls.href(urls.day(d.start)) for d in index.days}
    return FilePlan(urls.archive_days(), None,
                    lambda: json.dumps({"days": days}, sort_keys=True, separators=(",", ":")).encode())


def render_misc(ctx: PageContext) -> Iterator[PagePlan]:
    yield ctx.page("archive.html", ctx.urls.archive(), "Calendar", heading="Calendar",
                   months=archive_months(ctx), total=len(ctx.index.papers), days=len(ctx.index.days),
                   description=f"Every day of {ctx.config.title} with papers, as a calendar.")
    bundles = [ctx.urls.href(path) for path in shard_bundles(ctx.urls, ctx.shards)]
    yield ctx.page("search.html", ctx.urls.search(), "Search", heading="Search", search_bundles=bundles,
                   description=f"Search the titles, authors and abstracts of {ctx.config.title}.")
    yield ctx.page("404.html", ctx.urls.not_found(), "Page not found", heading="Page not found")


def plan_pages(ctx: PageContext) -> list[PagePlan | PageGroup]:
    """Every HTML page of the site, as plans or groups of plans (generator/incremental.py keeps or
    renders them; a group it can keep whole is not even planned)."""
    return [plan for stage in (render_home, render_trending, render_months, render_taxonomies,
                               render_searches, render_misc) for plan in stage(ctx)]
