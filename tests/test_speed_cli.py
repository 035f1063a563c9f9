"""`paperfeed build --profile`, `--jobs` and the progress line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import progress
from generator.cli import main
from tests.conftest import make_site, record


def test_profile_prints_every_stage_then_a_total(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", [record("2512.00001"), record("2512.00002", tags=["a"])])
    result = CliRunner().invoke(main, ["build", "--site", str(site), "--jobs", "1", "--profile"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Built 2 papers into ")
    assert lines[1].split() == ["stage", "wall", "s", "cpu", "s", "share", "peak", "MB"]
    stages = [line.split()[0] for line in lines[2:]]
    assert stages[:5] == ["config", "check", "load", "markup", "index"]
    assert {"render", "feeds", "write", "save"} <= set(stages) and stages[-1] == "total"
    again = CliRunner().invoke(main, ["build", "--site", str(site), "--profile"])
    assert [line.split()[0] for line in again.output.splitlines()[2:]] == ["config", "check", "total"]


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", [record()])
    result = CliRunner().invoke(main, ["build", "--site", str(site), "--jobs", "0"])
    assert result.exit_code == 2


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_shows_after_a_second_and_is_wiped(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 0.5, 1.5, 1.7, 2.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    stream = Terminal()
    line = progress.TerminalProgress(stream)
    line.update("pages", 1, 4)  # at 0.5 s: too early
    assert stream.getvalue() == ""
    line.update("pages", 2, 4)
    line.update("pages", 4, 4)
    line.close()
    shown = stream.getvalue().split("\r")
    assert shown[1].split() == ["pages", "2/4", "50%"] and shown[2].split() == ["pages", "4/4", "100%"]
    assert shown[-1] == "" and shown[-2].strip() == ""


def test_no_progress_line_when_not_on_a_terminal() -> None:
    assert type(progress.progress_for(io.StringIO())) is progress.Progress
