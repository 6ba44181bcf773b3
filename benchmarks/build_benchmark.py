"""Measure what carta adds to WeasyPrint's own time. Prints figures and ratios, no verdicts.

    .venv/bin/python benchmarks/build_benchmark.py [--letters 50] [--rss-letters 200]

It copies the seed letter N times into a temporary project, then measures in this one run:
- carta at --jobs 1, per letter, against raw WeasyPrint rendering the same HTML files in one
  warm process with the same fonts (the tool's overhead);
- --jobs 2 against --jobs 1 (throughput);
- a no-op rebuild against the full build, and the same no-op as a fresh `carta build` process;
- peak RSS of one worker process and its growth over a long run;
- `carta check` on the repository, as a fresh process.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = "2017-09-19-carta-comite-directivo-ogp"
sys.path.insert(0, str(REPO))

from generator.core.project import load_project  # noqa: E402
from generator.pipeline.run import build  # noqa: E402


def make_project(folder: Path, letters: int) -> Path:
    """A project with `letters` copies of the seed letter, in Spanish only."""
    root = folder / "project"
    (root / "content" / "letters").mkdir(parents=True)
    for name in ("senders.yaml", "recipients.yaml"):
        shutil.copy(REPO / "content" / name, root / "content" / name)
    (root / "carta.toml").write_text('[project]\nlocales = ["es"]\n', encoding="utf-8")
    seed = (REPO / "content" / "letters" / f"{SEED}.yaml").read_text(encoding="utf-8")
    for number in range(1, letters + 1):
        ident = f"carta-{number:04d}"
        (root / "content" / "letters" / f"{ident}.yaml").write_text(
            seed.replace(f"id: {SEED}", f"id: {ident}"), encoding="utf-8")
    return root


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def raw_weasyprint(html_files: list[Path]) -> float:
    """WeasyPrint alone on the same HTML, warm, with one font configuration: the floor."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from generator.outputs.pdf import _font_face_css

    fonts = FontConfiguration()
    stylesheets = [weasyprint.CSS(string=_font_face_css(), font_config=fonts)]
    texts = [(path.read_text(encoding="utf-8"), path.parent.as_uri() + "/") for path in html_files]
    started = time.perf_counter()
    for html, base in texts:
        weasyprint.HTML(string=html, base_url=base).write_pdf(
            stylesheets=stylesheets, font_config=fonts, pdf_tags=True)
    return time.perf_counter() - started


def carta_own_work(project) -> float:
    """What carta does besides WeasyPrint, timed alone: steadier than a difference of two
    noisy totals on a shared machine."""
    from generator.core.write import write_atomic
    from generator.pipeline.plan import plan
    from generator.rendering.render import Renderer

    started = time.perf_counter()
    jobs = plan(project).jobs
    renderer = Renderer(project)
    for job in jobs:
        html = renderer.render(job.letter, job.locale, job.recipient)
        write_atomic(job.output(project.output, "html"), html.encode("utf-8"))
    return time.perf_counter() - started


def rss_run(root: str, queue) -> None:
    """In a fresh process: build every letter at --jobs 1, sampling RSS after each."""
    samples = []

    def report(kind, what):
        if kind == "wrote":
            samples.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    build(load_project(root), formats=("pdf",), jobs=1, force=True, report=report)
    queue.put(samples)


def fresh_process_seconds(args: list[str], repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator", *args], check=True,
                       capture_output=True)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=50)
    parser.add_argument("--rss-letters", type=int, default=200)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        root = make_project(Path(folder), options.letters)
        project = load_project(root)
        n = options.letters
        # Warm up: imports, fonts, first layout.
        build(project, letters=("carta-0001",), jobs=1, force=True)

        build(project, formats=("html",), jobs=1, force=True)
        html_files = sorted(root.glob("output/*/*.es.html"))
        assert len(html_files) == n, len(html_files)
        carta_1, raw, carta_2s = [], [], []
        for _ in range(3):  # alternate, and keep the best of each: the machine is shared
            carta_1.append(timed(lambda: build(project, formats=("pdf",), jobs=1, force=True)))
            raw.append(raw_weasyprint(html_files))
            carta_2s.append(timed(lambda: build(project, formats=("pdf",), jobs=2, force=True)))
        carta_2 = min(carta_2s)
        own = carta_own_work(project)
        full = timed(lambda: build(project, jobs=2, force=True))
        noop = timed(lambda: build(project, jobs=2))
        noop_process = fresh_process_seconds(["--project", str(root), "-q", "build"], repeat=3)

        print(f"letters: {n} (the seed letter, 3 pages with footnotes, Spanish)")
        print(f"carta --jobs 1: {min(carta_1) / n * 1000:.0f} ms per letter")
        print(f"raw WeasyPrint, warm, same HTML: {min(raw) / n * 1000:.0f} ms per letter")
        print(f"overhead ratio carta/raw: {min(carta_1) / min(raw):.3f}")
        print(f"carta's own work (check, plan, render HTML, write): {own / n * 1000:.1f} ms per "
              f"letter = {own / min(carta_1):.1%} of the --jobs 1 build")
        print(f"throughput --jobs 2 / --jobs 1: {min(carta_1) / carta_2:.2f}x (best of 3 each; "
              f"all runs: --jobs 1 {', '.join(f'{t:.1f}' for t in carta_1)} s, --jobs 2 "
              f"{', '.join(f'{t:.1f}' for t in carta_2s)} s)")
        print(f"no-op rebuild / full build ({2 * n} outputs): {noop / full:.4f} "
              f"({noop * 1000:.0f} ms in-process; {noop_process * 1000:.0f} ms as a fresh "
              "carta build process)")

        rss_root = make_project(Path(folder) / "rss", options.rss_letters)
        queue = multiprocessing.get_context("spawn").Queue()
        process = multiprocessing.get_context("spawn").Process(
            target=rss_run, args=(str(rss_root), queue))
        process.start()
        samples = queue.get()
        process.join()
        tenth = samples[len(samples) // 10]
        print(f"peak RSS of one worker over {len(samples)} letters: {max(samples):.0f} MB "
              f"(after {len(samples) // 10}: {tenth:.0f} MB; growth since: "
              f"{max(samples) - tenth:+.0f} MB)")

    check = fresh_process_seconds(["--project", str(REPO), "-q", "check"])
    print(f"carta check on the repository, fresh process: {check * 1000:.0f} ms (median of 5)")


if __name__ == "__main__":
    main()
