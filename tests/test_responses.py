"""Replies received and scanned letters: content/responses/, `carta response add`, OCR,
`carta import-scan`, and their place in the campaign (tracker, follow-ups) and the archive.

Every organisation, person and event here is fictional."""

from __future__ import annotations

import datetime
import json
import shutil
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pikepdf
import pypdf
import pytest
from click.testing import CliRunner

from generator.app.cli import cli

LETTER = """\
id: carta-inicial
date: 2024-03-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
body:
  - paragraph: Primer párrafo de la Coalición Ejemplo.
  - demands:
      - id: publicar-calendario
        text: Que se publique un calendario de trabajo.
      - id: abrir-mesa
        text: Que se abra una mesa de diálogo.
"""
RECIPIENTS = """\
organismo-ejemplo:
  name: {es: Organismo Ejemplo A, en: Example Body A}
  email: secretaria@example.org
otro-organismo:
  name: {es: Organismo Ejemplo B, en: Example Body B}
"""
REPLY_ID = "2024-04-10-respuesta-organismo-ejemplo"
REPLY = f"""\
id: {REPLY_ID}
date: 2024-04-10
from: organismo-ejemplo
replies_to: carta-inicial
language: es
document: responses/{REPLY_ID}.pdf
summary: El Organismo Ejemplo A se compromete a publicar el calendario en mayo.
demands:
  - id: publicar-calendario
    status: met
    note: El calendario ficticio ya está publicado.
    quote: nos comprometemos a publicar el calendario
    page: 1
  - id: abrir-mesa
    status: partially-met
    note: Propone una reunión, sin fecha.
"""
OCR_MISSING = "the ocrmypdf command is not installed (Debian: apt-get install ocrmypdf " \
              "tesseract-ocr-spa); OCR cannot be tested here"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


@pytest.fixture
def project(sample):
    sample.write("content/recipients.yaml", RECIPIENTS)
    # Not the shared sample's carta-prueba: its archive identifier holds a CR byte, which
    # the archive's PDF does not keep (a known problem of its own, outside these tests).
    (sample.root / "content/letters/carta-prueba.yaml").unlink()
    sample.write("content/letters/carta-inicial.yaml", LETTER)
    return sample


def pdf_with_text(path: Path, text: str, author: str | None = None,
                  created: str | None = None) -> Path:
    """A small PDF with a text layer, as a body's office would send it."""
    import weasyprint

    meta = "".join(f'<meta name="{name}" content="{value}">' for name, value in
                   (("author", author), ("dcterms.created", created)) if value)
    html = f"<html lang='es'><head>{meta}</head><body><p>{text}</p></body></html>"
    path.parent.mkdir(parents=True, exist_ok=True)
    weasyprint.HTML(string=html).write_pdf(path)
    return path


def scanned_pdf(path: Path, lines: list[str]) -> Path:
    """A page rendered, then rasterized: a PDF of one image and no text, like a scan."""
    import pypdfium2
    import weasyprint

    body = "".join(f"<p>{line}</p>" for line in lines)
    rendered = weasyprint.HTML(string=f"<html lang='es'><body style='font-size: 14pt'>{body}"
                                      "</body></html>").write_pdf()
    page = pypdfium2.PdfDocument(rendered)[0]
    image = page.render(scale=150 / 72).to_pil().convert("L")  # 150 dpi keeps OCR quick
    image.save(path, "PDF", resolution=150.0)
    return path


def eml_with_pdf(path: Path, attachment: Path) -> Path:
    message = EmailMessage()
    message["From"] = "Secretaría Ejemplo <Secretaria@example.org>"
    message["To"] = "coalicion@example.org"
    message["Subject"] = "Respuesta a su carta"
    message["Date"] = format_datetime(datetime.datetime(2024, 4, 12, 9, 30,
                                                        tzinfo=datetime.UTC))
    message.set_content("Estimada Coalición Ejemplo: adjuntamos nuestra respuesta ficticia.")
    message.add_attachment(attachment.read_bytes(), maintype="application", subtype="pdf",
                           filename="respuesta.pdf")
    path.write_bytes(bytes(message))
    return path


