"""The DOCX carries its typefaces: Word's embedded-font parts (ECMA-376 Part 1, §17.8.1).

A DOCX that only names Source Serif Pro is set in whatever the reader's machine has
(LibreOffice took DejaVu Sans for the whole letter). So the package holds each face the
styles use (docx_styles.SERIF, SANS: regular, bold, italic, bold italic), as Word stores them:
the font file, its first 32 bytes XOR-ed with a key (the part's `w:fontKey` GUID, read as
bytes from right to left), in word/fonts/fontN.odttf, tied to the font's entry in
word/fontTable.xml by `w:embedRegular` and its kin; `w:embedTrueTypeFonts` in the settings says
the document carries them. Word and LibreOffice read them, and keep them when they save.

The files are the fonts as released, whole: the SIL Open Font License lets any document embed
them, and keeps the name "Source" for unmodified fonts (a subset would be a modified one). The
key of each face is derived from the font's bytes, so the same letter gives the same package.
"""

from __future__ import annotations

import functools
import hashlib
import io
import uuid
import zipfile
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro
from lxml import etree

from .docx_styles import SANS, SERIF
from .docx_xml import W_NS

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
FONT_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
FONT_TABLE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
FONT_TABLE_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"
OBFUSCATED_TYPE = "application/vnd.openxmlformats-officedocument.obfuscatedFont"

# Each family's faces, by the fontTable element that embeds it, in the order CT_Font wants.
FACES = {
    SERIF: (font_source_serif_pro, (("embedRegular", "SourceSerifPro-Regular.ttf"),
                                    ("embedBold", "SourceSerifPro-Bold.ttf"),
                                    ("embedItalic", "SourceSerifPro-It.ttf"),
                                    ("embedBoldItalic", "SourceSerifPro-BoldIt.ttf"))),
    SANS: (font_source_sans_pro, (("embedRegular", "SourceSansPro-Regular.ttf"),
                                  ("embedBold", "SourceSansPro-Bold.ttf"),
                                  ("embedItalic", "SourceSansPro-It.ttf"),
                                  ("embedBoldItalic", "SourceSansPro-BoldIt.ttf"))),
}
# CT_Font's children, in order: an embedding element goes before the ones after it.
_FONT_CHILDREN = ("altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig",
                  "embedRegular", "embedBold", "embedItalic", "embedBoldItalic")


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def obfuscate(data: bytes, key: str) -> bytes:
    """The font as an .odttf part: its first 32 bytes XOR-ed with the GUID `key`
    ("{XXXXXXXX-...}") read as 16 bytes from its last hex pair to its first (§17.8.1).
    The same call undoes it."""
    digits = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(byte ^ digits[index % 16] for index, byte in enumerate(data[:32]))
    return head + data[32:]


@functools.cache
def _faces() -> tuple[tuple[str, str, str, bytes], ...]:
    """(family, embedding element, key, obfuscated bytes) of every face, read once a process."""
    faces = []
    for family, (package, files) in FACES.items():
        folder = Path(package.__file__).parent / "files"
        for element, name in files:
            data = (folder / name).read_bytes()
            key = "{" + str(uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])).upper() + "}"
            faces.append((family, element, key, obfuscate(data, key)))
    return tuple(faces)


def embed(package: bytes) -> bytes:
    """The DOCX `package` with the faces embedded (replacing any embedding of the same
    families a reference document brought)."""
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    table_name = _font_table(parts)
    table = etree.fromstring(parts[table_name])
    rels_name = "word/_rels/" + table_name.rsplit("/", 1)[-1] + ".rels"
    rels = etree.fromstring(parts[rels_name]) if rels_name in parts else \
        etree.Element(f"{{{RELS_NS}}}Relationships", nsmap={None: RELS_NS})
    for rel in list(rels):
        if rel.get("Type") == FONT_REL:
            rels.remove(rel)
            parts.pop("word/" + rel.get("Target", "").lstrip("/").removeprefix("word/"), None)
    for font in table.findall(_w("font")):
        for element in font:
            if etree.QName(element).localname.startswith("embed"):
                font.remove(element)
    for number, (family, element, key, data) in enumerate(_faces(), start=1):
        font = _font_entry(table, family)
        rel_id = f"rIdCartaFont{number}"
        etree.SubElement(rels, f"{{{RELS_NS}}}Relationship", Id=rel_id, Type=FONT_REL,
                         Target=f"fonts/font{number}.odttf")
        embedding = etree.Element(_w(element), nsmap={"w": W_NS, "r": R_NS})
        embedding.set(f"{{{R_NS}}}id", rel_id)
        embedding.set(_w("fontKey"), key)
        later = _FONT_CHILDREN[_FONT_CHILDREN.index(element) + 1:]
        following = next((kid for kid in font if etree.QName(kid).localname in later), None)
        if following is not None:
            following.addprevious(embedding)
        else:
            font.append(embedding)
        parts[f"word/fonts/font{number}.odttf"] = data
    parts[table_name] = etree.tostring(table, xml_declaration=True, encoding="UTF-8",
                                       standalone=True)
    parts[rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
    parts["[Content_Types].xml"] = _with_font_type(parts["[Content_Types].xml"])
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return result.getvalue()


def _font_table(parts: dict[str, bytes]) -> str:
    """The font table's part name, made (and related from the document) if there is none."""
    rels_name = "word/_rels/document.xml.rels"
    rels = etree.fromstring(parts[rels_name])
    for rel in rels:
        if rel.get("Type") == FONT_TABLE_REL:
            return "word/" + rel.get("Target", "").lstrip("/").removeprefix("word/")
    etree.SubElement(rels, f"{{{RELS_NS}}}Relationship", Id="rIdCartaFontTable",
                     Type=FONT_TABLE_REL, Target="fontTable.xml")
    parts[rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
    parts["word/fontTable.xml"] = etree.tostring(
        etree.Element(_w("fonts"), nsmap={"w": W_NS, "r": R_NS}))
    types = etree.fromstring(parts["[Content_Types].xml"])
    etree.SubElement(types, f"{{{TYPES_NS}}}Override", PartName="/word/fontTable.xml",
                     ContentType=FONT_TABLE_TYPE)
    parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True,
                                                  encoding="UTF-8", standalone=True)
    return "word/fontTable.xml"


def _font_entry(table, family: str):
    for font in table.findall(_w("font")):
        if font.get(_w("name")) == family:
            return font
    font = etree.SubElement(table, _w("font"))
    font.set(_w("name"), family)
    etree.SubElement(font, _w("family")).set(_w("val"), "roman" if family == SERIF else "swiss")
    etree.SubElement(font, _w("pitch")).set(_w("val"), "variable")
    return font


def _with_font_type(types_xml: bytes) -> bytes:
    types = etree.fromstring(types_xml)
    if not any(kid.get("Extension", "").lower() == "odttf" for kid in types):
        default = etree.Element(f"{{{TYPES_NS}}}Default", Extension="odttf",
                                ContentType=OBFUSCATED_TYPE)
        types.insert(0, default)
    return etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
