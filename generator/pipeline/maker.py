"""`DocumentMaker`: the one render path, from a planned job to the bytes of each output format."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.dependencies import Dependencies
from ..core.project import Project, builtin_templates
from ..localization.locales import language_tag
from ..rendering.render import Renderer

if TYPE_CHECKING:
    from .plan import Job


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
        # One record of the files read, fed by the renderer, the PDF fetcher and the DOCX
        # writer alike: what every document this maker made depends on.
        self.dependencies = Dependencies()
        self.renderer = Renderer(project, self.dependencies)
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
                                  builtin_templates()), strict=self.strict,
                                 dependencies=self.dependencies)

    def prepare(self, job: Job, pdf: bool) -> None:
        """Load now what every document needs: the templates and catalogs (by rendering
        `job`), and with `pdf` the PDF engine, its fonts and the page's stylesheets. Worker
        processes forked after this start warm, from their first document."""
        html = self.html(job)
        if pdf:
            self.warm()
            self._pdf.prepare(html, job.letter.source.parent)

    def pdf(self, job: Job, html: str, archival=None) -> tuple[bytes, list[str]]:
        """The PDF and the warnings made while making it (refused resources, misplaced
        footnotes)."""
        self.warm()
        seen = len(self._pdf.warnings)
        langs = tuple(language_tag(locale, self.project.settings.regions)
                      for locale, _ in job.versions)
        data = self._pdf.make(html, job.letter.source.parent, job.name, archival, langs)
        return data, self._pdf.warnings[seen:]

    def office(self):
        """The DOCX and ODT maker (outputs/docx.py), made at the first such document."""
        if self._office is None:
            from ..outputs.docx import OfficeMaker

            self._office = OfficeMaker(self.project, self.renderer, self.reference_doc)
        return self._office

    def files_read(self) -> set[Path]:
        """Every file read or looked for so far: templates, catalogs, logos, fetched files."""
        return self.dependencies.paths()
