"""A paper's view digest is made from its record digest and its terms' link states, never from
a view: a page can be keyed without the views of its papers (generator/incremental.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import generator.render as render
import generator.views as views
from generator.build import load_site
from generator.incremental import ViewBook
from generator.indexes import build_index
from generator.ledger import Ledger
from tests.conftest import make_site, record

CONFIG = {"title": "Test", "tags": {"min_papers": 2}}


def _book(tmp_path: Path, records: list[dict[str, Any]], digests: dict[str, str] | None = None) -> ViewBook:
    site = make_site(tmp_path, records, CONFIG)
    config, papers = load_site(site)
    index = build_index(papers, config)
    ledger = Ledger(None, "salt", site / "public", "public", fresh=True)
    return ViewBook(index, ledger, digests or {paper.key: f"record of {paper.key}" for paper in papers})


def _digests(book: ViewBook) -> dict[str, str]:
    return {paper.key: book.digest(paper.key) for paper in book.index.papers}


RECORDS = [record("2512.00001", tags=["graphs"], authors=["Ada Lovelace"]),
           record("2512.00002", tags=["graphs", "optics"], authors=["Alan Turing"]),
           record("2512.00003", tags=["optics"], authors=["Grace Hopper"])]


def test_a_digest_is_made_without_a_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_view(*args: object) -> None:
        raise AssertionError("a view was made to key a page")

    monkeypatch.setattr(views, "paper_view", no_view)
    monkeypatch.setattr(render, "paper_view", no_view)
    book = _book(tmp_path / "a", RECORDS)
    made = _digests(book)
    assert len(set(made.values())) == 3 and book.made == 3
    assert _digests(_book(tmp_path / "b", RECORDS)) == made  # the same inputs, the same digests


def test_a_digest_follows_its_record_and_its_terms_link_states(tmp_path: Path) -> None:
    before = _digests(_book(tmp_path / "a", RECORDS))
    # Another record digest: that paper's digest alone changes.
    edited = _digests(_book(tmp_path / "b", RECORDS, {"2512.00001": "edited", "2512.00002": "record of 2512.00002",
                                                      "2512.00003": "record of 2512.00003"}))
    assert {key for key in before if before[key] != edited[key]} == {"2512.00001"}
    # "optics" gets a third paper: no link state changes (it had a page with two).
    more = RECORDS + [record("2512.00004", tags=["optics"], authors=["Mary Jackson"])]
    grown = _digests(_book(tmp_path / "c", more))
    assert all(grown[key] == before[key] for key in before)
    # "graphs" loses its page (one paper left): the papers tagged with it change, the other does not.
    fewer = [RECORDS[0], record("2512.00002", tags=["optics"], authors=["Alan Turing"]), RECORDS[2]]
    shrunk = _digests(_book(tmp_path / "d", fewer, {key: f"record of {key}" for key in before}))
    assert shrunk["2512.00001"] != before["2512.00001"]
    assert shrunk["2512.00003"] == before["2512.00003"]
