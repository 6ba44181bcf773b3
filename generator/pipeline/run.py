"""`build`: make every planned document whose outputs are out of date, in worker processes."""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import CartaError, Notice
from ..core.lock import project_lock
from ..core.model import DEFAULT_FORMATS, OFFICE_FORMATS, OUTPUT_FORMATS
from ..core.project import Project
from ..core.write import write_atomic
from ..rendering import webfonts
from .maker import DocumentMaker, scratch_folder
from .plan import Job, Plan, plan
from .state import BuildState


@dataclass(frozen=True)
class Assignment:
    """What one worker is given to make: the outputs of a job that are out of date, with their
    paths decided beforehand (a job is one planned document, `plan.Job`)."""

    job: Job
    outputs: tuple[tuple[str, Path], ...]  # (extension, path)


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    plan: Plan | None = None  # what was checked and planned: commands built on build reuse it


def build(project: Project, letters: tuple[str, ...] = (), locales: tuple[str, ...] = (),
          formats: tuple[str, ...] = DEFAULT_FORMATS, output: Path | None = None,
          allow_untranslated: bool = False, jobs: int = 1, force: bool = False,
          strict: bool = False, drafts: bool = False, partial: bool = False,
          maker: DocumentMaker | None = None,
          report: Callable[[str, Path | str], None] = lambda kind, what: None,
          warn: Callable[[Notice], None] = lambda notice: None,
          reference_doc: Path | None = None) -> BuildResult:
    """Build the chosen formats (PDF and HTML unless told) of the chosen letters and locales.

    Gathers everything first (content, translations, what is already up to date), then
    makes the documents, in `jobs` processes. A resource the PDF engine may not load (a file
    outside the project, the network) is left out with a warning, or with `strict` fails its
    document. `report` hears ("start", total) once, then of
    each output as it ends: ("wrote", path), ("skipped", path) or ("failed", message).
    A long-running caller (`carta serve`) passes its own warm `maker`: documents are then made
    in this process, with fonts and parsed CSS already loaded, in the caller's temporary folder.
    """
    started = time.perf_counter()
    office_variant = ""
    if reference_doc is not None or any(ext in OFFICE_FORMATS for ext in formats):
        from ..outputs import docx, docx_package, odt

        # A partner's template that is no DOCX, or ODT without LibreOffice: said before any
        # work, not once per document.
        if reference_doc is not None:
            docx_package.read_reference(reference_doc, warn)
        if "odt" in formats:
            odt.require_soffice()
        # The writer and the reference document are part of what a DOCX is made from.
        office_variant = f"\0{docx.recipe()}\0{reference_doc or ''}"
    planned = plan(project, letters, locales, allow_untranslated, drafts, partial)
    for message in planned.warnings:
        warn(message)
    output = (output or project.output).resolve()
    # One build at a time per output folder: two would race on the state file.
    with project_lock(output, "build"):
        # --draft is no option of every output: only an unfinished letter (a draft, which it
        # lets through) is made differently, so its state goes into that letter's keys alone.
        state = BuildState(project, output, {"allow_untranslated": allow_untranslated,
                                             "strict": strict})
        result = BuildResult(plan=planned)
        assignments, keys = [], {}
        for job in planned.jobs:
            outputs = []
            for extension in (ext for ext in OUTPUT_FORMATS if ext in formats):
                if job.versions and extension in OFFICE_FORMATS:
                    continue  # a combined document (combine:) is PDF and HTML only
                path = job.output(output, extension)
                variant = extension + (office_variant if extension in OFFICE_FORMATS else "")
                keys[path] = state.key(f"{job.name}\0{job.letter.draft}", job.locale, variant)
                # A page whose fonts (written beside it, webfonts.py) are gone is made again.
                if not force and state.unchanged(path, keys[path]) \
                        and not (extension == "html" and webfonts.stale(path)):
                    result.skipped.append(path)
                    report("skipped", path)
                else:
                    outputs.append((extension, path))
            if outputs:
                assignments.append(Assignment(job, tuple(outputs)))
        report("start", sum(len(given.outputs) for given in assignments) + len(result.skipped))
        if any(extension == "pdf" for given in assignments for extension, _ in given.outputs):
            from ..outputs.pdf import uses_harfbuzz_subsetter

            if not uses_harfbuzz_subsetter():
                warn(Notice("libharfbuzz-subset0 is missing: fonts are subset by the fontTools "
                            "fallback, about 2.5x slower and with different bytes on every run "
                            "(see carta doctor)", "slow-subsetter"))

        by_path = {path: given.job for given in assignments for _, path in given.outputs}
        for paths, error, warnings, files_read in _run(project, assignments, jobs, strict,
                                                       maker, reference_doc):
            for message in warnings:
                warn(message)
            if error:
                result.failed.append(error)
                report("failed", error)
            for path in paths:
                state.remember(path, keys[path], by_path[path].depends(project) | files_read)
                result.written.append(path)
                report("wrote", path)
        if result.written:
            state.save()
    result.seconds = time.perf_counter() - started
    return result


