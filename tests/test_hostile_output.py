"""Hostile but valid records build, and every output shows their text literally and inertly.

The site is tests/hostile/safe/ (script, event handlers, javascript:/data: links, SVG and
MathML payloads, `</script>`, `]]>`, template syntax, path attacks in every term, bidi and
control characters, 10,000-character names), built once with a page and feeds for every
term. A reader's tools check it: html5lib parses pages as a browser does, lxml and
feedparser read the feeds, Chromium loads pages and the search.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import feedparser
import html5lib
import pytest
from lxml import etree

from generator.build import build
from tests.conftest import make_site

pytestmark = pytest.mark.slow  # tiers: docs/testing.md

HOSTILE = Path(__file__).parent / "hostile"
BASE = "https://example.org/sub/"
CONFIG = {"title": "Hostile", "base_url": BASE,
          "tags": {"min_papers": 1, "feed_min_papers": 1, "feed_formats": ["rss", "atom", "json"]},
          "orgs": {"min_papers": 1, "feed_min_papers": 1, "feed_formats": ["rss", "atom", "json"]},
          "authors": {"min_papers": 1}}
PAYLOAD = re.compile(r"alert\(|onerror|onload|javascript:|vbscript:|data:text", re.IGNORECASE)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "srcset", "xlink:href", "content"}
# What no page, feed or index may carry: they reorder, hide or break text (see record.clean_text).
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]")
INJECTION_TITLE = ("Title <script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>\"'&amp;]]>"
                   "</script><!--{{ 7*7 }}{% raw %}${7*7}#{7*7}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("hostile") / "site", config=CONFIG)
    for path in sorted((HOSTILE / "safe").iterdir()):
        shutil.copyfile(path, root / "content" / path.name)
    build(root, environ={})
    return root


@pytest.fixture(scope="module")
def public(site: Path) -> Path:
    return site / "public"


@pytest.fixture(scope="module")
def parsed(public: Path) -> dict[str, etree._Element]:
    """Every page, parsed once as a browser parses it (html5lib), by path relative to the site."""
    return {path.relative_to(public).as_posix(): parse(path.read_bytes()) for path in sorted(public.rglob("*.html"))}


def parse(data: bytes | str) -> etree._Element:
    return html5lib.parse(data, treebuilder="lxml", namespaceHTMLElements=False)


def local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def test_every_page_parses_and_carries_no_active_payload(parsed: dict[str, etree._Element]) -> None:
    problems = []
    for path, doc in parsed.items():
        for el in doc.iter():
            name = local(el.tag)
            for key, value in el.attrib.items():
                attr = local(key)
                squashed = re.sub(r"[\s\x00-\x20]+", "", value).lower()
                if attr.startswith("on") or attr == "style" or (
                        attr in URL_ATTRIBUTES and squashed.startswith(("javascript:", "vbscript:", "data:"))):
                    problems.append(f"{path}: <{name} {attr}={value[:80]!r}>")
                # text attributes show the names literally; URLs hold slugs made of their words
                if PAYLOAD.search(value) and attr not in URL_ATTRIBUTES | {"title", "alt", "aria-label", "value"}:
                    problems.append(f"{path}: payload in <{name} {attr}>")
            if name == "script" and el.get("type") != "application/ld+json" and PAYLOAD.search(el.text or ""):
                problems.append(f"{path}: payload in a script")
            if name in ("iframe", "object", "embed", "base", "style", "mglyph", "maction"):
                problems.append(f"{path}: <{name}>")
            if name in ("svg", "img") and el.get("class") is None and el.get("aria-hidden") is None:
                problems.append(f"{path}: <{name}> that the theme did not put there")
    assert problems == []


def test_json_ld_parses_and_no_text_can_close_its_script(public: Path) -> None:
    page = (public / "papers" / "2512.08001" / "index.html").read_text(encoding="utf-8")
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert "</" not in raw and "<!--" not in raw and "<" not in raw
    data = json.loads(raw)
    assert data["name"].startswith(INJECTION_TITLE)
    assert data["author"][0]["name"].startswith("Author <script>alert(1)</script>")


def test_text_is_shown_literally_in_html(parsed: dict[str, etree._Element]) -> None:
    doc = parsed["papers/2512.08001/index.html"]
    h1 = "".join(doc.find(".//h1").itertext())
    assert h1.startswith(INJECTION_TITLE)
    title = doc.find(".//title").text
    assert title.startswith(INJECTION_TITLE)
    body = "".join(doc.find(".//main").itertext())
    for literal in ("Author <script>alert(1)</script>", "Org <script>", "tag <script>", "label <script>",
                    "Abstract <script>alert(1)</script>", '<a href="javascript:alert(9)">raw</a>', "]]> end"):
        assert literal in body, literal


def test_template_syntax_stays_literal(parsed: dict[str, etree._Element]) -> None:
    doc = parsed["papers/2512.08004/index.html"]
    assert "".join(doc.find(".//h1").itertext()) == \
        "{{ 7*7 }} {% if true %}yes{% endif %} {# c #} ${7*7} <%= 7*7 %>"
    abstract = "".join(doc.find(".//div[@class='abstract']").itertext())
    assert abstract == "{{ config.items() }} {{ self }} {% include 'base.html' %} {{ 7*'7' }}"


def feed_files(public: Path) -> list[Path]:
    return sorted(p for p in public.rglob("*") if p.suffix in (".xml", ".opml") and p.name != "sitemap.xml")


def test_every_feed_is_well_formed_xml_and_feedparser_reads_it_cleanly(public: Path) -> None:
    feeds = feed_files(public)
    assert len(feeds) > 50  # site, digest, top-K, and a feed for every hostile term
    for path in feeds:
        data = path.read_bytes()
        etree.fromstring(data)  # XML 1.0: raises on an illegal character or a broken CDATA
        assert not FORBIDDEN.search(data.decode("utf-8")), path
    # feedparser is slow (~100 KB/s): every feed of the injection record, the site's own and one of
    # the path-term feeds (they all hold the same two papers) make every kind of entry.
    injected = {p.parent.name for p in (public / "tags").glob("*/feed.xml") if len(p.read_bytes()) < 60_000}
    chosen = [p for p in feeds if p.suffix == ".xml" and (p.parent == public or p.parent.name in injected
                                                            or p.parent.name in ("feeds", "c"))]
    assert len(chosen) >= 12
    for path in chosen:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))


def test_feed_entries_carry_the_text_literally_and_their_html_inert(public: Path) -> None:
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((public / name).read_bytes())
        (entry,) = [e for e in parsed.entries if e.link.endswith("/papers/2512.08001/")]
        assert entry.title.startswith(INJECTION_TITLE)
    document = json.loads((public / "feed.json").read_bytes())
    (item,) = [i for i in document["items"] if i["url"].endswith("/papers/2512.08001/")]
    assert item["title"].startswith(INJECTION_TITLE)
    fragment = parse(item["content_html"])
    for el in fragment.iter():
        assert local(el.tag) not in ("script", "img", "svg", "iframe", "style")
        assert not [k for k in el.attrib if local(k).startswith("on")]
        assert not re.match(r"\s*(javascript|data|vbscript):", el.get("href", ""), re.IGNORECASE)


def test_json_files_parse(public: Path) -> None:
    for path in sorted(public.rglob("*.json")):
        json.loads(path.read_bytes())


def test_sitemap_lists_only_absolute_urls_of_the_site(public: Path) -> None:
    tree = etree.fromstring((public / "sitemap.xml").read_bytes())
    locs = [el.text for el in tree.iter("{*}loc")]
    assert locs and all(loc.startswith(BASE) for loc in locs)
    assert not [loc for loc in locs if re.search(r"[\s<>\"'\\]|/\.\.?/", loc)]


def test_no_control_bidi_or_noncharacter_reaches_any_output(public: Path) -> None:
    for path in sorted(public.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".opml", ".txt"):
            text = path.read_bytes().decode("utf-8")  # valid UTF-8, or this raises
            assert not FORBIDDEN.search(text), path


def test_every_output_path_stays_inside_and_every_component_is_short(site: Path, public: Path) -> None:
    root = public.resolve()
    for path in public.rglob("*"):
        assert not path.is_symlink(), path
        assert path.resolve().is_relative_to(root), path
        for part in path.relative_to(public).parts:
            assert len(part.encode("utf-8")) <= 255, part[:40]
            assert part not in (".", "..") and not re.search(r"[\\\x00-\x1f]", part), part
    assert sorted(p.name for p in site.iterdir() if p.name != ".paperfeed-cache") == [
        ".public.lock", "content", "paperfeed.yaml", "public"]


def term_links(parsed: dict[str, etree._Element], taxonomy: str) -> dict[str, str]:
    doc = parsed[f"{taxonomy}/index.html"]
    links: dict[str, str] = {}
    for a in doc.iter("a"):
        href = a.get("href", "")
        if href.startswith(f"/sub/{taxonomy}/") and href != f"/sub/{taxonomy}/":
            name = "".join(a.itertext()).strip()
            assert links.setdefault(name, href) == href
    return links


@pytest.mark.parametrize("taxonomy", ["tags", "authors"])
def test_two_terms_never_share_a_page_and_twins_are_one_term(parsed: dict[str, etree._Element],
                                                            taxonomy: str) -> None:
    links = term_links(parsed, taxonomy)
    assert len(set(links.values())) == len(links)  # one page per term, none shared
    # Different names that slugify alike, and 10,000-character names that share 9,999 characters.
    for names in (("C", "C++", "C#"), ("a/b", "a\\b"), ("x" * 10000, "x" * 9999 + "y"), ("CON", "Con.txt")):
        assert len({links[n] for n in names}) == len(names), names
    # Case, Unicode normalisation and invisible-character twins are one term: one of them is listed.
    for twins in (("Café", "Cafe\u0301", "CAFÉ"), ("ﬁne", "fine"), ("Zero\u200bWidth", "ZeroWidth"), ("CON", "con")):
        assert len([n for n in twins if n in links]) == 1, twins
    for name, href in links.items():
        doc = parsed[href.removeprefix("/sub/") + "index.html"]
        assert "".join(doc.find(".//h1").itertext()) == name


def test_the_path_attack_terms_have_pages_inside_their_taxonomy(parsed: dict[str, etree._Element],
                                                               public: Path) -> None:
    links = term_links(parsed, "tags")
    for name in ("..", "../../etc/passwd", "%2e%2e", "nul byte", "CON", "LPT1", "abcdef", "x" * 10000):
        href = links[name]
        assert re.fullmatch(r"/sub/tags/[a-z0-9-]{1,80}/", href), (name, href)
    assert links["abcdef"] == "/sub/tags/abcdef/"  # the bidi override was removed, not kept
    assert (public / "orgs" / "etc" / "index.html").is_file()


def test_a_date_with_a_time_zone_lands_on_the_site_day(public: Path) -> None:
    # 23:30 in New York on the 8th is the 9th in UTC, the site's time zone.
    assert "/papers/2512.08012/" in (public / "days" / "2025-12-09" / "index.html").read_text(encoding="utf-8")
    assert (public / "days" / "2099-01-01" / "index.html").is_file()  # the future is built as written
