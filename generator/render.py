"""Pure: (SiteIndex, config, urls, templates) -> [OutputFile] for every HTML page."""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import jinja2
from markupsafe import Markup

from generator import __version__
from generator.citation import bibtex, json_ld, scholar_meta
from generator.config import SiteConfig
from generator.errors import BuildError
from generator.indexes import TAXONOMIES, Period, SiteIndex, Term
from generator.markup import shorten
from generator.mathtext import plain_title, readable_text
from generator.model import OutputFile, Paper
from generator.search import Shard, shard_bundles, shard_papers
from generator.urls import Urls
from generator.views import NamedLink, PaperView, date_range, human_date, pagination, paper_view

TAXONOMY_TITLES = {"tags": "Tags", "orgs": "Organizations", "authors": "Authors"}
TERM_DESCRIPTIONS = {"tags": "tagged", "orgs": "from", "authors": "by"}
DESCRIPTION_LENGTH = 200
#: The default theme's math font (static/fonts/), and where base.html may preload it.
MATH_FONT = "fonts/noto-sans-math.woff2"
MATH_FONT_MARK = "<!-- paperfeed:math-font -->"
#: Terms listed per page of a taxonomy's index (names only: ~60 bytes each).
TERMS_PER_PAGE = 500
PERIOD_TITLES = {"day": "Daily Papers", "week": "Weekly Papers", "month": "Monthly Papers"}


@dataclass(frozen=True)
class FeedLink:
    """A feed advertised on a page (<link rel="alternate">)."""

    title: str
    type: str
    href: str


@dataclass(frozen=True)
class PendingPage:
    """A page ready to render: template, output path and every value it receives."""

    template: str
    path: str
    values: dict[str, Any]


PageItem = PendingPage | OutputFile


@dataclass(frozen=True)
class Lazy:
    """A page value made only when the page is rendered (not for a page the last build kept).

    Its dependency key is the function's name and its arguments, so the function must
    depend on nothing else (but the code and the config, which every key covers).
    """

    make: Callable[..., Any]
    args: tuple[Any, ...]


_KEEP_SPACE = re.compile(r"(<pre[\s>].*?</pre>|<textarea[\s>].*?</textarea>)", re.DOTALL | re.IGNORECASE)
_INDENT = re.compile(r"\n[ \t]+")


def squeeze(html: str) -> str:
    """The templates' indentation taken out of a page (a line break still separates what it
    separated), but inside <pre> and <textarea>: ~3% of every page, 10 MB of a large site."""
    parts = _KEEP_SPACE.split(html)
    return "".join(part if i % 2 else _INDENT.sub("\n", part) for i, part in enumerate(parts))


def template_error(exc: Exception) -> BuildError:
    """A template mistake, or any exception a template raised while rendering (a 1/0, a macro
    that recurses forever, a filter that fails), as one line naming the template file and line:
    `templates/paper.html:7: template error: ZeroDivisionError: division by zero`."""
    if isinstance(exc, BuildError):
        return exc  # a card's or a nested template's, already named
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = f"{exc.filename or exc.name}:{exc.lineno}: "
    else:
        where = _template_line(exc)
    if isinstance(exc, jinja2.TemplateSyntaxError | jinja2.UndefinedError):
        message = exc.message or type(exc).__name__  # says it all: "'x' is undefined"
    else:
        message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return BuildError(f"{where}template error: {message}")


def _template_line(exc: BaseException) -> str:
    """`file:line: ` of the innermost template frame. jinja2 rewrites the traceback of what a
    template raised while rendering so that its frames name the template and its line (their
    globals hold `__jinja_exception__`); where it does not (a macro module being made), the
    compiled template's frame maps its line back (its globals hold `__jinja_template__`).
    Empty when no template frame is there."""
    found = ""
    tb = exc.__traceback__
    while tb is not None:
        names = tb.tb_frame.f_globals
        if "__jinja_exception__" in names:
            found = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}: "
        elif isinstance(names.get("__jinja_template__"), jinja2.Template):
            template = names["__jinja_template__"]
            found = f"{template.filename or template.name}:{template.get_corresponding_lineno(tb.tb_lineno)}: "
        tb = tb.tb_next
    return found


