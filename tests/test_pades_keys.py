"""The signing certificate (issue 27): [signing] in carta.toml, bad keys refused with nothing
written (a wrong passphrase, a certificate without its key, a key others can read, a key
through a link into the project), `carta keys new`, and `carta mail` attaching signed copies."""

from __future__ import annotations

import os
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import SEED_ID
from pades_helpers import SIGNER, add_signing, issue, make_ca, write_private, write_trust
from test_recipients import merged_seed

from generator.app.cli import cli
from generator.delivery.archive.pdf_validation import check_signatures, load_trust

ARCHIVE = "output/archive"


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture(scope="module")
def authority():
    ca = make_ca()
    return ca, issue(ca)


def nothing_archived(project: Path) -> bool:
    folder = project / ARCHIVE
    return not folder.exists() or not any(folder.rglob("*.pdf"))


def test_a_pkcs12_file_with_the_passphrase_from_the_environment(seed_copy, authority,
                                                                tmp_path):
    ca, signer = authority
    p12 = write_private(tmp_path / "keys/signer.p12", signer.pkcs12(b"frase secreta"))
    add_signing(seed_copy, f'certificate = "{p12}"\n')
    result = run("--project", str(seed_copy), "archive", "--locale", "es",
                 env={"CARTA_SIGNING_PASSPHRASE": "frase secreta"})
    assert result.exit_code == 0, result.output
    assert "frase secreta" not in result.output  # never shown
    data = (seed_copy / ARCHIVE / SEED_ID / f"{SEED_ID}.es.pdf").read_bytes()
    report = check_signatures(data, (ca.certificate,))
    assert report.problems == [] and len(report.lines) == 1


def test_a_wrong_passphrase_writes_nothing(seed_copy, authority, tmp_path):
    _, signer = authority
    p12 = write_private(tmp_path / "keys/signer.p12", signer.pkcs12(b"frase secreta"))
    add_signing(seed_copy, f'certificate = "{p12}"\n')
    result = run("--project", str(seed_copy), "archive",
                 env={"CARTA_SIGNING_PASSPHRASE": "otra frase"})
    assert result.exit_code == 1
    assert (f"carta.toml: signing.certificate: {p12} could not be opened: a wrong passphrase, "
            "or not a PKCS#12 file; check the passphrase") in result.output
    assert "otra frase" not in result.output
    assert "Traceback" not in result.output
    assert nothing_archived(seed_copy)


def test_no_passphrase_and_no_terminal_says_how_to_give_one(seed_copy, authority, tmp_path):
    _, signer = authority
    p12 = write_private(tmp_path / "keys/signer.p12", signer.pkcs12(b"frase secreta"))
    add_signing(seed_copy, f'certificate = "{p12}"\n')
    env = {key: value for key, value in os.environ.items()
           if key != "CARTA_SIGNING_PASSPHRASE"}
    result = run("--project", str(seed_copy), "archive", env=env)
    assert result.exit_code == 1
    assert "set CARTA_SIGNING_PASSPHRASE, or run carta in a terminal" in result.output
    assert nothing_archived(seed_copy)


def test_a_certificate_without_its_key_writes_nothing(seed_copy, authority, tmp_path):
    _, signer = authority
    p12 = write_private(tmp_path / "keys/signer.p12", signer.pkcs12(None, with_key=False))
    add_signing(seed_copy, f'certificate = "{p12}"\n')
    result = run("--project", str(seed_copy), "archive")
    assert result.exit_code == 1
    assert "holds the certificate without its private key" in result.output
    assert nothing_archived(seed_copy)


def test_a_key_that_is_not_the_certificates(seed_copy, authority, tmp_path):
    ca, signer = authority
    other = issue(ca, "Organización Ejemplo B")
    key = write_private(tmp_path / "keys/signer.key", other.key_pem())
    pem = write_private(tmp_path / "keys/signer.pem", signer.pem(), 0o644)
    add_signing(seed_copy, f'key = "{key}"\ncertificate = "{pem}"\n')
    result = run("--project", str(seed_copy), "archive")
    assert result.exit_code == 1
    assert f"the key is not the one of the certificate in {pem} ({SIGNER})" in result.output
    assert nothing_archived(seed_copy)


def test_a_world_readable_key_writes_nothing(seed_copy, authority, tmp_path):
    _, signer = authority
    key = write_private(tmp_path / "keys/signer.key", signer.key_pem(), 0o644)
    pem = write_private(tmp_path / "keys/signer.pem", signer.pem(), 0o644)
    add_signing(seed_copy, f'key = "{key}"\ncertificate = "{pem}"\n')
    result = run("--project", str(seed_copy), "archive")
    assert result.exit_code == 1
    assert (f"carta.toml: signing.key: {key} can be read or changed by other users "
            f"(permissions 0644)") in result.output
    assert f"chmod 600 {key}" in result.output
    assert nothing_archived(seed_copy)


