"""The PDF's typefaces for the web page: WOFF2 subsets written beside the HTML, in fonts/.

The page names them with relative @font-face URLs (templates/letter.css), so it looks like
its PDF on any machine and loads nothing from another host. Every page gets the same fixed
Latin set rather than the characters it happens to use: one set of files then serves every
language and recipient copy of a letter (and the browser caches it across them), the bytes
are the same at every build, and an edit or a translation that brings a new accented letter
never meets a missing glyph. A character outside the set (Greek, Cyrillic, the site's status
symbols) falls back, character by character, to the next family of the page's font stack.

Subsetting costs about half a second per face, so it is done once per machine: the files are
kept in the machine's cache (core/cache.py) under their recipe (font packages, fontTools,
Brotli, the character set, the renaming), read from there once per process, and copied into
a folder only when it lacks the current files: a stamp file there records the recipe.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from importlib import metadata
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro

from ..core import cache
from ..core.write import safe_folder, write_atomic

FOLDER = "fonts"  # beside the page: output/<id>/fonts/
STAMP = ".carta-fonts"  # in FOLDER: the recipe of the files there
CACHE_KIND = "webfonts"  # the machine cache's folder for them
# What the subsetting code itself does to the bytes (the options, the renaming): bump it when
# _subset or _rename changes, so that no cache or folder keeps files made the old way.
MAKER = "carta webfonts 2"

# The faces of outputs/pdf.py's FONT_FACES, in its order (a test checks they agree); kept
# here so that rendering a page never imports WeasyPrint.
FACES = (
    ("Source Serif Pro", font_source_serif_pro, "SourceSerifPro-Regular.ttf", 400, "normal"),
    ("Source Serif Pro", font_source_serif_pro, "SourceSerifPro-It.ttf", 400, "italic"),
    ("Source Serif Pro", font_source_serif_pro, "SourceSerifPro-Semibold.ttf", 600, "normal"),
    ("Source Serif Pro", font_source_serif_pro, "SourceSerifPro-SemiboldIt.ttf", 600, "italic"),
    ("Source Serif Pro", font_source_serif_pro, "SourceSerifPro-Bold.ttf", 700, "normal"),
    ("Source Serif Pro", font_source_serif_pro, "SourceSerifPro-BoldIt.ttf", 700, "italic"),
    ("Source Sans Pro", font_source_sans_pro, "SourceSansPro-Regular.ttf", 400, "normal"),
    ("Source Sans Pro", font_source_sans_pro, "SourceSansPro-It.ttf", 400, "italic"),
    ("Source Sans Pro", font_source_sans_pro, "SourceSansPro-Semibold.ttf", 600, "normal"),
    ("Source Sans Pro", font_source_sans_pro, "SourceSansPro-Bold.ttf", 700, "normal"),
)

# Latin in full (Western, Central and Eastern European, Vietnamese, the letters of African
# and Amerindian orthographies), with combining accents for decomposed text, and the
# punctuation, currency, letterlike and arrow signs a letter uses (– — “ ” … € № † ‡ § ‖ ¶).
UNICODE_RANGES = (
    (0x0020, 0x007E), (0x00A0, 0x024F), (0x02B0, 0x036F), (0x1E00, 0x1EFF),
    (0x2000, 0x206F), (0x2070, 0x209F), (0x20A0, 0x20CF), (0x2100, 0x214F),
    (0x2190, 0x2193), (0x2212, 0x2212),
)

# How a page refers to a file of FOLDER (the stylesheet quotes every URL).
_REFERENCE = re.compile(r'url\("' + FOLDER + r'/([A-Za-z0-9-]+\.woff2)"\)')


def _rename(font) -> None:
    """Give the subset its own name (see WEB_FAMILIES): the copyright and licence records stay
    as they are, only the records that name the font change."""
    for record in font["name"].names:
        if record.nameID in _NAME_IDS:
            text = record.toUnicode()
            for old, new in _RENAMED.items():
                text = text.replace(old, new)
            record.string = text
    if "CFF " in font:  # an OpenType/CFF font names itself in its CFF table too
        cff = font["CFF "].cff
        cff.fontNames = [name.replace("SourceSerifPro", "CartaSerif")
                         .replace("SourceSansPro", "CartaSans") for name in cff.fontNames]


def woff2_name(ttf: str) -> str:
    """The web subset's file name: renamed like the font inside it (see WEB_FAMILIES)."""
    name = ttf.removesuffix(".ttf") + ".woff2"
    return name.replace("SourceSerifPro", "CartaSerif").replace("SourceSansPro", "CartaSans")


