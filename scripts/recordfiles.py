"""Writing record files for the scripts in this folder (the importers stay pure)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # Run as `python scripts/x.py`, sys.path[0] is scripts/: make `generator` importable.
    sys.path.insert(0, str(ROOT))

from generator.importers.hf import record_path
from generator.importers.yamlout import dump_record


def write_records(records: list[dict[str, Any]], content_dir: Path) -> list[Path]:
    """Write each record to `content_dir/record_path(record)`; return the paths.

    A file is rewritten only when its bytes change, so reruns leave mtimes alone.
    Two records for one path are an error: re-importing updates, never duplicates.
    """
    paths: list[Path] = []
    for record in records:
        path = content_dir / record_path(record)
        if path in paths:
            raise ValueError(f"two records for {path}: id {record['id']!r}")
        paths.append(path)
        data = dump_record(record).encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return paths
