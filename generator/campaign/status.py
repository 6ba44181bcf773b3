"""Where the campaign stands on a given day: replies awaited, overdue, received; demands by status.

`campaign_status` is what `carta status` shows and prints as JSON. It takes the clock as an
argument (`today`): nothing here reads the real date, so a test, a cron job or a person
looking ahead sets it. `STATUS_SCHEMA_VERSION` numbers the JSON's shape, documented in the
README ("Holding bodies to account").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..core.model import COMPLETION_LEVELS, DEMAND_STATUSES, Content, Letter, pick_locale
from . import chains, progress
from .deadlines import Calendar, demand_deadlines, letter_deadline

STATUS_SCHEMA_VERSION = 1
# What a recipient's reply to a letter is, on the day asked about.
REPLIED, OVERDUE, WAITING, NO_DEADLINE = "replied", "overdue", "waiting", "no-deadline"


@dataclass(frozen=True)
class Awaited:
    """One recipient's reply to one letter: received, overdue, or still in time."""

    letter: Letter
    recipient: str  # its id
    name: str
    due: datetime.date | None
    reply: object  # the first Response from this recipient to the letter (or a later one)
    state: str
    days_waiting: int  # from the letter's date to the reply, or to today
    days_overdue: int  # after the due date, while no reply came


def _campaign_of(letter: Letter, by_id: dict[str, Letter]) -> list[Letter]:
    """`letter` and every letter that follows it, directly or not: a reply to any of them
    answers `letter` too (a reminder's reply answers the letter it reminds of)."""
    return [each for each in by_id.values()
            if letter.id in {link.id for link in chains.chain(each, by_id)}
            and each.date >= letter.date]


def awaited(content: Content, today: datetime.date, calendar: Calendar,
            locale: str) -> list[Awaited]:
    """Every reply the campaign waits for or has received, letters in date order. Drafts and
    letters dated after `today` are not sent, so nothing is awaited of them."""
    by_id = {letter.id: letter for letter in content.letters}
    sent = sorted((letter for letter in content.letters
                   if not letter.draft and letter.date <= today),
                  key=lambda letter: (letter.date, letter.id))
    found = []
    for letter in sent:
        answered_by = {each.id for each in _campaign_of(letter, by_id)}
        for recipient in letter.recipients:
            reply = next((response for response in content.responses
                          if response.replies_to in answered_by
                          and response.sender.id == recipient.id
                          and letter.date <= response.date <= today), None)
            due = letter_deadline(letter, recipient.id, calendar)
            end = reply.date if reply else today
            if reply:
                state = REPLIED
            elif due is None:
                state = NO_DEADLINE
            else:
                state = OVERDUE if today > due else WAITING
            found.append(Awaited(
                letter, recipient.id, pick_locale(recipient.name, locale, letter.language) or "",
                due, reply, state, (end - letter.date).days,
                (today - due).days if state == OVERDUE else 0))
    return found


def latest_statuses(content: Content, today: datetime.date) -> dict[str, dict]:
    """Demand id -> its text, status, and the letter or reply that set it, as of `today`."""
    letters = [letter for letter in content.letters if letter.date <= today]
    received = [response for response in content.responses if response.date <= today]
    found: dict[str, dict] = {}
    for each in chains.timeline(letters, received):
        if isinstance(each, Letter):
            for demand in each.demands():
                found[demand.id] = {"id": demand.id, "text": demand.text,
                                    "status": demand.status, "set_by": each.id,
                                    "date": each.date, "letter": each.id}
            said = [(item.id, item.status) for item in each.carried()]
        else:
            said = [(item.id, item.status) for item in each.demands]
        for ident, status in said:
            if ident in found:
                found[ident] = {**found[ident], "status": status, "set_by": each.id,
                                "date": each.date}
    return found


