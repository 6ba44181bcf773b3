"""Locales: checking codes, Babel formatting, and the gettext catalogs of the templates."""

from __future__ import annotations

import datetime
import functools
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from .errors import CartaError

TEMPLATE_DOMAIN = "carta"


def parse_locale(code: str) -> Locale:
    """A Babel Locale for `code`, or a clear error for a code Babel does not know."""
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as error:
        raise CartaError(
            f"unknown locale '{code}': expected a code such as es, en, fr or pt_BR ({error})"
        ) from None


def format_date(value: datetime.date, locale: str) -> str:
    """The long date of the locale: "19 de septiembre de 2017", "September 19, 2017"."""
    return babel_format_date(value, format="long", locale=locale)


def language_tag(locale: str) -> str:
    """The BCP 47 tag for HTML's lang attribute ("pt-BR" for "pt_BR")."""
    return locale.replace("_", "-")


@functools.lru_cache(maxsize=32)
def template_translations(locale: str, catalog_dirs: tuple[Path, ...]) -> NullTranslations:
    """The template strings' catalog for `locale`, from the first folder that has one.

    Catalogs are kept as PO files only; they are compiled in memory, which takes about a
    millisecond, so there is no .mo file to forget to rebuild.
    """
    candidates = [locale, locale.split("_")[0]]
    for folder in catalog_dirs:
        for candidate in candidates:
            po_path = folder / candidate / "LC_MESSAGES" / f"{TEMPLATE_DOMAIN}.po"
            if po_path.is_file():
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=candidate)
                compiled = BytesIO()
                write_mo(compiled, catalog)
                compiled.seek(0)
                return Translations(compiled, domain=TEMPLATE_DOMAIN)
    # The templates are written in English, so English needs no catalog.
    return NullTranslations()
