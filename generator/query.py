"""Saved-search queries: a small language, parsed once, matched against papers.

    diffusion -video                 every word, none of the excluded
    "world model" OR "world models"  a phrase; OR between two terms
    tag:agents author:"Ada Lovelace" org:Tencent has:code upvotes>=20

Pure: text in, a frozen AST out (`parse`), then `Query.matches(paper)`. Words match whole
words of the paper's plain text (title, abstract_text, tags), case-insensitively; `tag:`,
`org:` and `author:` match a whole name as its page groups it (urls.term_key). Parsing is
one pass over the text and matching one pass over the AST, each word or phrase one
substring search in the paper's text: no backtracking regex sees a query, so a hostile one
costs linear time.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.model import Paper
from generator.urls import term_key

#: The links `has:` knows (the record's `links:` names).
HAS_LINKS = ("code", "project", "video", "data")
FIELDS = ("tag", "author", "org", "has")
_WORD = re.compile(r"\w+")
_FIELD = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_UPVOTES = re.compile(r"upvotes([<>=!]=?|:)(.*)", re.DOTALL | re.IGNORECASE)
MAX_DIGITS = 9  # int() of a 5,000-digit string raises; no paper has a billion upvotes


class QueryError(ValueError):
    """A query that does not parse; the message says where and what was expected."""


# ASCII punctuation becomes a space in one C call; only text that still has something other
# than letters, digits and spaces then goes through the regex (much slower on a long abstract).
_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation if c != "_"})


def words_of(text: str) -> list[str]:
    """The words of a text as matching sees them: runs of letters and digits (\\w), case-folded."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = folded.translate(_PUNCTUATION).split()
    if "".join(words).isalnum() or not words:
        return words
    return [w for token in words for w in ((token,) if token.isalnum() else _WORD.findall(token))]


def _line(text: str) -> str:
    return " " + " ".join(words_of(text)) + " "


@dataclass(frozen=True)
class PaperText:
    """What a query looks at in one paper, prepared once per paper."""

    # " w1 w2 " for the title, the abstract and each tag, one per line: a word or a phrase is
    # found with one substring search, never across two fields.
    lines: str
    tags: frozenset[str]
    authors: frozenset[str]
    org: str
    links: frozenset[str]
    upvotes: int


def paper_text(paper: Paper, words: bool = True) -> PaperText:
    """`words=False` leaves out the text (all the cost) for queries of filters only."""
    lines = "\n".join(_line(text) for text in (paper.title, paper.abstract_text, *paper.tags)) if words else ""
    return PaperText(
        lines=lines,
        tags=frozenset(term_key(t) for t in paper.tags),
        authors=frozenset(term_key(a.name) for a in paper.authors),
        org=term_key(paper.organization) if paper.organization else "",
        links=frozenset(link.name for link in paper.links if link.url),
        upvotes=paper.upvotes)


# --- the AST ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Words:
    """One word, or a phrase: these words in a row in the title, the abstract or one tag."""

    words: tuple[str, ...]

    def match(self, text: PaperText) -> bool:
        return " " + " ".join(self.words) + " " in text.lines


@dataclass(frozen=True)
class Name:
    """tag:, author: or org: with the name's term key."""

    field: str
    key: str

    def match(self, text: PaperText) -> bool:
        if self.field == "org":
            return text.org == self.key
        return self.key in (text.tags if self.field == "tag" else text.authors)


@dataclass(frozen=True)
class Has:
    link: str

    def match(self, text: PaperText) -> bool:
        return self.link in text.links


@dataclass(frozen=True)
class Upvotes:
    minimum: int

    def match(self, text: PaperText) -> bool:
        return text.upvotes >= self.minimum


@dataclass(frozen=True)
class Not:
    term: Term

    def match(self, text: PaperText) -> bool:
        return not self.term.match(text)


@dataclass(frozen=True)
class AnyOf:
    terms: tuple[Term, ...]

    def match(self, text: PaperText) -> bool:
        return any(term.match(text) for term in self.terms)


@dataclass(frozen=True)
class AllOf:
    terms: tuple[Term | AnyOf, ...]

    def match(self, text: PaperText) -> bool:
        return all(term.match(text) for term in self.terms)


Term = Words | Name | Has | Upvotes | Not


@dataclass(frozen=True)
class Query:
    """A parsed query: its source text and its AST."""

    source: str
    root: AllOf

    def matches(self, paper: Paper | PaperText) -> bool:
        return self.root.match(paper if isinstance(paper, PaperText) else paper_text(paper))

    @property
    def uses_words(self) -> bool:
        """Whether it has a word or a phrase (else a paper's text need not be read)."""
        def walk(node: object) -> bool:
            if isinstance(node, Words):
                return True
            if isinstance(node, Not):
                return walk(node.term)
            return isinstance(node, AnyOf | AllOf) and any(walk(term) for term in node.terms)
        return walk(self.root)


