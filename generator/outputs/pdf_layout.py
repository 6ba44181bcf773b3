"""Put right what WeasyPrint's layout gets wrong: notes printed a page late, hyphens and no-break
spaces copied wrong.

Both read the boxes WeasyPrint laid out (`text_lines`, `note_pages`): the note repair renders
again with the least change of style, and the `TwinFonts` finisher rewrites the written PDF's
text layer so that a word broken at a line's end copies whole and a French no-break space
copies as one.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass

import pydyf
from weasyprint.formatting_structure import boxes


def note_pages(rendered) -> dict[str, tuple[int, int]]:
    """Each footnote's id, with the page that cites it and the page that prints it."""
    cited: dict[str, int] = {}
    printed: dict[str, int] = {}
    for number, page in enumerate(rendered.pages, start=1):
        for box in page._page_box.descendants():
            footnote = getattr(box, "footnote", None)
            if footnote is not None and footnote.element is not None:
                cited.setdefault(footnote.element.get("id", ""), number)
        for area in page._page_box.children:
            if isinstance(area, boxes.FootnoteAreaBox):
                for body in area.children:
                    if body.element is not None:
                        printed.setdefault(body.element.get("id", ""), number)
    return {ident: (page, printed.get(ident, page)) for ident, page in cited.items()}


def misplaced_notes(rendered) -> list[str]:
    """Footnotes that WeasyPrint printed on a later page than the one that cites them.

    WeasyPrint 70 moves footnotes to the next page to make room for a line it may not break
    before (orphans, widows, a paragraph's first line), so a note can land a page late.
    `bring_notes_back` repairs most of these; what it cannot repair is said here, for the
    author to adjust the text.
    """
    return [f"footnote {ident.removeprefix('fn-')} is cited on page {cited} but printed at "
            f"the foot of page {printed} (a WeasyPrint layout limit that no small change of "
            "layout worked around); shortening or rewording the text before it usually brings "
            "it back"
            for ident, (cited, printed) in note_pages(rendered).items() if cited != printed]


@dataclass
class Line:
    """One line of text as laid out: its page, the element of the block it belongs to, its
    text, and whether it ends in a hyphen that hyphenation added (not one typed)."""

    page: int
    block: object  # the block's element (ElementTree); the same object on every page
    text: str
    last: object  # the line's last text box
    area: str  # "body" (the page's flow) or "notes" (the footnote area)
    auto_hyphen: bool = False
    texts: tuple = ()  # the line's text boxes, in order (`last` is the last of them)


def text_lines(rendered) -> list[Line]:
    """Every line of the body and the footnotes, page by page, in the order WeasyPrint keeps
    them; page headers and footers (margin boxes) are left out."""
    lines: list[Line] = []
    for number, page in enumerate(rendered.pages, start=1):
        for area in page._page_box.children:
            if isinstance(area, boxes.MarginBox):
                continue
            kind = "notes" if isinstance(area, boxes.FootnoteAreaBox) else "body"
            _collect_lines(area, number, kind, lines)
    _mark_added_hyphens(lines)
    return lines


def _collect_lines(box, page: int, kind: str, lines: list[Line]) -> None:
    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.LineBox):
            texts = list(_line_texts(child))
            if texts:
                lines.append(Line(page, box.element, "".join(t.text for t in texts),
                                  texts[-1], kind, texts=tuple(texts)))
        elif isinstance(child, boxes.ParentBox):
            _collect_lines(child, page, kind, lines)


def _line_texts(box):
    for child in box.children:
        if isinstance(child, boxes.TextBox):
            yield child
        elif isinstance(child, boxes.InlineBox):
            yield from _line_texts(child)


def _mark_added_hyphens(lines: list[Line]) -> None:
    """Tell the hyphens that hyphenation added at line ends from hyphens typed in the text.

    WeasyPrint keeps no mark of it: a line broken in "nacio-nal" and one broken after the
    typed hyphen of "co-creación" both end in "-". The letter's own text decides: the two
    halves of the word are written together there, and not with the hyphen between them."""
    sources: dict[int, str] = {}
    previous: dict[int, Line] = {}
    for line in lines:
        before = previous.get(id(line.block))
        previous[id(line.block)] = line
        if before is None or before.last is None:
            continue
        hyphen = before.last.style["hyphenate_character"]
        if not hyphen or not before.text.endswith(hyphen):
            continue
        head = re.search(r"\S*$", before.text[:-len(hyphen)]).group()
        tail = re.match(r"\S*", line.text.lstrip()).group()
        if not head or not tail:
            continue
        if id(line.block) not in sources:
            text = "".join(line.block.itertext()) if line.block is not None else ""
            sources[id(line.block)] = re.sub(r"\s+", " ", text.replace("\xad", ""))
        source = sources[id(line.block)]
        before.auto_hyphen = head + tail in source and head + hyphen + tail not in source


