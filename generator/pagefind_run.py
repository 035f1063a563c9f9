"""The Pagefind adapter: runs the binary over one shard's fragments and reads its bundle back.

What to index and when is generator/search.py's plan and the incremental layer's decision;
this module only turns fragments into files: it writes them to a private scratch folder
beside the output, runs `pagefind` (PyPI `pagefind[bin]`), puts the filter index in a
fixed order (generator/pagefind_order.py: Pagefind writes it in a random one) and reads the
bundle, without Pagefind's ready-made UIs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from generator.cache import code_digest
from generator.errors import BuildError
from generator.model import OutputFile
from generator.pagefind_order import order_bundle
from generator.tree import file_entries

#: The file that says an index is complete (Pagefind's own entry point, fetched first).
ENTRY = "pagefind-entry.json"
#: Pagefind's ready-made UIs: the default theme has its own, on top of pagefind.js.
UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")
TIMEOUT_SECONDS = 600


def pagefind_executable() -> str:
    """The Pagefind binary from the `pagefind[bin]` package (or PAGEFIND_BINARY_PATH)."""
    try:
        from pagefind.service import get_executable
        found = get_executable()
    except (ImportError, FileNotFoundError):
        found = None
    if found is None or not Path(found).is_file():
        raise BuildError("the search index needs Pagefind: pip install 'pagefind[bin]'")
    return str(found)


def pagefind_version() -> str:
    versions = []
    for name in ("pagefind", "pagefind_bin", "pagefind-bin"):
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return ",".join(versions) + f";{os.environ.get('PAGEFIND_BINARY_PATH', '')}"


def _run_pagefind(site: Path, bundle: Path) -> None:
    command = [pagefind_executable(), "--site", str(site), "--output-path", str(bundle), "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                                check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"search index: could not run Pagefind: {exc}") from None
    if result.returncode != 0 or not (bundle / ENTRY).is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BuildError("search index: Pagefind failed" + (f": {detail[-1]}" if detail else ""))


def _read_bundle(folder: Path, prefix: str) -> Iterator[OutputFile]:
    for rel, entry in file_entries(folder):
        if not entry.name.startswith(UNUSED):
            yield OutputFile(prefix + rel, (folder / rel).read_bytes())


def index_shard(scratch: Path, fragments: dict[str, bytes], prefix: str) -> list[OutputFile]:
    """Pagefind over one shard's fragments, laid out as the pages are (so results link to them)."""
    shutil.rmtree(scratch, ignore_errors=True)
    pages = scratch / "pages"
    for path, body in fragments.items():
        target = pages / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    try:
        _run_pagefind(pages, scratch / "bundle")
        order_bundle(scratch / "bundle")  # Pagefind writes filters in a random order
        return list(_read_bundle(scratch / "bundle", prefix))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def search_scratch(output_dir: Path) -> Path:
    """The private folder Pagefind works in: one fixed hidden name beside the output (used under
    the site lock; random names would pile up after killed builds)."""
    return output_dir.with_name(f".{output_dir.name}.pagefind")


class Indexer:
    """Pagefind over a shard's fragments in `scratch` (cleared first: a killed build may have left
    it behind); `tool` is what a shard's key holds of it (paperfeed's code, Pagefind's version)."""

    def __init__(self, scratch: Path) -> None:
        shutil.rmtree(scratch, ignore_errors=True)
        self.scratch = scratch
        self.tool = f"{code_digest()}\0{pagefind_version()}"

    def __call__(self, fragments: dict[str, bytes], prefix: str) -> list[OutputFile]:
        return index_shard(self.scratch, fragments, prefix)
