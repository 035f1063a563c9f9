"""The benchmark's report: medians, ratios against the issues' targets, the Markdown section.

run.py measures and calls :func:`summarise_results`, :func:`print_table` and :func:`render`;
results_md.py puts the rendered section into RESULTS.md.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

import corpus_stats
import serve_latency
import weigh

# name, tool, label: the order of the table
MEASURES = [
    ("pf_cold", "paperfeed", "cold build (no cache, empty output)"),
    ("pf_ci", "paperfeed", "CI-like rebuild (fresh clone, cache restored)"),
    ("pf_nochange", "paperfeed", "no-change rebuild"),
    ("pf_edit_record", "paperfeed", "rebuild after editing one record"),
    ("pf_edit_template", "paperfeed", "rebuild after editing one template"),
    ("hugo_plain", "hugo", "plain site: build (empty destination, no cache)"),
    ("hugo_plain_rebuild", "hugo", "plain site: rebuild (existing destination and cache)"),
    ("hugo_cold", "hugo", "math+related site: build (empty destination, no cache)"),
    ("hugo_rebuild", "hugo", "math+related site: rebuild (existing destination and cache)"),
    ("hugo_lite", "hugo", "lite site: build (older runs' --hugo-lite)"),
    ("pelican_nocache", "pelican", "build without content cache"),
    ("pelican_cached", "pelican", "build with content cache (warm)"),
]
SERVE_LABEL = "serve: save of one record -> the page shows it"

RENDERS = """What each side renders (so that the ratios compare like with like):

- paperfeed (its default theme and config): a page per paper (abstract with math as MathML
  rendered at build time, up to 5 related papers, BibTeX, citation meta, JSON-LD); cards on
  paginated day, week, month, tag, author and organisation pages; home, trending, archive;
  the Pagefind search index; RSS, Atom and JSON feeds for the site and the digest, RSS per
  tag/author/organisation above their thresholds; OPML, sitemap, the static API.
- Hugo, plain site (`hugo/plain.toml`, the site of issue 14's targets): a page per paper
  (formulas left as `$...$` text, no related papers); cards on paginated day, tag and author
  pages (30 a page); term indexes; home; the site RSS and per-tag RSS (50 newest, full
  abstracts). No math, no related papers, no organisation pages, no search.
- Hugo, math+related site (`hugo/hugo.toml`): the plain site plus math rendered to MathML
  at build time (`transform.ToMath`), 5 related papers per paper (`.Related` on tags) and
  organisation pages and feeds. No search.
- Pelican: paper pages with MathML (latex2mathml), paginated day (category), tag and author
  pages, the site and per-tag RSS; no related papers, no organisations, no search."""


def summary(samples: list[dict]) -> dict:
    walls = [s["wall"] for s in samples]
    return {
        "median": statistics.median(walls),
        "min": min(walls),
        "max": max(walls),
        "cpu": statistics.median(s["user"] + s["sys"] for s in samples),
        "rss_mb": max(s["max_rss_kb"] for s in samples) / 1024,
        "tree_mb": max(s["tree_rss_kb"] for s in samples) / 1024,
        "runs": len(walls),
    }


def summarise_results(results: dict) -> None:
    """Add each size's summary (and its serve summary) to the results, in place."""
    for size in results["sizes"]:
        size["summary"] = {k: summary(v) for k, v in size["samples"].items()}
        if size.get("serve"):
            size["serve_summary"] = serve_latency.summarise(size["serve"])


def fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.2f}" if x < 100 else f"{x:.1f}"


def fmt_bytes(b: int) -> str:
    return f"{b / 1e6:.1f} MB" if b >= 100_000 else f"{b / 1e3:.1f} KB"


Row = tuple[str, str, str, str, str, str]  # measure, wall ratio, CPU ratio, target, issue, verdict


