"""The archive: PDF/A-3 copies with sources inside, a hash-chained manifest, never overwritten.

What was sent must be provable years later. Each archived PDF embeds the letter's YAML (and, for
a translation, its PO catalog) as associated files; manifest.json records the SHA-256 of every
PDF and of every embedded source. Files are only ever added: changed content becomes a new
revision (`…-r2.pdf`) beside the old one. `verify` re-checks all of it, on any machine.

History is checkable too. Each entry's `previous` is the SHA-256 of the canonical JSON (keys
sorted, no spaces, UTF-8) of the entry before it; the first entry's is GENESIS; the manifest's
head is the hash of its last entry (GENESIS when empty). Removing, inserting, reordering or
editing an entry breaks the chain, unless every later entry is rewritten as well, which changes
the head: only a head kept outside the archive (`verify --expect-head`, a commit, an e-mail) or
signed with an Ed25519 key (manifest.sig) can catch that. One archive run at a time holds the
project lock, so two runs never lose each other's entries.

Documents carta did not make are kept as they came, beside the letters (generator/intake.py):
replies received (kind "received", under received/<reply-id>/) and the scans of letters sent
before carta (kind "scan", under scans/<letter-id>/), each with the searchable PDF/A that OCR
made of it, if any. Their entries record hash and size, and the PDF/A variant only where the
file claims one; an imported letter is archived as its scan, not as carta's record of it.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from ..authoring import intake
from ..campaign import responses
from ..content.load import MAX_FILE_BYTES
from ..core.errors import BuildError, CartaError, Problem
from ..core.lock import project_lock
from ..core.project import Project, read_content_file
from ..core.version import __version__
from ..core.write import safe_folder, staged, write_new
from ..localization import catalogs
from ..pipeline.build import DocumentMaker, plan, scratch_folder

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MANIFEST_FORMAT = 2  # 2: hash-chained. 1 (carta before the chain): no `previous`, no head
SIGNATURE_FORMAT = 1
GENESIS = hashlib.sha256(b"carta archive manifest chain, format 2").hexdigest()
YAML_TYPE = "application/yaml"
# The documents kept as they came, and the folder of each kind in the archive.
DOCUMENT_KINDS = ("received", "scan")
DOCUMENT_FOLDERS = {"received": "received", "scan": "scans"}
PO_TYPE = "text/x-gettext-translation"
# Limits past which a file is refused unread: a letter's PDF is a few megabytes, and a hostile
# archive (a 6 GB sparse file, a compressed bomb inside a PDF) must not exhaust memory or time.
MAX_PDF_BYTES = 1 << 30
MAX_SOURCE_BYTES = 16 << 20
MAX_MANIFEST_BYTES = 64 << 20
MAX_SMALL_FILE_BYTES = 64 << 10  # keys, manifest.sig
CHUNK = 1 << 20
# A second `carta archive` waits this long for the lock, then stops and names the run that
# holds it. An archive run takes seconds to minutes and the second one would only find the
# first's work done: a clear message beats a terminal that hangs without a word. The short
# wait rides out a brief holder (a no-op `carta build` from `carta watch`, say).
LOCK_WAIT = 2.0

_HEX = re.compile(r"[0-9a-f]{64}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")
_VARIANT = re.compile(r"pdf/a-([1-4])([abue])")
_TEMPORARY = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp")  # write.py's mkstemp names
_YAML_ID = re.compile(rb"^id:[ \t]*[\"']?([^\"'\s#]+)", re.MULTILINE)
_PO_LANGUAGE = re.compile(rb'^"Language: *([^\\"]+)\\n"', re.MULTILINE)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(data) -> bytes:
    """The one serialisation that entry hashes are computed over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


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
    previous: str = ""  # hash of the entry before (GENESIS for the first); "" in format 1
    # "sent": a letter's PDF/A made by carta; "received", "scan": a document kept as it came
    # (`letter` is then the reply's or the imported letter's id, `pdf_variant` "none" unless
    # the file is a PDF/A, `sources` empty).
    kind: str = "sent"

    def record(self) -> dict:
        """The entry as the manifest holds it. A letter's entry has no `kind`, as before
        kinds existed: the hashes of older entries, and so the chain, stay the same."""
        data = asdict(self)
        if data["kind"] == "sent":
            del data["kind"]
        return data

    def chain_hash(self) -> str:
        return sha256(canonical(self.record()))


