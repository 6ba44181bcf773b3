"""Word (DOCX) and OpenDocument (ODT) copies: structure, a partner's letterhead, LibreOffice,
and `carta diff-docx` on a document a reviewer sends back."""

from __future__ import annotations

import copy
import datetime
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import REPO, SEED_ID
from docx.oxml.ns import qn
from docx.shared import Mm

from generator.app.cli import cli
from generator.outputs.docx_fields import bookmark_name, field_of_bookmark

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: Debian's "
    "libreoffice-writer-nogui gives it; the DOCX tests without it still run")

LETTER = """\
id: carta-docx
date: 2024-03-01
language: es
place: Ciudad Ejemplo
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
subject: Solicitud de prueba
body:
  - paragraph: >-
      Primer párrafo con *énfasis* y una nota.[^nota-a] Ver
      [el informe](https://example.org/informe).
  - grievances:
      - id: agravio-a
        text: un agravio ficticio;
      - id: agravio-b
        text: otro agravio ficticio.[^nota-b]
  - heading: Sección de prueba
  - grievances:
      - id: agravio-c
        text: un tercer agravio, que sigue la cuenta.
  - demands:
      - id: demanda-a
        text: Una demanda ficticia.
    to: organismo-ejemplo
  - demands:
      - id: demanda-b
        text: Otra demanda, numerada de nuevo.[^nota-a]
    to: A los organismos ficticios
    numbering: restart
references:
  - id: nota-a
    text: Ver https://example.org/nota-a
  - id: nota-b
    text: Nota *b* ficticia.
signatories:
  layout: table
  tiers:
    - title: Firmantes
      members: [org-ejemplo-a, ana-ejemplo]
"""

SIGNATORIES = """\
org-ejemplo-a:
  kind: organization
  name: Red Ejemplo A
  country: Ejemplolandia
ana-ejemplo:
  kind: individual
  name: Ana Ejemplo
  affiliation: Organización Ejemplo B
"""

DOCX_NAME = "carta-docx.es.docx"


def run(*args: str):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


@pytest.fixture
def project(sample):
    sample.write("content/letters/carta-docx.yaml", LETTER)
    sample.write("content/signatories.yaml", SIGNATORIES)
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\npaper = "Letter"\n')
    return sample


def build_docx(project, *more: str) -> Path:
    result = run("--project", project.root, "build", "carta-docx", "--format", "docx",
                 "--allow-untranslated", *more)
    assert result.exit_code == 0, result.output
    return project.root / "output" / "carta-docx" / DOCX_NAME


def body_paragraph(document, field: str):
    """The paragraph holding the bookmark of a letter's field."""
    name = bookmark_name(field)
    for paragraph in document.paragraphs:
        if any(b.get(qn("w:name")) == name for b in paragraph._p.iter(qn("w:bookmarkStart"))):
            return paragraph
    raise AssertionError(f"no paragraph has the bookmark of {field}")


def footnotes(path: Path) -> dict[str, str]:
    """Footnote id -> its text, from word/footnotes.xml."""
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(path).read("word/footnotes.xml"))
    return {note.get(qn("w:id")): "".join(t.text for t in note.iter(qn("w:t"))).strip()
            for note in root.iter(qn("w:footnote")) if note.get(qn("w:type")) is None}


def list_numbers(document) -> list[tuple[str, int]]:
    """(text, number) of each numbered paragraph, numbered as Word numbers them: a numbering
    instance starts at its startOverride and counts on from its previous paragraph."""
    numbering = document.part.numbering_part.element
    starts = {}
    for num in numbering.iter(qn("w:num")):
        override = num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
        starts[num.get(qn("w:numId"))] = int(override.get(qn("w:val"))) if override is not None \
            else 1
    counters: dict[str, int] = {}
    found = []
    for paragraph in document.paragraphs:
        num_id = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        if num_id is None:
            continue
        key = num_id.get(qn("w:val"))
        counters[key] = counters.get(key, starts[key] - 1) + 1
        found.append((paragraph.text, counters[key]))
    return found


# The document ---------------------------------------------------------------------------------

