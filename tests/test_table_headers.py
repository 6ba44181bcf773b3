"""A sign-on table's column headers named by the letter or by a tier (`headers:`).

Every name, place and organisation here is fictional."""

from __future__ import annotations

import re

import pytest
from pdftext import read_pages
from test_signatories import (
    LETTER,
    PLACED,
    build,
    html,
    long_name,
    organizations,
    run,
    sign,
)

LOCALES = '[project]\nlocales = ["es", "en"]\n'
HEADERS = "  headers: {name: {es: Organización, en: Organisation}, place: {es: Ciudad, en: City}}\n"


def column_heads(sample, locale: str) -> list[list[str]]:
    tables = re.findall(r'<table class="roster">(.*?)</table>', html(sample, locale), re.S)
    return [re.findall(r'<th scope="col">([^<]+)</th>', table) for table in tables]


def test_a_long_table_shows_the_letters_headers_on_every_page(sample):
    sample.write("carta.toml", LOCALES)
    members = ", ".join(f"org-{n:03d}" for n in range(1, 151))
    sign(sample, organizations(150), "  layout: table\n" + HEADERS +
         f"  tiers:\n    - title: Firmantes\n      members: [{members}]\n")
    build(sample)
    for locale, (header, country) in {"es": ("Organización Ciudad", "País Ejemplo"),
                                      "en": ("Organisation City", "Example Country")}.items():
        assert column_heads(sample, locale) == [header.split()], locale
        pages = read_pages(sample.root / f"output/carta-prueba/carta-prueba.{locale}.pdf")
        table_pages = 0
        for page in pages:
            numbers = list(dict.fromkeys(int(n) for n in re.findall(r"Ejemplo (\d{3})",
                                                                     page.small)))
            if not numbers:
                continue
            table_pages += 1
            # The named header, then that page's whole rows: the header repeats on each page.
            first = numbers[0]
            assert f"{header} {long_name(first)} Ciudad Ejemplo {first:03d}, {country}" \
                in page.small, f"{locale}, page {table_pages}"
            assert "Nombre" not in page.small and "Name Place" not in page.small
        assert table_pages >= 3, locale


def test_a_tiers_own_header_wins_and_a_tier_without_keeps_the_letters(sample):
    sample.write("carta.toml", LOCALES)
    sign(sample, PLACED, "  layout: table\n" + HEADERS + "  tiers:\n"
         "    - members: [org-ejemplo]\n"
         "    - members: [ana-ejemplo]\n      headers: {name: Persona, affiliation: Vínculo}\n")
    build(sample, "html")
    assert column_heads(sample, "es") == [["Organización", "Ciudad"],
                                          ["Persona", "Vínculo", "Ciudad"]]
    # One text serves every locale; the letter's per-locale texts each in their own.
    assert column_heads(sample, "en") == [["Organisation", "City"],
                                          ["Persona", "Vínculo", "City"]]


def test_a_letter_without_headers_keeps_the_templates(sample):
    sample.write("carta.toml", LOCALES)
    sign(sample, PLACED, "  layout: table\n  tiers:\n    - members: [org-ejemplo, ana-ejemplo]\n")
    build(sample, "html")
    assert column_heads(sample, "es") == [["Nombre", "Afiliación", "Lugar"]]
    assert column_heads(sample, "en") == [["Name", "Affiliation", "Place"]]


def test_a_country_header_heads_a_column_of_countries(sample):
    sample.write("carta.toml", LOCALES)
    sign(sample, "org-a:\n  kind: organization\n  name: Organización Ejemplo A\n"
         "  country: {es: México, en: Mexico}\n",
         "  layout: table\n  headers: {place: Ciudad, country: {es: Nación, en: Nation}}\n"
         "  tiers:\n    - members: [org-a]\n")
    build(sample, "html")
    assert column_heads(sample, "es") == [["Nombre", "Nación"]]
    assert column_heads(sample, "en") == [["Name", "Nation"]]


