"""The pages of a carta DOCX: nothing on page 1, a continuation line from page 2.

The PDF prints no page number on a letter's first page and, from page 2, a line at the head
of the page naming to whom, of which date and which page ("Comité Ejemplo, 1 de marzo de
2024 ... Página 2 de 3"), as LaTeX's scrlttr2 does (templates/letter.css, `@page` and
`string-set`). The Word copy prints the same line in the same words: the page phrase comes
from the templates' catalog and the date from the templates' `date` filter, through the
writer's `phrase`; the page and the page count are Word's PAGE and NUMPAGES fields, so they
stay right after a reviewer's edits. Word's "different first page" (w:titlePg) keeps page 1
free of it.
"""

from __future__ import annotations

import re

from .docx_styles import RULE
from .docx_xml import R_NS, w

# The rule under the continuation line: 0.5 pt (Word counts eighths of a point), 3 pt above
# it, as letter.css's `border-bottom: 0.5pt` and `padding-bottom: 3pt`.
RULE_SIZE, RULE_SPACE = "4", "3"


def addressee(context) -> str:
    """What the continuation line names the letter by, as letter.css's `string-set` picks
    it: the first recipient; with none, the subject; with neither, the headline."""
    if context["recipients"]:
        return context["recipients"][0]["name"] or ""
    return context["subject"] or context["headline"] or ""


def continuation_text(writer, context) -> tuple[str, str]:
    """The continuation line's two halves: "addressee, date" and the page phrase with its
    `{page}` and `{pages}` places ("Página {page} de {pages}")."""
    date = writer.phrase("{{ date|date }}", date=context["date"])
    left = ", ".join(filter(None, (addressee(context), date)))
    return left, writer.phrase('{{ _("Page {page} of {pages}") }}')


def page_design(writer, section, context, own: bool) -> None:
    """Page 1 with nothing, pages 2+ with the continuation line. carta's own document (and a
    partner's with no header or footer) carries it at the head of the page, as the PDF; a
    partner's letterhead keeps its header, first page included, and, when it has no footer,
    gets the line at the foot of pages 2+."""
    has_header = not section.header.is_linked_to_previous
    has_footer = not section.footer.is_linked_to_previous
    if not own and has_footer:
        return  # their own page furniture, page numbers included
    first_page_header = section.first_page_header
    partner_first = section.different_first_page_header_footer
    section.different_first_page_header_footer = True
    if has_header and not own:
        if not partner_first or first_page_header.is_linked_to_previous:
            _copy_header(section.header, first_page_header)
        target = section.footer
        style = "Footer"
    else:
        _empty(first_page_header)
        target = section.header
        style = "Header"
    if section.first_page_footer.is_linked_to_previous:  # a partner's own one stays
        _empty(section.first_page_footer)
    target.is_linked_to_previous = False
    container = target._element
    for child in list(container):
        container.remove(child)
    width = section.page_width - section.left_margin - section.right_margin
    _continuation_paragraph(writer, container, style, context, width,
                            rule="bottom" if style == "Header" else "top")


def _empty(part) -> None:
    """A header or footer part of its own holding one empty paragraph: Word and LibreOffice
    then print nothing there, whatever the default header says."""
    part.is_linked_to_previous = False
    container = part._element
    for child in list(container):
        container.remove(child)
    container.append(_plain_paragraph())


def _plain_paragraph():
    from docx.oxml import OxmlElement

    return OxmlElement("w:p")


def _copy_header(source, target) -> None:
    """A partner's letterhead on page 1 too: its header copied into the first-page header,
    its pictures related again from the new part."""
    import copy

    target.is_linked_to_previous = False
    container = target._element
    for child in list(container):
        container.remove(child)
    source_part, target_part = source.part, target.part
    for child in source._element:
        clone = copy.deepcopy(child)
        for element in clone.iter():
            for key, value in list(element.attrib.items()):
                if key.startswith(f"{{{R_NS}}}") and value in source_part.rels:
                    rel = source_part.rels[value]
                    if rel.is_external:
                        new_id = target_part.relate_to(rel.target_ref, rel.reltype,
                                                       is_external=True)
                    else:
                        new_id = target_part.relate_to(rel.target_part, rel.reltype)
                    element.set(key, new_id)
        container.append(clone)


def _continuation_paragraph(writer, container, style, context, width, rule) -> None:
    """'addressee, date' on the left, 'Página N de M' against the right margin (a right tab
    stop at the text's width), a thin rule between it and the letter."""
    from docx.oxml import OxmlElement
    from docx.shared import Length

    left, page_phrase = continuation_text(writer, context)
    paragraph = writer.paragraph(style, (), parent=container)
    pPr = paragraph.find(w("pPr"))
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{rule}")
    for key, value in (("val", "single"), ("sz", RULE_SIZE), ("space", RULE_SPACE),
                       ("color", RULE)):
        line.set(w(key), value)
    borders.append(line)
    tabs = OxmlElement("w:tabs")
    position = str(Length(width).twips)
    # Word's Header and Footer styles set a centre and a right tab for US Letter at 1-inch
    # margins; the page phrase would stop at the centre one. They are cleared here.
    for inherited in _style_tabs(writer.document.styles[style]):
        if inherited != position:
            tabs.append(_tab("clear", inherited))
    tabs.append(_tab("right", position))
    # pPr's order: pStyle, ..., pBdr, shd, tabs, ..., rPr (the mark's language) last.
    mark = pPr.find(w("rPr"))
    mark.addprevious(borders)
    mark.addprevious(tabs)
    # Through the writer's `append`, so the line is set in its language's typography (a
    # recipient's apostrophe curled, French spaces), as the PDF's margin box is.
    writer.append(paragraph, [("text", left, ())])
    tab_run = writer.run("")
    tab_run.remove(tab_run.find(w("t")))
    tab_run.append(OxmlElement("w:tab"))
    paragraph.append(tab_run)
    for index, part in enumerate(re.split(r"\{(page|pages)\}", page_phrase)):
        if index % 2 == 0:
            writer.append(paragraph, [("text", part, ())] if part else [])
            continue
        instruction = "PAGE" if part == "page" else "NUMPAGES"
        simple = OxmlElement("w:fldSimple")
        simple.set(w("instr"), f" {instruction} ")
        simple.append(writer.run("1"))  # what a reader shows until it updates the field
        paragraph.append(simple)


def _tab(kind: str, position: str):
    from docx.oxml import OxmlElement

    tab = OxmlElement("w:tab")
    tab.set(w("val"), kind)
    tab.set(w("pos"), position)
    return tab


def _style_tabs(style) -> list[str]:
    """The tab stop positions a paragraph style and the styles it is based on set."""
    positions = []
    while style is not None:
        for tab in style.element.iter(w("tab")):
            if tab.get(w("val")) != "clear" and tab.get(w("pos")) not in positions:
                positions.append(tab.get(w("pos")))
        style = style.base_style
    return sorted(positions, key=int)