def test_docx_has_the_letters_styles_lists_and_fonts(project):
    path = build_docx(project)
    document = docx.Document(str(path))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Date", "Ciudad Ejemplo, 1 de marzo de 2024") in styles
    assert ("Inside Address", "Organismo Ejemplo A") in styles
    assert ("Subject", "Asunto: Solicitud de prueba") in styles
    assert ("Salutation", "Estimados miembros del Organismo Ejemplo A:") in styles
    assert ("Heading 1", "Sección de prueba") in styles
    assert ("List Lead-in", "A los organismos ficticios") in styles
    assert ("Closing", "Atentamente,") in styles
    assert ("Signature", "Coalición Ejemplo") in styles
    assert ("Heading 2", "Firmantes") in styles
    assert body_paragraph(document, "body[1].paragraph").style.name == "Normal"
    assert {p.style.name for p in document.paragraphs if p.text.startswith(("un ", "otro ",
                                                                            "Una ", "Otra "))} \
        == {"List Number"}
    # Continue and restart, as the PDF numbers them (block.start).
    assert [number for _, number in list_numbers(document)] == [1, 2, 3, 1, 1]
    assert list_numbers(document)[2] == ("un tercer agravio, que sigue la cuenta.", 3)
    # The PDF's families, named in the styles.
    assert document.styles["Normal"].font.name == "Source Serif Pro"
    assert document.styles["Heading 1"].font.name == "Source Sans Pro"
    assert document.styles["Title"].font.name == "Source Sans Pro"
    assert "Quote" in [style.name for style in document.styles]
    # Emphasis and a link that is a link, its address after it as on paper (url-after).
    first = body_paragraph(document, "body[1].paragraph")
    assert any(run.italic and run.text == "énfasis" for run in first.runs)
    links = first._p.findall(qn("w:hyperlink"))
    assert len(links) == 1
    target = document.part.rels[links[0].get(qn("r:id"))].target_ref
    assert target == "https://example.org/informe"
    assert first.text.endswith("Ver el informe (https://example.org/informe).")


def test_signatories_in_a_table_with_a_repeated_header(project):
    document = docx.Document(str(build_docx(project)))
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [["Nombre", "Afiliación", "País"],
                    ["Red Ejemplo A", "", "Ejemplolandia"],
                    ["Ana Ejemplo", "Organización Ejemplo B", ""]]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)


def test_footnotes_are_word_footnotes_at_their_calls(project):
    path = build_docx(project)
    document = docx.Document(str(path))
    notes = footnotes(path)
    assert sorted(notes.values()) == ["Nota b ficticia.", "Ver https://example.org/nota-a"]
    by_text = {text: ident for ident, text in notes.items()}

    def calls(field: str) -> list[str]:
        paragraph = body_paragraph(document, field)
        return [ref.get(qn("w:id")) for ref in paragraph._p.iter(qn("w:footnoteReference"))]

    # The call stands right after the sentence that cites the note.
    assert calls("body[1].paragraph") == [by_text["Ver https://example.org/nota-a"]]
    first = body_paragraph(document, "body[1].paragraph")._p
    text_before = "".join(
        t.text for t in first.iter(qn("w:t"))
        if t.getparent().getparent() is first
        and list(first).index(t.getparent()) < list(first).index(
            next(first.iter(qn("w:footnoteReference"))).getparent()))
    assert text_before == "Primer párrafo con énfasis y una nota."
    assert calls("body[2].grievances[2].text") == [by_text["Nota b ficticia."]]
    # A note cited again is the same footnote, its number a cross-reference to the first call.
    repeated = body_paragraph(document, "body[6].demands[1].text")._p
    assert calls("body[6].demands[1].text") == []
    instruction = "".join(i.text for i in repeated.iter(qn("w:instrText")))
    assert f"NOTEREF _RefCartaNote{by_text['Ver https://example.org/nota-a']}" in instruction
    # No endnotes, and no note printed as text.
    assert "word/endnotes.xml" not in zipfile.ZipFile(path).namelist() or \
        b"Ver https" not in zipfile.ZipFile(path).read("word/endnotes.xml")
    assert not any("Nota b ficticia" in p.text for p in document.paragraphs)


