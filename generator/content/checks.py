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
        return found
    blocks = markdown.block_kinds(text)
    if blocks != ["paragraph"]:
        if shape == "paragraph":
            found.append(f"expected one paragraph of text, found {_describe_blocks(blocks)}; "
                         "put each paragraph in its own '- paragraph:' block")
        else:
            found.append(f"expected a single line of text, found {_describe_blocks(blocks)}")
        return found
    found += [f"expected text, found {refused}" for refused in markdown.refused_markup(text)]
    for label in dict.fromkeys(markdown.cited_labels(text)):
        if label not in defined:
            known = ", ".join(sorted(defined)) or "none defined"
            found.append(f"footnote [^{label}] is cited but not defined; add it to "
                         f"'references' (defined: {known})")
    return found


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
    for slot in letter_texts(letter):
        for message in text_problems(slot.text, slot.shape, defined, drafts):
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


def _describe_blocks(blocks: list[str]) -> str:
    if not blocks:
        return "nothing"
    counted = []
    for kind in dict.fromkeys(blocks):
        count = blocks.count(kind)
        name = _BLOCK_NAMES.get(kind, kind)
        counted.append(f"{count} {name}s" if count > 1 else f"a {name}")
    return " and ".join(counted)
