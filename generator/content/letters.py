"""Read one letter file into the typed Letter, every problem located in the file."""

from __future__ import annotations

import dataclasses
import datetime
import os
from types import SimpleNamespace

from ..core.addresses import check_header_text
from ..core.errors import Problem
from ..core.model import (
    LINK_STYLES,
    NOTE_STYLES,
    SIGNATURE_LAYOUTS,
    SIGNATURE_ORDERS,
    TABLE_HEADERS,
    Block,
    Letter,
    Recipient,
    Reference,
    Sender,
    Signatory,
    Signatures,
    Signer,
    Tier,
)
from ..core.project import Project
from . import blocks, checks
from .load import SourceList, SourceMap, YamlFile
from .reader import Reader, describe, did_you_mean, listing
from .reply_by import check_after, read_reply_by

LETTER_FIELDS = ("id", "date", "language", "sender", "recipients", "cc", "title", "place",
                 "subject", "salutation", "closing", "body", "references", "merge", "signatories",
                 "follows", "letterhead", "signer", "signers", "postscript", "address_label",
                 "notes", "links", "combine", "reply_by")
# No recipients: a joint statement or an open letter addressed to no one in particular.
LETTER_REQUIRED = ("id", "date", "sender", "body")
SIGNATURE_FIELDS = ("order", "logos", "layout", "tiers", "headers")
TIER_FIELDS = ("title", "members", "count", "headers")
# The folders carta writes under output/ beside the letters' own (output/<id>/): a letter
# with one of these ids would build into them, and `carta verify` would then find the
# archive full of files it cannot account for. `fonts` is the web fonts' folder beside each
# page, kept free so that no letter's folder can be mistaken for one.
OUTPUT_FOLDERS = {
    "archive": "the archive (carta archive)",
    "site": "the campaign site (carta site)",
    "mail": "the e-mail drafts and delivery log (carta mail)",
    "fonts": "the web fonts written beside each page",
}


def output_folders(project: Project) -> dict[str, str]:
    """OUTPUT_FOLDERS, and the first folder of `[archive] folder` when it lies under output/
    (folder = "output/archivo" makes `archivo` carta's too)."""
    owned = dict(OUTPUT_FOLDERS)
    archive = os.path.abspath(project.root / project.settings.archive)
    output = os.path.abspath(project.output)
    if os.path.commonpath([archive, output]) == output and archive != output:
        owned.setdefault(os.path.relpath(archive, output).split(os.sep)[0],
                         "the archive (carta archive)")
    return owned


