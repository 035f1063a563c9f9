"""`paperfeed import hf` end to end: the six real responses into a git repository, re-import, merge."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.build import build, load_site
from generator.cli import main
from generator.importers import run as import_run
from tests.conftest import REPO, make_site

DATA = REPO / "tests" / "data" / "hf-daily-papers"
RESPONSES = sorted(DATA.glob("*.json"))


pytestmark = pytest.mark.usefixtures("no_network")  # tests/conftest.py: fetch() refuses


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                            cwd=repo, capture_output=True, text=True, check=True)
    return result.stdout


def paperfeed(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def distinct_paper_ids() -> set[str]:
    """Every paper id in the six files, read without the importer."""
    ids = set()
    for path in RESPONSES:
        data = json.loads(path.read_text("utf-8"))
        items = data["data"] if isinstance(data, dict) else data
        ids |= {(ast.literal_eval(i) if isinstance(i, str) else i)["paper"]["id"] for i in items}
    return ids


def record_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / "content").rglob("*.yaml"))}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository with a config only, then the six responses imported and committed."""
    site = make_site(tmp_path_factory.mktemp("hf") / "site", config={"title": "Imported",
                                                                     "base_url": "https://example.org/"})
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "config")
    code, output = paperfeed("import", "hf", "--site", str(site), *map(str, RESPONSES))
    assert code == 0, output
    git(site, "add", "-A")
    git(site, "commit", "-qm", "import")
    return site, output


@pytest.mark.slow
def test_one_valid_record_per_distinct_paper(imported: tuple[Path, str]) -> None:
    site, output = imported
    _, papers = load_site(site)  # raises on any invalid record
    assert sorted(p.key for p in papers) == sorted(distinct_paper_ids())
    assert len(record_files(site)) == len(papers)
    assert f"{len(papers)} records: {len(papers)} created, 0 updated, 0 unchanged" in output


@pytest.mark.slow
def test_records_land_under_their_featured_day(imported: tuple[Path, str]) -> None:
    site, _ = imported
    for rel, data in record_files(site).items():
        record = yaml.safe_load(data)
        assert rel == f"content/{record['date']:%Y/%m/%d}/{record['id'].replace('/', '-')}.yaml"
    days = {rel.split("/")[1:4].__str__() for rel in record_files(site)}
    assert len(days) == len(RESPONSES)


@pytest.mark.slow
def test_the_imported_site_builds(imported: tuple[Path, str], tmp_path: Path) -> None:
    site, _ = imported
    report = build(site, {"output_dir": str(tmp_path / "out")})
    assert report.papers == len(distinct_paper_ids())
    assert (tmp_path / "out" / "papers" / "2511.16668" / "index.html").is_file()


@pytest.mark.slow
def test_a_second_import_leaves_git_status_clean(imported: tuple[Path, str]) -> None:
    site, _ = imported
    before = record_files(site)
    code, output = paperfeed("import", "hf", "--site", str(site), *map(str, RESPONSES))
    assert code == 0, output
    assert git(site, "status", "--porcelain") == ""
    assert record_files(site) == before
    assert "0 created, 0 updated" in output


def test_the_sample_site_already_holds_its_four_imported_days() -> None:
    """The sample content was made with the same importer: re-importing changes nothing."""
    days = ["2024-12-16", "2025-01-10", "2025-06-11", "2025-11-21"]
    code, output = paperfeed("import", "hf", "--dry-run", "--site", str(REPO),
                             *(str(DATA / f"{day}.json") for day in days))
    assert code == 0, output
    assert "0 would be created, 0 would be updated" in output


# --- merging into what is there -------------------------------------------------


ENTRY = {
    "paper": {
        "id": "2511.00001", "title": "Fast\n  Things", "summary": "An abstract with $x^2$.",
        "authors": [{"name": "Ada Lovelace"}], "publishedAt": "2025-11-19T18:00:00.000Z",
        "submittedOnDailyAt": "2025-11-21T00:10:00.000Z", "upvotes": 3,
        "githubRepo": "https://github.com/a/b", "ai_keywords": ["speed", ""],
    },
}


def response(**paper: object) -> str:
    return json.dumps([{"paper": {**ENTRY["paper"], **paper}}])


def import_text(site: Path, text: str, *extra: str) -> tuple[int, str]:
    return paperfeed("import", "hf", "--site", str(site), *extra, "-", input=text)


