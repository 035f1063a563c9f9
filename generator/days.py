"""Day markers: `content/<yyyy>/<mm>/<dd>/_day.yaml`, and when a featured day is complete.

A day goes into the digest feed and `paperfeed digest` only once it is complete, so that an
RSS-to-email service (which mails an entry once, on first sight) never mails half a day. The
rule reads only the repository's files, never the build's clock:

1. the day's marker says `complete: true` or `complete: false` (a curator's word, or what
   `paperfeed import hf` wrote): that decides;
2. otherwise the day is complete when a later featured day exists in the records.

`paperfeed import hf` (which may read a clock; the build never does) records in the marker
when it fetched the day and how many papers Hugging Face listed, and writes `complete: true`
once a fetch happened after the day had ended, both in UTC (Hugging Face's days) and in the
site's time zone. It never changes a `complete:` already written, so a day once complete
stays complete, and a hand-written `complete: false` holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from generator.errors import Problem, SourceLocation
from generator.yamlsrc import BadTimestamp, line_of, mapping_items

MARKER_NAMES = ("_day.yaml", "_day.yml")
MARKER_NAME = MARKER_NAMES[0]
FIELDS = ("complete", "fetched", "listed")
_DAY_PARTS = re.compile(r"\d{4}/\d{2}/\d{2}")


@dataclass(frozen=True)
class DayMarker:
    """What the repository says about one featured day."""

    day: date
    complete: bool | None = None  # None: the rule decides (a later day exists)
    fetched: datetime | None = None  # when Hugging Face's listing was last fetched (UTC)
    listed: int | None = None  # how many papers that listing held
    source: str = ""
    line: int = 0


def is_marker(name: str) -> bool:
    """A day marker's file name (the content loader takes every other YAML file as records)."""
    return name.lower() in MARKER_NAMES


def marker_path(day: date) -> str:
    """Where a day's marker lives, relative to content_dir."""
    return f"{day:%Y/%m/%d}/{MARKER_NAME}"


def day_ended(day: date, timezone: str) -> datetime:
    """When no more papers can be featured on `day`: its end in UTC (Hugging Face's day) or in
    the site's time zone, whichever comes later."""
    next_day = day + timedelta(days=1)
    ends = (datetime.combine(next_day, time(), UTC), datetime.combine(next_day, time(), ZoneInfo(timezone)))
    return max(end.astimezone(UTC) for end in ends)


def is_complete(day: date, marker: DayMarker | None, later_day: bool) -> bool:
    """The rule: the marker's `complete:` when it has one, else whether a later featured day exists."""
    if marker is not None and marker.complete is not None:
        return marker.complete
    return later_day


def _day_of(relative: str) -> date | None:
    folder = str(PurePosixPath(relative).parent)
    if not _DAY_PARTS.fullmatch(folder):
        return None
    try:
        return date.fromisoformat(folder.replace("/", "-"))
    except ValueError:
        return None


def parse_marker(value: Any, node: Any, relative: str, shown: str) -> tuple[DayMarker | None, list[Problem]]:
    """Validate one marker's parsed YAML; `relative` is its path under content_dir (it names the day)."""
    day = _day_of(relative)
    if day is None:
        return None, [Problem(SourceLocation(shown, 1), "", "a day marker must sit in its day's folder: "
                              f"content/<yyyy>/<mm>/<dd>/{MARKER_NAME}")]
    if value is None:
        value = {}
    if not isinstance(value, dict):
        return None, [Problem(SourceLocation(shown, line_of(node) or 1), "",
                              f"expected a mapping with {', '.join(FIELDS)}, got {type(value).__name__}")]
    items = mapping_items(node)
    problems: list[Problem] = []
    fields: dict[str, Any] = {}
    for key, raw in value.items():
        name = str(key)
        where = SourceLocation(shown, line_of(items.get(name, (None, None))[0]) or line_of(node) or 1)
        if name not in FIELDS:
            problems.append(Problem(where, name, f"unknown field (known: {', '.join(FIELDS)})"))
        elif raw is not None:
            checked, problem = _CHECKS[name](raw)
            if problem:
                problems.append(Problem(where, name, problem))
            else:
                fields[name] = checked
    if problems:
        return None, problems
    return DayMarker(day, source=shown, line=line_of(node) or 1, **fields), []


def _complete(raw: Any) -> tuple[Any, str]:
    return (raw, "") if isinstance(raw, bool) else (None, f"expected true or false, got {raw!r}")


def _fetched(raw: Any) -> tuple[Any, str]:
    if isinstance(raw, datetime) and raw.tzinfo is not None:
        return raw.astimezone(UTC), ""
    shown = raw.text if isinstance(raw, BadTimestamp) else raw
    return None, f"expected a time with its zone, like 2025-12-09T06:30:00Z, got {str(shown)!r}"


def _listed(raw: Any) -> tuple[Any, str]:
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw, ""
    return None, f"expected a whole number >= 0, got {raw!r}"


_CHECKS = {"complete": _complete, "fetched": _fetched, "listed": _listed}


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dump_marker(marker: DayMarker) -> str:
    """The file `paperfeed import hf` writes (a fixed layout: re-importing changes no byte)."""
    lines = [f"# {marker.day.isoformat()} on Hugging Face, as `paperfeed import hf` last fetched it.",
             "# complete: true puts the day in the digest feed and email; write false to hold it back.",
             "# Import never changes a complete: already here."]
    if marker.complete is not None:
        lines.append(f"complete: {'true' if marker.complete else 'false'}")
    if marker.fetched is not None:
        lines.append(f"fetched: {format_time(marker.fetched)}")
    if marker.listed is not None:
        lines.append(f"listed: {marker.listed}")
    return "\n".join(lines) + "\n"


def record_fetch(old: DayMarker | None, day: date, fetched: datetime, listed: int, timezone: str) -> DayMarker:
    """The marker after one more fetch: the newest fetch's facts, and `complete: true` once a
    fetch came after the day ended (an existing `complete:` is kept as it is)."""
    if old is not None and old.fetched is not None and old.fetched > fetched:
        fetched, listed = old.fetched, old.listed if old.listed is not None else listed
    complete = old.complete if old is not None else None
    if complete is None and fetched >= day_ended(day, timezone):
        complete = True
    return DayMarker(day, complete, fetched.astimezone(UTC), listed)
