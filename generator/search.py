"""Pure: the search index's plan: shards, fragments and shard keys (Pagefind runs in pagefind_run.py).

Pagefind (PyPI `pagefind[bin]`, a Rust binary) has no incremental mode, and its
time and memory grow with the pages it reads (~1.7 ms and ~150 KB a paper: a
10,000-paper site took 17 s and 1.5 GB in one run). So the papers are cut, in
date order and whole days at a time, into shards of about SHARD_PAPERS, each its
own Pagefind bundle under pagefind/<n>/, and the papers after the last full shard
in pieces of a quarter of that; the search page loads every bundle and searches
each (static/search.js). A shard is re-indexed only when the fragments of its
papers changed: new papers land in the last piece, an edit re-indexes one shard
or piece, an upvote (not searchable) none. Pagefind runs once per shard,
one after the other, in the background while the pages are rendered (pagefind_run.Chain),
so memory stays that of one shard.

The fragments are made from the paper data, not read back from the built pages:
title (Pagefind's `title` meta), authors and date (meta for the result line),
abstract, every author and organisation name, and the tags. Pagefind's output is
byte-identical for identical input, so a kept shard is exactly a cold build's.

`plan_search` gives a GroupPlan per shard (its folder, its key, how to start making it); the
incremental layer keeps or starts it, and starting it calls the indexer it was given
(generator/pagefind_run.py's, which runs the binary in the background and orders the bundle).
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from generator.incremental import GroupPlan
from generator.indexes import TAXONOMIES, SiteIndex, term_names
from generator.mathtext import title_text
from generator.model import OutputFile, Paper
from generator.urls import SEARCH_FILTERS, Urls
from generator.views import byline, human_date

#: A shard closes at the end of the day on which it reaches this many papers.
SHARD_PAPERS = 2000
#: The open remainder's pieces: about SHARD_PAPERS / TAIL_PIECES papers each (Pagefind takes
#: ~1 ms a paper: 0.5 s for a piece against 2 s for a shard), at the price of up to
#: TAIL_PIECES - 1 more bundles for the search page to load.
TAIL_PIECES = 4
#: What starts indexing one shard: (output path of each paper's page -> its fragment, the shard's
#: folder) -> what waits for it and gives the shard's files (generator/pagefind_run.py's Indexer.start).
Indexer = Callable[[dict[str, bytes], str], Callable[[], list[OutputFile]]]


@dataclass(frozen=True)
class Shard:
    """Papers indexed together: whole days, in date order."""

    number: int
    papers: tuple[Paper, ...]


def shard_papers(index: SiteIndex, size: int | None = None) -> list[Shard]:
    """The papers cut into shards of about `size`, whole days in date order; the papers after
    the last full shard (the open remainder, where new papers land and most edits happen) are
    cut again, into pieces of about a TAIL_PIECES-th of that, so that a new day or an edit
    there re-indexes a piece, not up to a whole shard. A full shard's bounds do not depend on
    the pieces: when the remainder fills, its pieces become one shard."""
    size = size or SHARD_PAPERS
    days = [sorted(day.papers, key=lambda paper: paper.key)
            for day in sorted(index.days, key=lambda period: period.start)]
    full, rest = _cut(days, size)
    pieces, last = _cut(rest, -(-size // TAIL_PIECES))
    if last:
        pieces.append(tuple(paper for papers in last for paper in papers))
    return [Shard(number, papers) for number, papers in enumerate(full + pieces, 1)]


def _cut(days: list[list[Paper]], size: int) -> tuple[list[tuple[Paper, ...]], list[list[Paper]]]:
    """Whole days in groups, each closed at the end of the day it reaches `size`; and the days
    after the last group."""
    groups: list[tuple[Paper, ...]] = []
    current: list[Paper] = []
    rest: list[list[Paper]] = []
    for papers in days:
        current.extend(papers)
        rest.append(papers)
        if len(current) >= size:
            groups.append(tuple(current))
            current, rest = [], []
    return groups, rest


def shard_bundles(urls: Urls, shards: list[Shard]) -> list[str]:
    """Site-relative folders of the shards' bundles (the search page loads them all)."""
    return [urls.search_shard(shard.number) for shard in shards]


Filters = tuple[tuple[str, tuple[str, ...]], ...]


def paper_filters(index: SiteIndex, paper: Paper) -> Filters:
    """The paper's search filters: (filter, its terms' names as the index spells them), so a
    name's link (urls.search_for, the same name) finds every paper of that term."""
    found = []
    for taxonomy in TAXONOMIES:
        names = (term.name for term in (index.term_of(taxonomy, name) for name in term_names(paper, taxonomy))
                 if term is not None)
        found.append((SEARCH_FILTERS[taxonomy], tuple(dict.fromkeys(names))))
    return tuple(found)


