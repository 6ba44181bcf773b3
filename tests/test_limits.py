"""Check-time limits on what one text may hold: each found where it stands, named, with its size.

The texts here are the reproductions of issue 22 (R4-R7): `carta check` passed them and the PDF
build ran for minutes. Now check refuses each with the file, line, column and field, the limit
and the size found, in the source and in a translation alike. How long a document at each limit
takes to build is measured by benchmarks/limits.py, not here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.app.cli import cli
from generator.campaign.assemble import validate
from generator.content import checks
from generator.core.errors import ContentError
from generator.core.project import load_project
from generator.localization import glossary

LETTER_FILE = "content/letters/carta-prueba.yaml"
PO = "content/locale/en/LC_MESSAGES/carta-prueba.po"
REPO = Path(__file__).resolve().parent.parent
PARAGRAPH = "Primer párrafo de la Organización Ejemplo A.[^nota-a]"
NOTE = "Ver https://example.org/nota-a"


def problems_of(sample) -> list[str]:
    with pytest.raises(ContentError) as caught:
        validate(load_project(sample.root))
    return [str(problem) for problem in caught.value.problems]


def only_problem(sample) -> str:
    found = problems_of(sample)
    assert len(found) == 1, found
    return found[0]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# Words (R4) ----------------------------------------------------------------------------------

def test_an_unbroken_word_of_8000_letters_is_refused_where_it_stands(sample):
    sample.replace(LETTER_FILE, PARAGRAPH, "Palabra " + "co" * 4000 + ".[^nota-a]")
    assert only_problem(sample) == (
        f"{LETTER_FILE}:7:5: body[1].paragraph: expected a word of at most 100 characters, "
        f"found one of 8,002 ('{'co' * 15}...'); break it with spaces, or remove pasted data")


def test_a_word_at_the_limit_passes_and_one_letter_more_does_not(sample):
    sample.replace(LETTER_FILE, PARAGRAPH, "a" * checks.MAX_WORD + "[^nota-a]")
    # The footnote call sticks to its word, and counts as one character of it.
    assert "found one of 101" in only_problem(sample)
    sample.replace(LETTER_FILE, "a" * checks.MAX_WORD, "a" * (checks.MAX_WORD - 1))
    validate(load_project(sample.root))


@pytest.mark.parametrize("joined", [
    "pal**abra**" * 20,  # emphasis prints nothing: one word on the page
    "palabra\u00a0" * 20,  # no-break spaces do not let a line break
    "`" + "x" * 120 + "`",  # code is text too
])
def test_a_word_is_what_the_page_shows_unbroken(sample, joined):
    sample.replace(LETTER_FILE, PARAGRAPH, f"Texto {joined} fin.[^nota-a]")
    assert "expected a word of at most 100 characters" in only_problem(sample)


def test_a_long_word_in_a_plain_field_is_refused_too(sample):
    sample.replace(LETTER_FILE, "language: es", "language: es\nsubject: " + "x" * 500)
    message = only_problem(sample)
    assert message.startswith(f"{LETTER_FILE}:4:1: subject: expected a word of at most 100")
    assert "found one of 500" in message


# Web addresses and notes (R5, R6) ------------------------------------------------------------

def test_a_note_holding_a_12000_character_address_is_refused(sample):
    address = "https://example.org/" + "a" * 11_980
    sample.replace(LETTER_FILE, NOTE, f"Ver {address}")
    assert problems_of(sample) == [
        f"{LETTER_FILE}:22:5: references[1].text: expected a note of at most 2,500 characters, "
        "found one of 12,004; give each source its own note",
        f"{LETTER_FILE}:22:5: references[1].text: expected a web address of at most 2,000 "
        f"characters, found one of 12,000 ('{address[:30]}...'); link to a shorter address "
        "(without tracking parameters), or to the page that holds it"]


def test_a_named_link_to_a_long_address_is_refused(sample):
    sample.replace(LETTER_FILE, PARAGRAPH,
                   f"Ver [el informe](https://example.org/{'a' * 3000}).[^nota-a]")
    assert "body[1].paragraph: expected a web address of at most 2,000 characters, found one " \
        "of 3,020" in only_problem(sample)


def test_120_notes_cited_in_one_paragraph_are_refused(sample):
    labels = [f"n{number}" for number in range(120)]
    sample.replace(LETTER_FILE, PARAGRAPH,
                   "Texto" + "".join(f" dato[^{label}]" for label in labels) + ".[^nota-a]")
    sample.replace(LETTER_FILE, "references:\n", "references:\n" + "".join(
        f"  - id: {label}\n    text: Nota {label}.\n" for label in labels))
    assert only_problem(sample) == (
        f"{LETTER_FILE}:7:5: body[1].paragraph: expected at most 20 note citations in one "
        "text, found 121; a note can name several sources, or cite some of them in the next "
        "paragraph")


def test_a_note_longer_than_the_limit_is_refused(sample):
    sample.replace(LETTER_FILE, NOTE, " ".join(["palabra"] * 400))
    assert only_problem(sample) == (
        f"{LETTER_FILE}:22:5: references[1].text: expected a note of at most 2,500 characters, "
        "found one of 3,199; give each source its own note")


def test_the_notes_of_one_paragraph_must_fit_at_the_foot_of_its_page(sample):
    notes = {f"n{number}": " ".join(["palabra"] * 300) for number in range(3)}  # 2,399 each
    sample.replace(LETTER_FILE, PARAGRAPH,
                   "Texto" + "".join(f" dato[^{label}]" for label in notes) + ".[^nota-a]")
    sample.replace(LETTER_FILE, "references:\n", "references:\n" + "".join(
        f"  - id: {label}\n    text: {text}\n" for label, text in notes.items()))
    assert only_problem(sample) == (
        f"{LETTER_FILE}:7:5: body[1].paragraph: the notes this text cites, with the addresses "
        "of its named links, hold 7,227 characters together, expected at most 6,000: they are "
        "printed at the foot of its page and must fit there; shorten them, or cite some in the "
        "next paragraph")


def test_every_limit_is_found_in_one_check(sample):
    sample.replace(LETTER_FILE, PARAGRAPH, "x" * 200 + ".[^nota-a]")
    sample.replace(LETTER_FILE, NOTE, "https://example.org/" + "a" * 2100)
    found = problems_of(sample)
    assert [message.split(": ")[1] for message in found] == ["body[1].paragraph",
                                                            "references[1].text"]


# Translations ----------------------------------------------------------------------------------

@pytest.fixture
def bilingual(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    assert run("--project", str(sample.root), "i18n", "update").exit_code == 0
    return sample


def translate(sample, changes: dict[str, str]) -> Path:
    """Every message translated (as itself unless `changes` says), as a PO editor would."""
    po = sample.root / PO
    with po.open("rb") as stream:
        catalog = read_po(stream, locale="en")
    for message in catalog:
        if message.id:
            message.string = changes.get(message.id, message.id)
    with po.open("wb") as stream:
        write_po(stream, catalog, width=100)
    return po


def msgid_line(po: Path, source: str) -> int:
    return po.read_text(encoding="utf-8").splitlines().index(f'msgid "{source}"') + 1


def test_a_translation_is_held_to_the_same_limits(bilingual):
    po = translate(bilingual, {PARAGRAPH: "Word " + "co" * 4000 + ".[^nota-a]",
                               NOTE: "See https://example.org/" + "a" * 3000})
    result = run("--project", str(bilingual.root), "check")
    assert result.exit_code == 1
    assert (f"{PO}:{msgid_line(po, PARAGRAPH)}: body[1].paragraph: msgctxt \"paragraph\": "
            "expected a word of at most 100 characters, found one of 8,002") in result.stderr
    assert (f"{PO}:{msgid_line(po, NOTE)}: references[1].text: msgctxt \"reference:nota-a\": "
            "expected a web address of at most 2,000 characters, found one of 3,020") \
        in result.stderr


def test_a_translation_many_times_longer_than_its_source_is_refused(bilingual):
    translate(bilingual, {PARAGRAPH: " ".join(["Word"] * 80) + ".[^nota-a]"})
    result = run("--project", str(bilingual.root), "check")
    assert result.exit_code == 1
    assert ("body[1].paragraph: msgctxt \"paragraph\": expected a translation of at most 306 "
            "characters (2 times the source's 53, plus 200), found one of 409; translate the "
            "source text only") in result.stderr


def test_a_translated_note_is_held_to_the_note_limit(bilingual):
    long_note = " ".join(["palabra"] * 400)
    bilingual.replace(LETTER_FILE, NOTE, " ".join(["palabra"] * 300))
    assert run("--project", str(bilingual.root), "i18n", "update").exit_code == 0
    translate(bilingual, {" ".join(["palabra"] * 300): long_note})
    result = run("--project", str(bilingual.root), "check")
    assert result.exit_code == 1
    assert ("references[1].text: msgctxt \"reference:nota-a\": expected a note of at most "
            "2,500 characters, found one of 3,199") in result.stderr


# Real letters are far from every limit -------------------------------------------------------

def test_the_repository_letters_and_examples_pass(seed_copy):
    result = run("--project", str(seed_copy), "check")
    assert result.exit_code == 0, result.stderr
    for example in sorted((REPO / "examples").glob("*/carta.toml")):
        result = run("--project", str(example.parent), "check")
        assert result.exit_code == 0, (example, result.stderr)


# Glossary (R7) -----------------------------------------------------------------------------------

GLOSSARY = """\
language: es
terms:
{terms}
"""


def test_a_glossary_over_its_size_limit_is_refused(sample, monkeypatch):
    monkeypatch.setattr(glossary, "MAX_TERMS", 3)
    sample.write("content/glossary.yaml", GLOSSARY.format(terms="\n".join(
        f"  - term: Término {number}" for number in range(4))))
    terms, problems = glossary.load(load_project(sample.root))
    assert terms is None
    assert [str(problem) for problem in problems] == [
        "content/glossary.yaml:2:1: terms: expected at most 3 terms, found 4; keep the terms "
        "translators of these letters need"]


def test_a_list_of_forms_over_its_limit_is_refused(sample):
    variants = ", ".join(f"Variante {number}" for number in range(glossary.MAX_PHRASES + 1))
    sample.write("content/glossary.yaml", GLOSSARY.format(terms=(
        "  - term: Comisión Ejemplo\n    translations:\n      en:\n        use: Commission\n"
        f"        forbidden: [{variants}]")))
    _, problems = glossary.load(load_project(sample.root))
    assert [str(problem) for problem in problems] == [
        "content/glossary.yaml:7:9: terms[1].translations.en.forbidden: expected at most 50 "
        "entries, found 51"]


def _quadratic_check(terms, text: str) -> tuple[list, list]:
    """The glossary's matching before issue 22, one regular expression per phrase: (terms found
    in `text` as a source, forbidden variants reported in `text` as a translation)."""
    def pattern(phrase):
        words = glossary._normal(phrase).split()
        return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)",
                          re.IGNORECASE)

    plain = glossary._plain(text)
    matches = sorted(((match.start(), match.end(), term, form) for term in terms
                      for form in term.forms for match in pattern(form).finditer(plain)),
                     key=lambda match: (match[0], match[0] - match[1]))
    chosen, end = {}, 0
    for start, stop, term, form in matches:
        if start >= end:
            chosen.setdefault(id(term), (term.term, form))
            end = stop
    rules = [rule for term in terms if (rule := term.rule("en"))]
    accepted = [match.span() for rule in rules for form in rule.forms
                for match in pattern(form).finditer(plain)]
    forbidden = []
    for rule in rules:
        for variant in rule.forbidden:
            for match in pattern(variant).finditer(plain):
                if not any(start <= match.start() and match.end() <= end
                           for start, end in accepted):
                    forbidden.append((rule.use, match.group()))
                    break
    return list(chosen.values()), forbidden


WORDS = ["plan", "de", "acción", "Plan", "ACCIÓN", "comité", "tercer", "Núcleo", "nucleo", "a"]


@st.composite
def glossaries_and_texts(draw):
    def phrase():
        return " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))

    terms = []
    for number in range(draw(st.integers(1, 6))):
        use = phrase()
        forms = tuple(dict.fromkeys((use, *(phrase() for _ in range(draw(st.integers(0, 2)))))))
        accepted = {glossary._normal(form).lower() for form in forms}
        forbidden = tuple(variant for variant in dict.fromkeys(
            phrase() for _ in range(draw(st.integers(0, 2)))) if variant.lower() not in accepted)
        rule = glossary.Rule("en", use, forms, None, forbidden, None, number)
        terms.append(glossary.Term(phrase(), (phrase(),), None, {"en": rule}, number))
    separators = st.sampled_from([" ", "  ", "\n", ", ", "-", "’"])
    text = "".join(draw(st.sampled_from(WORDS)) + draw(separators)
                   for _ in range(draw(st.integers(0, 30))))
    return terms, text


@settings(max_examples=300, deadline=None)
@given(glossaries_and_texts())
def test_one_pass_matching_finds_what_one_expression_per_phrase_found(case):
    terms, text = case
    # Terms with the same source form are refused when the glossary is read.
    sources = [glossary._normal(" ".join(term.forms[0].split())).lower() for term in terms]
    if len(set(sources)) < len(sources):
        return
    found_before, forbidden_before = _quadratic_check(terms, text)
    terms_now = glossary.Glossary("es", tuple(terms), "content/glossary.yaml")
    assert [(term.term, form) for term, form in terms_now.found(text)] == found_before
    targets = terms_now._targets("en")
    occurrences = targets.finder.occurrences(glossary._plain(text))
    assert [(rule.use, shown) for rule, shown in targets.forbidden_in(occurrences)] \
        == forbidden_before


def test_a_large_glossary_against_a_long_translation_is_checked_within_a_budget(bilingual):
    # R7: terms whose forbidden variant stands inside their accepted form ("Example" in
    # "Example Term7"), and one long translation full of them: every variant's match was compared
    # with every accepted form's, over a minute at these sizes. A budget, not a timing: one pass
    # takes about a second.
    count = glossary.MAX_TERMS
    source = " ".join(f"Término{number} Ejemplo" for number in range(count))[:9800]
    source = source.rsplit(" ", 2)[0] + "."
    english = " ".join(f"Example Term{number}" for number in range(1200))  # 19,000 characters
    bilingual.replace(LETTER_FILE, PARAGRAPH, source + "[^nota-a]")
    bilingual.write("content/glossary.yaml", GLOSSARY.format(terms="\n".join(
        f"  - term: Término{number} Ejemplo\n    translations:\n      en:\n"
        f"        use: Example Term{number}\n        forbidden: [Example, Term{number}]"
        for number in range(count))))
    assert run("--project", str(bilingual.root), "i18n", "update").exit_code == 0
    translate(bilingual, {source + "[^nota-a]": english + "[^nota-a]"})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, "-m", "generator", "--project", str(bilingual.root),
                           "check", "--strict"], capture_output=True, text=True, timeout=30,
                          env=env)
    assert done.returncode == 0, done.stderr
