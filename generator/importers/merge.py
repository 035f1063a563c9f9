"""Re-import without losing the user's work: merge a fresh record into an existing one.

The source owns what it publishes (title, abstract, authors, organisation,
dates of publication, upvotes, its links, thumbnail, the arXiv version); the
user owns everything they added or changed that the source does not publish
(tags, `extra`, `submitted_by`, `author_count`, the featured `date`, their own
links). An import never replaces a more precise value with a less precise one: a BibTeX
entry with only a year (read as January 1) keeps `published: 2017-06-12`, and a title that
differs only by losing capitals (BibTeX's `{A}ttention is all you need`) keeps the file's.
`patch_text` rewrites only the changed keys of a record in its YAML
text, so comments and formatting elsewhere in the file survive.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from generator.importers.yamlout import dump_record
from generator.model import LINK_ALIASES, parse_paper_id

SOURCE_OWNED = ("title", "authors", "organization", "abstract", "published", "upvotes", "links",
                "thumbnail")
# Where a key goes when it is added to an existing record (DESIGN.md's field order).
KEY_ORDER = ("id", "title", "authors", "author_count", "organization", "abstract", "published",
             "date", "upvotes", "tags", "links", "thumbnail", "submitted_by", "extra")


def merge_record(existing: dict[str, Any], incoming: dict[str, Any], existing_id: str) -> dict[str, Any]:
    """The record after re-import: existing keys keep their order, new keys are appended.

    `existing_id` is the id as written in the file (YAML may have read it as a number).
    """
    merged = dict(existing)
    merged["id"] = _merged_id(existing_id, str(incoming["id"]))
    for key, value in incoming.items():
        if key == "id" or value in (None, "", [], {}):
            continue
        if key not in existing or existing[key] is None:
            merged[key] = value
        elif key == "links":
            merged[key] = _merged_links(existing[key], value)
        elif key == "authors":
            merged[key] = existing[key] if _names(existing[key]) == _names(value) else value
        elif key == "published" and _coarser_date(value, existing[key]):
            continue
        elif key == "title" and _fewer_capitals(value, existing[key]):
            continue
        elif key in SOURCE_OWNED:
            merged[key] = value
    return merged


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _coarser_date(incoming: Any, existing: Any) -> bool:
    """True when `incoming` is `existing` with its day (or month and day) forgotten.

    Importers read a year-only date as January 1 and a month-only one as the 1st, so
    2017-01-01 against 2017-06-12 is the same fact with less in it, not a correction.
    """
    new, old = _as_date(incoming), _as_date(existing)
    if new is None or old is None or new == old or new.year != old.year or new.day != 1:
        return False
    return new.month == 1 or new.month == old.month


def _fewer_capitals(incoming: Any, existing: Any) -> bool:
    """True when `incoming` is `existing`'s text with capitals lost (and none gained)."""
    if not isinstance(incoming, str) or not isinstance(existing, str):
        return False
    new, old = " ".join(incoming.split()), " ".join(existing.split())
    if new == old or new.casefold() != old.casefold() or len(new) != len(old):
        return False
    return all(a == b or (a.islower() and b.isupper()) for a, b in zip(new, old, strict=True))


def _merged_id(existing_id: str, incoming_id: str) -> str:
    """A versioned incoming arXiv id updates the version; a slug id is never replaced."""
    old, new = parse_paper_id(existing_id), parse_paper_id(incoming_id)
    if old is None or new is None or not old.arxiv or new.key.casefold() != old.key.casefold():
        return existing_id
    return new.full if new.version else existing_id


def _canonical_link(name: str) -> str:
    return LINK_ALIASES.get(name.lower(), name.lower())


def _merged_links(existing: Any, incoming: dict[str, str]) -> Any:
    if not isinstance(existing, dict):
        return incoming
    merged = dict(existing)
    names = {_canonical_link(str(name)): name for name in existing}
    for name, url in incoming.items():
        merged[names.get(_canonical_link(name), name)] = url
    return merged


