"""The static API in Hugging Face's shapes, read by the real huggingface_hub client.

A built site is served by `python -m http.server` (a subprocess, bound to 127.0.0.1) under a
sub-path, and `HfApi(endpoint=...)` is pointed at it: nothing talks to huggingface.co. The
server's log shows every request the client made.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from generator.api import build_api, daily_entry, paper_object
from generator.build import build
from generator.config import ApiConfig, SiteConfig
from generator.indexes import build_index
from generator.model import Author, Link, Paper, PaperId, parse_paper_id
from generator.urls import Urls
from tests.conftest import make_site, record
from tests.support.trees import snapshot

HF_DATA = Path("/work/shared/data/hf-daily-papers")
BASE = "https://example.org/lab/"

# The client must never reach huggingface.co: its endpoint is given explicitly, and these
# keep it from sending telemetry or a saved token anywhere.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")

hf_api = pytest.importorskip("huggingface_hub.hf_api")


def _records() -> list[dict[str, Any]]:
    return [
        record("2512.01234", title="Fast attention", date="2025-12-08", published="2025-12-05", upvotes=7,
               authors=["Ada Lovelace", {"name": "Alan Turing", "affiliation": "Bletchley"}],
               tags=["attention", "efficiency"], organization="Tencent", submitted_by="ada",
               links={"code": "https://github.com/x/y", "project": "https://x.org/", "video": "https://v.org/"},
               thumbnail="/static/t.png", abstract="We <b>index</b> $x_i$ & more."),
        record("2512.00002", title="Second of the day", date="2025-12-08", upvotes=3),
        record("2512.00003", title="The day before", date="2025-12-05", published="2025-12-01", upvotes=9,
               thumbnail="https://cdn.example.org/t.png"),
        record("hep-th/9711200", title="An old one", date="2025-11-21", upvotes=0, authors=["Juan M"]),
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def http_server(root: Path, log: Path) -> Iterator[str]:
    """`python -m http.server` serving root on 127.0.0.1; yields its origin."""
    port = _free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                 "--directory", str(root)], stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 15
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"http.server did not start: {log.read_text()}")
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """The site built for https://example.org/lab/ and served under /lab/: (endpoint, output, log)."""
    tmp = tmp_path_factory.mktemp("api")
    site = make_site(tmp / "site", _records(), {"title": "Lab papers", "base_url": BASE,
                                                     "api": {"papers": True, "history": True}})
    build(site, environ={}, jobs=1)
    root = tmp / "root"
    root.mkdir()
    (root / "lab").symlink_to(site / "public", target_is_directory=True)
    log = tmp / "server.log"
    with http_server(root, log) as origin:
        yield origin + "/lab", site / "public", log


def _requests(log: Path) -> list[str]:
    return [line.split('"')[1] + " " + line.split('"')[2].split()[0]
            for line in log.read_text().splitlines() if '"GET ' in line]


def _client(endpoint: str) -> Any:
    return hf_api.HfApi(endpoint=endpoint, token=False)


# the real client --------------------------------------------------------------------------------

@pytest.mark.external
def test_list_daily_papers_returns_the_latest_day(served: tuple[str, Path, Path]) -> None:
    endpoint, _, log = served
    papers = list(_client(endpoint).list_daily_papers())
    assert [p.id for p in papers] == ["2512.01234", "2512.00002"]  # ranked by upvotes
    first = papers[0]
    assert first.title == "Fast attention"
    assert first.summary == "We <b>index</b> $x_i$ & more."
    assert [a.name for a in first.authors] == ["Ada Lovelace", "Alan Turing"]
    assert first.upvotes == 7
    assert first.published_at.isoformat() == "2025-12-05T00:00:00+00:00"
    assert first.organization.fullname == "Tencent"
    assert first.submitted_by.fullname == "ada"
    assert first.comments == 0  # numComments is absent: the client's default
    # The client redirects /lab/api/daily_papers to the folder, as GitHub Pages does.
    assert _requests(log)[-2:] == ["GET /lab/api/daily_papers HTTP/1.1 301",
                                   "GET /lab/api/daily_papers/ HTTP/1.1 200"]


