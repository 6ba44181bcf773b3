"""A typesetter's measure of carta's PDFs, per document. Prints figures, no verdicts.

    .venv/bin/python benchmarks/typography.py [PROJECT ...]

For the repository's own letters and every project in examples/ (or the projects given), it
makes each PDF as `carta build` does and reads it back the way a reader's eye does, from
where each character is drawn (pypdfium2's text page: origin, advance box, size), plus
WeasyPrint's layout for what only it knows (which paragraph a line belongs to, which page
prints a note). Per document:

- pages;
- `cpl`: the median number of characters of a full line of running text (a line of the
  body's size followed by another of the same paragraph, at most 1.6 lines' height below,
  and reaching past 60 % of the column: a paragraph's last line, a heading, an address line
  does not count). A letter sets 65 to 75;
- `loose`: lines of running text with a word space wider than 1.5 times the font's normal
  space, in all and on the worst page (`/pg`); a gap of five spaces or more is between a
  table's columns, not words. The normal space is the narrowest the
  document draws in that font and size (justification only ever widens spaces, and every
  document has left-aligned lines: the address, the date, paragraphs' last lines);
- `hyph`: lines that end in a hyphen, on the worst page, and the longest run of them in a row;
- `orph`/`wid`: a paragraph's first line alone at the foot of a page (orphan), its last line
  alone at the head of the next (widow);
- `call`: the size of the smallest footnote call, in points (a raised character smaller than
  its line's text);
- `late`: notes printed on another page than the one citing them.

The page's margin boxes (page label, continuation line) are left out: they are the lines
above the first and below the last line of running text or notes (`_margins`).
"""

from __future__ import annotations

import ctypes
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pypdfium2 as pdfium  # noqa: E402
import pypdfium2.raw as pdfium_raw  # noqa: E402

from generator.core.project import builtin_templates, load_project  # noqa: E402
from generator.outputs.pdf import PdfMaker  # noqa: E402
from generator.outputs.pdf_layout import misplaced_notes, text_lines  # noqa: E402
from generator.pipeline.maker import DocumentMaker  # noqa: E402
from generator.pipeline.plan import plan  # noqa: E402

HYPHENS = frozenset("-\u2010\u00ad\x02")  # pdfium reports a line-end hyphen as U+0002
LOOSE = 1.5  # a word space wider than this many normal spaces makes a line loose
COLUMN = 5  # a gap this wide is between a table's columns, not words


@dataclass
class Glyph:
    char: str
    x: float  # origin
    right: float  # origin + advance (pdfium's loose box)
    y: float  # baseline
    size: float  # in points, the text matrix applied
    font: str


@dataclass
class Line:
    page: int
    glyphs: list[Glyph] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(glyph.char for glyph in self.glyphs)

    @property
    def size(self) -> float:
        """The size most of its characters are set in."""
        return Counter(round(glyph.size, 1) for glyph in self.glyphs).most_common(1)[0][0]

    @property
    def baseline(self) -> float:
        return Counter(round(g.y, 1) for g in self.glyphs
                       if round(g.size, 1) == self.size).most_common(1)[0][0]

    def gaps(self) -> list[tuple[str, float, float]]:
        """Each word space: (font, size, width), from the end of a word's last character to
        the start of the next word's first."""
        found, previous, spaced = [], None, False
        for glyph in self.glyphs:
            if glyph.char.isspace():
                spaced = previous is not None
                continue
            if spaced and glyph.x > previous.right:
                found.append((previous.font, round(previous.size, 1), glyph.x - previous.right))
            previous, spaced = glyph, False
        return found


def read_lines(data: bytes) -> list[list[Line]]:
    """Every page's lines. A line is cut where the baseline moves, not where pdfium puts its
    line breaks: it joins a line ending in a hyphen to the next (and reports the hyphen as
    U+0002). A raised smaller character (a note's call) stays on its line."""
    pages = []
    document = pdfium.PdfDocument(data)
    matrix = pdfium_raw.FS_MATRIX()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    x, y = ctypes.c_double(), ctypes.c_double()
    for number in range(len(document)):
        textpage = document[number].get_textpage()
        lines: list[Line] = []
        line = Line(number + 1)
        for index in range(textpage.count_chars()):
            char = chr(pdfium_raw.FPDFText_GetUnicode(textpage, index))
            generated = pdfium_raw.FPDFText_IsGenerated(textpage, index) == 1
            if char in "\r\n" or (generated and char != " "):
                continue
            pdfium_raw.FPDFText_GetCharOrigin(textpage, index, x, y)
            pdfium_raw.FPDFText_GetMatrix(textpage, index, matrix)
            pdfium_raw.FPDFText_GetFontInfo(textpage, index, name, len(name), flags)
            size = pdfium_raw.FPDFText_GetFontSize(textpage, index) * abs(matrix.a)
            glyph = Glyph(char, x.value, textpage.get_charbox(index, loose=True)[2], y.value,
                          size, name.value.decode("latin-1").split("+")[-1])
            if line.glyphs and not _same_line(line.glyphs, glyph):
                lines.append(line)
                line = Line(number + 1)
            line.glyphs.append(glyph)
        if line.glyphs:
            lines.append(line)
        pages.append(lines)
        textpage.close()
    document.close()
    return pages


def _same_line(glyphs: list[Glyph], glyph: Glyph) -> bool:
    first, last = glyphs[0], glyphs[-1]
    if glyph.x < last.x - 1:
        return False  # back to the left: the next line
    if abs(glyph.y - first.y) < 0.5:
        return True
    # A call raised above its line, or the line's text after it.
    return abs(glyph.y - first.y) < 0.6 * max(first.size, glyph.size) and \
        min(first.size, glyph.size) < 0.85 * max(first.size, glyph.size)