def read_letter(loaded: YamlFile, senders: dict[str, Sender], recipients: dict[str, Recipient],
                default_language: str, signatories: dict[str, Signatory] | None = None,
                drafts: bool = False, owned: dict[str, str] | None = None,
                ) -> tuple[Letter | None, list[Problem]]:
    """The letter in `loaded`, or None, and every problem found. `owned`: the folders carta
    writes under output/ (output_folders(project)); by default the fixed ones."""
    reader = Reader(loaded.shown_as)
    problems = list(loaded.problems)
    if loaded.data is None and not loaded.problems:
        reader.problem(None, None, "", "the file is empty; expected a letter (id, date, ...)")
        return None, reader.problems
    top = reader.top_mapping(loaded, "the letter's fields (id, date, sender, ...)")
    if top is None:
        return None, problems + reader.problems
    reader.check_keys(top, "", LETTER_FIELDS, LETTER_REQUIRED)

    ident = reader.file_id(top, loaded.path.stem)
    owned = OUTPUT_FOLDERS if owned is None else owned
    if ident in owned:
        reader.problem(top, "id", "id",
                       f"'{ident}' cannot be a letter's id: carta writes {owned[ident]} into "
                       f"output/{ident}/, where this letter's files would land; choose another "
                       "id and rename the file to match")
        ident = None
    date = reader.date(top, "date", "date") if "date" in top else None
    language = reader.locale_code(top, "language", "language", top["language"]) \
        if "language" in top \
        else default_language
    sender = _named(reader, top, "sender", senders, "sender", "senders.yaml")
    to = _named_list(reader, top, "recipients", recipients) if "recipients" in top else ()
    cc = _named_list(reader, top, "cc", recipients) if "cc" in top else ()
    scope = blocks.ReadScope(reader, recipients=recipients)
    references = _references(reader, top, scope.positions)
    merge = reader.boolean(top, "merge")
    body = _blocks(top, "body", scope) if "body" in top else ()
    postscript = _blocks(top, "postscript", scope) if "postscript" in top else ()
    _check_only_for(reader, top, merge, to)
    signatures = _signatures(reader, top, signatories or {}, scope.positions) \
        if "signatories" in top else None
    if signatures is not None and date is not None:
        signatures = without_withdrawn(signatures, date)
    follows = reader.slug(top, "follows", "follows", top["follows"]) if "follows" in top else None
    for key in ("title", "place", "address_label", "subject", "salutation", "closing",
                "follows", "signatories"):
        scope.positions[key] = top.position(key)
    short = {key: reader.optional_text(top, key, key)
             for key in ("title", "place", "address_label", "subject")}
    # salutation and closing: a text of one's own, or false for none at all.
    salutation = _text_or_false(reader, top, "salutation")
    closing = _text_or_false(reader, top, "closing")
    layout = {
        "letterhead": reader.boolean(top, "letterhead", True),
        "signer": reader.boolean(top, "signer", True),
        "signers": _signers(reader, top) if "signers" in top else (),
        "note_style": reader.choice(top, "notes", "notes", NOTE_STYLES) or "numeric"
        if "notes" in top else "numeric",
        "link_style": reader.choice(top, "links", "links", LINK_STYLES) if "links" in top
        else None,
        "combine": _combine(reader, top) if "combine" in top else (),
        "reply_by": _reply_by(reader, top, date, to) if "reply_by" in top else {},
    }
    _check_demand_deadlines(reader, top, body, date)
    if short["subject"] and (problem := check_header_text(short["subject"])):
        # The subject is the e-mail's Subject header: one line, or `carta mail` would fail.
        reader.problem(top, "subject", "subject", problem)

    # The texts, checked through the same walk that translates and renders them. The parts are
    # checked even when the letter is not whole, so that every problem is listed at once.
    parts = SimpleNamespace(body=body, postscript=postscript, references=references,
                            signatures=signatures,
                            salutation=salutation if isinstance(salutation, str) else None,
                            closing=closing if isinstance(closing, str) else None, **short)
    problems += reader.problems
    # Without `follows` nothing can be carried in, so unused references are known already.
    problems += checks.letter_problems(parts, loaded.shown_as, scope.positions, drafts,
                                       whole=follows is None and "follows" not in top)
    if problems or None in (ident, date, language, sender):
        return None, problems
    body = _milestones_in(body, language)
    return Letter(
        id=ident, date=date, language=language, sender=sender, recipients=to, cc=cc,
        body=body, references=references, source=loaded.path, merge=merge,
        signatures=signatures, follows=follows, draft=checks.has_placeholders(parts),
        positions=scope.positions, shown_as=loaded.shown_as, postscript=postscript,
        salutation=True if salutation is None else salutation,
        closing=closing if isinstance(closing, str) else None, show_closing=closing is not False,
        **short, **layout,
    ), problems


def _milestones_in(body: tuple, language: str) -> tuple:
    """The body with each demand's milestones marked as written in the letter's language:
    they are not translated, so a page in another language says which one they are in."""
    def marked(item):
        milestones = getattr(item, "milestones", ())
        if not milestones:
            return item
        return dataclasses.replace(item, milestones=tuple(
            dataclasses.replace(milestone, lang=language) for milestone in milestones))

    return tuple(dataclasses.replace(block, items=tuple(marked(item) for item in block.items))
                 if any(getattr(item, "milestones", ()) for item in getattr(block, "items", ()))
                 else block for block in body)


# The key of `reply_by:` that sets the deadline of every recipient not named beside it.
OTHER_RECIPIENTS = "others"


def _reply_by(reader: Reader, top: SourceMap, date, to: tuple) -> dict:
    """`reply_by: 30 days` (every recipient), or a mapping of this letter's recipient ids (and
    `others`) to deadlines. Returns recipient id -> ReplyBy, "" for every recipient. Those in
    copy (cc) are informed, not asked: no reply is awaited of them."""
    value = top["reply_by"]
    if not isinstance(value, SourceMap):
        deadline = read_reply_by(reader, top, "reply_by", "reply_by", value)
        check_after(reader, top, "reply_by", "reply_by", deadline, date)
        return {"": deadline} if deadline else {}
    known = [recipient.id for recipient in to]
    found = {}
    for key, given in value.items():
        field = f"reply_by.{key}"
        if key != OTHER_RECIPIENTS and key not in known:
            reader.problem(value, key, field,
                           f"unknown recipient '{key}'; expected a recipient of this letter "
                           f"({', '.join(known) or 'none'}) or '{OTHER_RECIPIENTS}'"
                           + did_you_mean(key, known))
            continue
        deadline = read_reply_by(reader, value, key, field, given)
        check_after(reader, value, key, field, deadline, date)
        if deadline:
            found["" if key == OTHER_RECIPIENTS else key] = deadline
    if not value:
        reader.problem(top, "reply_by", "reply_by",
                       "expected a deadline, or recipient ids with a deadline each, found an "
                       "empty mapping")
    return found


