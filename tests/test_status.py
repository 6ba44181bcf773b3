"""`carta status`: the dashboard and its JSON on a fictional campaign, the clock set by the
test (never the real date), and `--overdue` exit codes for a cron job.

Every organisation, person and event here is fictional."""

from __future__ import annotations

import json

import pytest
from accounting_helpers import BODIES, blank_pdf
from click.testing import CliRunner

from generator.app.cli import cli

LETTER = "content/letters/carta-prueba.yaml"
REPLY = """\
id: 2024-03-20-respuesta-organismo-b
date: 2024-03-20
from: organismo-b
replies_to: carta-prueba
document: responses/2024-03-20-respuesta-organismo-b.pdf
summary: El Organismo Ejemplo B responde de forma ficticia.
demands:
  - id: demanda-a
    status: partially-met
"""


def run(root, *args, env=None):
    return CliRunner().invoke(cli, ["--project", str(root), *args], env=env)


@pytest.fixture
def campaign(sample):
    """One letter of 1 March 2024 to three bodies: A due by 1 April, B replied on 20 March,
    C due in 60 days."""
    sample.write("content/recipients.yaml", BODIES)
    sample.replace(LETTER, "recipients: [organismo-ejemplo]",
                   "recipients: [organismo-ejemplo, organismo-b, organismo-c]\n"
                   "reply_by:\n  organismo-c: 60 days\n  others: 2024-04-01")
    blank_pdf(sample.root / "content/responses/2024-03-20-respuesta-organismo-b.pdf")
    sample.write("content/responses/2024-03-20-respuesta-organismo-b.yaml", REPLY)
    return sample


