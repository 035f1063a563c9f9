"""TeX math as readable Unicode text, for places that cannot show MathML.

Mail clients (Gmail, Outlook) drop MathML, and a plain-text part, a page's
`<title>`, a feed title or a search result have no markup at all; raw
`$\\mathcal{O}(n^2)$` reads badly in all of them. So they show `𝒪(n²)`.

Faithful or not at all: a formula is converted only when every symbol of it
has a known plain form (`\\alpha_i` -> `αᵢ`, `\\sum_{i=1}^{n}` -> `∑ᵢ₌₁ⁿ`,
`\\frac{a+b}{c}` -> `(a+b)/c`, scripts that have no Unicode form spelled
`x^(a+b)`); a macro we do not know (`\\binom`, a user's `\\foo`) keeps the
formula's TeX source as written, rather than silently dropping the symbol.
Symbols come from pylatexenc's table; the structure (groups, scripts,
fractions) is read here, because pylatexenc flattens `_{i=1}` to `_i=1` and
drops what it does not know.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

import nh3
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latex2text import get_default_latex_context_db as _text_db
from pylatexenc.latexwalker import get_default_latex_context_db as _parse_db

from generator.markup import Converted, convert_markdown, render_inline, shorten

if TYPE_CHECKING:
    from generator.model import Paper

_CONVERTER = LatexNodes2Text(math_mode="text")
_SYMBOLS = _text_db()
_ARGUMENTS = _parse_db()
_SUPERSCRIPTS = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
                         "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ", strict=True))
_SUBSCRIPTS = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
_OPERATOR = re.compile("([·×≤≥≠→=+<>])")
_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|(.)", re.DOTALL)

# Macros that only lay out: their output is nothing (the delimiter after \left stays).
_LAYOUT = frozenset("left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr middle "
                    "displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits mathstrut "
                    "nonumber notag".split())
_SPACES = {"quad": " ", "qquad": " ", ",": " ", ";": " ", ":": " ", ">": " ", " ": " ", "!": "",
           "enspace": " ", "thinspace": " "}
_ESCAPES = {"{": "{", "}": "}", "|": "‖", "%": "%", "_": "_", "&": "&", "#": "#", "$": "$"}
# One argument, shown as is (the style is not a symbol: `\mathrm{d}` reads as d).
_PLAIN_STYLES = frozenset("mathrm mathit mathsf mathtt mathnormal text textrm textit textbf textsf texttt "
                          "textnormal mbox operatorname emph".split())
# One argument, letters mapped to another alphabet when pylatexenc has them (𝒪, ℝ, 𝐖).
_ALPHABETS = frozenset("mathcal mathbb mathbf mathfrak mathscr boldsymbol bm".split())
_ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "widetilde": "\u0303",
            "bar": "\u0305", "overline": "\u0305", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308",
            "check": "\u030c", "acute": "\u0301", "grave": "\u0300", "breve": "\u0306"}
_FRACTIONS = frozenset({"frac", "dfrac", "tfrac"})
# Named operators (\log n): a space before a following letter, as TeX typesets one.
_OPERATOR_NAMES = frozenset("log ln exp sin cos tan sec csc cot sinh cosh tanh arcsin arccos arctan "
                            "max min sup inf lim limsup liminf arg argmax argmin det dim ker deg gcd "
                            "lcm Pr hom mod bmod exp".split())
_NAME_END = "\x00"
_ATOMIC = re.compile(r"[\w.′]+")
# What the faithfulness check counts: ASCII symbols a reader needs, in the source and the result.
_COUNTED = re.compile(r"[A-Za-z0-9+\-=<>/|!,.()\[\]*]")
_MACRO_NAME = re.compile(r"\\(?:left|right)\.|\\[A-Za-z]+|\\.")


class _Unknown(Exception):
    """A part of the formula that has no faithful plain form: the TeX is kept."""


class _Reader:
    """A formula's tokens, read left to right; each method returns plain text."""

    def __init__(self, tex: str) -> None:
        self.tokens = [(m.group(1), m.group(2), m.group(3)) for m in _TOKEN.finditer(tex)]
        self.at = 0

    def text(self, closing: bool = False) -> str:
        parts: list[str] = []
        while self.at < len(self.tokens):
            name, escaped, char = self.tokens[self.at]
            if char == "}":
                if not closing:
                    raise _Unknown("unbalanced }")
                self.at += 1
                return "".join(parts)
            parts.append(self.atom())
        if closing:
            raise _Unknown("unbalanced {")
        return "".join(parts)

    def atom(self) -> str:
        name, escaped, char = self.tokens[self.at]
        self.at += 1
        if name is not None:
            return self.macro(name)
        if escaped is not None:
            if escaped in _SPACES:
                return _SPACES[escaped]
            if escaped in _ESCAPES:
                return _ESCAPES[escaped]
            raise _Unknown(f"\\{escaped}")
        if char == "{":
            return self.text(closing=True)
        if char in "^_":
            return self.script(char)
        if char == "~":
            return " "
        if char in "&#%":
            raise _Unknown(char)  # alignment, parameters, comments: not one line of math
        return char

    def argument(self) -> tuple[str, str]:
        """The next argument as (plain text, its TeX source); spaces before it skipped."""
        while self.at < len(self.tokens) and (self.tokens[self.at][2] or "x").isspace():
            self.at += 1
        if self.at >= len(self.tokens) or self.tokens[self.at][2] == "}":
            raise _Unknown("missing argument")
        start = self.at
        text = self.atom()
        source = "".join(f"\\{n}" if n else f"\\{e}" if e else c for n, e, c in self.tokens[start:self.at])
        return text, source

    def script(self, op: str) -> str:
        body = self.argument()[0]
        table = _SUPERSCRIPTS if op == "^" else _SUBSCRIPTS
        compact = body.replace(" ", "").replace(_NAME_END, "")
        if compact and all(char in table for char in compact):
            return "".join(table[char] for char in compact)
        return f"{op}{compact}" if len(compact) == 1 else f"{op}({body.strip()})"

    def macro(self, name: str) -> str:
        if name in _LAYOUT:
            if name in ("left", "right", "middle") and self.at < len(self.tokens) and self.tokens[self.at][2] == ".":
                self.at += 1  # \left. is an invisible delimiter
            return ""
        if name in _SPACES:
            return _SPACES[name]
        if name in _PLAIN_STYLES:
            text = self.argument()[0]
            return text + _NAME_END if name == "operatorname" else text
        if name in _ALPHABETS:
            text, source = self.argument()
            letters = source.strip("{}")
            if letters.isascii() and letters.isalnum():
                mapped = _CONVERTER.latex_to_text(f"\\{name}{{{letters}}}")
                if len(mapped) == len(letters):
                    return str(mapped)
            return text
        if name in _ACCENTS:
            text = self.argument()[0]
            if len(text) != 1:
                raise _Unknown(f"\\{name} over more than one character")
            return unicodedata.normalize("NFC", text + _ACCENTS[name])
        if name in _FRACTIONS:
            top, bottom = self.argument()[0].strip(), self.argument()[0].strip()
            return f"{_grouped(top)}/{_grouped(bottom)}"
        if name == "sqrt":
            if self.at < len(self.tokens) and self.tokens[self.at][2] == "[":
                raise _Unknown("\\sqrt[n]")
            text = self.argument()[0].strip()
            return f"√{text}" if len(text) == 1 else f"√({text})"
        return _symbol(name)


