"""Shared fixtures (sites built in place, one session-scoped build of the small sample site) and the tiers.

Tiers (docs/testing.md): `pytest -m "not slow"` is the fast inner loop; CI runs everything.
A test marked `browser`, `external` or `big` is made `slow` here, so the kind is enough.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import generator.search as search
from generator.build import build

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
REPO = TESTS.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite tests/golden/ from the current build instead of comparing.")


#: Markers for the kinds of slow test (registered in pyproject.toml); each implies `slow`.
SLOW_KINDS = ("browser", "external", "big")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every browser, external and big test slow too, so `-m "not slow"` leaves them out."""
    for item in items:
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def seal_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The cache's seal (generator/seal.py) on, under CI too, with a key of the suite's own: every
    build here reads back sealed caches the way a user's machine does, and every forged or
    damaged cache file must get past a seal that no longer fits. Yields the key's state folder."""
    import os

    state = tmp_path_factory.mktemp("state")
    saved = {name: os.environ.get(name) for name in ("XDG_STATE_HOME", "PAPERFEED_SEAL")}
    os.environ["XDG_STATE_HOME"], os.environ["PAPERFEED_SEAL"] = str(state), "1"
    yield state
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def make_site(root: Path, records: list[dict[str, Any]] | None = None,
              config: dict[str, Any] | None = None, files: dict[str, str | bytes] | None = None) -> Path:
    """A site folder: paperfeed.yaml from `config`, one YAML file per record, raw extra files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "paperfeed.yaml").write_text(yaml.safe_dump(config or {"title": "Test"}), encoding="utf-8")
    content = root / "content"
    content.mkdir(exist_ok=True)
    for i, record in enumerate(records or []):
        (content / f"r{i:03d}.yaml").write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    for rel, data in (files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def record(id: str = "2512.00001", **fields: Any) -> dict[str, Any]:
    """A valid record with overridable fields."""
    base: dict[str, Any] = {"id": id, "title": f"Paper {id}", "abstract": "An abstract.",
                            "date": "2025-12-08", "upvotes": 1}
    base.update(fields)
    return base


@pytest.fixture(scope="session")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/small built once; returns its output folder."""
    site = tmp_path_factory.mktemp("small") / "site"
    shutil.copytree(SITES / "small", site)
    build(site, environ={})
    return site / "public"


@pytest.fixture(scope="module")
def small_shards() -> Iterator[None]:
    """Search shards of 4 papers for one test module, so a small site has several shards and
    edits move papers between kept and re-made ones. Use it with
    `pytestmark = pytest.mark.usefixtures("small_shards")` (or as a fixture's argument)."""
    saved, search.SHARD_PAPERS = search.SHARD_PAPERS, 4
    yield
    search.SHARD_PAPERS = saved


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Importers reach the network only through fetch(); in tests it must never be called. Use it
    with `pytestmark = pytest.mark.usefixtures("no_network")`."""
    from generator.importers import newrecord
    from generator.importers import run as import_run

    def refuse(url: str) -> bytes:
        raise AssertionError(f"network used in a test: {url}")
    monkeypatch.setattr(import_run, "fetch", refuse)
    monkeypatch.setattr(newrecord, "fetch", refuse)
