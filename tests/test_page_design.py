"""The default page design (issue 24): list numbers copied with their items, footnote calls a
reader can see, no page number on a one-page letter, a continuation line from page 2, room to
sign; the campaign site in the letters' typefaces; the DOCX carrying its fonts."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from lxml import etree

from generator.app.cli import cli
from generator.outputs.docx_fonts import obfuscate

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MM = 72 / 25.4
FILLER = ("La organización solicitó información pública sobre los contratos del programa y no "
          "obtuvo respuesta en el plazo que fija la ley. ") * 6

LISTS = f"""\
id: carta-prueba
date: 2024-03-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
signers:
  - name: Persona Firmante Ejemplo
    role: {{es: Coordinación}}
body:
  - paragraph: "Primer párrafo.[^nota-a] {FILLER}"
  - grievances:
      - id: agravio-a
        text: Agravio ficticio alfa con texto suficiente para ocupar más de una línea de la
          columna de la carta y ver que el número queda con su punto.
      - id: agravio-b
        text: Agravio ficticio beta.
  - paragraph: "{FILLER}"
  - paragraph: "{FILLER}"
  - paragraph: "{FILLER}"
  - paragraph: "Pedimos:"
  - demands:
      - id: demanda-a
        text: Demanda ficticia gamma.
      - id: demanda-b
        text: Demanda ficticia delta.
  - paragraph: "Seguimos:"
  - demands:
      - id: demanda-c
        text: Demanda ficticia épsilon, numerada después de las anteriores.
references:
  - id: nota-a
    text: Ver https://example.org/nota-a
