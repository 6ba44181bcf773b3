"""The documents a campaign keeps as they came: its responses' documents, its letters' scans.

carta makes the letters; these it did not make. A response's document (a PDF or an .eml, and
the searchable PDF/A that OCR made of it) is named by the response's own file; a letter sent
before carta used is known by its scan, under content/scans/. Bringing them in is
generator/authoring/intake.py's job; keeping them, as they came, is the archive's: this module
is the listing both rely on, and the check that each such file belongs to something.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from ..core.errors import Problem
from ..core.project import Project

SCANS_DIR = "scans"
# What carta's intake writes beside a stub: the document, its OCR PDF/A, its text.
KEPT_SUFFIXES = (".pdf", ".eml", ".txt")
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


def orphans(project: Project, responses_dir: str, named: set[Path]) -> list[Problem]:
    """Documents that nothing names: a file of content/responses/ that no reply's YAML has
    beside it or names (`named`: the real paths of every reply's document and searchable
    copy), a scan of content/scans/ with no letter of its id, and temporary files a write cut
    short left. An intake killed before it wrote its stub leaves them; the same command, run
    again, finishes it."""
    found = []
    folders = ((project.content / responses_dir, project.content / responses_dir, "reply"),
               (project.content / SCANS_DIR, project.letters_dir, "letter"))
    for folder, stubs, what in folders:
        if not folder.is_dir() or folder.is_symlink():
            continue
        for path in sorted(folder.iterdir()):
            name = path.name
            if name.startswith(".") and name.endswith(".tmp"):
                found.append(Problem(project.shown(path), None, None, "",
                                     "a temporary file left by a write that was cut short; "
                                     "remove it"))
                continue
            if name.startswith(".") or not name.lower().endswith(KEPT_SUFFIXES) \
                    or not path.is_file():
                continue
            ident = name.split(".", 1)[0]
            if any((stubs / f"{ident}{ext}").exists() for ext in (".yaml", ".yml")) or \
                    path.resolve() in named:
                continue
            command = "carta response add" if what == "reply" else "carta import-scan"
            found.append(Problem(
                project.shown(path), None, None, "",
                f"a document no {what} names: expected {project.shown(stubs / ident)}.yaml "
                f"beside it, found none (an interrupted '{command}' leaves this); run the same "
                "command again to finish it, or remove the file"))
    return found
