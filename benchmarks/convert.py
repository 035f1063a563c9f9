#!/usr/bin/env python3
"""Convert a paperfeed corpus (``gen_corpus.py`` output) to a Hugo site and a
Pelican site with equivalent hand-made templates, for the benchmark.

    python benchmarks/convert.py hugo    --corpus DIR --out HUGO_SITE
    python benchmarks/convert.py pelican --corpus DIR --out PELICAN_SITE

The skeletons live in ``benchmarks/hugo/`` (config, layouts) and
``benchmarks/pelican/`` (pelicanconf.py, theme, a Markdown math extension);
this script copies them and writes one Markdown file per paper.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_records(corpus: Path) -> list[dict]:
    """All records of a paperfeed site (one record or a list per file)."""
    records: list[dict] = []
    for path in sorted((corpus / "content").rglob("*.yaml")):
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=Loader)
        records.extend(data if isinstance(data, list) else [data])
    return records


def _names(rec: dict) -> list[str]:
    return [a["name"] if isinstance(a, dict) else str(a) for a in rec.get("authors") or []]


def _day(rec: dict) -> dt.date:
    return rec.get("date") or rec["published"]


def _q(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _copy_skeleton(src: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(src, out, ignore=shutil.ignore_patterns("__pycache__"))


def to_hugo(corpus: Path, out: Path) -> int:
    """Hugo site: content/papers/<id>.md with YAML front matter; taxonomies
    tags, authors, orgs and days (the featured day, one term per day)."""
    records = load_records(corpus)
    _copy_skeleton(HERE / "hugo", out)
    papers = out / "content" / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    for rec in records:
        pid = str(rec["id"])
        day = _day(rec)
        fm = [
            "---",
            f"title: {_q(rec['title'])}",
            f"date: {day.isoformat()}",
            f"slug: {_q(pid.replace('/', '-'))}",
            f"paper_id: {_q(pid)}",
        ]
        if rec.get("published"):
            fm.append(f"paper_published: {rec['published'].isoformat()}")
        fm.append(f"upvotes: {int(rec.get('upvotes', 0))}")
        fm.append(f"authors: {_q(_names(rec))}")
        fm.append(f"tags: {_q(list(rec.get('tags') or []))}")
        if rec.get("organization"):
            fm.append(f"orgs: {_q([rec['organization']])}")
        fm.append(f"days: {_q([day.isoformat()])}")
        if rec.get("thumbnail"):
            fm.append(f"thumbnail: {_q(rec['thumbnail'])}")
        if rec.get("links"):
            fm.append(f"links: {_q(dict(rec['links']))}")
        fm.append("---")
        text = "\n".join(fm) + "\n" + rec["abstract"].rstrip() + "\n"
        (papers / f"{pid.replace('/', '-')}.md").write_text(text, encoding="utf-8")
    return len(records)


def to_pelican(corpus: Path, out: Path) -> int:
    """Pelican site: content/<YYYY>/<id>.md with Markdown metadata; the
    category is the featured day, tags and authors are Pelican's own."""
    records = load_records(corpus)
    _copy_skeleton(HERE / "pelican", out)
    content = out / "content"
    for rec in records:
        pid = str(rec["id"])
        day = _day(rec)
        meta = {
            "Title": rec["title"],
            "Date": day.isoformat(),
            "Slug": pid.replace("/", "-"),
            "Category": day.isoformat(),
            "Paperid": pid,
        }
        if _names(rec):
            meta["Authors"] = ", ".join(_names(rec))
        if rec.get("tags"):
            meta["Tags"] = ", ".join(rec["tags"])
        if rec.get("organization"):
            meta["Organization"] = rec["organization"]
        if rec.get("published"):
            meta["Published"] = rec["published"].isoformat()
        meta["Upvotes"] = str(int(rec.get("upvotes", 0)))
        if rec.get("thumbnail"):
            meta["Thumbnail"] = rec["thumbnail"]
        for name, url in (rec.get("links") or {}).items():
            meta[f"Link_{name}"] = url
        text = "".join(f"{k}: {v}\n" for k, v in meta.items())
        text += "\n" + rec["abstract"].rstrip() + "\n"
        d = content / f"{day.year:04d}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{pid.replace('/', '-')}.md").write_text(text, encoding="utf-8")
    return len(records)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("target", choices=["hugo", "pelican"])
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    n = (to_hugo if a.target == "hugo" else to_pelican)(a.corpus, a.out)
    print(f"wrote {n} papers to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
