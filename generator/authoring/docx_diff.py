"""What a reviewer changed in a DOCX copy of a letter that came back: `carta diff-docx`.

carta's DOCX marks every text that comes from a field of the letter with a bookmark named after
the field (generator/outputs/docx_fields.py), and names the letter, locale and copy in its custom
properties. Here the returned document is read back, paragraph by paragraph, and compared with
a DOCX made now from the letter's current text in the same locale and copy, with the same
writer: tracked insertions (w:ins) and deletions (w:del), comments, and edits made without
tracking are each reported with the field they belong to, so that the author can carry them
into the YAML (or, for a translation, its PO catalog). Nothing is written.

A field keeps its whole paragraph: text typed at a paragraph's end, just past the bookmark,
still belongs to the field. Paragraphs outside every field (the date line, the address block,
a paragraph a reviewer added) are compared in order and named by their place in the letter.

The returned document comes from outside: it is read in a limited child process
(generator/core/untrusted.py), and each part's size is judged from the zip directory before it
is inflated.
"""

from __future__ import annotations

import difflib
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
    PROP_LETTER,
    PROP_LOCALE,
    PROP_RECIPIENT,
    bookmark_name,
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


# Comparing ---------------------------------------------------------------------------------

@dataclass
class Change:
    field: str  # "body[3].paragraph"; for text outside the fields, where it stands
    kind: str  # inserted, deleted, comment, edited, removed, added
    text: str  # what was inserted, deleted, commented on, or the edit shown in brackets
    who: str = ""  # the author (and date) of a tracked change or comment
    note: str = ""  # a comment's text


@dataclass
class Report:
    letter: str
    locale: str
    recipient: str
    file: str
    where: str  # where the texts live: the letter's YAML, or its PO catalog
    changes: list[Change]
    now: dict[str, str]  # field -> its text with every change accepted, for changed fields

    def text(self) -> str:
        copy = f", copy for {self.recipient}" if self.recipient else ""
        head = f"{self.file}: {self.letter} ({self.locale}{copy})"
        if not self.changes:
            return f"{head}: no changes against the letter's current text"
        fields = list(dict.fromkeys(change.field for change in self.changes))
        lines = [f"{head}: {len(self.changes)} change{'s' if len(self.changes) != 1 else ''} "
                 f"in {len(fields)} place{'s' if len(fields) != 1 else ''}; the texts are in "
                 f"{self.where}"]
        for name in fields:
            lines.append(name)
            for change in (c for c in self.changes if c.field == name):
                who = f" by {change.who}" if change.who else ""
                if change.kind == "comment":
                    lines.append(f"  comment{who} on {_quote(change.text)}: {change.note}")
                elif change.kind in ("inserted", "deleted"):
                    lines.append(f"  {change.kind} {_quote(change.text)}{who}")
                else:
                    lines.append(f"  {change.kind}: {change.text}")
            if name in self.now:
                lines.append(f"  reads now: {_quote(self.now[name], 2000)}")
        return "\n".join(lines)


def _quote(text: str, limit: int = 200) -> str:
    text = text.replace("\n", " / ")
    return '"' + (text if len(text) <= limit else text[:limit - 1] + "…") + '"'


def _words(text: str) -> list[str]:
    return re.findall(r"\s+|[\w'’-]+|[^\w\s]", text)


def edit_summary(before: str, after: str, context: int = 4) -> str:
    """The differences of two texts, word by word: "…a la [-unánime-]{+amplia+} conclusión…"."""
    old, new = _words(before), _words(after)
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new,
                                                       autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        lead = "".join(old[max(0, i1 - context):i1])
        tail = "".join(old[i2:i2 + context])
        change = ""
        if i2 > i1:
            change += "[-" + "".join(old[i1:i2]) + "-]"
        if j2 > j1:
            change += "{+" + "".join(new[j1:j2]) + "+}"
        parts.append(f"…{lead}{change}{tail}…")
    return " ".join(parts)


