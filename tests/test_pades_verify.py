"""`carta verify` on signed PDFs (issue 27): tampering (a changed byte, an incremental update
adding a page or an annotation, a truncated file), an untrusted or expired signer, a PDF with
no signature: each exit 1 with a sentence saying what; and B-T against a local RFC 3161 server."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from conftest import REPO, SEED_ID
from pades_helpers import (
    SIGNER,
    TimestampServer,
    add_signing,
    issue,
    make_ca,
    write_private,
    write_trust,
)

from generator.app.cli import cli
from generator.core.project import SigningSettings
from generator.delivery.archive.pdf_signature import Credentials, PdfSigner

ARCHIVE = "output/archive"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory) -> bytes:
    """The seed letter's archived Spanish PDF/A, as carta archives it unsigned."""
    root = tmp_path_factory.mktemp("unsigned") / "repo"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "carta.toml", root / "carta.toml")
    assert run("--project", str(root), "archive", "--locale", "es").exit_code == 0
    return (root / ARCHIVE / SEED_ID / f"{SEED_ID}.es.pdf").read_bytes()


def sign(data: bytes, signer, timestamper=None) -> bytes:
    """Signed as carta signs, with credentials that load_credentials would not even accept
    (an expired certificate): what a stranger could send."""
    pdf_signer = PdfSigner(Credentials(signer.key, signer.certificate, (signer.issuer,)),
                           SigningSettings(certificate="-"), timestamper)
    return pdf_signer.sign(pdf_signer.prepare(data))


@pytest.fixture(scope="module")
def signed(unsigned, ca) -> bytes:
    return sign(unsigned, issue(ca))


def verify(tmp_path: Path, data: bytes, trust: Path | None):
    path = tmp_path / "received.pdf"
    path.write_bytes(data)
    return run("verify", *(("--trust", str(trust)) if trust else ()), str(path))


@pytest.fixture
def root(tmp_path, ca) -> Path:
    return write_trust(tmp_path / "root.pem", ca)


def test_a_received_signed_pdf_is_valid_against_its_root(tmp_path, signed, root):
    result = verify(tmp_path, signed, root)
    assert result.exit_code == 0, result.output
    assert (f"signature 'Signature': valid (chain to a trusted root), PAdES B-B, signed by "
            f"{SIGNER}, signing time") in result.output


def test_without_a_trust_root_only_integrity_is_claimed(tmp_path, signed):
    result = verify(tmp_path, signed, None)
    assert result.exit_code == 0, result.output
    assert "valid (integrity only)" in result.output
    assert "were not checked against a trusted root: pass --trust FILE" in result.output


