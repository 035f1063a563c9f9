"""The content folder as the importers see it: find records by id, merge, write atomically.

Every record already under content/ is indexed by its version-less id (case
ignored), so a paper featured on another day, or imported from another source,
is updated where it is, never duplicated. Changes are staged in memory, each
changed file is validated with the site's own record parser, and only then
written: temp file + os.replace, so a reader never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.content import discover, load_file, load_marker, read_content_file
from generator.days import DayMarker, dump_marker, format_time, is_marker, marker_path, record_fetch
from generator.errors import BuildError, Problem, SourceLocation
from generator.importers.hf import record_path
from generator.importers.merge import changed_keys, describe, merge_record, normalized, patch_text
from generator.importers.yamlout import dump_record
from generator.model import parse_paper_id
from generator.record import RecordContext
from generator.writer import write_atomic
from generator.yamlsrc import decode_source, mapping_items, parse_yaml


@dataclass(frozen=True)
class Change:
    """What one imported record did: create, update or nothing."""

    action: str  # "create" | "update" | "unchanged"
    path: str  # as shown to the user (relative to the site)
    paper_id: str
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        notes = f": {', '.join(self.notes)}" if self.notes else ""
        return f"{self.action} {self.path} ({self.paper_id}){notes}"


@dataclass
class ContentStore:
    """Records under one content folder, with staged (not yet written) changes."""

    site_dir: Path
    content_dir: Path
    ctx: RecordContext
    texts: dict[Path, str] = field(default_factory=dict)  # as on disk
    staged: dict[Path, str] = field(default_factory=dict)
    by_key: dict[str, Path] = field(default_factory=dict)
    by_title: dict[str, Path] = field(default_factory=dict)  # slug-id records only
    refused: list[Problem] = field(default_factory=list)  # records a link would put outside content/

    @classmethod
    def load(cls, site_dir: Path, content_dir: Path, ctx: RecordContext) -> tuple[ContentStore, list[Problem]]:
        """Index every record file; a file that is not readable YAML is a problem (nothing is merged blind)."""
        store = cls(site_dir, content_dir, ctx)
        problems: list[Problem] = []
        for path in discover(content_dir):
            data, refused = read_content_file(path, content_dir, store.shown(path))
            if data is None:
                problems += refused
                continue
            text, file_problems = decode_source(data, store.shown(path))
            doc, yaml_problems = parse_yaml(text, store.shown(path)) if text is not None else (None, [])
            problems += file_problems + yaml_problems
            if text is None or doc is None:
                continue
            store.texts[path] = text
            if is_marker(path.name):
                continue  # a day marker, not records (mark_day reads it)
            for node in _record_nodes(doc.node):
                store._index(path, node)
        return store, problems

    def shown(self, path: Path) -> str:
        return path.relative_to(self.site_dir).as_posix() if path.is_relative_to(self.site_dir) else str(path)

    def _index(self, path: Path, node: yaml.MappingNode) -> None:
        items = mapping_items(node)
        paper_id = parse_paper_id(_scalar(items.get("id")))
        if paper_id is None:
            return
        self.by_key.setdefault(paper_id.key.casefold(), path)
        title = _title_key(_scalar(items.get("title")))
        if not paper_id.arxiv and title:
            self.by_title.setdefault(title, path)

    def text(self, path: Path) -> str:
        return self.staged.get(path, self.texts.get(path, ""))

    def put(self, record: dict[str, Any]) -> tuple[Change | None, list[str]]:
        """Stage one record: merged into its existing file, or a new file by featured day."""
        paper_id = parse_paper_id(str(record["id"]))
        if paper_id is None:
            return None, [f"{record['id']}: id: expected an arXiv id or a slug"]
        path = self.by_key.get(paper_id.key.casefold())
        if path is None and paper_id.arxiv:
            path = self.by_title.get(_title_key(str(record.get("title", ""))))
            if path is not None:
                record = {**record, "links": {"arxiv": f"https://arxiv.org/abs/{paper_id.full}",
                                              **record.get("links", {})}}
        if path is None:
            return self._create(record, paper_id.key)
        return self._update(path, record, paper_id.key)

    def _create(self, record: dict[str, Any], key: str) -> tuple[Change | None, list[str]]:
        path = self.content_dir / record_path({**record, "id": key})
        refused = self.escape(path)
        if refused is not None:
            self.refused.append(refused)
            return None, []
        if path.exists() or path in self.staged:
            problem = f"{record['id']}: {self.shown(path)} exists but holds another paper; not overwritten"
            return None, [problem]
        self.staged[path] = dump_record(record)
        self.by_key[key.casefold()] = path
        return Change("create", self.shown(path), str(record["id"])), []

    def _update(self, path: Path, record: dict[str, Any], key: str) -> tuple[Change | None, list[str]]:
        text = self.text(path)
        doc, _ = parse_yaml(text, self.shown(path))
        root, value = (doc.node, doc.value) if doc else (None, None)
        # A title match (a slug record for an arXiv paper) is found by its title.
        found = _find(root, value, key) or _find_title(root, value, record)
        if found is None:
            return None, [f"{record['id']}: lost track of it in {self.shown(path)}; not updated"]
        node, existing, existing_id = found
        merged = merge_record(existing, record, existing_id)
        keys = changed_keys(existing, merged, existing_id)
        shown_id = str(merged["id"])
        if not keys:
            return Change("unchanged", self.shown(path), shown_id), []
        new_text = patch_text(text, node, merged, keys)
        if new_text is None or not _same_record(new_text, merged, key):
            if not isinstance(value, dict):
                problem = (f"{record['id']}: {self.shown(path)} cannot be updated in place "
                           "(a list or flow-style record); update it by hand")
                return None, [problem]
            new_text = dump_record(merged)
        self.staged[path] = new_text
        return Change("update", self.shown(path), shown_id, tuple(describe(existing, merged, keys))), []

    def mark_day(self, day: dt.date, fetched: dt.datetime, listed: int,
                 timezone: str) -> tuple[Change | None, str]:
        """Stage the day's marker after one fetch of its listing (generator/days.py says how).

        Returns the change (relative to the disk) or why the marker was left alone.
        """
        path = self.content_dir / marker_path(day)
        refused = self.escape(path)
        if refused is not None:
            self.refused.append(refused)
            return None, ""
        old: DayMarker | None = None
        text = self.text(path)
        if text:
            old, problems = load_marker(text.encode("utf-8"), marker_path(day), self.shown(path))
            if old is None:
                return None, f"{problems[0]}; {self.shown(path)} not updated"
        marker = record_fetch(old, day, fetched, listed, timezone)
        new_text = dump_marker(marker)
        self.staged[path] = new_text
        state = {True: "complete", False: "held back (complete: false)", None: "in progress"}[marker.complete]
        notes = (state, f"fetched {format_time(marker.fetched)}" if marker.fetched else "",
                 f"{marker.listed} listed" if marker.listed is not None else "")
        before = self.texts.get(path)
        action = "create" if before is None else "unchanged" if before == new_text else "update"
        return Change(action, self.shown(path), day.isoformat(), tuple(n for n in notes if n)), ""

    def validate(self) -> list[Problem]:
        """Check every staged file with the site's parser; drop the ones that would not build."""
        problems: list[Problem] = []
        for path, text in sorted(self.staged.items()):
            if is_marker(path.name):
                relative = path.relative_to(self.content_dir).as_posix()
                _, file_problems = load_marker(text.encode("utf-8"), relative, self.shown(path))
            else:
                _, file_problems = load_file(text.encode("utf-8"), self.shown(path), self.ctx)
            if file_problems:
                problems += file_problems
                del self.staged[path]
        return problems

    def pending(self) -> dict[Path, str]:
        """Staged files whose bytes differ from the disk."""
        return {p: t for p, t in sorted(self.staged.items()) if t != self.texts.get(p)}

    def escape(self, path: Path) -> Problem | None:
        """Why `path` must not be written: a symbolic link under content/ leads out of it.

        The build neither follows a linked folder nor reads a linked file that leads out
        of content/, so such a paper would be written and then silently never published.
        """
        if _real_path(path).is_relative_to(self.content_dir.resolve()):
            return None
        return Problem(SourceLocation(self.shown(path)), "",
                       f"a symbolic link leads outside {self.content_dir.name}/; refusing to write there")

    def commit(self) -> list[Path]:
        """Write the pending files atomically; return their paths.

        Raises WriteError (a BuildError) when the disk refuses one (full, read-only, no
        permission): it says which files were written before that.
        """
        written: list[Path] = []
        for path, text in self.pending().items():
            try:
                write_atomic(path, text.encode("utf-8"))
            except OSError as exc:
                raise WriteError(self.shown(path), exc, [self.shown(p) for p in written]) from None
            self.texts[path] = text
            written.append(path)
        self.staged.clear()
        return written


