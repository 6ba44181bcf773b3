"""Checking the PAdES signatures in a PDF (carta verify): each signature's integrity, its
certificate's chain to a trusted root, its signing time, and what was changed after it.

pyHanko does the cryptography and the modification analysis; this module turns its findings
into sentences for advocacy staff: which signature, who signed, when, and, when something is
wrong, what (a changed byte, a page added, an annotation changed, an unknown signer, an expired
certificate). No network is used: revocation is not checked online (soft-fail), so a PDF is
judged the same way on every machine.
"""

from __future__ import annotations

import contextlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from ...core.errors import CartaError
from .reading import read_bounded

MAX_TRUST_BYTES = 1 << 20


@dataclass
class SignatureReport:
    """What a PDF's signatures say: problems (each makes verify fail), and one line per
    valid signature."""

    signed: int = 0
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load_trust(path: Path) -> tuple:
    """The root certificates in a PEM (or DER) file, or CartaError saying what it is instead."""
    from cryptography import x509

    data = read_bounded(path, MAX_TRUST_BYTES, "trusted certificates", follow=True)
    if data is None:
        raise CartaError(f"{path}: no such file; expected the trusted root certificate(s), "
                         "PEM")
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return tuple(x509.load_pem_x509_certificates(data))
        return (x509.load_der_x509_certificate(data),)
    except ValueError:
        raise CartaError(f"{path}: expected root certificates in PEM form (-----BEGIN "
                         "CERTIFICATE-----), found something else") from None


def is_signed(data: bytes) -> bool:
    """Whether the PDF seems to carry a signature (a cheap look before pyHanko reads it)."""
    return b"/ByteRange" in data


def check_signatures(data: bytes, trust: tuple | None) -> SignatureReport:
    """Every signature in the PDF `data`, checked against the roots `trust` (cryptography
    certificates; None: integrity only, and a note saying who signed is not established)."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    report = SignatureReport()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as error:
        report.problems.append(f"cannot be read as a PDF (truncated or damaged?): {error}")
        return report
    report.signed = len(signatures)
    if not signatures:
        return report
    context = _context(trust)
    for number, signature in enumerate(signatures, start=1):
        name = signature.field_name or f"signature {number}"
        with _quiet():
            problems, line = _check_one(signature, data, context, trust is not None)
        report.problems += [f"signature {name!r}: {problem}" for problem in problems]
        if line:
            report.lines.append(f"signature {name!r}: {line}")
    if trust is None:
        report.notes.append("the signatures' certificates were not checked against a trusted "
                            "root: pass --trust FILE (or set [signing] trust in carta.toml) "
                            "to know who signed")
    return report


@contextlib.contextmanager
def _quiet():
    """pyHanko logs each failed check with a traceback; what failed is said in the report."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _context(trust: tuple | None):
    from asn1crypto import x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko_certvalidator import ValidationContext

    roots = [x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
             for root in trust or ()]
    return ValidationContext(trust_roots=roots, allow_fetching=False,
                             revocation_mode="soft-fail")


