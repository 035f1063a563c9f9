"""indexes.py: papers -> SiteIndex, as a pure function over values."""

from __future__ import annotations

import random
from datetime import date, timedelta

from generator.config import SiteConfig, TaxonomyConfig
from generator.indexes import RELATED_COUNT, build_index, rank_key, week_start
from generator.model import Author, Paper, PaperId


def paper(key: str, day: date, upvotes: int = 0, tags: tuple[str, ...] = (), org: str = "",
          authors: tuple[str, ...] = ()) -> Paper:
    return Paper(PaperId(key), f"Title {key}", "", day, f"content/{key}.yaml", upvotes=upvotes, tags=tags,
                 organization=org, authors=tuple(Author(name) for name in authors))


def keys(papers: tuple[Paper, ...]) -> list[str]:
    return [p.key for p in papers]


DEC8 = date(2025, 12, 8)


def test_rank_is_most_upvoted_first_then_id() -> None:
    papers = [paper("b", DEC8, 5), paper("a", DEC8, 5), paper("c", DEC8, 9), paper("d", DEC8, 0),
              paper("2512.00002", DEC8, 5)]
    expected = ["c", "2512.00002", "a", "b", "d"]
    assert keys(tuple(sorted(papers, key=rank_key))) == expected
    for seed in range(5):  # whatever order the files were read in
        random.Random(seed).shuffle(papers)
        index = build_index(papers, SiteConfig())
        assert keys(index.days[0].papers) == expected
        assert keys(index.trending) == expected


def test_days_skip_empty_days_and_are_labelled() -> None:
    index = build_index([paper("a", date(2025, 12, 5)), paper("b", DEC8), paper("c", DEC8, 3)], SiteConfig())
    assert [(d.kind, d.start, d.label, keys(d.papers)) for d in index.days] == [
        ("day", date(2025, 12, 5), "December 5, 2025", ["a"]),
        ("day", DEC8, "December 8, 2025", ["c", "b"]),
    ]
    assert keys(index.papers) == ["c", "b", "a"]  # newest day first, then rank


def test_iso_weeks_across_a_year_boundary() -> None:
    papers = [paper("sun", date(2024, 12, 29)), paper("mon", date(2024, 12, 30), 1),
              paper("newyear", date(2025, 1, 1), 2), paper("sun2", date(2025, 1, 5)),
              paper("mon2", date(2025, 1, 6))]
    index = build_index(papers, SiteConfig())
    assert [(w.kind, w.start, w.label, keys(w.papers)) for w in index.weeks] == [
        ("week", date(2024, 12, 23), "Week 52, 2024", ["sun"]),
        ("week", date(2024, 12, 30), "Week 1, 2025", ["newyear", "mon", "sun2"]),
        ("week", date(2025, 1, 6), "Week 2, 2025", ["mon2"]),
    ]
    assert [(m.start, m.label, keys(m.papers)) for m in index.months] == [
        (date(2024, 12, 1), "December 2024", ["mon", "sun"]),
        (date(2025, 1, 1), "January 2025", ["newyear", "mon2", "sun2"]),
    ]


def test_week_53_spans_two_years() -> None:
    index = build_index([paper("thu", date(2020, 12, 31)), paper("sat", date(2021, 1, 2))], SiteConfig())
    assert [(w.start, w.label, keys(w.papers)) for w in index.weeks] == [
        (date(2020, 12, 28), "Week 53, 2020", ["sat", "thu"])]
    assert [m.label for m in index.months] == ["December 2020", "January 2021"]
    assert date(2020, 12, 28).isocalendar()[:2] == (2020, 53)
    assert {week_start(date(2021, 1, 3) - timedelta(days=n)) for n in range(7)} == {date(2020, 12, 28)}


def test_trending_is_the_last_n_calendar_days_ranked() -> None:
    last = date(2025, 12, 8)
    papers = [paper("today", last, 1), paper("six-days-ago", last - timedelta(days=6), 50),
              paper("seven-days-ago", last - timedelta(days=7), 99), paper("old", date(2025, 1, 1), 1000)]
    assert keys(build_index(papers, SiteConfig(trending_days=7)).trending) == ["six-days-ago", "today"]
    assert keys(build_index(papers, SiteConfig(trending_days=1)).trending) == ["today"]
    assert keys(build_index(papers, SiteConfig(trending_days=8)).trending) == [
        "seven-days-ago", "six-days-ago", "today"]


