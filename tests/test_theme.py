"""The default theme's built pages, read with lxml as crawlers and readers get them.

Valid HTML (the Nu HTML Checker), no broken internal link, the card and paper
page contents, citation and sharing metadata, MathML, the CSS+JS budget.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html

from generator.build import build
from tests.conftest import make_site, record
from tests.support.tools import require_tool
from tests.support.vnu import check_html, vnu_available

BASE_PATH = "/papers/"  # the small site's base URL is https://example.org/papers/
BASE_URL = "https://example.org/papers/"
BUDGET_BYTES = 50_000


def page(site: Path, path: str) -> html.HtmlElement:
    return html.fromstring((site / path).read_bytes())


def meta(doc: html.HtmlElement, key: str) -> list[str]:
    return doc.xpath(f"//meta[@name='{key}' or @property='{key}']/@content")


@pytest.mark.external
def test_every_page_passes_the_nu_html_checker(small_site: Path) -> None:
    require_tool(vnu_available(), "the Nu HTML Checker", "npm ci --ignore-scripts; a Java runtime")
    # every page, not api/daily_papers/index.html: JSON in that name, so a host serves it at
    # /api/daily_papers as Hugging Face does (see docs/api.md)
    pages = [p for p in sorted(small_site.rglob("*.html"))
             if not p.relative_to(small_site).as_posix().startswith("api/")]
    errors = check_html(pages)
    assert errors == [], "\n".join(errors)


def _target(site: Path, url: str) -> Path | None:
    """The file a root-relative or absolute site URL points at, or None when it is external."""
    parts = urlsplit(url)
    path = parts.path
    if parts.scheme or parts.netloc:
        if not url.startswith(BASE_URL):
            return None
        path = urlsplit(url).path
    assert path.startswith(BASE_PATH), f"{url} escapes the base path {BASE_PATH}"
    rel = unquote(path[len(BASE_PATH):])
    return site / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


def test_no_internal_link_is_broken(small_site: Path) -> None:
    icons = set(re.findall(r'<symbol id="([^"]+)"', (small_site / "static/icons.svg").read_text(encoding="utf-8")))
    pages = sorted(small_site.rglob("*.html"))
    checked, broken = 0, []
    for file in pages:
        doc = html.fromstring(file.read_bytes())
        ids = set(doc.xpath("//@id"))
        for element, attribute, url, _ in doc.iterlinks():
            if url.startswith(("mailto:", "data:")):
                continue
            if url.startswith("#"):
                if url[1:] not in ids:
                    broken.append(f"{file.relative_to(small_site)}: {url} (no such id)")
                continue
            target = _target(small_site, url)
            if target is None:
                continue
            checked += 1
            if not target.is_file():
                broken.append(f"{file.relative_to(small_site)}: <{element.tag} {attribute}> {url}")
        for use in doc.xpath("//*[local-name()='use']/@href"):
            sheet, _, name = use.partition("#")
            if sheet != "/papers/static/icons.svg" or name not in icons:
                broken.append(f"{file.relative_to(small_site)}: icon {use}")
    assert broken == []
    assert checked > 500  # the crawl really followed the site's links


def test_cards_show_what_the_hugging_face_page_shows(small_site: Path) -> None:
    doc = page(small_site, "index.html")
    cards = {c.xpath("string(.//h2)"): c for c in doc.xpath("//ol[@class='cards']//article")}
    fast = cards["Fast 𝒪(n2) attention with hard wraps"]
    assert fast.xpath("string(.//span[@class='authors'])").split() == \
        "Ada Lovelace, Alan Turing, Grace Hopper +1".split()
    assert fast.xpath(".//div[@class='votes']")[0].text_content().strip() == "6 upvotes"
    assert fast.xpath(".//time/@datetime") == ["2025-12-05"]
    assert "Published Dec 5, 2025" in " ".join(fast.xpath("string(.//span[@class='date'])").split())
    chips = fast.xpath(".//ul[@class='links']/li/a")
    assert [a.text_content() for a in chips] == ["arXiv", "PDF", "Code", "blog"]
    assert [a.xpath("string(.//*[local-name()='use']/@href)") for a in chips] == \
        ["/papers/static/icons.svg#" + name for name in ("i-arxiv", "i-pdf", "i-code", "i-other")]
    assert all(a.xpath(".//*[local-name()='svg']/@aria-hidden") == ["true"] for a in chips)
    assert fast.xpath(".//ul[@class='tags']//a/text()") == ["attention", "efficiency"]
    img = fast.xpath(".//img")[0]
    assert img.get("src") == "/papers/static/thumbs/attention.svg"
    assert (img.get("width"), img.get("height"), img.get("loading"), img.get("alt")) == \
        ("320", "180", "lazy", "")
    assert (small_site / "static/thumbs/attention.svg").is_file()
    flash = cards["Flash-DMD: few-step generation"]
    assert flash.xpath(".//span[@class='org']/a/@href") == ["/papers/orgs/tencent/"]
    assert not flash.xpath(".//span[@class='authors']")
    second = page(small_site, "days/2025-12-08/page/2/index.html")
    counted = [c for c in second.xpath("//article") if "Only a count" in c.text_content()][0]
    assert counted.xpath("string(.//span[@class='authors'])") == "4 authors"


def test_day_page_links_neighbours_views_and_the_calendar(small_site: Path) -> None:
    doc = page(small_site, "days/2025-12-05/index.html")
    assert doc.xpath("//nav[@class='period-nav']/a[@rel='prev']/@href") == ["/papers/days/2025-11-21/"]
    assert doc.xpath("//nav[@class='period-nav']/a[@rel='next']/@href") == ["/papers/days/2025-12-08/"]
    assert doc.xpath("//nav[@class='views']/a/@href") == [
        "/papers/days/2025-12-05/", "/papers/weeks/2025-W49/", "/papers/months/2025-12/"]
    form = doc.xpath("//form[@class='date-jump']")[0]
    assert form.get("action") == "/papers/archive/"  # without script: the calendar
    assert form.xpath(".//input[@type='date']/@value") == ["2025-12-05"]
    days = json.loads((small_site / "archive/days.json").read_bytes())["days"]
    assert days == {"2025-11-21": "/papers/days/2025-11-21/", "2025-12-05": "/papers/days/2025-12-05/",
                    "2025-12-08": "/papers/days/2025-12-08/"}
    assert form.get("data-days") == "/papers/archive/days.json"


def test_taxonomy_index_shows_counts_and_calendar_links_days(small_site: Path) -> None:
    tags = page(small_site, "tags/index.html")
    rows = {li.xpath("string(a|span[1])"): li.xpath("string(span[@class='term-count'])")
            for li in tags.xpath("//ul[@class='terms']/li")}
    assert rows["attention"] == "2 papers" and rows["efficiency"] == "2 papers"
    archive = page(small_site, "archive/index.html")
    links = archive.xpath("//table[@class='calendar']//a[contains(@href, '/days/')]")
    assert [a.text_content() for a in links] == ["5 December 2025, 2 papers", "8 December 2025, 4 papers",
                                                 "21 November 2025, 1 paper"]


def test_paper_page_metadata(small_site: Path) -> None:
    doc = page(small_site, "papers/2512.01234/index.html")
    assert meta(doc, "citation_title") == ["Fast $\\mathcal{O}(n^2)$ attention with hard wraps"]
    assert meta(doc, "citation_author") == ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"]
    assert meta(doc, "citation_publication_date") == ["2025/12/05"]
    assert meta(doc, "citation_pdf_url") == ["https://arxiv.org/pdf/2512.01234v2"]
    assert meta(doc, "citation_arxiv_id") == ["2512.01234v2"]
    url = "https://example.org/papers/papers/2512.01234/"
    assert doc.xpath("//link[@rel='canonical']/@href") == [url]
    assert meta(doc, "og:url") == [url]
    assert meta(doc, "og:type") == ["article"]
    assert meta(doc, "og:image") == ["https://example.org/papers/static/thumbs/attention.svg"]
    assert meta(doc, "twitter:card") == ["summary_large_image"]
    description = meta(doc, "description")[0]
    assert description == meta(doc, "og:description")[0]
    assert not meta(doc, "twitter:description")  # X falls back to og:description
    # plain text: Markdown gone, math as readable Unicode (mathtext.py; issue 12)
    assert description == "We index xᵢ and yⱼ without emphasis. See the code. ∑ᵢ₌₁ⁿ xᵢ"
    data = json.loads(doc.xpath("//script[@type='application/ld+json']/text()")[0])
    assert data["@type"] == "ScholarlyArticle"
    assert "description" not in data and "abstract" not in data  # said by the page itself
    assert [a["name"] for a in data["author"]] == meta(doc, "citation_author")
    bibtex = doc.xpath("string(//pre[@id='bibtex'])")
    assert bibtex.startswith("@misc{lovelace2025fast,") and "eprint = {2512.01234v2}" in bibtex
    assert doc.xpath("//button[@data-copy='bibtex']")


def test_descriptions_are_plain_and_short(small_site: Path) -> None:
    for file in small_site.rglob("*.html"):
        for text in meta(html.fromstring(file.read_bytes()), "description"):
            assert len(text) <= 200, file
            # No Markdown syntax and no markup the renderer makes; a literal '<script>' written in
            # an abstract is its text (raw HTML is shown as written), so it may appear here.
            assert not re.search(r"\]\(|\*\*|</?(p|em|strong|a|code|math|mi)\b", text), f"{file}: {text}"


def test_math_is_mathml_in_title_and_abstract(small_site: Path) -> None:
    doc = page(small_site, "papers/2512.01234/index.html")
    h1 = doc.xpath("//h1")[0]
    assert h1.xpath(".//math//mi/text()")[0] == "𝒪"  # \mathcal{O}
    assert h1.xpath(".//math//msup")
    abstract = doc.xpath("//div[@class='abstract']")[0]
    assert abstract.xpath(".//math/mrow/msub/mi/text()")[:2] == ["x", "i"]
    assert abstract.xpath(".//math[@display='block']")
    assert "$" not in abstract.text_content()


def test_search_index_is_made_apart_from_the_pages(small_site: Path) -> None:
    # Pagefind reads fragments made from the records (generator/search.py), not the pages:
    # no page carries its markup, and the bundle has the theme's needs only (no Pagefind UI).
    for path in ("papers/hep-th-9711200/index.html", "index.html", "tags/attention/index.html"):
        assert "data-pagefind" not in (small_site / path).read_text()
    form = page(small_site, "search/index.html").xpath("//form[@data-bundles]")[0]
    assert form.get("data-bundles") == "/papers/pagefind/1/"
    assert (small_site / "pagefind/1/pagefind.js").is_file()
    assert (small_site / "pagefind/1/pagefind-entry.json").is_file()
    assert not list((small_site / "pagefind/1").glob("pagefind-ui.*"))


def _assets(site: Path, doc: html.HtmlElement) -> int:
    size = sum(len(s.text or "") for s in doc.xpath("//script[not(@src)][not(@type='application/ld+json')]"))
    size += sum(len(s.text or "") for s in doc.xpath("//style"))
    for url in doc.xpath("//link[@rel='stylesheet']/@href | //script/@src"):
        target = _target(site, url)
        assert target is not None and target.is_file(), url
        size += target.stat().st_size
    return size


def test_css_and_js_stay_under_budget(small_site: Path) -> None:
    sizes = {f.relative_to(small_site).as_posix(): _assets(small_site, html.fromstring(f.read_bytes()))
             for f in small_site.rglob("*.html")}
    assert max(sizes.values()) < BUDGET_BYTES, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]


def test_no_web_fonts_or_third_party_assets(small_site: Path) -> None:
    css = (small_site / "static/style.css").read_text()
    # One web font only, self-hosted: the math font (issue 12), fetched where math appears.
    assert "@import" not in css and css.count("@font-face") == 1
    assert re.findall(r"url\(([^)]*)\)", css) == ['"fonts/noto-sans-math.woff2"']
    for file in small_site.rglob("*.html"):
        doc = html.fromstring(file.read_bytes())
        for url in doc.xpath("//link[@rel='stylesheet']/@href | //script/@src"):
            assert url.startswith(BASE_PATH), f"{file}: {url}"


@pytest.mark.slow
def test_hundreds_of_authors_fold_behind_show_all(tmp_path: Path) -> None:
    names = [f"Author Number{i:03d}" for i in range(1, 301)]
    site = make_site(tmp_path / "site", [record("2512.00042", authors=names, tags=["big"],
                                                thumbnail="https://cdn.example.org/t.png")])
    build(site, environ={})
    doc = page(site / "public", "papers/2512.00042/index.html")
    shown = doc.xpath("//div[@class='author-block']/ul[@class='author-list']/li")
    folded = doc.xpath("//details[@class='more-authors']//li")
    assert len(shown) == 20 and len(shown) + len(folded) == 300
    assert doc.xpath("string(//details/summary)") == "Show all 300 authors"
    assert len(meta(doc, "citation_author")) == 300
    card = page(site / "public", "index.html").xpath("//article")[0]
    assert card.xpath("string(.//span[@class='more'])") == "+297"
    assert doc.xpath("//img[@class='paper-thumb']/@src") == ["https://cdn.example.org/t.png"]
    assert doc.xpath("//img[@class='paper-thumb']/@width") == ["640"]


def test_a_few_authors_are_all_shown(small_site: Path) -> None:
    doc = page(small_site, "papers/2512.01234/index.html")
    assert len(doc.xpath("//div[@class='author-block']//li")) == 4
    assert not doc.xpath("//details")


@pytest.mark.parametrize("path", ["index.html", "papers/flash-dmd/index.html", "search/index.html",
                                  "404.html", "archive/index.html"])
def test_every_page_has_header_search_and_theme_toggle(small_site: Path, path: str) -> None:
    doc = page(small_site, path)
    form = doc.xpath("//header//form[@role='search']")[0]
    assert form.get("action") == "/papers/search/" and form.xpath(".//input[@name='q']")
    assert doc.xpath("//button[@class='theme-toggle']/@aria-pressed") == ["false"]
    head_script = doc.xpath("//head/script[not(@src)]")[0].text
    assert "localStorage" in head_script  # the stored theme applies before the first paint
    assert doc.xpath("//a[@class='skip']/@href") == ["#main"] and doc.xpath("//main[@id='main']")


@pytest.mark.slow
def test_tags_with_tex_show_math_and_index_lists_only_terms_with_pages(tmp_path: Path) -> None:
    tex_tag = "$\\mathcal{J}$ score"
    site = make_site(tmp_path / "site", [record("2512.00001", tags=[tex_tag, "once"]),
                                         record("2512.00002", tags=[tex_tag])],
                     config={"title": "T", "tags": {"min_papers": 2}})
    build(site, environ={})
    card_tags = page(site / "public", "index.html").xpath("//ul[@class='tags']")[0]
    assert card_tags.xpath(".//a//math//mi/text()") == ["𝒥"]
    once = card_tags.xpath(".//a[text()='once']")[0]  # no page: the search page, filtered to it
    assert once.get("href") == "/search/?tag=once"
    index = page(site / "public", "tags/index.html")
    assert [li.xpath("string(a)") for li in index.xpath("//ul[@class='terms']/li")] == ["𝒥 score"]
    assert "1 more on fewer papers each lead to search" in index.xpath("string(//p[@class='lede'])")
    term = page(site / "public", "tags/mathcal-j-score/index.html")
    assert term.xpath("//h1//math")


@pytest.mark.slow
def test_cards_show_six_tags_then_a_link_to_the_rest(tmp_path: Path) -> None:
    tags = [f"topic {i}" for i in range(10)]
    site = make_site(tmp_path / "site", [record("2512.00001", tags=tags)])
    build(site, environ={})
    card = page(site / "public", "index.html").xpath("//article")[0]
    items = card.xpath(".//ul[@class='tags']/li")
    assert [li.text_content() for li in items] == [*tags[:6], "+4 more tags"]
    assert items[-1].xpath("a/@href") == ["/papers/2512.00001/"]
    paper = page(site / "public", "papers/2512.00001/index.html")
    assert len(paper.xpath("//ul[@class='tags']/li")) == 10


def test_a_sites_own_icon_macro_draws_every_icon(tmp_path: Path) -> None:
    # The default icon is a function (svg_icon); a theme may still define a macro of its own.
    mine_macro = '{% macro icon(name) %}<i class="mine-{{ name }}"></i>{% endmacro %}'
    site = make_site(tmp_path / "site", [record(authors=["Ada Lovelace"], links={"pdf": "https://x.org/a.pdf"})],
                     files={"templates/_icons.html": mine_macro})
    build(site, environ={})
    paper = page(site / "public", "papers/2512.00001/index.html")
    assert not paper.xpath("//svg[@class='icon']")
    mine = {node.get("class") for node in paper.xpath("//i")}
    assert {"mine-search", "mine-calendar", "mine-up", "mine-pdf", "mine-copy"} <= mine


def test_the_default_icon_escapes_its_name() -> None:
    from generator.render import svg_icon

    icon = svg_icon("/s/icons.svg?v=1&x")
    assert str(icon('a"b')) == ('<svg class="icon" aria-hidden="true">'
                                '<use href="/s/icons.svg?v=1&amp;x#i-a&#34;b"/></svg>')
    assert icon("up") is icon("up")  # made once
