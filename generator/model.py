"""The typed model of a letters project: letters, their blocks, senders, recipients, signatories."""

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
    organization: dict[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()

    def matches(self, names: tuple[str, ...]) -> bool:
        """Whether `only_for: names` (recipient ids or tags) includes this recipient."""
        return self.id in names or any(tag in names for tag in self.tags)


@dataclass(frozen=True)
class Signatory:
    """An organisation or a person who signs a letter."""

    id: str
    kind: str  # "organization" or "individual"
    name: str
    country: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    logo: Path | None = None
    affiliation: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Tier:
    """One group of signatories ("Firmantes", "Adhesiones"); the title may be empty."""

    title: str | None
    members: tuple[Signatory, ...]
    lang: str | None = None


@dataclass(frozen=True)
class Signatures:
    tiers: tuple[Tier, ...]
    order: str = "as-listed"  # or "alphabetical", by the collation of each output locale
    logos: bool = False


@dataclass(frozen=True)
class Paragraph:
    text: str  # Markdown, one paragraph
    lang: str | None = None  # set when the text is not in the document's language
    only_for: tuple[str, ...] = ()  # recipient ids or tags; empty: every copy


@dataclass(frozen=True)
class Heading:
    text: str  # Markdown, inline only
    lang: str | None = None
    only_for: tuple[str, ...] = ()


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
class CarriedDemand:
    """A demand raised in an earlier letter, with its status as of this letter's date.

    The text and the first date come from the campaign (the letters this one follows)."""

    id: str
    status: str
    note: str | None = None
    text: str = ""
    first_date: datetime.date | None = None
    first_letter: str | None = None
    lang: str | None = None
    note_lang: str | None = None


@dataclass(frozen=True)
class DemandStatusList:
    items: tuple[CarriedDemand, ...]
    only_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class GrievanceList:
    items: tuple[Grievance, ...]
    only_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemandList:
    items: tuple[Demand, ...]
    only_for: tuple[str, ...] = ()


Block = Paragraph | Heading | GrievanceList | DemandList | DemandStatusList


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
    merge: bool = False  # one copy per recipient, each with its own address and salutation
    signatures: Signatures | None = None
    follows: str | None = None  # the id of the earlier letter this one follows up
    follows_date: datetime.date | None = None  # its date, filled in from the campaign
    draft: bool = False  # it still holds placeholders: built only with --draft, watermarked

    def texts(self) -> list[str]:
        """Every Markdown text of the body, in reading order."""
        texts: list[str] = []
        for block in self.body:
            if isinstance(block, Paragraph | Heading):
                texts.append(block.text)
            else:
                texts.extend(item.text for item in block.items)
                if isinstance(block, DemandStatusList):
                    texts.extend(item.note for item in block.items if item.note)
        return texts

    def demands(self) -> list[Demand]:
        """The demands this letter raises itself."""
        return [item for block in self.body if isinstance(block, DemandList)
                for item in block.items]

    def carried(self) -> list[CarriedDemand]:
        """The earlier demands whose status this letter reports."""
        return [item for block in self.body if isinstance(block, DemandStatusList)
                for item in block.items]


@dataclass(frozen=True)
class Content:
    """Everything under content/: the letters with the senders and recipients they name."""

    letters: tuple[Letter, ...]
    senders: dict[str, Sender]
    recipients: dict[str, Recipient]
    signatories: dict[str, Signatory] = field(default_factory=dict)