def test_one_byte_changed_in_the_signed_range(tmp_path, signed, root):
    changed = bytearray(signed)
    changed[signed.index(b"stream", len(signed) // 3) + 200] ^= 1
    result = verify(tmp_path, bytes(changed), root)
    assert result.exit_code == 1
    assert ("the signed bytes were changed after signing (the document's digest does not "
            "match the one signed)") in result.output


def incremental(data: bytes, change) -> bytes:
    writer = pypdf.PdfWriter(io.BytesIO(data), incremental=True)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(data)  # the signed bytes stay as they were
    return out.getvalue()


def test_an_incremental_update_adding_a_page_is_named(tmp_path, signed, root):
    result = verify(tmp_path, incremental(signed, lambda w: w.add_blank_page()), root)
    assert result.exit_code == 1
    assert "the PDF was changed after it was signed (an incremental update of" in result.output
    assert "added 1 page(s): 3 signed, 4 now" in result.output


def test_an_incremental_update_adding_an_annotation_is_named(tmp_path, signed, root):
    from pypdf.annotations import Text

    def annotate(writer):
        writer.add_annotation(page_number=0, annotation=Text(rect=(50, 50, 100, 100),
                                                             text="nota añadida"))

    result = verify(tmp_path, incremental(signed, annotate), root)
    assert result.exit_code == 1
    assert "the annotations of page 1 changed (Text)" in result.output


def test_an_incremental_update_changing_an_annotation_is_named(tmp_path, signed, root):
    """A link annotation of the letter given other contents after signing."""
    reader = pypdf.PdfReader(io.BytesIO(signed))
    number = next(i for i, page in enumerate(reader.pages)
                  if any(a.get_object().get("/Subtype") == "/Link"
                         for a in page.get("/Annots", [])))

    def change(writer):
        link = next(a.get_object() for a in writer.pages[number]["/Annots"]
                    if a.get_object().get("/Subtype") == "/Link")
        link[pypdf.generic.NameObject("/Contents")] = pypdf.generic.TextStringObject("otro")

    result = verify(tmp_path, incremental(signed, change), root)
    assert result.exit_code == 1, result.output
    assert f"the annotations of page {number + 1} changed (Link)" in result.output


def test_a_truncated_file(tmp_path, signed, root):
    result = verify(tmp_path, signed[:-2000], root)
    assert result.exit_code == 1
    assert "cannot be read as a PDF (truncated or damaged?)" in result.output


def test_a_signer_the_trust_root_did_not_issue(tmp_path, unsigned, root):
    stranger = issue(make_ca("Autoridad Desconocida Ejemplo"), "Organización Ejemplo B")
    result = verify(tmp_path, sign(unsigned, stranger), root)
    assert result.exit_code == 1
    assert ("Organización Ejemplo B's certificate does not lead to any trusted root"
            in result.output)
    assert "the signature is intact, but nothing says who made it" in result.output


def test_an_expired_certificate(tmp_path, unsigned, ca, root):
    expired = issue(ca, days=(-60, -1))
    result = verify(tmp_path, sign(unsigned, expired), root)
    assert result.exit_code == 1
    assert f"{SIGNER}'s certificate expired on" in result.output


def test_a_pdf_without_any_signature(tmp_path, unsigned, root):
    result = verify(tmp_path, unsigned, root)
    assert result.exit_code == 1
    assert "carries no signature: nothing proves who made it" in result.output


def test_a_tampered_archived_copy_is_reported(seed_copy, ca, tmp_path):
    signer = issue(ca)
    keys = tmp_path / "keys"
    write_private(keys / "signer.p12", signer.pkcs12(None))
    trust = write_trust(keys / "root.pem", ca)
    add_signing(seed_copy, f'certificate = "{keys / "signer.p12"}"\ntrust = "{trust}"\n')
    assert run("--project", str(seed_copy), "archive", "--locale", "es").exit_code == 0
    pdf = seed_copy / ARCHIVE / SEED_ID / f"{SEED_ID}.es.pdf"
    pdf.write_bytes(incremental(pdf.read_bytes(), lambda w: w.add_blank_page()))
    result = run("--project", str(seed_copy), "verify")
    assert result.exit_code == 1
    assert f"{SEED_ID}/{SEED_ID}.es.pdf: altered: expected" in result.output
    # The same copy received back, on its own: the signature names the change.
    alone = run("verify", "--trust", str(trust), str(pdf))
    assert alone.exit_code == 1
    assert "added 1 page(s)" in alone.output


def test_b_t_with_a_local_timestamp_authority(seed_copy, ca, tmp_path):
    """B-T: the signature carries a timestamp token from an RFC 3161 server on 127.0.0.1."""
    signer, tsa = issue(ca), issue(ca, "Sellado de Tiempo Ejemplo", timestamping=True)
    keys = tmp_path / "keys"
    write_private(keys / "signer.key", signer.key_pem())
    write_private(keys / "signer.pem", signer.pem(), 0o644)
    trust = write_trust(keys / "root.pem", ca)
    with TimestampServer(tsa) as server:
        add_signing(seed_copy, f'key = "{keys / "signer.key"}"\ncertificate = '
                               f'"{keys / "signer.pem"}"\ntrust = "{trust}"\n'
                               f'timestamp_url = "{server.url}"\n')
        result = run("--project", str(seed_copy), "archive")
        assert result.exit_code == 0, result.output
        assert "PAdES B-T" in result.output
        assert server.requests >= 2  # a token per signed PDF (pyHanko also asks once to size it)
    result = run("--project", str(seed_copy), "verify")
    assert result.exit_code == 0, result.output
    assert result.output.count("PAdES B-T, signed by Organización Ejemplo A, timestamped") == 2
    entries = json.loads((seed_copy / ARCHIVE / "manifest.json").read_text())["files"]
    assert len(entries) == 2


def test_b_t_with_an_authority_that_does_not_answer(seed_copy, ca, tmp_path):
    signer = issue(ca)
    keys = tmp_path / "keys"
    write_private(keys / "signer.p12", signer.pkcs12(None))
    add_signing(seed_copy, f'certificate = "{keys / "signer.p12"}"\n'
                           'timestamp_url = "http://127.0.0.1:9/tsa"\n')
    result = run("--project", str(seed_copy), "archive")
    assert result.exit_code == 1
    assert "the timestamp authority at http://127.0.0.1:9/tsa did not answer" in result.output
    assert not (seed_copy / ARCHIVE / "manifest.json").exists()  # nothing archived
