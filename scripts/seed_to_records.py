"""Convert the captured Hugging Face "Daily Papers" page into the sample records.

    python scripts/seed_to_records.py [--seed FILE] [--content-dir DIR]

Reads the text capture of the page for Dec 8, 2025 and (re)writes one YAML record per
paper card in content/2025/12/08/, removing record files there that it no longer
produces. Deterministic: rerunning on the same capture changes nothing.

A card in the capture is, one block per line (blank lines between):

    <title>
    <abstract>                      (as shown: may be cut)
      • 4 authors                   (or the organisation: "tencent Tencent")
    ·
    Oct 30                          (or "May 18, 2022"; "Nov 25 2" = 2 upvotes)

The last three lines may all be missing (one card in the capture has neither).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recordfiles import ROOT, write_records

FEATURED_DAY = dt.date(2025, 12, 8)
DEFAULT_SEED = Path(__file__).resolve().parent.parent / "tests" / "data" / "seed" / "daily-papers-page.txt"
ID_MAX_CHARS = 60

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_DATE_LINE = re.compile(
    r"(?P<month>[A-Z][a-z]{2}) (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?(?: (?P<upvotes>\d+))?"
)
_AUTHORS_LINE = re.compile(r"•\s*(?P<count>\d+) authors?")
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Line:
    """A non-blank line of the capture and its 1-based line number."""

    number: int
    text: str


class CaptureError(ValueError):
    """The capture does not have the expected shape; the message names the line."""


def parse_capture(text: str, featured_day: dt.date) -> list[dict[str, Any]]:
    """Return one record per paper card of the capture, in page order."""
    lines = [Line(n, t.strip()) for n, t in enumerate(text.splitlines(), 1) if t.strip()]
    start = _first_card(lines, featured_day)
    records: list[dict[str, Any]] = []
    index = start
    while index < len(lines):
        record, index = _parse_card(lines, index, featured_day)
        records.append(record)
    return _with_ids(records)


def _first_card(lines: list[Line], featured_day: dt.date) -> int:
    """Skip the navigation head; the cards start after the day heading ("Dec 8")."""
    heading = f"{featured_day:%b} {featured_day.day}"
    for index, line in enumerate(lines):
        if line.text == heading:
            return index + 1
    raise CaptureError(f"no day heading {heading!r} in the capture")


def _parse_card(
    lines: list[Line], index: int, featured_day: dt.date
) -> tuple[dict[str, Any], int]:
    """Parse the card at `index`; return its record and the index of the next card."""
    if index + 1 >= len(lines):
        raise CaptureError(f"line {lines[index].number}: a title with no abstract")
    title, abstract = lines[index], lines[index + 1]
    for line in (title, abstract):
        if _DATE_LINE.fullmatch(line.text) or _AUTHORS_LINE.fullmatch(line.text) \
                or line.text == "·":
            raise CaptureError(f"line {line.number}: expected a title or abstract, "
                               f"got {line.text!r}")
    record: dict[str, Any] = {"title": title.text}
    has_meta = index + 3 < len(lines) and lines[index + 3].text == "·"
    if has_meta:
        record.update(_byline(lines[index + 2].text))
    record["abstract"] = abstract.text
    if has_meta:
        if index + 4 >= len(lines):
            raise CaptureError(f"line {lines[index + 3].number}: no date after '·'")
        published, upvotes = _date_line(lines[index + 4], featured_day)
        record["published"] = published
    else:
        upvotes = 0
    record["date"] = featured_day
    record["upvotes"] = upvotes
    links = _links(abstract.text)
    if links:
        record["links"] = links
    return record, index + (5 if has_meta else 2)


def _byline(text: str) -> dict[str, Any]:
    """`• 4 authors` -> author_count; anything else names the organisation."""
    match = _AUTHORS_LINE.fullmatch(text)
    if match:
        return {"author_count": int(match["count"])}
    # The card shows the organisation's handle, then its name: "tencent Tencent".
    handle, _, name = text.partition(" ")
    return {"organization": name.strip() or handle}


def _date_line(line: Line, featured_day: dt.date) -> tuple[dt.date, int]:
    """`Oct 30` / `May 18, 2022` / `Nov 25 2` -> (date, upvotes)."""
    match = _DATE_LINE.fullmatch(line.text)
    if not match or match["month"] not in _MONTHS:
        raise CaptureError(f"line {line.number}: expected a date like 'Oct 30' or "
                           f"'May 18, 2022', got {line.text!r}")
    month, day = _MONTHS[match["month"]], int(match["day"])
    if match["year"]:
        published = dt.date(int(match["year"]), month, day)
    else:
        # The page omits the year for dates in the current year, never in the future.
        published = dt.date(featured_day.year, month, day)
        if published > featured_day:
            published = published.replace(year=featured_day.year - 1)
    return published, int(match["upvotes"] or 0)


def _links(abstract: str) -> dict[str, str]:
    """URLs in the abstract: github.com -> code, YouTube -> video, others -> project."""
    links: dict[str, str] = {}
    for raw in _URL.findall(abstract):
        url = _trim_url(raw)
        host = url.split("/")[2].lower()
        if host in ("github.com", "www.github.com"):
            kind = "code"
        elif host in ("youtu.be", "youtube.com", "www.youtube.com"):
            kind = "video"
        else:
            kind = "project"
        name, n = kind, 1
        while name in links and links[name] != url:
            n += 1
            name = f"{kind}-{n}"
        links[name] = url
    return links


def _trim_url(url: str) -> str:
    """Drop sentence punctuation after a URL; keep a `)` that closes a `(` in it."""
    while url and url[-1] in ".,;:!?)]}":
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def slugify(title: str, max_chars: int = ID_MAX_CHARS) -> str:
    """Lowercase ASCII words joined by `-`, cut at a word boundary to `max_chars`."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_chars and slug:
            break
        slug = candidate
    return slug[:max_chars] or "paper"


def _with_ids(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Prepend a unique title slug as `id` to each record (page order decides ties)."""
    seen: set[str] = set()
    result = []
    for record in records:
        base = slugify(record["title"])
        slug, n = base, 1
        while slug in seen:
            n += 1
            slug = f"{base}-{n}"
        seen.add(slug)
        result.append({"id": slug, **record})
    return result


def main(argv: list[str] | None = None) -> int:
    """Regenerate the featured day's directory from the capture."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    parser.add_argument("--content-dir", type=Path, default=ROOT / "content")
    args = parser.parse_args(argv)
    try:
        records = parse_capture(args.seed.read_text("utf-8"), FEATURED_DAY)
    except (OSError, CaptureError) as exc:
        print(f"{args.seed}: {exc}", file=sys.stderr)
        return 1
    written = set(write_records(records, args.content_dir))
    day_dir = args.content_dir / f"{FEATURED_DAY:%Y/%m/%d}"
    for stale in sorted(set(day_dir.glob("*.yaml")) - written):
        stale.unlink()
        print(f"removed {stale}")
    print(f"{len(records)} records for {FEATURED_DAY} in {day_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
