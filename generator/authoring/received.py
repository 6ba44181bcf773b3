"""What a document someone sent says about itself (a PDF, an e-mail), read within limits.

These readers run in the limited child process of generator/core/untrusted.py, and check sizes
before anything is inflated: each content stream of a PDF is inflated in small steps and
counted, never whole, and an e-mail's parts are counted before it is parsed. What they refuse
comes back as a reason (`Unparsed`), and the document is kept, marked as not read.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import email
import email.parser
import email.policy
import io
import re
import zlib
from dataclasses import dataclass, field
from email.utils import parseaddr
from html.parser import HTMLParser
from pathlib import Path

from ..core.untrusted import MB, Unparsed, run_limited


@dataclass(frozen=True)
class Facts:
    """What a document says about itself: when, from whom, and its text page by page."""

    date: datetime.date | None = None
    name: str | None = None  # the sender's name (From, or the PDF's author)
    address: str | None = None  # the sender's e-mail address
    pages: list[str] = field(default_factory=list)  # a PDF's text, page by page
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, text)
    unreadable: str | None = None  # why its text was not extracted


@dataclass(frozen=True)
class Sizes:
    """How far a stranger's file may inflate. Passed to the child with each call (a spawned
    child imports this module afresh, so it would not see a value changed here)."""

    stream: int = 16 * MB  # one content stream, inflated (a page's text is kilobytes)
    content: int = 256 * MB  # every content stream of one PDF together
    containers: int = 100  # multipart and message/rfc822 parts of one e-mail


SIZES = Sizes()
# Inflated in steps of this size: what is held at once while a stream is measured.
STEP = 1 * MB
_ASCII_FILTERS = {"/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85"}
_FLATE = {"/FlateDecode", "/Fl"}


def read_facts(path: Path, sizes: Sizes | None = None) -> Facts:
    """What `path` (a PDF or an .eml) says, read in a limited child process; a document that
    cannot be read gives Facts with only the reason it was not (`unreadable`)."""
    try:
        return run_limited(_read, path, sizes or SIZES)
    except Unparsed as error:
        return Facts(unreadable=str(error))


def read_pages(path: Path, sizes: Sizes | None = None) -> list[str]:
    """A PDF's text page by page, read in a limited child process. Raises Unparsed."""
    return run_limited(_pages_of_file, path, sizes or SIZES)


def _read(path: Path, sizes: Sizes) -> Facts:
    return eml_facts(path, sizes) if path.suffix.lower() == ".eml" else pdf_facts(path, sizes)


def _pages_of_file(path: Path, sizes: Sizes) -> list[str]:
    return pdf_pages(path.read_bytes(), sizes)


# PDF -----------------------------------------------------------------------------------------

def check_content_streams(data: bytes, sizes: Sizes) -> None:
    """Refuse a PDF whose page contents inflate past the limits, measured before the PDF
    engine inflates them: each page's content streams and the forms they draw."""
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise Unparsed("the PDF is protected by a password") from None
    except pikepdf.PdfError as error:
        raise Unparsed(f"expected a PDF that opens, found one that does not ({error})") \
            from None
    total = 0
    with pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for stream in _content_streams(page.obj):
                size = _inflated_size(stream, sizes.stream)
                if size > sizes.stream:
                    raise Unparsed(f"a content stream of page {number} inflates to more than "
                                   f"{sizes.stream // MB} MB (a page's text takes kilobytes):"
                                   " not read")
                total += size
                if total > sizes.content:
                    raise Unparsed(f"its pages' contents inflate to more than "
                                   f"{sizes.content // MB} MB: not read")


def _content_streams(page):
    """The content streams of a page, then of every form (XObject) it draws, each once."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    pending = [page]
    while pending:
        holder = pending.pop()
        contents = holder.get("/Contents") if holder is page else holder
        parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        for part in parts:
            if isinstance(part, pikepdf.Stream) and part.objgen not in seen:
                if part.objgen != (0, 0):
                    seen.add(part.objgen)
                yield part
        resources = holder.get("/Resources")
        objects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) \
            else None
        for value in (objects.values() if isinstance(objects, pikepdf.Dictionary) else ()):
            if isinstance(value, pikepdf.Stream) and value.get("/Subtype") == "/Form" \
                    and value.objgen not in seen:
                pending.append(value)


def _inflated_size(stream, limit: int) -> int:
    """How large a stream becomes once decoded, counted up to just past `limit`. Flate (and
    the ASCII encodings before it, which only shrink) is inflated step by step; streams with
    rarer filters are left to the PDF engine, under the child's memory limit."""
    import pikepdf

    filters = stream.get("/Filter")
    names = [] if filters is None else [str(name) for name in filters] \
        if isinstance(filters, pikepdf.Array) else [str(filters)]
    data = stream.read_raw_bytes()
    while names and names[0] in _ASCII_FILTERS:
        data = _ascii_decoded(data, names.pop(0))
    if not names:
        return len(data)
    if names[0] not in _FLATE:
        return 0
    inflater = zlib.decompressobj()
    size = 0
    try:
        while True:
            step = len(inflater.decompress(data, STEP))
            size += step
            data = inflater.unconsumed_tail
            # A full step with no input left may still hold output: one more call then.
            if size > limit or inflater.eof or (not data and step < STEP):
                break
    except zlib.error:  # damaged data: the engine reads what it can, and so do we
        pass
    return size


