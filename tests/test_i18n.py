"""Translations: catalogs stay in step with the content, and every locale reads right."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner
from conftest import REPO, SEED_ID
from pdftext import body_text, normalize, read_pages, words

from generator.app.cli import cli
from generator.core.errors import CartaError
from generator.localization import locales

SEED_FILE = f"content/letters/{SEED_ID}.yaml"
SEED_PO = f"content/locale/en/LC_MESSAGES/{SEED_ID}.po"
SAMPLE_PO = "content/locale/en/LC_MESSAGES/carta-prueba.po"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def translate(po_path: Path, translations: dict[str, str]) -> None:
    """Fill msgstr by message context, as a translator's PO editor would."""
    with po_path.open("rb") as stream:
        catalog = read_po(stream, locale="en")
    for message in catalog:
        if message.id and message.context in translations:
            message.string = translations[message.context]
            message.flags.discard("fuzzy")
    with po_path.open("wb") as stream:
        write_po(stream, catalog, width=100)


# Babel formatting ---------------------------------------------------------------------------

@pytest.mark.parametrize(("locale", "expected"), [
    ("es", "19 de septiembre de 2017"), ("en", "September 19, 2017"),
    ("fr", "19 septembre 2017"), ("pt_BR", "19 de setembro de 2017"),
])
def test_dates_in_any_locale_babel_knows(locale, expected):
    assert locales.format_date(datetime.date(2017, 9, 19), locale) == expected


@pytest.mark.parametrize(("locale", "plain", "directed"), [
    ("es", "cuatro meses", "hace dos meses"),
    ("en", "four months", "two months ago"),
    ("fr", "quatre\u00a0mois", "il y a deux mois"),  # French spaces stay
])
def test_durations_in_words(locale, plain, directed):
    assert locales.format_duration(datetime.timedelta(days=122), locale) == plain
    assert locales.format_duration(datetime.timedelta(days=62), locale, direction=True) == directed


def test_lists_and_numbers():
    assert locales.format_list(["A", "B", "C"], "es") == "A, B y C"
    assert locales.format_list(["A", "B", "C"], "en") == "A, B, and C"
    assert locales.format_number(1234.5, "es") == "1234,5" or locales.format_number(1234.5, "es") \
        == "1.234,5"
    assert locales.format_number(1234.5, "en") == "1,234.5"


def test_unknown_locale_is_a_clear_error():
    with pytest.raises(CartaError, match="unknown locale 'xx'"):
        locales.parse_locale("xx")


def test_unknown_locale_on_the_command_line_is_a_usage_error(sample):
    result = run("--project", str(sample.root), "build", "--locale", "xx")
    assert result.exit_code == 2
    assert "unknown locale 'xx'" in result.stderr


def test_spanish_template_catalog_has_three_plural_forms():
    text = (REPO / "templates/locale/es/LC_MESSAGES/carta.po").read_text(encoding="utf-8")
    assert "nplurals=3;" in text


# Catalog workflow -----------------------------------------------------------------------------

def test_update_adds_marks_fuzzy_and_obsoletes(sample):
    result = run("--project", str(sample.root), "i18n", "update", "--locale", "en")
    assert result.exit_code == 0, result.output
    assert f"created {SAMPLE_PO}: 7 new, 0 fuzzy, 0 obsolete" in result.output
    po = sample.root / SAMPLE_PO
    text = po.read_text(encoding="utf-8")
    assert 'msgctxt "demand:demanda-a"\nmsgid "Una demanda ficticia."' in text
    translate(po, {"paragraph": "First paragraph.[^nota-a]", "heading": "Test section"})

    sample.replace("content/letters/carta-prueba.yaml", "Primer párrafo de la",
                   "Primer y único párrafo de la")
    sample.replace("content/letters/carta-prueba.yaml", "  - heading: Sección de prueba\n", "")
    result = run("--project", str(sample.root), "i18n", "update", "--locale", "en")
    assert "0 new, 1 fuzzy, 1 obsolete" in result.output
    text = po.read_text(encoding="utf-8")
    assert ('#, fuzzy\n#| msgid "Primer párrafo de la Organización Ejemplo A.[^nota-a]"\n'
            'msgctxt "paragraph"\nmsgid "Primer y único párrafo') in text
    assert '#~ msgctxt "heading"' in text


