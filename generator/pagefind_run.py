"""The Pagefind adapter: runs the binary over one shard's fragments and reads its bundle back.

What to index and when is generator/search.py's plan and the incremental layer's decision;
this module only turns fragments into files: it writes them to a private scratch folder
beside the output, runs `pagefind` (PyPI `pagefind[bin]`) in the background, one shard after
another (Chain), puts the filter index in a fixed order (generator/pagefind_order.py: Pagefind
writes it in a random one) and reads the bundle, without Pagefind's ready-made UIs.
"""

from __future__ import annotations

import json
import os
import select
import shlex
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from functools import partial
from importlib import metadata
from pathlib import Path

from generator.cache import code_digest
from generator.errors import BuildError
from generator.files import write_atomic
from generator.model import OutputFile, content_digest
from generator.pagefind_order import order_bundle
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


def _pagefind_job(site: Path, bundle: Path) -> list[str]:
    """The command that indexes the fragments under site into bundle."""
    return [pagefind_executable(), "--site", str(site), "--output-path", str(bundle), "--silent"]


#: The background shell: each line of its input is one command, run in turn; after each, its exit code.
_LOOP = 'while IFS= read -r line; do eval "$line"; echo "$?"; done'


class Chain:
    """Commands run one after another in one background shell, while this process goes on.

    No thread: the render workers are forked, and a fork while another thread runs can leave
    them a lock that is never released. The shell runs Pagefind for each shard in turn (one at
    a time: memory stays that of one shard), so indexing runs beside rendering and writing."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.sent = 0
        self.codes: list[int] = []
        self._pending = b""

    def submit(self, command: list[str], log: Path) -> int:
        """Queue command (its output to log); returns its number, for wait()."""
        if self.process is None:
            try:
                self.process = subprocess.Popen(["/bin/sh", "-c", _LOOP], stdin=subprocess.PIPE,
                                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            except OSError as exc:
                raise BuildError(f"search index: could not run Pagefind: {exc}") from None
        assert self.process.stdin is not None
        line = f"{shlex.join(command)} >{shlex.quote(str(log))} 2>&1\n"
        try:
            self.process.stdin.write(line.encode("utf-8", "surrogateescape"))
            self.process.stdin.flush()
        except OSError as exc:
            raise BuildError(f"search index: Pagefind's runner stopped: {exc}") from None
        self.sent += 1
        return self.sent - 1

    def wait(self, number: int, timeout: float) -> int:
        """The exit code of command `number`, once it has run (BuildError after `timeout` s)."""
        assert self.process is not None and self.process.stdout is not None
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()
        while len(self.codes) <= number:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise BuildError(f"search index: Pagefind took over {timeout:.0f} s")
            block = os.read(fd, 4096)
            if not block:
                raise BuildError("search index: Pagefind's runner ended early (killed?)")
            *lines, self._pending = (self._pending + block).split(b"\n")
            self.codes.extend(int(line) for line in lines)
        return self.codes[number]

    def close(self) -> None:
        """Stop the shell and whatever it still runs (a build that failed meanwhile)."""
        process, self.process = self.process, None
        if process is None:
            return
        if len(self.codes) < self.sent:
            _kill_tree(process)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        process.wait()


def _kill_tree(process: subprocess.Popen[bytes]) -> None:
    """The shell and the Pagefind it is running (its child) killed."""
    try:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    except OSError:
        children = []
    for pid in children:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (OSError, ValueError):
            pass
    process.kill()


def _read_bundle(folder: Path, prefix: str) -> Iterator[OutputFile]:
    for rel, entry in file_entries(folder):
        if not entry.name.startswith(UNUSED):
            yield OutputFile(prefix + rel, (folder / rel).read_bytes())


def _failure(work: Path) -> str:
    """What Pagefind said last, for the error."""
    try:
        detail = (work / "log").read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        detail = []
    return "search index: Pagefind failed" + (f": {detail[-1]}" if detail else "")


MANIFEST = ".fragments.json"


def _lay_out(folder: Path, fragments: dict[str, bytes], fresh: bool) -> bool:
    """folder holding exactly `fragments`. A file the last run wrote is reused only when its size
    and mtime are the ones recorded and its recorded digest is the new fragment's; without a
    manifest (first run, or a run killed before it finished: the manifest goes first) the
    folder is made afresh, in the fragments' order: True then."""
    old = {} if fresh or _has_links(folder) else _load_manifest(folder)
    if not old:
        _remove(folder)
    (folder / MANIFEST).unlink(missing_ok=True)
    for path in old.keys() - fragments.keys():
        (folder / path).unlink(missing_ok=True)
    root = str(folder)
    made: set[str] = set()
    for path, body in fragments.items():
        target = f"{root}/{path}"
        known = old.get(path)
        if known is not None and known[2] == content_digest(body) and _stat(Path(target)) == (known[0], known[1]):
            continue
        parent = target.rpartition("/")[0]
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(target, "wb") as handle:
            handle.write(body)
    return not old


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


