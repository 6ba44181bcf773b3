"""What carta reports: the problems content checks collect, warnings, and the errors it raises."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

import click


class Rank(enum.IntEnum):
    """Which problems are listed first. A file that cannot be read at all hides everything in
    it; the settings and the shared files (senders, recipients, signatories) cause problems in
    the letters that name them; letters and their catalogs come last, each top to bottom."""

    UNREADABLE = 0
    SETTINGS = 1
    SHARED = 2
    LETTER = 3


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's files: where it is, and what was expected."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str
    # None: ranked by the kind of file (a letter or catalog, or a shared file).
    rank: Rank | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        # A key can be any text the user pasted: keep the line readable.
        shown = self.field if len(self.field) <= 60 else self.field[:57] + "..."
        field = f" {shown}:" if shown else ""
        return _printable(f"{where}:{field} {self.message}")


NoticeKind = Literal[
    "warning",           # anything else worth saying
    "misplaced-note",    # a footnote printed on another page than the one citing it
    "slow-subsetter",    # libharfbuzz-subset0 is missing: fonts subset by the slow fallback
    "untranslated",      # a text or a locale left in the source language, as asked
    "refused-resource",  # a file the PDF wanted from outside the project, left out
    "left-out",          # a part of a document that could not be made (a copy, a picture)
]


@dataclass(frozen=True, order=True)
class Notice:
    """A warning: the run went on, and the user should know. Callers tell warnings apart by
    their kind, never by their text."""

    message: str
    kind: NoticeKind = "warning"

    def __str__(self) -> str:
        return self.message


class CartaError(click.ClickException):
    """Base of every error a user can cause: shown as a message, exit code 1, no traceback."""

    exit_code = 1

    def format_message(self) -> str:
        return self.message


class ContentError(CartaError):
    """The content has problems; all of them are listed at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=_problem_sort_key)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun} found:"] + [f"  {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class BuildError(CartaError):
    """A document could not be rendered or written."""


def _problem_sort_key(problem: Problem) -> tuple:
    rank = problem.rank
    if rank is None:
        in_letters = "/letters/" in problem.file or "/locale/" in problem.file
        rank = Rank.LETTER if in_letters else Rank.SHARED
    return (rank, problem.file, problem.line or 0, problem.column or 0, problem.field,
            problem.message)


def _printable(text: str) -> str:
    """Control characters from content, shown as escapes: a message quoting a file must not
    move the cursor, clear the terminal or turn text around."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