def _check_demand_deadlines(reader: Reader, top: SourceMap, body: tuple, date) -> None:
    """A demand's own `reply_by` date, like the letter's, comes after the letter's date."""
    raw_blocks = top.get("body") if isinstance(top.get("body"), SourceList) else []
    for index, raw in enumerate(raw_blocks):
        items = raw.get("demands") if isinstance(raw, SourceMap) else None
        for number, item in enumerate(items if isinstance(items, SourceList) else ()):
            if isinstance(item, SourceMap) and isinstance(item.get("reply_by"), str):
                deadline = read_reply_by(Reader(reader.shown_as), item, "reply_by", "",
                                         item["reply_by"])
                check_after(reader, item, "reply_by",
                            f"body[{index + 1}].demands[{number + 1}].reply_by", deadline, date)


def _combine(reader: Reader, top: SourceMap) -> tuple[str, ...]:
    """`combine: [en, es]`: the locales of a document holding those versions in turn."""
    listed = reader.items(top, "combine", "combine", top["combine"],
                          "a list of two or more locale codes, such as [en, es]")
    codes = tuple(code for index, value in enumerate(listed or ())
                  if (code := reader.locale_code(listed, index, f"combine[{index + 1}]", value)))
    if listed is not None and len(codes) == len(listed) and len(set(codes)) != len(codes):
        reader.problem(top, "combine", "combine",
                       "expected two or more different locale codes, such as [en, es], found "
                       f"{', '.join(str(value) for value in listed) or 'none'}")
        return ()
    if listed is not None and len(codes) < 2:
        reader.problem(top, "combine", "combine",
                       "expected two or more locale codes, such as [en, es]; one locale is "
                       "the ordinary document")
        return ()
    return codes


def _text_or_false(reader: Reader, top: SourceMap, key: str) -> str | bool | None:
    """A text, or `false` to leave the part out; None when not given."""
    if key not in top:
        return None
    if top[key] is False:
        return False
    if top[key] is True:
        reader.problem(top, key, key, f"expected a text, or false for no {key}, found true")
        return None
    return reader.text(top, key, key)


def _signers(reader: Reader, top: SourceMap) -> tuple[Signer, ...]:
    """`signers:` the people who sign for the sender, each with a name and a role."""
    items = reader.items(top, "signers", "signers", top["signers"],
                         "a list of signers, each with name and role")
    found = []
    for index, entry in enumerate(items or ()):
        field = f"signers[{index + 1}]"
        fields = reader.mapping(items, index, field, entry, "a mapping with name and role")
        if fields is None:
            continue
        reader.check_keys(fields, field, ("name", "role"), ("name",))
        name = reader.text(fields, "name", f"{field}.name") if "name" in fields else None
        role = reader.optional_localized(fields, "role", field)
        for text in [name, *role.values()]:
            if text and (problem := check_header_text(text)):
                reader.problem(fields, "name", f"{field}.name", problem)
        if name is not None:
            found.append(Signer(name, role))
    return tuple(found)


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(name for name in value if isinstance(name, str)) \
        if isinstance(value, list) else ()


def _check_only_for(reader: Reader, top: SourceMap, merge: bool, to: tuple) -> None:
    """`only_for` names recipients of this letter (ids or tags), and needs `merge: true`."""
    known = {r.id for r in to} | {tag for r in to for tag in r.tags}
    raw_blocks = top.get("body") if isinstance(top.get("body"), SourceList) else []
    for index, block in enumerate(raw_blocks):
        if not isinstance(block, SourceMap) or "only_for" not in block:
            continue
        field = f"body[{index + 1}].only_for"
        if not merge:
            reader.problem(block, "only_for", field,
                           "only_for needs 'merge: true': without it every recipient reads "
                           "the same copy")
        for name in reader.slugs(block, "only_for", field, "recipient id or tag"):
            if name not in known:
                reader.problem(block, "only_for", field,
                               f"expected ids or tags of this letter's recipients "
                               f"({', '.join(sorted(known)) or 'none'}), found '{name}'")