def _save_manifest(folder: Path, digests: dict[str, str]) -> None:
    """The kept fragments as they are after a complete run: size, mtime and digest of each."""
    found = {}
    for path, body_digest in digests.items():
        known = _stat(folder / path)
        if known is not None:
            found[path] = [known[0], known[1], body_digest]
    write_atomic(folder / MANIFEST, json.dumps(found, sort_keys=True).encode(), durable=False)


def search_scratch(output_dir: Path) -> Path:
    """The private folder Pagefind works in: one fixed hidden name beside the output (used under
    the site lock; random names would pile up after killed builds)."""
    return output_dir.with_name(f".{output_dir.name}.pagefind")


class Indexer:
    """Pagefind over each shard's fragments, in `scratch` (cleared first: a killed build may have
    left it behind); `tool` is what a shard's key holds of it (paperfeed's code, Pagefind's
    version). `kept`: where each shard's fragments stay between builds, or None.

    start() lays a shard's fragments out and queues its Pagefind run (they run in turn, in the
    background: Chain); what it returns waits for that run and gives the shard's files. Only
    the fragments that changed are written again (writing 2,000 files into 2,000 new folders
    was half of a one-record edit's search time), and Pagefind reads a new tree of links to
    them (_link_tree). close() stops what is still running and clears the scratch folder."""

    def __init__(self, scratch: Path, kept: Path | None = None) -> None:
        shutil.rmtree(scratch, ignore_errors=True)
        self.scratch = scratch
        self.kept = kept
        self.tool = f"{code_digest()}\0{pagefind_version()}"
        self._chain = Chain()

    def start(self, fragments: dict[str, bytes], prefix: str) -> Callable[[], list[OutputFile]]:
        """Begin indexing one shard (its fragments by output path; its bundle's folder)."""
        shard = None if self.kept is None else self.kept / prefix.strip("/").replace("/", "-")
        work = self.scratch / str(self._chain.sent)
        pages = work / "pages"
        if shard is None:
            _lay_out(pages, fragments, fresh=True)
        elif _lay_out(shard, fragments, fresh=False):
            pages = shard  # made afresh, in the fragments' order: what a tree of links would be
        else:
            _link_tree(shard, pages, fragments)
        work.mkdir(parents=True, exist_ok=True)
        job = self._chain.submit(_pagefind_job(pages, work / "bundle"), work / "log")
        # The fragments' digests only, not their bytes: every shard is started before any is done.
        digests = {path: content_digest(body) for path, body in fragments.items()} if shard is not None else {}
        return partial(self._finish, job, work, digests, prefix, shard)

    def __call__(self, fragments: dict[str, bytes], prefix: str) -> list[OutputFile]:
        """One shard indexed now."""
        return self.start(fragments, prefix)()

    def _finish(self, job: int, work: Path, digests: dict[str, str], prefix: str,
                shard: Path | None) -> list[OutputFile]:
        try:
            bundle = work / "bundle"
            if self._chain.wait(job, TIMEOUT_SECONDS) != 0 or not (bundle / ENTRY).is_file():
                raise BuildError(_failure(work))
            order_bundle(bundle)  # Pagefind writes filters in a random order
            files = list(_read_bundle(bundle, prefix))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if shard is not None:
            _save_manifest(shard, digests)
        return files

    def close(self) -> None:
        self._chain.close()
        shutil.rmtree(self.scratch, ignore_errors=True)
