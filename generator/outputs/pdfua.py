"""Make WeasyPrint's tagged PDF a PDF/UA-1 structure: the one job of this module.

WeasyPrint (70) tags what it lays out, page by page, so its structure tree reads like the paper
and not like the letter: each page has its own <main> (a paragraph crossing a page is two
paragraphs, a list two lists), the footnotes of a page sit between two pages' text (a screen
reader says "...responsabilidad y | 1. Ver el informe... | tres días..."), a call is an anonymous
NonStruct, a URL that wraps is two links, page numbers are orphaned marked content, and a draft's
watermark is text. `make_accessible` rewrites that tree with pikepdf, from the PDF alone:

- the fragments of one element on consecutive pages become one element again (a paragraph
  only when its text runs on: no full stop at the page's end, no capital letter at the next
  page's start; a list when its numbering runs on or its item continues);
- each footnote becomes a Note with an /ID, read right after the block that cites it, and each
  call a Reference whose /Ref names its Note;
- the link annotations of one link on a page become one annotation with /QuadPoints, in one
  Link element (a link broken across pages keeps one annotation per page, in one element);
- page numbers, a repeated table header, decorative images and text set at an angle (the
  draft watermark) become /Artifact marked content, outside the tree;
- one H1 (the headline; else the subject line; else the sender's name), heading levels that
  never skip, lists as L > LI > Lbl/LBody, table rows as TR > TH/TD with header scopes;
- the XMP gets dc:language, the embedded-file list (/AF) names each file once, and the XMP
  claims pdfuaid:part=1 only when `problems` finds nothing.

The checks are in pdfua_check.py, the tree as Python objects in pdfua_tree.py, what the
pages draw in pdfua_content.py, the XMP in pdfua_xmp.py. The /ID WeasyPrint wrote is kept (its
first half is the archive's identity of the document) and the second half is derived from the
content, so the same input gives the same bytes.
"""

from __future__ import annotations

import io
import re

import pikepdf
from pikepdf import Array, Dictionary, Name

from .pdfua_check import problems
from .pdfua_content import Fonts, Page
from .pdfua_tree import HEADINGS, Content, Node, ObjRef, join_columns, read_tree, write_tree
from .pdfua_xmp import write_xmp

# Elements whose text a reader takes as one unit: a note is read after the one that cites it.
BLOCKS = frozenset(("P", "H", *HEADINGS, "LBody", "TD", "TH", "Caption", "Lbl"))
# Blocks that hold their note inside (a list item's note belongs to the item).
HOLDERS = frozenset(("LBody", "TD", "TH"))
# Containers that continue onto the next page unless the next page's part starts with a heading.
CONTAINERS = frozenset(("Sect", "Div", "NonStruct", "BlockQuote", "TBody", "TFoot", "LBody"))
TEXT_BLOCKS = frozenset(("P", "Caption", *HEADINGS))
# A paragraph's text ends here: full stops in the scripts carta's locales use, then closing marks.
TERMINAL = re.compile(r"[.!?:…。！？؟।][\"'”’»)\]}›]*\s*$")
LINE_HYPHEN = ("\u2010", "-", "\u00ad")  # WeasyPrint's hyphen at a line break is U+2010


def make_accessible(pdf: bytes, *, article_langs: tuple[str, ...] = ()) -> bytes:
    """The PDF with a PDF/UA-1 structure, claimed in its XMP when `problems` finds none.

    Title, language, subject and author come from the PDF itself (WeasyPrint writes them from
    the HTML's <title>, lang and <meta>). `article_langs` are the languages of a combined
    document's versions, in order: each version's fragments become one /Art with its /Lang.
    """
    with pikepdf.open(io.BytesIO(pdf)) as document:
        if "/StructTreeRoot" not in document.Root:
            return pdf  # not tagged (pdf_tags off): nothing to restructure
        restructured = _Restructure(document, article_langs)
        restructured.run()
        # The pages as parsed and rewritten: each content stream is parsed once in all.
        found = problems(document, restructured.pages)
        write_xmp(document, article_langs, claim=not found)
        out = io.BytesIO()
        # deterministic_id keeps /ID[0] (the archive's identity) and derives /ID[1] from the
        # content, so a rebuild gives the same bytes; fix_metadata_version would re-serialise
        # the XMP just written.
        document.save(out, deterministic_id=True, fix_metadata_version=False)
        return out.getvalue()


