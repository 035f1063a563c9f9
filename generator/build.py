"""The orchestrator: owns the stage order and nothing else.

config -> records (all problems collected, fail once) -> markup -> index ->
pages, feeds, sitemap, static -> writer. Only the loader, the theme and the
writer touch the disk; everything between is a function over values.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator.config import CONFIG_NAME, SiteConfig, load_config
from generator.content import load_papers
from generator.errors import BuildError, ContentError, Problem, SourceLocation
from generator.feeds import build_feeds, feed_links
from generator.indexes import SiteIndex, build_index
from generator.markup import render_inline, render_markdown
from generator.model import OutputFile, Paper
from generator.record import RecordContext
from generator.render import PageContext, render_pages
from generator.search import search_index
from generator.sitemap import build_sitemap
from generator.themes import make_environment, static_files
from generator.urls import Urls
from generator.writer import write_site


@dataclass(frozen=True)
class BuildReport:
    papers: int
    pages: int
    files: int
    changed: int
    removed: int
    seconds: float

    def summary(self) -> str:
        papers = f"{self.papers} paper{'' if self.papers == 1 else 's'}"
        return (f"Built {papers} into {self.pages} pages ({self.files} files, "
                f"{self.changed} changed, {self.removed} removed) in {self.seconds:.2f} s")


def load_site(site_dir: Path, overrides: Mapping[str, Any] | None = None,
              environ: Mapping[str, str] | None = None) -> tuple[SiteConfig, list[Paper]]:
    """Config and validated papers, or ContentError with every problem."""
    config = load_config(site_dir, overrides, environ)
    if not config.content_path.is_dir():
        raise ContentError([Problem(SourceLocation(CONFIG_NAME), "content_dir",
                                    f"folder {config.content_dir!r} not found in {site_dir}")])
    papers, problems = load_papers(site_dir, config.content_path, RecordContext(config.timezone))
    if problems:
        raise ContentError(problems)
    return config, papers


def render_markup(papers: list[Paper]) -> list[Paper]:
    """Titles and abstracts to safe HTML with MathML, once per paper."""
    return [dataclasses.replace(p, title_html=render_inline(p.title),
                                abstract_html=render_markdown(p.abstract)) for p in papers]


def site_files(config: SiteConfig, index: SiteIndex, env: jinja2.Environment) -> list[OutputFile]:
    """Every output file of the site, in a fixed order."""
    urls = Urls(config.base_url, config.feeds.id_base)
    ctx = PageContext(config, urls, index, env, feed_links=feed_links(index, config, urls))
    pages = list(render_pages(ctx))
    files = pages + build_feeds(index, config, urls) + build_sitemap([f.path for f in pages], index, urls)
    return files + static_files(config.site_dir, config.theme)


def build(site_dir: Path, overrides: Mapping[str, Any] | None = None, clean: bool = False,
          environ: Mapping[str, str] | None = None) -> BuildReport:
    """Build the site in site_dir; raise ContentError or BuildError and write nothing on failure."""
    started = time.perf_counter()
    config, papers = load_site(site_dir, overrides, environ)
    index = build_index(render_markup(papers), config)
    env = make_environment(config.site_dir, config.theme)
    try:
        files = site_files(config, index, env)
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(f"{exc.filename or exc.name}:{exc.lineno}: template error: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise BuildError(f"template error: {exc}") from None
    # The search index reads the finished HTML, so it is made from the staged site
    # just before the swap (and reused as it is when no HTML changed).
    index_search = functools.partial(search_index, Urls(config.base_url))
    report = write_site(files, config.output_path, reuse=not clean, finalize=index_search)
    pages = sum(1 for f in files if f.path.endswith(".html"))
    return BuildReport(len(papers), pages, report.files, report.changed, report.removed,
                       time.perf_counter() - started)