# Ways to bring back a footnote that WeasyPrint moved a page late, tried in this order: for the
# block whose line made WeasyPrint move the note (the last block on the page that cites it),
# then for the block that holds the call. The first two let that line go to the next page,
# the third moves the whole block there; moving the calling block moves the call with it.
REPAIRS = (
    ("foot", "orphans: 1"),
    ("foot", "widows: 1"),
    ("foot", "break-before: page"),
    ("call", "orphans: 1; widows: 1"),
    ("call", "break-before: page"),
)
MAX_REPAIR_RENDERS = 12


@dataclass
class _Layout:
    """What the repair measures of one rendering."""

    rendered: object
    misplaced: list[tuple[str, int]]  # (note id, page that cites it)
    pages: int
    blank: float  # empty height at the feet of all pages but the last, in CSS px
    foot: dict[int, object]  # page -> element of the block of its last body line
    calls: dict[str, object]  # note id -> element of the block whose line holds its call

    @classmethod
    def of(cls, rendered) -> _Layout:
        misplaced = [(ident, cited) for ident, (cited, printed)
                     in note_pages(rendered).items() if cited != printed]
        foot: dict[int, object] = {}
        calls: dict[str, object] = {}
        blank = 0.0
        for number, page in enumerate(rendered.pages, start=1):
            page_box = page._page_box
            bottom = page_box.content_box_y()
            limit = bottom + page_box.height
            for area in page_box.children:
                if isinstance(area, boxes.FootnoteAreaBox):
                    if area.children:
                        limit = area.position_y
                    continue
                if isinstance(area, boxes.MarginBox):
                    continue
                for parent, box in _with_parents(area):
                    if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
                        bottom = max(bottom, box.position_y + box.margin_height())
                    if isinstance(box, boxes.LineBox):
                        foot[number] = parent.element
                        for inner in box.descendants():
                            footnote = getattr(inner, "footnote", None)
                            if footnote is not None and footnote.element is not None:
                                calls.setdefault(footnote.element.get("id", ""), parent.element)
            if number < len(rendered.pages):
                blank += max(0.0, limit - bottom)
        return cls(rendered, misplaced, len(rendered.pages), blank, foot, calls)

    def score(self) -> tuple:
        return len(self.misplaced), self.pages, round(self.blank)

    def repairs(self):
        """(element, declarations) to try, for each misplaced note in turn."""
        seen = set()
        for ident, page in self.misplaced:
            for where, declarations in REPAIRS:
                element = self.foot.get(page) if where == "foot" else self.calls.get(ident)
                if element is not None and (id(element), declarations) not in seen:
                    seen.add((id(element), declarations))
                    yield element, declarations


def _with_parents(box):
    """(parent, box) for the boxes of the page's flow, in order; positioned boxes (such as a
    draft's watermark) are not in the flow."""
    for child in getattr(box, "children", ()):
        if child.style["position"] in ("absolute", "fixed"):
            continue
        yield box, child
        if not isinstance(child, boxes.LineBox):
            yield from _with_parents(child)


def bring_notes_back(rendered, render):
    """Render again with the least change that puts every footnote on the page citing it.

    Each try adds CSS to one element (in its style attribute, so no selector can miss or
    reach further): let the line at the page's foot move on, or move its block, or the block
    that cites the note. Of the tries that bring every note back, the one with the fewest
    pages, then the least blank space at the pages' feet, wins; if a try only brings some
    back, the next round starts from it. Returns the best rendering found, which may still
    have misplaced notes if none was enough."""
    best = _Layout.of(rendered)
    kept: list[tuple[object, str]] = []
    renders = 0
    while best.misplaced and renders < MAX_REPAIR_RENDERS:
        found = None
        for element, declarations in best.repairs():
            if renders == MAX_REPAIR_RENDERS:
                break
            with _styled([*kept, (element, declarations)]):
                layout = _Layout.of(render())
            renders += 1
            if found is None or layout.score() < found[0].score():
                found = layout, (element, declarations)
        if found is None or found[0].score() >= best.score():
            break
        best = found[0]
        kept.append(found[1])
    return best.rendered


@contextlib.contextmanager
def _styled(changes: list[tuple[object, str]]):
    """Add declarations, made !important, to elements' style attributes for one render."""
    saved = [(element, element.get("style")) for element, _ in changes]
    try:
        for element, declarations in changes:
            important = "; ".join(f"{part.strip()} !important"
                                  for part in declarations.split(";") if part.strip())
            style = element.get("style")
            element.set("style", f"{style}; {important}" if style else important)
        yield
    finally:
        for element, style in reversed(saved):
            if style is None:
                element.attrib.pop("style", None)
            else:
                element.set("style", style)


