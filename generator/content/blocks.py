"""The body blocks of a letter, each declared once; every walk over a letter derives from here.

A block type states in one class how it is read from YAML, which of its texts are translatable
(with their message contexts), how it takes part in a campaign, and which template partial
shows it (templates/blocks/<kind>.html, overridable by name like any template). Validation,
the content catalogs, the text checks, campaign carrying and rendering all walk a letter
through `letter_texts` and `apply_texts` below, so two walks can never disagree on what a
letter holds. (Sphinx's gettext builder and its Locale transform share one walk the same way.)

Adding a block type is one subclass of BlockType, registered with @register, plus its partial.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal

from ..core.model import (
    DEMAND_STATUSES,
    NUMBERINGS,
    STATUS_COMPLETION,
    CarriedDemand,
    Demand,
    DemandList,
    DemandStatusList,
    Grievance,
    GrievanceList,
    Heading,
    Letter,
    Paragraph,
    ResponseSummary,
)
from .progress import read_progress
from .reader import Reader
from .reply_by import read_reply_by

# "paragraph": one paragraph of Markdown; "inline": one line of Markdown (headings, list items,
# notes); "plain": text shown as written (place, subject, closing, tier titles).
TextShape = Literal["paragraph", "inline", "plain"]


@dataclass(frozen=True)
class TextField:
    """A translatable Markdown text held by a block, or by each item of a list block."""

    attr: str  # the model attribute: "text", "note"
    shape: TextShape
    context: str  # the message context's kind: "paragraph", "demand", "status-note"
    keyed: bool = False  # the context names the item: "demand:<id>"

    @property
    def lang_attr(self) -> str:
        return lang_attr(self.attr)


def lang_attr(attr: str) -> str:
    """The attribute that says which language the text in `attr` is in, when not the page's:
    `lang` beside a block's or a tier's main text, `<attr>_lang` beside any other."""
    return "lang" if attr in ("text", "title") else f"{attr}_lang"


@dataclass(frozen=True)
class Slot:
    """One translatable text of a letter, as every walk sees it."""

    field: str  # where it stands: "body[3].paragraph", "body[5].demands[2].text", "place"
    context: str  # the message context: "paragraph", "demand:reagendar-mision"
    text: str
    shape: TextShape
    target: tuple  # where `apply_texts` puts a new text: ("body", 3, 2, attr), ("letter", "place")
    lang_attr: str = "lang"


@dataclass
class ReadScope:
    """What reading one letter's body shares between blocks: ids seen, and where each text
    stands in the file (for located problems)."""

    reader: Reader
    seen_ids: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    positions: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)
    recipients: dict = dataclasses.field(default_factory=dict)  # id -> Recipient, for `to:`


class BlockType:
    """The declaration of one kind of body block. Subclasses set the class attributes and
    write `read`; everything else has a default that serves most blocks."""

    kind: ClassVar[str]  # the YAML key and the partial's name: templates/blocks/<kind>.html
    model: ClassVar[type]  # the frozen dataclass this block reads into
    texts: ClassVar[tuple[TextField, ...]]  # translatable texts, of the block or of each item
    has_items: ClassVar[bool] = False  # a list block: `texts` belong to each of its items
    block_texts: ClassVar[tuple[TextField, ...]] = ()  # texts of a list block itself ("to")
    options: ClassVar[tuple[str, ...]] = ()  # keys beside the kind's ("to", "numbering")
    numbered: ClassVar[bool] = False  # items are numbered on from the previous list of the kind

    def read_options(self, block, fields: dict, field: str, scope: ReadScope):
        """The block with its options read from the block's mapping (`fields`)."""
        return block

    def read(self, value: object, fields: dict, field: str, scope: ReadScope):
        """The block read from its YAML value, or None after reporting problems to
        scope.reader. `fields` is the block's mapping (for positions); `field` its path."""
        raise NotImplementedError

    def resolve(self, block, earlier: list[Letter],
                problem: Callable[[str, str], None]):
        """The block as a campaign sees it (carried demands get their text); `problem(field
        suffix, message)` reports what cannot be resolved."""
        return block

    def render(self, block, inline: Callable[[str], object], lang_tag) -> dict:
        """What the partial receives as `block`: the dataclass's fields, with each text turned
        into HTML by `inline` and each language into a BCP 47 tag."""
        if self.has_items:
            context = self._rendered(block, inline, lang_tag, self.block_texts)
            context["items"] = [self._rendered(item, inline, lang_tag, self.texts)
                                for item in block.items]
        else:
            context = self._rendered(block, inline, lang_tag, self.texts)
        context["kind"] = self.kind
        return context

    def _rendered(self, data, inline, lang_tag, texts) -> dict:
        values = {f.name: getattr(data, f.name) for f in dataclasses.fields(data)
                  if f.name != "items"}
        for text in texts:
            raw = values[text.attr]
            # Plain texts stay text (the template escapes them); Markdown becomes HTML.
            values[text.attr] = (raw if text.shape == "plain" else inline(raw)) if raw else None
            values[text.lang_attr] = lang_tag(values.get(text.lang_attr))
        return values