def _run(project: Project, assignments: list[Assignment], processes: int, strict: bool,
         maker: DocumentMaker | None = None, reference_doc: Path | None = None):
    """Yield (paths written, error or None, warnings, files read) per assignment, in this
    process or a pool of `processes`."""
    if not assignments:
        return  # a no-op build never loads the PDF engine
    if maker is not None:
        # The caller's maker stays warm for its next build; its scratch folder is the caller's.
        # Every page first, then the other formats: a page takes milliseconds, a PDF a tenth
        # of a second, and the author previewing the pages should not wait for the PDFs.
        _WORKER["maker"] = maker
        for given in assignments:  # a page's folder exists before its fonts are written in it
            for _, path in given.outputs:
                path.parent.mkdir(parents=True, exist_ok=True)
        try:
            for pages in (True, False):
                for given in assignments:
                    outputs = tuple(item for item in given.outputs
                                    if (item[0] == "html") == pages)
                    if outputs:
                        yield _make(Assignment(given.job, outputs))
        finally:
            _WORKER.clear()
        return
    if any(extension == "pdf" for given in assignments for extension, _ in given.outputs):
        from ..outputs import pdf  # noqa: F401  imported once here, so forked workers inherit it
    if processes > 1 and len(assignments) > 1 and any(
            extension == "html" and webfonts.stale(path)
            for given in assignments for extension, path in given.outputs):
        webfonts.prepare()  # subset once here, not in every worker: forked workers inherit it
    with scratch_folder() as scratch:
        if processes <= 1 or len(assignments) == 1:
            _start_worker(project, scratch, strict, reference_doc)
            for given in assignments:
                yield _make(given)
        else:
            # Everything a worker loads once (templates, WeasyPrint's fonts, the parsed
            # stylesheets) is loaded here, before forking: each worker inherits it and starts
            # warm from its first document, instead of every worker loading it again.
            # The first document is rendered for it under the same watchdog as in a worker: a
            # document that never ends must not hold the whole build here.
            prepared = DocumentMaker(project, strict, reference_doc)
            try:
                with _watchdog(project.settings.document_timeout):
                    prepared.prepare(assignments[0].job, any(
                        extension == "pdf" for given in assignments
                        for extension, _ in given.outputs))
                _WORKER["prepared"] = prepared
            except (Exception, _Stopped):  # noqa: BLE001  it fails in its worker, with its name
                pass
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(min(processes, len(assignments)), mp_context=context,
                                     initializer=_start_worker,
                                     initargs=(project, scratch, strict,
                                               reference_doc)) as pool:
                yield from pool.map(_make, assignments)
    _WORKER.clear()


# The maker of the current process, reused for every document, so that fonts and the parsed
# font CSS are loaded once per process.
_WORKER: dict = {}


def _start_worker(project: Project, scratch: str, strict: bool,
                  reference_doc: Path | None = None) -> None:
    tempfile.tempdir = scratch  # a forked worker inherits it; a spawned one would not
    # A forked worker takes the maker `_run` prepared before forking, warm.
    _WORKER["maker"] = _WORKER.pop("prepared", None) or DocumentMaker(project, strict,
                                                                      reference_doc)
    # What a fresh maker is made from, should a stopped document leave this one half-way.
    _WORKER["recipe"] = (project, strict, reference_doc)
    _WORKER["timeout"] = project.settings.document_timeout


class _Stopped(BaseException):
    """A document ran past its time. A BaseException, as KeyboardInterrupt is, so that no
    `except Exception` on the way (the PDF engine has some) swallows it."""


@contextlib.contextmanager
def _watchdog(seconds: float | None) -> Iterator[None]:
    """Raise _Stopped in this process once `seconds` have passed, wherever the work is.

    A timer signal reaches the main thread between two Python steps, so it stops layout loops
    (the PDF engine's line breaking is Python); a worker of a pool runs documents in its main
    thread, and so does a build with --jobs 1. Elsewhere (a caller's thread) no watchdog."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        signal.setitimer(signal.ITIMER_REAL, 1.0)  # again, should something swallow this one
        raise _Stopped

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _make(given: Assignment) -> tuple[list[Path], str | None, list[str], set[Path]]:
    """Render and write one document's formats: (paths written, error or None, warnings,
    files read to make it). Never raises: one failed document must not stop the others."""
    job = given.job
    written: list[Path] = []
    warnings: list[Notice] = []
    maker: DocumentMaker = _WORKER["maker"]
    timeout = _WORKER.get("timeout")
    try:
        with _watchdog(timeout):
            # An office copy is written from the letter, not from the page: render it only
            # when due.
            html = maker.html(job) if any(extension not in OFFICE_FORMATS
                                          for extension, _ in given.outputs) else ""
            docx = None
            for extension, path in given.outputs:
                if extension == "pdf":
                    data, found = maker.pdf(job, html)
                    warnings += found
                elif extension in OFFICE_FORMATS:
                    if docx is None:
                        docx, found = maker.office().docx(job)
                        warnings += found
                    data = docx if extension == "docx" else maker.office().odt(job, docx)
                else:
                    data = html.encode("utf-8")
                    if webfonts.referenced(html):  # the fonts first: no page without them
                        webfonts.write(path.parent)
                write_atomic(path, data)
                written.append(path)
    except _Stopped:
        files_read = maker.files_read()
        if "recipe" in _WORKER:  # the next document gets a maker in a known state
            _WORKER["maker"] = DocumentMaker(*_WORKER["recipe"])
        return written, (f"{job.name}: stopped after {timeout:g} s, the longest a document may "
                         "take ([build] document_timeout in carta.toml); look for what makes "
                         "it long (a very long table or list, many notes), or raise the limit"), \
            warnings, files_read
    except CartaError as error:
        return written, error.message, warnings, maker.files_read()
    except Exception as error:  # noqa: BLE001  a bug must name its document, not end the build
        return written, (f"{job.name}: internal error: {type(error).__name__}: {error}; this is "
                         "a bug in carta, please report it"), warnings, maker.files_read()
    return written, None, warnings, maker.files_read()