"""
ITEMS = [("1.", "Agravio ficticio alfa"), ("2.", "Agravio ficticio beta"),
         ("1.", "Demanda ficticia gamma"), ("2.", "Demanda ficticia delta"),
         ("3.", "Demanda ficticia épsilon")]


def run(*args) -> object:
    result = CliRunner().invoke(cli, [str(arg) for arg in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def letter(tmp_path_factory) -> Path:
    from conftest import SampleProject

    sample = SampleProject(tmp_path_factory.mktemp("design") / "project")
    sample.write("content/letters/carta-prueba.yaml", LISTS)
    run("--project", sample.root, "build", "--format", "pdf", "--jobs", "1")
    return sample.root / "output/carta-prueba/carta-prueba.es.pdf"


@pytest.fixture(scope="module")
def one_page(tmp_path_factory) -> Path:
    from conftest import SampleProject

    sample = SampleProject(tmp_path_factory.mktemp("short") / "project")  # its own letter
    run("--project", sample.root, "build", "--format", "pdf", "--format", "docx", "--jobs", "1")
    return sample.root / "output/carta-prueba"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad\n", "")).strip()


def pdftotext(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def assert_numbers_with_items(text: str) -> None:
    text = squeeze(text)
    positions = []
    for number, item in ITEMS:
        found = re.search(re.escape(number) + r" " + re.escape(item), text)
        assert found, f"{number} {item!r} not read together in {text!r}"
        positions.append(found.start())
    assert positions == sorted(positions)
    assert not re.search(r"(\d\. ){2}", text)  # no run of numbers apart from their items


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_list_numbers_copy_with_their_items_in_pdftotext(letter):
    assert_numbers_with_items(pdftotext(letter))
    assert_numbers_with_items(pdftotext(letter, "-layout"))


def test_list_numbers_copy_with_their_items_in_pypdf(letter):
    reader = pypdf.PdfReader(letter)
    assert len(reader.pages) >= 2  # the lists are on both sides of a page break
    assert_numbers_with_items(" ".join(page.extract_text() for page in reader.pages))


def sizes(page) -> list[tuple[float, float, str]]:
    """(size in points, baseline y, text) of every run of text on a pypdf page."""
    runs = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            runs.append((abs(font_size * tm[3] * cm[3]), tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return runs


def test_footnote_calls_are_at_least_six_and_a_half_points(letter):
    runs = [run for page in pypdf.PdfReader(letter).pages for run in sizes(page)]
    calls = [size for size, _, text in runs if re.fullmatch(r"\d", text) and size < 8]
    assert calls, "no footnote call found"
    assert min(size for size, _, _ in runs) >= 6.5
    assert min(calls) >= 6.5


def test_a_one_page_letter_prints_no_page_number(one_page):
    pdf = one_page / "carta-prueba.es.pdf"
    assert len(pypdf.PdfReader(pdf).pages) == 1
    text = pdftotext(pdf)
    assert "Primer párrafo de la Organización Ejemplo A." in text
    assert not re.search(r"Página|\b1 de 1\b", text)


def test_page_two_of_a_long_letter_carries_a_continuation_line(letter):
    pages = pdftotext(letter).split("\f")
    total = len([page for page in pages if page.strip()])
    assert total >= 2
    assert "Página" not in pages[0] and "Organismo Ejemplo A, 1 de marzo" not in pages[0]
    for number in range(2, total + 1):
        assert "Organismo Ejemplo A, 1 de marzo de 2024" in pages[number - 1]
        assert f"Página {number} de {total}" in pages[number - 1]


def test_a_signer_has_at_least_25_mm_to_sign_in(letter):
    reader = pypdf.PdfReader(letter)
    for page in reader.pages:
        runs = sizes(page)
        above = [y for _, y, text in runs if text.startswith("Coalición Ejemplo")]
        below = [y for _, y, text in runs if text.startswith("Persona Firmante Ejemplo")]
        if below:
            break
    assert above and below
    # Between the line above and the name: 25 mm of room, plus the name's own line.
    assert min(above) - below[0] >= 25 * MM


def test_the_spanish_cc_label_is_lower_case(tmp_path):
    from conftest import SampleProject

    sample = SampleProject(tmp_path / "project")
    sample.write("content/recipients.yaml", """\
        organismo-ejemplo:
          name: {es: Organismo Ejemplo A}
        persona-copia:
          name: {es: Persona Ejemplo B}
          role: {es: Dirección Ejemplo}
        """)
    sample.replace("content/letters/carta-prueba.yaml", "recipients: [organismo-ejemplo]",
                   "recipients: [organismo-ejemplo]\ncc: [persona-copia]")
    run("--project", sample.root, "build", "--format", "pdf", "--format", "html", "--jobs", "1")
    folder = sample.root / "output/carta-prueba"
    assert "c.c.p." in pdftotext(folder / "carta-prueba.es.pdf")
    css = (folder / "carta-prueba.es.html").read_text("utf-8")
    rule = re.search(r"\.cc-label \{[^}]*\}", css).group()
    assert "small-caps" not in rule  # which would print it "C.C.P."


# The campaign site ------------------------------------------------------------------------

def test_the_site_uses_the_letters_web_fonts_served_beside_it(tmp_path):
    from conftest import SampleProject

    sample = SampleProject(tmp_path / "project")
    run("--project", sample.root, "site", "--jobs", "1")
    site = sample.root / "output/site"
    html = (site / "index.html").read_text("utf-8")
    faces = re.findall(r'@font-face \{ font-family: "([^"]+)"; src: url\("([^"]+)"\)', html)
    assert {family for family, _ in faces} == {"Carta Serif", "Carta Sans"}
    for _, url in faces:
        data = (site / url).read_bytes()
        assert data[:4] == b"wOF2", url
    assert re.search(r'--serif: "Carta Serif"', html) and re.search(r'--sans: "Carta Sans"', html)


# The DOCX ---------------------------------------------------------------------------------

def docx_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_the_docx_embeds_its_fonts_as_word_does(one_page):
    parts = docx_parts(one_page / "carta-prueba.es.docx")
    table = etree.fromstring(parts["word/fontTable.xml"])
    rels = {rel.get("Id"): rel.get("Target") for rel in
            etree.fromstring(parts["word/_rels/fontTable.xml.rels"])}
    embedded = {}
    for font in table.iter(f"{W}font"):
        for element in font:
            if etree.QName(element).localname.startswith("embed"):
                rel = element.get("{http://schemas.openxmlformats.org/officeDocument/2006/"
                                  "relationships}id")
                data = obfuscate(parts["word/" + rels[rel]], element.get(f"{W}fontKey"))
                embedded[font.get(f"{W}name"), etree.QName(element).localname] = data
    for family in ("Source Serif Pro", "Source Sans Pro"):
        for kind in ("embedRegular", "embedBold", "embedItalic", "embedBoldItalic"):
            data = embedded[family, kind]
            assert data[:4] == b"\x00\x01\x00\x00"  # a TrueType font, once the key is undone
    settings = etree.fromstring(parts["word/settings.xml"])
    assert settings.find(f"{W}embedTrueTypeFonts") is not None
    assert b'Extension="odttf"' in parts["[Content_Types].xml"]


def test_the_docx_has_no_empty_paragraph(one_page):
    document = etree.fromstring(docx_parts(one_page / "carta-prueba.es.docx")["word/document.xml"])
    body = document.find(f"{W}body")
    empty = [paragraph for paragraph in body.iter(f"{W}p")
             if not "".join(paragraph.itertext()).strip()
             and paragraph.find(f".//{W}drawing") is None
             and paragraph.find(f".//{W}sectPr") is None]
    assert empty == []


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdffonts") is None,
                    reason="needs LibreOffice and poppler's pdffonts")
def test_libreoffice_sets_the_docx_in_its_embedded_fonts(one_page, tmp_path):
    # Source Serif Pro is not installed on this machine: only the DOCX can bring it.
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(one_page / "carta-prueba.es.docx")], capture_output=True, check=True,
                   timeout=240)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "carta-prueba.es.pdf")],
                           capture_output=True, text=True, check=True).stdout
    assert "SourceSerifPro" in fonts.replace(" ", "").replace("-", ""), fonts
    assert "DejaVu" not in fonts, fonts
