"""The index between builds: one whose records, day markers and config are the last build's (a
template or theme edit, a config-free rebuild in CI) reads the index back instead of making it
again (0.5 s of a 5.5 s paper.html edit at 10,000 papers).

Kept in the build cache as one section (generator/cachefile.py: checked or sealed like the
others, and keyed by the code through its salt), under the digest of what build_index reads.
Papers are written as their positions in the index's own order (`papers`, stored by key), and
read back over this build's papers: the index holds the very Paper objects the build does.
What decode() does not find exactly as encode() writes it is a miss: the index is made. Like
every cached value it can say no more than the records could: only this build's papers, and
slugs (which name output paths) that are slugs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.cachecodec import JSON
from generator.cachefile import Section
from generator.indexes import Period, SiteIndex, Term
from generator.model import Paper

if TYPE_CHECKING:
    from generator.warm import WarmState

_NAME = "index"
_DECODE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError)
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


def encode(index: SiteIndex) -> dict[str, Any]:
    """The index as JSON values; each list of papers a string of positions ("0,17,42")."""
    # By object: the index's lists hold its papers themselves. Mapped in C (no Python loop a paper):
    # the index is saved by every build that makes it, and holds ~25 papers' mentions a paper.
    at = {id(paper): i for i, paper in enumerate(index.papers)}.__getitem__

    def refs(papers: Iterable[Paper]) -> str:
        return ",".join(map(str, map(at, map(id, papers))))

    def periods(found: tuple[Period, ...]) -> list[list[Any]]:
        return [[p.start.isoformat(), p.label, refs(p.papers), p.complete] for p in found]

    return {
        "papers": [paper.key for paper in index.papers],
        "days": periods(index.days), "weeks": periods(index.weeks), "months": periods(index.months),
        "trending": refs(index.trending),
        "taxonomies": {taxonomy: [[t.slug, t.name, refs(t.papers), t.has_page, t.has_feed, t.key] for t in terms]
                       for taxonomy, terms in index.taxonomies.items()},
        "related": [refs(index.related.get(paper.key, ())) for paper in index.papers],
        "searches": {slug: refs(papers) for slug, papers in index.searches.items()},
    }


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("not a string")
    return value


def _slug(value: Any) -> str:
    """A term's slug as urls.slugify makes them: it names output paths."""
    if type(value) is not str or not _SLUG.fullmatch(value):
        raise ValueError("not a slug")
    return value


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise TypeError("not a bool")
    return value


def decode(data: Any, papers: Sequence[Paper]) -> SiteIndex:
    """The index encode() wrote, over these papers (each stored key must be one of them, and each
    of them stored once); ValueError, TypeError, KeyError … for anything else."""
    by_key = {paper.key: paper for paper in papers}
    keys = data["papers"]
    if type(keys) is not list or len(keys) != len(by_key) or len(set(keys)) != len(keys):
        raise ValueError("not this build's papers")
    ordered = [by_key[_text(key)] for key in keys]

    paper_at = ordered.__getitem__

    def refs(value: Any) -> tuple[Paper, ...]:
        text = _text(value)
        return tuple(map(paper_at, map(int, text.split(",")))) if text else ()

    def periods(kind: str) -> tuple[Period, ...]:
        return tuple(Period(kind, date.fromisoformat(_text(start)), _text(label), refs(members), _flag(complete))
                     for start, label, members, complete in data[kind + "s"])

    def terms(taxonomy: str, found: Any) -> tuple[Term, ...]:
        return tuple(Term(taxonomy, _slug(slug), _text(name), refs(members), _flag(page), _flag(feed), _text(key))
                     for slug, name, members, page, feed, key in found)

    taxonomies = {_text(taxonomy): terms(taxonomy, found) for taxonomy, found in data["taxonomies"].items()}
    related = data["related"]
    if type(related) is not list or len(related) != len(ordered):
        raise ValueError("not one list of related papers a paper")
    return SiteIndex(tuple(ordered), periods("day"), periods("week"), periods("month"), refs(data["trending"]),
                     taxonomies, {paper.key: refs(found) for paper, found in zip(ordered, related, strict=True)},
                     {_text(slug): refs(found) for slug, found in data["searches"].items()})


class IndexStore:
    """The cache's index for one build, under `key` (the digest of what build_index reads), with the
    search shards' keys the build that made it planned (search.plan_search: they follow from the
    index, the language in the config, and the indexer's `tool`, stored with them)."""

    def __init__(self, folder: Path | None, key: str, fresh: bool = False, warm: WarmState | None = None) -> None:
        self.section = Section(folder, _NAME, "", fresh, JSON)
        self.key = key
        self.warm = warm
        self._search: dict[str, Any] = {}  # the stored {"tool": …, "keys": {shard number: key}}
        self._planned: dict[str, Any] | None = None
        self._index: SiteIndex | None = None  # to be saved: made by this build

    def load(self, papers: Sequence[Paper]) -> SiteIndex | None:
        """The index saved under this key, over these papers; None when there is none (or it is not good)."""
        stored = self.section.load().get(_NAME)
        if type(stored) is not dict or stored.get("key") != self.key:
            return None
        try:
            index = decode(stored["index"], papers)
        except _DECODE_ERRORS:
            return None
        search = stored.get("search")
        if type(search) is dict and type(search.get("tool")) is str and type(search.get("keys")) is dict:
            self._search = search
        return index

    def made(self, index: SiteIndex) -> None:
        """The index this build made: saved by save()."""
        self._index = index

    def search_keys(self, tool: str) -> dict[int, str] | None:
        """The shards' keys planned with this index by `tool`, when stored: shard number -> key."""
        if self._search.get("tool") != tool:
            return None
        keys = self._search["keys"]
        if not all(type(key) is str for key in keys.values()):
            return None
        try:
            return {int(number): key for number, key in keys.items()}
        except ValueError:
            return None

    def planned_search(self, tool: str, keys: dict[int, str]) -> None:
        """The shards' keys this build planned (saved with the index when they are new)."""
        self._planned = {"tool": tool, "keys": {str(number): key for number, key in keys.items()}}

    def save(self, index: SiteIndex) -> None:
        """Keep the index and its search keys for the next build, when either is new (in `serve`,
        when the session's caches are written)."""
        search = self._planned if self._planned is not None else self._search
        if self._index is None and search == self._search:
            return  # read back, and nothing to add
        data = {_NAME: {"key": self.key, "index": encode(index), "search": search}}
        if self.warm is None:
            self.section.save(data)
        else:
            self.warm.defer(self.section.path.name if self.section.path else _NAME, lambda: self.section.save(data))
