"""The typed model of a letters project: letters, their blocks, senders, recipients, signatories."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

# The fixed sets of the content format, each declared once; validation and templates read them.
DemandStatus = Literal["pending", "partially-met", "met", "rejected", "withdrawn"]
DEMAND_STATUSES: tuple[str, ...] = get_args(DemandStatus)
# The Independent Reporting Mechanism's five levels of a commitment's completion, in order.
Completion = Literal["no-evidence", "not-started", "limited", "substantial", "complete"]
COMPLETION_LEVELS: tuple[str, ...] = get_args(Completion)
# The level a demand's status stands for when no `completion:` says otherwise (README,
# "Progress on the OGP scale"); a withdrawn demand is no longer measured.
STATUS_COMPLETION: dict[str, str | None] = {
    "pending": "not-started", "partially-met": "limited", "met": "complete",
    "rejected": "not-started", "withdrawn": None,
}
SignatoryKind = Literal["organization", "individual"]
SIGNATORY_KINDS: tuple[str, ...] = get_args(SignatoryKind)
SignatureOrder = Literal["as-listed", "alphabetical"]
SIGNATURE_ORDERS: tuple[str, ...] = get_args(SignatureOrder)
SignatureLayout = Literal["columns", "table"]
SIGNATURE_LAYOUTS: tuple[str, ...] = get_args(SignatureLayout)
# The columns of a sign-on table a letter may name (`headers:`): "place" heads the place
# column when a signatory gives a city or region, "country" when they give only countries.
TableHeader = Literal["name", "affiliation", "place", "country"]
TABLE_HEADERS: tuple[str, ...] = get_args(TableHeader)
PaperSize = Literal["A4", "Letter"]
PAPER_SIZES: tuple[str, ...] = get_args(PaperSize)
Numbering = Literal["continue", "restart"]
NUMBERINGS: tuple[str, ...] = get_args(Numbering)
NoteStyle = Literal["numeric", "symbols", "brackets"]
NOTE_STYLES: tuple[str, ...] = get_args(NoteStyle)
LinkStyle = Literal["underline", "url-after", "footnote"]
LINK_STYLES: tuple[str, ...] = get_args(LinkStyle)


@dataclass(frozen=True)
class OutputFormat:
    """What carta needs to know of one output format, besides the module that makes it."""

    default: bool = False  # made by `carta build` unless --format names others
    # A copy for office suites (Word, OpenDocument): written from the letter rather than from
    # the page, shaped by --reference-doc, and never made of a combined document.
    office: bool = False
    preview: bool = False  # what `carta watch` rebuilds and `carta serve` shows


# The output formats, by file extension, in the order they are made and listed: the one table
# that the build, the command line and the preview read.
FORMAT_TABLE: dict[str, OutputFormat] = {
    "pdf": OutputFormat(default=True, preview=True),
    "html": OutputFormat(default=True, preview=True),
    "docx": OutputFormat(office=True),
    "odt": OutputFormat(office=True),
}
OUTPUT_FORMATS: tuple[str, ...] = tuple(FORMAT_TABLE)
DEFAULT_FORMATS: tuple[str, ...] = tuple(name for name, output in FORMAT_TABLE.items()
                                         if output.default)
OFFICE_FORMATS: tuple[str, ...] = tuple(name for name, output in FORMAT_TABLE.items()
                                        if output.office)
PREVIEW_FORMATS: tuple[str, ...] = tuple(name for name, output in FORMAT_TABLE.items()
                                         if output.preview)


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
    kind: SignatoryKind
    name: dict[str, str]  # per locale, like senders' names ("" for one name in every locale)
    country: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    logo: Path | None = None
    affiliation: dict[str, str] = field(default_factory=dict)
    place: dict[str, str] = field(default_factory=dict)  # a city or region, shown before country
    # What alphabetical order sorts by; empty: the name, or for a person "Family, Given" (the
    # name's last word first), which a compound family name ("Pérez Gómez") must spell out.
    sort_as: dict[str, str] = field(default_factory=dict)
    # When they signed (a sign-on dated after a letter was sent is "also signed since"), and
    # when they withdrew: letters dated from then on leave them out; what was sent stays sent.
    signed: datetime.date | None = None
    withdrawn: datetime.date | None = None
    withdrawn_reason: str | None = None


@dataclass(frozen=True)
class Consent:
    """Who authorised a signature, when and how: private (content/private/signatories.yaml),
    never printed, rendered, embedded or published; kept only in the archive's private,
    hash-chained consent record."""

    id: str  # the signatory's id
    email: str | None = None  # the signatory's own contact address
    authorised_by: str | None = None
    authorised_role: str | None = None
    authorised_email: str | None = None
    authorised_on: datetime.date | None = None
    authorised_how: str | None = None  # form, email, call, ...
    evidence: Path | None = None  # the form row, the e-mail as .eml
    source: str | None = None  # where the import read it: "export.csv row 7"


@dataclass(frozen=True)
class Tier:
    """One group of signatories ("Firmantes", "Adhesiones"); the title may be empty."""

    title: str | None
    members: tuple[Signatory, ...]
    lang: str | None = None
    count: bool = True  # False: no "31 signing organizations" line
    # The table's column headers of this tier's own, over the letter's (Signatures.headers).
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Signatures:
    tiers: tuple[Tier, ...]
    order: SignatureOrder = "as-listed"  # alphabetical: by the collation of each output locale
    logos: bool = False
    # columns: names in balanced columns; table: one row per signatory, with a header row.
    layout: SignatureLayout = "columns"
    # A table's column headers (a key of TABLE_HEADERS -> its text per locale, "" for one text
    # in every locale); a column not named keeps the template's ("Name", "Place"...).
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    # Listed, but signed after the letter's date: not printed on it (the letter went out
    # without them), shown on the campaign site as "also signed since", and carried into
    # the next follow-up's list.
    since: tuple[Signatory, ...] = ()


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
class ReplyBy:
    """When a reply is due (`reply_by:`): a date, or a number of days after the letter's date,
    calendar days or working days (weekends and carta.toml's holidays skipped). The due date
    itself is worked out by generator/campaign/deadlines.py, which knows the holidays."""

    date: datetime.date | None = None
    days: int = 0
    working: bool = False

    def __str__(self) -> str:
        if self.date is not None:
            return self.date.isoformat()
        return f"{self.days} {'working ' if self.working else ''}day{'s' * (self.days != 1)}"


@dataclass(frozen=True)
class Milestone:
    """A step towards a demand: when, what, and where it is shown (a letter or reply id, or
    a web address)."""

    date: datetime.date
    text: str
    source: str | None = None
    lang: str | None = None  # the language it is written in (its letter's): never translated
    # Where its source is written (field path, line, column): `carta check` names it when the
    # source is no known letter or reply, once every file is read.
    where: tuple = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Demand:
    id: str
    text: str
    status: DemandStatus = "pending"
    lang: str | None = None
    to: str | None = None  # to whom it is addressed: a recipient id or a name, from its list
    reply_by: ReplyBy | None = None  # an answer on this demand is due sooner (or later)
    completion: Completion | None = None  # None: the level its status stands for
    milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True)
class CarriedDemand:
    """A demand raised in an earlier letter, with its status as of this letter's date.

    The text and the first date come from the campaign (the letters this one follows)."""

    id: str
    status: DemandStatus
    note: str | None = None
    text: str = ""
    first_date: datetime.date | None = None
    first_letter: str | None = None
    lang: str | None = None
    note_lang: str | None = None
    to: str | None = None  # as the letter that raised it addressed it
    completion: Completion | None = None  # None: the level its status stands for
    milestones: tuple[Milestone, ...] = ()  # the steps this letter records


@dataclass(frozen=True)
class DemandStatusList:
    items: tuple[CarriedDemand, ...]
    only_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class GrievanceList:
    items: tuple[Grievance, ...]
    only_for: tuple[str, ...] = ()
    to: str | None = None  # a lead-in naming who the list is addressed to (text, or a name)
    to_lang: str | None = None
    to_recipient: str | None = None  # set when `to` named a recipient id
    to_names: dict[str, str] = field(default_factory=dict)  # that recipient's name per locale
    numbering: Numbering = "continue"  # or "restart" at 1


@dataclass(frozen=True)
class DemandList:
    items: tuple[Demand, ...]
    only_for: tuple[str, ...] = ()
    to: str | None = None
    to_lang: str | None = None
    to_recipient: str | None = None
    to_names: dict[str, str] = field(default_factory=dict)
    numbering: Numbering = "continue"


@dataclass(frozen=True)
class Quote:
    """An excerpt of a document received, word for word, with the page it is on."""

    demand: str
    text: str
    page: int | None = None


@dataclass(frozen=True)
class ResponseSummary:
    """A response cited in a letter (`- response_summary: <id>`): its summary, the dates that
    place it, and its quoted excerpts. Only `response` is written; the campaign fills the
    rest from content/responses/<id>.yaml. Inside a Response it holds the response's own
    summary, so that both have the same message context in their catalogs."""

    response: str
    summary: str = ""  # Markdown, one paragraph
    summary_lang: str | None = None
    date: datetime.date | None = None
    replies_to: str | None = None
    replies_to_date: datetime.date | None = None
    yours: bool = True  # it came from one of the letter's recipients ("your reply")
    quotes: tuple[Quote, ...] = ()
    quote_lang: str | None = None  # quotes stay in the response's language, never translated
    only_for: tuple[str, ...] = ()


Block = (Paragraph | Heading | GrievanceList | DemandList | DemandStatusList
         | ResponseSummary)


@dataclass(frozen=True)
class Reference:
    id: str
    text: str  # Markdown, inline only
    lang: str | None = None


@dataclass(frozen=True)
class Signer:
    """A named person who signs for the sender ("Ana Ejemplo, Coordinadora")."""

    name: str
    role: dict[str, str] = field(default_factory=dict)  # per locale, like recipients' roles


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
    title: str | None = None  # a headline above everything; the document's title
    letterhead: bool = True  # the sender's letterhead at the top
    salutation: str | bool = True  # True: the recipient's or the template's; a text; False: none
    show_closing: bool = True  # False: no closing formula ("Atentamente,")
    signer: bool = True  # False: no signature block with the sender's name
    signers: tuple[Signer, ...] = ()  # named people signing for the sender
    postscript: tuple[Block, ...] = ()  # blocks printed after the signatory lists
    address_label: str | None = None  # a label before the address block ("A:", "To,")
    note_style: NoteStyle = "numeric"  # footnote markers: 1 2 3, * † ‡, [1] [2]
    link_style: LinkStyle | None = None  # links on paper; None: the project's setting
    # Locales whose versions also go into one document, one after the other ("en", "es").
    combine: tuple[str, ...] = ()
    # When replies are due (`reply_by:`), by recipient id; "" for every recipient not named.
    reply_by: dict[str, ReplyBy] = field(default_factory=dict)
    # Where each field stands in the letter's file ("body[3].paragraph" -> line, column), for
    # problems found once the letter is whole: campaign, translations.
    positions: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    shown_as: str = field(default="", compare=False)  # the file, as messages name it
    # Every file read to make this letter (its file, shared content, the letters it follows,
    # carta.toml): part of what its outputs depend on.
    depends: frozenset[Path] = field(default_factory=frozenset, compare=False, repr=False)

    def demands(self) -> list[Demand]:
        """The demands this letter raises itself, in any kind of block."""
        return [item for block in self.body for item in getattr(block, "items", ())
                if isinstance(item, Demand)]

    def carried(self) -> list[CarriedDemand]:
        """The earlier demands whose status this letter reports."""
        return [item for block in self.body for item in getattr(block, "items", ())
                if isinstance(item, CarriedDemand)]


@dataclass(frozen=True)
class Content:
    """Everything under content/: the letters with the senders and recipients they name."""

    letters: tuple[Letter, ...]
    senders: dict[str, Sender]
    recipients: dict[str, Recipient]
    signatories: dict[str, Signatory] = field(default_factory=dict)
    # The replies received (content/responses/), oldest first: generator/responses.py.
    responses: tuple = ()
    # With validate(partial=True): every problem found, and the letters they keep out.
    problems: tuple = ()
    not_valid: tuple[str, ...] = ()
