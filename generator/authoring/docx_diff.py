"""What a reviewer changed in a DOCX copy of a letter that came back: `carta diff-docx`.

carta's DOCX marks every text that comes from a field of the letter with a bookmark named after
the field (generator/outputs/docx_fields.py), and names the letter, locale and copy in its custom
properties. Here the returned document is read back, paragraph by paragraph, and compared with
a DOCX made now from the letter's current text in the same locale and copy, with the same
writer: tracked insertions (w:ins) and deletions (w:del), comments, and edits made without
tracking are each reported with the field they belong to, so that the author can carry them
into the YAML (or, for a translation, its PO catalog). Nothing is written.

A field keeps its whole paragraph: text typed at a paragraph's end, just past the bookmark,
still belongs to the field. Paragraphs outside every field (the date line, the address block,
a paragraph a reviewer added) are compared in order and named by their place in the letter.
The returned document is read by authoring/docx_reading.py, within limits.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import CartaError
from ..outputs.docx_fields import (
    PROP_LETTER,
    PROP_LOCALE,
    PROP_RECIPIENT,
    bookmark_name,
)
from .docx_reading import Document, Paragraph, Segment, read_docx, read_returned

# Comparing ---------------------------------------------------------------------------------

@dataclass
class Change:
    field: str  # "body[3].paragraph"; for text outside the fields, where it stands
    kind: str  # inserted, deleted, comment, edited, removed, added
    text: str  # what was inserted, deleted, commented on, or the edit shown in brackets
    who: str = ""  # the author (and date) of a tracked change or comment
    note: str = ""  # a comment's text


@dataclass
class Report:
    letter: str
    locale: str
    recipient: str
    file: str
    where: str  # where the texts live: the letter's YAML, or its PO catalog
    changes: list[Change]
    now: dict[str, str]  # field -> its text with every change accepted, for changed fields

    def text(self) -> str:
        copy = f", copy for {self.recipient}" if self.recipient else ""
        head = f"{self.file}: {self.letter} ({self.locale}{copy})"
        if not self.changes:
            return f"{head}: no changes against the letter's current text"
        fields = list(dict.fromkeys(change.field for change in self.changes))
        lines = [f"{head}: {len(self.changes)} change{'s' if len(self.changes) != 1 else ''} "
                 f"in {len(fields)} place{'s' if len(fields) != 1 else ''}; the texts are in "
                 f"{self.where}"]
        for name in fields:
            lines.append(name)
            for change in (c for c in self.changes if c.field == name):
                who = f" by {change.who}" if change.who else ""
                if change.kind == "comment":
                    lines.append(f"  comment{who} on {_quote(change.text)}: {change.note}")
                elif change.kind in ("inserted", "deleted"):
                    lines.append(f"  {change.kind} {_quote(change.text)}{who}")
                else:
                    lines.append(f"  {change.kind}: {change.text}")
            if name in self.now:
                lines.append(f"  reads now: {_quote(self.now[name], 2000)}")
        return "\n".join(lines)


def _quote(text: str, limit: int = 200) -> str:
    text = text.replace("\n", " / ")
    return '"' + (text if len(text) <= limit else text[:limit - 1] + "…") + '"'


def _words(text: str) -> list[str]:
    return re.findall(r"\s+|[\w'’-]+|[^\w\s]", text)


def edit_summary(before: str, after: str, context: int = 4) -> str:
    """The differences of two texts, word by word: "…a la [-unánime-]{+amplia+} conclusión…"."""
    old, new = _words(before), _words(after)
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new,
                                                       autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        lead = "".join(old[max(0, i1 - context):i1])
        tail = "".join(old[i2:i2 + context])
        change = ""
        if i2 > i1:
            change += "[-" + "".join(old[i1:i2]) + "-]"
        if j2 > j1:
            change += "{+" + "".join(new[j1:j2]) + "+}"
        parts.append(f"…{lead}{change}{tail}…")
    return " ".join(parts)


def _field_texts(document: Document, wide: set[str]) -> dict[str, list]:
    """Each field's segments. A field that filled whole paragraphs when the DOCX was made
    (`wide`) takes every segment of the paragraphs it is in: text typed at a paragraph's end,
    past the bookmark, is the field's too."""
    texts: dict[str, list] = {}
    for paragraph in document.paragraphs:
        for name in paragraph.fields:
            if name in wide:
                segments = paragraph.segments
            else:
                segments = [s for s in paragraph.segments if name in s.fields]
            bucket = texts.setdefault(name, [])
            if bucket:
                bucket.append(Segment("\n"))
            bucket.extend(segments)
    return texts