def _grouped(text: str) -> str:
    return text if _ATOMIC.fullmatch(text.replace(_NAME_END, "")) else f"({text})"


def _symbol(name: str) -> str:
    """A macro without arguments that stands for a symbol or a name (\\alpha, \\leq, \\log)."""
    spec = _SYMBOLS.get_macro_spec(name)
    parsed = _ARGUMENTS.get_macro_spec(name)
    takes = parsed.args_parser.argspec if parsed is not None else ""
    repl = getattr(spec, "simplify_repl", None)
    if not isinstance(repl, str) or not repl.strip() or "%" in repl or takes:
        raise _Unknown(f"\\{name}")
    return repl + _NAME_END if name in _OPERATOR_NAMES else repl


def _counted(text: str) -> Counter[str]:
    plain = unicodedata.normalize("NFKD", text).replace("\u2212", "-")
    return Counter(_COUNTED.findall(plain))


def symbols_kept(tex: str, text: str) -> bool:
    """Whether every letter, digit and operator written in the TeX (outside macro names) is in the text."""
    return not (_counted(_MACRO_NAME.sub(" ", tex)) - _counted(text))


def _convert(tex: str) -> str:
    text = _Reader(tex).text()
    text = re.sub(_NAME_END + r"+(?=[^\W_])", " ", text).replace(_NAME_END, "")
    # One space each side of an operator: spaces are added, then every run collapsed (the
    # pattern `\s*op\s*` tried each start of a long run of spaces to its end: quadratic).
    return " ".join(_OPERATOR.sub(r" \1 ", text).split())


@lru_cache(maxsize=4096)
def readable_tex(tex: str) -> str:
    """`\\mathcal{O}(n^2 \\cdot d)` -> `𝒪(n² · d)`; the TeX as written (whitespace collapsed)
    when a part has no faithful plain form. Never raises, never returns `$`."""
    try:
        text = _convert(tex)
    except (_Unknown, RecursionError):
        text = ""
    if not text or not symbols_kept(tex, text):
        text = " ".join(tex.split())
    return text.replace("$", "")


def _readable_math(tex: str, display: bool) -> str:
    return html.escape(readable_tex(tex), quote=False)


def readable_text(source: str | Converted, inline: bool = False) -> str:
    """Markdown/TeX source (or an abstract through Markdown already) -> plain text: math as
    Unicode, markup dropped, whitespace collapsed."""
    if inline:
        rendered = render_inline(str(source), _readable_math)
    else:
        converted = source if isinstance(source, Converted) else convert_markdown(source)
        rendered = converted.with_math(_readable_math)
    return " ".join(html.unescape(nh3.clean(rendered, tags=set())).split())


#: Characters of a page's meta description.
DESCRIPTION_LENGTH = 200


def description(abstract: str | Converted) -> str:
    """An abstract's meta description: plain text, so math reads as Unicode, not TeX, cut at a
    word. Made once per abstract by the markup stage (and cached with its HTML)."""
    return shorten(readable_text(abstract), DESCRIPTION_LENGTH)


def abstract_forms(abstract: str) -> tuple[str, str, str]:
    """An abstract's HTML (MathML), plain text (TeX as written) and meta description (math as
    Unicode), from its one Markdown pass."""
    converted = convert_markdown(abstract)
    return converted.with_math(), converted.text(), description(converted)


@lru_cache(maxsize=8192)
def plain_title(title: str) -> str:
    """A paper's title as plain text, the ONE form every markup-less place shows: feed titles,
    the page's <title> and og:title, search results. `Sub-quadratic $\\mathcal{O}(n \\log n)$
    Attention` -> `Sub-quadratic 𝒪(n log n) Attention`."""
    return readable_text(title, inline=True)


def title_text(paper: Paper) -> str:
    """A paper's title as plain text: the markup stage's (made once, kept in the markup cache),
    or made now for a paper without its markup."""
    return paper.title_text or plain_title(paper.title)
