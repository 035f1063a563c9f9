"""The paper record as plain, frozen data."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from datetime import date as _date  # the field `date` below shadows the type name in the class body

NEW_ARXIV = re.compile(r"(?P<key>\d{4}\.\d{4,5})(?:v(?P<version>\d+))?")
OLD_ARXIV = re.compile(r"(?P<key>[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?")
MAX_ID_LENGTH = 200
SLUG_ID = re.compile(r"[A-Za-z0-9._-]+")
# A slug id names a folder (/papers/<id>/): Windows cannot create CON or con.txt, drops a
# trailing '.', and static hosts (Jekyll on GitHub Pages) skip folders starting with '.'.
WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)})

KNOWN_LINKS = ("arxiv", "pdf", "code", "project", "video", "data")
LINK_ALIASES = {"github": "code"}


def utf8(text: str) -> bytes:
    """text as UTF-8; any str round-trips (a lone surrogate too: `surrogatepass`)."""
    return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class PaperId:
    """A paper's identity: the version-less key, plus the version when given."""

    key: str
    version: int | None = None
    arxiv: bool = False

    @property
    def full(self) -> str:
        """The id as written, with its version (what links point at)."""
        return f"{self.key}v{self.version}" if self.version else self.key


def parse_paper_id(raw: str) -> PaperId | None:
    """Parse an arXiv id (new or old style, optional version) or a slug; None if invalid."""
    for pattern in (NEW_ARXIV, OLD_ARXIV):
        match = pattern.fullmatch(raw)
        if match:
            version = match.group("version")
            return PaperId(match.group("key"), int(version) if version else None, arxiv=True)
    if SLUG_ID.fullmatch(raw) and not raw.startswith(".") and not raw.endswith(".") \
            and raw.split(".")[0].lower() not in WINDOWS_DEVICES and len(raw) <= MAX_ID_LENGTH:
        return PaperId(raw)
    return None


@dataclass(frozen=True)
class Author:
    name: str
    affiliation: str = ""
    url: str = ""


@dataclass(frozen=True)
class Link:
    """A named link; `name` is one of KNOWN_LINKS or the user's own label."""

    name: str
    url: str

    @property
    def known(self) -> bool:
        return self.name in KNOWN_LINKS


@dataclass(frozen=True)
class Paper:
    """One validated record. `title_html`, `abstract_html`, `abstract_text` are filled by the markup stage.

    The markup is kept as UTF-8 bytes and decoded when it is read: MathML's italic letters lie
    beyond U+FFFF, and a str holding one takes 4 bytes a character (PEP 393), so a site's
    abstracts would take 2.5 times the memory (64 MB instead of 25 at 10,000 papers).
    """

    id: PaperId
    title: str
    abstract: str
    date: date
    source: str
    line: int = 1
    authors: tuple[Author, ...] = ()
    author_count: int = 0
    organization: str = ""
    published: _date | None = None
    upvotes: int = 0
    tags: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    thumbnail: str = ""
    submitted_by: str = ""
    extra: tuple[tuple[str, object], ...] = ()
    title_html_utf8: bytes = field(default=b"", compare=False)
    title_text_utf8: bytes = field(default=b"", compare=False)  # plain text (mathtext.plain_title)
    abstract_html_utf8: bytes = field(default=b"", compare=False)
    abstract_text_utf8: bytes = field(default=b"", compare=False)  # plain text (saved searches)
    description_utf8: bytes = field(default=b"", compare=False)  # readable summary (meta description)

    @property
    def key(self) -> str:
        return self.id.key

    @property
    def title_html(self) -> str:
        """The title as safe HTML (MathML for its math); '' before the markup stage."""
        return self.title_html_utf8.decode("utf-8", "surrogatepass")

    @property
    def title_text(self) -> str:
        """The title as plain text, math as Unicode (mathtext.plain_title); '' before the markup
        stage (mathtext.title_text makes it then)."""
        return self.title_text_utf8.decode("utf-8", "surrogatepass")

    @property
    def abstract_html(self) -> str:
        """The abstract as safe HTML (MathML for its math); '' before the markup stage."""
        return self.abstract_html_utf8.decode("utf-8", "surrogatepass")

    @property
    def abstract_text(self) -> str:
        """The abstract as plain text (what saved searches look at); '' before the markup stage."""
        return self.abstract_text_utf8.decode("utf-8", "surrogatepass")

    @property
    def description(self) -> str:
        """The abstract's first ~200 characters as plain text with math as Unicode (the pages' meta
        description, mathtext.description); '' before the markup stage."""
        return self.description_utf8.decode("utf-8", "surrogatepass")

    def with_markup(self, title_html: str = "", abstract_html: str = "", abstract_text: str = "",
                    description: str = "", title_text: str = "") -> Paper:
        """This paper with its rendered markup (see the class docstring)."""
        return dataclasses.replace(self, title_html_utf8=utf8(title_html), abstract_html_utf8=utf8(abstract_html),
                                   abstract_text_utf8=utf8(abstract_text), description_utf8=utf8(description),
                                   title_text_utf8=utf8(title_text))

    def link(self, name: str) -> str:
        """URL of a named link, or ''."""
        return next((link.url for link in self.links if link.name == name), "")


def content_digest(data: bytes) -> str:
    """What a file of the site holds, for checking it when its mtime did not survive (a fresh
    checkout, a tar round trip): SHA-256, the fastest stdlib hash where CPUs have SHA extensions."""
    return hashlib.sha256(data).hexdigest()[:32]


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site: a path relative to the output root, and its bytes."""

    path: str
    data: bytes
    kept: bool = False  # unchanged since the last build: the writer links the previous file
    digest: str = ""  # content_digest(data), when the maker knew it (a page: its render worker's)

    @classmethod
    def hashed(cls, path: str, data: bytes) -> OutputFile:
        """A file with its content digest: made where the bytes are (a render worker), not by the writer."""
        return cls(path, data, digest=content_digest(data))

    @classmethod
    def keep(cls, path: str) -> OutputFile:
        """A file the last build wrote and this one would write identically (not rendered again)."""
        return cls(path, b"", kept=True)
