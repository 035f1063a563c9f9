"""Issue 12, messages and commands: what a newcomer reads when something is off."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from generator.yamlsrc import parse_yaml
from tests.conftest import make_site, record


def yaml_errors(text: str) -> list[str]:
    return [str(p) for p in parse_yaml(text, "content/x.yaml")[1]]


def test_an_unquoted_colon_in_a_title_gets_a_quoting_hint() -> None:
    assert yaml_errors('id: "1"\ntitle: Attention: all you need\nabstract: x\n') == [
        "content/x.yaml:2: yaml: mapping values are not allowed in this context; "
        'a value with ": " in it must be quoted: title: "Attention: all you need"']


def test_a_tab_gets_a_spaces_hint() -> None:
    assert yaml_errors('id: "1"\ntitle: x\n\tabstract: y\n') == [
        "content/x.yaml:3: yaml: while scanning a plain scalar found a tab character that violates "
        "indentation; YAML indents with spaces only: replace the tab with spaces"]


def test_a_bad_indent_gets_a_column_hint() -> None:
    assert yaml_errors('id: "1"\ntitle: x\n  abstract: y\n') == [
        "content/x.yaml:3: yaml: mapping values are not allowed in this context; line 3 is indented "
        "2 spaces, the line above 0: keys of one mapping (and items of one list) start in the same column"]
    assert yaml_errors('id: "1"\nauthors:\n  - a\n - b\ntitle: x\n') == [
        "content/x.yaml:4: yaml: while parsing a block mapping did not find expected key; line 4 is "
        "indented 1 space, the line above 2: keys of one mapping (and items of one list) start in the "
        "same column"]


def test_the_hint_reaches_check_with_file_and_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", files={"content/a.yaml": 'id: "1"\ntitle: A: B\nabstract: x\ndate: 2025-12-08\n'})
    result = CliRunner().invoke(main, ["check", "--site", str(site)])
    assert result.exit_code == 1
    assert 'content/a.yaml:2: yaml: mapping values are not allowed in this context; a value with ": " in it ' \
           'must be quoted: title: "A: B"' in result.output


TYPO = ("content/r000.yaml:1: links: unknown link name 'gihtub', did you mean 'github'? "
        "(shown as a link labelled 'gihtub')")


def test_a_mistyped_link_name_is_a_warning_of_check_and_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", [record(links={"gihtub": "https://github.com/a/b",
                                                     "dataset": "https://example.org/d",
                                                     "code": "https://example.org/c"})])
    runner = CliRunner()
    checked = runner.invoke(main, ["check", "--site", str(site)])
    assert checked.exit_code == 0, checked.output
    assert f"Warning: {TYPO}" in checked.output
    assert "dataset" not in checked.output  # a label people mean, not a typo
    assert "OK: 1 paper, no problems (1 warning)." in checked.output
    for _ in range(2):  # the second build changes nothing and still says it
        built = runner.invoke(main, ["build", "--site", str(site)])
        assert built.exit_code == 0, built.output
        assert f"Warning: {TYPO}" in built.output


BIBTEX = """@article{vaswani2017,
  title = {Attention is all you need},
  author = {Vaswani, Ashish and Shazeer, Noam},
  year = {2017},
}
@article{nodate,
  title = {No date at all},
  author = {Doe, Jane},
}
"""


def test_a_year_only_bibtex_import_keeps_the_precise_date_and_the_capitals(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", files={"content/2017/06/12/1706.03762.yaml": (
        'id: "1706.03762"\ntitle: Attention Is All You Need\nabstract: x\npublished: 2017-06-12\n'
        "date: 2017-06-12\n")})
    (tmp_path / "refs.bib").write_text(BIBTEX.replace("@article{vaswani2017,", "@article{vaswani2017,\n"
                                                       "  eprint = {1706.03762}, archivePrefix = {arXiv},"),
                                       encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "bibtex", "--site", str(site), str(tmp_path / "refs.bib")])
    text = (site / "content/2017/06/12/1706.03762.yaml").read_text(encoding="utf-8")
    assert "published: 2017-06-12" in text, result.output
    assert "title: Attention Is All You Need" in text
    assert result.output.rstrip().endswith("; 1 entry skipped"), result.output


def test_the_import_summary_counts_each_kind_of_skip_apart() -> None:
    from generator.importers.run import ImportReport

    report = ImportReport([], ["a", "b", "c", "d"], [], [], False, [], skipped_entries=2, skipped_days=1,
                          markers_left=1)
    assert report.summary() == ("0 records: 0 created, 0 updated, 0 unchanged; 2 entries skipped; "
                                "1 day not imported; 1 day marker not updated")


def _git(cwd: Path, *args: str) -> str:
    import subprocess

    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(cwd), "PATH": "/usr/bin:/bin",
           "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout


def test_a_new_site_stays_clean_in_git_after_builds(tmp_path: Path) -> None:
    import shutil

    from tests.support.tools import require_tool

    require_tool(shutil.which("git") is not None, "git", "apt-get install git")
    site = tmp_path / "site"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(site)]).exit_code == 0
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "new site")
    for _ in range(2):  # the second build swaps a previous site out
        built = runner.invoke(main, ["build", "--site", str(site)])
        assert built.exit_code == 0, built.output
    assert _git(site, "status", "--porcelain", "--ignored=no") == ""
