"""Every occurrence of many phrases in a text, found in one pass (an Aho-Corasick automaton).

The glossary asks, of each message, which of its hundreds of terms, accepted forms, glosses and
forbidden variants stand in it. Searching for each phrase in turn costs phrases × length per
message (a glossary of 1,000 terms against one long translation took minutes); the automaton
reads the text once, whatever the number of phrases, and reports each occurrence, overlapping
ones included. Phrases are compared as the glossary's rules say: case-insensitively, any run of
whitespace as one space, whole words only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

_RUNS = re.compile(r"\s+|\S+")
_WORD = re.compile(r"\w")


def fold(phrase: str) -> str:
    """The key a phrase is compared by: lower case, its words joined by single spaces."""
    return _folded(" ".join(phrase.split()))[0]


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` in lower case with each whitespace run as one space, and for each of its
    characters the position in `text` it comes from (to show an occurrence as written)."""
    parts: list[str] = []
    origin: list[int] = []
    for run in _RUNS.finditer(text):
        start, piece = run.start(), run.group()
        if piece[0].isspace():
            parts.append(" ")
            origin.append(start)
            continue
        lowered = piece.lower()
        if len(lowered) != len(piece):
            # A few letters lower to two ("İ"): those keep their case, so positions stay one
            # to one (re.IGNORECASE, which the glossary matched with before, keeps them too).
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in piece)
        parts.append(lowered)
        origin.extend(range(start, start + len(piece)))
    return "".join(parts), origin


@dataclass(frozen=True)
class Occurrence:
    key: str  # the phrase as compared (`fold`)
    start: int  # where it stands in the text searched
    end: int
    shown: str  # as the text writes it


class PhraseFinder:
    """Finds any of a fixed set of phrases in texts; built once, used for every message."""

    def __init__(self, phrases: Iterable[str]):
        self.keys = {fold(phrase) for phrase in phrases} - {""}
        self._automaton = ahocorasick.Automaton()
        for key in self.keys:
            self._automaton.add_word(key, key)
        if self.keys:
            self._automaton.make_automaton()

    def occurrences(self, text: str) -> list[Occurrence]:
        """Every whole-word occurrence of a phrase in `text`, in order of start, the longer
        first where two start together."""
        if not self.keys:
            return []
        folded, origin = _folded(text)
        found = []
        for last, key in self._automaton.iter(folded):
            start, end = last + 1 - len(key), last + 1
            # Whole words: no word character right before or after (the "\b" of a term that
            # begins or ends with punctuation, such as "(STT)", is the same test).
            if (start > 0 and _WORD.match(folded[start - 1])) or \
                    (end < len(folded) and _WORD.match(folded[end])):
                continue
            begin, stop = origin[start], origin[end - 1] + 1
            found.append(Occurrence(key, begin, stop, text[begin:stop]))
        found.sort(key=lambda occurrence: (occurrence.start, occurrence.start - occurrence.end))
        return found
