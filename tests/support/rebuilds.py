"""What the rebuild tests share: a cold build of the same input to compare with, and record edits.

- ``cold_build(site, tmp_path)``: the site's input copied (no output, no cache) and built from
  scratch with one process; its output as ``snapshot`` gives it.
- ``edit_record(path, **fields)``: a change that rewrites one record (path relative to the site)
  with some fields replaced; ``override_template(name, mark)`` and ``set_config(**settings)``:
  a template and a config change.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from generator.build import build
from generator.cache import CACHE_DIR
from generator.themes import default_theme_dir
from tests.support.trees import snapshot


def cold_build(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """The same input built from scratch in another folder, no cache."""
    fresh = tmp_path / "cold"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("public", CACHE_DIR, ".public*"))
    build(fresh, environ={}, clean=True, jobs=1)
    return snapshot(fresh / "public")


def edit_record(path: str, **fields: object) -> Callable[[Path], None]:
    """A change that sets `fields` in the record at `path` (relative to the site)."""
    def change(site: Path) -> None:
        data = yaml.safe_load((site / path).read_text(encoding="utf-8"))
        data.update(fields)
        (site / path).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return change


def override_template(name: str, mark: str) -> Callable[[Path], None]:
    """A change that overrides the theme's template `name` in the site, with `mark` added at the
    start of its main block (so every page of that template changes)."""
    def change(site: Path) -> None:
        text = (default_theme_dir() / "templates" / name).read_text(encoding="utf-8")
        (site / "templates").mkdir(exist_ok=True)
        (site / "templates" / name).write_text(text.replace("{% block main %}", "{% block main %}" + mark, 1),
                                               encoding="utf-8")
    return change


def set_config(**settings: object) -> Callable[[Path], None]:
    """A change that sets top-level settings in the site's paperfeed.yaml."""
    def change(site: Path) -> None:
        config = yaml.safe_load((site / "paperfeed.yaml").read_text(encoding="utf-8"))
        config.update(settings)
        (site / "paperfeed.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return change
