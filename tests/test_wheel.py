"""The release build: the sdist and the wheel made from this tree work for a new user.

As the release workflow does (``python -m build``), the wheel is built from the
unpacked sdist, so a file the sdist forgets breaks this test. The wheel is then
installed alone into a fresh venv (no network: the dependencies come from the
system site packages, the wheel itself goes into the venv and wins), and its
``paperfeed init`` + ``paperfeed build`` must work and pin the wheel's version.
"""

from __future__ import annotations

import email
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

import generator
from generator.newsite import WORKFLOWS
from tests.conftest import REPO

VERSION = generator.__version__
# PEP 517 hooks called directly: hatchling is in the test extra, and neither
# `build` nor an isolated build env (which would download hatchling) is needed.
BUILD_SDIST = "import sys, hatchling.build as b; print(b.build_sdist(sys.argv[1]))"
BUILD_WHEEL = "import sys, hatchling.build as b; print(b.build_wheel(sys.argv[1]))"


def hook(code: str, source: Path, dist: Path) -> Path:
    result = subprocess.run([sys.executable, "-c", code, str(dist)], cwd=source, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    return dist / result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """{"sdist": …, "wheel": …}: the sdist from the tree, the wheel from the unpacked sdist."""
    root = tmp_path_factory.mktemp("release")
    sdist = hook(BUILD_SDIST, REPO, root / "dist")
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4: refuse links and paths out of the folder
            archive.extractall(root / "unpacked", filter="data")
        else:
            archive.extractall(root / "unpacked")  # noqa: S202 (our own sdist, just built)
    [source] = (root / "unpacked").iterdir()
    wheel = hook(BUILD_WHEEL, source, root / "dist")
    return {"sdist": sdist, "wheel": wheel}


def source_files(folder: Path) -> set[str]:
    return {p.relative_to(REPO).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_the_dist_files_carry_the_package_version(dist):
    assert dist["sdist"].name == f"paperfeed-{VERSION}.tar.gz"
    assert dist["wheel"].name == f"paperfeed-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        metadata = email.message_from_bytes(wheel.read(f"paperfeed-{VERSION}.dist-info/METADATA"))
    assert metadata["Name"] == "paperfeed" and metadata["Version"] == VERSION


def test_the_sdist_holds_the_theme_the_scaffold_and_the_package(dist):
    prefix = f"paperfeed-{VERSION}/"
    with tarfile.open(dist["sdist"]) as archive:
        names = {name.removeprefix(prefix) for name in archive.getnames()}
    theme = source_files(REPO / "themes" / "default")
    scaffold = source_files(REPO / "generator" / "scaffold")
    assert any(name.endswith(".html") for name in theme) and any(name.endswith(".css") for name in theme)
    assert {f"generator/scaffold/{name}" for name in WORKFLOWS} <= scaffold
    assert theme <= names, sorted(theme - names)
    assert scaffold <= names, sorted(scaffold - names)
    assert source_files(REPO / "generator") <= names
    assert {"pyproject.toml", "README.md", "PKG-INFO"} <= names
    assert not any(name.startswith((".venv", "node_modules", "public/", ".paperfeed-cache")) for name in names)


def test_the_wheel_ships_the_theme_and_the_scaffold(dist):
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = set(wheel.namelist())
    theme = {"generator/_themes/default/" + name.removeprefix("themes/default/")
             for name in source_files(REPO / "themes" / "default")}
    assert theme <= names, sorted(theme - names)
    assert {f"generator/scaffold/{name}" for name in WORKFLOWS} <= names
    assert "generator/serve_reload.js" in names  # serve's live reload (read as a package resource)


def test_wheel_installs_and_builds_an_init_site(dist, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # The dependencies come from the environment running the tests (a venv too, where the README's
    # commands put them), listed after the venv's own site-packages: the wheel installed there
    # wins, and the test environment's editable paperfeed is not seen (a path added by a .pth
    # line is not a site folder: its own .pth files are not run).
    inner = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           check=True, capture_output=True, text=True).stdout.strip()
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(inner, "_test_dependencies.pth").write_text("\n".join(sorted(outer)) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--no-index", "--force-reinstall", str(dist["wheel"])], check=True, capture_output=True)
    work = tmp_path / "work"
    work.mkdir()
    where = subprocess.run([str(python), "-c", "import generator, generator.themes as t, generator.serve_http as s; "
                            "print(generator.__file__); print(t.default_theme_dir()); print(len(s.LIVE_SCRIPT))"],
                           cwd=work, check=True, capture_output=True, text=True).stdout.splitlines()
    assert where[0].startswith(str(env_dir)), where
    assert where[1].startswith(str(env_dir)) and where[1].endswith("_themes/default"), where
    assert int(where[2]) == len((REPO / "generator" / "serve_reload.js").read_bytes()), where
    paperfeed = env_dir / "bin" / "paperfeed"
    version = subprocess.run([str(paperfeed), "--version"], cwd=work, check=True, capture_output=True,
                             text=True).stdout.strip()
    assert version == f"paperfeed, version {VERSION}"
    subprocess.run([str(paperfeed), "init", "mysite"], cwd=work, check=True, capture_output=True)
    result = subprocess.run([str(paperfeed), "build"], cwd=work / "mysite", capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built 1 paper into ")
    assert (work / "mysite/public/static/style.css").is_file()
    assert "Attention Is All You Need" in (work / "mysite/public/index.html").read_text(encoding="utf-8")
    for name in WORKFLOWS:
        workflow = (work / "mysite/.github/workflows" / name).read_text(encoding="utf-8")
        assert f'run: pip install "paperfeed=={VERSION}"\n' in workflow, name
