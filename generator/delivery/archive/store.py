"""`carta archive`: writing the archived copies, each change a new revision, nothing rewritten.

Each archived PDF embeds the letter's YAML (and, for a translation, its PO catalog) as
associated files. Files are only ever added: changed content becomes a new revision
(`…-r2.pdf`) beside the old one, recorded in the manifest (manifest.py). One archive run at a
time holds the project lock, so two runs never lose each other's entries.

Documents carta did not make are kept as they came (generator/campaign/documents.py lists
them): responses received (kind "received", under received/<response-id>/) and the scans of
letters sent before carta (kind "scan", under scans/<letter-id>/), each with the searchable
PDF/A that OCR made of it, if any. Their entries record hash and size, and the PDF/A variant
only where the file claims one; an imported letter is archived as its scan, not as carta's
record of it.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ...campaign import documents, responses
from ...content.load import MAX_FILE_BYTES
from ...core.errors import BuildError, CartaError
from ...core.lock import project_lock
from ...core.project import Project, read_content_file
from ...core.version import __version__
from ...core.write import safe_folder, staged, write_new
from ...localization import catalogs
from ...pipeline.maker import DocumentMaker, scratch_folder
from ...pipeline.plan import plan
from .manifest import (
    MANIFEST,
    PDF_VARIANT,
    PO_TYPE,
    YAML_TYPE,
    Entry,
    Manifest,
    document_path,
    letter_path,
    pdf_identity,
    read_manifest,
    sha256,
)
from .reading import MAX_PDF_BYTES, link_target, read_bounded, regular_file_hash
from .signing import Signer, stale_signature_notice

# A second `carta archive` waits this long for the lock, then stops and names the run that
# holds it. An archive run takes seconds to minutes and the second one would only find the
# first's work done: a clear message beats a terminal that hangs without a word. The short
# wait rides out a brief holder (a no-op `carta build` from `carta watch`, say).
LOCK_WAIT = 2.0


@dataclass(frozen=True)
class Action:
    """What archiving did, or would do, for one document."""

    kind: str  # "new", "revision", "unchanged" or "recorded" (found from an interrupted run)
    path: Path
    entry: Entry | None = None


@dataclass
class ArchiveRun:
    """What an archive run did: each document's action, the head after it, and notices."""

    actions: list[Action]
    head: str
    entries: int
    notices: list[str] = field(default_factory=list)


def archive_folder(project: Project) -> Path:
    """The archive folder as configured, without following links (Project.archive does)."""
    return Path(os.path.abspath(project.root / project.settings.archive))


def archive(project: Project, letters: tuple[str, ...] = (), locales: tuple[str, ...] = (),
            dry_run: bool = False, report=lambda action: None,
            accept_layout_warnings: bool = False, ask_passphrase=None) -> ArchiveRun:
    """Archive every chosen letter and locale; with `dry_run`, only say what would happen.

    A PDF with a footnote printed on another page than its call is refused, unless
    `accept_layout_warnings`: an archived PDF is never rewritten, so it has to be right.

    A real run holds the project lock from reading the manifest to writing its last entry:
    two runs that each read the manifest, then wrote their own version, lost entries.

    With [signing] sign = ["archive", ...], each letter's PDF is signed (PAdES) as the last
    step; `ask_passphrase(prompt)` is asked for the key's passphrase if it needs one."""
    if dry_run:  # reads one consistent manifest (it is replaced atomically), writes nothing
        with scratch_folder():
            return _archive(project, letters, locales, True, report, accept_layout_warnings,
                            ask_passphrase)
    with project_lock(project.output, "archive", wait=LOCK_WAIT), scratch_folder():
        return _archive(project, letters, locales, False, report, accept_layout_warnings,
                        ask_passphrase)


