"""The DOCX package around the letter's text: reference documents, properties, settings, bytes."""

from __future__ import annotations

import datetime
import io
import os
import posixpath
import re
import stat
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from ..core.errors import CartaError, Notice
from .docx_fields import PROP_GENERATOR, PROP_LETTER, PROP_LOCALE, PROP_RECIPIENT
from .docx_fonts import embed as embed_fonts
from .docx_xml import CUSTOM_NS, VT_NS, w

CUSTOM_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
              "custom-properties")
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOTX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"

PACKAGE_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HYPERLINK_REL = f"{R_NS}/hyperlink"
ATTACHED_TEMPLATE_REL = f"{R_NS}/attachedTemplate"
# Fields whose code names a file or a server that Word reads when it updates them, which it
# may do on opening: the document would call home (INCLUDEPICTURE "http://…" \d is the
# classic tracking pixel).
FETCHING_FIELD = re.compile(r"\s*(INCLUDEPICTURE|INCLUDETEXT|LINK|DDE|DDEAUTO|IMPORT)\b",
                            re.IGNORECASE)
# A letterhead is a page of styles, a header and a logo or two: these bound what is read
# and unpacked of one (a zip of a few KB can unpack to gigabytes).
MAX_REFERENCE_BYTES = 50 << 20
MAX_REFERENCE_INFLATED = 200 << 20
# What a reader would call each kind of link that is dropped.
LINK_NAMES = {"attachedTemplate": "the attached template", "image": "a linked picture",
              "oleObject": "a linked object", "subDocument": "a linked subdocument",
              "frame": "a linked frame", "aFChunk": "a linked text chunk",
              "package": "a linked package"}


def read_reference(path: Path, warn: Callable[[Notice], None] | None = None) -> bytes:
    """A partner's template as DOCX bytes, or a clear error: it must be a Word document
    (.docx, or a .dotx template, which is used as a document).

    What Word would fetch from elsewhere on opening the letter (an attached template, linked
    pictures or objects, fields that include a file) is removed, so that the coalition's
    DOCX calls nowhere; `warn` hears what was dropped. Hyperlinks stay: Word follows them only
    when the reader clicks."""
    shown = str(path)
    data = _read_bounded(Path(path), shown)
    hint = ("expected a Word document (.docx) such as a partner's letterhead; "
            "save it from Word or LibreOffice as 'Word 2007-365 (.docx)'")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            inflated = sum(info.file_size for info in package.infolist())
            if inflated > MAX_REFERENCE_INFLATED:
                raise CartaError(f"--reference-doc {shown}: its parts unpack to "
                                 f"{inflated >> 20} MB, more than the "
                                 f"{MAX_REFERENCE_INFLATED >> 20} MB a letterhead needs; "
                                 f"{hint}")
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
    try:
        data, dropped = without_remote_links(data)
    except ValueError as error:
        raise CartaError(f"--reference-doc {shown}: {error}; {hint}") from None
    if dropped and warn is not None:
        warn(Notice(f"--reference-doc {shown}: removed what Word would fetch from elsewhere "
                    f"when the letter is opened: {'; '.join(dropped)}. The letters made from "
                    "it link to none of it", "refused-resource"))
    return data


def _read_bounded(path: Path, shown: str) -> bytes:
    """The file's bytes, if it is a regular file of bounded size (--reference-doc /dev/zero
    must not read forever)."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked next.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(descriptor, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise CartaError(f"--reference-doc {shown}: expected a Word document, found "
                                 "a device, pipe or socket")
            if info.st_size > MAX_REFERENCE_BYTES:
                raise CartaError(f"--reference-doc {shown}: {info.st_size >> 20} MB, more "
                                 f"than the {MAX_REFERENCE_BYTES >> 20} MB a letterhead needs")
            data = stream.read(MAX_REFERENCE_BYTES + 1)
    except OSError as error:
        raise CartaError(f"--reference-doc {shown}: cannot read it ({error.strerror})") \
            from None
    if len(data) > MAX_REFERENCE_BYTES:  # it grew while being read
        raise CartaError(f"--reference-doc {shown}: more than the "
                         f"{MAX_REFERENCE_BYTES >> 20} MB a letterhead needs")
    return data


def without_remote_links(data: bytes) -> tuple[bytes, list[str]]:
    """The package without the links Word follows by itself (every external relationship
    but hyperlinks, attachedTemplate even when local, fetching fields), and what went, each
    as "<what> <target> (<part>)"."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return _without_remote_links(data, parser)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"a damaged Word document: a part is not well-formed XML ({error})") \
            from None
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError) \
            as error:  # corrupt data, an encrypted part, an unknown compression method
        raise ValueError(f"a damaged Word document: a part cannot be unpacked ({error})") \
            from None


def _without_remote_links(data: bytes, parser) -> tuple[bytes, list[str]]:
    from lxml import etree

    dropped: list[str] = []
    changed: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        for name in names:
            if not name.endswith(".rels"):
                continue
            part = _part_of_rels(name)
            rels = etree.fromstring(package.read(name), parser)
            gone: set[str] = set()
            for rel in list(rels.iter(f"{{{PACKAGE_RELS_NS}}}Relationship")):
                kind = rel.get("Type", "")
                external = rel.get("TargetMode", "") == "External"
                if (external and kind != HYPERLINK_REL) or kind == ATTACHED_TEMPLATE_REL:
                    short = kind.rsplit("/", 1)[-1]
                    dropped.append(f"{LINK_NAMES.get(short, 'a link (' + short + ')')} "
                                   f"{_shown_target(rel.get('Target', ''))} ({part or name})")
                    gone.add(rel.get("Id", ""))
                    rels.remove(rel)
            if gone:
                changed[name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                               standalone=True)
                if part in names:
                    root = etree.fromstring(changed.get(part) or package.read(part), parser)
                    _drop_references(root, gone)
                    changed[part] = _serialize(root)
        for name in names:
            if name.startswith("word/") and name.endswith(".xml") and "/_rels/" not in name:
                root = etree.fromstring(changed.get(name) or package.read(name), parser)
                if _drop_fetching(root, name, dropped):
                    changed[name] = _serialize(root)
        if not changed:
            return data, dropped
        result = io.BytesIO()
        with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
            for info in package.infolist():
                target.writestr(info, changed.get(info.filename)
                                or package.read(info.filename))
    return result.getvalue(), dropped


