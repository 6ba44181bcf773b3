"""The few exceptions carta raises, and the Problem record that content checks collect."""

from __future__ import annotations

from dataclasses import dataclass

import click


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the user's files: where it is, and what was expected."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

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


# Problems that stop a file from being read at all come first, then those in shared files
# (settings, senders, recipients, signatories), whose mistakes often cause others in the
# letters; then the letters and their catalogs, each followed from top to bottom.
_UNREADABLE = ("YAML syntax error", "expected UTF-8 text", "cannot read the file",
               "not a readable PO catalog", "not valid TOML")


def _problem_sort_key(problem: Problem) -> tuple:
    if any(marker in problem.message for marker in _UNREADABLE):
        rank = 0
    elif "/letters/" in problem.file or "/locale/" in problem.file:
        rank = 2
    else:
        rank = 1
    return (rank, problem.file, problem.line or 0, problem.column or 0, problem.field,
            problem.message)


def _printable(text: str) -> str:
    """Control characters from content, shown as escapes: a message quoting a file must not
    move the cursor, clear the terminal or turn text around."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
