"""Saved-search feeds (feeds.searches, issue 15): the query language, its feeds, pages and errors.

Every operator has a paper that must match and one that must not, first on Paper values
(generator/query.py alone), then through a built site's feed files read as a feed reader
would (feedparser, lxml and the W3C rules of tests/feed_rules.py).
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree, html

import generator.ledger as ledger
from generator.build import build
from generator.config import SearchConfig, load_config
from generator.errors import ContentError
from generator.model import Author, Link, Paper, PaperId
from generator.newsite import create_site
from generator.query import QueryError, parse, select, words_of
from tests.conftest import make_site, record
from tests.feed_rules import check_atom, check_json, check_rss, check_site_feeds, find_feeds
from tests.support.trees import snapshot

BASE = "https://example.org/papers/"


def paper(title: str = "A paper", abstract: str = "", **fields: Any) -> Paper:
    """A Paper as the markup stage leaves it (abstract_text is what queries read)."""
    return Paper(PaperId(fields.pop("key", "2512.00001")), title, abstract, date(2025, 12, 8), "x.yaml",
                 **fields).with_markup(abstract_text=abstract)


# --- the language on Paper values: every operator, a paper that matches and one that does not ---

OPERATORS = [
    # words: all of them, whole words, any case, in the title, the abstract or a tag
    ("diffusion", paper("Fast Diffusion models"), paper("Diffusions everywhere")),
    ("diffusion", paper(abstract="We use DIFFUSION."), paper(abstract="We use diffusive flows.")),
    ("language", paper(tags=("large language models",)), paper(tags=("languages",))),
    ("diffusion robots", paper("Diffusion for robots"), paper("Diffusion for cars")),
    ("gpt-4", paper("Beating GPT-4 at chess"), paper("GPT and 4 chess engines")),
    # a phrase: the words in a row, within one field
    ('"world model"', paper(abstract="A world model for video."), paper(abstract="A model of the world.")),
    ('"fast models"', paper("Fast models"), paper("So fast", abstract="models are slow")),
    # exclusions
    ("diffusion -video", paper("Image diffusion"), paper("Video diffusion")),
    ('diffusion -"text to video"', paper("Diffusion", abstract="Text to image."),
     paper("Diffusion", abstract="Text to video.")),
    ("-video", paper("Images"), paper(tags=("video",))),
    # OR between two terms (and a chain of them)
    ("robots OR agents", paper("Agents"), paper("Planners")),
    ("robots OR agents OR planners", paper("Planners"), paper("Cars")),
    ("diffusion video OR audio", paper("Audio diffusion"), paper("Audio synthesis")),
    # filters
    ("tag:agents", paper(tags=("Agents",)), paper("Agents", tags=("agent",))),
    ('tag:"large language models"', paper(tags=("Large  Language Models",)), paper(tags=("language models",))),
    ('author:"Ada Lovelace"', paper(authors=(Author("Ada Lovelace"),)), paper(authors=(Author("Ada Byron"),))),
    ("author:turing", paper(authors=(Author("Turing"),)), paper(authors=(Author("Alan Turing"),))),
    ("org:tencent", paper(organization="Tencent"), paper(organization="Tencent AI Lab")),
    ("has:code", paper(links=(Link("code", "https://github.com/a/b"),)), paper(links=(Link("pdf", "https://x/"),))),
    ("has:project", paper(links=(Link("project", "https://x.org/"),)), paper(links=(Link("code", "https://g/"),))),
    ("has:video", paper(links=(Link("video", "https://v.org/"),)), paper()),
    ("has:data", paper(links=(Link("data", "https://hf.co/d"),)), paper(links=(Link("video", "https://v/"),))),
    ("upvotes>=12", paper(upvotes=12), paper(upvotes=11)),
    ("-upvotes>=100", paper(upvotes=99), paper(upvotes=100)),
    ("-has:code", paper(), paper(links=(Link("code", "https://github.com/a/b"),))),
    ("-tag:survey agents", paper("Agents", tags=("robots",)), paper("Agents", tags=("Survey",))),
    ('author:"Ada Lovelace" OR org:Lab', paper(organization="Lab"), paper(organization="Other")),
    ("tag:agents has:code upvotes>=10", paper(tags=("agents",), upvotes=10, links=(Link("code", "https://g/"),)),
     paper(tags=("agents",), upvotes=10)),
]


@pytest.mark.parametrize("query,yes,no", OPERATORS, ids=[f"{i}:{q}" for i, (q, _, _) in enumerate(OPERATORS)])
def test_every_operator_matches_one_paper_and_not_another(query: str, yes: Paper, no: Paper) -> None:
    parsed = parse(query)
    assert parsed.matches(yes)
    assert not parsed.matches(no)
    assert select([parsed], [no, yes]) == [(yes,)]


@pytest.mark.parametrize("text", ["GPT-4, models; snake_case", "Café ÉCOLE ﬁne x²", "l’été — “quoted”", "a\x01b",
                                  "日本語 テキスト", "", "!!! ---", "tab\tand\nnewline"])
def test_words_are_runs_of_letters_and_digits_case_folded(text: str) -> None:
    assert words_of(text) == re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


def test_the_ast_is_frozen_values() -> None:
    one, two = parse('a -"b c" OR tag:x'), parse('a -"b c" OR tag:x')
    assert one == two and hash(one) == hash(two)
    with pytest.raises(AttributeError):
        one.root.terms = ()  # type: ignore[misc]
    assert repr(parse("diffusion -video").root) == (
        "AllOf(terms=(Words(words=('diffusion',)), Not(term=Words(words=('video',)))))")


BAD_QUERIES = [
    ("", "expected at least one word, phrase or filter"),
    ("OR a", "'OR' at character 1 needs a term before it"),
    ("a OR", "'OR' at character 3 needs a term after it"),
    ("a OR OR b", "'OR' at character 3 needs a term after it"),
    ("a - b", "'-' at character 3 must be followed by a word or a phrase"),
    ('"open', "the quote at character 1 is never closed"),
    ('a"b"', "unexpected '\"' at character 2: a quote starts a phrase or the value of a filter "
             '(author:"Ada Lovelace")'),
    ('"a"b', "expected a space after the term at character 1, got 'b' at character 4"),
    ('""', "an empty phrase at character 1"),
    ("+++", "'+++' has no letters or digits at character 1"),
    ("tag:", "tag: needs a value at character 1"),
    ("foo:bar", "unknown filter 'foo:' at character 1; expected one of tag:, author:, org:, has:, upvotes>= "
                '(put text with a colon in quotes: "re:invent")'),
    ("has:pdf", "expected has:code|project|video|data, got 'has:pdf' at character 1"),
    ("upvotes>5", "expected upvotes>=N (N a whole number of at most 9 digits), got 'upvotes>5' at character 1"),
    ("upvotes>=" + "9" * 5000, "expected upvotes>=N (N a whole number of at most 9 digits), got "
                               f"'upvotes>={'9' * 30}…' at character 1"),
]


@pytest.mark.parametrize("query,message", BAD_QUERIES)
def test_a_query_that_does_not_parse_says_where_and_what(query: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(query)
    assert str(info.value) == message


@pytest.mark.slow
def test_hostile_queries_parse_and_match_in_linear_time() -> None:
    # What would make a backtracking matcher or a naive parser quadratic: long runs of quotes,
    # dashes, ORs and colons, and a phrase that almost matches everywhere.
    long = " OR ".join(["w"] * 50_000)
    assert len(parse(long).root.terms[0].terms) == 50_000  # type: ignore[union-attr]
    with pytest.raises(QueryError):
        parse('"' * 100_001)
    with pytest.raises(QueryError):
        parse("-" * 100_000)
    with pytest.raises(QueryError):
        parse("a:" * 50_000)
    almost = paper(abstract=" ".join(["a"] * 100_000))
    assert not parse('"' + " ".join(["a"] * 5_000) + ' b"').matches(almost)
    assert parse('"' + " ".join(["a"] * 5_000) + '"').matches(almost)


# --- config -----------------------------------------------------------------------------------

def config_problems(site: Path, text: str) -> list[str]:
    site.mkdir(parents=True, exist_ok=True)
    (site / "paperfeed.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_config(site, environ={})
    return str(info.value).splitlines()


def test_searches_are_read_from_the_config(tmp_path: Path) -> None:
    (tmp_path / "paperfeed.yaml").write_text(
        "feeds:\n  searches:\n    - slug: diffusion\n      title: Diffusion models\n"
        "      query: 'diffusion -video'\n    - {slug: with-code, query: 'has:code'}\n", encoding="utf-8")
    config = load_config(tmp_path, environ={})
    assert config.feeds.searches == (SearchConfig("diffusion", "Diffusion models", "diffusion -video"),
                                     SearchConfig("with-code", "", "has:code"))
    assert config.feeds.searches[1].name == "has:code"  # no title: the query names it


def test_config_errors_name_the_line(tmp_path: Path) -> None:
    text = """\
