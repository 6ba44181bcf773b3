"""Withdrawals and late sign-ons: a later letter or follow-up leaves out who withdrew, the
archive keeps what was sent, one who signed after a letter went out is shown on the site as
"also signed since" and carried into the next follow-up, and the site counts signatories over
time. Contacts and consent never reach an output. Every name here is fictional."""

from __future__ import annotations

import hashlib
import json
import re

import docx
import pypdf
import pytest
from click.testing import CliRunner
from pdftext import normalize

from generator.app.cli import cli

LETTER = "content/letters/carta-prueba.yaml"
EXPORT = """\
Marca temporal,Nombre de la organización,Ciudad,País,Correo electrónico,Nombre de quien autoriza
25/02/2024 10:00:00,Organización Ejemplo A,Ciudad Ejemplo,México,a@ejemplo.org,Persona Ficticia Uno
27/02/2024 11:00:00,Red Ejemplo B,Villa Ficticia,Guatemala,b@ejemplo.org,Persona Ficticia Dos
28/02/2024 11:00:00,Colectivo Ejemplo C,Villa Ficticia,Chile,c@ejemplo.org,Persona Ficticia Tres
10/03/2024 11:00:00,Comité Ejemplo D,Pueblo Ejemplo,Perú,d@ejemplo.org,Persona Ficticia Cuatro
"""
PRIVATE = ("@ejemplo.org", "Persona Ficticia")


def run(sample, *args: str):
    return CliRunner().invoke(cli, ["--project", str(sample.root), *args])


def pdf_text(path) -> str:
    return normalize(" ".join(page.extract_text() for page in pypdf.PdfReader(path).pages))


@pytest.fixture
def signed(sample, tmp_path):
    """The sample letter (dated 2024-03-01) with four sign-ons, the last one after its date."""
    export = tmp_path / "firmas.csv"
    export.write_text(EXPORT, encoding="utf-8")
    result = run(sample, "signatories", "import", str(export), "--letter", "carta-prueba",
                 "--tier", "Firmantes")
    assert result.exit_code == 0, result.output
    return sample


def withdraw(sample, ident: str, when: str) -> None:
    path = sample.root / "content/signatories.yaml"
    text = path.read_text("utf-8")
    text = re.sub(rf"(?m)^({ident}:\n)", rf"\1  withdrawn: {{date: {when}, reason: "
                                         "Pidió retirar su firma}\n", text)
    path.write_text(text, encoding="utf-8")


def followup(sample) -> str:
    result = run(sample, "followup", "carta-prueba", "--date", "2024-05-01")
    assert result.exit_code == 0, result.output
    path = next((sample.root / "content/letters").glob("2024-05-01-*.yaml"))
    path.write_text(re.sub(r"\[\[TODO:[^\]]*\]\]", "Texto ficticio.",
                           path.read_text("utf-8")), encoding="utf-8")
    return path.stem


def test_a_late_sign_on_is_not_printed_on_the_letter_it_came_after(signed):
    assert run(signed, "build", "--format", "pdf").exit_code == 0
    text = pdf_text(signed.root / "output/carta-prueba/carta-prueba.es.pdf")
    assert "3 organizaciones firmantes" in text
    for name in ("Organización Ejemplo A", "Red Ejemplo B", "Colectivo Ejemplo C"):
        assert name in text
    assert "Comité Ejemplo D" not in text


def test_check_says_who_signed_after_the_letters_date_and_is_not_printed(signed):
    """A letter still being collected would otherwise lose its newest names without a word."""
    result = run(signed, "check")
    assert result.exit_code == 0, result.output
    said = result.output + (result.stderr or "")
    assert re.search(r"carta-prueba\.yaml:\d+:\d+: signatories: 1 on the list signed after "
                     r"the letter's date \(2024-03-01\) and are not printed on it: "
                     r"'comite-ejemplo-d' \(2024-03-10\)", said), said