class WriteError(BuildError):
    """The disk refused a record file; names it, the reason, and what was written before it."""

    def __init__(self, shown: str, error: OSError, written: list[str]) -> None:
        done = (f"; written before it: {', '.join(written)}" if written
                else "; nothing was written")
        super().__init__(f"{shown}: cannot write the file: {error.strerror or error}{done}")


def _real_path(path: Path) -> Path:
    """Where writing `path` lands: its deepest existing folder with every link resolved.

    The file itself, if a link, is replaced (os.replace), not written through.
    """
    folder = path.parent
    while not folder.exists() and not folder.is_symlink() and folder != folder.parent:
        folder = folder.parent
    return folder.resolve() / path.relative_to(folder)


def _record_nodes(node: yaml.Node | None) -> list[yaml.MappingNode]:
    if isinstance(node, yaml.MappingNode):
        return [node]
    if isinstance(node, yaml.SequenceNode):
        return [item for item in node.value if isinstance(item, yaml.MappingNode)]
    return []


def _scalar(pair: tuple[yaml.Node, yaml.Node] | None) -> str:
    """The text of a scalar value as written (2512.01230 stays a string, zero kept)."""
    if pair is None or not isinstance(pair[1], yaml.ScalarNode):
        return ""
    return str(pair[1].value).strip()


