"""The persistent build cache in <site>/.paperfeed-cache/: safe to delete any time.

It holds what is slow to make again and cheap to check: parsed records keyed
by their file's bytes (a stat match skips even reading them), rendered title
and abstract HTML keyed by the text, and what the last build wrote (see
generator/depends.py). A missing, corrupted, foreign or stale file is simply
ignored, and the build does the work again: the cache can only make a build
faster, never change what it makes.

The cache is data, never code, and trusted no more than the records. It may
come from anyone who can commit to the site (`git add -f .paperfeed-cache`) or
from a CI cache another run saved, so:

- Data only. Each section is a text file, <name>.jsonl: a header line (format,
  section, entry count), then one line per entry, `mac <TAB> key <TAB> value`
  (lines appended by a later build follow a head line counting them),
  the key and value JSON (generator/cachecodec.py: no pickle, and a decoder
  per section that checks every type and rejects anything it would not have
  written). Anything that does not decode or fit the schema: the whole section
  is ignored.
- Verified. `mac` is a keyed BLAKE2b of the line, keyed by the section's name
  and salt (the paperfeed code digest, plus what the section depends on). A
  flipped bit, a truncated file, a file of another version or section: that
  entry fails its check and is dropped (markup, records: recomputed), or the
  whole section is ignored (the files index, the ledger: all or nothing).
- Not a secret. The key is public (it is derived from the code), so it stops
  corruption and foreign files, not forgery: a key only this machine knows
  would stop every CI run from reusing a cache another run saved. Forgery is
  instead made pointless: a stored value is only ever used when it is one the
  records themselves could have produced. A parsed paper passes the record
  schema's own checks (ids, http(s) URLs, one-line text, dates, counts), is
  stored for the digest of its file's bytes and path, and must name that
  file: it is no more than a record in content/ could be. A markup entry is
  bound to its kind (title or abstract) by its key, and its HTML must be a
  fixed point of the same sanitiser every rendered text passes (sanitize(html)
  == html): a forged `<script>` is never published, the entry is rendered
  again. Sanitising the ~18,800 entries of a 10,000-paper site costs ~1.3 s
  of CPU (the no-change build never loads markup). What remains, a forged
  entry showing other sanitised text for a paper, is what editing the record
  does anyway; CI should still not restore caches saved by untrusted branches.
- Never followed through a link. A `.paperfeed-cache` that is a symlink or not
  a folder is not used at all (said once on stderr); a section file is opened
  with O_NOFOLLOW and must be a regular file; a save replaces the file by
  rename, never writing through what was there.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from generator.cachecodec import (
    INDEX,
    MARKUP,
    Codec,
    MarkupValue,
    Parsed,
    decode_parsed,
    encode_parsed,
    key_kind,
    storable,
    stored_text,
    trusted_markup,
    trusted_parsed,
)
from generator.cachefile import (  # noqa: F401 - the cache's API: one place to import it from
    CACHE_DIR,
    FORMAT,
    Section,
    _committed,
    code_digest,
    digest,
    fragments_folder,
    spare_folder,
    usable_folder,
)
from generator.content import RecordFile, read_bounded
from generator.parallel import MIN_ITEMS, pmap
from generator.record import RecordContext

__all__ = ["CACHE_DIR", "FORMAT", "MarkupCache", "RecordCache", "Section", "code_digest", "digest",
           "fragments_folder", "spare_folder", "usable_folder"]

if TYPE_CHECKING:
    from generator.warm import WarmState


class RecordCache:
    """Parsed records by file: (size, mtime, inode) match -> reuse; else bytes hash match -> reuse.

    Two sections: a small index (file -> stat and digest) that tells whether
    anything changed without decoding a single paper, and the parsed records
    by digest, loaded only when a build needs the papers.
    """

    def __init__(self, folder: Path | None, context: RecordContext, fresh: bool = False,
                 warm: WarmState | None = None) -> None:
        self.context = context
        shared: dict[Any, Any] = {}  # an author or tag of many papers: one object, checked once
        self.index_section = Section(folder, "files", repr(context), fresh, INDEX)
        self.records_section = Section(folder, "records", repr(context), fresh,
                                       Codec(encode_parsed, lambda text: decode_parsed(text, context, shared),
                                             lambda text: trusted_parsed(text, shared)),
                                       partial=True)
        self.warm, self.warm_key = warm, f"{code_digest()}:{context!r}"
        self._records: Mapping[str, tuple[str, Parsed]] | None = None  # digest -> (shown path, parsed)
        if warm is not None and not fresh and warm.key == self.warm_key and warm.files is not None:
            self.old_index = warm.files  # this process's own: neither decoded nor checked again
            self._records = warm.records
        else:
            self.old_index = self.index_section.load().get("index", {})
        self.index: dict[str, tuple[tuple[int, int, int], str]] = {}
        self.used: dict[str, tuple[str, Parsed]] = {}
        self.paper_digests: dict[str, str] = {}  # paper key -> digest of its file and position
        self.file_digests: dict[str, str] = {}  # shown path -> digest of its bytes
        self.parsed = 0
        self._data: dict[str, bytes] = {}  # bytes read while scanning, parsed next
        self._ahead: dict[str, tuple[Parsed, bool]] = {}  # digest -> parsed on every core, storable
        self._shared = shared

    def scan(self, files: list[RecordFile]) -> None:
        """The digest of every file: read only those whose size, mtime or inode changed."""
        for path, shown in files:
            try:
                st = os.lstat(path)
                if not S_ISREG(st.st_mode):
                    # A link (or odd file) is never read here: load_papers checks where it points
                    # first. Its target's path, size and mtime stand for its bytes.
                    target = os.stat(path)
                    self.file_digests[shown] = digest(f"{shown}\0{os.path.realpath(path)}\0"
                                                      f"{target.st_size}:{target.st_mtime_ns}"
                                                      .encode("utf-8", "surrogateescape"))
                    continue
                stat = (st.st_size, st.st_mtime_ns, st.st_ino)
                old = self.old_index.get(shown)
                if old is not None and old[0] == stat:
                    file_digest = old[1]
                else:
                    data = self._data[shown] = read_bounded(path)  # a 10 GB file is not read whole
                    # (record_files gives printable names; surrogateescape: a raw one never crashes)
                    file_digest = digest(shown.encode("utf-8", "surrogateescape") + b"\0" + data)
            except OSError:
                continue  # load_papers reports it
            self.index[shown] = (stat, file_digest)
            self.file_digests[shown] = file_digest

    def parse_ahead(self, parse: Callable[[bytes, str], Parsed], jobs: int) -> None:
        """Parse the scanned files the cache has not got on `jobs` cores at once (a cold build:
        10,000 YAML files), each checked for storing there too; load() then takes them."""
        if self._records is None:
            self._records = self.records_section.load()
        records = self._records
        todo = [(shown, data) for shown, data in self._data.items()
                if self.file_digests.get(shown) not in records]
        if len(todo) < MIN_ITEMS or jobs <= 1:
            return  # parsed one by one by load()
        context = self.context

        def parse_one(item: tuple[str, bytes]) -> str | Parsed:
            # What a storable parse is stored as comes back, not the objects: decoding it
            # here shares an author or a tag of many papers (unpickled, each is its own).
            shown, data = item
            parsed = parse(data, shown)
            return stored_text(shown, parsed, context) or parsed

        for i, done in enumerate(pmap(parse_one, todo, jobs)):
            shown = todo[i][0]
            # Parsed: its bytes go as the papers come (at 100,000 papers ~270 MB were held beside
            # every parsed record). pmap's workers read their items from their own copy of the
            # list, forked before the first result comes back.
            todo[i] = ("", b"")
            del self._data[shown]
            if isinstance(done, str):
                self._ahead[self.file_digests[shown]] = (trusted_parsed(done, self._shared)[1], True)
            else:
                self._ahead[self.file_digests[shown]] = (done, False)

    def load(self, path: Path, shown: str, parse: Callable[[bytes, str], Parsed]) -> Parsed:
        """The papers and problems of one scanned file, parsed only when its bytes changed."""
        file_digest = self.file_digests.get(shown)
        data = self._data.pop(shown, None)
        if file_digest is None:  # not scanned (unreadable then): read it now, errors go to load_papers
            data = read_bounded(path)
            file_digest = self.file_digests[shown] = digest(shown.encode() + b"\0" + data)
        if self._records is None:
            self._records = self.records_section.load()
        stored = self._records.get(file_digest)
        if stored is not None and stored[0] == shown:  # a cached paper stands only for its own file's bytes
            parsed = stored[1]
            self.used[file_digest] = stored
        else:
            ahead = self._ahead.pop(file_digest, None)
            if ahead is None:
                parsed = parse(read_bounded(path) if data is None else data, shown)
                ahead = parsed, storable(shown, parsed, self.context)
            parsed = ahead[0]
            self.parsed += 1
            if ahead[1]:
                self.used[file_digest] = (shown, parsed)
        for i, paper in enumerate(parsed[0]):
            self.paper_digests[paper.key] = f"{file_digest}:{i}"
        return parsed

    def save(self) -> None:
        """Write what changed; with a WarmState, keep it there and leave the writing to its flush()."""
        if self.warm is not None:
            self.warm.key, self.warm.files = self.warm_key, self.index
            if self._records is not None:
                self.warm.records = self.used
        if self.index != self.old_index:
            self._save(self.index_section, {"index": self.index})
        elif self.warm is None:
            self.index_section.reseal()
        if self._records is not None and (self.parsed or self.used.keys() != self._records.keys()
                                          or self.records_section.dropped):
            stored = self._records
            unchanged = {key for key, value in self.used.items() if stored.get(key) is value}
            self._save(self.records_section, self.used, unchanged)
        elif self._records is not None and self.warm is None:
            self.records_section.reseal()  # every entry decoded (checked) and used

    def release(self) -> None:
        """Forget the parsed records once the build holds its papers (the digests stay)."""
        self._records, self.used, self._data, self._ahead = None, {}, {}, {}

    def _save(self, section: Section, data: dict[str, Any], unchanged: Collection[str] = ()) -> None:
        if self.warm is None:
            section.save(data, unchanged)
        else:
            self.warm.defer(section.path.name if section.path else "",
                            functools.partial(section.save, data, unchanged))


class MarkupCache:
    """Rendered HTML by (kind, source text), as UTF-8 (see model.Paper); the entries this build
    used are kept (a small change appends its new ones: those no longer used stay until the
    file is rewritten, see cachefile.Section._append).

    A stored entry is used only when its HTML is a fixed point of the sanitiser every rendered
    text passes (see the module docstring): a forged or damaged one is rendered again.
    """

    def __init__(self, folder: Path | None, fresh: bool = False, warm: WarmState | None = None) -> None:
        self.section = Section(folder, "markup", "", fresh, MARKUP, partial=True)
        self.old: dict[bytes, MarkupValue] = {}
        self.warm = warm
        # Markup this process made or checked (the last build's, kept in memory): used as it is.
        self.trusted = warm is not None and not fresh and warm.markup is not None
        if self.trusted and warm is not None and warm.markup is not None:
            self.old = warm.markup
        for key, value in ({} if self.trusted else self.section.load()).items():
            try:
                found = bytes.fromhex(key)
            except ValueError:
                continue
            if len(found) == 17 and found[:1] == key_kind(value):
                self.old[found] = value
        # A file this user's build wrote and sealed (generator/seal.py): its markup was made or
        # checked by that build, and is used as it is.
        self.trusted = self.trusted or self.section.sealed
        self.new: dict[bytes, MarkupValue] = {}
        self.made: set[bytes] = set()  # keys of entries rendered by this build
        self.checked: set[bytes] = set()  # keys of stored entries check() found trusted
        self.refused = 0

    @staticmethod
    def key(kind: str, text: str) -> bytes:
        """b't' (title) or b'a' (abstract) and a hash of the text: an entry's kind is in its key."""
        return (b"t" if kind == "title" else b"a") + hashlib.blake2b(
            f"{kind}\0{text}".encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def check(self, keys: Iterable[bytes], jobs: int = 1) -> None:
        """Check the stored entries these keys name all at once, on `jobs` cores (a sanitiser
        pass each: ~1.3 s of CPU at 10,000 papers); get() then only looks the answer up."""
        if self.trusted:
            return
        from generator.markup import sanitize  # noqa: F401 - imported once, before the workers fork

        found = [key for key in dict.fromkeys(keys) if key in self.old and key not in self.checked]
        old = self.old
        for key, good in zip(found, pmap(lambda key: trusted_markup(old[key]), found, jobs), strict=True):
            if good:
                self.checked.add(key)

    def get(self, key: bytes) -> MarkupValue | None:
        found = self.old.get(key)
        if found is not None:
            if not self.trusted and key not in self.checked and not trusted_markup(found):
                self.refused += 1
                del self.old[key]
                return None
            self.new[key] = found
        return found

    def put(self, key: bytes, html: MarkupValue) -> None:
        self.new[key] = html
        self.made.add(key)

    def save(self) -> None:
        """Write the entries this build used, when they differ from what was stored (see RecordCache.save)."""
        if self.warm is not None:
            self.warm.markup = self.new
        if self.new.keys() != self.old.keys() or self.refused or self.section.dropped:
            unchanged = {key for key in self.new if key not in self.made}
            if self.warm is None:
                _save_markup(self.section, self.new, unchanged)
            else:
                self.warm.defer("markup", functools.partial(_save_markup, self.section, self.new, unchanged))
        elif self.warm is None:
            self.section.reseal()  # every stored entry was used, so checked by get()


def _save_markup(section: Section, entries: dict[bytes, MarkupValue], unchanged: set[bytes]) -> None:
    section.save({key.hex(): value for key, value in entries.items()}, {key.hex() for key in unchanged})
