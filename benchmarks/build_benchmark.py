"""Measure what carta adds to WeasyPrint's own time. Prints figures and ratios, no verdicts.

    .venv/bin/python benchmarks/build_benchmark.py [--letters 30] [--jobs-letters 60]
        [--repeat 3] [--rss-letters 200]

Everything in one run, on copies of the seed letter (each one a Spanish and an English PDF):
- whole processes, fonts warm: `carta build --format pdf --jobs 1 --force` against raw
  WeasyPrint rendering carta's own HTML files, tagged, with the same fonts, in one process;
- the same, fonts cold: a machine cache with nothing in it yet (CARTA_CACHE_DIR empty), for a
  `carta build` of PDF and HTML, which needs the web fonts;
- the first build of a fresh project (`carta init`'s, and a copy of the seed letter) against a
  warm `--force` rebuild of it, whole processes;
- `--jobs 2` against `--jobs 1`, whole processes, both with everything warm and --force;
- where carta's milliseconds go, in one warm process (HTML, WeasyPrint's layout and drawing,
  the PDF/UA restructuring, writing);
- a no-op rebuild, peak RSS of one worker over a long run, and `carta check` as a process.

The machine may be shared: each comparison alternates its two sides, repeats them and prints
the median with the spread (min-max), so a noisy run shows as one.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = "2017-09-19-carta-comite-directivo-ogp"
sys.path.insert(0, str(REPO))

from generator.core.project import load_project  # noqa: E402
from generator.pipeline.run import build  # noqa: E402

RAW = """
import sys, weasyprint
from pathlib import Path
from weasyprint.text.fonts import FontConfiguration
from generator.rendering.webfonts import FACES
fonts = FontConfiguration()
rules = []
for family, package, name, weight, style in FACES:
    url = (Path(package.font_directory) / name).resolve().as_uri()
    rules.append(f'@font-face {{ font-family: "{family}"; src: url("{url}"); '
                 f'font-weight: {weight}; font-style: {style}; }}')
stylesheets = [weasyprint.CSS(string="\\n".join(rules), font_config=fonts)]
for line in open(sys.argv[1], encoding="utf-8"):
    path = Path(line.strip())
    weasyprint.HTML(string=path.read_text("utf-8"), base_url=path.parent.as_uri() + "/"
                    ).write_pdf(stylesheets=stylesheets, font_config=fonts, pdf_tags=True)
