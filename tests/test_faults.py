"""Faults: a dead worker, a symlinked or odd output path, a swap without renameat2 killed
halfway, full, read-only and immutable disks, templates that raise. Each ends in one
`Error: …` line and exit 1 (or in a site put back), never in a hang, a traceback or a lost file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import generator.writer as writer
from generator.build import build
from generator.cli import main
from generator.errors import BuildError
from generator.parallel import WorkerDied, pmap
from tests.conftest import REPO, make_site, record
from tests.support.trees import stat_snapshot
from tests.test_ci_rebuild import assert_mirrored
from tests.test_hostile_input import good_records

WORKER_DIED = ("Error: a worker process died (killed, or out of memory?); nothing was changed "
               "— build again, perhaps with --jobs 1\n")
DEFAULT_TEMPLATES = REPO / "themes" / "default" / "templates"


def cli(site: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["build", "--site", str(site), "--jobs", "1", *args])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
        result.exc_info
    return result.exit_code, result.stdout, result.stderr


def process(site: Path, *args: str, prelude: str = "") -> subprocess.Popen[str]:
    """`paperfeed build` as its own process; `prelude` runs first (to patch the writer)."""
    code = (f"{prelude}\nimport sys\nfrom generator.cli import run\n"
            "sys.argv = ['paperfeed', 'build', *sys.argv[1:]]\nrun()")
    return subprocess.Popen([sys.executable, "-c", code, "--site", str(site), *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})


def retitle(site: Path, title: str) -> None:
    """A new site title: every page is made again."""
    path = site / "paperfeed.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump({**config, "title": title}), encoding="utf-8")


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != ".paperfeed-cache")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small site, built."""
    root = make_site(tmp_path / "site", good_records(12))
    build(root, environ={}, jobs=1)
    return root


# --- a dead worker ---------------------------------------------------------------------


def _die_on_300(item: int) -> int:
    if item == 300:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


def _hung(signum: int, frame: object) -> None:
    raise AssertionError("the map hung after its worker died")


def test_a_worker_killed_mid_map_fails_it_at_once() -> None:
    previous = signal.signal(signal.SIGALRM, _hung)
    signal.alarm(60)  # a hang fails the test, not the run
    try:
        with pytest.raises(WorkerDied):
            list(pmap(_die_on_300, list(range(1000)), jobs=2, chunk=16))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert list(pmap(lambda x: x * 2, list(range(500)), jobs=2)) == [x * 2 for x in range(500)]


def workers(pid: int) -> list[int]:
    """The build's forked pool workers: its children running the very same command line."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids = children.read_text().split()
        except OSError:
            continue
        for child in kids:
            try:
                if Path(f"/proc/{child}/cmdline").read_bytes() == command:
                    found.append(int(child))
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site large enough that every core renders for a second or more."""
    root = make_site(tmp_path_factory.mktemp("large") / "site", good_records(1500))
    build(root, environ={}, jobs=2)
    return root


@pytest.mark.skipif(not Path("/proc/self/task").is_dir() or (os.cpu_count() or 1) < 2,
                    reason="needs /proc and two cores")
@pytest.mark.big
def test_a_worker_killed_by_the_oom_killer_ends_the_build_cleanly(large: Path) -> None:
    before = stat_snapshot(large / "public")
    retitle(large, "Killed worker")
    build_process = process(large, "--jobs", "2")
    killed = 0
    end = time.monotonic() + 120
    # A worker seen between two pools (its map done, the pool shutting down) dies harmlessly:
    # keep killing one until the build ends, so that one dies with work to do.
    while build_process.poll() is None and time.monotonic() < end:
        for pid in workers(build_process.pid)[:1]:
            try:
                os.kill(pid, signal.SIGKILL)  # as the OOM killer would
                killed = pid
            except ProcessLookupError:
                pass
            time.sleep(0.2)
        time.sleep(0.001)
    try:
        out, err = build_process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        build_process.kill()
        build_process.communicate()
        raise AssertionError("the build hung after its worker died") from None
    if not killed:
        pytest.skip("the build finished before a worker was seen")
    assert (build_process.returncode, out, err) == (1, "", WORKER_DIED)
    assert stat_snapshot(large / "public") == before
    assert listing(large) == [".public.lock", "content", "paperfeed.yaml", "public"]
    # The lock is free and the next build is whole.
    again = process(large, "--jobs", "2")
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert "Killed worker" in (large / "public" / "index.html").read_text(encoding="utf-8")
    assert_mirrored(large)


@pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
                    reason="needs Linux (PR_SET_PDEATHSIG) and two cores")
@pytest.mark.big
def test_the_workers_of_a_killed_build_end_with_it(large: Path) -> None:
    retitle(large, "Killed build")
    build_process = process(large, "--jobs", "2")
    found: list[int] = []
    end = time.monotonic() + 120
    while build_process.poll() is None and not found and time.monotonic() < end:
        found = workers(build_process.pid)
        time.sleep(0.001)
    build_process.kill()
    build_process.communicate(timeout=60)
    if not found:
        pytest.skip("the build finished before a worker was seen")
    end = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in found) and time.monotonic() < end:
        time.sleep(0.05)
    alive = [pid for pid in found if Path(f"/proc/{pid}").exists()]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, "orphaned workers outlived the build"


@pytest.mark.big
def test_a_template_that_raises_in_a_worker_is_one_line(large: Path) -> None:
    templates = large / "templates"
    templates.mkdir(exist_ok=True)
    text = (DEFAULT_TEMPLATES / "paper.html").read_text(encoding="utf-8")
    line = text[:text.index("{% block main %}")].count("\n") + 1
    (templates / "paper.html").write_text(text.replace(
        "{% block main %}", "{% block main %}{% if '2601.01300' in canonical %}{{ 1 / 0 }}{% endif %}", 1),
        encoding="utf-8")
    before = stat_snapshot(large / "public")
    try:
        build_process = process(large, "--jobs", "2")
        out, err = build_process.communicate(timeout=300)
    finally:
        shutil.rmtree(templates)
    assert (build_process.returncode, err) == (
        1, f"Error: {templates / 'paper.html'}:{line}: template error: ZeroDivisionError: division by zero\n")
    assert stat_snapshot(large / "public") == before


# --- the output path -------------------------------------------------------------------


@pytest.mark.slow
def test_a_symlinked_output_folder_is_followed_and_kept(site: Path, tmp_path: Path) -> None:
    served = tmp_path / "www" / "site"
    served.parent.mkdir()
    os.rename(site / "public", served)
    (site / "public").symlink_to(served, target_is_directory=True)
    retitle(site, "Through the link")
    code, out, err = cli(site)
    assert (code, err) == (0, "")
    assert (site / "public").is_symlink() and os.readlink(site / "public") == str(served)
    assert "Through the link" in (served / "index.html").read_text(encoding="utf-8")
    # The first build's lock stays beside the link; this build's, beside the folder.
    assert listing(site) == [".public.lock", "content", "paperfeed.yaml", "public"]
    assert listing(served.parent) == [".site.lock", "site"]
    # Unchanged files stayed as they were: the previous site was the link's target.
    retitle(site, "Through the link, again")
    inode = (served / "static" / "style.css").stat().st_ino
    assert cli(site)[0] == 0
    assert (served / "static" / "style.css").stat().st_ino == inode


