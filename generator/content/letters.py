"""Turn loaded YAML into the typed model, collecting every problem before giving up once."""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import os
import re
from pathlib import Path
from types import SimpleNamespace

from babel import Locale, UnknownLocaleError

from ..campaign import chains, responses
from ..core.addresses import check_address, check_header_text
from ..core.errors import ContentError, Problem
from ..core.model import (
    LINK_STYLES,
    NOTE_STYLES,
    SIGNATORY_KINDS,
    SIGNATURE_ORDERS,
    Block,
    Content,
    Letter,
    Recipient,
    Reference,
    Sender,
    Signatory,
    Signatures,
    Signer,
    Tier,
)
from ..core.project import Project
from . import blocks, checks
from .checks import MAX_TEXT
from .load import SourceList, SourceMap, YamlFile, load_yaml

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
SLUG_MAX = 80

LETTER_FIELDS = ("id", "date", "language", "sender", "recipients", "cc", "title", "place",
                 "subject", "salutation", "closing", "body", "references", "merge", "signatories",
                 "follows", "letterhead", "signer", "signers", "postscript", "address_label",
                 "notes", "links", "combine")
# No recipients: a joint statement or an open letter addressed to no one in particular.
LETTER_REQUIRED = ("id", "date", "sender", "body")
SENDER_FIELDS = ("name", "logo", "address", "email", "url")
RECIPIENT_FIELDS = ("name", "salutation", "role", "organization", "address", "email", "locales",
                    "tags")
