"""A PDF/UA-1 checker for what carta's PDFs can get wrong: a subset of the Matterhorn protocol.

veraPDF, the reference validator, needs Java and is not used here. `make_accessible` claims
PDF/UA-1 in the XMP only when `problems` finds nothing.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary

from .pdfua_content import Page
from .pdfua_tree import HEADINGS, as_list

# The standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4), the only ones used here: a
# type outside this set would need a /RoleMap.
STANDARD_TYPES = frozenset((
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
    "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl",
    "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note",
    "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP", "Warichu", "WT",
    "WP", "Figure", "Formula", "Form"))


def problems(document: pikepdf.Pdf, pages: list[Page] | None = None) -> list[str]:
    """What stands between this PDF and PDF/UA-1, as far as carta's PDFs can go wrong: the
    machine-checkable rules of the Matterhorn protocol for tags, headings, lists, tables,
    notes, links, artifacts and metadata (fonts and colour are WeasyPrint's, and not checked).

    `pages` are the document's pages as `make_accessible` parsed and rewrote them: given, the
    content streams are not parsed a second time (what a page marks after its rewrite is
    what it marked before, less the MCIDs it turned into artifacts)."""
    found: list[str] = []
    root = document.Root
    mark_info = root.get("/MarkInfo")
    if not (isinstance(mark_info, Dictionary) and bool(mark_info.get("/Marked", False))):
        found.append("the catalog does not say the PDF is tagged (/MarkInfo /Marked)")
    if not str(root.get("/Lang", "")).strip():
        found.append("the catalog has no /Lang")
    preferences = root.get("/ViewerPreferences")
    if not (isinstance(preferences, Dictionary)
            and bool(preferences.get("/DisplayDocTitle", False))):
        found.append("/ViewerPreferences /DisplayDocTitle is not true")
    if not str(document.docinfo.get("/Title", "")).strip():
        found.append("the PDF has no title")
    tree = root.get("/StructTreeRoot")
    if not isinstance(tree, Dictionary):
        return [*found, "the PDF has no structure tree"]
    page_of = {page.obj.objgen: index for index, page in enumerate(document.pages)}
    parsed = pages if pages is not None else \
        [Page.parse(index, page) for index, page in enumerate(document.pages)]
    for page in parsed:
        if page.unmarked:
            found.append(f"page {page.index + 1}: {page.unmarked} operations are neither "
                         "tagged nor artifacts")
    elements, tagged, annotations = [], set(), {}
    stack = [(kid, None) for kid in reversed(as_list(tree.get("/K")))]
    while stack:
        item, parent = stack.pop()
        if isinstance(item, Dictionary) and item.get("/Type") == "/OBJR":
            annotations[item.Obj.objgen] = parent
            continue
        if isinstance(item, Dictionary) and item.get("/Type") == "/MCR":
            tagged.add((page_of.get(item.Pg.objgen), int(item.MCID)))
            continue
        if not isinstance(item, Dictionary):
            if parent is not None and "/Pg" in parent:
                tagged.add((page_of.get(parent.Pg.objgen), int(item)))
            continue
        elements.append((item, parent))
        stack.extend((kid, item) for kid in reversed(as_list(item.get("/K"))))
    for page in parsed:
        for mcid in sorted(page.marked()):
            if (page.index, mcid) not in tagged:
                found.append(f"page {page.index + 1}: marked content {mcid} is in no element "
                             "and is no artifact")
                break
        for mcid in page.rotated - page.to_artifact.keys():
            if (page.index, mcid) in tagged:
                found.append(f"page {page.index + 1}: text set at an angle (a watermark) is "
                             "in the structure tree")
                break
    found += _check_elements(elements)
    for index, page in enumerate(document.pages):
        annots = page.obj.get("/Annots", Array())
        if len(annots) and page.obj.get("/Tabs") != "/S":
            found.append(f"page {index + 1}: has annotations but no /Tabs /S")
        for annot in annots:
            if annot.get("/Subtype") in ("/Popup", "/PrinterMark"):
                continue
            parent = annotations.get(annot.objgen)
            if parent is None:
                found.append(f"page {index + 1}: an annotation is not in the structure tree")
            elif annot.get("/Subtype") == "/Link" and parent.S != "/Link":
                found.append(f"page {index + 1}: a link annotation is not in a Link element")
            if annot.get("/Subtype") == "/Link" and not str(annot.get("/Contents", "")).strip():
                found.append(f"page {index + 1}: a link annotation has no /Contents")
    return found


def _check_elements(elements: list) -> list[str]:
    found = []
    allowed_parents = {"LI": {"L"}, "Lbl": {"LI", "Note"}, "LBody": {"LI"},
                       "TR": {"Table", "THead", "TBody", "TFoot"}, "TH": {"TR"}, "TD": {"TR"},
                       "THead": {"Table"}, "TBody": {"Table"}, "TFoot": {"Table"}}
    allowed_kids = {"L": {"LI", "L", "Caption"}, "LI": {"Lbl", "LBody"},
                    "TR": {"TH", "TD"}}
    headings, note_ids, referenced = [], [], set()
    for element, parent in elements:
        kind = str(element.S)[1:]
        parent_kind = str(parent.S)[1:] if parent is not None and "/S" in parent else None
        if kind not in STANDARD_TYPES:
            found.append(f"{kind} is not a standard structure type")
        if kind in allowed_parents and parent_kind not in allowed_parents[kind]:
            found.append(f"{kind} inside {parent_kind}")
        if kind in allowed_kids:
            for kid in as_list(element.get("/K")):
                if isinstance(kid, Dictionary) and "/S" in kid \
                        and str(kid.S)[1:] not in allowed_kids[kind]:
                    found.append(f"{str(kid.S)[1:]} inside {kind}")
        if kind in HEADINGS:
            headings.append(int(kind[1]))
        elif kind == "H":
            found.append("a generic H heading (carta uses H1-H6 only)")
        if kind == "Figure" and not (element.get("/Alt") or element.get("/ActualText")):
            found.append("a Figure without alternative text")
        if kind == "TH":
            attributes = element.get("/A")
            if not (isinstance(attributes, Dictionary) and "/Scope" in attributes):
                found.append("a table header cell without /Scope")
        if kind == "Note":
            note_ids.append(str(element.get("/ID", "")))
        if kind == "Reference":
            referenced.update(ref.objgen for ref in as_list(element.get("/Ref")))
    if headings and headings[0] != 1:
        found.append(f"the first heading is H{headings[0]}, not H1")
    if not headings:
        found.append("no heading: a document needs one H1")
    for before, after in zip(headings, headings[1:], strict=False):
        if after > before + 1:
            found.append(f"heading levels skip from H{before} to H{after}")
            break
    if "" in note_ids or len(set(note_ids)) != len(note_ids):
        found.append("a Note without a unique /ID")
    notes = [element for element, _ in elements if element.S == "/Note"]
    if any(note.objgen not in referenced for note in notes):
        found.append("a Note that no call (Reference) refers to")
    return found
