"""The typed model of a letters project: letters, their blocks, senders and recipients."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

DEMAND_STATUSES = ("pending", "partially-met", "met", "rejected", "withdrawn")


def pick_locale(texts: dict[str, str], locale: str, fallback: str | None) -> str | None:
    """The text for `locale`, else for its language ("es" for "es_MX"), else the one text
    given for every locale (key ""), else the text for `fallback` (None: no fallback)."""
    candidates = [locale, locale.split("_")[0], ""]
    if fallback:
        candidates += [fallback, fallback.split("_")[0]]
    for candidate in candidates:
        if candidate in texts:
            return texts[candidate]
    return next(iter(texts.values()), None) if fallback else None


@dataclass(frozen=True)
class Sender:
    id: str
    name: dict[str, str]
    logo: Path | None = None
    address: tuple[str, ...] = ()
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Recipient:
    id: str
    name: dict[str, str]
    salutation: dict[str, str] = field(default_factory=dict)
    role: dict[str, str] = field(default_factory=dict)
    address: tuple[str, ...] = ()
    email: str | None = None
    locales: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paragraph:
    text: str  # Markdown, one paragraph
    lang: str | None = None  # set when the text is not in the document's language


@dataclass(frozen=True)
class Heading:
    text: str  # Markdown, inline only
    lang: str | None = None


@dataclass(frozen=True)
class Grievance:
    id: str
    text: str
    lang: str | None = None


@dataclass(frozen=True)
class Demand:
    id: str
    text: str
    status: str = "pending"
    lang: str | None = None


@dataclass(frozen=True)
class GrievanceList:
    items: tuple[Grievance, ...]


@dataclass(frozen=True)
class DemandList:
    items: tuple[Demand, ...]


Block = Paragraph | Heading | GrievanceList | DemandList


@dataclass(frozen=True)
class Reference:
    id: str
    text: str  # Markdown, inline only
    lang: str | None = None


@dataclass(frozen=True)
class Letter:
    id: str
    date: datetime.date
    language: str
    sender: Sender
    recipients: tuple[Recipient, ...]
    body: tuple[Block, ...]
    source: Path
    cc: tuple[Recipient, ...] = ()
    references: tuple[Reference, ...] = ()
    place: str | None = None
    subject: str | None = None
    closing: str | None = None

    def texts(self) -> list[str]:
        """Every Markdown text of the body, in reading order."""
        texts: list[str] = []
        for block in self.body:
            if isinstance(block, Paragraph | Heading):
                texts.append(block.text)
            else:
                texts.extend(item.text for item in block.items)
        return texts


@dataclass(frozen=True)
class Content:
    """Everything under content/: the letters with the senders and recipients they name."""

    letters: tuple[Letter, ...]
    senders: dict[str, Sender]
    recipients: dict[str, Recipient]
