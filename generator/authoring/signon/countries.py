"""Country names as forms spell them ("Mexico", "México", "MX", "Mexique") to one country,
named in each of the project's locales by Babel (CLDR)."""

from __future__ import annotations

import functools

from .mapping import fold

# CLDR's territory codes that are not countries a signatory comes from.
_NOT_COUNTRIES = {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"}
# Spellings forms use that CLDR does not list.
_ALSO = {"usa": "US", "eeuu": "US", "ee uu": "US", "estados unidos de america": "US",
         "uk": "GB", "reino unido": "GB", "england": "GB", "mexico df": "MX"}
_LOOKUP_LOCALES = ("es", "en", "fr", "pt")


@functools.lru_cache(maxsize=8)
def _index(locales: tuple[str, ...]) -> dict[str, str]:
    from babel import Locale

    index: dict[str, str] = {}
    for code in dict.fromkeys(_LOOKUP_LOCALES + locales):
        try:
            names = Locale.parse(code).territories
        except (ValueError, LookupError):
            continue
        for territory, name in names.items():
            if len(territory) == 2 and territory.isalpha() and territory not in _NOT_COUNTRIES:
                index.setdefault(fold(name), territory)
                index.setdefault(territory.lower(), territory)
    for spelling, territory in _ALSO.items():
        index.setdefault(spelling, territory)
    return index


def country_code(text: str, locales: tuple[str, ...]) -> str | None:
    """The ISO code of the country `text` names, or None."""
    return _index(locales).get(fold(text))


def country_names(code: str, locales: tuple[str, ...]) -> dict[str, str]:
    """The country's name in each locale."""
    from babel import Locale

    return {locale: Locale.parse(locale).territories.get(code, code) for locale in locales}


def known_names(locales: tuple[str, ...]) -> list[str]:
    """Names to suggest from ("did you mean")."""
    from babel import Locale

    return sorted({name for locale in locales
                   for name in Locale.parse(locale).territories.values()})
