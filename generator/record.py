"""The record schema: one validator per field, each naming the field's line.

A validator takes the raw value and returns the clean value or raises
`FieldError`. `parse_record` runs them all and collects every problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from generator.errors import Problem, SourceLocation
from generator.model import KNOWN_LINKS, LINK_ALIASES, Author, Link, Paper, PaperId, parse_paper_id
from generator.yamlsrc import BadTimestamp, line_of, mapping_items

MAX_UPVOTES = 10**12
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_URL = re.compile(r"https?://[^\s/?#<>\"'`\\]+[^\s<>\"'`\\]*", re.IGNORECASE)


class FieldError(ValueError):
    """A field's value is wrong; the message says what was expected."""


@dataclass(frozen=True)
class RecordContext:
    """What field validators need beyond the value."""

    timezone: str = "UTC"


def clean_text(value: str) -> str:
    """Drop characters XML and HTML cannot carry (controls, lone surrogates, BOMs)."""
    return _CONTROL.sub("", value.replace("\ufeff", ""))


def one_line(value: str) -> str:
    """Plain single-line text: whitespace (including arXiv's hard wraps) collapsed."""
    return " ".join(clean_text(value).split())


def _string(value: Any, what: str = "a string") -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldError(f"expected {what}, got {_show(value)}")
    return str(value)


def _show(value: Any) -> str:
    if isinstance(value, BadTimestamp):
        return repr(value.text)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_title(value: Any, ctx: RecordContext) -> str:
    title = one_line(_string(value))
    if not title:
        raise FieldError("expected a non-empty title")
    return title


def check_abstract(value: Any, ctx: RecordContext) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFC", clean_text(_string(value))).strip()


def check_line(value: Any, ctx: RecordContext) -> str:
    return one_line(_string(value))


