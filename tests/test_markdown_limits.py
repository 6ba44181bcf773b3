"""Markdown at the length limit: worst texts give the right answers, normal text is unchanged.

markdown.py replaces two inline rules (footnote citations, linkify) that were quadratic on texts
such as "[^[^[^..." and "a://a://...", and lowers the nesting depth. How long the worst texts take
is measured by benchmarks/markdown_worst_case.py, not here: timings depend on the machine. These
tests check that the replacements give the very tokens of the rules they replace.
"""

from __future__ import annotations

import random
from functools import partial

import pytest
from markdown_it.rules_inline import linkify as upstream_linkify
from mdit_py_plugins.footnote.index import footnote_ref as upstream_footnote_ref

from generator.content import markdown
from generator.content.reader import MAX_TEXT


def upstream(linkify: bool = True, nesting: int = markdown.MAX_NESTING):
    """carta's parser with the library's own footnote_ref and linkify rules back in place."""
    parser = markdown._make_parser(linkify)
    parser.inline.ruler.at("footnote_ref", partial(upstream_footnote_ref, always_match=True))
    parser.inline.ruler.at("linkify", upstream_linkify)
    parser.options["maxNesting"] = nesting
    if not linkify:
        parser.validateLink = lambda url: True
    return parser


def tokens(parser, text: str) -> list[dict]:
    return [token.as_dict() for token in parser.parse(text, {})]


def repeat(pattern: str, size: int = MAX_TEXT) -> str:
    return (pattern * (size // len(pattern) + 1))[:size]


# Rendered by carta before the change (git HEAD), with cite = lambda label: f"<sup>{label}</sup>".
BEFORE = {
    "Cita[^a] y otra[^b-2], repetida[^a].":
        "Cita<sup>a</sup> y otra<sup>b-2</sup>, repetida<sup>a</sup>.",
    "[texto [^n]](https://example.org)":
        '[texto <sup>n</sup>](<a href="https://example.org">https://example.org</a>)',
    "[^a[^b]": "<sup>a[^b</sup>",
    "![alt [^n]](x.png)": "![alt <sup>n</sup>](x.png)",
    "*énfasis* **negrita** _a_ __b__ ***c***":
        "<em>énfasis</em> <strong>negrita</strong> <em>a</em> <strong>b</strong> "
        "<em><strong>c</strong></em>",
    "`code [^x]` y [^y]": "<code>code [^x]</code> y <sup>y</sup>",
    "<https://e.org> <a@b.org>":
        '<a href="https://e.org">https://e.org</a> <a href="mailto:a@b.org">a@b.org</a>',
    "https://example.org/informe, www.example.org y correo@example.org":
        '<a href="https://example.org/informe">https://example.org/informe</a>, '
        '<a href="http://www.example.org">www.example.org</a> y '
        '<a href="mailto:correo@example.org">correo@example.org</a>',
    "ftp://example.org": "ftp://example.org",
    "xhttps://e.org http://e.org/a_(b) (https://e.org).":
        'xhttps://e.org <a href="http://e.org/a_(b)">http://e.org/a_(b)</a> '
        '(<a href="https://e.org">https://e.org</a>).',
    "[link](javascript:alert(1)) [f](file:///etc/passwd)":
        "[link](javascript:alert(1)) [f](file:///etc/passwd)",
    "Ver https://e.org.[^a]": 'Ver <a href="https://e.org">https://e.org</a>.<sup>a</sup>',
    "**[^a]**": "<strong><sup>a</sup></strong>",
}


@pytest.mark.parametrize("text", BEFORE)
def test_normal_text_renders_as_before(text):
    assert markdown.render_inline(text, lambda label: f"<sup>{label}</sup>") == BEFORE[text]


@pytest.mark.parametrize("text", BEFORE)
def test_nesting_limit_changes_nothing_in_normal_text(text):
    # CommonMark's own depth (20) and carta's (10) read letters alike.
    for linkify in (True, False):
        assert tokens(upstream(linkify, nesting=20), text) == tokens(upstream(linkify), text)


def test_citations_labels_and_refusals_as_before():
    assert markdown.cited_labels("Cita[^a] y otra[^b-2], repetida[^a].") == ["a", "b-2", "a"]
    assert markdown.cited_labels("[^a[^b]") == ["a[^b"]
    assert markdown.cited_labels("[^ a] [^] [^a b] [^a\nb] \\[^a]") == []
    assert markdown.citation_order(["[^b] [^a]", "[^a] [^c]"]) == ["b", "a", "c"]
    assert markdown.refused_markup("[f](file:///etc/passwd) ![x](https://e.org/x.png)") == [
        "a link to 'file:///etc/passwd'; links must start with http:, https: or mailto:",
        "a Markdown image ('![x](...)'); images in the text are not accepted: the letterhead "
        "logo goes in content/senders.yaml"]
    assert markdown.block_kinds("# T\n\npárrafo") == ["heading", "paragraph"]


ALPHABET = list("[]^!()*_`<>&#:/\\ \n~.@") + ["a", "b", "http", "www.", "e.org", "mailto:"]


def random_texts(count: int, seed: int = 20240301):
    chosen = random.Random(seed)
    for _ in range(count):
        yield "".join(chosen.choice(ALPHABET) for _ in range(chosen.randint(1, 30)))


def test_replaced_rules_give_the_library_tokens_on_random_markup():
    # Short texts full of markup: every branch of citations and linkify, compared token by token.
    reference, probe = upstream(), upstream(linkify=False)
    for text in random_texts(3000):
        assert tokens(markdown._PARSER, text) == tokens(reference, text), text
        assert tokens(markdown._PROBE, text) == tokens(probe, text), text


PATHOLOGICAL = ["[^", "[^a", "^[", "[", "![", "[a](", "a://", "http://a", "http:// ", "[^a\n",
                "[^" + "x" * 50, "[^a]", "[^a] ", "x[^a][^b-c]", "![x](y) ", "[x](javascript:y) ",
                "https://e.org/[^a] "]


@pytest.mark.parametrize("pattern", PATHOLOGICAL)
def test_pathological_texts_give_the_library_tokens(pattern):
    # At 1,500 characters the library's quadratic rules still answer within a second.
    text = repeat(pattern, 1_500)
    assert tokens(markdown._PARSER, text) == tokens(upstream(), text)
    assert tokens(markdown._PROBE, text) == tokens(upstream(linkify=False), text)
    assert (markdown._PARSER.parseInline(text, {})[0].as_dict()
            == upstream().parseInline(text, {})[0].as_dict())


def test_pathological_texts_at_the_limit_give_the_right_answers():
    assert markdown.cited_labels(repeat("[^")) == []
    assert markdown.cited_labels(repeat("[^a\n")) == []
    assert markdown.block_kinds(repeat("[^")) == ["paragraph"]
    assert markdown.cited_labels(repeat("[^a] ")) == ["a"] * (MAX_TEXT // 5)
    ends_cited = repeat("[^", MAX_TEXT - 3) + "a]"
    assert markdown.cited_labels(ends_cited) == [ends_cited[2:-1]]
    assert markdown.refused_markup(repeat("![x](y) ")) == markdown.refused_markup("![x](y)") * (
        MAX_TEXT // 8)
    assert len(markdown.refused_markup(repeat("[x](javascript:y) "))) == MAX_TEXT // 18
    assert "<a" not in markdown.render_inline(repeat("a://"), str)
    assert markdown.render_inline(repeat("http://e.org "), str).count("<a href") == MAX_TEXT // 13