def _archive(project: Project, letters, locales, dry_run: bool, report,
             accept_layout_warnings: bool = False, ask_passphrase=None) -> ArchiveRun:
    """Archive each job (archives are never made from untranslated fallbacks), then each
    document kept as it came."""
    from ...outputs.pdf import ARCHIVE_VARIANT, Archival, EmbeddedSource

    folder = _real_folder(project, archive_folder(project), create=not dry_run)
    shown_manifest = project.shown(folder / MANIFEST)
    manifest = read_manifest(folder, shown_manifest)
    notices = []
    if manifest.format == 1:
        notices.append(_upgrade(project, folder, manifest, dry_run))
    signer = Signer(project, folder) if project.settings.signing_key else None
    if signer is not None:
        signer.check_existing(manifest)  # before any work: never sign over a tampered head
    pdf_signer = _pdf_signer(project, folder, ask_passphrase)  # read before any work too
    planned = plan(project, letters, locales)  # validates once: the documents below reuse it
    # Each version is archived on its own, with its own catalog; a combined document is a
    # publishing form of those versions, not archived separately.
    jobs = [job for job in planned.jobs if not job.versions
            and not documents.scan_files(project, job.letter.id)]  # archived as their scans
    maker = DocumentMaker(project, strict=True)  # the build's render path, always strict
    actions = []
    sent = []  # (letter, action) of each letter PDF, for the private consent record

    def keep(data: bytes, history: list[Entry], path_for: Callable[[int], str],
             **fields) -> None:
        action = _keep(project, folder, manifest, data, history, path_for, dry_run, **fields)
        actions.append(action)
        report(action)

    for job in jobs:
        letter, locale = job.letter, job.locale
        recipient = job.recipient.id if job.recipient else None
        sources = tuple(
            EmbeddedSource(name, data, media_type, description)
            for name, data, media_type, description in _sources(project, letter.id, locale,
                                                                letter.source))
        archival = Archival(sources, letter.date, pdf_identity(letter.id, locale, recipient))
        pdf, warnings = maker.pdf(job, maker.html(job), archival)
        misplaced = [warning for warning in warnings if warning.kind == "misplaced-note"]
        if misplaced and not accept_layout_warnings:
            # Refused before it is written: the documents archived before it stay archived.
            raise BuildError("; ".join(map(str, misplaced)) + f"; {job.name} is not archived "
                             "(an archived PDF is never rewritten): change the text, or "
                             "archive it as it is with --accept-layout-warnings")
        # Accepted: a footnote printed a page late is archived so, and said.
        notices += [str(warning) for warning in warnings]
        if pdf_signer is not None:
            pdf = _signed(pdf_signer, project, folder, pdf, job,
                          manifest.letter_history(letter.id, locale, recipient),
                          partial(letter_path, letter.id, locale, recipient), dry_run)
        keep(pdf, manifest.letter_history(letter.id, locale, recipient),
             partial(letter_path, letter.id, locale, recipient),
             letter=letter.id, locale=locale, recipient=recipient, pdf_variant=ARCHIVE_VARIANT,
             sources=[{"name": s.name, "media_type": s.media_type, "sha256": sha256(s.data),
                       "size": len(s.data)} for s in sources])
        sent.append((letter, actions[-1]))
    # Each response's document and each imported letter's scan, as it came (with the PDF/A
    # OCR made of it), for the letters chosen: the plan's content says which those are.
    content = planned.content
    if not dry_run:
        _record_consent(project, folder, content, sent)
    chosen = {letter.id for letter in content.letters}
    answers = [response for response in content.responses if response.replies_to in chosen]
    for document in documents.kept_documents(project, content.letters, answers):
        data = read_content_file(document.path, (project.content,),
                                 responses.MAX_DOCUMENT_BYTES, "a document to archive")
        name = document.path.name
        keep(data, manifest.document_history(document.kind, document.ident, name),
             partial(document_path, document.kind, document.ident, name),
             letter=document.ident, locale=document.locale, recipient=None,
             pdf_variant=_claimed_variant(data), sources=[], kind=document.kind)
    if pdf_signer is not None and not dry_run:
        signed = sum(action.kind != "unchanged" for action in actions if action.entry
                     and action.entry.kind == "sent")
        if signed:
            notices.append(f"signed {signed} PDF(s), PAdES {pdf_signer.level}, with the "
                           f"certificate of {pdf_signer.credentials.signer_name}")
    if signer is not None and not dry_run:
        notices += signer.sign(manifest)
    elif not dry_run:
        notices += stale_signature_notice(folder, manifest)
    return ArchiveRun(actions, manifest.head, len(manifest.entries), notices)


