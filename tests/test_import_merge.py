"""Merging a re-imported record into the user's file: what is kept, what is updated, byte for byte."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from generator.importers.merge import merge_record
from generator.importers.store import ContentStore
from generator.record import RecordContext
from tests.conftest import make_site

INCOMING = {"id": "2512.00001", "title": "New Title", "authors": ["Ada Lovelace"],
            "abstract": "Fresh abstract.", "published": dt.date(2025, 12, 1), "date": dt.date(2025, 12, 8),
            "upvotes": 7, "tags": ["from-source"], "links": {"code": "https://github.com/new/new"}}


def put(site: Path, record: dict) -> tuple[ContentStore, list]:
    store, problems = ContentStore.load(site, site / "content", RecordContext())
    assert problems == []
    change, issues = store.put(record)
    assert issues == []
    assert store.validate() == []
    store.commit()
    return store, [change]


def test_merge_rules() -> None:
    existing = {"id": "2512.00001", "title": "Old", "abstract": "Old.", "date": dt.date(2025, 12, 5),
                "upvotes": 1, "tags": ["mine"], "submitted_by": "me", "extra": {"notes": "n"},
                "authors": [{"name": "Ada Lovelace", "affiliation": "Engines"}],
                "links": {"github": "https://github.com/old/old", "blog": "https://blog.example.org/"}}
    merged = merge_record(existing, INCOMING, "2512.00001")
    assert merged == {
        "id": "2512.00001", "title": "New Title", "abstract": "Fresh abstract.",
        "date": dt.date(2025, 12, 5),  # the featured day stays: the paper is not moved
        "upvotes": 7, "tags": ["mine"], "submitted_by": "me", "extra": {"notes": "n"},
        "authors": [{"name": "Ada Lovelace", "affiliation": "Engines"}],  # same names: affiliations kept
        "links": {"github": "https://github.com/new/new", "blog": "https://blog.example.org/"},
        "published": dt.date(2025, 12, 1),
    }
    assert merge_record(existing, {**INCOMING, "id": "2512.00001v2"}, "2512.00001v1")["id"] == "2512.00001v2"
    assert merge_record(existing, INCOMING, "2512.00001v3")["id"] == "2512.00001v3"


def test_a_record_in_a_list_file_is_patched_in_place(tmp_path: Path) -> None:
    text = ("# two papers in one file\n"
            "- id: other\n  title: Other\n  abstract: x\n  date: 2025-12-01\n"
            "- id: '2512.00001'  # ours\n  title: Old  # stale title\n  abstract: |\n    Old.\n"
            "  date: 2025-12-05\n  tags: [mine]\n")
    site = make_site(tmp_path / "site", files={"content/list.yaml": text})
    put(site, INCOMING)
    new_text = (site / "content/list.yaml").read_text()
    assert new_text == (
        "# two papers in one file\n"
        "- id: other\n  title: Other\n  abstract: x\n  date: 2025-12-01\n"
        "- id: '2512.00001'  # ours\n  title: New Title  # stale title\n"
        "  authors:\n    - Ada Lovelace\n"
        "  abstract: |-\n    Fresh abstract.\n"
        "  published: 2025-12-01\n"
        "  date: 2025-12-05\n"
        "  upvotes: 7\n"
        "  tags: [mine]\n"
        "  links:\n    code: https://github.com/new/new\n")


def test_a_flow_style_record_is_rewritten_whole(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", files={
        "content/flow.yaml": "{id: '2512.00001', title: Old, abstract: A, date: 2025-12-05}\n"})
    put(site, INCOMING)
    record = yaml.safe_load((site / "content/flow.yaml").read_text())
    assert record["title"] == "New Title" and record["date"] == dt.date(2025, 12, 5)


def test_a_slug_record_with_the_same_title_is_the_same_paper(tmp_path: Path) -> None:
    """The sample day made from the page capture has title slugs for ids; the API has arXiv ids."""
    site = make_site(tmp_path / "site", files={
        "content/2025/12/08/new-title.yaml": "id: new-title\ntitle: New  title\nabstract: Cut …\n"
                                             "author_count: 4\ndate: 2025-12-08\nupvotes: 2\n"})
    _, [change] = put(site, INCOMING)
    assert change.action == "update" and change.path == "content/2025/12/08/new-title.yaml"
    record = yaml.safe_load((site / "content/2025/12/08/new-title.yaml").read_text())
    assert record["id"] == "new-title"  # its URL stays
    assert record["links"]["arxiv"] == "https://arxiv.org/abs/2512.00001"
    assert record["abstract"] == "Fresh abstract." and record["author_count"] == 4
    assert [p.name for p in (site / "content").rglob("*.yaml")] == ["new-title.yaml"]


def test_unchanged_values_written_differently_are_left_alone(tmp_path: Path) -> None:
    text = ("id: 2512.00001\ntitle: >-\n  New\n  Title\nauthors: [Ada Lovelace]\nabstract: \"Fresh abstract.\\n\"\n"
            "published: 2025-12-01T10:00:00Z\ndate: 2025-12-08\nupvotes: 7\n"
            "tags: [from-source]\nlinks: {code: 'https://github.com/new/new'}\n")
    site = make_site(tmp_path / "site", files={"content/x.yaml": text})
    _, [change] = put(site, INCOMING)
    assert change.action == "unchanged"
    assert (site / "content/x.yaml").read_text() == text
