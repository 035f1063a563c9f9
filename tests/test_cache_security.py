"""The build cache is data, never code, checked, and trusted no more than the records.

A site is built once (output and cache); each test copies it, plants, damages or
forges something in .paperfeed-cache, removes the output (so the rebuild uses the
records and markup caches, not the no-change shortcut), rebuilds, and compares
every output file with a clean build of the same records.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import generator
from generator.build import build
from generator.cache import CACHE_DIR, MarkupCache, Section
from generator.cachecodec import PLAIN, Invalid, Unencodable
from generator.config import load_config
from generator.ledger import Ledger
from generator.record import RecordContext
from generator.writer import content_digest
from tests.conftest import make_site, record
from tests.support.trees import snapshot

MARKER = "pwned-marker"


def records() -> list[dict]:
    return [
        record("2512.00001", title="Attention with $x^2$", abstract="An **abstract** with `code` and $y$.",
               authors=[{"name": "Ada Lovelace", "affiliation": "Analytical", "url": "https://ada.example/"},
                        "Alan Turing"], tags=["attention", "agents"], links={"code": "https://code.example/a"},
               extra={"venue": "NeurIPS", "year": 2025, "when": date(2025, 12, 1), "list": [1, "two", None]},
               thumbnail="/img/a.png", published="2025-11-30"),
        record("2512.00002", title="Diffusion", abstract="Second [link](https://example.org/2).",
               authors=["Grace Hopper"], tags=["diffusion"]),
        record("my-slug.1", title="A slug paper", abstract="Plain.", date="2025-12-07",
               extra={"stamp": datetime(2025, 12, 1, 10, 0, tzinfo=UTC), "nested": {"a": [1.5, True]}}),
    ]


@pytest.fixture(scope="module")
def base_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("cachesec") / "site", records(),
                     {"title": "Cache", "base_url": "https://example.org/"})
    build(site, environ={})
    return site


@pytest.fixture(scope="module")
def clean(base_site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    fresh = tmp_path_factory.mktemp("cachesec-clean") / "site"
    shutil.copytree(base_site, fresh, ignore=shutil.ignore_patterns("public", CACHE_DIR, ".public*"))
    build(fresh, environ={}, clean=True, jobs=1)
    return snapshot(fresh / "public")


def copy(base_site: Path, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(base_site, site, symlinks=True)
    return site


def rebuild(site: Path) -> dict[str, bytes]:
    """Rebuild without the output and the cache's mirror of it, so every cached record and
    markup entry is looked at (pages are made again, not kept)."""
    shutil.rmtree(site / "public")
    for mirror in (site / CACHE_DIR).glob("spare-*"):
        shutil.rmtree(mirror)
    build(site, environ={})
    return snapshot(site / "public")


def sections(site: Path) -> list[Path]:
    found = sorted((site / CACHE_DIR).glob("*.jsonl"))
    assert {p.stem for p in found} >= {"files", "records", "markup"}
    assert any(p.stem.startswith("output-") for p in found)
    return found


def section_for(site: Path, name: str) -> Section:
    """A Section with the key the build uses: what anyone with the code can compute."""
    salt = {"markup": "", "files": repr(RecordContext()), "records": repr(RecordContext())}.get(name)
    if salt is None:
        salt = str(load_config(site).output_dir)
    return Section(site / CACHE_DIR, name, salt)


def forge(site: Path, name: str, change: Callable[[str, str], tuple[str, str] | None]) -> int:
    """Rewrite a section's entries with `change(key, value text)`, with valid checksums, as an
    attacker with the source code could; returns how many entries were changed."""
    section = section_for(site, name)
    assert section.path is not None
    lines = section.path.read_bytes().split(b"\n")
    out, changed = [lines[0]], 0
    for line in lines[1:]:
        key_text, text = line[33:].decode("ascii").split("\t", 1)
        new = change(json.loads(key_text), text)
        if new is None:
            out.append(line)
            continue
        changed += 1
        rest = f"{json.dumps(new[0])}\t{new[1]}".encode("ascii")
        out.append(section._mac(rest) + b"\t" + rest)
    section.path.write_bytes(b"\n".join(out))
    return changed


def test_no_pickle_in_the_package() -> None:
    package = Path(generator.__file__).parent
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import pickle" not in text and "pickle." not in text and "marshal" not in text, path


@pytest.mark.parametrize("names", [["files", "records", "markup", "output"],
                                   ["files.pickle", "records.pickle", "markup.pickle"]])
@pytest.mark.slow
def test_a_planted_pickle_never_runs(base_site: Path, clean: dict[str, bytes], tmp_path: Path,
                                     names: list[str]) -> None:
    site = copy(base_site, tmp_path)
    marker = tmp_path / MARKER

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return exec, (f"open({str(marker)!r}, 'w').write('ran')",)

    payload = pickle.dumps((Evil(), {}))
    for path in sections(site):
        stem = path.stem.split("-")[0]
        if stem in names:
            path.write_bytes(payload)
    for name in names:
        if name.endswith(".pickle"):
            (site / CACHE_DIR / name).write_bytes(payload)
    assert rebuild(site) == clean
    assert not marker.exists()


@pytest.mark.slow
def test_json_that_is_not_ours_is_ignored(base_site: Path, clean: dict[str, bytes], tmp_path: Path) -> None:
    site = copy(base_site, tmp_path)
    for path in sections(site):
        path.write_text(json.dumps({"salt": "x", "keys": {}, "__class__": "os.system"}))
    assert rebuild(site) == clean


@pytest.mark.parametrize("where", [0.0, 0.3, 0.5, 0.8, 1.0])
@pytest.mark.slow
def test_a_flipped_byte_in_any_section_changes_nothing(base_site: Path, clean: dict[str, bytes],
                                                       tmp_path: Path, where: float) -> None:
    site = copy(base_site, tmp_path)
    for path in sections(site):
        data = bytearray(path.read_bytes())
        at = min(int(len(data) * where), len(data) - 1)
        data[at] ^= 0x04
        path.write_bytes(bytes(data))
    assert rebuild(site) == clean


@pytest.mark.slow
def test_every_flipped_byte_in_markup_is_caught(base_site: Path) -> None:
    """Each byte of each entry line, one at a time: the entry fails its check, or nothing differs."""
    section = section_for(base_site, "markup")
    assert section.path is not None
    good = section.load()
    data = section.path.read_bytes()
    for at in range(0, len(data), 7):
        damaged = bytearray(data)
        damaged[at] ^= 0x20
        section.path.write_bytes(bytes(damaged))
        found = section.load()
        assert all(good[key] == value for key, value in found.items())
    section.path.write_bytes(data)


@pytest.mark.parametrize("keep", [0, 10, 0.5, -1])
@pytest.mark.slow
def test_a_truncated_section_is_rebuilt(base_site: Path, clean: dict[str, bytes], tmp_path: Path,
                                        keep: float) -> None:
    site = copy(base_site, tmp_path)
    for path in sections(site):
        data = path.read_bytes()
        path.write_bytes(data[:int(len(data) * keep) if isinstance(keep, float) else keep])
    assert rebuild(site) == clean


@pytest.mark.slow
def test_a_forged_script_in_markup_is_not_published(base_site: Path, clean: dict[str, bytes],
                                                    tmp_path: Path) -> None:
    site = copy(base_site, tmp_path)

    def inject(key: str, text: str) -> tuple[str, str] | None:
        if len(json.loads(text)) == 3:  # an abstract: (html, plain text, description)
            return key, json.dumps(["<p>Owned<script>alert(1)</script><img src=x onerror=alert(2)></p>", "Owned",
                                    "Owned"])
        return key, json.dumps(['<a href="javascript:alert(3)">t</a>', "t"])  # a title: (html, plain text)

    assert forge(site, "markup", inject) >= 6
    out = rebuild(site)
    assert out == clean
    assert not any(b"alert(" in data for data in out.values())


@pytest.mark.slow
def test_a_forged_markup_entry_of_the_other_kind_is_refused(base_site: Path, clean: dict[str, bytes],
                                                            tmp_path: Path) -> None:
    site = copy(base_site, tmp_path)

    def swap(key: str, text: str) -> tuple[str, str]:
        value = json.loads(text)  # a title's two forms for an abstract's three, and the other way round
        return key, json.dumps(value[:2] if len(value) == 3 else [*value, "text"])

    assert forge(site, "markup", swap) >= 6
    assert rebuild(site) == clean


@pytest.mark.slow
def test_forged_sanitised_markup_is_at_most_what_a_record_could_say(base_site: Path, tmp_path: Path) -> None:
    """The one thing a forger can do (documented in generator/cache.py): show other, sanitised HTML;
    the same as editing the record, never markup the sanitiser would not let through."""
    site = copy(base_site, tmp_path)
    forge(site, "markup", lambda key, text: (key, json.dumps(["Other <em>title</em>", "Other title"]))
          if len(json.loads(text)) == 2 else None)
    out = rebuild(site)
    assert b"Other <em>title</em>" in out["index.html"]


@pytest.mark.slow
def test_forged_records_are_refused(base_site: Path, clean: dict[str, bytes], tmp_path: Path) -> None:
    """A javascript: link, a bad id, a paper claiming another file: the records are parsed again."""
    for forgery in ("link", "id", "source", "type", "deep"):
        site = copy(base_site, tmp_path / forgery)

        def change(key: str, text: str, forgery: str = forgery) -> tuple[str, str] | None:
            shown, papers, problems = json.loads(text)
            if not papers:
                return None
            paper = papers[0]
            if forgery == "link":
                paper[14] = [["code", "javascript:alert(1)"]]
            elif forgery == "id":
                paper[0] = "../../etc"
            elif forgery == "source":
                paper[6] = shown = "content/other.yaml"
            elif forgery == "type":
                paper[12] = "12"
            else:
                return key, "[" * 100_000 + "]" * 100_000
            return key, json.dumps([shown, papers, problems])

        assert forge(site, "records", change) == 3
        assert rebuild(site) == clean, forgery


@pytest.mark.slow
def test_a_cached_paper_stands_only_for_its_own_file(base_site: Path, clean: dict[str, bytes],
                                                     tmp_path: Path) -> None:
    """Each file's entry moved to another file's digest (valid checksums): nothing is taken for another."""
    site = copy(base_site, tmp_path)
    entries: dict[str, str] = {}
    forge(site, "records", lambda key, text: entries.setdefault(key, text) and None)
    keys = sorted(entries)
    moved = {keys[i]: entries[keys[(i + 1) % len(keys)]] for i in range(len(keys))}
    assert forge(site, "records", lambda key, text: (key, moved[key])) == 3
    assert rebuild(site) == clean


@pytest.mark.slow
def test_a_forged_files_index_entry_does_not_crash(base_site: Path, clean: dict[str, bytes],
                                                   tmp_path: Path) -> None:
    site = copy(base_site, tmp_path)
    assert forge(site, "files", lambda key, text: (key, json.dumps({"content/r000.yaml": [1, 2, "x", 4]}))) == 1
    assert rebuild(site) == clean


@pytest.mark.slow
def test_a_symlinked_cache_is_never_written_through(base_site: Path, clean: dict[str, bytes], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    site = copy(base_site, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("the user's file")
    shutil.rmtree(site / CACHE_DIR)
    (site / CACHE_DIR).symlink_to(elsewhere, target_is_directory=True)
    assert rebuild(site) == clean
    build(site, environ={})
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
    assert (elsewhere / "keep.txt").read_text() == "the user's file"
    assert (site / CACHE_DIR).is_symlink()
    assert capsys.readouterr().err.count("is a symlink") == 1


@pytest.mark.slow
def test_a_cache_that_is_a_file_is_ignored(base_site: Path, clean: dict[str, bytes], tmp_path: Path) -> None:
    site = copy(base_site, tmp_path)
    shutil.rmtree(site / CACHE_DIR)
    (site / CACHE_DIR).write_text("not a folder")
    assert rebuild(site) == clean
    assert (site / CACHE_DIR).read_text() == "not a folder"


@pytest.mark.slow
def test_a_symlinked_section_is_not_read_or_written_through(base_site: Path, clean: dict[str, bytes],
                                                            tmp_path: Path) -> None:
    site = copy(base_site, tmp_path)
    outside = tmp_path / "outside.jsonl"
    for path in sections(site):
        outside.write_bytes(path.read_bytes())  # a valid section, but reached through a link
        path.unlink()
        path.symlink_to(outside)
    before = outside.read_bytes()
    assert rebuild(site) == clean
    assert outside.read_bytes() == before
    assert not any(p.is_symlink() for p in (site / CACHE_DIR).iterdir())


def test_the_plain_codec_keeps_types() -> None:
    value = {"files": {"a.html": (1, 2)}, "groups": {"p/": ["k", ["x", "y"]]}, "n": 3, "f": 1.5,
             "none": None, "flag": True, "day": date(2025, 1, 2), "t": ((1,), [()])}
    text = PLAIN.encode(value)
    assert PLAIN.decode(text) == value
    assert type(PLAIN.decode(text)["files"]["a.html"]) is tuple
    assert type(PLAIN.decode(text)["groups"]["p/"]) is list
    for bad in ({1: "int key"}, {"\0": 1}, {1, 2}, float("nan"), b"bytes"):
        with pytest.raises(Unencodable):
            PLAIN.encode(bad)
    for bad in ('{"\\u0000": 1}', '{"\\u0000": [1], "x": 2}', '{"\\u0000d": "2025-13-01"}', "NaN"):
        with pytest.raises(ValueError):
            PLAIN.decode(bad)
    with pytest.raises(Invalid):
        PLAIN.decode('{"\\u0000": 1}')


def test_markup_keys_carry_their_kind() -> None:
    assert MarkupCache.key("title", "x")[:1] == b"t" and MarkupCache.key("abstract", "x")[:1] == b"a"
    assert MarkupCache.key("title", "x")[1:] != MarkupCache.key("abstract", "x")[1:]


def test_a_section_survives_its_round_trip(tmp_path: Path) -> None:
    section = Section(tmp_path / CACHE_DIR, "output-x", "salt")
    data = {"salt": "s", "keys": {"a/index.html": "k" * 32}, "files": {"a/index.html": (10, 20)},
            "groups": {"pagefind/": ["k", ["pagefind/1"]]}, "report": {"papers": 1}, "odd\tkey\n": "é\udc80"}
    section.save(data)
    assert section.load() == data
    assert Section(tmp_path / CACHE_DIR, "output-x", "other salt").load() == {}
    assert Section(tmp_path / CACHE_DIR, "output-x", "salt", fresh=True).load() == {}
    assert sorted(os.listdir(tmp_path / CACHE_DIR)) == [".gitignore", "output-x.jsonl", "output-x.jsonl.seal"]


def rebuild_keeping_mirror(site: Path) -> dict[str, bytes]:
    """A fresh CI checkout with the cache restored: no output folder, the cache's mirror kept."""
    shutil.rmtree(site / "public", ignore_errors=True)
    build(site, environ={})
    return snapshot(site / "public")


