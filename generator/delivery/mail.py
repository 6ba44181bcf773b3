"""E-mail: one RFC 5322 message per recipient copy, SMTP sending, and an append-only delivery log.

Nothing is sent unless asked (`carta mail --send`). Sending aims at "exactly once, as far as SMTP
allows": one run at a time per project (the project lock); before each message goes to the server
an *intent* record is appended to output/mail/delivery-log.jsonl and synced, and after the
server's reply its *result*. A message whose intent has no result (the process was killed, the
connection dropped after the message was handed over, the log could not record the reply) may
or may not have arrived: it is *unknown*, and it is not sent again unless the user asks
(--resend-unknown) after checking. Its Message-ID is the same on every attempt, so that check
is a search for one string.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import json
import os
import smtplib
import ssl
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from ..core.addresses import check_address, check_header_text
from ..core.errors import BuildError, CartaError, ContentError, Problem
from ..core.lock import project_lock
from ..core.model import pick_locale
from ..core.project import Project
from ..core.write import append_line, safe_folder, write_atomic
from ..localization.locales import template_translations

LOG_NAME = "delivery-log.jsonl"
SETTINGS = "carta.toml"


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

    @property
    def who(self) -> str:
        """The copy as the user knows it: letter id, and recipient id for a merged copy."""
        return f"{self.letter}.{self.recipient}" if self.recipient else self.letter

    @property
    def key(self) -> tuple:
        """What makes two attempts the same message, in the delivery log."""
        return _key(self.letter, self.recipient, self.hashes)

    def check(self) -> None:
        """The last line of defence, after `carta check`: every address is exactly one address
        and every header one line, or a clear error (never a traceback from the email package,
        never a header or a recipient the content did not ask for)."""
        for role, address in [("sender", self.sender), *(("To", a) for a in self.to),
                              *(("Cc", a) for a in self.cc)]:
            problem = check_address(address)
            if problem is not None:
                raise CartaError(f"cannot mail {self.who}: the {role} address: {problem}; "
                                 "correct it and run 'carta check'")
        problem = check_header_text(self.subject)
        if problem is not None:
            raise CartaError(f"cannot mail {self.who}: the subject {self.subject!r}: "
                             f"{problem}, in the letter and in its translations")

    def message(self) -> EmailMessage:
        self.check()
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
                locales: tuple[str, ...] = (), report=lambda kind, what: None,
                sign: Callable[[object, bytes], bytes] | None = None) -> list[Draft]:
    """Build the PDFs (what is up to date is skipped), then one draft per recipient copy of a
    merged letter, or one per letter addressed to all its recipients at once. With `sign`
    (job, PDF bytes -> signed bytes), each attachment is the signed copy ([signing] sign =
    [..., "mail"])."""
    from ..pipeline.run import build
    from ..rendering.render import Renderer, letter_title, salutation

    built = build(project, letters, locales, formats=("pdf",), report=report)
    if built.failed:
        # A PDF that could not be made must not be mailed as whatever is on disk.
        raise CartaError("no e-mail was prepared: " + "; ".join(built.failed))
    # The documents the build checked and made (no second plan); each recipient gets its
    # copies per language, not the combined document.
    jobs = [job for job in built.plan.jobs if not job.versions]
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
        # Checked again here, not only by `carta check`: an address is the one field that
        # decides who receives the letter, so nothing that is not one address goes further.
        wrong = [("content/recipients.yaml", f"{r.id}.email", r.email)
                 for r in (*addressed, *letter.cc) if r.email and check_address(r.email)]
        if sender and check_address(sender):
            wrong.append(("content/senders.yaml", f"{letter.sender.id}.email", sender)
                         if letter.sender.email else (SETTINGS, "mail.from", sender))
        for file, field_name, address in wrong:
            problems.append(Problem(file, None, None, field_name, check_address(address)))
        if missing or not sender or wrong:
            continue
        # The cover text is in the language the recipient reads first, among those built.
        job = copy_jobs[0]
        locale, source = job.locale, letter.language
        # The letter's salutation; a cover text always greets, so the formula stands in
        # wherever the letter has none.
        greeting = salutation(job.letter, job.recipient, locale)
        sender_name = pick_locale(letter.sender.name, locale, source)
        gettext = template_translations(locale, renderer.catalog_dirs).gettext
        text = renderer.render_text("mail.txt", {
            "salutation": greeting or gettext("Dear Sir or Madam,"),
            "date": letter.date,
            "closing": job.letter.closing or gettext("Sincerely,"),
            "sender": sender_name,
        }, locale)
        drafts.append(Draft(
            letter=letter_id, recipient=recipient_id, locale=locale, sender=sender,
            to=tuple(r.email for r in addressed), cc=tuple(r.email for r in letter.cc),
            subject=job.letter.subject or letter_title(job.letter, locale),
            text=text,
            attachments=tuple((each.output(project.output, "pdf").name,
                               _attached(project, each, sign)) for each in copy_jobs)))
    if problems:
        raise ContentError(problems)
    return drafts


def _attached(project: Project, job, sign) -> bytes:
    data = job.output(project.output, "pdf").read_bytes()
    return data if sign is None else sign(job, data)


def write_drafts(project: Project, drafts: list[Draft]) -> list[Path]:
    """Write each draft as an .eml file, which any mail program can open, into
    output/mail/<letter>/: real folders only (a link planted at output/mail leads nowhere)."""
    paths = []
    for draft in drafts:
        folder = safe_folder(project.root, project.output / "mail" / draft.letter)
        path = folder / draft.file_name
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


def _key(letter: str, recipient: str | None, hashes: object) -> tuple:
    return (letter, recipient, json.dumps(hashes, sort_keys=True))


@dataclass(frozen=True)
class Earlier:
    """What the log says about one message: sent, failed (never handed over) or unknown."""

    state: str
    time: str


class DeliveryLog:
    """Append-only JSON Lines: an intent before each message, its result after the reply.

    Each line is appended with O_APPEND|O_NOFOLLOW and synced (generator.write.append_line), so
    the log never follows a link planted at its name, and a record is on disk before the next
    step. Lines are ASCII JSON, split only at "\\n": a U+2028 in a name cannot split a record."""

    def __init__(self, path: Path):
        self.path = path
        self._ends_cut = False  # the last line was cut short (a crash, a full disk)

    def records(self) -> list[dict]:
        data = self._read()
        self._ends_cut = bool(data) and not data.endswith(b"\n")
        records = []
        for line in data.split(b"\n"):
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash or a full disk
            if isinstance(record, dict):
                records.append(record)
        return records

    def _read(self) -> bytes:
        try:
            # O_NONBLOCK: a FIFO at the log's name must not hang the run; its type is checked.
            descriptor = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                                 | os.O_CLOEXEC)
        except FileNotFoundError:
            return b""
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise BuildError(f"refusing to use {self.path}: it is a symbolic link; the "
                                 "delivery log must be a real file. Remove the link and run "
                                 "again; nothing was sent") from None
            raise BuildError(f"cannot read {self.path}: {error.strerror}; nothing was sent") \
                from None
        with os.fdopen(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise BuildError(f"refusing to use {self.path}: it is not a regular file; "
                                 "nothing was sent")
            return stream.read()

    def earlier(self) -> dict[tuple, Earlier]:
        """The state of every message the log knows. A message sent once stays sent; an intent
        with no result makes it unknown, and a later refusal does not undo that (the first
        attempt may still have arrived); a refusal alone leaves it to be sent again."""
        rank = {"failed": 0, "unknown": 1, "sent": 2}
        found: dict[tuple, Earlier] = {}
        open_intents: dict[tuple, str] = {}

        def note(key: tuple, state: str, time: str) -> None:
            if key not in found or rank[state] >= rank[found[key].state]:
                found[key] = Earlier(state, time)

        for record in self.records():
            key = _key(record.get("letter"), record.get("recipient"), record.get("attachments"))
            time = str(record.get("time", "?"))
            if record.get("event") == "intent":
                if key in open_intents:  # an earlier attempt that never got its result
                    note(key, "unknown", open_intents[key])
                open_intents[key] = time
            elif record.get("result") in rank:
                open_intents.pop(key, None)
                note(key, record["result"], time)
        for key, time in open_intents.items():
            note(key, "unknown", time)
        return found

    def intent(self, draft: Draft) -> None:
        self._append({"event": "intent", **self._about(draft), "from": draft.sender,
                      "to": list(draft.to), "cc": list(draft.cc), "locale": draft.locale})

    def result(self, draft: Draft, result: str, error: str | None = None) -> None:
        self._append({"event": "result", **self._about(draft), "result": result,
                      "error": error})

    @staticmethod
    def _about(draft: Draft) -> dict:
        return {"time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "letter": draft.letter, "recipient": draft.recipient,
                "message_id": draft.message_id, "attachments": draft.hashes}

    def _append(self, record: dict) -> None:
        line = json.dumps(record, ensure_ascii=True) + "\n"
        if self._ends_cut:
            # Start on a fresh line, so the cut one cannot swallow this record.
            line = "\n" + line
        append_line(self.path, line)
        self._ends_cut = False


@dataclass
class SendResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    unknown: list[Draft] = field(default_factory=list)

    def summary(self, log: Path) -> str:
        return (f"sent {self.sent}, skipped {self.skipped} already delivered, "
                f"unknown {len(self.unknown)}, failed {self.failed}; log: {log}")


class _Smtp(smtplib.SMTP):
    """smtplib.SMTP that notes when the server answers DATA with 354 (go ahead): from then
    on the message is on its way, and a connection lost before the reply leaves it unknown
    rather than failed."""

    handed_over = False

    def getreply(self):
        code, text = super().getreply()
        if code == 354:
            self.handed_over = True
        return code, text


def deliver(project: Project, drafts: list[Draft], settings: SmtpSettings,
            limit: int | None = None, resend_unknown: bool = False,
            report: Callable[[str, Draft, str], None] = lambda kind, draft, detail: None
            ) -> tuple[SendResult, Path]:
    """Send under the project lock, logging into output/mail/ (a real folder, never a link)."""
    with project_lock(project.output, "mail"):
        folder = safe_folder(project.root, project.output / "mail")
        log = DeliveryLog(folder / LOG_NAME)
        return send(drafts, settings, log, limit, report, resend_unknown), log.path


def send(drafts: list[Draft], settings: SmtpSettings, log: DeliveryLog, limit: int | None = None,
         report: Callable[[str, Draft, str], None] = lambda kind, draft, detail: None,
         resend_unknown: bool = False) -> SendResult:
    """Send what the log does not show as delivered, or as unknown, with the same PDF bytes.

    The caller holds the project lock (see `deliver`)."""
    messages = {draft.key: draft.message() for draft in drafts}  # every header checked first
    result = SendResult()
    earlier = log.earlier()
    due = []
    for draft in drafts:
        before = earlier.get(draft.key)
        if before is not None and before.state == "sent":
            result.skipped += 1
            report("skipped", draft, f"already delivered on {before.time} with the same PDF")
        elif before is not None and before.state == "unknown" and not resend_unknown:
            result.unknown.append(draft)
            report("unknown", draft, _unknown_advice(draft, f"handed to the server on "
                                                            f"{before.time}"))
        else:
            due.append(draft)
    if limit is not None:
        due = due[:limit]
    if not due:
        return result
    try:
        smtp = _Smtp(settings.host, settings.port, timeout=30)
    except OSError as error:
        raise CartaError(f"cannot reach the SMTP server {settings.host}:{settings.port}: "
                         f"{error}; nothing was sent") from None
    sent: list[Draft] = []
    try:
        try:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password or "")
        except (smtplib.SMTPException, OSError) as error:
            raise CartaError(f"the SMTP server {settings.host}:{settings.port} refused to start: "
                             f"{_describe(error)}; nothing was sent") from None
        for index, draft in enumerate(due):
            rest = due[index + 1:]
            try:
                log.intent(draft)
            except BuildError as error:
                raise CartaError(_stopped(f"the delivery log could not be written ({error})",
                                          sent, f"{draft.who} was not sent", rest)) from None
            smtp.handed_over = False
            lost = None
            try:
                # The envelope is given explicitly: smtplib would otherwise read recipients
                # back out of the To and Cc headers.
                refused = smtp.send_message(messages[draft.key], from_addr=draft.sender,
                                            to_addrs=[*draft.to, *draft.cc])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                    smtplib.SMTPDataError, smtplib.SMTPNotSupportedError) as error:
                # The server answered no: nothing was accepted, so a rerun may try again.
                outcome, detail = "failed", _describe(error)
            except (smtplib.SMTPException, OSError) as error:
                lost = error
                outcome = "unknown" if smtp.handed_over else "failed"
                detail = _describe(error)
            except KeyboardInterrupt:
                # Ctrl-C: say what is known (before 354 nothing left), then stop as asked.
                with contextlib.suppress(BuildError):
                    log.result(draft, "unknown" if smtp.handed_over else "failed",
                               "interrupted")
                raise
            else:
                outcome = "sent"
                detail = "; ".join(f"{address}: {code} {text.decode(errors='replace')}"
                                   for address, (code, text) in refused.items())
                detail = f"some recipients refused: {detail}" if detail else None
            try:
                log.result(draft, outcome, detail)
            except BuildError as error:
                if outcome == "sent":
                    sent.append(draft)
                happened = {"sent": "the server accepted", "failed": "the server did not take",
                            "unknown": "no reply came for"}[outcome]
                raise CartaError(_stopped(
                    f"the delivery log could not be written ({error})", sent,
                    f"{happened} {draft.who}, but the log could not record it: the next run "
                    "shows it as unknown and does not send it again unless you add "
                    "--resend-unknown", rest)) from None
            if outcome == "sent":
                sent.append(draft)
                result.sent += 1
                report("sent", draft, detail or "")
            elif outcome == "failed":
                result.failed += 1
                report("failed", draft, detail or "")
            else:
                result.unknown.append(draft)
                report("unknown", draft, _unknown_advice(draft, "handed to the server just now"))
            if lost is not None or smtp.sock is None:
                what = (f"{draft.who} was handed over but no reply came, so it may have arrived "
                        "(unknown): it is not sent again unless you add --resend-unknown"
                        if outcome == "unknown" else f"{draft.who} was not sent")
                raise CartaError(_stopped(
                    f"the SMTP server {settings.host}:{settings.port} stopped the conversation "
                    f"({_describe(lost) if lost else detail})", sent, what, rest))
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return result


def _stopped(reason: str, sent: list[Draft], current: str, rest: list[Draft]) -> str:
    """Why a run stopped, and exactly what did and did not go out."""
    done = ", ".join(draft.who for draft in sent) or "none"
    left = ", ".join(draft.who for draft in rest) or "none"
    return (f"stopped: {reason}. Sent in this run: {done}. {current[0].upper()}{current[1:]}. "
            f"Not sent yet: {left}. Run the same command again to send the rest.")


def _unknown_advice(draft: Draft, when: str) -> str:
    return (f"{when} with Message-ID {draft.message_id}, but no reply was recorded, so it may "
            f"have arrived; not sent again. Look for that Message-ID in the sender's sent mail "
            f"or the server's logs, or ask {', '.join(draft.to)}; if it did not arrive, run "
            "again with --resend-unknown")


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{address}: {code} {text.decode(errors='replace')}"
                         for address, (code, text) in error.recipients.items())
    return str(error) or type(error).__name__