def check_date(value: Any, ctx: RecordContext) -> date:
    """A date; a timestamp is converted to the site's time zone; '2025-12-08' strings too."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise FieldError(f"expected a date like 2025-12-08, got {_show(value)}") from None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(ZoneInfo(ctx.timezone))
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, BadTimestamp):
        raise FieldError(f"not a real date: {value.text!r}")
    raise FieldError(f"expected a date like 2025-12-08, got {_show(value)}")


def check_count(value: Any, ctx: RecordContext) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_UPVOTES:
        raise FieldError(f"expected a whole number >= 0, got {_show(value)}")
    return value


def check_url(value: Any, ctx: RecordContext) -> str:
    url = _string(value, "an http(s) URL").strip()
    if not _URL.fullmatch(url) or _CONTROL.search(url):
        raise FieldError(f"expected an http(s) URL, got {_show(url)}")
    return url


def check_thumbnail(value: Any, ctx: RecordContext) -> str:
    text = _string(value, "a URL or a site path").strip()
    if text.startswith("/") and not text.startswith("//") and ".." not in text.split("/") \
            and re.fullmatch(r"/[A-Za-z0-9._~/%-]*", text):
        return text
    try:
        return check_url(text, ctx)
    except FieldError:
        raise FieldError(f"expected an http(s) URL or a site path like /images/card.png, "
                         f"got {_show(text)}") from None


def check_tags(value: Any, ctx: RecordContext) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise FieldError(f"expected a list of strings, got {_show(value)}")
    tags: dict[str, str] = {}
    for item in value:
        tag = one_line(_string(item, "a list of strings"))
        if tag:
            tags.setdefault(tag.casefold(), tag)
    return tuple(tags.values())


def check_authors(value: Any, ctx: RecordContext) -> tuple[Author, ...]:
    if not isinstance(value, list):
        raise FieldError(f"expected a list of names or of {{name, affiliation, url}}, got {_show(value)}")
    authors = []
    for index, item in enumerate(value, 1):
        if isinstance(item, dict):
            unknown = set(item) - {"name", "affiliation", "url"}
            if unknown:
                raise FieldError(f"author {index}: unknown key {sorted(map(str, unknown))[0]!r}; "
                                 "expected name, affiliation, url")
            name = one_line(_string(item.get("name"), f"a name for author {index}"))
            affiliation = one_line(_string(item.get("affiliation") or ""))
            try:
                url = check_url(item["url"], ctx) if item.get("url") else ""
            except FieldError as exc:
                raise FieldError(f"author {index}: url: {exc}") from None
        else:
            name, affiliation, url = one_line(_string(item, f"a name for author {index}")), "", ""
        if not name:
            raise FieldError(f"author {index}: expected a name, got an empty one")
        authors.append(Author(name, affiliation, url))
    return tuple(authors)


def check_links(value: Any, ctx: RecordContext) -> tuple[Link, ...]:
    if not isinstance(value, dict):
        raise FieldError(f"expected a mapping of names to URLs, got {_show(value)}")
    links: dict[str, Link] = {}
    for name, url in value.items():
        label = one_line(_string(name, "link names as strings"))
        if not label:
            raise FieldError("a link needs a name")
        key = LINK_ALIASES.get(label.lower(), label.lower() if label.lower() in KNOWN_LINKS else label)
        try:
            links[key] = Link(key, check_url(url, ctx))
        except FieldError as exc:
            raise FieldError(f"{label}: {exc}") from None
    return tuple(links.values())


def check_extra(value: Any, ctx: RecordContext) -> tuple[tuple[str, object], ...]:
    if not isinstance(value, dict):
        raise FieldError(f"expected a mapping of your own fields, got {_show(value)}")
    return tuple(sorted((str(k), v) for k, v in value.items()))


FIELDS: dict[str, Callable[[Any, RecordContext], Any]] = {
    "title": check_title, "abstract": check_abstract, "authors": check_authors,
    "author_count": check_count, "organization": check_line, "published": check_date,
    "date": check_date, "upvotes": check_count, "tags": check_tags, "links": check_links,
    "thumbnail": check_thumbnail, "submitted_by": check_line, "extra": check_extra,
}
REQUIRED = ("id", "title", "abstract")


def parse_record(raw: Any, node: yaml.Node | None, path: str,
                 ctx: RecordContext) -> tuple[Paper | None, list[Problem]]:
    """Validate one record mapping; return the Paper, or None and every problem found."""
    start = line_of(node)
    if not isinstance(raw, dict):
        return None, [Problem(SourceLocation(path, start), "", f"expected a record (a mapping), got {_show(raw)}")]
    items = mapping_items(node) if node is not None else {}
    problems: list[Problem] = []

    def where(key: str) -> SourceLocation:
        key_node, value_node = items.get(key, (None, None))
        return SourceLocation(path, line_of(value_node) or line_of(key_node) or start)

    for key in REQUIRED:
        if raw.get(key) is None:
            problems.append(Problem(SourceLocation(path, start), key, "required field is missing"))
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = str(key)
        if name == "id":
            continue
        check = FIELDS.get(name)
        if check is None:
            problems.append(Problem(where(name), name, "unknown field; put your own fields under 'extra:'"
                                    f" (known: id, {', '.join(FIELDS)})"))
        elif value is not None:
            try:
                values[name] = check(value, ctx)
            except FieldError as exc:
                problems.append(Problem(where(name), name, str(exc)))
    paper_id = _paper_id(raw.get("id"), items.get("id", (None, None))[1], where("id"), problems)
    # `date:` left empty is missing too; a date that failed its check is already reported.
    if "date" not in values and "published" not in values \
            and not any(p.field in ("date", "published") for p in problems):
        problems.append(Problem(SourceLocation(path, start), "date", "one of 'date' or 'published' is required"))
    if problems or paper_id is None:
        return None, problems
    return _make_paper(paper_id, values, path, start), []


def _paper_id(value: Any, node: yaml.Node | None, where: SourceLocation,
              problems: list[Problem]) -> PaperId | None:
    if value is None:
        return None
    # YAML reads 2512.01230 as a float and drops the zero: use the text as written.
    text = node.value if isinstance(node, yaml.ScalarNode) and not isinstance(value, str) else value
    if not isinstance(text, str) or isinstance(value, (bool, list, dict)):
        problems.append(Problem(where, "id", f"expected an arXiv id or a slug, got {_show(value)}"))
        return None
    paper_id = parse_paper_id(text.strip())
    if paper_id is None:
        problems.append(Problem(where, "id", "expected an arXiv id (2512.01234, hep-th/9711200) or a slug of "
                                f"letters, digits, '.', '_' and '-', got {_show(text)}"))
    return paper_id


def _make_paper(paper_id: PaperId, values: dict[str, Any], path: str, line: int) -> Paper:
    authors = values.get("authors", ())
    links = list(values.get("links", ()))
    if paper_id.arxiv:
        names = {link.name for link in links}
        if "arxiv" not in names:
            links.insert(0, Link("arxiv", f"https://arxiv.org/abs/{paper_id.full}"))
        if "pdf" not in names:
            links.insert(1, Link("pdf", f"https://arxiv.org/pdf/{paper_id.full}"))
    featured = values.get("date", values.get("published"))
    return Paper(
        id=paper_id, title=values["title"], abstract=values.get("abstract", ""), date=featured,
        source=path, line=line, authors=authors,
        author_count=max(values.get("author_count", 0), len(authors)),
        organization=values.get("organization", ""), published=values.get("published"),
        upvotes=values.get("upvotes", 0), tags=values.get("tags", ()), links=tuple(links),
        thumbnail=values.get("thumbnail", ""), submitted_by=values.get("submitted_by", ""),
        extra=values.get("extra", ()),
    )
