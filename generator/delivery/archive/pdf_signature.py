"""PAdES signatures on carta's PDFs: the [signing] certificate read, a tagged signature field
added, and the PDF signed with pyHanko in one incremental update, as the last step.

What the signed file keeps: the bytes carta made (with the field) stay the file's first
revision, unchanged, so the XMP, the structure tree and the embedded sources are exactly those
of the unsigned PDF; the update adds only the signature value (and, with a visible stamp, its
appearance). The field is a widget in the structure tree (a Form element, its /TU read out), as
PDF/UA-1 asks of every annotation; pyHanko's own XMP rewrite (which turned the PDF/A extension
schema's namespaceURI into a resource, pyHanko #755) is not done. The digest is SHA-256, which
keeps the file at PDF 1.7 (SHA-384 once bumped it to 2.0, pyHanko #543).

What varies between two signings of the same PDF: the signing time, the second half of the
trailer /ID, the timestamp token with B-T, and the signature value itself with an ECDSA key.
With signing_time = "letter-date" (B-B), the time is noon UTC on the letter's date and the /ID
is derived from the bytes signed, so that an RSA signature is reproducible too. The first
revision never varies: `extends` tells a signed file made from these same bytes.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...core.errors import CartaError
from ...core.project import Project, SigningSettings
from .reading import read_bounded
from .signing import check_private_key_file

PASSPHRASE_VARIABLE = "CARTA_SIGNING_PASSPHRASE"
FIELD = "Signature"
MAX_CREDENTIAL_BYTES = 1 << 20  # a PKCS#12 file or a PEM chain is kilobytes
# The stamp: about a third of an A4 page's text width, four short lines; kept MARGIN from the
# paper's edge (about 6 mm, inside any printer's printable area; the letter's own bottom margin
# is wider, and a signer block set low on its page leaves only that margin below it).
STAMP_WIDTH, STAMP_HEIGHT, MARGIN = 250.0, 46.0, 18.0


@dataclass(frozen=True)
class Credentials:
    """The signer's private key, certificate and the chain above it (cryptography objects)."""

    key: object
    certificate: object
    chain: tuple = ()

    @property
    def signer_name(self) -> str:
        from cryptography.x509.oid import NameOID

        for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
            names = self.certificate.subject.get_attributes_for_oid(oid)
            if names:
                return str(names[0].value)
        return self.certificate.subject.rfc4514_string()


@dataclass(frozen=True)
class Stamp:
    """Where and in which language a document's signature shows: with `visible`, a stamp
    under the text `anchor` (the signer's name) on the last page that has it; the field's
    description, read out by screen readers, in the document's language either way."""

    anchor: str
    locale: str
    catalog_dirs: tuple[Path, ...] = ()
    visible: bool = True
    letter_date: datetime.date | None = None  # the signing time with signing_time = "letter-date"

    def gettext(self, message: str) -> str:
        from ...localization.locales import template_translations

        return template_translations(self.locale, self.catalog_dirs).gettext(message)


def stamp_for(project: Project, job, settings: SigningSettings) -> Stamp:
    """How a document `job` (pipeline.plan.Job) shows its signature: a visible stamp if
    [signing] stamp asks for one, under the sender's name as the letter prints it in the
    job's language."""
    from ...core.model import pick_locale

    letter = job.letter
    return Stamp(pick_locale(letter.sender.name, job.locale, letter.language), job.locale,
                 tuple(folder / "locale" for folder in project.template_dirs()),
                 settings.stamp == "visible", letter.date)


def _path(project: Project, value: str) -> Path:
    return Path(os.path.abspath(project.root / Path(value).expanduser()))


def load_credentials(project: Project, folder: Path,
                     ask: Callable[[str], str] | None = None) -> Credentials:
    """The [signing] key and certificate, or CartaError naming the setting and what is wrong.

    The private key (the PKCS#12 file, or the PEM key) follows the archive key's rule
    (signing.check_private_key_file): outside the project, its owner's alone. The passphrase
    comes from CARTA_SIGNING_PASSPHRASE, else from `ask` (a prompt), and is never shown."""
    settings = project.settings.pdf_signing
    if settings is None:
        raise CartaError("carta.toml: no [signing] section: nothing to sign with")
    if settings.key is None:
        return _from_pkcs12(project, folder, settings, ask)
    return _from_pem(project, folder, settings, ask)