def _signatures(reader: Reader, top: SourceMap, known: dict[str, Signatory],
                positions: dict) -> Signatures:
    """`signatories:` as a list of ids, or with order, logos and titled tiers."""
    value = top["signatories"]
    if isinstance(value, SourceList):
        spec = SourceMap(tiers=SourceList([SourceMap(members=value)]))
        spec.line, spec.column = top.position("signatories")
        spec["tiers"][0].positions = {"members": top.position("signatories")}
        prefix = "signatories"
    else:
        spec = reader.mapping(top, "signatories", "signatories", value,
                              "a list of signatory ids, or a mapping with tiers")
        if spec is None:
            return Signatures(())
        reader.check_keys(spec, "signatories", SIGNATURE_FIELDS, ("tiers",))
        prefix = None
    order = reader.choice(spec, "order", "signatories.order", SIGNATURE_ORDERS) \
        if "order" in spec else "as-listed"
    logos = reader.boolean(spec, "logos") if "logos" in spec else False
    layout = reader.choice(spec, "layout", "signatories.layout", SIGNATURE_LAYOUTS) \
        if "layout" in spec else "columns"
    headers = _headers(reader, spec, "signatories") if "headers" in spec else {}
    if headers and layout != "table":
        reader.problem(spec, "headers", "signatories.headers", _COLUMNS_ONLY)
    tiers = []
    seen: dict[str, int] = {}
    raw_tiers = reader.items(spec, "tiers", "signatories.tiers", spec.get("tiers"),
                             "a list of tiers, each with members") if "tiers" in spec else []
    for number, raw in enumerate(raw_tiers or (), start=1):
        field = prefix or f"signatories.tiers[{number}]"
        tier = reader.mapping(raw_tiers, number - 1, field, raw, "a tier with title and members")
        if tier is None:
            continue
        if prefix is None:
            reader.check_keys(tier, field, TIER_FIELDS, ("members",))
        count = tier.get("count", True)
        if not isinstance(count, bool):
            reader.problem(tier, "count", f"{field}.count",
                           f"expected true or false (false: no count line), found "
                           f"{describe(count)}")
            count = True
        title = reader.optional_text(tier, "title", f"{field}.title")
        positions[f"{field}.title"] = tier.position("title")
        members = []
        listed = reader.items(tier, "members", field if prefix else f"{field}.members",
                              tier.get("members"), "a list of signatory ids")
        for index, ident in enumerate(listed or ()):
            where = f"{field if prefix else field + '.members'}[{index + 1}]"
            if not isinstance(ident, str) or ident not in known:
                reader.problem(listed, index, where,
                               f"unknown signatory {describe(ident)}; expected an id from "
                               f"content/signatories.yaml ({listing(known)})"
                               + did_you_mean(ident, known))
            elif ident in seen:
                reader.problem(listed, index, where,
                               f"'{ident}' signs twice (first at line {seen[ident]})")
            else:
                seen[ident] = listed.position(index)[0]
                members.append(known[ident])
        own = _headers(reader, tier, field) if prefix is None and "headers" in tier else {}
        if own and layout != "table":
            reader.problem(tier, "headers", f"{field}.headers", _COLUMNS_ONLY)
        tiers.append(Tier(title, tuple(members), count=count, headers=own))
    return Signatures(tuple(tiers), order or "as-listed", logos, layout or "columns",
                      headers=headers)


def without_withdrawn(signatures: Signatures, date: datetime.date) -> Signatures:
    """A letter dated on or after a signatory's withdrawal leaves them out; a letter sent
    before keeps them, as it was sent. One who signed after the letter's date is not printed
    on it either: they are kept apart as `since` (also signed since)."""
    def kept(member: Signatory) -> bool:
        return member.withdrawn is None or member.withdrawn > date

    def late(member: Signatory) -> bool:
        return member.signed is not None and member.signed > date

    tiers = tuple(dataclasses.replace(tier, members=tuple(
        member for member in tier.members if kept(member) and not late(member)))
        for tier in signatures.tiers)
    # A tier left with nobody would print its title alone.
    tiers = tuple(tier for tier, listed in zip(tiers, signatures.tiers, strict=True)
                  if tier.members or not listed.members)
    since = tuple(member for tier in signatures.tiers for member in tier.members
                  if kept(member) and late(member))
    return dataclasses.replace(signatures, tiers=tiers, since=since)


# Column headers in a letter whose names stand in columns would be dropped without a word.
_COLUMNS_ONLY = ("headers name the columns of a table, and these signatories stand in "
                 "columns; add 'layout: table' to signatories, or remove headers")


