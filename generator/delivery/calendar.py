"""The campaign site's iCalendar file of reply deadlines (RFC 5545), one per locale, for a
coalition to subscribe to: an all-day event on each day a reply (or an answer on one demand)
is due, saying whether the reply came."""

from __future__ import annotations

import datetime

from ..campaign.deadlines import Calendar, demand_deadlines
from ..campaign.status import awaited
from ..core.model import Content
from ..localization import locales
from ..rendering.render import letter_title
from .feeds import stable_id


def calendar_name(locale: str, first: bool) -> str:
    return "deadlines.ics" if first else f"deadlines.{locale}.ics"


def deadlines_calendar(content: Content, localized: dict, locale: str, calendar: Calendar,
                       phrases, senders: str) -> bytes:
    """The calendar for `locale`; `localized`: letter id -> the letter in this locale."""
    import icalendar  # only the site writes calendars

    ical = icalendar.Calendar()
    ical.add("prodid", "-//carta//reply deadlines//EN")
    ical.add("version", "2.0")
    ical.add("calscale", "GREGORIAN")
    ical.add("x-wr-calname", str(phrases.calendar_title(senders)).strip())
    for wait in awaited(content, datetime.date.max, calendar, locale):
        if wait.due is None or wait.letter.id not in localized:
            continue
        title = letter_title(localized[wait.letter.id], locale)
        event = _event(stable_id("deadline", wait.letter.id, wait.recipient, locale),
                       wait.due, wait.letter.date,
                       str(phrases.reply_due(wait.name, title)).strip())
        if wait.reply is not None:
            event.add("description", str(phrases.replied(
                locales.format_date(wait.reply.date, locale))).strip())
        ical.add_component(event)
    for letter in content.letters:
        if letter.draft or letter.id not in localized:
            continue
        title = letter_title(localized[letter.id], locale)
        texts = {demand.id: demand.text for demand in localized[letter.id].demands()}
        for ident, due in demand_deadlines(letter, calendar).items():
            event = _event(stable_id("deadline", letter.id, ident, locale), due, letter.date,
                           str(phrases.answer_due(title)).strip())
            event.add("description", texts.get(ident, ""))
            ical.add_component(event)
    return ical.to_ical()


def _event(uid: str, due: datetime.date, stamp: datetime.date, summary: str):
    import icalendar

    event = icalendar.Event()
    event.add("uid", uid)
    # DTSTAMP is required; the letter's date keeps the file the same from build to build.
    event.add("dtstamp", datetime.datetime.combine(stamp, datetime.time(), tzinfo=datetime.UTC))
    event.add("dtstart", due)  # a date: an all-day event
    event.add("dtend", due + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    return event
