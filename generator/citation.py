"""Citation formats for a paper: BibTeX, Google Scholar meta tags, schema.org JSON-LD."""

from __future__ import annotations

import json
import re
import unicodedata

from generator.model import Paper

# BibTeX counts every brace, escaped or not, to find where a field ends: `\{` would still open
# one, so braces become commands whose own braces are balanced.
_BIBTEX_SPECIAL = str.maketrans({"{": r"\textbraceleft{}", "}": r"\textbraceright{}",
                                 "\\": r"\textbackslash{}", "%": r"\%", "&": r"\&", "#": r"\#", "_": r"\_"})


_MATH = re.compile(r"(\$[^$]*\$)")


def _ascii_word(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_text)
    return words[0].lower() if words else ""


def bibtex_key(paper: Paper) -> str:
    """lastname + year + first title word, e.g. rodionov2025hogwild."""
    surname = _ascii_word(paper.authors[0].name.split()[-1]) if paper.authors else ""
    first = next((w for w in (_ascii_word(t) for t in paper.title.split()) if len(w) > 3), "")
    year = (paper.published or paper.date).year
    return f"{surname or 'paper'}{year}{first}"


def _balanced(tex: str) -> bool:
    depth = 0
    for char in tex:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _bib_value(text: str) -> str:
    """Escape BibTeX specials outside $math$; math is kept as TeX when its braces balance
    (`$}, note={x$` would otherwise end the field and inject one of its own)."""
    if "$" not in text:  # most names and titles: no math to keep
        return text.translate(_BIBTEX_SPECIAL)
    out = []
    for part in _MATH.split(text):
        is_math = len(part) > 1 and part.startswith("$") and part.endswith("$")
        if is_math and _balanced(part):
            out.append(part)
        else:
            escaped = part.translate(_BIBTEX_SPECIAL)
            out.append(escaped.replace("$", r"\$") if is_math else escaped)
    return "".join(out)


def bibtex(paper: Paper, url: str) -> str:
    """A BibTeX entry: @misc with eprint fields for arXiv papers."""
    when = paper.published or paper.date
    fields = [("title", "{" + _bib_value(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(_bib_value(a.name) for a in paper.authors)))
    elif paper.organization:
        fields.append(("author", "{" + _bib_value(paper.organization) + "}"))
    fields += [("year", str(when.year)), ("month", when.strftime("%b").lower())]
    if paper.id.arxiv:
        fields += [("eprint", paper.id.full), ("archivePrefix", "arXiv")]
    fields.append(("url", paper.link("arxiv") or url))
    body = ",\n".join(f"  {name} = {{{value}}}" if name not in ("month",) else f"  {name} = {value}"
                      for name, value in fields)
    return f"@misc{{{bibtex_key(paper)},\n{body}\n}}"


def scholar_meta(paper: Paper) -> list[tuple[str, str]]:
    """Google Scholar citation_* meta tags, in the order Scholar documents."""
    meta = [("citation_title", paper.title)]
    meta += [("citation_author", a.name) for a in paper.authors]
    when = paper.published or paper.date
    meta.append(("citation_publication_date", when.strftime("%Y/%m/%d")))
    if paper.link("pdf"):
        meta.append(("citation_pdf_url", paper.link("pdf")))
    if paper.id.arxiv:
        meta.append(("citation_arxiv_id", paper.id.full))
    return meta


def json_ld(paper: Paper, url: str) -> str:
    """schema.org ScholarlyArticle, safe inside <script> (no '</' can close it).

    What the page's own text and meta tags do not already say twice: the abstract and the
    tags are on the page, the description in its meta description."""
    data: dict[str, object] = {
        "@context": "https://schema.org", "@type": "ScholarlyArticle", "headline": paper.title[:110],
        "url": url,
        "datePublished": (paper.published or paper.date).isoformat(),
        "author": [{"@type": "Person", "name": a.name} for a in paper.authors],
    }
    if len(paper.title) > 110:  # the headline is cut there: the whole title as the name
        data["name"] = paper.title
    if paper.organization:
        data["sourceOrganization"] = {"@type": "Organization", "name": paper.organization}
    if paper.id.arxiv:
        data["identifier"] = f"arXiv:{paper.id.full}"
        data["sameAs"] = paper.link("arxiv")
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
