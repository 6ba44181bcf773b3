"""`carta verify`: an archive folder checked against its manifest, on any machine.

The manifest's form and hash chain first; then every recorded file (size, then hash, then PDF/A
identity, metadata and embedded sources); then that nothing else is there; and, given a head
kept elsewhere or a public key, that the history is the one recorded or signed. The PAdES
signatures inside archived PDFs, and in a single PDF received back (`verify_pdf`), are checked
by pdf_validation.py.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ...core.errors import CartaError, Problem
from .consent import verify_record
from .manifest import (
    MANIFEST,
    MANIFEST_FORMAT,
    MAX_MANIFEST_BYTES,
    PDF_VARIANT,
    PO_TYPE,
    YAML_TYPE,
    Entry,
    parse_manifest,
    pdf_identity,
    sha256,
)
from .pdf_validation import check_signatures, is_signed
from .reading import MAX_PDF_BYTES, hash_stream, link_target, open_regular, read_bounded
from .signing import SIGNATURE, key_id, load_key, read_signature, signature_check

# An embedded source (a letter's YAML, a catalog) is kilobytes; past this it is not read, so
# that a small compressed stream cannot expand to gigabytes.
MAX_SOURCE_BYTES = 16 << 20
_TEMPORARY = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp")  # write.py's mkstemp names
_YAML_ID = re.compile(rb"^id:[ \t]*[\"']?([^\"'\s#]+)", re.MULTILINE)
_PO_LANGUAGE = re.compile(rb'^"Language: *([^\\"]+)\\n"', re.MULTILINE)


@dataclass
class Verification:
    """What `verify` found: entries checked, problems, notes, and the head it computed."""

    count: int
    problems: list[Problem]
    notes: list[str]
    head: str | None  # None when the manifest has no hash chain, or is unreadable
    signature: str | None = None  # a line saying whose valid signature covers the head
    pdf_signatures: list[str] = field(default_factory=list)  # one line per valid one


def verify(folder: Path, expect_head: str | None = None,
           public_key: Path | None = None, trust: tuple | None = None) -> Verification:
    """Check an archive folder: the manifest's form and hash chain, every recorded file
    (size first, then hash, then PDF/A identity, metadata and embedded sources), and that
    nothing else is there; with `expect_head` or `public_key`, that the history is the one
    recorded elsewhere or signed; the PDFs' own signatures against the roots `trust`."""
    import pikepdf  # only verification needs it

    folder = folder.resolve()  # the folder named is trusted; everything below it is checked
    key = load_key(public_key, private=False) if public_key is not None else None
    data = read_bounded(folder / MANIFEST, MAX_MANIFEST_BYTES, "the archive manifest")
    if data is None:
        raise CartaError(f"{folder}: no {MANIFEST} here; expected an archive folder made by "
                         "'carta archive'")
    manifest, problems = parse_manifest(data)
    if problems:  # the files cannot be judged against a manifest that is itself wrong
        return Verification(len(manifest.entries), problems, [], None)
    notes: list[str] = []
    head = manifest.head if manifest.format == MANIFEST_FORMAT else None
    if head is None:
        problems.append(Problem(
            MANIFEST, None, None, "format",
            "this manifest has no hash chain (made by an older carta), so entries removed "
            "from it cannot be detected; run 'carta archive' in the project to chain its "
            "entries as they stand (it changes nothing else)"))
    elif manifest.upgraded:
        notes.append(f"the first {manifest.upgraded['entries']} entries were chained on "
                     f"{manifest.upgraded['on']}, when an older manifest was upgraded; the "
                     "chain proves nothing about them before that day")
    if not manifest.entries:
        notes.append("the manifest records no files")
    pdf_signatures: list[str] = []
    for entry in manifest.entries:
        found = _verify_entry(folder, entry, pikepdf)
        problems += found
        if not found and entry.kind == "sent":  # intact: now what its signatures say
            problems += _pdf_signatures(folder, entry, trust, pdf_signatures, notes)
    scan_problems, scan_notes = _scan(folder, {entry.path for entry in manifest.entries})
    problems += scan_problems
    notes += scan_notes
    consent_problems, consent_notes = verify_record(folder, manifest)
    problems += consent_problems
    notes += consent_notes
    if expect_head is not None and head is not None and expect_head != head:
        heads = manifest.heads()
        where = (f"; that was the head after entry {heads.index(expect_head)} of "
                 f"{len(manifest.entries)}, so later entries were added since it was recorded"
                 if expect_head in heads else
                 "; it is not the head of any part of this manifest: entries were removed or "
                 "changed, or the archive was replaced")
        problems.append(Problem(MANIFEST, None, None, "head",
                                f"expected head {expect_head}, found {head}{where}"))
    elif expect_head is not None and head is None:
        problems.append(Problem(MANIFEST, None, None, "head",
                                f"expected head {expect_head}, found a manifest with no head"))
    signed = None
    if key is not None:
        signature, unusable = read_signature(folder)
        why = (unusable or ("no manifest.sig: the manifest is not signed" if signature is None
                            else signature_check(signature, key, manifest)))
        if why:
            problems.append(Problem(SIGNATURE, None, None, "", why))
        else:
            signed = f"signature: valid, by key {key_id(key)}, over the head"
    elif (folder / SIGNATURE).exists():
        notes.append(f"{SIGNATURE} was not checked: pass --public-key (or set [archive] "
                     "public_key in carta.toml)")
    return Verification(len(manifest.entries), problems, notes, head, signed,
                        pdf_signatures)