title: T
feeds:
  searches:
    - slug: diffusion
      title: "Diffusion models"
      query: 'diffusion -video'
    - slug: with-code
      title: "Papers with code"
      query: 'has:code OR'
    - slug: Bad Slug
      query: x
    - title: no slug or query
    - slug: ok
      query: 'has:pdf'
      colour: red
    - just a string
"""
    assert config_problems(tmp_path, text) == [
        "paperfeed.yaml:9: feeds.searches[1].query: 'OR' at character 10 needs a term after it",
        "paperfeed.yaml:10: feeds.searches[2].slug: expected lowercase letters, digits and '-' (like with-code), "
        "at most 80 characters, got 'Bad Slug'",
        "paperfeed.yaml:12: feeds.searches[3].query: required setting is missing",
        "paperfeed.yaml:12: feeds.searches[3].slug: required setting is missing",
        "paperfeed.yaml:14: feeds.searches[4].query: expected has:code|project|video|data, got 'has:pdf' "
        "at character 1",
        "paperfeed.yaml:15: feeds.searches[4].colour: unknown setting; expected one of query, slug, title",
        "paperfeed.yaml:16: feeds.searches[5]: expected a mapping, got 'just a string'",
    ]


@pytest.mark.parametrize("text,message", [
    ("feeds:\n  searches:\n    - {slug: a, query: x}\n    - {slug: b, query: y}\n    - {slug: a, query: z}\n",
     "paperfeed.yaml:5: feeds.searches[2].slug: 'a' is already the slug of feeds.searches[0]"),
    ("feeds:\n  searches: has:code\n", "paperfeed.yaml:2: feeds.searches: expected a list of mappings, got 'has:code'"),
    ("feeds:\n  searches:\n    - {slug: con, query: x}\n",
     "paperfeed.yaml:3: feeds.searches[0].slug: expected lowercase letters, digits and '-' (like with-code), "
     "at most 80 characters, got 'con'"),
    ("feeds:\n  searches:\n    - {slug: a, query: '  '}\n",
     "paperfeed.yaml:3: feeds.searches[0].query: expected a non-empty string, got '  '"),
])
def test_a_bad_search_is_a_config_error(tmp_path: Path, text: str, message: str) -> None:
    assert config_problems(tmp_path, text) == [message]


def test_a_bad_query_stops_the_build_before_writing(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", [record()])
    (site / "paperfeed.yaml").write_text("feeds:\n  searches:\n    - slug: x\n      query: '\"open'\n",
                                         encoding="utf-8")
    with pytest.raises(ContentError) as info:
        build(site, environ={})
    assert str(info.value) == "paperfeed.yaml:4: feeds.searches[0].query: the quote at character 1 is never closed"
    assert not (site / "public").exists()


# --- built sites ------------------------------------------------------------------------------

RECORDS = [
    record("2512.00001", title="Fast diffusion models", abstract="We train a *world model* for video.",
           date="2025-12-08", upvotes=30, tags=["diffusion"], authors=["Ada Lovelace"], organization="Tencent",
           links={"code": "https://github.com/a/b"}),
    record("2512.00002", title="Diffusions everywhere", abstract="A model of the world, $x^2$.",
           date="2025-12-07", upvotes=5, tags=["large language models"], authors=["Alan Turing"],
           links={"project": "https://example.com/p"}),
    record("2512.00003", title="Robots with diffusion policies", abstract="A text to video dataset.",
           date="2025-12-06", upvotes=12, tags=["robots"], authors=["Grace Hopper"], organization="Lab",
           links={"video": "https://example.com/v", "data": "https://huggingface.co/datasets/x"}),
    record("2512.00004", title="Agents", abstract="Agents in the world, modeled.", date="2025-12-05",
           upvotes=0, tags=["agents"], authors=["Edsger Dijkstra"]),
]
A, B, C, D = (f"papers/2512.0000{i}/" for i in range(1, 5))
SEARCHES = {  # slug: (query, the papers it holds, newest first)
    "words": ("diffusion", [A, C]),
    "all-words": ("diffusion robots", [C]),
    "tag-words": ("language", [B]),
    "phrase": ('"world model"', [A]),
    "exclude": ("diffusion -robots", [A]),
    "exclude-phrase": ('diffusion -"text to video"', [A]),
    "either": ("robots OR agents", [C, D]),
    "tag": ('tag:"large language models"', [B]),
    "author": ('author:"Ada Lovelace"', [A]),
    "org": ("org:tencent", [A]),
    "has-code": ("has:code", [A]),
    "has-project": ("has:project", [B]),
    "has-video": ("has:video", [C]),
    "has-data": ("has:data", [C]),
    "upvotes": ("upvotes>=12", [A, C]),
    "nothing": ("quantum", []),
}


def search_site(root: Path, **config: Any) -> Path:
    searches = [{"slug": slug, "title": f"Search {slug}", "query": query} for slug, (query, _) in SEARCHES.items()]
    settings = {"title": "Searches", "base_url": BASE, "rows_per_page": 1,
                "feeds": {"searches": searches, **config.pop("feeds", {})}, **config}
    return make_site(root, RECORDS, settings)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = search_site(tmp_path_factory.mktemp("searches") / "site")
    build(site, environ={})
    return site / "public"


def links_of(items: list[Any]) -> list[str]:
    return [item.link[len(BASE):] for item in items]


@pytest.mark.parametrize("slug", SEARCHES)
def test_each_search_feed_holds_its_matches_newest_first_in_every_format(built: Path, slug: str) -> None:
    expected = SEARCHES[slug][1]
    rss = check_rss((built / f"feeds/search/{slug}.xml").read_bytes(), f"{BASE}feeds/search/{slug}.xml")
    atom = check_atom((built / f"feeds/search/{slug}.atom.xml").read_bytes(), f"{BASE}feeds/search/{slug}.atom.xml")
    jsn = check_json((built / f"feeds/search/{slug}.json").read_bytes(), f"{BASE}feeds/search/{slug}.json")
    assert links_of(rss) == links_of(atom) == links_of(jsn) == expected
    # Stable ids, the same as the site feed's for the same paper.
    site = {item.link: item.id for item in check_rss((built / "feed.xml").read_bytes(), BASE + "feed.xml")}
    assert [item.id for item in rss] == [item.id for item in atom] == [site[item.link] for item in rss]
    channel = etree.fromstring((built / f"feeds/search/{slug}.xml").read_bytes()).find("channel")
    assert channel.findtext("title") == f"Searches · Search {slug}"
    assert channel.findtext("link") == f"{BASE}feeds/search/{slug}/"
    feed_id = etree.fromstring((built / f"feeds/search/{slug}.atom.xml").read_bytes()).findtext(
        "{http://www.w3.org/2005/Atom}id")
    assert feed_id == f"tag:example.org,2025:/papers/feed/search/{slug}"


def test_every_feed_of_the_site_passes_the_validator_rules(built: Path) -> None:
    feeds = check_site_feeds(built, BASE)
    assert {f"feeds/search/{slug}{suffix}" for slug in SEARCHES for suffix in (".xml", ".atom.xml", ".json")} \
        <= set(feeds)


@pytest.mark.slow
def test_a_search_feed_holds_the_newest_feeds_items(tmp_path: Path) -> None:
    site = search_site(tmp_path / "site", feeds={"items": 1})
    build(site, environ={})
    out = site / "public"
    rss = check_rss((out / "feeds/search/words.xml").read_bytes(), BASE + "feeds/search/words.xml")
    assert links_of(rss) == [A]
    # The page still lists every match.
    assert page_papers(out, "words") == [A, C]


def page_papers(out: Path, slug: str) -> list[str]:
    """The papers a search's pages list, page after page (following rel=next)."""
    found, path = [], f"feeds/search/{slug}/index.html"
    while path:
        doc = html.parse(str(out / path))
        found += [href[len("/papers/"):] for href in doc.xpath('//ol[@class="rows"]/li//h2/a/@href')]
        following = doc.xpath('//a[@rel="next"]/@href')
        path = following[0][len("/papers/"):] + "index.html" if following else ""
    return found


