"""Hypothesis fuzzing of the loader and the renderer.

Whatever bytes or records come in: the only exception is ContentError (a reported
problem, printable on any terminal); what builds gives pages that an HTML5 parser reads
without a single parse error, JSON-LD and JSON feeds that parse, XML feeds that lxml
reads and feedparser reads with bozo == 0, and output paths the writer accepts.
Bounded (max_examples, no per-example deadline on these shared machines) to stay fast.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import feedparser
import html5lib
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from generator.build import build
from generator.content import load_file
from generator.errors import Problem, printable
from generator.record import RecordContext
from generator.writer import check_output_path
from tests.conftest import make_site

pytestmark = pytest.mark.big  # tiers: docs/testing.md

# FUZZ_SCALE=50 for a long local hunt; the suite's default keeps this file at ~15 s.
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
FAST = settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SITES = settings(max_examples=15 * SCALE, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Pieces that have broken static site generators: markup, template syntax, XML/CDATA ends,
# Markdown and TeX syntax, entities, controls, bidi, surrogates, path parts.
SNIPPETS = ["<script>alert(1)</script>", "</script>", "<img src=x onerror=alert(1)>", "]]>", "<![CDATA[",
            "{{ 7*7 }}", "{%", "$", "$$", "\\", "\\frac{", "}", "{", "&", "&amp;", "&#0;", "&#x202e;", "*", "_",
            "[", "](javascript:alert(1))", "`", "\n", "\r\n", "\r", "\t", "\x00", "\x07", "\x1b", "\x85", "\u2028",
            "\u202e", "\u2066", "\u200b", "\ufeff", "\ufffe", "\ud800", "\U0001F600", "e\u0301", "..", "/", "%2e",
            "CON", "x" * 300, "<think>", "- ", "# ", "> ", "1. ", "    ", "http://", "https://a.b/c?d=1&e=2"]
text = st.lists(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=12)), max_size=8).map("".join)
# Text a valid record can hold (no lone surrogates: they cannot be saved as UTF-8).
clean = st.lists(st.one_of(st.sampled_from([s for s in SNIPPETS if s != "\ud800"]),
                           st.text(st.characters(exclude_categories=["Cs"]), max_size=12)), max_size=8).map("".join)
scalar = st.one_of(text, st.integers(), st.floats(), st.booleans(), st.none(), st.dates())
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(text, inner, max_size=4)), max_leaves=12)
paper_id = st.one_of(st.from_regex(r"2[0-9]{3}\.[0-9]{5}(v[1-9])?", fullmatch=True),
                     st.from_regex(r"[A-Za-z0-9._-]{1,30}", fullmatch=True), text)
url = st.one_of(st.sampled_from(["https://example.org/a?b=1&c=2", " https://x.org/ ", "javascript:alert(1)",
                                 "data:text/html,x", "//evil.example/"]), text)
author = st.one_of(text, st.fixed_dictionaries({"name": text}, optional={"affiliation": text, "url": url}))


def records(valid_dates: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Records with every field drawn from hostile text (and, sometimes, wrong types)."""
    day = st.dates(date(2024, 1, 1), date(2026, 12, 31)) if valid_dates else st.one_of(st.dates(), value)
    return st.fixed_dictionaries(
        {"id": paper_id, "title": text, "abstract": text, "date": day},
        optional={"authors": st.lists(author, max_size=5), "tags": st.lists(text, max_size=5),
                  "organization": text, "upvotes": st.one_of(st.integers(-5, 10**13), value),
                  "links": st.dictionaries(st.sampled_from(["code", "project", "blog", "x y"]), url, max_size=3),
                  "submitted_by": text, "published": day, "extra": value})


