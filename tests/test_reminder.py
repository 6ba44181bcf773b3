"""`carta followup LETTER --reminder`: a reminder to each overdue recipient, citing the letter,
its date, its deadline, the days since and the demands still open, in es and en from the
template catalogs; it checks and builds as written.

Every organisation, person and event here is fictional."""

from __future__ import annotations

import pypdf
import pytest
from accounting_helpers import write_reply
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from generator.app.cli import cli

LETTER = "content/letters/carta-prueba.yaml"
REMINDER = "2024-04-15-recordatorio-organismo-ejemplo"
RECIPIENTS = """\
organismo-ejemplo:
  name: {es: Organismo Ejemplo A, en: Example Body A}
  salutation:
    es: "Estimados miembros del Organismo Ejemplo A:"
    en: "Dear Members of Example Body A,"
organismo-b:
  name: {es: Organismo Ejemplo B, en: Example Body B}
"""
# The English of the fictional letter, by source text.
ENGLISH = {
    "Primer párrafo de la Organización Ejemplo A.[^nota-a]":
        "First paragraph of Example Organisation A.[^nota-a]",
    "Sección de prueba": "Test section",
    "un agravio ficticio;": "a fictional grievance;",
    "otro agravio ficticio.": "another fictional grievance.",
    "Una demanda ficticia.": "A fictional demand.",
    "Otra demanda ficticia.": "Another fictional demand.",
    "Ver https://example.org/nota-a": "See https://example.org/nota-a",
    "Calendario de trabajo ficticio": "Fictional work calendar",
}


def run(root, *args, env=None):
    return CliRunner().invoke(cli, ["--project", str(root), *args], env=env)


def text_of(pdf) -> str:
    """Every word of the PDF, in reading order, one space between words."""
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages).split())


def translate(path, english: dict[str, str]) -> None:
    with open(path, "rb") as stream:
        catalog = read_po(stream, locale="en")
    for message in catalog:
        if message.id in english:
            message.string = english[message.id]
            message.flags.discard("fuzzy")
    with open(path, "wb") as stream:
        write_po(stream, catalog)


@pytest.fixture
def campaign(sample):
    """A letter of 1 March 2024 in es and en, its reply due in 30 days from two bodies; the
    second has replied."""
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    sample.write("content/recipients.yaml", RECIPIENTS)
    sample.replace(LETTER, "recipients: [organismo-ejemplo]",
                   "recipients: [organismo-ejemplo, organismo-b]\nmerge: true\n"
                   "subject: Calendario de trabajo ficticio\nreply_by: 30 days")
    assert run(sample.root, "i18n", "update").exit_code == 0
    translate(sample.root / "content/locale/en/LC_MESSAGES/carta-prueba.po", ENGLISH)
    assert run(sample.root, "check").exit_code == 0
    write_reply(sample.root, "respuesta-b", "2024-03-20", "organismo-b", "carta-prueba")
    return sample


def test_a_reminder_cites_the_letter_the_days_since_and_the_open_demands(campaign):
    result = run(campaign.root, "followup", "carta-prueba", "--reminder",
                 env={"CARTA_TODAY": "2024-04-15"})
    assert result.exit_code == 0, result.output
    # Only the body that has not replied is reminded.
    assert f"wrote content/letters/{REMINDER}.yaml (to organismo-ejemplo, 45 days after " \
           "the letter; 1 open demand)" in result.output
    assert not list((campaign.root / "content/letters").glob("*recordatorio-organismo-b*"))
    text = (campaign.root / f"content/letters/{REMINDER}.yaml").read_text()
    assert "follows: carta-prueba" in text and "recipients: [organismo-ejemplo]" in text
    assert 'subject: "Recordatorio: Calendario de trabajo ficticio"' in text
    assert ("El 1 de marzo de 2024 les escribimos y les pedimos su respuesta a más tardar el "
            "31 de marzo de 2024. Han pasado 45 días desde nuestra carta y no hemos recibido "
            "su respuesta.") in text
    # demanda-b was met in the letter itself: only demanda-a is still open.
    assert "      - id: demanda-a\n        status: pending" in text
    assert "demanda-b" not in text and "reply_by" not in text
    assert "[[TODO" not in text