@dataclass
class Manifest:
    entries: list[Entry] = field(default_factory=list)
    format: int = MANIFEST_FORMAT
    # Set when carta chained a format 1 manifest: how many entries it had, and when. The
    # chain proves nothing about what happened to those entries before that day.
    upgraded: dict | None = None

    def history(self, letter: str, locale: str, recipient: str | None) -> list[Entry]:
        return sorted((e for e in self.entries if e.kind == "sent"
                       and (e.letter, e.locale, e.recipient) == (letter, locale, recipient)),
                      key=lambda e: e.revision)

    def heads(self) -> list[str]:
        """The head after 0, 1, ... n entries: heads()[k] is what a signature of k entries
        signs, and heads()[-1] the current head."""
        return [GENESIS] + [entry.chain_hash() for entry in self.entries]

    @property
    def head(self) -> str:
        return self.entries[-1].chain_hash() if self.entries else GENESIS

    def append(self, entry: Entry) -> None:
        entry.previous = self.head
        self.entries.append(entry)

    def chain(self) -> None:
        """Link every entry to the one before, in the present order (format 1 -> 2)."""
        entries, self.entries = self.entries, []
        for entry in entries:
            self.append(entry)
        self.format = MANIFEST_FORMAT

    def to_bytes(self) -> bytes:
        data: dict = {"format": MANIFEST_FORMAT, "head": self.head,
                      "files": [entry.record() for entry in self.entries]}
        if self.upgraded is not None:
            data["upgraded"] = self.upgraded
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# Reading files that may be hostile --------------------------------------------------------

