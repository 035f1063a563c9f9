"""Import saved Hugging Face `/api/daily_papers` responses as records under content/.

    python scripts/hf_to_records.py [--content-dir DIR] [FILE.json ...]

Without files, imports the four earlier featured days of the sample site from
../shared/data/hf-daily-papers/. A file named `YYYY-MM-DD.json` is taken to be the
response for `?date=YYYY-MM-DD`, which then is the featured day of its papers.
Records are written to content/YYYY/MM/DD/<id>.yaml, updated in place on reimport.
Problems are printed; the exit status is 1 if there were any.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from recordfiles import ROOT, write_records  # first: puts the repository on sys.path

from generator.importers.hf import hf_entry_to_record, parse_hf_response

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "hf-daily-papers"
SAMPLE_DAYS = ("2025-11-21", "2025-06-11", "2025-01-10", "2024-12-16")


def import_file(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Records and problems (prefixed with the file and entry index) for one file."""
    day = path.stem if re.fullmatch(r"\d{4}-\d{2}-\d{2}", path.stem) else None
    entries, problems = parse_hf_response(path.read_text("utf-8"), path.name)
    records = []
    for index, entry in enumerate(entries):
        record, entry_problems = hf_entry_to_record(entry, None, request_day=day)
        problems += [f"{path.name}: entry {index}: {p}" for p in entry_problems]
        if record is not None:
            records.append(record)
    return records, problems


def main(argv: list[str] | None = None) -> int:
    """Import the given files (default: the sample days) into the content directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--content-dir", type=Path, default=ROOT / "content")
    args = parser.parse_args(argv)
    files = args.files or [DATA_DIR / f"{day}.json" for day in SAMPLE_DAYS]
    all_problems: list[str] = []
    for path in files:
        try:
            records, problems = import_file(path)
            write_records(records, args.content_dir)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            records, problems = [], [f"{path}: {exc}"]
        all_problems += problems
        print(f"{path.name}: {len(records)} records")
    for problem in all_problems:
        print(problem, file=sys.stderr)
    return 1 if all_problems else 0


if __name__ == "__main__":
    sys.exit(main())
