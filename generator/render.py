"""Rendering: a PagePlan (generator/pages.py) and the templates -> the page's HTML.

PageContext is what every template receives besides the page's own values (site-wide
values, cards and rows rendered once per build, the math font), and how a plan becomes a
page: its PaperRefs made into views, its Lazy values made, the template rendered. Whether a
page is rendered at all is generator/incremental.py's decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jinja2
from markupsafe import Markup

from generator import __version__
from generator.config import SiteConfig
from generator.depends import PaperRefs
from generator.errors import BuildError
from generator.incremental import PagePlan
from generator.indexes import Period, SiteIndex
from generator.model import OutputFile, Paper
from generator.parallel import MIN_ITEMS, pmap
from generator.search import Shard, shard_papers
from generator.urls import Urls
from generator.views import NamedLink, PaperView, paper_view

#: The default theme's math font (static/fonts/), and where base.html may preload it.
MATH_FONT = "fonts/noto-sans-math.woff2"
MATH_FONT_MARK = "<!-- paperfeed:math-font -->"
PERIOD_TITLES = {"day": "Daily Papers", "week": "Weekly Papers", "month": "Monthly Papers"}


@dataclass(frozen=True)
class FeedLink:
    """A feed advertised on a page (<link rel="alternate">)."""

    title: str
    type: str
    href: str


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


def svg_icon(sheet: str) -> Callable[[str], Markup]:
    """icon(name): an icon of the shared sheet at `sheet` (static/icons.svg), by its id `i-<name>`.
    A function, not a template macro: a page shows a dozen icons, and a macro call costs a page
    more than all of them together; each name's HTML is made once."""
    made: dict[str, Markup] = {}

    def icon(name: str) -> Markup:
        found = made.get(name)
        if found is None:
            found = made[name] = Markup('<svg class="icon" aria-hidden="true"><use href="{}#i-{}"/></svg>').format(
                sheet, name)
        return found
    return icon


Snippet = bytes | tuple[bytes, bytes]
"""A card or row as kept for the build: its HTML as UTF-8, or the HTML before and after the
paper's abstract (see pack())."""
_MIN_CUT = 64  # bytes: a shorter abstract is left in the card


def pack(html: bytes, abstract: bytes) -> Snippet:
    """A card's HTML (UTF-8) as kept until every page is rendered, without the paper's abstract
    HTML, which the paper holds already: at 10,000 papers the cards take 19 MB instead of 44.
    UTF-8, not str: a card with one character beyond U+FFFF (MathML's italic letters) would
    take 4 bytes a character."""
    at = html.find(abstract) if len(abstract) >= _MIN_CUT else -1
    return html if at < 0 else (html[:at], html[at + len(abstract):])


def unpack(snippet: Snippet, abstract: bytes) -> bytes:
    """The HTML pack() was given: the same bytes."""
    return snippet if isinstance(snippet, bytes) else snippet[0] + abstract + snippet[1]


