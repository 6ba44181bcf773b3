"""Reading a DOCX that came back from a reviewer: its paragraphs, comments and tracked changes.

The returned document comes from outside: it is read in a limited child process
(generator/core/untrusted.py), and each part's size is judged from the zip directory before it
is inflated.
"""


from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..core.errors import CartaError
from ..core.project import size_text
from ..core.untrusted import MB, Unparsed, run_limited
from ..outputs.docx_fields import (
    field_of_bookmark,
)
from ..outputs.docx_package import CUSTOM_REL
from ..outputs.docx_xml import CUSTOM_NS, VT_NS, W_NS

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"


# A letter's DOCX is some hundred kilobytes; a long report with pictures tens of megabytes.
MAX_DOCX_BYTES = 100 * MB


@dataclass(frozen=True)
class ZipSizes:
    """How far a returned DOCX may inflate, judged from its zip directory before any part is
    inflated (zipfile never inflates a part past the size its directory declares)."""

    part: int = 32 * MB  # one XML part: a letter's document.xml takes kilobytes
    ratio: int = 200  # inflated / compressed, for parts over a megabyte (XML: about 10)
    entries: int = 10_000  # files in the package


ZIP_SIZES = ZipSizes()
# What Word, LibreOffice and carta write; other methods (bzip2, lzma) are not a DOCX's.
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


# Reading a DOCX -----------------------------------------------------------------------------

@dataclass
class Segment:
    text: str
    status: str = ""  # "", "ins" or "del"
    author: str = ""
    date: str = ""
    fields: frozenset = frozenset()  # fields whose bookmark is open here
    comments: frozenset = frozenset()  # comment ids whose range is open here


@dataclass
class Paragraph:
    segments: list[Segment] = field(default_factory=list)
    fields: set = field(default_factory=set)  # fields whose bookmark is open in it
    comments: set = field(default_factory=set)
    where: str = "body"  # or "footnote"

    def text(self, accepted: bool = True) -> str:
        """The text with the tracked changes accepted, or (False) rejected."""
        skip = "del" if accepted else "ins"
        return "".join(s.text for s in self.segments if s.status != skip)


@dataclass
class Comment:
    id: str
    author: str
    date: str
    text: str


@dataclass
class Document:
    properties: dict[str, str]
    paragraphs: list[Paragraph]
    comments: dict[str, Comment]


class _Walker:
    """Walks WordprocessingML in reading order, keeping the bookmarks, comment ranges and
    tracked changes open at each run of text."""

    def __init__(self, names: dict[str, str], labels: dict[str, str]):
        self.names = names  # bookmark name -> field (for hashed names)
        self.labels = labels  # footnote id -> "[^label]"
        self.paragraphs: list[Paragraph] = []
        self.bookmarks: dict[str, str] = {}  # open: bookmark id -> field
        self.open_comments: set[str] = set()
        self.current: Paragraph | None = None
        self.field_depth = 0  # inside a field's result that is not the reader's text
        self.instruction = ""
        self.where = "body"

    def field_name(self, name: str) -> str | None:
        return field_of_bookmark(name) or self.names.get(re.sub(r"_Copy_\d+$", "", name))

    def walk(self, element, status=("", "", "")) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            local = etree.QName(tag).localname if tag.startswith("{") else tag
            namespace = etree.QName(tag).namespace if tag.startswith("{") else None
            if namespace != W_NS:
                if local in ("AlternateContent",):
                    fallback = [c for c in child if etree.QName(c).localname == "Fallback"]
                    for part in fallback[:1]:
                        self.walk(part, status)
                continue
            if local == "p":
                self.paragraph(child, status)
            elif local in ("ins", "moveTo"):
                self.walk(child, ("ins", child.get(w("author"), ""), child.get(w("date"), "")))
            elif local in ("del", "moveFrom"):
                self.walk(child, ("del", child.get(w("author"), ""), child.get(w("date"), "")))
            elif local == "r":
                self.run(child, status)
            elif local == "bookmarkStart":
                name = self.field_name(child.get(w("name"), ""))
                if name:
                    self.bookmarks[child.get(w("id"))] = name
                    if self.current is not None:
                        self.current.fields.add(name)
            elif local == "bookmarkEnd":
                self.bookmarks.pop(child.get(w("id")), None)
            elif local == "commentRangeStart":
                self.open_comments.add(child.get(w("id")))
                if self.current is not None:
                    self.current.comments.add(child.get(w("id")))
            elif local == "commentRangeEnd":
                self.open_comments.discard(child.get(w("id")))
            elif local in ("pPr", "rPr", "sectPr", "tblPr", "tblGrid", "trPr", "tcPr"):
                continue
            else:  # hyperlink, fldSimple, smartTag, sdt, sdtContent, tbl, tr, tc, customXml
                self.walk(child, status)

    def paragraph(self, element, status) -> None:
        self.current = Paragraph(where=self.where)
        self.current.fields |= set(self.bookmarks.values())
        self.current.comments |= self.open_comments
        self.walk(element, status)
        self.paragraphs.append(self.current)
        self.current = None

    def run(self, element, status) -> None:
        for child in element:
            local = etree.QName(child.tag).localname if isinstance(child.tag, str) else ""
            if local == "fldChar":
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    self.instruction = ""
                elif kind == "separate" and self.instruction.strip().startswith("NOTEREF"):
                    self.field_depth += 1  # a repeated note's number: not the reader's text
                elif kind == "end" and self.field_depth:
                    self.field_depth -= 1
            elif local == "instrText":
                self.instruction += child.text or ""
            elif local == "commentReference" and self.current is not None:
                self.current.comments.add(child.get(w("id")))
            elif self.field_depth:
                continue
            elif local in ("t", "delText"):
                self.text(child.text or "", status)
            elif local == "tab":
                self.text("\t", status)
            elif local in ("br", "cr"):
                self.text("\n", status)
            elif local == "footnoteReference":
                label = self.labels.get(child.get(w("id")))
                if label:
                    self.text(label, status)

    def text(self, text: str, status) -> None:
        if self.current is None or not text:
            return
        kind, author, date = status
        self.current.segments.append(Segment(text, kind, author, date,
                                             frozenset(self.bookmarks.values()),
                                             frozenset(self.open_comments)))


