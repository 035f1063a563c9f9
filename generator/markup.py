"""The one Markdown pipeline: math protected, rendered to MathML, sanitised.

TeX is cut out before Markdown sees it (so `x_i ... y_j` never becomes
emphasis), converted to MathML at build time (pages and feeds need no
JavaScript), and the final HTML goes through an allow-list sanitiser (nh3),
MathML included, because latex2mathml passes `\\text{...}` through unescaped.
"""

from __future__ import annotations

import bisect
import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import nh3
from latex2mathml.converter import convert as tex_to_mathml
from markdown_it import MarkdownIt

_MATH = re.compile(r"\$\$(?P<display>.+?)\$\$|(?<![\\$])\$(?P<inline>(?!\s)[^$\n]+?)(?<![\\\s])\$(?!\d)", re.DOTALL)
# Private-use characters: Markdown leaves them alone (it uses \x02/\x03 itself).
_TOKEN = "\ue000{}\ue001"
_TOKEN_RE = re.compile("\ue000(\\d+)\ue001")

MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub",
    "msup", "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr",
    "mtd", "mstyle", "mpadded", "mphantom", "menclose", "merror", "mmultiscripts", "mprescripts",
    "none",
}
HTML_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "sub", "sup",
    "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "del", "span",
}
MATHML_ATTRS = {"display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace",
                "accent", "accentunder", "movablelimits", "columnalign", "width", "height",
                "depth", "linethickness", "minsize", "maxsize", "symmetric", "notation", "encoding"}
ATTRIBUTES = {tag: MATHML_ATTRS for tag in MATHML_TAGS} | {
    "a": {"href", "title"}, "code": {"class"}, "span": {"class"}, "th": {"align"}, "td": {"align"},
    "ol": {"start"}, "math": MATHML_ATTRS | {"xmlns"},
}
# CommonMark with raw HTML off: `<think>`, `<eos>` or `a<b` in an abstract is text, shown as
# written (a sanitiser would silently delete it). markdown-it-py's parser stays near-linear on
# hostile input, where Python-Markdown took 340 s on 20,000 '[' and 56 s on 10,000 of "[![".
_MD = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False})