@dataclass
class PageContext:
    """What every page template receives besides its own values."""

    config: SiteConfig
    urls: Urls
    index: SiteIndex
    env: jinja2.Environment
    views: dict[str, PaperView] = field(default_factory=dict)
    feed_links: Callable[[str], list[FeedLink]] = lambda path: []
    cards: dict[str, bytes] = field(default_factory=dict)  # paper key -> its card's HTML, UTF-8
    rows: dict[str, bytes] = field(default_factory=dict)  # paper key -> its compact row's HTML, UTF-8
    names: dict[tuple[str, str], NamedLink] = field(default_factory=dict)  # (taxonomy, name) -> its link
    #: Whether the last build's file can be kept for a page (dependency tracking; see build.py).
    keep: Callable[[PendingPage], bool] = lambda page: False
    _macros: dict[str, Any] = field(default_factory=dict, init=False, repr=False)  # _card.html's, by name

    def __post_init__(self) -> None:
        # The icon sheet's URL, for the icon macro (imported without context in every template).
        self.env.globals["icon_sheet"] = self.urls.href(self.urls.static("icons.svg"))

    def view(self, paper: Paper) -> PaperView:
        found = self.views.get(paper.key)
        if found is None:
            found = self.views[paper.key] = paper_view(paper, self.index, self.urls, self.names)
        return found

    def search_shards(self) -> list[Shard]:
        """The search index's shards (the search page loads each; build.py indexes them)."""
        return self._shards

    @cached_property
    def _shards(self) -> list[Shard]:
        return shard_papers(self.index)

    def card_html(self, view: PaperView) -> Markup:
        """A paper's card, rendered once per build however many lists show it.

        The `card` macro of _card.html (a site's templates/ may override it) is
        called with the site-wide values only: a card looks the same on every list.
        """
        return self._snippet("card", self.cards, view)

    def row_html(self, view: PaperView) -> Markup:
        """A paper's compact row (the `row` macro of _card.html), rendered once per build."""
        return self._snippet("row", self.rows, view)

    def _snippet(self, macro_name: str, made: dict[str, bytes], view: PaperView) -> Markup:
        found = made.get(view.paper.key)
        if found is not None:
            return Markup(found.decode("utf-8"))
        try:
            macro = self._macros.get(macro_name)
            if macro is None:
                module = self.env.get_template("_card.html").make_module(self.site_values())
                macro = self._macros[macro_name] = getattr(module, macro_name)
            html = Markup(macro(view, None) if macro_name == "card" else macro(view))
        except Exception as exc:  # whatever a user's template raises: one line, not a traceback
            raise template_error(exc) from None
        # Kept as UTF-8: a card with one character beyond U+FFFF (MathML's italic letters)
        # is stored at 4 bytes a character as a str, and a site has thousands of cards.
        made[view.paper.key] = html.encode("utf-8")
        return html

    def site_values(self) -> dict[str, Any]:
        """Values every template sees that do not depend on the page (made once per build)."""
        return self._site_values

    @cached_property
    def _site_values(self) -> dict[str, Any]:
        urls = self.urls
        return {
            "site": {"title": self.config.title, "description": self.config.description,
                     "language": self.config.language, "generator": f"paperfeed {__version__}"},
            "nav": self.nav(), "asset": lambda name: urls.href(urls.static(name)), "follow": self.follow(),
            "days_json": urls.href(urls.archive_days()),
            "card_html": self.card_html, "row_html": self.row_html,
        }

    def page(self, template: str, path: str, title: str, **values: Any) -> PendingPage | OutputFile:
        """One page at a site-relative path: to render, or kept from the last build."""
        urls = self.urls
        common = self.site_values() | {
            "section": path.split("/", 1)[0], "image": "",
            "page_title": title, "canonical": urls.absolute(path),
            "feeds": self.feed_links(path), "description": values.pop("description", self.config.description),
        }
        page = PendingPage(template, urls.output_path(path), common | values)
        return OutputFile.keep(page.path) if self.keep(page) else page

    def render(self, page: PendingPage) -> OutputFile:
        """The page's HTML."""
        values = {name: value.make(*value.args) if type(value) is Lazy else value
                  for name, value in page.values.items()}
        try:
            html = self.env.get_template(page.template).render(values)
        except Exception as exc:  # whatever a user's template raises: one line, not a traceback
            raise template_error(exc) from None
        return OutputFile(page.path, self._math_font(squeeze(html)).encode("utf-8"))

    def _math_font(self, html: str) -> str:
        """The theme's mark for the math font: its preload where the page shows math (so no
        formula moves when the font arrives), nothing where it does not (it is never fetched)."""
        if MATH_FONT_MARK not in html:
            return html
        link = ""
        if "<math" in html:
            href = self.urls.href(self.urls.static(MATH_FONT))
            link = f'<link rel="preload" href="{href}" as="font" type="font/woff2" crossorigin>'
        return html.replace(MATH_FONT_MARK + "\n", link + "\n" if link else "", 1)

    def follow(self) -> list[tuple[str, str]]:
        """The footer's feeds, the same on every page: (label, href). A page's own feeds (a
        tag's, say) are in its <link rel="alternate"> and on the term's page."""
        urls = self.urls
        return [("RSS", urls.href(urls.feed("rss"))), ("Atom", urls.href(urls.feed("atom"))),
                ("JSON Feed", urls.href(urls.feed("json"))), ("Daily digest", urls.href(urls.digest_feed("rss"))),
                ("All feeds (OPML)", urls.href(urls.opml()))]

    def nav(self) -> dict[str, str]:
        """Links of the site header; week and month point at the latest ones."""
        urls, index = self.urls, self.index
        nav = {"home": urls.href(urls.home()), "trending": urls.href(urls.trending()),
               "archive": urls.href(urls.archive()), "search": urls.href(urls.search()),
               "tags": urls.href(urls.taxonomy("tags")), "orgs": urls.href(urls.taxonomy("orgs")),
               "authors": urls.href(urls.taxonomy("authors")), "week": "", "month": ""}
        if index.weeks:
            nav["week"] = urls.href(_period_path(urls, index.weeks[-1])(1))
            nav["month"] = urls.href(_period_path(urls, index.months[-1])(1))
        return nav


