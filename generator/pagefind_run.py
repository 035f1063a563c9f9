"""The Pagefind adapter: runs the binary over one shard's fragments and reads its bundle back.

What to index and when is generator/search.py's plan and the incremental layer's decision;
this module only turns fragments into files: it writes them to a private scratch folder
beside the output, runs `pagefind` (PyPI `pagefind[bin]`), puts the filter index in a
fixed order (generator/pagefind_order.py: Pagefind writes it in a random one) and reads the
bundle, without Pagefind's ready-made UIs.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from generator.cache import code_digest
from generator.errors import BuildError
from generator.files import write_atomic
from generator.model import OutputFile
from generator.pagefind_order import order_bundle
from generator.sink import content_digest
from generator.tree import file_entries, iter_tree

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


def index_shard(scratch: Path, fragments: dict[str, bytes], prefix: str, kept: Path | None = None) -> list[OutputFile]:
    """Pagefind over one shard's fragments, laid out as the pages are (so results link to them).

    kept: a folder where this shard's fragments stay between builds (in the cache): only the
    fragments that changed are written again (writing 2,000 files into 2,000 new folders is
    half of a one-record edit's search time), and Pagefind reads a new tree of links to them
    (_link_tree). None: they are written into the scratch folder."""
    shutil.rmtree(scratch, ignore_errors=True)
    pages = scratch / "pages"
    try:
        if kept is None:
            _lay_out(pages, fragments, fresh=True)
        else:
            _lay_out(kept, fragments, fresh=False)
            _link_tree(kept, pages, fragments)
        _run_pagefind(pages, scratch / "bundle")
        order_bundle(scratch / "bundle")  # Pagefind writes filters in a random order
        files = list(_read_bundle(scratch / "bundle", prefix))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if kept is not None:
        _save_manifest(kept, fragments)
    return files


MANIFEST = ".fragments.json"


def _lay_out(folder: Path, fragments: dict[str, bytes], fresh: bool) -> None:
    """folder holding exactly `fragments`. A file the last run wrote is reused only when its size
    and mtime are the ones recorded and its recorded digest is the new fragment's; without a
    manifest (first run, or a run killed before it finished: the manifest goes first) the
    folder is made afresh."""
    old = {} if fresh or _has_links(folder) else _load_manifest(folder)
    if not old:
        _remove(folder)
    (folder / MANIFEST).unlink(missing_ok=True)
    for path in old.keys() - fragments.keys():
        (folder / path).unlink(missing_ok=True)
    for path, body in fragments.items():
        target = folder / path
        known = old.get(path)
        if known is not None and known[2] == content_digest(body) and _stat(target) == (known[0], known[1]):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)


def _link_tree(kept: Path, pages: Path, fragments: dict[str, bytes]) -> None:
    """pages: a new tree of hard links to the kept fragments, made in the fragments' order.

    Pagefind numbers the pages in the order it finds them, which is the order a folder lists
    them in; on tmpfs or btrfs that is the order they were made in, and a kept folder's order
    is its history's (papers moved between shards, a copy or a cache restore made in listing
    order). A tree made afresh, in one order, lists them as a cold build's does: the same
    bundle, byte for byte. Links cost ~0.1-0.3 s for 2,000 fragments, against their bytes
    written anew."""
    made: set[str] = set()
    for path in fragments:
        folder = path.rpartition("/")[0]
        if folder not in made:
            (pages / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        try:
            os.link(kept / path, pages / path)
        except OSError:  # no hard links here: a copy
            shutil.copyfile(kept / path, pages / path)


def _has_links(folder: Path) -> bool:
    """Whether folder, its parent or anything under it is a symbolic link: a fragment is then never
    written through it (a forged cache must not make a build write outside it)."""
    if folder.is_symlink() or folder.parent.is_symlink():
        return True
    return any(entry.is_symlink() for _, entry in iter_tree(folder))


def _remove(folder: Path) -> None:
    """folder gone, whatever it is (a link is removed, never followed); its parent a real folder."""
    if folder.parent.is_symlink():
        folder.parent.unlink()
    if folder.is_symlink():
        folder.unlink()
    shutil.rmtree(folder, ignore_errors=True)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def _load_manifest(folder: Path) -> dict[str, tuple[int, int, str]]:
    try:
        raw = json.loads((folder / MANIFEST).read_bytes())
        return {str(path): (int(entry[0]), int(entry[1]), str(entry[2])) for path, entry in raw.items()}
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return {}


def _save_manifest(folder: Path, fragments: dict[str, bytes]) -> None:
    found = {}
    for path, body in fragments.items():
        known = _stat(folder / path)
        if known is not None:
            found[path] = [known[0], known[1], content_digest(body)]
    write_atomic(folder / MANIFEST, json.dumps(found, sort_keys=True).encode(), durable=False)


def search_scratch(output_dir: Path) -> Path:
    """The private folder Pagefind works in: one fixed hidden name beside the output (used under
    the site lock; random names would pile up after killed builds)."""
    return output_dir.with_name(f".{output_dir.name}.pagefind")


class Indexer:
    """Pagefind over a shard's fragments in `scratch` (cleared first: a killed build may have left
    it behind); `tool` is what a shard's key holds of it (paperfeed's code, Pagefind's version).
    `kept`: where each shard's fragments stay between builds (see index_shard), or None."""

    def __init__(self, scratch: Path, kept: Path | None = None) -> None:
        shutil.rmtree(scratch, ignore_errors=True)
        self.scratch = scratch
        self.kept = kept
        self.tool = f"{code_digest()}\0{pagefind_version()}"

    def __call__(self, fragments: dict[str, bytes], prefix: str) -> list[OutputFile]:
        shard = None if self.kept is None else self.kept / prefix.strip("/").replace("/", "-")
        return index_shard(self.scratch, fragments, prefix, shard)