def _part_path(source: str, target: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


class _Package:
    """A DOCX's zip, each part read only after its declared size and method are judged."""

    def __init__(self, data: bytes, shown: str, sizes: ZipSizes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.shown = shown
        self.sizes = sizes
        if len(self.zip.infolist()) > sizes.entries:
            raise CartaError(f"{shown}: expected a Word document, found a zip of "
                             f"{len(self.zip.infolist())} files (more than {sizes.entries}); "
                             "nothing was compared")

    def read(self, name: str) -> bytes:
        """The bytes of part `name`; KeyError when there is none."""
        info = self.zip.getinfo(name)
        where = f"{self.shown}: its part {name}"
        if info.flag_bits & 0x1:
            raise CartaError(f"{where} is encrypted; save the document again without a "
                             "password and compare that copy")
        if info.compress_type not in _METHODS:
            raise CartaError(f"{where} is compressed with method {info.compress_type}, not "
                             "one a Word document uses (stored or deflate); save it again "
                             "from Word or LibreOffice")
        if info.file_size > self.sizes.part:
            raise CartaError(f"{where} inflates to {size_text(info.file_size)}, more than the "
                             f"{size_text(self.sizes.part)} carta reads in one part; not read")
        if info.file_size > MB and \
                info.file_size > self.sizes.ratio * max(info.compress_size, 1):
            raise CartaError(f"{where} inflates to {info.file_size // max(info.compress_size, 1)}"
                             f" times its size (a document's parts: about 10); not read")
        try:
            return self.zip.read(name)
        except (zlib.error, zipfile.BadZipFile, EOFError, OSError) as error:
            raise CartaError(f"{where} is damaged ({error}); save the document again and "
                             "compare that copy") from None


def _rels(package: _Package, part: str) -> dict[str, str]:
    """reltype -> part path, for the relationships of `part` ("" for the package)."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    try:
        root = etree.fromstring(package.read(rels_path))
    except KeyError:
        return {}
    found = {}
    for rel in root.findall(f"{{{REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else _part_path(part or "x",
                                                                           target)
        found[rel.get("Type")] = path
    return found


def read_docx(data: bytes, shown: str, names: dict[str, str] | None = None,
              labels_by_field: dict[str, str] | None = None,
              sizes: ZipSizes | None = None) -> Document:
    """The paragraphs (body, then footnotes), comments and custom properties of a DOCX."""
    try:
        package = _Package(data, shown, sizes or ZIP_SIZES)
        package_rels = _rels(package, "")
        main = next((path for kind, path in package_rels.items()
                     if kind.endswith("/officeDocument")), "word/document.xml")
        document = etree.fromstring(package.read(main))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError):
        raise CartaError(f"{shown}: not a Word document (.docx) that can be read; diff-docx "
                         "reads the DOCX copies carta makes, returned by a reviewer") from None
    properties = {}
    custom = package_rels.get(CUSTOM_REL)
    if custom:
        try:
            root = etree.fromstring(package.read(custom))
            for prop in root.findall(f"{{{CUSTOM_NS}}}property"):
                value = prop.find(f"{{{VT_NS}}}lpwstr")
                properties[prop.get("name", "")] = value.text or "" if value is not None else ""
        except (KeyError, etree.XMLSyntaxError):
            pass
    rels = _rels(package, main)
    footnotes = None
    if FOOTNOTES_REL in rels:
        try:
            footnotes = etree.fromstring(package.read(rels[FOOTNOTES_REL]))
        except (KeyError, etree.XMLSyntaxError):
            footnotes = None
    names = names or {}
    # A footnote's call reads as the Markdown that makes it ("[^informe]"), found through the
    # field its text is bookmarked with (references[n].text).
    labels: dict[str, str] = {}
    if footnotes is not None and labels_by_field:
        for note in footnotes.findall(w("footnote")):
            for start in note.iter(w("bookmarkStart")):
                name = start.get(w("name"), "")
                found = field_of_bookmark(name) or names.get(re.sub(r"_Copy_\d+$", "", name))
                if found in labels_by_field:
                    labels[note.get(w("id"))] = labels_by_field[found]
    walker = _Walker(names, labels)
    body = document.find(w("body"))
    if body is not None:
        walker.walk(body)
    if footnotes is not None:
        walker.where = "footnote"
        for note in footnotes.findall(w("footnote")):
            if note.get(w("type")) in ("separator", "continuationSeparator",
                                       "continuationNotice"):
                continue
            walker.bookmarks = {}
            walker.walk(note)
    comments: dict[str, Comment] = {}
    if COMMENTS_REL in rels:
        try:
            root = etree.fromstring(package.read(rels[COMMENTS_REL]))
            for comment in root.findall(w("comment")):
                text = "\n".join("".join(t.text or "" for t in p.iter(w("t")))
                                 for p in comment.iter(w("p")))
                comments[comment.get(w("id"))] = Comment(comment.get(w("id")),
                                                         comment.get(w("author"), ""),
                                                         comment.get(w("date"), ""),
                                                         text.strip())
        except (KeyError, etree.XMLSyntaxError):
            pass
    return Document(properties, walker.paragraphs, comments)


def read_returned(file: Path, shown: str, names: dict[str, str] | None = None,
                  labels_by_field: dict[str, str] | None = None) -> Document:
    """read_docx of a document that came from outside: its size judged first, then read in a
    limited child process. Raises CartaError, naming the file, when it cannot be read."""
    try:
        size = Path(file).stat().st_size
    except OSError as error:
        raise CartaError(f"{shown}: cannot read it ({error.strerror})") from None
    if size > MAX_DOCX_BYTES:
        raise CartaError(f"{shown}: expected a Word document of at most "
                         f"{size_text(MAX_DOCX_BYTES)}, found {size_text(size)}; nothing was "
                         "compared")
    try:
        read = run_limited(_read_in_child, Path(file), shown, names, labels_by_field,
                           ZIP_SIZES)
    except Unparsed as why:
        raise CartaError(f"{shown}: {why}; nothing was compared") from None
    if isinstance(read, str):  # what read_docx refused, with its own message
        raise CartaError(read)
    return read


def _read_in_child(file: Path, shown: str, names, labels_by_field, sizes: ZipSizes):
    """In the child: the Document, or the message of what read_docx refused."""
    try:
        return read_docx(file.read_bytes(), shown, names, labels_by_field, sizes)
    except CartaError as error:
        return error.message
    except (etree.LxmlError, ValueError, NotImplementedError, RuntimeError, zlib.error) as error:
        return (f"{shown}: not a Word document (.docx) that can be read ({error}); diff-docx "
                "reads the DOCX copies carta makes, returned by a reviewer")
