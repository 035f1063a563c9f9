"""The orchestrator: owns the stage order and nothing else.

config -> records (all problems collected, fail once) -> markup -> index ->
pages, feeds, sitemap, static -> writer. Only the loader, the theme and the
writer touch the disk; everything between is a function over values.

What makes a rebuild fast lives beside it: generator/cache.py keeps parsed
records and rendered markup between builds; the stages after the index only plan
(pages.py, feeds, api.py, search.py, sitemap.py: pure), and generator/incremental.py
alone decides which of those plans the last build already wrote as they would be now
(its ledger, generator/ledger.py) and makes the rest, on every core (generator/parallel.py).
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.cache import CACHE_DIR, MarkupCache, RecordCache, code_digest, digest, fragments_folder, spare_folder
from generator.config import CONFIG_NAME, SiteConfig, load_config
from generator.content import load_days, load_papers, record_files, record_parser
from generator.errors import ContentError, Problem, SourceLocation
from generator.ledger import Ledger
from generator.model import utf8
from generator.parallel import default_jobs, pmap, release_memory, settle, unsettled
from generator.progress import Progress
from generator.record import RecordContext, link_name_warnings
from generator.themes import static_dirs, template_dirs
from generator.timing import StageTimer
from generator.tree import tree_signature
from generator.weight import Weight, human_size, warnings, weigh

if TYPE_CHECKING:
    import jinja2

    from generator.cachecodec import MarkupValue
    from generator.days import DayMarker
    from generator.incremental import Incremental
    from generator.index_store import IndexStore
    from generator.indexes import SiteIndex
    from generator.model import OutputFile, Paper
    from generator.warm import WarmState

# Jinja, the index, Markdown, feedgen, Pagefind's wrapper, the renderer and the writer are
# imported where they are used: a no-change rebuild stops before needing any of them, and
# importing them would be a third of its time.


@dataclass(frozen=True)
class BuildReport:
    papers: int
    pages: int
    files: int
    changed: int
    removed: int
    seconds: float
    kept: int = 0  # pages and feeds not made again: the last build's were still right
    bytes: int = 0  # the whole site's size
    warnings: tuple[str, ...] = ()  # limits the site passes (generator/weight.py)
    deferred: int = 0  # search shards left stale (defer_search): the next build makes them

    def summary(self) -> str:
        papers = f"{self.papers} paper{'' if self.papers == 1 else 's'}"
        return (f"Built {papers} into {self.pages} pages ({self.files} files, {human_size(self.bytes)}, "
                f"{self.changed} changed, {self.removed} removed) in {self.seconds:.2f} s")


def _site_config(site_dir: Path, overrides: Mapping[str, Any] | None,
                 environ: Mapping[str, str] | None) -> SiteConfig:
    config = load_config(site_dir, overrides, environ)
    if not config.content_path.is_dir():
        raise ContentError([Problem(SourceLocation(CONFIG_NAME), "content_dir",
                                    f"folder {config.content_dir!r} not found in {site_dir}")])
    return config


def load_site(site_dir: Path, overrides: Mapping[str, Any] | None = None,
              environ: Mapping[str, str] | None = None) -> tuple[SiteConfig, list[Paper]]:
    """Config and validated papers (day markers validated too), or ContentError with every problem."""
    config, papers, _ = load_content(site_dir, overrides, environ)
    return config, papers


def load_content(site_dir: Path, overrides: Mapping[str, Any] | None = None,
                 environ: Mapping[str, str] | None = None) -> tuple[SiteConfig, list[Paper], dict[date, DayMarker]]:
    """Config, validated papers and day markers, or ContentError with every problem."""
    config = _site_config(site_dir, overrides, environ)
    files = record_files(site_dir, config.content_path)
    papers, problems = load_papers(site_dir, config.content_path, RecordContext(config.timezone), files=files)
    markers, marker_problems = load_days(site_dir, config.content_path, files)
    if problems or marker_problems:
        raise ContentError(problems + marker_problems)
    return config, papers, markers


def _markup(item: tuple[str, str]) -> MarkupValue:
    """A title's (HTML, plain text), or an abstract's (HTML, plain text, meta description), as
    UTF-8 (see model.Paper): in a worker, so the bytes are what comes back to the build."""
    from generator.markup import render_inline
    from generator.mathtext import abstract_forms, plain_title

    kind, text = item
    if kind == "title":
        return utf8(render_inline(text)), utf8(plain_title(text))
    html, plain, summary = abstract_forms(text)
    return utf8(html), utf8(plain), utf8(summary)


def render_markup(papers: list[Paper], cache: MarkupCache | None = None, jobs: int = 1,
                  progress: Progress | None = None) -> list[Paper]:
    """Titles and abstracts to safe HTML with MathML (and abstracts to plain text): each text
    rendered once, and only when the cache has not got it."""
    cache = cache or MarkupCache(None)
    keys = [(cache.key("title", p.title), cache.key("abstract", p.abstract)) for p in papers]
    cache.check((key for pair in keys for key in pair), jobs)
    missing: dict[bytes, tuple[str, str]] = {}
    for paper, (title, abstract) in zip(papers, keys, strict=True):
        if title not in missing and cache.get(title) is None:
            missing[title] = ("title", paper.title)
        if abstract not in missing and cache.get(abstract) is None:
            missing[abstract] = ("abstract", paper.abstract)
    progress = progress or Progress()
    for number, (key, html) in enumerate(zip(missing, pmap(_markup, list(missing.values()), jobs), strict=True), 1):
        progress.update("markup", number, len(missing))
        cache.put(key, html)
    new: dict[bytes, Any] = cache.new  # a title's key: (html, plain); an abstract's: (html, plain, description)
    return [dataclasses.replace(p, title_html_utf8=new[t][0], title_text_utf8=new[t][1], abstract_html_utf8=new[a][0],
                                abstract_text_utf8=new[a][1], description_utf8=new[a][2])
            for p, (t, a) in zip(papers, keys, strict=True)]


def index_key(config: SiteConfig, file_digests: Mapping[str, str]) -> str:
    """What the index is made from: the config, and every record file and day marker by its digest."""
    files = (f"{shown}\0{file_digest}" for shown, file_digest in sorted(file_digests.items()))
    return digest("\0".join([repr(config), *files]).encode("utf-8", "surrogatepass"))


def _site_index(papers: list[Paper], config: SiteConfig, markers: dict[date, DayMarker],
                warm: WarmState | None, store: IndexStore) -> SiteIndex:
    """The index, or the last build's when neither a record (nor a day marker) nor the config
    changed (a template or theme edit): kept in this process by `serve`, else in the cache."""
    if warm is not None and warm.index is not None and warm.index[0] == store.key:
        return warm.index[1]  # type: ignore[no-any-return]
    index = store.load(papers)
    if index is None:
        from generator.indexes import build_index

        index = build_index(papers, config, markers)
        store.made(index)
    if warm is not None:
        warm.index = (store.key, index)
    return index


def site_salt(config: SiteConfig) -> str:
    """What every page depends on besides the records and its templates (which its key holds:
    depends.TemplateKeys): code, config, static files."""
    site = config.site_dir
    static = tree_signature(static_dirs(site, config.theme), site)
    settings = dataclasses.replace(config, site_dir=Path("."))  # a moved site keeps its cache
    return digest(f"{code_digest()}\0{settings!r}\0{static}".encode())


def site_files(config: SiteConfig, index: SiteIndex, env: jinja2.Environment, layer: Incremental,
               timer: StageTimer, fragments: Path | None = None,
               store: IndexStore | None = None) -> Iterator[OutputFile]:
    """Every output file of the site, in a fixed order, made as the writer asks for them: the
    stages plan (pure), the incremental layer keeps or makes. `fragments`: where the search
    shards' fragments stay between builds (in the cache), or None. `store`: the index's, which
    knows the search shards' keys when the index is the one they were planned with."""
    from generator.api import build_api
    from generator.feeds import build_feeds, feed_links
    from generator.pagefind_run import Indexer, search_scratch
    from generator.pages import days_json, plan_pages
    from generator.render import PageContext
    from generator.search import plan_search
    from generator.sitemap import build_sitemap
    from generator.themes import static_files
    from generator.urls import Urls

    urls = Urls(config.base_url, config.feeds.id_base)
    ctx = PageContext(config, urls, index, env, feed_links=feed_links(index, config, urls))
    with timer.stage("plan"):
        pages = plan_pages(ctx)
    indexer = Indexer(search_scratch(config.output_path), fragments)
    try:
        with timer.stage("search"):  # started first: Pagefind runs while the pages are made
            known = store.search_keys(indexer.tool) if store is not None else None
            plans = list(plan_search(index, urls, indexer.start, indexer.tool, ctx.shards, config.language, known))
            if store is not None:
                store.planned_search(indexer.tool, {shard.number: plan.key for shard, plan in zip(ctx.shards, plans,
                                                                                                  strict=True)})
            search = layer.groups(plans)
            release_memory()  # the fragments are on disk: their memory, before the render workers fork
        yield from timer.timed("render", layer.pages(ctx, pages))
        yield from layer.files([days_json(index, urls)])
        yield from timer.timed("feeds", layer.files(build_feeds(index, config, urls)))
        yield from timer.timed("api", layer.files(build_api(index, urls, config.api)))
        yield from timer.timed("search", search)
    finally:
        indexer.close()
    yield from layer.files(build_sitemap(layer.page_paths, index, urls))
    yield from static_files(config.site_dir, config.theme)