@pytest.mark.parametrize("slug", SEARCHES)
def test_each_search_has_a_page_listing_its_matches(built: Path, slug: str) -> None:
    query, expected = SEARCHES[slug]
    assert page_papers(built, slug) == expected  # rows_per_page 1: one page per match
    first = html.parse(str(built / f"feeds/search/{slug}/index.html"))
    assert first.xpath("string(//h1)") == f"Search {slug}"
    assert first.xpath("string(//p[@class='lede']/code)") == query
    assert first.xpath("//p[@class='lede']/a/@href") == [
        f"/papers/feeds/search/{slug}.xml", f"/papers/feeds/search/{slug}.atom.xml",
        f"/papers/feeds/search/{slug}.json"]
    advertised = first.xpath('//head/link[@rel="alternate"]/@href')
    assert advertised[:3] == first.xpath("//p[@class='lede']/a/@href")
    if len(expected) > 1:
        assert (built / f"feeds/search/{slug}/page/2/index.html").is_file()
    if not expected:
        assert first.xpath("string(//p[@class='empty'])") == "No papers yet."
    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{BASE}feeds/search/{slug}/</loc>" in sitemap


def test_opml_lists_each_search_feed(built: Path) -> None:
    root = etree.fromstring((built / "feeds.opml").read_bytes())
    groups = [o.get("text") for o in root.xpath("/opml/body/outline")]
    assert groups[:2] == ["Site", "Saved searches"]
    searches = root.xpath('/opml/body/outline[@text="Saved searches"]/outline')
    assert [(o.get("xmlUrl"), o.get("htmlUrl"), o.get("title")) for o in searches] == [
        (f"{BASE}feeds/search/{slug}.xml", f"{BASE}feeds/search/{slug}/", f"Searches · Search {slug}")
        for slug in SEARCHES]
    listed = {o.get("xmlUrl") for o in root.xpath("//outline[@xmlUrl]")}
    assert listed == {BASE + rel for rel, kind in find_feeds(built).items() if kind == "rss"}


