"""Safe YAML loading that keeps the line of every key and item.

PyYAML nodes carry `start_mark`; we compose nodes first (so errors can name
lines), check them against our limits, then construct plain values with the
safe constructor only. libyaml's C loader is used when present (~15x faster).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer

from generator.errors import Problem, SourceLocation

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class BadTimestamp:
    """A scalar that looks like a date but is not one (2025-02-30): reported by field, with its line."""

    text: str


class _Loader(_Base):  # type: ignore[misc]
    """The safe loader, with impossible dates kept as values so the field's line can be named."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return BadTimestamp(str(node.value))


def _int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    """An integer too long for Python's int() (4,300 digits) stays text: its field reports it, with its line."""
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:
        return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _int)


class _DepthComposer(Composer):
    """PyYAML's Python composer, stopping at MAX_DEPTH levels.

    libyaml's C composer recurses on the C stack: ~30,000 nested `[` (60 KB)
    crash the process with a segfault before any limit can be checked. This
    composer reads the same C parser's events, so only nesting costs Python speed.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nesting deeper than {MAX_DEPTH} levels",
                                                  self.peek_event().start_mark)  # type: ignore[attr-defined]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _GuardedLoader(_DepthComposer, _Loader):
    """_Loader with the depth-checking composer (used when a file could nest deeply)."""

    def __init__(self, stream: str) -> None:
        _Loader.__init__(self, stream)  # type: ignore[call-arg]
        Composer.__init__(self)


# Every nesting level needs one of these characters, so a file with fewer of them cannot
# nest deeper than that count: such files (nearly all records) keep the fast C composer.
_NESTING = "[{-?:"
MAX_FAST_NESTING = 512

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 32
MAX_EXPANDED_NODES = 200_000


@dataclass(frozen=True)
class YamlDoc:
    """A parsed document: its plain value and the node tree for locations."""

    value: Any
    node: yaml.Node | None


def line_of(node: yaml.Node | None) -> int:
    """1-based line where a node starts (0 when unknown)."""
    return node.start_mark.line + 1 if node is not None else 0


def mapping_items(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """Key text -> (key node, value node) for a mapping node."""
    return {str(k.value): (k, v) for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}


def node_at(node: yaml.Node | None, path: Sequence[object]) -> yaml.Node | None:
    """The node a path of mapping keys and list indexes leads to, as far as it goes.

    A path ending on a mapping key gives the key's node (`blog:` in `links:`), so an
    error names the line a reader looks for; an index gives the list item.
    """
    for i, step in enumerate(path):
        if isinstance(node, yaml.MappingNode):
            entry = next(((k, v) for k, v in node.value if str(k.value) == str(step)), None)
            if entry is None:
                break
            node = entry[0] if i == len(path) - 1 else entry[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
        else:
            break
    return node


def decode_source(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 (an optional BOM is dropped); name the byte offset of bad bytes."""
    where = SourceLocation(path)
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(where, "", f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]:
        # a BOM, or ASCII text with NUL bytes between: nobody writes NUL into a record by hand
        return None, [Problem(where, "", "file is UTF-16 or UTF-32; save it as UTF-8")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # utf-8-sig counts from after the BOM; the user's hex editor counts from the file's start.
        offset = exc.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
        line = line_at(data[:offset].decode("utf-8", "replace"), offset)
        return None, [Problem(SourceLocation(path, line), "",
                              f"not valid UTF-8 at byte offset {offset}; save the file as UTF-8")]
    return text, []


def parse_yaml(text: str, path: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse one YAML document safely; return it, or the problems that stop it."""
    loader = None
    try:
        loader = _loader_for(text)  # the pure-Python reader checks characters here already
        node = loader.get_single_node()
        problems = _check_limits(node, path)
        if problems:
            return None, problems
        value = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:  # a control character: it has a position, not a mark
        # libyaml's position counts UTF-8 bytes, PyYAML's characters: find the character ourselves.
        found = _NOT_YAML.search(text)
        line = line_at(text, found.start() if found else exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return None, [Problem(SourceLocation(path, line), "yaml",
                              f"character U+{code:04X} is not allowed in YAML; remove it or "
                              f"write it as \"\\u{code:04X}\" in a double-quoted string")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        if "maximum nesting depth" in message:  # newer PyYAML/libyaml stop deep nesting themselves
            message = f"nesting deeper than {MAX_DEPTH} levels"
        message = _plain(message)
        hint = _hint(text, line, message)
        return None, [Problem(SourceLocation(path, line), "yaml", f"{message}; {hint}" if hint else message)]
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        return None, [Problem(SourceLocation(path), "yaml", _plain(str(exc)))]
    finally:
        if loader is not None:
            loader.dispose()
    return YamlDoc(value, node), []


def _loader_for(text: str) -> yaml.SafeLoader:
    if sum(text.count(c) for c in _NESTING) < MAX_FAST_NESTING:
        return _Loader(text)
    return _GuardedLoader(text)


# YAML 1.1's printable set: anything else makes the reader stop.
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAK = re.compile(r"\r\n?|\n")


def line_at(text: str, offset: int) -> int:
    """1-based line of a character offset; CRLF, CR and LF all end a line, as in YAML."""
    return len(_LINE_BREAK.findall(text, 0, offset)) + 1


_KEY_VALUE = re.compile(r"^(\s*)(-\s+)?([\w-]+):\s+(.*)$")


def _hint(text: str, line: int, message: str) -> str:
    """What the parser's words usually mean, for the three mistakes people make by hand."""
    lines = _LINE_BREAK.split(text)
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if "tab" in message or here[: len(here) - len(here.lstrip())].count("\t"):
        return "YAML indents with spaces only: replace the tab with spaces"
    if "mapping values are not allowed" not in message and "expected key" not in message:
        return ""
    found = _KEY_VALUE.match(here)
    above = next((t for t in reversed(lines[: line - 1]) if t.strip() and not t.lstrip().startswith("#")), "")
    indent = len(here) - len(here.lstrip(" "))
    above_indent = len(above) - len(above.lstrip(" "))
    if found and ": " in found.group(4) and not found.group(4).startswith(("'", '"')) and indent <= above_indent:
        key, value = found.group(3), found.group(4).strip()
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'a value with ": " in it must be quoted: {key}: "{quoted}"'
    if indent != above_indent:
        return (f"line {line} is indented {indent} space{'' if indent == 1 else 's'}, the line above "
                f"{above_indent}: keys of one mapping (and items of one list) start in the same column")
    return ""


def _plain(message: str) -> str:
    return " ".join(message.split()) or "invalid YAML"


def _check_limits(root: yaml.Node | None, path: str) -> list[Problem]:
    """Reject alias bombs, deep nesting and duplicate keys before constructing."""
    problems: list[Problem] = []
    sizes: dict[int, int] = {}

    def walk(node: yaml.Node, depth: int) -> int:
        if id(node) in sizes:  # an alias: count its expanded size again
            return sizes[id(node)]
        if depth > MAX_DEPTH:
            raise _LimitError(node, f"nesting deeper than {MAX_DEPTH} levels")
        size = 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        problems.append(Problem(SourceLocation(path, line_of(key)), str(key.value),
                                                f"duplicate key (first on line {seen[key.value]})"))
                    seen[key.value] = line_of(key)
                size += walk(key, depth + 1) + walk(value, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            size += sum(walk(item, depth + 1) for item in node.value)
        if size > MAX_EXPANDED_NODES:
            raise _LimitError(node, "too many nodes once aliases are expanded (alias bomb?)")
        sizes[id(node)] = size
        return size

    if root is None:
        return []
    try:
        walk(root, 0)
    except _LimitError as exc:
        return [Problem(SourceLocation(path, line_of(exc.node)), "yaml", exc.message)]
    return problems


class _LimitError(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message
