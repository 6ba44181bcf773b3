"""The archive: PDF/A-3 copies with their sources inside, a manifest of hashes, never overwritten.

What was sent must be provable years later. Each archived PDF embeds the letter's YAML (and, for
a translation, its PO catalog) as associated files; manifest.json records the SHA-256 of every
PDF and of every embedded source. Files are only ever added: changed content becomes a new
revision (`…-r2.pdf`) beside the old one. `verify` re-checks all of it, on any machine.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from . import __version__, catalog
from .build import plan, scratch_folder
from .errors import CartaError, Problem
from .project import Project, builtin_templates
from .render import Renderer
from .write import staged, write_new

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
YAML_TYPE = "application/yaml"
PO_TYPE = "text/x-gettext-translation"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Entry:
    """One archived file, as manifest.json records it."""

    path: str  # relative to the archive folder, with "/" on every system
    letter: str
    locale: str
    recipient: str | None
    revision: int
    sha256: str
    size: int
    pdf_variant: str
    sources: list[dict]  # name, media_type, sha256, size of each embedded source
    carta_version: str
    archived_at: str


@dataclass
class Manifest:
    entries: list[Entry] = field(default_factory=list)

    def history(self, letter: str, locale: str, recipient: str | None) -> list[Entry]:
        return sorted((e for e in self.entries
                       if (e.letter, e.locale, e.recipient) == (letter, locale, recipient)),
                      key=lambda e: e.revision)

    def to_bytes(self) -> bytes:
        data = {"format": MANIFEST_FORMAT, "files": [asdict(entry) for entry in self.entries]}
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.exists():
        return Manifest()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"expected format {MANIFEST_FORMAT}, found {data.get('format')!r}")
        return Manifest([Entry(**entry) for entry in data["files"]])
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as error:
        raise CartaError(f"{path}: not a readable carta manifest ({error}); the archive "
                         "folder must hold the manifest.json that carta wrote") from None


@dataclass(frozen=True)
class Action:
    """What archiving did, or would do, for one document."""

    kind: str  # "new", "revision", "unchanged" or "recorded" (found from an interrupted run)
    path: Path
    entry: Entry | None = None


def archive(project: Project, letters: tuple[str, ...] = (), locales: tuple[str, ...] = (),
            dry_run: bool = False, report=lambda action: None) -> list[Action]:
    """Archive every chosen letter and locale; with `dry_run`, only say what would happen."""
    with scratch_folder():
        return _archive(project, plan(project, letters, locales).jobs, dry_run, report)


def _archive(project: Project, jobs, dry_run: bool, report) -> list[Action]:
    """Archive each job (archives are never made from untranslated fallbacks)."""
    from .pdf import ARCHIVE_VARIANT, Archival, EmbeddedSource, PdfMaker

    folder = project.archive
    manifest = read_manifest(folder)
    renderer = Renderer(project)
    pdf_maker = PdfMaker((project.content, project.templates, builtin_templates()))
    actions = []
    for job in jobs:
        letter, locale = job.letter, job.locale
        recipient = job.recipient.id if job.recipient else None
        sources = tuple(
            EmbeddedSource(name, data, media_type, description)
            for name, data, media_type, description in _sources(project, letter.id, locale,
                                                                 letter.source))
        identity = f"carta:{letter.id}:{locale}:{recipient or ''}".encode()
        archival = Archival(sources, letter.date, hashlib.sha256(identity).digest()[:16])
        pdf = pdf_maker.make(renderer.render(letter, locale, job.recipient),
                             letter.source.parent, job.name, archival)
        digest = sha256(pdf)
        history = manifest.history(letter.id, locale, recipient)
        if history and history[-1].sha256 == digest:
            action = Action("unchanged", folder / history[-1].path, history[-1])
            actions.append(action)
            report(action)
            continue
        revision = history[-1].revision + 1 if history else 1
        path = folder / _relative_path(letter.id, locale, recipient, revision)
        kind = "revision" if history else "new"
        # A file under this name that the manifest lacks was left by an interrupted run.
        while path.exists():
            if sha256(path.read_bytes()) == digest:
                kind = "recorded"
                break
            revision += 1
            path = folder / _relative_path(letter.id, locale, recipient, revision)
        entry = Entry(
            path=path.relative_to(folder).as_posix(), letter=letter.id, locale=locale,
            recipient=recipient, revision=revision, sha256=digest, size=len(pdf),
            pdf_variant=ARCHIVE_VARIANT,
            sources=[{"name": s.name, "media_type": s.media_type, "sha256": sha256(s.data),
                      "size": len(s.data)} for s in sources],
            carta_version=__version__,
            archived_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))
        if not dry_run:
            manifest.entries.append(entry)
            # The new manifest is written and synced first and renamed into place right after
            # the PDF gets its name: an interruption between the two (microseconds) leaves an
            # unrecorded file, which the next run finds and records.
            with staged(folder / MANIFEST, manifest.to_bytes()):
                if kind != "recorded":
                    write_new(path, pdf)
        action = Action(kind, path, entry)
        actions.append(action)
        report(action)
    return actions


def _relative_path(letter_id: str, locale: str, recipient: str | None, revision: int) -> str:
    stem = f"{letter_id}.{recipient}.{locale}" if recipient else f"{letter_id}.{locale}"
    suffix = f"-r{revision}" if revision > 1 else ""
    return f"{letter_id}/{stem}{suffix}.pdf"


def _sources(project: Project, letter_id: str, locale: str, letter_file: Path):
    """(name, bytes, media type, description) of each file the PDF is made from."""
    yield (f"{letter_id}.yaml", letter_file.read_bytes(), YAML_TYPE,
           "The letter's content, as carta read it")
    po = catalog.catalog_path(project, letter_id, locale)
    if po.is_file():
        yield (f"{letter_id}.{locale}.po", po.read_bytes(), PO_TYPE,
               f"The {locale} translation catalog of the letter")


# Verification -----------------------------------------------------------------------------

def verify(folder: Path) -> tuple[int, list[Problem], list[str]]:
    """Check every archived file against the manifest: (files checked, problems, notes)."""
    import pikepdf  # only verification needs it

    folder = folder.resolve()
    if not (folder / MANIFEST).is_file():
        raise CartaError(f"{folder}: no {MANIFEST} here; expected an archive folder made by "
                         "'carta archive'")
    manifest = read_manifest(folder)
    problems: list[Problem] = []
    recorded = set()
    for entry in manifest.entries:
        relative = PurePosixPath(entry.path)
        if relative.is_absolute() or ".." in relative.parts:
            problems.append(Problem(MANIFEST, None, None, entry.path,
                                    "expected a path inside the archive folder"))
            continue
        recorded.add(relative.as_posix())
        problems += _verify_entry(folder, entry, pikepdf)
    notes = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or relative == MANIFEST or relative in recorded:
            continue
        if path.name.startswith("."):
            notes.append(f"{relative}: a temporary file left by an interrupted run; "
                         "safe to delete")
            continue
        problems.append(Problem(relative, None, None, "",
                                "extra file: not recorded in the manifest (left by an "
                                "interrupted 'carta archive'? run it again to record it)"))
    return len(manifest.entries), problems, notes


def _verify_entry(folder: Path, entry: Entry, pikepdf) -> list[Problem]:
    path = folder / entry.path

    def problem(message: str) -> Problem:
        return Problem(entry.path, None, None, "", message)

    if not path.is_file():
        return [problem("missing: the manifest records it, but the file is not there")]
    data = path.read_bytes()
    if len(data) != entry.size or sha256(data) != entry.sha256:
        return [problem(f"altered: expected SHA-256 {entry.sha256} ({entry.size} bytes), "
                        f"found {sha256(data)} ({len(data)} bytes)")]
    problems = []
    try:
        with pikepdf.open(path) as pdf:
            with pdf.open_metadata() as xmp:
                part = xmp.get("pdfaid:part")
                conformance = xmp.get("pdfaid:conformance")
            expected_part, expected_conformance = entry.pdf_variant.removeprefix("pdf/a-")
            if (part, (conformance or "").lower()) != (expected_part, expected_conformance):
                problems.append(problem(
                    f"expected XMP to claim PDF/A-{expected_part}{expected_conformance.upper()},"
                    f" found part {part!r}, conformance {conformance!r}"))
            attached = dict(pdf.attachments.items())
            for source in entry.sources:
                spec = attached.get(source["name"])
                if spec is None:
                    problems.append(problem(f"embedded source {source['name']} is missing"))
                    continue
                embedded = spec.get_file().read_bytes()
                if sha256(embedded) != source["sha256"]:
                    problems.append(problem(f"embedded source {source['name']} does not match "
                                            "its recorded SHA-256"))
                if str(spec.obj.get("/AFRelationship")) != "/Source":
                    problems.append(problem(f"embedded source {source['name']} is not marked "
                                            "as the document's Source"))
    except pikepdf.PdfError as error:
        return [problem(f"does not open as a PDF: {error}")]
    if shutil.which("qpdf"):
        checked = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        if checked.returncode not in (0, 3):  # 3: warnings only
            problems.append(problem(f"qpdf --check failed: {checked.stdout.strip()[-300:]}"))
    return problems
