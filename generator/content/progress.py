"""Read a demand's progress: `completion:` on the IRM's five levels and its `milestones:`."""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import urlsplit

from ..core.model import COMPLETION_LEVELS, Milestone
from .reader import Reader, describe, did_you_mean

MILESTONE_FIELDS = ("date", "text", "source")
# A source is a letter's or a reply's id (a slug), or a web address.
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
# A web address's host: a domain name (its labels may be in any script: "ejemplo.españa"),
# localhost, an IPv4 address, or an IPv6 one (urlsplit gives it without its brackets).
_HOST = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W\d_]{2,}|xn--[a-z0-9-]+)|localhost"
                   r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-f]*:[0-9a-f:.]*")


def source_shape(source: object) -> str | None:
    """What is wrong with the shape of a milestone's source, or None: it must be a letter's
    or reply's id, or a whole web address (http or https, a host, no spaces)."""
    if isinstance(source, str) and _ID.fullmatch(source):
        return None
    if isinstance(source, str) and source.lower().startswith(("http://", "https://")):
        try:
            parts = urlsplit(source)
            parts.port  # noqa: B018 (a port that is not a number raises here)
        except ValueError:
            parts = None
        if parts and not any(char.isspace() for char in source) \
                and _HOST.fullmatch(parts.hostname or ""):
            return None
        return ("expected a whole web address such as https://example.org/page (a host name, "
                f"no spaces), found {describe(source)}")
    return ("expected the id of a letter or a reply, or a web address (https://...), found "
            f"{describe(source)}")


def source_problem(source: str, letters: Collection[str], replies: Collection[str]) -> str | None:
    """What is wrong with a milestone's source, knowing every letter's and reply's id."""
    shape = source_shape(source)
    if shape or not _ID.fullmatch(source) or source in letters or source in replies:
        return shape
    return (f"unknown letter or reply '{source}'; expected the id of a file in content/letters "
            "or content/responses, or a web address (https://...)"
            + did_you_mean(source, [*letters, *replies]))


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
        shape = source_shape(source) if source is not None else None
        if shape:
            reader.problem(fields, "source", f"{where}.source", shape)
            failed = True
        if date is None or text is None:
            failed = True
            continue
        found.append(Milestone(date, text, source,
                               where=(f"{where}.source", *fields.position("source"))))
    return None if failed else tuple(sorted(found, key=lambda milestone: milestone.date))
