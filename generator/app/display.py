"""How the commands show their progress and results on the terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click


class Progress:
    """A progress bar on a terminal for builds of several documents; plain lines otherwise;
    nothing with -q. Problems always reach stderr."""

    def __init__(self, verbosity: int, say: Callable[[str], None], project):
        self.verbosity = verbosity
        self.say = say
        self.project = project
        self.bar = None

    def __enter__(self):
        return self

    def start(self, total: int) -> None:
        if self.verbosity == 1 and total > 3 and sys.stdout.isatty():
            self.bar = click.progressbar(length=total, label="building", show_pos=True)
            self.bar.__enter__()

    def report(self, kind: str, what) -> None:
        if kind == "start":
            self.start(what)
        elif kind == "failed":
            click.echo(f"failed: {what}", err=True)
        elif self.bar is not None:
            self.bar.update(1)
        elif kind == "wrote" or self.verbosity > 1:
            self.say(f"{kind} {self.project.shown(what)}")

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


def say_intake(say: Callable[[str], None], project, written) -> None:
    """What `carta response add` and `carta import-scan` wrote, and what is left to do."""
    for path in (written.document, written.searchable, written.text, written.stub):
        if path is not None:
            say(f"wrote {project.shown(path)}")
    for note in written.notes:
        click.echo(f"note: {note}", err=True)
    say(f"next: fill in the [[TODO: ...]] placeholders of {project.shown(written.stub)}"
        "; 'carta check' lists what is left")


def print_table(rows: list[tuple[str, ...]]) -> None:
    """Rows in columns, each as wide as its widest cell."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                   .rstrip())