def _headers(reader: Reader, fields: SourceMap, prefix: str) -> dict[str, dict[str, str]]:
    """`headers: {name: Organización, place: {es: Ciudad, en: City}}`: a sign-on table's
    column headers, each one text or one per locale."""
    field = f"{prefix}.headers"
    value = reader.mapping(fields, "headers", field, fields["headers"],
                           f"a mapping of column headers ({', '.join(TABLE_HEADERS)})")
    if value is None:
        return {}
    reader.check_keys(value, field, TABLE_HEADERS)
    return {key: texts for key in TABLE_HEADERS if key in value
            if (texts := reader.localized(value, key, f"{field}.{key}"))}


def _named(reader: Reader, top: SourceMap, key: str, known: dict, kind: str, where: str):
    if key not in top:
        return None
    ident = top[key]
    if isinstance(ident, str) and ident in known:
        return known[ident]
    listing = ", ".join(sorted(known)) or "none defined yet"
    reader.problem(top, key, key,
                   f"unknown {kind} {describe(ident)}; expected an id from content/{where} "
                   f"({listing})")
    return None


def _named_list(reader: Reader, top: SourceMap, key: str, known: dict) -> tuple:
    value = top[key]
    if isinstance(value, str):
        value = SourceList([value])
        value.line, value.column = top.position(key)
        value.positions = [top.position(key)]
    items = reader.items(top, key, key, value, "a list of recipient ids")
    if items is None:
        return ()
    found = []
    for index, ident in enumerate(items):
        if isinstance(ident, str) and ident in known:
            found.append(known[ident])
        else:
            listing = ", ".join(sorted(known)) or "none defined yet"
            reader.problem(items, index, f"{key}[{index + 1}]",
                           f"unknown recipient {describe(ident)}; expected an id from "
                           f"content/recipients.yaml ({listing})")
    return tuple(found)


def _references(reader: Reader, top: SourceMap, positions: dict) -> tuple[Reference, ...]:
    if "references" not in top:
        return ()
    items = reader.items(top, "references", "references", top["references"],
                         "a list of references, each with id and text")
    if items is None:
        return ()
    seen: dict[str, int] = {}
    found = []
    for index, entry in enumerate(items):
        field = f"references[{index + 1}]"
        fields = reader.mapping(items, index, field, entry, "a mapping with id and text")
        if fields is None:
            continue
        reader.check_keys(fields, field, ("id", "text"), ("id", "text"))
        ident = reader.item_id(fields, field, seen, items, index, "reference")
        text = reader.text(fields, "text", f"{field}.text") if "text" in fields else None
        positions[f"{field}.text"] = fields.position("text")
        positions[f"{field}.id"] = fields.position("id")
        if ident is not None and text is not None:
            found.append(Reference(ident, text))
    return tuple(found)


def _blocks(top: SourceMap, key: str, scope: blocks.ReadScope) -> tuple[Block, ...]:
    """The blocks of the body (or of the postscript), each read by the declaration of its
    kind (generator/content/blocks.py)."""
    reader = scope.reader
    kinds = blocks.kinds()
    raw_blocks = reader.items(top, key, key, top[key], f"a list of blocks ({', '.join(kinds)})")
    if raw_blocks is None:
        return ()
    if not raw_blocks and key == "body":
        reader.problem(top, key, key, "expected at least one block, found an empty list")
    result: list[Block] = []
    for index, entry in enumerate(raw_blocks):
        field = f"{key}[{index + 1}]"
        fields = reader.mapping(raw_blocks, index, field, entry,
                                "a block such as '- paragraph: text'")
        if fields is None:
            continue
        named = [name for name in fields if name in kinds]
        if len(named) != 1:
            found = ", ".join(str(name) for name in fields) or "nothing"
            others = [name for name in fields if name != "only_for"]
            hint = did_you_mean(others[0], kinds) if len(others) == 1 and not named else ""
            reader.problem(raw_blocks, index, field,
                           f"expected exactly one of {', '.join(kinds)} (and optionally "
                           f"only_for), found {found}{hint}")
            continue
        declared = blocks.TYPES[named[0]]
        allowed = (declared.kind, "only_for", *declared.options)
        for name in fields:
            if name not in allowed:
                reader.problem(fields, name, f"{field}.{name}",
                               f"unknown option of a {declared.kind} block; expected "
                               f"{', '.join(allowed[1:])}" + did_you_mean(name, allowed[1:]))
        kind_field = f"{field}.{declared.kind}"
        block = declared.read(fields[declared.kind], fields, kind_field, scope)
        if block is None:
            continue
        block = declared.read_options(block, fields, field, scope)
        # only_for is checked in _check_only_for, against the letter's recipients.
        only_for = _names(fields.get("only_for"))
        result.append(dataclasses.replace(block, only_for=only_for) if only_for else block)
    return tuple(result)