@pytest.mark.slow
def test_init_writes_the_with_code_search_and_the_site_builds(tmp_path: Path) -> None:
    site = tmp_path / "new"
    create_site(site, "My Papers", "https://example.org/mine/")
    text = (site / "paperfeed.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["feeds"]["searches"] == [
        {"slug": "with-code", "title": "Papers with code", "query": "has:code"}]
    assert load_config(site, environ={}).feeds.searches == (
        SearchConfig("with-code", "Papers with code", "has:code"),)
    build(site, environ={})
    out = site / "public"
    rss = check_rss((out / "feeds/search/with-code.xml").read_bytes(),
                    "https://example.org/mine/feeds/search/with-code.xml")
    assert [item.link for item in rss] == ["https://example.org/mine/papers/1706.03762/"]  # it has code
    assert (out / "feeds/search/with-code/index.html").is_file()


@pytest.mark.slow
def test_search_feeds_and_pages_are_deterministic(built: Path, tmp_path: Path) -> None:
    site = search_site(tmp_path / "again")
    build(site, environ={}, jobs=1)
    again = snapshot(site / "public")
    before = snapshot(built)
    searched = [path for path in before if path.startswith("feeds/") or path == "feeds.opml"]
    assert len(searched) > 3 * len(SEARCHES)
    for path in searched:
        assert again[path] == before[path], path


