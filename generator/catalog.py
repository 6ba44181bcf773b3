"""Content catalogs: each translatable piece of a letter is one gettext message, Sphinx-style.

A letter is written in its source language. Its translations live in
content/locale/<locale>/LC_MESSAGES/<letter-id>.po, one message per paragraph, heading, list
item, note and short field. The message context names the kind of field ("paragraph",
"demand:<id>"), so equal texts in two places stay two messages while inserting a paragraph does
not disturb the others.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po

from .errors import Problem
from .model import DemandList, DemandStatusList, GrievanceList, Heading, Letter, Paragraph
from .project import Project
from .write import write_atomic


@dataclass(frozen=True)
class Message:
    context: str  # what kind of field, and which one: "paragraph", "demand:reagendar-mision"
    text: str  # the source text (Markdown)
    field: str  # where it stands in the letter file: "body[3].paragraph"


def messages(letter: Letter) -> list[Message]:
    """Every translatable text of `letter`, in reading order."""
    found: list[tuple[str, str, str]] = []
    for key in ("place", "subject", "closing"):
        if getattr(letter, key):
            found.append((key, getattr(letter, key), key))
    for index, block in enumerate(letter.body, start=1):
        if isinstance(block, Paragraph | Heading):
            kind = "paragraph" if isinstance(block, Paragraph) else "heading"
            found.append((kind, block.text, f"body[{index}].{kind}"))
        elif isinstance(block, GrievanceList | DemandList):
            kind = "grievance" if isinstance(block, GrievanceList) else "demand"
            for number, item in enumerate(block.items, start=1):
                found.append((f"{kind}:{item.id}", item.text, f"body[{index}].{kind}s[{number}]"))
        elif isinstance(block, DemandStatusList):
            # A carried demand keeps the context of the letter that raised it, so that its
            # translation can be copied from that letter's catalog.
            for number, item in enumerate(block.items, start=1):
                field = f"body[{index}].demand_status[{number}]"
                found.append((f"demand:{item.id}", item.text, field))
                if item.note:
                    found.append((f"status-note:{item.id}", item.note, f"{field}.note"))
    for number, reference in enumerate(letter.references, start=1):
        found.append((f"reference:{reference.id}", reference.text, f"references[{number}]"))
    for number, tier in enumerate(letter.signatures.tiers if letter.signatures else (), 1):
        if tier.title:
            found.append((f"tier:{number}", tier.title, f"signatories.tiers[{number}].title"))
    # Equal texts of the same kind stay separate messages: the second is "paragraph (2)".
    seen: dict[tuple[str, str], int] = {}
    result = []
    for context, text, field in found:
        count = seen[(context, text)] = seen.get((context, text), 0) + 1
        result.append(Message(context if count == 1 else f"{context} ({count})", text, field))
    return result


def catalog_path(project: Project, letter_id: str, locale: str) -> Path:
    return project.content / "locale" / locale / "LC_MESSAGES" / f"{letter_id}.po"


def template(letter: Letter) -> Catalog:
    """The letter's messages as a gettext template (what a .pot file holds)."""
    catalog = Catalog(project=letter.id, version=None, charset="utf-8", fuzzy=False)
    for message in messages(letter):
        catalog.add(message.text, context=message.context, auto_comments=[message.field])
    return catalog


def read_catalog(path: Path, locale: str, shown_as: str) -> tuple[Catalog | None, list[Problem]]:
    """The PO file at `path`, or None and a problem when it cannot be read."""
    try:
        with path.open("rb") as stream:
            return read_po(stream, locale=locale, abort_invalid=True), []
    except FileNotFoundError:
        return None, []
    except (PoFileError, ValueError, UnicodeDecodeError, OSError) as error:
        return None, [Problem(shown_as, getattr(error, "lineno", None), None, "",
                              f"not a readable PO catalog: {error}")]