def _image_as_link(renderer: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    """An image in an abstract becomes a link to it: no third-party request (a tracking
    pixel) when the page loads, and its alt text is not lost."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = renderer.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{html.escape(src)}">{html.escape(alt, quote=False)}</a>'


_MD.add_render_rule("image", _image_as_link)


# Built once: nh3.clean() builds its allow-list on every call (3x slower).
_CLEANER = nh3.Cleaner(tags=HTML_TAGS | MATHML_TAGS, attributes=ATTRIBUTES,
                       url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener",
                       strip_comments=True)


def sanitize(fragment: str) -> str:
    """Allow-list HTML+MathML; links only http, https and mailto."""
    return _CLEANER.clean(fragment)


@lru_cache(maxsize=4096)
def render_tex(tex: str, display: bool) -> str:
    """TeX -> MathML; a formula that cannot be converted falls back to its escaped source."""
    try:
        mathml = tex_to_mathml(tex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many types on bad TeX; the build must go on
        delimiter = "$$" if display else "$"
        return f'<code class="tex">{html.escape(delimiter + tex + delimiter)}</code>'
    return mathml


MathRenderer = Callable[[str, bool], str]  # (tex, display) -> safe HTML
Formula = tuple[str, bool]  # (tex, display)


def _stash(text: str) -> tuple[str, list[Formula]]:
    """text with each formula replaced by a token, and the formulas in order."""
    formulas: list[Formula] = []
    if "$" not in text:  # most abstracts of a real feed: no regex pass at all
        return text, formulas

    def stash(match: re.Match[str]) -> str:
        display = match.group("display") is not None
        formulas.append(((match.group("display") if display else match.group("inline")).strip(), display))
        return _TOKEN.format(len(formulas) - 1)

    return _MATH.sub(stash, text), formulas


def _protect(text: str, math: MathRenderer = render_tex) -> tuple[str, list[str]]:
    protected, formulas = _stash(text)
    return protected, [math(tex, display) for tex, display in formulas]


def _restore(text: str, formulas: list[str]) -> str:
    if not formulas:
        return text
    return _TOKEN_RE.sub(lambda m: formulas[int(m.group(1))], text)


# A bare URL in an abstract ("Code: https://github.com/x/y.") becomes a Markdown autolink;
# URLs already inside [text](url), <url>, quotes or `code` are left alone; trailing
# sentence punctuation is not part of the URL.
_BARE_URL = re.compile(r"(?<![<\[\"'`=/\w])(?<!\]\()https?://[^\s<>()\[\]`\"']*[^\s<>()\[\]`\"'.,;:!?]")
_BACKTICKS = re.compile(r"`+")


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each code span, found as CommonMark finds them: a run of n backticks
    opens a span that the next run of exactly n closes; a run with no such match is text,
    and so is a backtick escaped by a backslash (not inside a span, where `\\` is literal).

    In O(n log n), never by backtracking: the regex `(`+).+?\\1` took cubic time (20 s on
    10,000 backticks), since each opener and each length tried every closer to the end.
    """
    runs = [match.span() for match in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = defaultdict(list)  # run length -> indexes of such runs, in order
    for number, (start, end) in enumerate(runs):
        by_length[end - start].append(number)
    number, done = 0, 0
    while number < len(runs):
        start, end = runs[number]
        slash = start
        while slash > done and text[slash - 1] == "\\":  # each backslash is looked at once
            slash -= 1
        start += (start - slash) % 2  # `\``: the first backtick is escaped, the rest may open a span
        closers = by_length.get(end - start, [])
        after = bisect.bisect_right(closers, number)
        if start == end or after == len(closers):
            number += 1  # no closer of its length: the run is text
            continue
        number = closers[after]
        done = runs[number][1]
        yield start, done
        number += 1


def _linkify(text: str) -> str:
    """Bare URLs become Markdown autolinks (abstracts often end "code at https://…"); code spans kept."""
    if "http" not in text:  # the pattern's lookbehinds are tried at every character: not for nothing
        return text
    out, last = [], 0
    for start, end in _code_spans(text):
        out += [_BARE_URL.sub(r"<\g<0>>", text[last:start]), text[start:end]]
        last = end
    return "".join(out) + _BARE_URL.sub(r"<\g<0>>", text[last:])


def _unescape_dollars(text: str) -> str:
    r"""`\$5` is how a writer says "a literal dollar": show it without the backslash."""
    return text.replace("\\$", "$")


# Plain prose, which CommonMark makes into nothing but paragraphs of text: no character of
# inline syntax, entity or escape, no whitespace but spaces and newlines (Markdown trims
# Unicode spaces where it pleases), and each line starting with a letter (not a list, a
# quote, a heading, a code block or a rule) and ending without a space (no hard break).
# Two thirds of real abstracts are such prose: they skip the parser (tests/test_unit_markup.py
# checks the two agree on any text this lets through).
_NOT_PROSE = re.compile(r"[\\`*_\[\]<>&\x00]|[^\S \n]|\n\n\n|^\n|\n$|\n[^\w(\"'\ue000\n]|\n[\d_]| \n|\n ")


def _prose(text: str) -> list[str] | None:
    """text's paragraphs when it is plain prose (see _NOT_PROSE), else None."""
    if not text or _NOT_PROSE.search(text) or not (text[0].isalpha() or text[0] in "(\"'\ue000") \
            or text[-1] == " ":
        return None
    return text.split("\n\n")


def _markdown(text: str) -> str:
    """CommonMark's HTML for text: plain prose (_prose) without the parser."""
    paragraphs = _prose(text)
    if paragraphs is None:
        return str(_MD.render(text))
    return "".join(f"<p>{paragraph}</p>\n" for paragraph in paragraphs).replace('"', "&quot;")


@dataclass(frozen=True)
class Converted:
    """An abstract after its one Markdown pass: the HTML with each formula still a token, the
    formulas, and each formula as written. Pages (MathML), meta descriptions (readable
    Unicode) and plain text are all made from it."""

    html: str
    formulas: tuple[Formula, ...]
    sources: tuple[str, ...]

    def with_math(self, math: MathRenderer = render_tex) -> str:
        """Safe HTML, each formula made by `math`."""
        return sanitize(_restore(_unescape_dollars(self.html), [math(tex, display) for tex, display in self.formulas]))

    def text(self) -> str:
        """Plain text, TeX as written."""
        text = _unescape_dollars(html.unescape(_TEXT_CLEANER.clean(self.html)))
        return plain_text(_restore(text, list(self.sources)))


def convert_markdown(source: str) -> Converted:
    """Abstract Markdown (with $inline$ and $$display$$ math) through Markdown, math kept aside."""
    cleaned = source.replace("\ue000", "").replace("\ue001", "")
    protected, formulas = _stash(cleaned)
    sources = tuple(m.group(0) for m in _MATH.finditer(cleaned)) if formulas else ()
    return Converted(_markdown(_linkify(protected)).rstrip("\n"), tuple(formulas), sources)


def render_markdown(source: str, math: MathRenderer = render_tex) -> str:
    """Abstract Markdown (with $inline$ and $$display$$ math) -> safe HTML.

    `math` turns each formula into HTML (default: MathML; the email digest
    passes readable Unicode text instead).
    """
    return convert_markdown(source).with_math(math)


def render_inline(text: str, math: MathRenderer = render_tex) -> str:
    """Plain text with $math$ (a title) -> escaped HTML with MathML; never interprets HTML."""
    protected, formulas = _protect(text.replace("\ue000", "").replace("\ue001", ""), math)
    return sanitize(_restore(_unescape_dollars(html.escape(protected, quote=False)), formulas))


def plain_text(text: str) -> str:
    """Text for places that cannot hold markup (<title>, meta tags, BibTeX): TeX kept as written."""
    return " ".join(text.split())


_TEXT_CLEANER = nh3.Cleaner(tags=set())


def render_abstract(source: str) -> tuple[str, str]:
    """An abstract as (safe HTML with MathML, plain text with TeX as written), from one Markdown pass."""
    converted = convert_markdown(source)
    return converted.with_math(), converted.text()


def markdown_text(source: str) -> str:
    """Abstract Markdown as plain text (meta descriptions, JSON-LD): no markup, TeX kept as written."""
    return render_abstract(source)[1]


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:  # never end on half a word
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"
