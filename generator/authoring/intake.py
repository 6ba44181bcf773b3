"""Bringing documents into the project: responses received, letters scanned before carta was used.

`carta response add` records a response received, `carta import-scan` a letter sent before
carta. Each command copies the document under content/ as it came, writes its text beside it
(for search and for quoting, with a marker before each page), and writes a YAML stub with what
it could read from the document (an e-mail's Date and From, a PDF's creation date and author)
and [[TODO: ...]] placeholders for the rest, which `carta check` refuses until a person fills
them. Where the documents live, and what the archive keeps of them, is
generator/campaign/documents.py.

Nothing is ever overwritten: every file is written with write_new, after checking that none of
them exists, and the stub last: a run cut short leaves files that no YAML names, which `carta
check` reports and the same command, run again, finishes. What a document says is read in a
limited child process (generator/authoring/received.py); one that cannot be read is kept all
the same, marked "unreadable, text not extracted".

OCR is OCRmyPDF's command (Tesseract underneath), run from this module alone: it keeps a
searchable PDF/A beside the original. OCR text has errors (accents, ñ, digits, URLs are
typical victims): it serves search and finding a passage, never as a transcription; quotes
must be checked against the document.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import stat
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..campaign import chains, documents, responses
from ..campaign.assemble import validate
from ..content.reader import SLUG, SLUG_MAX
from ..core.errors import CartaError
from ..core.project import Project
from ..core.untrusted import Unparsed
from ..core.write import safe_folder, write_new
from ..localization import locales
from . import received
from .received import Facts

# Tesseract's language data for carta's locales (Debian: tesseract-ocr-<code>).
OCR_LANGUAGES = {"es": "spa", "en": "eng", "fr": "fra", "pt": "por", "de": "deu", "it": "ita"}
# One page of OCR takes seconds; a long scan minutes. Past this, something is stuck.
OCR_TIMEOUT = 30 * 60
OCR_CAVEAT = ("OCR text has errors (accents, ñ, digits and web addresses especially): use it "
              "to search and to find a passage, and check every quote against the document")


@dataclass(frozen=True)
class Intake:
    """What a command wrote, and what the person should know about it."""

    stub: Path  # the YAML to finish
    document: Path  # the document, as it came
    text: Path | None = None  # its text, page by page
    searchable: Path | None = None  # the PDF/A made by OCR
    notes: list[str] = field(default_factory=list)


def document_facts(path: Path) -> Facts:
    """What a received document says, read within limits (generator/authoring/received.py)."""
    return received.read_facts(path)


def _pages(path: Path) -> Facts:
    """A PDF's pages, read within limits; Facts saying why when they cannot be."""
    try:
        return Facts(pages=received.read_pages(path))
    except Unparsed as error:
        return Facts(unreadable=str(error))


def text_file(facts: Facts, shown: str, ocr_language: str | None) -> bytes:
    """The document's text as it is kept beside it: a header saying where it comes from (and,
    after OCR, that it has errors), then each page or part under a marker."""
    if facts.unreadable:
        return (f"[carta: {shown} is unreadable, text not extracted: {facts.unreadable}. The "
                "document is kept as it came; read it in a viewer.]\n").encode()
    how = (f"read by OCR (Tesseract, language {ocr_language}). {OCR_CAVEAT}." if ocr_language
           else "extracted from its text layer; check quotes against the document.")
    lines = [f"[carta: the text of {shown}, {how}]"]
    sections = facts.sections or [(f"page {number}", page)
                                  for number, page in enumerate(facts.pages, start=1)]
    for heading, text in sections:
        lines += ["", f"[{heading}]", text or "(no text on this page)"]
    return ("\n".join(lines) + "\n").encode("utf-8")


# OCR -------------------------------------------------------------------------------------------

def ocr_available() -> bool:
    return shutil.which("ocrmypdf") is not None


def ocr_language(locale: str) -> str:
    language = locale.split("_")[0].split("-")[0]
    if language not in OCR_LANGUAGES:
        raise CartaError(f"no OCR language known for '{locale}'; carta knows "
                         f"{', '.join(sorted(OCR_LANGUAGES))}")
    return OCR_LANGUAGES[language]


