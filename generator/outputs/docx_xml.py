"""WordprocessingML as the DOCX modules write it: namespaces, qualified names, language tags."""

from __future__ import annotations

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def w(tag: str) -> str:
    """A WordprocessingML tag or attribute as lxml names it: "p" -> "{...main}p"."""
    return f"{{{W_NS}}}{tag}"


def lang_element(tag: str | None):
    """w:lang: the language Word spells and hyphenates a run (or a paragraph mark) in."""
    from docx.oxml import OxmlElement

    element = OxmlElement("w:lang")
    if tag:
        element.set(w("val"), tag)
        element.set(w("bidi"), tag)
    return element


def val_element(tag: str, value: str):
    """An element whose one attribute is w:val, such as <w:u w:val="single"/>."""
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    element.set(w("val"), value)
    return element


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
