"""A paper page's meta description is made once per abstract, and a title's plain text once per
title, by the markup stage (cached with their HTML), not again by every page render, feed entry or
search fragment: they read math as Unicode and a stored one is checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from lxml import html

import generator.mathtext as mathtext
import generator.pages as pages
from generator.build import build, render_markup
from generator.cache import MarkupCache
from generator.cachecodec import key_kind, trusted_markup
from generator.content import load_file
from generator.mathtext import DESCRIPTION_LENGTH, description
from generator.model import Paper, utf8
from generator.record import RecordContext
from tests.conftest import make_site, record

ABSTRACT = "We bound the error by $\\mathcal{O}(n^2)$ and show **why** it matters. " + "More words here. " * 20


def meta_description(page: Path) -> str:
    found = html.fromstring(page.read_bytes()).xpath('//meta[@name="description"]/@content')
    assert len(found) == 1
    return str(found[0])


def test_the_page_description_comes_from_the_markup_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "site", [record("2512.00001", abstract=ABSTRACT)])
    monkeypatch.setattr(pages, "description", lambda text: pytest.fail("a render made the description again"))
    build(site, environ={}, jobs=1)
    shown = meta_description(site / "public" / "papers" / "2512.00001" / "index.html")
    assert shown == description(ABSTRACT)
    assert "𝒪(n²)" in shown and "$" not in shown and "**" not in shown
    assert len(shown) <= DESCRIPTION_LENGTH and shown.endswith("…")


def parsed() -> Paper:
    papers, problems = load_file(yaml.safe_dump(record(abstract=ABSTRACT)).encode(), "x.yaml", RecordContext("UTC"))
    assert not problems
    return papers[0]


def test_a_paper_without_markup_still_gets_its_description() -> None:
    paper = parsed()
    assert paper.description == ""
    assert pages._description(paper) == description(paper.abstract)
    assert render_markup([paper])[0].description == description(paper.abstract)


def test_a_stored_description_is_checked() -> None:
    good = MarkupCache(None)
    paper = parsed()
    made = render_markup([paper], good)[0]
    stored = good.new[MarkupCache.key("abstract", paper.abstract)]
    assert trusted_markup(stored) and stored[2] == utf8(made.description)  # type: ignore[index]
    html_part, plain, _ = stored  # type: ignore[misc]
    for forged in ("two  spaces", "x" * (DESCRIPTION_LENGTH + 1), " leading"):
        assert not trusted_markup((html_part, plain, utf8(forged))), forged



def test_a_title_is_made_plain_once_by_the_markup_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    title = "Sub-quadratic $\\mathcal{O}(n \\log n)$ attention"
    site = make_site(tmp_path / "site", [record("2512.00001", title=title)])
    made: list[str] = []
    plain = mathtext.plain_title.__wrapped__

    def counted(text: str) -> str:
        made.append(text)
        return plain(text)

    monkeypatch.setattr(mathtext, "plain_title", counted)
    build(site, environ={}, jobs=1)
    assert made == [title]  # not again for the page's <title>, the feeds or the search fragment
    out = site / "public"
    shown = html.fromstring((out / "papers" / "2512.00001" / "index.html").read_bytes()).findtext(".//title")
    assert shown.startswith("Sub-quadratic 𝒪(n log n) attention")
    assert "<title>Sub-quadratic 𝒪(n log n) attention</title>" in (out / "feed.xml").read_text()


def test_a_stored_plain_title_is_checked() -> None:
    good = MarkupCache(None)
    paper = parsed()
    made = render_markup([paper], good)[0]
    stored = good.new[MarkupCache.key("title", paper.title)]
    assert key_kind(stored) == b"t" and trusted_markup(stored)
    assert stored == (made.title_html_utf8, made.title_text_utf8)
    assert made.title_text == mathtext.plain_title(paper.title)
    for forged in ("two  spaces", " leading", "line\nbreak"):
        assert not trusted_markup((stored[0], utf8(forged))), forged
    assert mathtext.title_text(paper) == made.title_text  # a paper without its markup: made on the spot
