"""Footnote markers (`notes:`) and links on paper (`links:`, `[project] links`).

Each test builds a fictional letter and reads the PDF as a reader does (pypdf's text, and
tests/pdftext.py's split into body and small type) and the HTML as a browser gets it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from conftest import SampleProject
from pdftext import normalize, read_pages

from generator.core.project import load_project
from generator.pipeline.run import build

# Seven notes, the first cited twice: enough for the symbols to come round to "**".
MARKED_LETTER = """\
id: carta-prueba
date: 2024-03-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
{settings}
body:
  - paragraph: Primer párrafo con una cita.[^nota-a] Segunda frase del párrafo.[^nota-b]
  - paragraph: >-
      Repetimos la primera.[^nota-a] Tercera.[^nota-c] Cuarta.[^nota-d] Quinta.[^nota-e]
      Sexta.[^nota-f] Séptima.[^nota-g]
references:
  - id: nota-a
    text: Nota ficticia A.
  - id: nota-b
    text: Nota ficticia B.
  - id: nota-c
    text: Nota ficticia C.
  - id: nota-d
    text: Nota ficticia D.
  - id: nota-e
    text: Nota ficticia E.
  - id: nota-f
    text: Nota ficticia F.
  - id: nota-g
    text: Nota ficticia G.
"""

# A named link, a bare address, a linked e-mail address, and a named link inside a note.
LINKED_LETTER = """\
id: carta-prueba
date: 2024-03-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
{settings}
body:
  - paragraph: >-
      Primera cita.[^nota-a] Consulte [el informe anual](https://example.org/informe) y
      también https://example.org/directo o escriba a contacto@example.org.
      Segunda cita.[^nota-b]
references:
  - id: nota-a
    text: Nota ficticia A.
  - id: nota-b
    text: Ver [la nota B](https://example.org/anexo)
"""

NAMED = "https://example.org/informe"
BARE = "https://example.org/directo"


class Built:
    def __init__(self, folder: Path):
        pdf = folder / "carta-prueba.es.pdf"
        self.html = (folder / "carta-prueba.es.html").read_text(encoding="utf-8")
        # All the PDF's text in reading order, whatever its size (the calls are 5 to 6 pt).
        # A word hyphenated at a line's end copies as its halves around a soft hyphen.
        self.text = normalize(" ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
                              .replace("\u00ad\n", ""))
        pages = read_pages(pdf)
        self.body = " ".join(page.body for page in pages)
        self.small = " ".join(page.small for page in pages)

    def squeezed(self) -> str:
        # A URL may break across lines: compare without any whitespace.
        return re.sub(r"\s+", "", self.text)


def build_letter(sample: SampleProject, letter: str, settings: str = "",
                 project_links: str | None = None) -> Built:
    sample.write("content/letters/carta-prueba.yaml", letter.format(settings=settings))
    if project_links:
        sample.write("carta.toml",
                     f'[project]\nlocales = ["es"]\nlinks = "{project_links}"\n')
    warnings: list[str] = []
    build(load_project(sample.root), output=sample.root / "out", warn=warnings.append)
    assert warnings == []
    return Built(sample.root / "out" / "carta-prueba")


MARKERS = {
    "numeric": ["1", "2", "3", "4", "5", "6", "7"],
    "symbols": ["*", "†", "‡", "§", "‖", "¶", "**"],
    "brackets": ["[1]", "[2]", "[3]", "[4]", "[5]", "[6]", "[7]"],
}


@pytest.mark.parametrize(("settings", "style"), [
    ("", "numeric"), ("notes: numeric", "numeric"), ("notes: symbols", "symbols"),
    ("notes: brackets", "brackets")])
def test_markers_are_the_same_in_the_pdf_and_the_html(sample, settings, style):
    built = build_letter(sample, MARKED_LETTER, settings)
    m = MARKERS[style]

    # HTML: the calls, in order (the repeated citation of note A shows A's marker again)...
    calls = re.findall(r'role="doc-noteref"><sup>(.*?)</sup>', built.html)
    assert calls == [m[0], m[1], m[0], *m[2:]]
    assert re.findall(r'class="note-again" aria-hidden="true"><sup>(.*?)</sup>',
                      built.html) == [m[0]]
    # ...and the list of notes: the list's own numbers, or each marker written out.
    items = re.findall(r'<li id="note-nota-(\w)">(.*?)</li>', built.html)
    assert [ident for ident, _ in items] == list("abcdefg")
    if style == "numeric":
        assert '<ol class="marked">' not in built.html
        assert [text for _, text in items] == [f"Nota ficticia {x}." for x in "ABCDEFG"]
    else:
        assert '<ol class="marked">' in built.html
        assert [text for _, text in items] == [
            f'<span class="note-marker">{marker}</span> Nota ficticia {x}.'
            for marker, x in zip(m, "ABCDEFG", strict=True)]

    # PDF: each call right after the words it follows, the repeat too...
    for words, marker in [("una cita.", m[0]), ("del párrafo.", m[1]),
                          ("la primera.", m[0]), ("Tercera.", m[2]), ("Séptima.", m[6])]:
        assert f"{words}{marker} " in built.text + " "
    # ...and the same marker before each note at the page's foot.
    suffix = "." if style == "numeric" else ""
    expected_foot = " ".join(f"{marker}{suffix} Nota ficticia {x}."
                             for marker, x in zip(m, "ABCDEFG", strict=True))
    assert expected_foot in built.small


@pytest.mark.parametrize("settings", ["links: url-after", ""])
def test_url_after_prints_a_named_links_address_once_in_small_type(sample, settings):
    built = build_letter(sample, LINKED_LETTER, settings)  # "": the project's default
    assert normalize(f"el informe anual ({NAMED}) y también") in built.text
    assert NAMED in built.small.replace(" ", "")
    assert NAMED not in built.body.replace(" ", "")
    # A bare address is its own text: printed once, not followed by itself.
    squeezed = built.squeezed()
    assert squeezed.count(NAMED) == 1
    assert squeezed.count(BARE) == 1
    assert squeezed.count("contacto@example.org") == 1
    # A named link inside a note gets its address too, in the note.
    assert "Ver la nota B (https://example.org/anexo)" in built.small
    assert "footnote link-note" not in built.html


def test_underline_prints_no_address(sample):
    built = build_letter(sample, LINKED_LETTER, "links: underline")
    assert "el informe anual y también" in built.text
    squeezed = built.squeezed()
    assert NAMED not in squeezed
    assert squeezed.count(BARE) == 1
    assert "Ver la nota B" in built.small
    assert "example.org/anexo" not in squeezed
    assert "footnote link-note" not in built.html


def test_footnote_puts_the_address_at_the_page_foot_numbered_with_the_notes(sample):
    built = build_letter(sample, LINKED_LETTER, "links: footnote")
    # The link's call follows its text; the address is note 2 at the foot, and the next
    # citation is note 3, on paper and on the web page alike.
    assert "Primera cita.1 Consulte el informe anual2 y también" in built.text
    assert "Segunda cita.3" in built.text
    assert f"1. Nota ficticia A. 2. {NAMED} 3. Ver la nota B (https://example.org/anexo)" \
        in built.small
    squeezed = built.squeezed()
    assert squeezed.count(NAMED) == 1
    assert squeezed.count(BARE) == 1
    assert re.findall(r'role="doc-noteref"><sup>(.*?)</sup>', built.html) == ["1", "3"]
    assert '<li id="note-nota-b" value="3">' in built.html
    # On the web page the link stays a link: its note is paper's only (hidden on screen).
    assert (f'<a href="{NAMED}" class="named-link">el informe anual</a>'
            f'<span class="footnote link-note"') in built.html


def test_footnoted_links_follow_the_marker_style(sample):
    built = build_letter(sample, LINKED_LETTER, "links: footnote\nnotes: symbols")
    assert "Primera cita.* Consulte el informe anual† y también" in built.text
    assert f"* Nota ficticia A. † {NAMED} ‡ Ver la nota B" in built.small
    assert re.findall(r'class="note-marker">(.*?)</span>', built.html) == ["*", "‡"]


@pytest.mark.parametrize(("project_links", "settings", "address_after"), [
    ("footnote", "", False),  # the project's setting, as the page-foot note shows
    ("underline", "", False),
    ("underline", "links: url-after", True),  # the letter's setting wins
    ("url-after", "links: underline", False),
])
def test_the_letter_setting_overrides_the_project_setting(sample, project_links, settings,
                                                          address_after):
    built = build_letter(sample, LINKED_LETTER, settings, project_links=project_links)
    assert (f"el informe anual ({NAMED})" in built.text) == address_after
    assert (NAMED in built.small.replace(" ", "")) == (address_after
                                                       or project_links == "footnote")


@pytest.mark.parametrize("settings", ["links: url-after", "links: underline", "links: footnote"])
def test_the_web_page_keeps_plain_links(sample, settings):
    html = build_letter(sample, LINKED_LETTER, settings).html
    assert f'<a href="{NAMED}" class="named-link">el informe anual</a>' in html
    assert f'<a href="{BARE}">{BARE}</a>' in html
    assert '<a href="mailto:contacto@example.org">contacto@example.org</a>' in html
    # Print rules only: the screen shows no address after a link.
    screen = html.split("@media print")[0]
    assert "attr(href)" not in screen
