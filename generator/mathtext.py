"""TeX math as readable Unicode text, for places that cannot show MathML.

Mail clients (Gmail, Outlook) drop MathML, and a plain-text part has no markup
at all; raw `$\\mathcal{O}(n^2)$` reads badly in both. So the email digest shows
`𝒪(n²)`: symbols via pylatexenc, simple super/subscripts as Unicode ones, the
rest (`x^(a+b)`) spelled out the way people type math in plain text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

_CONVERTER = LatexNodes2Text(math_mode="text")
_SUPERSCRIPTS = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
                         "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ", strict=True))
_SUBSCRIPTS = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
# ^{...} or _{...} (no nested braces), or ^x / _x with one character.
_SCRIPT = re.compile(r"(?P<op>[\^_])(?:\{(?P<group>[^{}]*)\}|(?P<char>[A-Za-z0-9]))")
_OPERATOR = re.compile("([·×≤≥≠→=+<>])")


def _script(match: re.Match[str]) -> str:
    body = match.group("group") if match.group("group") is not None else match.group("char")
    table = _SUPERSCRIPTS if match.group("op") == "^" else _SUBSCRIPTS
    compact = body.replace(" ", "")
    if compact and all(char in table for char in compact):
        return "".join(table[char] for char in compact)
    return f"{match.group('op')}({body})" if len(compact) > 1 else match.group(0)


@lru_cache(maxsize=4096)
def readable_tex(tex: str) -> str:
    """`\\mathcal{O}(n^2 \\cdot d)` -> `𝒪(n² · d)`; never raises, never returns `$`."""
    text = _SCRIPT.sub(_script, tex)
    try:
        text = _CONVERTER.latex_to_text(text)
    except Exception:  # noqa: BLE001 - pylatexenc raises assorted errors on broken TeX
        text = text.replace("\\", "")  # the source, minus its backslashes, still reads
    # One space each side of an operator: spaces are added, then every run collapsed (the
    # pattern `\s*op\s*` tried each start of a long run of spaces to its end: quadratic).
    text = _OPERATOR.sub(r" \1 ", text)
    return " ".join(text.replace("$", "").split())
