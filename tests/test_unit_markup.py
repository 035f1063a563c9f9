"""markup.py: Markdown with math protected and rendered to MathML, then sanitised."""

from __future__ import annotations

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.markup import plain_text, render_inline, render_markdown, render_tex

MATHML = 'xmlns="http://www.w3.org/1998/Math/MathML"'


def tree(fragment: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(fragment, create_parent="div")


def tags(fragment: str) -> list[str]:
    return [el.tag for el in tree(fragment).iter() if isinstance(el.tag, str)][1:]


def test_subscripts_in_math_never_become_emphasis() -> None:
    html = render_markdown("We compare $x_i$ with the mean of $y_j$ over all $i$.")
    assert "em" not in tags(html)
    assert html.count("<math ") == 3
    assert "<msub><mi>x</mi><mi>i</mi></msub>" in html and "<msub><mi>y</mi><mi>j</mi></msub>" in html


def test_one_formula_spanning_underscores_and_stars() -> None:
    html = render_markdown("where $x_i … y_j$ and $a*b*c$ hold, *really*")
    assert tags(html).count("em") == 1  # only the Markdown *really*
    assert tree(html).find(".//em").text == "really"
    assert "<mi>…</mi>" in html and html.count("<mo>*</mo>") == 2


def test_underscores_in_plain_words_stay_text() -> None:
    assert render_markdown("Let x_i and y_j be snake_case_names.") == (
        "<p>Let x_i and y_j be snake_case_names.</p>")


def test_inline_and_display_math_become_mathml() -> None:
    html = render_markdown("Inline $\\alpha$ and display:\n\n$$\\sum_{i=1}^n x_i$$\n")
    assert f'<math {MATHML} display="inline"><mrow><mi>α</mi></mrow></math>' in html
    assert f'<math {MATHML} display="block">' in html and "<munderover><mo>∑</mo>" in html
    assert "$" not in html


def test_display_math_may_span_lines() -> None:
    html = render_markdown("$$\na +\nb\n$$")
    assert html.count("<math ") == 1 and 'display="block"' in html and "$" not in html


@pytest.mark.parametrize("text", [
    "It costs $5 and $10 later.",
    "Prices: $5, $10, $15.",
    "Pay $ 5 or $ 6.",
    "Spend between $5 and $ 10",
])
def test_dollar_amounts_stay_text(text: str) -> None:
    assert render_markdown(text) == f"<p>{text}</p>"


def test_an_amount_next_to_math() -> None:
    html = render_markdown("The price is $5, and $x$ is a variable.")
    assert html.count("<math ") == 1 and "The price is $5, and <math" in html


def test_bad_tex_falls_back_to_its_escaped_source_and_the_rest_still_renders() -> None:
    html = render_markdown("Broken $\\frac{1}{$ then **bold** and $z<1$ & more")
    assert '<code class="tex">$\\frac{1}{$</code>' in html
    assert "<strong>bold</strong>" in html
    assert "<mi>z</mi><mo>&lt;</mo><mn>1</mn>" in html
    assert "&amp; more" in html
    assert render_tex("\\begin{nothing}", True) == '<code class="tex">$$\\begin{nothing}$$</code>'
    assert "<b>" not in render_tex("<b>", False) and "<mi>b</mi>" in render_tex("<b>", False)


def test_text_that_looks_like_the_internal_placeholders_cannot_inject_a_formula() -> None:
    html = render_markdown("a \ue0000\ue001 b $y$")
    assert html.count("<math ") == 1 and "\ue000" not in html and "\ue001" not in html


@pytest.mark.parametrize("source, gone", [
    ("<script>alert(1)</script>after", "alert"),
    ("<img src=x onerror=\"alert(1)\">", "onerror"),
    ("<b onclick=\"steal()\">b</b>", "onclick"),
    ("<a href=\"javascript:alert(1)\">x</a>", "javascript"),
    ("[x](javascript:alert(1))", "javascript"),
    ("[x](JaVaScRiPt:alert(1))", "alert"),
    ("[x](data:text/html,<script>alert(1)</script>)", "data:"),
    ("<iframe src=\"https://evil.org\"></iframe>", "iframe"),
    ("<p style=\"background:url(x)\">s</p>", "style"),
    ("<svg onload=alert(1)><circle/></svg>", "svg"),
    ("<math><mi href=\"javascript:alert(1)\">x</mi></math>", "href"),
    ("$\\text{<script>alert(1)</script>}$", "script"),
    ("$\\href{javascript:alert(1)}{x}$", "javascript"),
    ("A <!-- hidden --> B", "hidden"),
])
def test_scripts_handlers_and_javascript_urls_are_never_active(source: str, gone: str) -> None:
    # Raw HTML is shown as text (nothing of the abstract is lost), so the payload may be
    # visible; what matters is that no element, attribute or link carries it.
    html = render_markdown(source)
    assert not {"script", "iframe", "img", "svg", "style"} & set(tags(html))
    assert not [a for el in tree(html).iter() for a in getattr(el, "attrib", {}) if a.startswith("on")]
    assert not [v for el in tree(html).iter() for k, v in getattr(el, "attrib", {}).items()
                if gone.lower() in v.lower() or k == "style"]
    if source.startswith("$"):  # inside TeX the payload is dropped outright
        assert gone.lower() not in html.lower()


def test_raw_html_in_an_abstract_is_shown_as_written() -> None:
    html = render_markdown("Tokens <think> and </think>, a<b, x & y, <eos> and <!-- c -->.")
    assert tree(html).text_content() == "Tokens <think> and </think>, a<b, x & y, <eos> and <!-- c -->."


def test_safe_links_are_kept_and_marked_nofollow() -> None:
    html = render_markdown("See [code](https://github.com/a/b) or [mail](mailto:a@b.org).")
    links = tree(html).findall(".//a")
    assert [(a.get("href"), a.get("rel")) for a in links] == [
        ("https://github.com/a/b", "nofollow noopener"), ("mailto:a@b.org", "nofollow noopener")]


def test_markdown_still_works_around_math() -> None:
    html = render_markdown("- first $a_1$\n- second `code_with_underscores`\n\n1. one\n")
    assert tags(html)[:2] == ["ul", "li"] and "ol" in tags(html)
    assert "<code>code_with_underscores</code>" in html


def test_titles_never_interpret_html_or_markdown() -> None:
    assert render_inline("<b>Bold</b> & <script>x</script>") == (
        "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;")
    assert render_inline("*not em* and a_b_c [x](y)") == "*not em* and a_b_c [x](y)"
    assert render_inline("It's \"quoted\"") == "It's \"quoted\""


def test_titles_render_math() -> None:
    html = render_inline("$\\alpha$-Tuning for $x_i$ < 5, costs $5")
    assert html.startswith(f'<math {MATHML} display="inline"><mrow><mi>α</mi></mrow></math>-Tuning for ')
    assert html.endswith(" &lt; 5, costs $5")
    assert html.count("<math ") == 2


def test_plain_text_keeps_tex_and_collapses_whitespace() -> None:
    assert plain_text("  Hogwild!\n Inference: $x_i$  ") == "Hogwild! Inference: $x_i$"


def test_rendering_is_deterministic() -> None:
    source = "Same $\\frac{a}{b}$ and $$\\int_0^1 f$$ twice <b>x</b>"
    assert render_markdown(source) == render_markdown(source)


def test_escaped_dollar_is_a_literal_dollar() -> None:
    from generator.markup import render_inline, render_markdown

    assert render_markdown(r"costs \$5 and \$10") == "<p>costs $5 and $10</p>"
    assert render_inline(r"costs \$5") == "costs $5"


def test_bare_urls_become_links_without_trailing_punctuation() -> None:
    from generator.markup import render_markdown

    html = render_markdown("Code at https://github.com/x/y. Also (https://a.org/b_c) and [t](https://d.org/e).")
    assert '<a href="https://github.com/x/y" rel="nofollow noopener">https://github.com/x/y</a>.' in html
    assert '(<a href="https://a.org/b_c" rel="nofollow noopener">https://a.org/b_c</a>)' in html
    assert '<a href="https://d.org/e" rel="nofollow noopener">t</a>' in html
    assert "<code>https://x.org</code>" in render_markdown("`https://x.org`")


def test_urls_in_code_spans_stay_code() -> None:
    html = render_markdown("Code at https://github.com/x/y_z. See (https://a.org/p), [b](https://b.org/) "
                           "and `curl https://c.org/`.")
    links = lxml.html.fromstring(html).xpath("//a/@href")
    assert links == ["https://github.com/x/y_z", "https://a.org/p", "https://b.org/"]
    assert "<code>curl https://c.org/</code>" in html  # code spans are left alone


def test_markdown_text_is_plain_with_tex_as_written() -> None:
    from generator.markup import markdown_text, shorten

    text = markdown_text("We **index** $x_i$ & <b>y</b>. See [the code](https://g.org/x) at https://g.org/x."
                         "\n\n<script>alert(1)</script>Costs \\$5.")
    # Raw HTML is the abstract's text (shown as written on the page), so it stays in the plain text too.
    assert text == "We index $x_i$ & <b>y</b>. See the code at https://g.org/x. <script>alert(1)</script>Costs $5."
    assert shorten(text, 20) == "We index $x_i$ &…"
    assert shorten("short", 20) == "short"


# Pieces of text that CommonMark treats as syntax, and of plain prose, to mix at random.
_PIECES = st.sampled_from(list("abcXYZé1209 .,;:!?'\"()-+=#>~|/%^{}@\ue000") + [
    "\n", "\n\n", "\n\n\n", "  ", "\t", "\xa0", "\u2028", "\r", "\x00", "*", "_", "&amp;", "&", "<", ">",
    "\\", "`", "[", "]", "\x1f", "1. ", "1) ", "- ", "+ ", "    ", "==", "--", "***", "# ", "> ", "```"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=30).map("".join))
def test_plain_prose_skips_the_parser_and_gives_its_html(text: str) -> None:
    """Two thirds of real abstracts are plain prose: they are not parsed, and their HTML is the
    parser's, whatever the text the shortcut lets through."""
    from generator.markup import _MD, _markdown, _prose

    if _prose(text) is not None:
        assert _markdown(text) == _MD.render(text)


def test_prose_is_taken_by_the_shortcut_and_syntax_is_not() -> None:
    from generator.markup import _prose

    assert _prose('We train a 7B "model" (twice).\nIt wins.\n\nSecond paragraph, 3 ways.') == [
        'We train a 7B "model" (twice).\nIt wins.', "Second paragraph, 3 ways."]
    for syntax in ("We *train*.", "A\n- list", "A\n1. list", "A\n    code", "A  \nbreak", "A &amp; B", "A\n# B",
                   "x_i", "A [link](u)", "A <b>", "A\n===", "A\tB", "A\xa0B", "1. list"):
        assert _prose(syntax) is None, syntax