@pytest.mark.slow
def test_a_search_feed_is_made_again_only_when_its_papers_change(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    site = search_site(tmp_path / "site")
    build(site, environ={})
    decisions: dict[str, bool] = {}
    keep = ledger.Ledger.keep

    def spy(self: ledger.Ledger, path: str, key: str) -> bool:
        decisions[path] = keep(self, path, key)
        return decisions[path]

    monkeypatch.setattr(ledger.Ledger, "keep", spy)

    def edit(number: int, **fields: Any) -> None:
        path = site / f"content/r{number:03d}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.update(fields)
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        decisions.clear()
        build(site, environ={})

    edit(3, title="Agents, revised")  # D: only in `either`
    assert decisions["feeds/search/has-code.xml"] and decisions["feeds/search/has-code/index.html"]
    assert not decisions["feeds/search/either.xml"] and not decisions["feeds/search/either.json"]
    edit(0, abstract="We train a *world model* for audio.")  # A: in has-code, not in either
    assert not decisions["feeds/search/has-code.xml"] and not decisions["feeds/search/has-code/index.html"]
    assert decisions["feeds/search/either.xml"] and decisions["feeds/search/either/index.html"]
    cold = tmp_path / "cold"
    shutil.copytree(site, cold, ignore=shutil.ignore_patterns("public", ".paperfeed-cache", ".public*"))
    build(cold, environ={}, clean=True)
    assert snapshot(site / "public") == snapshot(cold / "public")
