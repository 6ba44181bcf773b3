"""The Word copy's pages: nothing on page 1, the PDF's continuation line from page 2
("Organismo Ejemplo A, 1 de marzo de 2024 ... Página 2 de 3"), in the letter's language,
in Word's header parts and as LibreOffice prints them."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import RECIPIENTS
from docx.oxml.ns import qn
from test_docx import (
    needs_soffice,
    office_profile,
    partner_letterhead,
    pdf_pages,
    run,
    soffice_convert,
)

from generator.outputs.docx_pages import addressee

__all__ = ["office_profile"]  # the LibreOffice profile fixture, shared with test_docx.py

# A fictional letter long enough for three pages in Word, LibreOffice and the PDF.
PARAGRAPH = ("Párrafo ficticio número {n} de la Coalición Ejemplo, escrito solo para llenar "
             "la página con texto de prueba que no dice nada sobre nadie real; sigue un poco "
             "más para ocupar varias líneas del cuerpo de la carta y llegar al final. ")
LONG_LETTER = """\
id: carta-larga
date: 2024-03-01
language: es
place: Ciudad Ejemplo
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
subject: Solicitud ficticia de prueba
body:
{paragraphs}
"""
DOCX = "carta-larga.{locale}.docx"


def long_letter(count: int) -> str:
    paragraphs = "\n".join(f"  - paragraph: >-\n      {PARAGRAPH.format(n=n) * 2}"
                           for n in range(1, count + 1))
    return LONG_LETTER.format(paragraphs=paragraphs)


@pytest.fixture
def project(sample):
    sample.write("content/letters/carta-larga.yaml", long_letter(13))
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    return sample


def build(project, *formats: str, more=()) -> Path:
    arguments = [part for name in formats for part in ("--format", name)]
    result = run("--project", project.root, "build", "carta-larga", *arguments,
                 "--allow-untranslated", *more)
    assert result.exit_code == 0, result.output
    return project.root / "output" / "carta-larga"


def texts(element) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def fields(element) -> list[str]:
    return [simple.get(qn("w:instr")).strip() for simple in element.iter(qn("w:fldSimple"))]


# The header parts --------------------------------------------------------------------------

def test_page_one_has_nothing_and_pages_two_on_the_continuation_line(project):
    document = docx.Document(str(build(project, "docx") / DOCX.format(locale="es")))
    section = document.sections[-1]
    sectPr = section._sectPr
    assert sectPr.find(qn("w:titlePg")) is not None
    kinds = {ref.get(qn("w:type")) for ref in sectPr.iter(qn("w:headerReference"))}
    assert kinds == {"default", "first"}

    first = section.first_page_header._element
    assert fields(first) == [] and texts(first) == ""
    assert fields(section.first_page_footer._element) == []
    assert texts(section.first_page_footer._element) == ""

    header = section.header._element
    # The PDF's words: the first recipient, the date as the date line writes it, the page.
    assert texts(header) == "Organismo Ejemplo A, 1 de marzo de 2024Página 1 de 1"
    assert fields(header) == ["PAGE", "NUMPAGES"]
    # The page phrase against the right margin: one right tab stop at the text's width
    # (A4 less 40 mm each side: 130 mm), the style's own stops cleared.
    stops = {(tab.get(qn("w:val")), tab.get(qn("w:pos")))
             for tab in header.find(f".//{qn('w:tabs')}")}
    assert {stop for stop in stops if stop[0] != "clear"} == {("right", "7370")}
    assert ("clear", "4680") in stops
    # No page number at the foot any more: it moved to the continuation line.
    assert section.footer.is_linked_to_previous or fields(section.footer._element) == []


def test_the_english_copy_speaks_english(project):
    document = docx.Document(str(build(project, "docx") / DOCX.format(locale="en")))
    header = document.sections[-1].header._element
    assert texts(header) == "Example Body A, March 1, 2024Page 1 of 1"
    assert fields(header) == ["PAGE", "NUMPAGES"]
    langs = {lang.get(qn("w:val")) for lang in header.iter(qn("w:lang"))}
    assert langs == {"en-US"}


def test_the_continuation_line_is_set_in_its_languages_typography(project):
    project.write("content/recipients.yaml", RECIPIENTS.replace(
        "en: Example Body A", "en: Example Body A's Office"))
    folder = build(project, "docx", "pdf")
    header = docx.Document(str(folder / DOCX.format(locale="en"))).sections[-1].header
    assert texts(header._element).startswith("Example Body A\u2019s Office, March 1, 2024")
    assert "Example Body A\u2019s Office, March 1, 2024" in pdf_pages(
        folder / "carta-larga.en.pdf")[1]


@pytest.mark.parametrize("named_by", ["recipient", "subject", "headline"])
def test_the_continuation_line_is_the_pdfs(project, named_by):
    """The DOCX and the PDF name the letter alike on page 2, whichever part names it (the
    rule is letter.css's `string-set`; docx_pages.addressee follows it)."""
    letter = "content/letters/carta-larga.yaml"
    project.replace(letter, "subject:", "title: Titular ficticio\nsubject:")
    if named_by != "recipient":
        project.replace(letter, "recipients: [organismo-ejemplo]\n", "")
    if named_by == "headline":
        project.replace(letter, "subject: Solicitud ficticia de prueba\n", "")
    expected = {"recipient": "Organismo Ejemplo A", "subject": "Solicitud ficticia de prueba",
                "headline": "Titular ficticio"}[named_by]
    folder = build(project, "docx", "pdf")
    pdf = pdf_pages(folder / "carta-larga.es.pdf")
    assert len(pdf) >= 2
    assert "Página" not in pdf[0]
    header = docx.Document(str(folder / DOCX.format(locale="es"))).sections[-1].header
    line = texts(header._element).split("Página")[0]
    assert line == f"{expected}, 1 de marzo de 2024"
    assert line in pdf[1]
    assert f"Página 2 de {len(pdf)}" in pdf[1]


def test_the_letter_is_named_by_recipient_then_subject_then_headline():
    recipient = {"name": "Organismo Ejemplo A"}
    base = {"recipients": [], "subject": None, "headline": None}
    assert addressee({**base, "recipients": [recipient], "subject": "Asunto"}) == \
        "Organismo Ejemplo A"
    assert addressee({**base, "subject": "Asunto", "headline": "Titular"}) == "Asunto"
    assert addressee({**base, "headline": "Titular"}) == "Titular"
    assert addressee(base) == ""


def test_a_letter_with_no_recipient_is_named_by_its_subject(project):
    project.replace("content/letters/carta-larga.yaml", "recipients: [organismo-ejemplo]\n", "")
    document = docx.Document(str(build(project, "docx") / DOCX.format(locale="es")))
    text = texts(document.sections[-1].header._element)
    assert text.startswith("Solicitud ficticia de prueba, 1 de marzo de 2024")


def test_a_partners_letterhead_stays_on_page_one_and_the_line_goes_to_the_foot(project,
                                                                              tmp_path):
    letterhead = partner_letterhead(tmp_path / "membrete.docx")
    path = build(project, "docx", more=("--reference-doc", letterhead)) / DOCX.format(
        locale="es")
    section = docx.Document(str(path)).sections[-1]
    assert section.different_first_page_header_footer
    assert texts(section.first_page_header._element) == "Red Socia Ejemplo · membrete"
    assert texts(section.header._element) == "Red Socia Ejemplo · membrete"
    assert texts(section.first_page_footer._element) == ""
    assert texts(section.footer._element).startswith("Organismo Ejemplo A, 1 de marzo de 2024")
    assert fields(section.footer._element) == ["PAGE", "NUMPAGES"]


def test_a_partners_logo_is_on_page_one_too(project, tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (40, 20), "navy").save(logo)
    letterhead = partner_letterhead(tmp_path / "membrete.docx")
    partner = docx.Document(str(letterhead))
    partner.sections[0].header.paragraphs[0].add_run().add_picture(str(logo))
    partner.save(str(letterhead))
    path = build(project, "docx", more=("--reference-doc", letterhead)) / DOCX.format(
        locale="es")
    section = docx.Document(str(path)).sections[-1]
    for header in (section.first_page_header, section.header):
        blips = list(header._element.iter(qn("a:blip")))
        assert len(blips) == 1
        image = header.part.related_parts[blips[0].get(qn("r:embed"))]
        assert image.blob == logo.read_bytes()


def test_a_partners_own_footer_is_kept(project, tmp_path):
    letterhead = partner_letterhead(tmp_path / "membrete.docx")
    partner = docx.Document(str(letterhead))
    partner.sections[0].footer.paragraphs[0].text = "Red Socia Ejemplo · pie de página"
    partner.save(str(letterhead))
    path = build(project, "docx", more=("--reference-doc", letterhead)) / DOCX.format(
        locale="es")
    section = docx.Document(str(path)).sections[-1]
    assert texts(section.footer._element) == "Red Socia Ejemplo · pie de página"
    with zipfile.ZipFile(path) as package:
        parts = "".join(package.read(name).decode() for name in package.namelist()
                        if name.startswith("word/header") or name.startswith("word/footer"))
    assert "Página" not in parts


# As LibreOffice prints it ------------------------------------------------------------------

def word_boxes(pdf: Path, page: int) -> list[tuple[str, float, float]]:
    """Each word of a page as poppler places it: (word, right edge, top), in points."""
    xhtml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf),
                            "-"], capture_output=True, check=True, text=True).stdout
    return [(word, float(x_max), float(y_min)) for y_min, x_max, word in re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
        xhtml)]


