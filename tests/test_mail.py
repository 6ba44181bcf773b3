"""E-mail delivery: a real SMTP conversation with a local server, a log, and no double sends."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

from click.testing import CliRunner
from conftest import SEED_ID
from smtp_server import LocalSmtp, Recorder
from test_recipients import merged_seed

from generator.app.cli import cli

LOG = "output/mail/delivery-log.jsonl"


def mail(root: Path, port: int | None, *args: str):
    env = {"CARTA_SMTP_HOST": "127.0.0.1", "CARTA_SMTP_PORT": str(port or 1),
           "CARTA_SMTP_STARTTLS": "0"}
    return CliRunner().invoke(cli, ["--project", str(root), "mail", SEED_ID, *args], env=env)


def log_records(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / LOG).read_text().split("\n") if line]


def results(root: Path) -> list[tuple[str, str]]:
    """(recipient, result) of each result record, in order; intents are left out."""
    return [(r["recipient"], r["result"]) for r in log_records(root) if r["event"] == "result"]


def test_without_send_nothing_is_sent_and_drafts_are_written(seed_copy):
    merged_seed(seed_copy)
    with LocalSmtp(Recorder()) as server:
        result = mail(seed_copy, server.port)
    assert result.exit_code == 0, result.output
    assert server.handler.messages == []
    assert "3 messages ready, none sent: add --send to send them" in result.output
    draft = seed_copy / f"output/mail/{SEED_ID}/{SEED_ID}.inai.eml"
    message = message_from_bytes(draft.read_bytes(), policy=policy.default)
    assert message["To"] == "inai@example.org"
    assert message["From"] == "nucleo@example.org"
    assert "Estimadas personas comisionadas del INAI:" in message.get_body().get_content()
    assert "Adjuntamos nuestra carta del 19 de septiembre de 2017." in \
        message.get_body().get_content()
    assert not (seed_copy / LOG).exists()


def test_send_delivers_one_message_per_copy_with_the_built_pdfs(seed_copy):
    merged_seed(seed_copy)
    with LocalSmtp(Recorder()) as server:
        result = mail(seed_copy, server.port, "--send")
    assert result.exit_code == 0, result.output
    received = {m["To"]: m for m in server.handler.messages}
    assert sorted(received) == ["comite-directivo@example.org", "inai@example.org",
                                "sfp@example.org"]
    folder = seed_copy / "output" / SEED_ID
    for to, copy, names in [
        ("comite-directivo@example.org", "ogp-steering-committee", ["es", "en"]),
        ("inai@example.org", "inai", ["es"]), ("sfp@example.org", "sfp", ["es"])]:
        message = received[to]
        attached = {part.get_filename(): part.get_content()
                    for part in message.iter_attachments()}
        assert attached == {f"{SEED_ID}.{copy}.{locale}.pdf":
                            (folder / f"{SEED_ID}.{copy}.{locale}.pdf").read_bytes()
                            for locale in names}
        assert message["Message-ID"].endswith("@example.org>")
    english = received["comite-directivo@example.org"]
    assert english["Subject"].startswith("Núcleo de Organizaciones de la Sociedad Civil — ")
    # Only the addresses the content names, in the envelope too: smtplib is not left to read
    # recipients back out of the headers.
    assert server.handler.envelopes == [
        ("nucleo@example.org", ["comite-directivo@example.org"]),
        ("nucleo@example.org", ["inai@example.org"]), ("nucleo@example.org", ["sfp@example.org"])]
    records = log_records(seed_copy)
    # Each message: an intent, synced before DATA, then its result.
    assert [(r["event"], r["recipient"]) for r in records] == [
        (event, copy) for copy in ("ogp-steering-committee", "inai", "sfp")
        for event in ("intent", "result")]
    assert results(seed_copy) == [
        ("ogp-steering-committee", "sent"), ("inai", "sent"), ("sfp", "sent")]
    assert all(len(a["sha256"]) == 64 for r in records for a in r["attachments"])
    assert records[0]["message_id"] == received["comite-directivo@example.org"]["Message-ID"]

    with LocalSmtp(Recorder()) as server:
        again = mail(seed_copy, server.port, "--send")
    assert again.exit_code == 0
    assert server.handler.messages == []
    assert again.output.count("already delivered on") == 3
    assert "sent 0, skipped 3 already delivered, unknown 0, failed 0" in again.output


def test_a_refusal_midway_is_logged_and_the_rerun_sends_only_what_is_missing(seed_copy):
    merged_seed(seed_copy)
    with LocalSmtp(Recorder(refuse={2})) as server:
        result = mail(seed_copy, server.port, "--send")
    assert result.exit_code == 1
    assert "failed 2017-09-19-carta-comite-directivo-ogp.inai: 550 refused for the test" \
        in result.output
    assert sorted(m["To"] for m in server.handler.messages) == [
        "comite-directivo@example.org", "sfp@example.org"]
    assert results(seed_copy) == [
        ("ogp-steering-committee", "sent"), ("inai", "failed"), ("sfp", "sent")]
    with LocalSmtp(Recorder()) as server:
        rerun = mail(seed_copy, server.port, "--send")
    assert rerun.exit_code == 0, rerun.output
    assert [m["To"] for m in server.handler.messages] == ["inai@example.org"]


def test_a_connection_dropped_after_data_is_unknown_and_not_resent(seed_copy):
    merged_seed(seed_copy)
    # The server receives the second message whole, then drops the line without a reply:
    # carta cannot know whether it was kept, so it must neither call it failed nor resend it.
    with LocalSmtp(Recorder(drop_at=2)) as server:
        result = mail(seed_copy, server.port, "--send")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "stopped: the SMTP server 127.0.0.1" in result.output
    assert f"Sent in this run: {SEED_ID}.ogp-steering-committee." in result.output
    assert f"{SEED_ID}.inai was handed over but no reply came" in result.output
    assert f"Not sent yet: {SEED_ID}.sfp." in result.output
    assert [m["To"] for m in server.handler.messages] == ["comite-directivo@example.org"]
    assert results(seed_copy) == [("ogp-steering-committee", "sent"), ("inai", "unknown")]

    with LocalSmtp(Recorder()) as server:
        rerun = mail(seed_copy, server.port, "--send")
    assert rerun.exit_code == 1, rerun.output
    assert [m["To"] for m in server.handler.messages] == ["sfp@example.org"]
    assert f"unknown {SEED_ID}.inai: handed to the server on" in rerun.output
    message_id = next(r["message_id"] for r in log_records(seed_copy)
                      if r["recipient"] == "inai")
    assert f"with Message-ID {message_id}" in rerun.output
    assert "sent 1, skipped 1 already delivered, unknown 1, failed 0" in rerun.output
    assert "add --resend-unknown" in rerun.output

    with LocalSmtp(Recorder()) as server:
        resend = mail(seed_copy, server.port, "--send", "--resend-unknown")
    assert resend.exit_code == 0, resend.output
    assert [m["To"] for m in server.handler.messages] == ["inai@example.org"]
    assert server.handler.messages[0]["Message-ID"] == message_id  # the same message again
    with LocalSmtp(Recorder()) as server:
        settled = mail(seed_copy, server.port, "--send")
    assert settled.exit_code == 0, settled.output
    assert server.handler.messages == []


def test_limit_and_an_unreachable_server(seed_copy):
    merged_seed(seed_copy)
    with LocalSmtp(Recorder()) as server:
        limited = mail(seed_copy, server.port, "--send", "--limit", "1")
    assert limited.exit_code == 0
    assert len(server.handler.messages) == 1
    unreachable = mail(seed_copy, None, "--send")
    assert unreachable.exit_code == 1
    assert "cannot reach the SMTP server 127.0.0.1:1" in unreachable.output
    assert "nothing was sent" in unreachable.output


def test_a_password_in_carta_toml_is_refused(seed_copy):
    (seed_copy / "carta.toml").write_text(
        (seed_copy / "carta.toml").read_text() + '\n[mail]\npassword = "secreto"\n')
    result = CliRunner().invoke(cli, ["--project", str(seed_copy), "check"])
    assert result.exit_code == 1
    assert "mail.password: unknown setting" in result.output
    assert "the password goes only in CARTA_SMTP_PASSWORD" in result.output


def test_the_repository_letter_says_what_is_missing_to_mail_it():
    result = CliRunner().invoke(cli, ["--project", str(Path(__file__).parent.parent), "mail"])
    assert result.exit_code == 1
    assert "ogp-steering-committee.email: an e-mail address is needed" in result.output
