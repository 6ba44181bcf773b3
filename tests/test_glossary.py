"""The project glossary: terms checked in every translation, and shown to translators."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner
from conftest import SEED_ID

from generator.app.cli import cli
from generator.core.project import load_project
from generator.localization import glossary

PO = "content/locale/en/LC_MESSAGES/carta-prueba.po"

LETTER = """\
id: carta-prueba
date: 2024-03-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
body:
  - paragraph: La Comisión Ejemplo recibió nuestra carta.
  - paragraph: La Fiscalía Ejemplo abrió una investigación.
  - paragraph: La Comisión Ejemplo no respondió a la Fiscalía Ejemplo.
  - paragraph: Pedimos a la Fiscalía Ejemplo una reunión.
"""

GLOSSARY = """\
language: es
terms:
  - term: Comisión Ejemplo
    translations:
      en:
        use: Example Commission
        forbidden: [Sample Committee]
  - term: Fiscalía Ejemplo
    note: A fictional body.
    translations:
      en:
        use: Fiscalía Ejemplo
        gloss: Example Prosecutor's Office
        note: Keep in Spanish.
"""

# Source text -> English; every message is translated unless a test says otherwise.
ENGLISH = {
    "La Comisión Ejemplo recibió nuestra carta.": "The Example Commission received our letter.",
    "La Fiscalía Ejemplo abrió una investigación.":
        "The Fiscalía Ejemplo (Example Prosecutor's Office) opened an investigation.",
    "La Comisión Ejemplo no respondió a la Fiscalía Ejemplo.":
        "The Example Commission did not answer the Fiscalía Ejemplo.",
    "Pedimos a la Fiscalía Ejemplo una reunión.":
        "We asked the Fiscalía Ejemplo for a meeting.",
}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def project(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    sample.write("content/letters/carta-prueba.yaml", LETTER)
    sample.write("content/glossary.yaml", GLOSSARY)
    return sample


def translate(po_path: Path, changes: dict[str, str]) -> None:
    """Fill msgstr by source text, as a translator's PO editor would."""
    with po_path.open("rb") as stream:
        catalog = read_po(stream, locale="en")
    for message in catalog:
        if message.id in changes:
            message.string = changes[message.id]
    with po_path.open("wb") as stream:
        write_po(stream, catalog, width=100)


def translated(project, **changes: str) -> Path:
    """The sample's English catalog, made by 'i18n update' and filled from ENGLISH, with the
    English of some messages replaced (by source text)."""
    assert run("--project", str(project.root), "i18n", "update").exit_code == 0
    po = project.root / PO
    translate(po, {**ENGLISH, **{ENGLISH_KEYS[key]: text for key, text in changes.items()}})
    return po


ENGLISH_KEYS = dict(zip(("first", "second", "third", "fourth"), ENGLISH, strict=True))


def msgid_line(po: Path, source: str) -> int:
    lines = po.read_text(encoding="utf-8").splitlines()
    return lines.index(f'msgid "{source}"') + 1


# One term, two translations --------------------------------------------------------------------

def test_a_term_translated_two_ways_is_reported_where_it_breaks(project):
    po = translated(project, third="The Sample Committee did not answer the Fiscalía Ejemplo.")
    line = msgid_line(po, "La Comisión Ejemplo no respondió a la Fiscalía Ejemplo.")

    result = run("--project", str(project.root), "check")
    assert result.exit_code == 0, result.stderr  # a warning, not a problem
    where = f'{PO}:{line}: body[3].paragraph: msgctxt "paragraph": glossary: '
    assert (f'warning: {where}the source says "Comisión Ejemplo"; translate it as '
            '"Example Commission" (content/glossary.yaml:5)') in result.stderr
    assert (f'warning: {where}"Sample Committee" is a forbidden variant in en; write '
            '"Example Commission" (content/glossary.yaml:5)') in result.stderr
    assert result.stderr.count("glossary:") == 2  # body[1] keeps the approved term
    assert "2 glossary warnings" in result.output

    strict = run("--project", str(project.root), "check", "--strict")
    assert strict.exit_code == 1
    assert "2 problems found:" in strict.stderr
    assert f'{where}"Sample Committee" is a forbidden variant' in strict.stderr


