"""How building one letter scales with its signatories and with its footnotes.

    .venv/bin/python benchmarks/scaling.py [--signatories 1000 3000 10000]
                                           [--footnotes 100 300 1000] [--profile]
                                           [--blocks N] [--page-blocks]

For each size it makes a project with `carta init` in a temporary folder, writes one letter with
that many signatories (two tiers, alphabetical order) or that many footnotes (ten citations per
paragraph), and times `carta build --jobs 1` as a fresh process: wall seconds, CPU seconds (the
figure to compare on a shared machine) and the peak RSS of the largest process (ru_maxrss of
the children), and CPU ms and KB per signatory or per footnote. Then `carta check` on the
largest of each.
With --profile it also runs the largest build of each kind under cProfile, in this process, and
prints the functions that take the most time, to tell carta's share from WeasyPrint's layout,
then the WeasyPrint steps a long list or many notes cost (multi-column layout, the footnote
area laid out again at each note, line breaking, the boxes copied).
With --blocks N the letters' project splits each tier's list of names into consecutive blocks of
N, each its own multi-column box (a project override of parts/signatories.html, made from the
shipped one); with --page-blocks as well, each block after the first starts a page and fills its
columns in turn (`column-fill: auto`). Both change the look (benchmarks/long_lists.md): they are
there to repeat that experiment, not a setting to use.
Prints figures, no verdicts; the targets (issue 23) are 10,000 signatories in 12 s and 300 MB,
1,000 footnotes in 10 s, memory growing no faster than the document.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CARTA = [sys.executable, "-m", "generator"]

# Runs a command as its child and prints the child's peak RSS (KB) and CPU seconds (user +
# system): a fresh process per build, since RUSAGE_CHILDREN keeps the maximum over every child
# ever waited for. The CPU time is the figure to compare on a shared machine, where the wall
# time of the same build varies by half with the others' load.
MEASURE = ("import resource, subprocess, sys\n"
           "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
           "used = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
           "print(code, used.ru_maxrss, used.ru_utime + used.ru_stime)\n")


def init(folder: Path) -> Path:
    root = folder / "project"
    subprocess.run([*CARTA, "init", str(root)], check=True, stdout=subprocess.DEVNULL)
    # A shared, loaded machine can take longer than the default two minutes over 10,000
    # names; the benchmark measures, it must not be stopped by the watchdog.
    settings = root / "carta.toml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + "\n[build]\ndocument_timeout = 900\n", encoding="utf-8")
    return root


# The shipped list of names (parts/signatories.html), and the same in blocks of names for
# --blocks: a block per `batch`, each with its own columns around its own list.
ONE_LIST = """  <div class="names-columns">
  <ul class="names">
    {% for entry in tier.entries %}"""
IN_BLOCKS = """  {% for block in tier.entries|batch(SIZE) %}
  <div class="names-columns">
  <ul class="names">
    {% for entry in block %}"""
BLOCK_END = """  </ul>
  </div>
  {% endif %}"""
PAGE_BLOCKS = """
/* benchmarks/scaling.py --page-blocks: a page per block, its columns filled in turn. */
.signatories .names-columns { column-fill: auto; }
.signatories .names-columns + .names-columns { break-before: page; }
"""


def in_blocks(root: Path, size: int, pages: bool) -> None:
    """Give the project a signatory template that sets each tier in blocks of `size` names."""
    shipped = (REPO / "templates" / "parts" / "signatories.html").read_text(encoding="utf-8")
    if ONE_LIST not in shipped or BLOCK_END not in shipped:
        sys.exit("benchmarks/scaling.py: templates/parts/signatories.html no longer has the "
                 "one list of names that --blocks splits; update ONE_LIST and BLOCK_END")
    blocks = shipped.replace(ONE_LIST, IN_BLOCKS.replace("SIZE", str(size))).replace(
        BLOCK_END, BLOCK_END.replace("  {% endif %}", "  {% endfor %}\n  {% endif %}"))
    (root / "templates" / "parts").mkdir(parents=True, exist_ok=True)
    (root / "templates" / "parts" / "signatories.html").write_text(blocks, encoding="utf-8")
    if pages:
        css = (REPO / "templates" / "letter.css").read_text(encoding="utf-8")
        (root / "templates" / "letter.css").write_text(css + PAGE_BLOCKS, encoding="utf-8")


def letter_file(root: Path) -> Path:
    return root / "content" / "letters" / "carta-ejemplo.yaml"


def with_signatories(folder: Path, count: int) -> Path:
    root = init(folder)
    # One line per signatory, in flow style: content files are limited to 1 MB (load.py), and
    # 10,000 entries in block style, with an affiliation each, come to 1.2 MB.
    lines = []
    for number in range(count):
        if number % 10 == 0:  # one organisation in ten, in the first tier
            lines.append(f"org-{number:05d}: {{kind: organization, name: Organización Civil "
                         f"{number:05d}, country: {{es: México, en: Mexico}}}}")
        else:
            lines.append(f"persona-{number:05d}: {{kind: individual, name: Persona "
                         f"{number:05d} Apellido, affiliation: Organización {number % 97}}}")
    (root / "content" / "signatories.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    orgs = [f"org-{n:05d}" for n in range(0, count, 10)]
    people = [f"persona-{n:05d}" for n in range(count) if n % 10]
    tiers = ("signatories:\n  order: alphabetical\n  tiers:\n"
             f"    - title: Firmantes\n      members: [{', '.join(orgs)}]\n"
             f"    - title: Adhesiones\n      members: [{', '.join(people)}]\n")
    path = letter_file(root)
    path.write_text(path.read_text(encoding="utf-8").replace("references:",
                                                             tiers + "references:"),
                    encoding="utf-8")
    return root


def with_footnotes(folder: Path, count: int) -> Path:
    root = init(folder)
    paragraphs, references = [], []
    for number in range(count):
        if number % 10 == 0:
            paragraphs.append("  - paragraph: >-\n      La Coalición Ejemplo señala lo siguiente.")
        paragraphs[-1] += f" Hecho número {number} documentado.[^nota-{number:04d}]"
        references.append(f"  - id: nota-{number:04d}\n"
                          f"    text: Ver el informe {number} en https://example.org/informe/"
                          f"{number}, página {number % 300 + 1}.")
    text = letter_file(root).read_text(encoding="utf-8")
    head = text[:text.index("body:")]
    letter_file(root).write_text(head + "body:\n" + "\n".join(paragraphs) + "\n\nreferences:\n"
                                 + "\n".join(references) + "\n", encoding="utf-8")
    return root


def timed_run(*args: str) -> tuple[float, float, int, float]:
    """Seconds, peak RSS in MB, exit code and CPU seconds of `carta ARGS` as a fresh process."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", MEASURE, *CARTA, *args], check=True,
                         capture_output=True, text=True, cwd=REPO).stdout.split()
    return time.perf_counter() - started, int(out[1]) / 1024, int(out[0]), float(out[2])


