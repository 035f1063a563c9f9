"""Big values build within bounds: 10,000 authors, 10,000-character titles and names.

Built as a real process so its peak memory can be measured (the issue's bound: a few
hundred MB). Authors get pages from two papers up, so the test writes a few pages, not
10,000; the paper page, its JSON-LD, citation tags and the feeds still carry every name.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from tests.conftest import REPO, make_site, record

HOSTILE = Path(__file__).parent / "hostile"
MAX_RSS_MB = 400

MEASURE = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
sys.exit(code)
"""


@pytest.mark.big
def test_ten_thousand_authors_and_huge_titles_build_within_bounds(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", [record(f"2512.{i:05d}", tags=["big"]) for i in range(20)],
                     config={"title": "Big", "authors": {"min_papers": 2}})
    for name in ("many_authors.yaml",):
        shutil.copyfile(HOSTILE / "big" / name, site / "content" / name)
    for name in ("long_title.yaml", "long_words_title.yaml", "path_terms.yaml"):
        shutil.copyfile(HOSTILE / "safe" / name, site / "content" / name)
    result = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "generator", "build",
                             "--site", str(site)], capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    peak_mb = int(result.stdout.strip().splitlines()[-1])
    print(f"peak memory of the build: {peak_mb} MB")
    assert peak_mb < MAX_RSS_MB, f"peak memory {peak_mb} MB"
    public = site / "public"
    page = (public / "papers" / "2512.08100" / "index.html").read_text(encoding="utf-8")
    assert page.count('<meta name="citation_author"') == 10_000
    (ld,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert len(json.loads(ld)["author"]) == 10_000
    assert "Author Number 9999" in page
    feed = feedparser.parse((public / "feed.xml").read_bytes())
    assert feed.bozo == 0
    (entry,) = [e for e in feed.entries if e.link.endswith("/papers/2512.08100/")]
    assert "Author Number 0" in entry.get("author", "") or "Author Number 0" in entry.summary
    assert (public / "papers" / "2512.08005" / "index.html").read_text(encoding="utf-8").count("T" * 10_000) >= 2
    for path in public.rglob("*"):
        assert all(len(part.encode()) <= 255 for part in path.relative_to(public).parts)