def write_reply(project, text: str = REPLY) -> None:
    pdf_with_text(project.root / f"content/responses/{REPLY_ID}.pdf",
                  "Respuesta ficticia: nos comprometemos a publicar el calendario.")
    project.write(f"content/responses/{REPLY_ID}.yaml", text)


# Validation ------------------------------------------------------------------------------

def test_problems_in_a_reply_are_located_with_what_was_expected(project):
    pdf_with_text(project.root / "content/responses/doc.pdf", "Texto ficticio.")
    project.write("content/responses/respuesta-a.yaml", """\
        id: respuesta-a
        date: 2024-04-10
        from: organismo-ejempla
        replies_to: carta-inicia
        summary: Resumen ficticio.
        document: responses/no-existe.pdf
        """)
    project.write("content/responses/respuesta-b.yaml", """\
        id: respuesta-b
        date: 2024-02-01
        from: organismo-ejemplo
        replies_to: carta-inicial
        summary: "[[TODO: what the reply says]]"
        document: responses/doc.pdf
        demands:
          - id: publicar-calendaria
            status: met
          - id: abrir-mesa
            status: hecho
            page: 2
        """)
    result = run(project.root, "check")
    assert result.exit_code == 1
    out = result.output
    reply_a = "content/responses/respuesta-a.yaml"
    reply_b = "content/responses/respuesta-b.yaml"
    assert f"{reply_a}:3:1: from: unknown recipient 'organismo-ejempla'; expected the id of " \
        "who answered, from content/recipients.yaml (organismo-ejemplo, otro-organismo); did " \
        "you mean 'organismo-ejemplo'?" in out
    assert f"{reply_a}:4:1: replies_to: unknown letter 'carta-inicia'; expected the id of the " \
        "letter this replies to, from content/letters (carta-inicial); did you mean " \
        "'carta-inicial'?" in out
    assert f"{reply_a}:6:1: document: expected a .pdf or .eml file relative to content/, " \
        "found no such file at 'content/responses/no-existe.pdf'" in out
    assert f"{reply_b}:2:1: date: expected a date on or after 2024-03-01, the date of the " \
        "letter it replies to (carta-inicial), found 2024-02-01" in out
    assert f"{reply_b}:5:1: summary: placeholder not filled yet: [[TODO: what the reply " \
        "says]]" in out
    assert f"{reply_b}:8:5: demands[1].id: unknown demand 'publicar-calendaria'; expected a " \
        "demand raised by the letter this replies to or one it follows (publicar-calendario, " \
        "abrir-mesa); did you mean 'publicar-calendario'?" in out
    assert f"{reply_b}:11:5: demands[2].status: expected one of pending, partially-met, met, " \
        "rejected, withdrawn, found 'hecho'" in out
    assert f"{reply_b}:12:5: demands[2].page: a page without a quote" in out


def test_a_letter_cites_only_a_known_reply_to_a_letter_it_follows(project):
    write_reply(project)
    project.write("content/letters/carta-b.yaml", """\
        id: carta-b
        date: 2024-05-01
        sender: coalicion-ejemplo
        recipients: [organismo-ejemplo]
        body:
          - response_summary: 2024-04-10-respuesta-organismo
          - response_summary: 2024-04-10-respuesta-organismo-ejemplo
        """)
    result = run(project.root, "check")
    assert result.exit_code == 1
    assert "content/letters/carta-b.yaml:6:5: body[1].response_summary: unknown reply " \
        "'2024-04-10-respuesta-organismo'" in result.output
    assert "did you mean '2024-04-10-respuesta-organismo-ejemplo'?" in result.output
    assert "content/letters/carta-b.yaml:7:5: body[2].response_summary: the reply " \
        f"'{REPLY_ID}' answers 'carta-inicial', which is not a letter this one follows" \
        in result.output


# carta response add ----------------------------------------------------------------------

