"""Deterministic, human-friendly YAML for one paperfeed record."""

from __future__ import annotations

from typing import Any

import yaml

# Strings longer than this (or with a line break) are written as literal block
# scalars (`|-`): an abstract then reads as text, with no quoting or escapes.
_BLOCK_MIN_CHARS = 100


class _BlockStr(str):
    """A string to be emitted as a literal block scalar."""


class _RecordDumper(yaml.SafeDumper):
    """SafeDumper that indents list items under their key (`authors:\\n  - A`)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_block(dumper: yaml.SafeDumper, value: _BlockStr) -> yaml.ScalarNode:
    # The emitter falls back to a quoted style by itself when a block scalar
    # cannot hold the text exactly (trailing spaces before a break, control chars).
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


_RecordDumper.add_representer(_BlockStr, _represent_block)


def _mark_blocks(value: Any) -> Any:
    """Return a copy of `value` with long or multi-line strings marked as blocks."""
    if isinstance(value, str):
        if "\n" in value or len(value) > _BLOCK_MIN_CHARS:
            return _BlockStr(value)
        return value
    if isinstance(value, dict):
        return {key: _mark_blocks(item) for key, item in value.items()}
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
    or multi-line strings (abstracts) are literal `|-` blocks.
    """
    text = _dump(_mark_blocks(record))
    if yaml.safe_load(text) != record:
        # Defensive: should a block style ever not round-trip, plain quoting does.
        text = _dump(record)
    return text
