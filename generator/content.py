"""Discover, parse and validate every record under content_dir, and the day markers beside them.

A day marker (`<yyyy>/<mm>/<dd>/_day.yaml`, generator/days.py) is no record: discover() lists
it with the records (so a changed marker changes the build's inputs), load_papers() passes it
over and load_days() reads it with its own schema.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from generator.days import DayMarker, is_marker, parse_marker
from generator.errors import Problem, SourceLocation
from generator.model import Paper
from generator.record import RecordContext, parse_record
from generator.tree import file_entries, hidden
from generator.urls import paper_slug
from generator.yamlsrc import MAX_FILE_BYTES, decode_source, parse_yaml

SUFFIXES = (".yaml", ".yml")


#: A record file (or day marker) as a build lists it: (its path as the system takes it, its
#: path as the user is shown it). Strings: a build that finds nothing changed never makes a Path.
RecordFile = tuple[str, str]


def _record_paths(content_dir: Path) -> list[str]:
    return [entry.path for _, entry in file_entries(content_dir, prune=hidden)
            if entry.name.lower().endswith(SUFFIXES)]


def discover(content_dir: Path) -> list[Path]:
    """Record files under content_dir, sorted; hidden files and folders are skipped."""
    return [Path(path) for path in _record_paths(content_dir)]


def outside_link(path: Path, content_dir: Path, shown: str) -> list[Problem]:
    """A record file that is a symbolic link out of content_dir is refused: a pull request
    could otherwise publish /proc/self/environ or a CI credential file as a paper."""
    if path.is_symlink() and not path.resolve().is_relative_to(content_dir.resolve()):
        return [Problem(SourceLocation(shown), "", f"a symbolic link to a file outside {content_dir.name}/; "
                        "refusing to read it")]
    return []


def read_bounded(path: Path | str) -> bytes:
    """A file's bytes, never more than the size limit (+1, so decode_source can say it is too big)."""
    with open(path, "rb") as handle:
        # Asking for the limit would allocate it (8 MB) for every file: ask for its size + 1.
        size = os.fstat(handle.fileno()).st_size
        data = handle.read(min(size, MAX_FILE_BYTES) + 1)
        if len(data) <= size or len(data) > MAX_FILE_BYTES:
            return data
        return data + handle.read(MAX_FILE_BYTES + 1 - len(data))  # it grew (or is no regular file)


def load_file(data: bytes, shown: str, ctx: RecordContext) -> tuple[list[Paper], list[Problem]]:
    """Parse one file's bytes into papers (a file holds a record or a list of records)."""
    text, problems = decode_source(data, shown)
    if text is None:
        return [], problems
    doc, problems = parse_yaml(text, shown)
    if doc is None:
        return [], problems
    if doc.value is None:
        return [], [Problem(SourceLocation(shown, 1), "", "empty file; expected a record or a list of records")]
    if isinstance(doc.value, list):
        pairs = list(zip(doc.value, doc.node.value, strict=True))  # type: ignore[union-attr]
    else:
        pairs = [(doc.value, doc.node)]
    papers: list[Paper] = []
    for raw, node in pairs:
        paper, record_problems = parse_record(raw, node, shown, ctx)
        problems += record_problems
        if paper is not None:
            papers.append(paper)
    return papers, problems


def check_unique(papers: list[Paper]) -> list[Problem]:
    """Two records with one page are an error naming both files.

    Versions and case are ignored, and so is the '/' of old-style arXiv ids, since
    hep-th/9711200 and a slug hep-th-9711200 would share /papers/hep-th-9711200/.
    """
    seen: dict[str, Paper] = {}
    problems = []
    for paper in sorted(papers, key=lambda p: (p.source, p.line)):
        first = seen.setdefault(paper_slug(paper.id).casefold(), paper)
        if first is not paper:
            problems.append(Problem(SourceLocation(paper.source, paper.line), "id",
                                    f"duplicate id {paper.key!r} (also in {first.source}:{first.line})"))
    return problems


Parsed = tuple[list[Paper], list[Problem]]
#: (path, shown path, parse(bytes, shown)) -> parsed: how a file is read (the build cache has its own)
Reader = Callable[[Path, str, Callable[[bytes, str], Parsed]], Parsed]


def read_file(path: Path, shown: str, parse: Callable[[bytes, str], Parsed]) -> Parsed:
    return parse(read_bounded(path), shown)


