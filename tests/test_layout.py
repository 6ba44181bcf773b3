"""Layout on paper: each footnote on the page that cites it, a text layer that copies as written,
and hyphenation that adds only hyphens the text layer can tell from typed ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from conftest import REPO
from pdftext import normalize, read_pages

from generator.app.cli import cli
from generator.core.project import load_project
from generator.pipeline.run import build

LETTER_FILE = "content/letters/carta-prueba.yaml"
FILLER = ("Texto de relleno para una carta ficticia que ocupa lugar en la página sin decir nada "
          "que importe a nadie en particular. ") * 7
CALL = "Un párrafo corto que cita la nota al final de su línea."
# Found by trying lengths: the short paragraph's call lands near the foot of page 1 and the
# next paragraph starts in the last line there, so WeasyPrint 70 moves the note to page 2 to
# fit that paragraph's second line (it keeps two lines together: orphans).
LATE_NOTE = f"""\
id: carta-prueba
date: 2024-03-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
body:
  - paragraph: {FILLER * 2} {"palabra " * 63}.
  - paragraph: {CALL}[^nota-a]
  - paragraph: {FILLER}
references:
  - id: nota-a
    text: Ver https://example.org/nota-a y una nota larga que ocupa dos líneas en el pie de la
      página para que pese más en el cálculo.
"""
WARNING = "footnote nota-a is cited on page 1 but printed at the foot of page 2"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


def call_and_note_pages(pdf: Path) -> tuple[list[int], list[int]]:
    pages = read_pages(pdf)
    return ([n for n, page in enumerate(pages, 1) if normalize(CALL) in page.body],
            [n for n, page in enumerate(pages, 1) if "1. Ver https://example.org" in page.small])


def test_a_note_weasyprint_would_move_stays_on_the_page_that_cites_it(sample, monkeypatch):
    sample.write(LETTER_FILE, LATE_NOTE)
    pdf = sample.root / "output/carta-prueba/carta-prueba.es.pdf"
    # WeasyPrint alone (no repair allowed) prints the note a page late, and carta says so.
    monkeypatch.setattr("generator.outputs.pdf_layout.MAX_REPAIR_RENDERS", 0)
    result = run(sample.root, "build", "--format", "pdf", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert WARNING in result.stderr
    assert call_and_note_pages(pdf) == ([1], [2])
    # carta lays the page out again, with the least change that brings the note back.
    monkeypatch.undo()
    result = run(sample.root, "build", "--format", "pdf", "--jobs", "1", "--force")
    assert result.exit_code == 0, result.output
    assert "is cited on page" not in result.output
    calls, notes = call_and_note_pages(pdf)
    assert calls == notes and len(calls) == 1
    assert len(pypdf.PdfReader(pdf).pages) == 2  # no page was added to do it


def test_archive_refuses_a_misplaced_note_unless_told_to_accept_it(sample, monkeypatch):
    sample.write(LETTER_FILE, LATE_NOTE)
    monkeypatch.setattr("generator.outputs.pdf_layout.MAX_REPAIR_RENDERS", 0)
    result = run(sample.root, "archive")
    assert result.exit_code == 1
    assert WARNING in result.output and "--accept-layout-warnings" in result.output
    archive = sample.root / "output/archive"
    assert not list(archive.rglob("*.pdf"))
    result = run(sample.root, "archive", "--accept-layout-warnings")
    assert result.exit_code == 0, result.output
    assert WARNING in result.output  # archived so, and said
    files = json.loads((archive / "manifest.json").read_text())["files"]
    assert [entry["locale"] for entry in files] == ["es"]


PROJECTS = [REPO, *sorted(path for path in (REPO / "examples").iterdir()
                          if (path / "carta.toml").is_file())]


@pytest.mark.parametrize("root", PROJECTS, ids=lambda root: root.name)
def test_no_pdf_of_the_repository_or_the_examples_prints_a_note_away_from_its_call(root,
                                                                                   tmp_path):
    warnings: list[str] = []
    result = build(load_project(root), formats=("pdf",), output=tmp_path, force=True,
                   warn=warnings.append)
    assert not result.failed
    assert result.written
    # The warning is carta's exact reading of the final layout: where each call and note is.
    assert [message for message in warnings if "is cited on page" in str(message)] == []


HYPHENATED = """\
id: carta-prueba
date: 2024-03-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
body:
  - paragraph: >-
      *La coordinación interinstitucional de organizaciones internacionales
      latinoamericanas, extraordinariamente comprometidas, institucionalizó
      responsabilidades administrativas incomprensiblemente desproporcionadas,
      constitucionalmente cuestionables y sistemáticamente desatendidas.*
      Lo mismo en redonda: la coordinación interinstitucional de organizaciones internacionales
      latinoamericanas, extraordinariamente comprometidas, institucionalizó
      responsabilidades administrativas incomprensiblemente desproporcionadas y una
      co-creación anunciada en https://example.org/un-enlace-con-guiones-largos.
"""


def test_added_hyphens_copy_as_soft_hyphens_in_the_letters_own_fonts(sample):
    sample.write(LETTER_FILE, HYPHENATED)
    result = run(sample.root, "build", "--format", "pdf", "--jobs", "1")
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(sample.root / "output/carta-prueba/carta-prueba.es.pdf")
    # The added hyphen is the fonts' own hyphen-minus: U+2010 is missing from the italics and
    # the sans, and was drawn from whatever font the system had.
    fonts = {str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
             for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert all(name.startswith(("Source-Serif-Pro", "Source-Sans-Pro")) for name in fonts), fonts
    assert "Source-Serif-Pro-Italic" in fonts
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "\u2010" not in text
    assert re.search(r"\w\u00ad\n\w", text), text  # hyphenated, in italics and roman
    whole = text.replace("\u00ad\n", "")
    for word in ("interinstitucional", "latinoamericanas", "extraordinariamente",
                 "desproporcionadas"):
        assert whole.count(word) == 2, word
    # A typed hyphen stays a hyphen-minus, at a line's end too (then the line breaks after it).
    assert "co-creación" in whole.replace("-\n", "-")
    assert "https://example.org/un-enlace-con-guiones-largos" in re.sub(r"\s+", "", whole)
