"""Every author reaches a reader that shows one author field (issue 12).

RSS has every name in one dc:creator (as arXiv's RSS does); Atom one <author> each,
JSON Feed its authors array. feedparser's entry.author (and newsboat's "Author:")
showed only the last of four dc:creator elements.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import feedparser
import pytest

from tests.feed_rules import check_atom, check_rss

BASE = "https://example.org/papers/"
NAMES = "Ada Lovelace, Alan Turing, Grace Hopper, Edsger Dijkstra"


def _fast(entries: list) -> object:
    return next(e for e in entries if e.link.endswith("/papers/2512.01234/"))


def test_rss_has_every_name_in_one_creator(small_site: Path) -> None:
    data = (small_site / "feed.xml").read_bytes()
    items = check_rss(data, BASE + "feed.xml")  # the W3C validator's rules
    assert next(i for i in items if i.link.endswith("2512.01234/")).authors == (NAMES,)
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0
    assert _fast(parsed.entries).author == NAMES


def test_atom_and_json_keep_one_author_each(small_site: Path) -> None:
    data = (small_site / "atom.xml").read_bytes()
    check_atom(data, BASE + "atom.xml")
    entry = _fast(feedparser.parse(data).entries)
    assert [a.name for a in entry.authors] == NAMES.split(", ")
    items = json.loads((small_site / "feed.json").read_text(encoding="utf-8"))["items"]
    item = next(i for i in items if i["url"].endswith("2512.01234/"))
    assert [a["name"] for a in item["authors"]] == NAMES.split(", ")


@pytest.mark.skipif(not (shutil.which("newsboat") and shutil.which("tmux")), reason="newsboat or tmux missing")
@pytest.mark.external
def test_newsboat_shows_every_author(small_site: Path, tmp_path: Path) -> None:
    (tmp_path / "urls").write_text(f"file://{small_site / 'feed.xml'}\n", encoding="utf-8")
    (tmp_path / "config").write_text("", encoding="utf-8")
    session = f"pf{tmp_path.name[-8:]}".replace(".", "")
    command = (f"newsboat -u {tmp_path / 'urls'} -c {tmp_path / 'cache.db'} -C {tmp_path / 'config'} -r")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command], check=True)
    try:
        screen = ""
        for keys in (["Enter"], ["Enter"]):  # open the feed, then its first (newest) item
            time.sleep(1.5)
            subprocess.run(["tmux", "send-keys", "-t", session, *keys], check=True)
        for _ in range(20):
            time.sleep(0.5)
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                    capture_output=True, text=True, check=True).stdout
            if "Author:" in screen:
                break
        assert f"Author: {NAMES}" in screen, screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)


def test_entries_and_digest_rows_share_the_site_byline(small_site: Path) -> None:
    """One byline rule (views.byline): an entry names every author; a digest row the first three
    and a count, as the day page's cards do."""
    entry = _fast(feedparser.parse((small_site / "atom.xml").read_bytes()).entries)
    assert entry.content[0].value.startswith(f"<p>{NAMES}")
    row = feedparser.parse((small_site / "digest.xml").read_bytes()).entries[0].description
    assert "Ada Lovelace, Alan Turing, Grace Hopper +1" in row and "Dijkstra" not in row