def _open_regular(path: Path, what: str) -> int | None:
    """A descriptor on `path` if it is a regular file (never through a symbolic link, never
    blocking on a FIFO); None if there is nothing there. Raises CartaError otherwise."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise CartaError(f"{path}: refusing to read {what}: it is a symbolic link (to "
                             f"{_link_target(path)}); the archive holds only real files. "
                             "Replace it with the file itself") from None
        raise CartaError(f"{path}: cannot read {what}: {error.strerror}") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise CartaError(f"{path}: expected {what}, found a folder, device or pipe")
    return descriptor


def _read_bounded(path: Path, limit: int, what: str, follow: bool = False) -> bytes | None:
    """The bytes of a small file, or None if there is none; its size is checked first."""
    if follow and path.is_symlink():
        path = path.resolve()  # a key file may live behind a link (a secrets mount)
    descriptor = _open_regular(path, what)
    if descriptor is None:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        size = os.fstat(descriptor).st_size
        if size > limit:
            raise CartaError(f"{path}: expected {what} of at most {limit} bytes, found "
                             f"{size} bytes; not read")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise CartaError(f"{path}: expected {what} of at most {limit} bytes, found more")
    return data


def _hash_stream(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


# The manifest, checked field by field -----------------------------------------------------

def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, bytes) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_hex(value) -> bool:
    return isinstance(value, str) and _HEX.fullmatch(value) is not None


def _is_timestamp(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_archive_path(value) -> bool:
    """A relative path inside the archive folder: no "..", no hidden part, no backslash."""
    if not isinstance(value, str) or not value.endswith((".pdf", ".eml")) or "\\" in value:
        return False
    parts = value.split("/")
    return all(part and not part.startswith(".") and part.isprintable() for part in parts)


def _matches(pattern: re.Pattern):
    return lambda value: isinstance(value, str) and pattern.fullmatch(value) is not None


_HEX_TEXT = "64 lowercase hexadecimal digits"
_ENTRY_FIELDS = {
    "path": ("a relative path such as \"<letter>/<letter>.es.pdf\"", _is_archive_path),
    "letter": ("a letter id (lowercase letters, digits, hyphens)", _matches(_SLUG)),
    "locale": ("a locale code such as \"es\" or \"pt_BR\"", _matches(_LOCALE)),
    "recipient": ("null or a recipient id", lambda v: v is None or _matches(_SLUG)(v)),
    "revision": ("a whole number from 1", lambda v: _is_count(v) and v >= 1),
    "sha256": (_HEX_TEXT, _is_hex),
    "size": ("a size in bytes (a whole number)", _is_count),
    "pdf_variant": ("a PDF/A variant such as \"pdf/a-3u\" (\"none\" for a document kept as "
                    "it came)", lambda v: v == "none" or _matches(_VARIANT)(v)),
    "sources": ("a list of embedded sources", lambda v: isinstance(v, list)),
    "carta_version": ("a version such as \"0.1.0\"", lambda v: isinstance(v, str) and v),
    "archived_at": ("a time such as \"2024-03-01T10:00:00+00:00\"", _is_timestamp),
    "previous": (f"{_HEX_TEXT} (the hash of the entry before)", _is_hex),
}
_SOURCE_FIELDS = {
    "name": ("a file name", lambda v: isinstance(v, str) and v and "/" not in v),
    "media_type": ("a media type such as \"application/yaml\"",
                   lambda v: isinstance(v, str) and "/" in v),
    "sha256": (_HEX_TEXT, _is_hex),
    "size": ("a size in bytes (a whole number)", _is_count),
}


def _check_fields(raw, fields: dict, where: str, problem) -> bool:
    """Whether `raw` is a JSON object with exactly `fields`, each of the expected kind."""
    if not isinstance(raw, dict):
        problem(where, f"expected a JSON object, found {_shown(raw)}")
        return False
    good = True
    for key in raw:
        if key not in fields:
            problem(f"{where}.{key}", f"unknown field; expected only {', '.join(fields)}")
            good = False
    for key, (expected, test) in fields.items():
        if key not in raw:
            problem(f"{where}.{key}", f"missing; expected {expected}")
            good = False
        elif not test(raw[key]):
            problem(f"{where}.{key}", f"expected {expected}, found {_shown(raw[key])}")
            good = False
    return good


def _no_duplicate_keys(pairs):
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"key {duplicates[0]!r} appears twice in one object")
    return dict(pairs)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def parse_manifest(data: bytes, name: str = MANIFEST) -> tuple[Manifest, list[Problem]]:
    """The manifest in `data`, and every problem with its form and its hash chain. The
    manifest returned is only meaningful when there are no problems."""
    problems: list[Problem] = []

    def problem(where: str, message: str) -> None:
        problems.append(Problem(name, None, None, where, message))

    try:
        raw = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys,
                         parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        problem("", f"not valid JSON ({error}); expected the manifest that carta wrote")
        return Manifest(), problems
    if not isinstance(raw, dict):
        problem("", f"expected a JSON object with format and files, found {_shown(raw)}")
        return Manifest(), problems
    version = raw.get("format")
    if version not in (1, MANIFEST_FORMAT) or isinstance(version, bool):
        problem("format", f"expected 1 or {MANIFEST_FORMAT}, found {_shown(version)}; a newer "
                "carta may have written this manifest")
        return Manifest(), problems
    known = ("format", "files") if version == 1 else ("format", "head", "files", "upgraded")
    for key in raw:
        if key not in known:
            problem(key, f"unknown field; expected only {', '.join(known)}")
    files = raw.get("files")
    if not isinstance(files, list):
        problem("files", f"expected a list of entries, found {_shown(files)}")
        return Manifest(), problems
    entry_fields = dict(_ENTRY_FIELDS)
    if version == 1:
        del entry_fields["previous"]
    entries = []
    for index, item in enumerate(files):
        where = f"files[{index}]"
        kind = "sent"
        if isinstance(item, dict) and "kind" in item:
            item = dict(item)
            kind = item.pop("kind")
            if kind not in DOCUMENT_KINDS:
                problem(f"{where}.kind", f"expected {' or '.join(DOCUMENT_KINDS)} (a letter's "
                        f"entry has no kind), found {_shown(kind)}")
                continue
        if not _check_fields(item, entry_fields, where, problem):
            continue
        if kind == "sent" and (item["pdf_variant"] == "none"
                               or not item["path"].endswith(".pdf")):
            problem(where, "expected a letter's PDF/A (a path ending in .pdf, a PDF/A "
                    f"variant), found {_shown(item['path'])}, {_shown(item['pdf_variant'])}")
            continue
        sources_good = [_check_fields(source, _SOURCE_FIELDS, f"{where}.sources[{number}]",
                                      problem)
                        for number, source in enumerate(item["sources"])]
        if all(sources_good):
            entries.append(Entry(**item, kind=kind))
    manifest = Manifest(entries, version)
    if problems:
        return manifest, problems
    if version == MANIFEST_FORMAT:
        upgraded = raw.get("upgraded")
        upgraded_fields = {
            "from_format": ("1", lambda v: v == 1 and not isinstance(v, bool)),
            "entries": (f"a count of at most {len(entries)}",
                        lambda v: _is_count(v) and v <= len(entries)),
            "on": ("a time such as \"2024-03-01T10:00:00+00:00\"", _is_timestamp)}
        if upgraded is not None and _check_fields(upgraded, upgraded_fields, "upgraded",
                                                  problem):
            manifest.upgraded = upgraded
        problems += _chain_problems(manifest, raw.get("head"), name)
    problems += _history_problems(manifest, name)
    return manifest, problems


def _chain_problems(manifest: Manifest, recorded_head, name: str) -> list[Problem]:
    problems = []
    expected = GENESIS
    for index, entry in enumerate(manifest.entries):
        if entry.previous != expected:
            problems.append(Problem(
                name, None, None, f"files[{index}].previous",
                f"the hash chain is broken here: expected {expected}, found {entry.previous}; "
                "an entry before this one was removed, inserted, moved or changed"))
        expected = entry.chain_hash()
    if recorded_head != expected:
        problems.append(Problem(
            name, None, None, "head",
            f"the entries chain to {expected}, but the manifest records head "
            f"{_shown(recorded_head)}; the last entry was removed or changed"))
    return problems


def _history_problems(manifest: Manifest, name: str) -> list[Problem]:
    """Each path is the one carta gives that letter, locale, copy and revision, used once, and
    revisions of one document only grow, in manifest order."""
    problems = []
    seen: set[str] = set()
    latest: dict[tuple, int] = {}
    for index, entry in enumerate(manifest.entries):
        where = f"files[{index}]"
        key = (entry.letter, entry.locale, entry.recipient)
        expected = _relative_path(*key, entry.revision)
        if entry.kind != "sent":
            name = _document_name(entry.path)
            key = (entry.kind, entry.letter, name)
            expected = _document_path(entry.kind, entry.letter, name, entry.revision)
        if entry.path != expected:
            problems.append(Problem(name, None, None, f"{where}.path",
                                    f"expected {expected} for letter {entry.letter}, locale "
                                    f"{entry.locale}, revision {entry.revision}, found "
                                    f"{entry.path}"))
        if entry.path in seen:
            problems.append(Problem(name, None, None, f"{where}.path",
                                    f"{entry.path} is recorded twice"))
        seen.add(entry.path)
        if key in latest and entry.revision <= latest[key]:
            problems.append(Problem(name, None, None, f"{where}.revision",
                                    f"revision {entry.revision} is recorded after revision "
                                    f"{latest[key]} of the same document; revisions only grow"))
        latest[key] = max(entry.revision, latest.get(key, 0))
    return problems


def read_manifest(folder: Path, shown: str = MANIFEST) -> Manifest:
    """The manifest in `folder` (empty when there is none); CartaError if it cannot be
    trusted, since carta adds nothing to a manifest whose history is broken."""
    data = _read_bounded(folder / MANIFEST, MAX_MANIFEST_BYTES, "the archive manifest")
    if data is None:
        return Manifest()
    manifest, problems = parse_manifest(data, shown)
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise CartaError(f"{shown}: carta adds nothing to an archive manifest it cannot trust; "
                         f"'carta verify' checks the whole archive. Found:\n{listed}")
    return manifest


# Archiving --------------------------------------------------------------------------------

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
            accept_layout_warnings: bool = False) -> ArchiveRun:
    """Archive every chosen letter and locale; with `dry_run`, only say what would happen.

    A PDF with a footnote printed on another page than its call is refused, unless
    `accept_layout_warnings`: an archived PDF is never rewritten, so it has to be right.

    A real run holds the project lock from reading the manifest to writing its last entry:
    two runs that each read the manifest, then wrote their own version, lost entries."""
    if dry_run:  # reads one consistent manifest (it is replaced atomically), writes nothing
        with scratch_folder():
            return _archive(project, letters, locales, True, report, accept_layout_warnings)
    with project_lock(project.output, "archive", wait=LOCK_WAIT), scratch_folder():
        return _archive(project, letters, locales, False, report, accept_layout_warnings)


def _archive(project: Project, letters, locales, dry_run: bool, report,
             accept_layout_warnings: bool = False) -> ArchiveRun:
    """Archive each job (archives are never made from untranslated fallbacks)."""
    from ..outputs.pdf import ARCHIVE_VARIANT, Archival, EmbeddedSource, MisplacedNote

    folder = _real_folder(project, archive_folder(project), create=not dry_run)
    shown_manifest = project.shown(folder / MANIFEST)
    manifest = read_manifest(folder, shown_manifest)
    notices = []
    if manifest.format == 1:
        notices.append(_upgrade(project, folder, manifest, dry_run))
    signer = _Signer(project, folder) if project.settings.signing_key else None
    if signer is not None:
        signer.check_existing(manifest)  # before any work: never sign over a tampered head
    # Each version is archived on its own, with its own catalog; a combined document is a
    # publishing form of those versions, not archived separately.
    jobs = [job for job in plan(project, letters, locales).jobs if not job.versions
            and not intake.scan_files(project, job.letter.id)]  # archived as their scans
    maker = DocumentMaker(project, strict=True)  # the build's render path, always strict
    actions = []
    for job in jobs:
        letter, locale = job.letter, job.locale
        recipient = job.recipient.id if job.recipient else None
        sources = tuple(
            EmbeddedSource(name, data, media_type, description)
            for name, data, media_type, description in _sources(project, letter.id, locale,
                                                                 letter.source))
        archival = Archival(sources, letter.date, _identity(letter.id, locale, recipient))
        pdf, warnings = maker.pdf(job, maker.html(job), archival)
        misplaced = [warning for warning in warnings if isinstance(warning, MisplacedNote)]
        if misplaced and not accept_layout_warnings:
            # Refused before it is written: the documents archived before it stay archived.
            raise BuildError("; ".join(misplaced) + f"; {job.name} is not archived (an archived "
                             "PDF is never rewritten): change the text, or archive it as it "
                             "is with --accept-layout-warnings")
        notices += warnings  # accepted: a footnote printed a page late is archived so, said
        digest = sha256(pdf)
        history = manifest.history(letter.id, locale, recipient)
        if history and history[-1].sha256 == digest:
            action = Action("unchanged", folder / history[-1].path, history[-1])
            actions.append(action)
            report(action)
            continue
        revision = history[-1].revision + 1 if history else 1
        path = folder / _relative_path(letter.id, locale, recipient, revision)
        _real_folder(project, path.parent, create=not dry_run)
        kind = "revision" if history else "new"
        # A file under this name that the manifest lacks was left by an interrupted run
        # (recorded if it is exactly this PDF); anything else there, links included, is
        # left alone and the next revision number taken.
        while os.path.lexists(path):
            if _regular_file_hash(path) == digest:
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
            manifest.append(entry)
            # The new manifest is written and synced first and renamed into place right after
            # the PDF gets its name: an interruption between the two (microseconds) leaves an
            # unrecorded file, which the next run finds and records. staged() renames over
            # the name, so a link planted at manifest.json is replaced, never followed.
            with staged(folder / MANIFEST, manifest.to_bytes()):
                if kind != "recorded":
                    write_new(path, pdf)
        action = Action(kind, path, entry)
        actions.append(action)
        report(action)
    for action in _archive_documents(project, folder, manifest, letters, dry_run):
        actions.append(action)
        report(action)
    if signer is not None and not dry_run:
        notices += signer.sign(manifest)
    elif not dry_run:
        notices += _stale_signature_notice(folder, manifest)
    return ArchiveRun(actions, manifest.head, len(manifest.entries), notices)


def _as_read(identifier: bytes) -> bytes:
    """The identifier as a PDF reader gives it back. The PDF writer puts it in a literal string,
    where a reader must turn a carriage return (alone or before a line feed) into a line feed
    (PDF 1.7, 7.3.4.2): an identifier with a 0x0D byte reads back changed, in about one letter in
    sixteen, and was reported as another document's PDF."""
    return identifier.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _identity(letter_id: str, locale: str, recipient: str | None) -> bytes:
    """The PDF's permanent identifier (/ID): which letter, locale and copy it is."""
    return hashlib.sha256(f"carta:{letter_id}:{locale}:{recipient or ''}".encode()).digest()[:16]


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
                             f"(to {_link_target(current)}); carta writes only into real "
                             "folders. Remove the link and run again")
    return folder


