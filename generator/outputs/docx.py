"""Word (DOCX) copies of a letter, for partners who edit in an office suite.

A DOCX is written from the same resolved, localized letter as the PDF and the HTML page
(`render.letter_context`, and the block declarations of content/blocks.py for the field
each text comes from), never converted from the PDF. It has real structure, so that a partner
can review it with tracked changes and print it on their own letterhead: named paragraph styles
(Title, Heading 1/2, Normal, List Number, Quote, Date, Inside Address, Salutation, Closing,
Signature...), numbered lists that keep the PDF's numbers, real footnotes, hyperlinks, the
language of every paragraph, the paper and margins of carta.toml, the PDF's continuation line
from page 2, and the title, author, language and date as document properties.

This module writes the letter's parts in order; the rest is where a reader would look for it:
docx_text.py (paragraphs, runs, links, footnotes), docx_blocks.py (the body blocks),
docx_styles.py (styles, list numberings), docx_pages.py (headers, footers, page numbers),
docx_fields.py (bookmark and property names),
docx_package.py (reference documents, properties, settings, reproducible bytes), docx_xml.py
(namespaces, small elements). python-docx writes the package; what it has no API for is
written as WordprocessingML. Every text that comes from a field of the letter is wrapped in a
bookmark named after that field (`body[3].paragraph` -> carta_body_3__paragraph), and the
document's custom properties name the letter, locale and copy, so that a returned document
can be compared field by field (authoring/docx_diff.py). The ODT is made from this DOCX by
odt.py.
"""

from __future__ import annotations

import copy
import io
from importlib import metadata
from pathlib import Path

from ..content import blocks
from ..core.errors import BuildError, Notice
from ..localization import locales
from ..rendering import render
from .docx_blocks import write_blocks
from .docx_package import read_reference, save, write_properties, write_settings
from .docx_pages import page_design
from .docx_styles import RULE, ensure_styles
from .docx_text import NoteCalls, TextState, WordText
from .docx_xml import w, word_lang
from .odt import OdtConverter

# The page of templates/letter.css: 26mm 40mm 24mm 40mm (top right bottom left).
PAPER = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
MARGINS_MM = (26.0, 40.0, 24.0, 40.0)

# What a DOCX depends on besides its inputs: this writer's version and python-docx's. A build
# key includes it, so a new writer rebuilds every DOCX.
WRITER_VERSION = "3"  # 2: the fonts embedded (issue 24); 3: the continuation line


def recipe() -> str:
    try:
        python_docx = metadata.version("python-docx")
    except metadata.PackageNotFoundError:
        python_docx = None
    return f"office {WRITER_VERSION}; python-docx {python_docx}"


