"""What the build cache stores, as data: JSON text with a schema, never code.

Codecs, each a pair of functions over one cache entry's value:

- PLAIN, for dicts of JSON values: str, int, float, bool,
  None, list and str-keyed dict as JSON; a tuple as {"\\0": [...]} and a date or
  datetime as {"\\0d": "iso"} / {"\\0t": "iso"}, so a value comes back with the
  very types it was saved with. JSON, for the build ledger: JSON as it is (its
  readers make their tuples).
- PARSED, for the records of one file: (papers, problems), each Paper and its
  parts written field by field and read back by an explicit decoder that checks
  every type and re-applies the record schema's checks (ids, URLs, dates,
  counts, one-line text): a stored paper is never more than a record in
  content/ could be.

A decoder raises Invalid for anything that does not fit; an encoder raises
Unencodable for a value it cannot store (an exotic `extra:` value: the file is
then parsed again next build instead of cached).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

from generator.errors import Problem, SourceLocation
from generator.model import Author, Link, Paper, PaperId, parse_paper_id, utf8
from generator.record import (
    MAX_ABSTRACT,
    MAX_YEAR,
    MIN_YEAR,
    FieldError,
    RecordContext,
    check_count,
    check_thumbnail,
    check_url,
    has_control,
)


class Invalid(ValueError):
    """A stored value that does not fit the schema: the section is ignored."""


class Unencodable(ValueError):
    """A value this codec cannot store: it is left out of the cache."""


_TUPLE, _DATE, _DATETIME = "\0", "\0d", "\0t"


def _to_json(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is list:
        return [_to_json(item) for item in value]
    if kind is tuple:
        return {_TUPLE: [_to_json(item) for item in value]}
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str or key[:1] == "\0":
                raise Unencodable(f"a dict key must be a string not starting with NUL, got {key!r:.60}")
            out[key] = _to_json(item)
        return out
    if kind is date:
        return {_DATE: value.isoformat()}
    if kind is datetime and (value.tzinfo is None or type(value.tzinfo) is timezone):
        return {_DATETIME: value.isoformat()}
    raise Unencodable(f"cannot store a {kind.__name__}")


def _hook(obj: dict[str, Any]) -> Any:
    inner = obj.get(_TUPLE, obj)
    if inner is not obj and len(obj) == 1 and type(inner) is list:
        return tuple(inner)
    if _TUPLE in obj or _DATE in obj or _DATETIME in obj:
        if len(obj) != 1:
            raise Invalid("a tagged value with other keys")
        (tag, inner), = obj.items()
        if tag == _DATE and type(inner) is str and len(inner) == 10:
            return date.fromisoformat(inner)
        if tag == _DATETIME and type(inner) is str:
            found = datetime.fromisoformat(inner)
            if found.isoformat() == inner:
                return found
        raise Invalid(f"a bad {tag!r} value")
    return obj


def _reject_constant(name: str) -> Any:
    raise Invalid(f"{name} is not stored")


def dumps(value: Any) -> str:
    """One value as compact JSON; a tuple, date or datetime tagged (see the module docstring)."""
    try:
        return json.dumps(_to_json(value), separators=(",", ":"), allow_nan=False)
    except (ValueError, RecursionError) as exc:  # NaN, or nesting too deep
        raise Unencodable(str(exc)) from None


def loads(text: str) -> Any:
    """The inverse of dumps(); Invalid for anything it would not have written."""
    return json.loads(text, object_hook=_hook, parse_constant=_reject_constant)


class Codec:
    """How one section's entry values become text and back (see PLAIN and PARSED). `trusted`
    reads back what this user's build wrote (a sealed file: generator/seal.py) without the
    checks; None: such a file is checked all the same."""

    def __init__(self, encode: Callable[[Any], str], decode: Callable[[str], Any],
                 trusted: Callable[[str], Any] | None = None) -> None:
        self.encode = encode
        self.decode = decode
        self.trusted = trusted


PLAIN = Codec(dumps, loads, loads)


def _dumps_json(value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    except (ValueError, TypeError, RecursionError) as exc:
        raise Unencodable(str(exc)) from None


def _loads_json(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


JSON = Codec(_dumps_json, _loads_json, _loads_json)
"""JSON values as they are, a tuple coming back as a list (the build ledger, whose readers
make their tuples): ~2x faster than PLAIN's tagging on its ~28,000-path maps."""


