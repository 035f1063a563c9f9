"""Feed entries as plain values: one per paper, one per digest day.

Every format (RSS, Atom, JSON Feed) is written from these values, so the three
never disagree. Dates come from the records (the featured day, at midnight in
the site's time zone), never from the clock; ids come from urls.py.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from generator.indexes import Period, SiteIndex
from generator.mathtext import title_text
from generator.model import Paper
from generator.urls import Urls
from generator.views import LINK_LABELS, human_date, paper_byline

# Characters XML 1.0 cannot carry (controls, lone surrogates, U+FFFE/U+FFFF).
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# nh3 writes every attribute double-quoted, so this finds every link of sanitised HTML.
_HREF = re.compile(r'(\shref=")([^"]*)(")')
DIGEST_AUTHORS = 3


def xml_text(text: str) -> str:
    """Text any XML document can hold: illegal characters removed."""
    return _XML_ILLEGAL.sub("", text)


def absolute_links(fragment: str, page_url: str) -> str:
    """Resolve relative links against the page they came from (feed readers have no base)."""
    def resolve(match: re.Match[str]) -> str:
        url = urljoin(page_url, html.unescape(match.group(2)))
        return match.group(1) + html.escape(url) + match.group(3)
    return _HREF.sub(resolve, fragment)


def day_start(day: date, timezone: str) -> datetime:
    """Midnight of a featured day in the site's time zone: the entry's date."""
    return datetime.combine(day, time(), ZoneInfo(timezone))


@dataclass(frozen=True)
class Entry:
    """One feed entry, format-neutral; every string already absolute and XML-safe."""

    id: str
    title: str
    link: str
    content_html: str
    date: datetime
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    image: str = ""


def _link(url: str, label: str) -> str:
    return f'<a href="{html.escape(url)}">{html.escape(label)}</a>'


def author_names(paper: Paper) -> tuple[str, ...]:
    """Who the entry is by: the authors, else the submitting organisation."""
    names = tuple(a.name for a in paper.authors)
    return names or ((paper.organization,) if paper.organization else ())


def byline(paper: Paper, limit: int | None = None) -> str:
    """views.byline with the organisation ('A, B +2 · Tencent'), and the day it was published
    when every author is named (an entry, not a digest's row), as escaped HTML."""
    line = paper_byline(paper, with_organization=True, limit=limit)
    if paper.published and limit is None:
        line = " · ".join(part for part in (line, f"published {human_date(paper.published)}") if part)
    return html.escape(line)


def paper_content(paper: Paper, page_url: str) -> str:
    """Byline, the abstract's HTML (MathML, sanitised) and the paper's links, all absolute."""
    parts = []
    line = byline(paper)
    if line:
        parts.append(f"<p>{line}</p>")
    parts.append(absolute_links(paper.abstract_html, page_url))
    links = [_link(page_url, "Paper page")]
    links += [_link(link.url, LINK_LABELS.get(link.name, link.name)) for link in paper.links]
    parts.append("<p>" + " · ".join(links) + "</p>")
    return xml_text("\n".join(parts))


class EntryMaker:
    """Builds entries once per paper and day; feeds share them (a paper is in many feeds)."""

    def __init__(self, index: SiteIndex, urls: Urls, timezone: str, site_title: str) -> None:
        self.index, self.urls, self.timezone, self.site_title = index, urls, timezone, site_title
        self._papers: dict[str, Entry] = {}

    def paper(self, paper: Paper) -> Entry:
        """The entry of a paper: id from its version-less key, dated with its featured day."""
        found = self._papers.get(paper.key)
        if found is None:
            url = self.urls.absolute(self.urls.paper(paper.id))
            found = self._papers[paper.key] = Entry(
                id=self.urls.paper_entry_id(paper.id), title=xml_text(title_text(paper)),
                link=url, content_html=paper_content(paper, url),
                date=day_start(paper.date, self.timezone),
                authors=tuple(xml_text(n) for n in author_names(paper)),
                categories=tuple(xml_text(t) for t in paper.tags),
                image=xml_text(self.urls.thumbnail(paper.thumbnail, absolute=True)))
        return found

    def digest(self, day: Period) -> Entry:
        """One day's papers, ranked, as one entry (what an RSS-to-email service mails)."""
        urls = self.urls
        day_url = urls.absolute(urls.day(day.start))
        count = len(day.papers)
        rows = []
        for paper in day.papers:
            url = urls.absolute(urls.paper(paper.id))
            votes = f"{paper.upvotes} upvote{'' if paper.upvotes == 1 else 's'}"
            details = [d for d in (byline(paper, DIGEST_AUTHORS), votes) if d]
            extra = [_link(link.url, LINK_LABELS.get(link.name, link.name))
                     for link in paper.links if link.name in ("code", "project")]
            rows.append(f'<li><a href="{html.escape(url)}"><strong>{paper.title_html}</strong></a>'
                        f"<br>{' · '.join(details + extra)}</li>")
        intro = (f"<p>{count} paper{'' if count == 1 else 's'} featured on "
                 f"{html.escape(day.label)}, ranked by upvotes. {_link(day_url, 'See them on the site')}.</p>")
        return Entry(id=urls.digest_entry_id(day.start), title=xml_text(f"{self.site_title}: {day.label}"),
                     link=day_url, content_html=xml_text(intro + "\n<ol>\n" + "\n".join(rows) + "\n</ol>"),
                     date=day_start(day.start, self.timezone))
