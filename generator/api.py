"""Pure: (SiteIndex, urls, config) -> [FilePlan] for a static API in Hugging Face's shapes.

Scripts written against https://huggingface.co/api/daily_papers and /api/papers/<id> (and
huggingface_hub's `HfApi(endpoint=<site>)`) read a paperfeed site by changing the host:

    api/daily_papers/index.html          the latest day (a host redirects /api/daily_papers here)
    api/daily_papers/2025-12-08.json     a day: all its papers
    api/daily_papers/2025-W50.json       an ISO week, and a month (2025-12.json): the most upvoted
    api/papers/2512.01234                one paper, as paper_info reads it (no extension)

Every list is ranked as the site's pages are (most upvoted first, ties by id). Only what a
record says is published, under HF's key and in HF's key order; a field paperfeed does not
have (discussionId, ai_summary, githubStars, numComments, avatars, `_id`s …) is left out,
as HF leaves out an absent projectPage. docs/api.md has the whole mapping.

Each file's plan has its papers as inputs (an entry is made from the paper and the urls
alone), so generator/incremental.py makes again only the files whose papers changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from functools import partial
from typing import Any

from generator.config import ApiConfig
from generator.incremental import FilePlan
from generator.indexes import SiteIndex
from generator.model import Paper
from generator.urls import Urls

__all__ = ["build_api", "daily_entry", "paper_object"]

# api/daily_papers/index.html is sent as text/html: no '<' may open a tag there. JSON allows
# these escapes in any string (and '<', '>', '&' occur only in strings), so every file gets them
# and a reader decodes the same text.
_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))


def _time(day: date) -> str:
    """HF's timestamp form; paperfeed keeps days, so the time is midnight UTC of that day."""
    return f"{day.isoformat()}T00:00:00.000Z"


def paper_object(paper: Paper) -> dict[str, Any]:
    """The paper as /api/papers/<id> gives it (and as `paper` in a daily_papers entry)."""
    org = {"fullname": paper.organization} if paper.organization else None
    submitter = {"fullname": paper.submitted_by} if paper.submitted_by else None
    fields: list[tuple[str, Any]] = [
        ("id", paper.key),
        ("authors", [{"name": author.name} for author in paper.authors]),
        ("publishedAt", _time(paper.published) if paper.published else None),
        ("submittedOnDailyAt", _time(paper.date)),
        ("title", paper.title),
        ("submittedOnDailyBy", submitter),
        ("summary", paper.abstract),
        ("upvotes", paper.upvotes),
        ("projectPage", paper.link("project") or None),
        ("githubRepo", paper.link("code") or None),
        ("ai_keywords", list(paper.tags) or None),
        ("organization", org),
    ]
    return {key: value for key, value in fields if value is not None}


def daily_entry(paper: Paper, urls: Urls) -> dict[str, Any]:
    """One entry of a daily_papers list: the paper, and the entry's own copies of its title,
    summary and dates as HF repeats them."""
    inner = paper_object(paper)
    fields: list[tuple[str, Any]] = [
        ("paper", inner),
        ("publishedAt", inner.get("publishedAt")),
        ("title", paper.title),
        ("summary", paper.abstract),
        ("thumbnail", urls.thumbnail(paper.thumbnail, absolute=True) or None),
        ("submittedBy", inner.get("submittedOnDailyBy")),
        ("organization", inner.get("organization")),
    ]
    return {key: value for key, value in fields if value is not None}


def _json(value: Any) -> bytes:
    # HF's compact form; key order is HF's (the dicts above are built in it), so the same
    # site always gives the same bytes.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in _ESCAPES:  # str.replace: str.translate is 8x slower on 50 MB
        text = text.replace(char, escape)
    return text.encode("utf-8")  # record.py drops lone surrogates


def _entries(papers: tuple[Paper, ...], urls: Urls) -> bytes:
    return _json([daily_entry(paper, urls) for paper in papers])


def _list_plan(path: str, papers: tuple[Paper, ...], urls: Urls) -> FilePlan:
    return FilePlan(path, (papers,), partial(_entries, papers, urls))


def _paper_paths(index: SiteIndex, urls: Urls) -> Iterator[tuple[str, Paper]]:
    """Each paper's file. A slug id that is also an old-style archive's folder (a paper `math`
    beside `math/0601001`) cannot be a file there too: it gets none."""
    folders = {paper.key.partition("/")[0] for paper in index.papers if "/" in paper.key}
    for paper in index.papers:
        if paper.key not in folders:
            yield urls.api_paper(paper.id), paper


def build_api(index: SiteIndex, urls: Urls, config: ApiConfig) -> Iterator[FilePlan]:
    """Every API file as a plan, made one at a time as the writer asks for them (none for a site
    without papers)."""
    if not config.enabled or not index.days:
        return
    # Weeks and months hold their most upvoted `items` papers only: the day files already hold
    # every paper, and HF's own answer to week= or month= is one page of 50.
    yield _list_plan(urls.output_path(urls.api_daily_papers()), index.days[-1].papers, urls)
    if config.history:
        yield from _history(index, urls, config)
    if config.papers:
        for path, paper in _paper_paths(index, urls):
            yield FilePlan(path, (paper,), partial(_paper_json, paper))


def _paper_json(paper: Paper) -> bytes:
    return _json(paper_object(paper))


def _history(index: SiteIndex, urls: Urls, config: ApiConfig) -> Iterator[FilePlan]:
    """A file per day (every paper), ISO week and month (the most upvoted `items`)."""
    for day in index.days:
        yield _list_plan(urls.api_day(day.start), day.papers, urls)
    for week in index.weeks:
        year, number, _ = week.start.isocalendar()
        yield _list_plan(urls.api_week(year, number), week.papers[: config.items], urls)
    for month in index.months:
        yield _list_plan(urls.api_month(month.start.year, month.start.month), month.papers[: config.items], urls)