TYPES: dict[str, BlockType] = {}


def register(declaration: type[BlockType]) -> type[BlockType]:
    """Make a block type known to every walk; a later declaration of a kind replaces one."""
    TYPES[declaration.kind] = declaration()
    return declaration


def declaration_of(block) -> BlockType:
    for declared in TYPES.values():
        if type(block) is declared.model:
            return declared
    raise TypeError(f"no block type declares {type(block).__name__}")


def kinds() -> tuple[str, ...]:
    return tuple(TYPES)


# The walk ---------------------------------------------------------------------------------

def letter_texts(letter) -> Iterator[Slot]:
    """Every translatable text of a letter, in reading order: the letter's own short fields,
    the body through the block declarations, the references, the signatory tier titles.

    Works on a Letter and on anything with the same attributes (validation walks the parts of
    a letter that is not whole yet)."""
    for key in ("title", "place", "address_label", "subject", "salutation", "closing"):
        value = getattr(letter, key, None)
        if value and isinstance(value, str):
            yield Slot(key, key, value, "plain", ("letter", key))
    for index, block in enumerate(letter.body, start=1):
        yield from body_texts(block, index)
    for index, block in enumerate(getattr(letter, "postscript", ()), start=1):
        yield from body_texts(block, index, "postscript")
    for number, reference in enumerate(letter.references, start=1):
        yield Slot(f"references[{number}].text", f"reference:{reference.id}", reference.text,
                   "inline", ("reference", number - 1, None, "text"), lang_attr("text"))
    signatures = getattr(letter, "signatures", None)
    for number, tier in enumerate(signatures.tiers if signatures else (), start=1):
        if tier.title:
            yield Slot(f"signatories.tiers[{number}].title", f"tier:{number}", tier.title,
                       "plain", ("tier", number - 1, None, "title"), lang_attr("title"))


def body_texts(block, index: int, section: str = "body") -> Iterator[Slot]:
    """The translatable texts of block number `index` (from 1) of the body, or of the
    postscript (`section`)."""
    declared = declaration_of(block)
    if not declared.has_items:
        # A block of one text is named by its kind alone ("body[3].paragraph"), as in YAML.
        alone = len(declared.texts) == 1
        for text in declared.texts:
            value = getattr(block, text.attr)
            if value:
                field = f"{section}[{index}].{declared.kind}" + ("" if alone else f".{text.attr}")
                yield Slot(field, text.context, value, text.shape,
                           (section, index - 1, None, text.attr), text.lang_attr)
        return
    for text in declared.block_texts:  # a list's own texts, such as its `to:` lead-in
        value = getattr(block, text.attr)
        if value:
            yield Slot(f"{section}[{index}].{text.attr}", text.context, value, text.shape,
                       (section, index - 1, None, text.attr), text.lang_attr)
    for number, item in enumerate(block.items, start=1):
        for text in declared.texts:
            value = getattr(item, text.attr)
            if not value:
                continue
            context = f"{text.context}:{item.id}" if text.keyed else text.context
            yield Slot(f"{section}[{index}].{declared.kind}[{number}].{text.attr}", context,
                       value, text.shape, (section, index - 1, number - 1, text.attr),
                       text.lang_attr)


def message_contexts(slots: list[Slot]) -> list[str]:
    """The msgctxt of each slot: equal texts of the same kind stay separate messages, the
    second one is "paragraph (2)", so that inserting a paragraph disturbs no other."""
    seen: dict[tuple[str, str], int] = {}
    result = []
    for slot in slots:
        count = seen[(slot.context, slot.text)] = seen.get((slot.context, slot.text), 0) + 1
        result.append(slot.context if count == 1 else f"{slot.context} ({count})")
    return result