def _passphrase(ask, what: str) -> bytes | None:
    value = os.environ.get(PASSPHRASE_VARIABLE)
    if value is None and ask is not None:
        value = ask(f"Passphrase for {what}")
    return value.encode() if value else None


def _from_pkcs12(project, folder, settings: SigningSettings, ask) -> Credentials:
    from cryptography.hazmat.primitives.serialization import pkcs12

    path = _path(project, settings.certificate)
    check_private_key_file(path, project, folder, "signing.certificate")
    data = read_bounded(path, MAX_CREDENTIAL_BYTES, "a PKCS#12 file", follow=True)
    if data is None:
        raise CartaError(f"carta.toml: signing.certificate: {path}: no such file; expected a "
                         "PKCS#12 file (.p12) with the signing key and certificate")
    try:  # a file without a passphrase opens as it is; the prompt only when it needs one
        key, certificate, chain = pkcs12.load_key_and_certificates(data, None)
    except ValueError:
        passphrase = _passphrase(ask, path.name)
        try:
            key, certificate, chain = pkcs12.load_key_and_certificates(data, passphrase)
        except ValueError:
            hint = (f"set {PASSPHRASE_VARIABLE}, or run carta in a terminal to be asked"
                    if passphrase is None else "check the passphrase")
            raise CartaError(f"carta.toml: signing.certificate: {path} could not be opened: "
                             f"a wrong passphrase, or not a PKCS#12 file; {hint}") from None
    if key is None:  # a certificate alone comes back among the "additional" ones
        raise CartaError(f"carta.toml: signing.certificate: {path} holds the certificate "
                         "without its private key; export it again with the key")
    if certificate is None:
        raise CartaError(f"carta.toml: signing.certificate: {path} holds a key but no "
                         "certificate; export it again with the certificate")
    return _checked(Credentials(key, certificate, tuple(chain or ())), path)


def _from_pem(project, folder, settings: SigningSettings, ask) -> Credentials:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key_path = _path(project, settings.key)
    check_private_key_file(key_path, project, folder, "signing.key")
    key_data = read_bounded(key_path, MAX_CREDENTIAL_BYTES, "a private key", follow=True)
    if key_data is None:
        raise CartaError(f"carta.toml: signing.key: {key_path}: no such file; expected the "
                         "signing key (PEM)")
    cert_path = _path(project, settings.certificate)
    cert_data = read_bounded(cert_path, MAX_CREDENTIAL_BYTES, "a certificate", follow=True)
    if cert_data is None:
        raise CartaError(f"carta.toml: signing.certificate: {cert_path}: no such file; "
                         "expected the signing certificate and its chain (PEM)")
    try:
        certificates = x509.load_pem_x509_certificates(cert_data)
    except ValueError:
        raise CartaError(f"carta.toml: signing.certificate: {cert_path}: expected PEM "
                         "certificates (-----BEGIN CERTIFICATE-----), found something "
                         "else") from None
    try:
        key = serialization.load_pem_private_key(key_data, None)
    except TypeError:  # encrypted: now the passphrase
        passphrase = _passphrase(ask, key_path.name)
        if passphrase is None:
            raise CartaError(f"carta.toml: signing.key: {key_path} is protected by a "
                             f"passphrase: set {PASSPHRASE_VARIABLE}, or run carta in a "
                             "terminal to be asked") from None
        try:
            key = serialization.load_pem_private_key(key_data, passphrase)
        except ValueError:
            raise CartaError(f"carta.toml: signing.key: {key_path}: the passphrase is "
                             "wrong") from None
    except ValueError:
        raise CartaError(f"carta.toml: signing.key: {key_path}: expected a private key in "
                         "PEM form (-----BEGIN PRIVATE KEY-----), found something else; a "
                         "certificate is set with signing.certificate") from None
    return _checked(Credentials(key, certificates[0], tuple(certificates[1:])), cert_path)


