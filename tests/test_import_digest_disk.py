"""`import`, `new` and `digest --out` on a full, read-only or immutable disk: `Error: ...`, no traceback.

A real 1 MB tmpfs (root only; skipped elsewhere): filled up for ENOSPC, remounted read-only
for EROFS, a folder made immutable (chattr +i) for EPERM, since root ignores mode bits.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import make_site, record

ENTRY = {"paper": {"id": "2511.00001", "title": "A paper", "summary": "An abstract.",
                   "publishedAt": "2025-11-20T17:00:00.000Z", "upvotes": 3},
         "submittedOnDailyAt": "2025-11-21T08:00:00.000Z"}
RECORD_FILE = "content/2025/11/21/2511.00001.yaml"


pytestmark = pytest.mark.usefixtures("no_network")  # tests/conftest.py: fetch() refuses


class Disk:
    """A mounted 1 MB tmpfs and the faults it can be given."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.immutable: list[Path] = []

    def fill(self) -> None:
        with (self.root / ".filler").open("wb", buffering=0) as handle:
            try:
                for _ in range(64):
                    handle.write(b"\0" * 65536)
            except OSError:
                return
        raise AssertionError("a 1 MB tmpfs took 4 MB")

    def read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.root)], check=True, capture_output=True)

    def freeze(self, folder: Path) -> None:
        subprocess.run(["chattr", "+i", str(folder)], check=True, capture_output=True)
        self.immutable.append(folder)


@pytest.fixture()
def disk(tmp_path: Path) -> Iterator[Disk]:
    root = tmp_path / "disk"
    root.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(root)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode(errors='replace').strip()}")
    fake = Disk(root)
    try:
        yield fake
    finally:
        for folder in fake.immutable:
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        subprocess.run(["umount", str(root)], check=True, capture_output=True)


def paperfeed(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def import_hf(site: Path, tmp_path: Path) -> tuple[int, str]:
    response = tmp_path / "2025-11-21.json"
    response.write_text(json.dumps([ENTRY]), "utf-8")
    return paperfeed("import", "hf", "--site", str(site), str(response))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".tmp"))


FAULTS = {
    "ENOSPC": ("No space left on device", lambda disk, folder: disk.fill()),
    "EROFS": ("Read-only file system", lambda disk, folder: disk.read_only()),
    "EPERM": ("Operation not permitted", lambda disk, folder: disk.freeze(folder)),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_import_on_a_faulty_disk(disk: Disk, tmp_path: Path, fault: str) -> None:
    reason, inject = FAULTS[fault]
    site = make_site(disk.root / "site")
    inject(disk, site / "content")
    code, output = import_hf(site, tmp_path)
    assert (code, output) == (1, f"Error: {RECORD_FILE}: cannot write the file: {reason}; "
                                 "nothing was written\n")
    assert not (site / RECORD_FILE).exists() and leftovers(site) == []


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_new_on_a_faulty_disk(disk: Disk, fault: str) -> None:
    reason, inject = FAULTS[fault]
    site = make_site(disk.root / "site")
    inject(disk, site / "content")
    code, output = paperfeed("new", "--site", str(site), "2512.01234", "--offline", "--title", "T",
                             "--date", "2025-12-08")
    assert (code, output) == (1, "Error: content/2025/12/08/2512.01234.yaml: cannot write the file: "
                                 f"{reason}; nothing was written\n")


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_digest_out_on_a_faulty_disk(disk: Disk, tmp_path: Path, fault: str) -> None:
    reason, inject = FAULTS[fault]
    site = make_site(tmp_path / "site", records=[record("2512.00001")],
                     files={"content/2025/12/08/_day.yaml": "complete: true\n"})  # mailed when complete
    out = disk.root / "out"
    out.mkdir()
    inject(disk, out)
    code, output = paperfeed("digest", "--site", str(site), "--out", str(out))
    assert (code, output) == (1, f"Error: {out}/digest-2025-12-08.html: cannot write the digest: {reason}\n")
    assert sorted(p.name for p in out.iterdir()) == []


def test_a_refusal_half_way_names_what_was_written(disk: Disk, tmp_path: Path) -> None:
    site = make_site(disk.root / "site")
    (site / "content/2025/11/22").mkdir(parents=True)
    disk.freeze(site / "content/2025/11/22")
    second = {**ENTRY, "paper": {**ENTRY["paper"], "id": "2511.00002"},
              "submittedOnDailyAt": "2025-11-22T08:00:00.000Z"}
    response = tmp_path / "papers.json"
    response.write_text(json.dumps([second, ENTRY]), "utf-8")
    code, output = paperfeed("import", "hf", "--site", str(site), str(response))
    assert (code, output) == (1, "Error: content/2025/11/22/2511.00002.yaml: cannot write the file: "
                                 f"Operation not permitted; written before it: {RECORD_FILE}\n")
    assert (site / RECORD_FILE).is_file()