def _git(site: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=site,
                   check=True, capture_output=True)


@pytest.mark.slow
def test_a_committed_cache_with_a_forged_site_is_never_deployed(base_site: Path, clean: dict[str, bytes],
                                                                tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A pull request that commits `.paperfeed-cache` (git add -f) with a doctored mirror of the
    site: a fresh CI checkout has no output folder, so the mirror would become the site."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    site = copy(base_site, tmp_path)
    shutil.rmtree(site / "public")
    (page,) = (site / CACHE_DIR).glob("spare-*/index.html")
    forged = page.read_bytes().replace(b"</body>", b"<script>alert(1)</script></body>")
    page.unlink()  # a hard link to nothing else now: the mirror's own copy
    page.write_bytes(forged)
    # ... and its entry in the ledger, as anyone can: the cache's checksums guard against
    # damage, not against its author (their key is in the code).
    ledger = Ledger(site / CACHE_DIR, "", site / "public", "public", fresh=False)
    stat = page.stat()
    files = ledger.stored["files"] | {"index.html": [stat.st_size, stat.st_mtime_ns, content_digest(forged)]}
    ledger.section.save(dict(ledger.stored) | {"files": files})
    assert rebuild_keeping_mirror(copy(site, tmp_path / "unprotected")) != clean  # the forgery works...
    generator.cache._committed.cache_clear()
    # ... unless the cache is committed to git, as it must be to reach CI in a pull request
    _git(site, "init", "-q")
    _git(site, "add", "-f", ".")
    _git(site, "commit", "-qm", "a pull request")
    capsys.readouterr()
    build(site, environ={})
    assert snapshot(site / "public") == clean
    assert "is committed to git: building without the cache" in capsys.readouterr().err
    _git(site, "rm", "-rq", "--cached", CACHE_DIR)  # the fix the warning gives: the cache is used again
    generator.cache._committed.cache_clear()
    capsys.readouterr()
    build(site, environ={})
    assert "committed" not in capsys.readouterr().err