def _pdf_signatures(folder: Path, entry: Entry, trust, lines: list[str],
                    notes: list[str]) -> list[Problem]:
    """The PAdES signatures of an archived PDF whose bytes match the manifest."""
    data = read_bounded(folder / entry.path, MAX_PDF_BYTES, "an archived PDF")
    if data is None or not is_signed(data):
        return []
    report = check_signatures(data, trust)
    lines += [f"{entry.path}: {line}" for line in report.lines]
    for note in report.notes:
        if note not in notes:
            notes.append(note)
    return [Problem(entry.path, None, None, "", problem) for problem in report.problems]


def verify_pdf(path: Path, trust: tuple | None) -> tuple[list[Problem], list[str], list[str]]:
    """A single PDF (one received back, say): (problems, a line per valid signature, notes).
    A PDF without any signature is a problem: there is nothing to verify."""
    try:
        data = read_bounded(path, MAX_PDF_BYTES, "a PDF")
    except CartaError as error:
        return [Problem(str(path), None, None, "", error.message)], [], []
    if data is None:
        return [Problem(str(path), None, None, "", "no such file")], [], []
    if not data.startswith(b"%PDF-"):
        return [Problem(str(path), None, None, "", "not a PDF (it does not start with "
                        "%PDF-)")], [], []
    report = check_signatures(data, trust)
    problems = [Problem(str(path), None, None, "", problem) for problem in report.problems]
    if not report.signed and not problems:
        problems.append(Problem(str(path), None, None, "",
                                "carries no signature: nothing proves who made it or that it "
                                "is unchanged"))
    return problems, report.lines, report.notes


def _scan(folder: Path, recorded: set[str]) -> tuple[list[Problem], list[str]]:
    """Everything in the archive folder that the manifest does not account for."""
    problems: list[Problem] = []
    notes: list[str] = []

    def unreadable(error: OSError) -> None:
        problems.append(Problem(str(error.filename), None, None, "",
                                f"cannot read: {error.strerror}"))

    for current, folders, files in os.walk(folder, onerror=unreadable):
        for name in sorted(folders + files):
            path = Path(current) / name
            relative = path.relative_to(folder).as_posix()
            if relative in recorded:
                continue  # checked against its entry
            try:
                mode = os.lstat(path).st_mode
            except OSError as error:
                unreadable(error)
                continue
            if stat.S_ISLNK(mode):
                problems.append(Problem(relative, None, None, "",
                                        f"a symbolic link (to {link_target(path)}): an archive "
                                        "holds only real files and folders; remove it"))
                if name in folders:
                    folders.remove(name)
            elif stat.S_ISDIR(mode):
                if name.startswith("."):
                    problems.append(Problem(relative, None, None, "",
                                            "a hidden folder: carta never writes one; "
                                            "remove it"))
                    folders.remove(name)
            elif relative in (MANIFEST, SIGNATURE):
                continue
            elif not stat.S_ISREG(mode):
                problems.append(Problem(relative, None, None, "",
                                        "not a regular file (a device, pipe or socket)"))
            elif _TEMPORARY.fullmatch(name):
                notes.append(f"{relative}: a temporary file left by an interrupted run; "
                             "safe to delete")
            elif name.startswith("."):
                problems.append(Problem(relative, None, None, "",
                                        "a hidden file that the manifest does not record: "
                                        "carta never writes one; remove it"))
            else:
                problems.append(Problem(relative, None, None, "",
                                        "extra file: not recorded in the manifest (left by an "
                                        "interrupted 'carta archive'? run it again to "
                                        "record it)"))
    return problems, notes