def profile_build(root: Path, top: int = 15) -> None:
    """Profile one build in this process: WeasyPrint's share, then carta's own functions."""
    sys.path.insert(0, str(REPO))
    from generator.core.project import load_project
    from generator.pipeline.run import build

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(build, load_project(root), jobs=1, force=True)
    total = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    weasyprint = sum(row[3] for (path, _, name), row in stats.stats.items()  # type: ignore
                     if "/weasyprint/" in path and name in ("render", "write_pdf")
                     and path.endswith(("weasyprint/__init__.py", "weasyprint/document.py")))
    print(f"  profiled build {total:.1f} s, of which WeasyPrint render + write_pdf "
          f"{weasyprint:.1f} s; carta's functions by cumulative time (those above "
          "pdf.py's _write include WeasyPrint):")
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(
        r"/generator/", top)
    print("\n".join("  " + line for line in stream.getvalue().splitlines()
                    if "/generator/" in line or "ncalls" in line))
    print("  WeasyPrint's steps (calls, cumulative s):")
    for path_end, name, what in WEASYPRINT_STEPS:
        rows = [row for (path, _, function), row in stats.stats.items()  # type: ignore
                if path.endswith(path_end) and function == name]
        if rows:
            calls, seconds = sum(row[1] for row in rows), sum(row[3] for row in rows)
            print(f"    {what:58} {calls:>9,} {seconds:8.1f}")


# What a long list or many notes cost in WeasyPrint (70), by function: a profile shows which.
WEASYPRINT_STEPS = (
    ("weasyprint/layout/column.py", "columns_layout",
     "multi-column layout (each page: a trial pass, then the real)"),
    ("weasyprint/formatting_structure/boxes.py", "copy",
     "boxes copied (a multi-column box copies its remaining kids)"),
    ("weasyprint/layout/__init__.py", "_update_footnote_area",
     "footnote area laid out again (at each note, all the page's)"),
    ("weasyprint/layout/inline.py", "get_next_linebox", "lines laid out (Pango, per line)"),
    ("weasyprint/document.py", "write_pdf", "drawing and writing the PDF"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatories", type=int, nargs="*", default=[1000, 3000, 10000])
    parser.add_argument("--footnotes", type=int, nargs="*", default=[100, 300, 1000])
    parser.add_argument("--profile", action="store_true",
                        help="profile the largest build of each kind")
    parser.add_argument("--blocks", type=int, default=0, metavar="N",
                        help="set each tier's names in blocks of N, each its own columns")
    parser.add_argument("--page-blocks", action="store_true",
                        help="with --blocks: each block after the first starts a page, "
                        "its columns filled in turn")
    args = parser.parse_args()
    if args.page_blocks and not args.blocks:
        parser.error("--page-blocks needs --blocks N")

    print(f"{'letter':24} {'build s':>8} {'CPU s':>8} {'peak MB':>8} {'CPU ms/1':>8} "
          f"{'KB each':>8} {'check s':>8} {'exit':>5}")
    for kind, sizes, make in (("signatories", args.signatories, with_signatories),
                              ("footnotes", args.footnotes, with_footnotes)):
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder:
                root = make(Path(folder), size)
                if args.blocks and kind == "signatories":
                    in_blocks(root, args.blocks, args.page_blocks)
                seconds, peak, code, cpu = timed_run("--project", str(root), "build",
                                                     "--jobs", "1")
                checked, _, check_code, _ = timed_run("--project", str(root), "check")
                print(f"{f'{size:,} {kind}':24} {seconds:8.1f} {cpu:8.1f} {peak:8.0f} "
                      f"{cpu * 1000 / size:8.2f} {peak * 1024 / size:8.1f} {checked:8.1f} "
                      f"{max(code, check_code):5}", flush=True)
                if args.profile and size == max(sizes):
                    profile_build(root)


if __name__ == "__main__":
    main()
