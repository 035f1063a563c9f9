"""LaTeX text -> Unicode, with math kept as `$...$` for the markup stage to render.

BibTeX fields and arXiv metadata are written in LaTeX: accents (`{\\"u}`, `\\'e`),
protective braces (`{GPT}`), escapes (`\\&`, `\\%`) and commands (`\\emph{...}`).
Records hold plain Unicode text, except math, which the site renders as MathML:
pylatexenc's `math_mode="verbatim"` leaves every formula exactly as written.
"""

from __future__ import annotations

import re

from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

_CONVERTER = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=False)
# \( \) and \[ \] are the LaTeX spellings of $ and $$; the site only knows the latter.
_PAREN_MATH = re.compile(r"\\\((.+?)\\\)", re.DOTALL)
_BRACKET_MATH = re.compile(r"\\\[(.+?)\\\]", re.DOTALL)
# Logos pylatexenc drops instead of spelling out.
_LOGOS = re.compile(r"\\(LaTeX|TeX|BibTeX|LaTeXe)\b(?:\{\})?")
_DISPLAY_MATH = re.compile(r"[ \t]*\n?[ \t]*(\$\$.+?\$\$)[ \t]*\n?[ \t]*", re.DOTALL)


def latex_to_text(source: str) -> str:
    """Decode LaTeX markup to Unicode text; `$...$` and `$$...$$` math stays verbatim.

    Paragraph breaks (blank lines) are kept; other whitespace is left for the
    caller to collapse (titles and names are one line, abstracts are Markdown).
    """
    text = _LOGOS.sub(lambda m: m.group(1).replace("LaTeXe", "LaTeX2e"), source)
    text = _PAREN_MATH.sub(lambda m: f"${m.group(1).strip()}$", text)
    text = _BRACKET_MATH.sub(lambda m: f"$${m.group(1).strip()}$$", text)
    try:
        decoded = _CONVERTER.latex_to_text(text)
    except Exception:  # noqa: BLE001 - pylatexenc raises assorted errors; keep the text as written
        decoded = text
    # pylatexenc sets display math on lines of its own; in a record it stays inline.
    decoded = _DISPLAY_MATH.sub(lambda m: f" {m.group(1)} ", decoded)
    return decoded.replace("\xa0", " ")


def one_line(text: str) -> str:
    """Collapse every run of whitespace (hard wraps included) to one space."""
    return " ".join(text.split())


def paragraphs(text: str) -> str:
    """Hard-wrapped text -> one line per paragraph, paragraphs separated by a blank line."""
    parts = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(one_line(part) for part in parts if part.strip())