def _checked(credentials: Credentials, path: Path) -> Credentials:
    """The key belongs to the certificate, and the certificate is valid today: a signature
    made otherwise would be reported invalid by every reader."""
    from cryptography.hazmat.primitives import serialization

    def spki(key) -> bytes:
        return key.public_bytes(serialization.Encoding.DER,
                                serialization.PublicFormat.SubjectPublicKeyInfo)

    if spki(credentials.key.public_key()) != spki(credentials.certificate.public_key()):
        raise CartaError(f"carta.toml: signing: the key is not the one of the certificate in "
                         f"{path} ({credentials.signer_name}); set the key that was issued "
                         "with it")
    now = datetime.datetime.now(datetime.UTC)
    certificate = credentials.certificate
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise CartaError(f"carta.toml: signing.certificate: {path}: the certificate of "
                         f"{credentials.signer_name} is valid from "
                         f"{certificate.not_valid_before_utc:%Y-%m-%d} to "
                         f"{certificate.not_valid_after_utc:%Y-%m-%d}, not today: renew it")
    return credentials


class PdfSigner:
    """Signs PDFs with one set of credentials and the [signing] options."""

    def __init__(self, credentials: Credentials, settings: SigningSettings,
                 timestamper=None):
        self.credentials = credentials
        self.settings = settings
        # A test passes its own timestamper; otherwise the configured authority, if any.
        self.timestamper = timestamper
        if timestamper is None and settings.timestamp_url:
            from pyhanko.sign.timestamps import HTTPTimeStamper

            self.timestamper = HTTPTimeStamper(settings.timestamp_url, timeout=30)

    @property
    def level(self) -> str:
        return "B-T" if self.timestamper is not None else "B-B"

    def prepare(self, data: bytes, stamp: Stamp | None = None) -> bytes:
        """`data` with an empty, tagged signature field: the same bytes for the same PDF,
        so that a signed file can be told to be made from it (`extends`)."""
        name = self.credentials.signer_name
        alt = (stamp.gettext("Digital signature of %(signer)s") if stamp else
               "Digital signature of %(signer)s") % {"signer": name}
        return _with_field(data, alt, _stamp_place(data, stamp)
                           if stamp and stamp.visible else None)

    def sign(self, prepared: bytes, stamp: Stamp | None = None) -> bytes:
        """The prepared PDF signed in one incremental update."""
        from asn1crypto import keys, x509
        from cryptography.hazmat.primitives import serialization
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers
        from pyhanko.sign.general import SigningError
        from pyhanko.sign.timestamps.common_utils import TimestampRequestError
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        fixed = _fixed_time(stamp, self.settings)

        class KeptMetadata(IncrementalPdfFileWriter):
            # pyHanko rewrites the XMP on every write, with its own serialisation that breaks
            # the PDF/A extension schema (pyHanko #755) and names itself the producer: the
            # signed file keeps carta's XMP and Info as they are, in the first revision.
            def _update_meta(self):
                pass

            @classmethod
            def _handle_id(cls, prev):
                # The second /ID is random in pyHanko; at a fixed time it is derived from the
                # bytes signed, so that the same PDF signs to the same bytes (the first /ID,
                # carta's identity of the letter, is kept either way).
                identifiers = super()._handle_id(prev)
                if fixed is not None:
                    identifiers[1] = generic.ByteStringObject(
                        hashlib.sha256(prepared).digest()[:16])
                return identifiers

        class AtTime(signers.PdfSigner):
            def init_signing_session(self, pdf_out, existing_fields_only=False):
                session = super().init_signing_session(pdf_out, existing_fields_only)
                if fixed is not None:
                    session.system_time = fixed
                return session

        def der(certificate) -> bytes:
            return certificate.public_bytes(serialization.Encoding.DER)

        credentials, settings = self.credentials, self.settings
        signer = signers.SimpleSigner(
            signing_cert=x509.Certificate.load(der(credentials.certificate)),
            signing_key=keys.PrivateKeyInfo.load(credentials.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())),
            cert_registry=SimpleCertificateStore.from_certs(
                [x509.Certificate.load(der(each)) for each in credentials.chain]))
        metadata = signers.PdfSignatureMetadata(
            field_name=FIELD, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason=settings.reason, location=settings.location,
            contact_info=settings.contact)
        style = _stamp_style(stamp, settings) if stamp and stamp.visible else None
        try:
            out = AtTime(metadata, signer=signer, timestamper=self.timestamper,
                         stamp_style=style).sign_pdf(
                KeptMetadata(io.BytesIO(prepared)), existing_fields_only=True)
        except TimestampRequestError as error:
            raise CartaError(f"carta.toml: signing.timestamp_url: the timestamp authority at "
                             f"{settings.timestamp_url} did not answer ({error}); nothing was "
                             "signed. Check the address and the network, or remove "
                             "timestamp_url to sign without a timestamp (B-B)") from None
        except SigningError as error:
            raise CartaError(f"the PDF could not be signed: {error}") from None
        return out.getvalue()


