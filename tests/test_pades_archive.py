"""Signed archives (issue 27): `carta archive` signs each letter's PDF/A (PAdES) as its last
step; the signed file stays PDF/A-3u and PDF/UA-1 with the same XMP, keeps its sources, and the
manifest's hashes cover the signed bytes. `carta verify` validates the signatures."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import SEED_ID
from pades_helpers import SIGNER, add_signing, issue, make_ca, write_private, write_trust

from generator.app.cli import cli
from generator.outputs.pdfua_check import problems as pdfua_problems

ARCHIVE = "output/archive"
SEED_FILE = f"content/letters/{SEED_ID}.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def entries(project: Path) -> list[dict]:
    return json.loads((project / ARCHIVE / "manifest.json").read_text())["files"]


@pytest.fixture(scope="module")
def authority():
    ca = make_ca()
    return ca, issue(ca)


def configure(project: Path, authority, extra: str = "") -> Path:
    ca, signer = authority
    keys = project.parent / "keys"
    write_private(keys / "signer.key", signer.key_pem())
    write_private(keys / "signer.pem", signer.pem(), 0o644)
    trust = write_trust(keys / "root.pem", ca)
    add_signing(project, f'key = "{keys / "signer.key"}"\ncertificate = "{keys / "signer.pem"}"\n'
                         f'trust = "{trust}"\nreason = "Carta enviada al Comité"\n'
                         f'location = "Ciudad Ejemplo"\n{extra}')
    return trust


@pytest.fixture
def signed(seed_copy, authority) -> Path:
    configure(seed_copy, authority)
    result = run("--project", str(seed_copy), "archive")
    assert result.exit_code == 0, result.output
    assert f"signed 2 PDF(s), PAdES B-B, with the certificate of {SIGNER}" in result.output
    return seed_copy


def test_the_seed_letters_archived_pdfs_are_signed_and_verified(signed):
    result = run("--project", str(signed), "verify")
    assert result.exit_code == 0, result.output
    for locale in ("es", "en"):
        assert (f"{SEED_ID}/{SEED_ID}.{locale}.pdf: signature 'Signature': valid (chain to a "
                f"trusted root), PAdES B-B, signed by {SIGNER}") in result.output
    # A received copy on its own, against the same root.
    pdf = signed / ARCHIVE / entries(signed)[0]["path"]
    alone = run("verify", "--trust", str(signed.parent / "keys/root.pem"), str(pdf))
    assert alone.exit_code == 0, alone.output
    assert "every signature valid" in alone.output


def test_the_signature_is_pades_with_the_settings_and_covers_the_whole_file(signed):
    for entry in entries(signed):
        data = (signed / ARCHIVE / entry["path"]).read_bytes()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            field = pdf.Root.AcroForm.Fields[0]
            value = field.V
            assert value.SubFilter == "/ETSI.CAdES.detached"  # PAdES, not adbe.pkcs7
            assert str(value.Reason) == "Carta enviada al Comité"
            assert str(value.Location) == "Ciudad Ejemplo"
            start, first, second, rest = (int(x) for x in value.ByteRange)
            assert start == 0 and second + rest == len(data)  # nothing after the signature
            assert int(pdf.Root.AcroForm.SigFlags) == 3


def test_signing_keeps_pdfa_pdfua_the_xmp_the_version_and_the_sources(signed, seed_copy):
    """pyHanko #755: its XMP rewrite broke the PDF/A extension schema; #543: SHA-384 bumped the
    version to 2.0. The signed file's XMP is the unsigned one's, byte for byte."""
    pdfua = pytest.importorskip("pdfua")
    for entry in entries(signed):
        path = signed / ARCHIVE / entry["path"]
        data = path.read_bytes()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert pdf.pdf_version == "1.7"
            xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
            assert "pyHanko" not in xmp and "rdf:resource" not in xmp
            assert "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/" in xmp
            assert str(pdf.docinfo["/Producer"]).startswith("WeasyPrint")  # Info too
            with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
                assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "U")
                assert meta["pdfuaid:part"] == "1"
                assert meta["xmp:ModifyDate"].startswith("2017-09-19")  # not the signing day
            assert pdfua_problems(pdf) == []  # the field is a tagged Form element
            top = pdf.Root.StructTreeRoot.K
            document = top[0] if isinstance(top, pikepdf.Array) else top
            forms = [kid for kid in document.K
                     if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == "/Form"]
            assert len(forms) == 1 and forms[0].K.Obj.FT == "/Sig"  # read last, in the tree
            widget = forms[0].K.Obj
            assert pdf.Root.StructTreeRoot.ParentTree  # its StructParent leads back to it
            assert str(widget.TU) == {"es": f"Firma digital de {SIGNER}",  # its language
                                      "en": f"Digital signature of {SIGNER}"}[entry["locale"]]
            attached = dict(pdf.attachments.items())
            assert attached[f"{SEED_ID}.yaml"].get_file().read_bytes() == \
                (seed_copy / SEED_FILE).read_bytes()
        assert [(f.rule_id, f.message) for f in pdfua.validate(str(path)).findings] == []


def test_the_manifest_and_its_chain_cover_the_signed_bytes(signed):
    import hashlib

    for entry in entries(signed):
        data = (signed / ARCHIVE / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
        assert b"/ByteRange" in data


def test_archiving_again_keeps_the_signed_revision(signed):
    before = {p: p.read_bytes() for p in (signed / ARCHIVE).rglob("*.pdf")}
    result = run("--project", str(signed), "archive")
    assert result.exit_code == 0, result.output
    assert "nothing to do: the archive is up to date" in result.output
    assert "signed" not in result.output.split("manifest head")[0]
    assert {p: p.read_bytes() for p in (signed / ARCHIVE).rglob("*.pdf")} == before


def test_a_changed_letter_is_a_new_signed_revision(signed):
    letter = signed / SEED_FILE
    letter.write_text(letter.read_text("utf-8").replace(
        "Estas organizaciones de la sociedad civil", "Estas organizaciones de sociedad civil"),
        "utf-8")
    result = run("--project", str(signed), "archive", "--locale", "es")
    assert result.exit_code == 0, result.output
    assert "revision 2" in result.output
    result = run("--project", str(signed), "verify")
    assert result.exit_code == 0, result.output
    assert result.output.count("signature 'Signature': valid") == 3


def test_an_unsigned_archive_stays_reproducible(seed_copy, tmp_path):
    """Without [signing], nothing changes: two archives of the same content are the same
    bytes, and carry no signature."""
    other = tmp_path / "other"
    import shutil

    shutil.copytree(seed_copy, other)
    for project in (seed_copy, other):
        assert run("--project", str(project), "archive").exit_code == 0
    for entry in entries(seed_copy):
        first = (seed_copy / ARCHIVE / entry["path"]).read_bytes()
        assert first == (other / ARCHIVE / entry["path"]).read_bytes()
        assert b"/ByteRange" not in first


def test_a_visible_stamp_sits_under_the_signer_in_the_letters_language(seed_copy, authority):
    pypdf = pytest.importorskip("pypdf")
    configure(seed_copy, authority, 'stamp = "visible"\n')
    result = run("--project", str(seed_copy), "archive")
    assert result.exit_code == 0, result.output
    expected = {"es": ("Firmado digitalmente por", "Motivo: Carta enviada al Comité"),
                "en": ("Digitally signed by", "Reason: Carta enviada al Comité")}
    pdfua = pytest.importorskip("pdfua")
    for entry in entries(seed_copy):
        path = seed_copy / ARCHIVE / entry["path"]
        assert [(f.rule_id, f.message) for f in pdfua.validate(str(path)).findings] == []
        data = path.read_bytes()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            widget = pdf.Root.AcroForm.Fields[0]
            page_index = next(i for i, page in enumerate(pdf.pages)
                              if page.obj.objgen == widget.P.objgen)
            assert page_index == len(pdf.pages) - 1  # where the signer block is
            left, bottom, right, top = (float(x) for x in widget.Rect)
            assert right - left > 100 and top - bottom > 30
            assert "/N" in widget.AP  # PDF/A: a visible annotation has its appearance
            assert pdfua_problems(pdf) == []
            pdf.flatten_annotations("all")
            flat = io.BytesIO()
            pdf.save(flat)
        page = pypdf.PdfReader(flat).pages[page_index]
        text = page.extract_text()
        said, reason = expected[entry["locale"]]
        assert f"{said} {SIGNER}" in text
        assert reason in text
        # Under the sender's name, which the signer block prints just above it.
        import pypdfium2

        document = pypdfium2.PdfDocument(data)
        textpage = document[page_index].get_textpage()
        match = textpage.search("Núcleo de Organizaciones de la Sociedad Civil").get_next()
        name_left, name_bottom = textpage.get_charbox(match[0])[:2]
        document.close()
        assert name_bottom > top and name_bottom - top < 30
        assert abs(name_left - left) < 2


def test_a_pdf_reader_shows_the_signer_and_a_valid_signature(signed):
    """poppler's pdfsig: what the signature panel of Evince or Okular shows."""
    import shutil
    import subprocess

    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig (poppler-utils) is not installed")
    for entry in entries(signed):
        shown = subprocess.run(["pdfsig", str(signed / ARCHIVE / entry["path"])],
                               capture_output=True, text=True).stdout
        assert f"Signer Certificate Common Name: {SIGNER}" in shown
        assert "Signature Type: ETSI.CAdES.detached" in shown
        assert "Total document signed" in shown
        assert "Signature Validation: Signature is Valid." in shown