def _joined(segments, accepted: bool) -> str:
    skip = "del" if accepted else "ins"
    return "".join(s.text for s in segments if s.status != skip).strip()


def _runs(segments, kind: str) -> list[tuple[str, str]]:
    """Consecutive segments of one tracked kind, as (text, who)."""
    found: list[tuple[str, str]] = []
    previous = None
    for segment in segments:
        if segment.status != kind:
            previous = None
            continue
        who = segment.author + (f", {segment.date[:10]}" if segment.date else "")
        if previous == who and found:
            found[-1] = (found[-1][0] + segment.text, who)
        else:
            found.append((segment.text, who))
        previous = who
    return [(text, who) for text, who in found if text.strip()]


def compare(returned: Document, expected: Document, wide: set[str],
            order: list[str]) -> tuple[list[Change], dict[str, str]]:
    changes: list[Change] = []
    now: dict[str, str] = {}
    got = _field_texts(returned, wide)
    want = {name: _joined(segments, True)
            for name, segments in _field_texts(expected, wide).items()}
    reported_comments: set[str] = set()

    def comment_changes(place: str, segments, paragraphs) -> None:
        ids = [i for p in paragraphs for i in sorted(p.comments)]
        ids += [i for s in segments for i in sorted(s.comments)]
        for ident in dict.fromkeys(ids):
            comment = returned.comments.get(ident)
            if comment is None or ident in reported_comments:
                continue
            reported_comments.add(ident)
            anchored = "".join(s.text for s in segments if ident in s.comments).strip()
            who = comment.author + (f", {comment.date[:10]}" if comment.date else "")
            changes.append(Change(place, "comment", anchored, who, comment.text))

    for name in sorted(set(got) | set(want), key=lambda n: _field_order(n, order)):
        segments = got.get(name)
        if segments is None:
            changes.append(Change(name, "removed", "its text is gone from the document (or "
                                  "its bookmark was deleted): " + _quote(want[name])))
            continue
        paragraphs = [p for p in returned.paragraphs if name in p.fields]
        for text, who in _runs(segments, "ins"):
            changes.append(Change(name, "inserted", text, who))
        for text, who in _runs(segments, "del"):
            changes.append(Change(name, "deleted", text, who))
        comment_changes(name, segments, paragraphs)
        before = _joined(segments, False)
        if name not in want:
            changes.append(Change(name, "added", "not a field of the letter as it is now: "
                                  + _quote(before)))
        elif before != want[name]:
            changes.append(Change(name, "edited", "changed without tracking, or the letter "
                                  "changed since the DOCX was made: "
                                  + edit_summary(want[name], before)))
        if any(c.field == name and c.kind != "comment" for c in changes):
            now[name] = _joined(segments, True)

    # Text outside every field: compared in order with what the letter makes now.
    def outside(document: Document) -> list[tuple[str, Paragraph]]:
        result, last = [], "the beginning"
        for paragraph in document.paragraphs:
            if paragraph.fields:
                last = sorted(paragraph.fields, key=lambda n: _field_order(n, order))[-1]
                continue
            result.append((last, paragraph))
        return result

    mine = outside(expected)
    theirs = outside(returned)
    old_texts = [p.text().strip() for _, p in mine]
    new_texts = [p.text(False).strip() for _, p in theirs]
    matcher = difflib.SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for index in range(j1, j2):
            after, paragraph = theirs[index]
            if not new_texts[index] and not paragraph.text().strip():
                continue
            place = f"(no field; after {after})"
            old = old_texts[i1 + (index - j1)] if tag == "replace" and i1 + index - j1 < i2 \
                else None
            if old is not None:
                changes.append(Change(place, "edited", edit_summary(old, new_texts[index])))
            else:
                changes.append(Change(place, "added", _quote(new_texts[index])))
        if tag == "delete" or (tag == "replace" and i2 - i1 > j2 - j1):
            for index in range(i1 + (j2 - j1 if tag == "replace" else 0), i2):
                if old_texts[index]:
                    changes.append(Change(f"(no field; after {mine[index][0]})", "removed",
                                          _quote(old_texts[index])))
    for after, paragraph in theirs:
        place = f"(no field; after {after})"
        for text, who in _runs(paragraph.segments, "ins"):
            changes.append(Change(place, "inserted", text, who))
        for text, who in _runs(paragraph.segments, "del"):
            changes.append(Change(place, "deleted", text, who))
        comment_changes(place, paragraph.segments, [paragraph])
    return changes, now