def _part_of_rels(name: str) -> str:
    """word/_rels/settings.xml.rels -> word/settings.xml; _rels/.rels -> "" (the package)."""
    folder, file = posixpath.split(name)
    return posixpath.join(posixpath.dirname(folder), file[:-len(".rels")]).lstrip("/") \
        if file != ".rels" else ""


def _shown_target(target: str) -> str:
    return repr(target if len(target) <= 120 else target[:117] + "...")


def _drop_references(root, gone: set[str]) -> None:
    """Elements that pointed at a dropped relationship go (w:attachedTemplate, v:imagedata,
    o:OLEObject, w:subDoc…); a picture that also embeds its image keeps it (a:blip)."""
    for element in list(root.iter()):
        for attribute, value in list(element.attrib.items()):
            if attribute.startswith(f"{{{R_NS}}}") and value in gone:
                if element.tag == f"{{{DRAWING_NS}}}blip":
                    del element.attrib[attribute]
                elif element.getparent() is not None:
                    element.getparent().remove(element)
                break


def _drop_fetching(root, name: str, dropped: list[str]) -> bool:
    """Fields that would fetch a file lose their code and keep what they last showed; the
    attached template goes even when it is a local file (it carries macros)."""
    changed = False
    for element in list(root.iter(f"{{{W_NS}}}attachedTemplate")):
        element.getparent().remove(element)
        changed = True
    for simple in list(root.iter(f"{{{W_NS}}}fldSimple")):
        code = simple.get(f"{{{W_NS}}}instr", "")
        if FETCHING_FIELD.match(code):
            dropped.append(f"a field {_shown_target(code.strip())} ({name})")
            parent = simple.getparent()
            index = parent.index(simple)
            for child in list(simple):
                parent.insert(index, child)
                index += 1
            parent.remove(simple)
            changed = True
    # A field's code may be split over several runs ("INCLUDE", "PICTURE \"http…"): it is
    # judged whole, between its begin and its separate (or end) marks; fields nest.
    open_fields: list[list] = []
    for element in root.iter(f"{{{W_NS}}}fldChar", f"{{{W_NS}}}instrText"):
        if element.tag == f"{{{W_NS}}}instrText":
            if open_fields and open_fields[-1] is not None:
                open_fields[-1].append(element)
            continue
        mark = element.get(f"{{{W_NS}}}fldCharType")
        if mark == "begin":
            open_fields.append([])
        elif mark in ("separate", "end") and open_fields:
            parts = open_fields[-1]
            code = "".join(part.text or "" for part in parts or ())
            if parts and FETCHING_FIELD.match(code):
                dropped.append(f"a field {_shown_target(code.strip())} ({name})")
                for part in parts:
                    part.text = ""
                changed = True
            if mark == "end":
                open_fields.pop()
            else:
                open_fields[-1] = None  # judged: the result's runs follow
    return changed


def _serialize(root) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


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


def write_properties(document, job, context) -> None:
    """The core properties (title, author, language, dates from the letter), and carta's
    custom ones, which name the letter, locale and copy for `carta diff-docx`."""
    created = datetime.datetime.combine(job.letter.date, datetime.time(),
                                        tzinfo=datetime.UTC)
    core = document.core_properties
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
    _custom_properties(document, {
        PROP_LETTER: job.letter.id,
        PROP_LOCALE: job.locale,
        PROP_RECIPIENT: job.recipient.id if job.recipient else "",
        PROP_GENERATOR: context["generator"],
    })


def _custom_properties(document, values: dict[str, str]) -> None:
    """docProps/custom.xml: carta's properties, beside any the partner's document has."""
    from lxml import etree

    package = document.part.package
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


# What follows w:embedTrueTypeFonts in CT_Settings before SETTINGS_ORDER begins.
_AFTER_EMBEDDING = (
    "embedSystemFonts", "saveSubsetFonts", "saveFormsData", "mirrorMargins",
    "alignBordersAndEdges", "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter",
    "gutterAtTop", "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle",
    "proofState", "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", *SETTINGS_ORDER,
)


def write_settings(document) -> None:
    """Hyphenation like the PDF's, tracked changes on (a reviewer's edits come back as
    insertions and deletions that `carta diff-docx` lists), and the fonts the package carries
    (docx_fonts.py) marked as embedded."""
    from docx.oxml import OxmlElement

    settings = document.settings.element
    if settings.find(w("embedTrueTypeFonts")) is None:
        element = OxmlElement("w:embedTrueTypeFonts")
        later = {w(name) for name in _AFTER_EMBEDDING}
        following = next((child for child in settings if child.tag in later), None)
        if following is not None:
            following.addprevious(element)
        else:
            settings.append(element)
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


def save(document, date: datetime.date) -> bytes:
    """The package with fixed entry times (the letter's date): the same letter gives the
    same bytes at every build."""
    raw = io.BytesIO()
    document.save(raw)
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    result = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(embed_fonts(raw.getvalue()))) as source, \
            zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return result.getvalue()