"""


def make_project(folder: Path, letters: int, locales: tuple[str, ...] = ("es",)) -> Path:
    """A project with `letters` copies of the seed letter, in `locales`."""
    root = folder / "project"
    (root / "content" / "letters").mkdir(parents=True)
    for name in ("senders.yaml", "recipients.yaml"):
        shutil.copy(REPO / "content" / name, root / "content" / name)
    shown = ", ".join(f'"{locale}"' for locale in locales)
    (root / "carta.toml").write_text(f"[project]\nlocales = [{shown}]\n", encoding="utf-8")
    seed = (REPO / "content" / "letters" / f"{SEED}.yaml").read_text(encoding="utf-8")
    catalog = REPO / "content" / "locale" / "en" / "LC_MESSAGES" / f"{SEED}.po"
    for number in range(1, letters + 1):
        ident = f"carta-{number:04d}"
        (root / "content" / "letters" / f"{ident}.yaml").write_text(
            seed.replace(f"id: {SEED}", f"id: {ident}"), encoding="utf-8")
        if "en" in locales:
            target = root / "content" / "locale" / "en" / "LC_MESSAGES" / f"{ident}.po"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(catalog, target)
    return root


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


CPU: dict[str, list[float]] = defaultdict(list)  # CPU seconds of each process, by label


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process(args: list[str], cache: Path, code: str | None = None,
            label: str | None = None) -> float:
    """Wall seconds of one whole process: `carta ARGS`, or `python -c CODE ARGS`; with
    `label`, its CPU seconds (its own and its workers') go to CPU[label]: on a machine shared
    with other work, CPU time is the steadier measure of the work done."""
    before = cpu_seconds()
    command = [sys.executable, "-c", code, *args] if code else \
        [sys.executable, "-m", "generator", *args]
    env = {**os.environ, "CARTA_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    if done.returncode:
        sys.exit(f"{' '.join(command[:4])}... failed:\n{done.stderr}")
    wall = time.perf_counter() - started
    if label:
        CPU[label].append(cpu_seconds() - before)
    return wall


def compare(sides: dict, repeat: int) -> dict[str, list[float]]:
    """Run each side `repeat` times, alternating: {name: [seconds]}."""
    runs: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeat):
        for name, run in sides.items():
            runs[name].append(run())
    return runs


def median(runs: list[float]) -> float:
    return statistics.median(runs)


def spread(runs: list[float], per: int = 1) -> str:
    return (f"median {median(runs) / per * 1000:.0f} ms, min-max {min(runs) / per * 1000:.0f}-"
            f"{max(runs) / per * 1000:.0f} ms")


def breakdown(project, documents: int) -> dict[str, float]:
    """Where the time of a warm `--jobs 1 --force` PDF build goes, in ms per document: each
    step of the one render path timed by wrapping it, in this process."""
    from weasyprint.document import Document

    from generator.outputs import pdf
    from generator.pipeline import maker, run, state

    totals: dict[str, float] = defaultdict(float)
    patches = [(maker.DocumentMaker, "html", "HTML (Jinja, Markdown, localization)"),
               (pdf.PdfMaker, "_stylesheets", "stylesheets (parsed once, then looked up)"),
               (pdf.weasyprint.HTML, "render", "WeasyPrint: parse HTML, style, lay out"),
               (pdf, "misplaced_notes", "carta: footnotes checked on their page"),
               (pdf, "text_lines", "carta: hyphenation lines read"),
               (Document, "write_pdf", "WeasyPrint: draw and write the PDF"),
               (pdf, "make_accessible", "carta: PDF/UA restructuring and checks"),
               (run, "write_atomic", "writing files (atomic, synced)"),
               (state.BuildState, "remember", "build state: hashing what each output read"),
               (state.BuildState, "save", "build state: saving")]
    saved = []
    for owner, name, label in patches:
        original = getattr(owner, name, None)
        if original is None:  # an older carta, measured for comparison
            continue
        saved.append((owner, name, original))

        def wrapper(*args, _original=original, _label=label, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                totals[_label] += time.perf_counter() - started
        setattr(owner, name, wrapper)
    try:
        total = timed(lambda: build(project, formats=("pdf",), jobs=1, force=True))
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
    figures = {label: seconds / documents * 1000 for label, seconds in totals.items()}
    # Each wrapped step runs apart from the others (the finisher inside write_pdf is
    # carta's soft-hyphen pass, counted with WeasyPrint's drawing).
    figures["the rest (planning, state keys, the worker loop)"] = \
        total / documents * 1000 - sum(figures.values())
    figures["total"] = total / documents * 1000
    return figures


def rss_run(root: str, queue) -> None:
    """In a fresh process: build every letter at --jobs 1, sampling RSS after each."""
    samples = []

    def report(kind, what):
        if kind == "wrote":
            samples.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    build(load_project(root), formats=("pdf",), jobs=1, force=True, report=report)
    queue.put(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=30,
                        help="copies of the seed letter, each in es and en (default 30: 60 PDFs)")
    parser.add_argument("--jobs-letters", type=int, default=30,
                        help="copies for --jobs 2 against --jobs 1 (default 30: 60 PDFs)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rss-letters", type=int, default=200)
    options = parser.parse_args()
    repeat = options.repeat
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at the start")

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        warm_cache = folder / "cache-warm"
        root = make_project(folder / "a", options.letters, ("es", "en"))
        n = 2 * options.letters
        project = ["--project", str(root), "-q"]
        # Warm up: the machine cache (web fonts), the OS's file cache, every HTML file.
        process([*project, "build", "--jobs", "1"], warm_cache)
        html_files = sorted(root.glob("output/*/*.html"))
        assert len(html_files) == n, len(html_files)
        listing = folder / "html-files.txt"
        listing.write_text("\n".join(str(path) for path in html_files), encoding="utf-8")

        # 1. carta against raw WeasyPrint, whole processes, fonts warm.
        runs = compare({
            "carta": lambda: process([*project, "build", "--format", "pdf", "--jobs", "1",
                                      "--force"], warm_cache, label="carta"),
            "raw": lambda: process([str(listing)], warm_cache, RAW, label="raw"),
        }, repeat)
        print(f"\n{n} PDFs (the seed letter, es + en), whole processes, fonts warm:")
        print(f"  carta build --format pdf --jobs 1 --force: {spread(runs['carta'], n)} per PDF")
        print(f"  raw WeasyPrint, same HTML, tagged, same fonts: {spread(runs['raw'], n)} per PDF")
        print(f"  carta / raw: {median(runs['carta']) / median(runs['raw']):.3f} in wall time; "
              f"{median(CPU['carta']) / median(CPU['raw']):.3f} in CPU time (carta "
              f"{spread(CPU['carta'], n)}, raw {spread(CPU['raw'], n)} per PDF)")

        # 2. Fonts cold: nothing in the machine cache yet (a new machine, a CI run).
        cold, warm_full = [], []

        def without_fonts():  # a page's fonts are copied only where they are missing
            for fonts in root.glob("output/*/fonts"):
                shutil.rmtree(fonts)
        for index in range(repeat):
            without_fonts()
            cold.append(process([*project, "build", "--jobs", "1", "--force"],
                                folder / f"cache-cold-{index}", label="cold"))
            without_fonts()
            warm_full.append(process([*project, "build", "--jobs", "1", "--force"], warm_cache,
                                     label="warm"))
        print(f"\ncarta build (PDF + HTML) of the same {n} documents, whole processes, each "
              "page's fonts/ folder deleted first:")
        print(f"  fonts cold (empty machine cache): {spread(cold)} in all")
        print(f"  fonts warm: {spread(warm_full)} in all")
        print(f"  cold / warm: {median(cold) / median(warm_full):.3f} in wall time, "
              f"{median(CPU['cold']) / median(CPU['warm']):.3f} in CPU time; carta warm "
              f"(PDF + HTML) / raw (PDF): {median(warm_full) / median(runs['raw']):.3f}")

        # 3. The first build of a fresh project against a warm --force rebuild.
        print("\nfirst build of a fresh project against a warm --force rebuild, whole processes,"
              " machine cache warm:")
        for label, make in (("carta init's example", _init_project),
                            ("the seed letter (es, en)", _seed_project)):
            first, again = [], []
            for index in range(repeat):
                fresh = make(folder / f"fresh-{label[:5]}-{index}")
                first.append(process(["--project", str(fresh), "-q", "build"], warm_cache,
                                     label=f"first {label}"))
                again.append(process(["--project", str(fresh), "-q", "build", "--force"],
                                     warm_cache, label=f"again {label}"))
            cold_first = process(["--project", str(make(folder / f"cold-{label[:5]}")), "-q",
                                  "build"], folder / f"cache-first-{label[:5]}")
            print(f"  {label}: first {spread(first)}, rebuild {spread(again)}; first / "
                  f"rebuild {median(first) / median(again):.3f} in wall time, "
                  f"{median(CPU[f'first {label}']) / median(CPU[f'again {label}']):.3f} in CPU "
                  f"time (with an empty machine cache "
                  f"the first build takes {cold_first * 1000:.0f} ms)")

        # 4. --jobs 2 against --jobs 1, fairly: same project, both warm, both --force.
        jobs_root = make_project(folder / "jobs", options.jobs_letters, ("es", "en"))
        jobs_project = ["--project", str(jobs_root), "-q", "build", "--format", "pdf",
                        "--force"]
        process(jobs_project[:-1], warm_cache)  # warm, and nothing left to make for later
        runs = compare({jobs: (lambda jobs=jobs: process([*jobs_project, "--jobs", str(jobs)],
                                                         warm_cache, label=f"jobs {jobs}"))
                        for jobs in (1, 2)}, repeat)
        jobs_n = 2 * options.jobs_letters
        print(f"\n--jobs 2 against --jobs 1, {jobs_n} PDFs, whole processes, all warm, --force:")
        print(f"  --jobs 1: {spread(runs[1])} in all; --jobs 2: {spread(runs[2])} in all")
        print(f"  speed-up: x{median(runs[1]) / median(runs[2]):.2f} (best of each: "
              f"x{min(runs[1]) / min(runs[2]):.2f}); CPU time --jobs 2 / --jobs 1: "
              f"{median(CPU['jobs 2']) / median(CPU['jobs 1']):.3f} (the work added by a "
              f"second worker), load average now {os.getloadavg()[0]:.1f}: a speed-up needs "
              "a free core")

        # 5. Where the milliseconds go, in one warm process.
        os.environ["CARTA_CACHE_DIR"] = str(warm_cache)
        loaded = load_project(root)
        build(loaded, letters=("carta-0001",), formats=("pdf",), jobs=1, force=True)
        figures = [breakdown(loaded, n) for _ in range(repeat)]
        print(f"\nwhere a warm --jobs 1 PDF build spends its time, ms per PDF (median of "
              f"{repeat}):")
        for label in figures[0]:
            print(f"  {statistics.median(f[label] for f in figures):7.1f}  {label}")

        # 6. No-op rebuilds, memory, carta check.
        noop = timed(lambda: build(loaded, jobs=2))
        noop_process = median([process([*project, "build"], warm_cache) for _ in range(3)])
        print(f"\nno-op rebuild ({n} PDFs + {n} pages): {noop * 1000:.0f} ms in-process; "
              f"{noop_process * 1000:.0f} ms as a fresh carta build process")
        rss_root = make_project(folder / "rss", options.rss_letters)
        queue = multiprocessing.get_context("spawn").Queue()
        worker = multiprocessing.get_context("spawn").Process(
            target=rss_run, args=(str(rss_root), queue))
        worker.start()
        samples = queue.get()
        worker.join()
        tenth = samples[len(samples) // 10]
        print(f"peak RSS of one worker over {len(samples)} letters: {max(samples):.0f} MB "
              f"(after {len(samples) // 10}: {tenth:.0f} MB; growth since: "
              f"{max(samples) - tenth:+.0f} MB)")
        check = median([process(["--project", str(REPO), "-q", "check"], warm_cache)
                        for _ in range(5)])
        print(f"carta check on the repository, fresh process: {check * 1000:.0f} ms "
              "(median of 5)")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (at the start {load:.1f}); "
          "on a shared machine, compare medians and look at the spreads")


def _init_project(folder: Path) -> Path:
    from generator.authoring.scaffold import create_project

    folder.mkdir(parents=True)
    create_project(folder)
    return folder


def _seed_project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copytree(REPO / "content", folder / "content")
    shutil.copy(REPO / "carta.toml", folder / "carta.toml")
    return folder


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
    sys.stdout.flush()
