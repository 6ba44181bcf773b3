"""Bad content gives one error that lists every problem with file, line, field and expectation."""

from __future__ import annotations

import pytest

from generator.campaign.assemble import validate
from generator.core.errors import ContentError
from generator.core.project import load_project

LETTER_FILE = "content/letters/carta-prueba.yaml"


def problems_of(sample) -> list[str]:
    with pytest.raises(ContentError) as caught:
        validate(load_project(sample.root))
    return [str(problem) for problem in caught.value.problems]


def only_problem(sample) -> str:
    found = problems_of(sample)
    assert len(found) == 1, found
    return found[0]


def test_the_sample_project_is_valid(sample):
    content = validate(load_project(sample.root))
    (letter,) = content.letters
    assert letter.id == "carta-prueba"
    assert [d.status for d in letter.body[3].items] == ["pending", "met"]


def test_yaml_syntax_error_names_file_and_line(sample):
    sample.replace(LETTER_FILE, "sender: coalicion-ejemplo", "sender: [coalicion-ejemplo")
    message = only_problem(sample)
    assert message.startswith(f"{LETTER_FILE}:")
    assert "YAML syntax error" in message


def test_missing_required_field(sample):
    sample.replace(LETTER_FILE, "date: 2024-03-01\n", "")
    assert only_problem(sample) == f"{LETTER_FILE}:1:1: date: required field is missing"


def test_unknown_field_suggests_the_right_one(sample):
    sample.replace(LETTER_FILE, "date: 2024-03-01", "date: 2024-03-01\nsubjet: Asunto")
    message = only_problem(sample)
    assert message.startswith(f"{LETTER_FILE}:3:1: subjet: unknown field")
    assert "did you mean 'subject'?" in message


def test_footnote_cited_but_not_defined(sample):
    sample.replace(LETTER_FILE, "[^nota-a]", "[^nota-a] y [^nota-b]")
    message = only_problem(sample)
    assert message.startswith(f"{LETTER_FILE}:7:")
    assert "body[1].paragraph: footnote [^nota-b] is cited but not defined" in message


def test_footnote_defined_but_never_cited(sample):
    sample.replace(LETTER_FILE, "[^nota-a]", "")
    message = only_problem(sample)
    assert message.startswith(f"{LETTER_FILE}:21:")
    assert "references[1].id: reference 'nota-a' is defined but never cited" in message


def test_duplicate_demand_id(sample):
    sample.replace(LETTER_FILE, "id: demanda-b", "id: demanda-a")
    message = only_problem(sample)
    assert message.startswith(f"{LETTER_FILE}:17:")
    assert "body[4].demands[2].id: duplicate demand id 'demanda-a' (first used at line 15)" \
        in message


def test_duplicate_yaml_key(sample):
    sample.replace(LETTER_FILE, "date: 2024-03-01", "date: 2024-03-01\ndate: 2024-03-02")
    assert "date: duplicate key (first given at line 2)" in only_problem(sample)


def test_unknown_recipient(sample):
    sample.replace(LETTER_FILE, "recipients: [organismo-ejemplo]",
                   "recipients: [organismo-ejemplo, organismo-inexistente]")
    message = only_problem(sample)
    assert message.startswith(f"{LETTER_FILE}:5:")
    assert "recipients[2]: unknown recipient 'organismo-inexistente'" in message
    assert "content/recipients.yaml (organismo-ejemplo)" in message


def test_unknown_sender(sample):
    sample.replace(LETTER_FILE, "sender: coalicion-ejemplo", "sender: otra-coalicion")
    message = only_problem(sample)
    assert message.startswith(f"{LETTER_FILE}:4:")
    assert "sender: unknown sender 'otra-coalicion'" in message


@pytest.mark.parametrize(("written", "detail"), [
    ("2017-02-30", "day is out of range for month"),
    ("2024-13-01", "month must be in 1..12"),
    ("ayer", "found 'ayer'"),
    ("2024", "found the number 2024"),
])
def test_invalid_date(sample, written, detail):
    sample.replace(LETTER_FILE, "date: 2024-03-01", f"date: {written}")
    message = only_problem(sample)
    assert message.startswith(f"{LETTER_FILE}:2:")
    assert "date: expected a date as YYYY-MM-DD" in message
    assert detail in message


@pytest.mark.parametrize("bad_id", ["Demanda_A", "../fuera", "a--b", "-a", "ñandú"])
def test_unsafe_slug(sample, bad_id):
    sample.replace(LETTER_FILE, "id: demanda-a", f"id: {bad_id!r}")
    message = only_problem(sample)
    assert "body[4].demands[1].id: expected an id of lowercase letters, digits" in message


def test_letter_id_must_match_file_name(sample):
    sample.replace(LETTER_FILE, "id: carta-prueba", "id: otra-carta")
    assert "id: expected the id to match the file name 'carta-prueba'" in only_problem(sample)


def test_unknown_demand_status(sample):
    sample.replace(LETTER_FILE, "status: met", "status: done")
    message = only_problem(sample)
    assert "body[4].demands[2].status: expected one of pending, partially-met, met" in message
    assert "found 'done'" in message


def test_paragraph_with_two_paragraphs_is_refused(sample):
    sample.replace(LETTER_FILE, "- heading: Sección de prueba",
                   '- paragraph: "Uno.\\n\\nDos."\n  - heading: Sección de prueba')
    assert "expected one paragraph of text, found 2 paragraphs" in only_problem(sample)


def test_unknown_locale(sample):
    sample.replace(LETTER_FILE, "language: es", "language: xx-nope")
    assert "language: expected a locale code such as es, en or fr" in only_problem(sample)


def test_missing_logo_names_the_path(sample):
    sample.write("content/senders.yaml", "coalicion-ejemplo:\n  name: Coalición\n"
                 "  logo: img/logo.png\n")
    message = only_problem(sample)
    assert message.startswith("content/senders.yaml:3:")
    assert "coalicion-ejemplo.logo: expected an image file relative to content/" in message
    assert "content/img/logo.png" in message


def test_not_utf8(sample):
    (sample.root / LETTER_FILE).write_bytes("id: carta-prueba\nplace: Méxíco\n".encode("latin-1"))
    assert "expected UTF-8 text" in only_problem(sample)


def test_a_list_where_a_letter_is_expected(sample):
    sample.write(LETTER_FILE, "- id: carta-prueba\n")
    assert "expected a mapping with the letter's fields" in only_problem(sample)


def test_every_problem_is_collected(sample):
    sample.replace(LETTER_FILE, "date: 2024-03-01", "date: 2024-02-30")
    sample.replace(LETTER_FILE, "id: demanda-b", "id: demanda-a")
    sample.replace(LETTER_FILE, "[^nota-a]", "[^nota-z]")
    sample.replace(LETTER_FILE, "recipients: [organismo-ejemplo]", "recipients: [nadie]")
    found = problems_of(sample)
    assert len(found) == 5, found  # the undefined note also leaves nota-a uncited
    lines = [int(message.split(":")[1]) for message in found]
    assert lines == sorted(lines)


def test_a_subject_on_two_lines_is_refused_where_it_is_written(sample):
    """The subject becomes the e-mail's Subject header: a line break there would add headers
    (or make `carta mail` fail after `carta check` passed)."""
    sample.replace(LETTER_FILE, "language: es",
                   'language: es\nsubject: "Asunto\\nBcc: x@example.net"')
    assert only_problem(sample).startswith(f"{LETTER_FILE}:4:1: subject: ")