@pytest.mark.external
def test_paper_info_reads_the_paper_file(served: tuple[str, Path, Path]) -> None:
    endpoint, _, log = served
    info = _client(endpoint).paper_info("2512.01234")
    assert (info.id, info.title, info.upvotes) == ("2512.01234", "Fast attention", 7)
    assert info.github_repo == "https://github.com/x/y"
    assert info.project_page == "https://x.org/"
    assert info.ai_keywords == ["attention", "efficiency"]
    assert info.organization.fullname == "Tencent"
    assert info.published_at.date() == date(2025, 12, 5)
    assert info.submitted_at.date() == date(2025, 12, 8)
    assert info.ai_summary is None and info.github_stars is None and info.discussion_id is None
    # One request, no redirect: a file without an extension (application/octet-stream).
    assert _requests(log)[-1] == "GET /lab/api/papers/2512.01234 HTTP/1.1 200"


@pytest.mark.external
def test_paper_info_old_style_id_and_missing_paper(served: tuple[str, Path, Path]) -> None:
    endpoint, _, _ = served
    client = _client(endpoint)
    assert client.paper_info("hep-th/9711200").title == "An old one"
    with pytest.raises(hf_api.HfHubHTTPError):
        client.paper_info("2599.99999")


@pytest.mark.external
def test_query_parameters_are_ignored_by_a_static_host(served: tuple[str, Path, Path]) -> None:
    """What docs/api.md warns about: date=/week=/month= need the path form."""
    endpoint, _, log = served
    assert [p.id for p in _client(endpoint).list_daily_papers(date="2025-12-05")] == ["2512.01234", "2512.00002"]
    assert _requests(log)[-2].startswith("GET /lab/api/daily_papers?date=2025-12-05 ")


@pytest.mark.external
def test_day_week_and_month_files_by_path(served: tuple[str, Path, Path]) -> None:
    endpoint, _, _ = served

    def ids(name: str) -> list[str]:
        with urllib.request.urlopen(f"{endpoint}/api/daily_papers/{name}", timeout=10) as response:
            assert response.headers["Content-Type"] == "application/json"
            return [hf_api.PaperInfo(**entry).id for entry in json.load(response)]

    assert ids("2025-12-05.json") == ["2512.00003"]
    assert ids("2025-W49.json") == ["2512.00003"]
    assert ids("2025-W50.json") == ["2512.01234", "2512.00002"]
    assert ids("2025-12.json") == ["2512.00003", "2512.01234", "2512.00002"]
    assert ids("2025-11-21.json") == ["hep-th/9711200"]


@pytest.mark.external
def test_files_and_bytes(served: tuple[str, Path, Path]) -> None:
    _, public, _ = served
    files = sorted(str(p.relative_to(public / "api")) for p in (public / "api").rglob("*") if p.is_file())
    assert files == ["daily_papers/2025-11-21.json", "daily_papers/2025-11.json", "daily_papers/2025-12-05.json",
                     "daily_papers/2025-12-08.json", "daily_papers/2025-12.json", "daily_papers/2025-W47.json",
                     "daily_papers/2025-W49.json", "daily_papers/2025-W50.json", "daily_papers/index.html",
                     "papers/2512.00002", "papers/2512.00003", "papers/2512.01234", "papers/hep-th/9711200"]
    latest = (public / "api/daily_papers/index.html").read_bytes()
    assert latest == (public / "api/daily_papers/2025-12-08.json").read_bytes()
    # Sent as text/html: no '<' may open a tag; the escapes decode to the same text.
    assert b"<" not in latest and b"\\u003cb\\u003e" in latest
    assert json.loads(latest)[0]["paper"]["summary"] == "We <b>index</b> $x_i$ & more."