def status_json(root, *args, env=None) -> dict:
    result = run(root, "status", "--json", *args, env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_gives_each_recipient_overdue_replied_or_in_time(campaign):
    found = status_json(campaign.root, "--today", "2024-04-10")
    assert found["schema"] == 1 and found["today"] == "2024-04-10"
    assert found["summary"] == {"letters_sent": 1, "replies_awaited": 3, "replies_received": 1,
                                "overdue": 1, "waiting": 1, "demands_overdue": 0}
    [letter] = found["letters"]
    by_id = {each["id"]: each for each in letter["recipients"]}
    assert by_id["organismo-ejemplo"] == {
        "id": "organismo-ejemplo", "name": "Organismo Ejemplo A", "reply_by": "2024-04-01",
        "state": "overdue", "days_waiting": 40, "days_overdue": 9, "reply": None}
    assert by_id["organismo-b"]["state"] == "replied"
    assert by_id["organismo-b"]["days_waiting"] == 19  # to the reply, not to today
    assert by_id["organismo-b"]["reply"] == {"id": "2024-03-20-respuesta-organismo-b",
                                             "date": "2024-03-20"}
    assert by_id["organismo-c"]["state"] == "waiting"
    assert by_id["organismo-c"]["reply_by"] == "2024-04-30"
    # The reply set demanda-a; demanda-b was met in the letter itself.
    assert found["demands"]["by_status"] == {"pending": 0, "partially-met": 1, "met": 1,
                                             "rejected": 0, "withdrawn": 0}
    statuses = {each["id"]: each for each in found["demands"]["items"]}
    assert statuses["demanda-a"]["set_by"] == "2024-03-20-respuesta-organismo-b"


def test_the_clock_decides_what_is_overdue(campaign):
    before = status_json(campaign.root, "--today", "2024-03-15")
    states = {each["id"]: each["state"] for each in before["letters"][0]["recipients"]}
    # On 15 March the reply of 20 March has not come yet.
    assert states == {"organismo-ejemplo": "waiting", "organismo-b": "waiting",
                      "organismo-c": "waiting"}
    later = status_json(campaign.root, env={"CARTA_TODAY": "2024-05-01"})
    states = {each["id"]: each["state"] for each in later["letters"][0]["recipients"]}
    assert states == {"organismo-ejemplo": "overdue", "organismo-b": "replied",
                      "organismo-c": "overdue"}
    # A letter dated after the clock is not sent yet: nothing is awaited of it.
    early = status_json(campaign.root, "--today", "2024-02-01")
    assert early["letters"][0]["sent"] is False and early["summary"]["replies_awaited"] == 0


def test_overdue_exits_1_only_when_a_reply_is_overdue(campaign):
    assert run(campaign.root, "status", "--overdue", "--today", "2024-03-25").exit_code == 0
    late = run(campaign.root, "status", "--overdue", "--today", "2024-04-02", "--locale", "en")
    assert late.exit_code == 1
    assert "Example Body A  OVERDUE  waiting 32 days, 1 day past April 1, 2024" \
        in late.output


def test_the_dashboard_and_what_changed_since_a_date(campaign):
    result = run(campaign.root, "status", "--today", "2024-04-10", "--since", "2024-03-10",
                 "--locale", "en")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Campaign status on April 10, 2024\n")
    assert "1 letter sent, 1 of 3 replies received, 1 overdue, 1 still in time" in out
    assert "Example Body B  replied  replied on March 20, 2024, after 19 days" in out
    assert "Example Body C  waiting  waiting 40 days, due April 30, 2024" in out
    assert "  partially met  1" in out and "  limited                1" in out
    since = out.split("Since March 10, 2024\n")[1].splitlines()
    assert since == [
        "  March 20, 2024  reply 2024-03-20-respuesta-organismo-b from organismo-b to "
        "carta-prueba",
        "  March 20, 2024  demanda-a: partially met (by 2024-03-20-respuesta-organismo-b)",
        "  April 1, 2024  deadline passed without a reply: organismo-ejemplo, carta-prueba",
    ]


def test_the_dashboard_speaks_the_projects_first_locale(campaign):
    """No --locale: the project's first locale (Spanish here), its dates and plural forms;
    the JSON stays the same whatever the language."""
    result = run(campaign.root, "status", "--today", "2024-04-10", "--since", "2024-03-10")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Estado de la campaña al 10 de abril de 2024\n")
    assert "1 carta enviada, 1 de 3 respuestas recibidas, 1 fuera de plazo, 1 aún en plazo" \
        in out
    assert ("Organismo Ejemplo A  FUERA DE PLAZO  en espera desde hace 40 días, 9 días "
            "después del plazo del 1 de abril de 2024") in out
    assert "Organismo Ejemplo B  respondió       respondió el 20 de marzo de 2024, tras 19 días" \
        in out
    assert "Organismo Ejemplo C  en espera       en espera desde hace 40 días, plazo hasta el " \
        "30 de abril de 2024" in out
    assert "\nPeticiones por estado\n" in out and "  atendida en parte  1" in out
    assert "  1 de abril de 2024  plazo vencido sin respuesta: organismo-ejemplo, " \
        "carta-prueba" in out
    assert "OVERDUE" not in out and "replied" not in out
    spanish = status_json(campaign.root, "--today", "2024-04-10")
    assert status_json(campaign.root, "--today", "2024-04-10", "--locale", "fr") == spanish
    assert spanish["letters"][0]["recipients"][0]["state"] == "overdue"


def test_the_dashboard_in_french_and_singular_counts(campaign):
    result = run(campaign.root, "status", "--today", "2024-04-02", "--locale", "fr")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("État de la campagne au 2 avril 2024\n")
    assert "1 lettre envoyée, réponses reçues : 1 sur 3, 1 en retard, 1 encore dans les délais" \
        in out
    # One day late: the singular, not "1 jours".
    assert "EN RETARD   en attente depuis 32 jours, 1 jour après le délai du 1 avril 2024" \
        in out
    assert "\nDemandes par état\n" in out


def test_an_unknown_dashboard_locale_is_a_usage_error(campaign):
    result = run(campaign.root, "status", "--locale", "xx")
    assert result.exit_code == 2
    assert "unknown locale 'xx'" in result.output
    # A locale with no catalog: English words, its own dates, and a note saying why.
    german = run(campaign.root, "status", "--locale", "de", "--today", "2024-04-10")
    assert german.exit_code == 0
    assert german.stdout.startswith("Campaign status on 10. April 2024\n")
    assert "note: no template catalog for 'de'" in german.stderr


def test_a_demands_own_deadline_counts_until_a_reply_speaks_to_it(campaign):
    campaign.replace(LETTER, "      - id: demanda-b\n", "      - id: demanda-b\n"
                     "        reply_by: 10 days\n")
    found = status_json(campaign.root, "--today", "2024-03-15")
    assert found["demand_deadlines"] == [{"demand": "demanda-b", "letter": "carta-prueba",
                                          "reply_by": "2024-03-11", "answered": False,
                                          "overdue": True}]
    assert run(campaign.root, "status", "--overdue", "--today", "2024-03-15").exit_code == 1


def test_a_reply_to_a_followup_answers_the_letter_it_follows(campaign):
    campaign.write("content/letters/recordatorio.yaml", """\
        id: recordatorio
        date: 2024-04-05
        language: es
        follows: carta-prueba
        sender: coalicion-ejemplo
        recipients: [organismo-ejemplo]
        body:
          - paragraph: Les recordamos nuestra carta.
        """)
    campaign.write("content/responses/2024-04-08-respuesta-a.yaml",
                   REPLY.replace("2024-03-20-respuesta-organismo-b", "2024-04-08-respuesta-a")
                   .replace("2024-03-20", "2024-04-08").replace("organismo-b", "organismo-ejemplo")
                   .replace("replies_to: carta-prueba", "replies_to: recordatorio")
                   .replace("document: responses/2024-04-08-respuesta-a.pdf",
                            "document: responses/2024-03-20-respuesta-organismo-b.pdf"))
    found = status_json(campaign.root, "--today", "2024-04-10")
    first = {each["id"]: each for each in found["letters"][0]["recipients"]}
    assert first["organismo-ejemplo"]["state"] == "replied"
    assert first["organismo-ejemplo"]["reply"]["id"] == "2024-04-08-respuesta-a"
