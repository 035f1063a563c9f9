"""A paper page's meta description is made once per abstract, by the markup stage (cached with its
HTML), not again by every page render: it reads math as Unicode and a stored one is checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from lxml import html

import generator.pages as pages
from generator.build import build, render_markup
from generator.cache import MarkupCache
from generator.cachecodec import trusted_markup
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