SOFT_HYPHEN = "\u00ad"
HYPHEN_LIKE = frozenset("-\u2010\u00ad")
# The no-break spaces French typography puts before : ; ? ! and in « » (rendering/typography.py)
NO_BREAK_SPACES = frozenset("\u00a0\u202f")
TWIN_SUFFIXES = {SOFT_HYPHEN: "shy", "\u00a0": "nbsp", "\u202f": "nnbsp"}


@dataclass
class _Wish:
    """What one text box drawn on a page should copy as, where its glyphs copy otherwise: its
    text (when it has no-break spaces), and whether it ends in an added hyphen."""

    text: str
    hyphen: bool

    def placed(self, texts: list[str]) -> dict[int, str]:
        """The glyphs (by index among `texts`, what each glyph copies as) to draw from a twin."""
        placed = {}
        if self.hyphen and texts and texts[-1] in HYPHEN_LIKE:
            placed[len(texts) - 1] = SOFT_HYPHEN
        if not self.text:
            return placed
        spaces = [index for index, text in enumerate(texts) if text.isspace()]
        chars = [char for char in self.text if char.isspace()]
        if len(spaces) != len(chars):
            # WeasyPrint may draw a space the box's text no longer has at the line's end:
            # compare the spaces between the first and the last letter only.
            letters = [index for index, text in enumerate(texts) if not text.isspace()]
            spaces = [index for index in spaces if letters and letters[0] < index < letters[-1]]
            chars = [char for char in self.text.strip() if char.isspace()]
        # Spaces that do not match the box's one for one are left as they are, never guessed.
        if len(spaces) == len(chars):
            placed.update((index, char) for index, char in zip(spaces, chars, strict=True)
                          if char in NO_BREAK_SPACES)
        return placed


