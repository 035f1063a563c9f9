"""The configuration's schema: every setting of paperfeed.yaml, its default, its doc and its check.

One frozen dataclass per section; each field's metadata carries its doc (docs/configuration.md
and `paperfeed init`'s commented config are written from it) and the check that turns a raw
YAML value into the setting or raises ValueError with what was expected. Reading the file,
overrides and collecting problems live in config.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.errors import Problem, SourceLocation
from generator.model import WINDOWS_DEVICES
from generator.yamlsrc import line_of, mapping_items

if TYPE_CHECKING:
    from generator.query import Query


def _doc(text: str, check: Callable[[Any], Any] | None = None, required: bool = False,
         items: tuple[type, Callable[..., list[Problem]]] | None = None, **kw: Any) -> Any:
    """A setting: its doc, its check; `required`: an item of a list must give it;
    `items`: a list of mappings of that dataclass, and a check across the items."""
    return field(metadata={"doc": text, "check": check, "required": required,
                           "items": items}, **kw)


def _int(minimum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"expected a whole number >= {minimum}, got {value!r}")
        return value
    return check


def _str(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value.strip()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value.strip()


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _base_url(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value.strip()):
        raise ValueError(f"expected an absolute http(s) URL like https://example.org/papers/, got {value!r}")
    return value.strip().rstrip("/") + "/"


def _timezone(value: Any) -> str:
    if value != "UTC" and not _is_zone(value):
        raise ValueError(f"expected an IANA time zone like Europe/Paris or UTC, got {value!r}")
    return str(value)


def _is_zone(value: Any) -> bool:
    """An IANA zone name (zoneinfo.available_timezones() would list it: that reads ~600 files)."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*", value):
        return False
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _int_list(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of whole numbers, got {value!r}")
    return tuple(sorted({_int(1)(v) for v in value}))


def _str_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of strings, got {value!r}")
    return tuple(_str(v) for v in value)


def _choice(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {value!r}")
        return str(value)
    return check


FEED_FORMATS = ("rss", "atom", "json")


def _formats(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or any(v not in FEED_FORMATS for v in value):
        raise ValueError(f"expected a non-empty list of {', '.join(FEED_FORMATS)}, got {value!r}")
    return tuple(kind for kind in FEED_FORMATS if kind in value)


def _id_base(value: Any) -> str:
    text = _text(value)
    if text and not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(/[A-Za-z0-9._~/-]*)?", text):
        raise ValueError(f"expected a host name with an optional path, like example.org/papers, "
                         f"got {value!r}")
    return text.strip("/")


def _theme(value: Any) -> str:
    name = _str(value)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"expected a theme folder name, got {name!r}")
    return name


@dataclass(frozen=True)
class TaxonomyConfig:
    """Which terms of one taxonomy get pages and feeds (real data is long-tailed)."""

    min_papers: int = _doc("a term gets its own page only with at least this many papers", _int(1), default=1)
    feeds: bool = _doc("whether terms get their own RSS/Atom/JSON feeds", _bool, default=True)
    feed_min_papers: int = _doc("a term gets its own feeds only with at least this many papers",
                                _int(1), default=3)
    feed_formats: tuple[str, ...] = _doc(
        "formats of each term's feed: rss, atom, json (one is enough for a reader; each adds a file per term)",
        _formats, default=("rss",))


@dataclass(frozen=True)
class LimitsConfig:
    """The host's limits: the build warns (and still succeeds) when the site passes one."""

    max_site_mb: int = _doc("warn when the site is larger than this many MB (GitHub Pages refuses sites "
                            "over 1 GB)", _int(0), default=1000)
    max_files: int = _doc("warn when the site has more files than this; 0: no limit (Cloudflare Pages "
                          "allows 20000)", _int(0), default=0)
    max_page_kb: int = _doc("warn when an HTML page is larger than this many KB; 0: no limit", _int(0),
                            default=500)


def _slug(value: Any) -> str:
    text = _str(value)
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", text) or len(text) > 80 or text in WINDOWS_DEVICES:
        raise ValueError(f"expected lowercase letters, digits and '-' (like with-code), at most 80 "
                         f"characters, got {value!r}")
    return text


def _query(value: Any) -> str:
    from generator.query import parse

    text = _str(value)
    parse(text)  # a QueryError is a ValueError: reported at the query's line
    return text


@dataclass(frozen=True)
class SearchConfig:
    """One saved search: a feed of the newest papers matching a query, and a page listing them all."""

    slug: str = _doc("its name in URLs (lowercase letters, digits, '-'): feeds /feeds/search/SLUG.xml, "
                     ".atom.xml and .json, the page /feeds/search/SLUG/", _slug, default="", required=True)
    title: str = _doc("the feed's and the page's title (default: the query)", _text, default="")
    query: str = _doc("what the papers must match: words, \"phrases\", -excluded, OR, tag:, author:, org:, "
                      "has:code|project|video|data, upvotes>=N (docs/searches.md)", _query, default="",
                      required=True)

    @property
    def parsed(self) -> Query:
        from generator.query import parse

        return parse(self.query)

    @property
    def name(self) -> str:
        return self.title or self.query


def _searches(items: list[SearchConfig], node: yaml.Node | None, path: str, prefix: str) -> list[Problem]:
    """Two searches cannot share a slug (one would overwrite the other's files)."""
    seen: dict[str, int] = {}
    problems = []
    for i, search in enumerate(items):
        if search.slug in seen:
            problems.append(Problem(item_location(node, i, "slug", path), f"{prefix}[{i}].slug",
                                    f"{search.slug!r} is already the slug of {prefix}[{seen[search.slug]}]"))
        seen.setdefault(search.slug, i)
    return problems


@dataclass(frozen=True)
class FeedsConfig:
    """Site, taxonomy, upvote, digest and saved-search feeds."""

    items: int = _doc("how many of the newest papers the site, top-K and saved-search feeds hold", _int(1), default=50)
    term_items: int = _doc("how many of the newest papers each tag, organisation and author feed holds",
                           _int(1), default=15)
    upvote_thresholds: tuple[int, ...] = _doc(
        "a feed of papers with at least K upvotes for each K (/feeds/top-K.xml)", _int_list,
        default=(10, 50))
    digest_days: int = _doc("how many days the daily digest feed holds", _int(1), default=30)
    id_base: str = _doc(
        "host (and path) in entry ids; default: base_url without its scheme. Set it to the old "
        "value before moving the site to another host, so readers do not see old papers as new",
        _id_base, default="")
    searches: tuple[SearchConfig, ...] = _doc(
        "saved-search feeds, each with a slug, a title and a query (docs/searches.md)", None,
        default=(), items=(SearchConfig, _searches))


@dataclass(frozen=True)
class ApiConfig:
    """The static API in Hugging Face's shapes (/api/daily_papers, /api/papers/<id>; docs/api.md)."""

    enabled: bool = _doc("publish /api/daily_papers (the latest day)", _bool, default=True)
    # Off by default: a file per day holds every paper's object with its abstract (twice, as
    # HF's do): 48 MB at 10,000 papers, a sixth of the site's weight budget (docs/weight.md).
    history: bool = _doc("also a JSON file per day, week and month under /api/daily_papers/ "
                         "(about 5 MB per 1,000 papers)", _bool, default=False)
    # Off by default: the lists already hold every paper's whole object, and a file per paper
    # would take a year of real papers (10,000) past the 40,000-file budget (DESIGN.md).
    papers: bool = _doc("also a file per paper, /api/papers/<id> (huggingface_hub's paper_info): "
                        "one more file per paper (about 2 KB each)", _bool, default=False)
    items: int = _doc("papers in each week and month file, most upvoted first (Hugging Face's default "
                      "limit is 50); a day's file holds all its papers", _int(1), default=50)


# Email settings end up in SMTP commands and mail headers, where a line break starts a
# new header or command (`a@b.org\r\nBcc: ...`): every one is checked when the config is
# read, and again by the mailer before anything is sent.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _one_line(value: Any) -> str:
    text = _text(value)
    if _CONTROL.search(text):
        raise ValueError(f"expected one line without control characters, got {value!r}")
    return text


def _smtp_host(value: Any) -> str:
    text = _text(value)
    if text and not re.fullmatch(r"[A-Za-z0-9._:-]+", text):
        raise ValueError(f"expected a host name like smtp.example.org or an IP address, got {value!r}")
    return text


def _env_name(value: Any) -> str:
    text = _text(value)
    if text and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        raise ValueError(f"expected an environment variable name like SMTP_PASSWORD, got {value!r}")
    return text


def email_address(value: Any) -> str:
    """One address, optionally with a display name: `papers@example.org`, `Daily Papers <papers@...>`."""
    text = _text(value)
    from email.utils import getaddresses

    pairs = getaddresses([text]) if text and not _CONTROL.search(text) else []
    local, _, domain = pairs[0][1].rpartition("@") if len(pairs) == 1 else ("", "", "")
    if text and (not local or not domain or re.search(r"[\s<>]", pairs[0][1])):
        raise ValueError(f"expected one email address like papers@example.org or "
                         f"'Daily Papers <papers@example.org>', got {value!r}")
    return text


def _addresses(value: Any) -> tuple[str, ...]:
    return tuple(email_address(v) for v in _str_list(value))


def _port(value: Any) -> int:
    if _int(1)(value) > 65535:
        raise ValueError(f"expected a port number from 1 to 65535, got {value!r}")
    return int(value)


def _unsubscribe(value: Any) -> str:
    text = _text(value)
    if text and not re.fullmatch(r"(mailto:|https?://)[^\x00-\x20\x7f<>]+", text):
        raise ValueError(f"expected an https:// URL or a mailto: address without spaces, got {value!r}")
    return text


@dataclass(frozen=True)
class EmailConfig:
    """The email digest (`paperfeed digest --send`); the password comes from an environment variable."""

    smtp_host: str = _doc("SMTP server host", _smtp_host, default="")
    smtp_port: int = _doc("SMTP server port", _port, default=587)
    tls: str = _doc("starttls, ssl or none", _choice("starttls", "ssl", "none"), default="starttls")
    username: str = _doc("SMTP user name", _one_line, default="")
    password_env: str = _doc("name of the environment variable holding the SMTP password", _env_name,
                             default="PAPERFEED_SMTP_PASSWORD")
    sender: str = _doc("From: address", email_address, default="")
    recipients: tuple[str, ...] = _doc("To: addresses", _addresses, default=())
    unsubscribe: str = _doc("List-Unsubscribe URL or mailto:", _unsubscribe, default="")


@dataclass(frozen=True)
class SiteConfig:
    """Everything paperfeed.yaml can say; defaults make a working site."""

    title: str = _doc("site title", _str, default="Daily Papers")
    description: str = _doc("one line under the title and in feeds", _text, default="")
    base_url: str = _doc("absolute URL the site is served from, may have a sub-path", _base_url,
                         default="http://127.0.0.1:8000/")
    language: str = _doc("language of the site (BCP 47)", _str, default="en")
    timezone: str = _doc("time zone of the featured dates", _timezone, default="UTC")
    theme: str = _doc("theme folder under themes/ (default: the built-in theme)", _theme,
                      default="default")
    content_dir: str = _doc("folder of paper records, relative to the site", _str, default="content")
    output_dir: str = _doc("folder the site is written to, relative to the site", _str,
                           default="public")
    per_page: int = _doc("papers per page of the card lists (home, days, trending)", _int(1), default=30)
    rows_per_page: int = _doc("papers per page of the compact lists (weeks, months, tags, organizations, "
                              "authors)", _int(1), default=100)
    trending_days: int = _doc("the trending page ranks the papers of the last N days", _int(1),
                              default=7)
    feeds: FeedsConfig = _doc("feed settings", default_factory=FeedsConfig)
    # Real data is long-tailed (a year of Hugging Face papers: 41,000 authors and 43,000
    # keywords, most on one paper): a term below min_papers links to the search page instead
    # of a page of its own. These defaults keep such a year under 300 MB and 30,000 files.
    tags: TaxonomyConfig = _doc("tag pages and feeds",
                                default_factory=lambda: TaxonomyConfig(min_papers=3, feed_min_papers=10))
    orgs: TaxonomyConfig = _doc("organisation pages and feeds", default_factory=TaxonomyConfig)
    authors: TaxonomyConfig = _doc("author pages and feeds",
                                   default_factory=lambda: TaxonomyConfig(min_papers=5, feeds=False))
    limits: LimitsConfig = _doc("size warnings", default_factory=LimitsConfig)
    api: ApiConfig = _doc("the static API in Hugging Face's shapes", default_factory=ApiConfig)
    email: EmailConfig = _doc("email digest settings", default_factory=EmailConfig)
    site_dir: Path = field(default=Path("."), metadata={"internal": True})

    @property
    def content_path(self) -> Path:
        return self.site_dir / self.content_dir

    @property
    def output_path(self) -> Path:
        return self.site_dir / self.output_dir


def location(node: yaml.Node | None, key: str, path: str) -> SourceLocation:
    """Where a key of a mapping node is: its value's line (the key's when it has no value)."""
    key_node, value_node = mapping_items(node).get(key, (None, None)) if node is not None else (None, None)
    return SourceLocation(path, line_of(value_node or key_node))


def item_location(node: yaml.Node | None, index: int, key: str, path: str) -> SourceLocation:
    """Where a key of the index-th mapping of a list node is."""
    item = node.value[index] if isinstance(node, yaml.SequenceNode) and index < len(node.value) else None
    return location(item, key, path)