def test_a_key_through_a_link_into_the_project_writes_nothing(seed_copy, authority, tmp_path):
    """The archive key's rule, the same for this key: a link outside the project that leads
    into it is one commit from a leak."""
    _, signer = authority
    inside = write_private(seed_copy / "claves/signer.p12", signer.pkcs12(None))
    link = tmp_path / "signer.p12"
    link.symlink_to(inside)
    add_signing(seed_copy, f'certificate = "{link}"\n')
    result = run("--project", str(seed_copy), "archive")
    assert result.exit_code == 1
    assert f"carta.toml: signing.certificate: {link} is inside the project" in result.output
    assert "set certificate to that path" in result.output
    assert nothing_archived(seed_copy)


def test_a_passphrase_in_carta_toml_is_refused(seed_copy):
    add_signing(seed_copy, 'certificate = "~/x.p12"\npassphrase = "no"\nsign = ["web"]\n'
                           'stamp = "big"\ntimestamp_url = "ftp://tsa"\n'
                           'signing_time = "letter-date"\n')
    result = run("--project", str(seed_copy), "check")
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "the passphrase goes only in CARTA_SIGNING_PASSPHRASE" in output
    assert 'signing.sign: expected a list of what to sign: ["archive"] or' in output
    assert 'signing.stamp: expected "invisible" or "visible", found \'big\'' in output
    assert "signing.timestamp_url: expected the http:// or https:// address" in output
    assert 'signing.signing_time: "letter-date" is for signatures without a timestamp' in output


def test_keys_new_makes_an_untrusted_test_certificate_that_signs(seed_copy, tmp_path):
    folder = tmp_path / "config"
    result = run("--project", str(seed_copy), "keys", "new", "--name", SIGNER,
                 "--out", str(folder))
    assert result.exit_code == 0, result.output
    key, pem = folder / "carta-test-signer.key", folder / "carta-test-signer.pem"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert "not trusted by anyone" in result.output
    (certificate,) = load_trust(pem)
    assert "not trusted by anyone" in certificate.subject.rfc4514_string()
    # What it printed is what to add; then archive and verify against the test certificate.
    add_signing(seed_copy, result.output.split("[signing]\n", 1)[1])
    result = run("--project", str(seed_copy), "archive", "--locale", "es")
    assert result.exit_code == 0, result.output
    result = run("--project", str(seed_copy), "verify")
    assert result.exit_code == 0, result.output
    assert f"signed by {SIGNER} (TEST, not trusted)" in result.output
    # Never replaced, never inside the project.
    again = run("--project", str(seed_copy), "keys", "new", "--name", SIGNER,
                "--out", str(folder))
    assert again.exit_code == 1 and "carta never replaces a key" in again.output
    inside = run("--project", str(seed_copy), "keys", "new", "--name", SIGNER,
                 "--out", str(seed_copy / "claves"))
    assert inside.exit_code == 1 and "is inside the project" in inside.output
    assert not (seed_copy / "claves").exists()


def test_mail_attaches_the_signed_copy_the_same_on_every_run(seed_copy, authority, tmp_path):
    from generator.core.project import load_project
    from generator.delivery import mail

    ca, signer = authority
    p12 = write_private(tmp_path / "keys/signer.p12", signer.pkcs12(None))
    trust = write_trust(tmp_path / "keys/root.pem", ca)
    merged_seed(seed_copy)  # addresses to mail to
    add_signing(seed_copy, f'certificate = "{p12}"\ntrust = "{trust}"\n'
                           'sign = ["archive", "mail"]\n')
    result = run("--project", str(seed_copy), "mail", "--locale", "es")
    assert result.exit_code == 0, result.output
    from generator.app.cli import _mail_signer

    project = load_project(seed_copy)
    drafts = mail.make_drafts(project, (), ("es",), sign=_mail_signer(project))
    assert drafts
    for draft in drafts:
        for name, data in draft.attachments:
            report = check_signatures(data, (ca.certificate,))
            assert report.problems == [] and len(report.lines) == 1, name
            with pikepdf.open(__import__("io").BytesIO(data)) as pdf:
                assert pdf.Root.AcroForm.Fields[0].V.SubFilter == "/ETSI.CAdES.detached"
    again = mail.make_drafts(project, (), ("es",), sign=_mail_signer(project))
    assert [d.message_id for d in again] == [d.message_id for d in drafts]
    eml = next((seed_copy / "output/mail").rglob("*.eml")).read_bytes()
    assert b"application/pdf" in eml
