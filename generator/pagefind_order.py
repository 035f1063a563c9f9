"""Pagefind's filter index in a fixed order, so a bundle is byte-identical for identical input.

Pagefind (1.x) writes each filter's values, and the list of filters in its metadata file,
in the order of a Rust HashMap: random per run. The files are gzipped CBOR behind a
`pagefind_dcd` signature, named after a hash of their content, and found through
pagefind-entry.json -> pagefind.<lang>_<hash>.pf_meta -> filter/<lang>_<hash>.pf_filter.
Here each filter file and the metadata are decoded, sorted, encoded again and renamed
after their new content, and the references follow. The search code in the browser reads
the same arrays, so it sees the same index.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import cbor2

from generator.errors import BuildError

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise BuildError(f"search index: {path.name} is not a Pagefind file")
    return cbor2.loads(raw[len(SIGNATURE):])


def _write(folder: Path, stem: str, suffix: str, value: Any, digits: int) -> str:
    """Write value as a Pagefind file named after its content; returns the hash part of its name."""
    data = gzip.compress(SIGNATURE + cbor2.dumps(value, canonical=True), mtime=0)
    name = f"{stem}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(data)
    return name


def order_bundle(bundle: Path) -> None:
    """Rewrite a Pagefind bundle's filter files and metadata in sorted order, in place."""
    entry_path = bundle / ENTRY
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in sorted(entry["languages"].items()):
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        # [version, pages, index chunks, [[filter name, filter file hash]], sorts, meta fields]
        filters = []
        for name, old in sorted(meta[3]):
            path = bundle / "filter" / f"{old}.pf_filter"
            filter_name, values = _read(path)
            path.unlink()
            filters.append([name, _write(path.parent, language, ".pf_filter",
                                         [filter_name, sorted(values)], 7)])
        meta[3] = filters
        meta_path.unlink()
        info["hash"] = _write(bundle, f"pagefind.{language}", ".pf_meta", meta, 10).removeprefix("pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
