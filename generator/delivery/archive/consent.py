"""The archive's private consent record: for each letter PDF archived, which signatories it
carried and who authorised each signature, when and how, with a copy of the evidence.

Kept beside the archive, never in it (`<archive>-private/`, e.g. output/archive-private/),
so that the archive can be published or handed over without it. Hash-chained like the
manifest: each record's `previous` is the SHA-256 of the canonical JSON of the record before
(the first one's is GENESIS), the file's `head` the hash of the last; each record names the
archived PDF by its path and SHA-256, so a record and the public manifest vouch for each
other. Evidence files are kept by their SHA-256 (evidence/<sha256><suffix>) and never
overwritten. `carta verify` checks it all when the folder is there."""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path

from ...core.errors import CartaError, Problem
from ...core.model import Consent, Letter
from ...core.write import staged, write_new
from .manifest import Entry, Manifest, canonical, sha256
from .reading import read_bounded, regular_file_hash

CONSENT_FILE = "consent.json"
EVIDENCE_FOLDER = "evidence"
GENESIS = hashlib.sha256(b"carta private consent record chain, format 1").hexdigest()
MAX_CONSENT_BYTES = 64 << 20
MAX_EVIDENCE_BYTES = 20 << 20
_FIELDS = ("email", "authorised_by", "authorised_role", "authorised_email", "authorised_how")


def private_folder(archive: Path) -> Path:
    """Beside the archive folder, never inside it."""
    return archive.parent / f"{archive.name}-private"


def read_records(folder: Path) -> tuple[list[dict], list[Problem]]:
    """The records of `folder`'s consent file ([] when there is none yet)."""
    path = folder / CONSENT_FILE
    if not path.exists():
        return [], []
    data = read_bounded(path, MAX_CONSENT_BYTES, "the consent record")
    shown = f"{folder.name}/{CONSENT_FILE}"
    try:
        parsed = json.loads(data or b"")
        records = parsed["records"]
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise TypeError
        return records, []
    except (ValueError, KeyError, TypeError):
        return [], [Problem(shown, None, None, "", "expected the consent record carta wrote "
                                                   "(JSON with records), found something else")]


def chain_head(records: list[dict]) -> str:
    return sha256(canonical(records[-1])) if records else GENESIS


def record(archive: Path, letter: Letter, entry: Entry, consents: dict[str, Consent]) -> bool:
    """Append the record of one archived PDF (its letter's signatories and their consent);
    False when that PDF is recorded already or the letter has no signatories."""
    if letter.signatures is None:
        return False
    folder = private_folder(archive)
    records, problems = read_records(folder)
    if problems:
        raise CartaError(f"{problems[0]}; nothing more is recorded until it is restored from "
                         "a copy")
    if any(r.get("pdf_sha256") == entry.sha256 and r.get("path") == entry.path
           for r in records):
        return False
    signatories = []
    for tier in letter.signatures.tiers:
        for member in tier.members:
            consent = consents.get(member.id)
            item: dict = {"id": member.id, "kind": member.kind}
            if consent is not None:
                item.update({key: getattr(consent, key) for key in _FIELDS
                             if getattr(consent, key)})
                if consent.authorised_on:
                    item["authorised_on"] = consent.authorised_on.isoformat()
                if consent.evidence is not None and consent.evidence.is_file():
                    data = consent.evidence.read_bytes()[:MAX_EVIDENCE_BYTES + 1]
                    if len(data) <= MAX_EVIDENCE_BYTES:
                        digest = sha256(data)
                        name = f"{EVIDENCE_FOLDER}/{digest}{consent.evidence.suffix.lower()}"
                        if not (folder / name).exists():
                            write_new(folder / name, data)
                        item["evidence"] = {"path": name, "sha256": digest,
                                            "name": consent.evidence.name}
            signatories.append(item)
    new = {"letter": letter.id, "path": entry.path, "pdf_sha256": entry.sha256,
           "recorded_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
           "signatories": signatories, "previous": chain_head(records)}
    records.append(new)
    data = {"format": 1, "head": chain_head(records), "records": records}
    folder.mkdir(parents=True, exist_ok=True)
    with staged(folder / CONSENT_FILE, (json.dumps(data, ensure_ascii=False, indent=2)
                                        + "\n").encode("utf-8")):
        pass
    return True


def verify_record(archive: Path, manifest: Manifest) -> tuple[list[Problem], list[str]]:
    """(problems, notes) for the consent record beside `archive`, if there is one."""
    folder = private_folder(archive)
    shown = f"{folder.name}/{CONSENT_FILE}"
    if not (folder / CONSENT_FILE).exists():
        return [], []
    records, problems = read_records(folder)
    if problems:
        return problems, []
    parsed = json.loads(read_bounded(folder / CONSENT_FILE, MAX_CONSENT_BYTES,
                                     "the consent record") or b"{}")
    previous = GENESIS
    archived = {entry.path: entry.sha256 for entry in manifest.entries}
    for number, item in enumerate(records, start=1):
        where = f"records[{number}]"
        if item.get("previous") != previous:
            problems.append(Problem(shown, None, None, where,
                                    "the hash chain is broken here: this record, or the one "
                                    "before it, was changed, removed or inserted"))
        previous = sha256(canonical(item))
        if archived.get(item.get("path")) != item.get("pdf_sha256"):
            problems.append(Problem(shown, None, None, where,
                                    f"names {item.get('path')!r} with a SHA-256 the archive "
                                    "manifest does not record for it"))
        for signatory in item.get("signatories") or ():
            evidence = signatory.get("evidence") if isinstance(signatory, dict) else None
            if isinstance(evidence, dict):
                found = regular_file_hash(folder / str(evidence.get("path", "")))
                if found != evidence.get("sha256"):
                    problems.append(Problem(
                        shown, None, None, f"{where}.{signatory.get('id')}.evidence",
                        f"{evidence.get('path')} is " + ("missing" if found is None else
                                                         "not the file recorded")))
    if parsed.get("head") != previous:
        problems.append(Problem(shown, None, None, "head",
                                f"expected head {previous} (the hash of the last record), "
                                f"found {parsed.get('head')}"))
    notes = [f"consent record: {len(records)} records, head {previous}"] if not problems \
        else []
    return problems, notes
