"""Markdown as carta reads it: CommonMark without raw HTML, safe links, footnote citations."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

SAFE_LINK_SCHEMES = ("http:", "https:", "mailto:")


def _is_safe_link(url: str) -> bool:
    # Only links a reader can follow from a letter: no javascript:, file: or data: links.
    return url.strip().lower().startswith(SAFE_LINK_SCHEMES)


def _make_parser(linkify: bool = True) -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": linkify, "typographer": False})
    if linkify:
        parser.enable("linkify")
    # Citations are matched even where no note is defined, so that validation can name them.
    parser.use(footnote_plugin, always_match_refs=True)
    # Notes are defined in the letter's `references`, not in the text: no footnote list here,
    # and no inline notes ("^[text]"), which have no label to cite.
    parser.core.ruler.disable("footnote_tail")
    parser.inline.ruler.disable("footnote_inline")
    parser.validateLink = _is_safe_link
    parser.add_render_rule("footnote_ref", _render_citation)
    # Images are refused by validation; should one come through anyway (a translation, say),
    # only its alt text is shown, so that a letter never loads a picture from elsewhere.
    parser.add_render_rule("image", _render_image_as_text)
    return parser


def _render_citation(self, tokens: list[Token], index: int, options, env) -> str:
    return env["cite"](tokens[index].meta["label"])


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


def block_kinds(text: str) -> list[str]:
    """The top-level block types of `text` ("paragraph", "heading", "bullet_list", ...)."""
    return list(_summary(text)[0])


@functools.lru_cache(maxsize=8192)
def _inline_tokens(text: str) -> tuple[Token, ...]:
    # Every copy and locale of a letter renders the same texts: parse each once. Rendering
    # reads the tokens and never changes them; citations are resolved at render time.
    return tuple(_PARSER.parseInline(text, {}))


def render_inline(text: str, cite: Callable[[str], str]) -> str:
    """HTML for one paragraph's worth of Markdown, without the surrounding <p>."""
    return _PARSER.renderer.render(list(_inline_tokens(text)), _PARSER.options, {"cite": cite})


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
    return tuple(found)