def test_a_consistent_translation_passes_strict(project):
    translated(project)
    result = run("--project", str(project.root), "check", "--strict")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_a_forbidden_variant_inside_the_approved_term_is_no_finding(project):
    # "Commission" alone is forbidden, but it is also part of "Example Commission".
    project.replace("content/glossary.yaml", "forbidden: [Sample Committee]",
                    "forbidden: [Commission]")
    translated(project, first="The Example Commission received our letter; the Commission "
                              "keeps it.")
    result = run("--project", str(project.root), "check")
    assert result.exit_code == 0, result.stderr
    findings = [text for text in result.stderr.splitlines() if "glossary:" in text]
    assert len(findings) == 1  # not body[3], which says "the Example Commission" only
    assert 'body[1].paragraph: msgctxt "paragraph": glossary: "Commission" is a forbidden ' \
        "variant in en" in findings[0]


def test_untranslated_messages_are_not_glossary_findings(project):
    translated(project, third="")
    result = run("--project", str(project.root), "check")
    assert result.exit_code == 1
    assert "body[3].paragraph: en not translated yet" in result.stderr
    assert "glossary" not in result.stderr


# First use -----------------------------------------------------------------------------------

def test_a_missing_gloss_is_reported_at_the_first_use_only(project):
    po = translated(project, second="The Fiscalía Ejemplo opened an investigation.")
    line = msgid_line(po, "La Fiscalía Ejemplo abrió una investigación.")
    result = run("--project", str(project.root), "check", "--strict")
    assert result.exit_code == 1
    findings = [text for text in result.stderr.splitlines() if "glossary:" in text]
    assert findings == [
        f'  {PO}:{line}: body[2].paragraph: msgctxt "paragraph": glossary: "Fiscalía Ejemplo" '
        'is first used here, in reading order; add the gloss "Example Prosecutor\'s Office" '
        "(content/glossary.yaml:11)"]


def test_a_gloss_given_later_does_not_count_for_the_first_use(project):
    translated(project, second="The Fiscalía Ejemplo opened an investigation.",
               fourth="We asked the Fiscalía Ejemplo (Example Prosecutor's Office) to meet.")
    result = run("--project", str(project.root), "check", "--strict")
    assert "body[2].paragraph" in result.stderr
    assert "body[4].paragraph" not in result.stderr


# Matching -------------------------------------------------------------------------------------

def test_matching_is_case_insensitive_whole_words_accents_significant(project):
    project.write("content/glossary.yaml", """\
        terms:
          - term: Plan de Acción
            forms: [Planes de Acción]
          - term: Tercer Plan de Acción
          - term: STT
          - term: Núcleo
        """)
    terms, problems = glossary.load(load_project(project.root))
    assert problems == []

    def found(text: str) -> list[str]:
        return [form for _, form in terms.found(text)]

    assert found("el plan de acción y los PLANES DE ACCIÓN") == ["Plan de Acción"]
    assert found("el Tercer Plan de Acción") == ["Tercer Plan de Acción"]  # longest wins
    assert found("los STTs") == []  # whole words only
    assert found("el Nucleo") == []  # accents count
    assert found("el Nu\u0301cleo") == ["Núcleo"]  # a decomposed accent is the same letter
    assert found("la carta.[^carta-stt] Ver https://example.org/stt") == []


# Translator comments ----------------------------------------------------------------------------

def comments(po: Path) -> dict[str, str]:
    """The `#.` comments of each message, as a PO editor shows them (Babel wraps long ones
    over several lines)."""
    with po.open("rb") as stream:
        return {m.id: " ".join(m.auto_comments) for m in read_po(stream, locale="en") if m.id}