def test_every_paragraph_says_its_language(project):
    es = docx.Document(str(build_docx(project)))
    langs = {lang.get(qn("w:val")) for lang in es.element.body.iter(qn("w:lang"))}
    assert langs == {"es-ES"}
    # English, with no translation yet: the letter's texts stay Spanish and say so; the
    # template's words (the closing formula) are English.
    en = docx.Document(str(build_docx(project).with_name("carta-docx.en.docx")))
    assert en.core_properties.language == "en-US"

    def lang_of(paragraph) -> set[str]:
        return {lang.get(qn("w:val")) for lang in paragraph._p.iter(qn("w:lang"))}

    assert lang_of(body_paragraph(en, "body[1].paragraph")) == {"es-ES"}
    closing = next(p for p in en.paragraphs if p.style.name == "Closing")
    assert closing.text == "Sincerely,"
    assert lang_of(closing) == {"en-US"}


def test_properties_page_and_page_numbers(project):
    document = docx.Document(str(build_docx(project)))
    core = document.core_properties
    assert core.title == "Solicitud de prueba"
    assert core.author == "Coalición Ejemplo"
    assert core.language == "es-ES"
    assert core.created == datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC)
    section = document.sections[-1]
    # carta.toml says Letter; the margins are the PDF's.
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (216, 279)
    assert abs(section.left_margin - Mm(40)) < Mm(0.1)
    assert abs(section.top_margin - Mm(26)) < Mm(0.1)
    # The page numbers are in the continuation line of pages 2+ (tests/test_docx_pages.py).
    assert section.different_first_page_header_footer
    header = section.header._element
    instructions = [f.get(qn("w:instr")).strip() for f in header.iter(qn("w:fldSimple"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert "Página" in "".join(t.text for t in header.iter(qn("w:t")))


def test_the_same_letter_gives_the_same_bytes(project):
    first = build_docx(project).read_bytes()
    again = build_docx(project, "--force").read_bytes()
    assert first == again


def test_bookmark_names_stand_for_fields():
    for field in ("body[3].paragraph", "body[12].demand_status[2].note", "address_label",
                  "signatories.tiers[1].title", "references[10].text"):
        name = bookmark_name(field)
        assert len(name) <= 40 and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name)
        assert field_of_bookmark(name) == field
        assert field_of_bookmark(name + "_Copy_1") == field  # as LibreOffice renames them
    long = "postscript[12].demand_status[123].note"
    assert len(bookmark_name(long)) <= 40 and field_of_bookmark(bookmark_name(long)) is None


# A partner's letterhead -------------------------------------------------------------------------

def partner_letterhead(path: Path) -> Path:
    """A fictional partner's template: its own header, page, Title style and sample text."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.header.paragraphs[0].text = "Red Socia Ejemplo · membrete"
    document.styles["Title"].font.name = "Partner Sans Ejemplo"
    document.add_paragraph("Texto de muestra que no debe quedar.")
    document.save(str(path))
    return path


def test_a_partners_reference_document_gives_header_page_and_styles(project, tmp_path):
    letterhead = partner_letterhead(tmp_path / "membrete.docx")
    document = docx.Document(str(build_docx(project, "--reference-doc", letterhead)))
    section = document.sections[-1]
    assert section.header.paragraphs[0].text == "Red Socia Ejemplo · membrete"
    assert round(section.page_width.mm) == 210  # their paper, not carta.toml's Letter
    assert document.styles["Title"].font.name == "Partner Sans Ejemplo"
    assert not any("Texto de muestra" in p.text for p in document.paragraphs)
    # What their template lacks comes from carta, and the letter is whole.
    assert document.styles["Inside Address"] is not None
    assert [number for _, number in list_numbers(document)] == [1, 2, 3, 1, 1]
    assert body_paragraph(document, "body[1].paragraph").text.startswith("Primer párrafo")


def test_a_reference_document_that_is_not_a_docx_is_refused_clearly(project, tmp_path):
    text = tmp_path / "membrete.docx"
    text.write_text("no soy un documento de Word\n", encoding="utf-8")
    odt = tmp_path / "membrete.odt"
    with zipfile.ZipFile(odt, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", "<office:document-content/>")
    for bad, said in ((text, "not a DOCX"), (odt, "an OpenDocument file")):
        result = run("--project", project.root, "build", "--format", "docx",
                     "--reference-doc", bad)
        assert result.exit_code == 1, result.output
        assert said in result.output and "Traceback" not in result.output
        assert "expected a Word document (.docx)" in result.output
    assert not (project.root / "output" / "carta-docx" / DOCX_NAME).exists()
    alone = run("--project", project.root, "build", "--reference-doc", text)
    assert alone.exit_code == 2 and "add --format docx" in alone.output


# Coming back ----------------------------------------------------------------------------------

REVIEWER = "Revisora Ejemplo"


def tracked(tag: str, ident: int, run_element):
    wrapper = docx.oxml.OxmlElement(f"w:{tag}")
    wrapper.set(qn("w:id"), str(ident))
    wrapper.set(qn("w:author"), REVIEWER)
    wrapper.set(qn("w:date"), "2024-03-05T10:00:00Z")
    wrapper.append(run_element)
    return wrapper


def returned_copy(path: Path, target: Path) -> Path:
    """The DOCX as a reviewer sends it back: one tracked insertion, one tracked deletion,
    one comment, and one edit made with tracking off."""
    document = docx.Document(str(path))
    first = body_paragraph(document, "body[1].paragraph")
    inserted = copy.deepcopy(first.runs[0]._r)
    inserted.find(qn("w:t")).text = "Muy "
    first._p.find(qn("w:bookmarkStart")).addnext(tracked("ins", 901, inserted))
    heading = body_paragraph(document, "body[3].heading")
    gone = heading.runs[0]._r
    gone.find(qn("w:t")).tag = qn("w:delText")
    gone.addprevious(tracked("del", 902, copy.deepcopy(gone)))
    gone.getparent().remove(gone)
    demand = body_paragraph(document, "body[5].demands[1].text")
    document.add_comment(demand.runs[0], text="¿Podemos fijar un plazo?", author=REVIEWER,
                         initials="RE")
    for comment in document.part._comments_part.element.iter(qn("w:comment")):
        comment.set(qn("w:date"), "2024-03-06T09:00:00Z")  # python-docx stamps the time now
    plain = body_paragraph(document, "body[4].grievances[1].text")
    plain.runs[0].text = "un tercer agravio grave, que sigue la cuenta."
    document.save(str(target))
    return target


def test_diff_docx_reports_each_change_with_its_field(project, tmp_path):
    back = returned_copy(build_docx(project), tmp_path / "devuelta.docx")
    result = run("--project", project.root, "diff-docx", back, "carta-docx")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "4 changes in 4 places" in lines[0]
    assert "content/letters/carta-docx.yaml" in lines[0]

    def under(field: str) -> list[str]:
        start = lines.index(field) + 1
        end = next((i for i in range(start, len(lines)) if not lines[i].startswith("  ")),
                   len(lines))
        return lines[start:end]

    assert f'  inserted "Muy " by {REVIEWER}, 2024-03-05' in under("body[1].paragraph")
    assert any(line.startswith('  reads now: "Muy Primer párrafo con énfasis y una nota.'
                               '[^nota-a] Ver el informe')
               for line in under("body[1].paragraph"))
    assert f'  deleted "Sección de prueba" by {REVIEWER}, 2024-03-05' in under("body[3].heading")
    assert (f'  comment by {REVIEWER}, 2024-03-06 on "Una demanda ficticia.": ¿Podemos fijar '
            'un plazo?' in under("body[5].demands[1].text"))
    assert any("tercer agravio{+ grave+}, que" in line
               for line in under("body[4].grievances[1].text"))
    # Reading is all it does.
    assert back.read_bytes() == (tmp_path / "devuelta.docx").read_bytes()
    assert "Muy" not in (project.root / "content/letters/carta-docx.yaml").read_text("utf-8")


def test_an_unchanged_copy_has_no_changes(project):
    result = run("--project", project.root, "diff-docx", build_docx(project), "carta-docx")
    assert result.exit_code == 0, result.output
    assert "no changes against the letter's current text" in result.output


def test_a_returned_docx_of_another_letter_is_refused(project, tmp_path):
    path = build_docx(project)
    result = run("--project", project.root, "diff-docx", path, "carta-prueba")
    assert result.exit_code == 1
    assert "is a copy of the letter 'carta-docx', not of 'carta-prueba'" in result.output
    assert "Traceback" not in result.output
    stranger = tmp_path / "ajeno.docx"
    docx.Document().save(str(stranger))
    result = run("--project", project.root, "diff-docx", stranger, "carta-docx")
    assert result.exit_code == 1 and "not a DOCX made by carta" in result.output
    text = tmp_path / "texto.docx"
    text.write_text("hola", encoding="utf-8")
    result = run("--project", project.root, "diff-docx", text, "carta-docx")
    assert result.exit_code == 1 and "not a Word document" in result.output


# LibreOffice ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def office_profile(tmp_path_factory):
    """A LibreOffice profile for these tests, and fontconfig that knows the PDF's fonts (from
    the font packages), so that LibreOffice sets the DOCX in the families its styles name."""
    import font_source_sans_pro
    import font_source_serif_pro

    folder = tmp_path_factory.mktemp("office")
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{font_source_serif_pro.font_directory}</dir>"
        f"<dir>{font_source_sans_pro.font_directory}</dir></fontconfig>", encoding="utf-8")
    return folder


def soffice_convert(source: Path, target: str, profile: Path) -> Path:
    import os

    out = source.parent / f"converted-{target.split(':')[0]}"
    subprocess.run([SOFFICE, f"-env:UserInstallation={(profile / 'user').as_uri()}",
                    "--headless", "--norestore", "--convert-to", target, "--outdir", str(out),
                    str(source)], check=True, capture_output=True, timeout=300,
                   env={**os.environ, "FONTCONFIG_FILE": str(profile / "fonts.conf")})
    return out / f"{source.stem}.{target.split(':')[0]}"


def pdf_pages(path: Path) -> list[str]:
    """Each page's text as poppler reads it, whitespace folded."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


@needs_soffice
def test_the_seed_letters_docx_reads_like_its_pdf_in_libreoffice(seed_copy, office_profile,
                                                                  tmp_path):
    result = run("--project", seed_copy, "build", "--format", "docx", "--format", "pdf",
                 "--locale", "es")
    assert result.exit_code == 0, result.output
    folder = seed_copy / "output" / SEED_ID
    pdf = pdf_pages(folder / f"{SEED_ID}.es.pdf")
    converted = soffice_convert(folder / f"{SEED_ID}.es.docx", "pdf", office_profile)
    pages = pdf_pages(converted)
    assert len(pages) == len(pdf)
    text = " ".join(" ".join(pages).split())
    for expected in ("Núcleo de Organizaciones de la Sociedad Civil", "19 de septiembre de 2017",
                     "Estimado Comité Directivo de la Alianza por el Gobierno Abierto",
                     "1. la falta de respuesta de las contrapartes del STT",
                     "2. la falta de voluntad política",
                     "Actualización de la Vigilancia Ilegal Digital",
                     "3. Solicitamos al Comité Directivo definir e implementar",
                     "Ver https://citizenlab.ca/category/research/targeted-threats",
                     "Atentamente,"):
        assert expected in text, expected
    # No page number on page 1; from page 2, the PDF's continuation line.
    assert "Página" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Página {number} de {len(pages)}" in page
    # The first note is at the foot of page 1, as in the PDF.
    assert "Ver el reporte informe técnico de CitizenLab" in pages[0]
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(converted), str(tmp_path / "page")],
                   check=False)


