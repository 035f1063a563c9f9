"""`paperfeed import arxiv` / `import bibtex` / `new`: fixtures written from the formats' documentation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import html

from generator.build import build
from generator.cli import main
from generator.importers import newrecord
from generator.importers.arxiv import parse_arxiv_response
from generator.importers.bibtex import parse_bibtex
from generator.importers.latex import latex_to_text
from tests.conftest import REPO, make_site

ARXIV = REPO / "tests" / "data" / "arxiv"
BIBTEX = REPO / "tests" / "data" / "bibtex" / "papers.bib"


pytestmark = pytest.mark.usefixtures("no_network")  # tests/conftest.py: fetch() refuses


def paperfeed(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def load(site: Path, rel: str) -> dict:
    return yaml.safe_load((site / rel).read_text("utf-8"))


# --- arXiv -------------------------------------------------------------------------


def test_arxiv_atom_entries_become_records() -> None:
    records, problems = parse_arxiv_response((ARXIV / "query.atom").read_bytes(), "query.atom")
    assert problems == []
    first, second = records
    assert first == {
        "id": "2512.01234v2",
        "title": "Sub-quadratic Attention in $\\mathcal{O}(n \\log n)$: Faster Transformers for Long Documents",
        "authors": [{"name": "Ada Lovelace", "affiliation": "Analytical Engines Ltd"}, "Łukasz Kaiser"],
        "abstract": "We show that attention over $n$ tokens can be computed in $\\mathcal{O}(n \\log n)$ "
                    "time with an error below $\\epsilon$, for any $\\epsilon > 0$. Experiments on "
                    "documents of up to $10^6$ tokens confirm a 50% speed-up & equal accuracy.\n\n"
                    "Code and data are released.",
        "published": dt.date(2025, 12, 1),
        "date": dt.date(2025, 12, 1),
        "tags": ["cs.LG", "cs.CL"],
        "links": {"doi": "https://doi.org/10.48550/arXiv.2512.01234"},
    }
    assert list(first) == ["id", "title", "authors", "abstract", "published", "date", "tags", "links"]
    assert second["id"] == "hep-th/9711200v3"
    assert second["published"] == dt.date(1997, 11, 27)


def test_arxiv_error_entries_are_reported() -> None:
    records, problems = parse_arxiv_response((ARXIV / "error.atom").read_bytes(), "error.atom")
    assert records == []
    assert problems == ["error.atom: entry 0: arXiv API error: incorrect id format for 1234.12345"]
    assert parse_arxiv_response(b"<html/>", "x")[1] == [
        "x: expected an Atom <feed> from the arXiv API, got <html>"]
    assert parse_arxiv_response(b"<feed", "x")[1][0].startswith("x: not valid XML:")


@pytest.mark.slow
def test_import_arxiv_builds_with_math_and_versions(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    code, output = paperfeed("import", "arxiv", "--site", str(site), "--date", "2025-12-08",
                             str(ARXIV / "query.atom"))
    assert code == 0, output
    assert "create content/2025/12/08/2512.01234.yaml (2512.01234v2)" in output
    assert "create content/2025/12/08/hep-th-9711200.yaml (hep-th/9711200v3)" in output
    build(site)
    page = html.fromstring((site / "public/papers/2512.01234/index.html").read_bytes())
    assert page.xpath("//h1//math"), "title math is MathML"
    assert "https://arxiv.org/abs/2512.01234v2" in page.xpath("//a/@href")
    # Re-importing the same response changes nothing; a newer version updates the id in place.
    before = (site / "content/2025/12/08/2512.01234.yaml").read_bytes()
    assert "0 created, 0 updated, 2 unchanged" in paperfeed("import", "arxiv", "--site", str(site),
                                                            str(ARXIV / "query.atom"))[1]
    assert (site / "content/2025/12/08/2512.01234.yaml").read_bytes() == before
    newer = tmp_path / "newer.atom"
    newer.write_text((ARXIV / "query.atom").read_text().replace("2512.01234v2", "2512.01234v3"))
    code, output = paperfeed("import", "arxiv", "--site", str(site), str(newer))
    assert "update content/2025/12/08/2512.01234.yaml (2512.01234v3): id -> 2512.01234v3" in output
    assert load(site, "content/2025/12/08/2512.01234.yaml")["date"] == dt.date(2025, 12, 8)


# --- BibTeX ------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "expected"), [
    (r"{\"U}ber {GPT}-4 M{\'e}thode \& co.", "Über GPT-4 Méthode & co."),
    (r"Gr\"obner {\L}ukasz Fran\c{c}ois na\"{\i}ve \o{} \ss{}", "Gröbner Łukasz François naïve ø ß"),
    (r"Cost $\mathcal{O}(n^2)$ and \(x_i\) and \[ y \]", r"Cost $\mathcal{O}(n^2)$ and $x_i$ and $$y$$"),
    (r"\emph{Deep} \textbf{nets}, 50\% -- better --- ``quoted''", "Deep nets, 50% – better — “quoted”"),
    (r"The {\TeX}book and \LaTeX{}", "The TeXbook and LaTeX"),
])
def test_latex_to_unicode_keeps_math(source: str, expected: str) -> None:
    assert " ".join(latex_to_text(source).split()) == expected


def test_bibtex_entries_become_records() -> None:
    records, problems = parse_bibtex(BIBTEX.read_text("utf-8"), "papers.bib")
    by_id = {r["id"]: r for r in records}
    assert sorted(by_id) == ["1706.03762", "1810.04805", "Mueller-2020-attention", "knuth1984"]
    assert problems == ["papers.bib:45: could not parse this entry; check its braces, quotes and commas",
                        "papers.bib:56: undated: no year or date; give --date to import it"]
    uber = by_id["Mueller-2020-attention"]
    assert uber["title"] == r"Über Attention in $\mathcal{O}(n \log n)$: Gröbner Bases & GPUs"
    assert uber["authors"] == ["Jörg Müller", "Renée François", "Łukasz Kaiser", "John Smith, Jr."]
    assert uber["abstract"] == ("We compute $\\mathcal{O}(n \\log n)$ attention with exact gradients.\n\n"
                                "The second paragraph mentions $$\\sum_i x_i^2$$ and naïve baselines.")
    assert uber["published"] == uber["date"] == dt.date(2020, 7, 6)
    assert uber["tags"] == ["attention", "GPU kernels", "algebra"]
    assert uber["links"] == {"doi": "https://doi.org/10.18653/v1/2020.acl-main.1",
                             "code": "https://github.com/example/uber-attention"}
    bert = by_id["1810.04805"]  # the arXiv id found in `journal`
    assert bert["title"].startswith("BERT: Pre-training")
    assert bert["published"] == dt.date(2018, 10, 1)  # month = oct (a BibTeX macro)
    assert "80.5% (7.7% point" in bert["abstract"]
    assert by_id["1706.03762"]["authors"] == ["Ashish Vaswani", "Noam Shazeer"]  # "and others" dropped
    assert by_id["knuth1984"]["title"] == "The TeXbook"


def test_import_bibtex_builds(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    code, output = paperfeed("import", "bibtex", "--site", str(site), str(BIBTEX))
    assert code == 0, output  # two bad entries are skipped, four are imported
    assert f"skipped: {BIBTEX.name}" not in output and "skipped: " in output
    assert "4 records: 4 created" in output
    build(site)
    page = html.fromstring((site / "public/papers/Mueller-2020-attention/index.html").read_bytes())
    title = page.xpath("//h1")[0]
    assert "Über Attention in" in title.text_content() and title.xpath(".//math")
    assert "$" not in title.text_content()
    assert page.xpath("//a[@href='https://github.com/example/uber-attention']")
    abstract = page.xpath("//*[contains(@class, 'abstract')]")[0]
    assert abstract.xpath(".//math[@display='block']"), "display math rendered"


def test_bibtex_with_featured_date(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    paperfeed("import", "bibtex", "--site", str(site), "--date", "2025-12-08", str(BIBTEX))
    assert sorted(p.name for p in (site / "content/2025/12/08").iterdir()) == [
        "1706.03762.yaml", "1810.04805.yaml", "Mueller-2020-attention.yaml", "knuth1984.yaml", "undated.yaml"]


# --- paperfeed new -------------------------------------------------------------------


def test_new_offline_writes_a_valid_record(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    code, output = paperfeed("new", "--site", str(site), "2512.01234", "--offline",
                             "--title", "Fast $x^2$", "--author", "Ada Lovelace", "--author", "Alan Turing",
                             "--abstract", "We *really* show $y$.", "--date", "2025-12-08",
                             "--published", "2025-12-01", "--tag", "speed", "--upvotes", "4",
                             "--link", "code=https://github.com/a/b", "--org", "Analytical Engines")
    assert code == 0, output
    assert output == f"created {site}/content/2025/12/08/2512.01234.yaml\n"
    record = load(site, "content/2025/12/08/2512.01234.yaml")
    assert record == {"id": "2512.01234", "title": "Fast $x^2$", "authors": ["Ada Lovelace", "Alan Turing"],
                      "organization": "Analytical Engines", "abstract": "We *really* show $y$.",
                      "published": dt.date(2025, 12, 1), "date": dt.date(2025, 12, 8), "upvotes": 4,
                      "tags": ["speed"], "links": {"code": "https://github.com/a/b"}}
    assert paperfeed("check", "--site", str(site))[0] == 0


def test_new_refuses_duplicates_and_invalid_values(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", files={"content/a.yaml": "id: 2512.01234v2\ntitle: A\n"
                                                                 "abstract: ''\ndate: 2025-12-08\n"})
    code, output = paperfeed("new", "--site", str(site), "2512.01234", "--title", "Again")
    assert code == 1
    assert output.startswith("content/a.yaml: id: 2512.01234 already exists; edit that file instead\n")
    code, output = paperfeed("new", "--site", str(site), "other", "--title", "T", "--date", "2025-12-08",
                             "--link", "code=ftp://example.org/x")
    assert code == 1
    assert output.startswith("content/2025/12/08/other.yaml:6: links: code: expected an http(s) URL, got")
    assert not (site / "content/2025").exists()
    assert paperfeed("new", "--site", str(site), "slug-only")[0] == 2  # nothing to fetch, no --title
    assert paperfeed("new", "--site", str(site), "x", "--title", "T", "--link", "nourl")[0] == 2


def test_new_fetches_arxiv_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def fake_fetch(url: str) -> bytes:
        asked.append(url)
        return (ARXIV / "query.atom").read_bytes()

    monkeypatch.setattr(newrecord, "fetch", fake_fetch)
    site = make_site(tmp_path / "site")
    code, output = paperfeed("new", "--site", str(site), "2512.01234", "--date", "2025-12-08", "--tag", "mine")
    assert code == 0, output
    assert asked == ["https://export.arxiv.org/api/query?id_list=2512.01234&max_results=1"]
    record = load(site, "content/2025/12/08/2512.01234.yaml")
    assert record["id"] == "2512.01234v2"
    assert record["authors"][0] == {"name": "Ada Lovelace", "affiliation": "Analytical Engines Ltd"}
    assert record["tags"] == ["cs.LG", "cs.CL", "mine"]


def test_new_offline_failure_says_how_to_go_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(url: str) -> bytes:
        raise newrecord.FetchError(f"{url}: Name or service not known")

    monkeypatch.setattr(newrecord, "fetch", unreachable)
    site = make_site(tmp_path / "site")
    code, output = paperfeed("new", "--site", str(site), "2512.01234")
    assert code == 1
    assert "give --title (and --abstract, --author ...) to add it offline" in output
