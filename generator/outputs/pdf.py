"""HTML to PDF with WeasyPrint: the only module that imports it, with a fetcher kept in bounds."""

from __future__ import annotations

import base64
import contextlib
import datetime
import logging
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration

from ..core.errors import BuildError
from ..rendering import webfonts

# The faces the default design uses, from the font packages (never from the system); declared
# once, in webfonts.py, which the web pages use too and which does not import WeasyPrint.
FONT_FACES = webfonts.FACES


def font_folders() -> tuple[Path, ...]:
    return tuple(sorted({Path(package.font_directory).resolve()
                         for _, package, _, _, _ in FONT_FACES}))


def _font_face_css() -> str:
    rules = []
    for family, package, filename, weight, style in FONT_FACES:
        url = (Path(package.font_directory) / filename).resolve().as_uri()
        rules.append(f'@font-face {{ font-family: "{family}"; src: url("{url}"); '
                     f"font-weight: {weight}; font-style: {style}; }}")
    return "\n".join(rules)


REFUSAL_MARK = "carta refused to load"


class RestrictedFetcher(weasyprint.URLFetcher):
    """Serves data: URLs and files inside the allowed folders; refuses everything else.

    Everything WeasyPrint loads (images, stylesheets, @import, fonts, attachments, SVG
    references) comes through `fetch`, so this is the one gate between a document and the
    machine. Strict: each refused URL goes to `refused`, which fails the document. Not strict:
    a line goes to `warnings` and the document is made without the resource.
    """

    def __init__(self, allowed: tuple[Path, ...], strict: bool = True,
                 warnings: list[str] | None = None):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.allowed = tuple(path.resolve() for path in allowed)
        self.strict = strict
        self.refused: list[str] = []
        self.warnings = warnings if warnings is not None else []
        self.document: str | None = None  # named in warnings when the caller sets it
        self.opened: set[Path] = set()  # the files served: what the documents depend on

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            return self._refuse(url, "carta never uses the network" if scheme else
                                "not an absolute address")
        if parts.netloc not in ("", "localhost"):
            return self._refuse(url, "a file on another machine")
        try:
            # Decode %2e%2e and the like first, then resolve symlinks and "..": what counts is
            # where the file really is, and that resolved path is the one opened.
            path = Path(unquote(parts.path))
            path = path.resolve() if path.is_absolute() else None
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
            path = None
        if path is None or not any(path.is_relative_to(folder) for folder in self.allowed):
            return self._refuse(url, "only files inside the project can be used")
        if path.exists() and not path.is_file():
            # A folder, a pipe or a device: reading a pipe would wait forever. A missing file
            # is left to WeasyPrint, which reports it as missing.
            return self._refuse(url, "not a regular file")
        self.opened.add(path)
        return super().fetch(path.as_uri(), headers)

    def _refuse(self, url: str, reason: str):
        if self.strict:
            self.refused.append(url)
        else:
            where = f"{self.document}: " if self.document else ""
            self.warnings.append(f"{where}refused to load {url} ({reason}); made the PDF "
                                 "without it")
        # WeasyPrint catches this, logs it and leaves the resource out.
        raise ValueError(f"{REFUSAL_MARK} {url}: {reason}")


DATA_URL = re.compile(r"data:[^\s\"']+")


class _ErrorCollector(logging.Handler):
    """Keeps WeasyPrint's error messages (a missing image, a font that failed) for the caller.

    Messages about resources the fetcher refused are left out: the fetcher has reported them
    already, as a failure when strict and as a warning when not.
    """

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if REFUSAL_MARK not in message:
            # An inlined image (a logo) would print its whole base64 text.
            self.messages.append(DATA_URL.sub("an inlined image", message))


ARCHIVE_VARIANT = "pdf/a-3u"


@dataclass(frozen=True)
class EmbeddedSource:
    """A file to carry inside an archival PDF, such as the letter's YAML or its catalog."""

    name: str
    data: bytes
    media_type: str
    description: str


@dataclass(frozen=True)
class Archival:
    """What makes a PDF archival: PDF/A-3, embedded sources, and bytes fixed by the content."""

    sources: tuple[EmbeddedSource, ...]
    date: datetime.date  # stands in for "now" everywhere, so a rebuild gives the same bytes
    identifier: bytes  # the PDF's permanent identifier, derived from what the document is

    def timestamp(self) -> datetime.datetime:
        return datetime.datetime.combine(self.date, datetime.time(), datetime.UTC)