class _Restructure:
    def __init__(self, document: pikepdf.Pdf, article_langs: tuple[str, ...]):
        self.document = document
        self.article_langs = article_langs
        self.pages = [Page.parse(index, page) for index, page in enumerate(document.pages)]
        self.page_of = {page.obj.objgen: index for index, page in enumerate(document.pages)}
        self.fonts = Fonts()
        self.texts: dict = {}
        self.top = read_tree(document.Root.StructTreeRoot, self.page_of)
        self.versions = self._version_starts()
        self.note_count = 0

    # Reading -------------------------------------------------------------------------------

    def text(self, node) -> str:
        contents = [node] if isinstance(node, Content) else node.contents()
        return "".join(self._content_text(content) for content in contents)

    def _content_text(self, content: Content) -> str:
        key = (content.page, content.mcid)
        if key not in self.texts:
            page = self.pages[content.page]
            self.texts[key] = self.fonts.text(page, page.runs.get(content.mcid, []))
        return self.texts[key]

    def size(self, node) -> float:
        sizes = [run.size for content in node.contents()
                 for run in self.pages[content.page].runs.get(content.mcid, [])]
        return max(sizes, default=0.0)

    def _version_starts(self) -> list[int]:
        """The first page of each version of a combined document: combined.html gives each
        <article> an id "version-<locale>", which WeasyPrint writes as a named destination."""
        if not self.article_langs:
            return []
        starts = sorted({page for name, page in _destinations(self.document, self.page_of)
                         if name.startswith("version-")})
        return starts if len(starts) == len(self.article_langs) else []

    def version(self, page: int | None) -> int:
        return sum(1 for start in self.versions if page is not None and start <= page)

    # The whole job -------------------------------------------------------------------------

    def run(self) -> None:
        for document in self.top:
            self._artifacts(document)
            self._labels(document)
            notes = self._notes(document)
            self._merge_fragments(document)
            self._place_notes(notes)
            self._links(document)
            self._lists_and_tables(document)
            self._headings(document)
            self._prune(document)
        write_tree(self.document, self.top, self.pages)
        for page in self.pages:
            page.rewrite(self.document)
        self._dedupe_attachments()

    # Artifacts -----------------------------------------------------------------------------

    def _artifacts(self, document: Node) -> None:
        reachable = {(content.page, content.mcid) for content in document.contents()}
        for page in self.pages:
            # Marked content no element reaches: WeasyPrint tags the page margin boxes (page
            # numbers) but leaves them out of the tree.
            for mcid in page.mcids:
                if (page.index, mcid) not in reachable:
                    page.to_artifact[mcid] = {"/Type": Name.Pagination}
        for node in list(document.walk()):
            if node.parent is None:
                continue
            if node.s == "Figure" and not (node.obj.get("/Alt") or node.obj.get("/ActualText")):
                self._to_artifact(node, {"/Type": Name.Layout})  # alt="": decorative
            elif node.parent.s in ("Document", "Art", "Part"):
                # Text set at an angle beside the flow: the draft watermark. (Only there: what
                # an element draws is gathered from its whole subtree, too dear for each of
                # 80,000 elements of a long sign-on list.)
                contents = list(node.contents())
                if contents and all(c.mcid in self.pages[c.page].rotated for c in contents):
                    self._to_artifact(node, {"/Type": Name.Pagination,
                                             "/Subtype": Name.Watermark})

    def _to_artifact(self, node: Node, props: dict) -> None:
        for content in node.contents():
            self.pages[content.page].to_artifact[content.mcid] = props
        node.remove()

    def _labels(self, document: Node) -> None:
        """A list number drawn with its item (letter.css sets it as an inline-block before the
        text, so that copying reads it there, not after the page) comes tagged as the first
        NonStruct of the item's LBody: it is the item's Lbl."""
        for item in list(document.walk()):
            if item.s != "LI" or any(kid.s == "Lbl" for kid in item.nodes()):
                continue
            body = next((kid for kid in item.nodes() if kid.s == "LBody"), None)
            first = body.kids[0] if body is not None and body.kids else None
            if isinstance(first, Node) and first.s == "NonStruct":
                first.remove()
                first.s = "Lbl"
                item.adopt([first], at=item.kids.index(body))

    # Notes ---------------------------------------------------------------------------------

    def _notes(self, document: Node) -> list:
        """Find each page's footnote area, make its notes Note elements and their calls
        Reference elements; return (note, first call or None) pairs in order."""
        areas = [node for node in document.walk()
                 if node.parent is not None and node.parent.s in ("Document", "Art", "Part")
                 and node.s == "NonStruct" and _is_note_area(node)]
        notes = []
        for area in areas:
            for span in area.nodes():
                marker = span.nodes()[0]
                marker.s = "Lbl"
                span.s = "Note"
                self.note_count += 1
                span.obj.ID = pikepdf.String(f"note-{self.note_count}")
                notes.append((span, _call_text(self.text(marker)), self.version(span.page)))
            area.remove()
        calls: dict = {}
        if notes:
            markers = {(text, version) for _, text, version in notes}
            self._find_calls(document, markers, calls)
        pairs = []
        for note, text, version in notes:
            found = calls.get((text, version), [])
            for call in found:
                call.s = "Reference"
                call.obj.Ref = Array([note.obj])
            pairs.append((note, found[0] if found else None))
        return pairs

    def _find_calls(self, node: Node, markers: set, calls: dict, block_size: float = 0.0):
        """Calls are inline elements in a block, in smaller type than the block's, whose text
        is a note's marker: the ::footnote-call, and a repeated call (span.note-again)."""
        for kid in node.nodes():
            if kid.s in BLOCKS:
                self._find_calls(kid, markers, calls, self.size(kid))
                continue
            if block_size and kid.s in ("NonStruct", "Span") \
                    and len(list(kid.contents())) <= 2 and self.size(kid) < 0.85 * block_size:
                key = (self.text(kid).strip(), self.version(kid.page))
                if key in markers:
                    calls.setdefault(key, []).append(kid)
                    continue
            self._find_calls(kid, markers, calls, block_size)

    def _place_notes(self, pairs: list) -> None:
        """Each note right after the block that cites it (a list item's or a cell's note at
        the end of it), after the notes placed there before it; an uncited note at the end."""
        after: dict = {}
        for note, call in pairs:
            block = call
            while block is not None and block.s not in BLOCKS:
                block = block.parent
            if block is None or block.parent is None:
                self._orphan_note(note)
                continue
            if block.s in HOLDERS:
                block.adopt([note])
                continue
            anchor = after.get(id(block), block)
            parent = block.parent
            parent.adopt([note], parent.kids.index(anchor) + 1)
            after[id(block)] = note

    def _orphan_note(self, note: Node) -> None:
        flow = [node for node in self.top[0].walk() if node.s in ("Part", "Art")]
        (flow[-1] if flow else self.top[0]).adopt([note])

    # Fragments of one element on consecutive pages -----------------------------------------

    def _merge_fragments(self, document: Node) -> None:
        join_columns(document)
        self._merge_kids(document)
        if self.versions:
            # The versions' <article>s, at the top or inside the one <main> (a Part).
            articles = [node for node in document.walk() if node.s == "Art"]
            for article, lang in zip(articles, self.article_langs, strict=False):
                article.obj.Lang = pikepdf.String(lang)

    def _merge_kids(self, parent: Node, start: int = 1) -> None:
        index = max(start, 1)
        while index < len(parent.kids):
            before, after = parent.kids[index - 1], parent.kids[index]
            if isinstance(before, Node) and isinstance(after, Node) \
                    and (before.page or 0) < (after.page or 0) and self._continues(before, after):
                self._join(before, after)
                parent.kids.pop(index)
                continue
            index += 1

    def _join(self, first: Node, second: Node) -> None:
        kids = second.kids
        if first.s == "Table" and kids and isinstance(kids[0], Node) and kids[0].s == "THead":
            head = kids.pop(0)  # repeated at the top of each page: once in the tree
            self._retarget_headers(first, head, second)
            self._to_artifact(head, {"/Type": Name.Pagination})
        junction = len(first.kids)
        first.adopt(kids)
        self._merge_kids(first, junction)

    def _continues(self, first: Node, second: Node) -> bool:
        if first.s != second.s:
            return False
        kind = first.s
        if kind == "Part":
            return True
        if kind == "Art":
            return bool(self.versions) and self.version(first.page) == self.version(second.page)
        if kind in CONTAINERS or kind == "Table":
            lead = second.nodes()
            return not (lead and lead[0].s in HEADINGS)
        if kind == "L":
            return self._list_continues(first, second)
        if kind == "LI":
            # An item goes on when its next part has no marker while the item had one: an
            # unmarked list (the signatories') gives no sign, and keeps its items whole
            # (break-inside: avoid), so two items there are two names.
            return not any(kid.s == "Lbl" for kid in second.nodes()) \
                and any(kid.s == "Lbl" for kid in first.nodes())
        if kind in TEXT_BLOCKS:
            before, after = self._edge_text(first, last=True), self._edge_text(second, last=False)
            if _runs_on(before, after):
                return True
            # Justified text fills every line but a paragraph's last: a fragment whose last
            # line is full goes on, unless a sentence ends there and the next page's part
            # starts with a capital (then nothing tells, and two paragraphs is the safer read).
            ends_sentence = bool(TERMINAL.search(before.rstrip())) and \
                re.sub(r"^[\"'“‘«(\[¿¡]+", "", after.lstrip())[:1].isupper()
            return self._last_line_full(first, second) and not ends_sentence
        return False

    def _last_line_full(self, first: Node, second: Node) -> bool:
        def lines(node: Node, last: bool) -> list[list]:
            """The runs of a fragment's last (or first) lines, bottom (or top) line first: y
            grows down WeasyPrint's text space, and a raised call joins its line."""
            contents = list(node.contents())
            contents = contents[-8:] if last else contents[:8]  # a few lines do
            runs = sorted(((run.y, run.size, content.page, run) for content in contents
                           for run in self.pages[content.page].runs.get(content.mcid, [])),
                          key=lambda item: item[0], reverse=last)
            grouped: list[list] = []  # [y, size, [(page, run)]]
            for y, size, page, run in runs:
                if grouped and abs(grouped[-1][0] - y) < 0.5 * max(size, grouped[-1][1]):
                    grouped[-1][2].append((page, run))
                else:
                    grouped.append([y, size, [(page, run)]])
            return grouped

        def end(line: list) -> float:
            return max(self.fonts.end(self.pages[page], run) for page, run in line[2])

        # Two lines: the fragment's last, and a full one to measure it by (the one above it,
        # or the first of the next page's part: neither ends a paragraph).
        last_lines, next_lines = lines(first, True), lines(second, False)
        if not last_lines:
            return False
        reference = last_lines[1] if len(last_lines) > 1 else \
            (next_lines[0] if len(next_lines) > 1 else None)
        return reference is not None and end(reference) - end(last_lines[0]) < 2.0

    def _list_continues(self, first: Node, second: Node) -> bool:
        last_items = [kid for kid in first.nodes() if kid.s == "LI"]
        next_items = [kid for kid in second.nodes() if kid.s == "LI"]
        if not last_items or not next_items:
            return False
        label = [kid for kid in next_items[0].nodes() if kid.s == "Lbl"]
        if not label:
            return True  # an item that goes on: its marker is on the page before
        previous = [kid for kid in last_items[-1].nodes() if kid.s == "Lbl"]
        if not previous:
            return False
        one, two = self.text(previous[0]).strip(), self.text(label[0]).strip()
        numbers = [re.search(r"\d+", text) for text in (one, two)]
        if all(numbers):
            return int(numbers[1].group()) == int(numbers[0].group()) + 1
        return one == two  # the same bullet

    def _edge_text(self, node: Node, last: bool) -> str:
        """The text at a fragment's end (or start), calls left out; only that much is decoded."""
        kids = [kid for kid in node.kids if isinstance(kid, Content)
                or (isinstance(kid, Node) and kid.s != "Reference")]
        for kid in reversed(kids) if last else kids:
            text = self.text(kid)
            if text.strip():
                return text
        return ""

    def _retarget_headers(self, table: Node, repeated: Node, fragment: Node) -> None:
        """Cells of a later page name the header cells of that page's repeated header; point
        them at the first header's cells, the ones that stay in the tree."""
        kept = [cell.obj.get("/ID") for cell in table.walk() if cell.s == "TH"
                and cell.parent is not None and cell.parent.parent is not None
                and cell.parent.parent.s == "THead"]
        dropped = [cell.obj.get("/ID") for cell in repeated.walk() if cell.s == "TH"]
        mapping = {str(old): new for old, new in zip(dropped, kept, strict=False)
                   if old is not None and new is not None}
        for cell in fragment.walk():
            attributes = cell.obj.get("/A")
            if isinstance(attributes, Dictionary) and "/Headers" in attributes:
                attributes.Headers = Array([mapping.get(str(name), name)
                                            for name in attributes.Headers])

    # Links ---------------------------------------------------------------------------------

    def _links(self, document: Node) -> None:
        for node in list(document.walk()):
            index = 1
            while index < len(node.kids):
                before, after = node.kids[index - 1], node.kids[index]
                if isinstance(before, Node) and isinstance(after, Node) \
                        and before.s == after.s == "Link" \
                        and _target(before) is not None and _target(before) == _target(after):
                    before.adopt(after.kids)
                    node.kids.pop(index)
                    continue
                index += 1
            if node.s == "Link":
                self._one_annotation_per_page(node)

    def _one_annotation_per_page(self, link: Node) -> None:
        """One link's annotations on one page become one, with a QuadPoints quad per piece."""
        # A named link printed with its address after it (`links: url-after`) holds that
        # address, WeasyPrint's ::after box, as a Link of its own to the same place, with
        # annotations over the same words: a reader would hear two links, a viewer find two.
        # Its content and annotations become the link's own, where they stood.
        target = _target(link)
        index = 0
        while target is not None and index < len(link.kids):
            inner = link.kids[index]
            if isinstance(inner, Node) and inner.s == "Link" and _target(inner) == target:
                link.kids.pop(index)
                link.adopt(inner.kids, at=index)
                inner.kids, inner.parent = [], None
                continue
            index += 1
        by_page: dict = {}
        for kid in link.kids:
            if isinstance(kid, ObjRef):
                by_page.setdefault(kid.objr.get("/Pg", Dictionary()).objgen, []).append(kid)
        for pieces in by_page.values():
            # WeasyPrint writes each Rect top first ([x1 top x2 bottom]); the PDF allows any two
            # opposite corners, but merging such corners with min/max gave a zero-height Rect,
            # a link no viewer could hit. So each Rect becomes [left bottom right top] first.
            rects = []
            for piece in pieces:
                x1, y1, x2, y2 = (float(value) for value in piece.objr.Obj.Rect)
                rects.append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
                piece.objr.Obj.Rect = Array(rects[-1])
            if len(pieces) < 2:
                continue
            keep = pieces[0].objr.Obj
            keep.Rect = Array([min(r[0] for r in rects), min(r[1] for r in rects),
                               max(r[2] for r in rects), max(r[3] for r in rects)])
            # A piece inside another (the ::after box inside its link's) adds no quad.
            rects = [rect for number, rect in enumerate(rects)
                     if not any(_inside(rect, other) and (rect != other or before < number)
                                for before, other in enumerate(rects) if before != number)]
            # Upper left, upper right, lower left, lower right, as Acrobat writes quads; each lies
            # inside the Rect, or pdf.js would ignore them all.
            keep.QuadPoints = Array([value for left, bottom, right, top in rects
                                     for value in (left, top, right, top,
                                                   left, bottom, right, bottom)])
            page = pieces[0].objr.Pg
            gone = {piece.objr.Obj.objgen for piece in pieces[1:]}
            annotations = [annot for annot in page.Annots if annot.objgen not in gone]
            if len(rects) > 1:
                # PDFium (Chromium's viewer) hits a link by its Rect alone, topmost last: the
                # Rect of a link on several lines covers its neighbours' words too, so it goes
                # under the page's other links. Tab order follows the structure (/Tabs /S).
                annotations = [keep, *(annot for annot in annotations
                                       if annot.objgen != keep.objgen)]
            page.Annots = Array(annotations)
            link.kids = [kid for kid in link.kids if kid not in pieces[1:]]

    # Lists and tables ----------------------------------------------------------------------

    def _lists_and_tables(self, document: Node) -> None:
        for node in list(document.walk()):
            if node.s == "LI":
                # Block content in an item (a demand's status lines) goes in its LBody.
                loose = [kid for kid in node.kids
                         if not (isinstance(kid, Node) and kid.s in ("Lbl", "LBody"))]
                if loose:
                    body = next((kid for kid in node.nodes() if kid.s == "LBody"), None)
                    if body is None:
                        body = self._new("LBody", node)
                        node.kids.append(body)
                    node.kids = [kid for kid in node.kids if kid not in loose]
                    body.adopt(loose)
            elif node.s == "L":
                for kid in list(node.kids):
                    if not (isinstance(kid, Node) and kid.s in ("LI", "L", "Caption")):
                        item = self._new("LI", node)
                        body = self._new("LBody", item)
                        item.kids = [body]
                        node.kids[node.kids.index(kid)] = item
                        body.adopt([kid])
            elif node.s == "TR":
                # WeasyPrint nests a row's header cell in a second TR: lift its cells.
                kids = []
                for kid in node.kids:
                    if isinstance(kid, Node) and kid.s == "TR":
                        node.adopt(kid.kids)
                        kids.extend(kid.kids)
                    else:
                        kids.append(kid)
                node.kids = kids
        for cell in document.walk():
            if cell.s != "TH":
                continue
            attributes = cell.obj.get("/A")
            if not isinstance(attributes, Dictionary):
                attributes = cell.obj.A = Dictionary(O=Name.Table)
            if "/Scope" not in attributes:
                group = cell.parent.parent if cell.parent is not None else None
                in_head = group is not None and group.s == "THead"
                attributes.Scope = Name.Column if in_head else Name.Row

    def _new(self, kind: str, parent: Node) -> Node:
        obj = self.document.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + kind)))
        return Node(obj, kind, parent.page, parent=parent)

    # Headings ------------------------------------------------------------------------------

    def _headings(self, document: Node) -> None:
        if not any(node.s == "H1" for node in document.walk()):
            # No headline: the subject line ("Asunto: ..."), else the sender's name, among the
            # paragraphs before the first heading (never the signature at the end).
            leading = []
            for node in document.walk():
                if node.s in HEADINGS:
                    break
                if node.s == "P":
                    leading.append((node, _squash(self.text(node))))
            info = self.document.docinfo
            subject, author = (_squash(str(info.get(key, ""))) for key in ("/Subject", "/Author"))
            found = next((node for node, text in leading if subject and text.endswith(subject)),
                         None) or next((node for node, text in leading
                                        if author and text == author), None)
            if found is not None:
                found.s = "H1"
        level = 0
        for node in document.walk():
            if node.s in HEADINGS:
                # Never deeper than one below the heading before: H1 then H3 reads as H1, H2.
                level = min(int(node.s[1]), level + 1)
                node.s = f"H{level}"

    # Clean up ------------------------------------------------------------------------------

    def _prune(self, node: Node) -> None:
        for kid in node.nodes():
            self._prune(kid)
        node.kids = [kid for kid in node.kids
                     if not (isinstance(kid, Node) and not kid.kids)]

    def _dedupe_attachments(self) -> None:
        """WeasyPrint lists each associated file twice in the catalog's /AF."""
        files = self.document.Root.get("/AF")
        if not isinstance(files, Array):
            return
        seen, kept = set(), Array()
        for spec in files:
            key = spec.objgen if spec.is_indirect else repr(spec)
            if key not in seen:
                seen.add(key)
                kept.append(spec)
        self.document.Root.AF = kept


