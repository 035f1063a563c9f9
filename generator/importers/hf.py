"""Hugging Face `/api/daily_papers` responses -> paperfeed record dicts.

Pure functions: text in, (values, problems) out. A problem is a plain sentence that
names where it comes from; the caller decides whether it is fatal.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import sys
from typing import Any

# The record's keys in their canonical order (DESIGN.md, "The record").
RECORD_KEYS = (
    "id", "title", "authors", "organization", "abstract", "published", "date",
    "upvotes", "tags", "links", "thumbnail",
)

# arXiv new style (2512.01234v2), old style (hep-th/9711200), or a slug.
_ID_RE = re.compile(
    r"\d{4}\.\d{4,5}(v\d+)?"
    r"|[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?"
    r"|[A-Za-z0-9._-]+"
)
_DAY_RE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:$|[T ])")


def parse_hf_response(text: str, source: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the entries of a daily_papers response and the problems found.

    Accepts a plain JSON list or one wrapped as `{status, date, count, data}`.
    Entries saved as Python `repr()` strings are read with `ast.literal_eval`
    (literals only, never code); an entry that still is not an object is left out
    and reported as `<source>: entry <i>: ...`.
    """
    indexed, problems = parse_hf_entries(text, source)
    return [entry for _, entry in indexed], problems


def parse_hf_entries(text: str, source: str) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """Like parse_hf_response, with each entry's index in the response (for messages)."""
    data, problem = load_hf_json(text, source)
    if problem:
        return [], [problem]
    return hf_entries(data, source)


def hf_entries(data: list[Any], source: str) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """The entries of a loaded response that are paper objects, with their index; the others
    reported as `<source>: entry <i>: ...`."""
    entries: list[tuple[int, dict[str, Any]]] = []
    problems: list[str] = []
    for index, item in enumerate(data):
        entry, problem = _entry_object(item)
        if entry is not None:
            entries.append((index, entry))
        else:
            problems.append(f"{source}: entry {index}: {problem}")
    return entries, problems


def load_hf_json(text: str, source: str) -> tuple[list[Any], str]:
    """The list of entries in a response, or why the response as a whole cannot be read.

    A UTF-8 byte order mark is allowed (editors on Windows add one). Hostile input gets
    a sentence, not a traceback: nesting deeper than the parser's recursion limit, and
    integers longer than Python's int-string limit (4,300 digits).
    """
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        return [], f"{source}: not valid JSON: {exc}"
    except RecursionError:
        return [], f"{source}: not a daily_papers response: JSON nested too deeply"
    except ValueError:  # int("9" * 5000): Python refuses to convert such a number
        limit = sys.get_int_max_str_digits()
        return [], f"{source}: not a daily_papers response: a number with more than {limit} digits"
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        kind = type(data).__name__
        return [], f"{source}: expected a list of papers (or {{data: [...]}}), got {kind}"
    return data, ""


def _entry_object(item: Any) -> tuple[dict[str, Any] | None, str]:
    """Return `item` as a dict, or None and why not."""
    if isinstance(item, str):
        try:
            item = ast.literal_eval(item)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
            return None, f"a string that is not a Python literal ({type(exc).__name__})"
    if not isinstance(item, dict):
        return None, f"expected an object, got {type(item).__name__}"
    if not isinstance(item.get("paper"), dict):
        return None, "no 'paper' object"
    return item, ""


