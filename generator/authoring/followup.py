"""`carta followup`: draft the next letter of a campaign, carrying every demand not yet met."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from ..campaign import chains
from ..campaign.assemble import validate
from ..content.checks import PLACEHOLDER
from ..content.reader import SLUG
from ..core.errors import CartaError
from ..core.project import Project
from ..core.write import write_atomic, write_new
from ..localization import catalogs, glossary


@dataclass(frozen=True)
class Drafted:
    letter: Path
    carried: int
    catalogs: list[tuple[Path, int, int]]  # (path, messages translated, messages in all)


def quoted(text: str) -> str:
    # A JSON string is a valid YAML scalar: accents, quotes and colons stay safe.
    return json.dumps(text, ensure_ascii=False)


def draft_text(earlier, new_id: str, date: datetime.date, demands, replies=()) -> str:
    """The new letter's YAML, written for a person to read and finish. Each reply received
    since `earlier` is cited (a response_summary block), for the text to answer it."""
    lines = [
        f"# Follow-up of {earlier.id} ({earlier.date.isoformat()}), drafted by carta followup.",
        "# Replace every [[TODO: ...]] with your text, and update each demand's status.",
        "# 'carta check' lists what is left; 'carta build --draft' prints a watermarked draft.",
        f"id: {new_id}",
        f"date: {date.isoformat()}",
        f"language: {earlier.language}",
        f"follows: {earlier.id}",
        f"sender: {earlier.sender.id}",
        f"recipients: [{', '.join(r.id for r in earlier.recipients)}]",
    ]
    if earlier.cc:
        lines.append(f"cc: [{', '.join(r.id for r in earlier.cc)}]")
    if earlier.merge:
        lines.append("merge: true")
    carried = carried_settings(earlier, date)
    if carried:
        lines += ["", "# Carried from the earlier letter: review each one, keep, change or remove.",
                  *carried]
    lines += [
        "",
        "body:",
        "  - paragraph: " + quoted("[[TODO: why you write again, and what happened since "
                                    "your last letter]]"),
    ]
    for reply in replies:
        lines.append(f"  - response_summary: {reply.id}  # the reply of {reply.date.isoformat()}")
    if demands:
        lines.append("  - demand_status:")
        for demand in demands:
            source = f" (set by the reply {demand.response.id})" if demand.response else ""
            lines += [f"      - id: {demand.id}",
                      f"        status: {demand.status}  "
                      f"# pending, partially-met, met, rejected, withdrawn{source}"]
    lines += ["  - paragraph: " + quoted("[[TODO: what you ask now]]"), ""]
    return "\n".join(lines)


def carried_settings(earlier, date: datetime.date | None = None) -> list[str]:
    """The earlier letter's place, subject, closing, shape and signatories, as YAML lines: a
    follow-up usually keeps them, and a coalition must not lose its 17 signatories by
    forgetting to copy them. Texts keep their wording, so their translations carry too."""
    lines = []
    for key in ("title", "place", "subject", "address_label"):
        if getattr(earlier, key):
            lines.append(f"{key}: {quoted(getattr(earlier, key))}")
    if isinstance(earlier.salutation, str):
        lines.append(f"salutation: {quoted(earlier.salutation)}")
    elif earlier.salutation is False:
        lines.append("salutation: false")
    if not earlier.show_closing:
        lines.append("closing: false")
    elif earlier.closing:
        lines.append(f"closing: {quoted(earlier.closing)}")
    for key in ("letterhead", "signer"):
        if getattr(earlier, key) is False:
            lines.append(f"{key}: false")
    if earlier.note_style != "numeric":
        lines.append(f"notes: {earlier.note_style}")
    if earlier.link_style:
        lines.append(f"links: {earlier.link_style}")
    if earlier.combine:
        lines.append(f"combine: [{', '.join(earlier.combine)}]")
    if earlier.signers:
        lines.append("signers:")
        for signer in earlier.signers:
            lines.append(f"  - name: {quoted(signer.name)}")
            if signer.role:
                lines.append(f"    role: {json.dumps(signer.role, ensure_ascii=False)}")
    signatures = earlier.signatures
    if signatures and signatures.tiers:
        lines.append("signatories:")
        for key, default in (("order", "as-listed"), ("layout", "columns")):
            if getattr(signatures, key) != default:
                lines.append(f"  {key}: {getattr(signatures, key)}")
        if signatures.logos:
            lines.append("  logos: true")
        if signatures.headers:
            lines.append(f"  headers: {_headers(signatures.headers)}")
        lines.append("  tiers:")
        # Who signed after the earlier letter went out joins this one's last tier.
        late = [member.id for member in signatures.since]
        for number, tier in enumerate(signatures.tiers, start=1):
            # Who has withdrawn by the follow-up's date is not carried into it.
            members = [m.id for m in tier.members
                       if m.withdrawn is None or (date is not None and m.withdrawn > date)]
            if number == len(signatures.tiers):
                members += [ident for ident in late if ident not in members]
            lines.append(f"    - members: [{', '.join(members)}]")
            if tier.title:
                lines.append(f"      title: {quoted(tier.title)}")
            if not tier.count:
                lines.append("      count: false")
            if tier.headers:
                lines.append(f"      headers: {_headers(tier.headers)}")
    return lines


def _headers(headers: dict[str, dict[str, str]]) -> str:
    """A table's column headers as one YAML flow mapping (JSON is YAML): one text as itself,
    texts per locale as a mapping, as the author wrote them."""
    written = {column: texts[""] if list(texts) == [""] else texts
               for column, texts in headers.items()}
    return json.dumps(written, ensure_ascii=False)


def followup(project: Project, letter_id: str, date: datetime.date,
             new_id: str | None = None) -> Drafted:
    """Write the draft letter and its catalogs; never overwrite anything."""
    # A draft can be followed up too (a campaign plans ahead): placeholders are allowed here.
    content = validate(project, drafts=True)
    letters = {letter.id: letter for letter in content.letters}
    if letter_id not in letters:
        raise CartaError(f"no letter '{letter_id}'; expected one of: {', '.join(sorted(letters))}")
    earlier = letters[letter_id]
    if date <= earlier.date:
        raise CartaError(f"--date {date.isoformat()}: a follow-up must come after the letter it "
                         f"follows ({earlier.date.isoformat()})")
    new_id = new_id or f"{date.isoformat()}-seguimiento"
    if not SLUG.match(new_id):
        raise CartaError(f"--id '{new_id}': expected lowercase letters, digits and hyphens")
    path = project.letters_dir / f"{new_id}.yaml"
    if path.exists() or new_id in letters:
        raise CartaError(f"{project.shown(path)} already exists; choose another --id, nothing "
                         "was changed")
    # Replies received up to the new date set statuses too; those to `earlier` are cited.
    demands = chains.open_demands(earlier, letters, content.responses, until=date)
    replies = [reply for reply in content.responses
               if reply.replies_to == earlier.id and reply.date <= date]
    write_new(path, draft_text(earlier, new_id, date, demands, replies).encode("utf-8"))

    # Carried texts are translated already: copy those translations into the new catalogs,
    # so that only the new prose needs a translator.
    new_letter = next(letter for letter in validate(project, (new_id,), drafts=True).letters)
    written = write_catalogs(project, new_letter, [*chains.chain(earlier, letters), *replies])
    return Drafted(path, len(demands), written)


def write_catalogs(project: Project, new_letter, sources, own=None
                   ) -> list[tuple[Path, int, int]]:
    """The new letter's catalogs, with every translation the `sources` (earlier letters,
    replies) already have, and `own`: locale -> {text: translation} of the drafting
    command's own (a reminder's phrases). Returns (path, translated, in all)."""
    written = []
    annotate = glossary.annotator(project)  # the glossary's terms as `#.` comments
    for locale in project.settings.locales:
        if locale == new_letter.language:
            continue
        known = _translations(project, sources, locale)
        phrases = (own or {}).get(locale, {})  # keyed by the source text alone
        if not known and not phrases:
            continue
        result = catalogs.update(project, new_letter, locale, annotate)
        found, _ = catalogs.read_catalog(project, result.path, locale)
        copied = total = 0
        for message in found:
            if not message.id:
                continue
            total += 1
            translation = known.get((message.context, message.id)) or phrases.get(message.id)
            if translation is None and PLACEHOLDER.fullmatch(message.id):
                # A placeholder stands for itself in every language until it is written.
                translation = message.id
            if translation:
                message.string = translation
                message.flags.discard("fuzzy")
                copied += 1
        write_atomic(result.path, catalogs.catalog_bytes(found))
        written.append((result.path, copied, total))
    return written


def _translations(project: Project, letters, locale: str) -> dict[tuple[str, str], str]:
    """(context, source text) -> translation, from the catalogs of the earlier letters (and
    of the replies cited: their summaries have the context of the block that cites them)."""
    known = {}
    for letter in letters:
        path = catalogs.catalog_path(project, letter.id, locale)
        found, _ = catalogs.read_catalog(project, path, locale)
        for message in found or ():
            if message.id and message.string and not message.fuzzy:
                known[(message.context, message.id)] = message.string
    return known