def test_trending_counts_calendar_days_not_days_with_papers() -> None:
    # Only two featured days, a month apart: a 7-day window holds the last one only.
    papers = [paper("now", date(2025, 12, 8)), paper("month-ago", date(2025, 11, 8), 100)]
    assert keys(build_index(papers, SiteConfig(trending_days=7)).trending) == ["now"]


def test_trending_holds_one_page() -> None:
    papers = [paper(f"p{i:02d}", DEC8, i) for i in range(10)]
    assert keys(build_index(papers, SiteConfig(per_page=3)).trending) == ["p09", "p08", "p07"]


def test_an_empty_site() -> None:
    index = build_index([], SiteConfig())
    assert (index.papers, index.days, index.weeks, index.months, index.trending) == ((), (), (), (), ())
    assert index.taxonomies == {"tags": (), "orgs": (), "authors": ()}
    assert index.related == {}


def test_terms_are_grouped_by_slug_under_the_most_used_spelling() -> None:
    papers = [paper("a", DEC8, tags=("LLM",)), paper("b", DEC8, tags=("llm",)), paper("c", DEC8, tags=("LLM",)),
              paper("d", DEC8, tags=("L.L.M.",)), paper("e", DEC8, tags=("Vision",))]
    index = build_index(papers, SiteConfig())
    terms = {t.slug: t for t in index.taxonomies["tags"]}
    assert sorted(terms) == ["l-l-m", "llm", "vision"]
    assert (terms["llm"].taxonomy, terms["llm"].name, keys(terms["llm"].papers)) == ("tags", "LLM", ["a", "b", "c"])
    assert index.term_of("tags", "llm") is terms["llm"]
    assert index.term_of("tags", "LLM") is terms["llm"]
    assert index.term_of("tags", "nothing") is None


def test_a_tie_between_spellings_is_broken_by_the_name() -> None:
    papers = [paper("a", DEC8, tags=("Diffusion",)), paper("b", DEC8, tags=("diffusion",))]
    assert [t.name for t in build_index(papers, SiteConfig()).taxonomies["tags"]] == ["Diffusion"]


def test_a_paper_is_counted_once_per_term() -> None:
    # "RL" and "rl" are one term: the paper is listed once.
    index = build_index([paper("a", DEC8, tags=("RL", "rl")), paper("b", DEC8, tags=("rl",))], SiteConfig())
    (term,) = index.taxonomies["tags"]
    assert (term.slug, term.name, keys(term.papers)) == ("rl", "rl", ["a", "b"])


def test_different_terms_with_one_slug_get_pages_of_their_own() -> None:
    # "C++" and "C#" both slugify to "c" but are different topics: neither page absorbs the other.
    index = build_index([paper("a", DEC8, tags=("C++", "C#")), paper("b", DEC8, tags=("C#",))], SiteConfig())
    terms = {t.name: t for t in index.taxonomies["tags"]}
    assert keys(terms["C#"].papers) == ["a", "b"] and keys(terms["C++"].papers) == ["a"]
    assert terms["C#"].slug == "c" and terms["C++"].slug.startswith("c-")
    assert index.term_of("tags", "c++") is terms["C++"]


def test_term_papers_are_newest_first_and_terms_most_used_first() -> None:
    papers = [paper("old", date(2025, 1, 1), 99, tags=("rl", "agents")), paper("new", DEC8, 0, tags=("rl",)),
              paper("mid", date(2025, 6, 1), 5, tags=("rl", "Agents")), paper("z", DEC8, tags=("zebra",)),
              paper("y", DEC8, tags=("apple",))]
    terms = build_index(papers, SiteConfig()).taxonomies["tags"]
    assert [(t.name, keys(t.papers)) for t in terms] == [
        ("rl", ["new", "mid", "old"]), ("Agents", ["mid", "old"]), ("apple", ["y"]), ("zebra", ["z"])]


