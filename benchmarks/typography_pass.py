"""What the typography pass and the marking of kept names cost per page. Prints, asserts nothing.

    PYTHONPATH=. .venv/bin/python benchmarks/typography_pass.py [--repeat 20]

On this repository's letter, in each of its locales: the time to render the HTML page (the
Renderer, typography included), the time of the typography pass alone over that page
(rendering/typography.py), the page's size, and how many characters the pass changed. Then
the worst case the pass meets, a page of the length limit made of quotes and French
punctuation only. Medians of --repeat runs, with min-max, for a shared, noisy machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.core.project import load_project  # noqa: E402
from generator.pipeline.plan import plan  # noqa: E402
from generator.rendering.render import Renderer  # noqa: E402
from generator.rendering.typography import typeset_html  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def timed(function, repeat: int) -> str:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return f"{statistics.median(times):7.2f} ms (min {min(times):.2f}, max {max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    project = load_project(REPO)
    renderer = Renderer(project)
    for job in plan(project).jobs:
        if job.versions or job.recipient:
            continue
        page = renderer.render(job.letter, job.locale)
        again = typeset_html(page, job.locale)  # the page is typeset already: a no-op
        print(f"{job.name}: {len(page):,} characters; a second pass "
              f"{'changes nothing' if again == page else 'CHANGES THE PAGE'}")
        print("  render, typography included: "
              + timed(lambda job=job: renderer.render(job.letter, job.locale), repeat))
        print("  typography pass alone:       "
              + timed(lambda page=page, job=job: typeset_html(page, job.locale), repeat))
    worst = "<p lang=\"fr\">" + ("\"a\" ; b ? « c » : d ! 'e' " * 4000) + "</p>"
    print(f"worst case, {len(worst):,} characters of quotes and French punctuation:")
    slow = max(3, repeat // 5)
    print("  typography pass alone:       " + timed(lambda: typeset_html(worst), slow))


if __name__ == "__main__":
    main()