def _regular_file_hash(path: Path) -> str | None:
    """SHA-256 of a regular file read in chunks; None for a link, folder or oversized file."""
    try:
        descriptor = _open_regular(path, "a file")
    except CartaError:
        return None
    if descriptor is None:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        if os.fstat(descriptor).st_size > MAX_PDF_BYTES:
            return None
        return _hash_stream(stream)


def _upgrade(project: Project, folder: Path, manifest: Manifest, dry_run: bool) -> str:
    """Chain a format 1 manifest, in its present order, once its files are checked.

    This rewrites no history: every entry stays as it was and gains only `previous`, and the
    manifest says when it was chained and how many entries it had, since the chain can prove
    nothing about them before that day."""
    count = len(manifest.entries)
    wrong = [entry.path for entry in manifest.entries
             if _regular_file_hash(folder / entry.path) != entry.sha256]
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


def _document_path(kind: str, ident: str, name: str, revision: int) -> str:
    """received/<reply-id>/<name>, scans/<letter-id>/<name>; a changed file is kept beside
    the first as <stem>-r2<suffix> ("x.ocr-r2.pdf")."""
    stem, dot, suffix = name.rpartition(".")
    numbered = f"{stem}-r{revision}.{suffix}" if revision > 1 and dot else name
    return f"{DOCUMENT_FOLDERS[kind]}/{ident}/{numbered}"


