"""Sign-on letters: place and localized names, family-name order, the table layout, count lines.

Every name, place and organisation here is fictional."""

from __future__ import annotations

import re

import pypdf
import pytest
from click.testing import CliRunner
from pdftext import normalize, read_pages

from generator.app.cli import cli

LETTER = "content/letters/carta-prueba.yaml"
LOCALES = '[project]\nlocales = ["es", "en", "fr"]\n'


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def sign(sample, signatories: str, spec: str) -> None:
    """Give the sample letter `signatories.yaml` and its `signatories:` mapping."""
    sample.write("content/signatories.yaml", signatories)
    sample.replace(LETTER, "references:", f"signatories:\n{spec}references:")


def build(sample, fmt: str | None = None) -> None:
    """Build every locale of carta.toml, in `fmt` or in both formats."""
    formats = ("--format", fmt) if fmt else ()
    result = run("--project", str(sample.root), "build", *formats, "--allow-untranslated")
    assert result.exit_code == 0, result.output


def html(sample, locale: str) -> str:
    return (sample.root / f"output/carta-prueba/carta-prueba.{locale}.html").read_text("utf-8")


def pdf_text(sample, locale: str) -> str:
    """The PDF's text in reading order, whatever its size (a name and its smaller detail)."""
    reader = pypdf.PdfReader(sample.root / f"output/carta-prueba/carta-prueba.{locale}.pdf")
    return normalize(" ".join(page.extract_text() for page in reader.pages))


# One organisation and one person with every new field; the organisation's name is per locale.
PLACED = """\
org-ejemplo:
  kind: organization
  name: {es: Red Ejemplo de Derechos, en: Example Rights Network, fr: Réseau Exemple des Droits}
  place: Ciudad Ejemplo
  country: {es: México, en: Mexico, fr: Mexique}
ana-ejemplo:
  kind: individual
  name: Ana Ejemplo
  place: {es: Provincia Ficticia, en: Fictional Province, fr: Province Fictive}
  country: {es: Perú, en: Peru, fr: Pérou}
  affiliation: Organización Ejemplo B
"""

PLACED_SHOWN = {
    "es": ("Red Ejemplo de Derechos", "Ciudad Ejemplo, México",
           "Organización Ejemplo B · Provincia Ficticia, Perú"),
    "en": ("Example Rights Network", "Ciudad Ejemplo, Mexico",
           "Organización Ejemplo B · Fictional Province, Peru"),
    "fr": ("Réseau Exemple des Droits", "Ciudad Ejemplo, Mexique",
           "Organización Ejemplo B · Province Fictive, Pérou"),
}


def test_place_and_localized_name_in_columns_in_every_locale(sample):
    sample.write("carta.toml", LOCALES)
    sign(sample, PLACED, "  tiers:\n    - members: [org-ejemplo, ana-ejemplo]\n")
    build(sample)
    for locale, (name, org_detail, person_detail) in PLACED_SHOWN.items():
        shown = re.findall(r'<li><span class="name">([^<]+)</span><span class="detail">([^<]+)',
                           html(sample, locale))
        assert shown == [(name, org_detail), ("Ana Ejemplo", person_detail)], locale
        text = pdf_text(sample, locale)
        assert f"{name} {org_detail} Ana Ejemplo {person_detail}" in text, locale


# Family names that collate differently: "Ñ" is a letter after "N" in Spanish, and an "N" with
# an accent in English; "Á" sorts with "A" in both. A compound family name needs sort_as.
PEOPLE = """\
p-zuniga:
  kind: individual
  name: Ángela Zúñiga
p-alvarez:
  kind: individual
  name: Bruno Álvarez
p-nandu:
  kind: individual
  name: Carla Ñandú
p-nuno:
  kind: individual
  name: Diego Nuño
p-perez:
  kind: individual
  name: Lucía Pérez Gómez
  sort_as: Pérez Gómez, Lucía
"""