def _record_consent(project: Project, folder: Path, content, sent) -> None:
    """Each newly archived sign-on PDF's signatories and their consent, into the private
    record beside the archive (consent.py)."""
    from ...content.signon_checks import read_private
    from .consent import record

    archived = [(letter, action) for letter, action in sent
                if action.kind in ("new", "revision", "recorded")
                and letter.signatures is not None]
    if not archived:
        return
    consents, _ = read_private(project, content.signatories)  # checked by plan() already
    for letter, action in archived:
        record(folder, letter, action.entry, consents)


def _keep(project: Project, folder: Path, manifest: Manifest, data: bytes,
          history: list[Entry], path_for: Callable[[int], str], dry_run: bool,
          **fields) -> Action:
    """Archive `data` as the next revision of the file whose entries are `history` (none yet:
    the first), at `path_for(revision)`; unchanged bytes are not archived again. `fields` are
    the rest of its entry. The one revision rule of letters and documents alike."""
    digest = sha256(data)
    if history and history[-1].sha256 == digest:
        return Action("unchanged", folder / history[-1].path, history[-1])
    revision = history[-1].revision + 1 if history else 1
    path = folder / path_for(revision)
    _real_folder(project, path.parent, create=not dry_run)
    kind = "revision" if history else "new"
    # A file under this name that the manifest lacks was left by an interrupted run
    # (recorded if it is exactly these bytes); anything else there, links included, is
    # left alone and the next revision number taken.
    while os.path.lexists(path):
        if regular_file_hash(path) == digest:
            kind = "recorded"
            break
        revision += 1
        path = folder / path_for(revision)
    entry = Entry(
        path=path.relative_to(folder).as_posix(), revision=revision, sha256=digest,
        size=len(data), carta_version=__version__,
        archived_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), **fields)
    if not dry_run:
        manifest.append(entry)
        # The new manifest is written and synced first and renamed into place right after
        # the file gets its name: an interruption between the two (microseconds) leaves an
        # unrecorded file, which the next run finds and records. staged() renames over
        # the name, so a link planted at manifest.json is replaced, never followed.
        with staged(folder / MANIFEST, manifest.to_bytes()):
            if kind != "recorded":
                write_new(path, data)
    return Action(kind, path, entry)


def _real_folder(project: Project, folder: Path, create: bool) -> Path:
    """`folder` (the archive folder or one below it), checked to be a real folder at every
    level below the project root; a dry run creates nothing but checks the same."""
    base = Path(os.path.abspath(project.root))
    top = archive_folder(project)
    if not top.is_relative_to(base):
        # carta.toml names a folder outside the project: the user chose it, like the root.
        base = top
        if create:
            try:
                top.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise BuildError(f"cannot create the archive folder {top}: "
                                 f"{error.strerror}") from None
    if create:
        return safe_folder(base, folder)
    current = base
    for part in folder.relative_to(base).parts:
        current = current / part
        if current.is_symlink():
            raise BuildError(f"refusing to write through {current}: it is a symbolic link "
                             f"(to {link_target(current)}); carta writes only into real "
                             "folders. Remove the link and run again")
    return folder


