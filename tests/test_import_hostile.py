"""Importers under attack: links out of content/, hostile responses, odd BibTeX, anchors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.build import load_site
from generator.cli import main
from generator.importers import run as import_run
from generator.importers.bibtex import parse_bibtex
from generator.importers.yamlout import dump_record
from tests.conftest import REPO, make_site

ARXIV = REPO / "tests" / "data" / "arxiv"
ENTRY = {"paper": {"id": "2511.00001", "title": "A paper", "summary": "An abstract.",
                   "publishedAt": "2025-11-20T17:00:00.000Z", "upvotes": 3},
         "submittedOnDailyAt": "2025-11-21T08:00:00.000Z"}


pytestmark = pytest.mark.usefixtures("no_network")  # tests/conftest.py: fetch() refuses


def paperfeed(*args: str, input: str | bytes | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir())


# --- symbolic links under content/ ---------------------------------------------------


def test_import_refuses_to_write_through_a_linked_folder(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    outside = tmp_path / "outside"
    outside.mkdir()
    (site / "content" / "2025").symlink_to(outside, target_is_directory=True)
    response = tmp_path / "2025-11-21.json"
    response.write_text(json.dumps([ENTRY]), "utf-8")
    code, output = paperfeed("import", "hf", "--site", str(site), str(response))
    assert code == 1
    assert output == ("content/2025/11/21/2511.00001.yaml: a symbolic link leads outside content/; "
                      "refusing to write there\n"
                      "Error: 1 problem in 1 file; nothing was written.\n")
    assert files(outside) == []
    # --dry-run says so too, and a link that stays inside content/ is fine.
    assert paperfeed("import", "hf", "--site", str(site), "--dry-run", str(response))[0] == 1
    (site / "content" / "2025").unlink()
    (site / "content" / "archive").mkdir()
    (site / "content" / "2025").symlink_to(site / "content" / "archive", target_is_directory=True)
    assert paperfeed("import", "hf", "--site", str(site), str(response))[0] == 0
    assert files(site / "content" / "archive") == ["11/21/2511.00001.yaml"]
    assert [p.key for p in load_site(site)[1]] == ["2511.00001"]


def test_a_file_already_behind_the_link_is_refused_too(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    outside = tmp_path / "outside"
    (outside / "11" / "21").mkdir(parents=True)
    (outside / "11" / "21" / "2511.00001.yaml").write_text("not ours\n", "utf-8")
    (site / "content" / "2025").symlink_to(outside, target_is_directory=True)
    code, output = paperfeed("import", "hf", "--site", str(site), "-", input=json.dumps([ENTRY]))
    assert code == 1
    assert output.startswith("content/2025/11/21/2511.00001.yaml: a symbolic link leads outside content/")
    assert (outside / "11" / "21" / "2511.00001.yaml").read_text("utf-8") == "not ours\n"


def test_import_refuses_a_record_file_linked_out_of_content(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: 2511.00001\ntitle: Not a record of this site\n", "utf-8")
    (site / "content" / "2025" / "11" / "21").mkdir(parents=True)
    (site / "content" / "2025" / "11" / "21" / "2511.00001.yaml").symlink_to(secret)
    code, output = paperfeed("import", "hf", "--site", str(site), "-", input=json.dumps([ENTRY]))
    assert code == 1
    assert output.startswith("content/2025/11/21/2511.00001.yaml: a symbolic link to a file outside "
                             "content/; refusing to read it\n")
    assert secret.read_text("utf-8").endswith("Not a record of this site\n")


def test_new_refuses_to_write_through_a_linked_folder(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    outside = tmp_path / "outside"
    outside.mkdir()
    (site / "content" / "2025").symlink_to(outside, target_is_directory=True)
    code, output = paperfeed("new", "--site", str(site), "2512.01234", "--offline", "--title", "T",
                             "--date", "2025-12-08")
    assert code == 1
    assert output.startswith("content/2025/12/08/2512.01234.yaml: a symbolic link leads outside content/")
    assert files(outside) == []


# --- YAML as written ------------------------------------------------------------------


def test_arxiv_records_have_no_anchors(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    code, output = paperfeed("import", "arxiv", "--site", str(site), str(ARXIV / "query.atom"))
    assert code == 0, output
    texts = [p.read_text("utf-8") for p in (site / "content").rglob("*.yaml")]
    assert len(texts) == 2
    for text in texts:
        assert "&id" not in text and "*id" not in text, text
        record = yaml.safe_load(text)
        assert f"\npublished: {record['published']}\ndate: {record['date']}\n" in text


def test_dump_record_never_writes_aliases() -> None:
    shared = ["a", "b"]
    day = __import__("datetime").date(2025, 12, 8)
    text = dump_record({"id": "x", "tags": shared, "links": {"code": "https://c"}, "published": day,
                        "date": day, "extra": {"a": shared, "b": shared}})
    assert "&" not in text and "*" not in text, text
    assert yaml.safe_load(text)["extra"] == {"a": ["a", "b"], "b": ["a", "b"]}


# --- BibTeX dates ---------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "problem"), [
    ("year = 2020, month = {13}",
     "refs.bib:1: k: month: expected 1 to 12 or a month name (jan, feb, ...), got '13'"),
    ("year = 2020, month = {0}",
     "refs.bib:1: k: month: expected 1 to 12 or a month name (jan, feb, ...), got '0'"),
    ("year = 2020, month = {Smarch}",
     "refs.bib:1: k: month: expected 1 to 12 or a month name (jan, feb, ...), got 'Smarch'"),
    ("year = 2020, month = feb, day = {30}",
     "refs.bib:1: k: day: expected a day of the month (1 to 31, as the month has), got '30'"),
    ("date = {2020-13-01}", "refs.bib:1: k: date: expected YYYY, YYYY-MM or YYYY-MM-DD, got '2020-13-01'"),
])
def test_bibtex_impossible_dates_are_errors(fields: str, problem: str) -> None:
    records, problems = parse_bibtex(f"@article{{k, title = {{T}}, {fields}}}\n", "refs.bib")
    assert (records, problems) == ([], [problem])


@pytest.mark.parametrize(("month", "number"), [("{7}", 7), ("jul", 7), ("{July}", 7), ("{Sept.}", 9),
                                               ("{12}", 12), ("{}", 1)])
def test_bibtex_months(month: str, number: int) -> None:
    records, problems = parse_bibtex(f"@article{{k, title = {{T}}, year = 2020, month = {month}}}", "r.bib")
    assert problems == [] and records[0]["published"].month == number


# --- hostile Hugging Face responses ---------------------------------------------------


def test_hf_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    response = tmp_path / "2025-11-21.json"
    response.write_bytes(b"\xef\xbb\xbf" + json.dumps([ENTRY]).encode("utf-8"))
    code, output = paperfeed("import", "hf", "--site", str(site), str(response))
    assert (code, output) == (0, "create content/2025/11/21/2511.00001.yaml (2511.00001)\n"
                                 "1 record: 1 created, 0 updated, 0 unchanged\n")
    code, output = paperfeed("import", "hf", "--site", str(site), "-",
                             input=b"\xef\xbb\xbf" + json.dumps([ENTRY]).encode("utf-8"))
    assert code == 0 and "1 unchanged" in output


@pytest.mark.parametrize(("text", "reason"), [
    ("[" * 100_000 + "]" * 100_000, "not a daily_papers response: JSON nested too deeply"),
    ('{"data": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001,
     "not a daily_papers response: JSON nested too deeply"),
    ("[" + "9" * 5000 + "]", "not a daily_papers response: a number with more than 4300 digits"),
    (json.dumps([{"paper": {**ENTRY["paper"], "upvotes": 0}}]).replace('"upvotes": 0', '"upvotes": ' + "9" * 5000),
     "not a daily_papers response: a number with more than 4300 digits"),
])
def test_hostile_hf_responses_are_clean_errors(tmp_path: Path, text: str, reason: str) -> None:
    site = make_site(tmp_path / "site")
    good = tmp_path / "2025-11-22.json"
    good.write_text(json.dumps([ENTRY]), "utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(text, "utf-8")
    code, output = paperfeed("import", "hf", "--site", str(site), str(good), str(bad))
    assert (code, output) == (1, f"Error: {bad}: {reason}\nNothing was written.\n")
    assert files(site / "content") == []


def test_a_fetched_response_that_is_no_json_is_a_skipped_day(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    answers = {"2025-11-21": b"\xef\xbb\xbf" + json.dumps([ENTRY]).encode(), "2025-11-22": b"[" * 100_000,
               "2025-11-23": b"\xff\xfe"}
    monkeypatch.setattr(import_run, "fetch", lambda url: answers[url[-10:]])
    code, output = paperfeed("import", "hf", "--site", str(site), "--fetch", "--date", "2025-11-21",
                             "--date", "2025-11-22", "--date", "2025-11-23")
    assert code == 0, output
    assert "create content/2025/11/21/2511.00001.yaml" in output
    assert "2025-11-22: not a daily_papers response: JSON nested too deeply" in output
    assert "2025-11-23: not UTF-8 (invalid start byte at byte 0)" in output
