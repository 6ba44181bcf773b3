"""E-mail: one RFC 5322 message per recipient copy, SMTP sending, and an append-only delivery log.

Nothing is sent unless asked (`carta mail --send`). Every attempt is recorded in
output/mail/delivery-log.jsonl with the SHA-256 of each attached PDF, so that a second run skips
what was already delivered with the same bytes, and a run that failed midway resumes where it
stopped, sending nothing twice.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from . import i18n
from .errors import CartaError, ContentError, Problem
from .model import pick_locale
from .project import Project
from .write import write_atomic

LOG_NAME = "delivery-log.jsonl"


@dataclass(frozen=True)
class Draft:
    """One message to send: a letter's copy for one recipient (or for all of them at once)."""

    letter: str
    recipient: str | None  # None when one message goes to all the letter's recipients
    locale: str
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str
    attachments: tuple[tuple[str, bytes], ...]  # (file name, PDF bytes)

    @property
    def hashes(self) -> list[dict]:
        return [{"name": name, "sha256": hashlib.sha256(data).hexdigest()}
                for name, data in self.attachments]

    @property
    def file_name(self) -> str:
        return f"{self.letter}.{self.recipient}.eml" if self.recipient else f"{self.letter}.eml"

    @property
    def message_id(self) -> str:
        # The same letter, recipient and bytes always get the same Message-ID, so a message
        # resent after a failure is recognisably the same message.
        identity = json.dumps([self.letter, self.recipient, self.hashes]).encode()
        domain = self.sender.rpartition("@")[2] or "carta.invalid"
        return f"<{hashlib.sha256(identity).hexdigest()[:32]}@{domain}>"

    def message(self) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        if self.cc:
            message["Cc"] = ", ".join(self.cc)
        message["Subject"] = self.subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = self.message_id
        message["Content-Language"] = self.locale.replace("_", "-")
        message.set_content(self.text)
        for name, data in self.attachments:
            message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
        return message


def make_drafts(project: Project, letters: tuple[str, ...] = (),
                locales: tuple[str, ...] = (), report=lambda kind, what: None) -> list[Draft]:
    """Build the PDFs (what is up to date is skipped), then one draft per recipient copy of a
    merged letter, or one per letter addressed to all its recipients at once."""
    from .build import build, plan
    from .render import Renderer, default_title

    build(project, letters, locales, formats=("pdf",), report=report)
    jobs = plan(project, letters, locales).jobs
    renderer = Renderer(project)
    problems: list[Problem] = []
    copies: dict[tuple[str, str | None], list] = {}
    for job in jobs:
        copies.setdefault((job.letter.id, job.recipient.id if job.recipient else None),
                          []).append(job)
    drafts = []
    for (letter_id, recipient_id), copy_jobs in copies.items():
        letter = copy_jobs[0].letter
        addressed = (copy_jobs[0].recipient,) if recipient_id else letter.recipients
        sender = letter.sender.email or project.settings.mail.get("from")
        where = project.shown(letter.source)
        if not sender:
            problems.append(Problem("content/senders.yaml", None, None,
                                    f"{letter.sender.id}.email",
                                    f"an address is needed to send '{letter_id}'; add email "
                                    "to the sender, or [mail] from to carta.toml"))
        missing = [r.id for r in (*addressed, *letter.cc) if not r.email]
        for ident in missing:
            problems.append(Problem("content/recipients.yaml", None, None, f"{ident}.email",
                                    f"an e-mail address is needed to send '{letter_id}' "
                                    f"(named in {where})"))
        if missing or not sender:
            continue
        # The cover text is in the language the recipient reads first, among those built.
        job = copy_jobs[0]
        locale, source = job.locale, letter.language
        salutation = pick_locale(addressed[0].salutation, locale, None) if recipient_id else None
        sender_name = pick_locale(letter.sender.name, locale, source)
        gettext = i18n.template_translations(locale, renderer.catalog_dirs).gettext
        text = renderer.render_text("mail.txt", {
            "salutation": salutation or gettext("Dear Sir or Madam,"),
            "date": letter.date,
            "closing": job.letter.closing or gettext("Sincerely,"),
            "sender": sender_name,
        }, locale)
        drafts.append(Draft(
            letter=letter_id, recipient=recipient_id, locale=locale, sender=sender,
            to=tuple(r.email for r in addressed), cc=tuple(r.email for r in letter.cc),
            subject=job.letter.subject or default_title(job.letter, locale, sender_name),
            text=text,
            attachments=tuple((each.output(project.output, "pdf").name,
                               each.output(project.output, "pdf").read_bytes())
                              for each in copy_jobs)))
    if problems:
        raise ContentError(problems)
    return drafts


