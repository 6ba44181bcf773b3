"""Letters of other shapes than the seed: a joint statement with no addressee, an open letter
with a headline, demands addressed to different bodies, a postscript, a cc block, named
signers. Read off the PDF (text, order, title) and the HTML structure."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from pdftext import normalize

from generator.app.cli import cli

LETTER_FILE = "content/letters/carta-prueba.yaml"

STATEMENT = """\
id: carta-prueba
date: 2024-03-01
language: es
sender: coalicion-ejemplo
title: "Declaración conjunta: el agua no se vende"
letterhead: false
salutation: false
closing: false
signer: false
body:
  - paragraph: Las organizaciones firmantes de esta declaración ficticia exigen lo siguiente.
  - demands:
      - id: demanda-a
        text: Una demanda ficticia al gobierno.
      - id: demanda-b
        text: Otra demanda ficticia al gobierno.
    to: Al Gobierno Ejemplo
  - demands:
      - id: demanda-c
        text: Una demanda ficticia a los organismos.
    to: organismo-ejemplo
"""


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


def built(sample, *args: str) -> tuple[str, str, pypdf.PdfReader]:
    result = run(sample.root, "build", *args)
    assert result.exit_code == 0, result.output
    folder = sample.root / "output/carta-prueba"
    html = (folder / "carta-prueba.es.html").read_text("utf-8")
    pdf_path = folder / "carta-prueba.es.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return html, text, pypdf.PdfReader(pdf_path)


def test_a_joint_statement_prints_only_what_was_written(sample):
    sample.write(LETTER_FILE, STATEMENT)
    html, text, pdf = built(sample)
    # The headline is the first text on page 1, the PDF's title and the HTML's h1 and title.
    first_line = next(line.strip() for line in text.splitlines() if line.strip())
    assert first_line == "Declaración conjunta: el agua no se vende"
    assert pdf.metadata.title == "Declaración conjunta: el agua no se vende"
    assert '<h1 class="headline">Declaración conjunta: el agua no se vende</h1>' in html
    assert "<title>Declaración conjunta: el agua no se vende</title>" in html
    # Nothing nobody wrote: no letterhead, salutation, closing or signer.
    for absent in ("A quien corresponda", "Atentamente", 'class="letterhead"',
                   'class="salutation"', 'class="signature"', 'class="recipients"'):
        assert absent not in html and absent not in text, absent
    assert "Coalición Ejemplo" not in text


def test_lists_addressed_to_different_bodies_number_alike_on_paper_and_screen(sample):
    sample.write(LETTER_FILE, STATEMENT)
    html, text, _ = built(sample)
    # The second list continues at 3 in both; its lead-in names the recipient in the locale.
    assert re.search(r'<ol class="demands" start="3" style="counter-reset: list-item 2">',
                     html)
    assert re.search(r"^\s*3\.\s+Una demanda ficticia a los organismos\.", text, re.M), text
    assert '<p class="list-to">Al Gobierno Ejemplo</p>' in html
    assert '<p class="list-to">Organismo Ejemplo A</p>' in html
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lead = lines.index("Organismo Ejemplo A")
    assert lines[lead + 1].startswith("3.")  # kept with its list, never hyphenated

    sample.replace(LETTER_FILE, "    to: organismo-ejemplo", "    to: organismo-ejemplo\n"
                   "    numbering: restart")
    html, text, _ = built(sample)
    assert '<ol class="demands" start="1">' in html.split("Organismo Ejemplo A")[1]
    assert re.search(r"^\s*1\.\s+Una demanda ficticia a los organismos\.", text, re.M), text


def test_without_recipients_or_subject_the_title_has_no_empty_part(sample):
    sample.replace(LETTER_FILE, "recipients: [organismo-ejemplo]\n", "")
    html, _, pdf = built(sample)
    assert pdf.metadata.title == "Coalición Ejemplo — 1 de marzo de 2024"
    assert "<title>Coalición Ejemplo — 1 de marzo de 2024</title>" in html
    assert 'class="salutation"' not in html  # no one addressed: no default salutation


OPEN_LETTER = """\
id: carta-prueba
date: 2024-03-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
cc: [persona-copia]
title: "Carta abierta al Organismo Ejemplo A"
address_label: "A:"
salutation: "Estimadas y estimados integrantes:"
closing: "Con un saludo solidario,"
signers:
  - name: Persona Ejemplo C
    role: {es: Coordinadora, en: Coordinator}
