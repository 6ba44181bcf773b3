"""Turn loaded YAML into the typed model, collecting every problem before giving up once."""

from __future__ import annotations

import datetime
import difflib
import os
import re
from pathlib import Path

from babel import Locale, UnknownLocaleError

from . import campaign, markdown
from .errors import ContentError, Problem
from .load import SourceList, SourceMap, YamlFile, load_yaml
from .model import (
    DEMAND_STATUSES,
    Block,
    CarriedDemand,
    Content,
    Demand,
    DemandList,
    DemandStatusList,
    Grievance,
    GrievanceList,
    Heading,
    Letter,
    Paragraph,
    Recipient,
    Reference,
    Sender,
    Signatory,
    Signatures,
    Tier,
)
from .project import Project

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
SLUG_MAX = 80
BLOCK_KINDS = ("paragraph", "heading", "grievances", "demands", "demand_status")
# What `carta followup` writes where the author has prose to write.
PLACEHOLDER = re.compile(r"\[\[TODO:[^\]]*\]\]")

LETTER_FIELDS = ("id", "date", "language", "sender", "recipients", "cc", "place", "subject",
                 "closing", "body", "references", "merge", "signatories", "follows")
LETTER_REQUIRED = ("id", "date", "sender", "recipients", "body")
SENDER_FIELDS = ("name", "logo", "address", "email", "url")
RECIPIENT_FIELDS = ("name", "salutation", "role", "organization", "address", "email", "locales",
                    "tags")
SIGNATORY_FIELDS = ("kind", "name", "country", "url", "logo", "affiliation")
SIGNATORY_KINDS = ("organization", "individual")
SIGNATURE_FIELDS = ("order", "logos", "tiers")
SIGNATURE_ORDERS = ("as-listed", "alphabetical")
# A paragraph of 20,000 characters is about four printed pages; anything longer is pasted data,
# and Markdown parsing time grows with length.
MAX_TEXT = 20_000
LOGO_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
MAX_LOGO_BYTES = 2 * 1024 * 1024


