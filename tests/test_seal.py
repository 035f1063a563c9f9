"""The cache's seal (generator/seal.py): a file this user's build wrote is read back without the
checks; anything else (changed, another machine's, no seal) is checked as before."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import generator.cache as cache_module
from generator.build import build
from generator.cache import CACHE_DIR, Section
from generator.cachecodec import decode_parsed, encode_parsed, trusted_parsed
from generator.content import load_papers, record_files
from generator.record import RecordContext
from generator.seal import key_path, machine_key
from tests.conftest import make_site, record
from tests.support.rebuilds import cold_build
from tests.support.trees import snapshot

CONFIG = {"title": "Seal", "base_url": "https://example.org/"}


def records() -> list[dict]:
    return [record("2512.00001", title="Attention with $x^2$", abstract="An **abstract** with $y$.",
                   authors=[{"name": "Ada Lovelace", "affiliation": "Analytical", "url": "https://ada.example/"},
                            "Alan Turing"], tags=["attention"], links={"code": "https://code.example/a"},
                   extra={"venue": "NeurIPS", "nested": {"a": [1.5, True]}}, published="2025-11-30"),
            record("2512.00002", title="Diffusion", abstract="Second [link](https://example.org/2).",
                   authors=["Alan Turing"], tags=["attention", "diffusion"])]


def markup_section(site: Path) -> Section:
    return Section(site / CACHE_DIR, "markup", "", codec=cache_module.MARKUP, partial=True)


def reforge(section: Section, change: dict[str, str]) -> None:
    """Entries' value text replaced, each line with the MAC anyone with the code can compute."""
    assert section.path is not None
    lines = section.path.read_bytes().split(b"\n")
    out = [lines[0]]
    for line in lines[1:]:
        key_text, text = line[33:].decode("ascii").split("\t", 1)
        key = json.loads(key_text)
        if key in change:
            rest = f"{key_text}\t{change[key]}".encode("ascii")
            line = section._mac(rest) + b"\t" + rest
        out.append(line)
    section.path.write_bytes(b"\n".join(out))


def remake(site: Path) -> dict[str, bytes]:
    """Build again without the output and the cache's mirror of it: every page is made, so
    every cached record and markup entry is used."""
    shutil.rmtree(site / "public")
    for mirror in (site / CACHE_DIR).glob("spare-*"):
        shutil.rmtree(mirror)
    build(site, environ={}, jobs=1)
    return snapshot(site / "public")


def test_a_sealed_cache_is_read_without_its_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "site", records(), CONFIG)
    build(site, environ={}, jobs=1)
    assert {p.name for p in (site / CACHE_DIR).glob("*.seal")} >= {"files.jsonl.seal", "records.jsonl.seal",
                                                                  "markup.jsonl.seal"}

    def refuse(*args: object) -> bool:
        raise AssertionError("a sealed entry was checked")
    monkeypatch.setattr(cache_module, "trusted_markup", refuse)
    monkeypatch.setattr(cache_module, "decode_parsed", refuse)
    edited = (site / "content" / "r001.yaml")
    edited.write_text(edited.read_text(encoding="utf-8").replace("Diffusion", "Diffusion, edited"), encoding="utf-8")
    made = remake(site)
    monkeypatch.undo()
    assert made == cold_build(site, tmp_path / "cold")


def test_a_forged_entry_breaks_the_seal(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", records(), CONFIG)
    build(site, environ={}, jobs=1)
    section = markup_section(site)
    stored = section.load()
    assert section.sealed and stored
    victim = next(key for key, value in stored.items() if len(value) == 2)  # a title: (html, plain text)
    reforge(section, {victim: json.dumps(["<script>alert(1)</script>", "x"])})
    again = markup_section(site)
    assert again.load()[victim][0] == b"<script>alert(1)</script>"  # its public MAC is right ...
    assert not again.sealed  # ... but the seal is not: the checked path, as for any cache
    made = remake(site)
    assert not any(b"<script>alert" in body for body in made.values())
    assert made == cold_build(site, tmp_path / "cold")
    assert markup_section(site).load()[victim][0] != b"<script>alert(1)</script>"


def test_another_machines_seal_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "site", records(), CONFIG)
    build(site, environ={}, jobs=1)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "elsewhere"))
    section = markup_section(site)
    assert section.load() and not section.sealed
    remake(site)  # checked, then sealed with this machine's key
    again = markup_section(site)
    assert again.load() and again.sealed