def _document_name(path: str) -> str:
    """The document's own name in an archived path, without the revision."""
    return re.sub(r"-r[0-9]+(\.[a-z]+)$", r"\1", PurePosixPath(path).name)


def _archive_documents(project: Project, folder: Path, manifest: Manifest, letters,
                       dry_run: bool) -> list[Action]:
    """Keep each reply's document and each imported letter's scan as it came (with the
    PDF/A OCR made of it): a new file, or a new revision if its bytes changed."""
    from ..campaign.assemble import validate

    content = validate(project, tuple(letters), partial=True)
    actions = []
    chosen = {letter.id for letter in content.letters}
    chosen_replies = [reply for reply in content.responses if reply.replies_to in chosen]
    for document in intake.archived_documents(project, content.letters, chosen_replies):
        data = read_content_file(document.path, (project.content,),
                                 responses.MAX_DOCUMENT_BYTES, "a document to archive")
        digest, name = sha256(data), document.path.name
        history = sorted((entry for entry in manifest.entries
                          if (entry.kind, entry.letter, _document_name(entry.path))
                          == (document.kind, document.ident, name)),
                         key=lambda entry: entry.revision)
        if history and history[-1].sha256 == digest:
            actions.append(Action("unchanged", folder / history[-1].path, history[-1]))
            continue
        revision = history[-1].revision + 1 if history else 1
        path = folder / _document_path(document.kind, document.ident, name, revision)
        _real_folder(project, path.parent, create=not dry_run)
        kind = "revision" if history else "new"
        while os.path.lexists(path):  # left by an interrupted run, as for letters
            if _regular_file_hash(path) == digest:
                kind = "recorded"
                break
            revision += 1
            path = folder / _document_path(document.kind, document.ident, name, revision)
        entry = Entry(
            path=path.relative_to(folder).as_posix(), letter=document.ident,
            locale=document.locale, recipient=None, revision=revision, sha256=digest,
            size=len(data), pdf_variant=_claimed_variant(data), sources=[],
            carta_version=__version__,
            archived_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            kind=document.kind)
        if not dry_run:
            manifest.append(entry)
            with staged(folder / MANIFEST, manifest.to_bytes()):
                if kind != "recorded":
                    write_new(path, data)
        actions.append(Action(kind, path, entry))
    return actions


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
    return variant if _VARIANT.fullmatch(variant) else "none"


