"""The email digest: one period's papers, ranked, as email-ready HTML and plain text.

Rendered through the theme's `email/digest.html` and `email/digest.txt`, so a
site can restyle it like any page. Mail clients show no MathML and no
`$...$` TeX, so math reaches the reader as readable Unicode (mathtext.py).
Every link is absolute: a mail has no base URL. Sending lives in mailer.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import quote

import jinja2

from generator.config import SiteConfig
from generator.days import marker_path
from generator.errors import BuildError
from generator.indexes import Period, SiteIndex
from generator.mathtext import readable_text, title_text
from generator.model import Paper
from generator.urls import Urls
from generator.views import LINK_LABELS, paper_byline

TEASER_CHARS = 400
EMAIL_LINKS = ("code", "project", "video", "data")
UNSUBSCRIBE_SUBJECT = "unsubscribe"


@dataclass(frozen=True)
class DigestItem:
    """One paper as the digest shows it: plain text values, absolute URLs."""

    rank: int
    title: str
    url: str
    byline: str
    upvotes: int
    teaser: str
    links: tuple[tuple[str, str], ...]  # (label, absolute URL)


@dataclass(frozen=True)
class Digest:
    """Everything the email templates receive."""

    key: str  # "2025-12-08" or "2025-W49": names files and the Message-ID
    subject: str
    heading: str
    site_title: str
    site_url: str
    period_url: str
    unsubscribe_url: str
    last_day: dt.date
    items: tuple[DigestItem, ...]


def select_period(index: SiteIndex, day: dt.date | None = None, week: str | None = None) -> Period:
    """The day or ISO week (`2025-W49`) asked for, else the latest day; BuildError if it has no papers."""
    if week is not None:
        match = re.fullmatch(r"(\d{4})-W(\d{2})", week.strip())
        try:
            start = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1) if match else None
        except ValueError:
            start = None
        if start is None:
            raise BuildError(f"--week: expected an ISO week like 2025-W49, got {week!r}")
        return _find(index.weeks, start, week)
    if not index.days:
        raise BuildError("no papers yet: nothing to put in a digest")
    if day is None:
        return index.days[-1]
    return _find(index.days, day, day.isoformat())


@dataclass(frozen=True)
class Choice:
    """The period `paperfeed digest` mails, and what to tell the user about it ('' when nothing)."""

    period: Period
    note: str = ""


def choose_period(index: SiteIndex, day: dt.date | None = None, week: str | None = None,
                  include_incomplete: bool = False, content_dir: str = "content") -> Choice:
    """What to mail: the day or week asked for, else the newest complete day (generator/days.py).

    A day still in progress is never mailed unless `include_incomplete`: by default the newest
    complete day is taken (and the note says the newest is in progress); asked for by name, it
    is a BuildError that says how to mail it anyway.
    """
    period = select_period(index, day, week)
    if include_incomplete or period.complete:
        return Choice(period)
    if day is not None:
        raise BuildError(f"{day.isoformat()} is in progress: more papers may be added; "
                         "--include-incomplete mails it anyway")
    if week is not None:
        last = period.start + dt.timedelta(days=6)
        pending = ", ".join(d.start.isoformat() for d in index.days
                            if not d.complete and period.start <= d.start <= last)
        raise BuildError(f"{week.strip()} is in progress: more papers may be added to {pending}; "
                         "--include-incomplete mails it anyway")
    newest = period.start.isoformat()
    complete = [d for d in index.days if d.complete]
    if not complete:
        raise BuildError(f"no complete day yet: {newest}, the newest, is in progress; "
                         "--include-incomplete mails it anyway, or write complete: true in "
                         f"{content_dir.rstrip('/')}/{marker_path(period.start)}")
    chosen = complete[-1]
    return Choice(chosen, f"note: {newest} is in progress (more papers may be added), so this is the digest "
                          f"of {chosen.start.isoformat()}, the newest complete day; --include-incomplete "
                          f"takes {newest}")


def _find(periods: Sequence[Period], start: dt.date, shown: str) -> Period:
    for period in periods:
        if period.start == start:
            return period
    latest = f"; the latest is {periods[-1].start.isoformat()}" if periods else ""
    raise BuildError(f"no papers featured in {shown}{latest}")


def build_digest(config: SiteConfig, period: Period) -> Digest:
    """Prepared, plain values for the templates (ranked as on the site)."""
    urls = Urls(config.base_url)
    if period.kind == "week":
        year, week, _ = period.start.isocalendar()
        key, path, last = f"{year}-W{week:02d}", urls.week(year, week), period.start + dt.timedelta(days=6)
        heading = f"Weekly Papers: {period.label}"
    else:
        key, path, last = period.start.isoformat(), urls.day(period.start), period.start
        heading = f"Daily Papers: {period.label}"
    count = len(period.papers)
    return Digest(
        key=key, subject=f"{config.title}: {period.label} ({count} paper{'' if count == 1 else 's'})",
        heading=heading, site_title=config.title, site_url=urls.absolute(urls.home()),
        period_url=urls.absolute(path), unsubscribe_url=unsubscribe_url(config),
        last_day=last,
        items=tuple(_item(rank, paper, urls) for rank, paper in enumerate(period.papers, 1)),
    )


def unsubscribe_url(config: SiteConfig) -> str:
    """The configured List-Unsubscribe target, else a mail to the sender asking to leave.

    The mailto: takes the bare address: a sender such as `Daily Papers <papers@...>`
    would otherwise put its display name, spaces and brackets inside the URL (RFC 6068).
    """
    if config.email.unsubscribe:
        return config.email.unsubscribe
    address = parseaddr(config.email.sender)[1]
    if not address:
        return ""
    return f"mailto:{quote(address, safe='@')}?subject={quote(UNSUBSCRIBE_SUBJECT)}"


def _item(rank: int, paper: Paper, urls: Urls) -> DigestItem:
    links = tuple((LINK_LABELS[link.name], link.url) for link in paper.links if link.name in EMAIL_LINKS)
    return DigestItem(rank=rank, title=title_text(paper),
                      url=urls.absolute(urls.paper(paper.id)), byline=paper_byline(paper, with_organization=True),
                      upvotes=paper.upvotes, teaser=teaser(paper.abstract), links=links)


def teaser(abstract: str, limit: int = TEASER_CHARS) -> str:
    """The abstract's first `limit` characters as plain text, cut at a word."""
    text = readable_text(abstract)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + " …"


def render_digest(digest: Digest, env: jinja2.Environment) -> tuple[str, str]:
    """(HTML, plain text) through the theme's email/ templates."""
    try:
        page = env.get_template("email/digest.html").render(digest=digest)
        text = env.overlay(autoescape=False, cache_size=0).get_template("email/digest.txt").render(digest=digest)
    except jinja2.TemplateError as exc:
        raise BuildError(f"email template error: {exc}") from None
    return page, text