def test_response_add_from_a_pdf_reads_date_sender_and_text_and_never_overwrites(project,
                                                                                 tmp_path):
    received = pdf_with_text(tmp_path / "in/respuesta.pdf",
                             "Respuesta ficticia del Organismo Ejemplo A.",
                             author="Organismo Ejemplo A", created="2024-04-10")
    result = run(project.root, "response", "add", str(received), "--replies-to", "carta-inicial")
    assert result.exit_code == 0, result.output
    folder = project.root / "content/responses"
    stub = (folder / f"{REPLY_ID}.yaml").read_text("utf-8")
    assert "date: 2024-04-10  # from the PDF's creation date: check it" in stub
    assert "from: organismo-ejemplo  # matched from the PDF's author: check it" in stub
    assert f"document: responses/{REPLY_ID}.pdf" in stub
    assert "  - id: publicar-calendario\n    status: pending" in stub
    assert (folder / f"{REPLY_ID}.pdf").read_bytes() == received.read_bytes()
    text = (folder / f"{REPLY_ID}.txt").read_text("utf-8")
    assert "[page 1]\nRespuesta ficticia del Organismo Ejemplo A." in text

    # The stub's placeholders keep `carta check` from passing, each with its place.
    check = run(project.root, "check")
    assert check.exit_code == 1
    assert f"content/responses/{REPLY_ID}.yaml:11:1: summary: placeholder not filled yet" \
        in check.output

    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    again = run(project.root, "response", "add", str(received), "--replies-to", "carta-inicial")
    assert again.exit_code == 1
    assert "already exist" in again.output and "nothing was changed" in again.output
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_response_add_from_an_eml_reads_its_headers_and_its_attachment(project, tmp_path):
    attached = pdf_with_text(tmp_path / "adjunto.pdf", "Texto ficticio del anexo adjunto.")
    received = eml_with_pdf(tmp_path / "respuesta.eml", attached)
    result = run(project.root, "response", "add", str(received), "--replies-to", "carta-inicial",
                 "--id", "respuesta-por-correo")
    assert result.exit_code == 0, result.output
    folder = project.root / "content/responses"
    stub = (folder / "respuesta-por-correo.yaml").read_text("utf-8")
    assert "date: 2024-04-12  # from the e-mail's Date header: check it" in stub
    assert "from: organismo-ejemplo  # matched from the e-mail's From header" in stub
    assert (folder / "respuesta-por-correo.eml").read_bytes() == received.read_bytes()
    text = (folder / "respuesta-por-correo.txt").read_text("utf-8")
    assert "[message: Respuesta a su carta]\nEstimada Coalición Ejemplo: adjuntamos" in text
    assert "[attachment respuesta.pdf, page 1]\nTexto ficticio del anexo adjunto." in text


def test_response_add_refuses_an_unknown_letter_or_sender(project, tmp_path):
    received = pdf_with_text(tmp_path / "respuesta.pdf", "Texto ficticio.")
    unknown = run(project.root, "response", "add", str(received), "--replies-to", "carta-x")
    assert unknown.exit_code == 1
    assert "--replies-to 'carta-x': no valid letter of that id; expected one of: " \
        "carta-inicial" in unknown.output
    sender = run(project.root, "response", "add", str(received), "--replies-to",
                 "carta-inicial", "--from", "nadie")
    assert sender.exit_code == 1 and "--from 'nadie': unknown recipient" in sender.output
    assert not (project.root / "content/responses").exists()


