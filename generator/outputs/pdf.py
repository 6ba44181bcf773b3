"""HTML to PDF bytes with WeasyPrint, through a fetcher kept inside the project.

The engine: fonts, the fetcher, the archival options, the errors WeasyPrint logs. What its
layout gets wrong is put right in pdf_layout.py, the only other module that imports WeasyPrint;
the PDF/UA structure is made in pdfua.py.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.css.counters import CounterStyle
from weasyprint.text.fonts import FontConfiguration

from ..core.dependencies import Dependencies
from ..core.errors import BuildError, Notice
from ..rendering import webfonts
from .pdf_layout import TwinFonts, bring_notes_back, misplaced_notes, text_lines
from .pdfua import make_accessible

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


def _tag_languages() -> None:
    """Give each structure element of an element with a `lang` of its own that /Lang.

    WeasyPrint 70 tags the boxes (a <span> becomes a /Span) but sets /Lang on the catalog
    only, from <html lang>: a Spanish name marked in an English letter (a glossary term kept in
    Spanish, or "[...]{lang=es}") would be read in English (PDF/UA-1 7.2, WCAG 3.1.2). Its tag
    builder recurses through its module's global name, so wrapping that name reaches every
    box; what it yields for a box is the box's element (for <html> and <body>, their
    children's, which have their own turn). Installed once, at import."""
    from weasyprint.pdf import tags

    build = tags._build_box_tree
    if getattr(build, "carta_langs", False):
        return

    def build_box_tree(box, *args, **kwargs):
        element = getattr(getattr(box, "_box", box), "element", None)
        lang = element.get("lang") if element is not None else None
        own = lang and getattr(box, "element_tag", None) not in ("html", "body")
        for structure in build(box, *args, **kwargs):
            if own and "Lang" not in structure:
                structure["Lang"] = tags.pydyf.String(lang)  # WeasyPrint's own pydyf
            yield structure

    build_box_tree.carta_langs = True
    tags._build_box_tree = build_box_tree


_tag_languages()

REFUSAL_MARK = "carta refused to load"


class RestrictedFetcher(weasyprint.URLFetcher):
    """Serves data: URLs and files inside the allowed folders; refuses everything else.

    Everything WeasyPrint loads (images, stylesheets, @import, fonts, attachments, SVG
    references) comes through `fetch`, so this is the one gate between a document and the
    machine. Strict: each refused URL goes to `refused`, which fails the document. Not strict:
    a line goes to `warnings` and the document is made without the resource.
    """

    def __init__(self, allowed: tuple[Path, ...], strict: bool = True,
                 warnings: list[Notice] | None = None,
                 note: Callable[[Path], None] = lambda path: None):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.allowed = tuple(path.resolve() for path in allowed)
        self.strict = strict
        self.refused: list[str] = []
        self.warnings = warnings if warnings is not None else []
        self.document: str | None = None  # named in warnings when the caller sets it
        self.note = note  # told each file served: what the documents depend on

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
        self.note(path)
        return super().fetch(path.as_uri(), headers)

    def _refuse(self, url: str, reason: str):
        if self.strict:
            self.refused.append(url)
        else:
            where = f"{self.document}: " if self.document else ""
            self.warnings.append(Notice(f"{where}refused to load {url} ({reason}); made the PDF "
                                        "without it", "refused-resource"))
        # WeasyPrint catches this, logs it and leaves the resource out.
        raise ValueError(f"{REFUSAL_MARK} {url}: {reason}")


DATA_URL = re.compile(r"data:[^\s\"']+")

# A document's own stylesheets: the <style> elements (without attributes) of its <head>.
# letter.css is one of them, the same text in every document of a locale: parsed once per
# process instead of once per document (it cost about 40 ms of every PDF).
_HEAD = re.compile(r"(<head\b[^>]*>)(.*?)(</head>)", re.S | re.I)
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_PARSED_LIMIT = 32  # distinct stylesheets kept per process (a few per locale and template)


