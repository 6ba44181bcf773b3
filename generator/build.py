"""The pipeline: validate the content, plan every document, then render, make and write each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import i18n
from .model import Letter
from .project import Project, builtin_templates
from .render import Renderer
from .validate import validate
from .write import output_path, write_atomic

FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class Job:
    """One document to make: a letter in one locale."""

    letter: Letter
    locale: str


def plan(project: Project, letters: tuple[str, ...] = (),
         locales: tuple[str, ...] = ()) -> list[Job]:
    """Check the content and list every document a build makes, before anything is written."""
    content = validate(project, letters)
    chosen = locales or project.settings.locales
    for locale in chosen:
        i18n.parse_locale(locale)
    return [Job(letter, locale) for letter in content.letters for locale in chosen]


def build(project: Project, letters: tuple[str, ...] = (), locales: tuple[str, ...] = (),
          formats: tuple[str, ...] = FORMATS, output: Path | None = None,
          report: Callable[[Path], None] = lambda path: None) -> list[Path]:
    """Build PDF and HTML for the chosen letters and locales; return the files written."""
    jobs = plan(project, letters, locales)
    output = output or project.output
    renderer = Renderer(project)
    pdf_maker = None
    if "pdf" in formats:
        from .pdf import PdfMaker  # WeasyPrint costs a second to import: only when needed

        pdf_maker = PdfMaker((project.content, project.templates, builtin_templates()))
    written = []
    for job in jobs:
        html = renderer.render(job.letter, job.locale)
        name = f"{job.letter.id} ({job.locale})"
        outputs = {}
        if "html" in formats:
            outputs["html"] = html.encode("utf-8")
        if pdf_maker is not None:
            outputs["pdf"] = pdf_maker.make(html, job.letter.source.parent, name)
        for extension, data in outputs.items():
            path = output_path(output, job.letter.id, job.locale, extension)
            write_atomic(path, data)
            report(path)
            written.append(path)
    return written
