#!/usr/bin/env python3
"""Weigh a built site: bytes and files per top-level section, against issue 11's budget.

    python benchmarks/weigh.py SITE_OUTPUT_DIR [--markdown]

Sections: papers/, authors/, tags/, orgs/, days/, weeks/, months/, pagefind/,
feeds (feeds/ and the feed files at the root: *.xml but sitemap.xml, *.json,
*.opml), static/, and other (everything else). Also the total, the median
paper page (papers/*/index.html), the largest HTML page and how many HTML
pages pass 500 KB. ``weigh(path)`` returns the same as a dict; ``markdown()``
and ``text()`` render it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from _table import markdown_table, text_table

SECTIONS = ["papers", "authors", "tags", "orgs", "days", "weeks", "months", "pagefind",
            "feeds", "static", "other"]
HTML_LIMIT = 500_000
# issue 11's targets for the realistic 10,000-paper corpus
TARGET_BYTES = 300_000_000
TARGET_FILES = 40_000
TARGET_MEDIAN_PAPER = 12_000


def _section(rel: str) -> str:
    top, _, rest = rel.partition("/")
    if rest:
        return top if top in SECTIONS else "other"
    if top == "sitemap.xml":
        return "other"
    return "feeds" if top.endswith((".xml", ".json", ".opml")) else "other"


def weigh(root: Path) -> dict:
    """Bytes and files per section, total, paper page median, largest and oversized HTML pages."""
    root = Path(root)
    sections = {name: {"files": 0, "bytes": 0} for name in SECTIONS}
    paper_pages: list[int] = []
    largest = ("", 0)
    over = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            size = os.stat(path).st_size
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            sec = sections[_section(rel)]
            sec["files"] += 1
            sec["bytes"] += size
            if name.endswith(".html"):
                if size > largest[1] or (size == largest[1] and rel < largest[0]):
                    largest = (rel, size)
                over += size > HTML_LIMIT
                parts = rel.split("/")
                if len(parts) == 3 and parts[0] == "papers" and parts[2] == "index.html":
                    paper_pages.append(size)
    return {
        "sections": sections,
        "files": sum(s["files"] for s in sections.values()),
        "bytes": sum(s["bytes"] for s in sections.values()),
        "paper_pages": len(paper_pages),
        "median_paper_bytes": statistics.median(paper_pages) if paper_pages else 0,
        "largest_html": {"path": largest[0], "bytes": largest[1]},
        "html_over_limit": over,
    }


def checks(w: dict) -> list[tuple[str, str, str, bool]]:
    """(target, measured, limit, met) for issue 11's budget."""
    return [
        ("site size", f"{w['bytes'] / 1e6:,.1f} MB", f"<= {TARGET_BYTES / 1e6:,.0f} MB",
         w["bytes"] <= TARGET_BYTES),
        ("files", f"{w['files']:,}", f"<= {TARGET_FILES:,}", w["files"] <= TARGET_FILES),
        ("median paper page", f"{w['median_paper_bytes'] / 1e3:,.1f} KB",
         f"<= {TARGET_MEDIAN_PAPER / 1e3:.0f} KB", w["median_paper_bytes"] <= TARGET_MEDIAN_PAPER),
        ("HTML pages over 500 KB", f"{w['html_over_limit']:,}", "0", w["html_over_limit"] == 0),
    ]


def _mb(b: int) -> str:
    return f"{b / 1e6:,.1f}"


def markdown(w: dict) -> str:
    rows = []
    for name in SECTIONS:
        s = w["sections"][name]
        label = "feeds (root + feeds/)" if name == "feeds" else (
            "other" if name == "other" else f"{name}/")
        share = s["bytes"] / w["bytes"] if w["bytes"] else 0
        rows.append((label, f"{s['files']:,}", _mb(s["bytes"]), f"{share:.0%}"))
    rows.append(("**total**", f"**{w['files']:,}**", f"**{_mb(w['bytes'])}**", "100%"))
    lines = markdown_table(["section", "files", "MB", "share of bytes"], rows, "lrrr")
    lines += ["", f"Median paper page ({w['paper_pages']:,} pages): "
              f"{w['median_paper_bytes'] / 1e3:,.1f} KB. Largest HTML page: "
              f"`{w['largest_html']['path']}`, {w['largest_html']['bytes'] / 1e3:,.1f} KB. "
              f"HTML pages over 500 KB: {w['html_over_limit']:,}.", ""]
    lines += markdown_table(["target (issue 11, realistic 10,000 papers)", "measured", "limit", ""],
                            [(a, b, c, "met" if ok else "NOT met") for a, b, c, ok in checks(w)], "lrrl")
    return "\n".join(lines)


def text(w: dict) -> str:
    rows = [(name, f"{w['sections'][name]['files']:,}", _mb(w["sections"][name]["bytes"])) for name in SECTIONS]
    rows.append(("total", f"{w['files']:,}", _mb(w["bytes"])))
    lines = text_table(["section", "files", "MB"], rows, ["22s", ">8s", ">10s"], indent="  ")
    lines.append(f"  median paper page {w['median_paper_bytes'] / 1e3:,.1f} KB "
                 f"({w['paper_pages']:,} pages); largest HTML {w['largest_html']['path']} "
                 f"{w['largest_html']['bytes'] / 1e3:,.1f} KB; "
                 f"{w['html_over_limit']:,} HTML pages over 500 KB")
    for a, b, c, ok in checks(w):
        lines.append(f"  target {a:24s} {b:>12s}  {c:12s} {'met' if ok else 'NOT met'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("output", type=Path, help="a built site (the output folder)")
    p.add_argument("--markdown", action="store_true", help="print the Markdown tables only")
    a = p.parse_args(argv)
    if not a.output.is_dir():
        p.error(f"{a.output}: not a folder")
    w = weigh(a.output)
    print(markdown(w) if a.markdown else text(w) + "\n\n" + markdown(w))
    return 0


if __name__ == "__main__":
    sys.exit(main())