def _verify_entry(folder: Path, entry: Entry, pikepdf) -> list[Problem]:
    path = folder / entry.path

    def problem(message: str) -> Problem:
        return Problem(entry.path, None, None, "", message)

    for parent in PurePosixPath(entry.path).parents:
        if str(parent) != "." and (folder / parent).is_symlink():
            return [problem(f"{parent}/ is a symbolic link (to {link_target(folder / parent)})"
                            "; an archive holds only real folders")]
    if entry.size > MAX_PDF_BYTES:
        return [problem(f"the manifest records {entry.size} bytes, more than the "
                        f"{MAX_PDF_BYTES} carta accepts for an archived letter; not read")]
    try:
        descriptor = open_regular(path, "an archived PDF")
    except CartaError as error:
        return [problem(error.message.removeprefix(f"{path}: "))]
    if descriptor is None:
        return [problem("missing: the manifest records it, but the file is not there")]
    with os.fdopen(descriptor, "rb") as stream:
        size = os.fstat(descriptor).st_size
        if size != entry.size:  # known from stat alone: nothing is read
            return [problem(f"altered: expected {entry.size} bytes (SHA-256 {entry.sha256}), "
                            f"found {size} bytes")]
        digest = hash_stream(stream)
        if digest != entry.sha256:
            return [problem(f"altered: expected SHA-256 {entry.sha256} ({entry.size} bytes), "
                            f"found {digest} ({size} bytes)")]
        stream.seek(0)
        if entry.kind != "sent":  # kept as it came: its bytes are what is proven
            return _check_document(stream, entry, pikepdf, problem)
        problems = _check_pdf(stream, entry, pikepdf, problem)
    if shutil.which("qpdf") and not problems:
        checked = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        if checked.returncode not in (0, 3):  # 3: warnings only
            problems.append(problem(f"qpdf --check failed: {checked.stdout.strip()[-300:]}"))
    return problems


def _check_pdf(stream, entry: Entry, pikepdf, problem) -> list[Problem]:
    """What the PDF says about itself, against what its manifest entry says."""
    problems = []
    try:
        with pikepdf.open(stream) as pdf:
            claim = _claim_problem(pdf, entry)
            if claim:
                problems.append(problem(claim))
            # The identifier is derived from letter, locale and copy when the PDF is made, so
            # a PDF moved under another entry (with its hashes) is caught here.
            identifiers = pdf.trailer.get("/ID")
            found = bytes(identifiers[0]) if isinstance(identifiers, pikepdf.Array) \
                and len(identifiers) else None
            copy = f", copy {entry.recipient}" if entry.recipient else ""
            if found != _as_read(pdf_identity(entry.letter, entry.locale, entry.recipient)):
                problems.append(problem(
                    f"the PDF's identifier is not that of letter {entry.letter}, locale "
                    f"{entry.locale}{copy}, as the manifest says: it is another document's PDF"))
            language = str(pdf.Root.get("/Lang", ""))
            if not _same_locale(language, entry.locale):
                problems.append(problem(f"the manifest says locale {entry.locale}, the PDF says "
                                        f"its language is {language!r}"))
            problems += _check_sources(pdf, entry, problem)
    except pikepdf.PdfError as error:
        return [problem(f"does not open as a PDF: {error}")]
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as error:
        return [problem(f"not a PDF that carta wrote: its structure is unexpected ({error})")]
    return problems


def _as_read(identifier: bytes) -> bytes:
    """The identifier as a PDF reader gives it back. The PDF writer puts it in a literal string,
    where a reader must turn a carriage return (alone or before a line feed) into a line feed
    (PDF 1.7, 7.3.4.2): an identifier with a 0x0D byte reads back changed, in about one letter in
    sixteen, and was reported as another document's PDF."""
    return identifier.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _same_locale(language: str, locale: str) -> bool:
    """Whether a PDF's /Lang is the entry's locale: that locale, or with its region when the
    locale names none ("es" is printed "es-MX" in a project whose carta.toml says
    regions = { es = "MX" }, "en" as CLDR's "en-US"; older archives say "es")."""
    language, locale = language.replace("_", "-").lower(), locale.replace("_", "-").lower()
    if language == locale:
        return True
    base, _, region = language.rpartition("-")
    return "-" not in locale and base == locale and (len(region) == 2 or region.isdigit())