def _is_note_area(node: Node) -> bool:
    """A page's footnote area: spans, each starting with its ::footnote-marker (a NonStruct)."""
    spans = node.nodes()
    return bool(spans) and len(spans) == len(node.kids) and all(
        span.s == "Span" and span.kids and isinstance(span.kids[0], Node)
        and span.kids[0].s == "NonStruct" for span in spans)


def _call_text(marker: str) -> str:
    """The call's text from the note's marker: "1. " -> "1", "[1] " -> "[1]", "* " -> "*"."""
    text = marker.strip()
    return text[:-1] if text.endswith(".") and text[:-1].isdigit() else text


def _runs_on(before: str, after: str) -> bool:
    """Whether a text cut at a page's end goes on at the next page's start."""
    before, after = before.rstrip(), after.lstrip()
    if not before or not after:
        return False
    if before.endswith(LINE_HYPHEN):
        return True  # a word broken across the pages
    if TERMINAL.search(before):
        return False
    start = re.sub(r"^[\"'“‘«(\[¿¡]+", "", after)
    return not start[:1].isupper()


def _squash(text: str) -> str:
    return re.sub(r"[\s\u2010\u00ad-]+", "", text).casefold()


def _inside(rect: tuple, other: tuple) -> bool:
    """Whether a normalised rectangle lies within another."""
    return (other[0] <= rect[0] and other[1] <= rect[1]
            and rect[2] <= other[2] and rect[3] <= other[3])


def _target(link: Node):
    for kid in link.kids:
        if isinstance(kid, ObjRef):
            action = kid.objr.Obj.get("/A")
            if isinstance(action, Dictionary) and "/URI" in action:
                return ("uri", bytes(action.URI))
            if "/Dest" in kid.objr.Obj:
                return ("dest", repr(kid.objr.Obj.Dest))
    return None


def _destinations(document: pikepdf.Pdf, page_of: dict):
    """(name, page index) of each named destination."""
    names = document.Root.get("/Names")
    tree = names.get("/Dests") if isinstance(names, Dictionary) else None
    stack = [tree] if tree is not None else []
    while stack:
        node = stack.pop()
        stack.extend(node.get("/Kids", []))
        pairs = list(node.get("/Names", []))
        for name, dest in zip(pairs[::2], pairs[1::2], strict=False):
            if isinstance(dest, Dictionary):
                dest = dest.get("/D")
            if isinstance(dest, Array) and len(dest) and isinstance(dest[0], Dictionary):
                page = page_of.get(dest[0].objgen)
                if page is not None:
                    yield str(name), page

