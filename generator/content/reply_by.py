"""Read a `reply_by:` value: a date, or a number of days ("30 days", "30 working days")."""

from __future__ import annotations

import datetime
import re

from ..core.model import ReplyBy
from .reader import Reader, describe

# "30 days", "1 day", "20 working days"; the words are the format's, in English like its keys.
_DURATION = re.compile(r"(\d{1,4})\s+(working\s+)?days?", re.IGNORECASE)
EXPECTED = ("a date as YYYY-MM-DD, or a number of days after the letter's date such as "
            "'30 days' or '20 working days'")


def read_reply_by(reader: Reader, container: object, key: object, field: str,
                  value: object) -> ReplyBy | None:
    """The deadline `value` stands for, or None after reporting what is wrong with it."""
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            try:
                return ReplyBy(date=datetime.date.fromisoformat(text))
            except ValueError as error:
                reader.problem(container, key, field,
                               f"expected {EXPECTED}, found {describe(value)} ({error})")
                return None
        match = _DURATION.fullmatch(text)
        if match:
            days = int(match.group(1))
            if days == 0:
                reader.problem(container, key, field,
                               "expected at least 1 day; a reply cannot be due the day the "
                               "letter is sent")
                return None
            return ReplyBy(days=days, working=bool(match.group(2)))
    reader.problem(container, key, field, f"expected {EXPECTED}, found {describe(value)}")
    return None


def check_after(reader: Reader, container: object, key: object, field: str,
                deadline: ReplyBy | None, letter_date: datetime.date | None) -> None:
    """A deadline given as a date must come after the letter's date."""
    if deadline is not None and deadline.date is not None and letter_date is not None \
            and deadline.date <= letter_date:
        reader.problem(container, key, field,
                       f"the reply deadline {deadline.date.isoformat()} is not after the "
                       f"letter's date ({letter_date.isoformat()}); give a later date, or a "
                       "number of days such as '30 days'")