def test_update_writes_the_glossary_entries_as_comments_and_keeps_them(project):
    po = translated(project)
    first = comments(po)
    assert first["La Fiscalía Ejemplo abrió una investigación."] == (
        "body[2].paragraph glossary: \"Fiscalía Ejemplo\" -> \"Fiscalía Ejemplo\". First use: "
        "add \"Example Prosecutor's Office\". A fictional body. Keep in Spanish.")
    assert first["Pedimos a la Fiscalía Ejemplo una reunión."].startswith(
        "body[4].paragraph glossary: \"Fiscalía Ejemplo\" -> \"Fiscalía Ejemplo\". Glossed at "
        "its first use, earlier.")
    assert first["La Comisión Ejemplo no respondió a la Fiscalía Ejemplo."] == (
        "body[3].paragraph "
        "glossary: \"Comisión Ejemplo\" -> \"Example Commission\". Not \"Sample Committee\". "
        "glossary: \"Fiscalía Ejemplo\" -> \"Fiscalía Ejemplo\". Glossed at its first use, "
        "earlier. A fictional body. Keep in Spanish.")
    text = po.read_text(encoding="utf-8")
    assert '#. body[1].paragraph\n#. glossary: "Comisión Ejemplo" -> "Example Commission".' \
        in text

    # A second update changes nothing, and the translations stay.
    assert run("--project", str(project.root), "i18n", "update").exit_code == 0
    assert po.read_text(encoding="utf-8") == text
    with po.open("rb") as stream:
        assert {m.id: m.string for m in read_po(stream) if m.id} == ENGLISH


def test_comments_follow_the_glossary_when_it_changes(project):
    po = translated(project)
    project.replace("content/glossary.yaml", "use: Example Commission",
                    "use: Example Board")
    assert run("--project", str(project.root), "i18n", "update").exit_code == 0
    after = comments(po)["La Comisión Ejemplo recibió nuestra carta."]
    assert after == ("body[1].paragraph glossary: \"Comisión Ejemplo\" -> \"Example Board\". "
                     "Not \"Sample Committee\".")
    assert "Example Commission\"" not in po.read_text(encoding="utf-8")


# Stats and a broken glossary ------------------------------------------------------------------

def test_stats_counts_findings_per_letter_and_locale(project):
    translated(project, first="The Sample Committee received our letter.",
               second="The Fiscalía Ejemplo opened an investigation.")
    result = run("--project", str(project.root), "i18n", "stats")
    assert result.exit_code == 0, result.output
    assert re.search(r"done\s+glossary\n", result.output)
    # body[1]: approved term missing and a forbidden variant; body[2]: the gloss.
    assert re.search(r"carta-prueba\s+en\s+4\s+0\s+0\s+100%\s+3\n", result.output)


def test_a_mistake_in_the_glossary_is_a_problem_with_its_line(project):
    project.replace("content/glossary.yaml", "    note: A fictional body.\n",
                    "    notes: A fictional body.\n")
    project.replace("content/glossary.yaml", "forbidden: [Sample Committee]",
                    "forbidden: [Example Commission]")
    translated_po = project.root / PO
    assert not translated_po.exists()
    for command in (("check",), ("i18n", "update"), ("i18n", "stats")):
        result = run("--project", str(project.root), *command)
        assert result.exit_code == 1, command
        assert ("content/glossary.yaml:9:5: terms[2].notes: unknown field; did you mean "
                "'note'?") in result.stderr
        assert ("content/glossary.yaml:7:9: terms[1].translations.en.forbidden: 'Example "
                "Commission' is both accepted and forbidden; keep one") in result.stderr
    assert not translated_po.exists()  # no catalog written from a broken glossary


# The seed letter -------------------------------------------------------------------------------

def test_the_seed_letter_english_follows_the_glossary(seed_copy):
    result = run("--project", str(seed_copy), "check", "--strict")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    stats = run("--project", str(seed_copy), "i18n", "stats")
    assert re.search(rf"{SEED_ID}\s+en\s+22\s+0\s+0\s+100%\s+0\n", stats.output), stats.output


def test_the_seed_catalog_carries_the_glossary_comments(seed_copy):
    po = seed_copy / f"content/locale/en/LC_MESSAGES/{SEED_ID}.po"
    text = po.read_text(encoding="utf-8")
    assert '#. glossary: "3PNA" -> "3PNA". First use: add "Third National Action Plan (3PNA)".' \
        in text
    # The committed catalog is what 'i18n update' writes: nothing left to refresh.
    assert run("--project", str(seed_copy), "i18n", "update").exit_code == 0
    assert po.read_text(encoding="utf-8") == text
