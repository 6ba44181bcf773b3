"""What a carta DOCX's paragraphs refer to by name: its styles, its list numberings."""

from __future__ import annotations

from dataclasses import dataclass

from .docx_xml import W_NS, w

SERIF = "Source Serif Pro"
SANS = "Source Sans Pro"
INK, MUTED, ACCENT, RULE = "1D1D1F", "5B5F66", "1F4E79", "C9CED6"


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
    # Ragged right, as the PDF (templates/letter.css says why).
    StyleSpec("Normal", based_on=None, font=SERIF, size=11, color=INK, align="left",
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
    # A sender with no contact line: the rule under the letterhead goes under its name.
    StyleSpec("Sender Alone", based_on="Sender", after=20, keep_next=False,
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
    StyleSpec("Header", font=SANS, size=8, color=MUTED, align="left", after=0),
    StyleSpec("Footer", font=SANS, size=8, color=MUTED, align="left", after=0),
    StyleSpec("Footnote Reference", kind="character", based_on=None, superscript=True),
    StyleSpec("Hyperlink", kind="character", based_on=None, color=ACCENT),
    StyleSpec("Link Address", kind="character", based_on=None, size=8.5),
    StyleSpec("Status Line", kind="character", based_on=None, italic=True, color=MUTED,
              size=9.5),
)


def ensure_styles(document, own: bool) -> None:
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


# Numbering --------------------------------------------------------------------------------

def new_numbering(document, kind: str, start: int) -> int:
    """A new numbering instance (w:num) starting at `start`, over carta's list definition for
    `kind` (created once per document): decimal "1.", bold in the sans and the accent, for
    grievances and demands alike (one list style, as the PDF's)."""
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
                  f'<w:color w:val="{ACCENT}"/></w:rPr>')
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


def number_paragraph(paragraph, num_id: int) -> None:
    """Make a paragraph an item of the numbering instance `num_id`."""
    from docx.oxml import parse_xml

    pPr = paragraph.find(w("pPr"))
    numPr = parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="0"/>'
                      f'<w:numId w:val="{num_id}"/></w:numPr>')
    pPr.find(w("pStyle")).addnext(numPr)