def _names(authors: Any) -> list[str]:
    if not isinstance(authors, list):
        return []
    return [" ".join(str(a.get("name", "") if isinstance(a, dict) else a).split()) for a in authors]


def normalized(value: Any) -> Any:
    """A value as it means for the site: whitespace, date/timestamp and int/str ids unified."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dict):
        return {str(k): normalized(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [normalized(item) for item in value]
    return value


def changed_keys(existing: dict[str, Any], merged: dict[str, Any], existing_id: str) -> list[str]:
    """Keys whose meaning differs between the file and the merged record."""
    before = {**existing, "id": existing_id}
    return [key for key in merged if normalized(before.get(key)) != normalized(merged[key])]


def describe(existing: dict[str, Any], merged: dict[str, Any], keys: list[str]) -> list[str]:
    """Short human descriptions of changes, for `--dry-run` and the import log."""
    notes = []
    for key in keys:
        old, new = existing.get(key), merged[key]
        if old is None:
            notes.append(f"{key} added")
        elif isinstance(new, (int, dt.date)) and not isinstance(new, bool):
            notes.append(f"{key} {old} -> {new}")
        elif key == "id":
            notes.append(f"id -> {new}")
        else:
            notes.append(f"{key} changed")
    return notes


# --- rewriting a record in place ------------------------------------------------


def patch_text(text: str, node: yaml.MappingNode, merged: dict[str, Any], keys: list[str]) -> str | None:
    """Rewrite `keys` of the record `node` in `text`; None when it cannot be done in place.

    A changed key's `key: value` span is replaced; a new key is inserted after
    the nearest key that precedes it in KEY_ORDER. Everything else, comments
    included, stays byte for byte.
    """
    if node.flow_style or not node.value:
        return None
    column = node.value[0][0].start_mark.column
    spans = {str(k.value): (k.start_mark.index, _content_end(text, k, v)) for k, v in node.value}
    if any(k.start_mark.column != column for k, _ in node.value):
        return None
    edits: list[tuple[int, int, str]] = []
    for key in keys:
        rendered = _render(key, merged[key], column)
        if key in spans:
            start, end = spans[key]
            edits.append((start, end, rendered))
        else:
            anchor = _anchor(key, spans)
            line_end = text.find("\n", spans[anchor][1])
            line_end = len(text) if line_end < 0 else line_end
            edits.append((line_end, line_end, "\n" + " " * column + rendered))
    # Later edits first, so earlier offsets stay valid; inserts at one place keep key order.
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text if text.endswith("\n") else text + "\n"


def _anchor(key: str, spans: dict[str, tuple[int, int]]) -> str:
    """The existing key a new key is inserted after."""
    position = KEY_ORDER.index(key) if key in KEY_ORDER else len(KEY_ORDER)
    before = [k for k in spans if k in KEY_ORDER[:position]]
    if before:
        return max(before, key=lambda k: spans[k][1])
    return max(spans, key=lambda k: spans[k][1])


def _render(key: str, value: Any, column: int) -> str:
    """`key: value` as dump_record writes it, indented to `column`, without the final newline."""
    lines = dump_record({key: value}).rstrip("\n").split("\n")
    return "\n".join([lines[0]] + [" " * column + line if line else line for line in lines[1:]])


def _content_end(text: str, key: yaml.Node, value: yaml.Node) -> int:
    """Where a key's value ends: its last scalar, before any trailing blank lines or comments."""
    end = max(key.end_mark.index, _last_index(value))
    while end > key.end_mark.index and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _last_index(node: yaml.Node) -> int:
    if isinstance(node, yaml.ScalarNode) or not node.value or getattr(node, "flow_style", False):
        return int(node.end_mark.index)
    if isinstance(node, yaml.MappingNode):
        return max(_last_index(child) for pair in node.value for child in pair)
    return max(_last_index(child) for child in node.value)
