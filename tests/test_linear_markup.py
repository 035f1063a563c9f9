"""Record text is processed in linear time: no pathological abstract, title or import stalls a build.

A regular expression that backtracks over delimiters takes quadratic or cubic time on text
made of them: `(`+).+?\\1` took 20 s on 9,990 backticks. Every delimiter the pipeline knows
(Markdown's, TeX's, the linkifier's) is tried at n and 4n characters on every surface that
sees record text. Linear work grows ~4x; quadratic ~16x, cubic ~64x. A ratio below 10 (with
the best of a few runs, for a noisy shared machine) and a generous absolute bound tell them
apart; inputs that take under FLOOR seconds at 4n are fast whatever their growth.
"""

from __future__ import annotations

import gc
import random
import re
import time
from collections.abc import Callable

import pytest
import yaml

from generator import markup
from generator.content import load_file
from generator.digest import readable_text
from generator.importers.bibtex import parse_bibtex
from generator.importers.latex import latex_to_text, paragraphs
from generator.markup import render_abstract, render_inline, render_markdown, render_tex
from generator.mathtext import abstract_forms, readable_tex
from generator.record import RecordContext

N = 10_000
FLOOR = 0.05  # seconds: at 4n = 40,000 characters any super-linear pattern takes far longer
LIMIT = 4.0  # seconds for 40,000 characters: generous; linear runs take well under one
MAX_RATIO = 10.0  # 4x the text: linear ~4, quadratic ~16


