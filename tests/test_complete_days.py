"""A day is mailed when it is complete (issue 15): the digest feed, `paperfeed digest`, the
day page's "In progress", the `_day.yaml` marker that `paperfeed import hf` writes, and the rule's
determinism (the repository's files decide, never the build's clock)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import feedparser
import pytest
import yaml
from click.testing import CliRunner
from lxml import html

from generator.build import build, load_content
from generator.cli import main
from generator.days import day_ended
from generator.importers.run import fetch_hf_batch, import_batches
from generator.indexes import build_index
from tests.conftest import REPO, make_site, record
from tests.feed_rules import check_atom, check_json, check_rss
from tests.support.trees import snapshot

DATA = REPO / "tests" / "data" / "hf-daily-papers"
BASE = "https://example.org/papers/"
IN_PROGRESS = "In progress: more papers may be added today"
RECORDS = [
    record("2512.00001", title="Early one", date="2025-12-05", upvotes=3),
    record("2512.00002", title="Early two", date="2025-12-05", upvotes=9),
    record("2512.00003", title="Newest, being filled", date="2025-12-08", upvotes=5),
]
MARKER = "content/2025/12/08/_day.yaml"


pytestmark = pytest.mark.usefixtures("no_network")  # tests/conftest.py: fetch() refuses


def paperfeed(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def site_with(tmp_path: Path, records: list[dict] = RECORDS, files: dict[str, str] | None = None,
              **config: object) -> Path:
    return make_site(tmp_path / "site", records=records, config={"title": "T", "base_url": BASE, **config},
                     files=files)


def banner(page: Path) -> list[str]:
    tree = html.parse(str(page))
    return [" ".join(p.text_content().split()) for p in tree.xpath('//p[@class="in-progress"]')]


# --- the digest feed ------------------------------------------------------------------


def test_the_digest_feed_leaves_out_the_day_in_progress(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    build(site, environ={})
    out = site / "public"
    for data in ((out / "digest.xml").read_bytes(), (out / "digest.atom.xml").read_bytes()):
        assert feedparser.parse(data).bozo == 0
    rss = check_rss((out / "digest.xml").read_bytes(), BASE + "digest.xml")
    atom = check_atom((out / "digest.atom.xml").read_bytes(), BASE + "digest.atom.xml")
    jsn = check_json((out / "digest.json").read_bytes(), BASE + "digest.json")
    assert [i.link for i in rss] == [i.link for i in atom] == [i.link for i in jsn] == [BASE + "days/2025-12-05/"]
    assert rss[0].id.endswith("/digest/2025-12-05")
    # the other feeds are not held back: the site feed has the newest day's paper first
    site_feed = check_rss((out / "feed.xml").read_bytes(), BASE + "feed.xml")
    assert site_feed[0].link == BASE + "papers/2512.00003/"


@pytest.mark.slow
def test_the_digest_feed_takes_the_day_once_it_is_complete(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    build(site, environ={})
    (site / MARKER).parent.mkdir(parents=True)
    (site / MARKER).write_text("complete: true\n", encoding="utf-8")
    build(site, environ={})
    rss = check_rss((site / "public/digest.xml").read_bytes(), BASE + "digest.xml")
    assert [i.link for i in rss] == [BASE + "days/2025-12-08/", BASE + "days/2025-12-05/"]


def test_a_site_with_no_complete_day_has_an_empty_valid_digest_feed(tmp_path: Path) -> None:
    site = site_with(tmp_path, records=[RECORDS[2]])
    build(site, environ={})
    assert check_rss((site / "public/digest.xml").read_bytes(), BASE + "digest.xml") == []
    assert check_atom((site / "public/digest.atom.xml").read_bytes(), BASE + "digest.atom.xml") == []


# --- paperfeed digest -------------------------------------------------------------------


def test_digest_takes_the_newest_complete_day_and_says_the_newest_is_in_progress(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    code, output = paperfeed("digest", "--site", str(site))
    assert code == 0, output
    assert output.startswith("Daily Papers: December 5, 2025\n")
    assert "Newest, being filled" not in output
    assert output.endswith("note: 2025-12-08 is in progress (more papers may be added), so this is the digest "
                           "of 2025-12-05, the newest complete day; --include-incomplete takes 2025-12-08\n")
    code, output = paperfeed("digest", "--site", str(site), "--include-incomplete")
    assert code == 0 and output.startswith("Daily Papers: December 8, 2025\n")
    assert "Newest, being filled" in output and "note:" not in output


def test_digest_refuses_a_day_or_week_in_progress_asked_for_by_name(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    assert paperfeed("digest", "--site", str(site), "--day", "2025-12-08") == (
        1, "Error: 2025-12-08 is in progress: more papers may be added; --include-incomplete mails it anyway\n")
    assert paperfeed("digest", "--site", str(site), "--week", "2025-W50") == (
        1, "Error: 2025-W50 is in progress: more papers may be added to 2025-12-08; "
           "--include-incomplete mails it anyway\n")
    out = tmp_path / "out"
    code, output = paperfeed("digest", "--site", str(site), "--day", "2025-12-08", "--include-incomplete",
                             "--out", str(out))
    assert code == 0 and (out / "digest-2025-12-08.txt").is_file(), output
    code, output = paperfeed("digest", "--site", str(site), "--week", "2025-W49")  # Dec 5: complete
    assert code == 0 and output.startswith("Weekly Papers: Week 49, 2025\n")


def test_digest_with_no_complete_day_says_what_to_do(tmp_path: Path) -> None:
    site = site_with(tmp_path, records=[RECORDS[2]])
    assert paperfeed("digest", "--site", str(site)) == (
        1, "Error: no complete day yet: 2025-12-08, the newest, is in progress; --include-incomplete mails it "
           "anyway, or write complete: true in content/2025/12/08/_day.yaml\n")
    (site / MARKER).parent.mkdir(parents=True)
    (site / MARKER).write_text("complete: true\n", encoding="utf-8")
    code, output = paperfeed("digest", "--site", str(site))
    assert code == 0 and output.startswith("Daily Papers: December 8, 2025\n")


@pytest.mark.slow
def test_a_hand_written_complete_false_holds_a_day_back_even_with_later_days(tmp_path: Path) -> None:
    site = site_with(tmp_path, files={"content/2025/12/05/_day.yaml": "complete: false  # still checking\n"})
    code, output = paperfeed("digest", "--site", str(site))
    assert code == 1 and output.startswith("Error: no complete day yet"), output
    build(site, environ={})
    assert check_rss((site / "public/digest.xml").read_bytes(), BASE + "digest.xml") == []
    assert banner(site / "public/days/2025-12-05/index.html") == [IN_PROGRESS]


# --- the day page --------------------------------------------------------------------------


@pytest.mark.slow
def test_the_day_page_says_in_progress_until_a_later_day_arrives(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    build(site, environ={})
    out = site / "public"
    assert banner(out / "days/2025-12-08/index.html") == [IN_PROGRESS]
    assert banner(out / "index.html") == [IN_PROGRESS]  # the home page is the newest day
    assert banner(out / "days/2025-12-05/index.html") == []
    assert banner(out / "weeks/2025-W50/index.html") == []  # only day pages say it
    (site / "content/later.yaml").write_text(yaml.safe_dump(record("2512.00004", date="2025-12-09")), "utf-8")
    build(site, environ={})
    assert banner(out / "days/2025-12-08/index.html") == []
    assert banner(out / "days/2025-12-09/index.html") == [IN_PROGRESS] == banner(out / "index.html")


@pytest.mark.slow
def test_the_day_page_stops_saying_it_once_the_marker_is_set(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    build(site, environ={})
    (site / MARKER).parent.mkdir(parents=True)
    (site / MARKER).write_text("complete: true\n", encoding="utf-8")
    report = build(site, environ={})
    assert report.changed > 0  # a marker is an input: the no-change shortcut does not skip it
    assert banner(site / "public/days/2025-12-08/index.html") == []
    assert banner(site / "public/index.html") == []


# --- the marker: validated like a record, never a record -------------------------------------


def test_the_marker_is_no_paper_and_is_validated_with_file_and_line(tmp_path: Path) -> None:
    site = site_with(tmp_path, files={MARKER: "complete: true\nfetched: 2025-12-09T06:00:00Z\nlisted: 1\n"})
    assert paperfeed("check", "--site", str(site)) == (0, "OK: 3 papers, no problems.\n")
    (site / MARKER).write_text("listed: 3\ncomplete: yes please\ncompleted: true\nfetched: 2025-12-09\n", "utf-8")
    (site / "content/notes").mkdir()
    (site / "content/notes/_day.yaml").write_text("complete: true\n", "utf-8")
    code, output = paperfeed("check", "--site", str(site))
    assert code == 1
    assert output.splitlines()[:4] == [
        "content/2025/12/08/_day.yaml:2: complete: expected true or false, got 'yes please'",
        "content/2025/12/08/_day.yaml:3: completed: unknown field (known: complete, fetched, listed)",
        "content/2025/12/08/_day.yaml:4: fetched: expected a time with its zone, like 2025-12-09T06:30:00Z, "
        "got '2025-12-09'",
        "content/notes/_day.yaml:1: a day marker must sit in its day's folder: "
        "content/<yyyy>/<mm>/<dd>/_day.yaml",
    ]
    with pytest.raises(Exception, match="unknown field"):
        build(site, environ={})
    assert not (site / "public").exists()


# --- import hf writes the marker by the rule ---------------------------------------------------


def hf_import(site: Path, *args: str) -> tuple[int, str]:
    return paperfeed("import", "hf", "--site", str(site), *args)


def marker(site: Path, day: str) -> dict:
    return yaml.safe_load((site / "content" / day.replace("-", "/") / "_day.yaml").read_text("utf-8"))


@pytest.mark.slow
def test_import_records_a_fetch_during_the_day_and_completes_it_after_the_day_ended(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    response = str(DATA / "2025-11-21.json")
    listed = len(json.loads((DATA / "2025-11-21.json").read_text("utf-8")))
    code, output = hf_import(site, response, "--fetched-at", "2025-11-21T06:00:00Z")
    assert code == 0, output
    assert (f"create content/2025/11/21/_day.yaml (2025-11-21): in progress, fetched 2025-11-21T06:00:00Z, "
            f"{listed} listed") in output
    assert marker(site, "2025-11-21") == {"fetched": dt.datetime(2025, 11, 21, 6, tzinfo=dt.UTC),
                                          "listed": listed}
    assert paperfeed("digest", "--site", str(site))[0] == 1  # the only day is in progress
    code, output = hf_import(site, response, "--fetched-at", "2025-11-22T00:30:00+00:00")
    assert f"update content/2025/11/21/_day.yaml (2025-11-21): complete, fetched 2025-11-22T00:30:00Z, " \
           f"{listed} listed" in output
    assert marker(site, "2025-11-21")["complete"] is True
    code, output = paperfeed("digest", "--site", str(site))
    assert code == 0 and output.startswith("Daily Papers: November 21, 2025\n")
    before = (site / "content/2025/11/21/_day.yaml").read_bytes()
    code, output = hf_import(site, response, "--fetched-at", "2025-11-21T05:00:00Z")  # an older fetch
    assert code == 0 and "_day.yaml" not in output
    assert (site / "content/2025/11/21/_day.yaml").read_bytes() == before  # newest facts kept, no byte moved


@pytest.mark.slow
def test_the_day_ends_in_utc_and_in_the_site_time_zone_whichever_is_later(tmp_path: Path) -> None:
    assert day_ended(dt.date(2025, 11, 21), "UTC") == dt.datetime(2025, 11, 22, tzinfo=dt.UTC)
    assert day_ended(dt.date(2025, 11, 21), "America/Los_Angeles") == dt.datetime(2025, 11, 22, 8, tzinfo=dt.UTC)
    assert day_ended(dt.date(2025, 11, 21), "Asia/Tokyo") == dt.datetime(2025, 11, 22, tzinfo=dt.UTC)
    site = make_site(tmp_path / "site", config={"title": "T", "timezone": "America/Los_Angeles"})
    hf_import(site, str(DATA / "2025-06-11.json"), "--fetched-at", "2025-06-12T03:00:00Z")
    assert "complete" not in marker(site, "2025-06-11")  # Hugging Face's day is over, Los Angeles' is not
    hf_import(site, str(DATA / "2025-06-11.json"), "--fetched-at", "2025-06-12T08:00:00Z")
    assert marker(site, "2025-06-11")["complete"] is True


def test_import_never_changes_a_complete_already_written(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", files={"content/2025/11/21/_day.yaml": "complete: false\n"})
    code, output = hf_import(site, str(DATA / "2025-11-21.json"), "--fetched-at", "2025-11-23T00:00:00Z")
    assert code == 0 and "(2025-11-21): held back (complete: false)" in output
    assert marker(site, "2025-11-21")["complete"] is False


@pytest.mark.slow
def test_import_without_a_fetch_time_writes_no_marker(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    code, output = hf_import(site, *(str(p) for p in sorted(DATA.glob("*.json"))))
    assert code == 0, output
    assert not list((site / "content").rglob("_day.yaml"))
    config, papers, markers = load_content(site)
    index = build_index(papers, config, markers)
    assert [d.complete for d in index.days] == [True] * (len(index.days) - 1) + [False]  # a later day exists


@pytest.mark.slow
def test_fetch_records_the_clock_before_asking(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    body = (DATA / "2026-08-20.json").read_bytes()
    day = dt.date(2026, 8, 20)
    during = fetch_hf_batch(day, fetcher=lambda url: body,
                            clock=lambda: dt.datetime(2026, 8, 20, 22, 30, tzinfo=dt.UTC))
    report = import_batches(site, [during])
    assert [str(c) for c in report.days] == [
        f"create content/2026/08/20/_day.yaml (2026-08-20): in progress, fetched 2026-08-20T22:30:00Z, "
        f"{len(json.loads(body))} listed"]
    after = fetch_hf_batch(day, fetcher=lambda url: body,
                           clock=lambda: dt.datetime(2026, 8, 21, 22, 30, tzinfo=dt.UTC))
    empty = fetch_hf_batch(dt.date(2026, 8, 22), fetcher=lambda url: b"[]",
                           clock=lambda: dt.datetime(2026, 8, 22, 9, tzinfo=dt.UTC))
    report = import_batches(site, [after, empty])
    assert [c.action for c in report.days] == ["update"]  # an empty listing (a weekend) marks nothing
    assert marker(site, "2026-08-20")["complete"] is True
    assert not (site / "content/2026/08/22").exists()


def test_dry_run_writes_no_marker(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    code, output = hf_import(site, "--dry-run", str(DATA / "2025-01-10.json"), "--fetched-at", "2025-01-11T01:00:00Z")
    assert code == 0 and "would create content/2025/01/10/_day.yaml (2025-01-10): complete" in output
    assert not list((site / "content").rglob("*.yaml"))


# --- determinism -------------------------------------------------------------------------------


@pytest.mark.slow
def test_same_files_same_site(tmp_path: Path) -> None:
    files = {MARKER: "complete: false\n", "content/2025/12/05/_day.yaml": "complete: true\nlisted: 2\n"}
    first = site_with(tmp_path / "a", files=files)
    build(first, environ={})
    second = tmp_path / "b" / "site"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns("public", ".paperfeed-cache"))
    build(second, environ={})
    built = snapshot(first / "public")
    assert built == snapshot(second / "public")
    assert banner(first / "public/index.html") == [IN_PROGRESS]
    build(first, environ={}, clean=True)  # a clean rebuild, later on the clock: the same bytes
    assert snapshot(first / "public") == built