def _margins(lines: list[Line], body: float, note: float | None) -> list[Line]:
    """The page's lines without its margin boxes: those above the first and below the last
    line set at the body's or the notes' size."""
    kept = [i for i, line in enumerate(lines) if line.size in (body, note)]
    if not kept:
        return []
    inside = lines[kept[0]:kept[-1] + 1]
    # The page label sits alone below the notes, right-aligned, at the notes' size.
    if note is not None and len(inside) > 1 and inside[-1].size == note \
            and inside[-1].glyphs[0].x > inside[0].glyphs[0].x + 150:
        inside = inside[:-1]
    return inside


def measure_pdf(data: bytes) -> dict:
    pages = read_lines(data)
    every = [line for lines in pages for line in lines]
    # The running text's size: what most of page 1 is set in (later pages may be mostly a
    # signatory list in smaller type). The notes': the commonest size well below it.
    first = Counter()
    for line in pages[0]:
        first[line.size] += len(line.glyphs)
    body = first.most_common(1)[0][0]
    sizes = Counter()
    for line in every:
        sizes[line.size] += len(line.glyphs)
    smaller = [size for size, _ in sizes.most_common() if size < body - 1]
    note = smaller[0] if smaller else None
    normal: dict[tuple[str, float], float] = {}
    widths = defaultdict(list)
    for line in every:
        for font, size, width in line.gaps():
            widths[font, size].append(width)
    for key, found in widths.items():
        found.sort()
        normal[key] = found[len(found) // 20]  # the narrowest, past stray kerning
    full, loose_per_page, hyphens_per_page, calls = [], [], [], []
    longest = 0
    for lines in pages:
        lines = _margins(lines, body, note)
        text = [line for line in lines if line.size == body]
        left = min((line.glyphs[0].x for line in text), default=0)
        right = max((line.glyphs[-1].right for line in text), default=0)
        loose = run = hyphenated = 0
        for line in lines:
            if line.size in (body, note) and line.text.rstrip()[-1:] in HYPHENS:
                hyphenated += 1
                run += 1
                longest = max(longest, run)
            else:
                run = 0
        for line, after in zip(text, text[1:], strict=False):
            if not 0 < line.baseline - after.baseline < 1.6 * body \
                    or line.glyphs[-1].right < left + 0.6 * (right - left):
                continue  # a paragraph's (or item's) last line, a heading, the address
            full.append(len(line.text.strip()))
            if any(LOOSE * normal[font, size] < width < COLUMN * normal[font, size]
                   for font, size, width in line.gaps()):
                loose += 1
        for line in text:
            baseline = line.baseline
            calls += [glyph.size for glyph in line.glyphs
                      if glyph.size < 0.85 * body and glyph.y > baseline + 0.5
                      and not glyph.char.isspace()]
        loose_per_page.append(loose)
        hyphens_per_page.append(hyphenated)
    return {
        "pages": len(pages), "cpl": statistics.median(full) if full else 0,
        "loose": sum(loose_per_page), "loose_page": max(loose_per_page, default=0),
        "hyph": sum(hyphens_per_page), "hyph_page": max(hyphens_per_page, default=0),
        "run": longest, "call": min(calls) if calls else None, "body": body,
    }


def widows_and_orphans(rendered) -> tuple[int, int]:
    """(orphans, widows) of the body's paragraphs and list items, from WeasyPrint's lines."""
    per_block: dict[int, Counter] = defaultdict(Counter)
    texts: dict[int, dict[int, str]] = defaultdict(dict)
    for line in text_lines(rendered):
        if line.area == "body":
            per_block[id(line.block)][line.page] += 1
            texts[id(line.block)][line.page] = texts[id(line.block)].get(line.page, "") + line.text
    orphans = widows = 0
    for block, pages in per_block.items():
        if len(pages) < 2 or len(set(texts[block].values())) == 1:
            continue  # on one page, or a table's header repeated on each page
        first, last = min(pages), max(pages)
        orphans += pages[first] == 1
        widows += pages[last] == 1
    return orphans, widows


def measure(root: Path) -> list[tuple[str, dict]]:
    project = load_project(root)
    maker = DocumentMaker(project, strict=False)
    layout = PdfMaker((project.content, project.templates, builtin_templates()), strict=False)
    rows = []
    for job in plan(project, allow_untranslated=True).jobs:
        html = maker.html(job)
        figures = measure_pdf(maker.pdf(job, html)[0])
        rendered = layout.layout(html, job.letter.source.parent)
        figures["orphans"], figures["widows"] = widows_and_orphans(rendered)
        figures["late"] = len(misplaced_notes(rendered))
        rows.append((job.name, figures))
    return rows


def main(arguments: list[str]) -> None:
    roots = [Path(argument) for argument in arguments] or [
        REPO, *sorted(path for path in (REPO / "examples").iterdir()
                      if (path / "carta.toml").is_file())]
    print(f"{'document':46} {'pages':>5} {'cpl':>5} {'loose':>5} {'/pg':>3} {'hyph':>4} "
          f"{'/pg':>3} {'run':>3} {'orph':>4} {'wid':>3} {'call':>5} {'late':>4}")
    for root in roots:
        for name, f in measure(root):
            call = f"{f['call']:5.1f}" if f["call"] else "    -"
            print(f"{name[:46]:46} {f['pages']:5} {f['cpl']:5.0f} {f['loose']:5} "
                  f"{f['loose_page']:3} {f['hyph']:4} {f['hyph_page']:3} {f['run']:3} "
                  f"{f['orphans']:4} {f['widows']:3} {call} {f['late']:4}")


if __name__ == "__main__":
    main(sys.argv[1:])