def repeat(unit: str, n: int) -> str:
    return unit * max(1, n // len(unit))


#: name -> text of about n characters made of one delimiter (or a mix that made a pattern slow)
HOSTILE: dict[str, Callable[[int], str]] = {
    "backticks": lambda n: "`" * n,
    "backtick-a": lambda n: repeat("`a", n),
    "backtick-runs": lambda n: "".join("`" * k + "a" for k in range(1, int((2 * n) ** 0.5))),
    "escaped-backticks": lambda n: repeat("\\`", n),
    "dollar": lambda n: "$" * n,
    "dollar-a": lambda n: repeat("$a", n),
    "dollar-space": lambda n: repeat("$ ", n),
    "double-dollar": lambda n: repeat("$$", n),
    "double-dollar-a": lambda n: repeat("$$a", n),
    "unclosed-display": lambda n: "$$" + repeat("$ a", n),
    "escaped-dollar": lambda n: repeat("\\$", n),
    "long-formula": lambda n: "$" + "a" * n + "$",
    "formula-of-spaces": lambda n: "$a" + " " * n + "b$",
    "formula-of-braces": lambda n: "$" + "{" * n + "$",
    "formula-of-scripts": lambda n: "$" + repeat("x_{ ", n) + "$",
    "formula-of-operators": lambda n: "$a" + repeat(" = ", n) + "b$",
    "formula-of-fracs": lambda n: "$" + repeat("\\frac{", n) + "$",
    "paren-math": lambda n: repeat("\\(", n),
    "bracket-math": lambda n: repeat("\\[", n),
    "stars": lambda n: "*" * n,
    "star-a": lambda n: repeat("*a", n),
    "strong-a": lambda n: repeat("**a", n),
    "underscores": lambda n: "_" * n,
    "underscore-a": lambda n: repeat("_a", n),
    "star-underscore": lambda n: repeat("*_", n),
    "brackets": lambda n: "[" * n,
    "bracket-a": lambda n: repeat("[a", n),
    "close-open-paren": lambda n: repeat("](", n),
    "link-open": lambda n: repeat("[a](", n),
    "images": lambda n: repeat("![", n),
    "angles": lambda n: "<" * n,
    "angle-a": lambda n: repeat("<a", n),
    "angle-urls": lambda n: repeat("<http://", n),
    "backslashes": lambda n: "\\" * n,
    "spaces": lambda n: "a" + " " * n + "b",
    "tabs": lambda n: "a" + "\t" * n + "b",
    "spaced-lines": lambda n: repeat("a" + " " * 98 + "\n", n),
    "newlines": lambda n: "a" + "\n" * n + "b",
    "blank-lines-with-spaces": lambda n: repeat("\n \t", n),
    "quotes": lambda n: repeat("> ", n),
    "list-markers": lambda n: repeat("- ", n),
    "nested-lists": lambda n: "".join(" " * (2 * i) + "- a\n" for i in range(int((n / 2) ** 0.5))),
    "headings": lambda n: "#" * n,
    "pipes": lambda n: "|a|\n|-|\n" + repeat("|a", n),
    "tildes": lambda n: "~" * n,
    "ampersands": lambda n: "&" * n,
    "entities": lambda n: repeat("&#", n),
    "urls": lambda n: repeat("http://", n),
    "url-of-dots": lambda n: "http://" + "." * n,
    "urls-and-dots": lambda n: repeat("http://a.", n),
    "arxiv-words": lambda n: repeat("arxiv", n),
    "placeholders": lambda n: repeat("\ue0000\ue001", n),
}


def _seconds(work: Callable[[str], object], text: str) -> float:
    """Seconds `work` takes on `text`, without the garbage collector: a collection walks the
    whole heap of the test process (a CI run timed 40,000 characters at 10x 10,000 when one
    fell into the larger run), which says nothing about the pattern's growth."""
    render_tex.cache_clear()  # formulas are cached: every run must do the work
    readable_tex.cache_clear()
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        work(text)
        return time.perf_counter() - started
    finally:
        gc.enable()


def assert_linear(work: Callable[[str], object], make: Callable[[int], str]) -> None:
    """Fast at 4n, or at most MAX_RATIO times slower than at n; a run slowed by the machine
    (another job, a collection) is tried again, up to three times, and each size is judged
    by its fastest run (noise only ever adds time)."""
    small, large = make(N), make(4 * N)
    little = big = float("inf")
    for _ in range(3):
        little = min(little, _seconds(work, small))  # first: a cubic pattern would take minutes at 4n
        assert little < LIMIT, f"{len(small)} characters took {little:.2f} s"
        big = min(big, _seconds(work, large))
        if big < FLOOR:
            return
        ratio = big / max(little, FLOOR / 4)
        if ratio < MAX_RATIO and big < LIMIT:
            return
    pytest.fail(f"{len(large)} characters took {big:.2f} s, {ratio:.1f}x the time of {len(small)} ({little:.3f} s)")


def _record(text: str) -> object:
    data = yaml.safe_dump({"id": "x", "title": text.replace("\n", " ")[:5000] or "t", "abstract": text,
                           "date": "2025-12-08", "tags": [text[:300] or "t"]}, allow_unicode=True)
    papers, _ = load_file(data.encode("utf-8"), "content/x.yaml", RecordContext("UTC"))
    return papers


def _bibtex(text: str) -> object:
    field = text.replace("{", "(").replace("}", ")").replace("\\", "/")  # balanced for the parser
    return parse_bibtex(f"@misc{{k, title={{T}}, year={{2025}}, note={{{field}}}}}\n", "refs.bib")


MATH = [kind for kind in HOSTILE if "dollar" in kind or "formula" in kind or "math" in kind]
LATEX = MATH + ["backslashes", "spaces", "tabs", "newlines", "spaced-lines", "blank-lines-with-spaces",
                "escaped-backticks", "arxiv-words"]
#: (surface, kinds): every delimiter through Markdown; the digest and the LaTeX importer
#: (slow pylatexenc, ~25 µs a character) with the delimiters their own code looks at.
SURFACES: dict[str, tuple[Callable[[str], object], list[str]]] = {
    "abstract": (abstract_forms, list(HOSTILE)),  # the build: page HTML, text and meta description
    "title": (render_inline, list(HOSTILE)),
    "digest": (readable_text, MATH),  # email: math as Unicode text
    "import-latex": (lambda text: paragraphs(latex_to_text(text)), LATEX),
}


@pytest.mark.parametrize(("surface", "kind"), [(surface, kind) for surface, (_, kinds) in SURFACES.items()
                                               for kind in kinds])
@pytest.mark.big
def test_every_delimiter_renders_in_linear_time(surface: str, kind: str) -> None:
    assert_linear(SURFACES[surface][0], HOSTILE[kind])


@pytest.mark.parametrize("kind", ["backticks", "dollar-a", "brackets", "spaces", "arxiv-words", "paren-math"])
def test_records_and_imports_with_hostile_text_are_read_in_linear_time(kind: str) -> None:
    assert_linear(_record, HOSTILE[kind])
    assert_linear(_bibtex, HOSTILE[kind])


def test_the_reported_abstract_of_9990_backticks_renders_at_once() -> None:
    started = time.perf_counter()
    html, _ = render_abstract("`" * 9990)
    assert time.perf_counter() - started < 1.0
    assert html == "<pre><code></code></pre>"  # a code fence that is never closed
    started = time.perf_counter()
    assert render_markdown("a" + "`" * 9990) == "<p>a" + "`" * 9990 + "</p>"
    assert time.perf_counter() - started < 1.0


@pytest.mark.big
def test_the_whole_hostile_set_renders_well_under_a_second_each() -> None:
    slowest = max((_seconds(abstract_forms, make(N)), kind) for kind, make in HOSTILE.items())
    assert slowest[0] < 2.0, slowest


# What the linkifier takes for code must be what Markdown takes for code: a URL in a code
# span is shown as written, one outside is a link. Checked against markdown-it itself.
@pytest.mark.parametrize(("source", "html"), [
    ("`https://a.org/`", "<p><code>https://a.org/</code></p>"),
    ("``x ` https://a.org/``", "<p><code>x ` https://a.org/</code></p>"),
    ("`a``https://a.org/`", "<p><code>a``https://a.org/</code></p>"),  # only a run of one closes one
    ("``a` https://a.org/", '<p>``a` <a href="https://a.org/" rel="nofollow noopener">https://a.org/</a></p>'),
    ("\\` https://a.org/ `", '<p>` <a href="https://a.org/" rel="nofollow noopener">https://a.org/</a> `</p>'),
    ("\\\\`https://a.org/`", "<p>\\<code>https://a.org/</code></p>"),
    ("`a\\`https://a.org/`", '<p><code>a\\</code><a href="https://a.org/" rel="nofollow noopener">'
                             "https://a.org/</a>`</p>"),
])
def test_code_spans_are_found_as_markdown_finds_them(source: str, html: str) -> None:
    assert render_markdown(source) == html


@pytest.mark.slow
def test_the_linkifier_agrees_with_markdown_on_random_backtick_soup() -> None:
    pieces = ["`", "``", "```", "a", " ", " http://x.y/z ", "\\"]
    rng = random.Random(13)
    for _ in range(3000):
        # After "a ": one paragraph (no code fence, no indented code block: blocks are not spans).
        source = "a " + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10)))
        html = markup._MD.render(markup._linkify(source))
        assert not re.search(r"<code>[^<]*&lt;http", html), source  # no <…> added inside code
        outside = re.sub(r"<code>.*?</code>|<a [^>]*>.*?</a>", "", html)
        assert "http://x.y/z" not in outside, source  # every URL outside code is a link
