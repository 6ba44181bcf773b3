"""Responses received: content/responses/<id>.yaml, read and checked against the campaign.

A campaign is a conversation. Each response the coalition receives is recorded as content: when
it came, who sent it (a recipient id), which letter it answers, the document itself (a PDF or
an .eml kept under content/), a short summary, and for each demand it speaks to the status it
implies, a note, and optionally an excerpt quoted with its page. Statuses set by responses
count in the campaign as letters' statuses do (the tracker, `carta followup`); a later letter
cites a response with the body block `response_summary: <id>` (generator/content/blocks.py),
filled in by generator/campaign/assemble.py.

A response is read under the same rules as a letter (content rule, located problems,
placeholders refused by `carta check`), and its summary and notes are translated through the
same kind of catalog: content/locale/<locale>/LC_MESSAGES/<response-id>.po. To reuse that
machinery whole (generator/localization/catalogs.py), a Response keeps its texts as a letter
keeps them, in `body`: a ResponseSummary block and a DemandStatusList, walked by
generator/content/blocks.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from ..content import checks
from ..content.load import SourceMap, load_content
from ..content.reader import Reader, describe, did_you_mean, listing
from ..core.errors import Problem
from ..core.model import (
    DEMAND_STATUSES,
    CarriedDemand,
    DemandStatusList,
    Letter,
    Quote,
    Recipient,
    ResponseSummary,
)
from ..core.project import Project, Unreadable, read_content_file
from ..localization import catalogs
from . import chains, documents

RESPONSES_DIR = "responses"
RESPONSE_FIELDS = ("id", "date", "from", "replies_to", "language", "summary", "document",
                   "searchable", "demands")
RESPONSE_REQUIRED = ("id", "date", "from", "replies_to", "summary", "document")
DEMAND_FIELDS = ("id", "status", "note", "quote", "page")
# What a received document may be: a PDF (a letter on paper, scanned or not), or the e-mail
# itself with its attachments. Both are kept as they came: the archive proves their bytes.
DOCUMENT_TYPES = {".pdf": b"%PDF-", ".eml": None}
# A received PDF of many scanned pages is large; beyond this it is probably not a letter.
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024


# The model ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResponseStatus:
    """What a response says about one demand."""

    id: str
    status: str
    note: str | None = None
    note_lang: str | None = None
    quote: Quote | None = None


@dataclass(frozen=True)
class Response:
    id: str
    date: datetime.date
    sender: Recipient  # who answered (`from:`)
    replies_to: str  # the letter it answers
    language: str
    document: Path  # the received PDF or .eml, under content/
    source: Path  # the YAML file
    # The translatable texts, as a letter holds them (see the module docstring): a
    # ResponseSummary, then a DemandStatusList whose items carry status and note.
    body: tuple = ()
    quotes: dict[str, Quote] = field(default_factory=dict)
    searchable: Path | None = None  # a PDF/A made by OCR (carta response add --ocr)
    draft: bool = False  # it still holds placeholders
    positions: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    shown_as: str = field(default="", compare=False)
    # What a Letter has and a response has not, for the walks of generator/content/blocks.py.
    postscript: tuple = ()
    references: tuple = ()
    signatures: None = None

    @property
    def summary(self) -> str:
        return self.body[0].summary

    @property
    def summary_lang(self) -> str | None:
        return self.body[0].summary_lang

    @property
    def demands(self) -> tuple[ResponseStatus, ...]:
        return tuple(ResponseStatus(item.id, item.status, item.note, item.note_lang,
                                    self.quotes.get(item.id))
                     for item in self.body[1].items)

    @property
    def column(self) -> str:
        """Its key among letter ids in the campaign tracker (ids are slugs: no colon)."""
        return f"reply:{self.id}"


# Reading and checking ----------------------------------------------------------------------

def response_files(project: Project) -> list[Path]:
    folder = project.content / RESPONSES_DIR
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))


@dataclass
class Campaign:
    """What a response is checked against."""

    project: Project
    letters: dict[str, Letter]  # valid letters, resolved
    letter_ids: set[str]  # every letter file's id, valid or not
    recipients: dict[str, Recipient]
    drafts: bool


def read_response(loaded, known: Campaign) -> tuple[Response | None, list[Problem]]:
    """One response's file, checked field by field; (None, problems) when it cannot be used."""
    reader = Reader(loaded.shown_as)
    problems = list(loaded.problems)
    if loaded.data is None and not loaded.problems:
        reader.problem(None, None, "", "the file is empty; expected a reply (id, date, from, "
                                       "replies_to, ...)")
        return None, reader.problems
    top = reader.top_mapping(loaded, "the reply's fields (id, date, from, replies_to, ...)")
    if top is None:
        return None, problems + reader.problems
    reader.check_keys(top, "", RESPONSE_FIELDS, RESPONSE_REQUIRED)

    ident = reader.file_id(top, loaded.path.stem)
    if ident == loaded.path.stem and ident in known.letter_ids:
        # The catalogs of letters and responses share one folder, named by id.
        reader.problem(top, "id", "id", f"'{ident}' is already a letter's id; give the reply "
                                        "an id of its own (its catalog would be the letter's)")
    date = reader.date(top, "date", "date") if "date" in top else None

    sender = None
    if "from" in top:
        value = top["from"]
        if isinstance(value, str) and value in known.recipients:
            sender = known.recipients[value]
        else:
            reader.problem(top, "from", "from",
                           f"unknown recipient {describe(value)}; expected the id of who "
                           f"answered, from content/recipients.yaml "
                           f"({listing(known.recipients)})"
                           + did_you_mean(value, known.recipients))

    letter = None
    replies_to = None
    if "replies_to" in top:
        value = top["replies_to"]
        if isinstance(value, str) and value in known.letter_ids:
            replies_to = value
            letter = known.letters.get(value)  # None: a letter with problems of its own
        else:
            reader.problem(top, "replies_to", "replies_to",
                           f"unknown letter {describe(value)}; expected the id of the letter "
                           f"this replies to, from content/letters "
                           f"({listing(known.letter_ids)})"
                           + did_you_mean(value, known.letter_ids))
    if letter is not None and date is not None and date < letter.date:
        reader.problem(top, "date", "date",
                       f"expected a date on or after {letter.date.isoformat()}, the date of the "
                       f"letter it replies to ({letter.id}), found {date.isoformat()}")

    language = letter.language if letter else known.project.settings.locales[0]
    if "language" in top:
        language = reader.locale_code(top, "language", "language", top["language"])

    positions: dict[str, tuple[int, int]] = {}
    summary = reader.text(top, "summary", "summary") if "summary" in top else None
    positions["body[1].response_summary"] = top.position("summary")
    document = _document(reader, known.project, top, "document", DOCUMENT_TYPES)
    searchable = _document(reader, known.project, top, "searchable", {".pdf": b"%PDF-"}) \
        if "searchable" in top else None

    raised = _raised(letter, known.letters) if letter is not None else None
    items, quotes, where = _demands(reader, top, raised, known.drafts) \
        if "demands" in top else ((), {}, [])
    names = _field_names(where)
    for number, (_, position) in enumerate(where, start=1):
        positions[f"body[2].demand_status[{number}].note"] = position

    body = (ResponseSummary(ident or "", summary or ""), DemandStatusList(items))
    parts = dataclasses.replace(_EMPTY, body=body)
    problems += reader.problems
    # Texts go through the checks of letters' texts (placeholders, one paragraph, links).
    problems += [dataclasses.replace(problem, field=names.get(problem.field, problem.field))
                 for problem in checks.letter_problems(parts, loaded.shown_as, positions,
                                                       known.drafts)]
    if problems or None in (ident, date, sender, replies_to, language, summary, document):
        return None, problems
    return Response(
        id=ident, date=date, sender=sender, replies_to=replies_to, language=language,
        document=document, source=loaded.path, body=body, quotes=quotes,
        searchable=searchable,
        draft=checks.has_placeholders(parts) or any(
            checks.PLACEHOLDER.search(quote.text) for quote in quotes.values()),
        positions=positions, shown_as=loaded.shown_as), problems