@needs_soffice
def test_libreoffice_prints_no_number_on_page_one_and_the_line_from_page_two(
        project, office_profile, tmp_path):
    folder = build(project, "docx")
    converted = soffice_convert(folder / DOCX.format(locale="es"), "pdf", office_profile)
    pages = pdf_pages(converted)
    assert len(pages) == 3, [page[:80] for page in pages]
    assert "Página" not in pages[0]
    assert "Organismo Ejemplo A, 1 de marzo de 2024 Página 2 de 3" in pages[1]
    assert "Organismo Ejemplo A, 1 de marzo de 2024 Página 3 de 3" in pages[2]
    # The line is at the head of the page, before the letter's text, and the page phrase
    # ends at the right margin (A4, 40 mm margins: 170 mm = 481.9 pt from the left edge).
    assert pages[1].startswith("Organismo Ejemplo A, 1 de marzo de 2024")
    words = word_boxes(converted, 2)
    page_word = next(index for index, word in enumerate(words) if word[0] == "Página")
    assert [word[0] for word in words[page_word:page_word + 4]] == ["Página", "2", "de", "3"]
    assert abs(words[page_word + 3][1] - 481.9) < 3, words[page_word + 3]
    assert words[page_word][2] < 60  # in the top margin (its top, in points from the top)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(converted), str(tmp_path / "page")],
                   check=False)