def test_every_recipient_copy_is_signed_and_the_manifest_head_too(seed_copy, authority,
                                                                  tmp_path):
    """Where signing meets the archive's other proofs: a merged letter's copies (one per
    recipient) each signed, and the Ed25519 signature of the manifest's head over them."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from test_recipients import merged_seed

    merged_seed(seed_copy)
    key = ed25519.Ed25519PrivateKey.generate()
    private = write_private(tmp_path / "keys/archive.key", key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    public = tmp_path / "keys/archive.pub"
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    settings = seed_copy / "carta.toml"
    settings.write_text(settings.read_text("utf-8").replace(
        "[archive]\n", f'[archive]\nsigning_key = "{private}"\n'), "utf-8")
    configure(seed_copy, authority)
    result = run("--project", str(seed_copy), "archive", "--locale", "es")
    assert result.exit_code == 0, result.output
    copies = [entry for entry in entries(seed_copy) if entry.get("recipient")]
    assert len(copies) == 3
    result = run("--project", str(seed_copy), "verify", "--public-key", str(public))
    assert result.exit_code == 0, result.output
    assert result.output.count("signature 'Signature': valid (chain to a trusted root)") == 3
    assert "signature: valid, by key ed25519:" in result.output


def test_a_signed_pdf_left_unrecorded_by_an_interrupted_run_is_recorded(seed_copy, authority):
    """A run stopped after writing the signed PDF, before its manifest took its place: the next
    run finds that file made from the same bytes and records it, rather than signing again
    and leaving it beside the new one as an extra file."""
    configure(seed_copy, authority)
    assert run("--project", str(seed_copy), "archive", "--locale", "es").exit_code == 0
    manifest = seed_copy / ARCHIVE / "manifest.json"
    manifest.unlink()  # as if the run had stopped before the manifest was renamed into place
    result = run("--project", str(seed_copy), "archive", "--locale", "es")
    assert result.exit_code == 0, result.output
    assert f"recorded {ARCHIVE}/{SEED_ID}/{SEED_ID}.es.pdf, left unrecorded by an " \
           "interrupted run" in result.output
    assert len(entries(seed_copy)) == 1
    result = run("--project", str(seed_copy), "verify")
    assert result.exit_code == 0, result.output


def test_signed_at_the_letters_date_the_same_pdf_signs_to_the_same_bytes(seed_copy, authority,
                                                                          tmp_path):
    """signing_time = "letter-date" (B-B): the signature claims noon UTC on the letter's date,
    and two archives of the same content, on two machines, are the same signed bytes."""
    import shutil

    other = tmp_path / "other"
    shutil.copytree(seed_copy, other)
    for project in (seed_copy, other):
        configure(project, authority, 'signing_time = "letter-date"\n')
        result = run("--project", str(project), "archive", "--locale", "en")
        assert result.exit_code == 0, result.output
    (entry,) = entries(seed_copy)
    data = (seed_copy / ARCHIVE / entry["path"]).read_bytes()
    assert data == (other / ARCHIVE / entry["path"]).read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.Root.AcroForm.Fields[0].V.M).startswith("D:20170919120000")
    result = run("--project", str(seed_copy), "verify")
    assert result.exit_code == 0, result.output
    assert "signing time 2017-09-19 12:00:00 +0000" in result.output