# An empty response, for checking the texts of one being read.
_EMPTY = Response("", datetime.date.min, Recipient("", {}), "", "", Path(), Path())


def _field_names(where: list[tuple[int, tuple[int, int]]]) -> dict[str, str]:
    """The fields of the walk (blocks.py), as the response's file names them. `where` holds, for
    each demand read, its number in the file (one that could not be read has no item)."""
    names = {"body[1].response_summary": "summary"}
    for number, (written, _) in enumerate(where, start=1):
        names[f"body[2].demand_status[{number}].note"] = f"demands[{written}].note"
    return names


def _raised(letter: Letter, letters: dict[str, Letter]) -> dict[str, str]:
    """The demands a response to `letter` can speak to: those raised up to it. id -> text."""
    return {demand.id: demand.text for each in chains.chain(letter, letters)
            for demand in each.demands()}


def _demands(reader: Reader, top: SourceMap, raised: dict[str, str] | None, drafts: bool):
    """`demands:` each with id, status, and optionally note, quote and page: the items read,
    their quotes by id, and for each item its number in the file and its note's position."""
    items = reader.items(top, "demands", "demands", top["demands"],
                         "a list of demands, each with id and status")
    found: list[CarriedDemand] = []
    quotes: dict[str, Quote] = {}
    seen: dict[str, int] = {}
    where: list[tuple[int, tuple[int, int]]] = []
    for index, entry in enumerate(items or ()):
        field = f"demands[{index + 1}]"
        item = reader.mapping(items, index, field, entry, "a mapping with id and status")
        if item is None:
            continue
        reader.check_keys(item, field, DEMAND_FIELDS, ("id", "status"))
        ident = reader.item_id(item, field, seen, items, index, "demand")
        if ident is not None and raised is not None and ident not in raised:
            reader.problem(item, "id", f"{field}.id",
                           f"unknown demand '{ident}'; expected a demand raised by the letter "
                           f"this replies to or one it follows ({', '.join(raised) or 'none'})"
                           + did_you_mean(ident, raised))
            ident = None
        status = reader.choice(item, "status", f"{field}.status", DEMAND_STATUSES) \
            if "status" in item else None
        note = reader.optional_text(item, "note", f"{field}.note")
        quote = reader.optional_text(item, "quote", f"{field}.quote")
        if quote is not None and not drafts and checks.PLACEHOLDER.search(quote):
            reader.problem(item, "quote", f"{field}.quote",
                           f"placeholder not filled yet: {checks.PLACEHOLDER.search(quote)[0]};"
                           " quote the document word for word, or remove the quote")
        page = _page(reader, item, field) if "page" in item else None
        if page is not None and quote is None:
            reader.problem(item, "page", f"{field}.page",
                           "a page without a quote; add 'quote:' with the excerpt from that "
                           "page, or remove 'page'")
        if ident is not None and status is not None:
            found.append(CarriedDemand(ident, status, note))
            where.append((index + 1, item.position("note")))
            if quote is not None:
                quotes[ident] = Quote(ident, quote, page)
    return tuple(found), quotes, where


