"""The text layer of a carta DOCX: paragraphs, runs, links, field bookmarks, footnotes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..rendering.typography import Typesetters
from .docx_fields import bookmark_name
from .docx_xml import R_NS, W_NS, lang_element, val_element, w, word_lang

FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"

NOTE_TAG = "carta-note"  # what `NoteCalls.call` puts where a footnote is called


class _Inline(HTMLParser):
    """The inline HTML carta renders from Markdown (em, strong, code, a, br, span lang, and
    the footnote calls), as a flat list of pieces: ("text", text, marks, lang), ("link", href,
    named) ... ("end-link",), ("br",), ("note", anchor, first). A text's lang is that of the
    span or link it stands in (a part in another language: `{lang=es}`, a glossary term kept in its
    language), or None for the paragraph's."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple] = []
        self.marks: list[str] = []
        self.langs: list[str | None] = []  # one per open span or link

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
            self.langs.append(values.get("lang") or None)  # "[the board](...){lang=es}"
        elif tag == "br":
            self.pieces.append(("br",))
        elif tag == "span":
            self.langs.append(values.get("lang") or None)
        elif tag == NOTE_TAG:
            self.pieces.append(("note", values.get("data-anchor"), values.get("data-first") == "1"))

    def handle_endtag(self, tag):
        mark = {"em": "i", "i": "i", "strong": "b", "b": "b", "code": "code"}.get(tag)
        if mark and mark in self.marks:
            del self.marks[len(self.marks) - 1 - self.marks[::-1].index(mark)]
        elif tag == "a":
            self.pieces.append(("end-link",))
            if self.langs:
                self.langs.pop()
        elif tag == "span" and self.langs:
            self.langs.pop()

    def handle_data(self, data):
        # HTML whitespace: Markdown's soft line breaks are spaces.
        text = re.sub(r"\s+", " ", data)
        if text:
            lang = next((each for each in reversed(self.langs) if each), None)
            self.pieces.append(("text", text, frozenset(self.marks), lang))


def inline_pieces(html) -> list[tuple]:
    """Inline HTML as the pieces `WordText.append` writes (see `_Inline`)."""
    parser = _Inline()
    parser.feed(str(html or ""))
    parser.close()
    return parser.pieces


class NoteCalls:
    """The `call` that letter_context gives each footnote citation: a placeholder element
    that the DOCX writer turns into a footnote reference, and the notes by anchor."""

    def __init__(self):
        self.notes: dict = {}

    def call(self, note, first: bool) -> str:
        self.notes[note.anchor] = note
        return (f'<{NOTE_TAG} data-anchor="{note.anchor}" data-first="{int(bool(first))}">'
                f'</{NOTE_TAG}>')


@dataclass
class _Footnote:
    id: int
    note: object  # render.Note
    field: str | None  # "references[2].text", or None for a link's note


@dataclass
class TextState:
    """What writing one document keeps track of."""

    lang: str  # w:lang of the document's language ("es-ES")
    link_style: str
    note_style: str
    notes: dict = field(default_factory=dict)  # anchor -> render.Note, filled by `call`
    footnotes: dict = field(default_factory=dict)  # anchor -> _Footnote
    note_fields: dict = field(default_factory=dict)  # reference id -> "references[n].text"
    next_bookmark: int = 1
    numbering: dict = field(default_factory=dict)  # list kind -> (numId, next number)


