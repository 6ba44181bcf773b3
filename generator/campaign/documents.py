"""The documents a campaign keeps as they came: its responses' documents, its letters' scans.

carta makes the letters; these it did not make. A response's document (a PDF or an .eml, and
the searchable PDF/A that OCR made of it) is named by the response's own file; a letter sent
before carta used is known by its scan, under content/scans/. Bringing them in is
generator/authoring/intake.py's job; keeping them, as they came, is the archive's: this module
is the listing both rely on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from ..core.project import Project

SCANS_DIR = "scans"
# "received": a response's document; "scan": the scan of a letter sent before carta.
DocumentKind = Literal["received", "scan"]
DOCUMENT_KINDS: tuple[DocumentKind, ...] = get_args(DocumentKind)


@dataclass(frozen=True)
class Document:
    """A file kept as it came: a response's document, or the scan of a letter."""

    kind: DocumentKind
    ident: str  # the response's id, or the letter's
    locale: str
    path: Path


def scan_paths(project: Project, letter_id: str) -> tuple[Path, Path]:
    """Where a letter's scan and its searchable PDF/A go: content/scans/<id>.pdf and
    <id>.ocr.pdf (either may be missing)."""
    folder = project.content / SCANS_DIR
    return folder / f"{letter_id}.pdf", folder / f"{letter_id}.ocr.pdf"


def scan_files(project: Project, letter_id: str) -> list[Path]:
    """The scan a letter was imported from, and its searchable PDF/A, where they exist. A
    letter with a scan is archived as its scan."""
    return [path for path in scan_paths(project, letter_id) if path.is_file()]


def kept_documents(project: Project, letters, responses) -> list[Document]:
    """What is kept beside the letters' PDF/A: each response's document (and its OCR PDF/A),
    and the scan of each imported letter (and its OCR PDF/A)."""
    found = []
    for response in responses:
        for path in (response.document, response.searchable):
            if path is not None:
                found.append(Document("received", response.id, response.language, path))
    for letter in letters:
        for path in scan_files(project, letter.id):
            found.append(Document("scan", letter.id, letter.language, path))
    return found