def _chunks(items: Sequence[Paper], size: int) -> list[Sequence[Paper]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [items]


def _period_path(urls: Urls, period: Period) -> Callable[[int], str]:
    start = period.start
    if period.kind == "day":
        return lambda n: urls.day(start, n)
    if period.kind == "week":
        year, week, _ = start.isocalendar()
        return lambda n: urls.week(year, week, n)
    return lambda n: urls.month(start.year, start.month, n)


def _neighbours(ctx: PageContext, periods: tuple[Period, ...], i: int) -> dict[str, NamedLink | None]:
    def link(j: int) -> NamedLink | None:
        if 0 <= j < len(periods):
            period = periods[j]
            label = human_date(period.start) if period.kind == "day" else period.label  # short: fits a phone
            return NamedLink(label, ctx.urls.href(_period_path(ctx.urls, period)(1)))
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
                title: str, heading: str, compact: bool = False, **values: Any) -> Iterator[PageItem]:
    """A paginated list of cards, or of compact rows (no abstracts); page n lives at path_of(n)."""
    size = ctx.config.rows_per_page if compact else ctx.config.per_page
    chunks = _chunks(papers, size)
    for number, chunk in enumerate(chunks, 1):
        suffix = f" (page {number})" if number > 1 else ""
        views = [ctx.view(p) for p in chunk]
        yield ctx.page("list.html", path_of(number), title + suffix, heading=heading,
                       cards=[] if compact else views, rows=views if compact else [],
                       first_rank=(number - 1) * size + 1,
                       pagination=pagination(ctx.urls, path_of, number, len(chunks)), **values)