def _field_texts(document: Document, wide: set[str]) -> dict[str, list]:
    """Each field's segments. A field that filled whole paragraphs when the DOCX was made
    (`wide`) takes every segment of the paragraphs it is in: text typed at a paragraph's end,
    past the bookmark, is the field's too."""
    texts: dict[str, list] = {}
    for paragraph in document.paragraphs:
        for name in paragraph.fields:
            if name in wide:
                segments = paragraph.segments
            else:
                segments = [s for s in paragraph.segments if name in s.fields]
            bucket = texts.setdefault(name, [])
            if bucket:
                bucket.append(Segment("\n"))
            bucket.extend(segments)
    return texts


def _joined(segments, accepted: bool) -> str:
    skip = "del" if accepted else "ins"
    return "".join(s.text for s in segments if s.status != skip).strip()


def _runs(segments, kind: str) -> list[tuple[str, str]]:
    """Consecutive segments of one tracked kind, as (text, who)."""
    found: list[tuple[str, str]] = []
    previous = None
    for segment in segments:
        if segment.status != kind:
            previous = None
            continue
        who = segment.author + (f", {segment.date[:10]}" if segment.date else "")
        if previous == who and found:
            found[-1] = (found[-1][0] + segment.text, who)
        else:
            found.append((segment.text, who))
        previous = who
    return [(text, who) for text, who in found if text.strip()]


def compare(returned: Document, expected: Document, wide: set[str],
            order: list[str]) -> tuple[list[Change], dict[str, str]]:
    changes: list[Change] = []
    now: dict[str, str] = {}
    got = _field_texts(returned, wide)
    want = {name: _joined(segments, True)
            for name, segments in _field_texts(expected, wide).items()}
    reported_comments: set[str] = set()

    def comment_changes(place: str, segments, paragraphs) -> None:
        ids = [i for p in paragraphs for i in sorted(p.comments)]
        ids += [i for s in segments for i in sorted(s.comments)]
        for ident in dict.fromkeys(ids):
            comment = returned.comments.get(ident)
            if comment is None or ident in reported_comments:
                continue
            reported_comments.add(ident)
            anchored = "".join(s.text for s in segments if ident in s.comments).strip()
            who = comment.author + (f", {comment.date[:10]}" if comment.date else "")
            changes.append(Change(place, "comment", anchored, who, comment.text))

    for name in sorted(set(got) | set(want), key=lambda n: _field_order(n, order)):
        segments = got.get(name)
        if segments is None:
            changes.append(Change(name, "removed", "its text is gone from the document (or "
                                  "its bookmark was deleted): " + _quote(want[name])))
            continue
        paragraphs = [p for p in returned.paragraphs if name in p.fields]
        for text, who in _runs(segments, "ins"):
            changes.append(Change(name, "inserted", text, who))
        for text, who in _runs(segments, "del"):
            changes.append(Change(name, "deleted", text, who))
        comment_changes(name, segments, paragraphs)
        before = _joined(segments, False)
        if name not in want:
            changes.append(Change(name, "added", "not a field of the letter as it is now: "
                                  + _quote(before)))
        elif before != want[name]:
            changes.append(Change(name, "edited", "changed without tracking, or the letter "
                                  "changed since the DOCX was made: "
                                  + edit_summary(want[name], before)))
        if any(c.field == name and c.kind != "comment" for c in changes):
            now[name] = _joined(segments, True)

    # Text outside every field: compared in order with what the letter makes now.
    def outside(document: Document) -> list[tuple[str, Paragraph]]:
        result, last = [], "the beginning"
        for paragraph in document.paragraphs:
            if paragraph.fields:
                last = sorted(paragraph.fields, key=lambda n: _field_order(n, order))[-1]
                continue
            result.append((last, paragraph))
        return result

    mine = outside(expected)
    theirs = outside(returned)
    old_texts = [p.text().strip() for _, p in mine]
    new_texts = [p.text(False).strip() for _, p in theirs]
    matcher = difflib.SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for index in range(j1, j2):
            after, paragraph = theirs[index]
            if not new_texts[index] and not paragraph.text().strip():
                continue
            place = f"(no field; after {after})"
            old = old_texts[i1 + (index - j1)] if tag == "replace" and i1 + index - j1 < i2 \
                else None
            if old is not None:
                changes.append(Change(place, "edited", edit_summary(old, new_texts[index])))
            else:
                changes.append(Change(place, "added", _quote(new_texts[index])))
        if tag == "delete" or (tag == "replace" and i2 - i1 > j2 - j1):
            for index in range(i1 + (j2 - j1 if tag == "replace" else 0), i2):
                if old_texts[index]:
                    changes.append(Change(f"(no field; after {mine[index][0]})", "removed",
                                          _quote(old_texts[index])))
    for after, paragraph in theirs:
        place = f"(no field; after {after})"
        for text, who in _runs(paragraph.segments, "ins"):
            changes.append(Change(place, "inserted", text, who))
        for text, who in _runs(paragraph.segments, "del"):
            changes.append(Change(place, "deleted", text, who))
        comment_changes(place, paragraph.segments, [paragraph])
    return changes, now