class WordText:
    """Writes WordprocessingML into a python-docx document: each paragraph in a named
    style, with the language of its text, and the letter's footnotes as Word's. `state`
    is set for each document written (see DocxWriter.write)."""

    state: TextState

    def __init__(self, document):
        self.document = document
        self.body = document.element.body
        self._footnotes_root = None

    # Paragraphs and runs ----------------------------------------------------------------

    def paragraph(self, style: str, pieces=(), lang: str | None = None, parent=None):
        from docx.oxml import OxmlElement

        paragraph = OxmlElement("w:p")
        pPr = OxmlElement("w:pPr")
        style_el = OxmlElement("w:pStyle")
        style_el.set(w("val"), self.document.styles[style].style_id)
        pPr.append(style_el)
        paragraph.append(pPr)
        # The paragraph mark's language: what Word shows for an empty paragraph too.
        mark = OxmlElement("w:rPr")
        mark.append(lang_element(lang or self.state.lang))
        pPr.append(mark)
        if parent is None:
            sectPr = self.body.find(w("sectPr"))
            if sectPr is not None:
                sectPr.addprevious(paragraph)
            else:
                self.body.append(paragraph)
        else:
            parent.append(paragraph)
        self.append(paragraph, pieces, lang)
        return paragraph

    def field_paragraph(self, style, html, field_path, fields, lang=None, plain=False):
        pieces = [("text", str(html), ())] if plain else inline_pieces(html)
        paragraph = self.paragraph(style, (), lang)
        if field_path and field_path in fields:
            self.append_field(paragraph, field_path, pieces, lang)
        else:
            self.append(paragraph, pieces, lang)
        return paragraph

    def append_field(self, paragraph, field_path, pieces, lang=None):
        """Pieces wrapped in a bookmark that names the letter's field they come from."""
        from docx.oxml import OxmlElement

        ident = str(self.state.next_bookmark)
        self.state.next_bookmark += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(w("id"), ident)
        start.set(w("name"), bookmark_name(field_path))
        paragraph.append(start)
        self.append(paragraph, pieces, lang)
        end = OxmlElement("w:bookmarkEnd")
        end.set(w("id"), ident)
        paragraph.append(end)

    def text_paragraph(self, style, html, field_path, lang=None):
        """A paragraph of inline HTML, in a bookmark for its field when it has one."""
        paragraph = self.paragraph(style, (), lang)
        self.append_html(paragraph, html, field_path, lang)
        return paragraph

    def append_html(self, paragraph, html, field_path, lang=None) -> None:
        """Inline HTML's runs, in a bookmark for its field when it has one."""
        if field_path:
            self.append_field(paragraph, field_path, inline_pieces(html), lang)
        else:
            self.append(paragraph, inline_pieces(html), lang)

    def append(self, paragraph, pieces, lang=None) -> None:
        """Runs for the pieces: text with its marks, links, line breaks, footnote calls. Each
        text is set in its language's typography (rendering/typography.py), as the PDF's is,
        and each run carries its own language where a part is in another one."""
        target = paragraph
        link_href = None
        link_named = False
        setters = Typesetters()
        for piece in pieces:
            kind = piece[0]
            if kind == "text":
                piece_lang = (piece[3] if len(piece) > 3 else None) or lang
                tag = word_lang(piece_lang) or self.state.lang
                if "code" in piece[2]:
                    setters.skip(piece[1], tag)
                    text = piece[1]
                else:
                    text = setters.text(piece[1], tag)
                run = self.run(text, piece[2], word_lang(piece_lang),
                               "Hyperlink" if link_href else None)
                if self.state.link_style == "underline" and link_href:
                    run[0].append(val_element("w:u", "single"))
                target.append(run)
            elif kind == "br":
                target.append(self.break_run(lang))
            elif kind == "link":
                link_href, link_named = piece[1], piece[2]
                target = self._hyperlink(paragraph, link_href)
            elif kind == "end-link":
                if target is not paragraph and len(target) == 0:
                    paragraph.remove(target)
                target = paragraph
                if link_named and self.state.link_style == "url-after":
                    # Paper cannot be clicked: the address follows in small type, as in the PDF.
                    paragraph.append(self.run(f" ({link_href})", (), lang, "Link Address"))
                link_href = None
            elif kind == "note":
                self._note_call(paragraph, piece[1], piece[2], lang)

    def run(self, text: str, marks=(), lang=None, char_style: str | None = None):
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
        rPr.append(lang_element(lang or self.state.lang))
        run.append(rPr)
        text_el = OxmlElement("w:t")
        text_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        text_el.text = text
        run.append(text_el)
        return run

    def break_run(self, lang=None):
        from docx.oxml import OxmlElement

        run = OxmlElement("w:r")
        rPr = OxmlElement("w:rPr")
        rPr.append(lang_element(lang or self.state.lang))
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
                mark = self.run(note.marker, (), lang, "Footnote Reference")
                paragraph.append(mark)
            paragraph.append(end)
            return
        # A repeated call: the note's number again, as a cross-reference Word keeps right.
        footnote = self.state.footnotes[anchor]
        for part in ("begin", None, "separate", "result", "end"):
            run = OxmlElement("w:r")
            if part == "result":
                run = self.run(note.marker, (), lang, "Footnote Reference")
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
        paragraph = self.paragraph("Footnote Text", (), note_lang, parent=element)
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
            paragraph.append(self.run(note.marker, (), note_lang, "Footnote Reference"))
        paragraph.append(self.run(" ", (), note_lang))
        pieces = inline_pieces(note.html)
        if footnote.field:
            self.append_field(paragraph, footnote.field, pieces, note_lang)
        else:
            self.append(paragraph, pieces, note_lang)
        return footnote
