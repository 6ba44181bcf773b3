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

`problems` is a PDF/UA-1 checker for what carta's PDFs can get wrong (a subset of the
Matterhorn protocol; veraPDF, the reference validator, needs Java and is not used here).
The /ID WeasyPrint wrote is kept (its first half is the archive's identity of the document) and
the second half is derived from the content, so the same input gives the same bytes.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pikepdf
from lxml import etree
from pikepdf import Array, Dictionary, Name

# The standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4), the only ones used here: a
# type outside this set would need a /RoleMap.
STANDARD_TYPES = frozenset((
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
    "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl",
    "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note",
    "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP", "Warichu", "WT",
    "WP", "Figure", "Formula", "Form"))
HEADINGS = ("H1", "H2", "H3", "H4", "H5", "H6")
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
ARTIFACT = Name.Artifact
# Operators that change nothing this module follows (colours, paths before painting, text
# state it does not need).
_IGNORED = frozenset(("rg", "RG", "g", "G", "k", "K", "sc", "scn", "SC", "SCN", "cs", "CS", "gs",
                      "m", "l", "c", "v", "y", "h", "re", "W", "W*", "n", "BT", "ET", "w", "J",
                      "j", "M", "d", "ri", "i", "Tc", "Tw", "Tz", "TL", "Ts", "Tr", "Td", "TD",
                      "T*"))
# Operators that paint: outside marked content, they are neither real content nor artifacts.
PAINTING = frozenset(("f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "Do", "INLINE IMAGE"))
NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}


def make_accessible(pdf: bytes, *, article_langs: tuple[str, ...] = ()) -> bytes:
    """The PDF with a PDF/UA-1 structure, claimed in its XMP when `problems` finds none.

    Title, language, subject and author come from the PDF itself (WeasyPrint writes them from
    the HTML's <title>, lang and <meta>). `article_langs` are the languages of a combined
    document's versions, in order: each version's fragments become one /Art with its /Lang.
    """
    with pikepdf.open(io.BytesIO(pdf)) as document:
        if "/StructTreeRoot" not in document.Root:
            return pdf  # not tagged (pdf_tags off): nothing to restructure
        _Restructure(document, article_langs).run()
        found = problems(document)
        _write_xmp(document, article_langs, claim=not found)
        out = io.BytesIO()
        # deterministic_id keeps /ID[0] (the archive's identity) and derives /ID[1] from the
        # content, so a rebuild gives the same bytes; fix_metadata_version would re-serialise
        # the XMP just written.
        document.save(out, deterministic_id=True, fix_metadata_version=False)
        return out.getvalue()


# Page content ------------------------------------------------------------------------------

@dataclass
class _Run:
    """One text-showing operation: its font, size, where it starts (text space), and its
    operand as written (decoded only when its text or width is needed)."""

    font: str
    size: float
    x: float
    y: float
    scale: float  # the text matrix's horizontal scale
    operand: object  # a string (Tj) or an array of strings and kerning numbers (TJ)

    def strings(self) -> list:
        if isinstance(self.operand, pikepdf.Array):
            return [item for item in self.operand if isinstance(item, pikepdf.String)]
        return [self.operand]


@dataclass
class _Page:
    """One page's content stream, parsed once: what each marked-content id (MCID) draws."""

    index: int
    page: pikepdf.Page
    instructions: list
    runs: dict = field(default_factory=dict)  # mcid -> [_Run]
    rotated: set = field(default_factory=set)  # mcids drawn at an angle
    mcids: set = field(default_factory=set)
    unmarked: int = 0  # text or painting outside any marked content
    to_artifact: dict = field(default_factory=dict)  # mcid -> artifact properties

    @classmethod
    def parse(cls, index: int, page: pikepdf.Page) -> _Page:
        result = cls(index, page, pikepdf.parse_content_stream(page))
        marks: list = []  # open marked content: an MCID, or None
        ctm = [(1.0, 0.0, 0.0, 1.0)]
        tm_tilted = False
        font, size, x, y, scale = "", 0.0, 0.0, 0.0, 1.0
        for instruction in result.instructions:
            op = str(instruction.operator)  # operands only when needed: they cost more
            if op in _IGNORED:
                continue
            operands = instruction.operands
            if op == "BDC":
                props = operands[1]
                mcid = (int(props.MCID) if isinstance(props, Dictionary) and "/MCID" in props
                        else None)
                marks.append(mcid if mcid is not None else (marks[-1] if marks else "mark"))
                if mcid is not None:
                    result.mcids.add(mcid)
            elif op == "BMC":
                marks.append(marks[-1] if marks else "mark")
            elif op == "EMC":
                if marks:
                    marks.pop()
            elif op == "q":
                ctm.append(ctm[-1])
            elif op == "Q":
                if len(ctm) > 1:
                    ctm.pop()
            elif op == "cm":
                a, b, c, d = (float(value) for value in operands[:4])
                pa, pb, pc, pd = ctm[-1]
                ctm[-1] = (a * pa + b * pc, a * pb + b * pd, c * pa + d * pc, c * pb + d * pd)
            elif op == "Tm":
                tm_tilted = abs(float(operands[1])) > 1e-6 or abs(float(operands[2])) > 1e-6
                scale, x, y = float(operands[0]), float(operands[4]), float(operands[5])
            elif op == "Tf":
                font, size = str(operands[0]), float(operands[1])
            elif op in ("Tj", "TJ", "'", '"'):
                mark = marks[-1] if marks else None
                if mark is None:
                    result.unmarked += 1
                elif isinstance(mark, int):
                    # WeasyPrint sets a Tm before each text box: x and y are where it starts.
                    result.runs.setdefault(mark, []).append(
                        _Run(font, size, x, y, scale, operands[-1]))
                    _, b, c, _ = ctm[-1]
                    if tm_tilted or abs(b) > 1e-6 or abs(c) > 1e-6:
                        result.rotated.add(mark)
            elif op in PAINTING and not marks:
                result.unmarked += 1
        return result

    def rewrite(self, document: pikepdf.Pdf) -> None:
        """Turn the MCIDs in `to_artifact` into /Artifact marked content."""
        if not self.to_artifact:
            return

        def artifact(props: dict) -> bytes:
            entries = b" ".join(key.encode() + b" " + str(value).encode()
                                for key, value in props.items())
            return b"/Artifact <<" + entries + b">> BDC"

        # The operators as WeasyPrint (pydyf) writes them, replaced in the bytes: a third of
        # the cost of writing every instruction back. Anything else is rewritten in full.
        data = self.page.obj.Contents.read_bytes() \
            if isinstance(self.page.obj.Contents, pikepdf.Stream) else b""
        left = set(self.to_artifact)

        def replace(match: re.Match) -> bytes:
            mcid = int(match.group(1))
            if mcid not in self.to_artifact:
                return match.group(0)
            left.discard(mcid)
            return artifact(self.to_artifact[mcid])

        data = _TAGGED.sub(replace, data)
        if left:
            instructions = [
                ([ARTIFACT, Dictionary(self.to_artifact[int(operands[1].MCID)])],
                 pikepdf.Operator("BDC"))
                if str(operator) == "BDC" and isinstance(operands[1], Dictionary)
                and int(operands[1].get("/MCID", -1)) in self.to_artifact
                else (operands, operator)
                for operands, operator in self.instructions]
            data = pikepdf.unparse_content_stream(instructions)
        self.page.obj.Contents = document.make_stream(data)


_TAGGED = re.compile(rb"/[A-Za-z0-9]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


class _Fonts:
    """Decodes shown strings to text through each font's /ToUnicode map."""

    def __init__(self):
        self.maps: dict = {}

    def text(self, page: _Page, runs: list[_Run]) -> str:
        fonts = page.page.obj.Resources.get("/Font", Dictionary())
        out = []
        for run in runs:
            font = fonts.get(run.font)
            if font is None:
                continue
            unicode, width, _ = self._map(font)
            for string in run.strings():
                raw = bytes(string)
                out.extend(unicode.get(int.from_bytes(raw[i:i + width], "big"), "")
                           for i in range(0, len(raw), width))
        return "".join(out)

    def end(self, page: _Page, run: _Run) -> float:
        """Where a run ends, in text space: its start plus its glyphs' advances and kerning."""
        font = page.page.obj.Resources.get("/Font", Dictionary()).get(run.font)
        if font is None:
            return run.x
        _, width, advances = self._map(font)
        items = run.operand if isinstance(run.operand, pikepdf.Array) else [run.operand]
        total = 0.0
        for item in items:
            if isinstance(item, pikepdf.String):
                raw = bytes(item)
                total += sum(advances(int.from_bytes(raw[i:i + width], "big"))
                             for i in range(0, len(raw), width)) * run.size / 1000
            else:
                total -= float(item) * run.size / 1000
        return run.x + total * run.scale

    def _map(self, font):
        key = font.objgen if font.is_indirect else id(font)
        if key not in self.maps:
            width = 2 if font.get("/Subtype") == "/Type0" else 1
            self.maps[key] = (_to_unicode(font.get("/ToUnicode")), width, _advances(font))
        return self.maps[key]


def _advances(font):
    """A glyph code's advance (in thousandths of the size), from /W (CID fonts) or /Widths."""
    if font.get("/Subtype") == "/Type0":
        cid_font = font.DescendantFonts[0]
        default = float(cid_font.get("/DW", 1000))
        widths: dict[int, float] = {}
        items = list(cid_font.get("/W", Array()))
        index = 0
        while index < len(items):
            first = int(items[index])
            if isinstance(items[index + 1], Array):
                for offset, value in enumerate(items[index + 1]):
                    widths[first + offset] = float(value)
                index += 2
            else:
                for code in range(first, int(items[index + 1]) + 1):
                    widths[code] = float(items[index + 2])
                index += 3
        return lambda code: widths.get(code, default)
    first = int(font.get("/FirstChar", 0))
    table = [float(value) for value in font.get("/Widths", Array())]
    return lambda code: table[code - first] if 0 <= code - first < len(table) else 0.0


_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_RANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])")


def _utf16(hexdigits: bytes) -> str:
    return bytes.fromhex(hexdigits.decode("ascii")).decode("utf-16-be", "replace")


def _to_unicode(stream) -> dict[int, str]:
    if not isinstance(stream, pikepdf.Stream):
        return {}
    data = stream.read_bytes()
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for source, target in _PAIR.findall(block):
            mapping[int(source, 16)] = _utf16(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, target in _RANGE.findall(block):
            first, last = int(low, 16), int(high, 16)
            if target.startswith(b"["):
                for offset, each in enumerate(re.findall(rb"<([0-9a-fA-F]+)>", target)):
                    mapping[first + offset] = _utf16(each)
            else:
                base = _utf16(target[1:-1])
                for offset in range(min(last - first, 0xFFFF) + 1):
                    mapping[first + offset] = base[:-1] + chr(ord(base[-1]) + offset)
    return mapping


# The structure tree, as Python objects while it is rebuilt ---------------------------------

@dataclass(eq=False)
class _Content:
    page: int
    mcid: int


@dataclass(eq=False)
class _ObjRef:
    objr: Dictionary  # /Type /OBJR, its /Obj the annotation


@dataclass(eq=False)
class _Node:
    obj: Dictionary
    s: str
    page: int | None
    kids: list = field(default_factory=list)
    parent: _Node | None = None

    def nodes(self):
        return [kid for kid in self.kids if isinstance(kid, _Node)]

    def walk(self):
        yield self
        for kid in self.nodes():
            yield from kid.walk()

    def contents(self):
        for kid in self.kids:
            if isinstance(kid, _Content):
                yield kid
            elif isinstance(kid, _Node):
                yield from kid.contents()

    def adopt(self, kids: list, at: int | None = None) -> None:
        for kid in kids:
            if isinstance(kid, _Node):
                kid.parent = self
        if at is None:
            self.kids.extend(kids)
        else:
            self.kids[at:at] = kids

    def remove(self) -> None:
        if self.parent is not None:
            self.parent.kids = [kid for kid in self.parent.kids if kid is not self]
            self.parent = None


class _Restructure:
    def __init__(self, document: pikepdf.Pdf, article_langs: tuple[str, ...]):
        self.document = document
        self.article_langs = article_langs
        self.pages = [_Page.parse(index, page) for index, page in enumerate(document.pages)]
        self.page_of = {page.obj.objgen: index for index, page in enumerate(document.pages)}
        self.fonts = _Fonts()
        self.texts: dict = {}
        self.root = document.Root.StructTreeRoot
        self.top = [self._read(kid, None, None) for kid in _items(self.root.get("/K"))]
        self.top = [node for node in self.top if isinstance(node, _Node)]
        self.versions = self._version_starts()
        self.note_count = 0

    # Reading -------------------------------------------------------------------------------

    def _read(self, item, parent: _Node | None, page: int | None):
        if isinstance(item, int):  # pikepdf gives integers as int
            return _Content(page, item)
        if not isinstance(item, Dictionary):
            return None
        kind = item.get("/Type")
        if kind == "/MCR":
            where = item.get("/Pg")
            return _Content(self.page_of.get(where.objgen, page) if where is not None else page,
                            int(item.MCID))
        if kind == "/OBJR":
            return _ObjRef(item)
        if "/S" not in item:
            return None
        where = item.get("/Pg")
        if where is not None and where.objgen in self.page_of:
            page = self.page_of[where.objgen]
        node = _Node(item, str(item.S)[1:], page, parent=parent)
        for kid in _items(item.get("/K")):
            read = self._read(kid, node, page)
            if read is not None:
                node.kids.append(read)
        return node

    def text(self, node) -> str:
        contents = [node] if isinstance(node, _Content) else node.contents()
        return "".join(self._content_text(content) for content in contents)

    def _content_text(self, content: _Content) -> str:
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
            notes = self._notes(document)
            self._merge_fragments(document)
            self._place_notes(notes)
            self._links(document)
            self._lists_and_tables(document)
            self._headings(document)
            self._prune(document)
        self._write_tree()
        for page in self.pages:
            page.rewrite(self.document)
        self._dedupe_attachments()

    # Artifacts -----------------------------------------------------------------------------

    def _artifacts(self, document: _Node) -> None:
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
            contents = list(node.contents())
            if node.s == "Figure" and not (node.obj.get("/Alt") or node.obj.get("/ActualText")):
                self._to_artifact(node, {"/Type": Name.Layout})  # alt="": decorative
            elif contents and all(c.mcid in self.pages[c.page].rotated for c in contents) \
                    and node.parent.s in ("Document", "Art", "Part"):
                # Text set at an angle beside the flow: the draft watermark.
                self._to_artifact(node, {"/Type": Name.Pagination, "/Subtype": Name.Watermark})

    def _to_artifact(self, node: _Node, props: dict) -> None:
        for content in node.contents():
            self.pages[content.page].to_artifact[content.mcid] = props
        node.remove()

    # Notes ---------------------------------------------------------------------------------

    def _notes(self, document: _Node) -> list:
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

    def _find_calls(self, node: _Node, markers: set, calls: dict, block_size: float = 0.0):
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

    def _orphan_note(self, note: _Node) -> None:
        flow = [node for node in self.top[0].walk() if node.s in ("Part", "Art")]
        (flow[-1] if flow else self.top[0]).adopt([note])

    # Fragments of one element on consecutive pages -----------------------------------------

    def _merge_fragments(self, document: _Node) -> None:
        self._merge_kids(document)
        if self.versions:
            # The versions' <article>s, at the top or inside the one <main> (a Part).
            articles = [node for node in document.walk() if node.s == "Art"]
            for article, lang in zip(articles, self.article_langs, strict=False):
                article.obj.Lang = pikepdf.String(lang)

    def _merge_kids(self, parent: _Node, start: int = 1) -> None:
        index = max(start, 1)
        while index < len(parent.kids):
            before, after = parent.kids[index - 1], parent.kids[index]
            if isinstance(before, _Node) and isinstance(after, _Node) \
                    and (before.page or 0) < (after.page or 0) and self._continues(before, after):
                self._join(before, after)
                parent.kids.pop(index)
                continue
            index += 1

    def _join(self, first: _Node, second: _Node) -> None:
        kids = second.kids
        if first.s == "Table" and kids and isinstance(kids[0], _Node) and kids[0].s == "THead":
            head = kids.pop(0)  # repeated at the top of each page: once in the tree
            self._retarget_headers(first, head, second)
            self._to_artifact(head, {"/Type": Name.Pagination})
        junction = len(first.kids)
        first.adopt(kids)
        self._merge_kids(first, junction)

    def _continues(self, first: _Node, second: _Node) -> bool:
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
            return not any(kid.s == "Lbl" for kid in second.nodes())
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

    def _last_line_full(self, first: _Node, second: _Node) -> bool:
        def lines(node: _Node, last: bool) -> list[list]:
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

    def _list_continues(self, first: _Node, second: _Node) -> bool:
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

    def _edge_text(self, node: _Node, last: bool) -> str:
        """The text at a fragment's end (or start), calls left out; only that much is decoded."""
        kids = [kid for kid in node.kids if isinstance(kid, _Content)
                or (isinstance(kid, _Node) and kid.s != "Reference")]
        for kid in reversed(kids) if last else kids:
            text = self.text(kid)
            if text.strip():
                return text
        return ""

    def _retarget_headers(self, table: _Node, repeated: _Node, fragment: _Node) -> None:
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

    def _links(self, document: _Node) -> None:
        for node in list(document.walk()):
            index = 1
            while index < len(node.kids):
                before, after = node.kids[index - 1], node.kids[index]
                if isinstance(before, _Node) and isinstance(after, _Node) \
                        and before.s == after.s == "Link" \
                        and _target(before) is not None and _target(before) == _target(after):
                    before.adopt(after.kids)
                    node.kids.pop(index)
                    continue
                index += 1
            if node.s == "Link":
                self._one_annotation_per_page(node)

    def _one_annotation_per_page(self, link: _Node) -> None:
        """One link's annotations on one page become one, with a QuadPoints quad per piece."""
        by_page: dict = {}
        for kid in link.kids:
            if isinstance(kid, _ObjRef):
                by_page.setdefault(kid.objr.get("/Pg", Dictionary()).objgen, []).append(kid)
        for pieces in by_page.values():
            if len(pieces) < 2:
                continue
            keep = pieces[0].objr.Obj
            rects = [[float(value) for value in piece.objr.Obj.Rect] for piece in pieces]
            keep.Rect = Array([min(r[0] for r in rects), min(r[1] for r in rects),
                               max(r[2] for r in rects), max(r[3] for r in rects)])
            keep.QuadPoints = Array([value for x1, y1, x2, y2 in rects
                                     for value in (x1, y2, x2, y2, x1, y1, x2, y1)])
            page = pieces[0].objr.Pg
            gone = {piece.objr.Obj.objgen for piece in pieces[1:]}
            page.Annots = Array([annot for annot in page.Annots if annot.objgen not in gone])
            link.kids = [kid for kid in link.kids if kid not in pieces[1:]]

    # Lists and tables ----------------------------------------------------------------------

    def _lists_and_tables(self, document: _Node) -> None:
        for node in list(document.walk()):
            if node.s == "LI":
                # Block content in an item (a demand's status lines) goes in its LBody.
                loose = [kid for kid in node.kids
                         if not (isinstance(kid, _Node) and kid.s in ("Lbl", "LBody"))]
                if loose:
                    body = next((kid for kid in node.nodes() if kid.s == "LBody"), None)
                    if body is None:
                        body = self._new("LBody", node)
                        node.kids.append(body)
                    node.kids = [kid for kid in node.kids if kid not in loose]
                    body.adopt(loose)
            elif node.s == "L":
                for kid in list(node.kids):
                    if not (isinstance(kid, _Node) and kid.s in ("LI", "L", "Caption")):
                        item = self._new("LI", node)
                        body = self._new("LBody", item)
                        item.kids = [body]
                        node.kids[node.kids.index(kid)] = item
                        body.adopt([kid])
            elif node.s == "TR":
                # WeasyPrint nests a row's header cell in a second TR: lift its cells.
                kids = []
                for kid in node.kids:
                    if isinstance(kid, _Node) and kid.s == "TR":
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

    def _new(self, kind: str, parent: _Node) -> _Node:
        obj = self.document.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + kind)))
        return _Node(obj, kind, parent.page, parent=parent)

    # Headings ------------------------------------------------------------------------------

    def _headings(self, document: _Node) -> None:
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

    # Clean up and write back ---------------------------------------------------------------

    def _prune(self, node: _Node) -> None:
        for kid in node.nodes():
            self._prune(kid)
        node.kids = [kid for kid in node.kids
                     if not (isinstance(kid, _Node) and not kid.kids)]

    def _write_tree(self) -> None:
        nums: dict[int, Dictionary | Array] = {}
        page_arrays: dict[int, dict[int, Dictionary]] = {}
        for document in self.top:
            document.parent = None
            self._write_node(document, self.root, page_arrays, nums)
        self.root.K = Array([document.obj for document in self.top])
        for index, page in enumerate(self.pages):
            mapping = page_arrays.get(index, {})
            key = page.page.obj.get("/StructParents")
            if key is None:
                if not mapping:
                    continue
                key = self._free_key(nums)
                page.page.obj.StructParents = key
            size = max(page.mcids | set(mapping), default=-1) + 1
            nums[int(key)] = Array([mapping.get(mcid, None) for mcid in range(size)])
        self.root.ParentTree = self.document.make_indirect(Dictionary(
            Nums=Array([item for key in sorted(nums) for item in (key, nums[key])])))
        self.root.ParentTreeNextKey = max(nums, default=-1) + 1

    def _free_key(self, nums: dict) -> int:
        used = set(nums) | {int(page.page.obj.get("/StructParents", -1)) for page in self.pages}
        return max(used, default=-1) + 1

    def _write_node(self, node: _Node, parent_obj, page_arrays: dict, nums: dict) -> None:
        obj = node.obj
        obj.S = Name("/" + node.s)
        obj.P = parent_obj
        if node.page is not None:
            obj.Pg = self.pages[node.page].page.obj
        kids = Array()
        for kid in node.kids:
            if isinstance(kid, _Node):
                self._write_node(kid, obj, page_arrays, nums)
                kids.append(kid.obj)
            elif isinstance(kid, _Content):
                page_arrays.setdefault(kid.page, {})[kid.mcid] = obj
                if kid.page == node.page:
                    kids.append(kid.mcid)
                else:
                    kids.append(Dictionary(Type=Name.MCR, MCID=kid.mcid,
                                           Pg=self.pages[kid.page].page.obj))
            else:
                annotation = kid.objr.Obj
                key = annotation.get("/StructParent")
                if key is None:
                    key = max([*nums, *(int(p.page.obj.get("/StructParents", -1))
                                        for p in self.pages)], default=-1) + 1
                    annotation.StructParent = key
                nums[int(key)] = obj
                kids.append(kid.objr)
        obj.K = kids

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