def split_styles(html: str) -> tuple[str, tuple[str, ...]]:
    """The document without the <style> elements of its head, and their texts in order.
    A head with a comment is left whole: a <style> inside one is no stylesheet."""
    head = _HEAD.search(html)
    if head is None or "<!--" in head.group(2):
        return html, ()
    styles = tuple(_STYLE.findall(head.group(2)))
    if not styles:
        return html, ()
    inner = _STYLE.sub("", head.group(2))
    return html[:head.start(2)] + inner + html[head.end(2):], styles


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

    def __init__(self, allowed_folders: tuple[Path, ...], strict: bool = True,
                 dependencies: Dependencies | None = None):
        # strict (the default, and what `archive` needs): a refused resource fails the
        # document. Otherwise the PDF is made without it and `warnings` says what was left out.
        self.strict = strict
        self.warnings: list[Notice] = []
        self.dependencies = dependencies if dependencies is not None else Dependencies()
        self.fetcher = RestrictedFetcher(allowed_folders + font_folders(), strict, self.warnings,
                                         self.dependencies.note)
        # @font-face only works when the same FontConfiguration reaches both CSS() and
        # write_pdf(); it also caches the fonts for every later document. @counter-style
        # likewise: the rules of a stylesheet parsed once must reach every document.
        self.font_config = FontConfiguration()
        self.counter_style = CounterStyle()
        self._parsed: dict[tuple[str, str], weasyprint.CSS] = {}
        try:
            self.stylesheets = [weasyprint.CSS(string=_font_face_css(),
                                               font_config=self.font_config,
                                               url_fetcher=self.fetcher)]
        except OSError as error:  # the fonts are copied to temporary files: a full disk
            raise BuildError(f"cannot prepare the fonts for the PDF: {error.strerror or error}"
                             f" (while writing {error.filename or 'a temporary file'})") from None

    def prepare(self, html: str, base: Path) -> None:
        """Parse a document's stylesheets now, as `make` would: a worker process forked after
        this finds them parsed."""
        html, styles = split_styles(html)
        document = weasyprint.HTML(string=html, base_url=base.as_uri() + "/",
                                   url_fetcher=self.fetcher)
        self._stylesheets(styles, document.base_url, None)

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
        return make_accessible(pdf, article_langs=article_langs)

    def layout(self, html: str, base: Path, options: dict | None = None,
               collector: _ErrorCollector | None = None):
        """WeasyPrint's laid-out document, with every footnote that WeasyPrint moved a page
        late brought back to the page that cites it where a small change of layout can."""
        options = {"stylesheets": self.stylesheets, "pdf_tags": True, **(options or {})}
        html, styles = split_styles(html)
        document = weasyprint.HTML(string=html, base_url=base.as_uri() + "/",
                                   url_fetcher=self.fetcher)
        if styles:
            # The head's stylesheets, parsed once per process, given after the fonts' rules.
            # WeasyPrint takes given stylesheets as the user's, not the author's: with no
            # other author style left but style="" attributes (which win either way) and no
            # presentational hints, the cascade is the same (the expected PDFs say so).
            options["stylesheets"] = [*options["stylesheets"],
                                      *self._stylesheets(styles, document.base_url, collector)]

        def render():
            return document.render(font_config=self.font_config,
                                   counter_style=self.counter_style, **options)

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

    def _stylesheets(self, texts: tuple[str, ...], base_url: str,
                     collector: _ErrorCollector | None) -> list:
        """Each text parsed, or taken as parsed before with the same base URL (which
        `<base href>` may have changed). A stylesheet whose parsing refused or failed to load
        something is not kept: the next document must meet, and report, the same refusal."""
        sheets = []
        for text in texts:
            key = (text, base_url)
            sheet = self._parsed.get(key)
            if sheet is None:
                said = (len(self.fetcher.refused), len(self.warnings),
                        len(collector.messages) if collector else 0)
                sheet = weasyprint.CSS(string=text, base_url=base_url, url_fetcher=self.fetcher,
                                       font_config=self.font_config,
                                       counter_style=self.counter_style)
                if said == (len(self.fetcher.refused), len(self.warnings),
                            len(collector.messages) if collector else 0):
                    if len(self._parsed) >= _PARSED_LIMIT:
                        self._parsed.clear()
                    self._parsed[key] = sheet
            sheets.append(sheet)
        return sheets

    def _write(self, html: str, base: Path, name: str, options: dict) -> bytes:
        collector = _ErrorCollector()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collector)
        refused_before = len(self.fetcher.refused)
        try:
            options = {"stylesheets": self.stylesheets, "pdf_tags": True, **options}
            rendered = self.layout(html, base, options, collector)
            pdf = rendered.write_pdf(finisher=TwinFonts(text_lines(rendered)), **options)
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
        self.warnings += [Notice(f"{name}: {message}", "misplaced-note")
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