def changes_since(content: Content, since: datetime.date, today: datetime.date,
                  waits: list[Awaited], calendar: Calendar) -> list[dict]:
    """What happened from `since` to `today`, in date order: letters sent, replies received,
    deadlines passed without a reply, statuses set."""
    events = []
    for letter in content.letters:
        if since <= letter.date <= today and not letter.draft:
            events.append({"date": letter.date, "kind": "letter", "letter": letter.id})
            for item in letter.carried():
                events.append({"date": letter.date, "kind": "status", "demand": item.id,
                               "status": item.status, "set_by": letter.id})
        for ident, due in demand_deadlines(letter, calendar).items():
            if since <= due < today and not letter.draft and letter.date <= today:
                events.append({"date": due, "kind": "demand-deadline", "letter": letter.id,
                               "demand": ident})
    for response in content.responses:
        if since <= response.date <= today:
            events.append({"date": response.date, "kind": "reply", "reply": response.id,
                           "letter": response.replies_to, "recipient": response.sender.id})
            for item in response.demands:
                events.append({"date": response.date, "kind": "status", "demand": item.id,
                               "status": item.status, "set_by": response.id})
    for wait in waits:
        # The deadline passed in the period, and the reply had not come by then.
        if wait.due is not None and since <= wait.due < today \
                and (wait.reply is None or wait.reply.date > wait.due):
            events.append({"date": wait.due, "kind": "deadline", "letter": wait.letter.id,
                           "recipient": wait.recipient})
    order = {"letter": 0, "reply": 1, "status": 2, "deadline": 3, "demand-deadline": 3}
    return sorted(events, key=lambda event: (event["date"], order[event["kind"]]))


def campaign_status(content: Content, today: datetime.date, calendar: Calendar,
                    locale: str, since: datetime.date | None = None) -> dict:
    """The whole picture as one JSON-ready object (dates as YYYY-MM-DD): see the README."""
    waits = awaited(content, today, calendar, locale)
    statuses = latest_statuses(content, today)
    by_id = {letter.id: letter for letter in content.letters}
    answers = {(response.replies_to, item.id) for response in content.responses
               if response.date <= today for item in response.demands}
    demand_due = []
    for letter in content.letters:
        if letter.draft or letter.date > today:
            continue
        answered_by = {each.id for each in _campaign_of(letter, by_id)}
        for ident, due in demand_deadlines(letter, calendar).items():
            answered = any((other, ident) in answers for other in answered_by)
            demand_due.append({"demand": ident, "letter": letter.id, "reply_by": due.isoformat(),
                               "answered": answered,
                               "overdue": not answered and today > due})
    letters = []
    for letter in sorted(content.letters, key=lambda each: (each.date, each.id)):
        mine = [wait for wait in waits if wait.letter is letter]
        letters.append({
            "id": letter.id, "date": letter.date.isoformat(), "follows": letter.follows,
            "sent": not letter.draft and letter.date <= today, "draft": letter.draft,
            "recipients": [{
                "id": wait.recipient, "name": wait.name,
                "reply_by": wait.due.isoformat() if wait.due else None,
                "state": wait.state, "days_waiting": wait.days_waiting,
                "days_overdue": wait.days_overdue,
                "reply": {"id": wait.reply.id, "date": wait.reply.date.isoformat()}
                if wait.reply else None,
            } for wait in mine],
        })
    counts = {status: 0 for status in DEMAND_STATUSES}
    levels = {name: 0 for name in COMPLETION_LEVELS}
    steps = progress.progress([letter for letter in content.letters if letter.date <= today])
    items = []
    for entry in statuses.values():
        counts[entry["status"]] += 1
        found = steps.get(entry["id"], {"completion": None, "milestones": []})
        completion, given = progress.level(found["completion"], entry["status"])
        if completion:
            levels[completion] += 1
        items.append({**entry, "date": entry["date"].isoformat(), "completion": completion,
                      "completion_given": given,
                      "milestones": [progress.milestone_data(each)
                                     for each in found["milestones"]]})
    return {
        "schema": STATUS_SCHEMA_VERSION,
        "today": today.isoformat(),
        "since": since.isoformat() if since else None,
        "summary": {
            "letters_sent": sum(letter["sent"] for letter in letters),
            "replies_awaited": len(waits),
            "replies_received": sum(wait.state == REPLIED for wait in waits),
            "overdue": sum(wait.state == OVERDUE for wait in waits),
            "waiting": sum(wait.state == WAITING for wait in waits),
            "demands_overdue": sum(entry["overdue"] for entry in demand_due),
        },
        "letters": letters,
        "demands": {"by_status": counts, "by_completion": levels, "items": items},
        "demand_deadlines": demand_due,
        "changes": [{**event, "date": event["date"].isoformat()}
                    for event in changes_since(content, since, today, waits, calendar)]
        if since else [],
    }