def fragment(paper: Paper, language: str = "en", filters: Filters = ()) -> bytes:
    """What Pagefind reads for one paper: the searchable text, the result's meta, the filters
    (author, tag, org) and the date to sort by.

    Made from the paper and its filters alone, so a shard's key can be made from its papers'
    fields: an unchanged shard is known without making its fragments."""
    e = html.escape
    names = [author.name for author in paper.authors] + ([paper.organization] if paper.organization else [])
    tags = "".join(f"<li>{e(tag)}</li>" for tag in paper.tags)
    by = byline([author.name for author in paper.authors], paper.author_count, paper.organization)
    facets = "".join(f'<span data-pagefind-filter="{name}">{e(value)}</span>'
                     for name, values in filters for value in values)
    return (f'<!doctype html><html lang="{e(language)}"><head><meta charset="utf-8"><title>{e(paper.key)}'
            f'</title></head><body><main data-pagefind-body><h1>{paper.title_html}</h1>'
            # The result's title is plain text (a MathML title's text content runs its symbols
            # together: `𝒪(nlogn)`); it is meta only: the h1 above is what is searched.
            f'<p data-pagefind-ignore data-pagefind-meta="title">{e(title_text(paper))}</p>'
            f'<p data-pagefind-ignore data-pagefind-meta="authors">{e(by)}</p>'
            f'<p data-pagefind-ignore data-pagefind-meta="date">{e(human_date(paper.date))}</p>'
            f'<p data-pagefind-ignore data-pagefind-sort="date">{paper.date.isoformat()}</p>'
            f'<div data-pagefind-ignore>{facets}</div>'
            f'<div>{paper.abstract_html}</div><p>{e(", ".join(names))}</p><ul>{tags}</ul>'
            f'</main></body></html>').encode()


def _searchable(paper: Paper, filters: Filters) -> str:
    """Every field a fragment is made from (not upvotes, links or thumbnails: an upvote re-indexes
    nothing). The HTML follows from the text and the code, both in the shard's key."""
    authors = "\x1e".join(author.name for author in paper.authors)
    facets = "\x1e".join(f"{name}={value}" for name, values in filters for value in values)
    return "\x1f".join([paper.id.full, paper.title, paper.abstract, paper.date.isoformat(), authors,
                        str(paper.author_count), paper.organization, "\x1e".join(paper.tags), facets])


def shard_key(shard: Shard, filters: list[Filters], salt: str) -> str:
    """What a shard's index is made from: its papers' searchable fields, and in `salt` the language, paperfeed's
    code and Pagefind's version. Not the theme or the rest of the config, so a template edit
    re-indexes nothing, and an unchanged shard is known without making its fragments."""
    h = hashlib.blake2b(salt.encode(), digest_size=16)
    for paper, facets in zip(shard.papers, filters, strict=True):
        h.update(b"\0" + _searchable(paper, facets).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def plan_search(index: SiteIndex, urls: Urls, indexer: Indexer, tool: str, shards: list[Shard] | None = None,
                language: str = "en", keys: Mapping[int, str] | None = None) -> Iterator[GroupPlan]:
    """A plan per shard: its folder, its key (its papers' searchable fields; `tool` is the
    indexer's code and version) and how to make it (fragments made only then). `keys`: shard
    number -> key, when the caller knows them (this very index, language and tool planned them
    before): the papers' filters are then made only for a shard that is started."""
    salt = f"{tool}\0{language}"  # the same for every shard: made once
    for shard in shard_papers(index) if shards is None else shards:
        prefix = urls.search_shard(shard.number)
        known = keys.get(shard.number) if keys is not None else None
        if known is None:
            filters = [paper_filters(index, paper) for paper in shard.papers]
            yield GroupPlan(prefix, shard_key(shard, filters, salt),
                            partial(_start_shard, shard, filters, urls, language, indexer, prefix))
        else:
            yield GroupPlan(prefix, known, partial(_start_shard, shard, None, urls, language, indexer, prefix, index))


def _start_shard(shard: Shard, filters: list[Filters] | None, urls: Urls, language: str, indexer: Indexer,
                 prefix: str, index: SiteIndex | None = None) -> Callable[[], list[OutputFile]]:
    if filters is None:
        assert index is not None
        filters = [paper_filters(index, paper) for paper in shard.papers]
    fragments = {urls.output_path(urls.paper(paper.id)): fragment(paper, language, facets)
                 for paper, facets in zip(shard.papers, filters, strict=True)}
    return indexer(fragments, prefix)
