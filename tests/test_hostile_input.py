"""Hostile and broken records: every one is reported as `path:line: field: message`, exit 1,
nothing written and the previous site untouched; without them every good record builds.

Fixtures: tests/hostile/bad/ (each file one kind of broken or hostile input, expected
problems in tests/hostile/expected.txt), tests/hostile/safe/ (hostile but valid: must build).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.content import load_papers
from generator.record import RecordContext
from tests.conftest import make_site, record
from tests.support.trees import stat_snapshot

HOSTILE = Path(__file__).parent / "hostile"
BAD = sorted(p.name for p in (HOSTILE / "bad").iterdir())
SAFE = sorted(p.name for p in (HOSTILE / "safe").iterdir())
EXPECTED = (HOSTILE / "expected.txt").read_text(encoding="utf-8").splitlines()
# Each of a pair is valid alone: together they are one paper twice.
TWINS = {"id_twin_a.yaml": "id_twin_b.yaml", "id_twin_oldstyle.yaml": "id_twin_oldstyle_arxiv.yaml"}
PREFIX = "content/hostile/"
PWNED = Path("/tmp/paperfeed-hostile-pwned")  # what yaml_python_tag.yaml would create if run


def expected_for(*names: str) -> list[str]:
    return [line for line in EXPECTED if line.split(":", 1)[0] in {PREFIX + n for n in names}]


def run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr.splitlines()


def good_records(count: int) -> list[dict[str, object]]:
    """Varied valid records over ten days, sharing tags, authors and organisations."""
    return [record(f"2601.{i:05d}", title=f"Good paper {i}: $O(n^{i % 3 + 1})$ & <friends>",
                   abstract=f"Abstract {i} with *emphasis*, math $x_{i}$ and a link https://example.org/{i}.",
                   date=f"2026-01-{1 + i % 10:02d}", upvotes=i % 17,
                   tags=[f"topic {i % 23}", f"area {i % 7}"],
                   authors=[f"Author {i % 61}", f"Author {(i * 7) % 61}"],
                   organization=f"Lab {i % 5}" if i % 3 else None,
                   links={"code": f"https://github.com/lab/p{i}"})
            for i in range(count)]


def copy_fixtures(site: Path, kind: str, names: list[str]) -> None:
    folder = site / "content" / "hostile"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(HOSTILE / kind / name, folder / name)


def test_the_expected_problems_cover_every_bad_fixture() -> None:
    named = {line.split(":", 1)[0].removeprefix(PREFIX) for line in EXPECTED}
    assert named == set(BAD) - set(TWINS)  # the first of a twin pair is the one kept


@pytest.mark.parametrize("name", [n for n in BAD if n not in TWINS and n not in TWINS.values()])
def test_each_bad_fixture_alone_is_reported_exactly(name: str, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    copy_fixtures(site, "bad", [name])
    code, lines = run("check", "--site", str(site))
    assert code == 1
    assert lines[:-1] == expected_for(name)
    assert lines[-1].endswith("nothing was written.")
    assert not PWNED.exists()


@pytest.mark.parametrize("first, second", sorted(TWINS.items()))
def test_one_paper_twice_is_reported_with_both_files(first: str, second: str, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    copy_fixtures(site, "bad", [first, second])
    code, lines = run("check", "--site", str(site))
    assert (code, lines[:-1]) == (1, expected_for(second))
    assert f"(also in {PREFIX}{first}:1)" in lines[0]


@pytest.fixture(scope="module")
def mixed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 good records, the valid hostile ones, and every bad fixture, in one content folder."""
    site = make_site(tmp_path_factory.mktemp("mixed") / "site", good_records(300),
                     config={"title": "Mixed", "base_url": "https://example.org/mixed/"})
    copy_fixtures(site, "safe", SAFE)
    copy_fixtures(site, "bad", BAD)
    return site


def papers_in(kind: str) -> int:
    total = 0
    for name in (SAFE if kind == "safe" else BAD):
        value = yaml.safe_load((HOSTILE / kind / name).read_bytes().decode("utf-8-sig"))
        total += len(value) if isinstance(value, list) else 1
    return total


@pytest.mark.slow
def test_a_mixed_folder_reports_every_bad_record_in_one_run_and_writes_nothing(mixed_site: Path) -> None:
    code, lines = run("build", "--site", str(mixed_site))
    assert code == 1
    assert lines[:-1] == EXPECTED
    files = len({line.split(":", 1)[0] for line in EXPECTED})
    assert lines[-1] == f"Error: {len(EXPECTED)} problems in {files} files; nothing was written."
    assert not (mixed_site / "public").exists()
    assert sorted(p.name for p in mixed_site.iterdir()) == ["content", "paperfeed.yaml"]
    assert run("check", "--site", str(mixed_site)) == (1, lines)


@pytest.mark.slow
def test_without_the_bad_ones_every_good_record_builds_and_bad_ones_never_touch_it(mixed_site: Path) -> None:
    bad = mixed_site / "bad-aside"
    bad.mkdir()
    for name in BAD:
        (mixed_site / "content" / "hostile" / name).rename(bad / name)
    code, lines = run("build", "--site", str(mixed_site))
    assert code == 0, lines
    result = CliRunner().invoke(main, ["build", "--site", str(mixed_site)])
    assert result.stdout.startswith(f"Built {300 + papers_in('safe')} papers")
    public = mixed_site / "public"
    assert len(list((public / "papers").iterdir())) == 300 + papers_in("safe")
    before = stat_snapshot(public)
    for name in BAD:  # the bad records come back: the build fails and the site stays as it was
        (bad / name).rename(mixed_site / "content" / "hostile" / name)
    code, lines = run("build", "--site", str(mixed_site))
    assert (code, lines[:-1]) == (1, EXPECTED)
    assert stat_snapshot(public) == before
    assert not [p for p in mixed_site.iterdir() if p.name.startswith(".public.")] or \
        sorted(p.name for p in mixed_site.iterdir() if p.name.startswith(".public.")) == [".public.lock"]


def test_a_symlink_out_of_content_is_refused_not_published(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: leaked\ntitle: SECRET_TOKEN=abc\nabstract: x\ndate: 2025-12-08\n", encoding="utf-8")
    site = make_site(tmp_path / "site", [record()])
    (site / "content" / "leak.yaml").symlink_to(secret)
    (site / "content" / "inside.yaml").symlink_to(site / "content" / "r000.yaml")
    code, lines = run("build", "--site", str(site))
    assert code == 1
    assert lines[:-1] == ["content/leak.yaml: a symbolic link to a file outside content/; refusing to read it",
                          "content/r000.yaml:1: id: duplicate id '2512.00001' (also in content/inside.yaml:1)"]
    assert not (site / "public").exists()


def test_an_unreadable_record_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    # Root reads any file, so the OSError comes from a reader that cannot read this one.
    site = make_site(tmp_path / "site", [record()])

    def unreadable(path: Path, shown: str, parse: object) -> object:
        raise PermissionError(13, "Permission denied")

    papers, problems = load_papers(site, site / "content", RecordContext(), read=unreadable)  # type: ignore[arg-type]
    assert [str(p) for p in problems] == ["content/r000.yaml: cannot read the file: Permission denied"]


def test_a_deeply_nested_config_is_an_error_not_a_crash(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", [record()])
    (site / "paperfeed.yaml").write_bytes(b"title: " + b"[" * 50000 + b"]" * 50000 + b"\n")
    code, lines = run("build", "--site", str(site))
    assert (code, lines[:-1]) == (1, ["paperfeed.yaml:1: yaml: nesting deeper than 32 levels"])
