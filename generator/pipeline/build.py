"""The pipeline: validate, localize and plan every document, then render, make and write each."""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..campaign.assemble import validate
from ..core.errors import CartaError, ContentError, Problem
from ..core.lock import project_lock
from ..core.model import DEFAULT_FORMATS, OFFICE_FORMATS, OUTPUT_FORMATS, Letter, Recipient
from ..core.project import Project, builtin_templates
from ..core.write import output_path, write_atomic
from ..localization import catalogs
from ..localization.locales import language_tag, parse_locale, template_catalog
from ..rendering import webfonts
from ..rendering.render import Renderer
from .state import Fingerprints

FORMATS = OUTPUT_FORMATS  # declared once, in the model; DEFAULT_FORMATS: what is made unless told


@dataclass(frozen=True)
class Job:
    """One document to make: a letter, already in the words of one locale; for a merged
    letter, one recipient's copy."""

    letter: Letter
    locale: str  # for a combined document, its locales joined by "+": "en+es"
    recipient: Recipient | None = None
    # A document with the letter's versions one after the other (`combine:`): (locale, letter)
    # per version, in order. Empty for the ordinary document in one locale.
    versions: tuple[tuple[str, Letter], ...] = ()

    @property
    def name(self) -> str:
        """How messages name this document: "letter-id (es)", "letter-id, inai (es)"."""
        copy = f", {self.recipient.id}" if self.recipient else ""
        return f"{self.letter.id}{copy} ({self.locale})"

    def output(self, folder: Path, extension: str) -> Path:
        return output_path(folder, self.letter.id, self.locale, extension,
                           self.recipient.id if self.recipient else None)

    def depends(self, project: Project) -> set[Path]:
        """The files read to plan this document: the letter, its campaign, the shared content,
        carta.toml and the catalog of its locale (even if there is none yet)."""
        locales = [locale for locale, _ in self.versions] or [self.locale]
        return {*self.letter.depends,
                *(catalogs.catalog_path(project, self.letter.id, locale) for locale in locales)}


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # With plan(partial=True): every problem found, and what it keeps from being made
    # ("letter-id (all)", "letter-id (en)").
    problems: list[Problem] = field(default_factory=list)
    not_planned: list[str] = field(default_factory=list)


def plan(project: Project, letters: tuple[str, ...] = (), locales: tuple[str, ...] = (),
         allow_untranslated: bool = False, drafts: bool = False,
         partial: bool = False) -> Plan:
    """Check content and translations, and list every document to make; write nothing.

    Every problem of every letter and locale is collected before one error is raised. With
    `partial`, nothing is raised: the plan holds every document that can be made (a letter
    with problems is left out, and a stale translation leaves out only its own locale) and
    `Plan.problems` and `Plan.not_planned` say what was left out and why.
    """
    content = validate(project, letters, drafts, partial=partial)
    chosen = locales or project.settings.locales
    result = Plan(not_planned=[f"{ident} (all)" for ident in content.not_valid])
    problems: list[Problem] = list(content.problems)
    for locale in chosen:
        try:
            parse_locale(locale)
        except CartaError as error:
            problems.append(Problem("--locale" if locales else "carta.toml", None, None,
                                    "locales", error.message))
    if problems and not (partial and content.letters):
        # Bad --locale codes, or nothing at all that can be built.
        raise ContentError(problems)
    catalog_dirs = tuple(path / "locale" for path in project.template_dirs())
    for locale in chosen:
        if locale.split("_")[0] != "en" and template_catalog(locale, catalog_dirs) is None:
            message = (f"no catalog of template phrases for {locale} (looked in "
                       f"{', '.join(project.shown(d) for d in catalog_dirs)}); page labels and "
                       "closings would stay in English")
            if allow_untranslated:
                result.warnings.append(message)
            else:
                problems.append(Problem("templates", None, None, "", message +
                                        "; add templates/locale/" + locale +
                                        "/LC_MESSAGES/carta.po or use --allow-untranslated"))
    for letter in content.letters:
        localized = {}
        for locale in chosen:
            translation, found = load_translation(project, letter, locale)
            localized[locale], more, warned = catalogs.localize(letter, locale, translation,
                                                               allow_untranslated)
            result.warnings += warned
            if found or more:
                problems += found + more
                if partial:  # this locale of this letter waits; the others go on
                    del localized[locale]
                    result.not_planned.append(f"{letter.id} ({locale})")
        built = [locale for locale in chosen if locale in localized] if partial else chosen
        # The parallel versions, when every locale they need is built.
        combined = (tuple((locale, localized[locale]) for locale in letter.combine)
                    if letter.combine and set(letter.combine) <= set(built) else ())
        if letter.combine and not combined:
            result.warnings.append(
                f"{letter.id}: no combined {'+'.join(letter.combine)} document: it needs "
                f"every one of {', '.join(letter.combine)} among the locales built")
        if not letter.merge:
            result.jobs += [Job(localized[locale], locale) for locale in built]
            if combined:
                result.jobs.append(Job(combined[0][1], "+".join(letter.combine),
                                       versions=combined))
            continue
        for recipient in letter.recipients:
            # Each recipient gets its copy in the languages it reads, among those built.
            wanted = [locale for locale in built
                      if not recipient.locales or locale in recipient.locales]
            if not wanted:
                result.warnings.append(
                    f"{letter.id}: {recipient.id} reads {', '.join(recipient.locales)}, none of "
                    f"which is built ({', '.join(chosen)}); no copy for it")
            result.jobs += [Job(localized[locale], locale, recipient) for locale in wanted]
            if combined:
                result.jobs.append(Job(combined[0][1], "+".join(letter.combine), recipient,
                                       combined))
    if problems and not partial:
        raise ContentError(problems)
    result.problems = problems
    return result


