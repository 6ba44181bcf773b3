"""Word (DOCX) and OpenDocument (ODT) copies of a letter, for partners who edit in an office suite.

A DOCX is written from the same resolved, localized letter as the PDF and the HTML page
(`render.letter_context`, and the block declarations of generator/blocks.py for the field
each text comes from), never converted from the PDF. It has real structure, so that a partner
can review it with tracked changes and print it on their own letterhead: named paragraph styles
(Title, Heading 1/2, Normal, List Number, Quote, Date, Inside Address, Salutation, Closing,
Signature...), numbered lists that keep the PDF's numbers, real footnotes, hyperlinks, the
language of every paragraph, the paper and margins of carta.toml, page numbers in the footer,
and the title, author, language and date as document properties.

python-docx writes the package; what it has no API for (footnotes, numbering instances,
bookmarks, fields, custom properties) is written as WordprocessingML here. Every text that
comes from a field of the letter is wrapped in a bookmark named after that field
(`body[3].paragraph` -> carta_body_3__paragraph), and the document's custom properties name
the letter, locale and copy, so that a returned document can be compared field by field
(generator/office_diff.py).

The ODT is LibreOffice's conversion of that DOCX (soffice --headless), so both say the same.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

from ..core.errors import BuildError, CartaError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
              "custom-properties")
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOTX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"

# What the custom properties of a carta DOCX are called (File > Properties > Custom in Word).
PROP_LETTER = "carta-letter"
PROP_LOCALE = "carta-locale"
PROP_RECIPIENT = "carta-recipient"
PROP_GENERATOR = "carta-generator"

BOOKMARK_PREFIX = "carta_"
# Word refuses bookmark names longer than 40 characters; a longer field gets a hashed name.
BOOKMARK_MAX = 40

SERIF = "Source Serif Pro"
SANS = "Source Sans Pro"
INK, MUTED, ACCENT, RULE = "1D1D1F", "5B5F66", "1F4E79", "C9CED6"

# The page of templates/letter.css: 24mm 22mm 26mm 24mm (top right bottom left).
PAPER = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
MARGINS_MM = (24.0, 22.0, 26.0, 24.0)

# What a DOCX depends on besides its inputs: this writer's version and python-docx's. A build
# key includes it, so a new writer rebuilds every DOCX.
WRITER_VERSION = "1"


def recipe() -> str:
    try:
        python_docx = metadata.version("python-docx")
    except metadata.PackageNotFoundError:
        python_docx = None
    return f"office {WRITER_VERSION}; python-docx {python_docx}"


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


# Styles ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class StyleSpec:
    """One of carta's styles: created when the base document lacks it, and with carta's own
    reference document (no --reference-doc) always set to these values."""

    name: str
    kind: str = "paragraph"  # or "character"
    based_on: str | None = "Normal"
    font: str | None = None
    size: float | None = None  # points
    bold: bool | None = None
    italic: bool | None = None
    color: str | None = None
    align: str | None = None  # left, right, both
    before: float | None = None  # points
    after: float | None = None
    keep_next: bool = False
    keep_lines: bool = False
    superscript: bool = False
    border_bottom: str | None = None  # color of a rule under the paragraph
    indent_left: float | None = None  # points
    next_style: str | None = None


STYLES = (
    StyleSpec("Normal", based_on=None, font=SERIF, size=10.5, color=INK, align="both",
              before=0, after=10),
    StyleSpec("Title", font=SANS, size=17, bold=True, align="left", after=12, keep_next=True),
    StyleSpec("Heading 1", font=SANS, size=11.5, bold=True, color=ACCENT, align="left",
              before=16, after=5, keep_next=True, keep_lines=True),
    StyleSpec("Heading 2", font=SANS, size=10.5, bold=True, color=ACCENT, align="left",
              before=14, after=4, keep_next=True, keep_lines=True),
    StyleSpec("List Number", after=4.5),
    StyleSpec("Quote", italic=True, color=MUTED, indent_left=28, align="left"),
    StyleSpec("Sender", font=SANS, size=13, bold=True, color=ACCENT, align="left", after=0,
              keep_next=True),
    StyleSpec("Sender Contact", font=SANS, size=8.5, color=MUTED, align="left", after=20,
              border_bottom=ACCENT),
    StyleSpec("Date", align="right", after=19),
    StyleSpec("Address Label", bold=True, align="left", after=3, keep_next=True),
    StyleSpec("Inside Address", align="left", after=6, keep_lines=True, keep_next=True),
    StyleSpec("Subject", bold=True, align="left", before=12, after=10),
    StyleSpec("Salutation", align="left", before=8, after=10),
    StyleSpec("List Lead-in", bold=True, align="left", before=10, after=3, keep_next=True,
              keep_lines=True),
    StyleSpec("Closing", align="left", before=22, after=30, keep_next=True),
    StyleSpec("Signature", bold=True, align="left", after=0, keep_next=True),
    StyleSpec("Signer", align="left", before=6, after=0, keep_lines=True),
    StyleSpec("Copies", size=9.5, color=MUTED, align="left", after=0),
    StyleSpec("Signatory Count", font=SANS, size=9.5, color=MUTED, align="left", after=6,
              keep_next=True),
    StyleSpec("Signatory", align="left", after=3.5, keep_lines=True),
    StyleSpec("Table Heading", font=SANS, size=9.5, bold=True, align="left", after=2),
    StyleSpec("Small Print", size=8.5, color=MUTED, align="left", before=6, after=0),
    StyleSpec("Draft Mark", font=SANS, size=10, bold=True, color="B00020", align="left"),
    StyleSpec("Footnote Text", size=8, align="left", after=0),
    StyleSpec("Footer", font=SANS, size=8, color=MUTED, align="right", after=0),
    StyleSpec("Footnote Reference", kind="character", based_on=None, superscript=True),
    StyleSpec("Hyperlink", kind="character", based_on=None, color=ACCENT),
    StyleSpec("Link Address", kind="character", based_on=None, size=8.5),
    StyleSpec("Status Line", kind="character", based_on=None, italic=True, color=MUTED,
              size=9.5),
)


def _ensure_styles(document, own: bool) -> None:
    """Make every style carta uses exist; with carta's own base document (`own`), also give
    each carta's look. A partner's styles are kept as they are."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    styles = document.styles
    aligns = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
              "both": WD_ALIGN_PARAGRAPH.JUSTIFY}
    for spec in STYLES:
        kind = WD_STYLE_TYPE.CHARACTER if spec.kind == "character" else WD_STYLE_TYPE.PARAGRAPH
        try:
            style = styles[spec.name]
            created = False
        except KeyError:
            style = styles.add_style(spec.name, kind)
            created = True
        if not (own or created):
            continue
        style.hidden = False
        style.quick_style = spec.kind == "paragraph"
        if spec.based_on and spec.based_on != spec.name:
            style.base_style = styles[spec.based_on]
        font = style.font
        if spec.font:
            _set_fonts(style.element.get_or_add_rPr(), spec.font)
        if spec.size is not None:
            font.size = Pt(spec.size)
        if spec.bold is not None:
            font.bold = spec.bold
        if spec.italic is not None:
            font.italic = spec.italic
        if spec.color:
            font.color.rgb = RGBColor.from_string(spec.color)
        if spec.superscript:
            font.superscript = True
        if spec.kind != "paragraph":
            continue
        para = style.paragraph_format
        if spec.align:
            para.alignment = aligns[spec.align]
        if spec.before is not None:
            para.space_before = Pt(spec.before)
        if spec.after is not None:
            para.space_after = Pt(spec.after)
        if spec.indent_left is not None:
            para.left_indent = Pt(spec.indent_left)
        para.keep_with_next = spec.keep_next or None
        para.keep_together = spec.keep_lines or None
        if spec.name == "Normal":
            para.widow_control = True
            # CSS line-height 1.5 at 10.5pt: at least 15.75pt, room for a footnote call.
            spacing = style.element.get_or_add_pPr().get_or_add_spacing()
            spacing.set(w("line"), "315")
            spacing.set(w("lineRule"), "atLeast")
        elif spec.name == "Footnote Text":
            spacing = style.element.get_or_add_pPr().get_or_add_spacing()
            spacing.set(w("line"), "240")
            spacing.set(w("lineRule"), "auto")
        if spec.border_bottom:
            _border_bottom(style.element.get_or_add_pPr(), spec.border_bottom)