def _check_one(signature, data: bytes, context, trusted_roots: bool):
    """(problems, a line describing a valid signature) for one embedded signature."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError

    try:
        status = validate_pdf_signature(signature, signer_validation_context=context,
                                        ts_validation_context=context)
    except (SignatureValidationError, ValueError) as error:
        return [f"cannot be validated: {error}"], None
    problems: list[str] = []
    signer = _subject(status.signing_cert)
    if not status.intact:
        problems.append("the signed bytes were changed after signing (the document's digest "
                        "does not match the one signed): this is not the PDF that was signed")
    elif not status.valid:
        problems.append(f"the signature value does not match {signer}'s certificate")
    if status.intact and status.valid and trusted_roots and not status.trusted:
        problems.append(_trust_problem(status, signer))
    when = status.signer_reported_dt
    stamp = status.timestamp_validity
    if stamp is not None and not (stamp.intact and stamp.valid):
        problems.append("its timestamp token does not match the signature")
    elif stamp is not None and trusted_roots and not stamp.trusted:
        problems.append("its timestamp comes from an authority not among the trusted roots")
    problems += _modifications(status, signature, data)
    if problems:
        return problems, None
    level = "B-T" if stamp is not None else "B-B"
    time_text = (f"timestamped {stamp.timestamp:%Y-%m-%d %H:%M:%S %Z}" if stamp is not None
                 else f"signing time {when:%Y-%m-%d %H:%M:%S %z} (as the signer's computer "
                 "said)" if when else "no signing time")
    trust_text = "chain to a trusted root" if trusted_roots else "integrity only"
    return [], f"valid ({trust_text}), PAdES {level}, signed by {signer}, {time_text}"


def _subject(certificate) -> str:
    try:
        subject = certificate.subject.native
        return str(subject.get("common_name") or subject.get("organization_name")
                   or certificate.subject.human_friendly)
    except (AttributeError, ValueError):
        return "an unnamed signer"


def _trust_problem(status, signer: str) -> str:
    indication = str(getattr(status.trust_problem_indic, "name", status.trust_problem_indic))
    certificate = status.signing_cert
    validity = certificate["tbs_certificate"]["validity"]
    start, end = validity["not_before"].native, validity["not_after"].native
    moment = status.validation_time or None
    if "EXPIRED" in indication or (moment is not None and end < moment):
        return (f"{signer}'s certificate expired on {end:%Y-%m-%d} (valid from "
                f"{start:%Y-%m-%d}), before the signature could be checked: without a "
                "timestamp from its valid period, the signature no longer proves who signed")
    if "NOT_YET_VALID" in indication or (moment is not None and start > moment):
        return f"{signer}'s certificate is valid only from {start:%Y-%m-%d}"
    if "REVOKED" in indication:
        return f"{signer}'s certificate was revoked"
    return (f"{signer}'s certificate does not lead to any trusted root ({indication}): the "
            "signature is intact, but nothing says who made it; check --trust (or [signing] "
            "trust) names the root that issued it")


def _modifications(status, signature, data: bytes) -> list[str]:
    """What an incremental update after the signature changed, if the signature does not
    cover the whole file; pyHanko's analysis says whether it is allowed, the pages and
    annotations before and after name what changed."""
    from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return []
    end = max(int(signature.byte_range[2]) + int(signature.byte_range[3]), 0)
    changes = _what_changed(data[:end], data)
    level = status.modification_level
    if isinstance(status.diff_result, SuspiciousModification) or level in (
            ModificationLevel.OTHER, ModificationLevel.ANNOTATIONS) or changes:
        said = ("; ".join(changes) if changes else str(status.diff_result)
                if isinstance(status.diff_result, SuspiciousModification) else
                f"changes of kind {getattr(level, 'name', level)!s} by pyHanko's analysis")
        return [f"the PDF was changed after it was signed (an incremental update of "
                f"{len(data) - end} bytes): {said}"]
    # Validation data (LTA_UPDATES) or another signature (FORM_FILLING: checked on its own,
    # and the pages and annotations are as signed) are what may follow a signature.
    return []


def _what_changed(signed: bytes, whole: bytes) -> list[str]:
    """Pages and annotations of the signed revision against the final one, in words."""
    import pikepdf

    def census(data: bytes):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pages = []
            for page in pdf.pages:
                annotations = []
                for annotation in page.obj.get("/Annots", pikepdf.Array()):
                    if annotation.get("/FT") == "/Sig":  # the signature's own field
                        continue
                    annotations.append((str(annotation.get("/Subtype", "")),
                                        repr(annotation.get("/Contents", "")),
                                        repr(annotation.get("/Rect", "")),
                                        annotation.objgen))
                contents = page.obj.get("/Contents")
                streams = contents if isinstance(contents, pikepdf.Array) else \
                    [contents] if contents is not None else []
                pages.append((page.obj.objgen, annotations,
                              b"".join(stream.read_bytes() for stream in streams)))
            return pages

    try:
        before, after = census(signed), census(whole)
    except pikepdf.PdfError:
        return []
    changes = []
    if len(after) != len(before):
        changes.append(f"{'added' if len(after) > len(before) else 'removed'} "
                       f"{abs(len(after) - len(before))} page(s): {len(before)} signed, "
                       f"{len(after)} now")
    for number, (old, new) in enumerate(zip(before, after, strict=False), start=1):
        if old[1] != new[1]:
            kinds = sorted({kind.lstrip("/") for kind, *_ in set(old[1]) ^ set(new[1])})
            changes.append(f"the annotations of page {number} changed "
                           f"({', '.join(kinds) or 'annotation'})")
        if old[0] != new[0] or old[2] != new[2]:
            changes.append(f"the content of page {number} changed")
    return changes
