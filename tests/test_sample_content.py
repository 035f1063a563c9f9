"""The sample site's records in content/: the Dec 8, 2025 capture and four earlier days."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.importers.yamlout import dump_record

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEED = Path(__file__).parent / "data" / "seed" / "daily-papers-page.txt"
DAY = dt.date(2025, 12, 8)
EARLIER_DAYS = {
    dt.date(2025, 11, 21): 16,
    dt.date(2025, 6, 11): 13,
    dt.date(2025, 1, 10): 9,
    dt.date(2024, 12, 16): 16,
}
RECORD_KEYS = {
    "id", "title", "authors", "author_count", "organization", "abstract", "published",
    "date", "upvotes", "tags", "links", "thumbnail", "submitted_by",
}


def load_content() -> dict[Path, dict[str, Any]]:
    """Every record file under content/, parsed safely."""
    return {
        path: yaml.safe_load(path.read_text("utf-8"))
        for path in sorted(CONTENT.rglob("*.yaml"))
    }


RECORDS = load_content()


def day_records(day: dt.date) -> list[dict[str, Any]]:
    return [r for r in RECORDS.values() if r.get("date", r.get("published")) == day]


def by_title_start(prefix: str) -> dict[str, Any]:
    (record,) = [r for r in day_records(DAY) if r["title"].startswith(prefix)]
    return record


def test_the_capture_gives_49_records_on_its_day() -> None:
    assert len(day_records(DAY)) == 49


def test_earlier_days_exist() -> None:
    for day, count in EARLIER_DAYS.items():
        assert len(day_records(day)) == count, day
    days = {r.get("date", r.get("published")) for r in RECORDS.values()}
    assert days == {DAY, *EARLIER_DAYS}


def test_every_record_has_the_required_fields() -> None:
    for path, record in RECORDS.items():
        assert isinstance(record, dict), path
        assert set(record) <= RECORD_KEYS, path
        for key in ("id", "title", "abstract"):
            assert isinstance(record.get(key), str) and record[key].strip(), (path, key)
        assert "date" in record or "published" in record, path
        for key in ("date", "published"):
            assert isinstance(record.get(key, DAY), dt.date), (path, key)
        assert isinstance(record.get("upvotes", 0), int) and record.get("upvotes", 0) >= 0
        assert re.fullmatch(r"[A-Za-z0-9._-]+", record["id"]), path


def test_ids_are_unique_ignoring_versions() -> None:
    ids = [re.sub(r"v\d+$", "", r["id"]) for r in RECORDS.values()]
    assert len(ids) == len(set(ids))


def test_files_are_where_their_date_and_id_say() -> None:
    for path, record in RECORDS.items():
        day = record.get("date", record.get("published"))
        assert path.relative_to(CONTENT).as_posix() == f"{day:%Y/%m/%d}/{record['id']}.yaml"


def test_files_are_in_canonical_form() -> None:
    """What the importers write, byte for byte: reruns and hand edits stay diffable."""
    for path, record in RECORDS.items():
        assert dump_record(record) == path.read_text("utf-8"), path


def test_links_are_http_urls() -> None:
    for path, record in RECORDS.items():
        for url in record.get("links", {}).values():
            assert re.fullmatch(r"https?://\S+", url) and url[-1] not in ".,;:)", path


def test_hogwild_inference_is_the_top_paper_with_6_upvotes() -> None:
    top = by_title_start("Hogwild! Inference")
    assert top["upvotes"] == 6
    others = [r["upvotes"] for r in day_records(DAY) if r is not top]
    assert max(others) < 6


def test_flash_dmd_is_by_tencent() -> None:
    record = by_title_start("Flash-DMD")
    assert record["organization"] == "Tencent"
    assert "author_count" not in record and "authors" not in record
    assert (record["published"], record["upvotes"]) == (dt.date(2025, 11, 25), 2)


def test_one_record_has_no_byline_and_no_publication_date() -> None:
    bare = [
        r for r in day_records(DAY)
        if not ({"authors", "author_count", "organization", "published"} & set(r))
    ]
    assert [r["title"] for r in bare] == [
        "Enabling Flexible Multi-LLM Integration for Scalable Knowledge Aggregation"
    ]
    assert bare[0]["date"] == DAY


def test_card_details_are_kept() -> None:
    assert by_title_start("Graph Adaptive Semantic")["published"] == dt.date(2022, 5, 18)
    assert by_title_start("MV-MLM")["published"] == dt.date(2025, 10, 30)
    assert by_title_start("A Domain-Agnostic")["author_count"] == 47
    assert by_title_start("Many-for-Many")["links"] == {
        "code": "https://github.com/leeruibin/MfM.git"
    }
    mastering = by_title_start("Mastering Multi-Drone")
    assert mastering["links"] == {"project": "https://sites.google.com/view/hi-co-self-play"}
    assert mastering["abstract"].endswith(
        "The project page is at https://sites.google.com/view/hi-co-self-play."
    )


@pytest.mark.slow
def test_seed_converter_reproduces_the_day(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "seed_to_records.py"),
         "--seed", str(SEED), "--content-dir", str(tmp_path)],
        check=True, capture_output=True,
    )
    made = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*.yaml")}
    kept = {
        p.relative_to(CONTENT): p.read_bytes() for p in (CONTENT / "2025/12/08").glob("*.yaml")
    }
    assert made == kept


@pytest.mark.slow
def test_hf_importer_reproduces_the_earlier_days(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "hf_to_records.py"),
         "--content-dir", str(tmp_path)],
        check=True, capture_output=True,
    )
    made = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*.yaml")}
    kept = {
        p.relative_to(CONTENT): p.read_bytes()
        for day in EARLIER_DAYS for p in (CONTENT / f"{day:%Y/%m/%d}").glob("*.yaml")
    }
    assert made == kept