def test_round_trip_update_translate_build(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    assert run("--project", str(sample.root), "i18n", "update").exit_code == 0
    translate(sample.root / SAMPLE_PO, {
        "paragraph": "First paragraph of Example Organization A.[^nota-a]",
        "heading": "Test section",
        "grievance:agravio-a": "a fictional grievance;",
        "grievance:agravio-b": "another fictional grievance.",
        "demand:demanda-a": "A fictional demand.",
        "demand:demanda-b": "Another fictional demand.",
        "reference:nota-a": "See https://example.org/nota-a",
    })
    stats = run("--project", str(sample.root), "i18n", "stats")
    assert re.search(r"carta-prueba\s+en\s+7\s+0\s+0\s+100%", stats.output), stats.output
    result = run("--project", str(sample.root), "build", "--locale", "en")
    assert result.exit_code == 0, result.output + result.stderr
    pages = read_pages(sample.root / "output/carta-prueba/carta-prueba.en.pdf")
    assert normalize("First paragraph of Example Organization A.") in pages[0].body
    assert "March 1, 2024" in pages[0].body
    assert "Example Body A" in pages[0].body
    assert normalize("See https://example.org/nota-a") in pages[0].small
    assert "Dear Sir or Madam," in pages[0].body  # no English salutation: the template's


# The seed letter in English -------------------------------------------------------------------

def test_seed_english_pdf_holds_the_whole_translation(tmp_path):
    result = run("--project", str(REPO), "build", "--locale", "en", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output + result.stderr
    with (REPO / SEED_PO).open("rb") as stream:
        catalog = read_po(stream, locale="en")
    # An apostrophe typed between letters prints as the typographic one (issue 24, defect 5).
    translations = [re.sub(r"(?<=\w)'(?=\w)", "\u2019",
                           re.sub(r"\[\^[a-z0-9-]+\]", "", m.string))
                    for m in catalog if m.id and not m.context.startswith("reference:")]
    pages = read_pages(tmp_path / SEED_ID / f"{SEED_ID}.en.pdf")
    body = words(body_text(pages))
    expected = words(" ".join(translations))
    start = body.index(expected[0])
    assert body[start:start + len(expected)] == expected
    assert "September 19, 2017" in pages[0].body
    assert "Dear Members of the OGP Steering Committee" in pages[0].body
    assert pages[-1].small.endswith(f"Page {len(pages)} of {len(pages)}")
    spanish = [normalize(m.id)[:40] for m in catalog if m.id]
    text = " ".join(page.body + page.small for page in pages)
    assert not [source for source in spanish if source in text]


def test_i18n_stats_shows_english_complete():
    result = run("--project", str(REPO), "i18n", "stats")
    assert result.exit_code == 0
    assert re.search(rf"{SEED_ID}\s+en\s+22\s+0\s+0\s+100%", result.output), result.output


# Stale translations ---------------------------------------------------------------------------

@pytest.fixture
def stale_copy(seed_copy: Path) -> Path:
    letter = seed_copy / SEED_FILE
    text = letter.read_text(encoding="utf-8")
    changed = text.replace("Más aún, la falta de acción del gobierno y de la OGP ha llevado",
                           "Más aún, la falta de acción del gobierno y de la OGP sigue llevando")
    assert changed != text
    letter.write_text(changed, encoding="utf-8")
    return seed_copy


def test_a_changed_paragraph_is_stale_for_english(stale_copy):
    result = run("--project", str(stale_copy), "check")
    assert result.exit_code == 1
    assert (f"{SEED_PO}: body[10].paragraph: en translation is stale: the source text changed "
            'since it was translated ("Más aún, la falta de acción…")') in result.stderr


def test_a_stale_locale_is_refused_then_built_with_the_flag(stale_copy):
    result = run("--project", str(stale_copy), "build", "--locale", "en")
    assert result.exit_code == 1
    assert "body[10].paragraph: en translation is stale" in result.stderr
    assert f"not built: {SEED_ID} (en)" in result.stderr
    assert not list((stale_copy / "output").rglob("*.en.*"))

    # The stale English never holds back the Spanish.
    both = run("--project", str(stale_copy), "build", "--format", "html")
    assert both.exit_code == 1
    assert (stale_copy / f"output/{SEED_ID}/{SEED_ID}.es.html").is_file()
    assert not (stale_copy / f"output/{SEED_ID}/{SEED_ID}.en.html").exists()

    result = run("--project", str(stale_copy), "build", "--locale", "en",
                 "--allow-untranslated")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("translation is stale") == 1
    assert "body[10].paragraph: en translation is stale" in result.stderr
    html = (stale_copy / f"output/{SEED_ID}/{SEED_ID}.en.html").read_text(encoding="utf-8")
    assert '<p lang="es-MX">Más aún, la falta de acción del gobierno y de la OGP sigue' in html
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]  # not the page's language links
    # One block falls back to Spanish; the glossary's Spanish names are spans of their own.
    assert len(re.findall(r'<(?!span\b)\w+[^>]* lang="es-MX"', main)) == 1


def test_after_update_the_paragraph_is_fuzzy(stale_copy):
    run("--project", str(stale_copy), "i18n", "update")
    result = run("--project", str(stale_copy), "check")
    assert result.exit_code == 1
    assert "body[10].paragraph: en translation is marked fuzzy" in result.stderr


def test_french_with_fallback_has_french_dates_and_phrases(tmp_path):
    result = run("--project", str(REPO), "build", "--locale", "fr", "--allow-untranslated",
                 "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert "warning:" in result.stderr and "no fr catalog" in result.stderr
    pages = read_pages(tmp_path / SEED_ID / f"{SEED_ID}.fr.pdf")
    assert "19 septembre 2017" in pages[0].body
    # Page 1 has no number; page 2's continuation line says it in French.
    assert "Page 1 sur" not in pages[0].small
    assert pages[1].small.endswith(f"Page 2 sur {len(pages)}")
    html = (tmp_path / SEED_ID / f"{SEED_ID}.fr.html").read_text(encoding="utf-8")
    assert '<html lang="fr-FR">' in html  # CLDR's region for French (issue 24, defect 6)
    assert '<p lang="es-MX">El pasado 23 de mayo' in html


def test_a_locale_without_catalog_is_refused_without_the_flag():
    result = run("--project", str(REPO), "check", "--locale", "fr")
    assert result.exit_code == 1
    assert "no fr catalog for letter" in result.stderr