def valid_records(count: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Records that must build: hostile text everywhere, but every field of the right type."""
    def one(i: int) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries(
            {"id": st.just(f"2512.{i:05d}"), "title": clean.map(lambda t: "T " + t), "abstract": clean,
             "date": st.dates(date(2024, 1, 1), date(2026, 12, 31))},
            optional={"authors": st.lists(st.one_of(clean.map(lambda t: "A " + t), st.fixed_dictionaries(
                          {"name": clean.map(lambda t: "N " + t)}, optional={"affiliation": clean})), max_size=4),
                      "tags": st.lists(clean, max_size=4), "organization": clean, "submitted_by": clean,
                      "upvotes": st.integers(0, 10**12),
                      "links": st.dictionaries(st.sampled_from(["code", "project", "blog", "x y", "<b>"]),
                                               st.sampled_from(["https://example.org/a?b=1&c=2", " https://x.org/ ",
                                                                "http://h.example/x]]y"]), max_size=3)})
    return st.tuples(*[one(i) for i in range(count)]).map(list)


def dump(data: object) -> bytes:
    """YAML as a user might save it; lone surrogates go out as the bytes an editor would write."""
    return yaml.safe_dump(data, allow_unicode=True).encode("utf-8", "surrogatepass")


def assert_reported(problems: list[Problem], shown: str) -> None:
    for problem in problems:
        line = str(problem)
        assert line.startswith(shown) and line == printable(line)


@FAST
@given(st.binary(max_size=600))
def test_any_bytes_load_or_are_reported(data: bytes) -> None:
    papers, problems = load_file(data, "content/x.yaml", RecordContext())
    assert_reported(problems, "content/x.yaml")


@FAST
@given(st.lists(st.one_of(st.sampled_from(["- ", ": ", "[", "]", "{", "}", "&a ", "*a ", "!!python/name:os.system ",
                                           "? ", "---\n", "\n", "  ", "\t", "'", '"', "|", ">", "#", "%YAML 1.1\n",
                                           "<<: ", "!!binary ", "2025-02-30", ".nan", "~"]), text), max_size=30)
       .map("".join))
def test_any_yaml_ish_text_loads_or_is_reported(source: str) -> None:
    papers, problems = load_file(source.encode("utf-8", "surrogatepass"), "content/x.yaml", RecordContext())
    assert_reported(problems, "content/x.yaml")


@FAST
@given(st.one_of(records(valid_dates=False), st.lists(records(valid_dates=False), max_size=3), value))
def test_any_record_loads_or_is_reported(data: object) -> None:
    papers, problems = load_file(dump(data), "content/x.yaml", RecordContext("America/New_York"))
    assert_reported(problems, "content/x.yaml")
    assert problems or papers or data == []


def check_outputs(public: Path) -> None:
    """Each output as a reader's tools see it."""
    strict = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for path in sorted(public.rglob("*")):
        rel = path.relative_to(public).as_posix()
        assert not path.is_symlink() and check_output_path(rel) == rel
        if rel == "api/daily_papers/index.html":  # JSON under that name (docs/api.md)
            json.loads(path.read_bytes())
        elif path.suffix == ".html":
            page = path.read_bytes().decode("utf-8")
            strict.parse(page)  # raises on any HTML5 parse error
            for ld in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL):
                json.loads(ld)
            assert not re.search(r"<script(?![^>]*(ld\+json|src=))[^>]*>[^<]*alert", page)
        elif path.suffix in (".xml", ".opml"):
            data = path.read_bytes()
            etree.fromstring(data)
            if path.suffix == ".xml" and rel != "sitemap.xml":
                parsed = feedparser.parse(data)
                assert parsed.bozo == 0, (rel, parsed.get("bozo_exception"))
        elif path.suffix == ".json" and not rel.startswith("pagefind/"):
            json.loads(path.read_bytes())


@SITES
@given(st.integers(1, 4).flatmap(valid_records))
def test_any_records_render_to_pages_and_feeds_that_parse(tmp_path_factory: pytest.TempPathFactory,
                                                          batch: list[dict[str, Any]]) -> None:
    site = make_site(tmp_path_factory.mktemp("fuzz"), config={
        "title": "Fuzz", "base_url": "https://example.org/f/", "tags": {"min_papers": 1, "feed_min_papers": 1},
        "orgs": {"min_papers": 1, "feed_min_papers": 1}})
    for i, record in enumerate(batch):
        (site / "content" / f"r{i}.yaml").write_bytes(dump(record))
    report = build(site, environ={})  # valid by construction: no ContentError either
    assert report.papers == len(batch)
    check_outputs(site / "public")
