"""What keeps a 10,000-paper build under its memory target (peak RSS <= 300 MB, issue 14).

Not a measure of memory (too slow and too noisy for the fast tier): these check the forms that
keep it small. A str holding one character beyond U+FFFF (MathML's 𝒪, 𝑥 …) takes 4 bytes a
character (PEP 393), so the rendered markup, held for the whole build, is kept as UTF-8 bytes in
the papers, the markup cache and never copied into the views; and the cards, held until every
page is rendered, are kept without the abstract the paper holds already.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.build import load_content, render_markup
from generator.cache import MarkupCache
from generator.indexes import build_index
from generator.model import Paper
from generator.render import PageContext, pack, unpack
from generator.themes import make_environment
from generator.urls import Urls
from tests.conftest import make_site, record

MATH_TITLE = r"Fast $\mathcal{O}(n)$ attention"
MATH_ABSTRACT = (r"We show that $\mathcal{O}(n \log n)$ steps suffice for $x \in \mathbb{R}^d$, "
                 "with **bold** claims and a [link](https://example.org/x). " * 3)


def _wide(value: Any) -> bool:
    return isinstance(value, str) and any(ord(char) > 0xFFFF for char in value)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    records = [record("2512.00001", title=MATH_TITLE, abstract=MATH_ABSTRACT, tags=["agents"]),
               record("2512.00002", title="Plain title", abstract="Short.", tags=["agents"])]
    return make_site(tmp_path_factory.mktemp("memory") / "site", records)


@pytest.fixture(scope="module")
def rendered(site: Path) -> tuple[list[Paper], MarkupCache]:
    _, papers, _ = load_content(site, environ={})
    cache = MarkupCache(None)
    return render_markup(papers, cache), cache


def test_markup_is_held_as_utf8_bytes(rendered: tuple[list[Paper], MarkupCache]) -> None:
    papers, cache = rendered
    paper = papers[0]
    assert _wide(paper.title_html) and _wide(paper.abstract_html)  # the math the test is about
    assert not [name for name, value in vars(paper).items() if _wide(value)]
    assert type(paper.title_html_utf8) is bytes and type(paper.abstract_html_utf8) is bytes
    assert paper.abstract_html_utf8.decode() == paper.abstract_html and r"\mathcal{O}" in paper.abstract_text
    for value in cache.new.values():
        assert type(value) is tuple and all(type(part) is bytes for part in value)


def test_markup_cache_round_trip_gives_bytes(rendered: tuple[list[Paper], MarkupCache], tmp_path: Path) -> None:
    _, made = rendered
    cache = MarkupCache(tmp_path / "cache")
    for key, value in made.new.items():
        cache.put(key, value)
    cache.save()
    stored = MarkupCache(tmp_path / "cache")
    assert stored.old == made.new
    stored.check(made.new)
    assert all(stored.get(key) == value for key, value in made.new.items())


def test_views_and_cards_hold_no_copy_of_the_markup(site: Path, rendered: tuple[list[Paper], MarkupCache]) -> None:
    papers, _ = rendered
    config, _, markers = load_content(site, environ={})
    index = build_index(papers, config, markers)
    ctx = PageContext(config, Urls(config.base_url, config.feeds.id_base), index,
                      make_environment(site, config.theme))
    paper = next(p for p in index.papers if p.key == "2512.00001")
    view = ctx.view(paper)
    assert not [name for name, value in vars(view).items() if _wide(value)]
    assert view.title_html == paper.title_html and view.abstract_html == paper.abstract_html
    card = ctx.card_html(view)
    assert paper.abstract_html in card
    kept = ctx.cards[paper.key]
    assert isinstance(kept, tuple) and paper.abstract_html_utf8 not in b"".join(kept)
    assert ctx.card_html(view) == card  # made again from what is kept: the same HTML


def test_pack_gives_back_the_same_bytes() -> None:
    abstract = "<p>𝒪(n) ".encode() + b"x" * 100 + b"</p>"
    for html in (b"<li>" + abstract + b"</li>", abstract, b"<li>" + abstract + b"<p>again</p>" + abstract,
                 b"<li>no abstract</li>", b""):
        assert unpack(pack(html, abstract), abstract) == html
    assert pack(b"<li>" + abstract + b"</li>", abstract) == (b"<li>", b"</li>")
    assert pack(b"<li><p>a</p></li>", b"<p>a</p>") == b"<li><p>a</p></li>"  # too short to cut out


def test_the_c_library_is_looked_up_once() -> None:
    """renameat2, prctl in every worker and malloc_trim share one lookup (find_library runs ldconfig)."""
    from generator.libc import libc
    from generator.parallel import release_memory

    assert libc() is libc()
    release_memory()  # glibc here: trims; elsewhere nothing, never an error
    assert libc.cache_info().misses <= 1


def test_a_cold_load_parses_on_every_core_and_shares_authors(tmp_path: Path) -> None:
    """A cold build parses its records on every core, letting each file's bytes go once it is
    parsed; what comes back is each file's stored form, decoded here: the same papers a one-core
    parse gives (problems too), with an author of many papers one object, not one per paper as
    unpickled objects would be."""
    from generator.build import _site_config
    from generator.cache import CACHE_DIR, RecordCache
    from generator.content import load_papers, record_files, record_parser
    from generator.record import RecordContext

    records = [record(f"2512.{n:05d}", authors=["Ada Lovelace", f"Author {n}"], tags=["agents"],
                      extra={"venue": "X", "n": [n, None]}) for n in range(260)]
    records.append({"id": "2512.99999", "title": "No abstract"})  # a problem, not a paper
    site = make_site(tmp_path / "site", records)
    config = _site_config(site, None, None)
    loaded = {}
    for jobs in (1, 2):
        cache = RecordCache(site / CACHE_DIR, RecordContext(config.timezone), fresh=True)
        files = record_files(site, config.content_path)
        cache.scan(files)
        cache.parse_ahead(record_parser(RecordContext(config.timezone)), jobs)
        assert len(cache._ahead) == (len(records) if jobs == 2 else 0)
        assert len(cache._data) == (0 if jobs == 2 else len(records))  # parsed: the bytes went as they were
        loaded[jobs] = load_papers(site, config.content_path, RecordContext(config.timezone),
                                   read=cache.load, files=files)
        assert not cache._ahead  # every file parsed ahead was taken
    assert loaded[2] == loaded[1] and len(loaded[2][0]) == 260 and loaded[2][1]
    adas = {id(paper.authors[0]) for paper in loaded[2][0]}
    assert len(adas) == 1


def test_what_a_build_keeps_from_the_cycle_collector_goes_back_to_it(tmp_path: Path) -> None:
    """A build takes what lives through it out of the collector's full passes (gc.freeze), and
    gives it back when it ends, failed or not, with the collector's settings as they were:
    serve builds again and again in one process."""
    import gc

    import generator.build as build_module
    from generator.errors import BuildError

    frozen: list[int] = []
    real = build_module.settle

    def settle() -> None:
        real()
        frozen.append(gc.get_freeze_count())

    site = make_site(tmp_path / "site", [record("2512.00001"), record("2512.00002", tags=["agents"])])
    try:
        build_module.settle = settle
        thresholds = gc.get_threshold()
        build_module.build(site, environ={})
        assert frozen and min(frozen) > 0 and gc.get_freeze_count() == 0
        assert gc.get_threshold() == thresholds  # the build's setting of the collector is undone
        frozen.clear()
        (site / "templates").mkdir()
        (site / "templates" / "paper.html").write_text("{{ 1 / 0 }}", encoding="utf-8")  # fails rendering
        with pytest.raises(BuildError):
            build_module.build(site, environ={})
        assert frozen and gc.get_freeze_count() == 0
    finally:
        build_module.settle = real
        gc.unfreeze()