def shown_name(text: str) -> str:
    """A path as the user is shown it: bytes that are not UTF-8 (Python keeps them as lone
    surrogates, which cannot be printed, hashed as UTF-8 or written to JSON) as \\xff escapes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


def not_utf8(path: Path, shown: str) -> list[Problem]:
    """A file name that is not UTF-8 is refused, by check and build alike: git stores it, but
    macOS and Windows cannot check it out, and every message naming it would be mangled."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return [Problem(SourceLocation(shown), "", "the file name is not valid UTF-8 (its bytes are shown "
                        "as \\x escapes); rename the file")]
    return []


def record_files(site_dir: Path, content_dir: Path) -> list[RecordFile]:
    """Every record file (and day marker) with its path as the user knows it (relative to the
    site), printable; sorted, hidden files and folders skipped."""
    prefix = str(site_dir).rstrip(os.sep) + os.sep
    found = []
    for text in _record_paths(content_dir):
        # string slicing: pathlib's relative_to costs ~10 µs a file
        shown = text[len(prefix):].replace(os.sep, "/") if text.startswith(prefix) else text
        found.append((text, shown_name(shown)))
    return found


def read_content_file(path: Path, content_dir: Path, shown: str) -> tuple[bytes | None, list[Problem]]:
    """A file's bytes, as a build reads them: a link out of content/ is refused, not read (nor
    replaced by an import), and an unreadable file is a problem naming it."""
    refused = outside_link(path, content_dir, shown)
    if refused:
        return None, refused
    try:
        return read_bounded(path), []
    except OSError as exc:
        return None, [Problem(SourceLocation(shown), "", f"cannot read the file: {exc.strerror or exc}")]


def record_parser(ctx: RecordContext) -> Callable[[bytes, str], tuple[list[Paper], list[Problem]]]:
    """What turns one record file's bytes (and its shown name) into its papers and problems."""
    return functools.partial(load_file, ctx=ctx)


def load_papers(site_dir: Path, content_dir: Path, ctx: RecordContext, read: Reader = read_file,
                files: list[RecordFile] | None = None) -> tuple[list[Paper], list[Problem]]:
    """Every valid paper and every problem, in a stable order whatever the disk order."""
    papers: list[Paper] = []
    problems: list[Problem] = []
    parse = record_parser(ctx)
    for text, shown in record_files(site_dir, content_dir) if files is None else files:
        if is_marker(os.path.basename(text)):
            continue
        path = Path(text)
        refused = not_utf8(path, shown) or outside_link(path, content_dir, shown)
        if refused:
            problems += refused
            continue
        try:
            file_papers, file_problems = read(path, shown, parse)
        except OSError as exc:
            problems.append(Problem(SourceLocation(shown), "", f"cannot read the file: {exc.strerror or exc}"))
            continue
        papers += file_papers
        problems += file_problems
    problems += check_unique(papers)
    papers.sort(key=lambda p: p.key)
    return papers, problems


def load_marker(data: bytes, relative: str, shown: str) -> tuple[DayMarker | None, list[Problem]]:
    """One marker file's bytes -> its DayMarker (an empty file is a marker with nothing said)."""
    text, problems = decode_source(data, shown)
    if text is None:
        return None, problems
    doc, problems = parse_yaml(text, shown)
    if doc is None:
        return None, problems
    return parse_marker(doc.value, doc.node, relative, shown)


def load_days(site_dir: Path, content_dir: Path,
              files: list[RecordFile] | None = None) -> tuple[dict[date, DayMarker], list[Problem]]:
    """Every day marker under content_dir by its day, and every problem in them."""
    days: dict[date, DayMarker] = {}
    problems: list[Problem] = []
    for text, shown in record_files(site_dir, content_dir) if files is None else files:
        if not is_marker(os.path.basename(text)):
            continue
        path = Path(text)
        data, refused = read_content_file(path, content_dir, shown)
        if data is None:
            problems += refused
            continue
        relative = path.relative_to(content_dir).as_posix() if path.is_relative_to(content_dir) else shown
        marker, file_problems = load_marker(data, relative, shown)
        problems += file_problems
        if marker is None:
            continue
        first = days.setdefault(marker.day, marker)
        if first is not marker:  # _day.yaml and _day.yml in one folder
            problems.append(Problem(SourceLocation(shown, 1), "",
                                    f"a second marker for {marker.day.isoformat()} (also {first.source})"))
    return days, problems
