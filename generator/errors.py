"""Problems found in user input, collected and reported all at once."""

from __future__ import annotations

from dataclasses import dataclass


def printable(text: str) -> str:
    """Text safe to print: non-printable characters shown as escapes (\\x1b, \\u202e).

    A problem echoes user input (a key, a file name) to a terminal or a CI log, where
    an escape sequence, a bidi override or a lone surrogate would rewrite the screen,
    hide text, or crash the print.
    """
    return "".join(ch if ch == " " or ch.isprintable() else ch.encode("unicode_escape", "backslashreplace")
                   .decode("ascii") for ch in text)


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in a user's file: path as the user knows it, 1-based line."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{printable(self.path)}:{self.line}" if self.line else printable(self.path)


@dataclass(frozen=True, order=True)
class Problem:
    """One user mistake: where, which field, what is wrong."""

    location: SourceLocation
    field: str
    message: str

    def __str__(self) -> str:
        field = f" {printable(self.field)}:" if self.field else ""
        return f"{self.location}:{field} {printable(self.message)}"


class ContentError(Exception):
    """Raised once, after every problem in every file has been collected."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class BuildError(Exception):
    """A failure that is not a content mistake (locked site, unwritable output)."""