@pytest.mark.parametrize(("locale", "expected"), [
    ("es", ["Bruno Álvarez", "Diego Nuño", "Carla Ñandú", "Observatorio Ficticio",
            "Lucía Pérez Gómez", "Ángela Zúñiga"]),
    ("en", ["Bruno Álvarez", "Carla Ñandú", "Diego Nuño", "Observatorio Ficticio",
            "Lucía Pérez Gómez", "Ángela Zúñiga"]),
])
def test_people_sort_by_family_name_in_each_language(sample, locale, expected):
    sample.write("carta.toml", f'[project]\nlocales = ["{locale}"]\n')
    organization = "org-orden:\n  kind: organization\n  name: Observatorio Ficticio\n"
    sign(sample, PEOPLE + organization, "  order: alphabetical\n  tiers:\n    - members: "
         "[p-zuniga, p-alvarez, p-nandu, p-nuno, p-perez, org-orden]\n")
    build(sample)
    assert re.findall(r'<span class="name">([^<]+)</span>', html(sample, locale)) == expected
    text = pdf_text(sample, locale)
    assert [name for _, name in sorted((text.index(name), name) for name in expected)] == expected


def test_count_false_leaves_out_that_tiers_count_line(sample):
    sample.write("carta.toml", LOCALES)
    sign(sample, PLACED, "  tiers:\n    - title: Firmantes\n      count: false\n"
         "      members: [org-ejemplo]\n    - title: Adhesiones\n      members: [ana-ejemplo]\n")
    build(sample)
    for locale, (kept, dropped) in {"es": ("1 persona firmante", "organización firmante"),
                                    "en": ("1 person signing", "signing organization"),
                                    "fr": ("1 personne signataire", "organisation signataire")
                                    }.items():
        assert re.findall(r'<p class="count">([^<]+)</p>', html(sample, locale)) == [kept]
        text = pdf_text(sample, locale)
        assert kept in text and dropped not in text, locale


# Names of one to five lines, so that page breaks fall at different heights of a row: rows
# of one height would break every page at the same place, and a row of two lines cannot split
# anyway (orphans and widows are 2).
NAME_PARTS = ("de la Red Ficticia de Organizaciones Civiles",
              "por los Derechos de las Personas en Varios Países",
              "y la Transparencia en la Región Imaginaria del Sur",
              "con Sedes en Ciudades que no Existen en Ningún Mapa")


def long_name(number: int) -> str:
    return " ".join([f"Organización Ejemplo {number:03d}", *NAME_PARTS[:number % 5]])


def organizations(count: int) -> str:
    lines = []
    for number in range(1, count + 1):
        lines += [f"org-{number:03d}:", "  kind: organization", f"  name: {long_name(number)}",
                  f"  place: Ciudad Ejemplo {number:03d}",
                  "  country: {es: País Ejemplo, en: Example Country, fr: Pays Exemple}"]
    return "\n".join(lines) + "\n"


TABLE_HEADER = {"es": ("Nombre Lugar", "País Ejemplo"),
                "en": ("Name Place", "Example Country"),
                "fr": ("Nom Lieu", "Pays Exemple")}


def test_a_long_table_repeats_its_header_and_never_splits_a_row(sample):
    sample.write("carta.toml", LOCALES)
    members = ", ".join(f"org-{n:03d}" for n in range(1, 151))
    sign(sample, organizations(150),
         f"  layout: table\n  tiers:\n    - title: Firmantes\n      members: [{members}]\n")
    build(sample, "pdf")
    for locale, (header, country) in TABLE_HEADER.items():
        pages = read_pages(sample.root / f"output/carta-prueba/carta-prueba.{locale}.pdf")
        shown: list[int] = []
        table_pages = 0
        for page in pages:
            # The table is set smaller than body text: all of it is in `small`, in reading order.
            numbers = list(dict.fromkeys(int(n) for n in re.findall(r"Ejemplo (\d{3})",
                                                                     page.small)))
            if not numbers:
                continue
            table_pages += 1
            # The header, then whole rows (name, then "place, country") and nothing between:
            # a row split across pages would leave part of its name or its place on one page
            # and the rest on the next, before that page's first whole row.
            rows = " ".join(f"{long_name(n)} Ciudad Ejemplo {n:03d}, {country}" for n in numbers)
            assert f"{header} {rows}" in page.small, f"{locale}, page {table_pages}"
            shown += numbers
        assert shown == list(range(1, 151)), locale
        assert table_pages >= 3, locale