def test_update_keeps_user_fields_and_comments(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    assert import_text(site, response())[0] == 0
    path = site / "content/2025/11/21/2511.00001.yaml"
    text = path.read_text("utf-8")
    # The user edits the record: a comment, their own tags, a note and a link of their own.
    text = "# picked for Friday's reading group\n" + text.replace(
        "upvotes: 3\n", "upvotes: 3  # as of Monday\n")
    text = text.replace("tags:\n  - speed\n", "tags: [mine, speed]\n")
    text = text.replace("links:\n", "links:\n  blog: https://blog.example.org/post\n")
    text += "extra:\n  notes: Discuss the proof.  # ask Ada\n"
    path.write_text(text, "utf-8")

    code, output = import_text(site, response(upvotes=40, title="Fast Things, v2", id="2511.00001",
                                              githubRepo="https://github.com/a/c",
                                              ai_keywords=["other"]))
    assert code == 0, output
    assert "update content/2025/11/21/2511.00001.yaml (2511.00001): title changed, upvotes 3 -> 40" in output
    updated = path.read_text("utf-8")
    assert updated.startswith("# picked for Friday's reading group\n")
    assert "upvotes: 40  # as of Monday\n" in updated  # a comment after a value stays
    assert "tags: [mine, speed]\n" in updated
    assert "notes: Discuss the proof.  # ask Ada\n" in updated
    record = yaml.safe_load(updated)
    assert record["links"] == {"blog": "https://blog.example.org/post", "code": "https://github.com/a/c"}
    assert record["title"] == "Fast Things, v2"
    # Only the changed lines differ.
    changed = set(updated.splitlines()) ^ set(text.splitlines())
    assert len(changed) == 6, changed


def test_a_paper_featured_on_another_day_is_not_duplicated(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    import_text(site, response())
    later = response(submittedOnDailyAt="2025-12-02T00:00:00.000Z", upvotes=9)
    code, output = import_text(site, later)
    assert code == 0, output
    assert [p.relative_to(site).as_posix() for p in (site / "content").rglob("*.yaml")] == [
        "content/2025/11/21/2511.00001.yaml"]
    assert yaml.safe_load((site / "content/2025/11/21/2511.00001.yaml").read_text())["upvotes"] == 9


def test_existing_versioned_and_differently_cased_ids_are_found(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", files={
        "content/mine.yaml": "- id: 2511.00001v3\n  title: Mine\n  abstract: A.\n  date: 2025-01-01\n"})
    code, output = import_text(site, response())
    assert code == 0, output
    assert not (site / "content/2025").exists()
    [record] = yaml.safe_load((site / "content/mine.yaml").read_text())
    assert record["id"] == "2511.00001v3"  # a version-less source never downgrades the id
    assert record["upvotes"] == 3 and record["date"].isoformat() == "2025-01-01"


def test_dry_run_shows_changes_and_writes_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    code, output = import_text(site, response(), "--dry-run")
    assert code == 0
    assert "would create content/2025/11/21/2511.00001.yaml (2511.00001)" in output
    assert "dry run, nothing written" in output
    assert list((site / "content").rglob("*")) == []


def test_bad_entries_are_reported_with_file_and_index(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    bad = tmp_path / "2025-11-21.json"
    entries = json.loads(response()) + ["not an entry", {"paper": {"id": "x y"}},
                                        {"paper": {**ENTRY["paper"], "id": "2511.00002",
                                                   "projectPage": "https://a\nb"}}]
    bad.write_text(json.dumps(entries), "utf-8")
    code, output = paperfeed("import", "hf", "--site", str(site), str(bad))
    assert code == 0, output  # something was imported: the bad entries are skipped, not fatal
    assert f"skipped: {bad}: entry 1: a string that is not a Python literal (SyntaxError)" in output
    assert f"skipped: {bad}: entry 2: paper.id: expected an arXiv id or slug, got 'x y'" in output
    assert f"skipped: {bad}: entry 3: 2511.00002: paper.projectPage: URL contains whitespace" in output
    assert (site / "content/2025/11/21/2511.00002.yaml").is_file()


def test_a_file_that_is_no_response_stops_the_import(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    code, output = import_text(site, "{not json")
    assert code == 1
    assert output.startswith("Error: <stdin>: not valid JSON: ")
    good = tmp_path / "2025-11-21.json"
    good.write_text(response(), "utf-8")
    code, output = paperfeed("import", "hf", "--site", str(site), str(good), "-", input="{not json")
    assert code == 1 and output.endswith("Nothing was written.\n")
    assert not list((site / "content").rglob("*.yaml"))


def test_an_empty_day_is_not_an_error(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    assert import_text(site, "[]") == (0, "0 records: 0 created, 0 updated, 0 unchanged\n")


def test_unreadable_content_stops_the_import(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", files={"content/broken.yaml": "id: [unclosed\n"})
    code, output = import_text(site, response())
    assert code == 1
    assert output.startswith("content/broken.yaml:2: yaml:")
    assert list((site / "content").rglob("*.yaml")) == [site / "content/broken.yaml"]


def test_writes_are_atomic_and_leave_no_temp_files(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    import_text(site, response())
    import_text(site, response(upvotes=5))
    names = [p.name for p in (site / "content").rglob("*")]
    assert not [n for n in names if n.startswith(".")], names
    assert (site / "content/2025/11/21/2511.00001.yaml").stat().st_mode & 0o644 == 0o644


def test_fetch_asks_the_api_for_each_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def fake_fetch(url: str) -> bytes:
        asked.append(url)
        return response().encode() if url.endswith("2025-11-21") else b"[]"

    monkeypatch.setattr(import_run, "fetch", fake_fetch)
    site = make_site(tmp_path / "site")
    code, output = paperfeed("import", "hf", "--site", str(site), "--fetch",
                             "--date", "2025-11-21", "--date", "2025-11-22")
    assert code == 0, output
    assert asked == ["https://huggingface.co/api/daily_papers?date=2025-11-21",
                     "https://huggingface.co/api/daily_papers?date=2025-11-22"]
    assert (site / "content/2025/11/21/2511.00001.yaml").is_file()


def test_usage_errors(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    assert paperfeed("import", "hf", "--site", str(site))[0] == 2
    assert paperfeed("import", "hf", "--site", str(site), "--date", "2025-11-21", "x.json")[0] == 2
