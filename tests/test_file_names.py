"""A record file whose name is not UTF-8: check and build agree, and neither crashes.

POSIX file names are bytes; git stores any, but macOS and Windows cannot check such a
file out, and Python holds the bad bytes as lone surrogates that crash UTF-8 encoding
(the cache's digest of the path did). Both commands refuse the file with a content error
naming it, its bytes as \\x escapes, exit 1, and write nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import make_site, record

MESSAGE = "the file name is not valid UTF-8 (its bytes are shown as \\x escapes); rename the file"


def _bad(path: Path) -> Path:
    """path with a byte 0xff for its BAD (a Latin-1 'ÿ' from an old tool, say)."""
    return Path(os.fsdecode(os.fsencode(str(path)).replace(b"BAD", b"bad\xff")))


def _site(tmp_path: Path, name: str) -> Path:
    site = make_site(tmp_path / "site", [record("2512.00001", tags=["rl"])])
    bad = _bad(site / "content" / name)
    try:
        bad.parent.mkdir(parents=True, exist_ok=True)
        bad.write_text("id: 2512.00002\ntitle: T\nabstract: A.\ndate: 2025-12-08\n", encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    return site


NAMES = {"file": ("BAD.yaml", "content/bad\\xff.yaml"), "folder": ("BAD/x.yaml", "content/bad\\xff/x.yaml")}


def _expected(where: str) -> str:
    return f"{NAMES[where][1]}: {MESSAGE}\nError: 1 problem in 1 file; nothing was written.\n"


@pytest.fixture(params=list(NAMES))
def where(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("command", ["check", "build"])
def test_check_and_build_refuse_a_name_that_is_not_utf8(tmp_path: Path, where: str, command: str) -> None:
    site = _site(tmp_path, NAMES[where][0])
    result = CliRunner().invoke(main, [command, "--site", str(site)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stderr == _expected(where) and result.stdout == ""
    assert not (site / "public").exists()


@pytest.mark.slow
def test_a_real_process_says_the_same_and_the_last_site_stays(tmp_path: Path, where: str) -> None:
    site = make_site(tmp_path / "site", [record("2512.00001")])
    run = [sys.executable, "-m", "generator"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    built = subprocess.run([*run, "build", "--site", str(site)], capture_output=True, text=True, env=env)
    assert built.returncode == 0, built.stderr
    before = (site / "public" / "index.html").read_bytes()
    bad = _bad(site / "content" / NAMES[where][0])
    try:
        bad.parent.mkdir(parents=True, exist_ok=True)
        bad.write_text("id: 2512.00002\ntitle: T\nabstract: A.\ndate: 2025-12-08\n", encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    for command in ("check", "build", "build"):  # the second build: with the cache the first one left
        done = subprocess.run([*run, command, "--site", str(site)], capture_output=True, text=True, env=env)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", _expected(where)), command
        assert "Traceback" not in done.stderr
    assert (site / "public" / "index.html").read_bytes() == before
    bad.rename(site / "content" / "fixed.yaml")  # renamed: builds again
    fixed = subprocess.run([*run, "build", "--site", str(site)], capture_output=True, text=True, env=env)
    assert fixed.returncode == 0, fixed.stderr
    assert (site / "public" / "papers" / "2512.00002" / "index.html").is_file()