def test_no_key_under_ci_unless_asked(tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    assert machine_key({"CI": "true", "XDG_STATE_HOME": state}) is None
    assert not key_path({"XDG_STATE_HOME": state}).exists()
    assert machine_key({"PAPERFEED_SEAL": "0", "XDG_STATE_HOME": state}) is None
    key = machine_key({"CI": "true", "PAPERFEED_SEAL": "1", "XDG_STATE_HOME": state})
    assert key is not None and len(key) == 32
    assert machine_key({"XDG_STATE_HOME": state}) == key  # made once, then read
    assert key_path({"XDG_STATE_HOME": state}).stat().st_mode & 0o777 == 0o600


def test_a_build_under_ci_writes_no_seal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("PAPERFEED_SEAL")
    site = make_site(tmp_path / "site", records(), CONFIG)
    build(site, environ={}, jobs=1)
    assert (site / CACHE_DIR / "markup.jsonl").is_file()
    assert not list((site / CACHE_DIR).glob("*.seal"))


def test_a_key_others_can_read_is_not_a_secret(tmp_path: Path) -> None:
    environ = {"XDG_STATE_HOME": str(tmp_path / "state")}
    assert machine_key(environ) is not None
    key_path(environ).chmod(0o644)
    assert machine_key(environ) is None
    key_path(environ).unlink()
    key_path(environ).symlink_to(tmp_path / "elsewhere")
    assert machine_key(environ) is None  # never followed, never made through the link
    assert not (tmp_path / "elsewhere").exists()


def test_the_trusted_decoder_gives_what_the_checked_one_does(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", records(), CONFIG)
    context = RecordContext()
    files = record_files(site, site / "content")
    seen = []
    load_papers(site, site / "content", context,
                read=lambda path, shown, parse: seen.append((shown, parse(path.read_bytes(), shown))) or seen[-1][1],
                files=files)
    assert len(seen) == 2
    for shown, parsed in seen:
        text = encode_parsed((shown, parsed))
        assert trusted_parsed(text, {}) == decode_parsed(text, context) == (shown, parsed)


def test_a_seal_holds_for_its_section_and_salt_only(tmp_path: Path) -> None:
    """The seal stands for the lines' MACs: another salt (a new paperfeed: the code digest) or
    another section's name finds the file neither sealed nor valid."""
    Section(tmp_path, "demo", "salt").save({"a": 1})
    assert Section(tmp_path, "demo", "salt").load() == {"a": 1}
    other = Section(tmp_path, "demo", "another salt")
    assert other.load() == {} and not other.sealed
    (tmp_path / "demo.jsonl").rename(tmp_path / "twin.jsonl")
    (tmp_path / "demo.jsonl.seal").rename(tmp_path / "twin.jsonl.seal")
    twin = Section(tmp_path, "twin", "salt")
    assert twin.load() == {} and not twin.sealed


def test_a_file_changed_after_load_is_not_sealed_again(tmp_path: Path) -> None:
    """save() copies unchanged entries' lines from the file: only when it is the file load() read."""
    section = Section(tmp_path, "demo", "salt", partial=True)
    section.save({"a": 1, "b": 2})
    loaded = Section(tmp_path, "demo", "salt", partial=True)
    assert loaded.load() == {"a": 1, "b": 2} and loaded.sealed
    reforge(loaded, {"b": "3"})  # between this build's load and its save
    loaded.save({"a": 1, "b": 2}, unchanged={"a", "b"})
    again = Section(tmp_path, "demo", "salt", partial=True)
    assert again.load() == {"a": 1, "b": 2} and again.sealed


def test_a_file_without_a_seal_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No seal beside it (a restored CI cache): checked at once, never decoded first as if sealed."""
    site = make_site(tmp_path / "site", records(), CONFIG)
    build(site, environ={}, jobs=1)
    for seal in (site / CACHE_DIR).glob("*.seal"):
        seal.unlink()

    def refuse(*args: object) -> object:
        raise AssertionError("decoded as if sealed")
    monkeypatch.setattr(cache_module, "trusted_parsed", refuse)
    monkeypatch.setattr(cache_module.MARKUP, "trusted", refuse)
    made = remake(site)
    monkeypatch.undo()
    assert made == cold_build(site, tmp_path / "cold")
    again = markup_section(site)
    again.load()
    assert again.sealed  # checked all through, then sealed