def _page(reader: Reader, item: SourceMap, field: str) -> int | None:
    value = item["page"]
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100_000:
        return value
    reader.problem(item, "page", f"{field}.page",
                   f"expected the page number of the quote (1, 2, ...), found {describe(value)}")
    return None


def _document(reader: Reader, project: Project, top: SourceMap, key: str,
              types: dict[str, bytes | None]) -> Path | None:
    """A received file named relative to content/: it must be there, a regular file inside
    content/ (never through a link out of it), of a kind carta keeps."""
    name = reader.text(top, key, key) if key in top else None
    if name is None:
        return None
    path = project.content / name
    kinds = " or ".join(types)
    if path.suffix.lower() not in types:
        reader.problem(top, key, key, f"expected a {kinds} file relative to content/, found "
                                      f"'{name}'")
        return None
    try:
        head = _peek(path, project.content, f"a {kinds} file")
    except FileNotFoundError:
        reader.problem(top, key, key, f"expected a {kinds} file relative to content/, found "
                                      f"no such file at '{project.shown(path)}'")
        return None
    except Unreadable as error:
        reader.problem(top, key, key, str(error))
        return None
    magic = types[path.suffix.lower()]
    if magic is not None and not head.startswith(magic):
        reader.problem(top, key, key, f"expected a PDF (it starts with %PDF-), found '{name}', "
                                      "which is not one")
        return None
    if magic is None and b":" not in head.split(b"\n", 1)[0]:
        reader.problem(top, key, key, f"expected an e-mail message (.eml, headers first), "
                                      f"found '{name}', which does not start with a header")
        return None
    return path.resolve()