@needs_soffice
def test_odt_and_a_copy_saved_by_libreoffice(project, office_profile, tmp_path):
    result = run("--project", project.root, "build", "carta-docx", "--format", "odt",
                 "--format", "docx", "--locale", "es")
    assert result.exit_code == 0, result.output
    folder = project.root / "output" / "carta-docx"
    odt = folder / "carta-docx.es.odt"
    with zipfile.ZipFile(odt) as package:
        assert package.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        content = package.read("content.xml").decode("utf-8")
    assert content.count("<text:note ") == 2  # real notes, not text
    text = re.sub(r"<[^>]+>", "", content)
    assert "Nota b ficticia." in text and "un tercer agravio, que sigue la cuenta." in text
    # A reviewer who opens the DOCX in LibreOffice and saves it changes nothing carta sees.
    saved = soffice_convert(folder / DOCX_NAME, "docx:MS Word 2007 XML", office_profile)
    result = run("--project", project.root, "diff-docx", saved, "carta-docx")
    assert result.exit_code == 0, result.output
    assert "no changes against the letter's current text" in result.output


def test_combined_letters_build_docx_per_locale_only(tmp_path):
    root = tmp_path / "parallel"
    shutil.copytree(REPO / "examples" / "parallel-statement", root,
                    ignore=shutil.ignore_patterns("output"))
    result = run("--project", root, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in (root / "output").rglob("*.docx"))
    assert names and not any("+" in name for name in names)