def load_translation(project: Project, letter: Letter,
                     locale: str) -> tuple[catalogs.Translation | None, list[Problem]]:
    if locale == letter.language:
        return None, []
    path = catalogs.catalog_path(project, letter.id, locale)
    found, problems = catalogs.read_catalog(project, path, locale)
    return catalogs.Translation(letter, locale, found, project.shown(path)), problems


@dataclass(frozen=True)
class Task:
    """What one worker makes: a job's formats, with the output paths decided beforehand."""

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
          warn: Callable[[str], None] = lambda message: None,
          reference_doc: Path | None = None) -> BuildResult:
    """Build PDF and HTML for the chosen letters and locales.

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
        from ..outputs import docx

        # A partner's template that is no DOCX, or ODT without LibreOffice: said before any
        # work, not once per document.
        if reference_doc is not None:
            docx.read_reference(reference_doc)
        if "odt" in formats:
            docx.require_soffice()
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
        fingerprints = Fingerprints(project, output, {"allow_untranslated": allow_untranslated,
                                                      "strict": strict})
        result = BuildResult(plan=planned)
        tasks, keys = [], {}
        for job in planned.jobs:
            outputs = []
            for extension in (ext for ext in FORMATS if ext in formats):
                if job.versions and extension in OFFICE_FORMATS:
                    continue  # a combined document (combine:) is PDF and HTML only
                path = job.output(output, extension)
                variant = extension + (office_variant if extension in OFFICE_FORMATS else "")
                keys[path] = fingerprints.key(f"{job.name}\0{job.letter.draft}", job.locale,
                                              variant)
                # A page whose fonts (written beside it, webfonts.py) are gone is made again.
                if not force and fingerprints.unchanged(path, keys[path]) \
                        and not (extension == "html" and webfonts.stale(path)):
                    result.skipped.append(path)
                    report("skipped", path)
                else:
                    outputs.append((extension, path))
            if outputs:
                tasks.append(Task(job, tuple(outputs)))
        report("start", sum(len(task.outputs) for task in tasks) + len(result.skipped))
        if any(extension == "pdf" for task in tasks for extension, _ in task.outputs):
            from ..outputs.pdf import uses_harfbuzz_subsetter

            if not uses_harfbuzz_subsetter():
                warn("libharfbuzz-subset0 is missing: fonts are subset by the fontTools fallback, "
                     "about 2.5x slower and with different bytes on every run (see carta doctor)")

        by_path = {path: task.job for task in tasks for _, path in task.outputs}
        for paths, error, warnings, files_read in _run(project, tasks, jobs, strict, maker,
                                                       reference_doc):
            for message in warnings:
                warn(message)
            if error:
                result.failed.append(error)
                report("failed", error)
            for path in paths:
                fingerprints.remember(path, keys[path], by_path[path].depends(project) | files_read)
                result.written.append(path)
                report("wrote", path)
        if result.written:
            fingerprints.save()
    result.seconds = time.perf_counter() - started
    return result


def _run(project: Project, tasks: list[Task], jobs: int, strict: bool,
         maker: DocumentMaker | None = None, reference_doc: Path | None = None):
    """Yield (paths written, error or None, warnings) per task, in one process or a pool."""
    if not tasks:
        return  # a no-op build never loads the PDF engine
    if maker is not None:
        # The caller's maker stays warm for its next build; its scratch folder is the caller's.
        # Every page first, then the other formats: a page takes milliseconds, a PDF a tenth
        # of a second, and the author previewing the pages should not wait for the PDFs.
        _WORKER["maker"] = maker
        for task in tasks:  # a page's folder exists before its fonts are written beside it
            for _, path in task.outputs:
                path.parent.mkdir(parents=True, exist_ok=True)
        try:
            for pages in (True, False):
                for task in tasks:
                    outputs = tuple(item for item in task.outputs
                                    if (item[0] == "html") == pages)
                    if outputs:
                        yield _make(Task(task.job, outputs))
        finally:
            _WORKER.clear()
        return
    if any(extension == "pdf" for task in tasks for extension, _ in task.outputs):
        from ..outputs import pdf  # noqa: F401  imported once here, so forked workers inherit it
    if jobs > 1 and len(tasks) > 1 and any(extension == "html" and webfonts.stale(path)
                                           for task in tasks for extension, path in task.outputs):
        webfonts.prepare()  # subset once here, not in every worker: forked workers inherit it
    with scratch_folder() as scratch:
        if jobs <= 1 or len(tasks) == 1:
            _start_worker(project, scratch, strict, reference_doc)
            for task in tasks:
                yield _make(task)
        else:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=context,
                                     initializer=_start_worker,
                                     initargs=(project, scratch, strict,
                                               reference_doc)) as pool:
                yield from pool.map(_make, tasks)
    _WORKER.clear()


@contextlib.contextmanager
def scratch_folder():
    """A temporary folder for this run's temporary files, removed at the end.

    WeasyPrint keeps fonts in a temporary folder per font configuration and removes it only
    when the configuration is garbage-collected, which a worker process that ends, or a
    process that is killed, never does. Pointing `tempfile` here keeps /tmp clean."""
    saved = tempfile.tempdir
    scratch = tempfile.mkdtemp(prefix="carta-")
    tempfile.tempdir = scratch
    try:
        yield scratch
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(scratch, ignore_errors=True)


class DocumentMaker:
    """The one render path: a job to HTML, and HTML to PDF bytes. `build` keeps one per worker
    process and `archive` one per run, so an archived PDF is made exactly as a built one is
    (archival options aside), with the same warnings."""

    def __init__(self, project: Project, strict: bool, reference_doc: Path | None = None):
        self.project = project
        self.strict = strict
        self.renderer = Renderer(project)
        self._pdf = None
        self.reference_doc = reference_doc  # a partner's template for the DOCX (--reference-doc)
        self._office = None

    def html(self, job: Job) -> str:
        if job.versions:
            return self.renderer.render_versions(job.versions, job.recipient)
        return self.renderer.render(job.letter, job.locale, job.recipient)

    def warm(self) -> None:
        """Load the PDF engine (WeasyPrint, the fonts) if it is not loaded yet: at the first
        PDF, or sooner for a long-running caller (`carta serve` does it before the first save)."""
        if self._pdf is None:
            from ..outputs.pdf import PdfMaker  # WeasyPrint costs a second to import: only when due

            self._pdf = PdfMaker((self.project.content, self.project.templates,
                                  builtin_templates()), strict=self.strict)

    def pdf(self, job: Job, html: str, archival=None) -> tuple[bytes, list[str]]:
        """The PDF and the warnings made while making it (refused resources, misplaced
        footnotes)."""
        self.warm()
        seen = len(self._pdf.warnings)
        langs = tuple(language_tag(locale) for locale, _ in job.versions)
        data = self._pdf.make(html, job.letter.source.parent, job.name, archival, langs)
        return data, self._pdf.warnings[seen:]

    def office(self):
        """The DOCX and ODT maker (generator/docx.py), made at the first such document."""
        if self._office is None:
            from ..outputs.docx import OfficeMaker

            self._office = OfficeMaker(self.project, self.renderer, self.reference_doc)
        return self._office

    def files_read(self) -> set[Path]:
        """Every file read or looked for so far: templates, catalogs, logos, fetched files."""
        files = set(self.renderer.dependencies())
        if self._pdf is not None:
            files |= self._pdf.fetcher.opened
        if self._office is not None:
            files |= self._office.files_read
        return files


# The maker of the current process, reused for every document, so that fonts and the parsed
# font CSS are loaded once per process.
_WORKER: dict = {}


def _start_worker(project: Project, scratch: str, strict: bool,
                  reference_doc: Path | None = None) -> None:
    tempfile.tempdir = scratch  # a forked worker inherits it; a spawned one would not
    _WORKER["maker"] = DocumentMaker(project, strict, reference_doc)


def _make(task: Task) -> tuple[list[Path], str | None, list[str], set[Path]]:
    """Render and write one document's formats: (paths written, error or None, warnings,
    files read to make it). Never raises: one failed document must not stop the others."""
    job = task.job
    written: list[Path] = []
    warnings: list[str] = []
    maker: DocumentMaker = _WORKER["maker"]
    try:
        # The DOCX is written from the letter, not from the HTML: render the page only when due.
        html = maker.html(job) if any(extension in ("pdf", "html")
                                      for extension, _ in task.outputs) else ""
        docx = None
        for extension, path in task.outputs:
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
    except CartaError as error:
        return written, error.message, warnings, maker.files_read()
    except Exception as error:  # noqa: BLE001  a bug must name its document, not end the build
        return written, (f"{job.name}: internal error: {type(error).__name__}: {error}; this is "
                         "a bug in carta, please report it"), warnings, maker.files_read()
    return written, None, warnings, maker.files_read()
