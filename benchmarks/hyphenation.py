"""How often carta's PDFs hyphenate, per letter and locale. Prints figures, no verdicts.

    .venv/bin/python benchmarks/hyphenation.py [PROJECT ...]

For the repository's own letters and every project in examples/ (or the projects given), it
lays out each document as `carta build` does and prints: lines of text (body and footnotes),
the share of them that end in a hyphen added by hyphenation (typed hyphens, as in
"co-creation", do not count), the longest run of such lines in a row within one paragraph,
and the widest space that justification adds between two words (in em; the serif's own space
is 0.23 em): the price of hyphenating less.
A typesetter's rule of thumb: under 10 %, and never more than 2 in a row.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.core.project import builtin_templates, load_project  # noqa: E402
from generator.outputs.pdf import PdfMaker  # noqa: E402
from generator.outputs.pdf_layout import text_lines  # noqa: E402
from generator.pipeline.maker import DocumentMaker  # noqa: E402
from generator.pipeline.plan import plan  # noqa: E402


def hyphenation(lines) -> tuple[int, int, int, float]:
    """(lines, lines ending in an added hyphen, longest run of them in one block, the widest
    space justification added between two words, in em)."""
    longest, runs, widest = 0, {}, 0.0
    for line in lines:
        run = runs[id(line.block)] = runs.get(id(line.block), 0) + 1 if line.auto_hyphen else 0
        longest = max(longest, run)
        if line.last is not None:
            extra = getattr(line.last, "justification_spacing", 0) or 0
            widest = max(widest, extra / line.last.style["font_size"])
    return len(lines), sum(line.auto_hyphen for line in lines), longest, widest


def measure(root: Path) -> list[tuple[str, int, int, int, int]]:
    project = load_project(root)
    maker = DocumentMaker(project, strict=False)
    pdf = PdfMaker((project.content, project.templates, builtin_templates()), strict=False)
    rows = []
    for job in plan(project, allow_untranslated=True).jobs:
        rendered = pdf.layout(maker.html(job), job.letter.source.parent)
        rows.append((job.name, len(rendered.pages), *hyphenation(text_lines(rendered))))
    return rows


def main(arguments: list[str]) -> None:
    roots = [Path(argument) for argument in arguments] or [
        REPO, *sorted(path for path in (REPO / "examples").iterdir()
                      if (path / "carta.toml").is_file())]
    print(f"{'document':52} {'pages':>5} {'lines':>5} {'hyph.':>5} {'share':>6} {'run':>3} "
          f"{'+space':>6}")
    for root in roots:
        for name, pages, lines, hyphenated, longest, widest in measure(root):
            share = hyphenated / lines if lines else 0.0
            print(f"{name[:52]:52} {pages:5} {lines:5} {hyphenated:5} {share:6.1%} {longest:3} "
                  f"{widest:6.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
