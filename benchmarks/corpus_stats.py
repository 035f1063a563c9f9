#!/usr/bin/env python3
"""Print the long-tail statistics of a site's records, next to the real ones of issue 11.

    python benchmarks/corpus_stats.py SITE_DIR [--markdown]

SITE_DIR is a site folder (its ``content/``) or a content folder. Terms are
counted as paperfeed identifies them (NFKC, case-folded). The "real" column
holds the figures measured on 9,877 real Hugging Face Daily Papers records,
scaled to the corpus size for counts (shares and per-paper figures are not
scaled); "ratio" is this corpus over that target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _table import markdown_table, text_table  # noqa: E402
from realistic import REAL_PAPERS, fold  # noqa: E402

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# name -> (real value, scaled with N?)
REAL = {
    "papers": (9877, True),
    "distinct authors": (41305, True),
    "authors on >= 2 papers": (16737, True),
    "authors on >= 3 papers": (9779, True),
    "authors on >= 5 papers": (4640, True),
    "authors on >= 10 papers": (1383, True),
    "authors per paper, median": (7, False),
    "authors per paper, p90": (16, False),
    "authors per paper, max": (664, False),
    "distinct keywords (tags)": (42804, True),
    "keywords on >= 2 papers": (5568, True),
    "keywords on >= 3 papers": (2719, True),
    "keywords on >= 5 papers": (1246, True),
    "keywords on >= 10 papers": (478, True),
    "distinct organisations": (764, True),
    "organisations on >= 2 papers": (381, True),
    "abstract length, mean chars": (1395, False),
}


def load(content: Path) -> list[dict]:
    recs = []
    for path in sorted(content.rglob("*.yaml")):
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=Loader)
        if isinstance(data, dict):
            recs.append(data)
    return recs


def _pct(values: list[int], q: float) -> float:
    if not values:
        return 0
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def _names(value) -> list[str]:
    out = []
    for a in value or []:
        name = a.get("name") if isinstance(a, dict) else a
        if isinstance(name, str) and name.strip():
            out.append(fold(name))
    return list(dict.fromkeys(out))


def stats(recs: list[dict]) -> dict[str, float]:
    n = len(recs)
    authors: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    orgs: Counter[str] = Counter()
    per_paper, kw_per_paper, abstracts, votes = [], [], [], []
    days: Counter = Counter()
    for r in recs:
        names = _names(r.get("authors"))
        authors.update(names)
        per_paper.append(len(names))
        kws = list(dict.fromkeys(fold(t) for t in r.get("tags") or [] if str(t).strip()))
        tags.update(kws)
        kw_per_paper.append(len(kws))
        if r.get("organization"):
            orgs[fold(r["organization"])] += 1
        abstracts.append(len(r.get("abstract") or ""))
        votes.append(int(r.get("upvotes") or 0))
        if r.get("date"):
            days[r["date"]] += 1
    out: dict[str, float] = {"papers": n}

    def tail(prefix: str, c: Counter, ks=(2, 3, 5, 10)) -> None:
        for k in ks:
            out[f"{prefix} on >= {k} papers"] = sum(v >= k for v in c.values())

    out["distinct authors"] = len(authors)
    tail("authors", authors)
    out["authors per paper, median"] = statistics.median(per_paper) if per_paper else 0
    out["authors per paper, p90"] = _pct(per_paper, 0.9)
    out["authors per paper, max"] = max(per_paper, default=0)
    out["papers of the busiest author"] = max(authors.values(), default=0)
    out["distinct keywords (tags)"] = len(tags)
    tail("keywords", tags)
    with_kw = [k for k in kw_per_paper if k]
    out["papers with keywords, share"] = len(with_kw) / n if n else 0
    out["keywords per paper with any, mean"] = statistics.mean(with_kw) if with_kw else 0
    out["papers of the most used keyword"] = max(tags.values(), default=0)
    out["distinct organisations"] = len(orgs)
    tail("organisations", orgs, (2,))
    out["papers with an organisation, share"] = sum(orgs.values()) / n if n else 0
    out["abstract length, mean chars"] = statistics.mean(abstracts) if abstracts else 0
    weekdays = [c for d, c in days.items() if hasattr(d, "weekday") and d.weekday() < 5]
    weekend = [c for d, c in days.items() if hasattr(d, "weekday") and d.weekday() >= 5]
    out["featured days"] = len(days)
    out["weekend days featured"] = len(weekend)
    out["papers per weekday, mean"] = statistics.mean(weekdays) if weekdays else 0
    out["papers per weekday, min"] = min(weekdays, default=0)
    out["papers per weekday, max"] = max(weekdays, default=0)
    out["upvotes, median"] = statistics.median(votes) if votes else 0
    out["upvotes, p90"] = _pct(votes, 0.9)
    out["upvotes, p99"] = _pct(votes, 0.99)
    out["upvotes, max"] = max(votes, default=0)
    return out


def rows(st: dict[str, float]) -> list[tuple[str, str, str, str]]:
    """(statistic, this corpus, real target scaled to its size, ratio)."""
    f = st["papers"] / REAL_PAPERS if st["papers"] else 0
    out = []
    for name, value in st.items():
        shown = f"{value:.2f}" if isinstance(value, float) and value < 10 and value != int(value) \
            else f"{value:,.0f}"
        target = ratio = ""
        if name in REAL and name != "papers":
            real, scale = REAL[name]
            t = real * f if scale else real
            target = f"{t:,.0f}"
            ratio = f"{value / t:.2f}" if t else ""
        elif name == "papers":
            target = f"{REAL_PAPERS:,} (real)"
        out.append((name, shown, target, ratio))
    return out


def render(st: dict[str, float], markdown: bool) -> str:
    if markdown:
        lines = markdown_table(["statistic", "this corpus", "real, scaled to N", "ratio"], rows(st), "lrrr")
    else:
        lines = text_table(["statistic", "this corpus", "real (scaled)", "ratio"], rows(st),
                           ["40s", ">12s", ">16s", ">6s"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("site", type=Path, help="site folder (or its content/ folder)")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    a = p.parse_args(argv)
    content = a.site / "content" if (a.site / "content").is_dir() else a.site
    if not content.is_dir():
        p.error(f"{content}: not a folder")
    print(render(stats(load(content)), a.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