# the shapes --------------------------------------------------------------------------------------

def _paper(**fields: Any) -> Paper:
    values: dict[str, Any] = {"id": PaperId("2512.01234", 2, arxiv=True), "title": "T", "abstract": "A",
                              "date": date(2025, 12, 8), "source": "x.yaml"}
    values.update(fields)
    return Paper(**values)


def test_a_bare_record_leaves_out_what_it_does_not_have() -> None:
    entry = daily_entry(_paper(), Urls(BASE))
    assert entry == {"paper": {"id": "2512.01234", "authors": [], "submittedOnDailyAt": "2025-12-08T00:00:00.000Z",
                               "title": "T", "summary": "A", "upvotes": 0},
                     "title": "T", "summary": "A"}


def test_every_field_of_a_full_record() -> None:
    paper = _paper(authors=(Author("Ada", "Uni", "https://ada.org"),), published=date(2025, 12, 1), upvotes=4,
                   tags=("x",), organization="Org", submitted_by="ada", thumbnail="/static/t.png",
                   links=(Link("code", "https://github.com/a/b"), Link("project", "https://p.org"),
                          Link("pdf", "https://arxiv.org/pdf/2512.01234")))
    inner = {"id": "2512.01234", "authors": [{"name": "Ada"}], "publishedAt": "2025-12-01T00:00:00.000Z",
             "submittedOnDailyAt": "2025-12-08T00:00:00.000Z", "title": "T",
             "submittedOnDailyBy": {"fullname": "ada"}, "summary": "A", "upvotes": 4,
             "projectPage": "https://p.org", "githubRepo": "https://github.com/a/b", "ai_keywords": ["x"],
             "organization": {"fullname": "Org"}}
    assert paper_object(paper) == inner
    assert list(paper_object(paper)) == list(inner)
    entry = daily_entry(paper, Urls(BASE))
    assert entry == {"paper": inner, "publishedAt": "2025-12-01T00:00:00.000Z", "title": "T", "summary": "A",
                     "thumbnail": "https://example.org/lab/static/t.png", "submittedBy": {"fullname": "ada"},
                     "organization": {"fullname": "Org"}}


def _keys(value: Any, prefix: str = "") -> dict[str, str]:
    """Every key path of a JSON value and the type found there ('authors[].name': 'str')."""
    found: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            found[prefix + key] = type(item).__name__
            found.update(_keys(item, prefix + key + "."))
    elif isinstance(value, list):
        for item in value:
            found.update(_keys(item, prefix.rstrip(".") + "[]."))
    return found


@pytest.mark.skipif(not HF_DATA.is_dir(), reason="the saved Hugging Face responses are not here")
def test_only_keys_hugging_face_uses_in_its_order() -> None:
    """Nothing invented: every key path we write is one HF's real responses have, with the same
    JSON type, and keys come in HF's order."""
    real: dict[str, str] = {}
    orders: list[list[str]] = []
    for name in ("2025-06-11.json", "2025-11-21.json", "2026-08-20.json"):
        for entry in json.loads((HF_DATA / name).read_text(encoding="utf-8")):
            real.update(_keys(entry))
            orders += [list(entry), list(entry["paper"])]
    paper = _paper(authors=(Author("Ada"),), published=date(2025, 12, 1), tags=("x",), organization="Org",
                   submitted_by="ada", thumbnail="https://t.org/t.png",
                   links=(Link("code", "https://github.com/a/b"), Link("project", "https://p.org")))
    ours = daily_entry(paper, Urls(BASE))
    assert {path: kind for path, kind in _keys(ours).items() if real.get(path) != kind} == {}
    position = {key: i for order in orders for i, key in enumerate(order)}
    for keys in (list(ours), list(ours["paper"])):
        real_order = next(order for order in orders if set(keys) <= set(order))
        assert keys == [key for key in real_order if key in keys]
    assert position  # the fixtures were read


