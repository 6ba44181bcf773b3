"""Markdown as carta reads it: CommonMark without raw HTML, safe links, footnote citations."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

SAFE_LINK_SCHEMES = ("http:", "https:", "mailto:")


def _is_safe_link(url: str) -> bool:
    # Only links a reader can follow from a letter: no javascript:, file: or data: links.
    return url.strip().lower().startswith(SAFE_LINK_SCHEMES)


def _make_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    parser.enable("linkify")
    # Citations are matched even where no note is defined, so that validation can name them.
    parser.use(footnote_plugin, always_match_refs=True)
    # Notes are defined in the letter's `references`, not in the text: no footnote list here.
    parser.core.ruler.disable("footnote_tail")
    parser.validateLink = _is_safe_link
    parser.add_render_rule("footnote_ref", _render_citation)
    return parser


def _render_citation(self, tokens: list[Token], index: int, options, env) -> str:
    return env["cite"](tokens[index].meta["label"])


_PARSER = _make_parser()


def parse(text: str) -> list[Token]:
    return _PARSER.parse(text, {})


def cited_labels(text: str) -> list[str]:
    """The footnote labels cited in `text`, in order, repeats included."""
    return [
        child.meta["label"]
        for token in parse(text)
        for child in token.children or ()
        if child.type == "footnote_ref"
    ]


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
    return [token.type.removesuffix("_open") for token in parse(text)
            if token.level == 0 and token.nesting >= 0 and token.type != "inline"]


def render_inline(text: str, cite: Callable[[str], str]) -> str:
    """HTML for one paragraph's worth of Markdown, without the surrounding <p>."""
    return _PARSER.renderInline(text, {"cite": cite})