def _upgrade(project: Project, folder: Path, manifest: Manifest, dry_run: bool) -> str:
    """Chain a format 1 manifest, in its present order, once its files are checked.

    This rewrites no history: every entry stays as it was and gains only `previous`, and the
    manifest says when it was chained and how many entries it had, since the chain can prove
    nothing about them before that day."""
    count = len(manifest.entries)
    wrong = [entry.path for entry in manifest.entries
             if regular_file_hash(folder / entry.path) != entry.sha256]
    if wrong:
        raise CartaError(
            f"{project.shown(folder / MANIFEST)} has no hash chain (made by an older carta), "
            f"and these files do not match it: {', '.join(wrong[:5])}"
            f"{' …' if len(wrong) > 5 else ''}. carta chains only an archive whose files "
            "match their manifest; run 'carta verify' and restore them from a backup")
    if dry_run:
        return (f"would chain the {count} entries of {project.shown(folder / MANIFEST)} (made "
                "by an older carta, without a hash chain) in their present order")
    manifest.chain()
    manifest.upgraded = {"from_format": 1, "entries": count,
                         "on": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}
    with staged(folder / MANIFEST, manifest.to_bytes()):
        pass
    return (f"chained the {count} entries of {project.shown(folder / MANIFEST)}, made by an "
            "older carta without a hash chain, in their present order (their files match); "
            "from now on removing or changing an entry is detected, but nothing proves what "
            "happened to those entries before today")


def _pdf_signer(project: Project, folder: Path, ask_passphrase):
    """The PAdES signer of archived PDFs, if [signing] asks for it: its key read and checked
    before anything is made, so that a wrong passphrase stops the run with nothing written."""
    settings = project.settings.pdf_signing
    if settings is None or "archive" not in settings.outputs:
        return None
    from .pdf_signature import PdfSigner, load_credentials

    return PdfSigner(load_credentials(project, folder, ask_passphrase), settings)


def _signed(pdf_signer, project: Project, folder: Path, data: bytes, job,
            history: list[Entry], path_for: Callable[[int], str], dry_run: bool) -> bytes:
    """The letter's PDF signed, as the last step. A PDF made from the same bytes as the last
    revision is that revision's file (signing again would differ only in its time: it is
    not a new revision), and one left unrecorded under the next name by an interrupted run
    is that file (so that _keep records it); a dry run signs nothing."""
    from .pdf_signature import extends, stamp_for

    stamp = stamp_for(project, job, pdf_signer.settings)
    prepared = pdf_signer.prepare(data, stamp)
    candidates = [(folder / history[-1].path, history[-1].sha256)] if history else []
    candidates.append((folder / path_for(history[-1].revision + 1 if history else 1), None))
    for path, recorded in candidates:
        try:
            found = read_bounded(path, MAX_PDF_BYTES, "an archived PDF")
        except CartaError:  # a link or a folder there: _keep takes the next name
            found = None
        if found is not None and recorded in (None, sha256(found)) and extends(found, prepared):
            return found
    return prepared if dry_run else pdf_signer.sign(prepared, stamp)


def _claimed_variant(data: bytes) -> str:
    """The PDF/A variant a document's XMP claims ("pdf/a-2b" for OCRmyPDF's), or "none"."""
    if not data.startswith(b"%PDF-"):
        return "none"
    import io

    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf, pdf.open_metadata() as xmp:
            part, conformance = xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")
    except (pikepdf.PdfError, ValueError, KeyError, TypeError):
        return "none"
    variant = f"pdf/a-{part}{(conformance or '').lower()}"
    return variant if PDF_VARIANT.fullmatch(variant) else "none"


def _sources(project: Project, letter_id: str, locale: str, letter_file: Path):
    """(name, bytes, media type, description) of each file the PDF is made from."""
    # Read under the content rule again (checked at plan time too): what is embedded is never
    # a file outside the project, whatever happened in between.
    inside = (project.root, project.content)
    yield (f"{letter_id}.yaml", read_content_file(letter_file, inside, MAX_FILE_BYTES),
           YAML_TYPE, "The letter's content, as carta read it")
    po = catalogs.catalog_path(project, letter_id, locale)
    if po.is_file():
        yield (f"{letter_id}.{locale}.po",
               read_content_file(po, inside, catalogs.MAX_CATALOG_BYTES), PO_TYPE,
               f"The {locale} translation catalog of the letter")