def select(queries: Sequence[Query], papers: Iterable[Paper]) -> list[tuple[Paper, ...]]:
    """For each query, the papers it matches, in the given order (each paper prepared once)."""
    found: list[list[Paper]] = [[] for _ in queries]
    if not queries:
        return []
    words = any(query.uses_words for query in queries)
    for paper in papers:
        text = paper_text(paper, words)
        for query, matched in zip(queries, found, strict=True):
            if query.root.match(text):
                matched.append(paper)
    return [tuple(matched) for matched in found]


# --- tokenizer and parser ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    kind: str  # "term" or "or"
    at: int  # 1-based character of the query where it starts
    term: Term | None = None


def _show(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _words(text: str, at: int, quoted: bool) -> Words:
    found = words_of(text)
    if not found:
        what = "an empty phrase" if quoted and not text.strip() else f"{_show(text)} has no letters or digits"
        raise QueryError(f"{what} at character {at}")
    return Words(tuple(found))


def _bare(text: str, at: int) -> Term:
    """An unquoted term: a word, a field:value without quotes, or upvotes>=N."""
    upvotes = _UPVOTES.fullmatch(text)
    if upvotes:
        op, number = upvotes.groups()
        if op != ">=" or not number.isascii() or not number.isdigit() or len(number) > MAX_DIGITS:
            raise QueryError(f"expected upvotes>=N (N a whole number of at most {MAX_DIGITS} digits), "
                             f"got {_show(text)} at character {at}")
        return Upvotes(int(number))
    field = _FIELD.fullmatch(text)
    if field:
        return _field(field.group(1), field.group(2), at, quoted=False)
    return _words(text, at, quoted=False)


def _field(name: str, value: str, at: int, quoted: bool) -> Term:
    name = name.lower()
    if name not in FIELDS:
        raise QueryError(f"unknown filter {name + ':'!r} at character {at}; expected one of "
                         f"{', '.join(f + ':' for f in FIELDS)}, upvotes>= (put text with a colon in "
                         'quotes: "re:invent")')
    if not value.strip():
        raise QueryError(f"{name}: needs a value at character {at}")
    if name == "has":
        if quoted or value.lower() not in HAS_LINKS:
            raise QueryError(f"expected has:{'|'.join(HAS_LINKS)}, got {_show('has:' + value)} at character {at}")
        return Has(value.lower())
    return Name(name, term_key(value))


def _tokens(source: str) -> list[_Token]:
    """One left-to-right pass; every character is looked at a bounded number of times."""
    tokens: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        if source[i].isspace():
            i += 1
            continue
        start = i
        negated = source[i] == "-"
        if negated:
            i += 1
            if i == n or source[i].isspace():
                raise QueryError(f"'-' at character {start + 1} must be followed by a word or a phrase")
        if source[i] == '"':
            value, i = _quoted(source, i)
            term: Term = _words(value, start + 1, quoted=True)
        else:
            end = i
            while end < n and not source[end].isspace() and source[end] != '"':
                end += 1
            bare, i = source[start + negated:end], end
            if i < n and source[i] == '"':
                field = _FIELD.fullmatch(bare)
                if not field or field.group(2):
                    raise QueryError(f"unexpected '\"' at character {i + 1}: a quote starts a phrase "
                                     'or the value of a filter (author:"Ada Lovelace")')
                value, i = _quoted(source, i)
                term = _field(field.group(1), value, start + 1, quoted=True)
            elif bare == "OR" and not negated:
                tokens.append(_Token("or", start + 1))
                continue
            else:
                term = _bare(bare, start + 1)
        if i < n and not source[i].isspace():
            raise QueryError(f"expected a space after the term at character {start + 1}, "
                             f"got {source[i]!r} at character {i + 1}")
        tokens.append(_Token("term", start + 1, Not(term) if negated else term))
    return tokens


def _quoted(source: str, i: int) -> tuple[str, int]:
    """The text between the quote at i and the next one, and the index after it."""
    end = source.find('"', i + 1)
    if end < 0:
        raise QueryError(f"the quote at character {i + 1} is never closed")
    return source[i + 1:end], end + 1


def parse(source: str) -> Query:
    """query := group+ (all must match); group := term ("OR" term)*; term := "-"? atom."""
    tokens = _tokens(source)
    if not tokens:
        raise QueryError("expected at least one word, phrase or filter")
    groups: list[Term | AnyOf] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "or":
            raise QueryError(f"'OR' at character {token.at} needs a term before it")
        alternatives = [token.term]
        i += 1
        while i < len(tokens) and tokens[i].kind == "or":
            if i + 1 == len(tokens) or tokens[i + 1].kind == "or":
                raise QueryError(f"'OR' at character {tokens[i].at} needs a term after it")
            alternatives.append(tokens[i + 1].term)
            i += 2
        terms = tuple(t for t in alternatives if t is not None)
        groups.append(terms[0] if len(terms) == 1 else AnyOf(terms))
    return Query(source, AllOf(tuple(groups)))
