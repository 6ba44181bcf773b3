"""Reply deadlines (`reply_by:`): dates, calendar and working days across holidays, per
recipient and per demand, and the located problems `carta check` reports.

Every organisation and date here is fictional."""

from __future__ import annotations

import datetime

import pytest
from click.testing import CliRunner

from generator.app.cli import cli
from generator.campaign.assemble import validate
from generator.campaign.deadlines import Calendar, demand_deadlines, due_date, letter_deadline
from generator.core.model import ReplyBy
from generator.core.project import load_project

D = datetime.date
LETTER = "content/letters/carta-prueba.yaml"
RECIPIENTS = """\
organismo-ejemplo:
  name: {es: Organismo Ejemplo A, en: Example Body A}
otro-organismo:
  name: {es: Organismo Ejemplo B, en: Example Body B}
"""


def run(root, *args):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


def letter_of(sample):
    project = load_project(sample.root)
    return project, validate(project).letters[0]


def test_a_date_and_calendar_days_count_from_the_letters_date():
    friday = D(2024, 3, 1)
    assert due_date(ReplyBy(date=D(2024, 4, 2)), friday, Calendar()) == D(2024, 4, 2)
    assert due_date(ReplyBy(days=30), friday, Calendar()) == D(2024, 3, 31)
    # Calendar days do not skip weekends or holidays.
    assert due_date(ReplyBy(days=1), friday, Calendar(frozenset([D(2024, 3, 2)]))) \
        == D(2024, 3, 2)


def test_working_days_skip_the_weekend_and_a_holiday():
    friday = D(2024, 3, 1)
    assert due_date(ReplyBy(days=5, working=True), friday, Calendar()) == D(2024, 3, 8)
    # Friday 8 March a holiday: the fifth working day is Monday 11.
    holiday = Calendar(frozenset([D(2024, 3, 8)]))
    assert due_date(ReplyBy(days=5, working=True), friday, holiday) == D(2024, 3, 11)
    # A weekend of Friday and Saturday (a project's [deadlines] weekend).
    assert due_date(ReplyBy(days=1, working=True), D(2024, 3, 7), Calendar(weekend=(5, 6))) \
        == D(2024, 3, 10)


def test_reply_by_in_a_letter_with_carta_toml_holidays_per_recipient_and_demand(sample):
    sample.write("content/recipients.yaml", RECIPIENTS)
    sample.replace(LETTER, "recipients: [organismo-ejemplo]",
                   "recipients: [organismo-ejemplo, otro-organismo]\n"
                   "reply_by:\n  organismo-ejemplo: 2024-04-15\n  others: 30 working days")
    sample.replace(LETTER, "      - id: demanda-a\n", "      - id: demanda-a\n"
                   "        reply_by: 10 days\n")
    sample.write("carta.toml", '[project]\nlocales = ["es"]\n\n[deadlines]\n'
                 'holidays = [2024-03-18, "2024-03-28", 2024-03-29]\n')
    project, letter = letter_of(sample)
    calendar = Calendar.of(project.settings)
    assert letter_deadline(letter, "organismo-ejemplo", calendar) == D(2024, 4, 15)
    # 30 working days from Friday 1 March 2024: 20 weekdays left in March less 3 holidays
    # (17), then the 13th working day of April, Wednesday 17.
    assert letter_deadline(letter, "otro-organismo", calendar) == D(2024, 4, 17)
    # Without the holidays, three days sooner.
    assert letter_deadline(letter, "otro-organismo", Calendar()) == D(2024, 4, 12)
    assert demand_deadlines(letter, calendar) == {"demanda-a": D(2024, 3, 11)}
    assert str(letter.reply_by[""]) == "30 working days"


def test_every_deadline_problem_is_located_and_listed_at_once(sample):
    sample.replace(LETTER, "recipients: [organismo-ejemplo]",
                   "recipients: [organismo-ejemplo]\n"
                   "reply_by:\n  organismo-ejempo: 2024-04-01\n  others: 2024-02-20")
    sample.replace(LETTER, "      - id: demanda-a\n", "      - id: demanda-a\n"
                   "        reply_by: thirty days\n")
    sample.replace(LETTER, "      - id: demanda-b\n", "      - id: demanda-b\n"
                   "        reply_by: 0 days\n")
    result = run(sample.root, "check")
    assert result.exit_code == 1
    out = result.output
    assert "4 problems found" in out
    assert (f"{LETTER}:7:3: reply_by.organismo-ejempo: unknown recipient 'organismo-ejempo'; "
            "expected a recipient of this letter (organismo-ejemplo) or 'others'; did you "
            "mean 'organismo-ejemplo'?") in out
    assert (f"{LETTER}:8:3: reply_by.others: the reply deadline 2024-02-20 is not after the "
            "letter's date (2024-03-01)") in out
    assert (f"{LETTER}:19:9: body[4].demands[1].reply_by: expected a date as YYYY-MM-DD, or a "
            "number of days after the letter's date such as '30 days' or '20 working days', "
            "found 'thirty days'") in out
    assert f"{LETTER}:22:9: body[4].demands[2].reply_by: expected at least 1 day" in out


@pytest.mark.parametrize(("setting", "message"), [
    ('holidays = [2024-12-25, "25 de diciembre"]',
     "carta.toml:5: deadlines.holidays: holiday 2: expected a date such as 2024-12-25, "
     "found '25 de diciembre'"),
    ('weekend = ["domingo"]',
     "carta.toml:5: deadlines.weekend: expected a list of days such as "
     "[\"saturday\", \"sunday\"], found ['domingo']"),
    ("holiday = []", "carta.toml:5: deadlines.holiday: unknown setting; expected holidays or "
     "weekend"),
])
def test_carta_toml_deadline_settings_are_checked_with_their_line(sample, setting, message):
    sample.write("carta.toml", f'[project]\nlocales = ["es"]\n\n[deadlines]\n{setting}\n')
    result = run(sample.root, "check")
    assert result.exit_code == 1
    assert message in result.output


def test_a_followup_does_not_carry_the_earlier_deadline(sample):
    sample.replace(LETTER, "recipients: [organismo-ejemplo]",
                   "recipients: [organismo-ejemplo]\nreply_by: 30 days")
    result = run(sample.root, "followup", "carta-prueba", "--date", "2024-05-01")
    assert result.exit_code == 0, result.output
    drafted = (sample.root / "content/letters/2024-05-01-seguimiento.yaml").read_text()
    assert "reply_by" not in drafted


def test_no_reply_is_awaited_of_a_body_in_copy(sample):
    sample.write("content/recipients.yaml", RECIPIENTS)
    sample.replace(LETTER, "recipients: [organismo-ejemplo]",
                   "recipients: [organismo-ejemplo]\ncc: [otro-organismo]\n"
                   "reply_by:\n  otro-organismo: 30 days")
    result = run(sample.root, "check")
    assert result.exit_code == 1
    assert (f"{LETTER}:8:3: reply_by.otro-organismo: unknown recipient 'otro-organismo'; "
            "expected a recipient of this letter (organismo-ejemplo) or 'others'") \
        in result.output
