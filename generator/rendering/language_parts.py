"""Language of parts: the glossary's names kept in another language, marked where they stand.

A translation into English names the Secretaría de la Función Pública in Spanish, as the
glossary says (`lang: es` on the term's English rule). Marked `<span lang="es-MX">`, it is
read by screen readers in Spanish, hyphenated by Spanish patterns, tagged /Lang in the PDF and
w:lang in the DOCX (WCAG 3.1.2). An author marks any other part by hand, in Markdown:
`[Secretaría de la Función Pública]{lang=es}` (content/markdown.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdown_it.common.utils import escapeHtml

from ..localization.phrases import PhraseFinder

# Inline HTML as markdown-it and the templates write it: attribute values are escaped, so a
# ">" never stands inside a tag.
_PIECES = re.compile(r"(<[^>]*>)")
_NAME = re.compile(r"<(/?)([A-Za-z][\w-]*)")
_VOID = frozenset({"br", "img", "wbr", "hr"})
# Text printed as typed, or already in a language of its own.
_CODE = frozenset({"code", "pre", "kbd", "samp"})


class KeptPhrases:
    """The phrases one translation keeps in another language (`Glossary.kept`), found in one
    pass over each text."""

    def __init__(self, kept: dict[str, str], lang_tag: Callable[[str], str | None]):
        self.langs = kept  # folded phrase -> language code
        self.finder = PhraseFinder(kept)
        self.lang_tag = lang_tag

    def mark(self, fragment: str) -> str:
        """`fragment` (inline HTML) with each kept phrase in a <span lang>, outside code and
        outside any element that already says its language."""
        if not self.langs:
            return fragment
        out = []
        stack: list[bool] = []  # for each open element: whether its text is left alone
        for piece in _PIECES.split(fragment):
            if piece.startswith("<"):
                out.append(piece)
                found = _NAME.match(piece)
                if not found:
                    continue
                name = found.group(2).lower()
                if found.group(1):
                    if stack:
                        stack.pop()
                elif name not in _VOID and not piece.endswith("/>"):
                    stack.append(name in _CODE or " lang=" in piece)
                continue
            if not piece or any(stack):
                out.append(piece)
                continue
            out.append(self._marked(piece))
        return "".join(out)

    def _marked(self, raw: str) -> str:
        text = html.unescape(raw)
        chosen, end = [], 0
        for occurrence in self.finder.occurrences(text):  # by start, the longest first
            if occurrence.start >= end:
                chosen.append(occurrence)
                end = occurrence.end
        if not chosen:
            return raw
        out, position = [], 0
        for occurrence in chosen:
            tag = self.lang_tag(self.langs[occurrence.key])
            out.append(escapeHtml(text[position:occurrence.start]))
            out.append(f'<span lang="{escapeHtml(tag or "")}">{escapeHtml(occurrence.shown)}'
                       "</span>")
            position = occurrence.end
        out.append(escapeHtml(text[position:]))
        return "".join(out)
