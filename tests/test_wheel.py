"""`pip install .` (not only -e) ships the default theme: init + build work from the wheel alone."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

from tests.conftest import REPO


def test_wheel_installs_and_builds_an_init_site(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(dist), str(REPO)], check=True, capture_output=True)
    wheel = next(dist.glob("paperfeed-*.whl"))
    env_dir = tmp_path / "venv"
    # system site packages supply the dependencies; the wheel itself goes into the venv and wins
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--force-reinstall", str(wheel)], check=True, capture_output=True)
    work = tmp_path / "work"
    work.mkdir()
    where = subprocess.run([str(python), "-c", "import generator, generator.themes as t; "
                            "print(generator.__file__); print(t.default_theme_dir())"],
                           cwd=work, check=True, capture_output=True, text=True).stdout.splitlines()
    assert where[0].startswith(str(env_dir)), where
    assert where[1].startswith(str(env_dir)) and where[1].endswith("_themes/default"), where
    paperfeed = env_dir / "bin" / "paperfeed"
    subprocess.run([str(paperfeed), "init", "mysite"], cwd=work, check=True, capture_output=True)
    result = subprocess.run([str(paperfeed), "build"], cwd=work / "mysite", capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built 1 paper into ")
    assert (work / "mysite/public/static/style.css").is_file()
    assert "Attention Is All You Need" in (work / "mysite/public/index.html").read_text(encoding="utf-8")