def render_periods(ctx: PageContext) -> Iterator[PageItem]:
    index = ctx.index
    for periods in (index.days, index.weeks, index.months):
        for i, period in enumerate(periods):
            title = f"{PERIOD_TITLES[period.kind]}: {period.label}"
            # Days are cards like Hugging Face's; weeks and months list the same papers again,
            # as compact rows (their abstracts are one click away).
            yield from render_list(ctx, period.papers, _period_path(ctx.urls, period), title,
                                   title, compact=period.kind != "day", period=period,
                                   neighbours=_neighbours(ctx, periods, i),
                                   views=_period_views(ctx, period), picker=_picker(ctx, period),
                                   dates=_period_dates(period),
                                   description=f"{_count(len(period.papers))} of {period.label}, "
                                               "ranked by upvotes.")


def _period_dates(period: Period) -> str:
    """The days a week covers (its label names only the ISO week); days and months say it already."""
    if period.kind != "week":
        return ""
    return date_range(period.start, period.start + timedelta(days=6))


def render_home(ctx: PageContext) -> Iterator[PageItem]:
    days = ctx.index.days
    if not days:
        yield ctx.page("list.html", ctx.urls.home(), ctx.config.title, heading=ctx.config.title,
                       cards=[], rows=[], first_rank=1, pagination=None, period=None, neighbours=None,
                       views=[], picker=None)
        return
    latest = days[-1]
    chunk = latest.papers[: ctx.config.per_page]
    day_path = _period_path(ctx.urls, latest)
    pages = pagination(ctx.urls, lambda n: ctx.urls.home() if n == 1 else day_path(n), 1,
                       len(_chunks(latest.papers, ctx.config.per_page)))
    yield ctx.page("list.html", ctx.urls.home(), ctx.config.title,
                   heading=f"{PERIOD_TITLES['day']}: {latest.label}", cards=[ctx.view(p) for p in chunk],
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


def render_trending(ctx: PageContext) -> Iterator[PageItem]:
    days = ctx.config.trending_days
    title = f"Trending: the last {days} days"
    last = ctx.index.days[-1].start if ctx.index.days else None
    dates = date_range(last - timedelta(days=days - 1), last) if last else ""
    yield ctx.page("list.html", ctx.urls.trending(), title, heading=title, dates=dates,
                   cards=[ctx.view(p) for p in ctx.index.trending], rows=[], first_rank=1, pagination=None,
                   period=None, neighbours=None, views=[], picker=None,
                   description=f"The most upvoted papers of the last {days} days.")


def _description(paper: Paper) -> str:
    """The meta description: plain text, so math reads as Unicode, not TeX (mathtext.py)."""
    return shorten(readable_text(paper.abstract), DESCRIPTION_LENGTH)


def render_papers(ctx: PageContext) -> Iterator[PageItem]:
    for paper in ctx.index.papers:
        view = ctx.view(paper)
        image = ctx.urls.thumbnail(paper.thumbnail, absolute=True)
        yield ctx.page("paper.html", ctx.urls.paper(paper.id), plain_title(paper.title), card=view, image=image,
                       description=Lazy(_description, (paper,)), bibtex=Lazy(bibtex, (paper, view.url)),
                       scholar=Lazy(scholar_meta, (paper,)), json_ld=Lazy(json_ld, (paper, view.url)),
                       related=[ctx.view(p) for p in ctx.index.related.get(paper.key, ())])


def render_taxonomies(ctx: PageContext) -> Iterator[PageItem]:
    urls = ctx.urls
    for taxonomy in TAXONOMIES:
        terms = ctx.index.taxonomies[taxonomy]
        # Terms below the page threshold lead to the search page; listing tens of thousands
        # of them (real keyword data is long-tailed) would only bury the others.
        listed = [(t, urls.href(urls.term(taxonomy, t.slug))) for t in terms if t.has_page]
        chunks = [listed[i:i + TERMS_PER_PAGE] for i in range(0, len(listed), TERMS_PER_PAGE)] or [[]]
        title = TAXONOMY_TITLES[taxonomy]
        path_of = lambda n, taxonomy=taxonomy: urls.taxonomy(taxonomy, n)  # noqa: E731
        for number, chunk in enumerate(chunks, 1):
            suffix = f" (page {number})" if number > 1 else ""
            yield ctx.page("terms.html", path_of(number), title + suffix, heading=title, terms=chunk,
                           listed=len(listed), taxonomy=taxonomy, unlisted=len(terms) - len(listed),
                           min_papers=getattr(ctx.config, taxonomy).min_papers,
                           pagination=pagination(urls, path_of, number, len(chunks)),
                           description=f"{title} of {ctx.config.title}, with their number of papers.")
        for term in terms:
            if term.has_page:
                yield from _render_term(ctx, term)


def _render_term(ctx: PageContext, term: Term) -> Iterator[PageItem]:
    title = f"{TAXONOMY_TITLES[term.taxonomy][:-1]}: {term.name}"
    yield from render_list(ctx, term.papers, lambda n: ctx.urls.term(term.taxonomy, term.slug, n),
                           title, term.name, compact=True, period=None, neighbours=None, term=term, views=[],
                           picker=None, description=f"{_count(len(term.papers))} "
                                                    f"{TERM_DESCRIPTIONS[term.taxonomy]} {term.name}, newest first.")


@dataclass(frozen=True)
class SavedSearch:
    """What a saved search's page says about it (list.html): its query, matches and feeds."""

    query: str
    count: int
    feeds: tuple[NamedLink, ...]


SEARCH_FEED_LABELS = (("RSS", "rss"), ("Atom", "atom"), ("JSON Feed", "json"))


def render_searches(ctx: PageContext) -> Iterator[PageItem]:
    """A page per saved search (feeds.searches): every paper it matches, newest first, as rows."""
    urls = ctx.urls
    for search in ctx.config.feeds.searches:
        papers = ctx.index.searches[search.slug]
        feeds = tuple(NamedLink(label, urls.href(urls.search_feed(search.slug, kind)))
                      for label, kind in SEARCH_FEED_LABELS) if ctx.index.papers else ()  # no papers: no feeds
        yield from render_list(ctx, papers, lambda n, slug=search.slug: urls.search_page(slug, n),
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


def days_json(ctx: PageContext) -> OutputFile:
    """Every day with papers and its page, for the date picker's script."""
    days = {d.start.isoformat(): ctx.urls.href(ctx.urls.day(d.start)) for d in ctx.index.days}
    return OutputFile(ctx.urls.archive_days(),
                      json.dumps({"days": days}, sort_keys=True, separators=(",", ":")).encode())


def render_misc(ctx: PageContext) -> Iterator[PageItem]:
    yield ctx.page("archive.html", ctx.urls.archive(), "Calendar", heading="Calendar",
                   months=archive_months(ctx), total=len(ctx.index.papers), days=len(ctx.index.days),
                   description=f"Every day of {ctx.config.title} with papers, as a calendar.")
    yield days_json(ctx)
    bundles = [ctx.urls.href(path) for path in shard_bundles(ctx.urls, ctx.search_shards())]
    yield ctx.page("search.html", ctx.urls.search(), "Search", heading="Search", search_bundles=bundles,
                   description=f"Search the titles, authors and abstracts of {ctx.config.title}.")
    yield ctx.page("404.html", ctx.urls.not_found(), "Page not found", heading="Page not found")


def render_pages(ctx: PageContext) -> Iterator[PageItem]:
    """Every HTML page of the site, to render with ctx.render() unless kept."""
    for stage in (render_home, render_periods, render_trending, render_papers, render_taxonomies,
                  render_searches, render_misc):
        yield from stage(ctx)