@dataclass
class PageContext:
    """What every page template receives besides its own values."""

    config: SiteConfig
    urls: Urls
    index: SiteIndex
    env: jinja2.Environment
    views: dict[str, PaperView] = field(default_factory=dict)
    feed_links: Callable[[str], list[FeedLink]] = lambda path: []
    cards: dict[str, Snippet] = field(default_factory=dict)  # paper key -> its card's HTML (see pack())
    rows: dict[str, Snippet] = field(default_factory=dict)  # paper key -> its compact row's HTML
    names: dict[tuple[str, str], NamedLink] = field(default_factory=dict)  # (taxonomy, name) -> its link

    def __post_init__(self) -> None:
        # The icon sheet's URL, and the icon function _icons.html exports (templates import it
        # without context: globals are what such imports see).
        sheet = self.urls.href(self.urls.static("icons.svg"))
        self.env.globals["icon_sheet"] = sheet
        self.env.globals["svg_icon"] = svg_icon(sheet)

    def view(self, paper: Paper) -> PaperView:
        found = self.views.get(paper.key)
        if found is None:
            found = self.views[paper.key] = paper_view(paper, self.index, self.urls, self.names)
        return found

    def view_by_key(self, key: str) -> PaperView:
        """The view of the paper with this key."""
        return self.view(self.papers[key])

    @cached_property
    def papers(self) -> dict[str, Paper]:
        """Every paper by its key."""
        return {paper.key: paper for paper in self.index.papers}

    @cached_property
    def shards(self) -> list[Shard]:
        """The search index's shards (the search page loads each; search.plan_search indexes them)."""
        return shard_papers(self.index)

    def refs(self, papers: Sequence[Paper]) -> PaperRefs:
        """Papers as a page value: their keys (views are made only if the page is rendered)."""
        return PaperRefs(tuple([paper.id.key for paper in papers]))  # not .key: 200,000 calls at 10,000 papers

    def card_html(self, view: PaperView) -> Markup:
        """A paper's card, rendered once per build however many lists show it.

        The `card` macro of _card.html (a site's templates/ may override it) is
        called with the site-wide values only: a card looks the same on every list.
        """
        return self._snippet("card", self.cards, view)

    def row_html(self, view: PaperView) -> Markup:
        """A paper's compact row (the `row` macro of _card.html), rendered once per build."""
        return self._snippet("row", self.rows, view)

    @cached_property
    def _macros(self) -> dict[str, Any]:
        return {}

    def _snippet(self, macro_name: str, made: dict[str, Snippet], view: PaperView) -> Markup:
        found = made.get(view.paper.key)
        if found is not None:
            return Markup(unpack(found, view.paper.abstract_html_utf8).decode("utf-8"))
        try:
            macros = self._macros
            macro = macros.get(macro_name)
            if macro is None:
                module = self.env.get_template("_card.html").make_module(self.site_values())
                macro = macros[macro_name] = getattr(module, macro_name)
            html = Markup(macro(view, None) if macro_name == "card" else macro(view))
        except Exception as exc:  # whatever a user's template raises: one line, not a traceback
            raise template_error(exc) from None
        made[view.paper.key] = pack(html.encode("utf-8"), view.paper.abstract_html_utf8)
        return html

    def _packed_card(self, view: PaperView) -> Snippet:
        return pack(self.card_html(view).encode("utf-8"), view.paper.abstract_html_utf8)

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

    def page(self, template: str, path: str, title: str | Lazy, **values: Any) -> PagePlan:
        """The plan of one page at a site-relative path (its own values: the site-wide ones are
        added when it is rendered); its title is plain text."""
        urls = self.urls
        common = {
            "section": path.split("/", 1)[0], "image": "",
            "page_title": title, "canonical": urls.absolute(path),
            "feeds": self.feed_links(path), "description": values.pop("description", self.config.description),
        }
        return PagePlan(template, urls.output_path(path), common | values)

    def prepare(self, pages: list[PagePlan], jobs: int) -> None:
        """Before rendering pages on several cores: the cards of the lists to render, so that
        forked workers share them instead of each making its own (few after a small edit)."""
        if jobs <= 1 or len(pages) < MIN_ITEMS:
            return
        keys = dict.fromkeys(key for page in pages if type(cards := page.values.get("cards")) is PaperRefs
                             for key in cards.keys)
        views = [self.view_by_key(key) for key in keys]
        if len(views) >= MIN_ITEMS:
            for view, card in zip(views, pmap(self._packed_card, views, jobs), strict=True):
                self.cards[view.paper.key] = card

    def forget(self) -> None:
        """A batch of pages is rendered (incremental.BATCH_PAGES): its views and cards go, and the
        next batch makes those it needs."""
        self.views.clear()
        self.cards.clear()
        self.rows.clear()

    def done(self) -> None:
        """Every page is rendered: the cards' memory goes to the feeds."""
        self.cards.clear()

    def _value(self, value: Any) -> Any:
        kind = type(value)
        if kind is Lazy:
            return value.make(*value.args)
        if kind is PaperRefs:
            views = [self.view_by_key(key) for key in value.keys]
            return views[0] if value.one else views
        return value

    def render(self, page: PagePlan) -> OutputFile:
        """The page's HTML."""
        values = self.site_values() | {name: self._value(value) for name, value in page.values.items()}
        try:
            html = self.env.get_template(page.template).render(values)
        except Exception as exc:  # whatever a user's template raises: one line, not a traceback
            raise template_error(exc) from None
        return OutputFile.hashed(page.path, self._math_font(squeeze(html)).encode("utf-8"))

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
            nav["week"] = urls.href(period_path(urls, index.weeks[-1])(1))
            nav["month"] = urls.href(period_path(urls, index.months[-1])(1))
        return nav


def period_path(urls: Urls, period: Period) -> Callable[[int], str]:
    """Page n of a day's, week's or month's list."""
    start = period.start
    if period.kind == "day":
        return lambda n: urls.day(start, n)
    if period.kind == "week":
        year, week, _ = start.isocalendar()
        return lambda n: urls.week(year, week, n)
    return lambda n: urls.month(start.year, start.month, n)
