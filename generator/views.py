"""Prepared values for templates: links resolved, text formatted, nothing left to compute."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from generator.indexes import SiteIndex
from generator.model import KNOWN_LINKS, Paper
from generator.urls import Urls

CARD_AUTHORS = 3
#: The paper page lists this many authors, the rest behind a "show all" (papers with hundreds).
PAGE_AUTHORS = 20
LINK_LABELS = {"arxiv": "arXiv", "pdf": "PDF", "code": "Code", "project": "Project page",
               "video": "Video", "data": "Data"}


@dataclass(frozen=True)
class NamedLink:
    """A name with a link, or with href '' when the name has no page of its own."""

    name: str
    href: str = ""
    searched: bool = False  # href is the search page filtered to the name (it has no page)


@dataclass(frozen=True)
class ExternalLink:
    name: str
    label: str
    url: str
    icon: bool


@dataclass(frozen=True)
class PaperView:
    """One paper as cards and the paper page show it."""

    paper: Paper
    href: str
    url: str
    authors: tuple[NamedLink, ...]
    authors_more: int
    author_count: int
    organization: NamedLink | None
    published: str
    published_iso: str
    featured: str
    featured_iso: str
    day_href: str
    upvotes: int
    tags: tuple[NamedLink, ...]
    links: tuple[ExternalLink, ...]
    thumbnail: str
    submitted_by: str = ""

    @property
    def title_html(self) -> str:
        """The paper's title as safe HTML (decoded from the paper's UTF-8 when asked: see model.Paper)."""
        return self.paper.title_html

    @property
    def abstract_html(self) -> str:
        """The paper's abstract as safe HTML."""
        return self.paper.abstract_html

    @property
    def card_authors(self) -> tuple[NamedLink, ...]:
        return self.authors[:CARD_AUTHORS]

    @property
    def card_authors_more(self) -> int:
        return self.author_count - len(self.card_authors)

    @property
    def page_authors(self) -> tuple[NamedLink, ...]:
        """Authors listed at once on the paper page (all of them when there are few)."""
        return self.authors if len(self.authors) <= PAGE_AUTHORS + 10 else self.authors[:PAGE_AUTHORS]

    @property
    def page_authors_rest(self) -> tuple[NamedLink, ...]:
        return self.authors[len(self.page_authors):]

    @property
    def byline(self) -> str:
        """Plain text: 'Ada Lovelace, Alan Turing, Grace Hopper +1', '4 authors' or the organisation."""
        return byline([a.name for a in self.authors], self.author_count,
                      self.organization.name if self.organization else "")

    @property
    def short_byline(self) -> str:
        """Plain text, for lists of titles: 'Ada Lovelace et al.', '4 authors' or the organisation."""
        if self.authors:
            return self.authors[0].name + (" et al." if self.author_count > 1 else "")
        return byline((), self.author_count, self.organization.name if self.organization else "")

    @property
    def arxiv_id(self) -> str:
        return self.paper.id.full if self.paper.id.arxiv else ""


def byline(names: Sequence[str], author_count: int, organization: str, with_organization: bool = False,
           limit: int | None = CARD_AUTHORS) -> str:
    """A paper's authors in one line of plain text: 'Ada Lovelace, Alan Turing, Grace Hopper +1',
    '4 authors' (a count without names), else the organisation; `with_organization` adds it after
    the authors, as the email digest shows them ('Ada Lovelace +1 · Tencent'). `limit` names at
    most (None: every name the record has)."""
    shown = names[:limit]
    more = author_count - len(shown)
    if shown:
        people = ", ".join(shown) + (f" +{more}" if more > 0 else "")
    else:
        people = f"{author_count} author{'' if author_count == 1 else 's'}" if author_count else ""
    if people and not with_organization:
        return people
    return " · ".join(part for part in (people, organization) if part)


def paper_byline(paper: Paper, with_organization: bool = False, limit: int | None = CARD_AUTHORS) -> str:
    """byline() of a paper's record."""
    return byline([author.name for author in paper.authors], paper.author_count, paper.organization,
                  with_organization, limit)


def human_date(day: date | None) -> str:
    """'Dec 8, 2025' (the Hugging Face page's style, always with the year)."""
    return day.strftime("%b %-d, %Y") if day else ""


def date_range(first: date, last: date) -> str:
    """'Dec 2 – Dec 8, 2025'; the year twice only when it changes ('Dec 29, 2025 – Jan 4, 2026')."""
    if first == last:
        return human_date(first)
    if first.year == last.year:
        return f"{first.strftime('%b %-d')} – {human_date(last)}"
    return f"{human_date(first)} – {human_date(last)}"


def _named(index: SiteIndex, urls: Urls, taxonomy: str, name: str,
           known: dict[tuple[str, str], NamedLink] | None = None) -> NamedLink:
    """The link of a tag, organisation or author name (`known` remembers them: names repeat)."""
    found = known.get((taxonomy, name)) if known is not None else None
    if found is None:
        term = index.term_of(taxonomy, name)
        if term is None:
            found = NamedLink(name)
        elif term.has_page:
            found = NamedLink(name, urls.href(urls.term(taxonomy, term.slug)))
        else:  # too few papers for a page: the search page lists them
            found = NamedLink(name, urls.search_for(taxonomy, term.name), searched=True)
        if known is not None:
            known[(taxonomy, name)] = found
    return found


def paper_view(paper: Paper, index: SiteIndex, urls: Urls,
               known: dict[tuple[str, str], NamedLink] | None = None) -> PaperView:
    """Everything a template shows of a paper, computed once per build (`known`: see _named)."""
    authors = tuple(_named(index, urls, "authors", a.name, known) for a in paper.authors)
    return PaperView(
        paper=paper, href=urls.href(urls.paper(paper.id)), url=urls.absolute(urls.paper(paper.id)),
        authors=authors,
        authors_more=max(0, paper.author_count - len(authors)), author_count=paper.author_count,
        organization=_named(index, urls, "orgs", paper.organization, known) if paper.organization else None,
        published=human_date(paper.published), published_iso=paper.published.isoformat() if paper.published else "",
        featured=human_date(paper.date), featured_iso=paper.date.isoformat(),
        day_href=urls.href(urls.day(paper.date)), upvotes=paper.upvotes,
        tags=tuple(_named(index, urls, "tags", t, known) for t in paper.tags),
        links=tuple(ExternalLink(link.name, LINK_LABELS.get(link.name, link.name), link.url,
                                 link.name in KNOWN_LINKS) for link in paper.links),
        thumbnail=urls.thumbnail(paper.thumbnail), submitted_by=paper.submitted_by,
    )


@dataclass(frozen=True)
class Pagination:
    number: int
    total: int
    prev_href: str
    next_href: str
    pages: tuple[NamedLink, ...]


PAGE_WINDOW = 2


def pagination(urls: Urls, path_of: Callable[[int], str], number: int, total: int) -> Pagination:
    """Links between pages of one list: first, last and a window around the current one."""
    shown = sorted({1, total} | set(range(max(1, number - PAGE_WINDOW), min(total, number + PAGE_WINDOW) + 1)))
    pages = tuple(NamedLink(str(n), urls.href(path_of(n)) if n != number else "") for n in shown)
    return Pagination(number, total,
                      urls.href(path_of(number - 1)) if number > 1 else "",
                      urls.href(path_of(number + 1)) if number < total else "", pages)