class PdfMaker:
    """Turns HTML into PDF bytes, sharing fonts and parsed CSS across all documents of a run."""

    def __init__(self, allowed_folders: tuple[Path, ...], strict: bool = True):
        # strict (the default, and what `archive` needs): a refused resource fails the
        # document. Otherwise the PDF is made without it and `warnings` says what was left out.
        self.strict = strict
        self.warnings: list[str] = []
        self.fetcher = RestrictedFetcher(allowed_folders + font_folders(), strict, self.warnings)
        # @font-face only works when the same FontConfiguration reaches both CSS() and
        # write_pdf(); it also caches the fonts for every later document.
        self.font_config = FontConfiguration()
        try:
            self.stylesheets = [weasyprint.CSS(string=_font_face_css(),
                                               font_config=self.font_config,
                                               url_fetcher=self.fetcher)]
        except OSError as error:  # the fonts are copied to temporary files: a full disk
            raise BuildError(f"cannot prepare the fonts for the PDF: {error.strerror or error}"
                             f" (while writing {error.filename or 'a temporary file'})") from None

    def make(self, html: str, base: Path, name: str, archival: Archival | None = None,
             article_langs: tuple[str, ...] = ()) -> bytes:
        """PDF bytes for one HTML document; `base` resolves relative URLs, `name` is for errors.

        With `archival`, the PDF is PDF/A-3 with the sources attached, and its bytes depend
        only on the content: the same input gives the same file on any day, on any machine
        with the same fonts and HarfBuzz.
        """
        options = {}
        if archival is not None:
            stamp = archival.timestamp()
            options = {
                "pdf_variant": ARCHIVE_VARIANT,
                "pdf_identifier": archival.identifier,
                "attachments": [
                    weasyprint.Attachment(
                        url=f"data:{source.media_type};base64,"
                            + base64.b64encode(source.data).decode("ascii"),
                        url_fetcher=self.fetcher, name=source.name,
                        description=source.description, relationship="Source",
                        created=stamp, modified=stamp)
                    for source in archival.sources],
            }
        self.fetcher.document = name  # so that a refusal names the document
        with _source_date_epoch(archival):
            pdf = self._write(html, base, name, options)
        from .pdfua import make_accessible  # the PDF/UA-1 structure: generator/pdfua.py

        return make_accessible(pdf, article_langs=article_langs)

    def layout(self, html: str, base: Path, options: dict | None = None,
               collector: _ErrorCollector | None = None):
        """WeasyPrint's laid-out document, with every footnote that WeasyPrint moved a page
        late brought back to the page that cites it where a small change of layout can."""
        options = {"stylesheets": self.stylesheets, "pdf_tags": True, **(options or {})}
        document = weasyprint.HTML(string=html, base_url=base.as_uri() + "/",
                                   url_fetcher=self.fetcher)

        def render():
            return document.render(font_config=self.font_config, **options)

        rendered = render()
        if misplaced_notes(rendered):
            # Each try renders the same document again: what it refuses or logs is what the
            # first render did, said once.
            warned, refused = len(self.warnings), len(self.fetcher.refused)
            logged = len(collector.messages) if collector else 0
            rendered = bring_notes_back(rendered, render)
            del self.warnings[warned:], self.fetcher.refused[refused:]
            if collector:
                del collector.messages[logged:]
        return rendered

    def _write(self, html: str, base: Path, name: str, options: dict) -> bytes:
        collector = _ErrorCollector()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collector)
        refused_before = len(self.fetcher.refused)
        try:
            options = {"stylesheets": self.stylesheets, "pdf_tags": True, **options}
            rendered = self.layout(html, base, options, collector)
            pdf = rendered.write_pdf(finisher=SoftHyphens(text_lines(rendered)), **options)
        except Exception as error:  # WeasyPrint raises many kinds; the user needs one message
            raise BuildError(f"{name}: the PDF could not be made: {error}") from error
        finally:
            logger.removeHandler(collector)
        refused = self.fetcher.refused[refused_before:]
        if refused:
            raise BuildError(f"{name}: refused to load {', '.join(refused)}; "
                             "only files inside the project can be used")
        if collector.messages:
            raise BuildError(f"{name}: " + "; ".join(collector.messages))
        self.warnings += [MisplacedNote(f"{name}: {message}")
                          for message in misplaced_notes(rendered)]
        return pdf


@contextlib.contextmanager
def _source_date_epoch(archival: Archival | None):
    """Set SOURCE_DATE_EPOCH for one archival document: fontTools, WeasyPrint's fallback font
    subsetter, otherwise stamps each embedded font with the current time."""
    if archival is None:
        yield
        return
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(archival.timestamp().timestamp()))
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


class MisplacedNote(str):
    """A warning that a footnote is printed on another page than the one that cites it: a
    string like every warning, of its own kind so that `archive` can refuse the PDF."""

    __slots__ = ()


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
                                  texts[-1], kind))
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


