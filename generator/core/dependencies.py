"""The files an output was made from: every reader notes what it reads through one call."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class Dependencies:
    """One set of paths, fed by one call, `note` (Sphinx's `note_dependency`). The renderer
    notes each template it looks for (found or not: a project template created later counts
    as a change) and each logo it inlines, the PDF fetcher each file it serves, the DOCX
    writer each picture and reference document. What is noted is hashed into the build state,
    so that a later build knows what to remake."""

    def __init__(self, paths: Iterable[Path] = ()):
        self._paths: set[Path] = {Path(path) for path in paths}

    def note(self, path: Path | str) -> None:
        self._paths.add(Path(path))

    def paths(self) -> set[Path]:
        return set(self._paths)
