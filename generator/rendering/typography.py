"""Each language's typography, applied to the text a document prints: quotes, apostrophes, spaces.

Authors type straight quotes and apostrophes (U+0022, U+0027) and, in French, ordinary spaces
before ":" or "»" (or none at all), and so do carta's own catalog phrases ("Objet :"). At render
time, every text a document prints, the letter's and the templates' alike, is set in the rules
of the language it is in (the `lang` of the element around it, spans of another language
included):

- a straight apostrophe becomes ’ (U+2019) in every language with rules here;
- straight double quotes become the language's quotation marks, single ones its inner marks:
  English “ ” ‘ ’; Spanish « » “ ” (the RAE's, CLDR's `es`), in Latin America (es-MX, es-419...)
  “ ” ‘ ’ as CLDR has it; French « » “ ”;
- French puts a narrow no-break space (U+202F) before ; ! ? and a no-break space (U+00A0)
  before : and inside « » (Imprimerie nationale's rules, which CLDR and LibreOffice follow):
  a space typed there becomes the no-break one, a missing one is added. A colon between two
  digits (10:30) is left alone.

Never touched: code (<code>, <pre>, <kbd>, <samp>), style and script text, web addresses and
e-mail addresses in the text, and every attribute value (an href, an alt, a meta content).
Applying the rules twice gives the same text as once, so a fragment set in its language can
be set again inside its page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

NBSP = "\u00a0"
NNBSP = "\u202f"
APOSTROPHE = "\u2019"


@dataclass(frozen=True)
class Rules:
    """One language's marks: outer quotes, inner quotes, and whether French spacing applies."""

    open: str
    close: str
    inner_open: str
    inner_close: str
    french: bool = False


_ENGLISH = Rules("\u201c", "\u201d", "\u2018", "\u2019")
_SPANISH = Rules("\u00ab", "\u00bb", "\u201c", "\u201d")
_LATIN_AMERICAN_SPANISH = Rules("\u201c", "\u201d", "\u2018", "\u2019")
_FRENCH = Rules("\u00ab", "\u00bb", "\u201c", "\u201d", french=True)

# By language; a region that writes otherwise is listed under "language-REGION". Languages not
# listed are printed as typed: carta knows no rule for them.
RULES = {
    "en": _ENGLISH,
    "es": _SPANISH,
    "fr": _FRENCH,
    "pt": Rules("\u201c", "\u201d", "\u2018", "\u2019"),
    "it": Rules("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "de": Rules("\u201e", "\u201c", "\u201a", "\u2018"),
}
# CLDR's es-419 (Latin America and the Caribbean) and the regions that follow it.
_LATIN_AMERICA = ("419", "AR", "BO", "CL", "CO", "CR", "CU", "DO", "EC", "GT", "HN", "MX", "NI",
                  "PA", "PE", "PR", "PY", "SV", "US", "UY", "VE")
RULES.update({f"es-{region}": _LATIN_AMERICAN_SPANISH for region in _LATIN_AMERICA})


def rules_for(lang: str | None) -> Rules | None:
    """The rules of a BCP 47 tag or locale ("fr", "es-MX", "es_MX"), or None for none."""
    if not lang:
        return None
    parts = lang.replace("_", "-").split("-")
    language = parts[0].lower()
    for part in parts[1:]:
        if (found := RULES.get(f"{language}-{part.upper()}")) is not None:
            return found
    return RULES.get(language)


# What is never changed inside a text: web and e-mail addresses as they are printed.
_PROTECTED = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|mailto:\S+",
                        re.IGNORECASE)
# After these, a quote opens; after anything else, it closes.
_OPENERS = set(" \t\n\r\u00a0\u202f([{\u2014\u2013-/\u00ab\u201c\u2018\u201e\u201a\u00bf\u00a1")


class Typesetter:
    """Sets texts in one language's rules, keeping what a quote needs to know (the character
    before it, the quotes open) from one piece of a paragraph to the next: a paragraph's text
    comes in pieces (its emphasis, its links)."""

    def __init__(self, lang: str | None):
        self.rules = rules_for(lang)
        self.reset()

    def reset(self) -> None:
        """A new paragraph: nothing before, no quote open."""
        self.previous = " "
        self.inner_open = False
        self.space_after_guillemet = False  # a French « ended the previous piece

    def skip(self, text: str) -> None:
        """A piece printed as it is (code): only what comes before the next piece changes."""
        if text:
            self.previous = text[-1]
            self.space_after_guillemet = False

    def text(self, text: str) -> str:
        """`text` in the rules, its addresses untouched."""
        if self.rules is None or not text:
            self.skip(text)
            return text
        out: list[str] = []
        position = 0
        for match in _PROTECTED.finditer(text):
            out.append(self._set(text[position:match.start()]))
            out.append(match.group())
            self.skip(match.group())
            position = match.end()
        out.append(self._set(text[position:]))
        return "".join(out)

    def _set(self, text: str) -> str:
        rules = self.rules
        out: list[str] = []
        length = len(text)
        for index, char in enumerate(text):
            following = text[index + 1] if index + 1 < length else ""
            if self.space_after_guillemet:
                if char.isspace():
                    continue  # the no-break space is already there
                self.space_after_guillemet = False
            if char == '"':
                char = rules.open if self.previous in _OPENERS else rules.close
            elif char == "'":
                if self.previous.isalnum() and following.isalnum():
                    char = APOSTROPHE  # l'État, government's
                elif self.previous in _OPENERS and not following.isdigit():
                    char = rules.inner_open
                    self.inner_open = True
                elif self.inner_open and not (self.previous.isalnum() and following.isalnum()):
                    char = rules.inner_close
                    self.inner_open = False
                else:
                    char = APOSTROPHE  # organizations', '90s
            if rules.french:
                char = self._french(char, following, out)
            out.append(char)
            self.previous = char[-1]
        return "".join(out)

    def _french(self, char: str, following: str, out: list[str]) -> str:
        """French spacing around `char`: the no-break space it needs before or after it."""
        space = {";": NNBSP, "!": NNBSP, "?": NNBSP, ":": NBSP, "\u00bb": NBSP}.get(char)
        if space is not None:
            if char == ":" and self.previous.isdigit() and following.isdigit():
                return char  # a time or a ratio: 10:30
            if out and out[-1] in " \t\n\r":
                while out and out[-1] in " \t\n\r":
                    out.pop()
                return space + char
            if self.previous in (NBSP, NNBSP) or self.previous.isspace():
                return char
            if char != "\u00bb" and self.previous in "?!;:\u00ab":
                return char  # "?!", "!!": one space before the first only
            return space + char
        if char == "\u00ab":
            self.space_after_guillemet = True
            return char + NBSP
        return char


