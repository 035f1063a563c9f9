"""The record schema: one validator per field, each naming the field's line.

A validator takes the raw value and returns the clean value or raises
`FieldError`. `parse_record` runs them all and collects every problem.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import yaml

from generator.errors import Problem, SourceLocation
from generator.model import (
    KNOWN_LINKS,
    LINK_ALIASES,
    MAX_ID_LENGTH,
    SLUG_ID,
    Author,
    Link,
    Paper,
    PaperId,
    parse_paper_id,
)
from generator.yamlsrc import BadTimestamp, line_of, mapping_items, node_at

MAX_UPVOTES = 10**12
# Characters a page or feed cannot carry: C0/C1 controls (XML 1.0 forbids the first, HTML
# parsers flag both), noncharacters and lone surrogates (not encodable as UTF-8), and the
# bidi embeddings, overrides and isolates, which reorder whatever text follows them on the
# page (a "Trojan Source" author name); RTL text needs none of them to display right.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(f"{chr(p + 0xFFFE)}{chr(p + 0xFFFF)}" for p in range(0, 0x110000, 0x10000))
_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069{_NONCHARACTERS}]")
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = {"Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Cc"}
MIN_YEAR, MAX_YEAR = 1000, 9998  # far from date.min/max: weeks, time zones and feeds never overflow
MAX_ABSTRACT = 10_000  # characters; arXiv allows 1,920. Hostile Markdown of this size takes ~1 s.
_URL = re.compile(r"https?://[^\s/?#<>\"'`\\]+[^\s<>\"'`\\]*", re.IGNORECASE)


class FieldError(ValueError):
    """A field's value is wrong; the message says what was expected.

    `at` is the path inside the field's value to the culprit (a list index, a
    mapping key, or both: `(2, "url")`), so the report names that item's own line.
    """

    def __init__(self, message: str, at: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.at = at


@dataclass(frozen=True)
class RecordContext:
    """What field validators need beyond the value."""

    timezone: str = "UTC"


def has_control(text: str) -> bool:
    """Whether text holds a character clean_text() drops (BOM and NEL aside).

    The same answer as _CONTROL.search(text), ~30x sooner: the ASCII controls by a one-range
    pattern, and the rest (the big class costs ~0.1 µs a character) only for the distinct
    non-ASCII characters, few in most text.
    """
    if _ASCII_CONTROL.search(text) is not None:
        return True
    if text.isascii():
        return False
    return _CONTROL.search("".join(char for char in set(text) if char > "\x7e")) is not None


def clean_text(value: str) -> str:
    """Drop characters XML and HTML cannot carry (controls, lone surrogates, BOMs)."""
    value = value.replace("\ufeff", "").replace("\x85", " ")
    return _CONTROL.sub("", value) if has_control(value) else value


def one_line(value: str) -> str:
    """Plain single-line text: whitespace (including arXiv's hard wraps) collapsed; '' when
    nothing would show (only zero-width or format characters: an invisible title or name)."""
    text = " ".join(clean_text(value).split())
    return text if any(unicodedata.category(ch) not in _INVISIBLE for ch in text) else ""


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
    text = _string(value)
    if len(text) > MAX_ABSTRACT:
        raise FieldError(f"longer than {MAX_ABSTRACT:,} characters ({len(text):,}); shorten it")
    return unicodedata.normalize("NFC", clean_text(text)).strip()


def check_line(value: Any, ctx: RecordContext) -> str:
    return one_line(_string(value))


def check_date(value: Any, ctx: RecordContext) -> date:
    """A date; a timestamp is converted to the site's time zone; '2025-12-08' strings too."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise FieldError(f"expected a date like 2025-12-08, got {_show(value)}") from None
    if isinstance(value, date) and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise FieldError(f"expected a date between the years {MIN_YEAR} and {MAX_YEAR}, got {_show(str(value))}")
    if isinstance(value, datetime):
        moment: datetime = value if value.tzinfo is None else value.astimezone(ZoneInfo(ctx.timezone))
        return moment.date()
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
    # %2e%2e is '..' to a browser: check the decoded path, so /%2e%2e/ cannot leave the site's sub-path
    if text.startswith("/") and not text.startswith("//") and re.fullmatch(r"/[A-Za-z0-9._~/%-]*", text) \
            and not {".", ".."} & set(unquote(text).split("/")):
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
    for index, item in enumerate(value):
        try:
            tag = one_line(_string(item))
        except FieldError as exc:
            raise FieldError(f"tag {index + 1}: {exc}", at=(index,)) from None
        if tag:
            tags.setdefault(tag.casefold(), tag)
    return tuple(tags.values())


def check_authors(value: Any, ctx: RecordContext) -> tuple[Author, ...]:
    if not isinstance(value, list):
        raise FieldError(f"expected a list of names or of {{name, affiliation, url}}, got {_show(value)}")
    authors = []
    for index, item in enumerate(value, 1):
        try:
            authors.append(_author(item, ctx))
        except FieldError as exc:
            raise FieldError(f"author {index}: {exc}", at=(index - 1, *exc.at)) from None
    return tuple(authors)


def _author(item: Any, ctx: RecordContext) -> Author:
    """One author: a name, or a mapping {name, affiliation?, url?}."""
    if not isinstance(item, dict):
        name = one_line(_string(item, "a name"))
        if not name:
            raise FieldError("expected a name, got an empty one")
        return Author(name)
    unknown = sorted(map(str, set(item) - {"name", "affiliation", "url"}))
    if unknown:
        raise FieldError(f"unknown key {unknown[0]!r}; expected name, affiliation, url", at=(unknown[0],))
    name = one_line(_string(item.get("name"), "a name"))
    if not name:
        raise FieldError("expected a name, got an empty one", at=("name",))
    try:
        affiliation = one_line(_string(item.get("affiliation") or ""))
    except FieldError as exc:
        raise FieldError(f"affiliation: {exc}", at=("affiliation",)) from None
    try:
        url = check_url(item["url"], ctx) if item.get("url") else ""
    except FieldError as exc:
        raise FieldError(f"url: {exc}", at=("url",)) from None
    return Author(name, affiliation, url)


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
            raise FieldError(f"{label}: {exc}", at=(name,)) from None
    return tuple(links.values())


#: A link name at least this close to a known one (difflib's ratio) is taken for a typo of it:
#: 'gihtub' ~ 'github' is 0.83, 'coed' ~ 'code' 0.75, while 'dataset' ~ 'data' is 0.73 and
#: 'demo' ~ 'video' 0.67 (labels people mean).
LINK_TYPO_CUTOFF = 0.75


def _numbered(name: str, known: tuple[str, ...]) -> bool:
    """A second link of a known kind on purpose: 'video-2', 'code_v2', 'data 3'."""
    return any(name.startswith(k) and name[len(k):][:1] in "-_ " and name[len(k) + 1:] != "" for k in known)


def link_name_warnings(papers: Iterable[Paper]) -> tuple[str, ...]:
    """Links whose name is not a known one but close to one: a typo shows as an odd label."""
    known = (*KNOWN_LINKS, *LINK_ALIASES)
    found = []
    for paper in papers:
        for link in paper.links:
            if link.known or _numbered(link.name.lower(), known):
                continue
            close = difflib.get_close_matches(link.name.lower(), known, 1, LINK_TYPO_CUTOFF)
            if close:
                found.append(f"{paper.source}:{paper.line}: links: unknown link name {link.name!r}, "
                             f"did you mean {close[0]!r}? (shown as a link labelled {link.name!r})")
    return tuple(found)


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

    def where(key: str, at: tuple[object, ...] = ()) -> SourceLocation:
        key_node, value_node = items.get(key, (None, None))
        inner = node_at(value_node, at) if at else None
        return SourceLocation(path, line_of(inner) or line_of(value_node) or line_of(key_node) or start)

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
                problems.append(Problem(where(name, exc.at), name, str(exc)))
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
        if SLUG_ID.fullmatch(text.strip()) and len(text.strip()) <= MAX_ID_LENGTH:
            problems.append(Problem(where, "id", "a slug id must not start or end with '.' or be a device "
                                    f"name like CON (it names a folder), got {_show(text)}"))
        else:
            problems.append(Problem(where, "id", "expected an arXiv id (2512.01234, hep-th/9711200) or a slug "
                                    f"of letters, digits, '.', '_' and '-', got {_show(text)}"))
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
    # validation guarantees one of the two dates (a record with neither is a problem, not a Paper)
    featured = cast(date, values.get("date", values.get("published")))
    return Paper(
        id=paper_id, title=values["title"], abstract=values.get("abstract", ""), date=featured,
        source=path, line=line, authors=authors,
        author_count=max(values.get("author_count", 0), len(authors)),
        organization=values.get("organization", ""), published=values.get("published"),
        upvotes=values.get("upvotes", 0), tags=values.get("tags", ()), links=tuple(links),
        thumbnail=values.get("thumbnail", ""), submitted_by=values.get("submitted_by", ""),
        extra=values.get("extra", ()),
    )
