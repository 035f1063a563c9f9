"""The docs are part of the product (in the spirit of sqlite-utils' test_docs.py).

Every command and option of `paperfeed` is in docs/cli.md, every config key in
docs/configuration.md (generated from the schema: regenerate with `python -m generator.docs`),
every link between the README and docs/*.md resolves, and the README stays one screen.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from generator.cli import main
from generator.docs import DOCS_PAGE, config_keys, configuration_page

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
PAGES = [REPO / "README.md", *sorted(DOCS.glob("*.md"))]
README_MAX_LINES = 120


def commands(group: click.Group, prefix: str = "paperfeed") -> list[tuple[str, click.Command]]:
    """Every command under the group, subcommands of `import` included, as (full name, command)."""
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix} {name}")
    return found


def options(command: click.Command) -> list[str]:
    return [opt for param in command.params if isinstance(param, click.Option) for opt in param.opts]


def section(text: str, heading: str) -> str:
    """The text under a heading naming the command (`## `paperfeed build``), up to the next heading."""
    match = re.search(rf"^#+ `{re.escape(heading)}`\n(.*?)(?=^#)", text + "\n#", re.M | re.S)
    assert match, f"docs/cli.md has no heading for `{heading}`"
    return match.group(1)


CLI = (DOCS / "cli.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name,command", commands(main), ids=[name for name, _ in commands(main)])
def test_every_command_and_its_options_are_documented(name: str, command: click.Command) -> None:
    text = section(CLI, name)
    for option in options(command):
        assert f"`{option}" in text, f"{name} {option} is not documented in docs/cli.md"


def test_the_programs_own_options_are_documented() -> None:
    intro = CLI.split("\n## ", 1)[0]
    for option in options(main):
        assert f"`paperfeed {option}`" in intro, option


def test_the_command_walk_sees_every_command() -> None:
    names = [name for name, _ in commands(main)]
    assert {"paperfeed build", "paperfeed import", "paperfeed import hf", "paperfeed import bibtex",
            "paperfeed digest"} <= set(names)


def test_configuration_page_is_what_the_schema_generates() -> None:
    assert DOCS_PAGE.read_text(encoding="utf-8") == configuration_page(), \
        "docs/configuration.md is stale: run `python -m generator.docs`"


@pytest.mark.parametrize("key", config_keys())
def test_every_config_key_is_documented(key: str) -> None:
    assert f"`{key}`" in DOCS_PAGE.read_text(encoding="utf-8"), f"{key} is not in docs/configuration.md"


def test_config_keys_are_nested() -> None:
    keys = config_keys()
    assert {"base_url", "tags.min_papers", "limits.max_site_mb", "feeds.term_items",
            "email.recipients"} <= set(keys)
    assert "site_dir" not in keys


def github_anchors(text: str) -> set[str]:
    """Anchors GitHub gives the headings of a Markdown page (outside code blocks)."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    anchors: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in anchors:
            n += 1
            candidate = f"{slug}-{n}"
        anchors.add(candidate)
    return anchors


def links(text: str) -> list[str]:
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return re.findall(r"\]\(([^)\s]+)\)", text)


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(REPO).as_posix() for p in PAGES])
def test_every_internal_link_resolves(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for link in links(text):
        if re.match(r"[a-z]+:", link):
            continue  # http(s), mailto: not checked here
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        assert path.exists(), f"{page.name}: {link}: no such file"
        if anchor and path.suffix == ".md":
            assert anchor in github_anchors(path.read_text(encoding="utf-8")), \
                f"{page.name}: {link}: no such heading"


def test_every_docs_page_is_linked_from_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for page in sorted(DOCS.glob("*.md")):
        assert f"](docs/{page.name}" in readme, f"docs/{page.name} is not linked from the README"


def test_the_readme_is_a_short_front_page() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= README_MAX_LINES
    for heading in ("## A 5-minute tour", "## Commands", "## Documentation"):
        assert heading in readme
    tour = readme.split("## A 5-minute tour", 1)[1].split("\n## ", 1)[0]
    for step in ("paperfeed init", "paperfeed import", "paperfeed build", "Deploy"):
        assert step in tour, step