def write_drafts(drafts: list[Draft], folder: Path) -> list[Path]:
    """Write each draft as an .eml file, which any mail program can open."""
    paths = []
    for draft in drafts:
        path = folder / draft.letter / draft.file_name
        write_atomic(path, bytes(draft.message()))
        paths.append(path)
    return paths


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool

    @classmethod
    def load(cls, configured: Mapping, environ: Mapping[str, str] = os.environ) -> SmtpSettings:
        """carta.toml's [mail] section, overridden by CARTA_SMTP_*; the password only from
        CARTA_SMTP_PASSWORD, so that it never sits in a file shared with the coalition."""
        host = environ.get("CARTA_SMTP_HOST", configured.get("host"))
        if not host:
            raise CartaError("no SMTP server: set [mail] host in carta.toml or CARTA_SMTP_HOST")
        port_text = environ.get("CARTA_SMTP_PORT", configured.get("port", 587))
        try:
            port = int(port_text)
        except (TypeError, ValueError):
            raise CartaError(f"CARTA_SMTP_PORT: expected a port number, found {port_text!r}") \
                from None
        starttls = environ.get("CARTA_SMTP_STARTTLS", configured.get("starttls", True))
        if isinstance(starttls, str):
            starttls = starttls.strip().lower() not in ("0", "false", "no", "off", "")
        return cls(host, port, environ.get("CARTA_SMTP_USER", configured.get("user")),
                   environ.get("CARTA_SMTP_PASSWORD"), bool(starttls))


class DeliveryLog:
    """Append-only JSON Lines: one record per attempt, synced to disk before going on."""

    def __init__(self, path: Path):
        self.path = path

    def records(self) -> list[dict]:
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a crash: the attempt it began is retried
        return records

    def delivered(self, draft: Draft) -> dict | None:
        for record in self.records():
            if (record.get("result") == "sent" and record.get("letter") == draft.letter
                    and record.get("recipient") == draft.recipient
                    and record.get("attachments") == draft.hashes):
                return record
        return None

    def append(self, draft: Draft, result: str, error: str | None = None) -> None:
        record = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "letter": draft.letter, "recipient": draft.recipient, "locale": draft.locale,
            "to": list(draft.to), "cc": list(draft.cc), "message_id": draft.message_id,
            "attachments": draft.hashes, "result": result, "error": error,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            stream.flush()
            os.fsync(stream.fileno())


@dataclass
class SendResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def send(drafts: list[Draft], settings: SmtpSettings, log: DeliveryLog, limit: int | None = None,
         report: Callable[[str, Draft, str], None] = lambda kind, draft, detail: None
         ) -> SendResult:
    """Send what the log does not show as delivered with the same PDF bytes."""
    result = SendResult()
    due = []
    for draft in drafts:
        earlier = log.delivered(draft)
        if earlier:
            result.skipped += 1
            report("skipped", draft, f"already delivered on {earlier['time']} with the same PDF")
        else:
            due.append(draft)
    if limit is not None:
        due = due[:limit]
    if not due:
        return result
    try:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=30)
    except OSError as error:
        raise CartaError(f"cannot reach the SMTP server {settings.host}:{settings.port}: "
                         f"{error}; nothing was sent") from None
    current = None  # the message under way, when the connection drops
    try:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        for draft in due:
            current = draft
            try:
                refused = smtp.send_message(draft.message())
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                    smtplib.SMTPDataError) as error:
                log.append(draft, "failed", _describe(error))
                result.failed += 1
                report("failed", draft, _describe(error))
                current = None
                continue
            if refused:
                detail = "; ".join(f"{address}: {code} {text.decode(errors='replace')}"
                                   for address, (code, text) in refused.items())
                log.append(draft, "sent", f"some recipients refused: {detail}")
            else:
                log.append(draft, "sent")
            result.sent += 1
            report("sent", draft, "")
        current = None
    except (smtplib.SMTPException, OSError) as error:
        # The connection is gone: the message under way is recorded as failed, the rest
        # waits for the next run.
        if current is not None:
            log.append(current, "failed", _describe(error))
            result.failed += 1
            report("failed", current, _describe(error))
        raise CartaError(f"the SMTP server {settings.host}:{settings.port} stopped the "
                         f"conversation: {_describe(error)}; sent {result.sent}, the rest is "
                         "not sent. Run the same command again to resume.") from None
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return result


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{address}: {code} {text.decode(errors='replace')}"
                         for address, (code, text) in error.recipients.items())
    return str(error) or type(error).__name__
