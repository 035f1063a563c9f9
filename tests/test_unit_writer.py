"""writer.py: the only output I/O: safe paths, one write per path, hard links, atomic swap, lock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.model import OutputFile
from generator.writer import WriteReport, check_output_path, site_lock, write_site
from tests.support.trees import snapshot


def files(contents: dict[str, str]) -> list[OutputFile]:
    return [OutputFile(path, data.encode()) for path, data in contents.items()]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An output folder holding a previous build."""
    output = tmp_path / "site" / "public"
    write_site(files({"index.html": "home", "days/d.html": "day", "feed.xml": "feed"}), output)
    return output


def test_a_first_build_creates_the_folder(tmp_path: Path) -> None:
    output = tmp_path / "new" / "public"
    report = write_site(files({"index.html": "home", "a/b/c.html": "deep"}), output)
    assert report == WriteReport(files=2, changed=2, removed=0)
    assert snapshot(output) == {"index.html": b"home", "a/b/c.html": b"deep"}
    # Only the output folder and its lock file: no staging folder left behind.
    assert sorted(p.name for p in output.parent.iterdir()) == [".public.lock", "public"]


def test_unchanged_files_keep_their_inode_and_mtime(out: Path) -> None:
    before = {name: (out / name).stat() for name in ("index.html", "days/d.html", "feed.xml")}
    report = write_site(files({"index.html": "home", "days/d.html": "day v2", "feed.xml": "feed"}), out)
    assert report == WriteReport(files=3, changed=1, removed=0)
    after = {name: (out / name).stat() for name in before}
    for name in ("index.html", "feed.xml"):
        assert (after[name].st_ino, after[name].st_mtime_ns) == (before[name].st_ino, before[name].st_mtime_ns)
        assert after[name].st_nlink == 1  # the previous site is gone, only the new one links it
    assert after["days/d.html"].st_ino != before["days/d.html"].st_ino
    assert (out / "days/d.html").read_bytes() == b"day v2"


def test_a_known_digest_stands_for_the_previous_file_and_none_means_its_bytes(out: Path) -> None:
    """A template edit changes thousands of pages, not their sizes: the ledger's digest of an
    intact file is compared, the file is not read back. No digest: its bytes are compared."""
    from generator.sink import content_digest

    (out / "feed.xml").write_bytes(b"FEED")  # same size as the new bytes, other content
    inode = {name: (out / name).stat().st_ino for name in ("index.html", "feed.xml", "days/d.html")}
    known = {"index.html": content_digest(b"home"), "feed.xml": content_digest(b"feed")}
    report = write_site(files({"index.html": "HOME", "feed.xml": "feed", "days/d.html": "day"}), out,
                        known=known.get)
    # By the digests: index.html differs (written anew) and feed.xml is the same (linked as it is,
    # so what the ledger trusts is what stays); days/d.html has none: its bytes are compared.
    assert report.changed_paths == {"index.html"}
    assert (out / "index.html").read_bytes() == b"HOME" and (out / "index.html").stat().st_ino != inode["index.html"]
    assert (out / "feed.xml").stat().st_ino == inode["feed.xml"]
    assert (out / "days/d.html").stat().st_ino == inode["days/d.html"]


def test_a_clean_build_writes_every_file_afresh(out: Path) -> None:
    inode = (out / "index.html").stat().st_ino
    report = write_site(files({"index.html": "home", "days/d.html": "day", "feed.xml": "feed"}), out, reuse=False)
    assert report == WriteReport(files=3, changed=3, removed=0)
    assert (out / "index.html").stat().st_ino != inode


def test_files_no_longer_produced_are_removed_and_counted(out: Path) -> None:
    (out / "stray.txt").write_text("left by hand")
    report = write_site(files({"index.html": "home"}), out)
    assert report == WriteReport(files=1, changed=0, removed=3)
    assert snapshot(out) == {"index.html": b"home"}


def test_a_symlink_in_the_previous_output_is_not_linked_to(tmp_path: Path, out: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"home")
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(secret)
    write_site(files({"index.html": "home"}), out)
    assert not (out / "index.html").is_symlink()
    assert (out / "index.html").stat().st_ino != secret.stat().st_ino


