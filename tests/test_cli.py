"""The command line: exact messages and exit codes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from tests.conftest import SITES, make_site, record


def test_build_prints_one_line_summary(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", [record("2512.00001"), record("2512.00002")])
    result = CliRunner().invoke(main, ["build", "--site", str(site)])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Built 2 papers into \d+ pages \(\d+ files, \d+ KB, \d+ changed, 0 removed\) in "
                        r"\d+\.\d\d s\n", result.stdout)
    assert (site / "public" / "papers" / "2512.00001" / "index.html").is_file()


def test_build_output_and_base_url_flags(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", [record()])
    out = tmp_path / "elsewhere"
    result = CliRunner().invoke(main, ["build", "--site", str(site), "--output", str(out),
                                       "--base-url", "https://user.github.io/papers"])
    assert result.exit_code == 0, result.output
    html = (out / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://user.github.io/papers/">' in html
    assert 'href="/papers/papers/2512.00001/"' in html
    assert not (site / "public").exists()


def test_environment_overrides_base_url(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", [record()], config={"base_url": "https://a.example/"})
    result = CliRunner().invoke(main, ["build", "--site", str(site)],
                                env={"PAPERFEED_BASE_URL": "https://b.example/x/"})
    assert result.exit_code == 0
    assert "https://b.example/x/" in (site / "public" / "index.html").read_text(encoding="utf-8")


def test_check_is_ok_on_the_small_site(tmp_path: Path) -> None:
    site = tmp_path / "small"
    shutil.copytree(SITES / "small", site)
    result = CliRunner().invoke(main, ["check", "--site", str(site)])
    assert result.exit_code == 0
    assert result.stdout == "OK: 7 papers, no problems.\n"
    assert not (site / "public").exists()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["bogus"]).exit_code == 2
    assert runner.invoke(main, ["build", "--site", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(main, ["build", "--no-such-flag"]).exit_code == 2


def test_missing_content_folder_is_a_clear_error(tmp_path: Path) -> None:
    tmp_path.joinpath("paperfeed.yaml").write_text("title: X\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--site", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"paperfeed.yaml: content_dir: folder 'content' not found in {tmp_path}")


def test_init_creates_a_site_that_builds(tmp_path: Path) -> None:
    runner = CliRunner()
    site = tmp_path / "mysite"
    result = runner.invoke(main, ["init", str(site)])
    assert result.exit_code == 0, result.output
    config = (site / "paperfeed.yaml").read_text(encoding="utf-8")
    for key in ("title", "base_url", "per_page", "trending_days", "min_papers", "feed_min_papers"):
        assert f"{key}:" in config
    assert config.count("\n# ") + config.count("\n  # ") > 20, "every option is commented"
    assert (site / ".github" / "workflows" / "deploy.yml").is_file()
    built = runner.invoke(main, ["build", "--site", str(site)])
    assert built.exit_code == 0, built.output
    assert built.stdout.startswith("Built 1 paper into ")
    assert (site / "public" / "papers" / "1706.03762" / "index.html").is_file()


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not empty" in result.stderr
    assert (tmp_path / "x.txt").read_text(encoding="utf-8") == "mine"


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "generator", "--version"], capture_output=True,
                            text=True, check=True)
    assert result.stdout.startswith("paperfeed, version ")
