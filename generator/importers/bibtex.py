"""BibTeX (and biblatex) entries -> paperfeed record dicts, via bibtexparser.

Field values are LaTeX: accents and escapes become Unicode, protective braces
go, math stays `$...$` (see latex.py). The record id is the entry's arXiv id
when it has one (`eprint`, an arxiv.org URL, or "arXiv:2512.01234" in
`journal`), else its citation key made into a slug. Pure: text in,
(records, problems) out; a problem names the source and the entry's line.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import Entry

from generator.importers.arxiv import arxiv_id_from_url
from generator.importers.latex import latex_to_text, one_line, paragraphs
from generator.model import NEW_ARXIV, OLD_ARXIV

# bibtexparser logs each unparsable block; we report them ourselves, with the line.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

_MONTHS = {name: number for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), 1)}
# The archive name is bounded (the longest is 8 letters): `[a-z-]+` scanned to the end from
# every "arxiv" in a field, quadratic on "arxivarxiv…".
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s]*(?:abs/)?(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]{1,32}(?:\.[A-Z]{2})?/\d{7})",
                            re.IGNORECASE)
_SLUG_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def parse_bibtex(
    text: str, source: str, featured_day: dt.date | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Return one record per BibTeX entry and the problems (`<source>:<line>: ...`).

    The featured `date` is `featured_day` when given, else the publication date
    (year, month and day, or biblatex `date`; a missing month or day counts as 1).
    """
    library = bibtexparser.parse_string(
        text, append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()])
    problems = [f"{source}:{_line(block.start_line)}: could not parse this entry; "
                "check its braces, quotes and commas" for block in library.failed_blocks]
    records = []
    for entry in library.entries:
        record, problem = entry_to_record(entry, featured_day)
        if record is None:
            problems.append(f"{source}:{_line(entry.start_line)}: {entry.key}: {problem}")
        else:
            records.append(record)
    return records, problems


def _line(start: int | None) -> int:
    """bibtexparser counts lines from 0."""
    return (start or 0) + 1


def entry_to_record(entry: Entry, featured_day: dt.date | None) -> tuple[dict[str, Any] | None, str]:
    """One parsed entry -> a record dict in canonical key order, or None and why not."""
    fields = {key.lower(): value for key, value in entry.fields_dict.items()}
    values = {key: field.value for key, field in fields.items()}
    paper_id = _paper_id(entry.key, values)
    if paper_id is None:
        return None, "no arXiv id and a citation key that cannot be a slug"
    title = one_line(latex_to_text(_string(values.get("title"))))
    if not title:
        return None, "title: missing or empty"
    published, problem = _published(values)
    if problem:
        return None, problem
    featured = featured_day or published
    if featured is None:
        return None, "no year or date; give --date to import it"
    record: dict[str, Any] = {
        "id": paper_id,
        "title": title,
        "authors": _authors(values.get("author")),
        "abstract": paragraphs(latex_to_text(_string(values.get("abstract")))),
        "published": published,
        "date": featured,
        "tags": _keywords(_string(values.get("keywords"))),
        "links": _links(values, paper_id),
    }
    return {k: v for k, v in record.items() if v not in (None, [], {}) or k == "abstract"}, ""


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _paper_id(key: str, values: dict[str, Any]) -> str | None:
    """The arXiv id if the entry names one, else the citation key as a slug."""
    eprint = _string(values.get("eprint")).strip()
    eprint = re.sub(r"(?i)^arxiv:\s*", "", eprint)
    if eprint and (NEW_ARXIV.fullmatch(eprint) or OLD_ARXIV.fullmatch(eprint)):
        return eprint
    url_id = arxiv_id_from_url(_string(values.get("url")))
    if url_id:
        return url_id
    for name in ("journal", "note", "howpublished"):
        match = _ARXIV_IN_TEXT.search(_string(values.get(name)))
        if match:
            return match.group(1)
    slug = _SLUG_CHARS.sub("-", key).strip("-.")
    return slug or None


def _authors(value: Any) -> list[str]:
    """Name parts -> "First von Last, Jr" with LaTeX decoded; "and others" dropped."""
    if not isinstance(value, list):
        return []
    names = []
    for parts in value:
        if isinstance(parts, str):
            text = parts
        else:
            text = " ".join([*parts.first, *parts.von, *parts.last])
            text += ", " + " ".join(parts.jr) if parts.jr else ""
        name = one_line(latex_to_text(text))
        if name and name.lower() != "others":
            names.append(name)
    return names


def _published(values: dict[str, Any]) -> tuple[dt.date | None, str]:
    """biblatex `date` (YYYY, YYYY-MM or YYYY-MM-DD) or BibTeX year/month/day, or why not.

    A missing month or day counts as 1; one that is there but is no month or day is an
    error: `month = {13}` must not become January without a word.
    """
    raw_date = _string(values.get("date")).strip()
    date_field = re.match(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", raw_date)
    if date_field:
        year, month, day = (int(part) if part else 1 for part in date_field.groups())
        try:
            return dt.date(year, month, day), ""
        except ValueError:
            return None, f"date: expected YYYY, YYYY-MM or YYYY-MM-DD, got {raw_date!r}"
    year_match = re.search(r"\d{4}", _string(values.get("year")))
    if not year_match:
        return None, ""
    month_text = _string(values.get("month")).strip()
    month_number = _month(month_text) if month_text else 1
    if month_number is None:
        return None, f"month: expected 1 to 12 or a month name (jan, feb, ...), got {month_text!r}"
    day_text = _string(values.get("day")).strip()
    try:
        return dt.date(int(year_match.group()), month_number, int(day_text) if day_text else 1), ""
    except ValueError:
        return None, f"day: expected a day of the month (1 to 31, as the month has), got {day_text!r}"


def _month(text: str) -> int | None:
    """1-12 from `10`, `oct`, `Oct.`, `October` (what bibtexparser leaves of the macro)."""
    text = text.lower().rstrip(".")
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    if len(text) >= 3:
        for name, number in _MONTHS.items():
            if name.startswith(text):
                return number
    return None


def _keywords(text: str) -> list[str]:
    words = (one_line(latex_to_text(word)) for word in re.split(r"[,;]", text))
    return list(dict.fromkeys(word for word in words if word))


def _links(values: dict[str, Any], paper_id: str) -> dict[str, str]:
    """DOI and URL; arxiv and pdf links are derived from an arXiv id by the site."""
    links: dict[str, str] = {}
    doi = _string(values.get("doi")).strip()
    if doi:
        links["doi"] = doi if doi.startswith(("http://", "https://")) else f"https://doi.org/{doi}"
    url = _string(values.get("url")).strip()
    if re.match(r"https?://\S+$", url) and arxiv_id_from_url(url) is None:
        links["code" if re.match(r"https?://(www\.)?github\.com/", url) else "paper"] = url
    return links
