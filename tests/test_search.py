"""The search index: Pagefind over the staged site, deterministic, skipped when no HTML changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import generator.search as search
from generator.build import build
from generator.errors import BuildError
from generator.model import OutputFile
from generator.writer import Staging, write_site
from tests.conftest import SITES, make_site


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(SITES / "small", target)
    return target


def _forbid_pagefind(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    runs: list[str] = []
    real = search._run_pagefind

    def counting(site_dir: Path, bundle: Path, glob: str) -> None:
        runs.append(glob)
        real(site_dir, bundle, glob)
    monkeypatch.setattr(search, "_run_pagefind", counting)
    return runs


def test_index_is_byte_identical_across_clean_builds(site: Path, small_site: Path) -> None:
    build(site, clean=True, environ={})
    first = _tree(site / "public" / "pagefind")
    assert any(name.startswith("fragment/") for name in first)
    assert first == _tree(small_site / "pagefind")  # the session build, made separately
    build(site, clean=True, environ={})
    assert _tree(site / "public" / "pagefind") == first


def test_unchanged_rebuild_reuses_the_index(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(site, environ={})
    entry = site / "public" / "pagefind" / "pagefind-entry.json"
    inode = entry.stat().st_ino
    runs = _forbid_pagefind(monkeypatch)
    report = build(site, environ={})
    assert runs == [] and report.changed == 0 and report.removed == 0
    assert entry.stat().st_ino == inode  # hard-linked, not rewritten
    # a change that touches no HTML (a static file) does not re-index either
    (site / "static").mkdir(exist_ok=True)
    (site / "static" / "extra.txt").write_text("hello")
    report = build(site, environ={})
    assert runs == [] and report.changed == 1


def test_changed_text_is_reindexed(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(site, environ={})
    before = _tree(site / "public" / "pagefind")
    runs = _forbid_pagefind(monkeypatch)
    records = site / "content" / "2025" / "12" / "05.yaml"
    records.write_text(records.read_text().replace("Diffusion models, again.", "Quasicrystals, at last."))
    report = build(site, environ={})
    assert runs == ["papers/*/index.html"]
    after = _tree(site / "public" / "pagefind")
    assert after != before and report.changed > 1
    # removing a paper removes its page: re-indexed too
    records.write_text(records.read_text().split("- id: \"2512.00001\"")[0])
    build(site, environ={})
    assert len(runs) == 2


def test_missing_pagefind_fails_cleanly_and_keeps_the_old_site(site: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    build(site, environ={})
    old = _tree(site / "public")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(site / "no-such-binary"))
    with pytest.raises(BuildError, match=r"pip install 'pagefind\[bin\]'"):
        build(site, clean=True, environ={})
    assert _tree(site / "public") == old
    assert not (site / ".public.staging").exists()


def test_writer_finalize_sees_the_staged_site(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site([OutputFile("a.html", b"a"), OutputFile("b.html", b"b")], out)
    seen: list[Staging] = []

    def finalize(staging: Staging) -> list[OutputFile]:
        seen.append(staging)
        assert (staging.root / "a.html").read_bytes() == b"A"
        return [OutputFile("extra/index.json", b"{}")]

    report = write_site([OutputFile("a.html", b"A"), OutputFile("c.html", b"c")], out, finalize=finalize)
    (staging,) = seen
    assert staging.previous == out.absolute()
    assert staging.changed == {"a.html", "c.html"} and staging.removed == {"b.html"}
    assert _tree(out) == {"a.html": b"A", "c.html": b"c", "extra/index.json": b"{}"}
    assert (report.files, report.changed, report.removed) == (3, 3, 1)
    report = write_site([OutputFile("a.html", b"A"), OutputFile("c.html", b"c")], out, finalize=finalize,
                        reuse=False)
    assert seen[-1].previous is None


def test_writer_finalize_failure_leaves_the_old_site(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site([OutputFile("a.html", b"a")], out)

    def clash(staging: Staging) -> list[OutputFile]:
        return [OutputFile("a.html", b"again")]

    with pytest.raises(BuildError, match="two outputs want the same file: a.html"):
        write_site([OutputFile("a.html", b"new")], out, finalize=clash)
    assert _tree(out) == {"a.html": b"a"}


def test_a_site_without_papers_has_no_index(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", records=[])
    build(site, environ={})
    assert (site / "public" / "search" / "index.html").is_file()
    assert not (site / "public" / "pagefind").exists()


def test_writer_keeps_previous_files_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site([OutputFile("a.html", b"a"), OutputFile("idx/x.bin", b"x")], out)
    inode = (out / "idx/x.bin").stat().st_ino
    report = write_site([OutputFile("a.html", b"a")], out,
                        finalize=lambda staging: [OutputFile.keep("idx/x.bin")])
    assert (report.files, report.changed, report.removed) == (2, 0, 0)
    assert (out / "idx/x.bin").stat().st_ino == inode
    assert _tree(out) == {"a.html": b"a", "idx/x.bin": b"x"}
