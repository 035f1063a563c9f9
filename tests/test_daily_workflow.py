"""The daily import workflow that `paperfeed init` writes, the pre-commit hook, and their docs."""

from __future__ import annotations

import re
from pathlib import Path

import click
import yaml

from generator.cli import main
from generator.newsite import create_site, scaffold_workflow
from tests.conftest import REPO

SCAFFOLD = REPO / "generator" / "scaffold" / "import.yml"


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_init_writes_the_import_workflow(tmp_path: Path) -> None:
    created = create_site(tmp_path / "site", "Papers", "https://example.org/")
    workflow_path = tmp_path / "site" / ".github" / "workflows" / "import.yml"
    assert workflow_path in created
    assert workflow_path.read_text("utf-8") == scaffold_workflow("import.yml")  # the version pinned


def test_the_import_workflow_imports_checks_commits_and_triggers_deploy() -> None:
    text = SCAFFOLD.read_text("utf-8")
    workflow = yaml.safe_load(text)
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    runs = "\n".join(step.get("run", "") for step in steps(workflow))
    assert "paperfeed import hf --fetch" in runs
    assert "paperfeed check" in runs
    assert "git add content" in runs and "git push" in runs
    assert "gh workflow run deploy.yml" in runs  # without the secret, deploy is started explicitly
    checkout = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["token"] == "${{ secrets.PAPERFEED_PUSH_TOKEN || github.token }}"
    assert workflow["permissions"] == {"contents": "write", "actions": "write"}
    header = text.split("\nname:", 1)[0]
    assert "PAPERFEED_PUSH_TOKEN" in header and "Disable workflow" in header  # the secret; turning it off


def test_pre_commit_hook_runs_check_on_records_and_config() -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "paperfeed-check"
    assert hook["entry"] == "paperfeed check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("content/2025/12/08/2512.01234.yaml") and files.search("paperfeed.yaml")
    assert not files.search("README.md") and not files.search("public/feed.xml")


def test_readme_explains_the_daily_workflow_and_every_command() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    daily = readme.split("## Daily workflow", 1)[1].split("\n## ", 1)[0]
    for step in ("paperfeed import hf", "git", "deploy", "feed", "paperfeed digest --send",
                 "PAPERFEED_PUSH_TOKEN", "Disable workflow"):
        assert step in daily, step
    for name, command in main.commands.items():
        names = [f"paperfeed {name} {sub}" for sub in command.commands] \
            if isinstance(command, click.Group) else [f"paperfeed {name}"]
        for shown in names:
            assert f"`{shown}" in readme, f"{shown} is not documented in README.md"
