"""campaign.json: the campaign as data (letters, recipients, demands, statuses, completion,
replies, deadlines) for others to reuse, in the shape of docs/campaign.schema.json.

Nothing in it depends on the day it is written: statuses are the latest the content records,
and a deadline says whether a reply came, not whether it is late today (`carta status` does).
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from urllib.parse import quote

from ..campaign import progress
from ..campaign.deadlines import Calendar, demand_deadlines
from ..campaign.status import awaited, latest_statuses
from ..core.model import Content
from ..core.project import builtin_templates
from ..core.version import __version__
from ..pipeline.plan import Job
from ..rendering.render import letter_title

DATA_NAME = "campaign.json"
SCHEMA_NAME = "campaign.schema.json"
SCHEMA_VERSION = 1


def schema_path() -> Path:
    """The schema: in the repository's docs/, or inside the installed package (the wheel
    ships it there, pyproject.toml's force-include)."""
    top = builtin_templates().parent  # the repository, or generator/ when installed
    installed = top / SCHEMA_NAME
    return installed if installed.is_file() else top / "docs" / SCHEMA_NAME


def campaign_data(content: Content, jobs: list[Job], locales: tuple[str, ...],
                  calendar: Calendar, letters_folder: Path, site: Path) -> dict:
    """The object campaign.json holds; `jobs`: the documents the site lists, per locale."""

    def link(path: Path) -> str:
        return quote(os.path.relpath(path, site).replace(os.sep, "/"))

    by_locale: dict[tuple[str, str], Job] = {}
    for job in jobs:
        by_locale.setdefault((job.letter.id, job.locale), job)
    statuses = latest_statuses(content, datetime.date.max)
    steps = progress.progress(list(content.letters))
    waits = {(wait.letter.id, wait.recipient): wait
             for wait in awaited(content, datetime.date.max, calendar, locales[0])}
    letters = []
    for letter in sorted(content.letters, key=lambda each: (each.date, each.id)):
        mine = {locale: job for (ident, locale), job in by_locale.items() if ident == letter.id}
        letters.append({
            "id": letter.id, "date": letter.date.isoformat(), "language": letter.language,
            "draft": letter.draft, "follows": letter.follows,
            "title": {locale: letter_title(job.letter, locale) for locale, job in mine.items()},
            "sender": {"id": letter.sender.id, "name": letter.sender.name},
            "recipients": [{"id": recipient.id, "name": recipient.name}
                           for recipient in letter.recipients],
            "documents": {locale: {"html": link(job.output(letters_folder, "html")),
                                   "pdf": link(job.output(letters_folder, "pdf"))}
                          for locale, job in mine.items()},
            "demands": [demand.id for demand in letter.demands()],
            "statuses": [{"demand": item.id, "status": item.status, "note": item.note}
                         for item in letter.carried()],
        })
    demands = []
    for ident, entry in statuses.items():
        texts = {locale: demand.text for (letter_id, locale), job in by_locale.items()
                 if letter_id == entry["letter"]
                 for demand in job.letter.demands() if demand.id == ident}
        found = steps.get(ident, {"completion": None, "milestones": []})
        level, given = progress.level(found["completion"], entry["status"])
        demands.append({
            "id": ident, "text": texts or {"": entry["text"]}, "first_letter": entry["letter"],
            "status": entry["status"], "set_by": entry["set_by"],
            "completion": level, "completion_given": given,
            "milestones": [progress.milestone_data(each) for each in found["milestones"]],
        })
    deadlines = []
    for letter in content.letters:
        for recipient in letter.recipients:
            wait = waits.get((letter.id, recipient.id))
            if wait is not None and wait.due is not None:
                deadlines.append({"letter": letter.id, "recipient": recipient.id,
                                  "demand": None, "date": wait.due.isoformat(),
                                  "reply": wait.reply.id if wait.reply else None})
        for ident, due in demand_deadlines(letter, calendar).items():
            deadlines.append({"letter": letter.id, "recipient": None, "demand": ident,
                              "date": due.isoformat(), "reply": None})
    deadlines.sort(key=lambda each: (each["date"], each["letter"]))
    replies = [{
        "id": response.id, "date": response.date.isoformat(), "from": response.sender.id,
        "replies_to": response.replies_to, "language": response.language,
        "summary": response.summary,
        "statuses": [{"demand": item.id, "status": item.status, "note": item.note}
                     for item in response.demands],
    } for response in content.responses]
    return {"$schema": SCHEMA_NAME, "schema_version": SCHEMA_VERSION,
            "generator": f"carta {__version__}", "locales": list(locales),
            "letters": letters, "demands": demands, "replies": replies,
            "deadlines": deadlines}


def campaign_json(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
