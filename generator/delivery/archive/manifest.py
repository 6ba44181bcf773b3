"""The archive manifest's format: its entries, their paths, the hash chain; read, checked, written.

manifest.json records the SHA-256 of every archived PDF and of every source embedded in it,
and of every document kept as it came. History is checkable too. Each entry's `previous` is the
SHA-256 of the canonical JSON (keys sorted, no spaces, UTF-8) of the entry before it; the first
entry's is GENESIS; the manifest's head is the hash of its last entry (GENESIS when empty).
Removing, inserting, reordering or editing an entry breaks the chain, unless every later entry
is rewritten as well, which changes the head: only a head kept outside the archive
(`verify --expect-head`, a commit, an e-mail) or signed with an Ed25519 key (signing.py) can
catch that.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from ...campaign.documents import DOCUMENT_KINDS, DocumentKind
from ...core.errors import CartaError, Problem
from .reading import read_bounded

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 2  # 2: hash-chained. 1 (carta before the chain): no `previous`, no head
GENESIS = hashlib.sha256(b"carta archive manifest chain, format 2").hexdigest()
YAML_TYPE = "application/yaml"
PO_TYPE = "text/x-gettext-translation"
# The archive's folder for each kind of document kept as it came (campaign/documents.py).
DOCUMENT_FOLDERS: dict[DocumentKind, str] = {"received": "received", "scan": "scans"}
MAX_MANIFEST_BYTES = 64 << 20

PDF_VARIANT = re.compile(r"pdf/a-([1-4])([abue])")

_HEX = re.compile(r"[0-9a-f]{64}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")


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
    # (`letter` is then the response's or the imported letter's id, `pdf_variant` "none" unless
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

    def letter_history(self, letter: str, locale: str, recipient: str | None) -> list[Entry]:
        return sorted((e for e in self.entries if e.kind == "sent"
                       and (e.letter, e.locale, e.recipient) == (letter, locale, recipient)),
                      key=lambda e: e.revision)

    def document_history(self, kind: str, ident: str, name: str) -> list[Entry]:
        """The revisions of one document kept as it came: its kind, its response's or
        letter's id, and its own file name."""
        return sorted((e for e in self.entries
                       if (e.kind, e.letter, document_name(e.path)) == (kind, ident, name)),
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


# Where, and as what, each entry's file is ---------------------------------------------

def letter_path(letter_id: str, locale: str, recipient: str | None, revision: int) -> str:
    stem = f"{letter_id}.{recipient}.{locale}" if recipient else f"{letter_id}.{locale}"
    suffix = f"-r{revision}" if revision > 1 else ""
    return f"{letter_id}/{stem}{suffix}.pdf"


def document_path(kind: str, ident: str, name: str, revision: int) -> str:
    """received/<response-id>/<name>, scans/<letter-id>/<name>; a changed file is kept beside
    the first as <stem>-r2<suffix> ("x.ocr-r2.pdf")."""
    stem, dot, suffix = name.rpartition(".")
    numbered = f"{stem}-r{revision}.{suffix}" if revision > 1 and dot else name
    return f"{DOCUMENT_FOLDERS[kind]}/{ident}/{numbered}"


def document_name(path: str) -> str:
    """The document's own name in an archived path, without the revision."""
    return re.sub(r"-r[0-9]+(\.[a-z]+)$", r"\1", PurePosixPath(path).name)


def pdf_identity(letter_id: str, locale: str, recipient: str | None) -> bytes:
    """The PDF's permanent identifier (/ID): which letter, locale and copy it is."""
    return hashlib.sha256(f"carta:{letter_id}:{locale}:{recipient or ''}".encode()).digest()[:16]


# The manifest, checked field by field -------------------------------------------------

def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, bytes) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def is_hex(value) -> bool:
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


HEX_TEXT = "64 lowercase hexadecimal digits"
_ENTRY_FIELDS = {
    "path": ("a relative path such as \"<letter>/<letter>.es.pdf\"", _is_archive_path),
    "letter": ("a letter id (lowercase letters, digits, hyphens)", _matches(_SLUG)),
    "locale": ("a locale code such as \"es\" or \"pt_BR\"", _matches(_LOCALE)),
    "recipient": ("null or a recipient id", lambda v: v is None or _matches(_SLUG)(v)),
    "revision": ("a whole number from 1", lambda v: is_count(v) and v >= 1),
    "sha256": (HEX_TEXT, is_hex),
    "size": ("a size in bytes (a whole number)", is_count),
    "pdf_variant": ("a PDF/A variant such as \"pdf/a-3u\" (\"none\" for a document kept as "
                    "it came)", lambda v: v == "none" or _matches(PDF_VARIANT)(v)),
    "sources": ("a list of embedded sources", lambda v: isinstance(v, list)),
    "carta_version": ("a version such as \"0.1.0\"", lambda v: isinstance(v, str) and v),
    "archived_at": ("a time such as \"2024-03-01T10:00:00+00:00\"", _is_timestamp),
    "previous": (f"{HEX_TEXT} (the hash of the entry before)", is_hex),
}
_SOURCE_FIELDS = {
    "name": ("a file name", lambda v: isinstance(v, str) and v and "/" not in v),
    "media_type": ("a media type such as \"application/yaml\"",
                   lambda v: isinstance(v, str) and "/" in v),
    "sha256": (HEX_TEXT, is_hex),
    "size": ("a size in bytes (a whole number)", is_count),
}


def check_fields(raw, fields: dict, where: str, problem) -> bool:
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


def reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def parse_manifest(data: bytes, name: str = MANIFEST) -> tuple[Manifest, list[Problem]]:
    """The manifest in `data`, and every problem with its form and its hash chain. The
    manifest returned is only meaningful when there are no problems."""
    problems: list[Problem] = []

    def problem(where: str, message: str) -> None:
        problems.append(Problem(name, None, None, where, message))

    try:
        raw = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys,
                         parse_constant=reject_constant)
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
        if not check_fields(item, entry_fields, where, problem):
            continue
        if kind == "sent" and (item["pdf_variant"] == "none"
                               or not item["path"].endswith(".pdf")):
            problem(where, "expected a letter's PDF/A (a path ending in .pdf, a PDF/A "
                    f"variant), found {_shown(item['path'])}, {_shown(item['pdf_variant'])}")
            continue
        sources_good = [check_fields(source, _SOURCE_FIELDS, f"{where}.sources[{number}]",
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
                        lambda v: is_count(v) and v <= len(entries)),
            "on": ("a time such as \"2024-03-01T10:00:00+00:00\"", _is_timestamp)}
        if upgraded is not None and check_fields(upgraded, upgraded_fields, "upgraded",
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
        expected = letter_path(*key, entry.revision)
        if entry.kind != "sent":
            name = document_name(entry.path)
            key = (entry.kind, entry.letter, name)
            expected = document_path(entry.kind, entry.letter, name, entry.revision)
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
    data = read_bounded(folder / MANIFEST, MAX_MANIFEST_BYTES, "the archive manifest")
    if data is None:
        return Manifest()
    manifest, problems = parse_manifest(data, shown)
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise CartaError(f"{shown}: carta adds nothing to an archive manifest it cannot trust; "
                         f"'carta verify' checks the whole archive. Found:\n{listed}")
    return manifest