def test_a_follow_up_drops_who_withdrew_carries_late_sign_ons_and_the_archive_keeps_what_was_sent(
        signed):
    archived = run(signed, "archive", "carta-prueba")
    assert archived.exit_code == 0, archived.output
    manifest = signed.root / "output/archive/manifest.json"
    first = {entry["path"]: entry["sha256"] for entry in json.loads(manifest.read_text())["files"]}
    pdf = next(path for path in first if path.endswith(".pdf"))
    before = (signed.root / "output/archive" / pdf).read_bytes()
    assert "Red Ejemplo B" in pdf_text(signed.root / "output/archive" / pdf)

    withdraw(signed, "red-ejemplo-b", "2024-04-01")
    later = followup(signed)
    draft = (signed.root / f"content/letters/{later}.yaml").read_text("utf-8")
    assert "red-ejemplo-b" not in draft  # withdrawn before the follow-up's date
    assert "comite-ejemplo-d" in draft  # signed after the first letter: carried
    assert run(signed, "build", later, "--format", "pdf").exit_code == 0
    text = pdf_text(signed.root / f"output/{later}/{later}.es.pdf")
    assert "Red Ejemplo B" not in text
    assert "Comité Ejemplo D" in text and "Organización Ejemplo A" in text

    # The letter as sent is unchanged, in the archive and when built again.
    assert run(signed, "archive").exit_code == 0
    assert (signed.root / "output/archive" / pdf).read_bytes() == before
    assert hashlib.sha256(before).hexdigest() == first[pdf]
    assert run(signed, "build", "carta-prueba", "--format", "pdf", "--force").exit_code == 0
    assert "Red Ejemplo B" in pdf_text(signed.root / "output/carta-prueba/carta-prueba.es.pdf")
    assert run(signed, "verify").exit_code == 0


def test_the_site_counts_signatories_as_sent_withdrawals_since_and_late_sign_ons(signed):
    withdraw(signed, "red-ejemplo-b", "2024-04-01")
    result = run(signed, "site")
    assert result.exit_code == 0, result.output
    page = (signed.root / "output/site/index.html").read_text("utf-8")
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "3 firmantes (1 se ha retirado desde entonces)" in flat
    assert "También firmaron después: Comité Ejemplo D" in flat
    # the count over time: each date with who signed, who withdrew, and the total
    rows = re.findall(r'<tr><th scope="row"><time datetime="([\d-]+)">[^<]*</time></th>'
                      r"<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>", page)
    assert rows == [("2024-02-25", "1", "0", "1"), ("2024-02-27", "1", "0", "2"),
                    ("2024-02-28", "1", "0", "3"), ("2024-03-10", "1", "0", "4"),
                    ("2024-04-01", "0", "1", "3")]
    for private in PRIVATE:
        assert private not in page


def test_the_site_speaks_each_language(signed):
    signed.write("carta.toml", '[project]\nlocales = ["es", "en", "fr"]\n')
    withdraw(signed, "red-ejemplo-b", "2024-04-01")
    assert run(signed, "site", "--allow-untranslated").exit_code == 0
    pages = {path.name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text("utf-8")))
             for path in (signed.root / "output/site").glob("index*.html")}
    joined = " | ".join(pages.values())
    assert "3 signatories (1 since withdrawn)" in joined
    assert "3 signataires (1 s’est retiré depuis)" in joined
    assert "Also signed since: Comité Ejemplo D" in joined
    assert "Ont aussi signé depuis : Comité Ejemplo D" in joined
    raw = "".join(path.read_text("utf-8") for path in (signed.root / "output/site").glob("*.html"))
    assert "depuis\u00a0:" in raw  # French spacing: no line break before the colon


