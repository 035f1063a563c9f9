"""`paperfeed serve`: the open page reloads after a rebuild; a build error shows over the last good site."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from generator import watch
from generator.build import build
from generator.serve import inject_live_reload
from tests.conftest import REPO, make_site, record
from tests.support.browser import chromium_available, chromium_browser
from tests.support.tools import require_tool

PAPER = record("2512.00001", title="First title", upvotes=3)


class Preview:
    """`paperfeed serve` as a subprocess on a free port, its output collected line by line."""

    def __init__(self, site: Path, **env_vars: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **env_vars}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        line = self.wait_for("Serving ")
        self.url = line.split(" at ", 1)[1].split(" ", 1)[0]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.output.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} in the output of serve:\n" + "\n".join(self.output))

    def stop(self, how: signal.Signals = signal.SIGINT) -> int:
        self.process.send_signal(how)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[Preview, Path]]:
    site = make_site(tmp_path / "site", records=[PAPER, record("2512.00002", upvotes=1)])
    server = Preview(site)
    try:
        yield server, site
    finally:
        server.stop()


def write_record(site: Path, **fields: object) -> None:
    path = site / "content" / "r000.yaml"
    path.write_text(yaml.safe_dump({**PAPER, **fields}, allow_unicode=True), encoding="utf-8")


def test_inject_live_reload() -> None:
    assert inject_live_reload(b"<html><body><p>x</p></body></html>") == (
        b'<html><body><p>x</p><script src="/__paperfeed/live.js"></script></body></html>')
    assert inject_live_reload(b"<p>no body</p>").endswith(b"</script>")


def test_live_reload_is_the_script_shipped_in_the_package(preview: tuple[Preview, Path]) -> None:
    server, _ = preview
    with urllib.request.urlopen(server.url + "__paperfeed/live.js") as response:
        assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
        served = response.read()
    assert served == (REPO / "generator" / "serve_reload.js").read_bytes()
    assert b'new URL("status", document.currentScript.src)' in served  # /__paperfeed/status, beside it


@pytest.fixture(params=["watchdog", "polling"])
def watcher(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """serve's watcher on the file system's events, or polling where watchdog is missing."""
    if request.param == "watchdog":
        pytest.importorskip("watchdog")
    else:
        monkeypatch.setattr(watch, "start_observer", lambda site_dir, output_dir: None)
    return str(request.param)


def _watched_changes(site: Path, change: Callable[[], None], settle: float = 1.5) -> set[str]:
    """The names serve's watcher hands the rebuild for what `change` does to the site."""
    stop = threading.Event()
    calls: list[frozenset[str]] = []
    thread = threading.Thread(target=watch.watch, args=(site, site / "public", calls.append, stop))
    thread.start()
    try:
        time.sleep(0.7)  # the observer is scheduled, or the poll's first snapshot taken
        change()
        time.sleep(settle)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert all(calls), calls  # never a rebuild told of nothing
    return set().union(*calls)


def test_the_watcher_names_each_saved_file(tmp_path: Path, watcher: str) -> None:
    site = make_site(tmp_path / "site", records=[PAPER, record("2512.00002")],
                     files={"templates/paper.html": "{% extends 'base.html' %}"})

    def save() -> None:
        write_record(site, title="Saved")  # content/r000.yaml, written in place
        temp = site / "templates" / ".paper.html.swp"  # an editor's save: a hidden file renamed
        temp.write_text("{% extends 'base.html' %}{# edited #}", encoding="utf-8")
        temp.replace(site / "templates" / "paper.html")
        (site / "content" / "2025").mkdir()
        (site / "content" / "2025" / "new.yaml").write_text(yaml.safe_dump(record("2512.00003")), encoding="utf-8")
        (site / "content" / "r001.yaml").unlink()

    changed = _watched_changes(site, save)
    assert {"content/r000.yaml", "templates/paper.html", "content/2025/new.yaml", "content/r001.yaml"} <= changed
    assert changed <= {"content/r000.yaml", "templates/paper.html", "content/2025/new.yaml", "content/r001.yaml",
                       "content/2025"}, changed  # the new folder itself, from watchdog


def test_the_watcher_ignores_the_output_hidden_folders_and_other_files(tmp_path: Path, watcher: str) -> None:
    site = make_site(tmp_path / "site", records=[PAPER])

    def noise() -> None:
        for rel in ["public/index.html", ".paperfeed-cache/x.json", ".git/index", "content/notes.md",
                    "content/.r000.yaml.swp"]:
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_text("x", encoding="utf-8")

    assert _watched_changes(site, noise) == set()