def _set_fonts(rPr, family: str) -> None:
    from docx.oxml import OxmlElement

    fonts = rPr.find(w("rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rPr.insert(0, fonts)
    for key in list(fonts.attrib):
        del fonts.attrib[key]  # theme fonts would win over the names
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(w(attr), family)


def _border_bottom(pPr, color: str) -> None:
    from docx.oxml import OxmlElement

    borders = pPr.find(w("pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # pBdr comes after keepNext/keepLines/pageBreakBefore/framePr/widowControl/numPr...
        spacing = pPr.find(w("spacing"))
        if spacing is not None:
            spacing.addprevious(borders)
        else:
            pPr.append(borders)
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "6"), ("color", color)):
        bottom.set(w(key), value)
    borders.append(bottom)


# Inline HTML to runs ----------------------------------------------------------------------

NOTE_TAG = "carta-note"  # what `_NoteCalls.call` puts where a footnote is called


class _Inline(HTMLParser):
    """The inline HTML carta renders from Markdown (em, strong, code, a, br, and the footnote
    calls), as a flat list of pieces: ("text", text, marks), ("link", href, named) ...
    ("end-link",), ("br",), ("note", anchor, first)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple] = []
        self.marks: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("em", "i"):
            self.marks.append("i")
        elif tag in ("strong", "b"):
            self.marks.append("b")
        elif tag == "code":
            self.marks.append("code")
        elif tag == "a":
            named = "named-link" in (values.get("class") or "").split()
            self.pieces.append(("link", values.get("href") or "", named))
        elif tag == "br":
            self.pieces.append(("br",))
        elif tag == NOTE_TAG:
            self.pieces.append(("note", values.get("data-anchor"), values.get("data-first") == "1"))

    def handle_endtag(self, tag):
        mark = {"em": "i", "i": "i", "strong": "b", "b": "b", "code": "code"}.get(tag)
        if mark and mark in self.marks:
            del self.marks[len(self.marks) - 1 - self.marks[::-1].index(mark)]
        elif tag == "a":
            self.pieces.append(("end-link",))

    def handle_data(self, data):
        # HTML whitespace: Markdown's soft line breaks are spaces.
        text = re.sub(r"\s+", " ", data)
        if text:
            self.pieces.append(("text", text, frozenset(self.marks)))


def inline_pieces(html) -> list[tuple]:
    parser = _Inline()
    parser.feed(str(html or ""))
    parser.close()
    return parser.pieces


def plain_text(html) -> str:
    """The text of inline HTML, as a reader sees it (no notes)."""
    return "".join(piece[1] for piece in inline_pieces(html) if piece[0] == "text")


# The document writer ----------------------------------------------------------------------

@dataclass
class _Footnote:
    id: int
    note: object  # render.Note
    field: str | None  # "references[2].text", or None for a link's note


@dataclass
class _State:
    """What writing one document keeps track of."""

    lang: str  # w:lang of the document's language ("es-ES")
    link_style: str
    note_style: str
    notes: dict = field(default_factory=dict)  # anchor -> render.Note, filled by `call`
    footnotes: dict = field(default_factory=dict)  # anchor -> _Footnote
    note_fields: dict = field(default_factory=dict)  # reference id -> "references[n].text"
    next_bookmark: int = 1
    numbering: dict = field(default_factory=dict)  # list kind -> (numId, next number)


def word_lang(tag: str | None) -> str | None:
    """A BCP 47 tag as Word's spelling and hyphenation want it: with a region ("es" ->
    "es-ES", "en" -> "en-US"), from CLDR's likely subtags."""
    if not tag:
        return None
    if "-" in tag:
        return tag
    from babel.core import get_global

    likely = get_global("likely_subtags").get(tag.lower())
    if likely:
        parts = likely.split("_")
        region = next((part for part in parts[1:] if part.isupper() and len(part) == 2), None)
        if region:
            return f"{tag}-{region}"
    return tag


def bookmark_name(field_path: str) -> str:
    """A Word bookmark name for a field path: "body[3].grievances[2].text" ->
    "carta_body_3__grievances_2__text" (segments joined by "__", an index as "_n"); one over
    Word's 40 characters is "carta__" and a hash, found again through the letter's fields."""
    encoded = re.sub(r"\[(\d+)\]", r"_\1", field_path).replace(".", "__")
    name = BOOKMARK_PREFIX + encoded
    if len(name) <= BOOKMARK_MAX and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        return name
    return BOOKMARK_PREFIX + "_" + hashlib.sha1(field_path.encode()).hexdigest()[:12]


def field_of_bookmark(name: str) -> str | None:
    """The field path a bookmark name stands for (None: not carta's, or a hashed name)."""
    # LibreOffice renames the bookmarks it copies while reading footnotes: "..._Copy_1".
    name = re.sub(r"_Copy_\d+$", "", name)
    if not name.startswith(BOOKMARK_PREFIX) or name.startswith(BOOKMARK_PREFIX + "_"):
        return None
    segments = []
    for segment in name[len(BOOKMARK_PREFIX):].split("__"):
        found = re.fullmatch(r"([a-z][a-z_]*?)(?:_(\d+))?", segment)
        if not found:
            return None
        segments.append(found.group(1) + (f"[{found.group(2)}]" if found.group(2) else ""))
    return ".".join(segments)


class DocxWriter:
    """Writes one letter (one locale, one copy) into a base document: carta's own, or a
    partner's reference document with its header, footer, logo and styles."""

    def __init__(self, base: bytes | None, renderer, project):
        import docx

        self.own = base is None
        self.document = docx.Document(io.BytesIO(base) if base is not None else None)
        self.renderer = renderer
        self.project = project
        self.warnings: list[str] = []
        self.files_read: set[Path] = set()
        self._clear_body()
        _ensure_styles(self.document, self.own)
        self.body = self.document.element.body
        self._footnotes_root = None

    # The base document ------------------------------------------------------------------

    def _clear_body(self) -> None:
        """The base document's own text goes; its last section (page, header, footer) stays."""
        body = self.document.element.body
        for child in list(body):
            if child.tag != w("sectPr"):
                body.remove(child)
        if self.own:
            # python-docx's template carries a thumbnail of its own sample page: not ours.
            package = self.document.part.package
            for rel_id, rel in list(package.rels.items()):
                if rel.reltype.endswith("/thumbnail"):
                    del package.rels[rel_id]

    # Writing --------------------------------------------------------------------------

    def write(self, job) -> bytes:
        from ..content import blocks
        from ..rendering import render

        letter, locale, recipient = job.letter, job.locale, job.recipient
        self.locale = locale
        env = self.renderer.environment(locale)
        self.env = env
        calls = _NoteCalls()
        context = render.letter_context(letter, locale, self.project, recipient, calls.call,
                                        self.renderer.files_read)
        self.context = context
        self.state = _State(lang=word_lang(context["lang"]), link_style=context["link_style"],
                            note_style=context["note_style"], notes=calls.notes)
        self.state.note_fields = {reference.id: f"references[{number}].text"
                                  for number, reference in enumerate(letter.references, 1)}
        fields = {slot.field for slot in blocks.letter_texts(letter)}

        if letter.draft:
            self._paragraph("Draft Mark", [("text", self._phrase('{{ _("DRAFT") }}'), ())])
        if context["headline"]:
            self._field_paragraph("Title", context["headline"], "title", fields, plain=True)
        if context["letterhead"]:
            self._letterhead(letter, context)
        self._dateline(context, fields)
        self._recipients(context, fields)
        if context["subject"]:
            label = self._phrase('{{ _("Subject:") }}')
            paragraph = self._paragraph("Subject", [("text", label + " ", frozenset("b"))])
            self._append_field(paragraph, "subject", [("text", context["subject"], ())])
        if context["salutation"] is not None:
            text = context["salutation"] or self._phrase('{{ _("Dear Sir or Madam,") }}')
            shown = "salutation" if isinstance(letter.salutation, str) else None
            self._field_paragraph("Salutation", text, shown, fields, plain=True)
        self._blocks(letter.body, context["blocks"], "body", recipient)
        self._signature(context, fields)
        if context["cc"]:
            self._paragraph("Copies", [("text", self._phrase('{{ _("cc:") }}'), ())])
            for person in context["cc"]:
                text = ", ".join(filter(None, (person["name"], person["role"],
                                               person["organization"])))
                self._paragraph("Copies", [("text", text, ())])
        self._signatories(context)
        self._blocks(letter.postscript, context["postscript"], "postscript", recipient)
        self._page_setup(context)
        self._properties(job, context)
        self._settings()
        return self._save(letter.date)

    def _phrase(self, source: str, **values) -> str:
        """A template phrase in the document's language, through the templates' catalogs."""
        return self.env.from_string(source).render(**values)

    # Paragraphs and runs ----------------------------------------------------------------

    def _paragraph(self, style: str, pieces=(), lang: str | None = None, parent=None):
        from docx.oxml import OxmlElement

        paragraph = OxmlElement("w:p")
        pPr = OxmlElement("w:pPr")
        style_el = OxmlElement("w:pStyle")
        style_el.set(w("val"), self.document.styles[style].style_id)
        pPr.append(style_el)
        paragraph.append(pPr)
        # The paragraph mark's language: what Word shows for an empty paragraph too.
        mark = OxmlElement("w:rPr")
        mark.append(_lang_element(lang or self.state.lang))
        pPr.append(mark)
        if parent is None:
            sectPr = self.body.find(w("sectPr"))
            if sectPr is not None:
                sectPr.addprevious(paragraph)
            else:
                self.body.append(paragraph)
        else:
            parent.append(paragraph)
        self._append(paragraph, pieces, lang)
        return paragraph

    def _field_paragraph(self, style, html, field_path, fields, lang=None, plain=False):
        pieces = [("text", str(html), ())] if plain else inline_pieces(html)
        paragraph = self._paragraph(style, (), lang)
        if field_path and field_path in fields:
            self._append_field(paragraph, field_path, pieces, lang)
        else:
            self._append(paragraph, pieces, lang)
        return paragraph

    def _append_field(self, paragraph, field_path, pieces, lang=None):
        """Pieces wrapped in a bookmark that names the letter's field they come from."""
        from docx.oxml import OxmlElement

        ident = str(self.state.next_bookmark)
        self.state.next_bookmark += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(w("id"), ident)
        start.set(w("name"), bookmark_name(field_path))
        paragraph.append(start)
        self._append(paragraph, pieces, lang)
        end = OxmlElement("w:bookmarkEnd")
        end.set(w("id"), ident)
        paragraph.append(end)

    def _append(self, paragraph, pieces, lang=None, container=None) -> None:
        """Runs for the pieces: text with its marks, links, line breaks, footnote calls."""
        target = paragraph
        link_href = None
        link_named = False
        for piece in pieces:
            kind = piece[0]
            if kind == "text":
                run = self._run(piece[1], piece[2], lang, "Hyperlink" if link_href else None)
                if self.state.link_style == "underline" and link_href:
                    run[0].append(_on("w:u", "single"))
                target.append(run)
            elif kind == "br":
                target.append(self._break_run(lang))
            elif kind == "link":
                link_href, link_named = piece[1], piece[2]
                target = self._hyperlink(paragraph, link_href)
            elif kind == "end-link":
                if target is not paragraph and len(target) == 0:
                    paragraph.remove(target)
                target = paragraph
                if link_named and self.state.link_style == "url-after":
                    # Paper cannot be clicked: the address follows in small type, as in the PDF.
                    paragraph.append(self._run(f" ({link_href})", (), lang, "Link Address"))
                link_href = None
            elif kind == "note":
                self._note_call(paragraph, piece[1], piece[2], lang)

    def _run(self, text: str, marks=(), lang=None, char_style: str | None = None):
        from docx.oxml import OxmlElement

        run = OxmlElement("w:r")
        rPr = OxmlElement("w:rPr")
        if char_style:
            style = OxmlElement("w:rStyle")
            style.set(w("val"), self.document.styles[char_style].style_id)
            rPr.append(style)
        if "code" in marks:
            fonts = OxmlElement("w:rFonts")
            for attr in ("ascii", "hAnsi", "cs"):
                fonts.set(w(attr), "Courier New")
            rPr.append(fonts)
        if "b" in marks:
            rPr.append(OxmlElement("w:b"))
        if "i" in marks:
            rPr.append(OxmlElement("w:i"))
        rPr.append(_lang_element(lang or self.state.lang))
        run.append(rPr)
        text_el = OxmlElement("w:t")
        text_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        text_el.text = text
        run.append(text_el)
        return run

    def _break_run(self, lang=None):
        from docx.oxml import OxmlElement

        run = OxmlElement("w:r")
        rPr = OxmlElement("w:rPr")
        rPr.append(_lang_element(lang or self.state.lang))
        run.append(rPr)
        run.append(OxmlElement("w:br"))
        return run

    def _hyperlink(self, paragraph, href: str):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml import OxmlElement

        link = OxmlElement("w:hyperlink")
        link.set(f"{{{R_NS}}}id", self.document.part.relate_to(href, RT.HYPERLINK,
                                                               is_external=True))
        link.set(w("history"), "1")
        paragraph.append(link)
        return link

    # Footnotes --------------------------------------------------------------------------

    def _note_call(self, paragraph, anchor: str, first: bool, lang) -> None:
        from docx.oxml import OxmlElement

        note = self.state.notes[anchor]
        custom = self.state.note_style != "numeric"
        if first or anchor not in self.state.footnotes:
            footnote = self._footnote(note, lang)
            run = OxmlElement("w:r")
            rPr = OxmlElement("w:rPr")
            style = OxmlElement("w:rStyle")
            style.set(w("val"), self.document.styles["Footnote Reference"].style_id)
            rPr.append(style)
            run.append(rPr)
            reference = OxmlElement("w:footnoteReference")
            if custom:
                # The letter's own marks (* † ‡ § ‖ ¶, [1]), the ones the PDF prints.
                reference.set(w("customMarkFollows"), "1")
            reference.set(w("id"), str(footnote.id))
            run.append(reference)
            # A hidden bookmark around the call, for a repeated call's cross-reference.
            ident = str(self.state.next_bookmark)
            self.state.next_bookmark += 1
            start = OxmlElement("w:bookmarkStart")
            start.set(w("id"), ident)
            start.set(w("name"), f"_RefCartaNote{footnote.id}")
            end = OxmlElement("w:bookmarkEnd")
            end.set(w("id"), ident)
            paragraph.append(start)
            paragraph.append(run)
            if custom:
                mark = self._run(note.marker, (), lang, "Footnote Reference")
                paragraph.append(mark)
            paragraph.append(end)
            return
        # A repeated call: the note's number again, as a cross-reference Word keeps right.
        footnote = self.state.footnotes[anchor]
        for part in ("begin", None, "separate", "result", "end"):
            run = OxmlElement("w:r")
            if part == "result":
                run = self._run(note.marker, (), lang, "Footnote Reference")
            elif part is None:
                instr = OxmlElement("w:instrText")
                instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                instr.text = f" NOTEREF _RefCartaNote{footnote.id} \\f \\h "
                run.append(instr)
            else:
                char = OxmlElement("w:fldChar")
                char.set(w("fldCharType"), part)
                run.append(char)
            paragraph.append(run)

    def _footnotes(self):
        """The footnotes part, the base document's or a new one with Word's separators."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import XmlPart
        from docx.oxml import parse_xml

        if self._footnotes_root is not None:
            return self._footnotes_root
        part = self.document.part
        for rel in part.rels.values():
            if rel.reltype == RT.FOOTNOTES and not rel.is_external:
                target = rel.target_part
                if not isinstance(target, XmlPart):
                    target = XmlPart(target.partname, target.content_type,
                                     parse_xml(target.blob), target.package)
                    rel._target = target
                self._footnotes_root = target.element
                return self._footnotes_root
        xml = (f'<w:footnotes xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
               '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
               'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p>'
               '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>'
               '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r>'
               '<w:continuationSeparator/></w:r></w:p></w:footnote></w:footnotes>')
        new = XmlPart(PackURI("/word/footnotes.xml"), FOOTNOTES_TYPE, parse_xml(xml),
                      part.package)
        part.relate_to(new, RT.FOOTNOTES)
        self._footnotes_root = new.element
        return new.element

    def _footnote(self, note, lang) -> _Footnote:
        from docx.oxml import OxmlElement

        root = self._footnotes()
        ids = [int(el.get(w("id"))) for el in root.findall(w("footnote"))]
        footnote = _Footnote(max([0, *ids]) + 1, note,
                             None if note.link else self.state.note_fields.get(note.id))
        self.state.footnotes[note.anchor] = footnote
        element = OxmlElement("w:footnote")
        element.set(w("id"), str(footnote.id))
        root.append(element)
        note_lang = word_lang(note.lang) if note.lang else None
        paragraph = self._paragraph("Footnote Text", (), note_lang, parent=element)
        mark = OxmlElement("w:r")
        rPr = OxmlElement("w:rPr")
        style = OxmlElement("w:rStyle")
        style.set(w("val"), self.document.styles["Footnote Reference"].style_id)
        rPr.append(style)
        mark.append(rPr)
        if self.state.note_style == "numeric":
            mark.append(OxmlElement("w:footnoteRef"))
            paragraph.append(mark)
        else:
            paragraph.append(self._run(note.marker, (), note_lang, "Footnote Reference"))
        paragraph.append(self._run(" ", (), note_lang))
        pieces = inline_pieces(note.html)
        if footnote.field:
            self._append_field(paragraph, footnote.field, pieces, note_lang)
        else:
            self._append(paragraph, pieces, note_lang)
        return footnote

    # Parts of the letter ----------------------------------------------------------------

    def _letterhead(self, letter, context) -> None:
        sender = context["sender"]
        paragraph = self._paragraph("Sender")
        logo = self._logo(letter.sender.logo, sender["name"])
        if logo is not None:
            paragraph.append(logo)
            paragraph.append(self._run("  "))
        self._append(paragraph, [("text", sender["name"], ())])
        contact = [*sender["address"], *filter(None, (sender["email"], sender["url"]))]
        # The rule under the letterhead belongs to the contact line; with none, an empty one.
        self._paragraph("Sender Contact", [("text", " · ".join(contact), ())])

    def _logo(self, path: Path | None, description: str):
        if path is None:
            return None
        from docx.oxml.ns import qn
        from docx.shared import Pt

        self.files_read.add(Path(path))
        data = Path(path).read_bytes()
        if Path(path).suffix.lower() not in (".png", ".jpg", ".jpeg", ".gif"):
            try:
                from PIL import Image

                converted = io.BytesIO()
                Image.open(io.BytesIO(data)).save(converted, "PNG")
                data = converted.getvalue()
            except Exception:  # noqa: BLE001  an SVG logo: Pillow cannot draw it
                self.warnings.append(f"the logo {Path(path).name} is not a PNG, JPEG or GIF "
                                     "picture: the DOCX has the sender's name without it")
                return None
        run = self.document.add_paragraph().add_run()
        run.add_picture(io.BytesIO(data), height=Pt(34))
        # Word reads a picture's description aloud, as a browser reads alt text.
        for properties in run._r.iter(qn("wp:docPr")):
            properties.set("descr", description)
        holder = run._r.getparent()
        holder.getparent().remove(holder)
        return run._r

    def _dateline(self, context, fields) -> None:
        from ..localization import locales

        paragraph = self._paragraph("Date")
        if context["place"]:
            self._append_field(paragraph, "place", [("text", context["place"], ())])
            self._append(paragraph, [("text", ", ", ())])
        self._append(paragraph, [("text", locales.format_date(context["date"], self.locale), ())])

    def _recipients(self, context, fields) -> None:
        if not context["recipients"]:
            return
        if context["address_label"]:
            paragraph = self._paragraph("Address Label")
            self._append_field(paragraph, "address_label",
                               [("text", context["address_label"], ())])
        for recipient in context["recipients"]:
            pieces = [("text", recipient["name"], frozenset("b"))]
            for line in (recipient["role"], recipient["organization"], *recipient["address"]):
                if line:
                    pieces += [("br",), ("text", line, ())]
            self._paragraph("Inside Address", pieces)

    def _signature(self, context, fields) -> None:
        if context["closing"] is not None:
            text = context["closing"] or self._phrase('{{ _("Sincerely,") }}')
            self._field_paragraph("Closing", text, "closing" if context["closing"] else None,
                                  fields, plain=True)
        if context["signer"]:
            self._paragraph("Signature", [("text", context["sender"]["name"], ())])
        for person in context["signers"]:
            pieces = [("text", person["name"], frozenset("b"))]
            if person["role"]:
                pieces += [("br",), ("text", person["role"], ())]
            self._paragraph("Signer", pieces)

    def _blocks(self, part, rendered, section: str, recipient) -> None:
        """Each block of the body (or postscript) the copy holds, with its field paths from
        the block declarations: the same walk as validation, catalogs and checks."""
        from ..content import blocks

        # letter_context leaves out the blocks not meant for this copy: the same filter here
        # gives each rendered block its index in the letter, which its field paths name.
        indexed = [(index, block) for index, block in enumerate(part, start=1)
                   if recipient is None or not block.only_for
                   or recipient.matches(block.only_for)]
        for (index, block), context in zip(indexed, rendered, strict=True):
            declared = blocks.declaration_of(block)
            where = {slot.target[2:]: slot.field
                     for slot in blocks.body_texts(block, index, section)}
            writer = getattr(self, f"_block_{declared.kind}", None)
            if writer is not None:
                writer(declared, context, where)
            else:
                self._block_generic(declared, context, where)

    def _lang(self, value) -> str | None:
        return word_lang(value) if value else None

    def _text_paragraph(self, style, html, field_path, lang=None):
        paragraph = self._paragraph(style, (), lang)
        if field_path:
            self._append_field(paragraph, field_path, inline_pieces(html), lang)
        else:
            self._append(paragraph, inline_pieces(html), lang)
        return paragraph

    def _block_paragraph(self, declared, context, where) -> None:
        self._text_paragraph("Normal", context["text"], where.get((None, "text")),
                             self._lang(context.get("lang")))

    def _block_heading(self, declared, context, where) -> None:
        self._text_paragraph("Heading 1", context["text"], where.get((None, "text")),
                             self._lang(context.get("lang")))

    def _block_generic(self, declared, context, where) -> None:
        """A block type carta's DOCX writer does not know (a project's own): each of its
        texts in the paragraph style named after its kind ("quote" -> Quote), if the document
        has one, else Normal."""
        style = declared.kind.replace("_", " ").title()
        try:
            self.document.styles[style]
        except KeyError:
            style = "Normal"
        if declared.has_items:
            for number, item in enumerate(context["items"]):
                for text in declared.texts:
                    if item.get(text.attr):
                        self._text_paragraph(style, item[text.attr],
                                             where.get((number, text.attr)),
                                             self._lang(item.get(text.lang_attr)))
            return
        for text in declared.texts:
            if context.get(text.attr):
                shaped = context[text.attr]
                self._text_paragraph(style, shaped, where.get((None, text.attr)),
                                     self._lang(context.get(text.lang_attr)))

    def _list_lead_in(self, context, where) -> None:
        if context.get("to"):
            pieces = [("text", str(context["to"]), ())]
            paragraph = self._paragraph("List Lead-in", (), self._lang(context.get("to_lang")))
            field_path = where.get((None, "to"))
            if field_path and not context.get("to_recipient"):
                self._append_field(paragraph, field_path, pieces)
            else:
                self._append(paragraph, pieces)

    def _numbered(self, kind: str, start: int, restart: bool) -> int:
        """The numbering instance of a list: the previous list's of its kind when this one
        goes on from it (so that Word keeps counting, even after an edit), else a new one
        that starts at `start`, the PDF's number."""
        current = self.state.numbering.get(kind)
        if current and not restart and current[1] == start:
            return current[0]
        return _new_numbering(self.document, kind, start)

    def _numbered_items(self, kind, context, where, restart) -> list:
        start = context.get("start", 1)
        num_id = self._numbered(kind, start, restart)
        self.state.numbering[kind] = (num_id, start + len(context["items"]))
        paragraphs = []
        for number, item in enumerate(context["items"]):
            paragraph = self._paragraph("List Number", (), self._lang(item.get("lang")))
            _number_paragraph(paragraph, num_id)
            field_path = where.get((number, "text"))
            if field_path:
                self._append_field(paragraph, field_path, inline_pieces(item["text"]),
                                   self._lang(item.get("lang")))
            else:
                self._append(paragraph, inline_pieces(item["text"]), self._lang(item.get("lang")))
            paragraphs.append(paragraph)
        if paragraphs:
            _space_after(paragraphs[-1], 10)  # the list's end: a paragraph's space, as in the PDF
        return paragraphs

    def _block_grievances(self, declared, context, where) -> None:
        self._list_lead_in(context, where)
        self._numbered_items("grievances", context, where,
                             context.get("numbering") == "restart")

    def _block_demands(self, declared, context, where) -> None:
        self._list_lead_in(context, where)
        self._numbered_items("demands", context, where, context.get("numbering") == "restart")

    def _block_demand_status(self, declared, context, where) -> None:
        self._paragraph("Heading 2", [("text", self._phrase('{{ _("Status of our requests") }}'),
                                       ())])
        if self.context["follows_date"]:
            intro = self._phrase(
                '{% trans date=follows_date|date, ago=since_followed|duration(True) %}In our '
                'letter of {{ date }}, {{ ago }}, we asked:{% endtrans %}', **self.context)
            self._paragraph("Normal", [("text", intro, ())])
        labels = self.env.from_string(
            '{%- from "status_labels.html" import status_labels with context -%}'
            '{{ status_labels|tojson }}')
        import json

        status_labels = json.loads(labels.render())
        num_id = _new_numbering(self.document, "demand_status", 1)
        for number, item in enumerate(context["items"]):
            lang = self._lang(item.get("lang"))
            paragraph = self._paragraph("List Number", (), lang)
            _number_paragraph(paragraph, num_id)
            if where.get((number, "text")):
                self._append_field(paragraph, where[(number, "text")],
                                   inline_pieces(item["text"]), lang)
            else:
                self._append(paragraph, inline_pieces(item["text"]), lang)
            status = self._phrase(
                '{% trans date=item.first_date|date, ago=(date - item.first_date)|duration(True)'
                ', status=status_labels[item.status] %}First asked on {{ date }} ({{ ago }}). '
                'Status: {{ status }}.{% endtrans %}',
                item=item, date=self.context["date"], status_labels=status_labels)
            paragraph.append(self._break_run(lang))
            paragraph.append(self._run(status, (), None, "Status Line"))
            if item.get("note"):
                paragraph.append(self._break_run(lang))
                note_lang = self._lang(item.get("note_lang"))
                field_path = where.get((number, "note"))
                if field_path:
                    self._append_field(paragraph, field_path, inline_pieces(item["note"]),
                                       note_lang)
                else:
                    self._append(paragraph, inline_pieces(item["note"]), note_lang)

    def _signatories(self, context) -> None:
        for number, tier in enumerate(context["signatures"], start=1):
            if tier["title"]:
                paragraph = self._paragraph("Heading 2", (), self._lang(tier["lang"]))
                self._append_field(paragraph, f"signatories.tiers[{number}].title",
                                   [("text", tier["title"], ())], self._lang(tier["lang"]))
            if tier["count"]:
                parts = []
                if tier["organizations"]:
                    parts.append(self._phrase(
                        '{% trans count=n %}{{ count }} signing organization{% pluralize %}'
                        '{{ count }} signing organizations{% endtrans %}',
                        n=tier["organizations"]))
                if tier["individuals"]:
                    parts.append(self._phrase(
                        '{% trans count=n %}{{ count }} person signing{% pluralize %}'
                        '{{ count }} people signing{% endtrans %}', n=tier["individuals"]))
                self._paragraph("Signatory Count", [("text", " · ".join(parts), ())])
            if tier["layout"] == "table":
                self._roster(tier)
            else:
                for entry in tier["entries"]:
                    pieces = [("text", entry["name"], frozenset("b"))]
                    if entry["detail"]:
                        pieces += [("br",), ("text", entry["detail"], ())]
                    self._paragraph("Signatory", pieces)
            if tier["affiliated"]:
                self._paragraph("Small Print", [("text", self._phrase(
                    '{{ _("Affiliations are given for identification purposes only.") }}'), ())])

    def _roster(self, tier) -> None:
        """A tier as a table: a header row repeated on every page, rows that never split."""
        from docx.oxml import OxmlElement

        located = any(entry["where"] for entry in tier["entries"])
        columns = [("name", self._phrase('{{ _("Name") }}'))]
        if tier["affiliated"]:
            columns.append(("affiliation", self._phrase('{{ _("Affiliation") }}')))
        if located:
            label = '{{ _("Place") }}' if tier["places"] else '{{ _("Country") }}'
            columns.append(("where", self._phrase(label)))
        table = self.document.add_table(rows=0, cols=len(columns))
        element = table._tbl
        element.getparent().remove(element)
        self.body.find(w("sectPr")).addprevious(element)
        tblPr = element.tblPr
        borders = OxmlElement("w:tblBorders")
        for side in ("top", "bottom", "insideH"):
            border = OxmlElement(f"w:{side}")
            for key, value in (("val", "single"), ("sz", "4"), ("space", "0"),
                               ("color", RULE)):
                border.set(w(key), value)
            borders.append(border)
        tblPr.append(borders)
        rows = [[label for _, label in columns]]
        rows += [[entry[key] or "" for key, _ in columns] for entry in tier["entries"]]
        for position, values in enumerate(rows):
            row = table.add_row()
            trPr = row._tr.get_or_add_trPr()
            trPr.append(OxmlElement("w:cantSplit"))
            if position == 0:
                trPr.append(OxmlElement("w:tblHeader"))
            for cell, value in zip(row.cells, values, strict=True):
                paragraph = cell.paragraphs[0]._p
                paragraph.getparent().remove(paragraph)
                style = "Table Heading" if position == 0 else "Signatory"
                marks = frozenset("b") if position and value == values[0] else frozenset()
                self._paragraph(style, [("text", value, marks)], parent=cell._tc)

    # Page, properties, settings, package -------------------------------------------------

    def _page_setup(self, context) -> None:
        from docx.shared import Mm

        section = self.document.sections[-1]
        if self.own:
            width, height = PAPER.get(context["paper"], PAPER["A4"])
            section.page_width, section.page_height = Mm(width), Mm(height)
            top, right, bottom, left = MARGINS_MM
            section.top_margin, section.right_margin = Mm(top), Mm(right)
            section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
            section.footer_distance = Mm(12)
        # A partner's letterhead keeps its own page and footer; one with no footer gets
        # carta's page numbers.
        if self.own or section.footer.is_linked_to_previous:
            self._page_numbers(section)

    def _page_numbers(self, section) -> None:
        from docx.oxml import OxmlElement

        footer = section.footer
        footer.is_linked_to_previous = False
        container = footer._element
        for child in list(container):
            container.remove(child)
        phrase = self._phrase('{{ _("Page {page} of {pages}") }}')
        paragraph = self._paragraph("Footer", (), parent=container)
        for index, part in enumerate(re.split(r"\{(page|pages)\}", phrase)):
            if index % 2 == 0:
                if part:
                    paragraph.append(self._run(part))
                continue
            instruction = "PAGE" if part == "page" else "NUMPAGES"
            simple = OxmlElement("w:fldSimple")
            simple.set(w("instr"), f" {instruction} ")
            simple.append(self._run("1"))
            paragraph.append(simple)

    def _properties(self, job, context) -> None:
        created = datetime.datetime.combine(job.letter.date, datetime.time(),
                                            tzinfo=datetime.UTC)
        core = self.document.core_properties
        core.title = context["title"]
        core.author = context["sender"]["name"]
        core.last_modified_by = context["sender"]["name"]
        core.language = context["lang"]
        core.created = created
        core.modified = created
        core.subject = context["subject"] or ""
        core.keywords = ", ".join(filter(None, context["keywords"]))
        core.comments = f"Made by {context['generator']} from {job.letter.id}"
        core.category = ""
        core.content_status = "Draft" if job.letter.draft else ""
        core.revision = 1
        core.identifier = job.letter.id
        self._custom_properties({
            PROP_LETTER: job.letter.id,
            PROP_LOCALE: job.locale,
            PROP_RECIPIENT: job.recipient.id if job.recipient else "",
            PROP_GENERATOR: context["generator"],
        })

    def _custom_properties(self, values: dict[str, str]) -> None:
        """docProps/custom.xml: carta's properties, beside any the partner's document has."""
        from lxml import etree

        package = self.document.part.package
        existing = next((rel for rel in package.rels.values()
                         if rel.reltype == CUSTOM_REL and not rel.is_external), None)
        if existing is not None:
            root = etree.fromstring(existing.target_part.blob)
        else:
            root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS,
                                                                       "vt": VT_NS})
        for prop in list(root):
            if prop.get("name", "").startswith("carta-"):
                root.remove(prop)
        pid = max([1, *(int(p.get("pid", "1")) for p in root)]) + 1
        for name, value in values.items():
            prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property",
                                    fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}",
                                    pid=str(pid), name=name)
            etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
            pid += 1
        blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if existing is not None:
            existing.target_part._blob = blob
            return
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part

        part = Part(PackURI("/docProps/custom.xml"), CUSTOM_TYPE, blob, package)
        package.relate_to(part, CUSTOM_REL)

    def _settings(self) -> None:
        """Hyphenation like the PDF's, and tracked changes on: a reviewer's edits come back
        as insertions and deletions that `carta diff-docx` lists."""
        from docx.oxml import OxmlElement

        settings = self.document.settings.element
        for tag in ("trackRevisions", "autoHyphenation"):
            if settings.find(w(tag)) is None:
                element = OxmlElement(f"w:{tag}")
                later = SETTINGS_ORDER[SETTINGS_ORDER.index(tag) + 1:]
                following = next((child for child in settings
                                  if child.tag in {w(name) for name in later}), None)
                if following is not None:
                    following.addprevious(element)
                else:
                    settings.append(element)

    def _save(self, date: datetime.date) -> bytes:
        """The package with fixed entry times (the letter's date): the same letter gives the
        same bytes at every build."""
        raw = io.BytesIO()
        self.document.save(raw)
        stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
        result = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, \
                zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                entry = zipfile.ZipInfo(info.filename, stamp)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                target.writestr(entry, source.read(info.filename))
        return result.getvalue()