@pytest.mark.parametrize("path", [
    "../escape.html", "a/../../escape.html", "/etc/passwd", "", ".", "a//b.html", "a/./b.html", "a/",
    "a\\..\\b.html", "a\x00b.html", "x" * 256, "a/" + "é" * 128 + "/index.html",
])
def test_unsafe_paths_are_refused(path: str) -> None:
    with pytest.raises(BuildError) as info:
        check_output_path(path)
    assert str(info.value) == f"refusing to write an unsafe output path: {path[:200]!r}"


def test_long_but_legal_paths_are_fine() -> None:
    assert check_output_path("x" * 255) == "x" * 255
    assert check_output_path("papers/.well-known..x/index.html") == "papers/.well-known..x/index.html"


def expect_refused(out: Path, stream: list[OutputFile] | Iterator[OutputFile], message: str) -> None:
    """The build fails with `message`, and the previous output is exactly as it was."""
    before = snapshot(out)
    inodes = {p: p.stat().st_ino for p in out.rglob("*")}
    with pytest.raises(BuildError) as info:
        write_site(stream, out)
    assert str(info.value) == message
    assert snapshot(out) == before
    assert {p: p.stat().st_ino for p in out.rglob("*")} == inodes
    assert sorted(p.name for p in out.parent.iterdir()) == [".public.lock", "public"]
    assert not (out.parent.parent / "escape.html").exists()


def test_an_unsafe_path_fails_the_build_before_anything_is_swapped_in(out: Path) -> None:
    expect_refused(out, files({"index.html": "new home"}) + [OutputFile("../escape.html", b"x")],
                   "refusing to write an unsafe output path: '../escape.html'")


def test_a_path_written_twice_is_a_bug_the_writer_reports(out: Path) -> None:
    expect_refused(out, files({"index.html": "new", "feed.xml": "a"}) + [OutputFile("feed.xml", b"b")],
                   "two outputs want the same file: feed.xml")
    # Case-insensitive file systems (macOS, Windows) would merge these two.
    expect_refused(out, [OutputFile("tags/LLM/index.html", b"a"), OutputFile("tags/llm/index.html", b"b")],
                   "two outputs want the same file: tags/llm/index.html")


@pytest.mark.parametrize("first, second", [("a", "a/b.html"), ("a/b.html", "a"), ("a", "a/b/c.html")])
def test_a_file_and_a_folder_of_one_path_is_reported(out: Path, first: str, second: str) -> None:
    expect_refused(out, [OutputFile(first, b"1"), OutputFile(second, b"2")],
                   f"two outputs want one path as a file and as a folder: {second}")


def test_a_failing_file_stream_leaves_the_previous_output_untouched(out: Path) -> None:
    def stream() -> Iterator[OutputFile]:
        yield OutputFile("index.html", b"half-built home")
        yield OutputFile("new.html", b"new")
        raise RuntimeError("a template failed half way")

    before = snapshot(out)
    with pytest.raises(RuntimeError, match="half way"):
        write_site(stream(), out)
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == [".public.lock", "public"]


def test_a_build_after_a_failed_one_starts_clean(out: Path) -> None:
    def stream() -> Iterator[OutputFile]:
        yield OutputFile("junk.html", b"junk")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_site(stream(), out)
    write_site(files({"index.html": "home"}), out)
    assert snapshot(out) == {"index.html": b"home"}


def test_the_lock_gives_a_clear_message_when_held(out: Path) -> None:
    with site_lock(out):
        with pytest.raises(BuildError) as info:
            write_site(files({"index.html": "other build"}), out)
    assert str(info.value) == f"another paperfeed build is writing {out}; wait for it to finish"
    assert snapshot(out)["index.html"] == b"home"
    write_site(files({"index.html": "after"}), out)  # released: the next build goes through
    assert snapshot(out) == {"index.html": b"after"}