FOLLOW_UP = """\
id: carta-seguimiento
date: 2024-07-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo, organismo-ejemplo-b]
merge: true
follows: carta-prueba
notes: symbols
links: footnote
body:
  - paragraph: Seguimos esperando.[^nota-s] Ver [la carta](https://example.org/carta).
  - paragraph: Solo para el organismo B.
    only_for: [organismo-ejemplo-b]
  - demand_status:
      - id: demanda-a
        status: pending
        note: Sin respuesta.
references:
  - id: nota-s
    text: Una nota con símbolo.
"""


def test_copies_follow_ups_symbols_and_link_notes(sample):
    sample.write("content/recipients.yaml", sample.root.joinpath(
        "content/recipients.yaml").read_text("utf-8") + "organismo-ejemplo-b:\n"
        "  name: Organismo Ejemplo B\n")
    sample.write("content/letters/carta-seguimiento.yaml", FOLLOW_UP)
    result = run("--project", sample.root, "build", "carta-seguimiento", "--format", "docx")
    assert result.exit_code == 0, result.output
    folder = sample.root / "output" / "carta-seguimiento"
    assert sorted(p.name for p in folder.glob("*.docx")) == [
        "carta-seguimiento.organismo-ejemplo-b.es.docx",
        "carta-seguimiento.organismo-ejemplo.es.docx"]
    only_a = docx.Document(str(folder / "carta-seguimiento.organismo-ejemplo.es.docx"))
    path_b = folder / "carta-seguimiento.organismo-ejemplo-b.es.docx"
    only_b = docx.Document(str(path_b))
    assert not any("Solo para" in p.text for p in only_a.paragraphs)
    # The field keeps the block's place in the letter, whichever blocks a copy leaves out.
    assert body_paragraph(only_b, "body[2].paragraph").text == "Solo para el organismo B."
    assert body_paragraph(only_a, "body[3].demand_status[1].note").text.startswith(
        "Una demanda ficticia.")
    status = body_paragraph(only_b, "body[3].demand_status[1].note").text
    assert "Sin respuesta." in status and "Estado: pendiente" in status
    # The letter's own marks: the PDF's symbols; the link's address as a note of its own.
    first = body_paragraph(only_b, "body[1].paragraph")._p
    references = list(first.iter(qn("w:footnoteReference")))
    assert [r.get(qn("w:customMarkFollows")) for r in references] == ["1", "1"]
    assert "Seguimos esperando.*" in "".join(t.text for t in first.iter(qn("w:t")))
    assert sorted(footnotes(path_b).values()) == ["* Una nota con símbolo.",
                                                  "† https://example.org/carta"]
    properties = zipfile.ZipFile(path_b).read("docProps/custom.xml").decode("utf-8")
    assert "organismo-ejemplo-b" in properties
    result = run("--project", sample.root, "diff-docx", path_b, "carta-seguimiento")
    assert result.exit_code == 0 and "no changes" in result.output, result.output
