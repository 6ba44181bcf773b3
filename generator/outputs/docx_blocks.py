"""The body blocks of a letter in Word: each block type's paragraphs, lists, bookmarks."""

from __future__ import annotations

import json

from ..content import blocks
from ..rendering.render import blocks_in_copy
from .docx_styles import new_numbering, number_paragraph
from .docx_xml import w, word_lang


def write_blocks(writer, part, rendered, section: str, recipient) -> None:
    """Each block of the body (or postscript) the copy holds, with its field paths from
    the block declarations: the same walk as validation, catalogs and checks. `writer` is
    the DocxWriter of the document; `rendered` the blocks as letter_context rendered them."""
    # The same choice of blocks as letter_context's, with each block's number in the letter,
    # which its field paths name.
    for (index, block), context in zip(blocks_in_copy(part, recipient), rendered, strict=True):
        declared = blocks.declaration_of(block)
        where = {slot.target[2:]: slot.field
                 for slot in blocks.body_texts(block, index, section)}
        WRITERS.get(declared.kind, _generic)(writer, declared, context, where)


def _paragraph(writer, declared, context, where) -> None:
    writer.text_paragraph("Normal", context["text"], where.get((None, "text")),
                          word_lang(context.get("lang")))


def _heading(writer, declared, context, where) -> None:
    writer.text_paragraph("Heading 1", context["text"], where.get((None, "text")),
                          word_lang(context.get("lang")))


def _generic(writer, declared, context, where) -> None:
    """A block type carta's DOCX writer does not know (a project's own): each of its
    texts in the paragraph style named after its kind ("quote" -> Quote), if the document
    has one, else Normal."""
    style = declared.kind.replace("_", " ").title()
    try:
        writer.document.styles[style]
    except KeyError:
        style = "Normal"
    if declared.has_items:
        for number, item in enumerate(context["items"]):
            for text in declared.texts:
                if item.get(text.attr):
                    writer.text_paragraph(style, item[text.attr],
                                          where.get((number, text.attr)),
                                          word_lang(item.get(text.lang_attr)))
        return
    for text in declared.texts:
        if context.get(text.attr):
            writer.text_paragraph(style, context[text.attr], where.get((None, text.attr)),
                                  word_lang(context.get(text.lang_attr)))


def _list_lead_in(writer, context, where) -> None:
    if context.get("to"):
        pieces = [("text", str(context["to"]), ())]
        paragraph = writer.paragraph("List Lead-in", (), word_lang(context.get("to_lang")))
        field_path = where.get((None, "to"))
        if field_path and not context.get("to_recipient"):
            writer.append_field(paragraph, field_path, pieces)
        else:
            writer.append(paragraph, pieces)


def _numbered(writer, kind: str, start: int, restart: bool) -> int:
    """The numbering instance of a list: the previous list's of its kind when this one
    goes on from it (so that Word keeps counting, even after an edit), else a new one
    that starts at `start`, the PDF's number."""
    current = writer.state.numbering.get(kind)
    if current and not restart and current[1] == start:
        return current[0]
    return new_numbering(writer.document, kind, start)


def _numbered_items(writer, kind, context, where, restart) -> list:
    start = context.get("start", 1)
    num_id = _numbered(writer, kind, start, restart)
    writer.state.numbering[kind] = (num_id, start + len(context["items"]))
    paragraphs = []
    for number, item in enumerate(context["items"]):
        lang = word_lang(item.get("lang"))
        paragraph = writer.paragraph("List Number", (), lang)
        number_paragraph(paragraph, num_id)
        writer.append_html(paragraph, item["text"], where.get((number, "text")), lang)
        paragraphs.append(paragraph)
    if paragraphs:
        _space_after(paragraphs[-1], 10)  # the list's end: a paragraph's space, as in the PDF
    return paragraphs


def _space_after(paragraph, points: float) -> None:
    from docx.oxml import OxmlElement

    spacing = OxmlElement("w:spacing")
    spacing.set(w("after"), str(round(points * 20)))
    paragraph.find(w("pPr")).find(w("rPr")).addprevious(spacing)  # before the mark's rPr


def _grievances(writer, declared, context, where) -> None:
    _list_lead_in(writer, context, where)
    _numbered_items(writer, "grievances", context, where, context.get("numbering") == "restart")


def _demands(writer, declared, context, where) -> None:
    _list_lead_in(writer, context, where)
    _numbered_items(writer, "demands", context, where, context.get("numbering") == "restart")


def _demand_status(writer, declared, context, where) -> None:
    writer.paragraph("Heading 2", [("text", writer.phrase('{{ _("Status of our requests") }}'),
                                    ())])
    if writer.context["follows_date"]:
        intro = writer.phrase(
            '{% trans date=follows_date|date, ago=since_followed|duration(True) %}In our '
            'letter of {{ date }}, {{ ago }}, we asked:{% endtrans %}', **writer.context)
        writer.paragraph("Normal", [("text", intro, ())])
    labels = writer.env.from_string(
        '{%- from "status_labels.html" import status_labels with context -%}'
        '{{ status_labels|tojson }}')
    status_labels = json.loads(labels.render())
    num_id = new_numbering(writer.document, "demand_status", 1)
    for number, item in enumerate(context["items"]):
        lang = word_lang(item.get("lang"))
        paragraph = writer.paragraph("List Number", (), lang)
        number_paragraph(paragraph, num_id)
        writer.append_html(paragraph, item["text"], where.get((number, "text")), lang)
        status = writer.phrase(
            '{% trans date=item.first_date|date, ago=(date - item.first_date)|duration(True)'
            ', status=status_labels[item.status] %}First asked on {{ date }} ({{ ago }}). '
            'Status: {{ status }}.{% endtrans %}',
            item=item, date=writer.context["date"], status_labels=status_labels)
        paragraph.append(writer.break_run(lang))
        paragraph.append(writer.run(status, (), None, "Status Line"))
        if item.get("note"):
            paragraph.append(writer.break_run(lang))
            writer.append_html(paragraph, item["note"], where.get((number, "note")),
                               word_lang(item.get("note_lang")))


# The block types written in their own way; any other (a project's own) is `_generic`.
WRITERS = {
    "paragraph": _paragraph,
    "heading": _heading,
    "grievances": _grievances,
    "demands": _demands,
    "demand_status": _demand_status,
}
