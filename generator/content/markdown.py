"""Markdown as carta reads it: CommonMark without raw HTML, safe links, footnote citations.

Any text validation accepts (up to reader.MAX_TEXT characters) parses in linear time: two
inline rules that scanned ahead from every position they were tried at (footnote citations
and linkify, quadratic on texts such as "[^[^[^..." or "a://a://...") are replaced below by
versions that give the same tokens without the rescans. benchmarks/markdown_worst_case.py
times the known worst inputs.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.linkify import SCHEME_RE
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

SAFE_LINK_SCHEMES = ("http:", "https:", "mailto:")


def _is_safe_link(url: str) -> bool:
    # Only links a reader can follow from a letter: no javascript:, file: or data: links.
    return url.strip().lower().startswith(SAFE_LINK_SCHEMES)


# How deep constructs may nest (CommonMark preset: 20). Looking for the end of a link label
# looks ahead up to this depth at every "[", so it sets the cost of a text full of brackets:
# at 10, "![![![..." at the length limit parses in half the time. Letters nest a few levels.
MAX_NESTING = 10


def _make_parser(linkify: bool = True) -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": linkify, "typographer": False,
                                       "maxNesting": MAX_NESTING})
    if linkify:
        parser.enable("linkify")
    # Citations are matched even where no note is defined, so that validation can name them.
    parser.use(footnote_plugin, always_match_refs=True)
    # Notes are defined in the letter's `references`, not in the text: no footnote list here,
    # and no inline notes ("^[text]"), which have no label to cite.
    parser.core.ruler.disable("footnote_tail")
    parser.inline.ruler.disable("footnote_inline")
    parser.inline.ruler.at("footnote_ref", _footnote_ref)
    parser.inline.ruler.at("linkify", _linkify)
    # A part in another language: "[Secretaría de la Función Pública]{lang=es}" (or a link's
    # "{lang=es}"). Only `lang` is kept; any other attribute (a class, an id, a style) is set
    # aside in the token's meta, where validation finds and refuses it.
    parser.use(attrs_plugin, spans=True, allowed=("lang",))
    parser.validateLink = _is_safe_link
    parser.add_render_rule("footnote_ref", _render_citation)
    parser.add_render_rule("link_open", _render_link_open)
    parser.add_render_rule("link_close", _render_link_close)
    parser.add_render_rule("span_open", _render_span_open)
    # Images are refused by validation; should one come through anyway (a translation, say),
    # only its alt text is shown, so that a letter never loads a picture from elsewhere.
    parser.add_render_rule("image", _render_image_as_text)
    return parser


# A citation's label runs from "[^" to the first "]", and may not hold a space or a line break.
_LABEL_STOP = re.compile(r"[ \n\]]")


@functools.lru_cache(maxsize=32)
def _label_stops(src: str) -> tuple[int, ...]:
    """Where labels stop in `src`, in order: one pass over the text, however many "[^" it has."""
    return tuple(match.start() for match in _LABEL_STOP.finditer(src))


def _footnote_ref(state: StateInline, silent: bool) -> bool:
    """The footnote plugin's footnote_ref rule (always_match=True), in constant time per call.

    The plugin looks for the label's end from every "[^" it is tried at, and the inline parser
    tries each one: a text of 10,000 "[^" without "]" took a minute. Here the end is looked up
    among the label stops found once per text. Same matches, same tokens, same env data.
    """
    start, maximum, src = state.pos, state.posMax, state.src
    if start + 3 > maximum or src[start] != "[" or src[start + 1] != "^":
        return False
    stops = _label_stops(src)
    index = bisect.bisect_left(stops, start + 2)
    end = stops[index] if index < len(stops) else len(src)
    # No "]" before the end of this inline run, a space or line break first, or "[^]".
    if end >= maximum or src[end] != "]" or end == start + 2:
        return False
    if not silent:
        label = src[start + 2:end]
        footnotes = state.env.setdefault("footnotes", {})
        refs = footnotes.setdefault("refs", {})
        notes = footnotes.setdefault("list", {})
        number = refs.get(":" + label, -1)
        if number < 0:
            number = refs[":" + label] = len(notes)
            notes[number] = {"label": label, "count": 0}
        token = state.push("footnote_ref", "", 0)
        token.meta = {"id": number, "subId": notes[number]["count"], "label": label}
        notes[number]["count"] += 1
    state.pos = end + 1
    return True


# Longer than any scheme linkify knows ("http", "https", "ftp", "mailto"), with room to spare.
_SCHEME_WINDOW = 32


def _linkify(state: StateInline, silent: bool) -> bool:
    """markdown-it's linkify rule, looking for the scheme in the end of the pending text only.

    The original searches all the text not yet turned into tokens, at every "://": quadratic on
    "a://a://...". A scheme that linkify can match is a few letters long and comes right before
    "://", so the last _SCHEME_WINDOW characters give the same scheme, or one too long to match.
    """
    pos, maximum = state.pos, state.posMax
    if (not state.md.options.linkify or state.linkLevel > 0 or pos + 3 > maximum
            or state.src[pos:pos + 3] != "://"):
        return False
    found = SCHEME_RE.search(state.pending[-(_SCHEME_WINDOW + 1):])
    if not found:
        return False
    proto = found.group(1)
    link = state.md.linkify.match_at_start(state.src[pos - len(proto):])
    if not link:
        return False
    # Disallow "*" at the end of the link (conflicts with emphasis), as markdown-it does.
    url = link.url.rstrip("*")
    full_url = state.md.normalizeLink(url)
    if not state.md.validateLink(full_url):
        return False
    if not silent:
        state.pending = state.pending[:-len(proto)]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": full_url}
        token.markup = "linkify"
        token.info = "auto"
        token = state.push("text", "", 0)
        token.content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup = "linkify"
        token.info = "auto"
    state.pos += len(url) - len(proto)
    return True


def _render_citation(self, tokens: list[Token], index: int, options, env) -> str:
    return env["cite"](tokens[index].meta["label"])


# A link whose text is not its address ("[the report](https://...)"). Paper cannot be clicked, so
# the print CSS writes such a link's address after it (`links: url-after`); a bare address, which
# already shows itself, is left unmarked so that it prints once. Marking these rather than the
# bare ones keeps the HTML of letters that only quote addresses as it was.
NAMED_LINK_CLASS = "named-link"


def _shows_its_address(tokens: list[Token], index: int) -> bool:
    """Whether the link opened at tokens[index] reads as its own address: an autolink, a linkified
    URL or e-mail address, or "[https://x](https://x)"."""
    opening = tokens[index]
    if opening.info == "auto":
        return True
    shown = []
    for token in tokens[index + 1:]:  # links do not nest: the first close is this link's
        if token.type == "link_close":
            break
        if token.type in ("text", "code_inline"):
            shown.append(token.content)
    text = "".join(shown).strip()
    href = str(opening.attrs["href"])
    return text in (href, href.removeprefix("mailto:")) or normalizeLink(text) == href


def _render_link_open(self, tokens: list[Token], index: int, options, env) -> str:
    token = _with_lang_tag(tokens[index], env)
    if not _shows_its_address(tokens, index):
        # A copy with the class: the parsed tokens are cached and shared by every render.
        token = token.copy(attrs={**token.attrs, "class": NAMED_LINK_CLASS})
    return self.renderToken([token], 0, options, env)


def _render_span_open(self, tokens: list[Token], index: int, options, env) -> str:
    return self.renderToken([_with_lang_tag(tokens[index], env)], 0, options, env)


def _with_lang_tag(token: Token, env) -> Token:
    """The token with its `lang` as the page writes tags ("es" -> "es-MX" in a Mexican
    project: `lang_tag` from the renderer), a copy: the parsed tokens are shared."""
    lang, lang_tag = token.attrs.get("lang"), env.get("lang_tag")
    if not lang or lang_tag is None:
        return token
    return token.copy(attrs={**token.attrs, "lang": lang_tag(str(lang))})


def _render_link_close(self, tokens: list[Token], index: int, options, env) -> str:
    html = self.renderToken(tokens, index, options, env)
    link_note = env.get("link_note")
    if link_note is None:
        return html
    opening = next(i for i in range(index - 1, -1, -1) if tokens[i].type == "link_open")
    if _shows_its_address(tokens, opening):
        return html
    # After the link, not inside it: the note's call is not part of the link's text.
    return html + link_note(str(tokens[opening].attrs["href"]))


def _render_image_as_text(self, tokens: list[Token], index: int, options, env) -> str:
    return escapeHtml(self.renderInlineAsText(tokens[index].children or [], options, env))


_PARSER = _make_parser()
# Sees every link and image, safe or not, so that validation can name the ones refused.
# Without linkify: a bare "ftp://..." in the prose is text, not a mistake.
_PROBE = _make_parser(linkify=False)
_PROBE.validateLink = lambda url: True


def parse(text: str) -> list[Token]:
    return _PARSER.parse(text, {})


# Validation, note numbering and rendering all ask about the same texts: parse each once.
@functools.lru_cache(maxsize=8192)
def _summary(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    tokens = parse(text)
    kinds = tuple(token.type.removesuffix("_open") for token in tokens
                  if token.level == 0 and token.nesting >= 0 and token.type != "inline")
    labels = tuple(child.meta["label"] for token in tokens for child in token.children or ()
                   if child.type == "footnote_ref")
    return kinds, labels


def cited_labels(text: str) -> list[str]:
    """The footnote labels cited in `text`, in order, repeats included."""
    return list(_summary(text)[1])


def citation_order(texts: Iterable[str]) -> list[str]:
    """Labels in the order they are first cited: the order that numbers the notes."""
    order: list[str] = []
    for text in texts:
        for label in cited_labels(text):
            if label not in order:
                order.append(label)
    return order


@dataclass(frozen=True)
class Runs:
    """What a text prints that the layout cannot break at will: its words (unbroken runs of
    text as a reader sees them, Markdown marks left out), the web addresses it shows, and the
    addresses of its named links (printed after the link or in a note, as the letter says)."""

    words: tuple[str, ...]
    addresses: tuple[str, ...]
    link_targets: tuple[str, ...]


@functools.lru_cache(maxsize=8192)
def runs(text: str) -> Runs:
    """The words and addresses of `text`, as a reader of the printed letter meets them."""
    pieces: list[tuple[str, bool]] = []  # (text, whether it shows a web address)
    targets: list[str] = []
    for token in parse(text):
        pieces.append((" ", False))  # blocks never run into each other
        shows_address = False
        for index, child in enumerate(token.children or ()):
            if child.type == "link_open":
                shows_address = _shows_its_address(token.children, index)
                if not shows_address:
                    targets.append(str(child.attrs["href"]))
            elif child.type == "link_close":
                shows_address = False
            elif child.type in ("text", "code_inline"):
                pieces.append((child.content, shows_address))
            elif child.type == "image":
                pieces.append((child.content, False))
            elif child.type == "footnote_ref":
                pieces.append(("1", False))  # the call: a number that sticks to its word
            elif child.type in ("softbreak", "hardbreak"):
                pieces.append((" ", False))
            # Emphasis marks print nothing: "pal**abra**" is one word on the page.
    words, addresses = [], []
    current, address = [], False
    for piece, shows_address in [*pieces, (" ", False)]:
        for part in _SPACES.split(piece):
            if _SPACES.fullmatch(part):
                if current:
                    (addresses if address else words).append("".join(current))
                current, address = [], False
            elif part:
                current.append(part)
                address = address or shows_address
    return Runs(tuple(words), tuple(addresses), tuple(targets))


# Where a line may break: white space, but not the no-break spaces ("art.\u00a05"), which glue
# their neighbours into one run as far as line breaking is concerned.
_SPACES = re.compile(r"([^\S\u00a0\u2007\u202f]+)")


@functools.lru_cache(maxsize=8192)
def plain_runs(text: str) -> Runs:
    """The words of a text shown as written (a subject, a place): no Markdown, no links."""
    return Runs(tuple(part for part in _SPACES.split(text) if part and not _SPACES.fullmatch(part)),
                (), ())


def block_kinds(text: str) -> list[str]:
    """The top-level block types of `text` ("paragraph", "heading", "bullet_list", ...)."""
    return list(_summary(text)[0])


@functools.lru_cache(maxsize=8192)
def _inline_tokens(text: str) -> tuple[Token, ...]:
    # Every copy and locale of a letter renders the same texts: parse each once. Rendering
    # reads the tokens and never changes them; citations are resolved at render time.
    return tuple(_PARSER.parseInline(text, {}))


def render_inline(text: str, cite: Callable[[str], str],
                  link_note: Callable[[str], str] | None = None,
                  lang_tag: Callable[[str], str] | None = None) -> str:
    """HTML for one paragraph's worth of Markdown, without the surrounding <p>.

    `cite(label)` gives the markup of a footnote citation; `link_note(href)`, when given, the
    markup put after each link whose text is not its address (`links: footnote`);
    `lang_tag(code)` the tag a part marked `{lang=code}` is given."""
    env = {"cite": cite, "link_note": link_note, "lang_tag": lang_tag}
    return _PARSER.renderer.render(list(_inline_tokens(text)), _PARSER.options, env)


def refused_markup(text: str) -> list[str]:
    """What validation must refuse in `text`: images, and links that are not http(s) or mail."""
    return list(_refused(text))


@functools.lru_cache(maxsize=8192)
def _refused(text: str) -> tuple[str, ...]:
    """refused_markup, parsed once per text (with its own parser that sees every link)."""
    found = []
    for token in _PROBE.parse(text, {}):
        for child in token.children or ():
            if child.type == "image":
                shown = child.content if len(child.content) <= 30 else child.content[:27] + "..."
                found.append(f"a Markdown image ('![{shown}](...)'); images in the text are not "
                             "accepted: the letterhead logo goes in content/senders.yaml")
            elif child.type == "link_open" and not _is_safe_link(str(child.attrs["href"])):
                href = str(child.attrs["href"])
                shown = href if len(href) <= 40 else href[:37] + "..."
                found.append(f"a link to '{shown}'; links must start with http:, https: "
                             "or mailto:")
            found.extend(_refused_attributes(child))
    return tuple(found)


def _refused_attributes(token: Token) -> list[str]:
    """What is wrong with the {...} after a span or a link: an attribute other than lang, or
    a lang that is no language code."""
    found = []
    others = (token.meta or {}).get("insecure_attrs") or {}
    if others:
        names = ", ".join(f"'{name}'" for name in others)
        found.append(f"an attribute {names} in {{...}}; only {{lang=...}} is accepted, to "
                     "mark a part in another language: [Secretaría de la Función Pública]"
                     "{lang=es}")
    lang = token.attrs.get("lang")
    if lang is not None and not is_language_code(str(lang)):
        shown = str(lang) if len(str(lang)) <= 20 else str(lang)[:17] + "..."
        found.append(f"a part marked {{lang={shown}}}; '{shown}' is not a language code: "
                     "expected one such as es, en, fr or es-MX")
    return found


@functools.lru_cache(maxsize=256)
def is_language_code(code: str) -> bool:
    """Whether `code` names a language Babel knows ("es", "en-GB", "pt_BR")."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True
