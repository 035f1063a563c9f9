"""`paperfeed new`: one record from an arXiv id (metadata fetched) or from flags (offline).

The record is dumped, parsed back and validated with the site's own record
parser before anything is written, so `new` never leaves a file that breaks
the build. It refuses an id that already exists anywhere under content/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.config import load_config
from generator.errors import ContentError, Problem, SourceLocation
from generator.importers.arxiv import parse_arxiv_response
from generator.importers.fetch import FetchError, arxiv_query_url, fetch
from generator.importers.hf import record_path
from generator.importers.merge import KEY_ORDER
from generator.importers.store import ContentStore
from generator.importers.yamlout import dump_record
from generator.model import parse_paper_id
from generator.record import RecordContext, parse_record
from generator.yamlsrc import parse_yaml


@dataclass(frozen=True)
class NewPaper:
    """What the user said on the command line; empty values are left out of the record."""

    paper_id: str
    title: str = ""
    authors: tuple[str, ...] = ()
    organization: str = ""
    abstract: str | None = None
    published: dt.date | None = None
    date: dt.date | None = None
    upvotes: int | None = None
    tags: tuple[str, ...] = ()
    links: dict[str, str] = field(default_factory=dict)


def fetch_arxiv_metadata(paper_id: str, fetcher: Callable[[str], bytes] | None = None) -> dict[str, Any]:
    """The arXiv API's record for one paper; FetchError when it cannot be had."""
    url = arxiv_query_url(paper_id)
    records, problems = parse_arxiv_response((fetcher or fetch)(url), url)
    wanted = parse_paper_id(paper_id)
    for record in records:
        found = parse_paper_id(str(record["id"]))
        if wanted is not None and found is not None and found.key == wanted.key:
            return record
    raise FetchError("; ".join(problems) or f"arXiv has no paper {paper_id}")


def build_record(new: NewPaper, fetched: dict[str, Any] | None, today: dt.date) -> dict[str, Any]:
    """Fetched metadata (if any) overridden by the flags; tags and links are added to."""
    record: dict[str, Any] = dict(fetched or {})
    record["id"] = new.paper_id if not fetched else record["id"]
    given = {"title": new.title, "authors": list(new.authors), "organization": new.organization,
             "published": new.published, "upvotes": new.upvotes}
    record.update({key: value for key, value in given.items() if value not in (None, "", [])})
    if new.abstract is not None:
        record["abstract"] = new.abstract
    record.setdefault("abstract", "")
    # The featured day is the day it was added, unless said otherwise.
    record["date"] = new.date or today
    record["tags"] = list(dict.fromkeys([*record.get("tags", []), *new.tags]))
    record["links"] = {**record.get("links", {}), **new.links}
    return {key: record[key] for key in KEY_ORDER if record.get(key) not in (None, [], {})
            or key == "abstract" and key in record}


def write_new_record(site_dir: Path, record: dict[str, Any]) -> Path:
    """Validate `record` and write it to content/YYYY/MM/DD/<id>.yaml; ContentError if it cannot be."""
    config = load_config(site_dir)
    store, problems = ContentStore.load(site_dir, config.content_path, RecordContext(config.timezone))
    paper_id = parse_paper_id(str(record["id"]))
    if paper_id is None:
        raise ContentError([Problem(SourceLocation("<command line>"), "id",
                                    f"expected an arXiv id (2512.01234) or a slug, got {record['id']!r}")])
    path = config.content_path / record_path({**record, "id": paper_id.key})
    shown = store.shown(path)
    existing = store.by_key.get(paper_id.key.casefold())
    refused = store.escape(path)
    if refused is not None:
        problems.append(refused)
    elif existing is not None:
        problems.append(Problem(SourceLocation(store.shown(existing)), "id",
                                f"{paper_id.key} already exists; edit that file instead"))
    elif path.exists():
        problems.append(Problem(SourceLocation(shown), "", "file exists; not overwritten"))
    text = dump_record(record)
    doc, yaml_problems = parse_yaml(text, shown)
    problems += yaml_problems
    if doc is not None:
        problems += parse_record(doc.value, doc.node, shown, RecordContext(config.timezone))[1]
    if problems:
        raise ContentError(problems)
    store.staged[path] = text
    store.commit()
    return path
