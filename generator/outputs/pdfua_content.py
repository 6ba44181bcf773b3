"""A tagged PDF's page content by marked-content id: what each draws, which are artifacts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

ARTIFACT = Name.Artifact
# Operators that change nothing the parsing follows (colours, paths before painting, text
# state it does not need).
_IGNORED = frozenset(("rg", "RG", "g", "G", "k", "K", "sc", "scn", "SC", "SCN", "cs", "CS", "gs",
                      "m", "l", "c", "v", "y", "h", "re", "W", "W*", "n", "BT", "ET", "w", "J",
                      "j", "M", "d", "ri", "i", "Tc", "Tw", "Tz", "TL", "Ts", "Tr", "Td", "TD",
                      "T*"))
# Operators that paint: outside marked content, they are neither real content nor artifacts.
PAINTING = frozenset(("f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "Do", "INLINE IMAGE"))


@dataclass
class Run:
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
class Page:
    """One page's content stream, parsed once: what each marked-content id (MCID) draws."""

    index: int
    page: pikepdf.Page
    instructions: list
    runs: dict = field(default_factory=dict)  # mcid -> [Run]
    rotated: set = field(default_factory=set)  # mcids drawn at an angle
    mcids: set = field(default_factory=set)
    unmarked: int = 0  # text or painting outside any marked content
    to_artifact: dict = field(default_factory=dict)  # mcid -> artifact properties

    @classmethod
    def parse(cls, index: int, page: pikepdf.Page) -> Page:
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
                        Run(font, size, x, y, scale, operands[-1]))
                    _, b, c, _ = ctm[-1]
                    if tm_tilted or abs(b) > 1e-6 or abs(c) > 1e-6:
                        result.rotated.add(mark)
            elif op in PAINTING and not marks:
                result.unmarked += 1
        return result

    def marked(self) -> set:
        """The MCIDs the page marks once `rewrite` has turned those of `to_artifact` into
        artifacts: the same set a parse of the rewritten stream finds."""
        return self.mcids - self.to_artifact.keys()

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


class Fonts:
    """Decodes shown strings to text through each font's /ToUnicode map."""

    def __init__(self):
        self.maps: dict = {}

    def text(self, page: Page, runs: list[Run]) -> str:
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

    def end(self, page: Page, run: Run) -> float:
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