def _peek(path: Path, inside: Path, expected: str) -> bytes:
    """The first bytes of a received document, under the content rule of every content file
    (a regular file whose real path is inside content/, of bounded size), without reading the
    rest: a scan can be large, and `carta check` looks only at its kind."""
    return read_content_file(path, (inside,), MAX_DOCUMENT_BYTES, expected, head=1024)

def read_all(project: Project, known: Campaign,
             letter_ids: set[str] | None = None) -> tuple[list[Response], list[Problem]]:
    """Every valid response in content/responses/, oldest first, and the problems of all of
    them (their translations included). With `letter_ids`, only the responses to those
    letters are read (some letters were chosen: the others' responses are left alone)."""
    problems: list[Problem] = []
    found: list[Response] = []
    named: set[Path] = set()  # the files replies name, valid or not: none is an orphan
    for path in response_files(project):
        loaded = load_content(project, path)
        for key in ("document", "searchable"):
            value = loaded.data.get(key) if isinstance(loaded.data, dict) else None
            if isinstance(value, str):
                # A loop of links or a NUL byte is the field's own problem, reported with it.
                with contextlib.suppress(OSError, RuntimeError, ValueError):
                    named.add((project.content / value).resolve())
        target = loaded.data.get("replies_to") if isinstance(loaded.data, dict) else None
        if letter_ids is not None and target not in letter_ids:
            continue
        response, more = read_response(loaded, known)
        problems += more
        if response is None:
            continue
        problems += _translation_problems(project, response)
        found.append(response)
    if letter_ids is None:  # every reply read: what none of them names is known
        problems += documents.orphans(project, RESPONSES_DIR, named)
    found.sort(key=lambda response: (response.date, response.id))
    return found, problems


# Translations ------------------------------------------------------------------------------

def _translation_problems(project: Project, response: Response) -> list[Problem]:
    """The response's existing translations, checked as letters' translations are; a missing
    one is no problem: the site shows the summary in its own language, marked so."""
    problems = []
    for locale in project.settings.locales:
        if locale == response.language:
            continue
        translation, unreadable = catalogs.open_translation(project, response, locale)
        problems += unreadable
        if translation.catalog is None:
            continue
        names = _field_names([(number, (0, 0)) for number, _ in
                              enumerate(response.body[1].items, start=1)])
        problems += [dataclasses.replace(problem, field=names.get(problem.field, problem.field))
                     for problem in catalogs.localize(response, locale, translation,
                                                     allow_untranslated=True)[1]]
    return problems


def localized(project: Project, response: Response, locale: str) -> Response:
    """The response with its summary and notes in `locale` where translated; elsewhere in its
    own language, marked with it."""
    translation, _ = catalogs.open_translation(project, response, locale)
    if translation is None:  # its own language
        return response
    return catalogs.localize(response, locale, translation, allow_untranslated=True)[0]


def responses_to_campaign(responses, letters) -> list[Response]:
    """The responses to any of `letters`, oldest first."""
    ids = {letter.id for letter in letters}
    return [response for response in responses if response.replies_to in ids]
