"""The search index: Pagefind run over the staged site, before the writer swaps it in.

Pagefind (PyPI `pagefind[bin]`, a Rust binary) reads the built HTML, so it runs
as the writer's finalize step: the pages are complete in the staging folder,
the index goes into a scratch folder beside it and comes back as OutputFiles,
which the writer hard-links when unchanged like any other file. Only paper
pages are read (their `data-pagefind-body` marks what is indexed); list pages
repeat the same abstracts and would only slow Pagefind down. Its output is
byte-identical for identical HTML, so when no HTML changed the previous index
is carried over as it is (hard links) and Pagefind does not run at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from generator.errors import BuildError
from generator.model import OutputFile
from generator.urls import Urls
from generator.writer import Staging

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


def _html_touched(staging: Staging) -> bool:
    return any(path.endswith(".html") for path in staging.changed | staging.removed)


def _read_bundle(folder: Path, prefix: str) -> Iterator[OutputFile]:
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            if name.startswith(UNUSED):
                continue
            path = Path(root, name)
            rel = path.relative_to(folder).as_posix()
            yield OutputFile(prefix + rel, path.read_bytes())


def _run_pagefind(site: Path, bundle: Path, glob: str) -> None:
    command = [pagefind_executable(), "--site", str(site), "--output-path", str(bundle),
               "--glob", glob, "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                                check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"search index: could not run Pagefind: {exc}") from None
    if result.returncode != 0 or not (bundle / ENTRY).is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BuildError("search index: Pagefind failed" + (f": {detail[-1]}" if detail else ""))


def _kept_bundle(folder: Path, prefix: str) -> Iterator[OutputFile]:
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        base = Path(root).relative_to(folder).as_posix()
        for name in sorted(names):
            yield OutputFile.keep(prefix + (name if base == "." else f"{base}/{name}"))


def search_index(urls: Urls, staging: Staging) -> list[OutputFile]:
    """Pagefind's index of the staged paper pages, as files under urls.search_bundle()."""
    prefix = urls.search_bundle()
    # One fixed, hidden name per site ('.public.pagefind', beside the output, whether the site is
    # staged aside or updated in place), cleared first under the site lock: a build killed while
    # Pagefind ran leaves it behind, and random names (mkdtemp) piled up in the site's folder.
    scratch = staging.root.with_name(f".{staging.root.name.lstrip('.').removesuffix('.staging')}.pagefind")
    shutil.rmtree(scratch, ignore_errors=True)
    if next(staging.root.glob(urls.search_glob()), None) is None:
        return []  # no papers yet: nothing to index (Pagefind refuses an empty site)
    previous = staging.previous / prefix if staging.previous else None
    if previous is not None and (previous / ENTRY).is_file() and not _html_touched(staging):
        return list(_kept_bundle(previous, prefix))
    scratch.mkdir()
    try:
        _run_pagefind(staging.root, scratch / "bundle", urls.search_glob())
        return list(_read_bundle(scratch / "bundle", prefix))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
