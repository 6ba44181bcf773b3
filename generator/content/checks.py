"""The checks every text of a letter goes through: as written, once a campaign has resolved
the letter (carried demands included), and in each translation.

One function decides what a text may hold, so a text that passes `carta check` in any of those
three places is one that `carta build` can render.
"""

from __future__ import annotations

import re
from collections import Counter

from ..core.errors import Problem
from . import markdown
from .blocks import Slot, letter_texts
from .reader import MAX_TEXT

# What `carta followup` writes where the author has prose to write.
PLACEHOLDER = re.compile(r"\[\[TODO:[^\]]*\]\]")

# What one text may hold, so that a text `carta check` passes lays out in seconds: each limit is
# far above what letters need and below where WeasyPrint's line breaking slows down
# (benchmarks/limits.py prints the largest of this repository's letters and examples, and times
# a document at each limit).
# Hyphenation tries the break points of a word one by one: 8,000 letters took minutes.
MAX_WORD = 100
# A web address breaks anywhere in a note, each break laid out again: 12,000 characters hung.
MAX_ADDRESS = 2_000
# One note (a reference's text); a page of notes is one note per source, not one source.
MAX_NOTE = 2_500
# Notes cited by one text: each must be placed on the page of its call (120 took a minute).
MAX_CITATIONS = 20
# What one text sends to the foot of its page (its notes, and its named links' addresses when
# links are notes), together: about a page. Above it the layout looks for a page that fits.
MAX_NOTES_TEXT = 6_000
# A translation may be longer than its source, not many times longer: the limits above are
# checked on the source, and a translation keeps within a small factor of them.
TRANSLATION_FACTOR = 2
TRANSLATION_SLACK = 200

_BLOCK_NAMES = {"paragraph": "paragraph", "heading": "Markdown heading ('#')",
                "bullet_list": "bulleted list", "ordered_list": "numbered list",
                "fence": "code block", "code_block": "indented code block", "hr": "rule",
                "blockquote": "quotation ('>')"}


def text_problems(text: str, shape: str, defined: set[str], drafts: bool = False) -> list[str]:
    """What is wrong with one Markdown text, as messages; [] when it can be rendered.

    `shape` is "paragraph" (exactly one paragraph), "inline" (one line of Markdown) or
    "plain" (text shown as written); `defined` the footnote ids the letter's references
    define."""
    if len(text) > MAX_TEXT:
        # Over the limit nothing is parsed: parsing time is what the limit bounds.
        return [f"expected a text of at most {MAX_TEXT:,} characters, found one of "
                f"{len(text):,}; split it, or remove pasted data"]
    found = []
    if not drafts:
        found += [f"placeholder not filled yet: {match.group()}; write the text, or build a "
                  "watermarked draft with --draft" for match in PLACEHOLDER.finditer(text)]
    if shape == "plain":
        return found + _run_problems(markdown.plain_runs(text))
    blocks = markdown.block_kinds(text)
    if blocks != ["paragraph"]:
        if shape == "paragraph":
            found.append(f"expected one paragraph of text, found {_describe_blocks(blocks)}; "
                         "put each paragraph in its own '- paragraph:' block")
        else:
            found.append(f"expected a single line of text, found {_describe_blocks(blocks)}")
        return found
    found += [f"expected text, found {refused}" for refused in markdown.refused_markup(text)]
    found += _run_problems(markdown.runs(text))
    citations = markdown.cited_labels(text)
    if len(citations) > MAX_CITATIONS:
        found.append(f"expected at most {MAX_CITATIONS} note citations in one text, found "
                     f"{len(citations):,}; a note can name several sources, or cite some of "
                     "them in the next paragraph")
    for label in dict.fromkeys(markdown.cited_labels(text)):
        if label not in defined:
            known = ", ".join(sorted(defined)) or "none defined"
            found.append(f"footnote [^{label}] is cited but not defined; add it to "
                         f"'references' (defined: {known})")
    return found


def _run_problems(runs: markdown.Runs) -> list[str]:
    """A word or web address over its limit: the longest of each, with its start."""
    found = []
    for noun, limit, hint, items in (
            ("a word", MAX_WORD, "break it with spaces, or remove pasted data", runs.words),
            ("a web address", MAX_ADDRESS, "link to a shorter address (without tracking "
             "parameters), or to the page that holds it", (*runs.addresses, *runs.link_targets))):
        longest = max(items, key=len, default="")
        if len(longest) > limit:
            found.append(f"expected {noun} of at most {limit:,} characters, found one of "
                         f"{len(longest):,} ('{longest[:30]}...'); {hint}")
    return found