class DocxWriter(WordText):
    """Writes one letter (one locale, one copy) into a base document: carta's own, or a
    partner's reference document with its header, footer, logo and styles."""

    def __init__(self, base: bytes | None, renderer, project):
        import docx

        self.own = base is None
        super().__init__(docx.Document(io.BytesIO(base) if base is not None else None))
        self.renderer = renderer
        self.project = project
        self.warnings: list[Notice] = []
        self._clear_body()
        ensure_styles(self.document, self.own)

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
        letter, locale, recipient = job.letter, job.locale, job.recipient
        self.locale = locale
        env = self.renderer.environment(locale)
        self.env = env
        calls = NoteCalls()
        context = render.letter_context(letter, locale, self.project, recipient, calls.call,
                                        self.renderer.dependencies.note)
        self.context = context
        self.state = TextState(lang=word_lang(context["lang"]), link_style=context["link_style"],
                                note_style=context["note_style"], notes=calls.notes)
        self.state.note_fields = {reference.id: f"references[{number}].text"
                                  for number, reference in enumerate(letter.references, 1)}
        fields = {slot.field for slot in blocks.letter_texts(letter)}

        if letter.draft:
            self.paragraph("Draft Mark", [("text", self.phrase('{{ _("DRAFT") }}'), ())])
        if context["headline"]:
            self.field_paragraph("Title", context["headline"], "title", fields, plain=True)
        if context["letterhead"]:
            self._letterhead(letter, context)
        self._dateline(context, fields)
        self._recipients(context, fields)
        if context["subject"]:
            label = self.phrase('{{ _("Subject:") }}')
            paragraph = self.paragraph("Subject", [("text", label + " ", frozenset("b"))])
            self.append_field(paragraph, "subject", [("text", context["subject"], ())])
        if context["salutation"] is not None:
            text = context["salutation"] or self.phrase('{{ _("Dear Sir or Madam,") }}')
            shown = "salutation" if isinstance(letter.salutation, str) else None
            self.field_paragraph("Salutation", text, shown, fields, plain=True)
        write_blocks(self, letter.body, context["blocks"], "body", recipient)
        self._signature(context, fields)
        if context["cc"]:
            self.paragraph("Copies", [("text", self.phrase('{{ _("cc:") }}'), ())])
            for person in context["cc"]:
                text = ", ".join(filter(None, (person["name"], person["role"],
                                               person["organization"])))
                self.paragraph("Copies", [("text", text, ())])
        self._signatories(context)
        write_blocks(self, letter.postscript, context["postscript"], "postscript",
                     recipient)
        self._page_setup(context)
        write_properties(self.document, job, context)
        write_settings(self.document)
        return save(self.document, letter.date)

    def phrase(self, source: str, **values) -> str:
        """A template phrase in the document's language, through the templates' catalogs."""
        return self.env.from_string(source).render(**values)

    # Parts of the letter ----------------------------------------------------------------

    def _letterhead(self, letter, context) -> None:
        sender = context["sender"]
        contact = [*sender["address"], *filter(None, (sender["email"], sender["url"]))]
        # The rule under the letterhead belongs to the contact line; with none, to the name
        # (never an empty paragraph to carry it).
        paragraph = self.paragraph("Sender" if contact else "Sender Alone")
        logo = self._logo(letter.sender.logo, sender["name"])
        if logo is not None:
            paragraph.append(logo)
            paragraph.append(self.run("  "))
        self.append(paragraph, [("text", sender["name"], ())])
        if contact:
            self.paragraph("Sender Contact", [("text", " · ".join(contact), ())])

    def _logo(self, path: Path | None, description: str):
        if path is None:
            return None
        from docx.oxml.ns import qn
        from docx.shared import Pt

        self.renderer.dependencies.note(Path(path))
        data = Path(path).read_bytes()
        if Path(path).suffix.lower() not in (".png", ".jpg", ".jpeg", ".gif"):
            try:
                from PIL import Image

                converted = io.BytesIO()
                Image.open(io.BytesIO(data)).save(converted, "PNG")
                data = converted.getvalue()
            except Exception:  # noqa: BLE001  an SVG logo: Pillow cannot draw it
                self.warnings.append(Notice(f"the logo {Path(path).name} is not a PNG, JPEG or "
                                            "GIF picture: the DOCX has the sender's name "
                                            "without it", "left-out"))
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
        paragraph = self.paragraph("Date")
        if context["place"]:
            self.append_field(paragraph, "place", [("text", context["place"], ())])
            self.append(paragraph, [("text", ", ", ())])
        when = locales.format_date(context["date"], locales.with_region(
            self.locale, self.project.settings.regions))
        self.append(paragraph, [("text", when, ())])

    def _recipients(self, context, fields) -> None:
        if not context["recipients"]:
            return
        if context["address_label"]:
            paragraph = self.paragraph("Address Label")
            self.append_field(paragraph, "address_label",
                              [("text", context["address_label"], ())])
        for recipient in context["recipients"]:
            pieces = [("text", recipient["name"], frozenset("b"))]
            for line in (recipient["role"], recipient["organization"], *recipient["address"]):
                if line:
                    pieces += [("br",), ("text", line, ())]
            self.paragraph("Inside Address", pieces)

    def _signature(self, context, fields) -> None:
        if context["closing"] is not None:
            text = context["closing"] or self.phrase('{{ _("Sincerely,") }}')
            self.field_paragraph("Closing", text, "closing" if context["closing"] else None,
                                 fields, plain=True)
        if context["signer"]:
            self.paragraph("Signature", [("text", context["sender"]["name"], ())])
        for person in context["signers"]:
            pieces = [("text", person["name"], frozenset("b"))]
            if person["role"]:
                pieces += [("br",), ("text", person["role"], ())]
            self.paragraph("Signer", pieces)

    def _signatories(self, context) -> None:
        for number, tier in enumerate(context["signatures"], start=1):
            if tier["title"]:
                paragraph = self.paragraph("Heading 2", (), word_lang(tier["lang"]))
                self.append_field(paragraph, f"signatories.tiers[{number}].title",
                                  [("text", tier["title"], ())], word_lang(tier["lang"]))
            if tier["count"]:
                parts = []
                if tier["organizations"]:
                    parts.append(self.phrase(
                        '{% trans count=n %}{{ count }} signing organization{% pluralize %}'
                        '{{ count }} signing organizations{% endtrans %}',
                        n=tier["organizations"]))
                if tier["individuals"]:
                    parts.append(self.phrase(
                        '{% trans count=n %}{{ count }} person signing{% pluralize %}'
                        '{{ count }} people signing{% endtrans %}', n=tier["individuals"]))
                self.paragraph("Signatory Count", [("text", " · ".join(parts), ())])
            if tier["layout"] == "table":
                self._roster(tier)
            else:
                for entry in tier["entries"]:
                    pieces = [("text", entry["name"], frozenset("b"))]
                    if entry["detail"]:
                        pieces += [("br",), ("text", entry["detail"], ())]
                    self.paragraph("Signatory", pieces)
            if tier["affiliated"]:
                self.paragraph("Small Print", [("text", self.phrase(
                    '{{ _("Affiliations are given for identification purposes only.") }}'), ())])

    def _roster(self, tier) -> None:
        """A tier as a table: a header row repeated on every page, rows that never split."""
        from docx.oxml import OxmlElement

        located = any(entry["where"] for entry in tier["entries"])
        named = tier.get("headers") or {}  # the letter's or the tier's own column headers
        columns = [("name", named.get("name") or self.phrase('{{ _("Name") }}'))]
        if tier["affiliated"]:
            columns.append(("affiliation", named.get("affiliation")
                            or self.phrase('{{ _("Affiliation") }}')))
        if located:
            label = '{{ _("Place") }}' if tier["places"] else '{{ _("Country") }}'
            columns.append(("where", named.get("where") or self.phrase(label)))
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
                self.paragraph(style, [("text", value, marks)], parent=cell._tc)

    # The page --------------------------------------------------------------------------

    def _page_setup(self, context) -> None:
        from docx.shared import Mm

        section = self.document.sections[-1]
        if self.own:
            width, height = PAPER.get(context["paper"], PAPER["A4"])
            section.page_width, section.page_height = Mm(width), Mm(height)
            top, right, bottom, left = MARGINS_MM
            section.top_margin, section.right_margin = Mm(top), Mm(right)
            section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
            # The continuation line sits in the top margin, about 8 mm over the text.
            section.header_distance, section.footer_distance = Mm(12), Mm(12)
        # Nothing on page 1, the continuation line from page 2, as the PDF (docx_pages.py).
        page_design(self, section, context, self.own)


class OfficeMaker:
    """DOCX and ODT for `build`, one per worker process like the PDF maker: the reference
    document is read once, LibreOffice's profile made once."""

    def __init__(self, project, renderer, reference: Path | None = None):
        self.project = project
        self.renderer = renderer
        self.reference = Path(reference).resolve() if reference else None
        self._base = read_reference(self.reference) if self.reference else None
        if self.reference:  # what the documents are made from, as the renderer notes it
            renderer.dependencies.note(self.reference)
        self._odt = OdtConverter()

    def docx(self, job) -> tuple[bytes, list[str]]:
        if job.versions:
            raise BuildError(f"{job.name}: a combined document has no DOCX yet; build each "
                             "locale's DOCX instead")
        writer = DocxWriter(copy.copy(self._base), self.renderer, self.project)
        data = writer.write(job)
        return data, [Notice(f"{job.name}: {notice}", notice.kind) for notice in writer.warnings]

    def odt(self, job, docx_bytes: bytes) -> bytes:
        return self._odt.convert(docx_bytes, job.name)
