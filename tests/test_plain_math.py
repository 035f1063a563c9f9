"""Math in plain-text places (issue 12): readable Unicode, faithful or the TeX kept.

Every markup-less context (feed titles, <title>, og:title, meta description, the search
result's title, the email digest) shows a title through one function, plain_title.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html

from generator.build import build, load_site, render_markup
from generator.config import load_config
from generator.digest import build_digest
from generator.indexes import build_index
from generator.mathtext import plain_title, readable_tex, readable_text
from generator.search import fragment
from tests.conftest import make_site, record

# (TeX, the plain text a reader gets). A formula without a faithful plain form keeps its TeX.
FORMULAS = [
    (r"\alpha_i", "αᵢ"),
    (r"\beta_{t}", "βₜ"),
    (r"\sum_{i=1}^{n} x_i^2", "∑ᵢ₌₁ⁿ xᵢ²"),
    (r"\int_0^1 f(x)\,dx", "∫₀¹ f(x) dx"),
    (r"\mathcal{O}(n \log n)", "𝒪(n log n)"),
    (r"\frac{a+b}{c}", "(a + b)/c"),
    (r"\frac{1}{2}", "1/2"),
    (r"\sqrt{x+1}", "√(x + 1)"),
    (r"QK^T/\sqrt{d_k}", "QKᵀ/√(dₖ)"),
    (r"e^{i\pi}", "e^(iπ)"),
    (r"10^{-3}", "10⁻³"),
    (r"\hat{y}_{t+1}", "ŷₜ₊₁"),
    (r"\|x\|_2", "‖x‖₂"),
    (r"W \in \mathbb{R}^{d \times k}", "W ∈ ℝ^(d × k)"),
    (r"\max_{\theta} L", "max_θ L"),
    (r"\left( x \right)", "( x )"),
    (r"\operatorname{softmax}(x)", "softmax(x)"),
    (r"x_{i,j}", "x_(i,j)"),
    # No faithful plain form: the TeX as written.
    (r"\binom{n}{k}", r"\binom{n}{k}"),
    (r"\foo x", r"\foo x"),
    (r"\sqrt[3]{x}", r"\sqrt[3]{x}"),
    (r"\hat{xy}", r"\hat{xy}"),
    (r"{a", "{a"),
]
COUNTED = re.compile(r"[A-Za-z0-9+\-=<>/|,.()\[\]]")


def _symbols(text: str) -> Counter[str]:
    return Counter(COUNTED.findall(unicodedata.normalize("NFKD", text).replace("\u2212", "-")))


@pytest.mark.parametrize(("tex", "expected"), FORMULAS)
def test_formula_as_text(tex: str, expected: str) -> None:
    text = readable_tex(tex)
    assert text == expected
    if text != tex:  # converted: no letter, digit or operator of the source lost
        written = re.sub(r"\\(?:left|right)\.|\\[A-Za-z]+|\\.", " ", tex)
        assert not (_symbols(written) - _symbols(text)), (tex, text)
        assert "\\" not in text


TITLE = r"Sub-quadratic $\mathcal{O}(n \log n)$ Attention"
PLAIN = "Sub-quadratic 𝒪(n log n) Attention"


def test_plain_title() -> None:
    assert plain_title(TITLE) == PLAIN
    assert readable_text(r"Sum $\sum_{i=1}^{n} x_i^2$ and $\binom{n}{k}$.") == r"Sum ∑ᵢ₌₁ⁿ xᵢ² and \binom{n}{k}."


def test_every_plain_context_shows_the_title_as_unicode(tmp_path: Path) -> None:
    rec = record("2512.00001", title=TITLE, abstract=r"Costs $\sum_{i=1}^{n} x_i^2$ per $\alpha_i$.")
    site = make_site(tmp_path / "site", records=[rec], config={"title": "T", "base_url": "https://e.org/"})
    build(site, environ={})
    public = site / "public"
    assert feedparser.parse((public / "feed.xml").read_bytes()).entries[0].title == PLAIN
    assert feedparser.parse((public / "atom.xml").read_bytes()).entries[0].title == PLAIN
    assert json.loads((public / "feed.json").read_text(encoding="utf-8"))["items"][0]["title"] == PLAIN
    doc = lxml_html.fromstring((public / "papers/2512.00001/index.html").read_bytes())
    assert doc.xpath("string(//title)") == f"{PLAIN} · T"
    assert doc.xpath("//meta[@property='og:title']/@content") == [PLAIN]
    assert doc.xpath("//meta[@name='description']/@content") == ["Costs ∑ᵢ₌₁ⁿ xᵢ² per αᵢ."]
    # Google Scholar's citation_title keeps the TeX as written, as arXiv's abstract pages do.
    assert doc.xpath("//meta[@name='citation_title']/@content") == [TITLE]
    _, papers = load_site(site)
    fragment_doc = lxml_html.fromstring(fragment(render_markup(papers)[0]).decode())
    assert fragment_doc.xpath("string(//*[@data-pagefind-meta='title'])") == PLAIN
    config = load_config(site)
    index = build_index(render_markup(papers), config)
    assert build_digest(config, index.days[-1]).items[0].title == PLAIN