def _items(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


def _is_note_area(node: _Node) -> bool:
    """A page's footnote area: spans, each starting with its ::footnote-marker (a NonStruct)."""
    spans = node.nodes()
    return bool(spans) and len(spans) == len(node.kids) and all(
        span.s == "Span" and span.kids and isinstance(span.kids[0], _Node)
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


def _target(link: _Node):
    for kid in link.kids:
        if isinstance(kid, _ObjRef):
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


# Checks ------------------------------------------------------------------------------------

def problems(document: pikepdf.Pdf) -> list[str]:
    """What stands between this PDF and PDF/UA-1, as far as carta's PDFs can go wrong: the
    machine-checkable rules of the Matterhorn protocol for tags, headings, lists, tables,
    notes, links, artifacts and metadata (fonts and colour are WeasyPrint's, and not checked)."""
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
    parsed = [_Page.parse(index, page) for index, page in enumerate(document.pages)]
    for page in parsed:
        if page.unmarked:
            found.append(f"page {page.index + 1}: {page.unmarked} operations are neither "
                         "tagged nor artifacts")
    elements, tagged, annotations = [], set(), {}
    stack = [(kid, None) for kid in reversed(_items(tree.get("/K")))]
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
        stack.extend((kid, item) for kid in reversed(_items(item.get("/K"))))
    for page in parsed:
        for mcid in sorted(page.mcids):
            if (page.index, mcid) not in tagged:
                found.append(f"page {page.index + 1}: marked content {mcid} is in no element "
                             "and is no artifact")
                break
        for mcid in page.rotated:
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
            for kid in _items(element.get("/K")):
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
            referenced.update(ref.objgen for ref in _items(element.get("/Ref")))
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


# Metadata ----------------------------------------------------------------------------------

def _write_xmp(document: pikepdf.Pdf, article_langs: tuple[str, ...], claim: bool) -> None:
    """dc:language (the document's, then its versions'), dc:title, and pdfuaid:part=1 when
    claimed; a PDF/A gets the extension schema PDF/A requires for pdfuaid. Nothing else is
    touched: the archive checks pdfaid and /Lang, and PDF/A needs the XMP to agree with /Info."""
    langs = list(dict.fromkeys(
        lang for lang in (str(document.Root.get("/Lang", "")), *article_langs) if lang))
    stream = document.Root.get("/Metadata")
    head, tail = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n', \
        b'\n<?xpacket end="r"?>'
    body = None
    if isinstance(stream, pikepdf.Stream):
        data = stream.read_bytes()
        start, end = data.find(b"<x:xmpmeta"), data.rfind(b"</x:xmpmeta>")
        if start >= 0 and end > start:
            head, tail = data[:start], data[end + len(b"</x:xmpmeta>"):]
            body = data[start:end + len(b"</x:xmpmeta>")]
    if body is None:
        body = _new_xmp(document)
    xmpmeta = etree.fromstring(body)
    rdf = xmpmeta.find("rdf:RDF", NS)

    def description() -> etree._Element:
        element = etree.SubElement(rdf, f"{{{NS['rdf']}}}Description", nsmap={
            key: NS[key] for key in ("rdf", "dc", "pdfuaid")})
        element.set(f"{{{NS['rdf']}}}about", "")
        return element

    for old in rdf.iterfind(".//dc:language", NS):
        old.getparent().remove(old)
    if langs:
        bag = etree.SubElement(etree.SubElement(description(), f"{{{NS['dc']}}}language"),
                               f"{{{NS['rdf']}}}Bag")
        for lang in langs:
            etree.SubElement(bag, f"{{{NS['rdf']}}}li").text = lang
    if not rdf.findall(".//dc:title", NS):
        title = str(document.docinfo.get("/Title", ""))
        alt = etree.SubElement(etree.SubElement(description(), f"{{{NS['dc']}}}title"),
                               f"{{{NS['rdf']}}}Alt")
        item = etree.SubElement(alt, f"{{{NS['rdf']}}}li")
        item.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")
        item.text = title
    if claim:
        description().set(f"{{{NS['pdfuaid']}}}part", "1")
        is_pdfa = any(element.get(f"{{{NS['pdfaid']}}}part") for element in rdf) or \
            rdf.find(".//pdfaid:part", NS) is not None
        if is_pdfa:
            rdf.append(etree.fromstring(PDFUA_EXTENSION_SCHEMA))
    document.Root.Metadata = document.make_stream(
        head + etree.tostring(xmpmeta, encoding="utf-8") + tail,
        Type=Name.Metadata, Subtype=Name.XML)


def _new_xmp(document: pikepdf.Pdf) -> bytes:
    """An XMP packet from /Info, for a PDF WeasyPrint wrote without one (any but PDF/A)."""
    info = document.docinfo
    xmpmeta = etree.Element(f"{{{NS['x']}}}xmpmeta", nsmap={"x": NS["x"]})
    rdf = etree.SubElement(xmpmeta, f"{{{NS['rdf']}}}RDF", nsmap={
        key: NS[key] for key in ("rdf", "dc", "pdf", "xmp")})
    about = etree.SubElement(rdf, f"{{{NS['rdf']}}}Description")
    about.set(f"{{{NS['rdf']}}}about", "")
    for key, tag, container in (("/Title", "dc:title", "Alt"), ("/Author", "dc:creator", "Seq"),
                                ("/Subject", "dc:description", "Alt")):
        if str(info.get(key, "")).strip():
            prefix, name = tag.split(":")
            holder = etree.SubElement(etree.SubElement(about, f"{{{NS[prefix]}}}{name}"),
                                      f"{{{NS['rdf']}}}{container}")
            item = etree.SubElement(holder, f"{{{NS['rdf']}}}li")
            if container == "Alt":
                item.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")
            item.text = str(info[key])
    for key, tag in (("/Producer", "pdf:Producer"), ("/Keywords", "pdf:Keywords"),
                     ("/Creator", "xmp:CreatorTool")):
        if str(info.get(key, "")).strip():
            prefix, name = tag.split(":")
            etree.SubElement(about, f"{{{NS[prefix]}}}{name}").text = str(info[key])
    return etree.tostring(xmpmeta, encoding="utf-8")


# PDF/A accepts only the XMP properties it predefines or that an extension schema describes.
PDFUA_EXTENSION_SCHEMA = f"""\
<rdf:Description xmlns:rdf="{NS['rdf']}" xmlns:pdfaExtension="{NS['pdfaExtension']}"
    xmlns:pdfaSchema="{NS['pdfaSchema']}" xmlns:pdfaProperty="{NS['pdfaProperty']}"
    rdf:about="">
  <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>{NS['pdfuaid']}</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
      <pdfaProperty:name>part</pdfaProperty:name>
      <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
      <pdfaProperty:category>internal</pdfaProperty:category>
      <pdfaProperty:description>Part of ISO 14289 (PDF/UA) the document conforms to\
</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
  </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>"""
