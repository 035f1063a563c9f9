"""A key only this machine's user holds, sealing the cache files this user's builds wrote.

The cache's own MACs are keyed by the code (generator/cachefile.py), so anyone can write a
file that passes them: every entry is therefore checked as a record would be (the record
schema, the sanitiser's fixed point), ~2 s of a one-record edit at 10,000 papers. A file this
user's build wrote and nobody changed since needs none of that. Its seal, `<section>.seal`
beside it, is a keyed BLAKE2b of its bytes under a secret key kept outside the site and the
cache (`$XDG_STATE_HOME/paperfeed/cache-key`, default `~/.local/state/paperfeed/cache-key`,
mode 0600, made on first use). A sealed file is read without the checks; a file with no seal,
a wrong one or another machine's (a restored CI cache, a copied site) is checked, entry by
entry, as before.

Not under CI (`CI` set, as every CI service sets it): a runner's key is new on every run,
so it would seal nothing that is read again, and on a shared runner another job (another
branch's code) could read the key and seal a forged cache. `PAPERFEED_SEAL=0` turns sealing
off anywhere, `PAPERFEED_SEAL=1` on even under CI (a runner of one's own, used by one branch).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from stat import S_ISREG

KEY_BYTES = 32
SUFFIX = ".seal"


def key_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where this user's key is kept."""
    environ = os.environ if environ is None else environ
    state = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "paperfeed" / "cache-key"


def machine_key(environ: Mapping[str, str] | None = None) -> bytes | None:
    """This user's secret key (made on first use), or None: under CI, or where it cannot be
    kept privately (then nothing is sealed and every cache entry is checked)."""
    environ = os.environ if environ is None else environ
    wanted = environ.get("PAPERFEED_SEAL", "")
    if wanted == "0" or (wanted != "1" and environ.get("CI")):
        return None
    path = key_path(environ)
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
        return _read_key(path)  # another build may have made it first: theirs is the key
    except OSError:
        return None


def _read_key(path: Path) -> bytes | None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not S_ISREG(st.st_mode) or st.st_mode & 0o077 or st.st_uid != os.getuid():
            return None  # readable by others, or not this user's: not a secret
        key = handle.read(KEY_BYTES + 1)
    return key if len(key) == KEY_BYTES else None


def hasher(key: bytes, name: str) -> hashlib.blake2b:
    """What a section file's bytes are fed to, in order; `name` binds the seal to its section
    and to what the section's entries are valid for (its salt, which holds the code's digest)."""
    h = hashlib.blake2b(key=key, digest_size=32, person=b"paperfeed-seal")
    h.update(name.encode("utf-8", "surrogatepass") + b"\0")
    return h


def seal_path(section: Path) -> Path:
    return section.with_name(section.name + SUFFIX)


def write_seal(section: Path, seal: bytes) -> None:
    """The seal of the section file just written (a hex line; replaced atomically)."""
    from generator.files import write_atomic

    try:
        write_atomic(seal_path(section), seal.hex().encode("ascii"), durable=False)
    except OSError:
        pass  # unsealed: checked next time


def stored_seal(section: Path) -> bytes | None:
    """The seal beside section, as written (None: there is none, so the file is checked at once)."""
    try:
        fd = os.open(seal_path(section), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            return handle.read(2 * 32 + 1)
    except OSError:
        return None


def matches(stored: bytes, seal: bytes) -> bool:
    """Whether a stored seal is `seal` (the keyed hash of the bytes just read)."""
    return hmac.compare_digest(stored, seal.hex().encode("ascii"))


def remove_seal(section: Path) -> None:
    try:
        seal_path(section).unlink(missing_ok=True)
    except OSError:
        pass
