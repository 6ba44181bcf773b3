"""The one field-reading toolkit, through which every content file's fields are read.

Each reader of a content file (letters, senders, recipients, signatories, responses, the
glossary) reads its fields with a `Reader`, so that every problem has the same shape: the file,
line and column, the field's path, what was expected and what was found, and a did-you-mean
where a close name exists.
"""

from __future__ import annotations

import datetime
import difflib
import re

from babel import Locale, UnknownLocaleError

from ..core.errors import Problem
from .load import SourceList, SourceMap, YamlFile

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
SLUG_MAX = 80
# A paragraph of 20,000 characters is about four printed pages; anything longer is pasted data,
# and Markdown parsing time grows with length.
MAX_TEXT = 20_000


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


def listing(known, most: int = 8) -> str:
    """The ids a value could have been, for a message: all of them, or the first few of many."""
    names = sorted(known)
    if not names:
        return "none defined yet"
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown}, ... {len(names)} in all"


def did_you_mean(value: object, known) -> str:
    """"; did you mean 'x'?" for the names of `known` close to `value`, or nothing."""
    close = difflib.get_close_matches(str(value), list(known), n=3) \
        if isinstance(value, str) else []
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


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

    def top_mapping(self, loaded: YamlFile, expected: str) -> SourceMap | None:
        """The file's top-level mapping; None after a problem (or when loading had some)."""
        if loaded.data is None:
            return None if loaded.problems else SourceMap()
        # The data itself as container: a list in place of a mapping is reported at its line.
        return self.mapping(loaded.data, None, "", loaded.data, f"a mapping with {expected}")

    def file_id(self, top: SourceMap, stem: str) -> str | None:
        """The file's `id`, which must be its file name without the extension."""
        ident = self.slug(top, "id", "id", top["id"]) if "id" in top else None
        if ident is not None and ident != stem:
            self.problem(top, "id", "id",
                         f"expected the id to match the file name '{stem}', found '{ident}'; "
                         "rename the file or change the id")
        return ident

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

    def optional_localized(self, fields: SourceMap, key: str, prefix: str) -> dict[str, str]:
        """`localized` for a field that may be left out (named `<prefix>.<key>`)."""
        return self.localized(fields, key, f"{prefix}.{key}") if key in fields else {}

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

    def boolean(self, mapping: SourceMap, key: str, default: bool = False) -> bool:
        """true or false (a top-level switch such as `merge`, named by its key)."""
        value = mapping.get(key, default)
        if isinstance(value, bool):
            return value
        self.problem(mapping, key, key, f"expected true or false, found {describe(value)}")
        return False

    def item_id(self, item: SourceMap, field: str, seen: dict[str, int], items: SourceList,
                index: int, noun: str) -> str | None:
        """The `id` of one list item, unique among `seen` (id -> line of first use)."""
        if "id" not in item:
            return None
        ident = self.slug(item, "id", f"{field}.id", item["id"])
        if ident is not None:
            self.check_unique(seen, ident, items, index, f"{field}.id", noun)
        return ident

    def check_unique(self, seen: dict[str, int], ident: str, items: SourceList, index: int,
                     field: str, kind: str) -> None:
        """Report an id used twice in one list; remember where each one is first used."""
        if ident in seen:
            self.problem(items, index, field,
                         f"duplicate {kind} id '{ident}' (first used at line {seen[ident]}); "
                         "give each one its own id")
        else:
            seen[ident] = items.position(index)[0]

    def choice(self, mapping: SourceMap, key: str, field: str, allowed: tuple[str, ...]):
        """One of a fixed set of words (a status, an order), or None after a problem."""
        value = mapping.get(key)
        if value in allowed:
            return value
        hint = did_you_mean(value, allowed) if isinstance(value, str) else ""
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

    def slugs(self, fields: SourceMap, key: str, field: str, noun: str) -> tuple[str, ...]:
        """A list of ids or tags (one alone is accepted too)."""
        if key not in fields:
            return ()
        value = fields[key]
        if isinstance(value, str):
            return (value,) if self.slug(fields, key, field, value) else ()
        listed = self.items(fields, key, field, value, f"a list of {noun}s such as [a, b]")
        return tuple(ident for index, ident in enumerate(listed or ())
                     if self.slug(listed, index, f"{field}[{index + 1}]", ident))

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
