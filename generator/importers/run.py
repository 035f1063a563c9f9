"""`paperfeed import`: read sources into batches of records, then merge them into content/.

Error rules (DESIGN.md: exit 1 on content errors): a bad entry in a source is
reported (`FILE: entry 3: ...`) and skipped, the rest is imported; the command
fails only when nothing could be imported, when content/ cannot be read safely
(a duplicate could not be ruled out), or when a merged file would not validate.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.config import load_config
from generator.errors import BuildError, ContentError, Problem
from generator.importers.arxiv import parse_arxiv_response
from generator.importers.bibtex import parse_bibtex
from generator.importers.fetch import fetch, hf_daily_papers_url
from generator.importers.hf import hf_entries, hf_entry_to_record, load_hf_json
from generator.importers.store import Change, ContentStore
from generator.record import RecordContext

_DAY_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_WRAPPED_DAY = re.compile(r'^\s*\{[^\[]*?"date"\s*:\s*"(\d{4}-\d{2}-\d{2})"')


@dataclass
class Batch:
    """Records read from one source, and the entries that were skipped (with why)."""

    source: str
    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: why the source as a whole could not be read (not JSON, nested too deeply ...), else ""
    unreadable: str = ""
    #: a Hugging Face listing: the day asked for, when it was fetched and how many entries it held;
    #: with all three, import records the fetch in that day's marker (generator/days.py)
    day: dt.date | None = None
    fetched: dt.datetime | None = None
    listed: int | None = None
    #: the listing could not be fetched or read: its one problem is a day skipped, not an entry
    day_skipped: bool = False


class UnreadableSource(BuildError):
    """Sources that are not a response at all (not JSON, nested too deeply ...): nothing is imported."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("\n".join(reasons))


@dataclass
class ImportReport:
    changes: list[Change]
    warnings: list[str]
    errors: list[Problem]
    written: list[Path]
    dry_run: bool
    days: list[Change] = field(default_factory=list)  # day markers (generator/days.py)
    #: what each of the warnings is: the summary counts entries, days and markers apart
    skipped_entries: int = 0
    skipped_days: int = 0
    markers_left: int = 0

    @property
    def failed(self) -> bool:
        """Exit 1: nothing could be imported because of problems, or a merged file would not
        validate. An empty response (a weekend on Hugging Face) is no failure."""
        return bool(self.errors) or (not self.changes and bool(self.warnings))

    def summary(self) -> str:
        counts = {action: sum(c.action == action for c in self.changes)
                  for action in ("create", "update", "unchanged")}
        verb = "would be " if self.dry_run else ""
        records = f"{len(self.changes)} record{'' if len(self.changes) == 1 else 's'}"
        text = (f"{records}: {counts['create']} {verb}created, "
                f"{counts['update']} {verb}updated, {counts['unchanged']} unchanged")
        failed = len({p.location.path for p in self.errors})
        for count, one, many in ((self.skipped_entries, "entry skipped", "entries skipped"),
                                 (self.skipped_days, "day not imported", "days not imported"),
                                 (self.markers_left, "day marker not updated", "day markers not updated"),
                                 (failed, "file not written (invalid after merge)",
                                  "files not written (invalid after merge)")):
            if count:
                text += f"; {count} {one if count == 1 else many}"
        return text + ("; dry run, nothing written" if self.dry_run else "")


def read_source(path: str) -> tuple[str, str]:
    """(text, name shown in messages) of a file, or of standard input for `-`."""
    if path == "-":
        return sys.stdin.read().removeprefix("\ufeff"), "<stdin>"
    return Path(path).read_text(encoding="utf-8-sig"), path  # -sig: a byte order mark is fine


def hf_batch(text: str, source: str, request_day: str | None = None,
             fetched: dt.datetime | None = None) -> Batch:
    """A daily_papers response -> records. The featured day falls back to the day the
    response was asked for: `request_day`, a `YYYY-MM-DD` in the file name, or the
    `date` of a wrapped response. `fetched`: when the response was fetched, if known."""
    day = request_day or _day_in(source) or _wrapped_day(text)
    data, unreadable = load_hf_json(text, source)
    if unreadable:
        return Batch(source, unreadable=unreadable)
    entries, problems = hf_entries(data, source)
    batch = Batch(source, problems=problems, day=_iso_day(day), fetched=fetched, listed=len(data))
    for index, entry in entries:
        record, entry_problems = hf_entry_to_record(entry, None, request_day=day)
        batch.problems += [f"{source}: entry {index}: {p}" for p in entry_problems]
        if record is not None:
            batch.records.append(record)
    return batch


