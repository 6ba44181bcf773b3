"""The campaign site's timeline: letters out, replies in, reply deadlines passed or ahead, and
the demands' milestones, in date order, in the words of one locale.

Whether a deadline has passed depends on the day the site is made: `today` is passed in
(`carta site` takes the clock, CARTA_TODAY for tests), never read here.
"""

from __future__ import annotations

import datetime

from ..campaign import progress
from ..campaign.deadlines import Calendar
from ..campaign.status import awaited
from ..core.model import Content, pick_locale
from ..localization import locales


def timeline(content: Content, entries: list[dict], received, locale: str, phrases,
             calendar: Calendar, today: datetime.date, regions=None) -> list[dict]:
    """The events for `locale`. `entries`: the site's letters in this locale (site_context's
    "letters"); `received`: the replies, localized."""
    events = []
    for entry in entries:
        if entry["draft"]:
            continue
        recipients = locales.format_list(entry["recipients"], locale)
        events.append({"date": entry["date"], "kind": "letter", "href": f"#letter-{entry['id']}",
                       "text": str(phrases.letter_sent(recipients)).strip()
                       if recipients else entry["title"], "title": entry["title"],
                       "lang": entry["title_lang"]})
    for response in received:
        if response.draft:
            continue
        who = pick_locale(response.sender.name, locale, response.language) or ""
        events.append({"date": response.date, "kind": "reply", "href": None, "lang": None,
                       "title": None, "text": str(phrases.reply_title(
                           locales.format_date(response.date, locale), who)).strip()})
    sent = {entry["id"] for entry in entries if not entry["draft"]}
    for wait in awaited(content, today, calendar, locale):
        if wait.due is None or wait.letter.id not in sent:
            continue
        if wait.reply is not None and wait.reply.date <= wait.due:
            continue  # answered in time: the reply is the event
        passed = wait.due < today
        events.append({"date": wait.due, "kind": "deadline-passed" if passed else "deadline",
                       "href": f"#letter-{wait.letter.id}", "lang": None, "title": None,
                       "text": str((phrases.deadline_passed if passed
                                    else phrases.deadline_ahead)(wait.name)).strip()})
    for ident, found in progress.progress([letter for letter in content.letters
                                           if letter.id in sent]).items():
        for milestone in found["milestones"]:
            # Milestones are not translated: in another locale, marked with their language.
            language = milestone.lang or locale
            lang = None if language.split("_")[0] == locale.split("_")[0] \
                else locales.language_tag(language, regions)
            events.append({"date": milestone.date, "kind": "milestone", "lang": lang,
                           "href": milestone.source if milestone.source
                           and milestone.source.startswith(("https://", "http://")) else None,
                           "title": None, "text": milestone.text, "demand": ident})
    order = {"letter": 0, "reply": 1, "milestone": 2, "deadline-passed": 3, "deadline": 3}
    return sorted(events, key=lambda event: (event["date"], order[event["kind"]]))
