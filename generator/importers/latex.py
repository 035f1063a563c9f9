"""LaTeX text -> Unicode, with math kept as `$...$` for the markup stage to render.

BibTeX fields and arXiv metadata are written in LaTeX: accents (`{\\"u}`, `\\'e`),
protective braces (`{GPT}`), escapes (`\\&`, `\\%`) and commands (`\\emph{...}`).
Records hold plain Unicode text, except math, which the site renders as MathML:
pylatexenc's `math_mode="verbatim"` leaves every formula exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from pylatexenc.latex2text import LatexNodes2Text

_CONVERTER = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=False)
# Logos pylatexenc drops instead of spelling out.
_LOGOS = re.compile(r"\\(LaTeX|TeX|BibTeX|LaTeXe)\b(?:\{\})?")


def _delimited(text: str, opening: str, closing: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each `opening ... closing` (at least one character between, the
    nearest closing), left to right, as the lazy regex `opening(.+?)closing` finds them,
    in linear time: that regex scans to the end from every opening that has no closing
    (quadratic on 10,000 of `\\(`). An opening with no closing after it means none after it
    has one either, so the search stops there."""
    end = 0
    while (start := text.find(opening, end)) >= 0:
        close = text.find(closing, start + len(opening) + 1)
        if close < 0:
            return
        end = close + len(closing)
        yield start, end


def _replace_delimited(text: str, opening: str, closing: str, make: Callable[[str], str],
                       around: Callable[[str, int, int, int], tuple[int, int]] | None = None) -> str:
    """Each `opening body closing` replaced by make(that whole text); `around` may widen a
    span (start, end) to take in what surrounds it, never back over the previous one."""
    out, last = [], 0
    for start, end in _delimited(text, opening, closing):
        if around is not None:
            start, end = around(text, start, end, last)
        out += [text[last:start], make(text[start:end])]
        last = end
    return "".join(out) + text[last:]


def _line_space(text: str, start: int, end: int, floor: int) -> tuple[int, int]:
    """A span widened over the spaces and tabs around it, with at most one line break on each
    side: what `[ \\t]*\\n?[ \\t]*` before and after it took (that pattern was cubic on a long
    run of spaces, trying every split of the run at every start)."""
    def back(i: int) -> int:
        while i > floor and text[i - 1] in " \t":
            i -= 1
        return i

    def forward(i: int) -> int:
        while i < len(text) and text[i] in " \t":
            i += 1
        return i

    start = back(start)
    if start > floor and text[start - 1] == "\n":
        start = back(start - 1)
    end = forward(end)
    if end < len(text) and text[end] == "\n":
        end = forward(end + 1)
    return start, end


def _spaced(math: str) -> str:
    return " " + math.strip(" \t\n") + " "


def latex_to_text(source: str) -> str:
    """Decode LaTeX markup to Unicode text; `$...$` and `$$...$$` math stays verbatim.

    Paragraph breaks (blank lines) are kept; other whitespace is left for the
    caller to collapse (titles and names are one line, abstracts are Markdown).
    """
    text = _LOGOS.sub(lambda m: m.group(1).replace("LaTeXe", "LaTeX2e"), source)
    # \( \) and \[ \] are the LaTeX spellings of $ and $$; the site only knows the latter.
    text = _replace_delimited(text, "\\(", "\\)", lambda math: f"${math[2:-2].strip()}$")
    text = _replace_delimited(text, "\\[", "\\]", lambda math: f"$${math[2:-2].strip()}$$")
    try:
        decoded = _CONVERTER.latex_to_text(text)
    except Exception:  # noqa: BLE001 - pylatexenc raises assorted errors; keep the text as written
        decoded = text
    # pylatexenc sets display math on lines of its own; in a record it stays inline.
    decoded = _replace_delimited(decoded, "$$", "$$", _spaced, _line_space)
    return decoded.replace("\xa0", " ")


def one_line(text: str) -> str:
    """Collapse every run of whitespace (hard wraps included) to one space."""
    return " ".join(text.split())


def paragraphs(text: str) -> str:
    """Hard-wrapped text -> one line per paragraph, paragraphs separated by a blank line."""
    parts = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(one_line(part) for part in parts if part.strip())