# --- parsed records ---------------------------------------------------------------------------

Parsed = tuple[list[Paper], list[Problem]]


def _str(value: Any) -> str:
    if type(value) is not str:
        raise Invalid(f"expected a string, got {type(value).__name__}")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise Invalid(f"expected an int, got {type(value).__name__}")
    return value


def _list(value: Any, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        raise Invalid("expected a list" + (f" of {length}" if length is not None else ""))
    return value


def _date(value: Any) -> date:
    text = _str(value)
    if len(text) != 10:
        raise Invalid("expected a date")
    found = date.fromisoformat(text)
    if not MIN_YEAR <= found.year <= MAX_YEAR:
        raise Invalid("a date out of range")
    return found


def _same(check: Callable[[Any, RecordContext], Any], value: Any, ctx: RecordContext) -> Any:
    """value, when the record schema's check leaves it as it is (what a parsed record holds)."""
    try:
        if check(value, ctx) == value:
            return value
    except FieldError:
        pass
    raise Invalid(f"{value!r:.60} fails {check.__name__}")


def _encode_paper(paper: Paper) -> list[Any]:
    pid = paper.id
    return [pid.key, pid.version, pid.arxiv, paper.title, paper.abstract, paper.date.isoformat(),
            paper.source, paper.line, [[a.name, a.affiliation, a.url] for a in paper.authors],
            paper.author_count, paper.organization,
            None if paper.published is None else paper.published.isoformat(), paper.upvotes,
            list(paper.tags), [[link.name, link.url] for link in paper.links], paper.thumbnail,
            paper.submitted_by, [[field, _to_json(value)] for field, value in paper.extra]]


def _kept(text: str) -> bool:
    """Whether text holds only characters clean_text() keeps (what every record text passes)."""
    return not has_control(text) and "\ufeff" not in text and "\x85" not in text


def _author(item: Any, ctx: RecordContext, shared: dict[Any, Any]) -> Author:
    """One author, checked once per build however many papers name them: the same Author
    (one object in memory) for each, since a checked value stays checked."""
    name, affiliation, url = _list(item, 3)
    key = (_str(name), _str(affiliation), _str(url))
    found = shared.get(key)
    if found is None:
        found = Author(_line(name, required=True), _line(affiliation), _same(check_url, url, ctx) if url else url)
        if not _kept(f"{name}\n{affiliation}"):
            raise Invalid("a character a record would not keep")
        shared[key] = found
    return found


def _tag(value: Any, shared: dict[Any, Any]) -> str:
    found = shared.get(("tag", _str(value)))
    if found is None:
        found = _line(value, required=True)
        if not _kept(found):
            raise Invalid("a character a record would not keep")
        shared[("tag", value)] = found
    return found


def _decode_paper(raw: Any, source: str, ctx: RecordContext, shared: dict[Any, Any]) -> Paper:
    (key, version, arxiv, title, abstract, day, path, line, authors, author_count, organization,
     published, upvotes, tags, links, thumbnail, submitted_by, extra) = _list(raw, 18)
    if type(arxiv) is not bool or not (version is None or (arxiv and _int(version) >= 0)) \
            or parse_paper_id(_str(key)) != PaperId(key, None, arxiv):
        raise Invalid(f"not an id a record gives: {key!r:.60}")
    if _str(path) != source:
        raise Invalid("a paper from another file")
    if _int(line) < 1:
        raise Invalid("a line number below 1")
    if len(_str(abstract)) > MAX_ABSTRACT:
        raise Invalid("an abstract too long")
    people = [_author(item, ctx, shared) for item in _list(authors)]
    named = []
    for item in _list(links):
        name, url = _list(item, 2)
        named.append(Link(_line(name, required=True), _same(check_url, _str(url), ctx)))
    labels = tuple(_tag(tag, shared) for tag in _list(tags))
    pairs = []
    for item in _list(extra):
        field, value = _list(item, 2)
        pairs.append((_str(field), value))
    _str(abstract)
    if abstract != abstract.strip() or not unicodedata.is_normalized("NFC", abstract):
        raise Invalid("an abstract a record would not give")
    paper = Paper(
        id=PaperId(key, version, arxiv), title=_line(title, required=True), abstract=abstract,
        date=_date(day), source=path, line=line, authors=tuple(people),
        author_count=_same(check_count, _int(author_count), ctx), organization=_line(organization),
        published=None if published is None else _date(published),
        upvotes=_same(check_count, _int(upvotes), ctx), tags=labels, links=tuple(named),
        thumbnail=_same(check_thumbnail, thumbnail, ctx) if thumbnail else _str(thumbnail),
        submitted_by=_line(submitted_by), extra=tuple(pairs))
    # What clean_text() drops from every record text, checked once over all of them (the
    # authors and tags by _author() and _tag(), once each).
    if not _kept("\n".join([title, abstract, organization, submitted_by, *(link.name for link in named)])):
        raise Invalid("a character a record would not keep")
    return paper


def _line(value: Any, required: bool = False) -> str:
    """One-line text as check_line() leaves it: whitespace collapsed, non-empty when required."""
    if type(value) is not str or " ".join(value.split()) != value or (required and not value):
        raise Invalid(f"not one-line text: {value!r:.60}")
    return value


def encode_parsed(value: tuple[str, Parsed]) -> str:
    """The papers and problems of the record file shown as `shown` (the HTML fields are never stored)."""
    shown, (papers, problems) = value
    return json.dumps([shown, [_encode_paper(p) for p in papers],
                       [[p.location.path, p.location.line, p.field, p.message] for p in problems]],
                      separators=(",", ":"), allow_nan=False)


def decode_parsed(text: str, ctx: RecordContext, shared: dict[Any, Any] | None = None) -> tuple[str, Parsed]:
    """(shown path, (papers, problems)); Invalid unless every part fits.

    `shared` (one dict for a whole section) makes an author or tag named by many papers one
    object, checked once.
    """
    shared = {} if shared is None else shared
    shown, papers, problems = _list(json.loads(text, object_hook=_hook, parse_constant=_reject_constant), 3)
    found = []
    for item in _list(problems):
        path, line, field, message = _list(item, 4)
        if _int(line) < 0:
            raise Invalid("a bad problem line")
        found.append(Problem(SourceLocation(_str(path), line), _str(field), _str(message)))
    return shown, ([_decode_paper(raw, _str(shown), ctx, shared) for raw in _list(papers)], found)


def trusted_parsed(text: str, shared: dict[Any, Any]) -> tuple[str, Parsed]:
    """decode_parsed() without its checks, for what this user's build wrote (a sealed file,
    generator/seal.py): the same values, an author or tag of many papers one object."""
    shown, papers, problems = loads(text)
    return shown, ([_trusted_paper(raw, shared) for raw in papers],
                   [Problem(SourceLocation(path, line), field, message) for path, line, field, message in problems])


def _trusted_paper(raw: list[Any], shared: dict[Any, Any]) -> Paper:
    (key, version, arxiv, title, abstract, day, path, line, authors, author_count, organization,
     published, upvotes, tags, links, thumbnail, submitted_by, extra) = raw
    people = []
    for name, affiliation, url in authors:
        found = shared.get((name, affiliation, url))
        if found is None:
            found = shared[(name, affiliation, url)] = Author(name, affiliation, url)
        people.append(found)
    return Paper(
        id=PaperId(key, version, arxiv), title=title, abstract=abstract, date=date.fromisoformat(day),
        source=path, line=line, authors=tuple(people), author_count=author_count, organization=organization,
        published=None if published is None else date.fromisoformat(published), upvotes=upvotes,
        tags=tuple(shared.setdefault(("tag", tag), tag) for tag in tags),
        links=tuple(Link(name, url) for name, url in links), thumbnail=thumbnail, submitted_by=submitted_by,
        extra=tuple((field, value) for field, value in extra))


def storable(shown: str, parsed: Parsed, ctx: RecordContext) -> bool:
    """Whether one file's parse comes back from the cache exactly as it is (else it is not stored)."""
    return stored_text(shown, parsed, ctx) is not None


def stored_text(shown: str, parsed: Parsed, ctx: RecordContext) -> str | None:
    """One file's parse as the cache stores it, when it comes back exactly as it is; else None."""
    try:
        text = encode_parsed((shown, parsed))
        return text if decode_parsed(text, ctx) == (shown, parsed) else None
    except (Unencodable, ValueError, TypeError, RecursionError):
        return None


def _encode_index(value: dict[str, tuple[tuple[int, int, int], str]]) -> str:
    return json.dumps({shown: [*stat, file_digest] for shown, (stat, file_digest) in value.items()},
                      separators=(",", ":"))


def _decode_index(text: str) -> dict[str, tuple[tuple[int, int, int], str]]:
    found = {}
    for shown, item in json.loads(text).items():
        size, mtime, inode, file_digest = item
        if type(size) is not int or type(mtime) is not int or type(inode) is not int \
                or type(file_digest) is not str or len(file_digest) != 32:
            raise Invalid("a bad files index entry")
        found[shown] = ((size, mtime, inode), file_digest)
    return found


INDEX = Codec(_encode_index, _decode_index, _decode_index)
"""The record files index, one entry: shown path -> ((size, mtime_ns, inode), digest of its path and bytes)."""


MarkupValue = tuple[bytes, bytes] | tuple[bytes, bytes, bytes]
"""One markup entry, UTF-8 (see model.Paper): a title's (HTML, plain text), or an abstract's
(HTML, plain text, meta description)."""


def _encode_markup(value: MarkupValue) -> str:
    return json.dumps([part.decode("utf-8", "surrogatepass") for part in value])


def _decode_markup(text: str) -> MarkupValue:
    value = json.loads(text)
    if type(value) is list and len(value) == 2:
        html, plain = value
        return utf8(_str(html)), utf8(_str(plain))
    html, plain, summary = _list(value, 3)
    return utf8(_str(html)), utf8(_str(plain)), utf8(_str(summary))


MARKUP = Codec(_encode_markup, _decode_markup, _decode_markup)
"""Rendered markup: a title's (HTML, plain text), or an abstract's (HTML, plain text, meta
description); stored as JSON text, held as UTF-8 bytes."""


def key_kind(value: Any) -> bytes:
    """The kind byte a markup entry's key starts with: b't' a title (two forms), b'a' an abstract (three)."""
    return b"t" if len(value) == 2 else b"a"


def trusted_markup(value: MarkupValue) -> bool:
    """Whether stored markup is what rendering could give: HTML the sanitiser leaves as it is."""
    from generator.markup import plain_text, sanitize
    from generator.mathtext import DESCRIPTION_LENGTH

    if len(value) == 2:
        html, plain = (part.decode("utf-8", "surrogatepass") for part in value)
        return sanitize(html) == html and plain_text(plain) == plain
    html, plain, summary = (part.decode("utf-8", "surrogatepass") for part in value)
    return (sanitize(html) == html and plain_text(plain) == plain and plain_text(summary) == summary
            and len(summary) <= DESCRIPTION_LENGTH)
