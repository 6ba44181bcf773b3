"""Read a demand's progress: `completion:` on the IRM's five levels and its `milestones:`."""

from __future__ import annotations

import re

from ..core.model import COMPLETION_LEVELS, Milestone
from .reader import Reader, describe

MILESTONE_FIELDS = ("date", "text", "source")
# A source is a letter's or a reply's id (a slug), or a web address.
_SOURCE = re.compile(r"[a-z0-9][a-z0-9-]*|https?://\S+")


def read_progress(reader: Reader, item, item_field: str) -> dict | None:
    """The `completion` and `milestones` of one demand (a raised or a carried one) as the
    fields of its dataclass; None after a problem."""
    found: dict = {}
    if "completion" in item:
        found["completion"] = reader.choice(item, "completion", f"{item_field}.completion",
                                            COMPLETION_LEVELS)
    if "milestones" in item:
        found["milestones"] = read_milestones(reader, item, f"{item_field}.milestones")
    return None if None in found.values() else found


def read_milestones(reader: Reader, item, field: str) -> tuple[Milestone, ...] | None:
    listed = reader.items(item, "milestones", field, item["milestones"],
                          "a list of milestones, each with date, text and source")
    if listed is None:
        return None
    found, failed = [], False
    for index, entry in enumerate(listed):
        where = f"{field}[{index + 1}]"
        fields = reader.mapping(listed, index, where, entry,
                                "a mapping with date, text and source")
        if fields is None:
            failed = True
            continue
        reader.check_keys(fields, where, MILESTONE_FIELDS, ("date", "text"))
        date = reader.date(fields, "date", f"{where}.date") if "date" in fields else None
        text = reader.text(fields, "text", f"{where}.text") if "text" in fields else None
        source = fields.get("source")
        if source is not None and not (isinstance(source, str) and _SOURCE.fullmatch(source)):
            reader.problem(fields, "source", f"{where}.source",
                           "expected the id of a letter or a reply, or a web address "
                           f"(https://...), found {describe(source)}")
            failed = True
        if date is None or text is None:
            failed = True
            continue
        found.append(Milestone(date, text, source))
    return None if failed else tuple(sorted(found, key=lambda milestone: milestone.date))
