"""When replies are due: each letter's `reply_by` turned into a date, per recipient and demand.

A deadline given in days counts from the letter's date: "30 days" is calendar days, "30
working days" skips the weekend and the holidays of carta.toml's [deadlines]. Nothing here
knows today's date; whoever asks whether a reply is overdue passes the clock.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..core.model import Letter, ReplyBy
from ..core.project import Settings


@dataclass(frozen=True)
class Calendar:
    """The days that are not working days: the weekend (ISO weekdays) and the holidays."""

    holidays: frozenset[datetime.date] = frozenset()
    weekend: tuple[int, ...] = (6, 7)

    @classmethod
    def of(cls, settings: Settings) -> Calendar:
        return cls(frozenset(settings.holidays), settings.weekend)

    def working(self, day: datetime.date) -> bool:
        return day.isoweekday() not in self.weekend and day not in self.holidays


def due_date(deadline: ReplyBy, start: datetime.date, calendar: Calendar) -> datetime.date:
    """The day a reply is due: the date given, or `deadline.days` (working) days after `start`."""
    if deadline.date is not None:
        return deadline.date
    if not deadline.working:
        return start + datetime.timedelta(days=deadline.days)
    day, counted = start, 0
    while counted < deadline.days:  # the settings leave at least one working day a week
        day += datetime.timedelta(days=1)
        counted += calendar.working(day)
    return day


def letter_deadline(letter: Letter, recipient: str, calendar: Calendar) -> datetime.date | None:
    """When `recipient`'s reply to `letter` is due: its own deadline, else every recipient's."""
    deadline = letter.reply_by.get(recipient) or letter.reply_by.get("")
    return due_date(deadline, letter.date, calendar) if deadline else None


def demand_deadlines(letter: Letter, calendar: Calendar) -> dict[str, datetime.date]:
    """Demand id -> the day an answer on it is due, for the demands with a `reply_by` own."""
    return {demand.id: due_date(demand.reply_by, letter.date, calendar)
            for demand in letter.demands() if demand.reply_by is not None}