def ratio_rows(size: dict, by_n: dict) -> list[Row]:
    """The ratio rows of one N; a verdict is on the wall-clock ratio of the medians."""
    s = size["summary"]
    rows: list[Row] = []

    def fmt(v: float | None) -> str:
        return "" if v is None else f"{v:.3f}" if v < 10 else f"{v:.1f}"

    def add(label: str, a: str, b: str, target: str = "", issue: str = "",
            ok: Callable[[float], bool] | None = None, den: dict | None = None) -> None:
        den = den or s
        if a not in s or b not in den:
            return
        wall = s[a]["median"] / den[b]["median"]
        cpu = s[a]["cpu"] / den[b]["cpu"] if den[b]["cpu"] > 0 else None
        verdict = "" if ok is None else ("met" if ok(wall) else "NOT met")
        rows.append((label, fmt(wall), fmt(cpu), target, issue, verdict))

    def add_value(label: str, value: float, target: str, issue: str, ok, digits: int = 0) -> None:
        rows.append((label, f"{value:.{digits}f}", "", target, issue, "met" if ok(value) else "NOT met"))

    plain = "Hugo plain build"
    add(f"paperfeed cold / {plain}", "pf_cold", "hugo_plain", "<= 0.8", "14", lambda v: v <= 0.8)
    add(f"paperfeed no-change / {plain}", "pf_nochange", "hugo_plain", "<= 0.02", "14",
        lambda v: v <= 0.02)
    add(f"paperfeed one-record edit / {plain}", "pf_edit_record", "hugo_plain", "<= 0.05", "14",
        lambda v: v <= 0.05)
    add(f"paperfeed one-template edit / {plain}", "pf_edit_template", "hugo_plain", "<= 0.3", "14",
        lambda v: v <= 0.3)
    add("paperfeed no-change / Hugo plain rebuild", "pf_nochange", "hugo_plain_rebuild")
    full = "Hugo math+related build"
    add(f"paperfeed cold / {full}", "pf_cold", "hugo_cold", "< 1.0", "5", lambda v: v < 1.0)
    add(f"paperfeed no-change / {full}", "pf_nochange", "hugo_cold", "< 0.05", "5", lambda v: v < 0.05)
    add(f"paperfeed one-record edit / {full}", "pf_edit_record", "hugo_cold", "< 0.10", "5",
        lambda v: v < 0.10)
    add(f"paperfeed one-template edit / {full}", "pf_edit_template", "hugo_cold")
    add("paperfeed no-change / Hugo math+related rebuild", "pf_nochange", "hugo_rebuild")
    add("paperfeed cold / Hugo lite build", "pf_cold", "hugo_lite")
    add("Pelican (no cache) / paperfeed cold", "pelican_nocache", "pf_cold", ">= 10", "5",
        lambda v: v >= 10)
    add("Pelican (cache) / paperfeed cold", "pelican_cached", "pf_cold")
    add("paperfeed CI-like rebuild / paperfeed cold", "pf_ci", "pf_cold", "<= 0.25", "11",
        lambda v: v <= 0.25)
    n = size["n"]
    serve = size.get("serve_summary")
    if serve:
        add_value(f"paperfeed serve, save -> page shows it, median of {serve['runs']} (s)",
                  serve["median"], "<= 1", "14", lambda v: v <= 1.0, digits=3)
    pf = [m for m in s if m.startswith("pf_")]
    if pf:
        cap = 1500 if n >= 100_000 else 300
        add_value("paperfeed peak RSS, largest process (MB)", max(s[m]["rss_mb"] for m in pf),
                  f"<= {cap}", "14", lambda v: v <= cap)
        add_value("paperfeed peak RSS, process tree (MB)", max(s[m]["tree_mb"] for m in pf),
                  f"<= {cap}", "14", lambda v: v <= cap)
    for name, site in (("hugo_plain", "plain"), ("hugo_cold", "math+related")):
        if name in s:
            rows.append((f"Hugo {site} peak RSS (MB)", f"{s[name]['rss_mb']:.0f}", "", "", "", ""))
    if n >= 100_000 and n // 10 in by_n:
        add(f"paperfeed cold {n:,} / {n // 10:,}", "pf_cold", "pf_cold", "<= 11", "5",
            lambda v: v <= 11, den=by_n[n // 10]["summary"])
    return rows


def _measure_rows(size: dict) -> list[str]:
    out = ["| tool | measure | median s | min-max s | CPU s | peak RSS MB | runs |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for name, tool, label in MEASURES:
        if name not in size["summary"]:
            continue
        st = size["summary"][name]
        rss = f"{st['rss_mb']:.0f}"
        if st["tree_mb"] > st["rss_mb"] * 1.05:
            rss += f" ({st['tree_mb']:.0f})"
        out.append(f"| {tool} | {label} | {fmt_s(st['median'])} | "
                   f"{fmt_s(st['min'])}-{fmt_s(st['max'])} | {fmt_s(st['cpu'])} | {rss} | {st['runs']} |")
    sv = size.get("serve_summary")
    if sv:
        out.append(f"| paperfeed | {SERVE_LABEL} | {fmt_s(sv['median'])} | "
                   f"{fmt_s(sv['min'])}-{fmt_s(sv['max'])} |  |  | {sv['runs']} |")
    return out + [""]


def _serve_md(size: dict) -> list[str]:
    sv = size.get("serve_summary")
    if not sv:
        return []
    built = "" if sv["built_median"] is None else (
        f"; the status endpoint reported the rebuild finished after a median {fmt_s(sv['built_median'])} s")
    return [f"`paperfeed serve`: first build {fmt_s(sv['startup'])} s; each save rewrote the title of "
            f"one record of the newest day, timed from the file write to the first answer for "
            f"`{size['serve']['url'].split('/', 3)[-1]}` that contains the new title (polled every "
            f"{size['serve'].get('poll', serve_latency.POLL) * 1000:.0f} ms){built}. Saves, s: "
            + ", ".join(fmt_s(x) for x in size["serve"]["latencies"]) + ".", ""]


def _ratio_md(size: dict, by_n: dict) -> list[str]:
    rows = ratio_rows(size, by_n)
    if not rows:
        return []
    out: list[str] = []
    if size["n"] not in (10_000, 100_000):
        out += [f"The targets are for 10,000 papers (and 100,000); at {size['n']:,} they only give an "
                "orientation.", ""]
    out += ["| ratio of medians | wall clock | CPU time | target (wall clock) | issue | |",
            "|---|---:|---:|---|---|---|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out + [""]


def render(results: dict, level: int = 2) -> str:
    """The run's report as a Markdown section whose heading has `level` #s."""
    h, hh = "#" * level, "#" * (level + 1)
    m = results["machine"]
    kind = results.get("corpus", "synthetic")
    out = [f"{h} {kind.capitalize()} corpus: the last run", "",
           f"Run on {results['started']} with `{results['command']}` ({kind} corpus).", "",
           f"{hh} Machine and versions", "",
           f"- CPU: {m['cpu']}, {m['nproc']} cores (nproc); RAM {m['ram']}; {m['platform']}",
           f"- Load average (1/5/15 min) at start: {results['load_start']}; "
           f"at end: {results['load_end']} (shared machine: read ratios, not absolute times)",
           f"- Python {m['python']}; {m['hugo']}; Pelican {m['pelican']}; "
           f"paperfeed {m['paperfeed']}",
           "", "Wall-clock seconds of whole processes: median (min-max) of the runs; CPU is the "
           "median user+sys time of the process and its children; peak RSS is the largest "
           "single process (getrusage), and in brackets the peak summed RSS of the process "
           "tree sampled every 0.1 s.", ""]
    if any(k.startswith(("hugo", "pelican")) for s in results["sizes"] for k in s["samples"]):
        out += [RENDERS, ""]
    by_n = {s["n"]: s for s in results["sizes"]}
    for size in results["sizes"]:
        out += [f"{hh} {size['n']:,} papers", ""]
        if size["summary"] or size.get("serve_summary"):
            out += _measure_rows(size)
        out += _serve_md(size) + _ratio_md(size, by_n)
        if size["outputs"]:
            out += ["Output of the first cold build of each tool:", ""]
            for tool, c in size["outputs"].items():
                out.append(f"- {tool}: {c['files']:,} files ({c['html']:,} HTML, "
                           f"{c['xml']:,} XML), {c['bytes'] / 1e6:.1f} MB")
            out.append("")
        if "verify" in size:
            out += [f"Incremental output (after the record and template edits) vs a cold "
                    f"build of the same content: {size['verify']}.", ""]
        out += _weight_md(size)
        out += [f"- Note: {note.splitlines()[0]}" for note in size["notes"]]
        if size["notes"]:
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _ci_verdict(size: dict) -> str:
    v = size.get("ci_verify") or []
    if not v:
        return ""
    return v[0] if len(set(v)) == 1 else "; ".join(f"round {i + 1}: {x}" for i, x in enumerate(v))


def _weight_md(size: dict) -> list[str]:
    out: list[str] = []
    if size.get("corpus_stats"):
        out += ["The realistic corpus against the real figures of issue 11 (`corpus_stats.py`):",
                "", corpus_stats.render(size["corpus_stats"], markdown=True), ""]
    if size.get("ci_verify"):
        out += [f"CI-like rebuild output vs the cold build's (every round): {_ci_verdict(size)}.", ""]
    if "weight" in size:
        out += [f"Weight of paperfeed's cold-build output ({size['n']:,} papers; the targets "
                "of issue 11 are for the realistic 10,000-paper corpus):", "",
                weigh.markdown(size["weight"]), ""]
    c = size.get("cache")
    if c:
        out += [f"`.paperfeed-cache` after the cold build: {c['bytes'] / 1e6:.1f} MB "
                f"(`tar | gzip -1`: {c['gzip_bytes'] / 1e6:.1f} MB, a proxy for what "
                "actions/cache uploads); it holds: "
                + ", ".join(f"`{e['name']}` {fmt_bytes(e['bytes'])}" for e in c["entries"])
                + ".", ""]
    return out


def print_table(results: dict) -> None:
    """The report as plain text on stdout."""
    for size in results["sizes"]:
        print(f"\nN = {size['n']:,}")
        print(f"  {'measure':66s} {'median s':>9s} {'min-max s':>17s} {'cpu s':>8s} "
              f"{'rss MB':>7s} {'tree MB':>8s}")
        for name, tool, label in MEASURES:
            st = size["summary"].get(name)
            if st:
                print(f"  {tool + ': ' + label:66s} {fmt_s(st['median']):>9s} "
                      f"{fmt_s(st['min']) + '-' + fmt_s(st['max']):>17s} {fmt_s(st['cpu']):>8s} "
                      f"{st['rss_mb']:7.0f} {st['tree_mb']:8.0f}")
        sv = size.get("serve_summary")
        if sv:
            print(f"  {'paperfeed: ' + SERVE_LABEL:66s} {fmt_s(sv['median']):>9s} "
                  f"{fmt_s(sv['min']) + '-' + fmt_s(sv['max']):>17s}")
        rows = ratio_rows(size, {s["n"]: s for s in results["sizes"]})
        if rows:
            print(f"  {'ratio of medians':66s} {'wall':>9s} {'cpu':>9s}")
        for a, b, c, d, issue, e in rows:
            target = f"target {d} (#{issue})" if d else ""
            print(f"  {a:66s} {b:>9s} {c:>9s}  {target:20s} {e}")
        if size.get("ci_verify"):
            print(f"  CI-like rebuild output vs cold build: {_ci_verdict(size)}")
        if "weight" in size:
            print("  weight of the paperfeed cold build:")
            print(weigh.text(size["weight"]))
        c = size.get("cache")
        if c:
            print(f"  .paperfeed-cache: {c['bytes'] / 1e6:.1f} MB, tar | gzip -1 "
                  f"{c['gzip_bytes'] / 1e6:.1f} MB: "
                  + ", ".join(f"{e['name']} {fmt_bytes(e['bytes'])}" for e in c["entries"]))
        for note in size["notes"]:
            print(f"  note: {note.splitlines()[0]}")