def catalog_bytes(catalog: Catalog) -> bytes:
    stream = BytesIO()
    write_po(stream, catalog, width=100, include_previous=True, sort_output=False)
    return stream.getvalue()


HEADER = """\
# {locale} translation of the letter {letter}.
# Translate each msgstr with any PO editor (Poedit, Weblate, a text editor), then run
# 'carta check'. 'carta i18n update' keeps this file in step with the letter: new texts are
# added, changed ones are marked fuzzy (with the previous text), removed ones become obsolete.
#"""


@dataclass(frozen=True)
class UpdateResult:
    path: Path
    created: bool
    added: int
    fuzzy: int
    obsolete: int


def update(project: Project, letter: Letter, locale: str) -> UpdateResult:
    """Merge the letter's current messages into its catalog for `locale`.

    New texts are added untranslated; changed texts keep their old translation marked fuzzy
    (with the previous source text shown to the translator); removed texts become obsolete.
    """
    path = catalog_path(project, letter.id, locale)
    catalog, problems = read_catalog(path, locale, project.shown(path))
    if problems:
        from .errors import ContentError

        raise ContentError(problems)
    created = catalog is None
    if catalog is None:
        catalog = Catalog(locale=locale, project=letter.id, version=None, charset="utf-8",
                          fuzzy=False)
    before = {(m.id, m.context) for m in catalog if m.id}
    catalog.update(template(letter), update_creation_date=False)
    catalog.header_comment = HEADER.format(locale=locale, letter=letter.id)
    catalog.fuzzy = False  # the header; messages keep their own flags
    catalog.msgid_bugs_address = ""
    catalog.project = letter.id
    catalog.version = ""  # no carta version: an upgrade must not touch every catalog
    current = [m for m in catalog if m.id]
    write_atomic(path, catalog_bytes(catalog))
    return UpdateResult(
        path, created,
        added=sum(1 for m in current if (m.id, m.context) not in before and not m.fuzzy),
        fuzzy=sum(1 for m in current if m.fuzzy),
        obsolete=len(catalog.obsolete),
    )


@dataclass(frozen=True)
class Stats:
    letter_id: str
    locale: str
    translated: int
    fuzzy: int
    untranslated: int

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> int:
        return 100 * self.translated // self.total if self.total else 100


class Translation:
    """Looks up a letter's texts in one locale's catalog and reports what it cannot find."""

    def __init__(self, letter: Letter, locale: str, catalog: Catalog | None, shown_as: str):
        self.letter = letter
        self.locale = locale
        self.catalog = catalog
        self.shown_as = shown_as
        used = {(m.text, m.context) for m in messages(letter)}
        self._unused = [m for m in (catalog or ()) if m.id and (m.id, m.context) not in used]

    def status(self, message: Message) -> tuple[str, str | None]:
        """("translated", text), ("fuzzy", None), ("stale", None) or ("untranslated", None)."""
        entry = self.catalog.get(message.text, context=message.context) if self.catalog else None
        if entry is not None and entry.string and not entry.fuzzy:
            return "translated", entry.string
        if entry is not None and entry.fuzzy:
            return "fuzzy", None
        base = message.context.split(" (")[0]
        candidates = [m.id for m in self._unused if (m.context or "").split(" (")[0] == base
                      and m.string]
        if base != "paragraph" and base != "heading" and candidates:
            return "stale", None  # same id (a demand, a note) with another source text
        if difflib.get_close_matches(message.text, candidates, n=1, cutoff=0.6):
            return "stale", None
        return "untranslated", None

    def counts(self) -> Stats:
        statuses = [self.status(message)[0] for message in messages(self.letter)]
        return Stats(self.letter.id, self.locale, statuses.count("translated"),
                     statuses.count("fuzzy") + statuses.count("stale"),
                     statuses.count("untranslated"))


EXPLAIN = {
    "fuzzy": "translation is marked fuzzy: the source text changed since it was translated",
    "stale": "translation is stale: the source text changed since it was translated",
    "untranslated": "not translated yet",
}


