"""RESULTS.md by sections: a run rewrites the section of its corpus kind and keeps the rest.

The runner owns what lies between a pair of markers::

    <!-- run.py: synthetic -->
    ...the report of the last synthetic run...
    <!-- run.py: end synthetic -->

Everything else in the file (the title, hand-written notes, older results, the sections of
other corpus kinds) is kept byte for byte. A kind without a section yet gets one inserted
before the first ``## `` heading or section (newest first), or at the end of a file without
either.
"""

from __future__ import annotations

import re

TITLE = "# paperfeed build benchmark: results"


def begin_marker(kind: str) -> str:
    return f"<!-- run.py: {kind} -->"


def end_marker(kind: str) -> str:
    return f"<!-- run.py: end {kind} -->"


def merge_section(existing: str | None, kind: str, body: str) -> str:
    """The file's new text: `body` (the run's report) in `kind`'s section of `existing`."""
    block = f"{begin_marker(kind)}\n{body.strip()}\n{end_marker(kind)}\n"
    if not existing or not existing.strip():
        return f"{TITLE}\n\n{block}"
    span = _section_span(existing, kind)
    if span is not None:
        start, end = span
        return existing[:start] + block + existing[end:]
    heading = re.search(r"^(## |<!-- run\.py: )", existing, re.M)
    if heading is None:
        return existing.rstrip("\n") + "\n\n" + block
    at = heading.start()
    return existing[:at] + block + "\n" + existing[at:]


def _section_span(text: str, kind: str) -> tuple[int, int] | None:
    """Where `kind`'s block lies (from its begin marker to past its end marker's line)."""
    begin = text.find(begin_marker(kind))
    if begin < 0:
        return None
    end = text.find(end_marker(kind), begin)
    if end < 0:
        raise ValueError(f"RESULTS.md: {begin_marker(kind)} has no {end_marker(kind)}")
    end += len(end_marker(kind))
    if text.startswith("\n", end):
        end += 1
    return begin, end


def sections(text: str) -> dict[str, str]:
    """The runner-owned sections of a file, by kind, without their markers."""
    found = {}
    for m in re.finditer(r"^<!-- run\.py: (?!end )([\w-]+) -->\n", text, re.M):
        kind = m[1]
        span = _section_span(text, kind)
        if span is not None:
            found[kind] = text[m.end():span[1]].removesuffix("\n").removesuffix(end_marker(kind)).rstrip("\n")
    return found