@unsettled
def build(site_dir: Path, overrides: Mapping[str, Any] | None = None, clean: bool = False,
          environ: Mapping[str, str] | None = None, jobs: int | None = None,
          progress: Progress | None = None, timer: StageTimer | None = None,
          output_cache: Path | None = None, warm: WarmState | None = None,
          defer_search: bool = False) -> BuildReport:
    """Build the site in site_dir; raise ContentError or BuildError and write nothing on failure.

    clean=True ignores the cache and the previous output (every file is made and written
    afresh); jobs is the number of processes rendering (default: every core).
    output_cache is where what belongs to this one output folder is kept (its ledger and
    hard-link mirror; default: the site's cache): `serve` keeps them in its temp folder, so a
    session leaves no site copy behind. Parsed records and markup stay in the site's cache.
    warm (serve) keeps parsed records and markup in memory from one build to the next: a
    rebuild neither decodes nor re-checks them, and the cache files are written by warm.flush().
    defer_search (serve) keeps a changed search shard's last index, stale, so the pages show
    sooner; the report counts such shards in `deferred`, and the next build makes them.
    """
    started = time.perf_counter()
    timer = timer or StageTimer(per_item=False)
    progress = progress or Progress()
    jobs = jobs or default_jobs()
    with timer.stage("config"):
        config = _site_config(site_dir, overrides, environ)
        cache_dir = site_dir / CACHE_DIR
        output_cache = output_cache or cache_dir
    from generator.writer import recover_output, restore_output, write_site

    with timer.stage("check"):
        # A build killed between the two renames of a swap without renameat2 left the
        # previous site beside the output: put back first, so it is the previous output.
        recover_output(config.output_path)
        # No output folder but the cache's mirror of the last site (a fresh CI checkout):
        # that is the previous output, checked below like any other.
        mirror = spare_folder(output_cache, str(config.output_dir), make=False)
        if not clean and mirror is not None:
            restore_output(config.output_path, mirror)
        # Nothing changed and the output is as the last build left it: done, without
        # reading a record (the cache knows each file's digest by its size and mtime,
        # or by its bytes after a fresh checkout).
        records = RecordCache(cache_dir, RecordContext(config.timezone), fresh=clean, warm=warm)
        files = record_files(site_dir, config.content_path)
        records.scan(files)
        salt = site_salt(config)
        ledger = Ledger(output_cache, salt, config.output_path, str(config.output_dir), fresh=clean)
        templates = tree_signature(template_dirs(config.site_dir, config.theme), config.site_dir)
        inputs = digest("\0".join([salt, templates, *sorted(records.file_digests.values())]).encode())
        if ledger.unchanged(inputs):
            records.save()  # new stats (a fresh checkout): the next check reads nothing
            ledger.restamp()
            old = ledger.old_report
            weight = Weight(old.get("bytes", 0), old.get("files", 0), old.get("largest_page", ""),
                            old.get("largest_page_bytes", 0), old.get("pages_over_limit", 0))
            return BuildReport(old.get("papers", 0), old.get("pages", 0), old.get("files", 0), 0, 0,
                               time.perf_counter() - started, len(ledger.old_keys), weight.bytes,
                               tuple(old.get("record_warnings", ())) + warnings(weight, config.limits))
    with timer.stage("load"):
        records.parse_ahead(record_parser(RecordContext(config.timezone)), jobs)
        papers, problems = load_papers(site_dir, config.content_path, RecordContext(config.timezone),
                                       read=records.load, files=files)
        markers, marker_problems = load_days(site_dir, config.content_path, files)
        problems += marker_problems
        if problems:
            raise ContentError(problems)
        records.save()
        records.release()  # the papers are in `papers` now (a WarmState keeps its own reference)
        settle()
        record_warnings = link_name_warnings(papers)
    with timer.stage("markup"):
        markup = MarkupCache(cache_dir, fresh=clean, warm=warm)
        papers = render_markup(papers, markup, jobs, progress)
        markup.save()
        del markup  # the HTML is in the papers; stale entries go
        settle()
        release_memory()  # before the render workers fork
    with timer.stage("index"):
        from generator.index_store import IndexStore

        store = IndexStore(cache_dir, index_key(config, records.file_digests), fresh=clean, warm=warm)
        index = _site_index(papers, config, markers, warm, store)
        from generator.depends import Fingerprints, TemplateKeys
        from generator.indexes import Period, Term
        from generator.render import FeedLink
        from generator.themes import make_environment
        from generator.views import NamedLink

        env = make_environment(config.site_dir, config.theme)
        fingerprints = Fingerprints(records.paper_digests, shared=(Period, Term, NamedLink, FeedLink))
        settle()
    from generator.incremental import Incremental

    layer = Incremental(ledger, fingerprints, index, TemplateKeys(env), jobs, progress, defer_groups=defer_search)
    with timer.stage("write"):
        fragments = fragments_folder(output_cache, str(config.output_dir))
        if clean and fragments is not None:
            shutil.rmtree(fragments, ignore_errors=True)
        report = write_site(site_files(config, index, env, layer, timer, fragments, store), config.output_path,
                            reuse=not clean, spare=spare_folder(output_cache, str(config.output_dir)),
                            known=layer.known_digest, previous=ledger.output_tree())
    outcome = layer.outcome()
    pages, kept = outcome.pages, outcome.kept
    release_memory()  # the pages are written: their memory, before the ledger is encoded
    with timer.stage("save"):
        store.save(index)
        manifest = layer.manifest(report)
        weight = weigh({path: entry[0] for path, entry in manifest.items()}, config.limits)
        # The warnings are kept with the report: a build that changes nothing still prints them.
        # A build that left shards stale is not the site its inputs make: the next one must not stop early.
        layer.save(inputs if not layer.deferred else "",
                   {"papers": len(papers), "pages": pages, "record_warnings": list(record_warnings),
                    **weight.as_dict()}, manifest)
    if warm is not None:
        from generator.preview import Basis

        warm.basis = Basis(config, index, env)
    progress.close()
    return BuildReport(len(papers), pages, report.files, report.changed, report.removed,
                       time.perf_counter() - started, kept, weight.bytes,
                       record_warnings + warnings(weight, config.limits), layer.deferred)
