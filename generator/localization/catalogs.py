"""Content catalogs: each translatable piece of a letter is one gettext message, Sphinx-style.

A letter is written in its source language. Its translations live in
content/locale/<locale>/LC_MESSAGES/<letter-id>.po, one message per paragraph, heading, list
item, note and short field. The message context names the kind of field ("paragraph",
"demand:<id>"), so equal texts in two places stay two messages while inserting a paragraph does
not disturb the others.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.catalog import Message as CatalogEntry
from babel.messages.pofile import PoFileError, read_po, write_po

from ..content import blocks, checks
from ..content.blocks import Slot
from ..core.errors import ContentError, Problem, Rank
from ..core.model import Letter
from ..core.project import Project, Unreadable, read_content_file
from ..core.write import safe_folder, write_atomic

# A catalog holds a letter's texts once more, with comments: ten times the letter file's
# limit leaves room for notes and obsolete entries, and still bounds what is read.
MAX_CATALOG_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Message:
    context: str  # what kind of field, and which one: "paragraph", "demand:reagendar-mision"
    text: str  # the source text (Markdown)
    field: str  # where it stands in the letter file: "body[3].paragraph"
    slot: Slot  # the text as the block declarations walk it


def messages(letter: Letter) -> list[Message]:
    """Every translatable text of `letter`, in reading order, through the one walk that
    validation and rendering use too (generator/content/blocks.py)."""
    slots = list(blocks.letter_texts(letter))
    return [Message(context, slot.text, slot.field, slot)
            for slot, context in zip(slots, blocks.message_contexts(slots), strict=True)]


def catalog_path(project: Project, letter_id: str, locale: str) -> Path:
    return project.content / "locale" / locale / "LC_MESSAGES" / f"{letter_id}.po"


def template(letter: Letter) -> Catalog:
    """The letter's messages as a gettext template (what a .pot file holds)."""
    catalog = Catalog(project=letter.id, version=None, charset="utf-8", fuzzy=False)
    for message in messages(letter):
        catalog.add(message.text, context=message.context, auto_comments=[message.field])
    return catalog


def read_catalog(project: Project, path: Path,
                 locale: str) -> tuple[Catalog | None, list[Problem]]:
    """The PO file at `path`, or None and a problem when it cannot be read. Read under the
    same rule as the letters: a regular file inside the project, of bounded size."""
    shown_as = project.shown(path)
    try:
        data = read_content_file(path, (project.root, project.content), MAX_CATALOG_BYTES,
                                 "a PO catalog")
        return read_po(BytesIO(data), locale=locale, abort_invalid=True), []
    except FileNotFoundError:
        return None, []
    except Unreadable as error:
        return None, [Problem(shown_as, None, None, "", str(error), rank=Rank.UNREADABLE)]
    except (PoFileError, ValueError, UnicodeDecodeError, OSError) as error:
        return None, [Problem(shown_as, getattr(error, "lineno", None), None, "",
                              f"not a readable PO catalog: {error}", rank=Rank.UNREADABLE)]


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


# What adds translator comments to a catalog just updated: (letter, locale, catalog) -> None.
Annotator = Callable[[Letter, str, Catalog], None]


def update(project: Project, letter: Letter, locale: str,
           annotate: Annotator | None = None) -> UpdateResult:
    """Merge the letter's current messages into its catalog for `locale`.

    New texts are added untranslated; changed texts keep their old translation marked fuzzy
    (with the previous source text shown to the translator); removed texts become obsolete.
    `annotate` adds comments of the caller's to the messages (the glossary's terms).
    """
    path = catalog_path(project, letter.id, locale)
    catalog, problems = read_catalog(project, path, locale)
    if problems:
        raise ContentError(problems)
    created = catalog is None
    if catalog is None:
        catalog = Catalog(locale=locale, project=letter.id, version=None, charset="utf-8",
                          fuzzy=False)
    before = {(m.id, m.context) for m in catalog if m.id}
    catalog.update(template(letter), update_creation_date=False)
    if annotate is not None:
        annotate(letter, locale, catalog)
    catalog.header_comment = HEADER.format(locale=locale, letter=letter.id)
    catalog.fuzzy = False  # the header; messages keep their own flags
    catalog.msgid_bugs_address = ""
    catalog.project = letter.id
    catalog.version = ""  # no carta version: an upgrade must not touch every catalog
    current = [m for m in catalog if m.id]
    # content/locale or content/locale/<l> committed as a symbolic link would carry the
    # write out of the project: every folder below content/ must be a real one.
    safe_folder(project.content, path.parent)
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


def open_translation(project: Project, letter,
                     locale: str) -> tuple[Translation | None, list[Problem]]:
    """The translation of `letter` (or of a response) into `locale`, and the problems met
    reading its catalog; None in the letter's own language. A catalog that is missing or
    unreadable gives a Translation without a catalog: every text is then untranslated."""
    if locale == letter.language:
        return None, []
    path = catalog_path(project, letter.id, locale)
    found, problems = read_catalog(project, path, locale)
    return Translation(letter, locale, found, project.shown(path)), problems


class Translation:
    """Looks up a letter's texts in one locale's catalog and reports what it cannot find."""

    def __init__(self, letter: Letter, locale: str, catalog: Catalog | None, shown_as: str):
        self.letter = letter
        self.locale = locale
        self.catalog = catalog
        self.shown_as = shown_as
        used = {(m.text, m.context) for m in messages(letter)}
        self._unused = [m for m in (catalog or ()) if m.id and (m.id, m.context) not in used]

    def entry(self, message: Message) -> CatalogEntry | None:
        return self.catalog.get(message.text, context=message.context) if self.catalog else None

    def status(self, message: Message) -> tuple[str, str | None]:
        """("translated", text), ("fuzzy", None), ("stale", None) or ("untranslated", None)."""
        entry = self.entry(message)
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
    translated: dict[tuple, tuple[str, str | None]] = {}
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
    defined = {reference.id for reference in letter.references}
    for message in messages(letter):
        status, text = (translation.status(message) if translation and translation.catalog
                        else ("untranslated", None))
        if status == "translated":
            translated[message.slot.target] = (text, None)
            # A translation is checked like the source, and must cite the same notes.
            entry = translation.entry(message)
            for found in checks.translation_problems(message.slot, text, defined, letter.draft):
                problems.append(Problem(
                    translation.shown_as, entry.lineno if entry else None, None, message.field,
                    f"msgctxt \"{message.context}\": {found}"))
            continue
        translated[message.slot.target] = (message.text, letter.language)
        first_words = " ".join(message.text.split()[:6])
        detail = f"{message.field}: {locale} {EXPLAIN[status]} (\"{first_words}…\")"
        if allow_untranslated:
            if translation is not None and translation.catalog is not None:
                warnings.append(f"{letter.id}: {detail}; using the {letter.language} text")
        else:
            problems.append(Problem(translation.shown_as, None, None, message.field,
                                    f"{locale} {EXPLAIN[status]} (\"{first_words}…\"); run "
                                    "'carta i18n update' and revise the catalog"))
    return blocks.apply_texts(letter, translated), problems, warnings