class SoftHyphens:
    """A WeasyPrint finisher: hyphens added by hyphenation are text a reader never typed.

    A font draws a typed hyphen-minus and an added hyphen with the same glyph, and a PDF maps
    each glyph of a font to one text, so one of the two always copied wrong (WeasyPrint maps
    the glyph to whichever came first). Each added hyphen is drawn here from a twin of its
    font, the same font program, whose map says U+00AD, the soft hyphen the PDF standard
    prescribes for a hyphen that is not part of the word (ISO 32000-1, 14.8.2.2.3): copying
    gives back the word, and the typed hyphens keep their own text.
    """

    def __init__(self, lines: list[Line]):
        self.wanted: dict[int, Counter] = {}
        for line in lines:
            if line.auto_hyphen:
                self.wanted.setdefault(line.page - 1, Counter())[_key(line.last.text)] += 1

    def __call__(self, document, pdf) -> None:
        if not self.wanted:
            return

        def get(reference):
            return pdf.objects[int(bytes(reference).split()[0])]

        twins: dict[str, str] = {}
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
        text_start = None  # index in `out` of the current BT
        font = size = None
        shown: list[tuple[int, str, str, str]] = []  # (index in out, font, size, glyphs)
        for item in items:
            out.append(item)
            if not isinstance(item, bytes):
                continue
            if item == b"BT":
                text_start, shown = len(out) - 1, []
            elif item.endswith(b" Tf"):
                parts = item.split()
                font, size = parts[0][1:].decode(), parts[1].decode()
            elif item.endswith(b"] TJ") and text_start is not None and font in maps:
                glyphs = "".join(re.findall(r"<([0-9a-fA-F]*)>", item.decode("latin-1")))
                shown.append((len(out) - 1, font, size, glyphs))
            elif item == b"ET" and shown:
                self._soften(out, shown, wanted, maps, fonts, twins, pdf, get)
                text_start = None
        return out

    def _soften(self, out, shown, wanted, maps, fonts, twins, pdf, get) -> None:
        index, font, size, glyphs = shown[-1]
        if len(glyphs) < 4 or maps[font].get(int(glyphs[-4:], 16)) not in HYPHEN_LIKE:
            return
        text = "".join(maps[name].get(int(run[i:i + 4], 16), "")
                       for _, name, _, run in shown for i in range(0, len(run), 4))
        key = _key(text)
        if not wanted.get(key):
            return
        wanted[key] -= 1
        hyphen = glyphs[-4:]
        source = out[index].decode("latin-1")
        # Cut the last glyph from the array, with any spacing after it (nothing follows it).
        body = source[source.index("[") + 1:source.rindex("]")]
        tokens = re.findall(r"<[0-9a-fA-F]*>|[^<>\s]+", body)
        while tokens and not re.fullmatch(r"<[0-9a-fA-F]{4,}>", tokens[-1]):
            tokens.pop()
        tokens[-1] = tokens[-1][:-5] + ">"
        if tokens[-1] == "<>":
            tokens.pop()
        twin = twins.get(font) or self._twin(font, hyphen, fonts, twins, pdf, get)
        out[index:index + 1] = [
            f"[{''.join(tokens)}] TJ".encode("latin-1"),
            f"/{twin} {size} Tf".encode(), f"[<{hyphen}>] TJ".encode(),
            f"/{font} {size} Tf".encode()]

    @staticmethod
    def _twin(font, hyphen, fonts, twins, pdf, get) -> str:
        """A copy of the font's dictionary with a map of its hyphen glyph to U+00AD."""
        original = fonts[font]
        header = []
        for item in get(get(original)["ToUnicode"]).stream:
            if bytes(item).endswith(b"beginbfchar"):
                break
            header.append(item)
        to_unicode = pydyf.Stream(
            [*header, b"1 beginbfchar", f"<{hyphen}> <00ad>".encode(), b"endbfchar",
             b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"],
            compress=get(get(original)["ToUnicode"]).compress)
        pdf.add_object(to_unicode)
        twin = pydyf.Dictionary({**get(original), "ToUnicode": to_unicode.reference})
        pdf.add_object(twin)
        name = f"{font}shy"
        fonts[name] = twin.reference
        twins[font] = name
        return name


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


def engine_report() -> list[tuple[str, str]]:
    """What the PDF engine runs on here, for `carta doctor`."""
    from weasyprint.text.ffi import pango

    version = pango.pango_version()
    subsetter = (
        "HarfBuzz (libharfbuzz-subset0): fast, byte-reproducible"
        if uses_harfbuzz_subsetter()
        else "fontTools fallback: about 2.5x slower, different bytes on every run; "
             "install libharfbuzz-subset0 (Debian/Ubuntu)")
    return [
        ("WeasyPrint", weasyprint.__version__),
        ("Pango", f"{version // 10000}.{version // 100 % 100}.{version % 100}"),
        ("font subsetter", subsetter),
        ("fonts", ", ".join(str(folder) for folder in font_folders())),
    ]


def uses_harfbuzz_subsetter() -> bool:
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))
