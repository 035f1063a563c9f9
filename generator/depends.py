"""Keys: what a page, feed or shard is made from, as one hash.

Every page and feed gets a key: a hash of everything its template receives (papers by
the digest of their record file, views by their view digest, pagination, titles …), of its
template and the templates that one uses (`TemplateKeys`) and, through the ledger's salt, of
the code, the config and the static files. The keys are compared by generator/incremental.py,
which alone decides what to keep; this module only computes them (generator/tree.py's
`tree_signature` hashes the static folders for the salt).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from generator.model import Paper
from generator.views import PaperView

if TYPE_CHECKING:
    import jinja2


@dataclass(frozen=True)
class PaperRefs:
    """Papers a page shows as cards or rows, by key: made into views only when the page is
    rendered (a kept page's views are known by their digest, often without being made).
    `one`: the value is a single view (a paper page's own card), not a list."""

    keys: tuple[str, ...]
    one: bool = False


_PLAIN = frozenset({int, bool, float, type(None), date, datetime})


class Fingerprints:
    """Keys of template values; a paper stands for the digest of its record, not its text.

    Small dataclasses (links, pagination …) are hashed inline, field by field; values of
    the `shared` types (a period, a term: on many pages, each holding many papers) are
    hashed once per build and then stand for their hash.
    """

    def __init__(self, paper_digests: Mapping[str, str], shared: tuple[type, ...] = (),
                 view_digest: Callable[[str], str] | None = None) -> None:
        """`view_digest(key)`: the digest of a paper's view (PaperRefs stand for theirs); by
        default the view is not known by key (generator/incremental.py's ViewBook knows it)."""
        self.papers = paper_digests
        self.view_digest = view_digest
        self.views: dict[str, str] = {}
        self.shared_types = frozenset(shared)
        self.shared: dict[int, tuple[object, str]] = {}  # id -> (the frozen value, kept alive; its hash)
        self._dataclass: dict[type, bool] = {}

    def view(self, view: PaperView) -> str:
        key = view.paper.key
        found = self.views.get(key)
        if found is None:
            parts: list[str] = [self.papers[key]]
            for name, value in view.__dict__.items():
                if name != "paper":  # it follows the record (its markup too)
                    parts.append(name)
                    self._walk(value, parts)
            found = self.views[key] = _hash(parts)
        return found

    def key(self, *values: Any) -> str:
        """The hash of any mix of plain values, containers, dataclasses, papers and views."""
        parts: list[str] = []
        for value in values:
            self._walk(value, parts)
        return _hash(parts)

    def _walk(self, value: Any, parts: list[str]) -> None:
        kind = type(value)
        if kind is str:
            parts.append(value)
        elif kind in _PLAIN:
            parts.append(repr(value))
        elif kind is PaperView:
            parts.append("V" + self.view(value))
        elif kind is PaperRefs:
            if self.view_digest is None:
                raise TypeError("PaperRefs need Fingerprints(view_digest=...)")
            parts.append(f"R{len(value.keys)}{'1' if value.one else ''}")
            digest = self.view_digest
            parts.extend(["V" + digest(key) for key in value.keys])
        elif kind is Paper:
            parts.append("P" + self.papers[value.id.key])
        elif kind is list or kind is tuple:
            parts.append(f"[{len(value)}")
            views, papers = self.views, self.papers
            for item in value:
                kind = type(item)
                if kind is str:  # the most common items (strings, a term's papers, a list's cards): no call
                    parts.append(item)
                elif kind is Paper:
                    parts.append("P" + papers[item.id.key])
                elif kind is PaperView:
                    parts.append("V" + (views.get(item.paper.id.key) or self.view(item)))
                else:
                    self._walk(item, parts)
        elif kind is dict:
            parts.append(f"{{{len(value)}")
            for name, item in value.items():
                self._walk(name, parts)
                self._walk(item, parts)
        elif kind is set or kind is frozenset:
            parts.append(f"{{{len(value)}")
            parts.extend(sorted(repr(item) for item in value))
        elif kind in self.shared_types:
            found = self.shared.get(id(value))
            if found is None:
                inner = [kind.__qualname__]
                for item in value.__dict__.values():
                    self._walk(item, inner)
                found = self.shared[id(value)] = (value, _hash(inner))
            parts.append(found[1])
        elif self._is_dataclass(kind):
            parts.append("(" + kind.__qualname__)
            for item in value.__dict__.values():
                if type(item) is str:  # the most common field: no call
                    parts.append(item)
                else:
                    self._walk(item, parts)
            parts.append(")")
        elif callable(value):
            # Site-wide helpers (asset(), card_html()): what they return depends only on
            # the config, the theme and the code, which are in the ledger's salt.
            parts.append("f" + getattr(value, "__qualname__", kind.__qualname__))
        else:
            parts.append(kind.__qualname__ + ":" + str(value))

    def _is_dataclass(self, kind: type) -> bool:
        found = self._dataclass.get(kind)
        if found is None:
            found = self._dataclass[kind] = dataclasses.is_dataclass(kind)
        return found


def _hash(parts: list[str]) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class TemplateKeys:
    """Each page template's digest: its source and those of every template it extends, includes
    or imports, and of `always` (what the code loads for every page: the cards' macros). A
    page's key holds its template's, so a template edit makes again only the pages using it.
    A template naming another by a variable depends on them all."""

    def __init__(self, env: jinja2.Environment, always: tuple[str, ...] = ("_card.html",)) -> None:
        self.env = env
        self.always = always
        self.sources: dict[str, str] = {}
        self.keys: dict[str, str] = {}
        self._refs: dict[str, list[str | None]] = {}  # name -> the templates it names (parsed once)

    def __call__(self, name: str) -> str:
        found = self.keys.get(name)
        if found is None:
            names = self._closure((name, *self.always))
            h = hashlib.blake2b(digest_size=16)
            for each in sorted(names):
                h.update(f"{each}\0{len(self._source(each))}\0{self._source(each)}".encode("utf-8", "surrogatepass"))
            found = self.keys[name] = h.hexdigest()
        return found

    def _source(self, name: str) -> str:
        from jinja2 import TemplateNotFound

        found = self.sources.get(name)
        if found is None:
            try:
                found = self.env.loader.get_source(self.env, name)[0] if self.env.loader else ""
            except TemplateNotFound:
                found = ""  # rendering says which is missing
            self.sources[name] = found
        return found

    def _closure(self, names: tuple[str, ...]) -> set[str]:
        from jinja2 import TemplateSyntaxError, meta

        seen: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            found = self._refs.get(name)
            if found is None:
                try:
                    found = list(meta.find_referenced_templates(self.env.parse(self._source(name))))
                except TemplateSyntaxError:
                    found = []  # rendering says where
                self._refs[name] = found
            if None in found:
                return set(self.env.list_templates())
            todo.extend(ref for ref in found if ref is not None)
        return seen
