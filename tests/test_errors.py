"""One broken site per error class, each with its exact message (tests/sites/invalid/*/expected.txt)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

INVALID = Path(__file__).parent / "sites" / "invalid"
CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_broken_site_reports_exact_problems(case: str, tmp_path: Path) -> None:
    site = tmp_path / case
    shutil.copytree(INVALID / case, site)
    (site / "content").mkdir(exist_ok=True)
    result = CliRunner().invoke(main, ["build", "--site", str(site)])
    expected = (INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    lines = result.stderr.splitlines()
    assert result.exit_code == 1
    assert lines[:-1] == expected
    assert lines[-1].startswith(f"Error: {len(expected)} problem")
    assert lines[-1].endswith("nothing was written.")
    assert "Traceback" not in result.output
    assert not (site / "public").exists()


@pytest.mark.parametrize("case", CASES)
def test_check_reports_the_same_problems(case: str, tmp_path: Path) -> None:
    site = tmp_path / case
    shutil.copytree(INVALID / case, site)
    (site / "content").mkdir(exist_ok=True)
    result = CliRunner().invoke(main, ["check", "--site", str(site)])
    expected = (INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == expected


def test_failed_build_leaves_previous_output_untouched(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(INVALID / "wrong_type", site)
    good = site / "content" / "a.yaml"
    broken = good.read_bytes()
    good.write_text('id: "2512.00001"\ntitle: A paper\nabstract: x\ndate: 2025-12-08\n', encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--site", str(site)]).exit_code == 0
    before = {p: p.read_bytes() for p in (site / "public").rglob("*") if p.is_file()}
    good.write_bytes(broken)
    assert runner.invoke(main, ["build", "--site", str(site)]).exit_code == 1
    after = {p: p.read_bytes() for p in (site / "public").rglob("*") if p.is_file()}
    assert after == before
    assert not list(tmp_path.glob("site/.public.staging*"))