@pytest.mark.slow
def test_a_first_build_through_a_symlink_to_an_empty_folder(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", [record()])
    (tmp_path / "www").mkdir()
    (root / "public").symlink_to(tmp_path / "www", target_is_directory=True)
    assert cli(root)[0] == 0
    assert (root / "public").is_symlink() and (tmp_path / "www" / "index.html").is_file()


@pytest.mark.slow
def test_a_dangling_output_symlink_is_refused(site: Path, tmp_path: Path) -> None:
    shutil.rmtree(site / "public")
    (site / "public").symlink_to(tmp_path / "nowhere", target_is_directory=True)
    code, out, err = cli(site)
    assert (code, err) == (1, f"Error: the output folder {site / 'public'} is a symlink to {tmp_path / 'nowhere'}, "
                              "which is not a folder: create it, or remove the link\n")
    assert (site / "public").is_symlink() and not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("stale_lock", [False, True])
def test_an_output_path_that_is_a_file_is_never_replaced(tmp_path: Path, stale_lock: bool) -> None:
    root = make_site(tmp_path / "site", [record()])
    (root / "public").write_text("my notes", encoding="utf-8")
    if stale_lock:
        (root / ".public.lock").write_text("")  # left by a build of long ago
    code, out, err = cli(root)
    assert (code, err) == (1, f"Error: the output path {root / 'public'} is a file, not a folder\n")
    assert (root / "public").read_text(encoding="utf-8") == "my notes"


def test_a_stale_lock_does_not_make_a_folder_replaceable(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", [record()])
    (root / "public").mkdir()
    (root / "public" / "thesis.tex").write_text("years of work", encoding="utf-8")
    (root / ".public.lock").write_text("")
    code, out, err = cli(root)
    assert code == 1 and "does not look like a built site (no index.html); refusing to replace it" in err
    assert (root / "public" / "thesis.tex").read_text(encoding="utf-8") == "years of work"


# --- the swap without renameat2 --------------------------------------------------------


@pytest.fixture
def no_exchange(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on macOS, NFS or some FUSE file systems: no RENAME_EXCHANGE."""
    monkeypatch.setattr(writer, "_exchange", lambda a, b: False)


@pytest.mark.slow
def test_the_two_rename_swap_keeps_unchanged_files_and_the_mirror(site: Path, no_exchange: None) -> None:
    inode = (site / "public" / "static" / "style.css").stat().st_ino
    retitle(site, "Renamed in")
    assert cli(site)[0] == 0
    assert "Renamed in" in (site / "public" / "index.html").read_text(encoding="utf-8")
    assert (site / "public" / "static" / "style.css").stat().st_ino == inode
    assert listing(site) == [".public.lock", "content", "paperfeed.yaml", "public"]
    assert_mirrored(site)


KILL_AT = """
import os, signal
import generator.writer as writer
writer._exchange = lambda a, b: False
real = os.rename
def rename(source, target):
    if (os.path.basename(source), os.path.basename(target)) == {names!r}:
        os.kill(os.getpid(), signal.SIGKILL)
    real(source, target)
os.rename = rename
"""


@pytest.mark.parametrize("moment, names", [
    ("between the renames", (".public.staging", "public")),
    ("after them", (".public.old", ".public.staging")),
])
@pytest.mark.big
def test_a_build_killed_in_the_two_rename_swap_loses_nothing(site: Path, no_exchange: None, moment: str,
                                                             names: tuple[str, str]) -> None:
    before = stat_snapshot(site / "public")
    retitle(site, f"Killed {moment}")
    killed = process(site, "--jobs", "1", prelude=KILL_AT.format(names=names))
    killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL
    if moment == "between the renames":
        assert not (site / "public").exists()
        assert stat_snapshot(site / ".public.old") == before  # the previous site, whole, beside it
        # Put back at once by whatever runs next (the next build does it first).
        writer.recover_output(site / "public")
        assert stat_snapshot(site / "public") == before
    code, out, err = cli(site)
    assert (code, err) == (0, "")
    assert f"Killed {moment}" in (site / "public" / "index.html").read_text(encoding="utf-8")
    assert listing(site) == [".public.lock", "content", "paperfeed.yaml", "public"]
    assert_mirrored(site)
    # Nothing lost: exactly what a clean build writes.
    clean = site.parent / "clean"
    shutil.copytree(site, clean, symlinks=True, ignore=shutil.ignore_patterns("public", ".*"))
    build(clean, environ={}, jobs=1, clean=True)
    assert {k: v[0] for k, v in stat_snapshot(site / "public").items()} == {
        k: v[0] for k, v in stat_snapshot(clean / "public").items()}


@pytest.mark.slow
def test_the_next_build_restores_the_previous_site_by_itself(site: Path, no_exchange: None) -> None:
    before = stat_snapshot(site / "public")
    os.rename(site / "public", site / ".public.old")  # what a kill between the renames leaves
    retitle(site, "Recovered")
    assert cli(site)[0] == 0
    after = stat_snapshot(site / "public")
    assert "Recovered" in after["index.html"][0].decode()
    assert after["static/style.css"] == before["static/style.css"]  # the very file, kept
    assert listing(site) == [".public.lock", "content", "paperfeed.yaml", "public"]


@pytest.mark.slow
def test_recovery_leaves_a_running_build_alone(site: Path) -> None:
    os.rename(site / "public", site / ".public.old")
    with writer.site_lock(site / "public"):  # a build between its two renames holds it
        writer.recover_output(site / "public")
        assert not (site / "public").exists() and (site / ".public.old").is_dir()


# --- disks that say no -----------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs, unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> None:
    """Leave no byte free."""
    with open(disk / "filler", "wb", buffering=0) as handle:
        for size in (65536, 512, 1):
            try:
                while True:
                    handle.write(b"\0" * size)
            except OSError:
                pass


@pytest.mark.parametrize("clean", [False, True])
@pytest.mark.slow
def test_a_full_disk_is_one_line_and_the_site_is_untouched(small_disk: Path, clean: bool) -> None:
    root = make_site(small_disk / "site", good_records(12))
    assert cli(root)[0] == 0
    before = stat_snapshot(root / "public")
    retitle(root, "No room")
    fill(small_disk)
    code, out, err = cli(root, *(["--clean"] if clean else []))
    assert code == 1, err
    assert err.startswith(f"Error: cannot write the site into {root / 'public'}: No space left on device (")
    assert err.endswith("); the previous site is untouched\n") and err.count("\n") == 1
    assert stat_snapshot(root / "public") == before
    (small_disk / "filler").unlink()
    assert cli(root)[0] == 0
    assert "No room" in (root / "public" / "index.html").read_text(encoding="utf-8")
    assert_mirrored(root)


@pytest.mark.slow
def test_a_read_only_disk_is_one_line_and_the_site_is_untouched(small_disk: Path) -> None:
    root = make_site(small_disk / "site", good_records(12))
    assert cli(root)[0] == 0
    before = stat_snapshot(root / "public")
    retitle(root, "Read only")
    done = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot remount read-only: {done.stderr.decode().strip()}")
    code, out, err = cli(root)
    assert (code, err) == (1, f"Error: cannot write the site into {root / 'public'}: Read-only file system "
                              f"({root / '.public.lock'}); the previous site is untouched\n")
    assert stat_snapshot(root / "public") == before


@pytest.mark.slow
def test_an_immutable_output_folder_is_one_line_and_untouched(site: Path) -> None:
    public = site / "public"
    if subprocess.run(["chattr", "+i", str(public)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i does not work on this file system")
    try:
        before = stat_snapshot(public)
        retitle(site, "Immutable")
        code, out, err = cli(site)
        assert (code, err) == (1, f"Error: cannot write the site into {public}: Operation not permitted "
                                  f"({public}); the previous site is untouched\n")
        assert stat_snapshot(public) == before
    finally:
        subprocess.run(["chattr", "-i", str(public)], check=False)
    assert cli(site)[0] == 0


@pytest.mark.slow
def test_an_unreadable_input_is_one_line(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> object:
        raise PermissionError(13, "Permission denied", str(site / "static"))

    monkeypatch.setattr("generator.build.site_salt", refuse)
    assert cli(site)[1:] == ("", f"Error: Permission denied ({site / 'static'})\n")


# --- templates that raise --------------------------------------------------------------

RAISING = {
    "ZeroDivisionError: division by zero": "{{ 1 / 0 }}",
    "RecursionError: maximum recursion depth exceeded": "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}",
    "'nothing' is undefined": "{{ nothing.here }}",
    "TypeError: unsupported operand type(s) for +: 'int' and 'str'": "{{ 1 + 'a' }}",
}


@pytest.mark.parametrize("template", ["paper.html", "_card.html"])
@pytest.mark.parametrize("message", list(RAISING))
@pytest.mark.slow
def test_a_template_that_raises_names_its_file_and_line(site: Path, template: str, message: str) -> None:
    text = (DEFAULT_TEMPLATES / template).read_text(encoding="utf-8")
    if template == "paper.html":
        line = text[:text.index("{% block main %}")].count("\n") + 1
        text = text.replace("{% block main %}", "{% block main %}" + RAISING[message], 1)
    else:  # in a macro: the card every list shows
        line = text[:text.index("{% macro card(")].count("\n") + 2
        start = text.index("{% macro card(")
        end = text.index("%}", start) + 2
        text = text[:end] + "\n" + RAISING[message] + text[end:]
    (site / "templates").mkdir()
    (site / "templates" / template).write_text(text, encoding="utf-8")
    before = stat_snapshot(site / "public")
    code, out, err = cli(site)
    # One line; CPython's RecursionError may add "while calling a Python object", by where the
    # stack's limit falls (the frames above the template: not the user's concern).
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(f"Error: {site / 'templates' / template}:{line}: template error: {message}")
    assert err == f"Error: {site / 'templates' / template}:{line}: template error: {message}\n" or (
        message.startswith("RecursionError") and err.endswith(f"{message} while calling a Python object\n"))
    assert stat_snapshot(site / "public") == before


@pytest.mark.slow
def test_a_template_error_is_a_build_error_for_the_library(site: Path) -> None:
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text("{{ [][1] }}", encoding="utf-8")
    with pytest.raises(BuildError, match=r"404\.html:1: template error: list object has no element 1$"):
        build(site, environ={}, jobs=1)