def _check_document(stream, entry: Entry, pikepdf, problem) -> list[Problem]:
    """A document kept as it came: its hash matched already; a PDF/A still claims to be
    what its entry says (a PDF that claims nothing is not judged further)."""
    if entry.pdf_variant == "none":
        return []
    try:
        with pikepdf.open(stream) as pdf, pdf.open_metadata() as xmp:
            part, conformance = xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")
    except pikepdf.PdfError as error:
        return [problem(f"does not open as a PDF: {error}")]
    expected_part, expected_conformance = _VARIANT.fullmatch(entry.pdf_variant).groups()
    if (part, (conformance or "").lower()) != (expected_part, expected_conformance):
        return [problem(f"expected XMP to claim PDF/A-{expected_part}"
                        f"{expected_conformance.upper()}, found part {part!r}, conformance "
                        f"{conformance!r}")]
    return []


def _relative_path(letter_id: str, locale: str, recipient: str | None, revision: int) -> str:
    stem = f"{letter_id}.{recipient}.{locale}" if recipient else f"{letter_id}.{locale}"
    suffix = f"-r{revision}" if revision > 1 else ""
    return f"{letter_id}/{stem}{suffix}.pdf"


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


# Signing ----------------------------------------------------------------------------------

def _signed_message(entries: int, head: str) -> bytes:
    return f"carta archive manifest\nentries {entries}\nhead {head}\n".encode()


def fingerprint(public_key) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + sha256(raw)[:16]


