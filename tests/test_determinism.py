"""Same input, byte-identical site: across rebuilds and whatever the order of files on disk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.build import build
from tests.conftest import SITES
from tests.support.trees import snapshot


def _copy_in_order(src: Path, dst: Path, reverse: bool) -> None:
    """Recreate a site creating files in a chosen order (directory order follows creation on most fs)."""
    files = sorted((p for p in src.rglob("*") if p.is_file()), reverse=reverse)
    for path in files:
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())


def test_rebuild_is_byte_identical_and_rewrites_nothing(small_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "small", site)
    first = build(site, environ={})
    before = snapshot(site / "public")
    inodes = {p: os.stat(site / "public" / p).st_ino for p in before}
    second = build(site, environ={})
    assert snapshot(site / "public") == before
    assert second.changed == 0 and first.changed == first.files
    assert {p: os.stat(site / "public" / p).st_ino for p in before} == inodes
    assert before == snapshot(small_site)


@pytest.mark.slow
def test_file_creation_order_does_not_matter(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _copy_in_order(SITES / "small", a, reverse=False)
    _copy_in_order(SITES / "small", b, reverse=True)
    build(a, environ={})
    build(b, environ={})
    assert snapshot(a / "public") == snapshot(b / "public")


@pytest.mark.slow
def test_removed_record_disappears_from_output(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "small", site)
    build(site, environ={})
    assert (site / "public/papers/2511.00002/index.html").is_file()
    (site / "content/2025/11-21.yaml").unlink()
    report = build(site, environ={})
    assert not (site / "public/papers/2511.00002").exists()
    assert not (site / "public/months/2025-11").exists()
    assert report.removed > 0