@pytest.mark.parametrize(("spec", "where", "message"), [
    ("  layout: table\n  headers: {nmae: Organización}\n  tiers:\n    - members: [org-a]\n",
     f"{LETTER}:22:13: signatories.headers.nmae", "unknown field; did you mean 'name'?"),
    ("  layout: table\n  tiers:\n    - members: [org-a]\n      headers: {lugar: Ciudad}\n",
     f"{LETTER}:24:17: signatories.tiers[1].headers.lugar",
     "unknown field; expected one of: name, affiliation, place, country"),
    ("  layout: table\n  headers: Organización\n  tiers:\n    - members: [org-a]\n",
     f"{LETTER}:22:3: signatories.headers",
     "expected a mapping of column headers (name, affiliation, place, country), found"),
    ("  layout: table\n  headers: {name: {es: ''}}\n  tiers:\n    - members: [org-a]\n",
     f"{LETTER}:22:20: signatories.headers.name.es", "expected text, found ''"),
    ("  headers: {name: Organización}\n  tiers:\n    - members: [org-a]\n",
     f"{LETTER}:21:3: signatories.headers", "add 'layout: table' to signatories"),
])
def test_bad_headers_are_named_where_they_are(sample, spec, where, message):
    sign(sample, "org-a:\n  kind: organization\n  name: Organización Ejemplo A\n", spec)
    result = run("--project", str(sample.root), "check")
    assert result.exit_code == 1, result.output
    assert where in result.output and message in result.output, result.output
    assert "Traceback" not in result.output


def test_a_combined_document_heads_each_column_in_every_version(tmp_path):
    from test_combined import combined_sample

    sample = combined_sample(tmp_path)
    sample.replace(LETTER, "signatories: [org-a, org-b]",
                   "signatories:\n  layout: table\n"
                   "  headers: {name: {es: Organización, en: Organisation}}\n"
                   "  tiers:\n    - members: [org-a, org-b]")
    result = run("--project", str(sample.root), "build", "--format", "html")
    assert result.exit_code == 0, result.output
    page = (sample.root / "output/carta-prueba/carta-prueba.es+en.html").read_text("utf-8")
    heads = re.findall(r'<th scope="col">(.*?)</th>', page)
    # The letter's own header in each version's language, side by side.
    assert heads == ['<span class="in-language">Organización&nbsp;/</span> '
                     '<span class="in-language" lang="en-US">Organisation</span>']


def test_the_word_copy_heads_its_table_as_the_letter_says(sample):
    import docx

    sample.write("carta.toml", LOCALES)
    sign(sample, organizations(3), "  layout: table\n" + HEADERS +
         "  tiers:\n    - title: Firmantes\n      members: [org-001, org-002, org-003]\n")
    build(sample, "docx")
    for locale, header in {"es": ["Organización", "Ciudad"],
                           "en": ["Organisation", "City"]}.items():
        path = sample.root / f"output/carta-prueba/carta-prueba.{locale}.docx"
        heads = [cell.text for cell in docx.Document(str(path)).tables[-1].rows[0].cells]
        assert heads == header, locale


def test_a_follow_up_keeps_the_tables_headers(sample):
    sample.write("carta.toml", LOCALES)
    sign(sample, organizations(3), "  layout: table\n" + HEADERS +
         "  tiers:\n    - title: Firmantes\n      members: [org-001, org-002, org-003]\n"
         "      headers: {name: Persona}\n")
    result = run("--project", str(sample.root), "followup", "carta-prueba", "--date", "2024-06-01",
                 "--id", "carta-seguimiento")
    assert result.exit_code == 0, result.output
    draft = (sample.root / "content/letters/carta-seguimiento.yaml").read_text("utf-8")
    assert '"name": {"es": "Organización", "en": "Organisation"}' in draft
    assert 'headers: {"name": "Persona"}' in draft
    result = run("--project", str(sample.root), "build", "carta-seguimiento", "--draft",
                 "--format", "html", "--allow-untranslated")
    assert result.exit_code == 0, result.output
    page = (sample.root / "output/carta-seguimiento/carta-seguimiento.es.html").read_text("utf-8")
    tables = re.findall(r'<table class="roster">(.*?)</table>', page, re.S)
    assert [re.findall(r'<th scope="col">([^<]+)</th>', table) for table in tables] == [
        ["Persona", "Ciudad"]]