def _title_key(title: str) -> str:
    return " ".join(re.findall(r"\w+", title.casefold()))


def _pairs(node: yaml.Node | None, value: Any) -> list[tuple[yaml.MappingNode, dict[str, Any]]]:
    if isinstance(node, yaml.MappingNode) and isinstance(value, dict):
        return [(node, value)]
    if isinstance(node, yaml.SequenceNode) and isinstance(value, list):
        return [(n, v) for n, v in zip(node.value, value, strict=True)
                if isinstance(n, yaml.MappingNode) and isinstance(v, dict)]
    return []


def _find(node: yaml.Node | None, value: Any, key: str) -> tuple[yaml.MappingNode, dict[str, Any], str] | None:
    """The record with version-less id `key` in a parsed file: node, value, id as written."""
    for item_node, item in _pairs(node, value):
        written = _scalar(mapping_items(item_node).get("id"))
        paper_id = parse_paper_id(written)
        if paper_id is not None and paper_id.key.casefold() == key.casefold():
            return item_node, item, written
    return None


def _find_title(node: yaml.Node | None, value: Any,
                record: dict[str, Any]) -> tuple[yaml.MappingNode, dict[str, Any], str] | None:
    title = _title_key(str(record.get("title", "")))
    for item_node, item in _pairs(node, value):
        if _title_key(str(item.get("title", ""))) == title:
            return item_node, item, _scalar(mapping_items(item_node).get("id"))
    return None


def _same_record(text: str, merged: dict[str, Any], key: str) -> bool:
    """The patched text still parses and holds exactly the merged record."""
    doc, problems = parse_yaml(text, "patched")
    found = _find(doc.node, doc.value, key) if doc and not problems else None
    if found is None:
        found = _find(doc.node, doc.value, str(merged["id"])) if doc and not problems else None
    if found is None:
        return False
    _, value, written = found
    return bool(normalized({**value, "id": written}) == normalized(merged))
