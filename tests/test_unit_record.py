"""record.py: each field validator with its exact message, then whole records with lines."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from generator.content import check_unique, load_file
from generator.model import Author, Link, Paper, PaperId, parse_paper_id
from generator.record import (
    FieldError,
    RecordContext,
    check_abstract,
    check_authors,
    check_count,
    check_date,
    check_extra,
    check_links,
    check_tags,
    check_thumbnail,
    check_title,
    check_url,
)
from generator.yamlsrc import BadTimestamp

CTX = RecordContext()
KNOWN = ("id, title, abstract, authors, author_count, organization, published, date, upvotes, tags, links, "
         "thumbnail, submitted_by, extra")
BAD_ID = ("expected an arXiv id (2512.01234, hep-th/9711200) or a slug of letters, digits, '.', '_' and '-', "
          "got {!r}")
BASE = "title: T\nabstract: A\ndate: 2025-12-08\n"


def load(text: str, timezone: str = "UTC") -> tuple[list[Paper], list[str]]:
    papers, problems = load_file(text.encode(), "content/x.yaml", RecordContext(timezone))
    return papers, [str(p) for p in sorted(problems)]


def one(text: str, timezone: str = "UTC") -> Paper:
    papers, problems = load(text, timezone)
    assert problems == []
    assert len(papers) == 1
    return papers[0]


def rejects(check: Any, value: Any, message: str) -> None:
    with pytest.raises(FieldError) as info:
        check(value, CTX)
    assert str(info.value) == message


# field validators ----------------------------------------------------------------------------

def test_title_is_one_line_of_plain_text() -> None:
    assert check_title("Hogwild!\n  Inference:\tParallel  LLM", CTX) == "Hogwild! Inference: Parallel LLM"
    assert check_title("a\x00b\x7f\ufeffc", CTX) == "abc"
    assert check_title("<b>kept as text</b>", CTX) == "<b>kept as text</b>"
    assert check_title(1984, CTX) == "1984"
    rejects(check_title, "  \n ", "expected a non-empty title")
    rejects(check_title, ["a"], "expected a string, got ['a']")
    rejects(check_title, True, "expected a string, got True")
    rejects(check_title, {"en": "x"}, "expected a string, got {'en': 'x'}")


def test_abstract_keeps_its_lines_normalised() -> None:
    assert check_abstract(None, CTX) == ""
    assert check_abstract("  First line.\n\nSecond $x_i$.\n", CTX) == "First line.\n\nSecond $x_i$."
    assert check_abstract("Cafe\u0301\x0b", CTX) == "Café"  # NFC, control characters dropped
    rejects(check_abstract, ["a"], "expected a string, got ['a']")


def test_long_values_are_shortened_in_messages() -> None:
    rejects(check_title, ["x" * 100], "expected a string, got ['" + "x" * 55 + "...")


@pytest.mark.parametrize("value, expected", [
    (dt.date(2025, 12, 8), dt.date(2025, 12, 8)),
    ("2025-12-08", dt.date(2025, 12, 8)),
    (" 2025-12-08 ", dt.date(2025, 12, 8)),
    (dt.datetime(2025, 12, 8, 23, 30), dt.date(2025, 12, 8)),
    (dt.datetime(2025, 12, 8, 23, 30, tzinfo=dt.UTC), dt.date(2025, 12, 8)),
])
def test_dates(value: Any, expected: dt.date) -> None:
    assert check_date(value, CTX) == expected


def test_a_timestamp_is_dated_in_the_sites_time_zone() -> None:
    stamp = dt.datetime(2025, 12, 8, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert check_date(stamp, RecordContext("UTC")) == dt.date(2025, 12, 9)
    assert check_date(stamp, RecordContext("America/Los_Angeles")) == dt.date(2025, 12, 8)
    assert check_date(stamp, RecordContext("Asia/Tokyo")) == dt.date(2025, 12, 9)


@pytest.mark.parametrize("value, message", [
    (BadTimestamp("2025-02-30"), "not a real date: '2025-02-30'"),
    ("Dec 8", "expected a date like 2025-12-08, got 'Dec 8'"),
    ("2025-02-30", "expected a date like 2025-12-08, got '2025-02-30'"),
    (20251208, "expected a date like 2025-12-08, got 20251208"),
    ([2025, 12, 8], "expected a date like 2025-12-08, got [2025, 12, 8]"),
])
def test_bad_dates(value: Any, message: str) -> None:
    rejects(check_date, value, message)


def test_counts_are_whole_numbers_from_zero() -> None:
    assert check_count(0, CTX) == 0
    assert check_count(10**12, CTX) == 10**12
    for value, shown in ((-1, "-1"), (True, "True"), (1.5, "1.5"), ("many", "'many'"), ("3", "'3'"),
                         (10**12 + 1, "1000000000001"), (None, "None")):
        rejects(check_count, value, f"expected a whole number >= 0, got {shown}")


def test_urls_are_http_or_https() -> None:
    assert check_url(" https://github.com/a/b?tab=1#readme ", CTX) == "https://github.com/a/b?tab=1#readme"
    assert check_url("HTTP://Example.org", CTX) == "HTTP://Example.org"
    for bad in ("javascript:alert(1)", "ftp://x.org/", "//x.org/a", "https://", "https:///a", "x.org",
                "https://x.org/a b", 'https://x.org/"onmouseover=', "https://x.org/\x01"):
        rejects(check_url, bad, f"expected an http(s) URL, got {bad.strip()!r}")
    rejects(check_url, ["https://x.org"], "expected an http(s) URL, got ['https://x.org']")


def test_thumbnail_is_a_url_or_a_site_path() -> None:
    assert check_thumbnail("/images/card.png", CTX) == "/images/card.png"
    assert check_thumbnail("https://x.org/a.png", CTX) == "https://x.org/a.png"
    for bad in ("/../etc/passwd", "//evil.org/a.png", "/a b.png", "images/card.png", "data:image/png,xx"):
        rejects(check_thumbnail, bad, f"expected an http(s) URL or a site path like /images/card.png, got {bad!r}")
    rejects(check_thumbnail, 3.5, "expected an http(s) URL or a site path like /images/card.png, got '3.5'")


def test_tags_are_deduplicated_ignoring_case_first_spelling_wins() -> None:
    assert check_tags(["LLM", "llm", " Vision \n Models ", "", "RL", 3], CTX) == ("LLM", "Vision Models", "RL", "3")
    rejects(check_tags, "llm, rl", "expected a list of strings, got 'llm, rl'")
    rejects(check_tags, [["a"]], "tag 1: expected a string, got ['a']")


def test_authors_as_names_or_mappings() -> None:
    assert check_authors(["Ada  Lovelace", {"name": "Alan\nTuring", "affiliation": "NPL",
                                            "url": "https://turing.org.uk"}], CTX) == (
        Author("Ada Lovelace"), Author("Alan Turing", "NPL", "https://turing.org.uk"))
    assert check_authors([], CTX) == ()


@pytest.mark.parametrize("value, message", [
    ("Ada, Alan", "expected a list of names or of {name, affiliation, url}, got 'Ada, Alan'"),
    (["Ada", " "], "author 2: expected a name, got an empty one"),
    ([{"name": "Ada", "email": "a@b"}], "author 1: unknown key 'email'; expected name, affiliation, url"),
    ([{"affiliation": "NPL"}], "author 1: expected a name, got None"),
    (["Ada", ["Alan"]], "author 2: expected a name, got ['Alan']"),
    (["Ada", "Bob", {"name": "Eve", "url": "ftp://eve"}], "author 3: url: expected an http(s) URL, got 'ftp://eve'"),
])
def test_bad_authors(value: Any, message: str) -> None:
    rejects(check_authors, value, message)


def test_links_known_names_aliases_and_own_labels() -> None:
    links = check_links({"GitHub": "https://github.com/a/b", "PDF": "https://x.org/p.pdf",
                         "Slides": "https://x.org/s", "project": "https://x.org/"}, CTX)
    assert links == (Link("code", "https://github.com/a/b"), Link("pdf", "https://x.org/p.pdf"),
                     Link("Slides", "https://x.org/s"), Link("project", "https://x.org/"))
    assert [link.known for link in links] == [True, True, False, True]


@pytest.mark.parametrize("value, message", [
    (["https://x.org"], "expected a mapping of names to URLs, got ['https://x.org']"),
    ({"code": "javascript:alert(1)"}, "code: expected an http(s) URL, got 'javascript:alert(1)'"),
    ({"GitHub": "github.com/a/b"}, "GitHub: expected an http(s) URL, got 'github.com/a/b'"),
    ({" ": "https://x.org"}, "a link needs a name"),
    ({"code": None}, "code: expected an http(s) URL, got None"),
])
def test_bad_links(value: Any, message: str) -> None:
    rejects(check_links, value, message)


def test_extra_keeps_the_users_fields_sorted() -> None:
    assert check_extra({"z": 1, "a": [2]}, CTX) == (("a", [2]), ("z", 1))
    rejects(check_extra, ["a"], "expected a mapping of your own fields, got ['a']")


# identity ------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, key, version, arxiv", [
    ("2512.01234", "2512.01234", None, True),
    ("2512.01234v2", "2512.01234", 2, True),
    ("0704.0001", "0704.0001", None, True),
    ("1501.0001v12", "1501.0001", 12, True),
    ("hep-th/9711200", "hep-th/9711200", None, True),
    ("hep-th/9711200v3", "hep-th/9711200", 3, True),
    ("math.AG/0309136", "math.AG/0309136", None, True),
    ("cond-mat/0102536v1", "cond-mat/0102536", 1, True),
    ("hogwild-inference", "hogwild-inference", None, False),
    ("Paper_1.2-b", "Paper_1.2-b", None, False),
    ("2512.123", "2512.123", None, False),         # too few digits: a slug, not arXiv
    ("2512.01234v", "2512.01234v", None, False),
])
def test_paper_ids(raw: str, key: str, version: int | None, arxiv: bool) -> None:
    assert parse_paper_id(raw) == PaperId(key, version, arxiv)
    assert PaperId(key, version, arxiv).full == raw


@pytest.mark.parametrize("raw", ["", ".", "..", "a/b", "../x", "a b", "café", "x" * 201, "hep-th/97112",
                                 "HEP-TH/9711200", "a\x00",
                                 # folder names Windows cannot create, or Jekyll hides
                                 "...", "paper.", ".hidden", "CON", "con", "nul.txt", "LPT1"])
def test_bad_paper_ids(raw: str) -> None:
    assert parse_paper_id(raw) is None


def test_a_versioned_arxiv_id_is_the_version_less_paper() -> None:
    paper = one(f"id: 2512.01234v2\n{BASE}")
    assert (paper.key, paper.id.version, paper.id.full) == ("2512.01234", 2, "2512.01234v2")
    # Links point at the version the record names.
    assert paper.links == (Link("arxiv", "https://arxiv.org/abs/2512.01234v2"),
                           Link("pdf", "https://arxiv.org/pdf/2512.01234v2"))


def test_versions_and_case_do_not_make_a_second_paper() -> None:
    a = one(f"id: '2512.01234'\n{BASE}")
    b = dataclasses.replace(one(f"id: 2512.01234v3\n{BASE}"), source="content/y.yaml")
    c = one(f"id: My-Paper\n{BASE}")
    d = dataclasses.replace(one(f"id: my-paper\n{BASE}"), source="content/z.yaml", line=4)
    assert [str(p) for p in check_unique([d, c, b, a])] == [
        "content/y.yaml:1: id: duplicate id '2512.01234' (also in content/x.yaml:1)",
        "content/z.yaml:4: id: duplicate id 'my-paper' (also in content/x.yaml:1)",
    ]


@pytest.mark.parametrize("written, key", [
    ("2512.01230", "2512.01230"),   # YAML reads a float 2512.0123: the text as written is the id
    ("2512.10000", "2512.10000"),
    ("1706.03762", "1706.03762"),
    ("0042", "0042"),               # YAML 1.1 octal: still the text
    ("12345", "12345"),
])
def test_numeric_ids_given_unquoted_keep_their_digits(written: str, key: str) -> None:
    assert one(f"id: {written}\n{BASE}").key == key


def test_ids_that_are_not_scalars_or_not_valid() -> None:
    for text, shown in (("id: true", "True"), ("id: [a]", "['a']"), ("id: {a: 1}", "{'a': 1}")):
        assert load(f"{BASE}{text}\n")[1] == [f"content/x.yaml:4: id: expected an arXiv id or a slug, got {shown}"]
    for raw in ("../../etc/passwd", "a b"):
        assert load(f"{BASE}id: '{raw}'\n")[1] == [f"content/x.yaml:4: id: {BAD_ID.format(raw)}"]
    for raw in ("..", "CON", "paper."):
        assert load(f"{BASE}id: '{raw}'\n")[1] == [
            f"content/x.yaml:4: id: a slug id must not start or end with '.' or be a device name like CON "
            f"(it names a folder), got '{raw}'"]
    assert load(f"{BASE}id: ''\n")[1] == [f"content/x.yaml:4: id: {BAD_ID.format('')}"]


# whole records -------------------------------------------------------------------------------

def test_a_minimal_record_and_its_defaults() -> None:
    paper = one(f"id: my-paper\n{BASE}")
    assert paper == Paper(id=PaperId("my-paper"), title="T", abstract="A", date=dt.date(2025, 12, 8),
                          source="content/x.yaml", line=1)
    assert (paper.upvotes, paper.author_count, paper.links, paper.published) == (0, 0, (), None)


def test_date_defaults_to_published() -> None:
    paper = one("id: x\ntitle: T\nabstract: A\npublished: 2025-10-30\n")
    assert (paper.date, paper.published) == (dt.date(2025, 10, 30), dt.date(2025, 10, 30))
    paper = one("id: x\ntitle: T\nabstract: A\npublished: 2022-05-18\ndate: 2025-12-08\n")
    assert (paper.date, paper.published) == (dt.date(2025, 12, 8), dt.date(2022, 5, 18))
    paper = one("id: x\ntitle: T\nabstract: A\npublished: '2022-05-18'\ndate: 2025-12-08T23:30:00-05:00\n",
                timezone="Europe/Paris")
    assert paper.date == dt.date(2025, 12, 9)


def test_author_count_defaults_to_the_number_of_authors() -> None:
    assert one(f"id: x\n{BASE}authors: [A, B, C]\n").author_count == 3
    assert one(f"id: x\n{BASE}author_count: 4\n").author_count == 4                # "4 authors", no names
    assert one(f"id: x\n{BASE}authors: [A, B]\nauthor_count: 12\n").author_count == 12  # names cut
    assert one(f"id: x\n{BASE}authors: [A, B]\nauthor_count: 1\n").author_count == 2
    assert one(f"id: x\n{BASE}organization: ' Tencent '\n").organization == "Tencent"


def test_arxiv_and_pdf_links_are_derived_unless_given() -> None:
    paper = one(f"id: hep-th/9711200\n{BASE}links:\n  github: https://github.com/a/b\n")
    assert paper.links == (Link("arxiv", "https://arxiv.org/abs/hep-th/9711200"),
                           Link("pdf", "https://arxiv.org/pdf/hep-th/9711200"),
                           Link("code", "https://github.com/a/b"))
    assert paper.link("code") == "https://github.com/a/b" and paper.link("video") == ""
    paper = one(f"id: '2512.00001'\n{BASE}links:\n  pdf: https://x.org/p.pdf\n")
    assert paper.links == (Link("arxiv", "https://arxiv.org/abs/2512.00001"), Link("pdf", "https://x.org/p.pdf"))
    paper = one(f"id: slug-id\n{BASE}links:\n  project: https://x.org/\n")
    assert paper.links == (Link("project", "https://x.org/"),)  # no arXiv id, nothing derived


def test_every_problem_of_a_record_with_its_line() -> None:
    text = ("id: x\ntitle: ''\nabstract: A\ndate: 2025-02-30\nupvotes: many\nauthor_count: -1\n"
            "tags: llm\nlinks: [a]\nbogus: 1\nauthors:\n  - A\n  - {name: B, url: 'ftp://b'}\n")
    assert load(text)[1] == [
        "content/x.yaml:2: title: expected a non-empty title",
        "content/x.yaml:4: date: not a real date: '2025-02-30'",
        "content/x.yaml:5: upvotes: expected a whole number >= 0, got 'many'",
        "content/x.yaml:6: author_count: expected a whole number >= 0, got -1",
        "content/x.yaml:7: tags: expected a list of strings, got 'llm'",
        "content/x.yaml:8: links: expected a mapping of names to URLs, got ['a']",
        f"content/x.yaml:9: bogus: unknown field; put your own fields under 'extra:' (known: {KNOWN})",
        "content/x.yaml:12: authors: author 2: url: expected an http(s) URL, got 'ftp://b'",
    ]


def test_missing_fields_are_reported_at_the_record() -> None:
    assert load("# a comment\nupvotes: 3\n")[1] == [
        "content/x.yaml:2: abstract: required field is missing",
        "content/x.yaml:2: date: one of 'date' or 'published' is required",
        "content/x.yaml:2: id: required field is missing",
        "content/x.yaml:2: title: required field is missing",
    ]


def test_empty_required_values_are_missing_once() -> None:
    assert load("id: x\ntitle:\nabstract: A\ndate:\n")[1] == [
        "content/x.yaml:1: date: one of 'date' or 'published' is required",
        "content/x.yaml:1: title: required field is missing",
    ]
    assert load("id: x\ntitle: T\nabstract:\ndate: 2025-12-08\n")[1] == [
        "content/x.yaml:1: abstract: required field is missing"]
    assert one("id: x\ntitle: T\nabstract: ''\ndate: 2025-12-08\n").abstract == ""  # a cut abstract
    assert load("id: x\ntitle: T\nabstract: A\ndate: 2025-12-08\npublished:\n")[1] == []


def test_a_bad_date_is_not_also_reported_as_missing() -> None:
    assert load("id: x\ntitle: T\nabstract: A\ndate: Dec 8\npublished: null\n")[1] == [
        "content/x.yaml:4: date: expected a date like 2025-12-08, got 'Dec 8'"]


def test_a_list_of_records_reports_each_record_at_its_line() -> None:
    text = ("- id: a\n  title: A\n  abstract: x\n  date: 2025-12-08\n"
            "- id: b\n  title: B\n  upvotes: -2\n"
            "- just a string\n")
    papers, problems = load(text)
    assert [p.key for p in papers] == ["a"]
    assert problems == [
        "content/x.yaml:5: abstract: required field is missing",
        "content/x.yaml:5: date: one of 'date' or 'published' is required",
        "content/x.yaml:7: upvotes: expected a whole number >= 0, got -2",
        "content/x.yaml:8: expected a record (a mapping), got 'just a string'",
    ]


def test_an_empty_file_is_an_error() -> None:
    assert load("# only a comment\n")[1] == ["content/x.yaml:1: empty file; expected a record or a list of records"]


def test_old_style_id_and_its_slug_twin_are_duplicates() -> None:
    from generator.content import check_unique
    from generator.record import RecordContext, parse_record

    a, _ = parse_record({"id": "hep-th/9711200", "title": "A", "abstract": "", "date": "2025-12-08"},
                        None, "content/a.yaml", RecordContext())
    b, _ = parse_record({"id": "hep-th-9711200", "title": "B", "abstract": "", "date": "2025-12-08"},
                        None, "content/b.yaml", RecordContext())
    assert a is not None and b is not None
    [problem] = check_unique([a, b])
    assert str(problem) == "content/b.yaml: id: duplicate id 'hep-th-9711200' (also in content/a.yaml:0)"
