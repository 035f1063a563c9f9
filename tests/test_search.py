"""The search index: Pagefind over the staged site, deterministic, skipped when no HTML changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import html

import generator.pagefind_run as pagefind_run
import generator.search as search
from generator.build import build
from generator.errors import BuildError
from generator.model import OutputFile
from generator.writer import write_site
from tests.conftest import SITES, make_site
from tests.support.trees import snapshot


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(SITES / "small", target)
    return target


def _count_pagefind(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every Pagefind run (the folder of fragments it read) and let it run."""
    runs: list[str] = []
    real = pagefind_run._pagefind_job

    def counting(site_dir: Path, bundle: Path) -> list[str]:
        runs.append(sorted(p.parent.name for p in site_dir.rglob("index.html")))
        return real(site_dir, bundle)
    monkeypatch.setattr(pagefind_run, "_pagefind_job", counting)
    return runs


@pytest.mark.slow
def test_index_is_byte_identical_across_clean_builds(site: Path, small_site: Path) -> None:
    build(site, clean=True, environ={})
    first = snapshot(site / "public" / "pagefind")
    assert any(name.startswith("1/fragment/") for name in first)
    assert first == snapshot(small_site / "pagefind")  # the session build, made separately
    build(site, clean=True, environ={})
    assert snapshot(site / "public" / "pagefind") == first


@pytest.mark.slow
def test_unchanged_rebuild_reuses_the_index(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(site, environ={})
    entry = site / "public" / "pagefind" / "1" / "pagefind-entry.json"
    inode = entry.stat().st_ino
    runs = _count_pagefind(monkeypatch)
    report = build(site, environ={})
    assert runs == [] and report.changed == 0 and report.removed == 0
    assert entry.stat().st_ino == inode  # hard-linked, not rewritten
    # a change of a static file, a template or an upvote count is not searched: no re-index
    (site / "static").mkdir(exist_ok=True)
    (site / "static" / "extra.txt").write_text("hello")
    report = build(site, environ={})
    assert runs == [] and report.changed == 1
    (site / "templates").mkdir()
    paper = (Path(search.__file__).parents[1] / "themes/default/templates/paper.html").read_text()
    assert "<h1>" in paper
    (site / "templates" / "paper.html").write_text(paper.replace("<h1>", "<h1 class=edited>"))
    report = build(site, environ={})
    assert runs == [] and report.changed >= 7
    records = site / "content" / "2025" / "12" / "05.yaml"
    records.write_text(records.read_text().replace("upvotes: 9", "upvotes: 10"))
    report = build(site, environ={})
    assert runs == [] and report.changed > 1
    assert entry.stat().st_ino == inode


@pytest.mark.slow
def test_changed_text_is_reindexed(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(site, environ={})
    before = snapshot(site / "public" / "pagefind")
    runs = _count_pagefind(monkeypatch)
    records = site / "content" / "2025" / "12" / "05.yaml"
    records.write_text(records.read_text().replace("Diffusion models, again.", "Quasicrystals, at last."))
    report = build(site, environ={})
    assert len(runs) == 1 and "2512.00001" in runs[0]
    after = snapshot(site / "public" / "pagefind")
    assert after != before and report.changed > 1
    # removing a paper removes it from the index too
    records.write_text(records.read_text().split("- id: \"2512.00001\"")[0])
    build(site, environ={})
    assert len(runs) == 2 and "2512.00001" not in runs[1]
    assert snapshot(site / "public" / "pagefind") == snapshot(_clean_copy(site))


def _clean_copy(site: Path) -> Path:
    """The same site built from scratch elsewhere: its pagefind/ folder."""
    other = site.with_name(site.name + "-clean")
    shutil.rmtree(other, ignore_errors=True)
    shutil.copytree(site / "content", other / "content")
    shutil.copy(site / "paperfeed.yaml", other / "paperfeed.yaml")
    build(other, clean=True, environ={})
    return other / "public" / "pagefind"


@pytest.mark.slow
def test_missing_pagefind_fails_cleanly_and_keeps_the_old_site(site: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    build(site, environ={})
    old = snapshot(site / "public")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(site / "no-such-binary"))
    with pytest.raises(BuildError, match=r"pip install 'pagefind\[bin\]'"):
        build(site, clean=True, environ={})
    assert snapshot(site / "public") == old
    assert not (site / ".public.staging").exists()


def test_a_site_without_papers_has_no_index(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", records=[])
    build(site, environ={})
    assert (site / "public" / "search" / "index.html").is_file()
    assert not (site / "public" / "pagefind").exists()
    form = html.fromstring((site / "public" / "search" / "index.html").read_bytes()).xpath("//form[@data-bundles]")
    assert form[0].get("data-bundles") == ""


def test_writer_keeps_previous_files_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # (an index.html: the writer replaces only a folder that looks like a built site)
    write_site([OutputFile("index.html", b"a"), OutputFile("idx/x.bin", b"x")], out)
    inode = (out / "idx/x.bin").stat().st_ino
    report = write_site([OutputFile("index.html", b"a"), OutputFile.keep("idx/x.bin")], out)
    assert (report.files, report.changed, report.removed) == (2, 0, 0)
    assert (out / "idx/x.bin").stat().st_ino == inode
    assert snapshot(out) == {"index.html": b"a", "idx/x.bin": b"x"}
