"""The network, only when a command asks for it (`import hf --fetch`, `new ID`): urllib, no other client."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.parse
import urllib.request

from generator import __version__

HF_DAILY_PAPERS = "https://huggingface.co/api/daily_papers"
ARXIV_QUERY = "https://export.arxiv.org/api/query"
TIMEOUT_SECONDS = 30


class FetchError(Exception):
    """The source could not be reached or answered with an error; the message says which."""


def fetch(url: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """GET `url` and return the body; FetchError on any network or HTTP failure."""
    request = urllib.request.Request(url, headers={
        "User-Agent": f"paperfeed/{__version__} (+https://pypi.org/project/paperfeed/)",
        "Accept": "application/json, application/atom+xml;q=0.9, */*;q=0.1",
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{url}: {reason}") from None


def hf_daily_papers_url(day: dt.date) -> str:
    """The Hugging Face API URL for the papers featured on `day`."""
    return f"{HF_DAILY_PAPERS}?{urllib.parse.urlencode({'date': day.isoformat()})}"


def arxiv_query_url(paper_id: str) -> str:
    """The arXiv API URL for one paper's metadata (an Atom feed with one entry)."""
    return f"{ARXIV_QUERY}?{urllib.parse.urlencode({'id_list': paper_id, 'max_results': 1})}"