def test_orgs_and_authors_are_taxonomies_too() -> None:
    papers = [paper("a", DEC8, org="Tencent", authors=("Ada", "Alan", "Ada")),
              paper("b", DEC8, authors=("Ada",)), paper("c", DEC8)]
    index = build_index(papers, SiteConfig())
    assert [(t.name, keys(t.papers)) for t in index.taxonomies["orgs"]] == [("Tencent", ["a"])]
    assert [(t.name, keys(t.papers)) for t in index.taxonomies["authors"]] == [("Ada", ["a", "b"]),
                                                                              ("Alan", ["a"])]


def test_page_and_feed_thresholds() -> None:
    counts = {"one": 1, "two": 2, "three": 3, "five": 5}
    papers = [paper(f"{tag}{i}", DEC8, tags=(tag,)) for tag, n in counts.items() for i in range(n)]

    def flags(rules: TaxonomyConfig) -> dict[str, tuple[bool, bool]]:
        terms = build_index(papers, SiteConfig(tags=rules)).taxonomies["tags"]
        return {t.name: (t.has_page, t.has_feed) for t in terms}

    # The defaults for tags: a page from 3 papers, feeds from 10.
    assert flags(SiteConfig().tags) == {"one": (False, False), "two": (False, False), "three": (True, False),
                                        "five": (True, False)}
    assert flags(TaxonomyConfig(min_papers=2, feed_min_papers=3)) == {
        "one": (False, False), "two": (True, False), "three": (True, True), "five": (True, True)}
    assert flags(TaxonomyConfig(min_papers=1, feeds=False)) == {
        "one": (True, False), "two": (True, False), "three": (True, False), "five": (True, False)}
    # A feed never exists for a term without a page.
    assert flags(TaxonomyConfig(min_papers=4, feed_min_papers=2)) == {
        "one": (False, False), "two": (False, False), "three": (False, False), "five": (True, True)}
    assert flags(TaxonomyConfig(min_papers=1, feed_min_papers=1))["one"] == (True, True)


def test_each_taxonomy_uses_its_own_thresholds() -> None:
    papers = [paper("a", DEC8, tags=("solo",), org="Solo Org", authors=("Solo Author",))]
    index = build_index(papers, SiteConfig())
    assert [(t.has_page, t.has_feed) for tax in ("tags", "orgs", "authors") for t in index.taxonomies[tax]] == [
        (False, False), (True, False), (False, False)]  # authors: a page from 3 papers
    config = SiteConfig(orgs=TaxonomyConfig(feed_min_papers=1), authors=TaxonomyConfig(min_papers=2))
    index = build_index(papers, config)
    assert [(t.has_page, t.has_feed) for tax in ("orgs", "authors") for t in index.taxonomies[tax]] == [
        (True, True), (False, False)]


def test_related_papers_share_the_most_tags() -> None:
    papers = [paper("me", DEC8, 0, tags=("rl", "llm", "agents")),
              paper("two-shared", DEC8, 0, tags=("rl", "llm")),
              paper("one-shared-popular", DEC8, 50, tags=("agents",)),
              paper("one-shared", DEC8, 1, tags=("RL",)),
              paper("also-one", DEC8, 1, tags=("llm",)),
              paper("unrelated", DEC8, 999, tags=("vision",)),
              paper("untagged", DEC8, 999)]
    related = build_index(papers, SiteConfig()).related
    assert keys(related["me"]) == ["two-shared", "one-shared-popular", "also-one", "one-shared"]
    assert keys(related["unrelated"]) == [] and keys(related["untagged"]) == []
    assert "me" not in keys(related["me"])
    assert keys(related["two-shared"])[0] == "me"


def test_related_papers_are_capped() -> None:
    papers = [paper(f"p{i}", DEC8, i, tags=("shared",)) for i in range(RELATED_COUNT + 5)]
    related = build_index(papers, SiteConfig()).related
    assert len(related["p0"]) == RELATED_COUNT
    assert keys(related["p0"]) == [f"p{i}" for i in range(RELATED_COUNT + 4, 4, -1)]