class Typesetters:
    """The typesetters of one text whose parts may be in several languages (a Spanish name in
    an English sentence): each language keeps its open quotes, and all share the character
    before, so that the apostrophe after "<span lang=es>Núcleo</span>'s" is an apostrophe."""

    def __init__(self):
        self._by_lang: dict[str | None, Typesetter] = {}
        self._previous = " "

    def _get(self, lang: str | None) -> Typesetter:
        if lang not in self._by_lang:
            self._by_lang[lang] = Typesetter(lang)
        setter = self._by_lang[lang]
        setter.previous = self._previous
        return setter

    def text(self, text: str, lang: str | None) -> str:
        setter = self._get(lang)
        done = setter.text(text)
        self._previous = setter.previous
        return done

    def skip(self, text: str, lang: str | None) -> None:
        setter = self._get(lang)
        setter.skip(text)
        self._previous = setter.previous

    def reset(self) -> None:
        for setter in self._by_lang.values():
            setter.reset()
        self._previous = " "


# Elements whose text is printed as typed: code, and the raw text of styles and scripts.
_UNTOUCHED = frozenset({"code", "pre", "kbd", "samp", "style", "script", "textarea"})
_RAW_TEXT = frozenset({"style", "script", "textarea"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
# Where a new run of text starts: a quote before it does not open or close one after it.
_BLOCKS = frozenset({"address", "article", "aside", "blockquote", "body", "br", "caption", "dd",
                     "div", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4",
                     "h5", "h6", "head", "header", "html", "li", "main", "nav", "ol", "p",
                     "section", "table", "td", "th", "title", "tr", "ul"})
_TAG = re.compile(r"<!--.*?-->|<![^>]*>|<\?.*?>"
                  r"|<(/?)([A-Za-z][\w:.-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'"
                  r"|[^\s>]+))?)*)\s*/?>", re.DOTALL)
_LANG = re.compile(r"""\slang\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_CLASS = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def typeset_html(document: str, lang: str | None = None) -> str:
    """HTML (a page or a fragment) with the text of every element set in the rules of its
    language: the nearest `lang` around it, else `lang`. Tags, attributes, comments, code and
    raw text are copied as they are."""
    out: list[str] = []
    stack: list[tuple[str, str | None, bool]] = []  # (tag, lang, untouched) of open elements
    setters = Typesetters()
    current_lang, untouched = lang, False
    position = 0

    length = len(document)
    while position < length:
        match = _TAG.search(document, position)
        end = match.start() if match else length
        if end > position:
            raw = document[position:end]
            if untouched:
                setters.skip(raw, current_lang)
                out.append(raw)
            else:
                text = html.unescape(raw)
                done = setters.text(text, current_lang)
                out.append(raw if done == text else _escape(done))
        if not match:
            break
        out.append(match.group())
        position = match.end()
        name = (match.group(2) or "").lower()
        if not name:
            continue  # a comment or a doctype
        closing = match.group(1) == "/"
        if name in _BLOCKS or (not closing and _is_note(match.group(3) or "")):
            setters.reset()
        if closing:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == name:
                    del stack[depth:]
                    break
            current_lang = next((each[1] for each in reversed(stack) if each[1]), lang)
            untouched = any(each[2] for each in stack)
            continue
        if name in _VOID or match.group().endswith("/>"):
            continue
        found = _LANG.search(match.group(3) or "")
        element_lang = next((part for part in found.groups() if part is not None), None) \
            if found else None
        stack.append((name, element_lang or None, name in _UNTOUCHED))
        current_lang = element_lang or current_lang
        untouched = untouched or name in _UNTOUCHED
        if name in _RAW_TEXT:
            # Raw text ends at its end tag only: a "<" in a style is not a tag.
            closing_at = document.lower().find(f"</{name}", position)
            closing_at = length if closing_at < 0 else closing_at
            out.append(document[position:closing_at])
            position = closing_at
    return "".join(out)


def _is_note(attributes: str) -> bool:
    # A footnote's text sits inside the paragraph that calls it (templates/footnotes.html) but
    # is a text of its own: its first quote opens.
    found = _CLASS.search(attributes)
    return bool(found) and "footnote" in (found.group(1) or found.group(2) or "").split()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def typeset_text(text: str, lang: str | None) -> str:
    """Plain text (an e-mail's) in the rules of `lang`; a blank line starts a new paragraph."""
    setter = Typesetter(lang)
    paragraphs = re.split(r"(\n\s*\n)", text)
    out = []
    for index, part in enumerate(paragraphs):
        if index % 2:
            out.append(part)
            setter.reset()
        else:
            out.append(setter.text(part))
    return "".join(out)
