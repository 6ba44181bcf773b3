"""Read a PDF the way a reader does: body text, small text (notes, page labels), per page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pypdf

BODY_MIN_SIZE = 10  # body text is 11 pt; notes and page labels are 8 pt; note calls 7 pt
SMALL_MIN_SIZE = 7.5
HYPHENS = "\u2010\u00ad-"


@dataclass
class Page:
    body: str
    small: str
    # The body's last word goes on at the top of the next page ("anti-" / "corruption").
    broken: bool = False


def _size(cm, tm, font_size) -> float:
    return abs(font_size * tm[3] * cm[3])


def read_pages(path: Path) -> list[Page]:
    pages = []
    for page in pypdf.PdfReader(path).pages:
        runs: list[tuple[float, str, float]] = []

        def visit(text, cm, tm, font_dict, font_size, runs=runs):
            if text.strip():
                runs.append((_size(cm, tm, font_size), text, round(tm[5] * cm[3] + cm[5], 1)))

        page.extract_text(visitor_text=visit)
        body = _glued([run for run in runs if run[0] >= BODY_MIN_SIZE])
        small = _glued([run for run in runs if SMALL_MIN_SIZE <= run[0] < BODY_MIN_SIZE])
        broken = bool(body) and body[-1].rstrip().endswith(tuple(HYPHENS))
        pages.append(Page(_join(body), _join(small), broken))
    return pages


# A run that starts with one of these, on the line of the run before it, goes on that run's
# word: an inline element (a part in another language, <span lang>) ends right before it.
_GLUED = tuple(")],.;:!?\u2019\u201d\u00bb%")


def _glued(runs: list[tuple[float, str, float]]) -> list[str]:
    """The runs' texts, each run that continues the word before it on the same line joined
    to it ("Núcleo" + "),"), so that `_join` puts a space only between words."""
    texts: list[str] = []
    baseline = None
    for _, text, y in runs:
        if texts and y == baseline and text.startswith(_GLUED) and not texts[-1][-1:].isspace():
            texts[-1] += text
        else:
            texts.append(text)
        baseline = y
    return texts


def _join(runs: list[str]) -> str:
    """Join text runs, undoing hyphenation at line ends."""
    text = ""
    for run in runs:
        run = run.rstrip("\n")
        if run.startswith("\u00ad"):  # a hyphen hyphenation added, a soft hyphen in the text
            text += run  # layer (outputs/pdf_layout.py), in a run of its own: it ends the word
            continue
        hyphenated = text.endswith(("\u2010", "\u00ad"))  # a hyphen added at a line break
        if hyphenated:
            text = text[:-1] + run.lstrip()
        elif text.endswith("-") and text[-2:-1].isalpha():  # "co-" / "creación": its own
            text += run.lstrip()
        else:
            text = f"{text} {run}"
    return normalize(text)


def normalize(text: str) -> str:
    """Whitespace folded and hyphens dropped, so that a word broken at its own hyphen
    ("co-" / "creación") compares equal to the word as written."""
    text = re.sub(f"[{HYPHENS}]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def body_text(pages: list[Page]) -> str:
    """The body text of all pages as one text: a word hyphenated at the foot of a page is
    joined to its end on the next page, as a reader reads it."""
    text, text_broken = "", False
    for page in pages:
        text += page.body if not text or text_broken else f" {page.body}"
        text_broken = page.broken
    return text


def words(text: str) -> list[str]:
    # Lone list numbers ("1.") are list markers, which a PDF places out of reading order.
    return [word for word in normalize(text).split() if not re.fullmatch(r"\d+\.", word)]