def test_the_watcher_leaves_out_the_output_and_cache_folders(tmp_path: Path) -> None:
    """One inotify watch per folder: the output's and the cache mirror's thousands of folders are
    never watched (watchdog overflowed its queue on a 10,000-paper site), yet a source folder
    made while serving is."""
    pytest.importorskip("watchdog")
    site = make_site(tmp_path / "site", records=[PAPER])
    for rel in ["public/papers/a", ".paperfeed-cache/spare-x/papers/a"]:
        (site / rel).mkdir(parents=True)
    observer = watch.start_observer(site, site / "public")
    assert observer is not None
    try:
        emitters = observer.emitters  # type: ignore[attr-defined]
        watches = {(Path(emitter.watch.path), emitter.watch.is_recursive) for emitter in emitters}
    finally:
        observer.stop()
        observer.join(5)
    assert (site, False) in watches
    assert (site / "content", True) in watches
    assert not any(path == site / "public" or site / "public" in path.parents or ".paperfeed-cache" in path.parts
                   for path, _ in watches), watches
    assert not any(path == site and recursive for path, recursive in watches)

    def add_folder() -> None:
        (site / "templates").mkdir()
        time.sleep(0.5)  # the new folder's watch is scheduled on its creation event
        (site / "templates" / "paper.html").write_text("{% extends 'base.html' %}", encoding="utf-8")

    assert "templates/paper.html" in _watched_changes(site, add_folder)


def test_the_deployable_build_has_no_live_reload(small_site: Path) -> None:
    for page in small_site.rglob("*.html"):
        assert b"__paperfeed" not in page.read_bytes(), page


@pytest.mark.slow
def test_serve_injects_only_in_responses_and_never_writes_public(preview: tuple[Preview, Path]) -> None:
    server, site = preview
    with urllib.request.urlopen(server.url + "papers/2512.00001/") as response:
        assert b'<script src="/__paperfeed/live.js"></script>' in response.read()
        assert response.headers["Cache-Control"] == "no-store"
    with urllib.request.urlopen(server.url + "__paperfeed/status") as response:
        assert response.read() == b'{"version": 1, "error": "", "indexing": false, "rebuilding": false}'
    assert not (site / "public").exists()


@pytest.mark.slow
def test_a_save_shows_its_page_then_the_site_then_the_search_index(preview: tuple[Preview, Path]) -> None:
    """A save's own page is shown first (generator/preview.py), then the whole rebuild keeps the
    changed search shard's last index (the lists show sooner); a third build indexes it without
    another reload (the version moves twice: the quick page, the rebuild)."""
    server, site = preview
    write_record(site, title="A title to search")
    assert "rebuilding the rest" in server.wait_for("Showing papers/2512.00001/index.html")
    first = server.wait_for("Built ")
    assert "(search index)" not in first
    assert "(search index)" in server.wait_for("Built ")
    with urllib.request.urlopen(server.url + "papers/2512.00001/") as response:
        assert "A title to search" in response.read().decode()
    with urllib.request.urlopen(server.url + "__paperfeed/status") as response:
        assert json.loads(response.read()) == {"version": 3, "error": "", "indexing": False, "rebuilding": False}


@pytest.mark.browser
def test_page_reloads_after_a_record_changes_and_shows_build_errors(preview: tuple[Preview, Path]) -> None:
    require_tool(chromium_available(), "Chromium", "apt-get install chromium")
    server, site = preview
    with chromium_browser() as browser:
        page = browser.new_page()
        page.goto(server.url + "papers/2512.00001/")
        assert "First title" in page.locator("h1").inner_text()
        page.evaluate("window.paperfeedMarker = 'before reload'")

        write_record(site, title="Second title")
        server.wait_for("Built ")
        page.wait_for_function("document.querySelector('h1').textContent.includes('Second title')",
                               timeout=20_000)
        assert page.evaluate("window.paperfeedMarker") is None, "the page was reloaded, not patched"

        write_record(site, upvotes="many")
        server.wait_for("Build failed; still serving the last good site.")
        overlay = page.locator("#paperfeed-build-error")
        overlay.wait_for(timeout=20_000)
        assert "content/r000.yaml:5: upvotes: expected a whole number >= 0, got 'many'" in overlay.inner_text()
        assert "Second title" in page.locator("h1").inner_text()  # the last good page is still there
        page.reload()
        page.locator("#paperfeed-build-error").wait_for(timeout=20_000)  # shown on every page load

        write_record(site, title="Third title")
        server.wait_for("Built ")
        page.wait_for_function("document.querySelector('h1').textContent.includes('Third title')",
                               timeout=20_000)
        assert page.locator("#paperfeed-build-error").count() == 0
    assert any("content/r000.yaml:5: upvotes" in line for line in server.output)  # the terminal too