def describe(value: object) -> str:
    """A short, readable name for what the user wrote, for "found ..." in messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the value {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (key: value pairs)"
    return type(value).__name__


class Reader:
    """Reads the fields of one file and remembers every problem it meets, with its position."""

    def __init__(self, shown_as: str):
        self.shown_as = shown_as
        self.problems: list[Problem] = []

    def problem(self, container: object, key: object, field: str, message: str) -> None:
        line = column = None
        if isinstance(container, SourceMap | SourceList):
            line, column = container.position(key)
        self.problems.append(Problem(self.shown_as, line, column, field, message))

    def check_keys(self, mapping: SourceMap, field: str, allowed: tuple[str, ...],
                   required: tuple[str, ...] = ()) -> None:
        """Report missing required keys and unknown keys (a typo must not pass silently)."""
        prefix = f"{field}." if field else ""
        for key in required:
            if key not in mapping:
                self.problem(mapping, None, f"{prefix}{key}", "required field is missing")
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else \
                    f"expected one of: {', '.join(allowed)}"
                self.problem(mapping, key, f"{prefix}{key}", f"unknown field; {hint}")

    def mapping(self, container: object, key: object, field: str, value: object,
                expected: str) -> SourceMap | None:
        if isinstance(value, SourceMap):
            return value
        self.problem(container, key, field, f"expected {expected}, found {describe(value)}")
        return None

    def items(self, container: object, key: object, field: str, value: object,
              expected: str) -> SourceList | None:
        if isinstance(value, SourceList):
            return value
        self.problem(container, key, field, f"expected {expected}, found {describe(value)}")
        return None

    def too_long(self, container: object, key: object, field: str, value: str) -> bool:
        """Report a text over MAX_TEXT characters; True when it is one."""
        if len(value) <= MAX_TEXT:
            return False
        self.problem(container, key, field,
                     f"expected a text of at most {MAX_TEXT:,} characters, found one of "
                     f"{len(value):,}; split it, or remove pasted data")
        return True

    def text(self, mapping: SourceMap, key: str, field: str) -> str | None:
        """A non-empty single piece of text (numbers are accepted and kept as written)."""
        value = mapping.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return None if self.too_long(mapping, key, field, value) else value.strip()
        self.problem(mapping, key, field, f"expected text, found {describe(value)}")
        return None

    def optional_text(self, mapping: SourceMap, key: str, field: str) -> str | None:
        return self.text(mapping, key, field) if key in mapping else None

    def localized(self, mapping: SourceMap, key: str, field: str) -> dict[str, str]:
        """Text that is either one string or one string per locale ({es: ..., en: ...})."""
        value = mapping.get(key)
        if isinstance(value, str) and value.strip():
            return {} if self.too_long(mapping, key, field, value) else {"": value.strip()}
        if isinstance(value, SourceMap) and value:
            texts = {}
            for locale, text in value.items():
                if self.locale_code(value, locale, f"{field}.{locale}", locale) is None:
                    continue
                if isinstance(text, str) and text.strip():
                    if not self.too_long(value, locale, f"{field}.{locale}", text):
                        texts[str(locale)] = text.strip()
                else:
                    self.problem(value, locale, f"{field}.{locale}",
                                 f"expected text, found {describe(text)}")
            return texts
        self.problem(mapping, key, field,
                     "expected text, or one text per locale (es: ..., en: ...), "
                     f"found {describe(value)}")
        return {}

    def lines(self, mapping: SourceMap, key: str, field: str) -> tuple[str, ...]:
        """A list of text lines, or one text whose lines are split (for postal addresses)."""
        value = mapping.get(key)
        if value is None and key not in mapping:
            return ()
        if isinstance(value, str):
            if self.too_long(mapping, key, field, value):
                return ()
            return tuple(line.strip() for line in value.splitlines() if line.strip())
        items = self.items(mapping, key, field, value, "a list of lines")
        if items is None:
            return ()
        result = []
        for index, line in enumerate(items):
            if isinstance(line, str) and line.strip():
                if not self.too_long(items, index, f"{field}[{index + 1}]", line):
                    result.append(line.strip())
            else:
                self.problem(items, index, f"{field}[{index + 1}]",
                             f"expected a line of text, found {describe(line)}")
        return tuple(result)

    def slug(self, container: object, key: object, field: str, value: object) -> str | None:
        if not isinstance(value, str) or not SLUG.match(value) or len(value) > SLUG_MAX:
            self.problem(container, key, field,
                         "expected an id of lowercase letters, digits and single hyphens "
                         f"(at most {SLUG_MAX} characters, like 'demand-1'), found "
                         f"{describe(value)}")
            return None
        return value

    def date(self, mapping: SourceMap, key: str, field: str) -> datetime.date | None:
        value = mapping.get(key)
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError as error:
                reason = f" ({error})" if re.fullmatch(r"\d{4}-\d\d-\d\d", value.strip()) else ""
                self.problem(mapping, key, field,
                             f"expected a date as YYYY-MM-DD, found {describe(value)}{reason}")
                return None
        self.problem(mapping, key, field,
                     f"expected a date as YYYY-MM-DD, found {describe(value)}")
        return None

    def locale_code(self, container: object, key: object, field: str,
                    value: object) -> str | None:
        if isinstance(value, str):
            try:
                Locale.parse(value.replace("-", "_"))
                return value.replace("-", "_")
            except (UnknownLocaleError, ValueError):
                pass
        self.problem(container, key, field,
                     f"expected a locale code such as es, en or fr, found {describe(value)}")
        return None


def _check_unique(reader: Reader, seen: dict[str, int], ident: str, items: SourceList,
                  index: int, field: str, kind: str) -> None:
    if ident in seen:
        reader.problem(items, index, field,
                       f"duplicate {kind} id '{ident}' (first used at line {seen[ident]}); "
                       "give each one its own id")
    else:
        seen[ident] = items.position(index)[0]


# Senders and recipients -------------------------------------------------------------------

def read_senders(project: Project, loaded: YamlFile) -> tuple[dict[str, Sender], list[Problem]]:
    reader = Reader(loaded.shown_as)
    senders: dict[str, Sender] = {}
    top = _top_mapping(reader, loaded, "one entry per sender id")
    for ident, entry in (top or {}).items():
        if reader.slug(top, ident, str(ident), ident) is None:
            continue
        fields = reader.mapping(top, ident, str(ident), entry, "a mapping with name, logo, ...")
        if fields is None:
            continue
        reader.check_keys(fields, ident, SENDER_FIELDS, ("name",))
        logo = _logo(project, reader, fields, f"{ident}.logo")
        senders[ident] = Sender(
            id=ident,
            name=reader.localized(fields, "name", f"{ident}.name") if "name" in fields else {},
            logo=logo,
            address=reader.lines(fields, "address", f"{ident}.address"),
            email=reader.optional_text(fields, "email", f"{ident}.email"),
            url=reader.optional_text(fields, "url", f"{ident}.url"),
        )
    return senders, reader.problems + list(loaded.problems)


def _logo(project: Project, reader: Reader, fields: SourceMap, field: str) -> Path | None:
    """A logo path, relative to content/, that must be an image file inside the project."""
    if "logo" not in fields:
        return None
    name = reader.text(fields, "logo", field)
    if name is None:
        return None
    given = project.content / name
    try:
        # resolve() follows symlinks, so a link that points out of content/ is caught here too.
        path = given.resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        reader.problem(fields, "logo", field,
                       f"expected an image file relative to content/, found {describe(name)}, "
                       "which leads to no file (a symbolic link loop or a character not "
                       "allowed in file names)")
        return None
    if not path.is_relative_to(project.content.resolve()):
        # Inside content/ by its name but not in fact: a symbolic link points out.
        by_name = Path(os.path.normpath(given)).is_relative_to(project.content)
        what = "a symbolic link that leads" if by_name else "a path that leads"
        reader.problem(fields, "logo", field,
                       f"expected an image file inside content/, found '{name}', {what} "
                       "outside it")
        return None
    if not path.is_file():
        found = "a folder" if path.is_dir() else "no such file"
        reader.problem(fields, "logo", field,
                       f"expected an image file relative to content/, found {found} at "
                       f"'{project.shown(path)}'")
        return None
    if path.suffix.lower() not in LOGO_TYPES:
        reader.problem(fields, "logo", field,
                       f"expected an image ({', '.join(LOGO_TYPES)}), found '{name}'")
        return None
    if path.stat().st_size > MAX_LOGO_BYTES:
        reader.problem(fields, "logo", field,
                       f"expected an image of at most {MAX_LOGO_BYTES // (1024 * 1024)} MB, "
                       f"found {path.stat().st_size / (1024 * 1024):.1f} MB at '{name}'")
        return None
    return path


def read_recipients(loaded: YamlFile) -> tuple[dict[str, Recipient], list[Problem]]:
    reader = Reader(loaded.shown_as)
    recipients: dict[str, Recipient] = {}
    top = _top_mapping(reader, loaded, "one entry per recipient id")
    for ident, entry in (top or {}).items():
        if reader.slug(top, ident, str(ident), ident) is None:
            continue
        fields = reader.mapping(top, ident, str(ident), entry,
                                "a mapping with name, salutation, ...")
        if fields is None:
            continue
        reader.check_keys(fields, ident, RECIPIENT_FIELDS, ("name",))
        locales: tuple[str, ...] = ()
        if "locales" in fields:
            listed = reader.items(fields, "locales", f"{ident}.locales", fields["locales"],
                                  "a list of locale codes such as [es, en]")
            if listed is not None:
                locales = tuple(
                    code for index in range(len(listed))
                    if (code := reader.locale_code(listed, index, f"{ident}.locales[{index + 1}]",
                                                   listed[index]))
                )
        recipients[ident] = Recipient(
            id=ident,
            name=reader.localized(fields, "name", f"{ident}.name") if "name" in fields else {},
            salutation=_optional_localized(reader, fields, "salutation", ident),
            role=_optional_localized(reader, fields, "role", ident),
            organization=_optional_localized(reader, fields, "organization", ident),
            address=reader.lines(fields, "address", f"{ident}.address"),
            email=reader.optional_text(fields, "email", f"{ident}.email"),
            locales=locales,
            tags=_slugs(reader, fields, "tags", f"{ident}.tags", "tag"),
        )
    return recipients, reader.problems + list(loaded.problems)


def _slugs(reader: Reader, fields: SourceMap, key: str, field: str, noun: str) -> tuple[str, ...]:
    """A list of ids or tags (one alone is accepted too)."""
    if key not in fields:
        return ()
    value = fields[key]
    if isinstance(value, str):
        return (value,) if reader.slug(fields, key, field, value) else ()
    listed = reader.items(fields, key, field, value, f"a list of {noun}s such as [a, b]")
    return tuple(ident for index, ident in enumerate(listed or ())
                 if reader.slug(listed, index, f"{field}[{index + 1}]", ident))


def read_signatories(project: Project,
                     loaded: YamlFile) -> tuple[dict[str, Signatory], list[Problem]]:
    """content/signatories.yaml: organisations and people who sign letters."""
    reader = Reader(loaded.shown_as)
    found: dict[str, Signatory] = {}
    top = _top_mapping(reader, loaded, "one entry per signatory id")
    for ident, entry in (top or {}).items():
        if reader.slug(top, ident, str(ident), ident) is None:
            continue
        fields = reader.mapping(top, ident, str(ident), entry,
                                "a mapping with kind and name")
        if fields is None:
            continue
        reader.check_keys(fields, ident, SIGNATORY_FIELDS, ("kind", "name"))
        kind = fields.get("kind")
        if "kind" in fields and kind not in SIGNATORY_KINDS:
            reader.problem(fields, "kind", f"{ident}.kind",
                           f"expected {' or '.join(SIGNATORY_KINDS)}, found {describe(kind)}")
        name = reader.text(fields, "name", f"{ident}.name") if "name" in fields else None
        if kind not in SIGNATORY_KINDS or name is None:
            continue
        found[ident] = Signatory(
            id=ident, kind=kind, name=name,
            country=_optional_localized(reader, fields, "country", ident),
            url=reader.optional_text(fields, "url", f"{ident}.url"),
            logo=_logo(project, reader, fields, f"{ident}.logo"),
            affiliation=_optional_localized(reader, fields, "affiliation", ident),
        )
    return found, reader.problems + list(loaded.problems)


def _optional_localized(reader: Reader, fields: SourceMap, key: str, ident: str) -> dict:
    return reader.localized(fields, key, f"{ident}.{key}") if key in fields else {}


def _top_mapping(reader: Reader, loaded: YamlFile, expected: str) -> SourceMap | None:
    if loaded.data is None:
        return None if loaded.problems else SourceMap()
    # The data itself as container: a list in place of a mapping is reported at its line.
    return reader.mapping(loaded.data, None, "", loaded.data, f"a mapping with {expected}")


# Letters ---------------------------------------------------------------------------------

def read_letter(loaded: YamlFile, senders: dict[str, Sender], recipients: dict[str, Recipient],
                default_language: str, signatories: dict[str, Signatory] | None = None,
                drafts: bool = False) -> tuple[Letter | None, list[Problem]]:
    reader = Reader(loaded.shown_as)
    problems = list(loaded.problems)
    if loaded.data is None and not loaded.problems:
        reader.problem(None, None, "", "the file is empty; expected a letter (id, date, ...)")
        return None, reader.problems
    top = _top_mapping(reader, loaded, "the letter's fields (id, date, sender, ...)")
    if top is None:
        return None, problems + reader.problems
    reader.check_keys(top, "", LETTER_FIELDS, LETTER_REQUIRED)

    ident = reader.slug(top, "id", "id", top["id"]) if "id" in top else None
    stem = loaded.path.stem
    if ident is not None and ident != stem:
        reader.problem(top, "id", "id",
                       f"expected the id to match the file name '{stem}', found '{ident}'; "
                       "rename the file or change the id")
    date = reader.date(top, "date", "date") if "date" in top else None
    language = reader.locale_code(top, "language", "language", top["language"]) \
        if "language" in top \
        else default_language
    sender = _named(reader, top, "sender", senders, "sender", "senders.yaml")
    to = _named_list(reader, top, "recipients", recipients) if "recipients" in top else ()
    cc = _named_list(reader, top, "cc", recipients) if "cc" in top else ()
    references = _references(reader, top)
    merge = _boolean(reader, top, "merge")
    body = _body(reader, top) if "body" in top else ()
    _check_only_for(reader, top, merge, to)
    _check_citations(reader, top, body, references)
    signatures = _signatures(reader, top, signatories or {}) if "signatories" in top else None
    follows = reader.slug(top, "follows", "follows", top["follows"]) if "follows" in top else None
    draft = _check_placeholders(Reader(loaded.shown_as) if drafts else reader, top)

    problems += reader.problems
    if problems or None in (ident, date, language, sender):
        return None, problems
    return Letter(
        id=ident, date=date, language=language, sender=sender, recipients=to, cc=cc,
        body=body, references=references, source=loaded.path,
        place=reader.optional_text(top, "place", "place"),
        subject=reader.optional_text(top, "subject", "subject"),
        closing=reader.optional_text(top, "closing", "closing"),
        merge=merge, signatures=signatures, follows=follows, draft=draft,
    ), problems


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(name for name in value if isinstance(name, str)) \
        if isinstance(value, list) else ()


def _boolean(reader: Reader, top: SourceMap, key: str) -> bool:
    value = top.get(key, False)
    if isinstance(value, bool):
        return value
    reader.problem(top, key, key, f"expected true or false, found {describe(value)}")
    return False


def _check_only_for(reader: Reader, top: SourceMap, merge: bool, to: tuple) -> None:
    """`only_for` names recipients of this letter (ids or tags), and needs `merge: true`."""
    known = {r.id for r in to} | {tag for r in to for tag in r.tags}
    blocks = top.get("body") if isinstance(top.get("body"), SourceList) else []
    for index, block in enumerate(blocks):
        if not isinstance(block, SourceMap) or "only_for" not in block:
            continue
        field = f"body[{index + 1}].only_for"
        if not merge:
            reader.problem(block, "only_for", field,
                           "only_for needs 'merge: true': without it every recipient reads "
                           "the same copy")
        for name in _slugs(reader, block, "only_for", field, "recipient id or tag"):
            if name not in known:
                reader.problem(block, "only_for", field,
                               f"expected ids or tags of this letter's recipients "
                               f"({', '.join(sorted(known)) or 'none'}), found '{name}'")


def _signatures(reader: Reader, top: SourceMap, known: dict[str, Signatory]) -> Signatures:
    """`signatories:` as a list of ids, or with order, logos and titled tiers."""
    value = top["signatories"]
    if isinstance(value, SourceList):
        spec = SourceMap(tiers=SourceList([SourceMap(members=value)]))
        spec.line, spec.column = top.position("signatories")
        spec["tiers"][0].positions = {"members": top.position("signatories")}
        prefix = "signatories"
    else:
        spec = reader.mapping(top, "signatories", "signatories", value,
                              "a list of signatory ids, or a mapping with tiers")
        if spec is None:
            return Signatures(())
        reader.check_keys(spec, "signatories", SIGNATURE_FIELDS, ("tiers",))
        prefix = None
    order = spec.get("order", "as-listed")
    if order not in SIGNATURE_ORDERS:
        reader.problem(spec, "order", "signatories.order",
                       f"expected {' or '.join(SIGNATURE_ORDERS)}, found {describe(order)}")
    logos = _boolean(reader, spec, "logos") if "logos" in spec else False
    tiers = []
    seen: dict[str, int] = {}
    raw_tiers = reader.items(spec, "tiers", "signatories.tiers", spec.get("tiers"),
                             "a list of tiers, each with members") if "tiers" in spec else []
    for number, raw in enumerate(raw_tiers or (), start=1):
        field = prefix or f"signatories.tiers[{number}]"
        tier = reader.mapping(raw_tiers, number - 1, field, raw, "a tier with title and members")
        if tier is None:
            continue
        if prefix is None:
            reader.check_keys(tier, field, ("title", "members"), ("members",))
        title = reader.optional_text(tier, "title", f"{field}.title")
        members = []
        listed = reader.items(tier, "members", field if prefix else f"{field}.members",
                              tier.get("members"), "a list of signatory ids")
        for index, ident in enumerate(listed or ()):
            where = f"{field if prefix else field + '.members'}[{index + 1}]"
            if not isinstance(ident, str) or ident not in known:
                reader.problem(listed, index, where,
                               f"unknown signatory {describe(ident)}; expected an id from "
                               "content/signatories.yaml")
            elif ident in seen:
                reader.problem(listed, index, where,
                               f"'{ident}' signs twice (first at line {seen[ident]})")
            else:
                seen[ident] = listed.position(index)[0]
                members.append(known[ident])
        tiers.append(Tier(title, tuple(members)))
    return Signatures(tuple(tiers), order if order in SIGNATURE_ORDERS else "as-listed", logos)


def _named(reader: Reader, top: SourceMap, key: str, known: dict, kind: str, where: str):
    if key not in top:
        return None
    ident = top[key]
    if isinstance(ident, str) and ident in known:
        return known[ident]
    listing = ", ".join(sorted(known)) or "none defined yet"
    reader.problem(top, key, key,
                   f"unknown {kind} {describe(ident)}; expected an id from content/{where} "
                   f"({listing})")
    return None


def _named_list(reader: Reader, top: SourceMap, key: str, known: dict) -> tuple:
    value = top[key]
    if isinstance(value, str):
        value = SourceList([value])
        value.line, value.column = top.position(key)
        value.positions = [top.position(key)]
    items = reader.items(top, key, key, value, "a list of recipient ids")
    if items is None:
        return ()
    found = []
    for index, ident in enumerate(items):
        if isinstance(ident, str) and ident in known:
            found.append(known[ident])
        else:
            listing = ", ".join(sorted(known)) or "none defined yet"
            reader.problem(items, index, f"{key}[{index + 1}]",
                           f"unknown recipient {describe(ident)}; expected an id from "
                           f"content/recipients.yaml ({listing})")
    return tuple(found)


def _references(reader: Reader, top: SourceMap) -> tuple[Reference, ...]:
    if "references" not in top:
        return ()
    items = reader.items(top, "references", "references", top["references"],
                         "a list of references, each with id and text")
    if items is None:
        return ()
    seen: dict[str, int] = {}
    found = []
    for index, entry in enumerate(items):
        field = f"references[{index + 1}]"
        fields = reader.mapping(items, index, field, entry, "a mapping with id and text")
        if fields is None:
            continue
        reader.check_keys(fields, field, ("id", "text"), ("id", "text"))
        ident = reader.slug(fields, "id", f"{field}.id", fields["id"]) if "id" in fields else None
        text = reader.text(fields, "text", f"{field}.text") if "text" in fields else None
        if ident is not None:
            _check_unique(reader, seen, ident, items, index, f"{field}.id", "reference")
        if ident is not None and text is not None:
            _check_inline(reader, fields, "text", f"{field}.text", text)
            found.append(Reference(ident, text))
    return tuple(found)


def _body(reader: Reader, top: SourceMap) -> tuple[Block, ...]:
    blocks = reader.items(top, "body", "body", top["body"],
                          "a list of blocks (paragraph, heading, grievances, demands)")
    if blocks is None:
        return ()
    if not blocks:
        reader.problem(top, "body", "body", "expected at least one block, found an empty list")
    result: list[Block] = []
    seen = {"grievance": {}, "demand": {}}
    for index, entry in enumerate(blocks):
        field = f"body[{index + 1}]"
        fields = reader.mapping(blocks, index, field, entry,
                                "a block such as '- paragraph: text'")
        if fields is None:
            continue
        kinds = [key for key in fields if key in BLOCK_KINDS]
        others = [key for key in fields if key not in BLOCK_KINDS and key != "only_for"]
        if others or len(kinds) != 1:
            found = ", ".join(str(key) for key in fields) or "nothing"
            reader.problem(blocks, index, field,
                           f"expected exactly one of {', '.join(BLOCK_KINDS)} (and optionally "
                           f"only_for), found {found}")
            continue
        kind = kinds[0]
        only_for = _names(fields.get("only_for"))  # checked in _check_only_for
        field = f"{field}.{kind}"
        if kind in ("paragraph", "heading"):
            text = reader.text(fields, kind, field)
            if text is not None and _check_markdown(reader, fields, kind, field, text, kind):
                block_type = Paragraph if kind == "paragraph" else Heading
                result.append(block_type(text, only_for=only_for))
        elif kind == "demand_status":
            items = _carried_items(reader, fields, field)
            if items:
                result.append(DemandStatusList(items, only_for=only_for))
        else:
            items = _list_items(reader, fields, kind, field, seen)
            if items:
                block_type = GrievanceList if kind == "grievances" else DemandList
                result.append(block_type(items, only_for=only_for))
    return tuple(result)


def _list_items(reader: Reader, block: SourceMap, kind: str, field: str,
                seen: dict[str, dict[str, int]]) -> tuple:
    is_demand = kind == "demands"
    noun = "demand" if is_demand else "grievance"
    items = reader.items(block, kind, field, block[kind],
                         f"a list of {kind}, each with id and text")
    if items is None:
        return ()
    if not items:
        reader.problem(block, kind, field, f"expected at least one {noun}, found an empty list")
    allowed = ("id", "text", "status") if is_demand else ("id", "text")
    found = []
    for index, entry in enumerate(items):
        item_field = f"{field}[{index + 1}]"
        fields = reader.mapping(items, index, item_field, entry, "a mapping with id and text")
        if fields is None:
            continue
        reader.check_keys(fields, item_field, allowed, ("id", "text"))
        ident = reader.slug(fields, "id", f"{item_field}.id", fields["id"]) \
            if "id" in fields else None
        text = reader.text(fields, "text", f"{item_field}.text") if "text" in fields else None
        if ident is not None:
            _check_unique(reader, seen[noun], ident, items, index, f"{item_field}.id", noun)
        if text is not None and not _check_inline(reader, fields, "text", f"{item_field}.text",
                                                  text):
            text = None
        status = "pending"
        if is_demand and "status" in fields:
            status = fields["status"]
            if status not in DEMAND_STATUSES:
                reader.problem(fields, "status", f"{item_field}.status",
                               f"expected one of {', '.join(DEMAND_STATUSES)}, "
                               f"found {describe(status)}")
                status = None
        if ident is None or text is None or status is None:
            continue
        found.append(Demand(ident, text, status) if is_demand else Grievance(ident, text))
    return tuple(found)


def _carried_items(reader: Reader, block: SourceMap, field: str) -> tuple[CarriedDemand, ...]:
    """The status, as of this letter, of demands raised in the letters it follows."""
    items = reader.items(block, "demand_status", field, block["demand_status"],
                         "a list of demands, each with id and status")
    found = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(items or ()):
        item_field = f"{field}[{index + 1}]"
        fields = reader.mapping(items, index, item_field, entry, "a mapping with id and status")
        if fields is None:
            continue
        reader.check_keys(fields, item_field, ("id", "status", "note"), ("id", "status"))
        ident = reader.slug(fields, "id", f"{item_field}.id", fields["id"]) \
            if "id" in fields else None
        if ident is not None:
            _check_unique(reader, seen, ident, items, index, f"{item_field}.id", "demand")
        status = fields.get("status")
        if "status" in fields and status not in DEMAND_STATUSES:
            reader.problem(fields, "status", f"{item_field}.status",
                           f"expected one of {', '.join(DEMAND_STATUSES)}, "
                           f"found {describe(status)}")
        note = reader.optional_text(fields, "note", f"{item_field}.note")
        if note is not None and not _check_inline(reader, fields, "note", f"{item_field}.note",
                                                  note):
            note = None
        if ident is not None and status in DEMAND_STATUSES:
            found.append(CarriedDemand(ident, status, note))
    return tuple(found)


def _check_placeholders(reader: Reader, top: SourceMap) -> bool:
    """Report every unfilled placeholder that `carta followup` left; True if there were any."""
    blocks = top.get("body") if isinstance(top.get("body"), SourceList) else []
    found = False
    for index, entry in enumerate(blocks):
        for text, container, key, field in _texts_with_places(entry, index):
            for match in PLACEHOLDER.finditer(text):
                found = True
                reader.problem(container, key, field,
                               f"placeholder not filled yet: {match.group()}; write the text, "
                               "or build a watermarked draft with --draft")
    return found


def _check_markdown(reader: Reader, fields: SourceMap, key: str, field: str, text: str,
                    kind: str) -> bool:
    if kind == "heading":
        return _check_inline(reader, fields, key, field, text)
    blocks = markdown.block_kinds(text)
    if blocks != ["paragraph"]:
        reader.problem(fields, key, field,
                       "expected one paragraph of text, found "
                       + _describe_blocks(blocks)
                       + "; put each paragraph in its own '- paragraph:' block")
        return False
    return _check_markup(reader, fields, key, field, text)


def _check_inline(reader: Reader, fields: SourceMap, key: str, field: str, text: str) -> bool:
    blocks = markdown.block_kinds(text)
    if blocks != ["paragraph"]:
        reader.problem(fields, key, field,
                       f"expected a single line of text, found {_describe_blocks(blocks)}")
        return False
    return _check_markup(reader, fields, key, field, text)


def _check_markup(reader: Reader, fields: SourceMap, key: str, field: str, text: str) -> bool:
    """No images and no links other than http, https and mailto (the renderer drops them)."""
    refused = markdown.refused_markup(text)
    for found in refused:
        reader.problem(fields, key, field, f"expected text, found {found}")
    return not refused


def _describe_blocks(blocks: list[str]) -> str:
    names = {"paragraph": "paragraph", "heading": "Markdown heading ('#')",
             "bullet_list": "bulleted list", "ordered_list": "numbered list",
             "fence": "code block", "code_block": "indented code block", "hr": "rule",
             "blockquote": "quotation ('>')"}
    if not blocks:
        return "nothing"
    counted = []
    for kind in dict.fromkeys(blocks):
        count = blocks.count(kind)
        name = names.get(kind, kind)
        counted.append(f"{count} {name}s" if count > 1 else f"a {name}")
    return " and ".join(counted)


def _check_citations(reader: Reader, top: SourceMap, body: tuple[Block, ...],
                     references: tuple[Reference, ...]) -> None:
    """Every footnote cited is defined in `references`, and every reference is cited."""
    defined = {reference.id for reference in references}
    raw_body = top.get("body") if isinstance(top.get("body"), SourceList) else SourceList()
    cited: set[str] = set()
    for index, entry in enumerate(raw_body):
        for text, container, key, field in _texts_with_places(entry, index):
            for label in markdown.cited_labels(text):
                cited.add(label)
                if label not in defined:
                    known = ", ".join(sorted(defined)) or "none defined"
                    reader.problem(container, key, field,
                                   f"footnote [^{label}] is cited but not defined; add it to "
                                   f"'references' (defined: {known})")
    raw_refs = top.get("references") if isinstance(top.get("references"), SourceList) else []
    for index, entry in enumerate(raw_refs):
        if isinstance(entry, SourceMap) and isinstance(entry.get("id"), str) \
                and entry["id"] in defined - cited:
            reader.problem(entry, "id", f"references[{index + 1}].id",
                           f"reference '{entry['id']}' is defined but never cited; cite it as "
                           f"[^{entry['id']}] in the text, or remove it")


def _texts_with_places(entry: object, index: int):
    """(text, container, key, field) for every text in one raw body block."""
    if not isinstance(entry, SourceMap):
        return
    # Texts over the limit are already reported, and parsing them would only cost time.
    # Stripped like the model's texts: "\t[^nota]" is a code block, "[^nota]" a citation.
    for kind in ("paragraph", "heading"):
        if isinstance(entry.get(kind), str) and len(entry[kind]) <= MAX_TEXT:
            yield entry[kind].strip(), entry, kind, f"body[{index + 1}].{kind}"
    for kind, key in (("grievances", "text"), ("demands", "text"), ("demand_status", "note")):
        items = entry.get(kind)
        if isinstance(items, SourceList):
            for number, item in enumerate(items, start=1):
                if (isinstance(item, SourceMap) and isinstance(item.get(key), str)
                        and len(item[key]) <= MAX_TEXT):
                    yield (item[key].strip(), item, key,
                           f"body[{index + 1}].{kind}[{number}].{key}")


# The whole content -----------------------------------------------------------------------

def validate(project: Project, only: tuple[str, ...] = (), drafts: bool = False) -> Content:
    """Load and check content/; raise one ContentError listing every problem found.

    With `drafts`, letters that still hold placeholders pass (they are built watermarked)."""
    problems: list[Problem] = []
    senders, found = read_senders(project, _load(project, project.content / "senders.yaml"))
    problems += found
    recipients, found = read_recipients(_load(project, project.content / "recipients.yaml"))
    problems += found
    signatories: dict[str, Signatory] = {}
    if (project.content / "signatories.yaml").exists():
        signatories, found = read_signatories(
            project, _load(project, project.content / "signatories.yaml"))
        problems += found

    files = project.letter_files()
    if only:
        by_id = {path.stem: path for path in files}
        unknown = [ident for ident in only if ident not in by_id]
        for ident in unknown:
            problems.append(Problem(
                project.shown(project.letters_dir), None, None, "",
                f"no letter '{ident}'; expected one of: {', '.join(sorted(by_id)) or 'none'}"))
        files = [by_id[ident] for ident in only if ident in by_id]
    elif not files:
        problems.append(Problem(project.shown(project.letters_dir), None, None, "",
                                "expected letters (*.yaml files), found none"))
    letters: dict[str, Letter] = {}
    places: dict[str, tuple[str, dict]] = {}
    queue = list(files)
    while queue:
        path = queue.pop(0)
        loaded = _load(project, path)
        letter, found = read_letter(loaded, senders, recipients, project.settings.locales[0],
                                    signatories, drafts)
        problems += found
        if letter is None:
            continue
        letters[letter.id] = letter
        places[letter.id] = (loaded.shown_as, _campaign_places(loaded.data))
        # The letters a chosen letter follows are read too: the campaign needs them.
        earlier = project.letters_dir / f"{letter.follows}.yaml"
        if letter.follows and letter.follows not in letters and earlier.is_file() \
                and earlier not in queue:
            queue.append(earlier)
    resolved, campaign_problems = campaign.resolve(list(letters.values()))
    for found in campaign_problems:
        shown, positions = places[found.letter]
        line, column = positions.get(found.key, (None, None))
        problems.append(Problem(shown, line, column, found.key, found.message))
    if problems:
        raise ContentError(problems)
    chosen = {path.stem for path in files}
    return Content(tuple(letter for letter in resolved if letter.id in chosen), senders,
                   recipients, signatories)


def _campaign_places(data: object) -> dict[str, tuple[int, int]]:
    """Where `follows` and each carried demand's id stand, for campaign problems."""
    places: dict[str, tuple[int, int]] = {}
    if not isinstance(data, SourceMap):
        return places
    places["follows"] = data.position("follows")
    body = data.get("body")
    for index, block in enumerate(body if isinstance(body, SourceList) else (), start=1):
        items = block.get("demand_status") if isinstance(block, SourceMap) else None
        for number, item in enumerate(items if isinstance(items, SourceList) else (), 1):
            if isinstance(item, SourceMap):
                places[f"body[{index}].demand_status[{number}].id"] = item.position("id")
    return places


def _load(project: Project, path: Path) -> YamlFile:
    shown = project.shown(path.parent) + "/" + path.name
    if not path.exists():
        found = "a symbolic link to a missing file" if path.is_symlink() else "none"
        return YamlFile(path, shown, None, (Problem(
            shown, None, None, "", f"expected this file, found {found}"),))
    # Content is read only from inside the project (or its content/ folder, should that be a
    # link): a link out of it could pull any file the user can read into a letter, or into an
    # error message.
    real = path.resolve()
    if not (real.is_relative_to(project.root) or real.is_relative_to(project.content.resolve())):
        return YamlFile(path, shown, None, (Problem(
            shown, None, None, "",
            f"expected a file inside the project, found a symbolic link to "
            f"'{real}'; copy the file into the project instead"),))
    return load_yaml(path, shown)