# The subsets are modified versions of the fonts, and the SIL Open Font License reserves the
# name "Source" (its Reserved Font Name) for the originals: a modified version must carry another
# name. So the web subsets are called "Carta Serif" and "Carta Sans", inside the files and in
# the stylesheet; the PDF embeds the original fonts, as the licence allows any document to.
WEB_FAMILIES = {"Source Serif Pro": "Carta Serif", "Source Sans Pro": "Carta Sans"}
_RENAMED = {"Source Serif Pro": "Carta Serif", "SourceSerifPro": "CartaSerif",
            "Source Sans Pro": "Carta Sans", "SourceSansPro": "CartaSans"}
_NAME_IDS = (1, 3, 4, 6, 16, 17, 18, 21, 22)  # family, unique, full, PostScript, typographic


def faces() -> list[dict]:
    """The faces as the stylesheet's @font-face rules name them."""
    return [{"family": WEB_FAMILIES[family], "weight": weight, "style": style,
             "url": f"{FOLDER}/{woff2_name(filename)}"}
            for family, _, filename, weight, style in FACES]


@functools.cache
def recipe() -> str:
    """What the files' bytes depend on: a digest written to the stamp, compared at each build."""
    versions = []
    for tool in ("font-source-serif-pro", "font-source-sans-pro", "fonttools", "brotli"):
        try:
            versions.append(f"{tool} {metadata.version(tool)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{tool} none")
    text = "\n".join([MAKER, *versions, repr(UNICODE_RANGES),
                      repr([face[2:] for face in FACES])])
    return hashlib.sha256(text.encode()).hexdigest()


def referenced(html: str) -> bool:
    """Whether the page uses these fonts (a project's own letter.css may not)."""
    return _REFERENCE.search(html) is not None


def current(folder: Path) -> bool:
    """Whether `folder` (a letter's output folder) holds every face, made by today's recipe."""
    fonts = folder / FOLDER
    try:
        stamp = (fonts / STAMP).read_text("ascii").strip()
    except (OSError, ValueError):
        return False
    return stamp == recipe() and all(
        (fonts / woff2_name(filename)).is_file() for _, _, filename, _, _ in FACES)


def stale(page: Path) -> bool:
    """Whether the built page at `page` refers to fonts its folder lacks: it is then built
    again even when nothing it was made from changed (someone deleted fonts/)."""
    try:
        html = page.read_text("utf-8")
    except (OSError, ValueError):
        return True
    return referenced(html) and not current(page.parent)


def write(folder: Path) -> list[Path]:
    """Write the faces and their licences into `folder`/fonts/ unless they are current there.
    Returns the files written."""
    if current(folder):
        return []
    # The page's folder and fonts/ in it, each a real folder (never a link, never a file in
    # the way): the same checks as every output folder.
    folder.parent.mkdir(parents=True, exist_ok=True)
    fonts = safe_folder(folder.parent, folder / FOLDER)
    written = []
    for name, data in _files().items():
        write_atomic(fonts / name, data)
        written.append(fonts / name)
    # Last: a build interrupted before this point leaves no stamp and starts over.
    write_atomic(fonts / STAMP, (recipe() + "\n").encode("ascii"))
    return written


def prepare() -> None:
    """Have the files now, in this process: worker processes forked after this inherit them."""
    _files()


@functools.cache
def _files() -> dict[str, bytes]:
    """Every face as WOFF2, and each family's licence: from the machine's cache, else made
    here and kept there for every later process and project."""
    wanted = {woff2_name(filename) for _, _, filename, _, _ in FACES} | set(_LICENCES.values())
    files = cache.load(CACHE_KIND, recipe())
    if files is None or set(files) != wanted:
        files = _subset()
        cache.store(CACHE_KIND, recipe(), files)  # best effort: a read-only cache costs time only
    return files


# Each family's licence, by its name in FOLDER (the SIL Open Font License asks that it travel
# with the fonts).
_LICENCES = {font_source_serif_pro: "LICENSE-source-serif-pro.txt",
             font_source_sans_pro: "LICENSE-source-sans-pro.txt"}


def _subset() -> dict[str, bytes]:
    """Every face as WOFF2, and each family's licence."""
    from fontTools import subset  # only a build that writes fonts needs it
    from fontTools.ttLib import TTFont

    unicodes = [code for first, last in UNICODE_RANGES for code in range(first, last + 1)]
    files = {}
    for _, package, filename, _, _ in FACES:
        options = subset.Options()
        options.flavor = "woff2"
        # Every name record: the copyright, the licence and its URL stay in each file.
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        # The head table keeps its date: the same bytes at every build.
        font = TTFont(Path(package.font_directory) / filename, recalcTimestamp=False)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        _rename(font)
        data = io.BytesIO()
        subset.save_font(font, data, options)
        files[woff2_name(filename)] = data.getvalue()
    for package, name in _LICENCES.items():
        files[name] = (Path(package.font_directory) / "LICENSE.txt").read_bytes()
    return files