def run_ocr(source: Path, target: Path, language: str) -> None:
    """OCRmyPDF: `target` becomes a PDF/A of `source` with a text layer in `language`
    (Tesseract's code). Pages that already have text are kept as they are."""
    if not ocr_available():
        raise CartaError("--ocr needs the ocrmypdf command, with Tesseract's language data; "
                         "on Debian or Ubuntu: sudo apt-get install ocrmypdf "
                         f"tesseract-ocr-{language}")
    command = ["ocrmypdf", "-l", language, "--output-type", "pdfa", "--skip-text",
               "--jobs", "1", "--quiet", str(source), str(target)]
    # One thread: OCR is slow, and the machine is shared with the build.
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=OCR_TIMEOUT,
                              env=environment)
    except subprocess.TimeoutExpired:
        raise CartaError(f"OCR of {source.name} took more than {OCR_TIMEOUT // 60} minutes; "
                         "stopped") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        hint = ""
        if "language" in " ".join(said).lower():
            hint = f"; install Tesseract's data for it: sudo apt-get install " \
                   f"tesseract-ocr-{language}"
        raise CartaError(f"OCR of {source.name} failed (ocrmypdf exit {done.returncode}): "
                         f"{' '.join(said[-3:]) or 'no message'}{hint}")


# Shared steps ----------------------------------------------------------------------------------

def _input(file: Path, kinds: tuple[str, ...]) -> bytes:
    """The bytes of the document given on the command line (a file of the user's, anywhere)."""
    if not file.is_file():
        raise CartaError(f"{file}: no such file")
    if file.suffix.lower() not in kinds:
        raise CartaError(f"{file}: expected a {' or '.join(kinds)} file, found "
                         f"'{file.suffix or 'no extension'}'")
    size = file.stat().st_size
    if size > responses.MAX_DOCUMENT_BYTES:
        raise CartaError(f"{file}: expected at most "
                         f"{responses.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB, found "
                         f"{size / (1024 * 1024):.0f} MB")
    data = file.read_bytes()
    if file.suffix.lower() == ".pdf" and not data.startswith(b"%PDF-"):
        raise CartaError(f"{file}: expected a PDF (it starts with %PDF-), found another kind "
                         "of file")
    return data


def _check_id(ident: str, option: str = "--id") -> str:
    if not SLUG.match(ident) or len(ident) > SLUG_MAX:
        raise CartaError(f"{option} '{ident}': expected lowercase letters, digits and single "
                         f"hyphens, at most {SLUG_MAX} characters")
    return ident


def _free(project: Project, paths: list[Path]) -> None:
    """Refuse before writing anything if any of the files exists already."""
    taken = [project.shown(path) for path in paths if os.path.lexists(path)]
    if taken:
        raise CartaError(f"{', '.join(taken)} already exist{'s' if len(taken) == 1 else ''}; "
                         "choose another --id, nothing was changed")


def _claim(project: Project, stub: Path, document: Path, data: bytes,
           derived: list[Path]) -> set[Path]:
    """Refuse before writing anything if any file of this intake exists already, unless an
    interrupted run of the same document left them: then the files it left (written whole,
    each by write_new) are kept, and returned, so that this run writes only the rest. The
    stub is written last, so no stub means the earlier run did not finish."""
    if os.path.lexists(stub):
        _free(project, [stub, document, *derived])
    there = [path for path in (document, *derived) if os.path.lexists(path)]
    if not there:
        return set()
    if document in there and _same_bytes(document, data):
        return set(there)
    names = ", ".join(project.shown(path) for path in there)
    them = "it" if len(there) == 1 else "them"
    raise CartaError(f"{names} {'is' if len(there) == 1 else 'are'} left from an interrupted "
                     f"run for another document (no YAML names {them}); remove {them}, or "
                     "choose another --id; nothing was changed")