def _fixed_time(stamp: Stamp | None, settings: SigningSettings) -> datetime.datetime | None:
    """Noon UTC on the letter's date with signing_time = "letter-date" (B-B only: the
    settings refuse it with a timestamp authority), else None: the time of signing."""
    if settings.signing_time != "letter-date" or stamp is None or stamp.letter_date is None:
        return None
    return datetime.datetime.combine(stamp.letter_date, datetime.time(12, tzinfo=datetime.UTC))


def extends(signed: bytes, prepared: bytes) -> bool:
    """Whether `signed` is `prepared` with incremental updates after it (a signature)."""
    return len(signed) > len(prepared) and signed.startswith(prepared)


def signed_copy(signer: PdfSigner, project: Project, job, data: bytes) -> bytes:
    """The signed copy of a built PDF that `carta mail` attaches, kept in output/signed/: the
    same copy while the PDF is unchanged, so that a message sent again has the same
    attachment and the same Message-ID (mail.py)."""
    from ...core.write import safe_folder, write_atomic
    from .reading import MAX_PDF_BYTES

    stamp = stamp_for(project, job, signer.settings)
    prepared = signer.prepare(data, stamp)
    folder = safe_folder(project.root, project.output / "signed")
    path = folder / job.output(project.output, "pdf").name
    try:
        kept = read_bounded(path, MAX_PDF_BYTES, "a signed copy")
    except CartaError:
        kept = None
    if kept is not None and extends(kept, prepared):
        return kept
    signed = signer.sign(prepared, stamp)
    write_atomic(path, signed)
    return signed


