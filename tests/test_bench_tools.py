"""benchmarks/: RESULTS.md keeps the sections a run did not measure; the serve-latency measure;
the issue-14 ratios against the plain Hugo site."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import make_site, record

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import report  # noqa: E402
import results_md  # noqa: E402
import run  # noqa: E402
import serve_latency  # noqa: E402

HAND = """# paperfeed build benchmark: results

Notes written by hand.

<!-- run.py: realistic -->
## Realistic corpus: the last run

realistic figures
<!-- run.py: end realistic -->

## Older synthetic run (history)

old synthetic figures, kept
"""


def test_a_run_goes_into_a_new_section_at_the_top_and_keeps_every_other_byte() -> None:
    merged = results_md.merge_section(HAND, "synthetic", "## Synthetic corpus: the last run\n\nnew figures\n")
    block = ("<!-- run.py: synthetic -->\n## Synthetic corpus: the last run\n\nnew figures\n"
             "<!-- run.py: end synthetic -->\n")
    assert block in merged
    assert merged.replace(block + "\n", "") == HAND  # nothing else touched
    assert merged.index(block) < merged.index("<!-- run.py: realistic -->")  # newest first, outside it
    assert results_md.sections(merged) == {"synthetic": "## Synthetic corpus: the last run\n\nnew figures",
                                           "realistic": "## Realistic corpus: the last run\n\nrealistic figures"}


def test_a_second_run_of_a_kind_replaces_only_its_section() -> None:
    once = results_md.merge_section(HAND, "synthetic", "first run\n")
    twice = results_md.merge_section(once, "synthetic", "second run\n")
    assert "first run" not in twice and "second run" in twice
    assert twice == once.replace("first run", "second run")
    again = results_md.merge_section(twice, "realistic", "fresh realistic\n")
    assert "realistic figures" not in again and "old synthetic figures, kept" in again
    assert results_md.sections(again)["synthetic"] == "second run"


def test_a_new_file_gets_the_title_and_the_section() -> None:
    assert results_md.merge_section(None, "realistic", "body") == (
        "# paperfeed build benchmark: results\n\n<!-- run.py: realistic -->\nbody\n<!-- run.py: end realistic -->\n")


def test_a_section_without_its_end_marker_is_an_error_not_a_truncated_file() -> None:
    with pytest.raises(ValueError, match="end synthetic"):
        results_md.merge_section("<!-- run.py: synthetic -->\nhalf\n", "synthetic", "x")


def test_the_published_results_keep_the_realistic_section_on_a_synthetic_run() -> None:
    published = (BENCH / "RESULTS.md").read_text(encoding="utf-8")
    realistic = results_md.sections(published)["realistic"]
    merged = results_md.merge_section(published, "synthetic", "synthetic report")
    assert results_md.sections(merged)["realistic"] == realistic
    assert "Synthetic corpus (issue 5, 2026-11-26)" in merged  # the older run stays as history


def test_record_id_title_and_page_path() -> None:
    assert serve_latency.record_id('id: "2512.00161"\ntitle: x\n') == "2512.00161"
    assert serve_latency.record_id("title: x\nid: '2512.00002'\n") == "2512.00002"
    assert serve_latency.record_id("id: hep-th/9711200\n") == "hep-th/9711200"
    assert serve_latency.paper_path("hep-th/9711200") == "papers/hep-th-9711200/"
    text = 'id: "2512.00161"\ntitle: "Old: a title"\nabstract: "title: not this"\n'
    new = yaml.safe_load(serve_latency.with_title(text, "Serve latency probe 3 42"))
    assert new == {"id": "2512.00161", "title": "Serve latency probe 3 42", "abstract": "title: not this"}


def test_page_and_status_parsing() -> None:
    assert serve_latency.shows(b"<h1>Serve latency probe 1 7</h1>", "Serve latency probe 1 7")
    assert not serve_latency.shows(b"<h1>Serve latency probe 1 7</h1>", "Serve latency probe 2 7")
    assert serve_latency.shows(b"<title>A &amp; B</title>", "A & B")
    assert serve_latency.status_version(b'{"version": 3, "error": ""}') == 3
    assert serve_latency.status_busy(b'{"version": 3, "error": "", "indexing": true}') is True
    assert serve_latency.status_busy(b'{"version": 3, "error": "", "indexing": false, "rebuilding": true}') is True
    assert serve_latency.status_busy(b'{"version": 3, "error": "", "indexing": false, "rebuilding": false}') is False
    assert serve_latency.status_busy(b'{"version": 3, "error": ""}') is False
    assert serve_latency.status_version(b"<html>") is None
    assert serve_latency.status_version(b'{"version": true}') is None
    s = serve_latency.summarise({"latencies": [0.9, 0.3, 2.0, 0.5, 0.4], "built_after": [1.0, None],
                                 "startup": 12.0, "url": "u"})
    assert (s["median"], s["min"], s["max"], s["runs"], s["built_median"]) == (0.5, 0.3, 2.0, 5, 1.0)


def _m(median: float, cpu: float | None = None, rss: float = 100.0) -> dict:
    return {"median": median, "min": median, "max": median, "cpu": cpu or median, "rss_mb": rss,
            "tree_mb": rss, "runs": 3}


def test_issue_14_targets_are_against_the_plain_hugo_site() -> None:
    size = {"n": 10_000, "summary": {"hugo_plain": _m(50.0), "hugo_cold": _m(200.0),
                                     "pf_cold": _m(45.0, rss=280.0), "pf_nochange": _m(1.5),
                                     "pf_edit_record": _m(2.0), "pf_edit_template": _m(16.0, rss=320.0)},
            "serve": {"latencies": [0.8, 0.7, 0.9, 1.2, 0.6], "built_after": [], "startup": 40.0,
                      "url": "http://127.0.0.1:1/papers/2512.00001/"}}
    size["serve_summary"] = serve_latency.summarise(size["serve"])
    rows = {r[0]: r for r in report.ratio_rows(size, {})}
    assert rows["paperfeed cold / Hugo plain build"][1:] == ("0.900", "0.900", "<= 0.8", "14", "NOT met")
    assert rows["paperfeed no-change / Hugo plain build"][-1] == "NOT met"  # 0.03 > 0.02
    assert rows["paperfeed one-record edit / Hugo plain build"][-1] == "met"  # 0.04
    assert rows["paperfeed one-template edit / Hugo plain build"][-1] == "NOT met"  # 0.32
    assert rows["paperfeed cold / Hugo math+related build"][1:] == ("0.225", "0.225", "< 1.0", "5", "met")
    assert rows["paperfeed serve, save -> page shows it, median of 5 (s)"][1:] == ("0.800", "", "<= 1", "14", "met")
    assert rows["paperfeed peak RSS, largest process (MB)"][1:] == ("320", "", "<= 300", "14", "NOT met")
    markdown = report.render({"machine": {"cpu": "c", "nproc": 2, "ram": "r", "platform": "p", "python": "3",
                                          "hugo": "h", "pelican": "-", "paperfeed": "pf"},
                              "started": "now", "command": "run", "load_start": "1", "load_end": "1",
                              "sizes": [dict(size, samples={"hugo_plain": []}, outputs={}, notes=[])]})
    assert "Hugo, plain site" in markdown and "| paperfeed | serve: save of one record" in markdown
    assert "`papers/2512.00001/`" in markdown


def test_the_serve_measure_times_saves_until_the_page_shows_the_new_title(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", [record("2512.00001"), record("2512.00002", date="2025-12-07")])
    edited = site / "content" / "r000.yaml"
    before = edited.read_bytes()
    result = serve_latency.measure_serve(site, edited, tmp_path / "serve.log", saves=2)
    assert len(result.latencies) == 2 and all(0 < x < 60 for x in result.latencies)
    assert all(b is not None and b > 0 for b in result.built_after)  # the status endpoint was read
    assert result.papers_url.endswith("/papers/2512.00001/")
    assert edited.read_bytes() == before  # the record is put back


def test_the_template_edit_reaches_every_paper_page(tmp_path: Path) -> None:
    """The benchmark's template-edit measure changes paper.html where Jinja keeps it (inside a
    block: text after the last block of a template that extends another is dropped)."""
    from generator.build import build

    corpus = make_site(tmp_path / "corpus", [record("2512.00001"), record("2512.00002")])
    bench = run.Paperfeed(corpus, tmp_path / "site", "{python} -m generator build", tmp_path / "work", 2)
    bench.setup_override()
    build(bench.site, environ={})
    bench.edit_template(1)
    report = build(bench.site, environ={})
    pages = sorted((bench.out / "papers").glob("*/index.html"))
    assert len(pages) == 2 and report.changed == 2
    assert all("<!-- benchmark template edit 1 -->" in page.read_text(encoding="utf-8") for page in pages)
