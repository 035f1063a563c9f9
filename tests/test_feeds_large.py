"""Every feed of a generated ~1,000-paper site, built once for this module.

The records are made here (seeded, so the site is the same on every run) with the
quirks of real data: versions, old-style ids, slugs, math, relative links, both
kinds of thumbnail, author counts without names, organisations, weekends without
papers. Expectations are computed from the records, not from the generator.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from lxml import etree, html

from generator.build import build
from generator.urls import slugify
from tests.conftest import make_site
from tests.feed_rules import Item, check_site_feeds, find_feeds, siblings

pytestmark = pytest.mark.big  # tiers: docs/testing.md

BASE = "http://example.com/deep/sub/"
ROOT = "/deep/sub/"
ITEMS = 40
THRESHOLDS = (10, 50)
DIGEST_DAYS = 12
FEED_MIN = 3
TAGS = [f"topic {i}" for i in range(40)] + ["Large Language Models", "Ünïcode & <tag>"]
ORGS = ["Tencent", "DeepMind", "Meta AI", "Æther Lab", "Lab <&> Co", "Solo Org"]
NAMES = [f"{first} {last}" for first in ("Ada", "Alan", "Grace", "Edsger", "Émilie", "李")
         for last in ("Lovelace", "Turing", "Hopper", "Dijkstra", "du Châtelet", "雷")]


def _corpus(n: int = 1000, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    day = date(2025, 12, 8)
    while len(records) < n:
        if day.weekday() < 5:  # no papers on weekends: no empty days in the digest
            for _ in range(min(rng.randint(15, 35), n - len(records))):
                records.append(_record(rng, len(records), day))
        day -= timedelta(days=1)
    return records


def _record(rng: random.Random, i: int, day: date) -> dict[str, Any]:
    kind = i % 20
    if kind == 0:
        paper_id = f"hep-th/97{i:05d}"
    elif kind == 1:
        paper_id = f"slug-{i}"
    else:
        paper_id = f"2512.{i:05d}" + (f"v{rng.randint(1, 4)}" if i % 3 == 0 else "")
    abstract = (f"We study $\\alpha_{{{i % 7}}} + x^2$ in setting {i}. See [details](details/), "
                f"[the root](/about/) and [code](https://github.com/x/{i}).\n\n$$\\sum_i x_i$$")
    record: dict[str, Any] = {
        "id": paper_id, "title": f"Paper {i}: on $\\mathcal{{O}}(n)$ things" if i % 4 == 0 else f"Paper {i}",
        "abstract": abstract, "date": day.isoformat(),
        "published": (day - timedelta(days=rng.randint(0, 20))).isoformat(),
        "upvotes": min(int(rng.paretovariate(0.9)) - 1, 400),
        "tags": rng.sample(TAGS[: 8 + i % 34], rng.randint(0, 4)),
    }
    if i % 9 != 4:
        record["authors"] = rng.sample(NAMES, rng.randint(1, 6))
    if i % 9 == 4:
        record["author_count"] = rng.randint(1, 30)
    if i % 3 == 1:
        record["organization"] = rng.choice(ORGS[:-1]) if i != 7 else ORGS[-1]
    if i % 5 == 2:
        record["thumbnail"] = f"https://cdn.example.org/t/{i}.png" if i % 2 else f"/images/{i}.png"
    if i % 2:
        record["links"] = {"code": f"https://github.com/x/{i}"}
    return record


def _key(record: dict[str, Any]) -> str:
    return re.sub(r"v\d+$", "", record["id"])


def _url(record: dict[str, Any]) -> str:
    return f"{BASE}papers/{_key(record).replace('/', '-')}/"


def _newest(records: list[dict[str, Any]]) -> list[str]:
    """Featured day (newest first), then upvotes, then id: the order every paper feed uses."""
    ordered = sorted(records, key=lambda r: (-date.fromisoformat(r["date"]).toordinal(),
                                             -r["upvotes"], _key(r)))
    return [_url(r) for r in ordered[:ITEMS]]


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return _corpus()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, corpus: list[dict[str, Any]]) -> Path:
    config = {"title": "Big Papers & <Co>", "base_url": BASE, "timezone": "America/New_York",
              "per_page": 25, "feeds": {"items": ITEMS, "term_items": ITEMS, "upvote_thresholds": list(THRESHOLDS),
                                        "digest_days": DIGEST_DAYS},
              "tags": {"min_papers": 2, "feed_min_papers": FEED_MIN, "feed_formats": ["rss", "atom", "json"]},
              "orgs": {"feed_min_papers": FEED_MIN, "feed_formats": ["rss", "atom", "json"]}}
    root = make_site(tmp_path_factory.mktemp("big") / "site", records=corpus, config=config)
    build(root, environ={})
    return root / "public"


@pytest.fixture(scope="module")
def feeds(site: Path) -> dict[str, list[Item]]:
    return check_site_feeds(site, BASE)


def _links(feeds: dict[str, list[Item]], rel: str) -> list[str]:
    return [item.link for item in feeds[rel]]


def test_every_feed_passes_the_validator_rules(feeds: dict[str, list[Item]]) -> None:
    # check_site_feeds did the work; here: the set of feeds is the one documented.
    terms = {rel.rsplit("/", 1)[0] for rel in feeds if rel.startswith(("tags/", "orgs/"))}
    assert len(terms) > 30
    assert not any(rel.startswith("authors/") for rel in feeds)  # author feeds are off by default
    assert {"feed.xml", "digest.xml", "feeds/top-10.xml", "feeds/top-50.json"} <= set(feeds)


def test_the_three_formats_agree(feeds: dict[str, list[Item]]) -> None:
    for rel in feeds:
        if rel.endswith(".xml") and not rel.endswith("atom.xml"):
            paths = siblings(rel)
            ids = [[item.id for item in feeds[paths[kind]]] for kind in ("rss", "atom", "json")]
            assert ids[0] == ids[1] == ids[2], rel
            dates = [[item.date for item in feeds[paths[kind]]] for kind in ("rss", "atom", "json")]
            assert dates[0] == dates[1] == dates[2], rel


def test_site_and_top_feeds_hold_the_newest_papers(feeds: dict[str, list[Item]],
                                                   corpus: list[dict[str, Any]]) -> None:
    assert _links(feeds, "feed.xml") == _newest(corpus)
    assert _links(feeds, "atom.xml") == _newest(corpus)
    for k in THRESHOLDS:
        expected = _newest([r for r in corpus if r["upvotes"] >= k])
        assert expected and _links(feeds, f"feeds/top-{k}.xml") == expected
        assert _links(feeds, f"feeds/top-{k}.json") == expected


def test_term_feeds_exist_exactly_for_terms_with_enough_papers(
        site: Path, feeds: dict[str, list[Item]], corpus: list[dict[str, Any]]) -> None:
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in corpus:
        for tag in record["tags"]:
            members[f"tags/{slugify(tag)}/"].append(record)
        if "organization" in record:
            members[f"orgs/{slugify(record['organization'])}/"].append(record)
    assert any(len(m) < FEED_MIN for m in members.values())  # the corpus has terms below the bar
    for prefix, records in members.items():
        if len(records) >= FEED_MIN:
            assert _links(feeds, prefix + "feed.xml") == _newest(records), prefix
        else:
            assert not (site / prefix / "feed.xml").exists(), prefix
    lab = feeds["orgs/lab-co/feed.xml"]
    assert lab and all(item.link.startswith(BASE) for item in lab)


def test_entries_carry_the_record(feeds: dict[str, list[Item]], corpus: list[dict[str, Any]]) -> None:
    by_url = {_url(r): r for r in corpus}
    seen = 0
    for rel, items in feeds.items():
        if "digest" in rel:
            continue
        for item in items:
            record = by_url[item.link]
            seen += 1
            day = date.fromisoformat(record["date"])
            # Midnight of the featured day in the site's zone, daylight saving time included.
            assert item.date == datetime.combine(day, time(), ZoneInfo("America/New_York"))
            assert item.date.utcoffset() == timedelta(hours=-4 if day < date(2025, 11, 2) else -5)
            # Joined: RSS has every name in one dc:creator, Atom and JSON one author each.
            assert ", ".join(item.authors) == ", ".join(record.get("authors") or
                                                        ([record["organization"]] if "organization" in record else []))
            assert item.categories == tuple(record["tags"])
            assert "<math" in item.content and "$" not in item.content
            assert f'href="{item.link}details/"' in item.content
            assert 'href="http://example.com/about/"' in item.content
            thumb = record.get("thumbnail", "")
            assert item.image == (BASE + thumb[1:] if thumb.startswith("/") else thumb)
            if record["title"].startswith("Paper") and "$" not in record["title"]:
                assert item.title == record["title"]
    assert seen > 1000


def test_digest_lists_each_day_ranked(feeds: dict[str, list[Item]], corpus: list[dict[str, Any]]) -> None:
    days: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in corpus:
        days[record["date"]].append(record)
    newest = sorted(days, reverse=True)[1:DIGEST_DAYS + 1]  # the newest day is in progress (no later day yet)
    for rel in ("digest.xml", "digest.atom.xml", "digest.json"):
        items = feeds[rel]
        assert [item.link for item in items] == [f"{BASE}days/{d}/" for d in newest]
        assert [item.id.rsplit("/", 1)[1] for item in items] == newest
        for item, day in zip(items, newest, strict=False):
            label = date.fromisoformat(day).strftime("%B %-d, %Y")
            assert item.title == f"Big Papers & <Co>: {label}"
            ranked = sorted(days[day], key=lambda r: (-r["upvotes"], _key(r)))
            listed = html.fragment_fromstring(item.content, create_parent=True).xpath("//ol/li/a[1]/@href")
            assert listed == [_url(r) for r in ranked]


def test_autodiscovery_points_at_existing_feeds(site: Path) -> None:
    pages = [p for p in sorted(site.rglob("index.html"))
             if not p.relative_to(site).as_posix().startswith(("static/", "api/"))]  # api/: JSON
    assert len(pages) > 1000
    for page in pages:
        rel = page.relative_to(site).as_posix()
        hrefs = html.parse(str(page)).xpath('//head/link[@rel="alternate"]/@href')
        assert ROOT + "feed.xml" in hrefs, rel
        for href in hrefs:
            assert href.startswith(ROOT) and (site / href[len(ROOT):]).is_file(), (rel, href)
        if rel.startswith("tags/") and rel.count("/") >= 3:  # a tag's page, or page n of it
            slug = rel.split("/")[1]
            if (site / "tags" / slug / "feed.xml").exists():
                assert hrefs[0] == f"{ROOT}tags/{slug}/feed.xml", rel


def test_opml_lists_every_feed(site: Path) -> None:
    root = etree.fromstring((site / "feeds.opml").read_bytes())
    urls = root.xpath("//outline/@xmlUrl")
    assert len(urls) == len(set(urls))
    assert set(urls) == {BASE + rel for rel, kind in find_feeds(site).items() if kind == "rss"}