def hf_entry_to_record(
    entry: dict[str, Any], fallback_day: str | None, *, request_day: str | None = None
) -> tuple[dict[str, Any] | None, list[str]]:
    """Map one daily_papers entry to a record dict (canonical key order, no empty keys).

    The featured `date` is the day of `submittedOnDailyAt`; without it, `request_day`
    (the `?date=` the response was fetched for, when known), then the entry's own
    `publishedAt`, then `fallback_day`. Older responses have no `submittedOnDailyAt`
    and their `publishedAt` is a UTC time that often falls on the evening before
    the featured day, hence `request_day` ranks above it.

    Returns (None, problems) when the entry lacks an id, title, abstract or any date.
    """
    paper: dict[str, Any] = entry["paper"] if isinstance(entry.get("paper"), dict) else {}
    paper_id = paper.get("id")
    if not isinstance(paper_id, str) or not _ID_RE.fullmatch(paper_id) \
            or paper_id in (".", ".."):
        return None, [f"paper.id: expected an arXiv id or slug, got {paper_id!r}"]
    where = f"{paper_id}: "
    problems: list[str] = []
    fields: dict[str, Any] = {
        "id": paper_id,
        "title": _one_line(paper.get("title")),
        "authors": _authors(paper.get("authors")),
        "organization": _organization(entry, paper),
        "abstract": _text(paper.get("summary")),
        "published": _day(paper.get("publishedAt")),
        "date": _featured_day(entry, paper, request_day, fallback_day),
        "upvotes": _upvotes(paper.get("upvotes"), problems),
        "tags": _tags(paper.get("ai_keywords")),
        "links": _links(paper, problems),
        "thumbnail": _thumbnail(entry, paper),
    }
    record = {key: fields[key] for key in RECORD_KEYS if fields[key] not in (None, "", [], {})}
    missing = [key for key in ("title", "abstract") if key not in record]
    problems += [f"{key}: missing or empty" for key in missing]
    if "date" not in record and "published" not in record:
        missing.append("date")
        problems.append("no featured day and no publication date")
    return (None if missing else record), [where + problem for problem in problems]


def record_path(record: dict[str, Any]) -> str:
    """Return `YYYY/MM/DD/<id>.yaml` (by featured date; `/` in old arXiv ids -> `-`)."""
    day = record.get("date") or record["published"]
    return f"{day:%Y/%m/%d}/{record['id'].replace('/', '-')}.yaml"


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) else None


def _one_line(value: Any) -> str | None:
    """Collapse arXiv's hard wraps and runs of spaces to single spaces."""
    return " ".join(value.split()) if isinstance(value, str) else None


def _authors(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    names = (_one_line(author.get("name")) for author in value if isinstance(author, dict))
    return [name for name in names if name]


def _organization(entry: dict[str, Any], paper: dict[str, Any]) -> str | None:
    for holder in (entry, paper):
        org = holder.get("organization")
        if isinstance(org, dict) and _one_line(org.get("fullname")):
            return _one_line(org.get("fullname"))
    return None


def _day(value: Any) -> dt.date | None:
    """Return the date part of an ISO timestamp such as `2025-11-21T00:03:52.875Z`."""
    match = _DAY_RE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _featured_day(
    entry: dict[str, Any], paper: dict[str, Any], request_day: str | None,
    fallback_day: str | None,
) -> dt.date | None:
    candidates = (
        entry.get("submittedOnDailyAt"), paper.get("submittedOnDailyAt"),
        request_day, entry.get("publishedAt"), fallback_day,
    )
    return next((day for day in map(_day, candidates) if day is not None), None)


def _upvotes(value: Any, problems: list[str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(f"paper.upvotes: expected a whole number >= 0, got {value!r}")
        return None
    return value


def _tags(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    tags = (item.strip() for item in value if isinstance(item, str))
    return list(dict.fromkeys(tag for tag in tags if tag))


def _links(paper: dict[str, Any], problems: list[str]) -> dict[str, str]:
    links: dict[str, str] = {}
    for name, key in (("code", "githubRepo"), ("project", "projectPage")):
        url = _url(paper.get(key), f"paper.{key}", problems)
        if url:
            links[name] = url
    return links


def _url(value: Any, field: str, problems: list[str]) -> str | None:
    """Return a trimmed http(s) URL, or None (reporting why when there was a value)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    url = value.strip() if isinstance(value, str) else ""
    if any(char.isspace() for char in url):
        problems.append(f"{field}: URL contains whitespace, left out: {value!r}")
        return None
    if not re.match(r"https?://[^/]", url):
        problems.append(f"{field}: expected an http(s) URL, left out: {value!r}")
        return None
    return url


def _thumbnail(entry: dict[str, Any], paper: dict[str, Any]) -> str | None:
    # `mediaUrl` is what mid-2024 responses call the same social thumbnail.
    for value in (entry.get("thumbnail"), paper.get("thumbnail"), entry.get("mediaUrl")):
        if isinstance(value, str) and re.match(r"https?://\S+$", value.strip()):
            return value.strip()
    return None