def load_key(path: Path, private: bool):
    """An Ed25519 key from a PEM file, or CartaError saying what the file is instead."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    kind = "private" if private else "public"
    data = _read_bounded(path, MAX_SMALL_FILE_BYTES, f"an Ed25519 {kind} key", follow=True)
    if data is None:
        raise CartaError(f"{path}: no such file; expected an Ed25519 {kind} key (PEM)")
    try:
        key = (serialization.load_pem_private_key(data, password=None) if private
               else serialization.load_pem_public_key(data))
    except TypeError:
        raise CartaError(f"{path}: the key is protected by a password; carta reads "
                         "unencrypted PEM keys (protect the file itself instead)") from None
    except (ValueError, UnsupportedAlgorithm):
        raise CartaError(f"{path}: expected an Ed25519 {kind} key in PEM form (-----BEGIN "
                         f"{'PRIVATE' if private else 'PUBLIC'} KEY-----), found something "
                         "else") from None
    expected = ed25519.Ed25519PrivateKey if private else ed25519.Ed25519PublicKey
    if not isinstance(key, expected):
        raise CartaError(f"{path}: expected an Ed25519 key, found a {type(key).__name__}")
    return key


def _read_signature(folder: Path) -> tuple[dict | None, str | None]:
    """manifest.sig as a dict, or (None, why it cannot be used); (None, None) if absent."""
    data = _read_bounded(folder / SIGNATURE, MAX_SMALL_FILE_BYTES, "the manifest signature")
    if data is None:
        return None, None
    try:
        raw = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        return None, f"not valid JSON ({error})"
    fields = {
        "format": (str(SIGNATURE_FORMAT), lambda v: v == SIGNATURE_FORMAT),
        "algorithm": ("\"ed25519\"", lambda v: v == "ed25519"),
        "entries": ("a count of entries", _is_count),
        "head": (_HEX_TEXT, _is_hex),
        "public_key": ("a base64 Ed25519 public key", lambda v: _base64(v, 32) is not None),
        "signature": ("a base64 Ed25519 signature", lambda v: _base64(v, 64) is not None),
    }
    found: list[str] = []
    if not _check_fields(raw, fields, "", lambda where, message:
                         found.append(f"{where.lstrip('.')}: {message}" if where else message)):
        return None, "; ".join(found)
    return raw, None


def _base64(value, length: int) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if len(data) == length else None


def _signature_check(signature: dict, public_key, manifest: Manifest) -> str | None:
    """Why `signature` does not vouch for the whole of `manifest`, or None if it does."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ed25519

    signer = ed25519.Ed25519PublicKey.from_public_bytes(_base64(signature["public_key"], 32))
    if fingerprint(signer) != fingerprint(public_key):
        return (f"signed with key {fingerprint(signer)}, not with the expected key "
                f"{fingerprint(public_key)}")
    try:
        public_key.verify(_base64(signature["signature"], 64),
                          _signed_message(signature["entries"], signature["head"]))
    except InvalidSignature:
        return "the signature does not match what manifest.sig says it signs (edited)"
    signed, heads = signature["entries"], manifest.heads()
    count = len(manifest.entries)
    if signed > count:
        return (f"it signs {signed} entries, but the manifest has only {count}: entries "
                "were removed after signing")
    if heads[signed] != signature["head"]:
        return (f"it signs head {signature['head']} after entry {signed}, but the manifest's "
                f"chain has {heads[signed]} there: the manifest was changed after signing")
    if signed < count:
        return (f"it covers only the first {signed} of {count} entries: the later ones were "
                "archived without the signing key")
    return None


class _Signer:
    """The project's signing key, and what it signs: the manifest's head after a run."""

    def __init__(self, project: Project, folder: Path):
        path = Path(os.path.abspath(project.root / project.settings.signing_key))
        for place, why in ((folder, "the archive folder, which is shared as evidence"),
                           (project.content, "content/, which the coalition shares")):
            if path.is_relative_to(place) or path.resolve().is_relative_to(place.resolve()):
                raise CartaError(f"carta.toml: archive.signing_key: {path} is inside {why}; "
                                 "keep the private key outside it (and out of version "
                                 "control)")
        self.folder = folder
        self.key = load_key(path, private=True)
        self.public = self.key.public_key()

    def check_existing(self, manifest: Manifest) -> None:
        signature, unusable = _read_signature(self.folder)
        if unusable:
            raise CartaError(f"{self.folder / SIGNATURE}: {unusable}; carta signs nothing "
                             "over a signature it cannot read. Run 'carta verify'")
        if signature is None:
            return
        why = _signature_check(signature, self.public, manifest)
        if why and "covers only the first" not in why:  # a tail archived unsigned is fine
            raise CartaError(f"{self.folder / SIGNATURE}: {why}. carta will not sign a "
                             "manifest that does not extend what was signed before; run "
                             "'carta verify --public-key ...' and restore the archive, or, "
                             "if the key changed on purpose, move manifest.sig aside")

    def sign(self, manifest: Manifest) -> list[str]:
        signature, _ = _read_signature(self.folder)
        count, head = len(manifest.entries), manifest.head
        if signature is not None and (signature["entries"], signature["head"]) == (count, head):
            return []
        raw = self.public.public_bytes(*_raw_encoding())
        data = {"format": SIGNATURE_FORMAT, "algorithm": "ed25519", "entries": count,
                "head": head, "public_key": base64.b64encode(raw).decode("ascii"),
                "signature": base64.b64encode(
                    self.key.sign(_signed_message(count, head))).decode("ascii")}
        with staged(self.folder / SIGNATURE, (json.dumps(data, indent=2) + "\n").encode()):
            pass
        return [f"signed the manifest head ({count} entries) with key "
                f"{fingerprint(self.public)} in {SIGNATURE}"]