def _same_bytes(path: Path, data: bytes) -> bool:
    """Whether `path` is a regular file (not a link) holding exactly `data`."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _commit(writes: list[tuple[Path, bytes]], kept: set[Path]) -> None:
    """Write each file not kept from an interrupted run, in order: the stub comes last, and
    is what makes the others a finished intake."""
    for path, data in writes:
        if path not in kept:
            write_new(path, data)


def _resumed(project: Project, kept: set[Path]) -> list[str]:
    if not kept:
        return []
    names = ", ".join(project.shown(path) for path in sorted(kept))
    return [f"finished what an interrupted run began: kept {names}, wrote the rest"]


def _unreadable_note(project: Project, document: Path, facts: Facts) -> list[str]:
    if not facts.unreadable:
        return []
    return [f"{project.shown(document)} is unreadable, text not extracted: {facts.unreadable}. "
            "The document is kept as it came; read it in a viewer and fill in the stub by hand"]


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def match_recipient(recipients: dict, name: str | None, address: str | None) -> str | None:
    """The recipient a document comes from: by e-mail address, else by a name that is one
    of theirs (any language) or contains it. None unless exactly one fits."""
    if address:
        found = [ident for ident, r in recipients.items()
                 if r.email and r.email.lower() == address.lower()]
        if len(found) == 1:
            return found[0]
    if not name:
        return None
    wanted = _folded(name)
    found = []
    for ident, recipient in recipients.items():
        names = [*recipient.name.values(), *recipient.organization.values()]
        if any(_folded(each) == wanted or (len(_folded(each)) >= 5 and _folded(each) in wanted)
               for each in names):
            found.append(ident)
    return found[0] if len(found) == 1 else None


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# carta response add ----------------------------------------------------------------------------

def add_response(project: Project, file: Path, replies_to: str, sender: str | None = None,
                 date: datetime.date | None = None, ident: str | None = None,
                 language: str | None = None, ocr: bool = False) -> Intake:
    """Copy a received document into content/responses/, with its text, and write the YAML
    stub of the reply; with `ocr`, also a searchable PDF/A read by OCR."""
    data = _input(file, tuple(responses.DOCUMENT_TYPES))
    suffix = file.suffix.lower()
    if ocr and suffix != ".pdf":
        raise CartaError("--ocr reads a scanned PDF; an e-mail's text is read as it is")
    content = validate(project, drafts=True, partial=True)
    letters = {letter.id: letter for letter in content.letters}
    if replies_to not in letters:
        known = sorted(path.stem for path in project.letter_files())
        why = "it has problems of its own; run 'carta check'" if replies_to in known else \
            f"expected one of: {', '.join(known) or 'none'}"
        raise CartaError(f"--replies-to '{replies_to}': no valid letter of that id; {why}")
    letter = letters[replies_to]
    if sender is not None and sender not in content.recipients:
        raise CartaError(f"--from '{sender}': unknown recipient; expected one of: "
                         f"{', '.join(sorted(content.recipients)) or 'none'}")
    language = language or letter.language

    facts = document_facts(file)
    read_date, date = facts.date, date or facts.date
    found_sender = match_recipient(content.recipients, facts.name, facts.address)
    sender = sender or found_sender
    if ident is None:
        stem = f"{date.isoformat()}-respuesta" if date else f"respuesta-a-{replies_to}"
        ident = f"{stem}-{sender}" if sender and len(f"{stem}-{sender}") <= SLUG_MAX else stem
        ident = ident[:SLUG_MAX].rstrip("-")
    _check_id(ident)
    if ident in letters or (project.letters_dir / f"{ident}.yaml").exists():
        raise CartaError(f"'{ident}' is a letter's id; choose another --id, nothing was changed")

    # Every folder written goes through the rule for output/: a committed link
    # content/responses -> /elsewhere must not turn these writes into writes there.
    folder = safe_folder(project.root, project.content / responses.RESPONSES_DIR)
    stub = folder / f"{ident}.yaml"
    document = folder / f"{ident}{suffix}"
    text = folder / f"{ident}.txt"
    searchable = folder / f"{ident}.ocr.pdf" if ocr else None
    kept = _claim(project, stub, document, data, [text, *([searchable] if searchable else [])])

    notes = _resumed(project, kept)
    writes = [(document, data)]
    with tempfile.TemporaryDirectory() as scratch:
        if ocr and facts.unreadable:
            notes.append("not read by OCR either: the document is unreadable")
            ocr, searchable = False, None
        elif ocr and searchable in kept:  # made by the interrupted run: read, not made again
            facts = _with_pages(facts, _pages(searchable))
        elif ocr:
            made = Path(scratch) / "ocr.pdf"
            run_ocr(file, made, ocr_language(language))
            facts = _with_pages(facts, _pages(made))
            writes.append((searchable, made.read_bytes()))
        if suffix == ".pdf" and not facts.unreadable and not any(facts.pages):
            notes.append("no text found in the PDF: it is probably a scan. Nothing in it can "
                         "be searched or quoted until it is read by OCR (add --ocr)")
        notes += _unreadable_note(project, document, facts)
        writes.append((text, text_file(facts, project.shown(document),
                                       ocr_language(language) if ocr else None)))

        # The demands the reply may speak to: those still open when it came.
        open_now = chains.open_demands(letter, letters, content.responses, until=date)
        writes.append((stub, _response_stub(
            ident, letter, sender, found_sender, date, read_date, language, file, suffix,
            document.relative_to(project.content).as_posix(),
            searchable.relative_to(project.content).as_posix() if searchable else None,
            text.relative_to(project.content).as_posix(), open_now, ocr,
            facts.unreadable).encode("utf-8")))
        _commit(writes, kept)
    if ocr:
        notes.append(OCR_CAVEAT)
    return Intake(stub, document, text, searchable, notes)


def _with_pages(facts: Facts, read: Facts) -> Facts:
    """The facts of the document, with the pages (or the reason there are none) of `read`."""
    return Facts(facts.date, facts.name, facts.address, read.pages, unreadable=read.unreadable)


def _response_stub(ident, letter, sender, found_sender, date, read_date, language, file,
                   suffix, document, searchable, text, demands, ocr, unreadable=None) -> str:
    read_from = "the e-mail's" if suffix == ".eml" else "the PDF's"
    lines = [
        f"# Reply to {letter.id} ({letter.date.isoformat()}), recorded by carta response add "
        f"from {file.name}.",
        "# Replace every [[TODO: ...]]; keep only the demands the reply speaks to, each with "
        "the status",
        "# the reply implies. 'carta check' lists what is left.",
        f"# Its text, for search and quoting: content/{text}"
        + (" (read by OCR: it has errors; quote from the document itself)." if ocr else "."),
        *([f"# Unreadable, text not extracted: {unreadable}. Read the document itself."]
          if unreadable else []),
        f"id: {ident}",
    ]
    if date is None:
        lines.append('date: "[[TODO: YYYY-MM-DD, the date of the reply]]"')
    elif read_date == date:
        lines.append(f"date: {date.isoformat()}  # from {read_from} "
                     f"{'Date header' if suffix == '.eml' else 'creation date'}: check it")
    else:
        lines.append(f"date: {date.isoformat()}")
    if sender is None:
        lines.append('from: "[[TODO: who answered, a recipient id from '
                     'content/recipients.yaml]]"')
    elif sender == found_sender:
        lines.append(f"from: {sender}  # matched from {read_from} "
                     f"{'From header' if suffix == '.eml' else 'author'}: check it")
    else:
        lines.append(f"from: {sender}")
    lines += [f"replies_to: {letter.id}", f"language: {language}", f"document: {document}"]
    if searchable:
        lines.append(f"searchable: {searchable}  # a PDF/A with the text read by OCR")
    lines += ["summary: " + _quoted("[[TODO: what the reply says, in a sentence or two]]")]
    if demands:
        lines.append("demands:")
        for demand in demands:
            lines += [f"  - id: {demand.id}",
                      f"    status: {demand.status}  # pending, partially-met, met, rejected, "
                      "withdrawn",
                      "    note: " + _quoted("[[TODO: what the reply says about this demand, "
                                             "or remove this demand]]"),
                      "    # quote: \"an excerpt, word for word from the document\"",
                      "    # page: 1"]
    return "\n".join(lines) + "\n"


# carta import-scan -----------------------------------------------------------------------------

# The record's first paragraph, in the letter's language where carta knows it; the person
# edits it like any text of the stub.
RECORD_NOTE = {
    "es": "Registro de una carta enviada el {date}, antes de usar carta. El original es el "
          "documento escaneado; su texto, leído por OCR, tiene errores y no es una "
          "transcripción.",
    "en": "Record of a letter sent on {date}, before carta was used. The original is the "
          "scanned document; its text, read by OCR, has errors and is not a transcription.",
    "fr": "Trace d'une lettre envoyée le {date}, avant l'usage de carta. L'original est le "
          "document numérisé ; son texte, lu par OCR, comporte des erreurs et n'est pas une "
          "transcription.",
}


def import_scan(project: Project, file: Path, date: datetime.date, ident: str,
                language: str | None = None, sender: str | None = None,
                recipients: tuple[str, ...] = (), ocr: bool = True) -> Intake:
    """Import a letter sent before carta from its scan: the scan under content/scans/, a
    searchable PDF/A of it and its OCR text, and a letter stub that records it."""
    data = _input(file, (".pdf",))
    _check_id(ident)
    content = validate(project, drafts=True, partial=True)
    language = language or project.settings.locales[0]
    locales.parse_locale(language)
    if sender is not None and sender not in content.senders:
        raise CartaError(f"--sender '{sender}': unknown sender; expected one of: "
                         f"{', '.join(sorted(content.senders)) or 'none'}")
    for recipient in recipients:
        if recipient not in content.recipients:
            raise CartaError(f"--to '{recipient}': unknown recipient; expected one of: "
                             f"{', '.join(sorted(content.recipients)) or 'none'}")
    if sender is None and len(content.senders) == 1:
        sender = next(iter(content.senders))
    if (project.content / responses.RESPONSES_DIR / f"{ident}.yaml").exists():
        raise CartaError(f"'{ident}' is a reply's id; choose another --id, nothing was changed")

    stub = safe_folder(project.root, project.letters_dir) / f"{ident}.yaml"
    original, searchable = documents.scan_paths(project, ident)
    safe_folder(project.root, original.parent)
    text = original.with_suffix(".txt")
    kept = _claim(project, stub, original, data, [text, *([searchable] if ocr else [])])
    notes = _resumed(project, kept)
    writes = [(original, data)]
    with tempfile.TemporaryDirectory() as scratch:
        facts = _pages(file)
        if ocr and facts.unreadable:
            notes.append("not read by OCR either: the scan is unreadable")
            ocr = False
        elif ocr and searchable in kept:  # made by the interrupted run: read, not made again
            facts = _pages(searchable)
            notes.append(OCR_CAVEAT)
        elif ocr:
            made = Path(scratch) / "ocr.pdf"
            run_ocr(file, made, ocr_language(language))
            facts = _pages(made)
            writes.append((searchable, made.read_bytes()))
            notes.append(OCR_CAVEAT)
        notes += _unreadable_note(project, original, facts)
        writes.append((text, text_file(facts, project.shown(original),
                                       ocr_language(language) if ocr else None)))
        writes.append((stub, _scan_stub(ident, date, language, sender, recipients, project,
                                        original, searchable if ocr else None,
                                        text).encode("utf-8")))
        _commit(writes, kept)
    return Intake(stub, original, text, searchable if ocr else None, notes)


def _scan_stub(ident, date, language, sender, recipients, project, original, searchable,
               text) -> str:
    def shown(path: Path) -> str:
        return path.relative_to(project.content).as_posix()

    note = RECORD_NOTE.get(language.split("_")[0], RECORD_NOTE["en"])
    lines = [
        "# A letter sent before carta, imported from its scan by carta import-scan. This file",
        "# is the letter's record in the campaign: it can be followed up, and `carta archive`",
        f"# keeps the scan itself (content/{shown(original)}"
        + (f", and the searchable PDF/A content/{shown(searchable)})." if searchable else ")."),
        f"# The scan's text, read by OCR, is in content/{shown(text)}: it has errors and is NOT",
        "# a transcription. Type the letter's demands below, checking each word against the",
        "# scan (or leave the demands out), and replace every [[TODO: ...]].",
        f"id: {ident}",
        f"date: {date.isoformat()}",
        f"language: {language}",
        f"sender: {sender}" if sender else
        'sender: "[[TODO: the sender id, from content/senders.yaml]]"',
        f"recipients: [{', '.join(recipients)}]" if recipients else
        'recipients: ["[[TODO: recipient ids, from content/recipients.yaml]]"]',
        "title: " + _quoted("[[TODO: the letter's subject, as on the scan]]"),
        "# A record, not the letter: no letterhead, salutation, closing or signature.",
        "letterhead: false",
        "salutation: false",
        "closing: false",
        "signer: false",
        "",
        "body:",
        "  - paragraph: " + _quoted(note.format(date=locales.format_date(date, language))),
        "  - paragraph: " + _quoted("[[TODO: what the letter said, in a sentence or two]]"),
        "  # - demands:",
        "  #     - id: a-demand-id",
        "  #       text: \"The demand, as the letter worded it.\"",
        "",
    ]
    return "\n".join(lines)