def fetch_hf_batch(day: dt.date, fetcher: Callable[[str], bytes] | None = None,
                   clock: Callable[[], dt.datetime] | None = None) -> Batch:
    """Ask the Hugging Face API for one day's papers (network: only when `--fetch` is given).

    The time is read before asking, so the listing is at least as new as the time recorded.
    """
    url = hf_daily_papers_url(day)
    fetched = (clock or (lambda: dt.datetime.now(dt.UTC)))()
    try:
        text = (fetcher or fetch)(url).decode("utf-8")
    except UnicodeDecodeError as exc:
        return Batch(url, problems=[f"{url}: not UTF-8 ({exc.reason} at byte {exc.start})"])
    batch = hf_batch(text, url, request_day=day.isoformat(), fetched=fetched)
    # A bad answer from the network is one skipped day, not a failed run (other days may be fine).
    if batch.unreadable:
        batch.problems, batch.unreadable, batch.day_skipped = [batch.unreadable], "", True
    return batch


def arxiv_batch(text: str, source: str, featured_day: dt.date | None = None) -> Batch:
    records, problems = parse_arxiv_response(text.encode("utf-8"), source, featured_day)
    return Batch(source, records, problems)


def bibtex_batch(text: str, source: str, featured_day: dt.date | None = None) -> Batch:
    records, problems = parse_bibtex(text, source, featured_day)
    return Batch(source, records, problems)


def import_batches(site_dir: Path, batches: list[Batch], dry_run: bool = False) -> ImportReport:
    """Merge every record into the site's content folder; write unless `dry_run`.

    Raises UnreadableSource when a source as a whole cannot be read, ContentError when
    the config or an existing record file cannot be read or a record would be written
    through a link out of content/, WriteError when the disk refuses a file.
    """
    unreadable = [batch.unreadable for batch in batches if batch.unreadable]
    if unreadable:
        raise UnreadableSource(unreadable)
    config = load_config(site_dir)
    store, problems = ContentStore.load(site_dir, config.content_path, RecordContext(config.timezone))
    if problems:
        raise ContentError(problems)
    changes: list[Change] = []
    warnings: list[str] = []
    entries = skipped_days = 0
    for batch in batches:
        warnings += batch.problems
        if batch.day_skipped:
            skipped_days += 1
        else:
            entries += len(batch.problems)
        for record in batch.records:
            change, record_problems = store.put(record)
            warnings += [f"{batch.source}: {p}" for p in record_problems]
            entries += bool(record_problems)
            if change is not None:
                changes.append(change)
    before_markers = len(warnings)
    days = _mark_days(store, batches, config.timezone, warnings)
    errors = store.validate()
    failed_paths = {p.location.path for p in errors}
    changes = [c for c in changes if c.path not in failed_paths]
    days = [c for c in days if c.path not in failed_paths]
    if store.refused:
        raise ContentError(store.refused)
    written = [] if dry_run else store.commit()
    return ImportReport(changes, warnings, errors, written, dry_run, days, entries, skipped_days,
                        len(warnings) - before_markers)


def _mark_days(store: ContentStore, batches: list[Batch], timezone: str, warnings: list[str]) -> list[Change]:
    """Record each fetched listing in its day's marker, oldest fetch first (the newest one's facts win).

    An empty listing (a weekend) marks nothing: the day has no page to complete.
    """
    fetches = sorted(((b.fetched, b.day, b.listed, b.source) for b in batches
                      if b.day is not None and b.fetched is not None and b.listed),
                     key=lambda item: (item[0], item[1]))
    changes: dict[str, Change] = {}
    for fetched, day, listed, source in fetches:
        change, problem = store.mark_day(day, fetched, listed, timezone)
        if problem:
            warnings.append(f"{source}: {problem}")
        if change is not None:
            changes[change.path] = change  # each says what happens to the file on disk: the last one holds
    return list(changes.values())


def _iso_day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _day_in(source: str) -> str | None:
    match = _DAY_NAME.search(Path(source).name)
    return match.group(1) if match else None


def _wrapped_day(text: str) -> str | None:
    match = _WRAPPED_DAY.match(text[:2000])
    return match.group(1) if match else None