def test_the_lock_is_per_output_folder(tmp_path: Path) -> None:
    with site_lock(tmp_path / "a" / "public"):
        write_site(files({"index.html": "b"}), tmp_path / "b" / "public")
    assert (tmp_path / "b" / "public" / "index.html").read_bytes() == b"b"


def test_a_spare_tree_is_recycled_for_the_next_build(tmp_path: Path) -> None:
    output, spare = tmp_path / "site" / "public", tmp_path / "cache" / "spare"
    spare.parent.mkdir()
    site = {"index.html": "home", "days/d.html": "day", "feed.xml": "feed", "gone/x.html": "x"}
    write_site(files(site), output, spare=spare)
    before = {name: (output / name).stat() for name in site}
    assert snapshot(spare) == snapshot(output)  # a first build: every file linked into the mirror
    write_site(files(site | {"days/d.html": "day v2"}), output, spare=spare)
    # A mirror of the live site: every file the live one, hard-linked.
    assert snapshot(spare) == snapshot(output) == {k: v.encode() for k, v in site.items()} | {"days/d.html": b"day v2"}
    assert all((spare / name).stat().st_ino == (output / name).stat().st_ino for name in site)
    report = write_site(files({"index.html": "home", "feed.xml": "feed v3"}) + [OutputFile.keep("days/d.html")],
                        output, spare=spare)
    assert report == WriteReport(files=3, changed=1, removed=1)
    assert snapshot(output) == {"index.html": b"home", "days/d.html": b"day v2", "feed.xml": b"feed v3"}
    assert (output / "index.html").stat().st_ino == before["index.html"].st_ino
    assert (output / "index.html").stat().st_mtime_ns == before["index.html"].st_mtime_ns
    assert not (output / "gone").exists()
    assert sorted(p.name for p in output.parent.iterdir()) == [".public.lock", "public"]


def test_writing_into_a_recycled_tree_never_changes_the_live_site(tmp_path: Path) -> None:
    """The spare shares its files with the live site (hard links): they are replaced, never written."""
    output, spare = tmp_path / "public", tmp_path / "spare"
    write_site(files({"index.html": "v1", "a/b.html": "b"}), output, spare=spare)
    write_site(files({"index.html": "v1", "a/b.html": "b", "c.html": "c"}), output, spare=spare)
    live = {p: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns) for p in output.rglob("*") if p.is_file()}

    def stream() -> Iterator[OutputFile]:
        yield from files({"index.html": "v2 longer", "a/b.html": "B", "c.html": "c"})
        # Everything is staged, nothing swapped in yet: the live site has not changed.
        assert {p: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
                for p in output.rglob("*") if p.is_file()} == live

    write_site(stream(), output, spare=spare)
    assert snapshot(output) == {"index.html": b"v2 longer", "a/b.html": b"B", "c.html": b"c"}
    assert snapshot(spare) == snapshot(output)  # the mirror follows the live site
    assert (spare / "index.html").stat().st_ino == (output / "index.html").stat().st_ino


def test_whatever_a_recycled_tree_holds_never_reaches_the_site(tmp_path: Path, out: Path) -> None:
    spare = tmp_path / "spare"
    (spare / "days" / "d.html").mkdir(parents=True)  # a folder where a file goes
    (spare / "days" / "d.html" / "x").write_text("x")
    (spare / "feed.xml").write_text("stale feed")  # right name, wrong bytes
    (spare / "a").write_text("a file where a folder goes")
    (spare / "stray.html").write_text("stray")
    (spare / "index.html").symlink_to(out / "index.html")
    (spare / "empty" / "deep").mkdir(parents=True)
    report = write_site(files({"index.html": "home", "days/d.html": "day", "feed.xml": "feed", "a/b.html": "b"}),
                        out, spare=spare)
    expected = {"index.html": b"home", "days/d.html": b"day", "feed.xml": b"feed", "a/b.html": b"b"}
    assert snapshot(out) == expected
    assert report == WriteReport(files=4, changed=1, removed=0)
    assert not any(p.is_symlink() for p in out.rglob("*")) and not (out / "empty").exists()