def apply_texts(letter: Letter, texts: dict[tuple, tuple[str, str | None]]) -> Letter:
    """A copy of `letter` with texts replaced: target -> (text, language or None)."""
    body = list(letter.body)
    postscript = list(letter.postscript)
    references = list(letter.references)
    tiers = list(letter.signatures.tiers) if letter.signatures else []
    fields: dict[str, object] = {}
    for target, (text, lang) in texts.items():
        where = target[0]
        if where == "letter":
            fields[target[1]] = text
            continue
        _, position, item, attr = target
        holder = {"body": body, "postscript": postscript, "reference": references,
                  "tier": tiers}[where]
        if item is None:
            holder[position] = dataclasses.replace(holder[position],
                                                   **{attr: text, lang_attr(attr): lang})
        else:
            items = list(holder[position].items)
            items[item] = dataclasses.replace(items[item],
                                              **{attr: text, lang_attr(attr): lang})
            holder[position] = dataclasses.replace(holder[position], items=tuple(items))
    if letter.signatures:
        fields["signatures"] = dataclasses.replace(letter.signatures, tiers=tuple(tiers))
    return dataclasses.replace(letter, body=tuple(body), postscript=tuple(postscript),
                               references=tuple(references), **fields)


def markdown_texts(letter) -> list[str]:
    """Every text whose footnote citations number the notes, in reading order."""
    return [slot.text for slot in letter_texts(letter)
            if slot.target[0] in ("body", "postscript") and slot.shape != "plain"]


# The declarations -------------------------------------------------------------------------

@register
class ParagraphBlock(BlockType):
    kind = "paragraph"
    model = Paragraph
    texts = (TextField("text", "paragraph", "paragraph"),)

    def read(self, value, fields, field, scope):
        text = scope.reader.text(fields, self.kind, field)
        if text is None:
            return None
        scope.positions[field] = fields.position(self.kind)
        return self.model(text)


@register
class HeadingBlock(ParagraphBlock):
    kind = "heading"
    model = Heading
    texts = (TextField("text", "inline", "heading"),)


class ListBlock(BlockType):
    """A list of items, each with an id and a Markdown text (grievances, demands).

    Options beside the list: `to:` (a recipient id, or a text) names whom the list is
    addressed to, printed as a lead-in kept with the list; `numbering: restart` numbers it
    from 1 instead of on from the previous list of its kind."""

    has_items = True
    numbered = True
    options = ("to", "numbering")
    block_texts = (TextField("to", "plain", "to"),)
    noun: ClassVar[str]
    item_model: ClassVar[type]
    extra_keys: ClassVar[tuple[str, ...]] = ()

    def read_options(self, block, fields, field, scope):
        reader = scope.reader
        changes = {}
        if "numbering" in fields:
            changes["numbering"] = reader.choice(fields, "numbering", f"{field}.numbering",
                                                 NUMBERINGS) or "continue"
        if "to" in fields:
            to = reader.text(fields, "to", f"{field}.to")
            scope.positions[f"{field}.to"] = fields.position("to")
            if to in scope.recipients:
                changes["to_recipient"] = to
                changes["to_names"] = scope.recipients[to].name
            elif to is not None:
                changes["to"] = to
            # Each item remembers whom it was addressed to: the tracker and follow-ups.
            if to is not None and all(hasattr(item, "to") for item in block.items):
                changes["items"] = tuple(dataclasses.replace(item, to=to) for item in block.items)
        return dataclasses.replace(block, **changes) if changes else block

    def read(self, value, fields, field, scope):
        reader = scope.reader
        items = reader.items(fields, self.kind, field, value,
                             f"a list of {self.kind}, each with id and text")
        if items is None:
            return None
        if not items:
            reader.problem(fields, self.kind, field,
                           f"expected at least one {self.noun}, found an empty list")
        seen = scope.seen_ids.setdefault(self.noun, {})
        found = []
        for index, entry in enumerate(items):
            item_field = f"{field}[{index + 1}]"
            item = reader.mapping(items, index, item_field, entry, "a mapping with id and text")
            if item is None:
                continue
            reader.check_keys(item, item_field, ("id", "text", *self.extra_keys), ("id", "text"))
            ident = reader.item_id(item, item_field, seen, items, index, self.noun)
            text = reader.text(item, "text", f"{item_field}.text") if "text" in item else None
            scope.positions[f"{item_field}.text"] = item.position("text")
            extra = self.read_extra(item, item_field, reader)
            if ident is not None and text is not None and extra is not None:
                found.append(self.item_model(ident, text, **extra))
        return self.model(tuple(found))

    def read_extra(self, item, item_field: str, reader) -> dict | None:
        return {}


