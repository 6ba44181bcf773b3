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
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


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
    # Group by file, then follow the file from top to bottom.
    return (problem.file, problem.line or 0, problem.column or 0, problem.field, problem.message)