def localize(letter: Letter, locale: str, translation: Translation | None,
             allow_untranslated: bool) -> tuple[Letter, list[Problem], list[str]]:
    """The letter with its texts in `locale`: (letter, problems, fallback warnings).

    A text with no usable translation is a problem, unless `allow_untranslated`: then the
    source text is used, marked with the source language so hyphenation and screen readers
    stay right, and a warning is returned for it.
    """
    if locale == letter.language:
        return letter, [], []
    problems: list[Problem] = []
    warnings: list[str] = []
    translated: dict[str, tuple[str, str | None]] = {}
    if translation is None or translation.catalog is None:
        if not allow_untranslated:
            where = translation.shown_as if translation else locale
            return letter, [Problem(
                where, None, None, "",
                f"no {locale} catalog for letter '{letter.id}'; run 'carta i18n update "
                f"{letter.id} --locale {locale}' and translate it, or build with "
                "--allow-untranslated")], []
        warnings.append(f"{letter.id}: no {locale} catalog; every text falls back to "
                        f"{letter.language}")
    for message in messages(letter):
        status, text = (translation.status(message) if translation and translation.catalog
                        else ("untranslated", None))
        if status == "translated":
            translated[message.field] = (text, None)
            continue
        translated[message.field] = (message.text, letter.language)
        first_words = " ".join(message.text.split()[:6])
        detail = f"{message.field}: {locale} {EXPLAIN[status]} (\"{first_words}…\")"
        if allow_untranslated:
            if translation is not None and translation.catalog is not None:
                warnings.append(f"{letter.id}: {detail}; using the {letter.language} text")
        else:
            problems.append(Problem(translation.shown_as, None, None, message.field,
                                    f"{locale} {EXPLAIN[status]} (\"{first_words}…\"); run "
                                    "'carta i18n update' and revise the catalog"))
    return _apply(letter, translated), problems, warnings


def _apply(letter: Letter, translated: dict[str, tuple[str, str | None]]) -> Letter:
    """A copy of `letter` whose texts are replaced by field, each with its language if other."""

    def text_of(field: str, item):
        text, lang = translated[field]
        return dataclasses.replace(item, text=text, lang=lang)

    body = []
    for index, block in enumerate(letter.body, start=1):
        if isinstance(block, Paragraph | Heading):
            kind = "paragraph" if isinstance(block, Paragraph) else "heading"
            body.append(text_of(f"body[{index}].{kind}", block))
        elif isinstance(block, DemandStatusList):
            items = []
            for number, item in enumerate(block.items, start=1):
                item = text_of(f"body[{index}].demand_status[{number}]", item)
                if item.note:
                    note, note_lang = translated[f"body[{index}].demand_status[{number}].note"]
                    item = dataclasses.replace(item, note=note, note_lang=note_lang)
                items.append(item)
            body.append(dataclasses.replace(block, items=tuple(items)))
        else:
            kind = "grievance" if isinstance(block, GrievanceList) else "demand"
            body.append(dataclasses.replace(block, items=tuple(
                text_of(f"body[{index}].{kind}s[{number}]", item)
                for number, item in enumerate(block.items, start=1))))
    references = tuple(text_of(f"references[{number}]", reference)
                       for number, reference in enumerate(letter.references, start=1))
    fields = {key: translated[key][0] for key in ("place", "subject", "closing")
              if key in translated}
    if letter.signatures:
        fields["signatures"] = dataclasses.replace(letter.signatures, tiers=tuple(
            dataclasses.replace(tier, title=translated[key][0], lang=translated[key][1])
            if (key := f"signatories.tiers[{number}].title") in translated else tier
            for number, tier in enumerate(letter.signatures.tiers, start=1)))
    return dataclasses.replace(letter, body=tuple(body), references=references, **fields)