@register
class GrievanceBlock(ListBlock):
    kind = "grievances"
    model = GrievanceList
    item_model = Grievance
    noun = "grievance"
    texts = (TextField("text", "inline", "grievance", keyed=True),)


@register
class DemandBlock(ListBlock):
    kind = "demands"
    model = DemandList
    item_model = Demand
    noun = "demand"
    extra_keys = ("status", "reply_by", "completion", "milestones")
    texts = (TextField("text", "inline", "demand", keyed=True),)

    def read_extra(self, item, item_field, reader):
        extra = {}
        if "status" in item:
            extra["status"] = reader.choice(item, "status", f"{item_field}.status",
                                            DEMAND_STATUSES)
        if "reply_by" in item:  # an answer on this demand is due by its own deadline
            extra["reply_by"] = read_reply_by(reader, item, "reply_by", f"{item_field}.reply_by",
                                              item["reply_by"])
        progress = read_progress(reader, item, item_field)
        if progress is None:
            return None
        return None if None in extra.values() else {**extra, **progress}


@register
class DemandStatusBlock(BlockType):
    """The status, as of this letter, of demands raised in the letters it follows. Their text
    comes from the letter that raised them, and keeps that letter's message context, so that
    its translation can be copied from that letter's catalog."""

    kind = "demand_status"
    model = DemandStatusList
    has_items = True
    texts = (TextField("text", "inline", "demand", keyed=True),
             TextField("note", "inline", "status-note", keyed=True))

    def read(self, value, fields, field, scope):
        reader = scope.reader
        items = reader.items(fields, self.kind, field, value,
                             "a list of demands, each with id and status")
        found = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(items or ()):
            item_field = f"{field}[{index + 1}]"
            item = reader.mapping(items, index, item_field, entry, "a mapping with id and status")
            if item is None:
                continue
            reader.check_keys(item, item_field, ("id", "status", "note", "completion",
                                                 "milestones"), ("id", "status"))
            ident = reader.item_id(item, item_field, seen, items, index, "demand")
            status = reader.choice(item, "status", f"{item_field}.status", DEMAND_STATUSES) \
                if "status" in item else None
            note = reader.optional_text(item, "note", f"{item_field}.note")
            # A carried text has no place in this file: problems with it point at the id.
            scope.positions[f"{item_field}.text"] = item.position("id")
            scope.positions[f"{item_field}.note"] = item.position("note")
            scope.positions[f"{item_field}.id"] = item.position("id")
            progress = read_progress(reader, item, item_field)
            if ident is not None and status is not None and progress is not None:
                found.append(CarriedDemand(ident, status, note, **progress))
        return self.model(tuple(found))

    def render(self, block, inline, lang_tag) -> dict:
        context = super().render(block, inline, lang_tag)
        for item, shown in zip(block.items, context["items"], strict=True):
            # The level on the IRM's scale: the one given, else the one its status stands for.
            shown["level"] = item.completion or STATUS_COMPLETION[item.status]
        return context

    def resolve(self, block, earlier, problem):
        items = []
        for number, item in enumerate(block.items, start=1):
            origin = _first_raised(item.id, earlier)
            if origin is None:
                problem(f"[{number}].id",
                        f"no earlier letter this one follows raises a demand '{item.id}'")
                continue
            source, demand = origin
            items.append(dataclasses.replace(item, text=demand.text, first_date=source.date,
                                             first_letter=source.id, to=demand.to))
        return dataclasses.replace(block, items=tuple(items))


def _first_raised(ident: str, earlier: list[Letter]):
    for letter in earlier:
        for demand in letter.demands():
            if demand.id == ident:
                return letter, demand
    return None


@register
class ResponseSummaryBlock(BlockType):
    """`- response_summary: <response-id>`: a response the letter answers, with when it came,
    the coalition's summary of it (translated like any paragraph of the letter) and its quoted
    excerpts (kept in the response's language, with their page). The letter names the
    response only; the campaign fills in the rest once the responses are read
    (generator/campaign/assemble.py)."""

    kind = "response_summary"
    model = ResponseSummary
    texts = (TextField("summary", "paragraph", "response-summary"),)

    def read(self, value, fields, field, scope):
        ident = scope.reader.slug(fields, self.kind, field, value)
        scope.positions[field] = fields.position(self.kind)
        return None if ident is None else self.model(ident)

    def render(self, block, inline, lang_tag) -> dict:
        context = super().render(block, inline, lang_tag)
        context["quote_lang"] = lang_tag(block.quote_lang)
        return context
