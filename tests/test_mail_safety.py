"""Addresses and header texts: one address per field, one line per header, checked before mail.

`carta check` refuses what `carta mail` could not send safely, with file, line and field; and
mail itself refuses, with a message and never a traceback, whatever gets past the check.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_server import LocalSmtp, Recorder
from test_mail import mail
from test_recipients import SEED_FILE, THREE_RECIPIENTS, merged_seed

from generator.app.cli import cli
from generator.core.addresses import check_address, check_header_text
from generator.core.errors import CartaError
from generator.delivery import mail as mailing


@pytest.mark.parametrize("text", ["inai@example.org", "comite.directivo+carta@example.org",
                                  "Secretaria@SFP.Example.ORG"])
def test_one_address_passes(text):
    assert check_address(text) is None


def test_an_address_outside_ascii_is_refused_with_its_ascii_form_where_there_is_one():
    assert "Internationalized characters before the @-sign" in check_address("josé@example.org")
    assert check_address("a@exámple.org").endswith("write it as a@xn--exmple-qta.org")


@pytest.mark.parametrize("text", [
    "a@example.org, spy@example.net", "a@example.org; spy@example.net",
    "a@example.org spy@example.net", "Ana <a@example.org>", "x@example.org$(touch PWNED)",
    "a@example.org\r\nBcc: spy@example.net", "a@example.org\u2028", "no-at-sign.example.org",
    "a@example", ""])
def test_anything_but_one_address_is_refused(text):
    assert check_address(text).startswith("expected one e-mail address such as")


@pytest.mark.parametrize("char", ["\r", "\n", "\u2028", "\u2029", "\x85", "\f", "\v", "\x00"])
def test_a_line_break_of_any_kind_is_refused_in_a_header(char):
    assert check_header_text(f"Asunto{char}Bcc: spy@example.net").startswith(
        "expected text on one line, found")
    assert check_header_text("Núcleo — Comité Directivo — 19 de septiembre de 2017") is None


def check(root: Path):
    return CliRunner().invoke(cli, ["--project", str(root), "check"])


def line_of(text: str, fragment: str) -> int:
    return text[:text.index(fragment)].count("\n") + 1


@pytest.mark.parametrize("address", ["a@example.org, spy@example.net",
                                     "x@example.org$(touch PWNED)"])
def test_check_refuses_a_recipient_address_that_is_not_one_address(seed_copy, address):
    merged_seed(seed_copy)
    recipients = THREE_RECIPIENTS.replace("email: inai@example.org", f'email: "{address}"')
    (seed_copy / "content/recipients.yaml").write_text(recipients, encoding="utf-8")
    result = check(seed_copy)
    assert result.exit_code == 1
    line = line_of(recipients, address)
    assert f"content/recipients.yaml:{line}:" in result.output
    assert "inai.email: expected one e-mail address such as name@example.org" in result.output
    with LocalSmtp(Recorder()) as server:
        sent = mail(seed_copy, server.port, "--send")
    assert sent.exit_code == 1
    assert server.handler.messages == []
    assert not (seed_copy / "PWNED").exists()


def test_check_refuses_line_breaks_in_recipient_and_sender_names(seed_copy):
    merged_seed(seed_copy)
    recipients = THREE_RECIPIENTS.replace(
        "name: Secretaría de la Función Pública",
        'name: "Secretaría de la Función Pública\\r\\nBcc: spy@example.net"').replace(
        "en: Open Government Partnership Steering Committee",
        'en: "Open Government Partnership\\u2028Steering Committee"')
    (seed_copy / "content/recipients.yaml").write_text(recipients, encoding="utf-8")
    (seed_copy / "content/senders.yaml").write_text(
        'nucleo-osc:\n  name: "Núcleo\\nde Organizaciones"\n  email: nucleo@example.org\n',
        encoding="utf-8")
    result = check(seed_copy)
    assert result.exit_code == 1
    assert (f"content/recipients.yaml:{line_of(recipients, 'Secretaría')}:3: sfp.name: "
            "expected text on one line, found a carriage return (CR)") in result.output
    assert (f"content/recipients.yaml:{line_of(recipients, 'en: ')}:5: "
            "ogp-steering-committee.name.en: expected text on one line, found a line "
            "separator (U+2028)") in result.output
    assert ("content/senders.yaml:2:3: nucleo-osc.name: expected text on one line, found a "
            "line feed (LF)") in result.output


def test_check_refuses_a_mail_from_setting_that_is_not_one_address(seed_copy):
    (seed_copy / "carta.toml").write_text(
        (seed_copy / "carta.toml").read_text()
        + '\n[mail]\nfrom = "coalicion@example.org, spy@example.net"\n')
    result = check(seed_copy)
    assert result.exit_code == 1
    lines = (seed_copy / "carta.toml").read_text().splitlines()
    line = next(number for number, text in enumerate(lines, 1) if text.startswith("from ="))
    assert f"carta.toml:{line}: mail.from: expected one e-mail address" in result.output


def test_mail_refuses_a_subject_with_a_line_break_without_a_traceback(seed_copy):
    merged_seed(seed_copy)
    letter = seed_copy / SEED_FILE
    letter.write_text(letter.read_text(encoding="utf-8").replace(
        "merge: true", 'merge: true\nsubject: "Carta\\r\\nBcc: spy@example.net"'),
        encoding="utf-8")
    with LocalSmtp(Recorder()) as server:
        result = mail(seed_copy, server.port, "--send", "--locale", "es")
    assert result.exit_code == 1
    # Refused either by the content check (file:line) or by mail's own last check.
    assert "subject" in result.output
    assert "expected text on one line, found a carriage return (CR)" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert server.handler.messages == []


def test_mail_never_sends_to_an_address_the_content_does_not_name(tmp_path):
    # A draft that skipped every check (built by hand): mail refuses it before connecting.
    draft = mailing.Draft(letter="carta-prueba", recipient="inai", locale="es",
                          sender="nucleo@example.org", to=("a@example.org, spy@example.net",),
                          cc=(), subject="Carta", text="Texto", attachments=())
    log = mailing.DeliveryLog(tmp_path / "delivery-log.jsonl")
    with LocalSmtp(Recorder()) as server:
        settings = mailing.SmtpSettings("127.0.0.1", server.port, None, None, False)
        with pytest.raises(CartaError, match="the To address: expected one e-mail address"):
            mailing.send([draft], settings, log)
    assert server.handler.messages == []
    assert not log.path.exists()


def test_the_seed_project_with_addresses_passes_the_check(seed_copy):
    merged_seed(seed_copy)
    result = check(seed_copy)
    assert result.exit_code == 0, result.output