SIGNATORY_FIELDS = ("kind", "name", "place", "country", "url", "logo", "affiliation", "sort_as")
SIGNATURE_FIELDS = ("order", "logos", "layout", "tiers")
SIGNATURE_LAYOUTS = ("columns", "table")  # as in the model's Signatures.layout
TIER_FIELDS = ("title", "members", "count")
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

    def item_id(self, item: SourceMap, field: str, seen: dict[str, int], items: SourceList,
                index: int, noun: str) -> str | None:
        """The `id` of one list item, unique among `seen` (id -> line of first use)."""
        if "id" not in item:
            return None
        ident = self.slug(item, "id", f"{field}.id", item["id"])
        if ident is not None:
            _check_unique(self, seen, ident, items, index, f"{field}.id", noun)
        return ident

    def choice(self, mapping: SourceMap, key: str, field: str, allowed: tuple[str, ...]):
        """One of a fixed set of words (a status, an order), or None after a problem."""
        value = mapping.get(key)
        if value in allowed:
            return value
        hint = _did_you_mean(value, allowed) if isinstance(value, str) else ""
        self.problem(mapping, key, field,
                     f"expected one of {', '.join(allowed)}, found {describe(value)}{hint}")
        return None

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
        # The name goes into the e-mail subject and the address into From.
        name, email = _mail_name_and_address(reader, fields, ident)
        senders[ident] = Sender(
            id=ident,
            name=name,
            logo=logo,
            address=reader.lines(fields, "address", f"{ident}.address"),
            email=email,
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
    if not _is_image(path):
        # Caught here, the file is named; caught by the PDF engine, its bytes were printed.
        reader.problem(fields, "logo", field,
                       f"expected an image file, found '{name}', which is not a readable "
                       f"{path.suffix.lower().lstrip('.').upper()} image")
        return None
    return path


def _is_image(path: Path) -> bool:
    """Whether the file really is an image of its kind (Pillow checks the raster formats)."""
    if path.suffix.lower() == ".svg":
        head = path.read_bytes()[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        return head.startswith(b"<") and b"<svg" in head
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
        return True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False


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
        # The name goes into the e-mail subject and the address into To or Cc.
        name, email = _mail_name_and_address(reader, fields, ident)
        recipients[ident] = Recipient(
            id=ident,
            name=name,
            salutation=_optional_localized(reader, fields, "salutation", ident),
            role=_optional_localized(reader, fields, "role", ident),
            organization=_optional_localized(reader, fields, "organization", ident),
            address=reader.lines(fields, "address", f"{ident}.address"),
            email=email,
            locales=locales,
            tags=_slugs(reader, fields, "tags", f"{ident}.tags", "tag"),
        )
    return recipients, reader.problems + list(loaded.problems)


def _mail_name_and_address(reader: Reader, fields: SourceMap,
                           ident: str) -> tuple[dict[str, str], str | None]:
    """A sender's or recipient's name (one line in every locale) and e-mail (exactly one
    address): both become mail headers, where a line break or a second address would write
    headers of its own or add a recipient."""
    name = reader.localized(fields, "name", f"{ident}.name") if "name" in fields else {}
    for locale, text in name.items():
        if problem := check_header_text(text):
            reader.problem(fields["name"] if locale else fields, locale or "name",
                           f"{ident}.name" + (f".{locale}" if locale else ""), problem)
    email = reader.optional_text(fields, "email", f"{ident}.email")
    if email is not None and (problem := check_address(email)):
        reader.problem(fields, "email", f"{ident}.email", problem)
        email = None
    return name, email


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
        name = _optional_localized(reader, fields, "name", ident)
        if kind not in SIGNATORY_KINDS or not name:
            continue
        found[ident] = Signatory(
            id=ident, kind=kind, name=name,
            country=_optional_localized(reader, fields, "country", ident),
            url=reader.optional_text(fields, "url", f"{ident}.url"),
            logo=_logo(project, reader, fields, f"{ident}.logo"),
            affiliation=_optional_localized(reader, fields, "affiliation", ident),
            place=_optional_localized(reader, fields, "place", ident),
            sort_as=_optional_localized(reader, fields, "sort_as", ident),
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
    scope = blocks.ReadScope(reader, recipients=recipients)
    references = _references(reader, top, scope.positions)
    merge = _boolean(reader, top, "merge")
    body = _blocks(top, "body", scope) if "body" in top else ()
    postscript = _blocks(top, "postscript", scope) if "postscript" in top else ()
    _check_only_for(reader, top, merge, to)
    signatures = _signatures(reader, top, signatories or {}, scope.positions) \
        if "signatories" in top else None
    follows = reader.slug(top, "follows", "follows", top["follows"]) if "follows" in top else None
    for key in ("title", "place", "address_label", "subject", "salutation", "closing",
                "follows"):
        scope.positions[key] = top.position(key)
    short = {key: reader.optional_text(top, key, key)
             for key in ("title", "place", "address_label", "subject")}
    # salutation and closing: a text of one's own, or false for none at all.
    salutation = _text_or_false(reader, top, "salutation")
    closing = _text_or_false(reader, top, "closing")
    layout = {
        "letterhead": _boolean(reader, top, "letterhead", True),
        "signer": _boolean(reader, top, "signer", True),
        "signers": _signers(reader, top) if "signers" in top else (),
        "note_style": reader.choice(top, "notes", "notes", NOTE_STYLES) or "numeric"
        if "notes" in top else "numeric",
        "link_style": reader.choice(top, "links", "links", LINK_STYLES) if "links" in top
        else None,
        "combine": _combine(reader, top) if "combine" in top else (),
    }
    if short["subject"] and (problem := check_header_text(short["subject"])):
        # The subject is the e-mail's Subject header: one line, or `carta mail` would fail.
        reader.problem(top, "subject", "subject", problem)

    # The texts, checked through the same walk that translates and renders them. The parts are
    # checked even when the letter is not whole, so that every problem is listed at once.
    parts = SimpleNamespace(body=body, postscript=postscript, references=references,
                            signatures=signatures,
                            salutation=salutation if isinstance(salutation, str) else None,
                            closing=closing if isinstance(closing, str) else None, **short)
    problems += reader.problems
    # Without `follows` nothing can be carried in, so unused references are known already.
    problems += checks.letter_problems(parts, loaded.shown_as, scope.positions, drafts,
                                       whole=follows is None and "follows" not in top)
    if problems or None in (ident, date, language, sender):
        return None, problems
    return Letter(
        id=ident, date=date, language=language, sender=sender, recipients=to, cc=cc,
        body=body, references=references, source=loaded.path, merge=merge,
        signatures=signatures, follows=follows, draft=checks.has_placeholders(parts),
        positions=scope.positions, shown_as=loaded.shown_as, postscript=postscript,
        salutation=True if salutation is None else salutation,
        closing=closing if isinstance(closing, str) else None, show_closing=closing is not False,
        **short, **layout,
    ), problems


def _combine(reader: Reader, top: SourceMap) -> tuple[str, ...]:
    """`combine: [en, es]`: the locales of a document holding those versions in turn."""
    listed = reader.items(top, "combine", "combine", top["combine"],
                          "a list of two or more locale codes, such as [en, es]")
    codes = tuple(code for index, value in enumerate(listed or ())
                  if (code := reader.locale_code(listed, index, f"combine[{index + 1}]", value)))
    if listed is not None and len(codes) == len(listed) and len(set(codes)) != len(codes):
        reader.problem(top, "combine", "combine",
                       "expected two or more different locale codes, such as [en, es], found "
                       f"{', '.join(str(value) for value in listed) or 'none'}")
        return ()
    if listed is not None and len(codes) < 2:
        reader.problem(top, "combine", "combine",
                       "expected two or more locale codes, such as [en, es]; one locale is "
                       "the ordinary document")
        return ()
    return codes


def _text_or_false(reader: Reader, top: SourceMap, key: str) -> str | bool | None:
    """A text, or `false` to leave the part out; None when not given."""
    if key not in top:
        return None
    if top[key] is False:
        return False
    if top[key] is True:
        reader.problem(top, key, key, f"expected a text, or false for no {key}, found true")
        return None
    return reader.text(top, key, key)


def _signers(reader: Reader, top: SourceMap) -> tuple[Signer, ...]:
    """`signers:` the people who sign for the sender, each with a name and a role."""
    items = reader.items(top, "signers", "signers", top["signers"],
                         "a list of signers, each with name and role")
    found = []
    for index, entry in enumerate(items or ()):
        field = f"signers[{index + 1}]"
        fields = reader.mapping(items, index, field, entry, "a mapping with name and role")
        if fields is None:
            continue
        reader.check_keys(fields, field, ("name", "role"), ("name",))
        name = reader.text(fields, "name", f"{field}.name") if "name" in fields else None
        role = _optional_localized(reader, fields, "role", field)
        for text in [name, *role.values()]:
            if text and (problem := check_header_text(text)):
                reader.problem(fields, "name", f"{field}.name", problem)
        if name is not None:
            found.append(Signer(name, role))
    return tuple(found)


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(name for name in value if isinstance(name, str)) \
        if isinstance(value, list) else ()


def _boolean(reader: Reader, top: SourceMap, key: str, default: bool = False) -> bool:
    value = top.get(key, default)
    if isinstance(value, bool):
        return value
    reader.problem(top, key, key, f"expected true or false, found {describe(value)}")
    return False


def _check_only_for(reader: Reader, top: SourceMap, merge: bool, to: tuple) -> None:
    """`only_for` names recipients of this letter (ids or tags), and needs `merge: true`."""
    known = {r.id for r in to} | {tag for r in to for tag in r.tags}
    raw_blocks = top.get("body") if isinstance(top.get("body"), SourceList) else []
    for index, block in enumerate(raw_blocks):
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


def _signatures(reader: Reader, top: SourceMap, known: dict[str, Signatory],
                positions: dict) -> Signatures:
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
    order = reader.choice(spec, "order", "signatories.order", SIGNATURE_ORDERS) \
        if "order" in spec else "as-listed"
    logos = _boolean(reader, spec, "logos") if "logos" in spec else False
    layout = reader.choice(spec, "layout", "signatories.layout", SIGNATURE_LAYOUTS) \
        if "layout" in spec else "columns"
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
            reader.check_keys(tier, field, TIER_FIELDS, ("members",))
        count = tier.get("count", True)
        if not isinstance(count, bool):
            reader.problem(tier, "count", f"{field}.count",
                           f"expected true or false (false: no count line), found "
                           f"{describe(count)}")
            count = True
        title = reader.optional_text(tier, "title", f"{field}.title")
        positions[f"{field}.title"] = tier.position("title")
        members = []
        listed = reader.items(tier, "members", field if prefix else f"{field}.members",
                              tier.get("members"), "a list of signatory ids")
        for index, ident in enumerate(listed or ()):
            where = f"{field if prefix else field + '.members'}[{index + 1}]"
            if not isinstance(ident, str) or ident not in known:
                reader.problem(listed, index, where,
                               f"unknown signatory {describe(ident)}; expected an id from "
                               f"content/signatories.yaml ({_listing(known)})"
                               + _did_you_mean(ident, known))
            elif ident in seen:
                reader.problem(listed, index, where,
                               f"'{ident}' signs twice (first at line {seen[ident]})")
            else:
                seen[ident] = listed.position(index)[0]
                members.append(known[ident])
        tiers.append(Tier(title, tuple(members), count=count))
    return Signatures(tuple(tiers), order or "as-listed", logos, layout or "columns")


def _listing(known, most: int = 8) -> str:
    """The ids a value could have been, for a message: all of them, or the first few of many."""
    names = sorted(known)
    if not names:
        return "none defined yet"
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown}, ... {len(names)} in all"


def _did_you_mean(value: object, known) -> str:
    close = difflib.get_close_matches(str(value), list(known), n=3) \
        if isinstance(value, str) else []
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


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


def _references(reader: Reader, top: SourceMap, positions: dict) -> tuple[Reference, ...]:
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
        ident = reader.item_id(fields, field, seen, items, index, "reference")
        text = reader.text(fields, "text", f"{field}.text") if "text" in fields else None
        positions[f"{field}.text"] = fields.position("text")
        positions[f"{field}.id"] = fields.position("id")
        if ident is not None and text is not None:
            found.append(Reference(ident, text))
    return tuple(found)


def _blocks(top: SourceMap, key: str, scope: blocks.ReadScope) -> tuple[Block, ...]:
    """The blocks of the body (or of the postscript), each read by the declaration of its
    kind (generator/blocks.py)."""
    reader = scope.reader
    kinds = blocks.kinds()
    raw_blocks = reader.items(top, key, key, top[key], f"a list of blocks ({', '.join(kinds)})")
    if raw_blocks is None:
        return ()
    if not raw_blocks and key == "body":
        reader.problem(top, key, key, "expected at least one block, found an empty list")
    result: list[Block] = []
    for index, entry in enumerate(raw_blocks):
        field = f"{key}[{index + 1}]"
        fields = reader.mapping(raw_blocks, index, field, entry,
                                "a block such as '- paragraph: text'")
        if fields is None:
            continue
        named = [name for name in fields if name in kinds]
        if len(named) != 1:
            found = ", ".join(str(name) for name in fields) or "nothing"
            others = [name for name in fields if name != "only_for"]
            hint = _did_you_mean(others[0], kinds) if len(others) == 1 and not named else ""
            reader.problem(raw_blocks, index, field,
                           f"expected exactly one of {', '.join(kinds)} (and optionally "
                           f"only_for), found {found}{hint}")
            continue
        declared = blocks.TYPES[named[0]]
        allowed = (declared.kind, "only_for", *declared.options)
        for name in fields:
            if name not in allowed:
                reader.problem(fields, name, f"{field}.{name}",
                               f"unknown option of a {declared.kind} block; expected "
                               f"{', '.join(allowed[1:])}" + _did_you_mean(name, allowed[1:]))
        kind_field = f"{field}.{declared.kind}"
        block = declared.read(fields[declared.kind], fields, kind_field, scope)
        if block is None:
            continue
        block = declared.read_options(block, fields, field, scope)
        # only_for is checked in _check_only_for, against the letter's recipients.
        only_for = _names(fields.get("only_for"))
        result.append(dataclasses.replace(block, only_for=only_for) if only_for else block)
    return tuple(result)


# The whole content -----------------------------------------------------------------------

def validate(project: Project, only: tuple[str, ...] = (), drafts: bool = False,
             partial: bool = False) -> Content:
    """Load and check content/; raise one ContentError listing every problem found.

    Each letter is checked as written, then again once its campaign is resolved (carried
    demands bring their texts and the notes they cite). With `drafts`, letters that still hold
    placeholders pass (they are built watermarked). With `partial`, nothing is raised: the
    letters without problems come back, and `Content.problems` and `Content.not_valid` say
    what is wrong and which letters it keeps out (so a build can make all the others)."""
    problems: list[Problem] = []
    shared = [project.content / name for name in ("senders.yaml", "recipients.yaml")]
    senders, found = read_senders(project, _load(project, shared[0]))
    problems += found
    recipients, found = read_recipients(_load(project, shared[1]))
    problems += found
    signatories: dict[str, Signatory] = {}
    if (project.content / "signatories.yaml").exists():
        shared.append(project.content / "signatories.yaml")
        signatories, found = read_signatories(project, _load(project, shared[2]))
        problems += found
    shared.append(project.settings_file)  # a dependency even while missing: creating it counts

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
    failed: set[str] = set()  # ids (file stems) of letters with problems of their own
    queue = list(files)
    while queue:
        path = queue.pop(0)
        letter, found = read_letter(_load(project, path), senders, recipients,
                                    project.settings.locales[0], signatories, drafts)
        problems += found
        if letter is None:
            failed.add(path.stem)
            continue
        letters[letter.id] = dataclasses.replace(
            letter, depends=frozenset([letter.source, *shared]))
        # The letters a chosen letter follows are read too: the campaign needs them.
        earlier = project.letters_dir / f"{letter.follows}.yaml"
        if letter.follows and letter.follows not in letters and earlier.is_file() \
                and earlier not in queue:
            queue.append(earlier)
    resolved, campaign_problems = chains.resolve(list(letters.values()))
    for found in campaign_problems:
        letter = letters[found.letter]
        failed.add(letter.id)
        message = found.message
        if found.key == "follows" and letter.follows in failed:
            message = (f"follows '{letter.follows}', which has problems of its own (listed "
                       "with its file); fix those first")
        line, column = letter.positions.get(found.key, (None, None))
        problems.append(Problem(letter.shown_as, line, column, found.key, message))
    # The replies received, checked against the letters; the letters' response_summary
    # blocks get what they cite (generator/responses.py).
    resolved, received, found = responses.attach(project, resolved, recipients, failed, drafts,
                                                 only=bool(only))
    problems += found
    for letter in resolved:
        if letter.id in failed:
            continue
        # What is rendered is checked: the resolved letter, carried texts included.
        found = checks.letter_problems(letter, letter.shown_as, letter.positions, drafts,
                                       whole=True)
        if found:
            problems += found
            failed.add(letter.id)
    if problems and not partial:
        raise ContentError(problems)
    chosen = {path.stem for path in files}
    return Content(tuple(letter for letter in resolved
                         if letter.id in chosen and letter.id not in failed),
                   senders, recipients, signatories, responses=received,
                   problems=tuple(problems), not_valid=tuple(sorted(failed & chosen)))


def _load(project: Project, path: Path) -> YamlFile:
    shown = project.shown(path.parent) + "/" + path.name
    return load_yaml(path, shown, inside=(project.root, project.content))
