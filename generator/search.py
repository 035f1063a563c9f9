"""The search index: Pagefind over one small HTML fragment per paper, in shards.

Pagefind (PyPI `pagefind[bin]`, a Rust binary) has no incremental mode, and its
time and memory grow with the pages it reads (~1.7 ms and ~150 KB a paper: a
10,000-paper site took 17 s and 1.5 GB in one run). So the papers are cut, in
date order and whole days at a time, into shards of about SHARD_PAPERS, each its
own Pagefind bundle under pagefind/<n>/; the search page loads the first and
merges the others (Pagefind's multisite `mergeIndex`). A shard is re-indexed only
when the fragments of its papers changed: new papers land in the last shard, an
edit re-indexes one shard, an upvote (not searchable) none. A cold build runs
Pagefind once per shard, one after the other, so memory stays that of one shard.

The fragments are made from the paper data, not read back from the built pages:
title (Pagefind's `title` meta), authors and date (meta for the result line),
abstract, every author and organisation name, and the tags. Pagefind's output is
byte-identical for identical input, so a kept shard is exactly a cold build's.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from generator.cache import code_digest
from generator.depends import Ledger
from generator.errors import BuildError
from generator.indexes import TAXONOMIES, SiteIndex, term_names
from generator.mathtext import plain_title
from generator.model import OutputFile, Paper
from generator.pagefind_order import order_bundle
from generator.tree import file_entries
from generator.urls import SEARCH_FILTERS, Urls
from generator.views import byline, human_date

#: A shard closes at the end of the day on which it reaches this many papers.
SHARD_PAPERS = 2000
#: The file that says an index is complete (Pagefind's own entry point, fetched first).
ENTRY = "pagefind-entry.json"
#: Pagefind's ready-made UIs: the default theme has its own, on top of pagefind.js.
UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")
TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Shard:
    """Papers indexed together: whole days, in date order."""

    number: int
    papers: tuple[Paper, ...]


def shard_papers(index: SiteIndex, size: int | None = None) -> list[Shard]:
    """The papers cut into shards of about `size` (whole days; the last shard is the open one)."""
    size = size or SHARD_PAPERS
    shards: list[Shard] = []
    current: list[Paper] = []
    for day in sorted(index.days, key=lambda period: period.start):
        current.extend(sorted(day.papers, key=lambda paper: paper.key))
        if len(current) >= size:
            shards.append(Shard(len(shards) + 1, tuple(current)))
            current = []
    if current:
        shards.append(Shard(len(shards) + 1, tuple(current)))
    return shards


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
            f'<p data-pagefind-ignore data-pagefind-meta="title">{e(plain_title(paper.title))}</p>'
            f'<p data-pagefind-ignore data-pagefind-meta="authors">{e(by)}</p>'
            f'<p data-pagefind-ignore data-pagefind-meta="date">{e(human_date(paper.date))}</p>'
            f'<p data-pagefind-ignore data-pagefind-sort="date">{paper.date.isoformat()}</p>'
            f'<div data-pagefind-ignore>{facets}</div>'
            f'<div>{paper.abstract_html}</div><p>{e(", ".join(names))}</p><ul>{tags}</ul>'
            f'</main></body></html>').encode()


def pagefind_executable() -> str:
    """The Pagefind binary from the `pagefind[bin]` package (or PAGEFIND_BINARY_PATH)."""
    try:
        from pagefind.service import get_executable
        found = get_executable()
    except (ImportError, FileNotFoundError):
        found = None
    if found is None or not Path(found).is_file():
        raise BuildError("the search index needs Pagefind: pip install 'pagefind[bin]'")
    return str(found)


def _pagefind_version() -> str:
    versions = []
    for name in ("pagefind", "pagefind_bin", "pagefind-bin"):
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return ",".join(versions) + f";{os.environ.get('PAGEFIND_BINARY_PATH', '')}"


def _run_pagefind(site: Path, bundle: Path) -> None:
    command = [pagefind_executable(), "--site", str(site), "--output-path", str(bundle), "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                                check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"search index: could not run Pagefind: {exc}") from None
    if result.returncode != 0 or not (bundle / ENTRY).is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BuildError("search index: Pagefind failed" + (f": {detail[-1]}" if detail else ""))


def _read_bundle(folder: Path, prefix: str) -> Iterator[OutputFile]:
    for rel, entry in file_entries(folder):
        if not entry.name.startswith(UNUSED):
            yield OutputFile(prefix + rel, (folder / rel).read_bytes())


def _index_shard(scratch: Path, fragments: dict[str, bytes], prefix: str) -> list[OutputFile]:
    """Pagefind over one shard's fragments, laid out as the pages are (so results link to them)."""
    shutil.rmtree(scratch, ignore_errors=True)
    pages = scratch / "pages"
    for path, body in fragments.items():
        target = pages / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    try:
        _run_pagefind(pages, scratch / "bundle")
        order_bundle(scratch / "bundle")  # Pagefind writes filters in a random order
        return list(_read_bundle(scratch / "bundle", prefix))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def search_scratch(output_dir: Path) -> Path:
    """The private folder Pagefind works in: one fixed hidden name beside the output (used under
    the site lock; random names would pile up after killed builds)."""
    return output_dir.with_name(f".{output_dir.name}.pagefind")


def _searchable(paper: Paper, filters: Filters) -> str:
    """Every field a fragment is made from (not upvotes, links or thumbnails: an upvote re-indexes
    nothing). The HTML follows from the text and the code, both in the shard's key."""
    authors = "\x1e".join(author.name for author in paper.authors)
    facets = "\x1e".join(f"{name}={value}" for name, values in filters for value in values)
    return "\x1f".join([paper.id.full, paper.title, paper.abstract, paper.date.isoformat(), authors,
                        str(paper.author_count), paper.organization, "\x1e".join(paper.tags), facets])


def _shard_key(shard: Shard, filters: list[Filters], salt: str) -> str:
    """What a shard's index is made from: its papers' searchable fields, and in `salt` the language, paperfeed's
    code and Pagefind's version. Not the theme or the rest of the config, so a template edit
    re-indexes nothing, and an unchanged shard is known without making its fragments."""
    h = hashlib.blake2b(salt.encode(), digest_size=16)
    for paper, facets in zip(shard.papers, filters, strict=True):
        h.update(b"\0" + _searchable(paper, facets).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def search_files(index: SiteIndex, urls: Urls, scratch: Path, ledger: Ledger, shards: list[Shard] | None = None,
                 language: str = "en") -> Iterator[OutputFile]:
    """Every shard's bundle: kept from the last build when none of its papers' searchable fields
    changed. `scratch` is a private folder (cleared first: a killed build may have left it behind).
    """
    shutil.rmtree(scratch, ignore_errors=True)
    salt = f"{code_digest()}\0{_pagefind_version()}\0{language}"  # the same for every shard: made once
    for shard in shard_papers(index) if shards is None else shards:
        filters = [paper_filters(index, paper) for paper in shard.papers]
        key, prefix = _shard_key(shard, filters, salt), urls.search_shard(shard.number)
        kept = ledger.keep_group(prefix, key)
        if kept is not None:
            yield from (OutputFile.keep(path) for path in kept)
            continue
        fragments = {urls.output_path(urls.paper(paper.id)): fragment(paper, language, facets)
                     for paper, facets in zip(shard.papers, filters, strict=True)}
        files = _index_shard(scratch, fragments, prefix)
        ledger.made_group(prefix, key, [file.path for file in files])
        yield from files