def _check_sources(pdf, entry: Entry, problem) -> list[Problem]:
    """Each recorded source is embedded, unchanged, marked as Source, and belongs to this
    letter and locale; nothing unrecorded is embedded."""
    problems = []
    expected_types = {f"{entry.letter}.yaml": YAML_TYPE, f"{entry.letter}.{entry.locale}.po":
                      PO_TYPE}
    attached = dict(pdf.attachments.items())
    recorded = {source["name"] for source in entry.sources}
    if f"{entry.letter}.yaml" not in recorded:
        problems.append(problem(f"the manifest records no {entry.letter}.yaml among its "
                                "embedded sources"))
    for name in sorted(set(attached) - recorded):
        problems.append(problem(f"embedded file {name} is not recorded in the manifest"))
    for source in entry.sources:
        name = source["name"]
        if name not in expected_types:
            problems.append(problem(f"the manifest records source {name}, but a PDF of letter "
                                    f"{entry.letter} in {entry.locale} carries only "
                                    f"{', '.join(expected_types)}"))
            continue
        spec = attached.get(name)
        if spec is None:
            problems.append(problem(f"embedded source {name} is missing"))
            continue
        data = _embedded_bytes(spec.get_file().obj, source["size"])
        if data is None or sha256(data) != source["sha256"]:
            problems.append(problem(f"embedded source {name} does not match its recorded "
                                    "SHA-256"))
            continue
        if source["media_type"] != expected_types[name] or \
                spec.get_file().mime_type != expected_types[name]:
            problems.append(problem(f"embedded source {name} should be "
                                    f"{expected_types[name]}, found {source['media_type']} in "
                                    f"the manifest, {spec.get_file().mime_type} in the PDF"))
        if str(spec.obj.get("/AFRelationship")) != "/Source":
            problems.append(problem(f"embedded source {name} is not marked as the document's "
                                    "Source"))
        if name.endswith(".yaml"):
            found = _YAML_ID.search(data)
            said = found.group(1).decode("utf-8", "replace") if found else None
            if said != entry.letter:
                problems.append(problem(f"the manifest says letter {entry.letter}, the "
                                        f"embedded {name} says id {said!r}"))
        else:
            found = _PO_LANGUAGE.search(data)
            said = found.group(1).decode("utf-8", "replace").strip() if found else ""
            if said and not _same_locale(said, entry.locale):
                problems.append(problem(f"the manifest says locale {entry.locale}, the "
                                        f"embedded {name} is a catalog for {said!r}"))
    return problems


def _embedded_bytes(stream, size: int) -> bytes | None:
    """An embedded file's bytes, decompressed no further than the recorded size (a small
    compressed stream can otherwise expand to gigabytes); None when it is not that size."""
    if size > MAX_SOURCE_BYTES:
        return None
    raw = stream.read_raw_bytes()
    filters = stream.get("/Filter")
    if filters is None:
        data = raw
    elif str(filters) == "/FlateDecode" and "/DecodeParms" not in stream:
        decompressor = zlib.decompressobj()
        try:
            data = decompressor.decompress(raw, size + 1)
        except zlib.error:
            return None
    else:
        return None  # carta writes only Flate-compressed sources
    return data if len(data) == size else None


def _check_document(stream, entry: Entry, pikepdf, problem) -> list[Problem]:
    """A document kept as it came: its hash matched already; a PDF/A still claims to be
    what its entry says (a PDF that claims nothing is not judged further)."""
    if entry.pdf_variant == "none":
        return []
    try:
        with pikepdf.open(stream) as pdf:
            claim = _claim_problem(pdf, entry)
    except pikepdf.PdfError as error:
        return [problem(f"does not open as a PDF: {error}")]
    return [problem(claim)] if claim else []


def _claim_problem(pdf, entry: Entry) -> str | None:
    """How the PDF/A variant its XMP claims differs from its entry's, if it does."""
    with pdf.open_metadata() as xmp:
        part, conformance = xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")
    expected_part, expected_conformance = PDF_VARIANT.fullmatch(entry.pdf_variant).groups()
    if (part, (conformance or "").lower()) == (expected_part, expected_conformance):
        return None
    return (f"expected XMP to claim PDF/A-{expected_part}{expected_conformance.upper()}, found "
            f"part {part!r}, conformance {conformance!r}")
