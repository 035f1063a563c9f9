"""Deterministic, human-friendly YAML for one paperfeed record."""

from __future__ import annotations

from typing import Any

import yaml

# Fields written as literal block scalars (`|-`) even on one line: the text then
# reads as prose, with no quoting or escapes. Any string with a line break is too.
_BLOCK_KEYS = frozenset({"abstract"})


class _BlockStr(str):
    """A string to be emitted as a literal block scalar."""


class _RecordDumper(yaml.SafeDumper):
    """SafeDumper that indents list items under their key (`authors:\\n  - A`) and never
    writes anchors: a record shares one date object between `published` and `date`,
    and `published: &id001 ...` / `date: *id001` is not what anyone would type."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_block(dumper: yaml.SafeDumper, value: _BlockStr) -> yaml.ScalarNode:
    # The emitter falls back to a quoted style by itself when a block scalar
    # cannot hold the text exactly (trailing spaces before a break, control chars).
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


_RecordDumper.add_representer(_BlockStr, _represent_block)


def _mark_blocks(value: Any, block: bool = False) -> Any:
    """Return a copy of `value` with multi-line strings (or all, if `block`) marked."""
    if isinstance(value, str):
        return _BlockStr(value) if block or "\n" in value else value
    if isinstance(value, dict):
        return {key: _mark_blocks(item, key in _BLOCK_KEYS) for key, item in value.items()}
    if isinstance(value, list):
        return [_mark_blocks(item) for item in value]
    return value


def _dump(value: Any) -> str:
    return yaml.dump(
        value,
        Dumper=_RecordDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,  # never fold titles, URLs or names across lines
    )


def dump_record(record: dict[str, Any]) -> str:
    """Return `record` as a YAML document that `yaml.safe_load` turns back into it.

    Keys keep the record's order; dates are plain `YYYY-MM-DD`; strings that would
    load as another type (ids like `2512.01234`, `yes`, `null`) are quoted; long
    the abstract and any multi-line string are literal `|-` blocks.
    """
    text = _dump(_mark_blocks(record))
    if yaml.safe_load(text) != record:
        # Defensive: should a block style ever not round-trip, plain quoting does.
        text = _dump(record)
    return text