@pytest.mark.skipif(not HF_DATA.is_dir(), reason="the saved Hugging Face responses are not here")
@pytest.mark.slow
def test_an_imported_hugging_face_day_reads_back(tmp_path: Path) -> None:
    """A day imported from HF's response comes back from the site's API with the same values."""
    from generator.importers.hf import hf_entry_to_record, parse_hf_response

    entries, _ = parse_hf_response((HF_DATA / "2025-11-21.json").read_text(encoding="utf-8"), "2025-11-21.json")
    records = [hf_entry_to_record(entry, "2025-11-21")[0] for entry in entries]
    site = make_site(tmp_path / "site", [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()}
                                         for r in records if r], {"title": "T", "api": {"history": True}})
    build(site, environ={}, jobs=1)
    ours = {e["paper"]["id"]: e for e in json.loads((site / "public/api/daily_papers/2025-11-21.json").read_text())}
    assert len(ours) == len(entries)
    for entry in entries:
        mine, theirs = ours[entry["paper"]["id"]]["paper"], entry["paper"]
        assert mine["upvotes"] == theirs["upvotes"]
        assert [a["name"] for a in mine["authors"]] == [" ".join(a["name"].split()) for a in theirs["authors"]]
        assert mine["publishedAt"][:10] == theirs["publishedAt"][:10]
        assert mine.get("githubRepo") == ((theirs.get("githubRepo") or "").strip() or None)
        org = " ".join((entry.get("organization") or {}).get("fullname", "").split())
        assert mine.get("organization", {}).get("fullname") == (org or None)


# config and edges ---------------------------------------------------------------------------------

def _files(records: list[dict[str, Any]], tmp_path: Path, api: dict[str, Any] | None = None) -> dict[str, bytes]:
    config = {"title": "T", "base_url": BASE, **({"api": api} if api is not None else {})}
    site = make_site(tmp_path / "site", records, config)
    build(site, environ={}, jobs=1)
    api_dir = site / "public/api"
    return snapshot(api_dir) if api_dir.is_dir() else {}


@pytest.mark.slow
def test_api_can_be_turned_off_and_papers_are_opt_in(tmp_path: Path) -> None:
    assert _files([record()], tmp_path / "off", {"enabled": False}) == {}
    assert sorted(_files([record()], tmp_path / "on", {"papers": True}))[-1] == "papers/2512.00001"
    lean = _files([record()], tmp_path / "default")  # the weight budget: the latest day only
    assert sorted(lean) == ["daily_papers/index.html"]
    history = _files([record()], tmp_path / "history", {"history": True})
    assert sorted(history) == ["daily_papers/2025-12-08.json", "daily_papers/2025-12.json",
                               "daily_papers/2025-W50.json", "daily_papers/index.html"]


def test_weeks_and_months_hold_the_most_upvoted(tmp_path: Path) -> None:
    records = [record(f"2512.0000{i}", upvotes=i, date=f"2025-12-0{i}") for i in range(1, 6)]
    files = _files(records, tmp_path, {"items": 2, "history": True})

    def ids(name: str) -> list[str]:
        return [e["paper"]["id"] for e in json.loads(files[name])]

    assert ids("daily_papers/2025-12.json") == ["2512.00005", "2512.00004"]
    assert ids("daily_papers/2025-W49.json") == ["2512.00005", "2512.00004"]  # Dec 1-7, 2025
    assert ids("daily_papers/index.html") == ["2512.00005"]


def test_a_slug_that_names_an_old_style_archive_gets_no_file() -> None:
    papers = [_paper(id=parse_paper_id("math")), _paper(id=parse_paper_id("math/0601001"))]
    index = build_index(papers, SiteConfig())
    paths = [f.path for f in build_api(index, Urls(BASE), ApiConfig(papers=True, history=True))]
    assert "api/papers/math/0601001" in paths and "api/papers/math" not in paths


def test_no_papers_no_api() -> None:
    assert list(build_api(build_index([], SiteConfig()), Urls(BASE), ApiConfig())) == []
