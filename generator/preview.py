"""`serve`'s quick page: a saved record's own page first, made from the last build's index.

A whole rebuild of a 10,000-paper site takes seconds (the index, the lists that show the
paper, the feeds, its search shard), while the reader is looking at the page of the record
they are editing. So, like Hugo's Fast Render Mode, `serve` first makes only the pages of the
saved records (each paper's own page) from the new records and the last good build's index,
writes them into the served folder and reloads the browser; the whole rebuild follows at once
and reloads it again, so the lists, the related papers, the feeds and the search catch up
within seconds.

What the quick page may show that the whole build will not: only what depends on other papers
or on the index, as the last build had it (a tag new to the site shows unlinked, the related
papers are the last build's). It is only tried when nothing but records changed, every saved
record parses and validates, and each of its papers was on the site already; anything else
(a new paper, a problem to report, a template or setting) waits for the whole build.

Why the whole build that follows is unaffected: a quick page replaces its file (a new inode:
the cache's hard-link mirror of the site keeps the old bytes), and only where its bytes differ
from the served ones. Its bytes differ only if the paper itself changed, and then the whole
build makes that page anew (its ledger key holds the paper's digest) instead of keeping it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.config import CONFIG_NAME, SiteConfig
from generator.content import SUFFIXES, load_papers
from generator.days import is_marker
from generator.files import write_atomic
from generator.record import RecordContext
from generator.urls import Urls

if TYPE_CHECKING:
    import jinja2

    from generator.indexes import SiteIndex
    from generator.model import Paper


@dataclass(frozen=True)
class Basis:
    """What the last good build in this process made its pages from."""

    config: SiteConfig
    index: SiteIndex
    env: jinja2.Environment


def record_names(config: SiteConfig, changed: frozenset[str]) -> list[str] | None:
    """The changed record files (not day markers) of the content folder, if nothing else that is
    still there changed; None if something did (the config, a template, a theme file). A name
    that is gone and names no record is left out: an editor's or `sed -i`'s temp file, written
    and renamed over the record within the same burst of events."""
    prefix = config.content_dir.strip("/") + "/"
    names = []
    for name in sorted(changed):
        record = (name != CONFIG_NAME and name.startswith(prefix) and name.lower().endswith(SUFFIXES)
                  and not is_marker(name.rsplit("/", 1)[-1]))
        if record:
            names.append(name)
        elif os.path.lexists(config.site_dir / name):
            return None
    return names


def quick_papers(basis: Basis, names: list[str]) -> list[Paper] | None:
    """The saved records' papers with their markup, if each file is there, valid, and every
    paper in it already on the site; else None (the whole build has something to say)."""
    from generator.build import render_markup

    config = basis.config
    site = config.site_dir
    files = [(str(site / name), name) for name in names]
    if not all(os.path.isfile(path) for path, _ in files):
        return None  # a record deleted or renamed
    papers, problems = load_papers(site, config.content_path, RecordContext(config.timezone), files=files)
    known = {paper.key for paper in basis.index.papers}
    if problems or not papers or any(paper.key not in known for paper in papers):
        return None
    return render_markup(papers)


def render_quick(basis: Basis, papers: list[Paper]) -> list[tuple[str, bytes]]:
    """Each paper's own page (site-relative output path, bytes), rendered with the paper as
    saved and everything else as the last build had it."""
    from generator.feeds import feed_links
    from generator.pages import paper_pages
    from generator.render import PageContext

    config, index = basis.config, basis.index
    urls = Urls(config.base_url, config.feeds.id_base)
    ctx = PageContext(config, urls, index, basis.env, feed_links=feed_links(index, config, urls))
    made = []
    for paper in papers:
        ctx.view(paper)  # the view by this key is the saved paper's, wherever the page asks for it
        made += [(plan.path, ctx.render(plan).data) for plan in paper_pages(ctx, paper)]
    return made


def write_quick(output_dir: Path, pages: list[tuple[str, bytes]]) -> list[str]:
    """Replace each page whose bytes changed (a new file, atomically); the paths written."""
    written = []
    for path, content in pages:
        target = output_dir / path
        try:
            if target.read_bytes() == content:
                continue
        except OSError:
            continue  # not served yet: the whole build makes it
        write_atomic(target, content)
        written.append(path)
    return written


def quick_pages(basis: Basis | None, changed: frozenset[str], output_dir: Path) -> list[str]:
    """serve's quick page for a burst of saves: the paths of the pages written into output_dir
    (none when the whole build must come first; see the module docstring)."""
    if basis is None:
        return []
    names = record_names(basis.config, changed)
    if not names:
        return []
    papers = quick_papers(basis, names)
    if papers is None:
        return []
    return write_quick(output_dir, render_quick(basis, papers))
