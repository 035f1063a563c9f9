"""generator.importers.hf and .yamlout over the six real daily_papers responses.

The real files are kept in tests/data/hf-daily-papers (unchanged bytes, see its
README). The quirk tests build their entries in place.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.importers.hf import (
    RECORD_KEYS,
    hf_entry_to_record,
    parse_hf_response,
    record_path,
)
from generator.importers.yamlout import dump_record

DATA_DIR = Path(os.environ.get("PAPERFEED_HF_DATA", Path(__file__).parent / "data" / "hf-daily-papers"))
DAYS = ["2024-06-03", "2024-12-16", "2025-01-10", "2025-06-11", "2025-11-21", "2026-08-20"]


def load_day(day: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Records and problems for one real file, its day given as the request day."""
    name = f"{day}.json"
    entries, problems = parse_hf_response((DATA_DIR / name).read_text("utf-8"), name)
    records = []
    for entry in entries:
        record, entry_problems = hf_entry_to_record(entry, None, request_day=day)
        problems += entry_problems
        if record is not None:
            records.append(record)
    return records, problems


def distinct_ids(day: str) -> set[str]:
    """Paper ids of a real file, read independently of the importer."""
    data = json.loads((DATA_DIR / f"{day}.json").read_text("utf-8"))
    items = data["data"] if isinstance(data, dict) else data
    items = [ast.literal_eval(i) if isinstance(i, str) else i for i in items]
    return {item["paper"]["id"] for item in items}


def make_entry(**paper: Any) -> dict[str, Any]:
    """A minimal entry in the late-2025 shape; keyword arguments override `paper`."""
    base = {
        "id": "2511.00001",
        "title": "A Title\n  Wrapped",
        "summary": "An abstract.\n",
        "authors": [{"name": " Ada Lovelace "}, {"name": ""}, {"_id": "x"}],
        "publishedAt": "2025-11-19T18:56:50.000Z",
        "submittedOnDailyAt": "2025-11-21T00:36:01.876Z",
        "upvotes": 3,
    }
    return {"paper": {**base, **paper}, "publishedAt": "2025-11-19T13:56:50.000Z"}


# --- the real files ----------------------------------------------------------


@pytest.mark.parametrize("day", DAYS)
def test_one_record_per_distinct_paper_and_no_problems(day: str) -> None:
    records, problems = load_day(day)
    assert problems == []
    assert sorted(r["id"] for r in records) == sorted(distinct_ids(day))


@pytest.mark.parametrize("day", DAYS)
def test_every_record_is_on_its_featured_day(day: str) -> None:
    records, _ = load_day(day)
    assert {r["date"] for r in records} == {dt.date.fromisoformat(day)}
    assert all(record_path(r).startswith(day.replace("-", "/") + "/") for r in records)


def test_wrapped_list_file() -> None:
    text = (DATA_DIR / "2025-01-10.json").read_text("utf-8")
    assert json.loads(text)["count"] == 9
    entries, problems = parse_hf_response(text, "2025-01-10.json")
    assert (len(entries), problems) == (9, [])


def test_repr_string_entries_are_read_as_literals() -> None:
    raw = json.loads((DATA_DIR / "2024-12-16.json").read_text("utf-8"))
    assert all(isinstance(item, str) for item in raw)
    records, problems = load_day("2024-12-16")
    assert (len(records), problems) == (16, [])
    assert records[0]["id"] == "2412.10360"
    assert records[0]["authors"][0] == "Orr Zohar"


def test_old_responses_need_the_request_day() -> None:
    """Without it, publishedAt (UTC, evening before) would split the day in two."""
    entries, _ = parse_hf_response((DATA_DIR / "2024-12-16.json").read_text("utf-8"), "x")
    days = {hf_entry_to_record(e, None)[0]["date"] for e in entries}  # type: ignore[index]
    assert days == {dt.date(2024, 12, 15), dt.date(2024, 12, 16)}


@pytest.mark.parametrize("day", DAYS)
def test_record_fields_are_clean(day: str) -> None:
    records, _ = load_day(day)
    for record in records:
        assert list(record) == [key for key in RECORD_KEYS if key in record]
        assert "\n" not in record["title"] and record["title"] == record["title"].strip()
        assert "  " not in record["title"]
        assert record["abstract"] == record["abstract"].strip()
        assert all(name and name == name.strip() for name in record.get("authors", []))
        assert all(tag and tag == tag.strip() for tag in record.get("tags", []))
        for url in record.get("links", {}).values():
            assert url.startswith(("http://", "https://")) and url == url.strip()
        assert isinstance(record["published"], dt.date)


def test_organization_fullname_is_trimmed() -> None:
    records, _ = load_day("2025-11-21")
    orgs = {r["id"]: r.get("organization") for r in records}
    assert orgs["2511.11005"] == "University of California, Irvine"
    assert orgs["2511.16317"] == "Tencent Hunyuan"
    assert orgs["2511.16668"] is None


