"""Time carta's Markdown on the worst inputs known, at the longest text validation accepts.

    .venv/bin/python benchmarks/markdown_worst_case.py [--size 20000] [--only NAME ...]

Each input repeats a short pattern up to `--size` characters (reader.MAX_TEXT by default).
Per input it prints the time of what `carta check` asks of a text (block_kinds, cited_labels,
refused_markup) and of render_inline, each from a cold cache, then the worst case and whether it
stays under the 1 s budget. It prints figures, not test verdicts: timings depend on the machine,
so the tests only check behaviour (tests/test_markdown_limits.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.content import markdown  # noqa: E402
from generator.content.reader import MAX_TEXT  # noqa: E402

BUDGET = 1.0  # seconds for one text: checked and rendered

# Patterns that made some rule scan ahead from every position, or that stress nesting: citations
# without a closing "]" (footnote_ref), "://" after a long run of text (linkify), bracket runs
# (parseLinkLabel), images, emphasis, code spans, autolinks, entities and link destinations.
PATTERNS = {
    "citation-opener [^": "[^",
    "citation-no-close [^a": "[^a",
    "inline-note ^[": "^[",
    "bracket [": "[",
    "brackets [[": "[[",
    "image ![": "![",
    "image-brackets ![[": "![[",
    "link-open [a](": "[a](",
    "link-label [a][": "[a][",
    "scheme a://": "a://",
    "url http://a": "http://a",
    "url-space http:// ": "http:// ",
    "emphasis *a": "*a",
    "emphasis-mixed *_a": "*_a",
    "strong **a ": "**a ",
    "backtick `a": "`a",
    "autolink <a": "<a",
    "entity &#": "&#",
    "escape \\[": "\\[",
    "long-label [^x…": "[^" + "x" * 50,
    "newline-citations [^a\\n": "[^a\n",
}


def build(pattern: str, size: int) -> str:
    return (pattern * (size // len(pattern) + 1))[:size]


def cold() -> None:
    # markdown.py keeps parsed texts in caches: empty them so each run parses from scratch.
    for name in ("_summary", "_refused", "_inline_tokens"):
        cache = getattr(markdown, name, None)
        if cache is not None and hasattr(cache, "cache_clear"):
            cache.cache_clear()


def measure(text: str) -> tuple[float, float]:
    cold()
    started = time.perf_counter()
    markdown.block_kinds(text)
    markdown.cited_labels(text)
    markdown.refused_markup(text)
    checked = time.perf_counter()
    markdown.render_inline(text, lambda label: f"<sup>{label}</sup>")
    return checked - started, time.perf_counter() - checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=MAX_TEXT, help="characters per input")
    parser.add_argument("--only", nargs="*", default=(), help="run inputs whose name contains")
    args = parser.parse_args()

    print(f"{args.size:,} characters per input; budget {BUDGET:.1f} s for check + render")
    print(f"{'input':28} {'check s':>8} {'render s':>9} {'total s':>8}")
    worst = ("", 0.0)
    for name, pattern in PATTERNS.items():
        if args.only and not any(part in name for part in args.only):
            continue
        check, render = measure(build(pattern, args.size))
        print(f"{name:28} {check:8.3f} {render:9.3f} {check + render:8.3f}", flush=True)
        if check + render > worst[1]:
            worst = (name, check + render)
    verdict = "under" if worst[1] < BUDGET else "OVER"
    print(f"worst: {worst[0]} {worst[1]:.3f} s, {verdict} the {BUDGET:.1f} s budget")


if __name__ == "__main__":
    main()