def _raw_encoding():
    from cryptography.hazmat.primitives import serialization

    return serialization.Encoding.Raw, serialization.PublicFormat.Raw


def _stale_signature_notice(folder: Path, manifest: Manifest) -> list[str]:
    try:
        signature, _ = _read_signature(folder)
    except CartaError:
        return []
    if signature is None or signature["entries"] >= len(manifest.entries):
        return []
    return [f"{SIGNATURE} covers only the first {signature['entries']} entries: set "
            "[archive] signing_key in carta.toml and run 'carta archive' to sign the rest"]


# Verification -----------------------------------------------------------------------------

@dataclass
class Verification:
    """What `verify` found: entries checked, problems, notes, and the head it computed."""

    count: int
    problems: list[Problem]
    notes: list[str]
    head: str | None  # None when the manifest has no hash chain, or is unreadable
    signature: str | None = None  # a line saying whose valid signature covers the head


def verify(folder: Path, expect_head: str | None = None,
           public_key: Path | None = None) -> Verification:
    """Check an archive folder: the manifest's form and hash chain, every recorded file
    (size first, then hash, then PDF/A identity, metadata and embedded sources), and that
    nothing else is there; with `expect_head` or `public_key`, that the history is the one
    recorded elsewhere or signed."""
    import pikepdf  # only verification needs it

    folder = folder.resolve()  # the folder named is trusted; everything below it is checked
    key = load_key(public_key, private=False) if public_key is not None else None
    data = _read_bounded(folder / MANIFEST, MAX_MANIFEST_BYTES, "the archive manifest")
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
    for entry in manifest.entries:
        problems += _verify_entry(folder, entry, pikepdf)
    scan_problems, scan_notes = _scan(folder, {entry.path for entry in manifest.entries})
    problems += scan_problems
    notes += scan_notes
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
        signature, unusable = _read_signature(folder)
        why = (unusable or ("no manifest.sig: the manifest is not signed" if signature is None
                            else _signature_check(signature, key, manifest)))
        if why:
            problems.append(Problem(SIGNATURE, None, None, "", why))
        else:
            signed = f"signature: valid, by key {fingerprint(key)}, over the head"
    elif (folder / SIGNATURE).exists():
        notes.append(f"{SIGNATURE} was not checked: pass --public-key (or set [archive] "
                     "public_key in carta.toml)")
    return Verification(len(manifest.entries), problems, notes, head, signed)


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
                                        f"a symbolic link (to {_link_target(path)}): an archive "
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
            return [problem(f"{parent}/ is a symbolic link (to {_link_target(folder / parent)})"
                            "; an archive holds only real folders")]
    if entry.size > MAX_PDF_BYTES:
        return [problem(f"the manifest records {entry.size} bytes, more than the "
                        f"{MAX_PDF_BYTES} carta accepts for an archived letter; not read")]
    try:
        descriptor = _open_regular(path, "an archived PDF")
    except CartaError as error:
        return [problem(error.message.removeprefix(f"{path}: "))]
    if descriptor is None:
        return [problem("missing: the manifest records it, but the file is not there")]
    with os.fdopen(descriptor, "rb") as stream:
        size = os.fstat(descriptor).st_size
        if size != entry.size:  # known from stat alone: nothing is read
            return [problem(f"altered: expected {entry.size} bytes (SHA-256 {entry.sha256}), "
                            f"found {size} bytes")]
        digest = _hash_stream(stream)
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
            with pdf.open_metadata() as xmp:
                part = xmp.get("pdfaid:part")
                conformance = xmp.get("pdfaid:conformance")
            expected_part, expected_conformance = _VARIANT.fullmatch(entry.pdf_variant).groups()
            if (part, (conformance or "").lower()) != (expected_part, expected_conformance):
                problems.append(problem(
                    f"expected XMP to claim PDF/A-{expected_part}{expected_conformance.upper()},"
                    f" found part {part!r}, conformance {conformance!r}"))
            # The identifier is derived from letter, locale and copy when the PDF is made, so
            # a PDF moved under another entry (with its hashes) is caught here.
            identifiers = pdf.trailer.get("/ID")
            found = bytes(identifiers[0]) if isinstance(identifiers, pikepdf.Array) \
                and len(identifiers) else None
            copy = f", copy {entry.recipient}" if entry.recipient else ""
            if found != _as_read(_identity(entry.letter, entry.locale, entry.recipient)):
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


def _same_locale(language: str, locale: str) -> bool:
    return language.replace("_", "-").lower() == locale.replace("_", "-").lower()


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