body:
  - paragraph: Un párrafo ficticio de la carta abierta.
signatories: [org-a, org-b]
postscript:
  - paragraph: "Para sumar su organización, escriba a firmas@example.org."
"""

RECIPIENTS = """\
organismo-ejemplo:
  name: {es: Organismo Ejemplo A, en: Example Body A}
persona-copia:
  name: Persona Ejemplo D
  role: {es: Directora de Relaciones, en: Director of Relations}
  organization: Empresa Ejemplo E
"""

SIGNATORIES = """\
org-a:
  kind: organization
  name: Organización Ejemplo A
org-b:
  kind: organization
  name: Organización Ejemplo B
"""


def test_an_open_letter_with_label_signers_cc_and_postscript(sample):
    sample.write("content/recipients.yaml", RECIPIENTS)
    sample.write("content/signatories.yaml", SIGNATORIES)
    sample.write(LETTER_FILE, OPEN_LETTER)
    html, text, _ = built(sample)
    words = normalize(" ".join(text.split()))  # pdftotext, in reading order
    order = ["Carta abierta al Organismo Ejemplo A", "A:", "Organismo Ejemplo A",
             "Estimadas y estimados integrantes:", "Un párrafo ficticio",
             "Con un saludo solidario,", "Coalición Ejemplo", "Persona Ejemplo C",
             "Coordinadora", "c.c.p.", "Persona Ejemplo D, Directora de Relaciones, "
             "Empresa Ejemplo E", "Organización Ejemplo B", "Para sumar su organización"]
    position = 0
    for part in order:  # each part found after the one before
        found = words.find(normalize(part), position)
        assert found >= 0, (part, words[position:position + 200])
        position = found + len(normalize(part))
    assert "A quien corresponda" not in words and "Atentamente" not in words
    # The cc names are never hyphenated.
    assert "hyphens: manual" in html.split(".cc li {")[1].split("}")[0]


def test_the_addressee_of_a_carried_demand_reaches_the_tracker(sample):
    sample.write(LETTER_FILE, STATEMENT)
    sample.write("content/letters/carta-seguimiento.yaml", """\
        id: carta-seguimiento
        date: 2024-06-01
        sender: coalicion-ejemplo
        follows: carta-prueba
        body:
          - demand_status:
              - id: demanda-c
                status: pending
        """)
    result = run(sample.root, "site")
    assert result.exit_code == 0, result.output
    page = (sample.root / "output/site/index.html").read_text("utf-8")
    row = page.split("Una demanda ficticia a los organismos.")[1].split("</th>")[0]
    assert '<span class="to">dirigida a Organismo Ejemplo A</span>' in row, row


@pytest.mark.parametrize("change, message", [
    (("salutation: false", "salutation: true"),
     "carta-prueba.yaml:7:1: salutation: expected a text, or false for no salutation, found true"),
    (("    to: organismo-ejemplo", "    numbring: restart"),
     "body[3].numbring: unknown option of a demands block; expected only_for, to, numbering; "
     "did you mean 'numbering'?"),
    (("    to: organismo-ejemplo", "    numbering: again"),
     "body[3].numbering: expected one of continue, restart, found 'again'"),
    (("letterhead: false", "letterhead: no-thanks"),
     "letterhead: expected true or false, found 'no-thanks'"),
    (("signer: false", "notes: roman"),
     "notes: expected one of numeric, symbols, brackets, found 'roman'"),
])
def test_the_shape_options_are_checked_where_they_are_written(sample, change, message):
    sample.write(LETTER_FILE, STATEMENT)
    sample.replace(LETTER_FILE, *change)
    result = run(sample.root, "check")
    assert result.exit_code == 1
    assert message in result.output, result.output