class TwinFonts:
    """A WeasyPrint finisher: glyphs that must copy as another text than their font's map says.

    A PDF maps each glyph of a font to one text, so a glyph drawn for two characters always
    copies as one of them (WeasyPrint maps it to whichever came first). Two cases need it:
    - an added hyphen and a typed hyphen-minus share a glyph; the added one must copy as
      U+00AD, the soft hyphen the PDF standard prescribes for a hyphen that is not part of the
      word (ISO 32000-1, 14.8.2.2.3), so that copying gives back the word;
    - the fonts draw U+00A0 with their space glyph and have no U+202F (HarfBuzz draws the
      space glyph narrowed), so French no-break spaces copied as plain spaces.
    Each such glyph is drawn here from a twin of its font, the same font program under a
    second resource whose map says the wanted text: the page looks the same, the text layer
    says what the letter says. Which glyphs need it comes from the layout (`text_lines`).
    """

    def __init__(self, lines: list[Line]):
        # Per page (from 0), the text boxes' wishes by the box's text key, in drawing order.
        self.wanted: dict[int, dict[str, list[_Wish]]] = {}
        for line in lines:
            for box in line.texts or (line.last,):
                wish = _Wish(box.text if NO_BREAK_SPACES.intersection(box.text) else "",
                             line.auto_hyphen and box is line.last)
                if wish.text or wish.hyphen:
                    page = self.wanted.setdefault(line.page - 1, {})
                    page.setdefault(_key(box.text), []).append(wish)

    def __call__(self, document, pdf) -> None:
        if not self.wanted:
            return

        def get(reference):
            return pdf.objects[int(bytes(reference).split()[0])]

        twins: dict[tuple[str, str], str] = {}
        maps: dict[str, dict[int, str]] = {}
        for index, number in enumerate(pdf.pages["Kids"][::3]):
            wanted = self.wanted.get(index)
            if not wanted:
                continue
            page = pdf.objects[number]
            fonts = get(get(page["Resources"])["Font"])
            for name in fonts:
                if name not in maps:
                    maps[name] = _read_to_unicode(get(get(fonts[name])["ToUnicode"]).stream)
            stream = get(page["Contents"])
            stream.stream = self._rewrite(stream.stream, wanted, maps, fonts, twins, pdf, get)

    def _rewrite(self, items, wanted, maps, fonts, twins, pdf, get):
        out = []
        font = size = None
        shown: list[tuple[int, str, str]] = []  # (index in out, font, size) of each TJ
        for item in items:
            out.append(item)
            if not isinstance(item, bytes):
                continue
            if item == b"BT":
                shown = []
            elif item.endswith(b" Tf"):
                parts = item.split()
                font, size = parts[0][1:].decode(), parts[1].decode()
            elif item.endswith(b"] TJ") and font in maps:
                shown.append((len(out) - 1, font, size))
            elif item == b"ET" and shown:
                self._retext(out, shown, wanted, maps, fonts, twins, pdf, get)
                shown = []
        return out

    def _retext(self, out, shown, wanted, maps, fonts, twins, pdf, get) -> None:
        """Draw the glyphs of one text object (BT … ET) that need it from their font's twin."""
        arrays = [(index, font, size, _tokens(out[index])) for index, font, size in shown]
        texts = [maps[font].get(int(token[1:], 16), "") for _, font, _, tokens in arrays
                 for token in tokens if token.startswith("<")]
        waiting = wanted.get(_key("".join(texts)), [])
        # The first wish of this text that fits these glyphs; a run of the same text that
        # needs nothing (a typed word the same as one broken later) leaves the wish waiting.
        match = next(((wish, found) for wish in waiting if (found := wish.placed(texts))), None)
        if match is None:
            return
        wish, placed = match
        waiting.remove(wish)
        # From the last array back, so that the indices in `out` of the earlier ones hold.
        counts = [sum(token.startswith("<") for token in tokens) for *_, tokens in arrays]
        starts = [sum(counts[:n]) for n in range(len(arrays))]
        for (index, font, size, tokens), glyph in reversed(list(zip(arrays, starts,
                                                                     strict=True))):
            out[index:index + 1] = self._split(tokens, glyph, placed, font, size, fonts,
                                               twins, pdf, get)

    def _split(self, tokens, glyph, placed, font, size, fonts, twins, pdf, get) -> list[bytes]:
        """One TJ array as several, the glyphs to retext each shown from its twin. The spacing
        numbers stay where they were, so every glyph keeps its place on the page."""
        runs: list[tuple[str, list[str]]] = [(font, [])]
        for token in tokens:
            if token.startswith("<"):
                text = placed.get(glyph)
                glyph += 1
                name = font if text is None else (twins.get((font, text)) or self._twin(
                    font, token[1:], text, fonts, twins, pdf, get))
                if name != runs[-1][0]:
                    runs.append((name, []))
                runs[-1][1].append(f"{token}>")
            else:
                runs[-1][1].append(token)
        out: list[bytes] = []
        for number, (name, parts) in enumerate(runs):
            if number:
                out.append(f"/{name} {size} Tf".encode())
            if parts:
                out.append(f"[{' '.join(parts)}] TJ".encode("latin-1"))
        if len(runs) > 1:
            out.append(f"/{font} {size} Tf".encode())
        return out

    @staticmethod
    def _twin(font, glyph, text, fonts, twins, pdf, get) -> str:
        """A copy of the font's dictionary whose map says `text` for `glyph` (a hex code)."""
        original = fonts[font]
        header = []
        for item in get(get(original)["ToUnicode"]).stream:
            if bytes(item).endswith(b"beginbfchar"):
                break
            header.append(item)
        code = text.encode("utf-16-be").hex()
        to_unicode = pydyf.Stream(
            [*header, b"1 beginbfchar", f"<{glyph}> <{code}>".encode(), b"endbfchar",
             b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"],
            compress=get(get(original)["ToUnicode"]).compress)
        pdf.add_object(to_unicode)
        twin = pydyf.Dictionary({**get(original), "ToUnicode": to_unicode.reference})
        pdf.add_object(twin)
        name = f"{font}{TWIN_SUFFIXES[text]}"
        fonts[name] = twin.reference
        twins[font, text] = name
        return name


def _tokens(item: bytes) -> list[str]:
    """A TJ array's items: one "<xxxx" per glyph (its hex code, without the closing bracket)
    and the spacing numbers as written; empty strings "<>" dropped, they show nothing."""
    source = item.decode("latin-1")
    body = source[source.index("[") + 1:source.rindex("]")]
    tokens = []
    for token in re.findall(r"<[0-9a-fA-F]*>|[^<>\s]+", body):
        if token.startswith("<"):
            hexes = token[1:-1]
            tokens.extend(f"<{hexes[i:i + 4]}" for i in range(0, len(hexes), 4))
        else:
            tokens.append(token)
    return tokens


def _read_to_unicode(items) -> dict[int, str]:
    """A ToUnicode CMap as WeasyPrint writes it (bfchar lines only), as {glyph: text}."""
    found = {}
    for item in items:
        match = re.fullmatch(rb"<([0-9a-fA-F]+)> <([0-9a-fA-F]*)>", bytes(item))
        if match:
            found[int(match[1], 16)] = bytes.fromhex(match[2].decode()).decode("utf-16-be")
    return found


def _key(text: str) -> str:
    """Text compared without what a glyph map may render otherwise: spaces, hyphens, format
    characters (soft hyphens), case (synthesized small capitals)."""
    return "".join(char for char in text.casefold()
                   if not char.isspace() and char not in HYPHEN_LIKE
                   and unicodedata.category(char) != "Cf")