def _ascii_decoded(data: bytes, name: str) -> bytes:
    try:
        if name in ("/ASCIIHexDecode", "/AHx"):
            hexdigits = re.sub(rb"[^0-9A-Fa-f]", b"", data.split(b">", 1)[0])
            return binascii.unhexlify(hexdigits + b"0" * (len(hexdigits) % 2))
        return base64.a85decode(data.split(b"~>", 1)[0].lstrip(b"<~") + b"~>", adobe=True)
    except ValueError:
        return data


def pdf_pages(data: bytes, sizes: Sizes) -> list[str]:
    """The text of each page (the text layer, which OCR adds to a scan)."""
    import pypdfium2  # a dependency already, for the site's thumbnails

    check_content_streams(data, sizes)
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise Unparsed(f"expected a PDF that opens, found one that does not ({error})") \
            from None
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()  # one page's objects at a time
            pages.append(text.replace("\r\n", "\n").replace("\r", "\n").strip())
        return pages
    finally:
        document.close()


def _pdf_date(value: str | None) -> datetime.date | None:
    """A PDF date ("D:20240410120000+02'00'") as a date."""
    found = re.match(r"(?:D:)?(\d{4})(\d\d)(\d\d)", value or "")
    if not found:
        return None
    try:
        return datetime.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def pdf_facts(path: Path, sizes: Sizes) -> Facts:
    import pypdfium2

    data = path.read_bytes()
    pages = pdf_pages(data, sizes)
    document = pypdfium2.PdfDocument(data)
    try:
        metadata = document.get_metadata_dict()
    finally:
        document.close()
    author = (metadata.get("Author") or "").strip() or None
    return Facts(_pdf_date(metadata.get("CreationDate")), author, None, pages)


# E-mail --------------------------------------------------------------------------------------

class _Text(HTMLParser):
    """The text of an HTML e-mail body, for a message without a plain-text part."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


# A part that holds other parts: what the parser and the walks over it recurse into.
_CONTAINER = re.compile(rb"^content-type:[ \t]*(?:multipart/|message/rfc822)",
                        re.IGNORECASE | re.MULTILINE)


def eml_facts(path: Path, sizes: Sizes) -> Facts:
    """Date and From from the headers; the body's text, then each PDF attachment's."""
    raw = path.read_bytes()
    # The headers alone first: they are read even when the body is not.
    headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
    date = None
    try:
        date_header = headers["Date"]
        if date_header is not None and date_header.datetime is not None:
            date = date_header.datetime.date()
    except (TypeError, ValueError, AttributeError):
        pass
    name, address = parseaddr(str(headers.get("From", "")))
    facts = Facts(date, name.strip() or None, address.strip().lower() or None)
    containers = len(_CONTAINER.findall(raw))
    if containers > sizes.containers:
        return _unread(facts, f"the e-mail holds {containers} nested or multipart parts, more "
                              f"than the {sizes.containers} carta reads: its text is not read")
    try:
        sections = _sections(email.message_from_bytes(raw, policy=email.policy.default),
                             sizes)
    except RecursionError:
        return _unread(facts, "the e-mail nests its parts too deeply: its text is not read")
    return Facts(facts.date, facts.name, facts.address, [], sections)


def _unread(facts: Facts, why: str) -> Facts:
    return Facts(facts.date, facts.name, facts.address, unreadable=why)


def _sections(message, sizes: Sizes) -> list[tuple[str, str]]:
    sections = []
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        text = _part_text(body)
        if body.get_content_subtype() == "html":
            parser = _Text()
            parser.feed(text)
            text = "".join(parser.parts)
        subject = str(message.get("Subject", "")).strip()
        sections.append((f"message{': ' + subject if subject else ''}", text.strip()))
    for part in message.iter_attachments():
        filename = part.get_filename() or "attachment"
        if part.get_content_type() != "application/pdf" and \
                not filename.lower().endswith(".pdf"):
            sections.append((f"attachment {filename}", "(not a PDF: its text is not read)"))
            continue
        try:
            pages = pdf_pages(part.get_payload(decode=True) or b"", sizes)
        except Exception as error:  # one broken attachment: read the others
            sections.append((f"attachment {filename}", f"(unreadable PDF: {error})"))
            continue
        for number, page in enumerate(pages, start=1):
            sections.append((f"attachment {filename}, page {number}", page))
    return sections


def _part_text(part) -> str:
    """A text part's content; in a charset Python does not know, read as UTF-8 and said so."""
    try:
        return part.get_content()
    except LookupError:
        charset = part.get_content_charset() or "?"
        text = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
        return f"(in the charset '{charset}', which carta does not know: read as UTF-8, " \
               f"some letters may be wrong)\n{text}"