def test_the_reminder_checks_and_builds_in_spanish_and_english(campaign):
    assert run(campaign.root, "followup", "carta-prueba", "--reminder", "--date",
               "2024-04-15").exit_code == 0
    assert run(campaign.root, "check").exit_code == 0
    result = run(campaign.root, "build", REMINDER, "--format", "pdf")
    assert result.exit_code == 0, result.output
    folder = campaign.root / "output" / REMINDER
    spanish, english = (text_of(folder / f"{REMINDER}.{locale}.pdf") for locale in ("es", "en"))
    assert "Recordatorio: Calendario de trabajo ficticio" in spanish
    assert "Han pasado 45 días desde nuestra carta" in spanish
    assert "Una demanda ficticia." in spanish
    assert "Reminder: Fictional work calendar" in english
    assert ("On March 1, 2024 we wrote to you and asked for your reply by March 31, 2024. "
            "45 days have passed since our letter, and we have not received your reply.") \
        in english
    # The open demand in English, with its status, from the letter's own catalog.
    assert "A fictional demand." in english and "Status: pending" in english
    assert "Dear Members of Example Body A," in english
    assert "Another fictional demand." not in english


def test_no_reminder_before_the_deadline_and_none_twice(campaign):
    early = run(campaign.root, "followup", "carta-prueba", "--reminder", "--date", "2024-03-25")
    assert early.exit_code == 0
    assert "no reply to carta-prueba is overdue on 2024-03-25: no reminder written" \
        in early.output
    assert run(campaign.root, "followup", "carta-prueba", "--reminder", "--date",
               "2024-04-15").exit_code == 0
    path = campaign.root / f"content/letters/{REMINDER}.yaml"
    before = path.read_bytes()
    again = run(campaign.root, "followup", "carta-prueba", "--reminder", "--date", "2024-04-15")
    assert again.exit_code == 1
    assert f"content/letters/{REMINDER}.yaml already exists; nothing was changed" in again.output
    assert path.read_bytes() == before


def test_a_letter_without_a_deadline_has_no_overdue_reply(sample):
    result = run(sample.root, "followup", "carta-prueba", "--reminder", "--date", "2024-06-01")
    assert result.exit_code == 1
    assert ("content/letters/carta-prueba.yaml: the letter has no reply_by, so no reply can be "
            "overdue") in result.output
    # Without --reminder, --date stays required.
    assert run(sample.root, "followup", "carta-prueba").exit_code == 2


def test_a_demand_addressed_to_one_body_is_in_that_bodys_reminder_only(sample):
    """`to:` a recipient (or `only_for`) keeps a demand out of the other bodies' reminders;
    a `to:` that is a text lead-in names no recipient, so every reminder carries it."""
    sample.write("content/recipients.yaml", RECIPIENTS)
    sample.replace(LETTER, "recipients: [organismo-ejemplo]",
                   "recipients: [organismo-ejemplo, organismo-b]\nmerge: true\n"
                   "reply_by: 30 days")
    sample.replace(LETTER, "references:", """\
  - to: organismo-b
    demands:
      - id: demanda-para-b
        text: Una demanda ficticia dirigida al Organismo Ejemplo B.
  - only_for: [organismo-ejemplo]
    demands:
      - id: demanda-solo-a
        text: Una demanda ficticia solo en la copia del Organismo Ejemplo A.
  - to: A ambos organismos ficticios
    demands:
      - id: demanda-comun
        text: Una demanda ficticia dirigida a ambos.
references:""")
    assert run(sample.root, "check").exit_code == 0
    result = run(sample.root, "followup", "carta-prueba", "--reminder", "--date", "2024-04-15")
    assert result.exit_code == 0, result.output
    assert "(to organismo-ejemplo, 45 days after the letter; 3 open demands)" in result.output
    assert "(to organismo-b, 45 days after the letter; 3 open demands)" in result.output
    letters = sample.root / "content/letters"
    to_a = (letters / "2024-04-15-recordatorio-organismo-ejemplo.yaml").read_text()
    to_b = (letters / "2024-04-15-recordatorio-organismo-b.yaml").read_text()
    assert "id: demanda-a\n" in to_a and "id: demanda-a\n" in to_b
    assert "id: demanda-comun\n" in to_a and "id: demanda-comun\n" in to_b
    assert "id: demanda-solo-a\n" in to_a and "demanda-solo-a" not in to_b
    assert "id: demanda-para-b\n" in to_b and "demanda-para-b" not in to_a
    assert run(sample.root, "check").exit_code == 0