@pytest.mark.slow
def test_serve_exits_cleanly_and_removes_its_folder(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", records=[PAPER])
    temp = tmp_path / "tmp"
    temp.mkdir()
    server = Preview(site, TMPDIR=str(temp))
    assert [p.name[:16] for p in temp.iterdir()] == ["paperfeed-serve-"]  # the preview is built there
    with urllib.request.urlopen(server.url) as response:
        assert response.status == 200
    assert server.stop() == 0
    assert list(temp.iterdir()) == []


@pytest.mark.slow
def test_host_flag_listens_elsewhere(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", records=[PAPER])
    build(site)  # a deployable build beside the preview is left alone
    before = (site / "public" / "index.html").read_bytes()
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--site", str(site),
                                "--port", "0", "--host", "0.0.0.0"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
    try:
        assert process.stdout is not None
        line = ""
        while "Serving" not in line:
            line = process.stdout.readline()
            assert line, "serve ended early"
        assert "at http://127.0.0.1:" in line
        port = line.split("127.0.0.1:", 1)[1].split("/", 1)[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
    assert (site / "public" / "index.html").read_bytes() == before


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP])
@pytest.mark.slow
def test_serve_cleans_up_when_terminated(tmp_path: Path, how: signal.Signals) -> None:
    """A service manager, `kill` or a closed terminal ends serve as Ctrl+C does."""
    site = make_site(tmp_path / "site", records=[PAPER])
    temp = tmp_path / "tmp"
    temp.mkdir()
    server = Preview(site, TMPDIR=str(temp))
    assert [p.name[:16] for p in temp.iterdir()] == ["paperfeed-serve-"]
    assert server.stop(how) == 0
    assert list(temp.iterdir()) == []
    assert not any("Traceback" in line for line in server.output)


def test_a_taken_port_is_a_clear_error_and_leaves_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", records=[PAPER])
    temp = tmp_path / "tmp"
    temp.mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(temp)}
        result = subprocess.run([sys.executable, "-m", "generator", "serve", "--site", str(site),
                                 "--port", str(port)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert result.stderr == f"Error: port {port} is in use; try --port {port + 1}\n"
    assert list(temp.iterdir()) == []
    assert not (site / "public").exists()


@pytest.mark.slow
def test_serve_sessions_leave_no_site_copies_in_the_cache(tmp_path: Path) -> None:
    """Each session builds into a new temp folder; what is tied to that folder (the site's
    hard-link mirror that makes rebuilds fast, the record of what was written) goes with it.
    The site's cache keeps only what any build shares: parsed records and rendered markup."""
    site = make_site(tmp_path / "site", records=[PAPER, record("2512.00002", upvotes=1)])
    cache = site / ".paperfeed-cache"
    temp = tmp_path / "tmp"
    temp.mkdir()
    listings = []
    for _ in range(2):
        server = Preview(site, TMPDIR=str(temp))
        session = next(temp.iterdir())
        assert [p.name for p in session.iterdir() if p.name.startswith("spare-")], \
            "serve keeps a mirror beside its site: rebuilds stage into it"
        assert server.stop() == 0
        listings.append(sorted(p.name for p in cache.iterdir()))
    assert listings[0] == listings[1]
    assert not [name for name in listings[1] if name.startswith(("spare-", "output-"))], listings[1]
    assert list(temp.iterdir()) == []


@pytest.mark.slow
def test_sigterm_to_the_process_group_mid_build_ends_serve_cleanly(tmp_path: Path) -> None:
    """As `timeout` or a service manager does it: the build's pool workers get the signal too.
    A site big enough for the pool; the signal lands during the first build or just after."""
    site = make_site(tmp_path / "site", records=[record(f"2512.{n:05d}") for n in range(1, 211)])
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(temp)}
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                               start_new_session=True)
    try:
        time.sleep(1.5)
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert list(temp.iterdir()) == []