def _with_field(data: bytes, alt: str, place: tuple[int, list[float]] | None) -> bytes:
    """The PDF with an empty signature field, a widget on the stamp's page (or an invisible
    one on the first page), tagged as a Form element so that PDF/UA-1 checks find every
    annotation in the structure tree."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    page_index, rect = place if place else (0, [0, 0, 0, 0])
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[page_index]
        widget = pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Widget, FT=Name.Sig, T=String(FIELD),
            TU=String(alt), F=132, Rect=Array(rect), P=page.obj))  # print, locked
        page.obj.Annots = Array([*page.obj.get("/Annots", Array()), widget])
        page.obj.Tabs = Name.S  # annotations in structure order (PDF/UA-1 7.18.3)
        form = pdf.Root.get("/AcroForm")
        if form is None:
            pdf.Root.AcroForm = Dictionary(Fields=Array([widget]))
        else:
            form.Fields = Array([*form.get("/Fields", Array()), widget])
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is not None:
            _tag(pdf, tree, widget, page, alt)
        out = io.BytesIO()
        # deterministic_id: the same input gives the same bytes; the first /ID (carta's
        # identity of the letter, checked by carta verify) is kept. fix_metadata_version would
        # reserialise the XMP: it stays byte for byte.
        pdf.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()


def _tag(pdf, tree, widget, page, alt: str) -> None:
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    kids = tree.get("/K")
    parent = tree
    if isinstance(kids, Dictionary) and kids.get("/S") == Name.Document:
        parent = kids
    elif isinstance(kids, Array) and len(kids) == 1 and kids[0].get("/S") == Name.Document:
        parent = kids[0]
    parents = tree.get("/ParentTree")
    if parents is None:
        tree.ParentTree = parents = pdf.make_indirect(Dictionary(Nums=Array()))
    numbers = pikepdf.NumberTree(parents)
    key = max([int(tree.get("/ParentTreeNextKey", 0)), *(int(k) + 1 for k in numbers)])
    element = pdf.make_indirect(Dictionary(
        Type=Name.StructElem, S=Name.Form, P=parent, Pg=page.obj, Alt=String(alt),
        K=Dictionary(Type=Name.OBJR, Obj=widget, Pg=page.obj)))
    current = parent.get("/K")
    if current is None:
        parent.K = Array([element])
    elif isinstance(current, Array):
        current.append(element)
    else:
        parent.K = Array([current, element])
    widget.StructParent = key
    numbers[key] = element
    tree.ParentTreeNextKey = key + 1


def _stamp_place(data: bytes, stamp: Stamp) -> tuple[int, list[float]]:
    """(page index, rectangle) for the stamp: by the signer's name on the last page that
    prints it (under it, else beside it, else above it, in the room left to sign), or at the
    foot of the last page when no page prints it. Only the last such page: the name printed
    earlier (the letterhead on page 1) is not where the letter is signed."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        for index in reversed(range(len(document))):
            page = document[index]
            width, height = page.get_size()
            text = page.get_textpage()
            searcher = text.search(stamp.anchor, match_case=True)
            found = None
            while (match := searcher.get_next()) is not None:
                found = match
            if found is None:
                continue
            boxes = [text.get_charbox(i) for i in range(found[0], found[0] + found[1])]
            left = min(box[0] for box in boxes)
            bottom = min(box[1] for box in boxes)
            right = max(box[2] for box in boxes)
            top = max(box[3] for box in boxes)
            left = min(left, width - MARGIN - STAMP_WIDTH)
            if bottom - 8 - STAMP_HEIGHT >= MARGIN:
                return index, [left, bottom - 8 - STAMP_HEIGHT, left + STAMP_WIDTH, bottom - 8]
            if right + 16 + STAMP_WIDTH <= width - MARGIN:
                middle = (top + bottom) / 2
                return index, [right + 16, middle - STAMP_HEIGHT / 2, right + 16 + STAMP_WIDTH,
                               middle + STAMP_HEIGHT / 2]
            below = min(top + 4 + STAMP_HEIGHT, height - MARGIN)
            return index, [left, below - STAMP_HEIGHT, left + STAMP_WIDTH, below]
        index = len(document) - 1
        width, _ = document[index].get_size()
        return index, [width - MARGIN - STAMP_WIDTH, MARGIN, width - MARGIN,
                       MARGIN + STAMP_HEIGHT]
    finally:
        document.close()


def _stamp_style(stamp: Stamp, settings: SigningSettings):
    """The stamp's text in the letter's language, in an embedded font (PDF/A embeds every
    font it shows): signer, date and reason."""
    import font_source_sans_pro
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    gettext = stamp.gettext
    lines = [gettext("Digitally signed by %(signer)s") % {"signer": "%(signer)s"},
             gettext("Date: %(date)s") % {"date": "%(ts)s"}]
    if settings.reason:
        lines.append(gettext("Reason: %(reason)s") % {"reason": settings.reason
                                                         .replace("%", "%%")})
    font = Path(font_source_sans_pro.__file__).parent / "files" / "SourceSansPro-Regular.ttf"
    return TextStampStyle(
        stamp_text="\n".join(lines), timestamp_format="%Y-%m-%d %H:%M %z",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(font)), font_size=9),
        border_width=1, background=None)