# OCR ---------------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("ocrmypdf") is None, reason=OCR_MISSING)
def test_ocr_keeps_a_searchable_pdfa_beside_the_scan(project, tmp_path):
    scan = scanned_pdf(tmp_path / "escaneo.pdf", [
        "Organismo Ejemplo A", "Nos comprometemos a publicar el calendario de trabajo."])
    assert not pypdf.PdfReader(scan).pages[0].extract_text().strip()  # no text: a scan
    result = run(project.root, "response", "add", str(scan), "--replies-to", "carta-inicial",
                 "--from", "organismo-ejemplo", "--date", "2024-04-10", "--ocr")
    assert result.exit_code == 0, result.output
    assert "OCR text has errors" in result.output
    folder = project.root / "content/responses"
    searchable = folder / f"{REPLY_ID}.ocr.pdf"
    with pikepdf.open(searchable) as pdf, pdf.open_metadata() as xmp:
        assert (xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")) == ("2", "B")
    words = pypdf.PdfReader(searchable).pages[0].extract_text()
    assert "calendario" in words and "Organismo" in words, words
    assert (folder / f"{REPLY_ID}.pdf").read_bytes() == scan.read_bytes()  # kept as it came
    text = (folder / f"{REPLY_ID}.txt").read_text("utf-8")
    assert "read by OCR (Tesseract, language spa). OCR text has errors" in text
    assert "calendario" in text
    assert f"searchable: responses/{REPLY_ID}.ocr.pdf" in \
        (folder / f"{REPLY_ID}.yaml").read_text("utf-8")


@pytest.mark.skipif(shutil.which("ocrmypdf") is None, reason=OCR_MISSING)
def test_an_imported_scan_is_a_letter_to_follow_and_is_archived_as_its_scan(project,
                                                                            tmp_path):
    scan = scanned_pdf(tmp_path / "carta-2023.pdf", [
        "Coalición Ejemplo", "Pedimos que se publique el informe anual ficticio."])
    result = run(project.root, "import-scan", str(scan), "--date", "2023-06-01",
                 "--id", "carta-historica", "--to", "organismo-ejemplo")
    assert result.exit_code == 0, result.output
    stub_path = project.root / "content/letters/carta-historica.yaml"
    stub = stub_path.read_text("utf-8")
    assert "sender: coalicion-ejemplo" in stub  # the only sender
    assert "it has errors and is NOT" in stub
    assert "informe" in (project.root / "content/scans/carta-historica.txt").read_text("utf-8")
    check = run(project.root, "check", "carta-historica")
    assert check.exit_code == 1 and "placeholder not filled yet" in check.output

    # A person types the record's title, summary and the demands, from the scan.
    stub = stub.replace('"[[TODO: the letter\'s subject, as on the scan]]"', "Informe anual")
    stub = stub.replace('"[[TODO: what the letter said, in a sentence or two]]"',
                        "Pedía el informe anual.")
    stub += "  - demands:\n      - id: informe-anual\n" \
            "        text: Que se publique el informe anual.\n"
    stub_path.write_text(stub, "utf-8")
    assert run(project.root, "check", "carta-historica").exit_code == 0

    followed = run(project.root, "followup", "carta-historica", "--date", "2023-09-01")
    assert followed.exit_code == 0, followed.output
    assert "(1 demands carried)" in followed.output

    archived = run(project.root, "archive", "carta-historica")
    assert archived.exit_code == 0, archived.output
    entries = json.loads((project.root / "output/archive/manifest.json").read_text())["files"]
    assert {(entry["kind"], entry["path"], entry["pdf_variant"]) for entry in entries} == {
        ("scan", "scans/carta-historica/carta-historica.pdf", "none"),
        ("scan", "scans/carta-historica/carta-historica.ocr.pdf", "pdf/a-2b")}
    verified = run(project.root, "verify")
    assert verified.exit_code == 0, verified.output


# The campaign ------------------------------------------------------------------------------

def test_a_reply_sets_statuses_in_the_followup_the_letter_and_the_tracker(project):
    write_reply(project)
    drafted = run(project.root, "followup", "carta-inicial", "--date", "2024-05-01")
    assert drafted.exit_code == 0, drafted.output
    # Met by the reply: not carried; partially met by it: carried so, saying why.
    assert "(1 demands carried)" in drafted.output
    path = project.root / "content/letters/2024-05-01-seguimiento.yaml"
    draft = path.read_text("utf-8")
    assert "publicar-calendario" not in draft
    assert "      - id: abrir-mesa\n        status: partially-met  # pending, partially-met, " \
        f"met, rejected, withdrawn (set by the reply {REPLY_ID})" in draft
    assert f"  - response_summary: {REPLY_ID}" in draft
    path.write_text(draft.replace("[[TODO: why you write again, and what happened since your "
                                  "last letter]]", "Escribimos de nuevo.")
                    .replace("[[TODO: what you ask now]]", "Pedimos una fecha."), "utf-8")

    built = run(project.root, "build", "2024-05-01-seguimiento")
    assert built.exit_code == 0, built.output
    html = (project.root / "output/2024-05-01-seguimiento/2024-05-01-seguimiento.es.html"
            ).read_text("utf-8")
    assert '<p class="reply-summary">El Organismo Ejemplo A se compromete a publicar el ' \
        "calendario en mayo.</p>" in html
    assert "10 de abril de 2024" in html and "1 de marzo de 2024" in html
    assert '<blockquote class="reply-quote" lang="es-ES">\n' in html  # CLDR's region
    assert "<p>nos comprometemos a publicar el calendario</p>" in html

    site = run(project.root, "site", "--jobs", "1")
    assert site.exit_code == 0, site.output
    page = (project.root / "output/site/index.html").read_text("utf-8")
    assert f'<th scope="col" class="reply" id="reply-{REPLY_ID}">' in page
    assert "Organismo Ejemplo A</th>" in page
    assert '<td class="reply"><span class="status" data-status="met" data-set-by="reply">' \
        in page
    assert "El calendario ficticio ya está publicado." in page
    # Met by the reply: of the two requests, one is still open.
    assert "<dt>Peticiones</dt><dd>2</dd>" in page
    assert "<dt>Sin atender</dt><dd>1</dd>" in page


def test_a_replys_summary_and_notes_translate_and_carry_into_the_followup(project):
    project.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    write_reply(project)
    updated = run(project.root, "i18n", "update")
    assert updated.exit_code == 0, updated.output
    po = project.root / f"content/locale/en/LC_MESSAGES/{REPLY_ID}.po"
    text = po.read_text("utf-8")
    assert 'msgctxt "response-summary"\nmsgid "El Organismo Ejemplo A se compromete a ' \
        'publicar el calendario en mayo."\nmsgstr ""' in text
    assert 'msgctxt "status-note:abrir-mesa"' in text
    po.write_text(text.replace(
        'en mayo."\nmsgstr ""', 'en mayo."\nmsgstr "Example Body A commits to publishing the '
        'calendar in May."'), "utf-8")
    assert run(project.root, "followup", "carta-inicial", "--date", "2024-05-01").exit_code == 0
    catalog = (project.root / "content/locale/en/LC_MESSAGES/2024-05-01-seguimiento.po"
               ).read_text("utf-8")
    assert 'msgstr "Example Body A commits to publishing the calendar in May."' in catalog


# The archive -------------------------------------------------------------------------------

def test_received_documents_are_archived_as_they_came_and_verify(project, tmp_path):
    write_reply(project)
    eml_with_pdf(project.root / "content/responses/respuesta-correo.eml",
                 pdf_with_text(tmp_path / "anexo.pdf", "Anexo ficticio."))
    project.write("content/responses/respuesta-correo.yaml", """\
        id: respuesta-correo
        date: 2024-04-12
        from: organismo-ejemplo
        replies_to: carta-inicial
        summary: Acuse de recibo ficticio.
        document: responses/respuesta-correo.eml
        """)
    archived = run(project.root, "archive")
    assert archived.exit_code == 0, archived.output
    folder = project.root / "output/archive"
    entries = json.loads((folder / "manifest.json").read_text())["files"]
    received = [entry for entry in entries if entry.get("kind") == "received"]
    assert [(entry["path"], entry["letter"], entry["pdf_variant"], entry["sources"])
            for entry in received] == [
        (f"received/{REPLY_ID}/{REPLY_ID}.pdf", REPLY_ID, "none", []),
        ("received/respuesta-correo/respuesta-correo.eml", "respuesta-correo", "none", [])]
    original = project.root / f"content/responses/{REPLY_ID}.pdf"
    assert (folder / received[0]["path"]).read_bytes() == original.read_bytes()
    assert "kind" not in next(e for e in entries if e["letter"] == "carta-inicial")
    verified = run(project.root, "verify")
    assert verified.exit_code == 0, verified.output

    again = run(project.root, "archive")
    assert again.exit_code == 0 and "nothing to do" in again.output

    copy = tmp_path / "copia"
    shutil.copytree(folder, copy)
    (copy / received[0]["path"]).write_bytes(original.read_bytes() + b"\n%alterado")
    broken = run(project.root, "verify", str(copy))
    assert broken.exit_code == 1
    assert f"received/{REPLY_ID}/{REPLY_ID}.pdf: altered" in broken.output