def test_table_html_has_a_header_row_and_only_the_columns_used(sample):
    sample.write("carta.toml", LOCALES)
    sign(sample, PLACED + PEOPLE, "  layout: table\n  tiers:\n"
         "    - members: [org-ejemplo, ana-ejemplo]\n    - members: [p-alvarez, p-nuno]\n")
    build(sample, "html")
    headers = {"es": ["Nombre", "Afiliación", "Lugar"], "en": ["Name", "Affiliation", "Place"],
               "fr": ["Nom", "Affiliation", "Lieu"]}
    for locale, words in headers.items():
        tables = re.findall(r'<table class="roster">(.*?)</table>', html(sample, locale), re.S)
        heads = [re.findall(r'<th scope="col">([^<]+)</th>', table) for table in tables]
        # The second tier has no affiliation and no place: its table is names alone.
        assert heads == [words, words[:1]], locale
        cells = re.findall(r'<th scope="row" class="name">([^<]+)</th>\s*'
                           r'<td class="affiliation">([^<]*)</td>\s*<td class="where">([^<]*)</td>',
                           tables[0])
        name, org_where, person_detail = PLACED_SHOWN[locale]
        affiliation, person_where = person_detail.split(" · ")
        assert cells == [(name, "", org_where), ("Ana Ejemplo", affiliation, person_where)]


ANA = "p0:\n  kind: individual\n  name: Ana Ejemplo\n"


@pytest.mark.parametrize(("signatories", "spec", "where", "message"), [
    ("p0:\n  kind: individual\n  name: Ana Ejemplo\n  plce: Ciudad Ejemplo\n",
     "  tiers:\n    - members: [p0]\n", "content/signatories.yaml:4:3: p0.plce",
     "unknown field; did you mean 'place'?"),
    ("p0:\n  kind: individual\n  name: [Ana, Ejemplo]\n", "  tiers:\n    - members: [p0]\n",
     "content/signatories.yaml:3:3: p0.name",
     "expected text, or one text per locale (es: ..., en: ...), found a list"),
    ("p0:\n  kind: individual\n  name: {es: Ana Ejemplo, xx-yy-zz: Ana}\n",
     "  tiers:\n    - members: [p0]\n", "content/signatories.yaml:3:27: p0.name.xx-yy-zz",
     "expected a locale code such as es, en or fr, found 'xx-yy-zz'"),
    ("p0:\n  kind: individual\n  name: Ana Ejemplo\n  sort_as: {es: ''}\n",
     "  tiers:\n    - members: [p0]\n", "content/signatories.yaml:4:13: p0.sort_as.es",
     "expected text, found ''"),
    (ANA, "  layout: tabla\n  tiers:\n    - members: [p0]\n",
     f"{LETTER}:21:3: signatories.layout",
     "expected one of columns, table, found 'tabla'; did you mean 'table'?"),
    (ANA, "  tiers:\n    - members: [p0]\n      count: 0\n",
     f"{LETTER}:23:7: signatories.tiers[1].count",
     "expected true or false (false: no count line), found the number 0"),
    (ANA, "  tiers:\n    - members: [p0]\n      conut: false\n",
     f"{LETTER}:23:7: signatories.tiers[1].conut", "unknown field; did you mean 'count'?"),
])
def test_bad_signatory_fields_are_named_where_they_are(sample, signatories, spec, where,
                                                       message):
    sign(sample, signatories, spec)
    result = run("--project", str(sample.root), "check")
    assert result.exit_code == 1
    assert f"{where}: {message}" in result.output
