"""arXiv API Atom responses (`export.arxiv.org/api/query`) -> paperfeed record dicts.

The format (arXiv API User's Manual, "Atom" section): an Atom 1.0 feed whose
entries carry `<id>http://arxiv.org/abs/2512.01234v2</id>`, `<title>`,
`<summary>` (hard-wrapped), `<published>`, `<author><name>` with optional
`<arxiv:affiliation>`, `<link>`s, `<category term="cs.CL">`, `<arxiv:doi>` and
`<arxiv:primary_category>`. A failed query answers with a single entry whose id
is `http://arxiv.org/api/errors#...` and whose summary says what went wrong.

arXiv metadata is TeX-flavoured text, not LaTeX (a bare `%` is common and is no
comment): titles and abstracts keep it as written, math included, and only the
hard wraps are undone. Pure: text in, (records, problems) out.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

from generator.importers.latex import one_line, paragraphs
from generator.model import NEW_ARXIV, OLD_ARXIV

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
_ABS_URL = re.compile(r"https?://(?:export\.)?arxiv\.org/abs/(?P<id>.+)$")


def parse_arxiv_response(
    text: str | bytes, source: str, featured_day: dt.date | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Return one record per paper entry of an arXiv API Atom feed, and the problems.

    The featured `date` is `featured_day` when given, else the paper's first
    publication day. An entry without an arXiv id, a title or any date is left
    out and reported; an API error entry is reported with its message.
    """
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        return [], [f"{source}: not valid XML: {exc}"]
    if root.tag != f"{ATOM}feed":
        return [], [f"{source}: expected an Atom <feed> from the arXiv API, got <{_local(root.tag)}>"]
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    for index, entry in enumerate(root.findall(f"{ATOM}entry")):
        record, problem = entry_to_record(entry, featured_day)
        if record is None:
            problems.append(f"{source}: entry {index}: {problem}")
        else:
            records.append(record)
    return records, problems


def entry_to_record(
    entry: ET.Element, featured_day: dt.date | None
) -> tuple[dict[str, Any] | None, str]:
    """One Atom `<entry>` -> a record dict in canonical key order, or None and why not."""
    raw_id = _text(entry, f"{ATOM}id")
    if "/api/errors" in raw_id:
        return None, f"arXiv API error: {one_line(_text(entry, f'{ATOM}summary')) or raw_id}"
    paper_id = arxiv_id_from_url(raw_id)
    if paper_id is None:
        return None, f"id: expected an arXiv abstract URL, got {raw_id!r}"
    title = one_line(_text(entry, f"{ATOM}title"))
    if not title:
        return None, f"{paper_id}: title: missing or empty"
    published = _day(_text(entry, f"{ATOM}published")) or _day(_text(entry, f"{ATOM}updated"))
    featured = featured_day or published
    if featured is None:
        return None, f"{paper_id}: no publication date"
    fields: dict[str, Any] = {
        "id": paper_id,
        "title": title,
        "authors": _authors(entry),
        "abstract": paragraphs(_text(entry, f"{ATOM}summary")),
        "published": published,
        "date": featured,
        "tags": _categories(entry),
        "links": _links(entry),
    }
    return {key: value for key, value in fields.items() if value not in (None, [], {})}, ""


def arxiv_id_from_url(url: str) -> str | None:
    """`http://arxiv.org/abs/2512.01234v2` -> `2512.01234v2` (old style ids too)."""
    match = _ABS_URL.match(url.strip())
    candidate = match.group("id") if match else url.strip()
    if NEW_ARXIV.fullmatch(candidate) or OLD_ARXIV.fullmatch(candidate):
        return candidate
    return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _text(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _authors(entry: ET.Element) -> list[Any]:
    authors: list[Any] = []
    for author in entry.findall(f"{ATOM}author"):
        name = one_line(_text(author, f"{ATOM}name"))
        affiliation = one_line(_text(author, f"{ARXIV}affiliation"))
        if name:
            authors.append({"name": name, "affiliation": affiliation} if affiliation else name)
    return authors


def _categories(entry: ET.Element) -> list[str]:
    """arXiv categories as tags, the primary one first."""
    primary = entry.find(f"{ARXIV}primary_category")
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
    return list(dict.fromkeys(term.strip() for term in terms if term.strip()))


def _links(entry: ET.Element) -> dict[str, str]:
    """The DOI, when there is one; arxiv and pdf links are derived from the id by the site."""
    doi = _text(entry, f"{ARXIV}doi").split()
    return {"doi": f"https://doi.org/{doi[0]}"} if doi else {}
