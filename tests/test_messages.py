"""Issue 12, messages and commands: what a newcomer reads when something is off."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.yamlsrc import parse_yaml
from tests.conftest import make_site, record


def yaml_errors(text: str) -> list[str]:
    return [str(p) for p in parse_yaml(text, "content/x.yaml")[1]]


def test_an_unquoted_colon_in_a_title_gets_a_quoting_hint() -> None:
    assert yaml_errors('id: "1"\ntitle: Attention: all you need\nabstract: x\n') == [
        "content/x.yaml:2: yaml: mapping values are not allowed in this context; "
        'a value with ": " in it must be quoted: title: "Attention: all you need"']


def test_a_tab_gets_a_spaces_hint() -> None:
    assert yaml_errors('id: "1"\ntitle: x\n\tabstract: y\n') == [
        "content/x.yaml:3: yaml: while scanning a plain scalar found a tab character that violates "
        "indentation; YAML indents with spaces only: replace the tab with spaces"]


def test_a_bad_indent_gets_a_column_hint() -> None:
    assert yaml_errors('id: "1"\ntitle: x\n  abstract: y\n') == [
        "content/x.yaml:3: yaml: mapping values are not allowed in this context; line 3 is indented "
        "2 spaces, the line above 0: keys of one mapping (and items of one list) start in the same column"]
    assert yaml_errors('id: "1"\nauthors:\n  - a\n - b\ntitle: x\n') == [
        "content/x.yaml:4: yaml: while parsing a block mapping did not find expected key; line 4 is "
        "indented 1 space, the line above 2: keys of one mapping (and items of one list) start in the "
        "same column"]


def test_the_hint_reaches_check_with_file_and_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", files={"content/a.yaml": 'id: "1"\ntitle: A: B\nabstract: x\ndate: 2025-12-08\n'})
    result = CliRunner().invoke(main, ["check", "--site", str(site)])
    assert result.exit_code == 1
    assert 'content/a.yaml:2: yaml: mapping values are not allowed in this context; a value with ": " in it ' \
           'must be quoted: title: "A: B"' in result.output


TYPO = ("content/r000.yaml:1: links: unknown link name 'gihtub', did you mean 'github'? "
        "(shown as a link labelled 'gihtub')")


def test_a_mistyped_link_name_is_a_warning_of_check_and_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", [record(links={"gihtub": "https://github.com/a/b",
                                                     "dataset": "https://example.org/d",
                                                     "video-2": "https://example.org/v2",
                                                     "code": "https://example.org/c"})])
    runner = CliRunner()
    checked = runner.invoke(main, ["check", "--site", str(site)])
    assert checked.exit_code == 0, checked.output
    assert f"Warning: {TYPO}" in checked.output
    assert "dataset" not in checked.output  # a label people mean, not a typo
    assert "video-2" not in checked.output  # a second video on purpose (the sample site has one)
    assert "OK: 1 paper, no problems (1 warning)." in checked.output
    for _ in range(2):  # the second build changes nothing and still says it
        built = runner.invoke(main, ["build", "--site", str(site)])
        assert built.exit_code == 0, built.output
        assert f"Warning: {TYPO}" in built.output


BIBTEX = """@article{vaswani2017,
  title = {Attention is all you need},
  author = {Vaswani, Ashish and Shazeer, Noam},
  year = {2017},
}
@article{nodate,
  title = {No date at all},
  author = {Doe, Jane},
}
"""


def test_a_year_only_bibtex_import_keeps_the_precise_date_and_the_capitals(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", files={"content/2017/06/12/1706.03762.yaml": (
        'id: "1706.03762"\ntitle: Attention Is All You Need\nabstract: x\npublished: 2017-06-12\n'
        "date: 2017-06-12\n")})
    (tmp_path / "refs.bib").write_text(BIBTEX.replace("@article{vaswani2017,", "@article{vaswani2017,\n"
                                                       "  eprint = {1706.03762}, archivePrefix = {arXiv},"),
                                       encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "bibtex", "--site", str(site), str(tmp_path / "refs.bib")])
    text = (site / "content/2017/06/12/1706.03762.yaml").read_text(encoding="utf-8")
    assert "published: 2017-06-12" in text, result.output
    assert "title: Attention Is All You Need" in text
    assert result.output.rstrip().endswith("; 1 entry skipped"), result.output


def test_the_import_summary_counts_each_kind_of_skip_apart() -> None:
    from generator.importers.run import ImportReport

    report = ImportReport([], ["a", "b", "c", "d"], [], [], False, [], skipped_entries=2, skipped_days=1,
                          markers_left=1)
    assert report.summary() == ("0 records: 0 created, 0 updated, 0 unchanged; 2 entries skipped; "
                                "1 day not imported; 1 day marker not updated")


def _git(cwd: Path, *args: str) -> str:
    import subprocess

    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(cwd), "PATH": "/usr/bin:/bin",
           "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.slow
def test_a_new_site_stays_clean_in_git_after_builds(tmp_path: Path) -> None:
    import shutil

    from tests.support.tools import require_tool

    require_tool(shutil.which("git") is not None, "git", "apt-get install git")
    site = tmp_path / "site"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(site)]).exit_code == 0
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "new site")
    for _ in range(2):  # the second build swaps a previous site out
        built = runner.invoke(main, ["build", "--site", str(site)])
        assert built.exit_code == 0, built.output
    assert _git(site, "status", "--porcelain", "--ignored=no") == ""


# --- serve ---------------------------------------------------------------------------------

def _serve_lines(site: Path, until: str, timeout: float = 60) -> list[str]:
    """`paperfeed serve --site .` started in the site folder, its output up to a line with `until`."""
    import os
    import queue
    import subprocess
    import sys
    import threading
    import time

    from tests.conftest import REPO

    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--site", ".", "--port", "0"],
                               cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not any(until in line for line in seen):
            try:
                seen.append(lines.get(timeout=0.2))
            except queue.Empty:
                if process.poll() is not None:
                    break
        # the line after it too, when it comes soon
        try:
            seen.append(lines.get(timeout=1))
        except queue.Empty:
            pass
    finally:
        process.terminate()
        process.wait(10)
    assert any(until in line for line in seen), "\n".join(seen)
    return seen


@pytest.mark.slow
def test_serve_names_the_folder_and_the_url(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", [record()])
    lines = _serve_lines(site, "Serving ")
    serving = next(line for line in lines if line.startswith("Serving "))
    assert serving.startswith(f"Serving {site.resolve()} at http://127.0.0.1:"), serving
    assert "Serving . " not in serving


@pytest.mark.slow
def test_serve_on_a_broken_record_does_not_claim_a_last_good_site(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", [record(upvotes="many")])
    lines = _serve_lines(site, "Build failed")
    assert not any("last good site" in line for line in lines), lines
    assert any("there is no site to serve yet" in line for line in lines), lines


def test_serve_watches_with_watchdog_and_rebuilds_on_a_save(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    pytest.importorskip("watchdog")
    from generator import watch

    def walked(*args: object) -> None:
        raise AssertionError("watch() walked the tree: watchdog is installed")

    monkeypatch.setattr(watch, "snapshot", walked)

    site = make_site(tmp_path / "s", [record()])
    stop = threading.Event()
    builds: list[frozenset[str]] = []
    thread = threading.Thread(target=watch.watch, args=(site, site / "public", builds.append, stop))
    thread.start()
    try:
        time.sleep(0.5)
        (site / "public").mkdir()
        (site / "public" / "x.html").write_text("output: not a change", encoding="utf-8")
        (site / ".paperfeed-cache").mkdir()
        (site / ".paperfeed-cache" / "x.json").write_text("{}", encoding="utf-8")
        time.sleep(0.6)
        assert builds == []
        (site / "content" / "r000.yaml").write_text(yaml.safe_dump(record(title="New")), encoding="utf-8")
        deadline = time.monotonic() + 5
        while not builds and time.monotonic() < deadline:
            time.sleep(0.05)
        assert builds == [frozenset({"content/r000.yaml"})]
    finally:
        stop.set()
        thread.join(5)
    assert "watchdog" in (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_client_that_hangs_up_prints_no_traceback(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    import socket
    import struct
    import threading

    from generator.serve_http import make_server

    out = tmp_path / "out"
    out.mkdir()
    (out / "big.png").write_bytes(b"\0" * 20_000_000)
    server = make_server(out, "127.0.0.1", 0, idle_timeout=5, header_timeout=5)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        for _ in range(3):
            client = socket.create_connection(server.server_address[:2])
            client.sendall(b"GET /big.png HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            client.recv(1024)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # a reset
            client.close()
        import time
        time.sleep(1)
    finally:
        server.shutdown()
        server.server_close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err, err