class _NoteCalls:
    """The `call` that letter_context gives each footnote citation: a placeholder element
    that the DOCX writer turns into a footnote reference, and the notes by anchor."""

    def __init__(self):
        self.notes: dict = {}

    def call(self, note, first: bool) -> str:
        self.notes[note.anchor] = note
        return (f'<{NOTE_TAG} data-anchor="{note.anchor}" data-first="{int(bool(first))}">'
                f'</{NOTE_TAG}>')


# The order of w:settings' children from w:trackRevisions on (ECMA-376 CT_Settings): Word
# refuses a document whose settings are out of order.
SETTINGS_ORDER = (
    "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting", "documentProtection",
    "autoFormatOverride", "styleLockTheme", "styleLockQFSet", "defaultTabStop",
    "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps",
    "showEnvelope", "summaryLength", "clickAndTypeStyle", "defaultTableStyle",
    "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
    "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
    "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
    "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
    "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
)


def _lang_element(tag: str | None):
    from docx.oxml import OxmlElement

    element = OxmlElement("w:lang")
    if tag:
        element.set(w("val"), tag)
        element.set(w("bidi"), tag)
    return element


def _on(tag: str, value: str):
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    element.set(w("val"), value)
    return element


def _new_numbering(document, kind: str, start: int) -> int:
    """A new numbering instance (w:num) starting at `start`, over carta's list definition for
    `kind` (created once per document): decimal "1.", demands' numbers bold in the accent."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    name = f"carta-{kind}"
    abstract = next((el for el in numbering.findall(w("abstractNum"))
                     if (el.find(w("name")) is not None
                         and el.find(w("name")).get(w("val")) == name)), None)
    if abstract is None:
        ids = [int(el.get(w("abstractNumId"))) for el in numbering.findall(w("abstractNum"))]
        abstract_id = max([0, *ids]) + 1
        marker = (f'<w:rPr><w:rFonts w:ascii="{SANS}" w:hAnsi="{SANS}" w:cs="{SANS}"/><w:b/>'
                  f'<w:color w:val="{ACCENT}"/></w:rPr>') if kind == "demands" else ""
        abstract = parse_xml(
            f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{abstract_id}">'
            f'<w:multiLevelType w:val="singleLevel"/><w:name w:val="{name}"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="454" w:hanging="454"/></w:pPr>{marker}</w:lvl>'
            '</w:abstractNum>')
        first_num = numbering.find(w("num"))
        if first_num is not None:
            first_num.addprevious(abstract)  # every abstractNum comes before every num
        else:
            numbering.append(abstract)
    abstract_id = abstract.get(w("abstractNumId"))
    num_ids = [int(el.get(w("numId"))) for el in numbering.findall(w("num"))]
    num_id = max([0, *num_ids]) + 1
    numbering.append(parse_xml(
        f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
        f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>'
        '</w:num>'))
    return num_id


def _space_after(paragraph, points: float) -> None:
    from docx.oxml import OxmlElement

    spacing = OxmlElement("w:spacing")
    spacing.set(w("after"), str(round(points * 20)))
    paragraph.find(w("pPr")).find(w("rPr")).addprevious(spacing)  # before the mark's rPr


def _number_paragraph(paragraph, num_id: int) -> None:
    from docx.oxml import parse_xml

    pPr = paragraph.find(w("pPr"))
    numPr = parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="0"/>'
                      f'<w:numId w:val="{num_id}"/></w:numPr>')
    pPr.find(w("pStyle")).addnext(numPr)


# Reference documents ----------------------------------------------------------------------

def read_reference(path: Path) -> bytes:
    """A partner's template as DOCX bytes, or a clear error: it must be a Word document
    (.docx, or a .dotx template, which is used as a document)."""
    shown = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise CartaError(f"--reference-doc {shown}: cannot read it ({error.strerror})") \
            from None
    hint = ("expected a Word document (.docx) such as a partner's letterhead; "
            "save it from Word or LibreOffice as 'Word 2007-365 (.docx)'")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            types = package.read("[Content_Types].xml").decode("utf-8", "replace")
            names = set(package.namelist())
    except (zipfile.BadZipFile, KeyError, OSError):
        what = "an OpenDocument file" if data[:2] == b"PK" else "not a DOCX"
        raise CartaError(f"--reference-doc {shown}: {what}; {hint}") from None
    if DOTX_MAIN in types:
        data = _template_as_document(data)
    elif DOCX_MAIN not in types:
        kind = ("an OpenDocument file (.odt)" if "mimetype" in names
                else "a zip file that is not a Word document")
        raise CartaError(f"--reference-doc {shown}: {kind}; {hint}")
    try:
        import docx

        docx.Document(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001  any defect python-docx finds in the package
        raise CartaError(f"--reference-doc {shown}: a damaged Word document "
                         f"({type(error).__name__}: {error}); {hint}") from None
    return data


def _template_as_document(data: bytes) -> bytes:
    """A .dotx is a .docx whose main part has another content type."""
    result = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                payload = payload.replace(DOTX_MAIN.encode(), DOCX_MAIN.encode())
            target.writestr(info, payload)
    return result.getvalue()


# ODT through LibreOffice --------------------------------------------------------------------

def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    found = soffice()
    if found is None:
        raise BuildError("--format odt needs LibreOffice, which converts carta's DOCX: install "
                         "it (Debian: apt-get install libreoffice-writer-nogui), or build "
                         "--format docx, which needs nothing more")
    return found


def convert(data: bytes, extension: str, target: str, profile: Path, name: str,
            timeout: float = 300) -> bytes:
    """`data` (a file of `extension`) converted by LibreOffice to `target` ("odt", "pdf"),
    with its own user profile, so that runs in parallel do not wait on each other."""
    program = require_soffice()
    with tempfile.TemporaryDirectory(prefix="carta-office-") as folder:
        source = Path(folder) / f"letter.{extension}"
        source.write_bytes(data)
        command = [program, f"-env:UserInstallation={profile.resolve().as_uri()}",
                   "--headless", "--norestore", "--nolockcheck", "--convert-to", target,
                   "--outdir", folder, str(source)]
        try:
            finished = subprocess.run(command, capture_output=True, timeout=timeout,
                                      stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise BuildError(f"{name}: LibreOffice did not convert the DOCX to {target} within "
                             f"{timeout:.0f} s") from None
        result = Path(folder) / f"letter.{target}"
        if not result.is_file():
            detail = (finished.stderr or finished.stdout).decode("utf-8", "replace").strip()
            raise BuildError(f"{name}: LibreOffice could not convert the DOCX to {target} "
                             f"(exit {finished.returncode}): {detail[-300:] or 'no message'}")
        return result.read_bytes()


class OfficeMaker:
    """DOCX and ODT for `build`, one per worker process like the PDF maker: the reference
    document is read once, LibreOffice's profile made once."""

    def __init__(self, project, renderer, reference: Path | None = None):
        self.project = project
        self.renderer = renderer
        self.reference = Path(reference).resolve() if reference else None
        self._base = read_reference(self.reference) if self.reference else None
        self.files_read: set[Path] = {self.reference} if self.reference else set()
        self._profile: Path | None = None

    def docx(self, job) -> tuple[bytes, list[str]]:
        if job.versions:
            raise BuildError(f"{job.name}: a combined document has no DOCX yet; build each "
                             "locale's DOCX instead")
        writer = DocxWriter(copy.copy(self._base), self.renderer, self.project)
        data = writer.write(job)
        self.files_read |= writer.files_read
        return data, [f"{job.name}: {message}" for message in writer.warnings]

    def odt(self, job, docx_bytes: bytes) -> bytes:
        if self._profile is None:
            # In the build's scratch folder (tempfile.tempdir), removed with it.
            self._profile = Path(tempfile.mkdtemp(prefix="carta-lo-profile-"))
        return convert(docx_bytes, "docx", "odt", self._profile, job.name)
