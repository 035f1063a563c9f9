"""Tables for the benchmark scripts' reports: Markdown (RESULTS.md) and aligned plain text (a terminal).

``markdown_table(["a", "b"], rows, "lr")`` gives the header, the alignment row (``l`` left,
``r`` right) and one line per row; ``text_table(["a", "b"], rows, ["20s", ">8s"])`` pads each
cell with its format spec. Cells are strings, formatted by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def _markdown_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str) -> list[str]:
    """A Markdown table's lines; `align` has one letter per column, `l` or `r`."""
    assert len(align) == len(header), (align, header)
    rule = "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"
    return [_markdown_row(header), rule, *(_markdown_row(row) for row in rows)]


def text_table(header: Sequence[str], rows: Iterable[Sequence[str]], formats: Sequence[str],
               indent: str = "") -> list[str]:
    """Plain-text lines, one cell per format spec ("40s" left, ">12s" right), separated by a space."""
    return [indent + " ".join(format(cell, spec) for cell, spec in zip(row, formats, strict=True))
            for row in (header, *rows)]