def note_problems(text: str) -> list[str]:
    """What is wrong with the length of one note (a reference's text), as messages."""
    if MAX_NOTE < len(text) <= MAX_TEXT:
        return [f"expected a note of at most {MAX_NOTE:,} characters, found one of "
                f"{len(text):,}; give each source its own note"]
    return []


def _notes_text_problems(text: str, notes: dict[str, str]) -> list[str]:
    """What the text sends to its page foot, over the limit: its notes and link addresses."""
    sizes = [len(notes.get(label, "")) for label in dict.fromkeys(markdown.cited_labels(text))]
    size = sum(sizes) + sum(map(len, markdown.runs(text).link_targets))
    # A note over its own limit is reported as such, once, at the note.
    if size <= MAX_NOTES_TEXT or max(sizes, default=0) > MAX_NOTE:
        return []
    return [f"the notes this text cites, with the addresses of its named links, hold {size:,} "
            f"characters together, expected at most {MAX_NOTES_TEXT:,}: they are printed at "
            "the foot of its page and must fit there; shorten them, or cite some in the next "
            "paragraph"]


def has_placeholders(letter) -> bool:
    return any(PLACEHOLDER.search(slot.text) for slot in letter_texts(letter))


def letter_problems(letter, shown_as: str, positions: dict, drafts: bool = False,
                    whole: bool = False) -> list[Problem]:
    """Every problem in the texts of `letter` (a Letter, or the parts of one being read).

    With `whole`, the letter is complete and resolved: references that no text cites are
    reported too (a carried demand may be what cites one)."""
    defined = {reference.id for reference in letter.references}
    problems = []

    def problem(field: str, message: str) -> None:
        line, column = positions.get(field, (None, None))
        problems.append(Problem(shown_as, line, column, field, message))

    cited: set[str] = set()
    notes = {reference.id: reference.text for reference in letter.references}
    for slot in letter_texts(letter):
        found = text_problems(slot.text, slot.shape, defined, drafts)
        if _is_note(slot):
            found += note_problems(slot.text)
        elif slot.shape != "plain" and len(slot.text) <= MAX_TEXT \
                and markdown.block_kinds(slot.text) == ["paragraph"]:
            found += _notes_text_problems(slot.text, notes)
        for message in found:
            problem(slot.field, message)
        if slot.shape != "plain" and len(slot.text) <= MAX_TEXT:
            cited.update(markdown.cited_labels(slot.text))
    if whole:
        for number, reference in enumerate(letter.references, start=1):
            if reference.id not in cited:
                problem(f"references[{number}].id",
                        f"reference '{reference.id}' is defined but never cited; cite it as "
                        f"[^{reference.id}] in the text, or remove it")
    return problems


def translation_problems(slot: Slot, translated: str, defined: set[str],
                         drafts: bool = False) -> list[str]:
    """What is wrong with the translation of one text: everything a source text is checked
    for, and the same footnote citations as the source (none added, none dropped)."""
    found = text_problems(translated, slot.shape, defined, drafts)
    most = TRANSLATION_FACTOR * len(slot.text) + TRANSLATION_SLACK
    if most < len(translated) <= MAX_TEXT:
        found.append(f"expected a translation of at most {most:,} characters ({TRANSLATION_FACTOR}"
                     f" times the source's {len(slot.text):,}, plus {TRANSLATION_SLACK}), found "
                     f"one of {len(translated):,}; translate the source text only")
    if _is_note(slot):
        found += note_problems(translated)
    if len(translated) > MAX_TEXT or slot.shape == "plain":
        return found
    source = Counter(markdown.cited_labels(slot.text))
    target = Counter(markdown.cited_labels(translated))
    for label in source:
        if label not in target:
            found.append(f"the translation drops the citation [^{label}] that the source text "
                         "makes; keep every [^...] marker of the source")
    for label in target:
        if label not in source and label in defined:
            found.append(f"the translation cites [^{label}], which the source text does not; "
                         "keep the source's [^...] markers")
    return found


def _is_note(slot: Slot) -> bool:
    return slot.field.startswith("references[")


def _describe_blocks(blocks: list[str]) -> str:
    if not blocks:
        return "nothing"
    counted = []
    for kind in dict.fromkeys(blocks):
        count = blocks.count(kind)
        name = _BLOCK_NAMES.get(kind, kind)
        counted.append(f"{count} {name}s" if count > 1 else f"a {name}")
    return " and ".join(counted)