def test_contacts_and_consent_reach_no_output(signed):
    assert run(signed, "build", "--format", "pdf", "--format", "html", "--format",
               "docx").exit_code == 0
    assert run(signed, "site").exit_code == 0
    assert run(signed, "archive", "carta-prueba").exit_code == 0
    outputs = signed.root / "output"
    for path in outputs.rglob("*"):
        if path.is_relative_to(outputs / "archive-private"):
            continue  # the private consent record: the one place they are kept
        if path.suffix == ".pdf":
            reader = pypdf.PdfReader(path)
            found = pdf_text(path) + " ".join(str(v) for v in (reader.metadata or {}).values())
            for _name, data in _attachments(reader):
                found += data.decode("utf-8", "replace")
        elif path.suffix == ".docx":
            found = "\n".join(p.text for p in docx.Document(path).paragraphs) + \
                "\n".join(cell.text for table in docx.Document(path).tables
                          for row in table.rows for cell in row.cells)
        elif path.suffix in (".html", ".json", ".txt", ".yaml"):
            found = path.read_text("utf-8", errors="replace")
        else:
            continue
        for private in PRIVATE:
            assert private not in found, (path, private)
    # The sources embedded in the archived PDF hold the public signatories file only.
    archived = next((outputs / "archive").rglob("*.pdf"))
    names = [name for name, _ in _attachments(pypdf.PdfReader(archived))]
    assert names and not any("private" in name for name in names)


def _attachments(reader: pypdf.PdfReader):
    for name, contents in (reader.attachments or {}).items():
        for data in contents:
            yield name, data


def test_a_withdrawal_that_is_not_a_date_is_named(signed):
    path = signed.root / "content/signatories.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "red-ejemplo-b:\n", "red-ejemplo-b:\n  withdrawn: pronto\n"), encoding="utf-8")
    result = run(signed, "check")
    assert result.exit_code == 1
    assert re.search(r"content/signatories\.yaml:\d+:\d+: red-ejemplo-b\.withdrawn: expected "
                     r"a date as YYYY-MM-DD, found 'pronto'", result.output)


def test_the_archive_keeps_a_private_hash_chained_consent_record_that_verify_checks(signed):
    evidence = signed.write("content/private/evidence/org-a.eml",
                            "From: Persona Ficticia Uno <a@ejemplo.org>\n\nFirmamos.\n")
    private = signed.root / "content/private/signatories.yaml"
    private.write_text(private.read_text("utf-8").replace(
        "organizacion-ejemplo-a:\n", "organizacion-ejemplo-a:\n  authorised_how: email\n"
        "  authorised_on: 2024-02-25\n  evidence: private/evidence/org-a.eml\n"),
        encoding="utf-8")
    archived = run(signed, "archive", "carta-prueba")
    assert archived.exit_code == 0, archived.output
    archive = signed.root / "output/archive"
    record_path = signed.root / "output/archive-private/consent.json"
    record = json.loads(record_path.read_text("utf-8"))
    assert not (archive / "consent.json").exists()  # beside the archive, never in it
    [entry] = record["records"]
    manifest = json.loads((archive / "manifest.json").read_text())["files"]
    assert (entry["path"], entry["pdf_sha256"]) in [(f["path"], f["sha256"]) for f in manifest]
    first = entry["signatories"][0]
    assert first["id"] == "organizacion-ejemplo-a"
    assert first["authorised_by"] == "Persona Ficticia Uno"
    assert first["authorised_how"] == "email" and first["authorised_on"] == "2024-02-25"
    kept = signed.root / "output/archive-private" / first["evidence"]["path"]
    assert kept.read_bytes() == evidence.read_bytes()
    assert [s["id"] for s in entry["signatories"]] == [
        "organizacion-ejemplo-a", "red-ejemplo-b", "colectivo-ejemplo-c"]  # as sent
    verified = run(signed, "verify")
    assert verified.exit_code == 0, verified.output
    assert "consent record: 1 records" in verified.output

    # Archiving again records nothing new; a changed record fails verify.
    assert run(signed, "archive", "carta-prueba").exit_code == 0
    assert len(json.loads(record_path.read_text("utf-8"))["records"]) == 1
    record_path.write_text(record_path.read_text("utf-8").replace(
        "Persona Ficticia Uno", "Otra Persona"), encoding="utf-8")
    tampered = run(signed, "verify")
    assert tampered.exit_code == 1
    assert "archive-private/consent.json" in tampered.output
    assert "head" in tampered.output
