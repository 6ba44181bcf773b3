"""Locales: checking codes, Babel formatting, and the gettext catalogs of the templates."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_timedelta
from babel.lists import format_list as babel_format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from ..core.errors import CartaError

TEMPLATE_DOMAIN = "carta"


def parse_locale(code: str) -> Locale:
    """A Babel Locale for `code`, or a clear error for a code Babel does not know."""
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as error:
        raise CartaError(
            f"unknown locale '{code}': expected a code such as es, en, fr or pt_BR ({error})"
        ) from None


def language_name(locale: str) -> str:
    """The language's own name for itself, capitalized as a heading: "English", "Español"."""
    name = parse_locale(locale).get_display_name(locale.replace("-", "_")) or locale
    return name[:1].upper() + name[1:]


def format_date(value: datetime.date, locale: str) -> str:
    """The long date of the locale: "19 de septiembre de 2017", "September 19, 2017"."""
    return babel_format_date(value, format="long", locale=locale)


def format_duration(value: datetime.timedelta, locale: str, direction: bool = False) -> str:
    """A rounded duration in words of the locale: "cuatro meses", "four months ago".

    Babel picks the unit and its plural; numbers two to ten are then spelled out (num2words),
    as formal letters do. One stays a digit, since its word agrees in gender with the unit.
    """
    text = format_timedelta(-value if direction else value, threshold=1.1, locale=locale,
                            add_direction=direction)
    number = re.search(r"\d+", text)
    if number and 2 <= int(number.group()) <= 10:
        try:
            from num2words import num2words

            word = num2words(int(number.group()), lang=locale.split("_")[0])
            text = text[:number.start()] + word + text[number.end():]
        except NotImplementedError:
            pass  # a language num2words does not know keeps its digits
    return text


def format_list(items: list[str], locale: str) -> str:
    """"A, B y C" / "A, B, and C"."""
    return babel_format_list([str(item) for item in items], locale=locale)


def format_number(value: float, locale: str) -> str:
    return format_decimal(value, locale=locale)


@functools.lru_cache(maxsize=16)
def sort_key(locale: str):
    """The collation of `locale` (ICU): "Ángel" sorts with "A", and "ñ" after "n" in Spanish."""
    import icu  # PyICU: only letters with sorted signatories need it

    collator = icu.Collator.createInstance(icu.Locale(locale))
    return collator.getSortKey


def filters(locale: str) -> dict:
    """The Babel formatting of `locale`, as Jinja filters for the templates."""
    return {
        "date": lambda value: format_date(value, locale),
        "duration": lambda value, direction=False: format_duration(value, locale, direction),
        "list": lambda items: format_list(items, locale),
        "number": lambda value: format_number(value, locale),
    }


def with_region(locale: str, regions: Mapping[str, str] | None = None) -> str:
    """The locale with its region, what formats, hyphenates and spells: "es_MX" for "es" when
    the project's `regions` say {"es": "MX"}; else CLDR's likely region for the language
    ("en" -> "en_US", "es" -> "es_ES", "fr" -> "fr_FR"), the one Babel's "en" formats dates in.
    A locale that names its region ("en_GB") keeps it; a language CLDR gives no region to
    stays as it is."""
    code = locale.replace("-", "_")
    parts = code.split("_")
    if any(_is_region(part) for part in parts[1:]):
        return code
    region = (regions or {}).get(parts[0]) or _likely_region(parts[0])
    return f"{code}_{region}" if region else code


def _is_region(part: str) -> bool:
    return (len(part) == 2 and part.isalpha() and part.isupper()) or (len(part) == 3
                                                                      and part.isdigit())


@functools.lru_cache(maxsize=64)
def _likely_region(language: str) -> str | None:
    from babel.core import get_global

    likely = get_global("likely_subtags").get(language.lower())
    return next((part for part in (likely or "").split("_")[1:] if _is_region(part)), None)


def language_tag(locale: str, regions: Mapping[str, str] | None = None) -> str:
    """The BCP 47 tag for HTML's lang attribute, the PDF's /Lang and the DOCX's w:lang, with
    the locale's region ("en-US" for "en", "es-MX" for "es" with regions {"es": "MX"},
    "pt-BR" for "pt_BR"): WeasyPrint picks its hyphenation patterns by it (pyphen's en_US,
    not en_GB, for "en-US")."""
    return with_region(locale, regions).replace("_", "-")


def template_catalog(locale: str, catalog_dirs: tuple[Path, ...]) -> Path | None:
    """The PO file of the template strings for `locale` ("es" serves "es_MX"), if any."""
    for folder in catalog_dirs:
        for candidate in (locale, locale.split("_")[0]):
            po_path = folder / candidate / "LC_MESSAGES" / f"{TEMPLATE_DOMAIN}.po"
            if po_path.is_file():
                return po_path
    return None


@functools.lru_cache(maxsize=32)
def template_translations(locale: str, catalog_dirs: tuple[Path, ...]) -> NullTranslations:
    """The template strings' catalog for `locale`, from the first folder that has one.

    Catalogs are kept as PO files only; they are compiled in memory, which takes about a
    millisecond, so there is no .mo file to forget to rebuild.
    """
    po_path = template_catalog(locale, catalog_dirs)
    if po_path is None:
        # The templates are written in English: without a catalog they stay in English.
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=po_path.parent.parent.name)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=TEMPLATE_DOMAIN)
