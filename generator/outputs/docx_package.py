"""The DOCX package around the letter's text: reference documents, properties, settings, bytes."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

from ..core.errors import CartaError
from .docx_fields import PROP_GENERATOR, PROP_LETTER, PROP_LOCALE, PROP_RECIPIENT
from .docx_xml import CUSTOM_NS, VT_NS, w

CUSTOM_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
              "custom-properties")
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOTX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"


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


def write_settings(document) -> None:
    """Hyphenation like the PDF's, and tracked changes on: a reviewer's edits come back
    as insertions and deletions that `carta diff-docx` lists."""
    from docx.oxml import OxmlElement

    settings = document.settings.element
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
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, \
            zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return result.getvalue()
