"""`carta followup LETTER --reminder`: a reminder letter to each recipient whose reply is overdue.

Each reminder is an ordinary letter file that follows the letter it reminds of: it cites that
letter's date, its deadline and the days since, in phrases from the template catalogs
(templates/reminder.txt, in every locale the project builds), and carries the demands still
open that were asked of that recipient (a list `to:` another recipient, or `only_for`
others, is left out), with their statuses (a `demand_status` block, whose texts come from
the campaign). Its catalogs get those phrases' translations and the carried texts', so it
checks and builds as written; edit it like any letter first if you like.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from ..campaign import chains
from ..campaign.assemble import validate
from ..campaign.deadlines import Calendar
from ..campaign.status import OVERDUE, awaited
from ..core.errors import CartaError
from ..core.model import Demand
from ..core.project import Project
from ..core.write import write_new
from ..localization import locales
from ..rendering.render import Renderer
from .followup import carried_settings, quoted, write_catalogs

PHRASES_TEMPLATE = "reminder.txt"


@dataclass(frozen=True)
class Reminded:
    letter: Path
    recipient: str
    days: int
    carried: int
    catalogs: list[tuple[Path, int, int]]


def reminder_id(date: datetime.date, recipient: str) -> str:
    return f"{date.isoformat()}-recordatorio-{recipient}"


def remind(project: Project, letter_id: str, date: datetime.date) -> list[Reminded]:
    """Write one reminder per recipient of `letter_id` whose reply is overdue on `date`;
    never overwrite a file. Returns what was written (nothing when no reply is overdue)."""
    content = validate(project, drafts=True)
    letters = {letter.id: letter for letter in content.letters}
    if letter_id not in letters:
        raise CartaError(f"no letter '{letter_id}'; expected one of: {', '.join(sorted(letters))}")
    earlier = letters[letter_id]
    if not earlier.reply_by:
        raise CartaError(f"{earlier.shown_as}: the letter has no reply_by, so no reply can be "
                         "overdue; add one (a date, or such as '30 days'), or write a "
                         "follow-up with 'carta followup --date'")
    late = [wait for wait in awaited(content, date, Calendar.of(project.settings),
                                     project.settings.locales[0])
            if wait.letter.id == letter_id and wait.state == OVERDUE]
    paths = {wait.recipient: project.letters_dir / f"{reminder_id(date, wait.recipient)}.yaml"
             for wait in late}
    taken = [path for path in paths.values()
             if path.exists() or path.stem in letters]
    if taken:
        raise CartaError(f"{', '.join(project.shown(path) for path in taken)} already exists; "
                         "nothing was changed")
    open_now = chains.open_demands(earlier, letters, content.responses, until=date)
    phrases = _Phrases(project, earlier.language)
    written = []
    for wait in late:
        recipient = next(each for each in earlier.recipients if each.id == wait.recipient)
        demands = [demand for demand in open_now
                   if addressed_to(demand.id, recipient, chains.chain(earlier, letters))]
        texts = {locale: phrases.texts(locale, earlier, wait.due, date, letters)
                 for locale in dict.fromkeys([earlier.language, *project.settings.locales])}
        source = texts[earlier.language]
        path = paths[wait.recipient]
        write_new(path, _yaml(earlier, path.stem, date, wait, source, demands)
                  .encode("utf-8"))
        new_letter = validate(project, (path.stem,), drafts=True).letters[0]
        # Each phrase's translation, keyed by its text in the letter's language.
        own = {locale: {source[key]: text for key, text in found.items() if key in source}
               for locale, found in texts.items() if locale != earlier.language}
        sources = [*chains.chain(earlier, letters), *content.responses]
        written.append(Reminded(path, wait.recipient, (date - earlier.date).days, len(demands),
                                write_catalogs(project, new_letter, sources, own)))
    return written


def addressed_to(ident: str, recipient, campaign) -> bool:
    """Whether the demand `ident`, as the letter that raised it wrote it, asks `recipient`:
    a list addressed (`to:`) to another recipient, or kept for others' copies (`only_for`),
    does not. A `to:` that names no recipient (a text lead-in) asks every one."""
    for letter in campaign:
        for block in letter.body:
            if any(isinstance(item, Demand) and item.id == ident
                   for item in getattr(block, "items", ())):
                named = getattr(block, "to_recipient", None)
                if named and named != recipient.id:
                    return False
                only_for = getattr(block, "only_for", ())
                return not only_for or recipient.matches(only_for)
    return True  # not raised in this campaign's letters: nothing says whom it leaves out


class _Phrases:
    """The reminder's phrases in any locale, from templates/reminder.txt and its catalogs."""

    def __init__(self, project: Project, language: str):
        self.renderer = Renderer(project)
        self.project = project
        self.language = language

    def texts(self, locale: str, earlier, due: datetime.date, date: datetime.date,
              letters) -> dict[str, str]:
        module = self.renderer.environment(locale).get_template(PHRASES_TEMPLATE).module
        found = {
            "opening": str(module.opening(locales.format_date(earlier.date, locale),
                                          locales.format_date(due, locale),
                                          (date - earlier.date).days)).strip(),
            "closing": str(module.closing()).strip(),
        }
        subject = earlier.subject if locale == earlier.language else \
            _translated(self.project, earlier, locale, "subject")
        if subject:  # an untranslated subject leaves the reminder's untranslated too
            found["subject"] = str(module.subject(subject)).strip()
        return found


def _translated(project: Project, letter, locale: str, context: str) -> str | None:
    """A short field of `letter` in `locale`, from its catalog; None when untranslated."""
    from ..localization import catalogs

    found, _ = catalogs.read_catalog(project, catalogs.catalog_path(project, letter.id, locale),
                                     locale)
    text = getattr(letter, context)
    for message in found or ():
        if message.context == context and message.id == text and message.string \
                and not message.fuzzy:
            return message.string
    return None


def _yaml(earlier, new_id: str, date: datetime.date, wait, phrases: dict[str, str],
          demands) -> str:
    """The reminder's YAML: the letter's settings (sender, signatories, closing...), one
    recipient, the phrases, and the open demands with their statuses."""
    lines = [
        f"# Reminder of {earlier.id} ({earlier.date.isoformat()}) to {wait.recipient}, whose "
        f"reply was due by {wait.due.isoformat()};",
        "# drafted by carta followup --reminder. Edit it as any letter; 'carta check' and "
        "'carta build' take it as it is.",
        f"id: {new_id}",
        f"date: {date.isoformat()}",
        f"language: {earlier.language}",
        f"follows: {earlier.id}",
        f"sender: {earlier.sender.id}",
        f"recipients: [{wait.recipient}]",
    ]
    # A reminder has its own subject and no headline; the rest is the letter's.
    lines += [line for line in carried_settings(earlier)
              if not line.startswith(("subject:", "title:"))]
    if "subject" in phrases:  # "Reminder: <the letter's subject>"
        lines.append(f"subject: {quoted(phrases['subject'])}")
    lines += ["", "body:", f"  - paragraph: {quoted(phrases['opening'])}"]
    if demands:
        lines.append("  - demand_status:")
        for demand in demands:
            lines += [f"      - id: {demand.id}", f"        status: {demand.status}"]
    lines += [f"  - paragraph: {quoted(phrases['closing'])}", ""]
    return "\n".join(lines)