def _field_order(name: str, order: list[str]) -> tuple:
    return (order.index(name), name) if name in order else (len(order), name)


# The command --------------------------------------------------------------------------------

def diff_docx(project, file: Path, letter_id: str) -> Report:
    """What changed in `file`, a DOCX of `letter_id` returned by a reviewer."""
    from ..content import blocks
    from ..localization.catalogs import catalog_path
    from ..outputs.docx import DocxWriter  # here: the reading child imports this module
    from ..pipeline.plan import plan
    from ..rendering.render import Renderer

    shown = str(file)
    properties = read_returned(file, shown).properties
    made_for = properties.get(PROP_LETTER)
    if not made_for:
        raise CartaError(f"{shown}: not a DOCX made by carta (it has no '{PROP_LETTER}' custom "
                         "property); diff-docx compares the copies 'carta build --format docx' "
                         "makes, as reviewers return them")
    if made_for != letter_id:
        raise CartaError(f"{shown} is a copy of the letter '{made_for}', not of '{letter_id}'; "
                         f"to compare it with its own letter: carta diff-docx {shown} {made_for}")
    locale = properties.get(PROP_LOCALE) or ""
    recipient = properties.get(PROP_RECIPIENT) or ""
    planned = plan(project, (letter_id,), (locale,), allow_untranslated=True, drafts=True)
    job = next((job for job in planned.jobs if not job.versions and job.locale == locale
                and (job.recipient.id if job.recipient else "") == recipient), None)
    if job is None:
        raise CartaError(f"{shown}: the letter '{letter_id}' has no {locale} copy "
                         f"{'for ' + recipient if recipient else 'for everyone'} any more, so "
                         "there is nothing to compare it with")
    writer = DocxWriter(None, Renderer(project), project)
    expected_bytes = writer.write(job)
    slots = list(blocks.letter_texts(job.letter))
    order = [slot.field for slot in slots]
    names = {bookmark_name(name): name for name in order}
    labels = {f"references[{number}].text": f"[^{reference.id}]"
              for number, reference in enumerate(job.letter.references, start=1)}
    expected = read_docx(expected_bytes, "the letter", names, labels)
    returned = read_returned(file, shown, names, labels)
    wide = {name for paragraph in expected.paragraphs for name in paragraph.fields
            if all(name in s.fields for s in paragraph.segments if s.text.strip())}
    changes, now = compare(returned, expected, wide, order)
    if locale == job.letter.language:
        where = project.shown(job.letter.source)
    else:
        where = project.shown(catalog_path(project, letter_id, locale))
    return Report(letter_id, locale, recipient, shown, where, changes, now)

