"""The incremental layer: stages plan, this layer alone decides keep-or-make, the writer writes.

The stages are pure functions of the index (and config, urls, templates): they return
*plans*, not files, and know nothing of the last build:

    PagePlan(template, path, values)   a page (generator/pages.py): rendered by the Renderer
    PageGroup(name, inputs, plans)     pages made from a few values (a paper's page, a term's):
                                       planned only when those values changed
    FilePlan(path, inputs, make)       a feed, an API file, the sitemap: make() gives its bytes
    GroupPlan(prefix, key, make)       a search shard: make() runs Pagefind over its papers

This layer keys each plan (generator/depends.py), asks the ledger (generator/ledger.py)
whether the last build's file is still right, and hands the writer one stream of
OutputFile: a kept file as OutputFile.keep(path), the others made (pages on every core).
It then saves the ledger, and tells build what it needs (`Outcome`).

Page planning does work in proportion to a change: a page's key holds its papers by their
*view digest*, which the ViewBook makes from a paper's record digest and the link state of
each of its terms (slug, name, has a page), the only inputs of a view besides the salt, or
takes from the last build when both are unchanged: no view is made to key a page. Templates
receive PaperRefs (paper keys), made into views only for the pages rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from hashlib import blake2b
from typing import Any, Protocol

from generator.depends import Fingerprints
from generator.indexes import TAXONOMIES, SiteIndex, term_names
from generator.ledger import Ledger, Manifest
from generator.model import OutputFile, Paper
from generator.parallel import pmap
from generator.progress import Progress
from generator.writer import WriteReport


@dataclass(frozen=True)
class PagePlan:
    """A page to keep or render: its template, output path and own values (the site-wide values
    are added by the Renderer, and keyed once for every page)."""

    template: str
    path: str
    values: dict[str, Any]


@dataclass(frozen=True)
class PageGroup:
    """Pages made from the same few values (a paper's page, a term's pages): when `inputs` (hashed
    with the site-wide values and the `templates` its pages use) are the last build's and its
    pages are intact, the group is kept whole without planning its pages; else plans() gives
    them, each kept or rendered alone. A group of one page (a paper's) keys it by the group's
    key: its values are made from the group's inputs alone, so hashing them again would say
    nothing new (it was 0.8 s of a paper.html edit at 10,000 papers)."""

    name: str
    inputs: tuple[Any, ...]
    plans: Callable[[], list[PagePlan]]
    templates: tuple[str, ...]


@dataclass(frozen=True)
class FilePlan:
    """A file to keep or make: `inputs` are what make() depends on besides the salt (code, config,
    theme); None means it is always made (cheaper to make than to track)."""

    path: str
    inputs: tuple[Any, ...] | None
    make: Callable[[], bytes]


@dataclass(frozen=True)
class GroupPlan:
    """Files made together by one tool run (a search shard's bundle under `prefix`): kept all
    together when `key` (made by the stage, independent of the salt) is the last build's.
    `start` begins making them (the tool may run in the background) and gives what waits for
    the files."""

    prefix: str
    key: str
    start: Callable[[], Callable[[], list[OutputFile]]]


#: Pages decided, then rendered and written, at a time: what is held for them (their plans, the paper
#: views and cards they need) is a batch's, not the site's. 10,000 papers (17,600 pages) are one batch;
#: at 100,000 papers (175,000 pages) the views and cards shared by batches are made again in each.
BATCH_PAGES = 24_000

#: A group as Incremental.groups decided it: the kept files' paths, or (prefix, key, what waits for its files).
_Decided = list[str] | tuple[str, str, Callable[[], list[OutputFile]]]


class Renderer(Protocol):
    """What renders pages (generator/render.py's PageContext)."""

    def site_values(self) -> dict[str, Any]: ...

    def prepare(self, pages: list[PagePlan], jobs: int) -> None: ...

    def render(self, page: PagePlan) -> OutputFile: ...

    def forget(self) -> None: ...

    def done(self) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """What build needs of the layer after the write."""

    pages: int  # pages planned (HTML made from templates)
    kept: int  # files kept from the last build: pages, feeds, shards' files
    keys: Mapping[str, str]  # output path -> key, of every file keyed this build


def term_states(index: SiteIndex) -> dict[str, dict[str, str]]:
    """taxonomy -> term key -> what a link to the term shows (its slug, name, whether it has a page)."""
    return {taxonomy: {term.key: f"{term.slug}\x1f{term.name}\x1f{int(term.has_page)}" for term in terms}
            for taxonomy, terms in index.taxonomies.items()}


class ViewBook:
    """Each paper's view digest. A view is made from nothing but its record, the link state of
    each of its terms (slug, name, has a page) and the code and config (in the ledger's salt), so
    its digest is made from the first two, without making the view (a cold build keys every list
    without a view held: views are made only for the pages rendered); the last build's is taken
    when both are unchanged."""

    def __init__(self, index: SiteIndex, ledger: Ledger, paper_digests: Mapping[str, str]) -> None:
        self.index = index
        self.terms = term_states(index)
        self.old = ledger.old_views
        self.records = paper_digests
        self.digests: dict[str, str] = {}
        self.suspect: set[str] = set()  # papers of a term whose link changed (or is new)
        by_key = {taxonomy: {term.key: term for term in terms} for taxonomy, terms in index.taxonomies.items()}
        for taxonomy, states in self.terms.items():
            old = ledger.old_terms.get(taxonomy, {})
            for key, state in states.items():
                if old.get(key) != state:
                    self.suspect.update(paper.key for paper in by_key[taxonomy][key].papers)
        self.made = 0  # digests made, not the last build's (for tests and profiles)

    def digest(self, key: str) -> str:
        found = self.digests.get(key)
        if found is None:
            old = self.old.get(key)
            if old is not None and key not in self.suspect and old[0] == self.records[key]:
                found = old[1]
            else:
                found = self._make(key)
                self.made += 1
            self.digests[key] = found
        return found

    def _make(self, key: str) -> str:
        paper = self._papers[key]
        index, terms = self.index, self.terms
        parts = [self.records[key]]
        for taxonomy in TAXONOMIES:
            states = terms[taxonomy]
            parts.append(taxonomy)
            for name in term_names(paper, taxonomy):
                term = index.term_of(taxonomy, name)
                parts.append(states[term.key] if term is not None else "")
        return blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    @cached_property
    def _papers(self) -> dict[str, Paper]:
        return {paper.key: paper for paper in self.index.papers}

    def state(self) -> dict[str, list[str]]:
        """paper key -> [record digest, view digest], for the next build."""
        return {key: [self.records[key], found] for key, found in self.digests.items()}


class Incremental:
    """Plans in, OutputFiles out: the one place that decides what the last build's output keeps."""

    def __init__(self, ledger: Ledger, fingerprints: Fingerprints, index: SiteIndex,
                 templates: Callable[[str], str], jobs: int = 1, progress: Progress | None = None,
                 defer_groups: bool = False) -> None:
        """templates(name): the digest of a page template and those it uses (depends.TemplateKeys).
        defer_groups (serve): a group whose key changed keeps the last build's files, stale,
        when it has them; `deferred` counts those, and the next build without it makes them."""
        self.ledger = ledger
        self.templates = templates
        self.defer_groups = defer_groups
        self.deferred = 0
        self.fingerprints = fingerprints
        self.index = index
        self.jobs = jobs
        self.progress = progress or Progress()
        self.book: ViewBook | None = None
        self.page_count = 0
        self.page_paths: list[str] = []

    def pages(self, renderer: Renderer, items: list[PagePlan | PageGroup]) -> Iterator[OutputFile]:
        """Every page: kept where its key (or its group's) is the last build's, the rest rendered
        on every core, BATCH_PAGES at a time. `page_paths` then lists every page."""
        prints = self.fingerprints
        self.book = book = ViewBook(self.index, self.ledger, prints.papers)
        prints.view_digest = book.digest
        site_key = prints.key(renderer.site_values())  # the same on every page: hashed once
        batch: list[PagePlan | OutputFile] = []
        for number, item in enumerate(items, 1):
            if isinstance(item, PageGroup):
                batch.extend(self._group(item, site_key))
            else:
                batch.append(self._page(item, site_key))
            if len(batch) >= BATCH_PAGES:
                yield from self._render(renderer, batch, len(items) - number)
                renderer.forget()
                batch = []
        yield from self._render(renderer, batch, 0)
        renderer.done()

    def _render(self, renderer: Renderer, decided: list[PagePlan | OutputFile], later: int) -> Iterator[OutputFile]:
        """The decided pages in order: the kept ones as they are, the rest rendered on every core.
        `later`: plans not decided yet (pages still to come, at least), for the progress line."""
        done = len(self.page_paths)
        self.page_paths.extend(item.path for item in decided)
        self.page_count += len(decided)
        pending = [item for item in decided if isinstance(item, PagePlan)]
        renderer.prepare(pending, self.jobs)
        # Small chunks: few pages' HTML in flight at once (it is written as soon as it is back).
        rendered = pmap(renderer.render, pending, self.jobs, chunk=16)
        total = self.page_count + later
        for number, item in enumerate(decided, done + 1):
            self.progress.update("pages", number, total)
            yield next(rendered) if isinstance(item, PagePlan) else item

    def _page(self, plan: PagePlan, site_key: str) -> PagePlan | OutputFile:
        key = self.fingerprints.key(site_key, self.templates(plan.template), plan.template, plan.values)
        kept = self.ledger.keep(plan.path, key)
        return OutputFile.keep(plan.path) if kept else plan

    def _group(self, group: PageGroup, site_key: str) -> list[PagePlan | OutputFile]:
        key = self.fingerprints.key(site_key, *map(self.templates, group.templates), *group.inputs)
        kept = self.ledger.keep_pages(group.name, key)
        if kept is not None:
            return [OutputFile.keep(path) for path in kept]
        plans = group.plans()
        strays = {plan.template for plan in plans} - set(group.templates)
        if strays:  # a group kept whole would not follow an edit of those templates
            raise ValueError(f"{group.name}: pages of {sorted(strays)}, not among the group's templates")
        if len(plans) == 1:  # a paper's page: made from the group's inputs alone, so keyed by them
            plan = plans[0]
            decided = [OutputFile.keep(plan.path) if self.ledger.keep(plan.path, key) else plan]
        else:
            decided = [self._page(plan, site_key) for plan in plans]
        self.ledger.made_pages(group.name, key, [item.path for item in decided])
        return decided

    def files(self, plans: Iterable[FilePlan]) -> Iterator[OutputFile]:
        """Each file kept or made; plans with the same `inputs` object (a feed's formats) are keyed once."""
        last: tuple[Any, str] | None = None
        for plan in plans:
            if plan.inputs is None:
                yield OutputFile(plan.path, plan.make())
                continue
            if last is None or last[0] is not plan.inputs:
                last = (plan.inputs, self.fingerprints.key(*plan.inputs))
            kept = self.ledger.keep(plan.path, last[1])
            yield OutputFile.keep(plan.path) if kept else OutputFile(plan.path, plan.make())

    def groups(self, plans: Iterable[GroupPlan]) -> Iterator[OutputFile]:
        """Each group's files: the last build's when its key is the same and they are intact.
        Decided, and the others started, when called (so their tool runs beside the pages'
        rendering); their files are waited for as the stream reaches them."""
        decided: list[_Decided] = []
        for plan in plans:
            kept = self.ledger.keep_group(plan.prefix, plan.key)
            if kept is None and self.defer_groups:
                kept = self.ledger.keep_stale_group(plan.prefix)
                self.deferred += kept is not None
            decided.append(kept if kept is not None else (plan.prefix, plan.key, plan.start()))
        return self._collect(decided)

    def _collect(self, decided: list[_Decided]) -> Iterator[OutputFile]:
        for item in decided:
            if isinstance(item, list):
                yield from (OutputFile.keep(path) for path in item)
                continue
            prefix, key, wait = item
            files = wait()
            self.ledger.made_group(prefix, key, [file.path for file in files])
            yield from files

    def known_digest(self, path: str) -> str | None:
        """The previous output's content digest at path, when that file is intact (for the writer)."""
        return self.ledger.known_digest(path)

    def outcome(self) -> Outcome:
        """What the layer decided (once the writer has drained the stream)."""
        return Outcome(self.page_count, len(self.ledger.kept), dict(self.ledger.keys))

    def manifest(self, report: WriteReport) -> Manifest:
        """The output as the writer left it (see Ledger.manifest)."""
        return self.ledger.manifest(report.paths, report.changed_paths, report.digests)

    def save(self, inputs: str, report: dict[str, Any], files: Manifest) -> None:
        """Persist the ledger: keys, files, and the view digests and term states planning starts from."""
        book = self.book
        self.ledger.save(inputs, report, files, book.state() if book else {},
                         book.terms if book else term_states(self.index))
