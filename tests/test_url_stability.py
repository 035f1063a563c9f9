"""URLs are forever: adding records never moves another term's page or feeds.

Names that fold to one slug ("Café" and "cafe", "José García" and "Jose Garcia", "C#" and
"C++") are different terms and need different URLs; the one whose page came first keeps
the plain slug (urls.term_slugs). Built, every term URL recorded, clashing records added
(some giving the newcomer a page, some not), built again: every old URL still holds the
same term, with the same feeds.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import lxml.html
import pytest
import yaml

from generator.build import build
from generator.config import SiteConfig
from generator.indexes import build_index
from generator.model import Paper, PaperId
from generator.urls import term_slugs
from tests.conftest import make_site, record

CONFIG = {"title": "T", "base_url": "https://example.org/",
          "tags": {"min_papers": 2, "feed_min_papers": 2},
          "orgs": {"min_papers": 1, "feed_min_papers": 1},
          "authors": {"min_papers": 1, "feed_min_papers": 1, "feeds": True}}
TAXONOMIES = ("tags", "orgs", "authors")


def _paper(number: int, day: int, tags: list[str], authors: list[str], org: str | None = None) -> dict[str, object]:
    fields: dict[str, object] = {"tags": tags, "authors": authors, "date": f"2025-12-{day:02d}"}
    if org:
        fields["organization"] = org
    return record(f"2512.{number:05d}", **fields)


FIRST = [
    _paper(1, 1, ["Café", "C#", "graph neural networks"], ["José García", "Ada Lovelace"], "Café Labs"),
    _paper(2, 2, ["Café", "C#", "graph neural networks"], ["Zoë Smith"], "Zürich AG"),
    _paper(3, 3, ["Naïve Bayes", "naive-bayes"], ["Ada Lovelace"]),
    _paper(4, 4, ["Naïve Bayes", "naive-bayes"], ["Renée Dubois"]),
]
LATER = [
    # Clashing terms that get no page (one paper, tags need two) ...
    _paper(10, 8, ["cafe", "C++", "graph-neural-networks"], ["Jose Garcia"], "Cafe Labs"),
    # ... and ones that do (a second paper; authors and orgs have a page from their first).
    _paper(11, 9, ["cafe", "C++", "graph-neural-networks", "Naive Bayes"], ["Zoe Smith", "jose garcia"],
           "Zurich AG"),
    _paper(12, 9, ["Naive Bayes", "naive bayes", "NAÏVE-BAYES"], ["Renee Dubois"], "cafe labs"),
]


def term_urls(public: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """Every term page's URL -> (the term's name in its <h1>, the feed files beside it)."""
    found = {}
    for taxonomy in TAXONOMIES:
        for page in sorted((public / taxonomy).glob("*/index.html")):
            h1 = lxml.html.fromstring(page.read_bytes()).find(".//h1")
            feeds = frozenset(p.name for p in page.parent.iterdir() if p.is_file() and p.name != "index.html")
            found[f"{taxonomy}/{page.parent.name}/"] = ("".join(h1.itertext()).strip(), feeds)
    return found


@pytest.mark.slow
def test_adding_clashing_terms_never_moves_an_existing_page_or_feed(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", FIRST, CONFIG)
    build(site, environ={})
    before = term_urls(site / "public")
    expected = {"tags/cafe/", "tags/c/", "tags/graph-neural-networks/", "authors/jose-garcia/",
                "orgs/cafe-labs/", "orgs/zurich-ag/", "authors/zoe-smith/", "tags/naive-bayes/"}
    assert expected <= before.keys()
    assert before["tags/cafe/"] == ("Café", frozenset({"feed.xml"}))  # the default feed format
    for i, extra in enumerate(LATER):
        (site / "content" / f"later{i}.yaml").write_text(yaml.safe_dump(extra, allow_unicode=True),
                                                         encoding="utf-8")
        build(site, environ={})
        after = term_urls(site / "public")
        moved = {url: (old, after.get(url)) for url, old in before.items() if after.get(url) != old}
        assert not moved, f"after adding record {i}: {moved}"
    # The newcomers with pages have URLs of their own, beside the old ones.
    names = {name for name, _ in after.values()}
    assert {"cafe", "C++", "graph-neural-networks", "Jose Garcia", "Zoe Smith", "Cafe Labs", "Zurich AG",
            "Naive Bayes"} <= names
    assert len(after) == len(set(after))


def _p(key: str, day: date, tags: tuple[str, ...] = ()) -> Paper:
    return Paper(PaperId(key), key, "", day, f"content/{key}.yaml", tags=tags)


def test_a_term_without_a_page_never_takes_the_plain_slug() -> None:
    dec = [date(2025, 12, day) for day in range(1, 10)]
    old = [_p(key, dec[i + 1], tags=("Café",)) for i, key in enumerate("abc")]  # 3: a tag page
    # "cafe" spells the slug exactly and sorts first, and its only paper is older: no page, no claim.
    new = old + [_p("d", dec[0], tags=("cafe",))]
    for papers in (old, new):
        tags = {t.name: t for t in build_index(papers, SiteConfig()).taxonomies["tags"]}
        assert tags["Café"].slug == "cafe"


def test_the_oldest_page_keeps_the_plain_slug() -> None:
    day = date(2025, 12, 1)
    later = date(2025, 12, 8)
    slugs = term_slugs({"café": day, "cafe": later})
    assert slugs["café"] == "cafe" and slugs["cafe"].startswith("cafe-")
    # A tie (pages made on one day) goes to the name the slug spells, as before.
    assert term_slugs({"café": day, "cafe": day})["cafe"] == "cafe"
    # No page at all: the order of the old rule.
    assert term_slugs({"c++": None, "c#": None})["c#"] == "c"
    # A hashed slug depends on the key alone: it never changes either.
    assert term_slugs({"café": day, "cafe": later})["cafe"] == term_slugs({"cafe": later, "café": day,
                                                                           "cafe!": None})["cafe"]