def _field_order(name: str, order: list[str]) -> tuple:
    return (order.index(name), name) if name in order else (len(order), name)


# The command --------------------------------------------------------------------------------

def diff_docx(project, file: Path, letter_id: str) -> Report:
    """What changed in `file`, a DOCX of `letter_id` returned by a reviewer."""
    from ..content import blocks
    from ..localization.catalogs import catalog_path
    from ..outputs.docx import DocxWriter  # here: the reading child imports this module
    from ..pipeline.plan import plan
    from ..rendering.render import Renderer

    shown = str(file)
    properties = read_returned(file, shown).properties
    made_for = properties.get(PROP_LETTER)
    if not made_for:
        raise CartaError(f"{shown}: not a DOCX made by carta (it has no '{PROP_LETTER}' custom "
                         "property); diff-docx compares the copies 'carta build --format docx' "
                         "makes, as reviewers return them")
    if made_for != letter_id:
        raise CartaError(f"{shown} is a copy of the letter '{made_for}', not of '{letter_id}'; "
                         f"to compare it with its own letter: carta diff-docx {shown} {made_for}")
    locale = properties.get(PROP_LOCALE) or ""
    recipient = properties.get(PROP_RECIPIENT) or ""
    planned = plan(project, (letter_id,), (locale,), allow_untranslated=True, drafts=True)
    job = next((job for job in planned.jobs if not job.versions and job.locale == locale
                and (job.recipient.id if job.recipient else "") == recipient), None)
    if job is None:
        raise CartaError(f"{shown}: the letter '{letter_id}' has no {locale} copy "
                         f"{'for ' + recipient if recipient else 'for everyone'} any more, so "
                         "there is nothing to compare it with")
    writer = DocxWriter(None, Renderer(project), project)
    expected_bytes = writer.write(job)
    slots = list(blocks.letter_texts(job.letter))
    order = [slot.field for slot in slots]
    names = {bookmark_name(name): name for name in order}
    labels = {f"references[{number}].text": f"[^{reference.id}]"
              for number, reference in enumerate(job.letter.references, start=1)}
    expected = read_docx(expected_bytes, "the letter", names, labels)
    returned = read_returned(file, shown, names, labels)
    wide = {name for paragraph in expected.paragraphs for name in paragraph.fields
            if all(name in s.fields for s in paragraph.segments if s.text.strip())}
    changes, now = compare(returned, expected, wide, order)
    if locale == job.letter.language:
        where = project.shown(job.letter.source)
    else:
        where = project.shown(catalog_path(project, letter_id, locale))
    return Report(letter_id, locale, recipient, shown, where, changes, now)

