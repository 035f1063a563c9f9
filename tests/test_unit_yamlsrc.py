"""yamlsrc.py: safe YAML with lines, limits and clear messages."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from generator import yamlsrc
from generator.yamlsrc import MAX_DEPTH, MAX_FILE_BYTES, BadTimestamp, decode_source, line_of, mapping_items, parse_yaml


def parsed(text: str) -> object:
    doc, problems = parse_yaml(text, "x.yaml")
    assert problems == [] and doc is not None
    return doc.value


def errors(text: str) -> list[str]:
    doc, problems = parse_yaml(text, "x.yaml")
    assert doc is None
    return [str(p) for p in problems]


def test_plain_values_and_the_line_of_every_key_and_item() -> None:
    doc, problems = parse_yaml("# header\nid: '2512.01234'\ntags:\n  - a\n  - b\nupvotes: 3\n", "x.yaml")
    assert problems == [] and doc is not None
    assert doc.value == {"id": "2512.01234", "tags": ["a", "b"], "upvotes": 3}
    items = mapping_items(doc.node)
    assert {key: line_of(key_node) for key, (key_node, _) in items.items()} == {
        "id": 2, "tags": 3, "upvotes": 6}
    assert [line_of(item) for item in items["tags"][1].value] == [4, 5]
    assert line_of(None) == 0
    assert mapping_items(items["tags"][1]) == {}  # not a mapping


def test_a_list_of_records_keeps_each_records_line() -> None:
    doc, _ = parse_yaml("- id: a\n  title: A\n\n- id: b\n", "x.yaml")
    assert doc is not None
    assert [line_of(node) for node in doc.node.value] == [1, 4]


def test_empty_and_comment_only_documents_are_none() -> None:
    for text in ("", "# nothing\n", "---\n", "---\n...\n"):
        doc, problems = parse_yaml(text, "x.yaml")
        assert problems == [] and doc is not None and doc.value is None


def test_dates_are_dates_and_impossible_ones_are_kept_for_the_field_to_report() -> None:
    value = parsed("a: 2025-12-08\nb: 2025-02-30\nc: 2025-12-08 10:00:00+02:00\nd: '2025-12-08'\n")
    assert value == {"a": dt.date(2025, 12, 8), "b": BadTimestamp("2025-02-30"),
                     "c": dt.datetime(2025, 12, 8, 10, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                     "d": "2025-12-08"}
    assert parsed("a: 2025-13-45\n") == {"a": BadTimestamp("2025-13-45")}


@pytest.mark.parametrize("text, line, key, first", [
    ("a: 1\nb: 2\na: 3\n", 3, "a", 1),
    ("x:\n  k: 1\n  k: 2\n", 3, "k", 2),
    ("- id: a\n- id: b\n  title: T\n  id: c\n", 4, "id", 2),
])
def test_duplicate_keys_are_errors_naming_both_lines(text: str, line: int, key: str, first: int) -> None:
    assert errors(text) == [f"x.yaml:{line}: {key}: duplicate key (first on line {first})"]


def test_every_duplicate_in_a_file_is_reported() -> None:
    assert errors("a: 1\na: 2\nb: 1\nb: 2\n") == [
        "x.yaml:2: a: duplicate key (first on line 1)", "x.yaml:4: b: duplicate key (first on line 3)"]


@pytest.mark.parametrize("text, tag", [
    ("a: !!python/object/apply:os.system ['echo pwned']\n", "tag:yaml.org,2002:python/object/apply:os.system"),
    ("a: !!python/name:os.system\n", "tag:yaml.org,2002:python/name:os.system"),
    ("a: !!python/tuple [1, 2]\n", "tag:yaml.org,2002:python/tuple"),
    ("a: !custom 1\n", "!custom"),
])
def test_python_and_unknown_tags_are_rejected(text: str, tag: str) -> None:
    assert errors(text) == [f"x.yaml:1: yaml: could not determine a constructor for the tag '{tag}'"]


def test_a_file_holds_one_document() -> None:
    assert errors("id: a\n---\nid: b\n") == [
        "x.yaml:2: yaml: expected a single document in the stream but found another document"]
    assert parsed("---\nid: a\n...\n") == {"id": "a"}


def test_syntax_errors_name_their_line() -> None:
    assert errors("id: a\ntitle: b: c\n") == ["x.yaml:2: yaml: mapping values are not allowed in this context; "
                                               'a value with ": " in it must be quoted: title: "b: c"']
    assert errors("id: a\n\ttitle: b\n") == [
        "x.yaml:2: yaml: while scanning a plain scalar found a tab character that violates indentation; "
        "YAML indents with spaces only: replace the tab with spaces"]
    assert errors("a: &x 1\nb: *y\n") == ["x.yaml:2: yaml: found undefined alias"]


def test_an_alias_bomb_is_stopped_before_it_is_expanded() -> None:
    # 9 ** 9 (387 million) strings once expanded: a "billion laughs" attack.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    assert errors("\n".join(lines) + "\n") == [
        "x.yaml:6: yaml: too many nodes once aliases are expanded (alias bomb?)"]


def test_ordinary_aliases_and_merge_keys_still_work() -> None:
    assert parsed("base: &b {x: 1}\nuse: *b\nmerged:\n  <<: *b\n  y: 2\n") == {
        "base": {"x": 1}, "use": {"x": 1}, "merged": {"x": 1, "y": 2}}


def test_nesting_is_limited() -> None:
    # The root mapping is depth 0 and the outermost list depth 1.
    assert parsed("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n") is not None
    assert errors("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n") == [
        f"x.yaml:1: yaml: nesting deeper than {MAX_DEPTH} levels"]
    # PyYAML >= 6.0.4 stops very deep flow nesting in its own parser, with its own words
    [deep] = errors("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert deep in (f"x.yaml:1: yaml: nesting deeper than {MAX_DEPTH} levels",
                    "x.yaml:1: yaml: while increasing flow level exceeded maximum nesting depth")


def test_a_control_character_names_its_line() -> None:
    assert errors("id: a\ntitle: x\x01y\n") == [
        'x.yaml:2: yaml: character U+0001 is not allowed in YAML; remove it or write it as "\\u0001" '
        "in a double-quoted string"]
    assert parsed('title: "x\\u0001y"\n') == {"title": "x\x01y"}  # escaped is fine


def test_a_control_character_names_its_line_without_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    class PureLoader(yaml.SafeLoader):
        pass
    PureLoader.add_constructor("tag:yaml.org,2002:timestamp", yamlsrc._timestamp)
    monkeypatch.setattr(yamlsrc, "_Loader", PureLoader)
    assert errors("id: a\n\ntitle: \x00\n") == [
        'x.yaml:3: yaml: character U+0000 is not allowed in YAML; remove it or write it as "\\u0000" '
        "in a double-quoted string"]
    assert errors("a: 1\na: 2\n") == ["x.yaml:2: a: duplicate key (first on line 1)"]
    assert parsed("d: 2025-02-30\n") == {"d": BadTimestamp("2025-02-30")}


# bytes -> text -------------------------------------------------------------------------------

def test_utf8_with_and_without_a_bom() -> None:
    assert decode_source("title: café\n".encode(), "x.yaml") == ("title: café\n", [])
    assert decode_source(b"\xef\xbb\xbftitle: a\n", "x.yaml") == ("title: a\n", [])
    text, _ = decode_source(b"\xef\xbb\xbfid: a\n", "x.yaml")
    assert text is not None and parsed(text) == {"id": "a"}  # the BOM is not part of the first key


@pytest.mark.parametrize("data, line, offset", [
    (b"id: a\ntitle: caf\xe9\n", 2, 16),   # Latin-1
    (b"\xff", 1, 0),
    (b"id: a\n\n\nx: \xc3\n", 4, 11),       # a cut multi-byte sequence
    (b"\xef\xbb\xbfid: \x80\n", 1, 7),      # offsets count the BOM: they are file offsets
    (b"\xef\xbb\xbfa\nb\n\x80", 3, 7),
])
def test_non_utf8_names_the_line_and_byte_offset(data: bytes, line: int, offset: int) -> None:
    text, problems = decode_source(data, "content/x.yaml")
    assert text is None
    assert [str(p) for p in problems] == [
        f"content/x.yaml:{line}: not valid UTF-8 at byte offset {offset}; save the file as UTF-8"]


def test_utf16_and_oversized_files_are_refused() -> None:
    for data in (b"\xff\xfe" + "id: a\n".encode("utf-16-le"), b"\xfe\xff" + "id: a\n".encode("utf-16-be")):
        assert [str(p) for p in decode_source(data, "x.yaml")[1]] == [
            "x.yaml: file is UTF-16 or UTF-32; save it as UTF-8"]
    assert [str(p) for p in decode_source(b"#" * (MAX_FILE_BYTES + 1), "x.yaml")[1]] == [
        "x.yaml: file is larger than 8 MB"]
    assert decode_source(b"#" * MAX_FILE_BYTES, "x.yaml")[1] == []