@pytest.mark.parametrize("day", DAYS)
def test_dump_record_round_trips(day: str) -> None:
    records, _ = load_day(day)
    for record in records:
        text = dump_record(record)
        assert yaml.safe_load(text) == record
        assert f"id: '{record['id']}'\n" in text  # arXiv ids would load as floats


# --- quirks, built in place ----------------------------------------------------


def test_links_are_trimmed_and_an_embedded_newline_is_reported() -> None:
    entry = make_entry(
        githubRepo=" https://github.com/zli12321/FFGO?tab=readme-ov-file\n",
        projectPage="https://firstframego.\ngithub.io",
    )
    record, problems = hf_entry_to_record(entry, None)
    assert record is not None
    assert record["links"] == {"code": "https://github.com/zli12321/FFGO?tab=readme-ov-file"}
    assert problems == [
        "2511.00001: paper.projectPage: URL contains whitespace, left out: "
        + repr("https://firstframego.\ngithub.io")
    ]


def test_only_http_links_are_kept() -> None:
    entry = make_entry(githubRepo="javascript:alert(1)", projectPage="")
    record, problems = hf_entry_to_record(entry, None)
    assert record is not None and "links" not in record
    assert problems == [
        "2511.00001: paper.githubRepo: expected an http(s) URL, left out: 'javascript:alert(1)'"
    ]


def test_empty_keywords_give_no_tags() -> None:
    record, _ = hf_entry_to_record(make_entry(ai_keywords=[""]), None)
    assert record is not None and "tags" not in record
    record, _ = hf_entry_to_record(make_entry(ai_keywords=[" a ", "b", "", "a"]), None)
    assert record is not None and record["tags"] == ["a", "b"]


def test_minimal_entry_maps_to_canonical_record() -> None:
    record, problems = hf_entry_to_record(make_entry(), None)
    assert problems == []
    assert record == {
        "id": "2511.00001",
        "title": "A Title Wrapped",
        "authors": ["Ada Lovelace"],
        "abstract": "An abstract.",
        "published": dt.date(2025, 11, 19),
        "date": dt.date(2025, 11, 21),
        "upvotes": 3,
    }


def test_featured_day_precedence() -> None:
    entry = make_entry(submittedOnDailyAt=None)
    assert hf_entry_to_record(entry, "2025-01-01")[0]["date"] == dt.date(2025, 11, 19)  # type: ignore[index]
    entry = make_entry(submittedOnDailyAt=None)
    del entry["publishedAt"]
    assert hf_entry_to_record(entry, "2025-01-01")[0]["date"] == dt.date(2025, 1, 1)  # type: ignore[index]
    record, _ = hf_entry_to_record(make_entry(), None, request_day="2025-11-22")
    assert record is not None and record["date"] == dt.date(2025, 11, 21)


def test_entries_without_required_fields_are_reported() -> None:
    assert hf_entry_to_record({"paper": {"id": "../x"}}, None) == (
        None, ["paper.id: expected an arXiv id or slug, got '../x'"]
    )
    record, problems = hf_entry_to_record(make_entry(summary="  ", upvotes=-1), None)
    assert record is None
    assert problems == [
        "2511.00001: paper.upvotes: expected a whole number >= 0, got -1",
        "2511.00001: abstract: missing or empty",
    ]


def test_bad_entries_are_reported_by_source_and_index_never_evaluated() -> None:
    good = json.dumps(make_entry())
    text = f'[{good}, "__import__(\'os\').system(\'false\')", 7, "{{\'paper\': 1}}"]'
    entries, problems = parse_hf_response(text, "day.json")
    assert len(entries) == 1
    assert problems == [
        "day.json: entry 1: a string that is not a Python literal (ValueError)",
        "day.json: entry 2: expected an object, got int",
        "day.json: entry 3: no 'paper' object",
    ]


def test_response_that_is_not_a_list_is_reported() -> None:
    assert parse_hf_response("{not json", "x.json")[1][0].startswith("x.json: not valid JSON:")
    assert parse_hf_response('{"error": "rate limited"}', "x.json") == (
        [], ["x.json: expected a list of papers (or {data: [...]}), got dict"]
    )


def test_record_path_uses_featured_day_and_flattens_old_ids() -> None:
    record = {"id": "hep-th/9711200", "date": dt.date(2025, 12, 8)}
    assert record_path(record) == "2025/12/08/hep-th-9711200.yaml"
    assert record_path({"id": "2512.01234", "published": dt.date(2025, 1, 2)}) == (
        "2025/01/02/2512.01234.yaml"
    )


def test_dump_record_quotes_and_blocks() -> None:
    record = {
        "id": "2512.01234",
        "title": "yes",
        "abstract": "Line one: with a colon.\n  Indented # not a comment\nLast",
        "date": dt.date(2025, 12, 8),
        "upvotes": 0,
        "tags": ["null", "1e3"],
    }
    text = dump_record(record)
    assert yaml.safe_load(text) == record
    assert "date: 2025-12-08\n" in text and "abstract: |-\n" in text
